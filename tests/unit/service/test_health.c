/* test_health.c -- the dependency probes (service/health.h) run on a loop's
 * timer heap with the Kafka probe on a blocking pool: starting them creates
 * no thread; a probe that hangs past its bound makes readiness false within
 * the bound (while it still hangs), and its late answer counts; a failed
 * probe says why; the probe goes ahead of jobs queued on the pool. The Kafka probe is replaced by a function the test
 * controls (the real metadata request is covered by
 * tests/e2e/server_kafka_health.sh and tests/e2e/tutorial.sh). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm_test.h"
#include "service/dispatch.h"
#include "service/health.h"
#include "service/timer.h"
#include "store/loop_thread.h"

typedef struct fake_kafka {
    atomic_int calls;
    atomic_int fail;    /* the answer: nonzero is "no broker" */
    atomic_int hang;    /* nonzero: the probe does not return until it is 0 (3 s at most) */
    atomic_int on_loop; /* probes that ran on the loop thread (must stay 0) */
} fake_kafka;

typedef struct rig {
    mm_loop_thread *lt;
    mm_timer *timer;
    mm_dispatch *pool;
    mm_health *h;
    fake_kafka k;
} rig;

static rig *the_rig;

static int fake_probe(void *ud, int timeout_ms) {
    fake_kafka *k = ud;
    (void)timeout_ms;
    atomic_fetch_add(&k->calls, 1);
    if (mm_loop_thread_is_current(the_rig->lt)) atomic_fetch_add(&k->on_loop, 1);
    long long end = mm_test_now_ms() + 3000;
    while (atomic_load(&k->hang) && mm_test_now_ms() < end) usleep(2000);
    return atomic_load(&k->fail);
}

static int count_threads(void) {
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static int setup(void **state) {
    rig *r = calloc(1, sizeof(*r));
    if (!r) return -1;
    r->lt = mm_loop_thread_start("test-health");
    r->timer = r->lt ? mm_timer_start(r->lt) : NULL;
    r->pool = mm_dispatch_start(2);
    if (!r->timer || !r->pool) return -1;
    the_rig = r;
    *state = r;
    return 0;
}

/* The runtime's order: stop the probes, drain the pool (a probe on it
 * answers to the loop), free the heap, stop the loop, free h. */
static int teardown(void **state) {
    rig *r = *state;
    atomic_store(&r->k.hang, 0);
    mm_health_stop(r->h);
    mm_dispatch_free(r->pool);
    mm_timer_free(r->timer);
    mm_loop_thread_stop(r->lt);
    mm_health_free(r->h);
    assert_int_equal(atomic_load(&r->k.on_loop), 0);
    free(r);
    the_rig = NULL;
    return 0;
}

static mm_health *start(rig *r, int bound_ms) {
    mm_health_config cfg = {.loop = r->lt,
                            .timer = r->timer,
                            .blocking = r->pool,
                            .kafka_probe = fake_probe,
                            .kafka_probe_ud = &r->k,
                            .interval_ms = 100,
                            .kafka_timeout_ms = 200,
                            .kafka_bound_ms = bound_ms};
    return mm_health_start(&cfg);
}

/* Waits up to ms for mm_health_kafka(h) == want; the ms it took, or -1. */
static long long wait_kafka(mm_health *h, mm_dep_state want, long long ms) {
    long long t0 = mm_test_now_ms();
    while (mm_health_kafka(h) != want) {
        if (mm_test_now_ms() - t0 > ms) return -1;
        usleep(2000);
    }
    return mm_test_now_ms() - t0;
}

static void test_start_creates_no_thread(void **state) {
    rig *r = *state;
    int before = count_threads();
    r->h = start(r, 300);
    assert_non_null(r->h);
    assert_true(wait_kafka(r->h, MM_DEP_UP, 2000) >= 0);
    assert_true(atomic_load(&r->k.calls) >= 1);
    /* probes ran (on the pool) and none of them started a thread */
    assert_int_equal(count_threads(), before);
    char reason[200] = "";
    assert_int_equal(mm_health_ready(r->h, reason, sizeof reason), 1);
    /* one probe per interval, not more: ~5 in 500 ms */
    int calls = atomic_load(&r->k.calls);
    usleep(500 * 1000);
    int more = atomic_load(&r->k.calls) - calls;
    assert_true(more >= 2 && more <= 8);
}

static void test_hung_probe_unready_within_bound(void **state) {
    rig *r = *state;
    const int bound = 300;
    r->h = start(r, bound);
    assert_non_null(r->h);
    assert_true(wait_kafka(r->h, MM_DEP_UP, 2000) >= 0);
    atomic_store(&r->k.hang, 1);
    /* The next probe (within one interval) hangs; the loop's deadline
     * fires bound ms after it was handed over. */
    long long took = wait_kafka(r->h, MM_DEP_DOWN, 3000);
    print_message("unready %lld ms after the probe started hanging (bound %d ms)\n", took, bound);
    assert_true(took >= 0);
    assert_true(took <= 100 + bound + 600);       /* interval + bound + slack on a loaded machine */
    assert_int_equal(atomic_load(&r->k.hang), 1); /* it still hangs */
    char reason[200] = "";
    assert_int_equal(mm_health_ready(r->h, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "Kafka unreachable"));
    /* Meanwhile no second probe piles up behind it on the pool. */
    int calls = atomic_load(&r->k.calls);
    usleep(400 * 1000);
    assert_int_equal(atomic_load(&r->k.calls), calls);
    assert_int_equal(mm_health_kafka(r->h), MM_DEP_DOWN);
    /* Its late answer counts, and probing goes on. */
    atomic_store(&r->k.hang, 0);
    assert_true(wait_kafka(r->h, MM_DEP_UP, 1000) >= 0);
    assert_true(atomic_load(&r->k.calls) > calls || mm_health_kafka(r->h) == MM_DEP_UP);
}

static void test_failed_probe_is_down_and_recovers(void **state) {
    rig *r = *state;
    atomic_store(&r->k.fail, 1);
    r->h = start(r, 300);
    assert_non_null(r->h);
    assert_true(wait_kafka(r->h, MM_DEP_DOWN, 2000) >= 0);
    char reason[200] = "";
    assert_int_equal(mm_health_ready(r->h, reason, sizeof reason), 0);
    assert_string_equal(reason, "Kafka unreachable (no broker answered a metadata request)");
    atomic_store(&r->k.fail, 0);
    assert_true(wait_kafka(r->h, MM_DEP_UP, 1000) >= 0);
    assert_int_equal(mm_health_ready(r->h, reason, sizeof reason), 1);
}

/* Stopping while a probe hangs returns at once (the pool waits for it,
 * within the probe's own bound, when it is freed). */
static void test_stop_during_hung_probe(void **state) {
    rig *r = *state;
    r->h = start(r, 300);
    assert_non_null(r->h);
    assert_true(wait_kafka(r->h, MM_DEP_UP, 2000) >= 0);
    atomic_store(&r->k.hang, 1);
    int calls = atomic_load(&r->k.calls);
    long long t0 = mm_test_now_ms();
    while (atomic_load(&r->k.calls) == calls && mm_test_now_ms() - t0 < 2000) usleep(2000);
    assert_true(atomic_load(&r->k.calls) > calls);
    t0 = mm_test_now_ms();
    mm_health_stop(r->h);
    assert_true(mm_test_now_ms() - t0 < 1000); /* not the probe's 3 s */
    mm_health_stop(r->h);                      /* again: harmless */
    calls = atomic_load(&r->k.calls);
    atomic_store(&r->k.hang, 0);
    usleep(300 * 1000);
    assert_int_equal(atomic_load(&r->k.calls), calls); /* no probe after the stop */
}

static void sleep_job(void *ud) { usleep((useconds_t)(uintptr_t)ud * 1000); }

/* The probe goes ahead of jobs queued on the pool (resolvers waiting for a
 * thread): with one thread busy for 300 ms and 2 s of jobs queued behind
 * it, Kafka reads as up after the busy job, not after the queue, and the
 * 1 s bound does not fire. */
static void test_probe_jumps_the_queue(void **state) {
    rig *r = *state;
    mm_dispatch_free(r->pool);
    r->pool = mm_dispatch_start(1);
    assert_non_null(r->pool);
    assert_int_equal(mm_dispatch_post(r->pool, sleep_job, (void *)(uintptr_t)300), 0);
    for (int i = 0; i < 10; i++)
        assert_int_equal(mm_dispatch_post(r->pool, sleep_job, (void *)(uintptr_t)200), 0);
    r->h = start(r, 1000);
    assert_non_null(r->h);
    long long took = wait_kafka(r->h, MM_DEP_UP, 3000);
    print_message("up after %lld ms behind a 300 ms job and 2 s of queued ones\n", took);
    assert_true(took >= 0 && took < 1000);
}

/* Missing parts are refused; nothing probed reads as up. */
static void test_config_checks(void **state) {
    rig *r = *state;
    mm_health_config no_pool = {
        .loop = r->lt, .timer = r->timer, .kafka_probe = fake_probe, .kafka_probe_ud = &r->k};
    assert_null(mm_health_start(&no_pool));
    mm_health_config none = {.loop = r->lt, .timer = r->timer};
    r->h = mm_health_start(&none);
    assert_non_null(r->h);
    assert_int_equal(mm_health_kafka(r->h), MM_DEP_UP);
    assert_int_equal(mm_health_redis(r->h), MM_DEP_UP);
    char reason[8];
    assert_int_equal(mm_health_ready(r->h, reason, sizeof reason), 1);
    assert_int_equal(mm_health_ready(NULL, reason, sizeof reason), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_start_creates_no_thread, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hung_probe_unready_within_bound, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_probe_is_down_and_recovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_during_hung_probe, setup, teardown),
        cmocka_unit_test_setup_teardown(test_probe_jumps_the_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_config_checks, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
