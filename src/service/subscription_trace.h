/* subscription_trace.h -- spans of GraphQL subscriptions (docs/tracing.md,
 * "Subscriptions"): one span per subscription operation, from its start to
 * its end, and one messaging "process" span per event a server loop
 * delivered to its subscribers, in the event's own trace. The hooks in
 * subscriptions.c are marked `trace:`; each of these is called only when
 * mm_trace_enabled() (or with a NULL span, a no-op).
 *
 * Why these two (OpenTelemetry semantic conventions):
 * - The operation span follows the GraphQL server conventions: named
 *   "subscription <operationName>" ("subscription" alone without a name),
 *   graphql.operation.type and graphql.operation.name. Over SSE it is a
 *   child of the request's HTTP server span (INTERNAL: the conventions
 *   leave SERVER to the span that received the request); over WebSocket an
 *   operation arrives as a message on a connection whose request has ended,
 *   so it is a SERVER span: a child of the context the upgrade request
 *   carried (its traceparent, the client's span), or the root of its own
 *   trace when it carried none. It ends when the operation does
 *   (complete, client gone, error) and counts the events it was sent
 *   (metamorphosis.subscription.events_delivered).
 * - Delivering an event is messaging "process" work of the server, and the
 *   messaging conventions put a message's processing in the message's
 *   trace: the span's parent is the event's ce_traceparent (the producer's
 *   publish span), so a mutation's trace shows which subscribers were told.
 *   One span per event and server loop, not per subscriber: the execution
 *   runs once per group of identical subscriptions and a fan-out to 10,000
 *   subscribers must not cost 10,000 spans; it counts the executions and
 *   the subscribers written, and links (OTLP span links, at most
 *   MM_SPAN_LINKS_MAX) to the operation spans it delivered to, the
 *   conventions' way to relate work that spans traces. */
#ifndef MM_SERVICE_SUBSCRIPTION_TRACE_H
#define MM_SERVICE_SUBSCRIPTION_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "bus/envelope.h"
#include "common/trace.h"

/* Starts the operation's span: parent the request's context: over SSE its
 * server span (the operation is its INTERNAL child), over WebSocket the
 * context the upgrade request carried (a SERVER span, the root of its own
 * trace when the upgrade carried none). transport: "sse", "sse1" or "ws"
 * (mm_http_stream_kind). */
mm_span *mm_subscription_trace_begin(const mm_trace_ctx *request, const char *transport,
                                     const char *field, const char *operation_name);

/* Ends it with the count of events sent to it; NULL: no-op. */
void mm_subscription_trace_end(mm_span *sp, uint64_t events_delivered);

/* Starts the "process <topic>" span of ev on one server loop. */
mm_span *mm_subscription_trace_event_begin(const mm_event *ev, const char *topic);

/* An operation span that event span ev_sp delivered to: linked (the first
 * MM_SPAN_LINKS_MAX). NULLs: no-op. */
void mm_subscription_trace_event_link(mm_span *ev_sp, const mm_span *op_sp);

/* Ends it (executions: results computed, deliveries: subscribers written);
 * with no execution it is dropped unexported (the loop had no subscriber
 * for the event). NULL: no-op. */
void mm_subscription_trace_event_end(mm_span *sp, size_t executions, size_t deliveries);

#endif
