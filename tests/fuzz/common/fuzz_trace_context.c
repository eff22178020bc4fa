/* fuzz_trace_context.c -- libFuzzer target: any bytes as a traceparent (the
 * first line) and a tracestate (the rest) are accepted or refused, never a
 * crash; what is accepted writes back to the same traceparent (version 00)
 * and a kept tracestate is exactly the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/trace_context.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    const char *nl = memchr(s, '\n', size);
    size_t tp_len = nl ? (size_t)(nl - s) : size;
    mm_trace_ctx c;
    memset(&c, 0, sizeof c);
    if (mm_traceparent_parse(s, tp_len, &c) == 0) {
        if (!c.valid) abort();
        char out[MM_TRACEPARENT_LEN + 1];
        mm_traceparent_format(&c, out);
        mm_trace_ctx again;
        if (mm_traceparent_parse(out, MM_TRACEPARENT_LEN, &again) != 0) abort();
        if (memcmp(again.trace_id, c.trace_id, 16) || memcmp(again.span_id, c.span_id, 8)) abort();
        if (tp_len == MM_TRACEPARENT_LEN && s[0] == '0' && s[1] == '0' &&
            memcmp(out, s, MM_TRACEPARENT_LEN) != 0)
            abort();
    } else if (c.valid) {
        abort();
    }
    if (nl) {
        const char *ts = nl + 1;
        size_t ts_len = size - tp_len - 1;
        bool kept = mm_tracestate_set(&c, ts, ts_len);
        if (kept != mm_tracestate_is_valid(ts, ts_len)) abort();
        if (kept && (strlen(c.state) != ts_len || memcmp(c.state, ts, ts_len) != 0)) abort();
        if (!kept && c.state[0] != '\0') abort();
    }
    return 0;
}
