/* test_results_batch.c -- mm_result_store_put_many against a REAL Redis
 * (MM_TEST_REDIS_URL): one MULTI/EXEC stores a document item, a text item
 * given with its length (stored byte for byte, NULs and all, as the worker's
 * results built from an emit's encoded data are) and a text item without
 * one; an item whose id cannot be keyed is left out with MM_EINVAL while
 * the others are stored; an item with a reply-to is also published on that
 * server's channel, with the same text; batches reuse one buffer and
 * survive a killed connection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/limits.h"
#include "metamorphosis.h"
#include "mm_test.h"
#include "store/redis_conn.h"
#include "store/results.h"

static void test_put_many_mixed_items(void **state) {
    (void)state;
    char err[256], key[256], chan[256];
    char *prefix = mm_test_unique_name("mm-results-batch");
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    redisContext *c = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(c);
    redisContext *sub = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(sub);
    assert_int_equal(mm_result_channel(prefix, "server-a", chan, sizeof chan), 0);
    redisReply *r = redisCommand(sub, "SUBSCRIBE %s", chan);
    assert_non_null(r);
    freeReplyObject(r);

    char long_id[MM_LIMIT_STORE_KEY + 16];
    memset(long_id, 'x', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    json_t *doc = json_pack("{s:s,s:f}", "id", "ev-doc", "x", 1.0);
    static const char with_nul[] = "{\"id\":\"ev-len\"}\0tail";
    mm_result_put items[] = {
        {.event_id = "ev-doc", .doc = doc},
        {.event_id = "ev-len", .text = with_nul, .text_len = sizeof with_nul - 1},
        {.event_id = long_id, .text = "{}"},
        {.event_id = "ev-text", .reply_to = "server-a", .text = "{\"id\":\"ev-text\"}"},
    };
    assert_int_equal(mm_result_store_put_many(s, items, 4, err, sizeof err), 0);
    assert_int_equal(items[0].status, 0);
    assert_int_equal(items[1].status, 0);
    assert_int_equal(items[2].status, MM_EINVAL);
    assert_int_equal(items[3].status, 0);

    assert_int_equal(mm_result_key(prefix, "ev-doc", key, sizeof key), 0);
    r = redisCommand(c, "GET %s", key);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_string_equal(r->str, "{\"id\":\"ev-doc\",\"x\":1.0}");
    freeReplyObject(r);
    assert_int_equal(mm_result_key(prefix, "ev-len", key, sizeof key), 0);
    r = redisCommand(c, "GET %s", key);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    assert_int_equal(r->len, sizeof with_nul - 1);
    assert_memory_equal(r->str, with_nul, sizeof with_nul - 1);
    freeReplyObject(r);
    r = redisCommand(c, "TTL %s", key);
    assert_true(r->type == REDIS_REPLY_INTEGER && r->integer > 0 && r->integer <= 60);
    freeReplyObject(r);

    /* The notification carries the stored text. */
    void *reply = NULL;
    assert_int_equal(redisGetReply(sub, &reply), REDIS_OK);
    r = reply;
    assert_int_equal(r->type, REDIS_REPLY_ARRAY);
    assert_int_equal(r->elements, 3);
    assert_string_equal(r->element[1]->str, chan);
    assert_string_equal(r->element[2]->str, "{\"id\":\"ev-text\"}");
    freeReplyObject(r);

    json_decref(doc);
    redisFree(sub);
    redisFree(c);
    mm_result_store_free(s);
    free(prefix);
}

/* Kills the Redis connections named name; returns how many. */
static int kill_named(redisContext *c, const char *name) {
    char want[256];
    snprintf(want, sizeof want, "name=%s ", name);
    redisReply *r = redisCommand(c, "CLIENT LIST");
    assert_non_null(r);
    int killed = 0;
    for (char *line = r->str; line && *line;) {
        char *end = strchr(line, '\n');
        char *hit = strstr(line, want);
        if (hit && (!end || hit < end)) {
            redisReply *k = redisCommand(c, "CLIENT KILL ID %lld", atoll(strstr(line, "id=") + 3));
            killed += k && k->type == REDIS_REPLY_INTEGER ? (int)k->integer : 0;
            if (k) freeReplyObject(k);
        }
        line = end ? end + 1 : NULL;
    }
    freeReplyObject(r);
    return killed;
}

/* Batches of a worker's size go out in one write from a kept buffer: a
 * second batch after a much larger first one, and a batch after the
 * connection was killed (the write or the replies fail, the store
 * reconnects once and writes it again) are all stored. */
static void test_put_many_reuses_buffer_and_reconnects(void **state) {
    (void)state;
    char err[256], key[256];
    char *prefix = mm_test_unique_name("mm-results-batch");
    mm_result_store *s = mm_result_store_new(mm_test_redis_url(), prefix, 60, err, sizeof err);
    assert_non_null(s);
    redisContext *c = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(c);
    enum {
        N = 256
    };
    static mm_result_put items[N];
    static char ids[N][32];
    char *big = malloc(4001);
    memset(big, 'b', 4000);
    big[0] = '"', big[3999] = '"', big[4000] = '\0';
    for (int round = 0; round < 3; round++) {
        if (round == 2) {
            char name[200];
            snprintf(name, sizeof name, "%s-results", prefix);
            assert_int_equal(kill_named(c, name), 1);
        }
        /* An idle worker gives the kept buffer back; the next batch makes
         * a fresh one. */
        if (round == 1) mm_result_store_release_buffers(s);
        for (int i = 0; i < N; i++) {
            snprintf(ids[i], sizeof ids[i], "r%d-%d", round, i);
            items[i] = (mm_result_put){.event_id = ids[i], .text = round == 0 ? big : "\"small\""};
        }
        assert_int_equal(mm_result_store_put_many(s, items, N, err, sizeof err), 0);
        for (int i = 0; i < N; i += 51) {
            assert_int_equal(items[i].status, 0);
            assert_int_equal(mm_result_key(prefix, ids[i], key, sizeof key), 0);
            redisReply *r = redisCommand(c, "GET %s", key);
            assert_int_equal(r->type, REDIS_REPLY_STRING);
            assert_string_equal(r->str, round == 0 ? big : "\"small\"");
            freeReplyObject(r);
        }
    }
    free(big);
    redisFree(c);
    mm_result_store_free(s);
    free(prefix);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_many_mixed_items),
        cmocka_unit_test(test_put_many_reuses_buffer_and_reconnects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
