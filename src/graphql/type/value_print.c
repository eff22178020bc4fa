/* value_print.c -- value literals and block strings as GraphQL text into an
 * mm_strbuf, for the scalars' error messages, the schema builder and the
 * schema printer: the language printer's print() and printBlockString
 * (language/ast_print.c, the engine's one printer of them), plus whether a
 * description prints as a block string. Its own file so that type/ does
 * not depend on utilities/schema_print.c. */
#include <stdbool.h>
#include <string.h>

#include "graphql/language/ast_print.h"
#include "graphql/type/schema_private.h"

/* ---- block strings ---------------------------------------------------------- */

/* graphql-js isPrintableAsBlockString. */
bool mm_gql_printable_as_block_string(const char *s, size_t len) {
    if (len == 0) return true;
    bool empty_line = true, has_indent = false, common_indent = true, seen_non_empty = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case 0:
        case 1:
        case 2:
        case 3:
        case 4:
        case 5:
        case 6:
        case 7:
        case 8:
        case 0x0b:
        case 0x0c:
        case 0x0e:
        case 0x0f:
        case 0x0d: return false;
        case '\n':
            if (empty_line && !seen_non_empty) return false;
            seen_non_empty = true;
            empty_line = true;
            has_indent = false;
            break;
        case '\t':
        case ' ': has_indent = has_indent || empty_line; break;
        default: common_indent = common_indent && has_indent; empty_line = false;
        }
    }
    if (empty_line) return false;
    if (common_indent && seen_non_empty) return false;
    return true;
}

/* graphql-js printBlockString and print() of a value literal: the
 * language printer's (language/ast_print.c), into buf. */
void mm_gql_strbuf_print_block_string(mm_strbuf *buf, const char *s, size_t len) {
    mm_gql_print_block_string_into(buf, s, len);
}

void mm_gql_strbuf_print_value(mm_strbuf *buf, const mm_gql_value *v) {
    mm_gql_print_value_into(buf, v);
}
