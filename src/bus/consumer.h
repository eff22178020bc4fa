/* consumer.h -- the consumer-group member loop: poll, decode, dispatch,
 * commit, with at-least-once delivery.
 *
 * For each message the loop decodes the CloudEvents envelope. A message that
 * does not decode (or names a type the service does not know) is copied to
 * "<topic>.dlq" with the reason and the loop goes on. A valid event whose
 * type this consumer does not handle is skipped. Otherwise the handler runs;
 * when it returns 0 its outputs are durable (it has waited for its produce
 * acks and its result store) and only then is the offset committed. So a
 * crash at any point re-delivers the message; handlers must be idempotent
 * (a re-delivered event overwrites its own result).
 *
 * A message's offset is stored only after its handler returned (so only
 * durable outcomes are ever committed: enable.auto.offset.store=false), and
 * librdkafka's background committer sends the stored offsets every 100 ms
 * (enable.auto.commit=true, auto.commit.interval.ms=100). Committing per
 * message was measured to flood the group coordinator: 20,000 queued
 * OffsetCommit requests held back heartbeats for 45 s and throttled a
 * worker to ~120 events/s. A commit lost in a crash only re-delivers, which
 * at-least-once allows. sync_commit instead waits for a commit after every
 * message. Before partitions are revoked and before leaving the group the
 * loop always commits synchronously.
 * Defaults: queued.max.messages.kbytes=256 and max.partition.fetch.bytes=
 * 262144 (prefetch sized for a worker: librdkafka's 64 MiB default made a
 * worker draining a backlog grow past 70 MiB, and with 1 MiB of prefetch and
 * 1 MiB fetches its peak was ~19-20 MiB against ~14 MiB with 256 KiB, at
 * the same drain speed, since the loop wakes the fetcher when the queue runs
 * dry after filling up (see nudge_fetcher in consumer.c); a larger batch is
 * still fetched whole; queued.min.messages stays at its default, since
 * lowering it to 1000 was measured to throttle fetching to ~5,000 events/s),
 * auto.offset.reset=earliest (a new group reads what was published
 * before it joined), fetch.wait.max.ms=100 against a real broker (it
 * answers a fetch as soon as data arrives; this only bounds idle fetches:
 * 10 a second) and 10 against the development mock broker, which waits the
 * full time (known by its cluster id; unknown within 1 s: 10). */
#ifndef MM_BUS_CONSUMER_H
#define MM_BUS_CONSUMER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/envelope.h"
#include "bus/kafka_conf.h"
#include "bus/producer.h"

typedef struct mm_consumer mm_consumer;

/* One message in flight in pipelined mode (see mm_consumer_start_fn). */
typedef struct mm_consumer_slot mm_consumer_slot;

/* Where a message came from. */
typedef struct mm_message_info {
    const char *topic;
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms; /* broker/producer timestamp, -1 if none */
} mm_message_info;

/* Handles one event. Returns 0 once everything it produced and stored is
 * durable: the message is then committed. A negative return means a
 * transient infrastructure failure (Kafka or Redis unreachable): the same
 * event is offered again after a backoff (100 ms doubling to 5 s), up to
 * max_attempts calls in all; then it is dead-lettered with the reason
 * "handler failed N times (transient failures persisted)" and committed, so
 * no message stops its partition. Application errors are not failures here:
 * the service layer turns them into exception events and returns 0. */
typedef int (*mm_consumer_handler)(void *ud, const mm_event *ev, const mm_message_info *info);

/* Pipelined mode: many messages in flight, each finished later.
 *
 * start is called on the loop thread for every event to handle, in offset
 * order per partition. ev belongs to the slot and stays valid until the slot
 * is finished with mm_consumer_slot_done (on the loop thread: from start
 * itself or from pump). The loop stores a partition's offset only up to the
 * lowest message not yet done (an in-order watermark), so whatever is
 * committed is durable however the process ends. The number and bytes of
 * messages started and not done are bounded (max_in_flight,
 * max_in_flight_bytes); while the window is full the loop stops consuming.
 *
 * pump is called on every turn of the loop (after the producer's delivery
 * reports are served, mm_producer_poll_on_caller): it advances whatever is in
 * flight and returns how many ms it can wait before it must run again (-1:
 * only when something happens, 0: at once). The loop sleeps on the consumer
 * queue and the producer's queue together, so a new message or a delivery
 * report wakes it with no thread handoff. */
typedef void (*mm_consumer_start_fn)(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                                     const mm_message_info *info);
typedef int (*mm_consumer_pump_fn)(void *ud);

/* How a slot ended. */
typedef enum mm_slot_outcome {
    MM_SLOT_HANDLED = 0, /* counted as handled */
    MM_SLOT_SKIPPED = 1, /* counted as skipped */
    MM_SLOT_DEAD = 2,    /* counted as dead-lettered */
} mm_slot_outcome;

/* Counters of what the loop did with the messages it consumed. */
typedef struct mm_consumer_stats {
    uint64_t handled;       /* handler returned 0 */
    uint64_t skipped;       /* valid events of types this consumer does not handle */
    uint64_t dead_lettered; /* copied to the DLQ */
    uint64_t retries;       /* handler or DLQ attempts that failed and were retried */
    uint64_t commit_errors; /* commits the broker refused (the message may come again) */
    uint64_t fetch_nudges;  /* pipelined mode: fetchers woken after a full prefetch queue */
} mm_consumer_stats;

/* Exactly-once mode (pipelined only; service/consumer_txn.c). The loop
 * commits no offsets of its own and auto-commit is off: each partition's
 * watermark is collected for the open transaction instead. Once due() says
 * the transaction should end, the loop takes no new message until nothing is
 * in flight, then calls commit() with the collected offsets. On
 * MM_TXN_ABORTED (bus/transaction.h) the loop seeks every assigned partition
 * back to its committed offset and handles those events again; on a
 * negative answer it stops with MM_EKAFKA. Stopping, or losing partitions to
 * a rebalance, commits the same way when nothing is in flight and otherwise
 * aborts (and, for a rebalance, stops the loop). The consumer reads with
 * isolation.level=read_committed. All three run on the loop thread. */
typedef struct mm_consumer_txn_hooks {
    /* ms until the open transaction is due (0: now); events and bytes are
     * what was taken since the last commit (at least one event or offset). */
    int (*due)(void *ud, size_t events, size_t bytes);
    int (*commit)(void *ud, rd_kafka_t *consumer, const rd_kafka_topic_partition_list_t *offsets);
    void (*abort)(void *ud);
    void *ud;
} mm_consumer_txn_hooks;

/* Called after each message is disposed of (handled, skipped or
 * dead-lettered). Return nonzero to stop the loop after this message, e.g.
 * when a worker's harakiri budget is spent. */
typedef int (*mm_consumer_progress_cb)(void *ud, const mm_consumer_stats *stats);

/* An overlapped hand-over between a retiring static member and its
 * replacement (node/worker.c; docs/node.md, "Overlapped hand-over"). Every
 * hook runs on the loop thread with mm_consumer_config.join_ud; any may be
 * NULL.
 *
 * The retiring side: on_budget is called once, in pipelined mode without
 * txn, when the events taken reach max_messages. Returning nonzero lifts
 * the budget: the loop goes on taking and handling events until it is
 * stopped (stop_flag, mm_consumer_stop, or a commit or heartbeat refused
 * as fenced: its replacement joined), then ends as at its budget
 * (MM_CONSUMER_BUDGET, on_handover with the offsets of what is done, the
 * final commit, whose fencing is not an error).
 *
 * The replacement's side: handover_fd, called once before subscribing,
 * returns a descriptor on which the handed-over offsets will arrive (-1:
 * none follow). Then the member's first assignment is not applied: the
 * consumer calls on_assigned, keeps the partitions, and asks handover_read
 * on every turn of its loop (waking when the descriptor is readable)
 * until it answers 1, having set *start_at to the handed offsets (the
 * consumer takes the list) or left it NULL (start at the committed
 * offsets: none came, or their wait expired; the hook owns the deadline).
 * Only then does it assign (librdkafka 2.0.2 accepts an assign call after
 * the rebalance callback returned: the group stays in WAIT_ASSIGN_CALL,
 * heartbeating, until it comes). */
typedef struct mm_consumer_overlap_hooks {
    int (*on_budget)(void *ud, int partitions); /* partitions: assigned now */
    int (*handover_fd)(void *ud);
    void (*on_assigned)(void *ud);
    int (*handover_read)(void *ud, rd_kafka_topic_partition_list_t **start_at);
} mm_consumer_overlap_hooks;

typedef struct mm_consumer_config {
    const char *bootstrap;     /* "host:port,..." */
    const char *group_id;      /* consumer group (default: the consumer's name) */
    const char *const *topics; /* topics to subscribe to */
    size_t topic_count;
    const char *const *handled_types; /* event types the handler gets; NULL/0: all */
    size_t handled_count;
    const char *const *known_types; /* types the service defines; others are
                                          dead-lettered; NULL/0: no check */
    size_t known_count;
    mm_consumer_handler handler;
    void *handler_ud;
    mm_producer *producer; /* for dead letters; NULL: the consumer makes one */
    const mm_kv *props;    /* librdkafka properties, passed through */
    size_t prop_count;
    uint64_t max_messages; /* stop after this many handled events; 0: no limit */
    int sync_commit;       /* nonzero: wait for each commit's answer */
    unsigned max_attempts; /* handler calls per message, and attempts to
                                          dead-letter one, before giving up on it
                                          (synchronous mode); 0: 8 */
    mm_consumer_progress_cb on_progress;
    void *progress_ud;
    volatile sig_atomic_t *stop_flag; /* optional: a signal handler sets it nonzero */
    /* Pipelined mode (set start instead of handler; see above). */
    mm_consumer_start_fn start;
    mm_consumer_pump_fn pump;   /* may be NULL */
    size_t max_in_flight;       /* 0: MM_CONSUMER_DEFAULT_IN_FLIGHT */
    size_t max_in_flight_bytes; /* 0: MM_CONSUMER_DEFAULT_IN_FLIGHT_BYTES */
    /* Optional: called on the loop thread each time the group assigns this
     * member partitions (a rebalance it took part in; worker metrics). */
    void (*on_assign)(void *ud);
    void *assign_ud;
    /* Optional, pipelined mode: called on the loop thread when the loop goes
     * idle after handling messages (a whole poll interval without a wake-up,
     * nothing in flight), once per idle spell, just before the consumer
     * frees its spare slots and trims the heap: the place to give back
     * caches kept for a busy loop (the runner's spare jobs, kept buffers). */
    void (*on_idle)(void *ud);
    const mm_consumer_txn_hooks *txn; /* exactly-once mode (see above); NULL: off */
    /* Optional (a node's standby worker, node/worker.h): mm_consumer_new
     * creates the client but does not subscribe; mm_consumer_run calls
     * before_join first, on its thread, and subscribes only when it returns
     * 0 (nonzero: returns MM_CONSUMER_STOPPED without joining). Meanwhile
     * the client has connected and found its group coordinator. It may
     * change *max_messages (the budget drawn when the member is told to go)
     * and set *start_at to a list (the consumer takes it) of offsets its
     * predecessor handed over: on its first assignment each partition in it
     * starts there instead of at the committed offset, and the consumer
     * commits those offsets at once (asynchronously). Partitions not in the
     * list start at their committed offsets. */
    int (*before_join)(void *ud, uint64_t *max_messages,
                       rd_kafka_topic_partition_list_t **start_at);
    /* Optional, pipelined mode without txn: called on the loop thread when
     * the budget is spent and every event taken is done (nothing in flight),
     * BEFORE the final commit: done lists, per assigned partition, the
     * offset after its last done event (what the final commit stores). A
     * static member's replacement may join from then on (fencing this
     * member's final commit: the replacement commits done itself). */
    void (*on_handover)(void *ud, const rd_kafka_topic_partition_list_t *done);
    /* Optional: called on the loop thread once the final offsets (or the
     * final transaction) are committed, before the consumer closes: from
     * then on a static member's replacement may join. Not called when the
     * loop failed. */
    void (*on_final_commit)(void *ud);
    void *join_ud; /* for all three, and for overlap's hooks */
    /* Optional: an overlapped hand-over (see mm_consumer_overlap_hooks). */
    const struct mm_consumer_overlap_hooks *overlap;
} mm_consumer_config;

#define MM_CONSUMER_DEFAULT_IN_FLIGHT       256
#define MM_CONSUMER_DEFAULT_IN_FLIGHT_BYTES (4u << 20)

/* Why mm_consumer_run returned. */
typedef enum mm_consumer_exit {
    MM_CONSUMER_STOPPED = 0, /* mm_consumer_stop, stop_flag or on_progress */
    MM_CONSUMER_BUDGET = 1,  /* max_messages handled */
} mm_consumer_exit;

/* Creates the consumer and subscribes (the group is joined on the first
 * poll). The config's arrays and strings are copied. NULL with err set on
 * failure (bad property, no topics, no handler, no group). */
mm_consumer *mm_consumer_new(const mm_consumer_config *cfg, char *err, size_t err_size);

/* The consumer's librdkafka handle (its configuration, statistics; the
 * consumer owns it). */
rd_kafka_t *mm_consumer_rdkafka(mm_consumer *c);

/* Runs the loop on the calling thread until stopped or the budget is spent,
 * then commits and leaves the group. Returns an mm_consumer_exit (>= 0), or
 * MM_EKAFKA on a fatal client error. Call at most once. */
int mm_consumer_run(mm_consumer *c);

/* Asks the loop to stop after the current message; it returns within about
 * 100 ms plus the handler's time. Async-signal-safe. */
void mm_consumer_stop(mm_consumer *c);

/* A snapshot of the counters (safe from any thread). */
void mm_consumer_get_stats(mm_consumer *c, mm_consumer_stats *out);

/* Pipelined mode, on the loop thread: marks slot done (its outcome is
 * durable); the slot and its event are gone after the call. */
void mm_consumer_slot_done(mm_consumer *c, mm_consumer_slot *slot, mm_slot_outcome how);

/* Pipelined mode: copies the slot's message to the dead-letter topic with
 * reason, waiting (up to 30 s) for the acknowledgement. 0 or an mm_error. */
int mm_consumer_slot_dead_letter(mm_consumer *c, mm_consumer_slot *slot, const char *reason);

/* Pipelined mode: stops the loop with MM_EKAFKA (an outage the loop cannot
 * ride out, e.g. the dead-letter topic unreachable). Slots not done stay
 * uncommitted and are delivered again to the next member. */
void mm_consumer_fail(mm_consumer *c, const char *why);

/* Pipelined mode: wakes the loop so that it runs pump soon (from any
 * thread, e.g. a handler thread that finished an event). */
void mm_consumer_wake(mm_consumer *c);

/* Frees the consumer (after mm_consumer_run returned, or if it never ran).
 * NULL is a no-op. */
void mm_consumer_free(mm_consumer *c);

#endif
