/* worker_metrics.c -- the worker's event counters (worker_metrics.h). */
#include "service/worker_metrics.h"

#include <assert.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Shared between processes: the counters must be real lock-free atomics
 * (a lock inside a shared page could be held by a worker that was killed). */
_Static_assert(ATOMIC_LLONG_LOCK_FREE == 2, "64-bit atomics must be lock-free");

const uint64_t mm_wm_handler_bounds_us[MM_WM_HANDLER_BUCKETS - 1] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};
const uint64_t mm_wm_e2e_bounds_us[MM_WM_E2E_BUCKETS - 1] = {
    1000,    5000,    10000,   25000,    50000,    100000,   250000,   500000,
    1000000, 2500000, 5000000, 10000000, 30000000, 60000000, 300000000};

int64_t mm_wm_mono_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t mm_wm_wall_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int digits(const char **p, int n, int *out) {
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i])) return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian; Howard Hinnant's
 * days_from_civil algorithm, written from its description). */
static int64_t days_from_civil(int y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t mm_wm_parse_time_us(const char *s) {
    if (!s) return -1;
    int y, mo, d, h, mi, sec;
    const char *p = s;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d) || (*p != 'T' && *p != 't' && *p != ' '))
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
        digits(&p, 2, &sec))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
    int64_t frac_us = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        int64_t scale = 100000;
        while (isdigit((unsigned char)*p)) {
            if (n++ < 6) {
                frac_us += (*p - '0') * scale;
                scale /= 10;
            }
            p++;
        }
        if (n == 0) return -1;
    }
    int64_t offset_s = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om)) return -1;
        offset_s = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p) return -1;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset_s;
    return t * 1000000 + frac_us;
}

static void observe(_Atomic uint64_t *bucket, const uint64_t *bounds, int n, _Atomic uint64_t *sum,
                    _Atomic uint64_t *count, uint64_t us) {
    int b = 0;
    while (b < n - 1 && us > bounds[b]) b++;
    mm_wm_add(&bucket[b], 1);
    mm_wm_add(sum, us);
    mm_wm_add(count, 1);
}

void mm_wm_started(mm_worker_metrics *m) {
    if (m) atomic_fetch_add_explicit(&m->in_flight, 1, memory_order_relaxed);
}

void mm_wm_handler_time(mm_worker_metrics *m, int64_t start_mono_us) {
    if (!m) return;
    int64_t d = mm_wm_mono_us() - start_mono_us;
    observe(m->handler.bucket, mm_wm_handler_bounds_us, MM_WM_HANDLER_BUCKETS, &m->handler.sum_us,
            &m->handler.count, d > 0 ? (uint64_t)d : 0);
}

void mm_wm_retried(mm_worker_metrics *m) {
    if (m) mm_wm_add(&m->retried, 1);
}

void mm_wm_failed(mm_worker_metrics *m) {
    if (m) mm_wm_add(&m->failed, 1);
}

void mm_wm_rebalanced(mm_worker_metrics *m) {
    if (m) mm_wm_add(&m->rebalances, 1);
}

void mm_wm_on_assign(void *ud) { mm_wm_rebalanced(ud); }

void mm_wm_done(mm_worker_metrics *m, const mm_event *ev, int64_t kafka_ts_ms, int dead) {
    if (!m) return;
    atomic_fetch_sub_explicit(&m->in_flight, 1, memory_order_relaxed);
    mm_wm_add(dead ? &m->dead_lettered : &m->handled, 1);
    int64_t from = ev ? mm_wm_parse_time_us(ev->time) : -1;
    if (from < 0 && kafka_ts_ms > 0) from = kafka_ts_ms * 1000;
    if (from < 0) return;
    int64_t d = mm_wm_wall_us() - from;
    /* A producer clock ahead of ours: count it as 0, not as a huge value. */
    observe(m->e2e.bucket, mm_wm_e2e_bounds_us, MM_WM_E2E_BUCKETS, &m->e2e.sum_us, &m->e2e.count,
            d > 0 ? (uint64_t)d : 0);
}

static uint64_t ld(const _Atomic uint64_t *c) {
    return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}

void mm_wm_accumulate(mm_worker_metrics *dst, const mm_worker_metrics *src) {
    assert(dst && src);
    mm_wm_add(&dst->handled, ld(&src->handled));
    mm_wm_add(&dst->failed, ld(&src->failed));
    mm_wm_add(&dst->retried, ld(&src->retried));
    mm_wm_add(&dst->dead_lettered, ld(&src->dead_lettered));
    mm_wm_add(&dst->rebalances, ld(&src->rebalances));
    for (int i = 0; i < MM_WM_HANDLER_BUCKETS; i++)
        mm_wm_add(&dst->handler.bucket[i], ld(&src->handler.bucket[i]));
    mm_wm_add(&dst->handler.sum_us, ld(&src->handler.sum_us));
    mm_wm_add(&dst->handler.count, ld(&src->handler.count));
    for (int i = 0; i < MM_WM_E2E_BUCKETS; i++)
        mm_wm_add(&dst->e2e.bucket[i], ld(&src->e2e.bucket[i]));
    mm_wm_add(&dst->e2e.sum_us, ld(&src->e2e.sum_us));
    mm_wm_add(&dst->e2e.count, ld(&src->e2e.count));
    mm_wm_add(&dst->trace.exported, ld(&src->trace.exported));
    mm_wm_add(&dst->trace.dropped, ld(&src->trace.dropped));
    mm_wm_add(&dst->trace.failed_posts, ld(&src->trace.failed_posts));
}
