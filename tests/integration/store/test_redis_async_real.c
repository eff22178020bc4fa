/* test_redis_async_real.c -- the async Redis client against the run's real
 * Redis: commands from the loop thread and from other threads are answered
 * with their replies, a pool of connections shares them, and every
 * connection is named. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "mm_test.h"
#include "store/redis_async.h"

typedef struct answer {
    int calls;
    int status;
    int type;
    char str[256];
} answer;

static void on_answer(void *ud, int status, redisReply *reply, const char *err) {
    answer *a = ud;
    a->calls++;
    a->status = status;
    if (reply) {
        a->type = reply->type;
        if (reply->str)
            snprintf(a->str, sizeof a->str, "%.*s", (int)reply->len, reply->str);
        else if (reply->type == REDIS_REPLY_INTEGER)
            snprintf(a->str, sizeof a->str, "%lld", reply->integer);
    } else {
        snprintf(a->str, sizeof a->str, "%s", err);
    }
}

static void wait_all(uv_loop_t *loop, answer *a, int n) {
    long long end = mm_test_now_ms() + 5000;
    for (;;) {
        int done = 0;
        for (int i = 0; i < n; i++) done += a[i].calls;
        if (done == n || mm_test_now_ms() > end) break;
        uv_run(loop, UV_RUN_ONCE);
    }
}

static void test_round_trip(void **state) {
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    mm_redis_async_config cfg = {
        .url = mm_test_redis_url(), .connections = 3, .client_name = "mm-test-async"};
    mm_redis_async *r = mm_redis_async_new(&loop, &cfg, err, sizeof err);
    assert_non_null(r);
    long long end = mm_test_now_ms() + 5000;
    while (mm_redis_async_connected(r) < 3 && mm_test_now_ms() < end) uv_run(&loop, UV_RUN_ONCE);
    assert_int_equal(mm_redis_async_connected(r), 3);

    char *key = mm_test_unique_name("mm-test-async");
    answer a[40] = {{0}};
    assert_int_equal(mm_redis_async_command(r, 2000, on_answer, &a[0], 3,
                                            (const char *[]){"SET", key, "v1"}, NULL),
                     0);
    wait_all(&loop, a, 1);
    assert_int_equal(a[0].status, 0);
    assert_string_equal(a[0].str, "OK");
    /* many at once, from this thread and through submit */
    for (int i = 1; i < 20; i++)
        assert_int_equal(mm_redis_async_command(r, 2000, on_answer, &a[i], 2,
                                                (const char *[]){"GET", key}, NULL),
                         0);
    for (int i = 20; i < 40; i++)
        assert_int_equal(
            mm_redis_async_submit(r, 2000, on_answer, &a[i], 2, (const char *[]){"GET", key}, NULL),
            0);
    wait_all(&loop, a, 40);
    for (int i = 1; i < 40; i++) {
        assert_int_equal(a[i].calls, 1);
        assert_int_equal(a[i].status, 0);
        assert_string_equal(a[i].str, "v1");
    }
    /* an error reply is a reply, not a failure */
    answer e = {0};
    assert_int_equal(
        mm_redis_async_command(r, 2000, on_answer, &e, 2, (const char *[]){"INCR", key}, NULL), 0);
    wait_all(&loop, &e, 1);
    assert_int_equal(e.status, 0);
    assert_int_equal(e.type, REDIS_REPLY_ERROR);
    /* the connections carry their name */
    answer n = {0};
    assert_int_equal(mm_redis_async_command(r, 2000, on_answer, &n, 2,
                                            (const char *[]){"CLIENT", "GETNAME"}, NULL),
                     0);
    wait_all(&loop, &n, 1);
    assert_string_equal(n.str, "mm-test-async");
    answer d = {0};
    assert_int_equal(
        mm_redis_async_command(r, 2000, on_answer, &d, 2, (const char *[]){"DEL", key}, NULL), 0);
    wait_all(&loop, &d, 1);
    assert_string_equal(d.str, "1");
    mm_redis_async_stats st;
    mm_redis_async_get_stats(r, &st);
    assert_int_equal(st.timed_out, 0);
    assert_int_equal(st.replied, 43);
    mm_redis_async_free(r);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    free(key);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
