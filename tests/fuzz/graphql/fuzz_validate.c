/* fuzz_validate.c -- libFuzzer target for the GraphQL validator.
 *
 * Any document that parses is validated with every rule against a schema
 * with interfaces, unions, enums, input objects, lists, non-null wrappers,
 * arguments with defaults and custom directives. Whatever the document,
 * validation must end (the work budgets hold), return exactly the number of
 * errors it added, never more than the error budget plus its abort message,
 * and every error must have a message and serialize to JSON. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"

static const char sdl[] =
    "interface Named { name(surname: Boolean): String }\n"
    "interface Mammal { mother: Mammal }\n"
    "enum Command { SIT HEEL DOWN }\n"
    "type Dog implements Named & Mammal { name(surname: Boolean): String barks: Boolean mother: "
    "Dog\n"
    "  knows(command: Command = SIT, times: Int!): Boolean at(x: Int, y: [Float!]): [[Dog]!] }\n"
    "type Cat implements Named { name(surname: Boolean): String meows: Int lives: [Int!]! }\n"
    "union Pet = Dog | Cat\n"
    "input Filter { id: ID!, tags: [String!] = [\"a\"], nested: Filter, mode: Command }\n"
    "type Query { dog: Dog cat: Cat pet: Pet named: Named pets(filter: Filter, first: Int = 10): "
    "[Pet] }\n"
    "type Mutation { rename(id: ID!, name: String!): Dog }\n"
    "type Subscription { barked: Dog meowed: Cat }\n"
    "directive @mark(reason: String!, level: Int = 1) repeatable on FIELD | FRAGMENT_SPREAD | "
    "INLINE_FRAGMENT\n"
    "directive @once on QUERY | FIELD | VARIABLE_DEFINITION\n";

static mm_gql_schema *schema;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!schema) {
        mm_arena a;
        mm_arena_init(&a);
        mm_gql_errors e;
        mm_gql_errors_init(&e, &a);
        mm_gql_sdl_source src = {"fuzz", sdl, sizeof(sdl) - 1};
        schema = mm_gql_schema_build(&src, 1, &e);
        mm_gql_errors_release(&e);
        mm_arena_reset(&a);
        if (!schema) abort();
    }
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, (const char *)data, size, NULL, &errors);
    if (doc) {
        mm_gql_validate_options opts = mm_gql_default_validate_options;
        opts.max_errors = size % 7 == 0 ? 3 : 100;
        opts.max_aliases = size % 5 == 0 ? 4 : 0;
        opts.hide_suggestions = size % 2 == 0;
        size_t n = mm_gql_validate(schema, doc, &opts, &errors);
        if (n != errors.count) abort();
        if (n > opts.max_errors + 1) abort();
        for (const mm_gql_error *e = errors.head; e; e = e->next) {
            if (!e->message || !e->message[0]) abort();
            if (e->kind != MM_GQL_ERROR_VALIDATION && e->kind != MM_GQL_ERROR_LIMIT) abort();
        }
        json_t *j = mm_gql_errors_to_json(&errors);
        if (!j || json_array_size(j) != n) abort();
        json_decref(j);
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return 0;
}
