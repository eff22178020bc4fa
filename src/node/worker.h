/* worker.h -- one worker process of a node: forked by the supervisor, it
 * runs one consumer (service/consumer_runner.h) until its harakiri budget or
 * maximum age is spent, or it is told to stop.
 *
 * The child never uses the supervisor's Kafka or Redis handles: it closes
 * every inherited descriptor but stdio and its report pipe, opens its own
 * WORKER runtime, runs the service's post_fork initializer, then consumes.
 * SIGTERM/SIGINT make it finish the current message, commit, leave the group
 * and exit 0.
 *
 * It reports to the supervisor through a pipe of fixed-size records
 * (mm_worker_report): its message count after every message (dropped when
 * the pipe is full: the count is cumulative) and, last, why it retired. */
#ifndef MM_NODE_WORKER_H
#define MM_NODE_WORKER_H

#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "graphql/type/schema.h"
#include "service/service_internal.h"

/* Why a worker ended, as reported in ConsumerProcessFinished. */
typedef enum mm_worker_reason {
    MM_WORKER_CRASH = 0,    /* nonzero exit or a signal the node did not send */
    MM_WORKER_HARAKIRI = 1, /* its message budget was spent */
    MM_WORKER_MAX_AGE = 2,  /* max_age_seconds passed */
    MM_WORKER_STOPPED = 3,  /* told to stop (SIGTERM), exited cleanly */
    MM_WORKER_KILLED = 4,   /* SIGKILLed by the node */
} mm_worker_reason;

const char *mm_worker_reason_name(mm_worker_reason r);

/* One record on the report pipe. */
typedef struct mm_worker_report {
    uint32_t kind;   /* MM_WORKER_REPORT_* */
    uint32_t unused;
    uint64_t value;  /* messages handled, or an mm_worker_reason */
} mm_worker_report;

enum { MM_WORKER_REPORT_PROGRESS = 1, MM_WORKER_REPORT_RETIRED = 2 };

/* What the child needs; all of it is the supervisor's, read-only. */
typedef struct mm_worker_params {
    const mm_config *config;
    mm_service *const *services;
    size_t service_count;
    const mm_gql_schema *schema;
    const mm_consumer_spec *spec;
    uint64_t max_messages;   /* harakiri budget; 0: none */
    long max_age_seconds;    /* <= 0: none */
} mm_worker_params;

/* Forks a worker. Returns its pid and the read end of its report pipe
 * (non-blocking, close-on-exec) in *report_fd, or -1 with err set. Call with
 * SIGTERM, SIGINT and SIGCHLD blocked: the child installs its own handlers
 * before unblocking them, so no signal meant for it runs the supervisor's. */
pid_t mm_worker_spawn(const mm_worker_params *p, int *report_fd, char *err, size_t err_size);

#endif
