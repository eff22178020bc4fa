/* test_pipeline.c -- the worker's delivery state machine against the real
 * Kafka broker and Redis: one consumer runner (mm_consumer_runner_run) on a
 * thread, events produced by the test, results read back from Redis and
 * dead letters from "<topic>.dlq".
 *
 * Proves: the poison shapes of issue 20 end in the DLQ with a reason (and an
 * error result where the event can be keyed) and the next good event is
 * handled within a second: an emit too large to produce, a 5 MB event, a
 * 600-byte ce_id, a 600-byte ce_mmreplyto; a handler asking for a retry
 * succeeds on attempt 3; one that keeps asking is dead-lettered after
 * max_attempts and its caller answered (RETRIES_EXHAUSTED); an emit of a
 * type no SDL declares fails the handler with a clear message; an event that
 * crashed 3 workers is not handled again (WORKER_CRASHED, DLQ); the crash
 * hooks run around every handler call; a budgeted run commits only events
 * whose results are stored (in-order watermark); a mutation-sized event
 * over the entry limit is refused by mm_producer_send_entry. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/limits.h"
#include "bus/producer.h"
#include "common/config.h"
#include "mm_test.h"
#include "service/consumer_runner.h"
#include "service/runtime.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "store/results.h"

/* The poison-to-next-good bound of issue 20. */
#define NEXT_GOOD_MS 1000

static char *topic, *dlq_topic;
static mm_config *cfg;
static mm_service *svc;
static mm_gql_schema *schema;
static mm_runtime rt;
static mm_producer *prod;        /* the test's own, for good events */
static mm_result_store *results; /* the test's own reader */
static pthread_t runner_thread;
static volatile sig_atomic_t stop_flag;
static int runner_rc;
static _Atomic int begins, ends; /* hook calls (runner thread; read after a result) */

/* ---- the service --------------------------------------------------------- */

/* The n of every handler call, in call order (runner thread; read after
 * the results are stored). */
static int calls[4096];
static _Atomic int call_count;

/* What a "hold" handler call kept of its event's data (a reference of its
 * own): the runner drops its parsed data after the call, this must live on. */
static json_t *held_data;

static int work(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    json_t *d = mm_event_data(ev);
    const char *mode = json_string_value(json_object_get(d, "mode"));
    json_int_t n = json_integer_value(json_object_get(d, "n"));
    int at = call_count++;
    if (at < 4096) calls[at] = (int)n;
    if (!mode || strcmp(mode, "ok") == 0)
        return mm_handler_emit(h, NULL, "DoneEvent", json_pack("{s:I}", "n", n));
    if (strcmp(mode, "double") == 0) { /* an emit twice the input's size */
        const char *blob = json_string_value(json_object_get(d, "blob"));
        return mm_handler_emit(h, NULL, "DoneEvent",
                               json_pack("{s:I,s:s,s:s}", "n", n, "blob", blob, "blob2", blob));
    }
    if (strcmp(mode, "retry3") == 0) {
        if (mm_handler_attempt(h) < 3) {
            mm_handler_emit(h, NULL, "DoneEvent", json_pack("{s:I}", "n", -1)); /* discarded */
            mm_handler_retry(h, 50, "attempt %u: not yet", mm_handler_attempt(h));
            return 0;
        }
        return mm_handler_emit(
            h, NULL, "DoneEvent",
            json_pack("{s:I,s:i}", "n", n, "attempt", (int)mm_handler_attempt(h)));
    }
    if (strcmp(mode, "hold") == 0) {
        json_decref(held_data);
        held_data = json_incref(d);
        return mm_handler_emit(h, NULL, "DoneEvent", json_pack("{s:I}", "n", n));
    }
    if (strcmp(mode, "retry_forever") == 0) {
        mm_handler_retry(h, 20, "the dependency is still down");
        return 0;
    }
    if (strcmp(mode, "undeclared") == 0)
        return mm_handler_emit(h, NULL, "NoSuchEvent", json_pack("{s:I}", "n", n));
    if (strcmp(mode, "state") == 0) { /* a deferred state write, then the emit */
        json_t *v = json_pack("{s:I}", "n", n);
        int rc = mm_state_hset(mm_handler_state(h), "pipe-idle", ev->id, v);
        json_decref(v);
        if (rc != 0) return rc;
        return mm_handler_emit(h, NULL, "DoneEvent", json_pack("{s:I}", "n", n));
    }
    if (strcmp(mode, "keyed") == 0)
        return mm_handler_emit_keyed(h, NULL, "DoneEvent", "k1", 2, json_pack("{s:I}", "n", n));
    fail_msg("unknown mode %s", mode);
    return -1;
}

static void on_begin(void *ud, const mm_event *ev, const mm_message_info *info) {
    (void)ud, (void)ev;
    assert_non_null(info->topic);
    begins++;
}

static void on_end(void *ud, const mm_event *ev) {
    (void)ud, (void)ev;
    ends++;
}

static int crash_count(void *ud, const mm_event *ev) {
    (void)ud;
    const char *mode = json_string_value(json_object_get(mm_event_data(ev), "mode"));
    return mode && strcmp(mode, "crashy") == 0 ? 3 : 0;
}

static void *run_runner(void *arg) {
    const mm_runner_options *ro = arg;
    char err[512];
    runner_rc = mm_consumer_runner_run(&rt, schema, mm_service_find_consumer(svc, "work"), ro, err,
                                       sizeof err);
    if (runner_rc < 0) fprintf(stderr, "runner: %s\n", err);
    return NULL;
}

static mm_runner_options options = {
    .stop_flag = &stop_flag,
    .on_handle_begin = on_begin,
    .on_handle_end = on_end,
    .crash_count = crash_count,
};

/* ---- producing and reading back ------------------------------------------ */

/* Publishes a WorkEvent with Kafka key key (NULL: its id); returns its id. */
static void send_work_keyed(const char *mode, int n, const char *blob, const char *key,
                            char id[64]) {
    mm_event ev;
    mm_event_init(&ev);
    json_t *d = json_pack("{s:s,s:i}", "mode", mode, "n", n);
    if (blob) json_object_set_new(d, "blob", json_string(blob));
    assert_int_equal(mm_event_create(&ev, mm_service_name(svc), "WorkEvent", d), 0);
    if (key) assert_int_equal(mm_event_set_key(&ev, key, strlen(key)), 0);
    json_object_set_new(ev.data, "id", json_string(ev.id));
    snprintf(id, 64, "%s", ev.id);
    char err[256];
    assert_int_equal(mm_producer_send_sync(prod, topic, &ev, 30000, NULL, NULL, err, sizeof err),
                     0);
    mm_event_clear(&ev);
}

static void send_work(const char *mode, int n, const char *blob, char id[64]) {
    send_work_keyed(mode, n, blob, NULL, id);
}

/* Waits up to timeout_ms for the result of id; NULL if none. */
static json_t *wait_result(const char *id, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    char err[256];
    do {
        json_t *doc = NULL;
        if (mm_result_store_get(results, id, &doc, err, sizeof err) == 0) return doc;
        usleep(5000);
    } while (mm_test_now_ms() < deadline);
    return NULL;
}

/* A good event after a poison one is handled within NEXT_GOOD_MS. */
static void assert_next_good_fast(int n) {
    char id[64];
    long long t0 = mm_test_now_ms();
    send_work("ok", n, NULL, id);
    json_t *doc = wait_result(id, 20000);
    long long took = mm_test_now_ms() - t0;
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    json_decref(doc);
    if (took > NEXT_GOOD_MS)
        fail_msg("the next good event took %lld ms (> %d)", took, NEXT_GOOD_MS);
}

static const char *error_code(json_t *doc) {
    return json_string_value(json_object_get(json_object_get(doc, "error"), "code"));
}

static const char *error_message(json_t *doc) {
    return json_string_value(json_object_get(json_object_get(doc, "error"), "message"));
}

/* Reads the DLQ from the start until a message whose ce_id starts with
 * id_prefix arrives; returns its mm_dlq_reason (malloc'd) or NULL. *value_len
 * gets the copy's value length, *dropped the mm_dlq_value_bytes header (0). */
static char *dlq_reason_for(const char *id_prefix, size_t *value_len, long *dropped) {
    char err[256], *group = mm_test_unique_name("pipe-dlq-reader");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, dlq_topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    char *reason = NULL;
    long long deadline = mm_test_now_ms() + 30000;
    while (!reason && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        rd_kafka_headers_t *h = NULL;
        const void *v;
        size_t len;
        if (!m->err && rd_kafka_message_headers(m, &h) == 0 &&
            rd_kafka_header_get_last(h, "ce_id", &v, &len) == 0 && len >= strlen(id_prefix) &&
            memcmp(v, id_prefix, strlen(id_prefix)) == 0 &&
            rd_kafka_header_get_last(h, MM_DLQ_HDR_REASON, &v, &len) == 0) {
            reason = strndup(v, len);
            *value_len = m->len;
            *dropped = 0;
            if (rd_kafka_header_get_last(h, MM_DLQ_HDR_VALUE_BYTES, &v, &len) == 0) {
                char num[32];
                snprintf(num, sizeof num, "%.*s", (int)len, (const char *)v);
                *dropped = atol(num);
            }
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    free(group);
    return reason;
}

/* Produces a raw message (headers given as name, value pairs) with a
 * producer allowed to send up to 6 MB. */
static void produce_raw(const char *const *hdrs, size_t nhdrs, const void *value, size_t len) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    assert_int_equal(rd_kafka_conf_set(conf, "message.max.bytes", "6000000", err, sizeof err), 0);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_headers_t *h = rd_kafka_headers_new(nhdrs);
    for (size_t i = 0; i < nhdrs; i++) rd_kafka_header_add(h, hdrs[2 * i], -1, hdrs[2 * i + 1], -1);
    assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
                                       RD_KAFKA_V_VALUE((void *)value, len),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END),
                     0);
    assert_int_equal(rd_kafka_flush(rk, 30000), 0);
    rd_kafka_destroy(rk);
}

/* ---- set-up -------------------------------------------------------------- */

/* The topic accepts 6 MB messages so the 5 MB poison can be put on it. */
static int create_topic(const char *name) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(name, 1, 1, err, sizeof err);
    rd_kafka_NewTopic_set_config(nt, "max.message.bytes", "6000000");
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *e = rd_kafka_queue_poll(q, 30000);
    int rc = e && !rd_kafka_event_error(e) ? 0 : -1;
    if (e) {
        const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(e);
        size_t cnt = 0;
        const rd_kafka_topic_result_t **tr =
            res ? rd_kafka_CreateTopics_result_topics(res, &cnt) : NULL;
        if (!tr || cnt != 1 || rd_kafka_topic_result_error(tr[0])) rc = -1;
        rd_kafka_event_destroy(e);
    }
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_destroy(rk);
    if (rc) fprintf(stderr, "cannot create topic %s\n", name);
    /* Wait until it has a leader, like mm_test_kafka_create_topic. */
    for (int i = 0; i < 100 && rc == 0; i++) {
        if (mm_test_kafka_committed_total(mm_test_kafka_bootstrap(), name, "nobody", 1, NULL) >= 0)
            break;
        usleep(100000);
    }
    return rc;
}

static int setup(void **state) {
    (void)state;
    char err[512];
    topic = mm_test_unique_name("pipe");
    dlq_topic = malloc(strlen(topic) + 5);
    if (!dlq_topic) return -1;
    sprintf(dlq_topic, "%s.dlq", topic);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    if (create_topic(topic) || mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), dlq_topic, 1))
        return -1;
    if (mm_config_defaults(&cfg, err, sizeof err)) return -1;
    svc = mm_service_new(topic);
    mm_service_add_sdl(
        svc, "type WorkEvent { id: String n: Int mode: String blob: String }\n"
             "type DoneEvent { id: String n: Int attempt: Int blob: String blob2: String }\n");
    static const char *const types[] = {"WorkEvent", NULL};
    if (mm_service_add_consumer(svc, &(mm_consumer_def){.name = "work",
                                                        .event_types = types,
                                                        .save_result = 1,
                                                        .handle = work,
                                                        .max_attempts = 4}))
        return -1;
    schema = mm_services_build_schema(&svc, 1, NULL, 0, NULL, err, sizeof err);
    if (!schema || mm_runtime_open(&rt, cfg, MM_RUNTIME_WORKER, &svc, 1, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    prod = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    results = mm_result_store_new(mm_test_redis_url(), NULL, 0, err, sizeof err);
    if (!prod || !results) return -1;
    if (pthread_create(&runner_thread, NULL, run_runner, &options)) return -1;
    /* Warm up: the group joined and the path works before anything is timed. */
    char id[64];
    send_work("ok", 0, NULL, id);
    json_t *doc = wait_result(id, 60000);
    if (!doc) fprintf(stderr, "warm-up event got no result\n");
    json_decref(doc);
    return doc ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    stop_flag = 1;
    pthread_join(runner_thread, NULL);
    mm_runtime_close(&rt);
    mm_producer_free(prod);
    mm_result_store_free(results);
    mm_gql_schema_free(schema);
    mm_service_free(svc);
    mm_config_free(cfg);
    free(topic);
    free(dlq_topic);
    return runner_rc < 0 ? -1 : 0;
}

/* ---- tests --------------------------------------------------------------- */

static void test_good_event_and_hooks(void **state) {
    (void)state;
    char id[64];
    int before = begins;
    send_work("ok", 7, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    json_t *ev = json_object_get(doc, "event");
    assert_string_equal(json_string_value(json_object_get(ev, "type")), "DoneEvent");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ev, "data"), "n")), 7);
    assert_true(begins > before);
    assert_int_equal(begins, ends);
    json_decref(doc);
}

static void test_oversize_emit(void **state) {
    (void)state;
    /* Just under the entry limit: accepted; its emit (twice the blob) is not. */
    size_t n = MM_LIMIT_EVENT_BYTES - 200;
    char *blob = malloc(n + 1);
    memset(blob, 'x', n);
    blob[n] = '\0';
    char id[64];
    send_work("double", 1, blob, id);
    free(blob);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "error");
    assert_string_equal(error_code(doc), "EMIT_FAILED");
    assert_non_null(strstr(error_message(doc), id));                  /* names the event */
    assert_non_null(strstr(error_message(doc), "exceeds the limit")); /* and the reason */
    json_decref(doc);
    size_t len;
    long dropped;
    char *reason = dlq_reason_for(id, &len, &dropped);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "DoneEvent"));
    free(reason);
    assert_next_good_fast(2);
}

static void test_entry_limit_refused(void **state) {
    (void)state;
    /* What a mutation publishes goes through mm_producer_send_entry. */
    size_t n = MM_LIMIT_EVENT_BYTES;
    char *blob = malloc(n + 1);
    memset(blob, 'y', n);
    blob[n] = '\0';
    mm_event ev;
    mm_event_init(&ev);
    assert_int_equal(mm_event_create(&ev, mm_service_name(svc), "WorkEvent",
                                     json_pack("{s:s,s:s}", "mode", "ok", "blob", blob)),
                     0);
    free(blob);
    char err[256];
    assert_int_equal(mm_producer_send_entry(prod, topic, &ev, NULL, NULL, err, sizeof err),
                     MM_ELIMIT);
    assert_non_null(strstr(err, "exceeds the limit"));
    mm_event_clear(&ev);
}

static void test_five_megabyte_event(void **state) {
    (void)state;
    size_t n = 5u << 20;
    char *value = malloc(n);
    memset(value, ' ', n);
    memcpy(value, "{\"mode\":\"ok\",\"n\":3}", 19);
    const char *hdrs[] = {
        "ce_specversion", "1.0",       "ce_id",        "five-mb-event",   "ce_source", "/x",
        "ce_type",        "WorkEvent", "content-type", "application/json"};
    produce_raw(hdrs, 5, value, n);
    free(value);
    size_t len;
    long dropped;
    char *reason = dlq_reason_for("five-mb-event", &len, &dropped);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "exceeds the event limit"));
    assert_int_equal(len, 0);           /* the value is not copied ... */
    assert_int_equal(dropped, (long)n); /* ... but its size is recorded */
    free(reason);
    assert_next_good_fast(4);
}

static void test_long_id_and_reply_to(void **state) {
    (void)state;
    char long_id[601], id2[64];
    memset(long_id, 'i', 600);
    long_id[600] = '\0';
    memcpy(long_id, "long-id-", 8);
    const char *value = "{\"mode\":\"ok\",\"n\":5}";
    const char *h1[] = {
        "ce_specversion", "1.0",       "ce_id",        long_id,           "ce_source", "/x",
        "ce_type",        "WorkEvent", "content-type", "application/json"};
    produce_raw(h1, 5, value, strlen(value));
    char long_reply[601];
    memset(long_reply, 'r', 600);
    long_reply[600] = '\0';
    snprintf(id2, sizeof id2, "long-reply-%lld", mm_test_now_ms());
    const char *h2[] = {"ce_specversion", "1.0",
                        "ce_id",          id2,
                        "ce_source",      "/x",
                        "ce_type",        "WorkEvent",
                        "content-type",   "application/json",
                        "ce_mmreplyto",   long_reply};
    produce_raw(h2, 6, value, strlen(value));
    size_t len;
    long dropped;
    char *r1 = dlq_reason_for("long-id-", &len, &dropped);
    assert_non_null(r1);
    assert_non_null(strstr(r1, "ce_id is too long"));
    char *r2 = dlq_reason_for(id2, &len, &dropped);
    assert_non_null(r2);
    assert_non_null(strstr(r2, "ce_mmreplyto is too long"));
    free(r1);
    free(r2);
    assert_next_good_fast(6);
}

static void test_retry_succeeds_on_attempt_3(void **state) {
    (void)state;
    char id[64];
    send_work("retry3", 8, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    json_t *data = json_object_get(json_object_get(doc, "event"), "data");
    assert_int_equal(json_integer_value(json_object_get(data, "attempt")), 3);
    assert_int_equal(json_integer_value(json_object_get(data, "n")), 8);
    json_decref(doc);
}

/* A handler that keeps a reference to its event's data keeps valid data
 * after the call, although the runner releases the parsed data it made
 * (consumer_runner.c, release_src_data; ASan checks the reads). */
static void test_handler_keeps_event_data(void **state) {
    (void)state;
    char id[64];
    send_work("hold", 41, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    json_decref(doc);
    assert_non_null(held_data);
    assert_string_equal(json_string_value(json_object_get(held_data, "mode")), "hold");
    assert_int_equal(json_integer_value(json_object_get(held_data, "n")), 41);
    json_decref(held_data);
    held_data = NULL;
}

/* Per-key order holds across a retry: an event with the same key as one
 * waiting to be retried is handled only after it. */
static void test_retry_holds_its_key(void **state) {
    (void)state;
    char a[64], b[64], c[64];
    send_work_keyed("retry3", 20, NULL, "same-key", a);
    send_work_keyed("ok", 21, NULL, "same-key", b);
    send_work_keyed("ok", 22, NULL, "other-key", c);
    json_t *da = wait_result(a, 10000), *db = wait_result(b, 10000), *dc = wait_result(c, 10000);
    assert_non_null(da);
    assert_non_null(db);
    assert_non_null(dc);
    json_decref(da), json_decref(db), json_decref(dc);
    int n = call_count < 4096 ? call_count : 4096, last_a = -1, first_b = -1, first_c = -1,
        a_calls = 0;
    for (int i = 0; i < n; i++) {
        if (calls[i] == 20) last_a = i, a_calls++;
        if (calls[i] == 21 && first_b < 0) first_b = i;
        if (calls[i] == 22 && first_c < 0) first_c = i;
    }
    assert_int_equal(a_calls, 3);
    assert_true(first_b > last_a); /* waited for its key */
    assert_true(first_c < last_a); /* another key did not wait */
}

static void test_retries_exhausted(void **state) {
    (void)state;
    char id[64];
    send_work("retry_forever", 9, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(error_code(doc), "RETRIES_EXHAUSTED");
    assert_non_null(strstr(error_message(doc), id));
    assert_non_null(strstr(error_message(doc), "4 times"));
    json_decref(doc);
    size_t len;
    long dropped;
    char *reason = dlq_reason_for(id, &len, &dropped);
    assert_non_null(reason);
    assert_non_null(strstr(reason, "still down"));
    free(reason);
    assert_next_good_fast(10);
}

static void test_undeclared_emit(void **state) {
    (void)state;
    char id[64];
    send_work("undeclared", 11, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(error_code(doc), "EMIT_FAILED");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "error"), "className")),
        "EmitError");
    assert_non_null(strstr(error_message(doc), "NoSuchEvent"));
    assert_non_null(strstr(error_message(doc), "no loaded SDL declares"));
    json_decref(doc);
}

static void test_crashed_workers(void **state) {
    (void)state;
    char id[64];
    int before = begins;
    send_work("crashy", 12, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(error_code(doc), "WORKER_CRASHED");
    json_decref(doc);
    assert_int_equal(begins, before); /* the handler was not called again */
    size_t len;
    long dropped;
    char *reason = dlq_reason_for(id, &len, &dropped);
    assert_non_null(reason);
    assert_string_equal(reason, "crashed 3 workers");
    free(reason);
    assert_next_good_fast(13);
}

static void test_keyed_emit(void **state) {
    (void)state;
    char id[64];
    send_work("keyed", 14, NULL, id);
    json_t *doc = wait_result(id, 10000);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
    json_decref(doc);
}

/* N events at once in the given mode, numbered from base: every one gets
 * its result (the window and the batched stores), in order of its number. */
static void burst(const char *mode, int base) {
    enum {
        N = 300
    };
    static char ids[N][64];
    for (int i = 0; i < N; i++) {
        mm_event ev;
        mm_event_init(&ev);
        assert_int_equal(mm_event_create(&ev, mm_service_name(svc), "WorkEvent",
                                         json_pack("{s:s,s:i}", "mode", mode, "n", base + i)),
                         0);
        snprintf(ids[i], 64, "%s", ev.id);
        char err[256];
        assert_int_equal(mm_producer_send(prod, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(prod, 30000), 0);
    for (int i = 0; i < N; i++) {
        json_t *doc = wait_result(ids[i], 20000);
        if (!doc) fail_msg("event %d of the burst got no result", i);
        assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
        json_t *data = json_object_get(json_object_get(doc, "event"), "data");
        assert_int_equal(json_integer_value(json_object_get(data, "n")), base + i);
        json_decref(doc);
    }
}

/* Many events at once, and a burst does not reorder results away. */
static void test_burst(void **state) {
    (void)state;
    burst("ok", 1000);
}

/* A worker gone idle frees its spare jobs, its spare slots and the stores'
 * kept buffers (bus/consumer.h on_idle); bursts before and after such an
 * idle spell, with deferred state writes, all complete (ASan checks that
 * nothing freed was still in use). */
static void test_bursts_across_idle_release(void **state) {
    (void)state;
    burst("state", 2000);
    usleep(400 * 1000); /* > the loop's 100 ms idle poll */
    burst("state", 3000);
    usleep(400 * 1000);
    burst("ok", 4000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_event_and_hooks),
        cmocka_unit_test(test_oversize_emit),
        cmocka_unit_test(test_entry_limit_refused),
        cmocka_unit_test(test_five_megabyte_event),
        cmocka_unit_test(test_long_id_and_reply_to),
        cmocka_unit_test(test_retry_succeeds_on_attempt_3),
        cmocka_unit_test(test_handler_keeps_event_data),
        cmocka_unit_test(test_retry_holds_its_key),
        cmocka_unit_test(test_retries_exhausted),
        cmocka_unit_test(test_undeclared_emit),
        cmocka_unit_test(test_crashed_workers),
        cmocka_unit_test(test_keyed_emit),
        cmocka_unit_test(test_burst),
        cmocka_unit_test(test_bursts_across_idle_release),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
