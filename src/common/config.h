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
    long procs;           /* worker processes on this node (>= 0) */
    long harakiri_limit;  /* messages before a worker retires, or MM_CONFIG_UNSET */
    long harakiri_jitter; /* +/- random spread of the limit, or MM_CONFIG_UNSET */
    long max_age_seconds; /* retire a worker after this long, or MM_CONFIG_UNSET */
    bool exactly_once;    /* transactional delivery (docs/exactly-once.md) */
    unsigned line;        /* where it was configured (0: not from a file) */
} mm_consumer_settings;

typedef struct mm_config {
    char *source; /* the file read, or "<defaults>" */

    char *kafka_bootstrap_servers;
    mm_config_property *kafka_properties;
    size_t kafka_property_count;

    char *redis_results_url; /* results and their notifications */
    char *redis_state_url;   /* application state for handlers and queries */
    char *redis_status_url;  /* service-web status of nodes */

    long result_ttl_seconds;
    long sync_timeout_ms;      /* default wait of synchronous mutations */
    long kafka_unavailable_ms; /* a server answers KAFKA_UNAVAILABLE within this */
    long redis_timeout_ms;     /* deadline of a server's own Redis calls */
    char *service_web_topic;
    char *event_type_prefix; /* ce_type prefix (docs/wire-format.md), or NULL */

    char *http_listen; /* HOST:PORT */
    char *http_graphql_path;
    long http_max_body_bytes;
    long http_threads;          /* 0 = one per online core */
    long http_max_header_bytes; /* 0 = the server's default for each of these */
    long http_max_url_bytes;
    long http_max_connections;
    long http_max_connections_per_ip;
    long http_header_timeout_ms;
    long http_idle_timeout_s;
    long http_max_requests_per_connection;
    char *http_cors_origins;      /* NULL = CORS off; "*" or "https://a,https://b" */
    bool http_apq;                /* Automatic Persisted Queries (default on) */
    long http_apq_max_bytes;      /* bound of the APQ store in memory */
    bool http_apq_redis;          /* share APQ documents through redis.results_url */
    char *http_trusted_documents; /* manifest file: trusted-documents mode, or NULL */

    /* graphql: bounded requests (docs/configuration.md; 0 = unlimited, but for the cache) */
    long graphql_max_cost;              /* fields an operation selects, fragments expanded */
    long graphql_max_field_resolutions; /* fields resolved per request */
    long graphql_max_response_bytes;    /* response size */
    long graphql_execution_timeout_ms;  /* execution time per request */
    long graphql_document_cache_bytes;  /* parsed documents kept (>= 1) */

    /* subscriptions (docs/subscriptions.md, "Bounds") */
    long subscriptions_max;                  /* active in one server */
    long subscriptions_per_connection;       /* operations on one WebSocket */
    long subscriptions_queue_bytes;          /* unsent bytes per connection */
    long subscriptions_keepalive_ms;         /* WebSocket ping / SSE comment period */
    long subscriptions_result_timeout_ms;    /* an eventResult subscription's wait */
    long subscriptions_partition_refresh_ms; /* looking for partitions added to a topic */
    long subscriptions_tail_idle_ms; /* the tail pauses after this long unsubscribed; 0: never */
    long subscriptions_sse_reservations;        /* graphql-sse single connection tokens held */
    long subscriptions_sse_reservations_per_ip; /* ... per client address (0: no bound) */
    long subscriptions_sse_reservation_ms;      /* a reservation's wait for its stream */

    bool manager_enabled;
    char *manager_auth_code; /* secret: never logged */
    bool manager_auth_for_queries;

    char *log_level; /* error, warn, info, debug */

    /* gregor node's Prometheus endpoint (docs/metrics.md): HOST:PORT, or
     * NULL (the default): no endpoint. */
    char *node_metrics_listen;

    /* tracing: OTLP/HTTP span export (docs/tracing.md); off while endpoint is NULL */
    char *tracing_endpoint;      /* http://host:port[/path] */
    double tracing_sample_ratio; /* of new traces, 0..1 */
    long tracing_queue_bytes;    /* bound of the span queue */
    long tracing_timeout_ms;     /* deadline of each export step */
    char *tracing_service_name;  /* resource service.name; NULL: gregor-<command> */

    mm_consumer_settings *consumers;
    size_t consumer_count;
} mm_config;

/* The defaults, then the environment. Returns 0 or a negative mm_error with
 * a message in err. */
int mm_config_defaults(mm_config **out, char *err, size_t err_size);

/* Reads a YAML file over the defaults, then applies the environment. */
int mm_config_load_file(const char *path, mm_config **out, char *err, size_t err_size);

/* What every entry point loads: the file at path (NULL: the defaults), then
 * the environment; the configuration's log_level becomes the process's. */
int mm_config_open(const char *path, mm_config **out, char *err, size_t err_size);

/* As mm_config_load_file, from text; name stands for the file in messages. */
int mm_config_load_string(const char *name, const char *text, size_t length, mm_config **out,
                          char *err, size_t err_size);

/* Overrides from MM_* environment variables (docs/configuration.md). */
int mm_config_apply_env(mm_config *cfg, char *err, size_t err_size);

/* The settings of one consumer, or NULL when the file does not name it. */
/* " (did you mean 'kafka'?)" when key is close to one of the top-level keys,
 * "" otherwise; returns buf. */
const char *mm_config_top_key_hint(const char *key, char *buf, size_t size);

const mm_consumer_settings *mm_config_find_consumer(const mm_config *cfg, const char *service,
                                                    const char *consumer);

/* Adds or replaces a librdkafka property. Returns 0 or MM_ENOMEM. */
int mm_config_set_kafka_property(mm_config *cfg, const char *key, const char *value);

void mm_config_free(mm_config *cfg);

/* The built-in defaults (not the environment), one call per documented key
 * with the default as docs/configuration.md's table writes it ("null" for
 * unset, "none" for no value, "redis.url" for a URL that follows it), so
 * tests/unit/common/test_config_docs.c can keep the two equal. Add a row
 * here when adding a key. Returns 0 or MM_ENOMEM. */
typedef void (*mm_config_default_fn)(void *ud, const char *key, const char *value);
int mm_config_each_default(mm_config_default_fn fn, void *ud);

#endif
