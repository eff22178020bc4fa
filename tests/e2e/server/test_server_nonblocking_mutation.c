/* test_server_nonblocking_mutation.c -- MM_MUTATION_NONBLOCKING in a real
 * server (the run's Kafka and Redis): its mutate_event runs on the HTTP I/O
 * thread and the mutation still answers (asynchronous: the event's id once
 * Kafka acknowledged it; synchronous: its deadline's TIMEOUT, as no consumer
 * runs here; a refusal: mm_mutation_fail's error), while a mutation without
 * the flag runs on the blocking pool;
 * and a nonblocking mutation refused by a full producer queue answers at
 * once with SERVER_BUSY, publishing nothing. */
#include <pthread.h>
#include <setjmp.h>
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
#include "service/gateway.h"

/* Where the last mutate_event of each mutation ran: 1 the I/O thread,
 * 0 elsewhere, -1 not yet. */
static atomic_int fast_on_io = -1, slow_on_io = -1;

static json_t *fast_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud;
    atomic_store(&fast_on_io, mm_gateway_on_io_thread() ? 1 : 0);
    if (json_integer_value(json_object_get(args, "n")) < 0) {
        mm_mutation_fail(call, "BAD_USER_INPUT", "n must not be negative");
        return NULL;
    }
    return json_pack("{s:O}", "n", json_object_get(args, "n"));
}

static json_t *slow_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call;
    atomic_store(&slow_on_io, mm_gateway_on_io_thread() ? 1 : 0);
    return json_pack("{s:O}", "n", json_object_get(args, "n"));
}

static mm_service *define(const char *name) {
    mm_service *svc = mm_service_new(name);
    assert_non_null(svc);
    assert_int_equal(mm_service_add_sdl(svc, "type Query { hello: String }\n"
                                             "type PingEvent { id: String n: Int }\n"),
                     0);
    assert_int_equal(
        mm_service_add_mutation(svc,
                                &(mm_mutation_def){
                                    .name = "fast",
                                    .arguments = "n: Int",
                                    .event_type = "PingEvent",
                                    .timings = MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS,
                                    .timeout_ms = 300,
                                    .mutate_event = fast_event,
                                    .flags = MM_MUTATION_NONBLOCKING,
                                }),
        0);
    assert_int_equal(mm_service_add_mutation(svc,
                                             &(mm_mutation_def){
                                                 .name = "slow",
                                                 .arguments = "n: Int",
                                                 .event_type = "PingEvent",
                                                 .mutate_event = slow_event,
                                             }),
                     0);
    /* An unknown flag is refused. */
    assert_int_equal(mm_service_add_mutation(svc,
                                             &(mm_mutation_def){
                                                 .name = "odd",
                                                 .event_type = "PingEvent",
                                                 .mutate_event = slow_event,
                                                 .flags = 2,
                                             }),
                     MM_EINVAL);
    return svc;
}

static void *run_main(void *arg) {
    static int rc;
    rc = mm_server_run(arg);
    return &rc;
}

static void wait_ready(const char *url) {
    char ready[512];
    snprintf(ready, sizeof ready, "%.*s/readyz", (int)(strlen(url) - strlen("/graphql")), url);
    char *argv[] = {"/usr/bin/curl", "-s",         "-o", "/dev/null", "-w",
                    "%{http_code}",  "--max-time", "5",  ready,       NULL};
    long long end = mm_test_now_ms() + 30000;
    while (mm_test_now_ms() < end) {
        char *out = NULL, *err = NULL;
        assert_int_equal(mm_test_run(argv, &out, &err, 10000), 0);
        int ok = strcmp(out, "200") == 0;
        free(out);
        free(err);
        if (ok) return;
        usleep(100 * 1000);
    }
    fail_msg("%s never became ready", ready);
}

typedef struct server {
    mm_service *svc;
    mm_server *s;
    pthread_t runner;
    char *name;
} server;

static void start(server *sv) {
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    sv->name = mm_test_unique_name("mmnb");
    for (char *c = sv->name; *c; c++)
        if (*c == '-') *c = '_';
    sv->svc = define(sv->name);
    char err[1024] = "";
    mm_server_options opts = {.listen = "127.0.0.1:0", .shutdown_grace_ms = 5000};
    sv->s = mm_server_open(&sv->svc, 1, &opts, err, sizeof err);
    if (!sv->s) fail_msg("mm_server_open: %s", err);
    assert_int_equal(pthread_create(&sv->runner, NULL, run_main, sv->s), 0);
    wait_ready(mm_server_graphql_url(sv->s));
}

static void stop(server *sv) {
    mm_server_stop(sv->s);
    void *ret;
    assert_int_equal(pthread_join(sv->runner, &ret), 0);
    assert_int_equal(*(int *)ret, 0);
    mm_server_free(sv->s);
    mm_service_free(sv->svc);
    free(sv->name);
}

static void test_runs_on_the_io_thread_and_answers(void **state) {
    (void)state;
    server sv;
    start(&sv);
    const char *url = mm_server_graphql_url(sv.s);
    int status;

    /* Asynchronous: answered with the event once Kafka acknowledged it. */
    char *body = mm_test_post_graphql(
        url, "mutation { fast(n: 7, timing: asynchronous) { data { id n } } }", &status);
    assert_int_equal(status, 200);
    if (!strstr(body, "\"n\":7") || !strstr(body, "\"id\":\"") || strstr(body, "errors"))
        fail_msg("async answer: %s", body);
    free(body);
    assert_int_equal(atomic_load(&fast_on_io), 1);

    /* Synchronous: the waiter and deadline registered from the I/O thread
     * fire (no consumer here: the 300 ms deadline answers). */
    atomic_store(&fast_on_io, -1);
    long long t0 = mm_test_now_ms();
    body = mm_test_post_graphql(url, "mutation { fast(n: 8, timing: synchronous) { data { id } } }",
                                &status);
    long long took = mm_test_now_ms() - t0;
    assert_int_equal(status, 200);
    if (!strstr(body, "\"code\":\"TIMEOUT\"")) fail_msg("sync answer: %s", body);
    assert_true(took >= 250 && took < 10000);
    free(body);
    assert_int_equal(atomic_load(&fast_on_io), 1);

    /* Refused by mutate_event on the I/O thread: its error, nothing published. */
    body = mm_test_post_graphql(url, "mutation { fast(n: -1) { data { id } } }", &status);
    assert_int_equal(status, 200);
    if (!strstr(body, "\"code\":\"BAD_USER_INPUT\"") || !strstr(body, "must not be negative"))
        fail_msg("refused answer: %s", body);
    free(body);

    /* Without the flag: the blocking pool, and the same answer. */
    body = mm_test_post_graphql(url, "mutation { slow(n: 9) { data { id n } } }", &status);
    assert_int_equal(status, 200);
    if (!strstr(body, "\"n\":9") || strstr(body, "errors")) fail_msg("slow answer: %s", body);
    free(body);
    assert_int_equal(atomic_load(&slow_on_io), 0);
    stop(&sv);
}

typedef struct call {
    const char *url;
    char *body;
    int status;
} call;

static void *post_in_background(void *arg) {
    call *c = arg;
    c->body = mm_test_post_graphql(c->url, "mutation { fast(n: 1) { data { id n } } }", &c->status);
    return NULL;
}

/* The producer holds one message at most and lingers 2 s before sending
 * it: the first event fills the queue, the second is refused at once. */
static void test_full_producer_queue_is_server_busy(void **state) {
    (void)state;
    setenv("MM_KAFKA_PROP_QUEUE_BUFFERING_MAX_MESSAGES", "1", 1);
    setenv("MM_KAFKA_PROP_LINGER_MS", "2000", 1);
    server sv;
    start(&sv);
    unsetenv("MM_KAFKA_PROP_QUEUE_BUFFERING_MAX_MESSAGES");
    unsetenv("MM_KAFKA_PROP_LINGER_MS");
    const char *url = mm_server_graphql_url(sv.s);

    call first = {.url = url};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, post_in_background, &first), 0);
    usleep(500 * 1000); /* the first event sits in the queue (linger) */
    int status;
    long long t0 = mm_test_now_ms();
    char *body = mm_test_post_graphql(url, "mutation { fast(n: 2) { data { id n } } }", &status);
    long long took = mm_test_now_ms() - t0;
    assert_int_equal(status, 200);
    if (!strstr(body, "\"code\":\"SERVER_BUSY\"") || !strstr(body, "queue is full") ||
        !strstr(body, "\"fast\":null"))
        fail_msg("refused answer: %s (took %lld ms)", body, took);
    assert_true(took < 1000); /* refused, not waited for */
    free(body);

    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(first.status, 200);
    if (!strstr(first.body, "\"n\":1") || strstr(first.body, "errors"))
        fail_msg("first answer: %s", first.body);
    free(first.body);
    stop(&sv);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_on_the_io_thread_and_answers),
        cmocka_unit_test(test_full_producer_queue_is_server_busy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
