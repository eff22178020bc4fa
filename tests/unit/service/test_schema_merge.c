/* test_schema_merge.c -- one schema from many services: generated mutation
 * SDL in Graphene's shape, root types merged, and conflicts refused with
 * messages that name the services. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "graphql/graphql.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"

static json_t *no_event(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call, (void)args;
    return json_object();
}

static int no_handler(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static json_t *answer_42(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    return json_integer(42);
}

static mm_service *service(const char *name, const char *sdl) {
    mm_service *s = mm_service_new(name);
    assert_non_null(s);
    if (sdl) assert_int_equal(mm_service_add_sdl(s, sdl), 0);
    return s;
}

static char *print_merged(mm_service **svcs, size_t n) {
    char err[1024];
    mm_gql_schema *schema = mm_services_build_schema(svcs, n, NULL, 0, NULL, err, sizeof err);
    if (!schema) fail_msg("schema: %s", err);
    char *sdl = mm_gql_schema_print(schema);
    mm_gql_schema_free(schema);
    return sdl;
}

static void test_mutation_sdl_has_graphene_shape(void **state) {
    (void)state;
    mm_service *s = service("orders", "type OrderPlaced { id: String total: Int }\n"
                                      "type PlaceOrderEvent { id: String item: String }\n");
    assert_int_equal(
        mm_service_add_mutation(
            s, &(mm_mutation_def){.name = "placeOrder",
                                  .arguments = "item: String!",
                                  .event_type = "PlaceOrderEvent",
                                  .result_type = "OrderPlaced",
                                  .timings = MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS,
                                  .default_timing = MM_TIMING_SYNCHRONOUS,
                                  .mutate_event = no_event}),
        0);
    assert_int_equal(mm_service_add_mutation(s, &(mm_mutation_def){.name = "placeOrderLater",
                                                                   .event_type = "PlaceOrderEvent",
                                                                   .mutate_event = no_event}),
                     0);
    char *sdl = print_merged(&s, 1);
    /* Both timings: the description says what an asynchronous answer holds. */
    assert_non_null(strstr(sdl,
                           "type PlaceOrder {\n  \"\"\"\n  synchronous: the consumer's result. "
                           "asynchronous: the published PlaceOrderEvent's fields that OrderPlaced "
                           "also has (`id` is the event id, for `eventResult(id:)`); the others "
                           "are null.\n  \"\"\"\n  data: OrderPlaced\n}"));
    assert_non_null(strstr(sdl, "type PlaceOrderLater {\n  data: PlaceOrderEvent\n}"));
    assert_non_null(strstr(
        sdl, "placeOrder(timing: MutationTimings = synchronous, item: String!): PlaceOrder"));
    assert_non_null(strstr(sdl, "placeOrderLater: PlaceOrderLater"));
    assert_non_null(strstr(sdl, "enum MutationTimings {\n  synchronous\n  asynchronous\n}"));
    assert_non_null(strstr(sdl, "eventResult(id: ID!): EventResult"));
    free(sdl);
    mm_service_free(s);
}

static void test_root_types_of_services_merge(void **state) {
    (void)state;
    mm_service *a = service("alpha", "\"\"\"alpha's queries\"\"\"\ntype Query { alpha: Int }\n");
    mm_service *b = service("beta", "type Query { beta: Int }\nextend type Query { beta2: Int }\n");
    assert_int_equal(mm_service_add_resolver(a, "Query", "alpha", answer_42, NULL), 0);
    mm_service *svcs[] = {a, b};
    char err[1024];
    mm_gql_schema *schema = mm_services_build_schema(svcs, 2, NULL, 0, NULL, err, sizeof err);
    if (!schema) fail_msg("%s", err);
    char *sdl = mm_gql_schema_print(schema);
    assert_non_null(strstr(sdl, "alpha: Int"));
    assert_non_null(strstr(sdl, "beta: Int"));
    assert_non_null(strstr(sdl, "beta2: Int"));
    assert_null(strstr(sdl, "type Mutation")); /* nobody has mutations */
    free(sdl);
    /* The bound resolver answers through the engine. */
    mm_graphql_request_params p = {
        .query = "{ alpha beta }", .query_length = 14, .allow_mutation = true};
    mm_graphql_outcome outcome;
    json_t *resp = mm_graphql_execute_request(schema, NULL, &p, &outcome);
    assert_int_equal(outcome, MM_GRAPHQL_EXECUTED);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(resp, "data"), "alpha")),
                     42);
    assert_true(json_is_null(json_object_get(json_object_get(resp, "data"), "beta")));
    json_decref(resp);
    mm_gql_schema_free(schema);
    mm_service_free(a);
    mm_service_free(b);
}

static void expect_error(mm_service **svcs, size_t n, const char *expect) {
    char err[1024] = "";
    mm_gql_schema *schema = mm_services_build_schema(svcs, n, NULL, 0, NULL, err, sizeof err);
    if (schema) {
        mm_gql_schema_free(schema);
        fail_msg("expected an error containing '%s'", expect);
    }
    if (!strstr(err, expect)) fail_msg("error '%s' does not contain '%s'", err, expect);
}

static void test_conflicts_name_both_services(void **state) {
    (void)state;
    mm_service *a = service("alpha", "type Thing { id: String }\ntype Query { a: Int }\n");
    mm_service *b = service("beta", "type Thing { id: String }\n");
    mm_service *svcs[] = {a, b};
    expect_error(svcs, 2, "services alpha and beta both define type Thing");
    mm_service_free(b);

    b = service("beta", "type BetaEvent { id: String }\n");
    assert_int_equal(
        mm_service_add_mutation(
            a, &(mm_mutation_def){.name = "doIt", .event_type = "Thing", .mutate_event = no_event}),
        0);
    assert_int_equal(mm_service_add_mutation(b, &(mm_mutation_def){.name = "doIt",
                                                                   .event_type = "BetaEvent",
                                                                   .mutate_event = no_event}),
                     0);
    svcs[1] = b;
    expect_error(svcs, 2, "DoIt");
    mm_service_free(a);
    mm_service_free(b);

    a = service("alpha", "type MutationTimings { x: Int }\n");
    expect_error(&a, 1, "type MutationTimings is defined by the framework");
    mm_service_free(a);

    a = service("alpha", "schema { query: Q }\ntype Q { a: Int }\n");
    expect_error(&a, 1, "may not declare `schema`");
    mm_service_free(a);

    a = service("alpha", "type Query { a: Int \n");
    expect_error(&a, 1, "service alpha: SDL line 2");
    mm_service_free(a);

    a = service("alpha", "type Query { a: Int }\n");
    assert_int_equal(mm_service_add_resolver(a, "Query", "nope", answer_42, NULL), 0);
    expect_error(&a, 1, "service alpha: resolver for Query.nope: no such field");
    mm_service_free(a);

    a = service("alpha", "type Query { a: Int }\n");
    mm_service *again = service("alpha", NULL);
    mm_service *twice[] = {a, again};
    expect_error(twice, 2, "service alpha is loaded twice");
    mm_service_free(a);
    mm_service_free(again);
}

/* Two services (or a service and the manager's fields) that both declare a
 * scalar mean the same scalar: the merge keeps one declaration. Found when
 * `gregor serve --manager --app forms.so` refused to start ("There can be
 * only one type named DateTime"). */
static void test_shared_scalar_declarations_merge(void **state) {
    (void)state;
    mm_service *a = service("alpha", "scalar When\ntype Query { a: When }\n");
    mm_service *b = service("beta", "\"\"\"b's view\"\"\"\nscalar When\ntype Query { b: When }\n");
    mm_service *svcs[] = {a, b};
    mm_schema_extra extra = {"manager-like", "scalar When\nextend type Query { c: When }\n", NULL,
                             NULL};
    char err[1024];
    mm_gql_schema *schema = mm_services_build_schema(svcs, 2, &extra, 1, NULL, err, sizeof err);
    if (!schema) fail_msg("%s", err);
    char *sdl = mm_gql_schema_print(schema);
    assert_non_null(strstr(sdl, "scalar When"));
    assert_null(strstr(strstr(sdl, "scalar When") + 1, "scalar When")); /* declared once */
    assert_non_null(strstr(sdl, "c: When"));
    free(sdl);
    mm_gql_schema_free(schema);
    mm_service_free(a);
    mm_service_free(b);
}

static void test_definition_checks(void **state) {
    (void)state;
    assert_null(mm_service_new("bad name"));
    assert_null(mm_service_new(""));
    mm_service *s = service("ok", NULL);
    assert_int_equal(mm_service_add_mutation(s, &(mm_mutation_def){.name = "not-a-name",
                                                                   .event_type = "E",
                                                                   .mutate_event = no_event}),
                     MM_EINVAL);
    assert_int_equal(mm_service_add_mutation(s, &(mm_mutation_def){.name = "m", .event_type = "E"}),
                     MM_EINVAL); /* no callback */
    assert_int_equal(mm_service_add_mutation(s, &(mm_mutation_def){.name = "m",
                                                                   .event_type = "E",
                                                                   .topic = "bad topic",
                                                                   .mutate_event = no_event}),
                     MM_EINVAL);
    assert_int_equal(
        mm_service_add_mutation(
            s, &(mm_mutation_def){.name = "m", .event_type = "E", .mutate_event = no_event}),
        0);
    assert_int_equal(
        mm_service_add_mutation(
            s, &(mm_mutation_def){.name = "m", .event_type = "E", .mutate_event = no_event}),
        MM_EEXIST);
    static const char *const bad_topics[] = {"ok", "no/slash", NULL};
    assert_int_equal(
        mm_service_add_consumer(
            s, &(mm_consumer_def){.name = "c", .topics = bad_topics, .handle = no_handler}),
        MM_EINVAL);
    assert_int_equal(
        mm_service_add_consumer(s, &(mm_consumer_def){.name = "c", .handle = no_handler}), 0);
    assert_int_equal(
        mm_service_add_consumer(s, &(mm_consumer_def){.name = "c", .handle = no_handler}),
        MM_EEXIST);
    const mm_consumer_spec *c = mm_service_find_consumer(s, "c");
    assert_non_null(c);
    assert_string_equal(c->group_id, "c");   /* default group: the name */
    assert_string_equal(c->topics[0], "ok"); /* default topic: the service */
    assert_null(c->topics[1]);
    assert_null(c->event_types); /* every type */
    const mm_mutation_spec *m = s->mutations[0];
    assert_string_equal(m->topic, "ok");
    assert_int_equal(m->timings, MM_TIMING_ASYNCHRONOUS);
    assert_false(m->timing_argument);
    mm_service_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutation_sdl_has_graphene_shape),
        cmocka_unit_test(test_root_types_of_services_merge),
        cmocka_unit_test(test_conflicts_name_both_services),
        cmocka_unit_test(test_shared_scalar_declarations_merge),
        cmocka_unit_test(test_definition_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
