/* test_sse_tokens.c -- the token registry of graphql-sse's single connection
 * mode (src/http/sse_tokens.c) on its own: reserve / attach / find /
 * detach, the count and per-client bounds, the expiry of reservations
 * never fulfilled (and not of streaming ones), absurd bounds and hostile
 * tokens, and threads reserving and attaching at once. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/sse_tokens.h"
#include "metamorphosis.h"

#define MS(x) ((uint64_t)(x)*1000000u)

static void test_reserve_attach_find(void **state) {
    (void)state;
    mm_sse_tokens *t = mm_sse_tokens_new(10, 0, 1000);
    assert_non_null(t);
    char tok[MM_SSE_TOKEN_LEN + 1], tok2[MM_SSE_TOKEN_LEN + 1];
    assert_int_equal(mm_sse_tokens_reserve(t, "10.0.0.1", MS(1), tok), 0);
    assert_int_equal(strlen(tok), MM_SSE_TOKEN_LEN);
    assert_int_equal(mm_sse_tokens_reserve(t, "10.0.0.1", MS(1), tok2), 0);
    assert_string_not_equal(tok, tok2);
    unsigned loop = 99;
    /* Reserved, no stream: operations are refused with MM_EINVAL. */
    assert_int_equal(mm_sse_tokens_find(t, tok, MM_SSE_TOKEN_LEN, MS(2), &loop), MM_EINVAL);
    int a, b;
    assert_int_equal(mm_sse_tokens_attach(t, tok, MM_SSE_TOKEN_LEN, 3, &a, MS(2)), 0);
    /* A second stream on the same token: refused. */
    assert_int_equal(mm_sse_tokens_attach(t, tok, MM_SSE_TOKEN_LEN, 1, &b, MS(2)), MM_EEXIST);
    assert_int_equal(mm_sse_tokens_find(t, tok, MM_SSE_TOKEN_LEN, MS(3), &loop), 0);
    assert_int_equal(loop, 3);
    assert_ptr_equal(mm_sse_tokens_stream_on(t, tok, MM_SSE_TOKEN_LEN, 3), &a);
    assert_null(mm_sse_tokens_stream_on(t, tok, MM_SSE_TOKEN_LEN, 1)); /* another loop */
    assert_int_equal(mm_sse_tokens_count(t, MS(3)), 2);
    /* Detaching with another stream's pointer changes nothing. */
    mm_sse_tokens_detach(t, tok, &b);
    assert_int_equal(mm_sse_tokens_count(t, MS(3)), 2);
    mm_sse_tokens_detach(t, tok, &a);
    assert_int_equal(mm_sse_tokens_count(t, MS(3)), 1);
    /* A stream gone away: its token is unknown at once, not reusable. */
    assert_int_equal(mm_sse_tokens_find(t, tok, MM_SSE_TOKEN_LEN, MS(3), &loop), MM_ENOTFOUND);
    assert_int_equal(mm_sse_tokens_attach(t, tok, MM_SSE_TOKEN_LEN, 3, &a, MS(3)), MM_ENOTFOUND);
    mm_sse_tokens_free(t);
}

static void test_expiry(void **state) {
    (void)state;
    mm_sse_tokens *t = mm_sse_tokens_new(100, 0, 500);
    char r1[MM_SSE_TOKEN_LEN + 1], r2[MM_SSE_TOKEN_LEN + 1], s1[MM_SSE_TOKEN_LEN + 1];
    assert_int_equal(mm_sse_tokens_reserve(t, "", MS(1000), r1), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "", MS(1000), s1), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "", MS(1200), r2), 0);
    int st;
    assert_int_equal(mm_sse_tokens_attach(t, s1, MM_SSE_TOKEN_LEN, 0, &st, MS(1100)), 0);
    assert_int_equal(mm_sse_tokens_count(t, MS(1499)), 3);
    /* r1 expires at 1500: the reservation never connected is dropped. */
    assert_int_equal(mm_sse_tokens_count(t, MS(1500)), 2);
    unsigned loop;
    assert_int_equal(mm_sse_tokens_find(t, r1, MM_SSE_TOKEN_LEN, MS(1500), &loop), MM_ENOTFOUND);
    int late;
    assert_int_equal(mm_sse_tokens_attach(t, r1, MM_SSE_TOKEN_LEN, 0, &late, MS(1500)),
                     MM_ENOTFOUND);
    /* The streaming one never expires; r2 does at 1700. */
    assert_int_equal(mm_sse_tokens_count(t, MS(1700)), 1);
    assert_int_equal(mm_sse_tokens_find(t, s1, MM_SSE_TOKEN_LEN, MS(999999), &loop), 0);
    mm_sse_tokens_free(t);
}

static void test_count_and_per_ip_bounds(void **state) {
    (void)state;
    mm_sse_tokens *t = mm_sse_tokens_new(5, 2, 1000);
    char tok[MM_SSE_TOKEN_LEN + 1], keep[MM_SSE_TOKEN_LEN + 1];
    assert_int_equal(mm_sse_tokens_reserve(t, "1.1.1.1", MS(1), keep), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "1.1.1.1", MS(1), tok), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "1.1.1.1", MS(1), tok), MM_EAUTH);
    assert_int_equal(mm_sse_tokens_reserve(t, "2.2.2.2", MS(1), tok), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "2.2.2.2", MS(1), tok), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "3.3.3.3", MS(1), tok), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "4.4.4.4", MS(1), tok), MM_ELIMIT); /* 5 held */
    /* A stream that goes away gives its address's slot back. */
    int st;
    assert_int_equal(mm_sse_tokens_attach(t, keep, MM_SSE_TOKEN_LEN, 0, &st, MS(2)), 0);
    mm_sse_tokens_detach(t, keep, &st);
    assert_int_equal(mm_sse_tokens_reserve(t, "1.1.1.1", MS(2), tok), 0);
    /* Expiry gives every slot back. */
    assert_int_equal(mm_sse_tokens_count(t, MS(5000)), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(mm_sse_tokens_reserve(t, "1.1.1.1", MS(5000), tok), 0);
    mm_sse_tokens_free(t);
}

static void test_thousands(void **state) {
    (void)state;
    mm_sse_tokens *t = mm_sse_tokens_new(5000, 0, 1000);
    char tok[MM_SSE_TOKEN_LEN + 1];
    for (int i = 0; i < 5000; i++) assert_int_equal(mm_sse_tokens_reserve(t, "h", MS(1), tok), 0);
    assert_int_equal(mm_sse_tokens_reserve(t, "h", MS(1), tok), MM_ELIMIT);
    assert_int_equal(mm_sse_tokens_count(t, MS(1)), 5000);
    /* All expire together; the registry takes as many again. */
    assert_int_equal(mm_sse_tokens_reserve(t, "h", MS(1001), tok), 0);
    assert_int_equal(mm_sse_tokens_count(t, MS(1001)), 1);
    mm_sse_tokens_free(t);
    /* A bound is a byte bound: each token is one fixed entry. */
    assert_true(mm_sse_tokens_entry_bytes() <= 192);
}

static void test_absurd_values(void **state) {
    (void)state;
    /* 0: the defaults; huge bounds do not allocate huge tables; a huge
     * time-to-live does not overflow. */
    mm_sse_tokens *t = mm_sse_tokens_new(0, 0, 0);
    assert_non_null(t);
    char tok[MM_SSE_TOKEN_LEN + 1];
    assert_int_equal(mm_sse_tokens_reserve(t, NULL, MS(1), tok), 0);
    mm_sse_tokens_free(t);
    t = mm_sse_tokens_new(UINT_MAX, UINT_MAX, UINT_MAX);
    assert_non_null(t);
    assert_int_equal(mm_sse_tokens_reserve(t, "x", UINT64_C(1) << 62, tok), 0);
    assert_int_equal(mm_sse_tokens_count(t, (UINT64_C(1) << 62) + MS(UINT_MAX) - 1), 1);
    assert_int_equal(mm_sse_tokens_count(t, (UINT64_C(1) << 62) + MS(UINT_MAX)), 0);
    /* A very long client address is cut, not overflowed. */
    char longip[4096];
    memset(longip, 'a', sizeof longip - 1);
    longip[sizeof longip - 1] = '\0';
    assert_int_equal(mm_sse_tokens_reserve(t, longip, MS(1), tok), 0);
    mm_sse_tokens_free(t);
    mm_sse_tokens_free(NULL);
}

static void test_hostile_tokens(void **state) {
    (void)state;
    mm_sse_tokens *t = mm_sse_tokens_new(10, 0, 1000);
    char tok[MM_SSE_TOKEN_LEN + 1];
    assert_int_equal(mm_sse_tokens_reserve(t, "", MS(1), tok), 0);
    unsigned loop;
    int st;
    const char *bad[] = {"", "x", "00000000-0000-0000-0000-000000000000",
                         "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(mm_sse_tokens_find(t, bad[i], strlen(bad[i]), MS(1), &loop), MM_ENOTFOUND);
        assert_int_equal(mm_sse_tokens_attach(t, bad[i], strlen(bad[i]), 0, &st, MS(1)),
                         MM_ENOTFOUND);
    }
    assert_int_equal(mm_sse_tokens_find(t, NULL, 0, MS(1), &loop), MM_ENOTFOUND);
    /* The token as a prefix of something longer, or cut short: unknown. */
    char longer[MM_SSE_TOKEN_LEN + 2];
    memcpy(longer, tok, MM_SSE_TOKEN_LEN);
    longer[MM_SSE_TOKEN_LEN] = 'a';
    longer[MM_SSE_TOKEN_LEN + 1] = '\0';
    assert_int_equal(mm_sse_tokens_find(t, longer, MM_SSE_TOKEN_LEN + 1, MS(1), &loop),
                     MM_ENOTFOUND);
    assert_int_equal(mm_sse_tokens_find(t, tok, MM_SSE_TOKEN_LEN - 1, MS(1), &loop), MM_ENOTFOUND);
    /* Not NUL-terminated at its length: only len bytes are read. */
    assert_int_equal(mm_sse_tokens_find(t, longer, MM_SSE_TOKEN_LEN, MS(1), &loop), MM_EINVAL);
    mm_sse_tokens_detach(t, "nonsense", &st);
    mm_sse_tokens_detach(t, NULL, &st);
    assert_int_equal(mm_sse_tokens_count(t, MS(1)), 1);
    mm_sse_tokens_free(t);
}

/* Threads reserving on one "loop" and attaching on another at once (the
 * hand-off between I/O threads): every token is attached exactly once. */
typedef struct race {
    mm_sse_tokens *t;
    char tokens[200][MM_SSE_TOKEN_LEN + 1];
    int attached[2][200]; /* per thread */
    int streams[200];
} race;

typedef struct racer {
    race *r;
    int which;
} racer;

static void *attacher(void *ud) {
    racer *me = ud;
    race *r = me->r;
    for (int i = 0; i < 200; i++)
        r->attached[me->which][i] = mm_sse_tokens_attach(r->t, r->tokens[i], MM_SSE_TOKEN_LEN, 1,
                                                         &r->streams[i], MS(2)) == 0;
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    race *r = calloc(1, sizeof *r);
    r->t = mm_sse_tokens_new(1000, 0, 60000);
    for (int i = 0; i < 200; i++)
        assert_int_equal(mm_sse_tokens_reserve(r->t, "h", MS(1), r->tokens[i]), 0);
    pthread_t a, b;
    racer ra = {r, 0}, rb = {r, 1};
    assert_int_equal(pthread_create(&a, NULL, attacher, &ra), 0);
    assert_int_equal(pthread_create(&b, NULL, attacher, &rb), 0);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    for (int i = 0; i < 200; i++) {
        assert_int_equal(r->attached[0][i] + r->attached[1][i], 1);
        assert_ptr_equal(mm_sse_tokens_stream_on(r->t, r->tokens[i], MM_SSE_TOKEN_LEN, 1),
                         &r->streams[i]);
    }
    mm_sse_tokens_free(r->t);
    free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reserve_attach_find),
        cmocka_unit_test(test_expiry),
        cmocka_unit_test(test_count_and_per_ip_bounds),
        cmocka_unit_test(test_thousands),
        cmocka_unit_test(test_absurd_values),
        cmocka_unit_test(test_hostile_tokens),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
