/* test_http_parse.c -- the strict HTTP/1.1 parser (src/http/parse.c) on its
 * own: valid heads, every framing ambiguity RFC 9112 says to refuse, the
 * limits (414, 431), and the chunked decoder fed whole and byte by byte. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

static const mm_http_limits lim = {8192, 1024};

static int parse(const char *text, mm_http_head *h) {
    return mm_http_parse_head(text, strlen(text), &lim, h);
}

static int status_of(const char *text) {
    mm_http_head h;
    return parse(text, &h);
}

static void test_valid_heads(void **state) {
    (void)state;
    mm_http_head h;
    const char *get =
        "GET /graphql?query=x HTTP/1.1\r\nHost: a\r\nAccept:  application/json \r\n\r\nNEXT";
    int n = parse(get, &h);
    assert_int_equal(n, (int)strlen(get) - 4);
    assert_int_equal(h.method_len, 3);
    assert_memory_equal(h.path, "/graphql?query=x", h.path_len);
    assert_int_equal(h.minor, 1);
    assert_true(h.keep_alive);
    assert_false(h.chunked);
    assert_false(h.has_length);
    const mm_http_field *f = mm_http_head_field(&h, "accept");
    assert_non_null(f);
    assert_int_equal(f->value_len, strlen("application/json")); /* OWS trimmed */

    assert_true(
        parse("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 26\r\nConnection: close\r\n\r\n",
              &h) > 0);
    assert_true(h.has_length);
    assert_int_equal(h.content_length, 26);
    assert_false(h.keep_alive);

    assert_true(parse("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\nExpect: "
                      "100-continue\r\n\r\n",
                      &h) > 0);
    assert_true(h.chunked);
    assert_true(h.expect_continue);

    /* HTTP/1.0: no Host needed, keep-alive only when asked. */
    assert_true(parse("GET / HTTP/1.0\r\n\r\n", &h) > 0);
    assert_false(h.keep_alive);
    assert_true(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &h) > 0);
    assert_true(h.keep_alive);
    /* Leading empty lines are skipped; absolute-form is reduced to its path. */
    assert_true(
        parse("\r\n\r\nGET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n", &h) > 0);
    assert_memory_equal(h.path, "/a?b", 4);
    assert_true(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &h) > 0);
    /* HTTP/1.2 is handled as 1.1. */
    assert_true(parse("GET / HTTP/1.2\r\nHost: a\r\n\r\n", &h) > 0);
}

static void test_incomplete(void **state) {
    (void)state;
    const char *full = "POST /graphql HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n";
    for (size_t k = 0; k < strlen(full); k++) {
        mm_http_head h;
        assert_int_equal(mm_http_parse_head(full, k, &lim, &h), 0);
    }
}

static void test_framing_refusals(void **state) {
    (void)state;
    /* Request smuggling: both framings, or an ambiguous length. */
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: "
                               "5\r\nTransfer-Encoding: chunked\r\n\r\n"),
                     -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                               "chunked\r\nContent-Length: 5\r\n\r\n"),
                     -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 26, 26\r\n\r\n"),
                     -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\n"), -400);
    assert_int_equal(
        status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n"),
        -400);
    assert_int_equal(
        status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"),
        -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n"), -400);
    assert_int_equal(
        status_of("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n"),
        -400);
    /* Transfer codings: only chunked, once. */
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"),
                     -501);
    assert_int_equal(
        status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"), -501);
    assert_int_equal(
        status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n"),
        -501);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                               "chunked\r\nTransfer-Encoding: chunked\r\n\r\n"),
                     -400);
    assert_int_equal(status_of("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \r\n\r\n"), -400);
    assert_int_equal(status_of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), -400);
    /* Syntax. */
    assert_int_equal(status_of("GET / HTTP/1.1\nHost: a\n\n"), -400); /* bare LF */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\nX: y\r\n\r\n"),
                     -400); /* bare LF in a field */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
                     -400); /* space before colon */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n"),
                     -400); /* obs-fold */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nX: a\x01z\r\n\r\n"),
                     -400); /* control byte */
    assert_int_equal(status_of("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(status_of("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(status_of("GET /\x7f HTTP/1.1\r\nHost: a\r\n\r\n"), -400);
    assert_int_equal(status_of("GET host:80 HTTP/1.1\r\nHost: a\r\n\r\n"),
                     -400); /* authority-form */
    assert_int_equal(status_of("GET / FTP/1.1\r\n"), -400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\n\r\n"), -400); /* no Host */
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), -400);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), -400);
    assert_int_equal(status_of("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), -505);
    assert_int_equal(status_of("GET / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n"), -417);
}

static void test_limits(void **state) {
    (void)state;
    /* A request-target past max_target: 414, complete or not. */
    size_t n = 2000;
    char *big = malloc(n + 64);
    assert_non_null(big);
    memcpy(big, "GET /", 5);
    memset(big + 5, 'a', n);
    mm_http_head h;
    assert_int_equal(mm_http_parse_head(big, n, &lim, &h), -414);
    strcpy(big + 5 + n - 40, " HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_int_equal(mm_http_parse_head(big, strlen(big), &lim, &h), -414);
    free(big);
    /* A head past max_head: 431, complete or not. */
    size_t hn = 9000;
    char *head = malloc(hn + 64);
    assert_non_null(head);
    strcpy(head, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: ");
    size_t at = strlen(head);
    memset(head + at, 'b', hn);
    assert_int_equal(mm_http_parse_head(head, at + hn, &lim, &h), -431);
    strcpy(head + at + hn - 10, "\r\n\r\n");
    assert_int_equal(mm_http_parse_head(head, strlen(head), &lim, &h), -431);
    free(head);
    /* More than MM_HTTP_MAX_HEADERS fields: 431. */
    char many[4096] = "GET / HTTP/1.1\r\nHost: a\r\n";
    for (int i = 0; i < MM_HTTP_MAX_HEADERS + 1; i++) strcat(many, "X: y\r\n");
    strcat(many, "\r\n");
    assert_int_equal(status_of(many), -431);
}

/* Decodes text through the chunked decoder in pieces of `piece` bytes. */
static mm_http_chunked_state decode(const char *text, size_t piece, char *out, size_t *out_len,
                                    size_t *rest, uint64_t max_body) {
    mm_http_chunked d;
    memset(&d, 0, sizeof d);
    d.max_body = max_body;
    size_t len = strlen(text), pos = 0, end = 0;
    *out_len = 0;
    while (pos < len && d.state < MM_CHUNKED_DONE) {
        end = end + piece > len ? len : end + piece;
        while (pos < end && d.state < MM_CHUNKED_DONE) {
            const char *p;
            size_t dl;
            size_t used = mm_http_chunked_step(&d, text + pos, end - pos, &p, &dl);
            if (dl) memcpy(out + *out_len, p, dl);
            *out_len += dl;
            pos += used;
            if (used == 0) break;
        }
    }
    *rest = len - pos;
    return d.state;
}

static void test_chunked(void **state) {
    (void)state;
    char out[4096];
    size_t n, rest;
    const char *body = "5;name=val\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\nGET";
    for (size_t piece = 1; piece <= strlen(body); piece++) {
        assert_int_equal(decode(body, piece, out, &n, &rest, 1024), MM_CHUNKED_DONE);
        assert_int_equal(n, 11);
        assert_memory_equal(out, "hello world", 11);
        assert_int_equal(rest, 3); /* the next request is left alone */
    }
    assert_int_equal(decode("A\r\n0123456789\r\n0\r\n\r\n", 3, out, &n, &rest, 1024),
                     MM_CHUNKED_DONE);
    assert_int_equal(n, 10);
    assert_int_equal(decode("x\r\n", 1, out, &n, &rest, 1024), MM_CHUNKED_BAD);
    assert_int_equal(decode("5\r\nhelloX\r\n", 1, out, &n, &rest, 1024), MM_CHUNKED_BAD);
    assert_int_equal(decode("5\nhello\r\n", 1, out, &n, &rest, 1024), MM_CHUNKED_BAD);
    assert_int_equal(decode("ffffffffffffffffff\r\n", 4, out, &n, &rest, 1024), MM_CHUNKED_BAD);
    assert_int_equal(decode("0\r\nno colon\r\n\r\n", 4, out, &n, &rest, 1024), MM_CHUNKED_BAD);
    /* Over the body limit: refused on the declared size, before the data. */
    assert_int_equal(decode("401\r\n", 1, out, &n, &rest, 1024), MM_CHUNKED_TOO_BIG);
    assert_int_equal(decode("200\r\n", 64, out, &n, &rest, 1024), MM_CHUNKED_DATA);
    char two[2200];
    snprintf(two, sizeof two, "200\r\n%0512d\r\n201\r\n", 0);
    assert_int_equal(decode(two, 64, out, &n, &rest, 1024), MM_CHUNKED_TOO_BIG);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_heads),      cmocka_unit_test(test_incomplete),
        cmocka_unit_test(test_framing_refusals), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_chunked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
