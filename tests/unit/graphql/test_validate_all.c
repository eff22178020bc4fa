/* test_validate_all.c -- MaxIntrospectionDepth, and every rule at once: the specification's examples, the full introspection query, and graphql-js's error order across rules.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* graphql-js getIntrospectionQuery(), used by two groups of cases below. */
static const char introspection_query[] =
    "\n"
        "    query IntrospectionQuery {\n"
        "      __schema {\n"
        "        description\n"
        "        queryType { name kind }\n"
        "        mutationType { name kind }\n"
        "        subscriptionType { name kind }\n"
        "        types {\n"
        "          ...FullType\n"
        "        }\n"
        "        directives {\n"
        "          name\n"
        "          description\n"
        "          isRepeatable\n"
        "          \n"
        "          \n"
        "          locations\n"
        "          args(includeDeprecated: true) {\n"
        "            ...InputValue\n"
        "          }\n"
        "        }\n"
        "      }\n"
        "    }\n"
        "\n"
        "    fragment FullType on __Type {\n"
        "      kind\n"
        "      name\n"
        "      description\n"
        "      specifiedByURL\n"
        "      \n"
        "      fields(includeDeprecated: true) {\n"
        "        name\n"
        "        description\n"
        "        args(includeDeprecated: true) {\n"
        "          ...InputValue\n"
        "        }\n"
        "        type {\n"
        "          ...TypeRef\n"
        "        }\n"
        "        isDeprecated\n"
        "        deprecationReason\n"
        "      }\n"
        "      inputFields(includeDeprecated: true) {\n"
        "        ...InputValue\n"
        "      }\n"
        "      interfaces {\n"
        "        ...TypeRef\n"
        "      }\n"
        "      enumValues(includeDeprecated: true) {\n"
        "        name\n"
        "        description\n"
        "        isDeprecated\n"
        "        deprecationReason\n"
        "      }\n"
        "      possibleTypes {\n"
        "        ...TypeRef\n"
        "      }\n"
        "    }\n"
        "\n"
        "    fragment InputValue on __InputValue {\n"
        "      name\n"
        "      description\n"
        "      type { ...TypeRef }\n"
        "      defaultValue\n"
        "      isDeprecated\n"
        "      deprecationReason\n"
        "    }\n"
        "\n"
        "    fragment TypeRef on __Type {\n"
        "      kind\n"
        "      name\n"
        "      ofType {\n"
        "        name\n"
        "        kind\n"
        "        ofType {\n"
        "          name\n"
        "          kind\n"
        "          ofType {\n"
        "            name\n"
        "            kind\n"
        "            ofType {\n"
        "              name\n"
        "              kind\n"
        "              ofType {\n"
        "                name\n"
        "                kind\n"
        "                ofType {\n"
        "                  name\n"
        "                  kind\n"
        "                  ofType {\n"
        "                    name\n"
        "                    kind\n"
        "                    ofType {\n"
        "                      name\n"
        "                      kind\n"
        "                      ofType {\n"
        "                        name\n"
        "                        kind\n"
        "                      }\n"
        "                    }\n"
        "                  }\n"
        "                }\n"
        "              }\n"
        "            }\n"
        "          }\n"
        "        }\n"
        "      }\n"
        "    }\n"
        "  ";

/* MaxIntrospectionDepth */
static const validate_case max_introspection_depth_cases[] = {
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema {\n"
         "    types {\n"
         "      fields {\n"
         "        type {\n"
         "          fields {\n"
         "            name\n"
         "          }\n"
         "        }\n"
         "      }\n"
         "    }\n"
         "  }\n"
         "}",
     "[]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema {\n"
         "    types {\n"
         "      fields {\n"
         "        type {\n"
         "          fields {\n"
         "            type {\n"
         "              fields {\n"
         "                name\n"
         "              }\n"
         "            }\n"
         "          }\n"
         "        }\n"
         "      }\n"
         "    }\n"
         "  }\n"
         "}",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __type(name: \"Dog\") {\n"
         "    interfaces {\n"
         "      interfaces {\n"
         "        interfaces {\n"
         "          name\n"
         "        }\n"
         "      }\n"
         "    }\n"
         "  }\n"
         "}",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __type(name: \"Dog\") {\n"
         "    possibleTypes {\n"
         "      inputFields {\n"
         "        type {\n"
         "          possibleTypes { name }\n"
         "        }\n"
         "      }\n"
         "    }\n"
         "  }\n"
         "}",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema {\n"
         "    types {\n"
         "      ...Fields\n"
         "    }\n"
         "  }\n"
         "}\n"
         "fragment Fields on __Type {\n"
         "  fields {\n"
         "    type {\n"
         "      ...Fields2\n"
         "    }\n"
         "  }\n"
         "}\n"
         "fragment Fields2 on __Type {\n"
         "  fields {\n"
         "    type {\n"
         "      ...Fields3\n"
         "    }\n"
         "  }\n"
         "}\n"
         "fragment Fields3 on __Type {\n"
         "  fields { name }\n"
         "}",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema {\n"
         "    types {\n"
         "      ...Cycle\n"
         "    }\n"
         "  }\n"
         "}\n"
         "fragment Cycle on __Type {\n"
         "  ...Cycle\n"
         "  name\n"
         "}",
     "[]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema { types { ...F } }\n"
         "  __type(name: \"x\") { ...F }\n"
         "}\n"
         "fragment F on __Type { fields { type { fields { type { fields { name } } } } } }",
     "[{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":2,\"column\":3}]},{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{\n"
         "  __schema { types { fields { type { name } } } }\n"
         "  __type(name: \"x\") { fields { type { interfaces { name } } } }\n"
         "}",
     "[]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     "{ dog { fields { fields { fields { name } } } } }",
     "[]"},
    {MM_GQL_RULE_MAX_INTROSPECTION_DEPTH,
     introspection_query,
     "[]"},
};

static void test_max_introspection_depth(void **state) {
    (void)state;
    VALIDATE_CASES(max_introspection_depth_cases);
}

/* all specifiedRules together */
static const validate_case all_rules_cases[] = {
    {0 /* all rules */,
     introspection_query,
     "[]"},
    {0 /* all rules */,
     "{ dog { name } }",
     "[]"},
    {0 /* all rules */,
     "query getDogName {\n"
         "  dog {\n"
         "    name\n"
         "  }\n"
         "}\n"
         "\n"
         "query getOwnerName {\n"
         "  dog {\n"
         "    name\n"
         "  }\n"
         "}",
     "[]"},
    {0 /* all rules */,
     "query getName {\n"
         "  dog {\n"
         "    name\n"
         "  }\n"
         "}\n"
         "\n"
         "query getName {\n"
         "  dog {\n"
         "    nickname\n"
         "  }\n"
         "}",
     "[{\"message\":\"There can be only one operation named \\\"getName\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":7,\"column\":7}]}]"},
    {0 /* all rules */,
     "{\n"
         "  dog {\n"
         "    name\n"
         "  }\n"
         "}\n"
         "\n"
         "query getName {\n"
         "  dog {\n"
         "    nickname\n"
         "  }\n"
         "}",
     "[{\"message\":\"This anonymous operation must be the only defined operation.\",\"locations\":[{\"line\":1,\"column\":1}]}]"},
    {0 /* all rules */,
     "subscription sub {\n"
         "  importantEmails\n"
         "  deletedEmails\n"
         "}",
     "[{\"message\":\"Subscription \\\"sub\\\" must select only one top level field.\",\"locations\":[{\"line\":3,\"column\":3}]}]"},
    {0 /* all rules */,
     "fragment fieldNotDefined on Dog {\n"
         "  meowVolume\n"
         "}\n"
         "\n"
         "fragment aliasedLyingFieldTargetNotDefined on Dog {\n"
         "  barkVolume: kawVolume\n"
         "}",
     "[{\"message\":\"Cannot query field \\\"meowVolume\\\" on type \\\"Dog\\\". Did you mean \\\"barkVolume\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]},{\"message\":\"Cannot query field \\\"kawVolume\\\" on type \\\"Dog\\\". Did you mean \\\"barkVolume\\\"?\",\"locations\":[{\"line\":6,\"column\":3}]},{\"message\":\"Fragment \\\"fieldNotDefined\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"Fragment \\\"aliasedLyingFieldTargetNotDefined\\\" is never used.\",\"locations\":[{\"line\":5,\"column\":1}]}]"},
    {0 /* all rules */,
     "fragment conflictingBecauseAlias on Dog {\n"
         "  name: nickname\n"
         "  name\n"
         "}",
     "[{\"message\":\"Fields \\\"name\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]},{\"message\":\"Fragment \\\"conflictingBecauseAlias\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":1}]}]"},
    {0 /* all rules */,
     "fragment scalarSelectionsNotAllowedOnInt on Dog {\n"
         "  barkVolume {\n"
         "    sinceWhen\n"
         "  }\n"
         "}",
     "[{\"message\":\"Field \\\"barkVolume\\\" must not have a selection since type \\\"Int\\\" has no subfields.\",\"locations\":[{\"line\":2,\"column\":14}]},{\"message\":\"Fragment \\\"scalarSelectionsNotAllowedOnInt\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":1}]}]"},
    {0 /* all rules */,
     "query directQueryOnObjectWithoutSubFields {\n"
         "  human\n"
         "}\n"
         "\n"
         "query directQueryOnInterfaceWithoutSubFields {\n"
         "  pet\n"
         "}\n"
         "\n"
         "query directQueryOnUnionWithoutSubFields {\n"
         "  catOrDog\n"
         "}",
     "[{\"message\":\"Field \\\"human\\\" of type \\\"Human\\\" must have a selection of subfields. Did you mean \\\"human { ... }\\\"?\",\"locations\":[{\"line\":2,\"column\":3}]},{\"message\":\"Field \\\"pet\\\" of type \\\"Pet\\\" must have a selection of subfields. Did you mean \\\"pet { ... }\\\"?\",\"locations\":[{\"line\":6,\"column\":3}]},{\"message\":\"Field \\\"catOrDog\\\" of type \\\"CatOrDog\\\" must have a selection of subfields. Did you mean \\\"catOrDog { ... }\\\"?\",\"locations\":[{\"line\":10,\"column\":3}]}]"},
    {0 /* all rules */,
     "fragment invalidArgName on Dog {\n"
         "  doesKnowCommand(command: CLEAN_UP_HOUSE)\n"
         "}\n"
         "\n"
         "fragment invalidArgName2 on Dog {\n"
         "  isHouseTrained(atOtherHomes: true) @include(unless: false)\n"
         "}",
     "[{\"message\":\"Unknown argument \\\"command\\\" on field \\\"Dog.doesKnowCommand\\\". Did you mean \\\"dogCommand\\\"?\",\"locations\":[{\"line\":2,\"column\":19}]},{\"message\":\"Unknown argument \\\"unless\\\" on directive \\\"@include\\\".\",\"locations\":[{\"line\":6,\"column\":47}]},{\"message\":\"Directive \\\"@include\\\" argument \\\"if\\\" of type \\\"Boolean!\\\" is required, but it was not provided.\",\"locations\":[{\"line\":6,\"column\":38}]},{\"message\":\"Fragment \\\"invalidArgName\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"Fragment \\\"invalidArgName2\\\" is never used.\",\"locations\":[{\"line\":5,\"column\":1}]}]"},
    {0 /* all rules */,
     "{\n"
         "  dog {\n"
         "    ...undefinedFragment\n"
         "  }\n"
         "}\n"
         "\n"
         "fragment nameFragment on Dog {\n"
         "  name\n"
         "}",
     "[{\"message\":\"Unknown fragment \\\"undefinedFragment\\\".\",\"locations\":[{\"line\":3,\"column\":8}]},{\"message\":\"Fragment \\\"nameFragment\\\" is never used.\",\"locations\":[{\"line\":7,\"column\":1}]}]"},
    {0 /* all rules */,
     "fragment notOnExistingType on NotInSchema {\n"
         "  name\n"
         "}\n"
         "\n"
         "fragment inlineNotExistingType on Dog {\n"
         "  ... on NotInSchema {\n"
         "    name\n"
         "  }\n"
         "}",
     "[{\"message\":\"Unknown type \\\"NotInSchema\\\". Did you mean \\\"__Schema\\\"?\",\"locations\":[{\"line\":1,\"column\":31}]},{\"message\":\"Unknown type \\\"NotInSchema\\\". Did you mean \\\"__Schema\\\"?\",\"locations\":[{\"line\":6,\"column\":10}]},{\"message\":\"Fragment \\\"notOnExistingType\\\" is never used.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"Fragment \\\"inlineNotExistingType\\\" is never used.\",\"locations\":[{\"line\":5,\"column\":1}]}]"},
    {0 /* all rules */,
     "{\n"
         "  dog {\n"
         "    ...nameFragment\n"
         "  }\n"
         "}\n"
         "\n"
         "fragment nameFragment on Dog {\n"
         "  name\n"
         "  ...barkVolumeFragment\n"
         "}\n"
         "\n"
         "fragment barkVolumeFragment on Dog {\n"
         "  barkVolume\n"
         "  ...nameFragment\n"
         "}",
     "[{\"message\":\"Cannot spread fragment \\\"nameFragment\\\" within itself via \\\"barkVolumeFragment\\\".\",\"locations\":[{\"line\":9,\"column\":3},{\"line\":14,\"column\":3}]}]"},
    {0 /* all rules */,
     "query takesComplexInput($complexInput: ComplexInput) {\n"
         "  complicatedArgs { complexArgField(complexArg: $complexInput) }\n"
         "}\n"
         "\n"
         "query takesCat($cat: Cat) {\n"
         "  dog { name }\n"
         "}\n"
         "\n"
         "query takesDogBang($dog: Dog!) {\n"
         "  dog { name }\n"
         "}\n"
         "\n"
         "query takesListOfPet($pets: [Pet]) {\n"
         "  dog { name }\n"
         "}",
     "[{\"message\":\"Variable \\\"$cat\\\" cannot be non-input type \\\"Cat\\\".\",\"locations\":[{\"line\":5,\"column\":22}]},{\"message\":\"Variable \\\"$cat\\\" is never used in operation \\\"takesCat\\\".\",\"locations\":[{\"line\":5,\"column\":16}]},{\"message\":\"Variable \\\"$dog\\\" cannot be non-input type \\\"Dog!\\\".\",\"locations\":[{\"line\":9,\"column\":26}]},{\"message\":\"Variable \\\"$dog\\\" is never used in operation \\\"takesDogBang\\\".\",\"locations\":[{\"line\":9,\"column\":20}]},{\"message\":\"Variable \\\"$pets\\\" cannot be non-input type \\\"[Pet]\\\".\",\"locations\":[{\"line\":13,\"column\":29}]},{\"message\":\"Variable \\\"$pets\\\" is never used in operation \\\"takesListOfPet\\\".\",\"locations\":[{\"line\":13,\"column\":22}]}]"},
    {0 /* all rules */,
     "query variableIsNotDefinedUsedInNestedFragment {\n"
         "  dog {\n"
         "    ...outerHouseTrainedFragment\n"
         "  }\n"
         "}\n"
         "\n"
         "fragment outerHouseTrainedFragment on Dog {\n"
         "  ...isHouseTrainedFragment\n"
         "}\n"
         "\n"
         "fragment isHouseTrainedFragment on Dog {\n"
         "  isHouseTrained(atOtherHomes: $atOtherHomes)\n"
         "}",
     "[{\"message\":\"Variable \\\"$atOtherHomes\\\" is not defined by operation \\\"variableIsNotDefinedUsedInNestedFragment\\\".\",\"locations\":[{\"line\":12,\"column\":32},{\"line\":1,\"column\":1}]}]"},
    {0 /* all rules */,
     "query intCannotGoIntoBoolean($intArg: Int) {\n"
         "  complicatedArgs {\n"
         "    booleanArgField(booleanArg: $intArg)\n"
         "  }\n"
         "}\n"
         "\n"
         "query booleanListCannotGoIntoBoolean($booleanListArg: [Boolean]) {\n"
         "  complicatedArgs {\n"
         "    booleanArgField(booleanArg: $booleanListArg)\n"
         "  }\n"
         "}\n"
         "\n"
         "query unusedVariable($unused: String, $u2: Int!) {\n"
         "  dog { name }\n"
         "}",
     "[{\"message\":\"Variable \\\"$intArg\\\" of type \\\"Int\\\" used in position expecting type \\\"Boolean\\\".\",\"locations\":[{\"line\":1,\"column\":30},{\"line\":3,\"column\":33}]},{\"message\":\"Variable \\\"$booleanListArg\\\" of type \\\"[Boolean]\\\" used in position expecting type \\\"Boolean\\\".\",\"locations\":[{\"line\":7,\"column\":38},{\"line\":9,\"column\":33}]},{\"message\":\"Variable \\\"$unused\\\" is never used in operation \\\"unusedVariable\\\".\",\"locations\":[{\"line\":13,\"column\":22}]},{\"message\":\"Variable \\\"$u2\\\" is never used in operation \\\"unusedVariable\\\".\",\"locations\":[{\"line\":13,\"column\":39}]}]"},
    {0 /* all rules */,
     "query Q($v: Unknown, $v: Int, $w: String!) @onField @onQuery @onQuery {\n"
         "  dog @skip(if: $w) {\n"
         "    name(surname: 3) @unknown\n"
         "    name: nickname\n"
         "    barkVolume { x }\n"
         "    ...F\n"
         "    ...G @skip(if: true)\n"
         "    ... on Cat { meows }\n"
         "    isHouseTrained(atOtherHomes: \"x\", atOtherHomes: 1, y: 2)\n"
         "  }\n"
         "  human { pets }\n"
         "  complicatedArgs { multipleReqs(req1: null) complexArgField(complexArg: {requiredField: $v, x: 1, x: 2}) }\n"
         "}\n"
         "query Q { __schema { types { fields { type { fields { type { fields { name } } } } } } } }\n"
         "{ cat { name } }\n"
         "fragment F on Dog { name(surname: $undef) ...F }\n"
         "fragment Unused on Boolean { x }\n"
         "type T { f: Strin }\n"
         "subscription { importantEmails deletedEmails __typename }",
     "[{\"message\":\"The \\\"T\\\" definition is not executable.\",\"locations\":[{\"line\":18,\"column\":1}]},{\"message\":\"There can be only one variable named \\\"$v\\\".\",\"locations\":[{\"line\":1,\"column\":10},{\"line\":1,\"column\":23}]},{\"message\":\"The directive \\\"@onQuery\\\" can only be used once at this location.\",\"locations\":[{\"line\":1,\"column\":53},{\"line\":1,\"column\":62}]},{\"message\":\"Unknown type \\\"Unknown\\\".\",\"locations\":[{\"line\":1,\"column\":13}]},{\"message\":\"Directive \\\"@onField\\\" may not be used on QUERY.\",\"locations\":[{\"line\":1,\"column\":44}]},{\"message\":\"Fields \\\"name\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":4,\"column\":5}]},{\"message\":\"Fields \\\"name\\\" conflict because they have differing arguments. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":16,\"column\":21}]},{\"message\":\"Fields \\\"name\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":4,\"column\":5},{\"line\":16,\"column\":21}]},{\"message\":\"Boolean cannot represent a non boolean value: 3\",\"locations\":[{\"line\":3,\"column\":19}]},{\"message\":\"Unknown directive \\\"@unknown\\\".\",\"locations\":[{\"line\":3,\"column\":22}]},{\"message\":\"Field \\\"barkVolume\\\" must not have a selection since type \\\"Int\\\" has no subfields.\",\"locations\":[{\"line\":5,\"column\":16}]},{\"message\":\"Unknown fragment \\\"G\\\".\",\"locations\":[{\"line\":7,\"column\":8}]},{\"message\":\"Fragment cannot be spread here as objects of type \\\"Dog\\\" can never be of type \\\"Cat\\\".\",\"locations\":[{\"line\":8,\"column\":5}]},{\"message\":\"There can be only one argument named \\\"atOtherHomes\\\".\",\"locations\":[{\"line\":9,\"column\":20},{\"line\":9,\"column\":39}]},{\"message\":\"Boolean cannot represent a non boolean value: \\\"x\\\"\",\"locations\":[{\"line\":9,\"column\":34}]},{\"message\":\"Boolean cannot represent a non boolean value: 1\",\"locations\":[{\"line\":9,\"column\":53}]},{\"message\":\"Unknown argument \\\"y\\\" on field \\\"Dog.isHouseTrained\\\".\",\"locations\":[{\"line\":9,\"column\":56}]},{\"message\":\"Field \\\"pets\\\" of type \\\"[Pet]\\\" must have a selection of subfields. Did you mean \\\"pets { ... }\\\"?\",\"locations\":[{\"line\":11,\"column\":11}]},{\"message\":\"Expected value of type \\\"Int!\\\", found null.\",\"locations\":[{\"line\":12,\"column\":40}]},{\"message\":\"Field \\\"multipleReqs\\\" argument \\\"req2\\\" of type \\\"Int!\\\" is required, but it was not provided.\",\"locations\":[{\"line\":12,\"column\":21}]},{\"message\":\"Field \\\"x\\\" is not defined by type \\\"ComplexInput\\\".\",\"locations\":[{\"line\":12,\"column\":94}]},{\"message\":\"Field \\\"x\\\" is not defined by type \\\"ComplexInput\\\".\",\"locations\":[{\"line\":12,\"column\":100}]},{\"message\":\"There can be only one input field named \\\"x\\\".\",\"locations\":[{\"line\":12,\"column\":94},{\"line\":12,\"column\":100}]},{\"message\":\"Variable \\\"$undef\\\" is not defined by operation \\\"Q\\\".\",\"locations\":[{\"line\":16,\"column\":35},{\"line\":1,\"column\":1}]},{\"message\":\"Variable \\\"$w\\\" of type \\\"String!\\\" used in position expecting type \\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":31},{\"line\":2,\"column\":17}]},{\"message\":\"Variable \\\"$v\\\" of type \\\"Int\\\" used in position expecting type \\\"Boolean!\\\".\",\"locations\":[{\"line\":1,\"column\":22},{\"line\":12,\"column\":90}]},{\"message\":\"There can be only one operation named \\\"Q\\\".\",\"locations\":[{\"line\":1,\"column\":7},{\"line\":14,\"column\":7}]},{\"message\":\"Maximum introspection depth exceeded\",\"locations\":[{\"line\":14,\"column\":11}]},{\"message\":\"This anonymous operation must be the only defined operation.\",\"locations\":[{\"line\":15,\"column\":1}]},{\"message\":\"Cannot spread fragment \\\"F\\\" within itself.\",\"locations\":[{\"line\":16,\"column\":43}]},{\"message\":\"Fragment \\\"Unused\\\" cannot condition on non composite type \\\"Boolean\\\".\",\"locations\":[{\"line\":17,\"column\":20}]},{\"message\":\"Unknown type \\\"Strin\\\". Did you mean \\\"String\\\"?\",\"locations\":[{\"line\":18,\"column\":13}]},{\"message\":\"This anonymous operation must be the only defined operation.\",\"locations\":[{\"line\":19,\"column\":1}]},{\"message\":\"Anonymous Subscription must select only one top level field.\",\"locations\":[{\"line\":19,\"column\":32},{\"line\":19,\"column\":46}]},{\"message\":\"Anonymous Subscription must not select an introspection top level field.\",\"locations\":[{\"line\":19,\"column\":46}]},{\"message\":\"Fragment \\\"Unused\\\" is never used.\",\"locations\":[{\"line\":17,\"column\":1}]}]"},
    {0 /* all rules */,
     "{ dog { ...A ...B } }\n"
         "fragment A on Dog { x: name ...B }\n"
         "fragment B on Dog { x: nickname ...A }",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":2,\"column\":21},{\"line\":3,\"column\":21}]},{\"message\":\"Cannot spread fragment \\\"A\\\" within itself via \\\"B\\\".\",\"locations\":[{\"line\":2,\"column\":29},{\"line\":3,\"column\":33}]},{\"message\":\"Fields \\\"x\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":2,\"column\":21},{\"line\":3,\"column\":21}]},{\"message\":\"Fields \\\"x\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are different fields. Use different aliases on the fields to fetch both if this was intentional.\",\"locations\":[{\"line\":3,\"column\":21},{\"line\":2,\"column\":21}]}]"},
};

static void test_all_rules(void **state) {
    (void)state;
    VALIDATE_CASES(all_rules_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_introspection_depth),
        cmocka_unit_test(test_all_rules),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
