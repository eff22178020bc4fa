/* test_kafka_stats.c -- statistics.interval.ms makes a client built by
 * mm_kafka_conf_new log its request counters: the summary of librdkafka's
 * statistics JSON (summed over broker connections, per API, unknown APIs
 * under "other"), and a real client's line at info, none without the
 * property. bench/service/kafka_requests.sh reads these lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/kafka_conf.h"
#include "common/log.h"
#include "mm_test_stderr.h"

static void test_summary_sums_brokers_per_api(void **state) {
    (void)state;
    static const char json[] =
        "{\"name\":\"rdkafka#consumer-1\",\"type\":\"consumer\",\"brokers\":{"
        "\"127.0.0.1:9092/"
        "bootstrap\":{\"tx\":3,\"rx\":3,\"wakeups\":10,\"req\":{\"Produce\":0,\"Fetch\":0,"
        "\"Metadata\":2,\"ApiVersion\":1}},"
        "\"127.0.0.1:9092/"
        "1\":{\"tx\":110,\"rx\":109,\"wakeups\":32,\"req\":{\"Fetch\":100,\"OffsetCommit\":7,"
        "\"Metadata\":1,\"DescribeAcls\":2}},"
        "\"GroupCoordinator\":{\"tx\":5,\"rx\":5,\"req\":{\"Heartbeat\":4,\"JoinGroup\":1}}}}";
    char out[600];
    size_t n = mm_kafka_stats_summary(json, sizeof json - 1, out, sizeof out);
    assert_int_equal(n, strlen(out));
    assert_string_equal(out,
                        "tx=118 rx=117 wakeups=42 req_Fetch=100 req_Metadata=3 req_OffsetCommit=7 "
                        "req_JoinGroup=1 req_Heartbeat=4 req_ApiVersion=1 req_other=2");
    /* Not statistics: nothing. */
    assert_int_equal(mm_kafka_stats_summary("{}", 2, out, sizeof out), 0);
    assert_int_equal(mm_kafka_stats_summary("not json", 8, out, sizeof out), 0);
    /* A short buffer holds what fits and stays terminated. */
    char small[30];
    n = mm_kafka_stats_summary(json, sizeof json - 1, small, sizeof small);
    assert_true(n < sizeof small);
    assert_int_equal(n, strlen(small));
    assert_string_equal(small, "tx=118 rx=117 wakeups=42");
}

/* A producer that cannot reach its broker still reports (tx=0): the line is
 * logged from rd_kafka_poll, at info, with our client/role/name fields. */
static char *run_producer(const char *interval) {
    char err[512];
    mm_kv defaults[] = {{"enable.idempotence", "true"}};
    mm_kv props[] = {{"statistics.interval.ms", interval}};
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new("127.0.0.1:1", defaults, 1, props, 1, err, sizeof err);
    assert_non_null(conf);
    mm_test_stderr_capture_start();
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        rd_kafka_poll(rk, 50);
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 400);
    rd_kafka_destroy(rk);
    return mm_test_stderr_capture_end();
}

static void test_client_logs_its_counters(void **state) {
    (void)state;
    mm_log_set_level(MM_LOG_INFO);
    mm_kafka_set_role("worker");
    char *out = run_producer("100");
    char *line = strstr(out, "msg=\"kafka statistics\"");
    assert_non_null(line);
    assert_non_null(strstr(line, "component=kafka client=producer role=worker "
                                 "name=\"rdkafka#producer-"));
    assert_non_null(strstr(line, " tx=0 rx=0 wakeups="));
    free(out);

    out = run_producer("0"); /* off: no line */
    assert_null(strstr(out, "kafka statistics"));
    free(out);
    mm_kafka_set_role(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_sums_brokers_per_api),
        cmocka_unit_test(test_client_logs_its_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
