/* test_parser.c -- the GraphQL parser: the tree it builds for every
 * production of executable and type-system documents, node locations,
 * graphql-js 16's syntax error messages and locations (each expectation
 * confirmed against graphql@16.15), value and type parsing, and the limits
 * (size, tokens, nesting) that must turn hostile input into a clear error of
 * kind MM_GQL_ERROR_LIMIT instead of a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/ast_print.h"
#include "graphql/language/parser.h"

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

static const mm_gql_parse_limits unlimited = {0, 0, 0};

static mm_gql_document *parse_ok(const char *src) {
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, src, strlen(src), &unlimited, &errors);
    if (!doc) fail_msg("parse failed for [%s]: %s", src, errors.head ? errors.head->message : "?");
    assert_int_equal(errors.count, 0);
    return doc;
}

/* Parses src expecting exactly one error; returns it. */
static const mm_gql_error *parse_err(const char *src, size_t len,
                                     const mm_gql_parse_limits *limits) {
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, src, len, limits, &errors);
    if (doc) fail_msg("parse unexpectedly succeeded for [%.*s]", (int)(len > 200 ? 200 : len), src);
    assert_int_equal(errors.count, 1);
    return errors.head;
}

static void assert_loc(mm_gql_loc loc, uint32_t line, uint32_t column) {
    if (loc.line != line || loc.column != column)
        fail_msg("location %u:%u, want %u:%u", loc.line, loc.column, line, column);
}

/* ---- executable documents ------------------------------------------------ */

static void test_shorthand_query(void **state) {
    (void)state;
    mm_gql_document *doc = parse_ok("{ a }");
    assert_int_equal(doc->definition_count, 1);
    mm_gql_definition *def = &doc->definitions[0];
    assert_int_equal(def->kind, MM_GQL_DEF_OPERATION);
    assert_true(def->u.operation.shorthand);
    assert_int_equal(def->u.operation.operation, MM_GQL_OP_QUERY);
    assert_null(def->u.operation.name.value);
    assert_null(def->u.operation.description);
    assert_int_equal(def->u.operation.selection_set->count, 1);
    mm_gql_selection *a = &def->u.operation.selection_set->items[0];
    assert_int_equal(a->kind, MM_GQL_SEL_FIELD);
    assert_string_equal(a->u.field.name.value, "a");
    assert_null(a->u.field.alias.value);
    assert_null(a->u.field.selection_set);
    assert_int_equal(a->u.field.arg_count, 0);
    assert_loc(a->loc, 1, 3);
    assert_ptr_equal(doc->source_length, 5);
}

static void test_operation_with_everything(void **state) {
    (void)state;
    const char *src =
        "query Q($a: Int = 1, $b: [String!]! @dv, $c: In = {x: [1, 2.5, \"s\", true, null, E]})\n"
        "  @dq(x: $a) {\n"
        "  alias: field(arg: $b, o: {k: $c}) @skip(if: false) { sub }\n"
        "  ...Frag @ds\n"
        "  ... on T { t }\n"
        "  ... @include(if: true) { u }\n"
        "  ... { v }\n"
        "}";
    mm_gql_document *doc = parse_ok(src);
    mm_gql_operation *op = &doc->definitions[0].u.operation;
    assert_false(op->shorthand);
    assert_string_equal(op->name.value, "Q");
    assert_loc(op->name.loc, 1, 7);
    assert_int_equal(op->variable_count, 3);
    mm_gql_variable_definition *a = &op->variables[0];
    assert_string_equal(a->name.value, "a");
    assert_loc(a->name.loc, 1, 9); /* the '$' */
    assert_loc(a->loc, 1, 9);
    assert_int_equal(a->type->kind, MM_GQL_TYPE_NAMED);
    assert_string_equal(a->type->name.value, "Int");
    assert_int_equal(a->default_value->kind, MM_GQL_VALUE_INT);
    assert_string_equal(a->default_value->u.raw, "1");
    mm_gql_variable_definition *b = &op->variables[1];
    assert_int_equal(b->type->kind, MM_GQL_TYPE_NON_NULL);
    assert_int_equal(b->type->of_type->kind, MM_GQL_TYPE_LIST);
    assert_int_equal(b->type->of_type->of_type->kind, MM_GQL_TYPE_NON_NULL);
    assert_string_equal(b->type->of_type->of_type->of_type->name.value, "String");
    assert_loc(b->type->loc, 1, 26);
    assert_int_equal(b->directive_count, 1);
    assert_string_equal(b->directives[0].name.value, "dv");
    assert_null(b->default_value);
    mm_gql_value *c = op->variables[2].default_value;
    assert_int_equal(c->kind, MM_GQL_VALUE_OBJECT);
    assert_int_equal(c->u.object.count, 1);
    assert_string_equal(c->u.object.fields[0].name.value, "x");
    mm_gql_value *list = c->u.object.fields[0].value;
    assert_int_equal(list->kind, MM_GQL_VALUE_LIST);
    assert_int_equal(list->u.list.count, 6);
    assert_int_equal(list->u.list.items[0]->kind, MM_GQL_VALUE_INT);
    assert_int_equal(list->u.list.items[1]->kind, MM_GQL_VALUE_FLOAT);
    assert_string_equal(list->u.list.items[1]->u.raw, "2.5");
    assert_int_equal(list->u.list.items[2]->kind, MM_GQL_VALUE_STRING);
    assert_string_equal(list->u.list.items[2]->u.string.chars, "s");
    assert_false(list->u.list.items[2]->u.string.block);
    assert_int_equal(list->u.list.items[3]->kind, MM_GQL_VALUE_BOOLEAN);
    assert_true(list->u.list.items[3]->u.boolean);
    assert_int_equal(list->u.list.items[4]->kind, MM_GQL_VALUE_NULL);
    assert_int_equal(list->u.list.items[5]->kind, MM_GQL_VALUE_ENUM);
    assert_string_equal(list->u.list.items[5]->u.name, "E");
    assert_loc(list->u.list.items[5]->loc, 1, 81);

    assert_int_equal(op->directive_count, 1);
    assert_string_equal(op->directives[0].name.value, "dq");
    assert_loc(op->directives[0].loc, 2, 3);
    assert_int_equal(op->directives[0].args[0].value->kind, MM_GQL_VALUE_VARIABLE);
    assert_string_equal(op->directives[0].args[0].value->u.name, "a");

    mm_gql_selection_set *set = op->selection_set;
    assert_loc(set->loc, 2, 14);
    assert_int_equal(set->count, 5);
    mm_gql_selection *f = &set->items[0];
    assert_string_equal(f->u.field.alias.value, "alias");
    assert_string_equal(f->u.field.name.value, "field");
    assert_loc(f->loc, 3, 3);
    assert_loc(f->u.field.name.loc, 3, 10);
    assert_int_equal(f->u.field.arg_count, 2);
    assert_string_equal(f->u.field.args[0].name.value, "arg");
    assert_loc(f->u.field.args[0].loc, 3, 16);
    assert_int_equal(f->u.field.args[1].value->kind, MM_GQL_VALUE_OBJECT);
    assert_int_equal(f->directive_count, 1);
    assert_string_equal(f->directives[0].name.value, "skip");
    assert_int_equal(f->u.field.selection_set->count, 1);

    mm_gql_selection *spread = &set->items[1];
    assert_int_equal(spread->kind, MM_GQL_SEL_FRAGMENT_SPREAD);
    assert_string_equal(spread->u.spread.name.value, "Frag");
    assert_int_equal(spread->directive_count, 1);
    assert_loc(spread->loc, 4, 3);

    mm_gql_selection *inl = &set->items[2];
    assert_int_equal(inl->kind, MM_GQL_SEL_INLINE_FRAGMENT);
    assert_string_equal(inl->u.inline_fragment.type_condition.value, "T");
    assert_loc(inl->u.inline_fragment.type_condition.loc, 5, 10);
    inl = &set->items[3];
    assert_int_equal(inl->kind, MM_GQL_SEL_INLINE_FRAGMENT);
    assert_null(inl->u.inline_fragment.type_condition.value);
    assert_int_equal(inl->directive_count, 1);
    inl = &set->items[4];
    assert_int_equal(inl->kind, MM_GQL_SEL_INLINE_FRAGMENT);
    assert_null(inl->u.inline_fragment.type_condition.value);
    assert_int_equal(inl->directive_count, 0);
}

static void test_operation_types_and_fragments(void **state) {
    (void)state;
    mm_gql_document *doc = parse_ok("mutation M { a }\n"
                                    "subscription { b }\n"
                                    "query ($v: Int) { c }\n"
                                    "fragment F on T @d { d }\n");
    assert_int_equal(doc->definition_count, 4);
    assert_int_equal(doc->definitions[0].u.operation.operation, MM_GQL_OP_MUTATION);
    assert_int_equal(doc->definitions[1].u.operation.operation, MM_GQL_OP_SUBSCRIPTION);
    assert_null(doc->definitions[1].u.operation.name.value);
    assert_false(doc->definitions[1].u.operation.shorthand);
    assert_null(doc->definitions[2].u.operation.name.value);
    assert_int_equal(doc->definitions[2].u.operation.variable_count, 1);
    mm_gql_definition *frag = &doc->definitions[3];
    assert_int_equal(frag->kind, MM_GQL_DEF_FRAGMENT);
    assert_loc(frag->loc, 4, 1);
    assert_string_equal(frag->u.fragment.name.value, "F");
    assert_string_equal(frag->u.fragment.type_condition.value, "T");
    assert_int_equal(frag->u.fragment.directive_count, 1);
    /* keywords are ordinary names elsewhere */
    doc = parse_ok("{ query fragment on type extend true: null(on: on) }");
    assert_int_equal(doc->definitions[0].u.operation.selection_set->count, 6);
    /* "on" as a field, "...on" with a name as a spread */
    doc = parse_ok("{ ...onion ... on On { on } }");
    assert_int_equal(doc->definitions[0].u.operation.selection_set->items[0].kind,
                     MM_GQL_SEL_FRAGMENT_SPREAD);
}

static void test_executable_descriptions(void **state) {
    (void)state;
    /* graphql-js 16.15 accepts descriptions on operations, fragments and variables */
    mm_gql_document *doc =
        parse_ok("\"op\" query Q(\"\"\"v\"\"\" $v: Int) { a }\n\"fr\" fragment F on T { a }");
    mm_gql_operation *op = &doc->definitions[0].u.operation;
    assert_non_null(op->description);
    assert_string_equal(op->description->chars, "op");
    assert_loc(doc->definitions[0].loc, 1, 1);
    assert_non_null(op->variables[0].description);
    assert_true(op->variables[0].description->block);
    assert_loc(op->variables[0].loc, 1, 14);
    assert_loc(op->variables[0].name.loc, 1, 22);
    assert_string_equal(doc->definitions[1].u.fragment.description->chars, "fr");
}

static void test_strings_in_values(void **state) {
    (void)state;
    mm_gql_document *doc = parse_ok("{ a(s: \"x\\u0000y\", b: \"\"\"\n  block\n  \"\"\") }");
    mm_gql_argument *args = doc->definitions[0].u.operation.selection_set->items[0].u.field.args;
    assert_int_equal(args[0].value->u.string.length, 3);
    assert_memory_equal(args[0].value->u.string.chars, "x\0y", 3);
    assert_true(args[1].value->u.string.block);
    assert_string_equal(args[1].value->u.string.chars, "block");
}

/* ---- type system ------------------------------------------------------- */

static void test_type_system_definitions(void **state) {
    (void)state;
    const char *src = "\"schema desc\" schema @s { query: Q mutation: M subscription: S }\n"
                      "\"\"\"scalar desc\"\"\" scalar Date @sd\n"
                      "type Obj implements & I1 & I2 @od {\n"
                      "  \"field desc\" f(\"arg desc\" a: Int = 1 @ad, b: [In!]): String! @fd\n"
                      "  g: Int\n"
                      "}\n"
                      "interface I1 implements I0 { x: Int }\n"
                      "union U @ud = | A | B\n"
                      "enum E { \"v desc\" ONE @ed TWO }\n"
                      "input In { a: Int = 2 @id, b: String }\n"
                      "directive @dir(a: Int) repeatable on | FIELD | OBJECT\n"
                      "type Empty\n";
    mm_gql_document *doc = parse_ok(src);
    assert_int_equal(doc->definition_count, 9);

    mm_gql_schema_def *sd = &doc->definitions[0].u.schema;
    assert_int_equal(doc->definitions[0].kind, MM_GQL_DEF_SCHEMA);
    assert_false(sd->is_extension);
    assert_string_equal(sd->description.chars, "schema desc");
    assert_loc(sd->description.loc, 1, 1);
    assert_int_equal(sd->directive_count, 1);
    assert_int_equal(sd->operation_type_count, 3);
    assert_int_equal(sd->operation_types[2].operation, MM_GQL_OP_SUBSCRIPTION);
    assert_string_equal(sd->operation_types[2].type.value, "S");
    assert_loc(sd->operation_types[1].loc, 1, 36);

    mm_gql_type_def *sc = &doc->definitions[1].u.type;
    assert_int_equal(sc->kind, MM_GQL_TYPEDEF_SCALAR);
    assert_true(sc->description.block);
    assert_string_equal(sc->description.chars, "scalar desc");
    assert_string_equal(sc->name.value, "Date");
    assert_int_equal(sc->directive_count, 1);

    mm_gql_type_def *obj = &doc->definitions[2].u.type;
    assert_int_equal(obj->kind, MM_GQL_TYPEDEF_OBJECT);
    assert_null(obj->description.chars);
    assert_int_equal(obj->interface_count, 2);
    assert_string_equal(obj->interfaces[1].value, "I2");
    assert_int_equal(obj->field_count, 2);
    mm_gql_field_def *f = &obj->fields[0];
    assert_string_equal(f->description.chars, "field desc");
    assert_loc(f->loc, 4, 3);
    assert_int_equal(f->arg_count, 2);
    assert_string_equal(f->args[0].description.chars, "arg desc");
    assert_string_equal(f->args[0].default_value->u.raw, "1");
    assert_int_equal(f->args[0].directive_count, 1);
    assert_int_equal(f->args[1].type->kind, MM_GQL_TYPE_LIST);
    assert_int_equal(f->type->kind, MM_GQL_TYPE_NON_NULL);
    assert_int_equal(f->directive_count, 1);

    mm_gql_type_def *iface = &doc->definitions[3].u.type;
    assert_int_equal(iface->kind, MM_GQL_TYPEDEF_INTERFACE);
    assert_int_equal(iface->interface_count, 1);

    mm_gql_type_def *un = &doc->definitions[4].u.type;
    assert_int_equal(un->kind, MM_GQL_TYPEDEF_UNION);
    assert_int_equal(un->member_count, 2);
    assert_string_equal(un->members[0].value, "A");
    assert_int_equal(un->directive_count, 1);

    mm_gql_type_def *en = &doc->definitions[5].u.type;
    assert_int_equal(en->kind, MM_GQL_TYPEDEF_ENUM);
    assert_int_equal(en->value_count, 2);
    assert_string_equal(en->values[0].description.chars, "v desc");
    assert_string_equal(en->values[0].name.value, "ONE");
    assert_int_equal(en->values[0].directive_count, 1);

    mm_gql_type_def *in = &doc->definitions[6].u.type;
    assert_int_equal(in->kind, MM_GQL_TYPEDEF_INPUT_OBJECT);
    assert_int_equal(in->input_field_count, 2);
    assert_int_equal(in->input_fields[0].directive_count, 1);

    mm_gql_directive_def *dd = &doc->definitions[7].u.directive;
    assert_int_equal(doc->definitions[7].kind, MM_GQL_DEF_DIRECTIVE);
    assert_string_equal(dd->name.value, "dir");
    assert_true(dd->repeatable);
    assert_int_equal(dd->arg_count, 1);
    assert_int_equal(dd->location_count, 2);
    assert_string_equal(dd->locations[1].value, "OBJECT");

    assert_int_equal(doc->definitions[8].u.type.field_count, 0);
    assert_loc(doc->definitions[8].loc, 12, 1);
}

static void test_extensions(void **state) {
    (void)state;
    mm_gql_document *doc = parse_ok("extend schema @a\n"
                                    "extend schema { query: Q }\n"
                                    "extend scalar S @a\n"
                                    "extend type T implements I\n"
                                    "extend type T @a\n"
                                    "extend type T { f: Int }\n"
                                    "extend interface I implements J\n"
                                    "extend interface I { f: Int }\n"
                                    "extend union U = A\n"
                                    "extend union U @a\n"
                                    "extend enum E { V }\n"
                                    "extend enum E @a\n"
                                    "extend input In { f: Int }\n"
                                    "extend input In @a\n");
    assert_int_equal(doc->definition_count, 14);
    for (size_t i = 0; i < doc->definition_count; i++) {
        mm_gql_definition *d = &doc->definitions[i];
        if (i < 2) {
            assert_int_equal(d->kind, MM_GQL_DEF_SCHEMA);
            assert_true(d->u.schema.is_extension);
        } else {
            assert_int_equal(d->kind, MM_GQL_DEF_TYPE);
            assert_true(d->u.type.is_extension);
        }
        assert_loc(d->loc, (uint32_t)i + 1, 1);
    }
    assert_int_equal(doc->definitions[1].u.schema.operation_type_count, 1);
    assert_int_equal(doc->definitions[3].u.type.kind, MM_GQL_TYPEDEF_OBJECT);
    assert_int_equal(doc->definitions[3].u.type.interface_count, 1);
    assert_int_equal(doc->definitions[8].u.type.kind, MM_GQL_TYPEDEF_UNION);
    assert_int_equal(doc->definitions[8].u.type.member_count, 1);
    assert_int_equal(doc->definitions[12].u.type.kind, MM_GQL_TYPEDEF_INPUT_OBJECT);
    assert_int_equal(doc->definitions[12].u.type.input_field_count, 1);
}

/* ---- errors ------------------------------------------------------------ */

static void test_syntax_errors(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *message;
        uint32_t line, column;
    } cases[] = {
        {"", "Syntax Error: Unexpected <EOF>.", 1, 1},
        {"   # only a comment\n", "Syntax Error: Unexpected <EOF>.", 2, 1},
        {"{", "Syntax Error: Expected Name, found <EOF>.", 1, 2},
        {"{ a", "Syntax Error: Expected Name, found <EOF>.", 1, 4},
        {"{}", "Syntax Error: Expected Name, found \"}\".", 1, 2},
        {"{ ...MissingOn }\nfragment MissingOn Type",
         "Syntax Error: Expected \"on\", found Name \"Type\".", 2, 20},
        {"{ field: {} }", "Syntax Error: Expected Name, found \"{\".", 1, 10},
        {"notAnOperation Foo { field }", "Syntax Error: Unexpected Name \"notAnOperation\".", 1, 1},
        {"...", "Syntax Error: Unexpected \"...\".", 1, 1},
        {"{ \"\"", "Syntax Error: Expected Name, found String \"\".", 1, 3},
        {"query", "Syntax Error: Expected \"{\", found <EOF>.", 1, 6},
        {"query Foo($a: Int) { a } extra", "Syntax Error: Unexpected Name \"extra\".", 1, 26},
        {"{ a(x: ) }", "Syntax Error: Unexpected \")\".", 1, 8},
        {"{ a() }", "Syntax Error: Expected Name, found \")\".", 1, 5},
        {"query ($a) { a }", "Syntax Error: Expected \":\", found \")\".", 1, 10},
        {"query () { a }", "Syntax Error: Expected \"$\", found \")\".", 1, 8},
        {"query Foo($x: Complex = { a: { b: [ $var ] } }) { field }",
         "Syntax Error: Unexpected variable \"$var\" in constant value.", 1, 37},
        {"query Foo($x: Int = $) { a }", "Syntax Error: Unexpected \"$\".", 1, 21},
        {"query ($x: Int @d(a: $y)) { a }",
         "Syntax Error: Unexpected variable \"$y\" in constant value.", 1, 22},
        {"fragment on on on { on }", "Syntax Error: Unexpected Name \"on\".", 1, 10},
        {"{ ...on }", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"fragment \"on\" on T { a }", "Syntax Error: Unexpected String \"on\".", 1, 10},
        {"{ ... on { a } }", "Syntax Error: Expected Name, found \"{\".", 1, 10},
        {"{ a @ }", "Syntax Error: Expected Name, found \"}\".", 1, 7},
        {"{ a(b: [1, 2) }", "Syntax Error: Unexpected \")\".", 1, 13},
        {"{ a(b: {c 1}) }", "Syntax Error: Expected \":\", found Int \"1\".", 1, 11},
        {"query Q($a: [Int) { a }", "Syntax Error: Expected \"]\", found \")\".", 1, 17},
        {"query Q($a: Int!!) { a }", "Syntax Error: Expected \"$\", found \"!\".", 1, 17},
        {"\"desc\" { a }",
         "Syntax Error: Unexpected description, descriptions are not supported on shorthand "
         "queries.",
         1, 1},
        {"\"desc\" extend type A @d",
         "Syntax Error: Unexpected description, only GraphQL definitions support descriptions.", 1,
         1},
        {"\"desc\" foo",
         "Syntax Error: Unexpected description, only GraphQL definitions support descriptions.", 1,
         1},
        {"\"desc\" 1", "Syntax Error: Unexpected Int \"1\".", 1, 8},
        {"\"desc\"", "Syntax Error: Unexpected <EOF>.", 1, 7},
        {"extend type A", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend type A {}", "Syntax Error: Expected Name, found \"}\".", 1, 16},
        {"extend scalar S", "Syntax Error: Unexpected <EOF>.", 1, 16},
        {"extend schema", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend union U", "Syntax Error: Unexpected <EOF>.", 1, 15},
        {"extend enum E", "Syntax Error: Unexpected <EOF>.", 1, 14},
        {"extend input I", "Syntax Error: Unexpected <EOF>.", 1, 15},
        {"extend interface I", "Syntax Error: Unexpected <EOF>.", 1, 19},
        {"extend type A { a: Int } extra", "Syntax Error: Unexpected Name \"extra\".", 1, 26},
        {"extend foo X", "Syntax Error: Unexpected Name \"foo\".", 1, 8},
        {"extend", "Syntax Error: Unexpected <EOF>.", 1, 7},
        {"extend directive @d", "Syntax Error: Unexpected Name \"directive\".", 1, 8},
        {"type A {}", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"type A { a }", "Syntax Error: Expected \":\", found \"}\".", 1, 12},
        {"type A implements { a: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 19},
        {"type A implements B & { a: Int }", "Syntax Error: Expected Name, found \"{\".", 1, 23},
        {"type A implements B, C { a: Int }", "Syntax Error: Unexpected Name \"C\".", 1, 22},
        {"type A { a(b: Int = $c): Int }",
         "Syntax Error: Unexpected variable \"$c\" in constant value.", 1, 21},
        {"union U = ", "Syntax Error: Expected Name, found <EOF>.", 1, 11},
        {"union U = | ", "Syntax Error: Expected Name, found <EOF>.", 1, 13},
        {"union U = A || B", "Syntax Error: Expected Name, found \"|\".", 1, 14},
        {"union U = A |", "Syntax Error: Expected Name, found <EOF>.", 1, 14},
        {"enum E { true }",
         "Syntax Error: Name \"true\" is reserved and cannot be used for an enum value.", 1, 10},
        {"enum E { A false }",
         "Syntax Error: Name \"false\" is reserved and cannot be used for an enum value.", 1, 12},
        {"enum E { null }",
         "Syntax Error: Name \"null\" is reserved and cannot be used for an enum value.", 1, 10},
        {"enum E { \"true\" }", "Syntax Error: Expected Name, found \"}\".", 1, 17},
        {"enum E { \"desc\" \"true\" }",
         "Syntax Error: String \"true\" is reserved and cannot be used for an enum value.", 1, 17},
        {"input I { a }", "Syntax Error: Expected \":\", found \"}\".", 1, 13},
        {"input I { a(b: Int): Int }", "Syntax Error: Expected \":\", found \"(\".", 1, 12},
        {"directive @d on FOO", "Syntax Error: Unexpected Name \"FOO\".", 1, 17},
        {"directive @d on FIELD | foo", "Syntax Error: Unexpected Name \"foo\".", 1, 25},
        {"directive @d", "Syntax Error: Expected \"on\", found <EOF>.", 1, 13},
        {"directive d on FIELD", "Syntax Error: Expected \"@\", found Name \"d\".", 1, 11},
        {"directive @d repeatable", "Syntax Error: Expected \"on\", found <EOF>.", 1, 24},
        {"directive @d on", "Syntax Error: Expected Name, found <EOF>.", 1, 16},
        {"schema { query Q }", "Syntax Error: Expected \":\", found Name \"Q\".", 1, 16},
        {"schema { foo: Q }", "Syntax Error: Unexpected Name \"foo\".", 1, 10},
        {"schema", "Syntax Error: Expected \"{\", found <EOF>.", 1, 7},
        {"schema {}", "Syntax Error: Expected Name, found \"}\".", 1, 9},
        {"scalar", "Syntax Error: Expected Name, found <EOF>.", 1, 7},
        {"{ a(x: \"abc) }", "Syntax Error: Unterminated string.", 1, 15},
        {"{ a(x: 01) }", "Syntax Error: Invalid number, unexpected digit after 0: \"1\".", 1, 9},
        {"{ a ? }", "Syntax Error: Unexpected character: \"?\".", 1, 5},
        {"{ a(x: \"\\u{D800}\") }", "Syntax Error: Invalid Unicode escape sequence: \"\\u{D800}\".",
         1, 9},
        {"\n\n  { a(x: \"\\uD83D\") }",
         "Syntax Error: Invalid Unicode escape sequence: \"\\uD83D\".", 3, 11},
        {"{ a }\n\"\"\"unterminated", "Syntax Error: Unterminated string.", 2, 16},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const mm_gql_error *e = parse_err(cases[i].src, strlen(cases[i].src), &unlimited);
        if (strcmp(e->message, cases[i].message) != 0)
            fail_msg("case %zu [%s]: got [%s] want [%s]", i, cases[i].src, e->message,
                     cases[i].message);
        assert_int_equal(e->kind, MM_GQL_ERROR_SYNTAX);
        assert_int_equal(e->location_count, 1);
        if (e->locations[0].line != cases[i].line || e->locations[0].column != cases[i].column)
            fail_msg("case %zu [%s]: location %u:%u want %u:%u", i, cases[i].src,
                     e->locations[0].line, e->locations[0].column, cases[i].line, cases[i].column);
    }
}

static void test_invalid_utf8(void **state) {
    (void)state;
    const mm_gql_error *e = parse_err("{ a(x: \"\xC3\x28\") }", 13, &unlimited);
    assert_string_equal(e->message, "Syntax Error: Invalid UTF-8 sequence.");
    assert_loc(e->locations[0], 1, 9);
    e = parse_err("{ a \xFF }", 7, &unlimited);
    assert_string_equal(e->message, "Syntax Error: Invalid UTF-8 sequence.");
    assert_loc(e->locations[0], 1, 5);
    /* valid UTF-8 in strings and comments is fine, and columns stay right */
    mm_gql_document *doc = parse_ok("# \xE2\x9C\x93\n{ a(x: \"\xF0\x9F\x98\x80\") b }");
    mm_gql_selection *b = &doc->definitions[0].u.operation.selection_set->items[1];
    assert_loc(b->loc, 2, 14);
    /* the error list serializes (jansson rejects invalid UTF-8 messages) */
    e = parse_err("{ a(x: \xC3\xA9) }", 11, &unlimited);
    assert_string_equal(e->message, "Syntax Error: Unexpected character: U+00E9.");
    json_t *j = mm_gql_errors_to_json(&errors);
    assert_non_null(json_object_get(json_array_get(j, 0), "message"));
    json_decref(j);
}

static void test_null_bytes(void **state) {
    (void)state;
    const mm_gql_error *e = parse_err("{ a\0 }", 6, &unlimited);
    assert_string_equal(e->message, "Syntax Error: Unexpected character: U+0000.");
    assert_loc(e->locations[0], 1, 4);
}

/* ---- values and types ---------------------------------------------------- */

static void test_parse_value(void **state) {
    (void)state;
    const char *src = "[123 \"abc\", {a: $v, b: [ENUM, null, false]}, \"\"\"blk\"\"\", -1.5e3]";
    mm_gql_value *v = mm_gql_parse_value(&arena, src, strlen(src), &errors);
    assert_non_null(v);
    assert_int_equal(v->kind, MM_GQL_VALUE_LIST);
    assert_int_equal(v->u.list.count, 5);
    assert_string_equal(v->u.list.items[0]->u.raw, "123");
    assert_string_equal(v->u.list.items[1]->u.string.chars, "abc");
    mm_gql_value *obj = v->u.list.items[2];
    assert_int_equal(obj->kind, MM_GQL_VALUE_OBJECT);
    assert_loc(obj->loc, 1, 13);
    assert_loc(obj->u.object.fields[1].loc, 1, 21);
    assert_int_equal(obj->u.object.fields[0].value->kind, MM_GQL_VALUE_VARIABLE);
    assert_true(v->u.list.items[3]->u.string.block);
    assert_int_equal(v->u.list.items[4]->kind, MM_GQL_VALUE_FLOAT);
    char *printed = mm_gql_print_value(v, &arena);
    assert_string_equal(printed,
                        "[123, \"abc\", {a: $v, b: [ENUM, null, false]}, \"\"\"blk\"\"\", -1.5e3]");

    mm_gql_errors_init(&errors, &arena);
    assert_null(mm_gql_parse_value(&arena, "[1", 2, &errors));
    assert_string_equal(errors.head->message, "Syntax Error: Unexpected <EOF>.");
    mm_gql_errors_init(&errors, &arena);
    assert_null(mm_gql_parse_value(&arena, "1 2", 3, &errors));
    assert_string_equal(errors.head->message, "Syntax Error: Expected <EOF>, found Int \"2\".");
    mm_gql_errors_init(&errors, &arena);
    assert_null(mm_gql_parse_value(&arena, "", 0, &errors));
    assert_string_equal(errors.head->message, "Syntax Error: Unexpected <EOF>.");
}

static void test_parse_type(void **state) {
    (void)state;
    mm_gql_type_ref *t = mm_gql_parse_type(&arena, "[[Int!]]!", 9, &errors);
    assert_non_null(t);
    assert_int_equal(t->kind, MM_GQL_TYPE_NON_NULL);
    assert_int_equal(t->of_type->kind, MM_GQL_TYPE_LIST);
    assert_int_equal(t->of_type->of_type->kind, MM_GQL_TYPE_LIST);
    assert_string_equal(t->of_type->of_type->of_type->of_type->name.value, "Int");
    assert_string_equal(mm_gql_print_type(t, &arena), "[[Int!]]!");
    t = mm_gql_parse_type(&arena, " MyType ", 8, &errors);
    assert_int_equal(t->kind, MM_GQL_TYPE_NAMED);
    assert_loc(t->name.loc, 1, 2);
    assert_null(mm_gql_parse_type(&arena, "Int!!", 5, &errors));
    assert_string_equal(errors.tail->message, "Syntax Error: Expected <EOF>, found \"!\".");
    assert_null(mm_gql_parse_type(&arena, "[Int", 4, &errors));
    assert_string_equal(errors.tail->message, "Syntax Error: Expected \"]\", found <EOF>.");
}

/* ---- limits -------------------------------------------------------------- */

static char *repeat_wrap(const char *open, const char *middle, const char *close, size_t depth) {
    size_t lo = strlen(open), lm = strlen(middle), lc = strlen(close);
    char *s = malloc(depth * (lo + lc) + lm + 1);
    size_t w = 0;
    for (size_t i = 0; i < depth; i++, w += lo) memcpy(s + w, open, lo);
    memcpy(s + w, middle, lm);
    w += lm;
    for (size_t i = 0; i < depth; i++, w += lc) memcpy(s + w, close, lc);
    s[w] = '\0';
    return s;
}

static void test_depth_limit(void **state) {
    (void)state;
    /* 100000 levels of each kind of nesting, with no limit requested:
     * still a clean limit error, never a stack overflow. */
    static const struct {
        const char *prefix, *open, *middle, *close, *suffix;
    } shapes[] = {
        {"", "{ a ", "{ b }", " }", ""},
        {"", "{ ... on T ", "{ b }", " }", ""},
        {"{ a(x: ", "[", "1", "]", ") }"},
        {"{ a(x: ", "{f: ", "1", "}", ") }"},
        {"query ($v: ", "[", "Int", "]", ") { a }"},
    };
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        char *inner = repeat_wrap(shapes[i].open, shapes[i].middle, shapes[i].close, 100000);
        size_t n = strlen(shapes[i].prefix) + strlen(inner) + strlen(shapes[i].suffix) + 1;
        char *deep = malloc(n);
        snprintf(deep, n, "%s%s%s", shapes[i].prefix, inner, shapes[i].suffix);
        free(inner);
        const mm_gql_error *e = parse_err(deep, strlen(deep), &unlimited);
        assert_int_equal(e->kind, MM_GQL_ERROR_LIMIT);
        assert_non_null(strstr(e->message, "maximum nesting depth"));
        free(deep);
    }
    /* the default limit is 64 */
    char *ok = repeat_wrap("{ a ", "{ b }", " }", 63);
    mm_gql_errors_init(&errors, &arena);
    assert_non_null(mm_gql_parse(&arena, ok, strlen(ok), NULL, &errors));
    free(ok);
    char *over = repeat_wrap("{ a ", "{ b }", " }", 64);
    const mm_gql_error *e = parse_err(over, strlen(over), NULL);
    assert_string_equal(e->message,
                        "Syntax Error: Document exceeds the maximum nesting depth of 64.");
    assert_int_equal(e->kind, MM_GQL_ERROR_LIMIT);
    assert_loc(e->locations[0], 1, 64 * 4 + 1);
    free(over);
    /* a small explicit limit counts lists and objects too */
    mm_gql_parse_limits three = {0, 0, 3};
    mm_gql_errors_init(&errors, &arena);
    assert_non_null(mm_gql_parse(&arena, "{ a(x: [{y: 1}]) }", 18, &three, &errors));
    e = parse_err("{ a(x: [{y: [1]}]) }", 20, &three);
    assert_string_equal(e->message,
                        "Syntax Error: Document exceeds the maximum nesting depth of 3.");
    assert_loc(e->locations[0], 1, 13);
}

static void test_token_limit(void **state) {
    (void)state;
    mm_gql_parse_limits lim = {0, 5, 0};
    mm_gql_errors_init(&errors, &arena);
    /* "{ a b c }" is 5 tokens: allowed (EOF is not counted) */
    assert_non_null(mm_gql_parse(&arena, "{ a b c }", 9, &lim, &errors));
    const mm_gql_error *e = parse_err("{ a b c d }", 11, &lim);
    assert_string_equal(e->message,
                        "Syntax Error: Document contains more that 5 tokens. Parsing aborted.");
    assert_int_equal(e->kind, MM_GQL_ERROR_LIMIT);
    assert_loc(e->locations[0], 1, 11);
    /* comments are not tokens */
    mm_gql_errors_init(&errors, &arena);
    assert_non_null(mm_gql_parse(&arena, "# x\n{ a # y\n b c }", 18, &lim, &errors));
    /* the default limit (100000) stops a huge flat document */
    size_t n = 150000;
    char *big = malloc(2 * n + 3);
    big[0] = '{';
    for (size_t i = 0; i < n; i++) {
        big[1 + 2 * i] = ' ';
        big[2 + 2 * i] = 'a';
    }
    big[1 + 2 * n] = '}';
    big[2 + 2 * n] = '\0';
    mm_gql_parse_limits no_bytes = mm_gql_default_parse_limits;
    no_bytes.max_bytes = 0;
    e = parse_err(big, strlen(big), &no_bytes);
    assert_string_equal(
        e->message, "Syntax Error: Document contains more that 100000 tokens. Parsing aborted.");
    free(big);
}

static void test_size_limit(void **state) {
    (void)state;
    mm_gql_parse_limits lim = {10, 0, 0};
    mm_gql_errors_init(&errors, &arena);
    assert_non_null(mm_gql_parse(&arena, "{ abcdef }", 10, &lim, &errors));
    /* checked before lexing: even garbage gets the size error */
    const mm_gql_error *e = parse_err("{ abcdefg }", 11, &lim);
    assert_int_equal(e->kind, MM_GQL_ERROR_LIMIT);
    assert_string_equal(e->message, "Syntax Error: Document is larger than the limit of 10 bytes.");
    assert_int_equal(e->location_count, 0);
    assert_int_equal(mm_gql_default_parse_limits.max_bytes, 1024 * 1024);
    assert_int_equal(mm_gql_default_parse_limits.max_tokens, 100000);
    assert_int_equal(mm_gql_default_parse_limits.max_depth, 64);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shorthand_query, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operation_with_everything, setup, teardown),
        cmocka_unit_test_setup_teardown(test_operation_types_and_fragments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_executable_descriptions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings_in_values, setup, teardown),
        cmocka_unit_test_setup_teardown(test_type_system_definitions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extensions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8, setup, teardown),
        cmocka_unit_test_setup_teardown(test_null_bytes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_value, setup, teardown),
        cmocka_unit_test_setup_teardown(test_parse_type, setup, teardown),
        cmocka_unit_test_setup_teardown(test_depth_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_limit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_size_limit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
