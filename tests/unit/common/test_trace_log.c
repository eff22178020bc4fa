/* test_trace_log.c -- logs joined to traces: a line written while a trace
 * context is current carries trace_id and span_id (text and JSON formats);
 * a line without one, or with tracing off, carries neither; and the public
 * accessors mm_traceparent / mm_tracestate return the current context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <unistd.h>

#include "common/log.h"
#include "common/trace.h"
#include "metamorphosis.h"

/* Runs one mm_log_info with stderr captured; returns the line (static). */
static const char *capture(const char *what) {
    static char out[4096];
    fflush(stderr);
    int saved = dup(2);
    char path[] = "/tmp/mm_trace_log_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    dup2(fd, 2);
    mm_log_info("msg=\"%s\" k=v", what);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    ssize_t n = read(fd, out, sizeof out - 1);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
    return out;
}

static mm_trace_ctx ctx(void) {
    mm_trace_ctx c;
    memset(&c, 0, sizeof c);
    c.valid = true;
    c.flags = 1;
    mm_traceparent_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", 55, &c);
    strcpy(c.state, "congo=t61rcWkgMzE");
    return c;
}

static void test_text(void **state) {
    (void)state;
    mm_log_set_format(MM_LOG_FORMAT_TEXT);
    mm_trace_enabled_ = true;
    mm_trace_ctx c = ctx();
    const mm_trace_ctx *prev = mm_trace_enter(&c);
    const char *line = capture("inside");
    assert_non_null(strstr(line, " trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "));
    assert_non_null(strstr(line, " span_id=00f067aa0ba902b7 "));
    assert_non_null(strstr(line, "msg=\"inside\" k=v"));
    mm_trace_leave(prev);
    assert_null(strstr(capture("outside"), "trace_id"));
    /* off: nothing, even with a context */
    prev = mm_trace_enter(&c);
    mm_trace_enabled_ = false;
    assert_null(strstr(capture("off"), "trace_id"));
    mm_trace_leave(prev);
}

static void test_json(void **state) {
    (void)state;
    mm_log_set_format(MM_LOG_FORMAT_JSON);
    mm_trace_enabled_ = true;
    mm_trace_ctx c = ctx();
    const mm_trace_ctx *prev = mm_trace_enter(&c);
    json_t *doc = json_loads(capture("inside"), 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "trace_id")),
                        "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_string_equal(json_string_value(json_object_get(doc, "span_id")), "00f067aa0ba902b7");
    assert_string_equal(json_string_value(json_object_get(doc, "msg")), "inside");
    json_decref(doc);
    mm_trace_leave(prev);
    doc = json_loads(capture("outside"), 0, NULL);
    assert_non_null(doc);
    assert_null(json_object_get(doc, "trace_id"));
    json_decref(doc);
    mm_trace_enabled_ = false;
    mm_log_set_format(MM_LOG_FORMAT_TEXT);
}

static void test_public_accessors(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    assert_null(mm_traceparent()); /* no current context */
    mm_trace_ctx c = ctx();
    const mm_trace_ctx *prev = mm_trace_enter(&c);
    assert_string_equal(mm_traceparent(),
                        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assert_string_equal(mm_tracestate(), "congo=t61rcWkgMzE");
    c.state[0] = '\0';
    assert_null(mm_tracestate());
    mm_trace_enabled_ = false;
    assert_null(mm_traceparent());
    mm_trace_leave(prev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_public_accessors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
