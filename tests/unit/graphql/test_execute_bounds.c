/* test_execute_bounds.c -- bounded requests (graphql.h options, execute.h
 * STOPPING): the execution time budget stops a long execution between
 * fields, a cancel flag set from another thread stops it, the shared stop
 * time (shutdown) stops it, the response-size cap and the field budget stop
 * it with their clear errors, the static cost refuses an alias or fragment
 * explosion before any resolver runs, waiting on a deferred does not count
 * as running time, and the document cache keeps to its byte budget. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphql/validation/cost.h"
#include "graphql/graphql.h"
#include "graphql/language/parser.h"

static const char sdl[] = "type Item { id: Int  name: String }\n"
                          "type Query {\n"
                          "  items(n: Int!): [Item]\n"
                          "  badItems(n: Int!): [Item]\n"
                          "  nums(n: Int!): [Int]\n"
                          "  slow: Int\n"
                          "  spin: Int\n"
                          "  later: Int\n"
                          "  hello: String\n"
                          "}\n";

static mm_gql_schema *schema;
static atomic_int resolver_calls;
static _Atomic(mm_gql_deferred *) pending_deferred;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static json_t *items(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)info;
    atomic_fetch_add(&resolver_calls, 1);
    json_int_t n = json_integer_value(json_object_get(args, "n"));
    json_t *list = json_array();
    for (json_int_t i = 0; i < n; i++) {
        /* badItems: a name that is not a String, so every item's name is a field error */
        json_t *name = ud ? json_object() : json_string("an item with a name");
        json_array_append_new(list, json_pack("{s:I,s:o}", "id", i, "name", name));
    }
    return list;
}

static json_t *nums(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    json_int_t n = json_integer_value(json_object_get(args, "n"));
    json_t *list = json_array();
    for (json_int_t i = 0; i < n; i++) json_array_append_new(list, json_integer(i));
    return list;
}

static json_t *slow(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    atomic_fetch_add(&resolver_calls, 1);
    sleep_ms(1);
    return json_integer(1);
}

/* A resolver doing long work that asks whether to go on (at most 10 s). */
static json_t *spin(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    atomic_fetch_add(&resolver_calls, 1);
    for (int i = 0; i < 10000 && !mm_gql_resolve_should_stop(info); i++) sleep_ms(1);
    return json_integer(2);
}

static json_t *later(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    pending_deferred = mm_gql_resolve_defer(info);
    return NULL;
}

static json_t *hello(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    atomic_fetch_add(&resolver_calls, 1);
    return json_string("hi");
}

static int setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"bounds", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) return -1;
    static int bad = 1;
    return mm_gql_schema_set_resolver(schema, "Query", "items", items, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "badItems", items, &bad) |
           mm_gql_schema_set_resolver(schema, "Query", "nums", nums, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "slow", slow, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "spin", spin, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "later", later, NULL) |
           mm_gql_schema_set_resolver(schema, "Query", "hello", hello, NULL);
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    return 0;
}

/* "{ a0: field a1: field ... }" with n aliases (malloc'd). */
static char *aliases(const char *field, int n) {
    size_t cap = (size_t)n * (strlen(field) + 16) + 8, len = 0;
    char *q = malloc(cap);
    len += (size_t)snprintf(q + len, cap - len, "{");
    for (int i = 0; i < n; i++) len += (size_t)snprintf(q + len, cap - len, " a%d: %s", i, field);
    snprintf(q + len, cap - len, " }");
    return q;
}

typedef struct result {
    mm_graphql_outcome outcome;
    mm_gql_stop_reason stop;
    char *text;
    size_t len;
} result;

/* Runs a request on this thread to the end. */
static result run_with(const mm_graphql_options *opts, const char *query,
                       const atomic_bool *cancel) {
    mm_graphql_request_params p = {.query = query, .query_length = strlen(query), .cancel = cancel};
    mm_graphql_request *req = mm_graphql_request_start(schema, opts, &p);
    assert_non_null(req);
    assert_int_not_equal(mm_graphql_request_outcome(req), MM_GRAPHQL_PENDING);
    result r = {.outcome = mm_graphql_request_outcome(req),
                .stop = mm_graphql_request_stop_reason(req)};
    r.text = mm_graphql_request_take_response_text(req, &r.len);
    assert_non_null(r.text);
    mm_graphql_request_free(req);
    return r;
}

static void options(mm_graphql_options *opts) {
    mm_graphql_options_init(opts);
    opts->max_aliases = 0;
    opts->max_cost = 0;
    opts->max_field_resolutions = 0;
    opts->max_response_bytes = 0;
    opts->execution_timeout_ms = 0;
}

static void test_defaults(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    assert_int_equal(opts.max_cost, MM_GRAPHQL_DEFAULT_MAX_COST);
    assert_int_equal(opts.max_field_resolutions, MM_GRAPHQL_DEFAULT_MAX_FIELD_RESOLUTIONS);
    assert_int_equal(opts.max_response_bytes, MM_GRAPHQL_DEFAULT_MAX_RESPONSE_BYTES);
    assert_int_equal(opts.execution_timeout_ms, MM_GRAPHQL_DEFAULT_EXECUTION_TIMEOUT_MS);
    /* an ordinary request is untouched by the bounds */
    result r = run_with(&opts, "{ items(n: 3) { id name } }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_NONE);
    assert_string_equal(r.text, "{\"data\":{\"items\":[{\"id\":0,\"name\":\"an item with a name\"},"
                                "{\"id\":1,\"name\":\"an item with a "
                                "name\"},{\"id\":2,\"name\":\"an item with a name\"}]}}");
    free(r.text);
}

/* 2,000 fields of 1 ms each against a 50 ms budget: stopped between fields. */
static void test_deadline_stops_between_fields(void **state) {
    (void)state;
    mm_graphql_options opts;
    options(&opts);
    opts.execution_timeout_ms = 50;
    char *q = aliases("slow", 2000);
    atomic_store(&resolver_calls, 0);
    uint64_t t0 = now_ms();
    result r = run_with(&opts, q, NULL);
    uint64_t took = now_ms() - t0;
    assert_int_equal(r.outcome, MM_GRAPHQL_EXECUTED);
    assert_int_equal(r.stop, MM_GQL_STOP_TIMEOUT);
    assert_string_equal(
        r.text,
        "{\"errors\":[{\"message\":\"Execution stopped: it ran longer than the limit of 50 ms.\","
        "\"extensions\":{\"code\":\"EXECUTION_TIMEOUT\"}}],\"data\":null}");
    /* checked every MM_GQL_CHECK_INTERVAL fields: at most that many after
     * the deadline (the whole run would take at least 2 s; the bound on
     * the time is loose for a loaded machine) */
    int calls = atomic_load(&resolver_calls);
    assert_true(calls < 2000);
    assert_true(took < 1500);
    printf("deadline 50 ms: stopped after %d fields, %llu ms\n", calls, (unsigned long long)took);
    free(r.text);
    free(q);
}

typedef struct flag_setter {
    atomic_bool *flag;
    _Atomic uint_least64_t *stop_at;
    long after_ms;
} flag_setter;

static void *set_later(void *arg) {
    flag_setter *f = arg;
    sleep_ms(f->after_ms);
    if (f->flag) atomic_store(f->flag, true);
    if (f->stop_at) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        atomic_store(f->stop_at, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
    }
    return NULL;
}

/* Another thread sets the request's cancel flag while it runs here. */
static void test_cancel_from_another_thread(void **state) {
    (void)state;
    mm_graphql_options opts;
    options(&opts);
    atomic_bool cancel = false;
    char *q = aliases("slow", 3000);
    atomic_store(&resolver_calls, 0);
    flag_setter f = {.flag = &cancel, .after_ms = 30};
    pthread_t t;
    pthread_create(&t, NULL, set_later, &f);
    uint64_t t0 = now_ms();
    result r = run_with(&opts, q, &cancel);
    uint64_t took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_CANCELLED);
    assert_string_equal(r.text,
                        "{\"errors\":[{\"message\":\"Execution was cancelled.\","
                        "\"extensions\":{\"code\":\"EXECUTION_CANCELLED\"}}],\"data\":null}");
    /* the flag is read per field: it stops at the next one */
    assert_true(atomic_load(&resolver_calls) < 3000);
    assert_true(took < 2000);
    free(r.text);

    /* a resolver doing long work asks and returns early */
    atomic_store(&cancel, false);
    atomic_store(&resolver_calls, 0);
    pthread_create(&t, NULL, set_later, &f);
    t0 = now_ms();
    r = run_with(&opts, "{ spin hello }", &cancel);
    took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_CANCELLED);
    assert_int_equal(atomic_load(&resolver_calls), 1); /* hello never ran */
    assert_true(took < 2000);
    free(r.text);

    /* already set before the start: nothing resolves */
    atomic_store(&resolver_calls, 0);
    r = run_with(&opts, "{ hello }", &cancel);
    assert_int_equal(r.stop, MM_GQL_STOP_CANCELLED);
    assert_int_equal(atomic_load(&resolver_calls), 0);
    free(r.text);
    free(q);
}

/* The shared stop time (a server's shutdown deadline) stops every execution. */
static void test_shutdown_stop_time(void **state) {
    (void)state;
    _Atomic uint_least64_t stop_at = 0;
    mm_graphql_options opts;
    options(&opts);
    opts.stop_at_ns = &stop_at;
    char *q = aliases("slow", 3000);
    flag_setter f = {.stop_at = &stop_at, .after_ms = 30};
    pthread_t t;
    pthread_create(&t, NULL, set_later, &f);
    uint64_t t0 = now_ms();
    result r = run_with(&opts, q, NULL);
    uint64_t took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_SHUTDOWN);
    assert_non_null(strstr(r.text, "\"code\":\"SHUTTING_DOWN\""));
    assert_true(took < 1500); /* the whole run would take at least 3 s */
    free(r.text);
    free(q);
}

static void test_response_cap(void **state) {
    (void)state;
    mm_graphql_options opts;
    options(&opts);
    opts.max_response_bytes = 64 * 1024;
    result r = run_with(&opts, "{ items(n: 100000) { id name } }", NULL);
    assert_int_equal(r.outcome, MM_GRAPHQL_EXECUTED);
    assert_int_equal(r.stop, MM_GQL_STOP_RESPONSE_TOO_LARGE);
    assert_string_equal(
        r.text, "{\"errors\":[{\"message\":\"Execution stopped: the response exceeds the limit of "
                "65536 bytes.\",\"extensions\":{\"code\":\"RESPONSE_TOO_LARGE\"}}],\"data\":null}");
    free(r.text);
    /* a long list of leaves (no field per item) is capped too */
    r = run_with(&opts, "{ nums(n: 1000000) }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_RESPONSE_TOO_LARGE);
    free(r.text);
    /* a flood of field errors counts against the cap */
    r = run_with(&opts, "{ badItems(n: 100000) { name } }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_RESPONSE_TOO_LARGE);
    assert_true(r.len < 2 * 64 * 1024);
    free(r.text);
    /* under the cap: the whole response */
    r = run_with(&opts, "{ items(n: 100) { id name } }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_NONE);
    assert_true(r.len < 64 * 1024 && r.len > 3000);
    free(r.text);
}

static void test_json_writer_limit(void **state) {
    (void)state;
    mm_json_writer w = MM_JSON_WRITER_INIT;
    w.limit = 5000;
    for (int i = 0; i < 1000 && !w.failed; i++) {
        mm_json_put(&w, "0123456789", 10);
        assert_true(w.cap <= 5001); /* never grows past the limit */
    }
    assert_true(w.failed);
    assert_true(w.over_limit);
    assert_null(mm_json_writer_take(&w, NULL));
    mm_json_writer_release(&w);
    /* exactly the limit fits */
    w.limit = 20;
    mm_json_put(&w, "01234567890123456789", 20);
    size_t len;
    char *s = mm_json_writer_take(&w, &len);
    assert_non_null(s);
    assert_int_equal(len, 20);
    free(s);
}

static void test_field_budget(void **state) {
    (void)state;
    mm_graphql_options opts;
    options(&opts);
    opts.max_field_resolutions = 1000;
    mm_graphql_request_params p = {.query = "{ items(n: 100000) { id name } }"};
    p.query_length = strlen(p.query);
    mm_graphql_request *req = mm_graphql_request_start(schema, &opts, &p);
    assert_int_equal(mm_graphql_request_stop_reason(req), MM_GQL_STOP_FIELD_LIMIT);
    char *s = mm_graphql_request_take_response_text(req, NULL);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Execution stopped: the operation resolves more than the "
           "limit of 1000 "
           "fields.\",\"extensions\":{\"code\":\"FIELD_LIMIT_EXCEEDED\"}}],\"data\":null}");
    free(s);
    mm_graphql_request_free(req);
    /* exactly the budget passes: 1 + 333 * 3 = 1000 */
    result r = run_with(&opts, "{ items(n: 333) { id name __typename } }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_NONE);
    free(r.text);
    r = run_with(&opts, "{ items(n: 334) { id name __typename } }", NULL);
    assert_int_equal(r.stop, MM_GQL_STOP_FIELD_LIMIT);
    free(r.text);
}

/* 1,000 aliases of a list field: refused by the static cost, nothing resolved. */
static void test_cost_refuses_alias_explosion(void **state) {
    (void)state;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.cache = mm_graphql_cache_new(8);
    /* 1,000 aliases of a list of 100,000 items, 6 fields each: 6,000 */
    char *q = aliases("items(n: 100000) { id name __typename ... on Item { id name } }", 1000);
    for (int round = 0; round < 2; round++) { /* the second from the cache */
        atomic_store(&resolver_calls, 0);
        result r = run_with(&opts, q, NULL);
        assert_int_equal(r.outcome, MM_GRAPHQL_VALIDATION_ERROR);
        assert_string_equal(
            r.text, "{\"errors\":[{\"message\":\"The operation selects more than the limit of 5000 "
                    "fields (aliases and fragment spreads counted each time).\","
                    "\"extensions\":{\"code\":\"COST_LIMIT_EXCEEDED\"}}]}");
        assert_int_equal(atomic_load(&resolver_calls), 0);
        free(r.text);
    }
    free(q);
    /* up to the limit is allowed */
    opts.max_aliases = 0;
    q = aliases("items(n: 1) { id }", 2500); /* 5000 */
    result r = run_with(&opts, q, NULL);
    assert_int_equal(r.outcome, MM_GRAPHQL_EXECUTED);
    free(r.text);
    free(q);
    q = aliases("items(n: 1) { id }", 2501); /* 5002 */
    r = run_with(&opts, q, NULL);
    assert_int_equal(r.outcome, MM_GRAPHQL_VALIDATION_ERROR);
    free(r.text);
    free(q);
    mm_graphql_cache_free(opts.cache);
}

/* Fragments spread twice at each of 40 levels: 2^40 fields in a small
 * document, found out quickly (each fragment is counted once). */
static void test_cost_expands_fragments(void **state) {
    (void)state;
    char q[8192];
    size_t len = (size_t)snprintf(q, sizeof q, "{ ...F40 } fragment F0 on Query { hello }");
    for (int i = 1; i <= 40; i++)
        len += (size_t)snprintf(q + len, sizeof q - len, " fragment F%d on Query { ...F%d ...F%d }",
                                i, i - 1, i - 1);
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    atomic_store(&resolver_calls, 0);
    uint64_t t0 = now_ms();
    result r = run_with(&opts, q, NULL);
    assert_true(now_ms() - t0 < 1000);
    assert_int_equal(r.outcome, MM_GRAPHQL_VALIDATION_ERROR);
    assert_non_null(strstr(r.text, "COST_LIMIT_EXCEEDED"));
    assert_int_equal(atomic_load(&resolver_calls), 0);
    free(r.text);

    /* the exact count below the limit */
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *doc_text =
        "query Q { a: items(n: 1) { id ...N } b: hello ... on Query { c: hello } ...N2 }"
        " fragment N on Item { name id } fragment N2 on Query { d: items(n: 2) { ...N } }";
    mm_gql_document *doc =
        mm_gql_parse(&arena, doc_text, strlen(doc_text), &mm_gql_default_parse_limits, &errors);
    assert_non_null(doc);
    const mm_gql_operation *op = mm_gql_get_operation(doc, NULL);
    /* a(1) + id + N(2) + b + c + d(1) + N(2) = 9 */
    assert_int_equal(mm_gql_operation_cost(doc, op, 100, &arena), 9);
    assert_true(mm_gql_operation_cost(doc, op, 5, &arena) > 5);
    size_t *costs = mm_gql_document_costs(doc, 100, &arena);
    assert_int_equal(costs[0], 9);
    assert_int_equal(costs[1], 0);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

/* The GraphiQL introspection query is far below the default cost. */
static void test_cost_of_introspection(void **state) {
    (void)state;
    const char *root = getenv("MM_SOURCE_DIR");
    if (!root) fail_msg("MM_SOURCE_DIR is not set (run through ctest)");
    char path[4096];
    snprintf(path, sizeof path, "%s/bench/graphql/introspection.graphql", root);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, text, n, &mm_gql_default_parse_limits, &errors);
    assert_non_null(doc);
    size_t cost = mm_gql_operation_cost(doc, mm_gql_get_operation(doc, NULL), SIZE_MAX - 1, &arena);
    printf("introspection query cost: %zu\n", cost);
    assert_true(cost < MM_GRAPHQL_DEFAULT_MAX_COST / 10);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

static void *settle_later(void *arg) {
    (void)arg;
    while (!atomic_load(&pending_deferred)) sleep_ms(1);
    sleep_ms(150);
    mm_gql_deferred_resolve(atomic_exchange(&pending_deferred, NULL), json_integer(7));
    return NULL;
}

/* Waiting on a deferred root field is not running: a 150 ms wait under a
 * 50 ms budget completes. */
static void test_waiting_is_not_running(void **state) {
    (void)state;
    mm_graphql_options opts;
    options(&opts);
    opts.execution_timeout_ms = 50;
    pthread_t t;
    pthread_create(&t, NULL, settle_later, NULL);
    mm_graphql_request_params p = {.query = "{ later hello }"};
    p.query_length = strlen(p.query);
    mm_graphql_outcome oc;
    json_t *res = mm_graphql_execute_request(schema, &opts, &p, &oc);
    pthread_join(t, NULL);
    char *s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(s, "{\"data\":{\"later\":7,\"hello\":\"hi\"}}");
    free(s);
    json_decref(res);
}

/* Distinct documents of ~30 KB each through a cache of 256 KiB: the bytes
 * stay under the budget, the oldest are evicted, and a document larger than
 * the whole budget is answered but not kept. */
static void test_cache_byte_budget(void **state) {
    (void)state;
    const size_t budget = 256 * 1024;
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    opts.cache = mm_graphql_cache_new_bounded(1000, budget);
    size_t bytes, size, last_bytes = 0;
    uint64_t evictions, hits, misses;
    for (int i = 0; i < 60; i++) {
        char *body = aliases("hello", 300), q[8192];
        snprintf(q, sizeof q, "query Q%d %s", i, body);
        free(body);
        result r = run_with(&opts, q, NULL);
        assert_int_equal(r.outcome, MM_GRAPHQL_EXECUTED);
        free(r.text);
        mm_graphql_cache_usage(opts.cache, &bytes, &evictions);
        assert_true(bytes <= budget);
        assert_true(bytes > 0);
        if (i == 0) last_bytes = bytes;
    }
    mm_graphql_cache_usage(opts.cache, &bytes, &evictions);
    mm_graphql_cache_stats(opts.cache, &hits, &misses, &size);
    assert_true(evictions > 0);
    assert_int_equal(size + evictions, 60);
    /* the count is honest: every entry holds at least its text */
    assert_true(last_bytes > 300 * 10);
    assert_true(size * last_bytes <= budget + last_bytes);
    /* the most recent is still there */
    char *body = aliases("hello", 300), q59[8192];
    snprintf(q59, sizeof q59, "query Q59 %s", body);
    free(body);
    result r = run_with(&opts, q59, NULL);
    free(r.text);
    mm_graphql_cache_stats(opts.cache, &hits, NULL, NULL);
    assert_int_equal(hits, 1);
    /* larger than the whole budget: answered, never kept */
    size_t before_size = size;
    char *q = aliases("hello", 12000);
    opts.max_aliases = 0;
    opts.max_cost = 0;
    r = run_with(&opts, q, NULL);
    assert_int_equal(r.outcome, MM_GRAPHQL_EXECUTED);
    free(r.text);
    free(q);
    mm_graphql_cache_stats(opts.cache, NULL, NULL, &size);
    assert_int_equal(size, before_size);
    mm_graphql_cache_free(opts.cache);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_deadline_stops_between_fields),
        cmocka_unit_test(test_cancel_from_another_thread),
        cmocka_unit_test(test_shutdown_stop_time),
        cmocka_unit_test(test_response_cap),
        cmocka_unit_test(test_json_writer_limit),
        cmocka_unit_test(test_field_budget),
        cmocka_unit_test(test_cost_refuses_alias_explosion),
        cmocka_unit_test(test_cost_expands_fragments),
        cmocka_unit_test(test_cost_of_introspection),
        cmocka_unit_test(test_waiting_is_not_running),
        cmocka_unit_test(test_cache_byte_budget),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
