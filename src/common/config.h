/* config.h -- the one configuration of a Metamorphosis process.
 *
 * `gregor serve` and `gregor node` read the same YAML file (optional) and then
 * the environment, which wins. With no file at all, the defaults plus
 * MM_KAFKA_BOOTSTRAP_SERVERS and MM_REDIS_URL are enough to run. The file
 * keeps the original's node-config shape: known sections (kafka, redis, ...)
 * and `service_web_topic` at the top level, and every other top-level key is
 * a service whose keys are its consumers:
 *
 *     service_web_topic: metamorphosis.services
 *     kafka:
 *       bootstrap_servers: 127.0.0.1:9092
 *       properties: {fetch.wait.max.ms: 10}   # any librdkafka property
 *     redis: {url: redis://127.0.0.1:6379/0}
 *     forms:
 *       create_form: {procs: 2, harakiri_limit: 1000, harakiri_jitter: 100}
 *
 * Every problem is reported as "FILE:LINE: key 'a.b': reason". The full
 * reference is docs/configuration.md. */
#ifndef MM_CONFIG_H
#define MM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* "No value" for the optional integer settings (harakiri, max age). */
#define MM_CONFIG_UNSET (-1L)

typedef struct mm_config_property {
    char *key;
    char *value;
} mm_config_property;

/* A consumer's process settings on a node (the original's per-consumer keys). */
typedef struct mm_consumer_settings {
    char *service;
    char *consumer;
    long procs;             /* worker processes on this node (>= 0) */
    long harakiri_limit;    /* messages before a worker retires, or MM_CONFIG_UNSET */
    long harakiri_jitter;   /* +/- random spread of the limit, or MM_CONFIG_UNSET */
    long max_age_seconds;   /* retire a worker after this long, or MM_CONFIG_UNSET */
    unsigned line;          /* where it was configured (0: not from a file) */
} mm_consumer_settings;

typedef struct mm_config {
    char *source;                   /* the file read, or "<defaults>" */

    char *kafka_bootstrap_servers;
    mm_config_property *kafka_properties;
    size_t kafka_property_count;

    char *redis_results_url;        /* results and their notifications */
    char *redis_state_url;          /* application state for handlers and queries */
    char *redis_status_url;         /* service-web status of nodes */

    long result_ttl_seconds;
    long sync_timeout_ms;           /* default wait of synchronous mutations */
    long kafka_unavailable_ms;      /* a server answers KAFKA_UNAVAILABLE within this */
    long redis_timeout_ms;          /* deadline of a server's own Redis calls */
    char *service_web_topic;

    char *http_listen;              /* HOST:PORT */
    char *http_graphql_path;
    long http_max_body_bytes;
    long http_threads;

    bool manager_enabled;
    char *manager_auth_code;        /* secret: never logged */
    bool manager_auth_for_queries;

    char *log_level;                /* error, warn, info, debug */

    mm_consumer_settings *consumers;
    size_t consumer_count;
} mm_config;

/* The defaults, then the environment. Returns 0 or a negative mm_error with
 * a message in err. */
int mm_config_defaults(mm_config **out, char *err, size_t err_size);

/* Reads a YAML file over the defaults, then applies the environment. */
int mm_config_load_file(const char *path, mm_config **out, char *err, size_t err_size);

/* As mm_config_load_file, from text; name stands for the file in messages. */
int mm_config_load_string(const char *name, const char *text, size_t length,
                          mm_config **out, char *err, size_t err_size);

/* Overrides from MM_* environment variables (docs/configuration.md). */
int mm_config_apply_env(mm_config *cfg, char *err, size_t err_size);

/* The settings of one consumer, or NULL when the file does not name it. */
const mm_consumer_settings *mm_config_find_consumer(const mm_config *cfg, const char *service,
                                                    const char *consumer);

/* Adds or replaces a librdkafka property. Returns 0 or MM_ENOMEM. */
int mm_config_set_kafka_property(mm_config *cfg, const char *key, const char *value);

void mm_config_free(mm_config *cfg);

#endif
