/* test_server_api.c -- a program serves GraphQL through mm_server_* alone,
 * without gregor: a service defined in-process, the run's real Kafka and
 * Redis (from the environment, as the configuration allows), a query
 * answered by its resolver (which runs off the I/O thread and reads state
 * from Redis), /readyz ready, and a stop from a signal handler ending
 * mm_server_run. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "mm_test.h"

static json_t *hello(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    json_t *v = NULL;
    int rc = mm_state_get(mm_resolve_state(info), "greeting", &v);
    if (rc == MM_ENOTFOUND) return json_string("world");
    if (rc) {
        mm_resolve_error(info, NULL, "state: %s", mm_strerror(rc));
        return NULL;
    }
    return v;
}

static mm_server *the_server;
static void on_sigusr1(int sig) {
    (void)sig;
    mm_server_stop(the_server); /* async-signal-safe */
}

static void *run_main(void *arg) {
    static int rc;
    rc = mm_server_run(arg);
    return &rc;
}

static char *get(const char *url, int *status) {
    char *argv[] = {"/usr/bin/curl", "-s", "-w",        "\n%{http_code}",
                    "--max-time",    "10", (char *)url, NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err, 15000), 0);
    free(err);
    char *nl = strrchr(out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    *status = atoi(nl + 1);
    return out;
}

static void test_serve_without_gregor(void **state) {
    (void)state;
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    char *name = mm_test_unique_name("mmapi");
    for (char *c = name; *c; c++)
        if (*c == '-') *c = '_';
    mm_service *svc = mm_service_new(name);
    assert_non_null(svc);
    assert_int_equal(mm_service_add_sdl(svc, "type Query { hello: String }"), 0);
    assert_int_equal(mm_service_add_resolver(svc, "Query", "hello", hello, NULL), 0);

    char err[1024] = "";
    mm_server_options opts = {.listen = "127.0.0.1:0", .shutdown_grace_ms = 2000};
    mm_server *s = mm_server_open(&svc, 1, &opts, err, sizeof err);
    if (!s) fail_msg("mm_server_open: %s", err);
    assert_true(mm_server_port(s) > 0);
    const char *url = mm_server_graphql_url(s);
    assert_non_null(strstr(url, "http://127.0.0.1:"));

    the_server = s;
    struct sigaction sa = {.sa_handler = on_sigusr1};
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, NULL), 0);
    pthread_t runner;
    assert_int_equal(pthread_create(&runner, NULL, run_main, s), 0);

    char q[512];
    snprintf(q, sizeof q, "%s?query=%%7B%%20hello%%20%%7D", url);
    int status;
    char *body = get(q, &status);
    assert_int_equal(status, 200);
    assert_string_equal(body, "{\"data\":{\"hello\":\"world\"}}");
    free(body);

    char ready[512];
    snprintf(ready, sizeof ready, "%.*s/readyz", (int)(strlen(url) - strlen("/graphql")), url);
    long long end = mm_test_now_ms() + 15000;
    do {
        body = get(ready, &status);
        free(body);
        if (status == 200) break;
        usleep(100 * 1000);
    } while (mm_test_now_ms() < end);
    assert_int_equal(status, 200);

    /* A stop from a signal handler ends mm_server_run. */
    long long t0 = mm_test_now_ms();
    assert_int_equal(kill(getpid(), SIGUSR1), 0);
    void *ret;
    assert_int_equal(pthread_join(runner, &ret), 0);
    assert_int_equal(*(int *)ret, 0);
    assert_true(mm_test_now_ms() - t0 < 5000);
    mm_server_stop(s); /* again: harmless */
    mm_server_free(s);
    mm_service_free(svc);
    free(name);
}

/* stop before run: run returns at once; a bad listen address is refused. */
static void test_stop_before_run_and_bad_listen(void **state) {
    (void)state;
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", mm_test_redis_url(), 1);
    mm_service *svc = mm_service_new("mmapi_two");
    assert_int_equal(mm_service_add_sdl(svc, "type Query { x: Int }"), 0);
    char err[1024] = "";
    mm_server_options bad = {.listen = "nowhere"};
    assert_null(mm_server_open(&svc, 1, &bad, err, sizeof err));
    assert_non_null(strstr(err, "HOST:PORT"));
    mm_server_options opts = {.listen = "127.0.0.1:0"};
    mm_server *s = mm_server_open(&svc, 1, &opts, err, sizeof err);
    if (!s) fail_msg("mm_server_open: %s", err);
    mm_server_stop(s);
    long long t0 = mm_test_now_ms();
    assert_int_equal(mm_server_run(s), 0);
    assert_true(mm_test_now_ms() - t0 < 3000);
    mm_server_free(s);
    mm_service_free(svc);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serve_without_gregor),
        cmocka_unit_test(test_stop_before_run_and_bad_listen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
