/* test_timer_dispatch.c -- the deadline heap (fired on a libuv loop thread)
 * and the job threads that the synchronous-mutation path stands on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "metamorphosis.h"
#include "service/dispatch.h"
#include "service/timer.h"
#include "store/loop_thread.h"

static mm_loop_thread *lt;

static int setup(void **state) {
    (void)state;
    lt = mm_loop_thread_start("test-timer");
    return lt ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    mm_loop_thread_stop(lt);
    return 0;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef struct fired {
    atomic_int count;
    atomic_llong at_ms;
    atomic_int order[8];
    atomic_int next;
    int id;
} fired;

static fired shared;

static atomic_int off_loop; /* callbacks that ran elsewhere than the loop thread */

static void on_fire(void *ud) {
    fired *f = ud;
    if (!mm_loop_thread_is_current(lt)) atomic_fetch_add(&off_loop, 1);
    atomic_fetch_add(&f->count, 1);
    atomic_store(&f->at_ms, now_ms());
}

typedef struct ordered {
    int id;
} ordered;
static void on_ordered(void *ud) {
    const ordered *o = ud;
    int slot = atomic_fetch_add(&shared.next, 1);
    atomic_store(&shared.order[slot], o->id);
}

static void test_timer_fires_in_deadline_order(void **state) {
    (void)state;
    mm_timer *t = mm_timer_start(lt);
    assert_non_null(t);
    atomic_store(&shared.next, 0);
    ordered o[3] = {{1}, {2}, {3}};
    mm_timer_entry e[3];
    mm_timer_add(t, &e[2], 90, on_ordered, &o[2]);
    mm_timer_add(t, &e[0], 30, on_ordered, &o[0]);
    mm_timer_add(t, &e[1], 60, on_ordered, &o[1]);
    long long deadline = now_ms() + 3000;
    while (atomic_load(&shared.next) < 3 && now_ms() < deadline) usleep(5000);
    assert_int_equal(atomic_load(&shared.next), 3);
    assert_int_equal(atomic_load(&shared.order[0]), 1);
    assert_int_equal(atomic_load(&shared.order[1]), 2);
    assert_int_equal(atomic_load(&shared.order[2]), 3);
    mm_timer_free(t);
}

static void test_timer_waits_and_cancels(void **state) {
    (void)state;
    mm_timer *t = mm_timer_start(lt);
    fired f = {0}, g = {0};
    mm_timer_entry a, b;
    long long start = now_ms();
    mm_timer_add(t, &a, 100, on_fire, &f);
    mm_timer_add(t, &b, 50, on_fire, &g);
    assert_int_equal(mm_timer_cancel(t, &b), 1); /* removed before firing */
    while (atomic_load(&f.count) == 0 && now_ms() - start < 3000) usleep(2000);
    assert_int_equal(atomic_load(&f.count), 1);
    assert_true(atomic_load(&f.at_ms) - start >= 100);
    assert_int_equal(mm_timer_cancel(t, &a), 0); /* already fired */
    usleep(100 * 1000);
    assert_int_equal(atomic_load(&g.count), 0);
    mm_timer_free(t);
}

static void test_timer_free_fires_pending_entries(void **state) {
    (void)state;
    mm_timer *t = mm_timer_start(lt);
    fired f = {0};
    mm_timer_entry a;
    mm_timer_add(t, &a, 60 * 60 * 1000, on_fire, &f);
    mm_timer_free(t); /* owners must get to release what the entry holds */
    assert_int_equal(atomic_load(&f.count), 1);
}

/* A deadline beyond the loop's 100 ms tick is added without waking the
 * loop and fires on time; a short one wakes the loop instead of waiting for
 * the tick (lateness uniform over 0-100 ms without the wake: the median of
 * seven stays far below that). All on the loop thread. */
static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void test_timer_short_and_long_deadlines_fire_on_time(void **state) {
    (void)state;
    mm_timer *t = mm_timer_start(lt);
    assert_non_null(t);
    atomic_store(&off_loop, 0);
    fired l = {0};
    mm_timer_entry a;
    long long start = now_ms();
    assert_int_equal(mm_timer_add(t, &a, 250, on_fire, &l), 0);
    long long late[7];
    for (int i = 0; i < 7; i++) {
        usleep((useconds_t)(7 + i * 13) * 1000); /* somewhere between two ticks */
        fired s = {0};
        mm_timer_entry b;
        long long at = now_ms();
        assert_int_equal(mm_timer_add(t, &b, 5, on_fire, &s), 0);
        while (atomic_load(&s.count) == 0 && now_ms() - at < 3000) usleep(1000);
        assert_int_equal(atomic_load(&s.count), 1);
        assert_true(atomic_load(&s.at_ms) - at >= 5);
        late[i] = atomic_load(&s.at_ms) - at - 5;
    }
    qsort(late, 7, sizeof late[0], cmp_ll);
    assert_true(late[3] < 30);
    while (atomic_load(&l.count) == 0 && now_ms() - start < 3000) usleep(2000);
    assert_int_equal(atomic_load(&l.count), 1);
    assert_true(atomic_load(&l.at_ms) - start >= 250);
    assert_true(atomic_load(&l.at_ms) - start < 600);
    assert_int_equal(atomic_load(&off_loop), 0);
    mm_timer_free(t);
}

/* Many entries added in scrambled order, a third cancelled from the middle
 * of the heap: the rest fire once each, in deadline order. */
#define MANY 300
static atomic_int many_next;
static long long many_order[MANY]; /* due_ms, in firing order */
typedef struct many_entry {
    mm_timer_entry e;
    int due;
    atomic_int fired;
} many_entry;
static void on_many(void *ud) {
    many_entry *m = ud;
    atomic_fetch_add(&m->fired, 1);
    int slot = atomic_fetch_add(&many_next, 1);
    if (slot < MANY) many_order[slot] = m->e.due_ms;
}

static void test_timer_heap_order_with_cancels(void **state) {
    (void)state;
    static many_entry m[MANY];
    mm_timer *t = mm_timer_start(lt);
    assert_non_null(t);
    atomic_store(&many_next, 0);
    for (int i = 0; i < MANY; i++) {
        m[i].due = 120 + (i * 7919) % MANY; /* a permutation of 120..419 ms */
        atomic_store(&m[i].fired, 0);
        assert_int_equal(mm_timer_add(t, &m[i].e, m[i].due, on_many, &m[i]), 0);
    }
    int cancelled = 0;
    for (int i = 0; i < MANY; i += 3) cancelled += mm_timer_cancel(t, &m[i].e);
    assert_int_equal(cancelled, (MANY + 2) / 3);
    long long start = now_ms();
    while (atomic_load(&many_next) < MANY - cancelled && now_ms() - start < 5000) usleep(5000);
    usleep(50 * 1000);
    assert_int_equal(atomic_load(&many_next), MANY - cancelled);
    for (int i = 0; i < MANY; i++) assert_int_equal(atomic_load(&m[i].fired), i % 3 == 0 ? 0 : 1);
    for (int k = 1; k < MANY - cancelled; k++) assert_true(many_order[k - 1] <= many_order[k]);
    mm_timer_free(t);
}

static void bump(void *ud) { atomic_fetch_add((atomic_int *)ud, 1); }

static void test_dispatch_runs_every_job(void **state) {
    (void)state;
    mm_dispatch *d = mm_dispatch_start(2);
    assert_non_null(d);
    atomic_int n = 0;
    for (int i = 0; i < 1000; i++) assert_int_equal(mm_dispatch_post(d, bump, &n), 0);
    mm_dispatch_free(d); /* drains the queue first */
    assert_int_equal(atomic_load(&n), 1000);
}

/* The one thread of a pool held by a job until `open`, each wait bounded. */
static atomic_int gate_started, gate_open;

static void gate(void *ud) {
    (void)ud;
    atomic_store(&gate_started, 1);
    for (int i = 0; i < 1000 && !atomic_load(&gate_open); i++) usleep(10 * 1000);
}

static int order[8];
static atomic_int order_n;

static void record(void *ud) { order[atomic_fetch_add(&order_n, 1)] = (int)(intptr_t)ud; }

/* Back-of-queue and front-of-queue posts, and the bound, on one thread:
 * what waits runs front first, then in the order posted. */
static void test_dispatch_front_back_and_bound(void **state) {
    (void)state;
    atomic_store(&gate_started, 0);
    atomic_store(&gate_open, 0);
    atomic_store(&order_n, 0);
    mm_dispatch *d = mm_dispatch_start(1);
    assert_non_null(d);
    assert_int_equal(mm_dispatch_post(d, gate, NULL), 0);
    for (int i = 0; i < 1000 && !atomic_load(&gate_started); i++) usleep(10 * 1000);
    assert_true(atomic_load(&gate_started)); /* running, no longer queued */
    /* To the front of an empty queue: what comes after still queues behind. */
    assert_int_equal(mm_dispatch_post_front(d, record, (void *)(intptr_t)3), 0);
    assert_int_equal(mm_dispatch_post_bounded(d, record, (void *)(intptr_t)1, 3), 0);
    assert_int_equal(mm_dispatch_post(d, record, (void *)(intptr_t)2), 0);
    /* Three wait: a bounded post at 3 is refused, at 4 accepted. */
    assert_int_equal(mm_dispatch_post_bounded(d, record, (void *)(intptr_t)9, 3), MM_ELIMIT);
    assert_int_equal(mm_dispatch_post_bounded(d, record, (void *)(intptr_t)4, 4), 0);
    assert_int_equal(mm_dispatch_post_front(d, record, (void *)(intptr_t)5), 0);
    atomic_store(&gate_open, 1);
    mm_dispatch_free(d); /* drains the queue first */
    assert_int_equal(atomic_load(&order_n), 5);
    const int want[] = {5, 3, 1, 2, 4};
    for (int i = 0; i < 5; i++) assert_int_equal(order[i], want[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_fires_in_deadline_order),
        cmocka_unit_test(test_timer_waits_and_cancels),
        cmocka_unit_test(test_timer_free_fires_pending_entries),
        cmocka_unit_test(test_timer_short_and_long_deadlines_fire_on_time),
        cmocka_unit_test(test_timer_heap_order_with_cancels),
        cmocka_unit_test(test_dispatch_runs_every_job),
        cmocka_unit_test(test_dispatch_front_back_and_bound),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
