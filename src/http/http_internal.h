/* http_internal.h -- what the files of src/http share and nobody else sees:
 * the server, I/O thread, connection and responder structs, metrics, access
 * log, CORS and GraphiQL. */
#ifndef MM_HTTP_INTERNAL_H
#define MM_HTTP_INTERNAL_H

#include <uv.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http/http_server.h"
#include "http/parse.h"

/* ---- metrics (metrics.c) ---- */

enum {
    MM_HTTP_METHOD_GET,
    MM_HTTP_METHOD_POST,
    MM_HTTP_METHOD_OPTIONS,
    MM_HTTP_METHOD_OTHER,
    MM_HTTP_METHOD_COUNT
};

/* How a request ended, for the requests_total "outcome" label. */
typedef enum mm_http_result {
    MM_HTTP_RESULT_OK,            /* GraphQL executed without errors, or a non-GraphQL endpoint */
    MM_HTTP_RESULT_FIELD_ERRORS,  /* executed, with errors in the result */
    MM_HTTP_RESULT_GRAPHQL_ERROR, /* the engine rejected the request (parse, validation, ...) */
    MM_HTTP_RESULT_HTTP_ERROR,    /* rejected by the server (400/404/405/406/413/415/431) */
    MM_HTTP_RESULT_TIMEOUT,       /* deadline passed while waiting */
    MM_HTTP_RESULT_SHUTDOWN,      /* answered by a stopping server */
    MM_HTTP_RESULT_SERVER_ERROR,  /* 5xx from the engine */
    MM_HTTP_RESULT_COUNT
} mm_http_result;

/* GraphQL error kinds for graphql_errors_total{kind}: the outcomes, plus these. */
enum {
    MM_HTTP_ERRKIND_EXECUTION = MM_HTTP_OUTCOME_COUNT_,
    MM_HTTP_ERRKIND_REQUEST,
    MM_HTTP_ERRKIND_TIMEOUT,
    MM_HTTP_ERRKIND_SHUTDOWN,
    MM_HTTP_ERRKIND_COUNT
};

#define MM_HTTP_STATUS_SLOTS    12
#define MM_HTTP_LATENCY_BUCKETS 14

typedef struct mm_http_metrics {
    atomic_ullong requests[MM_HTTP_METHOD_COUNT][MM_HTTP_STATUS_SLOTS][MM_HTTP_RESULT_COUNT];
    atomic_ullong latency_bucket[MM_HTTP_LATENCY_BUCKETS]; /* cumulative at render time */
    atomic_ullong latency_sum_us;
    atomic_ullong latency_count;
    atomic_ullong errors[MM_HTTP_ERRKIND_COUNT];
    atomic_llong in_flight;
    atomic_llong waiting;
} mm_http_metrics;

int mm_http_method_index(const char *method);
void mm_http_metrics_observe(mm_http_metrics *m, int method, unsigned status, mm_http_result result,
                             uint64_t duration_us);
void mm_http_metrics_error(mm_http_metrics *m, int kind);
/* The Prometheus text exposition (malloc'd), or NULL when out of memory. */
char *mm_http_metrics_render(mm_http_metrics *m, size_t *len);

/* ---- access log (accesslog.c) ---- */

void mm_http_access_log(const char *method, const char *path, unsigned status, size_t bytes,
                        uint64_t duration_us, const char *remote);

/* ---- response header lines (conn.c) ---- */

/* A growable block of "Name: value\r\n" lines; oom set when it could not grow. */
typedef struct mm_http_hbuf {
    char *data;
    size_t len, cap;
    int oom;
} mm_http_hbuf;
void mm_http_hbuf_add(mm_http_hbuf *b, const char *name, const char *value);

/* ---- CORS (cors.c) ---- */

/* The Access-Control-Allow-Origin value for this Origin, or NULL (not allowed
 * or CORS off). Points into origin or a static string. */
const char *mm_http_cors_allow(const char *allowed_list, const char *origin);
/* Adds CORS header lines when the origin is allowed; preflight adds the
 * method/header/max-age headers too (2: with PUT and DELETE, for a server
 * with streams). */
void mm_http_cors_apply(mm_http_hbuf *out, const char *allowed_list, const char *origin,
                        int preflight, const char *request_headers);

/* ---- GraphiQL (graphiql.c, graphiql_template.c) ---- */

extern const char mm_graphiql_template[];

typedef struct mm_graphiql_asset {
    const char *name; /* file name under the asset dir and under /graphiql/ */
    const char *content_type;
    char *data; /* loaded at start; NULL when absent */
    size_t len;
} mm_graphiql_asset;

#define MM_GRAPHIQL_ASSET_COUNT 4

typedef struct mm_graphiql {
    mm_graphiql_asset assets[MM_GRAPHIQL_ASSET_COUNT];
    int local;  /* 1 when every asset was loaded: the page uses /graphiql/... */
    char *page; /* the rendered HTML */
    size_t page_len;
    char *dir; /* where the assets were found, or NULL */
} mm_graphiql;

/* Finds and loads the assets (dir NULL = auto, "" = none) and renders the page
 * for endpoint. 0 or MM_ENOMEM. */
int mm_graphiql_init(mm_graphiql *g, const char *dir, const char *endpoint);
void mm_graphiql_free(mm_graphiql *g);
/* The asset named name (the part after /graphiql/), or NULL. */
const mm_graphiql_asset *mm_graphiql_find(const mm_graphiql *g, const char *name);

/* ---- I/O threads (loop.c) ---- */

typedef struct mm_http_conn mm_http_conn;

/* A function to run on an I/O thread, queued from any thread. */
typedef struct mm_http_post {
    struct mm_http_post *next;
    void (*fn)(void *ud);
    void *ud;
    int heap; /* malloc'd by the queue (freed after fn) rather than embedded */
} mm_http_post;

/* One I/O thread: a libuv loop that owns its listening socket (SO_REUSEPORT,
 * one per thread), its client connections and one timer per connection. */
typedef struct mm_http_io {
    mm_http_server *server;
    unsigned index;
    uv_loop_t loop;
    uv_async_t wake; /* runs the post queue */
    uv_tcp_t listener;
    int listen_fd; /* bound and listening before the thread starts */
    int listening;
    pthread_t thread;
    int thread_started;
    pthread_mutex_t post_lock;
    mm_http_post *post_head, *post_tail;
    size_t post_count;
    int post_closed;            /* the loop is ending: posts are refused */
    mm_http_post finish_node;   /* the post that ends the loop */
    mm_http_post stop_nodes[2]; /* the posts of a graceful stop */
    mm_http_conn *conns;        /* every client connection of this loop (loop thread only) */
    char date[40];              /* the Date header value, refreshed once a second */
    long date_sec;
    /* The parsed head of the request being routed (loop thread only). One
     * per loop rather than one per connection: the fields point into the
     * connection's buffer and are read only between the parse and the end
     * of mm_http_route_head, so a connection keeps just its framing (an
     * idle subscriber would otherwise carry 3.3 KB of field slots). */
    mm_http_head head;
} mm_http_io;

/* Posts fn(ud) to io's loop. node, when not NULL, is an embedded node the
 * caller keeps alive until fn runs (no allocation, never refused while the
 * loop runs). 0, MM_ENOMEM, MM_ELIMIT (queue full) or MM_EINVAL (stopped). */
int mm_http_io_post(mm_http_io *io, mm_http_post *node, void (*fn)(void *), void *ud);
int mm_http_io_start(mm_http_server *s); /* creates the loops and listeners, starts the threads */
void mm_http_io_join(mm_http_server *s); /* ends every loop (see mm_http_server_stop) and joins */
const char *mm_http_io_date(mm_http_io *io); /* the current Date header value */

/* ---- connection limits and refusal logs (limits.c) ---- */

typedef enum mm_http_refusal {
    MM_HTTP_REFUSE_MALFORMED,   /* 400 */
    MM_HTTP_REFUSE_TARGET,      /* 414 */
    MM_HTTP_REFUSE_HEADERS,     /* 431 */
    MM_HTTP_REFUSE_CODING,      /* 501 / 505 / 417 */
    MM_HTTP_REFUSE_BODY,        /* 413 */
    MM_HTTP_REFUSE_HEADER_TIME, /* header phase deadline */
    MM_HTTP_REFUSE_BODY_TIME,   /* body deadline */
    MM_HTTP_REFUSE_WRITE_TIME,  /* the client did not read its answer */
    MM_HTTP_REFUSE_CONNECTIONS, /* global connection limit */
    MM_HTTP_REFUSE_PER_IP,      /* per-client connection limit */
    MM_HTTP_REFUSE_SSE_FULL,    /* graphql-sse reservations: registry full (503) */
    MM_HTTP_REFUSE_SSE_PER_IP,  /* graphql-sse reservations: per-client bound (429) */
    MM_HTTP_REFUSE_SSE_TOKEN,   /* graphql-sse: unknown token, stream taken, bad operation */
    MM_HTTP_REFUSE_COUNT
} mm_http_refusal;

/* Logs a refusal at warn level, at most once a second per kind (the line
 * says how many were not logged since). */
void mm_http_refusal_log(mm_http_server *s, mm_http_refusal kind, const char *remote,
                         const char *what);
/* Counts a new connection from addr: 0, or the refusal that applies. */
int mm_http_limits_enter(mm_http_server *s, const struct sockaddr_storage *addr,
                         mm_http_refusal *why);
void mm_http_limits_leave(mm_http_server *s, const struct sockaddr_storage *addr);
void mm_http_limits_free(mm_http_server *s);

/* ---- routing and endpoints (server.c) ---- */

enum mm_http_route {
    MM_ROUTE_NONE,
    MM_ROUTE_GRAPHQL,
    MM_ROUTE_HEALTHZ,
    MM_ROUTE_READYZ,
    MM_ROUTE_METRICS,
    MM_ROUTE_ASSET,
    MM_ROUTE_PAGE,
    MM_ROUTE_NOT_FOUND
};

/* ---- connections (conn.c) ---- */

typedef enum mm_http_phase {
    MM_PHASE_HEAD,   /* waiting for (the rest of) a request head; idle when nothing is buffered */
    MM_PHASE_BODY,   /* reading a request body */
    MM_PHASE_WAIT,   /* the handler keeps the responder: waiting for an answer */
    MM_PHASE_WRITE,  /* an answer is being written */
    MM_PHASE_LINGER, /* answered with Connection: close; draining what the client still sends */
    MM_PHASE_STREAM, /* an SSE or WebSocket stream (stream.c) owns the connection */
    MM_PHASE_CLOSED,
} mm_http_phase;

/* One client connection and its current request. Loop thread only. */
struct mm_http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer; /* the one deadline of the current phase */
    uv_write_t wreq;
    uv_shutdown_t sreq;
    mm_http_io *io;
    mm_http_conn *prev, *next;
    int handles; /* open libuv handles (tcp, timer); freed at 0 */
    mm_http_phase phase;
    int counted; /* counted in the connection limits */
    int refused; /* a connection refused at accept (503) */
    struct sockaddr_storage addr;
    char remote[64];
    char *buf; /* bytes read and not yet consumed */
    size_t len, cap;
    size_t scanned;    /* the blank line was searched for up to here */
    unsigned requests; /* requests started on this connection */
    int reading;       /* uv_read_start is in effect */
    int writing;       /* a uv_write is in progress */
    int written_sync;  /* the answer went out in uv_try_write; process() finishes it */
    int head_started;  /* the header deadline runs */
    size_t lingered;   /* bytes discarded while lingering */

    /* The current request (valid from its head to its last byte sent). */
    int active;
    uint64_t content_length; /* the framing, kept from the parsed head (io->head) */
    unsigned char minor, keep_alive, is_chunked, has_length, expect_continue;
    size_t head_len;
    uint64_t start_ns;
    int method;
    char method_name[16];
    char *path; /* decoded-free copy of the path without the query, for routing and the log */
    const char *query; /* into buf: the raw query string (after '?'), or NULL */
    size_t query_len;
    enum mm_http_route route;
    mm_http_media media;
    int close_after;    /* answer with Connection: close */
    int replied;        /* an answer was queued */
    int body_done;      /* the body was read whole (or there is none) */
    int head_only;      /* a HEAD request: no body in the answer */
    size_t req_end;     /* bytes of buf the request occupies (head and Content-Length body) */
    char *content_type; /* copies of request headers needed after the head's bytes may move */
    char *origin;
    char *body; /* a chunked body, decoded */
    size_t body_len, body_cap;
    mm_http_chunked chunked;
    mm_http_responder *r;
    struct mm_span *span; /* trace: the request's server span, or NULL (http/trace.c) */
    unsigned status;
    size_t bytes;
    mm_http_result result;
    char *out;       /* the response head and any owned body */
    char *out_body;  /* an owned body (freed after the write) */
    int want_sse;    /* the GraphQL request asked for text/event-stream (stream hooks set) */
    char *sse_token; /* graphql-sse single connection mode: the request's token (sse_single.c) */
    struct mm_http_stream *stream; /* in MM_PHASE_STREAM */
};

/* Accepts a pending connection on io's listener. */
void mm_http_conn_accept(mm_http_io *io);
/* Stop: closes connections that wait for a request (idle or mid-header). */
void mm_http_conn_close_idle(mm_http_io *io);
/* Stop: answers the waiting requests of io with a shutdown error. */
void mm_http_conn_cancel_waiting(mm_http_io *io);
/* Stop: closes every connection of io now. */
void mm_http_conn_close_all(mm_http_io *io);
/* On the loop thread: the stored answer of c's responder is there; send it. */
void mm_http_conn_answer_ready(mm_http_conn *c);
/* Sends an answer for the current request. body is borrowed (must live until
 * the write ends: static, or the responder's), or owned (malloc'd, taken)
 * when owned is 1. allow: an Allow header or NULL. extra: more header lines
 * ("Name: value\r\n"...) or NULL. */
void mm_http_conn_reply(mm_http_conn *c, unsigned status, const char *content_type,
                        const char *body, size_t len, int owned, const char *allow,
                        const char *extra, mm_http_result result);
/* The value of a request header (not NUL-terminated), or NULL. Only while
 * the request is routed (in mm_http_route_head): the parsed head is the
 * loop's, and the buffer may move once the body is read. */
const char *mm_http_conn_header(const mm_http_conn *c, const char *name, size_t *len);
/* The same, copied NUL-terminated into out (truncated), or NULL. */
const char *mm_http_conn_header_str(const mm_http_conn *c, const char *name, char *out,
                                    size_t size);

/* trace: the server span of the connection's current GraphQL request
 * (trace.c); only called when tracing is on. begin reads the request head. */
void mm_http_trace_begin(mm_http_conn *c);
void mm_http_trace_end(mm_http_conn *c, unsigned status);
/* trace: the context the connection's current request carried (its valid
 * traceparent, and tracestate: the server span's parent), malloc'd; NULL
 * when it carried none, tracing is off or memory is short. A WebSocket
 * upgrade keeps it for the connection's operations (docs/tracing.md). */
mm_trace_ctx *mm_http_trace_carried(const mm_http_conn *c);

/* Ends the current request as answered with status (its head already
 * written by the caller or about to be) and hands the connection to its
 * stream: phase STREAM, the request's bytes dropped, reading on. */
void mm_http_conn_become_stream(mm_http_conn *c, unsigned status);
/* Closes at once / after a graceful shutdown of the sending side. */
void mm_http_conn_close(mm_http_conn *c);
void mm_http_conn_linger(mm_http_conn *c);
/* Re-arms the connection's one timer. */
void mm_http_conn_arm(mm_http_conn *c, uint64_t ms);

/* ---- streams (stream.c) ---- */

/* server.c: the request head asks for a stream: 1 when this is a WebSocket
 * upgrade that was answered (101 or an error). */
int mm_http_stream_try_upgrade(mm_http_conn *c);
/* server.c: a parsed SSE request: start the stream (takes req). */
void mm_http_stream_start_sse(mm_http_conn *c, mm_http_graphql_request *req);
/* conn.c: bytes arrived / the timer fired / the connection closes / stop. */
void mm_http_stream_on_read(mm_http_conn *c);
void mm_http_stream_on_timer(mm_http_conn *c);
void mm_http_stream_on_close(mm_http_conn *c);
void mm_http_stream_shutdown(mm_http_conn *c);
size_t mm_http_stream_buffer_limit(const mm_http_conn *c);
/* graphql-sse single connection mode, on the stream's loop. start: the
 * event stream of a reservation (GET with its token): 0 (answered, or the
 * connection closed), MM_ENOTFOUND (no such reservation), MM_EEXIST (a
 * stream already fulfils it) or MM_ENOMEM, nothing sent. subscribe: an
 * operation on the stream: 0 (started; its hook answers on the stream),
 * MM_EEXIST (the id is active), MM_ELIMIT (max_ops_per_connection), MM_EIO
 * (the stream is closing) or MM_ENOMEM. stop: the client's DELETE: the
 * operation is unsubscribed and gets `complete`; 0 or MM_ENOTFOUND. */
int mm_http_stream_start_sse1(mm_http_conn *c, const char *token, size_t len);
int mm_http_stream_sse1_subscribe(mm_http_stream *st, const char *id,
                                  const mm_http_graphql_request *req);
int mm_http_stream_sse1_stop(mm_http_stream *st, const char *id);

/* ---- graphql-sse single connection mode's requests (sse_single.c) ---- */

/* server.c, while the head is routed (stream hooks set): PUT (a
 * reservation), DELETE (stop an operation) and the GET that opens a
 * reservation's stream are answered here: 1. A GET/POST carrying a token
 * (header or `token` parameter) is an operation: c->sse_token is set and 0
 * returned (the request goes on as GraphQL over HTTP until
 * mm_http_sse1_operation). Anything else: 0. */
int mm_http_sse1_route(mm_http_conn *c);
/* server.c: a parsed operation request with c->sse_token (takes req). */
void mm_http_sse1_operation(mm_http_conn *c, mm_http_graphql_request *req);
/* server.c: decides what the request gets once its head is parsed: an
 * answer now, or (GraphQL POST) its body first. Returns 1 to read the body. */
int mm_http_route_head(mm_http_conn *c);
/* server.c: the whole GraphQL request is here (body in c->body or the buffer). */
void mm_http_dispatch(mm_http_conn *c, const char *body, size_t body_len);
/* server.c: the route of a path. */
enum mm_http_route mm_http_route_for(const mm_http_server *s, const char *path);

/* ---- responder (responder.c) ---- */

typedef enum mm_responder_state {
    MM_RESPONDER_IN_HANDLER = 0, /* the handler runs on the connection's loop thread */
    MM_RESPONDER_SUSPENDED,      /* the connection waits for an answer from any thread */
    MM_RESPONDER_DONE,           /* an answer is stored and being sent */
} mm_responder_state;

struct mm_http_responder {
    pthread_mutex_t lock;
    atomic_int refs; /* the connection's and the handler's */
    mm_http_server *server;
    mm_http_io *io;              /* the loop the connection lives on */
    mm_http_graphql_request req; /* owned */
    char remote[64];
    mm_http_post resume; /* the one post that delivers a late answer */

    /* Guarded by lock. */
    mm_http_conn *conn; /* NULL once the connection let go (loop thread only writes it) */
    mm_responder_state state;
    int answered;  /* an answer is stored (by the handler or the server) */
    int cancelled; /* the server answered or the client left */
    mm_http_cancel_reason cancel_reason;
    int cancel_notified;
    mm_http_cancel_fn cancel_fn;
    void *cancel_arg;
    /* While the cancel callback runs (on cancel_thread), a respond from any
     * other thread waits on cancel_done: once the handler's respond returns,
     * the callback has finished and never runs again, so the handler may
     * free what it gave the callback. */
    int cancel_running;
    pthread_t cancel_thread;
    pthread_cond_t cancel_done;
    unsigned status;
    char *body; /* the serialized answer */
    size_t body_len;
    mm_http_result result;
};

struct mm_http_server {
    mm_http_config cfg; /* strings below are owned copies */
    mm_http_graphql_fn handler;
    void *ud;
    uint16_t port;
    int started, stopped;
    atomic_int stopping; /* Connection: close on every answer; no new waits */
    mm_http_metrics metrics;
    mm_graphiql graphiql;
    mm_http_io *io;
    unsigned io_count;
    mm_http_stream_hooks stream_hooks; /* copied from cfg.streams */
    int streams;                       /* cfg.streams was set */
    struct mm_sse_tokens *sse_tokens;  /* graphql-sse reservations (with streams) */

    /* Requests between their head and their last byte sent, for graceful stop. */
    pthread_mutex_t flight_lock;
    pthread_cond_t flight_cond;
    long flight;

    /* Connection limits (limits.c). */
    atomic_uint connections;
    pthread_mutex_t ip_lock;
    struct mm_http_ip_count *ip_buckets[256];
    /* Refusal log rate limiting, per kind. */
    atomic_ullong refuse_last_ns[MM_HTTP_REFUSE_COUNT];
    atomic_ullong refuse_unlogged[MM_HTTP_REFUSE_COUNT];
};

uint64_t mm_http_now_ns(void);

/* {"errors":[{"message":msg,"extensions":{"code":code}}]} serialized (malloc'd);
 * code may be NULL. Never NULL: falls back to a static-size copy on OOM. */
char *mm_http_error_json(const char *msg, const char *code, size_t *len);

/* Creates the responder for a parsed request (takes over req); refs = 2. */
/* mm_http_respond_text with the status given (sse_single.c's 202, 404,
 * 409...): text is malloc'd and taken (NULL: an empty body). */
int mm_http_respond_status(mm_http_responder *r, unsigned status, char *text, size_t len);

mm_http_responder *mm_http_responder_new(mm_http_server *server, mm_http_conn *conn, mm_http_io *io,
                                         mm_http_graphql_request *req, const char *remote);
void mm_http_responder_release(mm_http_responder *r);
/* On the loop thread, after the handler returned: 1 when an answer is stored
 * (send it now), 0 when the connection must wait (state SUSPENDED). */
int mm_http_responder_settle(mm_http_responder *r);
/* On the loop thread: the server answers a waiting request itself (deadline,
 * shutdown) or the client left; runs the cancel callback. 1 when this call
 * stored the answer (send it unless the client left). */
int mm_http_responder_cancel(mm_http_responder *r, mm_http_cancel_reason reason);
/* On the loop thread: the connection lets go of r (sets r->conn = NULL). */
void mm_http_responder_detach(mm_http_responder *r);

#endif
