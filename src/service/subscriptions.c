/* subscriptions.c -- GraphQL subscriptions in a server (subscriptions.h). */
#include "service/subscriptions.h"

#include <assert.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "bus/admin.h"
#include "bus/envelope.h"
#include "bus/kafka_conf.h"
#include "common/arena.h"
#include "common/hash.h"
#include "common/log.h"
#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/execution/values.h"
#include "http/persisted_queries.h"
#include "service/mutation.h"
#include "service/service_internal.h"
#include "service/subscription_trace.h"
#include "service/tail_idle.h"

#define MAX_LOOPS       64
#define POLL_MS         200
#define ASSIGN_RETRY_MS 1000
#define KAFKA_QUERY_MS  3000

struct group;

typedef struct sub {
    struct sub *prev, *next; /* in its loop's list, or its group's members */
    struct group *group;     /* a subscription bound to events: its group */
    mm_http_stream *st;
    char *id;
    const mm_subscription_spec *spec; /* NULL: eventResult */
    char *field;                      /* the root field's name */
    char *event_id;                   /* eventResult: the awaited id */
    uint64_t due_ms;                  /* eventResult: gives up then (monotonic ms) */
    char *query;
    char *operation_name;
    json_t *variables; /* raw (coerced again by each execution) */
    json_t *args;      /* the root field's coerced arguments */
    int done;          /* eventResult answered, but the stream still lists it */
    /* A polled field (options.polled_field). */
    int polled;
    int polling;        /* a read is on a dispatch thread */
    uint64_t serial;    /* names it to the read's answer (the sub may be gone by then) */
    char *last_text;    /* the last result sent: only a different one is sent */
    mm_span *span;      /* trace: the operation's span (subscription_trace.h) */
    uint64_t delivered; /* trace: results sent to it */
} sub;

/* The subscribers of one loop with the same binding, document, operation
 * and variables get the same result for an event (the root field's
 * arguments come from the document and the variables; the resolvers'
 * context is the server's): they form a group, and the filter, the
 * resolver and the execution run once per group and event, whose one
 * message is written to each member. The members are identical, so any
 * of them stands for the group's request. */
typedef struct group {
    struct group *prev, *next; /* the loop's groups */
    struct group *hnext;       /* the loop's hash bucket */
    uint64_t hash;
    sub *members;
    size_t count;
} group;

typedef struct loop_reg {
    group *groups;       /* subscriptions bound to events, by request */
    group **buckets;     /* the same, by hash of the request */
    size_t bucket_count; /* a power of two, or 0 */
    size_t group_count;
    sub *result_subs;
    uv_timer_t result_timer; /* sweeps result_subs for their deadline while any */
    int timer_ready;
    atomic_uint topic_count; /* read by the tail thread: skip loops without */
    sub *poll_subs;          /* subscriptions of the polled field */
    uv_timer_t poll_timer;   /* reads them every poll_interval_ms while any */
    int poll_timer_ready;
    uint64_t next_serial;
} loop_reg;

/* Loops that wait for a result, by event id (guarded by wait_lock). */
typedef struct wait {
    struct wait *next;
    uint64_t loops; /* bit i: loop i has subscribers */
    unsigned count;
    char id[];
} wait;

struct mm_subscriptions {
    mm_subscriptions_options o;
    mm_http_stream_hooks hooks;
    _Atomic(mm_http_server *) server; /* set once the server runs; read by every thread */
    loop_reg loops[MAX_LOOPS];
    atomic_uint active;
    unsigned result_timeout_ms;
    pthread_mutex_t wait_lock;
    wait *waits;
    /* The Kafka tail. */
    char **topics; /* distinct topics of every spec */
    size_t topic_count;
    int *topic_assigned; /* partitions assigned per topic; 0: not yet */
    unsigned partition_refresh_ms;
    rd_kafka_t *rk;
    pthread_t thread;
    int thread_started;
    atomic_bool stop;
    atomic_bool ready;
    mm_tail_idle idle; /* no fetching while nobody subscribes (tail_idle.h) */
    /* Reads of the polled field on dispatch threads: stopping waits for them
     * (bounded), so none posts to a server being freed. */
    pthread_mutex_t poll_lock;
    pthread_cond_t poll_cond;
    unsigned poll_inflight;
    int poll_stopped;
};

typedef struct shared_event {
    atomic_int refs;
    char *topic;
    mm_event ev;
} shared_event;

typedef struct loop_msg {
    mm_subscriptions *subs;
    unsigned loop;
    shared_event *event; /* an event, or */
    char *result_id;     /* a stored result */
    json_t *result_doc;
} loop_msg;

/* A polled field's read: to a dispatch thread and back to the loop. */
typedef struct poll_job {
    mm_subscriptions *subs;
    unsigned loop;
    uint64_t serial;
    json_t *args;  /* a copy: the sub may be gone while this runs */
    json_t *value; /* the answer, or NULL and: */
    const char *code;
    char msg[256];
} poll_job;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void event_release(shared_event *e) {
    if (atomic_fetch_sub(&e->refs, 1) != 1) return;
    free(e->topic);
    mm_event_clear(&e->ev);
    free(e);
}

static int list_has(char **v, const char *s) {
    for (; v && *v; v++)
        if (strcmp(*v, s) == 0) return 1;
    return 0;
}

/* ---- errors to a stream ---- */

/* Ends the operation with one error: 0, or the stream's refusal (it is
 * closing: the operation ends with its unsubscribe). */
static int send_error(mm_http_stream *st, const char *id, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int send_error(mm_http_stream *st, const char *id, const char *code, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = code ? json_pack("[{s:s,s:{s:s}}]", "message", msg, "extensions", "code", code)
                     : json_pack("[{s:s}]", "message", msg);
    char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
    json_decref(e);
    int rc = mm_http_stream_error(st, id, text ? text : "[{\"message\":\"out of memory\"}]");
    free(text);
    return rc;
}

/* ---- executing a document for one event ---- */

/* Runs the subscription's document with its root field's value = payload
 * (taken). The serialized result (malloc'd) or NULL. */
static char *execute(mm_subscriptions *subs, const sub *s, json_t *payload, size_t *len) {
    json_t *root = json_object();
    if (!root) {
        json_decref(payload);
        return NULL;
    }
    json_object_set_new(root, s->field, payload ? payload : json_null());
    mm_graphql_request_params p = {
        .query = s->query,
        .query_length = strlen(s->query),
        .variables = s->variables,
        .operation_name = s->operation_name,
        .context = subs->o.rt,
        .root_value = root,
        .allow_subscription = true,
    };
    mm_graphql_request *req = mm_graphql_request_start(subs->o.schema, subs->o.graphql, &p);
    char *text = NULL;
    if (req && mm_graphql_request_outcome(req) != MM_GRAPHQL_PENDING)
        text = mm_graphql_request_take_response_text(req, len);
    mm_graphql_request_free(req);
    json_decref(root);
    return text;
}

/* execute, then send. 0, or MM_ELIMIT when the client was cut off. */
static int execute_and_send(mm_subscriptions *subs, sub *s, json_t *payload) {
    size_t len;
    char *text = execute(subs, s, payload, &len);
    int rc = text ? mm_http_stream_next(s->st, s->id, text, len) : MM_ENOMEM;
    free(text);
    return rc;
}

static void sub_free(mm_subscriptions *subs, sub *s) {
    if (!s) return;
    mm_subscription_trace_end(s->span, s->delivered); /* trace */
    free(s->last_text);
    free(s->id);
    free(s->field);
    free(s->event_id);
    free(s->query);
    free(s->operation_name);
    json_decref(s->variables);
    json_decref(s->args);
    free(s);
    atomic_fetch_sub(&subs->active, 1);
}

static void list_add(sub **head, sub *s) {
    s->prev = NULL;
    s->next = *head;
    if (*head) (*head)->prev = s;
    *head = s;
}

static void list_remove(sub **head, sub *s) {
    if (s->prev)
        s->prev->next = s->next;
    else
        *head = s->next;
    if (s->next) s->next->prev = s->prev;
    s->prev = s->next = NULL;
}

/* ---- events on a loop ---- */

static int same_str(const char *a, const char *b) {
    return a == b || (a && b && strcmp(a, b) == 0);
}

static int same_request(const sub *a, const sub *b) {
    return a->spec == b->spec && same_str(a->field, b->field) && same_str(a->query, b->query) &&
           same_str(a->operation_name, b->operation_name) &&
           (a->variables == b->variables ||
            (a->variables && b->variables && json_equal(a->variables, b->variables)));
}

static uint64_t str_hash(uint64_t h, const char *v) {
    if (!v) return mm_fnv1a_update(h, "", 1); /* NULL differs from "" */
    return mm_fnv1a_update(h, v, strlen(v) + 1);
}

/* A hash of what same_request compares (variables in a canonical text:
 * keys sorted, so equal objects hash alike). 0 and MM_ENOMEM. */
static int request_hash(const sub *s, uint64_t *out) {
    uint64_t h = mm_fnv1a_update(MM_FNV1A_OFFSET, &s->spec, sizeof s->spec);
    h = str_hash(h, s->field);
    h = str_hash(h, s->query);
    h = str_hash(h, s->operation_name);
    if (s->variables) {
        char *v = json_dumps(s->variables, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        if (!v) return MM_ENOMEM;
        h = str_hash(h, v);
        free(v);
    }
    *out = h;
    return 0;
}

/* Puts s in its group on reg (a new one when none matches). 0 or MM_ENOMEM. */
static int group_join(loop_reg *reg, sub *s) {
    uint64_t h;
    if (request_hash(s, &h) != 0) return MM_ENOMEM;
    if (reg->group_count >= reg->bucket_count) { /* at most one group per bucket on average */
        size_t n = reg->bucket_count ? reg->bucket_count * 2 : 16;
        group **b = calloc(n, sizeof *b);
        if (!b) return MM_ENOMEM;
        for (size_t i = 0; i < reg->bucket_count; i++)
            for (group *g = reg->buckets[i], *next; g; g = next) {
                next = g->hnext;
                g->hnext = b[g->hash & (n - 1)];
                b[g->hash & (n - 1)] = g;
            }
        free(reg->buckets);
        reg->buckets = b;
        reg->bucket_count = n;
    }
    group **bucket = &reg->buckets[h & (reg->bucket_count - 1)];
    group *g = *bucket;
    while (g && !(g->hash == h && same_request(g->members, s))) g = g->hnext;
    if (!g) {
        g = calloc(1, sizeof *g);
        if (!g) return MM_ENOMEM;
        g->hash = h;
        g->hnext = *bucket;
        *bucket = g;
        g->next = reg->groups;
        if (reg->groups) reg->groups->prev = g;
        reg->groups = g;
        reg->group_count++;
    }
    list_add(&g->members, s);
    g->count++;
    s->group = g;
    return 0;
}

static void group_leave(loop_reg *reg, sub *s) {
    group *g = s->group;
    assert(g && g->count > 0);
    list_remove(&g->members, s);
    s->group = NULL;
    if (--g->count) return;
    group **link = &reg->buckets[g->hash & (reg->bucket_count - 1)];
    while (*link != g) link = &(*link)->hnext;
    *link = g->hnext;
    if (g->prev)
        g->prev->next = g->next;
    else
        reg->groups = g->next;
    if (g->next) g->next->prev = g->prev;
    reg->group_count--;
    free(g);
}

/* The result of event e for s: NULL when s gets nothing. */
static char *result_for(mm_subscriptions *subs, const sub *s, shared_event *e, size_t *len) {
    const mm_subscription_spec *sp = s->spec;
    if (sp->filter && !sp->filter(sp->ud, s->args, &e->ev)) return NULL;
    json_t *payload = sp->resolve ? sp->resolve(sp->ud, s->args, &e->ev) : json_incref(e->ev.data);
    if (!payload) return NULL;
    return execute(subs, s, payload, len);
}

/* One execution per group; its message, built once per transport (and
 * WebSocket operation id: graphql-ws clients often share theirs), is one
 * buffer and one write for each member. Writing never runs a hook, so the
 * lists cannot change during the walk. */
static void deliver_event(mm_subscriptions *subs, loop_reg *reg, shared_event *e) {
    mm_span *ev_span =
        mm_trace_enabled() ? mm_subscription_trace_event_begin(&e->ev, e->topic) : NULL; /* trace */
    size_t executions = 0, deliveries = 0;                                               /* trace */
    for (group *g = reg->groups; g; g = g->next) {
        const sub *first = g->members;
        const mm_subscription_spec *sp = first->spec;
        if (!list_has(sp->topics, e->topic) || !list_has(sp->event_types, e->ev.type)) continue;
        size_t len;
        char *text = result_for(subs, first, e, &len);
        if (!text) continue;
        executions++; /* trace */
        /* One frame per transport: "sse", "ws", "sse1" (single connection). */
        mm_http_stream_frame frame[3] = {{0}};
        for (sub *s = g->members; s; s = s->next) {
            const char *k = mm_http_stream_kind(s->st);
            mm_http_stream_next_shared(s->st, s->id, text, len,
                                       &frame[k[0] == 'w'   ? 1
                                              : k[3] == '1' ? 2
                                                            : 0]);
            s->delivered++, deliveries++;                                    /* trace */
            if (ev_span) mm_subscription_trace_event_link(ev_span, s->span); /* trace */
        }
        for (size_t i = 0; i < 3; i++) mm_http_stream_frame_clear(&frame[i]);
        free(text);
    }
    mm_subscription_trace_event_end(ev_span, executions, deliveries); /* trace */
}

static void deliver_result(mm_subscriptions *subs, loop_reg *reg, const char *id, json_t *doc) {
    sub *s = reg->result_subs;
    while (s) {
        sub *next = s->next;
        if (strcmp(s->event_id, id) == 0) {
            list_remove(&reg->result_subs, s);
            s->delivered++; /* trace */
            execute_and_send(subs, s, mm_event_result_value(id, doc));
            if (mm_http_stream_complete(s->st, s->id) == 0)
                sub_free(subs, s); /* no unsubscribe comes */
            else
                s->done = 1; /* the stream is closing: its unsubscribe frees it */
        }
        s = next;
    }
}

static void on_loop_msg(void *ud) {
    loop_msg *m = ud;
    loop_reg *reg = &m->subs->loops[m->loop];
    if (m->event) {
        deliver_event(m->subs, reg, m->event);
        event_release(m->event);
    } else {
        deliver_result(m->subs, reg, m->result_id, m->result_doc);
        free(m->result_id);
        json_decref(m->result_doc);
    }
    free(m);
}

static int post_msg(mm_subscriptions *subs, unsigned loop, shared_event *e, const char *id,
                    json_t *doc) {
    loop_msg *m = calloc(1, sizeof *m);
    if (!m) return MM_ENOMEM;
    m->subs = subs;
    m->loop = loop;
    if (e) {
        m->event = e;
        atomic_fetch_add(&e->refs, 1);
    } else {
        m->result_id = id ? strdup(id) : NULL;
        m->result_doc = json_incref(doc);
    }
    int rc = (!e && !m->result_id)
                 ? MM_ENOMEM
                 : mm_http_server_post(atomic_load(&subs->server), loop, on_loop_msg, m);
    if (rc != 0) {
        mm_log_warn(
            "msg=\"subscriptions: cannot hand an event to an I/O loop; dropped\" loop=%u error=%s",
            loop, mm_strerror(rc));
        if (e) event_release(e);
        free(m->result_id);
        json_decref(m->result_doc);
        free(m);
    }
    return rc;
}

/* ---- eventResult: waiting for stored results ---- */

/* Removes the wait for id; returns its loops, or 0 when there was none. */
static uint64_t take_wait(mm_subscriptions *subs, const char *id) {
    uint64_t loops = 0;
    pthread_mutex_lock(&subs->wait_lock);
    for (wait **p = &subs->waits; *p; p = &(*p)->next)
        if (strcmp((*p)->id, id) == 0) {
            wait *w = *p;
            *p = w->next;
            loops = w->loops;
            free(w);
            break;
        }
    pthread_mutex_unlock(&subs->wait_lock);
    return loops;
}

static void fan_out_result(mm_subscriptions *subs, uint64_t loops, const char *id, json_t *doc) {
    for (unsigned i = 0; i < MAX_LOOPS; i++)
        if (loops & ((uint64_t)1 << i)) post_msg(subs, i, NULL, id, doc);
}

/* Notifier thread: the result of id is stored. */
static void on_result(void *ud, const char *event_id, json_t *doc) {
    mm_subscriptions *subs = ud;
    uint64_t loops = take_wait(subs, event_id);
    if (loops) fan_out_result(subs, loops, event_id, doc);
}

typedef struct check_job {
    mm_subscriptions *subs;
    char id[];
} check_job;

/* A dispatch thread: the result may already be stored. */
static void check_stored(void *ud) {
    check_job *j = ud;
    mm_subscriptions *subs = j->subs;
    json_t *doc = NULL;
    char err[256];
    if (mm_result_store_get(subs->o.rt->results, j->id, &doc, err, sizeof err) == 0 && doc) {
        uint64_t loops = take_wait(subs, j->id);
        if (loops) {
            mm_notifier_wait_unregister(subs->o.rt->notifier, j->id);
            fan_out_result(subs, loops, j->id, doc);
        }
        json_decref(doc);
    }
    free(j);
}

/* Loop thread: s waits for its result. 0 or an mm_error. */
static int wait_for_result(mm_subscriptions *subs, unsigned loop, const char *id) {
    int rc = 0;
    pthread_mutex_lock(&subs->wait_lock);
    wait *w = subs->waits;
    while (w && strcmp(w->id, id) != 0) w = w->next;
    if (!w) {
        size_t n = strlen(id);
        w = calloc(1, sizeof *w + n + 1);
        if (!w)
            rc = MM_ENOMEM;
        else {
            memcpy(w->id, id, n + 1);
            rc = mm_notifier_wait_register(subs->o.rt->notifier, id, on_result, subs);
            if (rc == 0) {
                w->next = subs->waits;
                subs->waits = w;
            } else {
                free(w);
                w = NULL;
            }
        }
    }
    if (w) {
        w->loops |= (uint64_t)1 << loop;
        w->count++;
    }
    pthread_mutex_unlock(&subs->wait_lock);
    if (rc) return rc;
    size_t n = strlen(id);
    check_job *j = malloc(sizeof *j + n + 1);
    if (j) {
        j->subs = subs;
        memcpy(j->id, id, n + 1);
        if (mm_dispatch_post(subs->o.rt->dispatch, check_stored, j) != 0) free(j);
    }
    return 0;
}

static void stop_waiting(mm_subscriptions *subs, const char *id) {
    int last = 0;
    pthread_mutex_lock(&subs->wait_lock);
    for (wait **p = &subs->waits; *p; p = &(*p)->next)
        if (strcmp((*p)->id, id) == 0) {
            wait *w = *p;
            if (--w->count == 0) {
                *p = w->next;
                free(w);
                last = 1;
            }
            break;
        }
    pthread_mutex_unlock(&subs->wait_lock);
    if (last) mm_notifier_wait_unregister(subs->o.rt->notifier, id);
}

/* Loop thread, once a second while the loop has eventResult subscriptions:
 * those past their deadline get an error and end (nothing waits forever). */
static void on_result_sweep(uv_timer_t *t) {
    mm_subscriptions *subs = t->data;
    loop_reg *reg = NULL;
    for (unsigned i = 0; i < MAX_LOOPS && !reg; i++)
        if (&subs->loops[i].result_timer == t) reg = &subs->loops[i];
    assert(reg);
    uint64_t now = now_ms();
    sub *s = reg->result_subs;
    while (s) {
        sub *next = s->next;
        if (now >= s->due_ms) {
            list_remove(&reg->result_subs, s);
            stop_waiting(subs, s->event_id);
            if (send_error(s->st, s->id, "RESULT_TIMEOUT",
                           "no result for event %s within %u ms; query eventResult(id:) later",
                           s->event_id, subs->result_timeout_ms) == 0)
                sub_free(subs, s); /* the error ended the operation: no unsubscribe comes */
            else
                s->done = 1; /* the stream is closing: its unsubscribe frees it */
        }
        s = next;
    }
    if (!reg->result_subs) uv_timer_stop(t);
}

static void arm_result_sweep(mm_subscriptions *subs, unsigned loop) {
    loop_reg *reg = &subs->loops[loop];
    if (!reg->timer_ready) {
        uv_loop_t *l = mm_http_server_loop(atomic_load(&subs->server), loop);
        if (!l || uv_timer_init(l, &reg->result_timer) != 0) return;
        reg->result_timer.data = subs;
        reg->timer_ready = 1; /* closed with the loop's other handles when the server stops */
    }
    if (!uv_is_active((uv_handle_t *)&reg->result_timer))
        uv_timer_start(&reg->result_timer, on_result_sweep, 1000, 1000);
}

/* ---- a polled field: read on a dispatch thread, sent when it changed ---- */

static void poll_job_free(poll_job *j) {
    json_decref(j->args);
    json_decref(j->value);
    free(j);
}

/* Loop thread: the read's answer. */
static void on_poll_answer(void *ud) {
    poll_job *j = ud;
    mm_subscriptions *subs = j->subs;
    loop_reg *reg = &subs->loops[j->loop];
    sub *s = reg->poll_subs;
    while (s && s->serial != j->serial) s = s->next;
    if (!s) { /* unsubscribed meanwhile */
        poll_job_free(j);
        return;
    }
    s->polling = 0;
    if (!j->value) {
        list_remove(&reg->poll_subs, s);
        if (send_error(s->st, s->id, j->code ? j->code : "UNAVAILABLE", "%s", j->msg) == 0)
            sub_free(subs, s); /* the error ended the operation: no unsubscribe comes */
        else
            s->done = 1; /* the stream is closing: its unsubscribe frees it */
        poll_job_free(j);
        return;
    }
    size_t len;
    char *text = execute(subs, s, j->value, &len);
    j->value = NULL; /* taken */
    if (text && !(s->last_text && strcmp(s->last_text, text) == 0) &&
        mm_http_stream_next(s->st, s->id, text, len) == 0) {
        s->delivered++; /* trace */
        free(s->last_text);
        s->last_text = text;
        text = NULL;
    }
    free(text);
    poll_job_free(j);
}

/* A dispatch thread: read the value, hand it back to the loop. */
static void run_poll(void *ud) {
    poll_job *j = ud;
    mm_subscriptions *subs = j->subs;
    j->value = subs->o.poll(subs->o.poll_ud, j->args, &j->code, j->msg, sizeof j->msg);
    if (!j->value && !j->msg[0]) snprintf(j->msg, sizeof j->msg, "cannot read the value");
    pthread_mutex_lock(&subs->poll_lock);
    int rc = subs->poll_stopped
                 ? MM_EINVAL
                 : mm_http_server_post(atomic_load(&subs->server), j->loop, on_poll_answer, j);
    subs->poll_inflight--;
    pthread_cond_broadcast(&subs->poll_cond);
    pthread_mutex_unlock(&subs->poll_lock);
    if (rc != 0) poll_job_free(j); /* stopping: nobody waits for it */
}

static void start_poll(mm_subscriptions *subs, unsigned loop, sub *s) {
    if (s->polling) return; /* the previous read is still out: no pile-up */
    poll_job *j = calloc(1, sizeof *j);
    if (!j) return;
    j->subs = subs;
    j->loop = loop;
    j->serial = s->serial;
    j->args = json_deep_copy(s->args);
    pthread_mutex_lock(&subs->poll_lock);
    int ok = j->args && !subs->poll_stopped;
    if (ok) subs->poll_inflight++;
    pthread_mutex_unlock(&subs->poll_lock);
    if (ok && mm_dispatch_post(subs->o.rt->dispatch, run_poll, j) != 0) {
        pthread_mutex_lock(&subs->poll_lock);
        subs->poll_inflight--;
        pthread_cond_broadcast(&subs->poll_cond);
        pthread_mutex_unlock(&subs->poll_lock);
        ok = 0;
    }
    if (!ok) {
        poll_job_free(j);
        return;
    }
    s->polling = 1;
}

/* No more reads; waits (at most 5 s) for those on dispatch threads. */
static void stop_polling(mm_subscriptions *subs) {
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    pthread_mutex_lock(&subs->poll_lock);
    subs->poll_stopped = 1;
    while (subs->poll_inflight > 0 &&
           pthread_cond_timedwait(&subs->poll_cond, &subs->poll_lock, &until) == 0) {
    }
    if (subs->poll_inflight > 0)
        mm_log_warn("msg=\"subscriptions: a polled read did not end within 5 s\" reads=%u",
                    subs->poll_inflight);
    pthread_mutex_unlock(&subs->poll_lock);
}

static void on_poll_timer(uv_timer_t *t) {
    mm_subscriptions *subs = t->data;
    unsigned loop = 0;
    while (loop < MAX_LOOPS && &subs->loops[loop].poll_timer != t) loop++;
    assert(loop < MAX_LOOPS);
    loop_reg *reg = &subs->loops[loop];
    for (sub *s = reg->poll_subs; s; s = s->next) start_poll(subs, loop, s);
    if (!reg->poll_subs) uv_timer_stop(t);
}

static void arm_poll_timer(mm_subscriptions *subs, unsigned loop) {
    loop_reg *reg = &subs->loops[loop];
    if (!reg->poll_timer_ready) {
        uv_loop_t *l = mm_http_server_loop(atomic_load(&subs->server), loop);
        if (!l || uv_timer_init(l, &reg->poll_timer) != 0) return;
        reg->poll_timer.data = subs;
        reg->poll_timer_ready = 1; /* closed with the loop's other handles when the server stops */
    }
    unsigned ms = subs->o.poll_interval_ms ? subs->o.poll_interval_ms : 2000;
    if (!uv_is_active((uv_handle_t *)&reg->poll_timer))
        uv_timer_start(&reg->poll_timer, on_poll_timer, ms, ms);
}

/* ---- the stream hooks (loop thread) ---- */

static const mm_subscription_spec *find_spec(mm_subscriptions *subs, const char *field) {
    mm_runtime *rt = subs->o.rt;
    for (size_t i = 0; i < rt->service_count; i++)
        for (size_t k = 0; k < rt->services[i]->subscription_count; k++)
            if (strcmp(rt->services[i]->subscriptions[k]->field, field) == 0)
                return rt->services[i]->subscriptions[k];
    return NULL;
}

static int hook_init(void *ud, json_t *payload) {
    mm_subscriptions *subs = ud;
    mm_runtime *rt = subs->o.rt;
    for (size_t i = 0; i < rt->service_count; i++) {
        const mm_service *svc = rt->services[i];
        if (svc->connection_auth && svc->connection_auth(svc->connection_auth_ud, payload) != 0) {
            mm_log_info("msg=\"subscriptions: connection_init refused\" service=%s", svc->name);
            return MM_EAUTH;
        }
    }
    return 0;
}

/* A query over a stream: run once, answer, complete. */
static void run_once(mm_subscriptions *subs, mm_http_stream *st, const char *id,
                     const mm_http_graphql_request *req) {
    mm_graphql_request_params p = {
        .query = req->query,
        .query_length = strlen(req->query),
        .variables = req->variables,
        .operation_name = req->operation_name,
        .context = subs->o.rt,
    };
    mm_graphql_request *r = mm_graphql_request_start(subs->o.schema, subs->o.graphql, &p);
    if (!r || mm_graphql_request_outcome(r) == MM_GRAPHQL_PENDING) {
        mm_graphql_request_free(r);
        send_error(st, id, "INTERNAL_SERVER_ERROR", "the operation could not run here");
        return;
    }
    size_t len;
    char *text = mm_graphql_request_take_response_text(r, &len);
    mm_graphql_request_free(r);
    if (text && mm_http_stream_next(st, id, text, len) == 0) mm_http_stream_complete(st, id);
    free(text);
}

/* Validation, variables and the like, through the engine: 1 and errors sent
 * when the document cannot run. */
static int check_document(mm_subscriptions *subs, mm_http_stream *st, const char *id,
                          const mm_http_graphql_request *req) {
    json_t *root = json_object();
    mm_graphql_request_params p = {
        .query = req->query,
        .query_length = strlen(req->query),
        .variables = req->variables,
        .operation_name = req->operation_name,
        .context = subs->o.rt,
        .root_value = root,
        .allow_subscription = true,
    };
    mm_graphql_request *r = mm_graphql_request_start(subs->o.schema, subs->o.graphql, &p);
    int bad = 0;
    if (!r) {
        send_error(st, id, "INTERNAL_SERVER_ERROR", "out of memory");
        bad = 1;
    } else if (mm_graphql_request_outcome(r) != MM_GRAPHQL_EXECUTED) {
        json_t *resp = mm_graphql_request_response(r);
        char *text = resp ? json_dumps(json_object_get(resp, "errors"), JSON_COMPACT) : NULL;
        mm_http_stream_error(st, id, text ? text : "[{\"message\":\"invalid operation\"}]");
        free(text);
        json_decref(resp);
        bad = 1;
    }
    mm_graphql_request_free(r);
    json_decref(root);
    return bad;
}

static int subscribe_document(mm_subscriptions *subs, mm_http_stream *st, const char *id,
                              const mm_http_graphql_request *req, void **op_data);

/* Persisted queries and trusted documents apply as they do over HTTP. */
static int hook_subscribe(void *ud, mm_http_stream *st, const char *id,
                          const mm_http_graphql_request *req, void **op_data) {
    mm_subscriptions *subs = ud;
    *op_data = NULL;
    if (!subs->o.pq) {
        if (!req->query || !*req->query) {
            send_error(st, id, "BAD_REQUEST", "the request has no query");
            return 1;
        }
        return subscribe_document(subs, st, id, req, op_data);
    }
    char *doc = NULL;
    size_t len = 0;
    json_t *error = NULL;
    mm_http_outcome outcome;
    if (mm_pq_resolve(subs->o.pq, req->query ? req->query : "", req->extensions, &doc, &len, &error,
                      &outcome) != MM_PQ_RUN) {
        char *text = json_dumps(json_object_get(error, "errors"), JSON_COMPACT);
        mm_http_stream_error(st, id, text ? text : "[{\"message\":\"refused\"}]");
        free(text);
        json_decref(error);
        free(doc);
        return 1;
    }
    mm_http_graphql_request r = *req;
    if (doc) r.query = doc; /* NULL: the request's own query runs */
    int rc = subscribe_document(subs, st, id, &r, op_data);
    free(doc);
    return rc;
}

static int subscribe_document(mm_subscriptions *subs, mm_http_stream *st, const char *id,
                              const mm_http_graphql_request *req, void **op_data) {
    /* The operation and its root field. */
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    int rc = 1;
    sub *s = NULL;
    mm_gql_document *doc = mm_gql_parse(&arena, req->query, strlen(req->query), NULL, &errors);
    const mm_gql_operation *op = doc ? mm_gql_get_operation(doc, req->operation_name) : NULL;
    /* A query runs once (its errors in its one result); anything else is
     * checked by the engine first (parse, validation, variables). */
    if (!(op && op->operation == MM_GQL_OP_QUERY) && check_document(subs, st, id, req)) goto out;
    if (!op) {
        send_error(st, id, "BAD_REQUEST", "no operation to run");
        goto out;
    }
    if (op->operation == MM_GQL_OP_MUTATION) {
        send_error(st, id, "BAD_REQUEST",
                   "send mutations with POST to the GraphQL endpoint, not over a stream");
        goto out;
    }
    if (op->operation == MM_GQL_OP_QUERY) {
        run_once(subs, st, id, req);
        goto out;
    }
    const mm_gql_selection *sel =
        op->selection_set && op->selection_set->count ? &op->selection_set->items[0] : NULL;
    if (!sel || sel->kind != MM_GQL_SEL_FIELD) {
        send_error(st, id, "BAD_REQUEST",
                   "select the subscription field directly (not through a fragment)");
        goto out;
    }
    const char *field = sel->u.field.name.value;
    const mm_subscription_spec *spec = NULL;
    int polled = subs->o.polled_field && subs->o.poll && strcmp(field, subs->o.polled_field) == 0;
    if (!polled && strcmp(field, "eventResult") != 0 && !(spec = find_spec(subs, field))) {
        send_error(st, id, "BAD_REQUEST", "Subscription.%s is not bound to any events", field);
        goto out;
    }
    unsigned max =
        subs->o.max_subscriptions ? subs->o.max_subscriptions : MM_SUBSCRIPTIONS_DEFAULT_MAX;
    if (atomic_fetch_add(&subs->active, 1) >= max) {
        atomic_fetch_sub(&subs->active, 1);
        send_error(st, id, "TOO_MANY_SUBSCRIPTIONS",
                   "this server has reached its limit of %u subscriptions", max);
        goto out;
    }
    s = calloc(1, sizeof *s);
    if (!s) {
        atomic_fetch_sub(&subs->active, 1);
        send_error(st, id, "INTERNAL_SERVER_ERROR", "out of memory");
        goto out;
    }
    s->st = st;
    s->spec = spec;
    s->id = strdup(id);
    s->field = strdup(field);
    s->query = strdup(req->query);
    s->operation_name = req->operation_name ? strdup(req->operation_name) : NULL;
    s->variables = req->variables ? json_deep_copy(req->variables) : NULL;
    /* The root field's arguments with the variables applied. */
    json_t *vars =
        mm_gql_coerce_variable_values(subs->o.schema, op, req->variables, 50, false, &errors);
    const mm_gql_field *fdef = mm_gql_type_find_field(subs->o.schema->subscription_type, field);
    const char *msg = NULL;
    mm_gql_loc loc;
    if (vars && fdef)
        s->args =
            mm_gql_get_argument_values(fdef->args, fdef->arg_count, sel->u.field.args,
                                       sel->u.field.arg_count, sel->loc, vars, &arena, &msg, &loc);
    json_decref(vars);
    if (!s->id || !s->field || !s->query || !s->args) {
        send_error(st, id, "BAD_REQUEST", "%s", msg ? msg : "cannot coerce the arguments");
        sub_free(subs, s);
        s = NULL;
        goto out;
    }
    unsigned loop = mm_http_stream_loop(st);
    assert(loop < MAX_LOOPS);
    loop_reg *reg = &subs->loops[loop];
    if (polled) {
        s->polled = 1;
        s->serial = ++reg->next_serial;
        list_add(&reg->poll_subs, s);
        start_poll(subs, loop, s); /* the first value at once */
        arm_poll_timer(subs, loop);
    } else if (spec) {
        if (group_join(reg, s) != 0) {
            send_error(st, id, "INTERNAL_SERVER_ERROR", "out of memory");
            sub_free(subs, s);
            s = NULL;
            goto out;
        }
        atomic_fetch_add(&reg->topic_count, 1);
        mm_tail_idle_note_subscriber(&subs->idle);
    } else {
        const char *eid = json_string_value(json_object_get(s->args, "id"));
        s->event_id = eid ? strdup(eid) : NULL;
        if (!s->event_id) {
            send_error(st, id, "BAD_REQUEST", "eventResult needs an id");
            sub_free(subs, s);
            s = NULL;
            goto out;
        }
        s->due_ms = now_ms() + subs->result_timeout_ms;
        list_add(&reg->result_subs, s);
        int w = wait_for_result(subs, loop, s->event_id);
        if (w) {
            list_remove(&reg->result_subs, s);
            send_error(st, id, "UNAVAILABLE", "cannot wait for the result of %s: %s", s->event_id,
                       w == MM_EEXIST ? "a synchronous mutation of this server awaits it"
                                      : mm_strerror(w));
            sub_free(subs, s);
            s = NULL;
            goto out;
        }
    }
    if (!spec && !polled) arm_result_sweep(subs, loop);
    mm_log_debug("msg=\"subscription started\" transport=%s remote=%s field=%s",
                 mm_http_stream_kind(st), mm_http_stream_remote(st), field);
    if (mm_trace_enabled()) /* trace: parent the request's server span (SSE), the upgrade's context (WebSocket) */
        s->span = mm_subscription_trace_begin(&req->trace, mm_http_stream_kind(st), field,
                                              req->operation_name);
    *op_data = s;
    rc = 0;
out:
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return rc;
}

static void hook_unsubscribe(void *ud, mm_http_stream *st, const char *id, void *op_data) {
    (void)st;
    (void)id;
    mm_subscriptions *subs = ud;
    sub *s = op_data;
    if (!s) return; /* a query or an operation that answered at once */
    if (s->done) {
        sub_free(subs, s);
        return;
    }
    loop_reg *reg = &subs->loops[mm_http_stream_loop(st)];
    if (s->polled) {
        list_remove(&reg->poll_subs, s); /* a read still out finds no serial and is dropped */
    } else if (s->spec) {
        group_leave(reg, s);
        atomic_fetch_sub(&reg->topic_count, 1);
    } else {
        list_remove(&reg->result_subs, s);
        stop_waiting(subs, s->event_id);
    }
    sub_free(subs, s);
}

/* ---- the Kafka tail: every subscribed topic from its end, no group ---- */

/* True when some loop holds a subscriber to a topic binding. With nobody
 * listening the tail skips the decode (it was ~30% of gregor serve's
 * instructions per synchronous mutation, callgrind), and after
 * subscriptions.tail_idle_ms it stops fetching altogether (tail_idle.h). */
static bool any_topic_subscriber(mm_subscriptions *subs) {
    unsigned n = mm_http_server_loop_count(atomic_load(&subs->server));
    for (unsigned i = 0; i < n && i < MAX_LOOPS; i++)
        if (atomic_load(&subs->loops[i].topic_count) > 0) return true;
    return false;
}

static bool listening(void *ud) { return any_topic_subscriber(ud); }

static void fan_out_event(mm_subscriptions *subs, shared_event *e) {
    unsigned n = mm_http_server_loop_count(atomic_load(&subs->server));
    for (unsigned i = 0; i < n && i < MAX_LOOPS; i++)
        if (atomic_load(&subs->loops[i].topic_count) > 0) post_msg(subs, i, e, NULL, NULL);
}

/* Assigns the partitions of the topics not yet assigned, each at its high
 * watermark (the offset of the next event: nothing before now is read). */
static void try_assign(mm_subscriptions *subs) {
    int all = 1;
    for (size_t t = 0; t < subs->topic_count; t++) {
        if (subs->topic_assigned[t]) continue;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(subs->rk, subs->topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rkt ? rd_kafka_metadata(subs->rk, 0, rkt, &md, KAFKA_QUERY_MS)
                                      : RD_KAFKA_RESP_ERR__FAIL;
        if (rkt) rd_kafka_topic_destroy(rkt);
        if (err || md->topic_cnt != 1 || md->topics[0].err || md->topics[0].partition_cnt == 0) {
            int missing = !err && md->topic_cnt == 1 &&
                          md->topics[0].err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
            if (md) rd_kafka_metadata_destroy(md);
            all = 0;
            if (missing) {
                /* As a producer's auto-creation would (the broker's partition count), so that
                 * the first events of a new topic are read too; the next attempt assigns it. */
                char why[256];
                const char *const one[] = {subs->topics[t]};
                if (mm_kafka_create_topics(subs->rk, one, 1, -1, -1, KAFKA_QUERY_MS, why,
                                           sizeof why) != 0)
                    mm_log_warn("msg=\"subscriptions: cannot create a subscribed topic\" topic=%s "
                                "error=\"%s\"",
                                subs->topics[t], why);
            }
            continue;
        }
        rd_kafka_topic_partition_list_t *parts =
            rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
        int ok = 1;
        for (int p = 0; p < md->topics[0].partition_cnt && ok; p++) {
            int32_t id = md->topics[0].partitions[p].id;
            int64_t lo, hi;
            if (rd_kafka_query_watermark_offsets(subs->rk, subs->topics[t], id, &lo, &hi,
                                                 KAFKA_QUERY_MS))
                ok = 0;
            else
                rd_kafka_topic_partition_list_add(parts, subs->topics[t], id)->offset = hi;
        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_error_t *e = ok ? rd_kafka_incremental_assign(subs->rk, parts) : NULL;
        if (e) {
            mm_log_warn("msg=\"subscriptions: cannot assign\" topic=%s error=\"%s\"",
                        subs->topics[t], rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
            ok = 0;
        }
        if (ok) {
            subs->topic_assigned[t] = parts->cnt;
            mm_log_info("msg=\"subscriptions: reading topic from its end\" topic=%s partitions=%d",
                        subs->topics[t], parts->cnt);
        } else {
            all = 0;
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
    if (all) atomic_store(&subs->ready, true);
}

/* Partitions added to an assigned topic: its metadata is asked again every
 * partition_refresh_ms, and partitions past the assigned count (Kafka only
 * adds partitions, numbered on) are assigned from their beginning: all they
 * hold was produced after they were created, so after the server started. */
static void refresh_partitions(mm_subscriptions *subs) {
    for (size_t t = 0; t < subs->topic_count; t++) {
        int have = subs->topic_assigned[t];
        if (have <= 0) continue;
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(subs->rk, subs->topics[t], NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t err = rkt ? rd_kafka_metadata(subs->rk, 0, rkt, &md, KAFKA_QUERY_MS)
                                      : RD_KAFKA_RESP_ERR__FAIL;
        if (rkt) rd_kafka_topic_destroy(rkt);
        int now =
            (!err && md->topic_cnt == 1 && !md->topics[0].err) ? md->topics[0].partition_cnt : 0;
        rd_kafka_topic_partition_list_t *parts =
            now > have ? rd_kafka_topic_partition_list_new(now - have) : NULL;
        for (int p = 0; parts && p < md->topics[0].partition_cnt; p++) {
            int32_t id = md->topics[0].partitions[p].id;
            if (id >= have)
                rd_kafka_topic_partition_list_add(parts, subs->topics[t], id)->offset =
                    RD_KAFKA_OFFSET_BEGINNING;
        }
        if (md) rd_kafka_metadata_destroy(md);
        if (!parts) continue;
        rd_kafka_error_t *e = rd_kafka_incremental_assign(subs->rk, parts);
        if (e) {
            mm_log_warn("msg=\"subscriptions: cannot assign new partitions\" topic=%s error=\"%s\"",
                        subs->topics[t], rd_kafka_error_string(e));
            rd_kafka_error_destroy(e);
        } else {
            subs->topic_assigned[t] = now;
            mm_tail_idle_assigned(&subs->idle, subs->rk);
            mm_log_info("msg=\"subscriptions: reading partitions added to a topic\" topic=%s "
                        "partitions=%d added=%d",
                        subs->topics[t], now, now - have);
        }
        rd_kafka_topic_partition_list_destroy(parts);
    }
}

static void *tail_main(void *arg) {
    mm_subscriptions *subs = arg;
    uint64_t next_try = 0, next_refresh = now_ms() + subs->partition_refresh_ms;
    while (!atomic_load(&subs->stop)) {
        if (!atomic_load(&subs->ready) && now_ms() >= next_try) {
            try_assign(subs);
            next_try = now_ms() + ASSIGN_RETRY_MS;
        }
        if (now_ms() >= next_refresh) {
            refresh_partitions(subs);
            next_refresh = now_ms() + subs->partition_refresh_ms;
        }
        if (subs->o.tail_idle_ms && atomic_load(&subs->ready))
            mm_tail_idle_turn(&subs->idle, subs->rk, listening, subs, subs->o.tail_idle_ms,
                              KAFKA_QUERY_MS);
        rd_kafka_message_t *m = rd_kafka_consumer_poll(subs->rk, POLL_MS);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                mm_log_warn("msg=\"subscriptions: kafka\" error=\"%s\"",
                            rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!any_topic_subscriber(subs) || mm_tail_idle_drop(&subs->idle, m)) {
            rd_kafka_message_destroy(m);
            continue;
        }
        shared_event *e = calloc(1, sizeof *e);
        char reason[MM_ENVELOPE_REASON_MAX];
        if (e) {
            mm_event_init(&e->ev);
            atomic_init(&e->refs, 1);
            e->topic = strdup(rd_kafka_topic_name(m->rkt));
            if (!e->topic || mm_envelope_decode_message(m, &e->ev, reason) != 0) {
                mm_log_debug(
                    "msg=\"subscriptions: an undecodable message skipped\" topic=%s offset=%lld",
                    rd_kafka_topic_name(m->rkt), (long long)m->offset);
            } else {
                fan_out_event(subs, e);
            }
            event_release(e);
        }
        rd_kafka_message_destroy(m);
    }
    return NULL;
}

/* ---- lifecycle ---- */

static int add_topic(mm_subscriptions *subs, const char *topic) {
    for (size_t i = 0; i < subs->topic_count; i++)
        if (strcmp(subs->topics[i], topic) == 0) return 0;
    char **v = realloc(subs->topics, (subs->topic_count + 1) * sizeof *v);
    if (!v) return MM_ENOMEM;
    subs->topics = v;
    if (!(v[subs->topic_count] = strdup(topic))) return MM_ENOMEM;
    subs->topic_count++;
    return 0;
}

mm_subscriptions *mm_subscriptions_new(const mm_subscriptions_options *opts, char *err,
                                       size_t err_size) {
    mm_subscriptions *subs = calloc(1, sizeof *subs);
    if (!subs) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    subs->o = *opts;
    subs->result_timeout_ms = opts->result_timeout_ms ? opts->result_timeout_ms
                                                      : MM_SUBSCRIPTIONS_DEFAULT_RESULT_TIMEOUT_MS;
    subs->partition_refresh_ms = opts->partition_refresh_ms
                                     ? opts->partition_refresh_ms
                                     : MM_SUBSCRIPTIONS_DEFAULT_PARTITION_REFRESH_MS;
    pthread_mutex_init(&subs->wait_lock, NULL);
    pthread_mutex_init(&subs->poll_lock, NULL);
    pthread_cond_init(&subs->poll_cond, NULL);
    subs->hooks = (mm_http_stream_hooks){
        .connection_init = hook_init,
        .subscribe = hook_subscribe,
        .unsubscribe = hook_unsubscribe,
        .ud = subs,
        .max_queue_bytes = opts->max_queue_bytes,
        .keepalive_ms = opts->keepalive_ms,
        .max_ops_per_connection = opts->max_per_connection,
        .max_reservations = opts->sse_reservations,
        .max_reservations_per_ip = opts->sse_reservations_per_ip,
        .reservation_ms = opts->sse_reservation_ms,
    };
    mm_runtime *rt = opts->rt;
    /* Every binding names a declared Subscription field and object types. */
    for (size_t i = 0; i < rt->service_count; i++)
        for (size_t k = 0; k < rt->services[i]->subscription_count; k++) {
            const mm_subscription_spec *sp = rt->services[i]->subscriptions[k];
            if (strcmp(sp->field, "eventResult") == 0 || !opts->schema->subscription_type ||
                !mm_gql_type_find_field(opts->schema->subscription_type, sp->field)) {
                snprintf(err, err_size,
                         "service %s: mm_service_add_subscription: %s is not a field of "
                         "`type Subscription` in its SDL (or is the framework's eventResult)",
                         rt->services[i]->name, sp->field);
                mm_subscriptions_free(subs);
                return NULL;
            }
            for (char **t = sp->event_types; *t; t++) {
                const mm_gql_type *ty = mm_gql_schema_find_type(opts->schema, *t);
                if (!ty || ty->kind != MM_GQL_OBJECT) {
                    snprintf(err, err_size,
                             "service %s: subscription %s: event type %s is not an object type "
                             "declared in a loaded service's SDL",
                             rt->services[i]->name, sp->field, *t);
                    mm_subscriptions_free(subs);
                    return NULL;
                }
            }
        }
    for (size_t i = 0; i < rt->service_count; i++)
        for (size_t k = 0; k < rt->services[i]->subscription_count; k++)
            for (char **t = rt->services[i]->subscriptions[k]->topics; *t; t++)
                if (add_topic(subs, *t)) {
                    snprintf(err, err_size, "out of memory");
                    mm_subscriptions_free(subs);
                    return NULL;
                }
    subs->topic_assigned = calloc(subs->topic_count + 1, sizeof *subs->topic_assigned);
    if (!subs->topic_assigned) {
        snprintf(err, err_size, "out of memory");
        mm_subscriptions_free(subs);
        return NULL;
    }
    if (subs->topic_count == 0) {
        atomic_store(&subs->ready, true);
        return subs;
    }
    /* group.id only names the client: nothing is ever committed or joined. */
    static const mm_kv defaults[] = {
        {"group.id", "mm-subscriptions"},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "false"},
    };
    char why[512];
    rd_kafka_conf_t *conf = mm_kafka_conf_new(rt->config->kafka_bootstrap_servers, defaults,
                                              sizeof defaults / sizeof defaults[0], rt->kafka_props,
                                              rt->kafka_prop_count, why, sizeof why);
    if (conf) subs->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (!subs->rk) {
        if (conf) rd_kafka_conf_destroy(conf);
        snprintf(err, err_size, "subscriptions: cannot create the Kafka client: %s", why);
        mm_subscriptions_free(subs);
        return NULL;
    }
    /* The client's own reports (statistics.interval.ms, errors) are served
     * by the tail's rd_kafka_consumer_poll, instead of piling up unread. */
    rd_kafka_poll_set_consumer(subs->rk);
    return subs;
}

const mm_http_stream_hooks *mm_subscriptions_hooks(mm_subscriptions *subs) { return &subs->hooks; }

int mm_subscriptions_start(mm_subscriptions *subs, mm_http_server *server) {
    atomic_store(&subs->server, server);
    if (!subs->rk) return 0;
    if (pthread_create(&subs->thread, NULL, tail_main, subs) != 0) return MM_ENOMEM;
    subs->thread_started = 1;
    return 0;
}

int mm_subscriptions_ready(mm_subscriptions *subs, char *reason, size_t reason_size) {
    if (atomic_load(&subs->ready)) return 1;
    snprintf(reason, reason_size, "not reading every subscribed topic yet");
    return 0;
}

void mm_subscriptions_stop(mm_subscriptions *subs) {
    if (!subs) return;
    stop_polling(subs);
    if (!subs->thread_started) return;
    atomic_store(&subs->stop, true);
    pthread_join(subs->thread, NULL);
    subs->thread_started = 0;
}

void mm_subscriptions_free(mm_subscriptions *subs) {
    if (!subs) return;
    mm_subscriptions_stop(subs);
    if (subs->rk) {
        rd_kafka_consumer_close(subs->rk);
        rd_kafka_destroy(subs->rk);
    }
    while (subs->waits) {
        wait *w = subs->waits;
        subs->waits = w->next;
        mm_notifier_wait_unregister(subs->o.rt->notifier, w->id);
        free(w);
    }
    for (size_t i = 0; i < MAX_LOOPS; i++) {
        /* The server's stop unsubscribed every stream: no group is left. */
        assert(!subs->loops[i].groups);
        free(subs->loops[i].buckets);
    }
    for (size_t i = 0; i < subs->topic_count; i++) free(subs->topics[i]);
    free(subs->topics);
    free(subs->topic_assigned);
    pthread_mutex_destroy(&subs->wait_lock);
    pthread_mutex_destroy(&subs->poll_lock);
    pthread_cond_destroy(&subs->poll_cond);
    free(subs);
}
