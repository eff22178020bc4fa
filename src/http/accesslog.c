/* accesslog.c -- one logfmt line per request on stderr (through the leveled
 * logger, at info level): method, path, status, bytes, duration_ms, remote. */
#include "http/http_internal.h"

#include <stdio.h>
#include <string.h>

/* Copies s into out as a logfmt value: bare when safe, else quoted with
 * quotes, backslashes and control bytes escaped. Truncates to fit. */
static void logfmt_value(char *out, size_t size, const char *s) {
    int bare = *s != '\0';
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c >= 0x7f) bare = 0;
    }
    if (bare) {
        snprintf(out, size, "%s", s);
        return;
    }
    size_t o = 0;
    if (size < 3) {
        if (size) out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (const char *p = s; *p && o + 5 < size; p++) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < ' ' || c == 0x7f) {
            o += (size_t)snprintf(out + o, size - o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
}

void mm_http_access_log(const char *method, const char *path, unsigned status, size_t bytes,
                        uint64_t duration_us, const char *remote) {
    if (!mm_log_enabled(MM_LOG_INFO)) return;
    char m[40], p[600], r[80];
    logfmt_value(m, sizeof m, method ? method : "-");
    logfmt_value(p, sizeof p, path ? path : "-");
    logfmt_value(r, sizeof r, remote && *remote ? remote : "-");
    mm_log_info("msg=http_access method=%s path=%s status=%u bytes=%zu duration_ms=%.3f remote=%s",
                m, p, status, bytes, (double)duration_us / 1000.0, r);
}
