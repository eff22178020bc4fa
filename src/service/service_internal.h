/* service_internal.h -- what a service definition holds, for the framework.
 *
 * mm_service (metamorphosis.h) is filled by a service's shared object
 * through the mm_service_add_* calls; everything is copied, so a definition
 * never points into the caller's memory. The framework reads these fields to
 * build the merged schema (schema_merge.c), to answer mutations
 * (mutation.c) and to run consumers (consumer_runner.c). */
#ifndef MM_SERVICE_INTERNAL_H
#define MM_SERVICE_INTERNAL_H

#include <stddef.h>

#include "metamorphosis.h"

typedef struct mm_mutation_spec {
    char *name;
    char *arguments; /* "" when none */
    char *event_type;
    char *result_type;  /* never NULL: defaults to event_type */
    char *payload_type; /* the generated object type holding `data` */
    unsigned timings;
    mm_timing default_timing;
    int timing_argument;
    char *topic;     /* never NULL: defaults to the service name */
    long timeout_ms; /* 0: the configured default */
    mm_mutate_event_fn mutate_event;
    void *ud;
    int nonblocking; /* MM_MUTATION_NONBLOCKING: runs on the I/O thread */
    mm_service *service;
} mm_mutation_spec;

typedef struct mm_consumer_spec {
    char *name;
    char *group_id;
    char **topics;      /* NULL-terminated, at least one */
    char **event_types; /* NULL-terminated; NULL: every type */
    int save_result;
    mm_consumer_fn handle;
    void *ud;
    mm_service *service;
    unsigned max_attempts; /* 0: the default (consumer_runner.c) */
    unsigned concurrency;  /* handler threads; 0 or 1: the loop thread */
    int exactly_once;      /* mm_consumer_def.exactly_once */
} mm_consumer_spec;

typedef struct mm_resolver_spec {
    char *type_name;
    char *field_name;
    mm_resolve_fn fn;
    void *ud;
    int nonblocking; /* MM_RESOLVER_NONBLOCKING: runs on the I/O thread */
} mm_resolver_spec;

/* 0.1's scalar callbacks, which took no ud (service_abi.c). */
typedef json_t *(*mm_scalar_v0_fn)(json_t *value, const char **error);

typedef struct mm_scalar_spec {
    char *name;
    mm_scalar_fn serialize; /* set, or the v0 pair below is */
    mm_scalar_fn parse_value;
    void *ud;
    mm_scalar_v0_fn v0_serialize; /* a service built against 0.1 */
    mm_scalar_v0_fn v0_parse_value;
} mm_scalar_spec;

typedef struct mm_subscription_spec {
    char *field;
    char **topics;      /* NULL-terminated, at least one */
    char **event_types; /* NULL-terminated, at least one */
    mm_subscription_filter_fn filter;
    mm_subscription_resolve_fn resolve;
    void *ud;
    mm_service *service;
} mm_subscription_spec;

struct mm_service {
    char *name;
    char **sdl; /* the fragments added, in order */
    size_t sdl_count;
    mm_mutation_spec **mutations; /* each allocated alone: resolvers keep pointers */
    size_t mutation_count;
    mm_consumer_spec **consumers;
    size_t consumer_count;
    mm_resolver_spec *resolvers;
    size_t resolver_count;
    mm_scalar_spec *scalars;
    size_t scalar_count;
    mm_post_fork_fn post_fork;
    void *post_fork_ud;
    mm_subscription_spec **subscriptions; /* subscription_def.c */
    size_t subscription_count;
    mm_connection_auth_fn connection_auth;
    void *connection_auth_ud;
};

/* subscription_def.c: frees what mm_service_add_subscription copied. */
void mm_service_free_subscriptions(mm_service *service);

/* Whether s is a GraphQL name: /[_A-Za-z][_0-9A-Za-z]* /. */
int mm_is_graphql_name(const char *s);

/* Whether s is a legal Kafka topic name: 1..249 of [a-zA-Z0-9._-], not "." or "..". */
int mm_is_topic_name(const char *s);

/* The text of this thread's last failed mm_service_* call ("" if none since
 * the last clear), so a loader can say why metamorphosis_service() gave NULL. */
const char *mm_service_last_error(void);
void mm_service_clear_last_error(void);

const mm_consumer_spec *mm_service_find_consumer(const mm_service *service, const char *name);

/* The definitions behind mm_service_add_mutation/_consumer/_scalar, which
 * (service_abi.c) bring a definition of any layout to this library's:
 * d is complete here. */
int mm_service_define_mutation(mm_service *s, const mm_mutation_def *d);
int mm_service_define_consumer(mm_service *s, const mm_consumer_def *d);
int mm_service_define_scalar(mm_service *s, const mm_scalar_spec *d);
int mm_service_define_subscription(mm_service *s, const mm_subscription_def *def);

#endif
