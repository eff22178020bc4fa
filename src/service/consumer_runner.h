/* consumer_runner.h -- one worker running one consumer of a service.
 *
 * It joins the consumer's Kafka group and, for every event of a handled
 * type, calls the service's handler with an mm_handler through which the
 * handler emits events or raises. When the handler returns, the runner
 * publishes what it emitted (or an ExceptionEvent on the service topic if it
 * raised), stores the result when the consumer saves results, and only then
 * lets the offset be committed: at-least-once, with a re-delivered event
 * overwriting its own result. Messages that do not decode, or whose type no
 * loaded service defines, go to "<topic>.dlq". */
#ifndef MM_SERVICE_CONSUMER_RUNNER_H
#define MM_SERVICE_CONSUMER_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "bus/consumer.h"
#include "graphql/type/schema.h"
#include "service/runtime.h"
#include "service/service_internal.h"

/* The event type of exception events (the original's ExceptionEvent). */
#define MM_EXCEPTION_EVENT_TYPE "ExceptionEvent"

typedef struct mm_runner_options {
    uint64_t max_messages;             /* retire after this many handled; 0: never */
    volatile sig_atomic_t *stop_flag;  /* set by a signal handler to stop */
    mm_consumer_progress_cb on_progress; /* optional, see bus/consumer.h */
    void *progress_ud;
} mm_runner_options;

/* Runs the consumer until stopped or its budget is spent. schema is the
 * merged schema (the event types it defines are the known types). Returns
 * an mm_consumer_exit (>= 0) or a negative mm_error with err set. */
int mm_consumer_runner_run(mm_runtime *rt, const mm_gql_schema *schema, const mm_consumer_spec *spec,
                           const mm_runner_options *opts, char *err, size_t err_size);

#endif
