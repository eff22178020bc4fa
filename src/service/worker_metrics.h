/* worker_metrics.h -- what a worker counts about the events it handles, in
 * one fixed-size block of lock-free counters.
 *
 * A node maps one block per worker process (MAP_SHARED, before fork:
 * node/metrics.c) and reads it while the worker writes it, so every cell is
 * a C11 atomic updated with relaxed ordering: each cell is exact on its own,
 * the cells need not agree with each other at the instant of a read, and a
 * worker killed mid-update leaves nothing torn. The runner's hooks
 * (consumer_runner.c) are one relaxed atomic add each, no lock, no system
 * call but clock_gettime. docs/metrics.md names every counter as the node
 * exports it. */
#ifndef MM_SERVICE_WORKER_METRICS_H
#define MM_SERVICE_WORKER_METRICS_H

#include <stdatomic.h>
#include <stdint.h>

#include "bus/consumer.h"
#include "bus/envelope.h"
#include "common/trace_export.h"

/* Histogram bucket upper bounds, in microseconds; the last bucket is +Inf. */
#define MM_WM_HANDLER_BUCKETS 14 /* 0.5 ms .. 10 s, +Inf (as the HTTP server's) */
#define MM_WM_E2E_BUCKETS     16 /* 1 ms .. 300 s, +Inf */

typedef struct mm_wm_histogram_handler {
    _Atomic uint64_t bucket[MM_WM_HANDLER_BUCKETS]; /* not cumulative: one per range */
    _Atomic uint64_t sum_us;
    _Atomic uint64_t count;
} mm_wm_histogram_handler;

typedef struct mm_wm_histogram_e2e {
    _Atomic uint64_t bucket[MM_WM_E2E_BUCKETS];
    _Atomic uint64_t sum_us;
    _Atomic uint64_t count;
} mm_wm_histogram_e2e;

typedef struct mm_worker_metrics {
    _Atomic uint64_t handled;        /* events done, not dead-lettered */
    _Atomic uint64_t failed;         /* events that ended with an error result / ExceptionEvent */
    _Atomic uint64_t retried;        /* handler, publish, state or store attempts retried */
    _Atomic uint64_t dead_lettered;  /* events done by a copy on <topic>.dlq */
    _Atomic uint64_t rebalances;     /* partition assignments this worker received */
    _Atomic int64_t in_flight;       /* events started and not done */
    mm_wm_histogram_handler handler; /* handler call durations */
    mm_wm_histogram_e2e e2e;         /* ce_time (else the Kafka timestamp) to done */
    /* The worker process's span exporter (trace_export.h), when tracing is
     * on: the worker points the exporter's counters here. */
    mm_trace_counters trace;
} mm_worker_metrics;

extern const uint64_t mm_wm_handler_bounds_us[MM_WM_HANDLER_BUCKETS - 1];
extern const uint64_t mm_wm_e2e_bounds_us[MM_WM_E2E_BUCKETS - 1];

/* Wall-clock and monotonic microseconds (clock_gettime). */
int64_t mm_wm_mono_us(void);
int64_t mm_wm_wall_us(void);

/* RFC 3339 ("2026-12-06T18:04:19.123Z", "...+01:00") to microseconds since
 * the epoch; -1 when it does not parse. */
int64_t mm_wm_parse_time_us(const char *s);

/* The runner's hooks; m may be NULL (no metrics). */
static inline void mm_wm_add(_Atomic uint64_t *cell, uint64_t v) {
    atomic_fetch_add_explicit(cell, v, memory_order_relaxed);
}
void mm_wm_started(mm_worker_metrics *m);
void mm_wm_handler_time(mm_worker_metrics *m, int64_t start_mono_us);
void mm_wm_retried(mm_worker_metrics *m);
void mm_wm_failed(mm_worker_metrics *m);
/* An event is done (its outcome is durable): counts it handled or
 * dead-lettered and observes its end-to-end latency from ev->time (else
 * kafka_ts_ms, the message timestamp; neither: not observed). */
void mm_wm_done(mm_worker_metrics *m, const mm_event *ev, int64_t kafka_ts_ms, int dead);
void mm_wm_rebalanced(mm_worker_metrics *m);
/* mm_wm_rebalanced as a mm_consumer_config.on_assign callback (ud: the block). */
void mm_wm_on_assign(void *ud);

/* Adds src's counters and histograms to dst (the gauges in_flight and
 * trace.queued_bytes are not added: a finished worker has nothing in
 * flight or queued). Relaxed loads. */
void mm_wm_accumulate(mm_worker_metrics *dst, const mm_worker_metrics *src);

#endif
