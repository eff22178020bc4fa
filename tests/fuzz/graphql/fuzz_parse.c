/* fuzz_parse.c -- libFuzzer target for the GraphQL lexer, parser and printer.
 *
 * Any bytes either parse or give exactly one error with a message and (for
 * syntax errors) a location inside the document. Each definition of a
 * document that parses is printed, the print must parse again, and printing
 * that must give the same text: the printer's output is a fixed point, as
 * graphql-js's is. Error
 * messages must also survive JSON serialization (valid UTF-8). The value and
 * type entry points get the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/ast_print.h"
#include "graphql/language/parser.h"

static void check_one_error(const mm_gql_errors *errors, size_t size) {
    if (errors->count != 1 || !errors->head->message || !errors->head->message[0]) abort();
    const mm_gql_error *e = errors->head;
    if (e->kind == MM_GQL_ERROR_SYNTAX) {
        if (e->location_count != 1) abort();
        if (e->locations[0].line < 1 || e->locations[0].column < 1) abort();
        if (e->locations[0].offset > size) abort();
    }
    json_t *j = mm_gql_errors_to_json(errors);
    if (!j || !json_object_get(json_array_get(j, 0), "message")) abort();
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *src = (const char *)data;

    mm_gql_parse_limits limits = mm_gql_default_parse_limits;
    mm_gql_document *doc = mm_gql_parse(&arena, src, size, &limits, &errors);
    if (!doc) {
        check_one_error(&errors, size);
    } else {
        if (errors.count != 0 || doc->definition_count == 0) abort();
        /* Each definition on its own: printed whole, "enum E" followed by
         * "{ a }" would read back as one enum with a value (graphql-js's
         * print has the same property), so the fixed point is per definition. */
        mm_gql_parse_limits relaxed = limits;
        relaxed.max_bytes = 0; /* a reprint can be longer, never deeper */
        for (size_t i = 0; i < doc->definition_count; i++) {
            mm_gql_document one = *doc;
            one.definitions = &doc->definitions[i];
            one.definition_count = 1;
            size_t n1 = 0, n2 = 0;
            char *p1 = mm_gql_ast_print_n(&one, &n1);
            if (!p1) abort();
            mm_gql_document *again = mm_gql_parse(&arena, p1, n1, &relaxed, &errors);
            if (!again || again->definition_count != 1) abort();
            char *p2 = mm_gql_ast_print_n(again, &n2);
            if (!p2 || n1 != n2 || memcmp(p1, p2, n1) != 0) abort();
            free(p1);
            free(p2);
        }
        char *whole = mm_gql_ast_print(doc);
        if (!whole) abort();
        free(whole);
    }

    mm_gql_errors_init(&errors, &arena);
    mm_gql_value *v = mm_gql_parse_value(&arena, src, size, &errors);
    if (v) {
        if (!mm_gql_print_value(v, &arena)) abort();
    } else {
        check_one_error(&errors, size);
    }
    mm_gql_errors_init(&errors, &arena);
    mm_gql_type_ref *t = mm_gql_parse_type(&arena, src, size, &errors);
    if (t) {
        if (!mm_gql_print_type(t, &arena)) abort();
    } else {
        check_one_error(&errors, size);
    }
    mm_arena_reset(&arena);
    return 0;
}
