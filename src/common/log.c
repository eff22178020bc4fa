/* log.c -- the leveled stderr logger declared in log.h. */
#include "common/log.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static atomic_int log_level = MM_LOG_INFO;

void mm_log_set_level(mm_log_level level) { atomic_store(&log_level, (int)level); }

mm_log_level mm_log_get_level(void) { return (mm_log_level)atomic_load(&log_level); }

int mm_log_enabled(mm_log_level level) { return (int)level <= atomic_load(&log_level); }

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

void mm_log_vwrite(mm_log_level level, const char *fmt, va_list ap) {
    if (!mm_log_enabled(level)) return;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    /* Build the whole line first: one fwrite keeps concurrent lines whole. */
    char line[2048];
    int n = snprintf(line, sizeof line, "time=%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ level=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000L, mm_log_level_name(level));
    if (n < 0) return;
    size_t len = (size_t)n;
    int m = vsnprintf(line + len, sizeof line - len - 1, fmt, ap);
    if (m < 0) return;
    len += (size_t)m;
    if (len > sizeof line - 2) len = sizeof line - 2; /* truncated: keep the newline */
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}

void mm_log_write(mm_log_level level, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    mm_log_vwrite(level, fmt, ap);
    va_end(ap);
}
