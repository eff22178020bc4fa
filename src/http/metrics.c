/* metrics.c -- request counters, a latency histogram and gauges, and the
 * process's span exporter counters, exposed at /metrics in the Prometheus
 * text format. Lock-free: every cell is a C11
 * atomic, so workers never contend on a metrics mutex. */
#include "http/http_internal.h"

#include "common/strbuf.h"
#include "common/trace_export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[MM_HTTP_METHOD_COUNT] = {"GET", "POST", "OPTIONS", "OTHER"};

/* Status codes get a slot each; anything else shares the last slot. */
static const unsigned status_codes[MM_HTTP_STATUS_SLOTS - 1] = {200, 204, 400, 404, 405, 406,
                                                                413, 415, 431, 500, 503};
static const char *const result_names[MM_HTTP_RESULT_COUNT] = {
    "ok", "field_errors", "graphql_error", "http_error", "timeout", "shutdown", "server_error"};

/* Upper bounds in microseconds; the last bucket is +Inf. */
static const uint64_t bucket_us[MM_HTTP_LATENCY_BUCKETS - 1] = {
    500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 10000000};
static const char *const bucket_le[MM_HTTP_LATENCY_BUCKETS] = {
    "0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05",
    "0.1",    "0.25",  "0.5",    "1",     "2.5",  "10",    "+Inf"};

static const char *error_kind_name(int kind) {
    switch (kind) {
    case MM_HTTP_ERRKIND_EXECUTION: return "execution";
    case MM_HTTP_ERRKIND_REQUEST: return "http_request";
    case MM_HTTP_ERRKIND_TIMEOUT: return "timeout";
    case MM_HTTP_ERRKIND_SHUTDOWN: return "shutdown";
    default: return mm_http_outcome_name((mm_http_outcome)kind);
    }
}

int mm_http_method_index(const char *method) {
    if (!method) return MM_HTTP_METHOD_OTHER;
    if (strcmp(method, "GET") == 0) return MM_HTTP_METHOD_GET;
    if (strcmp(method, "POST") == 0) return MM_HTTP_METHOD_POST;
    if (strcmp(method, "OPTIONS") == 0) return MM_HTTP_METHOD_OPTIONS;
    return MM_HTTP_METHOD_OTHER;
}

static int status_slot(unsigned status) {
    for (int i = 0; i < MM_HTTP_STATUS_SLOTS - 1; i++)
        if (status_codes[i] == status) return i;
    return MM_HTTP_STATUS_SLOTS - 1;
}

void mm_http_metrics_observe(mm_http_metrics *m, int method, unsigned status, mm_http_result result,
                             uint64_t duration_us) {
    if (method < 0 || method >= MM_HTTP_METHOD_COUNT) method = MM_HTTP_METHOD_OTHER;
    if ((unsigned)result >= MM_HTTP_RESULT_COUNT) result = MM_HTTP_RESULT_SERVER_ERROR;
    atomic_fetch_add(&m->requests[method][status_slot(status)][result], 1);
    int b = 0;
    while (b < MM_HTTP_LATENCY_BUCKETS - 1 && duration_us > bucket_us[b]) b++;
    atomic_fetch_add(&m->latency_bucket[b], 1);
    atomic_fetch_add(&m->latency_sum_us, duration_us);
    atomic_fetch_add(&m->latency_count, 1);
}

void mm_http_metrics_error(mm_http_metrics *m, int kind) {
    if (kind < 0 || kind >= MM_HTTP_ERRKIND_COUNT) return;
    atomic_fetch_add(&m->errors[kind], 1);
}

char *mm_http_metrics_render(mm_http_metrics *m, size_t *len) {
    mm_strbuf t = MM_STRBUF_INIT;
    mm_strbuf_reserve(&t, 4096);
    mm_strbuf_printf(
        &t, "# HELP mm_http_requests_total HTTP requests served, by method, status and outcome.\n"
            "# TYPE mm_http_requests_total counter\n");
    for (int me = 0; me < MM_HTTP_METHOD_COUNT; me++)
        for (int st = 0; st < MM_HTTP_STATUS_SLOTS; st++)
            for (int re = 0; re < MM_HTTP_RESULT_COUNT; re++) {
                unsigned long long v = atomic_load(&m->requests[me][st][re]);
                if (!v) continue;
                if (st == MM_HTTP_STATUS_SLOTS - 1)
                    mm_strbuf_printf(
                        &t,
                        "mm_http_requests_total{method=\"%s\",status=\"other\",outcome=\"%s\"} "
                        "%llu\n",
                        method_names[me], result_names[re], v);
                else
                    mm_strbuf_printf(
                        &t,
                        "mm_http_requests_total{method=\"%s\",status=\"%u\",outcome=\"%s\"} %llu\n",
                        method_names[me], status_codes[st], result_names[re], v);
            }
    mm_strbuf_printf(
        &t,
        "# HELP mm_http_request_duration_seconds Time from the request's first byte of headers to "
        "the answer being queued and sent.\n"
        "# TYPE mm_http_request_duration_seconds histogram\n");
    unsigned long long cum = 0;
    for (int b = 0; b < MM_HTTP_LATENCY_BUCKETS; b++) {
        cum += atomic_load(&m->latency_bucket[b]);
        mm_strbuf_printf(&t, "mm_http_request_duration_seconds_bucket{le=\"%s\"} %llu\n",
                         bucket_le[b], cum);
    }
    unsigned long long sum_us = atomic_load(&m->latency_sum_us);
    mm_strbuf_printf(&t, "mm_http_request_duration_seconds_sum %llu.%06llu\n", sum_us / 1000000ull,
                     sum_us % 1000000ull);
    mm_strbuf_printf(&t, "mm_http_request_duration_seconds_count %llu\n",
                     atomic_load(&m->latency_count));
    mm_strbuf_printf(&t,
                     "# HELP mm_http_requests_in_flight Requests received and not yet completed.\n"
                     "# TYPE mm_http_requests_in_flight gauge\nmm_http_requests_in_flight %lld\n",
                     atomic_load(&m->in_flight));
    mm_strbuf_printf(
        &t,
        "# HELP mm_http_requests_waiting Requests suspended while waiting for an answer.\n"
        "# TYPE mm_http_requests_waiting gauge\nmm_http_requests_waiting %lld\n",
        atomic_load(&m->waiting));
    mm_strbuf_printf(&t, "# HELP mm_graphql_errors_total GraphQL errors answered, by kind.\n"
                         "# TYPE mm_graphql_errors_total counter\n");
    for (int k = 0; k < MM_HTTP_ERRKIND_COUNT; k++)
        mm_strbuf_printf(&t, "mm_graphql_errors_total{kind=\"%s\"} %llu\n", error_kind_name(k),
                         atomic_load(&m->errors[k]));
    /* The process's span exporter (docs/tracing.md): zeros while tracing is off. */
    mm_trace_stats ts;
    mm_trace_get_stats(&ts);
    mm_strbuf_printf(
        &t,
        "# HELP mm_trace_spans_exported_total Spans sent to the OTLP collector and accepted.\n"
        "# TYPE mm_trace_spans_exported_total counter\nmm_trace_spans_exported_total %llu\n"
        "# HELP mm_trace_spans_dropped_total Spans lost: the export queue was full, or their "
        "export failed.\n"
        "# TYPE mm_trace_spans_dropped_total counter\nmm_trace_spans_dropped_total %llu\n"
        "# HELP mm_trace_export_failures_total Export POSTs that failed (error, timeout, "
        "non-2xx).\n"
        "# TYPE mm_trace_export_failures_total counter\nmm_trace_export_failures_total %llu\n"
        "# HELP mm_trace_queue_bytes Bytes of ended spans waiting for export.\n"
        "# TYPE mm_trace_queue_bytes gauge\nmm_trace_queue_bytes %zu\n",
        (unsigned long long)ts.exported, (unsigned long long)ts.dropped,
        (unsigned long long)ts.failed_posts, ts.queued_bytes);
    *len = t.len;
    return mm_strbuf_take(&t); /* NULL when an allocation failed */
}
