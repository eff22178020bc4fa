/* mod_old_layout.c -- a service as it was compiled against the 0.1 header:
 * it does not include metamorphosis.h but declares the 0.1 definition
 * layouts and entry points itself, exactly as that header did (no size
 * argument; scalar callbacks without ud). test_def_layout.c loads it and
 * checks the library still reads every member right. Keep these
 * declarations frozen: they are the old ABI. */
#include <jansson.h>
#include <string.h>

typedef struct mm_service mm_service;
typedef struct mm_mutation_call mm_mutation_call;
typedef struct mm_handler mm_handler;
typedef struct mm_event mm_event;

struct v01_mutation_def {
    const char *name;
    const char *arguments;
    const char *event_type;
    const char *result_type;
    unsigned timings;
    int default_timing;
    int timing_argument;
    const char *topic;
    long timeout_ms;
    json_t *(*mutate_event)(void *ud, mm_mutation_call *call, json_t *args);
    void *ud;
};

struct v01_consumer_def {
    const char *name;
    const char *group_id;
    const char *const *topics;
    const char *const *event_types;
    int save_result;
    int (*handle)(void *ud, mm_handler *h, const mm_event *event);
    void *ud;
};

struct v01_scalar_def {
    const char *name;
    json_t *(*serialize)(json_t *value, const char **error);
    json_t *(*parse_value)(json_t *value, const char **error);
};

mm_service *mm_service_new(const char *name);
int mm_service_add_sdl(mm_service *service, const char *sdl);
int mm_service_add_mutation(mm_service *service, const struct v01_mutation_def *def);
int mm_service_add_consumer(mm_service *service, const struct v01_consumer_def *def);
int mm_service_add_scalar(mm_service *service, const struct v01_scalar_def *def);
mm_service *metamorphosis_service(void);

static int ud_marker;

static json_t *mutate(void *ud, mm_mutation_call *call, json_t *args) {
    (void)ud, (void)call, (void)args;
    return json_object();
}

static int handle(void *ud, mm_handler *h, const mm_event *event) {
    (void)ud, (void)h, (void)event;
    return 0;
}

/* Doubles a string: "ab" -> "abab", so the test sees it was called. */
static json_t *twice(json_t *value, const char **error) {
    if (!json_is_string(value)) {
        *error = "old layout: not a string";
        return NULL;
    }
    return json_sprintf("%s%s", json_string_value(value), json_string_value(value));
}

mm_service *metamorphosis_service(void) {
    static const char *const topics[] = {"old-layout-in", NULL};
    static const char *const types[] = {"Pinged", NULL};
    mm_service *s = mm_service_new("oldlayout");
    if (!s) return NULL;
    struct v01_mutation_def m = {"ping", "text: String",   "Pinged", NULL,   3u,        1,
                                 1,      "old-layout-out", 1234,     mutate, &ud_marker};
    struct v01_consumer_def c = {"pinged", "old-group", topics, types, 1, handle, &ud_marker};
    struct v01_scalar_def sc = {"Twice", twice, twice};
    if (mm_service_add_sdl(s, "scalar Twice\ntype Pinged { text: String }\n") != 0 ||
        mm_service_add_mutation(s, &m) != 0 || mm_service_add_consumer(s, &c) != 0 ||
        mm_service_add_scalar(s, &sc) != 0)
        return NULL; /* the test sees NULL and fails */
    return s;
}
