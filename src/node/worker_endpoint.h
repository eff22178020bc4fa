/* worker_endpoint.h -- the Prometheus endpoint of a standalone `gregor
 * worker --metrics-listen HOST:PORT` (docs/metrics.md): the worker
 * families a node exports for each consumer (mm_worker_*), for this one
 * worker's counters, served by the node's minimal listener
 * (metrics_http.h) on a thread of its own. A node's supervisor serves from
 * its poll loop because it forks; a standalone worker never forks, and its
 * runner's thread must not wait on sockets, so a thread it is. */
#ifndef MM_NODE_WORKER_ENDPOINT_H
#define MM_NODE_WORKER_ENDPOINT_H

#include <stddef.h>

#include "service/worker_metrics.h"

typedef struct mm_worker_endpoint mm_worker_endpoint;

/* Listens on listen ("HOST:PORT", port 0: a free one; the address bound
 * is written to bound) and serves GET/HEAD /metrics rendered from w, which
 * must stay valid until mm_worker_endpoint_stop; service and consumer are
 * copied. NULL with err set when the address cannot be bound or the thread
 * not started. */
mm_worker_endpoint *mm_worker_endpoint_start(const char *listen, const mm_worker_metrics *w,
                                             const char *service, const char *consumer, char *bound,
                                             size_t bound_size, char *err, size_t err_size);

/* Stops serving (within the thread's 100 ms poll) and frees e; NULL: no-op. */
void mm_worker_endpoint_stop(mm_worker_endpoint *e);

#endif
