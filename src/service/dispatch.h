/* dispatch.h -- a small pool of threads that run queued jobs in order.
 *
 * Callbacks from the Kafka producer, the Redis notifier and the deadlines run on
 * those libraries' own threads and must return quickly; work they trigger
 * (finishing a GraphQL execution and answering its HTTP request) is handed
 * to this pool instead, and so are resolvers that may block (gateway.h).
 * Resuming a paused request is never refused (mm_dispatch_post); work that
 * can be refused is bounded (mm_dispatch_post_bounded). */
#ifndef MM_SERVICE_DISPATCH_H
#define MM_SERVICE_DISPATCH_H

typedef struct mm_dispatch mm_dispatch;
typedef void (*mm_job_fn)(void *ud);

/* Starts threads workers. NULL when out of resources. */
mm_dispatch *mm_dispatch_start(unsigned threads);

/* Queues fn(ud). Returns 0, or MM_ENOMEM (fn is then not run). */
int mm_dispatch_post(mm_dispatch *d, mm_job_fn fn, void *ud);

/* Queues fn(ud) unless max_queued jobs already wait. Returns 0, MM_ELIMIT
 * or MM_ENOMEM (fn is then not run). */
int mm_dispatch_post_bounded(mm_dispatch *d, mm_job_fn fn, void *ud, unsigned max_queued);

/* Queues fn(ud) ahead of every job waiting (not of those running): for
 * short work whose lateness matters, e.g. the health probe, which must not
 * wait behind a queue of resolvers. Returns 0, or MM_ENOMEM. */
int mm_dispatch_post_front(mm_dispatch *d, mm_job_fn fn, void *ud);

/* The pool whose thread is calling, or NULL. */
mm_dispatch *mm_dispatch_current(void);

/* Runs every job already queued, then stops the threads and frees d. */
void mm_dispatch_free(mm_dispatch *d);

#endif
