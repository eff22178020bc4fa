/* timer.h -- the deadlines of synchronous mutations, fired on a libuv loop.
 *
 * One heap of deadlines per server, fired by one uv_timer on the loop that
 * also runs the result notifier (the dependencies loop, store/loop_thread.h):
 * a deadline that fires can deregister its request's waiter on the very
 * thread where waiters fire, and there is no timer thread of its own.
 *
 * Entries are added and cancelled from any thread (the heap is under a
 * lock). The loop's timer is never armed more than TICK_MS (100 ms) ahead,
 * so adding an entry due later than that (every mutation deadline) does not
 * wake the loop: arming a request's deadlines costs no thread switch. An
 * earlier entry wakes the loop once to re-arm it. Cancelling never waits for
 * a callback that is already running (callers use reference counts). */
#ifndef MM_SERVICE_TIMER_H
#define MM_SERVICE_TIMER_H

#include <stddef.h>
#include <stdint.h>

#include "store/loop_thread.h"

typedef struct mm_timer mm_timer;
typedef void (*mm_timer_fn)(void *ud);

/* An entry is embedded in the caller's own (reference-counted) object, so a
 * cancel that loses the race against the firing never touches freed memory:
 * the caller's reference keeps the entry alive. Private fields. */
typedef struct mm_timer_entry {
    int64_t due_ms;
    mm_timer_fn fn;
    void *ud;
    size_t slot; /* heap index + 1; 0 when not in the heap */
} mm_timer_entry;

/* Creates the heap and its uv_timer on lt's loop. Not from lt's thread.
 * NULL when out of resources. */
mm_timer *mm_timer_start(mm_loop_thread *lt);

/* Calls fn(ud) once on the loop thread after delay_ms. e must stay valid
 * until fn has run or mm_timer_cancel returned 1. Any thread. Returns 0, or
 * MM_ENOMEM (the heap cannot grow: fn will never run). */
int mm_timer_add(mm_timer *t, mm_timer_entry *e, int64_t delay_ms, mm_timer_fn fn, void *ud);

/* Returns 1 if the entry was removed before firing (fn will never run), 0
 * if it has fired or is firing (fn runs or ran exactly once). Any thread. */
int mm_timer_cancel(mm_timer *t, mm_timer_entry *e);

/* Fires the entries not yet due at once on the loop thread (so their owners
 * can release what they hold), closes the uv_timer and frees t. Not from
 * the loop thread; the loop must still run. NULL is a no-op. */
void mm_timer_free(mm_timer *t);

#endif
