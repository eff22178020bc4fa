/* test_directive_location.c -- the one table of directive location names:
 * every bit of mm_gql_directive_location has a name that maps back to it,
 * names are exact (case, unknown), and a set of bits has no single name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "graphql/language/directive_location.h"

static void every_bit_round_trips(void **state) {
    (void)state;
    unsigned named = 0;
    for (unsigned bit = 1; bit <= MM_GQL_LOC_DIRECTIVE_DEFINITION; bit <<= 1) {
        const char *name = mm_gql_directive_location_name(bit);
        assert_true(name[0] != '\0');
        assert_int_equal(mm_gql_directive_location_bit(name), bit);
        named++;
    }
    assert_int_equal(named, 20); /* the specification's 19 + DIRECTIVE_DEFINITION */
    assert_string_equal(mm_gql_directive_location_name(MM_GQL_LOC_FIELD_DEFINITION),
                        "FIELD_DEFINITION");
}

static void unknown_names_and_bits(void **state) {
    (void)state;
    assert_int_equal(mm_gql_directive_location_bit("field"), 0);
    assert_int_equal(mm_gql_directive_location_bit("FIELDS"), 0);
    assert_int_equal(mm_gql_directive_location_bit(""), 0);
    assert_string_equal(mm_gql_directive_location_name(0), "");
    assert_string_equal(mm_gql_directive_location_name(MM_GQL_LOC_QUERY | MM_GQL_LOC_MUTATION), "");
    assert_string_equal(mm_gql_directive_location_name(MM_GQL_LOC_DIRECTIVE_DEFINITION << 1), "");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_bit_round_trips),
        cmocka_unit_test(unknown_names_and_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
