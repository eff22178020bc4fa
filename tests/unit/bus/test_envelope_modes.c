/* test_envelope_modes.c -- the decoder against messages shaped the way the
 * CloudEvents SDKs write them: structured mode (data and data_base64),
 * binary mode with ce_datacontenttype or no content type at all, charset
 * and other media type parameters, SDK extension attributes, and the
 * optional event type prefix (docs/wire-format.md, "Decoding"). The real
 * SDKs are exercised against real Kafka by tests/e2e/interop_cloudevents.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/envelope.h"
#include "metamorphosis.h"

#define HDR(n, v) \
    { n, v, sizeof v - 1 }
#define CT_STRUCTURED HDR("content-type", "application/cloudevents+json")

static int decode(const mm_wire_header *h, size_t n, const char *value, mm_event *ev,
                  char reason[MM_ENVELOPE_REASON_MAX]) {
    reason[0] = '\0';
    return mm_envelope_decode(h, n, "k", 1, value, value ? strlen(value) : 0, ev, reason);
}

static const char *ext(const mm_event *ev, const char *name) {
    for (size_t i = 0; i < ev->ext_count; i++)
        if (strcmp(ev->ext[i].name, name) == 0) return ev->ext[i].value;
    return NULL;
}

/* As Python's to_structured / JavaScript's Kafka.structured write it. */
static void test_structured_data(void **state) {
    (void)state;
    mm_wire_header h[] = {HDR("content-type", "application/cloudevents+json; charset=utf-8"),
                          HDR("ce_ignored", "x")};
    const char *v =
        "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"/py\",\"type\":\"CreateFormEvent\","
        "\"time\":\"2026-12-06T15:30:00.123456+00:00\",\"datacontenttype\":\"application/json\","
        "\"subject\":\"forms\",\"traceparent\":\"00-0af7651916cd43dd8448eb211c80319c-"
        "b7ad6b7169203331-01\","
        "\"partitionkey\":\"pk-1\",\"count\":3,\"flag\":true,\"nothing\":null,"
        "\"mmreplyto\":\"srv-1\",\"data\":{\"name\":\"Contact\"}}";
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(decode(h, 2, v, &ev, reason), 0);
    assert_string_equal(ev.id, "e-1");
    assert_string_equal(ev.source, "/py");
    assert_string_equal(ev.type, "CreateFormEvent");
    assert_string_equal(ev.time, "2026-12-06T15:30:00.123456+00:00");
    assert_string_equal(ev.reply_to, "srv-1");
    assert_string_equal(json_string_value(json_object_get(ev.data, "name")), "Contact");
    assert_string_equal(ext(&ev, "subject"), "forms");
    assert_string_equal(ext(&ev, "partitionkey"), "pk-1");
    assert_non_null(ext(&ev, "traceparent"));
    assert_string_equal(ext(&ev, "count"), "3");
    assert_string_equal(ext(&ev, "flag"), "true");
    assert_null(ext(&ev, "nothing"));
    assert_null(ext(&ev, "ignored")); /* ce_ headers are not read in structured mode */
    assert_null(ext(&ev, "datacontenttype"));
    assert_int_equal(ev.ext_count, 5);
    assert_memory_equal(ev.key, "k", 1);
    /* What was read structured is written binary and reads back the same. */
    rd_kafka_headers_t *out;
    char *payload;
    size_t len;
    assert_int_equal(mm_envelope_encode(&ev, &out, &payload, &len, reason), 0);
    rd_kafka_headers_destroy(out);
    free(payload);
    mm_event_clear(&ev);
}

/* Python SDK 1.x: to_structured sends content-type application/json (the
 * data's) with the whole event as the value. */
static void test_structured_python1(void **state) {
    (void)state;
    const char *v = "{\"type\": \"CreateFormEvent\", \"source\": \"/py1\", \"datacontenttype\": "
                    "\"application/json\", \"specversion\": \"1.0\", \"id\": \"p1\", \"data\": "
                    "{\"name\": \"x\"}}";
    mm_wire_header h[] = {HDR("content-type", "application/json; charset=utf-8")};
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(decode(h, 1, v, &ev, reason), 0);
    assert_string_equal(ev.id, "p1");
    assert_string_equal(json_string_value(json_object_get(ev.data, "name")), "x");
    mm_event_clear(&ev);
    assert_int_equal(decode(NULL, 0, v, &ev, reason), 0); /* no content type at all */
    mm_event_clear(&ev);
    /* Not with a ce_specversion header (binary mode: the value is data), nor
     * with a content type that is not JSON. */
    mm_wire_header bin[] = {HDR("ce_specversion", "1.0"), HDR("ce_id", "i"), HDR("ce_source", "s"),
                            HDR("ce_type", "T")};
    assert_int_equal(decode(bin, 4, v, &ev, reason), 0);
    assert_string_equal(ev.id, "i");
    assert_non_null(json_object_get(ev.data, "specversion"));
    mm_event_clear(&ev);
    mm_wire_header xml[] = {HDR("content-type", "application/xml")};
    assert_int_equal(decode(xml, 1, v, &ev, reason), MM_EINVAL);
    assert_string_equal(reason, "missing header ce_specversion");
    assert_int_equal(decode(NULL, 0, "{\"a\":1}", &ev, reason), MM_EINVAL);
    assert_string_equal(reason, "missing header ce_specversion");
}

static void test_structured_base64(void **state) {
    (void)state;
    mm_wire_header h[] = {CT_STRUCTURED};
    /* {"name":"B64"} with and without padding */
    const char *padded = "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"T\","
                         "\"datacontenttype\":\"application/json\","
                         "\"data_base64\":\"eyJuYW1lIjoiQjY0In0=\"}";
    const char *unpadded = "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"T\","
                           "\"data_base64\":\"eyJuYW1lIjoiQjY0In0\"}";
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(decode(h, 1, padded, &ev, reason), 0);
    assert_string_equal(json_string_value(json_object_get(ev.data, "name")), "B64");
    assert_null(ev.time);
    mm_event_clear(&ev);
    assert_int_equal(decode(h, 1, unpadded, &ev, reason), 0);
    assert_string_equal(json_string_value(json_object_get(ev.data, "name")), "B64");
    mm_event_clear(&ev);
}

typedef struct reject_case {
    const char *what;
    const char *value;
    const char *expect;
} reject_case;

static void test_structured_rejects(void **state) {
    (void)state;
    mm_wire_header h[] = {CT_STRUCTURED};
#define EV(rest) "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"T\"" rest "}"
    const reject_case cases[] = {
        {"not JSON", "{", "structured event is not valid JSON"},
        {"array", "[]", "structured event is an array"},
        {"no specversion", "{\"id\":\"e\",\"source\":\"s\",\"type\":\"T\",\"data\":{}}",
         "structured event has no \"specversion\""},
        {"old specversion", "{\"specversion\":\"0.3\",\"data\":{}}",
         "unsupported specversion \"0.3\""},
        {"no id", "{\"specversion\":\"1.0\",\"source\":\"s\",\"type\":\"T\",\"data\":{}}",
         "structured event has no \"id\""},
        {"numeric id", "{\"specversion\":\"1.0\",\"id\":1,\"source\":\"s\",\"type\":\"T\"}",
         "structured event \"id\" is a number, expected a string"},
        {"empty source", "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"\",\"type\":\"T\"}",
         "structured event \"source\" is empty"},
        {"type not a name",
         "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\",\"type\":\"a.b\"}",
         "type \"a.b\" is not a GraphQL type name"},
        {"bad time", EV(",\"time\":\"yesterday\",\"data\":{}"),
         "time \"yesterday\" is not an RFC 3339"},
        {"xml data", EV(",\"datacontenttype\":\"application/xml\",\"data\":{}"),
         "unsupported datacontenttype \"application/xml\""},
        {"no data", EV(""), "structured event has no \"data\""},
        {"both data", EV(",\"data\":{},\"data_base64\":\"e30=\""),
         "both \"data\" and \"data_base64\""},
        {"string data", EV(",\"data\":\"{}\""), "\"data\" is a string, expected a JSON object"},
        {"bad base64", EV(",\"data_base64\":\"e30*\""), "\"data_base64\" is not base64"},
        {"base64 of an array", EV(",\"data_base64\":\"WzFd\""), "decoded data_base64 is an array"},
        {"bad extension name", EV(",\"Trace-Id\":\"x\",\"data\":{}"),
         "member \"Trace-Id\" is not a valid CloudEvents attribute name"},
        {"object extension", EV(",\"ext\":{},\"data\":{}"), "attribute \"ext\" is an object"},
        {"empty extension", EV(",\"ext\":\"\",\"data\":{}"), "structured event \"ext\" is empty"},
    };
#undef EV
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mm_event ev;
        char reason[MM_ENVELOPE_REASON_MAX];
        int rc = decode(h, 1, cases[i].value, &ev, reason);
        if (rc != MM_EINVAL || strstr(reason, cases[i].expect) == NULL)
            fail_msg("case '%s': rc=%d reason='%s', expected '%s'", cases[i].what, rc, reason,
                     cases[i].expect);
        assert_null(ev.id);
        assert_null(ev.data);
    }
    mm_wire_header batch[] = {HDR("content-type", "application/cloudevents-batch+json")};
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(decode(batch, 1, "[]", &ev, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "batched events are not supported"));
    mm_wire_header twice[] = {CT_STRUCTURED, CT_STRUCTURED};
    assert_int_equal(decode(twice, 2, "{}", &ev, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "duplicate header content-type"));
}

/* JavaScript's Kafka.binary adds ce_datacontenttype next to content-type;
 * Python's to_binary writes no content type when the event has none. */
static void test_binary_sdk_shapes(void **state) {
    (void)state;
    mm_wire_header js[] = {
        HDR("ce_id", "j-1"),
        HDR("ce_type", "CreateFormEvent"),
        HDR("ce_source", "/js"),
        HDR("ce_specversion", "1.0"),
        HDR("ce_time", "2026-12-06T15:30:00.000Z"),
        HDR("ce_datacontenttype", "application/json"),
        HDR("ce_partitionkey", "pk"),
        HDR("ce_traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"),
        HDR("content-type", "application/json; charset=utf-8"),
    };
    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(decode(js, 9, "{\"name\":\"x\"}", &ev, reason), 0);
    assert_string_equal(ev.type, "CreateFormEvent");
    assert_string_equal(ext(&ev, "partitionkey"), "pk");
    assert_non_null(ext(&ev, "traceparent"));
    assert_null(ext(&ev, "datacontenttype"));
    mm_event_clear(&ev);
    mm_wire_header py[] = {HDR("ce_specversion", "1.0"), HDR("ce_id", "p-1"),
                           HDR("ce_source", "/py"), HDR("ce_type", "CreateFormEvent"),
                           HDR("ce_subject", "s")};
    assert_int_equal(decode(py, 5, "{\"name\": \"x\"}", &ev, reason), 0);
    assert_string_equal(ext(&ev, "subject"), "s");
    mm_event_clear(&ev);
    /* Media types: vendor +json, parameters, case; refused: other charsets. */
    static const char *const good[] = {
        "application/json",
        "APPLICATION/JSON;CHARSET=UTF8",
        "application/vnd.example+json",
        "application/json; charset=\"utf-8\"; profile=x",
        "application/json ;",
        " application/json",
    };
    static const char *const bad[] = {
        "text/plain",
        "application/json; charset=latin1",
        "application/json charset=utf-8",
        "application/jsonx",
        "application/json; =x",
        "application/json; charset=\"utf-8",
        "application/cloudevents-batch+json",
    };
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        mm_wire_header h[] = {HDR("ce_specversion", "1.0"),
                              HDR("ce_id", "i"),
                              HDR("ce_source", "s"),
                              HDR("ce_type", "T"),
                              {"content-type", good[i], strlen(good[i])}};
        if (decode(h, 5, "{}", &ev, reason) != 0)
            fail_msg("refused content-type '%s': %s", good[i], reason);
        mm_event_clear(&ev);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mm_wire_header h[] = {HDR("ce_specversion", "1.0"),
                              HDR("ce_id", "i"),
                              HDR("ce_source", "s"),
                              HDR("ce_type", "T"),
                              {"ce_datacontenttype", bad[i], strlen(bad[i])}};
        if (decode(h, 5, "{}", &ev, reason) != MM_EINVAL)
            fail_msg("accepted datacontenttype '%s'", bad[i]);
    }
}

static void test_type_prefix(void **state) {
    (void)state;
    assert_int_equal(mm_envelope_set_type_prefix(".bad"), MM_EINVAL);
    assert_int_equal(mm_envelope_set_type_prefix("bad."), MM_EINVAL);
    assert_int_equal(mm_envelope_set_type_prefix("with space"), MM_EINVAL);
    assert_null(mm_envelope_type_prefix());
    assert_int_equal(mm_envelope_set_type_prefix("com.example.forms"), 0);
    assert_string_equal(mm_envelope_type_prefix(), "com.example.forms");

    mm_event ev;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    rd_kafka_headers_t *out;
    char *payload;
    size_t len;
    assert_int_equal(mm_envelope_encode(&ev, &out, &payload, &len, reason), 0);
    const void *v;
    size_t vlen;
    assert_int_equal(rd_kafka_header_get_last(out, "ce_type", &v, &vlen), 0);
    assert_int_equal(vlen, strlen("com.example.forms.CreateFormEvent"));
    assert_memory_equal(v, "com.example.forms.CreateFormEvent", vlen);
    rd_kafka_headers_destroy(out);
    free(payload);
    mm_event_clear(&ev);

    /* Accepted with and without the prefix; another prefix is refused. */
    static const char *const types[] = {"com.example.forms.CreateFormEvent", "CreateFormEvent"};
    for (size_t i = 0; i < 2; i++) {
        mm_wire_header h[] = {HDR("ce_specversion", "1.0"),
                              HDR("ce_id", "i"),
                              HDR("ce_source", "s"),
                              {"ce_type", types[i], strlen(types[i])}};
        assert_int_equal(decode(h, 4, "{}", &ev, reason), 0);
        assert_string_equal(ev.type, "CreateFormEvent");
        mm_event_clear(&ev);
    }
    mm_wire_header other[] = {HDR("ce_specversion", "1.0"), HDR("ce_id", "i"),
                              HDR("ce_source", "s"), HDR("ce_type", "org.other.CreateFormEvent")};
    assert_int_equal(decode(other, 4, "{}", &ev, reason), MM_EINVAL);
    assert_non_null(strstr(reason, "with or without the prefix \"com.example.forms.\""));
    mm_wire_header st[] = {CT_STRUCTURED};
    assert_int_equal(decode(st, 1,
                            "{\"specversion\":\"1.0\",\"id\":\"e\",\"source\":\"s\","
                            "\"type\":\"com.example.forms.FormCreated\",\"data\":{}}",
                            &ev, reason),
                     0);
    assert_string_equal(ev.type, "FormCreated");
    mm_event_clear(&ev);
    /* Only the prefix and its dot: no name left. */
    mm_wire_header bare[] = {HDR("ce_specversion", "1.0"), HDR("ce_id", "i"), HDR("ce_source", "s"),
                             HDR("ce_type", "com.example.forms.")};
    assert_int_equal(decode(bare, 4, "{}", &ev, reason), MM_EINVAL);
    assert_int_equal(mm_envelope_set_type_prefix(NULL), 0);
    assert_null(mm_envelope_type_prefix());
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structured_data),   cmocka_unit_test(test_structured_python1),
        cmocka_unit_test(test_structured_base64), cmocka_unit_test(test_structured_rejects),
        cmocka_unit_test(test_binary_sdk_shapes), cmocka_unit_test(test_type_prefix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
