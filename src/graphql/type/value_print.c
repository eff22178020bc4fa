/* value_print.c -- value literals and block strings as GraphQL text
 * (graphql-js print() of a value node, printBlockString), into an
 * mm_strbuf. Used by the scalars' error messages, the schema builder and
 * the schema printer; its own file so that type/ does not depend on
 * utilities/schema_print.c. */
#include <stdbool.h>
#include <string.h>

#include "graphql/type/schema_private.h"

/* ---- block strings ---------------------------------------------------------- */

static bool is_white_space(char c)
{
    return c == ' ' || c == '\t';
}

/* JavaScript string length (UTF-16 code units) of UTF-8 text. */
static size_t js_length(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xc0) != 0x80)
            n += c >= 0xf0 ? 2 : 1;
    }
    return n;
}

/* graphql-js isPrintableAsBlockString. */
bool mm_gql_printable_as_block_string(const char *s, size_t len)
{
    if (len == 0)
        return true;
    bool empty_line = true, has_indent = false, common_indent = true, seen_non_empty = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case 0: case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8:
        case 0x0b: case 0x0c: case 0x0e: case 0x0f: case 0x0d:
            return false;
        case '\n':
            if (empty_line && !seen_non_empty)
                return false;
            seen_non_empty = true;
            empty_line = true;
            has_indent = false;
            break;
        case '\t':
        case ' ':
            has_indent = has_indent || empty_line;
            break;
        default:
            common_indent = common_indent && has_indent;
            empty_line = false;
        }
    }
    if (empty_line)
        return false;
    if (common_indent && seen_non_empty)
        return false;
    return true;
}

/* graphql-js printBlockString (not minimized). */
void mm_gql_strbuf_print_block_string(mm_strbuf *buf, const char *s, size_t len)
{
    /* escapedValue: every """ becomes \""" */
    mm_strbuf esc = {0};
    size_t start = 0;
    for (size_t i = 0; i + 2 < len; i++) {
        if (s[i] == '"' && s[i + 1] == '"' && s[i + 2] == '"') {
            mm_strbuf_append(&esc, s + start, i - start);
            mm_strbuf_puts(&esc, "\\\"\"\"");
            i += 2;
            start = i + 1;
        }
    }
    mm_strbuf_append(&esc, s + start, len - start);
    const char *e = esc.data ? esc.data : "";
    size_t elen = esc.len;

    /* Lines split on \r\n, \n or \r. */
    bool single_line = true, force_leading = true;
    size_t line_count = 0;
    for (size_t i = 0; i <= elen; i++) {
        if (i == elen || e[i] == '\n' || e[i] == '\r') {
            line_count++;
            if (i < elen) {
                if (e[i] == '\r' && i + 1 < elen && e[i + 1] == '\n')
                    i++;
                single_line = false;
                /* the next line: empty or starting with white space */
                size_t j = i + 1;
                if (j < elen && e[j] != '\n' && e[j] != '\r' && !is_white_space(e[j]))
                    force_leading = false;
            }
        }
    }
    if (line_count <= 1)
        force_leading = false;
    bool trailing_triple = elen >= 4 && memcmp(e + elen - 4, "\\\"\"\"", 4) == 0;
    bool trailing_quote = len > 0 && s[len - 1] == '"' && !trailing_triple;
    bool trailing_slash = len > 0 && s[len - 1] == '\\';
    bool force_trailing = trailing_quote || trailing_slash;
    bool multiple = !single_line || js_length(s, len) > 70 || force_trailing || force_leading ||
                    trailing_triple;
    bool skip_leading = single_line && len > 0 && is_white_space(s[0]);
    mm_strbuf_puts(buf, "\"\"\"");
    if ((multiple && !skip_leading) || force_leading)
        mm_strbuf_puts(buf, "\n");
    mm_strbuf_append(buf, e, elen);
    if (multiple || force_trailing)
        mm_strbuf_puts(buf, "\n");
    mm_strbuf_puts(buf, "\"\"\"");
    free(esc.data);
}

/* ---- value literals (graphql-js print) ---------------------------------------- */

void mm_gql_strbuf_print_value(mm_strbuf *buf, const mm_gql_value *v)
{
    switch (v->kind) {
    case MM_GQL_VALUE_VARIABLE:
        mm_strbuf_puts(buf, "$");
        mm_strbuf_puts(buf, v->u.name);
        break;
    case MM_GQL_VALUE_INT:
    case MM_GQL_VALUE_FLOAT:
        mm_strbuf_puts(buf, v->u.raw);
        break;
    case MM_GQL_VALUE_STRING:
        if (v->u.string.block)
            mm_gql_strbuf_print_block_string(buf, v->u.string.chars, v->u.string.length);
        else
            mm_gql_strbuf_print_string(buf, v->u.string.chars, v->u.string.length);
        break;
    case MM_GQL_VALUE_BOOLEAN:
        mm_strbuf_puts(buf, v->u.boolean ? "true" : "false");
        break;
    case MM_GQL_VALUE_NULL:
        mm_strbuf_puts(buf, "null");
        break;
    case MM_GQL_VALUE_ENUM:
        mm_strbuf_puts(buf, v->u.name);
        break;
    case MM_GQL_VALUE_LIST:
        mm_strbuf_puts(buf, "[");
        for (size_t i = 0; i < v->u.list.count; i++) {
            if (i)
                mm_strbuf_puts(buf, ", ");
            mm_gql_strbuf_print_value(buf, v->u.list.items[i]);
        }
        mm_strbuf_puts(buf, "]");
        break;
    case MM_GQL_VALUE_OBJECT:
        mm_strbuf_puts(buf, "{");
        for (size_t i = 0; i < v->u.object.count; i++) {
            if (i)
                mm_strbuf_puts(buf, ", ");
            mm_strbuf_puts(buf, v->u.object.fields[i].name.value);
            mm_strbuf_puts(buf, ": ");
            mm_gql_strbuf_print_value(buf, v->u.object.fields[i].value);
        }
        mm_strbuf_puts(buf, "}");
        break;
    }
}
