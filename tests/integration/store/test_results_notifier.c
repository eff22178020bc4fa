/* test_results_notifier.c -- results and the waiting server's notifier
 * against a REAL Redis (MM_TEST_REDIS_URL): a stored result is fetchable and
 * expires; a waiter registered before the result is woken by push within a
 * bounded time; an unregistered waiter never fires; another server's results
 * do not wake us; a result stored while the subscriber connection is down
 * (its PUBLISH reached nobody) is still delivered after the reconnect. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/uuid.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "store/notifier.h"
#include "store/redis_conn.h"
#include "store/results.h"

/* What the callbacks saw. */
typedef struct box {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int fired;
    char last_id[64];
    json_t *last_doc;
    long long fired_at_ms;
} box;

static void box_init(box *b) {
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    pthread_cond_init(&b->cond, NULL);
}

static void box_clear(box *b) {
    json_decref(b->last_doc);
    pthread_mutex_destroy(&b->lock);
    pthread_cond_destroy(&b->cond);
}

static void on_result(void *ud, const char *event_id, json_t *doc) {
    box *b = ud;
    pthread_mutex_lock(&b->lock);
    b->fired++;
    b->fired_at_ms = mm_test_now_ms();
    snprintf(b->last_id, sizeof b->last_id, "%s", event_id);
    json_decref(b->last_doc);
    b->last_doc = json_incref(doc);
    pthread_cond_broadcast(&b->cond);
    pthread_mutex_unlock(&b->lock);
}

/* Waits until b has fired at least `count` times; returns the count seen. */
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

static void new_id(char id[MM_UUID_STRLEN + 1]) { assert_int_equal(mm_uuid_v4(id), 0); }

static json_t *ok_doc(const char *id) {
    json_t *ev =
        json_pack("{s:s, s:s, s:{s:s}}", "id", "result-event", "type", "Done", "data", "for", id);
    json_t *doc = mm_result_doc_event(id, ev);
    json_decref(ev);
    return doc;
}

static mm_notifier *start_notifier(const char *prefix, int reconnect_ms) {
    char err[256];
    mm_notifier_config cfg = {
        .redis_url = mm_test_redis_url(), .prefix = prefix, .reconnect_min_ms = reconnect_ms};
    mm_notifier *n = mm_notifier_start(&cfg, err, sizeof err);
    if (n == NULL) fail_msg("mm_notifier_start: %s", err);
    assert_int_equal(mm_notifier_wait_ready(n, 10000), 0);
    return n;
}

static void test_store_get_ttl(void **state) {
    (void)state;
    char err[256], id[MM_UUID_STRLEN + 1], key[512];
    char *prefix = mm_test_unique_name("mmt");
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 120, err, sizeof err);
    assert_non_null(s);
    new_id(id);
    json_t *doc = ok_doc(id);
    long long receivers = -1;
    assert_int_equal(mm_result_store_put(s, id, NULL, doc, &receivers, err, sizeof err), 0);
    assert_int_equal(receivers, 0);
    json_t *back = NULL;
    assert_int_equal(mm_result_store_get(s, id, &back, err, sizeof err), 0);
    assert_true(json_equal(doc, back));
    json_decref(back);

    /* The documented key, with a TTL of at most 120 s. */
    redisContext *c = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_result_key(prefix, id, key, sizeof key), 0);
    redisReply *r = redisCommand(c, "TTL %s", key);
    assert_non_null(r);
    assert_true(r->integer > 0 && r->integer <= 120);
    freeReplyObject(r);

    /* An error result overwrites (a re-delivered event replaces its result). */
    json_t *edata = json_pack("{s:i}", "field", 3);
    json_t *edoc = mm_result_doc_error(id, "forms", "ValidationError", "bad name", "E42", edata);
    json_decref(edata);
    assert_int_equal(mm_result_store_put(s, id, NULL, edoc, NULL, err, sizeof err), 0);
    assert_int_equal(mm_result_store_get(s, id, &back, err, sizeof err), 0);
    assert_string_equal(json_string_value(json_object_get(back, "status")), "error");
    json_t *e = json_object_get(back, "error");
    assert_string_equal(json_string_value(json_object_get(e, "className")), "ValidationError");
    assert_string_equal(json_string_value(json_object_get(e, "sourceEventId")), id);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(e, "data"), "field")), 3);
    json_decref(back);

    char missing[MM_UUID_STRLEN + 1];
    new_id(missing);
    assert_int_equal(mm_result_store_get(s, missing, &back, err, sizeof err), MM_ENOTFOUND);
    assert_null(back);

    /* A stored value that is not a result document is reported, not trusted. */
    char bogus[MM_UUID_STRLEN + 1], bkey[512];
    new_id(bogus);
    mm_result_key(prefix, bogus, bkey, sizeof bkey);
    freeReplyObject(redisCommand(c, "SET %s %s EX 60", bkey, "not json"));
    assert_int_equal(mm_result_store_get(s, bogus, &back, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "not a JSON object"));

    redisFree(c);
    json_decref(doc);
    json_decref(edoc);
    mm_result_store_free(s);
    free(prefix);
}

static void test_push_wakes_waiter(void **state) {
    (void)state;
    char err[256], id[MM_UUID_STRLEN + 1];
    char *prefix = mm_test_unique_name("mmt");
    mm_notifier *n = start_notifier(prefix, 0);
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    box b;
    box_init(&b);
    new_id(id);
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), MM_EEXIST);

    json_t *doc = ok_doc(id);
    long long receivers = -1;
    long long t0 = mm_test_now_ms();
    assert_int_equal(
        mm_result_store_put(s, id, mm_notifier_server_id(n), doc, &receivers, err, sizeof err), 0);
    assert_int_equal(receivers, 1);
    assert_int_equal(box_wait(&b, 1, 2000), 1);
    fprintf(stderr, "store -> waiter woken: %lld ms\n", b.fired_at_ms - t0);
    assert_true(b.fired_at_ms - t0 < 1000);
    assert_string_equal(b.last_id, id);
    assert_true(json_equal(b.last_doc, doc));
    assert_int_equal(mm_notifier_wait_unregister(n, id), MM_ENOTFOUND);

    mm_notifier_stats st;
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.pushed, 1);
    assert_int_equal(st.waiting, 0);

    /* Unregistered before its result: never fires. Another server's result
     * does not wake a waiter here either. */
    char gone[MM_UUID_STRLEN + 1], other[MM_UUID_STRLEN + 1];
    new_id(gone);
    new_id(other);
    box b2;
    box_init(&b2);
    assert_int_equal(mm_notifier_wait_register(n, gone, on_result, &b2), 0);
    assert_int_equal(mm_notifier_wait_register(n, other, on_result, &b2), 0);
    assert_int_equal(mm_notifier_wait_unregister(n, gone), 0);
    json_t *gdoc = ok_doc(gone), *odoc = ok_doc(other);
    assert_int_equal(
        mm_result_store_put(s, gone, mm_notifier_server_id(n), gdoc, NULL, err, sizeof err), 0);
    assert_int_equal(
        mm_result_store_put(s, other, "some-other-server", odoc, &receivers, err, sizeof err), 0);
    assert_int_equal(receivers, 0);
    assert_int_equal(box_wait(&b2, 1, 500), 0);
    assert_int_equal(mm_notifier_wait_unregister(n, other), 0);
    /* The result nobody here waited for was dropped without parsing it. */
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.unparsed, 1);
    assert_int_equal(st.pushed, 1);

    /* A document that does not start with its sourceEventId (not how
     * results.c writes them) is parsed, and its waiter woken. */
    char odd[MM_UUID_STRLEN + 1];
    new_id(odd);
    box b3;
    box_init(&b3);
    assert_int_equal(mm_notifier_wait_register(n, odd, on_result, &b3), 0);
    json_t *oddoc = json_pack("{s:s, s:s, s:{s:s, s:s, s:{}}}", "status", "ok", "sourceEventId",
                              odd, "event", "id", "e", "type", "Done", "data");
    assert_int_equal(
        mm_result_store_put(s, odd, mm_notifier_server_id(n), oddoc, NULL, err, sizeof err), 0);
    assert_int_equal(box_wait(&b3, 1, 2000), 1);
    assert_string_equal(b3.last_id, odd);
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.pushed, 2);
    assert_int_equal(st.unparsed, 1);
    json_decref(oddoc);
    box_clear(&b3);

    json_decref(doc);
    json_decref(gdoc);
    json_decref(odoc);
    box_clear(&b);
    box_clear(&b2);
    mm_result_store_free(s);
    mm_notifier_free(n);
    free(prefix);
}

/* Writes tpl into out with its one "@ID@" replaced by id. */
static void fill(char *out, size_t size, const char *tpl, const char *id) {
    const char *at = strstr(tpl, "@ID@");
    assert_non_null(at);
    int n = snprintf(out, size, "%.*s%s%s", (int)(at - tpl), tpl, id, at + 4);
    assert_true(n > 0 && (size_t)n < size);
}

/* PUBLISHes text as a result notification for n, as a consumer would. */
static void publish_raw(redisContext *c, const char *prefix, mm_notifier *n, const char *text) {
    char chan[512];
    assert_int_equal(mm_result_channel(prefix, mm_notifier_server_id(n), chan, sizeof chan), 0);
    redisReply *r = redisCommand(c, "PUBLISH %s %b", chan, text, strlen(text));
    assert_non_null(r);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
}

/* The notifier reads a document on its fast path (bus/json_fast.h) or, for
 * what that path leaves alone (a real number, a \u escape, a duplicate
 * key), with jansson: the waiter gets what json_loadb makes of the text
 * either way. Bytes that are not UTF-8 are refused (jansson's verdict),
 * and the waiter stays registered. */
static void test_documents_fast_and_jansson(void **state) {
    (void)state;
    char err[256];
    char *prefix = mm_test_unique_name("mmt");
    mm_notifier *n = start_notifier(prefix, 0);
    redisContext *c = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(c);
    static const char *const shapes[] = {
        /* the fast path's */
        "{\"sourceEventId\":\"@ID@\",\"status\":\"ok\",\"event\":{\"id\":\"e\",\"data\":"
        "{\"n\":-12,\"s\":\"a\\\"b\\\\c\\n\",\"t\":true,\"f\":false,\"z\":null,"
        "\"a\":[1,\"x\",{\"k\":[]}],\"o\":{}}}}",
        /* jansson's: a real, a \u escape, a duplicate key (the last wins) */
        "{\"sourceEventId\":\"@ID@\",\"status\":\"ok\",\"event\":{\"data\":"
        "{\"r\":1.5e3,\"u\":\"\\u00e9\\ud83d\\ude00\",\"d\":1,\"d\":2}}}",
        /* multi-byte UTF-8 as is */
        "{\"sourceEventId\":\"@ID@\",\"status\":\"ok\",\"event\":{\"data\":{\"s\":"
        "\"\xc3\xa9\xe2\x82\xac\"}}}",
    };
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; i++) {
        char id[MM_UUID_STRLEN + 1], text[1024];
        new_id(id);
        fill(text, sizeof text, shapes[i], id);
        box b;
        box_init(&b);
        assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);
        publish_raw(c, prefix, n, text);
        assert_int_equal(box_wait(&b, 1, 2000), 1);
        json_t *want = json_loads(text, 0, NULL);
        assert_non_null(want);
        if (!json_equal(b.last_doc, want)) fail_msg("shape %zu: not what jansson reads", i);
        json_decref(want);
        box_clear(&b);
    }
    /* Not UTF-8: dropped, the waiter is still there. */
    char id[MM_UUID_STRLEN + 1], text[256];
    new_id(id);
    fill(text, sizeof text,
         "{\"sourceEventId\":\"@ID@\",\"status\":\"ok\",\"event\":{\"data\":{\"s\":\"\xff\"}}}",
         id);
    box b;
    box_init(&b);
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);
    publish_raw(c, prefix, n, text);
    assert_int_equal(box_wait(&b, 1, 500), 0);
    assert_int_equal(mm_notifier_wait_unregister(n, id), 0);
    box_clear(&b);
    redisFree(c);
    mm_notifier_free(n);
    free(prefix);
}

static void test_many_waiters(void **state) {
    (void)state;
    enum {
        N = 300
    };
    char err[256];
    char *prefix = mm_test_unique_name("mmt");
    mm_notifier *n = start_notifier(prefix, 0);
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    static char ids[N][MM_UUID_STRLEN + 1];
    box b;
    box_init(&b);
    for (int i = 0; i < N; i++) {
        new_id(ids[i]);
        assert_int_equal(mm_notifier_wait_register(n, ids[i], on_result, &b), 0);
    }
    for (int i = 0; i < N; i++) {
        json_t *doc = ok_doc(ids[i]);
        assert_int_equal(
            mm_result_store_put(s, ids[i], mm_notifier_server_id(n), doc, NULL, err, sizeof err),
            0);
        json_decref(doc);
    }
    assert_int_equal(box_wait(&b, N, 10000), N);
    mm_notifier_stats st;
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.waiting, 0);
    assert_int_equal(st.pushed, N);
    box_clear(&b);
    mm_result_store_free(s);
    mm_notifier_free(n);
    free(prefix);
}

/* The Redis client id of the connection named name, or -1. */
static long long client_id_by_name(redisContext *c, const char *name) {
    redisReply *r = redisCommand(c, "CLIENT LIST TYPE pubsub");
    long long id = -1;
    char needle[256];
    snprintf(needle, sizeof needle, " name=%s ", name);
    for (char *line = r && r->str ? r->str : NULL; line != NULL && *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (strstr(line, needle) != NULL && strncmp(line, "id=", 3) == 0) id = atoll(line + 3);
        line = end ? end + 1 : NULL;
    }
    if (r) freeReplyObject(r);
    return id;
}

static void test_result_during_reconnect(void **state) {
    (void)state;
    char err[256], id[MM_UUID_STRLEN + 1], name[200];
    char *prefix = mm_test_unique_name("mmt");
    /* A long first backoff opens a window in which nobody is subscribed. */
    mm_notifier *n = start_notifier(prefix, 1500);
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    redisContext *admin = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(admin);
    box b;
    box_init(&b);
    new_id(id);

    snprintf(name, sizeof name, "mm-notifier-%s", mm_notifier_server_id(n));
    long long cid = client_id_by_name(admin, name);
    assert_true(cid > 0);
    redisReply *r = redisCommand(admin, "CLIENT KILL ID %lld", cid);
    assert_non_null(r);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    /* Register only once the notifier has seen the kill: a waiter
     * registered before could also be found by the first subscription's
     * re-check, whose MGET may run after the put below on a loaded machine
     * (seen: delivered 0 ms after the put, subscribes 1), and this test is
     * about the re-check after the reconnect. */
    mm_notifier_stats seen = {.subscribed = 1};
    for (long long until = mm_test_now_ms() + 5000; seen.subscribed && mm_test_now_ms() < until;) {
        usleep(2000);
        mm_notifier_get_stats(n, &seen);
    }
    assert_int_equal(seen.subscribed, 0);
    assert_int_equal(mm_notifier_wait_register(n, id, on_result, &b), 0);

    json_t *doc = ok_doc(id);
    long long receivers = -1;
    long long t0 = mm_test_now_ms();
    assert_int_equal(
        mm_result_store_put(s, id, mm_notifier_server_id(n), doc, &receivers, err, sizeof err), 0);
    assert_int_equal(receivers, 0); /* the push went nowhere */
    assert_int_equal(box_wait(&b, 1, 10000), 1);
    fprintf(stderr, "delivered %lld ms after the missed push (backoff 1500 ms)\n",
            b.fired_at_ms - t0);
    assert_string_equal(b.last_id, id);
    assert_true(json_equal(b.last_doc, doc));
    mm_notifier_stats st;
    mm_notifier_get_stats(n, &st);
    assert_int_equal(st.rechecked, 1);
    assert_int_equal(st.pushed, 0);
    assert_true(st.subscribes >= 2);
    /* And the new subscription works by push again. */
    char id2[MM_UUID_STRLEN + 1];
    new_id(id2);
    assert_int_equal(mm_notifier_wait_ready(n, 5000), 0);
    assert_int_equal(mm_notifier_wait_register(n, id2, on_result, &b), 0);
    json_t *doc2 = ok_doc(id2);
    assert_int_equal(
        mm_result_store_put(s, id2, mm_notifier_server_id(n), doc2, &receivers, err, sizeof err),
        0);
    assert_int_equal(receivers, 1);
    assert_int_equal(box_wait(&b, 2, 2000), 2);
    assert_string_equal(b.last_id, id2);

    json_decref(doc);
    json_decref(doc2);
    box_clear(&b);
    redisFree(admin);
    mm_result_store_free(s);
    mm_notifier_free(n);
    free(prefix);
}

/* Kills the connection named name (exactly one must exist). */
static void kill_by_name(const char *type, const char *name) {
    char err[256], needle[256];
    redisContext *admin = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(admin);
    snprintf(needle, sizeof needle, " name=%s ", name);
    redisReply *r = redisCommand(admin, "CLIENT LIST TYPE %s", type);
    long long victim = -1;
    int found = 0;
    for (char *line = r->str; line && *line;) {
        char *end = strchr(line, '\n');
        if (end) *end = '\0';
        if (strstr(line, needle) != NULL) {
            victim = atoll(line + 3);
            found++;
        }
        line = end ? end + 1 : NULL;
    }
    freeReplyObject(r);
    assert_int_equal(found, 1);
    r = redisCommand(admin, "CLIENT KILL ID %lld", victim);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    redisFree(admin);
}

/* The result store re-opens a connection that Redis dropped. */
static void test_store_reconnects(void **state) {
    (void)state;
    char err[256], id[MM_UUID_STRLEN + 1], name[200];
    char *prefix = mm_test_unique_name("mmt");
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    snprintf(name, sizeof name, "%s-results", prefix);
    kill_by_name("normal", name);
    new_id(id);
    json_t *doc = ok_doc(id), *back = NULL;
    assert_int_equal(mm_result_store_put(s, id, "nobody", doc, NULL, err, sizeof err), 0);
    kill_by_name("normal", name);
    assert_int_equal(mm_result_store_get(s, id, &back, err, sizeof err), 0);
    assert_true(json_equal(doc, back));
    json_decref(doc);
    json_decref(back);
    mm_result_store_free(s);
    free(prefix);
}

/* With Redis unreachable the notifier keeps retrying in the background and
 * still stops at once. */
static void test_unreachable_redis(void **state) {
    (void)state;
    char err[256];
    mm_notifier_config cfg = {
        .redis_url = "redis://127.0.0.1:1", .reconnect_min_ms = 50, .reconnect_max_ms = 200};
    mm_notifier *n = mm_notifier_start(&cfg, err, sizeof err);
    assert_non_null(n);
    assert_int_equal(mm_notifier_wait_ready(n, 500), MM_ETIMEDOUT);
    box b;
    box_init(&b);
    assert_int_equal(mm_notifier_wait_register(n, "e1", on_result, &b), 0);
    long long t0 = mm_test_now_ms();
    mm_notifier_free(n); /* drops the waiter without calling it */
    assert_true(mm_test_now_ms() - t0 < 1000);
    assert_int_equal(b.fired, 0);
    box_clear(&b);
}

static void test_bad_config(void **state) {
    (void)state;
    char err[256];
    mm_notifier_config cfg = {.redis_url = "http://nope"};
    assert_null(mm_notifier_start(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "unsupported scheme"));
    cfg.redis_url = mm_test_redis_url();
    cfg.server_id = "has space";
    assert_null(mm_notifier_start(&cfg, err, sizeof err));
    assert_null(mm_result_store_new("redis://127.0.0.1:1", NULL, 0, err, sizeof err));
    assert_non_null(strstr(err, "cannot connect to Redis at 127.0.0.1:1"));
}

int main(void) {
    mm_test_redis_url(); /* fail loudly first when unset */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_config),        cmocka_unit_test(test_store_get_ttl),
        cmocka_unit_test(test_store_reconnects),  cmocka_unit_test(test_unreachable_redis),
        cmocka_unit_test(test_push_wakes_waiter), cmocka_unit_test(test_documents_fast_and_jansson),
        cmocka_unit_test(test_many_waiters),      cmocka_unit_test(test_result_during_reconnect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
