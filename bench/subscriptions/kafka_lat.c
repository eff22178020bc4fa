/* kafka_lat.c -- Kafka's share of the subscription benchmark's latency:
 * a librdkafka consumer set up as the subscription tail sets up its own
 * (src/service/subscriptions.c: no group join, every partition assigned at
 * its high watermark, the same defaults) reads the FormCreatedEvents that
 * publish.mjs publishes and prints, over COUNT events, publish (the form's
 * `template`: CLOCK_MONOTONIC ns) to the moment rd_kafka_consumer_poll
 * returned it. bench/subscriptions/run.sh runs it before the server
 * points, pinned like the server, so a point's p50 can be split into
 * Kafka and the server.
 *
 *   kafka_lat BOOTSTRAP TOPIC COUNT TIMEOUT_S
 *
 * Prints "READY" once assigned (publish after it), then one line
 * "kafka_p50_ms=... kafka_p99_ms=... kafka_max_ms=... got=N"; exits 1 when
 * fewer than COUNT arrived within TIMEOUT_S. */
#include <librdkafka/rdkafka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void set(rd_kafka_conf_t *c, const char *k, const char *v) {
    char err[256];
    if (rd_kafka_conf_set(c, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "kafka_lat: %s=%s: %s\n", k, v, err);
        exit(2);
    }
}

/* The publish time in the message's JSON ("template":"<ns>"), or 0. */
static uint64_t published(const rd_kafka_message_t *m) {
    static const char key[] = "\"template\":\"";
    const char *p = m->payload;
    size_t n = m->len, kl = sizeof key - 1;
    for (size_t i = 0; p && i + kl < n; i++)
        if (memcmp(p + i, key, kl) == 0) {
            uint64_t v = 0;
            for (size_t j = i + kl; j < n && p[j] >= '0' && p[j] <= '9'; j++)
                v = v * 10 + (uint64_t)(p[j] - '0');
            return v;
        }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: kafka_lat BOOTSTRAP TOPIC COUNT TIMEOUT_S\n");
        return 2;
    }
    const char *topic = argv[2];
    size_t want = strtoul(argv[3], NULL, 10);
    uint64_t deadline = now_ns() + strtoull(argv[4], NULL, 10) * 1000000000u;
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", argv[1]);
    /* The tail's settings (subscriptions.c); group.id only names the client. */
    set(conf, "group.id", "mm-subscriptions-bench");
    set(conf, "enable.auto.commit", "false");
    set(conf, "enable.auto.offset.store", "false");
    set(conf, "enable.partition.eof", "false");
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "kafka_lat: %s\n", err);
        return 2;
    }
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rd_kafka_metadata(rk, 0, rkt, &md, 10000) != RD_KAFKA_RESP_ERR_NO_ERROR ||
        md->topic_cnt != 1 || md->topics[0].partition_cnt < 1) {
        fprintf(stderr, "kafka_lat: no metadata for %s\n", topic);
        return 2;
    }
    rd_kafka_topic_partition_list_t *parts =
        rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
    for (int i = 0; i < md->topics[0].partition_cnt; i++) {
        int32_t id = md->topics[0].partitions[i].id;
        int64_t lo, hi;
        if (rd_kafka_query_watermark_offsets(rk, topic, id, &lo, &hi, 10000) != 0) {
            fprintf(stderr, "kafka_lat: no watermarks for %s/%d\n", topic, id);
            return 2;
        }
        rd_kafka_topic_partition_list_add(parts, topic, id)->offset = hi;
    }
    rd_kafka_metadata_destroy(md);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        fprintf(stderr, "kafka_lat: assign: %s\n", rd_kafka_error_string(e));
        return 2;
    }
    /* Let the first fetch go out before anything is published. */
    for (uint64_t until = now_ns() + 1000000000u; now_ns() < until;) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m) rd_kafka_message_destroy(m);
    }
    printf("READY\n");
    fflush(stdout);
    uint64_t *lat = calloc(want ? want : 1, sizeof *lat);
    size_t got = 0;
    while (got < want && now_ns() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200); /* the tail's poll */
        if (!m) continue;
        uint64_t t = now_ns(), pub = m->err ? 0 : published(m);
        if (pub && pub < t) lat[got++] = t - pub;
        rd_kafka_message_destroy(m);
    }
    if (got) {
        qsort(lat, got, sizeof *lat, cmp_u64);
        printf("kafka_p50_ms=%.2f kafka_p99_ms=%.2f kafka_max_ms=%.2f got=%zu\n",
               (double)lat[got / 2] / 1e6, (double)lat[(size_t)((double)got * 0.99)] / 1e6,
               (double)lat[got - 1] / 1e6, got);
    } else {
        printf("kafka_p50_ms=- kafka_p99_ms=- kafka_max_ms=- got=0\n");
    }
    free(lat);
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return got >= want ? 0 : 1;
}
