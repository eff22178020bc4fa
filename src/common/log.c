/* log.c -- the one logger declared in log.h: levels, text or JSON lines,
 * and per-call-site rate limiting of warnings and errors. */
#include "common/log.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/trace.h"
#include <unistd.h>

#define LINE_MAX_BYTES 2048

static atomic_int log_level = MM_LOG_INFO;
static atomic_int log_format = -1; /* -1: not yet read from MM_LOG_FORMAT */

void mm_log_set_level(mm_log_level level) { atomic_store(&log_level, (int)level); }

mm_log_level mm_log_get_level(void) { return (mm_log_level)atomic_load(&log_level); }

int mm_log_enabled(mm_log_level level) { return (int)level <= atomic_load(&log_level); }

void mm_log_set_format(mm_log_format format) { atomic_store(&log_format, (int)format); }

mm_log_format mm_log_get_format(void) {
    int f = atomic_load(&log_format);
    if (f < 0) {
        const char *e = getenv("MM_LOG_FORMAT");
        f = (e && strcasecmp(e, "json") == 0) ? MM_LOG_FORMAT_JSON : MM_LOG_FORMAT_TEXT;
        atomic_store(&log_format, f);
    }
    return (mm_log_format)f;
}

int mm_log_level_from_name(const char *name) {
    if (!name) return -1;
    if (strcasecmp(name, "error") == 0) return MM_LOG_ERROR;
    if (strcasecmp(name, "warn") == 0 || strcasecmp(name, "warning") == 0) return MM_LOG_WARN;
    if (strcasecmp(name, "info") == 0) return MM_LOG_INFO;
    if (strcasecmp(name, "debug") == 0) return MM_LOG_DEBUG;
    return -1;
}

const char *mm_log_level_name(mm_log_level level) {
    switch (level) {
    case MM_LOG_ERROR: return "error";
    case MM_LOG_WARN: return "warn";
    case MM_LOG_INFO: return "info";
    case MM_LOG_DEBUG: return "debug";
    }
    return "unknown";
}

/* ---- quoting ------------------------------------------------------------ */

/* Appends s escaped for a JSON or logfmt string (the same escapes) to out
 * at *len, leaving room for the closing quote and NUL. */
static void put_escaped(const char *s, size_t n, char *out, size_t size, size_t *len) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        size_t k;
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            k = 2;
        } else if (c == '\n') {
            memcpy(esc, "\\n", 2);
            k = 2;
        } else if (c == '\t') {
            memcpy(esc, "\\t", 2);
            k = 2;
        } else if (c == '\r') {
            memcpy(esc, "\\r", 2);
            k = 2;
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            k = 6;
        } else {
            esc[0] = (char)c;
            k = 1;
        }
        if (*len + k + 2 > size) return; /* truncated */
        memcpy(out + *len, esc, k);
        *len += k;
    }
}

const char *mm_log_quote(const char *s, char *out, size_t size) {
    assert(size >= 3);
    size_t len = 0;
    out[len++] = '"';
    put_escaped(s, strlen(s), out, size, &len);
    out[len++] = '"';
    out[len] = '\0';
    return out;
}

/* ---- logfmt to JSON -------------------------------------------------------- */

static int is_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
}

/* Whether [s, s+n) is a JSON number (so it is written unquoted). */
static int is_number(const char *s, size_t n) {
    size_t i = 0;
    if (i < n && s[i] == '-') i++;
    if (i == n || s[i] < '0' || s[i] > '9') return 0;
    if (s[i] == '0' && i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '9') return 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    if (i < n && s[i] == '.') {
        i++;
        if (i == n || s[i] < '0' || s[i] > '9') return 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') i++;
    }
    return i == n;
}

typedef struct pair {
    const char *key, *value;
    size_t key_len, value_len;
    int quoted;
} pair;

/* Splits message into logfmt pairs; 0 when it is not purely key=value pairs. */
static size_t parse_logfmt(const char *m, pair *pairs, size_t max) {
    size_t n = 0;
    const char *p = m;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) break;
        const char *k = p;
        while (is_key_char(*p)) p++;
        if (p == k || *p != '=' || n == max) return 0;
        pair *pr = &pairs[n++];
        pr->key = k;
        pr->key_len = (size_t)(p - k);
        p++;
        if (*p == '"') {
            p++;
            pr->value = p;
            while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
            if (*p != '"') return 0;
            pr->value_len = (size_t)(p - pr->value);
            pr->quoted = 1;
            p++;
        } else {
            pr->value = p;
            while (*p && *p != ' ') p++;
            pr->value_len = (size_t)(p - pr->value);
            pr->quoted = 0;
        }
        if (*p && *p != ' ') return 0;
    }
    return n;
}

static void put_raw(const char *s, size_t n, char *out, size_t size, size_t *len) {
    if (*len + n + 1 > size) n = size - 1 - *len;
    memcpy(out + *len, s, n);
    *len += n;
}

size_t mm_log_message_to_json(const char *message, char *out, size_t size) {
    assert(size > 0);
    pair pairs[48];
    size_t n = parse_logfmt(message, pairs, sizeof pairs / sizeof *pairs);
    size_t len = 0;
    if (n == 0) {
        put_raw("\"msg\":\"", 7, out, size, &len);
        put_escaped(message, strlen(message), out, size, &len);
        put_raw("\"", 1, out, size, &len);
        out[len] = '\0';
        return len;
    }
    for (size_t i = 0; i < n; i++) {
        if (i) put_raw(",", 1, out, size, &len);
        put_raw("\"", 1, out, size, &len);
        put_escaped(pairs[i].key, pairs[i].key_len, out, size, &len);
        put_raw("\":", 2, out, size, &len);
        if (!pairs[i].quoted && is_number(pairs[i].value, pairs[i].value_len)) {
            put_raw(pairs[i].value, pairs[i].value_len, out, size, &len);
        } else if (pairs[i].quoted) {
            /* logfmt's escapes are JSON's: keep \" \\ \n ... as they are,
             * escape what JSON needs escaped and logfmt left raw. */
            put_raw("\"", 1, out, size, &len);
            const char *v = pairs[i].value;
            for (size_t j = 0; j < pairs[i].value_len; j++) {
                if (v[j] == '\\' && j + 1 < pairs[i].value_len && v[j + 1] &&
                    strchr("\"\\/bfnrt", v[j + 1])) {
                    put_raw(v + j, 2, out, size, &len);
                    j++;
                } else {
                    put_escaped(v + j, 1, out, size, &len);
                }
            }
            put_raw("\"", 1, out, size, &len);
        } else {
            put_raw("\"", 1, out, size, &len);
            put_escaped(pairs[i].value, pairs[i].value_len, out, size, &len);
            put_raw("\"", 1, out, size, &len);
        }
    }
    out[len] = '\0';
    return len;
}

/* ---- rate limiting ----------------------------------------------------------- */

#define SITES 64

typedef struct site {
    const char *fmt;        /* the call site's format string; NULL: free slot */
    long long window_start; /* ms, monotonic */
    unsigned count;         /* lines in this window */
    unsigned long suppressed;
    mm_log_level level;
    char first[160]; /* the first suppressed line, for the report */
} site;

static pthread_mutex_t sites_lock = PTHREAD_MUTEX_INITIALIZER;
static site sites[SITES];

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void emit(mm_log_level level, const char *message);

/* Reports sites whose window has ended with lines suppressed. Called with
 * sites_lock held; builds the reports, which the caller emits after unlock. */
typedef struct report {
    mm_log_level level;
    char text[320];
} report;

static size_t collect_reports(long long now, report *out, size_t max) {
    size_t n = 0;
    for (size_t i = 0; i < SITES && n < max; i++) {
        site *s = &sites[i];
        if (!s->fmt || !s->suppressed || now - s->window_start < 1000) continue;
        char q[200];
        snprintf(out[n].text, sizeof out[n].text,
                 "msg=\"log: suppressed %lu similar lines\" first=%s", s->suppressed,
                 mm_log_quote(s->first, q, sizeof q));
        out[n++].level = s->level;
        s->suppressed = 0;
    }
    return n;
}

/* Whether a warning/error from fmt may be written now; counts it if not. */
static int admit(mm_log_level level, const char *fmt, const char *message) {
    long long now = now_ms();
    report reports[4];
    size_t nreports;
    int ok = 1;
    pthread_mutex_lock(&sites_lock);
    size_t h = ((uintptr_t)fmt >> 3) % SITES, i;
    site *s = NULL;
    for (i = 0; i < SITES; i++) {
        site *c = &sites[(h + i) % SITES];
        if (c->fmt == fmt || !c->fmt) {
            s = c;
            break;
        }
    }
    if (!s) {
        /* Table full: recycle the slot of the oldest window. */
        s = &sites[h];
        for (i = 0; i < SITES; i++)
            if (sites[i].window_start < s->window_start && !sites[i].suppressed) s = &sites[i];
        memset(s, 0, sizeof *s);
    }
    if (s->fmt != fmt) {
        memset(s, 0, sizeof *s);
        s->fmt = fmt;
        s->window_start = now;
    }
    nreports = collect_reports(now, reports, sizeof reports / sizeof *reports);
    if (now - s->window_start >= 1000) {
        s->window_start = now;
        s->count = 0;
    }
    if (++s->count > MM_LOG_BURST) {
        if (!s->suppressed++) {
            size_t k = strnlen(message, sizeof s->first - 1);
            memcpy(s->first, message, k);
            s->first[k] = '\0';
        }
        s->level = level;
        ok = 0;
    }
    pthread_mutex_unlock(&sites_lock);
    for (size_t r = 0; r < nreports; r++) emit(reports[r].level, reports[r].text);
    return ok;
}

/* ---- writing --------------------------------------------------------------- */

static void emit(mm_log_level level, const char *message) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char stamp[96];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000L);
    /* Build the whole line first: one write keeps concurrent lines whole. */
    char line[2 * LINE_MAX_BYTES + 256];
    /* trace: a line written for a traced request or event names its trace
     * and span (docs/tracing.md) */
    char tid[33] = "", sid[17] = "";
    const mm_trace_ctx *tc = mm_trace_enabled() ? mm_trace_current() : NULL;
    if (tc && tc->valid) {
        mm_trace_hex(tc->trace_id, 16, tid);
        mm_trace_hex(tc->span_id, 8, sid);
    }
    int n;
    if (mm_log_get_format() == MM_LOG_FORMAT_JSON) {
        char members[LINE_MAX_BYTES];
        mm_log_message_to_json(message, members, sizeof members);
        if (tid[0])
            n = snprintf(line, sizeof line,
                         "{\"time\":\"%s\",\"level\":\"%s\",\"trace_id\":\"%s\",\"span_id\":"
                         "\"%s\",%s}",
                         stamp, mm_log_level_name(level), tid, sid, members);
        else
            n = snprintf(line, sizeof line, "{\"time\":\"%s\",\"level\":\"%s\",%s}", stamp,
                         mm_log_level_name(level), members);
    } else if (tid[0]) {
        n = snprintf(line, sizeof line, "time=%s level=%s trace_id=%s span_id=%s %s", stamp,
                     mm_log_level_name(level), tid, sid, message);
    } else {
        n = snprintf(line, sizeof line, "time=%s level=%s %s", stamp, mm_log_level_name(level),
                     message);
    }
    if (n < 0) return;
    size_t len = (size_t)n;
    if (len > sizeof line - 2) len = sizeof line - 2; /* truncated: keep the newline */
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}

void mm_log_vwrite(mm_log_level level, const char *fmt, va_list ap) {
    if (!mm_log_enabled(level)) return;
    char message[LINE_MAX_BYTES];
    int m = vsnprintf(message, sizeof message, fmt, ap);
    if (m < 0) return;
    if (level <= MM_LOG_WARN && !admit(level, fmt, message)) return;
    emit(level, message);
}

void mm_log_write(mm_log_level level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    mm_log_vwrite(level, fmt, ap);
    va_end(ap);
}
