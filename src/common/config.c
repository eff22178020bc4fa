/* config.c -- loading and checking the configuration of config.h. */
#include "common/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_defaults.h"
#include "common/log.h"
#include "common/suggest.h"
#include "common/yaml_tree.h"
#include "metamorphosis.h"

/* Configuration files are small; anything bigger is a mistake, not a config. */
#define CONFIG_MAX_BYTES (4 * 1024 * 1024)

static void fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static int replace_string(char **slot, const char *value) {
    char *copy = strdup(value);
    if (!copy) return MM_ENOMEM;
    free(*slot);
    *slot = copy;
    return 0;
}

int mm_config_set_kafka_property(mm_config *cfg, const char *key, const char *value) {
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        if (strcmp(cfg->kafka_properties[i].key, key) == 0)
            return replace_string(&cfg->kafka_properties[i].value, value);
    mm_config_property *p =
        realloc(cfg->kafka_properties, (cfg->kafka_property_count + 1) * sizeof(*p));
    if (!p) return MM_ENOMEM;
    cfg->kafka_properties = p;
    char *k = strdup(key), *v = strdup(value);
    if (!k || !v) {
        free(k);
        free(v);
        return MM_ENOMEM;
    }
    p[cfg->kafka_property_count++] = (mm_config_property){k, v};
    return 0;
}

static mm_config *config_new_defaults(void) {
    mm_config *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->source = strdup("<defaults>");
    c->kafka_bootstrap_servers = strdup("127.0.0.1:9092");
    c->redis_results_url = strdup("redis://127.0.0.1:6379/0");
    c->redis_state_url = strdup("redis://127.0.0.1:6379/0");
    c->redis_status_url = strdup("redis://127.0.0.1:6379/0");
    c->result_ttl_seconds = 3600;
    c->sync_timeout_ms = 60000; /* the original's sync_timeout of 60 s */
    c->kafka_unavailable_ms = 2000;
    c->redis_timeout_ms = 1000;
    c->service_web_topic = strdup("metamorphosis.services");
    /* The HTTP server's own defaults (mm_http_config_init), from the one
     * header both use, so docs/configuration.md's table checks them too. */
    c->http_listen = strdup(MM_HTTP_DEFAULT_LISTEN);
    c->http_graphql_path = strdup(MM_HTTP_DEFAULT_GRAPHQL_PATH);
    c->http_max_body_bytes = MM_HTTP_DEFAULT_MAX_BODY_BYTES;
    c->http_threads = 0; /* one per online core */
    c->http_max_header_bytes = MM_HTTP_DEFAULT_MAX_HEADER_BYTES;
    c->http_max_url_bytes = MM_HTTP_DEFAULT_MAX_URL_BYTES;
    c->http_max_connections = MM_HTTP_DEFAULT_MAX_CONNECTIONS;
    c->http_max_connections_per_ip = MM_HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP;
    c->http_header_timeout_ms = MM_HTTP_DEFAULT_HEADER_TIMEOUT_MS;
    c->http_idle_timeout_s = MM_HTTP_DEFAULT_IDLE_TIMEOUT_S;
    c->http_max_requests_per_connection = MM_HTTP_DEFAULT_MAX_REQUESTS_PER_CONNECTION;
    c->http_apq = true;
    c->http_apq_max_bytes = MM_HTTP_DEFAULT_APQ_MAX_BYTES;
    /* the engine's defaults (graphql.h MM_GRAPHQL_DEFAULT_*) */
    c->graphql_max_cost = 5000;
    c->graphql_max_field_resolutions = 1000000;
    c->graphql_max_response_bytes = 32L * 1024 * 1024;
    c->graphql_execution_timeout_ms = 10000;
    c->graphql_document_cache_bytes = 32L * 1024 * 1024;
    /* the subscription layer's defaults (subscriptions.h, http_server.h) */
    c->subscriptions_max = 10000;
    c->subscriptions_per_connection = MM_HTTP_DEFAULT_STREAM_OPS_PER_CONNECTION;
    c->subscriptions_queue_bytes = MM_HTTP_DEFAULT_STREAM_QUEUE_BYTES;
    c->subscriptions_keepalive_ms = MM_HTTP_DEFAULT_STREAM_KEEPALIVE_MS;
    c->subscriptions_result_timeout_ms = 300000;
    c->subscriptions_partition_refresh_ms = 10000;
    c->subscriptions_tail_idle_ms = 2000;
    c->subscriptions_sse_reservations = MM_HTTP_DEFAULT_SSE_RESERVATIONS;
    c->subscriptions_sse_reservations_per_ip = MM_HTTP_DEFAULT_SSE_RESERVATIONS_PER_IP;
    c->subscriptions_sse_reservation_ms = MM_HTTP_DEFAULT_SSE_RESERVATION_MS;
    c->manager_enabled = false;
    c->manager_auth_for_queries = true;
    c->log_level = strdup("info");
    c->tracing_sample_ratio = 1.0;
    c->tracing_queue_bytes = 4L * 1024 * 1024;
    c->tracing_timeout_ms = 2000;
    if (!c->source || !c->kafka_bootstrap_servers || !c->redis_results_url || !c->redis_state_url ||
        !c->redis_status_url || !c->service_web_topic || !c->http_listen || !c->http_graphql_path ||
        !c->log_level) {
        mm_config_free(c);
        return NULL;
    }
    return c;
}

void mm_config_free(mm_config *c) {
    if (!c) return;
    free(c->source);
    free(c->kafka_bootstrap_servers);
    for (size_t i = 0; i < c->kafka_property_count; i++) {
        free(c->kafka_properties[i].key);
        free(c->kafka_properties[i].value);
    }
    free(c->kafka_properties);
    free(c->redis_results_url);
    free(c->redis_state_url);
    free(c->redis_status_url);
    free(c->service_web_topic);
    free(c->http_listen);
    free(c->http_graphql_path);
    free(c->http_cors_origins);
    free(c->http_trusted_documents);
    free(c->event_type_prefix);
    free(c->tracing_endpoint);
    free(c->tracing_service_name);
    if (c->manager_auth_code) {
        /* Wipe the secret before the memory goes back to the allocator. */
        volatile char *p = c->manager_auth_code;
        while (*p) *p++ = '\0';
        free(c->manager_auth_code);
    }
    free(c->log_level);
    free(c->node_metrics_listen);
    for (size_t i = 0; i < c->consumer_count; i++) {
        free(c->consumers[i].service);
        free(c->consumers[i].consumer);
    }
    free(c->consumers);
    free(c);
}

/* ---- typed readers: each reports "FILE:LINE: key 'path': reason" ------- */

typedef struct reader {
    const char *file;
    char *err;
    size_t err_size;
} reader;

static int read_string(reader *r, const mm_yaml_node *n, const char *path, char **slot) {
    if (n->kind != MM_YAML_SCALAR || mm_yaml_is_null(n)) {
        fail(r->err, r->err_size, "%s:%u: key '%s': expected a string", r->file, n->line, path);
        return MM_EINVAL;
    }
    return replace_string(slot, n->scalar);
}

/* Parses a whole decimal integer in [min, max]; anything else is an error. */
static int parse_long(const char *s, long min, long max, long *out) {
    if (!*s || isspace((unsigned char)*s)) return MM_EINVAL;
    errno = 0;
    char *end;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max) return MM_EINVAL;
    *out = v;
    return 0;
}

static int read_long(reader *r, const mm_yaml_node *n, const char *path, long min, long max,
                     long *slot) {
    if (n->kind == MM_YAML_SCALAR && n->plain && parse_long(n->scalar, min, max, slot) == 0)
        return 0;
    fail(r->err, r->err_size, "%s:%u: key '%s': expected an integer from %ld to %ld", r->file,
         n->line, path, min, max);
    return MM_EINVAL;
}

static int read_optional_long(reader *r, const mm_yaml_node *n, const char *path, long min,
                              long max, long *slot) {
    if (mm_yaml_is_null(n)) {
        *slot = MM_CONFIG_UNSET;
        return 0;
    }
    if (n->kind == MM_YAML_SCALAR && n->plain && parse_long(n->scalar, min, max, slot) == 0)
        return 0;
    fail(r->err, r->err_size, "%s:%u: key '%s': expected null or an integer from %ld to %ld",
         r->file, n->line, path, min, max);
    return MM_EINVAL;
}

static int read_bool(reader *r, const mm_yaml_node *n, const char *path, bool *slot) {
    if (n->kind == MM_YAML_SCALAR && n->plain) {
        if (strcmp(n->scalar, "true") == 0) {
            *slot = true;
            return 0;
        }
        if (strcmp(n->scalar, "false") == 0) {
            *slot = false;
            return 0;
        }
    }
    fail(r->err, r->err_size, "%s:%u: key '%s': expected true or false", r->file, n->line, path);
    return MM_EINVAL;
}

static int expect_mapping(reader *r, const mm_yaml_node *n, const char *path) {
    if (n->kind == MM_YAML_MAPPING) return 0;
    fail(r->err, r->err_size, "%s:%u: key '%s': expected a mapping", r->file, n->line, path);
    return MM_EINVAL;
}

/* The keys of each section, for "did you mean" (keep in step with the readers). */
static const char *const top_keys[] = {"kafka",
                                       "redis",
                                       "http",
                                       "graphql",
                                       "subscriptions",
                                       "manager",
                                       "tracing",
                                       "service_web_topic",
                                       "result_ttl_seconds",
                                       "sync_timeout_ms",
                                       "log_level",
                                       "event_type_prefix",
                                       "kafka_unavailable_ms",
                                       "redis_timeout_ms",
                                       "node_metrics_listen",
                                       NULL};
static const char *const kafka_keys[] = {"bootstrap_servers", "properties", NULL};
static const char *const redis_keys[] = {"url", "results_url", "state_url", "status_url", NULL};
static const char *const http_keys[] = {"listen",
                                        "graphql_path",
                                        "max_body_bytes",
                                        "threads",
                                        "cors_origins",
                                        "apq",
                                        "apq_max_bytes",
                                        "apq_redis",
                                        "trusted_documents",
                                        "max_header_bytes",
                                        "max_url_bytes",
                                        "max_connections",
                                        "max_connections_per_ip",
                                        "header_timeout_ms",
                                        "idle_timeout_s",
                                        "max_requests_per_connection",
                                        NULL};
static const char *const graphql_keys[] = {"max_cost",
                                           "max_field_resolutions",
                                           "max_response_bytes",
                                           "execution_timeout_ms",
                                           "document_cache_bytes",
                                           NULL};
static const char *const subscriptions_keys[] = {"max",
                                                 "per_connection",
                                                 "queue_bytes",
                                                 "keepalive_ms",
                                                 "result_timeout_ms",
                                                 "partition_refresh_ms",
                                                 "tail_idle_ms",
                                                 "sse_reservations",
                                                 "sse_reservations_per_ip",
                                                 "sse_reservation_ms",
                                                 NULL};
static const char *const manager_keys[] = {"enabled", "auth_code", "auth_for_queries", NULL};
static const char *const tracing_keys[] = {"endpoint",   "sample_ratio", "queue_bytes",
                                           "timeout_ms", "service_name", NULL};
static const char *const consumer_keys[] = {"procs",           "harakiri_limit", "harakiri_jitter",
                                            "max_age_seconds", "exactly_once",   NULL};

static const char *key_hint(const char *key, const char *const *known, char *buf, size_t size) {
    mm_suggest sg;
    mm_suggest_init(&sg, key);
    for (const char *const *k = known; *k; k++) mm_suggest_offer(&sg, *k);
    return mm_suggest_hint(&sg, buf, size);
}

const char *mm_config_top_key_hint(const char *key, char *buf, size_t size) {
    return key_hint(key, top_keys, buf, size);
}

static int unknown_key(reader *r, const mm_yaml_pair *p, const char *section,
                       const char *const *known) {
    char hint[128];
    fail(r->err, r->err_size, "%s:%u: unknown key '%s.%s'%s", r->file, p->key_line, section, p->key,
         key_hint(p->key, known, hint, sizeof hint));
    return MM_EINVAL;
}

/* A top-level key that is not one of ours names a service whose consumers
 * it configures: a mapping of mappings. Anything else there is a mistake. */
static int is_service_section(const mm_yaml_node *n) {
    if (n->kind != MM_YAML_MAPPING) return 0;
    for (size_t i = 0; i < n->pair_count; i++)
        if (n->pairs[i].value->kind != MM_YAML_MAPPING) return 0;
    return 1;
}

static int read_kafka(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "kafka");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "bootstrap_servers") == 0) {
            rc = read_string(r, p->value, "kafka.bootstrap_servers", &c->kafka_bootstrap_servers);
        } else if (strcmp(p->key, "properties") == 0) {
            rc = expect_mapping(r, p->value, "kafka.properties");
            for (size_t j = 0; rc == 0 && j < p->value->pair_count; j++) {
                const mm_yaml_pair *q = &p->value->pairs[j];
                if (q->value->kind != MM_YAML_SCALAR || mm_yaml_is_null(q->value)) {
                    fail(r->err, r->err_size, "%s:%u: key 'kafka.properties.%s': expected a scalar",
                         r->file, q->value->line, q->key);
                    rc = MM_EINVAL;
                } else {
                    rc = mm_config_set_kafka_property(c, q->key, q->value->scalar);
                }
            }
        } else {
            rc = unknown_key(r, p, "kafka", kafka_keys);
        }
    }
    return rc;
}

static int read_redis(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "redis");
    /* "url" sets all three stores; the specific keys refine it, whatever
     * order they are written in. */
    const mm_yaml_node *url = mm_yaml_get(n, "url");
    if (rc == 0 && url) {
        rc = read_string(r, url, "redis.url", &c->redis_results_url);
        if (rc == 0) rc = replace_string(&c->redis_state_url, c->redis_results_url);
        if (rc == 0) rc = replace_string(&c->redis_status_url, c->redis_results_url);
    }
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "url") == 0) continue;
        if (strcmp(p->key, "results_url") == 0)
            rc = read_string(r, p->value, "redis.results_url", &c->redis_results_url);
        else if (strcmp(p->key, "state_url") == 0)
            rc = read_string(r, p->value, "redis.state_url", &c->redis_state_url);
        else if (strcmp(p->key, "status_url") == 0)
            rc = read_string(r, p->value, "redis.status_url", &c->redis_status_url);
        else
            rc = unknown_key(r, p, "redis", redis_keys);
    }
    return rc;
}

static int read_http(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "http");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "listen") == 0)
            rc = read_string(r, p->value, "http.listen", &c->http_listen);
        else if (strcmp(p->key, "graphql_path") == 0)
            rc = read_string(r, p->value, "http.graphql_path", &c->http_graphql_path);
        else if (strcmp(p->key, "max_body_bytes") == 0)
            rc = read_long(r, p->value, "http.max_body_bytes", 1, INT_MAX, &c->http_max_body_bytes);
        else if (strcmp(p->key, "threads") == 0)
            rc = read_long(r, p->value, "http.threads", 0, 1024, &c->http_threads);
        else if (strcmp(p->key, "max_header_bytes") == 0)
            rc = read_long(r, p->value, "http.max_header_bytes", MM_HTTP_MIN_MAX_HEADER_BYTES,
                           INT_MAX, &c->http_max_header_bytes);
        else if (strcmp(p->key, "max_url_bytes") == 0)
            rc = read_long(r, p->value, "http.max_url_bytes", 64, INT_MAX, &c->http_max_url_bytes);
        else if (strcmp(p->key, "max_connections") == 0)
            rc = read_long(r, p->value, "http.max_connections", 1, 1000000,
                           &c->http_max_connections);
        else if (strcmp(p->key, "max_connections_per_ip") == 0)
            rc = read_long(r, p->value, "http.max_connections_per_ip", 0, 1000000,
                           &c->http_max_connections_per_ip);
        else if (strcmp(p->key, "header_timeout_ms") == 0)
            rc = read_long(r, p->value, "http.header_timeout_ms", 100, 3600000,
                           &c->http_header_timeout_ms);
        else if (strcmp(p->key, "idle_timeout_s") == 0)
            rc = read_long(r, p->value, "http.idle_timeout_s", 1, 3600, &c->http_idle_timeout_s);
        else if (strcmp(p->key, "max_requests_per_connection") == 0)
            rc = read_long(r, p->value, "http.max_requests_per_connection", 1, INT_MAX,
                           &c->http_max_requests_per_connection);
        else if (strcmp(p->key, "cors_origins") == 0)
            rc = read_string(r, p->value, "http.cors_origins", &c->http_cors_origins);
        else if (strcmp(p->key, "apq") == 0)
            rc = read_bool(r, p->value, "http.apq", &c->http_apq);
        else if (strcmp(p->key, "apq_max_bytes") == 0)
            rc =
                read_long(r, p->value, "http.apq_max_bytes", 1024, INT_MAX, &c->http_apq_max_bytes);
        else if (strcmp(p->key, "apq_redis") == 0)
            rc = read_bool(r, p->value, "http.apq_redis", &c->http_apq_redis);
        else if (strcmp(p->key, "trusted_documents") == 0)
            rc = read_string(r, p->value, "http.trusted_documents", &c->http_trusted_documents);
        else
            rc = unknown_key(r, p, "http", http_keys);
    }
    return rc;
}

static int read_graphql(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "graphql");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "max_cost") == 0)
            rc = read_long(r, p->value, "graphql.max_cost", 0, INT_MAX, &c->graphql_max_cost);
        else if (strcmp(p->key, "max_field_resolutions") == 0)
            rc = read_long(r, p->value, "graphql.max_field_resolutions", 0, LONG_MAX / 2,
                           &c->graphql_max_field_resolutions);
        else if (strcmp(p->key, "max_response_bytes") == 0)
            rc = read_long(r, p->value, "graphql.max_response_bytes", 0, LONG_MAX / 2,
                           &c->graphql_max_response_bytes);
        else if (strcmp(p->key, "execution_timeout_ms") == 0)
            rc = read_long(r, p->value, "graphql.execution_timeout_ms", 0, INT_MAX,
                           &c->graphql_execution_timeout_ms);
        else if (strcmp(p->key, "document_cache_bytes") == 0)
            rc = read_long(r, p->value, "graphql.document_cache_bytes", 1, LONG_MAX / 2,
                           &c->graphql_document_cache_bytes);
        else
            rc = unknown_key(r, p, "graphql", graphql_keys);
    }
    return rc;
}

static int read_subscriptions(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "subscriptions");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "max") == 0)
            rc = read_long(r, p->value, "subscriptions.max", 1, 10000000, &c->subscriptions_max);
        else if (strcmp(p->key, "per_connection") == 0)
            rc = read_long(r, p->value, "subscriptions.per_connection", 1, 100000,
                           &c->subscriptions_per_connection);
        else if (strcmp(p->key, "queue_bytes") == 0)
            rc = read_long(r, p->value, "subscriptions.queue_bytes", 1024, INT_MAX,
                           &c->subscriptions_queue_bytes);
        else if (strcmp(p->key, "keepalive_ms") == 0)
            rc = read_long(r, p->value, "subscriptions.keepalive_ms", 100, 3600000,
                           &c->subscriptions_keepalive_ms);
        else if (strcmp(p->key, "result_timeout_ms") == 0)
            rc = read_long(r, p->value, "subscriptions.result_timeout_ms", 100, INT_MAX,
                           &c->subscriptions_result_timeout_ms);
        else if (strcmp(p->key, "partition_refresh_ms") == 0)
            rc = read_long(r, p->value, "subscriptions.partition_refresh_ms", 100, 3600000,
                           &c->subscriptions_partition_refresh_ms);
        else if (strcmp(p->key, "tail_idle_ms") == 0)
            rc = read_long(r, p->value, "subscriptions.tail_idle_ms", 0, 3600000,
                           &c->subscriptions_tail_idle_ms);
        else if (strcmp(p->key, "sse_reservations") == 0)
            rc = read_long(r, p->value, "subscriptions.sse_reservations", 1, 1000000,
                           &c->subscriptions_sse_reservations);
        else if (strcmp(p->key, "sse_reservations_per_ip") == 0)
            rc = read_long(r, p->value, "subscriptions.sse_reservations_per_ip", 0, 1000000,
                           &c->subscriptions_sse_reservations_per_ip);
        else if (strcmp(p->key, "sse_reservation_ms") == 0)
            rc = read_long(r, p->value, "subscriptions.sse_reservation_ms", 100, 3600000,
                           &c->subscriptions_sse_reservation_ms);
        else
            rc = unknown_key(r, p, "subscriptions", subscriptions_keys);
    }
    return rc;
}

static int read_manager(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "manager");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "enabled") == 0)
            rc = read_bool(r, p->value, "manager.enabled", &c->manager_enabled);
        else if (strcmp(p->key, "auth_code") == 0)
            rc = read_string(r, p->value, "manager.auth_code", &c->manager_auth_code);
        else if (strcmp(p->key, "auth_for_queries") == 0)
            rc = read_bool(r, p->value, "manager.auth_for_queries", &c->manager_auth_for_queries);
        else
            rc = unknown_key(r, p, "manager", manager_keys);
    }
    return rc;
}

/* A ratio 0..1 ("0.25", "1"); 0 or -1. */
static int parse_ratio(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0.0 && v <= 1.0)) return -1;
    *out = v;
    return 0;
}

static int read_tracing(reader *r, const mm_yaml_node *n, mm_config *c) {
    int rc = expect_mapping(r, n, "tracing");
    for (size_t i = 0; rc == 0 && i < n->pair_count; i++) {
        const mm_yaml_pair *p = &n->pairs[i];
        if (strcmp(p->key, "endpoint") == 0) {
            rc = read_string(r, p->value, "tracing.endpoint", &c->tracing_endpoint);
        } else if (strcmp(p->key, "sample_ratio") == 0) {
            if (p->value->kind != MM_YAML_SCALAR ||
                parse_ratio(p->value->scalar, &c->tracing_sample_ratio) != 0) {
                fail(r->err, r->err_size,
                     "%s:%u: key 'tracing.sample_ratio': expected a number "
                     "from 0 to 1",
                     r->file, p->value->line);
                rc = MM_EINVAL;
            }
        } else if (strcmp(p->key, "queue_bytes") == 0) {
            rc = read_long(r, p->value, "tracing.queue_bytes", 4096, LONG_MAX / 2,
                           &c->tracing_queue_bytes);
        } else if (strcmp(p->key, "timeout_ms") == 0) {
            rc = read_long(r, p->value, "tracing.timeout_ms", 10, 600000, &c->tracing_timeout_ms);
        } else if (strcmp(p->key, "service_name") == 0) {
            rc = read_string(r, p->value, "tracing.service_name", &c->tracing_service_name);
        } else {
            rc = unknown_key(r, p, "tracing", tracing_keys);
        }
    }
    return rc;
}

static int add_consumer(mm_config *c, const char *service, const char *consumer,
                        mm_consumer_settings **out) {
    mm_consumer_settings *p = realloc(c->consumers, (c->consumer_count + 1) * sizeof(*p));
    if (!p) return MM_ENOMEM;
    c->consumers = p;
    mm_consumer_settings *s = &p[c->consumer_count];
    *s = (mm_consumer_settings){.procs = 1,
                                .harakiri_limit = MM_CONFIG_UNSET,
                                .harakiri_jitter = MM_CONFIG_UNSET,
                                .max_age_seconds = MM_CONFIG_UNSET};
    s->service = strdup(service);
    s->consumer = strdup(consumer);
    if (!s->service || !s->consumer) {
        free(s->service);
        free(s->consumer);
        return MM_ENOMEM;
    }
    c->consumer_count++;
    *out = s;
    return 0;
}

static int read_service(reader *r, const mm_yaml_pair *svc, mm_config *c) {
    int rc = expect_mapping(r, svc->value, svc->key);
    for (size_t i = 0; rc == 0 && i < svc->value->pair_count; i++) {
        const mm_yaml_pair *cp = &svc->value->pairs[i];
        char path[512];
        snprintf(path, sizeof path, "%s.%s", svc->key, cp->key);
        mm_consumer_settings *s;
        rc = expect_mapping(r, cp->value, path);
        if (rc == 0) rc = add_consumer(c, svc->key, cp->key, &s);
        if (rc == 0) s->line = cp->key_line;
        for (size_t j = 0; rc == 0 && j < cp->value->pair_count; j++) {
            const mm_yaml_pair *kp = &cp->value->pairs[j];
            char kpath[768];
            snprintf(kpath, sizeof kpath, "%s.%s", path, kp->key);
            if (strcmp(kp->key, "procs") == 0)
                rc = read_long(r, kp->value, kpath, 0, 1024, &s->procs);
            else if (strcmp(kp->key, "harakiri_limit") == 0)
                rc = read_optional_long(r, kp->value, kpath, 1, LONG_MAX / 2, &s->harakiri_limit);
            else if (strcmp(kp->key, "harakiri_jitter") == 0)
                rc = read_optional_long(r, kp->value, kpath, 0, LONG_MAX / 2, &s->harakiri_jitter);
            else if (strcmp(kp->key, "max_age_seconds") == 0)
                rc = read_optional_long(r, kp->value, kpath, 1, LONG_MAX / 2, &s->max_age_seconds);
            else if (strcmp(kp->key, "exactly_once") == 0)
                rc = read_bool(r, kp->value, kpath, &s->exactly_once);
            else {
                char hint[128];
                fail(r->err, r->err_size, "%s:%u: unknown key '%s'%s", r->file, kp->key_line, kpath,
                     key_hint(kp->key, consumer_keys, hint, sizeof hint));
                rc = MM_EINVAL;
            }
        }
        if (rc == 0 && s->harakiri_limit != MM_CONFIG_UNSET &&
            s->harakiri_jitter != MM_CONFIG_UNSET && s->harakiri_jitter >= s->harakiri_limit) {
            fail(r->err, r->err_size,
                 "%s:%u: key '%s': harakiri_jitter must be less than harakiri_limit", r->file,
                 cp->key_line, path);
            rc = MM_EINVAL;
        }
    }
    return rc;
}

/* A top-level key that is not one of ours: a service's section, unless it
 * cannot be one. `kafak: {bootstrap_servers: ...}` and `log_levle: debug`
 * are misspelled keys of ours, said so; `forms: {create_form: 3}` is a
 * service section with a mistake inside, which read_service reports. */
static int read_other(reader *r, const mm_yaml_pair *p, mm_config *c) {
    char hint[128];
    key_hint(p->key, top_keys, hint, sizeof hint);
    if (is_service_section(p->value) || (!hint[0] && p->value->kind == MM_YAML_MAPPING))
        return read_service(r, p, c);
    fail(r->err, r->err_size, "%s:%u: unknown key '%s'%s", r->file, p->key_line, p->key,
         hint[0] ? hint : " (a service's section maps consumer names to their settings)");
    return MM_EINVAL;
}

static int read_document(reader *r, const mm_yaml_node *root, mm_config *c) {
    if (root->kind != MM_YAML_MAPPING) {
        fail(r->err, r->err_size, "%s:%u: the configuration must be a mapping", r->file,
             root->line);
        return MM_EINVAL;
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < root->pair_count; i++) {
        const mm_yaml_pair *p = &root->pairs[i];
        const char *k = p->key;
        if (strcmp(k, "kafka") == 0)
            rc = read_kafka(r, p->value, c);
        else if (strcmp(k, "redis") == 0)
            rc = read_redis(r, p->value, c);
        else if (strcmp(k, "http") == 0)
            rc = read_http(r, p->value, c);
        else if (strcmp(k, "manager") == 0)
            rc = read_manager(r, p->value, c);
        else if (strcmp(k, "graphql") == 0)
            rc = read_graphql(r, p->value, c);
        else if (strcmp(k, "subscriptions") == 0)
            rc = read_subscriptions(r, p->value, c);
        else if (strcmp(k, "tracing") == 0)
            rc = read_tracing(r, p->value, c);
        else if (strcmp(k, "service_web_topic") == 0)
            rc = read_string(r, p->value, "service_web_topic", &c->service_web_topic);
        else if (strcmp(k, "result_ttl_seconds") == 0)
            rc = read_long(r, p->value, "result_ttl_seconds", 1, INT_MAX, &c->result_ttl_seconds);
        else if (strcmp(k, "sync_timeout_ms") == 0)
            rc = read_long(r, p->value, "sync_timeout_ms", 1, INT_MAX, &c->sync_timeout_ms);
        else if (strcmp(k, "kafka_unavailable_ms") == 0)
            rc = read_long(r, p->value, "kafka_unavailable_ms", 100, 600000,
                           &c->kafka_unavailable_ms);
        else if (strcmp(k, "redis_timeout_ms") == 0)
            rc = read_long(r, p->value, "redis_timeout_ms", 10, 600000, &c->redis_timeout_ms);
        else if (strcmp(k, "log_level") == 0)
            rc = read_string(r, p->value, "log_level", &c->log_level);
        else if (strcmp(k, "event_type_prefix") == 0)
            rc = read_string(r, p->value, "event_type_prefix", &c->event_type_prefix);
        else if (strcmp(k, "node_metrics_listen") == 0)
            rc = read_string(r, p->value, "node_metrics_listen", &c->node_metrics_listen);
        else
            rc = read_other(r, p, c);
    }
    return rc;
}

static int check_log_level(const mm_config *c, char *err, size_t err_size) {
    static const char *const levels[] = {"error", "warn", "info", "debug"};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
        if (strcmp(c->log_level, levels[i]) == 0) return 0;
    fail(err, err_size, "%s: log_level '%s' is not one of error, warn, info, debug", c->source,
         c->log_level);
    return MM_EINVAL;
}

/* ---- environment -------------------------------------------------------- */

static int env_string(const char *name, char **slot) {
    const char *v = getenv(name);
    return v && *v ? replace_string(slot, v) : 0;
}

static int env_bool(const char *name, bool *slot, char *err, size_t err_size) {
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    if (strcmp(v, "1") == 0 || strcmp(v, "true") == 0)
        *slot = true;
    else if (strcmp(v, "0") == 0 || strcmp(v, "false") == 0)
        *slot = false;
    else {
        fail(err, err_size, "environment %s: expected true, false, 1 or 0", name);
        return MM_EINVAL;
    }
    return 0;
}

static int env_long(const char *name, long min, long max, long *slot, char *err, size_t err_size) {
    const char *v = getenv(name);
    if (!v || !*v) return 0;
    if (parse_long(v, min, max, slot) == 0) return 0;
    fail(err, err_size, "environment %s: expected an integer from %ld to %ld", name, min, max);
    return MM_EINVAL;
}

/* MM_KAFKA_PROP_FETCH_WAIT_MAX_MS=10 sets the librdkafka property
 * fetch.wait.max.ms: the suffix lower-cased, '_' read as '.'. */
static int env_kafka_properties(mm_config *c) {
    extern char **environ;
    static const char prefix[] = "MM_KAFKA_PROP_";
    for (char **e = environ; *e; e++) {
        if (strncmp(*e, prefix, sizeof prefix - 1) != 0) continue;
        const char *name = *e + sizeof prefix - 1;
        const char *eq = strchr(name, '=');
        if (!eq || eq == name) continue;
        char key[256];
        size_t n = (size_t)(eq - name);
        if (n >= sizeof key) continue;
        for (size_t i = 0; i < n; i++)
            key[i] = name[i] == '_' ? '.' : (char)tolower((unsigned char)name[i]);
        key[n] = '\0';
        int rc = mm_config_set_kafka_property(c, key, eq + 1);
        if (rc) return rc;
    }
    return 0;
}

int mm_config_apply_env(mm_config *c, char *err, size_t err_size) {
    int rc = env_string("MM_KAFKA_BOOTSTRAP_SERVERS", &c->kafka_bootstrap_servers);
    const char *redis = getenv("MM_REDIS_URL");
    if (rc == 0 && redis && *redis) {
        rc = replace_string(&c->redis_results_url, redis);
        if (rc == 0) rc = replace_string(&c->redis_state_url, redis);
        if (rc == 0) rc = replace_string(&c->redis_status_url, redis);
    }
    if (rc == 0) rc = env_string("MM_REDIS_RESULTS_URL", &c->redis_results_url);
    if (rc == 0) rc = env_string("MM_REDIS_STATE_URL", &c->redis_state_url);
    if (rc == 0) rc = env_string("MM_REDIS_STATUS_URL", &c->redis_status_url);
    if (rc == 0) rc = env_string("MM_SERVICE_WEB_TOPIC", &c->service_web_topic);
    if (rc == 0) rc = env_string("MM_HTTP_LISTEN", &c->http_listen);
    if (rc == 0) rc = env_string("MM_MANAGER_AUTH_CODE", &c->manager_auth_code);
    if (rc == 0) rc = env_string("MM_LOG_LEVEL", &c->log_level);
    if (rc == 0) rc = env_string("MM_EVENT_TYPE_PREFIX", &c->event_type_prefix);
    if (rc == 0) rc = env_string("MM_NODE_METRICS_LISTEN", &c->node_metrics_listen);
    if (rc == 0) rc = env_string("MM_HTTP_CORS_ORIGINS", &c->http_cors_origins);
    if (rc == 0) rc = env_string("MM_HTTP_TRUSTED_DOCUMENTS", &c->http_trusted_documents);
    if (rc == 0) rc = env_bool("MM_HTTP_APQ", &c->http_apq, err, err_size);
    if (rc == 0) rc = env_bool("MM_HTTP_APQ_REDIS", &c->http_apq_redis, err, err_size);
    if (rc == 0)
        rc =
            env_long("MM_HTTP_APQ_MAX_BYTES", 1024, INT_MAX, &c->http_apq_max_bytes, err, err_size);
    if (rc == 0)
        rc = env_long("MM_RESULT_TTL_SECONDS", 1, INT_MAX, &c->result_ttl_seconds, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SYNC_TIMEOUT_MS", 1, INT_MAX, &c->sync_timeout_ms, err, err_size);
    if (rc == 0)
        rc = env_long("MM_KAFKA_UNAVAILABLE_MS", 100, 600000, &c->kafka_unavailable_ms, err,
                      err_size);
    if (rc == 0)
        rc = env_long("MM_REDIS_TIMEOUT_MS", 10, 600000, &c->redis_timeout_ms, err, err_size);
    /* The subscription bounds' variables came before their keys. */
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_MAX", 1, 10000000, &c->subscriptions_max, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_PER_CONNECTION", 1, 100000,
                      &c->subscriptions_per_connection, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_QUEUE_BYTES", 1024, INT_MAX, &c->subscriptions_queue_bytes,
                      err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_KEEPALIVE_MS", 100, 3600000, &c->subscriptions_keepalive_ms,
                      err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS", 100, INT_MAX,
                      &c->subscriptions_result_timeout_ms, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_PARTITION_REFRESH_MS", 100, 3600000,
                      &c->subscriptions_partition_refresh_ms, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_TAIL_IDLE_MS", 0, 3600000, &c->subscriptions_tail_idle_ms,
                      err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_SSE_RESERVATIONS", 1, 1000000,
                      &c->subscriptions_sse_reservations, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_SSE_RESERVATIONS_PER_IP", 0, 1000000,
                      &c->subscriptions_sse_reservations_per_ip, err, err_size);
    if (rc == 0)
        rc = env_long("MM_SUBSCRIPTIONS_SSE_RESERVATION_MS", 100, 3600000,
                      &c->subscriptions_sse_reservation_ms, err, err_size);
    if (rc == 0) rc = env_string("MM_TRACING_ENDPOINT", &c->tracing_endpoint);
    if (rc == 0) rc = env_string("MM_TRACING_SERVICE_NAME", &c->tracing_service_name);
    const char *ratio = getenv("MM_TRACING_SAMPLE_RATIO");
    if (rc == 0 && ratio && *ratio && parse_ratio(ratio, &c->tracing_sample_ratio) != 0) {
        fail(err, err_size, "environment MM_TRACING_SAMPLE_RATIO: expected a number from 0 to 1");
        rc = MM_EINVAL;
    }
    if (rc == 0)
        rc = env_long("MM_TRACING_QUEUE_BYTES", 4096, LONG_MAX / 2, &c->tracing_queue_bytes, err,
                      err_size);
    if (rc == 0)
        rc = env_long("MM_TRACING_TIMEOUT_MS", 10, 600000, &c->tracing_timeout_ms, err, err_size);
    if (rc == 0) rc = env_kafka_properties(c);
    if (rc == MM_ENOMEM) fail(err, err_size, "out of memory");
    if (rc == 0) rc = check_log_level(c, err, err_size);
    return rc;
}

int mm_config_defaults(mm_config **out, char *err, size_t err_size) {
    *out = NULL;
    mm_config *c = config_new_defaults();
    if (!c) {
        fail(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    int rc = mm_config_apply_env(c, err, err_size);
    if (rc) {
        mm_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int mm_config_load_string(const char *name, const char *text, size_t length, mm_config **out,
                          char *err, size_t err_size) {
    *out = NULL;
    if (length > CONFIG_MAX_BYTES) {
        fail(err, err_size, "%s: larger than %d bytes", name, CONFIG_MAX_BYTES);
        return MM_ELIMIT;
    }
    if (memchr(text, '\0', length)) {
        fail(err, err_size, "%s: contains a NUL byte", name);
        return MM_ESYNTAX;
    }
    char yerr[256];
    mm_yaml_node *root = mm_yaml_parse(text, length, yerr, sizeof yerr);
    if (!root) {
        fail(err, err_size, "%s: %s", name, yerr);
        return MM_ESYNTAX;
    }
    mm_config *c = config_new_defaults();
    int rc = c ? replace_string(&c->source, name) : MM_ENOMEM;
    reader r = {name, err, err_size};
    if (rc == 0) rc = read_document(&r, root, c);
    mm_yaml_free(root);
    if (rc == 0) rc = mm_config_apply_env(c, err, err_size);
    if (rc == MM_ENOMEM) fail(err, err_size, "out of memory");
    if (rc) {
        mm_config_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int mm_config_open(const char *path, mm_config **out, char *err, size_t err_size) {
    int rc = path ? mm_config_load_file(path, out, err, err_size)
                  : mm_config_defaults(out, err, err_size);
    if (rc) return rc;
    int level = mm_log_level_from_name((*out)->log_level);
    if (level >= 0) mm_log_set_level((mm_log_level)level);
    return 0;
}

int mm_config_load_file(const char *path, mm_config **out, char *err, size_t err_size) {
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fail(err, err_size, "%s: %s", path, strerror(errno));
        return MM_EIO;
    }
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
    int read_error = ferror(f);
    fclose(f);
    if (!buf) {
        fail(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    if (read_error) {
        free(buf);
        fail(err, err_size, "%s: read error", path);
        return MM_EIO;
    }
    int rc = mm_config_load_string(path, buf, n, out, err, err_size);
    free(buf);
    return rc;
}

const mm_consumer_settings *mm_config_find_consumer(const mm_config *cfg, const char *service,
                                                    const char *consumer) {
    for (size_t i = 0; i < cfg->consumer_count; i++)
        if (strcmp(cfg->consumers[i].service, service) == 0 &&
            strcmp(cfg->consumers[i].consumer, consumer) == 0)
            return &cfg->consumers[i];
    return NULL;
}

/* ---- the defaults as docs/configuration.md's table writes them ---------- */

static void emit_long(mm_config_default_fn fn, void *ud, const char *key, long v) {
    char text[32];
    if (v == MM_CONFIG_UNSET)
        snprintf(text, sizeof text, "null");
    else
        snprintf(text, sizeof text, "%ld", v);
    fn(ud, key, text);
}

int mm_config_each_default(mm_config_default_fn fn, void *ud) {
    mm_config *c = config_new_defaults();
    mm_consumer_settings *s = NULL;
    if (!c || add_consumer(c, "<service>", "<consumer>", &s) != 0) {
        mm_config_free(c);
        return MM_ENOMEM;
    }
    fn(ud, "service_web_topic", c->service_web_topic);
    fn(ud, "log_level", c->log_level);
    emit_long(fn, ud, "result_ttl_seconds", c->result_ttl_seconds);
    emit_long(fn, ud, "sync_timeout_ms", c->sync_timeout_ms);
    emit_long(fn, ud, "kafka_unavailable_ms", c->kafka_unavailable_ms);
    emit_long(fn, ud, "redis_timeout_ms", c->redis_timeout_ms);
    fn(ud, "kafka.bootstrap_servers", c->kafka_bootstrap_servers);
    fn(ud, "kafka.properties", c->kafka_property_count ? "(set)" : "—");
    /* redis.url is not stored: it sets the three URLs, which default alike. */
    fn(ud, "redis.url", c->redis_results_url);
    const char *urls[][2] = {{"redis.results_url", c->redis_results_url},
                             {"redis.state_url", c->redis_state_url},
                             {"redis.status_url", c->redis_status_url}};
    for (size_t i = 0; i < 3; i++)
        fn(ud, urls[i][0],
           strcmp(urls[i][1], c->redis_results_url) == 0 ? "redis.url" : urls[i][1]);
    fn(ud, "http.listen", c->http_listen);
    fn(ud, "http.graphql_path", c->http_graphql_path);
    emit_long(fn, ud, "http.max_body_bytes", c->http_max_body_bytes);
    emit_long(fn, ud, "http.threads", c->http_threads);
    emit_long(fn, ud, "http.max_header_bytes", c->http_max_header_bytes);
    emit_long(fn, ud, "http.max_url_bytes", c->http_max_url_bytes);
    emit_long(fn, ud, "http.max_connections", c->http_max_connections);
    emit_long(fn, ud, "http.max_connections_per_ip", c->http_max_connections_per_ip);
    emit_long(fn, ud, "http.header_timeout_ms", c->http_header_timeout_ms);
    emit_long(fn, ud, "http.idle_timeout_s", c->http_idle_timeout_s);
    emit_long(fn, ud, "http.max_requests_per_connection", c->http_max_requests_per_connection);
    fn(ud, "http.cors_origins", c->http_cors_origins ? c->http_cors_origins : "none");
    fn(ud, "http.apq", c->http_apq ? "true" : "false");
    emit_long(fn, ud, "http.apq_max_bytes", c->http_apq_max_bytes);
    fn(ud, "http.apq_redis", c->http_apq_redis ? "true" : "false");
    fn(ud, "http.trusted_documents",
       c->http_trusted_documents ? c->http_trusted_documents : "none");
    fn(ud, "event_type_prefix", c->event_type_prefix ? c->event_type_prefix : "none");
    fn(ud, "node_metrics_listen", c->node_metrics_listen ? c->node_metrics_listen : "none");
    emit_long(fn, ud, "graphql.max_cost", c->graphql_max_cost);
    emit_long(fn, ud, "graphql.max_field_resolutions", c->graphql_max_field_resolutions);
    emit_long(fn, ud, "graphql.max_response_bytes", c->graphql_max_response_bytes);
    emit_long(fn, ud, "graphql.execution_timeout_ms", c->graphql_execution_timeout_ms);
    emit_long(fn, ud, "graphql.document_cache_bytes", c->graphql_document_cache_bytes);
    emit_long(fn, ud, "subscriptions.max", c->subscriptions_max);
    emit_long(fn, ud, "subscriptions.per_connection", c->subscriptions_per_connection);
    emit_long(fn, ud, "subscriptions.queue_bytes", c->subscriptions_queue_bytes);
    emit_long(fn, ud, "subscriptions.keepalive_ms", c->subscriptions_keepalive_ms);
    emit_long(fn, ud, "subscriptions.result_timeout_ms", c->subscriptions_result_timeout_ms);
    emit_long(fn, ud, "subscriptions.partition_refresh_ms", c->subscriptions_partition_refresh_ms);
    emit_long(fn, ud, "subscriptions.tail_idle_ms", c->subscriptions_tail_idle_ms);
    emit_long(fn, ud, "subscriptions.sse_reservations", c->subscriptions_sse_reservations);
    emit_long(fn, ud, "subscriptions.sse_reservations_per_ip",
              c->subscriptions_sse_reservations_per_ip);
    emit_long(fn, ud, "subscriptions.sse_reservation_ms", c->subscriptions_sse_reservation_ms);
    fn(ud, "manager.enabled", c->manager_enabled ? "true" : "false");
    fn(ud, "manager.auth_code", c->manager_auth_code ? "(set)" : "none");
    fn(ud, "manager.auth_for_queries", c->manager_auth_for_queries ? "true" : "false");
    fn(ud, "tracing.endpoint", c->tracing_endpoint ? c->tracing_endpoint : "none");
    char ratio[32];
    snprintf(ratio, sizeof ratio, "%g", c->tracing_sample_ratio);
    fn(ud, "tracing.sample_ratio", ratio);
    emit_long(fn, ud, "tracing.queue_bytes", c->tracing_queue_bytes);
    emit_long(fn, ud, "tracing.timeout_ms", c->tracing_timeout_ms);
    fn(ud, "tracing.service_name", c->tracing_service_name ? c->tracing_service_name : "none");
    emit_long(fn, ud, "<service>.<consumer>.procs", s->procs);
    emit_long(fn, ud, "<service>.<consumer>.harakiri_limit", s->harakiri_limit);
    emit_long(fn, ud, "<service>.<consumer>.harakiri_jitter", s->harakiri_jitter);
    emit_long(fn, ud, "<service>.<consumer>.max_age_seconds", s->max_age_seconds);
    fn(ud, "<service>.<consumer>.exactly_once", s->exactly_once ? "true" : "false");
    mm_config_free(c);
    return 0;
}
