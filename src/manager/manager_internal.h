/* manager_internal.h -- what the manager's files share (not public). */
#ifndef MM_MANAGER_INTERNAL_H
#define MM_MANAGER_INTERNAL_H

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>

#include "graphql/execution/execute.h"
#include "manager/manager.h"
#include "node/listener.h"
#include "node/status_store.h"

struct mm_manager {
    char *auth_code;
    size_t auth_code_len;
    int auth_for_queries;
    char *topic;
    mm_producer *producer;

    pthread_mutex_t status_lock; /* the status store has one connection */
    mm_status_store *status;

    pthread_mutex_t recent_lock;
    json_t *recent; /* array of finished events, newest first */
    size_t recent_max;

    mm_listener *listener; /* NULL: no reader */
    pthread_t reader;
    int reader_started;
    atomic_int quit;
};

/* Checks args.authCode. required: whether a missing code is refused. On
 * refusal raises Unauthorized on info, logs (without the code) and returns 0. */
int mm_manager_authorize(mm_manager *m, json_t *args, mm_gql_resolve_info *info, int required);

int mm_manager_bind_mutations(mm_manager *m, mm_gql_schema *schema, char *err, size_t err_size);
int mm_manager_bind_queries(mm_manager *m, mm_gql_schema *schema, char *err, size_t err_size);

/* Whether what c names (node, consumer, service, worker pid) exists in the
 * live service web (the status documents in Redis). 0, or MM_ENOTFOUND /
 * MM_EREDIS with a message for the caller in err. */
struct mm_control;
int mm_manager_check_live(mm_manager *m, const struct mm_control *c, char *err, size_t err_size);

/* A copy of the recent finished events (newest first). */
json_t *mm_manager_recent(mm_manager *m);

int mm_manager_events_start(mm_manager *m, const mm_manager_options *o, char *err, size_t err_size);
void mm_manager_events_stop(mm_manager *m);

#endif
