/* test_consumer_txn.c -- the exactly-once mode's Kafka half against a REAL
 * broker (MM_TEST_KAFKA_BOOTSTRAP): a pipelined consumer with transaction
 * hooks (bus/consumer.h) whose handler copies each event to an output topic
 * through a transactional producer (bus/transaction.h). Every input event's
 * copy is visible to a read_committed reader exactly once and the offsets are
 * committed with it; an aborted transaction rewinds the consumer and the
 * events are handled again, still visible once; a second producer with the
 * same transactional.id fences the first; and a loop that fails with events
 * in flight is freed promptly (rd_kafka_destroy used to wait forever for
 * the messages still held). */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "bus/consumer.h"
#include "bus/transaction.h"
#include "metamorphosis.h"
#include "mm_test.h"

enum {
    N = 40
};

/* The test's "runner": copies each event to out and finishes its slot
 * once the copy is written. */
typedef struct copier {
    mm_consumer *c;
    mm_txn *txn;
    const char *out;
    int handled;         /* start() calls */
    int abort_first;     /* the first commit aborts instead */
    int fail_in_flight;  /* the first event fails the loop, its slot not done */
    int commits, aborts; /* commit hook outcomes */
    mm_consumer_slot *done[4 * N];
    int ndone;
} copier;

typedef struct copy {
    copier *k;
    mm_consumer_slot *slot;
} copy;

static void on_copied(void *ud, const mm_delivery *d) {
    copy *cp = ud;
    assert_int_equal(d->status, 0);
    assert_true(cp->k->ndone < 4 * N);
    cp->k->done[cp->k->ndone++] = cp->slot; /* finished in pump: the loop's thread */
    free(cp);
}

static void start(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                  const mm_message_info *info) {
    (void)info;
    copier *k = ud;
    k->handled++;
    if (k->fail_in_flight) {
        mm_consumer_fail(k->c, "test: failing with an event in flight");
        return;
    }
    mm_event out;
    mm_event_init(&out);
    assert_int_equal(mm_event_create(&out, "txntest", "Copied", json_pack("{s:s}", "src", ev->id)),
                     0);
    copy *cp = malloc(sizeof *cp);
    assert_non_null(cp);
    *cp = (copy){k, slot};
    char err[256];
    assert_int_equal(
        mm_producer_send(mm_txn_producer(k->txn), k->out, &out, on_copied, cp, err, sizeof err), 0);
    mm_event_clear(&out);
}

static int pump(void *ud) {
    copier *k = ud;
    for (int i = 0; i < k->ndone; i++) mm_consumer_slot_done(k->c, k->done[i], MM_SLOT_HANDLED);
    k->ndone = 0;
    return -1;
}

static int due(void *ud, size_t events, size_t bytes) {
    (void)ud, (void)bytes;
    return events >= 10 ? 0 : 50;
}

static int commit(void *ud, rd_kafka_t *consumer, const rd_kafka_topic_partition_list_t *offsets) {
    copier *k = ud;
    char err[256];
    if (k->abort_first) {
        k->abort_first = 0;
        k->aborts++;
        assert_int_equal(mm_txn_abort(k->txn, 10000, err, sizeof err), 0);
        return MM_TXN_ABORTED;
    }
    int rc = mm_txn_commit(k->txn, consumer, offsets, 10000, err, sizeof err);
    if (rc == 0) k->commits++;
    if (rc == MM_TXN_ABORTED) k->aborts++;
    if (rc < 0) fprintf(stderr, "commit: %s\n", err);
    return rc;
}

static void abort_open(void *ud) {
    copier *k = ud;
    char err[256];
    mm_txn_abort(k->txn, 10000, err, sizeof err);
}

static void produce_inputs(const char *topic, int n) {
    char err[256];
    mm_producer *p = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(p);
    for (int i = 0; i < n; i++) {
        mm_event ev;
        mm_event_init(&ev);
        assert_int_equal(mm_event_create(&ev, "txntest", "Input", json_pack("{s:i}", "i", i)), 0);
        assert_int_equal(mm_producer_send_sync(p, topic, &ev, 10000, NULL, NULL, err, sizeof err),
                         0);
        mm_event_clear(&ev);
    }
    mm_producer_free(p);
}

/* Reads topic (partition 0) with read_committed until it has want copies or
 * 20 s passed; returns the copies read, and the most copies of one source. */
static int read_committed(const char *topic, int want, int *max_per_src) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "isolation.level", "read_committed", err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "unused", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(rk, l), 0);
    rd_kafka_topic_partition_list_destroy(l);
    char srcs[4 * N][40];
    int counts[4 * N] = {0}, nsrc = 0, got = 0;
    long long deadline = mm_test_now_ms() + 20000;
    while (got < want && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (!m->err) {
            json_t *d = json_loadb(m->payload, m->len, 0, NULL);
            const char *src = json_string_value(json_object_get(d, "src"));
            assert_non_null(src);
            int i = 0;
            while (i < nsrc && strcmp(srcs[i], src) != 0) i++;
            if (i == nsrc) snprintf(srcs[nsrc++], sizeof srcs[0], "%s", src);
            counts[i]++;
            got++;
            json_decref(d);
        }
        rd_kafka_message_destroy(m);
    }
    /* A little longer: a duplicate would arrive now. */
    for (long long until = mm_test_now_ms() + 500; mm_test_now_ms() < until;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m && !m->err) got++;
        if (m) rd_kafka_message_destroy(m);
    }
    *max_per_src = 0;
    for (int i = 0; i < nsrc; i++)
        if (counts[i] > *max_per_src) *max_per_src = counts[i];
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got;
}

/* Runs the copier over in until it handled `until` events; returns run's rc. */
static int run_copier(copier *k, const char *in, const char *group, int until) {
    char err[512];
    const char *topics[] = {in};
    mm_consumer_txn_hooks hooks = {.due = due, .commit = commit, .abort = abort_open, .ud = k};
    mm_consumer_config cfg = {
        .bootstrap = mm_test_kafka_bootstrap(),
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .start = start,
        .pump = pump,
        .handler_ud = k,
        .producer = mm_txn_producer(k->txn),
        .max_messages = (uint64_t)until,
        .txn = &hooks,
    };
    k->c = mm_consumer_new(&cfg, err, sizeof err);
    if (k->c == NULL) fail_msg("mm_consumer_new: %s", err);
    int rc = mm_consumer_run(k->c);
    alarm(30); /* the free must not hang */
    mm_consumer_free(k->c);
    alarm(0);
    return rc;
}

static mm_txn *new_txn(const char *id) {
    char err[512];
    mm_txn *t = mm_txn_new(mm_test_kafka_bootstrap(), NULL, 0, id, 10000, err, sizeof err);
    if (t == NULL) fail_msg("mm_txn_new: %s", err);
    return t;
}

static void test_exactly_once_copy_and_rewind(void **state) {
    (void)state;
    const char *bootstrap = mm_test_kafka_bootstrap();
    char *in = mm_test_unique_name("mm-txn-in"), *out = mm_test_unique_name("mm-txn-out");
    char *group = mm_test_unique_name("mm-txn-group"), *id = mm_test_unique_name("mm-txn-id");
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, in, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(bootstrap, out, 1), 0);
    produce_inputs(in, N);
    /* The first transaction aborts: its events are handled again. */
    copier k = {.txn = new_txn(id), .out = out, .abort_first = 1};
    assert_int_equal(run_copier(&k, in, group, N), MM_CONSUMER_BUDGET);
    fprintf(stderr, "handled %d (N=%d), commits %d, aborts %d\n", k.handled, N, k.commits,
            k.aborts);
    assert_int_equal(k.aborts, 1);
    assert_true(k.handled > N); /* the aborted transaction's events again */
    assert_true(k.commits >= 1);
    mm_txn_free(k.txn);
    assert_int_equal(mm_test_kafka_committed_total(bootstrap, in, group, 1, NULL), N);
    int max_per_src = 0;
    assert_int_equal(read_committed(out, N, &max_per_src), N);
    assert_int_equal(max_per_src, 1);
    free(in), free(out), free(group), free(id);
}

static void test_same_id_fences(void **state) {
    (void)state;
    char *out = mm_test_unique_name("mm-txn-fence"), *id = mm_test_unique_name("mm-txn-id");
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), out, 1), 0);
    mm_txn *a = new_txn(id);
    char err[512];
    mm_event ev;
    mm_event_init(&ev);
    assert_int_equal(mm_event_create(&ev, "txntest", "Copied", json_pack("{s:s}", "src", "a")), 0);
    assert_int_equal(
        mm_producer_send_sync(mm_txn_producer(a), out, &ev, 10000, NULL, NULL, err, sizeof err), 0);
    mm_txn *b = new_txn(id); /* fences a, aborts a's open transaction */
    assert_int_equal(mm_txn_commit(a, NULL, NULL, 10000, err, sizeof err), MM_EKAFKA);
    fprintf(stderr, "the fenced producer: %s\n", err);
    assert_int_equal(mm_txn_commit(b, NULL, NULL, 10000, err, sizeof err), 0);
    int max_per_src = 0;
    assert_int_equal(read_committed(out, 1, &max_per_src), 0); /* a's write never visible */
    mm_event_clear(&ev);
    mm_txn_free(a);
    mm_txn_free(b);
    free(out), free(id);
}

static void test_fail_in_flight_frees(void **state) {
    (void)state;
    char *in = mm_test_unique_name("mm-txn-fail"), *group = mm_test_unique_name("mm-txn-group");
    char *id = mm_test_unique_name("mm-txn-id");
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), in, 1), 0);
    produce_inputs(in, 3);
    copier k = {.txn = new_txn(id), .out = in, .fail_in_flight = 1};
    long long t0 = mm_test_now_ms();
    assert_int_equal(run_copier(&k, in, group, 3), MM_EKAFKA);
    assert_true(k.handled >= 1);
    assert_true(mm_test_now_ms() - t0 < 30000);
    mm_txn_free(k.txn);
    free(in), free(group), free(id);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exactly_once_copy_and_rewind),
        cmocka_unit_test(test_same_id_fences),
        cmocka_unit_test(test_fail_in_flight_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
