/* test_schema_validate.c -- graphql-js validateSchema's rules as
 * mm_gql_schema_build applies them: root types, reserved "__" names,
 * interface implementation (fields, covariant types, arguments, transitive
 * interfaces, cycles, duplicates), union members, empty enums and input
 * objects, non-null input-object cycles, deprecated required arguments and
 * input fields, input/output type positions, @oneOf fields. Each expected
 * error list (messages and locations, in order) is what graphql@16.15's
 * validateSchema(buildASTSchema(sdl)) returned; "[]" means valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "graphql/type/schema.h"

typedef struct validate_case {
    const char *sdl;
    const char *errors; /* JSON array */
} validate_case;

static const validate_case cases[] = {
    {"type Foo { a: Int }", "[{\"message\":\"Query root type must be provided.\"}]"},
    {"schema { query: S } scalar S", "[{\"message\":\"Query root type must be Object type, it "
                                     "cannot be S.\",\"locations\":[{\"line\":1,\"column\":17}]}]"},
    {"schema { query: Q mutation: E subscription: U } type Q { a: Int } enum E { A } union U = Q",
     "[{\"message\":\"Mutation root type must be Object type if provided, it cannot be "
     "E.\",\"locations\":[{\"line\":1,\"column\":29}]},{\"message\":\"Subscription root type must "
     "be Object type if provided, it cannot be U.\",\"locations\":[{\"line\":1,\"column\":45}]}]"},
    {"type Query { a: Int } type Mutation",
     "[{\"message\":\"Type Mutation must define one or more "
     "fields.\",\"locations\":[{\"line\":1,\"column\":23}]}]"},
    {"type Query { a: Int } interface I { a: Int } type T implements I { b: Int }",
     "[{\"message\":\"Interface field I.a expected but T does not provide "
     "it.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":46}]}]"},
    {"type Query { a: Int } interface I { a: Int } type T implements I { a: String }",
     "[{\"message\":\"Interface field I.a expects type Int but T.a is type "
     "String.\",\"locations\":[{\"line\":1,\"column\":40},{\"line\":1,\"column\":71}]}]"},
    {"type Query { a: Int } interface I { a: [Int] } type T implements I { a: [Int!]! }", "[]"},
    {"type Query { a: Int } interface I { a(x: Int): Int } type T implements I { a: Int }",
     "[{\"message\":\"Interface field argument I.a(x:) expected but T.a does not provide "
     "it.\",\"locations\":[{\"line\":1,\"column\":39},{\"line\":1,\"column\":76}]}]"},
    {"type Query { a: Int } interface I { a(x: Int): Int } type T implements I { a(x: Int!): Int }",
     "[{\"message\":\"Interface field argument I.a(x:) expects type Int but T.a(x:) is type "
     "Int!.\",\"locations\":[{\"line\":1,\"column\":42},{\"line\":1,\"column\":81}]}]"},
    {"type Query { a: Int } interface I { a: Int } type T implements I { a(y: Int!): Int }",
     "[{\"message\":\"Object field T.a includes required argument y that is missing from the "
     "Interface field "
     "I.a.\",\"locations\":[{\"line\":1,\"column\":70},{\"line\":1,\"column\":37}]}]"},
    {"type Query { a: Int } interface I { a: Int } interface J implements I { a: Int } type T "
     "implements J { a: Int }",
     "[{\"message\":\"Type T must implement I because it is implemented by "
     "J.\",\"locations\":[{\"line\":1,\"column\":69},{\"line\":1,\"column\":100}]}]"},
    {"type Query { a: Int } interface I implements J { a: Int } interface J implements I { a: Int "
     "}",
     "[{\"message\":\"Type I cannot implement J because it would create a circular "
     "reference.\",\"locations\":[{\"line\":1,\"column\":82},{\"line\":1,\"column\":46}]},{"
     "\"message\":\"Type J cannot implement I because it would create a circular "
     "reference.\",\"locations\":[{\"line\":1,\"column\":46},{\"line\":1,\"column\":82}]}]"},
    {"type Query { a: Int } interface I implements I { a: Int }",
     "[{\"message\":\"Type I cannot implement itself because it would create a circular "
     "reference.\",\"locations\":[{\"line\":1,\"column\":46}]}]"},
    {"type Query { a: Int } interface I { a: Int } type T implements I & I { a: Int }",
     "[{\"message\":\"Type T can only implement I "
     "once.\",\"locations\":[{\"line\":1,\"column\":64},{\"line\":1,\"column\":68}]}]"},
    {"type Query { a: Int } type T implements Query { a: Int }",
     "[{\"message\":\"Type T must only implement Interface types, it cannot implement "
     "Query.\",\"locations\":[{\"line\":1,\"column\":41}]}]"},
    {"type Query { a: Int } union U = Query | Query",
     "[{\"message\":\"Union type U can only include type Query "
     "once.\",\"locations\":[{\"line\":1,\"column\":33},{\"line\":1,\"column\":41}]}]"},
    {"type Query { a: Int } union U = Query | Int",
     "[{\"message\":\"Union type U can only include Object types, it cannot include "
     "Int.\",\"locations\":[{\"line\":1,\"column\":41}]}]"},
    {"type Query { a: Int } union U", "[{\"message\":\"Union type U must define one or more member "
                                      "types.\",\"locations\":[{\"line\":1,\"column\":23}]}]"},
    {"type Query { a: Int } enum E", "[{\"message\":\"Enum type E must define one or more "
                                     "values.\",\"locations\":[{\"line\":1,\"column\":23}]}]"},
    {"type Query { a: Int } input I", "[{\"message\":\"Input Object type I must define one or more "
                                      "fields.\",\"locations\":[{\"line\":1,\"column\":23}]}]"},
    {"type Query { a: Int } input I { a: I! }",
     "[{\"message\":\"Cannot reference Input Object \\\"I\\\" within itself through a series of "
     "non-null fields: \\\"a\\\".\",\"locations\":[{\"line\":1,\"column\":33}]}]"},
    {"type Query { a: Int } input A { b: B! } input B { c: C! } input C { a: A! }",
     "[{\"message\":\"Cannot reference Input Object \\\"A\\\" within itself through a series of "
     "non-null fields: "
     "\\\"b.c.a\\\".\",\"locations\":[{\"line\":1,\"column\":33},{\"line\":1,\"column\":51},{"
     "\"line\":1,\"column\":69}]}]"},
    {"type Query { a: Int } input A { b: B! x: A! } input B { a: A! }",
     "[{\"message\":\"Cannot reference Input Object \\\"A\\\" within itself through a series of "
     "non-null fields: "
     "\\\"b.a\\\".\",\"locations\":[{\"line\":1,\"column\":33},{\"line\":1,\"column\":57}]},{"
     "\"message\":\"Cannot reference Input Object \\\"A\\\" within itself through a series of "
     "non-null fields: \\\"x\\\".\",\"locations\":[{\"line\":1,\"column\":39}]}]"},
    {"type Query { a: Int } input A { b: [A!]! c: A }", "[]"},
    {"type Query { __a: Int }",
     "[{\"message\":\"Name \\\"__a\\\" must not begin with \\\"__\\\", which is reserved by "
     "GraphQL introspection.\",\"locations\":[{\"line\":1,\"column\":14}]}]"},
    {"type __Foo { a: Int } type Query { a: __Foo }",
     "[{\"message\":\"Name \\\"__Foo\\\" must not begin with \\\"__\\\", which is reserved by "
     "GraphQL introspection.\",\"locations\":[{\"line\":1,\"column\":1}]}]"},
    {"type Query { a(__x: Int): Int } enum E { __V } input I { __f: Int }",
     "[{\"message\":\"Name \\\"__x\\\" must not begin with \\\"__\\\", which is reserved by "
     "GraphQL introspection.\",\"locations\":[{\"line\":1,\"column\":16}]},{\"message\":\"Name "
     "\\\"__V\\\" must not begin with \\\"__\\\", which is reserved by GraphQL "
     "introspection.\",\"locations\":[{\"line\":1,\"column\":42}]},{\"message\":\"Name \\\"__f\\\" "
     "must not begin with \\\"__\\\", which is reserved by GraphQL "
     "introspection.\",\"locations\":[{\"line\":1,\"column\":58}]}]"},
    {"type Query { a(x: Int! @deprecated): Int }",
     "[{\"message\":\"Required argument Query.a(x:) cannot be "
     "deprecated.\",\"locations\":[{\"line\":1,\"column\":24},{\"line\":1,\"column\":19}]}]"},
    {"type Query { a: Int } input I { x: Int! @deprecated }",
     "[{\"message\":\"Required input field I.x cannot be "
     "deprecated.\",\"locations\":[{\"line\":1,\"column\":41},{\"line\":1,\"column\":36}]}]"},
    {"type Query { a: Int } directive @d(x: Int! @deprecated) on FIELD",
     "[{\"message\":\"Required argument @d(x:) cannot be "
     "deprecated.\",\"locations\":[{\"line\":1,\"column\":44},{\"line\":1,\"column\":39}]}]"},
    {"type Query { a: In } input In { a: Int }",
     "[{\"message\":\"The type of Query.a must be Output Type but got: "
     "In.\",\"locations\":[{\"line\":1,\"column\":17}]}]"},
    {"type Query { a(x: Query): Int }",
     "[{\"message\":\"The type of Query.a(x:) must be Input Type but got: "
     "Query.\",\"locations\":[{\"line\":1,\"column\":19}]}]"},
    {"type Query { a: Int } input I { q: Query }",
     "[{\"message\":\"The type of I.q must be Input Type but got: "
     "Query.\",\"locations\":[{\"line\":1,\"column\":36}]}]"},
    {"type Query { a: Int } directive @d(q: Query) on FIELD",
     "[{\"message\":\"The type of @d(q:) must be Input Type but got: "
     "Query.\",\"locations\":[{\"line\":1,\"column\":36}]}]"},
    {"type Query { a: Int } input In @oneOf { a: Int! b: Int = 1 }",
     "[{\"message\":\"OneOf input field In.a must be "
     "nullable.\",\"locations\":[{\"line\":1,\"column\":44}]},{\"message\":\"OneOf input field "
     "In.b cannot have a default value.\",\"locations\":[{\"line\":1,\"column\":49}]}]"},
    {"type Query { a: Int } directive @__d on OBJECT",
     "[{\"message\":\"Name \\\"__d\\\" must not begin with \\\"__\\\", which is reserved by "
     "GraphQL introspection.\",\"locations\":[{\"line\":1,\"column\":23}]}]"},
    {"type Query { a: Int } interface I { a: Int } type T implements I extend type T { b: Int }",
     "[{\"message\":\"Interface field I.a expected but T does not provide "
     "it.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":46},{\"line\":1,"
     "\"column\":66}]}]"},
};

static void test_graphql_js_cases(void **state) {
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_errors errors;
        mm_gql_errors_init(&errors, &arena);
        mm_gql_sdl_source src = {"test", cases[i].sdl, strlen(cases[i].sdl)};
        mm_gql_schema *s = mm_gql_schema_build(&src, 1, &errors);
        json_t *want = json_loads(cases[i].errors, 0, NULL);
        assert_non_null(want);
        json_t *got = mm_gql_errors_to_json(&errors);
        bool valid = json_array_size(want) == 0;
        if ((s != NULL) != valid || !json_equal(want, got)) {
            char *g = json_dumps(got, JSON_COMPACT);
            print_error("%s\n  expected %s\n  got      %s%s\n", cases[i].sdl, cases[i].errors, g,
                        s ? " (built)" : "");
            free(g);
            failures++;
        }
        json_decref(want);
        json_decref(got);
        mm_gql_schema_free(s);
        mm_gql_errors_release(&errors);
        mm_arena_reset(&arena);
    }
    assert_int_equal(failures, 0);
}

/* Every problem is reported, not just the first. */
static void test_reports_all(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *sdl = "type Query { __a: Int } enum E input I union U";
    mm_gql_sdl_source src = {"test", sdl, strlen(sdl)};
    assert_null(mm_gql_schema_build(&src, 1, &errors));
    assert_int_equal(errors.count, 4);
    assert_int_equal(errors.head->kind, MM_GQL_ERROR_VALIDATION);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

/* Defaults that fill themselves in forever: graphql-js 16 overflows its
 * stack on these; we answer with graphql-js 17's message instead. */
static void test_default_value_cycles(void **state) {
    (void)state;
    const char *sdl[] = {
        "input A { a: A = {} b: Int } type Query { f(x: A = {}): Int }",
        "input A { a: B = {} b: Int } input B { x: A = {b: 1} } type Query { f(x: A = {}): Int }",
        "input A { a: [A] = [{}] } type Query { f(x: A): Int }",
    };
    const char *want[] = {
        "Invalid circular reference. The default value of Input Object field A.a references "
        "itself.",
        "Invalid circular reference. The default value of Input Object field A.a references "
        "itself via the default values of: B.x.",
        "Invalid circular reference. The default value of Input Object field A.a references "
        "itself.",
    };
    for (size_t i = 0; i < 3; i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_errors errors;
        mm_gql_errors_init(&errors, &arena);
        mm_gql_sdl_source src = {"test", sdl[i], strlen(sdl[i])};
        assert_null(mm_gql_schema_build(&src, 1, &errors));
        assert_int_equal(errors.count, 1);
        assert_string_equal(errors.head->message, want[i]);
        mm_gql_errors_release(&errors);
        mm_arena_reset(&arena);
    }
    /* a default that stops (explicit null) is fine and fully expanded */
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *ok = "input A { a: A = {a: null} b: Int = 3 } type Query { f(x: A = {}): Int }";
    mm_gql_sdl_source src = {"test", ok, strlen(ok)};
    mm_gql_schema *s = mm_gql_schema_build(&src, 1, &errors);
    assert_non_null(s);
    char *printed = mm_gql_schema_print(s);
    assert_non_null(strstr(printed, "f(x: A = {a: {a: null, b: 3}, b: 3}): Int"));
    free(printed);
    mm_gql_schema_free(s);
    mm_arena_reset(&arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graphql_js_cases),
        cmocka_unit_test(test_reports_all),
        cmocka_unit_test(test_default_value_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
