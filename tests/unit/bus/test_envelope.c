/* test_envelope.c -- the CloudEvents binary envelope: encode/decode round
 * trip, and every malformed-input case the decoder must reject with a
 * precise reason (these reasons end up on dead-lettered messages). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/envelope.h"
#include "common/uuid.h"
#include "metamorphosis.h"

/* Turns encoded rd_kafka headers into the decoder's raw form. */
static size_t to_wire(const rd_kafka_headers_t *h, mm_wire_header *out, size_t max) {
    size_t n = 0;
    const char *name;
    const void *val;
    size_t len;
    while (n < max && rd_kafka_header_get_all(h, n, &name, &val, &len) == 0) {
        out[n].name = name;
        out[n].value = val;
        out[n].value_len = len;
        n++;
    }
    return n;
}

static void test_roundtrip(void **state) {
    (void)state;
    mm_event ev, back;
    json_t *data = json_pack("{s:s, s:i, s:[i,i]}", "name", "Grüße ✓", "n", 42, "xs", 1, 2);
    assert_int_equal(mm_event_create(&ev, "forms", "FormCreated", data), 0);
    assert_true(mm_uuid_is_valid(ev.id, strlen(ev.id)));
    assert_string_equal(ev.source, "/metamorphosis/forms");
    assert_true(mm_event_time_is_valid(ev.time, strlen(ev.time)));
    assert_int_equal(strlen(ev.time), 24);
    assert_int_equal(mm_event_set_reply_to(&ev, "server-1"), 0);
    assert_int_equal(mm_event_set_cause_id(&ev, "cause-9"), 0);
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", "00-abc-def-01"), 0);
    assert_int_equal(mm_event_set_ext(&ev, "Bad-Name", "x"), MM_EINVAL);
    assert_int_equal(mm_event_set_ext(&ev, "id", "x"), MM_EINVAL); /* reserved */
    assert_int_equal(mm_event_set_ext(&ev, "mmreplyto", "x"), MM_EINVAL);

    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), 0);
    mm_wire_header w[16];
    size_t n = to_wire(h, w, 16);
    assert_int_equal(n, 9);
    assert_string_equal(w[0].name, "ce_specversion");
    assert_int_equal(mm_envelope_decode(w, n, "k", 1, payload, len, &back, reason), 0);
    assert_string_equal(back.id, ev.id);
    assert_string_equal(back.type, "FormCreated");
    assert_string_equal(back.source, ev.source);
    assert_string_equal(back.time, ev.time);
    assert_string_equal(back.reply_to, "server-1");
    assert_string_equal(back.cause_id, "cause-9");
    assert_int_equal(back.ext_count, 1);
    assert_string_equal(back.ext[0].name, "traceparent");
    assert_string_equal(back.ext[0].value, "00-abc-def-01");
    assert_int_equal(back.key_len, 1);
    assert_true(json_equal(back.data, ev.data));

    json_t *structured = mm_event_to_json(&back);
    assert_string_equal(json_string_value(json_object_get(structured, "specversion")), "1.0");
    assert_string_equal(json_string_value(json_object_get(structured, "mmreplyto")), "server-1");
    assert_true(json_equal(json_object_get(structured, "data"), ev.data));
    json_decref(structured);

    mm_event copy;
    assert_int_equal(mm_event_copy(&copy, &back), 0);
    assert_string_equal(copy.ext[0].value, "00-abc-def-01");
    mm_event_clear(&copy);

    rd_kafka_headers_destroy(h);
    free(payload);
    mm_event_clear(&ev);
    mm_event_clear(&back);
}

/* Extension names become ce_<name> headers (built without printf, in a
 * buffer sized for the longest name, 100 bytes); names that share a first
 * byte with a reserved attribute are still extensions. */
static void test_ext_headers(void **state) {
    (void)state;
    mm_event ev, back;
    assert_int_equal(mm_event_create(&ev, "svc", "Thing", NULL), 0);
    char longest[101], too_long[102];
    memset(longest, 'x', 100);
    longest[100] = '\0';
    memset(too_long, 'x', 101);
    too_long[101] = '\0';
    assert_int_equal(mm_event_set_ext(&ev, longest, "v1"), 0);
    assert_int_equal(mm_event_set_ext(&ev, too_long, "v"), MM_EINVAL);
    assert_int_equal(mm_event_set_ext(&ev, "identity", "v2"), 0); /* starts as "id" */
    assert_int_equal(mm_event_set_ext(&ev, "times", "v3"), 0);    /* as "time", "type" */
    assert_int_equal(mm_event_set_ext(&ev, "datacontenttype", "x"), MM_EINVAL);
    assert_int_equal(mm_event_set_ext(&ev, "time", "x"), MM_EINVAL);
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", "00-abc-def-01"), 0);
    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), 0);
    mm_wire_header w[16];
    size_t n = to_wire(h, w, 16);
    assert_int_equal(n, 10);
    char want[104] = "ce_";
    strcat(want, longest);
    assert_string_equal(w[6].name, want);
    assert_int_equal(w[6].value_len, 2);
    assert_string_equal(w[7].name, "ce_identity");
    assert_string_equal(w[8].name, "ce_times");
    assert_string_equal(w[9].name, "ce_traceparent");
    assert_int_equal(mm_envelope_decode(w, n, "k", 1, payload, len, &back, reason), 0);
    assert_int_equal(back.ext_count, 4);
    assert_string_equal(mm_event_attribute(&back, longest), "v1");
    assert_string_equal(mm_event_attribute(&back, "identity"), "v2");
    assert_string_equal(mm_event_attribute(&back, "times"), "v3");
    assert_string_equal(mm_event_attribute(&back, "traceparent"), "00-abc-def-01");
    /* The decoded extensions live in the event's one block: replacing one,
     * adding one and copying the event leave nothing to double-free or
     * leak (ASan). */
    assert_int_equal(mm_event_set_ext(&back, "traceparent", "00-new-01"), 0);
    assert_int_equal(mm_event_set_ext(&back, "added", "v4"), 0);
    assert_string_equal(mm_event_attribute(&back, "traceparent"), "00-new-01");
    assert_string_equal(mm_event_attribute(&back, "added"), "v4");
    assert_string_equal(mm_event_attribute(&back, "times"), "v3");
    mm_event copy;
    assert_int_equal(mm_event_copy(&copy, &back), 0);
    assert_int_equal(copy.ext_count, 5);
    assert_string_equal(mm_event_attribute(&copy, "identity"), "v2");
    mm_event_clear(&copy);
    rd_kafka_headers_destroy(h);
    free(payload);
    mm_event_clear(&ev);
    mm_event_clear(&back);
}

static void test_encode_rejects(void **state) {
    (void)state;
    mm_event ev;
    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_event_create(&ev, "svc", "Thing", NULL), 0);
    free(ev.type);
    ev.type = strdup("not-a-name");
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "not a GraphQL type name"));
    assert_null(h);
    free(ev.type);
    ev.type = strdup("Thing");
    free(ev.time);
    ev.time = strdup("yesterday");
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "RFC 3339"));
    free(ev.id);
    ev.id = NULL;
    assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), MM_EINVAL);
    assert_string_equal(reason, "event has no id");
    mm_event_clear(&ev);
    assert_int_equal(mm_event_create(&ev, "svc", "Thing", json_array()), MM_EINVAL);
}

/* A valid header set the malformed cases start from. */
#define BASE_HEADERS                                                                             \
    {"ce_specversion", "1.0", 3}, {"ce_id", "id-1", 4}, {"ce_source", "/metamorphosis/svc", 18}, \
        {"ce_type", "Thing", 5}, {"ce_time", "2026-11-28T00:08:03.123Z", 24}, {                  \
        "content-type", "application/json", 16                                                   \
    }

typedef struct bad_case {
    const char *what;
    mm_wire_header headers[10];
    size_t header_count;
    const char *value;
    size_t value_len;
    const char *expect; /* substring of the reason */
} bad_case;

static void expect_reject(const bad_case *bc) {
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX] = "";
    int rc = mm_envelope_decode(bc->headers, bc->header_count, NULL, 0, bc->value, bc->value_len,
                                &ev, reason);
    if (rc != MM_EINVAL || strstr(reason, bc->expect) == NULL)
        fail_msg("case '%s': rc=%d reason='%s', expected '%s'", bc->what, rc, reason, bc->expect);
    assert_null(ev.id);
    assert_null(ev.data);
}

static void test_decode_accepts_base(void **state) {
    (void)state;
    mm_wire_header h[] = {BASE_HEADERS, {"traceid", "\xff\xfe", 2}};
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_decode(h, 7, NULL, 0, "{\"a\":1}", 7, &ev, reason), 0);
    assert_null(ev.key);
    assert_null(ev.reply_to);
    assert_int_equal(ev.ext_count, 0); /* non-ce headers are not attributes */
    mm_event_clear(&ev);
    /* ce_time is optional in CloudEvents; content-type may carry charset. */
    mm_wire_header h2[] = {
        {"ce_specversion", "1.0", 3},
        {"ce_id", "x", 1},
        {"ce_source", "s", 1},
        {"ce_type", "_T1", 3},
        {"content-type", "Application/JSON; charset=\"UTF-8\"", 33},
    };
    assert_int_equal(mm_envelope_decode(h2, 5, NULL, 0, "{}", 2, &ev, reason), 0);
    assert_null(ev.time);
    mm_event_clear(&ev);
}

static void test_decode_rejects(void **state) {
    (void)state;
    static char big[MM_ENVELOPE_ATTR_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    const bad_case cases[] = {
        {"no headers", {{0}}, 0, "{}", 2, "missing header ce_specversion"},
        {"missing id",
         {{"ce_specversion", "1.0", 3},
          {"ce_source", "s", 1},
          {"ce_type", "T", 1},
          {"content-type", "application/json", 16}},
         4,
         "{}",
         2,
         "missing header ce_id"},
        {"missing source",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_type", "T", 1},
          {"content-type", "application/json", 16}},
         4,
         "{}",
         2,
         "missing header ce_source"},
        {"missing type",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"content-type", "application/json", 16}},
         4,
         "{}",
         2,
         "missing header ce_type"},
        {"wrong specversion",
         {{"ce_specversion", "0.3", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"ce_type", "T", 1},
          {"content-type", "application/json", 16}},
         5,
         "{}",
         2,
         "unsupported ce_specversion \"0.3\""},
        {"duplicate id",
         {BASE_HEADERS, {"ce_id", "id-2", 4}},
         7,
         "{}",
         2,
         "duplicate header ce_id"},
        {"empty id", {{"ce_id", "", 0}, BASE_HEADERS}, 7, "{}", 2, "header ce_id is empty"},
        {"null header value", {{"ce_type", NULL, 0}}, 1, "{}", 2, "header ce_type has no value"},
        {"NUL in header",
         {{"ce_source", "a\0b", 3}},
         1,
         "{}",
         2,
         "header ce_source contains a NUL"},
        {"bad UTF-8 in header",
         {{"ce_id", "ab\xc3\x28", 4}},
         1,
         "{}",
         2,
         "header ce_id is not valid UTF-8 (at byte 2)"},
        {"overlong UTF-8", {{"ce_id", "\xc0\xaf", 2}}, 1, "{}", 2, "not valid UTF-8 (at byte 0)"},
        {"surrogate UTF-8", {{"ce_id", "\xed\xa0\x80", 3}}, 1, "{}", 2, "not valid UTF-8"},
        {"too long header", {{"ce_id", big, sizeof big - 1}}, 1, "{}", 2, "too long"},
        {"bad extension name",
         {BASE_HEADERS, {"ce_Trace-Id", "x", 1}},
         7,
         "{}",
         2,
         "not a valid CloudEvents attribute"},
        {"datacontenttype header not JSON",
         {BASE_HEADERS, {"ce_datacontenttype", "text/plain", 10}},
         7,
         "{}",
         2,
         "unsupported ce_datacontenttype \"text/plain\""},
        {"type not a name",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"ce_type", "com.example.thing", 17},
          {"content-type", "application/json", 16}},
         5,
         "{}",
         2,
         "not a GraphQL type name"},
        {"bad time",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"ce_type", "T", 1},
          {"ce_time", "2026-02-30T00:00:00Z", 20},
          {"content-type", "application/json", 16}},
         6,
         "{}",
         2,
         "not an RFC 3339 timestamp"},
        {"wrong content-type",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"ce_type", "T", 1},
          {"content-type", "text/plain", 10}},
         5,
         "{}",
         2,
         "unsupported content-type \"text/plain\""},
        {"wrong charset",
         {{"ce_specversion", "1.0", 3},
          {"ce_id", "i", 1},
          {"ce_source", "s", 1},
          {"ce_type", "T", 1},
          {"content-type", "application/json;charset=latin1", 30}},
         5,
         "{}",
         2,
         "unsupported content-type"},
        {"empty value", {BASE_HEADERS}, 6, NULL, 0, "value is empty"},
        {"garbage value", {BASE_HEADERS}, 6, "\x01\x02garbage", 9, "value is not valid JSON"},
        {"invalid UTF-8 value",
         {BASE_HEADERS},
         6,
         "{\"a\":\"\xff\"}",
         9,
         "value is not valid UTF-8 (at byte 6)"},
        {"array value", {BASE_HEADERS}, 6, "[1,2]", 5, "value is an array, expected a JSON object"},
        {"string value", {BASE_HEADERS}, 6, "\"x\"", 3, "value is a string"},
        {"number value", {BASE_HEADERS}, 6, "12", 2, "value is a number"},
        {"truncated JSON", {BASE_HEADERS}, 6, "{\"a\":", 5, "value is not valid JSON"},
        {"duplicate JSON keys", {BASE_HEADERS}, 6, "{\"a\":1,\"a\":2}", 13, "duplicate"},
        {"trailing garbage", {BASE_HEADERS}, 6, "{} x", 4, "value is not valid JSON"},
        {"NUL escape in JSON",
         {BASE_HEADERS},
         6,
         "{\"a\":\"\\u0000\"}",
         14,
         "value is not valid JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) expect_reject(&cases[i]);
}

static void test_long_extension_name(void **state) {
    (void)state;
    char name[110] = "ce_";
    memset(name + 3, 'a', 101);
    name[104] = '\0';
    mm_wire_header h[] = {BASE_HEADERS, {name, "v", 1}};
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_decode(h, 7, NULL, 0, "{}", 2, &ev, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "at most 100"));
    name[103] = '\0'; /* 100 letters: accepted, and re-encodable */
    assert_int_equal(mm_envelope_decode(h, 7, NULL, 0, "{}", 2, &ev, reason), 0);
    rd_kafka_headers_t *out;
    char *payload;
    size_t len;
    assert_int_equal(mm_envelope_encode(&ev, &out, &payload, &len, reason), 0);
    rd_kafka_headers_destroy(out);
    free(payload);
    mm_event_clear(&ev);
}

static void test_too_many_headers(void **state) {
    (void)state;
    mm_wire_header h[MM_ENVELOPE_MAX_HEADERS + 1];
    for (size_t i = 0; i < MM_ENVELOPE_MAX_HEADERS + 1; i++)
        h[i] = (mm_wire_header){"x-other", "v", 1};
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(
        mm_envelope_decode(h, MM_ENVELOPE_MAX_HEADERS + 1, NULL, 0, "{}", 2, &ev, reason),
        MM_EINVAL);
    assert_non_null(strstr(reason, "too many headers"));
}

/* The most headers a message may have, all but the four required ones
 * extensions with long values: the decoded event keeps them and their
 * array in its one block (ASan checks the bounds), every one readable;
 * adding one more moves the array out of the block; clearing frees all. */
static void test_most_extensions_in_block(void **state) {
    (void)state;
    enum {
        EXTS = MM_ENVELOPE_MAX_HEADERS - 4
    };
    mm_wire_header h[MM_ENVELOPE_MAX_HEADERS];
    static char names[EXTS][16], values[EXTS][200];
    h[0] = (mm_wire_header){"ce_specversion", "1.0", 3};
    h[1] = (mm_wire_header){"ce_id", "id-1", 4};
    h[2] = (mm_wire_header){"ce_source", "svc", 3};
    h[3] = (mm_wire_header){"ce_type", "T", 1};
    for (int i = 0; i < EXTS; i++) {
        snprintf(names[i], sizeof names[i], "ce_x%d", i);
        memset(values[i], 'a' + i % 26, sizeof values[i] - 1);
        values[i][sizeof values[i] - 1] = '\0';
        h[4 + i] = (mm_wire_header){names[i], values[i], sizeof values[i] - 1};
    }
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_decode(h, MM_ENVELOPE_MAX_HEADERS, NULL, 0, "{}", 2, &ev, reason),
                     0);
    assert_int_equal(ev.ext_count, EXTS);
    for (int i = 0; i < EXTS; i++)
        assert_string_equal(mm_event_attribute(&ev, names[i] + 3), values[i]);
    assert_int_equal(mm_event_set_ext(&ev, "x0", "replaced"), 0);
    assert_int_equal(mm_event_set_ext(&ev, "extra", "v"), 0);
    assert_string_equal(mm_event_attribute(&ev, "x0"), "replaced");
    assert_string_equal(mm_event_attribute(&ev, "extra"), "v");
    assert_string_equal(mm_event_attribute(&ev, names[EXTS - 1] + 3), values[EXTS - 1]);
    mm_event_clear(&ev);
}

static void test_time_validator(void **state) {
    (void)state;
    const char *good[] = {"2026-11-28T00:08:03Z", "2026-11-28t00:08:03.1z",
                          "2024-02-29T23:59:60.123456+05:30", "1999-12-31T00:00:00-00:00"};
    const char *bad[] = {"2026-11-28",
                         "2026-11-28T00:08:03",
                         "2026-13-01T00:00:00Z",
                         "2023-02-29T00:00:00Z",
                         "2026-11-28T24:00:00Z",
                         "2026-11-28T00:08:03.Z",
                         "2026-11-28T00:08:03+0530",
                         "2026-11-28 00:08:03Z",
                         "2026-11-28T00:08:03Zjunk",
                         "2026-11-28T00:08:03+24:00"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!mm_event_time_is_valid(good[i], strlen(good[i]))) fail_msg("rejected %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (mm_event_time_is_valid(bad[i], strlen(bad[i]))) fail_msg("accepted %s", bad[i]);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),        cmocka_unit_test(test_ext_headers),
        cmocka_unit_test(test_encode_rejects),   cmocka_unit_test(test_decode_accepts_base),
        cmocka_unit_test(test_decode_rejects),   cmocka_unit_test(test_long_extension_name),
        cmocka_unit_test(test_too_many_headers), cmocka_unit_test(test_most_extensions_in_block),
        cmocka_unit_test(test_time_validator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
