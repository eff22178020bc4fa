/* responder.c -- answering a GraphQL request now or later, from any thread.
 *
 * A responder is shared by two owners: the connection (released when
 * libmicrohttpd reports the request complete) and the handler (released by
 * mm_http_respond). Whoever drops the last reference frees it, so a late
 * answer racing the deadline never touches freed memory.
 *
 * When the handler returns without an answer the connection is suspended and
 * the responder joins the server's wait list, ordered by deadline. The reaper
 * thread answers expired entries with a timeout error; mm_http_respond, from
 * any thread, stores the answer and resumes the connection, whose worker then
 * sends it. Lock order: responder lock, then the server's wait lock (the
 * reaper takes them one after the other, never nested the other way). */
#include "http/http_internal.h"
#include "common/json_writer.h"

#include <errno.h>
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

mm_http_responder *mm_http_responder_new(mm_http_server *server, struct MHD_Connection *conn,
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

/* Unlinks r from the wait list if it is there. Caller holds the wait lock. */
static void wait_unlink(mm_http_server *s, mm_http_responder *r) {
    if (!r->in_wait_list) return;
    if (r->prev) r->prev->next = r->next; else s->wait_head = r->next;
    if (r->next) r->next->prev = r->prev; else s->wait_tail = r->prev;
    r->prev = r->next = NULL;
    r->in_wait_list = 0;
}

/* Stores a server-made answer (timeout or shutdown). Caller holds r->lock and
 * has checked !r->answered. Returns the cancel callback to run, if any. */
static mm_http_cancel_fn store_cancel(mm_http_responder *r, mm_http_cancel_reason reason, void **arg) {
    mm_http_server *s = r->server;
    char msg[160];
    if (reason == MM_HTTP_CANCEL_DEADLINE) {
        snprintf(msg, sizeof msg, "the request deadline (%u ms) passed before an answer was ready",
                 s->cfg.request_timeout_ms);
        r->body = mm_http_error_json(msg, "TIMEOUT", &r->body_len);
        r->status = 504;
        r->result = MM_HTTP_RESULT_TIMEOUT;
        mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_TIMEOUT);
    } else {
        r->body = mm_http_error_json("the server is shutting down", "SHUTTING_DOWN", &r->body_len);
        r->status = 503;
        r->result = MM_HTTP_RESULT_SHUTDOWN;
        mm_http_metrics_error(&s->metrics, MM_HTTP_ERRKIND_SHUTDOWN);
    }
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

/* Answers a suspended responder on the server's behalf and resumes it. Takes
 * over one reference held by the caller. */
static void cancel_one(mm_http_responder *r, mm_http_cancel_reason reason) {
    void *arg = NULL;
    mm_http_cancel_fn fn = NULL;
    pthread_mutex_lock(&r->lock);
    if (!r->answered && r->state == MM_RESPONDER_SUSPENDED) {
        fn = store_cancel(r, reason, &arg);
        r->state = MM_RESPONDER_DONE;
        atomic_fetch_sub(&r->server->metrics.waiting, 1);
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&r->lock);
    if (fn) run_cancel(r, fn, arg, reason);
    mm_http_responder_release(r);
}

/* Inserts r into the wait list by deadline. Caller holds both locks. */
static void wait_insert(mm_http_server *s, mm_http_responder *r) {
    /* Deadlines mostly arrive in order: search from the tail. */
    mm_http_responder *at = s->wait_tail;
    while (at && at->deadline_ns > r->deadline_ns) at = at->prev;
    r->prev = at;
    r->next = at ? at->next : s->wait_head;
    if (r->next) r->next->prev = r; else s->wait_tail = r;
    if (at) at->next = r; else s->wait_head = r;
    r->in_wait_list = 1;
    if (s->wait_head == r) pthread_cond_signal(&s->wait_cond);
}

mm_settle mm_http_responder_settle(mm_http_responder *r, mm_http_continue_fn *fn_out, void **arg_out) {
    mm_http_server *s = r->server;
    void *cancel_arg = NULL;
    mm_http_cancel_fn cancel_fn = NULL;
    mm_http_cancel_reason reason = MM_HTTP_CANCEL_DEADLINE;
    mm_settle result;
    pthread_mutex_lock(&r->lock);
    if (r->continue_fn) {
        /* A promised continuation runs even if the request was answered meanwhile. */
        *fn_out = r->continue_fn;
        *arg_out = r->continue_arg;
        r->continue_fn = NULL;
        r->continue_arg = NULL;
        r->state = MM_RESPONDER_IN_HANDLER;
        result = MM_SETTLE_CONTINUE;
    } else if (r->answered) {
        r->state = MM_RESPONDER_DONE;
        result = MM_SETTLE_ANSWERED;
    } else {
        uint64_t now = mm_http_now_ns();
        pthread_mutex_lock(&s->wait_lock);
        /* The deadline counts from the first wait and survives continuations. */
        if (!r->deadline_ns) r->deadline_ns = now + (uint64_t)s->cfg.request_timeout_ms * 1000000ull;
        if (s->no_more_waiting || r->deadline_ns <= now) {
            pthread_mutex_unlock(&s->wait_lock);
            reason = s->no_more_waiting ? MM_HTTP_CANCEL_SHUTDOWN : MM_HTTP_CANCEL_DEADLINE;
            cancel_fn = store_cancel(r, reason, &cancel_arg);
            r->state = MM_RESPONDER_DONE;
            result = MM_SETTLE_ANSWERED;
        } else {
            wait_insert(s, r);
            pthread_mutex_unlock(&s->wait_lock);
            r->state = MM_RESPONDER_SUSPENDED;
            atomic_fetch_add(&s->metrics.waiting, 1);
            /* Still under r->lock: a concurrent answer cannot resume before this. */
            MHD_suspend_connection(r->conn);
            result = MM_SETTLE_SUSPENDED;
        }
    }
    pthread_mutex_unlock(&r->lock);
    if (cancel_fn) run_cancel(r, cancel_fn, cancel_arg, reason);
    return result;
}

int mm_http_responder_continue(mm_http_responder *r, mm_http_continue_fn fn, void *arg) {
    if (!r || !fn) return MM_EINVAL;
    mm_http_server *s = r->server;
    int rc = 0;
    pthread_mutex_lock(&r->lock);
    if (r->answered) {
        rc = MM_ETIMEDOUT;
    } else if (r->continue_fn) {
        rc = MM_EINVAL;
    } else {
        r->continue_fn = fn;
        r->continue_arg = arg;
        if (r->state == MM_RESPONDER_SUSPENDED) {
            pthread_mutex_lock(&s->wait_lock);
            wait_unlink(s, r);
            pthread_mutex_unlock(&s->wait_lock);
            r->state = MM_RESPONDER_RESUMING;
            atomic_fetch_sub(&s->metrics.waiting, 1);
            MHD_resume_connection(r->conn);
        }
        /* IN_HANDLER or RESUMING: the worker settles and finds it. */
    }
    pthread_mutex_unlock(&r->lock);
    return rc;
}

void mm_http_responder_abandon(mm_http_responder *r) {
    void *cancel_arg = NULL;
    mm_http_cancel_fn cancel_fn = NULL;
    pthread_mutex_lock(&r->lock);
    mm_http_continue_fn fn = r->continue_fn;
    void *arg = r->continue_arg;
    r->continue_fn = NULL;
    r->continue_arg = NULL;
    if (fn && !r->answered) {
        cancel_fn = store_cancel(r, MM_HTTP_CANCEL_SHUTDOWN, &cancel_arg);
        r->state = MM_RESPONDER_DONE;
    }
    pthread_mutex_unlock(&r->lock);
    if (cancel_fn) run_cancel(r, cancel_fn, cancel_arg, MM_HTTP_CANCEL_SHUTDOWN);
    if (fn) fn(arg, r);
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
        if (!text) text = mm_http_error_json("out of memory", "INTERNAL", &len);
        else len = 2;
    }
    mm_http_result result;
    if (outcome == MM_HTTP_OUTCOME_EXECUTED) {
        result = has_errors ? MM_HTTP_RESULT_FIELD_ERRORS : MM_HTTP_RESULT_OK;
    } else if (outcome == MM_HTTP_OUTCOME_INTERNAL_ERROR || outcome == MM_HTTP_OUTCOME_UNAVAILABLE) {
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
        rc = MM_ETIMEDOUT; /* the server answered first; drop ours */
        free(text);
    } else {
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
            pthread_mutex_lock(&s->wait_lock);
            wait_unlink(s, r);
            pthread_mutex_unlock(&s->wait_lock);
            r->state = MM_RESPONDER_DONE;
            atomic_fetch_sub(&s->metrics.waiting, 1);
            MHD_resume_connection(r->conn);
        }
    }
    pthread_mutex_unlock(&r->lock);
    mm_http_responder_release(r); /* the handler's reference */
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

/* Pops every responder whose deadline passed (each with an extra reference)
 * into a chain through ->next. Caller holds the wait lock. */
static mm_http_responder *pop_expired(mm_http_server *s, uint64_t now) {
    mm_http_responder *chain = NULL, **tail = &chain;
    while (s->wait_head && s->wait_head->deadline_ns <= now) {
        mm_http_responder *r = s->wait_head;
        wait_unlink(s, r);
        atomic_fetch_add(&r->refs, 1);
        *tail = r;
        tail = &r->next;
    }
    return chain;
}

static void run_chain(mm_http_responder *chain, mm_http_cancel_reason reason) {
    while (chain) {
        mm_http_responder *next = chain->next;
        chain->next = NULL;
        cancel_one(chain, reason);
        chain = next;
    }
}

static void *reaper_main(void *arg) {
    mm_http_server *s = arg;
    pthread_mutex_lock(&s->wait_lock);
    while (!s->reaper_quit) {
        mm_http_responder *chain = pop_expired(s, mm_http_now_ns());
        if (chain) {
            pthread_mutex_unlock(&s->wait_lock);
            run_chain(chain, MM_HTTP_CANCEL_DEADLINE);
            pthread_mutex_lock(&s->wait_lock);
            continue;
        }
        if (s->wait_head) {
            uint64_t d = s->wait_head->deadline_ns;
            struct timespec ts = {(time_t)(d / 1000000000ull), (long)(d % 1000000000ull)};
            pthread_cond_timedwait(&s->wait_cond, &s->wait_lock, &ts);
        } else {
            pthread_cond_wait(&s->wait_cond, &s->wait_lock);
        }
    }
    pthread_mutex_unlock(&s->wait_lock);
    return NULL;
}

int mm_http_reaper_start(mm_http_server *s) {
    s->reaper_quit = 0;
    if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) return MM_ENOMEM;
    s->reaper_started = 1;
    return 0;
}

void mm_http_reaper_stop(mm_http_server *s) {
    if (!s->reaper_started) return;
    pthread_mutex_lock(&s->wait_lock);
    s->reaper_quit = 1;
    pthread_cond_signal(&s->wait_cond);
    pthread_mutex_unlock(&s->wait_lock);
    pthread_join(s->reaper, NULL);
    s->reaper_started = 0;
}

void mm_http_responder_cancel_all(mm_http_server *s) {
    pthread_mutex_lock(&s->wait_lock);
    s->no_more_waiting = 1;
    mm_http_responder *chain = pop_expired(s, UINT64_MAX);
    pthread_mutex_unlock(&s->wait_lock);
    run_chain(chain, MM_HTTP_CANCEL_SHUTDOWN);
}
