/* trace.h -- spans of the distributed trace (docs/tracing.md): starting and
 * ending them, their attributes, the thread's current trace context, and the
 * process-wide switch.
 *
 * Tracing is off unless mm_trace_init (trace_export.h) configured an OTLP
 * endpoint. Off, every hook in the framework is one predictable branch on
 * mm_trace_enabled() and nothing else runs: no context is parsed, propagated
 * or logged.
 *
 * On, a span is a fixed-size binary record owned by whoever started it
 * until mm_span_end, which hands it to the exporter's bounded queue (or
 * frees it when the trace is not sampled, or the queue is full: then it is
 * counted as dropped). The request's thread only copies raw bytes (ids,
 * times, attribute values with their key's address); all formatting (hex,
 * JSON escaping, attribute names) is the exporter thread's. Nothing here
 * blocks: mm_span_end takes one mutex for a list append, and takes back a
 * recycled span for the thread's next one then (no malloc per span in the
 * steady state). A span may be ended on another thread than the one that
 * started it.
 *
 * The current context is per thread: the framework sets it while it runs
 * code on behalf of a request or an event (the GraphQL resolvers of a
 * request, a consumer's handler call), so that events emitted there are its
 * children, log lines carry its trace id, and handlers can read it
 * (mm_traceparent in metamorphosis.h). */
#ifndef MM_COMMON_TRACE_H
#define MM_COMMON_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "common/strbuf.h"
#include "common/trace_context.h"

/* OTLP's SpanKind values. */
typedef enum mm_span_kind {
    MM_SPAN_INTERNAL = 1,
    MM_SPAN_SERVER = 2,
    MM_SPAN_CLIENT = 3,
    MM_SPAN_PRODUCER = 4,
    MM_SPAN_CONSUMER = 5,
} mm_span_kind;

/* Longest span name kept (longer ones are cut). */
#define MM_SPAN_NAME_MAX 128
/* Room for a span's attribute records. */
#define MM_SPAN_ATTRS_MAX 1536
/* Most links a span keeps (OTLP span links, to spans of other traces). */
#define MM_SPAN_LINKS_MAX 8
/* A link: the span linked to. */
typedef struct mm_span_link {
    uint8_t trace_id[16];
    uint8_t span_id[8];
} mm_span_link;

/* Longest status message kept. */
#define MM_SPAN_STATUS_MAX 199
/* Longest attribute value kept (longer ones are cut on a UTF-8 boundary). */
#define MM_SPAN_ATTR_VALUE_MAX 1024

/* An attribute record in mm_span.attrs: the key's address (a string with
 * static storage: the conventions' names are literals), a type byte, then
 * for 's' a 2-byte length and the raw value bytes, for 'i' 8 bytes of
 * int64_t; unaligned, read and written with memcpy. */
#define MM_SPAN_ATTR_STR 's'
#define MM_SPAN_ATTR_INT 'i'
/* 'c': the value's address (a NUL-terminated string with static storage). */
#define MM_SPAN_ATTR_CONST 'c'

/* Laid out for the few cache lines a span touches: the fields every span
 * writes and the exporter reads come first (with the name and attribute
 * records right after them, used from their start), the context last (its
 * ids are its first bytes; the rest is the room for a tracestate, mostly
 * unused), and the status message out of line (only failed spans have
 * one). Each span starts on a cache line (mm_trace_span_alloc): a server
 * span touches ~6 of its 36 lines, not ~10 scattered ones, which
 * matters because spans cycle through a pool of up to 1,024 between the
 * request's thread and the exporter's (docs/tracing.md, "Cost"). */
typedef struct mm_span {
    uint64_t start_ns, end_ns; /* Unix epoch nanoseconds */
    struct mm_span *next;      /* in the exporter queue, or the free pool */
    uint8_t parent_id[8];      /* the parent span's id; all zero for a root */
    bool has_parent;
    bool error;   /* status ERROR (else UNSET) */
    uint8_t kind; /* mm_span_kind */
    uint8_t link_count;
    uint16_t name_len;
    uint16_t attrs_len; /* bytes used in attrs */
    char name[MM_SPAN_NAME_MAX];
    /* Attribute records (above), appended in place; one that does not fit
     * is left out whole. */
    unsigned char attrs[MM_SPAN_ATTRS_MAX];
    /* Cold, in the padding before ctx: read only when error / link_count
     * say there is something (a span from the pool has both NULL, and
     * mm_span_start does not touch this line). */
    char *status_message;          /* malloc'd by mm_span_set_error; NULL: none */
    mm_span_link *links;           /* malloc'd by mm_span_add_link (room for MM_SPAN_LINKS_MAX) */
    _Alignas(64) mm_trace_ctx ctx; /* this span: its trace, its own span id, flags, state */
    /* The encoder reads every string of a span eight bytes at a time: the
     * last read may pass the string's end by up to 7 bytes, always inside
     * the span (this slack ends it). */
    unsigned char read_slack[8];
} mm_span;

/* Set by mm_trace_init before any thread runs a hook, cleared by
 * mm_trace_shutdown. A relaxed atomic load: one plain load and one branch on
 * every hook (a hook that races with shutdown just has its span dropped). */
extern _Atomic bool mm_trace_enabled_;
static inline bool mm_trace_enabled(void) {
    return atomic_load_explicit(&mm_trace_enabled_, memory_order_relaxed);
}

/* Wall-clock time now, Unix epoch nanoseconds. */
uint64_t mm_trace_now_ns(void);

/* Starts a span now (mm_span_start_at: at start_ns). parent NULL or not
 * valid: a new trace, sampled by the configured ratio; else a child of
 * parent in its trace, sampled as the parent is (parent-based), with its
 * tracestate. NULL when tracing is off or memory is short. */
mm_span *mm_span_start(const char *name, mm_span_kind kind, const mm_trace_ctx *parent);
mm_span *mm_span_start_at(const char *name, mm_span_kind kind, const mm_trace_ctx *parent,
                          uint64_t start_ns);

/* mm_span_start named prefix followed by rest ("publish " + topic): written
 * straight into the span, cut to fit (no snprintf on the hot path). rest
 * NULL is "". */
mm_span *mm_span_start_named(const char *prefix, const char *rest, mm_span_kind kind,
                             const mm_trace_ctx *parent);

static inline bool mm_span_sampled(const mm_span *sp) {
    return (sp->ctx.flags & MM_TRACE_FLAG_SAMPLED) != 0;
}

/* Appends one attribute record (above): the key's address, the type, then
 * v (n bytes) after a 2-byte length when with_len; left out whole when it
 * does not fit. Inline: a server span writes seven on the request's thread,
 * and values are mostly short (a method, a path, an address, a topic), so
 * they are copied with fixed-size moves instead of a memcpy call. */
static inline void mm_span_put_attr(mm_span *sp, const char *key, unsigned char type, const void *v,
                                    size_t n, bool with_len) {
    size_t at = sp->attrs_len, need = sizeof key + 1 + (with_len ? 2 : 0) + n;
    if (at + need > sizeof sp->attrs) return;
    unsigned char *p = sp->attrs + at;
    memcpy(p, &key, sizeof key);
    p += sizeof key;
    *p++ = type;
    if (with_len) {
        uint16_t len = (uint16_t)n;
        memcpy(p, &len, 2);
        p += 2;
    }
    const unsigned char *s = (const unsigned char *)v;
    if (n >= 8 && n <= 32) {
        memcpy(p, s, 8);
        if (n > 16) memcpy(p + 8, s + 8, 8);
        if (n > 24) memcpy(p + 16, s + 16, 8);
        memcpy(p + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(p, s, 4);
        memcpy(p + n - 4, s + n - 4, 4);
    } else if (n < 4) {
        for (size_t i = 0; i < n; i++) p[i] = s[i];
    } else {
        memcpy(p, v, n);
    }
    sp->attrs_len = (uint16_t)(at + need);
}

/* A value longer than MM_SPAN_ATTR_VALUE_MAX, cut on a UTF-8 boundary. */
void mm_span_attr_strn_cut(mm_span *sp, const char *key, const char *s, size_t n);

/* Attributes (OpenTelemetry semantic conventions' names). key must have
 * static storage (a literal): only its address is kept. s NULL is skipped.
 * Unsampled spans keep none. */
void mm_span_attr_str(mm_span *sp, const char *key, const char *s);
static inline void mm_span_attr_strn(mm_span *sp, const char *key, const char *s, size_t n) {
    if (sp == NULL || s == NULL || !mm_span_sampled(sp)) return;
    if (n > MM_SPAN_ATTR_VALUE_MAX)
        mm_span_attr_strn_cut(sp, key, s, n);
    else
        mm_span_put_attr(sp, key, MM_SPAN_ATTR_STR, s, n, true);
}
static inline void mm_span_attr_int(mm_span *sp, const char *key, int64_t v) {
    if (sp == NULL || !mm_span_sampled(sp)) return;
    mm_span_put_attr(sp, key, MM_SPAN_ATTR_INT, &v, sizeof v, false);
}
/* v as a decimal string attribute (the conventions' partition id). */
void mm_span_attr_dec(mm_span *sp, const char *key, int64_t v);
/* A value with static storage (a literal, at most MM_SPAN_ATTR_VALUE_MAX
 * bytes): only its address is kept. */
static inline void mm_span_attr_const(mm_span *sp, const char *key, const char *literal) {
    if (sp == NULL || literal == NULL || !mm_span_sampled(sp)) return;
    mm_span_put_attr(sp, key, MM_SPAN_ATTR_CONST, &literal, sizeof literal, false);
}

/* Writes s (n bytes) as a JSON string, quotes included, into out (room
 * bytes); returns the bytes written, or 0 when it does not fit. */
size_t mm_trace_json_string(char *out, size_t room, const char *s, size_t n);

/* Links the span to the span of ctx (another trace's, typically); the first
 * MM_SPAN_LINKS_MAX are kept, the rest ignored; unsampled spans keep none. */
void mm_span_add_link(mm_span *sp, const mm_trace_ctx *ctx);

/* Marks the span failed with a short description. */
void mm_span_set_error(mm_span *sp, const char *message);

/* Ends the span now (or at end_ns) and hands it over; NULL is a no-op. */
void mm_span_end(mm_span *sp);
void mm_span_end_at(mm_span *sp, uint64_t end_ns);

/* Frees a span without exporting it (e.g. the work never happened). */
void mm_span_free(mm_span *sp);

/* A span's memory: the thread's recycled spare (trace_export.c keeps the
 * pool) or malloc; NULL when memory is short. */
mm_span *mm_trace_span_alloc(void);

/* The thread's current context (NULL when none), and setting it: returns
 * the previous one, to restore with mm_trace_leave. ctx must stay valid
 * (unchanged) until it is left. */
const mm_trace_ctx *mm_trace_current(void);
const mm_trace_ctx *mm_trace_enter(const mm_trace_ctx *ctx);
void mm_trace_leave(const mm_trace_ctx *prev);

/* The sampling decision for a new trace (trace_export.c keeps the ratio). */
bool mm_trace_sample_root(const uint8_t trace_id[16]);

/* Hands an ended, sampled span to the exporter (trace_export.c); takes it. */
void mm_trace_export_span(mm_span *sp);

#endif
