/* test_node_handoff.c -- worker retirements under synchronous load do not
 * stall the partition (issue 20), against the real Kafka broker and Redis.
 *
 * One node runs the count consumer of tests/e2e/node/mod_nodetest.c with
 * harakiri_limit 20; each event emits a NodeIdleEvent and stores its result,
 * which is published on the caller's reply_to channel. The test is that
 * caller: one closed loop of "produce the event, wait for its result" for
 * MMTEST_HANDOFF_SECONDS (default 10). Proves: no request took more than
 * 250 ms although a worker retired every 20 events (the replacement rejoins
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

#define REDIS_DB "7"
#define MAX_REQUEST_MS 250

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

static void test_harakiri_under_sync_load(void **state) {
    (void)state;
    char mod_so[1024], redis_url[256];
    snprintf(mod_so, sizeof mod_so, "%s/tests/mod_nodetest.so", mm_test_binary_dir());
    snprintf(redis_url, sizeof redis_url, "%s/" REDIS_DB, mm_test_redis_url());
    char *w = mm_test_unique_name("mmtest-handoff-web");
    char *t = mm_test_unique_name("mmtest-handoff");
    char *g = mm_test_unique_name("mmtest-handoff-group");
    char *server = mm_test_unique_name("mmtest-handoff-server");
    setenv("MM_SERVICE_WEB_TOPIC", w, 1);
    setenv("MMTEST_NODE_TOPIC", t, 1);
    setenv("MMTEST_NODE_GROUP", g, 1);
    setenv("MMTEST_NODE_SAVE", "1", 1);
    setenv("MMTEST_NODE_EMIT_TOPIC", t, 1); /* NodeIdleEvents: skipped by count */
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_LOG_LEVEL", "warn", 1);
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000", 1);
    setenv("MM_KEEP_APPS", "1", 1);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), w, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), t, 1), 0);
    char err[256];
    mm_producer *producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);

    char cfg_path[] = "/tmp/mmtest-handoff-XXXXXX";
    int fd = mkstemp(cfg_path);
    const char *cfg = "mmtest_node:\n  count: {procs: 1, harakiri_limit: 20}\n  idle: {procs: 0}\n";
    assert_int_equal(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(fd);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(), "node", "--app", mod_so, "--node-name", "handoff",
                    "--config", cfg_path, NULL};
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

    const char *secs_env = getenv("MMTEST_HANDOFF_SECONDS");
    int seconds = secs_env && atoi(secs_env) > 0 ? atoi(secs_env) : 10;
    size_t cap = 200000, count = 0, lost = 0, warm = 0;
    long long *lat = calloc(cap, sizeof *lat);
    assert_non_null(lat);
    long long start = mm_test_now_ms(), end = start + seconds * 1000LL;
    for (int i = 0; count < cap && mm_test_now_ms() < end; i++) {
        mm_event ev;
        char id[512];
        assert_int_equal(mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)), 0);
        snprintf(id, sizeof id, "%s-%d", t, i);
        free(ev.id);
        ev.id = strdup(id);
        assert_int_equal(mm_event_set_reply_to(&ev, server), 0);
        long long t0 = mm_test_now_ms();
        if (mm_producer_send(producer, t, &ev, NULL, NULL, err, sizeof err)) fail_msg("send: %s", err);
        mm_event_clear(&ev);
        int answered = 0;
        while (!answered) {
            void *reply = NULL;
            if (redisGetReply(sub, &reply) != REDIS_OK) break; /* 5 s without an answer */
            r = reply;
            json_t *doc = r->type == REDIS_REPLY_ARRAY && r->elements == 3 ? json_loads(r->element[2]->str, 0, NULL) : NULL;
            const char *src = json_string_value(json_object_get(doc, "sourceEventId"));
            answered = src && strcmp(src, id) == 0;
            json_decref(doc);
            freeReplyObject(r);
        }
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
    }
    qsort(lat, count, sizeof *lat, cmp_ll);
    long long p50 = count ? lat[count / 2] : -1, p99 = count ? lat[count * 99 / 100] : -1;
    long long max = count ? lat[count - 1] : -1;
    size_t over = 0;
    for (size_t i = 0; i < count; i++) over += lat[i] > MAX_REQUEST_MS;

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
    print_message("harakiri(20), 1 synchronous client, %d s: %zu requests (%.0f/s), %zu workers, "
                  "p50 %lld ms, p99 %lld ms, max %lld ms, %zu over %d ms, %zu unanswered\n",
                  seconds, count, count * 1000.0 / (double)(mm_test_now_ms() - start), npids, p50, p99,
                  max, over, MAX_REQUEST_MS, lost);
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    unlink(cfg_path);
    mm_producer_free(producer);
    free(lat);
    free(w), free(t), free(g), free(server);
    assert_true(warm);
    assert_int_equal(lost, 0);
    assert_true(count >= 100);
    assert_true(npids >= 5); /* workers did retire and hand over */
    assert_true(max <= MAX_REQUEST_MS);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_harakiri_under_sync_load),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
