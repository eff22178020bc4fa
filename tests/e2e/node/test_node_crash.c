/* test_node_crash.c -- a handler that segfaults on one event, under `gregor
 * node`, against the real Kafka broker and Redis of the test run (issue 20).
 *
 * Proves: the supervisor logs the signal and the event id the worker was
 * handling; the event's synchronous caller (its reply_to channel) gets an
 * error result with code WORKER_CRASHED within about a second of the event
 * being produced; after 3 crashes the 4th worker does not call the handler
 * but dead-letters the event (reason "crashed 3 workers") and the good event
 * behind it is handled; ConsumerProcessFinished says "crash" three times.
 * The test service is tests/e2e/node/mod_nodetest.c (MMTEST_NODE_CRASH_N). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node_env.h"

static node_env env;
static mm_producer *producer;

/* Produces NodeTestEvent {n} with id "<topic>-<n>" and reply_to (may be NULL). */
static void produce(int n, const char *reply_to) {
    mm_event ev;
    char err[256], id[512];
    assert_int_equal(
        mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", n)), 0);
    snprintf(id, sizeof id, "%s-%d", env.topic, n);
    free(ev.id);
    ev.id = strdup(id);
    if (reply_to) assert_int_equal(mm_event_set_reply_to(&ev, reply_to), 0);
    if (mm_producer_send_sync(producer, env.topic, &ev, 20000, NULL, NULL, err, sizeof err))
        fail_msg("send: %s", err);
    mm_event_clear(&ev);
}

/* Whether the count consumer handled event n (its id is in the "seen" hash). */
static int seen(int n) {
    char id[512];
    snprintf(id, sizeof id, "%s-%d", env.topic, n);
    redisContext *c = node_env_redis();
    redisReply *r = redisCommand(c, "HEXISTS mm:state:mmtest_node:seen %s", id);
    int yes = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    redisFree(c);
    return yes;
}

static int wait_seen(int n, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    while (!seen(n) && mm_test_now_ms() < deadline) usleep(100 * 1000);
    return seen(n);
}

/* The first message on <topic>.dlq within timeout_ms: its mm_dlq_reason
 * header and ce_id into the buffers; 0 when found. */
static int read_dlq(char *reason, size_t rsize, char *id, size_t isize, int timeout_ms) {
    char err[256], dlq[300];
    snprintf(dlq, sizeof dlq, "%s.dlq", env.topic);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "unused", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, dlq, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    long long deadline = mm_test_now_ms() + timeout_ms;
    int found = -1;
    while (found && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        rd_kafka_headers_t *h = NULL;
        const void *v;
        size_t len;
        if (!m->err && rd_kafka_message_headers(m, &h) == 0) {
            if (rd_kafka_header_get_last(h, "mm_dlq_reason", &v, &len) == 0)
                snprintf(reason, rsize, "%.*s", (int)len, (const char *)v);
            if (rd_kafka_header_get_last(h, "ce_id", &v, &len) == 0)
                snprintf(id, isize, "%.*s", (int)len, (const char *)v);
            found = 0;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return found;
}

/* Reads the whole file at path (malloc'd). */
static char *slurp(const char *path) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *buf = calloc(1, 1 << 20);
    size_t n = fread(buf, 1, (1 << 20) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_segfaulting_handler(void **state) {
    (void)state;
    node_env_setup(&env, "mmtest-crash", mm_test_kafka_bootstrap(), "info", "6000", 1);
    char *server = mm_test_unique_name("mmtest-crash-server");
    setenv("MMTEST_NODE_CRASH_N", "1", 1);
    setenv("MMTEST_NODE_SAVE", "1", 1);
    char dlq[300];
    snprintf(dlq, sizeof dlq, "%s.dlq", env.topic);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), dlq, 1), 0);
    char err[256];
    producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);

    /* The node's log goes to a file we read afterwards. */
    char log_path[] = "/tmp/mmtest-crash-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    assert_true(log_fd >= 0);
    char cfg_path[] = "/tmp/mmtest-crash-cfg-XXXXXX";
    int cfg_fd = mkstemp(cfg_path);
    const char *cfg = "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n";
    assert_int_equal(write(cfg_fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(cfg_fd);
    /* Under ASan a crashing worker symbolizes its report before it dies,
     * which can take seconds on a loaded machine: the node answers the
     * caller when the worker has died, so keep the report short. */
    const char *asan = getenv("ASAN_OPTIONS");
    char asan_fast[512];
    snprintf(asan_fast, sizeof asan_fast, "%s%ssymbolize=0", asan ? asan : "",
             asan && asan[0] ? ":" : "");
    setenv("ASAN_OPTIONS", asan_fast, 1);
    int saved = dup(2);
    dup2(log_fd, 2);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "crashnode",
                    "--config",
                    cfg_path,
                    NULL};
    int rc = mm_test_child_spawn(&node, argv);
    dup2(saved, 2);
    close(saved);
    if (asan)
        setenv("ASAN_OPTIONS", asan, 1);
    else
        unsetenv("ASAN_OPTIONS");
    assert_int_equal(rc, 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);

    /* A good event first: the worker is in its group and consuming. */
    produce(0, NULL);
    assert_true(wait_seen(0, 30000));

    /* The poison event, with a synchronous caller listening on its channel. */
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
    struct timeval tv = {10, 0};
    redisSetTimeout(sub, tv);
    long long t0 = mm_test_now_ms();
    produce(1, server);
    produce(2, NULL);
    void *reply = NULL;
    assert_int_equal(redisGetReply(sub, &reply), REDIS_OK);
    long long answered_ms = mm_test_now_ms() - t0;
    r = reply;
    assert_true(r->type == REDIS_REPLY_ARRAY && r->elements == 3);
    json_t *doc = json_loads(r->element[2]->str, 0, NULL);
    assert_non_null(doc);
    json_t *e = json_object_get(doc, "error");
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "error");
    assert_string_equal(json_string_value(json_object_get(e, "code")), "WORKER_CRASHED");
    char want_id[512];
    snprintf(want_id, sizeof want_id, "%s-1", env.topic);
    assert_string_equal(json_string_value(json_object_get(doc, "sourceEventId")), want_id);
    print_message("caller answered WORKER_CRASHED %lld ms after the event was produced\n",
                  answered_ms);
    assert_true(answered_ms < 2000);
    json_decref(doc);
    freeReplyObject(r);
    redisFree(sub);

    /* Three crashes, then the 4th worker dead-letters it; event 2 is handled. */
    char reason[256] = "", dlq_id[512] = "";
    assert_int_equal(read_dlq(reason, sizeof reason, dlq_id, sizeof dlq_id, 60000), 0);
    assert_string_equal(reason, "crashed 3 workers");
    assert_string_equal(dlq_id, want_id);
    assert_true(wait_seen(2, 30000));
    assert_false(seen(1));
    /* The stored result names the crash too. */
    redisContext *c = node_env_redis();
    r = redisCommand(c, "GET mm:result:%s", want_id);
    assert_true(r && r->type == REDIS_REPLY_STRING);
    assert_non_null(strstr(r->str, "WORKER_CRASHED"));
    freeReplyObject(r);
    redisFree(c);

    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    char *log = slurp(log_path);
    char want[700];
    snprintf(want, sizeof want, "died of signal %d", SIGSEGV);
    int segv = strstr(log, want) != NULL;
    snprintf(want, sizeof want, "died of signal %d", SIGABRT); /* ASan reports, then aborts */
    int abrt = strstr(log, want) != NULL;
    /* (ASan without abort_on_error reports the fault and exits 1 instead.) */
    int asan_exit = strstr(log, "exited with status 1") != NULL && strstr(log, "Sanitizer") != NULL;
    if (!segv && !abrt && !asan_exit) fail_msg("no 'died of signal' in the node's log:\n%s", log);
    snprintf(want, sizeof want, "while handling event %s", want_id);
    assert_non_null(strstr(log, want));
    assert_non_null(strstr(log, "crash 3 of 3 allowed for this event"));
    assert_non_null(strstr(log, "event dead-lettered: crashed 3 workers"));
    free(log);
    unlink(log_path);
    unlink(cfg_path);
    close(log_fd);
    mm_producer_free(producer);
    free(server);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_segfaulting_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
