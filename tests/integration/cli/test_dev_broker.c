/* test_dev_broker.c -- `gregor broker` end to end: start it as a child
 * process, read its bootstrap line, produce and consume through it with a
 * consumer group from this process, then SIGTERM it and expect exit 0.
 * (The one place tests use librdkafka's mock cluster: it is the thing tested.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_test.h"

#define MESSAGES 50

/* The mock answers a fetch only when fetch.wait.max.ms expires (DESIGN.md §10). */
static const char *const fast_fetch[] = {"fetch.wait.max.ms", "10", NULL};

static void start_broker(mm_test_child *broker, char *const extra[], char *bootstrap, size_t len) {
    char *argv[12] = {(char *)mm_test_gregor(), "broker"};
    int argc = 2;
    for (int i = 0; extra && extra[i] && argc < 11; i++) argv[argc++] = extra[i];
    argv[argc] = NULL;
    assert_int_equal(mm_test_child_spawn(broker, argv), 0);
    assert_int_equal(mm_test_child_wait_line(broker, "bootstrap: ", bootstrap, len, 20000), 0);
    assert_memory_equal(bootstrap, "127.0.0.1:", 10);
}

static void roundtrip(const char *bootstrap, const char *topic) {
    char *group = mm_test_unique_name("devbroker-group");
    unsigned char seen[MESSAGES] = {0};
    int duplicates = -1;
    assert_int_equal(mm_test_kafka_produce_n(bootstrap, topic, MESSAGES, NULL), MESSAGES);
    assert_int_equal(mm_test_kafka_consume_n(bootstrap, topic, group, MESSAGES, 30000, fast_fetch,
                                             seen, &duplicates),
                     MESSAGES);
    assert_int_equal(duplicates, 0);
    free(group);
}

/* Default: clients bootstrap from the mock broker's own ephemeral port; the
 * topic is auto-created on first use. */
static void test_default_listen(void **state) {
    (void)state;
    mm_test_child broker;
    char bootstrap[128];
    start_broker(&broker, NULL, bootstrap, sizeof bootstrap);
    char *topic = mm_test_unique_name("devbroker");
    roundtrip(bootstrap, topic);
    assert_int_equal(mm_test_child_stop(&broker, SIGTERM, 10000), 0);
    free(topic);
}

/* --listen: bootstrap goes through the loopback forwarder; a topic made with
 * --topic/--partitions has that many partitions; offsets are committed.
 * (librdkafka 2.0.2's mock names no controller, so the CreateTopics admin
 * API cannot be used against it: --topic is how to get N partitions.) */
static void test_listen_forwarder_and_commit(void **state) {
    (void)state;
    mm_test_child broker;
    char bootstrap[128];
    char *topic = mm_test_unique_name("devbroker");
    char *extra[] = {"--listen", "127.0.0.1:0", "--topic", topic, "--partitions", "2", NULL};
    start_broker(&broker, extra, bootstrap, sizeof bootstrap);

    char *group = mm_test_unique_name("devbroker-group");
    unsigned char seen[MESSAGES] = {0};
    assert_int_equal(mm_test_kafka_produce_n(bootstrap, topic, MESSAGES, NULL), MESSAGES);
    assert_int_equal(
        mm_test_kafka_consume_n(bootstrap, topic, group, MESSAGES, 30000, fast_fetch, seen, NULL),
        MESSAGES);
    long long high = -1;
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 2, &high), MESSAGES);
    assert_int_equal(high, MESSAGES);

    assert_int_equal(mm_test_child_stop(&broker, SIGTERM, 10000), 0);
    free(group);
    free(topic);
}

/* --topic/--partitions pre-create a topic; SIGINT stops it cleanly too. */
static void test_precreated_topic_and_sigint(void **state) {
    (void)state;
    mm_test_child broker;
    char bootstrap[128];
    char *topic = mm_test_unique_name("devbroker-pre");
    char *extra[] = {"--topic", topic, "--partitions", "3", NULL};
    start_broker(&broker, extra, bootstrap, sizeof bootstrap);
    roundtrip(bootstrap, topic);
    long long high = -1;
    char *group = mm_test_unique_name("devbroker-probe");
    /* A group that never committed: 0 committed, but the watermarks show 3 partitions exist. */
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 3, &high), 0);
    assert_int_equal(high, MESSAGES);
    assert_int_equal(mm_test_child_stop(&broker, SIGINT, 10000), 0);
    free(group);
    free(topic);
}

/* A --listen port that is taken is a run-time failure (exit 1) that names the
 * address, not a crash and not a silent fallback to another port. */
static void test_listen_port_in_use_fails(void **state) {
    (void)state;
    mm_test_child first;
    char bootstrap[128];
    char *extra[] = {"--listen", "127.0.0.1:0", NULL};
    start_broker(&first, extra, bootstrap, sizeof bootstrap);

    char *argv[] = {(char *)mm_test_gregor(), "broker", "--listen", bootstrap, NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err, 20000), 1);
    assert_non_null(strstr(err, "cannot listen on"));
    assert_null(strstr(out, "bootstrap:"));
    free(out);
    free(err);
    assert_int_equal(mm_test_child_stop(&first, SIGTERM, 10000), 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_listen),
        cmocka_unit_test(test_listen_forwarder_and_commit),
        cmocka_unit_test(test_precreated_topic_and_sigint),
        cmocka_unit_test(test_listen_port_in_use_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
