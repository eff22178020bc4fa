/* validate.h -- validation of executable GraphQL documents against a schema.
 *
 * Implements specification §5 as graphql-js 16's specifiedRules does: every
 * rule runs in one walk of the document, errors carry graphql-js's exact
 * messages and locations and appear in the order graphql-js reports them.
 * Validation is a pure function of (schema, document): it allocates only in
 * the errors' arena and may run on many threads at once against one schema. */
#ifndef MM_GRAPHQL_VALIDATE_H
#define MM_GRAPHQL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/language/ast.h"
#include "graphql/error/error.h"
#include "graphql/type/schema.h"

/* One bit per rule, in graphql-js's specifiedRules order. Tests use them to
 * run a single rule, as graphql-js's own rule tests do. */
typedef enum mm_gql_rule {
    MM_GQL_RULE_EXECUTABLE_DEFINITIONS = 1u << 0,
    MM_GQL_RULE_UNIQUE_OPERATION_NAMES = 1u << 1,
    MM_GQL_RULE_LONE_ANONYMOUS_OPERATION = 1u << 2,
    MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS = 1u << 3,
    MM_GQL_RULE_KNOWN_TYPE_NAMES = 1u << 4,
    MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES = 1u << 5,
    MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES = 1u << 6,
    MM_GQL_RULE_SCALAR_LEAFS = 1u << 7,
    MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE = 1u << 8,
    MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES = 1u << 9,
    MM_GQL_RULE_KNOWN_FRAGMENT_NAMES = 1u << 10,
    MM_GQL_RULE_NO_UNUSED_FRAGMENTS = 1u << 11,
    MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS = 1u << 12,
    MM_GQL_RULE_NO_FRAGMENT_CYCLES = 1u << 13,
    MM_GQL_RULE_UNIQUE_VARIABLE_NAMES = 1u << 14,
    MM_GQL_RULE_NO_UNDEFINED_VARIABLES = 1u << 15,
    MM_GQL_RULE_NO_UNUSED_VARIABLES = 1u << 16,
    MM_GQL_RULE_KNOWN_DIRECTIVES = 1u << 17,
    MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION = 1u << 18,
    MM_GQL_RULE_KNOWN_ARGUMENT_NAMES = 1u << 19,
    MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES = 1u << 20,
    MM_GQL_RULE_VALUES_OF_CORRECT_TYPE = 1u << 21,
    MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS = 1u << 22,
    MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION = 1u << 23,
    MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED = 1u << 24,
    MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES = 1u << 25,
    MM_GQL_RULE_MAX_INTROSPECTION_DEPTH = 1u << 26,
} mm_gql_rule;

#define MM_GQL_RULES_ALL ((1u << 27) - 1u)

typedef struct mm_gql_validate_options {
    /* Stop after this many errors, adding graphql-js's "Too many validation
     * errors, error limit reached. Validation aborted." (default 100). */
    size_t max_errors;
    /* Reject a document with more aliased fields than this (counted over the
     * whole document, fragments included) with one MM_GQL_ERROR_LIMIT error
     * before any rule runs. 0 = no limit (the default). */
    size_t max_aliases;
    /* Leave "Did you mean ...?" suggestions out of messages (graphql-js hideSuggestions). */
    bool hide_suggestions;
    /* Which rules run (mm_gql_rule bits); 0 means all of them. */
    uint32_t rules;
} mm_gql_validate_options;

/* The defaults used when opts is NULL: max_errors 100, no alias limit,
 * suggestions shown, all rules. */
extern const mm_gql_validate_options mm_gql_default_validate_options;

/* Validates doc against schema and appends one error per problem to errors
 * (kind MM_GQL_ERROR_VALIDATION; the alias limit uses MM_GQL_ERROR_LIMIT).
 * Returns the number of errors added; 0 means the document is valid. Scratch
 * memory comes from errors->arena; if it runs out, the document is reported
 * invalid ("Validation aborted: out of memory.") and the result is at least 1. */
size_t mm_gql_validate(const mm_gql_schema *schema, const mm_gql_document *doc,
                       const mm_gql_validate_options *opts, mm_gql_errors *errors);

#endif
