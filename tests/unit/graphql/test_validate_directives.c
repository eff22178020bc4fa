/* test_validate_directives.c -- KnownDirectives and UniqueDirectivesPerLocation.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* KnownDirectives */
static const validate_case known_directives_cases[] = {
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "query Foo {\n"
     "  name\n"
     "  ...Frag\n"
     "}\n"
     "\n"
     "fragment Frag on Dog {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "{\n"
     "  human @skip(if: false) {\n"
     "    name\n"
     "    pets {\n"
     "      ... on Dog @include(if: true) {\n"
     "        name\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "{\n"
     "  human @unknown(directive: \"value\") {\n"
     "    name\n"
     "  }\n"
     "}",
     "[{\"message\":\"Unknown directive "
     "\\\"@unknown\\\".\",\"locations\":[{\"line\":2,\"column\":9}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "{\n"
     "  __typename @unknown\n"
     "  human @unknown {\n"
     "    name\n"
     "    pets @unknown {\n"
     "      name\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Unknown directive "
     "\\\"@unknown\\\".\",\"locations\":[{\"line\":2,\"column\":14}]},{\"message\":\"Unknown "
     "directive "
     "\\\"@unknown\\\".\",\"locations\":[{\"line\":3,\"column\":9}]},{\"message\":\"Unknown "
     "directive \\\"@unknown\\\".\",\"locations\":[{\"line\":5,\"column\":10}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "query ($var: Boolean @onVariableDefinition) @onQuery {\n"
     "  name @include(if: $var)\n"
     "  ...Frag @include(if: true)\n"
     "  skippedField @skip(if: true)\n"
     "  ...SkippedFrag @skip(if: true)\n"
     "\n"
     "  ... @skip(if: true) {\n"
     "    skippedField\n"
     "  }\n"
     "}\n"
     "\n"
     "mutation @onMutation {\n"
     "  someField\n"
     "}\n"
     "\n"
     "subscription @onSubscription {\n"
     "  someField\n"
     "}\n"
     "\n"
     "fragment Frag on SomeType @onFragmentDefinition {\n"
     "  someField\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "query ($var: Boolean @onQuery) @onMutation {\n"
     "  name @onQuery @include(if: $var)\n"
     "  ...Frag @onQuery\n"
     "  ... @onFragmentSpread {\n"
     "    skippedField\n"
     "  }\n"
     "}\n"
     "\n"
     "mutation @onQuery {\n"
     "  someField @onFragmentSpread\n"
     "}\n"
     "\n"
     "subscription @onQuery {\n"
     "  someField\n"
     "}\n"
     "\n"
     "fragment Frag on SomeType @onQuery {\n"
     "  someField\n"
     "}",
     "[{\"message\":\"Directive \\\"@onQuery\\\" may not be used on "
     "VARIABLE_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":22}]},{\"message\":\"Directive "
     "\\\"@onMutation\\\" may not be used on "
     "QUERY.\",\"locations\":[{\"line\":1,\"column\":32}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "FIELD.\",\"locations\":[{\"line\":2,\"column\":8}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "FRAGMENT_SPREAD.\",\"locations\":[{\"line\":3,\"column\":11}]},{\"message\":\"Directive "
     "\\\"@onFragmentSpread\\\" may not be used on "
     "INLINE_FRAGMENT.\",\"locations\":[{\"line\":4,\"column\":7}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "MUTATION.\",\"locations\":[{\"line\":9,\"column\":10}]},{\"message\":\"Directive "
     "\\\"@onFragmentSpread\\\" may not be used on "
     "FIELD.\",\"locations\":[{\"line\":10,\"column\":13}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "SUBSCRIPTION.\",\"locations\":[{\"line\":13,\"column\":14}]},{\"message\":\"Directive "
     "\\\"@onQuery\\\" may not be used on "
     "FRAGMENT_DEFINITION.\",\"locations\":[{\"line\":17,\"column\":27}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES, "{ dog { name @deprecated } }",
     "[{\"message\":\"Directive \\\"@deprecated\\\" may not be used on "
     "FIELD.\",\"locations\":[{\"line\":1,\"column\":14}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "type MyObj implements MyInterface @onObject {\n"
     "  myField(myArg: Int @onArgumentDefinition): String @onFieldDefinition\n"
     "}\n"
     "extend type MyObj @onObject\n"
     "scalar MyScalar @onScalar\n"
     "interface MyInterface @onInterface { f: Int }\n"
     "schema @onSchema { query: MyQuery }\n"
     "extend schema @onSchema\n"
     "directive @onArgumentDefinition on ARGUMENT_DEFINITION\n"
     "directive @onFieldDefinition on FIELD_DEFINITION",
     "[{\"message\":\"Unknown directive "
     "\\\"@onScalar\\\".\",\"locations\":[{\"line\":5,\"column\":17}]},{\"message\":\"Unknown "
     "directive \\\"@onInterface\\\".\",\"locations\":[{\"line\":6,\"column\":23}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "type MyObj implements MyInterface @onInterface {\n"
     "  myField(myArg: Int @onInputFieldDefinition): String @onInputFieldDefinition\n"
     "}\n"
     "scalar MyScalar @onEnum\n"
     "union MyUnion @onEnumValue = MyObj | Other\n"
     "enum MyEnum @onScalar { ONE @onUnion }\n"
     "input MyInput @onEnum { myField: Int @onArgumentDefinition }\n"
     "schema @onObject { query: MyQuery }\n"
     "directive @onEnum on ENUM",
     "[{\"message\":\"Unknown directive "
     "\\\"@onInterface\\\".\",\"locations\":[{\"line\":1,\"column\":35}]},{\"message\":\"Unknown "
     "directive "
     "\\\"@onInputFieldDefinition\\\".\",\"locations\":[{\"line\":2,\"column\":22}]},{\"message\":"
     "\"Unknown directive "
     "\\\"@onInputFieldDefinition\\\".\",\"locations\":[{\"line\":2,\"column\":55}]},{\"message\":"
     "\"Directive \\\"@onEnum\\\" may not be used on "
     "SCALAR.\",\"locations\":[{\"line\":4,\"column\":17}]},{\"message\":\"Unknown directive "
     "\\\"@onEnumValue\\\".\",\"locations\":[{\"line\":5,\"column\":15}]},{\"message\":\"Unknown "
     "directive "
     "\\\"@onScalar\\\".\",\"locations\":[{\"line\":6,\"column\":13}]},{\"message\":\"Unknown "
     "directive "
     "\\\"@onUnion\\\".\",\"locations\":[{\"line\":6,\"column\":29}]},{\"message\":\"Directive "
     "\\\"@onEnum\\\" may not be used on "
     "INPUT_OBJECT.\",\"locations\":[{\"line\":7,\"column\":15}]},{\"message\":\"Unknown directive "
     "\\\"@onArgumentDefinition\\\".\",\"locations\":[{\"line\":7,\"column\":38}]},{\"message\":"
     "\"Directive \\\"@onObject\\\" may not be used on "
     "SCHEMA.\",\"locations\":[{\"line\":8,\"column\":8}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "extend input ComplexInput { f: Int @onField }\n"
     "input X { f: Int @onField }\n"
     "extend type Dog { f(a: Int @onField): Int @onField }\n"
     "extend interface Pet @onField\n"
     "extend union CatOrDog @onField\n"
     "extend enum FurColor @onField { X @onField }\n"
     "extend scalar Date @onField\n"
     "directive @d(a: Int @onField) on FIELD",
     "[{\"message\":\"Directive \\\"@onField\\\" may not be used on "
     "ARGUMENT_DEFINITION.\",\"locations\":[{\"line\":1,\"column\":36}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "INPUT_FIELD_DEFINITION.\",\"locations\":[{\"line\":2,\"column\":18}]},{\"message\":"
     "\"Directive \\\"@onField\\\" may not be used on "
     "ARGUMENT_DEFINITION.\",\"locations\":[{\"line\":3,\"column\":28}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "FIELD_DEFINITION.\",\"locations\":[{\"line\":3,\"column\":43}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "INTERFACE.\",\"locations\":[{\"line\":4,\"column\":22}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "UNION.\",\"locations\":[{\"line\":5,\"column\":23}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "ENUM.\",\"locations\":[{\"line\":6,\"column\":22}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "ENUM_VALUE.\",\"locations\":[{\"line\":6,\"column\":35}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "SCALAR.\",\"locations\":[{\"line\":7,\"column\":20}]},{\"message\":\"Directive "
     "\\\"@onField\\\" may not be used on "
     "ARGUMENT_DEFINITION.\",\"locations\":[{\"line\":8,\"column\":21}]}]"},
    {MM_GQL_RULE_KNOWN_DIRECTIVES,
     "directive @myDir on QUERY | FIELD\n"
     "query @myDir { f @myDir ... @myDir { g } }",
     "[{\"message\":\"Directive \\\"@myDir\\\" may not be used on "
     "INLINE_FRAGMENT.\",\"locations\":[{\"line\":2,\"column\":29}]}]"},
};

static void test_known_directives(void **state) {
    (void)state;
    VALIDATE_CASES(known_directives_cases);
}

/* UniqueDirectivesPerLocation */
static const validate_case unique_directives_per_location_cases[] = {
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directive\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type @directive {\n"
     "  field @directive\n"
     "  ... @directive { field }\n"
     "  ...Test @directive\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directiveA @directiveB\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directive\n"
     "  field @directive\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directive\n"
     "  field @repeatable @repeatable\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directive @directive\n"
     "}",
     "[{\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":20}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directive @directive @directive\n"
     "}",
     "[{\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":20}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":31}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type {\n"
     "  field @directiveA @directiveB @directiveA @directiveB\n"
     "}",
     "[{\"message\":\"The directive \\\"@directiveA\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":33}]},{"
     "\"message\":\"The directive \\\"@directiveB\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":21},{\"line\":2,\"column\":45}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "fragment Test on Type @directive @directive {\n"
     "  field @directive @directive\n"
     "  ...Frag @include(if: true) @include(if: false)\n"
     "  ... @skip(if: true) @skip(if: false) { a }\n"
     "}",
     "[{\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":23},{\"line\":1,\"column\":34}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":20}]},{"
     "\"message\":\"The directive \\\"@include\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":11},{\"line\":3,\"column\":30}]},{"
     "\"message\":\"The directive \\\"@skip\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":4,\"column\":23}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "query ($v: Int @onVariableDefinition @onVariableDefinition) @onQuery @onQuery { f @unknown "
     "@unknown }",
     "[{\"message\":\"The directive \\\"@onQuery\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":61},{\"line\":1,\"column\":70}]},{"
     "\"message\":\"The directive \\\"@onVariableDefinition\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":16},{\"line\":1,\"column\":38}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "schema @directive @directive { query: Dummy }\n"
     "extend schema @directive @directive\n"
     "scalar TestScalar @directive @directive\n"
     "type TestObject @directive @directive\n"
     "interface TestInterface @directive @directive\n"
     "union TestUnion @directive @directive\n"
     "input TestInput @directive @directive\n"
     "extend scalar TestScalar @directive @directive\n"
     "extend type TestObject @directive @directive\n"
     "extend interface TestInterface @directive @directive\n"
     "extend union TestUnion @directive @directive\n"
     "extend input TestInput @directive @directive",
     "[{\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":8},{\"line\":1,\"column\":19}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":8},{\"line\":2,\"column\":15}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":8},{\"line\":2,\"column\":26}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":19},{\"line\":3,\"column\":30}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":4,\"column\":17},{\"line\":4,\"column\":28}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":5,\"column\":25},{\"line\":5,\"column\":36}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":6,\"column\":17},{\"line\":6,\"column\":28}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":7,\"column\":17},{\"line\":7,\"column\":28}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":19},{\"line\":8,\"column\":26}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":19},{\"line\":8,\"column\":37}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":4,\"column\":17},{\"line\":9,\"column\":24}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":4,\"column\":17},{\"line\":9,\"column\":35}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":5,\"column\":25},{\"line\":10,\"column\":32}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":5,\"column\":25},{\"line\":10,\"column\":43}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":6,\"column\":17},{\"line\":11,\"column\":24}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":6,\"column\":17},{\"line\":11,\"column\":35}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":7,\"column\":17},{\"line\":12,\"column\":24}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":7,\"column\":17},{\"line\":12,\"column\":35}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "schema @directive { query: Dummy }\n"
     "extend schema @directive\n"
     "scalar TestScalar @directive\n"
     "extend scalar TestScalar @directive\n"
     "type TestObject @directive\n"
     "extend type TestObject @directive",
     "[{\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":1,\"column\":8},{\"line\":2,\"column\":15}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":19},{\"line\":4,\"column\":26}]},{"
     "\"message\":\"The directive \\\"@directive\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":5,\"column\":17},{\"line\":6,\"column\":24}]}]"},
    {MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION,
     "directive @nonRepeatable on FIELD\n"
     "directive @isRepeatable repeatable on FIELD | QUERY\n"
     "query @isRepeatable @isRepeatable { f @nonRepeatable @nonRepeatable @isRepeatable "
     "@isRepeatable }",
     "[{\"message\":\"The directive \\\"@nonRepeatable\\\" can only be used once at this "
     "location.\",\"locations\":[{\"line\":3,\"column\":39},{\"line\":3,\"column\":54}]}]"},
};

static void test_unique_directives_per_location(void **state) {
    (void)state;
    VALIDATE_CASES(unique_directives_per_location_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_directives),
        cmocka_unit_test(test_unique_directives_per_location),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
