/* event_trace.h -- trace context on events: the CloudEvents distributed
 * tracing extension (traceparent, tracestate; on Kafka the ce_traceparent and
 * ce_tracestate headers in binary mode, attributes in structured mode) and
 * the messaging "publish" span of every traced event the producer sends
 * (docs/tracing.md). Every function is called only when mm_trace_enabled(). */
#ifndef MM_BUS_EVENT_TRACE_H
#define MM_BUS_EVENT_TRACE_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>

#include "bus/envelope.h"
#include "bus/producer.h"
#include "common/trace.h"

/* Extension attribute names (headers: "ce_" + name). */
#define MM_EXT_TRACEPARENT "traceparent"
#define MM_EXT_TRACESTATE  "tracestate"

/* Sets ev's trace context to ctx (the parent of what the event causes; the
 * producer writes its publish span's as ce_traceparent): kept as bytes in
 * ev->trace, not as extension text (envelope.h), written by the encoder in
 * place of any traceparent/tracestate extension ev has. ctx NULL or
 * invalid: leaves ev alone. 0 or MM_ENOMEM. */
int mm_event_trace_set(mm_event *ev, const mm_trace_ctx *ctx);

/* ev's trace context: the one this process set (ev->trace), else from its
 * extensions: true and *out filled when ev has a valid traceparent (an
 * invalid tracestate is dropped alone). */
bool mm_event_trace_get(const mm_event *ev, mm_trace_ctx *out);

/* The producer, before encoding ev for topic: when ev carries a trace
 * context, starts its "publish <topic>" span (kind PRODUCER, child of that
 * context) and writes the span's traceparent into tp, which the producer
 * encodes as ce_traceparent instead of the event's own
 * (mm_envelope_encode_ext), so the consumer's span is its child: no header
 * is written twice. NULL (tp untouched) when ev is not traced. */
mm_span *mm_event_trace_publish_start(const mm_event *ev, const char *topic,
                                      char tp[MM_TRACEPARENT_LEN + 1]);

/* The delivery report of a traced send: partition, offset or the error; ends
 * the span. */
void mm_event_trace_delivered(mm_span *sp, const mm_delivery *d);

#endif
