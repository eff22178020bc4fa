/* test_consumer_prefetch.c -- a pipelined consumer slower than its broker
 * does not idle a second every time librdkafka's prefetch queue fills up
 * (bus/consumer.c, nudge_fetcher): with a 64 KiB queue and 64 KiB fetches,
 * 4,000 events of ~1 KB fill the queue ~60 times; librdkafka 2.0.2 alone
 * waits up to 1 s after each (about a minute in all), the consumer's
 * nudges make it a few seconds at most. Real Kafka. */
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

#define EVENTS 4000

typedef struct drain {
    mm_consumer *c;
    long long first_ms, last_ms, max_gap_ms;
} drain;

static void start(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                  const mm_message_info *info) {
    drain *d = ud;
    (void)ev;
    (void)info;
    long long now = mm_test_now_ms();
    if (d->first_ms == 0) d->first_ms = now;
    if (d->last_ms != 0 && now - d->last_ms > d->max_gap_ms) d->max_gap_ms = now - d->last_ms;
    d->last_ms = now;
    mm_consumer_slot_done(d->c, slot, MM_SLOT_HANDLED);
}

static void test_full_prefetch_queue_does_not_stall(void **state_) {
    (void)state_;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-prefetch");
    char *group = mm_test_unique_name("mm-bus-prefetch-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    char filler[1001];
    memset(filler, 'x', sizeof filler - 1);
    filler[sizeof filler - 1] = '\0';
    for (int i = 0; i < EVENTS; i++) {
        mm_event ev;
        assert_int_equal(
            mm_event_create(&ev, "t", "Fill", json_pack("{s:i,s:s}", "i", i, "pad", filler)), 0);
        assert_int_equal(mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(p, 60000), 0);

    drain d = {0};
    const char *topics[] = {topic};
    const mm_kv props[] = {{"queued.max.messages.kbytes", "64"},
                           {"max.partition.fetch.bytes", "65536"}};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .start = start,
        .handler_ud = &d,
        .producer = p,
        .props = props,
        .prop_count = 2,
        .max_messages = EVENTS,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(c);
    d.c = c;
    assert_int_equal(mm_consumer_run(c), MM_CONSUMER_BUDGET);
    mm_consumer_stats st;
    mm_consumer_get_stats(c, &st);
    assert_int_equal(st.handled, EVENTS);
    long long took = d.last_ms - d.first_ms;
    fprintf(stderr, "drained %d events in %lld ms, %llu nudges, longest gap %lld ms\n", EVENTS,
            took, (unsigned long long)st.fetch_nudges, d.max_gap_ms);
    /* Without the nudges: ~60 fills of up to 1 s each. */
    assert_true(took < 15000);
    assert_true(st.fetch_nudges >= 1);
    mm_consumer_free(c);
    mm_producer_free(p);
    free(topic);
    free(group);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_prefetch_queue_does_not_stall),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
