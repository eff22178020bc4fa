/* difftest_driver.c -- our engine's side of the differential test.
 *
 * Reads one normalized corpus case as JSON on stdin (run.mjs writes it:
 * {mode, sdl, query, variables, operationName, rootValue}) and prints the
 * canonical outcome that reference.mjs computes with graphql-js:
 *   {"phase":"parse"|"schema"|"validate"|"execute", "errors":[...]}   a phase failed
 *   {"phase":"parse","ok":true,"printed":...}                         mode "parse"
 *   {"phase":"schema","ok":true,"printed":...}                        mode "schema"
 *   {"phase":"execute","result":{"data":...,"errors":[...]}}          executed
 * Every object field gets the resolver below, which reads the parent JSON
 * exactly like graphql-js's default resolver plus two conventions shared with
 * reference.mjs: {"__error":"msg"} fails the field with msg, and
 * {"__echoArgs":true} returns the coerced arguments as compact JSON text.
 * Exit status: 0 when an outcome was printed (whatever it is), 2 on bad input. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "graphql/error.h"
#include "graphql/parser.h"
#include "graphql/schema.h"

#if __has_include("graphql/ast_print.h")
#include "graphql/ast_print.h"
#define DIFFTEST_HAVE_PRINT 1
#endif
#if __has_include("graphql/validate.h")
#include "graphql/validate.h"
#define DIFFTEST_HAVE_VALIDATE 1
#endif
#if __has_include("graphql/execute.h")
#include "graphql/execute.h"
#define DIFFTEST_HAVE_EXECUTE 1
#endif

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

#ifdef DIFFTEST_HAVE_EXECUTE
/* The resolver bound to every field: parent[field name], with the corpus
 * conventions for failing fields and echoing arguments. ud is the field name. */
static json_t *resolve_json(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    const char *name = ud;
    if (!json_is_object(parent)) return NULL;
    json_t *v = json_object_get(parent, name);
    if (json_is_object(v)) {
        json_t *err = json_object_get(v, "__error");
        if (json_is_string(err)) {
            mm_gql_resolve_error(info, NULL, "%s", json_string_value(err));
            return NULL;
        }
        if (json_is_true(json_object_get(v, "__echoArgs"))) {
            char *s = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);
            json_t *r = json_string(s ? s : "");
            free(s);
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
#endif

static json_t *run_parse(const char *query) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    json_t *out;
    mm_gql_document *doc = mm_gql_parse(&arena, query, strlen(query), NULL, &errors);
    if (!doc) {
        out = phase_errors("parse", &errors);
    } else {
        out = json_pack("{s:s,s:b}", "phase", "parse", "ok", 1);
#ifdef DIFFTEST_HAVE_PRINT
        char *printed = mm_gql_ast_print(doc);
        json_object_set_new(out, "printed", json_string(printed ? printed : ""));
        free(printed);
#endif
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return out;
}

static json_t *run_case(json_t *c) {
    const char *mode = json_string_value(json_object_get(c, "mode"));
    const char *sdl = json_string_value(json_object_get(c, "sdl"));
    const char *query = json_string_value(json_object_get(c, "query"));
    if (!mode) return NULL;
    if (strcmp(mode, "parse") == 0) return query ? run_parse(query) : NULL;
    if (!sdl) return NULL;

    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    json_t *out = NULL;
    mm_gql_sdl_source src = {"schema.graphql", sdl, strlen(sdl)};
    mm_gql_schema *schema = mm_gql_schema_build(&src, 1, &errors);
    if (!schema) {
        out = phase_errors("schema", &errors);
        goto done;
    }
    if (strcmp(mode, "schema") == 0) {
        char *printed = mm_gql_schema_print(schema);
        out = json_pack("{s:s,s:b,s:s}", "phase", "schema", "ok", 1, "printed", printed ? printed : "");
        free(printed);
        goto done;
    }
    if (!query) goto done;
    mm_gql_document *doc = mm_gql_parse(&arena, query, strlen(query), NULL, &errors);
    if (!doc) {
        out = phase_errors("parse", &errors);
        goto done;
    }
#ifdef DIFFTEST_HAVE_VALIDATE
    if (mm_gql_validate(schema, doc, NULL, &errors) > 0) {
        out = phase_errors("validate", &errors);
        goto done;
    }
#else
    out = json_pack("{s:s}", "phase", "unsupported: the engine has no validate.h yet");
    goto done;
#endif
#ifdef DIFFTEST_HAVE_EXECUTE
    bind_resolvers(schema);
    out = json_pack("{s:s}", "phase", "unsupported: execute binding not written yet");
#else
    out = json_pack("{s:s}", "phase", "unsupported: the engine has no execute.h yet");
#endif

done:
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
    json_t *c = json_loadb(input, len, 0, &jerr);
    free(input);
    if (!json_is_object(c)) {
        fprintf(stderr, "difftest_driver: bad case JSON: %s (line %d)\n", jerr.text, jerr.line);
        json_decref(c);
        return 2;
    }
    json_t *out = run_case(c);
    json_decref(c);
    if (!out) {
        fprintf(stderr, "difftest_driver: case lacks mode, sdl or query\n");
        return 2;
    }
    emit(out);
    return 0;
}
