/* test_hash.c -- 64-bit FNV-1a against the published test vectors, and the
 * three entry points agreeing with each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/hash.h"

static void known_vectors(void **state) {
    (void)state;
    assert_true(mm_fnv1a("", 0) == UINT64_C(0xcbf29ce484222325));
    assert_true(mm_fnv1a_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
    assert_true(mm_fnv1a_str("foobar") == UINT64_C(0x85944171f73967e8));
}

static void entry_points_agree(void **state) {
    (void)state;
    const char *s = "Query.user(id: $id)";
    uint64_t whole = mm_fnv1a(s, strlen(s));
    assert_true(mm_fnv1a_str(s) == whole);
    uint64_t parts = mm_fnv1a_update(mm_fnv1a(s, 5), s + 5, strlen(s) - 5);
    assert_true(parts == whole);
    assert_true(mm_fnv1a_str("ab") != mm_fnv1a_str("ba"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_vectors),
        cmocka_unit_test(entry_points_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
