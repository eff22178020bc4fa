/* consumer_runner.c -- a consumer's event loop around the service handler
 * (consumer_runner.h). */
#include "service/consumer_runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "service/handler.h"

/* How long one publish may wait for Kafka's acknowledgement before the event
 * is offered to the handler again (the broker's own timeout is 30 s). */
#define PUBLISH_TIMEOUT_MS 30000

/* An event that crashed this many workers is dead-lettered (max_crashes 0). */
#define DEFAULT_MAX_CRASHES 3

typedef struct runner {
    mm_runtime *rt;
    const mm_consumer_spec *spec;
    mm_state *state;
    const mm_runner_options *opts; /* may be NULL */
} runner;

static int explicitly_handles(const mm_consumer_spec *spec, const char *type) {
    for (char **t = spec->event_types; t && *t; t++)
        if (strcmp(*t, type) == 0) return 1;
    return 0;
}

/* The exception event for a raised handler: the original's field names. */
static json_t *exception_data(const mm_handler *h) {
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:O,s:n}", "srcId", h->source->id, "ns",
                     h->spec->service->name, "classname", h->class_name, "code", h->code, "msg",
                     h->message, "data", h->data ? h->data : json_null(), "stacktrace");
}

static int publish(runner *r, const char *topic, const mm_event *ev) {
    char err[512];
    int rc = mm_producer_send_sync(r->rt->producer, topic, ev, PUBLISH_TIMEOUT_MS, NULL, NULL, err,
                                   sizeof err);
    if (rc) mm_log_warn("consumer=%s msg=\"publish failed, will retry\" topic=%s event=%s error=\"%s\"",
                        r->spec->name, topic, ev->id, err);
    return rc;
}

/* Everything after the handler returned: publish, store, then commit (by
 * returning 0). A negative return makes the bus offer the event again. */
static int finish(runner *r, mm_handler *h) {
    const mm_event *src = h->source;
    json_t *doc = NULL;
    if (h->raised) {
        mm_log_info("consumer=%s msg=\"handler raised\" event=%s class=%s", r->spec->name, src->id,
                    h->class_name);
        mm_event exc;
        mm_event_init(&exc);
        if (mm_event_create(&exc, r->spec->service->name, MM_EXCEPTION_EVENT_TYPE, exception_data(h)))
            return MM_ENOMEM;
        json_object_set_new(exc.data, "id", json_string(exc.id));
        mm_event_set_cause_id(&exc, src->id);
        int rc = publish(r, r->spec->service->name, &exc);
        mm_event_clear(&exc);
        if (rc) return rc;
        if (r->spec->save_result)
            doc = mm_result_doc_error(src->id, r->spec->service->name, h->class_name, h->message,
                                      h->code[0] ? h->code : NULL, h->data);
    } else {
        for (size_t i = 0; i < h->emitted_count; i++) {
            int rc = publish(r, h->emitted[i].topic, &h->emitted[i].event);
            if (rc) return rc;
        }
        if (r->spec->save_result) {
            json_t *event_json = h->emitted_count
                ? mm_event_to_json(&h->emitted[h->emitted_count - 1].event)
                : json_null();
            doc = event_json ? mm_result_doc_event(src->id, event_json) : NULL;
            json_decref(event_json);
        }
    }
    if (!r->spec->save_result) return 0;
    if (!doc) return MM_ENOMEM;
    char err[512];
    int rc = mm_result_store_put(r->rt->results, src->id, src->reply_to, doc, NULL, err, sizeof err);
    json_decref(doc);
    if (rc) mm_log_warn("consumer=%s msg=\"result not stored, will retry\" event=%s error=\"%s\"",
                        r->spec->name, src->id, err);
    return rc;
}

/* An event that crashed `crashes` workers: answer its caller with
 * WORKER_CRASHED, copy it to the dead-letter topic, and let it be committed
 * (return 0) without calling the handler again. */
static int retire_poison(runner *r, const mm_event *ev, const mm_message_info *info, int crashes) {
    char err[512], reason[128];
    snprintf(reason, sizeof reason, "crashed %d workers", crashes);
    if (r->spec->save_result) {
        char msg[256];
        snprintf(msg, sizeof msg, "the %s handler crashed %d worker processes on this event; "
                                  "it was dead-lettered", r->spec->name, crashes);
        json_t *doc = mm_result_doc_error(ev->id, r->spec->service->name, "WorkerCrashed", msg,
                                          "WORKER_CRASHED", NULL);
        if (!doc) return MM_ENOMEM;
        int rc = mm_result_store_put(r->rt->results, ev->id, ev->reply_to, doc, NULL, err, sizeof err);
        json_decref(doc);
        if (rc == MM_EREDIS) {
            mm_log_warn("consumer=%s msg=\"result not stored, will retry\" event=%s error=\"%s\"",
                        r->spec->name, ev->id, err);
            return rc;
        }
    }
    rd_kafka_headers_t *headers = NULL;
    char *payload = NULL;
    size_t payload_len = 0;
    char why[MM_ENVELOPE_REASON_MAX];
    if (mm_envelope_encode(ev, &headers, &payload, &payload_len, why) != 0) {
        /* It decoded, so it encodes; if not, the log is all that is left. */
        mm_log_error("consumer=%s msg=\"poison event not dead-lettered\" event=%s error=\"%s\"",
                     r->spec->name, ev->id, why);
        return 0;
    }
    mm_dead_letter dl = {
        .topic = info->topic, .partition = info->partition, .offset = info->offset,
        .key = ev->key ? ev->key : ev->id, .key_len = ev->key ? ev->key_len : strlen(ev->id),
        .value = payload, .value_len = payload_len, .headers = headers, .reason = reason,
        .group = r->spec->group_id,
    };
    int rc = mm_producer_send_dead_letter(r->rt->producer, &dl, PUBLISH_TIMEOUT_MS, err, sizeof err);
    rd_kafka_headers_destroy(headers);
    free(payload);
    if (rc) {
        mm_log_warn("consumer=%s msg=\"dead letter failed, will retry\" event=%s error=\"%s\"",
                    r->spec->name, ev->id, err);
        return rc;
    }
    mm_log_error("consumer=%s msg=\"event dead-lettered: %s\" event=%s topic=%s partition=%d offset=%lld",
                 r->spec->name, reason, ev->id, info->topic, (int)info->partition,
                 (long long)info->offset);
    return 0;
}

static int on_event(void *ud, const mm_event *ev, const mm_message_info *info) {
    runner *r = ud;
    const mm_runner_options *o = r->opts;
    /* Exception events go to the service topic the consumer itself reads;
     * handling them by default could loop (a failing handler raising on its
     * own exception events), so only consumers that name the type get them. */
    if (strcmp(ev->type, MM_EXCEPTION_EVENT_TYPE) == 0 && !explicitly_handles(r->spec, ev->type))
        return 0;
    if (o && o->crash_count) {
        int crashes = o->crash_count(o->hook_ud, ev);
        unsigned max = o->max_crashes ? o->max_crashes : DEFAULT_MAX_CRASHES;
        if (crashes > 0 && (unsigned)crashes >= max) return retire_poison(r, ev, info, crashes);
    }
    mm_handler h;
    mm_handler_init(&h, r->spec, r->state, ev);
    if (o && o->on_handle_begin) o->on_handle_begin(o->hook_ud, ev, info);
    int rc = r->spec->handle(r->spec->ud, &h, ev);
    if (o && o->on_handle_end) o->on_handle_end(o->hook_ud, ev);
    if (rc != 0 && !h.raised)
        mm_handler_raise(&h, "HandlerError", "HANDLER_FAILED", NULL,
                         "the %s handler failed (returned %d) without raising", r->spec->name, rc);
    else if (h.emit_failed && !h.raised)
        mm_handler_raise(&h, "EmitError", "EMIT_FAILED", NULL,
                         "the %s handler emitted an invalid event", r->spec->name);
    rc = finish(r, &h);
    mm_handler_clear(&h);
    return rc;
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

int mm_consumer_runner_run(mm_runtime *rt, const mm_gql_schema *schema, const mm_consumer_spec *spec,
                           const mm_runner_options *opts, char *err, size_t err_size) {
    runner r = {rt, spec, mm_runtime_state(rt, spec->service), opts};
    size_t topic_count = 0, handled_count = 0, known_count = 0;
    while (spec->topics[topic_count]) topic_count++;
    while (spec->event_types && spec->event_types[handled_count]) handled_count++;
    const char **known = known_types(schema, &known_count);
    if (!known) {
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
        .handler = on_event,
        .handler_ud = &r,
        .producer = rt->producer,
        .props = rt->kafka_props,
        .prop_count = rt->kafka_prop_count,
        .max_messages = opts ? opts->max_messages : 0,
        .on_progress = opts ? opts->on_progress : NULL,
        .progress_ud = opts ? opts->progress_ud : NULL,
        .stop_flag = opts ? opts->stop_flag : NULL,
    };
    mm_consumer *c = mm_consumer_new(&cc, err, err_size);
    free(known);
    if (!c) return MM_EKAFKA;
    mm_log_info("consumer=%s group=%s msg=\"consuming\" topics=%zu", spec->name, spec->group_id, topic_count);
    int rc = mm_consumer_run(c);
    mm_consumer_stats st;
    mm_consumer_get_stats(c, &st);
    mm_log_info("consumer=%s msg=\"stopped\" handled=%llu skipped=%llu dead_lettered=%llu", spec->name,
                (unsigned long long)st.handled, (unsigned long long)st.skipped,
                (unsigned long long)st.dead_lettered);
    mm_consumer_free(c);
    if (rc < 0) snprintf(err, err_size, "consumer %s: Kafka client failed", spec->name);
    return rc;
}
