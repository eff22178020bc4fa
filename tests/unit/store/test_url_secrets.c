/* test_url_secrets.c -- a Redis password never reaches an error message:
 * every refusal of a malformed URL that carries one, and the failure to
 * connect with one, must not repeat it (error messages end up in logs and,
 * through `gregor serve`'s start-up errors, on terminals). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "store/redis_conn.h"
#include "store/redis_url.h"

#define SECRET "hunter22secret"

static void test_refused_urls_hide_the_password(void **state) {
    (void)state;
    static const char *const bad[] = {
        "user:" SECRET "@127.0.0.1:6379",         /* no scheme: the original leak */
        ":" SECRET "@127.0.0.1",                  /* no scheme, password only */
        "redis://user:" SECRET "@",               /* no host */
        "redis://user:" SECRET "@host:99999",     /* bad port */
        "redis://user:" SECRET "@host/notadb",    /* bad db */
        "redis://user:" SECRET "@host?x=1",       /* query */
        "redis://user:" SECRET "@ho st",          /* bad host character */
        "redis://user:" SECRET "%zz@host",        /* bad percent-encoding */
        "redis://u:ab/" SECRET "@host",           /* unencoded '/': read as host u, port ab */
        "redis://us//3:" SECRET "@lo:1]:7000/15", /* found by fuzz_redis_url */
        "http://user:" SECRET "@host",            /* other scheme */
        "rediss://user:" SECRET "@host",          /* TLS */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        mm_redis_url u;
        char err[256] = "";
        assert_int_equal(mm_redis_url_parse(bad[i], &u, err, sizeof err), MM_EINVAL);
        assert_true(err[0] != '\0');
        if (strstr(err, SECRET))
            fail_msg("'%s' refused with the password in the message: %s", bad[i], err);
    }
}

/* Without credentials the message still shows what was wrong. */
static void test_url_without_at_is_still_echoed(void **state) {
    (void)state;
    mm_redis_url u;
    char err[256] = "";
    assert_int_equal(mm_redis_url_parse("localhost:6379", &u, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "'localhost:6379' is not a URL"));
    assert_int_equal(mm_redis_url_parse("redis://h:70000", &u, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "invalid port '70000'"));
}

static void test_url_with_at_is_redacted(void **state) {
    (void)state;
    mm_redis_url u;
    char err[256] = "";
    assert_int_equal(mm_redis_url_parse("user:" SECRET "@127.0.0.1:6379", &u, err, sizeof err),
                     MM_EINVAL);
    assert_string_equal(err, "'***' is not a URL (expected redis://host[:port][/db])");
}

static void test_connect_failure_hides_the_password(void **state) {
    (void)state;
    char err[512] = "";
    /* Port 1 on loopback: nothing listens there, the connect is refused at once. */
    redisContext *c =
        mm_redis_connect_url("redis://user:" SECRET "@127.0.0.1:1/3", 2000, NULL, err, sizeof err);
    assert_null(c);
    assert_true(err[0] != '\0');
    if (strstr(err, SECRET)) fail_msg("connect error repeats the password: %s", err);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_urls_hide_the_password),
        cmocka_unit_test(test_url_without_at_is_still_echoed),
        cmocka_unit_test(test_url_with_at_is_redacted),
        cmocka_unit_test(test_connect_failure_hides_the_password),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
