/* ast_print.h -- printing an AST back to GraphQL text (graphql-js print()).
 *
 * The output is byte for byte what graphql-js 16's print() produces for the
 * same tree: two-space indentation, arguments wrapped past 80 columns,
 * strings JSON-style escaped, block strings re-quoted. Validation messages
 * use the value and type printers ("Expected value of type ..., found {a: 1}"). */
#ifndef MM_GRAPHQL_AST_PRINT_H
#define MM_GRAPHQL_AST_PRINT_H

#include <stddef.h>

#include "common/arena.h"
#include "common/strbuf.h"
#include "graphql/language/ast.h"

/* The document as text, malloc'd (free() it), or NULL when out of memory. */
char *mm_gql_ast_print(const mm_gql_document *doc);

/* Like mm_gql_ast_print and also stores the length in *len: a block string
 * may hold a raw U+0000, which a plain C string would cut short. */
char *mm_gql_ast_print_n(const mm_gql_document *doc, size_t *len);

/* A value literal as graphql-js prints it, e.g. {a: 1, b: [2]} or "x\n",
 * NUL-terminated in arena; NULL when out of memory. */
char *mm_gql_print_value(const mm_gql_value *value, mm_arena *arena);

/* A type reference, e.g. [Int!]!, in arena; NULL when out of memory. */
char *mm_gql_print_type(const mm_gql_type_ref *type, mm_arena *arena);

/* A string as graphql-js printString() quotes it, in arena. */
char *mm_gql_print_string(const char *chars, size_t length, mm_arena *arena);

/* The same printers appending to a caller's buffer: graphql-js print() of a
 * value, printString and printBlockString. They are the engine's only
 * printers of value literals; type/value_print.c builds on them. */
void mm_gql_print_value_into(mm_strbuf *out, const mm_gql_value *value);
void mm_gql_print_string_into(mm_strbuf *out, const char *s, size_t len);
void mm_gql_print_block_string_into(mm_strbuf *out, const char *s, size_t len);

#endif
