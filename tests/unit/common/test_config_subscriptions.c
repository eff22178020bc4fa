/* test_config_subscriptions.c -- the subscriptions section of the
 * configuration: its defaults, the file, the MM_SUBSCRIPTIONS_* variables
 * (which win over the file), ranges and misspelled keys. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "metamorphosis.h"

static const char *const vars[] = {"MM_SUBSCRIPTIONS_MAX",
                                   "MM_SUBSCRIPTIONS_PER_CONNECTION",
                                   "MM_SUBSCRIPTIONS_QUEUE_BYTES",
                                   "MM_SUBSCRIPTIONS_KEEPALIVE_MS",
                                   "MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS",
                                   "MM_SUBSCRIPTIONS_PARTITION_REFRESH_MS",
                                   "MM_SUBSCRIPTIONS_TAIL_IDLE_MS",
                                   "MM_SUBSCRIPTIONS_SSE_RESERVATIONS",
                                   "MM_SUBSCRIPTIONS_SSE_RESERVATIONS_PER_IP",
                                   "MM_SUBSCRIPTIONS_SSE_RESERVATION_MS"};

static void clear_env(void) {
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) unsetenv(vars[i]);
}

static mm_config *load(const char *text, int expect_rc, char *err, size_t err_size) {
    mm_config *c = NULL;
    int rc = mm_config_load_string("test.yaml", text, strlen(text), &c, err, err_size);
    assert_int_equal(rc, expect_rc);
    return c;
}

static void test_defaults(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = load("", 0, err, sizeof err);
    assert_int_equal(c->subscriptions_max, 10000);
    assert_int_equal(c->subscriptions_per_connection, 100);
    assert_int_equal(c->subscriptions_queue_bytes, 1024 * 1024);
    assert_int_equal(c->subscriptions_keepalive_ms, 12000);
    assert_int_equal(c->subscriptions_result_timeout_ms, 300000);
    assert_int_equal(c->subscriptions_partition_refresh_ms, 10000);
    assert_int_equal(c->subscriptions_tail_idle_ms, 2000);
    assert_int_equal(c->subscriptions_sse_reservations, 10000);
    assert_int_equal(c->subscriptions_sse_reservations_per_ip, 0);
    assert_int_equal(c->subscriptions_sse_reservation_ms, 30000);
    mm_config_free(c);
}

static void test_file_then_environment(void **state) {
    (void)state;
    clear_env();
    char err[256];
    static const char text[] = "subscriptions:\n  max: 50\n  per_connection: 3\n"
                               "  queue_bytes: 65536\n  keepalive_ms: 2000\n"
                               "  result_timeout_ms: 4000\n  partition_refresh_ms: 500\n"
                               "  sse_reservations: 40\n  sse_reservations_per_ip: 4\n"
                               "  sse_reservation_ms: 900\n  tail_idle_ms: 0\n";
    mm_config *c = load(text, 0, err, sizeof err);
    assert_int_equal(c->subscriptions_max, 50);
    assert_int_equal(c->subscriptions_per_connection, 3);
    assert_int_equal(c->subscriptions_queue_bytes, 65536);
    assert_int_equal(c->subscriptions_keepalive_ms, 2000);
    assert_int_equal(c->subscriptions_result_timeout_ms, 4000);
    assert_int_equal(c->subscriptions_partition_refresh_ms, 500);
    assert_int_equal(c->subscriptions_sse_reservations, 40);
    assert_int_equal(c->subscriptions_sse_reservations_per_ip, 4);
    assert_int_equal(c->subscriptions_sse_reservation_ms, 900);
    assert_int_equal(c->subscriptions_tail_idle_ms, 0); /* 0: the tail never pauses */
    mm_config_free(c);
    setenv("MM_SUBSCRIPTIONS_TAIL_IDLE_MS", "300", 1);
    c = load(text, 0, err, sizeof err);
    assert_int_equal(c->subscriptions_tail_idle_ms, 300);
    mm_config_free(c);
    setenv("MM_SUBSCRIPTIONS_SSE_RESERVATIONS", "7", 1);
    setenv("MM_SUBSCRIPTIONS_SSE_RESERVATIONS_PER_IP", "0", 1);
    c = load(text, 0, err, sizeof err);
    assert_int_equal(c->subscriptions_sse_reservations, 7);
    assert_int_equal(c->subscriptions_sse_reservations_per_ip, 0);
    assert_int_equal(c->subscriptions_sse_reservation_ms, 900);
    mm_config_free(c);
    clear_env();
    setenv("MM_SUBSCRIPTIONS_MAX", "12", 1);
    setenv("MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS", "700", 1);
    c = load(text, 0, err, sizeof err);
    assert_int_equal(c->subscriptions_max, 12);
    assert_int_equal(c->subscriptions_per_connection, 3);
    assert_int_equal(c->subscriptions_result_timeout_ms, 700);
    mm_config_free(c);
    setenv("MM_SUBSCRIPTIONS_MAX", "lots", 1);
    assert_null(load(text, MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "MM_SUBSCRIPTIONS_MAX"));
    clear_env();
}

static void test_refused(void **state) {
    (void)state;
    clear_env();
    char err[256];
    assert_null(load("subscriptions: {max: 0}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.max"));
    assert_null(load("subscriptions: {queue_bytes: 10}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.queue_bytes"));
    assert_null(load("subscriptions: {keepalive: 10}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.keepalive"));
    assert_null(load("subscriptions: {partition_refresh_ms: 99}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.partition_refresh_ms"));
    assert_null(load("subscriptions: {tail_idle_ms: -1}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.tail_idle_ms"));
    assert_null(load("subscriptions: {tail_idle_ms: 3600001}\n", MM_EINVAL, err, sizeof err));
    assert_null(load("subscriptions: {sse_reservations: 0}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.sse_reservations"));
    assert_null(
        load("subscriptions: {sse_reservations: 99999999999}\n", MM_EINVAL, err, sizeof err));
    assert_null(load("subscriptions: {sse_reservation_ms: 99}\n", MM_EINVAL, err, sizeof err));
    assert_non_null(strstr(err, "subscriptions.sse_reservation_ms"));
    assert_null(load("subscriptions: {sse_reservations_per_ip: -1}\n", MM_EINVAL, err, sizeof err));
    assert_null(load("subscriptions: 5\n", MM_EINVAL, err, sizeof err));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_then_environment),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
