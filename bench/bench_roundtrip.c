/* bench_roundtrip.c -- the latency of the synchronous-mutation path without
 * GraphQL: register a waiter, produce an event (acks=all), a consumer-group
 * member receives it, stores the result in Redis with MULTI/SET/PUBLISH/EXEC,
 * and the notifier wakes the waiter. Prints p50/p90/p99/max over N
 * sequential round trips. Needs a real broker and Redis:
 *
 *   bench_roundtrip BOOTSTRAP REDIS_URL [N=1000] [fetch.wait.max.ms=10] [gap_ms=0] [same_work=0]
 *
 * same_work=1: the handler also does what the forms example's create_form
 * worker does per event: an HSET of the event's data and an emitted event
 * produced and waited for (its ack) before the result is stored: the
 * "same-work floor" a synchronous createForm's c=1 p50 is held against
 * (bench/service/run.sh floor).
 * gap_ms pauses between round trips, so that one event's offset commit (which
 * the consumer does after the result is stored) does not delay the next.
 * Not a test: it asserts nothing, it measures. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/admin.h"
#include "bus/consumer.h"
#include "bus/producer.h"
#include "common/json_writer.h"
#include "common/uuid.h"
#include "store/notifier.h"
#include "store/redis_conn.h"
#include "store/results.h"

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct worker {
    mm_result_store *results;
    redisContext *redis;    /* same_work: the HSET's connection (NULL: bare floor) */
    mm_producer *producer;  /* same_work: where the emitted event goes */
    const char *emit_topic; /* same_work */
    const char *hash_key;   /* same_work */
    long long received_us;  /* when the handler got the current event */
} worker;

/* The consumer side: store the result for whoever waits. */
static int handle(void *ud, const mm_event *ev, const mm_message_info *info) {
    worker *w = ud;
    char err[256];
    (void)info;
    __atomic_store_n(&w->received_us, now_us(), __ATOMIC_RELEASE);
    mm_event out;
    mm_event_init(&out);
    const mm_event *result_ev = ev;
    if (w->redis) {
        size_t len;
        char *text = mm_json_text_typed(ev->data, &len);
        redisReply *r =
            text ? redisCommand(w->redis, "HSET %s %s %b", w->hash_key, ev->id, text, len) : NULL;
        if (r == NULL || r->type == REDIS_REPLY_ERROR) fprintf(stderr, "HSET failed\n");
        if (r) freeReplyObject(r);
        free(text);
        mm_event_create(
            &out, "bench", "PingDone",
            json_pack("{s:s,s:O}", "id", ev->id, "data", ev->data ? ev->data : json_null()));
        mm_event_set_cause_id(&out, ev->id);
        if (mm_producer_send_sync(w->producer, w->emit_topic, &out, 10000, NULL, NULL, err,
                                  sizeof err) != 0)
            fprintf(stderr, "emit: %s\n", err);
        result_ev = &out;
    }
    json_t *evj = mm_event_to_json(result_ev);
    json_t *doc = mm_result_doc_event(ev->id, evj);
    int rc = mm_result_store_put(w->results, ev->id, ev->reply_to, doc, NULL, err, sizeof err);
    if (rc != 0) fprintf(stderr, "store: %s\n", err);
    json_decref(doc);
    json_decref(evj);
    mm_event_clear(&out);
    return rc;
}

typedef struct waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    long long at_us;
} waiter;

static void woken(void *ud, const char *id, json_t *doc) {
    waiter *w = ud;
    (void)id;
    (void)doc;
    pthread_mutex_lock(&w->lock);
    w->at_us = now_us();
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void *run_consumer(void *arg) {
    mm_consumer_run(arg);
    return NULL;
}

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP REDIS_URL [N] [fetch.wait.max.ms]\n", argv[0]);
        return 2;
    }
    const char *bootstrap = argv[1], *redis = argv[2];
    int n = argc > 3 ? atoi(argv[3]) : 1000;
    const char *fwait = argc > 4 ? argv[4] : "10";
    int gap_ms = argc > 5 ? atoi(argv[5]) : 0;
    int same_work = argc > 6 ? atoi(argv[6]) : 0;
    if (n <= 0) {
        fprintf(stderr, "N must be positive\n");
        return 2;
    }
    char err[512], topic[64], group[64], prefix[64], emit_topic[80], hash_key[80];
    char tag[MM_UUID_STRLEN + 1];
    mm_uuid_v4(tag);
    snprintf(topic, sizeof topic, "bench-rt-%.8s", tag);
    snprintf(group, sizeof group, "bench-rt-group-%.8s", tag);
    snprintf(prefix, sizeof prefix, "bench-%.8s", tag);
    snprintf(emit_topic, sizeof emit_topic, "bench-rt-emit-%.8s", tag);
    snprintf(hash_key, sizeof hash_key, "bench-rt-forms-%.8s", tag);

    mm_producer *p = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    if (p == NULL) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    const char *topics[] = {topic, emit_topic};
    if (mm_kafka_create_topics(mm_producer_rdkafka(p), topics, 2, 1, -1, 10000, err, sizeof err)) {
        fprintf(stderr, "create topic: %s\n", err);
        return 1;
    }
    worker w = {.results = mm_result_store_new(redis, prefix, 60, err, sizeof err),
                .producer = p,
                .emit_topic = emit_topic,
                .hash_key = hash_key};
    if (w.results == NULL) {
        fprintf(stderr, "results: %s\n", err);
        return 1;
    }
    if (same_work && !(w.redis = mm_redis_connect_url(redis, 5000, "bench-rt", err, sizeof err))) {
        fprintf(stderr, "redis: %s\n", err);
        return 1;
    }
    mm_notifier_config ncfg = {.redis_url = redis, .prefix = prefix};
    mm_notifier *nt = mm_notifier_start(&ncfg, err, sizeof err);
    if (nt == NULL || mm_notifier_wait_ready(nt, 10000) != 0) {
        fprintf(stderr, "notifier: %s\n", nt ? "not ready" : err);
        return 1;
    }
    mm_kv props[] = {{"fetch.wait.max.ms", fwait}};
    mm_consumer_config ccfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handler = handle,
        .handler_ud = &w,
        .producer = p,
        .props = props,
        .prop_count = 1,
    };
    mm_consumer *c = mm_consumer_new(&ccfg, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "consumer: %s\n", err);
        return 1;
    }
    pthread_t ct;
    pthread_create(&ct, NULL, run_consumer, c);

    int warmup = 20;
    long long *lat = calloc((size_t)n, sizeof *lat);
    long long *ack = calloc((size_t)n, sizeof *ack);   /* register+produce until broker ack */
    long long *recv = calloc((size_t)n, sizeof *recv); /* until the handler has it */
    long long t_all = 0;
    for (int i = -warmup; i < n; i++) {
        waiter wt = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
        mm_event ev;
        mm_event_create(&ev, "bench", "Ping", json_pack("{s:i}", "i", i));
        mm_event_set_reply_to(&ev, mm_notifier_server_id(nt));
        long long t0 = now_us();
        if (i == 0) t_all = t0;
        mm_notifier_wait_register(nt, ev.id, woken, &wt);
        if (mm_producer_send_sync(p, topic, &ev, 10000, NULL, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "send: %s\n", err);
            return 1;
        }
        long long t_ack = now_us();
        struct timespec dl;
        clock_gettime(CLOCK_REALTIME, &dl);
        dl.tv_sec += 30;
        pthread_mutex_lock(&wt.lock);
        while (!wt.done && pthread_cond_timedwait(&wt.cond, &wt.lock, &dl) == 0)
            ;
        int done = wt.done;
        pthread_mutex_unlock(&wt.lock);
        if (!done) {
            fprintf(stderr, "round trip %d timed out\n", i);
            mm_notifier_wait_unregister(nt, ev.id);
            return 1;
        }
        if (i >= 0) {
            lat[i] = wt.at_us - t0;
            ack[i] = t_ack - t0;
            recv[i] = __atomic_load_n(&w.received_us, __ATOMIC_ACQUIRE) - t0;
        }
        mm_event_clear(&ev);
        if (gap_ms > 0) {
            struct timespec gap = {gap_ms / 1000, (long)(gap_ms % 1000) * 1000000L};
            nanosleep(&gap, NULL);
        }
    }
    long long total = now_us() - t_all - (long long)n * gap_ms * 1000;
    qsort(lat, (size_t)n, sizeof *lat, cmp_ll);
    qsort(ack, (size_t)n, sizeof *ack, cmp_ll);
    qsort(recv, (size_t)n, sizeof *recv, cmp_ll);
    printf("round trips: %d (fetch.wait.max.ms=%s, gap %d ms, linger.ms=0, acks=all, async commit "
           "per message%s)\n",
           n, fwait, gap_ms, same_work ? ", same work: HSET + emit waited for" : "");
    printf("p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms  (%.0f round trips/s sequential)\n",
           lat[n / 2] / 1000.0, lat[n * 9 / 10] / 1000.0, lat[n * 99 / 100] / 1000.0,
           lat[n - 1] / 1000.0, n / (total / 1e6));
    printf("  produce ack: p50 %.2f ms p99 %.2f ms; handler has it: p50 %.2f ms p99 %.2f ms\n",
           ack[n / 2] / 1000.0, ack[n * 99 / 100] / 1000.0, recv[n / 2] / 1000.0,
           recv[n * 99 / 100] / 1000.0);
    mm_consumer_stop(c);
    pthread_join(ct, NULL);
    mm_consumer_free(c);
    mm_notifier_free(nt);
    mm_result_store_free(w.results);
    if (w.redis) {
        redisReply *r = redisCommand(w.redis, "DEL %s", hash_key);
        if (r) freeReplyObject(r);
        redisFree(w.redis);
    }
    mm_producer_free(p);
    free(lat);
    free(ack);
    free(recv);
    return 0;
}
