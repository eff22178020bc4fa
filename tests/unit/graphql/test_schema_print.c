/* test_schema_print.c -- mm_gql_schema_print against graphql-js 16's
 * printSchema: every kind of type, descriptions as block strings (and the
 * cases that must stay quoted strings), deprecation, schema definitions
 * only for non-default roots, interfaces, repeatable directives, default
 * values printed the astFromValue way, @oneOf and @specifiedBy, extensions.
 * Each expected text is what graphql@16.15's printSchema(buildSchema(sdl))
 * printed for the same SDL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/type/schema.h"

typedef struct print_case {
    const char *name;
    const char *sdl;
    const char *printed;
} print_case;

static const print_case cases[] = {
    {"kinds",
     "type Query { a: Int b(x: Int = 1, y: [String!]! = [\"a\"]): [Int!] c: U d: E e: S } union U "
     "= A | B type A { a: Int } type B { b: Int } enum E { X Y } scalar S input I { f: Float = 1.0 "
     "g: E = X }",
     "type Query {\n"
     "  a: Int\n"
     "  b(x: Int = 1, y: [String!]! = [\"a\"]): [Int!]\n"
     "  c: U\n"
     "  d: E\n"
     "  e: S\n"
     "}\n"
     "\n"
     "union U = A | B\n"
     "\n"
     "type A {\n"
     "  a: Int\n"
     "}\n"
     "\n"
     "type B {\n"
     "  b: Int\n"
     "}\n"
     "\n"
     "enum E {\n"
     "  X\n"
     "  Y\n"
     "}\n"
     "\n"
     "scalar S\n"
     "\n"
     "input I {\n"
     "  f: Float = 1\n"
     "  g: E = X\n"
     "}"},
    {"descriptions",
     "\"\"\"\nMulti\nline\n\"\"\"\ntype Query { \"\"\"  indented\"\"\" a(\"arg desc\" x: Int, y: "
     "String = \"a\\nb\"): Int \"long description that goes on and on and on beyond seventy "
     "characters for sure\" b: Int }",
     "\"\"\"\n"
     "Multi\n"
     "line\n"
     "\"\"\"\n"
     "type Query {\n"
     "  \"\"\"  indented\"\"\"\n"
     "  a(\n"
     "    \"\"\"arg desc\"\"\"\n"
     "    x: Int\n"
     "    y: String = \"a\\nb\"\n"
     "  ): Int\n"
     "\n"
     "  \"\"\"\n"
     "  long description that goes on and on and on beyond seventy characters for sure\n"
     "  \"\"\"\n"
     "  b: Int\n"
     "}"},
    {"tricky-strings",
     "\"ends with quote\\\"\" type Query { \"has \\\"\\\"\\\" triple\" a: Int \"\\n leading "
     "newline\" b: Int \"ctrl \\u0001 char\" c: Int \"  leading space\" d: Int \"\" e: Int "
     "\"line1\\n  line2\" f: Int \"slash\\\\\" g: Int }",
     "\"\"\"\n"
     "ends with quote\"\n"
     "\"\"\"\n"
     "type Query {\n"
     "  \"\"\"has \\\"\"\" triple\"\"\"\n"
     "  a: Int\n"
     "\n"
     "  \"\\n leading newline\"\n"
     "  b: Int\n"
     "\n"
     "  \"ctrl \\u0001 char\"\n"
     "  c: Int\n"
     "\n"
     "  \"\"\"  leading space\"\"\"\n"
     "  d: Int\n"
     "\n"
     "  \"\"\"\"\"\"\n"
     "  e: Int\n"
     "\n"
     "  \"\"\"\n"
     "  line1\n"
     "    line2\n"
     "  \"\"\"\n"
     "  f: Int\n"
     "\n"
     "  \"\"\"\n"
     "  slash\\\n"
     "  \"\"\"\n"
     "  g: Int\n"
     "}"},
    {"deprecation",
     "type Query { a: Int @deprecated b: Int @deprecated(reason: \"No longer supported\") c: Int "
     "@deprecated(reason: \"use \\\"d\\\"\") d(x: Int @deprecated): Int } enum E { A @deprecated B "
     "} input I { x: Int @deprecated(reason: \"r\") }",
     "type Query {\n"
     "  a: Int @deprecated\n"
     "  b: Int @deprecated\n"
     "  c: Int @deprecated(reason: \"use \\\"d\\\"\")\n"
     "  d(x: Int @deprecated): Int\n"
     "}\n"
     "\n"
     "enum E {\n"
     "  A @deprecated\n"
     "  B\n"
     "}\n"
     "\n"
     "input I {\n"
     "  x: Int @deprecated(reason: \"r\")\n"
     "}"},
    {"schema-def",
     "\"sd\" schema { query: Q mutation: M subscription: S } type Q { a: Int } type M { a: Int } "
     "type S { a: Int }",
     "\"\"\"sd\"\"\"\n"
     "schema {\n"
     "  query: Q\n"
     "  mutation: M\n"
     "  subscription: S\n"
     "}\n"
     "\n"
     "type Q {\n"
     "  a: Int\n"
     "}\n"
     "\n"
     "type M {\n"
     "  a: Int\n"
     "}\n"
     "\n"
     "type S {\n"
     "  a: Int\n"
     "}"},
    {"custom-roots", "schema { query: Q } type Q { a: Int }",
     "schema {\n"
     "  query: Q\n"
     "}\n"
     "\n"
     "type Q {\n"
     "  a: Int\n"
     "}"},
    {"common-roots",
     "schema { query: Query mutation: Mutation } type Query { a: Int } type Mutation { a: Int }",
     "type Query {\n"
     "  a: Int\n"
     "}\n"
     "\n"
     "type Mutation {\n"
     "  a: Int\n"
     "}"},
    {"interfaces",
     "interface A { a: Int } interface B implements A { a: Int b: Int } type Query implements B & "
     "A { a: Int b: Int }",
     "interface A {\n"
     "  a: Int\n"
     "}\n"
     "\n"
     "interface B implements A {\n"
     "  a: Int\n"
     "  b: Int\n"
     "}\n"
     "\n"
     "type Query implements B & A {\n"
     "  a: Int\n"
     "  b: Int\n"
     "}"},
    {"directives",
     "\"d\" directive @d(\"desc\" a: Int = 1 @deprecated, b: String) repeatable on FIELD | QUERY "
     "directive @e on OBJECT type Query { a: Int }",
     "\"\"\"d\"\"\"\n"
     "directive @d(\n"
     "  \"\"\"desc\"\"\"\n"
     "  a: Int = 1 @deprecated\n"
     "  b: String\n"
     ") repeatable on FIELD | QUERY\n"
     "\n"
     "directive @e on OBJECT\n"
     "\n"
     "type Query {\n"
     "  a: Int\n"
     "}"},
    {"defaults",
     "type Query { a(f: Float = 1, g: Float = -0.0, h: Float = 3.14159e-10, i: Int = -5, j: ID = "
     "\"007\", k: ID = 7, l: [ID] = [\"1\", \"x\"], m: Boolean = false, n: String = null, o: "
     "[[String!]!] = \"x\", p: Int = \"bad\", q: Float = 1e21, r: In = {}): Int } input In { x: "
     "Int = 5, y: In2 = {z: \"q\"} } input In2 { z: String! w: [Int] = 3 }",
     "type Query {\n"
     "  a(f: Float = 1, g: Float = 0, h: Float = 3.14159e-10, i: Int = -5, j: ID = \"007\", k: ID "
     "= 7, l: [ID] = [1, \"x\"], m: Boolean = false, n: String = null, o: [[String!]!] = "
     "[[\"x\"]], p: Int, q: Float = 1e+21, r: In = {x: 5, y: {z: \"q\", w: [3]}}): Int\n"
     "}\n"
     "\n"
     "input In {\n"
     "  x: Int = 5\n"
     "  y: In2 = {z: \"q\", w: [3]}\n"
     "}\n"
     "\n"
     "input In2 {\n"
     "  z: String!\n"
     "  w: [Int] = [3]\n"
     "}"},
    {"oneof-specifiedby",
     "input I @oneOf { a: Int b: String } scalar D @specifiedBy(url: \"https://x/\\\"y\") type "
     "Query { f(i: I): D }",
     "input I @oneOf {\n"
     "  a: Int\n"
     "  b: String\n"
     "}\n"
     "\n"
     "scalar D @specifiedBy(url: \"https://x/\\\"y\")\n"
     "\n"
     "type Query {\n"
     "  f(i: I): D\n"
     "}"},
    {"extensions",
     "type Query { a: Int } extend type Query { b: Int } enum E { A } extend enum E { B } union U "
     "= Query extend union U = T type T { t: Int } input I { a: Int } extend input I { b: Int }",
     "type Query {\n"
     "  a: Int\n"
     "  b: Int\n"
     "}\n"
     "\n"
     "enum E {\n"
     "  A\n"
     "  B\n"
     "}\n"
     "\n"
     "union U = Query | T\n"
     "\n"
     "type T {\n"
     "  t: Int\n"
     "}\n"
     "\n"
     "input I {\n"
     "  a: Int\n"
     "  b: Int\n"
     "}"},
};

static mm_gql_schema *build(const char *sdl, mm_arena *arena) {
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, arena);
    mm_gql_sdl_source src = {"test", sdl, strlen(sdl)};
    mm_gql_schema *s = mm_gql_schema_build(&src, 1, &errors);
    if (!s) fail_msg("build failed: %s", errors.head ? errors.head->message : "?");
    mm_gql_errors_release(&errors);
    return s;
}

static void test_print_cases(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_schema *s = build(cases[i].sdl, &arena);
        char *printed = mm_gql_schema_print(s);
        assert_non_null(printed);
        if (strcmp(printed, cases[i].printed) != 0)
            fail_msg("case %s printed:\n%s\n--- expected:\n%s", cases[i].name, printed,
                     cases[i].printed);
        free(printed);
        mm_gql_schema_free(s);
        mm_arena_reset(&arena);
    }
}

/* Printing is a fixed point: the printed SDL builds the same schema again. */
static void test_print_round_trip(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_schema *s = build(cases[i].printed, &arena);
        char *printed = mm_gql_schema_print(s);
        assert_string_equal(printed, cases[i].printed);
        free(printed);
        mm_gql_schema_free(s);
        mm_arena_reset(&arena);
    }
}

/* __InputValue.defaultValue uses the same printing. */
static void test_default_value_strings(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_schema *s = build("type Query { a(x: [Int] = 1, y: ID = \"12\", z: In = {b: B}, "
                             "w: Int = \"bad\", v: E = A): Int } enum E { A B } "
                             "input In { a: Int = 3 b: E }",
                             &arena);
    const mm_gql_field *f = mm_gql_type_find_field(s->query_type, "a");
    const char *want[] = {"[1]", "12", "{a: 3, b: B}", NULL, "A"};
    for (size_t i = 0; i < 5; i++) {
        char *text = mm_gql_print_default_value(&f->args[i]);
        if (want[i])
            assert_string_equal(text, want[i]);
        else
            assert_null(text);
        free(text);
    }
    mm_gql_schema_free(s);
    mm_arena_reset(&arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_print_cases),
        cmocka_unit_test(test_print_round_trip),
        cmocka_unit_test(test_default_value_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
