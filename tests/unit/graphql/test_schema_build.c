/* test_schema_build.c -- building schemas from SDL: types, fields, roots,
 * extensions, lookups, binding, predicates, wrapper interning (also from
 * many threads at once), and the SDL rules' errors with graphql-js 16's
 * messages and locations (each expectation was checked against
 * graphql@16.15's validateSDL / buildASTSchema / validateSchema). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "metamorphosis.h"

static mm_arena arena;
static mm_gql_errors errors;

static int setup(void **state) {
    (void)state;
    mm_arena_init(&arena);
    mm_gql_errors_init(&errors, &arena);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return 0;
}

static mm_gql_schema *build(const char *sdl) {
    mm_gql_sdl_source src = {"test", sdl, strlen(sdl)};
    return mm_gql_schema_build(&src, 1, &errors);
}

static mm_gql_schema *build_ok(const char *sdl) {
    mm_gql_schema *s = build(sdl);
    if (!s) fail_msg("build failed: %s", errors.head ? errors.head->message : "?");
    return s;
}

/* The build must fail with exactly this first error at these locations
 * (pairs of line, column; 0-terminated). */
static void expect_error(const char *sdl, const char *message, ...) {
    mm_gql_errors_release(&errors);
    mm_gql_errors_init(&errors, &arena);
    mm_gql_schema *s = build(sdl);
    assert_null(s);
    assert_non_null(errors.head);
    assert_string_equal(errors.head->message, message);
    va_list ap;
    va_start(ap, message);
    size_t i = 0;
    for (;;) {
        int line = va_arg(ap, int);
        if (!line) break;
        int column = va_arg(ap, int);
        assert_true(i < errors.head->location_count);
        assert_int_equal(errors.head->locations[i].line, line);
        assert_int_equal(errors.head->locations[i].column, column);
        i++;
    }
    va_end(ap);
    assert_int_equal(i, errors.head->location_count);
}

static const char *rich_sdl =
    "\"\"\"The root\"\"\"\n"
    "type Query {\n"
    "  \"a field\"\n"
    "  hello(name: String = \"w\", n: [Int] = 1): String @deprecated\n"
    "  node(id: ID!): Node\n"
    "  color: Color\n"
    "  search(in: In): [SearchResult!]!\n"
    "}\n"
    "interface Node { id: ID! }\n"
    "interface Named implements Node { id: ID! name: String }\n"
    "type User implements Node & Named { id: ID! name: String @deprecated(reason: \"gone\") }\n"
    "type Robot implements Node { id: ID! }\n"
    "enum Color { RED GREEN @deprecated BLUE }\n"
    "input In { a: Int = 1, b: [In!] old: Int @deprecated }\n"
    "union SearchResult = User | Robot\n"
    "scalar Date @specifiedBy(url: \"https://example.com/date\")\n"
    "directive @tag(name: String!) repeatable on FIELD | OBJECT\n"
    "extend type User { age: Int }\n"
    "extend union SearchResult = Extra\n"
    "type Extra { x: Int }\n"
    "extend enum Color { BLACK }\n"
    "extend input In { c: String }\n"
    "type Mutation { m(i: In = {b: []}): Int }\n";

static void test_rich_schema(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok(rich_sdl);
    assert_non_null(s->query_type);
    assert_string_equal(s->query_type->name, "Query");
    assert_string_equal(s->query_type->description, "The root");
    assert_string_equal(s->mutation_type->name, "Mutation");
    assert_null(s->subscription_type);

    mm_gql_field *hello = mm_gql_type_find_field(s->query_type, "hello");
    assert_non_null(hello);
    assert_string_equal(hello->description, "a field");
    assert_string_equal(hello->deprecation_reason, "No longer supported");
    assert_int_equal(hello->arg_count, 2);
    const mm_gql_input_value *n = mm_gql_field_find_arg(hello, "n");
    assert_non_null(n);
    assert_int_equal(n->type->kind, MM_GQL_LIST);
    assert_ptr_equal(n->type->of_type, mm_gql_schema_find_type(s, "Int"));
    assert_non_null(n->default_value);
    assert_int_equal(n->default_value->kind, MM_GQL_VALUE_INT);
    assert_null(mm_gql_field_find_arg(hello, "nope"));

    mm_gql_type *user = mm_gql_schema_find_type(s, "User");
    assert_int_equal(user->kind, MM_GQL_OBJECT);
    assert_int_equal(user->field_count, 3); /* id, name, age (extension) */
    assert_string_equal(user->fields[2].name, "age");
    assert_string_equal(mm_gql_type_find_field(user, "name")->deprecation_reason, "gone");
    assert_int_equal(user->interface_count, 2);

    mm_gql_type *node = mm_gql_schema_find_type(s, "Node");
    assert_int_equal(node->kind, MM_GQL_INTERFACE);
    /* objects implementing it, in type-map order; not the interface Named */
    assert_int_equal(node->possible_type_count, 2);
    assert_string_equal(node->possible_types[0]->name, "User");
    assert_string_equal(node->possible_types[1]->name, "Robot");
    mm_gql_type *named = mm_gql_schema_find_type(s, "Named");
    assert_int_equal(named->interface_count, 1);
    assert_ptr_equal(named->interfaces[0], node);

    mm_gql_type *color = mm_gql_schema_find_type(s, "Color");
    assert_int_equal(color->enum_value_count, 4);
    assert_non_null(mm_gql_type_find_enum_value(color, "BLACK"));
    assert_string_equal(mm_gql_type_find_enum_value(color, "GREEN")->deprecation_reason,
                        "No longer supported");
    assert_null(mm_gql_type_find_enum_value(color, "PINK"));

    mm_gql_type *in = mm_gql_schema_find_type(s, "In");
    assert_int_equal(in->input_field_count, 4);
    assert_non_null(mm_gql_type_find_input_field(in, "c"));
    assert_non_null(mm_gql_type_find_input_field(in, "old")->deprecation_reason);
    assert_null(mm_gql_type_find_input_field(in, "zz"));

    mm_gql_type *u = mm_gql_schema_find_type(s, "SearchResult");
    assert_int_equal(u->possible_type_count, 3);
    assert_string_equal(u->possible_types[2]->name, "Extra");

    mm_gql_type *date = mm_gql_schema_find_type(s, "Date");
    assert_string_equal(date->specified_by_url, "https://example.com/date");
    assert_false(date->is_builtin);
    assert_true(mm_gql_schema_find_type(s, "String")->is_builtin);

    const mm_gql_directive_definition *tag = mm_gql_schema_find_directive(s, "tag");
    assert_non_null(tag);
    assert_true(tag->repeatable);
    assert_int_equal(tag->locations, MM_GQL_LOC_FIELD | MM_GQL_LOC_OBJECT);
    assert_false(tag->is_builtin);
    const mm_gql_directive_definition *dep = mm_gql_schema_find_directive(s, "deprecated");
    assert_non_null(dep);
    assert_true(dep->is_builtin);
    assert_true(dep->locations & MM_GQL_LOC_ENUM_VALUE);
    assert_non_null(mm_gql_schema_find_directive(s, "skip"));
    assert_non_null(mm_gql_schema_find_directive(s, "include"));
    assert_non_null(mm_gql_schema_find_directive(s, "specifiedBy"));
    assert_non_null(mm_gql_schema_find_directive(s, "oneOf"));
    assert_null(mm_gql_schema_find_directive(s, "nope"));

    /* introspection types are part of every schema */
    assert_non_null(mm_gql_schema_find_type(s, "__Schema"));
    assert_non_null(mm_gql_schema_find_type(s, "__Type"));
    assert_null(mm_gql_schema_find_type(s, "Float")); /* unreferenced, as in graphql-js */
    mm_gql_schema_free(s);
}

/* graphql-js's type map order: definitions in order, referenced built-ins
 * right after their first user, then directive argument types, then the
 * introspection types. */
static void test_type_order(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("type Query { a: Z b: Y c: Boolean } type Z { z: ID } "
                                "type Y { f: Float }");
    const char *want[] = {
        "Query",   "Boolean",      "Z",           "ID",          "Y",
        "Float",   "String",       "__Schema",    "__Type",      "__TypeKind",
        "__Field", "__InputValue", "__EnumValue", "__Directive", "__DirectiveLocation"};
    assert_int_equal(s->type_count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < s->type_count; i++) assert_string_equal(s->types[i]->name, want[i]);
    mm_gql_schema_free(s);
}

static void test_roots(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("schema { query: Q mutation: M } type Q { a: Int } "
                                "type M { b: Int } type Query { c: Int }");
    assert_string_equal(s->query_type->name, "Q");
    assert_string_equal(s->mutation_type->name, "M");
    assert_null(s->subscription_type);
    mm_gql_schema_free(s);

    s = build_ok("type Query { a: Int } type Subscription { s: Int }");
    assert_string_equal(s->subscription_type->name, "Subscription");
    assert_null(s->mutation_type);
    mm_gql_schema_free(s);

    s = build_ok("schema { query: Query } extend schema { mutation: M } "
                 "type Query { a: Int } type M { a: Int }");
    assert_string_equal(s->mutation_type->name, "M");
    mm_gql_schema_free(s);
}

static void test_multiple_sources(void **state) {
    (void)state;
    const char *a = "type Query { a: Int } type Mutation { m1: Int }";
    const char *b = "extend type Query { b: Foo } extend type Mutation { m2: Int } "
                    "type Foo { x: Int }";
    mm_gql_sdl_source srcs[2] = {{"a", a, strlen(a)}, {"b", b, strlen(b)}};
    mm_gql_schema *s = mm_gql_schema_build(srcs, 2, &errors);
    assert_non_null(s);
    assert_int_equal(s->query_type->field_count, 2);
    assert_int_equal(s->mutation_type->field_count, 2);
    assert_non_null(mm_gql_type_find_field(s->query_type, "b"));
    mm_gql_schema_free(s);
}

/* With several sources, errors name the source they are about in
 * extensions.source; locations are relative to that source. */
static void test_multiple_sources_errors(void **state) {
    (void)state;
    const char *a = "type Query { a: Int }";
    const char *b = "extend type Query { b: Nope }";
    const char *c = "type T { x: Int }\ntype T implements Query { x: Int }";
    mm_gql_sdl_source srcs[3] = {
        {"svc-a", a, strlen(a)}, {"svc-b", b, strlen(b)}, {"svc-c", c, strlen(c)}};
    assert_null(mm_gql_schema_build(srcs, 2, &errors));
    assert_string_equal(errors.head->message, "Unknown type \"Nope\".");
    assert_int_equal(errors.head->locations[0].line, 1);
    assert_int_equal(errors.head->locations[0].column, 24);
    assert_string_equal(json_string_value(json_object_get(errors.head->extensions, "source")),
                        "svc-b");
    mm_gql_errors_release(&errors);
    mm_gql_errors_init(&errors, &arena);

    mm_gql_sdl_source two[2] = {srcs[0], {"svc-c", "type T { x: Int }", 17}};
    const char *bad = "type U implements Query { x: Int }";
    two[1].text = bad;
    two[1].length = strlen(bad);
    assert_null(mm_gql_schema_build(two, 2, &errors));
    assert_string_equal(errors.head->message,
                        "Type U must only implement Interface types, it cannot implement Query.");
    assert_string_equal(json_string_value(json_object_get(errors.head->extensions, "source")),
                        "svc-c");
    mm_gql_errors_release(&errors);
    mm_gql_errors_init(&errors, &arena);

    const char *syntax = "type {";
    mm_gql_sdl_source three[2] = {srcs[0], {"broken", syntax, strlen(syntax)}};
    assert_null(mm_gql_schema_build(three, 2, &errors));
    assert_int_equal(errors.count, 1);
    assert_string_equal(json_string_value(json_object_get(errors.head->extensions, "source")),
                        "broken");
    mm_gql_errors_release(&errors);
    mm_gql_errors_init(&errors, &arena);

    /* a single source: exactly graphql-js's error, no extensions */
    assert_null(build("type Query { b: Nope }"));
    assert_null(errors.head->extensions);
    (void)c;
}

static void test_extension_before_definition(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("extend type Query { b: Int } type Query { a: Int }");
    assert_string_equal(s->query_type->fields[0].name, "a");
    assert_string_equal(s->query_type->fields[1].name, "b");
    mm_gql_schema_free(s);
}

static void test_builtin_redefinitions(void **state) {
    (void)state;
    /* a user "scalar String" is the built-in String, as in graphql-js */
    mm_gql_schema *s = build_ok("scalar String type Query { a: String }");
    assert_true(mm_gql_schema_find_type(s, "String")->is_builtin);
    mm_gql_schema_free(s);
    /* a user @deprecated replaces the built-in one */
    s = build_ok("directive @deprecated(reason: String) on FIELD_DEFINITION "
                 "type Query { a: Int @deprecated }");
    const mm_gql_directive_definition *d = mm_gql_schema_find_directive(s, "deprecated");
    assert_false(d->is_builtin);
    assert_int_equal(d->locations, MM_GQL_LOC_FIELD_DEFINITION);
    mm_gql_schema_free(s);
}

static void test_deprecation_forms(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("type Query { a: Int @deprecated(reason: null) "
                                "b: Int @deprecated(reason: \"\") c(x: Int @deprecated): Int }");
    assert_null(mm_gql_type_find_field(s->query_type, "a")->deprecation_reason);
    assert_string_equal(mm_gql_type_find_field(s->query_type, "b")->deprecation_reason, "");
    assert_non_null(mm_gql_type_find_field(s->query_type, "c")->args[0].deprecation_reason);
    mm_gql_schema_free(s);
    expect_error("type Query { a: Int @deprecated(reason: 1) }",
                 "Argument \"reason\" has invalid value 1.", 1, 41, 0);
}

static void test_one_of(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("input I @oneOf { a: Int b: String } input J { a: Int } "
                                "type Query { f(i: I, j: J): Int }");
    assert_true(mm_gql_schema_find_type(s, "I")->is_one_of);
    assert_false(mm_gql_schema_find_type(s, "J")->is_one_of);
    mm_gql_schema_free(s);
}

static void test_sdl_rules(void **state) {
    (void)state;
    expect_error("type Query { a: Int } type Query { b: Int }",
                 "There can be only one type named \"Query\".", 1, 6, 1, 28, 0);
    expect_error("type Query { a: Int a: String }", "Field \"Query.a\" can only be defined once.",
                 1, 14, 1, 21, 0);
    expect_error("type Query { a: Int } extend type Query { a: Int }",
                 "Field \"Query.a\" can only be defined once.", 1, 14, 1, 43, 0);
    expect_error("type Query { a: Foo }", "Unknown type \"Foo\".", 1, 17, 0);
    expect_error("type Query { a: Strin }", "Unknown type \"Strin\". Did you mean \"String\"?", 1,
                 17, 0);
    expect_error("type Query { a: Int } union U = A | B type A { a: Int }",
                 "Unknown type \"B\". Did you mean \"A\" or \"U\"?", 1, 37, 0);
    expect_error("type Query { a: Int } extend type Foo { b: Int }",
                 "Cannot extend type \"Foo\" because it is not defined.", 1, 35, 0);
    expect_error("type Query { a: Int } scalar Foo extend type Foo { b: Int }",
                 "Cannot extend non-object type \"Foo\".", 1, 23, 1, 34, 0);
    expect_error("type Query { a: Int } enum E { A B A }",
                 "Enum value \"E.A\" can only be defined once.", 1, 32, 1, 36, 0);
    expect_error("type Query { a: Int } enum E { A } extend enum E { A }",
                 "Enum value \"E.A\" can only be defined once.", 1, 32, 1, 52, 0);
    expect_error("type Query { a(x: Int, x: Int): Int }",
                 "Argument \"Query.a(x:)\" can only be defined once.", 1, 16, 1, 24, 0);
    expect_error("type Query { a: Int } directive @d on FIELD directive @d on FIELD",
                 "There can be only one directive named \"@d\".", 1, 34, 1, 56, 0);
    expect_error("type Query { a: Int @unknown }", "Unknown directive \"@unknown\".", 1, 21, 0);
    expect_error("type Query { a: Int @skip(if: true) }",
                 "Directive \"@skip\" may not be used on FIELD_DEFINITION.", 1, 21, 0);
    expect_error("type Query { a: Int @deprecated @deprecated }",
                 "The directive \"@deprecated\" can only be used once at this location.", 1, 21, 1,
                 33, 0);
    expect_error("type Query { a: Int @deprecated(foo: 1) }",
                 "Unknown argument \"foo\" on directive \"@deprecated\".", 1, 33, 0);
    expect_error("type Query { a: Int @deprecated(reason: \"a\", reason: \"b\") }",
                 "There can be only one argument named \"reason\".", 1, 33, 1, 46, 0);
    expect_error("scalar S @specifiedBy type Query { a: S }",
                 "Directive \"@specifiedBy\" argument \"url\" of type \"String!\" is required, "
                 "but it was not provided.",
                 1, 10, 0);
    expect_error("schema { query: Q } schema { query: Q } type Q { a: Int }",
                 "Must provide only one schema definition.", 1, 21, 0);
    expect_error("schema { query: Q query: Q } type Q { a: Int }",
                 "There can be only one query type in schema.", 1, 10, 1, 19, 0);
    expect_error("type Query { a(x: In = {a: 1, a: 2}): Int } input In { a: Int }",
                 "There can be only one input field named \"a\".", 1, 25, 1, 31, 0);
    /* graphql-js calls the fields of input-object extensions argument definitions */
    expect_error("type Query { a: Int } input I { a: Int } directive @x on INPUT_FIELD_DEFINITION "
                 "extend input I { c: Int @x }",
                 "Directive \"@x\" may not be used on ARGUMENT_DEFINITION.", 1, 105, 0);
}

static void test_all_errors_reported(void **state) {
    (void)state;
    assert_null(build("type Query { a: Int } extend scalar String @foo"));
    assert_int_equal(errors.count, 2);
    assert_string_equal(errors.head->message,
                        "Cannot extend type \"String\" because it is not defined.");
    assert_string_equal(errors.head->next->message, "Unknown directive \"@foo\".");
}

static void test_syntax_error(void **state) {
    (void)state;
    assert_null(build("type Query { a: }"));
    assert_int_equal(errors.count, 1);
    assert_int_equal(errors.head->kind, MM_GQL_ERROR_SYNTAX);
    assert_non_null(strstr(errors.head->message, "Syntax Error"));
}

static void test_binding(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok(rich_sdl);
    int marker;
    assert_int_equal(mm_gql_schema_set_resolver(s, "Query", "hello", NULL, &marker), 0);
    assert_ptr_equal(mm_gql_type_find_field(s->query_type, "hello")->resolve_ud, &marker);
    assert_int_equal(mm_gql_schema_set_resolver(s, "Query", "nope", NULL, NULL), MM_ENOTFOUND);
    assert_int_equal(mm_gql_schema_set_resolver(s, "Nope", "a", NULL, NULL), MM_ENOTFOUND);
    assert_int_equal(mm_gql_schema_set_resolver(s, "Color", "a", NULL, NULL), MM_EINVAL);
    assert_int_equal(mm_gql_schema_set_scalar(s, "Date", NULL, NULL, NULL, &marker), 0);
    assert_ptr_equal(mm_gql_schema_find_type(s, "Date")->scalar_ud, &marker);
    assert_int_equal(mm_gql_schema_set_scalar(s, "User", NULL, NULL, NULL, NULL), MM_EINVAL);
    assert_int_equal(mm_gql_schema_set_scalar(s, "Nope", NULL, NULL, NULL, NULL), MM_ENOTFOUND);
    assert_int_equal(mm_gql_schema_set_type_resolver(s, "Node", NULL, &marker), 0);
    assert_int_equal(mm_gql_schema_set_type_resolver(s, "SearchResult", NULL, NULL), 0);
    assert_int_equal(mm_gql_schema_set_type_resolver(s, "User", NULL, NULL), MM_EINVAL);
    assert_int_equal(mm_gql_schema_set_type_resolver(s, "Nope", NULL, NULL), MM_ENOTFOUND);
    mm_gql_schema_free(s);
}

static void test_predicates(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok(rich_sdl);
    mm_gql_type *user = mm_gql_schema_find_type(s, "User");
    mm_gql_type *robot = mm_gql_schema_find_type(s, "Robot");
    mm_gql_type *node = mm_gql_schema_find_type(s, "Node");
    mm_gql_type *named = mm_gql_schema_find_type(s, "Named");
    mm_gql_type *sr = mm_gql_schema_find_type(s, "SearchResult");
    mm_gql_type *extra = mm_gql_schema_find_type(s, "Extra");
    mm_gql_type *in = mm_gql_schema_find_type(s, "In");
    mm_gql_type *color = mm_gql_schema_find_type(s, "Color");
    mm_gql_type *str = mm_gql_schema_find_type(s, "String");

    assert_true(mm_gql_is_input_type(in));
    assert_true(mm_gql_is_input_type(mm_gql_list_of(s, color)));
    assert_false(mm_gql_is_input_type(user));
    assert_true(mm_gql_is_output_type(mm_gql_non_null_of(s, user)));
    assert_false(mm_gql_is_output_type(in));
    assert_true(mm_gql_is_leaf_type(color));
    assert_true(mm_gql_is_leaf_type(str));
    assert_false(mm_gql_is_leaf_type(mm_gql_list_of(s, str)));
    assert_true(mm_gql_is_composite_type(sr));
    assert_false(mm_gql_is_composite_type(in));
    assert_true(mm_gql_is_abstract_type(node));
    assert_false(mm_gql_is_abstract_type(user));
    assert_true(mm_gql_is_possible_type(node, user));
    assert_true(mm_gql_is_possible_type(sr, extra));
    assert_false(mm_gql_is_possible_type(node, extra));

    /* isTypeSubTypeOf */
    mm_gql_type *user_nn = mm_gql_non_null_of(s, user);
    assert_true(mm_gql_is_subtype(user, user));
    assert_true(mm_gql_is_subtype(user_nn, user));
    assert_false(mm_gql_is_subtype(user, user_nn));
    assert_true(mm_gql_is_subtype(user, node));
    assert_true(mm_gql_is_subtype(named, node)); /* interface implementing interface */
    assert_true(mm_gql_is_subtype(user, sr));
    assert_false(mm_gql_is_subtype(node, user));
    assert_true(mm_gql_is_subtype(mm_gql_list_of(s, user_nn), mm_gql_list_of(s, node)));
    assert_false(mm_gql_is_subtype(mm_gql_list_of(s, user), user));
    assert_false(mm_gql_is_subtype(user, mm_gql_list_of(s, user)));

    /* doTypesOverlap */
    assert_true(mm_gql_types_overlap(node, sr)); /* User and Robot in both */
    assert_true(mm_gql_types_overlap(sr, user));
    assert_true(mm_gql_types_overlap(user, node));
    assert_false(mm_gql_types_overlap(user, robot));
    assert_false(mm_gql_types_overlap(node, extra));

    assert_ptr_equal(mm_gql_named_type(mm_gql_non_null_of(s, mm_gql_list_of(s, user))), user);
    assert_ptr_equal(mm_gql_nullable_type(user_nn), user);
    assert_ptr_equal(mm_gql_nullable_type(user), user);
    mm_gql_schema_free(s);
}

static void test_type_from_ast(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok(rich_sdl);
    mm_gql_type_ref *ref = mm_gql_parse_type(&arena, "[User!]!", 8, &errors);
    assert_non_null(ref);
    mm_gql_type *t = mm_gql_type_from_ast(s, ref);
    assert_non_null(t);
    assert_int_equal(t->kind, MM_GQL_NON_NULL);
    assert_string_equal(mm_gql_type_to_string(t, &arena), "[User!]!");
    /* interned: the same reference twice gives the same pointer */
    assert_ptr_equal(mm_gql_type_from_ast(s, ref), t);
    mm_gql_type_ref *bad = mm_gql_parse_type(&arena, "[Nope]", 6, &errors);
    assert_null(mm_gql_type_from_ast(s, bad));
    assert_string_equal(mm_gql_type_to_string(mm_gql_schema_find_type(s, "Int"), &arena), "Int");
    mm_gql_schema_free(s);
}

typedef struct intern_job {
    mm_gql_schema *schema;
    mm_gql_type *base;
    mm_gql_type *results[64];
} intern_job;

static void *intern_worker(void *arg) {
    intern_job *job = arg;
    for (int i = 0; i < 64; i++) {
        mm_gql_type *t = job->base;
        for (int d = 0; d <= i % 8; d++)
            t = (d % 2) ? mm_gql_non_null_of(job->schema, t) : mm_gql_list_of(job->schema, t);
        job->results[i] = t;
    }
    return NULL;
}

static void test_interning_threads(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok("type Query { a: Int } type T { b: Int }");
    enum {
        THREADS = 8
    };
    pthread_t threads[THREADS];
    intern_job *jobs = calloc(THREADS, sizeof(*jobs));
    for (int i = 0; i < THREADS; i++) {
        jobs[i].schema = s;
        jobs[i].base = mm_gql_schema_find_type(s, "T");
        pthread_create(&threads[i], NULL, intern_worker, &jobs[i]);
    }
    for (int i = 0; i < THREADS; i++) pthread_join(threads[i], NULL);
    for (int i = 1; i < THREADS; i++)
        for (int k = 0; k < 64; k++) assert_ptr_equal(jobs[i].results[k], jobs[0].results[k]);
    assert_string_equal(mm_gql_type_to_string(jobs[0].results[7], &arena), "[[[[T]!]!]!]!");
    free(jobs);
    mm_gql_schema_free(s);
}

static void test_get_field_def(void **state) {
    (void)state;
    mm_gql_schema *s = build_ok(rich_sdl);
    mm_gql_type *user = mm_gql_schema_find_type(s, "User");
    mm_gql_type *sr = mm_gql_schema_find_type(s, "SearchResult");
    const mm_gql_field *f = mm_gql_get_field_def(s, s->query_type, "__schema");
    assert_ptr_equal(f, mm_gql_introspection_schema_field(s));
    assert_string_equal(mm_gql_type_to_string(f->type, &arena), "__Schema!");
    f = mm_gql_get_field_def(s, s->query_type, "__type");
    assert_ptr_equal(f, mm_gql_introspection_type_field(s));
    assert_string_equal(mm_gql_type_to_string(f->args[0].type, &arena), "String!");
    assert_null(mm_gql_get_field_def(s, user, "__schema"));
    assert_ptr_equal(mm_gql_get_field_def(s, sr, "__typename"),
                     mm_gql_introspection_typename_field(s));
    assert_null(mm_gql_get_field_def(s, sr, "id"));
    assert_ptr_equal(mm_gql_get_field_def(s, user, "age"), mm_gql_type_find_field(user, "age"));
    assert_null(mm_gql_get_field_def(s, mm_gql_schema_find_type(s, "In"), "__typename"));
    mm_gql_schema_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rich_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_roots, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_sources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_multiple_sources_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extension_before_definition, setup, teardown),
        cmocka_unit_test_setup_teardown(test_builtin_redefinitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deprecation_forms, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_of, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sdl_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_errors_reported, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_binding, setup, teardown),
        cmocka_unit_test_setup_teardown(test_predicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_from_ast, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interning_threads, setup, teardown),
        cmocka_unit_test_setup_teardown(test_get_field_def, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
