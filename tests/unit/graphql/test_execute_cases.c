/* test_execute_cases.c -- the executor against graphql-js 16 on one rich schema.
 *
 * Each case runs a document (not validated, as graphql-js's execute() does)
 * with a JSON root value and C resolvers, and compares the serialized
 * response with what graphql-js 16.15 answered for the same schema, root
 * value and equivalent JavaScript resolvers (echo* return JSON.stringify of
 * their arguments; fail* throw GraphQLError; inc adds to a counter reset per
 * case). Covered: scalars, aliases, merging, fragments, @skip/@include,
 * lists and null propagation at every level, enums, leaf serialization
 * errors, interfaces and unions with their resolution errors, resolver
 * errors with extensions, argument and variable coercion (defaults, null vs
 * missing, list and input object coercion, every message), custom scalars,
 * serial mutations, operation selection, introspection.
 *
 * test_execute_cases/gen.js regenerates the expectations; rand.js makes
 * random differential cases that `--random FILE` runs (see those files). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

static const char schema_sdl[] =
    "type Query {\n"
    "  hello: String\n"
    "  int: Int\n"
    "  float: Float\n"
    "  float3: Float\n"
    "  intReal: Int\n"
    "  bigFloat: Float\n"
    "  tinyFloat: Float\n"
    "  bool: Boolean\n"
    "  id: ID\n"
    "  nonNullString: String!\n"
    "  nullString: String\n"
    "  list: [Int]\n"
    "  listNN: [Int!]\n"
    "  nnList: [Int]!\n"
    "  nnListNN: [Int!]!\n"
    "  obj: Obj\n"
    "  objs: [Obj]\n"
    "  nnObj: Obj!\n"
    "  color: Color\n"
    "  colors: [Color]\n"
    "  badColor: Color\n"
    "  badInt: Int\n"
    "  bigInt: Int\n"
    "  floatInt: Int\n"
    "  notList: [Int]\n"
    "  stringList: [String]\n"
    "  pet: Pet\n"
    "  pets: [Pet]\n"
    "  search: [SearchResult]\n"
    "  noTypename: Pet\n"
    "  wrongTypename: Pet\n"
    "  nonObjTypename: Pet\n"
    "  notPossible: Pet\n"
    "  echo(a: Int, b: String = \"dflt\", c: [Int], d: In, e: Color, f: [In!], g: Boolean, h: ID, "
    "i: [[Int]]): String\n"
    "  echoNN(nn: Int!, s: String! = \"x\"): String\n"
    "  fail: String\n"
    "  failNN: String!\n"
    "  failList: [String]\n"
    "  objsWithNullNN: [Obj]\n"
    "  nnObjsWithNullNN: [Obj!]\n"
    "  custom: Custom\n"
    "  echoCustom(v: Custom): String\n"
    "  echoOne(o: One): String\n"
    "}\n"
    "input One @oneOf { a: Int, b: String }\n"
    "scalar Custom\n"
    "type Obj { a: Int, b: String, nn: Int!, self: Obj, list: [Obj], nnNull: Int!, fail: String }\n"
    "enum Color { RED GREEN BLUE }\n"
    "interface Pet { name: String }\n"
    "type Dog implements Pet { name: String, barks: Boolean }\n"
    "type Cat implements Pet { name: String, meows: Boolean }\n"
    "union SearchResult = Dog | Cat | Obj\n"
    "input In { x: Int!, y: String = \"yy\", z: [Int], w: In2 }\n"
    "input In2 { q: Boolean, r: Color }\n"
    "type Mutation { inc(by: Int = 1): Int, failInc: Int!, setName(name: String!): String, "
    "incNullable(by: Int = 1): Int }\n";

static const char root_json[] =
    "{\"hello\":\"world\",\"int\":42,\"float\":1.5,\"float3\":3.0,\"intReal\":2.0,\"bigFloat\":"
    "1e21,\"tinyFloat\":1.5e-7,\"bool\":true,\"id\":\"7\",\"nonNullString\":null,\"nullString\":"
    "null,\"list\":[1,null,3],\"listNN\":[1,null,3],\"nnList\":null,\"nnListNN\":[1,2,null],"
    "\"obj\":{\"a\":1,\"b\":\"x\",\"nn\":5,\"self\":{\"a\":2,\"b\":\"y\",\"nn\":6,\"self\":null,"
    "\"list\":[{\"a\":3,\"nn\":7},null]},\"list\":[],\"nnNull\":null},\"objs\":[{\"a\":1,\"nn\":1},"
    "null,{\"a\":3,\"nn\":3}],\"nnObj\":{\"a\":9,\"nn\":null},\"color\":\"GREEN\",\"colors\":["
    "\"RED\",\"BLUE\"],\"badColor\":\"PURPLE\",\"badInt\":\"abc\",\"bigInt\":3000000000,"
    "\"floatInt\":1.5,\"notList\":5,\"stringList\":[\"a\",1,true],\"pet\":{\"__typename\":\"Dog\","
    "\"name\":\"Rex\",\"barks\":true},\"pets\":[{\"__typename\":\"Dog\",\"name\":\"Rex\",\"barks\":"
    "true},{\"__typename\":\"Cat\",\"name\":\"Tom\",\"meows\":false}],\"search\":[{\"__typename\":"
    "\"Cat\",\"name\":\"Tom\",\"meows\":true},{\"__typename\":\"Obj\",\"a\":1,\"nn\":2}],"
    "\"noTypename\":{\"name\":\"Anon\"},\"wrongTypename\":{\"__typename\":\"Nope\"},"
    "\"nonObjTypename\":{\"__typename\":\"Color\"},\"notPossible\":{\"__typename\":\"Obj\"},"
    "\"objsWithNullNN\":[{\"a\":1,\"nn\":1},{\"a\":2,\"nn\":null},{\"a\":3,\"nn\":3}],"
    "\"nnObjsWithNullNN\":[{\"a\":1,\"nn\":1},{\"a\":2,\"nn\":null}],\"custom\":{\"any\":[\"json\","
    "1]}}";

typedef struct exec_case {
    const char *name;
    const char *query;
    const char *variables;
    const char *operation_name;
    const char *expected;
} exec_case;

/* Generated with graphql-js 16.15.0 (see the header comment). */
static const exec_case cases[] = {
    {"scalars", "{ hello int float bool id }", NULL, NULL,
     "{\"data\":{\"hello\":\"world\",\"int\":42,\"float\":1.5,\"bool\":true,\"id\":\"7\"}}"},
    {"aliases", "{ a: hello b: int hello }", NULL, NULL,
     "{\"data\":{\"a\":\"world\",\"b\":42,\"hello\":\"world\"}}"},
    {"same key merged", "{ obj { a } obj { b } }", NULL, NULL,
     "{\"data\":{\"obj\":{\"a\":1,\"b\":\"x\"}}}"},
    {"typename", "{ __typename obj { __typename a } }", NULL, NULL,
     "{\"data\":{\"__typename\":\"Query\",\"obj\":{\"__typename\":\"Obj\",\"a\":1}}}"},
    {"nested objects", "{ obj { a self { b self { a } list { a nn } } } }", NULL, NULL,
     "{\"data\":{\"obj\":{\"a\":1,\"self\":{\"b\":\"y\",\"self\":null,\"list\":[{\"a\":3,\"nn\":7},"
     "null]}}}}"},
    {"fragments", "query { obj { ...F } } fragment F on Obj { a ... on Obj { b } }", NULL, NULL,
     "{\"data\":{\"obj\":{\"a\":1,\"b\":\"x\"}}}"},
    {"fragment spread twice", "query { obj { ...F ...F } } fragment F on Obj { a }", NULL, NULL,
     "{\"data\":{\"obj\":{\"a\":1}}}"},
    {"skip include literal",
     "{ a: hello @skip(if: true) b: hello @skip(if: false) c: hello @include(if: false) d: hello "
     "@include(if: true) e: hello @skip(if: true) @include(if: true) }",
     NULL, NULL, "{\"data\":{\"b\":\"world\",\"d\":\"world\"}}"},
    {"skip with variable", "query Q($s: Boolean!) { hello @skip(if: $s) int }", "{\"s\": true}",
     NULL, "{\"data\":{\"int\":42}}"},
    {"include on fragments",
     "query Q($i: Boolean = false) { ...F @include(if: $i) ... @skip(if: $i) { int } } fragment F "
     "on Query { hello }",
     NULL, NULL, "{\"data\":{\"int\":42}}"},
    {"list nullable items", "{ list }", NULL, NULL, "{\"data\":{\"list\":[1,null,3]}}"},
    {"list non-null item null", "{ listNN int }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Query.listNN.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"listNN\",1]}],\"data\":"
     "{\"listNN\":null,\"int\":42}}"},
    {"non-null list null", "{ nnList }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Query.nnList.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nnList\"]}],\"data\":"
     "null}"},
    {"non-null list of non-null", "{ nnListNN hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Query.nnListNN.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nnListNN\",2]}],"
     "\"data\":null}"},
    {"non-null string null", "{ hello nonNullString }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Query.nonNullString.\",\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"nonNullString\"]"
     "}],\"data\":null}"},
    {"nested non-null propagates to parent", "{ obj { a nnNull } hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Obj.nnNull.\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":[\"obj\",\"nnNull\"]}],"
     "\"data\":{\"obj\":null,\"hello\":\"world\"}}"},
    {"non-null object with null nn", "{ nnObj { a nn } hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Obj.nn.\",\"locations\":[{\"line\":1,\"column\":13}],\"path\":[\"nnObj\",\"nn\"]}],\"data\":"
     "null}"},
    {"list items with non-null field", "{ objsWithNullNN { a nn } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Obj.nn.\",\"locations\":[{\"line\":1,\"column\":22}],\"path\":[\"objsWithNullNN\",1,\"nn\"]}]"
     ",\"data\":{\"objsWithNullNN\":[{\"a\":1,\"nn\":1},null,{\"a\":3,\"nn\":3}]}}"},
    {"list of non-null items with non-null field", "{ nnObjsWithNullNN { a nn } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field "
     "Obj.nn.\",\"locations\":[{\"line\":1,\"column\":24}],\"path\":[\"nnObjsWithNullNN\",1,\"nn\"]"
     "}],\"data\":{\"nnObjsWithNullNN\":null}}"},
    {"objs with null", "{ objs { a } }", NULL, NULL,
     "{\"data\":{\"objs\":[{\"a\":1},null,{\"a\":3}]}}"},
    {"enum", "{ color colors }", NULL, NULL,
     "{\"data\":{\"color\":\"GREEN\",\"colors\":[\"RED\",\"BLUE\"]}}"},
    {"bad enum value", "{ badColor }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Enum \\\"Color\\\" cannot represent value: "
     "\\\"PURPLE\\\"\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"badColor\"]}],"
     "\"data\":{\"badColor\":null}}"},
    {"bad int", "{ badInt bigInt floatInt }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Int cannot represent non-integer value: "
     "\\\"abc\\\"\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"badInt\"]},{\"message\":"
     "\"Int cannot represent non 32-bit signed integer value: "
     "3000000000\",\"locations\":[{\"line\":1,\"column\":10}],\"path\":[\"bigInt\"]},{\"message\":"
     "\"Int cannot represent non-integer value: "
     "1.5\",\"locations\":[{\"line\":1,\"column\":17}],\"path\":[\"floatInt\"]}],\"data\":{"
     "\"badInt\":null,\"bigInt\":null,\"floatInt\":null}}"},
    {"string list coercion", "{ stringList }", NULL, NULL,
     "{\"data\":{\"stringList\":[\"a\",\"1\",\"true\"]}}"},
    {"expected iterable", "{ notList }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Expected Iterable, but did not find one for field "
     "\\\"Query.notList\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"notList\"]}],"
     "\"data\":{\"notList\":null}}"},
    {"interface", "{ pet { name ... on Dog { barks } ... on Cat { meows } __typename } }", NULL,
     NULL, "{\"data\":{\"pet\":{\"name\":\"Rex\",\"barks\":true,\"__typename\":\"Dog\"}}}"},
    {"interface list", "{ pets { __typename name ... on Cat { meows } } }", NULL, NULL,
     "{\"data\":{\"pets\":[{\"__typename\":\"Dog\",\"name\":\"Rex\"},{\"__typename\":\"Cat\","
     "\"name\":\"Tom\",\"meows\":false}]}}"},
    {"union", "{ search { __typename ... on Cat { name } ... on Obj { a } } }", NULL, NULL,
     "{\"data\":{\"search\":[{\"__typename\":\"Cat\",\"name\":\"Tom\"},{\"__typename\":\"Obj\","
     "\"a\":1}]}}"},
    {"abstract no typename", "{ noTypename { name } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Abstract type \\\"Pet\\\" must resolve to an Object type at "
     "runtime for field \\\"Query.noTypename\\\". Either the \\\"Pet\\\" type should provide a "
     "\\\"resolveType\\\" function or each possible type should provide an \\\"isTypeOf\\\" "
     "function.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"noTypename\"]}],\"data\":{"
     "\"noTypename\":null}}"},
    {"abstract wrong typename", "{ wrongTypename { name } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Abstract type \\\"Pet\\\" was resolved to a type \\\"Nope\\\" "
     "that does not exist inside the "
     "schema.\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"wrongTypename\"]}],\"data\":{"
     "\"wrongTypename\":null}}"},
    {"abstract non-object typename", "{ nonObjTypename { name } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Abstract type \\\"Pet\\\" was resolved to a non-object type "
     "\\\"Color\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"nonObjTypename\"]}],"
     "\"data\":{\"nonObjTypename\":null}}"},
    {"abstract not possible", "{ notPossible { name } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Runtime Object type \\\"Obj\\\" is not a possible type for "
     "\\\"Pet\\\".\",\"locations\":[{\"line\":1,\"column\":3}],\"path\":[\"notPossible\"]}],"
     "\"data\":{\"notPossible\":null}}"},
    {"resolver error with extensions", "{ hello fail int }", NULL, NULL,
     "{\"errors\":[{\"message\":\"boom\",\"locations\":[{\"line\":1,\"column\":9}],\"path\":["
     "\"fail\"],\"extensions\":{\"code\":\"BOOM\"}}],\"data\":{\"hello\":\"world\",\"fail\":null,"
     "\"int\":42}}"},
    {"resolver error non-null", "{ hello failNN int }", NULL, NULL,
     "{\"errors\":[{\"message\":\"boom\",\"locations\":[{\"line\":1,\"column\":9}],\"path\":["
     "\"failNN\"],\"extensions\":{\"code\":\"BOOM\"}}],\"data\":null}"},
    {"nested resolver error", "{ obj { a fail } }", NULL, NULL,
     "{\"errors\":[{\"message\":\"objfail\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":["
     "\"obj\",\"fail\"]}],\"data\":{\"obj\":{\"a\":1,\"fail\":null}}}"},
    {"args literal", "{ echo(a: 1, c: [1, 2], e: RED, g: true, h: 5, i: [[1], [2, 3]]) }", NULL,
     NULL,
     "{\"data\":{\"echo\":\"{\\\"a\\\":1,\\\"b\\\":\\\"dflt\\\",\\\"c\\\":[1,2],\\\"e\\\":"
     "\\\"RED\\\",\\\"g\\\":true,\\\"h\\\":\\\"5\\\",\\\"i\\\":[[1],[2,3]]}\"}}"},
    {"args defaults", "{ echo }", NULL, NULL, "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\"}\"}}"},
    {"arg explicit null", "{ echo(b: null) }", NULL, NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":null}\"}}"},
    {"arg list coercion single", "{ echo(c: 7, i: 1) }", NULL, NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"c\\\":[7],\\\"i\\\":[[1]]}\"}}"},
    {"arg input object", "{ echo(d: {x: 1, z: 3, w: {q: true, r: BLUE}}) }", NULL, NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"d\\\":{\\\"x\\\":1,\\\"y\\\":\\\"yy\\\","
     "\\\"z\\\":[3],\\\"w\\\":{\\\"q\\\":true,\\\"r\\\":\\\"BLUE\\\"}}}\"}}"},
    {"arg list of input objects", "{ echo(f: {x: 2}) }", NULL, NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"f\\\":[{\\\"x\\\":2,\\\"y\\\":\\\"yy\\\"}]}"
     "\"}}"},
    {"variables", "query Q($a: Int, $b: String, $d: In) { echo(a: $a, b: $b, d: $d) }",
     "{\"a\": 3, \"b\": \"bee\", \"d\": {\"x\": 1, \"z\": 5}}", NULL,
     "{\"data\":{\"echo\":\"{\\\"a\\\":3,\\\"b\\\":\\\"bee\\\",\\\"d\\\":{\\\"x\\\":1,\\\"y\\\":"
     "\\\"yy\\\",\\\"z\\\":[5]}}\"}}"},
    {"variable missing uses arg default", "query Q($b: String) { echo(b: $b) }", "{}", NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\"}\"}}"},
    {"variable null overrides default", "query Q($b: String) { echo(b: $b) }", "{\"b\": null}",
     NULL, "{\"data\":{\"echo\":\"{\\\"b\\\":null}\"}}"},
    {"variable default", "query Q($b: String = \"vd\") { echo(b: $b) }", NULL, NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"vd\\\"}\"}}"},
    {"variable in list literal missing", "query Q($x: Int) { echo(c: [1, $x]) }", "{}", NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"c\\\":[1,null]}\"}}"},
    {"variable in object literal missing", "query Q($y: String) { echo(d: {x: 1, y: $y}) }", "{}",
     NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"d\\\":{\\\"x\\\":1,\\\"y\\\":\\\"yy\\\"}}"
     "\"}}"},
    {"variable list coercion", "query Q($c: [Int]) { echo(c: $c) }", "{\"c\": 4}", NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"c\\\":[4]}\"}}"},
    {"variable enum", "query Q($e: Color) { echo(e: $e) }", "{\"e\": \"BLUE\"}", NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"e\\\":\\\"BLUE\\\"}\"}}"},
    {"variable required missing", "query Q($n: Int!) { echoNN(nn: $n) }", "{}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$n\\\" of required type \\\"Int!\\\" was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable required null", "query Q($n: Int!) { echoNN(nn: $n) }", "{\"n\": null}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$n\\\" of non-null type \\\"Int!\\\" must not be "
     "null.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable bad int", "query Q($a: Int) { echo(a: $a) }", "{\"a\": \"x\"}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value \\\"x\\\"; Int cannot "
     "represent non-integer value: \\\"x\\\"\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable bad enum", "query Q($e: Color) { echo(e: $e) }", "{\"e\": \"BLEU\"}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$e\\\" got invalid value \\\"BLEU\\\"; Value "
     "\\\"BLEU\\\" does not exist in \\\"Color\\\" enum. Did you mean the enum value "
     "\\\"BLUE\\\"?\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable enum non-string", "query Q($e: Color) { echo(e: $e) }", "{\"e\": 1}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$e\\\" got invalid value 1; Enum \\\"Color\\\" "
     "cannot represent non-string value: 1.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable input object errors", "query Q($d: In) { echo(d: $d) }",
     "{\"d\": {\"z\": [\"a\", 2], \"ww\": 1, \"w\": {\"r\": \"RED\", \"q\": 3}}}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$d\\\" got invalid value { z: [\\\"a\\\", 2], ww: "
     "1, w: { r: \\\"RED\\\", q: 3 } }; Field \\\"x\\\" of required type \\\"Int!\\\" was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$d\\\" "
     "got invalid value \\\"a\\\" at \\\"d.z[0]\\\"; Int cannot represent non-integer value: "
     "\\\"a\\\"\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$d\\\" "
     "got invalid value 3 at \\\"d.w.q\\\"; Boolean cannot represent a non boolean value: "
     "3\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$d\\\" got "
     "invalid value { z: [\\\"a\\\", 2], ww: 1, w: { r: \\\"RED\\\", q: 3 } }; Field \\\"ww\\\" is "
     "not defined by type \\\"In\\\". Did you mean "
     "\\\"w\\\"?\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable input not object", "query Q($d: In) { echo(d: $d) }", "{\"d\": 5}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$d\\\" got invalid value 5; Expected type "
     "\\\"In\\\" to be an object.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable list item non-null", "query Q($f: [In!]) { echo(f: $f) }",
     "{\"f\": [{\"x\": 1}, null]}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$f\\\" got invalid value null at \\\"f[1]\\\"; "
     "Expected non-nullable type \\\"In!\\\" not to be "
     "null.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable big int", "query Q($a: Int) { echo(a: $a) }", "{\"a\": 2147483648}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value 2147483648; Int cannot "
     "represent non 32-bit signed integer value: "
     "2147483648\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable nested inspect", "query Q($a: Int) { echo(a: $a) }",
     "{\"a\": {\"k\": [1, {\"deep\": {\"deeper\": 1}}], \"s\": \"q\"}}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value { k: [1, [Object]], s: "
     "\\\"q\\\" }; Int cannot represent non-integer value: { k: [1, [Object]], s: \\\"q\\\" "
     "}\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable long list inspect", "query Q($a: Int) { echo(a: $a) }",
     "{\"a\": [1,2,3,4,5,6,7,8,9,10,11,12]}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value [1, 2, 3, 4, 5, 6, 7, 8, "
     "9, 10, ... 2 more items]; Int cannot represent non-integer value: [1, 2, 3, 4, 5, 6, 7, 8, "
     "9, 10, ... 2 more items]\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"variable float inspect", "query Q($a: Int) { echo(a: $a) }", "{\"a\": 1.5e300}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value 1.5e+300; Int cannot "
     "represent non 32-bit signed integer value: "
     "1.5e+300\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"non-null arg via missing variable", "query Q($n: Int) { echoNN(nn: $n) }", "{}", NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"nn\\\" of required type \\\"Int!\\\" was provided "
     "the variable \\\"$n\\\" which was not provided a runtime "
     "value.\",\"locations\":[{\"line\":1,\"column\":31}],\"path\":[\"echoNN\"]}],\"data\":{"
     "\"echoNN\":null}}"},
    {"non-null arg via null variable", "query Q($n: Int) { echoNN(nn: $n) }", "{\"n\": null}", NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"nn\\\" of non-null type \\\"Int!\\\" must not be "
     "null.\",\"locations\":[{\"line\":1,\"column\":31}],\"path\":[\"echoNN\"]}],\"data\":{"
     "\"echoNN\":null}}"},
    {"non-null arg with default via missing variable",
     "query Q($n: Int = 3, $s: String) { echoNN(nn: $n, s: $s) }", "{}", NULL,
     "{\"data\":{\"echoNN\":\"{\\\"nn\\\":3,\\\"s\\\":\\\"x\\\"}\"}}"},
    {"custom scalar", "{ custom echoCustom(v: {a: [1, \"b\", RED, null]}) }", NULL, NULL,
     "{\"data\":{\"custom\":{\"any\":[\"json\",1]},\"echoCustom\":\"{\\\"v\\\":{\\\"a\\\":[1,"
     "\\\"b\\\",\\\"RED\\\",null]}}\"}}"},
    {"custom scalar variable", "query Q($c: Custom) { echoCustom(v: $c) }",
     "{\"c\": {\"x\": [true]}}", NULL,
     "{\"data\":{\"echoCustom\":\"{\\\"v\\\":{\\\"x\\\":[true]}}\"}}"},
    {"custom scalar nested variable in literal", "query Q($c: Int) { echoCustom(v: {a: $c}) }",
     "{\"c\": 4}", NULL, "{\"data\":{\"echoCustom\":\"{\\\"v\\\":{\\\"a\\\":4}}\"}}"},
    {"mutation serial", "mutation { a: inc b: inc(by: 10) c: inc }", NULL, NULL,
     "{\"data\":{\"a\":1,\"b\":11,\"c\":12}}"},
    {"mutation non-null failure stops", "mutation { a: inc b: failInc c: inc }", NULL, NULL,
     "{\"errors\":[{\"message\":\"nope\",\"locations\":[{\"line\":1,\"column\":19}],\"path\":["
     "\"b\"]}],\"data\":null}"},
    {"mutation args", "mutation M($n: String!) { setName(name: $n) }", "{\"n\": \"Ann\"}", NULL,
     "{\"data\":{\"setName\":\"Ann\"}}"},
    {"operation name select", "query A { hello } query B { int }", NULL, "B",
     "{\"data\":{\"int\":42}}"},
    {"operation name missing", "query A { hello } query B { int }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Must provide operation name if query contains multiple "
     "operations.\"}]}"},
    {"operation name unknown", "query A { hello }", NULL, "C",
     "{\"errors\":[{\"message\":\"Unknown operation named \\\"C\\\".\"}]}"},
    {"no operation", "fragment F on Query { hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Must provide an operation.\"}]}"},
    {"unknown field omitted", "{ hello nope }", NULL, NULL, "{\"data\":{\"hello\":\"world\"}}"},
    {"introspection typename of schema",
     "{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }", NULL,
     NULL,
     "{\"data\":{\"__schema\":{\"queryType\":{\"name\":\"Query\"},\"mutationType\":{\"name\":"
     "\"Mutation\"},\"subscriptionType\":null}}}"},
    {"introspection type",
     "{ __type(name: \"Obj\") { name kind fields { name type { name kind ofType { name kind } } } "
     "} }",
     NULL, NULL,
     "{\"data\":{\"__type\":{\"name\":\"Obj\",\"kind\":\"OBJECT\",\"fields\":[{\"name\":\"a\","
     "\"type\":{\"name\":\"Int\",\"kind\":\"SCALAR\",\"ofType\":null}},{\"name\":\"b\",\"type\":{"
     "\"name\":\"String\",\"kind\":\"SCALAR\",\"ofType\":null}},{\"name\":\"nn\",\"type\":{"
     "\"name\":null,\"kind\":\"NON_NULL\",\"ofType\":{\"name\":\"Int\",\"kind\":\"SCALAR\"}}},{"
     "\"name\":\"self\",\"type\":{\"name\":\"Obj\",\"kind\":\"OBJECT\",\"ofType\":null}},{\"name\":"
     "\"list\",\"type\":{\"name\":null,\"kind\":\"LIST\",\"ofType\":{\"name\":\"Obj\",\"kind\":"
     "\"OBJECT\"}}},{\"name\":\"nnNull\",\"type\":{\"name\":null,\"kind\":\"NON_NULL\",\"ofType\":{"
     "\"name\":\"Int\",\"kind\":\"SCALAR\"}}},{\"name\":\"fail\",\"type\":{\"name\":\"String\","
     "\"kind\":\"SCALAR\",\"ofType\":null}}]}}}"},
    {"introspection enum",
     "{ __type(name: \"Color\") { enumValues { name isDeprecated } } t: __type(name: \"Nope\") { "
     "name } }",
     NULL, NULL,
     "{\"data\":{\"__type\":{\"enumValues\":[{\"name\":\"RED\",\"isDeprecated\":false},{\"name\":"
     "\"GREEN\",\"isDeprecated\":false},{\"name\":\"BLUE\",\"isDeprecated\":false}]},\"t\":null}}"},
    {"introspection input",
     "{ __type(name: \"In\") { inputFields { name defaultValue type { name kind } } } }", NULL,
     NULL,
     "{\"data\":{\"__type\":{\"inputFields\":[{\"name\":\"x\",\"defaultValue\":null,\"type\":{"
     "\"name\":null,\"kind\":\"NON_NULL\"}},{\"name\":\"y\",\"defaultValue\":\"\\\"yy\\\"\","
     "\"type\":{\"name\":\"String\",\"kind\":\"SCALAR\"}},{\"name\":\"z\",\"defaultValue\":null,"
     "\"type\":{\"name\":null,\"kind\":\"LIST\"}},{\"name\":\"w\",\"defaultValue\":null,\"type\":{"
     "\"name\":\"In2\",\"kind\":\"INPUT_OBJECT\"}}]}}}"},
    {"introspection possible types",
     "{ __type(name: \"Pet\") { possibleTypes { name } interfaces { name } } }", NULL, NULL,
     "{\"data\":{\"__type\":{\"possibleTypes\":[{\"name\":\"Dog\"},{\"name\":\"Cat\"}],"
     "\"interfaces\":[]}}}"},
    {"introspection schema types",
     "{ __schema { types { name } directives { name locations args { name } } } }", NULL, NULL,
     "{\"data\":{\"__schema\":{\"types\":[{\"name\":\"Query\"},{\"name\":\"String\"},{\"name\":"
     "\"Int\"},{\"name\":\"Float\"},{\"name\":\"Boolean\"},{\"name\":\"ID\"},{\"name\":\"One\"},{"
     "\"name\":\"Custom\"},{\"name\":\"Obj\"},{\"name\":\"Color\"},{\"name\":\"Pet\"},{\"name\":"
     "\"Dog\"},{\"name\":\"Cat\"},{\"name\":\"SearchResult\"},{\"name\":\"In\"},{\"name\":\"In2\"},"
     "{\"name\":\"Mutation\"},{\"name\":\"__Schema\"},{\"name\":\"__Type\"},{\"name\":\"__"
     "TypeKind\"},{\"name\":\"__Field\"},{\"name\":\"__InputValue\"},{\"name\":\"__EnumValue\"},{"
     "\"name\":\"__Directive\"},{\"name\":\"__DirectiveLocation\"}],\"directives\":[{\"name\":"
     "\"include\",\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_FRAGMENT\"],\"args\":[{"
     "\"name\":\"if\"}]},{\"name\":\"skip\",\"locations\":[\"FIELD\",\"FRAGMENT_SPREAD\",\"INLINE_"
     "FRAGMENT\"],\"args\":[{\"name\":\"if\"}]},{\"name\":\"deprecated\",\"locations\":[\"FIELD_"
     "DEFINITION\",\"ARGUMENT_DEFINITION\",\"INPUT_FIELD_DEFINITION\",\"ENUM_VALUE\",\"DIRECTIVE_"
     "DEFINITION\"],\"args\":[{\"name\":\"reason\"}]},{\"name\":\"specifiedBy\",\"locations\":["
     "\"SCALAR\"],\"args\":[{\"name\":\"url\"}]},{\"name\":\"oneOf\",\"locations\":[\"INPUT_"
     "OBJECT\"],\"args\":[]}]}}}"},
    {"oneOf literal", "{ echoOne(o: {b: \"x\"}) }", NULL, NULL,
     "{\"data\":{\"echoOne\":\"{\\\"o\\\":{\\\"b\\\":\\\"x\\\"}}\"}}"},
    {"oneOf literal two keys", "{ echoOne(o: {a: 1, b: \"x\"}) }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"o\\\" has invalid value {a: 1, b: "
     "\\\"x\\\"}.\",\"locations\":[{\"line\":1,\"column\":14}],\"path\":[\"echoOne\"]}],\"data\":{"
     "\"echoOne\":null}}"},
    {"oneOf variable two keys", "query Q($o: One) { echoOne(o: $o) }",
     "{\"o\": {\"a\": 1, \"b\": \"x\"}}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" got invalid value { a: 1, b: \\\"x\\\" }; "
     "Exactly one key must be specified for OneOf type "
     "\\\"One\\\".\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"oneOf variable null key", "query Q($o: One) { echoOne(o: $o) }", "{\"o\": {\"a\": null}}",
     NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" got invalid value null at \\\"o.a\\\"; Field "
     "\\\"a\\\" must be non-null.\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"oneOf variable empty", "query Q($o: One) { echoOne(o: $o) }", "{\"o\": {}}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" got invalid value {}; Exactly one key must "
     "be specified for OneOf type \\\"One\\\".\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"oneOf variable bad value", "query Q($o: One) { echoOne(o: $o) }", "{\"o\": {\"a\": \"z\"}}",
     NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" got invalid value \\\"z\\\" at \\\"o.a\\\"; "
     "Int cannot represent non-integer value: "
     "\\\"z\\\"\",\"locations\":[{\"line\":1,\"column\":9}]}]}"},
    {"errors in list items", "{ objs { a } obj { list { a } self { fail list { fail } } } }", NULL,
     NULL,
     "{\"errors\":[{\"message\":\"objfail\",\"locations\":[{\"line\":1,\"column\":38}],\"path\":["
     "\"obj\",\"self\",\"fail\"]},{\"message\":\"objfail\",\"locations\":[{\"line\":1,\"column\":"
     "50}],\"path\":[\"obj\",\"self\",\"list\",0,\"fail\"]}],\"data\":{\"objs\":[{\"a\":1},null,{"
     "\"a\":3}],\"obj\":{\"list\":[],\"self\":{\"fail\":null,\"list\":[{\"fail\":null},null]}}}}"},
    {"directive variable missing at root", "query Q($s: Boolean) { hello @skip(if: $s) }", "{}",
     NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"if\\\" of required type \\\"Boolean!\\\" was "
     "provided the variable \\\"$s\\\" which was not provided a runtime "
     "value.\",\"locations\":[{\"line\":1,\"column\":40}]}],\"data\":null}"},
    {"directive variable missing nested", "query Q($s: Boolean) { obj { a @include(if: $s) } }",
     "{}", NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"if\\\" of required type \\\"Boolean!\\\" was "
     "provided the variable \\\"$s\\\" which was not provided a runtime "
     "value.\",\"locations\":[{\"line\":1,\"column\":45}],\"path\":[\"obj\"]}],\"data\":{\"obj\":"
     "null}}"},
    {"subscription not configured", "subscription { hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Schema is not configured to execute subscription "
     "operation.\",\"locations\":[{\"line\":1,\"column\":1}]}],\"data\":null}"},
    {"arg invalid literal", "{ echo(a: \"x\") }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"a\\\" has invalid value "
     "\\\"x\\\".\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":[\"echo\"]}],\"data\":{"
     "\"echo\":null}}"},
    {"arg invalid block string", "{ echo(a: \"\"\"blk\"\"\") }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"a\\\" has invalid value "
     "\\\"\\\"\\\"blk\\\"\\\"\\\".\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":[\"echo\"]"
     "}],\"data\":{\"echo\":null}}"},
    {"arg required missing", "{ hello echoNN }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"nn\\\" of required type \\\"Int!\\\" was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":9}],\"path\":[\"echoNN\"]}],\"data\":{"
     "\"hello\":\"world\",\"echoNN\":null}}"},
    {"arg required null", "{ echoNN(nn: null) }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"nn\\\" of non-null type \\\"Int!\\\" must not be "
     "null.\",\"locations\":[{\"line\":1,\"column\":14}],\"path\":[\"echoNN\"]}],\"data\":{"
     "\"echoNN\":null}}"},
    {"arg invalid object literal", "{ echo(d: {y: \"no x\"}) }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"d\\\" has invalid value {y: \\\"no "
     "x\\\"}.\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":[\"echo\"]}],\"data\":{"
     "\"echo\":null}}"},
    {"arg enum as string literal", "{ echo(e: \"RED\") }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Argument \\\"e\\\" has invalid value "
     "\\\"RED\\\".\",\"locations\":[{\"line\":1,\"column\":11}],\"path\":[\"echo\"]}],\"data\":{"
     "\"echo\":null}}"},
    {"variable of output type", "query Q($o: Obj) { hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" expected value of type \\\"Obj\\\" which "
     "cannot be used as an input type.\",\"locations\":[{\"line\":1,\"column\":13}]}]}"},
    {"variable of unknown type", "query Q($o: [Nope!]) { hello }", NULL, NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$o\\\" expected value of type \\\"[Nope!]\\\" which "
     "cannot be used as an input type.\",\"locations\":[{\"line\":1,\"column\":13}]}]}"},
    {"variables absent entirely", "query Q($b: String = \"d\", $n: Int) { echo(b: $b, a: $n) }",
     NULL, NULL, "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"d\\\"}\"}}"},
    {"many variable errors",
     "query Q($a: Int!, $b: Int!, $c: Int!) { echo(a: $a) echoNN(nn: $b) x: echoNN(nn: $c) }",
     "{\"a\": \"1\", \"b\": null}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$a\\\" got invalid value \\\"1\\\"; Int cannot "
     "represent non-integer value: "
     "\\\"1\\\"\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$b\\\" of "
     "non-null type \\\"Int!\\\" must not be "
     "null.\",\"locations\":[{\"line\":1,\"column\":19}]},{\"message\":\"Variable \\\"$c\\\" of "
     "required type \\\"Int!\\\" was not "
     "provided.\",\"locations\":[{\"line\":1,\"column\":29}]}]}"},
    {"float and id coercion", "query Q($h: ID, $c: [Int]) { echo(h: $h, c: $c) }",
     "{\"h\": 12, \"c\": [1, null, 3]}", NULL,
     "{\"data\":{\"echo\":\"{\\\"b\\\":\\\"dflt\\\",\\\"c\\\":[1,null,3],\\\"h\\\":\\\"12\\\"}\"}"
     "}"},
    {"typename on interface and union", "{ pet { __typename } search { __typename } }", NULL, NULL,
     "{\"data\":{\"pet\":{\"__typename\":\"Dog\"},\"search\":[{\"__typename\":\"Cat\"},{\"__"
     "typename\":\"Obj\"}]}}"},
    {"fragment on interface", "{ pets { ...P } } fragment P on Pet { name ... on Dog { barks } }",
     NULL, NULL, "{\"data\":{\"pets\":[{\"name\":\"Rex\",\"barks\":true},{\"name\":\"Tom\"}]}}"},
    {"fragment on union",
     "{ search { ...S } } fragment S on SearchResult { ... on Dog { name } ... on Cat { meows } }",
     NULL, NULL, "{\"data\":{\"search\":[{\"meows\":true},{}]}}"},
    {"fragment condition not matching", "{ obj { ... on Query { hello } a } }", NULL, NULL,
     "{\"data\":{\"obj\":{\"a\":1}}}"},
    {"mutation nullable failure continues", "mutation { a: incNullable b: incNullable(by: 5) }",
     NULL, NULL, "{\"data\":{\"a\":1,\"b\":6}}"},
    {"introspection typename field args",
     "{ __type(name: \"Query\") { fields { name args { name defaultValue type { kind name ofType { "
     "kind name } } } } } }",
     NULL, NULL,
     "{\"data\":{\"__type\":{\"fields\":[{\"name\":\"hello\",\"args\":[]},{\"name\":\"int\","
     "\"args\":[]},{\"name\":\"float\",\"args\":[]},{\"name\":\"float3\",\"args\":[]},{\"name\":"
     "\"intReal\",\"args\":[]},{\"name\":\"bigFloat\",\"args\":[]},{\"name\":\"tinyFloat\","
     "\"args\":[]},{\"name\":\"bool\",\"args\":[]},{\"name\":\"id\",\"args\":[]},{\"name\":"
     "\"nonNullString\",\"args\":[]},{\"name\":\"nullString\",\"args\":[]},{\"name\":\"list\","
     "\"args\":[]},{\"name\":\"listNN\",\"args\":[]},{\"name\":\"nnList\",\"args\":[]},{\"name\":"
     "\"nnListNN\",\"args\":[]},{\"name\":\"obj\",\"args\":[]},{\"name\":\"objs\",\"args\":[]},{"
     "\"name\":\"nnObj\",\"args\":[]},{\"name\":\"color\",\"args\":[]},{\"name\":\"colors\","
     "\"args\":[]},{\"name\":\"badColor\",\"args\":[]},{\"name\":\"badInt\",\"args\":[]},{\"name\":"
     "\"bigInt\",\"args\":[]},{\"name\":\"floatInt\",\"args\":[]},{\"name\":\"notList\",\"args\":[]"
     "},{\"name\":\"stringList\",\"args\":[]},{\"name\":\"pet\",\"args\":[]},{\"name\":\"pets\","
     "\"args\":[]},{\"name\":\"search\",\"args\":[]},{\"name\":\"noTypename\",\"args\":[]},{"
     "\"name\":\"wrongTypename\",\"args\":[]},{\"name\":\"nonObjTypename\",\"args\":[]},{\"name\":"
     "\"notPossible\",\"args\":[]},{\"name\":\"echo\",\"args\":[{\"name\":\"a\",\"defaultValue\":"
     "null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"Int\",\"ofType\":null}},{\"name\":\"b\","
     "\"defaultValue\":\"\\\"dflt\\\"\",\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\","
     "\"ofType\":null}},{\"name\":\"c\",\"defaultValue\":null,\"type\":{\"kind\":\"LIST\",\"name\":"
     "null,\"ofType\":{\"kind\":\"SCALAR\",\"name\":\"Int\"}}},{\"name\":\"d\",\"defaultValue\":"
     "null,\"type\":{\"kind\":\"INPUT_OBJECT\",\"name\":\"In\",\"ofType\":null}},{\"name\":\"e\","
     "\"defaultValue\":null,\"type\":{\"kind\":\"ENUM\",\"name\":\"Color\",\"ofType\":null}},{"
     "\"name\":\"f\",\"defaultValue\":null,\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{"
     "\"kind\":\"NON_NULL\",\"name\":null}}},{\"name\":\"g\",\"defaultValue\":null,\"type\":{"
     "\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"ofType\":null}},{\"name\":\"h\",\"defaultValue\":"
     "null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"ID\",\"ofType\":null}},{\"name\":\"i\","
     "\"defaultValue\":null,\"type\":{\"kind\":\"LIST\",\"name\":null,\"ofType\":{\"kind\":"
     "\"LIST\",\"name\":null}}}]},{\"name\":\"echoNN\",\"args\":[{\"name\":\"nn\",\"defaultValue\":"
     "null,\"type\":{\"kind\":\"NON_NULL\",\"name\":null,\"ofType\":{\"kind\":\"SCALAR\",\"name\":"
     "\"Int\"}}},{\"name\":\"s\",\"defaultValue\":\"\\\"x\\\"\",\"type\":{\"kind\":\"NON_NULL\","
     "\"name\":null,\"ofType\":{\"kind\":\"SCALAR\",\"name\":\"String\"}}}]},{\"name\":\"fail\","
     "\"args\":[]},{\"name\":\"failNN\",\"args\":[]},{\"name\":\"failList\",\"args\":[]},{\"name\":"
     "\"objsWithNullNN\",\"args\":[]},{\"name\":\"nnObjsWithNullNN\",\"args\":[]},{\"name\":"
     "\"custom\",\"args\":[]},{\"name\":\"echoCustom\",\"args\":[{\"name\":\"v\",\"defaultValue\":"
     "null,\"type\":{\"kind\":\"SCALAR\",\"name\":\"Custom\",\"ofType\":null}}]},{\"name\":"
     "\"echoOne\",\"args\":[{\"name\":\"o\",\"defaultValue\":null,\"type\":{\"kind\":\"INPUT_"
     "OBJECT\",\"name\":\"One\",\"ofType\":null}}]}]}}}"},
    {"integral reals", "{ float3 intReal bigFloat tinyFloat }", NULL, NULL,
     "{\"data\":{\"float3\":3,\"intReal\":2,\"bigFloat\":1e+21,\"tinyFloat\":1.5e-7}}"},
    {"variable int given as real", "query Q($a: Int) { echo(a: $a) x: echo(a: 1) }",
     "{\"a\": 4.0, \"f\": 2}", NULL,
     "{\"data\":{\"echo\":\"{\\\"a\\\":4,\\\"b\\\":\\\"dflt\\\"}\",\"x\":\"{\\\"a\\\":1,\\\"b\\\":"
     "\\\"dflt\\\"}\"}}"},
    {"variable input object given a list",
     "query Q($d: In, $o: One, $f: [In!]) { echo(d: $d, f: $f) echoOne(o: $o) }",
     "{\"d\": [1], \"o\": [null], \"f\": [[1], 2]}", NULL,
     "{\"errors\":[{\"message\":\"Variable \\\"$d\\\" got invalid value [1]; Expected type "
     "\\\"In\\\" to be an "
     "object.\",\"locations\":[{\"line\":1,\"column\":9}]},{\"message\":\"Variable \\\"$o\\\" got "
     "invalid value [null]; Expected type \\\"One\\\" to be an "
     "object.\",\"locations\":[{\"line\":1,\"column\":17}]},{\"message\":\"Variable \\\"$f\\\" got "
     "invalid value [1] at \\\"f[0]\\\"; Expected type \\\"In\\\" to be an "
     "object.\",\"locations\":[{\"line\":1,\"column\":26}]},{\"message\":\"Variable \\\"$f\\\" got "
     "invalid value 2 at \\\"f[1]\\\"; Expected type \\\"In\\\" to be an "
     "object.\",\"locations\":[{\"line\":1,\"column\":26}]}]}"},
};

static json_int_t counter; /* 64-bit: inc(by: 2147483647) must not overflow */

static json_t *echo_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    char *s = json_dumps(args, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_t *r = json_string(s);
    free(s);
    return r;
}

static json_t *fail_boom(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_gql_resolve_error(info, json_pack("{s:s}", "code", "BOOM"), "%s", "boom");
    return json_string("ignored");
}

static json_t *fail_plain(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)args;
    mm_gql_resolve_error(info, NULL, "%s", (const char *)ud);
    return NULL;
}

static json_t *inc(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    counter += json_integer_value(json_object_get(args, "by"));
    return json_integer(counter);
}

static json_t *set_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    return json_incref(json_object_get(args, "name"));
}

static mm_gql_schema *schema;
static json_t *root;

static int setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"test", schema_sdl, strlen(schema_sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    for (mm_gql_error *e = errors.head; e; e = e->next) fprintf(stderr, "schema: %s\n", e->message);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) return -1;
    int rc = 0;
    rc |= mm_gql_schema_set_resolver(schema, "Query", "echo", echo_args, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "echoNN", echo_args, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "echoCustom", echo_args, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "echoOne", echo_args, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "fail", fail_boom, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "failNN", fail_boom, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Obj", "fail", fail_plain, "objfail");
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "inc", inc, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "incNullable", inc, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "failInc", fail_plain, "nope");
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "setName", set_name, NULL);
    json_error_t jerr;
    root = json_loads(root_json, 0, &jerr);
    return rc == 0 && root ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    json_decref(root);
    mm_gql_schema_free(schema);
    return 0;
}

/* Runs one case; returns the compact response text (malloc'd). */
static char *run_case(const exec_case *c) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, c->query, strlen(c->query), NULL, &errors);
    if (!doc) {
        fprintf(stderr, "%s: parse error %s\n", c->name, errors.head ? errors.head->message : "?");
        mm_arena_reset(&arena);
        return NULL;
    }
    json_t *vars = NULL;
    if (c->variables) {
        json_error_t jerr;
        vars = json_loads(c->variables, 0, &jerr);
    }
    counter = 0;
    mm_gql_execute_params p = {
        .schema = schema,
        .document = doc,
        .operation_name = c->operation_name,
        .variables = vars,
        .root_value = root,
    };
    /* The text exactly as the executor wrote it (what the HTTP server sends). */
    char *text = mm_gql_execute_text(&p, NULL);
    json_decref(vars);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    return text;
}

static void test_all_cases(void **state) {
    (void)state;
    size_t failed = 0, n = sizeof cases / sizeof cases[0];
    for (size_t i = 0; i < n; i++) {
        char *got = run_case(&cases[i]);
        /* Byte for byte: the expectation is graphql-js's JSON.stringify of
         * its result, and the executor writes the same text (key order,
         * numbers as JavaScript prints them, null written over the part of
         * a value that a propagating error abandoned). */
        bool same = got && strcmp(got, cases[i].expected) == 0;
        if (!same) {
            failed++;
            fprintf(stderr, "CASE %s\n  query:    %s\n  expected: %s\n  got:      %s\n",
                    cases[i].name, cases[i].query, cases[i].expected, got ? got : "(null)");
        }
        free(got);
    }
    fprintf(stderr, "%zu/%zu cases match graphql-js\n", n - failed, n);
    assert_int_equal(failed, 0);
}

/* Not in graphql-js: object nesting beyond max_depth is a field error. */
static void test_max_depth(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *q = "{ obj { a self { a list { a } } } }";
    mm_gql_document *doc = mm_gql_parse(&arena, q, strlen(q), NULL, &errors);
    assert_non_null(doc);
    mm_gql_execute_params p = {
        .schema = schema, .document = doc, .root_value = root, .max_depth = 2};
    json_t *res = mm_gql_execute(&p);
    char *text = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(
        text,
        "{\"errors\":[{\"message\":\"Exceeded the maximum execution depth of 2.\",\"locations\":"
        "[{\"line\":1,\"column\":20}],\"path\":[\"obj\",\"self\",\"list\",0]}],\"data\":{\"obj\":"
        "{\"a\":1,\"self\":{\"a\":2,\"list\":[null,null]}}}}");
    free(text);
    json_decref(res);
    p.max_depth = 3; /* deep enough: no error */
    res = mm_gql_execute(&p);
    assert_null(json_object_get(res, "errors"));
    json_decref(res);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

/* Tool mode: `--random FILE` runs the [{q, v, expect}] cases rand.js wrote. */
static int run_random_file(const char *path) {
    if (setup(NULL) != 0) return 2;
    json_t *all = json_load_file(path, 0, NULL);
    if (!json_is_array(all)) {
        fprintf(stderr, "cannot read %s\n", path);
        teardown(NULL);
        return 2;
    }
    size_t failed = 0, n = json_array_size(all);
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(all, i);
        exec_case c = {"random", json_string_value(json_object_get(item, "q")),
                       json_string_value(json_object_get(item, "v")), NULL,
                       json_string_value(json_object_get(item, "expect"))};
        if (!c.query || !c.expected) continue;
        char *got = run_case(&c);
        json_t *want_json = json_loads(c.expected, 0, NULL);
        char *want = want_json ? json_dumps(want_json, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
        json_decref(want_json);
        if (!got || !want || strcmp(got, want) != 0) {
            failed++;
            fprintf(
                stderr,
                "MISMATCH\n  query:     %s\n  variables: %s\n  expected:  %s\n  got:       %s\n",
                c.query, c.variables ? c.variables : "", want ? want : "?", got ? got : "(null)");
        }
        free(want);
        free(got);
    }
    printf("%zu/%zu random cases match graphql-js\n", n - failed, n);
    json_decref(all);
    teardown(NULL);
    return failed ? 1 : 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--random") == 0) return run_random_file(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_all_cases),
        cmocka_unit_test(test_max_depth),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
