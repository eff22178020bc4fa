/* event_trace.c -- the tracing extension on events and the publish span
 * (event_trace.h). */
#include "bus/event_trace.h"

#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

int mm_event_trace_set(mm_event *ev, const mm_trace_ctx *ctx) {
    if (ctx == NULL || !ctx->valid) return 0;
    /* Kept as bytes (envelope.h's mm_event_trace): the encoder formats
     * them, the publish hook reads them back without a parse. */
    char *state = NULL;
    if (ctx->state[0] && (state = strdup(ctx->state)) == NULL) return MM_ENOMEM;
    free(ev->trace.state);
    memcpy(ev->trace.trace_id, ctx->trace_id, 16);
    memcpy(ev->trace.span_id, ctx->span_id, 8);
    ev->trace.flags = ctx->flags;
    ev->trace.state = state;
    mm_traceparent_format(ctx, ev->trace.text);
    ev->trace.set = true;
    return 0;
}

static const char *ext(const mm_event *ev, const char *name) {
    for (size_t i = 0; i < ev->ext_count; i++)
        if (strcmp(ev->ext[i].name, name) == 0) return ev->ext[i].value;
    return NULL;
}

bool mm_event_trace_get(const mm_event *ev, mm_trace_ctx *out) {
    if (ev->trace.set) { /* set by this process: no text to parse */
        memcpy(out->trace_id, ev->trace.trace_id, 16);
        memcpy(out->span_id, ev->trace.span_id, 8);
        out->flags = ev->trace.flags;
        out->valid = true;
        size_t n = ev->trace.state ? strlen(ev->trace.state) : 0;
        if (n > MM_TRACESTATE_MAX) n = 0; /* cannot be: it came from a context */
        memcpy(out->state, n ? ev->trace.state : "", n + 1);
        return true;
    }
    const char *tp = ext(ev, MM_EXT_TRACEPARENT);
    if (tp == NULL || mm_traceparent_parse(tp, strlen(tp), out) != 0) return false;
    const char *ts = ext(ev, MM_EXT_TRACESTATE);
    if (ts == NULL || !mm_tracestate_set(out, ts, strlen(ts))) out->state[0] = '\0';
    return true;
}

mm_span *mm_event_trace_publish_start(const mm_event *ev, const char *topic,
                                      char tp[MM_TRACEPARENT_LEN + 1]) {
    mm_trace_ctx parent;
    if (!mm_event_trace_get(ev, &parent)) return NULL;
    mm_span *sp = mm_span_start_named("publish ", topic, MM_SPAN_PRODUCER, &parent);
    if (sp == NULL) return NULL;
    mm_traceparent_format(&sp->ctx, tp);
    mm_span_attr_const(sp, "messaging.system", "kafka");
    mm_span_attr_const(sp, "messaging.operation.type", "publish");
    mm_span_attr_const(sp, "messaging.operation.name", "publish");
    mm_span_attr_str(sp, "messaging.destination.name", topic);
    /* The id twice (two conventions' names): measured once. */
    size_t idn = ev->id ? strnlen(ev->id, MM_SPAN_ATTR_VALUE_MAX + 1) : 0;
    mm_span_attr_strn(sp, "messaging.message.id", ev->id, idn);
    mm_span_attr_strn(sp, "cloudevents.event_id", ev->id, idn);
    mm_span_attr_str(sp, "cloudevents.event_type", ev->type);
    if (ev->key) mm_span_attr_strn(sp, "messaging.kafka.message.key", ev->key, ev->key_len);
    return sp;
}

void mm_event_trace_delivered(mm_span *sp, const mm_delivery *d) {
    if (d->partition >= 0) mm_span_attr_dec(sp, "messaging.destination.partition.id", d->partition);
    if (d->status == 0 && d->offset >= 0) mm_span_attr_int(sp, "messaging.kafka.offset", d->offset);
    if (d->status != 0) mm_span_set_error(sp, d->error ? d->error : "delivery failed");
    mm_span_end(sp);
}
