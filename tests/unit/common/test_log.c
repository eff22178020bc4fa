/* test_log.c -- the one logger: text lines, MM_LOG_FORMAT=json lines (the
 * message's key=value pairs as members), quoting, and the rate limit on
 * repeated warnings (1,000 from one call site write MM_LOG_BURST lines, then
 * one "suppressed" report). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Runs fn with stderr redirected to a temporary file; returns its text. */
static char *capture(void (*fn)(void)) {
    fflush(stderr);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(2);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(tmp), 2) >= 0);
    fn();
    fflush(stderr);
    assert_true(dup2(saved, 2) >= 0);
    close(saved);
    long n = ftell(tmp);
    if (n < 0) n = 0;
    char *text = calloc(1, (size_t)n + 1);
    assert_non_null(text);
    rewind(tmp);
    size_t got = fread(text, 1, (size_t)n, tmp);
    text[got] = '\0';
    fclose(tmp);
    return text;
}

static size_t count_lines(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++) n++;
    return n;
}

static void one_text_line(void) { mm_log_info("msg=\"hello\" port=%d", 80); }

static void test_text_format(void **state) {
    (void)state;
    mm_log_set_format(MM_LOG_FORMAT_TEXT);
    char *out = capture(one_text_line);
    assert_int_equal(strncmp(out, "time=", 5), 0);
    assert_non_null(strstr(out, "Z level=info msg=\"hello\" port=80\n"));
    free(out);
}

static void json_lines(void) {
    mm_log_info("msg=\"http server listening\" host=%s port=%u ratio=%.2f name=\"a \\\"b\\\"\"",
                "127.0.0.1", 8000u, 0.5);
    mm_log_warn("service x: mutation y: not \"logfmt\" at all\t(tab)");
}

static void test_json_format(void **state) {
    (void)state;
    mm_log_set_format(MM_LOG_FORMAT_JSON);
    char *out = capture(json_lines);
    mm_log_set_format(MM_LOG_FORMAT_TEXT);
    char *second = strchr(out, '\n');
    assert_non_null(second);
    *second++ = '\0';
    json_error_t e;
    json_t *a = json_loads(out, 0, &e);
    if (!a) fail_msg("not JSON: %s (%s)", out, e.text);
    assert_string_equal(json_string_value(json_object_get(a, "level")), "info");
    assert_non_null(json_string_value(json_object_get(a, "time")));
    assert_string_equal(json_string_value(json_object_get(a, "msg")), "http server listening");
    assert_string_equal(json_string_value(json_object_get(a, "host")), "127.0.0.1");
    assert_int_equal(json_integer_value(json_object_get(a, "port")), 8000);
    assert_true(json_real_value(json_object_get(a, "ratio")) == 0.5);
    assert_string_equal(json_string_value(json_object_get(a, "name")), "a \"b\"");
    json_decref(a);
    json_t *b = json_loads(second, 0, &e);
    if (!b) fail_msg("not JSON: %s (%s)", second, e.text);
    assert_string_equal(json_string_value(json_object_get(b, "level")), "warn");
    assert_string_equal(json_string_value(json_object_get(b, "msg")),
                        "service x: mutation y: not \"logfmt\" at all\t(tab)");
    json_decref(b);
    free(out);
}

static void test_quote(void **state) {
    (void)state;
    char q[64];
    assert_string_equal(mm_log_quote("a \"b\"\\\n", q, sizeof q), "\"a \\\"b\\\"\\\\\\n\"");
    char small[8];
    assert_string_equal(mm_log_quote("abcdefghij", small, sizeof small), "\"abcde\"");
}

static void thousand_warnings(void) {
    for (int i = 0; i < 1000; i++) mm_log_warn("msg=\"manager: unauthorized\" alias=a%d", i);
}

static void after_a_second(void) {
    usleep(1100 * 1000);
    mm_log_warn("msg=\"something else\"");
}

static void test_repeated_warnings_are_rate_limited(void **state) {
    (void)state;
    mm_log_set_format(MM_LOG_FORMAT_TEXT);
    char *out = capture(thousand_warnings);
    assert_int_equal(count_lines(out, "manager: unauthorized"), MM_LOG_BURST);
    assert_int_equal(count_lines(out, "\n"), MM_LOG_BURST);
    free(out);
    /* The next warning, from any site, reports what was dropped. */
    out = capture(after_a_second);
    assert_non_null(
        strstr(out, "level=warn msg=\"log: suppressed 990 similar lines\" first=\"msg=\\\"manager: "
                    "unauthorized\\\" alias=a10\""));
    assert_non_null(strstr(out, "msg=\"something else\""));
    free(out);
}

static void many_infos(void) {
    for (int i = 0; i < 100; i++) mm_log_info("msg=\"access\" n=%d", i);
}

static void test_info_is_never_dropped(void **state) {
    (void)state;
    char *out = capture(many_infos);
    assert_int_equal(count_lines(out, "msg=\"access\""), 100);
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_format),
        cmocka_unit_test(test_json_format),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_repeated_warnings_are_rate_limited),
        cmocka_unit_test(test_info_is_never_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
