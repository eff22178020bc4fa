/* producer.h -- publishing events to Kafka.
 *
 * One idempotent producer (enable.idempotence=true, acks=all) per process is
 * enough: it is thread-safe, and a background thread serves its delivery
 * reports so that a synchronous send returns as soon as the broker has
 * acknowledged the message (or the caller serves them: a worker's own
 * loop, mm_producer_poll_on_caller; a server's event loop,
 * mm_producer_serve_on_loop). Events are encoded with the CloudEvents binary
 * envelope (envelope.h). Messages that consumers cannot process are copied
 * verbatim to "<topic>.dlq" with mm_dlq_* headers (docs/wire-format.md). */
#ifndef MM_BUS_PRODUCER_H
#define MM_BUS_PRODUCER_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/envelope.h"
#include "bus/kafka_conf.h"
#include "bus/limits.h"

/* Suffix of dead-letter topics: orders -> orders.dlq. */
#define MM_DLQ_SUFFIX ".dlq"
/* Headers added to a dead-lettered message. */
#define MM_DLQ_HDR_REASON    "mm_dlq_reason"
#define MM_DLQ_HDR_TOPIC     "mm_dlq_source_topic"
#define MM_DLQ_HDR_PARTITION "mm_dlq_partition"
#define MM_DLQ_HDR_OFFSET    "mm_dlq_offset"
#define MM_DLQ_HDR_GROUP     "mm_dlq_group"
#define MM_DLQ_HDR_TIME      "mm_dlq_time"
/* Set instead of the value when the original was too large to copy. */
#define MM_DLQ_HDR_VALUE_BYTES "mm_dlq_value_bytes"

typedef struct mm_producer mm_producer;

/* The outcome of one send, as the broker reported it. */
typedef struct mm_delivery {
    int status;        /* 0, or MM_EKAFKA / MM_ETIMEDOUT */
    const char *error; /* librdkafka's text when status != 0, else NULL */
    const char *topic;
    int32_t partition; /* -1 when unknown */
    int64_t offset;    /* -1 when unknown */
    int kafka_err;     /* librdkafka's rd_kafka_resp_err_t (0 on success) */
} mm_delivery;

/* Whether a failed delivery is worth another attempt: timeouts, a broker or
 * leader that is away, transport errors. Message too large, an invalid or
 * unauthorized topic and the like are permanent. */
int mm_delivery_is_transient(int kafka_err);

/* Called once per async send, on the producer's delivery thread; after
 * mm_producer_poll_on_caller, on whichever thread calls mm_producer_poll;
 * after mm_producer_serve_on_loop, on the loop thread that calls
 * mm_producer_serve (or, for messages still queued at mm_producer_free, on
 * the freeing thread). d and
 * its strings are valid only during the call. */
typedef void (*mm_delivery_cb)(void *ud, const mm_delivery *d);

/* A message to dead-letter: the original bytes and where they came from. */
typedef struct mm_dead_letter {
    const char *topic; /* source topic; the DLQ is topic + ".dlq" */
    int32_t partition;
    int64_t offset;
    const void *key; /* may be NULL */
    size_t key_len;
    const void *value; /* may be NULL */
    size_t value_len;
    const rd_kafka_headers_t *headers; /* original headers, may be NULL */
    const char *reason;                /* why it was rejected */
    const char *group;                 /* consumer group that rejected it, may be NULL */
} mm_dead_letter;

/* Creates a producer for bootstrap ("host:port,..."). props (may be NULL)
 * are librdkafka properties applied after the framework's defaults
 * (enable.idempotence=true, acks=all, linger.ms=0, message.timeout.ms=30000);
 * "kafka.<name>" keys have the prefix stripped. Returns NULL with err set. */
mm_producer *mm_producer_new(const char *bootstrap, const mm_kv *props, size_t nprops, char *err,
                             size_t err_size);

/* Encodes ev and enqueues it for topic; cb (may be NULL) fires once with the
 * outcome. Returns 0 when enqueued; MM_EINVAL (bad event, reason in err) or
 * MM_EKAFKA (producer failed) otherwise, and then cb never fires. */
int mm_producer_send(mm_producer *p, const char *topic, const mm_event *ev, mm_delivery_cb cb,
                     void *ud, char *err, size_t err_size);

/* mm_producer_send that also hands back the encoded value (the JSON text of
 * ev->data, *value_len bytes, malloc'd; the caller frees it), e.g. to reuse
 * it in the stored result instead of encoding the data again. On failure
 * *value is NULL. */
int mm_producer_send_keep_value(mm_producer *p, const char *topic, const mm_event *ev,
                                mm_delivery_cb cb, void *ud, char **value, size_t *value_len,
                                char *err, size_t err_size);

/* mm_producer_send for an event entering the system (a mutation): refuses
 * with MM_ELIMIT (and a reason naming the limit) an event whose encoded value
 * exceeds MM_LIMIT_EVENT_BYTES (bus/limits.h), so that whatever a consumer
 * emits from it still fits a Kafka message. mm_producer_send refuses only
 * what Kafka would (MM_ELIMIT above MM_LIMIT_MESSAGE_BYTES). */
int mm_producer_send_entry(mm_producer *p, const char *topic, const mm_event *ev, mm_delivery_cb cb,
                           void *ud, char *err, size_t err_size);

/* Sends ev and waits for the broker's acknowledgement. timeout_ms <= 0 waits
 * for the delivery report however long it takes (bounded by
 * message.timeout.ms). On success returns 0 and fills *partition and
 * *offset (either may be NULL). MM_ETIMEDOUT means the outcome is unknown. */
int mm_producer_send_sync(mm_producer *p, const char *topic, const mm_event *ev, int timeout_ms,
                          int32_t *partition, int64_t *offset, char *err, size_t err_size);

/* Copies a rejected message verbatim to "<topic>.dlq", adding the mm_dlq_*
 * headers, and waits for the acknowledgement (timeout as for send_sync). A
 * value too large to produce (over MM_LIMIT_EVENT_BYTES) is left out: the
 * copy then has an empty value and an mm_dlq_value_bytes header with the
 * original length. */
int mm_producer_send_dead_letter(mm_producer *p, const mm_dead_letter *dl, int timeout_ms,
                                 char *err, size_t err_size);

/* Stops the background delivery thread: from now on delivery reports (and
 * async callbacks) run only inside mm_producer_poll, mm_producer_flush and
 * the synchronous sends (which poll while they wait), on the calling thread.
 * A worker's single-threaded event loop uses this to take its delivery
 * reports without a thread handoff. Returns librdkafka's main queue, which
 * the caller may watch with rd_kafka_queue_io_event_enable (the caller
 * destroys the returned reference). NULL if already on the caller. */
rd_kafka_queue_t *mm_producer_poll_on_caller(mm_producer *p);

/* Hands the delivery reports to an event loop: stops the delivery thread
 * and returns a file descriptor (>= 0; owned by p) that becomes readable
 * when reports wait. The loop watches it and calls mm_producer_serve each
 * time it is readable, and once after it starts watching. From then on:
 * delivery callbacks run on the loop thread; a send to a full queue is
 * refused (MM_EKAFKA, "Queue full") instead of blocking; synchronous sends
 * wait for the loop to serve their report, so they must not be called on
 * the loop thread; mm_producer_flush waits for the loop. To leave: stop
 * watching the fd, then mm_producer_poll_in_background or mm_producer_free.
 * Negative MM_E* when the caller polls already (MM_EINVAL) or no pipe can
 * be made (MM_EIO; the delivery thread then keeps running). */
int mm_producer_serve_on_loop(mm_producer *p);

/* On the loop thread, when the fd is readable: serves the reports queued
 * (a bounded number of rounds; if more remain, the fd is made readable
 * again so the loop comes back after its other work). Returns how many. */
int mm_producer_serve(mm_producer *p);

/* Serves ready delivery reports, waiting up to timeout_ms for the first.
 * Returns how many were served. */
int mm_producer_poll(mm_producer *p, int timeout_ms);

/* Undoes mm_producer_poll_on_caller or mm_producer_serve_on_loop (the loop
 * must have stopped watching the fd): restarts the delivery thread. 0, or
 * MM_ENOMEM if the thread cannot start (reports then stay on the caller). */
int mm_producer_poll_in_background(mm_producer *p);

/* Waits until every enqueued message is delivered or failed. 0 or MM_ETIMEDOUT. */
int mm_producer_flush(mm_producer *p, int timeout_ms);

/* The underlying handle, e.g. for admin requests. Owned by p. */
rd_kafka_t *mm_producer_rdkafka(mm_producer *p);

/* Flushes (up to 10 s), fails whatever is still queued (their callbacks fire
 * with an error), stops the delivery thread and frees p. NULL is a no-op. */
void mm_producer_free(mm_producer *p);

#endif
