/* execute.h -- executing a validated GraphQL operation against a schema.
 *
 * The C counterpart of graphql-js 16's execution/execute.ts: operation
 * selection, variable coercion, field collection (@skip/@include,
 * fragments), argument coercion, resolvers, result coercion, abstract type
 * resolution, null propagation and errors with message, locations, path and
 * extensions, in graphql-js's order. A response is a JSON object
 * {"errors": [...], "data": ...}: "errors" only when there are some, and
 * first, as graphql-http serializes graphql-js's ExecutionResult; "data"
 * absent when the request failed before execution (no such operation, bad
 * variables). The executor writes the response as JSON text while it
 * completes values (json_writer.h), with no JSON tree in between;
 * mm_gql_execution_result() parses that text for callers that want a tree.
 *
 * DEFERRAL. A resolver of a ROOT field (query or mutation) may call
 * mm_gql_resolve_defer() and return NULL: the execution pauses, and
 * mm_gql_execution_run() returns MM_GQL_EXEC_PENDING. Another thread later
 * settles the deferred exactly once with mm_gql_deferred_resolve() or
 * mm_gql_deferred_reject(); that calls the wake callback given in the params
 * (only if the execution is waiting), and the owner of the execution calls
 * mm_gql_execution_run() again on its own thread, which completes that field
 * (its sub-selection runs there) and continues with the next root fields.
 * Root fields run one after the other, for queries as for mutations.
 *
 * Ownership of a deferred: it is reference counted. The resolver's side owns
 * one reference, which mm_gql_deferred_resolve/reject consume (so call exactly
 * one of them, exactly once, from any thread). The execution owns the other.
 * After mm_gql_execution_cancel() or mm_gql_execution_free() returns, the wake
 * callback is never called again (one running on another thread at that
 * moment is waited for), and settling the deferred is still safe (the value
 * is simply dropped). The wake callback runs on the settling thread, after
 * the outcome is stored and without internal locks held: it may signal
 * (resume an HTTP connection) or even run, read and free the execution right
 * there. The owner must not cancel/free while holding a lock that the wake
 * callback waits for.
 *
 * A deferral requested by a nested field is an error for that field (the
 * deferred is still valid and must still be settled). */
#ifndef MM_GRAPHQL_EXECUTE_H
#define MM_GRAPHQL_EXECUTE_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "graphql/language/ast.h"
#include "graphql/error/error.h"
#include "common/json_writer.h"
#include "graphql/type/schema.h"
#include "graphql/type/scalars.h"

typedef struct mm_gql_execution mm_gql_execution;
typedef struct mm_gql_deferred mm_gql_deferred;

/* One step of the response path, linked towards the root (graphql-js Path). */
typedef struct mm_gql_path {
    const struct mm_gql_path *prev; /* NULL at a root field */
    const char *key;                /* response key, or NULL for a list index */
    size_t index;
} mm_gql_path;

/* What a resolver knows about the field it resolves (graphql-js
 * GraphQLResolveInfo). Everything is borrowed and valid during the call. */
struct mm_gql_resolve_info {
    const char *field_name;    /* the schema field name (not the alias) */
    const mm_gql_field *field; /* its definition */
    mm_gql_type *return_type;
    mm_gql_type *parent_type;                   /* the object type owning the field */
    const mm_gql_path *path;                    /* path of this field in the response */
    const mm_gql_selection *const *field_nodes; /* merged field nodes, >= 1 */
    size_t field_node_count;
    const mm_gql_operation *operation;
    const mm_gql_document *document; /* fragments are its FRAGMENT definitions */
    json_t *variables;               /* coerced variable values (object) */
    json_t *root_value;              /* may be NULL */
    void *context;                   /* the caller's request context */
    mm_arena *arena;                 /* the request's arena: freed with the execution */
    mm_gql_schema *schema;

    /* private to the executor */
    mm_gql_execution *execution_;
    const char *error_message_;
    json_t *error_extensions_;
    mm_gql_deferred *deferred_;
};

/* Raises a field error from a resolver: the field's value becomes null (or
 * propagates to the nearest nullable parent) and the error carries message,
 * the field's locations and path, and extensions (a reference is STOLEN;
 * NULL for none). The resolver should then return NULL; anything it returns
 * is released. The first error raised for a field wins. */
void mm_gql_resolve_error(mm_gql_resolve_info *info, json_t *extensions, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Asks to complete this field later (see DEFERRAL above). Returns the
 * deferred to settle, or NULL when out of memory (the field then fails). */
mm_gql_deferred *mm_gql_resolve_defer(mm_gql_resolve_info *info);

/* Settles a deferred with the field's resolved value (a reference is STOLEN;
 * NULL means JSON null), from any thread, at most once per deferred. */
void mm_gql_deferred_resolve(mm_gql_deferred *deferred, json_t *value);

/* Settles a deferred with a field error (message copied; extensions reference
 * STOLEN, NULL for none), from any thread, at most once per deferred. */
void mm_gql_deferred_reject(mm_gql_deferred *deferred, json_t *extensions, const char *message);

typedef void (*mm_gql_wake_fn)(void *ud);

typedef struct mm_gql_execute_params {
    mm_gql_schema *schema;
    const mm_gql_document *document; /* validated; must outlive the execution */
    const char *operation_name;      /* NULL when not given */
    json_t *variables;               /* raw variables: JSON object or NULL (borrowed) */
    json_t *root_value;              /* borrowed; NULL for none */
    void *context;                   /* handed to resolvers as info->context */
    mm_gql_wake_fn wake;             /* called when a deferred settles; may be NULL */
    void *wake_ud;
    size_t max_variable_errors; /* 0: graphql-js's 50 */
    bool hide_suggestions;      /* no "Did you mean ...?" in variable errors */
    size_t max_depth;           /* object nesting of the response; 0: 200. Deeper
                                         objects are field errors (graphql-js has no such
                                         limit; it stops fragment-built runaway depth) */
    /* Bounds (see STOPPING below); 0 / NULL = none for each. */
    size_t max_response_bytes;      /* data text past this stops: RESPONSE_TOO_LARGE */
    uint64_t max_field_resolutions; /* fields resolved past this stop: FIELD_LIMIT_EXCEEDED */
    uint64_t timeout_ns;            /* time spent running (summed over runs, waits on a
                                         deferred excluded) past this stops: EXECUTION_TIMEOUT */
    const atomic_bool *cancel;      /* set from any thread: stops: EXECUTION_CANCELLED */
    size_t response_size_hint;      /* bytes the response text is expected to take (e.g. the
                                  last response to the same document): reserved at once
                                  instead of growing from 1 KiB; 0: none */
    const atomic_uint_least64_t *stop_at_ns; /* a CLOCK_MONOTONIC time shared by many
                                         executions (a server's shutdown deadline; 0 =
                                         none): past it they stop: SHUTTING_DOWN */
} mm_gql_execute_params;

/* STOPPING. A running execution checks its bounds between fields: a
 * counter per field resolved, the cancel flag per field, and every
 * MM_GQL_CHECK_INTERVAL fields and list items the clock, the shared stop
 * time and the response size. When one is passed it stops at once, without
 * resolving anything more: "data" is null and the last error says why,
 * {"message": ..., "extensions": {"code": <one of the codes below>}}.
 * Field errors recorded before are kept. A resolver that works for long can
 * ask mm_gql_resolve_should_stop() and return early. */
#define MM_GQL_CHECK_INTERVAL 64

typedef enum mm_gql_stop_reason {
    MM_GQL_STOP_NONE = 0,
    MM_GQL_STOP_CANCELLED,          /* "EXECUTION_CANCELLED" (also mm_gql_execution_cancel) */
    MM_GQL_STOP_TIMEOUT,            /* "EXECUTION_TIMEOUT" */
    MM_GQL_STOP_RESPONSE_TOO_LARGE, /* "RESPONSE_TOO_LARGE" */
    MM_GQL_STOP_FIELD_LIMIT,        /* "FIELD_LIMIT_EXCEEDED" */
    MM_GQL_STOP_SHUTDOWN,           /* "SHUTTING_DOWN" */
} mm_gql_stop_reason;

/* Why the execution stopped early (MM_GQL_STOP_NONE when it did not). */
mm_gql_stop_reason mm_gql_execution_stop_reason(const mm_gql_execution *ex);

/* The extensions code of a stop reason ("EXECUTION_TIMEOUT", ...); NULL for NONE. */
const char *mm_gql_stop_reason_code(mm_gql_stop_reason reason);

/* Fields resolved so far (each field of each object once, __typename included). */
uint64_t mm_gql_execution_resolved_fields(const mm_gql_execution *ex);

/* For a resolver that does much work (a long loop, a slow fetch): true when
 * the execution was cancelled or passed its deadline or the shared stop
 * time, so the resolver should return at once (whatever it returns is
 * dropped: the execution stops as soon as it returns). Reads the clock. */
bool mm_gql_resolve_should_stop(const mm_gql_resolve_info *info);

typedef enum mm_gql_exec_status {
    MM_GQL_EXEC_DONE = 0,    /* the result is ready */
    MM_GQL_EXEC_PENDING = 1, /* waiting for a deferred; run again after the wake */
    MM_GQL_EXEC_ERROR = -1,  /* out of memory */
} mm_gql_exec_status;

/* Prepares an execution: selects the operation and coerces the variables
 * (failures there make a result without "data"). NULL only when out of memory.
 * Nothing is resolved until mm_gql_execution_run(). */
mm_gql_execution *mm_gql_execute_start(const mm_gql_execute_params *params);

/* Runs as far as possible: DONE, or PENDING while a deferred is unsettled. */
mm_gql_exec_status mm_gql_execution_run(mm_gql_execution *ex);

/* The response text once run returned DONE (borrowed: valid until the
 * execution is freed or the text taken), its length in *len (may be NULL);
 * NULL before, or when out of memory. */
const char *mm_gql_execution_result_text(const mm_gql_execution *ex, size_t *len);

/* The response text, now the caller's (free() it); the execution no longer
 * has it afterwards. NULL as for mm_gql_execution_result_text. */
char *mm_gql_execution_take_result_text(mm_gql_execution *ex, size_t *len);

/* The response as a JSON tree (a new reference, parsed from the text) once
 * run returned DONE; NULL before, when out of memory or after a take. */
json_t *mm_gql_execution_result(mm_gql_execution *ex);

/* Whether the response has "errors" (valid once run returned DONE). */
bool mm_gql_execution_has_errors(const mm_gql_execution *ex);

/* Whether the request failed before execution (operation selection or
 * variables): the result then has "errors" and no "data". */
bool mm_gql_execution_is_request_error(const mm_gql_execution *ex);

/* The operation that was selected; NULL when selection failed. */
const mm_gql_operation *mm_gql_execution_operation(const mm_gql_execution *ex);

/* Abandons the execution (request timed out or client went away): no wake is
 * called after this returns; a later run() returns DONE at once with a
 * result whose data is null and whose last error is "Execution was cancelled.".
 * Call it from the owner's side, never while run() is executing. */
void mm_gql_execution_cancel(mm_gql_execution *ex);

/* Frees the execution (cancelling it first if needed). */
void mm_gql_execution_free(mm_gql_execution *ex);

/* Executes to completion on the calling thread. A deferred root field is
 * waited for, blocking this thread until another thread settles it (params'
 * wake is not used). Returns the response, a new reference, or NULL when out
 * of memory. */
json_t *mm_gql_execute(const mm_gql_execute_params *params);

/* mm_gql_execute, keeping the response as the text the executor wrote
 * (malloc'd; the caller frees it), its length in *len (may be NULL). */
char *mm_gql_execute_text(const mm_gql_execute_params *params, size_t *len);

/* graphql-js getOperationAST: the operation named name, or the only
 * operation when name is NULL; NULL when absent or ambiguous. */
const mm_gql_operation *mm_gql_get_operation(const mm_gql_document *doc, const char *name);

/* ---- private to the executor (execute.c, collect_fields.c, complete_value.c) ---- */
#ifdef MM_GQL_EXECUTOR_INTERNAL

/* The field nodes sharing one response key (graphql-js's fields map entry). */
typedef struct mm_gql_field_group {
    const char *response_key;
    size_t response_key_len;
    size_t name_len; /* strlen of the field's name, once its definition was looked up; else 0 */
    const mm_gql_selection **nodes;
    size_t count, cap;
} mm_gql_field_group;

/* An ordered map response key -> field nodes, in selection order. */
typedef struct mm_gql_field_groups {
    mm_gql_field_group *items;
    size_t count, cap;
    size_t *index;    /* open-addressing table of item positions + 1, once count is large */
    size_t index_cap; /* power of two, or 0 */
    const mm_gql_field **defs; /* per item, its field definition on the runtime type
                                  collected for (NULL: unknown field), or NULL if not looked up */
    json_t **args;             /* per item, its coerced arguments once computed (owned), or
                                  NULL without memory; with defs, fixed for the execution */
} mm_gql_field_groups;

/* Status of executing/completing a field. Values are written to ex->out;
 * on NULL_UP whatever the failed value wrote is left there, and the caller
 * that absorbs the null cuts the text back to its mark and writes null. */
#define MM_GQL_FIELD_OK       0    /* the value was written */
#define MM_GQL_FIELD_NULL_UP  (-1) /* error recorded; null propagates to the parent */
#define MM_GQL_FIELD_DEFERRED 1    /* root field paused on a deferred (nothing written) */
#define MM_GQL_FIELD_STOPPED  (-2) /* a bound was passed (ex->stop): unwind to the root */

/* The slow part of the bounds check made per field and per list item
 * (STOPPING above; the fast part is mm_gql_exec_should_stop below): the
 * field budget, the clock, the shared stop time and the response size.
 * Returns true once the execution must stop (ex->stop set). */
bool mm_gql_exec_check_slow(mm_gql_execution *ex);

/* graphql-js collectFields / collectSubfields. Returns 0, or -1 after setting
 * *message and *loc (a @skip/@include argument could not be coerced). */
int mm_gql_collect_fields(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                          const mm_gql_selection_set *set, mm_gql_field_groups *out,
                          const char **message, mm_gql_loc *loc);
int mm_gql_collect_subfields(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                             const mm_gql_field_group *group, mm_gql_field_groups *out,
                             const char **message, mm_gql_loc *loc);
/* mm_gql_collect_subfields memoized per (runtime_type, group) for the whole
 * execution (graphql-js memoizes collectSubfields the same way): the result
 * depends only on them, the document and the variables, which do not change
 * while an execution runs. *out points into the execution's arena. */
int mm_gql_collect_subfields_memo(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                                  const mm_gql_field_group *group, const mm_gql_field_groups **out,
                                  const char **message, mm_gql_loc *loc);

/* Releases the arguments memoized in the collections (execution_free). */
void mm_gql_release_memoized_args(mm_gql_execution *ex);

/* Records a field error located at loc (when non-NULL) or at the group's
 * nodes, with the response path and extensions (stolen). */
void mm_gql_exec_field_error(mm_gql_execution *ex, const mm_gql_field_group *group,
                             const mm_gql_loc *loc, const mm_gql_path *path, json_t *extensions,
                             const char *message);

/* graphql-js executeFields: writes the object of the group's sub-fields. */
int mm_gql_execute_fields(mm_gql_execution *ex, mm_gql_type *parent_type, json_t *source,
                          const mm_gql_path *path, const mm_gql_field_groups *fields);

/* The common leaves written without calling serialize (which would hand
 * back the same value, or a new jansson integer to be written and freed):
 * a String or ID holding a string, an Int holding a 32-bit integer, a
 * Boolean holding a boolean, an enum holding one of its values' names.
 * Returns false (nothing written) for anything else: serialize decides.
 * Inline: it runs for every leaf of a response. */
static inline bool mm_gql_put_builtin_leaf(mm_json_writer *out, const mm_gql_type *type,
                                           const json_t *v) {
    mm_gql_scalar_serialize_fn serialize = type->serialize;
    if (type->kind == MM_GQL_SCALAR &&
        (serialize == mm_gql_string_serialize || serialize == mm_gql_id_serialize)) {
        if (!json_is_string(v)) return false;
        mm_json_put_string(out, json_string_value(v), json_string_length(v));
        return true;
    }
    if (type->kind == MM_GQL_ENUM) { /* the value's name, as the schema spells it */
        const mm_gql_enum_value *ev =
            json_is_string(v) ? mm_gql_type_find_enum_value(type, json_string_value(v)) : NULL;
        if (!ev) return false; /* serialize says why */
        mm_json_put_string(out, ev->name, strlen(ev->name));
        return true;
    }
    if (serialize == mm_gql_int_serialize) {
        if (!json_is_integer(v)) return false;
        json_int_t i = json_integer_value(v);
        if (i > 2147483647 || i < -2147483648LL) return false; /* serialize says why */
        mm_json_put_integer(out, i);
        return true;
    }
    if (serialize == mm_gql_boolean_serialize && json_is_boolean(v)) {
        if (json_is_true(v))
            mm_json_put(out, "true", 4);
        else
            mm_json_put(out, "false", 5);
        return true;
    }
    return false;
}

/* graphql-js completeValue: writes the completed value; result is BORROWED
 * (the caller keeps it alive until this returns: a list or object holds its
 * items, so completing them takes no reference counts). */
int mm_gql_complete_value(mm_gql_execution *ex, mm_gql_type *return_type,
                          const mm_gql_field_group *group, mm_gql_resolve_info *info,
                          const mm_gql_path *path, json_t *result);

#include <pthread.h>

struct mm_gql_execution {
    mm_arena arena; /* everything of this request */
    mm_gql_schema *schema;
    const mm_gql_document *document;
    const mm_gql_operation *operation;
    json_t *variables;  /* coerced (owned) */
    json_t *root_value; /* borrowed */
    void *context;
    mm_gql_errors errors;
    mm_gql_wake_fn wake;
    void *wake_ud;
    size_t depth, max_depth; /* object nesting being completed, and its limit */
    bool started;            /* root fields collected */
    bool finished;           /* result built */
    bool request_error;      /* failed before execution: no data */
    bool cancelled;
    bool data_null; /* a non-null root field failed */
    mm_gql_type *root_type;
    mm_gql_field_groups root_fields;
    size_t next_root;         /* index of the next root field to run */
    size_t root_written;      /* root fields written into data so far */
    mm_json_writer out;       /* the response text: {"data": then data as it completes */
    size_t data_start;        /* where data begins in out */
    mm_gql_deferred *pending; /* the deferred the next root field waits on */
    mm_gql_path pending_path;
    const mm_gql_field *pending_field;
    mm_gql_resolve_info pending_info;
    char *result_text; /* the finished response (NULL before, or when out of memory) */
    size_t result_len;
    struct mm_gql_subfields_memo *subfields_memo; /* open-addressing table (collect_fields.c) */
    /* bounds (STOPPING): see mm_gql_exec_should_stop. Two countdowns to the
     * next slow check, so the per-field cost is a decrement and a flag load. */
    uint64_t fields_left;                    /* fields until the next slow check (>= 1) */
    uint64_t fields_chunk;                   /* what fields_left was set to */
    uint64_t items_left;                     /* list items until the next slow check */
    uint64_t resolved;                       /* fields resolved before the current chunk */
    uint64_t max_resolved;                   /* UINT64_MAX when unlimited */
    uint64_t timeout_ns;                     /* 0: none */
    uint64_t run_started_ns;                 /* when this run began (0: none running) */
    uint64_t ran_ns;                         /* running time of the previous runs */
    const atomic_bool *cancel;               /* never NULL (a static false when not given) */
    const atomic_uint_least64_t *stop_at_ns; /* NULL: none */
    size_t error_bytes;                      /* rough size of the field errors' text */
    mm_gql_stop_reason stop;
    size_t subfields_memo_count, subfields_memo_cap;
    json_t *no_args; /* the empty arguments object of fields without arguments */
};

/* Per field, before resolving it (it counts as resolved). */
static inline bool mm_gql_exec_should_stop(mm_gql_execution *ex) {
    if (--ex->fields_left == 0 || atomic_load_explicit(ex->cancel, memory_order_relaxed))
        return mm_gql_exec_check_slow(ex);
    return false;
}

/* Per list item, before completing it (not a field: the budget is not charged). */
static inline bool mm_gql_exec_item_should_stop(mm_gql_execution *ex) {
    return --ex->items_left == 0 && mm_gql_exec_check_slow(ex);
}

#endif

#endif
