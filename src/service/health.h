/* health.h -- what /readyz and the mutations know about Kafka and Redis.
 *
 * The probes are scheduled on the dependencies loop (store/loop_thread.h),
 * as entries of its timer heap (service/timer.h): the health module has no
 * thread of its own. Every interval the loop
 *   - sends Redis a PING through the async client (on that loop, with its
 *     own deadline), and
 *   - hands one Kafka metadata request (a real request to a broker, asking
 *     about one topic; it blocks up to kafka_timeout_ms inside librdkafka,
 *     so it runs on the blocking pool, service/dispatch.h, queued ahead of
 *     the jobs waiting there) and arms a
 *     deadline of kafka_bound_ms for it on the same heap. The answer is
 *     posted back to the loop. If the deadline fires first the loop marks
 *     Kafka unreachable: a probe that never returns cannot leave readiness
 *     saying "ready". At most one Kafka probe is out at a time.
 * Each answer updates a cached state that anyone reads without blocking, so
 * a readiness probe or a mutation never waits for a dependency. With the
 * defaults a dependency that goes away is seen as down within about 1.2 s
 * (the next probe, refused or unanswered within its timeout or bound), and
 * as up again with its first successful probe. One failed probe is enough:
 * readiness is meant to react fast. */
#ifndef MM_SERVICE_HEALTH_H
#define MM_SERVICE_HEALTH_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "service/dispatch.h"
#include "service/timer.h"
#include "store/loop_thread.h"
#include "store/redis_async.h"

typedef enum mm_dep_state {
    MM_DEP_UNKNOWN = -1, /* not probed yet */
    MM_DEP_DOWN = 0,
    MM_DEP_UP = 1,
} mm_dep_state;

/* The Kafka probe itself, on a blocking-pool thread: 0 when a broker
 * answered within timeout_ms, else nonzero. The default (NULL) is a
 * metadata request for kafka_topic through kafka. Tests replace it. */
typedef int (*mm_health_kafka_probe_fn)(void *ud, int timeout_ms);

typedef struct mm_health_config {
    mm_loop_thread *loop;    /* the loop that owns the schedule and the answers */
    mm_timer *timer;         /* the timer heap on that loop */
    mm_dispatch *blocking;   /* where the Kafka probe runs (it blocks) */
    rd_kafka_t *kafka;       /* metadata probes; NULL (and no kafka_probe): Kafka is not
                              probed (UP) */
    const char *kafka_topic; /* the one topic the metadata request asks about (copied);
                                NULL: the topics librdkafka knows locally (all of the
                                cluster's when it knows none: librdkafka 2.0.2 has no
                                brokers-only request in its API) */
    mm_health_kafka_probe_fn kafka_probe; /* NULL: the metadata request */
    void *kafka_probe_ud;
    mm_redis_async *redis; /* PING probes, on loop; NULL: Redis is not probed (UP) */
    int interval_ms;       /* 0: 400 */
    int kafka_timeout_ms;  /* the metadata request's own timeout; 0: 800 */
    int kafka_bound_ms;    /* the loop's deadline for an answer; 0: kafka_timeout_ms + 400 */
    int redis_timeout_ms;  /* 0: 500 */
} mm_health_config;

typedef struct mm_health mm_health;

/* Schedules the first probes at once (any thread but the loop's). NULL when
 * out of resources or cfg lacks loop, timer or (probing Kafka) blocking. */
mm_health *mm_health_start(const mm_health_config *cfg);

mm_dep_state mm_health_kafka(const mm_health *h);
mm_dep_state mm_health_redis(const mm_health *h);

/* 1 if both are up; else 0 and a short reason. NULL h: ready. Any thread. */
int mm_health_ready(const mm_health *h, char *reason, size_t reason_size);

/* Stops scheduling probes (on the loop; not from the loop thread; the loop
 * and the timer heap must still run). Nothing new reaches the blocking
 * pool afterwards; a Kafka probe already there finishes there and its
 * answer is still posted to the loop, and a Redis probe may still be
 * answered on the loop: so h stays valid until mm_health_free, which must
 * come after the blocking pool is freed and the loop stopped. */
void mm_health_stop(mm_health *h);
void mm_health_free(mm_health *h);

#endif
