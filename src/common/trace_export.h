/* trace_export.h -- the OTLP/HTTP span exporter (docs/tracing.md).
 *
 * Ended spans wait in one process-wide queue bounded in bytes; a background
 * thread takes them in batches (every interval, or sooner once a batch is
 * full), encodes them as OTLP protobuf (an ExportTraceServiceRequest) and POSTs
 * them to <endpoint> with a small blocking HTTP/1.1 client (one kept-alive
 * connection, bounded in age and idle time) whose connect, send and receive
 * share a deadline. A span that does not fit the queue
 * is dropped and counted, never waited for; a batch the collector does not
 * accept (error, timeout, non-2xx) is dropped and counted too: spans are
 * telemetry, a request never waits for them. */
#ifndef MM_COMMON_TRACE_EXPORT_H
#define MM_COMMON_TRACE_EXPORT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/trace.h"

typedef struct mm_trace_config {
    const char *endpoint;     /* "http://host:port[/path]"; NULL or "": tracing off.
                                 No path (or "/"): "/v1/traces" is appended */
    double sample_ratio;      /* of new traces, 0..1 */
    size_t queue_bytes;       /* bound of the queue */
    unsigned timeout_ms;      /* deadline of each connect/send/receive */
    unsigned interval_ms;     /* how often a partial batch is sent */
    const char *service_name; /* resource attribute service.name */
} mm_trace_config;

/* Most spans per POST. */
#define MM_TRACE_BATCH_MAX 512

/* Starts the exporter and turns tracing on; call once at start-up before
 * any thread runs a hook. An endpoint that is not "http://host:port[/path]"
 * is MM_EINVAL with a reason in err (https is not supported: put a local
 * collector in front). NULL/"" endpoint: 0, tracing stays off. */
int mm_trace_init(const mm_trace_config *cfg, char *err, size_t err_size);

/* Sends what is queued (one last POST, within the timeout), stops the
 * thread and turns tracing off. No-op when off. */
void mm_trace_shutdown(void);

/* The exporter's counters as cells: lock-free atomics, so that they may
 * live in memory another process reads (a node's worker block). */
typedef struct mm_trace_counters {
    _Atomic uint64_t exported;     /* spans the collector accepted */
    _Atomic uint64_t dropped;      /* spans lost: queue full, or their batch failed */
    _Atomic uint64_t failed_posts; /* export POSTs that failed (error, timeout, non-2xx) */
    _Atomic uint64_t queued_bytes; /* gauge: bytes queued when the exporter last woke
                                      (at least once an interval) */
} mm_trace_counters;

/* Counts into c from now on (what was counted so far moves to c); NULL:
 * back to the process's own cells. Any thread, any time: the exporter and
 * the hooks read the pointer atomically. c must stay valid until the next
 * call or mm_trace_shutdown's return. */
void mm_trace_use_counters(mm_trace_counters *c);

typedef struct mm_trace_stats {
    uint64_t exported; /* spans the collector accepted */
    uint64_t dropped;  /* spans lost: queue full, or their batch failed */
    uint64_t failed_posts;
    size_t queued_bytes;
} mm_trace_stats;
void mm_trace_get_stats(mm_trace_stats *out);

/* The OTLP/JSON ExportTraceServiceRequest (what the wire would carry as
 * JSON; the exporter sends mm_otlp_encode_pb's protobuf) for n spans (a malloc'd text,
 * *len bytes), NULL when out of memory. Exposed for the unit tests. */
char *mm_otlp_encode(mm_span *const *spans, size_t n, const char *service_name, size_t *len);

/* Connections the exporter opened to the collector so far (it keeps one
 * alive across POSTs); for the unit tests. */
uint64_t mm_trace_connections_opened(void);

/* The bytes a span accounts for in the queue. */
size_t mm_trace_span_bytes(const mm_span *sp);

#endif
