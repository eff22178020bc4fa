/* timer.c -- the deadline thread of timer.h: a sorted list and a condvar. */
#include "service/timer.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>

struct mm_timer {
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    mm_timer_entry *head; /* sorted by due_ms */
    bool stop;
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void unlink_entry(mm_timer *t, mm_timer_entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        t->head = e->next;
    if (e->next) e->next->prev = e->prev;
    e->next = e->prev = NULL;
    e->linked = false;
}

/* Fires the earliest entry with the lock released around the callback. */
static void fire_head(mm_timer *t) {
    mm_timer_entry *e = t->head;
    unlink_entry(t, e);
    mm_timer_fn fn = e->fn;
    void *ud = e->ud;
    pthread_mutex_unlock(&t->lock);
    fn(ud); /* may release the object e lives in: e is not touched again */
    pthread_mutex_lock(&t->lock);
}

static void *timer_main(void *arg) {
    mm_timer *t = arg;
    pthread_mutex_lock(&t->lock);
    while (!t->stop) {
        if (!t->head) {
            pthread_cond_wait(&t->cond, &t->lock);
            continue;
        }
        int64_t now = now_ms();
        if (t->head->due_ms > now) {
            struct timespec until;
            clock_gettime(CLOCK_MONOTONIC, &until);
            int64_t wait = t->head->due_ms - now;
            until.tv_sec += wait / 1000;
            until.tv_nsec += (wait % 1000) * 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&t->cond, &t->lock, &until);
            continue;
        }
        fire_head(t);
    }
    while (t->head) fire_head(t);
    pthread_mutex_unlock(&t->lock);
    return NULL;
}

mm_timer *mm_timer_start(void) {
    mm_timer *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&t->lock, NULL);
    pthread_cond_init(&t->cond, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&t->thread, NULL, timer_main, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        pthread_cond_destroy(&t->cond);
        free(t);
        return NULL;
    }
    return t;
}

void mm_timer_add(mm_timer *t, mm_timer_entry *e, int64_t delay_ms, mm_timer_fn fn, void *ud) {
    e->due_ms = now_ms() + (delay_ms > 0 ? delay_ms : 0);
    e->fn = fn;
    e->ud = ud;
    pthread_mutex_lock(&t->lock);
    mm_timer_entry **pp = &t->head, *prev = NULL;
    while (*pp && (*pp)->due_ms <= e->due_ms) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    e->next = *pp;
    e->prev = prev;
    if (*pp) (*pp)->prev = e;
    *pp = e;
    e->linked = true;
    if (t->head == e) pthread_cond_signal(&t->cond); /* a new earliest deadline */
    pthread_mutex_unlock(&t->lock);
}

int mm_timer_cancel(mm_timer *t, mm_timer_entry *e) {
    pthread_mutex_lock(&t->lock);
    int removed = e->linked;
    if (removed) unlink_entry(t, e);
    pthread_mutex_unlock(&t->lock);
    return removed;
}

void mm_timer_free(mm_timer *t) {
    if (!t) return;
    pthread_mutex_lock(&t->lock);
    t->stop = true;
    pthread_cond_signal(&t->cond);
    pthread_mutex_unlock(&t->lock);
    pthread_join(t->thread, NULL);
    pthread_mutex_destroy(&t->lock);
    pthread_cond_destroy(&t->cond);
    free(t);
}
