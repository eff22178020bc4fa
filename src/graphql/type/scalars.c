/* scalars.c -- coercion of the built-in scalars exactly as graphql-js 16
 * does it (type/scalars), the identity coercion of custom scalars, and the
 * value formatting graphql-js uses in messages (inspect, String(number)).
 *
 * JavaScript has one number type; JSON integers and reals both stand for
 * it here, so "1.0" and "1" are the same Int, and Float results that are
 * whole numbers are returned as JSON integers (JSON.stringify prints 1.0
 * as 1). Float arguments are always JSON reals so C resolvers can read
 * them with json_real_value(). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/scalars.h"
#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"

#define GQL_MAX_INT 2147483647.0
#define GQL_MIN_INT -2147483648.0
#define MAX_SAFE    9007199254740992.0 /* 2^53 */

/* ---- inspect ------------------------------------------------------------- */

static void json_stringify_string(mm_strbuf *buf, const char *s, size_t len) {
    mm_strbuf_append(buf, "\"", 1);
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char tmp[8];
        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c < 0x20) {
            switch (c) {
            case '\b': esc = "\\b"; break;
            case '\f': esc = "\\f"; break;
            case '\n': esc = "\\n"; break;
            case '\r': esc = "\\r"; break;
            case '\t': esc = "\\t"; break;
            default: snprintf(tmp, sizeof tmp, "\\u%04x", c); esc = tmp;
            }
        }
        if (esc) {
            mm_strbuf_append(buf, s + start, i - start);
            mm_strbuf_puts(buf, esc);
            start = i + 1;
        }
    }
    mm_strbuf_append(buf, s + start, len - start);
    mm_strbuf_append(buf, "\"", 1);
}

static void inspect_value(mm_strbuf *buf, json_t *value, int depth) {
    char num[32];
    switch (json_typeof(value)) {
    case JSON_STRING:
        json_stringify_string(buf, json_string_value(value), json_string_length(value));
        break;
    case JSON_INTEGER:
        mm_strbuf_puts(buf, mm_js_number_string((double)json_integer_value(value), num));
        break;
    case JSON_REAL: mm_strbuf_puts(buf, mm_js_number_string(json_real_value(value), num)); break;
    case JSON_TRUE: mm_strbuf_puts(buf, "true"); break;
    case JSON_FALSE: mm_strbuf_puts(buf, "false"); break;
    case JSON_NULL: mm_strbuf_puts(buf, "null"); break;
    case JSON_ARRAY: {
        size_t n = json_array_size(value);
        if (n == 0) {
            mm_strbuf_puts(buf, "[]");
            break;
        }
        if (depth > 2) {
            mm_strbuf_puts(buf, "[Array]");
            break;
        }
        size_t shown = n < 10 ? n : 10;
        mm_strbuf_puts(buf, "[");
        for (size_t i = 0; i < shown; i++) {
            if (i) mm_strbuf_puts(buf, ", ");
            inspect_value(buf, json_array_get(value, i), depth + 1);
        }
        if (n - shown == 1)
            mm_strbuf_puts(buf, ", ... 1 more item");
        else if (n > shown)
            mm_strbuf_printf(buf, ", ... %zu more items", n - shown);
        mm_strbuf_puts(buf, "]");
        break;
    }
    case JSON_OBJECT: {
        if (json_object_size(value) == 0) {
            mm_strbuf_puts(buf, "{}");
            break;
        }
        if (depth > 2) {
            mm_strbuf_puts(buf, "[Object]");
            break;
        }
        mm_strbuf_puts(buf, "{ ");
        const char *key;
        json_t *member;
        bool first = true;
        json_object_foreach(value, key, member) {
            if (!first) mm_strbuf_puts(buf, ", ");
            first = false;
            mm_strbuf_puts(buf, key);
            mm_strbuf_puts(buf, ": ");
            inspect_value(buf, member, depth + 1);
        }
        mm_strbuf_puts(buf, " }");
        break;
    }
    }
}

static const char *to_arena(mm_strbuf *buf, mm_arena *arena) {
    const char *s = NULL;
    if (!buf->failed) s = mm_arena_strndup(arena, buf->data ? buf->data : "", buf->len);
    free(buf->data);
    return s ? s : "";
}

const char *mm_gql_inspect(json_t *value, mm_arena *arena) {
    if (!value) return "undefined";
    mm_strbuf buf = {0};
    inspect_value(&buf, value, 1);
    return to_arena(&buf, arena);
}

const char *mm_gql_print_literal(const mm_gql_value *value, mm_arena *arena) {
    mm_strbuf buf = {0};
    mm_gql_strbuf_print_value(&buf, value);
    return to_arena(&buf, arena);
}

/* ---- helpers -------------------------------------------------------------- */

static json_t *fail(mm_arena *arena, const char **error, const char *prefix, const char *shown) {
    *error = mm_arena_sprintf(arena, "%s%s", prefix, shown);
    if (!*error) *error = prefix;
    return NULL;
}

/* JavaScript's Number(string) for the strings it accepts; false for NaN. */
static bool js_string_to_number(const char *s, double *out) {
    while (isspace((unsigned char)*s)) s++;
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1])) len--;
    if (len == 0) {
        *out = 0;
        return true;
    }
    char tmp[64];
    if (len >= sizeof tmp)
        return false; /* longer numerals exist but none a resolver would return */
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    const char *t = tmp;
    if (strcmp(t, "Infinity") == 0 || strcmp(t, "+Infinity") == 0) {
        *out = INFINITY;
        return true;
    }
    if (strcmp(t, "-Infinity") == 0) {
        *out = -INFINITY;
        return true;
    }
    if (t[0] == '0' &&
        (t[1] == 'x' || t[1] == 'X' || t[1] == 'o' || t[1] == 'O' || t[1] == 'b' || t[1] == 'B')) {
        int base = (t[1] == 'x' || t[1] == 'X') ? 16 : (t[1] == 'o' || t[1] == 'O') ? 8 : 2;
        if (!t[2]) return false;
        double v = 0;
        for (const char *p = t + 2; *p; p++) {
            int d = isdigit((unsigned char)*p)    ? *p - '0'
                    : isxdigit((unsigned char)*p) ? tolower((unsigned char)*p) - 'a' + 10
                                                  : 99;
            if (d >= base) return false;
            v = v * base + d;
        }
        *out = v;
        return true;
    }
    /* Decimal: [+-] digits [. digits] [e [+-] digits], nothing else. */
    const char *p = t;
    if (*p == '+' || *p == '-') p++;
    bool digits = false;
    while (isdigit((unsigned char)*p)) {
        p++;
        digits = true;
    }
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) {
            p++;
            digits = true;
        }
    }
    if (!digits) return false;
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-') p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p)) p++;
    }
    if (*p) return false;
    *out = strtod(t, NULL);
    return true;
}

/* The JSON value as a JavaScript number, if it is one. */
static bool number_of(json_t *value, double *out) {
    if (json_is_integer(value)) {
        *out = (double)json_integer_value(value);
        return true;
    }
    if (json_is_real(value)) {
        *out = json_real_value(value);
        return true;
    }
    return false;
}

static bool is_integer(double v) { return isfinite(v) && floor(v) == v; }

/* A whole number as a JSON integer when exact, else a real. */
static json_t *json_number(double v) {
    if (is_integer(v) && fabs(v) <= MAX_SAFE) return json_integer((json_int_t)v);
    return json_real(v);
}

/* ---- Int ------------------------------------------------------------------ */

json_t *mm_gql_int_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    bool ok;
    if (json_is_boolean(value)) return json_integer(json_is_true(value) ? 1 : 0);
    if (json_is_string(value) && json_string_length(value) > 0)
        ok = js_string_to_number(json_string_value(value), &num);
    else
        ok = number_of(value, &num);
    if (json_is_integer(value)) {
        json_int_t i = json_integer_value(value);
        if (i > 2147483647 || i < -2147483648LL)
            return fail(arena, error, "Int cannot represent non 32-bit signed integer value: ",
                        mm_gql_inspect(value, arena));
        return json_integer(i);
    }
    if (!ok || !is_integer(num))
        return fail(arena, error,
                    "Int cannot represent non-integer value: ", mm_gql_inspect(value, arena));
    if (num > GQL_MAX_INT || num < GQL_MIN_INT)
        return fail(arena, error, "Int cannot represent non 32-bit signed integer value: ",
                    mm_gql_inspect(value, arena));
    return json_integer((json_int_t)num);
}

json_t *mm_gql_int_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    if (!number_of(value, &num) || !is_integer(num))
        return fail(arena, error,
                    "Int cannot represent non-integer value: ", mm_gql_inspect(value, arena));
    if (num > GQL_MAX_INT || num < GQL_MIN_INT) {
        char buf[32];
        return fail(arena, error, "Int cannot represent non 32-bit signed integer value: ",
                    mm_js_number_string(num, buf));
    }
    return json_integer((json_int_t)num);
}

json_t *mm_gql_int_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                 mm_arena *arena, const char **error) {
    (void)ud, (void)variables;
    if (literal->kind != MM_GQL_VALUE_INT)
        return fail(arena, error, "Int cannot represent non-integer value: ",
                    mm_gql_print_literal(literal, arena));
    errno = 0;
    long long v = strtoll(literal->u.raw, NULL, 10);
    if (errno == ERANGE || v > 2147483647LL || v < -2147483648LL)
        return fail(arena, error,
                    "Int cannot represent non 32-bit signed integer value: ", literal->u.raw);
    return json_integer((json_int_t)v);
}

/* ---- Float ---------------------------------------------------------------- */

json_t *mm_gql_float_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    bool ok;
    if (json_is_boolean(value)) return json_integer(json_is_true(value) ? 1 : 0);
    if (json_is_string(value) && json_string_length(value) > 0)
        ok = js_string_to_number(json_string_value(value), &num);
    else
        ok = number_of(value, &num);
    if (!ok || !isfinite(num))
        return fail(arena, error,
                    "Float cannot represent non numeric value: ", mm_gql_inspect(value, arena));
    return json_number(num);
}

json_t *mm_gql_float_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    if (!number_of(value, &num) || !isfinite(num))
        return fail(arena, error,
                    "Float cannot represent non numeric value: ", mm_gql_inspect(value, arena));
    return json_real(num);
}

json_t *mm_gql_float_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                   mm_arena *arena, const char **error) {
    (void)ud, (void)variables;
    if (literal->kind != MM_GQL_VALUE_INT && literal->kind != MM_GQL_VALUE_FLOAT)
        return fail(arena, error, "Float cannot represent non numeric value: ",
                    mm_gql_print_literal(literal, arena));
    double v = strtod(literal->u.raw, NULL);
    if (!isfinite(v)) /* JSON has no Infinity; graphql-js would pass it on */
        return fail(arena, error, "Float cannot represent non numeric value: ", literal->u.raw);
    return json_real(v);
}

/* ---- String --------------------------------------------------------------- */

json_t *mm_gql_string_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    char buf[32];
    if (json_is_string(value)) return json_incref(value);
    if (json_is_boolean(value)) return json_string(json_is_true(value) ? "true" : "false");
    if (number_of(value, &num) && isfinite(num)) return json_string(mm_js_number_string(num, buf));
    return fail(arena, error, "String cannot represent value: ", mm_gql_inspect(value, arena));
}

json_t *mm_gql_string_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    if (!json_is_string(value))
        return fail(arena, error,
                    "String cannot represent a non string value: ", mm_gql_inspect(value, arena));
    return json_incref(value);
}

json_t *mm_gql_string_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                    mm_arena *arena, const char **error) {
    (void)ud, (void)variables;
    if (literal->kind != MM_GQL_VALUE_STRING)
        return fail(arena, error, "String cannot represent a non string value: ",
                    mm_gql_print_literal(literal, arena));
    return json_stringn(literal->u.string.chars, literal->u.string.length);
}

/* ---- Boolean -------------------------------------------------------------- */

json_t *mm_gql_boolean_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    if (json_is_boolean(value)) return json_incref(value);
    if (number_of(value, &num) && isfinite(num)) return json_boolean(num != 0);
    return fail(arena, error,
                "Boolean cannot represent a non boolean value: ", mm_gql_inspect(value, arena));
}

json_t *mm_gql_boolean_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    if (!json_is_boolean(value))
        return fail(arena, error,
                    "Boolean cannot represent a non boolean value: ", mm_gql_inspect(value, arena));
    return json_incref(value);
}

json_t *mm_gql_boolean_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                     mm_arena *arena, const char **error) {
    (void)ud, (void)variables;
    if (literal->kind != MM_GQL_VALUE_BOOLEAN)
        return fail(arena, error, "Boolean cannot represent a non boolean value: ",
                    mm_gql_print_literal(literal, arena));
    return json_boolean(literal->u.boolean);
}

/* ---- ID ------------------------------------------------------------------- */

static json_t *integer_string(double num) {
    char buf[32];
    return json_string(mm_js_number_string(num, buf));
}

json_t *mm_gql_id_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    double num;
    if (json_is_string(value)) return json_incref(value);
    if (json_is_integer(value))
        return json_sprintf("%" JSON_INTEGER_FORMAT, json_integer_value(value));
    if (number_of(value, &num) && is_integer(num)) return integer_string(num);
    return fail(arena, error, "ID cannot represent value: ", mm_gql_inspect(value, arena));
}

json_t *mm_gql_id_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    return mm_gql_id_serialize(ud, value, arena, error);
}

json_t *mm_gql_id_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                mm_arena *arena, const char **error) {
    (void)ud, (void)variables;
    if (literal->kind == MM_GQL_VALUE_STRING)
        return json_stringn(literal->u.string.chars, literal->u.string.length);
    if (literal->kind == MM_GQL_VALUE_INT) return json_string(literal->u.raw);
    return fail(arena, error, "ID cannot represent a non-string and non-integer value: ",
                mm_gql_print_literal(literal, arena));
}

/* ---- custom scalars ---------------------------------------------------------- */

json_t *mm_gql_value_from_ast_untyped(const mm_gql_value *value, json_t *variables) {
    switch (value->kind) {
    case MM_GQL_VALUE_NULL: return json_null();
    case MM_GQL_VALUE_INT: {
        errno = 0;
        long long v = strtoll(value->u.raw, NULL, 10);
        if (errno == ERANGE) return json_real(strtod(value->u.raw, NULL));
        return json_integer((json_int_t)v);
    }
    case MM_GQL_VALUE_FLOAT: return json_real(strtod(value->u.raw, NULL));
    case MM_GQL_VALUE_STRING: return json_stringn(value->u.string.chars, value->u.string.length);
    case MM_GQL_VALUE_ENUM: return json_string(value->u.name);
    case MM_GQL_VALUE_BOOLEAN: return json_boolean(value->u.boolean);
    case MM_GQL_VALUE_VARIABLE: {
        json_t *v = json_object_get(variables, value->u.name);
        return v ? json_incref(v) : NULL;
    }
    case MM_GQL_VALUE_LIST: {
        json_t *list = json_array();
        for (size_t i = 0; list && i < value->u.list.count; i++) {
            json_t *item = mm_gql_value_from_ast_untyped(value->u.list.items[i], variables);
            json_array_append_new(list, item ? item : json_null());
        }
        return list;
    }
    case MM_GQL_VALUE_OBJECT: {
        json_t *obj = json_object();
        for (size_t i = 0; obj && i < value->u.object.count; i++) {
            json_t *item =
                mm_gql_value_from_ast_untyped(value->u.object.fields[i].value, variables);
            if (item) json_object_set_new(obj, value->u.object.fields[i].name.value, item);
        }
        return obj;
    }
    }
    return json_null();
}

json_t *mm_gql_identity_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud, (void)arena, (void)error;
    return value ? json_incref(value) : NULL;
}

json_t *mm_gql_identity_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud, (void)arena, (void)error;
    return value ? json_incref(value) : NULL;
}

json_t *mm_gql_identity_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                      mm_arena *arena, const char **error) {
    (void)ud;
    json_t *v = mm_gql_value_from_ast_untyped(literal, variables);
    if (!v) *error = mm_arena_sprintf(arena, "Variable \"$%s\" is not defined.", literal->u.name);
    return v;
}

/* ---- binding -------------------------------------------------------------- */

void mm_gql_scalars_install(mm_gql_schema *schema) {
    for (size_t i = 0; i < schema->type_count; i++) {
        mm_gql_type *t = schema->types[i];
        if (t->kind != MM_GQL_SCALAR) continue;
        const char *n = t->name;
        if (t->is_builtin && strcmp(n, "Int") == 0) {
            t->serialize = mm_gql_int_serialize;
            t->parse_value = mm_gql_int_parse_value;
            t->parse_literal = mm_gql_int_parse_literal;
        } else if (t->is_builtin && strcmp(n, "Float") == 0) {
            t->serialize = mm_gql_float_serialize;
            t->parse_value = mm_gql_float_parse_value;
            t->parse_literal = mm_gql_float_parse_literal;
        } else if (t->is_builtin && strcmp(n, "String") == 0) {
            t->serialize = mm_gql_string_serialize;
            t->parse_value = mm_gql_string_parse_value;
            t->parse_literal = mm_gql_string_parse_literal;
        } else if (t->is_builtin && strcmp(n, "Boolean") == 0) {
            t->serialize = mm_gql_boolean_serialize;
            t->parse_value = mm_gql_boolean_parse_value;
            t->parse_literal = mm_gql_boolean_parse_literal;
        } else if (t->is_builtin && strcmp(n, "ID") == 0) {
            t->serialize = mm_gql_id_serialize;
            t->parse_value = mm_gql_id_parse_value;
            t->parse_literal = mm_gql_id_parse_literal;
        } else {
            t->serialize = mm_gql_identity_serialize;
            t->parse_value = mm_gql_identity_parse_value;
            t->parse_literal = mm_gql_identity_parse_literal;
        }
    }
}
