/* http_internal.h -- what the files of src/http share and nobody else sees:
 * the server and responder structs, metrics, access log, CORS and GraphiQL. */
#ifndef MM_HTTP_INTERNAL_H
#define MM_HTTP_INTERNAL_H

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "http/http_server.h"

/* ---- metrics (metrics.c) ---- */

enum { MM_HTTP_METHOD_GET, MM_HTTP_METHOD_POST, MM_HTTP_METHOD_OPTIONS, MM_HTTP_METHOD_OTHER,
       MM_HTTP_METHOD_COUNT };

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
enum { MM_HTTP_ERRKIND_EXECUTION = MM_HTTP_OUTCOME_COUNT_, MM_HTTP_ERRKIND_REQUEST,
       MM_HTTP_ERRKIND_TIMEOUT, MM_HTTP_ERRKIND_SHUTDOWN, MM_HTTP_ERRKIND_COUNT };

#define MM_HTTP_STATUS_SLOTS 12
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

/* ---- CORS (cors.c) ---- */

/* The Access-Control-Allow-Origin value for this Origin, or NULL (not allowed
 * or CORS off). Points into origin or a static string. */
const char *mm_http_cors_allow(const char *allowed_list, const char *origin);
/* Adds CORS headers to resp when the origin is allowed; preflight adds the
 * method/header/max-age headers too. */
void mm_http_cors_apply(struct MHD_Response *resp, const char *allowed_list, const char *origin,
                        int preflight, const char *request_headers);

/* ---- GraphiQL (graphiql.c, graphiql_template.c) ---- */

extern const char mm_graphiql_template[];

typedef struct mm_graphiql_asset {
    const char *name;         /* file name under the asset dir and under /graphiql/ */
    const char *content_type;
    char *data;               /* loaded at start; NULL when absent */
    size_t len;
} mm_graphiql_asset;

#define MM_GRAPHIQL_ASSET_COUNT 4

typedef struct mm_graphiql {
    mm_graphiql_asset assets[MM_GRAPHIQL_ASSET_COUNT];
    int local;     /* 1 when every asset was loaded: the page uses /graphiql/... */
    char *page;    /* the rendered HTML */
    size_t page_len;
    char *dir;     /* where the assets were found, or NULL */
} mm_graphiql;

/* Finds and loads the assets (dir NULL = auto, "" = none) and renders the page
 * for endpoint. 0 or MM_ENOMEM. */
int mm_graphiql_init(mm_graphiql *g, const char *dir, const char *endpoint);
void mm_graphiql_free(mm_graphiql *g);
/* The asset named name (the part after /graphiql/), or NULL. */
const mm_graphiql_asset *mm_graphiql_find(const mm_graphiql *g, const char *name);

/* ---- responder and server (responder.c, server.c) ---- */

typedef enum mm_responder_state {
    MM_RESPONDER_IN_HANDLER = 0, /* the handler (or a continuation) runs on a server thread */
    MM_RESPONDER_SUSPENDED,      /* the connection waits; the responder is in the wait list */
    MM_RESPONDER_RESUMING,       /* resumed for a continuation; a worker will pick it up */
    MM_RESPONDER_DONE,           /* an answer is stored and being sent */
} mm_responder_state;

struct mm_http_responder {
    pthread_mutex_t lock;
    atomic_int refs;              /* the connection's and the handler's */
    mm_http_server *server;
    struct MHD_Connection *conn;
    mm_http_graphql_request req;  /* owned */
    char remote[64];

    /* Guarded by lock. */
    mm_responder_state state;
    int answered;                 /* an answer is stored (by the handler or the server) */
    int cancelled;                /* the server answered (deadline/shutdown) */
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
    mm_http_continue_fn continue_fn; /* a continuation waiting to run, or NULL */
    void *continue_arg;
    unsigned status;
    char *body;                   /* the serialized answer */
    size_t body_len;
    mm_http_result result;

    /* Guarded by the server's wait lock. */
    uint64_t deadline_ns;         /* CLOCK_MONOTONIC */
    int in_wait_list;
    mm_http_responder *prev, *next;
};

struct mm_http_server {
    mm_http_config cfg;           /* strings below are owned copies */
    mm_http_graphql_fn handler;
    void *ud;
    struct MHD_Daemon *daemon;
    uint16_t port;
    int started, stopped;
    MHD_socket quiesced_fd;
    atomic_int stopping;          /* Connection: close on every answer */
    mm_http_metrics metrics;
    mm_graphiql graphiql;

    /* The wait list: suspended responders by deadline, and the reaper thread. */
    pthread_mutex_t wait_lock;
    pthread_cond_t wait_cond;
    mm_http_responder *wait_head, *wait_tail;
    int no_more_waiting;          /* shutting down: new waits are cancelled at once */
    int reaper_quit;
    pthread_t reaper;
    int reaper_started;

    /* In-flight requests, for graceful stop. */
    pthread_mutex_t flight_lock;
    pthread_cond_t flight_cond;
    long flight;
};

uint64_t mm_http_now_ns(void);

/* {"errors":[{"message":msg,"extensions":{"code":code}}]} serialized (malloc'd);
 * code may be NULL. Never NULL: falls back to a static-size copy on OOM. */
char *mm_http_error_json(const char *msg, const char *code, size_t *len);

/* Creates the responder for a parsed request (takes over req); refs = 2. */
mm_http_responder *mm_http_responder_new(mm_http_server *server, struct MHD_Connection *conn,
                                         mm_http_graphql_request *req, const char *remote);
void mm_http_responder_release(mm_http_responder *r);
/* What the worker does after the handler or a continuation returned. */
typedef enum mm_settle {
    MM_SETTLE_ANSWERED,  /* queue the stored answer now */
    MM_SETTLE_SUSPENDED, /* the connection was suspended and joined the wait list */
    MM_SETTLE_CONTINUE,  /* run *fn(*arg, r) on this thread, then settle again */
} mm_settle;
mm_settle mm_http_responder_settle(mm_http_responder *r, mm_http_continue_fn *fn, void **arg);
/* The connection is closing with a continuation never run (server stopping):
 * marks the request cancelled (shutdown) and runs it so its owner can clean up. */
void mm_http_responder_abandon(mm_http_responder *r);
/* Answers every waiting responder with a shutdown error. */
void mm_http_responder_cancel_all(mm_http_server *server);
int mm_http_reaper_start(mm_http_server *server);
void mm_http_reaper_stop(mm_http_server *server);

#endif
