/* consumer_runner.c -- a consumer's delivery state machine around the
 * service handler (consumer_runner.h).
 *
 * Each event is a job that moves through
 *     handle -> publish emits (async) -> store result (batched) -> done
 * on the worker's one loop thread (bus/consumer.h, pipelined mode): the
 * handler runs when the event arrives; its emits are produced asynchronously
 * and the job waits for their delivery reports (served on the same loop);
 * results of every job whose emits are acknowledged are written to Redis in
 * one MULTI/EXEC per loop turn; only then is the job's slot marked done and
 * its offset may be committed (the consumer's in-order watermark).
 *
 * Failures are classified. Transient ones (a broker away, a delivery timeout,
 * Redis unreachable) are retried a bounded number of times with backoff and
 * then treated as permanent. Permanent ones (an emit too large or invalid,
 * a result that cannot be keyed, retries exhausted, an event that crashed
 * workers) end the job with an ExceptionEvent, an error result for whoever
 * waits, and, since the input itself cannot complete, a copy on the
 * dead-letter topic with the reason. A handler that raises gets the
 * ExceptionEvent and the error result (as in the original), not the DLQ.
 * Nothing is retried forever and nothing stops a partition. */
#include "service/consumer_runner.h"

#include <assert.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "bus/event_trace.h"
#include "service/consumer_txn.h"
#include "service/consumer_trace.h"
#include "service/handler.h"

/* Attempts at one publish whose failure is transient, and the first backoff
 * (doubling). A delivery report itself waits up to message.timeout.ms. */
#define PUBLISH_ATTEMPTS   3
#define PUBLISH_BACKOFF_MS 200
/* Attempts at storing a result while Redis fails, and the first backoff
 * (doubling, capped): about 9 s in all (a synchronous caller waits 10 s) before
 * the event is dead-lettered. */
#define STORE_ATTEMPTS       8
#define STORE_BACKOFF_MS     200
#define STORE_BACKOFF_MAX_MS 2000
/* Results written per MULTI/EXEC. */
#define STORE_BATCH 256
/* Finished jobs kept for reuse: a whole in-flight window's worth
 * (MM_CONSUMER_DEFAULT_IN_FLIGHT, ~300 bytes each), since a drain frees and
 * starts jobs a window at a time, beyond what glibc's per-thread cache
 * keeps (7 per size). */
#define SPARE_JOBS 256
/* Handler calls per event when it keeps asking for a retry (mm_consumer_def). */
#define DEFAULT_MAX_ATTEMPTS 5
#define DEFAULT_MAX_CRASHES  3

typedef struct runner runner;
typedef struct job job;

/* One event to publish for a job, and how that went. */
typedef struct pub {
    job *j;
    const char *topic;
    const mm_event *ev;
    int attempts;
    enum {
        P_PENDING,
        P_OK,
        P_TRANSIENT,
        P_PERMANENT
    } state;
    bool keep;   /* the result: keep its encoded data */
    char *value; /* that data (JSON text), once produced */
    size_t value_len;
    char error[200];
} pub;

/* What a job waits for on the timer list. */
enum wait_kind {
    W_NONE,
    W_HANDLER,
    W_PUBLISH,
    W_STORE
};

struct job {
    runner *r;
    mm_consumer_slot *slot;
    const mm_event *src;   /* the slot's event */
    const char *lazy_data; /* its data's bytes when decoded lazily (release_src_data) */
    size_t lazy_len;
    mm_message_info info;
    bool has_handler;
    unsigned attempts; /* handler calls so far */
    pub *pubs;
    size_t pub_count;
    size_t acks_pending;
    mm_event exc; /* the ExceptionEvent when the handler raised */
    bool has_exc;
    json_t *doc;      /* the result to store (NULL: none) */
    const char *text; /* or its JSON text, built from the produced value (in text_buf) */
    size_t text_len;
    pub pub_one; /* pubs' storage while there is one (the usual emit) */
    bool dead;   /* dead-lettered: counted so */
    int store_attempts;
    char store_error[200];
    uint64_t epoch;      /* the runner's state epoch of the last handler call */
    bool state_lost;     /* that call's deferred state writes failed */
    int handler_rc;      /* what the last handler call returned */
    struct keyslot *key; /* the key it holds while handled (per-key order) */
    job *key_next;       /* next job waiting for the same key */
    enum wait_kind waiting;
    int64_t due_ms;
    job *next;                /* in one of the runner's queues */
    job *all_prev, *all_next; /* every live job */
    mm_span *span;            /* trace: the process span, NULL when off (consumer_trace.h) */
    /* Initialized by mm_handler_init, so a job is zeroed only up to here. */
    mm_handler h;
    /* Kept by a spare job for its next event: the result text's buffer
     * (a ~1 KB malloc and free per event otherwise, through glibc's slow
     * path since a window of them is freed at once). */
    char *text_buf;
    size_t text_cap;
};

/* A result text buffer beyond this is not kept by a spare job. */
#define TEXT_KEEP_MAX 8192

typedef struct queue {
    job *head, *tail;
} queue;

/* A Kafka key with a handler call in progress (or a retry pending): later
 * events with the same key wait here, in offset order. */
typedef struct keyslot {
    const char *key; /* the holder's key bytes (its event owns them) */
    size_t len;
    job *waiting, *waiting_tail;
    struct keyslot *next;
} keyslot;

/* Handler threads (mm_consumer_def.concurrency > 1). */
typedef struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work;
    queue todo; /* jobs to call the handler for */
    queue done; /* called: back to the loop thread */
    bool stop;
    pthread_t *threads;
    unsigned count;
} pool;

struct runner {
    mm_runtime *rt;
    const mm_consumer_spec *spec;
    const mm_runner_options *opts;
    const mm_gql_schema *schema;
    mm_state *state;
    mm_consumer *c;
    unsigned max_attempts, max_crashes;
    queue ready;  /* delivery reports all in: decide what next */
    queue store;  /* waiting for the next result batch */
    queue timers; /* waiting for due_ms */
    job *all;
    uint64_t epoch; /* deferred state writes since the last flush */
    keyslot *keys;  /* keys being handled */
    pool *pool;     /* NULL: handlers run on the loop thread */
    job *spare;     /* finished jobs for reuse (linked by next), at most SPARE_JOBS */
    unsigned spare_count;
    /* Exactly-once mode (consumer_txn.h): emits go through the slot's
     * transactional producer; otherwise out is the runtime's producer. */
    mm_consumer_txn *txn;
    mm_producer *out;
};

/* Worker metrics (worker_metrics.h): NULL when the caller keeps none. */
#define METRICS(r) ((r)->opts ? (r)->opts->metrics : NULL)

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void push(queue *q, job *j) {
    j->next = NULL;
    if (q->tail)
        q->tail->next = j;
    else
        q->head = j;
    q->tail = j;
}

static job *pop(queue *q) {
    job *j = q->head;
    if (j) {
        q->head = j->next;
        if (!q->head) q->tail = NULL;
        j->next = NULL;
    }
    return j;
}

static void wait_for(runner *r, job *j, enum wait_kind kind, int64_t delay_ms) {
    j->waiting = kind;
    j->due_ms = now_ms() + delay_ms;
    push(&r->timers, j);
}

static int explicitly_handles(const mm_consumer_spec *spec, const char *type) {
    for (char **t = spec->event_types; t && *t; t++)
        if (strcmp(*t, type) == 0) return 1;
    return 0;
}

static int type_declared(const void *ud, const char *type) {
    const mm_gql_type *t = mm_gql_schema_find_type((const mm_gql_schema *)ud, type);
    return t != NULL && t->kind == MM_GQL_OBJECT && !t->is_builtin;
}

static void job_free(job *j) {
    runner *r = j->r;
    if (j->all_prev)
        j->all_prev->all_next = j->all_next;
    else
        r->all = j->all_next;
    if (j->all_next) j->all_next->all_prev = j->all_prev;
    if (j->has_handler) mm_handler_clear(&j->h);
    if (j->has_exc) mm_event_clear(&j->exc);
    for (size_t i = 0; i < j->pub_count; i++) free(j->pubs[i].value);
    if (j->pubs != &j->pub_one) free(j->pubs);
    json_decref(j->doc);
    if (j->span) mm_consumer_trace_end(j->span, j->dead); /* trace */
    if (r->spare_count < SPARE_JOBS) {
        if (j->text_cap > TEXT_KEEP_MAX) {
            free(j->text_buf);
            j->text_buf = NULL;
            j->text_cap = 0;
        }
        j->next = r->spare;
        r->spare = j;
        r->spare_count++;
        return;
    }
    free(j->text_buf);
    free(j);
}

/* A zeroed job (up to its handler, which mm_handler_init sets up). */
static job *job_new(runner *r) {
    job *j = r->spare;
    if (j) {
        r->spare = j->next;
        r->spare_count--;
    } else {
        j = malloc(sizeof *j);
        if (j) j->text_buf = NULL, j->text_cap = 0;
    }
    if (j) memset(j, 0, offsetof(job, h));
    return j;
}

/* The job is over: its outcome is durable. */
static void finish(job *j) {
    runner *r = j->r;
    mm_consumer_slot *slot = j->slot;
    bool dead = j->dead;
    mm_wm_done(METRICS(r), j->src, j->info.timestamp_ms, dead); /* metrics */
    job_free(j);
    mm_consumer_slot_done(r->c, slot, dead ? MM_SLOT_DEAD : MM_SLOT_HANDLED);
}

/* Result stored (or none to store): finish now or after the next batch. */
static void to_store(job *j) { push(&j->r->store, j); }

/* The exception event for a failure: the original's field names. */
static json_t *exception_data(runner *r, const mm_event *src, const char *class_name,
                              const char *code, const char *message, json_t *data) {
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:n}", "srcId", src->id, "ns",
                     r->spec->service->name, "classname", class_name, "code", code, "msg", message,
                     "data", data ? data : json_null(), "stacktrace");
}

static int make_exception(runner *r, const mm_event *src, const char *class_name, const char *code,
                          const char *message, json_t *data, mm_event *out) {
    mm_event_init(out);
    json_t *d = exception_data(r, src, class_name, code, message, data);
    if (!d || mm_event_create(out, r->spec->service->name, MM_EXCEPTION_EVENT_TYPE, d))
        return MM_ENOMEM;
    json_object_set_new(out->data, "id", json_string(out->id));
    return mm_event_set_cause_id(out, src->id);
}

/* A permanent failure that is not the handler's own raise: ExceptionEvent
 * (fire and forget: the error result and the DLQ copy are what count), the
 * error result naming the event and the reason, and, when dead_letter, the
 * input on the DLQ with the reason. */
static void fail_job(job *j, bool dead_letter, const char *class_name, const char *code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void fail_job(job *j, bool dead_letter, const char *class_name, const char *code,
                     const char *fmt, ...) {
    runner *r = j->r;
    char reason[700], message[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(message, sizeof message, "event %s: %s", j->src->id, reason);
    mm_wm_failed(METRICS(r)); /* metrics */
    if (dead_letter)
        mm_log_warn("consumer=%s msg=\"event dead-lettered: %s\" event=%s code=%s", r->spec->name,
                    reason, j->src->id, code);
    else
        mm_log_warn("consumer=%s msg=\"event failed\" event=%s code=%s reason=\"%s\"",
                    r->spec->name, j->src->id, code, reason);
    mm_event exc;
    char err[300];
    if (make_exception(r, j->src, class_name, code, message, NULL, &exc) == 0 &&
        (!j->span || mm_event_trace_set(&exc, &j->span->ctx) == 0) && /* trace */
        mm_producer_send(r->out, r->spec->service->name, &exc, NULL, NULL, err, sizeof err))
        mm_log_warn("consumer=%s msg=\"exception event not published\" event=%s error=\"%s\"",
                    r->spec->name, j->src->id, err);
    mm_event_clear(&exc);
    if (dead_letter) {
        if (mm_consumer_slot_dead_letter(r->c, j->slot, reason) != 0) {
            /* Kafka is unreachable for the DLQ too: stop uncommitted. */
            mm_consumer_fail(r->c, "cannot dead-letter a failed event");
            return;
        }
        j->dead = true;
    }
    json_decref(j->doc);
    j->text = NULL;
    j->doc = r->spec->save_result ? mm_result_doc_error(j->src->id, r->spec->service->name,
                                                        class_name, message, code, NULL)
                                  : NULL;
    to_store(j);
}

static void on_delivery(void *ud, const mm_delivery *d) {
    pub *p = ud;
    job *j = p->j;
    if (d->status == 0) {
        p->state = P_OK;
    } else {
        p->state = mm_delivery_is_transient(d->kafka_err) ? P_TRANSIENT : P_PERMANENT;
        snprintf(p->error, sizeof p->error, "%s", d->error ? d->error : "delivery failed");
    }
    assert(j->acks_pending > 0);
    /* Only queued here: this may run inside another job's synchronous wait. */
    if (--j->acks_pending == 0) push(&j->r->ready, j);
}

/* Hands every publish not yet delivered to the producer. */
static void publish_all(job *j) {
    runner *r = j->r;
    for (size_t i = 0; i < j->pub_count; i++) {
        pub *p = &j->pubs[i];
        if (p->state == P_OK || p->state == P_PERMANENT) continue;
        p->state = P_PENDING;
        p->attempts++;
        j->acks_pending++;
        int rc;
        if (p->keep) {
            free(p->value);
            rc = mm_producer_send_keep_value(r->out, p->topic, p->ev, on_delivery, p, &p->value,
                                             &p->value_len, p->error, sizeof p->error);
        } else {
            rc = mm_producer_send(r->out, p->topic, p->ev, on_delivery, p, p->error,
                                  sizeof p->error);
        }
        if (rc != 0) {
            j->acks_pending--;
            p->state = rc == MM_EINVAL || rc == MM_ELIMIT ? P_PERMANENT : P_TRANSIENT;
        }
    }
    if (j->acks_pending == 0) push(&r->ready, j);
}

static int add_pub(job *j, const char *topic, const mm_event *ev) {
    pub *v;
    if (j->pub_count == 0) {
        v = &j->pub_one;
    } else if (j->pubs == &j->pub_one) {
        v = malloc(2 * sizeof *v);
        if (v) *v = j->pub_one;
    } else {
        v = realloc(j->pubs, (j->pub_count + 1) * sizeof *v);
    }
    if (!v) return MM_ENOMEM;
    j->pubs = v;
    v[j->pub_count++] = (pub){.j = j, .topic = topic, .ev = ev, .state = P_TRANSIENT};
    return 0;
}

static void after_handler(job *j);

/* The handler call itself, with the crash-attribution hooks around it: on
 * the loop thread, or on a pool thread when the consumer is concurrent. */
static void call_handler(job *j) {
    runner *r = j->r;
    const mm_runner_options *o = r->opts;
    if (o && o->on_handle_begin) o->on_handle_begin(o->hook_ud, j->src, &j->info);
    int64_t t0 = o && o->metrics ? mm_wm_mono_us() : 0;                        /* metrics */
    const mm_trace_ctx *prev = j->span ? mm_trace_enter(&j->span->ctx) : NULL; /* trace */
    j->handler_rc = r->spec->handle(r->spec->ud, &j->h, j->src);
    if (j->span) mm_trace_leave(prev);                       /* trace */
    if (o && o->metrics) mm_wm_handler_time(o->metrics, t0); /* metrics */
    if (o && o->on_handle_end) o->on_handle_end(o->hook_ud, j->src);
}

static void *pool_main(void *arg) {
    runner *r = arg;
    pool *p = r->pool;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        job *j = pop(&p->todo);
        if (!j) {
            if (p->stop) break;
            pthread_cond_wait(&p->work, &p->lock);
            continue;
        }
        pthread_mutex_unlock(&p->lock);
        call_handler(j);
        pthread_mutex_lock(&p->lock);
        push(&p->done, j);
        mm_consumer_wake(r->c);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* Calls the handler (now, or on the pool) and then goes on with what it did. */
static void run_handler(job *j) {
    runner *r = j->r;
    if (j->has_handler) mm_handler_clear(&j->h);
    mm_handler_init(&j->h, r->spec, r->state, j->src);
    j->has_handler = true;
    j->h.attempt = ++j->attempts;
    j->epoch = r->epoch;
    j->state_lost = false;
    j->h.type_declared = type_declared;
    j->h.type_ud = r->schema;
    if (r->pool) {
        pthread_mutex_lock(&r->pool->lock);
        push(&r->pool->todo, j);
        pthread_cond_signal(&r->pool->work);
        pthread_mutex_unlock(&r->pool->lock);
        return;
    }
    call_handler(j);
    after_handler(j);
}

/* Per-key order: the job's key is free again; the next job waiting for it
 * is handled. */
static void release_key(job *j) {
    keyslot *k = j->key;
    if (!k) return;
    j->key = NULL;
    job *next = k->waiting;
    if (next) {
        k->waiting = next->key_next;
        if (!k->waiting) k->waiting_tail = NULL;
        next->key_next = NULL;
        next->key = k;
        k->key = next->src->key ? next->src->key : next->src->id;
        run_handler(next);
        return;
    }
    runner *r = j->r;
    for (keyslot **pp = &r->keys; *pp; pp = &(*pp)->next)
        if (*pp == k) {
            *pp = k->next;
            break;
        }
    free(k);
}

/* Marks j's key as being handled (later events with it wait). */
static bool hold_key(job *j) {
    runner *r = j->r;
    keyslot *k = calloc(1, sizeof *k);
    if (!k) {
        mm_consumer_fail(r->c, "out of memory");
        return false;
    }
    bool own = j->src->key != NULL;
    *k = (keyslot){.key = own ? j->src->key : j->src->id,
                   .len = own ? j->src->key_len : strlen(j->src->id),
                   .next = r->keys};
    r->keys = k;
    j->key = k;
    return true;
}

/* Handles j once no earlier event with its Kafka key (default: its id) is
 * being handled; otherwise it waits for that one. */
static void dispatch(job *j) {
    runner *r = j->r;
    if (r->keys) {
        const char *key = j->src->key ? j->src->key : j->src->id;
        size_t len = j->src->key ? j->src->key_len : strlen(j->src->id);
        for (keyslot *k = r->keys; k; k = k->next)
            if (k->len == len && memcmp(k->key, key, len) == 0) {
                if (k->waiting_tail)
                    k->waiting_tail->key_next = j;
                else
                    k->waiting = j;
                k->waiting_tail = j;
                return;
            }
    }
    /* One call at a time on this thread: the key needs holding only while
     * calls overlap (a pool) or the handler waits for a retry. */
    if (r->pool && !hold_key(j)) return;
    run_handler(j);
}

/* Drops the source event's parsed data once the handler returned; a later
 * call (a retry, a redo) parses it again from the message's bytes, which the
 * slot keeps. Its allocations (~15 for a form) are so freed on the loop
 * turn that made them, where glibc's per-thread cache takes them back for
 * the next event, instead of a window of events later, in bulk, through
 * malloc's slow paths (callgrind, bench_drain). What the handler kept of it
 * holds its own references. */
static void release_src_data(job *j) {
    if (j->lazy_data == NULL || j->src->data == NULL) return;
    mm_event *e = (mm_event *)j->src; /* the slot's, handled by this job alone */
    json_decref(e->data);
    e->data = NULL;
    e->lazy_data = j->lazy_data;
    e->lazy_len = j->lazy_len;
}

/* What the handler did: retry later, or publish its emits (or exception). */
static void after_handler(job *j) {
    runner *r = j->r;
    mm_handler *h = &j->h;
    int rc = j->handler_rc;
    release_src_data(j);
    if (h->retry && !h->raised) {
        if (j->attempts < r->max_attempts) {
            mm_log_info(
                "consumer=%s msg=\"handler asked for a retry\" event=%s attempt=%u delay_ms=%u "
                "reason=\"%s\"",
                r->spec->name, j->src->id, j->attempts, h->retry_delay_ms,
                mm_handler_retry_reason(h));
            if (!j->key && !hold_key(j)) return; /* it keeps its key meanwhile */
            mm_wm_retried(METRICS(r));           /* metrics */
            wait_for(r, j, W_HANDLER, h->retry_delay_ms);
            return;
        }
        release_key(j);
        char why[300];
        snprintf(why, sizeof why, "%s", mm_handler_retry_reason(h));
        fail_job(j, true, "RetriesExhausted", "RETRIES_EXHAUSTED",
                 "the %s handler asked for a retry %u times: %s", r->spec->name, j->attempts, why);
        return;
    }
    release_key(j);
    /* A refused emit first: a handler that passes its error on returns nonzero too. */
    if (h->emit_failed && !h->raised)
        mm_handler_raise(h, "EmitError", "EMIT_FAILED", NULL, "the %s handler: %s", r->spec->name,
                         mm_handler_emit_error(h)[0] ? mm_handler_emit_error(h)
                                                     : "an emitted event was refused");
    else if (rc != 0 && !h->raised)
        mm_handler_raise(h, "HandlerError", "HANDLER_FAILED", NULL,
                         "the %s handler failed (returned %d) without raising", r->spec->name, rc);
    int bad = 0;
    if (h->raised) {
        mm_log_info("consumer=%s msg=\"handler raised\" event=%s class=%s", r->spec->name,
                    j->src->id, mm_handler_class_name(h));
        mm_wm_failed(METRICS(r)); /* metrics */
        const char *code = mm_handler_code(h);
        bad = make_exception(r, j->src, mm_handler_class_name(h), code, mm_handler_message(h),
                             h->data, &j->exc);
        if (!bad && j->span) bad = mm_event_trace_set(&j->exc, &j->span->ctx); /* trace */
        j->has_exc = true;
        if (!bad) bad = add_pub(j, r->spec->service->name, &j->exc);
        if (!bad && r->spec->save_result)
            j->doc =
                mm_result_doc_error(j->src->id, r->spec->service->name, mm_handler_class_name(h),
                                    mm_handler_message(h), code[0] ? code : NULL, h->data);
    } else {
        for (size_t i = 0; i < h->emitted_count && !bad; i++)
            bad = add_pub(j, h->emitted[i].topic, &h->emitted[i].event);
        /* The last emit is the result: its encoded data is reused for it. */
        if (!bad && h->emitted_count && r->spec->save_result) j->pubs[j->pub_count - 1].keep = true;
    }
    if (bad) {
        mm_consumer_fail(r->c, "out of memory");
        return;
    }
    publish_all(j);
}

/* The handler's state writes are deferred (store/state.h): before any job
 * may finish, the writes of every handler call so far are confirmed. When
 * they failed, every job whose handler ran in that epoch runs it again. */
static void flush_state(runner *r) {
    if (!r->state || mm_state_pending_writes(r->state) == 0) return;
    char err[300];
    uint64_t epoch = r->epoch++;
    if (mm_state_flush_writes(r->state, err, sizeof err) == 0) return;
    mm_log_warn("consumer=%s msg=\"state writes failed, handlers will run again\" error=\"%s\"",
                r->spec->name, err);
    for (job *j = r->all; j; j = j->all_next)
        if (j->has_handler && j->epoch == epoch) j->state_lost = true;
}

/* A job whose state writes were lost: its handler runs again (bounded). */
static bool redo_if_state_lost(job *j) {
    runner *r = j->r;
    if (!j->state_lost) return false;
    j->state_lost = false;
    if (j->attempts < r->max_attempts) {
        mm_wm_retried(METRICS(r)); /* metrics */
        wait_for(r, j, W_HANDLER, (int64_t)STORE_BACKOFF_MS << (j->attempts - 1));
        return true;
    }
    fail_job(j, true, "StateError", "STATE_NOT_WRITTEN",
             "the %s handler's state writes failed %u times (Redis)", r->spec->name, j->attempts);
    return true;
}

/* All delivery reports are in: go on, retry, or fail. */
static void after_publish(job *j) {
    runner *r = j->r;
    flush_state(r);
    if (redo_if_state_lost(j)) return;
    pub *perm = NULL, *trans = NULL;
    for (size_t i = 0; i < j->pub_count; i++) {
        pub *p = &j->pubs[i];
        if (p->state == P_PERMANENT && !perm) perm = p;
        if (p->state == P_TRANSIENT && !trans) trans = p;
    }
    if (!perm && trans && trans->attempts < PUBLISH_ATTEMPTS) {
        mm_log_warn("consumer=%s msg=\"publish failed, will retry\" event=%s topic=%s attempt=%d "
                    "error=\"%s\"",
                    r->spec->name, j->src->id, trans->topic, trans->attempts, trans->error);
        mm_wm_retried(METRICS(r)); /* metrics */
        wait_for(r, j, W_PUBLISH, (int64_t)PUBLISH_BACKOFF_MS << (trans->attempts - 1));
        return;
    }
    pub *failed = perm ? perm : trans;
    if (failed && j->has_exc && failed->ev == &j->exc) {
        /* The handler's own exception event: the error result still goes. */
        mm_log_warn("consumer=%s msg=\"exception event not published\" event=%s error=\"%s\"",
                    r->spec->name, j->src->id, failed->error);
        failed = NULL;
    }
    if (failed) {
        fail_job(j, true, "EmitError", "EMIT_FAILED", "emitting %s to %s failed%s: %s",
                 failed->ev->type, failed->topic, perm ? "" : " after retries", failed->error);
        return;
    }
    pub *last = j->pub_count ? &j->pubs[j->pub_count - 1] : NULL;
    if (!j->has_exc && r->spec->save_result && last && last->keep && last->value) {
        j->text = NULL;
        if (mm_result_text_event_into(&j->text_buf, &j->text_cap, j->src->id, last->ev, last->value,
                                      last->value_len, &j->text_len) == 0)
            j->text = j->text_buf;
        if (!j->text) {
            mm_consumer_fail(r->c, "out of memory");
            return;
        }
    } else if (!j->has_exc && r->spec->save_result) {
        const mm_handler *h = &j->h;
        json_t *event_json = h->emitted_count
                                 ? mm_event_to_json(&h->emitted[h->emitted_count - 1].event)
                                 : json_null();
        j->doc = event_json ? mm_result_doc_event(j->src->id, event_json) : NULL;
        json_decref(event_json);
        if (!j->doc) {
            mm_consumer_fail(r->c, "out of memory");
            return;
        }
    }
    to_store(j);
}

/* The result cannot be stored: the DLQ copy is all that is left. */
static void dead_letter_unstored(job *j, const char *reason) {
    runner *r = j->r;
    mm_log_error("consumer=%s msg=\"dead-lettering\" event=%s reason=\"%s\"", r->spec->name,
                 j->src->id, reason);
    if (mm_consumer_slot_dead_letter(r->c, j->slot, reason) != 0) {
        mm_consumer_fail(r->c, "cannot dead-letter a failed event");
        return;
    }
    j->dead = true;
    finish(j);
}

/* Writes the waiting results, STORE_BATCH per round trip. */
static void store_batch(runner *r) {
    flush_state(r);
    if (r->store.head) { /* jobs whose state writes failed meanwhile run again */
        queue keep = {0};
        for (job *j; (j = pop(&r->store));)
            if (!redo_if_state_lost(j)) push(&keep, j);
        r->store = keep;
    }
    while (r->store.head) {
        job *batch[STORE_BATCH];
        mm_result_put items[STORE_BATCH];
        size_t n = 0;
        while (n < STORE_BATCH && r->store.head) {
            job *j = pop(&r->store);
            batch[n] = j;
            if (!r->spec->save_result || (!j->doc && !j->text)) {
                finish(j); /* nothing to store: its state is confirmed above */
                continue;
            }
            items[n] = (mm_result_put){.event_id = j->src->id,
                                       .reply_to = j->src->reply_to,
                                       .doc = j->doc,
                                       .text = j->text,
                                       .text_len = j->text_len,
                                       .if_absent = r->txn != NULL};
            n++;
        }
        if (n == 0) continue;
        char err[300] = "";
        uint64_t t0 = mm_trace_enabled() ? mm_trace_now_ns() : 0; /* trace */
        mm_result_store_put_many(r->rt->results, items, n, err, sizeof err);
        for (size_t i = 0; t0 && i < n; i++)
            if (batch[i]->span) mm_consumer_trace_store(batch[i]->span, t0, items[i].status, err);
        for (size_t i = 0; i < n; i++) {
            job *j = batch[i];
            if (items[i].status == 0) {
                finish(j);
            } else if (items[i].status == MM_EINVAL) {
                /* Cannot happen for events the decoder accepted (bus/limits.h);
                 * kept so that it can never loop. */
                dead_letter_unstored(j, "result cannot be stored: the event id or reply-to "
                                        "cannot be keyed");
            } else if (++j->store_attempts < STORE_ATTEMPTS) {
                snprintf(j->store_error, sizeof j->store_error, "%s", err);
                mm_log_warn("consumer=%s msg=\"result not stored, will retry\" event=%s attempt=%d "
                            "error=\"%s\"",
                            r->spec->name, j->src->id, j->store_attempts, err);
                mm_wm_retried(METRICS(r)); /* metrics */
                int64_t d = (int64_t)STORE_BACKOFF_MS << (j->store_attempts - 1);
                wait_for(r, j, W_STORE, d > STORE_BACKOFF_MAX_MS ? STORE_BACKOFF_MAX_MS : d);
            } else {
                /* Nobody can be answered through Redis: the DLQ keeps it. */
                char why[400];
                snprintf(why, sizeof why, "result not stored after %d attempts: %s",
                         j->store_attempts, err[0] ? err : "Redis failed");
                dead_letter_unstored(j, why);
            }
        }
    }
}

static int pump(void *ud) {
    runner *r = ud;
    /* The handlers' state writes go out now: Redis runs them while the
     * emits wait for Kafka; their replies are read before anything finishes. */
    if (r->state && !r->pool) mm_state_send_writes(r->state);
    for (;;) {
        if (r->pool) { /* handler calls finished on the pool */
            pthread_mutex_lock(&r->pool->lock);
            queue done = r->pool->done;
            r->pool->done = (queue){0};
            pthread_mutex_unlock(&r->pool->lock);
            for (job *j; (j = pop(&done));) after_handler(j);
        }
        int64_t now = now_ms();
        /* Timers: take the due ones off first (handlers may add new ones). */
        queue due = {0}, keep = {0};
        for (job *j; (j = pop(&r->timers));) push(j->due_ms <= now ? &due : &keep, j);
        r->timers = keep;
        for (job *j; (j = pop(&due));) {
            enum wait_kind k = j->waiting;
            j->waiting = W_NONE;
            if (k == W_HANDLER)
                run_handler(j);
            else if (k == W_PUBLISH)
                publish_all(j);
            else
                push(&r->store, j);
        }
        for (job *j; (j = pop(&r->ready));) after_publish(j);
        store_batch(r);
        if (!r->ready.head) break;
    }
    if (!r->timers.head) return -1;
    int64_t now = now_ms(), first = INT64_MAX;
    for (job *j = r->timers.head; j; j = j->next)
        if (j->due_ms < first) first = j->due_ms;
    return first <= now ? 0 : (int)(first - now);
}

static void start(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                  const mm_message_info *info) {
    runner *r = ud;
    /* Exception events go to the service topic the consumer itself reads;
     * handling them by default could loop (a failing handler raising on its
     * own exception events), so only consumers that name the type get them. */
    if (strcmp(ev->type, MM_EXCEPTION_EVENT_TYPE) == 0 && !explicitly_handles(r->spec, ev->type)) {
        mm_consumer_slot_done(r->c, slot, MM_SLOT_HANDLED);
        return;
    }
    job *j = job_new(r);
    if (!j) {
        mm_consumer_fail(r->c, "out of memory");
        return;
    }
    j->r = r;
    j->slot = slot;
    j->src = ev;
    j->lazy_data = ev->lazy_data;
    j->lazy_len = ev->lazy_len;
    j->info = *info;
    if (mm_trace_enabled()) /* trace */
        j->span = mm_consumer_trace_begin(ev, info, r->spec->name, r->spec->group_id);
    j->all_next = r->all;
    if (r->all) r->all->all_prev = j;
    r->all = j;
    mm_wm_started(METRICS(r)); /* metrics */
    const mm_runner_options *o = r->opts;
    int crashes = o && o->crash_count ? o->crash_count(o->hook_ud, ev) : 0;
    if (crashes > 0 && (unsigned)crashes >= r->max_crashes) {
        fail_job(j, true, "WorkerCrashed", "WORKER_CRASHED", "crashed %d workers", crashes);
        return;
    }
    dispatch(j);
}

/* Every object type the loaded services define: an event of any other type
 * cannot be meant for this web and is dead-lettered. */
static const char **known_types(const mm_gql_schema *schema, size_t *count) {
    const char **v = calloc(schema->type_count + 1, sizeof(*v));
    size_t n = 0;
    for (size_t i = 0; v && i < schema->type_count; i++) {
        const mm_gql_type *t = schema->types[i];
        if (t->kind == MM_GQL_OBJECT && !t->is_builtin) v[n++] = t->name;
    }
    *count = n;
    return v;
}

/* After the loop: let the producer finish (or fail) what jobs still wait
 * for, so no delivery report can reach a freed job, then free them. */
static void release_jobs(runner *r) {
    mm_producer *p = r->out;
    if (mm_producer_flush(p, 5000) != 0) {
        rd_kafka_purge(mm_producer_rdkafka(p), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        mm_producer_flush(p, 1000);
    }
    while (r->all) job_free(r->all);
    for (job *j; (j = r->spare);) {
        r->spare = j->next;
        free(j->text_buf);
        free(j);
    }
    r->spare_count = 0;
    if (mm_producer_poll_in_background(p) != 0)
        mm_log_warn("consumer=%s msg=\"producer delivery thread not restarted\"", r->spec->name);
}

/* The loop went idle (bus/consumer.h on_idle): nothing is in flight, so
 * no job is alive; the spare jobs with their text buffers (up to 256 x
 * ~1.3 KB) and the kept RESP buffers of the result and state stores (up to
 * 1 MiB and 512 KiB, ~450 + 130 KiB after sync load at 64 clients, massif)
 * are given back before the heap is trimmed. The next burst allocates them
 * again once (a few hundred mallocs). */
static void on_idle(void *ud) {
    runner *r = ud;
    for (job *j; (j = r->spare);) {
        r->spare = j->next;
        free(j->text_buf);
        free(j);
    }
    r->spare_count = 0;
    if (r->rt->results) mm_result_store_release_buffers(r->rt->results);
    if (r->state) mm_state_release_buffers(r->state);
}

void mm_consumer_runner_process_setup(void) {
#ifdef __GLIBC__
    mallopt(M_ARENA_MAX, 1);
#endif
}

int mm_consumer_runner_run(mm_runtime *rt, const mm_gql_schema *schema,
                           const mm_consumer_spec *spec, const mm_runner_options *opts, char *err,
                           size_t err_size) {
    runner r = {
        .rt = rt,
        .spec = spec,
        .opts = opts,
        .schema = schema,
        .state = mm_runtime_state(rt, spec->service),
        .max_attempts = spec->max_attempts ? spec->max_attempts : DEFAULT_MAX_ATTEMPTS,
        .max_crashes = opts && opts->max_crashes ? opts->max_crashes : DEFAULT_MAX_CRASHES,
    };
    size_t topic_count = 0, handled_count = 0, known_count = 0;
    while (spec->topics[topic_count]) topic_count++;
    while (spec->event_types && spec->event_types[handled_count]) handled_count++;
    r.out = rt->producer;
    if (mm_consumer_txn_enabled(rt->config, spec)) {
        r.txn = mm_consumer_txn_new(rt, spec, opts ? opts->transactional_id : NULL, err, err_size);
        if (!r.txn) return MM_EKAFKA;
        r.out = mm_consumer_txn_producer(r.txn);
    }
    const char **known = known_types(schema, &known_count);
    if (!known) {
        mm_consumer_txn_free(r.txn);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    mm_consumer_config cc = {
        .bootstrap = rt->config->kafka_bootstrap_servers,
        .group_id = spec->group_id,
        .topics = (const char *const *)spec->topics,
        .topic_count = topic_count,
        .handled_types = (const char *const *)spec->event_types,
        .handled_count = handled_count,
        .known_types = known,
        .known_count = known_count,
        .start = start,
        .pump = pump,
        .handler_ud = &r,
        .producer = r.out,
        .props = rt->kafka_props,
        .prop_count = rt->kafka_prop_count,
        .max_messages = opts ? opts->max_messages : 0,
        .on_progress = opts ? opts->on_progress : NULL,
        .progress_ud = opts ? opts->progress_ud : NULL,
        .stop_flag = opts ? opts->stop_flag : NULL,
        .on_assign = opts && opts->metrics ? mm_wm_on_assign : NULL, /* metrics */
        .assign_ud = opts ? opts->metrics : NULL,
        .on_idle = on_idle,
        .txn = r.txn ? mm_consumer_txn_hooks_get(r.txn) : NULL,
        .before_join = opts ? opts->before_join : NULL, /* node/worker.c */
        .on_handover = opts ? opts->on_handover : NULL,
        .on_final_commit = opts ? opts->on_final_commit : NULL,
        .join_ud = opts ? opts->join_ud : NULL,
        .overlap = opts ? opts->overlap : NULL,
    };
    mm_consumer *c = mm_consumer_new(&cc, err, err_size);
    free(known);
    if (!c) {
        mm_consumer_txn_free(r.txn);
        return MM_EKAFKA;
    }
    r.c = c;
    pool workers = {0};
    if (spec->concurrency > 1) {
        /* Deferred state writes assume one thread: concurrent handlers write
         * synchronously (and in parallel). */
        workers.threads = calloc(spec->concurrency, sizeof *workers.threads);
        if (!workers.threads) {
            mm_consumer_free(c);
            mm_consumer_txn_free(r.txn);
            snprintf(err, err_size, "out of memory");
            return MM_ENOMEM;
        }
        pthread_mutex_init(&workers.lock, NULL);
        pthread_cond_init(&workers.work, NULL);
        r.pool = &workers;
        for (; workers.count < spec->concurrency; workers.count++)
            if (pthread_create(&workers.threads[workers.count], NULL, pool_main, &r) != 0) break;
        if (workers.count == 0) r.pool = NULL;
    } else if (r.state) {
        mm_state_defer_writes(r.state, 1);
    }
    mm_log_info("consumer=%s group=%s msg=\"consuming\" topics=%zu", spec->name, spec->group_id,
                topic_count);
    int rc = mm_consumer_run(c);
    if (workers.threads) {
        pthread_mutex_lock(&workers.lock);
        workers.stop = true;
        workers.todo = (queue){0}; /* not handled: their jobs are freed below */
        pthread_cond_broadcast(&workers.work);
        pthread_mutex_unlock(&workers.lock);
        for (unsigned i = 0; i < workers.count; i++) pthread_join(workers.threads[i], NULL);
        free(workers.threads);
        workers.threads = NULL;
        pthread_cond_destroy(&workers.work);
        pthread_mutex_destroy(&workers.lock);
        r.pool = NULL;
    }
    release_jobs(&r);
    while (r.keys) {
        keyslot *k = r.keys;
        r.keys = k->next;
        free(k);
    }
    if (r.state && spec->concurrency <= 1) mm_state_defer_writes(r.state, 0);
    mm_consumer_stats st;
    mm_consumer_get_stats(c, &st);
    mm_log_info("consumer=%s msg=\"stopped\" handled=%llu skipped=%llu dead_lettered=%llu",
                spec->name, (unsigned long long)st.handled, (unsigned long long)st.skipped,
                (unsigned long long)st.dead_lettered);
    mm_consumer_free(c);
    mm_consumer_txn_free(r.txn);
    if (rc < 0) snprintf(err, err_size, "consumer %s: Kafka client failed", spec->name);
    return rc;
}
