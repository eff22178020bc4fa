/* health.h -- what /readyz and the mutations know about Kafka and Redis.
 *
 * The probes run on an event loop (the dependencies loop of
 * store/loop_thread.h), without a thread of their own. Every interval a
 * timer asks Kafka an asynchronous admin request that needs a broker's
 * answer (DescribeConfigs of one topic resource, sent to the broker the
 * cluster names as controller, bounded by librdkafka's request timeout;
 * its result arrives on a queue that wakes the loop through a pipe) and
 * Redis a PING (through the async client, with a deadline). A second timer
 * per Kafka probe marks Kafka down if no result arrived shortly after the
 * request timeout. Each answer updates a cached state that anyone reads
 * without blocking, so a readiness probe or a mutation never waits for a
 * dependency. With the defaults a dependency that goes away is seen as down
 * within about 1.2 s (the next probe, refused or unanswered within its
 * timeout), and as up again with its first successful probe. One failed
 * probe is enough: readiness is meant to react fast. */
#ifndef MM_SERVICE_HEALTH_H
#define MM_SERVICE_HEALTH_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "store/loop_thread.h"
#include "store/redis_async.h"

typedef enum mm_dep_state {
    MM_DEP_UNKNOWN = -1, /* not probed yet */
    MM_DEP_DOWN = 0,
    MM_DEP_UP = 1,
} mm_dep_state;

typedef struct mm_health_config {
    mm_loop_thread *loop;  /* where the probes and their timers run (required) */
    rd_kafka_t *kafka;     /* admin probes; NULL: Kafka is not probed (UP) */
    mm_redis_async *redis; /* PING probes, a client on loop; NULL: not probed (UP) */
    int interval_ms;       /* 0: 400 */
    int kafka_timeout_ms;  /* 0: 800 */
    int redis_timeout_ms;  /* 0: 500 */
} mm_health_config;

typedef struct mm_health mm_health;

/* Starts probing at once. Not from the loop thread. NULL when out of
 * resources. */
mm_health *mm_health_start(const mm_health_config *cfg);

mm_dep_state mm_health_kafka(const mm_health *h);
mm_dep_state mm_health_redis(const mm_health *h);

/* 1 if both are up; else 0 and a short reason. NULL h: ready. Any thread. */
int mm_health_ready(const mm_health *h, char *reason, size_t reason_size);

/* Stops the probes: their timers and the Kafka result queue's watch are
 * closed on the loop (a Kafka request in flight is abandoned: librdkafka
 * drops its result). Not from the loop thread. A Redis probe may still be
 * answered afterwards, so h stays valid until mm_health_free, which must
 * come after the Redis client is freed. */
void mm_health_stop(mm_health *h);
void mm_health_free(mm_health *h);

#endif
