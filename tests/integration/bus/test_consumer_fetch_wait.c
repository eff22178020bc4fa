/* test_consumer_fetch_wait.c -- a consumer's default fetch.wait.max.ms
 * follows its broker (bus/consumer.c, fetch_wait_default): 100 ms against
 * real Kafka (which answers a waiting fetch as soon as data arrives: only
 * idle fetches get rarer), 10 ms against librdkafka's mock cluster (the
 * development broker answers only when the wait expires), and 10 when the
 * broker cannot be reached; a property given by the operator always wins.
 * Real Kafka and an in-process mock cluster. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/consumer.h"
#include "bus/dev_broker.h"
#include "bus/producer.h"
#include "mm_test.h"

static int noop(void *ud, const mm_event *ev, const mm_message_info *info) {
    (void)ev;
    (void)info;
    (void)ud;
    return 0;
}

/* The fetch.wait.max.ms of a consumer made for bootstrap with props. */
static void fetch_wait_of(const char *bootstrap, const mm_kv *props, size_t nprops, char *out,
                          size_t out_size) {
    char err[512];
    char *group = mm_test_unique_name("mm-fetch-wait");
    const char *topics[] = {"mm-fetch-wait-unused"};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handler = noop,
        .props = props,
        .prop_count = nprops,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(c);
    size_t len = out_size;
    assert_int_equal(
        rd_kafka_conf_get(rd_kafka_conf(mm_consumer_rdkafka(c)), "fetch.wait.max.ms", out, &len),
        RD_KAFKA_CONF_OK);
    mm_consumer_free(c);
    free(group);
}

static void test_real_kafka_waits_100(void **state) {
    (void)state;
    char v[32];
    fetch_wait_of(mm_test_kafka_bootstrap(), NULL, 0, v, sizeof v);
    assert_string_equal(v, "100");
    const mm_kv props[] = {{"kafka.fetch.wait.max.ms", "7"}};
    fetch_wait_of(mm_test_kafka_bootstrap(), props, 1, v, sizeof v);
    assert_string_equal(v, "7");
}

static void test_mock_cluster_waits_10(void **state) {
    (void)state;
    char err[512], v[32];
    mm_dev_broker *b = NULL;
    assert_int_equal(mm_dev_broker_start(NULL, &b, err, sizeof err), 0);
    fetch_wait_of(mm_dev_broker_bootstrap(b), NULL, 0, v, sizeof v);
    assert_string_equal(v, "10");
    mm_dev_broker_stop(b);
}

static void test_unreachable_broker_waits_10(void **state) {
    (void)state;
    char v[32];
    long long t0 = mm_test_now_ms();
    fetch_wait_of("127.0.0.1:1", NULL, 0, v, sizeof v);
    assert_string_equal(v, "10");
    assert_true(mm_test_now_ms() - t0 < 3000); /* the cluster-id wait is bounded */
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_kafka_waits_100),
        cmocka_unit_test(test_mock_cluster_waits_10),
        cmocka_unit_test(test_unreachable_broker_waits_10),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
