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
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

/* A cache of parsed and validated documents keyed by (schema, query text),
 * least recently used first out. Thread-safe; share one per server. Only
 * documents that parsed and validated are kept, so a hit skips both steps;
 * parse limits and validation options must be the same for every request
 * that uses one cache. */
typedef struct mm_graphql_cache mm_graphql_cache;

/* capacity: documents kept (>= 1). NULL when out of memory. */
mm_graphql_cache *mm_graphql_cache_new(size_t capacity);
/* Frees the cache; requests still holding a document keep it alive. */
void mm_graphql_cache_free(mm_graphql_cache *cache);
void mm_graphql_cache_stats(mm_graphql_cache *cache, uint64_t *hits, uint64_t *misses, size_t *size);

typedef struct mm_graphql_options {
    mm_gql_parse_limits parse;     /* document bytes, tokens, depth (0 = unlimited each) */
    size_t max_validation_errors;  /* 0: graphql-js's 100 */
    size_t max_aliases;            /* aliased fields per document; 0 = unlimited */
    size_t max_variable_errors;    /* 0: graphql-js's 50 */
    size_t max_depth;              /* response object nesting; 0: the executor's 200 */
    bool hide_suggestions;         /* no "Did you mean ...?" (validation and variables) */
    mm_graphql_cache *cache;       /* NULL: parse and validate every request */
} mm_graphql_options;

/* The defaults: parser.h's default limits, 100 validation errors, at most
 * 1000 aliases, 50 variable errors, suggestions shown, no cache. */
void mm_graphql_options_init(mm_graphql_options *opts);

/* What happened, for the HTTP status (values match mm_http_outcome's meaning). */
typedef enum mm_graphql_outcome {
    MM_GRAPHQL_EXECUTED = 0,       /* ran; response has "data" (maybe with field errors) */
    MM_GRAPHQL_PENDING,            /* waiting for a deferred root field: run again after wake */
    MM_GRAPHQL_PARSE_ERROR,        /* syntax error or parse limit; {"errors":[...]} */
    MM_GRAPHQL_VALIDATION_ERROR,   /* validation errors (incl. the alias limit) */
    MM_GRAPHQL_VARIABLES_ERROR,    /* variable values could not be coerced */
    MM_GRAPHQL_OPERATION_ERROR,    /* operationName missing/unknown, or a subscription */
    MM_GRAPHQL_MUTATION_OVER_GET,  /* a mutation where allow_mutation was false (GET): 405 */
    MM_GRAPHQL_INTERNAL_ERROR,     /* out of memory */
} mm_graphql_outcome;

typedef struct mm_graphql_request_params {
    const char *query;             /* the document text (copied) */
    size_t query_length;
    json_t *variables;             /* JSON object or NULL (borrowed, used during start) */
    const char *operation_name;    /* NULL when absent */
    void *context;                 /* handed to resolvers as info->context */
    json_t *root_value;            /* borrowed for the request's life; NULL for none */
    bool allow_mutation;           /* false for GET requests */
    mm_gql_wake_fn wake;           /* see execute.h; NULL if nothing ever defers */
    void *wake_ud;
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

/* Abandons a pending request (deadline, shutdown, client gone). */
void mm_graphql_request_cancel(mm_graphql_request *req);

void mm_graphql_request_free(mm_graphql_request *req);

/* One request start to finish on this thread (a deferred root field is
 * waited for, blocking). Returns the response (new reference) and sets
 * *outcome (may be NULL); NULL only when out of memory. */
json_t *mm_graphql_execute_request(mm_gql_schema *schema, const mm_graphql_options *opts,
                                   const mm_graphql_request_params *params,
                                   mm_graphql_outcome *outcome);

/* ---- asynchronous requests: the safe way to serve deferring requests ----
 *
 * mm_graphql_async_start() runs a request and calls done exactly once with
 * the final outcome and response (a reference the callback owns): before
 * mm_graphql_async_start returns when nothing waited, otherwise on the thread
 * that settled the deferred (resuming after each settlement until the request
 * finishes). The owner holds the returned handle and must release it with
 * mm_graphql_async_abandon() exactly once, whether or not done was called:
 *
 *   - while waiting: the execution is cancelled and done is never called;
 *   - while running on another thread: done is called if that run finishes
 *     the request, otherwise the request is cancelled there and done is not;
 *   - after done: it only releases the handle.
 * So ud must stay valid until abandon returns or done returns, whichever is
 * later (with an mm_http_responder as ud that holds: it is reference counted).
 *
 * Races between a settlement and the abandon (a request deadline) are
 * resolved inside; the handle is freed when both sides let go. The handle
 * is NULL only when out of memory (done is then not called). */
typedef struct mm_graphql_async mm_graphql_async;
typedef void (*mm_graphql_done_fn)(void *ud, mm_graphql_outcome outcome, json_t *response,
                                   const mm_graphql_request *req);

/* params->wake and wake_ud are ignored (the async machinery uses them). */
mm_graphql_async *mm_graphql_async_start(mm_gql_schema *schema, const mm_graphql_options *opts,
                                         const mm_graphql_request_params *params,
                                         mm_graphql_done_fn done, void *ud);
void mm_graphql_async_abandon(mm_graphql_async *async);

/* The outcome's name for logs and metrics ("executed", "parse_error", ...). */
const char *mm_graphql_outcome_name(mm_graphql_outcome outcome);

#endif
