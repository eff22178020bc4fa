/* test_request_body.c -- the fast path of the POST body envelope
 * (src/http/request_body.c) against jansson: every body it takes yields the
 * request jansson's reading yields, and every body it leaves (another
 * member, \u escapes, duplicates, syntax errors) still gets the general
 * path's answer through mm_http_request_parse. Also mm_http_utf8_valid's
 * 8-bytes-at-a-time ASCII skip on both sides of multi-byte characters. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_server.h"

/* What jansson makes of body (the members the fast path reads). */
static void expect_as_jansson(const char *body) {
    mm_http_graphql_request fast;
    memset(&fast, 0, sizeof fast);
    assert_int_equal(mm_http_request_body_fast(body, strlen(body), &fast), 1);
    json_error_t err;
    json_t *root = json_loads(body, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(root);
    assert_string_equal(fast.query, json_string_value(json_object_get(root, "query")));
    json_t *op = json_object_get(root, "operationName");
    if (json_is_string(op))
        assert_string_equal(fast.operation_name, json_string_value(op));
    else
        assert_null(fast.operation_name);
    const char *names[] = {"variables", "extensions"};
    json_t *got[] = {fast.variables, fast.extensions};
    for (int i = 0; i < 2; i++) {
        json_t *v = json_object_get(root, names[i]);
        if (json_is_object(v))
            assert_true(json_equal(v, got[i]));
        else
            assert_null(got[i]);
    }
    json_decref(root);
    mm_http_graphql_request_clear(&fast);
}

static void test_taken_as_jansson_reads_it(void **state) {
    (void)state;
    expect_as_jansson("{\"query\":\"{ __typename }\"}");
    expect_as_jansson(" \r\n{ \"query\" : \"q\" , \"operationName\" : null }\t\n");
    expect_as_jansson("{\"operationName\":\"A\",\"query\":\"query A { a }\",\"variables\":{}}");
    expect_as_jansson("{\"query\":\"{ a(s: \\\"x\\\\y\\\") }\\n\\t\\r\\b\\f\\/\","
                      "\"variables\":null,\"extensions\":{ }}");
    expect_as_jansson("{\"query\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}");
    expect_as_jansson("{\"query\":\"\"}");
}

/* Left to the general path, which answers as before. */
static void expect_left(const char *body, int status) {
    mm_http_graphql_request fast;
    memset(&fast, 0, sizeof fast);
    assert_int_equal(mm_http_request_body_fast(body, strlen(body), &fast), 0);
    assert_null(fast.query);
    mm_http_raw_request raw = {.method = "POST",
                               .content_type = "application/json",
                               .body = body,
                               .body_len = strlen(body)};
    mm_http_graphql_request req;
    char err[256];
    assert_int_equal(mm_http_request_parse(&raw, &req, err, sizeof err), status);
    if (status == 0) assert_non_null(req.query);
    mm_http_graphql_request_clear(&req);
}

static void test_left_to_the_general_path(void **state) {
    (void)state;
    expect_left("{\"query\":\"\\u0041\"}", 0);                      /* \u escapes */
    expect_left("{\"query\":\"\\u0000\"}", 400);                    /* NUL: jansson refuses */
    expect_left("{\"query\":\"a\",\"variables\":{\"x\":1}}", 0);    /* variables with members */
    expect_left("{\"query\":\"a\",\"extensions\":{\"k\":[1]}}", 0); /* extensions with members */
    expect_left("{\"query\":\"a\",\"other\":1}", 0);                /* another member */
    expect_left("{\"query\":\"a\",\"query\":\"b\"}", 400);          /* duplicate */
    expect_left("{\"query\":\"a\"} x", 400);                        /* trailing bytes */
    expect_left("{\"query\":\"a\",}", 400);                         /* trailing comma */
    expect_left("{\"query\":\"a\"", 400);                           /* unterminated */
    expect_left("{\"query\":\"a", 400);
    expect_left("{\"query\":\"a\\", 400);
    expect_left("{\"query\":null}", 400);          /* the general path says it is missing */
    expect_left("{\"query\":\"a\tb\"}", 400);      /* raw control character */
    expect_left("{\"query\":\"\\x\"}", 400);       /* invalid escape */
    expect_left("{\"query\":1}", 400);             /* not a string */
    expect_left("{\"operationName\":\"A\"}", 400); /* no query */
    expect_left("{}", 400);
    expect_left("[]", 400);
    expect_left("{\"query\":\"a\",\"variables\":[]}", 400);
}

static void test_utf8_valid(void **state) {
    (void)state;
    char buf[64];
    const char *good[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    const char *bad[] = {"\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf5\x80\x80\x80", "\x80"};
    /* Each sequence at every offset of a 40-byte ASCII run. */
    for (size_t off = 0; off < 20; off++) {
        for (size_t g = 0; g < 3; g++) {
            memset(buf, 'a', sizeof buf);
            size_t n = strlen(good[g]);
            memcpy(buf + off, good[g], n);
            assert_int_equal(mm_http_utf8_valid(buf, 40), 1);
        }
        for (size_t b = 0; b < 5; b++) {
            memset(buf, 'a', sizeof buf);
            size_t n = strlen(bad[b]);
            memcpy(buf + off, bad[b], n);
            assert_int_equal(mm_http_utf8_valid(buf, 40), 0);
        }
    }
    memset(buf, 'a', sizeof buf);
    buf[39] = '\xc3'; /* cut at the end */
    assert_int_equal(mm_http_utf8_valid(buf, 40), 0);
    assert_int_equal(mm_http_utf8_valid(buf, 39), 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_taken_as_jansson_reads_it),
        cmocka_unit_test(test_left_to_the_general_path),
        cmocka_unit_test(test_utf8_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
