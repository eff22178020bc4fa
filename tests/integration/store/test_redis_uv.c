/* test_redis_uv.c -- hiredis's asynchronous API on a libuv loop through
 * store/redis_uv.c, against the run's real Redis: a thousand pipelined
 * commands and a 2 MiB value (many partial reads and writes, so the glue
 * turns write interest on and off) all answered; a connection killed by
 * the server ends in the disconnect callback; one dropped from inside a
 * reply callback and one freed while commands wait are cleaned up (ASan
 * checks the glue is freed); a second attach is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <uv.h>

#include "mm_test.h"
#include "store/redis_conn.h"
#include "store/redis_url.h"
#include "store/redis_uv.h"

typedef struct seen {
    int replies, errors, disconnects, disconnect_status;
    long long id; /* the last integer reply */
    size_t big_len;
    redisAsyncContext *drop_on_reply; /* disconnect from inside this reply */
} seen;

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    seen *s = privdata;
    redisReply *r = reply;
    if (r == NULL) {
        s->errors++;
        return;
    }
    if (r->type == REDIS_REPLY_STRING && r->len > 1000) s->big_len = r->len;
    if (r->type == REDIS_REPLY_INTEGER) s->id = r->integer;
    s->replies++;
    if (s->drop_on_reply == ac) {
        s->drop_on_reply = NULL;
        redisAsyncDisconnect(ac);
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    seen *s = ac->data;
    s->disconnects++;
    s->disconnect_status = status;
}

static redisAsyncContext *open_on(uv_loop_t *loop, seen *s) {
    char err[256];
    mm_redis_url url;
    assert_int_equal(mm_redis_url_parse(mm_test_redis_url(), &url, err, sizeof err), 0);
    redisAsyncContext *ac =
        url.is_unix ? redisAsyncConnectUnix(url.path) : redisAsyncConnect(url.host, url.port);
    assert_non_null(ac);
    assert_int_equal(ac->err, 0);
    assert_int_equal(mm_redis_uv_attach(ac, loop), REDIS_OK);
    assert_int_equal(mm_redis_uv_attach(ac, loop), REDIS_ERR); /* once */
    ac->data = s;
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    return ac;
}

/* Runs loop until done() or 10 s pass. */
static void run_until(uv_loop_t *loop, int (*done)(const seen *), const seen *s) {
    long long end = mm_test_now_ms() + 10000;
    while (!done(s) && mm_test_now_ms() < end) uv_run(loop, UV_RUN_NOWAIT);
}

static int all_replied(const seen *s) { return s->replies + s->errors >= 1003; }
static int disconnected(const seen *s) { return s->disconnects > 0; }

static void test_pipelined_and_large(void **state) {
    (void)state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    seen s = {0};
    redisAsyncContext *ac = open_on(&loop, &s);
    char *key = mm_test_unique_name("mmt:uv");
    size_t big = 2u << 20;
    char *value = malloc(big);
    assert_non_null(value);
    memset(value, 'v', big);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "PING"), REDIS_OK);
    assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "SET %s %b EX 60", key, value, big),
                     REDIS_OK);
    assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "GET %s", key), REDIS_OK);
    assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "DEL %s", key), REDIS_OK);
    run_until(&loop, all_replied, &s);
    assert_int_equal(s.errors, 0);
    assert_int_equal(s.replies, 1003);
    assert_int_equal(s.big_len, big);

    /* Dropped from inside a reply callback. */
    s.drop_on_reply = ac;
    assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "PING"), REDIS_OK);
    run_until(&loop, disconnected, &s);
    assert_int_equal(s.disconnects, 1);
    assert_int_equal(s.disconnect_status, REDIS_OK);
    uv_run(&loop, UV_RUN_DEFAULT); /* the glue's handle closes */
    assert_int_equal(uv_loop_close(&loop), 0);
    free(value);
    free(key);
}

static void test_killed_and_freed(void **state) {
    (void)state;
    char err[256];
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    seen s = {0};
    redisAsyncContext *ac = open_on(&loop, &s);
    assert_int_equal(redisAsyncCommand(ac, on_reply, &s, "CLIENT ID"), REDIS_OK);
    long long end = mm_test_now_ms() + 5000;
    while (s.replies < 1 && mm_test_now_ms() < end) uv_run(&loop, UV_RUN_NOWAIT);
    assert_int_equal(s.replies, 1);
    assert_true(s.id > 0);
    /* The server closes it (this one client only: the Redis is shared). */
    redisContext *admin = mm_redis_connect_url(mm_test_redis_url(), 5000, NULL, err, sizeof err);
    assert_non_null(admin);
    redisReply *r = redisCommand(admin, "CLIENT KILL ID %lld", s.id);
    assert_non_null(r);
    assert_int_equal(r->integer, 1);
    freeReplyObject(r);
    run_until(&loop, disconnected, &s);
    assert_int_equal(s.disconnects, 1);
    assert_int_equal(s.disconnect_status, REDIS_ERR);
    uv_run(&loop, UV_RUN_DEFAULT);

    /* Freed while a command waits: its callback gets NULL, nothing leaks. */
    seen t = {0};
    ac = open_on(&loop, &t);
    assert_int_equal(redisAsyncCommand(ac, on_reply, &t, "BLPOP %s 5", "mmt:uv:never"), REDIS_OK);
    for (int i = 0; i < 20; i++) uv_run(&loop, UV_RUN_NOWAIT);
    redisAsyncFree(ac);
    assert_int_equal(t.errors, 1);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    redisFree(admin);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_and_large),
        cmocka_unit_test(test_killed_and_freed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
