/* test_pipeline_redis_down.c -- a worker whose Redis goes away: storing a
 * result is a transient failure, retried with backoff a bounded number of
 * times, then the event is dead-lettered with the reason and the partition
 * goes on; nothing is retried forever. Real Kafka (the test run's) and a
 * Redis of its own (scripts/redis-fixture.sh), stopped mid-test. */
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

#include "bus/producer.h"
#include "common/config.h"
#include "mm_test.h"
#include "service/consumer_runner.h"
#include "service/runtime.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "store/results.h"

static char redis_url[256], redis_dir[512];
static volatile sig_atomic_t stop_flag;
static int runner_rc;

static int handle(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    return mm_handler_emit(h, NULL, "Done", json_pack("{s:s}", "of", mm_event_id(ev)));
}

typedef struct ctx {
    mm_runtime rt;
    mm_gql_schema *schema;
    mm_service *svc;
} ctx;

static void *run(void *arg) {
    ctx *c = arg;
    char err[512];
    mm_runner_options ro = {.stop_flag = &stop_flag};
    runner_rc = mm_consumer_runner_run(&c->rt, c->schema, mm_service_find_consumer(c->svc, "w"),
                                       &ro, err, sizeof err);
    if (runner_rc < 0) fprintf(stderr, "runner: %s\n", err);
    return NULL;
}

static int fixture(const char *verb, const char *dir) {
    char script[1024];
    snprintf(script, sizeof script, "%s/scripts/redis-fixture.sh", getenv("MM_SOURCE_DIR"));
    char *argv[] = {"/bin/bash", script, (char *)verb, (char *)dir, NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 30000);
    for (char *line = out ? strtok(out, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "MM_TEST_REDIS_URL=", 18) == 0)
            snprintf(redis_url, sizeof redis_url, "%s", line + 18);
        if (strncmp(line, "MM_REDIS_FIXTURE_DIR=", 21) == 0)
            snprintf(redis_dir, sizeof redis_dir, "%s", line + 21);
    }
    if (rc) fprintf(stderr, "redis-fixture.sh %s: status %d: %s\n", verb, rc, err ? err : "");
    free(out);
    free(err);
    return rc;
}

static void send_event(mm_producer *p, const char *topic, char id[64]) {
    mm_event ev;
    mm_event_init(&ev);
    assert_int_equal(mm_event_create(&ev, topic, "Work", json_object()), 0);
    snprintf(id, 64, "%s", ev.id);
    char err[256];
    assert_int_equal(mm_producer_send_sync(p, topic, &ev, 30000, NULL, NULL, err, sizeof err), 0);
    mm_event_clear(&ev);
}

/* The DLQ reason of the message with ce_id id, or NULL after timeout_ms. */
static char *dlq_reason(const char *dlq, const char *id, int timeout_ms) {
    char err[256], *group = mm_test_unique_name("redisdown-dlq");
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, dlq, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    char *reason = NULL;
    long long deadline = mm_test_now_ms() + timeout_ms;
    while (!reason && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        rd_kafka_headers_t *h = NULL;
        const void *v;
        size_t len;
        if (!m->err && rd_kafka_message_headers(m, &h) == 0 &&
            rd_kafka_header_get_last(h, "ce_id", &v, &len) == 0 && len == strlen(id) &&
            memcmp(v, id, len) == 0 &&
            rd_kafka_header_get_last(h, MM_DLQ_HDR_REASON, &v, &len) == 0)
            reason = strndup(v, len);
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    free(group);
    return reason;
}

static void test_results_unstorable_are_dead_lettered(void **state) {
    (void)state;
    char err[512], id[64];
    assert_int_equal(fixture("start", NULL), 0);
    assert_true(redis_url[0] && redis_dir[0]);
    char *topic = mm_test_unique_name("redisdown");
    char dlq[300];
    snprintf(dlq, sizeof dlq, "%s.dlq", topic);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), topic, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), dlq, 1), 0);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    mm_config *cfg;
    assert_int_equal(mm_config_defaults(&cfg, err, sizeof err), 0);
    ctx c = {.svc = mm_service_new(topic)};
    assert_int_equal(mm_service_add_sdl(
                         c.svc, "type Work { id: String }\ntype Done { id: String of: String }\n"),
                     0);
    static const char *const types[] = {"Work", NULL};
    assert_int_equal(mm_service_add_consumer(c.svc, &(mm_consumer_def){.name = "w",
                                                                       .event_types = types,
                                                                       .save_result = 1,
                                                                       .handle = handle}),
                     0);
    c.schema = mm_services_build_schema(&c.svc, 1, NULL, 0, NULL, err, sizeof err);
    assert_non_null(c.schema);
    assert_int_equal(mm_runtime_open(&c.rt, cfg, MM_RUNTIME_WORKER, &c.svc, 1, err, sizeof err), 0);
    mm_producer *p = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    mm_result_store *results = mm_result_store_new(redis_url, NULL, 0, err, sizeof err);
    assert_non_null(p);
    assert_non_null(results);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run, &c), 0);

    /* Redis up: a result. */
    send_event(p, topic, id);
    json_t *doc = NULL;
    long long deadline = mm_test_now_ms() + 60000;
    while (mm_result_store_get(results, id, &doc, err, sizeof err) != 0 &&
           mm_test_now_ms() < deadline)
        usleep(20000);
    assert_non_null(doc);
    json_decref(doc);
    mm_result_store_free(results);

    /* Redis gone: bounded retries (about 9 s), then the DLQ, then the next. */
    assert_int_equal(fixture("stop", redis_dir), 0);
    redis_dir[0] = '\0';
    long long t0 = mm_test_now_ms();
    send_event(p, topic, id);
    char *reason = dlq_reason(dlq, id, 40000);
    long long took = mm_test_now_ms() - t0;
    assert_non_null(reason);
    assert_non_null(strstr(reason, "result not stored after 8 attempts"));
    free(reason);
    assert_true(took < 30000);
    char id2[64];
    send_event(p, topic, id2);
    reason = dlq_reason(dlq, id2, 40000); /* the partition goes on */
    assert_non_null(reason);
    free(reason);

    stop_flag = 1;
    pthread_join(t, NULL);
    assert_true(runner_rc >= 0);
    mm_producer_free(p);
    mm_runtime_close(&c.rt);
    mm_gql_schema_free(c.schema);
    mm_service_free(c.svc);
    mm_config_free(cfg);
    free(topic);
}

static int teardown(void **state) {
    (void)state;
    if (redis_dir[0]) fixture("stop", redis_dir);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_results_unstorable_are_dead_lettered, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
