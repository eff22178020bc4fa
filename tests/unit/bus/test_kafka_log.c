/* test_kafka_log.c -- one log: librdkafka's lines come out as ours (level
 * mapped, client, role, facility), AUTOCREATE lines only at debug, and a
 * property is set only on the clients it belongs to, so a producer given the
 * consumer's fetch.wait.max.ms neither gets it nor warns about it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/kafka_conf.h"
#include "common/log.h"
#include "mm_test_stderr.h"

static void test_scopes_from_librdkafka(void **state) {
    (void)state;
    assert_int_equal(mm_kafka_property_scope("fetch.wait.max.ms"), MM_KAFKA_SCOPE_CONSUMER);
    assert_int_equal(mm_kafka_property_scope("group.id"), MM_KAFKA_SCOPE_CONSUMER);
    assert_int_equal(mm_kafka_property_scope("kafka.linger.ms"), MM_KAFKA_SCOPE_PRODUCER);
    assert_int_equal(mm_kafka_property_scope("enable.idempotence"), MM_KAFKA_SCOPE_PRODUCER);
    assert_int_equal(mm_kafka_property_scope("acks"),
                     MM_KAFKA_SCOPE_PRODUCER); /* a topic property */
    assert_int_equal(mm_kafka_property_scope("bootstrap.servers"), MM_KAFKA_SCOPE_BOTH);
    assert_int_equal(mm_kafka_property_scope("no.such.property"), MM_KAFKA_SCOPE_UNKNOWN);
}

static void test_lines_are_ours(void **state) {
    (void)state;
    mm_log_set_level(MM_LOG_INFO);
    mm_kafka_set_role("worker");
    mm_test_stderr_capture_start();
    mm_kafka_log_line(NULL, 4, "CONFWARN", "a \"quoted\" warning");
    mm_kafka_log_line(NULL, 3, "FAIL", "Connect to ipv4#127.0.0.1:1 failed: Connection refused");
    mm_kafka_log_line(NULL, 5, "AUTOCREATE", "auto-creating topic x");
    mm_kafka_log_line(NULL, 7, "BROKER", "debug chatter");
    char *out = mm_test_stderr_capture_end();
    assert_non_null(
        strstr(out, "level=warn msg=\"a \\\"quoted\\\" warning\" component=kafka client=client "
                    "role=worker facility=CONFWARN name=\"-\"\n"));
    assert_non_null(
        strstr(out, "level=error msg=\"Connect to ipv4#127.0.0.1:1 failed: Connection refused\""));
    assert_null(strstr(out, "AUTOCREATE")); /* debug: not at the default level */
    assert_null(strstr(out, "debug chatter"));
    for (char *line = out; *line; line = strchr(line, '\n') + 1)
        assert_int_equal(strncmp(line, "time=", 5), 0);
    free(out);
    mm_kafka_set_role(NULL);
}

static void test_producer_gets_no_consumer_property(void **state) {
    (void)state;
    char err[512], buf[64];
    size_t len = sizeof buf;
    mm_kv defaults[] = {{"enable.idempotence", "true"}, {"acks", "all"}};
    mm_kv props[] = {{"fetch.wait.max.ms", "1"}, {"linger.ms", "3"}};
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new("127.0.0.1:1", defaults, 2, props, 2, err, sizeof err);
    assert_non_null(conf);
    assert_int_equal(rd_kafka_conf_get(conf, "fetch.wait.max.ms", buf, &len), RD_KAFKA_CONF_OK);
    assert_string_not_equal(buf, "1"); /* left out: librdkafka's default */
    len = sizeof buf;
    assert_int_equal(rd_kafka_conf_get(conf, "linger.ms", buf, &len), RD_KAFKA_CONF_OK);
    assert_string_equal(buf, "3");
    /* Starting the producer says nothing about ignored properties, and
     * whatever librdkafka says is in our format. */
    mm_test_stderr_capture_start();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_destroy(rk);
    char *out = mm_test_stderr_capture_end();
    assert_null(strstr(out, "will be ignored"));
    assert_null(strstr(out, "%4|"));
    free(out);

    /* A consumer keeps it. */
    mm_kv cdefaults[] = {{"group.id", "g"}};
    conf = mm_kafka_conf_new("127.0.0.1:1", cdefaults, 1, props, 2, err, sizeof err);
    assert_non_null(conf);
    len = sizeof buf;
    assert_int_equal(rd_kafka_conf_get(conf, "fetch.wait.max.ms", buf, &len), RD_KAFKA_CONF_OK);
    assert_string_equal(buf, "1");
    rd_kafka_conf_destroy(conf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scopes_from_librdkafka),
        cmocka_unit_test(test_lines_are_ours),
        cmocka_unit_test(test_producer_gets_no_consumer_property),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
