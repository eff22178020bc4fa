/* health.h -- what /readyz and the mutations know about Kafka and Redis.
 *
 * One probe thread asks, every interval, Kafka for metadata (a real request
 * to a broker, bounded by its timeout: it blocks, which is why it has its own
 * thread) and Redis for PING (through the async client, with a deadline; the
 * answer arrives on that client's loop thread). Each answer updates a cached
 * state that anyone reads without blocking, so a readiness probe or a
 * mutation never waits for a dependency. With the defaults a dependency that
 * goes away is seen as down within about 1.2 s (the next probe, refused or
 * unanswered within its timeout), and as up again with its first successful
 * probe. One failed probe is enough: readiness is meant to react fast. */
#ifndef MM_SERVICE_HEALTH_H
#define MM_SERVICE_HEALTH_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "store/redis_async.h"

typedef enum mm_dep_state {
    MM_DEP_UNKNOWN = -1, /* not probed yet */
    MM_DEP_DOWN = 0,
    MM_DEP_UP = 1,
} mm_dep_state;

typedef struct mm_health_config {
    rd_kafka_t *kafka;     /* metadata probes; NULL: Kafka is not probed (UP) */
    mm_redis_async *redis; /* PING probes; NULL: Redis is not probed (UP) */
    int interval_ms;       /* 0: 400 */
    int kafka_timeout_ms;  /* 0: 800 */
    int redis_timeout_ms;  /* 0: 500 */
} mm_health_config;

typedef struct mm_health mm_health;

/* Starts probing at once. NULL when out of resources. */
mm_health *mm_health_start(const mm_health_config *cfg);

mm_dep_state mm_health_kafka(const mm_health *h);
mm_dep_state mm_health_redis(const mm_health *h);

/* 1 if both are up; else 0 and a short reason. NULL h: ready. Any thread. */
int mm_health_ready(const mm_health *h, char *reason, size_t reason_size);

/* Stops the probe thread (a Kafka probe in flight is waited for: at most
 * kafka_timeout_ms). A Redis probe may still be answered afterwards, so h
 * stays valid until mm_health_free, which must come after the Redis client
 * is freed. */
void mm_health_stop(mm_health *h);
void mm_health_free(mm_health *h);

#endif
