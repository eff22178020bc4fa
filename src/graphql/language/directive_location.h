/* directive_location.h -- the directive locations of the GraphQL
 * specification (§3.13) as one bit set, and the one table that maps their
 * names to bits (graphql-js language/directiveLocation). The parser checks a
 * definition's locations against it, the schema builder turns them into
 * bits, and validation names a misplaced directive's location with it. */
#ifndef MM_GRAPHQL_DIRECTIVE_LOCATION_H
#define MM_GRAPHQL_DIRECTIVE_LOCATION_H

typedef enum mm_gql_directive_location {
    MM_GQL_LOC_QUERY = 1u << 0,
    MM_GQL_LOC_MUTATION = 1u << 1,
    MM_GQL_LOC_SUBSCRIPTION = 1u << 2,
    MM_GQL_LOC_FIELD = 1u << 3,
    MM_GQL_LOC_FRAGMENT_DEFINITION = 1u << 4,
    MM_GQL_LOC_FRAGMENT_SPREAD = 1u << 5,
    MM_GQL_LOC_INLINE_FRAGMENT = 1u << 6,
    MM_GQL_LOC_VARIABLE_DEFINITION = 1u << 7,
    MM_GQL_LOC_SCHEMA = 1u << 8,
    MM_GQL_LOC_SCALAR = 1u << 9,
    MM_GQL_LOC_OBJECT = 1u << 10,
    MM_GQL_LOC_FIELD_DEFINITION = 1u << 11,
    MM_GQL_LOC_ARGUMENT_DEFINITION = 1u << 12,
    MM_GQL_LOC_INTERFACE = 1u << 13,
    MM_GQL_LOC_UNION = 1u << 14,
    MM_GQL_LOC_ENUM = 1u << 15,
    MM_GQL_LOC_ENUM_VALUE = 1u << 16,
    MM_GQL_LOC_INPUT_OBJECT = 1u << 17,
    MM_GQL_LOC_INPUT_FIELD_DEFINITION = 1u << 18,
    MM_GQL_LOC_DIRECTIVE_DEFINITION = 1u << 19, /* graphql-js 16.12+: @deprecated on directives */
} mm_gql_directive_location;

/* The bit of the location named `name` ("FIELD_DEFINITION"), or 0 when the
 * specification has no such location. */
unsigned mm_gql_directive_location_bit(const char *name);

/* The name of a single location bit, or "" for anything else. */
const char *mm_gql_directive_location_name(unsigned bit);

#endif
