/* trace.c -- the HTTP server span of a GraphQL request (docs/tracing.md):
 * started when the request head is read, continuing the client's W3C
 * traceparent/tracestate when it sent a valid one (else a new trace), ended
 * when the request ends, with the OpenTelemetry HTTP server attributes.
 * Called only when mm_trace_enabled(). */
#include "http/http_internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/trace.h"

/* The three request headers a server span reads, found in one pass over
 * the head (by length first, then the name): three lookups of their own
 * would compare every field's name three times. */
typedef struct trace_headers {
    const mm_http_field *traceparent, *tracestate, *user_agent;
} trace_headers;

static void find_headers(const mm_http_conn *c, trace_headers *h) {
    assert(c->active && c->phase == MM_PHASE_HEAD); /* io->head is this request's */
    const mm_http_head *head = &c->io->head;
    h->traceparent = h->tracestate = h->user_agent = NULL;
    for (size_t i = 0; i < head->field_count; i++) {
        const mm_http_field *f = &head->fields[i];
        if (f->name_len == 11) {
            if (!h->traceparent && strncasecmp(f->name, "traceparent", 11) == 0) h->traceparent = f;
        } else if (f->name_len == 10) {
            if ((f->name[0] | 0x20) == 't') {
                if (!h->tracestate && strncasecmp(f->name, "tracestate", 10) == 0)
                    h->tracestate = f;
            } else if (!h->user_agent && strncasecmp(f->name, "user-agent", 10) == 0) {
                h->user_agent = f;
            }
        }
    }
}

void mm_http_trace_begin(mm_http_conn *c) {
    mm_trace_ctx parent; /* not zeroed: 540 bytes, mostly tracestate room */
    parent.valid = false;
    parent.state[0] = '\0';
    trace_headers h;
    find_headers(c, &h);
    if (h.traceparent &&
        mm_traceparent_parse(h.traceparent->value, h.traceparent->value_len, &parent) == 0 &&
        h.tracestate)
        mm_tracestate_set(&parent, h.tracestate->value, h.tracestate->value_len);
    /* The span starts when the request did (c->start_ns is monotonic). */
    uint64_t ago = mm_http_now_ns() - c->start_ns;
    uint64_t now = mm_trace_now_ns();
    mm_span *sp = mm_span_start_at("", MM_SPAN_SERVER, parent.valid ? &parent : NULL, now - ago);
    if (sp == NULL) return;
    /* The name "<METHOD> <path>" straight into the span, cut to fit. */
    const char *path = c->path ? c->path : "/";
    size_t m = strnlen(c->method_name, sizeof c->method_name), p = strlen(path);
    size_t pn = p;
    if (m + 1 + pn >= sizeof sp->name) pn = sizeof sp->name - m - 2;
    _Static_assert(sizeof c->method_name <= sizeof sp->name, "the method fits the name");
    memcpy(sp->name, c->method_name, sizeof c->method_name); /* fixed size: no call */
    sp->name[m] = ' ';
    memcpy(sp->name + m + 1, path, pn);
    sp->name[m + 1 + pn] = '\0';
    sp->name_len = (uint16_t)(m + 1 + pn);
    /* The usual methods as literals (kept by address, not copied). */
    if (m == 4 && memcmp(c->method_name, "POST", 4) == 0)
        mm_span_attr_const(sp, "http.request.method", "POST");
    else if (m == 3 && memcmp(c->method_name, "GET", 3) == 0)
        mm_span_attr_const(sp, "http.request.method", "GET");
    else
        mm_span_attr_strn(sp, "http.request.method", c->method_name, m);
    if (c->path) {
        mm_span_attr_strn(sp, "url.path", c->path, p);
    }
    mm_span_attr_const(sp, "url.scheme", "http");
    if (c->path) mm_span_attr_strn(sp, "http.route", c->path, p);
    mm_span_attr_const(sp, "network.protocol.version", c->minor ? "1.1" : "1.0");
    const char *colon = strrchr(c->remote, ':');
    if (colon) mm_span_attr_strn(sp, "client.address", c->remote, (size_t)(colon - c->remote));
    if (h.user_agent)
        mm_span_attr_strn(sp, "user_agent.original", h.user_agent->value, h.user_agent->value_len);
    c->span = sp;
}

void mm_http_trace_end(mm_http_conn *c, unsigned status) {
    mm_span *sp = c->span;
    c->span = NULL;
    mm_span_attr_int(sp, "http.response.status_code", status);
    if (status >= 500 || status == 0) {
        char why[32];
        snprintf(why, sizeof why, "%u", status);
        mm_span_set_error(sp, why);
        mm_span_attr_str(sp, "error.type", why);
    }
    mm_span_end(sp);
}

mm_trace_ctx *mm_http_trace_carried(const mm_http_conn *c) {
    const mm_span *sp = c->span;
    if (!mm_trace_enabled() || sp == NULL || !sp->has_parent) return NULL;
    /* The server span continued the request's context: same trace, same
     * flags and tracestate (mm_span_start copies them), its parent id the
     * client's span id. */
    mm_trace_ctx *ctx = malloc(sizeof *ctx);
    if (ctx == NULL) return NULL;
    mm_trace_ctx_copy(ctx, &sp->ctx);
    memcpy(ctx->span_id, sp->parent_id, sizeof ctx->span_id);
    return ctx;
}
