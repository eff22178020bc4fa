/* service.c -- building a service definition (the mm_service_* calls of
 * metamorphosis.h). Every string is copied and every name is checked here,
 * so mistakes in a service surface when it is defined, with a message that
 * names the service, not later inside Kafka or the GraphQL engine. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "service/service_internal.h"

/* The last definition error of this thread: metamorphosis_service() usually
 * just returns NULL when a call failed, and the loader repeats this text so
 * that the user sees what went wrong even where the log is not shown. */
static _Thread_local char last_error[512];

const char *mm_service_last_error(void) { return last_error; }
void mm_service_clear_last_error(void) { last_error[0] = '\0'; }

static void definition_error(const mm_service *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void definition_error(const mm_service *s, const char *fmt, ...) {
    (void)s;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_error, sizeof last_error, fmt, ap);
    va_end(ap);
    mm_log_error("%s", last_error);
}

int mm_is_graphql_name(const char *s) {
    if (!s || !*s) return 0;
    if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))) return 0;
    for (const char *p = s + 1; *p; p++)
        if (!(*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
              (*p >= '0' && *p <= '9')))
            return 0;
    return 1;
}

int mm_is_topic_name(const char *s) {
    if (!s) return 0;
    size_t n = strlen(s);
    if (n == 0 || n > 249 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

mm_service *mm_service_new(const char *name) {
    if (!mm_is_topic_name(name)) {
        definition_error(NULL,
                         "service name '%s' is not a valid Kafka topic name "
                         "([a-zA-Z0-9._-], 1-249 chars)",
                         name ? name : "(null)");
        return NULL;
    }
    mm_service *s = calloc(1, sizeof(*s));
    if (!s) return NULL;
    s->name = strdup(name);
    if (!s->name) {
        free(s);
        return NULL;
    }
    return s;
}

static void free_strv(char **v) {
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

/* A mutation spec and the strings it owns (any of them may be NULL). */
static void mutation_spec_free(mm_mutation_spec *m) {
    free(m->name);
    free(m->arguments);
    free(m->event_type);
    free(m->result_type);
    free(m->payload_type);
    free(m->topic);
    free(m);
}

void mm_service_free(mm_service *s) {
    if (!s) return;
    for (size_t i = 0; i < s->sdl_count; i++) free(s->sdl[i]);
    free(s->sdl);
    for (size_t i = 0; i < s->mutation_count; i++) mutation_spec_free(s->mutations[i]);
    free(s->mutations);
    mm_service_free_subscriptions(s);
    for (size_t i = 0; i < s->consumer_count; i++) {
        mm_consumer_spec *c = s->consumers[i];
        free(c->name);
        free(c->group_id);
        free_strv(c->topics);
        free_strv(c->event_types);
        free(c);
    }
    free(s->consumers);
    for (size_t i = 0; i < s->resolver_count; i++) {
        free(s->resolvers[i].type_name);
        free(s->resolvers[i].field_name);
    }
    free(s->resolvers);
    for (size_t i = 0; i < s->scalar_count; i++) free(s->scalars[i].name);
    free(s->scalars);
    free(s->name);
    free(s);
}

const char *mm_service_name(const mm_service *s) { return s->name; }

/* Grows a pointer or struct array by one element. */
static void *grow(void *array, size_t count, size_t elem_size) {
    return realloc(array, (count + 1) * elem_size);
}

/* The error for a NULL service handle (mm_service_new failed and the
 * caller went on) and for running out of memory. */
static int null_service(const char *call) {
    definition_error(NULL, "%s: the service is NULL (did mm_service_new fail?)", call);
    return MM_EINVAL;
}

static int out_of_memory(const mm_service *s, const char *call) {
    definition_error(s, "service %s: %s: out of memory", s->name, call);
    return MM_ENOMEM;
}

int mm_service_add_sdl(mm_service *s, const char *sdl) {
    if (!s) return null_service("mm_service_add_sdl");
    if (!sdl) {
        definition_error(s, "service %s: mm_service_add_sdl: the SDL is NULL", s->name);
        return MM_EINVAL;
    }
    char **v = grow(s->sdl, s->sdl_count, sizeof(*v));
    if (!v) return out_of_memory(s, "mm_service_add_sdl");
    s->sdl = v;
    if (!(v[s->sdl_count] = strdup(sdl))) return out_of_memory(s, "mm_service_add_sdl");
    s->sdl_count++;
    return 0;
}

static int has_mutation(const mm_service *s, const char *name) {
    for (size_t i = 0; i < s->mutation_count; i++)
        if (strcmp(s->mutations[i]->name, name) == 0) return 1;
    return 0;
}

/* "createForm" -> "CreateForm": the payload type Graphene generated for a
 * mutation class of that name. */
static char *payload_type_name(const char *field) {
    char *t = strdup(field);
    if (t && t[0] >= 'a' && t[0] <= 'z') t[0] = (char)(t[0] - 'a' + 'A');
    return t;
}

int mm_service_define_mutation(mm_service *s, const mm_mutation_def *d) {
    if (!s) return null_service("mm_service_add_mutation");
    if (!d) {
        definition_error(s, "service %s: mm_service_add_mutation: the definition is NULL", s->name);
        return MM_EINVAL;
    }
    const char *mname = d->name ? d->name : "(null)";
    if (!mm_is_graphql_name(d->name)) {
        definition_error(s,
                         "service %s: mutation '%s': the name is not a GraphQL name "
                         "([_A-Za-z][_0-9A-Za-z]*)",
                         s->name, mname);
        return MM_EINVAL;
    }
    if (!mm_is_graphql_name(d->event_type)) {
        definition_error(s, "service %s: mutation %s: event_type '%s' is not a GraphQL type name",
                         s->name, mname, d->event_type ? d->event_type : "(null)");
        return MM_EINVAL;
    }
    if (d->result_type && !mm_is_graphql_name(d->result_type)) {
        definition_error(s, "service %s: mutation %s: result_type '%s' is not a GraphQL type name",
                         s->name, mname, d->result_type);
        return MM_EINVAL;
    }
    if (!d->mutate_event) {
        definition_error(s, "service %s: mutation %s: no mutate_event callback", s->name, mname);
        return MM_EINVAL;
    }
    if (d->topic && !mm_is_topic_name(d->topic)) {
        definition_error(s, "service %s: mutation %s: '%s' is not a valid topic name", s->name,
                         d->name, d->topic);
        return MM_EINVAL;
    }
    unsigned timings = d->timings ? d->timings : MM_TIMING_ASYNCHRONOUS;
    if (timings & ~(unsigned)(MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS)) {
        definition_error(s,
                         "service %s: mutation %s: timings 0x%x has bits other than "
                         "MM_TIMING_SYNCHRONOUS and MM_TIMING_ASYNCHRONOUS",
                         s->name, d->name, timings);
        return MM_EINVAL;
    }
    /* default_timing 0: the only allowed timing; with both allowed,
     * asynchronous (the original's default). A default that is not one of
     * the allowed timings would make every call without `timing:` fail. */
    mm_timing def = d->default_timing;
    if (def == 0) {
        def = (timings & MM_TIMING_ASYNCHRONOUS) ? MM_TIMING_ASYNCHRONOUS : MM_TIMING_SYNCHRONOUS;
    } else if ((def != MM_TIMING_SYNCHRONOUS && def != MM_TIMING_ASYNCHRONOUS) ||
               !(timings & def)) {
        definition_error(s,
                         "service %s: mutation %s: default_timing %s is not one of its timings "
                         "(%s)",
                         s->name, d->name,
                         def == MM_TIMING_SYNCHRONOUS    ? "MM_TIMING_SYNCHRONOUS"
                         : def == MM_TIMING_ASYNCHRONOUS ? "MM_TIMING_ASYNCHRONOUS"
                                                         : "(not one timing)",
                         timings == MM_TIMING_SYNCHRONOUS    ? "MM_TIMING_SYNCHRONOUS only"
                         : timings == MM_TIMING_ASYNCHRONOUS ? "MM_TIMING_ASYNCHRONOUS only"
                                                             : "both");
        return MM_EINVAL;
    }
    if (d->flags & ~(unsigned)MM_MUTATION_NONBLOCKING) {
        definition_error(s,
                         "service %s: mutation %s: flags 0x%x has bits other than "
                         "MM_MUTATION_NONBLOCKING",
                         s->name, d->name, d->flags);
        return MM_EINVAL;
    }
    if (has_mutation(s, d->name)) {
        definition_error(s, "service %s: mutation %s is defined twice", s->name, d->name);
        return MM_EEXIST;
    }
    mm_mutation_spec *m = calloc(1, sizeof(*m));
    if (!m) return out_of_memory(s, "mm_service_add_mutation");
    m->name = strdup(d->name);
    m->arguments = strdup(d->arguments ? d->arguments : "");
    m->event_type = strdup(d->event_type);
    m->result_type = strdup(d->result_type ? d->result_type : d->event_type);
    m->payload_type = payload_type_name(d->name);
    m->topic = strdup(d->topic ? d->topic : s->name);
    m->timings = timings;
    m->default_timing = def;
    m->timing_argument =
        d->timing_argument || timings == (MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS);
    m->timeout_ms = d->timeout_ms > 0 ? d->timeout_ms : 0;
    m->mutate_event = d->mutate_event;
    m->ud = d->ud;
    m->nonblocking = (d->flags & MM_MUTATION_NONBLOCKING) != 0;
    m->service = s;
    mm_mutation_spec **v = grow(s->mutations, s->mutation_count, sizeof(*v));
    if (!m->name || !m->arguments || !m->event_type || !m->result_type || !m->payload_type ||
        !m->topic || !v) {
        if (v) s->mutations = v;
        mutation_spec_free(m);
        return out_of_memory(s, "mm_service_add_mutation");
    }
    s->mutations = v;
    v[s->mutation_count++] = m;
    return 0;
}

/* Copies a NULL-terminated list; an empty or NULL list gives fallback (may be NULL). */
static int copy_strv(const char *const *src, const char *fallback, char ***out) {
    size_t n = 0;
    while (src && src[n]) n++;
    *out = NULL;
    if (n == 0 && !fallback) return 0;
    char **v = calloc((n ? n : 1) + 1, sizeof(*v));
    if (!v) return MM_ENOMEM;
    if (n == 0) {
        if (!(v[0] = strdup(fallback))) {
            free(v);
            return MM_ENOMEM;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] = strdup(src[i]))) {
            free_strv(v);
            return MM_ENOMEM;
        }
    }
    *out = v;
    return 0;
}

const mm_consumer_spec *mm_service_find_consumer(const mm_service *s, const char *name) {
    for (size_t i = 0; i < s->consumer_count; i++)
        if (strcmp(s->consumers[i]->name, name) == 0) return s->consumers[i];
    return NULL;
}

static int consumer_name_ok(const char *name) {
    return mm_is_topic_name(name); /* used in group ids, Redis keys and config keys */
}

int mm_service_define_consumer(mm_service *s, const mm_consumer_def *d) {
    if (!s) return null_service("mm_service_add_consumer");
    if (!d) {
        definition_error(s, "service %s: mm_service_add_consumer: the definition is NULL", s->name);
        return MM_EINVAL;
    }
    if (!consumer_name_ok(d->name) || !d->handle ||
        (d->group_id && !mm_is_topic_name(d->group_id))) {
        definition_error(s,
                         "service %s: consumer '%s' needs a name of [a-zA-Z0-9._-] and a handler",
                         s->name, d->name ? d->name : "(null)");
        return MM_EINVAL;
    }
    for (size_t i = 0; d->topics && d->topics[i]; i++)
        if (!mm_is_topic_name(d->topics[i])) {
            definition_error(s, "service %s: consumer %s: '%s' is not a valid topic name", s->name,
                             d->name, d->topics[i]);
            return MM_EINVAL;
        }
    for (size_t i = 0; d->event_types && d->event_types[i]; i++)
        if (!mm_is_graphql_name(d->event_types[i])) {
            definition_error(s, "service %s: consumer %s: '%s' is not a type name", s->name,
                             d->name, d->event_types[i]);
            return MM_EINVAL;
        }
    if (mm_service_find_consumer(s, d->name)) {
        definition_error(s, "service %s: consumer %s is defined twice", s->name, d->name);
        return MM_EEXIST;
    }
    mm_consumer_spec *c = calloc(1, sizeof(*c));
    if (!c) return out_of_memory(s, "mm_service_add_consumer");
    c->name = strdup(d->name);
    c->group_id = strdup(d->group_id ? d->group_id : d->name);
    int rc = (c->name && c->group_id) ? 0 : MM_ENOMEM;
    if (rc == 0) rc = copy_strv(d->topics, s->name, &c->topics);
    if (rc == 0) rc = copy_strv(d->event_types, NULL, &c->event_types);
    mm_consumer_spec **v = rc == 0 ? grow(s->consumers, s->consumer_count, sizeof(*v)) : NULL;
    if (!v) {
        free(c->name);
        free(c->group_id);
        free_strv(c->topics);
        free_strv(c->event_types);
        free(c);
        return out_of_memory(s, "mm_service_add_consumer");
    }
    c->save_result = d->save_result;
    c->handle = d->handle;
    c->ud = d->ud;
    c->max_attempts = d->max_attempts;
    c->concurrency = d->concurrency > 64 ? 64 : d->concurrency;
    c->exactly_once = d->exactly_once != 0;
    c->service = s;
    s->consumers = v;
    v[s->consumer_count++] = c;
    return 0;
}

int mm_service_add_resolver(mm_service *s, const char *type_name, const char *field_name,
                            mm_resolve_fn fn, void *ud) {
    return mm_service_add_resolver_flags(s, type_name, field_name, fn, ud, 0);
}

int mm_service_add_resolver_flags(mm_service *s, const char *type_name, const char *field_name,
                                  mm_resolve_fn fn, void *ud, unsigned flags) {
    if (!s) return null_service("mm_service_add_resolver");
    if (!mm_is_graphql_name(type_name) || !mm_is_graphql_name(field_name) || !fn ||
        (flags & ~(unsigned)MM_RESOLVER_NONBLOCKING)) {
        definition_error(s,
                         "service %s: resolver %s.%s needs a GraphQL type name, a field name "
                         "and a function (flags: 0 or MM_RESOLVER_NONBLOCKING)",
                         s->name, type_name ? type_name : "(null)",
                         field_name ? field_name : "(null)");
        return MM_EINVAL;
    }
    mm_resolver_spec *v = grow(s->resolvers, s->resolver_count, sizeof(*v));
    if (!v) return out_of_memory(s, "mm_service_add_resolver");
    s->resolvers = v;
    mm_resolver_spec *r = &v[s->resolver_count];
    r->type_name = strdup(type_name);
    r->field_name = strdup(field_name);
    if (!r->type_name || !r->field_name) {
        free(r->type_name);
        free(r->field_name);
        return out_of_memory(s, "mm_service_add_resolver");
    }
    r->fn = fn;
    r->ud = ud;
    r->nonblocking = (flags & MM_RESOLVER_NONBLOCKING) != 0;
    s->resolver_count++;
    return 0;
}

int mm_service_define_scalar(mm_service *s, const mm_scalar_spec *d) {
    if (!s) return null_service("mm_service_add_scalar");
    if (!d || !mm_is_graphql_name(d->name) || !(d->serialize || d->v0_serialize) ||
        !(d->parse_value || d->v0_parse_value)) {
        definition_error(s,
                         "service %s: scalar '%s' needs a GraphQL name, serialize and parse_value",
                         s->name, d && d->name ? d->name : "(null)");
        return MM_EINVAL;
    }
    mm_scalar_spec *v = grow(s->scalars, s->scalar_count, sizeof(*v));
    if (!v) return out_of_memory(s, "mm_service_add_scalar");
    s->scalars = v;
    v[s->scalar_count] = *d;
    if (!(v[s->scalar_count].name = strdup(d->name)))
        return out_of_memory(s, "mm_service_add_scalar");
    s->scalar_count++;
    return 0;
}

int mm_service_set_post_fork(mm_service *s, mm_post_fork_fn fn, void *ud) {
    if (!s) return null_service("mm_service_set_post_fork");
    s->post_fork = fn;
    s->post_fork_ud = ud;
    return 0;
}
