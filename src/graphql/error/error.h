/* error.h -- GraphQL errors as the response "errors" list carries them.
 *
 * The parser, the validator and the executor all report through this one
 * type so the HTTP layer serializes them the same way: message, locations,
 * path and extensions, in the order graphql-js emits those keys. Errors live
 * in the request's arena; only the optional extensions object is a counted
 * jansson reference, released by mm_gql_errors_release(). */
#ifndef MM_GRAPHQL_ERROR_H
#define MM_GRAPHQL_ERROR_H

#include <jansson.h>
#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"

/* One step of a response path: an object key, or a list index when key is NULL. */
typedef struct mm_gql_path_segment {
    const char *key;
    size_t index;
} mm_gql_path_segment;

/* Where an error was raised, as it is classified in metrics and HTTP status
 * decisions (a syntax or validation error means the request was invalid). */
typedef enum mm_gql_error_kind {
    MM_GQL_ERROR_SYNTAX,
    MM_GQL_ERROR_VALIDATION,
    MM_GQL_ERROR_LIMIT,     /* a configured size/depth/token/alias limit */
    MM_GQL_ERROR_REQUEST,   /* bad operationName, bad variables, ... */
    MM_GQL_ERROR_EXECUTION, /* raised by a resolver or by coercion of results */
} mm_gql_error_kind;

typedef struct mm_gql_error mm_gql_error;
struct mm_gql_error {
    mm_gql_error_kind kind;
    const char *message;
    mm_gql_loc *locations;
    size_t location_count;
    mm_gql_path_segment *path; /* NULL when the error has no path */
    size_t path_length;
    json_t *extensions; /* owned reference or NULL */
    mm_gql_error *next;
};

typedef struct mm_gql_errors {
    mm_arena *arena;
    mm_gql_error *head;
    mm_gql_error *tail;
    size_t count;
} mm_gql_errors;

void mm_gql_errors_init(mm_gql_errors *errors, mm_arena *arena);

/* Appends an error with a printf-formatted message and up to location_count
 * locations (copied). Returns the error so callers can add a path or
 * extensions, or NULL when out of memory. */
mm_gql_error *mm_gql_errors_add(mm_gql_errors *errors, mm_gql_error_kind kind,
                                const mm_gql_loc *locations, size_t location_count, const char *fmt,
                                ...) __attribute__((format(printf, 5, 6)));

/* Copies a path into the error (arena memory). Returns 0 or MM_ENOMEM. */
int mm_gql_error_set_path(mm_gql_errors *errors, mm_gql_error *error,
                          const mm_gql_path_segment *path, size_t path_length);

/* The errors as a JSON array of {message, locations, path, extensions}; a new reference. */
json_t *mm_gql_errors_to_json(const mm_gql_errors *errors);

/* Releases the extensions references; the rest goes with the arena. */
void mm_gql_errors_release(mm_gql_errors *errors);

#endif
