/* log.h -- a tiny leveled logger: one logfmt-style line per call on stderr.
 *
 * Every line starts with `time=<UTC ISO-8601 with ms> level=<name>` and is
 * written with a single fwrite so lines from different threads never
 * interleave. The level is global (set once at start-up, read atomically). */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stdarg.h>

typedef enum mm_log_level {
    MM_LOG_ERROR = 0,
    MM_LOG_WARN = 1,
    MM_LOG_INFO = 2,
    MM_LOG_DEBUG = 3,
} mm_log_level;

/* Sets the most verbose level that is still printed (default MM_LOG_INFO). */
void mm_log_set_level(mm_log_level level);
mm_log_level mm_log_get_level(void);

/* Whether a message at this level would be printed. */
int mm_log_enabled(mm_log_level level);

/* "error", "warn", "info" or "debug" (also "warning") to a level; -1 if unknown. */
int mm_log_level_from_name(const char *name);
const char *mm_log_level_name(mm_log_level level);

/* Prints `time=... level=... ` followed by the formatted message and a newline. */
void mm_log_write(mm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mm_log_vwrite(mm_log_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

#define mm_log_error(...) mm_log_write(MM_LOG_ERROR, __VA_ARGS__)
#define mm_log_warn(...) mm_log_write(MM_LOG_WARN, __VA_ARGS__)
#define mm_log_info(...) mm_log_write(MM_LOG_INFO, __VA_ARGS__)
#define mm_log_debug(...) mm_log_write(MM_LOG_DEBUG, __VA_ARGS__)

#endif
