/* dlq_reader.h -- reading, replaying and purging a dead-letter topic
 * ("<topic>.dlq", docs/dlq.md), for `gregor dlq`.
 *
 * Everything here is bounded: reading a partition stops at the high
 * watermark captured when the topic was opened (messages dead-lettered
 * afterwards are not waited for), and every call that talks to the broker
 * takes a deadline. */
#ifndef MM_BUS_DLQ_READER_H
#define MM_BUS_DLQ_READER_H

#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/envelope.h"
#include "bus/kafka_conf.h"

/* Prefix shared by every dead-letter header (producer.h, MM_DLQ_HDR_*). */
#define MM_DLQ_HDR_PREFIX "mm_dlq_"
/* How many times `gregor dlq replay` sent this message back; the consumer
 * keeps it when a replayed message is dead-lettered again (it is not among
 * the mm_dlq_* headers that mm_producer_send_dead_letter replaces). */
#define MM_DLQ_HDR_REPLAYS "mm_dlq_replays"
/* Set by the producer instead of the value when the original was too large
 * to copy (the same definition as producer.h's, where it exists). */
#ifndef MM_DLQ_HDR_VALUE_BYTES
#define MM_DLQ_HDR_VALUE_BYTES "mm_dlq_value_bytes"
#endif

/* One partition of the dead-letter topic as it was when opened. */
typedef struct mm_dlq_partition {
    int32_t id;
    int64_t low;  /* first offset still stored */
    int64_t high; /* the next offset to be written (high watermark) */
} mm_dlq_partition;

/* A reader on one dead-letter topic (a consumer without a group). */
typedef struct mm_dlq mm_dlq;

/* Opens topic (the full name, e.g. "orders.dlq"): metadata and watermarks of
 * every partition, within timeout_ms. MM_ENOTFOUND when the topic does not
 * exist; MM_EKAFKA / MM_ETIMEDOUT otherwise, with err set. */
mm_dlq *mm_dlq_open(const char *bootstrap, const mm_kv *props, size_t nprops, const char *topic,
                    int timeout_ms, int *rc, char *err, size_t err_size);
void mm_dlq_close(mm_dlq *d);

const char *mm_dlq_topic(const mm_dlq *d);
size_t mm_dlq_partition_count(const mm_dlq *d);
const mm_dlq_partition *mm_dlq_partition_at(const mm_dlq *d, size_t i);
/* The partition with this id, or NULL. */
const mm_dlq_partition *mm_dlq_partition_find(const mm_dlq *d, int32_t id);

/* Called for each message read; return 0 to go on, 1 to stop reading. */
typedef int (*mm_dlq_read_fn)(void *ud, const rd_kafka_message_t *m);

/* Reads partition from offset `from` up to (excluding) `to`, both clamped to
 * the partition's [low, high) as opened, calling fn for each message, until
 * fn says stop or deadline_ms (mm_dlq_now_ms clock) passes. Returns 0,
 * MM_ETIMEDOUT (err says how far it got) or MM_EKAFKA. */
int mm_dlq_read(mm_dlq *d, int32_t partition, int64_t from, int64_t to, long long deadline_ms,
                mm_dlq_read_fn fn, void *ud, char *err, size_t err_size);

/* The offsets group has committed on each partition of the topic (-1: none),
 * into out[mm_dlq_partition_count]. */
int mm_dlq_committed(mm_dlq *d, const char *group, int64_t *out, int timeout_ms, char *err,
                     size_t err_size);

/* How many members the group has now (0 for an empty or unknown group), and
 * its state's name in state (e.g. "Stable", "Empty", "Dead"). */
int mm_dlq_group_members(mm_dlq *d, const char *group, int *members, char *state, size_t state_size,
                         int timeout_ms, char *err, size_t err_size);

/* Commits offsets[i] for partition i (offsets[i] < 0: leave it) for group on
 * the topic, synchronously, within timeout_ms. */
int mm_dlq_commit(mm_dlq *d, const char *group, const int64_t *offsets, int timeout_ms, char *err,
                  size_t err_size);

/* A dead letter's metadata from its mm_dlq_* headers, and the event when it
 * decodes. Every string is owned (mm_dlq_letter_clear), NULL when absent. */
typedef struct mm_dlq_letter {
    int32_t partition;
    int64_t offset;
    int64_t timestamp_ms; /* the Kafka message timestamp, -1 when none */
    bool has_dlq_headers; /* any mm_dlq_* header */
    char *reason;
    char *source_topic;
    int32_t source_partition; /* -1 when absent or not a number */
    int64_t source_offset;    /* -1 when absent or not a number */
    char *group;
    char *time;
    long replays;           /* mm_dlq_replays; 0 when absent, -1 when not a number */
    int64_t value_left_out; /* mm_dlq_value_bytes: the original's length when
                                    its value was not kept; -1 when it was */
    char *event_id;         /* when the message decodes as an event */
    char *event_type;
    char decode_error[MM_ENVELOPE_REASON_MAX]; /* "" when it decodes */
} mm_dlq_letter;

/* Parses m into out (overwritten). MM_ENOMEM or 0. */
int mm_dlq_letter_parse(const rd_kafka_message_t *m, mm_dlq_letter *out);
void mm_dlq_letter_clear(mm_dlq_letter *l);

/* How many leading bytes of s[0..len) are valid UTF-8 (len when all are). */
size_t mm_dlq_utf8_valid_prefix(const unsigned char *s, size_t len);

/* A producer that sends dead letters back to their source topic. */
typedef struct mm_dlq_replayer mm_dlq_replayer;

mm_dlq_replayer *mm_dlq_replayer_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                                     char *err, size_t err_size);

/* Enqueues m's key, value and headers (without any mm_dlq_* header, plus
 * mm_dlq_replays = replays) for topic. Returns the slot number of this send
 * (0, 1, ...) or a negative MM_E* code with err set. */
int mm_dlq_replayer_send(mm_dlq_replayer *r, const rd_kafka_message_t *m, const char *topic,
                         long replays, char *err, size_t err_size);

/* Waits until every send is acknowledged or failed, or timeout_ms passes.
 * Returns 0 when all were acknowledged, else MM_EKAFKA / MM_ETIMEDOUT. */
int mm_dlq_replayer_wait(mm_dlq_replayer *r, int timeout_ms);

/* The outcome of send `slot` after wait: 0 acknowledged (partition and
 * offset filled), 1 still unknown, or -1 failed (error filled). */
int mm_dlq_replayer_result(const mm_dlq_replayer *r, int slot, int32_t *partition, int64_t *offset,
                           const char **error);

void mm_dlq_replayer_free(mm_dlq_replayer *r);

/* Milliseconds on a monotonic clock (deadlines). */
long long mm_dlq_now_ms(void);

#endif
