/* timer.h -- one thread that fires callbacks at deadlines.
 *
 * Synchronous mutations need a timeout per waiting request; a thread per
 * request or a sleep loop would not scale, so one thread keeps the pending
 * deadlines in order and sleeps on a condition variable until the earliest.
 * Cancelling never waits for a callback that is already running (callers
 * use reference counts), which keeps lock ordering with the notifier simple. */
#ifndef MM_SERVICE_TIMER_H
#define MM_SERVICE_TIMER_H

#include <stdint.h>

#include <stdbool.h>

typedef struct mm_timer mm_timer;
typedef void (*mm_timer_fn)(void *ud);

/* An entry is embedded in the caller's own (reference-counted) object, so a
 * cancel that loses the race against the firing never touches freed memory:
 * the caller's reference keeps the entry alive. Private fields. */
typedef struct mm_timer_entry {
    int64_t due_ms;
    mm_timer_fn fn;
    void *ud;
    struct mm_timer_entry *next, *prev;
    bool linked;
} mm_timer_entry;

mm_timer *mm_timer_start(void);

/* Calls fn(ud) once on the timer thread after delay_ms. e must stay valid
 * until fn has run or mm_timer_cancel returned 1. */
void mm_timer_add(mm_timer *t, mm_timer_entry *e, int64_t delay_ms, mm_timer_fn fn, void *ud);

/* Returns 1 if the entry was removed before firing (fn will never run), 0
 * if it has fired or is firing (fn runs or ran exactly once). */
int mm_timer_cancel(mm_timer *t, mm_timer_entry *e);

/* Stops the thread; entries not yet due fire at once (so their owners can
 * release what they hold), then the timer is freed. */
void mm_timer_free(mm_timer *t);

#endif
