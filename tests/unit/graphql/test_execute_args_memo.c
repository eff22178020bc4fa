/* test_execute_args_memo.c -- arguments coerced once per field of a
 * collection and shared by the calls on every object it serves (execute.c):
 * each object still sees exactly its field's arguments (variables and
 * defaults included), the same field node under two runtime types gets each
 * type's own defaults, and a resolver that keeps or changes its (read-only)
 * arguments does not leak them into the next object's call. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

static const char sdl[] = "type Query { items: [Item] pets: [Pet] }\n"
                          "type Item { echo(a: Int = 1, b: String): String meddle(a: Int = 1): "
                          "String keep(a: Int = 1): String }\n"
                          "interface Pet { says(loud: Boolean): String }\n"
                          "type Dog implements Pet { says(loud: Boolean = true): String }\n"
                          "type Cat implements Pet { says(loud: Boolean = false): String }\n";

static json_t *kept; /* what the "keep" resolver held on to */

static json_t *echo(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    char *s = json_dumps(args, JSON_COMPACT | JSON_SORT_KEYS);
    json_t *r = json_string(s);
    free(s);
    return r;
}

/* Breaks the read-only rule: adds a member to its arguments. */
static json_t *meddle(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    json_t *r = echo(ud, parent, args, info);
    json_object_set_new(args, "seen", json_true());
    return r;
}

/* Keeps a reference to its arguments past the call. */
static json_t *keep(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    json_t *r = echo(ud, parent, args, info);
    json_decref(kept);
    kept = json_incref(args);
    return r;
}

static char *run(mm_gql_schema *schema, const char *query, const char *variables, json_t *root) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, query, strlen(query), NULL, &errors);
    assert_non_null(doc);
    json_t *vars = variables ? json_loads(variables, 0, NULL) : NULL;
    mm_gql_execute_params p = {
        .schema = schema, .document = doc, .variables = vars, .root_value = root};
    char *text = mm_gql_execute_text(&p, NULL);
    assert_non_null(text);
    json_decref(vars);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return text;
}

static mm_gql_schema *build(void) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"memo.graphql", sdl, strlen(sdl)};
    mm_gql_schema *schema = mm_gql_schema_build(&src, 1, &errors);
    assert_non_null(schema);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Item", "echo", echo, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Item", "meddle", meddle, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Item", "keep", keep, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Dog", "says", echo, NULL), 0);
    assert_int_equal(mm_gql_schema_set_resolver(schema, "Cat", "says", echo, NULL), 0);
    return schema;
}

static void test_every_object_sees_its_arguments(void **state) {
    (void)state;
    mm_gql_schema *schema = build();
    json_t *root = json_pack("{s:[{},{},{}]}", "items");
    char *got = run(schema, "query Q($b: String) { items { x: echo(b: $b) y: echo(a: 5) } }",
                    "{\"b\":\"vee\"}", root);
    assert_string_equal(
        got, "{\"data\":{\"items\":["
             "{\"x\":\"{\\\"a\\\":1,\\\"b\\\":\\\"vee\\\"}\",\"y\":\"{\\\"a\\\":5}\"},"
             "{\"x\":\"{\\\"a\\\":1,\\\"b\\\":\\\"vee\\\"}\",\"y\":\"{\\\"a\\\":5}\"},"
             "{\"x\":\"{\\\"a\\\":1,\\\"b\\\":\\\"vee\\\"}\",\"y\":\"{\\\"a\\\":5}\"}]}}");
    free(got);
    json_decref(root);
    mm_gql_schema_free(schema);
}

static void test_same_node_two_runtime_types_keep_their_defaults(void **state) {
    (void)state;
    mm_gql_schema *schema = build();
    json_t *root = json_pack("{s:[{s:s},{s:s},{s:s}]}", "pets", "__typename", "Dog", "__typename",
                             "Cat", "__typename", "Dog");
    char *got = run(schema, "{ pets { says } }", NULL, root);
    assert_string_equal(
        got, "{\"data\":{\"pets\":[{\"says\":\"{\\\"loud\\\":true}\"},"
             "{\"says\":\"{\\\"loud\\\":false}\"},{\"says\":\"{\\\"loud\\\":true}\"}]}}");
    free(got);
    json_decref(root);
    mm_gql_schema_free(schema);
}

static void test_resolver_that_changes_or_keeps_arguments(void **state) {
    (void)state;
    mm_gql_schema *schema = build();
    json_t *root = json_pack("{s:[{},{},{}]}", "items");
    char *got = run(schema, "{ items { meddle keep } }", NULL, root);
    /* Each call saw only {"a": 1}: never the "seen" its predecessor added. */
    assert_string_equal(got, "{\"data\":{\"items\":["
                             "{\"meddle\":\"{\\\"a\\\":1}\",\"keep\":\"{\\\"a\\\":1}\"},"
                             "{\"meddle\":\"{\\\"a\\\":1}\",\"keep\":\"{\\\"a\\\":1}\"},"
                             "{\"meddle\":\"{\\\"a\\\":1}\",\"keep\":\"{\\\"a\\\":1}\"}]}}");
    free(got);
    /* What the resolver kept is still its own, intact after the execution. */
    assert_non_null(kept);
    assert_int_equal(json_integer_value(json_object_get(kept, "a")), 1);
    json_decref(kept);
    kept = NULL;
    json_decref(root);
    mm_gql_schema_free(schema);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_object_sees_its_arguments),
        cmocka_unit_test(test_same_node_two_runtime_types_keep_their_defaults),
        cmocka_unit_test(test_resolver_that_changes_or_keeps_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
