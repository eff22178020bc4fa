/* test_gateway.c -- HTTP requests whose GraphQL field waits on a deferred:
 * answered when it settles from another thread, and answered by the server
 * (504) when it does not, with a late settle after that still safe; and
 * service resolvers (which may block on Redis) run on a dispatch thread,
 * never on the HTTP I/O thread, with their errors intact. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graphql/execution/execute.h"
#include "http/http_server.h"
#include "mm_test.h"
#include "service/gateway.h"
#include "service/schema_merge.h"

static mm_gql_deferred *parked; /* the deferred the "later" field left behind */
static pthread_mutex_t parked_lock = PTHREAD_MUTEX_INITIALIZER;

static void *settle_soon(void *arg) {
    usleep(50 * 1000);
    mm_gql_deferred_resolve(arg, json_string("settled"));
    return NULL;
}

static json_t *soon(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    pthread_t t;
    pthread_create(&t, NULL, settle_soon, d);
    pthread_detach(t);
    return NULL;
}

/* An object field settled from another thread; its nested field "where"
 * runs in the step that resumes the request: on which thread? */
static void *settle_obj_soon(void *arg) {
    usleep(50 * 1000);
    mm_gql_deferred_resolve(arg, json_object());
    return NULL;
}
static json_t *soon_obj(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    pthread_t t;
    pthread_create(&t, NULL, settle_obj_soon, d);
    pthread_detach(t);
    return NULL;
}
static volatile int where_on_io_thread = -1;
static pthread_t where_thread;
static json_t *where(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    where_on_io_thread = mm_gateway_on_io_thread();
    where_thread = pthread_self();
    return json_string("here");
}

static json_t *later(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    pthread_mutex_lock(&parked_lock);
    parked = mm_gql_resolve_defer(info);
    pthread_mutex_unlock(&parked_lock);
    return NULL;
}

/* A service resolver: where does it run? It blocks a little, as a
 * resolver reading state from Redis would. */
static volatile int slow_on_io_thread = -1;
static mm_dispatch *volatile slow_pool;
static json_t *slow(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    slow_on_io_thread = mm_gateway_on_io_thread();
    slow_pool = mm_dispatch_current();
    usleep(100 * 1000);
    return json_string("done");
}

/* Outlasts the request deadline: the server answers 504 while it runs. */
static volatile int stuck_done = 0;
static json_t *stuck(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    usleep(3000 * 1000);
    stuck_done = 1;
    return json_string("too late");
}

/* Declared non-blocking: runs inline on the I/O thread. */
static volatile int quick_on_io_thread = -1;
static pthread_t quick_thread;
static json_t *quick(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    quick_on_io_thread = mm_gateway_on_io_thread();
    quick_thread = pthread_self();
    return json_string("fast");
}

static json_t *failing(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_resolve_error(info, json_pack("{s:s}", "code", "NOPE"), "no %s", "way");
    return NULL;
}

static int status_of_accept(const char *url, const char *query, const char *accept, char **body) {
    char data[256], accept_header[128];
    snprintf(data, sizeof data, "{\"query\":\"%s\"}", query);
    snprintf(accept_header, sizeof accept_header, "accept: %s", accept);
    char *argv[] = {"/usr/bin/curl",
                    "-s",
                    "-o",
                    "/dev/stdout",
                    "-w",
                    "\n%{http_code}",
                    "-X",
                    "POST",
                    "-H",
                    "content-type: application/json",
                    "-H",
                    accept_header,
                    "--data-binary",
                    data,
                    (char *)url,
                    NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 20000);
    free(err);
    assert_int_equal(rc, 0);
    char *nl = strrchr(out, '\n');
    assert_non_null(nl);
    *nl = '\0';
    int status = atoi(nl + 1);
    *body = out;
    return status;
}

static int status_of(const char *url, const char *query, char **body) {
    return status_of_accept(url, query, "*/*", body);
}

static void test_deferred_fields_over_http(void **state) {
    (void)state;
    mm_service *s = mm_service_new("gw");
    assert_int_equal(mm_service_add_sdl(s, "type Query { soon: String later: String slow: String "
                                           "failing: String stuck: String quick: String "
                                           "soonObj: Obj } type Obj { where: String }"),
                     0);
    assert_int_equal(
        mm_service_add_resolver_flags(s, "Query", "quick", quick, NULL, MM_RESOLVER_NONBLOCKING),
        0);
    assert_int_equal(mm_service_add_resolver_flags(s, "Query", "quick", quick, NULL, 8), MM_EINVAL);
    assert_int_equal(mm_service_add_resolver(s, "Query", "stuck", stuck, NULL), 0);
    assert_int_equal(mm_service_add_resolver(s, "Query", "slow", slow, NULL), 0);
    assert_int_equal(mm_service_add_resolver(s, "Query", "failing", failing, NULL), 0);
    char err[512];
    mm_gql_schema *schema = mm_services_build_schema(&s, 1, NULL, 0, NULL, err, sizeof err);
    assert_non_null(schema);
    /* Engine-level resolvers that defer by themselves (as the framework's
     * eventResult and mutations do); service resolvers cannot defer. */
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Query", "soon", soon, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Query", "later", later, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Query", "soonObj", soon_obj, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Obj", "where", where, NULL), 0);
    mm_dispatch *dispatch = mm_dispatch_start(2);
    mm_dispatch *blocking = mm_dispatch_start(2);
    mm_gateway gw = {.schema = schema, .dispatch = dispatch, .blocking = blocking};
    mm_graphql_options_init(&gw.options);
    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.port = 0;
    hc.request_timeout_ms = 2000; /* ample for "soon" (50 ms) on a loaded machine */
    hc.disable_access_log = 1;
    mm_http_server *server = mm_http_server_new(&hc, mm_gateway_handle, &gw);
    assert_non_null(server);
    assert_int_equal(mm_http_server_start(server), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/graphql", (unsigned)mm_http_server_port(server));

    char *body;
    assert_int_equal(status_of(url, "{ soon }", &body), 200);
    assert_string_equal(body, "{\"data\":{\"soon\":\"settled\"}}");
    free(body);

    /* Nobody settles: the server answers at the deadline... */
    assert_int_equal(status_of(url, "{ later }", &body), 504);
    free(body);
    /* ...and a settle that comes afterwards is dropped safely. */
    pthread_mutex_lock(&parked_lock);
    assert_non_null(parked);
    mm_gql_deferred_resolve(parked, json_string("too late"));
    parked = NULL;
    pthread_mutex_unlock(&parked_lock);

    /* The server still serves. */
    assert_int_equal(status_of(url, "{ soon }", &body), 200);
    free(body);

    /* The one resume path: a request woken from another thread goes on on
     * its connection's I/O thread, where its first step ran. */
    assert_int_equal(status_of(url, "{ quick soonObj { where } }", &body), 200);
    assert_string_equal(body, "{\"data\":{\"quick\":\"fast\",\"soonObj\":{\"where\":\"here\"}}}");
    free(body);
    assert_int_equal(where_on_io_thread, 1);
    assert_true(pthread_equal(where_thread, quick_thread));

    /* A service resolver runs on a dispatch thread, not the I/O thread. */
    assert_int_equal(status_of(url, "{ slow soon }", &body), 200);
    assert_string_equal(body, "{\"data\":{\"slow\":\"done\",\"soon\":\"settled\"}}");
    free(body);
    assert_int_equal(slow_on_io_thread, 0);
    assert_ptr_equal(slow_pool, blocking);
    assert_int_equal(status_of(url, "{ quick }", &body), 200);
    assert_string_equal(body, "{\"data\":{\"quick\":\"fast\"}}");
    free(body);
    assert_int_equal(quick_on_io_thread, 1);
    /* A second root field's blocking resolver, reached on a dispatch
     * thread after the first was handed off, is handed off too. */
    slow_on_io_thread = -1;
    slow_pool = NULL;
    assert_int_equal(status_of(url, "{ soon slow }", &body), 200);
    free(body);
    assert_int_equal(slow_on_io_thread, 0);
    assert_ptr_equal(slow_pool, blocking);
    /* Its error keeps message and extensions. */
    assert_int_equal(status_of(url, "{ failing slow }", &body), 200);
    assert_non_null(strstr(body, "\"message\":\"no way\""));
    assert_non_null(strstr(body, "\"code\":\"NOPE\""));
    assert_non_null(strstr(body, "\"slow\":\"done\""));
    free(body);

    /* The deadline passes while a resolver is offloaded: 504 at once, and
     * the request is freed only once the resolver has finished with it. */
    assert_int_equal(status_of(url, "{ stuck }", &body), 504);
    free(body);
    assert_int_equal(stuck_done, 0);
    for (int i = 0; i < 50 && !stuck_done; i++) usleep(100 * 1000);
    assert_int_equal(stuck_done, 1);
    usleep(100 * 1000);
    assert_int_equal(status_of(url, "{ slow }", &body), 200);
    free(body);

    mm_http_server_stop(server, 1000);
    mm_http_server_free(server);
    mm_dispatch_free(blocking);
    mm_dispatch_free(dispatch);
    mm_gql_schema_free(schema);
    mm_service_free(s);
}

/* A resolver that works until the engine says stop (at most 20 s). */
static json_t *spin(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    for (int i = 0; i < 20000 && !mm_resolve_should_stop(info); i++) usleep(1000);
    return json_string("spun");
}

static void *stop_soon(void *arg) {
    usleep(300 * 1000);
    mm_gateway_stop_by(arg, 0);
    return NULL;
}

/* Shutdown: mm_gateway_stop_by stops an execution whose resolver is running
 * (offloaded to the blocking pool: its value is dropped once it returns),
 * which answers with SHUTTING_DOWN (so the server's threads can be joined). */
static void test_stop_by_stops_a_running_request(void **state) {
    (void)state;
    mm_service *s = mm_service_new("gw");
    assert_int_equal(mm_service_add_sdl(s, "type Query { spin: String }"), 0);
    assert_int_equal(mm_service_add_resolver(s, "Query", "spin", spin, NULL), 0);
    char err[512];
    mm_gql_schema *schema = mm_services_build_schema(&s, 1, NULL, 0, NULL, err, sizeof err);
    assert_non_null(schema);
    mm_dispatch *dispatch = mm_dispatch_start(1);
    mm_gateway gw = {.schema = schema, .dispatch = dispatch};
    mm_graphql_options_init(&gw.options);
    gw.options.stop_at_ns = &gw.stop_at_ns;
    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.port = 0;
    hc.disable_access_log = 1;
    mm_http_server *server = mm_http_server_new(&hc, mm_gateway_handle, &gw);
    assert_non_null(server);
    assert_int_equal(mm_http_server_start(server), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/graphql", (unsigned)mm_http_server_port(server));
    pthread_t t;
    pthread_create(&t, NULL, stop_soon, &gw);
    char *body;
    assert_int_equal(status_of(url, "{ spin }", &body), 200);
    pthread_join(t, NULL);
    assert_non_null(strstr(body, "\"code\":\"SHUTTING_DOWN\""));
    assert_non_null(strstr(body, "\"data\":null"));
    free(body);
    mm_http_server_stop(server, 1000);
    mm_http_server_free(server);
    mm_dispatch_free(dispatch);
    mm_gql_schema_free(schema);
    mm_service_free(s);
}

/* Works until mm_resolve_should_stop says stop (at most 20 s), on the I/O
 * thread (declared non-blocking). */
static volatile int spin_stopped;
static json_t *spin_inline(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    for (int i = 0; i < 20000; i++) {
        if (mm_resolve_should_stop(info)) {
            spin_stopped = 1;
            return NULL;
        }
        usleep(1000);
    }
    return json_string("spun");
}

static json_t *big(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    char s[512];
    memset(s, 'x', sizeof s - 1);
    s[sizeof s - 1] = '\0';
    return json_string(s);
}

/* A stopped execution answers with an honest status: with
 * graphql-response+json a request error (no "data") and 413 (response cap,
 * field budget) or 504 (deadline); with application/json 200 and "data":
 * null (docs/http.md). The deadline reaches a running resolver through
 * mm_resolve_should_stop. */
static void test_stopped_requests_status(void **state) {
    (void)state;
    mm_service *s = mm_service_new("gw");
    assert_int_equal(mm_service_add_sdl(s, "type Query { spin: String big: String }"), 0);
    assert_int_equal(mm_service_add_resolver_flags(s, "Query", "spin", spin_inline, NULL,
                                                   MM_RESOLVER_NONBLOCKING),
                     0);
    assert_int_equal(
        mm_service_add_resolver_flags(s, "Query", "big", big, NULL, MM_RESOLVER_NONBLOCKING), 0);
    char err[512];
    mm_gql_schema *schema = mm_services_build_schema(&s, 1, NULL, 0, NULL, err, sizeof err);
    assert_non_null(schema);
    mm_dispatch *dispatch = mm_dispatch_start(1);
    mm_gateway gw = {.schema = schema, .dispatch = dispatch};
    mm_graphql_options_init(&gw.options);
    gw.options.execution_timeout_ms = 200;
    gw.options.max_response_bytes = 1024;
    gw.options.max_field_resolutions = 3;
    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.port = 0;
    hc.disable_access_log = 1;
    mm_http_server *server = mm_http_server_new(&hc, mm_gateway_handle, &gw);
    assert_non_null(server);
    assert_int_equal(mm_http_server_start(server), 0);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/graphql", (unsigned)mm_http_server_port(server));
    const char *modern = "application/graphql-response+json";
    char *body;

    /* The deadline, seen by the resolver itself. */
    spin_stopped = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(status_of_accept(url, "{ spin }", modern, &body), 504);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_true(spin_stopped);
    assert_true(t1.tv_sec - t0.tv_sec < 10);
    assert_non_null(strstr(body, "\"code\":\"EXECUTION_TIMEOUT\""));
    assert_null(strstr(body, "\"data\""));
    json_t *parsed = json_loads(body, 0, NULL); /* still valid JSON after the cut */
    assert_non_null(parsed);
    assert_non_null(json_object_get(parsed, "errors"));
    json_decref(parsed);
    free(body);
    assert_int_equal(status_of_accept(url, "{ spin }", "application/json", &body), 200);
    assert_non_null(strstr(body, "\"code\":\"EXECUTION_TIMEOUT\""));
    assert_non_null(strstr(body, "\"data\":null"));
    free(body);

    /* The response cap (3 x 512 bytes > 1024). */
    assert_int_equal(status_of_accept(url, "{ a: big b: big c: big }", modern, &body), 413);
    assert_non_null(strstr(body, "\"code\":\"RESPONSE_TOO_LARGE\""));
    assert_null(strstr(body, "\"data\""));
    free(body);
    assert_int_equal(status_of(url, "{ a: big b: big c: big }", &body), 200);
    assert_non_null(strstr(body, "\"code\":\"RESPONSE_TOO_LARGE\""));
    assert_non_null(strstr(body, "\"data\":null"));
    free(body);

    /* The field budget (4 fields > 3). */
    const char *four = "{ a: __typename b: __typename c: __typename d: __typename }";
    assert_int_equal(status_of_accept(url, four, modern, &body), 413);
    assert_non_null(strstr(body, "\"code\":\"FIELD_LIMIT_EXCEEDED\""));
    free(body);

    /* Within every bound: 200 with data either way. */
    assert_int_equal(status_of_accept(url, "{ a: big }", modern, &body), 200);
    assert_non_null(strstr(body, "\"data\":{\"a\":\"xxx"));
    free(body);

    mm_http_server_stop(server, 1000);
    mm_http_server_free(server);
    mm_dispatch_free(dispatch);
    mm_gql_schema_free(schema);
    mm_service_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_deferred_fields_over_http),
        cmocka_unit_test(test_stop_by_stops_a_running_request),
        cmocka_unit_test(test_stopped_requests_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
