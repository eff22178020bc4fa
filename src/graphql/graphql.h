/* graphql.h -- the GraphQL engine facade: one request from text to response.
 *
 * parse -> validate -> select the operation -> execute (pausable), the way
 * graphql-http drives graphql-js, with limits, timings and an outcome that
 * tells the HTTP layer which status code to answer with. This is what the
 * HTTP server and the services call; the parts (parser.h, validate.h,
 * execute.h) stay available for tests and tools.
 *
 * Lifecycle of a request that may wait (synchronous event mutations):
 *
 *   req = mm_graphql_request_start(schema, &opts, &params);
 *   switch (mm_graphql_request_outcome(req)) {
 *   case MM_GRAPHQL_PENDING:   keep req; params.wake(ud) fires later from
 *                              some thread; then, on your own thread:
 *                              mm_graphql_request_run(req) (again PENDING or final)
 *   default:                   body = mm_graphql_request_response(req)
 *   }
 *   mm_graphql_request_free(req);   (cancels a pending one first)
 *
 * On a deadline call mm_graphql_request_cancel(req): no wake after it returns
 * (see execute.h for the wake callback's rules). A request object is used by
 * one thread at a time; many requests may run at once on one schema. */
#ifndef MM_GRAPHQL_GRAPHQL_H
#define MM_GRAPHQL_GRAPHQL_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

/* A cache of parsed and validated documents keyed by (schema, query text),
 * least recently used first out. Thread-safe; share one per server. Only
 * documents that parsed and validated are kept, so a hit skips both steps;
 * parse limits, validation options and max_cost must be the same for every
 * request that uses one cache.
 *
 * Bounded twice: by count and by bytes. A document's bytes are what it
 * holds from malloc: its text, the arena blocks of its AST (as reserved,
 * not as used) and its entry. Inserting evicts the least recently used until
 * both bounds hold; a document larger than the whole byte budget is used by
 * its request and not kept. An evicted document still in use by a request
 * is freed when that request is. */
typedef struct mm_graphql_cache mm_graphql_cache;

/* The byte budget of mm_graphql_cache_new. */
#define MM_GRAPHQL_CACHE_DEFAULT_BYTES ((size_t)32 * 1024 * 1024)

/* capacity: documents kept (>= 1), max_bytes: their bytes (0: the default).
 * NULL when out of memory. */
mm_graphql_cache *mm_graphql_cache_new_bounded(size_t capacity, size_t max_bytes);
/* mm_graphql_cache_new_bounded(capacity, MM_GRAPHQL_CACHE_DEFAULT_BYTES). */
mm_graphql_cache *mm_graphql_cache_new(size_t capacity);
/* Frees the cache; requests still holding a document keep it alive. */
void mm_graphql_cache_free(mm_graphql_cache *cache);
void mm_graphql_cache_stats(mm_graphql_cache *cache, uint64_t *hits, uint64_t *misses,
                            size_t *size);
/* Bytes the kept documents hold, and how many were evicted so far (either may be NULL). */
void mm_graphql_cache_usage(mm_graphql_cache *cache, size_t *bytes, uint64_t *evictions);

typedef struct mm_graphql_options {
    mm_gql_parse_limits parse;    /* document bytes, tokens, depth (0 = unlimited each) */
    size_t max_validation_errors; /* 0: graphql-js's 100 */
    size_t max_aliases;           /* aliased fields per document; 0 = unlimited */
    size_t max_variable_errors;   /* 0: graphql-js's 50 */
    size_t max_depth;             /* response object nesting; 0: the executor's 200 */
    bool hide_suggestions;        /* no "Did you mean ...?" (validation and variables) */
    mm_graphql_cache *cache;      /* NULL: parse and validate every request */
    /* Bounded requests (docs/graphql.md "Bounded requests"); 0 = unlimited each. */
    size_t max_cost;                /* fields the operation selects, fragments expanded
                                      (cost.h): more is refused before execution,
                                      a VALIDATION_ERROR with code COST_LIMIT_EXCEEDED */
    uint64_t max_field_resolutions; /* fields resolved at run time: more stops the
                                      execution (FIELD_LIMIT_EXCEEDED) */
    size_t max_response_bytes;      /* response data text: more stops it (RESPONSE_TOO_LARGE) */
    unsigned execution_timeout_ms;  /* time executing (waits on a deferred excluded): more
                                      stops it (EXECUTION_TIMEOUT) */
    const atomic_uint_least64_t *stop_at_ns; /* shared by every request (a server's
                                      shutdown): once this CLOCK_MONOTONIC time (ns, 0 =
                                      none) passes, running executions stop (SHUTTING_DOWN).
                                      NULL: none. Must outlive the requests. */
} mm_graphql_options;

/* The defaults: parser.h's default limits, 100 validation errors, at most
 * 1000 aliases, 50 variable errors, suggestions shown, no cache; and the
 * bounds below (docs/configuration.md, graphql.*). */
#define MM_GRAPHQL_DEFAULT_MAX_COST              5000
#define MM_GRAPHQL_DEFAULT_MAX_FIELD_RESOLUTIONS 1000000
#define MM_GRAPHQL_DEFAULT_MAX_RESPONSE_BYTES    ((size_t)32 * 1024 * 1024)
#define MM_GRAPHQL_DEFAULT_EXECUTION_TIMEOUT_MS  10000
void mm_graphql_options_init(mm_graphql_options *opts);

/* What happened, for the HTTP status (values match mm_http_outcome's meaning). */
typedef enum mm_graphql_outcome {
    MM_GRAPHQL_EXECUTED = 0,      /* ran; response has "data" (maybe with field errors) */
    MM_GRAPHQL_PENDING,           /* waiting for a deferred root field: run again after wake */
    MM_GRAPHQL_PARSE_ERROR,       /* syntax error or parse limit; {"errors":[...]} */
    MM_GRAPHQL_VALIDATION_ERROR,  /* validation errors (incl. the alias limit) */
    MM_GRAPHQL_VARIABLES_ERROR,   /* variable values could not be coerced */
    MM_GRAPHQL_OPERATION_ERROR,   /* operationName missing/unknown, or a subscription */
    MM_GRAPHQL_MUTATION_OVER_GET, /* a mutation where allow_mutation was false (GET): 405 */
    MM_GRAPHQL_INTERNAL_ERROR,    /* out of memory */
} mm_graphql_outcome;

typedef struct mm_graphql_request_params {
    const char *query; /* the document text (copied) */
    size_t query_length;
    json_t *variables;          /* JSON object or NULL (borrowed, used during start) */
    const char *operation_name; /* NULL when absent */
    void *context;              /* handed to resolvers as info->context */
    json_t *root_value;         /* borrowed for the request's life; NULL for none */
    bool allow_mutation;        /* false for GET requests */
    bool allow_subscription;    /* run a subscription operation once (its root field
                                      resolved from root_value: one event of the source
                                      stream); false: refused as over plain HTTP */
    mm_gql_wake_fn wake;        /* see execute.h; NULL if nothing ever defers */
    void *wake_ud;
    const atomic_bool *cancel; /* NULL, or a flag any thread may set (client gone,
                                      request deadline): the execution stops at its next
                                      field with EXECUTION_CANCELLED. Must outlive the
                                      request. */
} mm_graphql_request_params;

typedef struct mm_graphql_request mm_graphql_request;

/* Parses, validates and starts executing. NULL only when out of memory.
 * schema must outlive the request; opts may be NULL (defaults). */
mm_graphql_request *mm_graphql_request_start(mm_gql_schema *schema, const mm_graphql_options *opts,
                                             const mm_graphql_request_params *params);

/* Continues a PENDING request after its wake; returns the new outcome. */
mm_graphql_outcome mm_graphql_request_run(mm_graphql_request *req);

mm_graphql_outcome mm_graphql_request_outcome(const mm_graphql_request *req);

/* The response object (new reference) once the outcome is not PENDING:
 * {"errors":[...]} and/or {"data":...}, errors first as graphql-http writes them. */
json_t *mm_graphql_request_response(mm_graphql_request *req);

/* The response as JSON text (malloc'd; the caller frees it) once the
 * outcome is not PENDING, its length in *len (may be NULL). This is what
 * the HTTP server sends: the executor wrote it directly, with no JSON tree.
 * Take it once, instead of mm_graphql_request_response (which needs the
 * text); NULL when out of memory. */
char *mm_graphql_request_take_response_text(mm_graphql_request *req, size_t *len);

/* Whether the response has "errors" (once the outcome is not PENDING). */
bool mm_graphql_request_has_errors(const mm_graphql_request *req);

/* Whether the selected operation is a mutation (false when none was selected). */
bool mm_graphql_request_is_mutation(const mm_graphql_request *req);

/* Nanoseconds spent parsing, validating and executing (execution summed
 * over runs); parse and validate are 0 on a cache hit. */
void mm_graphql_request_timings(const mm_graphql_request *req, uint64_t *parse_ns,
                                uint64_t *validate_ns, uint64_t *execute_ns);

/* Why the execution stopped early (execute.h STOPPING), or MM_GQL_STOP_NONE. */
mm_gql_stop_reason mm_graphql_request_stop_reason(const mm_graphql_request *req);

/* Abandons a pending request (deadline, shutdown, client gone); owner side.
 * A request running on another thread is stopped through params.cancel. */
void mm_graphql_request_cancel(mm_graphql_request *req);

void mm_graphql_request_free(mm_graphql_request *req);

/* One request start to finish on this thread (a deferred root field is
 * waited for, blocking). Returns the response (new reference) and sets
 * *outcome (may be NULL); NULL only when out of memory. */
json_t *mm_graphql_execute_request(mm_gql_schema *schema, const mm_graphql_options *opts,
                                   const mm_graphql_request_params *params,
                                   mm_graphql_outcome *outcome);

/* The outcome's name for logs and metrics ("executed", "parse_error", ...). */
const char *mm_graphql_outcome_name(mm_graphql_outcome outcome);

#endif
