/* test_worker_api.c -- a program runs a worker through mm_worker_* alone,
 * without gregor, against the run's real Kafka and Redis (from the
 * environment, as the configuration allows): an event published by a
 * server's mutation (mm_server_* in the same program) is handled by the
 * worker's consumer on the thread that called mm_worker_run, its result is
 * stored and read back through eventResult; a stop from a signal handler
 * ends mm_worker_run; a second consumer of the same service (its own group,
 * which reads its topic from the start) spends its max_messages budget on
 * that event and mm_worker_run says so; an unknown consumer is refused at
 * open, a stop before run returns at once, and the stop-bound watchdog does
 * not fire when the close is quick. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "mm_test.h"

static pthread_t run_thread;         /* the thread that calls mm_worker_run */
static atomic_int handled;           /* handler calls */
static atomic_int handled_elsewhere; /* ... on another thread than run_thread */
static atomic_int overruns;          /* on_stop_overrun calls */

static json_t *ping_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call;
    return json_pack("{s:O}", "n", json_object_get(args, "n"));
}

static int pong(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    atomic_fetch_add(&handled, 1);
    if (!pthread_equal(pthread_self(), run_thread)) atomic_fetch_add(&handled_elsewhere, 1);
    json_int_t n = json_integer_value(json_object_get(mm_event_data(ev), "n"));
    return mm_handler_emit(h, NULL, "PongEvent", json_pack("{s:I}", "n", n * 2));
}

static int count(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static mm_service *define(const char *name) {
    static const char *const pings[] = {"PingEvent", NULL};
    mm_service *svc = mm_service_new(name);
    assert_non_null(svc);
    assert_int_equal(mm_service_add_sdl(svc, "type Query { hello: String }\n"
                                             "type PingEvent { id: String n: Int }\n"
                                             "type PongEvent { id: String n: Int }\n"),
                     0);
    assert_int_equal(mm_service_add_mutation(svc, &(mm_mutation_def){.name = "ping",
                                                                     .arguments = "n: Int",
                                                                     .event_type = "PingEvent",
                                                                     .result_type = "PongEvent",
                                                                     .mutate_event = ping_event}),
                     0);
    assert_int_equal(mm_service_add_consumer(svc, &(mm_consumer_def){.name = "pong",
                                                                     .event_types = pings,
                                                                     .save_result = 1,
                                                                     .handle = pong}),
                     0);
    assert_int_equal(
        mm_service_add_consumer(
            svc, &(mm_consumer_def){.name = "count", .event_types = pings, .handle = count}),
        0);
    return svc;
}

static void *server_main(void *arg) {
    mm_server_run(arg);
    return NULL;
}

typedef struct worker_run {
    mm_worker *w;
    int rc;
    char err[512];
} worker_run;

static void *worker_main(void *arg) {
    worker_run *r = arg;
    r->rc = mm_worker_run(r->w, r->err, sizeof r->err);
    return NULL;
}

static mm_worker *the_worker;
static void on_sigusr2(int sig) {
    (void)sig;
    mm_worker_stop(the_worker); /* async-signal-safe */
}

static void on_overrun(void *ud, unsigned bound_ms) {
    (void)ud, (void)bound_ms;
    atomic_fetch_add(&overruns, 1);
}

static void test_worker_without_gregor(void **state) {
    (void)state;
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    setenv("MM_LOG_LEVEL", "warn", 1);
    char *name = mm_test_unique_name("mmwapi");
    for (char *c = name; *c; c++)
        if (*c == '-') *c = '_';
    mm_service *svc = define(name);
    char err[1024] = "";

    /* A server publishes the event (its mutation) and answers eventResult. */
    mm_server_options so = {.listen = "127.0.0.1:0", .shutdown_grace_ms = 2000};
    mm_server *s = mm_server_open(&svc, 1, &so, err, sizeof err);
    if (!s) fail_msg("mm_server_open: %s", err);
    pthread_t server_thread;
    assert_int_equal(pthread_create(&server_thread, NULL, server_main, s), 0);
    const char *url = mm_server_graphql_url(s);
    int status = 0;
    char *body = NULL;
    json_t *doc = NULL;
    const char *id = NULL;
    long long end = mm_test_now_ms() + 30000;
    do { /* until Kafka acknowledges it (the first publish creates the topic) */
        free(body);
        json_decref(doc);
        body = mm_test_post_graphql(url, "mutation { ping(n: 21) { data { id } } }", &status);
        doc = json_loads(body, 0, NULL);
        id = json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(doc, "data"), "ping"), "data"), "id"));
        if (!id) usleep(200 * 1000);
    } while (!id && mm_test_now_ms() < end);
    if (!id) fail_msg("the mutation was not published: %d %s", status, body);
    char *event_id = strdup(id);
    free(body);
    json_decref(doc);

    /* The worker, through the library alone. */
    mm_worker_options wo = {
        .consumer = "pong", .on_stop_overrun = on_overrun, .stop_bound_ms = 5000};
    mm_worker *w = mm_worker_open(&svc, 1, &wo, err, sizeof err);
    if (!w) fail_msg("mm_worker_open: %s", err);
    the_worker = w;
    struct sigaction sa = {.sa_handler = on_sigusr2};
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR2, &sa, NULL), 0);
    worker_run wr = {.w = w, .rc = -1};
    assert_int_equal(pthread_create(&run_thread, NULL, worker_main, &wr), 0);

    char q[512];
    snprintf(q, sizeof q, "{ eventResult(id: \\\"%s\\\") { status eventType data } }", event_id);
    const char *st = NULL;
    end = mm_test_now_ms() + 60000;
    doc = NULL;
    do {
        json_decref(doc);
        body = mm_test_post_graphql(url, q, &status);
        doc = json_loads(body, 0, NULL);
        free(body);
        st = json_string_value(json_object_get(
            json_object_get(json_object_get(doc, "data"), "eventResult"), "status"));
        if (!st) usleep(200 * 1000);
    } while (!st && mm_test_now_ms() < end);
    if (!st) fail_msg("no result stored for %s", event_id);
    json_t *er = json_object_get(json_object_get(doc, "data"), "eventResult");
    assert_string_equal(st, "ok");
    assert_string_equal(json_string_value(json_object_get(er, "eventType")), "PongEvent");
    json_t *data = json_loads(json_string_value(json_object_get(er, "data")), 0, NULL);
    assert_non_null(data);
    assert_int_equal(json_integer_value(json_object_get(data, "n")), 42);
    json_decref(data);
    json_decref(doc);
    assert_true(atomic_load(&handled) >= 1);
    assert_int_equal(atomic_load(&handled_elsewhere), 0); /* on mm_worker_run's thread */

    /* A stop from a signal handler ends mm_worker_run (0: stopped). */
    long long t0 = mm_test_now_ms();
    assert_int_equal(kill(getpid(), SIGUSR2), 0);
    assert_int_equal(pthread_join(run_thread, NULL), 0);
    if (wr.rc != 0) fail_msg("mm_worker_run: %d %s", wr.rc, wr.err);
    print_message("mm_worker_run returned %lld ms after the stop\n", mm_test_now_ms() - t0);
    assert_true(mm_test_now_ms() - t0 < 10000);
    assert_int_equal(atomic_load(&overruns), 0); /* closed well within its bound */
    mm_worker_stop(w);                           /* again: harmless */
    the_worker = NULL;
    mm_worker_free(w);

    /* Another consumer (its own group: reads the topic from the start)
     * spends a budget of one event: mm_worker_run returns 1. */
    mm_worker_options budget = {.consumer = name, .max_messages = 1};
    char qualified[256];
    snprintf(qualified, sizeof qualified, "%s.count", name);
    budget.consumer = qualified;
    w = mm_worker_open(&svc, 1, &budget, err, sizeof err);
    if (!w) fail_msg("mm_worker_open: %s", err);
    worker_run br = {.w = w, .rc = -1};
    assert_int_equal(pthread_create(&run_thread, NULL, worker_main, &br), 0);
    assert_int_equal(pthread_join(run_thread, NULL), 0); /* the budget ends it */
    if (br.rc != 1) fail_msg("mm_worker_run: %d %s", br.rc, br.err);
    mm_worker_free(w);

    mm_server_stop(s);
    assert_int_equal(pthread_join(server_thread, NULL), 0);
    mm_server_free(s);
    mm_service_free(svc);
    free(event_id);
    free(name);
}

/* Refusals at open; a stop before run returns at once. */
static void test_open_refusals_and_early_stop(void **state) {
    (void)state;
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    mm_service *svc = define("mmwapi_two");
    char err[1024] = "";
    mm_worker_options none = {0};
    assert_null(mm_worker_open(&svc, 1, &none, err, sizeof err));
    assert_non_null(strstr(err, "consumer is required"));
    mm_worker_options unknown = {.consumer = "nope"};
    assert_null(mm_worker_open(&svc, 1, &unknown, err, sizeof err));
    assert_string_equal(err, "no consumer named nope in the loaded services");
    mm_worker_options bad_config = {.consumer = "pong", .config_path = "/nonexistent/mm.yaml"};
    assert_null(mm_worker_open(&svc, 1, &bad_config, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/mm.yaml"));
    mm_worker_options opts = {.consumer = "mmwapi_two.pong"};
    mm_worker *w = mm_worker_open(&svc, 1, &opts, err, sizeof err);
    if (!w) fail_msg("mm_worker_open: %s", err);
    mm_worker_stop(w);
    long long t0 = mm_test_now_ms();
    assert_int_equal(mm_worker_run(w, err, sizeof err), 0);
    assert_true(mm_test_now_ms() - t0 < 1000);
    mm_worker_free(w);
    mm_worker_free(NULL);
    mm_worker_stop(NULL);
    mm_service_free(svc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worker_without_gregor),
        cmocka_unit_test(test_open_refusals_and_early_stop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
