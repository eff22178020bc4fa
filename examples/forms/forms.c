/* forms.c -- the original Metamorphosis forms example, in C.
 *
 * A "forms" service: clients create forms through event mutations
 * (createForm with a timing argument, createFormSync, createFormAsync); the
 * create_form consumer turns each CreateFormEvent into a Form, stores it in
 * Redis and emits FormCreatedEvent, which synchronous callers receive; the
 * legacy_create_form consumer, in its own consumer group, receives the same
 * events. allForms reads the forms back from Redis, so a server in another
 * process sees them (the original kept them in a process-local dict that its
 * GraphQL server could never see). The name "poop" is refused by the
 * consumers with a BadWordException, which a synchronous caller gets as a
 * GraphQL error. Subscription.formCreated streams each created form (over
 * SSE or WebSocket on the same endpoint).
 *
 * Build: cc -shared -fPIC $(pkg-config --cflags metamorphosis) -o forms.so forms.c
 * Run:   gregor serve --app ./forms.so   and   gregor worker --app ./forms.so --consumer create_form */
#include <metamorphosis.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char forms_sdl[] = "enum FormType {\n"
                                "  quick\n"
                                "  ds\n"
                                "}\n"
                                "\n"
                                "\"\"\"\n"
                                "The `DateTime` scalar type represents a DateTime\n"
                                "value as specified by\n"
                                "[iso8601](https://en.wikipedia.org/wiki/ISO_8601).\n"
                                "\"\"\"\n"
                                "scalar DateTime\n"
                                "\n"
                                "type Form {\n"
                                "  id: String\n"
                                "  name: String\n"
                                "  template: String\n"
                                "  formType: FormType\n"
                                "  createdBy: Int\n"
                                "  updatedBy: Int\n"
                                "  createdDate: DateTime\n"
                                "  updatedDate: DateTime\n"
                                "}\n"
                                "\n"
                                "type CreateFormEvent {\n"
                                "  id: String\n"
                                "  timing: MutationTimings\n"
                                "  name: String\n"
                                "  template: String\n"
                                "  creator: Int\n"
                                "  requestTs: DateTime\n"
                                "}\n"
                                "\n"
                                "type FormCreatedEvent {\n"
                                "  id: String\n"
                                "  form: Form\n"
                                "}\n"
                                "\n"
                                "type Query {\n"
                                "  allForms: [Form]\n"
                                "}\n"
                                "\n"
                                "type Subscription {\n"
                                "  \"\"\"Each form as it is created (from FormCreatedEvent); "
                                "`name` keeps only forms of that name.\"\"\"\n"
                                "  formCreated(name: String): Form\n"
                                "}\n";

/* The Redis hash (per service: mm:state:forms:<key>) holding forms by id. */
#define FORMS_KEY        "forms"
#define LEGACY_FORMS_KEY "legacy_forms"

/* ---- DateTime: ISO-8601 text ------------------------------------------- */

/* Whether s looks like YYYY-MM-DDTHH:MM:SS with optional fraction and zone. */
static int is_iso8601(const char *s) {
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; shape[i]; i++) {
        char c = s[i];
        if (shape[i] == 'd' ? (c < '0' || c > '9') : c != shape[i]) return 0;
    }
    const char *p = s + sizeof shape - 1;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9') return 0;
        while (*p >= '0' && *p <= '9') p++;
    }
    if (*p == 'Z') return p[1] == '\0';
    if (*p == '+' || *p == '-')
        return p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9' && p[3] == ':' &&
               p[4] >= '0' && p[4] <= '9' && p[5] >= '0' && p[5] <= '9' && p[6] == '\0';
    return *p == '\0';
}

static json_t *datetime_serialize(void *ud, json_t *value, const char **error) {
    (void)ud;
    if (json_is_string(value) && is_iso8601(json_string_value(value))) return json_incref(value);
    *error = "DateTime cannot represent a value that is not an ISO-8601 date-time string.";
    return NULL;
}

static json_t *datetime_parse(void *ud, json_t *value, const char **error) {
    (void)ud;
    if (json_is_string(value) && is_iso8601(json_string_value(value))) return json_incref(value);
    *error = "DateTime cannot represent a value that is not an ISO-8601 date-time string.";
    return NULL;
}

static json_t *now_iso8601(void) {
    /* The seconds' text of the last call on this thread: gmtime_r, strftime
     * and snprintf cost ~2k instructions, once per form otherwise. */
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[24];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        if (strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(cached, "9999-12-31T23:59:59", 20); /* a year beyond 9999 */
        cached_sec = ts.tv_sec;
    }
    char buf[40]; /* "<seconds>.<microseconds>+00:00" */
    memcpy(buf, cached, 19);
    buf[19] = '.';
    long us = ts.tv_nsec / 1000;
    for (int i = 25; i >= 20; i--, us /= 10) buf[i] = (char)('0' + us % 10);
    memcpy(buf + 26, "+00:00", 7);
    return json_string(buf);
}

/* ---- mutations: validate and build the CreateFormEvent ------------------ */

/* mutate_event for all three mutations; ud says which timing the event
 * records when the caller gives no timing argument. It reads only its
 * arguments and the clock, so the mutations are MM_MUTATION_NONBLOCKING: a
 * server runs it on the HTTP I/O thread, not on the blocking pool. */
static json_t *create_form_event(void *ud, mm_mutation_call *call, json_t *args) {
    const char *fixed_timing = ud;
    json_t *timing = json_object_get(args, "timing");
    json_t *name = json_object_get(args, "name");
    if (json_is_string(name) && json_string_length(name) > 200) {
        mm_mutation_fail(call, "BAD_USER_INPUT", "name must be at most 200 characters");
        return NULL;
    }
    return json_pack("{s:o,s:O,s:O,s:i,s:o}", "timing",
                     json_is_string(timing) ? json_incref(timing) : json_string(fixed_timing),
                     "name", name ? name : json_null(), "template",
                     json_object_get(args, "template") ? json_object_get(args, "template")
                                                       : json_null(),
                     "creator", 0, /* current_user.person_id in a real system */
                     "requestTs", now_iso8601());
}

/* ---- consumers ----------------------------------------------------------- */

static int refuse_bad_words(mm_handler *h, json_t *name) {
    if (json_is_string(name) && strcmp(json_string_value(name), "poop") == 0) {
        mm_handler_raise(h, "BadWordException", NULL, NULL, "you used a bad word: %s",
                         json_string_value(name));
        return 1;
    }
    return 0;
}

/* The form a CreateFormEvent asks for. Its id is the event's id, so a
 * re-delivered event writes the same form again instead of a second one. */
static json_t *form_from_event(const mm_event *ev, const char *form_type) {
    json_t *e = mm_event_data(ev);
    json_t *now = now_iso8601();
    json_t *form = json_pack(
        "{s:s,s:O,s:O,s:O,s:O,s:O,s:O}", "id", mm_event_id(ev), "name",
        json_object_get(e, "name") ? json_object_get(e, "name") : json_null(), "template",
        json_object_get(e, "template") ? json_object_get(e, "template") : json_null(), "createdBy",
        json_object_get(e, "creator") ? json_object_get(e, "creator") : json_null(), "updatedBy",
        json_object_get(e, "creator") ? json_object_get(e, "creator") : json_null(), "createdDate",
        now, "updatedDate", now);
    json_decref(now);
    if (form && form_type) json_object_set_new(form, "formType", json_string(form_type));
    return form;
}

static int create_form(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    if (refuse_bad_words(h, json_object_get(mm_event_data(ev), "name"))) return 1;
    json_t *form = form_from_event(ev, "quick");
    if (!form) return 1;
    int rc = mm_state_hset(mm_handler_state(h), FORMS_KEY, mm_event_id(ev), form);
    if (rc) {
        json_decref(form);
        return rc; /* Redis unavailable: a failure, reported as an exception event */
    }
    return mm_handler_emit(h, NULL, "FormCreatedEvent",
                           json_pack("{s:s,s:o}", "id", mm_event_id(ev), "form", form));
}

static int legacy_create_form(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud;
    if (refuse_bad_words(h, json_object_get(mm_event_data(ev), "name"))) return 1;
    json_t *form = form_from_event(ev, NULL);
    if (!form) return 1;
    int rc = mm_state_hset(mm_handler_state(h), LEGACY_FORMS_KEY, mm_event_id(ev), form);
    json_decref(form);
    return rc; /* emits nothing: this consumer produces no new events */
}

/* ---- queries ------------------------------------------------------------- */

static json_t *all_forms(void *ud, json_t *parent, json_t *args, mm_resolve_info *info) {
    (void)ud;
    (void)parent;
    (void)args;
    json_t *by_id = NULL;
    mm_state *state = mm_resolve_state(info);
    if (mm_state_hgetall(state, FORMS_KEY, &by_id) != 0) {
        mm_resolve_error(info, NULL, "forms are unavailable: %s", mm_state_last_error(state));
        return NULL;
    }
    json_t *list = json_array();
    const char *id;
    json_t *form;
    json_object_foreach(by_id, id, form) json_array_append(list, form);
    json_decref(by_id);
    return list;
}

/* ---- subscriptions ------------------------------------------------------- */

/* Subscription.formCreated(name:): only forms of that name, when given. */
static int form_created_filter(void *ud, json_t *args, const mm_event *event) {
    (void)ud;
    json_t *want = json_object_get(args, "name");
    if (!json_is_string(want)) return 1;
    json_t *form = json_object_get(mm_event_data(event), "form");
    return json_equal(json_object_get(form, "name"), want);
}

/* The Subscription field is a Form: the event's `form`. */
static json_t *form_created_resolve(void *ud, json_t *args, const mm_event *event) {
    (void)ud;
    (void)args;
    json_t *form = json_object_get(mm_event_data(event), "form");
    return form ? json_incref(form) : NULL;
}

/* WebSocket clients: when FORMS_WS_TOKEN is set, connection_init's payload
 * must carry {"token": <that value>}. */
static int forms_connection_auth(void *ud, json_t *payload) {
    (void)ud;
    const char *want = getenv("FORMS_WS_TOKEN");
    if (!want || !*want) return 0;
    const char *got = json_string_value(json_object_get(payload, "token"));
    return got && strcmp(got, want) == 0 ? 0 : MM_EAUTH;
}

/* ---- the service --------------------------------------------------------- */

mm_service *metamorphosis_service(void) {
    static const char *const create_form_events[] = {"CreateFormEvent", NULL};
    /* FORMS_SERVICE renames the service (its topic, its Redis keys) and
     * prefixes its consumer groups: tests on a shared Kafka run their own. */
    const char *name = getenv("FORMS_SERVICE");
    int renamed = name && *name;
    static char create_group[160], legacy_group[160];
    snprintf(create_group, sizeof create_group, "%s.create_form", renamed ? name : "forms");
    snprintf(legacy_group, sizeof legacy_group, "%s.legacy_create_form", renamed ? name : "forms");
    mm_service *s = mm_service_new(renamed ? name : "forms");
    if (!s) return NULL;
    static const mm_scalar_def datetime = {
        .name = "DateTime", .serialize = datetime_serialize, .parse_value = datetime_parse};
    int rc = mm_service_add_sdl(s, forms_sdl);
    if (!rc) rc = mm_service_add_scalar(s, &datetime);
    if (!rc)
        rc = mm_service_add_mutation(s,
                                     &(mm_mutation_def){
                                         .name = "createForm",
                                         .arguments = "name: String, template: String",
                                         .event_type = "CreateFormEvent",
                                         .result_type = "FormCreatedEvent",
                                         .timings = MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS,
                                         .default_timing = MM_TIMING_ASYNCHRONOUS,
                                         .mutate_event = create_form_event,
                                         .ud = "asynchronous",
                                         .flags = MM_MUTATION_NONBLOCKING,
                                     });
    if (!rc)
        rc = mm_service_add_mutation(s, &(mm_mutation_def){
                                            .name = "createFormAsync",
                                            .arguments = "name: String, template: String",
                                            .event_type = "CreateFormEvent",
                                            .timings = MM_TIMING_ASYNCHRONOUS,
                                            .mutate_event = create_form_event,
                                            .ud = "asynchronous",
                                            .flags = MM_MUTATION_NONBLOCKING,
                                        });
    if (!rc)
        rc = mm_service_add_mutation(s, &(mm_mutation_def){
                                            .name = "createFormSync",
                                            .arguments = "name: String, template: String",
                                            .event_type = "CreateFormEvent",
                                            .result_type = "FormCreatedEvent",
                                            .timings = MM_TIMING_SYNCHRONOUS,
                                            .default_timing = MM_TIMING_SYNCHRONOUS,
                                            .mutate_event = create_form_event,
                                            .ud = "synchronous",
                                            .flags = MM_MUTATION_NONBLOCKING,
                                        });
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){
                                            .name = "create_form",
                                            .group_id = renamed ? create_group : NULL,
                                            .event_types = create_form_events,
                                            .save_result = 1,
                                            .handle = create_form,
                                        });
    if (!rc)
        rc = mm_service_add_consumer(s, &(mm_consumer_def){
                                            .name = "legacy_create_form",
                                            .group_id = renamed ? legacy_group : NULL,
                                            .event_types = create_form_events,
                                            .handle = legacy_create_form,
                                        });
    if (!rc) rc = mm_service_add_resolver(s, "Query", "allForms", all_forms, NULL);
    static const char *const form_created_events[] = {"FormCreatedEvent", NULL};
    if (!rc)
        rc = mm_service_add_subscription(s, &(mm_subscription_def){
                                                .field = "formCreated",
                                                .event_types = form_created_events,
                                                .filter = form_created_filter,
                                                .resolve = form_created_resolve,
                                            });
    if (!rc) rc = mm_service_set_connection_auth(s, forms_connection_auth, NULL);
    if (rc) {
        fprintf(stderr, "forms: cannot define the service: %s\n", mm_strerror(rc));
        mm_service_free(s);
        return NULL;
    }
    return s;
}
