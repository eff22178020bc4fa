/* bench_consume.c -- throughput of one consumer-group member: N events are
 * produced first, then one consumer handles them, storing each event's result
 * in Redis (MULTI/SET/PUBLISH/EXEC, as a worker with save_result does), and
 * committing after each. Prints events/s for the default asynchronous commits
 * and for sync_commit (a synchronous handler, one store per event), and for
 * the pipelined mode a worker uses (bus/consumer.h: many events in flight,
 * their results stored in one MULTI/EXEC per loop turn, offsets committed up
 * to the in-order watermark). Needs a real broker and Redis:
 *
 *   bench_consume BOOTSTRAP REDIS_URL [N=5000]
 *
 * Not a test: it measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/admin.h"
#include "bus/consumer.h"
#include "bus/producer.h"
#include "common/uuid.h"
#include "store/results.h"

typedef struct run {
    mm_result_store *results;
    uint64_t target;
    long long first_us, last_us;
} run;

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int handle(void *ud, const mm_event *ev, const mm_message_info *info) {
    run *r = ud;
    char err[256];
    (void)info;
    if (r->first_us == 0) r->first_us = now_us();
    json_t *evj = mm_event_to_json(ev);
    json_t *doc = mm_result_doc_event(ev->id, evj);
    int rc = mm_result_store_put(r->results, ev->id, "bench-nobody", doc, NULL, err, sizeof err);
    json_decref(doc);
    json_decref(evj);
    r->last_us = now_us();
    return rc;
}

/* Pipelined mode: events wait in a batch; pump stores the batch at once. */
typedef struct pipe_run {
    run base;
    mm_consumer *c;
    mm_consumer_slot *slots[1024];
    const mm_event *events[1024];
    size_t n;
} pipe_run;

static void pipe_start(void *ud, mm_consumer_slot *slot, const mm_event *ev,
                       const mm_message_info *info) {
    pipe_run *r = ud;
    (void)info;
    if (r->base.first_us == 0) r->base.first_us = now_us();
    r->slots[r->n] = slot;
    r->events[r->n++] = ev;
}

static int pipe_pump(void *ud) {
    pipe_run *r = ud;
    if (r->n == 0) return -1;
    mm_result_put items[1024];
    json_t *docs[1024];
    for (size_t i = 0; i < r->n; i++) {
        json_t *evj = mm_event_to_json(r->events[i]);
        docs[i] = mm_result_doc_event(r->events[i]->id, evj);
        json_decref(evj);
        items[i] = (mm_result_put){
            .event_id = r->events[i]->id, .reply_to = "bench-nobody", .doc = docs[i]};
    }
    char err[256];
    mm_result_store_put_many(r->base.results, items, r->n, err, sizeof err);
    for (size_t i = 0; i < r->n; i++) {
        json_decref(docs[i]);
        mm_consumer_slot_done(r->c, r->slots[i], MM_SLOT_HANDLED);
    }
    r->n = 0;
    r->base.last_us = now_us();
    return -1;
}

static int progress(void *ud, const mm_consumer_stats *st) {
    run *r = ud;
    return st->handled >= r->target;
}

/* Consumes the whole topic in a fresh group; returns events/s. */
static double consume_all(const char *bootstrap, const char *topic, const char *redis, int n,
                          int sync_commit) {
    char err[512], group[64], tag[MM_UUID_STRLEN + 1];
    mm_uuid_v4(tag);
    snprintf(group, sizeof group, "bench-consume-%.8s", tag);
    run r = {.results = mm_result_store_new(redis, "bench", 60, err, sizeof err),
             .target = (uint64_t)n};
    if (r.results == NULL) {
        fprintf(stderr, "results: %s\n", err);
        exit(1);
    }
    const char *topics[] = {topic};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .handler = handle,
        .handler_ud = &r,
        .on_progress = progress,
        .progress_ud = &r,
        .sync_commit = sync_commit,
    };
    mm_consumer *c = mm_consumer_new(&cfg, err, sizeof err);
    if (c == NULL) {
        fprintf(stderr, "consumer: %s\n", err);
        exit(1);
    }
    mm_consumer_run(c);
    mm_consumer_free(c);
    mm_result_store_free(r.results);
    return n / ((r.last_us - r.first_us) / 1e6);
}

static double consume_pipelined(const char *bootstrap, const char *topic, const char *redis,
                                int n) {
    char err[512], group[64], tag[MM_UUID_STRLEN + 1];
    mm_uuid_v4(tag);
    snprintf(group, sizeof group, "bench-consume-%.8s", tag);
    static pipe_run r;
    r.base = (run){.results = mm_result_store_new(redis, "bench", 60, err, sizeof err),
                   .target = (uint64_t)n};
    if (r.base.results == NULL) {
        fprintf(stderr, "results: %s\n", err);
        exit(1);
    }
    const char *topics[] = {topic};
    mm_consumer_config cfg = {
        .bootstrap = bootstrap,
        .group_id = group,
        .topics = topics,
        .topic_count = 1,
        .start = pipe_start,
        .pump = pipe_pump,
        .handler_ud = &r,
        .on_progress = progress,
        .progress_ud = &r.base,
        .max_in_flight = 1024,
    };
    r.c = mm_consumer_new(&cfg, err, sizeof err);
    if (r.c == NULL) {
        fprintf(stderr, "consumer: %s\n", err);
        exit(1);
    }
    mm_consumer_run(r.c);
    mm_consumer_free(r.c);
    mm_result_store_free(r.base.results);
    return n / ((r.base.last_us - r.base.first_us) / 1e6);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s BOOTSTRAP REDIS_URL [N]\n", argv[0]);
        return 2;
    }
    int n = argc > 3 ? atoi(argv[3]) : 5000;
    if (n <= 1) {
        fprintf(stderr, "N must be > 1\n");
        return 2;
    }
    char err[512], topic[64], tag[MM_UUID_STRLEN + 1];
    mm_uuid_v4(tag);
    snprintf(topic, sizeof topic, "bench-consume-%.8s", tag);
    mm_producer *p = mm_producer_new(argv[1], NULL, 0, err, sizeof err);
    if (p == NULL) {
        fprintf(stderr, "producer: %s\n", err);
        return 1;
    }
    const char *topics[] = {topic};
    if (mm_kafka_create_topics(mm_producer_rdkafka(p), topics, 1, 1, -1, 10000, err, sizeof err)) {
        fprintf(stderr, "create topic: %s\n", err);
        return 1;
    }
    long long t0 = now_us();
    for (int i = 0; i < n; i++) {
        mm_event ev;
        mm_event_create(&ev, "bench", "Ping", json_pack("{s:i, s:s}", "i", i, "pad", "0123456789"));
        if (mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err) != 0) {
            fprintf(stderr, "send: %s\n", err);
            return 1;
        }
        mm_event_clear(&ev);
    }
    mm_producer_flush(p, 60000);
    printf("produced %d events (idempotent, acks=all, async) at %.0f events/s\n", n,
           n / ((now_us() - t0) / 1e6));
    printf("one consumer, result stored per event, async commit: %.0f events/s\n",
           consume_all(argv[1], topic, argv[2], n, 0));
    printf("one consumer, result stored per event, sync commit:  %.0f events/s\n",
           consume_all(argv[1], topic, argv[2], n, 1));
    printf("one consumer, pipelined, results batched per turn:    %.0f events/s\n",
           consume_pipelined(argv[1], topic, argv[2], n));
    mm_producer_free(p);
    return 0;
}
