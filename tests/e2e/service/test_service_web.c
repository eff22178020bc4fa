/* test_service_web.c -- the service web end to end against the real Kafka
 * broker and the real Redis: `gregor serve` with the forms example and two
 * test services (mod_pinger, mod_ponger), `gregor worker` processes for
 * their consumers, and GraphQL over HTTP with curl.
 *
 * Proves: a synchronous mutation returns the consumer's result; the bad-word
 * error reaches the caller with its class name; an asynchronous mutation's
 * result is fetchable by id later; both consumer groups receive every event;
 * a consumer emitting to another service's topic triggers that service's
 * consumer; the timeout path names the event id; a poison message lands in
 * the dead-letter topic and the next event is still processed; allForms
 * served by another process sees the forms; a SIGKILLed worker loses no
 * event; bad mutation input publishes nothing.
 *
 * The forms service runs under a unique name (FORMS_SERVICE renames its
 * topic, Redis keys and consumer groups), so other processes on a shared
 * broker cannot take its events; state goes to its own Redis database. */
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
#include <unistd.h>

#include "mm_test.h"

#define REDIS_DB "9"

static char forms_so[1024], pinger_so[1024], ponger_so[1024];
static char url[256];
static char forms_topic[128], forms_dlq_topic[160]; /* the renamed forms service */
static mm_test_child server, second_server;
static mm_test_child workers[4];
static const char *worker_consumers[4] = {"create_form", "legacy_create_form", "relay", "pong"};

/* ---- processes ---------------------------------------------------------- */

static int spawn_server(mm_test_child *child, char *out_url, size_t out_size) {
    char *argv[] = {(char *)mm_test_gregor(),
                    "serve",
                    "--app",
                    forms_so,
                    "--app",
                    pinger_so,
                    "--app",
                    ponger_so,
                    NULL};
    if (mm_test_child_spawn(child, argv)) return -1;
    return mm_test_child_wait_line(child, "graphql: ", out_url, out_size, 30000);
}

static int spawn_worker(mm_test_child *child, const char *consumer) {
    char *argv[] = {(char *)mm_test_gregor(),
                    "worker",
                    "--app",
                    forms_so,
                    "--app",
                    pinger_so,
                    "--app",
                    ponger_so,
                    "--consumer",
                    (char *)consumer,
                    NULL};
    return mm_test_child_spawn(child, argv);
}

/* ---- GraphQL over HTTP --------------------------------------------------- */

/* POSTs {"query": query} and returns the parsed response (or fails the test). */
static json_t *gql_at(const char *at, const char *query) {
    json_t *body = json_pack("{s:s}", "query", query);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    char *argv[] = {"/usr/bin/curl",
                    "-s",
                    "--max-time",
                    "30",
                    "-X",
                    "POST",
                    "-H",
                    "content-type: application/json",
                    "--data-binary",
                    text,
                    (char *)at,
                    NULL};
    char *out = NULL, *err = NULL;
    int status = mm_test_run(argv, &out, &err, 35000);
    free(text);
    json_error_t jerr;
    json_t *resp = status == 0 ? json_loads(out, 0, &jerr) : NULL;
    if (!resp) fail_msg("curl status %d, response '%s', stderr '%s'", status, out, err);
    free(out);
    free(err);
    return resp;
}

static json_t *gql(const char *query) { return gql_at(url, query); }

/* The value at a dotted path ("data.createForm.data.id"); NULL if absent. */
static json_t *at_path(json_t *v, const char *path) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save, *key = strtok_r(buf, ".", &save); key && v; key = strtok_r(NULL, ".", &save))
        v = json_is_array(v) ? json_array_get(v, (size_t)atoi(key)) : json_object_get(v, key);
    return v;
}

static const char *str_at(json_t *v, const char *path) {
    return json_string_value(at_path(v, path));
}

static void assert_no_errors(json_t *resp) {
    if (json_object_get(resp, "errors")) {
        char *t = json_dumps(resp, 0);
        fail_msg("unexpected errors: %s", t);
    }
}

/* ---- Redis and Kafka probes ------------------------------------------------ */

static redisContext *redis(void) {
    char host[128];
    int port;
    mm_test_redis_addr(host, sizeof host, &port);
    redisContext *c = redisConnect(host, port);
    assert_true(c && !c->err);
    redisReply *r = redisCommand(c, "SELECT " REDIS_DB);
    freeReplyObject(r);
    return c;
}

static long long topic_high_watermark(const char *topic) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic, 0, &low, &high, 10000);
    rd_kafka_destroy(rk);
    if (e == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) return 0;
    assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
    return high;
}

/* Whether the broker knows topic (a rerun against the same broker finds it). */
static int topic_exists(const char *topic) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    const struct rd_kafka_metadata *md = NULL;
    int exists = 0;
    if (rk && rd_kafka_metadata(rk, 1, NULL, &md, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        for (int i = 0; i < md->topic_cnt; i++)
            if (strcmp(md->topics[i].topic, topic) == 0 && !md->topics[i].err) exists = 1;
        rd_kafka_metadata_destroy(md);
    }
    if (rk) rd_kafka_destroy(rk);
    return exists;
}

/* Waits until eventResult(id) is stored; returns the response (or NULL). */
static json_t *wait_event_result(const char *id, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    char q[2200]; /* the id buffers are up to 1920 bytes: never truncate */
    snprintf(q, sizeof q,
             "{ eventResult(id: \"%s\") { id status eventType data error { className } } }", id);
    while (mm_test_now_ms() < deadline) {
        json_t *r = gql(q);
        if (json_is_object(at_path(r, "data.eventResult"))) return r;
        json_decref(r);
        usleep(100 * 1000);
    }
    return NULL;
}

/* ---- set-up ------------------------------------------------------------- */

static int setup(void **state) {
    (void)state;
    const char *bin = mm_test_binary_dir();
    snprintf(forms_so, sizeof forms_so, "%s/examples/forms.so", bin);
    snprintf(pinger_so, sizeof pinger_so, "%s/tests/mod_pinger.so", bin);
    snprintf(ponger_so, sizeof ponger_so, "%s/tests/mod_ponger.so", bin);
    char redis_url[256];
    snprintf(redis_url, sizeof redis_url, "%s/" REDIS_DB, mm_test_redis_url());
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_HTTP_LISTEN", "127.0.0.1:0", 1);
    setenv("MM_LOG_LEVEL", "warn", 1);
    /* A SIGKILLed member leaves the group only when its session times out;
     * the broker's minimum keeps the kill test short. */
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000", 1);
    setenv("MM_KEEP_APPS", "1", 1); /* readable sanitizer reports */
    char *forms_name = mm_test_unique_name("mmtest_forms");
    snprintf(forms_topic, sizeof forms_topic, "%s", forms_name);
    snprintf(forms_dlq_topic, sizeof forms_dlq_topic, "%s.dlq", forms_name);
    free(forms_name);
    setenv("FORMS_SERVICE", forms_topic, 1);
    redisContext *c = redis();
    freeReplyObject(redisCommand(c, "FLUSHDB"));
    redisFree(c);
    /* Topics exist before anyone subscribes, so no group waits for auto-creation. */
    const char *topics[] = {forms_topic, "mmtest_pinger", "mmtest_ponger"};
    for (size_t i = 0; i < 3; i++)
        if (!topic_exists(topics[i]) &&
            mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), topics[i], 2))
            return -1;
    if (spawn_server(&server, url, sizeof url)) return -1;
    for (size_t i = 0; i < 4; i++)
        if (spawn_worker(&workers[i], worker_consumers[i])) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < 4; i++)
        if (workers[i].pid > 0 && mm_test_child_stop(&workers[i], SIGTERM, 20000) != 0) failures++;
    if (server.pid > 0 && mm_test_child_stop(&server, SIGTERM, 20000) != 0) failures++;
    if (failures) fprintf(stderr, "%d processes did not exit cleanly on SIGTERM\n", failures);
    return failures ? -1 : 0;
}

/* ---- the cases -------------------------------------------------------- */

static void test_sync_mutation_returns_consumer_result(void **state) {
    (void)state;
    json_t *r =
        gql("mutation { createForm(name: \"sync-one\", template: \"t1\", timing: synchronous) "
            "{ data { id form { id name template formType createdBy } } } }");
    assert_no_errors(r);
    const char *id = str_at(r, "data.createForm.data.id");
    assert_non_null(id);
    assert_string_equal(str_at(r, "data.createForm.data.form.name"), "sync-one");
    assert_string_equal(str_at(r, "data.createForm.data.form.template"), "t1");
    assert_string_equal(str_at(r, "data.createForm.data.form.formType"), "quick");
    assert_string_equal(str_at(r, "data.createForm.data.form.id"), id);
    json_decref(r);

    r = gql("mutation { createFormSync(name: \"sync-two\", template: \"t2\") { data { form { name "
            "} } } }");
    assert_no_errors(r);
    assert_string_equal(str_at(r, "data.createFormSync.data.form.name"), "sync-two");
    json_decref(r);
}

static void test_bad_word_error_reaches_caller(void **state) {
    (void)state;
    json_t *r = gql("mutation { createFormSync(name: \"poop\", template: \"t\") { data { id } } }");
    assert_string_equal(str_at(r, "errors.0.message"), "you used a bad word: poop");
    assert_string_equal(str_at(r, "errors.0.extensions.className"), "BadWordException");
    assert_string_equal(str_at(r, "errors.0.extensions.namespace"), forms_topic);
    assert_non_null(str_at(r, "errors.0.extensions.sourceEventId"));
    assert_string_equal(str_at(r, "errors.0.path.0"), "createFormSync");
    assert_true(json_is_null(at_path(r, "data.createFormSync")));
    json_decref(r);
}

static void test_async_result_fetchable_later(void **state) {
    (void)state;
    json_t *r = gql("mutation { createFormAsync(name: \"async-one\", template: \"t\") "
                    "{ data { id name timing } } }");
    assert_no_errors(r);
    assert_string_equal(str_at(r, "data.createFormAsync.data.timing"), "asynchronous");
    char id[64];
    snprintf(id, sizeof id, "%s", str_at(r, "data.createFormAsync.data.id"));
    json_decref(r);
    r = wait_event_result(id, 20000);
    assert_non_null(r);
    assert_string_equal(str_at(r, "data.eventResult.status"), "ok");
    assert_string_equal(str_at(r, "data.eventResult.eventType"), "FormCreatedEvent");
    json_t *data = json_loads(str_at(r, "data.eventResult.data"), 0, NULL);
    assert_non_null(data);
    assert_string_equal(str_at(data, "form.name"), "async-one");
    json_decref(data);
    json_decref(r);

    /* The default timing of createForm is asynchronous: the event comes back. */
    r = gql("mutation { createForm(name: \"async-two\", template: \"t\") { data { id form { id } } "
            "} }");
    assert_no_errors(r);
    assert_non_null(str_at(r, "data.createForm.data.id"));
    assert_true(json_is_null(at_path(r, "data.createForm.data.form")));
    json_decref(r);
}

static void test_both_consumer_groups_receive_every_event(void **state) {
    (void)state;
    char ids[5][64];
    for (int i = 0; i < 5; i++) {
        char q[256];
        snprintf(q, sizeof q,
                 "mutation { createFormSync(name: \"both-%d\", template: \"t\") { data { id } } }",
                 i);
        json_t *r = gql(q);
        assert_no_errors(r);
        snprintf(ids[i], sizeof ids[i], "%s", str_at(r, "data.createFormSync.data.id"));
        json_decref(r);
    }
    /* The legacy consumer stores its own copy; it has no result to wait for. */
    redisContext *c = redis();
    long long deadline = mm_test_now_ms() + 20000;
    int found = 0;
    while (found < 5 && mm_test_now_ms() < deadline) {
        found = 0;
        for (int i = 0; i < 5; i++) {
            redisReply *rep =
                redisCommand(c, "HEXISTS mm:state:%s:legacy_forms %s", forms_topic, ids[i]);
            found += rep && rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
            freeReplyObject(rep);
        }
        if (found < 5) usleep(100 * 1000);
    }
    redisFree(c);
    assert_int_equal(found, 5);
}

static void test_consumer_emits_to_another_services_topic(void **state) {
    (void)state;
    char *message = mm_test_unique_name("ping");
    char q[256];
    snprintf(q, sizeof q, "mutation { ping(message: \"%s\") { data { id message } } }", message);
    json_t *r = gql(q);
    assert_no_errors(r);
    assert_string_equal(str_at(r, "data.ping.data.message"), message);
    json_decref(r);
    long long deadline = mm_test_now_ms() + 20000;
    int seen = 0;
    while (!seen && mm_test_now_ms() < deadline) {
        r = gql("{ pongs }");
        json_t *list = at_path(r, "data.pongs");
        for (size_t i = 0; i < json_array_size(list); i++)
            if (strcmp(json_string_value(json_array_get(list, i)), message) == 0) seen = 1;
        json_decref(r);
        if (!seen) usleep(100 * 1000);
    }
    free(message);
    assert_true(seen);
}

static void test_timeout_names_event_id(void **state) {
    (void)state;
    long long t0 = mm_test_now_ms();
    json_t *r = gql("mutation { neverAnswered(message: \"x\") { data { id } } }");
    long long took = mm_test_now_ms() - t0;
    const char *message = str_at(r, "errors.0.message");
    const char *event_id = str_at(r, "errors.0.extensions.eventId");
    assert_non_null(message);
    assert_non_null(event_id);
    assert_string_equal(str_at(r, "errors.0.extensions.code"), "TIMEOUT");
    assert_non_null(strstr(message, event_id));
    assert_true(took >= 1400 && took < 10000); /* the mutation's own 1.5 s timeout */
    json_decref(r);
}

static void test_poison_message_goes_to_dead_letter_topic(void **state) {
    (void)state;
    char *marker = mm_test_unique_name("poison");
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(p);
    assert_int_equal(rd_kafka_producev(p, RD_KAFKA_V_TOPIC(forms_topic),
                                       RD_KAFKA_V_VALUE(marker, strlen(marker)),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
                     RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_flush(p, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(p);

    /* The next good event is still processed. */
    json_t *r = gql("mutation { createFormSync(name: \"after-poison\", template: \"t\") { data { "
                    "form { name } } } }");
    assert_no_errors(r);
    assert_string_equal(str_at(r, "data.createFormSync.data.form.name"), "after-poison");
    json_decref(r);

    /* And the poison is in the forms topic's .dlq with a reason. */
    conf = rd_kafka_conf_new();
    char *group = mm_test_unique_name("dlq-reader");
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(c);
    rd_kafka_poll_set_consumer(c);
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, forms_dlq_topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(c, topics), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(topics);
    int found = 0;
    long long deadline = mm_test_now_ms() + 30000;
    while (!found && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 200);
        if (!m) continue;
        if (!m->err && m->len == strlen(marker) && memcmp(m->payload, marker, m->len) == 0) {
            rd_kafka_headers_t *h = NULL;
            const void *reason = NULL;
            size_t len = 0;
            if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                rd_kafka_header_get_last(h, "mm_dlq_reason", &reason, &len) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
                len > 0)
                found = 1;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(c);
    rd_kafka_destroy(c);
    free(group);
    free(marker);
    assert_true(found);
}

static void test_all_forms_seen_from_another_process(void **state) {
    (void)state;
    char other_url[256];
    assert_int_equal(spawn_server(&second_server, other_url, sizeof other_url), 0);
    json_t *r = gql_at(other_url, "{ allForms { id name formType } }");
    assert_no_errors(r);
    json_t *list = at_path(r, "data.allForms");
    int saw = 0;
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(str_at(json_array_get(list, i), "name") ? str_at(json_array_get(list, i), "name")
                                                           : "",
                   "sync-one") == 0)
            saw = 1;
    json_decref(r);
    assert_int_equal(mm_test_child_stop(&second_server, SIGTERM, 20000), 0);
    assert_true(saw);
}

static void test_sigkilled_worker_loses_no_event(void **state) {
    (void)state;
    enum {
        N = 30
    };
    /* Stop the create_form worker so that a backlog builds up. */
    assert_int_equal(mm_test_child_stop(&workers[0], SIGTERM, 20000), 0);
    char ids[N][64];
    for (int i = 0; i < N; i++) {
        char q[256];
        snprintf(q, sizeof q,
                 "mutation { createFormAsync(name: \"kill-%d\", template: \"t\") { data { id } } }",
                 i);
        json_t *r = gql(q);
        assert_no_errors(r);
        snprintf(ids[i], sizeof ids[i], "%s", str_at(r, "data.createFormAsync.data.id"));
        json_decref(r);
    }
    /* A worker starts on the backlog and is SIGKILLed as soon as it has
     * stored its first result: whatever it was doing is not committed. */
    assert_int_equal(spawn_worker(&workers[0], "create_form"), 0);
    json_t *first = wait_event_result(ids[0], 30000);
    assert_non_null(first);
    json_decref(first);
    assert_int_equal(mm_test_child_stop(&workers[0], SIGKILL, 5000), 128 + SIGKILL);
    assert_int_equal(spawn_worker(&workers[0], "create_form"), 0);
    for (int i = 0; i < N; i++) {
        json_t *r = wait_event_result(ids[i], 60000);
        if (!r) fail_msg("event %d (%s) never got a result after the worker was killed", i, ids[i]);
        assert_string_equal(str_at(r, "data.eventResult.status"), "ok");
        json_decref(r);
    }
}

static void test_bad_input_never_publishes(void **state) {
    (void)state;
    long long before = topic_high_watermark(forms_topic);
    char q[512], name[260];
    memset(name, 'n', 250);
    name[250] = '\0';
    /* Refused by mutate_event. */
    snprintf(q, sizeof q, "mutation { createForm(name: \"%s\", template: \"t\") { data { id } } }",
             name);
    json_t *r = gql(q);
    assert_string_equal(str_at(r, "errors.0.extensions.code"), "BAD_USER_INPUT");
    json_decref(r);
    /* Refused by validation: a number where a String goes, an unknown timing. */
    r = gql("mutation { createForm(name: 5) { data { id } } }");
    assert_non_null(str_at(r, "errors.0.message"));
    assert_null(json_object_get(r, "data"));
    json_decref(r);
    r = gql("mutation { createForm(name: \"x\", timing: sometimes) { data { id } } }");
    assert_non_null(str_at(r, "errors.0.message"));
    json_decref(r);
    /* Refused because the mutation allows only one timing. */
    r = gql("mutation { createFormSync(name: \"x\", timing: asynchronous) { data { id } } }");
    assert_non_null(str_at(r, "errors.0.message"));
    json_decref(r);
    assert_int_equal(topic_high_watermark(forms_topic), before);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sync_mutation_returns_consumer_result),
        cmocka_unit_test(test_bad_word_error_reaches_caller),
        cmocka_unit_test(test_async_result_fetchable_later),
        cmocka_unit_test(test_both_consumer_groups_receive_every_event),
        cmocka_unit_test(test_consumer_emits_to_another_services_topic),
        cmocka_unit_test(test_timeout_names_event_id),
        cmocka_unit_test(test_poison_message_goes_to_dead_letter_topic),
        cmocka_unit_test(test_all_forms_seen_from_another_process),
        cmocka_unit_test(test_bad_input_never_publishes),
        cmocka_unit_test(test_sigkilled_worker_loses_no_event),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
