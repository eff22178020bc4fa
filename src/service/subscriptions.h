/* subscriptions.h -- GraphQL subscriptions in `gregor serve`: the source of
 * events (a Kafka tail without a consumer group, from the end), the
 * subscriptions of each I/O loop, executing a subscription's document for
 * each event, and `eventResult` as a subscription (fed by the result
 * notifier). The transports (SSE, WebSocket) are the HTTP server's streams
 * (http_server.h); this module supplies their hooks.
 *
 * Threads. Subscriptions live on the I/O thread of their connection and are
 * touched only there: the stream hooks run there, and events and results
 * are posted there (mm_http_server_post). One tail thread reads Kafka and
 * decodes each event once; the notifier thread and a dispatch thread (the
 * check for an already stored result) hand results over. */
#ifndef MM_SERVICE_SUBSCRIPTIONS_H
#define MM_SERVICE_SUBSCRIPTIONS_H

#include <stddef.h>

#include "graphql/graphql.h"
#include "http/http_server.h"
#include "service/runtime.h"

typedef struct mm_subscriptions mm_subscriptions;

#define MM_SUBSCRIPTIONS_DEFAULT_MAX                  10000
#define MM_SUBSCRIPTIONS_DEFAULT_RESULT_TIMEOUT_MS    300000
#define MM_SUBSCRIPTIONS_DEFAULT_PARTITION_REFRESH_MS 10000

/* A polled field's value now, on a dispatch thread (it may block briefly):
 * the value (a new reference), or NULL with *code (an extensions code) and
 * msg set, which ends the subscription with that error. */
typedef json_t *(*mm_subscriptions_poll_fn)(void *ud, json_t *args, const char **code, char *msg,
                                            size_t msg_size);

typedef struct mm_subscriptions_options {
    mm_gql_schema *schema;
    const mm_graphql_options *graphql; /* the gateway's (document cache, limits) */
    mm_runtime *rt;   /* producer, notifier, dispatch, results; resolvers' context */
    struct mm_pq *pq; /* persisted queries / trusted documents, as over HTTP; NULL: none */
    unsigned max_subscriptions;    /* active at once in this server; 0: the default */
    unsigned max_per_connection;   /* on one WebSocket; 0: the HTTP default (100) */
    size_t max_queue_bytes;        /* unsent output per connection; 0: the HTTP default (1 MiB) */
    unsigned keepalive_ms;         /* 0: the HTTP default (12 s) */
    unsigned result_timeout_ms;    /* an eventResult subscription gives up after; 0: 5 min */
    unsigned partition_refresh_ms; /* partitions added to a topic are looked for; 0: 10 s */
    unsigned tail_idle_ms;         /* no topic subscriber this long: the tail stops fetching
                            * (service/tail_idle.h); 0: it never does */
    unsigned sse_reservations;     /* graphql-sse single connection tokens; 0: 10000 */
    unsigned sse_reservations_per_ip; /* per client address; 0: no bound */
    unsigned sse_reservation_ms;      /* a reservation's wait for its stream; 0: 30 s */
    /* One Subscription field answered by polling rather than by events (the
     * manager's serviceWeb): its value is read at once and every
     * poll_interval_ms (0: 2 s), and sent whenever its result changed. */
    const char *polled_field;
    mm_subscriptions_poll_fn poll;
    void *poll_ud;
    unsigned poll_interval_ms;
} mm_subscriptions_options;

/* NULL when out of memory or when the Kafka client cannot be configured
 * (err says why). Nothing runs until mm_subscriptions_start. */
mm_subscriptions *mm_subscriptions_new(const mm_subscriptions_options *opts, char *err,
                                       size_t err_size);

/* The hooks to put in mm_http_config.streams (valid while subs lives). */
const mm_http_stream_hooks *mm_subscriptions_hooks(mm_subscriptions *subs);

/* After the HTTP server started: starts the Kafka tail (when some service
 * declares subscriptions). 0 or an mm_error. */
int mm_subscriptions_start(mm_subscriptions *subs, mm_http_server *server);

/* 1 when every subscribed topic is being read (events produced from now on
 * reach the subscribers); else 0 and why. */
int mm_subscriptions_ready(mm_subscriptions *subs, char *reason, size_t reason_size);

/* Stops the Kafka tail (before mm_http_server_stop, which completes every
 * subscription). */
void mm_subscriptions_stop(mm_subscriptions *subs);

/* After mm_http_server_stop. NULL is a no-op. */
void mm_subscriptions_free(mm_subscriptions *subs);

#endif
