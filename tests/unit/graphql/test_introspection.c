/* test_introspection.c -- the introspection meta-types end to end: the
 * full getIntrospectionQuery() (every option on, graphql-js 16.15) of a rich
 * schema run through the engine facade must equal graphql-js's own result
 * byte for byte, __type / __schema root fields, includeDeprecated
 * filtering, default values printed as literals; the resolvers called
 * directly on meta-objects as introspection.h describes them; and the
 * per-schema cache of their answers (shared values, objects it does not
 * hold, threads racing to build it). The expected texts were produced by
 * graphql@16.15's graphqlSync on the same schema. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/graphql.h"
#include "graphql/type/introspection.h"
#include "graphql/type/schema.h"

static const char rich_sdl[] =
    "\"\"\"The schema.\"\"\"\nschema { query: Root mutation: Mut }\n\"\"\"Marks "
    "things\"\"\"\ndirective @tag(\"the name\" "
    "name: String! = \"t\", list: [Int!] = [1, 2], old: Int @deprecated(reason: \"no\")) "
    "repeatable on OBJECT"
    " | FIELD_DEFINITION\n\"An id'd thing\"\ninterface Node { id: ID! }\ninterface Named "
    "implements Node { id:"
    " ID! name(upper: Boolean = false): String }\ntype User implements Node & Named @tag { id: ID! "
    "name(up"
    "per: Boolean = false): String @deprecated(reason: \"use nick\") nick: String friends(first: "
    "Int = 10, "
    "order: Order = ASC): [User!]! }\ntype Bot implements Node { id: ID! }\nunion Actor = User | "
    "Bot\nenum O"
    "rder { \"ascending\" ASC DESC @deprecated OTHER @deprecated(reason: \"never\") }\ninput "
    "Filter { q: Strin"
    "g = \"x\" ids: [ID!] = [\"1\", \"b\"] order: Order = DESC nested: Filter old: Int @deprecated "
    "limit: Float"
    " = 1.5 }\ninput Pick @oneOf { a: Int b: String }\nscalar Date @specifiedBy(url: "
    "\"https://tools.ietf.or"
    "g/html/rfc3339\")\ntype Root { node(id: ID!): Node actors(filter: Filter = {q: \"y\"}, pick: "
    "Pick): [Act"
    "or] today: Date legacy: Int @deprecated }\ntype Mut { touch(id: ID!, at: Date): User }";

static const char introspection_query[] =
    "\n    query IntrospectionQuery {\n      __schema {\n        description\n        queryType { "
    "name kind }"
    "\n        mutationType { name kind }\n        subscriptionType { name kind }\n        types "
    "{\n         "
    " ...FullType\n        }\n        directives {\n          name\n          description\n        "
    "  isRepeata"
    "ble\n          \n          \n          locations\n          args(includeDeprecated: true) {\n "
    "           "
    "...InputValue\n          }\n        }\n      }\n    }\n\n    fragment FullType on __Type {\n  "
    "    kind\n    "
    "  name\n      description\n      specifiedByURL\n      isOneOf\n      "
    "fields(includeDeprecated: true) {\n"
    "        name\n        description\n        args(includeDeprecated: true) {\n          "
    "...InputValue\n   "
    "     }\n        type {\n          ...TypeRef\n        }\n        isDeprecated\n        "
    "deprecationReason\n"
    "      }\n      inputFields(includeDeprecated: true) {\n        ...InputValue\n      }\n      "
    "interfaces "
    "{\n        ...TypeRef\n      }\n      enumValues(includeDeprecated: true) {\n        name\n   "
    "     descri"
    "ption\n        isDeprecated\n        deprecationReason\n      }\n      possibleTypes {\n      "
    "  ...TypeRe"
    "f\n      }\n    }\n\n    fragment InputValue on __InputValue {\n      name\n      "
    "description\n      type {"
    " ...TypeRef }\n      defaultValue\n      isDeprecated\n      deprecationReason\n    }\n\n    "
    "fragment Type"
    "Ref on __Type {\n      kind\n      name\n      ofType {\n        name\n        kind\n        "
    "ofType {\n    "
    "      name\n          kind\n          ofType {\n            name\n            kind\n          "
    "  ofType {\n"
    "              name\n              kind\n              ofType {\n                name\n        "
    "        ki"
    "nd\n                ofType {\n                  name\n                  kind\n                "
    "  ofType {"
    "\n                    name\n                    kind\n                    ofType {\n          "
    "          "
    "  name\n                      kind\n                      ofType {\n                        "
    "name\n      "
    "                  kind\n                      }\n                    }\n                  }\n "
    "          "
    "     }\n              }\n            }\n          }\n        }\n      }\n    }\n  ";

static const char expected_result[] =
    "{\"data\":{\"__schema\":{\"description\":\"The "
    "schema.\",\"queryType\":{\"name\":\"Root\",\"kind\":\"OBJECT\"},\"mutati"
    "onType\":{\"name\":\"Mut\",\"kind\":\"OBJECT\"},\"subscriptionType\":null,\"types\":[{"
    "\"kind\":\"INTERFACE\",\"name\":\""
    "Node\",\"description\":\"An id'd "
    "thing\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":\"id\",\"des"
    "cription\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{"
    "\"name\":\"ID\",\"kind\":\"SCALAR\""
    ",\"ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":null}],\"inputFields\":null,"
    "\"interfaces\":[],"
    "\"enumValues\":null,\"possibleTypes\":[{\"kind\":\"OBJECT\",\"name\":\"User\",\"ofType\":null}"
    ",{\"kind\":\"OBJECT\",\"n"
    "ame\":\"Bot\",\"ofType\":null}]},{\"kind\":\"SCALAR\",\"name\":\"ID\",\"description\":\"The "
    "`ID` scalar type represe"
    "nts a unique identifier, often used to refetch an object or as key for a cache. The ID type "
    "appears "
    "in a JSON response as a String; however, it is not intended to be human-readable. When "
    "expected as a"
    "n input type, any string (such as `\\\"4\\\"`) or integer (such as `4`) input value will be "
    "accepted as "
    "an "
    "ID.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,"
    "\"interfaces\":null,\"enu"
    "mValues\":null,\"possibleTypes\":null},{\"kind\":\"INTERFACE\",\"name\":\"Named\","
    "\"description\":null,\"specified"
    "ByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":\"id\",\"description\":null,\"args\":[],"
    "\"type\":{\"kind\":\"NON_N"
    "ULL\",\"name\":null,\"ofType\":{\"name\":\"ID\",\"kind\":\"SCALAR\",\"ofType\":null}},"
    "\"isDeprecated\":false,\"depreca"
    "tionReason\":null},{\"name\":\"name\",\"description\":null,\"args\":[{\"name\":\"upper\","
    "\"description\":null,\"type"
    "\":{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"ofType\":null},\"defaultValue\":\"false\","
    "\"isDeprecated\":false,\"depr"
    "ecationReason\":null}],\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},"
    "\"isDeprecated\":false,\"d"
    "eprecationReason\":null}],\"inputFields\":null,\"interfaces\":[{\"kind\":\"INTERFACE\","
    "\"name\":\"Node\",\"ofType\""
    ":null}],\"enumValues\":null,\"possibleTypes\":[{\"kind\":\"OBJECT\",\"name\":\"User\","
    "\"ofType\":null}]},{\"kind\":\""
    "SCALAR\",\"name\":\"String\",\"description\":\"The `String` scalar type represents textual "
    "data, represented"
    " as UTF-8 character sequences. The String type is most often used by GraphQL to represent "
    "free-form "
    "human-readable "
    "text.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,"
    "\"interfa"
    "ces\":null,\"enumValues\":null,\"possibleTypes\":null},{\"kind\":\"SCALAR\",\"name\":"
    "\"Boolean\",\"description\":\"T"
    "he `Boolean` scalar type represents `true` or "
    "`false`.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields"
    "\":null,\"inputFields\":null,\"interfaces\":null,\"enumValues\":null,\"possibleTypes\":null},{"
    "\"kind\":\"OBJECT\""
    ",\"name\":\"User\",\"description\":null,\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{"
    "\"name\":\"id\",\"descr"
    "iption\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":"
    "\"ID\",\"kind\":\"SCALAR\",\""
    "ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"name\","
    "\"description\":null,\"arg"
    "s\":[{\"name\":\"upper\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"Boolean\",\"ofType\":null},\"defa"
    "ultValue\":\"false\",\"isDeprecated\":false,\"deprecationReason\":null}],\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"St"
    "ring\",\"ofType\":null},\"isDeprecated\":true,\"deprecationReason\":\"use "
    "nick\"},{\"name\":\"nick\",\"description"
    "\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},"
    "\"isDeprecated\":false,\"deprec"
    "ationReason\":null},{\"name\":\"friends\",\"description\":null,\"args\":[{\"name\":\"first\","
    "\"description\":null,\""
    "type\":{\"kind\":\"SCALAR\",\"name\":\"Int\",\"ofType\":null},\"defaultValue\":\"10\","
    "\"isDeprecated\":false,\"depreca"
    "tionReason\":null},{\"name\":\"order\",\"description\":null,\"type\":{\"kind\":\"ENUM\","
    "\"name\":\"Order\",\"ofType\":n"
    "ull},\"defaultValue\":\"ASC\",\"isDeprecated\":false,\"deprecationReason\":null}],\"type\":{"
    "\"kind\":\"NON_NULL\","
    "\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"LIST\",\"ofType\":{\"name\":null,\"kind\":"
    "\"NON_NULL\",\"ofType\":{\"n"
    "ame\":\"User\",\"kind\":\"OBJECT\",\"ofType\":null}}}},\"isDeprecated\":false,"
    "\"deprecationReason\":null}],\"input"
    "Fields\":null,\"interfaces\":[{\"kind\":\"INTERFACE\",\"name\":\"Node\",\"ofType\":null},{"
    "\"kind\":\"INTERFACE\",\"nam"
    "e\":\"Named\",\"ofType\":null}],\"enumValues\":null,\"possibleTypes\":null},{\"kind\":"
    "\"SCALAR\",\"name\":\"Int\",\"de"
    "scription\":\"The `Int` scalar type represents non-fractional signed whole numeric values. "
    "Int can rep"
    "resent values between -(2^31) and 2^31 - "
    "1.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inp"
    "utFields\":null,\"interfaces\":null,\"enumValues\":null,\"possibleTypes\":null},{\"kind\":"
    "\"OBJECT\",\"name\":\"Bo"
    "t\",\"description\":null,\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":"
    "\"id\",\"description\":null"
    ",\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"ID\","
    "\"kind\":\"SCALAR\",\"ofType\":null"
    "}},\"isDeprecated\":false,\"deprecationReason\":null}],\"inputFields\":null,\"interfaces\":[{"
    "\"kind\":\"INTERFA"
    "CE\",\"name\":\"Node\",\"ofType\":null}],\"enumValues\":null,\"possibleTypes\":null},{"
    "\"kind\":\"UNION\",\"name\":\"Ac"
    "tor\",\"description\":null,\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,"
    "\"inputFields\":null,\"inter"
    "faces\":null,\"enumValues\":null,\"possibleTypes\":[{\"kind\":\"OBJECT\",\"name\":\"User\","
    "\"ofType\":null},{\"kind\""
    ":\"OBJECT\",\"name\":\"Bot\",\"ofType\":null}]},{\"kind\":\"ENUM\",\"name\":\"Order\","
    "\"description\":null,\"specifiedB"
    "yURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,\"interfaces\":null,"
    "\"enumValues\":[{\"name\":\""
    "ASC\",\"description\":\"ascending\",\"isDeprecated\":false,\"deprecationReason\":null},{"
    "\"name\":\"DESC\",\"descri"
    "ption\":null,\"isDeprecated\":true,\"deprecationReason\":\"No longer "
    "supported\"},{\"name\":\"OTHER\",\"descript"
    "ion\":null,\"isDeprecated\":true,\"deprecationReason\":\"never\"}],\"possibleTypes\":null},{"
    "\"kind\":\"INPUT_OBJ"
    "ECT\",\"name\":\"Filter\",\"description\":null,\"specifiedByURL\":null,\"isOneOf\":false,"
    "\"fields\":null,\"inputFi"
    "elds\":[{\"name\":\"q\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"String\",\"ofType\":null},\"defaul"
    "tValue\":\"\\\"x\\\"\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"ids\","
    "\"description\":null,\"typ"
    "e\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"NON_NULL\","
    "\"ofType\":{\"name\":\"ID\",\"kind\":\""
    "SCALAR\",\"ofType\":null}}},\"defaultValue\":\"[1, "
    "\\\"b\\\"]\",\"isDeprecated\":false,\"deprecationReason\":null},"
    "{\"name\":\"order\",\"description\":null,\"type\":{\"kind\":\"ENUM\",\"name\":\"Order\","
    "\"ofType\":null},\"defaultValue"
    "\":\"DESC\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"nested\","
    "\"description\":null,\"type\":{"
    "\"kind\":\"INPUT_OBJECT\",\"name\":\"Filter\",\"ofType\":null},\"defaultValue\":null,"
    "\"isDeprecated\":false,\"depre"
    "cationReason\":null},{\"name\":\"old\",\"description\":null,\"type\":{\"kind\":\"SCALAR\","
    "\"name\":\"Int\",\"ofType\":n"
    "ull},\"defaultValue\":null,\"isDeprecated\":true,\"deprecationReason\":\"No longer "
    "supported\"},{\"name\":\"lim"
    "it\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"Float\",\"ofType\":null},"
    "\"defaultValue\":\"1.5\",\"i"
    "sDeprecated\":false,\"deprecationReason\":null}],\"interfaces\":null,\"enumValues\":null,"
    "\"possibleTypes\":nu"
    "ll},{\"kind\":\"SCALAR\",\"name\":\"Float\",\"description\":\"The `Float` scalar type "
    "represents signed double-"
    "precision fractional values as specified by [IEEE "
    "754](https://en.wikipedia.org/wiki/IEEE_floating_p"
    "oint).\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,"
    "\"interfaces\":null,\"enu"
    "mValues\":null,\"possibleTypes\":null},{\"kind\":\"INPUT_OBJECT\",\"name\":\"Pick\","
    "\"description\":null,\"specifi"
    "edByURL\":null,\"isOneOf\":true,\"fields\":null,\"inputFields\":[{\"name\":\"a\","
    "\"description\":null,\"type\":{\"ki"
    "nd\":\"SCALAR\",\"name\":\"Int\",\"ofType\":null},\"defaultValue\":null,\"isDeprecated\":"
    "false,\"deprecationReason"
    "\":null},{\"name\":\"b\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"String\",\"ofType\":null},\"defau"
    "ltValue\":null,\"isDeprecated\":false,\"deprecationReason\":null}],\"interfaces\":null,"
    "\"enumValues\":null,\"p"
    "ossibleTypes\":null},{\"kind\":\"SCALAR\",\"name\":\"Date\",\"description\":null,"
    "\"specifiedByURL\":\"https://tool"
    "s.ietf.org/html/"
    "rfc3339\",\"isOneOf\":null,\"fields\":null,\"inputFields\":null,\"interfaces\":null,\"enumValu"
    "es\":null,\"possibleTypes\":null},{\"kind\":\"OBJECT\",\"name\":\"Root\",\"description\":null,"
    "\"specifiedByURL\":nu"
    "ll,\"isOneOf\":null,\"fields\":[{\"name\":\"node\",\"description\":null,\"args\":[{\"name\":"
    "\"id\",\"description\":nul"
    "l,\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"ID\",\"kind\":"
    "\"SCALAR\",\"ofType\":null}},\"defau"
    "ltValue\":null,\"isDeprecated\":false,\"deprecationReason\":null}],\"type\":{\"kind\":"
    "\"INTERFACE\",\"name\":\"Nod"
    "e\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"actors\","
    "\"description\":null"
    ",\"args\":[{\"name\":\"filter\",\"description\":null,\"type\":{\"kind\":\"INPUT_OBJECT\","
    "\"name\":\"Filter\",\"ofType\":"
    "null},\"defaultValue\":\"{q: \\\"y\\\", ids: [1, \\\"b\\\"], order: DESC, limit: "
    "1.5}\",\"isDeprecated\":false,\"de"
    "precationReason\":null},{\"name\":\"pick\",\"description\":null,\"type\":{\"kind\":\"INPUT_"
    "OBJECT\",\"name\":\"Pick\""
    ",\"ofType\":null},\"defaultValue\":null,\"isDeprecated\":false,\"deprecationReason\":null}],"
    "\"type\":{\"kind\":\""
    "LIST\",\"name\":null,\"ofType\":{\"name\":\"Actor\",\"kind\":\"UNION\",\"ofType\":null}},"
    "\"isDeprecated\":false,\"depr"
    "ecationReason\":null},{\"name\":\"today\",\"description\":null,\"args\":[],\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"Da"
    "te\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"legacy\","
    "\"description\":nul"
    "l,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"Int\",\"ofType\":null},"
    "\"isDeprecated\":true,\"deprecationReas"
    "on\":\"No longer "
    "supported\"}],\"inputFields\":null,\"interfaces\":[],\"enumValues\":null,\"possibleTypes\":nul"
    "l},{\"kind\":\"OBJECT\",\"name\":\"Mut\",\"description\":null,\"specifiedByURL\":null,"
    "\"isOneOf\":null,\"fields\":[{"
    "\"name\":\"touch\",\"description\":null,\"args\":[{\"name\":\"id\",\"description\":null,"
    "\"type\":{\"kind\":\"NON_NULL\","
    "\"name\":null,\"ofType\":{\"name\":\"ID\",\"kind\":\"SCALAR\",\"ofType\":null}},"
    "\"defaultValue\":null,\"isDeprecated\""
    ":false,\"deprecationReason\":null},{\"name\":\"at\",\"description\":null,\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"Dat"
    "e\",\"ofType\":null},\"defaultValue\":null,\"isDeprecated\":false,\"deprecationReason\":null}]"
    ",\"type\":{\"kind\""
    ":\"OBJECT\",\"name\":\"User\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":"
    "null}],\"inputFields\""
    ":null,\"interfaces\":[],\"enumValues\":null,\"possibleTypes\":null},{\"kind\":\"OBJECT\","
    "\"name\":\"__Schema\",\"de"
    "scription\":\"A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all "
    "available "
    "types and directives on the server, as well as the entry points for query, mutation, and "
    "subscriptio"
    "n "
    "operations.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":\"description\","
    "\"description\":nu"
    "ll,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},"
    "\"isDeprecated\":false,\"deprecatio"
    "nReason\":null},{\"name\":\"types\",\"description\":\"A list of all types supported by this "
    "server.\",\"args\":"
    "[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"LIST\","
    "\"ofType\":{\"name\":null,\""
    "kind\":\"NON_NULL\",\"ofType\":{\"name\":\"__Type\",\"kind\":\"OBJECT\",\"ofType\":null}}}},"
    "\"isDeprecated\":false,\"d"
    "eprecationReason\":null},{\"name\":\"queryType\",\"description\":\"The type that query "
    "operations will be ro"
    "oted "
    "at.\",\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"__"
    "Type\",\"kind\":\"OBJECT\","
    "\"ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":"
    "\"mutationType\",\"description\":"
    "\"If this server supports mutation, the type that mutation operations will be rooted "
    "at.\",\"args\":[],\""
    "type\":{\"kind\":\"OBJECT\",\"name\":\"__Type\",\"ofType\":null},\"isDeprecated\":false,"
    "\"deprecationReason\":null}"
    ",{\"name\":\"subscriptionType\",\"description\":\"If this server support subscription, the "
    "type that subscr"
    "iption operations will be rooted "
    "at.\",\"args\":[],\"type\":{\"kind\":\"OBJECT\",\"name\":\"__Type\",\"ofType\":nul"
    "l},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"directives\","
    "\"description\":\"A list of all "
    "directives supported by this "
    "server.\",\"args\":[{\"name\":\"includeDeprecated\",\"description\":null,\"type\":"
    "{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"Boolean\",\"kind\":\"SCALAR\","
    "\"ofType\":null}},\"defaultVa"
    "lue\":\"false\",\"isDeprecated\":false,\"deprecationReason\":null}],\"type\":{\"kind\":\"NON_"
    "NULL\",\"name\":null,\""
    "ofType\":{\"name\":null,\"kind\":\"LIST\",\"ofType\":{\"name\":null,\"kind\":\"NON_NULL\","
    "\"ofType\":{\"name\":\"__Direc"
    "tive\",\"kind\":\"OBJECT\",\"ofType\":null}}}},\"isDeprecated\":false,\"deprecationReason\":"
    "null}],\"inputFields"
    "\":null,\"interfaces\":[],\"enumValues\":null,\"possibleTypes\":null},{\"kind\":\"OBJECT\","
    "\"name\":\"__Type\",\"des"
    "cription\":\"The fundamental unit of any GraphQL Schema is the type. There are many kinds of "
    "types in "
    "GraphQL as represented by the `__TypeKind` enum.\\n\\nDepending on the kind of a type, "
    "certain fields "
    "describe information about that type. Scalar types provide no information beyond a name, "
    "description"
    " and optional `specifiedByURL`, while Enum types provide their values. Object and Interface "
    "types pr"
    "ovide the fields they describe. Abstract types, Union and Interface, provide the Object types "
    "possib"
    "le at runtime. List and NonNull types compose other "
    "types.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fi"
    "elds\":[{\"name\":\"kind\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\","
    "\"name\":null,\"ofType\":{\""
    "name\":\"__TypeKind\",\"kind\":\"ENUM\",\"ofType\":null}},\"isDeprecated\":false,"
    "\"deprecationReason\":null},{\"na"
    "me\":\"name\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"String\",\"ofType\":null},\"isDe"
    "precated\":false,\"deprecationReason\":null},{\"name\":\"description\",\"description\":null,"
    "\"args\":[],\"type\":"
    "{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,"
    "\"deprecationReason\":null},{\"nam"
    "e\":\"specifiedByURL\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\","
    "\"name\":\"String\",\"ofType\":nu"
    "ll},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"fields\",\"description\":"
    "null,\"args\":[{\"nam"
    "e\":\"includeDeprecated\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"Boolean\",\"ofType\":null},\"d"
    "efaultValue\":\"false\",\"isDeprecated\":false,\"deprecationReason\":null}],\"type\":{"
    "\"kind\":\"LIST\",\"name\":nu"
    "ll,\"ofType\":{\"name\":null,\"kind\":\"NON_NULL\",\"ofType\":{\"name\":\"__Field\",\"kind\":"
    "\"OBJECT\",\"ofType\":null}"
    "}},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"interfaces\","
    "\"description\":null,\"args\":[],"
    "\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"NON_NULL\","
    "\"ofType\":{\"name\":\"__Type\","
    "\"kind\":\"OBJECT\",\"ofType\":null}}},\"isDeprecated\":false,\"deprecationReason\":null},{"
    "\"name\":\"possibleTyp"
    "es\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{"
    "\"name\":null,\"kind\":\"NON"
    "_NULL\",\"ofType\":{\"name\":\"__Type\",\"kind\":\"OBJECT\",\"ofType\":null}}},"
    "\"isDeprecated\":false,\"deprecationR"
    "eason\":null},{\"name\":\"enumValues\",\"description\":null,\"args\":[{\"name\":"
    "\"includeDeprecated\",\"descriptio"
    "n\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"ofType\":null},\"defaultValue\":"
    "\"false\",\"isDeprecated"
    "\":false,\"deprecationReason\":null}],\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{"
    "\"name\":null,\"kind\":\"N"
    "ON_NULL\",\"ofType\":{\"name\":\"__EnumValue\",\"kind\":\"OBJECT\",\"ofType\":null}}},"
    "\"isDeprecated\":false,\"depre"
    "cationReason\":null},{\"name\":\"inputFields\",\"description\":null,\"args\":[{\"name\":"
    "\"includeDeprecated\",\"de"
    "scription\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"ofType\":null},"
    "\"defaultValue\":\"false\",\"isDe"
    "precated\":false,\"deprecationReason\":null}],\"type\":{\"kind\":\"LIST\",\"name\":null,"
    "\"ofType\":{\"name\":null,\""
    "kind\":\"NON_NULL\",\"ofType\":{\"name\":\"__InputValue\",\"kind\":\"OBJECT\",\"ofType\":null}"
    "}},\"isDeprecated\":fal"
    "se,\"deprecationReason\":null},{\"name\":\"ofType\",\"description\":null,\"args\":[],\"type\":"
    "{\"kind\":\"OBJECT\",\""
    "name\":\"__Type\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null},{"
    "\"name\":\"isOneOf\",\"desc"
    "ription\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"ofType\":null}"
    ",\"isDeprecated\":false"
    ",\"deprecationReason\":null}],\"inputFields\":null,\"interfaces\":[],\"enumValues\":null,"
    "\"possibleTypes\":nul"
    "l},{\"kind\":\"ENUM\",\"name\":\"__TypeKind\",\"description\":\"An enum describing what kind "
    "of type a given `_"
    "_Type` "
    "is.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,"
    "\"interfaces\":null,"
    "\"enumValues\":[{\"name\":\"SCALAR\",\"description\":\"Indicates this type is a "
    "scalar.\",\"isDeprecated\":false"
    ",\"deprecationReason\":null},{\"name\":\"OBJECT\",\"description\":\"Indicates this type is an "
    "object. `fields"
    "` and `interfaces` are valid "
    "fields.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"INTERF"
    "ACE\",\"description\":\"Indicates this type is an interface. `fields`, `interfaces`, and "
    "`possibleTypes`"
    " are valid "
    "fields.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"UNION\","
    "\"description\":\"In"
    "dicates this type is a union. `possibleTypes` is a valid "
    "field.\",\"isDeprecated\":false,\"deprecationRe"
    "ason\":null},{\"name\":\"ENUM\",\"description\":\"Indicates this type is an enum. "
    "`enumValues` is a valid fi"
    "eld.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"INPUT_OBJECT\","
    "\"description\":\"Indicates"
    " this type is an input object. `inputFields` is a valid "
    "field.\",\"isDeprecated\":false,\"deprecationRea"
    "son\":null},{\"name\":\"LIST\",\"description\":\"Indicates this type is a list. `ofType` is a "
    "valid field.\","
    "\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"NON_NULL\",\"description\":"
    "\"Indicates this type"
    " is a non-null. `ofType` is a valid "
    "field.\",\"isDeprecated\":false,\"deprecationReason\":null}],\"possibl"
    "eTypes\":null},{\"kind\":\"OBJECT\",\"name\":\"__Field\",\"description\":\"Object and "
    "Interface types are descri"
    "bed by a list of Fields, each of which has a name, potentially a list of arguments, and a "
    "return typ"
    "e.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":\"name\",\"description\":"
    "null,\"args\":[],\"type"
    "\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"String\",\"kind\":\"SCALAR\","
    "\"ofType\":null}},\"isDeprec"
    "ated\":false,\"deprecationReason\":null},{\"name\":\"description\",\"description\":null,"
    "\"args\":[],\"type\":{\"ki"
    "nd\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,"
    "\"deprecationReason\":null},{\"name\":\""
    "args\",\"description\":null,\"args\":[{\"name\":\"includeDeprecated\",\"description\":null,"
    "\"type\":{\"kind\":\"SCAL"
    "AR\",\"name\":\"Boolean\",\"ofType\":null},\"defaultValue\":\"false\",\"isDeprecated\":false,"
    "\"deprecationReason\":"
    "null}],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":"
    "\"LIST\",\"ofType\":{\"name\":nu"
    "ll,\"kind\":\"NON_NULL\",\"ofType\":{\"name\":\"__InputValue\",\"kind\":\"OBJECT\",\"ofType\":"
    "null}}}},\"isDeprecated"
    "\":false,\"deprecationReason\":null},{\"name\":\"type\",\"description\":null,\"args\":[],"
    "\"type\":{\"kind\":\"NON_NU"
    "LL\",\"name\":null,\"ofType\":{\"name\":\"__Type\",\"kind\":\"OBJECT\",\"ofType\":null}},"
    "\"isDeprecated\":false,\"depr"
    "ecationReason\":null},{\"name\":\"isDeprecated\",\"description\":null,\"args\":[],\"type\":{"
    "\"kind\":\"NON_NULL\",\""
    "name\":null,\"ofType\":{\"name\":\"Boolean\",\"kind\":\"SCALAR\",\"ofType\":null}},"
    "\"isDeprecated\":false,\"deprecat"
    "ionReason\":null},{\"name\":\"deprecationReason\",\"description\":null,\"args\":[],\"type\":{"
    "\"kind\":\"SCALAR\",\"n"
    "ame\":\"String\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null}],"
    "\"inputFields\":null,\"int"
    "erfaces\":[],\"enumValues\":null,\"possibleTypes\":null},{\"kind\":\"OBJECT\",\"name\":\"__"
    "InputValue\",\"descript"
    "ion\":\"Arguments provided to Fields or Directives and the input fields of an InputObject are "
    "represen"
    "ted as Input Values which describe their type and optionally a default "
    "value.\",\"specifiedByURL\":null"
    ",\"isOneOf\":null,\"fields\":[{\"name\":\"name\",\"description\":null,\"args\":[],\"type\":{"
    "\"kind\":\"NON_NULL\",\"nam"
    "e\":null,\"ofType\":{\"name\":\"String\",\"kind\":\"SCALAR\",\"ofType\":null}},"
    "\"isDeprecated\":false,\"deprecationR"
    "eason\":null},{\"name\":\"description\",\"description\":null,\"args\":[],\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"Stri"
    "ng\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"type\","
    "\"description\":null,"
    "\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"__Type\","
    "\"kind\":\"OBJECT\",\"ofType\":n"
    "ull}},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"defaultValue\","
    "\"description\":\"A GraphQL"
    "-formatted string representing the default value for this input "
    "value.\",\"args\":[],\"type\":{\"kind\":\"SC"
    "ALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null}"
    ",{\"name\":\"isDepre"
    "cated\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,"
    "\"ofType\":{\"name\":\"Boolean\""
    ",\"kind\":\"SCALAR\",\"ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":null},{"
    "\"name\":\"deprecation"
    "Reason\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\","
    "\"ofType\":null},\"isDepre"
    "cated\":false,\"deprecationReason\":null}],\"inputFields\":null,\"interfaces\":[],"
    "\"enumValues\":null,\"possib"
    "leTypes\":null},{\"kind\":\"OBJECT\",\"name\":\"__EnumValue\",\"description\":\"One possible "
    "value for a given E"
    "num. Enum values are unique values, not a placeholder for a string or numeric value. However "
    "an Enum"
    " value is returned in a JSON response as a "
    "string.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{"
    "\"name\":\"name\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":"
    "null,\"ofType\":{\"name\":\"S"
    "tring\",\"kind\":\"SCALAR\",\"ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":"
    "null},{\"name\":\"descr"
    "iption\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\","
    "\"ofType\":null},\"isDepre"
    "cated\":false,\"deprecationReason\":null},{\"name\":\"isDeprecated\",\"description\":null,"
    "\"args\":[],\"type\":{\""
    "kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"Boolean\",\"kind\":\"SCALAR\","
    "\"ofType\":null}},\"isDeprecate"
    "d\":false,\"deprecationReason\":null},{\"name\":\"deprecationReason\",\"description\":null,"
    "\"args\":[],\"type\":{"
    "\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,"
    "\"deprecationReason\":null}],\"inpu"
    "tFields\":null,\"interfaces\":[],\"enumValues\":null,\"possibleTypes\":null},{\"kind\":"
    "\"OBJECT\",\"name\":\"__Dir"
    "ective\",\"description\":\"A Directive provides a way to describe alternate runtime execution "
    "and type v"
    "alidation behavior in a GraphQL document.\\n\\nIn some cases, you need to provide options to "
    "alter Gra"
    "phQL's execution behavior in ways field arguments will not suffice, such as conditionally "
    "including "
    "or skipping a field. Directives provide this by describing additional information to the "
    "executor.\","
    "\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":[{\"name\":\"name\",\"description\":null,"
    "\"args\":[],\"type\":{\""
    "kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"String\",\"kind\":\"SCALAR\","
    "\"ofType\":null}},\"isDeprecated"
    "\":false,\"deprecationReason\":null},{\"name\":\"description\",\"description\":null,\"args\":["
    "],\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":"
    "null},{\"name\":\"isRe"
    "peatable\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,"
    "\"ofType\":{\"name\":\"Boole"
    "an\",\"kind\":\"SCALAR\",\"ofType\":null}},\"isDeprecated\":false,\"deprecationReason\":null},"
    "{\"name\":\"location"
    "s\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":"
    "{\"name\":null,\"kind\":\""
    "LIST\",\"ofType\":{\"name\":null,\"kind\":\"NON_NULL\",\"ofType\":{\"name\":\"__"
    "DirectiveLocation\",\"kind\":\"ENUM\",\""
    "ofType\":null}}}},\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"args\","
    "\"description\":null,\"a"
    "rgs\":[{\"name\":\"includeDeprecated\",\"description\":null,\"type\":{\"kind\":\"SCALAR\","
    "\"name\":\"Boolean\",\"ofTyp"
    "e\":null},\"defaultValue\":\"false\",\"isDeprecated\":false,\"deprecationReason\":null}],"
    "\"type\":{\"kind\":\"NON_"
    "NULL\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"LIST\",\"ofType\":{\"name\":null,"
    "\"kind\":\"NON_NULL\",\"ofTyp"
    "e\":{\"name\":\"__InputValue\",\"kind\":\"OBJECT\",\"ofType\":null}}}},\"isDeprecated\":false,"
    "\"deprecationReason\""
    ":null},{\"name\":\"isDeprecated\",\"description\":null,\"args\":[],\"type\":{\"kind\":\"NON_"
    "NULL\",\"name\":null,\"of"
    "Type\":{\"name\":\"Boolean\",\"kind\":\"SCALAR\",\"ofType\":null}},\"isDeprecated\":false,"
    "\"deprecationReason\":nul"
    "l},{\"name\":\"deprecationReason\",\"description\":null,\"args\":[],\"type\":{\"kind\":"
    "\"SCALAR\",\"name\":\"String\","
    "\"ofType\":null},\"isDeprecated\":false,\"deprecationReason\":null}],\"inputFields\":null,"
    "\"interfaces\":[],\"e"
    "numValues\":null,\"possibleTypes\":null},{\"kind\":\"ENUM\",\"name\":\"__DirectiveLocation\","
    "\"description\":\"A D"
    "irective can be adjacent to many parts of the GraphQL language, a __DirectiveLocation "
    "describes one "
    "such possible "
    "adjacencies.\",\"specifiedByURL\":null,\"isOneOf\":null,\"fields\":null,\"inputFields\":null,"
    "\"i"
    "nterfaces\":null,\"enumValues\":[{\"name\":\"QUERY\",\"description\":\"Location adjacent to a "
    "query operation."
    "\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"MUTATION\",\"description\":"
    "\"Location adjacent"
    " to a mutation "
    "operation.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"SUBSCRIPTION\","
    "\"de"
    "scription\":\"Location adjacent to a subscription "
    "operation.\",\"isDeprecated\":false,\"deprecationReason\""
    ":null},{\"name\":\"FIELD\",\"description\":\"Location adjacent to a "
    "field.\",\"isDeprecated\":false,\"deprecati"
    "onReason\":null},{\"name\":\"FRAGMENT_DEFINITION\",\"description\":\"Location adjacent to a "
    "fragment definit"
    "ion.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"FRAGMENT_SPREAD\","
    "\"description\":\"Locati"
    "on adjacent to a fragment "
    "spread.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"INLINE_FR"
    "AGMENT\",\"description\":\"Location adjacent to an inline "
    "fragment.\",\"isDeprecated\":false,\"deprecationRe"
    "ason\":null},{\"name\":\"VARIABLE_DEFINITION\",\"description\":\"Location adjacent to a "
    "variable definition."
    "\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"SCHEMA\",\"description\":"
    "\"Location adjacent t"
    "o a schema "
    "definition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"SCALAR\","
    "\"description"
    "\":\"Location adjacent to a scalar "
    "definition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\""
    ":\"OBJECT\",\"description\":\"Location adjacent to an object type "
    "definition.\",\"isDeprecated\":false,\"depr"
    "ecationReason\":null},{\"name\":\"FIELD_DEFINITION\",\"description\":\"Location adjacent to a "
    "field definiti"
    "on.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"ARGUMENT_DEFINITION\","
    "\"description\":\"Loc"
    "ation adjacent to an argument "
    "definition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"I"
    "NTERFACE\",\"description\":\"Location adjacent to an interface "
    "definition.\",\"isDeprecated\":false,\"deprec"
    "ationReason\":null},{\"name\":\"UNION\",\"description\":\"Location adjacent to a union "
    "definition.\",\"isDepre"
    "cated\":false,\"deprecationReason\":null},{\"name\":\"ENUM\",\"description\":\"Location "
    "adjacent to an enum de"
    "finition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"ENUM_VALUE\","
    "\"description\":\"Locati"
    "on adjacent to an enum value "
    "definition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"IN"
    "PUT_OBJECT\",\"description\":\"Location adjacent to an input object type "
    "definition.\",\"isDeprecated\":fal"
    "se,\"deprecationReason\":null},{\"name\":\"INPUT_FIELD_DEFINITION\",\"description\":"
    "\"Location adjacent to an"
    " input object field "
    "definition.\",\"isDeprecated\":false,\"deprecationReason\":null},{\"name\":\"DIRECTIVE_D"
    "EFINITION\",\"description\":\"Location adjacent to a directive "
    "definition.\",\"isDeprecated\":false,\"deprec"
    "ationReason\":null}],\"possibleTypes\":null}],\"directives\":[{\"name\":\"tag\","
    "\"description\":\"Marks things\","
    "\"isRepeatable\":true,\"locations\":[\"OBJECT\",\"FIELD_DEFINITION\"],\"args\":[{\"name\":"
    "\"name\",\"description\":\""
    "the "
    "name\",\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"String\",\"kind\":"
    "\"SCALAR\",\"ofType\":n"
    "ull}},\"defaultValue\":\"\\\"t\\\"\",\"isDeprecated\":false,\"deprecationReason\":null},{"
    "\"name\":\"list\",\"descript"
    "ion\":null,\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{\"name\":null,\"kind\":\"NON_"
    "NULL\",\"ofType\":{\"name\""
    ":\"Int\",\"kind\":\"SCALAR\",\"ofType\":null}}},\"defaultValue\":\"[1, "
    "2]\",\"isDeprecated\":false,\"deprecationRea"
    "son\":null},{\"name\":\"old\",\"description\":null,\"type\":{\"kind\":\"SCALAR\",\"name\":"
    "\"Int\",\"ofType\":null},\"def"
    "aultValue\":null,\"isDeprecated\":true,\"deprecationReason\":\"no\"}]},{\"name\":\"include\","
    "\"description\":\"Dir"
    "ects the executor to include this field or fragment only when the `if` argument is "
    "true.\",\"isRepeata"
    "ble\":false,\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"],\"args\":[{"
    "\"name\":\"if\",\"descripti"
    "on\":\"Included when "
    "true.\",\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"Boolean\","
    "\"kind\":\"S"
    "CALAR\",\"ofType\":null}},\"defaultValue\":null,\"isDeprecated\":false,\"deprecationReason\":"
    "null}]},{\"name\":"
    "\"skip\",\"description\":\"Directs the executor to skip this field or fragment when the `if` "
    "argument is "
    "true.\",\"isRepeatable\":false,\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_"
    "FRAGMENT\"],\"args\":[{\"name"
    "\":\"if\",\"description\":\"Skipped when "
    "true.\",\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"name\":\"Bo"
    "olean\",\"kind\":\"SCALAR\",\"ofType\":null}},\"defaultValue\":null,\"isDeprecated\":false,"
    "\"deprecationReason\":"
    "null}]},{\"name\":\"deprecated\",\"description\":\"Marks an element of a GraphQL schema as no "
    "longer suppor"
    "ted.\",\"isRepeatable\":false,\"locations\":[\"FIELD_DEFINITION\",\"ARGUMENT_DEFINITION\","
    "\"INPUT_FIELD_DEFINI"
    "TION\",\"ENUM_VALUE\",\"DIRECTIVE_DEFINITION\"],\"args\":[{\"name\":\"reason\","
    "\"description\":\"Explains why this"
    " element was deprecated, usually also including a suggestion for how to access supported "
    "similar dat"
    "a. Formatted using the Markdown syntax, as specified by "
    "[CommonMark](https://commonmark.org/).\",\"typ"
    "e\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"defaultValue\":\"\\\"No "
    "longer supported\\\"\",\"isDepre"
    "cated\":false,\"deprecationReason\":null}]},{\"name\":\"specifiedBy\",\"description\":"
    "\"Exposes a URL that spe"
    "cifies the behavior of this "
    "scalar.\",\"isRepeatable\":false,\"locations\":[\"SCALAR\"],\"args\":[{\"name\":\"ur"
    "l\",\"description\":\"The URL that specifies the behavior of this "
    "scalar.\",\"type\":{\"kind\":\"NON_NULL\",\"na"
    "me\":null,\"ofType\":{\"name\":\"String\",\"kind\":\"SCALAR\",\"ofType\":null}},"
    "\"defaultValue\":null,\"isDeprecated"
    "\":false,\"deprecationReason\":null}]},{\"name\":\"oneOf\",\"description\":\"Indicates "
    "exactly one field must "
    "be supplied and this field must not be "
    "`null`.\",\"isRepeatable\":false,\"locations\":[\"INPUT_OBJECT\"],\"a"
    "rgs\":[]}]}}}";

static const char small_query[] = "{ __type(name: \"User\") { name kind fields(includeDeprecated: "
                                  "true) { name isDeprecated deprecationRe"
                                  "ason args { name defaultValue } } } t2: __type(name: \"Nope\") "
                                  "{ name } a: __type(name: \"Float\") { nam"
                                  "e } __schema { queryType { name } mutationType { name } "
                                  "subscriptionType { name } description } }";

static const char small_expected[] =
    "{\"data\":{\"__type\":{\"name\":\"User\",\"kind\":\"OBJECT\",\"fields\":[{\"name\":\"id\","
    "\"isDeprecated\":false,\"deprec"
    "ationReason\":null,\"args\":[]},{\"name\":\"name\",\"isDeprecated\":true,"
    "\"deprecationReason\":\"use nick\",\"args"
    "\":[{\"name\":\"upper\",\"defaultValue\":\"false\"}]},{\"name\":\"nick\",\"isDeprecated\":"
    "false,\"deprecationReason\""
    ":null,\"args\":[]},{\"name\":\"friends\",\"isDeprecated\":false,\"deprecationReason\":null,"
    "\"args\":[{\"name\":\"fi"
    "rst\",\"defaultValue\":\"10\"},{\"name\":\"order\",\"defaultValue\":\"ASC\"}]}]},\"t2\":null,"
    "\"a\":{\"name\":\"Float\"},\""
    "__schema\":{\"queryType\":{\"name\":\"Root\"},\"mutationType\":{\"name\":\"Mut\"},"
    "\"subscriptionType\":null,\"descri"
    "ption\":\"The schema.\"}}}";

static mm_gql_schema *schema;
static mm_arena arena;

static int setup(void **state) {
    (void)state;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"rich", rich_sdl, strlen(rich_sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    if (!schema) fail_msg("build failed: %s", errors.head ? errors.head->message : "?");
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    mm_arena_reset(&arena);
    return 0;
}

/* The compact response text of query on s, or NULL when it did not execute
 * (callable from any thread: asserts nothing). */
static char *response_text(mm_gql_schema *s, const char *query) {
    mm_graphql_request_params params = {0};
    params.query = query;
    params.query_length = strlen(query);
    params.allow_mutation = false;
    mm_graphql_outcome outcome;
    json_t *response = mm_graphql_execute_request(s, NULL, &params, &outcome);
    char *text =
        response && outcome == MM_GRAPHQL_EXECUTED ? json_dumps(response, JSON_COMPACT) : NULL;
    json_decref(response);
    return text;
}

static void run_and_compare(const char *query, const char *expected) {
    char *got = response_text(schema, query);
    assert_non_null(got);
    json_t *want = json_loads(expected, 0, NULL);
    assert_non_null(want);
    char *want_text = json_dumps(want, JSON_COMPACT);
    if (strcmp(got, want_text) != 0) {
        /* find the first difference to make the failure readable */
        size_t i = 0;
        while (got[i] && got[i] == want_text[i]) i++;
        size_t from = i > 120 ? i - 120 : 0;
        fail_msg("introspection differs at byte %zu:\n  got  ...%.240s\n  want ...%.240s", i,
                 got + from, want_text + from);
    }
    free(got);
    free(want_text);
    json_decref(want);
}

static void test_full_introspection_query(void **state) {
    (void)state;
    run_and_compare(introspection_query, expected_result);
}

static void test_type_and_schema_fields(void **state) {
    (void)state;
    run_and_compare(small_query, small_expected);
}

static void test_meta_objects(void **state) {
    (void)state;
    mm_gql_type *user = mm_gql_schema_find_type(schema, "User");
    json_t *wrapped = mm_gql_introspection_wrap(user);
    assert_ptr_equal(mm_gql_introspection_unwrap(wrapped), user);
    assert_true(json_is_integer(json_object_get(wrapped, MM_GQL_INTROSPECTION_KEY)));
    json_t *plain = json_pack("{s:s}", "name", "User");
    assert_null(mm_gql_introspection_unwrap(plain));
    assert_null(mm_gql_introspection_wrap(NULL));

    /* __Type.name and __Type.fields called directly */
    mm_gql_type *type_type = mm_gql_schema_find_type(schema, "__Type");
    mm_gql_field *name = mm_gql_type_find_field(type_type, "name");
    assert_non_null(name->resolve);
    json_t *v = name->resolve(name->resolve_ud, wrapped, NULL, NULL);
    assert_string_equal(json_string_value(v), "User");
    json_decref(v);
    assert_null(name->resolve(name->resolve_ud, plain, NULL, NULL)); /* not a meta-object */

    mm_gql_field *fields = mm_gql_type_find_field(type_type, "fields");
    json_t *args = json_pack("{s:b}", "includeDeprecated", 0);
    v = fields->resolve(fields->resolve_ud, wrapped, args, NULL);
    assert_int_equal(json_array_size(v), 3); /* name is deprecated */
    const mm_gql_field *first = mm_gql_introspection_unwrap(json_array_get(v, 0));
    assert_string_equal(first->name, "id");
    json_decref(v);
    json_object_set_new(args, "includeDeprecated", json_true());
    v = fields->resolve(fields->resolve_ud, wrapped, args, NULL);
    assert_int_equal(json_array_size(v), 4);
    json_decref(v);

    /* wrappers: __Type.kind of [User!]! and its ofType chain */
    mm_gql_type *list =
        mm_gql_non_null_of(schema, mm_gql_list_of(schema, mm_gql_non_null_of(schema, user)));
    json_t *wl = mm_gql_introspection_wrap(list);
    mm_gql_field *kind = mm_gql_type_find_field(type_type, "kind");
    v = kind->resolve(kind->resolve_ud, wl, NULL, NULL);
    assert_string_equal(json_string_value(v), "NON_NULL");
    json_decref(v);
    v = name->resolve(name->resolve_ud, wl, NULL, NULL);
    assert_null(v);
    mm_gql_field *of_type = mm_gql_type_find_field(type_type, "ofType");
    v = of_type->resolve(of_type->resolve_ud, wl, NULL, NULL);
    assert_ptr_equal(mm_gql_introspection_unwrap(v), list->of_type);
    json_decref(v);

    /* the implicit root fields */
    const mm_gql_field *type_field = mm_gql_introspection_type_field(schema);
    json_t *targs = json_pack("{s:s}", "name", "Order");
    v = type_field->resolve(type_field->resolve_ud, NULL, targs, NULL);
    assert_ptr_equal(mm_gql_introspection_unwrap(v), mm_gql_schema_find_type(schema, "Order"));
    json_decref(v);
    json_object_set_new(targs, "name", json_string("Missing"));
    assert_null(type_field->resolve(type_field->resolve_ud, NULL, targs, NULL));
    const mm_gql_field *schema_field = mm_gql_introspection_schema_field(schema);
    v = schema_field->resolve(schema_field->resolve_ud, NULL, NULL, NULL);
    assert_ptr_equal(mm_gql_introspection_unwrap(v), schema);
    json_decref(v);
    assert_null(mm_gql_introspection_typename_field(schema)->resolve);

    json_decref(targs);
    json_decref(wl);
    json_decref(args);
    json_decref(plain);
    json_decref(wrapped);
}

static json_t *resolve(const char *type_name, const char *field_name, json_t *parent,
                       json_t *args) {
    mm_gql_field *f =
        mm_gql_type_find_field(mm_gql_schema_find_type(schema, type_name), field_name);
    assert_non_null(f);
    return f->resolve(f->resolve_ud, parent, args, NULL);
}

/* Answers are built once per schema and handed out as new references to the
 * same immutable values: asking twice gives the same json_t, a list holds
 * the very wrappers other meta-fields return, and equal kinds share one
 * string. */
static void test_answers_are_shared(void **state) {
    (void)state;
    const mm_gql_field *type_field = mm_gql_introspection_type_field(schema);
    json_t *targs = json_pack("{s:s}", "name", "User");
    json_t *user = type_field->resolve(type_field->resolve_ud, NULL, targs, NULL);
    json_t *again = type_field->resolve(type_field->resolve_ud, NULL, targs, NULL);
    assert_non_null(user);
    assert_ptr_equal(user, again);
    json_decref(again);

    json_t *name = resolve("__Type", "name", user, NULL);
    again = resolve("__Type", "name", user, NULL);
    assert_string_equal(json_string_value(name), "User");
    assert_ptr_equal(name, again);
    json_decref(again);
    json_decref(name);

    /* a wrapped-by-hand parent gets the same answers as the cached wrapper */
    json_t *by_hand = mm_gql_introspection_wrap(mm_gql_schema_find_type(schema, "User"));
    name = resolve("__Type", "name", by_hand, NULL);
    again = resolve("__Type", "name", user, NULL);
    assert_ptr_equal(name, again);
    json_decref(again);
    json_decref(name);
    json_decref(by_hand);

    json_t *all = json_pack("{s:b}", "includeDeprecated", 1);
    json_t *current = json_pack("{s:b}", "includeDeprecated", 0);
    json_t *fields = resolve("__Type", "fields", user, all);
    again = resolve("__Type", "fields", user, all);
    assert_ptr_equal(fields, again);
    json_decref(again);
    json_t *fields_current = resolve("__Type", "fields", user, current);
    assert_int_equal(json_array_size(fields), 4);
    assert_int_equal(json_array_size(fields_current), 3); /* name is deprecated */
    /* the list holds the same __Field wrappers */
    assert_ptr_equal(json_array_get(fields, 0), json_array_get(fields_current, 0));

    /* User.id: ID! -- __Field.type is the wrapper __Type.ofType returns for
     * every NON_NULL(ID), e.g. Bot.id's */
    json_t *id_type = resolve("__Field", "type", json_array_get(fields, 0), NULL);
    json_t *bot_args = json_pack("{s:s}", "name", "Bot");
    json_t *bot = type_field->resolve(type_field->resolve_ud, NULL, bot_args, NULL);
    json_t *bot_fields = resolve("__Type", "fields", bot, current);
    json_t *bot_id_type = resolve("__Field", "type", json_array_get(bot_fields, 0), NULL);
    assert_ptr_equal(id_type, bot_id_type);
    json_t *kind_user = resolve("__Type", "kind", user, NULL);
    json_t *kind_bot = resolve("__Type", "kind", bot, NULL);
    assert_string_equal(json_string_value(kind_user), "OBJECT");
    assert_ptr_equal(kind_user, kind_bot);

    json_decref(kind_bot);
    json_decref(kind_user);
    json_decref(bot_id_type);
    json_decref(bot_fields);
    json_decref(bot);
    json_decref(bot_args);
    json_decref(id_type);
    json_decref(fields_current);
    json_decref(fields);
    json_decref(current);
    json_decref(all);
    json_decref(user);
    json_decref(targs);
}

/* Objects the cache does not hold are answered all the same: a wrapper type
 * interned after the cache was built (no meta-field reaches it) and the
 * types of another schema. */
static void test_objects_the_cache_does_not_hold(void **state) {
    (void)state;
    char *text =
        response_text(schema, "{ __schema { queryType { name } } }"); /* the cache exists */
    assert_non_null(text);
    free(text);

    mm_gql_type *user = mm_gql_schema_find_type(schema, "User");
    mm_gql_type *deep =
        mm_gql_list_of(schema, mm_gql_list_of(schema, mm_gql_list_of(schema, user)));
    json_t *w = mm_gql_introspection_wrap(deep);
    json_t *v = resolve("__Type", "kind", w, NULL);
    assert_string_equal(json_string_value(v), "LIST");
    json_decref(v);
    assert_null(resolve("__Type", "name", w, NULL));
    assert_null(resolve("__Type", "fields", w, NULL));
    v = resolve("__Type", "ofType", w, NULL);
    assert_ptr_equal(mm_gql_introspection_unwrap(v), deep->of_type);
    json_decref(v);
    json_decref(w);

    static const char other_sdl[] =
        "type Query { a(x: Int = 3): String @deprecated(reason: \"gone\") }";
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"other", other_sdl, strlen(other_sdl)};
    mm_gql_schema *other = mm_gql_schema_build(&src, 1, &errors);
    assert_non_null(other);
    w = mm_gql_introspection_wrap(mm_gql_schema_find_type(other, "Query"));
    v = resolve("__Type", "name", w, NULL); /* this schema's resolver, the other's type */
    assert_string_equal(json_string_value(v), "Query");
    json_decref(v);
    json_t *all = json_pack("{s:b}", "includeDeprecated", 1);
    json_t *fields = resolve("__Type", "fields", w, all);
    assert_int_equal(json_array_size(fields), 1);
    json_t *a = json_array_get(fields, 0);
    v = resolve("__Field", "deprecationReason", a, NULL);
    assert_string_equal(json_string_value(v), "gone");
    json_decref(v);
    json_t *args = resolve("__Field", "args", a, all);
    assert_int_equal(json_array_size(args), 1);
    v = resolve("__InputValue", "defaultValue", json_array_get(args, 0), NULL);
    assert_string_equal(json_string_value(v), "3");
    json_decref(v);
    json_decref(args);
    json_decref(fields);
    json_decref(all);
    json_decref(w);
    mm_gql_schema_free(other);
}

enum {
    RACERS = 8
};

typedef struct racer {
    mm_gql_schema *schema;
    pthread_barrier_t *start;
    char *text;
} racer;

static void *race_to_introspect(void *arg) {
    racer *r = arg;
    pthread_barrier_wait(r->start);
    r->text = response_text(r->schema, introspection_query);
    return NULL;
}

/* Threads that introspect a schema nobody has introspected yet all build or
 * wait for the one cache and get the full, right answer. */
static void test_threads_racing_to_build_the_cache(void **state) {
    (void)state;
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"rich", rich_sdl, strlen(rich_sdl)};
    mm_gql_schema *fresh = mm_gql_schema_build(&src, 1, &errors);
    assert_non_null(fresh);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, RACERS);
    racer racers[RACERS];
    pthread_t threads[RACERS];
    for (int i = 0; i < RACERS; i++) {
        racers[i] = (racer){.schema = fresh, .start = &start};
        assert_int_equal(pthread_create(&threads[i], NULL, race_to_introspect, &racers[i]), 0);
    }
    for (int i = 0; i < RACERS; i++) pthread_join(threads[i], NULL);
    pthread_barrier_destroy(&start);
    json_t *want = json_loads(expected_result, 0, NULL);
    char *want_text = json_dumps(want, JSON_COMPACT);
    for (int i = 0; i < RACERS; i++) {
        assert_non_null(racers[i].text);
        assert_string_equal(racers[i].text, want_text);
        free(racers[i].text);
    }
    free(want_text);
    json_decref(want);
    mm_gql_schema_free(fresh);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_introspection_query),
        cmocka_unit_test(test_type_and_schema_fields),
        cmocka_unit_test(test_meta_objects),
        cmocka_unit_test(test_answers_are_shared),
        cmocka_unit_test(test_objects_the_cache_does_not_hold),
        cmocka_unit_test(test_threads_racing_to_build_the_cache),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
