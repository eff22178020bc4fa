/* bench_consumer_overhead.c -- what the framework costs a consumer: events/s
 * of one worker (mm_consumer_runner_run: envelope decode, type dispatch,
 * handler call, commit) against a bare librdkafka loop (poll, commit) over
 * the same N CloudEvents messages, in the same run, each in its own group.
 * The handler does nothing and saves no result, so the difference is the
 * framework's own overhead.
 *
 *   bench_consumer_overhead BOOTSTRAP REDIS_URL [N=20000]
 *
 * Not a test: it measures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/admin.h"
#include "bus/producer.h"
#include "common/config.h"
#include "common/uuid.h"
#include "service/consumer_runner.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int noop(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

/* parse_json: also parse each value with jansson, as any consumer of JSON
 * events must; the framework's remaining overhead is then its own.
 * parse_json == 2: also read the CloudEvents headers (ce_id, ce_type), as
 * any consumer of binary-mode CloudEvents must: librdkafka parses a
 * message's headers, one allocation per header, only when asked (~6k
 * instructions an event, callgrind), which the loops above never do. */
/* worker_prefetch: the worker's prefetch settings (bus/consumer.h)
 * instead of librdkafka's 64 MiB default, which lets the bare loop find the
 * whole backlog in memory before its clock starts. */
static double bare_loop(const char *bootstrap, const char *topic, long n, int parse_json,
                        int worker_prefetch) {
    char err[512], group[96], id[40];
    mm_uuid_v4(id);
    snprintf(group, sizeof group, "bare-%s", id);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    /* The framework's commit policy: store after handling, commit in the
     * background every 100 ms (bus/consumer.h). */
    rd_kafka_conf_set(conf, "enable.auto.commit", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "auto.commit.interval.ms", "100", err, sizeof err);
    rd_kafka_conf_set(conf, "enable.auto.offset.store", "false", err, sizeof err);
    rd_kafka_conf_set(conf, "fetch.wait.max.ms", "10", err, sizeof err);
    if (worker_prefetch) {
        rd_kafka_conf_set(conf, "queued.max.messages.kbytes", "256", err, sizeof err);
        rd_kafka_conf_set(conf, "max.partition.fetch.bytes", "262144", err, sizeof err);
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    long got = 0;
    double start = 0;
    while (got < n) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (!m->err) {
            if (got == 0) start = now_s(); /* from the first message: the join is not timed */
            got++;
            if (parse_json) {
                json_t *v = json_loadb(m->payload, m->len, 0, NULL);
                if (!v) fprintf(stderr, "bad JSON at offset %lld\n", (long long)m->offset);
                json_decref(v);
            }
            rd_kafka_headers_t *h;
            const void *hv;
            size_t hl;
            if (parse_json == 2 && (rd_kafka_message_headers(m, &h) != 0 ||
                                    rd_kafka_header_get_last(h, "ce_id", &hv, &hl) != 0 ||
                                    rd_kafka_header_get_last(h, "ce_type", &hv, &hl) != 0))
                fprintf(stderr, "no CloudEvents headers at offset %lld\n", (long long)m->offset);
            rd_kafka_offset_store(m->rkt, m->partition, m->offset);
        }
        rd_kafka_message_destroy(m);
    }
    double secs = now_s() - start;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return (double)(n - 1) / secs;
}

typedef struct timing {
    double start, last;
    uint64_t seen;
} timing;

static int progress(void *ud, const mm_consumer_stats *st) {
    timing *t = ud;
    if (t->seen == 0) t->start = now_s();
    t->seen = st->handled + st->skipped + st->dead_lettered;
    t->last = now_s(); /* like the bare loops: the clock stops at the last message, not at close */
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: bench_consumer_overhead BOOTSTRAP REDIS_URL [N]\n");
        return 2;
    }
    const char *bootstrap = argv[1];
    long n = argc > 3 ? atol(argv[3]) : 20000;
    char err[1024], topic[80], id[40];
    mm_uuid_v4(id);
    snprintf(topic, sizeof topic, "bench-overhead-%.8s", id);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", bootstrap, 1);
    setenv("MM_REDIS_URL", argv[2], 1);
    mm_config *cfg;
    if (mm_config_defaults(&cfg, err, sizeof err)) return 1;

    mm_service *svc = mm_service_new(topic);
    mm_service_add_sdl(svc, "type BenchEvent { id: String n: Int }\n");
    mm_service_add_consumer(svc, &(mm_consumer_def){.name = "noop", .handle = noop});
    mm_gql_schema *schema = mm_services_build_schema(&svc, 1, NULL, 0, NULL, err, sizeof err);
    mm_runtime rt;
    if (!schema || mm_runtime_open(&rt, cfg, MM_RUNTIME_WORKER, &svc, 1, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    const char *topics[] = {topic};
    rd_kafka_conf_t *aconf = rd_kafka_conf_new();
    rd_kafka_conf_set(aconf, "bootstrap.servers", bootstrap, err, sizeof err);
    rd_kafka_t *admin = rd_kafka_new(RD_KAFKA_PRODUCER, aconf, err, sizeof err);
    int created = mm_kafka_create_topics(admin, topics, 1, 1, 1, 30000, err, sizeof err);
    rd_kafka_destroy(admin);
    if (created) {
        fprintf(stderr, "create topic: %s\n", err);
        return 1;
    }
    fprintf(stderr, "producing %ld events to %s\n", n, topic);
    for (long i = 0; i < n; i++) {
        mm_event ev;
        mm_event_init(&ev);
        mm_event_create(&ev, topic, "BenchEvent", json_pack("{s:I}", "n", (json_int_t)i));
        mm_producer_send(rt.producer, topic, &ev, NULL, NULL, err, sizeof err);
        mm_event_clear(&ev);
    }
    mm_producer_flush(rt.producer, 60000);

    double bare = bare_loop(bootstrap, topic, n, 0, 0);
    double bare_json = bare_loop(bootstrap, topic, n, 1, 0);
    double bare_json_same = bare_loop(bootstrap, topic, n, 1, 1);
    double bare_json_headers = bare_loop(bootstrap, topic, n, 2, 1);
    timing t = {0};
    mm_runner_options ro = {
        .max_messages = (uint64_t)n, .on_progress = progress, .progress_ud = &t};
    const mm_consumer_spec *spec = mm_service_find_consumer(svc, "noop");
    mm_consumer_runner_run(&rt, schema, spec, &ro, err, sizeof err);
    double framework = (double)(t.seen - 1) / (t.last - t.start);
    printf("{\"events\":%ld,\"bare_librdkafka_eps\":%.0f,\"bare_with_json_parse_eps\":%.0f,"
           "\"framework_worker_eps\":%.0f,\"framework_over_bare\":%.3f,"
           "\"framework_over_bare_json\":%.3f,\"bare_json_worker_prefetch_eps\":%.0f,"
           "\"framework_over_bare_json_worker_prefetch\":%.3f,\"bare_json_headers_worker_prefetch_"
           "eps\":%.0f,"
           "\"framework_over_bare_json_headers_worker_prefetch\":%.3f}\n",
           n, bare, bare_json, framework, framework / bare, framework / bare_json, bare_json_same,
           framework / bare_json_same, bare_json_headers, framework / bare_json_headers);
    mm_runtime_close(&rt);
    mm_gql_schema_free(schema);
    mm_service_free(svc);
    mm_config_free(cfg);
    return 0;
}
