/* test_health_loop.c -- the dependency probes on an event loop (health.h),
 * against the run's REAL Kafka and Redis: both are seen up, a Kafka that
 * nobody answers for (a closed port) is seen down within 2 s, starting the
 * probes starts no thread, and stopping with a Kafka probe in flight leaves
 * nothing behind (ASan). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/producer.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "service/health.h"
#include "store/loop_thread.h"
#include "store/redis_async.h"

static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

/* Waits up to ms for want; returns how long it took, -1 if never. */
static long long wait_state(mm_dep_state (*get)(const mm_health *), const mm_health *h,
                            mm_dep_state want, int ms) {
    long long t0 = mm_test_now_ms();
    while (mm_test_now_ms() - t0 < ms) {
        if (get(h) == want) return mm_test_now_ms() - t0;
        usleep(20000);
    }
    return -1;
}

typedef struct redis_ctx {
    mm_loop_thread *loop;
    mm_redis_async *r;
} redis_ctx;

static void redis_open(void *ud) {
    redis_ctx *c = ud;
    char err[256];
    mm_redis_async_config cfg = {.url = mm_test_redis_url(), .connections = 1};
    c->r = mm_redis_async_new(mm_loop_thread_loop(c->loop), &cfg, err, sizeof err);
}

static void redis_close(void *ud) {
    redis_ctx *c = ud;
    mm_redis_async_free(c->r);
}

static void test_both_up(void **state) {
    (void)state;
    char err[512];
    mm_loop_thread *loop = mm_loop_thread_start("mm-test-deps");
    assert_non_null(loop);
    redis_ctx rc = {.loop = loop};
    assert_int_equal(mm_loop_thread_call(loop, redis_open, &rc), 0);
    assert_non_null(rc.r);
    mm_producer *p = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(p);
    int before = thread_count();
    mm_health_config hc = {.loop = loop, .kafka = mm_producer_rdkafka(p), .redis = rc.r};
    mm_health *h = mm_health_start(&hc);
    assert_non_null(h);
    long long tk = wait_state(mm_health_kafka, h, MM_DEP_UP, 10000);
    long long tr = wait_state(mm_health_redis, h, MM_DEP_UP, 5000);
    print_message("kafka up after %lld ms, redis after %lld ms\n", tk, tr);
    assert_true(tk >= 0);
    assert_true(tr >= 0);
    char reason[200];
    assert_int_equal(mm_health_ready(h, reason, sizeof reason), 1);
    /* The probes added no thread (librdkafka may add none for admin requests:
     * they run on its main thread). */
    assert_int_equal(thread_count(), before);
    /* Still up a few probes later (each probe is answered). */
    usleep(1000 * 1000);
    assert_int_equal(mm_health_kafka(h), MM_DEP_UP);
    mm_health_stop(h);
    assert_int_equal(mm_loop_thread_call(loop, redis_close, &rc), 0);
    mm_health_free(h);
    mm_producer_free(p);
    mm_loop_thread_stop(loop);
}

static void test_kafka_unreachable(void **state) {
    (void)state;
    char err[512];
    mm_loop_thread *loop = mm_loop_thread_start("mm-test-deps");
    assert_non_null(loop);
    /* Port 1 on loopback: refused at once, so no broker ever answers. */
    mm_producer *p = mm_producer_new("127.0.0.1:1", NULL, 0, err, sizeof err);
    assert_non_null(p);
    mm_health_config hc = {.loop = loop, .kafka = mm_producer_rdkafka(p)};
    mm_health *h = mm_health_start(&hc);
    assert_non_null(h);
    assert_int_equal(mm_health_redis(h), MM_DEP_UP); /* not probed */
    long long t = wait_state(mm_health_kafka, h, MM_DEP_DOWN, 5000);
    print_message("kafka down after %lld ms\n", t);
    assert_true(t >= 0 && t <= 2000);
    char reason[200];
    assert_int_equal(mm_health_ready(h, reason, sizeof reason), 0);
    assert_non_null(strstr(reason, "Kafka"));
    /* Stop right after a new probe went out (interval 400 ms, timeout 800). */
    usleep(450 * 1000);
    mm_health_free(h);
    mm_producer_free(p);
    mm_loop_thread_stop(loop);
}

int main(void) {
    mm_test_kafka_bootstrap(); /* fail loudly before anything else when unset */
    mm_test_redis_url();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_both_up),
        cmocka_unit_test(test_kafka_unreachable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
