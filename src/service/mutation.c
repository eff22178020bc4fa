/* mutation.c -- the resolver behind every event mutation (mutation.h). */
#include "service/mutation.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <librdkafka/rdkafka.h>

#include "bus/envelope.h"
#include "bus/event_trace.h"
#include "bus/limits.h"
#include "common/log.h"
#include "graphql/execution/execute.h"
#include "service/gateway.h"
#include "service/runtime.h"

/* eventResult(id:) longer than this is bad input (event ids are UUIDs). */
#define MAX_EVENT_ID_BYTES 256

/* How often a mutation held while Kafka is down looks at the probe again. */
#define GATE_POLL_MS 100

/* ---- the context mutate_event receives ---------------------------------- */

struct mm_mutation_call {
    mm_state *state;
    char message[512];
    char code[64];
    int failed;
    char key[MM_LIMIT_ID_BYTES]; /* the event's Kafka key (mm_mutation_set_key) */
    size_t key_len;              /* 0: the event id */
};

int mm_mutation_set_key(mm_mutation_call *call, const void *key, size_t len) {
    if (key == NULL || len == 0 || len > sizeof call->key) return MM_EINVAL;
    memcpy(call->key, key, len);
    call->key_len = len;
    return 0;
}

void mm_mutation_fail(mm_mutation_call *call, const char *code, const char *fmt, ...) {
    if (call->failed) return; /* the first reason wins */
    call->failed = 1;
    snprintf(call->code, sizeof call->code, "%s", code ? code : "BAD_USER_INPUT");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(call->message, sizeof call->message, fmt, ap);
    va_end(ap);
}

mm_state *mm_mutation_state(mm_mutation_call *call) { return call->state; }

/* ---- a mutation waiting for its outcome ---------------------------------- */

typedef struct mm_pending_mutation {
    atomic_int refs;
    atomic_int settled; /* 1 once the deferred was settled */
    mm_runtime *rt;
    mm_gql_deferred *deferred;
    char event_id[64];
    char topic[256];
    long timeout_ms;
    long unavailable_ms; /* the Kafka acknowledgement deadline */
    int synchronous;
    atomic_int delivered; /* 1 once Kafka acknowledged the event */
    json_t *event_data;   /* async answer: the event's fields */
    mm_timer_entry deadline;
    mm_timer_entry publish_deadline; /* armed until the delivery report */
    mm_timer_entry gate;             /* polls the Kafka probe while it says down */
    long long gate_until_ms;         /* when the gate gives up */
    mm_event ev;                     /* the event, until published */
    const mm_mutation_spec *spec;
    struct mm_pending_mutation *next, *prev; /* rt->pending, while waiting */
    int listed;
} mm_pending_mutation;

typedef struct binding {
    mm_mutation_spec *spec;
    mm_runtime *rt;
} binding;

static void pending_release(mm_pending_mutation *p) {
    if (atomic_fetch_sub(&p->refs, 1) != 1) return;
    json_decref(p->event_data);
    free(p);
}

static void unlist(mm_pending_mutation *p) {
    mm_runtime *rt = p->rt;
    pthread_mutex_lock(&rt->pending_lock);
    if (p->listed) {
        if (p->prev)
            p->prev->next = p->next;
        else
            rt->pending = p->next;
        if (p->next) p->next->prev = p->prev;
        p->listed = 0;
    }
    pthread_mutex_unlock(&rt->pending_lock);
}

/* Settles the GraphQL field once: the first caller wins, later ones drop
 * their value. value and extensions are stolen either way. */
static void settle(mm_pending_mutation *p, json_t *value, const char *error, json_t *extensions) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&p->settled, &expected, 1)) {
        json_decref(value);
        json_decref(extensions);
        return;
    }
    unlist(p);
    if (error) {
        json_decref(value);
        mm_gql_deferred_reject(p->deferred, extensions, error);
    } else {
        mm_gql_deferred_resolve(p->deferred, value);
    }
}

/* Drops the waiter and the deadline if they are still armed, releasing the
 * references they held. Never called from the notifier callback for its own
 * event (the notifier forbids it); the timer cancel never blocks. */
static void disarm_waiter(mm_pending_mutation *p) {
    if (mm_notifier_wait_unregister(p->rt->notifier, p->event_id) == 0) pending_release(p);
}

static void disarm_deadline(mm_pending_mutation *p) {
    if (mm_timer_cancel(p->rt->timer, &p->deadline)) pending_release(p);
}

static void disarm_publish_deadline(mm_pending_mutation *p) {
    if (mm_timer_cancel(p->rt->timer, &p->publish_deadline)) pending_release(p);
}

static json_t *kafka_unavailable_ext(const char *event_id) {
    return event_id ? json_pack("{s:s,s:s}", "code", "KAFKA_UNAVAILABLE", "eventId", event_id)
                    : json_pack("{s:s}", "code", "KAFKA_UNAVAILABLE");
}

static json_t *string_or_null(json_t *v) {
    return json_is_string(v) ? json_incref(v) : json_null();
}

json_t *mm_result_doc_to_data(json_t *doc, const char **error_message, json_t **extensions) {
    *error_message = NULL;
    *extensions = NULL;
    const char *status = json_string_value(json_object_get(doc, "status"));
    if (status && strcmp(status, "ok") == 0) {
        json_t *event = json_object_get(doc, "event");
        json_t *data = json_object_get(event, "data");
        if (json_is_object(data)) return json_pack("{s:O}", "data", data);
        *error_message = "The stored result has no event data.";
        return NULL;
    }
    json_t *e = json_object_get(doc, "error");
    const char *message = json_string_value(json_object_get(e, "message"));
    *error_message = message ? message : "The consumer failed to handle the event.";
    json_t *data = json_object_get(e, "data");
    *extensions = json_pack(
        "{s:o,s:o,s:o,s:O,s:o}", "code", string_or_null(json_object_get(e, "code")), "namespace",
        string_or_null(json_object_get(e, "namespace")), "className",
        string_or_null(json_object_get(e, "className")), "data", data ? data : json_null(),
        "sourceEventId", string_or_null(json_object_get(doc, "sourceEventId")));
    return NULL;
}

/* The notifier thread: the consumer stored the result. */
static void on_result(void *ud, const char *event_id, json_t *doc) {
    (void)event_id;
    mm_pending_mutation *p = ud;
    const char *message;
    json_t *extensions;
    json_t *value = mm_result_doc_to_data(doc, &message, &extensions);
    /* The message may point into doc; settle copies it before doc goes. */
    settle(p, value, value ? NULL : message, extensions);
    disarm_deadline(p);
    pending_release(p); /* the waiter's reference: it has fired */
}

/* The dependencies loop (the timer's): no result in time. Only an event
 * Kafka acknowledged can have a result later; say which case this is. */
static void on_deadline(void *ud) {
    mm_pending_mutation *p = ud;
    char message[384];
    if (atomic_load(&p->delivered))
        snprintf(message, sizeof message,
                 "Timed out after %ld ms waiting for the result of event %s; its result can "
                 "still be fetched with eventResult(id: \"%s\") once a consumer stores it, until "
                 "it expires.",
                 p->timeout_ms, p->event_id, p->event_id);
    else
        snprintf(message, sizeof message,
                 "Timed out after %ld ms: Kafka has not acknowledged event %s, so it may never "
                 "be published and no result is promised.",
                 p->timeout_ms, p->event_id);
    settle(p, NULL, message, json_pack("{s:s,s:s}", "code", "TIMEOUT", "eventId", p->event_id));
    disarm_waiter(p);
    pending_release(p); /* the deadline's reference: it has fired */
}

/* The dependencies loop (the timer's): Kafka has not acknowledged the
 * event within unavailable_ms. If the probes say no broker is reachable, answer now
 * instead of waiting out librdkafka's message timeout; if Kafka is up it
 * is only slow, and the delivery report (or the sync deadline) answers. */
static void on_publish_deadline(void *ud) {
    mm_pending_mutation *p = ud;
    if (!atomic_load(&p->delivered) && mm_health_kafka(p->rt->health) != MM_DEP_UP) {
        char message[384];
        snprintf(message, sizeof message,
                 "Kafka is unreachable: event %s was not acknowledged within %ld ms. It is not "
                 "published; it may still be delivered if Kafka comes back before the producer "
                 "gives up, so no result is promised.",
                 p->event_id, p->unavailable_ms);
        settle(p, NULL, message, kafka_unavailable_ext(p->event_id));
        if (p->synchronous) {
            disarm_waiter(p);
            disarm_deadline(p);
        }
    }
    pending_release(p); /* the publish deadline's reference: it has fired */
}

/* The producer's delivery thread: Kafka acknowledged the event, or failed. */
static void on_delivery(void *ud, const mm_delivery *d) {
    mm_pending_mutation *p = ud;
    if (d->status == 0) atomic_store(&p->delivered, 1);
    disarm_publish_deadline(p);
    if (d->status != 0) {
        char message[512];
        snprintf(message, sizeof message, "The event could not be published to %s: %s", p->topic,
                 d->error ? d->error : "unknown Kafka error");
        settle(p, NULL, message,
               json_pack("{s:s,s:s}", "code", "PUBLISH_FAILED", "eventId", p->event_id));
        if (p->synchronous) {
            disarm_waiter(p);
            disarm_deadline(p);
        }
    } else if (!p->synchronous) {
        json_t *answer = json_pack("{s:O}", "data", p->event_data);
        settle(p, answer, answer ? NULL : "out of memory", NULL);
    }
    pending_release(p); /* the delivery's reference */
}

/* Which timing the caller asked for (the argument, else the default). */
static int chosen_timing(const mm_mutation_spec *m, json_t *args, mm_timing *out, char *err,
                         size_t err_size) {
    json_t *t = json_object_get(args, "timing");
    mm_timing timing = m->default_timing;
    if (json_is_string(t)) {
        if (strcmp(json_string_value(t), "synchronous") == 0)
            timing = MM_TIMING_SYNCHRONOUS;
        else
            timing = MM_TIMING_ASYNCHRONOUS;
    }
    if (!(m->timings & timing)) {
        snprintf(err, err_size, "%s does not allow %s timing.", m->name,
                 timing == MM_TIMING_SYNCHRONOUS ? "synchronous" : "asynchronous");
        return MM_EINVAL;
    }
    *out = timing;
    return 0;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Publishes p's event: registers the waiter (synchronous) BEFORE producing,
 * arms the deadlines, produces. p arrives with one reference (the caller's),
 * which becomes the delivery callback's. A blocking-pool thread, or the
 * HTTP I/O thread for a nonblocking mutation: in a server the producer's
 * reports are served on the dependencies loop, so a full queue refuses the
 * event instead of blocking (producer.h, mm_producer_serve_on_loop). */
static void publish(mm_pending_mutation *p) {
    mm_runtime *rt = p->rt;
    char err[512];
    /* The event is ours from here: p may be freed by its delivery report
     * before mm_producer_send even returns. */
    mm_event ev = p->ev;
    mm_event_init(&p->ev);
    /* References: the delivery callback's, plus the publish deadline's when
     * a timer exists, plus the waiter's and the deadline's for a synchronous
     * call. */
    int has_publish_deadline = rt->timer != NULL;
    atomic_store(&p->refs, 1 + has_publish_deadline + (p->synchronous ? 2 : 0));
    /* Every result is announced to this server, so that an eventResult
     * subscription here hears of an asynchronous event's result too. */
    if (rt->notifier) mm_event_set_reply_to(&ev, mm_notifier_server_id(rt->notifier));
    if (p->synchronous) {
        pthread_mutex_lock(&rt->pending_lock);
        p->next = rt->pending;
        if (rt->pending) rt->pending->prev = p;
        rt->pending = p;
        p->listed = 1;
        pthread_mutex_unlock(&rt->pending_lock);
        const char *why = NULL;
        if (mm_notifier_wait_register(rt->notifier, p->event_id, on_result, p) != 0)
            why = "Cannot wait for the result (notifier refused the waiter).";
        else if (mm_timer_add(rt->timer, &p->deadline, p->timeout_ms, on_deadline, p) != 0) {
            why = "Cannot wait for the result (out of memory).";
            mm_notifier_wait_unregister(rt->notifier, p->event_id); /* nothing can fire it yet */
        }
        if (why) {
            /* Cannot wait: fail before anything is published. */
            settle(p, NULL, why, NULL);
            mm_event_clear(&ev);
            atomic_store(&p->refs, 1);
            pending_release(p);
            return;
        }
    }
    if (has_publish_deadline && mm_timer_add(rt->timer, &p->publish_deadline, p->unavailable_ms,
                                             on_publish_deadline, p) != 0) {
        has_publish_deadline = 0; /* out of memory: the delivery report (or deadline) answers */
        pending_release(p);       /* its reference; the delivery's keeps p */
    }
    /* The entry limit (bus/limits.h) keeps room for what a consumer emits. */
    int rc = mm_producer_send_entry(rt->producer, p->topic, &ev, on_delivery, p, err, sizeof err);
    mm_event_clear(&ev);
    if (rc != 0) {
        /* on_delivery will never run: do its part here. Nothing was queued. */
        char message[700];
        const char *code = rc == MM_ELIMIT ? "EVENT_TOO_LARGE" : "PUBLISH_FAILED";
        if (rc == MM_EKAFKA && strstr(err, rd_kafka_err2str(RD_KAFKA_RESP_ERR__QUEUE_FULL))) {
            /* Too many events wait for Kafka (queue.buffering.max.messages
             * or .kbytes): the server is overloaded, or Kafka is slow. */
            code = "SERVER_BUSY";
            snprintf(message, sizeof message,
                     "The server is too busy to publish the event now: the Kafka producer's "
                     "queue is full (%s). Nothing was published; retry later.",
                     err);
        } else {
            snprintf(message, sizeof message, "The event could not be published: %s", err);
        }
        settle(p, NULL, message, json_pack("{s:s}", "code", code));
        if (has_publish_deadline) disarm_publish_deadline(p);
        if (p->synchronous) {
            disarm_waiter(p);
            disarm_deadline(p);
        }
        pending_release(p);
    }
}

/* Settles a held (gated) event that will not be published, and drops it. */
static void gate_refuse(mm_pending_mutation *p) {
    if (atomic_load(&p->rt->closing))
        settle(p, NULL, "The server is shutting down; the event was not published.",
               json_pack("{s:s}", "code", "SHUTTING_DOWN"));
    else
        settle(p, NULL,
               "Kafka is unreachable: the event was not published. Retry when the server is ready.",
               kafka_unavailable_ext(NULL));
    mm_event_clear(&p->ev);
    pending_release(p);
}

/* A blocking-pool thread: the gate opened. */
static void publish_gated(void *ud) {
    mm_pending_mutation *p = ud;
    if (atomic_load(&p->rt->closing))
        gate_refuse(p);
    else
        publish(p);
}

/* The dependencies loop (the timer's): the event waits for the Kafka probe
 * to see a broker. Producing may block (a full producer queue), so an open
 * gate hands the publish to the blocking pool. The post is made under
 * pending_lock: mm_mutations_abandon takes that lock after closing is set
 * and before the pool is freed, so the pool still exists here. */
static void on_gate(void *ud) {
    mm_pending_mutation *p = ud;
    mm_runtime *rt = p->rt;
    if (!atomic_load(&rt->closing) && mm_health_kafka(rt->health) != MM_DEP_DOWN) {
        pthread_mutex_lock(&rt->pending_lock);
        bool posted = !atomic_load(&rt->closing) && rt->blocking &&
                      mm_dispatch_post(rt->blocking, publish_gated, p) == 0;
        pthread_mutex_unlock(&rt->pending_lock);
        if (posted) return;
        if (!atomic_load(&rt->closing)) {
            publish(p); /* no blocking pool (or out of memory): here */
            return;
        }
    }
    if (!atomic_load(&rt->closing) && now_ms() < p->gate_until_ms &&
        mm_timer_add(rt->timer, &p->gate, GATE_POLL_MS, on_gate, p) == 0)
        return;
    gate_refuse(p);
}

/* Fails the field through its deferred (extensions stolen). */
static void refuse(mm_gql_deferred *d, json_t *extensions, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void refuse(mm_gql_deferred *d, json_t *extensions, const char *fmt, ...) {
    char message[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    mm_gql_deferred_reject(d, extensions, message);
}

/* Runs where it may block (mutate_event may read state from Redis): a
 * blocking-pool thread in a server; or, for a mutation whose mutate_event
 * never blocks (MM_MUTATION_NONBLOCKING), the HTTP I/O thread itself, since
 * nothing below blocks either (the timer and the notifier take short locks,
 * the producer refuses rather than waits). Settles d exactly once, now or
 * later. */
static void run_mutation(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info,
                         mm_gql_deferred *d) {
    (void)parent;
    (void)info;
    binding *b = ud;
    mm_mutation_spec *m = b->spec;
    mm_runtime *rt = b->rt;
    if (!rt) {
        refuse(d, NULL, "No server is running this mutation.");
        return;
    }
    char err[512];
    mm_timing timing;
    if (chosen_timing(m, args, &timing, err, sizeof err)) {
        refuse(d, json_pack("{s:s}", "code", "BAD_USER_INPUT"), "%s", err);
        return;
    }
    if (timing == MM_TIMING_SYNCHRONOUS && (!rt->notifier || !rt->timer)) {
        refuse(d, NULL, "This process cannot wait for results.");
        return;
    }

    mm_mutation_call call = {.state = mm_runtime_state(rt, m->service)};
    json_t *data = m->mutate_event(m->ud, &call, args);
    if (call.failed || !json_is_object(data)) {
        json_decref(data);
        if (call.failed)
            refuse(d, json_pack("{s:s}", "code", call.code), "%s", call.message);
        else
            refuse(d, NULL, "%s: mutate_event returned no event object.", m->name);
        return;
    }
    mm_pending_mutation *p = calloc(1, sizeof(*p));
    if (!p) {
        json_decref(data);
        refuse(d, NULL, "out of memory");
        return;
    }
    mm_event_init(&p->ev);
    if (mm_event_create(&p->ev, m->service->name, m->event_type, data) != 0) {
        free(p);
        refuse(d, NULL, "out of memory");
        return;
    }
    /* Every event carries its id among its fields (the original's BaseEventMixin). */
    json_object_set_new(p->ev.data, "id", json_string(p->ev.id));
    /* trace: the event continues the request's trace (the producer makes its
     * publish span the event's traceparent). */
    if (mm_trace_enabled() && mm_event_trace_set(&p->ev, mm_trace_current()) != 0) {
        mm_event_clear(&p->ev);
        free(p);
        refuse(d, NULL, "out of memory");
        return;
    }
    if (call.key_len > 0 && mm_event_set_key(&p->ev, call.key, call.key_len) != 0) {
        mm_event_clear(&p->ev);
        free(p);
        refuse(d, NULL, "out of memory");
        return;
    }
    p->rt = rt;
    p->spec = m;
    p->synchronous = timing == MM_TIMING_SYNCHRONOUS;
    p->timeout_ms = m->timeout_ms > 0 ? m->timeout_ms : rt->config->sync_timeout_ms;
    p->unavailable_ms =
        rt->config->kafka_unavailable_ms > 0 ? rt->config->kafka_unavailable_ms : 2000;
    snprintf(p->event_id, sizeof p->event_id, "%s", p->ev.id);
    snprintf(p->topic, sizeof p->topic, "%s", m->topic);
    p->event_data = json_incref(p->ev.data);
    p->deferred = d;
    atomic_init(&p->settled, 0);
    atomic_init(&p->delivered, 0);
    atomic_init(&p->refs, 1);
    /* No broker answers the probes: hold the event (unpublished) until the
     * probe sees Kafka again, at most unavailable_ms. Nothing is queued in
     * the producer meanwhile, so a refusal means "not published". */
    if (rt->timer && mm_health_kafka(rt->health) == MM_DEP_DOWN) {
        p->gate_until_ms = now_ms() + p->unavailable_ms;
        if (mm_timer_add(rt->timer, &p->gate, GATE_POLL_MS, on_gate, p) != 0) gate_refuse(p);
        return;
    }
    publish(p);
}

static json_t *resolve_mutation(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    const binding *b = ud;
    /* On an HTTP I/O thread: run on the blocking pool instead, unless
     * mutate_event never blocks and neither can the produce (the server's
     * delivery reports are on its dependencies loop; if that could not be
     * set up, a full queue would block the send): then here, two thread
     * hand-offs fewer. */
    bool here = b->spec->nonblocking && b->rt && b->rt->produce_never_blocks;
    if (!here && mm_gateway_offload(info, parent, args, run_mutation, ud)) return NULL;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    if (!d) {
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    run_mutation(ud, parent, args, info, d);
    return NULL; /* the field completes through the deferred */
}

int mm_mutation_bind(mm_gql_schema *schema, mm_mutation_spec *m, mm_runtime *rt, char *err,
                     size_t err_size) {
    binding *b = mm_arena_alloc(&schema->arena, sizeof(*b));
    if (!b) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    b->spec = m;
    b->rt = rt;
    int rc = mm_gql_schema_set_resolver(schema, "Mutation", m->name, resolve_mutation, b);
    if (rc) snprintf(err, err_size, "mutation %s: cannot bind its resolver", m->name);
    return rc;
}

void mm_mutations_abandon(mm_runtime *rt) {
    for (;;) {
        pthread_mutex_lock(&rt->pending_lock);
        mm_pending_mutation *p = rt->pending;
        if (p) atomic_fetch_add(&p->refs, 1); /* keep it while we work on it */
        pthread_mutex_unlock(&rt->pending_lock);
        if (!p) return;
        settle(p, NULL, "The server is shutting down.",
               json_pack("{s:s,s:s}", "code", "SHUTTING_DOWN", "eventId", p->event_id));
        unlist(p); /* in case another thread had settled it first */
        disarm_waiter(p);
        disarm_deadline(p);
        pending_release(p);
    }
}

/* ---- Query.eventResult --------------------------------------------------- */

json_t *mm_event_result_value(const char *id, json_t *doc) {
    const char *status = json_string_value(json_object_get(doc, "status"));
    json_t *event = json_object_get(doc, "event");
    json_t *out = json_pack("{s:s,s:s}", "id", id, "status", status ? status : "error");
    if (!out) return NULL;
    if (event) {
        json_object_set(out, "eventType", json_object_get(event, "type"));
        json_object_set(out, "data", json_object_get(event, "data"));
    }
    json_t *e = json_object_get(doc, "error");
    if (e) json_object_set(out, "error", e);
    return out;
}

typedef struct result_lookup {
    mm_gql_deferred *deferred;
    char id[MAX_EVENT_ID_BYTES + 1];
} result_lookup;

static void store_unavailable(mm_gql_deferred *d, const char *why) {
    refuse(d, json_pack("{s:s}", "code", "STORE_UNAVAILABLE"), "Results are unavailable: %s", why);
}

/* The async client's loop thread: GET answered, failed or timed out. */
static void on_result_get(void *ud, int status, redisReply *reply, const char *err) {
    result_lookup *l = ud;
    if (status != 0) {
        store_unavailable(l->deferred, err);
    } else if (reply->type == REDIS_REPLY_NIL) {
        mm_gql_deferred_resolve(l->deferred, NULL);
    } else if (reply->type != REDIS_REPLY_STRING) {
        char why[300];
        snprintf(why, sizeof why, "Redis answered %.*s",
                 reply->type == REDIS_REPLY_ERROR ? (int)reply->len : 12,
                 reply->type == REDIS_REPLY_ERROR ? reply->str : "a non-string");
        store_unavailable(l->deferred, why);
    } else {
        json_t *doc = json_loadb(reply->str, reply->len, 0, NULL);
        json_t *out = doc ? mm_event_result_value(l->id, doc) : NULL;
        json_decref(doc);
        if (out)
            mm_gql_deferred_resolve(l->deferred, out);
        else
            store_unavailable(l->deferred, "the stored result is not valid JSON");
    }
    free(l);
}

/* Looks the result up without blocking: a GET through the async client,
 * bounded by redis_timeout_ms; the field waits on a deferred meanwhile. */
static json_t *resolve_event_result(void *ud, json_t *parent, json_t *args,
                                    mm_gql_resolve_info *info) {
    (void)parent;
    mm_runtime *rt = ud;
    if (!rt) {
        mm_gql_resolve_error(info, NULL, "No server is running this query.");
        return NULL;
    }
    const char *id = json_string_value(json_object_get(args, "id"));
    if (!id) return NULL;
    if (strlen(id) > MAX_EVENT_ID_BYTES) {
        mm_gql_resolve_error(info, json_pack("{s:s}", "code", "BAD_USER_INPUT"),
                             "eventResult(id:) takes an event id of at most %d bytes.",
                             MAX_EVENT_ID_BYTES);
        return NULL;
    }
    char key[MAX_EVENT_ID_BYTES + 64];
    if (mm_result_key(MM_STORE_DEFAULT_PREFIX, id, key, sizeof key) != 0) {
        mm_gql_resolve_error(info, json_pack("{s:s}", "code", "BAD_USER_INPUT"),
                             "Not a valid event id.");
        return NULL;
    }
    if (!rt->redis) {
        /* A runtime without the async client (not a server): look it up here. */
        json_t *doc = NULL;
        char err[256];
        int rc = mm_result_store_get(rt->results, id, &doc, err, sizeof err);
        if (rc == MM_ENOTFOUND) return NULL;
        if (rc) {
            mm_gql_resolve_error(info, json_pack("{s:s}", "code", "STORE_UNAVAILABLE"),
                                 "Results are unavailable: %s", err);
            return NULL;
        }
        json_t *out = mm_event_result_value(id, doc);
        json_decref(doc);
        return out;
    }
    result_lookup *l = calloc(1, sizeof(*l));
    mm_gql_deferred *d = l ? mm_gql_resolve_defer(info) : NULL;
    if (!d) {
        free(l);
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    l->deferred = d;
    snprintf(l->id, sizeof l->id, "%s", id);
    int rc = mm_redis_async_submit(rt->redis, (int)rt->config->redis_timeout_ms, on_result_get, l,
                                   2, (const char *[]){"GET", key}, NULL);
    if (rc != 0) {
        store_unavailable(d, rc == MM_ELIMIT ? "too many Redis commands waiting"
                                             : "Redis is unavailable");
        free(l);
    }
    return NULL;
}

int mm_event_result_bind(mm_gql_schema *schema, mm_runtime *rt, char *err, size_t err_size) {
    int rc = mm_gql_schema_set_resolver(schema, "Query", "eventResult", resolve_event_result, rt);
    if (rc) snprintf(err, err_size, "cannot bind Query.eventResult");
    return rc;
}
