/* resolve.h -- query resolvers of services, and what they may call
 * (mm_resolve_error, mm_resolve_state in metamorphosis.h).
 *
 * A service's resolver is bound behind a small trampoline that tells it,
 * through a thread-local, which service's state store belongs to the call:
 * the engine's resolve info knows the field, not the service. */
#ifndef MM_SERVICE_RESOLVE_H
#define MM_SERVICE_RESOLVE_H

#include <stddef.h>

#include "graphql/type/schema.h"
#include "service/service_internal.h"

typedef struct mm_runtime mm_runtime;

/* Binds resolver r of service svc; err names the service and field on failure. */
int mm_resolver_bind(mm_gql_schema *schema, mm_service *svc, const mm_resolver_spec *r,
                     mm_runtime *rt, char *err, size_t err_size);

#endif
