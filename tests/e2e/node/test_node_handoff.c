/* test_node_handoff.c -- worker retirements under synchronous load do not
 * stall the partition (issue 20), against the real Kafka broker and Redis.
 *
 * One node runs the count consumer of tests/e2e/node/mod_nodetest.c with
 * harakiri_limit 20; each event emits a NodeIdleEvent and stores its result,
 * which is published on the caller's reply_to channel. The test is that
 * caller: one closed loop of "produce the event, wait for its result" for
 * MMTEST_HANDOFF_SECONDS (default 10). Proves: no request took more than
 * 250 ms (1 s in a sanitized build, see MAX_REQUEST_MS) although a worker
 * retired every 20 events (the replacement rejoins
 * as the same static member, its producer warmed up before its first emit),
 * every request was answered, and several workers took part. Prints p50,
 * p99 and max; set MM_GREGOR to another gregor to measure it the same way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node_env.h"

#define REDIS_DB NODE_ENV_REDIS_DB
/* The bound. Under ASan (the tier `make test` runs e2e tests in),
 * with the suite running two tests at once on two cores, 1-2 of ~1,700
 * requests took 400-780 ms: scheduling, not a hand-off stall (those were
 * 1.1 s and more, at every retirement). The sanitized build checks 1 s,
 * which still catches every stall this test was written for; the Release
 * build (ctest --test-dir build) checks 250 ms. MMTEST_HANDOFF_MAX_MS
 * overrides. */
#if defined(__SANITIZE_ADDRESS__)
#define MAX_REQUEST_MS 1000
#else
#define MAX_REQUEST_MS 250
#endif

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* Runs a node (harakiri_limit `harakiri`) on bootstrap and one synchronous
 * client for `seconds`; asserts every request was answered within max_ms.
 * create: make the topics first (the dev broker auto-creates them instead). */
static void run(const char *bootstrap, int create, int harakiri, int seconds, long long max_ms,
                const char *label) {
    node_env env;
    node_env_setup(&env, "mmtest-handoff", bootstrap,
                   getenv("MMTEST_LOG_LEVEL") ? getenv("MMTEST_LOG_LEVEL") : "warn", "6000",
                   create ? 1 : 0);
    const char *w = env.web_topic, *t = env.topic;
    char *server = mm_test_unique_name("mmtest-handoff-server");
    setenv("MMTEST_NODE_SAVE", "1", 1);
    setenv("MMTEST_NODE_EMIT_TOPIC", t, 1); /* NodeIdleEvents: skipped by count */
    char err[256];
    mm_producer *producer = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(producer);
    if (!create) {
        /* The development broker creates a topic (4 partitions) on its first
         * message, and its admin API does not work; a consumer subscribed to
         * a topic that does not exist yet would not see it for minutes. */
        const char *both[] = {w, t};
        for (int k = 0; k < 2; k++) {
            mm_event ev;
            assert_int_equal(mm_event_create(&ev, "mmtest_node", "NodeIdleEvent", json_object()),
                             0);
            if (mm_producer_send_sync(producer, both[k], &ev, 10000, NULL, NULL, err, sizeof err))
                fail_msg("send: %s", err);
            mm_event_clear(&ev);
        }
    }

    char cfg_path[] = "/tmp/mmtest-handoff-XXXXXX";
    int fd = mkstemp(cfg_path);
    char cfg[256];
    snprintf(cfg, sizeof cfg,
             "mmtest_node:\n  count: {procs: 1, harakiri_limit: %d}\n  idle: {procs: 0}\n",
             harakiri);
    assert_int_equal(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(fd);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "handoff",
                    "--config",
                    cfg_path,
                    NULL};
    assert_int_equal(mm_test_child_spawn(&node, argv), 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);

    char host[128];
    int port;
    mm_test_redis_addr(host, sizeof host, &port);
    redisContext *sub = redisConnect(host, port);
    assert_true(sub && !sub->err);
    char chan[512];
    snprintf(chan, sizeof chan, "mm:done:%s", server);
    redisReply *r = redisCommand(sub, "SUBSCRIBE %s", chan);
    assert_non_null(r);
    freeReplyObject(r);
    struct timeval tv = {5, 0};
    redisSetTimeout(sub, tv);

    size_t cap = 200000, count = 0, lost = 0, warm = 0;
    long long *lat = calloc(cap, sizeof *lat);
    assert_non_null(lat);
    long long start = mm_test_now_ms(), end = start + seconds * 1000LL;
    for (int i = 0; count < cap && mm_test_now_ms() < end; i++) {
        mm_event ev;
        char id[512];
        assert_int_equal(
            mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)), 0);
        snprintf(id, sizeof id, "%s-%d", t, i);
        free(ev.id);
        ev.id = strdup(id);
        assert_int_equal(mm_event_set_reply_to(&ev, server), 0);
        long long t0 = mm_test_now_ms();
        if (mm_producer_send(producer, t, &ev, NULL, NULL, err, sizeof err))
            fail_msg("send: %s", err);
        mm_event_clear(&ev);
        int answered = node_env_wait_answer(sub, id); /* 0: 5 s without an answer */
        if (!answered) {
            lost++;
            redisFree(sub); /* the timed-out connection is unusable */
            sub = redisConnect(host, port);
            freeReplyObject(redisCommand(sub, "SUBSCRIBE %s", chan));
            redisSetTimeout(sub, tv);
            continue;
        }
        /* The very first request waits for the first worker to join. */
        if (i == 0) {
            warm = 1;
            continue;
        }
        lat[count++] = mm_test_now_ms() - t0;
        if (lat[count - 1] > max_ms / 2)
            print_message("slow request n=%d (n %% %d = %d): %lld ms\n", i, harakiri, i % harakiri,
                          lat[count - 1]);
    }
    qsort(lat, count, sizeof *lat, cmp_ll);
    long long p50 = count ? lat[count / 2] : -1, p99 = count ? lat[count * 99 / 100] : -1;
    long long max = count ? lat[count - 1] : -1;
    size_t over = 0;
    for (size_t i = 0; i < count; i++) over += lat[i] > max_ms;

    /* Workers that took part: distinct pids in the seen hash for our ids. */
    redisContext *c = redisConnect(host, port);
    freeReplyObject(redisCommand(c, "SELECT " REDIS_DB));
    r = redisCommand(c, "HGETALL mm:state:mmtest_node:seen");
    long long pids[4096];
    size_t npids = 0;
    for (size_t i = 0; r && i + 1 < r->elements; i += 2) {
        if (!strstr(r->element[i]->str, t)) continue;
        long long pid = atoll(r->element[i + 1]->str);
        size_t k = 0;
        while (k < npids && pids[k] != pid) k++;
        if (k == npids && npids < 4096) pids[npids++] = pid;
    }
    freeReplyObject(r);
    redisFree(c);
    redisFree(sub);
    print_message(
        "%s: harakiri(%d), 1 synchronous client, %d s: %zu requests (%.0f/s), %zu workers, "
        "p50 %lld ms, p99 %lld ms, max %lld ms, %zu over %lld ms, %zu unanswered\n",
        label, harakiri, seconds, count, count * 1000.0 / (double)(mm_test_now_ms() - start), npids,
        p50, p99, max, over, max_ms, lost);
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    unlink(cfg_path);
    mm_producer_free(producer);
    free(lat);
    free(server);
    assert_true(warm);
    assert_int_equal(lost, 0);
    assert_true(count >= (size_t)harakiri * 2);
    assert_true(npids >= 4); /* workers did retire and hand over */
    assert_true(max <= max_ms);
}

static int seconds(void) {
    const char *v = getenv("MMTEST_HANDOFF_SECONDS");
    return v && atoi(v) > 0 ? atoi(v) : 10;
}

static void test_harakiri_under_sync_load(void **state) {
    (void)state;
    const char *max = getenv("MMTEST_HANDOFF_MAX_MS");
    run(mm_test_kafka_bootstrap(), 1, 20, seconds(),
        max && atoll(max) > 0 ? atoll(max) : MAX_REQUEST_MS, "Kafka");
}

/* The same on `gregor broker` (librdkafka's mock cluster, the demo's
 * broker), harakiri 3: every call is answered within 3.5 s. The issue asks
 * for 2 s; librdkafka 2.0.2's mock cannot: a group whose member left waits
 * session.timeout.ms - 1 s before it lets the next one in, and the session
 * must exceed the mock's hard-coded 3 s first-join delay (docs/node.md).
 * Measured: max 2.5 s (it was 44-126 s with the 45 s default session). */
static void test_harakiri_on_dev_broker(void **state) {
    (void)state;
    mm_test_child broker;
    char *argv[] = {(char *)mm_test_gregor(), "broker", NULL};
    assert_int_equal(mm_test_child_spawn(&broker, argv), 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&broker, "bootstrap: ", line, sizeof line, 20000), 0);
    char bootstrap[256];
    snprintf(bootstrap, sizeof bootstrap, "%s", line);
    bootstrap[strcspn(bootstrap, "\r\n")] = '\0';
    run(bootstrap, 0, 3, seconds(), 3500, "gregor broker");
    assert_int_equal(mm_test_child_stop(&broker, SIGTERM, 20000), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harakiri_under_sync_load),
        cmocka_unit_test(test_harakiri_on_dev_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
