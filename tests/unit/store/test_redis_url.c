/* test_redis_url.c -- parsing redis:// and unix:// URLs: every accepted
 * form fills the right fields, every malformed one is refused with a message
 * that names the problem. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "metamorphosis.h"
#include "store/redis_url.h"

static mm_redis_url parse_ok(const char *text) {
    mm_redis_url u;
    char err[256] = "";
    if (mm_redis_url_parse(text, &u, err, sizeof err) != 0) fail_msg("rejected %s: %s", text, err);
    return u;
}

static void test_tcp_forms(void **state) {
    (void)state;
    mm_redis_url u = parse_ok("redis://127.0.0.1");
    assert_false(u.is_unix);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 6379);
    assert_int_equal(u.db, 0);
    assert_false(u.has_password);

    u = parse_ok("redis://localhost:6380/3");
    assert_string_equal(u.host, "localhost");
    assert_int_equal(u.port, 6380);
    assert_int_equal(u.db, 3);

    u = parse_ok("redis://:s%40cret@cache.internal:7000/");
    assert_true(u.has_password);
    assert_string_equal(u.username, "");
    assert_string_equal(u.password, "s@cret");
    assert_string_equal(u.host, "cache.internal");
    assert_int_equal(u.port, 7000);
    assert_int_equal(u.db, 0);

    u = parse_ok("redis://alice:p:w@h/15");
    assert_string_equal(u.username, "alice");
    assert_string_equal(u.password, "p:w");
    assert_int_equal(u.db, 15);

    u = parse_ok("redis://[::1]:6390/2");
    assert_string_equal(u.host, "::1");
    assert_int_equal(u.port, 6390);
    assert_int_equal(u.db, 2);
}

static void test_unix_forms(void **state) {
    (void)state;
    mm_redis_url u = parse_ok("unix:///run/redis/redis.sock");
    assert_true(u.is_unix);
    assert_string_equal(u.path, "/run/redis/redis.sock");
    assert_int_equal(u.db, 0);
    u = parse_ok("unix:///tmp/r.sock?db=4");
    assert_string_equal(u.path, "/tmp/r.sock");
    assert_int_equal(u.db, 4);
}

static void expect_error(const char *text, const char *substring) {
    mm_redis_url u;
    char err[256] = "";
    int rc = mm_redis_url_parse(text, &u, err, sizeof err);
    if (rc != MM_EINVAL || strstr(err, substring) == NULL)
        fail_msg("%s: rc=%d err='%s', expected '%s'", text ? text : "(null)", rc, err, substring);
}

static void test_errors(void **state) {
    (void)state;
    expect_error(NULL, "empty Redis URL");
    expect_error("", "empty Redis URL");
    expect_error("localhost:6379", "not a URL");
    expect_error("http://localhost", "unsupported scheme 'http'");
    expect_error("rediss://localhost", "TLS");
    expect_error("redis://", "missing host");
    expect_error("redis://:6379", "missing host");
    expect_error("redis://host:0", "invalid port '0'");
    expect_error("redis://host:65536", "invalid port '65536'");
    expect_error("redis://host:abc/1", "invalid port 'abc'");
    expect_error("redis://host:", "invalid port ''");
    expect_error("redis://host/x", "invalid database 'x'");
    expect_error("redis://host/-1", "invalid database '-1'");
    expect_error("redis://host/1/2", "invalid database '1/2'");
    expect_error("redis://host?db=1", "query");
    expect_error("redis://[::1", "unterminated IPv6");
    expect_error("redis://[]:1", "empty IPv6");
    expect_error("redis://[::1]x", "unexpected 'x'");
    expect_error("redis://pw@host", "credentials need a colon");
    expect_error("redis://:bad%zz@host", "bad password");
    expect_error("redis://:bad%0@host", "bad password");
    expect_error("redis://:nul%00@host", "bad password");
    expect_error("unix://", "absolute path");
    expect_error("unix://relative.sock", "absolute path");
    expect_error("unix:///tmp/r.sock?timeout=1", "unknown unix socket URL parameter");
    expect_error("unix:///tmp/r.sock?db=x", "invalid database 'x'");
    char longpath[300] = "unix:///";
    memset(longpath + 8, 'a', 200);
    longpath[208] = '\0';
    expect_error(longpath, "too long");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp_forms),
        cmocka_unit_test(test_unix_forms),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
