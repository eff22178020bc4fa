/* trace_otlp_pb.h -- spans as an OTLP ExportTraceServiceRequest in protobuf
 * (the wire format the exporter POSTs, Content-Type application/x-protobuf;
 * docs/tracing.md). Binary ids, fixed64 times and length-prefixed strings:
 * no hex, no decimal, no escaping, so a span costs a few hundred
 * instructions to encode. */
#ifndef MM_COMMON_TRACE_OTLP_PB_H
#define MM_COMMON_TRACE_OTLP_PB_H

#include <stddef.h>

#include "common/trace.h"

/* The request for n spans (malloc'd, *len bytes), NULL when out of memory. */
unsigned char *mm_otlp_encode_pb(mm_span *const *spans, size_t n, const char *service_name,
                                 size_t *len);

/* The same, left where it was written: the request is *len bytes at
 * *start in the malloc'd buffer returned (free that). Saves moving the
 * whole request (a batch is ~100-200 KB) over the room its head was given. */
unsigned char *mm_otlp_encode_pb_at(mm_span *const *spans, size_t n, const char *service_name,
                                    size_t *start, size_t *len);

/* Room an encoder keeps from one request to the next (the exporter's: a
 * batch's ~100-250 KB buffer malloc'd and freed per POST cost the kernel
 * dozens of mprotect calls and page faults each time, as glibc grew and
 * trimmed the thread's heap). Zero-initialised; mm_otlp_pb_buf_free
 * releases it. */
typedef struct mm_otlp_pb_buf {
    unsigned char *buf;
    size_t cap;
    void *attrs; /* the encoder's attribute scratch */
} mm_otlp_pb_buf;

/* mm_otlp_encode_pb_at into keep's buffer (grown when needed): returns
 * keep->buf (not to be freed by the caller) or NULL when out of memory
 * (keep is then emptied). */
unsigned char *mm_otlp_encode_pb_into(mm_otlp_pb_buf *keep, mm_span *const *spans, size_t n,
                                      const char *service_name, size_t *start, size_t *len);
void mm_otlp_pb_buf_free(mm_otlp_pb_buf *keep);

#endif
