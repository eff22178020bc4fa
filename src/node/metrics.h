/* metrics.h -- a node's Prometheus metrics: what its workers count about
 * their events (service/worker_metrics.h, one shared block per worker,
 * folded into per-consumer totals when the worker ends), what the
 * supervisor knows about its workers (starts, exits by reason, processes),
 * and the consumer lag its probe measures (lag_probe.h); served at
 * GET /metrics on node_metrics_listen (metrics_http.h). Every family is in
 * mm_node_metric_families and in docs/metrics.md (a test compares them). */
#ifndef MM_NODE_METRICS_H
#define MM_NODE_METRICS_H

#include <poll.h>
#include <stddef.h>
#include <sys/types.h>

#include "service/worker_metrics.h"

struct mm_node;
struct mm_node_slot;
struct mm_node_proc;

/* One metric family: its name, Prometheus type, labels and help text. */
typedef struct mm_node_metric_family {
    const char *name;
    const char *type; /* counter, gauge, histogram */
    const char *labels;
    const char *help;
} mm_node_metric_family;

extern const mm_node_metric_family mm_node_metric_families[];
extern const size_t mm_node_metric_family_count;

/* Why a worker ended, as the exits counter labels it. */
typedef enum mm_node_exit_reason {
    MM_NODE_EXIT_HARAKIRI = 0, /* its message budget was spent (replaced) */
    MM_NODE_EXIT_MAX_AGE,      /* max_age_seconds passed (replaced) */
    MM_NODE_EXIT_CODE,         /* exited nonzero on its own (replaced after backoff) */
    MM_NODE_EXIT_SIGNAL,       /* died of a signal the node did not send (replaced after backoff) */
    MM_NODE_EXIT_ADJUST,       /* stopped by a control event or a lower process count */
    MM_NODE_EXIT_STOPPED,      /* stopped because the node drains */
    MM_NODE_EXIT_KILLED,       /* SIGKILLed by the node (KillConsumer, KillNode, 2nd SIGTERM) */
    MM_NODE_EXIT_REASONS
} mm_node_exit_reason;

const char *mm_node_exit_reason_name(mm_node_exit_reason r);

typedef struct mm_node_metrics mm_node_metrics;

/* Opens the node's metrics when cfg->node_metrics_listen is set (else
 * leaves n->metrics NULL and returns 0): the listener (prints "node
 * metrics: HOST:PORT" on stdout), the lag table and per-consumer totals.
 * Nonzero with err set when the address cannot be bound. */
int mm_node_metrics_open(struct mm_node *n, char *err, size_t err_size);
void mm_node_metrics_close(struct mm_node *n);

/* A new worker's shared block (NULL when metrics are off or mmap failed). */
mm_worker_metrics *mm_node_metrics_block_map(struct mm_node *n);

void mm_node_metrics_block_unmap(mm_worker_metrics *b); /* NULL: no-op */

/* A worker ended: count its exit and fold its block into its consumer's
 * totals (then unmaps it). ws: its wait status. */
void mm_node_metrics_worker_ended(struct mm_node *n, struct mm_node_slot *s, struct mm_node_proc *p,
                                  int reason, int ws);

/* Per turn of the supervisor's loop: (re)starts the lag probe when due. */
void mm_node_metrics_tick(struct mm_node *n);
/* reap(): 1 if pid was the lag probe (it is restarted with backoff). */
int mm_node_metrics_reaped(struct mm_node *n, pid_t pid, int ws);

/* The listener's pollfds (appended to fds), its timeout, its events. */
size_t mm_node_metrics_fds(struct mm_node *n, struct pollfd *fds, size_t max);
int mm_node_metrics_timeout(struct mm_node *n);
void mm_node_metrics_handle(struct mm_node *n, const struct pollfd *fds, size_t count);

/* The exposition text (malloc'd, *len set), NULL when out of memory. */
char *mm_node_metrics_render(struct mm_node *n, size_t *len);

/* The worker families alone (the first mm_worker_metric_family_count of
 * mm_node_metric_families: mm_worker_*), for one consumer from one block:
 * what a standalone `gregor worker --metrics-listen` serves
 * (worker_endpoint.h). Same text as a node's for that consumer. */
extern const size_t mm_worker_metric_family_count;
char *mm_worker_metrics_render(const mm_worker_metrics *w, const char *service,
                               const char *consumer, size_t *len);

#endif
