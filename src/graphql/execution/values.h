/* values.h -- input values for execution: variables, arguments and literals.
 *
 * The C counterparts of graphql-js 16's execution/values.ts (getVariableValues,
 * getArgumentValues, getDirectiveValues) and utilities/coerceInputValue.ts,
 * valueFromAST.ts, with the same messages.
 *
 * Values are jansson json_t. JavaScript's "undefined" (a missing variable, an
 * invalid literal) is a C NULL; JSON null is json_null(). Every json_t
 * returned is a new reference. */
#ifndef MM_GRAPHQL_VALUES_H
#define MM_GRAPHQL_VALUES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"
#include "graphql/error/error.h"
#include "graphql/type/schema.h"

/* graphql-js valueFromAST: the value of a literal of the given input type, or
 * NULL when the literal is invalid for it. variables (coerced, may be NULL)
 * resolve $variables; a variable absent from it counts as missing. */
json_t *mm_gql_value_from_ast(const mm_gql_value *node, const mm_gql_type *type, json_t *variables,
                              mm_arena *arena);

/* Called once per problem found by mm_gql_coerce_input_value: where inside the
 * value (path, may be empty), the offending value and the message. */
typedef void (*mm_gql_coerce_error_fn)(void *ud, const mm_gql_path_segment *path,
                                       size_t path_length, json_t *invalid_value,
                                       const char *message);

/* graphql-js coerceInputValue: an external (JSON) value coerced to an input
 * type. Reports every problem through on_error and then returns NULL. */
json_t *mm_gql_coerce_input_value(json_t *input, const mm_gql_type *type, mm_arena *arena,
                                  mm_gql_coerce_error_fn on_error, void *ud);

/* The same, leaving "Did you mean ...?" out of messages when hide_suggestions
 * (graphql-js 16.15's hideSuggestions). */
json_t *mm_gql_coerce_input_value_ex(json_t *input, const mm_gql_type *type, mm_arena *arena,
                                     bool hide_suggestions, mm_gql_coerce_error_fn on_error,
                                     void *ud);

/* graphql-js getVariableValues (maxErrors as given; graphql-js execute uses
 * 50): coerces the raw variables (a JSON object or NULL) for an operation's
 * variable definitions. Returns the coerced object (new reference), or NULL
 * after appending the errors (kind MM_GQL_ERROR_REQUEST) to errors. */
json_t *mm_gql_coerce_variable_values(mm_gql_schema *schema, const mm_gql_operation *operation,
                                      json_t *inputs, size_t max_errors, bool hide_suggestions,
                                      mm_gql_errors *errors);

/* graphql-js getArgumentValues: coerced arguments (a new JSON object) for the
 * argument definitions given the argument nodes written. On failure returns
 * NULL and sets *message and *loc (the node to blame) to describe the one error. */
json_t *mm_gql_get_argument_values(const mm_gql_input_value *defs, size_t def_count,
                                   const mm_gql_argument *nodes, size_t node_count,
                                   mm_gql_loc node_loc, json_t *variables, mm_arena *arena,
                                   const char **message, mm_gql_loc *loc);

/* graphql-js didYouMean(suggestionList(input, options)) with the given
 * sub-message ("the enum value" or NULL): "" or " Did you mean ...?". */
const char *mm_gql_values_did_you_mean(const char *sub_message, const char *input,
                                       const char *const *options, size_t option_count,
                                       mm_arena *arena);

/* Enum coercion as graphql-js's GraphQLEnumType (values are their names). */
json_t *mm_gql_enum_serialize(const mm_gql_type *type, json_t *value, mm_arena *arena,
                              const char **error);
json_t *mm_gql_enum_parse_value(const mm_gql_type *type, json_t *value, bool hide_suggestions,
                                mm_arena *arena, const char **error);

#endif
