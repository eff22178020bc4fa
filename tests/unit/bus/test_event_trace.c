/* test_event_trace.c -- the CloudEvents distributed-tracing extension on
 * events: a context set on an event travels as ce_traceparent/ce_tracestate
 * (binary mode) and comes back on decode; the producer's publish span
 * is encoded as ce_traceparent (mm_envelope_encode_ext) (same trace, new span id) so the
 * consumer becomes its child; structured mode's traceparent attribute is
 * read the same way; an invalid traceparent leaves the event untraced but
 * accepted (W3C: ignore it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/envelope.h"
#include "bus/event_trace.h"

static size_t to_wire(rd_kafka_headers_t *h, mm_wire_header *out, size_t max) {
    size_t n = 0;
    const char *name;
    const void *val;
    size_t len;
    while (n < max && rd_kafka_header_get_all(h, n, &name, &val, &len) == 0) {
        out[n] = (mm_wire_header){name, val, len};
        n++;
    }
    return n;
}

static const char TP[] = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

static void test_binary_roundtrip_and_publish_span(void **state) {
    (void)state;
    mm_trace_enabled_ = true; /* no exporter: ended spans are dropped */
    mm_trace_ctx parent = {0};
    assert_int_equal(mm_traceparent_parse(TP, strlen(TP), &parent), 0);
    strcpy(parent.state, "rojo=1");
    mm_event ev, back;
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_trace_set(&ev, &parent), 0);
    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    char tp[MM_TRACEPARENT_LEN + 1];
    mm_span *sp = mm_event_trace_publish_start(&ev, "forms", tp);
    assert_non_null(sp);
    assert_int_equal(mm_envelope_encode_ext(&ev, "traceparent", tp, &h, &payload, &len, reason), 0);
    assert_string_equal(sp->name, "publish forms");
    assert_int_equal(sp->kind, MM_SPAN_PRODUCER);
    assert_memory_equal(sp->parent_id, parent.span_id, 8);
    mm_wire_header w[16];
    size_t n = to_wire(h, w, 16);
    mm_event_init(&back);
    assert_int_equal(mm_envelope_decode(w, n, NULL, 0, payload, len, &back, reason), 0);
    mm_trace_ctx got;
    assert_true(mm_event_trace_get(&back, &got));
    assert_memory_equal(got.trace_id, parent.trace_id, 16); /* same trace */
    assert_memory_equal(got.span_id, sp->ctx.span_id, 8);   /* the publish span is the parent */
    assert_string_equal(got.state, "rojo=1");
    int traceparents = 0;
    for (size_t i = 0; i < n; i++) traceparents += strcmp(w[i].name, "ce_traceparent") == 0;
    assert_int_equal(traceparents, 1);
    mm_delivery d = {.status = 0, .partition = 2, .offset = 7};
    mm_event_trace_delivered(sp, &d); /* ends (and drops) it */
    rd_kafka_headers_destroy(h);
    free(payload);
    mm_event_clear(&back);
    mm_event_clear(&ev);
    mm_trace_enabled_ = false;
}

static void test_untraced_event_has_no_span(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_event ev;
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_trace_set(&ev, NULL), 0); /* no context: nothing set */
    assert_int_equal(ev.ext_count, 0);
    char tp[MM_TRACEPARENT_LEN + 1] = "untouched";
    assert_null(mm_event_trace_publish_start(&ev, "forms", tp));
    /* an invalid traceparent (another producer's bug) is not a trace */
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", "00-abc-def-01"), 0);
    mm_trace_ctx got;
    assert_false(mm_event_trace_get(&ev, &got));
    assert_null(mm_event_trace_publish_start(&ev, "forms", tp));
    assert_string_equal(tp, "untouched");
    mm_event_clear(&ev);
    mm_trace_enabled_ = false;
}

static void test_structured_mode(void **state) {
    (void)state;
    char value[512];
    snprintf(value, sizeof value,
             "{\"specversion\":\"1.0\",\"id\":\"e1\",\"source\":\"/other\",\"type\":"
             "\"CreateFormEvent\",\"traceparent\":\"%s\",\"tracestate\":\"a=b, bad\","
             "\"data\":{}}",
             TP);
    mm_wire_header w[] = {{"content-type", "application/cloudevents+json", 28}};
    mm_event ev;
    mm_event_init(&ev);
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_decode(w, 1, NULL, 0, value, strlen(value), &ev, reason), 0);
    mm_trace_ctx got;
    assert_true(mm_event_trace_get(&ev, &got));
    assert_int_equal(got.span_id[7], 0xb7);
    assert_string_equal(got.state, ""); /* the invalid tracestate is dropped alone */
    mm_event_clear(&ev);
}

/* mm_event_set_ext keeps an extension's name and value in one allocation:
 * replacing the value, copying the event and clearing it free each block
 * once (ASan checks), and mm_envelope_encode_ext writes its override value
 * for that extension alone. */
static void test_ext_storage_and_override(void **state) {
    (void)state;
    mm_event ev, copy;
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", "00-abc-def-01"), 0);
    assert_int_equal(mm_event_set_ext(&ev, "subject", "s1"), 0);
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", TP), 0); /* replaced */
    assert_int_equal(ev.ext_count, 2);
    assert_string_equal(ev.ext[0].value, TP);
    assert_int_equal(mm_event_copy(&copy, &ev), 0);
    assert_string_equal(copy.ext[1].name, "subject");
    assert_string_equal(copy.ext[1].value, "s1");
    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    static const char other[] = "00-11111111111111111111111111111111-2222222222222222-01";
    assert_int_equal(mm_envelope_encode_ext(&ev, "traceparent", other, &h, &payload, &len, reason),
                     0);
    const void *v;
    size_t n;
    assert_int_equal(rd_kafka_header_get_last(h, "ce_traceparent", &v, &n), 0);
    assert_int_equal(n, strlen(other));
    assert_memory_equal(v, other, n);
    assert_int_equal(rd_kafka_header_get_last(h, "ce_subject", &v, &n), 0);
    assert_memory_equal(v, "s1", 2);
    rd_kafka_headers_destroy(h);
    free(payload);
    /* without an override the event's own value is written */
    assert_int_equal(mm_envelope_encode(&copy, &h, &payload, &len, reason), 0);
    assert_int_equal(rd_kafka_header_get_last(h, "ce_traceparent", &v, &n), 0);
    assert_memory_equal(v, TP, n);
    rd_kafka_headers_destroy(h);
    free(payload);
    mm_event_clear(&copy);
    mm_event_clear(&ev);
}

/* A context set by this process is kept as bytes (ev->trace): encoded as
 * ce_traceparent and ce_tracestate once each, in place of an extension of
 * the same name the event had; read back without its text; copied with
 * the event; visible through mm_event_attribute. */
static void test_own_context(void **state) {
    (void)state;
    mm_trace_ctx ctx = {0}, got;
    assert_int_equal(mm_traceparent_parse(TP, strlen(TP), &ctx), 0);
    strcpy(ctx.state, "rojo=1,congo=2");
    mm_event ev, copy;
    assert_int_equal(mm_event_create(&ev, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_set_ext(&ev, "traceparent", "00-abc-def-01"), 0); /* replaced */
    assert_int_equal(mm_event_set_ext(&ev, "subject", "s1"), 0);
    assert_int_equal(mm_event_trace_set(&ev, &ctx), 0);
    assert_true(mm_event_trace_get(&ev, &got));
    assert_memory_equal(got.trace_id, ctx.trace_id, 16);
    assert_memory_equal(got.span_id, ctx.span_id, 8);
    assert_int_equal(got.flags, ctx.flags);
    assert_string_equal(got.state, "rojo=1,congo=2");
    assert_string_equal(mm_event_attribute(&ev, "traceparent"), TP);
    assert_string_equal(mm_event_attribute(&ev, "tracestate"), "rojo=1,congo=2");
    assert_int_equal(mm_event_copy(&copy, &ev), 0);
    rd_kafka_headers_t *h;
    char *payload;
    size_t len;
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_encode(&copy, &h, &payload, &len, reason), 0);
    mm_wire_header w[16];
    size_t n = to_wire(h, w, 16);
    int tps = 0, tss = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(w[i].name, "ce_traceparent") == 0) {
            tps++;
            assert_int_equal(w[i].value_len, strlen(TP));
            assert_memory_equal(w[i].value, TP, w[i].value_len);
        }
        tss += strcmp(w[i].name, "ce_tracestate") == 0;
    }
    assert_int_equal(tps, 1);
    assert_int_equal(tss, 1);
    mm_event back;
    mm_event_init(&back);
    assert_int_equal(mm_envelope_decode(w, n, NULL, 0, payload, len, &back, reason), 0);
    assert_false(back.trace.set); /* from the wire: text in ext */
    assert_true(mm_event_trace_get(&back, &got));
    assert_memory_equal(got.span_id, ctx.span_id, 8);
    assert_string_equal(got.state, "rojo=1,congo=2");
    assert_string_equal(mm_event_attribute(&back, "subject"), "s1");
    rd_kafka_headers_destroy(h);
    free(payload);
    mm_event_clear(&back);
    mm_event_clear(&copy);
    mm_event_clear(&ev);
}

/* Two events this process traced: each one's traceparent attribute is its
 * own and stays valid while the event lives (the public header promises
 * "valid during the call"; a per-thread buffer shared by every event once
 * made the first answer change at the second call). */
static void test_own_context_attribute_lives_with_event(void **state) {
    (void)state;
    static const char TP2[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    mm_trace_ctx c1 = {0}, c2 = {0};
    assert_int_equal(mm_traceparent_parse(TP, strlen(TP), &c1), 0);
    assert_int_equal(mm_traceparent_parse(TP2, strlen(TP2), &c2), 0);
    mm_event a, b;
    assert_int_equal(mm_event_create(&a, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_create(&b, "forms", "CreateFormEvent", NULL), 0);
    assert_int_equal(mm_event_trace_set(&a, &c1), 0);
    assert_int_equal(mm_event_trace_set(&b, &c2), 0);
    const char *ta = mm_event_attribute(&a, "traceparent");
    const char *tb = mm_event_attribute(&b, "traceparent");
    assert_string_equal(ta, TP);
    assert_string_equal(tb, TP2);
    assert_ptr_not_equal(ta, tb);
    /* set again: the attribute follows */
    assert_int_equal(mm_event_trace_set(&a, &c2), 0);
    assert_string_equal(mm_event_attribute(&a, "traceparent"), TP2);
    mm_event_clear(&a);
    mm_event_clear(&b);
}

/* A binary-mode decode keeps the extensions and their array in the event's
 * one block: adding and replacing extensions afterwards moves them out
 * without freeing inside the block (ASan checks), and clearing frees it
 * once. */
static void test_decoded_ext_block(void **state) {
    (void)state;
    static const char v[] = "{}";
    mm_wire_header w[] = {
        {"ce_specversion", "1.0", 3},       {"ce_id", "e1", 2},         {"ce_source", "/s", 2},
        {"ce_type", "CreateFormEvent", 15}, {"ce_traceparent", TP, 55}, {"ce_subject", "s1", 2},
    };
    mm_event ev;
    mm_event_init(&ev);
    char reason[MM_ENVELOPE_REASON_MAX];
    assert_int_equal(mm_envelope_decode(w, 6, NULL, 0, v, 2, &ev, reason), 0);
    assert_int_equal(ev.ext_count, 2);
    mm_trace_ctx got;
    assert_true(mm_event_trace_get(&ev, &got));
    assert_int_equal(mm_event_set_ext(&ev, "subject", "s2"), 0);     /* replaced */
    assert_int_equal(mm_event_set_ext(&ev, "partitionkey", "k"), 0); /* array grows */
    assert_int_equal(ev.ext_count, 3);
    assert_string_equal(mm_event_attribute(&ev, "traceparent"), TP);
    assert_string_equal(mm_event_attribute(&ev, "subject"), "s2");
    assert_string_equal(mm_event_attribute(&ev, "partitionkey"), "k");
    mm_event_clear(&ev);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binary_roundtrip_and_publish_span),
        cmocka_unit_test(test_untraced_event_has_no_span),
        cmocka_unit_test(test_structured_mode),
        cmocka_unit_test(test_ext_storage_and_override),
        cmocka_unit_test(test_own_context),
        cmocka_unit_test(test_own_context_attribute_lives_with_event),
        cmocka_unit_test(test_decoded_ext_block),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
