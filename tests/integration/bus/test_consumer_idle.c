/* test_consumer_idle.c -- a pipelined consumer that goes idle gives back
 * what it keeps for a busy loop (bus/consumer.c, idle_trim): on_idle is
 * called on the loop thread once per idle spell after handling messages,
 * never while a message is in flight, and not again while it stays idle.
 * Real Kafka. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "metamorphosis.h"
#include "mm_test.h"

typedef struct idle_probe {
    mm_consumer *c;
    pthread_t loop_thread;
    int seen;                 /* events started */
    mm_consumer_slot *held;   /* the one slot kept in flight for a while */
    long long held_since_ms;  /* when it was taken */
    int hold_ms;              /* how long the first event of a burst is held */
    int idle_calls;           /* on_idle calls */
    int idle_while_in_flight; /* on_idle calls while a slot was held (a bug) */
    int idle_off_loop;        /* on_idle calls on another thread (a bug) */
    int seen_at_last_idle;    /* events started at the last on_idle */
} idle_probe;

static void start(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                  const mm_message_info *info) {
    idle_probe *p = ud;
    (void)ev;
    (void)info;
    if (__atomic_add_fetch(&p->seen, 1, __ATOMIC_SEQ_CST) == 1 && p->hold_ms > 0) {
        p->held = slot; /* the first event stays in flight: no idle meanwhile */
        p->held_since_ms = mm_test_now_ms();
        return;
    }
    mm_consumer_slot_done(p->c, slot, MM_SLOT_HANDLED);
}

static int pump(void *ud) {
    idle_probe *p = ud;
    if (p->held == NULL) return -1;
    long long left = p->held_since_ms + p->hold_ms - mm_test_now_ms();
    if (left > 0) return (int)left;
    mm_consumer_slot *sl = p->held;
    p->held = NULL;
    mm_consumer_slot_done(p->c, sl, MM_SLOT_HANDLED);
    return -1;
}

static void on_idle(void *ud) {
    idle_probe *p = ud;
    if (p->held != NULL) __atomic_add_fetch(&p->idle_while_in_flight, 1, __ATOMIC_SEQ_CST);
    if (!pthread_equal(pthread_self(), p->loop_thread))
        __atomic_add_fetch(&p->idle_off_loop, 1, __ATOMIC_SEQ_CST);
    __atomic_store_n(&p->seen_at_last_idle, __atomic_load_n(&p->seen, __ATOMIC_SEQ_CST),
                     __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&p->idle_calls, 1, __ATOMIC_SEQ_CST);
}

static void *run_loop(void *arg) {
    idle_probe *p = arg;
    p->loop_thread = pthread_self();
    mm_consumer_run(p->c);
    return NULL;
}

static void send_events(mm_producer *pr, const char *topic, int n) {
    char err[256];
    for (int i = 0; i < n; i++) {
        mm_event ev;
        assert_int_equal(mm_event_create(&ev, "t", "Tick", json_pack("{s:i}", "i", i)), 0);
        assert_int_equal(mm_producer_send(pr, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(pr, 10000), 0);
}

static int load(int *v) { return __atomic_load_n(v, __ATOMIC_SEQ_CST); }

/* Waits up to ms for *v to reach at least want. */
static int wait_for(int *v, int want, int ms) {
    for (long long until = mm_test_now_ms() + ms; mm_test_now_ms() < until; usleep(10000))
        if (load(v) >= want) return 1;
    return load(v) >= want;
}

static void test_idle_release_once_per_spell_never_in_flight(void **state_) {
    (void)state_;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-idle");
    char *group = mm_test_unique_name("mm-bus-idle-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    mm_producer *pr = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(pr);
    send_events(pr, topic, 20);

    idle_probe p = {.hold_ms = 600};
    const char *topics[] = {topic};
    const mm_kv props[] = {{"auto.offset.reset", "earliest"}};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .start = start,
        .pump = pump,
        .on_idle = on_idle,
        .handler_ud = &p,
        .producer = pr,
        .props = props,
        .prop_count = 1,
    };
    p.c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(p.c);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, run_loop, &p), 0);

    /* Nothing handled yet: no idle call however long the group join takes. */
    assert_true(wait_for(&p.seen, 20, 30000));
    /* The first event is held 600 ms: the loop is not idle meanwhile. */
    assert_true(wait_for(&p.idle_calls, 1, 5000));
    assert_int_equal(load(&p.idle_while_in_flight), 0);
    assert_int_equal(load(&p.seen_at_last_idle), 20);
    /* Staying idle: no second call. */
    usleep(500 * 1000);
    assert_int_equal(load(&p.idle_calls), 1);

    /* A second burst, then a second idle spell: one more call. */
    send_events(pr, topic, 5);
    assert_true(wait_for(&p.seen, 25, 10000));
    assert_true(wait_for(&p.idle_calls, 2, 5000));
    usleep(500 * 1000);
    assert_int_equal(load(&p.idle_calls), 2);
    assert_int_equal(load(&p.seen_at_last_idle), 25);
    assert_int_equal(load(&p.idle_off_loop), 0);

    mm_consumer_stop(p.c);
    pthread_join(t, NULL);
    mm_consumer_stats st;
    mm_consumer_get_stats(p.c, &st);
    assert_int_equal(st.handled, 25);
    mm_consumer_free(p.c);
    mm_producer_free(pr);
    free(topic);
    free(group);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_release_once_per_spell_never_in_flight),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
