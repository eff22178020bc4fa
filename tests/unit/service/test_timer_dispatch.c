/* test_timer_dispatch.c -- the deadline thread and the job threads that the
 * synchronous-mutation path stands on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "service/dispatch.h"
#include "service/timer.h"

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

static void on_fire(void *ud) {
    fired *f = ud;
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
    mm_timer *t = mm_timer_start();
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
    mm_timer *t = mm_timer_start();
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
    mm_timer *t = mm_timer_start();
    fired f = {0};
    mm_timer_entry a;
    mm_timer_add(t, &a, 60 * 60 * 1000, on_fire, &f);
    mm_timer_free(t); /* owners must get to release what the entry holds */
    assert_int_equal(atomic_load(&f.count), 1);
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

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timer_fires_in_deadline_order),
        cmocka_unit_test(test_timer_waits_and_cancels),
        cmocka_unit_test(test_timer_free_fires_pending_entries),
        cmocka_unit_test(test_dispatch_runs_every_job),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
