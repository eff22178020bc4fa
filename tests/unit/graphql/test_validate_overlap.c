/* test_validate_overlap.c -- OverlappingFieldsCanBeMerged, graphql-js 16's algorithm: conflicts within and across fragments, nested reasons, types, arguments, memoization and limits.
 *
 * Cases follow graphql-js 16's own rule tests and the specification's
 * examples, rewritten against the harness schema (validate_harness.h); each
 * expected list is the exact errors graphql-js reports for that rule. */
#include "validate_harness.h"

/* OverlappingFieldsCanBeMerged */
static const validate_case overlapping_fields_cases[] = {
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  name\n"
     "  nickname\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  name\n"
     "  name\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT)\n"
     "  doesKnowCommand(dogCommand: SIT)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  name @include(if: true)\n"
     "  name @include(if: true)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  knowsSit: doesKnowCommand(dogCommand: SIT)\n"
     "  knowsDown: doesKnowCommand(dogCommand: DOWN)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  nameIfTrue: name @include(if: true)\n"
     "  nameIfFalse: name @include(if: false)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  name @include(if: true)\n"
     "  name @include(if: false)\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  fido: name\n"
     "  fido: nickname\n"
     "}",
     "[{\"message\":\"Fields \\\"fido\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Pet {\n"
     "  ... on Dog {\n"
     "    name\n"
     "  }\n"
     "  ... on Cat {\n"
     "    name: nickname\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  name: nickname\n"
     "  name\n"
     "}",
     "[{\"message\":\"Fields \\\"name\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  doesKnowCommand\n"
     "  doesKnowCommand(dogCommand: HEEL)\n"
     "}",
     "[{\"message\":\"Fields \\\"doesKnowCommand\\\" conflict because they have differing "
     "arguments. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT)\n"
     "  doesKnowCommand\n"
     "}",
     "[{\"message\":\"Fields \\\"doesKnowCommand\\\" conflict because they have differing "
     "arguments. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  doesKnowCommand(dogCommand: SIT)\n"
     "  doesKnowCommand(dogCommand: HEEL)\n"
     "}",
     "[{\"message\":\"Fields \\\"doesKnowCommand\\\" conflict because they have differing "
     "arguments. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Dog {\n"
     "  isAtLocation(x: 0)\n"
     "  isAtLocation(y: 0)\n"
     "}",
     "[{\"message\":\"Fields \\\"isAtLocation\\\" conflict because they have differing arguments. "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment f on Pet {\n"
     "  ... on Dog {\n"
     "    name(surname: true)\n"
     "  }\n"
     "  ... on Cat {\n"
     "    name\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  complicatedArgs {\n"
     "    multipleOpts(opt1: null, opt2: null)\n"
     "    multipleOpts(opt2: null, opt1: null)\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, intField: null })\n"
     "    complexArgField(complexArg: { intField: null, requiredField: true })\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  complicatedArgs {\n"
     "    complexArgField(complexArg: { requiredField: true, stringField: \"1\" })\n"
     "    complexArgField(complexArg: { requiredField: true, stringField: \"\"\"1\"\"\" })\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"complexArgField\\\" conflict because they have differing "
     "arguments. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":4,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: 1)\n"
     "    intArgField(intArg: 1.0)\n"
     "    floatArgField(floatArg: 1)\n"
     "    floatArgField(floatArg: 1.0)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"intArgField\\\" conflict because they have differing arguments. "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":4,\"column\":5}]},{"
     "\"message\":\"Fields \\\"floatArgField\\\" conflict because they have differing arguments. "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":5,\"column\":5},{\"line\":6,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "query ($a: Int, $b: Int) {\n"
     "  complicatedArgs {\n"
     "    intArgField(intArg: $a)\n"
     "    intArgField(intArg: $a)\n"
     "    i: intArgField(intArg: $a)\n"
     "    i: intArgField(intArg: $b)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"i\\\" conflict because they have differing arguments. Use "
     "different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":5,\"column\":5},{\"line\":6,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  ...A\n"
     "  ...B\n"
     "}\n"
     "fragment A on Type {\n"
     "  x: a\n"
     "}\n"
     "fragment B on Type {\n"
     "  x: b\n"
     "}",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"a\\\" and \\\"b\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":6,\"column\":3},{\"line\":9,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  f1 {\n"
     "    ...A\n"
     "    ...B\n"
     "  }\n"
     "  f2 {\n"
     "    ...B\n"
     "    ...A\n"
     "  }\n"
     "  f3 {\n"
     "    ...A\n"
     "    ...B\n"
     "    x: c\n"
     "  }\n"
     "}\n"
     "fragment A on Type {\n"
     "  x: a\n"
     "}\n"
     "fragment B on Type {\n"
     "  x: b\n"
     "}",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"a\\\" and \\\"b\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":17,\"column\":3},{\"line\":20,\"column\":3}]},{"
     "\"message\":\"Fields \\\"x\\\" conflict because \\\"c\\\" and \\\"a\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":13,\"column\":5},{\"line\":17,\"column\":3}]},{"
     "\"message\":\"Fields \\\"x\\\" conflict because \\\"c\\\" and \\\"b\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":13,\"column\":5},{\"line\":20,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    x: a\n"
     "  },\n"
     "  field {\n"
     "    x: b\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"field\\\" conflict because subfields \\\"x\\\" conflict because "
     "\\\"a\\\" and \\\"b\\\" are different fields. Use different aliases on the fields to fetch "
     "both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":5},{\"line\":"
     "5,\"column\":3},{\"line\":6,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    x: a\n"
     "    y: c\n"
     "  },\n"
     "  field {\n"
     "    x: b\n"
     "    y: d\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"field\\\" conflict because subfields \\\"x\\\" conflict because "
     "\\\"a\\\" and \\\"b\\\" are different fields and subfields \\\"y\\\" conflict because "
     "\\\"c\\\" and \\\"d\\\" are different fields. Use different aliases on the fields to fetch "
     "both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":5},{\"line\":"
     "4,\"column\":5},{\"line\":6,\"column\":3},{\"line\":7,\"column\":5},{\"line\":8,\"column\":5}"
     "]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    deepField {\n"
     "      x: a\n"
     "    }\n"
     "  },\n"
     "  field {\n"
     "    deepField {\n"
     "      x: b\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"field\\\" conflict because subfields \\\"deepField\\\" conflict "
     "because subfields \\\"x\\\" conflict because \\\"a\\\" and \\\"b\\\" are different fields. "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":5},{\"line\":"
     "4,\"column\":7},{\"line\":7,\"column\":3},{\"line\":8,\"column\":5},{\"line\":9,\"column\":7}"
     "]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    deepField {\n"
     "      x: a\n"
     "    }\n"
     "    deepField {\n"
     "      x: b\n"
     "    }\n"
     "  },\n"
     "  field {\n"
     "    deepField {\n"
     "      y\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"deepField\\\" conflict because subfields \\\"x\\\" conflict "
     "because \\\"a\\\" and \\\"b\\\" are different fields. Use different aliases on the fields to "
     "fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":4,\"column\":7},{\"line\":"
     "6,\"column\":5},{\"line\":7,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    ...F\n"
     "  }\n"
     "  field {\n"
     "    ...F\n"
     "  }\n"
     "}\n"
     "fragment F on T {\n"
     "  deepField {\n"
     "    deeperField {\n"
     "      x: a\n"
     "    }\n"
     "    deeperField {\n"
     "      x: b\n"
     "    }\n"
     "  },\n"
     "  deepField {\n"
     "    deeperField {\n"
     "      y\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"deeperField\\\" conflict because subfields \\\"x\\\" conflict "
     "because \\\"a\\\" and \\\"b\\\" are different fields. Use different aliases on the fields to "
     "fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":11,\"column\":5},{\"line\":12,\"column\":7},{"
     "\"line\":14,\"column\":5},{\"line\":15,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field {\n"
     "    ...F\n"
     "  }\n"
     "  field {\n"
     "    ...I\n"
     "  }\n"
     "}\n"
     "fragment F on T {\n"
     "  x: a\n"
     "  ...G\n"
     "}\n"
     "fragment G on T {\n"
     "  y: c\n"
     "}\n"
     "fragment I on T {\n"
     "  y: d\n"
     "  ...J\n"
     "}\n"
     "fragment J on T {\n"
     "  x: b\n"
     "}",
     "[{\"message\":\"Fields \\\"field\\\" conflict because subfields \\\"x\\\" conflict because "
     "\\\"a\\\" and \\\"b\\\" are different fields and subfields \\\"y\\\" conflict because "
     "\\\"c\\\" and \\\"d\\\" are different fields. Use different aliases on the fields to fetch "
     "both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":10,\"column\":3},{\"line\":"
     "14,\"column\":3},{\"line\":5,\"column\":3},{\"line\":21,\"column\":3},{\"line\":17,"
     "\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      scalar\n"
     "    }\n"
     "    ... on NonNullStringBox1 {\n"
     "      scalar\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"scalar\\\" conflict because they return conflicting types "
     "\\\"Int\\\" and \\\"String!\\\". Use different aliases on the fields to fetch both if this "
     "was intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":7,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ...on IntBox {\n"
     "      deepBox {\n"
     "        ...on StringBox {\n"
     "          scalar\n"
     "        }\n"
     "      }\n"
     "    }\n"
     "    ...on StringBox {\n"
     "      deepBox {\n"
     "        ...on StringBox {\n"
     "          scalar\n"
     "        }\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      scalar\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      scalar\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"scalar\\\" conflict because they return conflicting types "
     "\\\"Int\\\" and \\\"String\\\". Use different aliases on the fields to fetch both if this "
     "was intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":7,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      deepBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      deepBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"deepBox\\\" conflict because subfields \\\"scalar\\\" conflict "
     "because they return conflicting types \\\"Int\\\" and \\\"String\\\". Use different aliases "
     "on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":5,\"column\":9},{\"line\":"
     "9,\"column\":7},{\"line\":10,\"column\":9}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      deepBox {\n"
     "        unrelatedField\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      deepBox {\n"
     "        unrelatedField\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on NonNullStringBox1 {\n"
     "      scalar\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      scalar\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"scalar\\\" conflict because they return conflicting types "
     "\\\"String!\\\" and \\\"String\\\". Use different aliases on the fields to fetch both if "
     "this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":7,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      box: listStringBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      box: stringBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"box\\\" conflict because they return conflicting types "
     "\\\"[StringBox]\\\" and \\\"StringBox\\\". Use different aliases on the fields to fetch both "
     "if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":9,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      box: stringBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      box: listStringBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"box\\\" conflict because they return conflicting types "
     "\\\"StringBox\\\" and \\\"[StringBox]\\\". Use different aliases on the fields to fetch both "
     "if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":9,\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      box: stringBox {\n"
     "        val: scalar\n"
     "        val: unrelatedField\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      box: stringBox {\n"
     "        val: scalar\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"val\\\" conflict because \\\"scalar\\\" and "
     "\\\"unrelatedField\\\" are different fields. Use different aliases on the fields to fetch "
     "both if this was "
     "intentional.\",\"locations\":[{\"line\":5,\"column\":9},{\"line\":6,\"column\":9}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      box: stringBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      box: intBox {\n"
     "        scalar\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"box\\\" conflict because subfields \\\"scalar\\\" conflict "
     "because they return conflicting types \\\"String\\\" and \\\"Int\\\". Use different aliases "
     "on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":5,\"column\":9},{\"line\":"
     "9,\"column\":7},{\"line\":10,\"column\":9}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on NonNullStringBox1 {\n"
     "      scalar\n"
     "    }\n"
     "    ... on NonNullStringBox2 {\n"
     "      scalar\n"
     "    }\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  someBox {\n"
     "    ... on IntBox {\n"
     "      deepBox {\n"
     "        ...SomeFragment\n"
     "      }\n"
     "    }\n"
     "    ... on StringBox {\n"
     "      deepBox {\n"
     "        ...SomeFragment\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}\n"
     "fragment SomeFragment on SomeBox {\n"
     "  deepBox {\n"
     "    unrelatedField\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  connection {\n"
     "    ...edgeID\n"
     "    edges {\n"
     "      node {\n"
     "        id: name\n"
     "      }\n"
     "    }\n"
     "  }\n"
     "}\n"
     "\n"
     "fragment edgeID on Connection {\n"
     "  edges {\n"
     "    node {\n"
     "      id\n"
     "    }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"edges\\\" conflict because subfields \\\"node\\\" conflict "
     "because subfields \\\"id\\\" conflict because \\\"name\\\" and \\\"id\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":5},{\"line\":5,\"column\":7},{\"line\":"
     "6,\"column\":9},{\"line\":13,\"column\":3},{\"line\":14,\"column\":5},{\"line\":15,"
     "\"column\":7}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  a\n"
     "  ... {\n"
     "    a\n"
     "  }\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  dog {\n"
     "    ...dogFrag\n"
     "    ... on Dog { name: nickname }\n"
     "  }\n"
     "}\n"
     "fragment dogFrag on Dog { name }",
     "[{\"message\":\"Fields \\\"name\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":18},{\"line\":7,\"column\":27}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  catOrDog {\n"
     "    ... on Cat { x: meows }\n"
     "    ... on Dog { x: barks }\n"
     "  }\n"
     "  pet {\n"
     "    ... on Dog { x: barkVolume }\n"
     "    ... on Pet { x: name }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"barkVolume\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":7,\"column\":18},{\"line\":8,\"column\":18}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  dog {\n"
     "    name\n"
     "  }\n"
     "  ...frag\n"
     "}\n"
     "fragment frag on QueryRoot {\n"
     "  dog {\n"
     "    name: nickname\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"dog\\\" conflict because subfields \\\"name\\\" conflict because "
     "\\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the fields "
     "to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":5},{\"line\":"
     "8,\"column\":3},{\"line\":9,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  ...fragA\n"
     "  ...fragA\n"
     "}\n"
     "fragment fragA on Query {\n"
     "  ...fragA\n"
     "  x: a\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "fragment fragA on Query {\n"
     "  ...fragA\n"
     "  x: a\n"
     "  x: b\n"
     "}",
     "[{\"message\":\"Fields \\\"x\\\" conflict because \\\"a\\\" and \\\"b\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":3},{\"line\":4,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  ...X\n"
     "}\n"
     "fragment X on T {\n"
     "  ...Y\n"
     "  a: x\n"
     "}\n"
     "fragment Y on T {\n"
     "  ...X\n"
     "  a: y\n"
     "}",
     "[{\"message\":\"Fields \\\"a\\\" conflict because \\\"x\\\" and \\\"y\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":6,\"column\":3},{\"line\":10,\"column\":3}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"y\\\" and \\\"x\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":10,\"column\":3},{\"line\":6,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  field\n"
     "  ...Unknown\n"
     "  ...Known\n"
     "}\n"
     "fragment Known on T {\n"
     "  field\n"
     "  ...OtherUnknown\n"
     "}",
     "[]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  a: dog { name }\n"
     "  ...F\n"
     "  ...F\n"
     "}\n"
     "fragment F on QueryRoot {\n"
     "  a: cat { name }\n"
     "}",
     "[{\"message\":\"Fields \\\"a\\\" conflict because \\\"dog\\\" and \\\"cat\\\" are different "
     "fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":7,\"column\":3}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  human {\n"
     "    relatives { name }\n"
     "    pets { name }\n"
     "  }\n"
     "  human {\n"
     "    relatives: pets { name }\n"
     "    pets: relatives { name }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"human\\\" conflict because subfields \\\"relatives\\\" conflict "
     "because \\\"relatives\\\" and \\\"pets\\\" are different fields and subfields \\\"pets\\\" "
     "conflict because \\\"pets\\\" and \\\"relatives\\\" are different fields. Use different "
     "aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":2,\"column\":3},{\"line\":3,\"column\":5},{\"line\":"
     "4,\"column\":5},{\"line\":6,\"column\":3},{\"line\":7,\"column\":5},{\"line\":8,\"column\":5}"
     "]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "query ($v: Boolean) {\n"
     "  dog {\n"
     "    name(surname: $v)\n"
     "    name(surname: true)\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"name\\\" conflict because they have differing arguments. Use "
     "different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":5},{\"line\":4,\"column\":5}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  dog {\n"
     "    ... { name }\n"
     "    ... { name: nickname }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"name\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":3,\"column\":11},{\"line\":4,\"column\":11}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{\n"
     "  dog {\n"
     "    ...on Dog {\n"
     "      mother { name }\n"
     "    }\n"
     "    mother { name: nickname }\n"
     "  }\n"
     "}",
     "[{\"message\":\"Fields \\\"mother\\\" conflict because subfields \\\"name\\\" conflict "
     "because \\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the "
     "fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":4,\"column\":7},{\"line\":4,\"column\":16},{\"line\":"
     "6,\"column\":5},{\"line\":6,\"column\":14}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{ dog { a: nickname a: name a: name a: nickname a: name a: name a: nickname a: name a: name "
     "a: nickname a: name a: name } }",
     "[{\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":21}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":29}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":49}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":57}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":77}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":85}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":105}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":9},{\"line\":1,\"column\":113}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":21},{\"line\":1,\"column\":37}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":21},{\"line\":1,\"column\":65}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":21},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":29},{\"line\":1,\"column\":37}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":29},{\"line\":1,\"column\":65}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":29},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":49}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":57}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":77}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":85}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":105}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":37},{\"line\":1,\"column\":113}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":49},{\"line\":1,\"column\":65}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":49},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":57},{\"line\":1,\"column\":65}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":57},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":65},{\"line\":1,\"column\":77}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":65},{\"line\":1,\"column\":85}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":65},{\"line\":1,\"column\":105}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":65},{\"line\":1,\"column\":113}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":77},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"name\\\" and \\\"nickname\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":85},{\"line\":1,\"column\":93}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":93},{\"line\":1,\"column\":105}]},{"
     "\"message\":\"Fields \\\"a\\\" conflict because \\\"nickname\\\" and \\\"name\\\" are "
     "different fields. Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":93},{\"line\":1,\"column\":113}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED, "{ f { x0: a } f { x1: a } f { x0: b x1: b } }",
     "[{\"message\":\"Fields \\\"f\\\" conflict because subfields \\\"x0\\\" conflict because "
     "\\\"a\\\" and \\\"b\\\" are different fields. Use different aliases on the fields to fetch "
     "both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":7},{\"line\":"
     "1,\"column\":27},{\"line\":1,\"column\":31}]},{\"message\":\"Fields \\\"f\\\" conflict "
     "because subfields \\\"x1\\\" conflict because \\\"a\\\" and \\\"b\\\" are different fields. "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":15},{\"line\":1,\"column\":19},{"
     "\"line\":1,\"column\":27},{\"line\":1,\"column\":37}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{ f { a0: x a1: x a2: x a3: x a4: x a5: x a6: x a7: x a8: x a9: x a10: x a11: x a12: x a13: "
     "x a14: x a15: x a16: x a17: x a18: x a19: x a20: x a21: x a22: x a23: x a24: x a25: x a26: x "
     "a27: x a28: x a29: x } f { a0: y a1: y a2: y a3: y a4: y a5: y a6: y a7: y a8: y a9: y a10: "
     "y a11: y a12: y a13: y a14: y a15: y a16: y a17: y a18: y a19: y a20: y a21: y a22: y a23: y "
     "a24: y a25: y a26: y a27: y a28: y a29: y } }",
     "[{\"message\":\"Fields \\\"f\\\" conflict because subfields \\\"a0\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a1\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a2\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a3\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a4\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a5\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a6\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a7\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a8\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a9\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a10\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a11\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a12\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a13\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields \\\"a14\\\" conflict becau.... "
     "Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":7},{\"line\":"
     "1,\"column\":13},{\"line\":1,\"column\":19},{\"line\":1,\"column\":25},{\"line\":1,"
     "\"column\":31},{\"line\":1,\"column\":37},{\"line\":1,\"column\":43},{\"line\":1,\"column\":"
     "49},{\"line\":1,\"column\":55},{\"line\":1,\"column\":61},{\"line\":1,\"column\":67},{"
     "\"line\":1,\"column\":74},{\"line\":1,\"column\":81},{\"line\":1,\"column\":88},{\"line\":1,"
     "\"column\":95},{\"line\":1,\"column\":102},{\"line\":1,\"column\":109},{\"line\":1,"
     "\"column\":116},{\"line\":1,\"column\":123},{\"line\":1,\"column\":209},{\"line\":1,"
     "\"column\":213},{\"line\":1,\"column\":219},{\"line\":1,\"column\":225},{\"line\":1,"
     "\"column\":231},{\"line\":1,\"column\":237},{\"line\":1,\"column\":243},{\"line\":1,"
     "\"column\":249},{\"line\":1,\"column\":255},{\"line\":1,\"column\":261},{\"line\":1,"
     "\"column\":267},{\"line\":1,\"column\":273},{\"line\":1,\"column\":280},{\"line\":1,"
     "\"column\":287},{\"line\":1,\"column\":294},{\"line\":1,\"column\":301},{\"line\":1,"
     "\"column\":308},{\"line\":1,\"column\":315},{\"line\":1,\"column\":322},{\"line\":1,"
     "\"column\":329}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{ f { abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb3: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb4: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb5: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb6: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb7: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb8: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb9: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb10: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb11: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb12: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb13: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb14: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb15: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb16: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb17: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb18: x "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb19: x } f { "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb3: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb4: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb5: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb6: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb7: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb8: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb9: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb10: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb11: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb12: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb13: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb14: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb15: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb16: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb17: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb18: y "
     "abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb19: y } }",
     "[{\"message\":\"Fields \\\"f\\\" conflict because subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb0\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb1\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb2\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb3\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb4\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb5\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb6\\\" conflict because "
     "\\\"x\\\" and \\\"y\\\" are different fields and subfields "
     "\\\"abbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb7\\\" conflict because "
     "\\\"x\\\" a.... Use different aliases on the fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":7},{\"line\":"
     "1,\"column\":73},{\"line\":1,\"column\":139},{\"line\":1,\"column\":205},{\"line\":1,"
     "\"column\":271},{\"line\":1,\"column\":337},{\"line\":1,\"column\":403},{\"line\":1,"
     "\"column\":469},{\"line\":1,\"column\":535},{\"line\":1,\"column\":601},{\"line\":1,"
     "\"column\":667},{\"line\":1,\"column\":734},{\"line\":1,\"column\":801},{\"line\":1,"
     "\"column\":868},{\"line\":1,\"column\":935},{\"line\":1,\"column\":1002},{\"line\":1,"
     "\"column\":1069},{\"line\":1,\"column\":1136},{\"line\":1,\"column\":1203},{\"line\":1,"
     "\"column\":1339},{\"line\":1,\"column\":1343},{\"line\":1,\"column\":1409},{\"line\":1,"
     "\"column\":1475},{\"line\":1,\"column\":1541},{\"line\":1,\"column\":1607},{\"line\":1,"
     "\"column\":1673},{\"line\":1,\"column\":1739},{\"line\":1,\"column\":1805},{\"line\":1,"
     "\"column\":1871},{\"line\":1,\"column\":1937},{\"line\":1,\"column\":2003},{\"line\":1,"
     "\"column\":2070},{\"line\":1,\"column\":2137},{\"line\":1,\"column\":2204},{\"line\":1,"
     "\"column\":2271},{\"line\":1,\"column\":2338},{\"line\":1,\"column\":2405},{\"line\":1,"
     "\"column\":2472},{\"line\":1,\"column\":2539}]}]"},
    {MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED,
     "{ dog { name } dog { name: nickname } } query Q { dog { name } dog { nickname } } fragment F "
     "on Dog { a: name a: barks }",
     "[{\"message\":\"Fields \\\"dog\\\" conflict because subfields \\\"name\\\" conflict because "
     "\\\"name\\\" and \\\"nickname\\\" are different fields. Use different aliases on the fields "
     "to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":3},{\"line\":1,\"column\":9},{\"line\":"
     "1,\"column\":16},{\"line\":1,\"column\":22}]},{\"message\":\"Fields \\\"a\\\" conflict "
     "because \\\"name\\\" and \\\"barks\\\" are different fields. Use different aliases on the "
     "fields to fetch both if this was "
     "intentional.\",\"locations\":[{\"line\":1,\"column\":103},{\"line\":1,\"column\":111}]}]"},
};

static void test_overlapping_fields(void **state) {
    (void)state;
    VALIDATE_CASES(overlapping_fields_cases);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlapping_fields),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
