/* scalars.h -- the built-in scalars Int, Float, String, Boolean and ID
 * (graphql-js type/scalars), the identity coercion of custom scalars, and
 * graphql-js's way of showing a value in a message.
 *
 * Every schema binds these to its scalar types when it is built (custom
 * scalars get the identity functions, whose parse_literal is graphql-js's
 * valueFromASTUntyped); mm_gql_schema_set_scalar() may replace them. Error
 * messages are graphql-js 16's, word for word, e.g.
 * "Int cannot represent non-integer value: 1.5". */
#ifndef MM_GRAPHQL_SCALARS_H
#define MM_GRAPHQL_SCALARS_H

#include <jansson.h>

#include "common/arena.h"
#include "common/js_number.h" /* mm_js_number_string, used with the scalars */
#include "graphql/language/ast.h"

/* graphql-js inspect(): strings as JSON, numbers as JavaScript prints them,
 * objects as "{ a: 1 }", arrays as "[1, 2]" (10 items at most), nesting
 * beyond two levels as "[Object]" / "[Array]"; NULL value prints "undefined".
 * The result is in arena. */
const char *mm_gql_inspect(json_t *value, mm_arena *arena);

/* graphql-js print() of a value literal (printForError), in arena. */
const char *mm_gql_print_literal(const mm_gql_value *value, mm_arena *arena);

/* graphql-js valueFromASTUntyped: a literal as plain JSON; variables
 * nested inside are read from variables (absent ones are left out of
 * objects and null in lists). Returns a new reference (json_null() for
 * null), or NULL only for an absent top-level variable. */
json_t *mm_gql_value_from_ast_untyped(const mm_gql_value *value, json_t *variables);

/* The coercion functions, bindable to any scalar (ud is ignored). */
json_t *mm_gql_int_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_int_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_int_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                 mm_arena *arena, const char **error);
json_t *mm_gql_float_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_float_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_float_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                   mm_arena *arena, const char **error);
json_t *mm_gql_string_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_string_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_string_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                    mm_arena *arena, const char **error);
json_t *mm_gql_boolean_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_boolean_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_boolean_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                     mm_arena *arena, const char **error);
json_t *mm_gql_id_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_id_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_id_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                mm_arena *arena, const char **error);
/* Custom scalars by default: serialize and parse_value return the value
 * unchanged; parse_literal is mm_gql_value_from_ast_untyped. */
json_t *mm_gql_identity_serialize(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_identity_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error);
json_t *mm_gql_identity_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                      mm_arena *arena, const char **error);

#endif
