/* test_lexer.c -- the GraphQL lexer: every token kind, escape and block
 * string rule, locations (lines, UTF-16 columns, byte offsets), and every
 * lexical error message, checked against what graphql-js 16 produces for
 * the same input (the expectations were confirmed with graphql@16.15). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "graphql/language/lexer.h"

static mm_arena arena;

static int setup(void **state) {
    (void)state;
    mm_arena_init(&arena);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mm_arena_reset(&arena);
    return 0;
}

/* The first non-comment token of src (length given, so NULs can be inside). */
static mm_gql_token lex_one_n(const char *src, size_t len) {
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, len);
    int rc = mm_gql_lexer_advance(&lx);
    if (rc != 0) fail_msg("unexpected lexer error for [%s]: %s", src, lx.error);
    return lx.token;
}

static mm_gql_token lex_one(const char *src) { return lex_one_n(src, strlen(src)); }

/* The error message and location of lexing src to its end. */
static const char *lex_error(const char *src, size_t len, mm_gql_loc *loc) {
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, len);
    for (int i = 0; i < 1000; i++) {
        if (mm_gql_lexer_advance(&lx) < 0) {
            *loc = lx.error_loc;
            return lx.error;
        }
        if (lx.token.kind == MM_GQL_TOK_EOF) break;
    }
    fail_msg("expected a lexer error for [%s]", src);
    return NULL;
}

static void assert_value(const mm_gql_token *t, const char *expected, size_t len) {
    assert_int_equal(t->value_len, len);
    assert_memory_equal(t->value, expected, len);
}

static void test_punctuators(void **state) {
    (void)state;
    static const struct {
        const char *src;
        mm_gql_token_kind kind;
        const char *name;
    } cases[] = {
        {"!", MM_GQL_TOK_BANG, "!"},      {"$", MM_GQL_TOK_DOLLAR, "$"},
        {"&", MM_GQL_TOK_AMP, "&"},       {"(", MM_GQL_TOK_PAREN_L, "("},
        {")", MM_GQL_TOK_PAREN_R, ")"},   {"...", MM_GQL_TOK_SPREAD, "..."},
        {":", MM_GQL_TOK_COLON, ":"},     {"=", MM_GQL_TOK_EQUALS, "="},
        {"@", MM_GQL_TOK_AT, "@"},        {"[", MM_GQL_TOK_BRACKET_L, "["},
        {"]", MM_GQL_TOK_BRACKET_R, "]"}, {"{", MM_GQL_TOK_BRACE_L, "{"},
        {"|", MM_GQL_TOK_PIPE, "|"},      {"}", MM_GQL_TOK_BRACE_R, "}"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_token t = lex_one(cases[i].src);
        assert_int_equal(t.kind, cases[i].kind);
        assert_int_equal(t.start, 0);
        assert_int_equal(t.end, strlen(cases[i].src));
        assert_null(t.value);
        assert_string_equal(mm_gql_token_kind_name(t.kind), cases[i].name);
        assert_true(mm_gql_token_kind_is_punctuator(t.kind));
    }
    assert_false(mm_gql_token_kind_is_punctuator(MM_GQL_TOK_NAME));
    assert_false(mm_gql_token_kind_is_punctuator(MM_GQL_TOK_EOF));
    assert_string_equal(mm_gql_token_kind_name(MM_GQL_TOK_EOF), "<EOF>");
    assert_string_equal(mm_gql_token_kind_name(MM_GQL_TOK_BLOCK_STRING), "BlockString");
}

static void test_whitespace_and_locations(void **state) {
    (void)state;
    /* graphql-js "skips whitespace and comments" */
    mm_gql_token t = lex_one("\n\n    foo\n\n\n");
    assert_int_equal(t.kind, MM_GQL_TOK_NAME);
    assert_value(&t, "foo", 3);
    assert_int_equal(t.start, 6);
    assert_int_equal(t.end, 9);
    assert_int_equal(t.loc.line, 3);
    assert_int_equal(t.loc.column, 5);
    assert_int_equal(t.loc.offset, 6);

    t = lex_one("\n    #comment\n    foo#comment\n");
    assert_value(&t, "foo", 3);
    assert_int_equal(t.start, 18);
    assert_int_equal(t.loc.line, 3);
    assert_int_equal(t.loc.column, 5);

    t = lex_one(",,,foo,,,");
    assert_value(&t, "foo", 3);
    assert_int_equal(t.start, 3);
    assert_int_equal(t.loc.column, 4);

    /* the byte order mark is ignored, but counts as a column */
    t = lex_one("\xEF\xBB\xBF foo");
    assert_value(&t, "foo", 3);
    assert_int_equal(t.start, 4);
    assert_int_equal(t.loc.column, 3);

    /* \r\n and \r are each one line terminator */
    t = lex_one("\r\n\r\n  foo");
    assert_int_equal(t.loc.line, 3);
    assert_int_equal(t.loc.column, 3);
    t = lex_one("\r\r  foo");
    assert_int_equal(t.loc.line, 3);
    t = lex_one("\n\r\r\n foo");
    assert_int_equal(t.loc.line, 4);
    assert_int_equal(t.loc.column, 2);
}

static void test_token_stream_locations(void **state) {
    (void)state;
    /* Columns count UTF-16 units like graphql-js: "é" is one, U+1F600 two. */
    const char *src = "{ a(x: \"\xC3\xA9\xF0\x9F\x98\x80\") # c\n  ...F }";
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, strlen(src));
    static const struct {
        mm_gql_token_kind kind;
        uint32_t line, column, offset;
    } want[] = {
        {MM_GQL_TOK_BRACE_L, 1, 1, 0},   {MM_GQL_TOK_NAME, 1, 3, 2},
        {MM_GQL_TOK_PAREN_L, 1, 4, 3},   {MM_GQL_TOK_NAME, 1, 5, 4},
        {MM_GQL_TOK_COLON, 1, 6, 5},     {MM_GQL_TOK_STRING, 1, 8, 7},
        {MM_GQL_TOK_PAREN_R, 1, 13, 15}, {MM_GQL_TOK_COMMENT, 1, 15, 17},
        {MM_GQL_TOK_SPREAD, 2, 3, 23},   {MM_GQL_TOK_NAME, 2, 6, 26},
        {MM_GQL_TOK_BRACE_R, 2, 8, 28},  {MM_GQL_TOK_EOF, 2, 9, 29},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        mm_gql_token t;
        assert_int_equal(mm_gql_lexer_read(&lx, &t), 0);
        assert_int_equal(t.kind, want[i].kind);
        assert_int_equal(t.loc.line, want[i].line);
        assert_int_equal(t.loc.column, want[i].column);
        assert_int_equal(t.loc.offset, want[i].offset);
        if (t.kind == MM_GQL_TOK_COMMENT) assert_value(&t, " c", 2);
    }
    /* EOF is sticky */
    mm_gql_token t;
    assert_int_equal(mm_gql_lexer_read(&lx, &t), 0);
    assert_int_equal(t.kind, MM_GQL_TOK_EOF);

    /* the location helper agrees with the lexer */
    mm_gql_loc loc = mm_gql_loc_at(src, strlen(src), 15);
    assert_int_equal(loc.line, 1);
    assert_int_equal(loc.column, 13);
    loc = mm_gql_loc_at(src, strlen(src), 26);
    assert_int_equal(loc.line, 2);
    assert_int_equal(loc.column, 6);
}

static void test_comments_skipped_by_advance(void **state) {
    (void)state;
    const char *src = "# one\n# two\r\n#\nname # three";
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, strlen(src));
    assert_int_equal(lx.token.kind, MM_GQL_TOK_SOF);
    assert_int_equal(mm_gql_lexer_advance(&lx), 0);
    assert_int_equal(lx.token.kind, MM_GQL_TOK_NAME);
    assert_int_equal(lx.token.loc.line, 4);
    assert_int_equal(mm_gql_lexer_advance(&lx), 0);
    assert_int_equal(lx.token.kind, MM_GQL_TOK_EOF);
    /* control characters and non-ASCII are allowed in comments */
    mm_gql_token t = lex_one_n("#\x01\x7f \xC3\xA9\n x", 9);
    assert_value(&t, "x", 1);
}

static void test_names(void **state) {
    (void)state;
    mm_gql_token t = lex_one("_aB9_z0 rest");
    assert_int_equal(t.kind, MM_GQL_TOK_NAME);
    assert_value(&t, "_aB9_z0", 7);
    t = lex_one("on");
    assert_value(&t, "on", 2);
}

static void test_numbers(void **state) {
    (void)state;
    static const struct {
        const char *src;
        mm_gql_token_kind kind;
    } cases[] = {
        {"4", MM_GQL_TOK_INT},           {"4.123", MM_GQL_TOK_FLOAT},
        {"-4", MM_GQL_TOK_INT},          {"9", MM_GQL_TOK_INT},
        {"0", MM_GQL_TOK_INT},           {"-4.123", MM_GQL_TOK_FLOAT},
        {"0.123", MM_GQL_TOK_FLOAT},     {"123e4", MM_GQL_TOK_FLOAT},
        {"123E4", MM_GQL_TOK_FLOAT},     {"123e-4", MM_GQL_TOK_FLOAT},
        {"123e+4", MM_GQL_TOK_FLOAT},    {"-1.123e4", MM_GQL_TOK_FLOAT},
        {"-1.123E4", MM_GQL_TOK_FLOAT},  {"-1.123e-4", MM_GQL_TOK_FLOAT},
        {"-1.123e+4", MM_GQL_TOK_FLOAT}, {"-1.123e4567", MM_GQL_TOK_FLOAT},
        {"-0", MM_GQL_TOK_INT},          {"0e0", MM_GQL_TOK_FLOAT},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_token t = lex_one(cases[i].src);
        assert_int_equal(t.kind, cases[i].kind);
        assert_value(&t, cases[i].src, strlen(cases[i].src));
    }
    /* a number may be followed directly by punctuation */
    mm_gql_token t = lex_one("12)");
    assert_value(&t, "12", 2);
    t = lex_one("1.5,");
    assert_int_equal(t.kind, MM_GQL_TOK_FLOAT);
    assert_value(&t, "1.5", 3);
}

static void test_strings(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *value;
        size_t len;
    } cases[] = {
        {"\"\"", "", 0},
        {"\"simple\"", "simple", 6},
        {"\" white space \"", " white space ", 13},
        {"\"quote \\\"\"", "quote \"", 7},
        {"\"escaped \\n\\r\\b\\t\\f\"", "escaped \n\r\b\t\f", 13},
        {"\"slashes \\\\ \\/\"", "slashes \\ /", 11},
        {"\"unescaped unicode outside BMP \xF0\x9F\x98\x80\"",
         "unescaped unicode outside BMP \xF0\x9F\x98\x80", 34},
        {"\"unescaped maximal unicode outside BMP \xF4\x8F\xBF\xBF\"",
         "unescaped maximal unicode outside BMP \xF4\x8F\xBF\xBF", 42},
        {"\"unicode \\u1234\\u5678\\u90AB\\uCDEF\"",
         "unicode \xE1\x88\xB4\xE5\x99\xB8\xE9\x82\xAB\xEC\xB7\xAF", 20},
        {"\"unicode \\u{1234}\\u{5678}\\u{90AB}\\u{CDEF}\"",
         "unicode \xE1\x88\xB4\xE5\x99\xB8\xE9\x82\xAB\xEC\xB7\xAF", 20},
        {"\"string with unicode escape outside BMP \\u{1F600}\"",
         "string with unicode escape outside BMP \xF0\x9F\x98\x80", 43},
        {"\"string with minimal unicode escape \\u{0}\"", "string with minimal unicode escape \0",
         36},
        {"\"string with maximal unicode escape \\u{10FFFF}\"",
         "string with maximal unicode escape \xF4\x8F\xBF\xBF", 39},
        {"\"string with maximal minimal unicode escape \\u{00000000}\"",
         "string with maximal minimal unicode escape \0", 44},
        {"\"string with unicode surrogate pair escape \\uD83D\\uDE00\"",
         "string with unicode surrogate pair escape \xF0\x9F\x98\x80", 46},
        {"\"string with minimal surrogate pair escape \\uD800\\uDC00\"",
         "string with minimal surrogate pair escape \xF0\x90\x80\x80", 46},
        {"\"string with maximal surrogate pair escape \\uDBFF\\uDFFF\"",
         "string with maximal surrogate pair escape \xF4\x8F\xBF\xBF", 46},
        {"\"lower \\u00e9 upper \\u00E9\"", "lower \xC3\xA9 upper \xC3\xA9", 17},
        {"\"raw control \x01 and tab \t\"", "raw control \x01 and tab \t", 23},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_token t = lex_one(cases[i].src);
        assert_int_equal(t.kind, MM_GQL_TOK_STRING);
        assert_int_equal(t.end, strlen(cases[i].src));
        assert_value(&t, cases[i].value, cases[i].len);
        assert_int_equal(t.value[t.value_len], '\0');
    }
}

static void test_block_strings(void **state) {
    (void)state;
    static const struct {
        const char *src;
        const char *value;
    } cases[] = {
        {"\"\"\"\"\"\"", ""},
        {"\"\"\"simple\"\"\"", "simple"},
        {"\"\"\" white space \"\"\"", " white space "},
        {"\"\"\"contains \" quote\"\"\"", "contains \" quote"},
        {"\"\"\"contains \\\"\"\" triple quote\"\"\"", "contains \"\"\" triple quote"},
        {"\"\"\"multi\nline\"\"\"", "multi\nline"},
        {"\"\"\"multi\rline\r\nnormalized\"\"\"", "multi\nline\nnormalized"},
        {"\"\"\"unescaped \\n\\r\\b\\t\\f\\u1234\"\"\"", "unescaped \\n\\r\\b\\t\\f\\u1234"},
        {"\"\"\"unescaped unicode outside BMP \xF0\x9F\x98\x80\"\"\"",
         "unescaped unicode outside BMP \xF0\x9F\x98\x80"},
        {"\"\"\"slashes \\\\ \\/\"\"\"", "slashes \\\\ \\/"},
        /* the specification's BlockStringValue examples */
        {"\"\"\"\n\n        spans\n          multiple\n            lines\n\n        \"\"\"",
         "spans\n  multiple\n    lines"},
        {"\"\"\"\n    Hello,\n      World!\n\n    Yours,\n      GraphQL.\n  \"\"\"",
         "Hello,\n  World!\n\nYours,\n  GraphQL."},
        /* the first line's indentation is kept, blank first/last lines dropped */
        {"\"\"\"  first\n    second\n  \"\"\"", "  first\nsecond"},
        {"\"\"\"\n  \n\t\n  \"\"\"", ""},
        {"\"\"\"\n\ta\n\t\tb\n\"\"\"", "a\n\tb"},
        {"\"\"\"  \n  x  \n  \"\"\"", "x  "},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_token t = lex_one(cases[i].src);
        assert_int_equal(t.kind, MM_GQL_TOK_BLOCK_STRING);
        assert_int_equal(t.end, strlen(cases[i].src));
        assert_value(&t, cases[i].value, strlen(cases[i].value));
    }
    /* lines inside a block string advance the line counter */
    const char *src = "\"\"\"a\nb\r\nc\"\"\" next";
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, strlen(src));
    assert_int_equal(mm_gql_lexer_advance(&lx), 0);
    assert_int_equal(lx.token.loc.line, 1);
    assert_int_equal(mm_gql_lexer_advance(&lx), 0);
    assert_value(&lx.token, "next", 4);
    assert_int_equal(lx.token.loc.line, 3);
    assert_int_equal(lx.token.loc.column, 6);
}

static void test_block_string_value_helper(void **state) {
    (void)state;
    size_t len = 99;
    char *v = mm_gql_block_string_value(&arena, "", 0, &len);
    assert_string_equal(v, "");
    assert_int_equal(len, 0);
    v = mm_gql_block_string_value(&arena, "\n  a\n   b\n", 10, &len);
    assert_string_equal(v, "a\n b");
}

static void test_utf8_decode(void **state) {
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp), 2);
    assert_int_equal(cp, 0xE9);
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xF0\x9F\x98\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F600);
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xC0\x80", 2, &cp),
                     0); /* overlong */
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xE0\x80\x80", 3, &cp),
                     0); /* overlong */
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp),
                     0); /* surrogate */
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xF4\x90\x80\x80", 4, &cp), 0);
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\x80", 1, &cp), 0);
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xC3", 1, &cp), 0); /* truncated */
    assert_int_equal(mm_gql_utf8_decode((const unsigned char *)"\xFF", 1, &cp), 0);
}

static void test_errors(void **state) {
    (void)state;
    static const struct {
        const char *src;
        size_t len; /* 0: strlen */
        const char *message;
        uint32_t line, column;
    } cases[] = {
        {"\"", 0, "Unterminated string.", 1, 2},
        {"\"\"\"", 0, "Unterminated string.", 1, 4},
        {"\"\"\"\"", 0, "Unterminated string.", 1, 5},
        {"\"no end quote", 0, "Unterminated string.", 1, 14},
        {"'single quotes'", 0,
         "Unexpected single quote character ('), did you mean to use a double quote (\")?", 1, 1},
        {"\"bad surrogate \\uDEAD\"", 0, "Invalid Unicode escape sequence: \"\\uDEAD\".", 1, 16},
        {"\"bad high surrogate pair \\uDEAD\\uDEAD\"", 0,
         "Invalid Unicode escape sequence: \"\\uDEAD\".", 1, 26},
        {"\"bad low surrogate pair \\uD800\\uD800\"", 0,
         "Invalid Unicode escape sequence: \"\\uD800\".", 1, 25},
        {"\"multi\nline\"", 0, "Unterminated string.", 1, 7},
        {"\"multi\rline\"", 0, "Unterminated string.", 1, 7},
        {"\"bad \\z esc\"", 0, "Invalid character escape sequence: \"\\z\".", 1, 6},
        {"\"bad \\x esc\"", 0, "Invalid character escape sequence: \"\\x\".", 1, 6},
        {"\"bad \\u1 esc\"", 0, "Invalid Unicode escape sequence: \"\\u1 es\".", 1, 6},
        {"\"bad \\u0XX1 esc\"", 0, "Invalid Unicode escape sequence: \"\\u0XX1\".", 1, 6},
        {"\"bad \\uXXXX esc\"", 0, "Invalid Unicode escape sequence: \"\\uXXXX\".", 1, 6},
        {"\"bad \\uFXXX esc\"", 0, "Invalid Unicode escape sequence: \"\\uFXXX\".", 1, 6},
        {"\"bad \\uXXXF esc\"", 0, "Invalid Unicode escape sequence: \"\\uXXXF\".", 1, 6},
        {"\"bad \\u{} esc\"", 0, "Invalid Unicode escape sequence: \"\\u{}\".", 1, 6},
        {"\"bad \\u{FXXX} esc\"", 0, "Invalid Unicode escape sequence: \"\\u{FX\".", 1, 6},
        {"\"bad \\u{FFFF esc\"", 0, "Invalid Unicode escape sequence: \"\\u{FFFF \".", 1, 6},
        {"\"bad \\u{FFFF\"", 0, "Invalid Unicode escape sequence: \"\\u{FFFF\"\".", 1, 6},
        {"\"too high \\u{110000} esc\"", 0, "Invalid Unicode escape sequence: \"\\u{110000}\".", 1,
         11},
        {"\"way too high \\u{12345678} esc\"", 0,
         "Invalid Unicode escape sequence: \"\\u{12345678}\".", 1, 15},
        {"\"too long \\u{000000000} esc\"", 0,
         "Invalid Unicode escape sequence: \"\\u{000000000\".", 1, 11},
        {"\"bad surrogate \\u{DEAD} esc\"", 0, "Invalid Unicode escape sequence: \"\\u{DEAD}\".", 1,
         16},
        {"\"cannot use braces for surrogate pair \\u{D83D}\\u{DE00} esc\"", 0,
         "Invalid Unicode escape sequence: \"\\u{D83D}\".", 1, 39},
        {"\"lone surrogate \\uD83Dx\"", 0, "Invalid Unicode escape sequence: \"\\uD83D\".", 1, 17},
        {"\"non-hex after \\u{\xC3\xA9}\"", 0, "Invalid Unicode escape sequence: \"\\u{\xC3\xA9\".",
         1, 16},
        {"00", 0, "Invalid number, unexpected digit after 0: \"0\".", 1, 2},
        {"01", 0, "Invalid number, unexpected digit after 0: \"1\".", 1, 2},
        {"01.23", 0, "Invalid number, unexpected digit after 0: \"1\".", 1, 2},
        {"+1", 0, "Unexpected character: \"+\".", 1, 1},
        {"1.", 0, "Invalid number, expected digit but got: <EOF>.", 1, 3},
        {"1e", 0, "Invalid number, expected digit but got: <EOF>.", 1, 3},
        {"1E", 0, "Invalid number, expected digit but got: <EOF>.", 1, 3},
        {"1.e1", 0, "Invalid number, expected digit but got: \"e\".", 1, 3},
        {".123", 0, "Unexpected character: \".\".", 1, 1},
        {"1.A", 0, "Invalid number, expected digit but got: \"A\".", 1, 3},
        {"-A", 0, "Invalid number, expected digit but got: \"A\".", 1, 2},
        {"1.0e", 0, "Invalid number, expected digit but got: <EOF>.", 1, 5},
        {"1.0eA", 0, "Invalid number, expected digit but got: \"A\".", 1, 5},
        {"1.0e\"", 0, "Invalid number, expected digit but got: '\"'.", 1, 5},
        {"1.2e3e", 0, "Invalid number, expected digit but got: \"e\".", 1, 6},
        {"1.2e3.4", 0, "Invalid number, expected digit but got: \".\".", 1, 6},
        {"1.23.4", 0, "Invalid number, expected digit but got: \".\".", 1, 5},
        {"0xF1", 0, "Invalid number, expected digit but got: \"x\".", 1, 2},
        {"0b10", 0, "Invalid number, expected digit but got: \"b\".", 1, 2},
        {"123abc", 0, "Invalid number, expected digit but got: \"a\".", 1, 4},
        {"1_234", 0, "Invalid number, expected digit but got: \"_\".", 1, 2},
        {"1\xC3\x9F", 0, "Unexpected character: U+00DF.", 1, 2},
        {"1.23f", 0, "Invalid number, expected digit but got: \"f\".", 1, 5},
        {"1.234_5", 0, "Invalid number, expected digit but got: \"_\".", 1, 6},
        {"..", 0, "Unexpected character: \".\".", 1, 1},
        {"~", 0, "Unexpected character: \"~\".", 1, 1},
        {"\x07", 0, "Unexpected character: U+0007.", 1, 1},
        {"\xC2\xAA", 0, "Unexpected character: U+00AA.", 1, 1},
        {"\xE2\x80\xA8", 0, "Unexpected character: U+2028.", 1, 1},
        {"\xF0\x9F\x98\x80", 0, "Unexpected character: U+1F600.", 1, 1},
        {"\x00", 1, "Unexpected character: U+0000.", 1, 1},
        {"a\n  ?", 0, "Unexpected character: \"?\".", 2, 3},
        {"\"\xF0\x9F\x98\x80\" \xC3\xA9", 0, "Unexpected character: U+00E9.", 1, 6},
        /* invalid UTF-8 is always an error */
        {"\xFF", 0, "Invalid UTF-8 sequence.", 1, 1},
        {"\"abc\xC3\"", 0, "Invalid UTF-8 sequence.", 1, 5},
        {"\"\xED\xA0\x80\"", 0, "Invalid UTF-8 sequence.", 1, 2},
        {"\"\"\"\xC0\xAF\"\"\"", 0, "Invalid UTF-8 sequence.", 1, 4},
        {"# comment \xFE\n", 0, "Invalid UTF-8 sequence.", 1, 11},
        {"1.\xFF", 0, "Invalid UTF-8 sequence.", 1, 3},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        mm_gql_loc loc = {0, 0, 0};
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].src);
        const char *msg = lex_error(cases[i].src, len, &loc);
        if (strcmp(msg, cases[i].message) != 0)
            fail_msg("case %zu [%s]: got [%s] want [%s]", i, cases[i].src, msg, cases[i].message);
        if (loc.line != cases[i].line || loc.column != cases[i].column)
            fail_msg("case %zu [%s]: location %u:%u, want %u:%u", i, cases[i].src, loc.line,
                     loc.column, cases[i].line, cases[i].column);
    }
}

static void test_errors_inside_multiline_source(void **state) {
    (void)state;
    mm_gql_loc loc;
    const char *msg = lex_error("\n\n    ~\n", 8, &loc);
    assert_string_equal(msg, "Unexpected character: \"~\".");
    assert_int_equal(loc.line, 3);
    assert_int_equal(loc.column, 5);
    /* inside a multi-line block string, the location is the real line */
    msg = lex_error("\"\"\"a\n b\n  \xFF\"\"\"", 14, &loc);
    assert_string_equal(msg, "Invalid UTF-8 sequence.");
    assert_int_equal(loc.line, 3);
    assert_int_equal(loc.column, 3);
}

static void test_long_input_is_linear(void **state) {
    (void)state;
    /* One long line of many tokens: columns are tracked incrementally. */
    size_t n = 200000;
    char *src = mm_arena_alloc(&arena, n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        src[2 * i] = 'a';
        src[2 * i + 1] = ' ';
    }
    src[2 * n] = '\0';
    mm_gql_lexer lx;
    mm_gql_lexer_init(&lx, &arena, src, 2 * n);
    size_t count = 0;
    uint32_t last_col = 0;
    while (mm_gql_lexer_advance(&lx) == 0 && lx.token.kind != MM_GQL_TOK_EOF) {
        count++;
        last_col = lx.token.loc.column;
    }
    assert_int_equal(count, n);
    assert_int_equal(last_col, 2 * n - 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_punctuators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_whitespace_and_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_stream_locations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_comments_skipped_by_advance, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_block_string_value_helper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_utf8_decode, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors_inside_multiline_source, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_input_is_linear, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
