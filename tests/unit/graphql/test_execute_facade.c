/* test_execute_facade.c -- the engine facade (graphql.h): each outcome the
 * HTTP layer maps to a status code, the response shapes graphql-http sends
 * (errors first; no "data" before execution), GET mutations refused, limits,
 * a deferred request through start/wake/run, cancellation, and many threads
 * running requests on one schema at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/graphql.h"

static const char sdl[] =
    "type Query { hello(name: String = \"world\"): String  n: Int!  later: Int }\n"
    "type Mutation { bump(by: Int!): Int }\n"
    "type Subscription { tick: Int }\n";

static mm_gql_schema *schema;
static _Atomic(mm_gql_deferred *) pending_deferred;

static json_t *hello(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    char buf[128];
    snprintf(buf, sizeof buf, "hello %s", json_string_value(json_object_get(args, "name")));
    return json_string(buf);
}

static json_t *bump(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    return json_integer(json_integer_value(json_object_get(args, "by")) + 1);
}

static json_t *later(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    pending_deferred = mm_gql_resolve_defer(info);
    return NULL;
}

static int setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"facade", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) return -1;
    return mm_gql_schema_set_resolver(schema, "Query", "hello", hello, NULL) |
           mm_gql_schema_set_resolver(schema, "Mutation", "bump", bump, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "later", later, NULL);
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    return 0;
}

/* Runs a request (blocking) and returns the compact response; *oc gets the outcome. */
static char *run(const char *query, const char *vars, const char *op, bool post,
                 const mm_graphql_options *opts, mm_graphql_outcome *oc) {
    json_t *v = vars ? json_loads(vars, 0, NULL) : NULL;
    mm_graphql_request_params p = {.query = query,
                                   .query_length = strlen(query),
                                   .variables = v,
                                   .operation_name = op,
                                   .allow_mutation = post};
    json_t *res = mm_graphql_execute_request(schema, opts, &p, oc);
    json_decref(v);
    assert_non_null(res);
    char *s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(res);
    return s;
}

static void test_executed(void **state) {
    (void)state;
    mm_graphql_outcome oc;
    char *s =
        run("query Q($n: String) { hello(name: $n) }", "{\"n\": \"bob\"}", NULL, false, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    assert_string_equal(s, "{\"data\":{\"hello\":\"hello bob\"}}");
    free(s);
    /* a field error still counts as executed, with errors before data */
    s = run("{ hello n }", NULL, NULL, false, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Query.n.\","
           "\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"n\"]}],\"data\":null}");
    free(s);
}

static void test_parse_error(void **state) {
    (void)state;
    mm_graphql_outcome oc;
    char *s = run("{ hello ", NULL, NULL, false, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_PARSE_ERROR);
    assert_string_equal(s,
                        "{\"errors\":[{\"message\":\"Syntax Error: Expected Name, found <EOF>.\","
                        "\"locations\":[{\"line\":1,\"column\":9}]}]}");
    free(s);
}

static void test_parse_limit(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.parse.max_bytes = 8;
    mm_graphql_outcome oc;
    char *s = run("{ hello hello hello }", NULL, NULL, false, &opts, &oc);
    assert_int_equal(oc, MM_GRAPHQL_PARSE_ERROR);
    assert_non_null(strstr(s, "\"errors\""));
    assert_null(strstr(s, "\"data\""));
    free(s);
}

static void test_validation_error(void **state) {
    (void)state;
    mm_graphql_outcome oc;
    char *s = run("{ nope }", NULL, NULL, false, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_VALIDATION_ERROR);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Cannot query field \\\"nope\\\" on type \\\"Query\\\".\","
           "\"locations\":[{\"line\":1,\"column\":3}]}]}");
    free(s);
}

static void test_alias_limit(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.max_aliases = 2;
    mm_graphql_outcome oc;
    char *s = run("{ a: hello b: hello c: hello }", NULL, NULL, false, &opts, &oc);
    assert_int_equal(oc, MM_GRAPHQL_VALIDATION_ERROR);
    assert_null(strstr(s, "\"data\""));
    free(s);
    s = run("{ a: hello b: hello }", NULL, NULL, false, &opts, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    free(s);
}

static void test_operation_errors(void **state) {
    (void)state;
    mm_graphql_outcome oc;
    char *s = run("query A { hello } query B { hello }", NULL, NULL, true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_OPERATION_ERROR);
    assert_string_equal(s, "{\"errors\":[{\"message\":\"Must provide operation name if query "
                           "contains multiple operations.\"}]}");
    free(s);
    s = run("query A { hello }", NULL, "Z", true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_OPERATION_ERROR);
    assert_string_equal(s, "{\"errors\":[{\"message\":\"Unknown operation named \\\"Z\\\".\"}]}");
    free(s);
    s = run("query A { hello } query B { n }", NULL, "A", true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    assert_string_equal(s, "{\"data\":{\"hello\":\"hello world\"}}");
    free(s);
    s = run("subscription { tick }", NULL, NULL, true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_OPERATION_ERROR);
    assert_string_equal(s, "{\"errors\":[{\"message\":\"Subscriptions are not supported\"}]}");
    free(s);
}

static void test_variables_error(void **state) {
    (void)state;
    mm_graphql_outcome oc;
    char *s =
        run("mutation M($by: Int!) { bump(by: $by) }", "{\"by\": \"x\"}", NULL, true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_VARIABLES_ERROR);
    assert_string_equal(
        s,
        "{\"errors\":[{\"message\":\"Variable \\\"$by\\\" got invalid value \\\"x\\\"; Int cannot "
        "represent non-integer value: \\\"x\\\"\",\"locations\":[{\"line\":1,\"column\":12}]}]}");
    free(s);
}

static void test_mutation_over_get(void **state) {
    (void)state;
    mm_graphql_request_params p = {.query = "mutation { bump(by: 1) }", .allow_mutation = false};
    p.query_length = strlen(p.query);
    mm_graphql_request *req = mm_graphql_request_start(schema, NULL, &p);
    assert_non_null(req);
    assert_int_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_MUTATION_OVER_GET);
    assert_true(mm_graphql_request_is_mutation(req));
    json_t *res = mm_graphql_request_response(req);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(res, "errors"), 0), "message")),
                        "Cannot perform mutations over GET");
    json_decref(res);
    mm_graphql_request_free(req);
    /* the same over POST runs */
    mm_graphql_outcome oc;
    char *s = run("mutation { bump(by: 1) }", NULL, NULL, true, NULL, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    assert_string_equal(s, "{\"data\":{\"bump\":2}}");
    free(s);
    /* a query over GET is fine and is not a mutation */
    p.query = "{ hello }";
    p.query_length = strlen(p.query);
    req = mm_graphql_request_start(schema, NULL, &p);
    assert_int_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_EXECUTED);
    assert_false(mm_graphql_request_is_mutation(req));
    uint64_t pn = 0, vn = 0, en = 0;
    mm_graphql_request_timings(req, &pn, &vn, &en);
    assert_true(pn > 0 && vn > 0 && en > 0);
    mm_graphql_request_free(req);
}

static int woken;
static void on_wake(void *ud) {
    (void)ud;
    woken++;
}

static void test_pending_request(void **state) {
    (void)state;
    mm_graphql_request_params p = {.query = "{ hello later }", .wake = on_wake};
    p.query_length = strlen(p.query);
    woken = 0;
    mm_graphql_request *req = mm_graphql_request_start(schema, NULL, &p);
    assert_int_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_PENDING);
    assert_null(mm_graphql_request_response(req));
    assert_int_equal(mm_graphql_request_run(req), MM_GRAPHQL_PENDING);
    mm_gql_deferred_resolve(atomic_exchange(&pending_deferred, NULL), json_integer(7));
    assert_int_equal(woken, 1);
    assert_int_equal(mm_graphql_request_run(req), MM_GRAPHQL_EXECUTED);
    json_t *res = mm_graphql_request_response(req);
    char *s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(s, "{\"data\":{\"hello\":\"hello world\",\"later\":7}}");
    free(s);
    json_decref(res);
    mm_graphql_request_free(req);

    /* freed while pending, settled afterwards: no wake, no leak */
    woken = 0;
    req = mm_graphql_request_start(schema, NULL, &p);
    assert_int_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_PENDING);
    mm_graphql_request_cancel(req);
    mm_graphql_request_free(req);
    mm_gql_deferred_reject(atomic_exchange(&pending_deferred, NULL), NULL, "late");
    assert_int_equal(woken, 0);
}

static void *worker(void *arg) {
    long *failures = arg;
    for (int i = 0; i < 200; i++) {
        char q[64];
        snprintf(q, sizeof q, "{ a: hello(name: \"t%d\") b: hello }", i);
        mm_graphql_request_params p = {.query = q, .query_length = strlen(q)};
        mm_graphql_outcome oc;
        json_t *res = mm_graphql_execute_request(schema, NULL, &p, &oc);
        char want[64];
        snprintf(want, sizeof want, "hello t%d", i);
        const char *got = json_string_value(json_object_get(json_object_get(res, "data"), "a"));
        if (oc != MM_GRAPHQL_EXECUTED || !got || strcmp(got, want) != 0) (*failures)++;
        json_decref(res);
    }
    return NULL;
}

static void test_threads_share_one_schema(void **state) {
    (void)state;
    pthread_t t[4];
    long failures[4] = {0};
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, &failures[i]);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) assert_int_equal(failures[i], 0);
}

static void test_outcome_names(void **state) {
    (void)state;
    assert_string_equal(mm_graphql_outcome_name(MM_GRAPHQL_EXECUTED), "executed");
    assert_string_equal(mm_graphql_outcome_name(MM_GRAPHQL_MUTATION_OVER_GET), "mutation_over_get");
}

static void test_document_cache(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.cache = mm_graphql_cache_new(2);
    assert_non_null(opts.cache);
    mm_graphql_outcome oc;
    uint64_t hits, misses;
    size_t size;
    for (int i = 0; i < 3; i++) {
        char *s = run("query Q($n: String) { hello(name: $n) }", i == 2 ? "{\"n\": \"c\"}" : NULL,
                      NULL, false, &opts, &oc);
        assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
        assert_string_equal(s, i == 2 ? "{\"data\":{\"hello\":\"hello c\"}}"
                                      : "{\"data\":{\"hello\":\"hello world\"}}");
        free(s);
    }
    mm_graphql_cache_stats(opts.cache, &hits, &misses, &size);
    assert_int_equal(hits, 2);
    assert_int_equal(misses, 1);
    assert_int_equal(size, 1);
    /* invalid documents are answered every time and never kept */
    for (int i = 0; i < 2; i++) {
        char *s = run("{ nope }", NULL, NULL, false, &opts, &oc);
        assert_int_equal(oc, MM_GRAPHQL_VALIDATION_ERROR);
        free(s);
        s = run("{ hello ", NULL, NULL, false, &opts, &oc);
        assert_int_equal(oc, MM_GRAPHQL_PARSE_ERROR);
        free(s);
    }
    mm_graphql_cache_stats(opts.cache, &hits, &misses, &size);
    assert_int_equal(hits, 2);
    assert_int_equal(size, 1);
    /* a cached mutation is still refused over GET */
    char *s = run("mutation { bump(by: 2) }", NULL, NULL, true, &opts, &oc);
    assert_int_equal(oc, MM_GRAPHQL_EXECUTED);
    free(s);
    s = run("mutation { bump(by: 2) }", NULL, NULL, false, &opts, &oc);
    assert_int_equal(oc, MM_GRAPHQL_MUTATION_OVER_GET);
    free(s);
    /* capacity 2: a third document evicts the least recently used */
    s = run("{ a: hello }", NULL, NULL, false, &opts, &oc);
    free(s);
    mm_graphql_cache_stats(opts.cache, &hits, &misses, &size);
    assert_int_equal(size, 2);
    /* a request keeps its document alive after the cache is gone */
    mm_graphql_request_params p = {.query = "{ a: hello }", .wake = on_wake};
    p.query_length = strlen(p.query);
    mm_graphql_request *req = mm_graphql_request_start(schema, &opts, &p);
    mm_graphql_cache_free(opts.cache);
    json_t *res = mm_graphql_request_response(req);
    s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(s, "{\"data\":{\"a\":\"hello world\"}}");
    free(s);
    json_decref(res);
    mm_graphql_request_free(req);
}

static mm_graphql_cache *shared_cache;

static void *cached_worker(void *arg) {
    long *failures = arg;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.cache = shared_cache;
    for (int i = 0; i < 300; i++) {
        char q[64];
        snprintf(q, sizeof q, "{ a: hello(name: \"t%d\") }", i % 7); /* 7 documents, cache of 4 */
        mm_graphql_request_params p = {.query = q, .query_length = strlen(q)};
        mm_graphql_outcome oc;
        json_t *res = mm_graphql_execute_request(schema, &opts, &p, &oc);
        char want[64];
        snprintf(want, sizeof want, "hello t%d", i % 7);
        const char *got = json_string_value(json_object_get(json_object_get(res, "data"), "a"));
        if (oc != MM_GRAPHQL_EXECUTED || !got || strcmp(got, want) != 0) (*failures)++;
        json_decref(res);
    }
    return NULL;
}

static void test_cache_shared_by_threads(void **state) {
    (void)state;
    shared_cache = mm_graphql_cache_new(4);
    pthread_t t[4];
    long failures[4] = {0};
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, cached_worker, &failures[i]);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    for (int i = 0; i < 4; i++) assert_int_equal(failures[i], 0);
    uint64_t hits, misses;
    size_t size;
    mm_graphql_cache_stats(shared_cache, &hits, &misses, &size);
    assert_int_equal(hits + misses, 1200);
    assert_true(size <= 4);
    mm_graphql_cache_free(shared_cache);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_executed),
        cmocka_unit_test(test_parse_error),
        cmocka_unit_test(test_parse_limit),
        cmocka_unit_test(test_validation_error),
        cmocka_unit_test(test_alias_limit),
        cmocka_unit_test(test_operation_errors),
        cmocka_unit_test(test_variables_error),
        cmocka_unit_test(test_mutation_over_get),
        cmocka_unit_test(test_pending_request),
        cmocka_unit_test(test_threads_share_one_schema),
        cmocka_unit_test(test_outcome_names),
        cmocka_unit_test(test_document_cache),
        cmocka_unit_test(test_cache_shared_by_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
