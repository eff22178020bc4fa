/* server.c -- the server: configuration, routing, the endpoints, GraphQL
 * request dispatch, start and graceful stop. The transport (reading,
 * framing, deadlines, writing) is conn.c on the I/O threads of loop.c; every
 * function here runs on the I/O thread of the request's connection, except
 * new/start/stop/free and the loop accessors.
 *
 * Endpoints: the GraphQL path, /healthz, /readyz, /metrics, GraphiQL with its
 * assets under /graphiql/, and the extra static pages of the configuration
 * (e.g. the manager's /manager). */
#include "http/http_internal.h"

#include "common/http_defaults.h"
#include "http/sse_tokens.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "metamorphosis.h"

/* The values are common/http_defaults.h's, which config.c's keys share. */
void mm_http_config_init(mm_http_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->host = MM_HTTP_DEFAULT_HOST;
    cfg->port = 0;
    cfg->graphql_path = MM_HTTP_DEFAULT_GRAPHQL_PATH;
    cfg->threads = 0;
    cfg->max_body_bytes = MM_HTTP_DEFAULT_MAX_BODY_BYTES;
    cfg->max_header_bytes = MM_HTTP_DEFAULT_MAX_HEADER_BYTES;
    cfg->max_url_bytes = MM_HTTP_DEFAULT_MAX_URL_BYTES;
    cfg->max_connections = MM_HTTP_DEFAULT_MAX_CONNECTIONS;
    cfg->max_connections_per_ip = MM_HTTP_DEFAULT_MAX_CONNECTIONS_PER_IP;
    cfg->connection_timeout_s = MM_HTTP_DEFAULT_IDLE_TIMEOUT_S;
    cfg->header_timeout_ms = MM_HTTP_DEFAULT_HEADER_TIMEOUT_MS;
    cfg->max_requests_per_connection = MM_HTTP_DEFAULT_MAX_REQUESTS_PER_CONNECTION;
    cfg->request_timeout_ms = MM_HTTP_DEFAULT_REQUEST_TIMEOUT_MS;
    cfg->log_level = -1;
}

static const char *media_content_type(mm_http_media media) {
    return media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON
               ? "application/graphql-response+json; charset=utf-8"
               : "application/json; charset=utf-8";
}

/* A transport-level error answered as a GraphQL-style JSON body. */
static void send_error(mm_http_conn *c, unsigned status, const char *msg, const char *allow) {
    mm_http_server *s = c->io->server;
    size_t len;
    char *body = mm_http_error_json(msg, NULL, &len);
    mm_http_media media =
        c->media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON ? c->media : MM_HTTP_MEDIA_JSON;
    if (c->route == MM_ROUTE_GRAPHQL) mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_REQUEST);
    mm_http_conn_reply(c, status, media_content_type(media), body, len, 1, allow, NULL,
                       status >= 500 ? MM_HTTP_RESULT_SERVER_ERROR : MM_HTTP_RESULT_HTTP_ERROR);
}

static void send_text(mm_http_conn *c, unsigned status, const char *text) {
    mm_http_conn_reply(c, status, "text/plain; charset=utf-8", text, strlen(text), 0, NULL, NULL,
                       status < 400 ? MM_HTTP_RESULT_OK : MM_HTTP_RESULT_HTTP_ERROR);
}

static void handle_readyz(mm_http_server *s, mm_http_conn *c) {
    char reason[256] = "";
    int ready = 1;
    if (atomic_load(&s->stopping)) {
        ready = 0;
        snprintf(reason, sizeof reason, "shutting down");
    } else if (s->cfg.ready_fn) {
        ready = s->cfg.ready_fn(s->cfg.ready_ud, reason, sizeof reason);
        reason[sizeof reason - 1] = '\0';
    }
    json_t *j = ready ? json_pack("{s:s}", "status", "ready")
                      : json_pack("{s:s,s:s}", "status", "not ready", "reason",
                                  reason[0] ? reason : "not ready");
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) {
        send_text(c, 500, "out of memory\n");
        return;
    }
    mm_http_conn_reply(c, ready ? 200 : 503, "application/json; charset=utf-8", text, strlen(text),
                       1, NULL, NULL, ready ? MM_HTTP_RESULT_OK : MM_HTTP_RESULT_SERVER_ERROR);
}

static void handle_metrics(mm_http_server *s, mm_http_conn *c) {
    size_t len = 0;
    char *text = mm_http_metrics_render(&s->metrics, &len);
    if (!text) {
        send_text(c, 500, "out of memory\n");
        return;
    }
    mm_http_conn_reply(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len, 1, NULL, NULL,
                       MM_HTTP_RESULT_OK);
}

static void handle_asset(mm_http_server *s, mm_http_conn *c) {
    const mm_graphiql_asset *a = mm_graphiql_find(&s->graphiql, c->path + strlen("/graphiql/"));
    if (!a) {
        send_text(c, 404, "not found\n");
        return;
    }
    mm_http_conn_reply(c, 200, a->content_type, a->data, a->len, 0, NULL,
                       "Cache-Control: public, max-age=86400\r\n", MM_HTTP_RESULT_OK);
}

/* The configured extra page at exactly path, or NULL. */
static const mm_http_page *find_page(const mm_http_server *s, const char *path) {
    for (size_t i = 0; i < s->cfg.page_count; i++)
        if (strcmp(s->cfg.pages[i].path, path) == 0) return &s->cfg.pages[i];
    return NULL;
}

enum mm_http_route mm_http_route_for(const mm_http_server *s, const char *path) {
    if (strcmp(path, s->cfg.graphql_path) == 0) return MM_ROUTE_GRAPHQL;
    if (strcmp(path, "/healthz") == 0) return MM_ROUTE_HEALTHZ;
    if (strcmp(path, "/readyz") == 0) return MM_ROUTE_READYZ;
    if (strcmp(path, "/metrics") == 0) return MM_ROUTE_METRICS;
    if (strncmp(path, "/graphiql/", 10) == 0) return MM_ROUTE_ASSET;
    if (find_page(s, path)) return MM_ROUTE_PAGE;
    return MM_ROUTE_NOT_FOUND;
}

static int hex_digit(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes s in place ('+' is a space, as in forms); an invalid
 * escape is kept as it is. */
static void url_decode(char *s) {
    char *o = s;
    for (char *p = s; *p; p++) {
        if (*p == '+') {
            *o++ = ' ';
        } else if (*p == '%' && hex_digit(p[1]) >= 0 && hex_digit(p[2]) >= 0) {
            *o++ = (char)(hex_digit(p[1]) * 16 + hex_digit(p[2]));
            p += 2;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

/* Splits and decodes a query string (a malloc'd copy in *storage). The
 * number of parameters is bounded by the URL limit. */
static int parse_query(const char *q, size_t len, char **storage, mm_http_param **params,
                       size_t *count) {
    *storage = NULL;
    *params = NULL;
    *count = 0;
    if (!q || !len) return 0;
    size_t n = 1;
    for (size_t i = 0; i < len; i++) n += q[i] == '&';
    char *copy = malloc(len + 1);
    mm_http_param *p = calloc(n, sizeof *p);
    if (!copy || !p) {
        free(copy);
        free(p);
        return MM_ENOMEM;
    }
    memcpy(copy, q, len);
    copy[len] = '\0';
    size_t k = 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, "&", &save); tok; tok = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(tok, '=');
        if (eq) *eq = '\0';
        url_decode(tok);
        if (eq) url_decode(eq + 1);
        assert(k < n);
        p[k].key = tok;
        p[k].value = eq ? eq + 1 : NULL;
        k++;
    }
    *storage = copy;
    *params = p;
    *count = k;
    return 0;
}

void mm_http_dispatch(mm_http_conn *c, const char *body, size_t body_len) {
    mm_http_server *s = c->io->server;
    char *storage = NULL;
    mm_http_param *params = NULL;
    size_t count = 0;
    if (c->method == MM_HTTP_METHOD_GET &&
        parse_query(c->query, c->query_len, &storage, &params, &count) != 0) {
        send_error(c, 500, "out of memory", NULL);
        return;
    }
    mm_http_raw_request raw = {
        .method = c->method_name,
        .content_type = c->content_type,
        .body = body,
        .body_len = body_len,
        .params = params,
        .param_count = count,
    };
    mm_http_graphql_request req;
    char err[256];
    int status = mm_http_request_parse(&raw, &req, err, sizeof err);
    free(params);
    free(storage);
    if (status) {
        send_error(c, (unsigned)status, err, status == 405 ? "GET, POST" : NULL);
        return;
    }
    req.media = c->media;
    req.trace.valid = false;
    if (c->span) mm_trace_ctx_copy(&req.trace, &c->span->ctx); /* trace: the handler's parent */
    if (c->want_sse) {
        mm_http_stream_start_sse(c, &req); /* takes req */
        return;
    }
    if (c->sse_token) {
        mm_http_sse1_operation(c, &req); /* takes req */
        return;
    }
    mm_http_responder *r = mm_http_responder_new(s, c, c->io, &req, c->remote);
    if (!r) {
        mm_http_graphql_request_clear(&req);
        send_error(c, 500, "out of memory", NULL);
        return;
    }
    c->r = r;
    s->handler(s->ud, &r->req, r);
}

/* Everything decidable from the head of a GraphQL request. 1: read the body. */
static int start_graphql(mm_http_server *s, mm_http_conn *c) {
    if (mm_trace_enabled() && c->method != MM_HTTP_METHOD_OPTIONS) mm_http_trace_begin(c);
    int cors = s->cfg.cors_origins && *s->cfg.cors_origins;
    const char *allow = s->streams
                            ? (cors ? "GET, POST, PUT, DELETE, OPTIONS" : "GET, POST, PUT, DELETE")
                        : cors ? "GET, POST, OPTIONS"
                               : "GET, POST";
    if (c->method == MM_HTTP_METHOD_OPTIONS && cors) {
        mm_http_hbuf h = {0};
        char origin[512], req_headers[600];
        mm_http_cors_apply(&h, s->cfg.cors_origins,
                           mm_http_conn_header_str(c, "Origin", origin, sizeof origin),
                           s->streams ? 2 : 1,
                           mm_http_conn_header_str(c, "Access-Control-Request-Headers", req_headers,
                                                   sizeof req_headers));
        c->route =
            MM_ROUTE_NONE; /* a preflight carries no Vary/Cache-Control of the GraphQL answers */
        mm_http_conn_reply(c, 204, NULL, "", 0, 0, allow, h.oom ? NULL : h.data, MM_HTTP_RESULT_OK);
        c->route = MM_ROUTE_GRAPHQL;
        free(h.data);
        return 0;
    }
    if (s->streams && mm_http_sse1_route(c)) return 0; /* graphql-sse single connection */
    if (c->method != MM_HTTP_METHOD_GET && c->method != MM_HTTP_METHOD_POST) {
        send_error(c, 405, "only GET and POST are allowed here", allow);
        return 0;
    }
    char accept[1024];
    c->want_sse = 0;
    if (s->streams) {
        if (mm_http_stream_try_upgrade(c)) return 0;
        size_t al;
        const char *a = mm_http_conn_header(c, "Accept", &al);
        for (size_t i = 0; a && i + 17 <= al; i++)
            if (strncasecmp(a + i, "text/event-stream", 17) == 0) c->want_sse = 1;
    }
    if (c->want_sse)
        c->media = MM_HTTP_MEDIA_JSON;
    else
        c->media = mm_http_negotiate(mm_http_conn_header_str(c, "Accept", accept, sizeof accept),
                                     c->method == MM_HTTP_METHOD_GET && !s->cfg.disable_graphiql);
    if (c->media == MM_HTTP_MEDIA_HTML && !c->want_sse) {
        mm_http_conn_reply(c, 200, "text/html; charset=utf-8", s->graphiql.page,
                           s->graphiql.page_len, 0, NULL, NULL, MM_HTTP_RESULT_OK);
        return 0;
    }
    if (c->media == MM_HTTP_MEDIA_NONE) {
        send_error(
            c, 406,
            "none of the Accept media types is supported; use application/graphql-response+json or "
            "application/json",
            NULL);
        return 0;
    }
    if (c->method == MM_HTTP_METHOD_POST) {
        if (!mm_http_content_type_ok(c->content_type)) {
            send_error(c, 415,
                       c->content_type ? "unsupported Content-Type; use application/json (UTF-8)"
                                       : "a POST request needs Content-Type: application/json",
                       NULL);
            return 0;
        }
        if (c->has_length && c->content_length > s->cfg.max_body_bytes) {
            mm_http_refusal_log(s, MM_HTTP_REFUSE_BODY, c->remote,
                                "Content-Length over max_body_bytes");
            send_error(c, 413, "the request body is too large", NULL);
            return 0;
        }
        return 1;
    }
    mm_http_dispatch(c, NULL, 0); /* GET: everything is in the URL */
    return 0;
}

int mm_http_route_head(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    switch (c->route) {
    case MM_ROUTE_GRAPHQL: return start_graphql(s, c);
    case MM_ROUTE_NOT_FOUND: send_text(c, 404, "not found\n"); return 0;
    default: break;
    }
    if (c->method != MM_HTTP_METHOD_GET && !c->head_only) {
        mm_http_conn_reply(c, 405, "text/plain; charset=utf-8", "method not allowed\n", 19, 0,
                           "GET, HEAD", NULL, MM_HTTP_RESULT_HTTP_ERROR);
        return 0;
    }
    switch (c->route) {
    case MM_ROUTE_HEALTHZ: send_text(c, 200, "ok\n"); break;
    case MM_ROUTE_READYZ: handle_readyz(s, c); break;
    case MM_ROUTE_METRICS: handle_metrics(s, c); break;
    case MM_ROUTE_PAGE: {
        const mm_http_page *p = find_page(s, c->path);
        mm_http_conn_reply(c, 200, p->content_type, p->body, p->body_len, 0, NULL,
                           "Cache-Control: no-cache\r\n", MM_HTTP_RESULT_OK);
        break;
    }
    default: handle_asset(s, c); break;
    }
    return 0;
}

static char *dup_or_null(const char *s) { return s ? strdup(s) : NULL; }

static void free_pages(mm_http_page *pages, size_t n) {
    for (size_t i = 0; i < n; i++) {
        free((char *)pages[i].path);
        free((char *)pages[i].content_type);
        free((char *)pages[i].body);
    }
    free(pages);
}

/* Replaces the caller's page array with owned copies; checks each page. */
static int copy_pages(mm_http_server *s) {
    const mm_http_page *in = s->cfg.pages;
    size_t n = s->cfg.page_count;
    s->cfg.pages = NULL;
    s->cfg.page_count = 0;
    if (!n) return 0;
    if (!in) {
        mm_log_error("msg=\"http server: page_count without pages\"");
        return MM_EINVAL;
    }
    mm_http_page *out = calloc(n, sizeof *out);
    if (!out) return MM_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const char *path = in[i].path;
        if (!path || path[0] != '/' || !s->cfg.graphql_path ||
            strcmp(path, s->cfg.graphql_path) == 0 || strcmp(path, "/healthz") == 0 ||
            strcmp(path, "/readyz") == 0 || strcmp(path, "/metrics") == 0 ||
            strncmp(path, "/graphiql/", 10) == 0 || (!in[i].body && in[i].body_len)) {
            mm_log_error("msg=\"http server: page path is missing, not absolute or taken by a "
                         "built-in route\" "
                         "path=\"%s\"",
                         path ? path : "");
            free_pages(out, i);
            return MM_EINVAL;
        }
        out[i].path = strdup(path);
        out[i].content_type =
            strdup(in[i].content_type ? in[i].content_type : "application/octet-stream");
        char *body = malloc(in[i].body_len + 1);
        if (body) {
            if (in[i].body_len) memcpy(body, in[i].body, in[i].body_len);
            body[in[i].body_len] = '\0';
        }
        out[i].body = body;
        out[i].body_len = in[i].body_len;
        if (!out[i].path || !out[i].content_type || !body) {
            free_pages(out, i + 1);
            return MM_ENOMEM;
        }
    }
    s->cfg.pages = out;
    s->cfg.page_count = n;
    return 0;
}

mm_http_server *mm_http_server_new(const mm_http_config *cfg, mm_http_graphql_fn handler,
                                   void *ud) {
    if (!handler) {
        mm_log_error("msg=\"http server: no GraphQL handler\"");
        return NULL;
    }
    mm_http_config def;
    mm_http_config_init(&def);
    if (!cfg) cfg = &def;
    mm_http_server *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->cfg = *cfg;
    if (!s->cfg.host || !*s->cfg.host) s->cfg.host = def.host;
    if (!s->cfg.graphql_path || s->cfg.graphql_path[0] != '/')
        s->cfg.graphql_path = def.graphql_path;
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n < 1 ? 1 : (unsigned)n;
    }
    if (s->cfg.threads > 64) s->cfg.threads = 64;
    if (!s->cfg.max_body_bytes) s->cfg.max_body_bytes = def.max_body_bytes;
    if (!s->cfg.max_header_bytes) s->cfg.max_header_bytes = def.max_header_bytes;
    if (s->cfg.max_header_bytes < MM_HTTP_MIN_MAX_HEADER_BYTES)
        s->cfg.max_header_bytes = MM_HTTP_MIN_MAX_HEADER_BYTES;
    if (!s->cfg.max_url_bytes) s->cfg.max_url_bytes = def.max_url_bytes;
    if (s->cfg.max_url_bytes > s->cfg.max_header_bytes)
        s->cfg.max_url_bytes = s->cfg.max_header_bytes;
    if (!s->cfg.max_connections) s->cfg.max_connections = def.max_connections;
    if (!s->cfg.connection_timeout_s) s->cfg.connection_timeout_s = def.connection_timeout_s;
    if (!s->cfg.header_timeout_ms) s->cfg.header_timeout_ms = def.header_timeout_ms;
    if (!s->cfg.max_requests_per_connection)
        s->cfg.max_requests_per_connection = def.max_requests_per_connection;
    if (!s->cfg.request_timeout_ms) s->cfg.request_timeout_ms = def.request_timeout_ms;
    s->cfg.host = dup_or_null(s->cfg.host);
    s->cfg.graphql_path = dup_or_null(s->cfg.graphql_path);
    s->cfg.cors_origins = dup_or_null(s->cfg.cors_origins);
    s->cfg.graphiql_dir = dup_or_null(s->cfg.graphiql_dir);
    pthread_mutex_init(&s->flight_lock, NULL);
    pthread_cond_init(&s->flight_cond, NULL);
    pthread_mutex_init(&s->ip_lock, NULL);
    if (copy_pages(s) != 0) {
        mm_http_server_free(s);
        return NULL;
    }
    s->handler = handler;
    s->ud = ud;
    if (s->cfg.streams) {
        s->stream_hooks = *s->cfg.streams;
        s->cfg.streams = NULL;
        s->streams = s->stream_hooks.subscribe != NULL;
        mm_http_stream_hooks *h = &s->stream_hooks;
        if (!h->max_queue_bytes) h->max_queue_bytes = MM_HTTP_DEFAULT_STREAM_QUEUE_BYTES;
        if (!h->keepalive_ms) h->keepalive_ms = MM_HTTP_DEFAULT_STREAM_KEEPALIVE_MS;
        if (!h->init_timeout_ms) h->init_timeout_ms = MM_HTTP_DEFAULT_STREAM_INIT_TIMEOUT_MS;
        if (!h->max_ops_per_connection)
            h->max_ops_per_connection = MM_HTTP_DEFAULT_STREAM_OPS_PER_CONNECTION;
        if (!h->max_message_bytes) h->max_message_bytes = s->cfg.max_body_bytes;
        if (s->streams &&
            !(s->sse_tokens = mm_sse_tokens_new(h->max_reservations, h->max_reservations_per_ip,
                                                h->reservation_ms))) {
            mm_http_server_free(s);
            return NULL;
        }
    }
    if (cfg->log_level >= MM_LOG_ERROR && cfg->log_level <= MM_LOG_DEBUG)
        mm_log_set_level((mm_log_level)cfg->log_level);
    if (!s->cfg.host || !s->cfg.graphql_path ||
        (!s->cfg.disable_graphiql &&
         mm_graphiql_init(&s->graphiql, s->cfg.graphiql_dir, s->cfg.graphql_path) != 0)) {
        mm_http_server_free(s);
        return NULL;
    }
    return s;
}

/* Every connection is a descriptor: make room for max_connections (raising
 * the soft limit up to the hard one), or lower the limit to what fits. */
static void fit_connection_limit(mm_http_server *s) {
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
    rlim_t want = (rlim_t)s->cfg.max_connections + 128;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rlim_t raised = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > want ? want : rl.rlim_max;
        struct rlimit nl = {raised, rl.rlim_max};
        if (setrlimit(RLIMIT_NOFILE, &nl) == 0) rl.rlim_cur = raised;
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > 256 ? (unsigned)(rl.rlim_cur - 128) : 128;
        mm_log_warn(
            "msg=\"http server: max_connections lowered to fit RLIMIT_NOFILE\" max_connections=%u "
            "rlimit_nofile=%llu",
            fit, (unsigned long long)rl.rlim_cur);
        s->cfg.max_connections = fit;
    }
}

int mm_http_server_start(mm_http_server *s) {
    if (!s || s->started) return MM_EINVAL;
    fit_connection_limit(s);
    int rc = mm_http_io_start(s);
    if (rc != 0) return rc;
    s->started = 1;
    mm_log_info(
        "msg=\"http server listening\" host=%s port=%u graphql_path=%s threads=%u graphiql=%s "
        "max_connections=%u",
        s->cfg.host, s->port, s->cfg.graphql_path, s->cfg.threads,
        s->cfg.disable_graphiql ? "off" : (s->graphiql.local ? "local" : "cdn"),
        s->cfg.max_connections);
    return 0;
}

uint16_t mm_http_server_port(const mm_http_server *s) { return s && s->started ? s->port : 0; }

unsigned mm_http_server_loop_count(const mm_http_server *s) { return s && s->io ? s->io_count : 0; }

struct uv_loop_s *mm_http_server_loop(mm_http_server *s, unsigned i) {
    return s && s->io && i < s->io_count ? &s->io[i].loop : NULL;
}

int mm_http_server_post(mm_http_server *s, unsigned i, void (*fn)(void *ud), void *ud) {
    if (!s || !fn || !s->io || i >= s->io_count) return MM_EINVAL;
    return mm_http_io_post(&s->io[i], NULL, fn, ud);
}

/* Waits until no request is in flight or the monotonic deadline passes. */
static int wait_idle(mm_http_server *s, uint64_t deadline_ns) {
    struct timespec ts;
    pthread_mutex_lock(&s->flight_lock);
    while (s->flight > 0) {
        /* flight_cond uses the realtime clock: wait in short slices. */
        uint64_t now = mm_http_now_ns();
        if (now >= deadline_ns) break;
        uint64_t slice = deadline_ns - now;
        if (slice > 50000000ull) slice = 50000000ull;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t t = (uint64_t)ts.tv_nsec + slice;
        ts.tv_sec += (time_t)(t / 1000000000ull);
        ts.tv_nsec = (long)(t % 1000000000ull);
        pthread_cond_timedwait(&s->flight_cond, &s->flight_lock, &ts);
    }
    int idle = s->flight == 0;
    pthread_mutex_unlock(&s->flight_lock);
    return idle;
}

static void stop_accepting(void *ud) {
    mm_http_io *io = ud;
    if (io->listening) {
        uv_close((uv_handle_t *)&io->listener, NULL);
        io->listening = 0;
    }
    mm_http_conn_close_idle(io);
}

static void cancel_waiting(void *ud) { mm_http_conn_cancel_waiting(ud); }

int mm_http_server_stop(mm_http_server *s, unsigned deadline_ms) {
    if (!s || !s->started || s->stopped) return 0;
    s->stopped = 1;
    atomic_store(&s->stopping, 1);
    uint64_t start = mm_http_now_ns();
    /* Embedded nodes: these posts cannot fail while the loops run. */
    for (unsigned i = 0; i < s->io_count; i++)
        mm_http_io_post(&s->io[i], &s->io[i].stop_nodes[0], stop_accepting, &s->io[i]);
    int idle = wait_idle(s, start + (uint64_t)deadline_ms * 1000000ull);
    if (!idle) {
        long left;
        pthread_mutex_lock(&s->flight_lock);
        left = s->flight;
        pthread_mutex_unlock(&s->flight_lock);
        mm_log_warn(
            "msg=\"http server: stop deadline passed; answering waiting requests\" in_flight=%ld",
            left);
    }
    /* Whatever still waits gets a shutdown error; then let those answers go out. */
    for (unsigned i = 0; i < s->io_count; i++)
        mm_http_io_post(&s->io[i], &s->io[i].stop_nodes[1], cancel_waiting, &s->io[i]);
    wait_idle(s, mm_http_now_ns() + 2000000000ull);
    mm_http_io_join(s); /* closes every connection; loop_stop hooks run */
    mm_log_info("msg=\"http server stopped\" port=%u duration_ms=%.1f", s->port,
                (double)(mm_http_now_ns() - start) / 1e6);
    return 0;
}

void mm_http_server_free(mm_http_server *s) {
    if (!s) return;
    mm_http_server_stop(s, 0);
    mm_graphiql_free(&s->graphiql);
    free((char *)s->cfg.host);
    free((char *)s->cfg.graphql_path);
    free((char *)s->cfg.cors_origins);
    free((char *)s->cfg.graphiql_dir);
    free_pages((mm_http_page *)s->cfg.pages, s->cfg.page_count);
    mm_http_limits_free(s);
    mm_sse_tokens_free(s->sse_tokens);
    pthread_mutex_destroy(&s->ip_lock);
    pthread_mutex_destroy(&s->flight_lock);
    pthread_cond_destroy(&s->flight_cond);
    free(s);
}
