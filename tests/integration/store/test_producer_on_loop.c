/* test_producer_on_loop.c -- the producer's delivery reports served on an
 * event loop (mm_producer_serve_on_loop watched with mm_loop_watch_fd on a
 * mm_loop_thread, as gregor serve does) against the run's REAL Kafka: every
 * async callback runs on the loop thread, the delivery thread is gone (one
 * thread fewer), a synchronous send from another thread is answered by the
 * loop, flush waits for the loop's callbacks, and after the watch is closed
 * the delivery thread takes over again; a caller taking the polling over
 * (a worker's loop) does not wait out the delivery thread's poll. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/producer.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "store/loop_thread.h"

enum {
    N_ASYNC = 200
};

typedef struct fixture {
    mm_loop_thread *loop;
    mm_producer *p;
    mm_loop_watch *watch;
    int fd;
    atomic_int ok, failed, off_loop;
} fixture;

static int thread_count(void) {
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.') n++;
    closedir(d);
    return n;
}

static void on_delivered(void *ud, const mm_delivery *d) {
    fixture *f = ud;
    if (!mm_loop_thread_is_current(f->loop)) atomic_fetch_add(&f->off_loop, 1);
    atomic_fetch_add(d->status == 0 ? &f->ok : &f->failed, 1);
}

static void serve(void *ud) {
    fixture *f = ud;
    mm_producer_serve(f->p);
}

static void watch_open(void *ud) {
    fixture *f = ud;
    f->watch = mm_loop_watch_fd(f->loop, f->fd, serve, f);
    serve(f);
}

static void watch_close(void *ud) {
    fixture *f = ud;
    mm_loop_watch_close(f->watch);
    f->watch = NULL;
}

static void send_n(fixture *f, const char *topic, int n) {
    char err[512];
    for (int i = 0; i < n; i++) {
        mm_event ev;
        assert_int_equal(mm_event_create(&ev, "loop-test", "Ping", json_pack("{s:i}", "i", i)), 0);
        int rc = mm_producer_send(f->p, topic, &ev, on_delivered, f, err, sizeof err);
        if (rc != 0) fail_msg("send: %s", err);
        mm_event_clear(&ev);
    }
}

static void test_reports_on_loop(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-loop-producer");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 2), 0);
    fixture f = {0};
    f.loop = mm_loop_thread_start("mm-test-loop");
    assert_non_null(f.loop);
    f.p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(f.p);

    int before = thread_count();
    f.fd = mm_producer_serve_on_loop(f.p);
    assert_true(f.fd >= 0);
    assert_int_equal(thread_count(), before - 1);           /* the delivery thread is gone */
    assert_int_equal(mm_producer_serve_on_loop(f.p), f.fd); /* idempotent */
    assert_null(mm_producer_poll_on_caller(f.p));           /* one mode at a time */
    assert_int_equal(mm_loop_thread_call(f.loop, watch_open, &f), 0);
    assert_non_null(f.watch);

    /* Async sends: every callback on the loop thread. */
    long long t0 = mm_test_now_ms();
    send_n(&f, topic, N_ASYNC);
    /* A synchronous send from this thread waits for the loop to serve it. */
    mm_event ev;
    assert_int_equal(mm_event_create(&ev, "loop-test", "Ping", json_pack("{}")), 0);
    int32_t part = -1;
    int64_t off = -1;
    int rc = mm_producer_send_sync(f.p, topic, &ev, 10000, &part, &off, err, sizeof err);
    if (rc != 0) fail_msg("send_sync: %s", err);
    assert_true(part >= 0 && off >= 0);
    mm_event_clear(&ev);
    /* Flush waits for the loop to run every callback. */
    assert_int_equal(mm_producer_flush(f.p, 15000), 0);
    assert_int_equal(atomic_load(&f.ok), N_ASYNC);
    assert_int_equal(atomic_load(&f.failed), 0);
    assert_int_equal(atomic_load(&f.off_loop), 0);
    print_message("%d async + 1 sync delivered through the loop in %lld ms\n", N_ASYNC,
                  mm_test_now_ms() - t0);

    /* Off the loop: the delivery thread serves again. */
    assert_int_equal(mm_loop_thread_call(f.loop, watch_close, &f), 0);
    assert_int_equal(mm_producer_poll_in_background(f.p), 0);
    assert_int_equal(thread_count(), before);
    send_n(&f, topic, 10);
    assert_int_equal(mm_producer_flush(f.p, 15000), 0);
    assert_int_equal(atomic_load(&f.ok), N_ASYNC + 10);
    assert_int_equal(atomic_load(&f.off_loop), 10);

    mm_producer_free(f.p);
    mm_loop_thread_stop(f.loop);
    free(topic);
}

/* Freed while on a loop, with reports still in flight: after the watch is
 * closed, mm_producer_free serves (or fails) every callback on this thread. */
static void test_free_after_loop(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-loop-producer-free");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    fixture f = {0};
    f.loop = mm_loop_thread_start("mm-test-loop");
    assert_non_null(f.loop);
    f.p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(f.p);
    f.fd = mm_producer_serve_on_loop(f.p);
    assert_true(f.fd >= 0);
    assert_int_equal(mm_loop_thread_call(f.loop, watch_open, &f), 0);
    send_n(&f, topic, 50);
    assert_int_equal(mm_loop_thread_call(f.loop, watch_close, &f), 0);
    mm_producer_free(f.p);
    assert_int_equal(atomic_load(&f.ok) + atomic_load(&f.failed), 50);
    mm_loop_thread_stop(f.loop);
    free(topic);
}

/* Taking the polling over from the delivery thread does not wait out that
 * thread's rd_kafka_poll(100): the poll is cancelled. Before, a worker
 * starting its loop waited up to 100 ms here (each harakiri replacement's
 * stall, bench/service/run.sh harakiri); 30 ms leaves room for a loaded
 * machine while the old join, entered 20 ms into the poll, took ~80. */
static void test_poll_handover_is_prompt(void **state) {
    (void)state;
    char err[512];
    for (int round = 0; round < 3; round++) {
        mm_producer *p = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
        assert_non_null(p);
        struct timespec pause = {0, 20 * 1000 * 1000}; /* the thread is inside its poll */
        nanosleep(&pause, NULL);
        long long t0 = mm_test_now_ms();
        rd_kafka_queue_t *q = mm_producer_poll_on_caller(p);
        long long took = mm_test_now_ms() - t0;
        assert_non_null(q);
        rd_kafka_queue_destroy(q);
        if (took >= 30) fail_msg("round %d: handing the polling over took %lld ms", round, took);
        mm_producer_free(p);
    }
}

int main(void) {
    mm_test_kafka_bootstrap(); /* fail loudly before anything else when unset */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reports_on_loop),
        cmocka_unit_test(test_free_after_loop),
        cmocka_unit_test(test_poll_handover_is_prompt),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
