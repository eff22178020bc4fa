/* manager_mutations.c -- the manager's mutations: each checks the auth code,
 * builds its control event (node/control.h), publishes it on the
 * service-web topic through the server's producer, and answers with what it
 * asked for once Kafka acknowledged it. The HTTP worker does not wait: the
 * field is deferred and the producer's delivery thread settles it. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "manager/manager_internal.h"
#include "node/control.h"
#include "service/gateway.h"

typedef struct mutation_def {
    const char *field;
    mm_control_kind kind;
} mutation_def;

static const mutation_def defs[] = {
    {"stopConsumer", MM_CONTROL_STOP_CONSUMER},
    {"stopConsumerProcess", MM_CONTROL_STOP_CONSUMER_PROCESS},
    {"stopNode", MM_CONTROL_STOP_NODE},
    {"stopMicroservice", MM_CONTROL_STOP_MICROSERVICE},
    {"killConsumer", MM_CONTROL_KILL_CONSUMER},
    {"killNode", MM_CONTROL_KILL_NODE},
    {"killMicroservice", MM_CONTROL_KILL_MICROSERVICE},
    {"adjustConsumer", MM_CONTROL_ADJUST_CONSUMER},
};

typedef struct binding {
    mm_manager *m;
    const mutation_def *def;
} binding;

/* A publication in flight. */
typedef struct pending {
    mm_gql_deferred *deferred;
    json_t *answer;
    char type[32];
    char topic[256];
} pending;

static void on_delivery(void *ud, const mm_delivery *d) {
    pending *p = ud;
    if (d->status == 0) {
        mm_log_info(
            "msg=\"manager: control event published\" type=%s id=%s partition=%d offset=%lld",
            p->type, json_string_value(json_object_get(p->answer, "id")), (int)d->partition,
            (long long)d->offset);
        mm_gql_deferred_resolve(p->deferred, p->answer);
    } else {
        char message[512];
        snprintf(message, sizeof message, "The %s event could not be published to %s: %s", p->type,
                 p->topic, d->error ? d->error : "unknown Kafka error");
        json_decref(p->answer);
        mm_gql_deferred_reject(p->deferred, json_pack("{s:s}", "code", "PUBLISH_FAILED"), message);
    }
    free(p);
}

/* The string argument key, or NULL when absent or null. */
static char *string_arg(json_t *args, const char *key) {
    const char *s = json_string_value(json_object_get(args, key));
    return s ? strdup(s) : NULL;
}

/* An optional Int of AdjustConsumer: absent keeps, null clears, else sets. */
static mm_control_opt opt_arg(json_t *args, const char *key, long *out) {
    json_t *v = json_object_get(args, key);
    if (!v) return MM_CONTROL_ABSENT;
    if (json_is_null(v)) return MM_CONTROL_NULL;
    *out = (long)json_integer_value(v);
    return MM_CONTROL_SET;
}

/* The mutation, settling through given (offloaded: *used set once given
 * is the publication's to settle) or a deferred of its own. */
static json_t *resolve_with(binding *b, json_t *args, mm_gql_resolve_info *info,
                            mm_gql_deferred *given, bool *used) {
    mm_manager *m = b->m;
    if (!mm_manager_authorize(m, args, info, 1)) return NULL;

    mm_control c = {.kind = b->def->kind};
    c.name = string_arg(args, "name");
    c.node = string_arg(args, "node");
    json_t *pid = json_object_get(args, "pid");
    if (json_is_integer(pid)) c.pid = (long)json_integer_value(pid);
    if (c.kind == MM_CONTROL_ADJUST_CONSUMER) {
        c.process_count_set = opt_arg(args, "processCount", &c.process_count);
        c.harakiri_count_set = opt_arg(args, "harakiriCount", &c.harakiri_count);
        c.harakiri_jitter_set = opt_arg(args, "harakiriJitter", &c.harakiri_jitter);
    }
    char err[512];
    mm_event ev;
    int rc = mm_control_build(&c, &ev, err, sizeof err);
    if (rc) {
        mm_control_clear(&c);
        mm_gql_resolve_error(
            info, json_pack("{s:s}", "code", rc == MM_EINVAL ? "BAD_USER_INPUT" : "INTERNAL"), "%s",
            err);
        return NULL;
    }
    /* A name no live node reports would be published and ignored by all. */
    rc = mm_manager_check_live(m, &c, err, sizeof err);
    mm_control_clear(&c);
    if (rc) {
        mm_event_clear(&ev);
        mm_gql_resolve_error(
            info,
            json_pack("{s:s}", "code", rc == MM_ENOTFOUND ? "NOT_FOUND" : "STATUS_UNAVAILABLE"),
            "%s", err);
        return NULL;
    }
    /* The answer is the event's own fields plus its id (the original's
     * BaseEventMixin), so the caller sees exactly what was asked for. */
    pending *p = calloc(1, sizeof *p);
    json_t *answer = json_deep_copy(ev.data);
    if (!p || !answer || json_object_set_new(answer, "id", json_string(ev.id)) != 0) {
        free(p);
        json_decref(answer);
        mm_event_clear(&ev);
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    p->answer = answer;
    snprintf(p->type, sizeof p->type, "%s", ev.type);
    snprintf(p->topic, sizeof p->topic, "%s", m->topic);
    p->deferred = given ? given : mm_gql_resolve_defer(info);
    if (given) *used = true;
    if (!p->deferred) {
        json_decref(p->answer);
        free(p);
        mm_event_clear(&ev);
        mm_gql_resolve_error(info, NULL, "out of memory");
        return NULL;
    }
    rc = mm_producer_send(m->producer, m->topic, &ev, on_delivery, p, err, sizeof err);
    mm_event_clear(&ev);
    if (rc) {
        /* on_delivery will never run. */
        char message[700];
        snprintf(message, sizeof message, "The %s event could not be published: %s", p->type, err);
        json_decref(p->answer);
        mm_gql_deferred_reject(p->deferred, json_pack("{s:s}", "code", "PUBLISH_FAILED"), message);
        free(p);
    }
    return NULL; /* completed through the deferred */
}

/* On a blocking-pool thread: checking the node is live reads Redis. */
static void offloaded(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info,
                      mm_gql_deferred *d) {
    (void)parent;
    bool used = false;
    json_t *out = resolve_with(ud, args, info, d, &used);
    if (!used) mm_gateway_settle(d, info, out); /* refused before publishing */
}

/* Never on an HTTP I/O thread (mm_manager_check_live reads the status
 * store, synchronous Redis): there the field goes to the blocking pool. */
static json_t *resolve(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    if (mm_gateway_offload(info, parent, args, offloaded, ud)) return NULL;
    bool used = false;
    return resolve_with(ud, args, info, NULL, &used);
}

int mm_manager_bind_mutations(mm_manager *m, mm_gql_schema *schema, char *err, size_t err_size) {
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++) {
        binding *b = mm_arena_alloc(&schema->arena, sizeof *b);
        if (!b) {
            snprintf(err, err_size, "out of memory");
            return MM_ENOMEM;
        }
        b->m = m;
        b->def = &defs[i];
        int rc = mm_gql_schema_set_resolver(schema, "Mutation", defs[i].field, resolve, b);
        if (rc) {
            snprintf(err, err_size, "manager: cannot bind Mutation.%s", defs[i].field);
            return rc;
        }
    }
    return 0;
}
