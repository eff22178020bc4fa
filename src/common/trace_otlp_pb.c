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
    TAG_SPAN_LINKS = 13 << 3 | 2,
    TAG_SPAN_STATUS = 15 << 3 | 2,
    TAG_LINK_TRACE_ID = 1 << 3 | 2,
    TAG_LINK_SPAN_ID = 2 << 3 | 2,
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

/* A Link message: its trace id and span id fields. */
#define LINK_LEN (2 + 16 + 2 + 8)

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

/* memcpy for the short strings of a span (keys, values, ids) and the
 * attribute blocks copied from the previous span, without a call:
 * overlapping fixed-size moves, which compilers inline (d and s do not
 * overlap). */
static inline void copy_small(unsigned char *d, const unsigned char *s, size_t n) {
    if (n > 16) {
        size_t i = 0;
        for (; i + 16 < n; i += 16) memcpy(d + i, s + i, 16);
        memcpy(d + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(d, s, 8);
        memcpy(d + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(d, s, 4);
        memcpy(d + n - 4, s + n - 4, 4);
    } else {
        for (size_t i = 0; i < n; i++) d[i] = s[i];
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
    size_t any, kv;           /* AnyValue's and KeyValue's inner sizes */
    const unsigned char *rec; /* the record, rec_len bytes */
    size_t rec_len;
    /* Where this attribute's encoded KeyValue field (tag included) was
     * written, as an offset in the output, enc_len bytes; set by put_span. */
    size_t enc_off, enc_len;
    bool memo; /* the same record as the previous span's at this index: enc_* are its bytes */
} attr;

/* Whether records a and b (n bytes each, inside spans) are equal: eight
 * bytes at a time, the last word masked (a span's records are followed by
 * more of the span, so the last 8-byte read stays inside it). */
static inline bool rec_eq(const unsigned char *a, const unsigned char *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x, y;
        memcpy(&x, a + i, 8);
        memcpy(&y, b + i, 8);
        if (x != y) return false;
    }
    if (i == n) return true;
    uint64_t x, y, mask;
    memcpy(&x, a + i, 8);
    memcpy(&y, b + i, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    mask = (UINT64_C(1) << (8 * (n - i))) - 1;
#else
    mask = ~(UINT64_MAX >> (8 * (n - i)));
#endif
    return ((x ^ y) & mask) == 0;
}

/* Reads the record at p into a; returns the next record. */
static const unsigned char *read_attr(const unsigned char *p, attr *a) {
    a->rec = p;
    memcpy(&a->key, p, sizeof a->key);
    p += sizeof a->key;
    a->key_len = lit_len(a->key);
    unsigned char type = *p++;
    a->is_int = type == MM_SPAN_ATTR_INT;
    if (type == MM_SPAN_ATTR_INT) {
        memcpy(&a->i, p, sizeof a->i);
        p += sizeof a->i;
    } else if (type == MM_SPAN_ATTR_CONST) {
        memcpy(&a->s, p, sizeof a->s);
        a->s_len = lit_len(a->s);
        p += sizeof a->s;
    } else {
        assert(type == MM_SPAN_ATTR_STR);
        uint16_t n;
        memcpy(&n, p, 2);
        a->s = (const char *)p + 2;
        a->s_len = n;
        p += 2 + n;
    }
    a->rec_len = (size_t)(p - a->rec);
    return p;
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

/* Memos kept: one per span kind (mm_span_kind: 1..5). */
#define MEMOS (MM_SPAN_CONSUMER + 1)

/* The previous span of the batch of one kind, already written: its attributes (as
 * read, with where each one's bytes are) and where its attribute block is. */
typedef struct memo {
    const mm_span *sp; /* NULL before the first span */
    attr *as;
    size_t na;
    size_t block_off, block_len;
} memo;

/* Reads the span's attribute records into as (*na of them, sizes set) and
 * returns the span's inner size: each record is read once per encoding.
 * The spans of a batch mostly differ only in ids and times; their
 * attributes are the same method, route, topic, group. So, against the
 * previous span (m): when its whole attribute block is byte-for-byte the
 * same (*block), its encoded block is copied; else each record equal to the
 * one at the same index there (same key, type and value bytes; keys and
 * constant values compare by address, which names the same literal) is
 * copied from its bytes, and only the others are encoded. */
static size_t span_parse(const mm_span *sp, attr *as, size_t *na, const memo *m, bool *block) {
    size_t n = field_len(16) + field_len(8) + field_len(sp->name_len) + 2 + 9 + 9, k = 0;
    if (sp->ctx.state[0]) n += field_len(strlen(sp->ctx.state));
    if (sp->has_parent) n += field_len(8);
    if (sp->error) n += field_len(status_len(sp->status_message ? strlen(sp->status_message) : 0));
    n += sp->link_count * field_len(LINK_LEN);
    /* (memcmp: the block is a few hundred bytes, compared 32 at a time) */
    *block = m->sp != NULL && sp->attrs_len == m->sp->attrs_len &&
             memcmp(sp->attrs, m->sp->attrs, sp->attrs_len) == 0;
    if (*block) {
        *na = m->na;
        return n + m->block_len;
    }
    for (const unsigned char *p = sp->attrs, *end = p + sp->attrs_len; p < end; k++) {
        assert(k < SPAN_ATTRS_MAX);
        attr *a = &as[k];
        p = read_attr(p, a);
        a->memo = m->sp != NULL && k < m->na && m->as[k].rec_len == a->rec_len &&
                  rec_eq(m->as[k].rec, a->rec, a->rec_len);
        if (a->memo) {
            a->enc_off = m->as[k].enc_off;
            a->enc_len = m->as[k].enc_len;
        } else {
            a->enc_len = field_len(kv_len(a));
        }
        n += a->enc_len;
    }
    *na = k;
    return n;
}

/* Writes the span at p (inside the output buf). Unless block (its
 * attributes copied whole from m's block), records where each attribute's
 * bytes are (as[].enc_off) and where the block is (*off, *blen) for the
 * next span's memo. */
static unsigned char *put_span(unsigned char *buf, unsigned char *p, const mm_span *sp, size_t len,
                               attr *as, size_t na, const memo *m, bool block, size_t *off,
                               size_t *blen) {
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
    *off = (size_t)(p - buf);
    if (block) {
        copy_small(p, buf + m->block_off, m->block_len);
        p += m->block_len;
    } else {
        for (size_t i = 0; i < na; i++) {
            attr *a = &as[i];
            size_t at = (size_t)(p - buf);
            if (a->memo) {
                copy_small(p, buf + a->enc_off, a->enc_len);
                p += a->enc_len;
            } else {
                p = put_kv(p, TAG_SPAN_ATTRIBUTES, a);
            }
            assert((size_t)(p - buf) - at == a->enc_len);
            a->enc_off = at;
        }
    }
    *blen = (size_t)(p - buf) - *off;
    if (sp->error) {
        const char *msg = sp->status_message ? sp->status_message : ""; /* NULL: memory was short */
        size_t ml = strlen(msg);
        *p++ = TAG_SPAN_STATUS;
        p = put_varint(p, status_len(ml));
        p = put_bytes(p, TAG_STATUS_MESSAGE, msg, ml);
        *p++ = TAG_STATUS_CODE;
        *p++ = 2; /* STATUS_CODE_ERROR */
    }
    for (unsigned i = 0; i < sp->link_count; i++) {
        *p++ = TAG_SPAN_LINKS;
        p = put_varint(p, LINK_LEN);
        p = put_bytes(p, TAG_LINK_TRACE_ID, sp->links[i].trace_id, 16);
        p = put_bytes(p, TAG_LINK_SPAN_ID, sp->links[i].span_id, 8);
    }
    return p;
}

/* One pass over the spans: each is written after a gap kept for the
 * request's head (whose lengths depend on the spans' total), the head is
 * written at the gap's end once the total is known (mm_otlp_encode_pb then
 * moves the whole to the buffer's start; the exporter sends it in place). */
unsigned char *mm_otlp_encode_pb_into(mm_otlp_pb_buf *keep, mm_span *const *spans, size_t n,
                                      const char *service_name, size_t *start, size_t *len) {
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
    /* This span's attributes, and the previous span's of each kind (the
     * memos), swapped: a batch interleaves kinds (a synchronous mutation's
     * server and publish spans; a worker's process, publish and
     * result-store spans), and a span's attributes are mostly those of the
     * last span of its kind (the same method, route, topic, group). */
    if (keep->attrs == NULL) keep->attrs = malloc(MEMOS * SPAN_ATTRS_MAX * sizeof(attr));
    attr *mem = keep->attrs, *as = mem;
    memo memos[MEMOS] = {{0}};
    for (size_t k = 1; mem && k < MEMOS; k++) memos[k].as = mem + k * SPAN_ATTRS_MAX;
    unsigned char *buf = keep->buf;
    if (buf == NULL || keep->cap < cap) {
        free(buf);
        keep->buf = buf = malloc(cap);
        keep->cap = buf ? cap : 0;
    } else {
        cap = keep->cap;
    }
    if (mem == NULL || buf == NULL) goto fail;
    for (size_t i = 0; i < n; i++) {
        bool block;
        assert(spans[i]->kind >= MM_SPAN_INTERNAL && spans[i]->kind < MEMOS);
        memo *m = &memos[spans[i]->kind];
        size_t na, slen = span_parse(spans[i], as, &na, m, &block), need = field_len(slen);
        if (used + need > cap) {
            size_t ncap = cap * 2 > used + need ? cap * 2 : used + need;
            unsigned char *nb = realloc(buf, ncap);
            if (nb == NULL) goto fail;
            keep->buf = buf = nb;
            keep->cap = cap = ncap;
        }
        size_t off, blen;
        unsigned char *end =
            put_span(buf, buf + used, spans[i], slen, as, na, m, block, &off, &blen);
        assert((size_t)(end - buf) == used + need);
        (void)end;
        used += need;
        /* This span is the next one's memo. A copied block leaves m.as as
         * it is: its records are byte-for-byte this span's. */
        if (!block) {
            attr *t = m->as;
            m->as = as;
            as = t;
            m->na = na;
        }
        m->sp = spans[i];
        m->block_off = off;
        m->block_len = blen;
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
    *start = gap - head;
    *len = total;
    return buf;
fail:
    mm_otlp_pb_buf_free(keep);
    return NULL;
}

void mm_otlp_pb_buf_free(mm_otlp_pb_buf *keep) {
    free(keep->buf);
    free(keep->attrs);
    keep->buf = NULL;
    keep->attrs = NULL;
    keep->cap = 0;
}

unsigned char *mm_otlp_encode_pb_at(mm_span *const *spans, size_t n, const char *service_name,
                                    size_t *start, size_t *len) {
    mm_otlp_pb_buf keep = {0};
    unsigned char *buf = mm_otlp_encode_pb_into(&keep, spans, n, service_name, start, len);
    free(keep.attrs); /* the caller frees buf */
    return buf;
}

unsigned char *mm_otlp_encode_pb(mm_span *const *spans, size_t n, const char *service_name,
                                 size_t *len) {
    size_t start;
    unsigned char *buf = mm_otlp_encode_pb_at(spans, n, service_name, &start, len);
    if (buf) memmove(buf, buf + start, *len);
    return buf;
}
