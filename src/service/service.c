/* service.c -- building a service definition (the mm_service_* calls of
 * metamorphosis.h). Every string is copied and every name is checked here,
 * so mistakes in a service surface when it is defined, with a message that
 * names the service, not later inside Kafka or the GraphQL engine. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "service/service_internal.h"

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
        mm_log_error("service name '%s' is not a valid Kafka topic name ([a-zA-Z0-9._-], 1-249 chars)",
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

void mm_service_free(mm_service *s) {
    if (!s) return;
    for (size_t i = 0; i < s->sdl_count; i++) free(s->sdl[i]);
    free(s->sdl);
    for (size_t i = 0; i < s->mutation_count; i++) {
        mm_mutation_spec *m = s->mutations[i];
        free(m->name);
        free(m->arguments);
        free(m->event_type);
        free(m->result_type);
        free(m->payload_type);
        free(m->topic);
        free(m);
    }
    free(s->mutations);
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

int mm_service_add_sdl(mm_service *s, const char *sdl) {
    if (!s || !sdl) return MM_EINVAL;
    char **v = grow(s->sdl, s->sdl_count, sizeof(*v));
    if (!v) return MM_ENOMEM;
    s->sdl = v;
    if (!(v[s->sdl_count] = strdup(sdl))) return MM_ENOMEM;
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

int mm_service_add_mutation(mm_service *s, const mm_mutation_def *d) {
    if (!s || !d) return MM_EINVAL;
    if (!mm_is_graphql_name(d->name) || !mm_is_graphql_name(d->event_type) ||
        (d->result_type && !mm_is_graphql_name(d->result_type)) || !d->mutate_event) {
        mm_log_error("service %s: mutation '%s' needs a GraphQL name, an event type name and a "
                     "mutate_event callback", s->name, d->name ? d->name : "(null)");
        return MM_EINVAL;
    }
    if (d->topic && !mm_is_topic_name(d->topic)) {
        mm_log_error("service %s: mutation %s: '%s' is not a valid topic name", s->name, d->name, d->topic);
        return MM_EINVAL;
    }
    unsigned timings = d->timings ? d->timings : MM_TIMING_ASYNCHRONOUS;
    if (timings & ~(unsigned)(MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS)) return MM_EINVAL;
    mm_timing def = d->default_timing ? d->default_timing : MM_TIMING_ASYNCHRONOUS;
    if (!(timings & def)) {
        /* A default outside the allowed set would make the no-argument call fail. */
        def = (timings & MM_TIMING_ASYNCHRONOUS) ? MM_TIMING_ASYNCHRONOUS : MM_TIMING_SYNCHRONOUS;
    }
    if (has_mutation(s, d->name)) {
        mm_log_error("service %s: mutation %s is defined twice", s->name, d->name);
        return MM_EEXIST;
    }
    mm_mutation_spec *m = calloc(1, sizeof(*m));
    if (!m) return MM_ENOMEM;
    m->name = strdup(d->name);
    m->arguments = strdup(d->arguments ? d->arguments : "");
    m->event_type = strdup(d->event_type);
    m->result_type = strdup(d->result_type ? d->result_type : d->event_type);
    m->payload_type = payload_type_name(d->name);
    m->topic = strdup(d->topic ? d->topic : s->name);
    m->timings = timings;
    m->default_timing = def;
    m->timing_argument = d->timing_argument ||
                         timings == (MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS);
    m->timeout_ms = d->timeout_ms > 0 ? d->timeout_ms : 0;
    m->mutate_event = d->mutate_event;
    m->ud = d->ud;
    m->service = s;
    mm_mutation_spec **v = grow(s->mutations, s->mutation_count, sizeof(*v));
    if (!m->name || !m->arguments || !m->event_type || !m->result_type || !m->payload_type ||
        !m->topic || !v) {
        if (v) s->mutations = v;
        free(m->name); free(m->arguments); free(m->event_type);
        free(m->result_type); free(m->payload_type); free(m->topic); free(m);
        return MM_ENOMEM;
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
        if (!(v[0] = strdup(fallback))) { free(v); return MM_ENOMEM; }
    }
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] = strdup(src[i]))) { free_strv(v); return MM_ENOMEM; }
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

int mm_service_add_consumer(mm_service *s, const mm_consumer_def *d) {
    if (!s || !d) return MM_EINVAL;
    if (!consumer_name_ok(d->name) || !d->handle || (d->group_id && !mm_is_topic_name(d->group_id))) {
        mm_log_error("service %s: consumer '%s' needs a name of [a-zA-Z0-9._-] and a handler", s->name,
                     d->name ? d->name : "(null)");
        return MM_EINVAL;
    }
    for (size_t i = 0; d->topics && d->topics[i]; i++)
        if (!mm_is_topic_name(d->topics[i])) {
            mm_log_error("service %s: consumer %s: '%s' is not a valid topic name", s->name, d->name,
                         d->topics[i]);
            return MM_EINVAL;
        }
    for (size_t i = 0; d->event_types && d->event_types[i]; i++)
        if (!mm_is_graphql_name(d->event_types[i])) {
            mm_log_error("service %s: consumer %s: '%s' is not a type name", s->name, d->name,
                         d->event_types[i]);
            return MM_EINVAL;
        }
    if (mm_service_find_consumer(s, d->name)) {
        mm_log_error("service %s: consumer %s is defined twice", s->name, d->name);
        return MM_EEXIST;
    }
    mm_consumer_spec *c = calloc(1, sizeof(*c));
    if (!c) return MM_ENOMEM;
    c->name = strdup(d->name);
    c->group_id = strdup(d->group_id ? d->group_id : d->name);
    int rc = (c->name && c->group_id) ? 0 : MM_ENOMEM;
    if (rc == 0) rc = copy_strv(d->topics, s->name, &c->topics);
    if (rc == 0) rc = copy_strv(d->event_types, NULL, &c->event_types);
    mm_consumer_spec **v = rc == 0 ? grow(s->consumers, s->consumer_count, sizeof(*v)) : NULL;
    if (!v) {
        free(c->name); free(c->group_id); free_strv(c->topics); free_strv(c->event_types); free(c);
        return rc ? rc : MM_ENOMEM;
    }
    c->save_result = d->save_result;
    c->handle = d->handle;
    c->ud = d->ud;
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
    if (!s || !mm_is_graphql_name(type_name) || !mm_is_graphql_name(field_name) || !fn ||
        (flags & ~(unsigned)MM_RESOLVER_NONBLOCKING))
        return MM_EINVAL;
    mm_resolver_spec *v = grow(s->resolvers, s->resolver_count, sizeof(*v));
    if (!v) return MM_ENOMEM;
    s->resolvers = v;
    mm_resolver_spec *r = &v[s->resolver_count];
    r->type_name = strdup(type_name);
    r->field_name = strdup(field_name);
    if (!r->type_name || !r->field_name) {
        free(r->type_name);
        free(r->field_name);
        return MM_ENOMEM;
    }
    r->fn = fn;
    r->ud = ud;
    r->nonblocking = (flags & MM_RESOLVER_NONBLOCKING) != 0;
    s->resolver_count++;
    return 0;
}

int mm_service_add_scalar(mm_service *s, const mm_scalar_def *d) {
    if (!s || !d || !mm_is_graphql_name(d->name) || !d->serialize || !d->parse_value) return MM_EINVAL;
    mm_scalar_spec *v = grow(s->scalars, s->scalar_count, sizeof(*v));
    if (!v) return MM_ENOMEM;
    s->scalars = v;
    if (!(v[s->scalar_count].name = strdup(d->name))) return MM_ENOMEM;
    v[s->scalar_count].serialize = d->serialize;
    v[s->scalar_count].parse_value = d->parse_value;
    s->scalar_count++;
    return 0;
}

int mm_service_set_post_fork(mm_service *s, mm_post_fork_fn fn, void *ud) {
    if (!s) return MM_EINVAL;
    s->post_fork = fn;
    s->post_fork_ud = ud;
    return 0;
}
