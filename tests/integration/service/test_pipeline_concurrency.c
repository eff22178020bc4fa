/* test_pipeline_concurrency.c -- a consumer with concurrency 4 against the
 * real Kafka broker and Redis: handlers run on 4 threads at once, yet events
 * with the same Kafka key are handled one after the other in the order they
 * were published, and every event gets its result. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/producer.h"
#include "common/config.h"
#include "mm_test.h"
#include "service/consumer_runner.h"
#include "service/runtime.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "store/results.h"

enum {
    KEYS = 4,
    PER_KEY = 50,
    N = KEYS * PER_KEY
};

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int last_seq[KEYS]; /* last sequence number handled per key */
static int order_violations;
static atomic_int running, max_running;
static volatile sig_atomic_t stop_flag;

static int ordered(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    int now = atomic_fetch_add(&running, 1) + 1;
    for (int m = atomic_load(&max_running);
         now > m && !atomic_compare_exchange_weak(&max_running, &m, now);) {
    }
    json_t *d = mm_event_data(ev);
    int key = (int)json_integer_value(json_object_get(d, "key"));
    int seq = (int)json_integer_value(json_object_get(d, "seq"));
    struct timespec ts = {0, (long)(rand() % 3) * 1000000L};
    nanosleep(&ts, NULL); /* let calls overlap */
    pthread_mutex_lock(&seen_lock);
    if (seq != last_seq[key] + 1) order_violations++;
    last_seq[key] = seq;
    pthread_mutex_unlock(&seen_lock);
    atomic_fetch_sub(&running, 1);
    return mm_handler_emit(h, NULL, "Handled", json_pack("{s:i,s:i}", "key", key, "seq", seq));
}

typedef struct ctx {
    mm_runtime rt;
    mm_gql_schema *schema;
    mm_service *svc;
    int rc;
} ctx;

static void *run(void *arg) {
    ctx *c = arg;
    char err[512];
    mm_runner_options ro = {.stop_flag = &stop_flag};
    c->rc = mm_consumer_runner_run(&c->rt, c->schema, mm_service_find_consumer(c->svc, "ordered"),
                                   &ro, err, sizeof err);
    if (c->rc < 0) fprintf(stderr, "runner: %s\n", err);
    return NULL;
}

static void test_per_key_order_with_concurrency(void **state) {
    (void)state;
    char err[512];
    char *topic = mm_test_unique_name("pipeconc");
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), topic, 1), 0);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    mm_config *cfg;
    assert_int_equal(mm_config_defaults(&cfg, err, sizeof err), 0);
    ctx c = {.svc = mm_service_new(topic)};
    assert_int_equal(mm_service_add_sdl(c.svc, "type Work { id: String key: Int seq: Int }\n"
                                               "type Handled { id: String key: Int seq: Int }\n"),
                     0);
    static const char *const types[] = {"Work", NULL};
    assert_int_equal(mm_service_add_consumer(c.svc, &(mm_consumer_def){.name = "ordered",
                                                                       .event_types = types,
                                                                       .save_result = 1,
                                                                       .handle = ordered,
                                                                       .concurrency = 4}),
                     0);
    c.schema = mm_services_build_schema(&c.svc, 1, NULL, 0, NULL, err, sizeof err);
    assert_non_null(c.schema);
    assert_int_equal(mm_runtime_open(&c.rt, cfg, MM_RUNTIME_WORKER, &c.svc, 1, err, sizeof err), 0);
    for (int k = 0; k < KEYS; k++) last_seq[k] = -1;

    /* Published first, so the worker finds a backlog and overlaps calls. */
    static char ids[N][64];
    for (int i = 0; i < N; i++) {
        int key = i % KEYS, seq = i / KEYS;
        mm_event ev;
        mm_event_init(&ev);
        assert_int_equal(
            mm_event_create(&ev, topic, "Work", json_pack("{s:i,s:i}", "key", key, "seq", seq)), 0);
        char k[16];
        snprintf(k, sizeof k, "key-%d", key);
        assert_int_equal(mm_event_set_key(&ev, k, strlen(k)), 0);
        snprintf(ids[i], 64, "%s", ev.id);
        assert_int_equal(mm_producer_send(c.rt.producer, topic, &ev, NULL, NULL, err, sizeof err),
                         0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(c.rt.producer, 30000), 0);

    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run, &c), 0);
    mm_result_store *results = mm_result_store_new(mm_test_redis_url(), NULL, 0, err, sizeof err);
    assert_non_null(results);
    long long deadline = mm_test_now_ms() + 60000;
    int stored = 0;
    for (int i = 0; i < N && mm_test_now_ms() < deadline;) {
        json_t *doc = NULL;
        if (mm_result_store_get(results, ids[i], &doc, err, sizeof err) == 0) {
            assert_string_equal(json_string_value(json_object_get(doc, "status")), "ok");
            json_decref(doc);
            stored++;
            i++;
        } else {
            usleep(10000);
        }
    }
    stop_flag = 1;
    pthread_join(t, NULL);
    mm_result_store_free(results);
    assert_int_equal(stored, N);
    assert_int_equal(order_violations, 0);
    for (int k = 0; k < KEYS; k++) assert_int_equal(last_seq[k], PER_KEY - 1);
    assert_true(atomic_load(&max_running) > 1); /* handlers did run at once */
    assert_true(c.rc >= 0);
    mm_runtime_close(&c.rt);
    mm_gql_schema_free(c.schema);
    mm_service_free(c.svc);
    mm_config_free(cfg);
    free(topic);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_per_key_order_with_concurrency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
