/* test_results_if_absent.c -- the idempotent result store of the
 * exactly-once mode (mm_result_put.if_absent, docs/exactly-once.md) against a
 * REAL Redis (MM_TEST_REDIS_URL): the first result written for an event id
 * stays; a second write (a replayed handler) changes nothing, and its
 * notification carries the stored result, not its own; items without the
 * flag in the same batch still overwrite (at-least-once). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/uuid.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "store/notifier.h"
#include "store/results.h"

/* The notifications a waiter got. */
typedef struct box {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int fired;
    json_t *last_doc;
} box;

static void on_result(void *ud, const char *event_id, json_t *doc) {
    (void)event_id;
    box *b = ud;
    pthread_mutex_lock(&b->lock);
    b->fired++;
    json_decref(b->last_doc);
    b->last_doc = json_incref(doc);
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* Waits (up to timeout_ms) until b fired count times; returns the count. */
static int box_wait(box *b, int count, int timeout_ms) {
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += timeout_ms / 1000;
    dl.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&b->lock);
    while (b->fired < count && pthread_cond_timedwait(&b->cond, &b->lock, &dl) == 0)
        ;
    int n = b->fired;
    pthread_mutex_unlock(&b->lock);
    return n;
}

/* A result naming which handling produced it. */
static json_t *doc_of(const char *id, const char *which) {
    json_t *ev = json_pack("{s:s, s:s, s:{s:s}}", "id", which, "type", "Done", "data", "by", which);
    json_t *doc = mm_result_doc_event(id, ev);
    json_decref(ev);
    return doc;
}

static const char *stored_by(mm_result_store *s, const char *id) {
    static char by[64];
    char err[256];
    json_t *doc = NULL;
    assert_int_equal(mm_result_store_get(s, id, &doc, err, sizeof err), 0);
    json_t *ev = json_object_get(doc, "event");
    snprintf(by, sizeof by, "%s", json_string_value(json_object_get(ev, "id")));
    json_decref(doc);
    return by;
}

static void test_first_result_stays(void **state) {
    (void)state;
    char err[256], id[MM_UUID_STRLEN + 1], plain[MM_UUID_STRLEN + 1];
    char *prefix = mm_test_unique_name("mmt");
    mm_notifier_config cfg = {.redis_url = mm_test_redis_url(), .prefix = prefix};
    mm_notifier *n = mm_notifier_start(&cfg, err, sizeof err);
    assert_non_null(n);
    assert_int_equal(mm_notifier_wait_ready(n, 10000), 0);
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    assert_int_equal(mm_uuid_v4(id), 0);
    assert_int_equal(mm_uuid_v4(plain), 0);
    box b = {.fired = 0};
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.cond, NULL);

    /* The first handling: stored and notified. */
    json_t *first = doc_of(id, "first"), *second = doc_of(id, "second");
    json_t *p1 = doc_of(plain, "first"), *p2 = doc_of(plain, "second");
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);
    mm_result_put items[2] = {
        {.event_id = id, .reply_to = mm_notifier_server_id(n), .doc = first, .if_absent = 1},
        {.event_id = plain, .doc = p1},
    };
    assert_int_equal(mm_result_store_put_many(s, items, 2, err, sizeof err), 0);
    assert_int_equal(items[0].status, 0);
    assert_int_equal(items[1].status, 0);
    assert_int_equal(box_wait(&b, 1, 5000), 1);
    assert_true(json_equal(b.last_doc, first));
    assert_string_equal(stored_by(s, id), "first");

    /* A replay: nothing changes, and its caller is told the stored result. */
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);
    items[0].doc = second;
    items[1].doc = p2;
    assert_int_equal(mm_result_store_put_many(s, items, 2, err, sizeof err), 0);
    assert_int_equal(items[0].status, 0);
    assert_int_equal(items[1].status, 0);
    assert_int_equal(box_wait(&b, 2, 5000), 2);
    assert_true(json_equal(b.last_doc, first));
    assert_string_equal(stored_by(s, id), "first");
    /* Without the flag a re-delivery overwrites (at-least-once). */
    assert_string_equal(stored_by(s, plain), "second");

    json_decref(b.last_doc);
    pthread_mutex_destroy(&b.lock);
    pthread_cond_destroy(&b.cond);
    json_decref(first);
    json_decref(second);
    json_decref(p1);
    json_decref(p2);
    mm_result_store_free(s);
    mm_notifier_free(n);
    free(prefix);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_first_result_stays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
