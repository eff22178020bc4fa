/* metrics.c -- the node's Prometheus metrics (metrics.h). */
#include "node/metrics.h"

#include "common/strbuf.h"

#include <assert.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/log.h"
#include "node/child_process.h"
#include "metamorphosis.h"
#include "node/lag_probe.h"
#include "node/metrics_http.h"
#include "node/node_internal.h"

/* The lag probe's round period (MM_NODE_LAG_INTERVAL_MS overrides), and
 * its restart backoff when it dies. */
#define LAG_INTERVAL_MS    2000
#define LAG_BACKOFF_MIN_MS 1000
#define LAG_BACKOFF_MAX_MS 30000

/* In the order render() writes them; docs/metrics.md lists the same. */
enum {
    F_HANDLED,
    F_FAILED,
    F_RETRIED,
    F_DEAD,
    F_IN_FLIGHT,
    F_REBALANCES,
    F_HANDLER,
    F_E2E,
    F_TRACE_EXPORTED,
    F_TRACE_DROPPED,
    F_TRACE_FAILURES,
    F_TRACE_QUEUE,
    F_LAG,
    F_COMMITTED,
    F_END,
    F_WORKERS,
    F_DESIRED,
    F_STARTS,
    F_EXITS,
    F_PROBE_ROUNDS,
    F_PROBE_ERRORS,
    F_PROBE_LAST,
    F_COUNT
};

const mm_node_metric_family mm_node_metric_families[] = {
    [F_HANDLED] = {"mm_worker_events_handled_total", "counter", "service, consumer",
                   "Events whose handling is done and durable (offset may be committed), not "
                   "dead-lettered; failed events included."},
    [F_FAILED] = {"mm_worker_events_failed_total", "counter", "service, consumer",
                  "Events that ended with an error: the handler raised, or retries, emits, state "
                  "or result storage failed for good."},
    [F_RETRIED] = {"mm_worker_events_retried_total", "counter", "service, consumer",
                   "Retries: handler calls it asked for, and publish, state and result-store "
                   "attempts repeated after a transient failure."},
    [F_DEAD] = {"mm_worker_events_dead_lettered_total", "counter", "service, consumer",
                "Events done by a copy on the dead-letter topic."},
    [F_IN_FLIGHT] = {"mm_worker_events_in_flight", "gauge", "service, consumer",
                     "Events received by the running workers and not done yet."},
    [F_REBALANCES] = {"mm_worker_rebalances_total", "counter", "service, consumer",
                      "Partition assignments the workers received from their group."},
    [F_HANDLER] = {"mm_worker_handler_duration_seconds", "histogram", "service, consumer",
                   "Duration of one call of the service's handler."},
    [F_E2E] = {"mm_worker_event_latency_seconds", "histogram", "service, consumer",
               "From the event's time (ce_time, else its Kafka timestamp) to done."},
    [F_TRACE_EXPORTED] = {"mm_worker_trace_spans_exported_total", "counter", "service, consumer",
                          "Spans the workers' exporters sent and the collector accepted."},
    [F_TRACE_DROPPED] = {"mm_worker_trace_spans_dropped_total", "counter", "service, consumer",
                         "Spans the workers lost: their queue was full, or their export failed."},
    [F_TRACE_FAILURES] = {"mm_worker_trace_export_failures_total", "counter", "service, consumer",
                          "Export POSTs of the workers that failed (error, timeout, non-2xx)."},
    [F_TRACE_QUEUE] = {"mm_worker_trace_queue_bytes", "gauge", "service, consumer",
                       "Bytes of spans the running workers had queued when their exporters last "
                       "woke."},
    [F_LAG] = {"mm_node_consumer_lag_messages", "gauge", "service, consumer, topic, partition",
               "Messages of the partition the consumer group has not committed."},
    [F_COMMITTED] = {"mm_node_consumer_committed_offset", "gauge",
                     "service, consumer, topic, partition",
                     "The group's committed offset (-1: none yet)."},
    [F_END] = {"mm_node_consumer_end_offset", "gauge", "service, consumer, topic, partition",
               "The partition's end offset (high watermark)."},
    [F_WORKERS] = {"mm_node_workers", "gauge", "service, consumer",
                   "Worker processes running (not told to stop)."},
    [F_DESIRED] = {"mm_node_workers_desired", "gauge", "service, consumer",
                   "The consumer's process count on this node."},
    [F_STARTS] = {"mm_node_worker_starts_total", "counter", "service, consumer",
                  "Worker processes started."},
    [F_EXITS] = {"mm_node_worker_exits_total", "counter", "service, consumer, reason",
                 "Worker processes that ended, by reason."},
    [F_PROBE_ROUNDS] = {"mm_node_lag_probe_rounds_total", "counter", "",
                        "Rounds of the lag probe completed."},
    [F_PROBE_ERRORS] = {"mm_node_lag_probe_errors_total", "counter", "",
                        "Kafka calls of the lag probe that failed or timed out."},
    [F_PROBE_LAST] = {"mm_node_lag_probe_last_round_timestamp_seconds", "gauge", "",
                      "When the lag probe last completed a round (Unix time)."},
};
const size_t mm_node_metric_family_count = F_COUNT;
_Static_assert(sizeof mm_node_metric_families / sizeof mm_node_metric_families[0] == F_COUNT,
               "one family entry per F_ value");

struct mm_node_metrics {
    mm_metrics_http *http;
    mm_lag_table *lag;
    pid_t lag_pid;
    long long lag_next_start_ms;
    long lag_backoff_ms;
    long lag_interval_ms;
    const mm_consumer_spec **specs; /* per slot, for the probe */
    mm_worker_metrics *retired;     /* per slot: the blocks of workers that ended */
    unsigned long long (*exits)[MM_NODE_EXIT_REASONS];
};

const char *mm_node_exit_reason_name(mm_node_exit_reason r) {
    switch (r) {
    case MM_NODE_EXIT_HARAKIRI: return "harakiri";
    case MM_NODE_EXIT_MAX_AGE: return "max_age";
    case MM_NODE_EXIT_CODE: return "exit_code";
    case MM_NODE_EXIT_SIGNAL: return "signal";
    case MM_NODE_EXIT_ADJUST: return "adjust";
    case MM_NODE_EXIT_STOPPED: return "stopped";
    case MM_NODE_EXIT_KILLED: return "killed";
    case MM_NODE_EXIT_REASONS: break;
    }
    return "unknown";
}

static char *render_cb(void *ud, size_t *len) { return mm_node_metrics_render(ud, len); }

static size_t block_size(void) { return (sizeof(mm_worker_metrics) + 4095) & ~(size_t)4095; }

int mm_node_metrics_open(mm_node *n, char *err, size_t err_size) {
    const char *where = n->o->config->node_metrics_listen;
    n->metrics = NULL;
    if (!where || !*where) return 0;
    mm_node_metrics *m = calloc(1, sizeof *m);
    size_t slots = n->slot_count ? n->slot_count : 1;
    if (m) {
        m->specs = calloc(slots, sizeof *m->specs);
        m->retired = calloc(slots, sizeof *m->retired);
        m->exits = calloc(slots, sizeof *m->exits);
        m->lag = mm_lag_table_map();
    }
    if (!m || !m->specs || !m->retired || !m->exits || !m->lag) {
        n->metrics = m;
        mm_node_metrics_close(n);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    n->metrics = m;
    for (size_t i = 0; i < n->slot_count; i++) m->specs[i] = n->slots[i].spec;
    m->lag_backoff_ms = LAG_BACKOFF_MIN_MS;
    m->lag_interval_ms = LAG_INTERVAL_MS;
    const char *iv = getenv("MM_NODE_LAG_INTERVAL_MS");
    if (iv && *iv) {
        char *end;
        long v = strtol(iv, &end, 10);
        if (*end || v < 100 || v > 600000) {
            snprintf(err, err_size, "MM_NODE_LAG_INTERVAL_MS: expected 100 to 600000");
            mm_node_metrics_close(n);
            return MM_EINVAL;
        }
        m->lag_interval_ms = v;
    }
    char bound[300];
    m->http = mm_metrics_http_new(where, render_cb, n, bound, sizeof bound, err, err_size);
    if (!m->http) {
        mm_node_metrics_close(n);
        return MM_EIO;
    }
    printf("node metrics: %s\n", bound);
    fflush(stdout);
    mm_log_info("node %s: metrics at http://%s/metrics", n->o->node_name, bound);
    return 0;
}

void mm_node_metrics_close(mm_node *n) {
    mm_node_metrics *m = n->metrics;
    if (!m) return;
    if (m->lag_pid > 0) {
        kill(m->lag_pid, SIGTERM);
        /* Bounded: the probe checks its flag every 100 ms, and a Kafka call
         * in progress has a 1.5 s deadline. */
        long long deadline = mm_node_mono_ms() + 3000;
        int ws;
        while (waitpid(m->lag_pid, &ws, WNOHANG) == 0) {
            if (mm_node_mono_ms() >= deadline) {
                kill(m->lag_pid, SIGKILL);
                waitpid(m->lag_pid, &ws, 0);
                break;
            }
            usleep(10 * 1000);
        }
        m->lag_pid = 0;
    }
    mm_metrics_http_free(m->http);
    mm_lag_table_unmap(m->lag);
    free(m->specs);
    free(m->retired);
    free(m->exits);
    free(m);
    n->metrics = NULL;
}

mm_worker_metrics *mm_node_metrics_block_map(mm_node *n) {
    if (!n->metrics) return NULL;
    void *p = mmap(NULL, block_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p; /* zeroed */
}

void mm_node_metrics_block_unmap(mm_worker_metrics *b) {
    if (b) munmap(b, block_size());
}

void mm_node_metrics_worker_ended(mm_node *n, mm_node_slot *s, mm_node_proc *p, int reason,
                                  int ws) {
    mm_node_metrics *m = n->metrics;
    if (!m) return;
    size_t i = (size_t)(s - n->slots);
    assert(i < n->slot_count);
    mm_node_exit_reason r;
    switch ((mm_worker_reason)reason) {
    case MM_WORKER_HARAKIRI: r = MM_NODE_EXIT_HARAKIRI; break;
    case MM_WORKER_MAX_AGE: r = MM_NODE_EXIT_MAX_AGE; break;
    case MM_WORKER_KILLED: r = MM_NODE_EXIT_KILLED; break;
    case MM_WORKER_STOPPED: r = n->draining ? MM_NODE_EXIT_STOPPED : MM_NODE_EXIT_ADJUST; break;
    case MM_WORKER_CRASH:
    default: r = WIFSIGNALED(ws) ? MM_NODE_EXIT_SIGNAL : MM_NODE_EXIT_CODE; break;
    }
    m->exits[i][r]++;
    if (p->metrics) {
        mm_wm_accumulate(&m->retired[i], p->metrics);
        mm_node_metrics_block_unmap(p->metrics);
        p->metrics = NULL;
    }
}

void mm_node_metrics_tick(mm_node *n) {
    mm_node_metrics *m = n->metrics;
    if (!m || m->lag_pid > 0 || n->draining || n->slot_count == 0) return;
    if (mm_node_mono_ms() < m->lag_next_start_ms) return;
    char err[256];
    sigset_t old;
    mm_child_block_signals_for_fork(&old, 0);
    pid_t pid = mm_lag_probe_spawn(n->o->config, m->specs, n->slot_count, m->lag,
                                   m->lag_interval_ms, err, sizeof err);
    sigprocmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        mm_log_error("node: cannot start the lag probe: %s", err);
        m->lag_next_start_ms = mm_node_mono_ms() + LAG_BACKOFF_MAX_MS;
        return;
    }
    m->lag_pid = pid;
}

int mm_node_metrics_reaped(mm_node *n, pid_t pid, int ws) {
    mm_node_metrics *m = n->metrics;
    if (!m || pid != m->lag_pid) return 0;
    m->lag_pid = 0;
    if (n->draining) return 1;
    mm_log_warn("node: the lag probe ended (status %d); restarting it in %ld ms",
                WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), m->lag_backoff_ms);
    m->lag_next_start_ms = mm_node_mono_ms() + m->lag_backoff_ms;
    m->lag_backoff_ms =
        m->lag_backoff_ms * 2 > LAG_BACKOFF_MAX_MS ? LAG_BACKOFF_MAX_MS : m->lag_backoff_ms * 2;
    return 1;
}

size_t mm_node_metrics_fds(mm_node *n, struct pollfd *fds, size_t max) {
    return n->metrics ? mm_metrics_http_fds(n->metrics->http, fds, max) : 0;
}

int mm_node_metrics_timeout(mm_node *n) {
    mm_node_metrics *m = n->metrics;
    if (!m) return -1;
    int t = mm_metrics_http_timeout(m->http);
    if (m->lag_pid <= 0 && !n->draining && n->slot_count) {
        long long d = m->lag_next_start_ms - mm_node_mono_ms();
        int lt = d <= 0 ? 0 : (int)d;
        if (t < 0 || lt < t) t = lt;
    }
    return t;
}

void mm_node_metrics_handle(mm_node *n, const struct pollfd *fds, size_t count) {
    if (n->metrics) mm_metrics_http_handle(n->metrics->http, fds, count);
}

/* ---- the exposition text ------------------------------------------------- */

/* A label value as the text format wants it: \ " and newline escaped. */
static const char *esc(const char *s, char *out, size_t size) {
    size_t o = 0;
    for (; s && *s && o + 3 < size; s++) {
        if (*s == '\\' || *s == '"') out[o++] = '\\';
        if (*s == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
            continue;
        }
        out[o++] = *s;
    }
    out[o] = '\0';
    return out;
}

static void family(mm_strbuf *t, int f) {
    const mm_node_metric_family *d = &mm_node_metric_families[f];
    mm_strbuf_printf(t, "# HELP %s %s\n# TYPE %s %s\n", d->name, d->help, d->name, d->type);
}

static uint64_t ld(const _Atomic uint64_t *c) {
    return atomic_load_explicit((_Atomic uint64_t *)c, memory_order_relaxed);
}

/* The consumer's totals: workers that ended plus the running ones. */
static void totals(const mm_node *n, size_t i, mm_worker_metrics *sum, int64_t *in_flight) {
    memset(sum, 0, sizeof *sum);
    mm_wm_accumulate(sum, &n->metrics->retired[i]);
    *in_flight = 0;
    const mm_node_slot *s = &n->slots[i];
    for (size_t j = 0; j < s->proc_count; j++)
        if (s->procs[j].metrics) {
            mm_wm_accumulate(sum, s->procs[j].metrics);
            *in_flight +=
                atomic_load_explicit(&s->procs[j].metrics->in_flight, memory_order_relaxed);
            mm_wm_add(&sum->trace.queued_bytes, ld(&s->procs[j].metrics->trace.queued_bytes));
        }
    if (*in_flight < 0) *in_flight = 0; /* a read between two workers' updates */
}

static void histogram(mm_strbuf *t, const char *name, const char *labels,
                      const _Atomic uint64_t *bucket, const uint64_t *bounds, int n,
                      uint64_t sum_us, uint64_t count) {
    uint64_t cum = 0;
    for (int b = 0; b < n; b++) {
        cum += ld(&bucket[b]);
        if (b < n - 1)
            mm_strbuf_printf(t, "%s_bucket{%s,le=\"%g\"} %llu\n", name, labels,
                             (double)bounds[b] / 1e6, (unsigned long long)cum);
        else
            mm_strbuf_printf(t, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
                             (unsigned long long)cum);
    }
    mm_strbuf_printf(t, "%s_sum{%s} %.6f\n", name, labels, (double)sum_us / 1e6);
    mm_strbuf_printf(t, "%s_count{%s} %llu\n", name, labels, (unsigned long long)count);
}

/* One consumer's sample(s) of a worker family (F_HANDLED..F_TRACE_QUEUE)
 * from its counters w; in_flight is passed apart (a sum over the running
 * workers, not a counter). */
static void worker_sample(mm_strbuf *t, int f, const char *labels, const mm_worker_metrics *w,
                          int64_t in_flight) {
    const char *name = mm_node_metric_families[f].name;
    const _Atomic uint64_t *cell = NULL;
    switch (f) {
    case F_HANDLED: cell = &w->handled; break;
    case F_FAILED: cell = &w->failed; break;
    case F_RETRIED: cell = &w->retried; break;
    case F_DEAD: cell = &w->dead_lettered; break;
    case F_REBALANCES: cell = &w->rebalances; break;
    case F_TRACE_EXPORTED: cell = &w->trace.exported; break;
    case F_TRACE_DROPPED: cell = &w->trace.dropped; break;
    case F_TRACE_FAILURES: cell = &w->trace.failed_posts; break;
    case F_TRACE_QUEUE: cell = &w->trace.queued_bytes; break;
    case F_IN_FLIGHT:
        mm_strbuf_printf(t, "%s{%s} %lld\n", name, labels, (long long)in_flight);
        return;
    case F_HANDLER:
        histogram(t, name, labels, w->handler.bucket, mm_wm_handler_bounds_us,
                  MM_WM_HANDLER_BUCKETS, ld(&w->handler.sum_us), ld(&w->handler.count));
        return;
    case F_E2E:
        histogram(t, name, labels, w->e2e.bucket, mm_wm_e2e_bounds_us, MM_WM_E2E_BUCKETS,
                  ld(&w->e2e.sum_us), ld(&w->e2e.count));
        return;
    default: assert(!"not a worker family"); return;
    }
    mm_strbuf_printf(t, "%s{%s} %llu\n", name, labels, (unsigned long long)ld(cell));
}

static size_t running(const mm_node_slot *s) {
    size_t r = 0;
    for (size_t i = 0; i < s->proc_count; i++) r += !s->procs[i].stopping && !s->procs[i].released;
    return r;
}

char *mm_node_metrics_render(mm_node *n, size_t *len) {
    mm_node_metrics *m = n->metrics;
    assert(m);
    mm_strbuf t = MM_STRBUF_INIT;
    size_t k = n->slot_count;
    mm_worker_metrics *sums = calloc(k ? k : 1, sizeof *sums);
    int64_t *inflight = calloc(k ? k : 1, sizeof *inflight);
    char(*labels)[700] = calloc(k ? k : 1, sizeof *labels);
    mm_lag_table *lag = calloc(1, sizeof *lag);
    int have_lag = lag && mm_lag_table_read(m->lag, lag) == 0;
    if (!sums || !inflight || !labels || !lag) t.failed = true;
    for (size_t i = 0; !t.failed && i < k; i++) {
        char sv[256], cv[256];
        totals(n, i, &sums[i], &inflight[i]);
        snprintf(labels[i], sizeof labels[i], "service=\"%s\",consumer=\"%s\"",
                 esc(n->slots[i].spec->service->name, sv, sizeof sv),
                 esc(n->slots[i].spec->name, cv, sizeof cv));
    }
    for (int f = 0; f < F_COUNT && !t.failed; f++) {
        family(&t, f);
        const char *name = mm_node_metric_families[f].name;
        for (size_t i = 0; i < k && f <= F_EXITS && f != F_LAG && f != F_COMMITTED && f != F_END;
             i++) {
            const mm_node_slot *s = &n->slots[i];
            switch (f) {
            case F_WORKERS:
                mm_strbuf_printf(&t, "%s{%s} %zu\n", name, labels[i], running(s));
                break;
            case F_DESIRED:
                mm_strbuf_printf(&t, "%s{%s} %ld\n", name, labels[i], s->desired);
                break;
            case F_STARTS:
                mm_strbuf_printf(&t, "%s{%s} %llu\n", name, labels[i], s->started);
                break;
            case F_EXITS:
                for (int r = 0; r < MM_NODE_EXIT_REASONS; r++)
                    mm_strbuf_printf(&t, "%s{%s,reason=\"%s\"} %llu\n", name, labels[i],
                                     mm_node_exit_reason_name((mm_node_exit_reason)r),
                                     m->exits[i][r]);
                break;
            default: worker_sample(&t, f, labels[i], &sums[i], inflight[i]); break;
            }
        }
        if ((f == F_LAG || f == F_COMMITTED || f == F_END) && have_lag)
            for (uint32_t e = 0; e < lag->count; e++) {
                const mm_lag_entry *le = &lag->e[e];
                if (le->consumer < 0 || (size_t)le->consumer >= k) continue;
                char tv[300];
                long long v = f == F_LAG ? le->lag : f == F_COMMITTED ? le->committed : le->end;
                mm_strbuf_printf(&t, "%s{%s,topic=\"%s\",partition=\"%d\"} %lld\n", name,
                                 labels[le->consumer], esc(le->topic, tv, sizeof tv),
                                 (int)le->partition, v);
            }
        if (f == F_PROBE_ROUNDS)
            mm_strbuf_printf(&t, "%s %llu\n", name,
                             (unsigned long long)atomic_load(&m->lag->rounds));
        if (f == F_PROBE_ERRORS)
            mm_strbuf_printf(&t, "%s %llu\n", name,
                             (unsigned long long)atomic_load(&m->lag->errors));
        if (f == F_PROBE_LAST)
            mm_strbuf_printf(&t, "%s %.3f\n", name,
                             (double)atomic_load(&m->lag->last_round_wall_ms) / 1e3);
    }
    free(sums);
    free(inflight);
    free(labels);
    free(lag);
    *len = t.len;
    return mm_strbuf_take(&t); /* NULL when an allocation failed */
}

const size_t mm_worker_metric_family_count = F_TRACE_QUEUE + 1;

char *mm_worker_metrics_render(const mm_worker_metrics *w, const char *service,
                               const char *consumer, size_t *len) {
    mm_strbuf t = MM_STRBUF_INIT;
    char sv[256], cv[256], labels[700];
    snprintf(labels, sizeof labels, "service=\"%s\",consumer=\"%s\"", esc(service, sv, sizeof sv),
             esc(consumer, cv, sizeof cv));
    int64_t in_flight = atomic_load_explicit(&w->in_flight, memory_order_relaxed);
    if (in_flight < 0) in_flight = 0;
    for (int f = 0; f <= F_TRACE_QUEUE && !t.failed; f++) {
        family(&t, f);
        worker_sample(&t, f, labels, w, in_flight);
    }
    *len = t.len;
    return mm_strbuf_take(&t); /* NULL when an allocation failed */
}
