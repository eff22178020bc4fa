/* ast_print.c -- the AST printer of ast_print.h, following graphql-js 16's
 * language/printer.ts rule by rule.
 *
 * graphql-js builds strings bottom-up and indents a block by prefixing each
 * newline inside it; here text is written once into a growing buffer that
 * knows the current indentation and inserts it after every newline, which
 * gives the same bytes. The few rules that depend on the length or shape of
 * a part (wrapping long argument lists, multi-line argument definitions)
 * print that part into a scratch buffer first. */
#include "graphql/language/ast_print.h"

#include "common/strbuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The output (a common/strbuf.h heap buffer) and the indentation to write
 * after each newline. */
typedef struct sb {
    mm_strbuf out;
    unsigned indent; /* levels of two spaces written after each newline */
} sb;

static void sb_raw(sb *b, const char *s, size_t n) { mm_strbuf_append(&b->out, s, n); }

/* Appends text, indenting after each newline. */
static void sb_put(sb *b, const char *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t chunk = nl ? (size_t)(nl - (s + i)) + 1 : n - i;
        sb_raw(b, s + i, chunk);
        if (nl) {
            for (unsigned k = 0; k < b->indent; k++) sb_raw(b, "  ", 2);
        }
        i += chunk;
    }
}

static void sb_str(sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_append(sb *b, const sb *part) {
    if (part->out.failed)
        b->out.failed = true;
    else if (part->out.len)
        sb_put(b, part->out.data, part->out.len);
}

/* graphql-js measures lengths in UTF-16 code units. */
static size_t utf16_length(const char *s, size_t n) {
    size_t units = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80) units += c >= 0xF0 ? 2 : 1;
    }
    return units;
}

/* ---- strings ----------------------------------------------------------- */

/* graphql-js printString: JSON-like escapes for C0, C1, '"' and '\'. */
static void print_string(sb *b, const char *s, size_t n) {
    static const char hex[] = "0123456789ABCDEF";
    sb_raw(b, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        unsigned code = 0;
        size_t width = 1;
        if (c < 0x20 || c == '"' || c == '\\' || c == 0x7F) {
            code = c;
        } else if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9F) {
            code = (unsigned char)s[i + 1]; /* U+0080..U+009F */
            width = 2;
        } else {
            continue;
        }
        sb_raw(b, s + run, i - run);
        char esc[7];
        switch (code) {
        case '\b': sb_raw(b, "\\b", 2); break;
        case '\t': sb_raw(b, "\\t", 2); break;
        case '\n': sb_raw(b, "\\n", 2); break;
        case '\f': sb_raw(b, "\\f", 2); break;
        case '\r': sb_raw(b, "\\r", 2); break;
        case '"': sb_raw(b, "\\\"", 2); break;
        case '\\': sb_raw(b, "\\\\", 2); break;
        default:
            esc[0] = '\\';
            esc[1] = 'u';
            esc[2] = '0';
            esc[3] = '0';
            esc[4] = hex[code >> 4];
            esc[5] = hex[code & 15];
            sb_raw(b, esc, 6);
        }
        i += width - 1;
        run = i + 1;
    }
    sb_raw(b, s + run, n - run);
    sb_raw(b, "\"", 1);
}

static bool is_ws(char c) { return c == ' ' || c == '\t'; }

/* graphql-js printBlockString. */
static void print_block_string(sb *b, const char *v, size_t n) {
    /* escapedValue: every """ becomes \""" */
    sb esc = {0};
    for (size_t i = 0; i < n;) {
        if (i + 3 <= n && v[i] == '"' && v[i + 1] == '"' && v[i + 2] == '"') {
            sb_raw(&esc, "\\\"\"\"", 4);
            i += 3;
        } else {
            size_t j = i + 1;
            while (j < n && v[j] != '"') j++;
            sb_raw(&esc, v + i, j - i);
            i = j;
        }
    }
    if (esc.out.failed) {
        b->out.failed = true;
        free(esc.out.data);
        return;
    }
    const char *e = esc.out.data ? esc.out.data : "";
    size_t en = esc.out.len;
    bool single = true, force_leading = true;
    for (size_t i = 0; i < en; i++) {
        if (e[i] == '\n' || e[i] == '\r') {
            single = false;
            if (e[i] == '\r' && i + 1 < en && e[i + 1] == '\n') i++;
            /* the line after this terminator must be empty or start with whitespace */
            if (i + 1 < en && e[i + 1] != '\n' && e[i + 1] != '\r' && !is_ws(e[i + 1]))
                force_leading = false;
        }
    }
    if (single) force_leading = false;
    bool trailing_triple = en >= 4 && memcmp(e + en - 4, "\\\"\"\"", 4) == 0;
    bool trailing_quote = n > 0 && v[n - 1] == '"' && !trailing_triple;
    bool trailing_slash = n > 0 && v[n - 1] == '\\';
    bool force_trailing = trailing_quote || trailing_slash;
    bool multiple =
        !single || utf16_length(v, n) > 70 || force_trailing || force_leading || trailing_triple;
    bool skip_leading = single && n > 0 && is_ws(v[0]);
    sb_raw(b, "\"\"\"", 3);
    if ((multiple && !skip_leading) || force_leading) sb_put(b, "\n", 1);
    sb_put(b, e, en);
    if (multiple || force_trailing) sb_put(b, "\n", 1);
    sb_raw(b, "\"\"\"", 3);
    free(esc.out.data);
}

static void print_string_value(sb *b, const char *chars, size_t length, bool block) {
    if (block)
        print_block_string(b, chars, length);
    else
        print_string(b, chars, length);
}

static void print_description(sb *b, const mm_gql_description *d) {
    if (!d || !d->chars) return;
    print_string_value(b, d->chars, d->length, d->block);
    sb_put(b, "\n", 1);
}

/* ---- values, types, directives ----------------------------------------- */

static void print_value(sb *b, const mm_gql_value *v) {
    switch (v->kind) {
    case MM_GQL_VALUE_VARIABLE:
        sb_raw(b, "$", 1);
        sb_str(b, v->u.name);
        break;
    case MM_GQL_VALUE_INT:
    case MM_GQL_VALUE_FLOAT: sb_str(b, v->u.raw); break;
    case MM_GQL_VALUE_STRING:
        print_string_value(b, v->u.string.chars, v->u.string.length, v->u.string.block);
        break;
    case MM_GQL_VALUE_BOOLEAN: sb_str(b, v->u.boolean ? "true" : "false"); break;
    case MM_GQL_VALUE_NULL: sb_str(b, "null"); break;
    case MM_GQL_VALUE_ENUM: sb_str(b, v->u.name); break;
    case MM_GQL_VALUE_LIST:
        sb_raw(b, "[", 1);
        for (size_t i = 0; i < v->u.list.count; i++) {
            if (i) sb_raw(b, ", ", 2);
            print_value(b, v->u.list.items[i]);
        }
        sb_raw(b, "]", 1);
        break;
    case MM_GQL_VALUE_OBJECT:
        sb_raw(b, "{", 1);
        for (size_t i = 0; i < v->u.object.count; i++) {
            if (i) sb_raw(b, ", ", 2);
            sb_str(b, v->u.object.fields[i].name.value);
            sb_raw(b, ": ", 2);
            print_value(b, v->u.object.fields[i].value);
        }
        sb_raw(b, "}", 1);
        break;
    }
}

static void print_type(sb *b, const mm_gql_type_ref *t) {
    switch (t->kind) {
    case MM_GQL_TYPE_NAMED: sb_str(b, t->name.value); break;
    case MM_GQL_TYPE_LIST:
        sb_raw(b, "[", 1);
        print_type(b, t->of_type);
        sb_raw(b, "]", 1);
        break;
    case MM_GQL_TYPE_NON_NULL:
        print_type(b, t->of_type);
        sb_raw(b, "!", 1);
        break;
    }
}

static void print_argument(sb *b, const mm_gql_argument *a) {
    sb_str(b, a->name.value);
    sb_raw(b, ": ", 2);
    print_value(b, a->value);
}

static void print_directive(sb *b, const mm_gql_directive *d) {
    sb_raw(b, "@", 1);
    sb_str(b, d->name.value);
    if (d->arg_count) {
        sb_raw(b, "(", 1);
        for (size_t i = 0; i < d->arg_count; i++) {
            if (i) sb_raw(b, ", ", 2);
            print_argument(b, &d->args[i]);
        }
        sb_raw(b, ")", 1);
    }
}

/* join(directives, ' ') preceded by a space when not empty */
static void print_directives(sb *b, const mm_gql_directive *d, size_t n) {
    for (size_t i = 0; i < n; i++) {
        sb_raw(b, " ", 1);
        print_directive(b, &d[i]);
    }
}

/* ---- executable definitions -------------------------------------------- */

static void print_selection_set(sb *b, const mm_gql_selection_set *set);

static void print_field(sb *b, const mm_gql_selection *sel) {
    sb prefix = {0};
    if (sel->u.field.alias.value) {
        sb_str(&prefix, sel->u.field.alias.value);
        sb_raw(&prefix, ": ", 2);
    }
    sb_str(&prefix, sel->u.field.name.value);
    sb_append(b, &prefix);
    size_t n = sel->u.field.arg_count;
    if (n) {
        sb *args = calloc(n, sizeof(sb));
        if (!args) {
            b->out.failed = true;
        } else {
            size_t total = utf16_length(prefix.out.data, prefix.out.len) + 2 * (n - 1) + 2;
            for (size_t i = 0; i < n; i++) {
                print_argument(&args[i], &sel->u.field.args[i]);
                total += utf16_length(args[i].out.data, args[i].out.len);
            }
            if (total > 80) {
                sb_raw(b, "(", 1);
                b->indent++;
                for (size_t i = 0; i < n; i++) {
                    sb_put(b, "\n", 1);
                    sb_append(b, &args[i]);
                }
                b->indent--;
                sb_put(b, "\n)", 2);
            } else {
                sb_raw(b, "(", 1);
                for (size_t i = 0; i < n; i++) {
                    if (i) sb_raw(b, ", ", 2);
                    sb_append(b, &args[i]);
                }
                sb_raw(b, ")", 1);
            }
            for (size_t i = 0; i < n; i++) free(args[i].out.data);
            free(args);
        }
    }
    free(prefix.out.data);
    print_directives(b, sel->directives, sel->directive_count);
    if (sel->u.field.selection_set) {
        sb_raw(b, " ", 1);
        print_selection_set(b, sel->u.field.selection_set);
    }
}

static void print_selection(sb *b, const mm_gql_selection *sel) {
    switch (sel->kind) {
    case MM_GQL_SEL_FIELD: print_field(b, sel); break;
    case MM_GQL_SEL_FRAGMENT_SPREAD:
        sb_raw(b, "...", 3);
        sb_str(b, sel->u.spread.name.value);
        print_directives(b, sel->directives, sel->directive_count);
        break;
    case MM_GQL_SEL_INLINE_FRAGMENT:
        sb_raw(b, "...", 3);
        if (sel->u.inline_fragment.type_condition.value) {
            sb_raw(b, " on ", 4);
            sb_str(b, sel->u.inline_fragment.type_condition.value);
        }
        print_directives(b, sel->directives, sel->directive_count);
        sb_raw(b, " ", 1);
        print_selection_set(b, sel->u.inline_fragment.selection_set);
        break;
    }
}

/* block(items): "{", each item on its own indented line, "}" */
static void print_selection_set(sb *b, const mm_gql_selection_set *set) {
    if (!set || set->count == 0) return;
    sb_raw(b, "{", 1);
    b->indent++;
    for (size_t i = 0; i < set->count; i++) {
        sb_put(b, "\n", 1);
        print_selection(b, &set->items[i]);
    }
    b->indent--;
    sb_put(b, "\n}", 2);
}

static const char *operation_name(mm_gql_operation_type op) {
    switch (op) {
    case MM_GQL_OP_MUTATION: return "mutation";
    case MM_GQL_OP_SUBSCRIPTION: return "subscription";
    default: return "query";
    }
}

static void print_variable_definition(sb *b, const mm_gql_variable_definition *v) {
    print_description(b, v->description);
    sb_raw(b, "$", 1);
    sb_str(b, v->name.value);
    sb_raw(b, ": ", 2);
    print_type(b, v->type);
    if (v->default_value) {
        sb_raw(b, " = ", 3);
        print_value(b, v->default_value);
    }
    print_directives(b, v->directives, v->directive_count);
}

static void print_operation(sb *b, const mm_gql_operation *op) {
    if (op->operation == MM_GQL_OP_QUERY && !op->description && !op->name.value &&
        op->variable_count == 0 && op->directive_count == 0) {
        print_selection_set(b, op->selection_set);
        return;
    }
    print_description(b, op->description);
    sb_str(b, operation_name(op->operation));
    if (op->name.value || op->variable_count) sb_raw(b, " ", 1);
    if (op->name.value) sb_str(b, op->name.value);
    if (op->variable_count) {
        /* Variables with multi-line descriptions go one per line; graphql-js
         * does not indent them. */
        size_t n = op->variable_count;
        sb *vars = calloc(n, sizeof(sb));
        if (!vars) {
            b->out.failed = true;
            return;
        }
        bool multiline = false;
        for (size_t i = 0; i < n; i++) {
            print_variable_definition(&vars[i], &op->variables[i]);
            if (vars[i].out.len && memchr(vars[i].out.data, '\n', vars[i].out.len))
                multiline = true;
        }
        sb_put(b, multiline ? "(\n" : "(", multiline ? 2 : 1);
        for (size_t i = 0; i < n; i++) {
            if (i) sb_put(b, multiline ? "\n" : ", ", multiline ? 1 : 2);
            sb_append(b, &vars[i]);
        }
        sb_put(b, multiline ? "\n)" : ")", multiline ? 2 : 1);
        for (size_t i = 0; i < n; i++) free(vars[i].out.data);
        free(vars);
    }
    print_directives(b, op->directives, op->directive_count);
    sb_raw(b, " ", 1);
    print_selection_set(b, op->selection_set);
}

static void print_fragment(sb *b, const mm_gql_fragment *f) {
    print_description(b, f->description);
    sb_raw(b, "fragment ", 9);
    sb_str(b, f->name.value);
    sb_raw(b, " on ", 4);
    sb_str(b, f->type_condition.value);
    print_directives(b, f->directives, f->directive_count);
    sb_raw(b, " ", 1);
    print_selection_set(b, f->selection_set);
}

/* ---- type system ------------------------------------------------------- */

static void print_input_value_def(sb *b, const mm_gql_input_value_def *iv) {
    print_description(b, &iv->description);
    sb_str(b, iv->name.value);
    sb_raw(b, ": ", 2);
    print_type(b, iv->type);
    if (iv->default_value) {
        sb_raw(b, " = ", 3);
        print_value(b, iv->default_value);
    }
    print_directives(b, iv->directives, iv->directive_count);
}

/* Argument definitions: on one line, or one per indented line when any of
 * them spans lines (a block-string description). */
static void print_argument_defs(sb *b, const mm_gql_input_value_def *args, size_t n) {
    if (n == 0) return;
    sb *parts = calloc(n, sizeof(sb));
    if (!parts) {
        b->out.failed = true;
        return;
    }
    bool multiline = false;
    for (size_t i = 0; i < n; i++) {
        print_input_value_def(&parts[i], &args[i]);
        if (parts[i].out.len && memchr(parts[i].out.data, '\n', parts[i].out.len)) multiline = true;
    }
    sb_raw(b, "(", 1);
    if (multiline) {
        b->indent++;
        for (size_t i = 0; i < n; i++) {
            sb_put(b, "\n", 1);
            sb_append(b, &parts[i]);
        }
        b->indent--;
        sb_put(b, "\n", 1);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i) sb_raw(b, ", ", 2);
            sb_append(b, &parts[i]);
        }
    }
    sb_raw(b, ")", 1);
    for (size_t i = 0; i < n; i++) free(parts[i].out.data);
    free(parts);
}

static void print_field_def(sb *b, const mm_gql_field_def *f) {
    print_description(b, &f->description);
    sb_str(b, f->name.value);
    print_argument_defs(b, f->args, f->arg_count);
    sb_raw(b, ": ", 2);
    print_type(b, f->type);
    print_directives(b, f->directives, f->directive_count);
}

static void block_open(sb *b) {
    sb_raw(b, " {", 2);
    b->indent++;
}

static void block_close(sb *b) {
    b->indent--;
    sb_put(b, "\n}", 2);
}

static const char *type_keyword(mm_gql_type_def_kind kind) {
    switch (kind) {
    case MM_GQL_TYPEDEF_SCALAR: return "scalar";
    case MM_GQL_TYPEDEF_OBJECT: return "type";
    case MM_GQL_TYPEDEF_INTERFACE: return "interface";
    case MM_GQL_TYPEDEF_UNION: return "union";
    case MM_GQL_TYPEDEF_ENUM: return "enum";
    case MM_GQL_TYPEDEF_INPUT_OBJECT: return "input";
    }
    return "type";
}

static void print_type_def(sb *b, const mm_gql_type_def *td) {
    if (td->is_extension)
        sb_raw(b, "extend ", 7);
    else
        print_description(b, &td->description);
    sb_str(b, type_keyword(td->kind));
    sb_raw(b, " ", 1);
    sb_str(b, td->name.value);
    if (td->interface_count) {
        sb_raw(b, " implements ", 12);
        for (size_t i = 0; i < td->interface_count; i++) {
            if (i) sb_raw(b, " & ", 3);
            sb_str(b, td->interfaces[i].value);
        }
    }
    print_directives(b, td->directives, td->directive_count);
    switch (td->kind) {
    case MM_GQL_TYPEDEF_OBJECT:
    case MM_GQL_TYPEDEF_INTERFACE:
        if (td->field_count) {
            block_open(b);
            for (size_t i = 0; i < td->field_count; i++) {
                sb_put(b, "\n", 1);
                print_field_def(b, &td->fields[i]);
            }
            block_close(b);
        }
        break;
    case MM_GQL_TYPEDEF_UNION:
        if (td->member_count) {
            sb_raw(b, " = ", 3);
            for (size_t i = 0; i < td->member_count; i++) {
                if (i) sb_raw(b, " | ", 3);
                sb_str(b, td->members[i].value);
            }
        }
        break;
    case MM_GQL_TYPEDEF_ENUM:
        if (td->value_count) {
            block_open(b);
            for (size_t i = 0; i < td->value_count; i++) {
                sb_put(b, "\n", 1);
                print_description(b, &td->values[i].description);
                sb_str(b, td->values[i].name.value);
                print_directives(b, td->values[i].directives, td->values[i].directive_count);
            }
            block_close(b);
        }
        break;
    case MM_GQL_TYPEDEF_INPUT_OBJECT:
        if (td->input_field_count) {
            block_open(b);
            for (size_t i = 0; i < td->input_field_count; i++) {
                sb_put(b, "\n", 1);
                print_input_value_def(b, &td->input_fields[i]);
            }
            block_close(b);
        }
        break;
    case MM_GQL_TYPEDEF_SCALAR: break;
    }
}

static void print_schema_def(sb *b, const mm_gql_schema_def *sd) {
    if (sd->is_extension)
        sb_raw(b, "extend schema", 13);
    else {
        print_description(b, &sd->description);
        sb_raw(b, "schema", 6);
    }
    print_directives(b, sd->directives, sd->directive_count);
    if (sd->operation_type_count) {
        block_open(b);
        for (size_t i = 0; i < sd->operation_type_count; i++) {
            sb_put(b, "\n", 1);
            sb_str(b, operation_name(sd->operation_types[i].operation));
            sb_raw(b, ": ", 2);
            sb_str(b, sd->operation_types[i].type.value);
        }
        block_close(b);
    }
}

static void print_directive_def(sb *b, const mm_gql_directive_def *dd) {
    print_description(b, &dd->description);
    sb_raw(b, "directive @", 11);
    sb_str(b, dd->name.value);
    print_argument_defs(b, dd->args, dd->arg_count);
    if (dd->repeatable) sb_raw(b, " repeatable", 11);
    sb_raw(b, " on ", 4);
    for (size_t i = 0; i < dd->location_count; i++) {
        if (i) sb_raw(b, " | ", 3);
        sb_str(b, dd->locations[i].value);
    }
}

static void print_definition(sb *b, const mm_gql_definition *def) {
    switch (def->kind) {
    case MM_GQL_DEF_OPERATION: print_operation(b, &def->u.operation); break;
    case MM_GQL_DEF_FRAGMENT: print_fragment(b, &def->u.fragment); break;
    case MM_GQL_DEF_SCHEMA: print_schema_def(b, &def->u.schema); break;
    case MM_GQL_DEF_TYPE: print_type_def(b, &def->u.type); break;
    case MM_GQL_DEF_DIRECTIVE: print_directive_def(b, &def->u.directive); break;
    }
}

/* ---- entry points -------------------------------------------------------- */

char *mm_gql_ast_print_n(const mm_gql_document *doc, size_t *len) {
    sb b = {0};
    for (size_t i = 0; doc && i < doc->definition_count; i++) {
        if (i) sb_put(&b, "\n\n", 2);
        print_definition(&b, &doc->definitions[i]);
    }
    if (!mm_strbuf_reserve(&b.out, 0)) {
        free(b.out.data);
        return NULL;
    }
    b.out.data[b.out.len] = '\0';
    if (len) *len = b.out.len;
    return b.out.data;
}

char *mm_gql_ast_print(const mm_gql_document *doc) { return mm_gql_ast_print_n(doc, NULL); }

static char *to_arena(sb *b, mm_arena *arena) {
    char *out = NULL;
    if (!b->out.failed) out = mm_arena_strndup(arena, b->out.data ? b->out.data : "", b->out.len);
    free(b->out.data);
    return out;
}

char *mm_gql_print_value(const mm_gql_value *value, mm_arena *arena) {
    sb b = {0};
    print_value(&b, value);
    return to_arena(&b, arena);
}

char *mm_gql_print_type(const mm_gql_type_ref *type, mm_arena *arena) {
    sb b = {0};
    print_type(&b, type);
    return to_arena(&b, arena);
}

char *mm_gql_print_string(const char *chars, size_t length, mm_arena *arena) {
    sb b = {0};
    print_string(&b, chars, length);
    return to_arena(&b, arena);
}

/* ---- into a caller's buffer ---------------------------------------------- */

void mm_gql_print_value_into(mm_strbuf *out, const mm_gql_value *value) {
    sb b = {.out = *out, .indent = 0};
    print_value(&b, value);
    *out = b.out;
}

void mm_gql_print_string_into(mm_strbuf *out, const char *s, size_t len) {
    sb b = {.out = *out, .indent = 0};
    print_string(&b, s, len);
    *out = b.out;
}

void mm_gql_print_block_string_into(mm_strbuf *out, const char *s, size_t len) {
    sb b = {.out = *out, .indent = 0};
    print_block_string(&b, s, len);
    *out = b.out;
}
