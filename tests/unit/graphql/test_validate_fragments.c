/* test_validate_fragments.c -- KnownFragmentNames, NoUnusedFragments, PossibleFragmentSpreads and NoFragmentCycles.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* KnownFragmentNames */
static const validate_case known_fragment_names_cases[] = {
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES,
     "{\n"
     "  human(id: 4) {\n"
     "    ...HumanFields1\n"
     "    ... on Human {\n"
     "      ...HumanFields2\n"
     "    }\n"
     "    ... {\n"
     "      name\n"
     "    }\n"
     "  }\n"
     "}\n"
     "fragment HumanFields1 on Human {\n"
     "  name\n"
     "  ...HumanFields3\n"
     "}\n"
     "fragment HumanFields2 on Human {\n"
     "  name\n"
     "}\n"
     "fragment HumanFields3 on Human {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES,
     "{\n"
     "  human(id: 4) {\n"
     "    ...UnknownFragment1\n"
     "    ... on Human {\n"
     "      ...UnknownFragment2\n"
     "    }\n"
     "  }\n"
     "}\n"
     "fragment HumanFields on Human {\n"
     "  name\n"
     "  ...UnknownFragment3\n"
     "}",
     "[{\"message\":\"Unknown fragment "
     "\\\"UnknownFragment1\\\".\",\"locations\":[{\"line\":3,\"column\":8}]},{\"message\":"
     "\"Unknown fragment "
     "\\\"UnknownFragment2\\\".\",\"locations\":[{\"line\":5,\"column\":10}]},{\"message\":"
     "\"Unknown fragment \\\"UnknownFragment3\\\".\",\"locations\":[{\"line\":11,\"column\":6}]}]"},
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES,
     "{ dog { ...F @include(if: true) } } fragment f on Dog { name }",
     "[{\"message\":\"Unknown fragment \\\"F\\\".\",\"locations\":[{\"line\":1,\"column\":12}]}]"},
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES,
     "fragment A on Dog { ...B } fragment B on Dog { ...A ...C } query { dog { ...A ...Z } }",
     "[{\"message\":\"Unknown fragment "
     "\\\"C\\\".\",\"locations\":[{\"line\":1,\"column\":56}]},{\"message\":\"Unknown fragment "
     "\\\"Z\\\".\",\"locations\":[{\"line\":1,\"column\":82}]}]"},
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES,
     "{ dog { ...on Dog { ...Missing } } }\n"
     "fragment Missing on Cat { name }\n"
     "fragment Missing on Dog { name }",
     "[]"},
    {MM_GQL_RULE_KNOWN_FRAGMENT_NAMES, "type Missing { a: Int } { dog { ...Missing } }",
     "[{\"message\":\"Unknown fragment "
     "\\\"Missing\\\".\",\"locations\":[{\"line\":1,\"column\":36}]}]"},
};

static void test_known_fragment_names(void **state) {
    (void)state;
    VALIDATE_CASES(known_fragment_names_cases);
}

/* NoUnusedFragments */
static const validate_case no_unused_fragments_cases[] = {
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "{\n"
     "  human(id: 4) {\n"
     "    ...HumanFields1\n"
     "    ... on Human {\n"
     "      ...HumanFields2\n"
     "    }\n"
     "  }\n"
     "}\n"
     "fragment HumanFields1 on Human {\n"
     "  name\n"
     "  ...HumanFields3\n"
     "}\n"
     "fragment HumanFields2 on Human {\n"
     "  name\n"
     "}\n"
     "fragment HumanFields3 on Human {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "query Foo {\n"
     "  human(id: 4) {\n"
     "    ...HumanFields1\n"
     "  }\n"
     "}\n"
     "query Bar {\n"
     "  human(id: 4) {\n"
     "    ...HumanFields2\n"
     "  }\n"
     "}\n"
     "fragment HumanFields1 on Human {\n"
     "  name\n"
     "  ...HumanFields3\n"
     "}\n"
     "fragment HumanFields2 on Human {\n"
     "  name\n"
     "}\n"
     "fragment HumanFields3 on Human {\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "query Foo {\n"
     "  human(id: 4) {\n"
     "    ...HumanFields1\n"
     "  }\n"
     "}\n"
     "query Bar {\n"
     "  human(id: 4) {\n"
     "    ...HumanFields2\n"
     "  }\n"
     "}\n"
     "fragment HumanFields1 on Human {\n"
     "  name\n"
     "  ...HumanFields3\n"
     "}\n"
     "fragment HumanFields2 on Human {\n"
     "  name\n"
     "}\n"
     "fragment HumanFields3 on Human {\n"
     "  name\n"
     "}\n"
     "fragment Unused1 on Human {\n"
     "  name\n"
     "}\n"
     "fragment Unused2 on Human {\n"
     "  name\n"
     "}",
     "[{\"message\":\"Fragment \\\"Unused1\\\" is never "
     "used.\",\"locations\":[{\"line\":21,\"column\":1}]},{\"message\":\"Fragment \\\"Unused2\\\" "
     "is never used.\",\"locations\":[{\"line\":24,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "query Foo {\n"
     "  human(id: 4) {\n"
     "    ...HumanFields1\n"
     "  }\n"
     "}\n"
     "fragment HumanFields1 on Human {\n"
     "  name\n"
     "  ...HumanFields1\n"
     "}\n"
     "fragment Unused1 on Human {\n"
     "  name\n"
     "  ...Unused2\n"
     "}\n"
     "fragment Unused2 on Human {\n"
     "  name\n"
     "  ...Unused1\n"
     "}",
     "[{\"message\":\"Fragment \\\"Unused1\\\" is never "
     "used.\",\"locations\":[{\"line\":10,\"column\":1}]},{\"message\":\"Fragment \\\"Unused2\\\" "
     "is never used.\",\"locations\":[{\"line\":14,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "query Foo {\n"
     "  human(id: 4) {\n"
     "    ...bar\n"
     "  }\n"
     "}\n"
     "fragment foo on Human {\n"
     "  name\n"
     "}",
     "[{\"message\":\"Fragment \\\"foo\\\" is never "
     "used.\",\"locations\":[{\"line\":6,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "fragment foo on Human { name }\n"
     "type Query { f: Int }\n"
     "fragment bar on Human { name }",
     "[{\"message\":\"Fragment \\\"foo\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":1}]},{\"message\":\"Fragment \\\"bar\\\" is "
     "never used.\",\"locations\":[{\"line\":3,\"column\":1}]}]"},
    {MM_GQL_RULE_NO_UNUSED_FRAGMENTS,
     "{ dog { ... on Dog { ...A } } } fragment A on Dog { ...B } fragment B on Dog { ...C } "
     "fragment C on Dog { name } fragment D on Dog { ...A }",
     "[{\"message\":\"Fragment \\\"D\\\" is never "
     "used.\",\"locations\":[{\"line\":1,\"column\":114}]}]"},
};

static void test_no_unused_fragments(void **state) {
    (void)state;
    VALIDATE_CASES(no_unused_fragments_cases);
}

/* PossibleFragmentSpreads */
static const validate_case possible_fragment_spreads_cases[] = {
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment objectWithinObject on Dog { ...dogFragment }\n"
     "fragment dogFragment on Dog { barkVolume }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment objectWithinObjectAnon on Dog { ... on Dog { barkVolume } }", "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment objectWithinInterface on Pet { ...dogFragment }\n"
     "fragment dogFragment on Dog { barkVolume }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment objectWithinUnion on CatOrDog { ...dogFragment }\n"
     "fragment dogFragment on Dog { barkVolume }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment unionWithinObject on Dog { ...catOrDogFragment }\n"
     "fragment catOrDogFragment on CatOrDog { __typename }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment unionWithinInterface on Pet { ...catOrDogFragment }\n"
     "fragment catOrDogFragment on CatOrDog { __typename }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment interfaceWithinObject on Dog { ...petFragment }\n"
     "fragment petFragment on Pet { name }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment interfaceWithinInterface on Pet { ...petFragment }\n"
     "fragment petFragment on Pet { name }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment interfaceWithinInterface on Pet { ... on Pet { name } }", "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment interfaceWithinInterface on Mammal { ...canineFragment } fragment canineFragment on "
     "Canine { name }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment ignoresUnknown on Dog { ...unknown ... on Unknown { x } } fragment onUnknown on "
     "Unknown2 { x } fragment a on Dog { ...onUnknown }",
     "[]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidObjectWithinObject on Cat { ...dogFragment }\n"
     "fragment dogFragment on Dog { barkVolume }",
     "[{\"message\":\"Fragment \\\"dogFragment\\\" cannot be spread here as objects of type "
     "\\\"Cat\\\" can never be of type "
     "\\\"Dog\\\".\",\"locations\":[{\"line\":1,\"column\":45}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidObjectWithinObjectAnon on Cat {\n"
     "  ... on Dog { barkVolume }\n"
     "}",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"Cat\\\" can never be "
     "of type \\\"Dog\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidObjectWithinInterface on Pet { ...humanFragment }\n"
     "fragment humanFragment on Human { pets { name } }",
     "[{\"message\":\"Fragment \\\"humanFragment\\\" cannot be spread here as objects of type "
     "\\\"Pet\\\" can never be of type "
     "\\\"Human\\\".\",\"locations\":[{\"line\":1,\"column\":48}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidObjectWithinUnion on CatOrDog { ...humanFragment }\n"
     "fragment humanFragment on Human { pets { name } }",
     "[{\"message\":\"Fragment \\\"humanFragment\\\" cannot be spread here as objects of type "
     "\\\"CatOrDog\\\" can never be of type "
     "\\\"Human\\\".\",\"locations\":[{\"line\":1,\"column\":49}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidUnionWithinObject on Human { ...catOrDogFragment }\n"
     "fragment catOrDogFragment on CatOrDog { __typename }",
     "[{\"message\":\"Fragment \\\"catOrDogFragment\\\" cannot be spread here as objects of type "
     "\\\"Human\\\" can never be of type "
     "\\\"CatOrDog\\\".\",\"locations\":[{\"line\":1,\"column\":46}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidUnionWithinInterface on Pet { ...humanOrCat } fragment humanOrCat on "
     "CatOrDog { __typename } fragment x on SomeBox { ...catOrDogFragment } fragment "
     "catOrDogFragment on CatOrDog { __typename }",
     "[{\"message\":\"Fragment \\\"catOrDogFragment\\\" cannot be spread here as objects of type "
     "\\\"SomeBox\\\" can never be of type "
     "\\\"CatOrDog\\\".\",\"locations\":[{\"line\":1,\"column\":134}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidInterfaceWithinObject on Cat { ...intelligentFragment } fragment "
     "intelligentFragment on Canine { name }",
     "[{\"message\":\"Fragment \\\"intelligentFragment\\\" cannot be spread here as objects of "
     "type \\\"Cat\\\" can never be of type "
     "\\\"Canine\\\".\",\"locations\":[{\"line\":1,\"column\":48}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidInterfaceWithinInterface on Pet {\n"
     "  ...intelligentFragment\n"
     "}\n"
     "fragment intelligentFragment on SomeBox { unrelatedField }",
     "[{\"message\":\"Fragment \\\"intelligentFragment\\\" cannot be spread here as objects of "
     "type \\\"Pet\\\" can never be of type "
     "\\\"SomeBox\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidInterfaceWithinInterfaceAnon on Pet {\n"
     "  ...on SomeBox { unrelatedField }\n"
     "}",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"Pet\\\" can never be "
     "of type \\\"SomeBox\\\".\",\"locations\":[{\"line\":2,\"column\":3}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "fragment invalidUnionWithinUnion on CatOrDog { ... on Connection { edges { node { id } } } }",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"CatOrDog\\\" can never "
     "be of type \\\"Connection\\\".\",\"locations\":[{\"line\":1,\"column\":48}]}]"},
    {MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS,
     "{ dog { ...on Cat { name } } catOrDog { ...on Human { name } ... on Pet { name } } }",
     "[{\"message\":\"Fragment cannot be spread here as objects of type \\\"Dog\\\" can never be "
     "of type \\\"Cat\\\".\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Fragment "
     "cannot be spread here as objects of type \\\"CatOrDog\\\" can never be of type "
     "\\\"Human\\\".\",\"locations\":[{\"line\":1,\"column\":41}]}]"},
};

static void test_possible_fragment_spreads(void **state) {
    (void)state;
    VALIDATE_CASES(possible_fragment_spreads_cases);
}

/* NoFragmentCycles */
static const validate_case no_fragment_cycles_cases[] = {
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB }\n"
     "fragment fragB on Dog { name }",
     "[]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB, ...fragB }\n"
     "fragment fragB on Dog { name }",
     "[]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB, ...fragC }\n"
     "fragment fragB on Dog { ...fragC }\n"
     "fragment fragC on Dog { name }",
     "[]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment nameFragment on Pet {\n"
     "  ... on Dog { name }\n"
     "  ... on Cat { name }\n"
     "}\n"
     "fragment spreadsInAnon on Pet {\n"
     "  ... on Dog { ...nameFragment }\n"
     "  ... on Cat { ...nameFragment }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES, "fragment nameFragment on Pet { ...UnknownFragment }", "[]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES, "fragment fragA on Human { relatives { ...fragA } },",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":1,\"column\":39}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES, "fragment fragA on Dog { ...fragA }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":1,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Pet {\n"
     "  ... on Dog {\n"
     "    ...fragA\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":3,\"column\":5}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB }\n"
     "fragment fragB on Dog { ...fragA }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragB\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":2,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragB on Dog { ...fragA }\n"
     "fragment fragA on Dog { ...fragB }",
     "[{\"message\":\"Cannot spread fragment \\\"fragB\\\" within itself via "
     "\\\"fragA\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":2,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Pet {\n"
     "  ... on Dog {\n"
     "    ...fragB\n"
     "  }\n"
     "}\n"
     "fragment fragB on Pet {\n"
     "  ... on Dog {\n"
     "    ...fragA\n"
     "  }\n"
     "}",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragB\\\".\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":8,\"column\":5}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB }\n"
     "fragment fragB on Dog { ...fragC }\n"
     "fragment fragC on Dog { ...fragO }\n"
     "fragment fragX on Dog { ...fragY }\n"
     "fragment fragY on Dog { ...fragZ }\n"
     "fragment fragZ on Dog { ...fragO }\n"
     "fragment fragO on Dog { ...fragP }\n"
     "fragment fragP on Dog { ...fragA, ...fragX }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via \\\"fragB\\\", "
     "\\\"fragC\\\", \\\"fragO\\\", "
     "\\\"fragP\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":2,\"column\":25},{"
     "\"line\":3,\"column\":25},{\"line\":7,\"column\":25},{\"line\":8,\"column\":25}]},{"
     "\"message\":\"Cannot spread fragment \\\"fragO\\\" within itself via \\\"fragP\\\", "
     "\\\"fragX\\\", \\\"fragY\\\", "
     "\\\"fragZ\\\".\",\"locations\":[{\"line\":7,\"column\":25},{\"line\":8,\"column\":35},{"
     "\"line\":4,\"column\":25},{\"line\":5,\"column\":25},{\"line\":6,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB, ...fragC }\n"
     "fragment fragB on Dog { ...fragA }\n"
     "fragment fragC on Dog { ...fragA }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragB\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":2,\"column\":25}]},{"
     "\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":1,\"column\":35},{\"line\":3,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragC }\n"
     "fragment fragB on Dog { ...fragC }\n"
     "fragment fragC on Dog { ...fragA, ...fragB }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within itself via "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":3,\"column\":25}]},{"
     "\"message\":\"Cannot spread fragment \\\"fragC\\\" within itself via "
     "\\\"fragB\\\".\",\"locations\":[{\"line\":3,\"column\":35},{\"line\":2,\"column\":25}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragB }\n"
     "fragment fragB on Dog { ...fragB, ...fragC }\n"
     "fragment fragC on Dog { ...fragA, ...fragB }",
     "[{\"message\":\"Cannot spread fragment \\\"fragB\\\" within "
     "itself.\",\"locations\":[{\"line\":2,\"column\":25}]},{\"message\":\"Cannot spread fragment "
     "\\\"fragA\\\" within itself via \\\"fragB\\\", "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":1,\"column\":25},{\"line\":2,\"column\":35},{"
     "\"line\":3,\"column\":25}]},{\"message\":\"Cannot spread fragment \\\"fragB\\\" within "
     "itself via "
     "\\\"fragC\\\".\",\"locations\":[{\"line\":2,\"column\":35},{\"line\":3,\"column\":35}]}]"},
    {MM_GQL_RULE_NO_FRAGMENT_CYCLES,
     "fragment fragA on Dog { ...fragA @include(if: true) mother { ...fragA } }",
     "[{\"message\":\"Cannot spread fragment \\\"fragA\\\" within "
     "itself.\",\"locations\":[{\"line\":1,\"column\":25}]},{\"message\":\"Cannot spread fragment "
     "\\\"fragA\\\" within itself.\",\"locations\":[{\"line\":1,\"column\":62}]}]"},
};

static void test_no_fragment_cycles(void **state) {
    (void)state;
    VALIDATE_CASES(no_fragment_cycles_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_fragment_names),
        cmocka_unit_test(test_no_unused_fragments),
        cmocka_unit_test(test_possible_fragment_spreads),
        cmocka_unit_test(test_no_fragment_cycles),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
