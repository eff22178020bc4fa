/* limits.h -- the one set of size limits that every entry point of an event
 * checks: what a mutation may publish (service/mutation.c via
 * mm_producer_send_entry), what the consumer accepts off a topic and what its
 * handler may emit (bus/envelope.c, bus/producer.c), and what the result
 * store can key (store/results.c). An event that could not complete its
 * journey is refused where it enters, with a reason naming the limit,
 * instead of failing later inside a worker.
 *
 * The numbers follow librdkafka's and Kafka's defaults: a produced message
 * may not exceed message.max.bytes (1,000,000). An event entering through a
 * mutation (or read off a topic) must leave room for what a handler adds
 * when it emits a result derived from it (its own id, cause id, source and
 * type), so it gets 64 KiB less. */
#ifndef MM_BUS_LIMITS_H
#define MM_BUS_LIMITS_H

/* The largest Kafka message the framework produces (librdkafka's
 * message.max.bytes default; the broker's default is about the same). */
#define MM_LIMIT_MESSAGE_BYTES 1000000
/* The largest event value (JSON data) accepted from a mutation or off a
 * topic: MM_LIMIT_MESSAGE_BYTES minus 64 KiB of headroom for emits. */
#define MM_LIMIT_EVENT_BYTES (MM_LIMIT_MESSAGE_BYTES - 65536)
/* The longest event id, reply-to server id and cause id (ce_id,
 * ce_mmreplyto, ce_mmcauseid), so that "<prefix>:result:<id>" and
 * "<prefix>:done:<server>" always fit MM_LIMIT_STORE_KEY. */
#define MM_LIMIT_ID_BYTES 200
/* The longest key prefix of the result store. */
#define MM_LIMIT_PREFIX_BYTES 64
/* Size of a buffer holding any result key or channel (with its NUL). */
#define MM_LIMIT_STORE_KEY (MM_LIMIT_PREFIX_BYTES + 16 + MM_LIMIT_ID_BYTES + 1)

#endif
