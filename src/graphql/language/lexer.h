/* lexer.h -- GraphQL lexical analysis (specification October 2021, section 2.1).
 *
 * Turns UTF-8 source text into tokens one at a time, as graphql-js's Lexer
 * does: whitespace, line terminators, commas and the byte order mark are
 * skipped, comments are tokens that advance() skips, string values are
 * decoded (escapes resolved, block strings dedented) into the arena. Errors
 * carry graphql-js's messages. Invalid UTF-8 is a syntax error. Token
 * locations count lines like graphql-js (\n, \r\n, \r) and columns in UTF-16
 * code units from 1, which is what graphql-js reports (equal to code points
 * except after a supplementary character on the same line). */
#ifndef MM_GRAPHQL_LEXER_H
#define MM_GRAPHQL_LEXER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/arena.h"
#include "graphql/language/ast.h"

typedef enum mm_gql_token_kind {
    MM_GQL_TOK_SOF,
    MM_GQL_TOK_EOF,
    MM_GQL_TOK_BANG,
    MM_GQL_TOK_DOLLAR,
    MM_GQL_TOK_AMP,
    MM_GQL_TOK_PAREN_L,
    MM_GQL_TOK_PAREN_R,
    MM_GQL_TOK_SPREAD,
    MM_GQL_TOK_COLON,
    MM_GQL_TOK_EQUALS,
    MM_GQL_TOK_AT,
    MM_GQL_TOK_BRACKET_L,
    MM_GQL_TOK_BRACKET_R,
    MM_GQL_TOK_BRACE_L,
    MM_GQL_TOK_PIPE,
    MM_GQL_TOK_BRACE_R,
    MM_GQL_TOK_NAME,
    MM_GQL_TOK_INT,
    MM_GQL_TOK_FLOAT,
    MM_GQL_TOK_STRING,
    MM_GQL_TOK_BLOCK_STRING,
    MM_GQL_TOK_COMMENT,
} mm_gql_token_kind;

typedef struct mm_gql_token {
    mm_gql_token_kind kind;
    size_t start;   /* byte offset of the first byte */
    size_t end;     /* byte offset just past the token */
    mm_gql_loc loc; /* line/column/offset of start */
    /* NAME, INT, FLOAT, COMMENT: points into the source (not terminated; a
     * comment's value excludes the '#'). STRING, BLOCK_STRING: the decoded
     * value, NUL-terminated in the arena. NULL for punctuators. */
    const char *value;
    size_t value_len;
} mm_gql_token;

typedef struct mm_gql_lexer {
    mm_arena *arena;
    const char *src;
    size_t len;
    size_t pos;         /* next byte to examine */
    uint32_t line;      /* current line, 1-based */
    size_t line_start;  /* byte offset where the current line starts */
    size_t col_offset;  /* columns are counted incrementally from here... */
    uint32_t col_units; /* ...which is this many UTF-16 units into the line */
    mm_gql_token token; /* the current token (after mm_gql_lexer_advance) */
    const char *error;  /* on failure: the message without "Syntax Error: " */
    mm_gql_loc error_loc;
} mm_gql_lexer;

/* The token kind as graphql-js names it: "<SOF>", "!", "Name", "BlockString"... */
const char *mm_gql_token_kind_name(mm_gql_token_kind kind);

/* Whether graphql-js quotes the kind in messages (punctuators). */
bool mm_gql_token_kind_is_punctuator(mm_gql_token_kind kind);

/* Starts lexing source; the current token is <SOF>. */
void mm_gql_lexer_init(mm_gql_lexer *lx, mm_arena *arena, const char *src, size_t len);

/* Reads the next token including comments into *tok. Returns 0, or -1 with
 * lx->error and lx->error_loc set. After <EOF> keeps returning <EOF>. */
int mm_gql_lexer_read(mm_gql_lexer *lx, mm_gql_token *tok);

/* Moves lx->token to the next non-comment token (graphql-js advance()).
 * Returns 0 or -1 on a lexical error. */
int mm_gql_lexer_advance(mm_gql_lexer *lx);

/* The line/column of a byte offset, computed from the start of the source
 * (used for error locations; O(offset)). */
mm_gql_loc mm_gql_loc_at(const char *src, size_t len, size_t offset);

/* Decodes one UTF-8 sequence at s[0..avail). Returns its length (1-4) and
 * stores the code point, or 0 when the bytes are not valid UTF-8. */
size_t mm_gql_utf8_decode(const unsigned char *s, size_t avail, uint32_t *cp);

/* The dedented value of a block string's raw text (between the quotes), as
 * the specification's BlockStringValue with \""" unescaped; NUL-terminated
 * in the arena, length in *out_len. NULL when out of memory. */
char *mm_gql_block_string_value(mm_arena *arena, const char *raw, size_t raw_len, size_t *out_len);

#endif
