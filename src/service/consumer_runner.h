/* consumer_runner.h -- one worker running one consumer of a service.
 *
 * It joins the consumer's Kafka group and runs every event of a handled
 * type through a delivery state machine (consumer_runner.c): the service's
 * handler is called with an mm_handler through which it emits events, raises
 * or asks for a retry; its emits are published asynchronously (or an
 * ExceptionEvent if it raised), its result is stored when the consumer saves
 * results, and only then may the event's offset be committed (in offset
 * order per partition): at-least-once, with a re-delivered event
 * overwriting its own result. Many events are in flight at once; handlers
 * are called one at a time unless the consumer asks for concurrency.
 * Messages that do not decode, whose type no loaded service defines, or
 * that cannot complete (docs/reliability.md) go to "<topic>.dlq". */
#ifndef MM_SERVICE_CONSUMER_RUNNER_H
#define MM_SERVICE_CONSUMER_RUNNER_H

#include <signal.h>
#include <stdint.h>

#include "bus/consumer.h"
#include "graphql/type/schema.h"
#include "service/runtime.h"
#include "service/service_internal.h"
#include "service/worker_metrics.h"

/* The event type of exception events (the original's ExceptionEvent). */
#define MM_EXCEPTION_EVENT_TYPE "ExceptionEvent"

typedef struct mm_runner_options {
    uint64_t max_messages;               /* retire after this many handled; 0: never */
    volatile sig_atomic_t *stop_flag;    /* set by a signal handler to stop */
    mm_consumer_progress_cb on_progress; /* optional, see bus/consumer.h */
    void *progress_ud;
    /* Called on the worker thread right before / after the service handler runs
     * for ev (crash attribution). May be NULL. */
    void (*on_handle_begin)(void *hook_ud, const mm_event *ev, const mm_message_info *info);
    void (*on_handle_end)(void *hook_ud, const mm_event *ev);
    /* How many workers this event has already crashed (NULL: 0). When it is
     * >= max_crashes (0 means 3) the runner does not call the handler: it stores
     * an error result with code WORKER_CRASHED for the caller, dead-letters the
     * message with reason "crashed N workers", and marks it done. */
    int (*crash_count)(void *hook_ud, const mm_event *ev);
    void *hook_ud;
    unsigned max_crashes;
    /* Event counters and latencies (worker_metrics.h), updated with relaxed
     * atomics from the loop and handler threads; NULL: none kept. */
    mm_worker_metrics *metrics;
    /* Exactly-once mode: the worker slot's stable transactional.id (the node
     * passes its group.instance.id, <node>.<service>.<consumer>.<slot>).
     * NULL: service/consumer_txn.c derives one from the host name. */
    const char *transactional_id;
    /* Passed to the consumer (bus/consumer.h): a node's standby waits for
     * its go in before_join; on_final_commit lets its predecessor hand over
     * before closing, on_handover before its final commit. NULL: none. */
    int (*before_join)(void *ud, uint64_t *max_messages,
                       rd_kafka_topic_partition_list_t **start_at);
    void (*on_handover)(void *ud, const rd_kafka_topic_partition_list_t *done);
    void (*on_final_commit)(void *ud);
    void *join_ud;
    const mm_consumer_overlap_hooks *overlap; /* with join_ud; NULL: none */
} mm_runner_options;

/* A worker process's allocator settings: glibc keeps one malloc arena
 * (M_ARENA_MAX 1) instead of one per thread that allocates, so what the
 * client threads free can be given back by the idle trim (bus/consumer.c)
 * and is not left resident in per-thread heaps (~0.5-1.4 MiB of a ~11 MiB
 * worker after load, noisy A/B). Call first thing in the process (or the
 * forked child), before any thread is started; a no-op without glibc. */
void mm_consumer_runner_process_setup(void);

/* Runs the consumer until stopped or its budget is spent. schema is the
 * merged schema (the event types it defines are the known types). Returns
 * an mm_consumer_exit (>= 0) or a negative mm_error with err set. */
int mm_consumer_runner_run(mm_runtime *rt, const mm_gql_schema *schema,
                           const mm_consumer_spec *spec, const mm_runner_options *opts, char *err,
                           size_t err_size);

#endif
