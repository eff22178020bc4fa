/* test_control.c -- control events: every kind builds and parses back to
 * the same fields, and malformed payloads are refused with a reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "metamorphosis.h"
#include "node/control.h"

static void round_trip(const mm_control *in, mm_control *out, mm_event *ev) {
    char err[256];
    if (mm_control_build(in, ev, err, sizeof err)) fail_msg("build: %s", err);
    assert_string_equal(ev->type, mm_control_type_name(in->kind));
    assert_string_equal(ev->source, "/metamorphosis/" MM_CONTROL_SOURCE);
    if (mm_control_parse(ev, out, err, sizeof err)) fail_msg("parse: %s", err);
    assert_int_equal(out->kind, in->kind);
    assert_string_equal(out->name, in->name);
}

static void test_every_kind_round_trips(void **state) {
    (void)state;
    for (int k = 0; k < MM_CONTROL_KIND_COUNT; k++) {
        mm_control in = {.kind = (mm_control_kind)k,
                         .name = "count",
                         .node = "n1",
                         .pid = 42,
                         .microservice = "svc",
                         .reason = "harakiri",
                         .exit_code = 0,
                         .messages_processed = 7};
        mm_control out;
        mm_event ev;
        round_trip(&in, &out, &ev);
        if (k == MM_CONTROL_STOP_CONSUMER_PROCESS || k == MM_CONTROL_CONSUMER_PROCESS_FINISHED) {
            assert_int_equal(out.pid, 42);
            assert_string_equal(out.node, "n1");
        }
        if (k == MM_CONTROL_CONSUMER_PROCESS_FINISHED) {
            assert_string_equal(out.microservice, "svc");
            assert_string_equal(out.reason, "harakiri");
            assert_int_equal(out.messages_processed, 7);
        }
        if (k == MM_CONTROL_STOP_CONSUMER) assert_null(json_object_get(ev.data, "node"));
        mm_control_clear(&out);
        mm_event_clear(&ev);
    }
}

static void test_adjust_fields_absent_null_set(void **state) {
    (void)state;
    mm_control in = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                     .name = "svc.count",
                     .node = "n1",
                     .process_count_set = MM_CONTROL_SET,
                     .process_count = 3,
                     .harakiri_count_set = MM_CONTROL_NULL,
                     .harakiri_jitter_set = MM_CONTROL_ABSENT};
    mm_control out;
    mm_event ev;
    round_trip(&in, &out, &ev);
    char *text = json_dumps(ev.data, JSON_SORT_KEYS | JSON_COMPACT);
    assert_string_equal(
        text, "{\"harakiriCount\":null,\"name\":\"svc.count\",\"node\":\"n1\",\"processCount\":3}");
    free(text);
    assert_int_equal(out.process_count_set, MM_CONTROL_SET);
    assert_int_equal(out.process_count, 3);
    assert_int_equal(out.harakiri_count_set, MM_CONTROL_NULL);
    assert_int_equal(out.harakiri_jitter_set, MM_CONTROL_ABSENT);
    mm_control_clear(&out);
    mm_event_clear(&ev);
}

static void expect_parse_error(const char *type, const char *json, const char *want) {
    mm_event ev;
    json_t *data = json_loads(json, JSON_DECODE_ANY, NULL);
    assert_non_null(data);
    if (!json_is_object(data)) {
        json_decref(data);
        assert_int_equal(mm_event_create(&ev, "x", type, NULL), 0);
        json_decref(ev.data);
        ev.data = json_loads(json, JSON_DECODE_ANY, NULL);
    } else {
        assert_int_equal(mm_event_create(&ev, "x", type, data), 0);
    }
    mm_control out;
    char err[256] = "";
    assert_int_equal(mm_control_parse(&ev, &out, err, sizeof err), MM_EINVAL);
    if (!strstr(err, want)) fail_msg("error '%s' does not contain '%s'", err, want);
    mm_event_clear(&ev);
}

static void test_bad_payloads_refused(void **state) {
    (void)state;
    expect_parse_error("StopConsumer", "{}", "field 'name' is required");
    expect_parse_error("StopConsumer", "{\"name\": 3}", "field 'name' must be a non-empty string");
    expect_parse_error("StopConsumer", "{\"name\": \"\"}", "non-empty");
    expect_parse_error("StopConsumerProcess", "{\"name\": \"c\", \"node\": \"n\"}",
                       "field 'pid' is required");
    expect_parse_error("StopConsumerProcess", "{\"name\": \"c\", \"node\": \"n\", \"pid\": -4}",
                       "'pid' must be an integer >= 1");
    expect_parse_error("StopConsumerProcess", "{\"name\": \"c\", \"pid\": 4}",
                       "field 'node' is required");
    expect_parse_error("AdjustConsumer",
                       "{\"name\": \"c\", \"node\": \"n\", \"processCount\": null}",
                       "processCount");
    expect_parse_error("AdjustConsumer",
                       "{\"name\": \"c\", \"node\": \"n\", \"processCount\": 1.5}", "processCount");
    expect_parse_error("AdjustConsumer",
                       "{\"name\": \"c\", \"node\": \"n\", \"harakiriCount\": -1}",
                       "harakiriCount");
    expect_parse_error("AdjustConsumer",
                       "{\"name\": \"c\", \"node\": \"n\", \"harakiriJitter\": \"5\"}",
                       "harakiriJitter");
}

static void test_other_types_are_not_control_events(void **state) {
    (void)state;
    mm_event ev;
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    mm_control out;
    char err[256];
    assert_int_equal(mm_control_parse(&ev, &out, err, sizeof err), MM_ENOTFOUND);
    mm_event_clear(&ev);
    assert_int_equal(mm_control_kind_from_type("KillNode"), MM_CONTROL_KILL_NODE);
    assert_int_equal(mm_control_kind_from_type("killnode"), -1);
    assert_null(mm_control_type_name(MM_CONTROL_KIND_COUNT));
}

static void test_build_checks_required_fields(void **state) {
    (void)state;
    mm_event ev;
    char err[256];
    mm_control c = {.kind = MM_CONTROL_STOP_CONSUMER_PROCESS, .name = "c", .node = "n"};
    assert_int_equal(mm_control_build(&c, &ev, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "pid"));
    mm_control a = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .name = "c",
                    .node = "n",
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = -1};
    assert_int_equal(mm_control_build(&a, &ev, err, sizeof err), MM_EINVAL);
    /* Process counts are capped at the configured maximum (issue 20: a count
     * of 2147483647 was accepted and forked in a tight loop). */
    a.process_count = 2147483647;
    assert_int_equal(mm_control_build(&a, &ev, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "processCount must be from 0 to 1024"));
    a.process_count = MM_CONTROL_PROCS_MAX + 1;
    assert_int_equal(mm_control_build(&a, &ev, err, sizeof err), MM_EINVAL);
    a.process_count = MM_CONTROL_PROCS_MAX;
    assert_int_equal(mm_control_build(&a, &ev, err, sizeof err), 0);
    mm_event_clear(&ev);
    /* harakiriCount 0 means "no harakiri", as in the original: built and parsed. */
    mm_control z = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .name = "c",
                    .node = "n",
                    .harakiri_count_set = MM_CONTROL_SET,
                    .harakiri_count = 0};
    assert_int_equal(mm_control_build(&z, &ev, err, sizeof err), 0);
    mm_control back;
    assert_int_equal(mm_control_parse(&ev, &back, err, sizeof err), 0);
    assert_int_equal(back.harakiri_count_set, MM_CONTROL_SET);
    assert_int_equal(back.harakiri_count, 0);
    mm_control_clear(&back);
    mm_event_clear(&ev);
    mm_control n = {.kind = MM_CONTROL_STOP_NODE};
    assert_int_equal(mm_control_build(&n, &ev, err, sizeof err), MM_EINVAL);
    /* Events about one node share its key, so they stay in order. */
    mm_control k = {.kind = MM_CONTROL_ADJUST_CONSUMER, .name = "c", .node = "node-7"};
    assert_int_equal(mm_control_build(&k, &ev, err, sizeof err), 0);
    assert_int_equal(ev.key_len, 6);
    assert_memory_equal(ev.key, "node-7", 6);
    mm_event_clear(&ev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_kind_round_trips),
        cmocka_unit_test(test_adjust_fields_absent_null_set),
        cmocka_unit_test(test_bad_payloads_refused),
        cmocka_unit_test(test_other_types_are_not_control_events),
        cmocka_unit_test(test_build_checks_required_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
