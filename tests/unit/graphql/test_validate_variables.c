/* test_validate_variables.c -- UniqueVariableNames, NoUndefinedVariables, NoUnusedVariables and VariablesInAllowedPosition.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* UniqueVariableNames */
static const validate_case unique_variable_names_cases[] = {
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES,
     "query A($x: Int, $y: String) { __typename }\n"
     "query B($x: String, $y: Int) { __typename }",
     "[]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES,
     "query A($x: Int, $x: Int, $x: String) { __typename }\n"
     "query B($x: String, $x: Int) { __typename }\n"
     "query C($x: Int, $x: Int) { __typename }",
     "[{\"message\":\"There can be only one variable named "
     "\\\"$x\\\".\",\"locations\":[{\"line\":1,\"column\":10},{\"line\":1,\"column\":19},{\"line\":"
     "1,\"column\":28}]},{\"message\":\"There can be only one variable named "
     "\\\"$x\\\".\",\"locations\":[{\"line\":2,\"column\":10},{\"line\":2,\"column\":22}]},{"
     "\"message\":\"There can be only one variable named "
     "\\\"$x\\\".\",\"locations\":[{\"line\":3,\"column\":10},{\"line\":3,\"column\":19}]}]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES,
     "query A($a: Int, $b: Int, $a: Int, $c: Int, $b: Int, $a: Int) { __typename }",
     "[{\"message\":\"There can be only one variable named "
     "\\\"$a\\\".\",\"locations\":[{\"line\":1,\"column\":10},{\"line\":1,\"column\":28},{\"line\":"
     "1,\"column\":55}]},{\"message\":\"There can be only one variable named "
     "\\\"$b\\\".\",\"locations\":[{\"line\":1,\"column\":19},{\"line\":1,\"column\":46}]}]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES, "query A($x: Int) { __typename }", "[]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES, "query A { __typename }", "[]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES,
     "query A(\n"
     "  $a: Int,\n"
     "  $a: Int = 1\n"
     ") { __typename }\n"
     "fragment F on QueryRoot { __typename }\n"
     "query B($a: [Int], $b: Int, $a: Unknown!) { __typename }",
     "[{\"message\":\"There can be only one variable named "
     "\\\"$a\\\".\",\"locations\":[{\"line\":2,\"column\":4},{\"line\":3,\"column\":4}]},{"
     "\"message\":\"There can be only one variable named "
     "\\\"$a\\\".\",\"locations\":[{\"line\":6,\"column\":10},{\"line\":6,\"column\":30}]}]"},
    {MM_GQL_RULE_UNIQUE_VARIABLE_NAMES, "query A($x: Int, $X: Int, $x_: Int) { __typename }", "[]"},
};

static void test_unique_variable_names(void **state) {
    (void)state;
    VALIDATE_CASES(unique_variable_names_cases);
}

/* NoUndefinedVariables */
static const validate_case no_undefined_variables_cases[] = {
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  field(a: $a, b: $b, c: $c)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  field1(a: $a) {\n"
     "    field2(b: $b) {\n"
     "      field3(c: $c)\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  ... on Type {\n"
     "    field(a: $a, b: $b, c: $c)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  ...FragA\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a) {\n"
     "    ...FragB\n"
     "  }\n"
     "}\n"
     "fragment FragB on Type {\n"
     "  field(b: $b) {\n"
     "    ...FragC\n"
     "  }\n"
     "}\n"
     "fragment FragC on Type {\n"
     "  field(c: $c)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String) {\n"
     "  ...FragA\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a) {\n"
     "    ...FragA\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  field(a: $a, b: $b, c: $c, d: $d)\n"
     "}",
     "[{\"message\":\"Variable \\\"$d\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":33},{\"line\":1,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "{\n"
     "  field(a: $a)\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" is not "
     "defined.\",\"locations\":[{\"line\":2,\"column\":12},{\"line\":1,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($b: String) {\n"
     "  field(a: $a, b: $b, c: $c)\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":12},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$c\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":2,\"column\":26},{\"line\":1,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: String) {\n"
     "  ...FragA\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a) {\n"
     "    ...FragB\n"
     "  }\n"
     "}\n"
     "fragment FragB on Type {\n"
     "  field(b: $b) {\n"
     "    ...FragC\n"
     "  }\n"
     "}\n"
     "fragment FragC on Type {\n"
     "  field(c: $c)\n"
     "}",
     "[{\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":10,\"column\":12},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$c\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":15,\"column\":12},{\"line\":1,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($b: String) {\n"
     "  ...FragAB\n"
     "}\n"
     "query Bar($a: String) {\n"
     "  ...FragAB\n"
     "}\n"
     "fragment FragAB on Type {\n"
     "  field1(a: $a, b: $b)\n"
     "  ...FragC\n"
     "  field3(a: $a, b: $b)\n"
     "}\n"
     "fragment FragC on Type {\n"
     "  field2(c: $c)\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":8,\"column\":13},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$a\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":10,\"column\":13},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$c\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":13,\"column\":13},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Bar\\\".\",\"locations\":[{\"line\":8,\"column\":20},{\"line\":4,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Bar\\\".\",\"locations\":[{\"line\":10,\"column\":20},{\"line\":4,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$c\\\" is not defined by operation "
     "\\\"Bar\\\".\",\"locations\":[{\"line\":13,\"column\":13},{\"line\":4,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: Int) @include(if: $b) { field(x: [$a, {y: $c}]) @skip(if: $d) }",
     "[{\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":33},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$c\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":57},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$d\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":73},{\"line\":1,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query A { ...F ...G }\n"
     "query B { ...G ...F }\n"
     "fragment F on QueryRoot { dog { name(surname: $x) } }\n"
     "fragment G on QueryRoot { cat { name(surname: $y) } }",
     "[{\"message\":\"Variable \\\"$x\\\" is not defined by operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":3,\"column\":47},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$y\\\" is not defined by operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":4,\"column\":47},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$x\\\" is not defined by operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":3,\"column\":47},{\"line\":2,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$y\\\" is not defined by operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":4,\"column\":47},{\"line\":2,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query A($z: Int) { ...G ...F }\n"
     "query B { ...F ...G }\n"
     "query C { ...G }\n"
     "fragment F on QueryRoot { dog { name(surname: $x) ...H } }\n"
     "fragment G on QueryRoot { cat { name(surname: $y) } }\n"
     "fragment H on Dog { isHouseTrained(atOtherHomes: $w) }",
     "[{\"message\":\"Variable \\\"$y\\\" is not defined by operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":5,\"column\":47},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$x\\\" is not defined by operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":4,\"column\":47},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$w\\\" is not defined by operation "
     "\\\"A\\\".\",\"locations\":[{\"line\":6,\"column\":50},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$y\\\" is not defined by operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":5,\"column\":47},{\"line\":2,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$x\\\" is not defined by operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":4,\"column\":47},{\"line\":2,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$w\\\" is not defined by operation "
     "\\\"B\\\".\",\"locations\":[{\"line\":6,\"column\":50},{\"line\":2,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$y\\\" is not defined by operation "
     "\\\"C\\\".\",\"locations\":[{\"line\":5,\"column\":47},{\"line\":3,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNDEFINED_VARIABLES,
     "query Foo($a: Int = 1) { ...F ...F } fragment F on Type { f(x: $b) g(y: $b) }",
     "[{\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":64},{\"line\":1,\"column\":1}]},{"
     "\"message\":\"Variable \\\"$b\\\" is not defined by operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":73},{\"line\":1,\"column\":1}]}]"},
};

static void test_no_undefined_variables(void **state) {
    (void)state;
    VALIDATE_CASES(no_undefined_variables_cases);
}

/* NoUnusedVariables */
static const validate_case no_unused_variables_cases[] = {
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query ($a: String, $b: String, $c: String) {\n"
     "  field(a: $a, b: $b, c: $c)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  ...FragA\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a) {\n"
     "    ...FragB\n"
     "  }\n"
     "}\n"
     "fragment FragB on Type {\n"
     "  field(b: $b) {\n"
     "    ...FragC\n"
     "  }\n"
     "}\n"
     "fragment FragC on Type {\n"
     "  field(c: $c)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query ($a: String, $b: String, $c: String) {\n"
     "  field(a: $a, b: $b)\n"
     "}",
     "[{\"message\":\"Variable \\\"$c\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":32}]}]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  field(b: $b)\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable "
     "\\\"$c\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":35}]}]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query Foo($a: String, $b: String, $c: String) {\n"
     "  ...FragA\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a) {\n"
     "    ...FragB\n"
     "  }\n"
     "}\n"
     "fragment FragB on Type {\n"
     "  field(b: $b) {\n"
     "    ...FragC\n"
     "  }\n"
     "}\n"
     "fragment FragC on Type {\n"
     "  field\n"
     "}",
     "[{\"message\":\"Variable \\\"$c\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":35}]}]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query Foo($b: String) {\n"
     "  ...FragA\n"
     "}\n"
     "query Bar($a: String) {\n"
     "  ...FragB\n"
     "}\n"
     "fragment FragA on Type {\n"
     "  field(a: $a)\n"
     "}\n"
     "fragment FragB on Type {\n"
     "  field(b: $b)\n"
     "}",
     "[{\"message\":\"Variable \\\"$b\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable "
     "\\\"$a\\\" is never used in operation "
     "\\\"Bar\\\".\",\"locations\":[{\"line\":4,\"column\":11}]}]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES,
     "query Foo($a: Int, $b: Int = 1, $c: ComplexInput) @skip(if: $a) { f(x: {y: [$c]}) }",
     "[{\"message\":\"Variable \\\"$b\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":20}]}]"},
    {MM_GQL_RULE_NO_UNUSED_VARIABLES, "query Foo($a: Int, $b: Int = 1) { f }",
     "[{\"message\":\"Variable \\\"$a\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Variable "
     "\\\"$b\\\" is never used in operation "
     "\\\"Foo\\\".\",\"locations\":[{\"line\":1,\"column\":20}]}]"},
};

static void test_no_unused_variables(void **state) {
    (void)state;
    VALIDATE_CASES(no_unused_variables_cases);
}

/* VariablesInAllowedPosition */
static const validate_case variables_in_allowed_position_cases[] = {
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($booleanArg: Boolean)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: $booleanArg)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($booleanArg: Boolean)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    ...booleanArgFrag\n"
     "  }\n"
     "}\n"
     "fragment booleanArgFrag on ComplicatedArgs {\n"
     "  booleanArgField(booleanArg: $booleanArg)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($nonNullBooleanArg: Boolean!)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: $nonNullBooleanArg)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringListVar: [String])\n"
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: $stringListVar)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringListVar: [String!])\n"
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: $stringListVar)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringVar: String)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: [$stringVar])\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($complexVar: ComplexInput)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: $complexVar)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($boolVar: Boolean = false)\n"
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: {requiredArg: $boolVar})\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($boolVar: Boolean!)\n"
     "{\n"
     "  dog @include(if: $boolVar)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($intArg: Int) {\n"
     "  complicatedArgs {\n"
     "    nonNullIntArgField(nonNullIntArg: $intArg)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$intArg\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":39}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "fragment nonNullIntArgFieldFrag on ComplicatedArgs {\n"
     "  nonNullIntArgField(nonNullIntArg: $intArg)\n"
     "}\n"
     "\n"
     "query Query($intArg: Int) {\n"
     "  complicatedArgs {\n"
     "    ...nonNullIntArgFieldFrag\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$intArg\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":5,\"column\":13},{\"line\":2,\"column\":37}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "fragment outerFrag on ComplicatedArgs {\n"
     "  ...nonNullIntArgFieldFrag\n"
     "}\n"
     "\n"
     "fragment nonNullIntArgFieldFrag on ComplicatedArgs {\n"
     "  nonNullIntArgField(nonNullIntArg: $intArg)\n"
     "}\n"
     "\n"
     "query Query($intArg: Int) {\n"
     "  complicatedArgs {\n"
     "    ...outerFrag\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$intArg\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":9,\"column\":13},{\"line\":6,\"column\":37}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringVar: String) {\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: $stringVar)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$stringVar\\\" of type \\\"String\\\" used in position "
     "expecting type "
     "\\\"Boolean\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringVar: String) {\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: $stringVar)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$stringVar\\\" of type \\\"String\\\" used in position "
     "expecting type "
     "\\\"[String]\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":39}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($boolVar: Boolean) {\n"
     "  dog @include(if: $boolVar)\n"
     "}",
     "[{\"message\":\"Variable \\\"$boolVar\\\" of type \\\"Boolean\\\" used in position expecting "
     "type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":2,\"column\":20}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringVar: String) {\n"
     "  dog @include(if: $stringVar)\n"
     "}",
     "[{\"message\":\"Variable \\\"$stringVar\\\" of type \\\"String\\\" used in position "
     "expecting type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":2,\"column\":20}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($stringListVar: [String])\n"
     "{\n"
     "  complicatedArgs {\n"
     "    stringListNonNullArgField(stringListNonNullArg: $stringListVar)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$stringListVar\\\" of type \\\"[String]\\\" used in position "
     "expecting type "
     "\\\"[String!]\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":4,\"column\":53}]}"
     "]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($intVar: Int) {\n"
     "  complicatedArgs {\n"
     "    nonNullFieldWithDefault(arg: $intVar)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($intVar: Int = 1) {\n"
     "  complicatedArgs {\n"
     "    nonNullIntArgField(nonNullIntArg: $intVar)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($intVar: Int = null) {\n"
     "  complicatedArgs {\n"
     "    nonNullIntArgField(nonNullIntArg: $intVar)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$intVar\\\" of type \\\"Int\\\" used in position expecting type "
     "\\\"Int!\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":39}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($boolVar: Boolean = false) {\n"
     "  dog @include(if: $boolVar)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($boolVar: Boolean) {\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: {requiredField: $boolVar, nonNullField: $boolVar})\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$boolVar\\\" of type \\\"Boolean\\\" used in position expecting "
     "type "
     "\\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":49}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($a: Pet, $b: [FurColor], $c: FurColor!) {\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: $a)\n"
     "    e2: enumArgField(enumArg: $b)\n"
     "    e3: enumArgField(enumArg: $c)\n"
     "    stringListArgField(stringListArg: [[$c]])\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" of type \\\"Pet\\\" used in position expecting type "
     "\\\"FurColor\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":27}]},{"
     "\"message\":\"Variable \\\"$b\\\" of type \\\"[FurColor]\\\" used in position expecting type "
     "\\\"FurColor\\\".\",\"locations\":[{\"line\":1,\"column\":22},{\"line\":4,\"column\":31}]},{"
     "\"message\":\"Variable \\\"$c\\\" of type \\\"FurColor!\\\" used in position expecting type "
     "\\\"String\\\".\",\"locations\":[{\"line\":1,\"column\":38},{\"line\":6,\"column\":41}]}]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($a: String, $b: String!, $c: OneOfInput, $d: OneOfInput!, $e: Int) {\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { stringField: $a })\n"
     "    o2: oneOfArgField(oneOfArg: { stringField: $b })\n"
     "    o3: oneOfArgField(oneOfArg: $c)\n"
     "    o4: nonNullOneOfArgField(oneOfArg: { intField: $e })\n"
     "    o5: nonNullOneOfArgField(oneOfArg: $c)\n"
     "    o6: nonNullOneOfArgField(oneOfArg: $d)\n"
     "    o7: oneOfArgField(oneOfArg: { intField: $a })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Variable \\\"$a\\\" is of type \\\"String\\\" but must be non-nullable to be "
     "used for OneOf Input Object "
     "\\\"OneOfInput\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":3,\"column\":44}]},"
     "{\"message\":\"Variable \\\"$c\\\" of type \\\"OneOfInput\\\" used in position expecting "
     "type "
     "\\\"OneOfInput!\\\".\",\"locations\":[{\"line\":1,\"column\":38},{\"line\":7,\"column\":40}]}"
     ",{\"message\":\"Variable \\\"$a\\\" of type \\\"String\\\" used in position expecting type "
     "\\\"Int\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":9,\"column\":45}]},{"
     "\"message\":\"Variable \\\"$a\\\" is of type \\\"String\\\" but must be non-nullable to be "
     "used for OneOf Input Object "
     "\\\"OneOfInput\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":9,\"column\":45}]}"
     "]"},
    {MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION,
     "query Query($v: [[Int]]) { complicatedArgs { stringListArgField(stringListArg: $v) "
     "intArgField(intArg: $undefined) } }",
     "[{\"message\":\"Variable \\\"$v\\\" of type \\\"[[Int]]\\\" used in position expecting type "
     "\\\"[String]\\\".\",\"locations\":[{\"line\":1,\"column\":13},{\"line\":1,\"column\":80}]}]"},
};

static void test_variables_in_allowed_position(void **state) {
    (void)state;
    VALIDATE_CASES(variables_in_allowed_position_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unique_variable_names),
        cmocka_unit_test(test_no_undefined_variables),
        cmocka_unit_test(test_no_unused_variables),
        cmocka_unit_test(test_variables_in_allowed_position),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
