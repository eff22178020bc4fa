/* conn.c -- one client connection on an I/O thread: reading and framing
 * requests (parse.c), the one timer that enforces the deadline of each phase
 * (whole header phase, whole body, waiting answer, writing, keep-alive
 * idle), writing answers, keep-alive and pipelining, and closing (with a
 * short lingering drain after an error so the client reads its answer).
 *
 * A connection is touched only by its loop's thread. A request that waits
 * for its answer is resumed by exactly one path: mm_http_respond (any
 * thread) posts the responder to this loop, which calls
 * mm_http_conn_answer_ready. */
#include "http/http_internal.h"

#include <arpa/inet.h>
#include <assert.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

#define READ_CHUNK 16384
#define LINGER_MS  2000
#define LINGER_MAX (1024 * 1024)

static void process(mm_http_conn *c);
static void conn_close(mm_http_conn *c);
static void read_start(mm_http_conn *c);
static void settle_after_dispatch(mm_http_conn *c);
static void answer_ready(mm_http_conn *c);

/* ---- header lines ---- */

static void hbuf_reserve(mm_http_hbuf *b, size_t more) {
    if (b->oom || b->len + more + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 512;
    while (cap < b->len + more + 1) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = 1;
        return;
    }
    b->data = p;
    b->cap = cap;
}

static void hbuf_put(mm_http_hbuf *b, const char *s, size_t n) {
    hbuf_reserve(b, n);
    if (b->oom) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void hbuf_puts(mm_http_hbuf *b, const char *s) { hbuf_put(b, s, strlen(s)); }

static void hbuf_putu(mm_http_hbuf *b, uint64_t v) {
    char tmp[24];
    size_t i = sizeof tmp;
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    hbuf_put(b, tmp + i, sizeof tmp - i);
}

/* No printf on the hot path: an answer's head is a handful of appends. */
void mm_http_hbuf_add(mm_http_hbuf *b, const char *name, const char *value) {
    hbuf_puts(b, name);
    hbuf_put(b, ": ", 2);
    hbuf_puts(b, value);
    hbuf_put(b, "\r\n", 2);
}

static const char *reason_phrase(unsigned status) {
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";  /* graphql-sse reservations (sse_single.c) */
    case 202: return "Accepted"; /* ... and their operations */
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 417: return "Expectation Failed";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
    }
}

/* ---- request headers ---- */

const char *mm_http_conn_header(const mm_http_conn *c, const char *name, size_t *len) {
    assert(c->active && c->phase == MM_PHASE_HEAD); /* io->head is this request's */
    const mm_http_field *f = mm_http_head_field(&c->io->head, name);
    if (!f) return NULL;
    *len = f->value_len;
    return f->value;
}

const char *mm_http_conn_header_str(const mm_http_conn *c, const char *name, char *out,
                                    size_t size) {
    size_t len;
    const char *v = mm_http_conn_header(c, name, &len);
    if (!v || !size) return NULL;
    if (len >= size) len = size - 1;
    memcpy(out, v, len);
    out[len] = '\0';
    return out;
}

/* ---- timers ---- */

static void on_timer(uv_timer_t *t);

static void arm(mm_http_conn *c, uint64_t ms) { uv_timer_start(&c->timer, on_timer, ms, 0); }

static uint64_t idle_ms(const mm_http_server *s) {
    return (uint64_t)s->cfg.connection_timeout_s * 1000u;
}

/* ---- lifecycle of a request ---- */

static void flight_add(mm_http_server *s, long d) {
    pthread_mutex_lock(&s->flight_lock);
    s->flight += d;
    if (s->flight == 0) pthread_cond_broadcast(&s->flight_cond);
    pthread_mutex_unlock(&s->flight_lock);
}

static void request_begin(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    assert(!c->active);
    c->active = 1;
    c->start_ns = mm_http_now_ns();
    c->status = 0;
    c->bytes = 0;
    c->result = MM_HTTP_RESULT_HTTP_ERROR;
    c->replied = 0;
    c->body_done = 0;
    c->requests++;
    atomic_fetch_add(&s->metrics.in_flight, 1);
    flight_add(s, 1);
}

/* Records the request (metrics, access log) and lets go of what it holds. */
static void request_end(mm_http_conn *c, unsigned status_if_unanswered) {
    if (!c->active) return;
    mm_http_server *s = c->io->server;
    uint64_t dur_us = (mm_http_now_ns() - c->start_ns) / 1000u;
    unsigned status = c->replied ? c->status : status_if_unanswered;
    mm_http_result result = c->replied ? c->result : MM_HTTP_RESULT_HTTP_ERROR;
    mm_http_metrics_observe(&s->metrics, c->method, status, result, dur_us);
    /* trace: the access log line carries the request's trace id */
    const mm_trace_ctx *prev = c->span ? mm_trace_enter(&c->span->ctx) : NULL;
    if (!s->cfg.disable_access_log)
        mm_http_access_log(c->method_name[0] ? c->method_name : "-", c->path ? c->path : "-",
                           status, c->replied ? c->bytes : 0, dur_us, c->remote);
    if (c->span) {
        mm_trace_leave(prev);
        mm_http_trace_end(c, status);
    }
    if (c->r) {
        mm_http_responder_detach(c->r);
        mm_http_responder_release(c->r);
        c->r = NULL;
    }
    free(c->path);
    c->path = NULL;
    free(c->content_type);
    free(c->origin);
    free(c->sse_token);
    c->content_type = c->origin = c->sse_token = NULL;
    free(c->body);
    c->body = NULL;
    c->body_len = c->body_cap = 0;
    c->active = 0;
    atomic_fetch_sub(&s->metrics.in_flight, 1);
    flight_add(s, -1);
}

/* ---- writing ---- */

static void on_written(uv_write_t *w, int status);

void mm_http_conn_reply(mm_http_conn *c, unsigned status, const char *content_type,
                        const char *body, size_t len, int owned, const char *allow,
                        const char *extra, mm_http_result result) {
    mm_http_server *s = c->io->server;
    assert(c->active && !c->replied && !c->writing);
    c->replied = 1;
    c->status = status;
    c->bytes = len;
    c->result = result;
    if (!c->body_done || atomic_load(&s->stopping) || !c->keep_alive ||
        c->requests >= s->cfg.max_requests_per_connection)
        c->close_after = 1;
    mm_http_hbuf h = {0};
    hbuf_reserve(&h, 400);
    hbuf_put(&h, "HTTP/1.1 ", 9);
    hbuf_putu(&h, status);
    hbuf_put(&h, " ", 1);
    hbuf_puts(&h, reason_phrase(status));
    hbuf_put(&h, "\r\n", 2);
    mm_http_hbuf_add(&h, "Date", mm_http_io_date(c->io));
    if (content_type) mm_http_hbuf_add(&h, "Content-Type", content_type);
    if (status != 204) {
        hbuf_put(&h, "Content-Length: ", 16);
        hbuf_putu(&h, len);
        hbuf_put(&h, "\r\n", 2);
    }
    if (allow) mm_http_hbuf_add(&h, "Allow", allow);
    if (c->route == MM_ROUTE_GRAPHQL) {
        mm_http_hbuf_add(&h, "Vary", "Accept");
        mm_http_hbuf_add(&h, "Cache-Control", "no-store");
        if (c->origin) mm_http_cors_apply(&h, s->cfg.cors_origins, c->origin, 0, NULL);
    }
    if (extra) hbuf_puts(&h, extra);
    if (c->close_after)
        mm_http_hbuf_add(&h, "Connection", "close");
    else if (c->minor == 0)
        mm_http_hbuf_add(&h, "Connection", "keep-alive");
    hbuf_put(&h, "\r\n", 2);
    if (h.oom) {
        free(h.data);
        if (owned) free((char *)body);
        conn_close(c);
        return;
    }
    c->out = h.data;
    c->out_body = owned ? (char *)body : NULL;
    int head_only = c->head_only;
    uv_buf_t bufs[2] = {uv_buf_init(h.data, (unsigned)h.len),
                        uv_buf_init((char *)body, (unsigned)len)};
    unsigned nbufs = (!head_only && len) ? 2 : 1;
    size_t total = h.len + (nbufs == 2 ? len : 0);
    c->phase = MM_PHASE_WRITE;
    /* Most answers fit the socket buffer: write now, without a write request
     * (libuv re-arms epoll after every completed uv_write: a syscall each). */
    int n = uv_try_write((uv_stream_t *)&c->tcp, bufs, nbufs);
    if (n >= 0 && (size_t)n == total) {
        c->written_sync = 1; /* completed by the caller's process() loop */
        return;
    }
    if (n > 0) { /* the rest goes through a write request */
        size_t skip = (size_t)n;
        for (unsigned i = 0; i < nbufs && skip; i++) {
            size_t take = skip < bufs[i].len ? skip : bufs[i].len;
            bufs[i].base += take;
            bufs[i].len -= (unsigned)take;
            skip -= take;
        }
        if (bufs[0].len == 0) {
            bufs[0] = bufs[1];
            nbufs = 1;
        }
    } else if (n != UV_EAGAIN && n != UV_ENOSYS) {
        free(c->out);
        free(c->out_body);
        c->out = c->out_body = NULL;
        conn_close(c);
        return;
    }
    c->writing = 1;
    c->wreq.data = c;
    if (uv_write(&c->wreq, (uv_stream_t *)&c->tcp, bufs, nbufs, on_written) != 0) {
        c->writing = 0;
        free(c->out);
        free(c->out_body);
        c->out = c->out_body = NULL;
        conn_close(c);
        return;
    }
    arm(c, idle_ms(s));
}

static void on_shutdown(uv_shutdown_t *req, int status) {
    mm_http_conn *c = req->data;
    if (status < 0 && c->phase == MM_PHASE_LINGER) conn_close(c);
}

/* After an answer with Connection: close: end our side, then read and drop
 * what the client still sends for a moment, so that closing with unread
 * bytes does not reset the connection before the client read the answer. */
static void linger(mm_http_conn *c) {
    c->phase = MM_PHASE_LINGER;
    c->lingered = 0;
    c->sreq.data = c;
    if (uv_shutdown(&c->sreq, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
        conn_close(c);
        return;
    }
    read_start(c);
    arm(c, LINGER_MS);
}

/* The answer is out: end the request; close, or wait for the next one. */
static void after_write(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    free(c->out);
    free(c->out_body);
    c->out = c->out_body = NULL;
    size_t consumed = c->req_end;
    request_end(c, 0);
    if (c->close_after) {
        linger(c);
        return;
    }
    assert(consumed <= c->len);
    memmove(c->buf, c->buf + consumed, c->len - consumed);
    c->len -= consumed;
    c->scanned = 0;
    c->req_end = 0;
    c->phase = MM_PHASE_HEAD;
    if (c->len) {
        c->head_started = 1;
        arm(c, s->cfg.header_timeout_ms);
    } else {
        c->head_started = 0;
        arm(c, idle_ms(s));
    }
    read_start(c);
}

static void on_written(uv_write_t *w, int status) {
    mm_http_conn *c = w->data;
    c->writing = 0;
    if (c->phase == MM_PHASE_CLOSED) {
        free(c->out);
        free(c->out_body);
        c->out = c->out_body = NULL;
        return;
    }
    if (status < 0) {
        conn_close(c);
        return;
    }
    after_write(c);
    process(c);
}

/* ---- reading ---- */

/* How many bytes the connection may hold in its buffer in its phase. */
static size_t buffer_limit(const mm_http_conn *c) {
    const mm_http_server *s = c->io->server;
    switch (c->phase) {
    case MM_PHASE_HEAD: return s->cfg.max_header_bytes + READ_CHUNK;
    case MM_PHASE_BODY:
        if (c->is_chunked) return c->head_len + 4 * (size_t)READ_CHUNK;
        return c->head_len + (size_t)c->content_length + READ_CHUNK;
    case MM_PHASE_STREAM: return mm_http_stream_buffer_limit(c);
    default: return c->req_end + s->cfg.max_header_bytes; /* pipelined requests wait */
    }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *out) {
    (void)suggested;
    mm_http_conn *c = h->data;
    if (c->phase == MM_PHASE_LINGER || c->phase == MM_PHASE_CLOSED) {
        static _Thread_local char scratch[READ_CHUNK];
        *out = uv_buf_init(scratch, sizeof scratch);
        return;
    }
    size_t limit = buffer_limit(c);
    if (c->len >= limit) {
        *out = uv_buf_init(NULL, 0); /* UV_ENOBUFS: reading pauses */
        return;
    }
    size_t want = limit - c->len;
    if (want > READ_CHUNK) want = READ_CHUNK;
    if (c->cap - c->len < want) {
        size_t cap = c->cap ? c->cap : 4096;
        while (cap - c->len < want) cap *= 2;
        char *p = realloc(c->buf, cap);
        if (!p) {
            *out = uv_buf_init(NULL, 0);
            return;
        }
        c->buf = p;
        c->cap = cap;
    }
    *out = uv_buf_init(c->buf + c->len, (unsigned)(c->cap - c->len));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b);

static void read_start(mm_http_conn *c) {
    if (c->reading || c->phase == MM_PHASE_CLOSED) return;
    if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) == 0) c->reading = 1;
}

static void read_stop(mm_http_conn *c) {
    if (!c->reading) return;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->reading = 0;
}

/* The client closed its side or the connection broke. */
static void client_gone(mm_http_conn *c) {
    if (c->phase == MM_PHASE_WAIT && c->r) {
        /* Nobody will read an answer: tell the engine so it can stop. */
        mm_http_responder_cancel(c->r, MM_HTTP_CANCEL_CLIENT_GONE);
    }
    conn_close(c);
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *b) {
    (void)b;
    mm_http_conn *c = st->data;
    if (nread == UV_ENOBUFS) {
        read_stop(c); /* resumed when the current request ends */
        return;
    }
    if (nread < 0) {
        client_gone(c);
        return;
    }
    if (nread == 0) return;
    if (c->phase == MM_PHASE_LINGER) {
        c->lingered += (size_t)nread;
        if (c->lingered > LINGER_MAX) conn_close(c);
        return;
    }
    if (c->phase == MM_PHASE_CLOSED) return;
    c->len += (size_t)nread;
    assert(c->len <= c->cap);
    if (c->phase == MM_PHASE_STREAM) {
        mm_http_stream_on_read(c);
        return;
    }
    if (c->phase == MM_PHASE_HEAD || c->phase == MM_PHASE_BODY) process(c);
}

/* A request that failed before its route was known: answer and close. */
static void refuse(mm_http_conn *c, unsigned status, mm_http_refusal kind, const char *msg) {
    mm_http_server *s = c->io->server;
    if (c->replied || c->phase == MM_PHASE_CLOSED) return;
    if (!c->active) {
        request_begin(c);
        c->method = MM_HTTP_METHOD_OTHER;
        snprintf(c->method_name, sizeof c->method_name, "-");
        c->route = MM_ROUTE_NONE;
    }
    mm_http_refusal_log(s, kind, c->remote, msg);
    c->close_after = 1;
    c->body_done = 0; /* whatever follows is not read */
    size_t len;
    char *body = mm_http_error_json(msg, NULL, &len);
    mm_http_conn_reply(c, status, "application/json; charset=utf-8", body, len, 1, NULL, NULL,
                       MM_HTTP_RESULT_HTTP_ERROR);
}

static void refuse_head(mm_http_conn *c, int status) {
    switch (status) {
    case 414: refuse(c, 414, MM_HTTP_REFUSE_TARGET, "the request-target (URL) is too long"); break;
    case 431:
        refuse(c, 431, MM_HTTP_REFUSE_HEADERS, "the request header fields are too large");
        break;
    case 501:
        refuse(c, 501, MM_HTTP_REFUSE_CODING,
               "the transfer coding is not implemented; use chunked");
        break;
    case 505:
        refuse(c, 505, MM_HTTP_REFUSE_CODING, "only HTTP/1.0 and HTTP/1.1 are supported");
        break;
    case 417:
        refuse(c, 417, MM_HTTP_REFUSE_CODING, "the only supported expectation is 100-continue");
        break;
    default:
        refuse(c, 400, MM_HTTP_REFUSE_MALFORMED,
               "malformed request head or framing (RFC 9112: e.g. Content-Length with "
               "Transfer-Encoding, "
               "an invalid or repeated Content-Length, a bare LF, a missing Host)");
        break;
    }
}

/* The head is parsed: set up the request and let the router decide. */
static void start_request(mm_http_conn *c, size_t head_len) {
    mm_http_server *s = c->io->server;
    request_begin(c);
    const mm_http_head *h = &c->io->head;
    c->head_len = head_len;
    c->req_end = head_len;
    c->content_length = h->content_length;
    c->minor = (unsigned char)h->minor;
    c->keep_alive = (unsigned char)h->keep_alive;
    c->is_chunked = (unsigned char)h->chunked;
    c->has_length = (unsigned char)h->has_length;
    c->expect_continue = (unsigned char)h->expect_continue;
    size_t ml =
        h->method_len < sizeof c->method_name - 1 ? h->method_len : sizeof c->method_name - 1;
    memcpy(c->method_name, h->method, ml);
    c->method_name[ml] = '\0';
    c->method = mm_http_method_index(c->method_name);
    const char *q = memchr(h->path, '?', h->path_len);
    size_t plen = q ? (size_t)(q - h->path) : h->path_len;
    c->query = q ? q + 1 : NULL;
    c->query_len = q ? h->path_len - plen - 1 : 0;
    c->path = malloc(plen + 1);
    if (!c->path) {
        refuse(c, 500, MM_HTTP_REFUSE_MALFORMED, "out of memory");
        return;
    }
    memcpy(c->path, h->path, plen);
    c->path[plen] = '\0';
    c->route = mm_http_route_for(s, c->path);
    c->close_after = 0;
    c->head_only = strcmp(c->method_name, "HEAD") == 0;
    /* What is needed after the head's bytes may have moved (buffer growth). */
    size_t vlen;
    const char *v = mm_http_conn_header(c, "Content-Type", &vlen);
    if (v) c->content_type = strndup(v, vlen);
    v = mm_http_conn_header(c, "Origin", &vlen);
    if (v && s->cfg.cors_origins && *s->cfg.cors_origins) c->origin = strndup(v, vlen);
    int has_body = c->is_chunked || (c->has_length && c->content_length > 0);
    c->body_done = !has_body;
    uv_timer_stop(&c->timer);
    if (!mm_http_route_head(c)) { /* answered, or dispatched (GET) */
        c->query = NULL;
        settle_after_dispatch(c);
        return;
    }
    c->query = NULL;
    assert(!c->replied);
    if (c->has_length && c->content_length > s->cfg.max_body_bytes) {
        refuse(c, 413, MM_HTTP_REFUSE_BODY, "the request body is too large");
        return;
    }
    if (c->expect_continue && has_body) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        uv_buf_t b = uv_buf_init((char *)cont, sizeof cont - 1);
        /* A fresh answer on an idle socket: it fits. If it did not, the
         * stream would be torn; close instead. */
        if (uv_try_write((uv_stream_t *)&c->tcp, &b, 1) != (int)b.len) {
            conn_close(c);
            return;
        }
    }
    memset(&c->chunked, 0, sizeof c->chunked);
    c->chunked.max_body = s->cfg.max_body_bytes;
    c->phase = MM_PHASE_BODY;
    arm(c, idle_ms(s));
}

static int append_body(mm_http_conn *c, const char *data, size_t n) {
    if (c->body_len + n > c->body_cap) {
        size_t cap = c->body_cap ? c->body_cap : 4096;
        while (cap < c->body_len + n) cap *= 2;
        char *p = realloc(c->body, cap);
        if (!p) return -1;
        c->body = p;
        c->body_cap = cap;
    }
    memcpy(c->body + c->body_len, data, n);
    c->body_len += n;
    return 0;
}

/* Reads as much body as is buffered; dispatches when complete. */
static void read_body(mm_http_conn *c) {
    if (!c->is_chunked) {
        uint64_t need = c->head_len + c->content_length;
        if (c->len < need) return;
        c->req_end = (size_t)need;
        c->body_done = 1;
        uv_timer_stop(&c->timer);
        mm_http_dispatch(c, c->buf + c->head_len, (size_t)c->content_length);
        settle_after_dispatch(c);
        return;
    }
    size_t pos = c->head_len;
    while (pos < c->len) {
        const char *data;
        size_t dlen;
        size_t used = mm_http_chunked_step(&c->chunked, c->buf + pos, c->len - pos, &data, &dlen);
        if (dlen && append_body(c, data, dlen) != 0) {
            refuse(c, 500, MM_HTTP_REFUSE_BODY, "out of memory");
            return;
        }
        pos += used;
        if (c->chunked.state >= MM_CHUNKED_DONE || used == 0) break;
    }
    /* Drop the decoded bytes; what follows the body stays for the next request. */
    memmove(c->buf + c->head_len, c->buf + pos, c->len - pos);
    c->len -= pos - c->head_len;
    switch (c->chunked.state) {
    case MM_CHUNKED_BAD:
        refuse(c, 400, MM_HTTP_REFUSE_MALFORMED, "malformed chunked request body");
        return;
    case MM_CHUNKED_TOO_BIG:
        refuse(c, 413, MM_HTTP_REFUSE_BODY, "the request body is too large");
        return;
    case MM_CHUNKED_DONE:
        c->req_end = c->head_len;
        c->body_done = 1;
        uv_timer_stop(&c->timer);
        mm_http_dispatch(c, c->body ? c->body : "", c->body_len);
        settle_after_dispatch(c);
        return;
    default: return; /* more to come */
    }
}

/* After the handler returned: answer now, or wait on this loop. */
static void settle_after_dispatch(mm_http_conn *c) {
    if (c->replied || !c->r || c->phase == MM_PHASE_CLOSED) return;
    if (mm_http_responder_settle(c->r)) {
        answer_ready(c);
        return;
    }
    c->phase = MM_PHASE_WAIT;
    arm(c, c->io->server->cfg.request_timeout_ms);
}

static void answer_ready(mm_http_conn *c) {
    mm_http_responder *r = c->r;
    if (!r || c->replied || c->phase == MM_PHASE_CLOSED) return;
    pthread_mutex_lock(&r->lock);
    unsigned status = r->status;
    mm_http_result result = r->result;
    const char *body = r->body;
    size_t len = r->body_len;
    int answered = r->answered;
    pthread_mutex_unlock(&r->lock);
    if (!answered) return;
    /* The body is immutable once answered and lives as long as our reference. */
    mm_http_conn_reply(c, status,
                       r->req.media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON
                           ? "application/graphql-response+json; charset=utf-8"
                           : "application/json; charset=utf-8",
                       body, len, 0, status == 405 ? "POST" : NULL, NULL, result);
}

/* 1 when b[0..n) holds CRLF CRLF (the end of a head). */
static int has_blank_line(const char *b, size_t n) {
    const char *p = b, *end = b + n;
    while (end - p >= 4 && (p = memchr(p, '\r', (size_t)(end - p - 3))) != NULL) {
        if (p[1] == '\n' && p[2] == '\r' && p[3] == '\n') return 1;
        p++;
    }
    return 0;
}

void mm_http_conn_become_stream(mm_http_conn *c, unsigned status) {
    assert(c->active);
    c->replied = 1;
    c->status = status;
    c->result = MM_HTTP_RESULT_OK;
    size_t consumed = c->req_end;
    request_end(c, status);
    assert(consumed <= c->len);
    memmove(c->buf, c->buf + consumed, c->len - consumed);
    c->len -= consumed;
    c->scanned = 0;
    c->req_end = 0;
    c->phase = MM_PHASE_STREAM;
    uv_timer_stop(&c->timer);
    read_start(c);
}

void mm_http_conn_close(mm_http_conn *c) { conn_close(c); }

void mm_http_conn_linger(mm_http_conn *c) {
    if (c->phase == MM_PHASE_CLOSED || c->phase == MM_PHASE_LINGER) return;
    linger(c);
}

void mm_http_conn_arm(mm_http_conn *c, uint64_t ms) {
    if (c->phase != MM_PHASE_CLOSED) arm(c, ms);
}

void mm_http_conn_answer_ready(mm_http_conn *c) {
    answer_ready(c);
    process(c);
}

/* Everything the connection can do now with what it has read: finish an
 * answer written at once, read a body, parse and start the next request. A
 * loop, not recursion, so pipelined requests cannot deepen the stack. */
static void process(mm_http_conn *c) {
    mm_http_server *s = c->io->server;
    mm_http_limits lim = {s->cfg.max_header_bytes, s->cfg.max_url_bytes};
    for (;;) {
        if (c->phase == MM_PHASE_WRITE && c->written_sync) {
            c->written_sync = 0;
            after_write(c);
            continue;
        }
        if (c->phase == MM_PHASE_BODY) {
            read_body(c);
            if (c->phase == MM_PHASE_BODY) return; /* needs more */
            continue;
        }
        if (c->phase != MM_PHASE_HEAD || c->len == 0) return;
        if (!c->head_started) {
            /* The first byte of a later request starts its header deadline. */
            c->head_started = 1;
            arm(c, s->cfg.header_timeout_ms);
        }
        size_t from = c->scanned > 3 ? c->scanned - 3 : 0;
        int found = has_blank_line(c->buf + from, c->len - from);
        c->scanned = c->len;
        if (!found && c->len < s->cfg.max_header_bytes &&
            !(c->len > s->cfg.max_url_bytes + 64 && !memchr(c->buf, '\n', c->len)))
            return;
        int rc = mm_http_parse_head(c->buf, c->len, &lim, &c->io->head);
        if (rc == 0) return;
        if (rc < 0) {
            refuse_head(c, -rc);
            continue; /* finishes the answer, then lingers */
        }
        start_request(c, (size_t)rc);
    }
}

/* ---- timers ---- */

static void on_timer(uv_timer_t *t) {
    mm_http_conn *c = t->data;
    mm_http_server *s = c->io->server;
    switch (c->phase) {
    case MM_PHASE_HEAD:
        if (c->len == 0 && c->requests > 0) {
            conn_close(c); /* keep-alive idle timeout */
            return;
        }
        if (c->len == 0) {
            mm_http_refusal_log(s, MM_HTTP_REFUSE_HEADER_TIME, c->remote, "no request");
            conn_close(c);
            return;
        }
        refuse(c, 408, MM_HTTP_REFUSE_HEADER_TIME, "the request head did not arrive in time");
        process(c);
        return;
    case MM_PHASE_BODY:
        refuse(c, 408, MM_HTTP_REFUSE_BODY_TIME, "the request body did not arrive in time");
        process(c);
        return;
    case MM_PHASE_WAIT:
        if (c->r && mm_http_responder_cancel(c->r, MM_HTTP_CANCEL_DEADLINE))
            mm_http_conn_answer_ready(c);
        return;
    case MM_PHASE_WRITE:
        mm_http_refusal_log(s, MM_HTTP_REFUSE_WRITE_TIME, c->remote, "answer not read");
        conn_close(c);
        return;
    case MM_PHASE_LINGER: conn_close(c); return;
    case MM_PHASE_STREAM: mm_http_stream_on_timer(c); return;
    case MM_PHASE_CLOSED: return;
    }
}

/* ---- accept and close ---- */

static void on_handle_closed(uv_handle_t *h) {
    mm_http_conn *c = h->data;
    if (--c->handles > 0) return;
    assert(!c->writing);
    free(c->buf);
    free(c->out);
    free(c->out_body);
    free(c);
}

static void conn_close(mm_http_conn *c) {
    if (c->phase == MM_PHASE_CLOSED) return;
    mm_http_server *s = c->io->server;
    if (c->stream) mm_http_stream_on_close(c); /* its operations end first */
    c->phase = MM_PHASE_CLOSED;
    request_end(c,
                499); /* closed before an answer went out: the client left or broke the protocol */
    read_stop(c);
    uv_timer_stop(&c->timer);
    if (c->prev)
        c->prev->next = c->next;
    else
        c->io->conns = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    if (c->counted) mm_http_limits_leave(s, &c->addr);
    c->counted = 0;
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    uv_close((uv_handle_t *)&c->timer, on_handle_closed);
}

static void format_remote(const struct sockaddr_storage *ss, char *out, size_t size) {
    char host[INET6_ADDRSTRLEN] = "";
    out[0] = '\0';
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ss;
        inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        snprintf(out, size, "%s:%u", host, ntohs(a->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ss;
        inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        snprintf(out, size, "[%s]:%u", host, ntohs(a->sin6_port));
    }
}

void mm_http_conn_accept(mm_http_io *io) {
    mm_http_server *s = io->server;
    mm_http_conn *c = calloc(1, sizeof *c);
    if (!c) {
        mm_log_error("msg=\"http: out of memory accepting a connection\"");
        return;
    }
    c->io = io;
    uv_tcp_init(&io->loop, &c->tcp);
    uv_timer_init(&io->loop, &c->timer);
    c->tcp.data = c->timer.data = c;
    c->handles = 2;
    c->next = io->conns;
    if (io->conns) io->conns->prev = c;
    io->conns = c;
    c->phase = MM_PHASE_HEAD;
    if (uv_accept((uv_stream_t *)&io->listener, (uv_stream_t *)&c->tcp) != 0) {
        conn_close(c);
        return;
    }
    int alen = sizeof c->addr;
    uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->addr, &alen);
    format_remote(&c->addr, c->remote, sizeof c->remote);
    uv_tcp_nodelay(&c->tcp, 1);
    if (atomic_load(&s->stopping)) {
        conn_close(c);
        return;
    }
    mm_http_refusal why;
    if (mm_http_limits_enter(s, &c->addr, &why) != 0) {
        /* Refused with a clear answer rather than a silent close. */
        read_start(c);
        refuse(c, 503, why,
               why == MM_HTTP_REFUSE_PER_IP ? "too many connections from this client; retry later"
                                            : "too many connections; retry later");
        process(c);
        return;
    }
    c->counted = 1;
    arm(c, s->cfg.header_timeout_ms); /* the first request's header phase starts now */
    c->head_started = 1;
    read_start(c);
}

void mm_http_conn_close_idle(mm_http_io *io) {
    mm_http_conn *c = io->conns;
    while (c) {
        mm_http_conn *next = c->next;
        if (c->phase == MM_PHASE_HEAD && !c->active)
            conn_close(c);
        else if (c->phase == MM_PHASE_STREAM)
            mm_http_stream_shutdown(c); /* completes its operations */
        c = next;
    }
}

void mm_http_conn_cancel_waiting(mm_http_io *io) {
    mm_http_conn *c = io->conns;
    while (c) {
        mm_http_conn *next = c->next; /* c may close */
        if (c->phase == MM_PHASE_WAIT && c->r &&
            mm_http_responder_cancel(c->r, MM_HTTP_CANCEL_SHUTDOWN))
            mm_http_conn_answer_ready(c);
        c = next;
    }
}

void mm_http_conn_close_all(mm_http_io *io) {
    while (io->conns) conn_close(io->conns);
}
