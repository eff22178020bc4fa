/* test_json_text.c -- the response writer: same text as JSON.stringify for
 * every kind of value, escapes, member order, numbers as JavaScript writes
 * them, and refusal past the depth limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "http/json_text.h"

static void expect(json_t *v, const char *want) {
    size_t len = 0;
    char *got = mm_http_json_text(v, &len);
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
    expect(json_pack("{s:i,s:[i,s,n],s:{}}", "b", 1, "a", 2, "x", "c"), "{\"b\":1,\"a\":[2,\"x\",null],\"c\":{}}");
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

static void test_string_escapes(void **state) {
    (void)state;
    expect(json_string("quote \" backslash \\ slash / tab\tnl\ncr\rbs\bff\f"),
           "\"quote \\\" backslash \\\\ slash / tab\\tnl\\ncr\\rbs\\bff\\f\"");
    expect(json_stringn("a\0b\x1f", 4), "\"a\\u0000b\\u001f\"");
    expect(json_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"), "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
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
    assert_null(mm_http_json_text(root, NULL));
    json_decref(root);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_numbers_as_javascript_writes_them),
        cmocka_unit_test(test_string_escapes),
        cmocka_unit_test(test_depth_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
