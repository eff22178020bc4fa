/* test_uuid.c -- random UUIDs: canonical form, version/variant bits, and
 * uniqueness over a batch; the validator's accept/reject cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/uuid.h"

static void test_v4_form(void **state) {
    (void)state;
    char u[MM_UUID_STRLEN + 1];
    assert_int_equal(mm_uuid_v4(u), 0);
    assert_int_equal(strlen(u), MM_UUID_STRLEN);
    assert_true(mm_uuid_is_valid(u, strlen(u)));
    assert_int_equal(u[14], '4');
    assert_non_null(strchr("89ab", u[19]));
    for (size_t i = 0; i < MM_UUID_STRLEN; i++)
        if (u[i] != '-') assert_non_null(strchr("0123456789abcdef", u[i]));
}

static int cmp(const void *a, const void *b) { return strcmp(a, b); }

static void test_v4_unique(void **state) {
    (void)state;
    enum {
        N = 2000
    };
    char(*ids)[MM_UUID_STRLEN + 1] = calloc(N, sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < N; i++) assert_int_equal(mm_uuid_v4(ids[i]), 0);
    qsort(ids, N, sizeof *ids, cmp);
    for (int i = 1; i < N; i++) assert_string_not_equal(ids[i - 1], ids[i]);
    free(ids);
}

static void test_validator(void **state) {
    (void)state;
    const char *good = "123e4567-E89B-12d3-a456-426614174000";
    assert_true(mm_uuid_is_valid(good, strlen(good)));
    const char *bad[] = {
        "",
        "123e4567e89b12d3a456426614174000",
        "123e4567-e89b-12d3-a456-42661417400",
        "123e4567-e89b-12d3-a456-4266141740000",
        "123e4567-e89b-12d3-a456_426614174000",
        "g23e4567-e89b-12d3-a456-426614174000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(mm_uuid_is_valid(bad[i], strlen(bad[i])));
    assert_false(mm_uuid_is_valid(NULL, 36));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_v4_form),
        cmocka_unit_test(test_v4_unique),
        cmocka_unit_test(test_validator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
