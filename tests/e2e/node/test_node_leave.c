/* test_node_leave.c -- a static member stopped for good leaves its group
 * (src/node/leave_group.c), against the real Kafka broker and Redis.
 *
 * A node runs 2 workers of the count consumer (static members, slots 0 and
 * 1) on a 2-partition topic with a 30 s session timeout. AdjustConsumer
 * lowers the count to 1: slot 1 drains and removes itself from the group,
 * so the remaining worker gets both partitions at once. Proves: events sent
 * to both partitions afterwards are all handled within 10 s (without the
 * LeaveGroup, one partition would wait ~30 s for the session to expire),
 * and the retired worker says it left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node/control.h"
#include "node_env.h"

static node_env env;
static mm_producer *producer;

static long long seen_count(void) {
    redisContext *c = node_env_redis();
    redisReply *r = redisCommand(c, "HKEYS mm:state:mmtest_node:seen");
    long long n = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        n += strstr(r->element[i]->str, env.topic) != NULL;
    freeReplyObject(r);
    redisFree(c);
    return n;
}

static long long wait_seen(long long want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms, n = 0;
    while ((n = seen_count()) < want && mm_test_now_ms() < deadline) usleep(100 * 1000);
    return n;
}

/* n events, to partitions 0 and 1 in turn. */
static void produce(int first, int n) {
    for (int i = first; i < first + n; i++) {
        mm_event ev;
        char id[512];
        assert_int_equal(
            mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)), 0);
        snprintf(id, sizeof id, "%s-%d", env.topic, i);
        free(ev.id);
        ev.id = strdup(id);
        rd_kafka_headers_t *h = NULL;
        char *payload = NULL;
        size_t len = 0;
        char reason[MM_ENVELOPE_REASON_MAX];
        assert_int_equal(mm_envelope_encode(&ev, &h, &payload, &len, reason), 0);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            mm_producer_rdkafka(producer), RD_KAFKA_V_TOPIC(env.topic), RD_KAFKA_V_PARTITION(i % 2),
            RD_KAFKA_V_VALUE(payload, len), RD_KAFKA_V_KEY(id, strlen(id)), RD_KAFKA_V_HEADERS(h),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (e) {
            rd_kafka_headers_destroy(h);
            fail_msg("produce: %s", rd_kafka_err2str(e));
        }
        free(payload);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(producer, 20000), 0);
}

static void test_retired_static_member_leaves(void **state) {
    (void)state;
    node_env_setup(&env, "mmtest-leave", mm_test_kafka_bootstrap(), "info", "30000", 2);
    char err[256];
    producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);

    char log_path[] = "/tmp/mmtest-leave-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    char cfg_path[] = "/tmp/mmtest-leave-cfg-XXXXXX";
    int cfg_fd = mkstemp(cfg_path);
    const char *cfg = "mmtest_node:\n  count: {procs: 2}\n  idle: {procs: 0}\n";
    assert_int_equal(write(cfg_fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(cfg_fd);
    int saved = dup(2);
    dup2(log_fd, 2);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "leaver",
                    "--config",
                    cfg_path,
                    NULL};
    int rc = mm_test_child_spawn(&node, argv);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);
    produce(0, 10);
    assert_int_equal(wait_seen(10, 30000), 10);

    /* Down to one worker: slot 1 retires for good and leaves the group. */
    mm_control c = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .node = "leaver",
                    .name = "count",
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = 1};
    mm_event ev;
    assert_int_equal(mm_control_build(&c, &ev, err, sizeof err), 0);
    assert_int_equal(
        mm_producer_send_sync(producer, env.web_topic, &ev, 20000, NULL, NULL, err, sizeof err), 0);
    mm_event_clear(&ev);
    sleep(2);
    long long t0 = mm_test_now_ms();
    produce(10, 10);
    long long got = wait_seen(20, 10000);
    print_message("after the retirement: %lld of 20 handled, %lld ms\n", got,
                  mm_test_now_ms() - t0);
    assert_int_equal(got, 20);

    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    FILE *f = fopen(log_path, "r");
    char *log = calloc(1, 1 << 20);
    size_t n = fread(log, 1, (1 << 20) - 1, f);
    log[n] = '\0';
    fclose(f);
    char want[512];
    snprintf(want, sizeof want, "left group %s (static member leaver.mmtest_node.count.1)",
             env.group);
    if (!strstr(log, want)) fail_msg("wanted '%s' in the log", want);
    free(log);
    unlink(log_path);
    unlink(cfg_path);
    close(log_fd);
    mm_producer_free(producer);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retired_static_member_leaves),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
