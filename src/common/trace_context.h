/* trace_context.h -- W3C Trace Context (https://www.w3.org/TR/trace-context/):
 * the traceparent and tracestate values, parsed strictly, written, and new
 * random ids. Pure functions over bytes (no I/O, no globals but a per-thread
 * random generator), so the parser is unit-tested and fuzzed on its own
 * (tests/fuzz/common/fuzz_trace_context.c).
 *
 * traceparent: "00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>",
 * lowercase hex, neither id all zeros, version "ff" invalid. A higher
 * version is accepted as the spec asks (its first 55 bytes parsed as
 * version 00, and what follows must start with '-'). We always write
 * version 00.
 *
 * tracestate: a list of at most 32 "key=value" members separated by commas
 * (optional spaces and tabs around them), keys and values as the spec's
 * grammar; at most MM_TRACESTATE_MAX bytes. An invalid or longer tracestate
 * is dropped as a whole (the spec allows discarding it), never the
 * traceparent with it. */
#ifndef MM_COMMON_TRACE_CONTEXT_H
#define MM_COMMON_TRACE_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Length of a version-00 traceparent, without the NUL. */
#define MM_TRACEPARENT_LEN 55
/* Longest tracestate kept (the spec's recommended minimum to propagate). */
#define MM_TRACESTATE_MAX 512
/* Most list members in a tracestate. */
#define MM_TRACESTATE_MAX_MEMBERS 32
/* The sampled bit of trace-flags. */
#define MM_TRACE_FLAG_SAMPLED 0x01

/* One position in a trace: the trace, the span that is the parent of what
 * happens next, the flags and the vendors' state. valid is false for "no
 * context" (then the rest is zero). */
typedef struct mm_trace_ctx {
    bool valid;
    uint8_t flags;
    uint8_t trace_id[16];
    uint8_t span_id[8];
    char state[MM_TRACESTATE_MAX + 1]; /* "" when none */
} mm_trace_ctx;

/* *dst = *src, copying only the used part of the state (a context is
 * mostly the room for a tracestate: a whole copy moves 540 bytes). */
static inline void mm_trace_ctx_copy(mm_trace_ctx *dst, const mm_trace_ctx *src) {
    dst->valid = src->valid;
    dst->flags = src->flags;
    memcpy(dst->trace_id, src->trace_id, sizeof dst->trace_id);
    memcpy(dst->span_id, src->span_id, sizeof dst->span_id);
    size_t n = src->state[0] ? strlen(src->state) : 0;
    memcpy(dst->state, src->state, n + 1);
}

/* Parses a traceparent value (len bytes, need not be NUL-terminated) into
 * out's ids and flags (out->state is left alone). 0, or -1 when it is not a
 * valid traceparent (out->valid is then false). */
int mm_traceparent_parse(const char *s, size_t len, mm_trace_ctx *out);

/* Writes c as a version-00 traceparent plus a NUL (out: 56 bytes). */
void mm_traceparent_format(const mm_trace_ctx *c, char out[MM_TRACEPARENT_LEN + 1]);

/* True when s (len bytes) is a tracestate this code keeps (see above). */
bool mm_tracestate_is_valid(const char *s, size_t len);

/* Sets c->state to s when valid, else to "" (dropped). Returns whether kept. */
bool mm_tracestate_set(mm_trace_ctx *c, const char *s, size_t len);

/* Fills buf with n random bytes from a per-thread generator seeded from the
 * kernel (getrandom): ids must not collide, they need not be secret. Never
 * returns all zeros for n > 0. */
void mm_trace_random(uint8_t *buf, size_t n);
/* A new trace's id and its root span's id at once (the same generator). */
void mm_trace_random_ids(uint8_t trace_id[16], uint8_t span_id[8]);

/* Lowercase hex of n bytes plus a NUL (out: 2n+1 bytes). */
void mm_trace_hex(const uint8_t *bytes, size_t n, char *out);

#endif
