/* test_redis_async.c -- the async Redis client's deadlines and bounds, against
 * in-process stand-ins for a broken Redis: a socket that accepts connections
 * and never answers (what a SIGSTOPped Redis looks like), and a port nobody
 * listens on. No real Redis is needed: a hung one is the point. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "store/redis_async.h"

/* A listening socket nobody accepts on: the kernel completes TCP handshakes
 * (the backlog), so connects succeed and commands are never answered. */
static int mute_server(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 64), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A port that was just free: connections are refused. */
static int dead_port(void) {
    int port;
    int fd = mute_server(&port);
    close(fd);
    return port;
}

typedef struct answer {
    int calls;
    int status;
    char err[256];
    uint64_t at_ns;
    pthread_t thread;
} answer;

static void on_answer(void *ud, int status, redisReply *reply, const char *err) {
    answer *a = ud;
    a->calls++;
    a->status = status;
    a->at_ns = uv_hrtime();
    a->thread = pthread_self();
    snprintf(a->err, sizeof a->err, "%s", err ? err : "");
    if (status == 0)
        assert_non_null(reply);
    else
        assert_null(reply);
}

/* Runs the loop until *done or limit_ms passes. */
static void run_until(uv_loop_t *loop, const int *done, int limit_ms) {
    uint64_t end = uv_hrtime() + (uint64_t)limit_ms * 1000000u;
    while (!*done && uv_hrtime() < end) uv_run(loop, UV_RUN_ONCE);
}

static void close_client(uv_loop_t *loop, mm_redis_async *r) {
    mm_redis_async_free(r);
    uv_run(loop, UV_RUN_DEFAULT); /* until every handle is closed */
    assert_int_equal(uv_loop_close(loop), 0);
}

/* A hung Redis: the command is answered with MM_ETIMEDOUT at its deadline,
 * not later, and the client drops that connection and opens a new one. */
static void test_deadline_on_hung_server(void **state) {
    (void)state;
    int port;
    int fd = mute_server(&port);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    mm_redis_async_config cfg = {.url = url, .connections = 1, .reconnect_min_ms = 50};
    mm_redis_async *r = mm_redis_async_new(&loop, &cfg, err, sizeof err);
    assert_non_null(r);
    int up = 0;
    for (int i = 0; i < 200 && !up; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        up = mm_redis_async_connected(r) == 1;
        usleep(5000);
    }
    assert_true(up);

    answer a = {0};
    /* The loop's cached clock is now 100 ms old: a deadline timed from it
     * alone would fire ~100 ms early (a loaded run saw < 190 ms). */
    usleep(100 * 1000);
    uint64_t start = uv_hrtime();
    assert_int_equal(
        mm_redis_async_command(r, 200, on_answer, &a, 2, (const char *[]){"GET", "k"}, NULL), 0);
    assert_int_equal(a.calls, 0); /* never answered from inside the call */
    int done = 0;
    while (!done && uv_hrtime() - start < 3000000000ull) {
        uv_run(&loop, UV_RUN_ONCE);
        done = a.calls > 0;
    }
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, MM_ETIMEDOUT);
    uint64_t took_ms = (a.at_ns - start) / 1000000u;
    assert_true(took_ms >= 200); /* never early */
    assert_true(took_ms < 700);

    /* the stalled connection was dropped: it comes back (and is counted) */
    mm_redis_async_stats st;
    for (int i = 0; i < 400; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        mm_redis_async_get_stats(r, &st);
        if (st.reconnects >= 1 && mm_redis_async_connected(r) == 1) break;
        usleep(5000);
    }
    mm_redis_async_get_stats(r, &st);
    assert_int_equal(st.timed_out, 1);
    assert_true(st.reconnects >= 1);
    assert_int_equal(mm_redis_async_connected(r), 1);

    /* a second command on the fresh connection also ends at its deadline */
    answer b = {0};
    assert_int_equal(
        mm_redis_async_command(r, 100, on_answer, &b, 1, (const char *[]){"PING"}, NULL), 0);
    run_until(&loop, &b.calls, 3000);
    assert_int_equal(b.calls, 1);
    assert_int_equal(b.status, MM_ETIMEDOUT);
    assert_int_equal(a.calls, 1); /* answered once, ever */
    close_client(&loop, r);
    close(fd);
}

/* Nobody listens: once the connections have failed, commands fail at once
 * instead of waiting for their deadlines. */
static void test_refused_fails_fast(void **state) {
    (void)state;
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", dead_port());
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    mm_redis_async_config cfg = {.url = url,
                                 .connections = 2,
                                 .connect_timeout_ms = 100,
                                 .reconnect_min_ms = 50,
                                 .reconnect_max_ms = 50};
    mm_redis_async *r = mm_redis_async_new(&loop, &cfg, err, sizeof err);
    assert_non_null(r);
    /* the first attempts fail (at the latest at their connect deadline) */
    for (int i = 0; i < 150; i++) uv_run(&loop, UV_RUN_NOWAIT), usleep(2000);
    answer a = {0};
    int rc = mm_redis_async_command(r, 5000, on_answer, &a, 1, (const char *[]){"PING"}, NULL);
    assert_int_equal(rc, MM_EREDIS);
    assert_int_equal(a.calls, 0);
    close_client(&loop, r);
}

/* Commands waiting for a connection are bounded in bytes: past the bound
 * they are refused with MM_ELIMIT, the others end at their deadline, and
 * closing the client answers what is left. */
static void test_queue_bound_and_close(void **state) {
    (void)state;
    int port;
    int fd = mute_server(&port);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    /* one connection with room for one command: the rest wait */
    mm_redis_async_config cfg = {
        .url = url, .connections = 1, .max_inflight = 1, .max_queued_bytes = 200};
    mm_redis_async *r = mm_redis_async_new(&loop, &cfg, err, sizeof err);
    assert_non_null(r);
    for (int i = 0; i < 200 && mm_redis_async_connected(r) == 0; i++)
        uv_run(&loop, UV_RUN_NOWAIT), usleep(5000);
    assert_int_equal(mm_redis_async_connected(r), 1);
    answer a[10] = {{0}};
    int accepted = 0, limited = 0;
    for (int i = 0; i < 10; i++) {
        int rc = mm_redis_async_command(r, 60000, on_answer, &a[i], 2,
                                        (const char *[]){"GET", "a-key-of-some-length-0123456789"},
                                        NULL);
        if (rc == 0)
            accepted++;
        else if (rc == MM_ELIMIT)
            limited++;
        else
            fail_msg("unexpected rc %d", rc);
    }
    assert_true(accepted >= 2);
    assert_true(limited >= 1);
    assert_int_equal(accepted + limited, 10);
    close_client(&loop, r);
    for (int i = 0; i < 10; i++) {
        if (i < accepted) {
            assert_int_equal(a[i].calls, 1);
            assert_int_equal(a[i].status, MM_EREDIS);
        } else {
            assert_int_equal(a[i].calls, 0);
        }
    }
    close(fd);
}

typedef struct submitter {
    mm_redis_async *r;
    answer *a;
    int rc;
} submitter;

static void *submit_main(void *arg) {
    submitter *s = arg;
    s->rc = mm_redis_async_submit(s->r, 150, on_answer, s->a, 1, (const char *[]){"PING"}, NULL);
    return NULL;
}

/* Another thread hands a command over; its answer (the deadline) arrives on
 * the loop thread. */
static void test_submit_from_another_thread(void **state) {
    (void)state;
    int port;
    int fd = mute_server(&port);
    char url[64];
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256];
    mm_redis_async_config cfg = {.url = url, .connections = 1};
    mm_redis_async *r = mm_redis_async_new(&loop, &cfg, err, sizeof err);
    assert_non_null(r);
    for (int i = 0; i < 200 && mm_redis_async_connected(r) == 0; i++)
        uv_run(&loop, UV_RUN_NOWAIT), usleep(5000);
    answer a = {0};
    submitter s = {r, &a, -100};
    pthread_t t;
    pthread_create(&t, NULL, submit_main, &s);
    pthread_join(t, NULL);
    assert_int_equal(s.rc, 0);
    run_until(&loop, &a.calls, 3000);
    assert_int_equal(a.calls, 1);
    assert_int_equal(a.status, MM_ETIMEDOUT);
    assert_true(pthread_equal(a.thread, pthread_self()));
    close_client(&loop, r);
    close(fd);
}

static void test_bad_url(void **state) {
    (void)state;
    uv_loop_t loop;
    uv_loop_init(&loop);
    char err[256] = "";
    mm_redis_async_config cfg = {.url = "http://nope"};
    assert_null(mm_redis_async_new(&loop, &cfg, err, sizeof err));
    assert_true(err[0] != '\0');
    assert_int_equal(uv_loop_close(&loop), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deadline_on_hung_server),
        cmocka_unit_test(test_refused_fails_fast),
        cmocka_unit_test(test_queue_bound_and_close),
        cmocka_unit_test(test_submit_from_another_thread),
        cmocka_unit_test(test_bad_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
