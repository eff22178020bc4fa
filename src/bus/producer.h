/* producer.h -- publishing events to Kafka.
 *
 * One idempotent producer (enable.idempotence=true, acks=all) per process is
 * enough: it is thread-safe, and a background thread serves its delivery
 * reports so that a synchronous send returns as soon as the broker has
 * acknowledged the message. Events are encoded with the CloudEvents binary
 * envelope (envelope.h). Messages that consumers cannot process are copied
 * verbatim to "<topic>.dlq" with mm_dlq_* headers (docs/wire-format.md). */
#ifndef MM_BUS_PRODUCER_H
#define MM_BUS_PRODUCER_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/envelope.h"
#include "bus/kafka_conf.h"

/* Suffix of dead-letter topics: orders -> orders.dlq. */
#define MM_DLQ_SUFFIX ".dlq"
/* Headers added to a dead-lettered message. */
#define MM_DLQ_HDR_REASON "mm_dlq_reason"
#define MM_DLQ_HDR_TOPIC "mm_dlq_source_topic"
#define MM_DLQ_HDR_PARTITION "mm_dlq_partition"
#define MM_DLQ_HDR_OFFSET "mm_dlq_offset"
#define MM_DLQ_HDR_GROUP "mm_dlq_group"
#define MM_DLQ_HDR_TIME "mm_dlq_time"

typedef struct mm_producer mm_producer;

/* The outcome of one send, as the broker reported it. */
typedef struct mm_delivery {
    int status;          /* 0, or MM_EKAFKA / MM_ETIMEDOUT */
    const char *error;   /* librdkafka's text when status != 0, else NULL */
    const char *topic;
    int32_t partition;   /* -1 when unknown */
    int64_t offset;      /* -1 when unknown */
} mm_delivery;

/* Called once per async send, on the producer's delivery thread (or, for
 * messages still queued at mm_producer_free, on the freeing thread). d and
 * its strings are valid only during the call. */
typedef void (*mm_delivery_cb)(void *ud, const mm_delivery *d);

/* A message to dead-letter: the original bytes and where they came from. */
typedef struct mm_dead_letter {
    const char *topic;              /* source topic; the DLQ is topic + ".dlq" */
    int32_t partition;
    int64_t offset;
    const void *key;                /* may be NULL */
    size_t key_len;
    const void *value;              /* may be NULL */
    size_t value_len;
    const rd_kafka_headers_t *headers; /* original headers, may be NULL */
    const char *reason;             /* why it was rejected */
    const char *group;              /* consumer group that rejected it, may be NULL */
} mm_dead_letter;

/* Creates a producer for bootstrap ("host:port,..."). props (may be NULL)
 * are librdkafka properties applied after the framework's defaults
 * (enable.idempotence=true, acks=all, linger.ms=0, message.timeout.ms=30000);
 * "kafka.<name>" keys have the prefix stripped. Returns NULL with err set. */
mm_producer *mm_producer_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                             char *err, size_t err_size);

/* Encodes ev and enqueues it for topic; cb (may be NULL) fires once with the
 * outcome. Returns 0 when enqueued; MM_EINVAL (bad event, reason in err) or
 * MM_EKAFKA (producer failed) otherwise, and then cb never fires. */
int mm_producer_send(mm_producer *p, const char *topic, const mm_event *ev, mm_delivery_cb cb,
                     void *ud, char *err, size_t err_size);

/* Sends ev and waits for the broker's acknowledgement. timeout_ms <= 0 waits
 * for the delivery report however long it takes (bounded by
 * message.timeout.ms). On success returns 0 and fills *partition and
 * *offset (either may be NULL). MM_ETIMEDOUT means the outcome is unknown. */
int mm_producer_send_sync(mm_producer *p, const char *topic, const mm_event *ev, int timeout_ms,
                          int32_t *partition, int64_t *offset, char *err, size_t err_size);

/* Copies a rejected message verbatim to "<topic>.dlq", adding the mm_dlq_*
 * headers, and waits for the acknowledgement (timeout as for send_sync). */
int mm_producer_send_dead_letter(mm_producer *p, const mm_dead_letter *dl, int timeout_ms,
                                 char *err, size_t err_size);

/* Waits until every enqueued message is delivered or failed. 0 or MM_ETIMEDOUT. */
int mm_producer_flush(mm_producer *p, int timeout_ms);

/* The underlying handle, e.g. for admin requests. Owned by p. */
rd_kafka_t *mm_producer_rdkafka(mm_producer *p);

/* Flushes (up to 10 s), fails whatever is still queued (their callbacks fire
 * with an error), stops the delivery thread and frees p. NULL is a no-op. */
void mm_producer_free(mm_producer *p);

#endif
