/*
 * metamorphosis.h -- the public API of Metamorphosis, an event-streaming
 * microframework: GraphQL event mutations publish events to Kafka, consumers
 * in Kafka consumer groups handle them, Redis holds results and state.
 *
 * This is the only header a service includes. Conventions (after libuv):
 *   - functions are mm_<noun>_<verb>; handles are opaque pointers;
 *   - functions that can fail return an int: 0 on success, a negative
 *     MM_E* code on failure; mm_strerror() names the code;
 *   - whoever creates a handle frees it with the matching _free function.
 */
#ifndef METAMORPHOSIS_H
#define METAMORPHOSIS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_VERSION_MAJOR 0
#define MM_VERSION_MINOR 1
#define MM_VERSION_PATCH 0

/* Error codes. All are negative so that "< 0" means failure everywhere. */
typedef enum mm_error {
    MM_OK = 0,
    MM_ENOMEM = -1,    /* out of memory */
    MM_EINVAL = -2,    /* invalid argument or input */
    MM_ESYNTAX = -3,   /* malformed document (GraphQL, JSON, YAML) */
    MM_ENOTFOUND = -4, /* no such thing (key, type, field, service) */
    MM_EEXIST = -5,    /* already defined */
    MM_EIO = -6,       /* I/O or network failure */
    MM_ETIMEDOUT = -7, /* a deadline passed */
    MM_EKAFKA = -8,    /* the Kafka client reported an error */
    MM_EREDIS = -9,    /* the Redis client reported an error */
    MM_ELIMIT = -10,   /* a configured limit was exceeded */
    MM_EAUTH = -11,    /* unauthorized */
} mm_error;

/* A static, human-readable name for an mm_error code. Never NULL. */
const char *mm_strerror(int code);

/* The library's version as "MAJOR.MINOR.PATCH". */
const char *mm_version(void);


/* ======================================================================
 * Services
 *
 * A service is a name (also its default Kafka topic), a GraphQL schema
 * fragment in SDL, and C callbacks bound by name: event mutations,
 * consumers and query resolvers. It is built as a shared object that
 * exports one function, MM_SERVICE_SYMBOL, returning its definition; the
 * gregor commands load it with --app PATH. See docs/tutorial.md.
 * ====================================================================== */

typedef struct mm_service mm_service;
typedef struct mm_event mm_event;              /* an event being handled */
typedef struct mm_handler mm_handler;          /* a consumer's call context */
typedef struct mm_mutation_call mm_mutation_call; /* a mutate_event call context */
typedef struct mm_gql_resolve_info mm_resolve_info; /* a query resolver's context */
typedef struct mm_state mm_state;              /* the Redis application-state store */

/* The function every service shared object exports:
 *     mm_service *metamorphosis_service(void);
 * It builds and returns the definition; the caller owns it. */
#define MM_SERVICE_SYMBOL "metamorphosis_service"
typedef mm_service *(*mm_service_define_fn)(void);

/* How a mutation answers (the original's MutationTimings enum). */
typedef enum mm_timing {
    MM_TIMING_SYNCHRONOUS = 1u << 0,  /* wait for the consumer's result */
    MM_TIMING_ASYNCHRONOUS = 1u << 1, /* answer with the event (its id) at once */
} mm_timing;

/* Authorizes and validates a mutation's arguments and returns the event's
 * fields (a JSON object, a new reference). To refuse, call
 * mm_mutation_fail() and return NULL: nothing is published and the caller
 * gets a GraphQL error. args holds the coerced GraphQL arguments. */
typedef json_t *(*mm_mutate_event_fn)(void *ud, mm_mutation_call *call, json_t *args);

typedef struct mm_mutation_def {
    const char *name;          /* GraphQL field, e.g. "createForm" */
    const char *arguments;     /* SDL argument list, e.g. "name: String, template: String" */
    const char *event_type;    /* SDL object type of the event, e.g. "CreateFormEvent" */
    const char *result_type;   /* type of `data` in the answer (what the consumer
                                  emits); NULL: the event type. A synchronous
                                  answer holds the consumer's result; an
                                  asynchronous one the published event's fields
                                  under this type: those the result type also
                                  declares (always `id`, the event id, if it has
                                  one), the others null */
    unsigned timings;          /* mm_timing bits; 0 means asynchronous only */
    mm_timing default_timing;  /* the timing of a call that names none; 0: the only
                                  allowed timing, or with both allowed
                                  MM_TIMING_ASYNCHRONOUS (the original's default).
                                  A timing not in `timings` is refused */
    int timing_argument;       /* nonzero: add `timing: MutationTimings = <default>`
                                  (always added when both timings are allowed) */
    const char *topic;         /* where the event goes; NULL: the service topic */
    long timeout_ms;           /* synchronous wait; 0: the configured default */
    mm_mutate_event_fn mutate_event;
    void *ud;
} mm_mutation_def;

/* Handles one event. Emit events with mm_handler_emit(); fail with
 * mm_handler_raise() and a nonzero return. Returns 0 on success. */
typedef int (*mm_consumer_fn)(void *ud, mm_handler *h, const mm_event *event);

typedef struct mm_consumer_def {
    const char *name;          /* e.g. "create_form"; also the default group id */
    const char *group_id;      /* NULL: the name */
    const char *const *topics; /* NULL-terminated; NULL: the service topic */
    const char *const *event_types; /* NULL-terminated; NULL: every type */
    int save_result;           /* nonzero: the last emitted event (or the
                                  exception event) is the event's stored result */
    mm_consumer_fn handle;
    void *ud;
} mm_consumer_def;

/* A GraphQL field resolver: returns a new reference (NULL is null). To fail,
 * call mm_resolve_error() and return NULL. parent and args are borrowed;
 * args is read-only (the calls of one field on the objects of a list share
 * one coercion of the arguments). */
typedef json_t *(*mm_resolve_fn)(void *ud, json_t *parent, json_t *args, mm_resolve_info *info);

/* Custom scalar coercion. Each returns a new reference, or NULL with *error
 * set to a static or thread-local message. parse_literal receives the literal
 * already converted to JSON (enum and variable references resolved). */
typedef struct mm_scalar_def {
    const char *name;
    json_t *(*serialize)(json_t *value, const char **error);
    json_t *(*parse_value)(json_t *value, const char **error);
} mm_scalar_def;

/* Runs in every worker process after fork, before it consumes. */
typedef int (*mm_post_fork_fn)(void *ud, mm_service *service);

mm_service *mm_service_new(const char *name);
void mm_service_free(mm_service *service);
const char *mm_service_name(const mm_service *service);

/* Adds SDL: types, events, and Query/Mutation fields (as `type Query {...}`
 * or `extend type Query {...}`; both merge). May be called repeatedly.
 *
 * Each mm_service_* call that fails logs why and returns an mm_error; return
 * NULL from metamorphosis_service() then and gregor repeats the reason. Names
 * that refer to SDL types (event_type, result_type, a consumer's
 * event_types) are checked when the service is loaded (gregor schema, serve,
 * worker, node): each must be an object type declared in the SDL of a loaded
 * service, or the load fails naming the service, the definition, the bad
 * name and the closest declared type. */
int mm_service_add_sdl(mm_service *service, const char *sdl);
int mm_service_add_mutation(mm_service *service, const mm_mutation_def *def);
int mm_service_add_consumer(mm_service *service, const mm_consumer_def *def);
int mm_service_add_resolver(mm_service *service, const char *type_name, const char *field_name,
                            mm_resolve_fn fn, void *ud);
int mm_service_add_scalar(mm_service *service, const mm_scalar_def *def);
int mm_service_set_post_fork(mm_service *service, mm_post_fork_fn fn, void *ud);

/* ---- inside callbacks ---------------------------------------------------- */

const char *mm_event_id(const mm_event *event);
const char *mm_event_type(const mm_event *event);
/* The event's fields (borrowed; valid during the call). */
json_t *mm_event_data(const mm_event *event);
/* A CloudEvents attribute by name: "source", "time", or an extension the
 * producer added ("subject", "traceparent", "partitionkey", ...). NULL when
 * absent (borrowed; valid during the call). */
const char *mm_event_attribute(const mm_event *event, const char *name);

/* Emits an event of type (an SDL object type name) with data (a JSON object;
 * the reference is taken) to topic (NULL: the consumer's service topic).
 * Published when the handler returns successfully, before its offset is
 * committed. Returns 0 or an mm_error. */
int mm_handler_emit(mm_handler *h, const char *topic, const char *type, json_t *data);

/* Records the handler's failure; the framework publishes an exception event
 * (namespace = the service name, class_name, message, code, data) on the
 * service topic and stores it as the result. data (may be NULL) is taken. */
void mm_handler_raise(mm_handler *h, const char *class_name, const char *code, json_t *data,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

mm_state *mm_handler_state(mm_handler *h);
mm_service *mm_handler_service(mm_handler *h);

/* Refuses a mutation with a GraphQL error carrying extensions {code}. */
void mm_mutation_fail(mm_mutation_call *call, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
mm_state *mm_mutation_state(mm_mutation_call *call);

/* Raises a GraphQL error from a resolver (extensions may be NULL; taken). */
void mm_resolve_error(mm_resolve_info *info, json_t *extensions, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
mm_state *mm_resolve_state(mm_resolve_info *info);

/* ---- application state in Redis ------------------------------------------
 * Values are JSON. Every key lives under mm:state:<service>:<key>, so
 * services sharing a Redis never collide. Each call returns 0 or a negative
 * mm_error; getters hand back a new reference. A handle may be shared by
 * threads (calls are serialized). docs/redis-keys.md has the layout. */

/* Sets key to value; ttl_seconds > 0 makes it expire. */
int mm_state_set(mm_state *s, const char *key, const json_t *value, int ttl_seconds);
/* Gets key: 0 and *value, or MM_ENOTFOUND. */
int mm_state_get(mm_state *s, const char *key, json_t **value);
/* Deletes key; 0 whether or not it existed. */
int mm_state_del(mm_state *s, const char *key);
int mm_state_hset(mm_state *s, const char *key, const char *field, const json_t *value);
/* One field of a hash: 0 and *value, or MM_ENOTFOUND. */
int mm_state_hget(mm_state *s, const char *key, const char *field, json_t **value);
/* Every field of a hash as a JSON object (empty when the key is missing). */
int mm_state_hgetall(mm_state *s, const char *key, json_t **object);
int mm_state_hdel(mm_state *s, const char *key, const char *field);
/* Appends to a list; *length (may be NULL) gets the new length. */
int mm_state_list_append(mm_state *s, const char *key, const json_t *value, long long *length);
/* Elements start..stop (inclusive; negative counts from the end) as a JSON array. */
int mm_state_list_range(mm_state *s, const char *key, long long start, long long stop,
                        json_t **array);
/* Adds by to the integer at key (created as 0); *value gets the result. */
int mm_state_incr(mm_state *s, const char *key, long long by, long long *value);
/* Text of the last failure on s. */
const char *mm_state_last_error(mm_state *s);


/* ======================================================================
 * Subscriptions (docs/subscriptions.md)
 *
 * A service declares fields of `type Subscription` in its SDL and binds each
 * to event types on topics (its own or another service's). Every `gregor
 * serve` process reads those topics from their end without a consumer group
 * (nothing is committed; every server sees every event), decodes each event
 * once and hands it to the matching subscriptions, which clients hold over
 * GraphQL over SSE (graphql-sse) or GraphQL over WebSocket
 * (graphql-transport-ws) on the GraphQL endpoint. For each event a
 * subscription's document is executed with the field's value being the
 * payload: the event's fields, or what the resolver returns.
 *
 * The framework field `eventResult(id: ID!): EventResult` is also a
 * subscription: it answers once the event's result is stored (at once if it
 * already is) and completes.
 *
 * Threads: filter and resolve run on the HTTP I/O thread that owns the
 * subscriber's connection, once per subscriber and event; keep them short
 * and do not block. connection_auth runs on the I/O thread of the WebSocket
 * connection. args and event are borrowed for the call.
 * ====================================================================== */

/* 1: deliver this event to the subscription with these (coerced) arguments;
 * 0: skip it. */
typedef int (*mm_subscription_filter_fn)(void *ud, json_t *args, const mm_event *event);
/* The value of the Subscription field for this event (a new reference; NULL
 * skips the event). */
typedef json_t *(*mm_subscription_resolve_fn)(void *ud, json_t *args, const mm_event *event);

typedef struct mm_subscription_def {
    const char *field;               /* a field of `type Subscription` in the SDL */
    const char *const *topics;       /* NULL-terminated; NULL: the service topic */
    const char *const *event_types;  /* NULL-terminated, at least one SDL object type */
    mm_subscription_filter_fn filter;   /* NULL: every event of those types */
    mm_subscription_resolve_fn resolve; /* NULL: the event's fields */
    void *ud;
} mm_subscription_def;

int mm_service_add_subscription(mm_service *service, const mm_subscription_def *def);

/* Authorizes a GraphQL-over-WebSocket connection from its connection_init
 * payload (NULL when none): 0 accepts, anything else refuses (the client is
 * closed with 4403 Forbidden). Every loaded service's callback must accept. */
typedef int (*mm_connection_auth_fn)(void *ud, json_t *payload);
int mm_service_set_connection_auth(mm_service *service, mm_connection_auth_fn fn, void *ud);

#ifdef __cplusplus
}
#endif
#endif /* METAMORPHOSIS_H */
