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
    mm_strbuf_init(&sp->attrs, NULL);
    /* The attributes of the framework's spans fit: one allocation. */
    if (sampled(sp)) mm_strbuf_reserve(&sp->attrs, 640);
    sp->next = NULL;
    return sp;
}

mm_span *mm_span_start(const char *name, mm_span_kind kind, const mm_trace_ctx *parent) {
    if (!mm_trace_enabled()) return NULL;
    return mm_span_start_at(name, kind, parent, mm_trace_now_ns());
}

void mm_trace_json_string(mm_strbuf *b, const char *s, size_t n) {
    mm_strbuf_reserve(b, n + 2);
    mm_strbuf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        mm_strbuf_append(b, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            mm_strbuf_append(b, esc, 2);
        } else {
            static const char hex[] = "0123456789abcdef";
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            mm_strbuf_append(b, esc, 6);
        }
    }
    mm_strbuf_append(b, s + run, n - run);
    mm_strbuf_putc(b, '"');
}

/* Longest attribute value kept (bounds a span's size in the queue). */
#define ATTR_VALUE_MAX 1024

/* ,{"key":"<key>","value":{" -- keys are the conventions' names: no escaping. */
static void attr_open(mm_span *sp, const char *key) {
    if (sp->attrs.len) mm_strbuf_putc(&sp->attrs, ',');
    mm_strbuf_append(&sp->attrs, "{\"key\":\"", 8);
    mm_strbuf_puts(&sp->attrs, key);
    mm_strbuf_append(&sp->attrs, "\",\"value\":{\"", 12);
}

void mm_span_attr_strn(mm_span *sp, const char *key, const char *s, size_t n) {
    if (sp == NULL || s == NULL || !sampled(sp)) return;
    if (n > ATTR_VALUE_MAX) {
        n = ATTR_VALUE_MAX;
        /* Cut on a UTF-8 boundary: a continuation byte is never first. */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    }
    attr_open(sp, key);
    mm_strbuf_append(&sp->attrs, "stringValue\":", 13);
    mm_trace_json_string(&sp->attrs, s, n);
    mm_strbuf_append(&sp->attrs, "}}", 2);
}

void mm_span_attr_str(mm_span *sp, const char *key, const char *s) {
    if (sp == NULL || s == NULL) return;
    size_t n = strnlen(s, ATTR_VALUE_MAX + 1);
    mm_span_attr_strn(sp, key, s, n);
}

void mm_span_attr_int(mm_span *sp, const char *key, int64_t v) {
    if (sp == NULL || !sampled(sp)) return;
    /* OTLP/JSON writes 64-bit integers as strings. */
    char num[32];
    int k = snprintf(num, sizeof num, "intValue\":\"%lld\"}}", (long long)v);
    attr_open(sp, key);
    mm_strbuf_append(&sp->attrs, num, (size_t)k);
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
    mm_strbuf_free(&sp->attrs);
    free(sp);
}

void mm_span_end_at(mm_span *sp, uint64_t end_ns) {
    if (sp == NULL) return;
    sp->end_ns = end_ns < sp->start_ns ? sp->start_ns : end_ns;
    if (!sampled(sp) || sp->attrs.failed) {
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
