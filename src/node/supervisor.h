/* supervisor.h -- `gregor node`: the supervisor process of a node.
 *
 * It runs the plan's consumers as worker processes (worker.h), replaces the
 * ones that retire (harakiri, max age) or crash (with backoff: 0.5 s
 * doubling to 30 s while workers die within 10 s of starting), obeys the
 * control events of the service web (listener.h, control.h), reports every
 * worker that ends with a ConsumerProcessFinished event, and keeps its
 * status document in Redis (status_store.h). SIGTERM or SIGINT drains:
 * every worker finishes its message, commits and exits, then the node does;
 * a second one SIGKILLs the workers at once. docs/node.md has the details. */
#ifndef MM_NODE_SUPERVISOR_H
#define MM_NODE_SUPERVISOR_H

#include <stddef.h>

#include "common/config.h"
#include "graphql/type/schema.h"
#include "node/plan.h"

typedef struct mm_node_options {
    const char *node_name;
    const mm_config *config;
    mm_service *const *services;
    size_t service_count;
    const mm_gql_schema *schema; /* merged schema of every loaded service */
    const mm_plan *plan;
    long status_interval_ms; /* refresh period; <= 0: 2000 */
    long status_ttl_ms;      /* key TTL; <= 0: 3 x the period */
    char *title;             /* the process's argument area, rewritten in
                                      workers to name them (may be NULL) */
    size_t title_size;
    int dynamic_members;  /* nonzero: no group.instance.id (MM_NODE_STATIC_MEMBERSHIP=0) */
    unsigned max_crashes; /* an event that crashed this many workers is
                                      dead-lettered; 0: 3 (MM_NODE_MAX_CRASHES) */
} mm_node_options;

/* Runs the node until it is stopped. Prints "node ready: NAME" on stdout
 * once it reads control events. Returns the process exit status: 0 after a
 * graceful stop, 1 after a kill or a start-up failure (err set). */
int mm_node_run(const mm_node_options *o, char *err, size_t err_size);

#endif
