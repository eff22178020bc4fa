/* test_validate_arguments.c -- KnownArgumentNames, UniqueArgumentNames and ProvidedRequiredArguments (fields and directives).
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* KnownArgumentNames */
static const validate_case known_argument_names_cases[] = {
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment argOnRequiredArg on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment multipleArgs on ComplicatedArgs {\n"
     "  multipleReqs(req1: 1, req2: 2)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment argOnUnknownField on Dog {\n"
     "  unknownField(unknownArg: SIT)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment multipleArgsReverseOrder on ComplicatedArgs {\n"
     "  multipleReqs(req2: 2, req1: 1)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment noArgOnOptionalArg on Dog {\n"
     "  isHouseTrained\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog {\n"
     "    isHouseTrained(atOtherHomes: true)\n"
     "  }\n"
     "  human {\n"
     "    pets {\n"
     "      ... on Dog {\n"
     "        isHouseTrained(atOtherHomes: true)\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog @skip(if: true)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog @onField\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog @onField(if: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"if\\\" on directive "
     "\\\"@onField\\\".\",\"locations\":[{\"line\":2,\"column\":16}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog @skip(iff: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"iff\\\" on directive \\\"@skip\\\". Did you mean "
     "\\\"if\\\"?\",\"locations\":[{\"line\":2,\"column\":13}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment invalidArgName on Dog {\n"
     "  doesKnowCommand(unknown: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"unknown\\\" on field "
     "\\\"Dog.doesKnowCommand\\\".\",\"locations\":[{\"line\":2,\"column\":19}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment invalidArgName on Dog {\n"
     "  doesKnowCommand(DogCommand: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"DogCommand\\\" on field \\\"Dog.doesKnowCommand\\\". "
     "Did you mean \\\"dogCommand\\\"?\",\"locations\":[{\"line\":2,\"column\":19}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment invalidArgName on Dog {\n"
     "  doesKnowCommand(dog_command: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"dog_command\\\" on field \\\"Dog.doesKnowCommand\\\". "
     "Did you mean \\\"dogCommand\\\"?\",\"locations\":[{\"line\":2,\"column\":19}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "fragment oneGoodArgOneInvalidArg on Dog {\n"
     "  doesKnowCommand(whoKnows: 1, dogCommand: SIT, unknown: true)\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"whoKnows\\\" on field "
     "\\\"Dog.doesKnowCommand\\\".\",\"locations\":[{\"line\":2,\"column\":19}]},{\"message\":"
     "\"Unknown argument \\\"unknown\\\" on field "
     "\\\"Dog.doesKnowCommand\\\".\",\"locations\":[{\"line\":2,\"column\":49}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{\n"
     "  dog {\n"
     "    doesKnowCommand(unknown: true)\n"
     "  }\n"
     "  human {\n"
     "    pets {\n"
     "      ... on Dog {\n"
     "        doesKnowCommand(unknown: true)\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Unknown argument \\\"unknown\\\" on field "
     "\\\"Dog.doesKnowCommand\\\".\",\"locations\":[{\"line\":3,\"column\":21}]},{\"message\":"
     "\"Unknown argument \\\"unknown\\\" on field "
     "\\\"Dog.doesKnowCommand\\\".\",\"locations\":[{\"line\":8,\"column\":25}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{ dog { name @unknownDirective(arg: 1) } __type(nam: \"x\") { name } __typename(a: 1) }",
     "[{\"message\":\"Unknown argument \\\"nam\\\" on field \\\"QueryRoot.__type\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":49}]},{\"message\":\"Unknown argument "
     "\\\"a\\\" on field "
     "\\\"QueryRoot.__typename\\\".\",\"locations\":[{\"line\":1,\"column\":79}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "directive @test(arg: String) on FIELD\n"
     "{ dog @test(arg: \"\", other: 1) { name @test(ar: \"\") } }",
     "[{\"message\":\"Unknown argument \\\"other\\\" on directive "
     "\\\"@test\\\".\",\"locations\":[{\"line\":2,\"column\":22}]},{\"message\":\"Unknown argument "
     "\\\"ar\\\" on directive \\\"@test\\\". Did you mean "
     "\\\"arg\\\"?\",\"locations\":[{\"line\":2,\"column\":45}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "type Query { f: String @deprecated(reason: \"x\", unknown: 1) }",
     "[{\"message\":\"Unknown argument \\\"unknown\\\" on directive "
     "\\\"@deprecated\\\".\",\"locations\":[{\"line\":1,\"column\":49}]}]"},
    {MM_GQL_RULE_KNOWN_ARGUMENT_NAMES,
     "{ complicatedArgs { multipleOptAndReq(req1: 1, rq2: 2, opt: 3, opt3: 4) } }",
     "[{\"message\":\"Unknown argument \\\"rq2\\\" on field "
     "\\\"ComplicatedArgs.multipleOptAndReq\\\". Did you mean \\\"req2\\\" or "
     "\\\"req1\\\"?\",\"locations\":[{\"line\":1,\"column\":48}]},{\"message\":\"Unknown argument "
     "\\\"opt\\\" on field \\\"ComplicatedArgs.multipleOptAndReq\\\". Did you mean \\\"opt1\\\" or "
     "\\\"opt2\\\"?\",\"locations\":[{\"line\":1,\"column\":56}]},{\"message\":\"Unknown argument "
     "\\\"opt3\\\" on field \\\"ComplicatedArgs.multipleOptAndReq\\\". Did you mean \\\"opt1\\\" "
     "or \\\"opt2\\\"?\",\"locations\":[{\"line\":1,\"column\":64}]}]"},
};

static void test_known_argument_names(void **state) {
    (void)state;
    VALIDATE_CASES(known_argument_names_cases);
}

/* UniqueArgumentNames */
static const validate_case unique_argument_names_cases[] = {
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field @directive\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field(arg: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field @directive(arg: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  one: field(arg: \"value\")\n"
     "  two: field(arg: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field(arg: \"value\") @directive(arg: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field @directive1(arg: \"value\") @directive2(arg: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field(arg1: \"value\", arg2: \"value\", arg3: \"value\")\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field(arg1: \"value\", arg1: \"value\")\n"
     "}",
     "[{\"message\":\"There can be only one argument named "
     "\\\"arg1\\\".\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":24}]}]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field(arg1: \"value\", arg1: \"value\", arg1: \"value\")\n"
     "}",
     "[{\"message\":\"There can be only one argument named "
     "\\\"arg1\\\".\",\"locations\":[{\"line\":2,\"column\":9},{\"line\":2,\"column\":24},{"
     "\"line\":2,\"column\":39}]}]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field @directive(arg1: \"value\", arg1: \"value\")\n"
     "}",
     "[{\"message\":\"There can be only one argument named "
     "\\\"arg1\\\".\",\"locations\":[{\"line\":2,\"column\":20},{\"line\":2,\"column\":35}]}]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES,
     "{\n"
     "  field @directive(arg1: \"value\", arg1: \"value\", arg1: \"value\")\n"
     "}",
     "[{\"message\":\"There can be only one argument named "
     "\\\"arg1\\\".\",\"locations\":[{\"line\":2,\"column\":20},{\"line\":2,\"column\":35},{"
     "\"line\":2,\"column\":50}]}]"},
    {MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES, "{ field(a: 1, b: 2, a: 3, c: 4, b: 5) @d(x: 1, x: 2) }",
     "[{\"message\":\"There can be only one argument named "
     "\\\"a\\\".\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":21}]},{"
     "\"message\":\"There can be only one argument named "
     "\\\"b\\\".\",\"locations\":[{\"line\":1,\"column\":15},{\"line\":1,\"column\":33}]},{"
     "\"message\":\"There can be only one argument named "
     "\\\"x\\\".\",\"locations\":[{\"line\":1,\"column\":42},{\"line\":1,\"column\":48}]}]"},
};

static void test_unique_argument_names(void **state) {
    (void)state;
    VALIDATE_CASES(unique_argument_names_cases);
}

/* ProvidedRequiredArguments */
static const validate_case provided_required_arguments_cases[] = {
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog {\n"
     "    isHouseTrained(unknownArgument: true)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog {\n"
     "    isHouseTrained(atOtherHomes: true, unknownArgument: true)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  unknownField {\n"
     "    isHouseTrained(unknownArgument: true)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog {\n"
     "    isHouseTrained\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleOpts\n"
     "    multipleReqs(req1: 1, req2: 2)\n"
     "    m2: multipleReqs(req2: 2, req1: 1)\n"
     "    multipleOptAndReq(req1: 3, req2: 4)\n"
     "    m3: multipleOptAndReq(req1: 3, req2: 4, opt1: 5)\n"
     "    m4: multipleOptAndReq(req1: 3, req2: 4, opt1: 5, opt2: 6)\n"
     "    nonNullFieldWithDefault\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req2: 2)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"multipleReqs\\\" argument \\\"req1\\\" of type \\\"Int!\\\" is "
     "required, but it was not provided.\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"multipleReqs\\\" argument \\\"req1\\\" of type \\\"Int!\\\" is "
     "required, but it was not "
     "provided.\",\"locations\":[{\"line\":3,\"column\":5}]},{\"message\":\"Field "
     "\\\"multipleReqs\\\" argument \\\"req2\\\" of type \\\"Int!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req1: \"one\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"multipleReqs\\\" argument \\\"req2\\\" of type \\\"Int!\\\" is "
     "required, but it was not provided.\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req1: null, req2: null)\n"
     "    nonNullIntArgField(nonNullIntArg: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog {\n"
     "    name @unknown\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog @include(if: true) {\n"
     "    name\n"
     "  }\n"
     "  human @skip(if: false) {\n"
     "    name\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{\n"
     "  dog @include {\n"
     "    name @skip\n"
     "  }\n"
     "}",
     "[{\"message\":\"Directive \\\"@include\\\" argument \\\"if\\\" of type \\\"Boolean!\\\" is "
     "required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":7}]},{\"message\":\"Directive "
     "\\\"@skip\\\" argument \\\"if\\\" of type \\\"Boolean!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":3,\"column\":10}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "{ dog { name @required } cat { name @required(arg: \"x\") } human { name @required(opt: 2) } "
     "}",
     "[{\"message\":\"Directive \\\"@required\\\" argument \\\"arg\\\" of type \\\"String!\\\" is "
     "required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":14}]},{\"message\":\"Directive "
     "\\\"@required\\\" argument \\\"arg\\\" of type \\\"String!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":72}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS,
     "directive @test(arg1: String! = \"x\", arg2: String!, arg3: [Int!]!) on FIELD\n"
     "{ dog @test(arg2: \"\") { name @test } }",
     "[{\"message\":\"Directive \\\"@test\\\" argument \\\"arg3\\\" of type \\\"[Int!]!\\\" is "
     "required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":7}]},{\"message\":\"Directive "
     "\\\"@test\\\" argument \\\"arg2\\\" of type \\\"String!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":30}]},{\"message\":\"Directive "
     "\\\"@test\\\" argument \\\"arg3\\\" of type \\\"[Int!]!\\\" is required, but it was not "
     "provided.\",\"locations\":[{\"line\":2,\"column\":30}]}]"},
    {MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS, "{ __type { name } }",
     "[{\"message\":\"Field \\\"__type\\\" argument \\\"name\\\" of type \\\"String!\\\" is "
     "required, but it was not provided.\",\"locations\":[{\"line\":1,\"column\":3}]}]"},
};

static void test_provided_required_arguments(void **state) {
    (void)state;
    VALIDATE_CASES(provided_required_arguments_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_argument_names),
        cmocka_unit_test(test_unique_argument_names),
        cmocka_unit_test(test_provided_required_arguments),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
