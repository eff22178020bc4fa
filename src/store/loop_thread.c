/* loop_thread.c -- a libuv loop on its own thread (loop_thread.h). */
#include "store/loop_thread.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "metamorphosis.h"

#define MAX_QUEUED 4096

typedef struct job {
    mm_loop_fn fn;
    void *ud;
    struct job *next;
} job;

struct mm_loop_thread {
    uv_loop_t loop;
    uv_async_t wake;
    pthread_t thread;
    pthread_mutex_t lock;
    job *head, *tail;
    size_t queued;
    bool stopping;
};

static void run_jobs(uv_async_t *a) {
    mm_loop_thread *t = a->data;
    pthread_mutex_lock(&t->lock);
    job *j = t->head;
    t->head = t->tail = NULL;
    t->queued = 0;
    bool stopping = t->stopping;
    pthread_mutex_unlock(&t->lock);
    while (j) {
        job *next = j->next;
        j->fn(j->ud);
        free(j);
        j = next;
    }
    if (stopping) {
        /* close what is left so uv_run returns; uv_stop too, so that a
         * handle its owner forgot (still active) cannot keep the loop, and
         * mm_loop_thread_stop's join, waiting forever: stop closes it. */
        uv_close((uv_handle_t *)&t->wake, NULL);
        uv_stop(&t->loop);
    }
}

static void *loop_main(void *arg) {
    mm_loop_thread *t = arg;
    uv_run(&t->loop, UV_RUN_DEFAULT);
    return NULL;
}

mm_loop_thread *mm_loop_thread_start(const char *name) {
    mm_loop_thread *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    if (uv_loop_init(&t->loop) != 0) {
        free(t);
        return NULL;
    }
    pthread_mutex_init(&t->lock, NULL);
    uv_async_init(&t->loop, &t->wake, run_jobs);
    t->wake.data = t;
    if (pthread_create(&t->thread, NULL, loop_main, t) != 0) {
        uv_close((uv_handle_t *)&t->wake, NULL);
        uv_run(&t->loop, UV_RUN_DEFAULT);
        uv_loop_close(&t->loop);
        pthread_mutex_destroy(&t->lock);
        free(t);
        return NULL;
    }
    (void)name; /* pthread_setname_np is not POSIX */
    return t;
}

struct uv_loop_s *mm_loop_thread_loop(mm_loop_thread *t) {
    return &t->loop;
}

int mm_loop_thread_is_current(const mm_loop_thread *t) {
    return t && pthread_equal(pthread_self(), t->thread);
}

int mm_loop_thread_post(mm_loop_thread *t, mm_loop_fn fn, void *ud) {
    job *j = malloc(sizeof(*j));
    if (!j) return MM_ENOMEM;
    *j = (job){fn, ud, NULL};
    pthread_mutex_lock(&t->lock);
    if (t->queued >= MAX_QUEUED || t->stopping) {
        pthread_mutex_unlock(&t->lock);
        free(j);
        return MM_ELIMIT;
    }
    if (t->tail)
        t->tail->next = j;
    else
        t->head = j;
    t->tail = j;
    t->queued++;
    uv_async_send(&t->wake);
    pthread_mutex_unlock(&t->lock);
    return 0;
}

typedef struct call_ctx {
    mm_loop_fn fn;
    void *ud;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
} call_ctx;

static void call_run(void *arg) {
    call_ctx *c = arg;
    c->fn(c->ud);
    pthread_mutex_lock(&c->lock);
    c->done = true;
    pthread_cond_signal(&c->cond);
    pthread_mutex_unlock(&c->lock);
}

int mm_loop_thread_call(mm_loop_thread *t, mm_loop_fn fn, void *ud) {
    assert(!mm_loop_thread_is_current(t));
    call_ctx c = {.fn = fn, .ud = ud};
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.cond, NULL);
    int rc = mm_loop_thread_post(t, call_run, &c);
    if (rc == 0) {
        /* The loop thread runs posted jobs promptly; it never waits on us. */
        pthread_mutex_lock(&c.lock);
        while (!c.done) pthread_cond_wait(&c.cond, &c.lock);
        pthread_mutex_unlock(&c.lock);
    }
    pthread_mutex_destroy(&c.lock);
    pthread_cond_destroy(&c.cond);
    return rc;
}

struct mm_loop_watch {
    uv_poll_t poll;
    mm_loop_fn fn;
    void *ud;
};

static void watch_closed(uv_handle_t *h) { free(h->data); }

static void on_watch(uv_poll_t *poll, int status, int events) {
    mm_loop_watch *w = poll->data;
    (void)events;
    /* An error (e.g. the fd was closed under us) still wakes the owner: it
     * finds out by reading. */
    (void)status;
    w->fn(w->ud);
}

mm_loop_watch *mm_loop_watch_fd(mm_loop_thread *t, int fd, mm_loop_fn on_readable, void *ud) {
    assert(mm_loop_thread_is_current(t));
    mm_loop_watch *w = calloc(1, sizeof(*w));
    if (!w) return NULL;
    w->fn = on_readable;
    w->ud = ud;
    if (uv_poll_init(&t->loop, &w->poll, fd) != 0) {
        free(w);
        return NULL;
    }
    w->poll.data = w;
    if (uv_poll_start(&w->poll, UV_READABLE, on_watch) != 0) {
        uv_close((uv_handle_t *)&w->poll, watch_closed);
        return NULL;
    }
    return w;
}

void mm_loop_watch_close(mm_loop_watch *w) {
    if (!w) return;
    assert(w->poll.loop != NULL);
    uv_poll_stop(&w->poll);
    uv_close((uv_handle_t *)&w->poll, watch_closed);
}

static void close_any(uv_handle_t *h, void *arg) {
    (void)arg;
    if (!uv_is_closing(h)) uv_close(h, NULL);
}

void mm_loop_thread_stop(mm_loop_thread *t) {
    if (!t) return;
    assert(!mm_loop_thread_is_current(t));
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    uv_async_send(&t->wake);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    /* Handles someone forgot would keep uv_loop_close from succeeding. */
    if (uv_loop_close(&t->loop) != 0) {
        uv_walk(&t->loop, close_any, NULL);
        uv_run(&t->loop, UV_RUN_DEFAULT);
        uv_loop_close(&t->loop);
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}
