/* test_suggest.c -- "did you mean": edit distance (with swapped neighbours,
 * case-insensitive) and the rule for when a candidate is close enough. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/suggest.h"

static void test_distance(void **state) {
    (void)state;
    assert_int_equal(mm_suggest_distance("kafka", "kafka"), 0);
    assert_int_equal(mm_suggest_distance("kafak", "kafka"), 1); /* swapped neighbours */
    assert_int_equal(mm_suggest_distance("PingEvnt", "PingEvent"), 1);
    assert_int_equal(mm_suggest_distance("pingevent", "PingEvent"), 0);
    assert_int_equal(mm_suggest_distance("", "abc"), 3);
    assert_int_equal(mm_suggest_distance("sitting", "kitten"), 3);
    char longer[80];
    memset(longer, 'a', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    assert_int_equal(mm_suggest_distance(longer, "a"), SIZE_MAX);
}

static void test_closest_within_limit(void **state) {
    (void)state;
    static const char *const keys[] = {"kafka", "redis", "http", "manager", "log_level", NULL};
    mm_suggest sg;
    char hint[64];
    mm_suggest_init(&sg, "kafak");
    for (const char *const *k = keys; *k; k++) mm_suggest_offer(&sg, *k);
    assert_string_equal(mm_suggest_hint(&sg, hint, sizeof hint), " (did you mean 'kafka'?)");
    mm_suggest_init(&sg, "zzz");
    for (const char *const *k = keys; *k; k++) mm_suggest_offer(&sg, *k);
    assert_null(sg.best);
    assert_string_equal(mm_suggest_hint(&sg, hint, sizeof hint), "");
    mm_suggest_init(&sg, "kafka"); /* the word itself is no suggestion */
    mm_suggest_offer(&sg, "kafka");
    assert_null(sg.best);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_closest_within_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
