/* test_state_deferred.c -- the state store's deferred writes (the worker's
 * pipelined loop) against a REAL Redis: commands are kept unsent until
 * mm_state_send_writes, a read or a flush; a large batch goes out in order
 * with binary-exact values (our own RESP, written straight to the socket);
 * a refused command and a lost connection are reported by the flush, and
 * the handle reconnects for the next writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "state_fixture.h"

static int setup(void **state) {
    (void)state;
    state_fixture_open();
    assert_int_equal(mm_state_defer_writes(st, 1), 0);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mm_state_defer_writes(st, 0);
    state_fixture_close();
    return 0;
}

/* The raw value of field f of the state hash k, or NULL. */
static char *raw_hget(const char *k, const char *f, size_t *len) {
    redisReply *r = redisCommand(raw, "HGET %s:state:forms:%s %s", prefix, k, f);
    assert_non_null(r);
    char *v = NULL;
    if (r->type == REDIS_REPLY_STRING) {
        v = malloc(r->len + 1);
        memcpy(v, r->str, r->len + 1);
        *len = r->len;
    }
    freeReplyObject(r);
    return v;
}

static void test_unsent_until_sent(void **state) {
    (void)state;
    json_t *v = json_pack("{s:s}", "name", "deferred");
    assert_int_equal(mm_state_hset(st, "forms", "a", v), 0);
    assert_int_equal(mm_state_set(st, "one", v, 0), 0);
    assert_int_equal(mm_state_pending_writes(st), 2);
    /* Unsent writes keep their buffer when asked to release it. */
    mm_state_release_buffers(st);
    assert_int_equal(mm_state_pending_writes(st), 2);
    size_t len = 0;
    /* Kept in the process until sent: Redis has nothing yet. */
    char *got = raw_hget("forms", "a", &len);
    assert_null(got);
    mm_state_send_writes(st);
    char err[256] = "";
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    assert_int_equal(mm_state_pending_writes(st), 0);
    got = raw_hget("forms", "a", &len);
    assert_non_null(got);
    assert_string_equal(got, "{\"name\":\"deferred\"}");
    free(got);
    /* Sent: the buffer goes; the next deferred write makes a fresh one. */
    mm_state_release_buffers(st);
    /* A read on the handle sees the writes before it (sent first). */
    assert_int_equal(mm_state_hdel(st, "forms", "a"), 0);
    assert_int_equal(mm_state_del(st, "one"), 0);
    json_t *back = NULL;
    assert_int_equal(mm_state_hget(st, "forms", "a", &back), MM_ENOTFOUND);
    assert_int_equal(mm_state_get(st, "one", &back), MM_ENOTFOUND);
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    json_decref(v);
}

static void test_large_batch_in_order(void **state) {
    (void)state;
    /* 3,000 writes of ~300 bytes (beyond the unsent bound: some go out
     * while appending), one 700 KB value (beyond what the buffer keeps),
     * then overwrites: the last write of each field must win. */
    char text[301];
    for (int i = 0; i < 300; i++) text[i] = (char)('a' + i % 26);
    text[300] = '\0';
    json_t *small = json_string(text);
    char *big_text = malloc(700001);
    for (int i = 0; i < 700000; i++) big_text[i] = (char)('A' + i % 26);
    big_text[700000] = '\0';
    json_t *big = json_string(big_text);
    char field[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(field, sizeof field, "f%d", i);
        assert_int_equal(mm_state_hset(st, "batch", field, i == 1500 ? big : small), 0);
    }
    json_t *last = json_string("last");
    assert_int_equal(mm_state_hset(st, "batch", "f7", last), 0);
    char err[256] = "";
    mm_state_send_writes(st);
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    redisReply *r = redisCommand(raw, "HLEN %s:state:forms:batch", prefix);
    assert_int_equal(r->integer, 3000);
    freeReplyObject(r);
    size_t len = 0;
    char *got = raw_hget("batch", "f1500", &len);
    assert_int_equal(len, 700002); /* the JSON string: quotes around it */
    assert_memory_equal(got + 1, big_text, 700000);
    free(got);
    got = raw_hget("batch", "f2999", &len);
    assert_int_equal(len, 302);
    assert_memory_equal(got + 1, text, 300);
    free(got);
    got = raw_hget("batch", "f7", &len);
    assert_string_equal(got, "\"last\"");
    free(got);
    /* And again with the buffer released and regrown. */
    assert_int_equal(mm_state_hset(st, "batch", "f8", last), 0);
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    got = raw_hget("batch", "f8", &len);
    assert_string_equal(got, "\"last\"");
    free(got);
    json_decref(small);
    json_decref(big);
    json_decref(last);
    free(big_text);
}

static void test_refused_write_reported(void **state) {
    (void)state;
    json_t *v = json_integer(1);
    assert_int_equal(mm_state_set(st, "plain", v, 0), 0);
    /* HSET on a string: WRONGTYPE, known only when the replies are read. */
    assert_int_equal(mm_state_hset(st, "plain", "x", v), 0);
    assert_int_equal(mm_state_hset(st, "fine", "x", v), 0);
    char err[256] = "";
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), MM_EREDIS);
    assert_non_null(strstr(err, "WRONGTYPE"));
    /* The next flush starts clean. */
    assert_int_equal(mm_state_hset(st, "fine", "y", v), 0);
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    json_decref(v);
}

/* Kills the state handle's connection (named <prefix>-state-forms). */
static void kill_state_connection(void) {
    char name[160];
    snprintf(name, sizeof name, "name=%s-state-forms ", prefix);
    redisReply *r = redisCommand(raw, "CLIENT LIST");
    assert_non_null(r);
    assert_int_equal(r->type, REDIS_REPLY_STRING);
    long long id = -1;
    for (char *line = r->str; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        char *end = strchr(line, '\n');
        char *hit = strstr(line, name);
        if (hit && (!end || hit < end)) id = atoll(strstr(line, "id=") + 3);
    }
    freeReplyObject(r);
    assert_true(id >= 0);
    r = redisCommand(raw, "CLIENT KILL ID %lld", id);
    assert_non_null(r);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
}

static void test_lost_connection_reported_then_reconnects(void **state) {
    (void)state;
    json_t *v = json_integer(2);
    json_t *back = NULL;
    /* A read first, so the handle's connection exists and is named. */
    assert_int_equal(mm_state_get(st, "none", &back), MM_ENOTFOUND);
    kill_state_connection();
    assert_int_equal(mm_state_hset(st, "h", "lost", v), 0);
    char err[256] = "";
    assert_int_not_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    assert_true(err[0] != '\0');
    /* The next writes reopen the connection and land. */
    assert_int_equal(mm_state_hset(st, "h", "kept", v), 0);
    assert_int_equal(mm_state_flush_writes(st, err, sizeof err), 0);
    size_t len = 0;
    char *got = raw_hget("h", "kept", &len);
    assert_non_null(got);
    assert_string_equal(got, "2");
    free(got);
    json_decref(v);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unsent_until_sent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_large_batch_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_write_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lost_connection_reported_then_reconnects, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
