/* kafka_conf.h -- building a librdkafka configuration from the framework's
 * settings: bootstrap servers, our defaults, then user properties passed
 * through verbatim (a "kafka." prefix, as in config files, is stripped).
 *
 * Every configuration built here logs through our logger (common/log.h):
 * librdkafka's lines become ours, level-mapped, with the client (producer or
 * consumer), the process's role (the gregor command) and librdkafka's
 * facility. A user property is set only on the clients it belongs to: a
 * consumer-only property (fetch.wait.max.ms) is not given to a producer,
 * which would otherwise warn on every start that it ignores it. */
#ifndef MM_BUS_KAFKA_CONF_H
#define MM_BUS_KAFKA_CONF_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* A property: key = value. */
typedef struct mm_kv {
    const char *key;
    const char *value;
} mm_kv;

/* Which clients a property applies to, from librdkafka's own property table. */
typedef enum mm_kafka_scope {
    MM_KAFKA_SCOPE_UNKNOWN = 0, /* not a property librdkafka lists */
    MM_KAFKA_SCOPE_BOTH,
    MM_KAFKA_SCOPE_PRODUCER,
    MM_KAFKA_SCOPE_CONSUMER,
} mm_kafka_scope;

mm_kafka_scope mm_kafka_property_scope(const char *key);

/* A new rd_kafka_conf_t with bootstrap.servers, then each defaults[i], then
 * each props[i] applied in order (later wins). The client the configuration
 * is for is the one the defaults' properties belong to (group.id: a
 * consumer; acks, enable.idempotence: a producer); props that belong only to
 * the other kind are left out (logged at debug). On failure returns NULL and
 * writes librdkafka's explanation (naming the property) into err. */
rd_kafka_conf_t *mm_kafka_conf_new(const char *bootstrap, const mm_kv *defaults, size_t ndefaults,
                                   const mm_kv *props, size_t nprops, char *err, size_t err_size);

/* With statistics.interval.ms > 0 (a user property, e.g.
 * MM_KAFKA_PROP_STATISTICS_INTERVAL_MS=1000), every client built here logs one
 * info line per interval, msg="kafka statistics", with the requests it has
 * sent since it started: tx=N rx=N, wakeups=N (its broker threads' wake-ups)
 * and req_<Api>=N per API (Produce, Fetch, OffsetCommit, Heartbeat,
 * Metadata, ...), summed over its broker connections. This writes that summary of librdkafka's statistics JSON
 * into out (NUL-terminated) and returns its length, 0 if json is not a
 * statistics object. */
size_t mm_kafka_stats_summary(const char *json, size_t len, char *out, size_t out_size);

/* Routes conf's librdkafka log lines through our logger (mm_kafka_conf_new
 * does this; for configurations built elsewhere, e.g. the mock cluster's). */
void mm_kafka_conf_use_our_log(rd_kafka_conf_t *conf);

/* The process's role named in librdkafka's log lines ("serve", "worker",
 * ...); set once at start-up. Default "gregor". */
void mm_kafka_set_role(const char *role);

/* The log callback itself (exposed for tests): one of our lines for one of
 * librdkafka's. rk may be NULL. */
void mm_kafka_log_line(const rd_kafka_t *rk, int level, const char *facility, const char *text);

#endif
