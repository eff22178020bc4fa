/* test_ast_print.c -- the AST printer: byte-for-byte graphql-js 16 print()
 * output for every kind of node (the expected texts were produced by
 * graphql@16.15's print() from the same documents), graphql-js's block string
 * printing rules, value printing for error messages, and the round trip
 * parse -> print -> parse -> print being stable over the fuzz seed corpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
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
    mm_arena_reset(&arena);
    return 0;
}

static mm_gql_document *parse_ok(const char *src, size_t len) {
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, src, len, NULL, &errors);
    if (!doc) fail_msg("parse failed: %s\n%.*s", errors.head->message, (int)len, src);
    return doc;
}

static void test_documents_print_like_graphql_js(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *printed;
    } cases[] = {
        {"query Q($a: Int = 1 @d, $b: [String!]!) @q { alias: f(a: 1, b: \"x\") @skip(if: true) { "
         "...F @s ... on T { x } ... @d { y } ... { w } } } fragment F on T @f { z }",
         "query Q($a: Int = 1 @d, $b: [String!]!) @q {\n  alias: f(a: 1, b: \"x\") @skip(if: true) "
         "{\n    ...F @s\n    ... on T {\n      x\n    }\n    ... @d {\n      y\n    }\n    ... "
         "{\n      w\n    }\n  }\n}\n\nfragment F on T @f {\n  z\n}"},
        {"{ a(x: {b: [1, 2], c: {d: null, e: ENUM, f: $v}}, y: -1.5e3, z: \"\"\"block\"\"\") }",
         "{\n  a(x: {b: [1, 2], c: {d: null, e: ENUM, f: $v}}, y: -1.5e3, z: "
         "\"\"\"block\"\"\")\n}"},
        {"mutation { someVeryLongFieldName(argumentNumberOne: \"value one\", argumentNumberTwo: "
         "22222222) { id } }",
         "mutation {\n  someVeryLongFieldName(\n    argumentNumberOne: \"value one\"\n    "
         "argumentNumberTwo: 22222222\n  ) {\n    id\n  }\n}"},
        {"subscription S { a }", "subscription S {\n  a\n}"},
        {"query ($v: Int) { a }", "query ($v: Int) {\n  a\n}"},
        {"\"\"\"\nType description\nover lines\n\"\"\"\ntype T implements A & B @d {\n  \"field\" "
         "f(a: Int = 1, b: [In!]! @x): String @deprecated(reason: \"no\")\n  g(\n    \"\"\"arg "
         "desc\"\"\"\n    a: Int\n  ): Int\n}",
         "\"\"\"\nType description\nover lines\n\"\"\"\ntype T implements A & B @d {\n  "
         "\"field\"\n  f(a: Int = 1, b: [In!]! @x): String @deprecated(reason: \"no\")\n  g(\n    "
         "\"\"\"arg desc\"\"\"\n    a: Int\n  ): Int\n}"},
        {"schema @s { query: Q mutation: M }\nextend schema @e\nextend schema { subscription: S }",
         "schema @s {\n  query: Q\n  mutation: M\n}\n\nextend schema @e\n\nextend schema {\n  "
         "subscription: S\n}"},
        {"scalar S @d\nextend scalar S @e\nunion U @d = | A | B\nextend union U = C\nenum E { A @d "
         "\"desc\" B }\nextend enum E { C }\ninput I @d { a: Int = 1 @x, b: String }\nextend input "
         "I { c: Int }\ninterface I2 implements I1 { a: Int }\nextend interface I2 @d\nextend type "
         "T { x: Int }",
         "scalar S @d\n\nextend scalar S @e\n\nunion U @d = A | B\n\nextend union U = C\n\nenum E "
         "{\n  A @d\n  \"desc\"\n  B\n}\n\nextend enum E {\n  C\n}\n\ninput I @d {\n  a: Int = 1 "
         "@x\n  b: String\n}\n\nextend input I {\n  c: Int\n}\n\ninterface I2 implements I1 {\n  "
         "a: Int\n}\n\nextend interface I2 @d\n\nextend type T {\n  x: Int\n}"},
        {"directive @d(a: Int = 1, b: String) repeatable on FIELD | OBJECT\n\"desc\" directive "
         "@e(\"\"\"multi\nline\"\"\" a: Int) on QUERY",
         "directive @d(a: Int = 1, b: String) repeatable on FIELD | OBJECT\n\n\"desc\"\ndirective "
         "@e(\n  \"\"\"\n  multi\n  line\n  \"\"\"\n  a: Int\n) on QUERY"},
        {"\"op desc\" query Q(\"var desc\" $a: Int, \"\"\"\nblock var\n\"\"\" $b: Int) { a "
         "}\n\"frag desc\" fragment F on T { a }",
         "\"op desc\"\nquery Q(\n\"var desc\"\n$a: Int\n\"\"\"block var\"\"\"\n$b: Int\n) {\n  "
         "a\n}\n\n\"frag desc\"\nfragment F on T {\n  a\n}"},
        {"{ f(s: \"quote\\\" back\\\\ nl\\n tab\\t ctrl\\u0001 del\\u007F c1\\u0085 e\\u00e9 "
         "emoji\\u{1F600}\") }",
         "{\n  f(s: \"quote\\\" back\\\\ nl\\n tab\\t ctrl\\u0001 del\\u007F c1\\u0085 eé "
         "emoji😀\")\n}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_document *doc = parse_ok(cases[i].src, strlen(cases[i].src));
        char *out = mm_gql_ast_print(doc);
        assert_non_null(out);
        if (strcmp(out, cases[i].printed) != 0)
            fail_msg("case %zu printed:\n%s\nwant:\n%s", i, out, cases[i].printed);
        free(out);
    }
}

static void test_block_strings_print_like_graphql_js(void **state) {
    (void)state;
    static const struct {
        const char *value;
        const char *printed;
    } cases[] = {
        {"", "\"\"\"\"\"\""},
        {"simple", "\"\"\"simple\"\"\""},
        {" leading space", "\"\"\" leading space\"\"\""},
        {"trailing quote\"", "\"\"\"\ntrailing quote\"\n\"\"\""},
        {"trailing slash\\", "\"\"\"\ntrailing slash\\\n\"\"\""},
        {"has \"\"\" triple", "\"\"\"has \\\"\"\" triple\"\"\""},
        {"ends with \"\"\"", "\"\"\"\nends with \\\"\"\"\n\"\"\""},
        {"multi\nline", "\"\"\"\nmulti\nline\n\"\"\""},
        {"\n  indented\n  lines", "\"\"\"\n\n  indented\n  lines\n\"\"\""},
        {"first\n  second", "\"\"\"\nfirst\n  second\n\"\"\""},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
         "\"\"\"\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n\"\"\""},
        {"ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé",
         "\"\"\"\nééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé\n\"\"\""},
        {"  \n  ", "\"\"\"\n  \n  \n\"\"\""},
        {"a\n\nb", "\"\"\"\na\n\nb\n\"\"\""},
        {"\"\"\"", "\"\"\"\n\\\"\"\"\n\"\"\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_value v = {.kind = MM_GQL_VALUE_STRING};
        v.u.string.chars = cases[i].value;
        v.u.string.length = strlen(cases[i].value);
        v.u.string.block = true;
        char *out = mm_gql_print_value(&v, &arena);
        if (strcmp(out, cases[i].printed) != 0)
            fail_msg("case %zu printed [%s] want [%s]", i, out, cases[i].printed);
    }
}

static void test_value_printing(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *printed;
    } cases[] = {
        {"{a: 1, b: [2]}", "{a: 1, b: [2]}"},
        {"{ }", "{}"},
        {"[ ]", "[]"},
        {"\"x\\ny\\\"z\"", "\"x\\ny\\\"z\""},
        {"$var", "$var"},
        {"[true,false,null,ENUM]", "[true, false, null, ENUM]"},
        {"-0.5E+10", "-0.5E+10"},
        {"\"\\u0000\\u001f\\u007f\\u0080\\u009f\\u00a0\"",
         "\"\\u0000\\u001F\\u007F\\u0080\\u009F\u00a0\""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_value *v = mm_gql_parse_value(&arena, cases[i].src, strlen(cases[i].src), &errors);
        assert_non_null(v);
        char *out = mm_gql_print_value(v, &arena);
        if (strcmp(out, cases[i].printed) != 0)
            fail_msg("case %zu printed [%s] want [%s]", i, out, cases[i].printed);
    }
    /* strings with an embedded U+0000 keep it as an escape */
    assert_string_equal(mm_gql_print_string("a\0b", 3, &arena), "\"a\\u0000b\"");
    mm_gql_type_ref *t = mm_gql_parse_type(&arena, "[[A]!]", 6, &errors);
    assert_string_equal(mm_gql_print_type(t, &arena), "[[A]!]");
}

static void test_raw_nul_in_block_string(void **state) {
    (void)state;
    /* A raw U+0000 is legal inside a block string; the length-returning
     * printer keeps it. */
    const char src[] = "{ a(x: \"\"\"a\0b\"\"\") }";
    mm_gql_document *doc = parse_ok(src, sizeof(src) - 1);
    size_t len = 0;
    char *out = mm_gql_ast_print_n(doc, &len);
    const char want[] = "{\n  a(x: \"\"\"a\0b\"\"\")\n}";
    assert_int_equal(len, sizeof(want) - 1);
    assert_memory_equal(out, want, len);
    free(out);
}

/* parse -> print -> parse -> print gives the same text twice, for each
 * definition alone: printed whole, "enum E" followed by a shorthand query
 * reads back as an enum with values (as with graphql-js's print). */
static void check_round_trip(const char *src, size_t len, const char *what) {
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, src, len, NULL, &errors);
    if (!doc) return; /* the corpus holds invalid documents on purpose */
    for (size_t i = 0; i < doc->definition_count; i++) {
        mm_gql_document one = *doc;
        one.definitions = &doc->definitions[i];
        one.definition_count = 1;
        size_t n1, n2;
        char *p1 = mm_gql_ast_print_n(&one, &n1);
        assert_non_null(p1);
        mm_gql_document *again = mm_gql_parse(&arena, p1, n1, NULL, &errors);
        if (!again) fail_msg("%s: reprint does not parse: %s\n%s", what, errors.tail->message, p1);
        assert_int_equal(again->definition_count, 1);
        char *p2 = mm_gql_ast_print_n(again, &n2);
        if (n1 != n2 || memcmp(p1, p2, n1) != 0)
            fail_msg("%s: unstable print:\n%s\n---\n%s", what, p1, p2);
        free(p1);
        free(p2);
    }
}

static void test_whole_print_can_be_ambiguous(void **state) {
    (void)state;
    /* graphql-js prints this document as "enum E\n\n{\n  a\n}", which is
     * one enum definition when read back; so do we. */
    mm_gql_document *doc = parse_ok("enum E query { a }", 18);
    assert_int_equal(doc->definition_count, 2);
    char *out = mm_gql_ast_print(doc);
    assert_string_equal(out, "enum E\n\n{\n  a\n}");
    mm_gql_document *again = parse_ok(out, strlen(out));
    assert_int_equal(again->definition_count, 1);
    free(out);
}

static void test_round_trip_corpus(void **state) {
    (void)state;
    const char *root = getenv("MM_SOURCE_DIR");
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s/tests/fuzz/graphql/corpus/fuzz_parse", root ? root : ".");
    DIR *d = opendir(dir);
    if (!d) fail_msg("cannot open the seed corpus %s (set MM_SOURCE_DIR)", dir);
    int files = 0, parsed = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[8192];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        static char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof(buf), f);
        fclose(f);
        files++;
        mm_gql_errors_init(&errors, &arena);
        if (mm_gql_parse(&arena, buf, n, NULL, &errors)) parsed++;
        check_round_trip(buf, n, e->d_name);
    }
    closedir(d);
    assert_true(files >= 10);
    assert_true(parsed >= 8);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_documents_print_like_graphql_js, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_strings_print_like_graphql_js, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_printing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_nul_in_block_string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip_corpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whole_print_can_be_ambiguous, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
