/* mutation.c -- the resolver behind every event mutation (mutation.h). */
#include "service/mutation.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/envelope.h"
#include "common/log.h"
#include "graphql/execute.h"
#include "service/runtime.h"

/* ---- the context mutate_event receives ---------------------------------- */

struct mm_mutation_call {
    mm_state *state;
    char message[512];
    char code[64];
    int failed;
};

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
    atomic_int settled;            /* 1 once the deferred was settled */
    mm_runtime *rt;
    mm_gql_deferred *deferred;
    char event_id[64];
    char topic[256];
    long timeout_ms;
    int synchronous;
    json_t *event_data;            /* async answer: the event's fields */
    mm_timer_entry deadline;
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
        if (p->prev) p->prev->next = p->next; else rt->pending = p->next;
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
    *extensions = json_pack("{s:o,s:o,s:o,s:O,s:o}",
                            "code", string_or_null(json_object_get(e, "code")),
                            "namespace", string_or_null(json_object_get(e, "namespace")),
                            "className", string_or_null(json_object_get(e, "className")),
                            "data", data ? data : json_null(),
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

/* The timer thread: no result in time. */
static void on_deadline(void *ud) {
    mm_pending_mutation *p = ud;
    char message[256];
    snprintf(message, sizeof message,
             "Timed out after %ld ms waiting for the result of event %s; it stays retrievable "
             "with eventResult(id: \"%s\") until it expires.",
             p->timeout_ms, p->event_id, p->event_id);
    settle(p, NULL, message, json_pack("{s:s,s:s}", "code", "TIMEOUT", "eventId", p->event_id));
    disarm_waiter(p);
    pending_release(p); /* the deadline's reference: it has fired */
}

/* The producer's delivery thread: Kafka acknowledged the event, or failed. */
static void on_delivery(void *ud, const mm_delivery *d) {
    mm_pending_mutation *p = ud;
    if (d->status != 0) {
        char message[512];
        snprintf(message, sizeof message, "The event could not be published to %s: %s", p->topic,
                 d->error ? d->error : "unknown Kafka error");
        settle(p, NULL, message, json_pack("{s:s,s:s}", "code", "PUBLISH_FAILED", "eventId", p->event_id));
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
        if (strcmp(json_string_value(t), "synchronous") == 0) timing = MM_TIMING_SYNCHRONOUS;
        else timing = MM_TIMING_ASYNCHRONOUS;
    }
    if (!(m->timings & timing)) {
        snprintf(err, err_size, "%s does not allow %s timing.", m->name,
                 timing == MM_TIMING_SYNCHRONOUS ? "synchronous" : "asynchronous");
        return MM_EINVAL;
    }
    *out = timing;
    return 0;
}

static json_t *resolve_mutation(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent;
    binding *b = ud;
    mm_mutation_spec *m = b->spec;
    mm_runtime *rt = b->rt;
    if (!rt) {
        mm_gql_resolve_error(info, NULL, "No server is running this mutation.");
        return NULL;
    }
    char err[512];
    mm_timing timing;
    if (chosen_timing(m, args, &timing, err, sizeof err)) {
        mm_gql_resolve_error(info, json_pack("{s:s}", "code", "BAD_USER_INPUT"), "%s", err);
        return NULL;
    }
    if (timing == MM_TIMING_SYNCHRONOUS && (!rt->notifier || !rt->timer)) {
        mm_gql_resolve_error(info, NULL, "This process cannot wait for results.");
        return NULL;
    }

    mm_mutation_call call = {.state = mm_runtime_state(rt, m->service)};
    json_t *data = m->mutate_event(m->ud, &call, args);
    if (call.failed || !json_is_object(data)) {
        json_decref(data);
        if (call.failed)
            mm_gql_resolve_error(info, json_pack("{s:s}", "code", call.code), "%s", call.message);
        else
            mm_gql_resolve_error(info, NULL, "%s: mutate_event returned no event object.", m->name);
        return NULL;
    }

    mm_event ev;
    mm_event_init(&ev);
    if (mm_event_create(&ev, m->service->name, m->event_type, data) != 0) {
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    /* Every event carries its id among its fields (the original's BaseEventMixin). */
    json_object_set_new(ev.data, "id", json_string(ev.id));

    mm_pending_mutation *p = calloc(1, sizeof(*p));
    if (!p) {
        mm_event_clear(&ev);
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    p->rt = rt;
    p->synchronous = timing == MM_TIMING_SYNCHRONOUS;
    p->timeout_ms = m->timeout_ms > 0 ? m->timeout_ms : rt->config->sync_timeout_ms;
    snprintf(p->event_id, sizeof p->event_id, "%s", ev.id);
    snprintf(p->topic, sizeof p->topic, "%s", m->topic);
    p->event_data = json_incref(ev.data);
    p->deferred = mm_gql_resolve_defer(info);
    if (!p->deferred) {
        mm_event_clear(&ev);
        json_decref(p->event_data);
        free(p);
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    /* References: the delivery callback's, plus the waiter's and the
     * deadline's for a synchronous call. */
    atomic_init(&p->refs, p->synchronous ? 3 : 1);
    atomic_init(&p->settled, 0);

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
        if (mm_notifier_wait_register(rt->notifier, p->event_id, on_result, p) != 0) {
            /* Cannot wait: fail before anything is published. */
            settle(p, NULL, "Cannot wait for the result (notifier refused the waiter).", NULL);
            mm_event_clear(&ev);
            atomic_store(&p->refs, 1);
            pending_release(p);
            return NULL;
        }
        mm_timer_add(rt->timer, &p->deadline, p->timeout_ms, on_deadline, p);
    }
    int rc = mm_producer_send(rt->producer, m->topic, &ev, on_delivery, p, err, sizeof err);
    mm_event_clear(&ev);
    if (rc != 0) {
        /* on_delivery will never run: do its part here. */
        char message[700];
        snprintf(message, sizeof message, "The event could not be published: %s", err);
        settle(p, NULL, message, json_pack("{s:s}", "code", "PUBLISH_FAILED"));
        if (p->synchronous) {
            disarm_waiter(p);
            disarm_deadline(p);
        }
        pending_release(p);
    }
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
        settle(p, NULL, "The server is shutting down.", json_pack("{s:s,s:s}", "code",
               "SHUTTING_DOWN", "eventId", p->event_id));
        unlist(p); /* in case another thread had settled it first */
        disarm_waiter(p);
        disarm_deadline(p);
        pending_release(p);
    }
}

/* ---- Query.eventResult --------------------------------------------------- */

static json_t *resolve_event_result(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent;
    mm_runtime *rt = ud;
    if (!rt) {
        mm_gql_resolve_error(info, NULL, "No server is running this query.");
        return NULL;
    }
    const char *id = json_string_value(json_object_get(args, "id"));
    if (!id) return NULL;
    json_t *doc = NULL;
    char err[256];
    int rc = mm_result_store_get(rt->results, id, &doc, err, sizeof err);
    if (rc == MM_ENOTFOUND) return NULL;
    if (rc) {
        mm_gql_resolve_error(info, json_pack("{s:s}", "code", "STORE_UNAVAILABLE"),
                             "Results are unavailable: %s", err);
        return NULL;
    }
    const char *status = json_string_value(json_object_get(doc, "status"));
    json_t *event = json_object_get(doc, "event");
    json_t *out = json_pack("{s:s,s:s}", "id", id, "status", status ? status : "error");
    if (event) {
        json_object_set(out, "eventType", json_object_get(event, "type"));
        json_object_set(out, "data", json_object_get(event, "data"));
    }
    json_t *e = json_object_get(doc, "error");
    if (e) json_object_set(out, "error", e);
    json_decref(doc);
    return out;
}

int mm_event_result_bind(mm_gql_schema *schema, mm_runtime *rt, char *err, size_t err_size) {
    int rc = mm_gql_schema_set_resolver(schema, "Query", "eventResult", resolve_event_result, rt);
    if (rc) snprintf(err, err_size, "cannot bind Query.eventResult");
    return rc;
}
