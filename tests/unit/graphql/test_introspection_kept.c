/* test_introspection_kept.c -- an operation selecting only introspection
 * (no variables) is answered from the response kept with its cached
 * document (graphql.c): the same text as executing it, counted in the
 * cache's byte budget, within each request's own bounds (a smaller response
 * cap or field budget executes and stops as before), and never for an
 * operation with variables or with another root field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/graphql.h"

static const char sdl[] = "\"The root\" type Query { hello: String  n: Int }\n";
static mm_gql_schema *schema;
static int hello_calls;

static json_t *hello(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    hello_calls++;
    return json_string("hi");
}

static int setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"kept", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) return -1;
    return mm_gql_schema_set_resolver(schema, "Query", "hello", hello, NULL);
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    return 0;
}

/* The response text of one request; *stop gets the stop reason. */
static char *ask(const mm_graphql_options *opts, const char *query, const char *vars,
                 const char *op, mm_gql_stop_reason *stop) {
    json_t *v = vars ? json_loads(vars, 0, NULL) : NULL;
    mm_graphql_request_params p = {
        .query = query, .query_length = strlen(query), .variables = v, .operation_name = op};
    mm_graphql_request *req = mm_graphql_request_start(schema, opts, &p);
    json_decref(v);
    assert_non_null(req);
    assert_int_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_EXECUTED);
    if (stop) *stop = mm_graphql_request_stop_reason(req);
    size_t len = 0;
    char *text = mm_graphql_request_take_response_text(req, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    mm_graphql_request_free(req);
    return text;
}

static const char intro[] = "query I { __schema { queryType { name description fields { name } } "
                            "types { name kind } } __typename ...F }\n"
                            "fragment F on Query { __type(name: \"Query\") { name } }\n"
                            "query H { hello }";

static void test_kept_and_answered(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    /* Executed without a cache: the reference text. */
    char *plain = ask(&opts, intro, NULL, "I", NULL);
    assert_non_null(strstr(plain, "\"description\":\"The root\""));

    opts.cache = mm_graphql_cache_new(8);
    char *first = ask(&opts, intro, NULL, "I", NULL);
    size_t bytes_kept;
    mm_graphql_cache_usage(opts.cache, &bytes_kept, NULL);
    char *second = ask(&opts, intro, "{\"ignored\": 1}", "I", NULL);
    assert_string_equal(first, plain);
    assert_string_equal(second, plain);
    size_t bytes;
    mm_graphql_cache_usage(opts.cache, &bytes, NULL);
    assert_int_equal(bytes, bytes_kept); /* kept once */

    /* The other operation of the same document still runs its resolver. */
    hello_calls = 0;
    for (int i = 0; i < 2; i++) {
        char *h = ask(&opts, intro, NULL, "H", NULL);
        assert_string_equal(h, "{\"data\":{\"hello\":\"hi\"}}");
        free(h);
    }
    assert_int_equal(hello_calls, 2);

    /* The same document in a cache that did not keep it (the first answer
     * was stopped by the cap): the difference is the kept response. */
    mm_graphql_options small = opts;
    small.cache = mm_graphql_cache_new(8);
    small.max_response_bytes = 64;
    mm_gql_stop_reason stop;
    free(ask(&small, intro, NULL, "I", &stop));
    assert_int_equal(stop, MM_GQL_STOP_RESPONSE_TOO_LARGE);
    size_t bytes_not_kept;
    mm_graphql_cache_usage(small.cache, &bytes_not_kept, NULL);
    assert_true(bytes_kept >= bytes_not_kept + strlen(plain));
    mm_graphql_cache_free(small.cache);

    /* A request with a smaller cap or field budget than the kept response
     * needs executes and stops, as it would have without the cache. */
    small.cache = opts.cache;
    free(ask(&small, intro, NULL, "I", &stop));
    assert_int_equal(stop, MM_GQL_STOP_RESPONSE_TOO_LARGE);
    small.max_response_bytes = 0;
    small.max_field_resolutions = 3;
    free(ask(&small, intro, NULL, "I", &stop));
    assert_int_equal(stop, MM_GQL_STOP_FIELD_LIMIT);

    free(plain);
    free(first);
    free(second);
    mm_graphql_cache_free(opts.cache);
}

static void test_not_kept(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.cache = mm_graphql_cache_new(8);
    /* Variables: each request gets its own answer. */
    const char *q = "query($x: Boolean!) { __schema { queryType @include(if: $x) { name } } }";
    for (int i = 0; i < 2; i++) {
        char *yes = ask(&opts, q, "{\"x\": true}", NULL, NULL);
        char *no = ask(&opts, q, "{\"x\": false}", NULL, NULL);
        assert_string_equal(yes, "{\"data\":{\"__schema\":{\"queryType\":{\"name\":\"Query\"}}}}");
        assert_string_equal(no, "{\"data\":{\"__schema\":{}}}");
        free(yes);
        free(no);
    }
    /* Another root field beside introspection: its resolver runs each time. */
    hello_calls = 0;
    for (int i = 0; i < 3; i++) free(ask(&opts, "{ __typename hello }", NULL, NULL, NULL));
    assert_int_equal(hello_calls, 3);
    /* The same through a fragment. */
    for (int i = 0; i < 2; i++)
        free(ask(&opts, "{ __typename ...F } fragment F on Query { hello }", NULL, NULL, NULL));
    assert_int_equal(hello_calls, 5);
    mm_graphql_cache_free(opts.cache);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_and_answered),
        cmocka_unit_test(test_not_kept),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
