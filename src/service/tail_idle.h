/* tail_idle.h -- the subscription tail stops fetching while nobody listens.
 *
 * gregor serve's subscription tail reads every subscribed topic from its end
 * so that a new subscriber sees what comes next. With no topic subscriber it
 * used to fetch (and drop) every event anyway: on the forms example at one
 * client that was 2 of the ~6 Kafka requests per synchronous mutation
 * (bench/service/kafka_requests.sh). Now, after `idle_ms` without a topic
 * subscriber, the tail pauses its partitions; the first subscriber resumes
 * them from the offsets of its own start time (ListOffsets by timestamp), so
 * nothing published after it subscribed is skipped and nothing from the idle
 * time is delivered. If that lookup fails, the tail resumes where it paused
 * and drops, undecoded, every event stamped before the subscriber's start
 * for a bounded window (FALLBACK_FILTER_MS).
 *
 * Threads: mm_tail_idle_note_subscriber runs on the I/O thread that counted
 * a topic subscriber; every other function on the tail thread only. */
#ifndef MM_SERVICE_TAIL_IDLE_H
#define MM_SERVICE_TAIL_IDLE_H

#include <librdkafka/rdkafka.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct mm_tail_idle {
    atomic_bool paused;                 /* the tail's partitions are paused */
    _Atomic int64_t first_subscribe_ms; /* wall clock of the first subscriber since; 0 none */
    /* Tail thread only. */
    uint64_t idle_since;      /* monotonic ms when the last subscriber left; 0: listened to */
    int64_t paused_at_ms;     /* wall clock of the pause */
    int64_t drop_before_ms;   /* fallback filter: event timestamps below are dropped ... */
    uint64_t drop_until;      /* ... until this monotonic ms; 0: no filter */
    uint64_t pauses, resumes; /* counted in the log lines */
} mm_tail_idle;

/* I/O thread: a topic subscriber was just counted. If the tail is paused,
 * records the start time the tail resumes from (the first since the pause). */
void mm_tail_idle_note_subscriber(mm_tail_idle *t);

/* Tail thread, once a turn. `listening` says whether a topic subscriber
 * exists now (called again right after the paused flag is raised, so that a
 * subscriber counted meanwhile is never missed). Pauses every assigned
 * partition after idle_ms without subscribers; resumes on the first one.
 * query_ms bounds the ListOffsets and the seek. */
void mm_tail_idle_turn(mm_tail_idle *t, rd_kafka_t *rk, bool (*listening)(void *), void *ud,
                       unsigned idle_ms, int query_ms);

/* Tail thread, after partitions were added to the assignment: while paused
 * they are paused too. */
void mm_tail_idle_assigned(mm_tail_idle *t, rd_kafka_t *rk);

/* Tail thread: true when m was stamped before the resumed subscriber's start
 * and the fallback filter is on (the event is dropped undecoded). */
bool mm_tail_idle_drop(mm_tail_idle *t, const rd_kafka_message_t *m);

#endif
