/* log.h -- the one logger: one line per call on stderr, for every part of
 * gregor (the framework, the HTTP access log, librdkafka through
 * bus/kafka_conf.c).
 *
 * Text (default): `time=<UTC ISO-8601 with ms> level=<name> <message>`, the
 * message logfmt-style (`msg="..." key=value`). MM_LOG_FORMAT=json writes
 * each line as one JSON object instead: time, level, and the message's
 * key=value pairs as members (a message that is not key=value pairs becomes
 * "msg"). Every line is written with a single write so lines from different
 * threads never interleave. The level is global (set once at start-up, read
 * atomically).
 *
 * Repeated warnings and errors are rate-limited per call site (the format
 * string): at most MM_LOG_BURST lines per site per second; the rest are
 * counted and reported in one line, `msg="log: suppressed N similar lines"`,
 * when that site's next second starts or any site logs a warning or error
 * later. Info and debug lines are never dropped. */
#ifndef MM_LOG_H
#define MM_LOG_H

#include <stdarg.h>
#include <stddef.h>

typedef enum mm_log_level {
    MM_LOG_ERROR = 0,
    MM_LOG_WARN = 1,
    MM_LOG_INFO = 2,
    MM_LOG_DEBUG = 3,
} mm_log_level;

/* Lines per call site per second before warnings/errors are suppressed. */
#define MM_LOG_BURST 10

typedef enum mm_log_format {
    MM_LOG_FORMAT_TEXT = 0,
    MM_LOG_FORMAT_JSON = 1,
} mm_log_format;

/* Sets the most verbose level that is still printed (default MM_LOG_INFO). */
void mm_log_set_level(mm_log_level level);
mm_log_level mm_log_get_level(void);

/* The line format; the default comes from MM_LOG_FORMAT ("json" or "text")
 * the first time a line is written. */
void mm_log_set_format(mm_log_format format);
mm_log_format mm_log_get_format(void);

/* Whether a message at this level would be printed. */
int mm_log_enabled(mm_log_level level);

/* "error", "warn", "info" or "debug" (also "warning") to a level; -1 if unknown. */
int mm_log_level_from_name(const char *name);
const char *mm_log_level_name(mm_log_level level);

/* Prints `time=... level=... ` followed by the formatted message and a newline. */
void mm_log_write(mm_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mm_log_vwrite(mm_log_level level, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* s as a logfmt value: quoted with \" and \\ escaped, control characters as
 * \n, \t or \u00XX. Truncated to fit size (at least 3). Returns out. */
const char *mm_log_quote(const char *s, char *out, size_t size);

/* Converts one text line's message part (logfmt, after the level) to JSON
 * members written into out (without braces), e.g. `"msg":"x","port":80`.
 * Exposed for tests. Returns the length written (truncated to size-1). */
size_t mm_log_message_to_json(const char *message, char *out, size_t size);

#define mm_log_error(...) mm_log_write(MM_LOG_ERROR, __VA_ARGS__)
#define mm_log_warn(...)  mm_log_write(MM_LOG_WARN, __VA_ARGS__)
#define mm_log_info(...)  mm_log_write(MM_LOG_INFO, __VA_ARGS__)
#define mm_log_debug(...) mm_log_write(MM_LOG_DEBUG, __VA_ARGS__)

#endif
