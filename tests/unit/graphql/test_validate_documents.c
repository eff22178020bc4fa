/* test_validate_documents.c -- ExecutableDefinitions, UniqueOperationNames, LoneAnonymousOperation, UniqueFragmentNames and SingleFieldSubscriptions.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* ExecutableDefinitions */
static const validate_case executable_definitions_cases[] = {
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS,
     "\n"
     "query Foo {\n"
     "  dog {\n"
     "    name\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS,
     "\n"
     "query Foo {\n"
     "  dog {\n"
     "    name\n"
     "    ...Frag\n"
     "  }\n"
     "}\n"
     "\n"
     "fragment Frag on Dog {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS,
     "\n"
     "query Foo {\n"
     "  dog {\n"
     "    name\n"
     "  }\n"
     "}\n"
     "\n"
     "type Cow {\n"
     "  name: String\n"
     "}\n"
     "\n"
     "extend type Dog {\n"
     "  color: String\n"
     "}",
     "[{\"message\":\"The \\\"Cow\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":8,\"column\":1}]},{\"message\":\"The \\\"Dog\\\" "
     "definition is not executable.\",\"locations\":[{\"line\":12,\"column\":1}]}]"},
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS,
     "\n"
     "schema {\n"
     "  query: Query\n"
     "}\n"
     "\n"
     "type Query {\n"
     "  test: String\n"
     "}\n"
     "\n"
     "extend schema @directive",
     "[{\"message\":\"The schema definition is not "
     "executable.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"The \\\"Query\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":6,\"column\":1}]},{\"message\":\"The schema "
     "definition is not executable.\",\"locations\":[{\"line\":10,\"column\":1}]}]"},
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS,
     "\n"
     "{ dog { name } }\n"
     "directive @foo on FIELD\n"
     "scalar Date\n"
     "interface I { a: Int }\n"
     "union U = Dog\n"
     "enum E { A }\n"
     "input In { a: Int }\n"
     "extend scalar Date @foo",
     "[{\"message\":\"The \\\"foo\\\" definition is not "
     "executable.\",\"locations\":[{\"line\":3,\"column\":1}]},{\"message\":\"The \\\"Date\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":4,\"column\":1}]},{\"message\":\"The \\\"I\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":5,\"column\":1}]},{\"message\":\"The \\\"U\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":6,\"column\":1}]},{\"message\":\"The \\\"E\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":7,\"column\":1}]},{\"message\":\"The \\\"In\\\" "
     "definition is not "
     "executable.\",\"locations\":[{\"line\":8,\"column\":1}]},{\"message\":\"The \\\"Date\\\" "
     "definition is not executable.\",\"locations\":[{\"line\":9,\"column\":1}]}]"},
    {MM_GQL_RULE_EXECUTABLE_DEFINITIONS, "\"described\" query Q { dog { name } }", "[]"},
};

static void test_executable_definitions(void **state) {
    (void)state;
    VALIDATE_CASES(executable_definitions_cases);
}

/* UniqueOperationNames */
static const validate_case unique_operation_names_cases[] = {
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "fragment fragA on Type { field }", "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "{ field }", "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "query Foo { field }", "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "query Foo { field } query Bar { field }", "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES,
     "query Foo { field } mutation Bar { field } subscription Baz { field }", "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "query Foo { ...Foo } fragment Foo on Type { field }",
     "[]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES,
     "\n"
     "query Foo {\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "query Foo {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":7},{\"line\":6,\"column\":7}]}]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES,
     "\n"
     "query Foo {\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "mutation Foo {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":7},{\"line\":6,\"column\":10}]}]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES,
     "\n"
     "query Foo {\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "subscription Foo {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":7},{\"line\":6,\"column\":14}]}]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "query Foo { a } query Foo { b } query Foo { c }",
     "[{\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":1,\"column\":23}]},{"
     "\"message\":\"There can be only one operation named "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":1,\"column\":39}]}]"},
    {MM_GQL_RULE_UNIQUE_OPERATION_NAMES, "{ a } query Foo { b } { c }", "[]"},
};

static void test_unique_operation_names(void **state) {
    (void)state;
    VALIDATE_CASES(unique_operation_names_cases);
}

/* LoneAnonymousOperation */
static const validate_case lone_anonymous_operation_cases[] = {
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION, "fragment fragA on Type { field }", "[]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION, "{ field }", "[]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION, "query Foo { field } query Bar { field }", "[]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION, "{ ...Foo } fragment Foo on Type { field }", "[]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION,
     "\n"
     "{\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "{\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":2,\"column\":1}]},{\"message\":\"This anonymous "
     "operation must be the only defined operation.\",\"locations\":[{\"line\":6,\"column\":1}]}]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION,
     "\n"
     "{\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "mutation Foo {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":2,\"column\":1}]}]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION,
     "\n"
     "{\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "subscription Foo {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":2,\"column\":1}]}]"},
    {MM_GQL_RULE_LONE_ANONYMOUS_OPERATION, "{ a } { b } { c }",
     "[{\"message\":\"This anonymous operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"This anonymous "
     "operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":1,\"column\":7}]},{\"message\":\"This anonymous "
     "operation must be the only defined "
     "operation.\",\"locations\":[{\"line\":1,\"column\":13}]}]"},
};

static void test_lone_anonymous_operation(void **state) {
    (void)state;
    VALIDATE_CASES(lone_anonymous_operation_cases);
}

/* UniqueFragmentNames */
static const validate_case unique_fragment_names_cases[] = {
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES, "{ field }", "[]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES, "{ ...fragA } fragment fragA on Type { field }", "[]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES,
     "{ ...fragA ...fragB ...fragC } fragment fragA on Type { fieldA } fragment fragB on Type { "
     "fieldB } fragment fragC on Type { fieldC }",
     "[]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES, "{ ...on Type { fieldA } ...on Type { fieldB } }", "[]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES, "query Foo { ...Foo } fragment Foo on Type { field }",
     "[]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES,
     "\n"
     "{\n"
     "  ...fragA\n"
     "}\n"
     "\n"
     "fragment fragA on Type {\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "fragment fragA on Type {\n"
     "  fieldB\n"
     "}",
     "[{\"message\":\"There can be only one fragment named "
     "\\\"fragA\\\".\",\"locations\":[{\"line\":6,\"column\":10},{\"line\":10,\"column\":10}]}]"},
    {MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES,
     "\n"
     "fragment fragA on Type {\n"
     "  fieldA\n"
     "}\n"
     "\n"
     "fragment fragA on Type {\n"
     "  fieldB\n"
     "}\n"
     "\n"
     "fragment fragA on Type {\n"
     "  fieldC\n"
     "}",
     "[{\"message\":\"There can be only one fragment named "
     "\\\"fragA\\\".\",\"locations\":[{\"line\":2,\"column\":10},{\"line\":6,\"column\":10}]},{"
     "\"message\":\"There can be only one fragment named "
     "\\\"fragA\\\".\",\"locations\":[{\"line\":2,\"column\":10},{\"line\":10,\"column\":10}]}]"},
};

static void test_unique_fragment_names(void **state) {
    (void)state;
    VALIDATE_CASES(unique_fragment_names_cases);
}

/* SingleFieldSubscriptions */
static const validate_case single_field_subscriptions_cases[] = {
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS, "subscription ImportantEmails { importantEmails }",
     "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription sub { ...newMessageFields } fragment newMessageFields on SubscriptionRoot { "
     "importantEmails }",
     "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription sub { ... on SubscriptionRoot { importantEmails } }", "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription sub { importantEmails @skip(if: false) notImportantEmails @skip(if: true) }",
     "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription sub { importantEmails @include(if: true) notImportantEmails @include(if: false) "
     "}",
     "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS, "subscription sub { importantEmails importantEmails }",
     "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription ImportantEmails {\n"
     "  importantEmails\n"
     "  notImportantEmails\n"
     "}",
     "[{\"message\":\"Subscription \\\"ImportantEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription ImportantEmails {\n"
     "  importantEmails\n"
     "  __typename\n"
     "}",
     "[{\"message\":\"Subscription \\\"ImportantEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3}]},{\"message\":\"Subscription "
     "\\\"ImportantEmails\\\" must not select an introspection top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription SpamEmails {\n"
     "  importantEmails\n"
     "  ...Fields\n"
     "}\n"
     "fragment Fields on SubscriptionRoot {\n"
     "  spamEmails\n"
     "  deletedEmails\n"
     "}",
     "[{\"message\":\"Subscription \\\"SpamEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":6,\"column\":3},{\"line\":7,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription SpamEmails {\n"
     "  importantEmails\n"
     "  ... on SubscriptionRoot {\n"
     "    spamEmails\n"
     "  }\n"
     "  moreImportantEmails\n"
     "}",
     "[{\"message\":\"Subscription \\\"SpamEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":4,\"column\":5},{\"line\":6,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription ImportantEmails {\n"
     "  __typename\n"
     "}",
     "[{\"message\":\"Subscription \\\"ImportantEmails\\\" must not select an introspection top "
     "level field.\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription {\n"
     "  __typename\n"
     "}",
     "[{\"message\":\"Anonymous Subscription must not select an introspection top level "
     "field.\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription ImportantEmails {\n"
     "  __schema { queryType { name } }\n"
     "  __type(name: \"x\") { name }\n"
     "}",
     "[{\"message\":\"Subscription \\\"ImportantEmails\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3}]},{\"message\":\"Subscription "
     "\\\"ImportantEmails\\\" must not select an introspection top level "
     "field.\",\"locations\":[{\"line\":2,\"column\":3}]},{\"message\":\"Subscription "
     "\\\"ImportantEmails\\\" must not select an introspection top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription {\n"
     "  importantEmails\n"
     "  notImportantEmails\n"
     "  spamEmails\n"
     "}",
     "[{\"message\":\"Anonymous Subscription must select only one top level "
     "field.\",\"locations\":[{\"line\":3,\"column\":3},{\"line\":4,\"column\":3}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S { ...A ...A } fragment A on SubscriptionRoot { spamEmails a: spamEmails }",
     "[{\"message\":\"Subscription \\\"S\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":1,\"column\":74}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S { ... on QueryRoot { dog { name } } importantEmails }", "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS, "query Q { dog { name } cat { name } }", "[]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S { importantEmails @include(if: $v) notImportantEmails }",
     "[{\"message\":\"Argument \\\"if\\\" of required type \\\"Boolean!\\\" was provided the "
     "variable \\\"$v\\\" which was not provided a runtime "
     "value.\",\"locations\":[{\"line\":1,\"column\":47}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S {\n"
     "  importantEmails @skip\n"
     "  notImportantEmails\n"
     "}",
     "[{\"message\":\"Argument \\\"if\\\" of required type \\\"Boolean!\\\" was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":19}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS, "subscription S { importantEmails @skip(if: null) }",
     "[{\"message\":\"Argument \\\"if\\\" of non-null type \\\"Boolean!\\\" must not be "
     "null.\",\"locations\":[{\"line\":1,\"column\":44}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS, "subscription S { importantEmails @skip(if: \"x\") }",
     "[{\"message\":\"Argument \\\"if\\\" has invalid value "
     "\\\"x\\\".\",\"locations\":[{\"line\":1,\"column\":44}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S { importantEmails ...F ...F @skip(if: $x) } fragment F on SubscriptionRoot { "
     "spamEmails }",
     "[{\"message\":\"Subscription \\\"S\\\" must select only one top level "
     "field.\",\"locations\":[{\"line\":1,\"column\":93}]}]"},
    {MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS,
     "subscription S { importantEmails ... @include(if: false) { a } ... on QueryRoot @skip(if: 1) "
     "{ b } }",
     "[{\"message\":\"Argument \\\"if\\\" has invalid value "
     "1.\",\"locations\":[{\"line\":1,\"column\":91}]}]"},
};

static void test_single_field_subscriptions(void **state) {
    (void)state;
    VALIDATE_CASES(single_field_subscriptions_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_executable_definitions),
        cmocka_unit_test(test_unique_operation_names),
        cmocka_unit_test(test_lone_anonymous_operation),
        cmocka_unit_test(test_unique_fragment_names),
        cmocka_unit_test(test_single_field_subscriptions),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
