/* test_json_writer.c -- the response writer: same text as JSON.stringify for
 * every kind of value, escapes, member order, numbers as JavaScript writes
 * them, refusal past the depth limit, and the piecewise API the executor
 * uses (marks and truncation, integers at the limits, take). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json_writer.h"

static void expect(json_t *v, const char *want) {
    size_t len = 0;
    char *got = mm_json_text(v, &len);
    json_decref(v);
    assert_non_null(got);
    assert_string_equal(got, want);
    assert_int_equal(len, strlen(want));
    free(got);
}

static void test_values(void **state) {
    (void)state;
    expect(json_null(), "null");
    expect(json_true(), "true");
    expect(json_false(), "false");
    expect(json_integer(-9007199254740993LL), "-9007199254740993");
    expect(json_object(), "{}");
    expect(json_array(), "[]");
    expect(json_pack("{s:i,s:[i,s,n],s:{}}", "b", 1, "a", 2, "x", "c"),
           "{\"b\":1,\"a\":[2,\"x\",null],\"c\":{}}");
}

static void test_numbers_as_javascript_writes_them(void **state) {
    (void)state;
    expect(json_real(0.1), "0.1");
    expect(json_real(1.5), "1.5");
    expect(json_real(1e21), "1e+21");
    expect(json_real(1.5e-7), "1.5e-7");
    expect(json_real(-0.0), "0");
    expect(json_real(123456789012.0), "123456789012");
}

/* Event data and stored values: reals stay reals when read back by jansson,
 * the text is otherwise what mm_json_text writes; json_loads of it gives
 * back an equal value. */
static void test_typed_reals(void **state) {
    (void)state;
    json_t *v = json_pack("{s:f,s:f,s:f,s:f,s:I,s:[f,s,n]}", "one", 1.0, "half", 0.5, "big", 1e21,
                          "neg", -3.0, "int", (json_int_t)7, "list", 2.0, "x", NULL);
    size_t len = 0;
    char *text = mm_json_text_typed(v, &len);
    assert_non_null(text);
    assert_string_equal(text, "{\"one\":1.0,\"half\":0.5,\"big\":1e+21,\"neg\":-3.0,\"int\":7,"
                              "\"list\":[2.0,\"x\",null]}");
    assert_int_equal(len, strlen(text));
    json_t *back = json_loads(text, 0, NULL);
    assert_true(json_equal(back, v));
    assert_true(json_is_real(json_object_get(back, "one")));
    json_decref(back);
    free(text);
    json_decref(v);
    text = mm_json_text_typed(NULL, &len);
    assert_string_equal(text, "null");
    free(text);
}

static void test_string_escapes(void **state) {
    (void)state;
    expect(json_string("quote \" backslash \\ slash / tab\tnl\ncr\rbs\bff\f"),
           "\"quote \\\" backslash \\\\ slash / tab\\tnl\\ncr\\rbs\\bff\\f\"");
    expect(json_stringn("a\0b\x1f", 4), "\"a\\u0000b\\u001f\"");
    expect(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
           "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    json_t *o = json_object();
    json_object_setn_new(o, "k\"\n\0", 4, json_true());
    expect(o, "{\"k\\\"\\n\\u0000\":true}");
}

static void test_depth_limit(void **state) {
    (void)state;
    json_t *root = json_array(), *at = root;
    for (int i = 0; i < MM_JSON_TEXT_MAX_DEPTH + 5; i++) {
        json_t *next = json_array();
        json_array_append_new(at, next);
        at = next;
    }
    assert_null(mm_json_text(root, NULL));
    json_decref(root);
}

static void test_pieces_and_marks(void **state) {
    (void)state;
    mm_json_writer w = MM_JSON_WRITER_INIT;
    mm_json_put_char(&w, '[');
    size_t mark = w.len;
    mm_json_put_string(&w, "abandoned", 9);
    mm_json_put_char(&w, ',');
    mm_json_truncate(&w, mark); /* null propagated over what was written */
    mm_json_put(&w, "null", 4);
    mm_json_put_char(&w, ',');
    mm_json_put_integer(&w, INT64_MIN);
    mm_json_put_char(&w, ',');
    mm_json_put_integer(&w, INT64_MAX);
    mm_json_put_char(&w, ',');
    mm_json_put_integer(&w, 0);
    mm_json_put_char(&w, ',');
    mm_json_put_real(&w, 1e21);
    mm_json_put_char(&w, ',');
    mm_json_put_value(&w, NULL);
    mm_json_truncate(&w, w.len + 10); /* a mark past the end changes nothing */
    mm_json_put_char(&w, ']');
    size_t len = 0;
    char *text = mm_json_writer_take(&w, &len);
    assert_non_null(text);
    const char *want = "[null,-9223372036854775808,9223372036854775807,0,1e+21,null]";
    assert_string_equal(text, want);
    assert_int_equal(len, strlen(want));
    free(text);
    /* take leaves the writer empty, and an empty writer gives "" */
    assert_int_equal(w.len, 0);
    text = mm_json_writer_take(&w, &len);
    assert_non_null(text);
    assert_string_equal(text, "");
    free(text);
}

static void test_grows_past_first_buffer(void **state) {
    (void)state;
    mm_json_writer w = MM_JSON_WRITER_INIT;
    char chunk[100];
    memset(chunk, 'x', sizeof chunk);
    for (int i = 0; i < 1000; i++) mm_json_put(&w, chunk, sizeof chunk);
    assert_false(w.failed);
    size_t len = 0;
    char *text = mm_json_writer_take(&w, &len);
    assert_int_equal(len, 100000);
    assert_int_equal(strlen(text), 100000);
    free(text);
}

/* The escape scan skips 8 bytes at a time: put every character that needs
 * an escape (and a UTF-8 byte and a plain one) at every position of strings
 * of every length around the word size, and check against the simple rule. */
static void test_escapes_at_every_position(void **state) {
    (void)state;
    const unsigned char specials[] = {'"',  '\\', 0x00, 0x01, '\n', 0x1f,
                                      0x7f, 0x80, 0xff, ' ',  'a'};
    for (size_t len = 1; len <= 20; len++) {
        for (size_t pos = 0; pos < len; pos++) {
            for (size_t k = 0; k < sizeof specials; k++) {
                char in[32];
                memset(in, 'x', len);
                in[pos] = (char)specials[k];
                mm_json_writer w = MM_JSON_WRITER_INIT;
                mm_json_put_string(&w, in, len);
                char *got = mm_json_writer_take(&w, NULL);
                char want[64];
                size_t n = 0;
                want[n++] = '"';
                for (size_t i = 0; i < len; i++) {
                    unsigned char c = (unsigned char)in[i];
                    if (c == '"' || c == '\\') {
                        want[n++] = '\\';
                        want[n++] = (char)c;
                    } else if (c == '\n') {
                        want[n++] = '\\';
                        want[n++] = 'n';
                    } else if (c < 0x20) {
                        n += (size_t)sprintf(want + n, "\\u%04x", c);
                    } else {
                        want[n++] = (char)c;
                    }
                }
                want[n++] = '"';
                want[n] = '\0';
                assert_non_null(got);
                if (strcmp(got, want) != 0)
                    fail_msg("len %zu, byte 0x%02x at %zu: got %s want %s", len, specials[k], pos,
                             got, want);
                free(got);
            }
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_numbers_as_javascript_writes_them),
        cmocka_unit_test(test_typed_reals),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_pieces_and_marks),
        cmocka_unit_test(test_grows_past_first_buffer),
        cmocka_unit_test(test_escapes_at_every_position),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
