/* schema_merge.h -- one GraphQL schema for every loaded service.
 *
 * The original asked each application to write a Query class inheriting
 * from every service's Query; here the framework does it: each service's SDL,
 * the SDL generated for its event mutations (Graphene's shape: a payload type
 * named after the mutation holding `data`), the framework's own types
 * (MutationTimings, JSONString, EventResult) and optional extra fragments
 * (manager mode) become one schema, and every callback is bound to it.
 * Conflicts between services are start-up errors that name both services. */
#ifndef MM_SERVICE_SCHEMA_MERGE_H
#define MM_SERVICE_SCHEMA_MERGE_H

#include <stddef.h>

#include "graphql/type/schema.h"
#include "metamorphosis.h"

typedef struct mm_runtime mm_runtime;

/* An extra SDL fragment with its resolvers, e.g. the manager's fields. */
typedef struct mm_schema_extra {
    const char *name; /* for messages */
    const char *sdl;
    int (*bind)(void *ud, mm_gql_schema *schema, char *err, size_t err_size);
    void *ud;
} mm_schema_extra;

/* Builds and binds the merged schema. rt (may be NULL: printing the schema,
 * tests) is what mutation and eventResult resolvers use at run time; with
 * NULL they answer with an error. Returns NULL with a message in err. */
mm_gql_schema *mm_services_build_schema(mm_service *const *services, size_t service_count,
                                        const mm_schema_extra *extras, size_t extra_count,
                                        mm_runtime *rt, char *err, size_t err_size);

/* The framework's own SDL (exposed for docs and tests). */
extern const char mm_framework_sdl[];

#endif
