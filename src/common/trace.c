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

static bool sampled(const mm_span *sp) { return mm_span_sampled(sp); }

mm_span *mm_span_start_at(const char *name, mm_span_kind kind, const mm_trace_ctx *parent,
                          uint64_t start_ns) {
    if (!mm_trace_enabled()) return NULL;
    mm_span *sp = mm_trace_span_alloc();
    if (sp == NULL) return NULL;
    sp->ctx.valid = true;
    if (parent != NULL && parent->valid) {
        memcpy(sp->ctx.trace_id, parent->trace_id, 16);
        memcpy(sp->parent_id, parent->span_id, 8);
        sp->has_parent = true;
        sp->ctx.flags = parent->flags;
        size_t n = parent->state[0] ? strlen(parent->state) : 0;
        memcpy(sp->ctx.state, parent->state, n + 1);
        mm_trace_random(sp->ctx.span_id, 8);
    } else {
        sp->ctx.state[0] = '\0';
        mm_trace_random_ids(sp->ctx.trace_id, sp->ctx.span_id);
        memset(sp->parent_id, 0, 8);
        sp->has_parent = false;
        sp->ctx.flags = mm_trace_sample_root(sp->ctx.trace_id) ? MM_TRACE_FLAG_SAMPLED : 0;
    }
    sp->kind = (uint8_t)kind;
    size_t n = name[0] ? strnlen(name, sizeof sp->name - 1) : 0;
    if (n) memcpy(sp->name, name, n);
    sp->name[n] = '\0';
    sp->name_len = (uint16_t)n;
    sp->start_ns = start_ns;
    sp->end_ns = 0;
    sp->error = false;
    /* status_message and links: NULL already (mm_trace_span_alloc, and the
     * exporter's recycling, which frees them) */
    sp->link_count = 0;
    sp->attrs_len = 0;
    sp->next = NULL;
    return sp;
}

mm_span *mm_span_start(const char *name, mm_span_kind kind, const mm_trace_ctx *parent) {
    if (!mm_trace_enabled()) return NULL;
    return mm_span_start_at(name, kind, parent, mm_trace_now_ns());
}

mm_span *mm_span_start_named(const char *prefix, const char *rest, mm_span_kind kind,
                             const mm_trace_ctx *parent) {
    if (!mm_trace_enabled()) return NULL;
    mm_span *sp = mm_span_start_at("", kind, parent, mm_trace_now_ns());
    if (sp == NULL) return NULL;
    size_t room = sizeof sp->name - 1;
    size_t a = strnlen(prefix, room);
    size_t b = rest ? strnlen(rest, room - a) : 0;
    memcpy(sp->name, prefix, a);
    if (b) memcpy(sp->name + a, rest, b);
    sp->name[a + b] = '\0';
    sp->name_len = (uint16_t)(a + b);
    return sp;
}

void mm_span_attr_dec(mm_span *sp, const char *key, int64_t v) {
    if (sp == NULL || !mm_span_sampled(sp)) return;
    char buf[24];
    char *e = buf + sizeof buf, *p = e;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        *--p = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *--p = '-';
    mm_span_put_attr(sp, key, MM_SPAN_ATTR_STR, p, (size_t)(e - p), true);
}

/* Which of x's 8 bytes need escaping in JSON (a control character, '"' or
 * '\\'): the lowest set 0x80 bit marks the first one exactly (the bits
 * above it may be false alarms); 0 when none does. */
static uint64_t escapes8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return ((x - ones * 0x20) & ~x & highs) | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
}

static bool escapes1(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

/* The first index >= i where s needs escaping, or n. Eight bytes at a time:
 * the exporter escapes every attribute value of every span. */
static size_t clean_run(const char *s, size_t i, size_t n) {
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t m = escapes8(x);
        if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            return i + (size_t)__builtin_ctzll(m) / 8;
#else
            break;
#endif
        }
    }
    while (i < n && !escapes1((unsigned char)s[i])) i++;
    return i;
}

size_t mm_trace_json_string(char *out, size_t room, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    if (room < n + 2) return 0;
    size_t o = 0, i = 0;
    out[o++] = '"';
    for (;;) {
        size_t j = clean_run(s, i, n);
        if (o + (j - i) + 1 > room) return 0;
        memcpy(out + o, s + i, j - i);
        o += j - i;
        if (j == n) break;
        unsigned char c = (unsigned char)s[j];
        if (o + 6 + (n - j - 1) + 1 > room) return 0;
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
        i = j + 1;
    }
    out[o++] = '"';
    return o;
}

void mm_span_attr_strn_cut(mm_span *sp, const char *key, const char *s, size_t n) {
    assert(n > MM_SPAN_ATTR_VALUE_MAX);
    n = MM_SPAN_ATTR_VALUE_MAX;
    /* Cut on a UTF-8 boundary: a continuation byte is never first. */
    while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80) n--;
    mm_span_put_attr(sp, key, MM_SPAN_ATTR_STR, s, n, true);
}

void mm_span_attr_str(mm_span *sp, const char *key, const char *s) {
    if (sp == NULL || s == NULL || !sampled(sp)) return;
    size_t n = strnlen(s, MM_SPAN_ATTR_VALUE_MAX + 1);
    if (n > MM_SPAN_ATTR_VALUE_MAX) {
        mm_span_attr_strn_cut(sp, key, s, n);
        return;
    }
    mm_span_put_attr(sp, key, MM_SPAN_ATTR_STR, s, n, true);
}

void mm_span_set_error(mm_span *sp, const char *message) {
    if (sp == NULL) return;
    sp->error = true;
    free(sp->status_message);
    /* Kept short (a delivery or Redis error); NULL when memory is short:
     * the status is still ERROR, without its message. */
    sp->status_message = message && message[0] ? strndup(message, MM_SPAN_STATUS_MAX) : NULL;
}

void mm_span_add_link(mm_span *sp, const mm_trace_ctx *ctx) {
    if (sp == NULL || ctx == NULL || !ctx->valid || !sampled(sp)) return;
    if (sp->link_count >= MM_SPAN_LINKS_MAX) return;
    if (sp->links == NULL && (sp->links = malloc(MM_SPAN_LINKS_MAX * sizeof *sp->links)) == NULL)
        return; /* memory is short: the link is left out */
    mm_span_link *l = &sp->links[sp->link_count++];
    memcpy(l->trace_id, ctx->trace_id, 16);
    memcpy(l->span_id, ctx->span_id, 8);
}

void mm_span_free(mm_span *sp) {
    if (sp == NULL) return;
    free(sp->links);
    free(sp->status_message);
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
