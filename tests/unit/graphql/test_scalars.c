/* test_scalars.c -- the built-in scalars' serialize / parseValue /
 * parseLiteral against graphql-js 16: the table below is what graphql@16.15's
 * GraphQLInt, GraphQLFloat, GraphQLString, GraphQLBoolean and GraphQLID
 * returned or threw for each input (results shown as JSON.stringify prints
 * them). Also JavaScript number formatting, inspect() and the custom-scalar
 * identity coercion (valueFromASTUntyped). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/language/parser.h"
#include "graphql/type/scalars.h"

typedef struct scalar_case {
    const char *type;
    const char *fn;
    const char *input;  /* JSON, or a GraphQL literal for parseLiteral */
    const char *result; /* as JSON.stringify printed it, or NULL */
    const char *error;  /* graphql-js's message, or NULL */
} scalar_case;

static const scalar_case cases[] = {
    {"Int", "serialize", "1", "1", NULL},
    {"Int", "serialize", "-1", "-1", NULL},
    {"Int", "serialize", "1.0", "1", NULL},
    {"Int", "serialize", "1.5", NULL, "Int cannot represent non-integer value: 1.5"},
    {"Int", "serialize", "2147483647", "2147483647", NULL},
    {"Int", "serialize", "2147483648", NULL,
     "Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"Int", "serialize", "-2147483649", NULL,
     "Int cannot represent non 32-bit signed integer value: -2147483649"},
    {"Int", "serialize", "1e3", "1000", NULL},
    {"Int", "serialize", "\"12\"", "12", NULL},
    {"Int", "serialize", "\"1.5\"", NULL, "Int cannot represent non-integer value: \"1.5\""},
    {"Int", "serialize", "\"\"", NULL, "Int cannot represent non-integer value: \"\""},
    {"Int", "serialize", "\" 7 \"", "7", NULL},
    {"Int", "serialize", "\"0x1F\"", "31", NULL},
    {"Int", "serialize", "\"abc\"", NULL, "Int cannot represent non-integer value: \"abc\""},
    {"Int", "serialize", "true", "1", NULL},
    {"Int", "serialize", "false", "0", NULL},
    {"Int", "serialize", "null", NULL, "Int cannot represent non-integer value: null"},
    {"Int", "serialize", "[1]", NULL, "Int cannot represent non-integer value: [1]"},
    {"Int", "serialize", "{\"a\":1}", NULL, "Int cannot represent non-integer value: { a: 1 }"},
    {"Int", "serialize", "0.1", NULL, "Int cannot represent non-integer value: 0.1"},
    {"Int", "serialize", "1e21", NULL,
     "Int cannot represent non 32-bit signed integer value: 1e+21"},
    {"Int", "serialize", "-0.5", NULL, "Int cannot represent non-integer value: -0.5"},
    {"Int", "serialize", "123456789012", NULL,
     "Int cannot represent non 32-bit signed integer value: 123456789012"},
    {"Int", "serialize", "[]", NULL, "Int cannot represent non-integer value: []"},
    {"Int", "serialize", "{}", NULL, "Int cannot represent non-integer value: {}"},
    {"Int", "serialize", "[1,[2,[3,[4]]]]", NULL,
     "Int cannot represent non-integer value: [1, [2, [Array]]]"},
    {"Int", "serialize", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Int cannot represent non-integer value: { a: { b: [Object] } }"},
    {"Int", "serialize", "\"a\\\"b\\nc\"", NULL,
     "Int cannot represent non-integer value: \"a\\\"b\\nc\""},
    {"Int", "serialize", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Int cannot represent non-integer value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"Int", "parseValue", "1", "1", NULL},
    {"Int", "parseValue", "-1", "-1", NULL},
    {"Int", "parseValue", "1.0", "1", NULL},
    {"Int", "parseValue", "1.5", NULL, "Int cannot represent non-integer value: 1.5"},
    {"Int", "parseValue", "2147483647", "2147483647", NULL},
    {"Int", "parseValue", "2147483648", NULL,
     "Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"Int", "parseValue", "-2147483649", NULL,
     "Int cannot represent non 32-bit signed integer value: -2147483649"},
    {"Int", "parseValue", "1e3", "1000", NULL},
    {"Int", "parseValue", "\"12\"", NULL, "Int cannot represent non-integer value: \"12\""},
    {"Int", "parseValue", "\"1.5\"", NULL, "Int cannot represent non-integer value: \"1.5\""},
    {"Int", "parseValue", "\"\"", NULL, "Int cannot represent non-integer value: \"\""},
    {"Int", "parseValue", "\" 7 \"", NULL, "Int cannot represent non-integer value: \" 7 \""},
    {"Int", "parseValue", "\"0x1F\"", NULL, "Int cannot represent non-integer value: \"0x1F\""},
    {"Int", "parseValue", "\"abc\"", NULL, "Int cannot represent non-integer value: \"abc\""},
    {"Int", "parseValue", "true", NULL, "Int cannot represent non-integer value: true"},
    {"Int", "parseValue", "false", NULL, "Int cannot represent non-integer value: false"},
    {"Int", "parseValue", "null", NULL, "Int cannot represent non-integer value: null"},
    {"Int", "parseValue", "[1]", NULL, "Int cannot represent non-integer value: [1]"},
    {"Int", "parseValue", "{\"a\":1}", NULL, "Int cannot represent non-integer value: { a: 1 }"},
    {"Int", "parseValue", "0.1", NULL, "Int cannot represent non-integer value: 0.1"},
    {"Int", "parseValue", "1e21", NULL,
     "Int cannot represent non 32-bit signed integer value: 1e+21"},
    {"Int", "parseValue", "-0.5", NULL, "Int cannot represent non-integer value: -0.5"},
    {"Int", "parseValue", "123456789012", NULL,
     "Int cannot represent non 32-bit signed integer value: 123456789012"},
    {"Int", "parseValue", "[]", NULL, "Int cannot represent non-integer value: []"},
    {"Int", "parseValue", "{}", NULL, "Int cannot represent non-integer value: {}"},
    {"Int", "parseValue", "[1,[2,[3,[4]]]]", NULL,
     "Int cannot represent non-integer value: [1, [2, [Array]]]"},
    {"Int", "parseValue", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Int cannot represent non-integer value: { a: { b: [Object] } }"},
    {"Int", "parseValue", "\"a\\\"b\\nc\"", NULL,
     "Int cannot represent non-integer value: \"a\\\"b\\nc\""},
    {"Int", "parseValue", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Int cannot represent non-integer value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"Float", "serialize", "1", "1", NULL},
    {"Float", "serialize", "-1", "-1", NULL},
    {"Float", "serialize", "1.0", "1", NULL},
    {"Float", "serialize", "1.5", "1.5", NULL},
    {"Float", "serialize", "2147483647", "2147483647", NULL},
    {"Float", "serialize", "2147483648", "2147483648", NULL},
    {"Float", "serialize", "-2147483649", "-2147483649", NULL},
    {"Float", "serialize", "1e3", "1000", NULL},
    {"Float", "serialize", "\"12\"", "12", NULL},
    {"Float", "serialize", "\"1.5\"", "1.5", NULL},
    {"Float", "serialize", "\"\"", NULL, "Float cannot represent non numeric value: \"\""},
    {"Float", "serialize", "\" 7 \"", "7", NULL},
    {"Float", "serialize", "\"0x1F\"", "31", NULL},
    {"Float", "serialize", "\"abc\"", NULL, "Float cannot represent non numeric value: \"abc\""},
    {"Float", "serialize", "true", "1", NULL},
    {"Float", "serialize", "false", "0", NULL},
    {"Float", "serialize", "null", NULL, "Float cannot represent non numeric value: null"},
    {"Float", "serialize", "[1]", NULL, "Float cannot represent non numeric value: [1]"},
    {"Float", "serialize", "{\"a\":1}", NULL, "Float cannot represent non numeric value: { a: 1 }"},
    {"Float", "serialize", "0.1", "0.1", NULL},
    {"Float", "serialize", "1e21", "1e+21", NULL},
    {"Float", "serialize", "-0.5", "-0.5", NULL},
    {"Float", "serialize", "123456789012", "123456789012", NULL},
    {"Float", "serialize", "[]", NULL, "Float cannot represent non numeric value: []"},
    {"Float", "serialize", "{}", NULL, "Float cannot represent non numeric value: {}"},
    {"Float", "serialize", "[1,[2,[3,[4]]]]", NULL,
     "Float cannot represent non numeric value: [1, [2, [Array]]]"},
    {"Float", "serialize", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Float cannot represent non numeric value: { a: { b: [Object] } }"},
    {"Float", "serialize", "\"a\\\"b\\nc\"", NULL,
     "Float cannot represent non numeric value: \"a\\\"b\\nc\""},
    {"Float", "serialize", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Float cannot represent non numeric value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"Float", "parseValue", "1", "1", NULL},
    {"Float", "parseValue", "-1", "-1", NULL},
    {"Float", "parseValue", "1.0", "1", NULL},
    {"Float", "parseValue", "1.5", "1.5", NULL},
    {"Float", "parseValue", "2147483647", "2147483647", NULL},
    {"Float", "parseValue", "2147483648", "2147483648", NULL},
    {"Float", "parseValue", "-2147483649", "-2147483649", NULL},
    {"Float", "parseValue", "1e3", "1000", NULL},
    {"Float", "parseValue", "\"12\"", NULL, "Float cannot represent non numeric value: \"12\""},
    {"Float", "parseValue", "\"1.5\"", NULL, "Float cannot represent non numeric value: \"1.5\""},
    {"Float", "parseValue", "\"\"", NULL, "Float cannot represent non numeric value: \"\""},
    {"Float", "parseValue", "\" 7 \"", NULL, "Float cannot represent non numeric value: \" 7 \""},
    {"Float", "parseValue", "\"0x1F\"", NULL, "Float cannot represent non numeric value: \"0x1F\""},
    {"Float", "parseValue", "\"abc\"", NULL, "Float cannot represent non numeric value: \"abc\""},
    {"Float", "parseValue", "true", NULL, "Float cannot represent non numeric value: true"},
    {"Float", "parseValue", "false", NULL, "Float cannot represent non numeric value: false"},
    {"Float", "parseValue", "null", NULL, "Float cannot represent non numeric value: null"},
    {"Float", "parseValue", "[1]", NULL, "Float cannot represent non numeric value: [1]"},
    {"Float", "parseValue", "{\"a\":1}", NULL,
     "Float cannot represent non numeric value: { a: 1 }"},
    {"Float", "parseValue", "0.1", "0.1", NULL},
    {"Float", "parseValue", "1e21", "1e+21", NULL},
    {"Float", "parseValue", "-0.5", "-0.5", NULL},
    {"Float", "parseValue", "123456789012", "123456789012", NULL},
    {"Float", "parseValue", "[]", NULL, "Float cannot represent non numeric value: []"},
    {"Float", "parseValue", "{}", NULL, "Float cannot represent non numeric value: {}"},
    {"Float", "parseValue", "[1,[2,[3,[4]]]]", NULL,
     "Float cannot represent non numeric value: [1, [2, [Array]]]"},
    {"Float", "parseValue", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Float cannot represent non numeric value: { a: { b: [Object] } }"},
    {"Float", "parseValue", "\"a\\\"b\\nc\"", NULL,
     "Float cannot represent non numeric value: \"a\\\"b\\nc\""},
    {"Float", "parseValue", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Float cannot represent non numeric value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"String", "serialize", "1", "\"1\"", NULL},
    {"String", "serialize", "-1", "\"-1\"", NULL},
    {"String", "serialize", "1.0", "\"1\"", NULL},
    {"String", "serialize", "1.5", "\"1.5\"", NULL},
    {"String", "serialize", "2147483647", "\"2147483647\"", NULL},
    {"String", "serialize", "2147483648", "\"2147483648\"", NULL},
    {"String", "serialize", "-2147483649", "\"-2147483649\"", NULL},
    {"String", "serialize", "1e3", "\"1000\"", NULL},
    {"String", "serialize", "\"12\"", "\"12\"", NULL},
    {"String", "serialize", "\"1.5\"", "\"1.5\"", NULL},
    {"String", "serialize", "\"\"", "\"\"", NULL},
    {"String", "serialize", "\" 7 \"", "\" 7 \"", NULL},
    {"String", "serialize", "\"0x1F\"", "\"0x1F\"", NULL},
    {"String", "serialize", "\"abc\"", "\"abc\"", NULL},
    {"String", "serialize", "true", "\"true\"", NULL},
    {"String", "serialize", "false", "\"false\"", NULL},
    {"String", "serialize", "null", NULL, "String cannot represent value: null"},
    {"String", "serialize", "[1]", NULL, "String cannot represent value: [1]"},
    {"String", "serialize", "{\"a\":1}", NULL, "String cannot represent value: { a: 1 }"},
    {"String", "serialize", "0.1", "\"0.1\"", NULL},
    {"String", "serialize", "1e21", "\"1e+21\"", NULL},
    {"String", "serialize", "-0.5", "\"-0.5\"", NULL},
    {"String", "serialize", "123456789012", "\"123456789012\"", NULL},
    {"String", "serialize", "[]", NULL, "String cannot represent value: []"},
    {"String", "serialize", "{}", NULL, "String cannot represent value: {}"},
    {"String", "serialize", "[1,[2,[3,[4]]]]", NULL,
     "String cannot represent value: [1, [2, [Array]]]"},
    {"String", "serialize", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "String cannot represent value: { a: { b: [Object] } }"},
    {"String", "serialize", "\"a\\\"b\\nc\"", "\"a\\\"b\\nc\"", NULL},
    {"String", "serialize", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "String cannot represent value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"String", "parseValue", "1", NULL, "String cannot represent a non string value: 1"},
    {"String", "parseValue", "-1", NULL, "String cannot represent a non string value: -1"},
    {"String", "parseValue", "1.0", NULL, "String cannot represent a non string value: 1"},
    {"String", "parseValue", "1.5", NULL, "String cannot represent a non string value: 1.5"},
    {"String", "parseValue", "2147483647", NULL,
     "String cannot represent a non string value: 2147483647"},
    {"String", "parseValue", "2147483648", NULL,
     "String cannot represent a non string value: 2147483648"},
    {"String", "parseValue", "-2147483649", NULL,
     "String cannot represent a non string value: -2147483649"},
    {"String", "parseValue", "1e3", NULL, "String cannot represent a non string value: 1000"},
    {"String", "parseValue", "\"12\"", "\"12\"", NULL},
    {"String", "parseValue", "\"1.5\"", "\"1.5\"", NULL},
    {"String", "parseValue", "\"\"", "\"\"", NULL},
    {"String", "parseValue", "\" 7 \"", "\" 7 \"", NULL},
    {"String", "parseValue", "\"0x1F\"", "\"0x1F\"", NULL},
    {"String", "parseValue", "\"abc\"", "\"abc\"", NULL},
    {"String", "parseValue", "true", NULL, "String cannot represent a non string value: true"},
    {"String", "parseValue", "false", NULL, "String cannot represent a non string value: false"},
    {"String", "parseValue", "null", NULL, "String cannot represent a non string value: null"},
    {"String", "parseValue", "[1]", NULL, "String cannot represent a non string value: [1]"},
    {"String", "parseValue", "{\"a\":1}", NULL,
     "String cannot represent a non string value: { a: 1 }"},
    {"String", "parseValue", "0.1", NULL, "String cannot represent a non string value: 0.1"},
    {"String", "parseValue", "1e21", NULL, "String cannot represent a non string value: 1e+21"},
    {"String", "parseValue", "-0.5", NULL, "String cannot represent a non string value: -0.5"},
    {"String", "parseValue", "123456789012", NULL,
     "String cannot represent a non string value: 123456789012"},
    {"String", "parseValue", "[]", NULL, "String cannot represent a non string value: []"},
    {"String", "parseValue", "{}", NULL, "String cannot represent a non string value: {}"},
    {"String", "parseValue", "[1,[2,[3,[4]]]]", NULL,
     "String cannot represent a non string value: [1, [2, [Array]]]"},
    {"String", "parseValue", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "String cannot represent a non string value: { a: { b: [Object] } }"},
    {"String", "parseValue", "\"a\\\"b\\nc\"", "\"a\\\"b\\nc\"", NULL},
    {"String", "parseValue", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "String cannot represent a non string value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"Boolean", "serialize", "1", "true", NULL},
    {"Boolean", "serialize", "-1", "true", NULL},
    {"Boolean", "serialize", "1.0", "true", NULL},
    {"Boolean", "serialize", "1.5", "true", NULL},
    {"Boolean", "serialize", "2147483647", "true", NULL},
    {"Boolean", "serialize", "2147483648", "true", NULL},
    {"Boolean", "serialize", "-2147483649", "true", NULL},
    {"Boolean", "serialize", "1e3", "true", NULL},
    {"Boolean", "serialize", "\"12\"", NULL,
     "Boolean cannot represent a non boolean value: \"12\""},
    {"Boolean", "serialize", "\"1.5\"", NULL,
     "Boolean cannot represent a non boolean value: \"1.5\""},
    {"Boolean", "serialize", "\"\"", NULL, "Boolean cannot represent a non boolean value: \"\""},
    {"Boolean", "serialize", "\" 7 \"", NULL,
     "Boolean cannot represent a non boolean value: \" 7 \""},
    {"Boolean", "serialize", "\"0x1F\"", NULL,
     "Boolean cannot represent a non boolean value: \"0x1F\""},
    {"Boolean", "serialize", "\"abc\"", NULL,
     "Boolean cannot represent a non boolean value: \"abc\""},
    {"Boolean", "serialize", "true", "true", NULL},
    {"Boolean", "serialize", "false", "false", NULL},
    {"Boolean", "serialize", "null", NULL, "Boolean cannot represent a non boolean value: null"},
    {"Boolean", "serialize", "[1]", NULL, "Boolean cannot represent a non boolean value: [1]"},
    {"Boolean", "serialize", "{\"a\":1}", NULL,
     "Boolean cannot represent a non boolean value: { a: 1 }"},
    {"Boolean", "serialize", "0.1", "true", NULL},
    {"Boolean", "serialize", "1e21", "true", NULL},
    {"Boolean", "serialize", "-0.5", "true", NULL},
    {"Boolean", "serialize", "123456789012", "true", NULL},
    {"Boolean", "serialize", "[]", NULL, "Boolean cannot represent a non boolean value: []"},
    {"Boolean", "serialize", "{}", NULL, "Boolean cannot represent a non boolean value: {}"},
    {"Boolean", "serialize", "[1,[2,[3,[4]]]]", NULL,
     "Boolean cannot represent a non boolean value: [1, [2, [Array]]]"},
    {"Boolean", "serialize", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Boolean cannot represent a non boolean value: { a: { b: [Object] } }"},
    {"Boolean", "serialize", "\"a\\\"b\\nc\"", NULL,
     "Boolean cannot represent a non boolean value: \"a\\\"b\\nc\""},
    {"Boolean", "serialize", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Boolean cannot represent a non boolean value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"Boolean", "parseValue", "1", NULL, "Boolean cannot represent a non boolean value: 1"},
    {"Boolean", "parseValue", "-1", NULL, "Boolean cannot represent a non boolean value: -1"},
    {"Boolean", "parseValue", "1.0", NULL, "Boolean cannot represent a non boolean value: 1"},
    {"Boolean", "parseValue", "1.5", NULL, "Boolean cannot represent a non boolean value: 1.5"},
    {"Boolean", "parseValue", "2147483647", NULL,
     "Boolean cannot represent a non boolean value: 2147483647"},
    {"Boolean", "parseValue", "2147483648", NULL,
     "Boolean cannot represent a non boolean value: 2147483648"},
    {"Boolean", "parseValue", "-2147483649", NULL,
     "Boolean cannot represent a non boolean value: -2147483649"},
    {"Boolean", "parseValue", "1e3", NULL, "Boolean cannot represent a non boolean value: 1000"},
    {"Boolean", "parseValue", "\"12\"", NULL,
     "Boolean cannot represent a non boolean value: \"12\""},
    {"Boolean", "parseValue", "\"1.5\"", NULL,
     "Boolean cannot represent a non boolean value: \"1.5\""},
    {"Boolean", "parseValue", "\"\"", NULL, "Boolean cannot represent a non boolean value: \"\""},
    {"Boolean", "parseValue", "\" 7 \"", NULL,
     "Boolean cannot represent a non boolean value: \" 7 \""},
    {"Boolean", "parseValue", "\"0x1F\"", NULL,
     "Boolean cannot represent a non boolean value: \"0x1F\""},
    {"Boolean", "parseValue", "\"abc\"", NULL,
     "Boolean cannot represent a non boolean value: \"abc\""},
    {"Boolean", "parseValue", "true", "true", NULL},
    {"Boolean", "parseValue", "false", "false", NULL},
    {"Boolean", "parseValue", "null", NULL, "Boolean cannot represent a non boolean value: null"},
    {"Boolean", "parseValue", "[1]", NULL, "Boolean cannot represent a non boolean value: [1]"},
    {"Boolean", "parseValue", "{\"a\":1}", NULL,
     "Boolean cannot represent a non boolean value: { a: 1 }"},
    {"Boolean", "parseValue", "0.1", NULL, "Boolean cannot represent a non boolean value: 0.1"},
    {"Boolean", "parseValue", "1e21", NULL, "Boolean cannot represent a non boolean value: 1e+21"},
    {"Boolean", "parseValue", "-0.5", NULL, "Boolean cannot represent a non boolean value: -0.5"},
    {"Boolean", "parseValue", "123456789012", NULL,
     "Boolean cannot represent a non boolean value: 123456789012"},
    {"Boolean", "parseValue", "[]", NULL, "Boolean cannot represent a non boolean value: []"},
    {"Boolean", "parseValue", "{}", NULL, "Boolean cannot represent a non boolean value: {}"},
    {"Boolean", "parseValue", "[1,[2,[3,[4]]]]", NULL,
     "Boolean cannot represent a non boolean value: [1, [2, [Array]]]"},
    {"Boolean", "parseValue", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "Boolean cannot represent a non boolean value: { a: { b: [Object] } }"},
    {"Boolean", "parseValue", "\"a\\\"b\\nc\"", NULL,
     "Boolean cannot represent a non boolean value: \"a\\\"b\\nc\""},
    {"Boolean", "parseValue", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "Boolean cannot represent a non boolean value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more "
     "items]"},
    {"ID", "serialize", "1", "\"1\"", NULL},
    {"ID", "serialize", "-1", "\"-1\"", NULL},
    {"ID", "serialize", "1.0", "\"1\"", NULL},
    {"ID", "serialize", "1.5", NULL, "ID cannot represent value: 1.5"},
    {"ID", "serialize", "2147483647", "\"2147483647\"", NULL},
    {"ID", "serialize", "2147483648", "\"2147483648\"", NULL},
    {"ID", "serialize", "-2147483649", "\"-2147483649\"", NULL},
    {"ID", "serialize", "1e3", "\"1000\"", NULL},
    {"ID", "serialize", "\"12\"", "\"12\"", NULL},
    {"ID", "serialize", "\"1.5\"", "\"1.5\"", NULL},
    {"ID", "serialize", "\"\"", "\"\"", NULL},
    {"ID", "serialize", "\" 7 \"", "\" 7 \"", NULL},
    {"ID", "serialize", "\"0x1F\"", "\"0x1F\"", NULL},
    {"ID", "serialize", "\"abc\"", "\"abc\"", NULL},
    {"ID", "serialize", "true", NULL, "ID cannot represent value: true"},
    {"ID", "serialize", "false", NULL, "ID cannot represent value: false"},
    {"ID", "serialize", "null", NULL, "ID cannot represent value: null"},
    {"ID", "serialize", "[1]", NULL, "ID cannot represent value: [1]"},
    {"ID", "serialize", "{\"a\":1}", NULL, "ID cannot represent value: { a: 1 }"},
    {"ID", "serialize", "0.1", NULL, "ID cannot represent value: 0.1"},
    {"ID", "serialize", "1e21", "\"1e+21\"", NULL},
    {"ID", "serialize", "-0.5", NULL, "ID cannot represent value: -0.5"},
    {"ID", "serialize", "123456789012", "\"123456789012\"", NULL},
    {"ID", "serialize", "[]", NULL, "ID cannot represent value: []"},
    {"ID", "serialize", "{}", NULL, "ID cannot represent value: {}"},
    {"ID", "serialize", "[1,[2,[3,[4]]]]", NULL, "ID cannot represent value: [1, [2, [Array]]]"},
    {"ID", "serialize", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "ID cannot represent value: { a: { b: [Object] } }"},
    {"ID", "serialize", "\"a\\\"b\\nc\"", "\"a\\\"b\\nc\"", NULL},
    {"ID", "serialize", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "ID cannot represent value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"ID", "parseValue", "1", "\"1\"", NULL},
    {"ID", "parseValue", "-1", "\"-1\"", NULL},
    {"ID", "parseValue", "1.0", "\"1\"", NULL},
    {"ID", "parseValue", "1.5", NULL, "ID cannot represent value: 1.5"},
    {"ID", "parseValue", "2147483647", "\"2147483647\"", NULL},
    {"ID", "parseValue", "2147483648", "\"2147483648\"", NULL},
    {"ID", "parseValue", "-2147483649", "\"-2147483649\"", NULL},
    {"ID", "parseValue", "1e3", "\"1000\"", NULL},
    {"ID", "parseValue", "\"12\"", "\"12\"", NULL},
    {"ID", "parseValue", "\"1.5\"", "\"1.5\"", NULL},
    {"ID", "parseValue", "\"\"", "\"\"", NULL},
    {"ID", "parseValue", "\" 7 \"", "\" 7 \"", NULL},
    {"ID", "parseValue", "\"0x1F\"", "\"0x1F\"", NULL},
    {"ID", "parseValue", "\"abc\"", "\"abc\"", NULL},
    {"ID", "parseValue", "true", NULL, "ID cannot represent value: true"},
    {"ID", "parseValue", "false", NULL, "ID cannot represent value: false"},
    {"ID", "parseValue", "null", NULL, "ID cannot represent value: null"},
    {"ID", "parseValue", "[1]", NULL, "ID cannot represent value: [1]"},
    {"ID", "parseValue", "{\"a\":1}", NULL, "ID cannot represent value: { a: 1 }"},
    {"ID", "parseValue", "0.1", NULL, "ID cannot represent value: 0.1"},
    {"ID", "parseValue", "1e21", "\"1e+21\"", NULL},
    {"ID", "parseValue", "-0.5", NULL, "ID cannot represent value: -0.5"},
    {"ID", "parseValue", "123456789012", "\"123456789012\"", NULL},
    {"ID", "parseValue", "[]", NULL, "ID cannot represent value: []"},
    {"ID", "parseValue", "{}", NULL, "ID cannot represent value: {}"},
    {"ID", "parseValue", "[1,[2,[3,[4]]]]", NULL, "ID cannot represent value: [1, [2, [Array]]]"},
    {"ID", "parseValue", "{\"a\":{\"b\":{\"c\":1}}}", NULL,
     "ID cannot represent value: { a: { b: [Object] } }"},
    {"ID", "parseValue", "\"a\\\"b\\nc\"", "\"a\\\"b\\nc\"", NULL},
    {"ID", "parseValue", "[1,2,3,4,5,6,7,8,9,10,11,12]", NULL,
     "ID cannot represent value: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 2 more items]"},
    {"Int", "parseLiteral", "1", "1", NULL},
    {"Int", "parseLiteral", "-7", "-7", NULL},
    {"Int", "parseLiteral", "2147483648", NULL,
     "Int cannot represent non 32-bit signed integer value: 2147483648"},
    {"Int", "parseLiteral", "1.5", NULL, "Int cannot represent non-integer value: 1.5"},
    {"Int", "parseLiteral", "1e3", NULL, "Int cannot represent non-integer value: 1e3"},
    {"Int", "parseLiteral", "\"s\"", NULL, "Int cannot represent non-integer value: \"s\""},
    {"Int", "parseLiteral", "\"\"\"blk\"\"\"", NULL,
     "Int cannot represent non-integer value: \"\"\"blk\"\"\""},
    {"Int", "parseLiteral", "true", NULL, "Int cannot represent non-integer value: true"},
    {"Int", "parseLiteral", "null", NULL, "Int cannot represent non-integer value: null"},
    {"Int", "parseLiteral", "ENUM", NULL, "Int cannot represent non-integer value: ENUM"},
    {"Int", "parseLiteral", "[1, 2]", NULL, "Int cannot represent non-integer value: [1, 2]"},
    {"Int", "parseLiteral", "{a: 1}", NULL, "Int cannot represent non-integer value: {a: 1}"},
    {"Int", "parseLiteral", "$v", NULL, "Int cannot represent non-integer value: $v"},
    {"Float", "parseLiteral", "1", "1", NULL},
    {"Float", "parseLiteral", "-7", "-7", NULL},
    {"Float", "parseLiteral", "2147483648", "2147483648", NULL},
    {"Float", "parseLiteral", "1.5", "1.5", NULL},
    {"Float", "parseLiteral", "1e3", "1000", NULL},
    {"Float", "parseLiteral", "\"s\"", NULL, "Float cannot represent non numeric value: \"s\""},
    {"Float", "parseLiteral", "\"\"\"blk\"\"\"", NULL,
     "Float cannot represent non numeric value: \"\"\"blk\"\"\""},
    {"Float", "parseLiteral", "true", NULL, "Float cannot represent non numeric value: true"},
    {"Float", "parseLiteral", "null", NULL, "Float cannot represent non numeric value: null"},
    {"Float", "parseLiteral", "ENUM", NULL, "Float cannot represent non numeric value: ENUM"},
    {"Float", "parseLiteral", "[1, 2]", NULL, "Float cannot represent non numeric value: [1, 2]"},
    {"Float", "parseLiteral", "{a: 1}", NULL, "Float cannot represent non numeric value: {a: 1}"},
    {"Float", "parseLiteral", "$v", NULL, "Float cannot represent non numeric value: $v"},
    {"String", "parseLiteral", "1", NULL, "String cannot represent a non string value: 1"},
    {"String", "parseLiteral", "-7", NULL, "String cannot represent a non string value: -7"},
    {"String", "parseLiteral", "2147483648", NULL,
     "String cannot represent a non string value: 2147483648"},
    {"String", "parseLiteral", "1.5", NULL, "String cannot represent a non string value: 1.5"},
    {"String", "parseLiteral", "1e3", NULL, "String cannot represent a non string value: 1e3"},
    {"String", "parseLiteral", "\"s\"", "\"s\"", NULL},
    {"String", "parseLiteral", "\"\"\"blk\"\"\"", "\"blk\"", NULL},
    {"String", "parseLiteral", "true", NULL, "String cannot represent a non string value: true"},
    {"String", "parseLiteral", "null", NULL, "String cannot represent a non string value: null"},
    {"String", "parseLiteral", "ENUM", NULL, "String cannot represent a non string value: ENUM"},
    {"String", "parseLiteral", "[1, 2]", NULL,
     "String cannot represent a non string value: [1, 2]"},
    {"String", "parseLiteral", "{a: 1}", NULL,
     "String cannot represent a non string value: {a: 1}"},
    {"String", "parseLiteral", "$v", NULL, "String cannot represent a non string value: $v"},
    {"Boolean", "parseLiteral", "1", NULL, "Boolean cannot represent a non boolean value: 1"},
    {"Boolean", "parseLiteral", "-7", NULL, "Boolean cannot represent a non boolean value: -7"},
    {"Boolean", "parseLiteral", "2147483648", NULL,
     "Boolean cannot represent a non boolean value: 2147483648"},
    {"Boolean", "parseLiteral", "1.5", NULL, "Boolean cannot represent a non boolean value: 1.5"},
    {"Boolean", "parseLiteral", "1e3", NULL, "Boolean cannot represent a non boolean value: 1e3"},
    {"Boolean", "parseLiteral", "\"s\"", NULL,
     "Boolean cannot represent a non boolean value: \"s\""},
    {"Boolean", "parseLiteral", "\"\"\"blk\"\"\"", NULL,
     "Boolean cannot represent a non boolean value: \"\"\"blk\"\"\""},
    {"Boolean", "parseLiteral", "true", "true", NULL},
    {"Boolean", "parseLiteral", "null", NULL, "Boolean cannot represent a non boolean value: null"},
    {"Boolean", "parseLiteral", "ENUM", NULL, "Boolean cannot represent a non boolean value: ENUM"},
    {"Boolean", "parseLiteral", "[1, 2]", NULL,
     "Boolean cannot represent a non boolean value: [1, 2]"},
    {"Boolean", "parseLiteral", "{a: 1}", NULL,
     "Boolean cannot represent a non boolean value: {a: 1}"},
    {"Boolean", "parseLiteral", "$v", NULL, "Boolean cannot represent a non boolean value: $v"},
    {"ID", "parseLiteral", "1", "\"1\"", NULL},
    {"ID", "parseLiteral", "-7", "\"-7\"", NULL},
    {"ID", "parseLiteral", "2147483648", "\"2147483648\"", NULL},
    {"ID", "parseLiteral", "1.5", NULL,
     "ID cannot represent a non-string and non-integer value: 1.5"},
    {"ID", "parseLiteral", "1e3", NULL,
     "ID cannot represent a non-string and non-integer value: 1e3"},
    {"ID", "parseLiteral", "\"s\"", "\"s\"", NULL},
    {"ID", "parseLiteral", "\"\"\"blk\"\"\"", "\"blk\"", NULL},
    {"ID", "parseLiteral", "true", NULL,
     "ID cannot represent a non-string and non-integer value: true"},
    {"ID", "parseLiteral", "null", NULL,
     "ID cannot represent a non-string and non-integer value: null"},
    {"ID", "parseLiteral", "ENUM", NULL,
     "ID cannot represent a non-string and non-integer value: ENUM"},
    {"ID", "parseLiteral", "[1, 2]", NULL,
     "ID cannot represent a non-string and non-integer value: [1, 2]"},
    {"ID", "parseLiteral", "{a: 1}", NULL,
     "ID cannot represent a non-string and non-integer value: {a: 1}"},
    {"ID", "parseLiteral", "$v", NULL,
     "ID cannot represent a non-string and non-integer value: $v"},
};

typedef json_t *(*value_fn)(void *, json_t *, mm_arena *, const char **);
typedef json_t *(*literal_fn)(void *, const mm_gql_value *, json_t *, mm_arena *, const char **);

static void pick(const char *type, value_fn *ser, value_fn *pv, literal_fn *pl) {
    if (strcmp(type, "Int") == 0) {
        *ser = mm_gql_int_serialize, *pv = mm_gql_int_parse_value, *pl = mm_gql_int_parse_literal;
    } else if (strcmp(type, "Float") == 0) {
        *ser = mm_gql_float_serialize, *pv = mm_gql_float_parse_value;
        *pl = mm_gql_float_parse_literal;
    } else if (strcmp(type, "String") == 0) {
        *ser = mm_gql_string_serialize, *pv = mm_gql_string_parse_value;
        *pl = mm_gql_string_parse_literal;
    } else if (strcmp(type, "Boolean") == 0) {
        *ser = mm_gql_boolean_serialize, *pv = mm_gql_boolean_parse_value;
        *pl = mm_gql_boolean_parse_literal;
    } else {
        *ser = mm_gql_id_serialize, *pv = mm_gql_id_parse_value, *pl = mm_gql_id_parse_literal;
    }
}

static void test_graphql_js_table(void **state) {
    (void)state;
    size_t failures = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const scalar_case *c = &cases[i];
        mm_arena arena;
        mm_arena_init(&arena);
        value_fn ser, pv;
        literal_fn pl;
        pick(c->type, &ser, &pv, &pl);
        const char *error = NULL;
        json_t *out;
        if (strcmp(c->fn, "parseLiteral") == 0) {
            mm_gql_errors errors;
            mm_gql_errors_init(&errors, &arena);
            mm_gql_value *lit = mm_gql_parse_value(&arena, c->input, strlen(c->input), &errors);
            assert_non_null(lit);
            out = pl(NULL, lit, NULL, &arena, &error);
        } else {
            json_t *in = json_loads(c->input, JSON_DECODE_ANY, NULL);
            assert_non_null(in);
            out = (strcmp(c->fn, "serialize") == 0 ? ser : pv)(NULL, in, &arena, &error);
            json_decref(in);
        }
        const char *got = out ? mm_gql_inspect(out, &arena) : NULL;
        bool ok = c->error ? (!out && error && strcmp(error, c->error) == 0)
                           : (out && strcmp(got, c->result) == 0);
        if (!ok) {
            print_error("%s.%s(%s): expected %s%s, got %s%s\n", c->type, c->fn, c->input,
                        c->error ? "error " : "", c->error ? c->error : c->result,
                        out ? "" : "error ", out ? got : (error ? error : "(none)"));
            failures++;
        }
        json_decref(out);
        mm_arena_reset(&arena);
    }
    assert_int_equal(failures, 0);
}

/* Float arguments are JSON reals, so C resolvers can use json_real_value;
 * Float results that are whole numbers print as JSON.stringify prints them. */
static void test_float_representation(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    const char *error = NULL;
    json_t *one = json_integer(1);
    json_t *v = mm_gql_float_parse_value(NULL, one, &arena, &error);
    assert_true(json_is_real(v));
    assert_true(json_real_value(v) == 1.0);
    json_decref(v);
    json_t *r = json_real(2.0);
    v = mm_gql_float_serialize(NULL, r, &arena, &error);
    assert_true(json_is_integer(v));
    assert_int_equal(json_integer_value(v), 2);
    json_decref(v);
    json_decref(r);
    json_decref(one);
    mm_arena_reset(&arena);
}

static void test_js_number_string(void **state) {
    (void)state;
    char buf[32];
    struct {
        double v;
        const char *s;
    } rows[] = {
        {0, "0"},
        {-0.0, "0"},
        {1, "1"},
        {-1.5, "-1.5"},
        {0.1, "0.1"},
        {1e21, "1e+21"},
        {1e20, "100000000000000000000"},
        {1e-7, "1e-7"},
        {1.5e-7, "1.5e-7"},
        {0.000001, "0.000001"},
        {123456789012345680000.0, "123456789012345680000"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {5e-324, "5e-324"},
        {0.3, "0.3"},
        {2.5e25, "2.5e+25"},
        {NAN, "NaN"},
        {INFINITY, "Infinity"},
        {-INFINITY, "-Infinity"},
        {100, "100"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        assert_string_equal(mm_js_number_string(rows[i].v, buf), rows[i].s);
}

static void test_inspect(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    struct {
        const char *json;
        const char *s;
    } rows[] = {
        {"{\"a\":1,\"b\":[1,\"x\"]}", "{ a: 1, b: [1, \"x\"] }"},
        {"{}", "{}"},
        {"[]", "[]"},
        {"{\"a\":{\"b\":{}}}", "{ a: { b: {} } }"},
        {"{\"a\":{\"b\":{\"c\":1}}}", "{ a: { b: [Object] } }"},
        {"[[[[1]]]]", "[[[Array]]]"},
        {"[1,2,3,4,5,6,7,8,9,10,11]", "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ... 1 more item]"},
        {"\"a\\u0001\"", "\"a\\u0001\""},
        {"null", "null"},
        {"1.0", "1"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        json_t *v = json_loads(rows[i].json, JSON_DECODE_ANY, NULL);
        assert_string_equal(mm_gql_inspect(v, &arena), rows[i].s);
        json_decref(v);
    }
    assert_string_equal(mm_gql_inspect(NULL, &arena), "undefined");
    mm_arena_reset(&arena);
}

static void test_untyped_literals(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *src = "{a: [1, 2.5, \"s\", ENUM, true, null, $v, $missing], b: {c: $missing}}";
    mm_gql_value *lit = mm_gql_parse_value(&arena, src, strlen(src), &errors);
    assert_non_null(lit);
    json_t *vars = json_pack("{s:i}", "v", 7);
    const char *error = NULL;
    json_t *v = mm_gql_identity_parse_literal(NULL, lit, vars, &arena, &error);
    char *text = json_dumps(v, JSON_COMPACT);
    assert_string_equal(text, "{\"a\":[1,2.5,\"s\",\"ENUM\",true,null,7,null],\"b\":{}}");
    free(text);
    json_decref(v);
    /* identity serialize/parseValue return the same value */
    v = mm_gql_identity_serialize(NULL, vars, &arena, &error);
    assert_ptr_equal(v, vars);
    json_decref(v);
    json_decref(vars);
    mm_arena_reset(&arena);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graphql_js_table), cmocka_unit_test(test_float_representation),
        cmocka_unit_test(test_js_number_string), cmocka_unit_test(test_inspect),
        cmocka_unit_test(test_untyped_literals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
