/* test_dlq.c -- `gregor dlq` end to end against the real Kafka and Redis:
 * poison events dead-lettered by a real `gregor worker` of a test service
 * (tests/e2e/cli/mod_dlqtest.c), listed and shown, replayed to the still
 * broken consumer (which dead-letters them again with mm_dlq_replays = 1),
 * refused by the replay-loop guard, then replayed to the fixed deployment
 * and handled (asserted in Redis); purge moves a group's committed offsets
 * and is refused for a group with members; hostile input gets a clear
 * answer and the right exit status. A second story: under `gregor node`,
 * an event that crashes its handler is dead-lettered after 3 crashes, and
 * the replay count survives that path too (the loop guard refuses it).
 *
 * The first test is one function on purpose: its steps are one story over
 * one topic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/envelope.h"
#include "mm_test.h"

static char svc[128], dlq[160], group[160], so[1024];

/* ---- Kafka helpers -------------------------------------------------------- */

/* Produces one message (headers may be NULL; taken over) and waits for it. */
static void produce(const char *topic, const char *key, const void *value, size_t len,
                    rd_kafka_headers_t *headers) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err),
        RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, key ? strlen(key) : 0),
        RD_KAFKA_V_VALUE((void *)value, len), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(headers ? headers : rd_kafka_headers_new(0)), RD_KAFKA_V_END);
    assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_flush(rk, 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
}

/* Produces an event of type with data {"n": n} to the service topic. */
static void produce_event(const char *type, int n) {
    mm_event ev;
    mm_event_init(&ev);
    assert_int_equal(mm_event_create(&ev, svc, type, json_pack("{s:i}", "n", n)), 0);
    rd_kafka_headers_t *h = NULL;
    char *payload = NULL;
    size_t len = 0;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), 0);
    produce(svc, ev.id, payload, len, h);
    free(payload);
    mm_event_clear(&ev);
}

static long long high_watermark(const char *topic) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    int64_t lo = -1, hi = -1;
    assert_int_equal(rd_kafka_query_watermark_offsets(rk, topic, 0, &lo, &hi, 10000),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    return hi;
}

static void wait_high(const char *topic, long long want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms, hi = -1;
    while (mm_test_now_ms() < deadline) {
        hi = high_watermark(topic);
        if (hi >= want) break;
        usleep(200 * 1000);
    }
    if (hi != want) fail_msg("%s: high watermark %lld, expected %lld", topic, hi, want);
}

/* ---- Redis ---------------------------------------------------------------- */

/* How many times "<type>:<n>" is in the service's "handled" list. */
static int handled_count(const char *entry) {
    char host[256];
    int port;
    mm_test_redis_addr(host, sizeof host, &port);
    redisContext *c = redisConnect(host, port);
    assert_true(c && !c->err);
    redisReply *keys = redisCommand(c, "KEYS *:state:%s:handled", svc);
    assert_non_null(keys);
    int count = 0;
    char want[160];
    snprintf(want, sizeof want, "\"%s\"", entry); /* list elements are JSON */
    for (size_t k = 0; keys->type == REDIS_REPLY_ARRAY && k < keys->elements; k++) {
        redisReply *r = redisCommand(c, "LRANGE %s 0 -1", keys->element[k]->str);
        for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
            count += strcmp(r->element[i]->str, want) == 0;
        freeReplyObject(r);
    }
    freeReplyObject(keys);
    redisFree(c);
    return count;
}

static void wait_handled(const char *entry, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    while (mm_test_now_ms() < deadline && handled_count(entry) == 0) usleep(200 * 1000);
    if (handled_count(entry) == 0) fail_msg("%s was never handled", entry);
}

/* ---- gregor --------------------------------------------------------------- */

static void spawn_worker(mm_test_child *w, int fixed) {
    setenv("MM_DLQTEST_FIXED", fixed ? "1" : "0", 1);
    char *argv[] = {(char *)mm_test_gregor(), "worker", "--app", so, "--consumer", "handle", NULL};
    assert_int_equal(mm_test_child_spawn(w, argv), 0);
}

/* Runs `gregor dlq ARGS...` (NULL-terminated); returns the exit status and
 * the captured output (free both). */
static int dlq_run(char **out, char **err, ...) {
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)mm_test_gregor();
    argv[n++] = "dlq";
    va_list ap;
    va_start(ap, err);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && n < 31) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    int st = mm_test_run(argv, out, err, 60000);
    fprintf(stderr, "$ gregor dlq");
    for (int i = 2; i < n; i++) fprintf(stderr, " %s", argv[i]);
    fprintf(stderr, "  -> %d\n%s%s", st, *out, *err);
    return st;
}

static json_t *dlq_json(int want_status, ...) {
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)mm_test_gregor();
    argv[n++] = "dlq";
    va_list ap;
    va_start(ap, want_status);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && n < 30) argv[n++] = a;
    va_end(ap);
    argv[n++] = "--json";
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    int st = mm_test_run(argv, &out, &err, 60000);
    json_error_t je;
    json_t *doc = json_loads(out, 0, &je);
    if (st != want_status || !doc)
        fail_msg("gregor dlq %s: status %d (want %d), stdout '%s', stderr '%s'", argv[2], st,
                 want_status, out, err);
    free(out);
    free(err);
    return doc;
}

static const char *jpath_str(json_t *o, const char *key) {
    return json_string_value(json_object_get(o, key));
}
static long long jpath_int(json_t *o, const char *key) {
    return (long long)json_integer_value(json_object_get(o, key));
}

/* ---- the story ------------------------------------------------------------- */

/* Unique service (= topic), DLQ and group names; the environment of the
 * gregor processes; both topics created. */
static void setup_service(const char *prefix) {
    char *name = mm_test_unique_name(prefix);
    snprintf(svc, sizeof svc, "%s", name);
    free(name);
    for (char *p = svc; *p; p++)
        if (*p == '-') *p = '_';
    snprintf(dlq, sizeof dlq, "%s.dlq", svc);
    snprintf(group, sizeof group, "%s_g", svc);
    snprintf(so, sizeof so, "%s/tests/mod_dlqtest.so", mm_test_binary_dir());
    char redis_url[300];
    snprintf(redis_url, sizeof redis_url, "%s", mm_test_redis_url());
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_LOG_LEVEL", "warn", 1);
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000", 1);
    setenv("MM_KEEP_APPS", "1", 1);
    setenv("MM_DLQTEST_SERVICE", svc, 1);
    setenv("MM_DLQTEST_GROUP", group, 1);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), svc, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), dlq, 1), 0);
}

static void test_dlq_round_trip(void **state) {
    (void)state;
    setup_service("mmdlq");
    unsetenv("MM_DLQTEST_CRASH_N");

    /* 1. The broken deployment: GoodEvents handled, LateEvents (a type it
     *    does not know) and a garbage message dead-lettered. */
    produce_event("GoodEvent", 1);
    produce_event("LateEvent", 10);
    produce_event("GoodEvent", 2);
    produce_event("LateEvent", 11);
    static const char garbage[] = "\xff\xfe not json";
    produce(svc, "junk", garbage, sizeof garbage - 1, NULL);
    mm_test_child w;
    spawn_worker(&w, 0);
    wait_high(dlq, 3, 60000);
    wait_handled("GoodEvent:2", 30000);
    assert_int_equal(handled_count("LateEvent:10"), 0);
    assert_int_equal(mm_test_child_stop(&w, SIGTERM, 15000), 0);

    /* 2. list: three dead letters, counts by reason, events decoded. */
    json_t *doc = dlq_json(0, "list", "--topic", svc, NULL);
    assert_int_equal(jpath_int(doc, "count"), 3);
    json_t *by = json_object_get(doc, "byReason");
    assert_int_equal(json_integer_value(json_object_get(by, "unknown event type \"LateEvent\"")),
                     2);
    assert_int_equal(json_object_size(by), 2);
    json_t *msgs = json_object_get(doc, "messages");
    long long late_offsets[2], junk_offset = -1;
    int nlate = 0;
    size_t i;
    json_t *m;
    json_array_foreach(msgs, i, m) {
        assert_string_equal(jpath_str(m, "sourceTopic"), svc);
        assert_int_equal(jpath_int(m, "replays"), 0);
        assert_string_equal(jpath_str(m, "group"), group);
        if (jpath_str(m, "eventType") && strcmp(jpath_str(m, "eventType"), "LateEvent") == 0) {
            assert_non_null(jpath_str(m, "eventId"));
            late_offsets[nlate++] = jpath_int(m, "offset");
        } else {
            assert_null(jpath_str(m, "eventType"));
            assert_non_null(jpath_str(m, "decodeError"));
            junk_offset = jpath_int(m, "offset");
        }
    }
    assert_int_equal(nlate, 2);
    assert_true(junk_offset >= 0);
    json_decref(doc);
    char *out, *err;
    assert_int_equal(dlq_run(&out, &err, "list", "--topic", svc, NULL), 0);
    assert_non_null(strstr(out, "by reason (3 messages)"));
    assert_non_null(strstr(out, "unknown event type \"LateEvent\""));
    assert_non_null(strstr(out, "(undecodable)"));
    free(out), free(err);

    /* 3. show: the event decoded, the payload pretty; bad UTF-8 escaped;
     *    truncation said; absurd offsets answered. */
    char off[32];
    snprintf(off, sizeof off, "%lld", late_offsets[0]);
    assert_int_equal(dlq_run(&out, &err, "show", "--topic", svc, "--offset", off, NULL), 0);
    assert_non_null(strstr(out, "event (CloudEvent):"));
    assert_non_null(strstr(out, "\"type\": \"LateEvent\""));
    assert_non_null(strstr(out, "\"n\": 10"));
    assert_non_null(strstr(out, "mm_dlq_reason: unknown event type"));
    free(out), free(err);
    doc = dlq_json(0, "show", "--topic", svc, "--offset", off, NULL);
    assert_string_equal(jpath_str(json_object_get(doc, "event"), "type"), "LateEvent");
    assert_int_equal(jpath_int(json_object_get(doc, "value"), "n"), 10);
    json_decref(doc);
    snprintf(off, sizeof off, "%lld", junk_offset);
    assert_int_equal(dlq_run(&out, &err, "show", "--topic", svc, "--offset", off, NULL), 0);
    assert_non_null(strstr(out, "event: does not decode"));
    assert_non_null(strstr(out, "\\xff\\xfe not json"));
    free(out), free(err);
    doc = dlq_json(0, "show", "--topic", svc, "--offset", off, NULL);
    assert_string_equal(jpath_str(doc, "valueText"), "\\xff\\xfe not json");
    json_decref(doc);
    assert_int_equal(
        dlq_run(&out, &err, "show", "--topic", svc, "--offset", off, "--max-bytes", "3", NULL), 0);
    assert_non_null(strstr(out, "(truncated: the first 3 of 11 bytes shown"));
    free(out), free(err);
    assert_int_equal(
        dlq_run(&out, &err, "show", "--topic", svc, "--offset", "9223372036854775807", NULL), 1);
    assert_non_null(strstr(err, "is not in"));
    free(out), free(err);
    assert_int_equal(dlq_run(&out, &err, "show", "--topic", svc, "--offset", "-1", NULL), 2);
    free(out), free(err);
    assert_int_equal(
        dlq_run(&out, &err, "show", "--topic", svc, "--offset", "99999999999999999999", NULL), 2);
    free(out), free(err);
    assert_int_equal(dlq_run(&out, &err, "list", "--topic", "no_such_topic_at_all_dlqtest", NULL),
                     1);
    assert_non_null(strstr(err, "does not exist"));
    free(out), free(err);

    /* 4. Replay to the still broken consumer: dead-lettered again, with
     *    the replay count carried across (mm_dlq_replays = 1). */
    assert_int_equal(dlq_run(&out, &err, "replay", "--topic", svc, "--type", "LateEvent", NULL), 0);
    assert_non_null(strstr(out, "replayed: 2 selected, 2 replayed, 0 refused, 0 failed"));
    free(out), free(err);
    spawn_worker(&w, 0);
    wait_high(dlq, 5, 60000);
    assert_int_equal(mm_test_child_stop(&w, SIGTERM, 15000), 0);
    doc = dlq_json(0, "list", "--topic", svc, "--from", "3", NULL);
    assert_int_equal(jpath_int(doc, "count"), 2);
    json_array_foreach(json_object_get(doc, "messages"), i, m) {
        assert_string_equal(jpath_str(m, "eventType"), "LateEvent");
        assert_int_equal(jpath_int(m, "replays"), 1);
    }
    json_decref(doc);

    /* 5. The loop guard: at --max-replays 1 they are refused, and nothing
     *    at all is sent (the topic's end does not move). */
    long long svc_high = high_watermark(svc);
    assert_int_equal(
        dlq_run(&out, &err, "replay", "--topic", svc, "--from", "3", "--max-replays", "1", NULL),
        1);
    assert_non_null(strstr(out, "already replayed 1 times"));
    assert_non_null(strstr(err, "nothing was replayed"));
    free(out), free(err);
    doc = dlq_json(1, "replay", "--topic", svc, "--from", "3", "--max-replays", "1", NULL);
    assert_int_equal(jpath_int(doc, "refused"), 2);
    assert_int_equal(jpath_int(doc, "replayed"), 0);
    json_decref(doc);
    /* A dry run sends nothing either. */
    doc = dlq_json(0, "replay", "--topic", svc, "--from", "3", "--dry-run", NULL);
    assert_string_equal(jpath_str(doc, "outcome"), "dry run: nothing was replayed");
    json_decref(doc);
    assert_int_equal(high_watermark(svc), svc_high);

    /* 6. The fixed deployment handles the replayed events. */
    spawn_worker(&w, 1);
    doc = dlq_json(0, "replay", "--topic", svc, "--from", "3", "--type", "LateEvent", NULL);
    assert_int_equal(jpath_int(doc, "replayed"), 2);
    json_array_foreach(json_object_get(doc, "messages"), i, m) {
        assert_string_equal(jpath_str(m, "status"), "replayed");
        assert_string_equal(jpath_str(m, "toTopic"), svc);
        assert_int_equal(jpath_int(m, "newReplays"), 2);
    }
    json_decref(doc);
    wait_handled("LateEvent:10", 60000);
    wait_handled("LateEvent:11", 60000);
    assert_int_equal(handled_count("GoodEvent:1") > 0, 1);
    assert_int_equal(high_watermark(dlq), 5); /* nothing dead-lettered again */

    /* 7. purge: refused for a group with members (the running worker's),
     *    then a DLQ-consuming group moved to --to, then to the end. */
    assert_int_equal(dlq_run(&out, &err, "purge", "--topic", svc, "--group", group, NULL), 1);
    assert_non_null(strstr(err, "active member"));
    free(out), free(err);
    assert_int_equal(mm_test_child_stop(&w, SIGTERM, 15000), 0);
    char dlq_group[200];
    snprintf(dlq_group, sizeof dlq_group, "%s_dlqreader", svc);
    doc = dlq_json(0, "list", "--topic", svc, "--group", dlq_group, NULL);
    assert_int_equal(jpath_int(doc, "count"), 5);
    json_decref(doc);
    assert_int_equal(
        dlq_run(&out, &err, "purge", "--topic", svc, "--group", dlq_group, "--to", "2", NULL), 0);
    assert_non_null(strstr(out, "committed (none) -> 3"));
    free(out), free(err);
    assert_int_equal(
        mm_test_kafka_committed_total(mm_test_kafka_bootstrap(), dlq, dlq_group, 1, NULL), 3);
    doc = dlq_json(0, "list", "--topic", svc, "--group", dlq_group, NULL);
    assert_int_equal(jpath_int(doc, "count"), 2);
    json_decref(doc);
    assert_int_equal(
        dlq_run(&out, &err, "purge", "--topic", svc, "--group", dlq_group, "--to", "1", NULL), 1);
    assert_non_null(strstr(err, "move it back"));
    free(out), free(err);
    assert_int_equal(
        dlq_run(&out, &err, "purge", "--topic", svc, "--group", dlq_group, "--to", "99", NULL), 1);
    assert_non_null(strstr(err, "past the end"));
    free(out), free(err);
    doc = dlq_json(0, "purge", "--topic", svc, "--group", dlq_group, NULL);
    assert_string_equal(jpath_str(doc, "outcome"), "purged");
    json_decref(doc);
    assert_int_equal(
        mm_test_kafka_committed_total(mm_test_kafka_bootstrap(), dlq, dlq_group, 1, NULL), 5);
    assert_int_equal(dlq_run(&out, &err, "list", "--topic", svc, "--group", dlq_group, NULL), 0);
    assert_non_null(strstr(out, "no dead letters after the group's committed offsets"));
    free(out), free(err);

    /* 8. A message in the DLQ without mm_dlq headers: listed as such,
     *    refused by replay (its source topic is unknown). */
    produce(dlq, "stray", "{}", 2, NULL);
    doc = dlq_json(0, "list", "--topic", svc, "--from", "5", NULL);
    m = json_array_get(json_object_get(doc, "messages"), 0);
    assert_false(json_is_true(json_object_get(m, "deadLetter")));
    assert_int_equal(json_integer_value(
                         json_object_get(json_object_get(doc, "byReason"), "(no mm_dlq headers)")),
                     1);
    json_decref(doc);
    assert_int_equal(dlq_run(&out, &err, "replay", "--topic", svc, "--from", "5", "--force", NULL),
                     1);
    assert_non_null(strstr(out, "no mm_dlq_* headers"));
    free(out), free(err);

    /* 9. Control characters in a header (a terminal escape) are printed
     *    escaped, never raw. */
    rd_kafka_headers_t *h = rd_kafka_headers_new(2);
    rd_kafka_header_add(h, "mm_dlq_reason", -1, "evil \x1b[2J\xc2\x9b reason", -1);
    rd_kafka_header_add(h, "x-\x1b]0;title\x07", -1, "v", -1);
    produce(dlq, "esc", "{\"a\":\"\\u001b[2J\"}", 16, h);
    assert_int_equal(dlq_run(&out, &err, "list", "--topic", svc, "--from", "6", NULL), 0);
    assert_non_null(strstr(out, "evil \\x1b[2J\\xc2\\x9b reason"));
    assert_null(strchr(out, 0x1b));
    free(out), free(err);
    assert_int_equal(dlq_run(&out, &err, "show", "--topic", svc, "--offset", "6", NULL), 0);
    assert_non_null(strstr(out, "reason:          evil \\x1b[2J"));
    assert_non_null(strstr(out, "x-\\x1b]0;title\\x07: v"));
    assert_null(strchr(out, 0x1b));
    free(out), free(err);

    /* 10. A dead letter whose value was too large to copy: shown as such,
     *     never replayed (there is nothing to send), even with --force. */
    h = rd_kafka_headers_new(3);
    rd_kafka_header_add(h, "mm_dlq_reason", -1, "too big", -1);
    rd_kafka_header_add(h, "mm_dlq_source_topic", -1, svc, -1);
    rd_kafka_header_add(h, "mm_dlq_value_bytes", -1, "2000000", -1);
    produce(dlq, "big", NULL, 0, h);
    assert_int_equal(dlq_run(&out, &err, "show", "--topic", svc, "--offset", "7", NULL), 0);
    assert_non_null(strstr(out, "the original value (2000000 bytes) was too large to keep"));
    free(out), free(err);
    assert_int_equal(dlq_run(&out, &err, "replay", "--topic", svc, "--from", "7", "--force", NULL),
                     1);
    assert_non_null(strstr(out, "was too large to keep in the DLQ"));
    free(out), free(err);
}

/* The poison path of `gregor node`: an event that crashed 3 workers is
 * dead-lettered; replayed, it is dead-lettered again with mm_dlq_replays
 * carried across, and the loop guard refuses it the next time. */
static void test_dlq_crash_loop_guard(void **state) {
    (void)state;
    setup_service("mmdlqcrash");
    setenv("MM_DLQTEST_CRASH_N", "99", 1);
    char *web = mm_test_unique_name("mmdlqcrash-web");
    setenv("MM_SERVICE_WEB_TOPIC", web, 1);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), web, 1), 0);
    char cfg_path[] = "/tmp/mmtest-dlq-cfg-XXXXXX";
    int cfg_fd = mkstemp(cfg_path);
    assert_true(cfg_fd >= 0);
    char cfg[300];
    int n = snprintf(cfg, sizeof cfg, "%s:\n  handle: {procs: 1}\n", svc);
    assert_int_equal(write(cfg_fd, cfg, (size_t)n), n);
    close(cfg_fd);
    /* A crashing worker under ASan symbolizes its report before it dies,
     * which takes seconds on a loaded machine: keep the report short. */
    const char *asan = getenv("ASAN_OPTIONS");
    char *asan_saved = asan ? strdup(asan) : NULL;
    char asan_fast[512];
    snprintf(asan_fast, sizeof asan_fast, "%s%ssymbolize=0", asan ? asan : "",
             asan && asan[0] ? ":" : "");
    setenv("ASAN_OPTIONS", asan_fast, 1);
    setenv("MM_DLQTEST_FIXED", "0", 1);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    so,
                    "--node-name",
                    "dlqnode",
                    "--config",
                    cfg_path,
                    NULL};
    assert_int_equal(mm_test_child_spawn(&node, argv), 0);
    if (asan_saved)
        setenv("ASAN_OPTIONS", asan_saved, 1);
    else
        unsetenv("ASAN_OPTIONS");
    free(asan_saved);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);

    produce_event("GoodEvent", 1);
    wait_handled("GoodEvent:1", 30000);
    produce_event("GoodEvent", 99);
    wait_high(dlq, 1, 90000);
    json_t *doc = dlq_json(0, "list", "--topic", svc, NULL);
    json_t *m = json_array_get(json_object_get(doc, "messages"), 0);
    assert_string_equal(jpath_str(m, "reason"), "crashed 3 workers");
    assert_string_equal(jpath_str(m, "eventType"), "GoodEvent");
    assert_int_equal(jpath_int(m, "replays"), 0);
    json_decref(doc);

    char *out, *err;
    assert_int_equal(dlq_run(&out, &err, "replay", "--topic", svc, "--reason", "crashed",
                             "--max-replays", "1", NULL),
                     0);
    free(out), free(err);
    wait_high(dlq, 2, 90000);
    doc = dlq_json(0, "list", "--topic", svc, "--from", "1", NULL);
    m = json_array_get(json_object_get(doc, "messages"), 0);
    assert_string_equal(jpath_str(m, "eventType"), "GoodEvent");
    assert_int_equal(jpath_int(m, "replays"), 1);
    json_decref(doc);
    assert_int_equal(
        dlq_run(&out, &err, "replay", "--topic", svc, "--from", "1", "--max-replays", "1", NULL),
        1);
    assert_non_null(strstr(out, "already replayed 1 times"));
    free(out), free(err);
    assert_int_equal(handled_count("GoodEvent:99"), 0);

    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    unlink(cfg_path);
    unsetenv("MM_DLQTEST_CRASH_N");
    free(web);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_dlq_round_trip),
                                       cmocka_unit_test(test_dlq_crash_loop_guard)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
