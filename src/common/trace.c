/* trace.c -- spans and the thread's current trace context (trace.h). The
 * exporter behind mm_trace_export_span is trace_export.c. */
#include "common/trace.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metamorphosis.h"

_Atomic bool mm_trace_enabled_ = false;

static _Thread_local const mm_trace_ctx *tl_current;

uint64_t mm_trace_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static bool sampled(const mm_span *sp) { return (sp->ctx.flags & MM_TRACE_FLAG_SAMPLED) != 0; }

mm_span *mm_span_start_at(const char *name, mm_span_kind kind, const mm_trace_ctx *parent,
                          uint64_t start_ns) {
    if (!mm_trace_enabled()) return NULL;
    mm_span *sp = malloc(sizeof *sp);
    if (sp == NULL) return NULL;
    sp->ctx.valid = true;
    sp->ctx.state[0] = '\0';
    if (parent != NULL && parent->valid) {
        memcpy(sp->ctx.trace_id, parent->trace_id, 16);
        memcpy(sp->parent_id, parent->span_id, 8);
        sp->has_parent = true;
        sp->ctx.flags = parent->flags;
        size_t n = strlen(parent->state);
        memcpy(sp->ctx.state, parent->state, n + 1);
    } else {
        mm_trace_random(sp->ctx.trace_id, 16);
        memset(sp->parent_id, 0, 8);
        sp->has_parent = false;
        sp->ctx.flags = mm_trace_sample_root(sp->ctx.trace_id) ? MM_TRACE_FLAG_SAMPLED : 0;
    }
    mm_trace_random(sp->ctx.span_id, 8);
    sp->kind = kind;
    size_t n = strlen(name);
    if (n >= sizeof sp->name) n = sizeof sp->name - 1;
    memcpy(sp->name, name, n);
    sp->name[n] = '\0';
    sp->start_ns = start_ns;
    sp->end_ns = 0;
    sp->error = false;
    sp->status_message[0] = '\0';
    sp->attrs_len = 0;
    sp->next = NULL;
    return sp;
}

mm_span *mm_span_start(const char *name, mm_span_kind kind, const mm_trace_ctx *parent) {
    if (!mm_trace_enabled()) return NULL;
    return mm_span_start_at(name, kind, parent, mm_trace_now_ns());
}

size_t mm_trace_json_string(char *out, size_t room, const char *s, size_t n) {
    /* Bytes that need escaping: control characters, '"' and '\\'. */
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    if (room < n + 2) return 0;
    out[o++] = '"';
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        size_t k = i - run;
        if (o + k + 6 + (n - i) + 1 > room) return 0;
        memcpy(out + o, s + run, k);
        o += k;
        run = i + 1;
        out[o++] = '\\';
        if (c == '"' || c == '\\') {
            out[o++] = (char)c;
        } else {
            out[o++] = 'u';
            out[o++] = '0';
            out[o++] = '0';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    size_t k = n - run;
    if (o + k + 1 > room) return 0;
    memcpy(out + o, s + run, k);
    o += k;
    out[o++] = '"';
    return o;
}

/* Longest attribute value kept. */
#define ATTR_VALUE_MAX 1024

/* Appends n bytes; false (nothing written) when they do not fit. */
static bool put(mm_span *sp, size_t *at, const char *s, size_t n) {
    if (*at + n > sizeof sp->attrs) return false;
    memcpy(sp->attrs + *at, s, n);
    *at += n;
    return true;
}

/* [,]{"key":"<key>","value":{"<type>": -- keys are the conventions' names:
 * no escaping. Returns the position after it, or 0 when it does not fit. */
static size_t attr_open(mm_span *sp, const char *key, const char *type, size_t type_len) {
    size_t at = sp->attrs_len;
    if (at && !put(sp, &at, ",", 1)) return 0;
    if (!put(sp, &at, "{\"key\":\"", 8) || !put(sp, &at, key, strlen(key)) ||
        !put(sp, &at, "\",\"value\":{\"", 12) || !put(sp, &at, type, type_len))
        return 0;
    return at;
}

void mm_span_attr_strn(mm_span *sp, const char *key, const char *s, size_t n) {
    if (sp == NULL || s == NULL || !sampled(sp)) return;
    if (n > ATTR_VALUE_MAX) {
        n = ATTR_VALUE_MAX;
        /* Cut on a UTF-8 boundary: a continuation byte is never first. */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    }
    size_t at = attr_open(sp, key, "stringValue\":", 13);
    if (at == 0) return;
    size_t w = mm_trace_json_string(sp->attrs + at, sizeof sp->attrs - at, s, n);
    if (w == 0) return;
    at += w;
    if (put(sp, &at, "}}", 2)) sp->attrs_len = at;
}

void mm_span_attr_str(mm_span *sp, const char *key, const char *s) {
    if (sp == NULL || s == NULL) return;
    size_t n = strnlen(s, ATTR_VALUE_MAX + 1);
    mm_span_attr_strn(sp, key, s, n);
}

void mm_span_attr_int(mm_span *sp, const char *key, int64_t v) {
    if (sp == NULL || !sampled(sp)) return;
    /* OTLP/JSON writes 64-bit integers as strings. */
    char num[24];
    size_t k = sizeof num;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        num[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) num[--k] = '-';
    size_t at = attr_open(sp, key, "intValue\":\"", 11);
    if (at && put(sp, &at, num + k, sizeof num - k) && put(sp, &at, "\"}}", 3)) sp->attrs_len = at;
}

void mm_span_set_error(mm_span *sp, const char *message) {
    if (sp == NULL) return;
    sp->error = true;
    size_t n = message ? strlen(message) : 0;
    if (n >= sizeof sp->status_message) n = sizeof sp->status_message - 1;
    if (n) memcpy(sp->status_message, message, n);
    sp->status_message[n] = '\0';
}

void mm_span_free(mm_span *sp) {
    if (sp == NULL) return;
    free(sp);
}

void mm_span_end_at(mm_span *sp, uint64_t end_ns) {
    if (sp == NULL) return;
    sp->end_ns = end_ns < sp->start_ns ? sp->start_ns : end_ns;
    if (!sampled(sp)) {
        mm_span_free(sp);
        return;
    }
    mm_trace_export_span(sp);
}

void mm_span_end(mm_span *sp) {
    if (sp == NULL) return;
    mm_span_end_at(sp, mm_trace_now_ns());
}

const mm_trace_ctx *mm_trace_current(void) { return tl_current; }

const mm_trace_ctx *mm_trace_enter(const mm_trace_ctx *ctx) {
    const mm_trace_ctx *prev = tl_current;
    tl_current = ctx;
    return prev;
}

void mm_trace_leave(const mm_trace_ctx *prev) { tl_current = prev; }

const char *mm_traceparent(void) {
    static _Thread_local char text[MM_TRACEPARENT_LEN + 1];
    const mm_trace_ctx *c = tl_current;
    if (!mm_trace_enabled() || c == NULL || !c->valid) return NULL;
    mm_traceparent_format(c, text);
    return text;
}

const char *mm_tracestate(void) {
    const mm_trace_ctx *c = tl_current;
    if (!mm_trace_enabled() || c == NULL || !c->valid || c->state[0] == '\0') return NULL;
    return c->state;
}
