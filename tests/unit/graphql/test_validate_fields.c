/* test_validate_fields.c -- ScalarLeafs and FieldsOnCorrectType (with suggestions).
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* ScalarLeafs */
static const validate_case scalar_leafs_cases[] = {
    {MM_GQL_RULE_SCALAR_LEAFS, "fragment scalarSelection on Dog { barks }", "[]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "query directQueryOnObjectWithoutSubFields {\n"
     "  human\n"
     "}",
     "[{\"message\":\"Field \\\"human\\\" of type \\\"Human\\\" must have a selection of "
     "subfields. Did you mean \\\"human { ... "
     "}\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "{\n"
     "  human { pets }\n"
     "}",
     "[{\"message\":\"Field \\\"pets\\\" of type \\\"[Pet]\\\" must have a selection of subfields. "
     "Did you mean \\\"pets { ... }\\\"?\",\"locations\":[{\"line\":2,\"column\":11}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "fragment scalarSelectionsNotAllowedOnBoolean on Dog {\n"
     "  barks { sinceWhen }\n"
     "}",
     "[{\"message\":\"Field \\\"barks\\\" must not have a selection since type \\\"Boolean\\\" has "
     "no subfields.\",\"locations\":[{\"line\":2,\"column\":9}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "fragment scalarSelectionsNotAllowedOnEnum on Cat {\n"
     "  furColor { inHexDec }\n"
     "}",
     "[{\"message\":\"Field \\\"furColor\\\" must not have a selection since type \\\"FurColor\\\" "
     "has no subfields.\",\"locations\":[{\"line\":2,\"column\":12}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "fragment scalarSelectionsNotAllowedWithArgs on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT) { sinceWhen }\n"
     "}",
     "[{\"message\":\"Field \\\"doesKnowCommand\\\" must not have a selection since type "
     "\\\"Boolean\\\" has no subfields.\",\"locations\":[{\"line\":2,\"column\":36}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "fragment scalarSelectionsNotAllowedWithDirectives on Dog {\n"
     "  name @include(if: true) { isAlsoHumanName }\n"
     "}",
     "[{\"message\":\"Field \\\"name\\\" must not have a selection since type \\\"String\\\" has "
     "no subfields.\",\"locations\":[{\"line\":2,\"column\":27}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "fragment scalarSelectionsNotAllowedWithDirectivesAndArgs on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT) @include(if: true) { sinceWhen }\n"
     "}",
     "[{\"message\":\"Field \\\"doesKnowCommand\\\" must not have a selection since type "
     "\\\"Boolean\\\" has no subfields.\",\"locations\":[{\"line\":2,\"column\":55}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS, "{ human { relatives } catOrDog pet { name } someBox { deepBox } }",
     "[{\"message\":\"Field \\\"relatives\\\" of type \\\"[Human]!\\\" must have a selection of "
     "subfields. Did you mean \\\"relatives { ... "
     "}\\\"?\",\"locations\":[{\"line\":1,\"column\":11}]},{\"message\":\"Field \\\"catOrDog\\\" "
     "of type \\\"CatOrDog\\\" must have a selection of subfields. Did you mean \\\"catOrDog { ... "
     "}\\\"?\",\"locations\":[{\"line\":1,\"column\":23}]},{\"message\":\"Field \\\"deepBox\\\" of "
     "type \\\"SomeBox\\\" must have a selection of subfields. Did you mean \\\"deepBox { ... "
     "}\\\"?\",\"locations\":[{\"line\":1,\"column\":55}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS,
     "{ dog { __typename } __typename __schema __type(name: \"Dog\") { name } }",
     "[{\"message\":\"Field \\\"__schema\\\" of type \\\"__Schema!\\\" must have a selection of "
     "subfields. Did you mean \\\"__schema { ... "
     "}\\\"?\",\"locations\":[{\"line\":1,\"column\":33}]}]"},
    {MM_GQL_RULE_SCALAR_LEAFS, "{ unknownField { a } dog { unknown } }", "[]"},
};

static void test_scalar_leafs(void **state) {
    (void)state;
    VALIDATE_CASES(scalar_leafs_cases);
}

/* FieldsOnCorrectType */
static const validate_case fields_on_correct_type_cases[] = {
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "fragment objectFieldSelection on Dog { __typename name }",
     "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment aliasedObjectFieldSelection on Dog { tn : __typename otherName : name }", "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment interfaceFieldSelection on Pet { __typename name }", "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment interfaceFieldSelection on Pet { otherName : name }", "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "fragment lyingAliasSelection on Dog { name : nickname }",
     "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment unknownSelection on UnknownType { unknownField }", "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment typeKnownAgain on Pet {\n"
     "  unknown_pet_field {\n"
     "    ... on Cat {\n"
     "      unknown_cat_field\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"unknown_pet_field\\\" on type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":2,\"column\":3}]},{\"message\":\"Cannot query field "
     "\\\"unknown_cat_field\\\" on type "
     "\\\"Cat\\\".\",\"locations\":[{\"line\":4,\"column\":7}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment fieldNotDefined on Dog {\n"
     "  meowVolume\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"meowVolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment deepFieldNotDefined on Dog {\n"
     "  unknown_field {\n"
     "    deeper_unknown_field\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"unknown_field\\\" on type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment subFieldNotDefined on Human {\n"
     "  pets {\n"
     "    unknown_field\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"unknown_field\\\" on type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment fieldNotDefined on Pet {\n"
     "  ... on Dog {\n"
     "    meowVolume\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"meowVolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment aliasedFieldTargetNotDefined on Dog {\n"
     "  volume : mooVolume\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"mooVolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment aliasedLyingFieldTargetNotDefined on Dog {\n"
     "  barkVolume : kawVolume\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"kawVolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment notDefinedOnInterface on Pet {\n"
     "  tailLength\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"tailLength\\\" on type "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment definedOnImplementorsButNotInterface on Pet {\n"
     "  nickname\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"nickname\\\" on type \\\"Pet\\\". Did you mean to use "
     "an inline fragment on \\\"Cat\\\" or "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment directFieldSelectionOnUnion on CatOrDog {\n"
     "  directField\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"directField\\\" on type "
     "\\\"CatOrDog\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment definedOnImplementorsQueriedOnUnion on CatOrDog {\n"
     "  name\n"
     "}",
     "[{\"message\":\"Cannot query field \\\"name\\\" on type \\\"CatOrDog\\\". Did you mean to "
     "use an inline fragment on \\\"Pet\\\", \\\"Canine\\\", \\\"Cat\\\", or "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "fragment objectFieldSelection on Pet {\n"
     "  __typename\n"
     "  ... on Dog {\n"
     "    name\n"
     "  }\n"
     "  ... on Cat {\n"
     "    meows\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "fragment f on Mammal { name barks }",
     "[{\"message\":\"Cannot query field \\\"name\\\" on type \\\"Mammal\\\". Did you mean to use "
     "an inline fragment on \\\"Canine\\\", \\\"Pet\\\", or "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":24}]},{\"message\":\"Cannot query field "
     "\\\"barks\\\" on type \\\"Mammal\\\". Did you mean to use an inline fragment on "
     "\\\"Dog\\\"?\",\"locations\":[{\"line\":1,\"column\":29}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "fragment f on SomeBox { scalar listStringBox intbox }",
     "[{\"message\":\"Cannot query field \\\"scalar\\\" on type \\\"SomeBox\\\". Did you mean to "
     "use an inline fragment on \\\"IntBox\\\", \\\"NonNullStringBox1\\\", "
     "\\\"NonNullStringBox1Impl\\\", \\\"NonNullStringBox2\\\", or "
     "\\\"NonNullStringBox2Impl\\\"?\",\"locations\":[{\"line\":1,\"column\":25}]},{\"message\":"
     "\"Cannot query field \\\"listStringBox\\\" on type \\\"SomeBox\\\". Did you mean to use an "
     "inline fragment on \\\"IntBox\\\" or "
     "\\\"StringBox\\\"?\",\"locations\":[{\"line\":1,\"column\":32}]},{\"message\":\"Cannot query "
     "field \\\"intbox\\\" on type "
     "\\\"SomeBox\\\".\",\"locations\":[{\"line\":1,\"column\":46}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "fragment f on Dog { Name NAME nmae barkvolume isAtLoc }",
     "[{\"message\":\"Cannot query field \\\"Name\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":21}]},{\"message\":\"Cannot query "
     "field \\\"NAME\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":26}]},{\"message\":\"Cannot query "
     "field \\\"nmae\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":31}]},{\"message\":\"Cannot query "
     "field \\\"barkvolume\\\" on type \\\"Dog\\\". Did you mean "
     "\\\"barkVolume\\\"?\",\"locations\":[{\"line\":1,\"column\":36}]},{\"message\":\"Cannot "
     "query field \\\"isAtLoc\\\" on type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":47}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "{ __schema { queryType { name } } __type(name: \"Dog\") { name } dog { __schema __type(name: "
     "\"x\") } }",
     "[{\"message\":\"Cannot query field \\\"__schema\\\" on type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":70}]},{\"message\":\"Cannot query field "
     "\\\"__type\\\" on type \\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":79}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE, "{ __schema { types { nam fields { nme } } } }",
     "[{\"message\":\"Cannot query field \\\"nam\\\" on type \\\"__Type\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":22}]},{\"message\":\"Cannot query "
     "field \\\"nme\\\" on type \\\"__Field\\\". Did you mean "
     "\\\"name\\\"?\",\"locations\":[{\"line\":1,\"column\":35}]}]"},
    {MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE,
     "mutation { createDog(name: \"x\") { name } dog } subscription { importantEmails dog }",
     "[{\"message\":\"Cannot query field \\\"dog\\\" on type "
     "\\\"MutationRoot\\\".\",\"locations\":[{\"line\":1,\"column\":42}]},{\"message\":\"Cannot "
     "query field \\\"dog\\\" on type "
     "\\\"SubscriptionRoot\\\".\",\"locations\":[{\"line\":1,\"column\":79}]}]"},
};

static void test_fields_on_correct_type(void **state) {
    (void)state;
    VALIDATE_CASES(fields_on_correct_type_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_leafs),
        cmocka_unit_test(test_fields_on_correct_type),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
