/* runtime.h -- the connections a serving or consuming process shares.
 *
 * One idempotent producer, one result store, one Redis state handle per
 * service and, in a GraphQL server, the result notifier, the deadline timer,
 * the dispatch threads (subscriptions), the dependencies loop with the async
 * Redis client, and the health probes. Resolvers, mutations and consumer handlers
 * reach them through the runtime, never through globals. */
#ifndef MM_SERVICE_RUNTIME_H
#define MM_SERVICE_RUNTIME_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#include "bus/producer.h"
#include "common/config.h"
#include "metamorphosis.h"
#include "service/dispatch.h"
#include "service/health.h"
#include "store/loop_thread.h"
#include "service/timer.h"
#include "store/notifier.h"
#include "store/redis_async.h"
#include "store/results.h"
#include "store/state.h"

/* What a process needs: a server waits for results, a worker does not. */
typedef enum mm_runtime_role {
    MM_RUNTIME_WORKER = 0,
    MM_RUNTIME_SERVER = 1,
} mm_runtime_role;

struct mm_runtime {
    const mm_config *config;
    mm_runtime_role role;
    mm_service *const *services;
    size_t service_count;
    mm_kv *kafka_props; /* the config's librdkafka properties */
    size_t kafka_prop_count;
    mm_producer *producer;
    mm_result_store *results;
    mm_state **states;             /* one per service, same order as services */
    mm_notifier *notifier;         /* server only */
    mm_timer *timer;               /* server only: mutation deadlines, fired on deps */
    mm_dispatch *dispatch;         /* server only: subscriptions' checks and polls */
    mm_dispatch *blocking;         /* server only: where resolvers that may block run */
    mm_loop_thread *deps;          /* server only: the loop of the async Redis client */
    mm_redis_async *redis;         /* server only: results (eventResult, probes), on deps */
    mm_health *health;             /* server only: cached Kafka and Redis reachability */
    mm_loop_watch *producer_watch; /* server only: delivery reports served on deps */
    bool produce_never_blocks;     /* set once at open: reports on deps, so a full producer
                                      queue refuses a send instead of blocking it */
    atomic_bool closing;           /* mm_runtime_close has begun */
    bool tracing;                  /* this runtime started the trace exporter (docs/tracing.md) */
    pthread_mutex_t pending_lock;
    struct mm_pending_mutation *pending; /* synchronous mutations waiting (mutation.c) */
};
typedef struct mm_runtime mm_runtime;

/* Connects everything the role needs. Kafka and Redis being unreachable is
 * not an error here (clients retry); a bad URL or property is. Returns 0 or
 * an mm_error with a message in err; on failure nothing stays open. */
int mm_runtime_open(mm_runtime *rt, const mm_config *cfg, mm_runtime_role role,
                    mm_service *const *services, size_t service_count, char *err, size_t err_size);

void mm_runtime_close(mm_runtime *rt);

/* The state handle of a service (NULL if it is not one of the runtime's). */
mm_state *mm_runtime_state(mm_runtime *rt, const mm_service *service);

#endif
