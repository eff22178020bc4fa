/* server.c -- the libmicrohttpd daemon: configuration, routing, request
 * bodies, start and graceful stop.
 *
 * The daemon runs an epoll thread pool with suspend/resume allowed. A GraphQL
 * request is parsed here (request.c), handed to the engine's callback with a
 * responder (responder.c), and answered either before the callback returns or
 * later, after the suspended connection is resumed. Other endpoints: /healthz,
 * /readyz, /metrics, GraphiQL with its assets under /graphiql/, and the extra
 * static pages of the configuration (e.g. the manager's /manager). */
#include "http/http_internal.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metamorphosis.h"

enum route { ROUTE_NONE, ROUTE_GRAPHQL, ROUTE_HEALTHZ, ROUTE_READYZ, ROUTE_METRICS, ROUTE_ASSET,
             ROUTE_PAGE, ROUTE_NOT_FOUND };

/* Per-request state, kept in MHD's con_cls. */
typedef struct conn_ctx {
    uint64_t start_ns;
    int method;
    char method_name[16];
    char *path;
    enum route route;
    mm_http_media media;
    char *body;
    size_t body_len, body_cap, discarded;
    int too_large;
    mm_http_responder *r;
    unsigned status;
    size_t bytes;
    mm_http_result result;
    char remote[64];
} conn_ctx;

void mm_http_config_init(mm_http_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->host = "127.0.0.1";
    cfg->port = 0;
    cfg->graphql_path = "/graphql";
    cfg->threads = 2;
    cfg->max_body_bytes = 1024 * 1024;
    cfg->max_header_bytes = 32 * 1024;
    cfg->max_connections = 1024;
    cfg->connection_timeout_s = 30;
    cfg->request_timeout_ms = 30000;
    cfg->log_level = -1;
}

static const char *media_content_type(mm_http_media media) {
    return media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON ? "application/graphql-response+json; charset=utf-8"
                                                        : "application/json; charset=utf-8";
}

static void format_remote(struct MHD_Connection *conn, char *out, size_t size) {
    out[0] = '\0';
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr) return;
    char host[INET6_ADDRSTRLEN] = "";
    if (ci->client_addr->sa_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, size, "%s:%u", host, ntohs(a->sin_port));
    } else if (ci->client_addr->sa_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, size, "[%s]:%u", host, ntohs(a->sin6_port));
    }
}

/* Queues a response. body is copied unless persistent. allow is the Allow
 * header for 405s (or NULL). */
static enum MHD_Result send_answer(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx,
                                   unsigned status, const char *content_type, const char *body, size_t len,
                                   int persistent, const char *allow, mm_http_result result) {
    struct MHD_Response *resp = MHD_create_response_from_buffer(
        len, (void *)body, persistent ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
    if (!resp) return MHD_NO;
    if (content_type) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (allow) MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
    if (ctx->route == ROUTE_GRAPHQL) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept");
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        const char *origin = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin");
        mm_http_cors_apply(resp, s->cfg.cors_origins, origin, 0, NULL);
    }
    if (atomic_load(&s->stopping)) MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    ctx->status = status;
    ctx->bytes = len;
    ctx->result = result;
    enum MHD_Result ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A transport-level error answered as a GraphQL-style JSON body. */
static enum MHD_Result send_error(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx,
                                  unsigned status, const char *msg, const char *allow) {
    size_t len;
    char *body = mm_http_error_json(msg, NULL, &len);
    mm_http_media media = ctx->media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON ? ctx->media : MM_HTTP_MEDIA_JSON;
    if (ctx->route == ROUTE_GRAPHQL) mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_REQUEST);
    enum MHD_Result ret = send_answer(s, conn, ctx, status, media_content_type(media), body, len, 0, allow,
                                      status >= 500 ? MM_HTTP_RESULT_SERVER_ERROR : MM_HTTP_RESULT_HTTP_ERROR);
    free(body);
    return ret;
}

static enum MHD_Result send_text(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx,
                                 unsigned status, const char *text) {
    return send_answer(s, conn, ctx, status, "text/plain; charset=utf-8", text, strlen(text), 1, NULL,
                       status < 400 ? MM_HTTP_RESULT_OK : MM_HTTP_RESULT_HTTP_ERROR);
}

static enum MHD_Result handle_readyz(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
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
                      : json_pack("{s:s,s:s}", "status", "not ready", "reason", reason[0] ? reason : "not ready");
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text) return send_text(s, conn, ctx, 500, "out of memory\n");
    enum MHD_Result ret = send_answer(s, conn, ctx, ready ? 200 : 503, "application/json; charset=utf-8", text,
                                      strlen(text), 0, NULL, ready ? MM_HTTP_RESULT_OK : MM_HTTP_RESULT_SERVER_ERROR);
    free(text);
    return ret;
}

static enum MHD_Result handle_metrics(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    size_t len = 0;
    char *text = mm_http_metrics_render(&s->metrics, &len);
    if (!text) return send_text(s, conn, ctx, 500, "out of memory\n");
    enum MHD_Result ret = send_answer(s, conn, ctx, 200, "text/plain; version=0.0.4; charset=utf-8", text, len,
                                      0, NULL, MM_HTTP_RESULT_OK);
    free(text);
    return ret;
}

static enum MHD_Result handle_graphiql_page(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    return send_answer(s, conn, ctx, 200, "text/html; charset=utf-8", s->graphiql.page, s->graphiql.page_len, 1,
                       NULL, MM_HTTP_RESULT_OK);
}

static enum MHD_Result handle_asset(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx,
                                    const char *url) {
    const mm_graphiql_asset *a = mm_graphiql_find(&s->graphiql, url + strlen("/graphiql/"));
    if (!a) return send_text(s, conn, ctx, 404, "not found\n");
    struct MHD_Response *resp = MHD_create_response_from_buffer(a->len, a->data, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "public, max-age=86400");
    ctx->status = 200;
    ctx->bytes = a->len;
    ctx->result = MM_HTTP_RESULT_OK;
    enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Collects the URL query parameters for GET parsing. */
typedef struct params {
    mm_http_param items[64];
    size_t count;
    int overflow;
} params;

static enum MHD_Result collect_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value) {
    (void)kind;
    params *p = cls;
    if (p->count == sizeof p->items / sizeof p->items[0]) {
        p->overflow = 1;
        return MHD_NO;
    }
    p->items[p->count].key = key;
    p->items[p->count].value = value;
    p->count++;
    return MHD_YES;
}

static enum MHD_Result answer_from_responder(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    mm_http_responder *r = ctx->r;
    pthread_mutex_lock(&r->lock);
    unsigned status = r->status;
    mm_http_result result = r->result;
    char *body = r->body;
    size_t len = r->body_len;
    pthread_mutex_unlock(&r->lock);
    /* body is immutable once answered and lives until on_completed drops ctx's
     * reference, after the response was sent: no copy needed. */
    return send_answer(s, conn, ctx, status, media_content_type(r->req.media), body, len, 1,
                       status == 405 ? "POST" : NULL, result);
}

/* After the handler (or a continuation) returned on this worker: answer,
 * run the continuation asked for meanwhile, or suspend until either. */
static enum MHD_Result settle(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    for (;;) {
        mm_http_continue_fn fn = NULL;
        void *arg = NULL;
        switch (mm_http_responder_settle(ctx->r, &fn, &arg)) {
        case MM_SETTLE_ANSWERED: return answer_from_responder(s, conn, ctx);
        case MM_SETTLE_SUSPENDED: return MHD_YES; /* resumed later by an answer or a continuation */
        case MM_SETTLE_CONTINUE: fn(arg, ctx->r); break;
        }
    }
}

/* The whole request is here: parse it and hand it to the engine. */
static enum MHD_Result dispatch_graphql(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    if (ctx->too_large) return send_error(s, conn, ctx, 413, "the request body is too large", NULL);
    params p = {.count = 0, .overflow = 0};
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, collect_param, &p);
    if (p.overflow) return send_error(s, conn, ctx, 400, "too many URL parameters", NULL);
    mm_http_raw_request raw = {
        .method = ctx->method_name,
        .content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE),
        .body = ctx->body,
        .body_len = ctx->body_len,
        .params = p.items,
        .param_count = p.count,
    };
    mm_http_graphql_request req;
    char err[256];
    int status = mm_http_request_parse(&raw, &req, err, sizeof err);
    free(ctx->body); /* parsed or rejected: the raw bytes are no longer needed */
    ctx->body = NULL;
    ctx->body_len = ctx->body_cap = 0;
    if (status) return send_error(s, conn, ctx, (unsigned)status, err, status == 405 ? "GET, POST" : NULL);
    req.media = ctx->media;
    mm_http_responder *r = mm_http_responder_new(s, conn, &req, ctx->remote);
    if (!r) {
        mm_http_graphql_request_clear(&req);
        return send_error(s, conn, ctx, 500, "out of memory", NULL);
    }
    ctx->r = r;
    s->handler(s->ud, &r->req, r);
    return settle(s, conn, ctx);
}

/* First call for a GraphQL request: everything decidable from the headers. */
static enum MHD_Result start_graphql(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx) {
    int cors = s->cfg.cors_origins && *s->cfg.cors_origins;
    const char *allow = cors ? "GET, POST, OPTIONS" : "GET, POST";
    if (ctx->method == MM_HTTP_METHOD_OPTIONS && cors) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!resp) return MHD_NO;
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, allow);
        mm_http_cors_apply(resp, s->cfg.cors_origins, MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Origin"), 1,
                           MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Access-Control-Request-Headers"));
        ctx->status = 204;
        ctx->result = MM_HTTP_RESULT_OK;
        enum MHD_Result ret = MHD_queue_response(conn, 204, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    if (ctx->method != MM_HTTP_METHOD_GET && ctx->method != MM_HTTP_METHOD_POST)
        return send_error(s, conn, ctx, 405, "only GET and POST are allowed here", allow);
    const char *accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
    ctx->media = mm_http_negotiate(accept, ctx->method == MM_HTTP_METHOD_GET && !s->cfg.disable_graphiql);
    if (ctx->media == MM_HTTP_MEDIA_HTML) return handle_graphiql_page(s, conn, ctx);
    if (ctx->media == MM_HTTP_MEDIA_NONE)
        return send_error(s, conn, ctx, 406,
                          "none of the Accept media types is supported; use application/graphql-response+json "
                          "or application/json",
                          NULL);
    if (ctx->method == MM_HTTP_METHOD_POST) {
        const char *ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
        if (!mm_http_content_type_ok(ct))
            return send_error(s, conn, ctx, 415,
                              ct ? "unsupported Content-Type; use application/json (UTF-8)"
                                 : "a POST request needs Content-Type: application/json",
                              NULL);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl) {
            char *end = NULL;
            unsigned long long n = strtoull(cl, &end, 10);
            if (end != cl && n > s->cfg.max_body_bytes)
                return send_error(s, conn, ctx, 413, "the request body is too large", NULL);
        }
    }
    return MHD_YES; /* wait for the body (or, for GET, the final call) */
}

static enum MHD_Result on_body(mm_http_server *s, conn_ctx *ctx, const char *data, size_t *size) {
    size_t n = *size;
    *size = 0;
    /* Every byte resets libmicrohttpd's idle timer, so a client trickling its
     * body could hold the connection for ever: bound the whole upload too. */
    if (mm_http_now_ns() - ctx->start_ns > 2ull * s->cfg.connection_timeout_s * 1000000000ull) {
        mm_log_warn("msg=\"http: request body too slow; closing\" remote=%s", ctx->remote[0] ? ctx->remote : "-");
        return MHD_NO;
    }
    if (ctx->too_large || ctx->route != ROUTE_GRAPHQL) {
        /* Chunked uploads have no length up front: drain a little, then hang up. */
        ctx->discarded += n;
        return ctx->discarded > 4 * s->cfg.max_body_bytes + 65536 ? MHD_NO : MHD_YES;
    }
    if (ctx->body_len + n > s->cfg.max_body_bytes) {
        ctx->too_large = 1;
        free(ctx->body);
        ctx->body = NULL;
        ctx->body_len = ctx->body_cap = 0;
        ctx->discarded = n;
        return MHD_YES;
    }
    if (ctx->body_len + n > ctx->body_cap) {
        size_t cap = ctx->body_cap ? ctx->body_cap : 1024;
        while (cap < ctx->body_len + n) cap *= 2;
        if (cap > s->cfg.max_body_bytes) cap = s->cfg.max_body_bytes;
        char *nb = realloc(ctx->body, cap);
        if (!nb) return MHD_NO;
        ctx->body = nb;
        ctx->body_cap = cap;
    }
    memcpy(ctx->body + ctx->body_len, data, n);
    ctx->body_len += n;
    return MHD_YES;
}

/* The configured extra page at exactly url, or NULL. */
static const mm_http_page *find_page(const mm_http_server *s, const char *url) {
    for (size_t i = 0; i < s->cfg.page_count; i++)
        if (strcmp(s->cfg.pages[i].path, url) == 0) return &s->cfg.pages[i];
    return NULL;
}

static enum MHD_Result handle_page(mm_http_server *s, struct MHD_Connection *conn, conn_ctx *ctx,
                                   const char *url) {
    const mm_http_page *p = find_page(s, url);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(p->body_len, (void *)p->body, MHD_RESPMEM_PERSISTENT);
    if (!resp) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, p->content_type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
    ctx->status = 200;
    ctx->bytes = p->body_len;
    ctx->result = MM_HTTP_RESULT_OK;
    enum MHD_Result ret = MHD_queue_response(conn, 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum route route_for(const mm_http_server *s, const char *url) {
    if (strcmp(url, s->cfg.graphql_path) == 0) return ROUTE_GRAPHQL;
    if (strcmp(url, "/healthz") == 0) return ROUTE_HEALTHZ;
    if (strcmp(url, "/readyz") == 0) return ROUTE_READYZ;
    if (strcmp(url, "/metrics") == 0) return ROUTE_METRICS;
    if (strncmp(url, "/graphiql/", 10) == 0) return ROUTE_ASSET;
    if (find_page(s, url)) return ROUTE_PAGE;
    return ROUTE_NOT_FOUND;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_size,
                                 void **con_cls) {
    (void)version;
    mm_http_server *s = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = calloc(1, sizeof *ctx);
        if (!ctx) return MHD_NO;
        *con_cls = ctx;
        ctx->start_ns = mm_http_now_ns();
        ctx->method = mm_http_method_index(method);
        snprintf(ctx->method_name, sizeof ctx->method_name, "%s", method);
        ctx->path = strdup(url);
        ctx->route = route_for(s, url);
        format_remote(conn, ctx->remote, sizeof ctx->remote);
        atomic_fetch_add(&s->metrics.in_flight, 1);
        pthread_mutex_lock(&s->flight_lock);
        s->flight++;
        pthread_mutex_unlock(&s->flight_lock);
        switch (ctx->route) {
        case ROUTE_GRAPHQL: return start_graphql(s, conn, ctx);
        case ROUTE_NOT_FOUND: return send_text(s, conn, ctx, 404, "not found\n");
        default:
            if (ctx->method != MM_HTTP_METHOD_GET && strcmp(method, "HEAD") != 0)
                return send_answer(s, conn, ctx, 405, "text/plain; charset=utf-8", "method not allowed\n", 19, 1,
                                   "GET, HEAD", MM_HTTP_RESULT_HTTP_ERROR);
            if (ctx->route == ROUTE_HEALTHZ) return send_text(s, conn, ctx, 200, "ok\n");
            if (ctx->route == ROUTE_READYZ) return handle_readyz(s, conn, ctx);
            if (ctx->route == ROUTE_METRICS) return handle_metrics(s, conn, ctx);
            if (ctx->route == ROUTE_PAGE) return handle_page(s, conn, ctx, url);
            return handle_asset(s, conn, ctx, url);
        }
    }
    if (*upload_size) return on_body(s, ctx, upload_data, upload_size);
    if (ctx->r) return settle(s, conn, ctx); /* resumed: an answer or a continuation is there */
    if (ctx->route == ROUTE_GRAPHQL) return dispatch_graphql(s, conn, ctx);
    return MHD_NO; /* not reached: other routes answer on the first call */
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)conn;
    mm_http_server *s = cls;
    conn_ctx *ctx = *con_cls;
    if (!ctx) return;
    *con_cls = NULL;
    uint64_t dur_us = (mm_http_now_ns() - ctx->start_ns) / 1000u;
    unsigned status = ctx->status;
    if (!status) {
        /* Closed before an answer was queued (client went away, timeout, error). */
        status = toe == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499;
        ctx->result = MM_HTTP_RESULT_HTTP_ERROR;
    }
    mm_http_metrics_observe(&s->metrics, ctx->method, status, ctx->result, dur_us);
    if (!s->cfg.disable_access_log)
        mm_http_access_log(ctx->method_name, ctx->path, status, ctx->bytes, dur_us, ctx->remote);
    if (ctx->r) mm_http_responder_abandon(ctx->r); /* runs a continuation the stop cut off */
    mm_http_responder_release(ctx->r);
    free(ctx->body);
    free(ctx->path);
    free(ctx);
    atomic_fetch_sub(&s->metrics.in_flight, 1);
    pthread_mutex_lock(&s->flight_lock);
    s->flight--;
    if (s->flight == 0) pthread_cond_broadcast(&s->flight_cond);
    pthread_mutex_unlock(&s->flight_lock);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void on_mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    for (char *c = msg; *c; c++)
        if (*c == '"') *c = '\'';
    mm_log_debug("msg=\"libmicrohttpd: %s\"", msg);
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
        if (!path || path[0] != '/' || !s->cfg.graphql_path || strcmp(path, s->cfg.graphql_path) == 0 ||
            strcmp(path, "/healthz") == 0 || strcmp(path, "/readyz") == 0 || strcmp(path, "/metrics") == 0 || strncmp(path, "/graphiql/", 10) == 0 ||
            (!in[i].body && in[i].body_len)) {
            mm_log_error("msg=\"http server: page path is missing, not absolute or taken by a built-in route\" "
                         "path=\"%s\"", path ? path : "");
            free_pages(out, i);
            return MM_EINVAL;
        }
        out[i].path = strdup(path);
        out[i].content_type = strdup(in[i].content_type ? in[i].content_type : "application/octet-stream");
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

mm_http_server *mm_http_server_new(const mm_http_config *cfg, mm_http_graphql_fn handler, void *ud) {
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
    if (!s->cfg.graphql_path || s->cfg.graphql_path[0] != '/') s->cfg.graphql_path = def.graphql_path;
    if (!s->cfg.threads) s->cfg.threads = def.threads;
    if (!s->cfg.max_body_bytes) s->cfg.max_body_bytes = def.max_body_bytes;
    if (!s->cfg.max_header_bytes) s->cfg.max_header_bytes = def.max_header_bytes;
    if (s->cfg.max_header_bytes < 4096) s->cfg.max_header_bytes = 4096;
    if (!s->cfg.max_connections) s->cfg.max_connections = def.max_connections;
    if (!s->cfg.connection_timeout_s) s->cfg.connection_timeout_s = def.connection_timeout_s;
    if (!s->cfg.request_timeout_ms) s->cfg.request_timeout_ms = def.request_timeout_ms;
    s->cfg.host = dup_or_null(s->cfg.host);
    s->cfg.graphql_path = dup_or_null(s->cfg.graphql_path);
    s->cfg.cors_origins = dup_or_null(s->cfg.cors_origins);
    s->cfg.graphiql_dir = dup_or_null(s->cfg.graphiql_dir);
    if (copy_pages(s) != 0) {
        mm_http_server_free(s);
        return NULL;
    }
    s->handler = handler;
    s->ud = ud;
    s->quiesced_fd = MHD_INVALID_SOCKET;
    pthread_mutex_init(&s->wait_lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->wait_cond, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&s->flight_lock, NULL);
    pthread_cond_init(&s->flight_cond, NULL);
    if (cfg->log_level >= MM_LOG_ERROR && cfg->log_level <= MM_LOG_DEBUG) mm_log_set_level((mm_log_level)cfg->log_level);
    if (!s->cfg.host || !s->cfg.graphql_path ||
        (!s->cfg.disable_graphiql && mm_graphiql_init(&s->graphiql, s->cfg.graphiql_dir, s->cfg.graphql_path) != 0)) {
        mm_http_server_free(s);
        return NULL;
    }
    return s;
}

/* Resolves host:port into a socket address (numeric or a name). */
static int resolve(const char *host, uint16_t port, struct sockaddr_storage *ss, socklen_t *sslen) {
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%u", port);
    if (getaddrinfo(host, portstr, &hints, &res) != 0 || !res) return MM_EINVAL;
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int mm_http_server_start(mm_http_server *s) {
    if (!s || s->started) return MM_EINVAL;
    struct sockaddr_storage ss;
    socklen_t sslen;
    if (resolve(s->cfg.host, s->cfg.port, &ss, &sslen) != 0) {
        mm_log_error("msg=\"http server: cannot resolve listen address\" host=\"%s\"", s->cfg.host);
        return MM_EINVAL;
    }
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    if (mm_http_reaper_start(s) != 0) return MM_ENOMEM;
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_SOCK_ADDR, 0, &ss},
        {MHD_OPTION_CONNECTION_LIMIT, s->cfg.max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.connection_timeout_s, NULL},
        {MHD_OPTION_CONNECTION_MEMORY_LIMIT, (intptr_t)s->cfg.max_header_bytes, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)on_mhd_log, NULL},
        {MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads > 1 ? s->cfg.threads : 0, NULL},
        {MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->cfg.max_connections_per_ip, NULL},
        {MHD_OPTION_END, 0, NULL},
    };
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_access, s, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!s->daemon) {
        mm_http_reaper_stop(s);
        mm_log_error("msg=\"http server: cannot listen\" host=\"%s\" port=%u", s->cfg.host, s->cfg.port);
        return MM_EIO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : s->cfg.port;
    s->started = 1;
    mm_log_info("msg=\"http server listening\" host=%s port=%u graphql_path=%s threads=%u graphiql=%s", s->cfg.host,
                s->port, s->cfg.graphql_path, s->cfg.threads,
                s->cfg.disable_graphiql ? "off" : (s->graphiql.local ? "local" : "cdn"));
    return 0;
}

uint16_t mm_http_server_port(const mm_http_server *s) { return s && s->started ? s->port : 0; }

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

int mm_http_server_stop(mm_http_server *s, unsigned deadline_ms) {
    if (!s || !s->started || s->stopped) return 0;
    s->stopped = 1;
    atomic_store(&s->stopping, 1);
    s->quiesced_fd = MHD_quiesce_daemon(s->daemon); /* no new connections */
    uint64_t start = mm_http_now_ns();
    int idle = wait_idle(s, start + (uint64_t)deadline_ms * 1000000ull);
    if (!idle) {
        long left;
        pthread_mutex_lock(&s->flight_lock);
        left = s->flight;
        pthread_mutex_unlock(&s->flight_lock);
        mm_log_warn("msg=\"http server: stop deadline passed; answering waiting requests\" in_flight=%ld", left);
    }
    /* Whatever still waits gets a shutdown error; then let those answers go out. */
    mm_http_responder_cancel_all(s);
    wait_idle(s, mm_http_now_ns() + 2000000000ull);
    /* The reaper goes first: once it is joined nothing resumes a connection,
     * and no connection is still suspended (MHD_stop_daemon requires that). */
    mm_http_reaper_stop(s);
    MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
    if (s->quiesced_fd != MHD_INVALID_SOCKET) close(s->quiesced_fd);
    s->quiesced_fd = MHD_INVALID_SOCKET;
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
    pthread_mutex_destroy(&s->wait_lock);
    pthread_cond_destroy(&s->wait_cond);
    pthread_mutex_destroy(&s->flight_lock);
    pthread_cond_destroy(&s->flight_cond);
    free(s);
}
