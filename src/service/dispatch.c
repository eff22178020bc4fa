/* dispatch.c -- the job queue and its threads (dispatch.h). */
#include "service/dispatch.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "metamorphosis.h"

typedef struct job {
    mm_job_fn fn;
    void *ud;
    struct job *next;
} job;

struct mm_dispatch {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    job *head, *tail;
    bool stop;
    unsigned queued;
    unsigned thread_count;
    pthread_t threads[];
};

static _Thread_local mm_dispatch *tl_current;

mm_dispatch *mm_dispatch_current(void) { return tl_current; }

static void *worker_main(void *arg) {
    mm_dispatch *d = arg;
    tl_current = d;
    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (!d->head && !d->stop) pthread_cond_wait(&d->cond, &d->lock);
        if (!d->head) break; /* stopping and drained */
        job *j = d->head;
        d->head = j->next;
        d->queued--;
        if (!d->head) d->tail = NULL;
        pthread_mutex_unlock(&d->lock);
        j->fn(j->ud);
        free(j);
        pthread_mutex_lock(&d->lock);
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

mm_dispatch *mm_dispatch_start(unsigned threads) {
    if (threads == 0) threads = 1;
    mm_dispatch *d = calloc(1, sizeof(*d) + threads * sizeof(pthread_t));
    if (!d) return NULL;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    for (unsigned i = 0; i < threads; i++) {
        if (pthread_create(&d->threads[i], NULL, worker_main, d) != 0) {
            d->thread_count = i;
            mm_dispatch_free(d);
            return NULL;
        }
    }
    d->thread_count = threads;
    return d;
}

int mm_dispatch_post(mm_dispatch *d, mm_job_fn fn, void *ud) {
    return mm_dispatch_post_bounded(d, fn, ud, 0);
}

/* Queues fn(ud) at the back of the queue, or at its front (ahead of every
 * job waiting), unless max_queued (0: no bound) jobs already wait. */
static int enqueue(mm_dispatch *d, mm_job_fn fn, void *ud, unsigned max_queued, bool front) {
    job *j = malloc(sizeof(*j));
    if (!j) return MM_ENOMEM;
    j->fn = fn;
    j->ud = ud;
    j->next = NULL;
    pthread_mutex_lock(&d->lock);
    if (max_queued && d->queued >= max_queued) {
        pthread_mutex_unlock(&d->lock);
        free(j);
        return MM_ELIMIT;
    }
    d->queued++;
    if (front) {
        j->next = d->head;
        d->head = j;
        if (!d->tail) d->tail = j;
    } else {
        if (d->tail)
            d->tail->next = j;
        else
            d->head = j;
        d->tail = j;
    }
    pthread_cond_signal(&d->cond);
    pthread_mutex_unlock(&d->lock);
    return 0;
}

int mm_dispatch_post_bounded(mm_dispatch *d, mm_job_fn fn, void *ud, unsigned max_queued) {
    return enqueue(d, fn, ud, max_queued, false);
}

int mm_dispatch_post_front(mm_dispatch *d, mm_job_fn fn, void *ud) {
    return enqueue(d, fn, ud, 0, true);
}

void mm_dispatch_free(mm_dispatch *d) {
    if (!d) return;
    pthread_mutex_lock(&d->lock);
    d->stop = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    for (unsigned i = 0; i < d->thread_count; i++) pthread_join(d->threads[i], NULL);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    free(d);
}
