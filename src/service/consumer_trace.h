/* consumer_trace.h -- the consumer's spans (docs/tracing.md): "process
 * <topic>" around the whole handling of one event (handler call, its emits
 * and its stored result), a child of the trace context the event carries
 * (ce_traceparent) or the root of a new trace; and the Redis span of the
 * stored result. consumer_runner.c calls these only when mm_trace_enabled(). */
#ifndef MM_SERVICE_CONSUMER_TRACE_H
#define MM_SERVICE_CONSUMER_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "bus/consumer.h"
#include "bus/envelope.h"
#include "common/trace.h"

/* The process span of ev (consumer: the consumer's name; group: its group). */
mm_span *mm_consumer_trace_begin(const mm_event *ev, const mm_message_info *info,
                                 const char *consumer, const char *group);

/* The result of ev stored in Redis between start_ns and now (status 0 or
 * an mm_error, err its text): a child span of the process span. */
void mm_consumer_trace_store(const mm_span *process, uint64_t start_ns, int status,
                             const char *err);

/* Ends the process span; dead: the event was dead-lettered. */
void mm_consumer_trace_end(mm_span *process, bool dead);

#endif
