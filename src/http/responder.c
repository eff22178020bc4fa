/* responder.c -- answering a GraphQL request now or later, from any thread.
 *
 * A responder is shared by two owners: the connection (released when the
 * request ends on its loop) and the handler (released by mm_http_respond).
 * Whoever drops the last reference frees it, so a late answer racing the
 * deadline never touches freed memory.
 *
 * When the handler returns without an answer the connection waits on its
 * loop (its timer holds the request deadline). Exactly one path resumes it:
 * mm_http_respond, from any thread, stores the answer and posts the
 * responder to the connection's loop (an embedded node: no allocation),
 * which sends it. The deadline, a shutdown and a client that leaves are all
 * seen on that loop, which stores the server's own answer and runs the
 * cancel callback there. */
#include "http/http_internal.h"
#include "common/json_writer.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metamorphosis.h"

uint64_t mm_http_now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

char *mm_http_error_json(const char *msg, const char *code, size_t *len) {
    json_t *err = json_pack("{s:s}", "message", msg ? msg : "error");
    if (err && code) json_object_set_new(err, "extensions", json_pack("{s:s}", "code", code));
    json_t *root = err ? json_pack("{s:[o]}", "errors", err) : NULL;
    char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;
    json_decref(root);
    if (!text) {
        static const char oom[] = "{\"errors\":[{\"message\":\"out of memory\"}]}";
        text = malloc(sizeof oom);
        if (!text) abort(); /* cannot even say so */
        memcpy(text, oom, sizeof oom);
    }
    *len = strlen(text);
    return text;
}

mm_http_responder *mm_http_responder_new(mm_http_server *server, mm_http_conn *conn, mm_http_io *io,
                                         mm_http_graphql_request *req, const char *remote) {
    mm_http_responder *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return NULL;
    }
    if (pthread_cond_init(&r->cancel_done, NULL) != 0) {
        pthread_mutex_destroy(&r->lock);
        free(r);
        return NULL;
    }
    atomic_init(&r->refs, 2);
    r->server = server;
    r->conn = conn;
    r->io = io;
    r->req = *req;
    memset(req, 0, sizeof *req);
    snprintf(r->remote, sizeof r->remote, "%s", remote ? remote : "");
    r->req.remote = r->remote;
    r->state = MM_RESPONDER_IN_HANDLER;
    return r;
}

void mm_http_responder_release(mm_http_responder *r) {
    if (!r) return;
    if (atomic_fetch_sub(&r->refs, 1) != 1) return;
    mm_http_graphql_request_clear(&r->req);
    free(r->body);
    pthread_cond_destroy(&r->cancel_done);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* Stores a server-made answer (timeout, shutdown, client gone). Caller holds
 * r->lock and has checked !r->answered. Returns the cancel callback to run. */
static mm_http_cancel_fn store_cancel(mm_http_responder *r, mm_http_cancel_reason reason,
                                      void **arg) {
    mm_http_server *s = r->server;
    char msg[160];
    if (reason == MM_HTTP_CANCEL_DEADLINE) {
        snprintf(msg, sizeof msg, "the request deadline (%u ms) passed before an answer was ready",
                 s->cfg.request_timeout_ms);
        r->body = mm_http_error_json(msg, "TIMEOUT", &r->body_len);
        r->status = 504;
        r->result = MM_HTTP_RESULT_TIMEOUT;
        mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_TIMEOUT);
    } else if (reason == MM_HTTP_CANCEL_SHUTDOWN) {
        r->body = mm_http_error_json("the server is shutting down", "SHUTTING_DOWN", &r->body_len);
        r->status = 503;
        r->result = MM_HTTP_RESULT_SHUTDOWN;
        mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_SHUTDOWN);
    } else {
        r->body = NULL; /* nobody to send it to */
        r->status = 499;
        r->result = MM_HTTP_RESULT_HTTP_ERROR;
    }
    if (r->state == MM_RESPONDER_SUSPENDED) atomic_fetch_sub(&s->metrics.waiting, 1);
    r->state = MM_RESPONDER_DONE;
    r->answered = 1;
    r->cancelled = 1;
    r->cancel_reason = reason;
    mm_http_cancel_fn fn = NULL;
    if (r->cancel_fn && !r->cancel_notified) {
        r->cancel_notified = 1;
        fn = r->cancel_fn;
        *arg = r->cancel_arg;
        r->cancel_running = 1;
        r->cancel_thread = pthread_self();
    }
    return fn;
}

/* Runs a cancel callback chosen under r->lock (cancel_running set), then
 * lets a respond waiting on another thread go on. */
static void run_cancel(mm_http_responder *r, mm_http_cancel_fn fn, void *arg,
                       mm_http_cancel_reason reason) {
    atomic_fetch_add(&r->refs, 1); /* fn may give back the handler's reference */
    fn(arg, r, reason);
    pthread_mutex_lock(&r->lock);
    r->cancel_running = 0;
    pthread_cond_broadcast(&r->cancel_done);
    pthread_mutex_unlock(&r->lock);
    mm_http_responder_release(r);
}

int mm_http_responder_settle(mm_http_responder *r) {
    mm_http_server *s = r->server;
    void *arg = NULL;
    mm_http_cancel_fn fn = NULL;
    int answered;
    pthread_mutex_lock(&r->lock);
    assert(r->state == MM_RESPONDER_IN_HANDLER || r->answered);
    if (r->answered) {
        r->state = MM_RESPONDER_DONE;
        answered = 1;
    } else if (atomic_load(&s->stopping)) {
        fn = store_cancel(r, MM_HTTP_CANCEL_SHUTDOWN, &arg); /* no new waits while stopping */
        answered = 1;
    } else {
        r->state = MM_RESPONDER_SUSPENDED;
        atomic_fetch_add(&s->metrics.waiting, 1);
        answered = 0;
    }
    pthread_mutex_unlock(&r->lock);
    if (fn) run_cancel(r, fn, arg, MM_HTTP_CANCEL_SHUTDOWN);
    return answered;
}

int mm_http_responder_cancel(mm_http_responder *r, mm_http_cancel_reason reason) {
    void *arg = NULL;
    mm_http_cancel_fn fn = NULL;
    int stored = 0;
    pthread_mutex_lock(&r->lock);
    if (!r->answered && r->state == MM_RESPONDER_SUSPENDED) {
        fn = store_cancel(r, reason, &arg);
        stored = 1;
    }
    pthread_mutex_unlock(&r->lock);
    if (fn) run_cancel(r, fn, arg, reason);
    return stored;
}

void mm_http_responder_detach(mm_http_responder *r) {
    void *arg = NULL;
    mm_http_cancel_fn fn = NULL;
    mm_http_cancel_reason reason =
        atomic_load(&r->server->stopping) ? MM_HTTP_CANCEL_SHUTDOWN : MM_HTTP_CANCEL_CLIENT_GONE;
    pthread_mutex_lock(&r->lock);
    r->conn = NULL;
    /* The connection goes away unanswered: nobody can be answered any more. */
    if (!r->answered) fn = store_cancel(r, reason, &arg);
    pthread_mutex_unlock(&r->lock);
    if (fn) run_cancel(r, fn, arg, reason);
}

/* On the connection's loop: a late answer arrived (posted by respond). */
static void on_resume(void *ud) {
    mm_http_responder *r = ud;
    pthread_mutex_lock(&r->lock);
    mm_http_conn *c = r->conn; /* only this loop's thread clears it */
    pthread_mutex_unlock(&r->lock);
    if (c) mm_http_conn_answer_ready(c);
    mm_http_responder_release(r); /* the post's reference */
}

int mm_http_respond(mm_http_responder *r, mm_http_outcome outcome, json_t *body) {
    if (!r) {
        json_decref(body);
        return MM_EINVAL;
    }
    /* Serialize outside the lock: it is the expensive part. */
    size_t len = 0;
    char *text = body ? mm_json_text(body, &len) : NULL;
    if (body && !text) {
        outcome = MM_HTTP_OUTCOME_INTERNAL_ERROR;
        text = mm_http_error_json("the result could not be serialized", "INTERNAL", &len);
    }
    json_t *errors = body ? json_object_get(body, "errors") : NULL;
    bool has_errors = json_is_array(errors) && json_array_size(errors) > 0;
    json_decref(body);
    return mm_http_respond_text(r, outcome, text, len, has_errors);
}

int mm_http_respond_text(mm_http_responder *r, mm_http_outcome outcome, char *text, size_t len,
                         bool has_errors) {
    if (!r) {
        free(text);
        return MM_EINVAL;
    }
    mm_http_server *s = r->server;
    if ((unsigned)outcome >= MM_HTTP_OUTCOME_COUNT_) outcome = MM_HTTP_OUTCOME_INTERNAL_ERROR;
    if (!text) {
        text = strdup("{}");
        if (!text)
            text = mm_http_error_json("out of memory", "INTERNAL", &len);
        else
            len = 2;
    }
    mm_http_result result;
    if (outcome == MM_HTTP_OUTCOME_EXECUTED) {
        result = has_errors ? MM_HTTP_RESULT_FIELD_ERRORS : MM_HTTP_RESULT_OK;
    } else if (outcome == MM_HTTP_OUTCOME_INTERNAL_ERROR ||
               outcome == MM_HTTP_OUTCOME_UNAVAILABLE) {
        result = MM_HTTP_RESULT_SERVER_ERROR;
    } else {
        result = MM_HTTP_RESULT_GRAPHQL_ERROR;
    }

    int rc = 0;
    pthread_mutex_lock(&r->lock);
    /* A cancel callback running on another thread may still use what the
     * handler is about to free once this returns: wait for it. (The callback
     * may itself respond; then it runs on this thread and must not wait.) */
    while (r->cancel_running && !pthread_equal(r->cancel_thread, pthread_self()))
        pthread_cond_wait(&r->cancel_done, &r->lock);
    if (r->answered) {
        rc = MM_ETIMEDOUT; /* the server answered first (or the client left); drop ours */
        free(text);
    } else {
        /* Not answered: the connection still holds r, so the server is alive. */
        r->body = text;
        r->body_len = len;
        r->status = mm_http_outcome_status(outcome, r->req.media);
        r->result = result;
        r->answered = 1;
        if (result == MM_HTTP_RESULT_FIELD_ERRORS)
            mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_EXECUTION);
        else if (result != MM_HTTP_RESULT_OK)
            mm_http_metrics_error(&s->metrics, (int)outcome);
        if (r->state == MM_RESPONDER_SUSPENDED) {
            r->state = MM_RESPONDER_DONE;
            atomic_fetch_sub(&s->metrics.waiting, 1);
            /* The one resume path: hand the answer to the connection's loop. */
            atomic_fetch_add(&r->refs, 1);
            if (mm_http_io_post(r->io, &r->resume, on_resume, r) != 0)
                atomic_fetch_sub(&r->refs, 1); /* the loop is ending; it closes the connection */
        }
    }
    pthread_mutex_unlock(&r->lock);
    mm_http_responder_release(r); /* the handler's reference */
    return rc;
}

int mm_http_respond_status(mm_http_responder *r, unsigned status, char *text, size_t len) {
    if (!r) {
        free(text);
        return MM_EINVAL;
    }
    if (!text) {
        text = strdup("");
        len = 0;
        if (!text) text = mm_http_error_json("out of memory", "INTERNAL", &len);
    }
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    while (r->cancel_running && !pthread_equal(r->cancel_thread, pthread_self()))
        pthread_cond_wait(&r->cancel_done, &r->lock);
    if (r->answered) {
        rc = MM_ETIMEDOUT;
        free(text);
    } else {
        r->body = text;
        r->body_len = len;
        r->status = status;
        r->result = status < 400   ? MM_HTTP_RESULT_OK
                    : status < 500 ? MM_HTTP_RESULT_HTTP_ERROR
                                   : MM_HTTP_RESULT_SERVER_ERROR;
        r->answered = 1;
        if (r->state == MM_RESPONDER_SUSPENDED) { /* as mm_http_respond_text */
            r->state = MM_RESPONDER_DONE;
            atomic_fetch_sub(&r->server->metrics.waiting, 1);
            atomic_fetch_add(&r->refs, 1);
            if (mm_http_io_post(r->io, &r->resume, on_resume, r) != 0)
                atomic_fetch_sub(&r->refs, 1);
        }
    }
    pthread_mutex_unlock(&r->lock);
    mm_http_responder_release(r);
    return rc;
}

int mm_http_respond_error(mm_http_responder *r, mm_http_outcome outcome, const char *message) {
    json_t *body = json_pack("{s:[{s:s}]}", "errors", "message", message ? message : "error");
    return mm_http_respond(r, outcome, body);
}

void mm_http_responder_on_cancel(mm_http_responder *r, mm_http_cancel_fn fn, void *arg) {
    int call_now = 0;
    mm_http_cancel_reason reason = MM_HTTP_CANCEL_DEADLINE;
    pthread_mutex_lock(&r->lock);
    if (r->cancelled && !r->cancel_notified) {
        r->cancel_notified = 1;
        call_now = fn != NULL;
        reason = r->cancel_reason;
        if (call_now) {
            r->cancel_running = 1;
            r->cancel_thread = pthread_self();
        }
    } else if (!r->cancelled) {
        r->cancel_fn = fn;
        r->cancel_arg = arg;
    }
    pthread_mutex_unlock(&r->lock);
    if (call_now) run_cancel(r, fn, arg, reason);
}

int mm_http_responder_cancelled(mm_http_responder *r) {
    pthread_mutex_lock(&r->lock);
    int c = r->cancelled;
    pthread_mutex_unlock(&r->lock);
    return c;
}

const mm_http_graphql_request *mm_http_responder_request(mm_http_responder *r) { return &r->req; }

int mm_http_responder_post(mm_http_responder *r, void (*fn)(void *ud), void *ud) {
    return r ? mm_http_server_post(r->server, r->io->index, fn, ud) : MM_EINVAL;
}
