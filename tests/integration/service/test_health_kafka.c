/* test_health_kafka.c -- the health module's own Kafka probe (a metadata
 * request for one topic, on the blocking pool) against the run's real
 * broker: up; against a bootstrap address nobody listens on: down within the
 * probe's timeout plus one interval; and a topic the probe asks about that
 * does not exist yet still reads as up (the broker answered). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <librdkafka/rdkafka.h>
#include <stdlib.h>
#include <unistd.h>

#include "mm_test.h"
#include "service/dispatch.h"
#include "service/health.h"
#include "service/timer.h"
#include "store/loop_thread.h"

typedef struct rig {
    mm_loop_thread *lt;
    mm_timer *timer;
    mm_dispatch *pool;
    rd_kafka_t *rk;
    mm_health *h;
} rig;

static rd_kafka_t *producer(const char *bootstrap) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err),
                     RD_KAFKA_CONF_OK);
    /* no topic is created by asking about it */
    assert_int_equal(rd_kafka_conf_set(conf, "allow.auto.create.topics", "false", err, sizeof err),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    return rk;
}

static void start(rig *r, const char *bootstrap, const char *topic) {
    r->lt = mm_loop_thread_start("test-health-k");
    assert_non_null(r->lt);
    r->timer = mm_timer_start(r->lt);
    r->pool = mm_dispatch_start(1);
    assert_non_null(r->timer);
    assert_non_null(r->pool);
    r->rk = producer(bootstrap);
    mm_health_config cfg = {.loop = r->lt,
                            .timer = r->timer,
                            .blocking = r->pool,
                            .kafka = r->rk,
                            .kafka_topic = topic,
                            .interval_ms = 200,
                            .kafka_timeout_ms = 500};
    r->h = mm_health_start(&cfg);
    assert_non_null(r->h);
}

static void finish(rig *r) {
    mm_health_stop(r->h);
    mm_dispatch_free(r->pool); /* a probe in flight ends within its timeout */
    mm_timer_free(r->timer);
    mm_loop_thread_stop(r->lt);
    mm_health_free(r->h);
    rd_kafka_destroy(r->rk);
}

static long long wait_kafka(mm_health *h, mm_dep_state want, long long ms) {
    long long t0 = mm_test_now_ms();
    while (mm_health_kafka(h) != want) {
        if (mm_test_now_ms() - t0 > ms) return -1;
        usleep(5000);
    }
    return mm_test_now_ms() - t0;
}

static void test_real_broker_is_up(void **state) {
    (void)state;
    char *topic = mm_test_unique_name("mm-health-probe");
    rig r = {0};
    start(&r, mm_test_kafka_bootstrap(), topic);
    long long took = wait_kafka(r.h, MM_DEP_UP, 15000);
    print_message("up after %lld ms\n", took);
    assert_true(took >= 0);
    char reason[200];
    assert_int_equal(mm_health_ready(r.h, reason, sizeof reason), 1);
    finish(&r);
    free(topic);
}

static void test_no_broker_is_down(void **state) {
    (void)state;
    rig r = {0};
    start(&r, "127.0.0.1:1", "mm_health_nowhere");
    long long took = wait_kafka(r.h, MM_DEP_DOWN, 5000);
    print_message("down after %lld ms\n", took);
    assert_true(took >= 0);
    assert_true(took <= 200 + 500 + 400 + 500); /* interval + timeout (or bound) + slack */
    finish(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_broker_is_up),
        cmocka_unit_test(test_no_broker_is_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
