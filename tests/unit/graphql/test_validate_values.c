/* test_validate_values.c -- ValuesOfCorrectType (literal coercion via the scalars, enums, lists, input objects, defaults) and UniqueInputFieldNames.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* ValuesOfCorrectType */
static const validate_case values_of_correct_type_cases[] = {
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 2)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: true)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: \"foo\")\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: 1.1)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: 1)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    idArgField(idArg: 1)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    idArgField(idArg: \"someIdString\")\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: NO_FUR)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: [\"one\", null, \"two\"])\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: [])\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: \"one\")\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, intField: 4 })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { intField: 4, requiredField: true })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, stringListField: [\"one\", \"two\"] "
     "})\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req1: 1, req2: 2)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleOptAndReq(req1: 1, req2: 2, opt1: 3, opt2: 4)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 2147483647)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: -2147483648)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: 1e3)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: \"\"\"block\"\"\")\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: 1)\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "1\",\"locations\":[{\"line\":3,\"column\":31}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: 1.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "1.0\",\"locations\":[{\"line\":3,\"column\":31}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "true\",\"locations\":[{\"line\":3,\"column\":31}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: BAR)\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "BAR\",\"locations\":[{\"line\":3,\"column\":31}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: \"3\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"3\\\"\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 829384293849283498239482938)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non 32-bit signed integer value: "
     "829384293849283498239482938\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 2147483648)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non 32-bit signed integer value: "
     "2147483648\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: FOO)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "FOO\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 3.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "3.0\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 3.333)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "3.333\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "true\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: \"3.333\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Float cannot represent non numeric value: "
     "\\\"3.333\\\"\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Float cannot represent non numeric value: "
     "true\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    floatArgField(floatArg: FOO)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Float cannot represent non numeric value: "
     "FOO\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: 2)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "2\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: 1.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "1.0\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: \"true\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "\\\"true\\\"\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    booleanArgField(booleanArg: TRUE)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "TRUE\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    idArgField(idArg: 1.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"ID cannot represent a non-string and non-integer value: "
     "1.0\",\"locations\":[{\"line\":3,\"column\":23}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    idArgField(idArg: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"ID cannot represent a non-string and non-integer value: "
     "true\",\"locations\":[{\"line\":3,\"column\":23}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    idArgField(idArg: SOMETHING)\n"
     "  }\n"
     "}",
     "[{\"message\":\"ID cannot represent a non-string and non-integer value: "
     "SOMETHING\",\"locations\":[{\"line\":3,\"column\":23}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: 2)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "2.\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: 1.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "1.0.\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"BROWN\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: \\\"BROWN\\\". Did "
     "you mean the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: JUGGLE)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Value \\\"JUGGLE\\\" does not exist in \\\"FurColor\\\" "
     "enum.\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: brown)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Value \\\"brown\\\" does not exist in \\\"FurColor\\\" enum. Did you mean "
     "the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: Brown)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Value \\\"Brown\\\" does not exist in \\\"FurColor\\\" enum. Did you mean "
     "the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "true.\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"brown\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: \\\"brown\\\". Did "
     "you mean the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: [BROWN])\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: [BROWN]. Did you mean "
     "the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: {a: BROWN})\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: {a: BROWN}. Did you "
     "mean the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: [\"one\", 2])\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "2\",\"locations\":[{\"line\":3,\"column\":47}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: 1)\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "1\",\"locations\":[{\"line\":3,\"column\":39}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListArgField(stringListArg: [[\"one\"]])\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "[\\\"one\\\"]\",\"locations\":[{\"line\":3,\"column\":40}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    nonNullIntArgField(nonNullIntArg: null)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"Int!\\\", found "
     "null.\",\"locations\":[{\"line\":3,\"column\":39}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req2: \"two\", req1: \"one\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"two\\\"\",\"locations\":[{\"line\":3,\"column\":24}]},{\"message\":\"Int cannot "
     "represent non-integer value: \\\"one\\\"\",\"locations\":[{\"line\":3,\"column\":37}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req1: \"one\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"one\\\"\",\"locations\":[{\"line\":3,\"column\":24}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleReqs(req1: null, req2: null)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"Int!\\\", found "
     "null.\",\"locations\":[{\"line\":3,\"column\":24}]},{\"message\":\"Expected value of type "
     "\\\"Int!\\\", found null.\",\"locations\":[{\"line\":3,\"column\":36}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringListNonNullArgField(stringListNonNullArg: [\"a\", null])\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"String!\\\", found "
     "null.\",\"locations\":[{\"line\":3,\"column\":59}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { intField: 4 })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"ComplexInput.requiredField\\\" of required type \\\"Boolean!\\\" "
     "was not provided.\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { stringListField: [\"one\", 2], requiredField: true })\n"
     "  }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "2\",\"locations\":[{\"line\":3,\"column\":60}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, nonNullField: false, unknownField: "
     "\"value\" })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"unknownField\\\" is not defined by type "
     "\\\"ComplexInput\\\".\",\"locations\":[{\"line\":3,\"column\":77}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, stringfield: \"value\", intfeld: 1 "
     "})\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"stringfield\\\" is not defined by type \\\"ComplexInput\\\". Did "
     "you mean \\\"stringField\\\", \\\"intField\\\", or "
     "\\\"stringListField\\\"?\",\"locations\":[{\"line\":3,\"column\":56}]},{\"message\":\"Field "
     "\\\"intfeld\\\" is not defined by type \\\"ComplexInput\\\". Did you mean "
     "\\\"intField\\\"?\",\"locations\":[{\"line\":3,\"column\":78}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, nonNullField: null })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"Boolean!\\\", found "
     "null.\",\"locations\":[{\"line\":3,\"column\":70}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: \"abc\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"ComplexInput\\\", found "
     "\\\"abc\\\".\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { stringField: \"abc\" })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { intField: 123 })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { stringField: \"abc\", intField: 123 })\n"
     "  }\n"
     "}",
     "[{\"message\":\"OneOf Input Object \\\"OneOfInput\\\" must specify exactly one "
     "key.\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { stringField: null })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"OneOfInput.stringField\\\" must be "
     "non-null.\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: {})\n"
     "  }\n"
     "}",
     "[{\"message\":\"OneOf Input Object \\\"OneOfInput\\\" must specify exactly one "
     "key.\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { intField: 1, intField: null })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"OneOfInput.intField\\\" must be "
     "non-null.\",\"locations\":[{\"line\":3,\"column\":29}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { intField: null, intField: 1 })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    nonNullOneOfArgField(oneOfArg: { stringField: \"a\", unknown: 1 })\n"
     "  }\n"
     "}",
     "[{\"message\":\"OneOf Input Object \\\"OneOfInput\\\" must specify exactly one "
     "key.\",\"locations\":[{\"line\":3,\"column\":36}]},{\"message\":\"Field \\\"unknown\\\" is "
     "not defined by type \\\"OneOfInput\\\".\",\"locations\":[{\"line\":3,\"column\":56}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    oneOfArgField(oneOfArg: { stringfield: \"x\" })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Field \\\"stringfield\\\" is not defined by type \\\"OneOfInput\\\". Did you "
     "mean \\\"stringField\\\" or "
     "\\\"intField\\\"?\",\"locations\":[{\"line\":3,\"column\":31}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: [{ requiredField: true }])\n"
     "  }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"ComplexInput\\\", found [{requiredField: "
     "true}].\",\"locations\":[{\"line\":3,\"column\":33}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: { a: 1 })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: {a: "
     "1}\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    stringArgField(stringArg: \"a\\nb\\u0001\\u0080x\")\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"BRÖWN\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: \\\"BR\\u00d6WN\\\". "
     "Did you mean the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"😀BROWN\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "\\\"\\ud83d\\ude00BROWN\\\". Did you mean the enum value "
     "\\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"ÀBROWN\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: \\\"\\u00c0BROWN\\\". "
     "Did you mean the enum value \\\"BROWN\\\"?\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: \"\"\"x \"\" y\"\"\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: \\\"\\\"\\\"x \\\"\\\" "
     "y\\\"\\\"\\\"\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    /* A block string of 40 two-byte characters (80 bytes, 40 UTF-16 units):
     * graphql-js prints it on one line (its limit is 70 JavaScript units). */
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    enumArgField(enumArg: \"\"\"éééééééééééééééééééééééééééééééééééééééé\"\"\")\n"
     "  }\n"
     "}",
     "[{\"message\":\"Enum \\\"FurColor\\\" cannot represent non-enum value: "
     "\\\"\\\"\\\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u0"
     "0e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e"
     "9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9"
     "\\u00e9\\u00e9\\\"\\\"\\\".\",\"locations\":[{\"line\":3,\"column\":27}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: [1, \"\"\"a\n"
     "b\"\"\"])\n"
     "  }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: [1, "
     "\\\"\\\"\\\"\\na\\nb\\n\\\"\\\"\\\"]\",\"locations\":[{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  dog @include(if: true) { name }\n"
     "  human @skip(if: false) { name }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "{\n"
     "  dog @include(if: \"yes\") {\n"
     "    name @skip(if: ENUM)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "\\\"yes\\\"\",\"locations\":[{\"line\":2,\"column\":20}]},{\"message\":\"Boolean cannot "
     "represent a non boolean value: ENUM\",\"locations\":[{\"line\":3,\"column\":20}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query WithDefaultValues(\n"
     "  $a: Int = 1,\n"
     "  $b: String = \"ok\",\n"
     "  $c: ComplexInput = { requiredField: true, intField: 3 }\n"
     "  $d: Int! = 123\n"
     ") {\n"
     "  dog { name }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query WithDefaultValues(\n"
     "  $a: Int! = null,\n"
     "  $b: String! = null,\n"
     "  $c: ComplexInput = { requiredField: null, intField: null }\n"
     ") {\n"
     "  dog { name }\n"
     "}",
     "[{\"message\":\"Expected value of type \\\"Int!\\\", found "
     "null.\",\"locations\":[{\"line\":2,\"column\":14}]},{\"message\":\"Expected value of type "
     "\\\"String!\\\", found "
     "null.\",\"locations\":[{\"line\":3,\"column\":17}]},{\"message\":\"Expected value of type "
     "\\\"Boolean!\\\", found null.\",\"locations\":[{\"line\":4,\"column\":39}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query InvalidDefaultValues(\n"
     "  $a: Int = \"one\",\n"
     "  $b: String = 4,\n"
     "  $c: ComplexInput = \"NotVeryComplex\"\n"
     ") {\n"
     "  dog { name }\n"
     "}",
     "[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"one\\\"\",\"locations\":[{\"line\":2,\"column\":13}]},{\"message\":\"String cannot "
     "represent a non string value: "
     "4\",\"locations\":[{\"line\":3,\"column\":16}]},{\"message\":\"Expected value of type "
     "\\\"ComplexInput\\\", found "
     "\\\"NotVeryComplex\\\".\",\"locations\":[{\"line\":4,\"column\":22}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query MissingRequiredField($a: ComplexInput = {intField: 3}) {\n"
     "  dog { name }\n"
     "}",
     "[{\"message\":\"Field \\\"ComplexInput.requiredField\\\" of required type \\\"Boolean!\\\" "
     "was not provided.\",\"locations\":[{\"line\":1,\"column\":47}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query InvalidItem($a: [String] = [\"one\", 2]) {\n"
     "  dog { name }\n"
     "}",
     "[{\"message\":\"String cannot represent a non string value: "
     "2\",\"locations\":[{\"line\":1,\"column\":42}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query ($a: String, $b: String!) { complicatedArgs { oneOfArgField(oneOfArg: { stringField: "
     "$a }) o2: oneOfArgField(oneOfArg: { stringField: $b }) o3: oneOfArgField(oneOfArg: { "
     "stringField: $b, intField: 1 }) } }",
     "[{\"message\":\"OneOf Input Object \\\"OneOfInput\\\" must specify exactly one "
     "key.\",\"locations\":[{\"line\":1,\"column\":175}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query ($a: Int, $b: FurColor) { complicatedArgs { intArgField(intArg: $a) "
     "enumArgField(enumArg: $b) complexArgField(complexArg: {requiredField: $a, stringListField: "
     "[$a]}) } }",
     "[]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "query ($x: Unknown = {a: 1, b: [2]}) { unknownField(arg: 1) { f(a: \"x\") } dog { "
     "unknownArg(x: 1) isHouseTrained(atOtherHomes: 3) } }",
     "[{\"message\":\"Boolean cannot represent a non boolean value: "
     "3\",\"locations\":[{\"line\":1,\"column\":127}]}]"},
    {MM_GQL_RULE_VALUES_OF_CORRECT_TYPE,
     "type Query { f(a: Int = \"x\"): String @deprecated(reason: 1) }",
     "[{\"message\":\"String cannot represent a non string value: "
     "1\",\"locations\":[{\"line\":1,\"column\":58}]}]"},
};

static void test_values_of_correct_type(void **state) {
    (void)state;
    VALIDATE_CASES(values_of_correct_type_cases);
}

/* UniqueInputFieldNames */
static const validate_case unique_input_field_names_cases[] = {
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: { f: true })\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg1: { f: true }, arg2: { f: true })\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: { f1: \"value\", f2: \"value\", f3: \"value\" })\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: {\n"
     "    deep: {\n"
     "      deep: {\n"
     "        id: 1\n"
     "      }\n"
     "      id: 1\n"
     "    }\n"
     "    id: 1\n"
     "  })\n"
     "}",
     "[]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: { f1: \"value\", f1: \"value\" })\n"
     "}",
     "[{\"message\":\"There can be only one input field named "
     "\\\"f1\\\".\",\"locations\":[{\"line\":2,\"column\":16},{\"line\":2,\"column\":29}]}]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: { f1: \"value\", f1: \"value\", f1: \"value\" })\n"
     "}",
     "[{\"message\":\"There can be only one input field named "
     "\\\"f1\\\".\",\"locations\":[{\"line\":2,\"column\":16},{\"line\":2,\"column\":29}]},{"
     "\"message\":\"There can be only one input field named "
     "\\\"f1\\\".\",\"locations\":[{\"line\":2,\"column\":16},{\"line\":2,\"column\":42}]}]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "{\n"
     "  field(arg: { f1: {f2: \"value\", f2: \"value\" }})\n"
     "}",
     "[{\"message\":\"There can be only one input field named "
     "\\\"f2\\\".\",\"locations\":[{\"line\":2,\"column\":21},{\"line\":2,\"column\":34}]}]"},
    {MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES,
     "query ($v: In = {a: 1, a: 2, b: {c: 1, c: 2}}) { f(x: [{a: 1, a: 2}, {a: 1}]) @d(y: {z: 1, "
     "z: 2}) }",
     "[{\"message\":\"There can be only one input field named "
     "\\\"a\\\".\",\"locations\":[{\"line\":1,\"column\":18},{\"line\":1,\"column\":24}]},{"
     "\"message\":\"There can be only one input field named "
     "\\\"c\\\".\",\"locations\":[{\"line\":1,\"column\":34},{\"line\":1,\"column\":40}]},{"
     "\"message\":\"There can be only one input field named "
     "\\\"a\\\".\",\"locations\":[{\"line\":1,\"column\":57},{\"line\":1,\"column\":63}]},{"
     "\"message\":\"There can be only one input field named "
     "\\\"z\\\".\",\"locations\":[{\"line\":1,\"column\":86},{\"line\":1,\"column\":92}]}]"},
};

static void test_unique_input_field_names(void **state) {
    (void)state;
    VALIDATE_CASES(unique_input_field_names_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values_of_correct_type),
        cmocka_unit_test(test_unique_input_field_names),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
