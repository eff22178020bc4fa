/* parser.c -- the recursive-descent GraphQL parser of parser.h.
 *
 * Mirrors graphql-js 16's language/parser.ts production by production so
 * that the same documents are accepted and the same error (message and
 * location) is reported for the others. A syntax error unwinds with longjmp:
 * every node lives in the arena, so abandoning a half-built tree leaks
 * nothing. Recursion is bounded by an explicit depth counter (selection
 * sets, list and object values, list types), so hostile nesting yields a
 * limit error long before the C stack is at risk. */
#include "graphql/language/parser.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/directive_location.h"
#include "graphql/language/lexer.h"

const mm_gql_parse_limits mm_gql_default_parse_limits = {
    .max_bytes = 1024 * 1024,
    .max_tokens = 100000,
    .max_depth = 64,
};

/* The nesting allowed even when the caller asks for no depth limit. The
 * parser needs a few hundred bytes of stack per level (about twice that
 * under AddressSanitizer), and the validator and executor recurse over the
 * same tree, so this keeps all of them far inside a 1 MiB thread stack. */
#define HARD_MAX_DEPTH 512

typedef struct parser {
    mm_gql_lexer lx;
    mm_arena *arena;
    mm_gql_errors *errors;
    jmp_buf jmp;
    size_t max_tokens; /* 0 = unlimited */
    size_t token_count;
    size_t max_depth;
    size_t depth;
    /* Lists under construction live on this stack and are copied into the
     * arena at their exact size when complete, so growing a list leaves no
     * dead copies in the arena. It starts in the caller's frame and moves
     * to the heap only for large documents; finish() frees it. */
    char *scratch;
    size_t scratch_used;
    size_t scratch_cap;
    bool scratch_on_heap;
} parser;

#define TOK (p->lx.token)

/* ---- errors ------------------------------------------------------------ */

__attribute__((format(printf, 4, 5), noreturn)) static void
raise_error(parser *p, mm_gql_error_kind kind, mm_gql_loc loc, const char *fmt, ...) {
    /* Messages can quote a whole string token, so they are sized, not cut. */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = n >= 0 ? mm_arena_alloc(p->arena, (size_t)n + 1) : NULL;
    if (msg) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    mm_gql_errors_add(p->errors, kind, &loc, 1, "Syntax Error: %s", msg ? msg : "Out of memory.");
    longjmp(p->jmp, 1);
}

/* graphql-js getTokenDesc: the kind, quoted for punctuators, and the value. */
static const char *token_desc(parser *p, const mm_gql_token *t) {
    const char *kind = mm_gql_token_kind_name(t->kind);
    const char *d;
    if (mm_gql_token_kind_is_punctuator(t->kind))
        d = mm_arena_sprintf(p->arena, "\"%s\"", kind);
    else if (t->value)
        d = mm_arena_sprintf(p->arena, "%s \"%.*s\"", kind, (int)t->value_len, t->value);
    else
        d = kind;
    return d ? d : kind;
}

__attribute__((noreturn)) static void unexpected(parser *p, const mm_gql_token *t) {
    raise_error(p, MM_GQL_ERROR_SYNTAX, t->loc, "Unexpected %s.", token_desc(p, t));
}

__attribute__((noreturn)) static void out_of_memory(parser *p) {
    raise_error(p, MM_GQL_ERROR_LIMIT, TOK.loc, "Out of memory while parsing.");
}

static void *alloc(parser *p, size_t size) {
    void *m = mm_arena_calloc(p->arena, 1, size);
    if (!m) out_of_memory(p);
    return m;
}

/* ---- lists ----------------------------------------------------------------- */

/* A list being parsed: its items are contiguous on the scratch stack from
 * mark, because any list nested inside one of its items is finished (and
 * popped) before that item is pushed. */
typedef struct vec {
    void *items; /* the arena copy, set by vec_finish */
    size_t count;
    size_t mark;
    size_t size;
} vec;

static vec vec_begin(parser *p, size_t size) {
    vec v = {NULL, 0, p->scratch_used, size};
    return v;
}

static void vec_push(parser *p, vec *v, const void *elem) {
    if (p->scratch_used != v->mark + v->count * v->size)
        abort(); /* a nested list was not finished */
    if (p->scratch_used + v->size > p->scratch_cap) {
        size_t cap = p->scratch_cap * 2;
        while (cap < p->scratch_used + v->size) cap *= 2;
        char *grown = p->scratch_on_heap ? realloc(p->scratch, cap) : malloc(cap);
        if (!grown) out_of_memory(p);
        if (!p->scratch_on_heap) memcpy(grown, p->scratch, p->scratch_used);
        p->scratch = grown;
        p->scratch_cap = cap;
        p->scratch_on_heap = true;
    }
    memcpy(p->scratch + p->scratch_used, elem, v->size);
    p->scratch_used += v->size;
    v->count++;
}

/* Copies the items into the arena (NULL when there are none) and pops them. */
static void vec_finish(parser *p, vec *v) {
    if (v->count) {
        v->items = mm_arena_alloc(p->arena, v->count * v->size);
        if (!v->items) out_of_memory(p);
        memcpy(v->items, p->scratch + v->mark, v->count * v->size);
    }
    p->scratch_used = v->mark;
}

/* ---- token helpers (graphql-js Parser's) -------------------------------- */

static void advance(parser *p) {
    if (mm_gql_lexer_advance(&p->lx) < 0)
        raise_error(p, MM_GQL_ERROR_SYNTAX, p->lx.error_loc, "%s", p->lx.error);
    if (TOK.kind != MM_GQL_TOK_EOF) {
        p->token_count++;
        if (p->max_tokens && p->token_count > p->max_tokens)
            raise_error(p, MM_GQL_ERROR_LIMIT, TOK.loc,
                        "Document contains more that %zu tokens. Parsing aborted.", p->max_tokens);
    }
}

static mm_gql_token lookahead(parser *p) {
    mm_gql_lexer copy = p->lx;
    if (mm_gql_lexer_advance(&copy) < 0)
        raise_error(p, MM_GQL_ERROR_SYNTAX, copy.error_loc, "%s", copy.error);
    return copy.token;
}

static bool peek(parser *p, mm_gql_token_kind kind) { return TOK.kind == kind; }

static bool token_is(const mm_gql_token *t, const char *word) {
    size_t n = strlen(word);
    return t->value && t->value_len == n && memcmp(t->value, word, n) == 0;
}

static bool peek_keyword(parser *p, const char *word) {
    return TOK.kind == MM_GQL_TOK_NAME && token_is(&TOK, word);
}

static mm_gql_token expect(parser *p, mm_gql_token_kind kind) {
    mm_gql_token t = TOK;
    if (t.kind == kind) {
        advance(p);
        return t;
    }
    const char *desc = token_desc(p, &t);
    if (mm_gql_token_kind_is_punctuator(kind))
        raise_error(p, MM_GQL_ERROR_SYNTAX, t.loc, "Expected \"%s\", found %s.",
                    mm_gql_token_kind_name(kind), desc);
    raise_error(p, MM_GQL_ERROR_SYNTAX, t.loc, "Expected %s, found %s.",
                mm_gql_token_kind_name(kind), desc);
}

static bool expect_optional(parser *p, mm_gql_token_kind kind) {
    if (TOK.kind != kind) return false;
    advance(p);
    return true;
}

static void expect_keyword(parser *p, const char *word) {
    if (peek_keyword(p, word)) {
        advance(p);
        return;
    }
    const char *desc = token_desc(p, &TOK);
    raise_error(p, MM_GQL_ERROR_SYNTAX, TOK.loc, "Expected \"%s\", found %s.", word, desc);
}

static bool expect_optional_keyword(parser *p, const char *word) {
    if (!peek_keyword(p, word)) return false;
    advance(p);
    return true;
}

static void enter(parser *p) {
    if (++p->depth > p->max_depth)
        raise_error(p, MM_GQL_ERROR_LIMIT, TOK.loc,
                    "Document exceeds the maximum nesting depth of %zu.", p->max_depth);
}

static void leave(parser *p) { p->depth--; }

/* ---- names, values, types ---------------------------------------------- */

static mm_gql_name parse_name(parser *p) {
    mm_gql_token t = expect(p, MM_GQL_TOK_NAME);
    mm_gql_name name;
    name.value = mm_arena_strndup(p->arena, t.value, t.value_len);
    if (!name.value) out_of_memory(p);
    name.loc = t.loc;
    return name;
}

static mm_gql_value *parse_value(parser *p, bool is_const);

static mm_gql_value *parse_variable(parser *p) {
    mm_gql_loc loc = TOK.loc;
    expect(p, MM_GQL_TOK_DOLLAR);
    mm_gql_value *v = alloc(p, sizeof(*v));
    v->kind = MM_GQL_VALUE_VARIABLE;
    v->loc = loc;
    v->u.name = parse_name(p).value;
    return v;
}

static mm_gql_value *parse_value(parser *p, bool is_const) {
    mm_gql_token t = TOK;
    mm_gql_value *v;
    switch (t.kind) {
    case MM_GQL_TOK_BRACKET_L: {
        enter(p);
        advance(p);
        vec items = vec_begin(p, sizeof(mm_gql_value *));
        while (!expect_optional(p, MM_GQL_TOK_BRACKET_R)) {
            mm_gql_value *item = parse_value(p, is_const);
            vec_push(p, &items, &item);
        }
        vec_finish(p, &items);
        leave(p);
        v = alloc(p, sizeof(*v));
        v->kind = MM_GQL_VALUE_LIST;
        v->u.list.items = items.items;
        v->u.list.count = items.count;
        break;
    }
    case MM_GQL_TOK_BRACE_L: {
        enter(p);
        advance(p);
        vec fields = vec_begin(p, sizeof(mm_gql_object_field));
        while (!expect_optional(p, MM_GQL_TOK_BRACE_R)) {
            mm_gql_object_field f;
            f.loc = TOK.loc;
            f.name = parse_name(p);
            expect(p, MM_GQL_TOK_COLON);
            f.value = parse_value(p, is_const);
            vec_push(p, &fields, &f);
        }
        vec_finish(p, &fields);
        leave(p);
        v = alloc(p, sizeof(*v));
        v->kind = MM_GQL_VALUE_OBJECT;
        v->u.object.fields = fields.items;
        v->u.object.count = fields.count;
        break;
    }
    case MM_GQL_TOK_INT:
    case MM_GQL_TOK_FLOAT:
        advance(p);
        v = alloc(p, sizeof(*v));
        v->kind = t.kind == MM_GQL_TOK_INT ? MM_GQL_VALUE_INT : MM_GQL_VALUE_FLOAT;
        v->u.raw = mm_arena_strndup(p->arena, t.value, t.value_len);
        if (!v->u.raw) out_of_memory(p);
        break;
    case MM_GQL_TOK_STRING:
    case MM_GQL_TOK_BLOCK_STRING:
        advance(p);
        v = alloc(p, sizeof(*v));
        v->kind = MM_GQL_VALUE_STRING;
        v->u.string.chars = t.value;
        v->u.string.length = t.value_len;
        v->u.string.block = t.kind == MM_GQL_TOK_BLOCK_STRING;
        break;
    case MM_GQL_TOK_NAME:
        advance(p);
        v = alloc(p, sizeof(*v));
        if (token_is(&t, "true") || token_is(&t, "false")) {
            v->kind = MM_GQL_VALUE_BOOLEAN;
            v->u.boolean = token_is(&t, "true");
        } else if (token_is(&t, "null")) {
            v->kind = MM_GQL_VALUE_NULL;
        } else {
            v->kind = MM_GQL_VALUE_ENUM;
            v->u.name = mm_arena_strndup(p->arena, t.value, t.value_len);
            if (!v->u.name) out_of_memory(p);
        }
        break;
    case MM_GQL_TOK_DOLLAR:
        if (is_const) {
            advance(p);
            if (TOK.kind == MM_GQL_TOK_NAME)
                raise_error(p, MM_GQL_ERROR_SYNTAX, t.loc,
                            "Unexpected variable \"$%.*s\" in constant value.", (int)TOK.value_len,
                            TOK.value);
            unexpected(p, &t);
        }
        return parse_variable(p);
    default: unexpected(p, &t);
    }
    v->loc = t.loc;
    return v;
}

static mm_gql_type_ref *parse_type_ref(parser *p) {
    mm_gql_loc loc = TOK.loc;
    mm_gql_type_ref *t = alloc(p, sizeof(*t));
    t->loc = loc;
    if (peek(p, MM_GQL_TOK_BRACKET_L)) {
        enter(p);
        advance(p);
        t->kind = MM_GQL_TYPE_LIST;
        t->of_type = parse_type_ref(p);
        expect(p, MM_GQL_TOK_BRACKET_R);
        leave(p);
    } else {
        t->kind = MM_GQL_TYPE_NAMED;
        t->name = parse_name(p);
    }
    if (expect_optional(p, MM_GQL_TOK_BANG)) {
        mm_gql_type_ref *nn = alloc(p, sizeof(*nn));
        nn->kind = MM_GQL_TYPE_NON_NULL;
        nn->loc = loc;
        nn->of_type = t;
        return nn;
    }
    return t;
}

/* ---- directives and arguments ------------------------------------------ */

static void parse_arguments(parser *p, bool is_const, mm_gql_argument **out, size_t *count) {
    vec args = vec_begin(p, sizeof(mm_gql_argument));
    if (expect_optional(p, MM_GQL_TOK_PAREN_L)) {
        do {
            mm_gql_argument a;
            a.loc = TOK.loc;
            a.name = parse_name(p);
            expect(p, MM_GQL_TOK_COLON);
            a.value = parse_value(p, is_const);
            vec_push(p, &args, &a);
        } while (!expect_optional(p, MM_GQL_TOK_PAREN_R));
    }
    vec_finish(p, &args);
    *out = args.items;
    *count = args.count;
}

static void parse_directives(parser *p, bool is_const, mm_gql_directive **out, size_t *count) {
    vec dirs = vec_begin(p, sizeof(mm_gql_directive));
    while (peek(p, MM_GQL_TOK_AT)) {
        mm_gql_directive d;
        d.loc = TOK.loc;
        advance(p);
        d.name = parse_name(p);
        parse_arguments(p, is_const, &d.args, &d.arg_count);
        vec_push(p, &dirs, &d);
    }
    vec_finish(p, &dirs);
    *out = dirs.items;
    *count = dirs.count;
}

/* ---- executable definitions -------------------------------------------- */

static mm_gql_selection_set *parse_selection_set(parser *p);

static mm_gql_name parse_fragment_name(parser *p) {
    if (token_is(&TOK, "on")) unexpected(p, &TOK);
    return parse_name(p);
}

static void parse_selection(parser *p, mm_gql_selection *sel) {
    memset(sel, 0, sizeof(*sel));
    sel->loc = TOK.loc;
    if (expect_optional(p, MM_GQL_TOK_SPREAD)) {
        bool has_type_condition = expect_optional_keyword(p, "on");
        if (!has_type_condition && peek(p, MM_GQL_TOK_NAME)) {
            sel->kind = MM_GQL_SEL_FRAGMENT_SPREAD;
            sel->u.spread.name = parse_fragment_name(p);
            parse_directives(p, false, &sel->directives, &sel->directive_count);
            return;
        }
        sel->kind = MM_GQL_SEL_INLINE_FRAGMENT;
        if (has_type_condition) sel->u.inline_fragment.type_condition = parse_name(p);
        parse_directives(p, false, &sel->directives, &sel->directive_count);
        sel->u.inline_fragment.selection_set = parse_selection_set(p);
        return;
    }
    sel->kind = MM_GQL_SEL_FIELD;
    mm_gql_name name_or_alias = parse_name(p);
    if (expect_optional(p, MM_GQL_TOK_COLON)) {
        sel->u.field.alias = name_or_alias;
        sel->u.field.name = parse_name(p);
    } else {
        sel->u.field.name = name_or_alias;
    }
    parse_arguments(p, false, &sel->u.field.args, &sel->u.field.arg_count);
    parse_directives(p, false, &sel->directives, &sel->directive_count);
    if (peek(p, MM_GQL_TOK_BRACE_L)) sel->u.field.selection_set = parse_selection_set(p);
}

static mm_gql_selection_set *parse_selection_set(parser *p) {
    mm_gql_selection_set *set = alloc(p, sizeof(*set));
    set->loc = TOK.loc;
    if (peek(p, MM_GQL_TOK_BRACE_L)) enter(p);
    expect(p, MM_GQL_TOK_BRACE_L);
    vec items = vec_begin(p, sizeof(mm_gql_selection));
    do {
        mm_gql_selection sel;
        parse_selection(p, &sel);
        vec_push(p, &items, &sel);
    } while (!expect_optional(p, MM_GQL_TOK_BRACE_R));
    vec_finish(p, &items);
    leave(p);
    set->items = items.items;
    set->count = items.count;
    return set;
}

static bool peek_description(parser *p) {
    return peek(p, MM_GQL_TOK_STRING) || peek(p, MM_GQL_TOK_BLOCK_STRING);
}

static mm_gql_description parse_description(parser *p) {
    mm_gql_description d = {0};
    if (peek_description(p)) {
        d.chars = TOK.value;
        d.length = TOK.value_len;
        d.block = TOK.kind == MM_GQL_TOK_BLOCK_STRING;
        d.loc = TOK.loc;
        advance(p);
    }
    return d;
}

/* The executable definitions' optional description (graphql-js 16.15). */
static struct mm_gql_string_value *parse_description_ptr(parser *p) {
    if (!peek_description(p)) return NULL;
    mm_gql_description *d = alloc(p, sizeof(*d));
    *d = parse_description(p);
    return d;
}

static mm_gql_operation_type parse_operation_type(parser *p) {
    mm_gql_token t = expect(p, MM_GQL_TOK_NAME);
    if (token_is(&t, "query")) return MM_GQL_OP_QUERY;
    if (token_is(&t, "mutation")) return MM_GQL_OP_MUTATION;
    if (token_is(&t, "subscription")) return MM_GQL_OP_SUBSCRIPTION;
    unexpected(p, &t);
}

static void parse_operation(parser *p, mm_gql_definition *def) {
    mm_gql_operation *op = &def->u.operation;
    def->kind = MM_GQL_DEF_OPERATION;
    if (peek(p, MM_GQL_TOK_BRACE_L)) {
        op->operation = MM_GQL_OP_QUERY;
        op->shorthand = true;
        op->selection_set = parse_selection_set(p);
        return;
    }
    op->description = parse_description_ptr(p);
    op->operation = parse_operation_type(p);
    if (peek(p, MM_GQL_TOK_NAME)) op->name = parse_name(p);
    vec vars = vec_begin(p, sizeof(mm_gql_variable_definition));
    if (expect_optional(p, MM_GQL_TOK_PAREN_L)) {
        do {
            mm_gql_variable_definition var;
            memset(&var, 0, sizeof(var));
            var.loc = TOK.loc;
            var.description = parse_description_ptr(p);
            mm_gql_loc dollar = TOK.loc;
            expect(p, MM_GQL_TOK_DOLLAR);
            var.name = parse_name(p);
            var.name.loc = dollar;
            expect(p, MM_GQL_TOK_COLON);
            var.type = parse_type_ref(p);
            if (expect_optional(p, MM_GQL_TOK_EQUALS)) var.default_value = parse_value(p, true);
            parse_directives(p, true, &var.directives, &var.directive_count);
            vec_push(p, &vars, &var);
        } while (!expect_optional(p, MM_GQL_TOK_PAREN_R));
    }
    vec_finish(p, &vars);
    op->variables = vars.items;
    op->variable_count = vars.count;
    parse_directives(p, false, &op->directives, &op->directive_count);
    op->selection_set = parse_selection_set(p);
}

static void parse_fragment_definition(parser *p, mm_gql_definition *def) {
    mm_gql_fragment *f = &def->u.fragment;
    def->kind = MM_GQL_DEF_FRAGMENT;
    f->description = parse_description_ptr(p);
    expect_keyword(p, "fragment");
    f->name = parse_fragment_name(p);
    expect_keyword(p, "on");
    f->type_condition = parse_name(p);
    parse_directives(p, false, &f->directives, &f->directive_count);
    f->selection_set = parse_selection_set(p);
}

/* ---- type system -------------------------------------------------------- */

static void parse_input_value_def(parser *p, mm_gql_input_value_def *iv) {
    memset(iv, 0, sizeof(*iv));
    iv->loc = TOK.loc;
    iv->description = parse_description(p);
    iv->name = parse_name(p);
    expect(p, MM_GQL_TOK_COLON);
    iv->type = parse_type_ref(p);
    if (expect_optional(p, MM_GQL_TOK_EQUALS)) iv->default_value = parse_value(p, true);
    parse_directives(p, true, &iv->directives, &iv->directive_count);
}

/* optionalMany(open, InputValueDefinition, close) */
static void parse_input_values(parser *p, mm_gql_token_kind open, mm_gql_token_kind close,
                               mm_gql_input_value_def **out, size_t *count) {
    vec items = vec_begin(p, sizeof(mm_gql_input_value_def));
    if (expect_optional(p, open)) {
        do {
            mm_gql_input_value_def iv;
            parse_input_value_def(p, &iv);
            vec_push(p, &items, &iv);
        } while (!expect_optional(p, close));
    }
    vec_finish(p, &items);
    *out = items.items;
    *count = items.count;
}

static void parse_fields_definition(parser *p, mm_gql_type_def *td) {
    vec items = vec_begin(p, sizeof(mm_gql_field_def));
    if (expect_optional(p, MM_GQL_TOK_BRACE_L)) {
        do {
            mm_gql_field_def f;
            memset(&f, 0, sizeof(f));
            f.loc = TOK.loc;
            f.description = parse_description(p);
            f.name = parse_name(p);
            parse_input_values(p, MM_GQL_TOK_PAREN_L, MM_GQL_TOK_PAREN_R, &f.args, &f.arg_count);
            expect(p, MM_GQL_TOK_COLON);
            f.type = parse_type_ref(p);
            parse_directives(p, true, &f.directives, &f.directive_count);
            vec_push(p, &items, &f);
        } while (!expect_optional(p, MM_GQL_TOK_BRACE_R));
    }
    vec_finish(p, &items);
    td->fields = items.items;
    td->field_count = items.count;
}

/* delimitedMany(delimiter, NamedType) */
static void parse_named_list(parser *p, mm_gql_token_kind delimiter, mm_gql_name **out,
                             size_t *count) {
    vec items = vec_begin(p, sizeof(mm_gql_name));
    expect_optional(p, delimiter);
    do {
        mm_gql_name n = parse_name(p);
        vec_push(p, &items, &n);
    } while (expect_optional(p, delimiter));
    vec_finish(p, &items);
    *out = items.items;
    *count = items.count;
}

static void parse_implements(parser *p, mm_gql_type_def *td) {
    if (expect_optional_keyword(p, "implements"))
        parse_named_list(p, MM_GQL_TOK_AMP, &td->interfaces, &td->interface_count);
}

static void parse_union_members(parser *p, mm_gql_type_def *td) {
    if (expect_optional(p, MM_GQL_TOK_EQUALS))
        parse_named_list(p, MM_GQL_TOK_PIPE, &td->members, &td->member_count);
}

static void parse_enum_values(parser *p, mm_gql_type_def *td) {
    vec items = vec_begin(p, sizeof(mm_gql_enum_value_def));
    if (expect_optional(p, MM_GQL_TOK_BRACE_L)) {
        do {
            mm_gql_enum_value_def ev;
            memset(&ev, 0, sizeof(ev));
            ev.loc = TOK.loc;
            ev.description = parse_description(p);
            if (token_is(&TOK, "true") || token_is(&TOK, "false") || token_is(&TOK, "null")) {
                raise_error(p, MM_GQL_ERROR_SYNTAX, TOK.loc,
                            "%s is reserved and cannot be used for an enum value.",
                            token_desc(p, &TOK));
            }
            ev.name = parse_name(p);
            parse_directives(p, true, &ev.directives, &ev.directive_count);
            vec_push(p, &items, &ev);
        } while (!expect_optional(p, MM_GQL_TOK_BRACE_R));
    }
    vec_finish(p, &items);
    td->values = items.items;
    td->value_count = items.count;
}

static void parse_operation_types(parser *p, bool required, mm_gql_schema_def *sd) {
    vec items = vec_begin(p, sizeof(mm_gql_operation_type_def));
    if (required) expect(p, MM_GQL_TOK_BRACE_L);
    if (required || expect_optional(p, MM_GQL_TOK_BRACE_L)) {
        do {
            mm_gql_operation_type_def ot;
            ot.loc = TOK.loc;
            ot.operation = parse_operation_type(p);
            expect(p, MM_GQL_TOK_COLON);
            ot.type = parse_name(p);
            vec_push(p, &items, &ot);
        } while (!expect_optional(p, MM_GQL_TOK_BRACE_R));
    }
    vec_finish(p, &items);
    sd->operation_types = items.items;
    sd->operation_type_count = items.count;
}

/* The body of a type definition or extension after "type"/"extend type"
 * etc. and the name. */
static void parse_type_body(parser *p, mm_gql_type_def *td) {
    switch (td->kind) {
    case MM_GQL_TYPEDEF_SCALAR:
        parse_directives(p, true, &td->directives, &td->directive_count);
        break;
    case MM_GQL_TYPEDEF_OBJECT:
    case MM_GQL_TYPEDEF_INTERFACE:
        parse_implements(p, td);
        parse_directives(p, true, &td->directives, &td->directive_count);
        parse_fields_definition(p, td);
        break;
    case MM_GQL_TYPEDEF_UNION:
        parse_directives(p, true, &td->directives, &td->directive_count);
        parse_union_members(p, td);
        break;
    case MM_GQL_TYPEDEF_ENUM:
        parse_directives(p, true, &td->directives, &td->directive_count);
        parse_enum_values(p, td);
        break;
    case MM_GQL_TYPEDEF_INPUT_OBJECT:
        parse_directives(p, true, &td->directives, &td->directive_count);
        parse_input_values(p, MM_GQL_TOK_BRACE_L, MM_GQL_TOK_BRACE_R, &td->input_fields,
                           &td->input_field_count);
        break;
    }
}

static const struct {
    const char *word;
    mm_gql_type_def_kind kind;
} type_keywords[] = {
    {"scalar", MM_GQL_TYPEDEF_SCALAR},       {"type", MM_GQL_TYPEDEF_OBJECT},
    {"interface", MM_GQL_TYPEDEF_INTERFACE}, {"union", MM_GQL_TYPEDEF_UNION},
    {"enum", MM_GQL_TYPEDEF_ENUM},           {"input", MM_GQL_TYPEDEF_INPUT_OBJECT},
};

static int type_keyword(const mm_gql_token *t) {
    if (t->kind != MM_GQL_TOK_NAME) return -1;
    for (size_t i = 0; i < sizeof(type_keywords) / sizeof(type_keywords[0]); i++)
        if (token_is(t, type_keywords[i].word)) return (int)i;
    return -1;
}

static void parse_type_definition(parser *p, mm_gql_definition *def, int kw) {
    mm_gql_type_def *td = &def->u.type;
    def->kind = MM_GQL_DEF_TYPE;
    td->kind = type_keywords[kw].kind;
    td->description = parse_description(p);
    expect_keyword(p, type_keywords[kw].word);
    td->name = parse_name(p);
    parse_type_body(p, td);
}

static void parse_schema_definition(parser *p, mm_gql_definition *def) {
    mm_gql_schema_def *sd = &def->u.schema;
    def->kind = MM_GQL_DEF_SCHEMA;
    sd->description = parse_description(p);
    expect_keyword(p, "schema");
    parse_directives(p, true, &sd->directives, &sd->directive_count);
    parse_operation_types(p, true, sd);
}

static void parse_directive_definition(parser *p, mm_gql_definition *def) {
    mm_gql_directive_def *dd = &def->u.directive;
    def->kind = MM_GQL_DEF_DIRECTIVE;
    dd->description = parse_description(p);
    expect_keyword(p, "directive");
    expect(p, MM_GQL_TOK_AT);
    dd->name = parse_name(p);
    parse_input_values(p, MM_GQL_TOK_PAREN_L, MM_GQL_TOK_PAREN_R, &dd->args, &dd->arg_count);
    dd->repeatable = expect_optional_keyword(p, "repeatable");
    expect_keyword(p, "on");
    vec locs = vec_begin(p, sizeof(mm_gql_name));
    expect_optional(p, MM_GQL_TOK_PIPE);
    do {
        mm_gql_token start = TOK;
        mm_gql_name n = parse_name(p);
        if (!mm_gql_directive_location_bit(n.value)) unexpected(p, &start);
        vec_push(p, &locs, &n);
    } while (expect_optional(p, MM_GQL_TOK_PIPE));
    vec_finish(p, &locs);
    dd->locations = locs.items;
    dd->location_count = locs.count;
}

static void parse_extension(parser *p, mm_gql_definition *def) {
    mm_gql_token kw = lookahead(p);
    if (kw.kind == MM_GQL_TOK_NAME && token_is(&kw, "schema")) {
        mm_gql_schema_def *sd = &def->u.schema;
        def->kind = MM_GQL_DEF_SCHEMA;
        sd->is_extension = true;
        expect_keyword(p, "extend");
        expect_keyword(p, "schema");
        parse_directives(p, true, &sd->directives, &sd->directive_count);
        parse_operation_types(p, false, sd);
        if (sd->directive_count == 0 && sd->operation_type_count == 0) unexpected(p, &TOK);
        return;
    }
    int k = type_keyword(&kw);
    if (k < 0) unexpected(p, &kw);
    mm_gql_type_def *td = &def->u.type;
    def->kind = MM_GQL_DEF_TYPE;
    td->kind = type_keywords[k].kind;
    td->is_extension = true;
    expect_keyword(p, "extend");
    expect_keyword(p, type_keywords[k].word);
    td->name = parse_name(p);
    parse_type_body(p, td);
    /* graphql-js: an extension must add something. */
    if (td->directive_count == 0 && td->interface_count == 0 && td->field_count == 0 &&
        td->input_field_count == 0 && td->member_count == 0 && td->value_count == 0)
        unexpected(p, &TOK);
}

/* ---- documents ----------------------------------------------------------- */

static void parse_definition(parser *p, mm_gql_definition *def) {
    memset(def, 0, sizeof(*def));
    def->loc = TOK.loc;
    if (peek(p, MM_GQL_TOK_BRACE_L)) {
        parse_operation(p, def);
        return;
    }
    bool has_description = peek_description(p);
    mm_gql_token kw = has_description ? lookahead(p) : TOK;
    if (has_description && kw.kind == MM_GQL_TOK_BRACE_L)
        raise_error(p, MM_GQL_ERROR_SYNTAX, TOK.loc,
                    "Unexpected description, descriptions are not supported on shorthand queries.");
    if (kw.kind == MM_GQL_TOK_NAME) {
        if (token_is(&kw, "schema")) {
            parse_schema_definition(p, def);
            return;
        }
        int k = type_keyword(&kw);
        if (k >= 0) {
            parse_type_definition(p, def, k);
            return;
        }
        if (token_is(&kw, "directive")) {
            parse_directive_definition(p, def);
            return;
        }
        if (token_is(&kw, "query") || token_is(&kw, "mutation") || token_is(&kw, "subscription")) {
            parse_operation(p, def);
            return;
        }
        if (token_is(&kw, "fragment")) {
            parse_fragment_definition(p, def);
            return;
        }
        if (has_description)
            raise_error(p, MM_GQL_ERROR_SYNTAX, TOK.loc,
                        "Unexpected description, only GraphQL definitions support descriptions.");
        if (token_is(&kw, "extend")) {
            parse_extension(p, def);
            return;
        }
    }
    unexpected(p, &kw);
}

static bool start(parser *p, mm_arena *arena, const char *source, size_t length,
                  const mm_gql_parse_limits *limits, mm_gql_errors *errors) {
    memset(p, 0, sizeof(*p));
    p->arena = arena;
    p->errors = errors;
    if (!limits) limits = &mm_gql_default_parse_limits;
    p->max_tokens = limits->max_tokens;
    p->max_depth = limits->max_depth && limits->max_depth < HARD_MAX_DEPTH ? limits->max_depth
                                                                           : HARD_MAX_DEPTH;
    if (limits->max_bytes && length > limits->max_bytes) {
        mm_gql_errors_add(errors, MM_GQL_ERROR_LIMIT, NULL, 0,
                          "Syntax Error: Document is larger than the limit of %zu bytes.",
                          limits->max_bytes);
        return false;
    }
    mm_gql_lexer_init(&p->lx, arena, source, length);
    return true;
}

/* Frees the scratch stack if it moved to the heap. */
static void finish(parser *p) {
    if (p->scratch_on_heap) free(p->scratch);
    p->scratch = NULL;
    p->scratch_on_heap = false;
}

/* The functions that call setjmp keep no state of their own: everything
 * lives in *p, which belongs to their caller, so nothing they need is
 * indeterminate after a longjmp. */
static mm_gql_document *parse_document(parser *p, const char *source, size_t length) {
    if (setjmp(p->jmp)) return NULL;
    mm_gql_document *doc = alloc(p, sizeof(*doc));
    doc->source = source;
    doc->source_length = length;
    expect(p, MM_GQL_TOK_SOF);
    vec defs = vec_begin(p, sizeof(mm_gql_definition));
    do {
        mm_gql_definition def;
        parse_definition(p, &def);
        vec_push(p, &defs, &def);
    } while (!expect_optional(p, MM_GQL_TOK_EOF));
    vec_finish(p, &defs);
    doc->definitions = defs.items;
    doc->definition_count = defs.count;
    return doc;
}

static mm_gql_value *parse_whole_value(parser *p) {
    if (setjmp(p->jmp)) return NULL;
    expect(p, MM_GQL_TOK_SOF);
    mm_gql_value *v = parse_value(p, false);
    expect(p, MM_GQL_TOK_EOF);
    return v;
}

static mm_gql_type_ref *parse_whole_type(parser *p) {
    if (setjmp(p->jmp)) return NULL;
    expect(p, MM_GQL_TOK_SOF);
    mm_gql_type_ref *t = parse_type_ref(p);
    expect(p, MM_GQL_TOK_EOF);
    return t;
}

/* Small documents never touch the heap: the scratch stack starts here. */
#define SCRATCH_INITIAL 2048

mm_gql_document *mm_gql_parse(mm_arena *arena, const char *source, size_t length,
                              const mm_gql_parse_limits *limits, mm_gql_errors *errors) {
    parser p;
    _Alignas(max_align_t) char scratch[SCRATCH_INITIAL];
    if (!start(&p, arena, source, length, limits, errors)) return NULL;
    p.scratch = scratch;
    p.scratch_cap = sizeof(scratch);
    mm_gql_document *doc = parse_document(&p, source, length);
    finish(&p);
    return doc;
}

mm_gql_value *mm_gql_parse_value(mm_arena *arena, const char *source, size_t length,
                                 mm_gql_errors *errors) {
    parser p;
    _Alignas(max_align_t) char scratch[SCRATCH_INITIAL];
    if (!start(&p, arena, source, length, NULL, errors)) return NULL;
    p.scratch = scratch;
    p.scratch_cap = sizeof(scratch);
    mm_gql_value *v = parse_whole_value(&p);
    finish(&p);
    return v;
}

mm_gql_type_ref *mm_gql_parse_type(mm_arena *arena, const char *source, size_t length,
                                   mm_gql_errors *errors) {
    parser p;
    _Alignas(max_align_t) char scratch[SCRATCH_INITIAL];
    if (!start(&p, arena, source, length, NULL, errors)) return NULL;
    p.scratch = scratch;
    p.scratch_cap = sizeof(scratch);
    mm_gql_type_ref *t = parse_whole_type(&p);
    finish(&p);
    return t;
}
