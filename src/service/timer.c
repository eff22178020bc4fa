/* timer.c -- the deadline heap of timer.h, fired by one uv_timer on a loop. */
#include "service/timer.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <uv.h>

#include "metamorphosis.h"

/* The loop's timer is armed at most this far ahead: an entry added from
 * another thread and due later than that is picked up at the next firing
 * without waking the loop. */
#define TICK_MS 100

struct mm_timer {
    mm_loop_thread *lt;
    uv_timer_t uv; /* loop thread only */
    pthread_mutex_t lock;
    mm_timer_entry **heap; /* min-heap on due_ms, under lock */
    size_t count, cap;
    int64_t armed_ms; /* when uv fires next (under lock); INT64_MAX: not armed */
    bool wake_posted; /* a re-arm is posted to the loop (under lock) */
    bool firing;      /* the loop fires entries and re-arms after (under lock) */
    bool closed;      /* uv's close callback ran (loop thread) */
    bool stopping;    /* under lock: no re-arming */
};

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the heap (lock held) -------------------------------------------------- */

static void place(mm_timer *t, size_t i, mm_timer_entry *e) {
    t->heap[i] = e;
    e->slot = i + 1;
}

static void sift_up(mm_timer *t, size_t i) {
    mm_timer_entry *e = t->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (t->heap[parent]->due_ms <= e->due_ms) break;
        place(t, i, t->heap[parent]);
        i = parent;
    }
    place(t, i, e);
}

static void sift_down(mm_timer *t, size_t i) {
    mm_timer_entry *e = t->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= t->count) break;
        if (child + 1 < t->count && t->heap[child + 1]->due_ms < t->heap[child]->due_ms) child++;
        if (t->heap[child]->due_ms >= e->due_ms) break;
        place(t, i, t->heap[child]);
        i = child;
    }
    place(t, i, e);
}

static void heap_remove(mm_timer *t, mm_timer_entry *e) {
    assert(e->slot > 0 && e->slot <= t->count && t->heap[e->slot - 1] == e);
    size_t i = e->slot - 1;
    e->slot = 0;
    mm_timer_entry *last = t->heap[--t->count];
    if (last == e) return;
    place(t, i, last);
    if (i > 0 && t->heap[(i - 1) / 2]->due_ms > last->due_ms)
        sift_up(t, i);
    else
        sift_down(t, i);
}

/* ---- the loop side --------------------------------------------------------- */

static void on_uv_timer(uv_timer_t *h);

/* Arms uv for the earliest entry, at most TICK_MS ahead. Loop thread, lock
 * held. */
static void rearm(mm_timer *t, int64_t now) {
    if (t->stopping) return;
    int64_t at = now + TICK_MS;
    if (t->count > 0 && t->heap[0]->due_ms < at) at = t->heap[0]->due_ms;
    if (at < now) at = now;
    t->armed_ms = at;
    uv_update_time(uv_handle_get_loop((uv_handle_t *)&t->uv));
    uv_timer_start(&t->uv, on_uv_timer, (uint64_t)(at - now), 0);
}

/* Fires every entry due by now, the lock released around each callback
 * (which may add or cancel entries). Loop thread, lock held. */
static void fire_due(mm_timer *t, int64_t now) {
    while (t->count > 0 && t->heap[0]->due_ms <= now) {
        mm_timer_entry *e = t->heap[0];
        heap_remove(t, e);
        mm_timer_fn fn = e->fn;
        void *ud = e->ud;
        pthread_mutex_unlock(&t->lock);
        fn(ud); /* may release the object e lives in: e is not touched again */
        pthread_mutex_lock(&t->lock);
    }
}

/* Fires what is due and re-arms: what the callbacks add meanwhile needs
 * no wake. Loop thread, lock held. */
static void fire_and_rearm(mm_timer *t) {
    t->firing = true;
    fire_due(t, now_ms());
    t->firing = false;
    rearm(t, now_ms());
}

static void on_uv_timer(uv_timer_t *h) {
    mm_timer *t = h->data;
    pthread_mutex_lock(&t->lock);
    t->armed_ms = INT64_MAX;
    fire_and_rearm(t);
    pthread_mutex_unlock(&t->lock);
}

/* Posted by an add whose entry is due before the loop's timer fires. */
static void on_wake(void *ud) {
    mm_timer *t = ud;
    pthread_mutex_lock(&t->lock);
    t->wake_posted = false;
    fire_and_rearm(t);
    pthread_mutex_unlock(&t->lock);
}

static void start_on_loop(void *ud) {
    mm_timer *t = ud;
    uv_timer_init(mm_loop_thread_loop(t->lt), &t->uv);
    t->uv.data = t;
    pthread_mutex_lock(&t->lock);
    rearm(t, now_ms());
    pthread_mutex_unlock(&t->lock);
}

static void on_closed(uv_handle_t *h) {
    mm_timer *t = h->data;
    t->closed = true;
}

static void stop_on_loop(void *ud) {
    mm_timer *t = ud;
    pthread_mutex_lock(&t->lock);
    t->stopping = true;
    /* Not yet due: fire now, so that owners release what they hold. */
    while (t->count > 0) {
        mm_timer_entry *e = t->heap[0];
        heap_remove(t, e);
        pthread_mutex_unlock(&t->lock);
        e->fn(e->ud);
        pthread_mutex_lock(&t->lock);
    }
    pthread_mutex_unlock(&t->lock);
    uv_timer_stop(&t->uv);
    uv_close((uv_handle_t *)&t->uv, on_closed);
}

static void nothing(void *ud) { (void)ud; }

/* ---- any thread ------------------------------------------------------------ */

mm_timer *mm_timer_start(mm_loop_thread *lt) {
    mm_timer *t = calloc(1, sizeof(*t));
    if (!t) return NULL;
    t->lt = lt;
    t->armed_ms = INT64_MAX;
    t->cap = 64;
    t->heap = malloc(t->cap * sizeof *t->heap);
    pthread_mutex_init(&t->lock, NULL);
    if (!t->heap || mm_loop_thread_call(lt, start_on_loop, t) != 0) {
        pthread_mutex_destroy(&t->lock);
        free(t->heap);
        free(t);
        return NULL;
    }
    return t;
}

int mm_timer_add(mm_timer *t, mm_timer_entry *e, int64_t delay_ms, mm_timer_fn fn, void *ud) {
    e->due_ms = now_ms() + (delay_ms > 0 ? delay_ms : 0);
    e->fn = fn;
    e->ud = ud;
    e->slot = 0;
    pthread_mutex_lock(&t->lock);
    if (t->count == t->cap) {
        mm_timer_entry **h = realloc(t->heap, 2 * t->cap * sizeof *h);
        if (!h) {
            pthread_mutex_unlock(&t->lock);
            return MM_ENOMEM;
        }
        t->heap = h;
        t->cap *= 2;
    }
    place(t, t->count++, e);
    sift_up(t, t->count - 1);
    /* Earlier than the loop's timer: wake the loop once to re-arm it (from
     * the loop thread too: the firing callback re-arms only at its end). */
    bool wake = e->due_ms < t->armed_ms && !t->wake_posted && !t->firing && !t->stopping;
    if (wake) t->wake_posted = true;
    pthread_mutex_unlock(&t->lock);
    if (wake && mm_loop_thread_post(t->lt, on_wake, t) != 0) {
        /* The loop's queue is full: its timer's next firing (at most TICK_MS
         * away) picks the entry up. */
        pthread_mutex_lock(&t->lock);
        t->wake_posted = false;
        pthread_mutex_unlock(&t->lock);
    }
    return 0;
}

int mm_timer_cancel(mm_timer *t, mm_timer_entry *e) {
    pthread_mutex_lock(&t->lock);
    int removed = e->slot != 0;
    if (removed) heap_remove(t, e);
    pthread_mutex_unlock(&t->lock);
    return removed;
}

/* mm_loop_thread_call, retried while the loop's queue is full (bounded). */
static int call_on_loop(mm_loop_thread *lt, mm_loop_fn fn, void *ud) {
    int rc = MM_ELIMIT;
    for (int i = 0; i < 500 && rc == MM_ELIMIT; i++) {
        rc = mm_loop_thread_call(lt, fn, ud);
        if (rc == MM_ELIMIT) nanosleep(&(struct timespec){0, 10 * 1000000}, NULL);
    }
    return rc;
}

void mm_timer_free(mm_timer *t) {
    if (!t) return;
    /* The close callback runs at the end of the loop iteration that ran
     * stop_on_loop; the second call runs in a later iteration. */
    if (call_on_loop(t->lt, stop_on_loop, t) != 0 || call_on_loop(t->lt, nothing, NULL) != 0 ||
        !t->closed)
        return; /* the loop is gone or stuck: leak t rather than free it under the loop */
    pthread_mutex_destroy(&t->lock);
    free(t->heap);
    free(t);
}
