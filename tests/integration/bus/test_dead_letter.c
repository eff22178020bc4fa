/* test_dead_letter.c -- poison messages against a REAL Kafka broker: garbage
 * bytes, missing headers, a value that is not a JSON object and an event type
 * the service does not know all land in "<topic>.dlq" with the original
 * bytes and headers plus mm_dlq_* headers naming the reason and the origin,
 * and the good event behind them is still handled and committed. A handler
 * whose transient failure never passes gets max_attempts calls, then the
 * event is dead-lettered with that reason and the next one is handled. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "metamorphosis.h"
#include "mm_test.h"

/* Produces one raw message (value, headers as name/value pairs) and waits. */
static void produce_raw(rd_kafka_t *rk, const char *topic, const char *value, size_t len,
                        const char *const *hdrs) {
    rd_kafka_headers_t *h = rd_kafka_headers_new(8);
    for (size_t i = 0; hdrs != NULL && hdrs[i] != NULL; i += 2)
        rd_kafka_header_add(h, hdrs[i], -1, hdrs[i + 1], -1);
    rd_kafka_resp_err_t e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_PARTITION(0),
                                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                              RD_KAFKA_V_VALUE((void *)value, len),
                                              RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_END);
    if (e) fail_msg("produce: %s", rd_kafka_err2str(e));
    assert_int_equal(rd_kafka_flush(rk, 30000), 0);
}

typedef struct state {
    char good_id[64];
    int handled;
} state;

static int handler(void *ud, const mm_event *ev, const mm_message_info *info) {
    state *s = ud;
    (void)info;
    assert_string_equal(ev->type, "Good");
    snprintf(s->good_id, sizeof s->good_id, "%s", ev->id);
    s->handled++;
    return 0;
}

static int progress(void *ud, const mm_consumer_stats *st) {
    (void)ud;
    return st->handled + st->dead_lettered >= 5;
}

/* The value of header name on m, as a NUL-terminated copy in buf ("" if absent). */
static const char *header(const rd_kafka_message_t *m, const char *name, char *buf, size_t size) {
    rd_kafka_headers_t *h = NULL;
    const void *v = NULL;
    size_t len = 0;
    buf[0] = '\0';
    if (rd_kafka_message_headers(m, &h) == 0 && rd_kafka_header_get_last(h, name, &v, &len) == 0 &&
        v != NULL)
        snprintf(buf, size, "%.*s", (int)len, (const char *)v);
    return buf;
}

static void test_poison_goes_to_dlq(void **state_) {
    (void)state_;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-dlq");
    char *group = mm_test_unique_name("mm-bus-dlq-group");
    char dlq[512], err[512], buf[512];
    snprintf(dlq, sizeof dlq, "%s.dlq", topic);
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, dlq, 1), 0);

    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    rd_kafka_t *rk = mm_producer_rdkafka(p);
    const char *base[] = {"ce_specversion",
                          "1.0",
                          "ce_id",
                          "poison-2",
                          "ce_source",
                          "/metamorphosis/t",
                          "content-type",
                          "application/json",
                          NULL};
    const char *unknown[] = {"ce_specversion",   "1.0",       "ce_id",
                             "poison-4",         "ce_source", "/metamorphosis/t",
                             "ce_type",          "Bogus",     "content-type",
                             "application/json", NULL};
    const char *notobj[] = {"ce_specversion",   "1.0",       "ce_id",
                            "poison-3",         "ce_source", "/metamorphosis/t",
                            "ce_type",          "Good",      "content-type",
                            "application/json", NULL};
    produce_raw(rk, topic, "\x00\xff garbage", 10, NULL); /* offset 0 */
    produce_raw(rk, topic, "{\"a\":1}", 7, base);         /* 1: no ce_type */
    produce_raw(rk, topic, "[1,2,3]", 7, notobj);         /* 2 */
    produce_raw(rk, topic, "{}", 2, unknown);             /* 3 */
    mm_event good;
    assert_int_equal(mm_event_create(&good, "t", "Good", json_pack("{s:s}", "x", "y")), 0);
    assert_int_equal(mm_producer_send_sync(p, topic, &good, 30000, NULL, NULL, err, sizeof err), 0);

    state s = {0};
    const char *topics[] = {topic};
    const char *types[] = {"Good"};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handled_types = types,
        .handled_count = 1,
        .known_types = types,
        .known_count = 1,
        .handler = handler,
        .handler_ud = &s,
        .producer = p,
        .on_progress = progress,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(c);
    assert_int_equal(mm_consumer_run(c), MM_CONSUMER_STOPPED);
    mm_consumer_stats st;
    mm_consumer_get_stats(c, &st);
    assert_int_equal(st.dead_lettered, 4);
    assert_int_equal(st.handled, 1);
    assert_int_equal(s.handled, 1);
    assert_string_equal(s.good_id, good.id);
    mm_consumer_free(c);
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 1, NULL), 5);

    /* Read the DLQ back from the beginning. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *rc = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rc);
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(a, dlq, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(rc, a), 0);
    rd_kafka_topic_partition_list_destroy(a);
    static const char *reasons[] = {
        "missing header ce_specversion",
        "missing header ce_type",
        "value is an array, expected a JSON object",
        "unknown event type \"Bogus\"",
    };
    static const struct {
        const char *v;
        size_t len;
    } values[] = {{"\x00\xff garbage", 10}, {"{\"a\":1}", 7}, {"[1,2,3]", 7}, {"{}", 2}};
    int got = 0;
    long long deadline = mm_test_now_ms() + 30000;
    while (got < 4 && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rc, 200);
        if (m == NULL) continue;
        if (m->err) {
            rd_kafka_message_destroy(m);
            continue;
        }
        assert_int_equal(m->offset, got);
        if (strcmp(header(m, "mm_dlq_reason", buf, sizeof buf), reasons[got]) != 0)
            fail_msg("dlq message %d: reason '%s', expected '%s'", got, buf, reasons[got]);
        assert_string_equal(header(m, "mm_dlq_source_topic", buf, sizeof buf), topic);
        assert_string_equal(header(m, "mm_dlq_partition", buf, sizeof buf), "0");
        char off[16];
        snprintf(off, sizeof off, "%d", got);
        assert_string_equal(header(m, "mm_dlq_offset", buf, sizeof buf), off);
        assert_string_equal(header(m, "mm_dlq_group", buf, sizeof buf), group);
        assert_int_equal(m->len, values[got].len);
        assert_memory_equal(m->payload, values[got].v, m->len);
        if (got == 3) /* original headers travel with the copy */
            assert_string_equal(header(m, "ce_type", buf, sizeof buf), "Bogus");
        got++;
        rd_kafka_message_destroy(m);
    }
    assert_int_equal(got, 4);
    rd_kafka_consumer_close(rc);
    rd_kafka_destroy(rc);
    mm_event_clear(&good);
    mm_producer_free(p);
    free(topic);
    free(group);
}

/* Fails (transiently) every call for the event with id "stuck". */
typedef struct flaky {
    int stuck_calls, handled;
} flaky;

static int flaky_handler(void *ud, const mm_event *ev, const mm_message_info *info) {
    flaky *f = ud;
    (void)info;
    if (strcmp(ev->id, "stuck") == 0) {
        f->stuck_calls++;
        return MM_EREDIS;
    }
    f->handled++;
    return 0;
}

static int two_done(void *ud, const mm_consumer_stats *st) {
    (void)ud;
    return st->handled + st->dead_lettered >= 2;
}

static void test_transient_failure_is_bounded(void **state_) {
    (void)state_;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-flaky");
    char *group = mm_test_unique_name("mm-bus-flaky-group");
    char dlq[512], err[512], buf[512];
    snprintf(dlq, sizeof dlq, "%s.dlq", topic);
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, dlq, 1), 0);
    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    const char *stuck[] = {"ce_specversion",
                           "1.0",
                           "ce_id",
                           "stuck",
                           "ce_source",
                           "/metamorphosis/t",
                           "ce_type",
                           "Good",
                           "content-type",
                           "application/json",
                           NULL};
    produce_raw(mm_producer_rdkafka(p), topic, "{}", 2, stuck); /* offset 0 */
    mm_event good;
    assert_int_equal(mm_event_create(&good, "t", "Good", json_pack("{s:s}", "x", "y")), 0);
    assert_int_equal(mm_producer_send_sync(p, topic, &good, 30000, NULL, NULL, err, sizeof err), 0);

    flaky f = {0};
    const char *topics[] = {topic};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handler = flaky_handler,
        .handler_ud = &f,
        .producer = p,
        .on_progress = two_done,
        .max_attempts = 3,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(c);
    long long start = mm_test_now_ms();
    assert_int_equal(mm_consumer_run(c), MM_CONSUMER_STOPPED);
    mm_consumer_stats st;
    mm_consumer_get_stats(c, &st);
    assert_int_equal(f.stuck_calls, 3); /* exactly max_attempts calls */
    assert_int_equal(st.dead_lettered, 1);
    assert_int_equal(st.handled, 1); /* the event behind it was not held up */
    assert_int_equal(f.handled, 1);
    assert_true(mm_test_now_ms() - start < 20000);
    mm_consumer_free(c);
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 1, NULL), 2);

    /* The dead letter says why. */
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *rc = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rc);
    rd_kafka_topic_partition_list_t *a = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(a, dlq, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(rc, a), 0);
    rd_kafka_topic_partition_list_destroy(a);
    int got = 0;
    long long deadline = mm_test_now_ms() + 30000;
    while (got < 1 && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rc, 200);
        if (m == NULL) continue;
        if (!m->err) {
            assert_string_equal(header(m, "mm_dlq_reason", buf, sizeof buf),
                                "handler failed 3 times (transient failures persisted)");
            assert_string_equal(header(m, "ce_id", buf, sizeof buf), "stuck");
            got++;
        }
        rd_kafka_message_destroy(m);
    }
    assert_int_equal(got, 1);
    rd_kafka_consumer_close(rc);
    rd_kafka_destroy(rc);
    mm_event_clear(&good);
    mm_producer_free(p);
    free(topic);
    free(group);
}

int main(void) {
    mm_test_kafka_bootstrap();
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_poison_goes_to_dlq),
                                       cmocka_unit_test(test_transient_failure_is_bounded)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
