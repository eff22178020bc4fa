/* test_validate_types.c -- KnownTypeNames, FragmentsOnCompositeTypes and VariablesAreInputTypes.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* KnownTypeNames */
static const validate_case known_type_names_cases[] = {
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "query Foo(\n"
     "  $var: String\n"
     "  $required: [Int!]!\n"
     "  $introspectionType: __EnumValue\n"
     ") {\n"
     "  user(id: 4) {\n"
     "    pets { ... on Pet { name }, ...PetFields, ... { name } }\n"
     "  }\n"
     "}\n"
     "\n"
     "fragment PetFields on Pet {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "query Foo(\n"
     "  $var: [JumbledUpLetters!]!\n"
     ") {\n"
     "  user(id: 4) {\n"
     "    name\n"
     "    pets { ... on Badger { name }, ...PetFields }\n"
     "  }\n"
     "}\n"
     "fragment PetFields on Peat {\n"
     "  name\n"
     "}",
     "[{\"message\":\"Unknown type "
     "\\\"JumbledUpLetters\\\".\",\"locations\":[{\"line\":2,\"column\":10}]},{\"message\":"
     "\"Unknown type \\\"Badger\\\". Did you mean "
     "\\\"Edge\\\"?\",\"locations\":[{\"line\":6,\"column\":19}]},{\"message\":\"Unknown type "
     "\\\"Peat\\\". Did you mean \\\"Pet\\\" or "
     "\\\"Cat\\\"?\",\"locations\":[{\"line\":9,\"column\":23}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "query ($a: DOG, $b: catordog, $c: Hman, $d: ComplexInpt, $e: fURcOLOR) { dog { name } }",
     "[{\"message\":\"Unknown type \\\"DOG\\\". Did you mean "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":12}]},{\"message\":\"Unknown type "
     "\\\"catordog\\\". Did you mean "
     "\\\"CatOrDog\\\"?\",\"locations\":[{\"line\":1,\"column\":21}]},{\"message\":\"Unknown type "
     "\\\"Hman\\\". Did you mean "
     "\\\"Human\\\"?\",\"locations\":[{\"line\":1,\"column\":35}]},{\"message\":\"Unknown type "
     "\\\"ComplexInpt\\\". Did you mean "
     "\\\"ComplexInput\\\"?\",\"locations\":[{\"line\":1,\"column\":45}]},{\"message\":\"Unknown "
     "type \\\"fURcOLOR\\\". Did you mean "
     "\\\"FurColor\\\"?\",\"locations\":[{\"line\":1,\"column\":62}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES, "query ($a: Strin, $b: [Iny!], $c: Boolen) { dog { name } }",
     "[{\"message\":\"Unknown type \\\"Strin\\\". Did you mean "
     "\\\"String\\\"?\",\"locations\":[{\"line\":1,\"column\":12}]},{\"message\":\"Unknown type "
     "\\\"Iny\\\". Did you mean \\\"Int\\\" or "
     "\\\"ID\\\"?\",\"locations\":[{\"line\":1,\"column\":24}]},{\"message\":\"Unknown type "
     "\\\"Boolen\\\". Did you mean "
     "\\\"Boolean\\\"?\",\"locations\":[{\"line\":1,\"column\":35}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "query ($a: __Typ) { __type(name: \"Dog\") { ... on __Tyep { name } } }",
     "[{\"message\":\"Unknown type \\\"__Typ\\\". Did you mean "
     "\\\"__Type\\\"?\",\"locations\":[{\"line\":1,\"column\":12}]},{\"message\":\"Unknown type "
     "\\\"__Tyep\\\". Did you mean \\\"__Type\\\"?\",\"locations\":[{\"line\":1,\"column\":50}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "\n"
     "type Query {\n"
     "  foo: String\n"
     "  bar: Int\n"
     "}\n"
     "scalar SomeScalar\n"
     "interface Iface implements I2 { f: Boolean }\n"
     "union U = A | Dog\n"
     "input In { f: Str = 1 }\n"
     "{ dog { name } }",
     "[{\"message\":\"Unknown type \\\"I2\\\". Did you mean \\\"ID\\\" or "
     "\\\"In\\\"?\",\"locations\":[{\"line\":7,\"column\":28}]},{\"message\":\"Unknown type "
     "\\\"A\\\". Did you mean "
     "\\\"U\\\"?\",\"locations\":[{\"line\":8,\"column\":11}]},{\"message\":\"Unknown type "
     "\\\"Str\\\".\",\"locations\":[{\"line\":9,\"column\":15}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES,
     "\n"
     "type Query {\n"
     "  f(x: ID, y: __Type): Float\n"
     "}\n"
     "extend type Human implements Unknown { x: Unknowable }\n"
     "schema { query: Qury }",
     "[{\"message\":\"Unknown type "
     "\\\"Unknown\\\".\",\"locations\":[{\"line\":5,\"column\":30}]},{\"message\":\"Unknown type "
     "\\\"Unknowable\\\".\",\"locations\":[{\"line\":5,\"column\":43}]},{\"message\":\"Unknown "
     "type \\\"Qury\\\". Did you mean "
     "\\\"Query\\\"?\",\"locations\":[{\"line\":6,\"column\":17}]}]"},
    {MM_GQL_RULE_KNOWN_TYPE_NAMES, "{ dog { ... on Dog { name } ... on Dgo { name } } }",
     "[{\"message\":\"Unknown type \\\"Dgo\\\". Did you mean \\\"Dog\\\" or "
     "\\\"Edge\\\"?\",\"locations\":[{\"line\":1,\"column\":36}]}]"},
};

static void test_known_type_names(void **state) {
    (void)state;
    VALIDATE_CASES(known_type_names_cases);
}

/* FragmentsOnCompositeTypes */
static const validate_case fragments_on_composite_types_cases[] = {
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES, "fragment validFragment on Dog { barks }", "[]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES, "fragment validFragment on Pet { name }", "[]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment validFragment on Pet { ... on Dog { barks } }", "[]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES, "fragment validFragment on Pet { ... { name } }",
     "[]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES, "fragment validFragment on CatOrDog { __typename }",
     "[]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment scalarFragment on Boolean {\n"
     "  bad\n"
     "}",
     "[{\"message\":\"Fragment \\\"scalarFragment\\\" cannot condition on non composite type "
     "\\\"Boolean\\\".\",\"locations\":[{\"line\":1,\"column\":28}]}]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment scalarFragment on FurColor {\n"
     "  bad\n"
     "}",
     "[{\"message\":\"Fragment \\\"scalarFragment\\\" cannot condition on non composite type "
     "\\\"FurColor\\\".\",\"locations\":[{\"line\":1,\"column\":28}]}]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment inputFragment on ComplexInput {\n"
     "  stringField\n"
     "}",
     "[{\"message\":\"Fragment \\\"inputFragment\\\" cannot condition on non composite type "
     "\\\"ComplexInput\\\".\",\"locations\":[{\"line\":1,\"column\":27}]}]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment invalidFragment on Pet {\n"
     "  ... on String {\n"
     "    barks\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fragment cannot condition on non composite type "
     "\\\"String\\\".\",\"locations\":[{\"line\":2,\"column\":10}]}]"},
    {MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES,
     "fragment f on UnknownType { x } { ... on Unknown2 { y } }", "[]"},
};

static void test_fragments_on_composite_types(void **state) {
    (void)state;
    VALIDATE_CASES(fragments_on_composite_types_cases);
}

/* VariablesAreInputTypes */
static const validate_case variables_are_input_types_cases[] = {
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: Unknown, $b: [[Unknown!]]!) { field(a: $a, b: $b) }", "[]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: String, $b: [Boolean!]!, $c: ComplexInput) { field(a: $a, b: $b, c: $c) }",
     "[]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: FurColor = BROWN, $b: [DogCommand], $c: ID!) { field }", "[]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: Dog, $b: [[CatOrDog!]]!, $c: Pet) {\n"
     "  field(a: $a, b: $b, c: $c)\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" cannot be non-input type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":15}]},{\"message\":\"Variable "
     "\\\"$b\\\" cannot be non-input type "
     "\\\"[[CatOrDog!]]!\\\".\",\"locations\":[{\"line\":1,\"column\":24}]},{\"message\":"
     "\"Variable \\\"$c\\\" cannot be non-input type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":44}]}]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: [Human!]!, $b: [[[SomeBox]]], $c: Connection!) { field }",
     "[{\"message\":\"Variable \\\"$a\\\" cannot be non-input type "
     "\\\"[Human!]!\\\".\",\"locations\":[{\"line\":1,\"column\":15}]},{\"message\":\"Variable "
     "\\\"$b\\\" cannot be non-input type "
     "\\\"[[[SomeBox]]]\\\".\",\"locations\":[{\"line\":1,\"column\":30}]},{\"message\":\"Variable "
     "\\\"$c\\\" cannot be non-input type "
     "\\\"Connection!\\\".\",\"locations\":[{\"line\":1,\"column\":49}]}]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "query Foo($a: OneOfInput, $b: [DogCommand!]! = [SIT], $c: __TypeKind, $d: __Type) { field }",
     "[{\"message\":\"Variable \\\"$d\\\" cannot be non-input type "
     "\\\"__Type\\\".\",\"locations\":[{\"line\":1,\"column\":75}]}]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES,
     "mutation M($a: QueryRoot, $b: SubscriptionRoot!) { field } subscription S($c: [Mammal]) { "
     "field }",
     "[{\"message\":\"Variable \\\"$a\\\" cannot be non-input type "
     "\\\"QueryRoot\\\".\",\"locations\":[{\"line\":1,\"column\":16}]},{\"message\":\"Variable "
     "\\\"$b\\\" cannot be non-input type "
     "\\\"SubscriptionRoot!\\\".\",\"locations\":[{\"line\":1,\"column\":31}]},{\"message\":"
     "\"Variable \\\"$c\\\" cannot be non-input type "
     "\\\"[Mammal]\\\".\",\"locations\":[{\"line\":1,\"column\":79}]}]"},
    {MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES, "query Foo($a: Dog @onVariableDefinition) { field }",
     "[{\"message\":\"Variable \\\"$a\\\" cannot be non-input type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":15}]}]"},
};

static void test_variables_are_input_types(void **state) {
    (void)state;
    VALIDATE_CASES(variables_are_input_types_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_type_names),
        cmocka_unit_test(test_fragments_on_composite_types),
        cmocka_unit_test(test_variables_are_input_types),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
