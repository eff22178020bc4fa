/* directive_location.c -- the names of the directive locations
 * (directive_location.h), in bit order. */
#include "graphql/language/directive_location.h"

#include <assert.h>
#include <string.h>

static const char *const location_names[] = {
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
    "SCHEMA",
    "SCALAR",
    "OBJECT",
    "FIELD_DEFINITION",
    "ARGUMENT_DEFINITION",
    "INTERFACE",
    "UNION",
    "ENUM",
    "ENUM_VALUE",
    "INPUT_OBJECT",
    "INPUT_FIELD_DEFINITION",
    "DIRECTIVE_DEFINITION",
};

#define LOCATION_COUNT (sizeof location_names / sizeof location_names[0])

/* The table is in bit order: its last name is the enum's last bit. */
static_assert(1u << (LOCATION_COUNT - 1) == MM_GQL_LOC_DIRECTIVE_DEFINITION,
              "location_names must list every mm_gql_directive_location in bit order");

unsigned mm_gql_directive_location_bit(const char *name) {
    for (unsigned i = 0; i < LOCATION_COUNT; i++)
        if (strcmp(location_names[i], name) == 0) return 1u << i;
    return 0;
}

const char *mm_gql_directive_location_name(unsigned bit) {
    for (unsigned i = 0; i < LOCATION_COUNT; i++)
        if (bit == 1u << i) return location_names[i];
    return "";
}
