/* trace.c -- the HTTP server span of a GraphQL request (docs/tracing.md):
 * started when the request head is read, continuing the client's W3C
 * traceparent/tracestate when it sent a valid one (else a new trace), ended
 * when the request ends, with the OpenTelemetry HTTP server attributes.
 * Called only when mm_trace_enabled(). */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

#include "common/trace.h"

void mm_http_trace_begin(mm_http_conn *c) {
    mm_trace_ctx parent; /* not zeroed: 540 bytes, mostly tracestate room */
    parent.valid = false;
    parent.state[0] = '\0';
    size_t len;
    const char *tp = mm_http_conn_header(c, "traceparent", &len);
    if (tp && mm_traceparent_parse(tp, len, &parent) == 0) {
        const char *ts = mm_http_conn_header(c, "tracestate", &len);
        if (ts) mm_tracestate_set(&parent, ts, len);
    }
    /* The span starts when the request did (c->start_ns is monotonic). */
    uint64_t ago = mm_http_now_ns() - c->start_ns;
    uint64_t now = mm_trace_now_ns();
    mm_span *sp = mm_span_start_at("", MM_SPAN_SERVER, parent.valid ? &parent : NULL, now - ago);
    if (sp == NULL) return;
    /* The name "<METHOD> <path>" straight into the span, cut to fit. */
    const char *path = c->path ? c->path : "/";
    size_t m = strnlen(c->method_name, sizeof c->method_name), p = strlen(path);
    if (m + 1 + p >= sizeof sp->name) p = sizeof sp->name - m - 2;
    memcpy(sp->name, c->method_name, m);
    sp->name[m] = ' ';
    memcpy(sp->name + m + 1, path, p);
    sp->name[m + 1 + p] = '\0';
    sp->name_len = (uint16_t)(m + 1 + p);
    mm_span_attr_str(sp, "http.request.method", c->method_name);
    mm_span_attr_str(sp, "url.path", c->path);
    mm_span_attr_const(sp, "url.scheme", "http");
    mm_span_attr_str(sp, "http.route", c->path);
    mm_span_attr_const(sp, "network.protocol.version", c->minor ? "1.1" : "1.0");
    const char *colon = strrchr(c->remote, ':');
    if (colon) mm_span_attr_strn(sp, "client.address", c->remote, (size_t)(colon - c->remote));
    const char *ua = mm_http_conn_header(c, "User-Agent", &len);
    if (ua) mm_span_attr_strn(sp, "user_agent.original", ua, len);
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
