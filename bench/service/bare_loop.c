/* bare_loop.c -- the bare librdkafka consumer loop behind the worker's
 * memory anchor (bare_loop.h): bench_bare runs it in a process of its own,
 * bench_drain (BENCH_BARE_FORK=1) in a child it forks. */
#include "bare_loop.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

double bare_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long bare_proc_kib(const char *file, const char *field) {
    FILE *f = fopen(file, "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, field, n) == 0 && line[n] == ':') v = atol(line + n + 1);
    if (f) fclose(f);
    return v;
}

static void copy_file(const char *from, const char *to) {
    FILE *in = fopen(from, "r"), *out = fopen(to, "w");
    char buf[4096];
    size_t got;
    while (in && out && (got = fread(buf, 1, sizeof buf, in)) > 0) fwrite(buf, 1, got, out);
    if (in) fclose(in);
    if (out) fclose(out);
}

static rd_kafka_conf_t *conf_of(const char *const kv[][2], size_t n, const char *bootstrap) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != 0) goto bad;
    for (size_t i = 0; i < n; i++)
        if (rd_kafka_conf_set(conf, kv[i][0], kv[i][1], err, sizeof err) != 0) goto bad;
    return conf;
bad:
    fprintf(stderr, "bench_bare: %s\n", err);
    rd_kafka_conf_destroy(conf);
    return NULL;
}

int bare_loop_run(const char *bootstrap, const char *topic, long n, int produce,
                  const char *smaps_out, FILE *report) {
    char err[512], group[96], out_topic[300];
    snprintf(group, sizeof group, "bench-bare-%ld-%ld", (long)getpid(), (long)time(NULL));
    snprintf(out_topic, sizeof out_topic, "%s-out", topic);
    /* The worker consumer's settings against a real broker (bus/consumer.c). */
    const char *const cc[][2] = {
        {"group.id", group},
        {"enable.auto.commit", "true"},
        {"auto.commit.interval.ms", "100"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"fetch.wait.max.ms", "100"},
        {"enable.partition.eof", "false"},
        {"queued.max.messages.kbytes", "256"},
        {"max.partition.fetch.bytes", "262144"},
    };
    /* The worker producer's (bus/producer.c). */
    const char *const pc[][2] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "0"},
        {"max.in.flight.requests.per.connection", "1"},
        {"message.timeout.ms", "30000"},
    };
    rd_kafka_conf_t *conf = conf_of(cc, sizeof cc / sizeof *cc, bootstrap);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
    if (!rk) return 1;
    rd_kafka_t *pk = NULL;
    if (produce) {
        rd_kafka_conf_t *pconf = conf_of(pc, sizeof pc / sizeof *pc, bootstrap);
        if (!pconf || !(pk = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err))) return 1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *t = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(t, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_subscribe(rk, t);
    rd_kafka_topic_partition_list_destroy(t);
    long got = 0;
    double start = 0, last = 0, deadline = bare_now_s() + 300;
    while (got < n && bare_now_s() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (!m->err) {
            if (got == 0) start = bare_now_s();
            got++;
            json_decref(json_loadb(m->payload, m->len, 0, NULL));
            if (pk) {
                for (int tries = 0;
                     tries < 1000 &&
                     rd_kafka_producev(pk, RD_KAFKA_V_TOPIC(out_topic),
                                       RD_KAFKA_V_VALUE(m->payload, m->len),
                                       RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                       RD_KAFKA_V_END) == RD_KAFKA_RESP_ERR__QUEUE_FULL;
                     tries++)
                    rd_kafka_poll(pk, 10);
                rd_kafka_poll(pk, 0);
            }
            rd_kafka_offset_store(m->rkt, m->partition, m->offset);
            last = bare_now_s();
        }
        rd_kafka_message_destroy(m);
    }
    if (pk) rd_kafka_flush(pk, 30000);
    /* Resting: a second after the drain, still a group member. */
    for (double until = bare_now_s() + 1; bare_now_s() < until;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m) rd_kafka_message_destroy(m);
        if (pk) rd_kafka_poll(pk, 0);
    }
    fprintf(
        report, "%.0f %ld %ld %ld %ld %ld\n", got > 1 ? (double)(got - 1) / (last - start) : 0.0,
        bare_proc_kib("/proc/self/status", "VmHWM"), bare_proc_kib("/proc/self/status", "VmRSS"),
        bare_proc_kib("/proc/self/smaps_rollup", "Pss"),
        bare_proc_kib("/proc/self/status", "RssAnon"),
        bare_proc_kib("/proc/self/status", "RssFile"));
    fflush(report);
    if (smaps_out) copy_file("/proc/self/smaps", smaps_out);
    if (pk) rd_kafka_destroy(pk);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got == n ? 0 : 1;
}
