/* fuzz_schema.c -- libFuzzer target for building schemas from SDL.
 *
 * Any bytes either build a schema or give at least one error with a
 * message; never a crash, a hang or a leak. A schema that builds is printed,
 * the printed SDL must build again and print the same text (printSchema is a
 * fixed point), and every input value's default must print. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/type/schema.h"

static mm_gql_schema *build(const char *text, size_t len, mm_arena *arena, mm_gql_errors *errors) {
    mm_gql_errors_init(errors, arena);
    mm_gql_sdl_source src = {"fuzz", text, len};
    mm_gql_schema *s = mm_gql_schema_build(&src, 1, errors);
    if (!s && (errors->count == 0 || !errors->head->message || !errors->head->message[0])) abort();
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 16) return 0;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_schema *s = build((const char *)data, size, &arena, &errors);
    if (s) {
        for (size_t i = 0; i < s->type_count; i++) {
            const mm_gql_type *t = s->types[i];
            for (size_t f = 0; f < t->field_count; f++)
                for (size_t a = 0; a < t->fields[f].arg_count; a++)
                    free(mm_gql_print_default_value(&t->fields[f].args[a]));
        }
        char *printed = mm_gql_schema_print(s);
        if (!printed) abort();
        mm_gql_errors again_errors;
        mm_gql_schema *again = build(printed, strlen(printed), &arena, &again_errors);
        /* a printed schema may lose a default graphql-js cannot print, but it builds */
        if (!again) abort();
        char *printed_again = mm_gql_schema_print(again);
        if (!printed_again || strcmp(printed, printed_again) != 0) abort();
        free(printed_again);
        free(printed);
        mm_gql_errors_release(&again_errors);
        mm_gql_schema_free(again);
        mm_gql_schema_free(s);
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return 0;
}
