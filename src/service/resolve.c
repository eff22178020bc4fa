/* resolve.c -- the trampoline behind service resolvers (resolve.h). */
#include "service/resolve.h"

#include <stdarg.h>
#include <stdio.h>

#include "graphql/execution/execute.h"
#include "service/gateway.h"
#include "service/runtime.h"

typedef struct resolver_binding {
    mm_resolve_fn fn;
    void *ud;
    int nonblocking;
    mm_service *service;
    mm_runtime *rt;
} resolver_binding;

/* The state store of the service whose resolver runs on this thread. */
static _Thread_local mm_state *current_state;

static json_t *call_service(const resolver_binding *b, json_t *parent, json_t *args,
                            mm_gql_resolve_info *info) {
    mm_state *saved = current_state;
    current_state = mm_runtime_state(b->rt, b->service);
    json_t *out = b->fn(b->ud, parent, args, info);
    current_state = saved;
    return out;
}

/* On a dispatch thread: the resolver may block there (on Redis, within its
 * state handle's deadline); its answer settles the field. */
static void offloaded(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info,
                      mm_gql_deferred *d) {
    /* A service resolver has no way to defer (mm_resolve_info offers none);
     * if code did on this copy, it got a deferred nobody waits for, and the
     * field fails below instead of d being settled twice. */
    mm_gateway_settle(d, info, call_service(ud, parent, args, info));
}

/* A service resolver may call mm_state_* (blocking Redis): never on an I/O
 * thread. A root field there is offloaded to the dispatch threads. */
static json_t *trampoline(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    const resolver_binding *b = ud;
    if (!b->nonblocking && mm_gateway_offload(info, parent, args, offloaded, ud)) return NULL;
    return call_service(ud, parent, args, info);
}

mm_state *mm_resolve_state(mm_resolve_info *info) {
    (void)info;
    return current_state;
}

int mm_resolve_should_stop(mm_resolve_info *info) {
    return info && mm_gql_resolve_should_stop(info) ? 1 : 0;
}

void mm_resolve_error(mm_resolve_info *info, json_t *extensions, const char *fmt, ...) {
    char message[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    mm_gql_resolve_error(info, extensions, "%s", message);
}

int mm_resolver_bind(mm_gql_schema *schema, mm_service *svc, const mm_resolver_spec *r,
                     mm_runtime *rt, char *err, size_t err_size) {
    resolver_binding *b = mm_arena_alloc(&schema->arena, sizeof(*b));
    if (!b) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    *b = (resolver_binding){r->fn, r->ud, r->nonblocking, svc, rt};
    int rc = mm_gql_schema_set_resolver(schema, r->type_name, r->field_name, trampoline, b);
    if (rc)
        snprintf(err, err_size, "service %s: resolver for %s.%s: %s", svc->name, r->type_name,
                 r->field_name,
                 rc == MM_ENOTFOUND ? "no such field in the schema" : "not an object field");
    return rc;
}
