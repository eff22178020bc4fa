/* subscription_trace.c -- the spans of subscription operations and of the
 * events delivered to them (subscription_trace.h). */
#include "service/subscription_trace.h"

#include <stdio.h>
#include <string.h>

#include "bus/event_trace.h"

mm_span *mm_subscription_trace_begin(const mm_trace_ctx *request, const char *transport,
                                     const char *field, const char *operation_name) {
    bool has_parent = request && request->valid;
    /* Over SSE the parent is the request's own server span: the operation is
     * its INTERNAL child. Over WebSocket the operation is a request of its
     * own, received as a message: a SERVER span, whose parent is the
     * context the upgrade request carried (the client's span), if any. */
    bool ws = transport && strcmp(transport, "ws") == 0;
    mm_span_kind kind = has_parent && !ws ? MM_SPAN_INTERNAL : MM_SPAN_SERVER;
    char name[MM_SPAN_NAME_MAX];
    if (operation_name && *operation_name)
        snprintf(name, sizeof name, "subscription %s", operation_name);
    else
        snprintf(name, sizeof name, "subscription");
    mm_span *sp = mm_span_start(name, kind, has_parent ? request : NULL);
    if (sp == NULL) return NULL;
    mm_span_attr_const(sp, "graphql.operation.type", "subscription");
    mm_span_attr_str(sp, "graphql.operation.name", operation_name);
    mm_span_attr_str(sp, "metamorphosis.subscription.field", field);
    mm_span_attr_str(sp, "metamorphosis.subscription.transport", transport);
    return sp;
}

void mm_subscription_trace_end(mm_span *sp, uint64_t events_delivered) {
    if (sp == NULL) return;
    mm_span_attr_int(sp, "metamorphosis.subscription.events_delivered", (int64_t)events_delivered);
    mm_span_end(sp);
}

mm_span *mm_subscription_trace_event_begin(const mm_event *ev, const char *topic) {
    mm_trace_ctx parent;
    bool has = mm_event_trace_get(ev, &parent);
    mm_span *sp = mm_span_start_named("process ", topic, MM_SPAN_CONSUMER, has ? &parent : NULL);
    if (sp == NULL) return NULL;
    mm_span_attr_const(sp, "messaging.system", "kafka");
    mm_span_attr_const(sp, "messaging.operation.type", "process");
    mm_span_attr_const(sp, "messaging.operation.name", "deliver");
    mm_span_attr_str(sp, "messaging.destination.name", topic);
    mm_span_attr_str(sp, "messaging.message.id", ev->id);
    mm_span_attr_str(sp, "cloudevents.event_id", ev->id);
    mm_span_attr_str(sp, "cloudevents.event_type", ev->type);
    return sp;
}

void mm_subscription_trace_event_link(mm_span *ev_sp, const mm_span *op_sp) {
    if (ev_sp == NULL || op_sp == NULL) return;
    mm_span_add_link(ev_sp, &op_sp->ctx);
}

void mm_subscription_trace_event_end(mm_span *sp, size_t executions, size_t deliveries) {
    if (sp == NULL) return;
    if (executions == 0) {
        mm_span_free(sp);
        return;
    }
    mm_span_attr_int(sp, "metamorphosis.subscription.executions", (int64_t)executions);
    mm_span_attr_int(sp, "metamorphosis.subscription.deliveries", (int64_t)deliveries);
    mm_span_end(sp);
}
