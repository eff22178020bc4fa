/* test_producer_consumer.c -- the producer and the consumer loop against a
 * REAL Kafka broker (MM_TEST_KAFKA_BOOTSTRAP): every produced event reaches
 * the group, offsets are committed only after the handler returned (a second
 * member of the group after a restart gets nothing old), unhandled types are
 * skipped, a failing handler is retried, the message budget stops the loop,
 * and stop is prompt. */
#include <pthread.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "metamorphosis.h"
#include "mm_test.h"

enum {
    N_PING = 60,
    N_OTHER = 20,
    PARTITIONS = 3
};

/* What the handler saw; guarded by lock (the handler runs on the consumer thread). */
typedef struct seen {
    pthread_mutex_t lock;
    char ids[256][40];
    int count;
    int calls;
    int fail_first;      /* make the first call fail once (transient failure) */
    uint64_t stop_after; /* on_progress stops when handled+skipped reaches this */
} seen;

static int handler(void *ud, const mm_event *ev, const mm_message_info *info) {
    seen *s = ud;
    pthread_mutex_lock(&s->lock);
    s->calls++;
    if (s->fail_first) {
        s->fail_first = 0;
        pthread_mutex_unlock(&s->lock);
        return -1;
    }
    assert_non_null(info->topic);
    assert_true(info->offset >= 0);
    if (s->count < 256) snprintf(s->ids[s->count++], 40, "%s", ev->id);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

static int progress(void *ud, const mm_consumer_stats *st) {
    seen *s = ud;
    return s->stop_after > 0 && st->handled + st->skipped >= s->stop_after;
}

static bool has_id(seen *s, const char *id) {
    pthread_mutex_lock(&s->lock);
    bool found = false;
    for (int i = 0; i < s->count && !found; i++) found = strcmp(s->ids[i], id) == 0;
    pthread_mutex_unlock(&s->lock);
    return found;
}

typedef struct runner {
    mm_consumer *c;
    pthread_t thread;
    int result;
} runner;

static void *run_thread(void *arg) {
    runner *r = arg;
    r->result = mm_consumer_run(r->c);
    return NULL;
}

static mm_consumer *make_consumer(const char *topic, const char *group, seen *s,
                                  const char *const *handled, size_t nhandled,
                                  uint64_t max_messages, int sync_commit) {
    const char *topics[] = {topic};
    char err[512];
    mm_consumer_config cfg = {
        .bootstrap = mm_test_kafka_bootstrap(),
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handled_types = handled,
        .handled_count = nhandled,
        .handler = handler,
        .handler_ud = s,
        .max_messages = max_messages,
        .on_progress = progress,
        .progress_ud = s,
        .sync_commit = sync_commit,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    if (c == NULL) fail_msg("mm_consumer_new: %s", err);
    return c;
}

typedef struct async_count {
    pthread_mutex_t lock;
    int ok, failed;
} async_count;

static void on_delivered(void *ud, const mm_delivery *d) {
    async_count *a = ud;
    pthread_mutex_lock(&a->lock);
    if (d->status == 0 && d->offset >= 0)
        a->ok++;
    else
        a->failed++;
    pthread_mutex_unlock(&a->lock);
}

static void sleep_ms(int ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_props_pass_through(void **state) {
    (void)state;
    char err[512];
    mm_kv bad[] = {{"kafka.no.such.property", "1"}};
    assert_null(mm_producer_new(mm_test_kafka_bootstrap(), bad, 1, err, sizeof err));
    assert_non_null(strstr(err, "no.such.property"));
    mm_kv good[] = {{"kafka.linger.ms", "2"}, {"client.id", "mm-test"}};
    mm_producer *p = mm_producer_new(mm_test_kafka_bootstrap(), good, 2, err, sizeof err);
    assert_non_null(p);
    mm_event ev;
    assert_int_equal(mm_event_create(&ev, "svc", "Ping", NULL), 0);
    free(ev.type);
    ev.type = strdup("bad type");
    assert_int_equal(mm_producer_send_sync(p, "whatever", &ev, 1000, NULL, NULL, err, sizeof err),
                     MM_EINVAL);
    assert_non_null(strstr(err, "not a GraphQL type name"));
    mm_event_clear(&ev);
    mm_producer_free(p);
}

static void test_group_delivery_and_commit(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-pc");
    char *group = mm_test_unique_name("mm-bus-pc-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, PARTITIONS), 0);

    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    static char ids[N_PING][40];
    async_count ac = {.lock = PTHREAD_MUTEX_INITIALIZER};
    for (int i = 0; i < N_PING + N_OTHER; i++) {
        mm_event ev;
        json_t *data = json_pack("{s:i}", "i", i);
        assert_int_equal(mm_event_create(&ev, "bus-test", i < N_PING ? "Ping" : "Other", data), 0);
        if (i < N_PING) snprintf(ids[i], sizeof ids[i], "%s", ev.id);
        if (i % 2 == 0) {
            int32_t part = -1;
            int64_t off = -1;
            int rc = mm_producer_send_sync(p, topic, &ev, 30000, &part, &off, err, sizeof err);
            if (rc != 0) fail_msg("send_sync: %s", err);
            assert_true(part >= 0 && part < PARTITIONS);
            assert_true(off >= 0);
        } else {
            assert_int_equal(mm_producer_send(p, topic, &ev, on_delivered, &ac, err, sizeof err),
                             0);
        }
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(p, 30000), 0);
    assert_int_equal(ac.ok, (N_PING + N_OTHER) / 2);
    assert_int_equal(ac.failed, 0);

    /* First member: handles Ping, skips Other, its first handler call fails once. */
    seen *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    s->fail_first = 1;
    s->stop_after = N_PING + N_OTHER;
    const char *handled[] = {"Ping"};
    runner r = {.c = make_consumer(topic, group, s, handled, 1, 0, 0)};
    long long t0 = mm_test_now_ms();
    pthread_create(&r.thread, NULL, run_thread, &r);
    pthread_join(r.thread, NULL); /* on_progress stops it once everything is disposed of */
    fprintf(stderr, "first member consumed %d events in %lld ms\n", N_PING + N_OTHER,
            mm_test_now_ms() - t0);
    assert_int_equal(r.result, MM_CONSUMER_STOPPED);
    mm_consumer_stats st;
    mm_consumer_get_stats(r.c, &st);
    assert_int_equal(st.handled, N_PING);
    assert_int_equal(st.skipped, N_OTHER);
    assert_int_equal(st.dead_lettered, 0);
    assert_int_equal(st.retries, 1);
    assert_int_equal(s->calls, N_PING + 1);
    for (int i = 0; i < N_PING; i++)
        if (!has_id(s, ids[i])) fail_msg("event %d (%s) never reached the handler", i, ids[i]);
    mm_consumer_free(r.c);

    long long high = 0;
    long long committed = mm_test_kafka_committed_total(bootstrap, topic, group, PARTITIONS, &high);
    assert_int_equal(high, N_PING + N_OTHER);
    assert_int_equal(committed, high);

    /* Second member of the same group after the "restart": nothing old, but
     * a new event arrives. */
    seen *s2 = calloc(1, sizeof *s2);
    pthread_mutex_init(&s2->lock, NULL);
    runner r2 = {.c = make_consumer(topic, group, s2, handled, 1, 0, 0)};
    pthread_create(&r2.thread, NULL, run_thread, &r2);
    mm_event fresh;
    assert_int_equal(mm_event_create(&fresh, "bus-test", "Ping", NULL), 0);
    assert_int_equal(mm_producer_send_sync(p, topic, &fresh, 30000, NULL, NULL, err, sizeof err),
                     0);
    long long deadline = mm_test_now_ms() + 60000;
    while (!has_id(s2, fresh.id) && mm_test_now_ms() < deadline) sleep_ms(20);
    sleep_ms(1000); /* room for any stale re-delivery to show up */
    long long stop_at = mm_test_now_ms();
    mm_consumer_stop(r2.c);
    pthread_join(r2.thread, NULL);
    long long stop_ms = mm_test_now_ms() - stop_at;
    fprintf(stderr, "stop took %lld ms\n", stop_ms);
    assert_true(stop_ms < 1000);
    assert_true(has_id(s2, fresh.id));
    assert_int_equal(s2->count, 1);
    mm_consumer_free(r2.c);
    mm_event_clear(&fresh);

    mm_producer_free(p);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s2->lock);
    free(s);
    free(s2);
    free(topic);
    free(group);
}

static void test_budget(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-budget");
    char *group = mm_test_unique_name("mm-bus-budget-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 1), 0);
    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    for (int i = 0; i < 12; i++) {
        mm_event ev;
        assert_int_equal(mm_event_create(&ev, "bus-test", "Ping", NULL), 0);
        assert_int_equal(mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(p, 30000), 0);
    seen *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    /* Synchronous commits here, asynchronous ones in the test above. */
    runner r = {.c = make_consumer(topic, group, s, NULL, 0, 5, 1)};
    run_thread(&r);
    assert_int_equal(r.result, MM_CONSUMER_BUDGET);
    assert_int_equal(s->count, 5);
    mm_consumer_free(r.c);
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 1, NULL), 5);
    mm_producer_free(p);
    pthread_mutex_destroy(&s->lock);
    free(s);
    free(topic);
    free(group);
}

/* Two members: A alone handles the first batch; B joins while A runs (a
 * rebalance, with A committing before its partitions are revoked); the second
 * batch is split between them. Nothing is lost and, since every handled
 * offset was committed before the move, nothing is handled twice. */
static void test_rebalance_no_loss_no_duplicates(void **state) {
    (void)state;
    enum {
        BATCH = 40
    };
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *topic = mm_test_unique_name("mm-bus-rebal");
    char *group = mm_test_unique_name("mm-bus-rebal-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, topic, 4), 0);
    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(p);
    seen *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    pthread_mutex_init(&a->lock, NULL);
    pthread_mutex_init(&b->lock, NULL);
    runner ra = {.c = make_consumer(topic, group, a, NULL, 0, 0, 0)};
    pthread_create(&ra.thread, NULL, run_thread, &ra);
    for (int i = 0; i < BATCH; i++) {
        mm_event ev;
        assert_int_equal(mm_event_create(&ev, "bus-test", "Ping", NULL), 0);
        assert_int_equal(mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(p, 30000), 0);
    long long deadline = mm_test_now_ms() + 60000;
    while (a->count < BATCH && mm_test_now_ms() < deadline) sleep_ms(20);
    assert_int_equal(a->count, BATCH);

    runner rb = {.c = make_consumer(topic, group, b, NULL, 0, 0, 0)};
    pthread_create(&rb.thread, NULL, run_thread, &rb);
    /* Wait until B owns partitions: then the group has rebalanced. */
    sleep_ms(3000);
    for (int i = 0; i < BATCH; i++) {
        mm_event ev;
        char key[16];
        snprintf(key, sizeof key, "k%d", i); /* spread over the partitions */
        assert_int_equal(mm_event_create(&ev, "bus-test", "Ping", NULL), 0);
        assert_int_equal(mm_event_set_key(&ev, key, strlen(key)), 0);
        assert_int_equal(mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err), 0);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(p, 30000), 0);
    deadline = mm_test_now_ms() + 60000;
    while (a->count + b->count < 2 * BATCH && mm_test_now_ms() < deadline) sleep_ms(20);
    sleep_ms(500);
    mm_consumer_stop(ra.c);
    mm_consumer_stop(rb.c);
    pthread_join(ra.thread, NULL);
    pthread_join(rb.thread, NULL);
    fprintf(stderr, "rebalance: A handled %d, B handled %d\n", a->count, b->count);
    assert_int_equal(a->count + b->count, 2 * BATCH);
    assert_true(b->count > 0); /* B really took part */
    for (int i = 0; i < b->count; i++) assert_false(has_id(a, b->ids[i]));
    long long high = 0;
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, topic, group, 4, &high), 2 * BATCH);
    mm_consumer_free(ra.c);
    mm_consumer_free(rb.c);
    mm_producer_free(p);
    pthread_mutex_destroy(&a->lock);
    pthread_mutex_destroy(&b->lock);
    free(a);
    free(b);
    free(topic);
    free(group);
}

static volatile sig_atomic_t signalled;
static void on_signal(int sig) {
    (void)sig;
    signalled = 1;
}

/* A signal handler that only sets a flag stops the loop promptly. */
static void test_stop_from_signal(void **state) {
    (void)state;
    char *topic = mm_test_unique_name("mm-bus-sig");
    char *group = mm_test_unique_name("mm-bus-sig-group");
    char err[512];
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), topic, 1), 0);
    seen s = {.lock = PTHREAD_MUTEX_INITIALIZER};
    const char *topics[] = {topic};
    mm_consumer_config cfg = {
        .bootstrap = mm_test_kafka_bootstrap(),
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handler = handler,
        .handler_ud = &s,
        .stop_flag = &signalled,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    assert_non_null(c);
    struct sigaction sa = {.sa_handler = on_signal}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, &old);
    runner r = {.c = c};
    pthread_create(&r.thread, NULL, run_thread, &r);
    sleep_ms(1500); /* let it join the group and idle in poll */
    long long t0 = mm_test_now_ms();
    kill(getpid(), SIGUSR1);
    pthread_join(r.thread, NULL);
    long long took = mm_test_now_ms() - t0;
    fprintf(stderr, "signal stop took %lld ms\n", took);
    assert_true(took < 1000);
    assert_int_equal(r.result, MM_CONSUMER_STOPPED);
    sigaction(SIGUSR1, &old, NULL);
    mm_consumer_free(c);
    free(topic);
    free(group);
}

static void test_config_errors(void **state) {
    (void)state;
    char err[512];
    mm_consumer_config cfg = {.bootstrap = mm_test_kafka_bootstrap(), .group_id = "g"};
    assert_null(mm_consumer_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "at least one topic"));
    const char *topics[] = {"t"};
    mm_kv bad[] = {{"fetch.wait.max.ms", "banana"}};
    cfg.topics = topics;
    cfg.topic_count = 1;
    cfg.handler = handler;
    cfg.props = bad;
    cfg.prop_count = 1;
    assert_null(mm_consumer_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "fetch.wait.max.ms"));
}

int main(void) {
    mm_test_kafka_bootstrap(); /* fail loudly before anything else when unset */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_props_pass_through),
        cmocka_unit_test(test_config_errors),
        cmocka_unit_test(test_group_delivery_and_commit),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_rebalance_no_loss_no_duplicates),
        cmocka_unit_test(test_stop_from_signal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
