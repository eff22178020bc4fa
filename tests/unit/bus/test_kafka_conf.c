/* test_kafka_conf.c -- building librdkafka configurations: bootstrap, then
 * defaults, then user properties (later wins), "kafka." prefix stripped, and
 * a bad property named in the error. No broker needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "bus/kafka_conf.h"

static const char *get(rd_kafka_conf_t *conf, const char *name, char *buf, size_t size) {
    size_t len = size;
    if (rd_kafka_conf_get(conf, name, buf, &len) != RD_KAFKA_CONF_OK) return NULL;
    return buf;
}

static void test_layering(void **state) {
    (void)state;
    char err[512], buf[256];
    mm_kv defaults[] = {{"linger.ms", "0"}, {"acks", "all"}};
    mm_kv props[] = {{"kafka.linger.ms", "7"}, {"client.id", "svc"}};
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new("127.0.0.1:1", defaults, 2, props, 2, err, sizeof err);
    assert_non_null(conf);
    assert_string_equal(get(conf, "bootstrap.servers", buf, sizeof buf), "127.0.0.1:1");
    assert_string_equal(get(conf, "linger.ms", buf, sizeof buf), "7");
    assert_string_equal(get(conf, "client.id", buf, sizeof buf), "svc");
    assert_string_equal(get(conf, "acks", buf, sizeof buf),
                        "-1"); /* "all" as librdkafka spells it */
    rd_kafka_conf_destroy(conf);
}

static void test_errors(void **state) {
    (void)state;
    char err[512];
    mm_kv unknown[] = {{"kafka.no.such.thing", "1"}};
    assert_null(mm_kafka_conf_new(NULL, NULL, 0, unknown, 1, err, sizeof err));
    assert_non_null(strstr(err, "no.such.thing"));
    mm_kv badvalue[] = {{"linger.ms", "soon"}};
    assert_null(mm_kafka_conf_new(NULL, NULL, 0, badvalue, 1, err, sizeof err));
    assert_non_null(strstr(err, "linger.ms=soon"));
    mm_kv missing[] = {{"acks", NULL}};
    assert_null(mm_kafka_conf_new(NULL, NULL, 0, missing, 1, err, sizeof err));
    assert_non_null(strstr(err, "missing"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layering),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
