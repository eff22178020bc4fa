/* validate_harness.h -- the schema and helpers shared by the validation tests.
 *
 * The schema follows graphql-js's validation test harness (Being/Pet/Canine/
 * Dog/Cat/Human, ComplicatedArgs, ComplexInput, ...) plus the SomeBox family
 * its OverlappingFieldsCanBeMerged tests use, a subscription root and test
 * directives. Each case is (rules, document, expected errors as the JSON the
 * response "errors" list would carry): the test validates the document with
 * only those rules, as graphql-js's rule tests do, and compares the whole
 * list -- messages, locations and order. */
#ifndef MM_TEST_VALIDATE_HARNESS_H
#define MM_TEST_VALIDATE_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"

static const char validate_harness_sdl[] =
    "interface Mammal { mother: Mammal father: Mammal }\n"
    "interface Pet { name(surname: Boolean): String }\n"
    "interface Canine implements Mammal { name(surname: Boolean): String mother: Canine father: "
    "Canine }\n"
    "enum DogCommand { SIT HEEL DOWN }\n"
    "type Dog implements Pet & Mammal & Canine {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  barkVolume: Int\n"
    "  barks: Boolean\n"
    "  doesKnowCommand(dogCommand: DogCommand): Boolean\n"
    "  isHouseTrained(atOtherHomes: Boolean = true): Boolean\n"
    "  isAtLocation(x: Int, y: Int): Boolean\n"
    "  mother: Dog\n"
    "  father: Dog\n"
    "}\n"
    "type Cat implements Pet {\n"
    "  name(surname: Boolean): String\n"
    "  nickname: String\n"
    "  meows: Boolean\n"
    "  meowsVolume: Int\n"
    "  furColor: FurColor\n"
    "}\n"
    "union CatOrDog = Cat | Dog\n"
    "type Human { name(surname: Boolean): String pets: [Pet] relatives: [Human]! }\n"
    "enum FurColor { BROWN BLACK TAN SPOTTED NO_FUR UNKNOWN }\n"
    "input ComplexInput {\n"
    "  requiredField: Boolean!\n"
    "  nonNullField: Boolean! = false\n"
    "  intField: Int\n"
    "  stringField: String\n"
    "  booleanField: Boolean\n"
    "  stringListField: [String]\n"
    "}\n"
    "input OneOfInput @oneOf { stringField: String intField: Int }\n"
    "type ComplicatedArgs {\n"
    "  intArgField(intArg: Int): String\n"
    "  nonNullIntArgField(nonNullIntArg: Int!): String\n"
    "  stringArgField(stringArg: String): String\n"
    "  booleanArgField(booleanArg: Boolean): String\n"
    "  enumArgField(enumArg: FurColor): String\n"
    "  floatArgField(floatArg: Float): String\n"
    "  idArgField(idArg: ID): String\n"
    "  stringListArgField(stringListArg: [String]): String\n"
    "  stringListNonNullArgField(stringListNonNullArg: [String!]): String\n"
    "  complexArgField(complexArg: ComplexInput): String\n"
    "  oneOfArgField(oneOfArg: OneOfInput): String\n"
    "  nonNullOneOfArgField(oneOfArg: OneOfInput!): String\n"
    "  multipleReqs(req1: Int!, req2: Int!): String\n"
    "  nonNullFieldWithDefault(arg: Int! = 0): String\n"
    "  multipleOpts(opt1: Int = 0, opt2: Int = 0): String\n"
    "  multipleOptAndReq(req1: Int!, req2: Int!, opt1: Int = 0, opt2: Int = 0): String\n"
    "}\n"
    "interface SomeBox { deepBox: SomeBox unrelatedField: String }\n"
    "type StringBox implements SomeBox {\n"
    "  scalar: String deepBox: StringBox unrelatedField: String\n"
    "  listStringBox: [StringBox] stringBox: StringBox intBox: IntBox\n"
    "}\n"
    "type IntBox implements SomeBox {\n"
    "  scalar: Int deepBox: IntBox unrelatedField: String\n"
    "  listStringBox: [StringBox] stringBox: StringBox intBox: IntBox\n"
    "}\n"
    "interface NonNullStringBox1 { scalar: String! }\n"
    "type NonNullStringBox1Impl implements SomeBox & NonNullStringBox1 {\n"
    "  scalar: String! unrelatedField: String deepBox: SomeBox\n"
    "}\n"
    "interface NonNullStringBox2 { scalar: String! }\n"
    "type NonNullStringBox2Impl implements SomeBox & NonNullStringBox2 {\n"
    "  scalar: String! unrelatedField: String deepBox: SomeBox\n"
    "}\n"
    "type Connection { edges: [Edge] }\n"
    "type Edge { node: Node }\n"
    "type Node { id: ID name: String }\n"
    "type QueryRoot {\n"
    "  human(id: ID): Human\n"
    "  dog: Dog\n"
    "  cat: Cat\n"
    "  pet: Pet\n"
    "  catOrDog: CatOrDog\n"
    "  complicatedArgs: ComplicatedArgs\n"
    "  someBox: SomeBox\n"
    "  connection: Connection\n"
    "}\n"
    "type MutationRoot { createDog(name: String!): Dog }\n"
    "type SubscriptionRoot {\n"
    "  importantEmails: [String] notImportantEmails: [String] moreImportantEmails: [String]\n"
    "  spamEmails: [String] deletedEmails: [String]\n"
    "}\n"
    "schema { query: QueryRoot mutation: MutationRoot subscription: SubscriptionRoot }\n"
    "directive @onField on FIELD\n"
    "directive @onQuery on QUERY\n"
    "directive @onMutation on MUTATION\n"
    "directive @onSubscription on SUBSCRIPTION\n"
    "directive @onFragmentDefinition on FRAGMENT_DEFINITION\n"
    "directive @onFragmentSpread on FRAGMENT_SPREAD\n"
    "directive @onInlineFragment on INLINE_FRAGMENT\n"
    "directive @onVariableDefinition on VARIABLE_DEFINITION\n"
    "directive @repeatable repeatable on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @directive on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @directiveA on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @directiveB on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "directive @onObject on OBJECT\n"
    "directive @onSchema on SCHEMA\n"
    "directive @required(arg: String!, opt: Int = 1) on FIELD\n";

/* One validation case: run `rules` (mm_gql_rule bits) over `query`; the
 * errors must serialize to exactly `expected` (a JSON array). */
typedef struct validate_case {
    uint32_t rules;
    const char *query;
    const char *expected;
} validate_case;

static mm_gql_schema *validate_harness_schema;

static inline int validate_harness_setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"harness", validate_harness_sdl, sizeof(validate_harness_sdl) - 1};
    validate_harness_schema = mm_gql_schema_build(&src, 1, &errors);
    if (!validate_harness_schema) {
        for (mm_gql_error *e = errors.head; e; e = e->next)
            fprintf(stderr, "schema: %s\n", e->message);
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return validate_harness_schema ? 0 : -1;
}

static inline int validate_harness_teardown(void **state) {
    (void)state;
    mm_gql_schema_free(validate_harness_schema);
    validate_harness_schema = NULL;
    return 0;
}

/* Validates one document with options; returns the errors as JSON (new reference). */
static inline json_t *validate_harness_run(const char *query, const mm_gql_validate_options *opts,
                                           size_t *returned) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, query, strlen(query), NULL, &errors);
    if (!doc) {
        fprintf(stderr, "parse error in: %s\n  %s\n", query,
                errors.head ? errors.head->message : "?");
        fail();
    }
    size_t n = mm_gql_validate(validate_harness_schema, doc, opts, &errors);
    if (returned) *returned = n;
    json_t *json = mm_gql_errors_to_json(&errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return json;
}

/* Runs every case; reports each mismatch with the document, then fails. */
static inline void validate_harness_check(const validate_case *cases, size_t count) {
    size_t failures = 0;
    for (size_t i = 0; i < count; i++) {
        mm_gql_validate_options opts = mm_gql_default_validate_options;
        opts.rules = cases[i].rules;
        size_t returned = 0;
        json_t *got = validate_harness_run(cases[i].query, &opts, &returned);
        json_error_t jerr;
        json_t *want = json_loads(cases[i].expected, 0, &jerr);
        if (!want) {
            fprintf(stderr, "case %zu: bad expected JSON: %s\n", i, jerr.text);
            failures++;
            json_decref(got);
            continue;
        }
        if (!json_equal(got, want) || returned != json_array_size(want)) {
            char *g = json_dumps(got, JSON_COMPACT);
            fprintf(stderr, "case %zu failed\n  document: %s\n  expected: %s\n  got:      %s\n", i,
                    cases[i].query, cases[i].expected, g ? g : "?");
            free(g);
            failures++;
        }
        json_decref(got);
        json_decref(want);
    }
    assert_int_equal(failures, 0);
}

#define VALIDATE_CASES(cases) validate_harness_check((cases), sizeof(cases) / sizeof((cases)[0]))

#endif
