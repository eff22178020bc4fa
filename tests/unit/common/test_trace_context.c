/* test_trace_context.c -- W3C traceparent/tracestate: the spec's accept and
 * reject cases, writing back, and random ids (not repeated by a forked child). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/trace_context.h"

static const char *const GOOD = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

static int parse(const char *s, mm_trace_ctx *c) {
    memset(c, 0, sizeof *c);
    return mm_traceparent_parse(s, strlen(s), c);
}

static void test_parse_valid(void **state) {
    (void)state;
    mm_trace_ctx c;
    assert_int_equal(parse(GOOD, &c), 0);
    assert_true(c.valid);
    assert_int_equal(c.flags, 1);
    assert_int_equal(c.trace_id[0], 0x4b);
    assert_int_equal(c.trace_id[15], 0x36);
    assert_int_equal(c.span_id[0], 0x00);
    assert_int_equal(c.span_id[7], 0xb7);
    char out[MM_TRACEPARENT_LEN + 1];
    mm_traceparent_format(&c, out);
    assert_string_equal(out, GOOD);
    /* not sampled */
    assert_int_equal(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &c), 0);
    assert_int_equal(c.flags, 0);
}

/* The thread remembers the last traceparent it wrote: parsing it back
 * gives the same context, and anything else is still parsed (and refused)
 * as usual. */
static void test_parse_after_format(void **state) {
    (void)state;
    mm_trace_ctx c, d;
    assert_int_equal(parse(GOOD, &c), 0);
    char out[MM_TRACEPARENT_LEN + 1];
    mm_traceparent_format(&c, out);
    assert_int_equal(parse(out, &d), 0);
    assert_true(d.valid);
    assert_int_equal(d.flags, c.flags);
    assert_memory_equal(d.trace_id, c.trace_id, 16);
    assert_memory_equal(d.span_id, c.span_id, 8);
    /* one digit other than the remembered text */
    char other[MM_TRACEPARENT_LEN + 1];
    memcpy(other, out, sizeof other);
    other[10] = other[10] == 'a' ? 'b' : 'a';
    assert_int_equal(parse(other, &d), 0);
    assert_int_not_equal(d.trace_id[3], c.trace_id[3]);
    other[10] = 'A'; /* uppercase: refused */
    assert_int_equal(parse(other, &d), -1);
    /* flags differ */
    memcpy(other, out, sizeof other);
    other[54] = '0';
    assert_int_equal(parse(other, &d), 0);
    assert_int_equal(d.flags, 0);
    /* a context with an all-zero span id, written: still refused when read */
    mm_trace_ctx z = c;
    memset(z.span_id, 0, 8);
    mm_traceparent_format(&z, out);
    assert_int_equal(parse(out, &d), -1);
    assert_false(d.valid);
}

static void test_parse_future_version(void **state) {
    (void)state;
    mm_trace_ctx c;
    /* a later version: parse the version-00 part, ignore what follows a '-' */
    assert_int_equal(
        parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09-what-the-future", &c), 0);
    assert_int_equal(c.flags, 1); /* only the sampled bit is known */
    assert_int_equal(parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &c), 0);
    /* ...but not without the '-' */
    assert_int_equal(parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", &c), -1);
}

static void test_parse_invalid(void **state) {
    (void)state;
    static const char *const bad[] = {
        "",
        "00",
        /* version ff is forbidden */
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        /* all-zero ids */
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
        /* uppercase hex */
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
        /* wrong separators, lengths */
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        /* version 00 with trailing data */
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-00",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        mm_trace_ctx c;
        assert_int_equal(parse(bad[i], &c), -1);
        assert_false(c.valid);
    }
}

static void test_tracestate(void **state) {
    (void)state;
    static const char *const good[] = {
        "",
        "congo=t61rcWkgMzE",
        "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
        " rojo=1 ,\tcongo=2 ",
    };
    for (size_t i = 0; i < 4; i++) assert_true(mm_tracestate_is_valid(good[i], strlen(good[i])));
    assert_true(mm_tracestate_is_valid("tenant@system=v", 15));
    assert_true(mm_tracestate_is_valid("a=b,,c=d", 8)); /* empty members are allowed */
    assert_true(mm_tracestate_is_valid("a=with space", 12));
    static const char *const bad[] = {
        "novalue", "Upper=1", "a=", "a=b=c", "1a=b", "a@=b", "@b=c", "t@toolongsystemname=x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(mm_tracestate_is_valid(bad[i], strlen(bad[i])));
    /* 32 members pass, 33 do not */
    char list[512] = "";
    for (int i = 0; i < 33; i++) {
        char m[16];
        snprintf(m, sizeof m, "%sk%d=v", i ? "," : "", i);
        strcat(list, m);
        assert_int_equal(mm_tracestate_is_valid(list, strlen(list)), i < 32);
    }
    /* longer than MM_TRACESTATE_MAX: dropped */
    char big[MM_TRACESTATE_MAX + 8];
    memset(big, 'x', sizeof big);
    big[0] = 'k';
    big[1] = '=';
    assert_false(mm_tracestate_is_valid(big, sizeof big));
    mm_trace_ctx c = {0};
    assert_true(mm_tracestate_set(&c, "rojo=1", 6));
    assert_string_equal(c.state, "rojo=1");
    assert_false(mm_tracestate_set(&c, "Bad", 3));
    assert_string_equal(c.state, "");
}

static void test_random(void **state) {
    (void)state;
    uint8_t a[16], b[16], zero[16] = {0};
    mm_trace_random(a, 16);
    mm_trace_random(b, 16);
    assert_memory_not_equal(a, b, 16);
    assert_memory_not_equal(a, zero, 16);
    char hex[33];
    mm_trace_hex(a, 16, hex);
    assert_int_equal(strlen(hex), 32);
    mm_trace_ctx c = {.valid = true, .flags = 1};
    memcpy(c.trace_id, a, 16);
    mm_trace_random(c.span_id, 8);
    char tp[MM_TRACEPARENT_LEN + 1];
    mm_traceparent_format(&c, tp);
    mm_trace_ctx back;
    assert_int_equal(parse(tp, &back), 0);
    assert_memory_equal(back.trace_id, a, 16);
    assert_memory_equal(back.span_id, c.span_id, 8);
}

/* A child forked after its parent's thread drew ids must not draw the same
 * ids next (the per-thread generator is seeded again after fork). */
static void test_random_after_fork(void **state) {
    (void)state;
    uint8_t warm[16], parent_trace[16], parent_span[8], child[24];
    mm_trace_random(warm, 16);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        uint8_t ids[24];
        mm_trace_random_ids(ids, ids + 16);
        _exit(write(fds[1], ids, sizeof ids) == (ssize_t)sizeof ids ? 0 : 1);
    }
    close(fds[1]);
    mm_trace_random_ids(parent_trace, parent_span);
    assert_int_equal(read(fds[0], child, sizeof child), (ssize_t)sizeof child);
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_memory_not_equal(parent_trace, child, 16);
    assert_memory_not_equal(parent_span, child + 16, 8);
}

/* Lowercase hex of n bytes, a digit pair at a time by snprintf: the
 * reference the eight-digit stores are checked against. */
static void ref_hex(const uint8_t *b, size_t n, char *out) {
    for (size_t i = 0; i < n; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
    out[2 * n] = '\0';
}

/* mm_trace_hex writes four bytes per store and the rest byte-wise: every
 * byte value at every position of every length 1-9 (whole stores, a tail
 * of 1-3 bytes, both). */
static void test_hex_every_byte_and_length(void **state) {
    (void)state;
    for (size_t n = 1; n <= 9; n++)
        for (unsigned v = 0; v < 256; v++) {
            uint8_t b[9];
            for (size_t i = 0; i < n; i++) b[i] = (uint8_t)(v + 53 * i);
            char got[19], want[19];
            memset(got, 'x', sizeof got);
            mm_trace_hex(b, n, got);
            ref_hex(b, n, want);
            assert_string_equal(got, want);
        }
}

/* The formatter writes eight digits per store: every byte value, at every
 * position of the ids, against byte-wise hex. */
static void test_format_every_byte(void **state) {
    (void)state;
    for (unsigned v = 0; v < 256; v++) {
        mm_trace_ctx c = {.valid = true, .flags = (uint8_t)v};
        for (size_t i = 0; i < 16; i++) c.trace_id[i] = (uint8_t)(v + 37 * i);
        for (size_t i = 0; i < 8; i++) c.span_id[i] = (uint8_t)(v * 7 + 11 * i + 1);
        char out[MM_TRACEPARENT_LEN + 1], want[MM_TRACEPARENT_LEN + 1], hex[33];
        mm_traceparent_format(&c, out);
        memcpy(want, "00-", 3);
        ref_hex(c.trace_id, 16, hex);
        memcpy(want + 3, hex, 32);
        want[35] = '-';
        ref_hex(c.span_id, 8, hex);
        memcpy(want + 36, hex, 16);
        want[52] = '-';
        ref_hex(&c.flags, 1, hex);
        memcpy(want + 53, hex, 3);
        assert_string_equal(out, want);
        mm_trace_ctx back;
        assert_int_equal(parse(out, &back), 0);
        assert_memory_equal(back.trace_id, c.trace_id, 16);
        assert_memory_equal(back.span_id, c.span_id, 8);
    }
    /* The parser checks eight digits at once: every byte value, in the
     * trace id and in the span id, is accepted only as a lowercase digit. */
    for (unsigned v = 1; v < 256; v++) {
        bool digit = (v >= '0' && v <= '9') || (v >= 'a' && v <= 'f');
        for (size_t at = 3; at < 52; at += 7) {
            if (at == 35) continue;
            char t[MM_TRACEPARENT_LEN + 1];
            memcpy(t, GOOD, sizeof t);
            t[at] = (char)v;
            mm_trace_ctx c;
            assert_int_equal(parse(t, &c), digit ? 0 : -1);
        }
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_after_format),
        cmocka_unit_test(test_parse_future_version),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_tracestate),
        cmocka_unit_test(test_random),
        cmocka_unit_test(test_format_every_byte),
        cmocka_unit_test(test_random_after_fork),
        cmocka_unit_test(test_hex_every_byte_and_length),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
