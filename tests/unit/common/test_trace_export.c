/* test_trace_export.c -- spans and the OTLP exporter: the OTLP/JSON and
 * protobuf encodings (ids, parent links, kinds, attributes, status), the POST to a
 * collector (a fake one on a loopback socket here), and the bounded queue:
 * with a collector that never answers, ending spans never blocks, the spans
 * that do not fit are dropped and counted, and shutdown is bounded by the
 * deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/trace.h"
#include "common/trace_export.h"
#include "mm_test.h"
#include "common/trace_otlp_pb.h"

static const mm_trace_ctx *sampled_parent(void) {
    static mm_trace_ctx p;
    memset(&p, 0, sizeof p);
    p.valid = true;
    p.flags = MM_TRACE_FLAG_SAMPLED;
    mm_trace_random(p.trace_id, 16);
    mm_trace_random(p.span_id, 8);
    strcpy(p.state, "rojo=1");
    return &p;
}

static void test_encode(void **state) {
    (void)state;
    mm_trace_enabled_ = true; /* spans without an exporter: encoded by hand below */
    const mm_trace_ctx *parent = sampled_parent();
    mm_span *server = mm_span_start("POST /graphql", MM_SPAN_SERVER, parent);
    assert_non_null(server);
    mm_span_attr_str(server, "http.request.method", "POST");
    mm_span_attr_str(server, "url.path", "/gra\"phql\n");
    mm_span_attr_int(server, "http.response.status_code", 200);
    mm_span *child = mm_span_start("publish forms", MM_SPAN_PRODUCER, &server->ctx);
    mm_span_set_error(child, "broker away");
    server->end_ns = server->start_ns + 5;
    child->end_ns = child->start_ns + 1;
    assert_memory_equal(child->ctx.trace_id, parent->trace_id, 16);
    assert_memory_equal(child->parent_id, server->ctx.span_id, 8);
    mm_span *spans[2] = {server, child};
    size_t len;
    char *text = mm_otlp_encode(spans, 2, "svc", &len);
    assert_non_null(text);
    json_error_t e;
    json_t *doc = json_loadb(text, len, 0, &e);
    assert_non_null(doc);
    json_t *rs = json_array_get(json_object_get(doc, "resourceSpans"), 0);
    json_t *attr0 =
        json_array_get(json_object_get(json_object_get(rs, "resource"), "attributes"), 0);
    assert_string_equal(json_string_value(json_object_get(attr0, "key")), "service.name");
    json_t *list = json_object_get(json_array_get(json_object_get(rs, "scopeSpans"), 0), "spans");
    assert_int_equal(json_array_size(list), 2);
    json_t *s0 = json_array_get(list, 0), *s1 = json_array_get(list, 1);
    char tid[33], sid[17], pid[17];
    mm_trace_hex(parent->trace_id, 16, tid);
    mm_trace_hex(server->ctx.span_id, 8, sid);
    mm_trace_hex(parent->span_id, 8, pid);
    assert_string_equal(json_string_value(json_object_get(s0, "traceId")), tid);
    assert_string_equal(json_string_value(json_object_get(s0, "spanId")), sid);
    assert_string_equal(json_string_value(json_object_get(s0, "parentSpanId")), pid);
    assert_string_equal(json_string_value(json_object_get(s0, "traceState")), "rojo=1");
    assert_string_equal(json_string_value(json_object_get(s0, "name")), "POST /graphql");
    assert_int_equal(json_integer_value(json_object_get(s0, "kind")), MM_SPAN_SERVER);
    assert_null(json_object_get(s0, "status"));
    json_t *attrs = json_object_get(s0, "attributes");
    assert_int_equal(json_array_size(attrs), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 1), "value"), "stringValue")),
                        "/gra\"phql\n");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 2), "value"), "intValue")),
                        "200");
    assert_string_equal(json_string_value(json_object_get(s1, "parentSpanId")), sid);
    assert_int_equal(json_integer_value(json_object_get(s1, "kind")), MM_SPAN_PRODUCER);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s1, "status"), "code")), 2);
    char start[32];
    snprintf(start, sizeof start, "%llu", (unsigned long long)server->start_ns);
    assert_string_equal(json_string_value(json_object_get(s0, "startTimeUnixNano")), start);
    json_decref(doc);
    free(text);
    mm_span_free(server);
    mm_span_free(child);
    mm_trace_enabled_ = false;
}

/* Attributes live in a fixed buffer: a long value is cut to 1024 bytes (on
 * a UTF-8 boundary), an attribute that does not fit is left out whole, and
 * the span still encodes to valid JSON. */
static void test_attr_bounds(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *sp = mm_span_start("s", MM_SPAN_INTERNAL, sampled_parent());
    char big[2001];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big + 1023, "\xc3\xa9", 2); /* an e-acute across the cut */
    mm_span_attr_str(sp, "long", big);
    for (int i = 0; i < 100; i++) mm_span_attr_int(sp, "n", -i);
    assert_true(sp->attrs_len <= MM_SPAN_ATTRS_MAX);
    sp->end_ns = sp->start_ns;
    size_t len;
    char *text = mm_otlp_encode(&sp, 1, "svc", &len);
    json_t *doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    json_t *attrs = json_object_get(
        json_array_get(
            json_object_get(
                json_array_get(
                    json_object_get(json_array_get(json_object_get(doc, "resourceSpans"), 0),
                                    "scopeSpans"),
                    0),
                "spans"),
            0),
        "attributes");
    const char *v = json_string_value(
        json_object_get(json_object_get(json_array_get(attrs, 0), "value"), "stringValue"));
    assert_int_equal(strlen(v), 1023); /* cut before the split character */
    size_t n = json_array_size(attrs);
    assert_true(n > 1 && n < 101);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 2), "value"), "intValue")),
                        "-1");
    json_decref(doc);
    free(text);
    mm_span_free(sp);
    mm_trace_enabled_ = false;
}

/* ---- a fake collector: reads one request, answers 200, keeps the body ---- */

typedef struct collector {
    int fd;
    char *body; /* binary: body_len bytes */
    size_t body_len;
    char request_line[128];
    char content_type[64];
} collector;

static void *collect_one(void *arg) {
    collector *c = arg;
    int s = accept(c->fd, NULL, NULL);
    if (s < 0) return NULL;
    size_t cap = 1 << 20, got = 0;
    char *buf = malloc(cap);
    size_t want = 0;
    for (;;) {
        ssize_t r = recv(s, buf + got, cap - got - 1, 0);
        if (r <= 0) break;
        got += (size_t)r;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end && !want) {
            const char *cl = strstr(buf, "Content-Length: ");
            want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        }
        if (want && got >= want) break;
    }
    const char *eol = strstr(buf, "\r\n");
    snprintf(c->request_line, sizeof c->request_line, "%.*s", eol ? (int)(eol - buf) : 0, buf);
    const char *ct = strstr(buf, "Content-Type: ");
    snprintf(c->content_type, sizeof c->content_type, "%.*s", ct ? (int)strcspn(ct + 14, "\r") : 0,
             ct ? ct + 14 : "");
    const char *end = strstr(buf, "\r\n\r\n");
    size_t head = end ? (size_t)(end + 4 - buf) : got;
    c->body_len = got - head;
    c->body = malloc(c->body_len + 1);
    memcpy(c->body, buf + head, c->body_len);
    free(buf);
    const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    send(s, ok, sizeof ok - 1, MSG_NOSIGNAL);
    close(s);
    return NULL;
}

/* ---- a minimal protobuf reader, to check what the exporter sends ---------- */

static uint64_t pb_varint(const uint8_t **p, const uint8_t *end) {
    uint64_t v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t c = *(*p)++;
        v |= (uint64_t)(c & 0x7f) << shift;
        if (c < 0x80) break;
    }
    return v;
}

/* The idx-th occurrence of field f in message [b, b+n): its bytes (a
 * length-delimited field) or its value (varint: *val; fixed64: *val).
 * Returns how many occurrences there are when idx is SIZE_MAX. */
static size_t pb_find(const uint8_t *b, size_t n, unsigned f, size_t idx, const uint8_t **out,
                      size_t *out_len, uint64_t *val) {
    const uint8_t *p = b, *end = b + n;
    size_t seen = 0;
    while (p < end) {
        uint64_t tag = pb_varint(&p, end);
        const uint8_t *data = p;
        size_t len = 0;
        uint64_t v = 0;
        switch (tag & 7) {
        case 0: v = pb_varint(&p, end); break;
        case 1:
            assert_true(end - p >= 8);
            for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
            p += 8;
            break;
        case 2:
            len = (size_t)pb_varint(&p, end);
            assert_true((size_t)(end - p) >= len);
            data = p;
            p += len;
            break;
        default: fail_msg("wire type %u", (unsigned)(tag & 7));
        }
        if ((tag >> 3) != f) continue;
        if (seen++ == idx) {
            if (out) *out = data;
            if (out_len) *out_len = len;
            if (val) *val = v;
            return 1;
        }
    }
    assert_true(p == end);
    return idx == SIZE_MAX ? seen : 0;
}

/* The spans list of an ExportTraceServiceRequest (its one resource and
 * scope). */
static void pb_spans(const uint8_t *b, size_t n, const uint8_t **ss, size_t *ss_len) {
    const uint8_t *rs;
    size_t rs_len;
    assert_int_equal(pb_find(b, n, 1, 0, &rs, &rs_len, NULL), 1);
    assert_int_equal(pb_find(rs, rs_len, 2, 0, ss, ss_len, NULL), 1);
}

/* Attribute idx of the ExportTraceServiceRequest's span si: key and
 * string value (int_value when s is NULL). */
static void check_pb_attr(const uint8_t *pb, size_t len, size_t si, size_t idx, const char *key,
                          const char *s, int64_t i) {
    const uint8_t *ss, *sp, *kv, *any, *v;
    size_t ss_len, sp_len, kv_len, any_len, v_len;
    uint64_t num;
    pb_spans(pb, len, &ss, &ss_len);
    assert_int_equal(pb_find(ss, ss_len, 2, si, &sp, &sp_len, NULL), 1);
    assert_int_equal(pb_find(sp, sp_len, 9, idx, &kv, &kv_len, NULL), 1);
    assert_int_equal(pb_find(kv, kv_len, 1, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, strlen(key));
    assert_memory_equal(v, key, v_len);
    assert_int_equal(pb_find(kv, kv_len, 2, 0, &any, &any_len, NULL), 1);
    if (s) {
        assert_int_equal(pb_find(any, any_len, 1, 0, &v, &v_len, NULL), 1);
        assert_int_equal(v_len, strlen(s));
        assert_memory_equal(v, s, v_len);
    } else {
        assert_int_equal(pb_find(any, any_len, 3, 0, NULL, NULL, &num), 1);
        assert_true((int64_t)num == i);
    }
}

/* The encoder copies an attribute's bytes from the previous span's when
 * the record is the same (same key, same value): a different value of the
 * same length, a different key with the same value, more or fewer
 * attributes than the previous span are each encoded for themselves. */
static void test_encode_pb_memo(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *sp[5];
    for (int k = 0; k < 5; k++) sp[k] = mm_span_start("s", MM_SPAN_SERVER, sampled_parent());
    mm_span_attr_str(sp[0], "url.path", "/graphql");
    mm_span_attr_const(sp[0], "url.scheme", "http");
    mm_span_attr_int(sp[0], "http.response.status_code", 200);
    mm_span_attr_str(sp[1], "url.path", "/graphql");                              /* same */
    mm_span_attr_const(sp[1], "url.scheme", "http");                              /* same */
    mm_span_attr_int(sp[1], "http.response.status_code", 500);                    /* other value */
    mm_span_attr_str(sp[1], "user_agent.original", "ua/1.0 with a longer value"); /* extra */
    mm_span_attr_str(sp[2], "url.path", "/graphqX"); /* same length, other bytes */
    mm_span_attr_const(sp[2], "url.scheme", "http");
    mm_span_attr_str(sp[3], "http.route", "/graphqX"); /* other key, same value */
    mm_span_attr_const(sp[3], "url.scheme", "http");
    mm_span_attr_int(sp[3], "http.response.status_code", 500);
    mm_span_attr_str(sp[3], "user_agent.original", "ua/1.0 with a longer value");
    mm_span_attr_str(sp[4], "http.route", "/graphqX"); /* all the same as sp[3] */
    mm_span_attr_const(sp[4], "url.scheme", "http");
    mm_span_attr_int(sp[4], "http.response.status_code", 500);
    mm_span_attr_str(sp[4], "user_agent.original", "ua/1.0 with a longer value");
    for (int k = 0; k < 5; k++) sp[k]->end_ns = sp[k]->start_ns + 1;
    size_t len;
    uint8_t *pb = mm_otlp_encode_pb(sp, 5, "svc", &len);
    assert_non_null(pb);
    check_pb_attr(pb, len, 0, 0, "url.path", "/graphql", 0);
    check_pb_attr(pb, len, 0, 2, "http.response.status_code", NULL, 200);
    check_pb_attr(pb, len, 1, 0, "url.path", "/graphql", 0);
    check_pb_attr(pb, len, 1, 1, "url.scheme", "http", 0);
    check_pb_attr(pb, len, 1, 2, "http.response.status_code", NULL, 500);
    check_pb_attr(pb, len, 1, 3, "user_agent.original", "ua/1.0 with a longer value", 0);
    check_pb_attr(pb, len, 2, 0, "url.path", "/graphqX", 0);
    check_pb_attr(pb, len, 2, 1, "url.scheme", "http", 0);
    check_pb_attr(pb, len, 3, 0, "http.route", "/graphqX", 0);
    check_pb_attr(pb, len, 3, 1, "url.scheme", "http", 0);
    check_pb_attr(pb, len, 3, 2, "http.response.status_code", NULL, 500);
    check_pb_attr(pb, len, 3, 3, "user_agent.original", "ua/1.0 with a longer value", 0);
    for (size_t i = 0; i < 4; i++) {
        const uint8_t *ss, *s3, *s4, *a3, *a4;
        size_t ss_len, s3_len, s4_len, a3_len, a4_len;
        pb_spans(pb, len, &ss, &ss_len);
        assert_int_equal(pb_find(ss, ss_len, 2, 3, &s3, &s3_len, NULL), 1);
        assert_int_equal(pb_find(ss, ss_len, 2, 4, &s4, &s4_len, NULL), 1);
        assert_int_equal(pb_find(s3, s3_len, 9, i, &a3, &a3_len, NULL), 1);
        assert_int_equal(pb_find(s4, s4_len, 9, i, &a4, &a4_len, NULL), 1);
        assert_int_equal(a3_len, a4_len);
        assert_memory_equal(a3, a4, a3_len);
    }
    free(pb);
    for (int k = 0; k < 5; k++) mm_span_free(sp[k]);
    mm_trace_enabled_ = false;
}

/* A batch interleaving kinds (a synchronous mutation's server and publish
 * spans): each span's attributes are memoised against the last span of its
 * kind, and every one still decodes as written. Also mm_span_start_named
 * and mm_span_attr_dec. */
static void test_encode_pb_memo_kinds(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *sp[6];
    for (int k = 0; k < 6; k++) {
        bool server = k % 2 == 0;
        sp[k] = server
                    ? mm_span_start("POST /graphql", MM_SPAN_SERVER, sampled_parent())
                    : mm_span_start_named("publish ", "orders", MM_SPAN_PRODUCER, sampled_parent());
        assert_non_null(sp[k]);
        if (server) {
            mm_span_attr_const(sp[k], "url.scheme", "http");
            mm_span_attr_int(sp[k], "http.response.status_code", k == 4 ? 500 : 200);
        } else {
            mm_span_attr_const(sp[k], "messaging.system", "kafka");
            mm_span_attr_str(sp[k], "messaging.destination.name", "orders");
            mm_span_attr_dec(sp[k], "messaging.destination.partition.id", k == 5 ? -12 : k);
        }
        sp[k]->end_ns = sp[k]->start_ns + 1;
    }
    assert_string_equal(sp[1]->name, "publish orders");
    assert_int_equal(sp[1]->name_len, 14);
    size_t len;
    uint8_t *pb = mm_otlp_encode_pb(sp, 6, "svc", &len);
    assert_non_null(pb);
    for (size_t k = 0; k < 6; k++) {
        if (k % 2 == 0) {
            check_pb_attr(pb, len, k, 0, "url.scheme", "http", 0);
            check_pb_attr(pb, len, k, 1, "http.response.status_code", NULL, k == 4 ? 500 : 200);
        } else {
            char part[8];
            snprintf(part, sizeof part, "%d", k == 5 ? -12 : (int)k);
            check_pb_attr(pb, len, k, 0, "messaging.system", "kafka", 0);
            check_pb_attr(pb, len, k, 1, "messaging.destination.name", "orders", 0);
            check_pb_attr(pb, len, k, 2, "messaging.destination.partition.id", part, 0);
        }
    }
    free(pb);
    /* a name cut to fit */
    char topic[300];
    memset(topic, 't', sizeof topic - 1);
    topic[sizeof topic - 1] = '\0';
    mm_span *cut = mm_span_start_named("process ", topic, MM_SPAN_CONSUMER, NULL);
    assert_non_null(cut);
    assert_int_equal(cut->name_len, MM_SPAN_NAME_MAX - 1);
    assert_int_equal(strlen(cut->name), MM_SPAN_NAME_MAX - 1);
    assert_memory_equal(cut->name, "process ttt", 11);
    mm_span_free(cut);
    for (int k = 0; k < 6; k++) mm_span_free(sp[k]);
    mm_trace_enabled_ = false;
}

/* The protobuf encoding: ids raw, times fixed64, attributes, status. */
static void test_encode_pb(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *server = mm_span_start("POST /graphql", MM_SPAN_SERVER, sampled_parent());
    mm_span_attr_str(server, "url.path", "/gra\"phql\n");
    mm_span_attr_const(server, "url.scheme", "http");
    mm_span_attr_int(server, "http.response.status_code", -5);
    mm_span_set_error(server, "boom");
    mm_span *child = mm_span_start("publish forms", MM_SPAN_PRODUCER, &server->ctx);
    server->end_ns = server->start_ns + 1234;
    child->end_ns = child->start_ns;
    mm_span *spans[2] = {server, child};
    size_t len;
    uint8_t *pb = mm_otlp_encode_pb(spans, 2, "svc", &len);
    assert_non_null(pb);
    const uint8_t *ss, *sp, *v, *kv, *any;
    size_t ss_len, sp_len, v_len, kv_len, any_len;
    uint64_t num;
    pb_spans(pb, len, &ss, &ss_len);
    assert_int_equal(pb_find(ss, ss_len, 2, SIZE_MAX, NULL, NULL, NULL), 2);
    assert_int_equal(pb_find(ss, ss_len, 2, 0, &sp, &sp_len, NULL), 1);
    assert_int_equal(pb_find(sp, sp_len, 1, 0, &v, &v_len, NULL), 1); /* trace_id */
    assert_int_equal(v_len, 16);
    assert_memory_equal(v, server->ctx.trace_id, 16);
    assert_int_equal(pb_find(sp, sp_len, 4, 0, &v, &v_len, NULL), 1); /* parent_span_id */
    assert_memory_equal(v, server->parent_id, 8);
    assert_int_equal(pb_find(sp, sp_len, 3, 0, &v, &v_len, NULL), 1); /* trace_state */
    assert_int_equal(v_len, 6);
    assert_memory_equal(v, "rojo=1", 6);
    assert_int_equal(pb_find(sp, sp_len, 5, 0, &v, &v_len, NULL), 1); /* name */
    assert_int_equal(v_len, 13);
    assert_memory_equal(v, "POST /graphql", 13);
    assert_int_equal(pb_find(sp, sp_len, 6, 0, NULL, NULL, &num), 1);
    assert_int_equal(num, MM_SPAN_SERVER);
    assert_int_equal(pb_find(sp, sp_len, 7, 0, NULL, NULL, &num), 1);
    assert_true(num == server->start_ns);
    assert_int_equal(pb_find(sp, sp_len, 8, 0, NULL, NULL, &num), 1);
    assert_true(num == server->start_ns + 1234);
    assert_int_equal(pb_find(sp, sp_len, 9, SIZE_MAX, NULL, NULL, NULL), 3);
    /* attribute 0: the raw value (no escaping in protobuf) */
    assert_int_equal(pb_find(sp, sp_len, 9, 0, &kv, &kv_len, NULL), 1);
    assert_int_equal(pb_find(kv, kv_len, 1, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, 8);
    assert_memory_equal(v, "url.path", 8);
    assert_int_equal(pb_find(kv, kv_len, 2, 0, &any, &any_len, NULL), 1);
    assert_int_equal(pb_find(any, any_len, 1, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, 10);
    assert_memory_equal(v, "/gra\"phql\n", 10);
    /* attribute 1: a literal */
    assert_int_equal(pb_find(sp, sp_len, 9, 1, &kv, &kv_len, NULL), 1);
    assert_int_equal(pb_find(kv, kv_len, 2, 0, &any, &any_len, NULL), 1);
    assert_int_equal(pb_find(any, any_len, 1, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, 4);
    assert_memory_equal(v, "http", 4);
    /* attribute 2: int64 as a varint (two's complement) */
    assert_int_equal(pb_find(sp, sp_len, 9, 2, &kv, &kv_len, NULL), 1);
    assert_int_equal(pb_find(kv, kv_len, 2, 0, &any, &any_len, NULL), 1);
    assert_int_equal(pb_find(any, any_len, 3, 0, NULL, NULL, &num), 1);
    assert_true((int64_t)num == -5);
    /* status: code ERROR (2) and the message */
    assert_int_equal(pb_find(sp, sp_len, 15, 0, &v, &v_len, NULL), 1);
    assert_int_equal(pb_find(v, v_len, 3, 0, NULL, NULL, &num), 1);
    assert_int_equal(num, 2);
    /* the child: its parent is the server span, no status */
    assert_int_equal(pb_find(ss, ss_len, 2, 1, &sp, &sp_len, NULL), 1);
    assert_int_equal(pb_find(sp, sp_len, 4, 0, &v, &v_len, NULL), 1);
    assert_memory_equal(v, server->ctx.span_id, 8);
    assert_int_equal(pb_find(sp, sp_len, 15, 0, NULL, NULL, NULL), 0);
    free(pb);
    mm_span_free(server);
    mm_span_free(child);
    mm_trace_enabled_ = false;
}

/* Links (subscription deliveries link to the operations they served):
 * at most MM_SPAN_LINKS_MAX kept, encoded as OTLP Span.links in protobuf
 * (field 13: trace id, span id) and JSON ("links"), freed with the span;
 * an unsampled span or an invalid context keeps none. */
static void test_links(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *sp = mm_span_start("process t", MM_SPAN_CONSUMER, sampled_parent());
    assert_non_null(sp);
    mm_trace_ctx to[MM_SPAN_LINKS_MAX + 2];
    for (int i = 0; i < MM_SPAN_LINKS_MAX + 2; i++) {
        memset(&to[i], 0, sizeof to[i]);
        to[i].valid = true;
        mm_trace_random(to[i].trace_id, 16);
        mm_trace_random(to[i].span_id, 8);
        mm_span_add_link(sp, &to[i]);
    }
    mm_trace_ctx invalid = {0};
    mm_span_add_link(sp, &invalid);
    assert_int_equal(sp->link_count, MM_SPAN_LINKS_MAX);
    mm_span_set_error(sp, "x");
    sp->end_ns = sp->start_ns + 1;
    size_t start, len;
    mm_span *one[1] = {sp};
    unsigned char *pb = mm_otlp_encode_pb_at(one, 1, "svc", &start, &len);
    assert_non_null(pb);
    const uint8_t *ss, *span, *link, *v;
    size_t ss_len, span_len, link_len, v_len;
    pb_spans(pb + start, len, &ss, &ss_len);
    assert_int_equal(pb_find(ss, ss_len, 2, 0, &span, &span_len, NULL), 1);
    assert_int_equal(pb_find(span, span_len, 13, SIZE_MAX, NULL, NULL, NULL), MM_SPAN_LINKS_MAX);
    assert_int_equal(pb_find(span, span_len, 13, 3, &link, &link_len, NULL), 1);
    assert_int_equal(pb_find(link, link_len, 1, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, 16);
    assert_memory_equal(v, to[3].trace_id, 16);
    assert_int_equal(pb_find(link, link_len, 2, 0, &v, &v_len, NULL), 1);
    assert_int_equal(v_len, 8);
    assert_memory_equal(v, to[3].span_id, 8);
    free(pb);
    char *text = mm_otlp_encode(one, 1, "svc", &len);
    assert_non_null(text);
    json_error_t e;
    json_t *doc = json_loadb(text, len, 0, &e);
    assert_non_null(doc);
    json_t *rs = json_array_get(json_object_get(doc, "resourceSpans"), 0);
    json_t *s0 = json_array_get(
        json_object_get(json_array_get(json_object_get(rs, "scopeSpans"), 0), "spans"), 0);
    json_t *links = json_object_get(s0, "links");
    assert_int_equal(json_array_size(links), MM_SPAN_LINKS_MAX);
    char sid[17];
    mm_trace_hex(to[7].span_id, 8, sid);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 7), "spanId")),
                        sid);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s0, "status"), "code")), 2);
    json_decref(doc);
    free(text);
    mm_span_free(sp); /* its links and status message with it (ASan: no leak) */
    /* unsampled: none kept */
    mm_trace_ctx unsampled = to[0];
    unsampled.flags = 0;
    mm_span *u = mm_span_start("u", MM_SPAN_INTERNAL, &unsampled);
    mm_span_add_link(u, &to[1]);
    assert_int_equal(u->link_count, 0);
    assert_null(u->links);
    mm_span_free(u);
    mm_trace_enabled_ = false;
}

static void test_export_posts(void **state) {
    (void)state;
    int port;
    collector c = {.fd = mm_test_listen_loopback(&port)};
    pthread_t th;
    pthread_create(&th, NULL, collect_one, &c);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 1 << 20,
                           .timeout_ms = 2000,
                           .interval_ms = 50,
                           .service_name = "unit"};
    char err[256];
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_true(mm_trace_enabled());
    mm_span *root = mm_span_start("root", MM_SPAN_INTERNAL, NULL); /* ratio 1: sampled */
    assert_non_null(root);
    assert_false(root->has_parent);
    mm_span *kid = mm_span_start("kid", MM_SPAN_CLIENT, &root->ctx);
    mm_span_end(kid);
    mm_span_end(root);
    pthread_join(th, NULL); /* the batch arrives within the interval */
    mm_trace_shutdown();
    assert_false(mm_trace_enabled());
    mm_trace_stats st;
    mm_trace_get_stats(&st);
    assert_int_equal(st.exported, 2);
    assert_string_equal(c.request_line, "POST /v1/traces HTTP/1.1");
    assert_string_equal(c.content_type, "application/x-protobuf");
    const uint8_t *ss;
    size_t ss_len;
    pb_spans((const uint8_t *)c.body, c.body_len, &ss, &ss_len);
    assert_int_equal(pb_find(ss, ss_len, 2, SIZE_MAX, NULL, NULL, NULL), 2);
    free(c.body);
    close(c.fd);
}

/* A collector answering every POST 200 until told to stop; counts the
 * spans it received. */
typedef struct many_collector {
    int fd;
    atomic_bool stop;
    size_t spans, posts;
} many_collector;

static void *collect_many(void *arg) {
    many_collector *m = arg;
    while (!atomic_load(&m->stop)) {
        struct pollfd p = {.fd = m->fd, .events = POLLIN};
        if (poll(&p, 1, 50) <= 0) continue;
        collector c = {.fd = m->fd};
        collect_one(&c);
        if (c.body) {
            const uint8_t *ss;
            size_t ss_len;
            pb_spans((const uint8_t *)c.body, c.body_len, &ss, &ss_len);
            m->spans += pb_find(ss, ss_len, 2, SIZE_MAX, NULL, NULL, NULL);
            m->posts++;
            free(c.body);
        }
    }
    return NULL;
}

enum {
    THREADS = 4,
    PER_THREAD = 3000
};

static void *end_spans(void *arg) {
    (void)arg;
    for (int i = 0; i < PER_THREAD; i++) {
        mm_span *root = mm_span_start("POST /graphql", MM_SPAN_SERVER, NULL);
        assert_non_null(root);
        mm_span_attr_const(root, "url.scheme", "http");
        mm_span_attr_int(root, "i", i);
        mm_span *kid = mm_span_start("publish t", MM_SPAN_PRODUCER, &root->ctx);
        mm_span_end(kid);
        mm_span_end(root);
    }
    return NULL;
}

/* Threads ending spans at once while the exporter takes, sends and
 * recycles them (the queue's spinlock, the span pool): every span is
 * either exported (and arrives) or dropped, none lost or doubled. */
static void test_concurrent_threads(void **state) {
    (void)state;
    int port;
    many_collector m = {.fd = mm_test_listen_loopback(&port)};
    pthread_t ct;
    pthread_create(&ct, NULL, collect_many, &m);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 4u << 20,
                           .timeout_ms = 2000,
                           .interval_ms = 10};
    char err[256];
    mm_trace_stats before;
    mm_trace_get_stats(&before);
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    pthread_t th[THREADS];
    for (int i = 0; i < THREADS; i++) pthread_create(&th[i], NULL, end_spans, NULL);
    for (int i = 0; i < THREADS; i++) pthread_join(th[i], NULL);
    mm_trace_shutdown();
    atomic_store(&m.stop, true);
    pthread_join(ct, NULL);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    uint64_t exported = after.exported - before.exported, dropped = after.dropped - before.dropped;
    print_message("%llu spans exported in %zu POSTs, %llu dropped\n", (unsigned long long)exported,
                  m.posts, (unsigned long long)dropped);
    assert_int_equal(exported + dropped, 2 * THREADS * PER_THREAD);
    assert_int_equal(m.spans, exported);
    assert_true(exported > 0);
    assert_int_equal(after.queued_bytes, 0);
    close(m.fd);
}

static void test_queue_drops_not_blocks(void **state) {
    (void)state;
    /* A collector that accepts connections (the kernel does) but never
     * answers: every POST waits out its deadline. */
    int port;
    int fd = mm_test_listen_loopback(&port);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1/traces", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 8192, /* a handful of spans */
                           .timeout_ms = 300,
                           .interval_ms = 20};
    char err[256];
    mm_trace_stats before;
    mm_trace_get_stats(&before);
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    enum {
        N = 5000
    };
    int64_t t0 = mm_test_now_ms();
    for (int i = 0; i < N; i++) {
        mm_span *sp = mm_span_start("s", MM_SPAN_INTERNAL, NULL);
        assert_non_null(sp);
        mm_span_attr_str(sp, "k", "some value");
        mm_span_end(sp);
    }
    int64_t spent = mm_test_now_ms() - t0;
    /* 5000 spans end in far less than one export deadline: nothing waited */
    assert_true(spent < 250);
    mm_trace_stats mid;
    mm_trace_get_stats(&mid);
    assert_true(mid.dropped - before.dropped > N / 2);
    assert_true(mid.queued_bytes <= 8192);
    t0 = mm_test_now_ms();
    mm_trace_shutdown(); /* at most a POST in flight and one last: bounded */
    assert_true(mm_test_now_ms() - t0 < 2000);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    assert_int_equal(after.exported, before.exported);
    assert_int_equal(after.dropped - before.dropped, N); /* every span is accounted for */
    assert_true(after.failed_posts > before.failed_posts);
    close(fd);
}

/* A full queue and a collector that never answers: shutdown flushes within
 * its export deadline and drops the rest, instead of each of the dozens of
 * queued batches waiting out its own deadline (it took batches x deadline). */
static void test_shutdown_bounded_with_full_queue(void **state) {
    (void)state;
    int port;
    int fd = mm_test_listen_loopback(&port);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1/traces", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 16 * 1024 * 1024,
                           .timeout_ms = 300,
                           .interval_ms = 20};
    char err[256];
    mm_trace_stats before;
    mm_trace_get_stats(&before);
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    enum {
        N = 12 * 512 /* a dozen batches */
    };
    for (int i = 0; i < N; i++) {
        mm_span *sp = mm_span_start("s", MM_SPAN_INTERNAL, NULL);
        assert_non_null(sp);
        mm_span_end(sp);
    }
    int64_t t0 = mm_test_now_ms();
    mm_trace_shutdown();
    int64_t spent = mm_test_now_ms() - t0;
    /* One POST possibly in flight and one more at stop: two deadlines
     * (600 ms) plus slack; without the bound it was about 12 x 300 ms. */
    assert_true(spent < 1500);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    assert_int_equal(after.exported, before.exported);
    assert_int_equal(after.dropped - before.dropped, N); /* every span is accounted for */
    close(fd);
}

static void test_bad_endpoint(void **state) {
    (void)state;
    char err[256];
    mm_trace_config cfg = {.endpoint = "https://collector:4318", .sample_ratio = 1.0};
    assert_int_not_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_non_null(strstr(err, "https"));
    assert_false(mm_trace_enabled());
    cfg.endpoint = "http://127.0.0.1:4318";
    cfg.sample_ratio = 1.5;
    assert_int_not_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    cfg.endpoint = NULL; /* off */
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_false(mm_trace_enabled());
    assert_null(mm_span_start("x", MM_SPAN_INTERNAL, NULL));
}

static void test_sampling_ratio(void **state) {
    (void)state;
    int port;
    int fd = mm_test_listen_loopback(&port);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint, .sample_ratio = 0.25, .timeout_ms = 100};
    char err[256];
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    int sampled = 0;
    for (int i = 0; i < 4000; i++) {
        mm_span *sp = mm_span_start("r", MM_SPAN_INTERNAL, NULL);
        sampled += (sp->ctx.flags & MM_TRACE_FLAG_SAMPLED) != 0;
        mm_span_free(sp);
    }
    assert_true(sampled > 800 && sampled < 1200);
    /* a child follows its parent's decision whatever the ratio */
    mm_span *kid = mm_span_start("k", MM_SPAN_INTERNAL, sampled_parent());
    assert_int_equal(kid->ctx.flags & MM_TRACE_FLAG_SAMPLED, MM_TRACE_FLAG_SAMPLED);
    mm_span_free(kid);
    mm_trace_shutdown();
    close(fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),
        cmocka_unit_test(test_attr_bounds),
        cmocka_unit_test(test_encode_pb),
        cmocka_unit_test(test_encode_pb_memo),
        cmocka_unit_test(test_encode_pb_memo_kinds),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_export_posts),
        cmocka_unit_test(test_concurrent_threads),
        cmocka_unit_test(test_queue_drops_not_blocks),
        cmocka_unit_test(test_shutdown_bounded_with_full_queue),
        cmocka_unit_test(test_bad_endpoint),
        cmocka_unit_test(test_sampling_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
