/* difftest_driver.c -- our engine's side of the differential test.
 *
 * Reads one normalized corpus case as JSON on stdin (run.mjs writes it:
 * {mode, sdl, query, variables, operationName, rootValue}) and prints the
 * canonical outcome that reference.mjs computes with graphql-js:
 *   {"phase":"parse"|"schema"|"validate"|"execute", "errors":[...]}   a phase failed
 *   {"phase":"parse","ok":true,"printed":...}                         mode "parse"
 *   {"phase":"schema","ok":true,"printed":...}                        mode "schema"
 *   {"phase":"execute","result":{"data":...,"errors":[...]}}          executed
 * and, for execute-mode cases once the schema is built, "facade": the response
 * of mm_graphql_execute_request for the whole request (graphqlSync's there).
 * Every object field gets the resolver below, which reads the parent JSON
 * exactly like graphql-js's default resolver plus two conventions shared with
 * reference.mjs: {"__error":"msg"} fails the field with msg (with
 * "__extensions": {...} as the error's extensions), and
 * {"__echoArgs":true} returns the coerced arguments as compact JSON text.
 * Exit status: 0 when an outcome was printed (whatever it is), 2 on bad input. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "graphql/language/ast_print.h"
#include "graphql/error/error.h"
#include "graphql/execution/execute.h"
#include "graphql/graphql.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"

static char *read_all(FILE *f, size_t *len) {
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) return NULL;
    for (;;) {
        if (n == cap) {
            cap *= 2;
            char *grown = realloc(buf, cap);
            if (!grown) {
                free(buf);
                return NULL;
            }
            buf = grown;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0) break;
        n += got;
    }
    *len = n;
    return buf;
}

static void emit(json_t *out) {
    char *s = json_dumps(out, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s) {
        fputs(s, stdout);
        fputc('\n', stdout);
        free(s);
    }
    json_decref(out);
}

static json_t *phase_errors(const char *phase, const mm_gql_errors *errors) {
    return json_pack("{s:s,s:o}", "phase", phase, "errors", mm_gql_errors_to_json(errors));
}

/* A growable string for js_stringify. */
struct strbuf {
    char *data;
    size_t len, cap;
};

static void sb_add(struct strbuf *b, const char *s, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *grown = realloc(b->data, cap);
        if (!grown) abort();
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

/* A double as JavaScript's Number#toString writes it: integral values
 * without a fraction, otherwise the shortest digits that round-trip, and
 * exponents without leading zeros ("1e-7", "1e+300"). */
static void js_number(struct strbuf *b, double d) {
    char buf[64];
    if (d == (double)(long long)d && d > -1e21 && d < 1e21) {
        snprintf(buf, sizeof buf, "%lld", (long long)d);
    } else {
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, d);
            if (strtod(buf, NULL) == d) break;
        }
        char *e = strchr(buf, 'e');
        if (e) {
            char sign = e[1];
            char *digits = e + 2;
            while (*digits == '0' && digits[1]) digits++;
            char tail[16];
            snprintf(tail, sizeof tail, "e%c%s", sign, digits);
            strcpy(e, tail);
        }
    }
    sb_add(b, buf, strlen(buf));
}

/* JSON.stringify of the coerced arguments, so echoed arguments compare
 * equal to graphql-js's text (jansson prints 2.0 and 1.7199999999999999). */
static void js_stringify(struct strbuf *b, json_t *v) {
    if (json_is_object(v)) {
        sb_add(b, "{", 1);
        const char *k;
        json_t *item;
        int first = 1;
        json_object_foreach(v, k, item) {
            if (!first) sb_add(b, ",", 1);
            first = 0;
            json_t *key = json_string(k);
            char *ks = json_dumps(key, JSON_ENCODE_ANY);
            sb_add(b, ks, strlen(ks));
            free(ks);
            json_decref(key);
            sb_add(b, ":", 1);
            js_stringify(b, item);
        }
        sb_add(b, "}", 1);
    } else if (json_is_array(v)) {
        sb_add(b, "[", 1);
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) sb_add(b, ",", 1);
            js_stringify(b, json_array_get(v, i));
        }
        sb_add(b, "]", 1);
    } else if (json_is_real(v)) {
        js_number(b, json_real_value(v));
    } else if (v == NULL) {
        sb_add(b, "null", 4);
    } else {
        char *s = json_dumps(v, JSON_ENCODE_ANY);
        sb_add(b, s, strlen(s));
        free(s);
    }
}

/* The resolver bound to every field: parent[field name], with the corpus
 * conventions for failing fields and echoing arguments. ud is the field name. */
static json_t *resolve_json(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    const char *name = ud;
    if (!json_is_object(parent)) return NULL;
    json_t *v = json_object_get(parent, name);
    if (json_is_object(v)) {
        json_t *err = json_object_get(v, "__error");
        if (json_is_string(err)) {
            json_t *ext = json_object_get(v, "__extensions");
            mm_gql_resolve_error(info, json_is_object(ext) ? json_incref(ext) : NULL, "%s",
                                 json_string_value(err));
            return NULL;
        }
        if (json_is_true(json_object_get(v, "__echoArgs"))) {
            struct strbuf b = {0};
            js_stringify(&b, args);
            json_t *r = json_stringn(b.data ? b.data : "", b.len);
            free(b.data);
            return r;
        }
    }
    return v ? json_incref(v) : NULL;
}

static void bind_resolvers(mm_gql_schema *schema) {
    for (size_t i = 0; i < schema->type_count; i++) {
        mm_gql_type *t = schema->types[i];
        if (t->kind != MM_GQL_OBJECT || strncmp(t->name, "__", 2) == 0) continue;
        for (size_t f = 0; f < t->field_count; f++)
            mm_gql_schema_set_resolver(schema, t->name, t->fields[f].name, resolve_json,
                                       (void *)t->fields[f].name);
    }
}

/* The whole request through the facade the HTTP layer uses, with its default
 * options (graphql-js's graphqlSync on the reference side). */
static json_t *run_facade(mm_gql_schema *schema, json_t *c, const char *query, size_t query_len) {
    mm_graphql_options opts;
    mm_graphql_options_init(&opts);
    json_t *variables = json_object_get(c, "variables");
    mm_graphql_request_params params = {
        .query = query,
        .query_length = query_len,
        .variables = json_is_object(variables) ? variables : NULL,
        .operation_name = json_string_value(json_object_get(c, "operationName")),
        .root_value = json_object_get(c, "rootValue"),
        .allow_mutation = true,
    };
    mm_graphql_outcome outcome;
    return mm_graphql_execute_request(schema, &opts, &params, &outcome);
}

static json_t *run_parse(const char *query, size_t query_len) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    json_t *out;
    mm_gql_document *doc = mm_gql_parse(&arena, query, query_len, NULL, &errors);
    if (!doc) {
        out = phase_errors("parse", &errors);
    } else {
        out = json_pack("{s:s,s:b}", "phase", "parse", "ok", 1);
        size_t printed_len = 0;
        char *printed = mm_gql_ast_print_n(doc, &printed_len); /* may hold U+0000 */
        json_object_set_new(out, "printed",
                            json_stringn(printed ? printed : "", printed ? printed_len : 0));
        free(printed);
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return out;
}

/* mm_gql_parse_value / mm_gql_parse_type (graphql-js parseValue / parseType). */
static json_t *run_parse_fragment(const char *text, size_t len, bool is_type) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    json_t *out;
    const char *printed = NULL;
    if (is_type) {
        mm_gql_type_ref *t = mm_gql_parse_type(&arena, text, len, &errors);
        if (t) printed = mm_gql_print_type(t, &arena);
    } else {
        mm_gql_value *v = mm_gql_parse_value(&arena, text, len, &errors);
        if (v) printed = mm_gql_print_value(v, &arena);
    }
    if (printed)
        out = json_pack("{s:s,s:b,s:s}", "phase", "parse", "ok", 1, "printed", printed);
    else
        out = phase_errors("parse", &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return out;
}

static json_t *run_case(json_t *c) {
    const char *mode = json_string_value(json_object_get(c, "mode"));
    const char *sdl = json_string_value(json_object_get(c, "sdl"));
    const char *query = json_string_value(json_object_get(c, "query"));
    /* Lengths from JSON: a document may contain U+0000, which must reach the lexer. */
    size_t query_len = json_string_length(json_object_get(c, "query"));
    size_t sdl_len = json_string_length(json_object_get(c, "sdl"));
    if (!mode) return NULL;
    if (strcmp(mode, "parse") == 0) return query ? run_parse(query, query_len) : NULL;
    if (strcmp(mode, "parse-value") == 0 || strcmp(mode, "parse-type") == 0)
        return query ? run_parse_fragment(query, query_len, strcmp(mode, "parse-type") == 0) : NULL;
    if (!sdl) return NULL;

    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    json_t *out = NULL;
    json_t *facade = NULL;
    mm_gql_sdl_source src = {"schema.graphql", sdl, sdl_len};
    mm_gql_schema *schema = mm_gql_schema_build(&src, 1, &errors);
    if (!schema) {
        out = phase_errors("schema", &errors);
        goto done;
    }
    if (strcmp(mode, "schema") == 0) {
        char *printed = mm_gql_schema_print(schema);
        out = json_pack("{s:s,s:b,s:s}", "phase", "schema", "ok", 1, "printed",
                        printed ? printed : "");
        free(printed);
        goto done;
    }
    if (!query) goto done;
    bind_resolvers(schema);
    facade = run_facade(schema, c, query, query_len);
    mm_gql_document *doc = mm_gql_parse(&arena, query, query_len, NULL, &errors);
    if (!doc) {
        out = phase_errors("parse", &errors);
        goto done;
    }
    if (mm_gql_validate(schema, doc, NULL, &errors) > 0) {
        out = phase_errors("validate", &errors);
        goto done;
    }
    json_t *variables = json_object_get(c, "variables");
    json_t *root = json_object_get(c, "rootValue");
    mm_gql_execute_params params = {
        .schema = schema,
        .document = doc,
        .operation_name = json_string_value(json_object_get(c, "operationName")),
        .variables = json_is_object(variables) ? variables : NULL,
        .root_value = root,
    };
    json_t *result = mm_gql_execute(&params);
    if (!result) {
        fprintf(stderr, "difftest_driver: mm_gql_execute returned NULL (out of memory)\n");
        goto done;
    }
    out = json_pack("{s:s,s:o}", "phase", "execute", "result", result);

done:
    if (facade) {
        if (out)
            json_object_set_new(out, "facade", facade);
        else
            json_decref(facade);
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (schema) mm_gql_schema_free(schema);
    return out;
}

int main(void) {
    size_t len = 0;
    char *input = read_all(stdin, &len);
    if (!input) {
        fprintf(stderr, "difftest_driver: cannot read stdin\n");
        return 2;
    }
    json_error_t jerr;
    json_t *c = json_loadb(input, len, JSON_ALLOW_NUL, &jerr);
    free(input);
    if (!json_is_object(c)) {
        fprintf(stderr, "difftest_driver: bad case JSON: %s (line %d)\n", jerr.text, jerr.line);
        json_decref(c);
        return 2;
    }
    json_t *out = run_case(c);
    json_decref(c);
    if (!out) {
        fprintf(stderr,
                "difftest_driver: no outcome (case lacks mode, sdl or query, or out of memory)\n");
        return 2;
    }
    emit(out);
    return 0;
}
