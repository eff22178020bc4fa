/* parser.h -- parsing GraphQL source text into the AST of ast.h.
 *
 * One recursive-descent parser for executable and type-system documents
 * (graphql-js language/parser). Limits stop hostile documents before they
 * cost memory or stack: a document over a limit is a clear error of kind
 * MM_GQL_ERROR_LIMIT, never a crash or a stall. */
#ifndef MM_GRAPHQL_PARSER_H
#define MM_GRAPHQL_PARSER_H

#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"
#include "graphql/error/error.h"

typedef struct mm_gql_parse_limits {
    size_t max_bytes;  /* document size; 0 = unlimited */
    size_t max_tokens; /* lexical tokens (graphql-js maxTokens); 0 = unlimited */
    size_t max_depth;  /* nesting of selection sets, lists, objects and list types; 0 (or
                         * anything larger) means the parser's own ceiling of 512, which
                         * keeps recursion far inside any thread's stack */
} mm_gql_parse_limits;

/* The defaults used when limits is NULL: 1 MiB, 100000 tokens, depth 64. */
extern const mm_gql_parse_limits mm_gql_default_parse_limits;

/* Parses a whole document. On a syntax error or exceeded limit returns NULL
 * and appends exactly one error with graphql-js's message, e.g.
 * "Syntax Error: Expected Name, found <EOF>." and its location. All nodes are
 * allocated in arena; source must outlive the document. */
mm_gql_document *mm_gql_parse(mm_arena *arena, const char *source, size_t length,
                              const mm_gql_parse_limits *limits, mm_gql_errors *errors);

/* Parses a single value literal (graphql-js parseValue), e.g. "[1, {a: $v}]". */
mm_gql_value *mm_gql_parse_value(mm_arena *arena, const char *source, size_t length,
                                 mm_gql_errors *errors);

/* Parses a type reference (graphql-js parseType), e.g. "[Int!]!". */
mm_gql_type_ref *mm_gql_parse_type(mm_arena *arena, const char *source, size_t length,
                                   mm_gql_errors *errors);

#endif
