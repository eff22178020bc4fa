/* values.c -- coercion of variables, arguments and literals (see values.h).
 *
 * Mirrors graphql-js 16's values.ts, coerceInputValue.ts, valueFromAST.ts and
 * didYouMean/suggestionList, because clients and the differential tests
 * compare our messages with theirs byte for byte. inspect() and print() come
 * from scalars.h and ast_print.h. */
#include "graphql/execution/values.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "graphql/language/ast_print.h"
#include "common/strbuf.h"
#include "graphql/type/scalars.h"

/* ---- messages: built in a common/strbuf.h buffer, copied into the arena -- */

static const char *sb_finish(mm_strbuf *sb, mm_arena *arena) {
    const char *text = mm_strbuf_str(sb);
    const char *out = text ? mm_arena_strndup(arena, text, sb->len) : NULL;
    mm_strbuf_free(sb);
    return out ? out : "";
}

static const char *literal_text(const mm_gql_value *node, mm_arena *arena) {
    const char *s = mm_gql_print_value(node, arena);
    return s ? s : "";
}

static const char *type_ref_text(const mm_gql_type_ref *ref, mm_arena *arena) {
    const char *s = mm_gql_print_type(ref, arena);
    return s ? s : "";
}

/* ---- suggestions (graphql-js suggestionList + didYouMean) --------------- */

/* Damerau-Levenshtein distance (optimal string alignment), case-insensitive
 * after an exact/case-only shortcut; -1 when above threshold. */
static int lexical_distance(const char *input, const char *option, int threshold) {
    if (strcmp(input, option) == 0) return 0;
    if (strcasecmp(input, option) == 0) return 1;
    const char *a = option, *b = input;
    size_t alen = strlen(a), blen = strlen(b);
    if (alen < blen) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = alen;
        alen = blen;
        blen = tl;
    }
    if ((long)alen - (long)blen > threshold) return -1;
    int *rows = malloc(3 * (blen + 1) * sizeof(int));
    if (!rows) return -1;
#define ROW(i) (rows + ((i) % 3) * (blen + 1))
    for (size_t j = 0; j <= blen; j++) ROW(0)[j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        int *up = ROW(i - 1), *cur = ROW(i);
        int smallest = cur[0] = (int)i;
        for (size_t j = 1; j <= blen; j++) {
            char ai = (char)tolower((unsigned char)a[i - 1]);
            char bj = (char)tolower((unsigned char)b[j - 1]);
            int cost = ai == bj ? 0 : 1;
            int cell = up[j] + 1;
            if (cur[j - 1] + 1 < cell) cell = cur[j - 1] + 1;
            if (up[j - 1] + cost < cell) cell = up[j - 1] + cost;
            if (i > 1 && j > 1 && ai == (char)tolower((unsigned char)b[j - 2]) &&
                (char)tolower((unsigned char)a[i - 2]) == bj) {
                int dd = ROW(i - 2)[j - 2] + 1;
                if (dd < cell) cell = dd;
            }
            if (cell < smallest) smallest = cell;
            cur[j] = cell;
        }
        if (smallest > threshold) {
            free(rows);
            return -1;
        }
    }
    int d = ROW(alen)[blen];
#undef ROW
    free(rows);
    return d <= threshold ? d : -1;
}

/* graphql-js naturalCompare: digit runs compare as numbers. */
static int natural_compare(const char *a, const char *b) {
    size_t ai = 0, bi = 0, al = strlen(a), bl = strlen(b);
    while (ai < al && bi < bl) {
        int ac = (unsigned char)a[ai], bc = (unsigned char)b[bi];
        if (ac >= '0' && ac <= '9' && bc >= '0' && bc <= '9') {
            double an = 0, bn = 0;
            do {
                ++ai;
                an = an * 10 + (ac - '0');
                ac = ai < al ? (unsigned char)a[ai] : 0;
            } while (ac >= '0' && ac <= '9' && an > 0);
            do {
                ++bi;
                bn = bn * 10 + (bc - '0');
                bc = bi < bl ? (unsigned char)b[bi] : 0;
            } while (bc >= '0' && bc <= '9' && bn > 0);
            if (an < bn) return -1;
            if (an > bn) return 1;
        } else {
            if (ac < bc) return -1;
            if (ac > bc) return 1;
            ++ai;
            ++bi;
        }
    }
    return al < bl ? -1 : al > bl ? 1 : 0;
}

typedef struct suggestion {
    const char *name;
    int distance;
} suggestion;

static int suggestion_cmp(const void *x, const void *y) {
    const suggestion *a = x, *b = y;
    if (a->distance != b->distance) return a->distance < b->distance ? -1 : 1;
    return natural_compare(a->name, b->name);
}

const char *mm_gql_values_did_you_mean(const char *sub_message, const char *input,
                                       const char *const *options, size_t option_count,
                                       mm_arena *arena) {
    if (option_count == 0) return "";
    suggestion *s = malloc(option_count * sizeof(*s));
    if (!s) return "";
    int threshold = (int)(strlen(input) * 4 / 10) + 1; /* floor(len * 0.4) + 1 */
    size_t n = 0;
    for (size_t i = 0; i < option_count; i++) {
        bool dup = false; /* graphql-js keys an object by option: duplicates collapse */
        for (size_t j = 0; j < n; j++)
            if (strcmp(s[j].name, options[i]) == 0) dup = true;
        if (dup) continue;
        int d = lexical_distance(input, options[i], threshold);
        if (d >= 0) s[n++] = (suggestion){options[i], d};
    }
    if (n == 0) {
        free(s);
        return "";
    }
    qsort(s, n, sizeof(*s), suggestion_cmp);
    if (n > 5) n = 5;
    mm_strbuf sb = MM_STRBUF_INIT;
    mm_strbuf_puts(&sb, " Did you mean ");
    if (sub_message) {
        mm_strbuf_puts(&sb, sub_message);
        mm_strbuf_puts(&sb, " ");
    }
    for (size_t i = 0; i < n; i++) {
        if (i > 0) mm_strbuf_puts(&sb, n == 2 ? " or " : (i == n - 1 ? ", or " : ", "));
        mm_strbuf_printf(&sb, "\"%s\"", s[i].name);
    }
    mm_strbuf_puts(&sb, "?");
    free(s);
    return sb_finish(&sb, arena);
}

/* ---- enums ------------------------------------------------------------- */

static const char *enum_suggestions(const mm_gql_type *type, const char *input, mm_arena *arena) {
    const char **names = mm_arena_alloc(arena, (type->enum_value_count + 1) * sizeof(*names));
    if (!names) return "";
    for (size_t i = 0; i < type->enum_value_count; i++) names[i] = type->enum_values[i].name;
    return mm_gql_values_did_you_mean("the enum value", input, names, type->enum_value_count,
                                      arena);
}

json_t *mm_gql_enum_serialize(const mm_gql_type *type, json_t *value, mm_arena *arena,
                              const char **error) {
    if (json_is_string(value) && mm_gql_type_find_enum_value(type, json_string_value(value)))
        return json_string(json_string_value(value));
    *error = mm_arena_sprintf(arena, "Enum \"%s\" cannot represent value: %s", type->name,
                              mm_gql_inspect(value, arena));
    return NULL;
}

json_t *mm_gql_enum_parse_value(const mm_gql_type *type, json_t *value, bool hide_suggestions,
                                mm_arena *arena, const char **error) {
    if (!json_is_string(value)) {
        const char *str = mm_gql_inspect(value, arena);
        *error = mm_arena_sprintf(arena, "Enum \"%s\" cannot represent non-string value: %s.%s",
                                  type->name, str,
                                  hide_suggestions ? "" : enum_suggestions(type, str, arena));
        return NULL;
    }
    const char *s = json_string_value(value);
    if (!mm_gql_type_find_enum_value(type, s)) {
        *error =
            mm_arena_sprintf(arena, "Value \"%s\" does not exist in \"%s\" enum.%s", s, type->name,
                             hide_suggestions ? "" : enum_suggestions(type, s, arena));
        return NULL;
    }
    return json_string(s);
}

/* ---- valueFromASTUntyped ------------------------------------------------ */

static json_t *number_from_raw(const char *raw, bool is_float) {
    if (!is_float) {
        errno = 0;
        char *end;
        long long v = strtoll(raw, &end, 10);
        if (errno == 0 && *end == '\0') return json_integer((json_int_t)v);
    }
    return json_real(strtod(raw, NULL));
}

/* graphql-js valueFromASTUntyped (custom scalars without parse_literal). */
static json_t *from_ast_untyped(const mm_gql_value *node, json_t *variables) {
    switch (node->kind) {
    case MM_GQL_VALUE_NULL: return json_null();
    case MM_GQL_VALUE_INT: return number_from_raw(node->u.raw, false);
    case MM_GQL_VALUE_FLOAT: return number_from_raw(node->u.raw, true);
    case MM_GQL_VALUE_STRING: return json_stringn(node->u.string.chars, node->u.string.length);
    case MM_GQL_VALUE_ENUM: return json_string(node->u.name);
    case MM_GQL_VALUE_BOOLEAN: return json_boolean(node->u.boolean);
    case MM_GQL_VALUE_LIST: {
        json_t *arr = json_array();
        for (size_t i = 0; i < node->u.list.count; i++) {
            json_t *item = from_ast_untyped(node->u.list.items[i], variables);
            /* JavaScript keeps undefined in arrays; JSON turns it into null */
            json_array_append_new(arr, item ? item : json_null());
        }
        return arr;
    }
    case MM_GQL_VALUE_OBJECT: {
        json_t *obj = json_object();
        for (size_t i = 0; i < node->u.object.count; i++) {
            json_t *item = from_ast_untyped(node->u.object.fields[i].value, variables);
            if (item) json_object_set_new(obj, node->u.object.fields[i].name.value, item);
        }
        return obj;
    }
    case MM_GQL_VALUE_VARIABLE: {
        json_t *v = variables ? json_object_get(variables, node->u.name) : NULL;
        return v ? json_incref(v) : NULL;
    }
    }
    return NULL;
}

/* ---- valueFromAST -------------------------------------------------------- */

static bool is_missing_variable(const mm_gql_value *node, json_t *variables) {
    return node->kind == MM_GQL_VALUE_VARIABLE &&
           (!variables || !json_object_get(variables, node->u.name));
}

/* The coerced default of an argument or input field, or NULL when it has none
 * (or its literal is invalid, which schema validation should have refused). */
static json_t *default_value(const mm_gql_input_value *iv, mm_arena *arena) {
    if (!iv->default_value) return NULL;
    return mm_gql_value_from_ast(iv->default_value, iv->type, NULL, arena);
}

json_t *mm_gql_value_from_ast(const mm_gql_value *node, const mm_gql_type *type, json_t *variables,
                              mm_arena *arena) {
    if (!node || !type) return NULL;
    if (node->kind == MM_GQL_VALUE_VARIABLE) {
        json_t *v = variables ? json_object_get(variables, node->u.name) : NULL;
        if (!v) return NULL;
        if (json_is_null(v) && type->kind == MM_GQL_NON_NULL) return NULL;
        return json_incref(v);
    }
    if (type->kind == MM_GQL_NON_NULL) {
        if (node->kind == MM_GQL_VALUE_NULL) return NULL;
        return mm_gql_value_from_ast(node, type->of_type, variables, arena);
    }
    if (node->kind == MM_GQL_VALUE_NULL) return json_null();
    switch (type->kind) {
    case MM_GQL_LIST: {
        const mm_gql_type *item_type = type->of_type;
        if (node->kind != MM_GQL_VALUE_LIST) {
            json_t *one = mm_gql_value_from_ast(node, item_type, variables, arena);
            if (!one) return NULL;
            json_t *arr = json_array();
            json_array_append_new(arr, one);
            return arr;
        }
        json_t *arr = json_array();
        for (size_t i = 0; i < node->u.list.count; i++) {
            const mm_gql_value *item = node->u.list.items[i];
            json_t *v;
            if (is_missing_variable(item, variables)) {
                if (item_type->kind == MM_GQL_NON_NULL) {
                    json_decref(arr);
                    return NULL;
                }
                v = json_null();
            } else {
                v = mm_gql_value_from_ast(item, item_type, variables, arena);
                if (!v) {
                    json_decref(arr);
                    return NULL;
                }
            }
            json_array_append_new(arr, v);
        }
        return arr;
    }
    case MM_GQL_INPUT_OBJECT: {
        if (node->kind != MM_GQL_VALUE_OBJECT) return NULL;
        json_t *obj = json_object();
        for (size_t f = 0; f < type->input_field_count; f++) {
            const mm_gql_input_value *field = &type->input_fields[f];
            const mm_gql_value *fv = NULL;
            for (size_t i = 0; i < node->u.object.count; i++)
                if (strcmp(node->u.object.fields[i].name.value, field->name) == 0) {
                    fv = node->u.object.fields[i].value;
                    break;
                }
            if (!fv || is_missing_variable(fv, variables)) {
                json_t *dv = default_value(field, arena);
                if (dv)
                    json_object_set_new(obj, field->name, dv);
                else if (field->type->kind == MM_GQL_NON_NULL) {
                    json_decref(obj);
                    return NULL;
                }
                continue;
            }
            json_t *v = mm_gql_value_from_ast(fv, field->type, variables, arena);
            if (!v) {
                json_decref(obj);
                return NULL;
            }
            json_object_set_new(obj, field->name, v);
        }
        /* @oneOf: exactly one key, and not null */
        if (type->is_one_of && (json_object_size(obj) != 1 ||
                                json_is_null(json_object_iter_value(json_object_iter(obj))))) {
            json_decref(obj);
            return NULL;
        }
        return obj;
    }
    case MM_GQL_ENUM:
        if (node->kind != MM_GQL_VALUE_ENUM || !mm_gql_type_find_enum_value(type, node->u.name))
            return NULL;
        return json_string(node->u.name);
    case MM_GQL_SCALAR: {
        if (!type->parse_literal) return from_ast_untyped(node, variables);
        const char *err = NULL;
        json_t *v = type->parse_literal(type->scalar_ud, node, variables, arena, &err);
        return v;
    }
    default: return NULL;
    }
}

/* ---- coerceInputValue ----------------------------------------------------- */

typedef struct coerce_ctx {
    mm_arena *arena;
    mm_gql_coerce_error_fn on_error;
    void *ud;
    mm_gql_path_segment *path;
    size_t depth, cap;
    bool failed;
    bool hide_suggestions;
} coerce_ctx;

static bool path_push(coerce_ctx *c, const char *key, size_t index) {
    if (c->depth == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        mm_gql_path_segment *np = mm_arena_alloc(c->arena, cap * sizeof(*np));
        if (!np) return false;
        if (c->depth) memcpy(np, c->path, c->depth * sizeof(*np));
        c->path = np;
        c->cap = cap;
    }
    c->path[c->depth++] = (mm_gql_path_segment){key, index};
    return true;
}

static void report(coerce_ctx *c, json_t *invalid, const char *message) {
    c->failed = true;
    if (c->on_error) c->on_error(c->ud, c->path, c->depth, invalid, message);
}

static json_t *coerce(coerce_ctx *c, json_t *input, const mm_gql_type *type) {
    if (type->kind == MM_GQL_NON_NULL) {
        if (input && !json_is_null(input)) return coerce(c, input, type->of_type);
        report(c, input,
               mm_arena_sprintf(c->arena, "Expected non-nullable type \"%s\" not to be null.",
                                mm_gql_type_to_string(type, c->arena)));
        return NULL;
    }
    if (!input || json_is_null(input)) return json_null();
    switch (type->kind) {
    case MM_GQL_LIST: {
        if (!json_is_array(input)) { /* a single value stands for a list of one */
            json_t *one = coerce(c, input, type->of_type);
            if (!one) return NULL;
            json_t *wrapped = json_array();
            json_array_append_new(wrapped, one);
            return wrapped;
        }
        json_t *arr = json_array();
        bool ok = true;
        for (size_t i = 0; i < json_array_size(input); i++) {
            if (!path_push(c, NULL, i)) {
                json_decref(arr);
                return NULL;
            }
            json_t *v = coerce(c, json_array_get(input, i), type->of_type);
            c->depth--;
            if (!v)
                ok = false;
            else
                json_array_append_new(arr, v);
        }
        if (!ok) {
            json_decref(arr);
            return NULL;
        }
        return arr;
    }
    case MM_GQL_INPUT_OBJECT: {
        if (!json_is_object(input)) { /* graphql-js 16.15 refuses arrays here too */
            report(c, input,
                   mm_arena_sprintf(c->arena, "Expected type \"%s\" to be an object.", type->name));
            return NULL;
        }
        json_t *obj = json_object();
        bool ok = true;
        /* JavaScript keeps a key whose coercion failed (as undefined): @oneOf counts them */
        size_t key_count = 0;
        const char *first_key = NULL;
        bool first_null = false;
        for (size_t f = 0; f < type->input_field_count; f++) {
            const mm_gql_input_value *field = &type->input_fields[f];
            json_t *fv = json_object_get(input, field->name);
            if (!fv) {
                json_t *dv = default_value(field, c->arena);
                if (dv) {
                    if (key_count++ == 0) {
                        first_key = field->name;
                        first_null = json_is_null(dv);
                    }
                    json_object_set_new(obj, field->name, dv);
                } else if (field->type->kind == MM_GQL_NON_NULL) {
                    report(c, input,
                           mm_arena_sprintf(
                               c->arena, "Field \"%s\" of required type \"%s\" was not provided.",
                               field->name, mm_gql_type_to_string(field->type, c->arena)));
                    ok = false;
                }
                continue;
            }
            if (!path_push(c, field->name, 0)) {
                json_decref(obj);
                return NULL;
            }
            json_t *v = coerce(c, fv, field->type);
            c->depth--;
            if (key_count++ == 0) {
                first_key = field->name;
                first_null = v && json_is_null(v);
            }
            if (!v)
                ok = false;
            else
                json_object_set_new(obj, field->name, v);
        }
        /* Unknown fields, with suggestions from the defined ones. */
        const char **names =
            mm_arena_alloc(c->arena, (type->input_field_count + 1) * sizeof(*names));
        for (size_t f = 0; names && f < type->input_field_count; f++)
            names[f] = type->input_fields[f].name;
        const char *key;
        json_t *item;
        json_object_foreach(input, key, item) {
            if (mm_gql_type_find_input_field(type, key)) continue;
            report(c, input,
                   mm_arena_sprintf(c->arena, "Field \"%s\" is not defined by type \"%s\".%s", key,
                                    type->name,
                                    names && !c->hide_suggestions
                                        ? mm_gql_values_did_you_mean(
                                              NULL, key, names, type->input_field_count, c->arena)
                                        : ""));
            ok = false;
        }
        if (type->is_one_of) {
            if (key_count != 1) {
                report(c, input,
                       mm_arena_sprintf(c->arena,
                                        "Exactly one key must be specified for OneOf type \"%s\".",
                                        type->name));
                ok = false;
            }
            if (first_key && first_null) {
                json_t *null_value = json_null();
                if (path_push(c, first_key, 0)) {
                    report(c, null_value,
                           mm_arena_sprintf(c->arena, "Field \"%s\" must be non-null.", first_key));
                    c->depth--;
                }
                ok = false;
            }
        }
        if (!ok) {
            json_decref(obj);
            return NULL;
        }
        return obj;
    }
    case MM_GQL_ENUM: {
        const char *err = NULL;
        json_t *v = mm_gql_enum_parse_value(type, input, c->hide_suggestions, c->arena, &err);
        if (!v)
            report(c, input,
                   err ? err : mm_arena_sprintf(c->arena, "Expected type \"%s\".", type->name));
        return v;
    }
    case MM_GQL_SCALAR: {
        if (!type->parse_value) return json_incref(input);
        const char *err = NULL;
        json_t *v = type->parse_value(type->scalar_ud, input, c->arena, &err);
        if (!v)
            report(c, input,
                   err ? err : mm_arena_sprintf(c->arena, "Expected type \"%s\".", type->name));
        return v;
    }
    default:
        report(c, input,
               mm_arena_sprintf(c->arena, "Expected type \"%s\".",
                                mm_gql_type_to_string(type, c->arena)));
        return NULL;
    }
}

json_t *mm_gql_coerce_input_value(json_t *input, const mm_gql_type *type, mm_arena *arena,
                                  mm_gql_coerce_error_fn on_error, void *ud) {
    return mm_gql_coerce_input_value_ex(input, type, arena, false, on_error, ud);
}

json_t *mm_gql_coerce_input_value_ex(json_t *input, const mm_gql_type *type, mm_arena *arena,
                                     bool hide_suggestions, mm_gql_coerce_error_fn on_error,
                                     void *ud) {
    coerce_ctx c = {
        .arena = arena, .on_error = on_error, .ud = ud, .hide_suggestions = hide_suggestions};
    json_t *v = coerce(&c, input, type);
    if (c.failed) {
        json_decref(v);
        return NULL;
    }
    return v;
}

/* ---- getVariableValues ---------------------------------------------------- */

typedef struct var_ctx {
    mm_gql_errors *errors;
    const mm_gql_variable_definition *def;
    size_t max_errors;
    size_t count;
    bool aborted;
} var_ctx;

/* Adds one variable error unless the limit is reached, in which case the
 * limit error is added once and coercion stops (graphql-js maxErrors). */
static bool var_error_at(var_ctx *v, const mm_gql_loc *loc, const char *message) {
    if (v->aborted) return false;
    if (v->max_errors && v->count >= v->max_errors) {
        mm_gql_errors_add(
            v->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
            "Too many errors processing variables, error limit reached. Execution aborted.");
        v->aborted = true;
        return false;
    }
    mm_gql_errors_add(v->errors, MM_GQL_ERROR_REQUEST, loc, 1, "%s", message);
    v->count++;
    return true;
}

static bool var_error(var_ctx *v, const char *message) {
    return var_error_at(v, &v->def->loc, message);
}

static void on_variable_error(void *ud, const mm_gql_path_segment *path, size_t path_length,
                              json_t *invalid, const char *message) {
    var_ctx *v = ud;
    mm_arena *arena = v->errors->arena;
    mm_strbuf sb = MM_STRBUF_INIT;
    mm_strbuf_printf(&sb, "Variable \"$%s\" got invalid value %s", v->def->name.value,
                     mm_gql_inspect(invalid, arena));
    if (path_length > 0) {
        mm_strbuf_printf(&sb, " at \"%s", v->def->name.value);
        for (size_t i = 0; i < path_length; i++) {
            if (path[i].key)
                mm_strbuf_printf(&sb, ".%s", path[i].key);
            else
                mm_strbuf_printf(&sb, "[%zu]", path[i].index);
        }
        mm_strbuf_puts(&sb, "\"");
    }
    mm_strbuf_puts(&sb, "; ");
    mm_strbuf_puts(&sb, message);
    var_error(v, sb_finish(&sb, arena));
}

json_t *mm_gql_coerce_variable_values(mm_gql_schema *schema, const mm_gql_operation *operation,
                                      json_t *inputs, size_t max_errors, bool hide_suggestions,
                                      mm_gql_errors *errors) {
    mm_arena *arena = errors->arena;
    var_ctx v = {.errors = errors, .max_errors = max_errors};
    json_t *out = json_object();
    for (size_t i = 0; i < operation->variable_count && !v.aborted; i++) {
        const mm_gql_variable_definition *def = &operation->variables[i];
        const char *name = def->name.value;
        v.def = def;
        mm_gql_type *type = mm_gql_type_from_ast(schema, def->type);
        if (!type || !mm_gql_is_input_type(type)) {
            /* graphql-js blames the type node here */
            var_error_at(&v, &def->type->loc,
                         mm_arena_sprintf(arena,
                                          "Variable \"$%s\" expected value of type \"%s\" which "
                                          "cannot be used as an input type.",
                                          name, type_ref_text(def->type, arena)));
            continue;
        }
        json_t *input = json_is_object(inputs) ? json_object_get(inputs, name) : NULL;
        if (!input) {
            if (def->default_value) {
                json_t *dv = mm_gql_value_from_ast(def->default_value, type, NULL, arena);
                if (dv) json_object_set_new(out, name, dv);
            } else if (type->kind == MM_GQL_NON_NULL) {
                var_error(&v,
                          mm_arena_sprintf(
                              arena, "Variable \"$%s\" of required type \"%s\" was not provided.",
                              name, mm_gql_type_to_string(type, arena)));
            }
            continue;
        }
        if (json_is_null(input) && type->kind == MM_GQL_NON_NULL) {
            var_error(&v, mm_arena_sprintf(
                              arena, "Variable \"$%s\" of non-null type \"%s\" must not be null.",
                              name, mm_gql_type_to_string(type, arena)));
            continue;
        }
        json_t *coerced = mm_gql_coerce_input_value_ex(input, type, arena, hide_suggestions,
                                                       on_variable_error, &v);
        if (coerced) json_object_set_new(out, name, coerced);
    }
    if (v.count > 0 || v.aborted) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* ---- getArgumentValues ------------------------------------------------------ */

json_t *mm_gql_get_argument_values(const mm_gql_input_value *defs, size_t def_count,
                                   const mm_gql_argument *nodes, size_t node_count,
                                   mm_gql_loc node_loc, json_t *variables, mm_arena *arena,
                                   const char **message, mm_gql_loc *loc) {
    json_t *out = json_object();
    for (size_t d = 0; d < def_count; d++) {
        const mm_gql_input_value *def = &defs[d];
        const mm_gql_argument *arg = NULL;
        for (size_t i = 0; i < node_count; i++)
            if (strcmp(nodes[i].name.value, def->name) == 0) {
                arg = &nodes[i];
                break;
            }
        bool non_null = def->type->kind == MM_GQL_NON_NULL;
        if (!arg) {
            json_t *dv = default_value(def, arena);
            if (dv)
                json_object_set_new(out, def->name, dv);
            else if (non_null) {
                *message = mm_arena_sprintf(
                    arena, "Argument \"%s\" of required type \"%s\" was not provided.", def->name,
                    mm_gql_type_to_string(def->type, arena));
                *loc = node_loc;
                goto fail;
            }
            continue;
        }
        const mm_gql_value *vn = arg->value;
        bool is_null = vn->kind == MM_GQL_VALUE_NULL;
        if (vn->kind == MM_GQL_VALUE_VARIABLE) {
            json_t *var = variables ? json_object_get(variables, vn->u.name) : NULL;
            if (!var) {
                json_t *dv = default_value(def, arena);
                if (dv)
                    json_object_set_new(out, def->name, dv);
                else if (non_null) {
                    *message = mm_arena_sprintf(
                        arena,
                        "Argument \"%s\" of required type \"%s\" was provided the variable \"$%s\" "
                        "which was not provided a runtime value.",
                        def->name, mm_gql_type_to_string(def->type, arena), vn->u.name);
                    *loc = vn->loc;
                    goto fail;
                }
                continue;
            }
            is_null = json_is_null(var);
        }
        if (is_null && non_null) {
            *message =
                mm_arena_sprintf(arena, "Argument \"%s\" of non-null type \"%s\" must not be null.",
                                 def->name, mm_gql_type_to_string(def->type, arena));
            *loc = vn->loc;
            goto fail;
        }
        json_t *v = mm_gql_value_from_ast(vn, def->type, variables, arena);
        if (!v) {
            *message = mm_arena_sprintf(arena, "Argument \"%s\" has invalid value %s.", def->name,
                                        literal_text(vn, arena));
            *loc = vn->loc;
            goto fail;
        }
        json_object_set_new_nocheck(out, def->name, v); /* a Name: ASCII */
    }
    return out;
fail:
    json_decref(out);
    return NULL;
}
