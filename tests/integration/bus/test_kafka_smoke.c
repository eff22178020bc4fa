/* test_kafka_smoke.c -- proves the integration tier's Kafka works with our
 * client: librdkafka 2.0.2 against the real Apache Kafka 4.x broker that
 * scripts/test.sh starts. A created topic, a batch produced idempotently,
 * every message received by a consumer-group member, offsets committed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

#include "mm_test.h"

#define PARTITIONS 3
#define MESSAGES   200

static void test_broker_answers_metadata(void **state) {
    (void)state;
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(
        rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err),
        RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    const struct rd_kafka_metadata *md = NULL;
    assert_int_equal(rd_kafka_metadata(rk, 1, NULL, &md, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(md->broker_cnt, 1); /* the single-node KRaft fixture */
    rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
}

static void test_produce_consume_in_group_and_commit(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("smoke");
    char *group = mm_test_unique_name("smoke-group");
    unsigned char seen[MESSAGES] = {0};
    int duplicates = -1;

    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, PARTITIONS), 0);
    assert_int_equal(mm_test_kafka_produce_n(bootstrap, topic, MESSAGES, NULL), MESSAGES);
    assert_int_equal(
        mm_test_kafka_consume_n(bootstrap, topic, group, MESSAGES, 60000, NULL, seen, &duplicates),
        MESSAGES);
    assert_int_equal(duplicates, 0);
    for (int i = 0; i < MESSAGES; i++) assert_true(seen[i]);

    /* The group's committed offsets cover exactly what was produced. */
    long long high = -1;
    long long committed = mm_test_kafka_committed_total(bootstrap, topic, group, PARTITIONS, &high);
    assert_int_equal(high, MESSAGES);
    assert_int_equal(committed, MESSAGES);

    /* A second member of the same group resumes after the commit: nothing left. */
    unsigned char again[MESSAGES] = {0};
    assert_int_equal(
        mm_test_kafka_consume_n(bootstrap, topic, group, MESSAGES, 3000, NULL, again, NULL), 0);
    free(topic);
    free(group);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_answers_metadata),
        cmocka_unit_test(test_produce_consume_in_group_and_commit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
