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

#endif
