/* sse_single.c -- the requests of graphql-sse's single connection mode
 * (PROTOCOL.md of graphql-sse): PUT makes a reservation, a GET with its
 * token opens the one event stream, a GET/POST with the token and an
 * operation (extensions.operationId) starts that operation on the stream,
 * DELETE with the token and ?operationId= stops it.
 *
 * The hand-off between I/O threads. The reservation is in the registry
 * shared by every loop (sse_tokens.h: one mutex, short sections). The
 * stream lives on the loop that accepted its connection (M); an operation
 * or a DELETE may arrive on any loop (K). K looks the token up (which loop
 * holds its stream), then posts the work to M (mm_http_server_post); on M
 * the token is looked up again, which yields the stream only if it still
 * lives there (streams detach on their own loop before they are freed, so
 * the pointer is valid while the posted function runs). An operation
 * request waits for M's verdict as any waiting GraphQL request does (its
 * responder, answered from M, is resumed on K): 202 when the operation
 * started, 404/409/429 when M refused it. A DELETE is answered 200 on K as
 * soon as its work is posted (graphql-sse's own server answers 200 whether
 * or not the operation still runs). Operations of one client are ordered
 * by the client itself: it sends DELETE only after its POST got 202, which
 * M sends after starting the operation.
 *
 * Everything here runs on an I/O thread and never blocks: the registry's
 * mutex is the only lock. */
#include "http/http_internal.h"
#include "http/sse_tokens.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metamorphosis.h"

/* An operationId longer than this is refused (400): it is repeated in
 * every message of the operation. */
#define MAX_OPERATION_ID 256

/* The value of query parameter `name` in c's raw query (not decoded: a
 * token or an id that needs decoding is not ours), or NULL. */
static const char *query_param(const mm_http_conn *c, const char *name, size_t *len) {
    size_t nl = strlen(name);
    const char *q = c->query, *end = q ? q + c->query_len : NULL;
    while (q && q < end) {
        const char *amp = memchr(q, '&', (size_t)(end - q));
        const char *stop = amp ? amp : end;
        if ((size_t)(stop - q) > nl && memcmp(q, name, nl) == 0 && q[nl] == '=') {
            *len = (size_t)(stop - q - (ptrdiff_t)nl - 1);
            return q + nl + 1;
        }
        q = amp ? amp + 1 : end;
    }
    return NULL;
}

static int hexval(char ch) {
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Percent-decodes the parameter into a malloc'd string (an operation id
 * may be any text), or NULL (absent, or out of memory: *oom). */
static char *param_decoded(const mm_http_conn *c, const char *name, int *oom) {
    size_t len;
    const char *v = query_param(c, name, &len);
    *oom = 0;
    if (!v) return NULL;
    char *out = malloc(len + 1);
    if (!out) {
        *oom = 1;
        return NULL;
    }
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        int hi = i + 2 < len ? hexval(v[i + 1]) : -1, lo = hi >= 0 ? hexval(v[i + 2]) : -1;
        if (v[i] == '%' && hi >= 0 && lo >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = v[i] == '+' ? ' ' : v[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* The client's address without its port (the per-client bound's key). */
static void remote_host(const char *remote, char *out, size_t size) {
    const char *colon = strrchr(remote, ':');
    size_t n = colon ? (size_t)(colon - remote) : strlen(remote);
    if (n >= size) n = size - 1;
    memcpy(out, remote, n);
    out[n] = '\0';
}

static void reply_json(mm_http_conn *c, unsigned status, const char *msg, const char *code) {
    size_t len;
    char *body = msg ? mm_http_error_json(msg, code, &len) : NULL;
    mm_http_conn_reply(c, status, "application/json; charset=utf-8", body ? body : "",
                       body ? len : 0, body != NULL, NULL, NULL,
                       status < 400   ? MM_HTTP_RESULT_OK
                       : status < 500 ? MM_HTTP_RESULT_HTTP_ERROR
                                      : MM_HTTP_RESULT_SERVER_ERROR);
}

static void refuse(mm_http_conn *c, unsigned status, mm_http_refusal kind, const char *msg) {
    mm_http_refusal_log(c->io->server, kind, c->remote, msg);
    reply_json(c, status, msg, NULL);
}

/* ---- PUT: a reservation ---- */

static void reserve(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    char host[64], token[MM_SSE_TOKEN_LEN + 1];
    remote_host(c->remote, host, sizeof host);
    int rc = mm_sse_tokens_reserve(s->sse_tokens, host, mm_http_now_ns(), token);
    if (rc == MM_ELIMIT) {
        refuse(c, 503, MM_HTTP_REFUSE_SSE_FULL, "too many event stream reservations; try later");
        return;
    }
    if (rc == MM_EAUTH) {
        refuse(c, 429, MM_HTTP_REFUSE_SSE_PER_IP,
               "too many event stream reservations from this client");
        return;
    }
    if (rc != 0) {
        reply_json(c, 500, "could not make a reservation", NULL);
        return;
    }
    char *body = strdup(token);
    if (!body) {
        reply_json(c, 500, "out of memory", NULL);
        return;
    }
    mm_http_conn_reply(c, 201, "text/plain; charset=utf-8", body, MM_SSE_TOKEN_LEN, 1, NULL, NULL,
                       MM_HTTP_RESULT_OK);
}

/* ---- DELETE: stop an operation ---- */

typedef struct stop_job {
    mm_http_server *s;
    unsigned loop;
    char *id;
    char token[MM_SSE_TOKEN_LEN + 1];
} stop_job;

/* On the stream's loop. */
static void run_stop(void *ud) {
    stop_job *j = ud;
    mm_http_stream *st =
        mm_sse_tokens_stream_on(j->s->sse_tokens, j->token, MM_SSE_TOKEN_LEN, j->loop);
    if (st) mm_http_stream_sse1_stop(st, j->id);
    free(j->id);
    free(j);
}

static void stop_operation(mm_http_conn *c, const char *token, size_t tlen) {
    mm_http_server *s = c->io->server;
    int oom;
    char *id = param_decoded(c, "operationId", &oom);
    unsigned loop;
    if (oom) {
        reply_json(c, 500, "out of memory", NULL);
        return;
    }
    if (!id || !*id) {
        free(id);
        refuse(c, 400, MM_HTTP_REFUSE_SSE_TOKEN, "Operation ID is missing");
        return;
    }
    int rc = mm_sse_tokens_find(s->sse_tokens, token, tlen, mm_http_now_ns(), &loop);
    if (rc == MM_ENOTFOUND) {
        free(id);
        refuse(c, 404, MM_HTTP_REFUSE_SSE_TOKEN, "Stream not found");
        return;
    }
    if (rc == 0) { /* a reservation without a stream has no operations: nothing to stop */
        stop_job *j = calloc(1, sizeof *j);
        if (!j) {
            free(id);
            reply_json(c, 500, "out of memory", NULL);
            return;
        }
        j->s = s;
        j->loop = loop;
        j->id = id;
        memcpy(j->token, token, MM_SSE_TOKEN_LEN);
        if (mm_http_server_post(s, loop, run_stop, j) != 0) {
            free(j->id);
            free(j);
            reply_json(c, 503, "the server is busy or stopping", NULL);
            return;
        }
    } else {
        free(id);
    }
    reply_json(c, 200, NULL, NULL);
}

/* ---- routing ---- */

/* 1 when the Accept header names text/event-stream. */
static int wants_event_stream(const mm_http_conn *c) {
    size_t al;
    const char *a = mm_http_conn_header(c, "Accept", &al);
    for (size_t i = 0; a && i + 17 <= al; i++)
        if (strncasecmp(a + i, "text/event-stream", 17) == 0) return 1;
    return 0;
}

int mm_http_sse1_route(mm_http_conn *c) {
    size_t tlen = 0;
    const char *token = mm_http_conn_header(c, "X-GraphQL-Event-Stream-Token", &tlen);
    if (!token) token = query_param(c, "token", &tlen);
    int put = strcmp(c->method_name, "PUT") == 0, del = strcmp(c->method_name, "DELETE") == 0;
    if (put) {
        reserve(c); /* a token the client sends with PUT is not looked at */
        return 1;
    }
    if (del) {
        if (!token)
            refuse(c, 404, MM_HTTP_REFUSE_SSE_TOKEN, "Stream not found");
        else
            stop_operation(c, token, tlen);
        return 1;
    }
    if (!token || (c->method != MM_HTTP_METHOD_GET && c->method != MM_HTTP_METHOD_POST)) return 0;
    if (wants_event_stream(c)) {
        if (c->method != MM_HTTP_METHOD_GET) {
            reply_json(c, 405, "open a reservation's event stream with GET", NULL);
            return 1;
        }
        int rc = mm_http_stream_start_sse1(c, token, tlen);
        if (rc == MM_ENOTFOUND)
            refuse(c, 404, MM_HTTP_REFUSE_SSE_TOKEN, "Stream not found");
        else if (rc == MM_EEXIST)
            refuse(c, 409, MM_HTTP_REFUSE_SSE_TOKEN, "Stream already open");
        else if (rc != 0)
            reply_json(c, 500, "out of memory", NULL);
        return 1;
    }
    c->sse_token = strndup(token, tlen < 64 ? tlen : 64); /* longer ones are unknown anyway */
    if (!c->sse_token) {
        reply_json(c, 500, "out of memory", NULL);
        return 1;
    }
    return 0;
}

/* ---- an operation on the stream ---- */

typedef struct op_job {
    mm_http_server *s;
    mm_http_responder *r; /* the handler's reference, given back by the answer */
    unsigned loop;
    char *id;
    char token[MM_SSE_TOKEN_LEN + 1];
} op_job;

static void answer(mm_http_responder *r, unsigned status, const char *msg, const char *code) {
    size_t len = 0;
    char *body = msg ? mm_http_error_json(msg, code, &len) : NULL;
    mm_http_respond_status(r, status, body, len);
}

/* On the stream's loop: start the operation, then answer the request. */
static void run_operation(void *ud) {
    op_job *j = ud;
    mm_http_stream *st =
        mm_sse_tokens_stream_on(j->s->sse_tokens, j->token, MM_SSE_TOKEN_LEN, j->loop);
    if (!st) {
        answer(j->r, 404, "Stream not found", NULL);
    } else if (mm_http_responder_cancelled(j->r)) {
        answer(j->r, 499, NULL, NULL); /* the client left or the deadline passed: dropped */
    } else {
        int rc = mm_http_stream_sse1_subscribe(st, j->id, mm_http_responder_request(j->r));
        if (rc == 0)
            answer(j->r, 202, NULL, NULL);
        else if (rc == MM_EEXIST)
            answer(j->r, 409, "Operation with ID already exists", NULL);
        else if (rc == MM_ELIMIT)
            answer(j->r, 429, "too many operations on this stream", "TOO_MANY_SUBSCRIPTIONS");
        else if (rc == MM_EIO)
            answer(j->r, 404, "Stream not found", NULL);
        else
            answer(j->r, 500, "out of memory", NULL);
    }
    free(j->id);
    free(j);
}

void mm_http_sse1_operation(mm_http_conn *c, mm_http_graphql_request *req) {
    mm_http_server *s = c->io->server;
    json_t *idj = req->extensions ? json_object_get(req->extensions, "operationId") : NULL;
    const char *id = json_string_value(idj);
    size_t tlen = strlen(c->sse_token);
    unsigned loop;
    const char *why = NULL;
    unsigned status = 0;
    if (!id || !*id) {
        status = 400, why = "Operation ID is missing";
    } else if (strlen(id) > MAX_OPERATION_ID) {
        status = 400, why = "the operationId is too long (over 256 bytes)";
    } else {
        int rc = mm_sse_tokens_find(s->sse_tokens, c->sse_token, tlen, mm_http_now_ns(), &loop);
        if (rc == MM_ENOTFOUND)
            status = 404, why = "Stream not found";
        else if (rc != 0)
            status = 409, why = "the reservation has no event stream yet; open it first";
    }
    if (status) {
        mm_http_graphql_request_clear(req);
        refuse(c, status, MM_HTTP_REFUSE_SSE_TOKEN, why);
        return;
    }
    op_job *j = calloc(1, sizeof *j);
    char *idcopy = j ? strdup(id) : NULL;
    mm_http_responder *r = idcopy ? mm_http_responder_new(s, c, c->io, req, c->remote) : NULL;
    if (!r) {
        free(idcopy);
        free(j);
        mm_http_graphql_request_clear(req);
        reply_json(c, 500, "out of memory", NULL);
        return;
    }
    c->r = r;
    j->s = s;
    j->r = r;
    j->loop = loop;
    j->id = idcopy;
    memcpy(j->token, c->sse_token, MM_SSE_TOKEN_LEN);
    if (mm_http_server_post(s, loop, run_operation, j) != 0) {
        free(j->id);
        free(j);
        answer(r, 503, "the server is busy or stopping", NULL);
    }
    /* The connection waits for the answer (conn.c's settle_after_dispatch). */
}
