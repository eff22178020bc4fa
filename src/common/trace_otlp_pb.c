/* trace_otlp_pb.c -- the protobuf encoding of OTLP spans (trace_otlp_pb.h),
 * written by hand from opentelemetry-proto's trace/v1 and common/v1
 * messages: two passes, sizes first (every length prefix is known before
 * its message is written), then the bytes into one exact allocation. */
#include "common/trace_otlp_pb.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Field tags: (field number << 3) | wire type (0 varint, 1 fixed64, 2 bytes). */
enum {
    TAG_REQ_RESOURCE_SPANS = 1 << 3 | 2, /* ExportTraceServiceRequest.resource_spans */
    TAG_RS_RESOURCE = 1 << 3 | 2,        /* ResourceSpans.resource */
    TAG_RS_SCOPE_SPANS = 2 << 3 | 2,     /* ResourceSpans.scope_spans */
    TAG_RES_ATTRIBUTES = 1 << 3 | 2,     /* Resource.attributes */
    TAG_SS_SCOPE = 1 << 3 | 2,           /* ScopeSpans.scope */
    TAG_SS_SPANS = 2 << 3 | 2,           /* ScopeSpans.spans */
    TAG_SCOPE_NAME = 1 << 3 | 2,         /* InstrumentationScope.name */
    TAG_SPAN_TRACE_ID = 1 << 3 | 2,
    TAG_SPAN_SPAN_ID = 2 << 3 | 2,
    TAG_SPAN_TRACE_STATE = 3 << 3 | 2,
    TAG_SPAN_PARENT_ID = 4 << 3 | 2,
    TAG_SPAN_NAME = 5 << 3 | 2,
    TAG_SPAN_KIND = 6 << 3 | 0,
    TAG_SPAN_START = 7 << 3 | 1,
    TAG_SPAN_END = 8 << 3 | 1,
    TAG_SPAN_ATTRIBUTES = 9 << 3 | 2,
    TAG_SPAN_STATUS = 15 << 3 | 2,
    TAG_STATUS_MESSAGE = 2 << 3 | 2,
    TAG_STATUS_CODE = 3 << 3 | 0,
    TAG_KV_KEY = 1 << 3 | 2,
    TAG_KV_VALUE = 2 << 3 | 2,
    TAG_ANY_STRING = 1 << 3 | 2,
    TAG_ANY_INT = 3 << 3 | 0,
};

static inline size_t varint_len(uint64_t v) {
    if (v < 0x80) return 1;
    size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        n++;
    }
    return n;
}

/* A length-delimited field of inner bytes: tag, length, inner. */
static size_t field_len(size_t inner) { return 1 + varint_len(inner) + inner; }

static inline unsigned char *put_varint(unsigned char *p, uint64_t v) {
    if (v < 0x80) {
        *p++ = (unsigned char)v;
        return p;
    }
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

/* memcpy for the short strings of a span (keys, values, ids) without a
 * call: two overlapping fixed-size moves, which compilers inline. */
static inline void copy_small(unsigned char *d, const unsigned char *s, size_t n) {
    if (n >= 8 && n <= 16) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++) d[i] = s[i];
    } else {
        memcpy(d, s, n);
    }
}

static inline unsigned char *put_bytes(unsigned char *p, unsigned tag, const void *s, size_t n) {
    *p++ = (unsigned char)tag;
    p = put_varint(p, n);
    copy_small(p, s, n);
    return p + n;
}

static unsigned char *put_fixed64(unsigned char *p, unsigned tag, uint64_t v) {
    *p++ = (unsigned char)tag;
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i)); /* little-endian */
    return p + 8;
}

/* strlen of the literals attribute records point to (keys, constant
 * values), remembered by address: the exporter thread alone uses it. */
static _Thread_local struct {
    const char *s;
    size_t len;
} lit_cache[64];

static size_t lit_len(const char *s) {
    size_t slot = ((uintptr_t)s >> 3) & 63;
    if (lit_cache[slot].s != s) {
        lit_cache[slot].s = s;
        lit_cache[slot].len = strlen(s);
    }
    return lit_cache[slot].len;
}

/* One attribute: its key and its value, read from a record (trace.h). */
typedef struct attr {
    const char *key, *s;
    size_t key_len, s_len;
    int64_t i;
    bool is_int;
    size_t any, kv; /* AnyValue's and KeyValue's inner sizes */
} attr;

/* Reads the record at p into a; returns the next record. */
static const unsigned char *read_attr(const unsigned char *p, attr *a) {
    memcpy(&a->key, p, sizeof a->key);
    p += sizeof a->key;
    a->key_len = lit_len(a->key);
    unsigned char type = *p++;
    a->is_int = type == MM_SPAN_ATTR_INT;
    if (type == MM_SPAN_ATTR_INT) {
        memcpy(&a->i, p, sizeof a->i);
        return p + sizeof a->i;
    }
    if (type == MM_SPAN_ATTR_CONST) {
        memcpy(&a->s, p, sizeof a->s);
        a->s_len = lit_len(a->s);
        return p + sizeof a->s;
    }
    assert(type == MM_SPAN_ATTR_STR);
    uint16_t n;
    memcpy(&n, p, 2);
    a->s = (const char *)p + 2;
    a->s_len = n;
    return p + 2 + n;
}

/* Sets AnyValue's inner size, then KeyValue's; returns the latter. */
static size_t kv_len(attr *a) {
    a->any = a->is_int ? 1 + varint_len((uint64_t)a->i) : field_len(a->s_len);
    a->kv = field_len(a->key_len) + field_len(a->any);
    return a->kv;
}

static unsigned char *put_kv(unsigned char *p, unsigned tag, const attr *a) {
    *p++ = (unsigned char)tag;
    p = put_varint(p, a->kv);
    p = put_bytes(p, TAG_KV_KEY, a->key, a->key_len);
    *p++ = TAG_KV_VALUE;
    p = put_varint(p, a->any);
    if (a->is_int) {
        *p++ = TAG_ANY_INT;
        return put_varint(p, (uint64_t)a->i);
    }
    return put_bytes(p, TAG_ANY_STRING, a->s, a->s_len);
}

static size_t status_len(size_t msg_len) { return field_len(msg_len) + 2; }

/* Span's inner size. */
/* Most attribute records a span holds (the smallest record is 11 bytes). */
#define SPAN_ATTRS_MAX (MM_SPAN_ATTRS_MAX / 11 + 1)

/* Reads the span's attribute records into as (*na of them, sizes set) and
 * returns the span's inner size: each record is read once per encoding. */
static size_t span_parse(const mm_span *sp, attr *as, size_t *na) {
    size_t n = field_len(16) + field_len(8) + field_len(sp->name_len) + 2 + 9 + 9, k = 0;
    if (sp->ctx.state[0]) n += field_len(strlen(sp->ctx.state));
    if (sp->has_parent) n += field_len(8);
    for (const unsigned char *p = sp->attrs, *end = p + sp->attrs_len; p < end; k++) {
        assert(k < SPAN_ATTRS_MAX);
        p = read_attr(p, &as[k]);
        n += field_len(kv_len(&as[k]));
    }
    if (sp->error) n += field_len(status_len(strlen(sp->status_message)));
    *na = k;
    return n;
}

static unsigned char *put_span(unsigned char *p, const mm_span *sp, size_t len, const attr *as,
                               size_t na) {
    *p++ = TAG_SS_SPANS;
    p = put_varint(p, len);
    p = put_bytes(p, TAG_SPAN_TRACE_ID, sp->ctx.trace_id, 16);
    p = put_bytes(p, TAG_SPAN_SPAN_ID, sp->ctx.span_id, 8);
    if (sp->ctx.state[0])
        p = put_bytes(p, TAG_SPAN_TRACE_STATE, sp->ctx.state, strlen(sp->ctx.state));
    if (sp->has_parent) p = put_bytes(p, TAG_SPAN_PARENT_ID, sp->parent_id, 8);
    p = put_bytes(p, TAG_SPAN_NAME, sp->name, sp->name_len);
    assert(sp->kind >= MM_SPAN_INTERNAL && sp->kind <= MM_SPAN_CONSUMER);
    *p++ = TAG_SPAN_KIND;
    *p++ = sp->kind;
    p = put_fixed64(p, TAG_SPAN_START, sp->start_ns);
    p = put_fixed64(p, TAG_SPAN_END, sp->end_ns);
    for (size_t i = 0; i < na; i++) p = put_kv(p, TAG_SPAN_ATTRIBUTES, &as[i]);
    if (sp->error) {
        size_t ml = strlen(sp->status_message);
        *p++ = TAG_SPAN_STATUS;
        p = put_varint(p, status_len(ml));
        p = put_bytes(p, TAG_STATUS_MESSAGE, sp->status_message, ml);
        *p++ = TAG_STATUS_CODE;
        *p++ = 2; /* STATUS_CODE_ERROR */
    }
    return p;
}

/* One pass over the spans: each is written after a gap kept for the
 * request's head (whose lengths depend on the spans' total), the head is
 * written at the gap's end once the total is known, and the whole moved to
 * the buffer's start. */
unsigned char *mm_otlp_encode_pb(mm_span *const *spans, size_t n, const char *service_name,
                                 size_t *len) {
    static const char scope[] = "metamorphosis";
    const char *svc = service_name ? service_name : "metamorphosis";
    attr res[3] = {
        {.key = "service.name", .key_len = 12, .s = svc, .s_len = strlen(svc)},
        {.key = "telemetry.sdk.name", .key_len = 18, .s = scope, .s_len = sizeof scope - 1},
        {.key = "telemetry.sdk.language", .key_len = 22, .s = "c", .s_len = 1},
    };
    size_t resource = 0;
    for (int i = 0; i < 3; i++) resource += field_len(kv_len(&res[i]));
    /* (kv_len also left each one's sizes in res[i] for put_kv) */
    size_t scope_msg = field_len(field_len(sizeof scope - 1));
    /* the head: two tags with 10-byte varints at most, the resource, the scope */
    size_t gap = 2 * 11 + field_len(resource) + scope_msg;
    size_t cap = gap + 512 * (n ? n : 1), used = gap;
    attr *as = malloc(SPAN_ATTRS_MAX * sizeof *as);
    unsigned char *buf = malloc(cap);
    if (as == NULL || buf == NULL) goto fail;
    for (size_t i = 0; i < n; i++) {
        size_t na, slen = span_parse(spans[i], as, &na), need = field_len(slen);
        if (used + need > cap) {
            size_t ncap = cap * 2 > used + need ? cap * 2 : used + need;
            unsigned char *nb = realloc(buf, ncap);
            if (nb == NULL) goto fail;
            buf = nb;
            cap = ncap;
        }
        unsigned char *end = put_span(buf + used, spans[i], slen, as, na);
        assert((size_t)(end - buf) == used + need);
        (void)end;
        used += need;
    }
    size_t spans_bytes = used - gap;
    size_t scope_spans = scope_msg + spans_bytes;
    size_t resource_spans = field_len(resource) + field_len(scope_spans);
    size_t total = field_len(resource_spans), head = total - spans_bytes;
    assert(head <= gap);
    unsigned char *p = buf + gap - head;
    *p++ = TAG_REQ_RESOURCE_SPANS;
    p = put_varint(p, resource_spans);
    *p++ = TAG_RS_RESOURCE;
    p = put_varint(p, resource);
    for (int i = 0; i < 3; i++) p = put_kv(p, TAG_RES_ATTRIBUTES, &res[i]);
    *p++ = TAG_RS_SCOPE_SPANS;
    p = put_varint(p, scope_spans);
    *p++ = TAG_SS_SCOPE;
    p = put_varint(p, field_len(sizeof scope - 1));
    p = put_bytes(p, TAG_SCOPE_NAME, scope, sizeof scope - 1);
    assert(p == buf + gap);
    memmove(buf, buf + gap - head, total);
    free(as);
    *len = total;
    return buf;
fail:
    free(as);
    free(buf);
    return NULL;
}
