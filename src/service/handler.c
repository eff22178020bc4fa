/* handler.c -- mm_handler_emit / mm_handler_raise (metamorphosis.h). */
#include "service/handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/limits.h"
#include "bus/event_trace.h"
#include "common/log.h"

void mm_handler_init(mm_handler *h, const mm_consumer_spec *spec, mm_state *state,
                     const mm_event *source) {
    h->spec = spec;
    h->state = state;
    h->source = source;
    h->emitted = NULL;
    h->emitted_count = 0;
    h->emit_failed = 0;
    h->raised = 0;
    h->data = NULL;
    h->retry = 0;
    h->retry_delay_ms = 0;
    h->text = NULL;
    h->attempt = 1;
    h->type_declared = NULL;
    h->type_ud = NULL;
}

/* The texts, allocated (zeroed: every one "") on first use; NULL when out
 * of memory, and the texts then stay "". */
static mm_handler_text *text(mm_handler *h) {
    if (!h->text) h->text = calloc(1, sizeof *h->text);
    return h->text;
}

const char *mm_handler_class_name(const mm_handler *h) {
    return h->text ? h->text->class_name : "";
}
const char *mm_handler_code(const mm_handler *h) { return h->text ? h->text->code : ""; }
const char *mm_handler_message(const mm_handler *h) { return h->text ? h->text->message : ""; }
const char *mm_handler_emit_error(const mm_handler *h) {
    return h->text ? h->text->emit_error : "";
}
const char *mm_handler_retry_reason(const mm_handler *h) {
    return h->text ? h->text->retry_reason : "";
}

/* Records why an emit was refused (the first reason wins). */
static void emit_refused(mm_handler *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void emit_refused(mm_handler *h, const char *fmt, ...) {
    mm_handler_text *t = text(h);
    if (!h->emit_failed && t) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->emit_error, sizeof t->emit_error, fmt, ap);
        va_end(ap);
    }
    h->emit_failed = 1;
    mm_log_error("consumer %s: %s", h->spec->name, mm_handler_emit_error(h));
}

void mm_handler_clear(mm_handler *h) {
    for (size_t i = 0; i < h->emitted_count; i++) {
        free(h->emitted[i].topic);
        mm_event_clear(&h->emitted[i].event);
    }
    free(h->emitted);
    json_decref(h->data);
    free(h->text);
    mm_handler_init(h, NULL, NULL, NULL);
}

int mm_handler_emit(mm_handler *h, const char *topic, const char *type, json_t *data) {
    return mm_handler_emit_keyed(h, topic, type, NULL, 0, data);
}

int mm_handler_emit_keyed(mm_handler *h, const char *topic, const char *type, const void *key,
                          size_t key_len, json_t *data) {
    const char *service = h->spec->service->name;
    if (!topic) topic = service;
    if (!mm_is_topic_name(topic) || !mm_is_graphql_name(type) || (data && !json_is_object(data))) {
        emit_refused(h, "refused to emit %.100s to '%.100s': bad topic, type or data",
                     type ? type : "(null)", topic);
        json_decref(data);
        return MM_EINVAL;
    }
    if (h->type_declared && !h->type_declared(h->type_ud, type)) {
        emit_refused(h, "refused to emit %.100s: no loaded SDL declares that type", type);
        json_decref(data);
        return MM_EINVAL;
    }
    if (key != NULL && (key_len == 0 || key_len > MM_LIMIT_ID_BYTES)) {
        emit_refused(h, "refused to emit %.100s: a key must have 1 to %d bytes", type,
                     MM_LIMIT_ID_BYTES);
        json_decref(data);
        return MM_EINVAL;
    }
    mm_emitted *v = realloc(h->emitted, (h->emitted_count + 1) * sizeof(*v));
    if (!v) {
        json_decref(data);
        h->emit_failed = 1;
        return MM_ENOMEM;
    }
    h->emitted = v;
    mm_emitted *e = &v[h->emitted_count];
    mm_event_init(&e->event);
    e->topic = strdup(topic);
    if (!e->topic || mm_event_create(&e->event, service, type, data) != 0) {
        free(e->topic);
        mm_event_clear(&e->event);
        h->emit_failed = 1;
        return MM_ENOMEM;
    }
    /* Every event carries its id among its fields unless the handler set one. */
    if (!json_object_get(e->event.data, "id"))
        json_object_set_new(e->event.data, "id", json_string(e->event.id));
    if (mm_event_set_cause_id(&e->event, h->source->id) != 0 ||
        (key != NULL && mm_event_set_key(&e->event, key, key_len) != 0) ||
        (mm_trace_enabled() && mm_event_trace_set(&e->event, mm_trace_current()) != 0)) {
        free(e->topic);
        mm_event_clear(&e->event);
        h->emit_failed = 1;
        return MM_ENOMEM;
    }
    h->emitted_count++;
    return 0;
}

void mm_handler_raise(mm_handler *h, const char *class_name, const char *code, json_t *data,
                      const char *fmt, ...) {
    if (h->raised) { /* the first exception wins */
        json_decref(data);
        return;
    }
    h->raised = 1;
    h->data = data;
    mm_handler_text *t = text(h);
    if (!t) return; /* out of memory: raised all the same, with empty texts */
    snprintf(t->class_name, sizeof t->class_name, "%s", class_name ? class_name : "Exception");
    snprintf(t->code, sizeof t->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->message, sizeof t->message, fmt, ap);
    va_end(ap);
}

void mm_handler_retry(mm_handler *h, unsigned delay_ms, const char *fmt, ...) {
    h->retry = 1;
    h->retry_delay_ms =
        delay_ms > MM_HANDLER_RETRY_MAX_DELAY_MS ? MM_HANDLER_RETRY_MAX_DELAY_MS : delay_ms;
    mm_handler_text *t = text(h);
    if (!t) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->retry_reason, sizeof t->retry_reason, fmt, ap);
    va_end(ap);
}

unsigned mm_handler_attempt(const mm_handler *h) { return h->attempt; }

mm_state *mm_handler_state(mm_handler *h) { return h->state; }

mm_service *mm_handler_service(mm_handler *h) { return h->spec->service; }
