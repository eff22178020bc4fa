/* gateway.c -- running GraphQL requests for the HTTP server (gateway.h). */
#include "service/gateway.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "common/trace.h"
#include "metamorphosis.h"

/* Offloaded resolvers waiting for a blocking-pool thread, at most. */
#define MAX_OFFLOADS_QUEUED 4096

/* One request in flight. Its states, guarded by lock:
 *   running     -- a thread is inside the engine with it (one at a time)
 *   queued      -- a wake arrived; it is (or will be, once the running step
 *                  ends) posted to the connection's I/O thread
 *   offloading  -- how many root-field resolvers run on the blocking pool
 *                  (each may use the request's memory until it returns; a
 *                  second can start once the first has settled its field)
 *   cancelled   -- the HTTP server answered it itself (deadline, shutdown)
 * A wake never posts a running job (the step's end does), and is ignored
 * once the job is cancelled and idle: then the cancelling side owns it.
 * refs: the engine side holds one, an offloaded resolver another, so the
 * struct outlives whichever of the two ends last. */
typedef struct job {
    pthread_mutex_t lock;
    mm_gateway *gw;
    mm_http_responder *responder;
    mm_graphql_request *req;
    int refs;
    bool queued;
    bool running;
    unsigned offloading;
    bool cancelled;
    atomic_bool stop;   /* the engine's cancel flag: set by on_cancel, read while running */
    mm_trace_ctx trace; /* trace: the request's server span (valid only when tracing is on),
                           the current context of every step and offloaded resolver */
} job;

/* The job whose engine step runs on this thread right now (every step runs
 * on the connection's I/O thread): resolvers that may block
 * are handed off from there. */
static _Thread_local job *tl_io_job;

static void job_release(job *j) {
    pthread_mutex_lock(&j->lock);
    int left = --j->refs;
    pthread_mutex_unlock(&j->lock);
    if (left > 0) return;
    pthread_mutex_destroy(&j->lock);
    free(j);
}

mm_http_outcome mm_gateway_http_outcome(mm_graphql_outcome o) {
    switch (o) {
    case MM_GRAPHQL_EXECUTED: return MM_HTTP_OUTCOME_EXECUTED;
    case MM_GRAPHQL_PARSE_ERROR: return MM_HTTP_OUTCOME_PARSE_ERROR;
    case MM_GRAPHQL_VALIDATION_ERROR: return MM_HTTP_OUTCOME_VALIDATION_ERROR;
    case MM_GRAPHQL_VARIABLES_ERROR: return MM_HTTP_OUTCOME_VARIABLES_ERROR;
    case MM_GRAPHQL_OPERATION_ERROR: return MM_HTTP_OUTCOME_OPERATION_ERROR;
    case MM_GRAPHQL_MUTATION_OVER_GET: return MM_HTTP_OUTCOME_MUTATION_OVER_GET;
    case MM_GRAPHQL_PENDING: /* never answered while pending */
    case MM_GRAPHQL_INTERNAL_ERROR:
    default: return MM_HTTP_OUTCOME_INTERNAL_ERROR;
    }
}

/* A mutation refused because no Kafka broker is reachable is a 503: the
 * server cannot serve it now, and nothing was published. */
static bool kafka_unavailable(const job *j, const char *text) {
    return mm_graphql_request_is_mutation(j->req) && mm_graphql_request_has_errors(j->req) &&
           strstr(text, "\"code\":\"KAFKA_UNAVAILABLE\"") != NULL;
}

/* An execution stopped by a bound (mm_http_outcome STOPPED_*), or
 * EXECUTED. With graphql-response+json the stop is answered as a request
 * error: the text {"errors":[...],"data":null} loses its "data" (*len cut). */
static mm_http_outcome stopped_outcome(const job *j, char *text, size_t *len) {
    mm_http_outcome ho;
    switch (mm_graphql_request_stop_reason(j->req)) {
    case MM_GQL_STOP_RESPONSE_TOO_LARGE:
    case MM_GQL_STOP_FIELD_LIMIT: ho = MM_HTTP_OUTCOME_STOPPED_TOO_LARGE; break;
    case MM_GQL_STOP_TIMEOUT: ho = MM_HTTP_OUTCOME_STOPPED_TIMEOUT; break;
    case MM_GQL_STOP_SHUTDOWN: ho = MM_HTTP_OUTCOME_STOPPED_SHUTDOWN; break;
    case MM_GQL_STOP_CANCELLED: /* nobody reads it, or the server answered already */
    case MM_GQL_STOP_NONE:
    default: return MM_HTTP_OUTCOME_EXECUTED;
    }
    const mm_http_graphql_request *req = mm_http_responder_request(j->responder);
    static const char tail[] = ",\"data\":null}";
    size_t n = sizeof tail - 1;
    if (req && req->media == MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON && *len > n &&
        memcmp(text + *len - n, tail, n) == 0) {
        *len -= n - 1;
        text[*len - 1] = '}';
        text[*len] = '\0';
    }
    return ho;
}

/* Answers from the engine's final outcome and frees the job. */
static void job_finish(job *j) {
    mm_graphql_outcome o = mm_graphql_request_outcome(j->req);
    size_t len;
    char *text = mm_graphql_request_take_response_text(j->req, &len);
    if (text) {
        mm_http_outcome ho = mm_gateway_http_outcome(o);
        if (o == MM_GRAPHQL_EXECUTED && kafka_unavailable(j, text))
            ho = MM_HTTP_OUTCOME_UNAVAILABLE;
        else if (o == MM_GRAPHQL_EXECUTED)
            ho = stopped_outcome(j, text, &len);
        mm_http_respond_text(j->responder, ho, text, len, mm_graphql_request_has_errors(j->req));
    } else {
        mm_http_respond_error(j->responder, MM_HTTP_OUTCOME_INTERNAL_ERROR, "out of memory");
    }
    mm_graphql_request_free(j->req);
    j->req = NULL;
    job_release(j);
}

/* The caller owns an idle, cancelled job: stop the engine (no wake after
 * this), let it produce its "cancelled" result, answer and free. */
static void cancel_and_finish(job *j) {
    mm_graphql_request_cancel(j->req);
    mm_graphql_request_run(j->req);
    job_finish(j);
}

static void run_job(void *ud);

/* Hands a queued job to its connection's I/O thread: the one path by which
 * a paused request resumes. When the loop refuses (it is ending, and the
 * server answers the request itself; or out of memory) the job goes idle;
 * if it was cancelled meanwhile, this thread finishes it (the cancel
 * callback saw it queued and left it), else the HTTP deadline's cancel
 * will. */
static void resume(job *j) {
    if (mm_http_responder_post(j->responder, run_job, j) == 0) return;
    pthread_mutex_lock(&j->lock);
    j->queued = false;
    bool cancel = j->cancelled && !j->running && j->offloading == 0;
    pthread_mutex_unlock(&j->lock);
    if (cancel) cancel_and_finish(j);
}

/* After a step of the engine on this thread: finish, go on, or hand over. */
static void after_step(job *j, mm_graphql_outcome o) {
    if (o != MM_GRAPHQL_PENDING) {
        job_finish(j);
        return;
    }
    pthread_mutex_lock(&j->lock);
    j->running = false;
    bool repost = j->queued;
    bool cancel = !repost && j->cancelled && j->offloading == 0;
    pthread_mutex_unlock(&j->lock);
    if (repost)
        resume(j);
    else if (cancel)
        cancel_and_finish(j);
}

static void run_job(void *ud) {
    job *j = ud;
    pthread_mutex_lock(&j->lock);
    j->queued = false;
    j->running = true;
    pthread_mutex_unlock(&j->lock);
    /* On the connection's I/O thread: a later root field's blocking
     * resolver is handed off from here too, as from the first step. */
    tl_io_job = j;
    const mm_trace_ctx *prev = j->trace.valid ? mm_trace_enter(&j->trace) : NULL;
    mm_graphql_outcome o = mm_graphql_request_run(j->req);
    if (j->trace.valid) mm_trace_leave(prev);
    tl_io_job = NULL;
    after_step(j, o);
}

/* The engine's wake: runs on the settling thread (the producer's delivery
 * thread, the dependencies loop for results and deadlines, a blocking-pool
 * thread for an offloaded resolver), which must return quickly, possibly
 * while a step of this request still runs on the I/O thread; so it never
 * runs the engine itself: it posts the job to the connection's I/O thread
 * (unless a step is running: that step's end posts it). */
static void on_wake(void *ud) {
    job *j = ud;
    pthread_mutex_lock(&j->lock);
    bool ignore = j->queued || (j->cancelled && !j->running);
    if (!ignore) j->queued = true;
    bool post_now = !ignore && !j->running;
    pthread_mutex_unlock(&j->lock);
    if (post_now) resume(j);
}

static void on_cancel(void *arg, mm_http_responder *responder, mm_http_cancel_reason reason) {
    (void)responder;
    (void)reason;
    job *j = arg;
    atomic_store(&j->stop, true); /* a running execution stops at its next field */
    pthread_mutex_lock(&j->lock);
    j->cancelled = true;
    bool busy = j->queued || j->running || j->offloading > 0;
    pthread_mutex_unlock(&j->lock);
    if (!busy) cancel_and_finish(j); /* else the step's or offload's end sees cancelled */
}

void mm_gateway_handle(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder) {
    mm_gateway *gw = ud;
    job *j = calloc(1, sizeof(*j));
    if (!j) {
        mm_http_respond_error(responder, MM_HTTP_OUTCOME_INTERNAL_ERROR, "out of memory");
        return;
    }
    pthread_mutex_init(&j->lock, NULL);
    j->gw = gw;
    j->responder = responder;
    j->refs = 1;
    mm_graphql_request_params params = {
        .query = req->query,
        .query_length = strlen(req->query),
        .variables = req->variables,
        .operation_name = req->operation_name,
        .context = gw->context,
        .allow_mutation = !req->is_get,
        .wake = on_wake,
        .wake_ud = j,
        .cancel = &j->stop,
    };
    j->running = true; /* until the first step returns: wakes only mark it */
    atomic_init(&j->stop, false);
    /* Registered while still "running", so a cancel that fires at once
     * (or while the engine runs here) only sets the flag and leaves the job
     * to after_step. */
    mm_http_responder_on_cancel(responder, on_cancel, j);
    if (req->trace.valid) mm_trace_ctx_copy(&j->trace, &req->trace);
    const mm_trace_ctx *prev = j->trace.valid ? mm_trace_enter(&j->trace) : NULL;
    tl_io_job = j; /* resolvers that may block offload themselves */
    j->req = mm_graphql_request_start(gw->schema, &gw->options, &params);
    tl_io_job = NULL;
    if (j->trace.valid) mm_trace_leave(prev);
    if (!j->req) {
        /* answer first: after that no cancel callback runs with j */
        mm_http_respond_error(responder, MM_HTTP_OUTCOME_INTERNAL_ERROR, "out of memory");
        pthread_mutex_destroy(&j->lock);
        free(j);
        return;
    }
    after_step(j, mm_graphql_request_outcome(j->req));
}

void mm_gateway_stop_by(mm_gateway *gw, unsigned deadline_ms) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t at =
        (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + (uint64_t)deadline_ms * 1000000u;
    atomic_store(&gw->stop_at_ns, at);
}

/* ---- offloading resolvers that may block -------------------------------- */

typedef struct offload {
    job *j;
    mm_offload_fn fn;
    void *ud;
    json_t *parent, *args;
    mm_gql_deferred *deferred;
    mm_gql_path path;         /* a copy of the root field's path node */
    mm_arena arena;           /* the copy's own: the engine may still use the request's */
    mm_gql_resolve_info info; /* a copy; the request's memory it points to stays valid
                                  while offloading (read-only) */
} offload;

/* On a blocking-pool thread. */
static void offload_run(void *arg) {
    offload *o = arg;
    job *j = o->j;
    /* fn settles the field; once it has, the engine may run (and free the
     * request) on another thread, so nothing below touches o->info. */
    const mm_trace_ctx *prev = j->trace.valid ? mm_trace_enter(&j->trace) : NULL;
    o->fn(o->ud, o->parent, o->args, &o->info, o->deferred);
    if (j->trace.valid) mm_trace_leave(prev);
    mm_arena_reset(&o->arena);
    json_decref(o->parent);
    json_decref(o->args);
    free(o);
    pthread_mutex_lock(&j->lock);
    j->offloading--;
    bool cancel = j->cancelled && !j->queued && !j->running && j->offloading == 0;
    pthread_mutex_unlock(&j->lock);
    if (cancel) cancel_and_finish(j); /* on_cancel left it to us */
    job_release(j);
}

void mm_gateway_settle(mm_gql_deferred *d, mm_gql_resolve_info *info, json_t *out) {
    if (info->deferred_) {
        json_decref(out);
        mm_gql_deferred_reject(d, NULL,
                               "Internal error: an offloaded resolver cannot defer again.");
    } else if (info->error_message_) {
        json_decref(out);
        mm_gql_deferred_reject(d, info->error_extensions_, info->error_message_);
        info->error_extensions_ = NULL;
    } else {
        mm_gql_deferred_resolve(d, out);
    }
}

bool mm_gateway_offload(mm_gql_resolve_info *info, json_t *parent, json_t *args, mm_offload_fn fn,
                        void *ud) {
    job *j = tl_io_job;
    if (!j || info->path->prev != NULL) return false; /* may block here, or cannot defer */
    offload *o = calloc(1, sizeof(*o));
    mm_gql_deferred *d = o ? mm_gql_resolve_defer(info) : NULL;
    if (!d) {
        free(o);
        return false; /* out of memory: run it here rather than fail */
    }
    o->j = j;
    o->fn = fn;
    o->ud = ud;
    o->parent = json_incref(parent);
    o->args = json_incref(args);
    o->deferred = d;
    o->path = *info->path;
    o->info = *info;
    o->info.path = &o->path;
    mm_arena_init(&o->arena);
    o->info.arena = &o->arena;
    o->info.deferred_ = NULL; /* fn settles d, which it is given */
    o->info.error_message_ = NULL;
    o->info.error_extensions_ = NULL;
    pthread_mutex_lock(&j->lock);
    j->offloading++;
    j->refs++;
    pthread_mutex_unlock(&j->lock);
    mm_dispatch *pool = j->gw->blocking ? j->gw->blocking : j->gw->dispatch;
    if (mm_dispatch_post_bounded(pool, offload_run, o, MAX_OFFLOADS_QUEUED) != 0) {
        mm_log_warn("msg=\"dispatch queue full: resolver refused\" field=%s", info->field_name);
        mm_gql_deferred_reject(d, json_pack("{s:s}", "code", "SERVER_BUSY"),
                               "The server is too busy to run this field now.");
        json_decref(o->parent);
        json_decref(o->args);
        free(o);
        pthread_mutex_lock(&j->lock);
        j->offloading--;
        j->refs--;
        pthread_mutex_unlock(&j->lock);
    }
    return true;
}

bool mm_gateway_on_io_thread(void) { return tl_io_job != NULL; }
