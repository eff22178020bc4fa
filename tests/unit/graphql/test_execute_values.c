/* test_execute_values.c -- values.h on its own: graphql-js's didYouMean +
 * suggestionList, coerceInputValue (every error with its path and offending
 * value), valueFromAST (variables, missing vs null, lists, input objects,
 * enums), getArgumentValues and enum coercion. Expectations were produced
 * by graphql-js 16.15 with the same inputs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/execution/values.h"

static mm_gql_schema *schema;
static mm_arena arena;

static const char sdl[] =
    "input I { a: Int!, b: [Int!] = [1], c: E }\n"
    "enum E { ONE TWO }\n"
    "type Query { f(i: I, n: Int!, l: [Int], e: E, s: String = \"dflt\"): Int }\n";

static int setup(void **state) {
    (void)state;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"values", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    return schema ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    mm_arena_reset(&arena);
    return 0;
}

static void test_did_you_mean(void **state) {
    (void)state;
    const char *o1[] = {"abc", "ab", "ba", "xyz", "AB", "a"};
    assert_string_equal(mm_gql_values_did_you_mean(NULL, "ab", o1, 6, &arena),
                        " Did you mean \"ab\", \"AB\", \"a\", \"abc\", or \"ba\"?");
    const char *o2[] = {"item1", "item10", "item2", "items", "Item", "iten"};
    assert_string_equal(mm_gql_values_did_you_mean(NULL, "item", o2, 6, &arena),
                        " Did you mean \"Item\", \"item1\", \"item2\", \"items\", or \"iten\"?");
    const char *colors[] = {"RED", "GREEN", "BLUE"};
    assert_string_equal(mm_gql_values_did_you_mean("the enum value", "RED", colors, 3, &arena),
                        " Did you mean the enum value \"RED\"?");
    assert_string_equal(mm_gql_values_did_you_mean("the enum value", "GREN", colors, 3, &arena),
                        " Did you mean the enum value \"GREEN\" or \"RED\"?");
    const char *o3[] = {"y", "z"};
    assert_string_equal(mm_gql_values_did_you_mean(NULL, "x", o3, 2, &arena),
                        " Did you mean \"y\" or \"z\"?");
    const char *o4[] = {"abcdefg",  "abcdefghi", "bacdefgh", "a",
                        "abcdxfgh", "abcdefgx",  "abcdefgy"};
    assert_string_equal(
        mm_gql_values_did_you_mean(NULL, "abcdefgh", o4, 7, &arena),
        " Did you mean \"abcdefg\", \"abcdefghi\", \"abcdefgx\", \"abcdefgy\", or \"abcdxfgh\"?");
    assert_string_equal(mm_gql_values_did_you_mean(NULL, "zzzz", colors, 3, &arena), "");
    assert_string_equal(mm_gql_values_did_you_mean(NULL, "a", NULL, 0, &arena), "");
}

/* Collects coercion errors as [[path...], value, message] like the JS script did. */
static void collect(void *ud, const mm_gql_path_segment *path, size_t n, json_t *invalid,
                    const char *message) {
    json_t *p = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(p, path[i].key ? json_string(path[i].key)
                                             : json_integer((json_int_t)path[i].index));
    json_array_append_new(ud, json_pack("[OOs]", p, invalid ? invalid : json_null(), message));
    json_decref(p);
}

static char *coerce_text(const char *input, mm_gql_type *type) {
    json_t *in = json_loads(input, JSON_DECODE_ANY, NULL);
    json_t *errs = json_array();
    json_t *v = mm_gql_coerce_input_value(in, type, &arena, collect, errs);
    json_t *pair = json_pack("[oo]", v ? v : json_string("undef"), errs);
    char *s = json_dumps(pair, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(pair);
    json_decref(in);
    return s;
}

static void expect_coerce(const char *input, mm_gql_type *type, const char *expected) {
    char *s = coerce_text(input, type);
    assert_string_equal(s, expected);
    free(s);
}

static void test_coerce_input_value(void **state) {
    (void)state;
    mm_gql_type *I = mm_gql_schema_find_type(schema, "I");
    assert_non_null(I);
    expect_coerce("{\"a\": 1}", I, "[{\"a\":1,\"b\":[1]},[]]");
    expect_coerce("{\"a\": 1, \"b\": 2, \"c\": \"TWO\"}", I,
                  "[{\"a\":1,\"b\":[2],\"c\":\"TWO\"},[]]");
    /* graphql-js returns a partial object with the errors; we return nothing, with the same errors */
    expect_coerce("{\"b\": [1, null, \"x\"], \"c\": \"THREE\", \"d\": 1}", I,
                  "[\"undef\",[[[],{\"b\":[1,null,\"x\"],\"c\":\"THREE\",\"d\":1},\"Field "
                  "\\\"a\\\" of required type "
                  "\\\"Int!\\\" was not provided.\"],[[\"b\",1],null,\"Expected non-nullable type "
                  "\\\"Int!\\\" not "
                  "to be null.\"],[[\"b\",2],\"x\",\"Int cannot represent non-integer value: "
                  "\\\"x\\\"\"],[[\"c\"],"
                  "\"THREE\",\"Value \\\"THREE\\\" does not exist in \\\"E\\\" "
                  "enum.\"],[[],{\"b\":[1,null,\"x\"],"
                  "\"c\":\"THREE\",\"d\":1},\"Field \\\"d\\\" is not defined by type \\\"I\\\". "
                  "Did you mean \\\"a\\\", "
                  "\\\"b\\\", or \\\"c\\\"?\"]]]");
    expect_coerce("[{\"a\": 1}, 3]", mm_gql_list_of(schema, I),
                  "[\"undef\",[[[1],3,\"Expected type \\\"I\\\" to be an object.\"]]]");
    expect_coerce(
        "null", mm_gql_non_null_of(schema, I),
        "[\"undef\",[[[],null,\"Expected non-nullable type \\\"I!\\\" not to be null.\"]]]");
    /* a single value stands for a list of one */
    mm_gql_type *Int = mm_gql_schema_find_type(schema, "Int");
    expect_coerce("5", mm_gql_list_of(schema, Int), "[[5],[]]");
    expect_coerce("null", mm_gql_list_of(schema, Int), "[null,[]]");
}

static mm_gql_value *literal(const char *text) {
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_value *v = mm_gql_parse_value(&arena, text, strlen(text), &errors);
    assert_non_null(v);
    return v;
}

static char *from_ast_text(const char *lit, mm_gql_type *type, const char *vars) {
    json_t *variables = vars ? json_loads(vars, 0, NULL) : NULL;
    json_t *v = mm_gql_value_from_ast(literal(lit), type, variables, &arena);
    char *s =
        v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : strdup("undef");
    json_decref(v);
    json_decref(variables);
    return s;
}

static void expect_from_ast(const char *lit, mm_gql_type *type, const char *vars,
                            const char *expected) {
    char *s = from_ast_text(lit, type, vars);
    assert_string_equal(s, expected);
    free(s);
}

static void test_value_from_ast(void **state) {
    (void)state;
    mm_gql_type *Int = mm_gql_schema_find_type(schema, "Int");
    mm_gql_type *E = mm_gql_schema_find_type(schema, "E");
    mm_gql_type *I = mm_gql_schema_find_type(schema, "I");
    mm_gql_type *IntNN = mm_gql_non_null_of(schema, Int);
    mm_gql_type *ListInt = mm_gql_list_of(schema, Int);
    mm_gql_type *ListIntNN = mm_gql_list_of(schema, IntNN);
    expect_from_ast("123", Int, NULL, "123");
    expect_from_ast("\"123\"", Int, NULL, "undef");
    expect_from_ast("null", Int, NULL, "null");
    expect_from_ast("null", IntNN, NULL, "undef");
    expect_from_ast("ONE", E, NULL, "\"ONE\"");
    expect_from_ast("\"ONE\"", E, NULL, "undef");
    expect_from_ast("THREE", E, NULL, "undef");
    expect_from_ast("[1, 2]", ListInt, NULL, "[1,2]");
    expect_from_ast("7", ListInt, NULL, "[7]");
    expect_from_ast("[1, null]", ListIntNN, NULL, "undef");
    /* variables: missing is "undefined", null is null */
    expect_from_ast("$v", Int, "{\"v\": 4}", "4");
    expect_from_ast("$v", Int, "{}", "undef");
    expect_from_ast("$v", Int, "{\"v\": null}", "null");
    expect_from_ast("$v", IntNN, "{\"v\": null}", "undef");
    expect_from_ast("[1, $v]", ListInt, "{}", "[1,null]");
    expect_from_ast("[1, $v]", ListIntNN, "{}", "undef");
    /* input objects: defaults fill in, a missing variable counts as absent, unknown fields are ignored */
    expect_from_ast("{a: 1}", I, NULL, "{\"a\":1,\"b\":[1]}");
    expect_from_ast("{a: 1, b: $v}", I, "{}", "{\"a\":1,\"b\":[1]}");
    expect_from_ast("{a: 1, b: $v}", I, "{\"v\": null}", "{\"a\":1,\"b\":null}");
    expect_from_ast("{a: $v}", I, "{}", "undef");
    expect_from_ast("{a: 1, zz: 2}", I, NULL, "{\"a\":1,\"b\":[1]}");
    expect_from_ast("{b: [1]}", I, NULL, "undef");
    expect_from_ast("[1]", I, NULL, "undef");
}

static void test_argument_values(void **state) {
    (void)state;
    mm_gql_type *q = schema->query_type;
    mm_gql_field *f = mm_gql_type_find_field(q, "f");
    assert_non_null(f);
    const char *doc =
        "{ f(n: 1, l: 2, e: TWO) g: f(n: null) h: f(l: 1) k: f(n: $x) m: f(n: \"s\") }";
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *d = mm_gql_parse(&arena, doc, strlen(doc), NULL, &errors);
    assert_non_null(d);
    mm_gql_selection_set *set = d->definitions[0].u.operation.selection_set;
    const char *msg = NULL;
    mm_gql_loc loc;
    json_t *vars = json_object();
    /* f(n: 1, l: 2, e: TWO): defaults applied, list coerced */
    mm_gql_selection *sel = &set->items[0];
    json_t *args =
        mm_gql_get_argument_values(f->args, f->arg_count, sel->u.field.args, sel->u.field.arg_count,
                                   sel->loc, vars, &arena, &msg, &loc);
    char *s = json_dumps(args, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(s, "{\"n\":1,\"l\":[2],\"e\":\"TWO\",\"s\":\"dflt\"}");
    free(s);
    json_decref(args);
    struct {
        size_t index;
        const char *message;
        uint32_t column;
    } bad[] = {
        {1, "Argument \"n\" of non-null type \"Int!\" must not be null.", 33},
        {2, "Argument \"n\" of required type \"Int!\" was not provided.", 39},
        {3,
         "Argument \"n\" of required type \"Int!\" was provided the variable \"$x\" which was not "
         "provided a "
         "runtime value.",
         58},
        {4, "Argument \"n\" has invalid value \"s\".", 70},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sel = &set->items[bad[i].index];
        args =
            mm_gql_get_argument_values(f->args, f->arg_count, sel->u.field.args,
                                       sel->u.field.arg_count, sel->loc, vars, &arena, &msg, &loc);
        assert_null(args);
        assert_string_equal(msg, bad[i].message);
        assert_int_equal(loc.column, bad[i].column);
    }
    json_decref(vars);
}

static void test_enum_coercion(void **state) {
    (void)state;
    mm_gql_type *E = mm_gql_schema_find_type(schema, "E");
    const char *err = NULL;
    json_t *in = json_string("ONE");
    json_t *v = mm_gql_enum_serialize(E, in, &arena, &err);
    assert_string_equal(json_string_value(v), "ONE");
    json_decref(v);
    json_decref(in);
    in = json_integer(1);
    assert_null(mm_gql_enum_serialize(E, in, &arena, &err));
    assert_string_equal(err, "Enum \"E\" cannot represent value: 1");
    assert_null(mm_gql_enum_parse_value(E, in, false, &arena, &err));
    assert_string_equal(err, "Enum \"E\" cannot represent non-string value: 1.");
    json_decref(in);
    in = json_string("TOW");
    assert_null(mm_gql_enum_parse_value(E, in, false, &arena, &err));
    assert_string_equal(
        err, "Value \"TOW\" does not exist in \"E\" enum. Did you mean the enum value \"TWO\"?");
    assert_null(mm_gql_enum_parse_value(E, in, true, &arena, &err));
    assert_string_equal(err, "Value \"TOW\" does not exist in \"E\" enum.");
    json_decref(in);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_did_you_mean),   cmocka_unit_test(test_coerce_input_value),
        cmocka_unit_test(test_value_from_ast), cmocka_unit_test(test_argument_values),
        cmocka_unit_test(test_enum_coercion),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
