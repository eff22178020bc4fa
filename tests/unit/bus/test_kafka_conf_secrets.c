/* test_kafka_conf_secrets.c -- a refused Kafka property whose value may be
 * a secret (a password, a misspelt password key, an invalid SASL setting)
 * is reported without its value; any other keeps it, so the message still
 * shows what was wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "bus/kafka_conf.h"

#define SECRET "hunter22secret"

static void refused(const char *key, const char *value, char *err, size_t err_size) {
    mm_kv props[] = {{key, value}};
    rd_kafka_conf_t *conf = mm_kafka_conf_new("127.0.0.1:9092", NULL, 0, props, 1, err, err_size);
    if (conf) {
        rd_kafka_conf_destroy(conf);
        fail_msg("%s=%s was accepted", key, value);
    }
    assert_true(err[0] != '\0');
}

static void test_secret_values_are_not_repeated(void **state) {
    (void)state;
    static const char *const keys[] = {
        "sasl.pasword",            /* misspelt: no such property */
        "kafka.sasl.passwd",       /* no such property either */
        "sasl.oauthbearer.method", /* invalid enum value; librdkafka quotes it */
        "ssl.key.passwrd",
        "client.secret",
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        char err[512] = "";
        refused(keys[i], SECRET, err, sizeof err);
        if (strstr(err, SECRET)) fail_msg("%s: the value is in the message: %s", keys[i], err);
        assert_non_null(strstr(err, "=***"));
    }
}

static void test_other_values_are_shown(void **state) {
    (void)state;
    char err[512] = "";
    refused("fetch.wait.max.ms", "soon", err, sizeof err);
    assert_non_null(strstr(err, "fetch.wait.max.ms=soon"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_values_are_not_repeated),
        cmocka_unit_test(test_other_values_are_shown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
