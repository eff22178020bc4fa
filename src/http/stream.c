/* stream.c -- GraphQL subscriptions' transports on a client connection:
 * GraphQL over Server-Sent Events (graphql-sse: distinct connections mode,
 * and the event stream of single connection mode, whose reservations and
 * operation requests are sse_single.c's) and GraphQL over WebSocket
 * (graphql-ws's graphql-transport-ws subprotocol, RFC 6455 framing from
 * websocket.c).
 *
 * A stream owns its connection (phase STREAM) from the answer to the
 * request until the connection closes. It runs on the connection's loop
 * thread only. What it sends is copied into write requests; the bytes not
 * yet taken by the kernel are counted, and past the configured limit the
 * client is too slow: it gets an error and the connection is closed. Hooks
 * (http_server.h) are called only from the stream's own events (bytes read,
 * the timer, close, server stop), never from inside an mm_http_stream_*
 * call, so the subscription layer can walk its lists while it sends. */
#include "http/http_internal.h"
#include "http/persisted_queries.h"
#include "http/sse_tokens.h"
#include "http/websocket.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metamorphosis.h"

enum {
    KIND_SSE = 1, /* distinct connections: one operation, id "" */
    KIND_WS = 2,
    KIND_SSE1 = 3 /* single connection: operations by id, messages carry it */
};

typedef struct op {
    struct op *next;
    void *data;
    char id[];
} op;

struct mm_http_stream {
    mm_http_conn *c;
    mm_http_server *s;
    int kind;
    size_t queued; /* bytes handed to uv_write and not yet written */
    int dying;     /* closing: nothing more is sent; the timer closes it */
    int acked;     /* WebSocket: connection_ack sent */
    int init_seen;
    uint64_t init_deadline_ns;
    op *ops;
    size_t op_count;
    /* WebSocket message assembly (fragmentation). */
    int msg_opcode; /* 0: no fragmented message in progress */
    char *msg;
    size_t msg_len, msg_cap;
    char *token; /* KIND_SSE1: the reservation it fulfils (detached when freed) */
    /* trace: KIND_WS: the context the upgrade request carried (its
     * traceparent), the parent of every operation's span; NULL: none */
    mm_trace_ctx *upgrade_trace;
};

typedef struct wreq {
    uv_write_t w;
    size_t n;
    char data[];
} wreq;

static const mm_http_stream_hooks *hooks(const mm_http_stream *st) { return &st->s->stream_hooks; }

unsigned mm_http_stream_loop(const mm_http_stream *st) { return st->c->io->index; }
const char *mm_http_stream_kind(const mm_http_stream *st) {
    return st->kind == KIND_WS ? "ws" : st->kind == KIND_SSE1 ? "sse1" : "sse";
}
const char *mm_http_stream_remote(const mm_http_stream *st) { return st->c->remote; }

size_t mm_http_stream_buffer_limit(const mm_http_conn *c) {
    const mm_http_stream_hooks *h = &c->io->server->stream_hooks;
    return h->max_message_bytes + 16 + 16384;
}

/* ---- writing ---- */

static void on_write(uv_write_t *w, int status) {
    (void)status;
    wreq *r = (wreq *)w;
    mm_http_conn *c = w->handle->data; /* alive until its handles close, after this */
    if (c->stream) {
        assert(c->stream->queued >= r->n);
        c->stream->queued -= r->n;
    }
    free(r);
}

/* Sends the parts as one write (one copy, one system call); force ignores
 * the byte limit (the last words to a slow client). 0, MM_ELIMIT, MM_ENOMEM
 * or MM_EIO. */
static int putv(mm_http_stream *st, const uv_buf_t *parts, size_t count, int force) {
    if (st->dying) return MM_EIO;
    size_t n = 0;
    for (size_t i = 0; i < count; i++) n += parts[i].len;
    if (!force && st->queued + n > hooks(st)->max_queue_bytes) return MM_ELIMIT;
    /* Mostly the socket has room: write now, no copy and no write request
     * (libuv refuses while earlier writes are queued, so the order holds). */
    size_t skip = 0;
    int w = uv_try_write((uv_stream_t *)&st->c->tcp, parts, (unsigned)count);
    if (w > 0) skip = (size_t)w;
    if (skip == n) return 0;
    n -= skip;
    wreq *r = malloc(sizeof *r + n);
    if (!r) {
        if (!skip) return MM_ENOMEM;
        st->dying = 1; /* a torn message: the stream cannot go on; the timer closes it */
        mm_http_conn_arm(st->c, 0);
        return MM_EIO;
    }
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        size_t len = parts[i].len, off = 0;
        if (skip) {
            off = skip < len ? skip : len;
            skip -= off;
        }
        if (len > off) memcpy(r->data + at, parts[i].base + off, len - off);
        at += len - off;
    }
    assert(at == n);
    r->n = n;
    uv_buf_t buf = uv_buf_init(r->data, (unsigned)n);
    if (uv_write(&r->w, (uv_stream_t *)&st->c->tcp, &buf, 1, on_write) != 0) {
        free(r);
        return MM_EIO;
    }
    st->queued += n;
    return 0;
}

static uv_buf_t part(const char *p, size_t n) { return uv_buf_init((char *)p, (unsigned)n); }
#define LIT(s) part(s, sizeof s - 1) /* a string literal, without its NUL */

/* Sends a..b as one write. */
static int put(mm_http_stream *st, const char *a, size_t alen, const char *b, size_t blen,
               int force) {
    uv_buf_t parts[2] = {part(a, alen), part(b, blen)};
    return putv(st, parts, 2, force);
}

/* A WebSocket frame whose payload is the parts[1..count) (parts[0] is
 * filled with the frame header). */
static int ws_sendv(mm_http_stream *st, int opcode, uv_buf_t *parts, size_t count, int force) {
    size_t len = 0;
    for (size_t i = 1; i < count; i++) len += parts[i].len;
    unsigned char hdr[10];
    parts[0] = part((const char *)hdr, mm_ws_frame_header(hdr, opcode, len));
    return putv(st, parts, count, force);
}

/* A WebSocket frame with a payload of two parts. */
static int ws_send(mm_http_stream *st, int opcode, const char *a, size_t alen, const char *b,
                   size_t blen, int force) {
    uv_buf_t parts[3] = {{0}, part(a, alen), part(b, blen)};
    return ws_sendv(st, opcode, parts, 3, force);
}

static int ws_send_text(mm_http_stream *st, const char *text, int force) {
    return ws_send(st, MM_WS_OP_TEXT, text, strlen(text), NULL, 0, force);
}

static int ws_message(mm_http_stream *st, const char *id, const char *type, const char *payload,
                      size_t plen, int force);
static int sse1_message(mm_http_stream *st, const char *event, const char *id, const char *payload,
                        size_t plen, int force);

/* Frees the stream; the connection goes on closing. */
static void stream_free(mm_http_stream *st) {
    op *o = st->ops;
    while (o) {
        op *n = o->next;
        free(o);
        o = n;
    }
    free(st->msg);
    free(st->upgrade_trace);
    if (st->token) {
        mm_sse_tokens_detach(st->s->sse_tokens, st->token, st);
        free(st->token);
    }
    st->c->stream = NULL;
    free(st);
}

/* Ends every active operation from the client's side (hooks run). */
static void unsubscribe_all(mm_http_stream *st, int send_complete) {
    while (st->ops) {
        op *o = st->ops;
        st->ops = o->next;
        st->op_count--;
        if (send_complete && st->kind == KIND_WS && !st->dying)
            ws_message(st, o->id, "complete", NULL, 0, 1);
        if (send_complete && st->kind == KIND_SSE1 && !st->dying)
            sse1_message(st, "complete", o->id, NULL, 0, 1);
        if (hooks(st)->unsubscribe) hooks(st)->unsubscribe(hooks(st)->ud, st, o->id, o->data);
        free(o);
    }
}

/* Closes later, from the timer (never inside an mm_http_stream_* call). */
static void die_later(mm_http_stream *st) {
    st->dying = 1;
    mm_http_conn_arm(st->c, 0);
}

static void ws_close(mm_http_stream *st, unsigned code, const char *reason) {
    if (st->dying) return;
    char payload[128];
    payload[0] = (char)(code >> 8);
    payload[1] = (char)code;
    size_t rl = strlen(reason);
    if (rl > 120) rl = 120;
    memcpy(payload + 2, reason, rl);
    ws_send(st, MM_WS_OP_CLOSE, payload, 2 + rl, NULL, 0, 1);
    die_later(st);
}

/* ---- operations ---- */

static op *find_op(mm_http_stream *st, const char *id, op ***link) {
    for (op **p = &st->ops; *p; p = &(*p)->next)
        if (strcmp((*p)->id, id) == 0) {
            if (link) *link = p;
            return *p;
        }
    return NULL;
}

static void drop_op(mm_http_stream *st, const char *id) {
    op **link;
    op *o = find_op(st, id, &link);
    if (!o) return;
    *link = o->next;
    st->op_count--;
    free(o);
}

/* 1 when id can go between JSON quotes as it is. */
static int plain_id(const char *id) {
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        if (*p < 0x20 || *p == '"' || *p == '\\') return 0;
    return 1;
}

/* {"id":<id>,"type":"<type>"[,"payload":<payload>]} as one frame, one write. */
static int ws_message(mm_http_stream *st, const char *id, const char *type, const char *payload,
                      size_t plen, int force) {
    char *escaped = NULL;
    if (!plain_id(id)) { /* ids are the client's strings: anything may come */
        json_t *j = json_string(id);
        escaped = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        json_decref(j);
        if (!escaped) return MM_ENOMEM;
    }
    uv_buf_t parts[8];
    size_t n = 1; /* parts[0]: the frame header */
    if (escaped) {
        parts[n++] = part("{\"id\":", 6);
        parts[n++] = part(escaped, strlen(escaped));
        parts[n++] = part(",\"type\":\"", 9);
    } else {
        parts[n++] = part("{\"id\":\"", 7);
        parts[n++] = part(id, strlen(id));
        parts[n++] = part("\",\"type\":\"", 10);
    }
    parts[n++] = part(type, strlen(type));
    if (payload) {
        parts[n++] = part("\",\"payload\":", 12);
        parts[n++] = part(payload, plen);
        parts[n++] = part("}", 1);
    } else {
        parts[n++] = part("\"}", 2);
    }
    assert(n <= sizeof parts / sizeof *parts);
    int rc = ws_sendv(st, MM_WS_OP_TEXT, parts, n, force);
    free(escaped);
    return rc;
}

static const char sse_complete[] = "event: complete\ndata: \n\n";

/* Single connection mode: `event: <event>` with data {"id":<id>} or
 * {"id":<id>,"payload":<payload>}, as one write. */
static int sse1_message(mm_http_stream *st, const char *event, const char *id, const char *payload,
                        size_t plen, int force) {
    char *escaped = NULL;
    if (!plain_id(id)) {
        json_t *j = json_string(id);
        escaped = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        json_decref(j);
        if (!escaped) return MM_ENOMEM;
    }
    uv_buf_t parts[9];
    size_t n = 0;
    parts[n++] = LIT("event: ");
    parts[n++] = part(event, strlen(event));
    if (escaped) {
        parts[n++] = LIT("\ndata: {\"id\":");
        parts[n++] = part(escaped, strlen(escaped));
    } else {
        parts[n++] = LIT("\ndata: {\"id\":\"");
        parts[n++] = part(id, strlen(id));
        parts[n++] = LIT("\"");
    }
    if (payload) {
        parts[n++] = LIT(",\"payload\":");
        parts[n++] = part(payload, plen);
    }
    parts[n++] = LIT("}\n\n");
    assert(n <= sizeof parts / sizeof *parts);
    int rc = putv(st, parts, n, force);
    free(escaped);
    return rc;
}

/* Single connection mode: an operation's errors, as graphql-sse's own
 * server sends them on the stream: a `next` with {"errors":...}, then
 * `complete`. */
static void sse1_error(mm_http_stream *st, const char *id, const char *errors_json, size_t elen) {
    size_t plen = elen + 12;
    char *payload = malloc(plen + 1);
    if (payload) {
        memcpy(payload, "{\"errors\":", 10);
        memcpy(payload + 10, errors_json, elen);
        payload[10 + elen] = '}';
        payload[11 + elen] = '\0';
        sse1_message(st, "next", id, payload, 11 + elen, 1);
        free(payload);
    }
    sse1_message(st, "complete", id, NULL, 0, 1);
}

/* A slow client: tell it why and close. */
static void too_slow(mm_http_stream *st) {
    static const char msg[] =
        "[{\"message\":\"the client does not read its events fast enough; closing\","
        "\"extensions\":{\"code\":\"SLOW_CONSUMER\"}}]";
    mm_log_warn("msg=\"subscription client too slow; closing\" transport=%s remote=%s queued=%zu",
                mm_http_stream_kind(st), st->c->remote, st->queued);
    if (st->kind == KIND_WS) {
        for (op *o = st->ops; o; o = o->next)
            ws_message(st, o->id, "error", msg, sizeof msg - 1, 1);
        ws_close(st, 1008, "too slow");
    } else if (st->kind == KIND_SSE1) {
        for (op *o = st->ops; o; o = o->next) sse1_error(st, o->id, msg, sizeof msg - 1);
        die_later(st);
    } else {
        put(st, "event: next\ndata: {\"errors\":", 28, msg, sizeof msg - 1, 1);
        put(st, "}\n\n", 3, sse_complete, sizeof sse_complete - 1, 1);
        die_later(st);
    }
}

/* The parts of `next` for (id, json) over st's transport, into parts
 * (>= 8; parts[0] is the WebSocket frame header, in hdr); returns the count.
 * *escaped: a JSON-escaped id to free afterwards (NULL when none was
 * needed); count 0 when it could not be made. */
static size_t next_parts(const mm_http_stream *st, const char *id, const char *json, size_t len,
                         uv_buf_t *parts, unsigned char *hdr, char **escaped) {
    *escaped = NULL;
    if (st->kind == KIND_SSE) {
        parts[0] = part("event: next\ndata: ", 18);
        parts[1] = part(json, len);
        parts[2] = part("\n\n", 2);
        return 3;
    }
    if (st->kind == KIND_SSE1) {
        size_t n = 0;
        if (!plain_id(id)) {
            json_t *j = json_string(id);
            *escaped = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
            json_decref(j);
            if (!*escaped) return 0;
            parts[n++] = LIT("event: next\ndata: {\"id\":");
            parts[n++] = part(*escaped, strlen(*escaped));
            parts[n++] = LIT(",\"payload\":");
        } else {
            parts[n++] = LIT("event: next\ndata: {\"id\":\"");
            parts[n++] = part(id, strlen(id));
            parts[n++] = LIT("\",\"payload\":");
        }
        parts[n++] = part(json, len);
        parts[n++] = LIT("}\n\n");
        return n;
    }
    size_t n = 1;
    if (!plain_id(id)) {
        json_t *j = json_string(id);
        *escaped = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
        json_decref(j);
        if (!*escaped) return 0;
        parts[n++] = part("{\"id\":", 6);
        parts[n++] = part(*escaped, strlen(*escaped));
        parts[n++] = LIT(",\"type\":\"next\",\"payload\":");
    } else {
        parts[n++] = part("{\"id\":\"", 7);
        parts[n++] = part(id, strlen(id));
        parts[n++] = LIT("\",\"type\":\"next\",\"payload\":");
    }
    parts[n++] = part(json, len);
    parts[n++] = part("}", 1);
    size_t plen = 0;
    for (size_t i = 1; i < n; i++) plen += parts[i].len;
    parts[0] = part((const char *)hdr, mm_ws_frame_header(hdr, MM_WS_OP_TEXT, plen));
    return n;
}

/* What a refused next means for the stream (as mm_http_stream_next). */
static int next_outcome(mm_http_stream *st, int rc) {
    if (rc == MM_ELIMIT || rc == MM_ENOMEM) {
        too_slow(st);
        return MM_ELIMIT;
    }
    return rc;
}

/* Builds f for st's transport and id: 0 or MM_ENOMEM. */
static int frame_build(const mm_http_stream *st, const char *id, const char *json, size_t len,
                       mm_http_stream_frame *f) {
    uv_buf_t parts[8];
    unsigned char hdr[10];
    char *escaped;
    size_t n = next_parts(st, id, json, len, parts, hdr, &escaped);
    if (!n) return MM_ENOMEM;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += parts[i].len;
    f->buf = malloc(total);
    f->id = strdup(id);
    if (!f->buf || !f->id) {
        free(escaped);
        mm_http_stream_frame_clear(f);
        return MM_ENOMEM;
    }
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(f->buf + at, parts[i].base, parts[i].len);
        at += parts[i].len;
    }
    free(escaped);
    f->len = total;
    f->kind = st->kind;
    return 0;
}

int mm_http_stream_next(mm_http_stream *st, const char *id, const char *json, size_t len) {
    if (st->dying || !find_op(st, id, NULL)) return MM_ENOTFOUND;
    uv_buf_t parts[8];
    unsigned char hdr[10];
    char *escaped;
    size_t n = next_parts(st, id, json, len, parts, hdr, &escaped);
    int rc = n ? putv(st, parts, n, 0) : MM_ENOMEM;
    free(escaped);
    return next_outcome(st, rc);
}

int mm_http_stream_next_shared(mm_http_stream *st, const char *id, const char *json, size_t len,
                               mm_http_stream_frame *f) {
    if (!f->kind && frame_build(st, id, json, len, f) != 0) f->kind = -1; /* never again */
    if (f->kind != st->kind || strcmp(f->id, id) != 0)
        return mm_http_stream_next(st, id, json, len);
    if (st->dying || !find_op(st, id, NULL)) return MM_ENOTFOUND;
    uv_buf_t one = part(f->buf, f->len);
    return next_outcome(st, putv(st, &one, 1, 0));
}

void mm_http_stream_frame_clear(mm_http_stream_frame *f) {
    free(f->id);
    free(f->buf);
    *f = (mm_http_stream_frame){0};
}

int mm_http_stream_error(mm_http_stream *st, const char *id, const char *errors_json) {
    if (st->dying || !find_op(st, id, NULL)) return MM_ENOTFOUND;
    if (st->kind == KIND_SSE1) {
        char *copy = strdup(id); /* id may be the op's own */
        drop_op(st, id);
        if (!copy) return MM_ENOMEM;
        sse1_error(st, copy, errors_json, strlen(errors_json));
        free(copy);
        return 0;
    }
    drop_op(st, id);
    if (st->kind == KIND_WS)
        return ws_message(st, id, "error", errors_json, strlen(errors_json), 1);
    put(st, "event: next\ndata: {\"errors\":", 28, errors_json, strlen(errors_json), 1);
    put(st, "}\n\n", 3, sse_complete, sizeof sse_complete - 1, 1);
    die_later(st);
    return 0;
}

int mm_http_stream_complete(mm_http_stream *st, const char *id) {
    if (st->dying || !find_op(st, id, NULL)) return MM_ENOTFOUND;
    if (st->kind == KIND_SSE1) {
        char *copy = strdup(id); /* id may be the op's own */
        drop_op(st, id);
        if (!copy) return MM_ENOMEM;
        int rc = sse1_message(st, "complete", copy, NULL, 0, 1);
        free(copy);
        return rc;
    }
    drop_op(st, id);
    if (st->kind == KIND_WS) return ws_message(st, id, "complete", NULL, 0, 1);
    put(st, sse_complete, sizeof sse_complete - 1, NULL, 0, 1);
    die_later(st);
    return 0;
}

/* ---- starting ---- */

/* An idle subscriber holds no read buffer (it is 16 KiB once grown). */
static void release_idle_buffer(mm_http_conn *c) {
    if (c->len) return;
    free(c->buf);
    c->buf = NULL;
    c->cap = 0;
    c->scanned = 0;
}

/* The kernel's send buffer of a stream is kept near the byte limit, so that
 * the limit (not the kernel's autotuning, up to megabytes) decides when a
 * client that does not read is cut off. */
static void bound_send_buffer(mm_http_conn *c) {
    size_t q = c->io->server->stream_hooks.max_queue_bytes;
    int size = q < 16384 ? 16384 : q > 262144 ? 262144 : (int)q;
    uv_send_buffer_size((uv_handle_t *)&c->tcp, &size);
}

static mm_http_stream *stream_init(mm_http_stream *st, mm_http_conn *c, int kind) {
    bound_send_buffer(c);
    st->c = c;
    st->s = c->io->server;
    st->kind = kind;
    c->stream = st;
    return st;
}

static mm_http_stream *stream_new(mm_http_conn *c, int kind) {
    mm_http_stream *st = calloc(1, sizeof *st);
    if (!st) return NULL;
    return stream_init(st, c, kind);
}

/* The status line and head of an event stream, sent; the connection is the
 * stream's from now on. 0, or MM_ENOMEM (the connection is closed). */
static int sse_head(mm_http_conn *c, mm_http_stream *st, int kind) {
    mm_http_server *s = c->io->server;
    mm_http_hbuf h = {0};
    mm_http_hbuf_add(&h, "Date", mm_http_io_date(c->io));
    mm_http_hbuf_add(&h, "Content-Type", "text/event-stream; charset=utf-8");
    mm_http_hbuf_add(&h, "Cache-Control", "no-cache");
    mm_http_hbuf_add(&h, "X-Accel-Buffering", "no");
    mm_http_hbuf_add(&h, "Connection", "close");
    if (c->origin) mm_http_cors_apply(&h, s->cfg.cors_origins, c->origin, 0, NULL);
    if (h.oom) {
        free(h.data);
        mm_http_conn_close(c);
        return MM_ENOMEM;
    }
    stream_init(st, c, kind);
    mm_http_conn_become_stream(c, 200);
    c->len = 0; /* nothing follows an SSE request */
    release_idle_buffer(c);
    static const char status[] = "HTTP/1.1 200 OK\r\n";
    put(st, status, sizeof status - 1, h.data, h.len, 1);
    put(st, "\r\n", 2, NULL, 0, 1);
    free(h.data);
    return 0;
}

static int add_op(mm_http_stream *st, const char *id, op **out) {
    size_t n = strlen(id);
    op *o = calloc(1, sizeof *o + n + 1);
    if (!o) return MM_ENOMEM;
    memcpy(o->id, id, n + 1);
    o->next = st->ops;
    st->ops = o;
    st->op_count++;
    *out = o;
    return 0;
}

void mm_http_stream_start_sse(mm_http_conn *c, mm_http_graphql_request *req) {
    mm_http_stream *st = calloc(1, sizeof *st);
    if (!st) {
        mm_http_graphql_request_clear(req);
        mm_http_conn_close(c);
        return;
    }
    if (sse_head(c, st, KIND_SSE) != 0) {
        free(st);
        mm_http_graphql_request_clear(req);
        return;
    }
    op *o;
    if (add_op(st, "", &o) != 0) {
        mm_http_graphql_request_clear(req);
        die_later(st);
        return;
    }
    req->remote = c->remote;
    hooks(st)->subscribe(hooks(st)->ud, st, "", req, &o->data);
    mm_http_graphql_request_clear(req);
    if (!st->dying) mm_http_conn_arm(c, hooks(st)->keepalive_ms);
}

/* ---- single connection mode (the requests are sse_single.c's) ---- */

int mm_http_stream_start_sse1(mm_http_conn *c, const char *token, size_t len) {
    mm_http_server *s = c->io->server;
    mm_http_stream *st = calloc(1, sizeof *st);
    char *copy = st ? strndup(token, len) : NULL;
    if (!copy) {
        free(st);
        return MM_ENOMEM;
    }
    /* Attached before the head is sent: a client sends its operations once
     * it has the head, from any connection, so they find the stream. */
    int rc = mm_sse_tokens_attach(s->sse_tokens, token, len, c->io->index, st, mm_http_now_ns());
    if (rc != 0) {
        free(copy);
        free(st);
        return rc;
    }
    st->token = copy;
    if (sse_head(c, st, KIND_SSE1) != 0) {
        mm_sse_tokens_detach(s->sse_tokens, copy, st);
        free(copy);
        free(st);
        return 0; /* closed */
    }
    put(st, ":\n\n", 3, NULL, 0, 1); /* a first message: some clients wait for one */
    mm_http_conn_arm(c, hooks(st)->keepalive_ms);
    return 0;
}

int mm_http_stream_sse1_subscribe(mm_http_stream *st, const char *id,
                                  const mm_http_graphql_request *req) {
    assert(st->kind == KIND_SSE1);
    if (st->dying) return MM_EIO;
    if (find_op(st, id, NULL)) return MM_EEXIST;
    if (st->op_count >= hooks(st)->max_ops_per_connection) return MM_ELIMIT;
    op *o;
    char *idcopy = strdup(id); /* the hook may complete (and free) the op */
    if (!idcopy || add_op(st, id, &o) != 0) {
        free(idcopy);
        return MM_ENOMEM;
    }
    hooks(st)->subscribe(hooks(st)->ud, st, idcopy, req, &o->data);
    free(idcopy);
    return 0;
}

int mm_http_stream_sse1_stop(mm_http_stream *st, const char *id) {
    assert(st->kind == KIND_SSE1);
    op **link;
    op *o = st->dying ? NULL : find_op(st, id, &link);
    if (!o) return MM_ENOTFOUND;
    *link = o->next;
    st->op_count--;
    if (hooks(st)->unsubscribe) hooks(st)->unsubscribe(hooks(st)->ud, st, o->id, o->data);
    sse1_message(st, "complete", o->id, NULL, 0, 1);
    free(o);
    return 0;
}

/* 1 when the comma-separated header value list holds token. */
static int list_has(const char *v, size_t len, const char *token) {
    size_t tl = strlen(token);
    size_t i = 0;
    while (i < len) {
        while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ',')) i++;
        size_t start = i;
        while (i < len && v[i] != ',') i++;
        size_t end = i;
        while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t')) end--;
        if (end - start == tl && strncasecmp(v + start, token, tl) == 0) return 1;
    }
    return 0;
}

static void refuse_upgrade(mm_http_conn *c, unsigned status, const char *msg) {
    size_t len;
    char *body = mm_http_error_json(msg, NULL, &len);
    c->close_after = 1;
    mm_http_conn_reply(c, status, "application/json; charset=utf-8", body, len, 1, NULL,
                       status == 426 ? "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n" : NULL,
                       MM_HTTP_RESULT_HTTP_ERROR);
}

int mm_http_stream_try_upgrade(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    size_t ul, kl, vl, pl, cl;
    const char *up = mm_http_conn_header(c, "Upgrade", &ul);
    if (!up || !s->streams || !list_has(up, ul, "websocket")) return 0;
    const char *conn = mm_http_conn_header(c, "Connection", &cl);
    const char *key = mm_http_conn_header(c, "Sec-WebSocket-Key", &kl);
    const char *ver = mm_http_conn_header(c, "Sec-WebSocket-Version", &vl);
    const char *proto = mm_http_conn_header(c, "Sec-WebSocket-Protocol", &pl);
    char accept[29];
    if (c->method != MM_HTTP_METHOD_GET || !conn || !list_has(conn, cl, "upgrade") || !key ||
        mm_ws_accept_key(key, kl, accept) != 0) {
        refuse_upgrade(
            c, 400,
            "a WebSocket upgrade needs GET, Connection: Upgrade and a valid Sec-WebSocket-Key");
        return 1;
    }
    if (!ver || vl != 2 || memcmp(ver, "13", 2) != 0) {
        refuse_upgrade(c, 426, "only WebSocket version 13 is supported");
        return 1;
    }
    if (!proto || !list_has(proto, pl, "graphql-transport-ws")) {
        refuse_upgrade(c, 400, "the WebSocket subprotocol must be graphql-transport-ws");
        return 1;
    }
    mm_http_stream *st = stream_new(c, KIND_WS);
    if (!st) {
        refuse_upgrade(c, 503, "out of memory");
        return 1;
    }
    if (mm_trace_enabled()) st->upgrade_trace = mm_http_trace_carried(c); /* trace */
    char head[256];
    int n =
        snprintf(head, sizeof head,
                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                 "Sec-WebSocket-Accept: %s\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
                 accept);
    mm_http_conn_become_stream(c, 101);
    put(st, head, (size_t)n, NULL, 0, 1);
    st->init_deadline_ns = mm_http_now_ns() + (uint64_t)hooks(st)->init_timeout_ms * 1000000u;
    unsigned first = hooks(st)->init_timeout_ms < hooks(st)->keepalive_ms
                         ? hooks(st)->init_timeout_ms
                         : hooks(st)->keepalive_ms;
    mm_http_conn_arm(c, first);
    if (c->len)
        mm_http_stream_on_read(c); /* a client that did not wait for the 101 */
    else
        release_idle_buffer(c);
    return 1;
}

/* ---- WebSocket messages from the client ---- */

static void ws_protocol_message(mm_http_stream *st, const char *text, size_t len) {
    json_error_t jerr;
    json_t *m = json_loadb(text, len, 0, &jerr);
    const char *type = m ? json_string_value(json_object_get(m, "type")) : NULL;
    if (!type) {
        json_decref(m);
        ws_close(st, 4400, "invalid message");
        return;
    }
    if (strcmp(type, "connection_init") == 0) {
        if (st->init_seen) {
            ws_close(st, 4429, "Too many initialisation requests");
        } else {
            st->init_seen = 1;
            json_t *payload = json_object_get(m, "payload");
            if (payload && !json_is_object(payload) && !json_is_null(payload)) {
                ws_close(st, 4400, "connection_init payload must be an object");
            } else if (hooks(st)->connection_init &&
                       hooks(st)->connection_init(hooks(st)->ud,
                                                  json_is_object(payload) ? payload : NULL) != 0) {
                ws_close(st, 4403, "Forbidden");
            } else {
                st->acked = 1;
                ws_send_text(st, "{\"type\":\"connection_ack\"}", 1);
                mm_http_conn_arm(st->c, hooks(st)->keepalive_ms);
            }
        }
    } else if (strcmp(type, "ping") == 0) {
        ws_send_text(st, "{\"type\":\"pong\"}", 1);
    } else if (strcmp(type, "pong") == 0) {
        /* a heartbeat answer: nothing to do */
    } else if (strcmp(type, "subscribe") == 0) {
        const char *id = json_string_value(json_object_get(m, "id"));
        json_t *payload = json_object_get(m, "payload");
        json_t *q = json_object_get(payload, "query");
        json_t *vars = json_object_get(payload, "variables");
        json_t *opname = json_object_get(payload, "operationName");
        json_t *ext = json_object_get(payload, "extensions");
        if (!st->acked) {
            ws_close(st, 4401, "Unauthorized");
        } else if (!id || !*id ||
                   (!json_is_string(q) && !(json_is_object(ext) && mm_pq_request_has_hash(ext))) ||
                   (vars && !json_is_object(vars) && !json_is_null(vars)) ||
                   (opname && !json_is_string(opname) && !json_is_null(opname)) ||
                   (ext && !json_is_object(ext) && !json_is_null(ext))) {
            ws_close(st, 4400, "invalid subscribe message");
        } else if (find_op(st, id, NULL)) {
            char why[160];
            snprintf(why, sizeof why, "Subscriber for %.100s already exists", id);
            ws_close(st, 4409, why);
        } else if (st->op_count >= hooks(st)->max_ops_per_connection) {
            static const char msg[] = "[{\"message\":\"too many operations on this connection\","
                                      "\"extensions\":{\"code\":\"TOO_MANY_SUBSCRIPTIONS\"}}]";
            ws_message(st, id, "error", msg, sizeof msg - 1, 1);
        } else {
            op *o;
            if (add_op(st, id, &o) != 0) {
                ws_close(st, 1011, "out of memory");
            } else {
                mm_http_graphql_request req = {
                    .query = json_is_string(q) ? json_string_value(q)
                                               : "", /* "": a persisted query's hash */
                    .operation_name = json_string_value(opname),
                    .variables = json_is_object(vars) ? vars : NULL,
                    .extensions = json_is_object(ext) ? ext : NULL,
                    .media = MM_HTTP_MEDIA_JSON,
                    .remote = st->c->remote,
                };
                /* trace: the operation continues the upgrade's context */
                if (st->upgrade_trace) mm_trace_ctx_copy(&req.trace, st->upgrade_trace);
                char *idcopy = strdup(id); /* the hook may complete (and free) the op */
                if (idcopy) hooks(st)->subscribe(hooks(st)->ud, st, idcopy, &req, &o->data);
                free(idcopy);
            }
        }
    } else if (strcmp(type, "complete") == 0) {
        const char *id = json_string_value(json_object_get(m, "id"));
        op **link;
        op *o = id ? find_op(st, id, &link) : NULL;
        if (o) {
            *link = o->next;
            st->op_count--;
            if (hooks(st)->unsubscribe) hooks(st)->unsubscribe(hooks(st)->ud, st, o->id, o->data);
            free(o);
        }
    } else {
        ws_close(st, 4400, "unknown message type");
    }
    json_decref(m);
}

static int msg_append(mm_http_stream *st, const unsigned char *p, size_t n) {
    if (st->msg_len + n > hooks(st)->max_message_bytes) return MM_WS_CLOSE_TOO_BIG;
    if (st->msg_len + n > st->msg_cap) {
        size_t cap = st->msg_cap ? st->msg_cap : 1024;
        while (cap < st->msg_len + n) cap *= 2;
        char *q = realloc(st->msg, cap);
        if (!q) return 1011;
        st->msg = q;
        st->msg_cap = cap;
    }
    memcpy(st->msg + st->msg_len, p, n);
    st->msg_len += n;
    return 0;
}

/* One frame: control frames at once, data frames into messages. */
static void ws_frame(mm_http_stream *st, const mm_ws_frame *f) {
    switch (f->opcode) {
    case MM_WS_OP_PING:
        ws_send(st, MM_WS_OP_PONG, (const char *)f->payload, f->payload_len, NULL, 0, 1);
        return;
    case MM_WS_OP_PONG: return;
    case MM_WS_OP_CLOSE: {
        unsigned code = 1000;
        if (f->payload_len == 1) {
            ws_close(st, 1002, "bad close frame");
            return;
        }
        if (f->payload_len >= 2) {
            code = (unsigned)f->payload[0] << 8 | f->payload[1];
            if (!mm_ws_close_code_valid(code)) code = 1002;
        }
        ws_close(st, code == 1002 ? 1002 : 1000, "");
        return;
    }
    case MM_WS_OP_CONT:
        if (!st->msg_opcode) {
            ws_close(st, 1002, "continuation without a message");
            return;
        }
        break;
    default:
        if (st->msg_opcode) {
            ws_close(st, 1002, "a new message inside a fragmented one");
            return;
        }
        st->msg_opcode = f->opcode;
        st->msg_len = 0;
        break;
    }
    int rc = msg_append(st, f->payload, f->payload_len);
    if (rc) {
        ws_close(st, (unsigned)rc, rc == MM_WS_CLOSE_TOO_BIG ? "message too big" : "out of memory");
        return;
    }
    if (!f->fin) return;
    int opcode = st->msg_opcode;
    st->msg_opcode = 0;
    if (opcode != MM_WS_OP_TEXT) {
        ws_close(st, 4400, "binary messages are not part of graphql-transport-ws");
        return;
    }
    ws_protocol_message(st, st->msg, st->msg_len);
    /* Client messages are rare on a subscription: an idle stream keeps no buffer. */
    free(st->msg);
    st->msg = NULL;
    st->msg_len = st->msg_cap = 0;
}

void mm_http_stream_on_read(mm_http_conn *c) {
    mm_http_stream *st = c->stream;
    assert(st);
    if (st->kind != KIND_WS) {
        c->len = 0; /* an SSE client sends nothing more; drop it */
        release_idle_buffer(c);
        return;
    }
    size_t pos = 0;
    while (!st->dying && pos < c->len) {
        mm_ws_frame f;
        long n = mm_ws_parse_frame((unsigned char *)c->buf + pos, c->len - pos,
                                   hooks(st)->max_message_bytes, &f);
        if (n == 0) break;
        if (n < 0) {
            ws_close(st, (unsigned)-n,
                     n == -MM_WS_CLOSE_TOO_BIG ? "frame too big" : "protocol error");
            break;
        }
        pos += (size_t)n;
        ws_frame(st, &f);
        if (!c->stream) return; /* cannot happen: closes are deferred */
    }
    if (st->dying) pos = c->len;
    memmove(c->buf, c->buf + pos, c->len - pos);
    c->len -= pos;
    release_idle_buffer(c);
}

void mm_http_stream_on_timer(mm_http_conn *c) {
    mm_http_stream *st = c->stream;
    if (!st) {
        mm_http_conn_close(c);
        return;
    }
    if (st->dying) {
        /* Send what is queued, then close (the linger timer bounds a client that does not read). */
        unsubscribe_all(st, 0);
        stream_free(st);
        mm_http_conn_linger(c);
        return;
    }
    if (st->kind == KIND_WS && !st->acked) {
        if (mm_http_now_ns() >= st->init_deadline_ns) {
            ws_close(st, 4408, "Connection initialisation timeout");
            return;
        }
        mm_http_conn_arm(c, hooks(st)->init_timeout_ms);
        return;
    }
    int rc = st->kind == KIND_WS ? ws_send(st, MM_WS_OP_PING, "", 0, NULL, 0, 0)
                                 : put(st, ":\n\n", 3, NULL, 0, 0);
    if (rc == MM_ELIMIT) {
        too_slow(st);
        return;
    }
    mm_http_conn_arm(c, hooks(st)->keepalive_ms);
}

void mm_http_stream_on_close(mm_http_conn *c) {
    mm_http_stream *st = c->stream;
    st->dying = 1;
    unsubscribe_all(st, 0);
    stream_free(st);
}

void mm_http_stream_shutdown(mm_http_conn *c) {
    mm_http_stream *st = c->stream;
    if (!st || st->dying) return;
    if (st->kind == KIND_WS) {
        unsubscribe_all(st, 1);
        ws_close(st, 1001, "server shutting down");
    } else if (st->kind == KIND_SSE1) {
        unsubscribe_all(st, 1); /* `complete` for each operation */
        die_later(st);
    } else {
        unsubscribe_all(st, 0);
        put(st, sse_complete, sizeof sse_complete - 1, NULL, 0, 1);
        die_later(st);
    }
}
