/* server.c -- the library-level GraphQL server (server.h, metamorphosis.h). */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "http/http_server.h"
#include "http/persisted_queries.h"
#include "manager/manager.h"
#include "service/apq_redis.h"
#include "service/gateway.h"
#include "service/runtime.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "service/subscriptions.h"

#define DEFAULT_GRACE_MS 10000

struct mm_server {
    mm_config *owned_cfg; /* mm_server_open's own; NULL with _config */
    const mm_config *cfg;
    mm_runtime rt;
    int rt_open;
    mm_manager *manager;
    mm_gql_schema *schema;
    mm_gateway gw;
    mm_http_server *http;
    mm_pq *pq;                /* persisted queries: APQ and trusted documents */
    mm_pq_handler pq_handler; /* wraps the gateway's handler */
    mm_subscriptions *subs;   /* GraphQL subscriptions (SSE, WebSocket) */
    char *dashboard_page;
    unsigned grace_ms;
    int stop_pipe[2]; /* mm_server_stop writes, mm_server_run reads */
    int ran;
    char url[512];
};

/* /readyz, on an HTTP thread: never blocks. Ready when the result
 * notifications are subscribed and the last probes reached Kafka and Redis. */
static int ready(void *ud, char *reason, size_t reason_size) {
    mm_server *s = ud;
    mm_runtime *rt = &s->rt;
    /* ...and once the subscribed topics are read. */
    if (s->subs && !mm_subscriptions_ready(s->subs, reason, reason_size)) return 0;
    mm_notifier_stats st;
    mm_notifier_get_stats(rt->notifier, &st);
    if (!st.subscribed) {
        snprintf(reason, reason_size,
                 st.subscribes == 0 ? "not subscribed to result notifications in Redis yet"
                                    : "result notifications from Redis interrupted");
        return 0;
    }
    return mm_health_ready(rt->health, reason, reason_size);
}

static int parse_host_port(const char *text, char *host, size_t host_size, unsigned *port) {
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= host_size) return -1;
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p < 0 || p > 65535) return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    *port = (unsigned)p;
    return 0;
}

/* Why host:port cannot be listened on: the errno text of a bind/listen
 * tried here (the HTTP server's own attempt has been logged already). */
static const char *listen_error(const char *host, unsigned port, char *buf, size_t size) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0) {
        snprintf(buf, size, "%s", gai_strerror(gai));
        return buf;
    }
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd < 0) {
        snprintf(buf, size, "%s", strerror(errno));
    } else {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 1) != 0)
            snprintf(buf, size, "%s", strerror(errno));
        else
            snprintf(buf, size,
                     "the address can be bound now; see the log above for the server's reason");
        close(fd);
    }
    freeaddrinfo(res);
    return buf;
}

/* The HTTP deadline must outlast every mutation's own timeout so that a
 * caller gets the timeout error that names the event id, and the publish
 * itself, which Kafka may retry for message.timeout.ms (30 s unless
 * configured) when the probes still see a broker. */
static unsigned request_deadline_ms(mm_service *const *services, size_t count,
                                    const mm_config *cfg) {
    long longest = cfg->sync_timeout_ms;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < services[i]->mutation_count; j++)
            if (services[i]->mutations[j]->timeout_ms > longest)
                longest = services[i]->mutations[j]->timeout_ms;
    long publish_ms = 30000;
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        if (strcmp(cfg->kafka_properties[i].key, "message.timeout.ms") == 0)
            publish_ms = strtol(cfg->kafka_properties[i].value, NULL, 10);
    if (publish_ms > longest) longest = publish_ms;
    return (unsigned)(longest + 5000);
}

mm_server *mm_server_open_config(mm_service *const *services, size_t count, const mm_config *cfg,
                                 const mm_server_options *opts, char *err, size_t err_size) {
    static const mm_server_options no_opts;
    if (!opts) opts = &no_opts;
    mm_server *s = calloc(1, sizeof(*s));
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    s->cfg = cfg;
    s->stop_pipe[0] = s->stop_pipe[1] = -1;
    s->grace_ms = opts->shutdown_grace_ms ? opts->shutdown_grace_ms : DEFAULT_GRACE_MS;
    if (pipe(s->stop_pipe) != 0) {
        snprintf(err, err_size, "cannot create a pipe: %s", strerror(errno));
        goto fail;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(s->stop_pipe[i], F_SETFL, fcntl(s->stop_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(s->stop_pipe[i], F_SETFD, FD_CLOEXEC);
    }

    char host[256];
    unsigned port;
    const char *addr = opts->listen ? opts->listen : cfg->http_listen;
    if (parse_host_port(addr, host, sizeof host, &port)) {
        snprintf(err, err_size, "listen address '%s' is not HOST:PORT", addr);
        goto fail;
    }
    int manager_on = opts->manager || cfg->manager_enabled;
    const char *auth_code = opts->manager_auth_code;
    if (!auth_code && cfg->manager_auth_code && cfg->manager_auth_code[0])
        auth_code = cfg->manager_auth_code;
    if (manager_on && (!auth_code || !auth_code[0])) {
        snprintf(err, err_size,
                 "manager mode needs an auth code: set manager.auth_code in the config, "
                 "MM_MANAGER_AUTH_CODE, or --auth-code-file FILE (there is no default)");
        goto fail;
    }

    if (mm_runtime_open(&s->rt, cfg, MM_RUNTIME_SERVER, services, count, err, err_size)) goto fail;
    s->rt_open = 1;
    mm_schema_extra extras[1];
    size_t extra_count = 0;
    if (manager_on) {
        mm_manager_options mo = {
            .auth_code = auth_code,
            .auth_for_queries = cfg->manager_auth_for_queries,
            .service_web_topic = cfg->service_web_topic,
            .status_redis_url = cfg->redis_status_url,
            .producer = s->rt.producer,
            .kafka_bootstrap = cfg->kafka_bootstrap_servers,
            .kafka_props = s->rt.kafka_props,
            .kafka_prop_count = s->rt.kafka_prop_count,
        };
        s->manager = mm_manager_new(&mo, err, err_size);
        if (!s->manager) goto fail;
        extras[extra_count++] = mm_manager_schema_extra(s->manager);
    }
    s->schema =
        mm_services_build_schema(services, count, extras, extra_count, &s->rt, err, err_size);
    if (!s->schema) goto fail;
    s->gw = (mm_gateway){.schema = s->schema,
                         .dispatch = s->rt.dispatch,
                         .blocking = s->rt.blocking,
                         .context = &s->rt};
    mm_graphql_options_init(&s->gw.options);
    /* Clients repeat the same few documents: parse and validate each once. */
    s->gw.options.cache =
        mm_graphql_cache_new_bounded(512, (size_t)cfg->graphql_document_cache_bytes);
    s->gw.options.max_cost = (size_t)cfg->graphql_max_cost;
    s->gw.options.max_field_resolutions = (uint64_t)cfg->graphql_max_field_resolutions;
    s->gw.options.max_response_bytes = (size_t)cfg->graphql_max_response_bytes;
    s->gw.options.execution_timeout_ms = (unsigned)cfg->graphql_execution_timeout_ms;
    s->gw.options.stop_at_ns = &s->gw.stop_at_ns;

    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.host = host;
    hc.port = (uint16_t)port;
    hc.graphql_path = cfg->http_graphql_path;
    hc.threads = (unsigned)cfg->http_threads;
    hc.max_body_bytes = (size_t)cfg->http_max_body_bytes;
    hc.max_header_bytes = (size_t)cfg->http_max_header_bytes;
    hc.max_url_bytes = (size_t)cfg->http_max_url_bytes;
    hc.max_connections = (unsigned)cfg->http_max_connections;
    hc.max_connections_per_ip = (unsigned)cfg->http_max_connections_per_ip;
    hc.header_timeout_ms = (unsigned)cfg->http_header_timeout_ms;
    hc.connection_timeout_s = (unsigned)cfg->http_idle_timeout_s;
    hc.max_requests_per_connection = (unsigned)cfg->http_max_requests_per_connection;
    hc.cors_origins = cfg->http_cors_origins;
    hc.request_timeout_ms = request_deadline_ms(services, count, cfg);
    hc.graphiql_dir = opts->graphiql_dir;
    if (!(s->pq = mm_persisted_queries_open(cfg, err, err_size))) goto fail;
    mm_subscriptions_options so = {
        .schema = s->schema,
        .graphql = &s->gw.options,
        .rt = &s->rt,
        .pq = s->pq,
        .max_subscriptions = (unsigned)cfg->subscriptions_max,
        .max_per_connection = (unsigned)cfg->subscriptions_per_connection,
        .max_queue_bytes = (size_t)cfg->subscriptions_queue_bytes,
        .keepalive_ms = (unsigned)cfg->subscriptions_keepalive_ms,
        .result_timeout_ms = (unsigned)cfg->subscriptions_result_timeout_ms,
        .partition_refresh_ms = (unsigned)cfg->subscriptions_partition_refresh_ms,
        .tail_idle_ms = (unsigned)cfg->subscriptions_tail_idle_ms,
        .sse_reservations = (unsigned)cfg->subscriptions_sse_reservations,
        .sse_reservations_per_ip = (unsigned)cfg->subscriptions_sse_reservations_per_ip,
        .sse_reservation_ms = (unsigned)cfg->subscriptions_sse_reservation_ms,
        /* Manager mode: the dashboard's serviceWeb, read every 2 s (the nodes' status period). */
        .polled_field = s->manager ? "serviceWeb" : NULL,
        .poll = s->manager ? mm_manager_service_web : NULL,
        .poll_ud = s->manager,
    };
    if (!(s->subs = mm_subscriptions_new(&so, err, err_size))) goto fail;
    hc.streams = mm_subscriptions_hooks(s->subs);
    hc.ready_fn = ready;
    hc.ready_ud = s;
    mm_http_page dashboard = {"/manager", "text/html; charset=utf-8", NULL, 0};
    if (manager_on) {
        /* The HTTP server keeps its own copy of the page. */
        s->dashboard_page = mm_manager_dashboard_page(cfg->http_graphql_path, &dashboard.body_len);
        if (!s->dashboard_page) {
            snprintf(err, err_size, "out of memory");
            goto fail;
        }
        dashboard.body = s->dashboard_page;
        hc.pages = &dashboard;
        hc.page_count = 1;
    }
    s->pq_handler = (mm_pq_handler){.pq = s->pq, .inner = mm_gateway_handle, .inner_ud = &s->gw};
    s->http = mm_http_server_new(&hc, mm_pq_handle, &s->pq_handler);
    if (!s->http || mm_http_server_start(s->http) != 0) {
        char why[256];
        snprintf(err, err_size, "cannot listen on %s:%u: %s", host, port,
                 listen_error(host, port, why, sizeof why));
        goto fail;
    }
    if (mm_subscriptions_start(s->subs, s->http) != 0) {
        snprintf(err, err_size, "cannot start the subscriptions' Kafka reader");
        goto fail;
    }
    snprintf(s->url, sizeof s->url, "http://%s:%u%s", host, (unsigned)mm_http_server_port(s->http),
             cfg->http_graphql_path);
    mm_log_info("msg=\"serving\" services=%zu kafka=%s manager=%s url=%s", count,
                cfg->kafka_bootstrap_servers, manager_on ? "on" : "off", s->url);
    return s;
fail:
    mm_server_free(s);
    return NULL;
}

mm_server *mm_server_open(mm_service *const *services, size_t count, const mm_server_options *opts,
                          char *err, size_t err_size) {
    mm_config *cfg = NULL;
    if (mm_config_open(opts ? opts->config_path : NULL, &cfg, err, err_size)) return NULL;
    mm_server *s = mm_server_open_config(services, count, cfg, opts, err, err_size);
    if (!s) {
        mm_config_free(cfg);
        return NULL;
    }
    s->owned_cfg = cfg;
    return s;
}

const char *mm_server_graphql_url(const mm_server *s) { return s->url; }

unsigned mm_server_port(const mm_server *s) { return s->http ? mm_http_server_port(s->http) : 0; }

void mm_server_stop(mm_server *s) {
    if (!s || s->stop_pipe[1] < 0) return;
    int saved = errno; /* async-signal-safe: write(2) only, errno kept */
    ssize_t n = write(s->stop_pipe[1], "s", 1);
    (void)n; /* a full pipe already holds a stop request */
    errno = saved;
}

int mm_server_run(mm_server *s) {
    struct pollfd p = {.fd = s->stop_pipe[0], .events = POLLIN};
    for (;;) {
        int n = poll(&p, 1, -1); /* the one wait without a deadline: until stop */
        if (n > 0) break;
        if (n < 0 && errno != EINTR) {
            mm_log_error("msg=\"poll on the stop pipe failed\" error=\"%s\"", strerror(errno));
            break;
        }
    }
    mm_log_info("msg=\"stopping\" grace_ms=%u", s->grace_ms);
    s->ran = 1;
    /* A runaway execution stops before the drain deadline, so the HTTP
     * threads running it can be joined in time. Executing is CPU work of
     * milliseconds; the second half of the grace is for the resolver call
     * in progress (the engine stops between fields) and the answer, while
     * requests waiting for a result keep the whole grace. */
    mm_gateway_stop_by(&s->gw, s->grace_ms / 2);
    mm_subscriptions_stop(
        s->subs); /* no more events; the server's stop completes every subscription */
    mm_http_server_stop(s->http, s->grace_ms);
    return 0;
}

void mm_server_free(mm_server *s) {
    if (!s) return;
    /* Order: no new requests, then what they use. */
    mm_subscriptions_stop(s->subs);
    mm_http_server_free(s->http);
    mm_subscriptions_free(s->subs);
    mm_pq_free(s->pq);
    free(s->dashboard_page);
    mm_graphql_cache_free(s->gw.options.cache);
    mm_gql_schema_free(s->schema);
    mm_manager_free(s->manager);
    if (s->rt_open) mm_runtime_close(&s->rt);
    for (int i = 0; i < 2; i++)
        if (s->stop_pipe[i] >= 0) close(s->stop_pipe[i]);
    mm_config_free(s->owned_cfg);
    free(s);
}
