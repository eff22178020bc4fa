/* test_strbuf.c -- the common string buffer, heap and arena backed: appends
 * across growth, printf in and past the room there is, take and free, and a
 * failed allocation that sticks (NULL at the end, later appends ignored). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

static void heap_grows_and_takes(void **state) {
    (void)state;
    mm_strbuf b = MM_STRBUF_INIT;
    assert_string_equal(mm_strbuf_str(&b), "");
    for (int i = 0; i < 1000; i++) mm_strbuf_puts(&b, "ab");
    mm_strbuf_putc(&b, '!');
    mm_strbuf_append(&b, "xyz", 2);
    assert_int_equal(b.len, 2003);
    assert_int_equal(strlen(mm_strbuf_str(&b)), 2003);
    assert_memory_equal(mm_strbuf_str(&b) + 1996, "abab!xy", 7);
    char *s = mm_strbuf_take(&b);
    assert_int_equal(strlen(s), 2003);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    free(s);
    s = mm_strbuf_take(&b); /* empty: "" the caller frees */
    assert_string_equal(s, "");
    free(s);
}

static void printf_fits_and_overflows(void **state) {
    (void)state;
    mm_strbuf b = MM_STRBUF_INIT;
    mm_strbuf_printf(&b, "%d-%s", 42, "x");
    assert_string_equal(mm_strbuf_str(&b), "42-x");
    char big[300];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    mm_strbuf_printf(&b, "[%s]", big); /* past the first 64 bytes of room */
    assert_int_equal(b.len, 4 + 2 + 299);
    assert_int_equal(mm_strbuf_str(&b)[4], '[');
    assert_int_equal(mm_strbuf_str(&b)[b.len - 1], ']');
    assert_int_equal(strlen(mm_strbuf_str(&b)), b.len);
    mm_strbuf_free(&b);
    assert_null(b.data);
}

static void arena_backed(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_strbuf b;
    mm_strbuf_init(&b, &arena);
    for (int i = 0; i < 100; i++) mm_strbuf_printf(&b, "%02d,", i);
    assert_int_equal(b.len, 300);
    assert_memory_equal(mm_strbuf_str(&b), "00,01,02,", 9);
    char *s = mm_strbuf_take(&b); /* lives in the arena */
    assert_int_equal(strlen(s), 300);
    assert_ptr_equal(b.arena, &arena);
    mm_strbuf_puts(&b, "again");
    assert_string_equal(mm_strbuf_str(&b), "again");
    mm_strbuf_free(&b); /* nothing to free: the arena owns it */
    mm_arena_reset(&arena);
}

static void failure_sticks(void **state) {
    (void)state;
    mm_strbuf b = MM_STRBUF_INIT;
    mm_strbuf_puts(&b, "ok");
    assert_false(mm_strbuf_reserve(&b, SIZE_MAX - 1)); /* cannot be had */
    assert_true(b.failed);
    mm_strbuf_puts(&b, "ignored");
    mm_strbuf_printf(&b, "%s", "ignored");
    assert_null(mm_strbuf_str(&b));
    assert_null(mm_strbuf_take(&b)); /* and the memory is released */
    assert_false(b.failed);
    mm_strbuf_puts(&b, "fresh");
    assert_string_equal(mm_strbuf_str(&b), "fresh");
    mm_strbuf_free(&b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(heap_grows_and_takes),
        cmocka_unit_test(printf_fits_and_overflows),
        cmocka_unit_test(arena_backed),
        cmocka_unit_test(failure_sticks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
