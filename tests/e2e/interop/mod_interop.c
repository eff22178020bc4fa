/* mod_interop.c -- the test service of the CloudEvents SDK conformance test
 * (tests/e2e/interop_cloudevents.sh). Its consumer `record` handles every
 * CreateFormEvent, whoever wrote it: it stores what it saw (type, source,
 * the SDK extensions and the data) in state key ev:<id>, and emits a
 * FormRecorded event, which the SDKs then parse back.
 *
 * MM_INTEROP_SERVICE names the service (and so its topic, its state keys
 * and its consumer group), so runs sharing one broker and one Redis stay
 * apart. */
#include <metamorphosis.h>

#include <stdio.h>
#include <stdlib.h>

static const char sdl[] = "type CreateFormEvent { name: String via: String }\n"
                          "type FormRecorded { id: String name: String via: String }\n"
                          "type Query { recorded: Int }\n";

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

static int record(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    char key[300];
    snprintf(key, sizeof key, "ev:%s", mm_event_id(ev));
    json_t *data = mm_event_data(ev);
    json_t *seen = json_pack("{s:s,s:o,s:o,s:o,s:o,s:O}", "type", mm_event_type(ev), "source",
                             str_or_null(mm_event_attribute(ev, "source")), "subject",
                             str_or_null(mm_event_attribute(ev, "subject")), "traceparent",
                             str_or_null(mm_event_attribute(ev, "traceparent")), "partitionkey",
                             str_or_null(mm_event_attribute(ev, "partitionkey")), "data", data);
    int rc = seen ? mm_state_set(mm_handler_state(h), key, seen, 3600) : MM_ENOMEM;
    json_decref(seen);
    long long n;
    if (!rc) rc = mm_state_incr(mm_handler_state(h), "count", 1, &n);
    if (rc) {
        mm_handler_raise(h, "StateUnavailable", "state", NULL, "cannot record: %s",
                         mm_strerror(rc));
        return 1;
    }
    json_t *name = json_object_get(data, "name"), *via = json_object_get(data, "via");
    return mm_handler_emit(h, NULL, "FormRecorded",
                           json_pack("{s:s,s:O,s:O}", "id", mm_event_id(ev), "name",
                                     name ? name : json_null(), "via", via ? via : json_null()));
}

static json_t *recorded(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    json_t *v = NULL;
    int rc = mm_state_get(mm_resolve_state(info), "count", &v);
    if (rc == MM_ENOTFOUND) return json_integer(0);
    return rc ? NULL : v;
}

mm_service *metamorphosis_service(void) {
    static const char *const types[] = {"CreateFormEvent", NULL};
    static char name[100], group[120];
    const char *env = getenv("MM_INTEROP_SERVICE");
    snprintf(name, sizeof name, "%s", env && *env ? env : "mminterop");
    snprintf(group, sizeof group, "%s.record", name);
    mm_service *s = mm_service_new(name);
    int rc = s ? mm_service_add_sdl(s, sdl) : MM_ENOMEM;
    if (!rc)
        rc = mm_service_add_consumer(
            s, &(mm_consumer_def){
                   .name = "record", .group_id = group, .event_types = types, .handle = record});
    if (!rc) rc = mm_service_add_resolver(s, "Query", "recorded", recorded, NULL);
    if (rc && s) {
        mm_service_free(s);
        return NULL;
    }
    return s;
}
