/* http_server.h -- the GraphQL-over-HTTP server (our own strict HTTP/1.1 on
 * libuv event loops), independent of the GraphQL engine.
 *
 * The server owns the transport: routing, GraphQL-over-HTTP request parsing
 * (GET and POST), Accept / Content-Type negotiation, status codes, CORS,
 * GraphiQL, /healthz, /readyz, /metrics, the access log, deadlines and
 * graceful shutdown. What a GraphQL request *means* is decided by one
 * callback, mm_http_graphql_fn, which the engine (or a test) supplies.
 *
 * Answering later, from any thread. The handler receives a responder. It may
 * answer before it returns (mm_http_respond), or keep the responder and answer
 * later from any thread; meanwhile the connection waits on its event loop
 * and holds no thread. Exactly one path resumes it: the answer, stored by
 * mm_http_respond on whatever thread, is posted to the connection's loop.
 *
 * Threads. The server runs `threads` I/O threads, each a libuv loop owning
 * its listening socket (SO_REUSEPORT), its client connections and a timer per
 * connection. The handler, the readiness callback and the cancel callback
 * run on the I/O thread of the request's connection (except that a cancel
 * callback registered after the fact runs at once on the registering
 * thread). mm_http_respond* may be called from any thread.
 *
 * Ownership (no use-after-free when the result and the deadline race):
 *   - The handler receives ONE reference to the responder and must give it
 *     back exactly once, by calling mm_http_respond() (or
 *     mm_http_respond_error()), whatever happens. After that call the handler
 *     must not touch the responder or the request again.
 *   - If the request deadline (or a shutdown) comes first, the server answers
 *     the client itself (504 / 503 with a GraphQL error), and then calls the
 *     cancel callback registered with mm_http_responder_on_cancel() so the
 *     handler can drop its waiter early. The responder stays valid: the
 *     handler's later mm_http_respond() returns MM_ETIMEDOUT and frees the
 *     body. Memory is freed only once both the handler and the connection have
 *     let go (a reference count), so the two sides can race freely.
 *   - Once the handler's mm_http_respond() returns, the cancel callback has
 *     finished (a respond from another thread waits for a callback that is
 *     running) and will never run, so the handler may free what it gave the
 *     callback right after responding.
 *   - The request (query, variables, ...) lives inside the responder and is
 *     valid until the handler's mm_http_respond() call.
 */
#ifndef MM_HTTP_SERVER_H
#define MM_HTTP_SERVER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/log.h"
#include "common/trace.h"

typedef struct mm_http_server mm_http_server;
struct uv_loop_s; /* libuv's uv_loop_t (include <uv.h> to use it) */
typedef struct mm_http_responder mm_http_responder;

/* Response media types (negotiated from Accept). */
typedef enum mm_http_media {
    MM_HTTP_MEDIA_NONE = 0,                  /* nothing acceptable: 406 */
    MM_HTTP_MEDIA_JSON = 1,                  /* application/json (legacy) */
    MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON = 2, /* application/graphql-response+json */
    MM_HTTP_MEDIA_HTML = 3,                  /* text/html: the GraphiQL page */
} mm_http_media;

/* What happened to a GraphQL request, as only the engine knows. The server
 * turns it into a status code according to the negotiated media type:
 *
 *   outcome              graphql-response+json   application/json
 *   EXECUTED             200                     200
 *   BAD_REQUEST          400                     400
 *   PARSE_ERROR          400                     200
 *   VALIDATION_ERROR     400                     200
 *   VARIABLES_ERROR      400                     200
 *   OPERATION_ERROR      400                     200
 *   MUTATION_OVER_GET    405 (Allow: POST)       405 (Allow: POST)
 *   INTERNAL_ERROR       500                     500
 *   UNAVAILABLE          503                     503
 *   STOPPED_TOO_LARGE    413                     200
 *   STOPPED_TIMEOUT      504                     200
 *   STOPPED_SHUTDOWN     503                     200
 *
 * STOPPED_*: the execution was stopped by a bound (execute.h STOPPING):
 * the response cap or the field budget (RESPONSE_TOO_LARGE,
 * FIELD_LIMIT_EXCEEDED), the execution deadline (EXECUTION_TIMEOUT), the
 * server's shutdown (SHUTTING_DOWN). No partial data is given: with
 * graphql-response+json the body is a request error ({"errors":[...]}, no
 * "data"), which the GraphQL-over-HTTP spec lets a server answer with 4xx
 * or 5xx; with application/json it is {"errors":[...],"data":null} and 200,
 * as that spec asks for every well-formed request (legacy clients read the
 * body only on 200). docs/http.md has the table.
 */
typedef enum mm_http_outcome {
    MM_HTTP_OUTCOME_EXECUTED = 0, /* the operation ran; body has "data" (maybe with field errors) */
    MM_HTTP_OUTCOME_BAD_REQUEST, /* not a well-formed GraphQL request (e.g. unsupported extension) */
    MM_HTTP_OUTCOME_PARSE_ERROR,       /* the document does not parse */
    MM_HTTP_OUTCOME_VALIDATION_ERROR,  /* the document fails validation */
    MM_HTTP_OUTCOME_VARIABLES_ERROR,   /* variable values cannot be coerced */
    MM_HTTP_OUTCOME_OPERATION_ERROR,   /* operationName missing, unknown or ambiguous */
    MM_HTTP_OUTCOME_MUTATION_OVER_GET, /* a mutation was sent with GET */
    MM_HTTP_OUTCOME_INTERNAL_ERROR,    /* the engine failed */
    MM_HTTP_OUTCOME_UNAVAILABLE,       /* the engine cannot serve now */
    MM_HTTP_OUTCOME_STOPPED_TOO_LARGE, /* stopped: response cap or field budget passed */
    MM_HTTP_OUTCOME_STOPPED_TIMEOUT,   /* stopped: execution deadline passed */
    MM_HTTP_OUTCOME_STOPPED_SHUTDOWN,  /* stopped: the server is shutting down */
    MM_HTTP_OUTCOME_COUNT_
} mm_http_outcome;

/* Why the server answered a waiting request itself. */
typedef enum mm_http_cancel_reason {
    MM_HTTP_CANCEL_DEADLINE = 1,    /* request deadline passed: client got 504 */
    MM_HTTP_CANCEL_SHUTDOWN = 2,    /* server stopping: client got 503 */
    MM_HTTP_CANCEL_CLIENT_GONE = 3, /* the client closed its connection: nobody gets an answer */
} mm_http_cancel_reason;

/* A parsed GraphQL-over-HTTP request. Strings are NUL-terminated UTF-8. */
typedef struct mm_http_graphql_request {
    const char *query;          /* never NULL once parsed */
    const char *operation_name; /* NULL when absent or null */
    json_t *variables;          /* a JSON object, or NULL when absent or null */
    json_t *extensions;         /* a JSON object, or NULL when absent or null */
    int is_get;                 /* 1 for GET: the handler must refuse mutations
                                   with MM_HTTP_OUTCOME_MUTATION_OVER_GET */
    mm_http_media media;        /* negotiated response media type */
    const char *remote;         /* client address "ip:port" ("" when unknown) */
    mm_trace_ctx trace;         /* the request's server span (docs/tracing.md); not valid
                                   when tracing is off */
} mm_http_graphql_request;

/* The engine's entry point. Called on a server thread; see the ownership rules
 * above. Must not block for long: keep the responder and answer later. */
typedef void (*mm_http_graphql_fn)(void *ud, const mm_http_graphql_request *req,
                                   mm_http_responder *responder);

/* Readiness probe for /readyz: return 1 when ready; else 0 and write a short
 * reason into reason (NUL-terminated). Called on a server thread. */
typedef int (*mm_http_ready_fn)(void *ud, char *reason, size_t reason_size);

/* Called at most once, on the connection's I/O thread, after the server has
 * answered a waiting request itself or its client went away (so the engine
 * can stop the work). The handler still owns its reference and must still
 * call mm_http_respond() (it may do so from inside this callback). */
typedef void (*mm_http_cancel_fn)(void *arg, mm_http_responder *responder,
                                  mm_http_cancel_reason reason);

/* An extra static page served with GET/HEAD at exactly `path` (e.g. the
 * manager's dashboard at /manager). The server copies path, content type
 * and body when it is created. */
typedef struct mm_http_page {
    const char *path;         /* starts with '/'; must not be a built-in route */
    const char *content_type; /* e.g. "text/html; charset=utf-8" */
    const char *body;
    size_t body_len;
} mm_http_page;

/* Runs on an I/O thread: loop_start before the loop accepts its first
 * connection, loop_stop when the server stops, after the HTTP side of the
 * loop is done and before the loop ends (close your handles on it there:
 * whatever is still open afterwards is closed by force). */
typedef void (*mm_http_loop_fn)(void *ud, unsigned index, struct uv_loop_s *loop);

/* ---- streams: GraphQL subscriptions over SSE and WebSocket (stream.c) ----
 *
 * With stream hooks configured, the GraphQL endpoint also accepts
 *   - GraphQL over Server-Sent Events (graphql-sse, distinct connections
 *     mode): a GET or POST whose Accept names text/event-stream; the request
 *     is one operation, answered with `event: next` messages and one
 *     `event: complete`, then the connection ends;
 *   - graphql-sse's single connection mode (sse_single.c): PUT makes a
 *     reservation (a token), a GET with the token opens its one event
 *     stream, POSTs with the token start operations on it (their
 *     `extensions.operationId` is the id the hooks see) and DELETE stops
 *     one;
 *   - GraphQL over WebSocket (graphql-ws's graphql-transport-ws
 *     subprotocol): a GET with Upgrade: websocket; connection_init (payload
 *     to connection_init), then any number of subscribe/complete.
 * The server owns the framing, keep-alive pings, a byte limit on each
 * connection's unsent output and the close codes; the hooks decide what an
 * operation means. Every hook runs on the connection's I/O thread, and every
 * mm_http_stream_* call must be made there too (post to its loop with
 * mm_http_server_post and mm_http_stream_loop). A hook is never called from
 * inside an mm_http_stream_* call: closes those calls cause happen later on
 * the loop. */
typedef struct mm_http_stream mm_http_stream;

typedef struct mm_http_stream_hooks {
    /* WebSocket connection_init: payload is its "payload" (NULL when absent).
     * 0 acknowledges; anything else closes with 4403 Forbidden. NULL: accept all. */
    int (*connection_init)(void *ud, json_t *payload);
    /* A subscribe (WebSocket) or the request itself (SSE). The hook answers
     * with mm_http_stream_next/_error/_complete, now or later, and stores in
     * *op_data what its unsubscribe needs. Returns 0 when the operation is
     * (or was) started; nonzero means it already answered with an error. */
    int (*subscribe)(void *ud, mm_http_stream *st, const char *id,
                     const mm_http_graphql_request *req, void **op_data);
    /* The operation ends from the client's side (complete, connection gone,
     * server shutdown) while still active; after it the hook must not use
     * (st, id) again. Not called for operations the hook completed itself. */
    void (*unsubscribe)(void *ud, mm_http_stream *st, const char *id, void *op_data);
    void *ud;
    size_t max_queue_bytes;          /* unsent output per connection; past it the client is
                                         too slow and is cut off; default 1 MiB */
    unsigned keepalive_ms;           /* pings (WebSocket) / comments (SSE); default 12000 */
    unsigned init_timeout_ms;        /* connection_init must come within; default 3000 (4408) */
    unsigned max_ops_per_connection; /* active operations of one WebSocket; default 100 */
    size_t max_message_bytes;        /* a client WebSocket message; default max_body_bytes */
    /* graphql-sse single connection mode (PUT reservations, sse_tokens.h):
     * tokens held at once (default 10000), per client address (0: no
     * bound, the default), and how long a reservation waits for its stream
     * (default 30000 ms). */
    unsigned max_reservations;
    unsigned max_reservations_per_ip;
    unsigned reservation_ms;
} mm_http_stream_hooks;

/* Sends a result (the JSON text of an execution result, {"data":...}).
 * 0, MM_ENOTFOUND (no such active operation) or MM_ELIMIT: the client is too
 * slow (its unsent output passed max_queue_bytes); it gets an error and the
 * connection closes (its operations are unsubscribed later). */
int mm_http_stream_next(mm_http_stream *st, const char *id, const char *json, size_t len);
/* A result's message built once and written to many streams: the bytes of
 * `next` for one operation id over one transport. Zero-initialise one per
 * result and transport (mm_http_stream_next_shared fills it on first use),
 * mm_http_stream_frame_clear it after the fan-out; loop thread only. */
typedef struct mm_http_stream_frame {
    int kind;  /* 0: not built yet */
    char *id;  /* the operation id it was built for (SSE: "") */
    char *buf; /* the whole message as written */
    size_t len;
} mm_http_stream_frame;
/* mm_http_stream_next, but the message comes from *f when f was built for
 * this stream's transport and this id (built now when f is empty); another
 * id or transport is sent as mm_http_stream_next does. Same results. */
int mm_http_stream_next_shared(mm_http_stream *st, const char *id, const char *json, size_t len,
                               mm_http_stream_frame *f);
void mm_http_stream_frame_clear(mm_http_stream_frame *f);
/* Ends an operation with GraphQL errors (errors_json: a JSON array text). */
int mm_http_stream_error(mm_http_stream *st, const char *id, const char *errors_json);
/* Ends an operation normally. */
int mm_http_stream_complete(mm_http_stream *st, const char *id);
/* The index of the I/O thread (loop) the stream lives on. */
unsigned mm_http_stream_loop(const mm_http_stream *st);
/* "sse", "sse1" (graphql-sse single connection mode) or "ws", and the
 * client address, for logs. */
const char *mm_http_stream_kind(const mm_http_stream *st);
const char *mm_http_stream_remote(const mm_http_stream *st);

typedef struct mm_http_config {
    const char *host;         /* listen address; default "127.0.0.1" */
    uint16_t port;            /* 0 = an ephemeral port (see mm_http_server_port) */
    const char *graphql_path; /* default "/graphql" */
    unsigned threads;         /* I/O threads (event loops); 0 = one per online core (the default) */
    size_t max_body_bytes;    /* request body limit, chunked too (413 past it); default 1 MiB */
    size_t max_header_bytes;  /* request line + header fields (431 past it); default 32 KiB */
    size_t max_url_bytes;     /* request-target length (414 past it); default 16 KiB */
    unsigned max_connections; /* concurrent connections (503 + close past it); default 4096,
                                      lowered to what RLIMIT_NOFILE allows */
    unsigned connection_timeout_s; /* keep-alive idle timeout; also the deadline of a whole request
                                      body and of writing an answer; default 30 s */
    unsigned header_timeout_ms; /* the whole header phase: from accept (or from the first byte of a
                                      later request on the connection) to the blank line; default 10000 */
    unsigned max_requests_per_connection; /* keep-alive limit; default 100000 */
    unsigned max_connections_per_ip;      /* 0 = no per-client limit (the default: a proxy
                                        in front makes every client one address) */
    unsigned request_timeout_ms;          /* deadline of a waiting request, counted from when the
                                      handler returned without answering; default 30000.
                                      Waiting requests ignore connection_timeout_s. */
    const char *cors_origins;             /* NULL/"" = CORS off; "*" or "https://a,https://b" */
    const char *graphiql_dir;             /* GraphiQL assets; NULL = look next to the binary;
                                      "" = never serve locally (CDN fallback) */
    int disable_graphiql;                 /* 1 = no GraphiQL page */
    int log_level;                        /* an mm_log_level, or -1 to leave the global level */
    int disable_access_log;               /* 1 = no per-request line */
    mm_http_ready_fn ready_fn;            /* NULL = always ready */
    void *ready_ud;
    const mm_http_page *pages; /* extra static pages (copied), NULL = none */
    size_t page_count;
    const struct mm_http_stream_hooks *streams; /* NULL = no SSE/WebSocket (copied) */
    mm_http_loop_fn loop_start;                 /* NULL = none; see mm_http_loop_fn */
    mm_http_loop_fn loop_stop;
    void *loop_ud;
} mm_http_config;

/* Fills cfg with the defaults above. */
void mm_http_config_init(mm_http_config *cfg);

/* Creates a server (not yet listening). cfg is copied (strings too). Returns
 * NULL on invalid configuration or out of memory (reason logged). */
mm_http_server *mm_http_server_new(const mm_http_config *cfg, mm_http_graphql_fn handler, void *ud);

/* Binds and starts serving. 0 or a negative MM_E* code. */
int mm_http_server_start(mm_http_server *server);

/* The bound TCP port (useful with port 0), or 0 when not started. */
uint16_t mm_http_server_port(const mm_http_server *server);

/* Graceful stop: stops accepting, lets in-flight and waiting requests finish
 * for up to deadline_ms, answers the ones still waiting with a 503 shutdown
 * error (cancel callbacks run), then closes everything. Idempotent; a stopped
 * server cannot be started again. Never call it from a handler or a cancel
 * callback (it joins the threads those run on). */
int mm_http_server_stop(mm_http_server *server, unsigned deadline_ms);

/* ---- the event loops, for components that run on them (e.g. an async
 * Redis client). Valid from mm_http_server_start until mm_http_server_stop. */

/* The number of I/O threads (0 before start). */
unsigned mm_http_server_loop_count(const mm_http_server *server);

/* The libuv loop of I/O thread i (< loop_count), or NULL. Use it only from
 * that thread: from a loop_start/loop_stop hook or a posted function. */
struct uv_loop_s *mm_http_server_loop(mm_http_server *server, unsigned i);

/* Runs fn(ud) on I/O thread i, soon, in order of posting (callable from any
 * thread, that one included). Returns 0 (fn will run exactly once, unless the
 * server stops first: posts still queued when a loop ends run during its
 * stop, before loop_stop), MM_EINVAL (no such loop, or stopped), MM_ELIMIT
 * (65536 posts already queued) or MM_ENOMEM. */
int mm_http_server_post(mm_http_server *server, unsigned i, void (*fn)(void *ud), void *ud);

/* Stops (with a zero deadline) if needed and frees. NULL is a no-op. */
void mm_http_server_free(mm_http_server *server);

/* Answers a request: outcome picks the status code (table above), body is
 * the GraphQL response object (its reference is stolen; NULL means an empty
 * object). Callable from any thread, exactly once per responder. Returns 0,
 * or MM_ETIMEDOUT when the server had already answered (deadline/shutdown);
 * either way the responder must not be used afterwards. */
int mm_http_respond(mm_http_responder *responder, mm_http_outcome outcome, json_t *body);

/* mm_http_respond with the response already written as JSON text: text is
 * malloc'd and now the server's (NULL means an empty object), len its length;
 * has_errors tells whether it holds GraphQL "errors" (for the metrics). */
int mm_http_respond_text(mm_http_responder *responder, mm_http_outcome outcome, char *text,
                         size_t len, bool has_errors);

/* mm_http_respond with {"errors":[{"message": message}]}. */
int mm_http_respond_error(mm_http_responder *responder, mm_http_outcome outcome,
                          const char *message);

/* Registers the cancel callback (see above). If the request was already
 * cancelled, fn is called at once from this thread. */
void mm_http_responder_on_cancel(mm_http_responder *responder, mm_http_cancel_fn fn, void *arg);

/* 1 once the server has answered this request itself (deadline/shutdown) or
 * its client went away. */
int mm_http_responder_cancelled(mm_http_responder *responder);

/* The request this responder answers (valid until mm_http_respond). */
const mm_http_graphql_request *mm_http_responder_request(mm_http_responder *responder);

/* Runs fn(ud) on the I/O thread of the responder's connection, as
 * mm_http_server_post does for that loop (same results). Any thread, while
 * the handler still holds the responder (before its mm_http_respond). */
int mm_http_responder_post(mm_http_responder *responder, void (*fn)(void *ud), void *ud);

/* ---- the transport-independent pieces, exposed for tests and fuzzing ---- */

/* One URL query parameter, already percent-decoded. */
typedef struct mm_http_param {
    const char *key;
    const char *value; /* may be NULL for "?key" */
} mm_http_param;

/* The parts of an HTTP request that GraphQL-over-HTTP parsing looks at. */
typedef struct mm_http_raw_request {
    const char *method;       /* "GET", "POST", ... */
    const char *content_type; /* NULL when absent */
    const char *body;         /* POST body (need not be NUL-terminated) */
    size_t body_len;
    const mm_http_param *params; /* GET query parameters */
    size_t param_count;
} mm_http_raw_request;

/* request_body.c: the common POST body envelope ("query" a string without
 * \u escapes; "operationName" a string or null; "variables" and
 * "extensions" null or {}) read without jansson into out (zeroed). Returns 1
 * when it did, 0 for anything else (out untouched): the general path of
 * mm_http_request_parse then reads the body, with its error messages. body
 * must be valid UTF-8. */
int mm_http_request_body_fast(const char *body, size_t len, mm_http_graphql_request *out);

/* Parses a GraphQL-over-HTTP request into out (zeroed first; free it with
 * mm_http_graphql_request_clear). Returns 0, or the HTTP status to answer
 * with (400, 405, 415) and a message in errbuf. Never crashes on any input. */
int mm_http_request_parse(const mm_http_raw_request *raw, mm_http_graphql_request *out,
                          char *errbuf, size_t errsize);

/* Frees what mm_http_request_parse allocated and zeroes the struct. */
void mm_http_graphql_request_clear(mm_http_graphql_request *req);

/* Picks the response media type from an Accept header (NULL = absent:
 * application/json, for legacy clients). text/html is chosen only when
 * allow_html and the client names it explicitly and prefers it to JSON. */
mm_http_media mm_http_negotiate(const char *accept, int allow_html);

/* 1 when a POST Content-Type is application/json (charset, if any, utf-8). */
int mm_http_content_type_ok(const char *content_type);

/* 1 when s[0..len) is valid UTF-8 (no overlongs, no surrogates). */
int mm_http_utf8_valid(const char *s, size_t len);

/* The status code for an outcome under a media type (the table above). */
unsigned mm_http_outcome_status(mm_http_outcome outcome, mm_http_media media);

/* Stable lower-case name of an outcome, for metrics and logs. */
const char *mm_http_outcome_name(mm_http_outcome outcome);

#endif
