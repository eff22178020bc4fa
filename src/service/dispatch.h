/* dispatch.h -- a small pool of threads that run queued jobs in order.
 *
 * Callbacks from the Kafka producer, the Redis notifier and the timer run on
 * those libraries' own threads and must return quickly; work they trigger
 * (finishing a GraphQL execution and answering its HTTP request) is handed
 * to this pool instead. */
#ifndef MM_SERVICE_DISPATCH_H
#define MM_SERVICE_DISPATCH_H

typedef struct mm_dispatch mm_dispatch;
typedef void (*mm_job_fn)(void *ud);

/* Starts threads workers. NULL when out of resources. */
mm_dispatch *mm_dispatch_start(unsigned threads);

/* Queues fn(ud). Returns 0, or MM_ENOMEM (fn is then not run). */
int mm_dispatch_post(mm_dispatch *d, mm_job_fn fn, void *ud);

/* Runs every job already queued, then stops the threads and frees d. */
void mm_dispatch_free(mm_dispatch *d);

#endif
