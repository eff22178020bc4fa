/* manager.h -- manager mode of `gregor serve`: GraphQL fields that steer and
 * show the service web, guarded by an auth code.
 *
 * Mutations publish control events (node/control.h) on the service-web
 * topic through the server's producer and answer once Kafka acknowledged
 * them. Queries read the status every node keeps in Redis
 * (node/status_store.h). A small reader of the service-web topic keeps the
 * last ConsumerProcessFinished events in memory for the dashboard. The
 * fields join the one schema as an mm_schema_extra. docs/manager.md. */
#ifndef MM_MANAGER_H
#define MM_MANAGER_H

#include <stddef.h>

#include "bus/kafka_conf.h"
#include "bus/producer.h"
#include "service/schema_merge.h"

typedef struct mm_manager mm_manager;

typedef struct mm_manager_options {
    const char *auth_code; /* required, non-empty; copied (and wiped at free) */
    int auth_for_queries;  /* 1: queries need the code too */
    const char *service_web_topic;
    const char *status_redis_url; /* where nodes write their status */
    mm_producer *producer;        /* borrowed: the server's */
    const char *kafka_bootstrap;  /* for the finished-events reader; NULL: no reader */
    const mm_kv *kafka_props;
    size_t kafka_prop_count;
    size_t recent_max; /* finished events kept; 0: 50 */
} mm_manager_options;

/* The manager's SDL (scalar DateTime, its types, Query and Mutation extensions). */
extern const char mm_manager_sdl[];

/* Creates the manager (and starts the finished-events reader thread).
 * NULL with err set on a missing auth code or a bad URL. */
mm_manager *mm_manager_new(const mm_manager_options *o, char *err, size_t err_size);

/* Subscription.serviceWeb's value now (the manager is ud; any thread: it
 * reads the nodes' status in Redis): the same ServiceWeb as the query, or
 * NULL with *code (UNAUTHORIZED, STATUS_UNAVAILABLE) and msg set. The
 * server's subscriptions poll it (docs/manager.md). */
json_t *mm_manager_service_web(void *ud, json_t *args, const char **code, char *msg,
                               size_t msg_size);

/* The schema fragment to pass to mm_services_build_schema. */
mm_schema_extra mm_manager_schema_extra(mm_manager *m);

/* Stops the reader and frees everything. NULL is a no-op. */
void mm_manager_free(mm_manager *m);

/* 1 when given equals expected. Takes time that depends only on the length
 * of given (which the caller chose), never on where the two differ or on
 * expected's content or length. */
int mm_manager_code_equal(const char *given, size_t given_len, const char *expected,
                          size_t expected_len);

/* The dashboard page (self-contained HTML, CSS and JavaScript) for a server
 * whose GraphQL endpoint is graphql_path: malloc'd, its length in *len; NULL
 * when out of memory. */
char *mm_manager_dashboard_page(const char *graphql_path, size_t *len);

/* Records a ConsumerProcessFinished event as the reader does (exposed for tests). */
void mm_manager_note_finished(mm_manager *m, const char *node, const char *microservice,
                              const char *name, long pid, int exit_code, const char *reason,
                              long long messages_processed);

#endif
