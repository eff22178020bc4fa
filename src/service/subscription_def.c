/* subscription_def.c -- the service API of subscriptions: binding a field of
 * `type Subscription` to event types on topics (mm_service_add_subscription)
 * and the WebSocket connection authorization callback. Copies everything,
 * like the other mm_service_add_* calls. */
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "service/service_internal.h"

static void free_list(char **v) {
    if (!v) return;
    for (char **p = v; *p; p++) free(*p);
    free(v);
}

static char **copy_list(const char *const *src, const char *fallback) {
    size_t n = 0;
    while (src && src[n]) n++;
    size_t count = n ? n : 1;
    char **v = calloc(count + 1, sizeof *v);
    if (!v) return NULL;
    for (size_t i = 0; i < count; i++) {
        v[i] = strdup(n ? src[i] : fallback);
        if (!v[i]) {
            free_list(v);
            return NULL;
        }
    }
    return v;
}

static void spec_free(mm_subscription_spec *sp) {
    if (!sp) return;
    free(sp->field);
    free_list(sp->topics);
    free_list(sp->event_types);
    free(sp);
}

int mm_service_define_subscription(mm_service *s, const mm_subscription_def *def) {
    if (!s || !def) return MM_EINVAL;
    if (!mm_is_graphql_name(def->field)) {
        mm_log_error(
            "msg=\"mm_service_add_subscription: the field is not a GraphQL name\" service=%s",
            s->name);
        return MM_EINVAL;
    }
    if (!def->event_types || !def->event_types[0]) {
        mm_log_error("msg=\"mm_service_add_subscription: no event_types\" service=%s field=%s",
                     s->name, def->field);
        return MM_EINVAL;
    }
    for (const char *const *t = def->event_types; *t; t++)
        if (!mm_is_graphql_name(*t)) {
            mm_log_error(
                "msg=\"mm_service_add_subscription: event type is not a GraphQL name\" service=%s "
                "field=%s type=\"%s\"",
                s->name, def->field, *t);
            return MM_EINVAL;
        }
    for (const char *const *t = def->topics; t && *t; t++)
        if (!mm_is_topic_name(*t)) {
            mm_log_error("msg=\"mm_service_add_subscription: not a topic name\" service=%s "
                         "field=%s topic=\"%s\"",
                         s->name, def->field, *t);
            return MM_EINVAL;
        }
    for (size_t i = 0; i < s->subscription_count; i++)
        if (strcmp(s->subscriptions[i]->field, def->field) == 0) {
            mm_log_error(
                "msg=\"mm_service_add_subscription: field bound twice\" service=%s field=%s",
                s->name, def->field);
            return MM_EEXIST;
        }
    mm_subscription_spec *sp = calloc(1, sizeof *sp);
    if (!sp) return MM_ENOMEM;
    sp->field = strdup(def->field);
    sp->topics = copy_list(def->topics, s->name);
    sp->event_types = copy_list(def->event_types, NULL);
    sp->filter = def->filter;
    sp->resolve = def->resolve;
    sp->ud = def->ud;
    sp->service = s;
    mm_subscription_spec **v =
        sp->field && sp->topics && sp->event_types
            ? realloc(s->subscriptions, (s->subscription_count + 1) * sizeof *v)
            : NULL;
    if (!v) {
        spec_free(sp);
        return MM_ENOMEM;
    }
    s->subscriptions = v;
    v[s->subscription_count++] = sp;
    return 0;
}

int mm_service_set_connection_auth(mm_service *s, mm_connection_auth_fn fn, void *ud) {
    if (!s) return MM_EINVAL;
    s->connection_auth = fn;
    s->connection_auth_ud = ud;
    return 0;
}

void mm_service_free_subscriptions(mm_service *s) {
    for (size_t i = 0; i < s->subscription_count; i++) spec_free(s->subscriptions[i]);
    free(s->subscriptions);
    s->subscriptions = NULL;
    s->subscription_count = 0;
}
