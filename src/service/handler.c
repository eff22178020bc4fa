/* handler.c -- mm_handler_emit / mm_handler_raise (metamorphosis.h). */
#include "service/handler.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"

void mm_handler_init(mm_handler *h, const mm_consumer_spec *spec, mm_state *state,
                     const mm_event *source) {
    /* Field by field: zeroing the 1.2 KB of exception text buffers for
     * every event would cost more than the rest; they are NUL-terminated
     * here and only ever written whole (snprintf) before being read. */
    h->spec = spec;
    h->state = state;
    h->source = source;
    h->emitted = NULL;
    h->emitted_count = 0;
    h->emit_failed = 0;
    h->raised = 0;
    h->class_name[0] = '\0';
    h->code[0] = '\0';
    h->message[0] = '\0';
    h->data = NULL;
}

void mm_handler_clear(mm_handler *h) {
    for (size_t i = 0; i < h->emitted_count; i++) {
        free(h->emitted[i].topic);
        mm_event_clear(&h->emitted[i].event);
    }
    free(h->emitted);
    json_decref(h->data);
    mm_handler_init(h, NULL, NULL, NULL);
}

int mm_handler_emit(mm_handler *h, const char *topic, const char *type, json_t *data) {
    const char *service = h->spec->service->name;
    if (!topic) topic = service;
    if (!mm_is_topic_name(topic) || !mm_is_graphql_name(type) || (data && !json_is_object(data))) {
        mm_log_error("consumer %s: refused to emit %s to '%s': bad topic, type or data", h->spec->name,
                     type ? type : "(null)", topic);
        json_decref(data);
        h->emit_failed = 1;
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
    mm_event_set_cause_id(&e->event, h->source->id);
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
    snprintf(h->class_name, sizeof h->class_name, "%s", class_name ? class_name : "Exception");
    snprintf(h->code, sizeof h->code, "%s", code ? code : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(h->message, sizeof h->message, fmt, ap);
    va_end(ap);
    h->data = data;
}

mm_state *mm_handler_state(mm_handler *h) { return h->state; }

mm_service *mm_handler_service(mm_handler *h) { return h->spec->service; }
