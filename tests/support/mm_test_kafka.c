/* mm_test_kafka.c -- Kafka helpers of the test support library (see
 * mm_test.h): produce a numbered batch, consume it in a group, read the
 * group's committed offsets. Shared by every test that needs a round trip. */
#include "mm_test.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static rd_kafka_conf_t *make_conf(const char *bootstrap, const char *const *extra) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) !=
        RD_KAFKA_CONF_OK)
        goto fail;
    for (size_t i = 0; extra && extra[i] && extra[i + 1]; i += 2)
        if (rd_kafka_conf_set(conf, extra[i], extra[i + 1], err, sizeof err) != RD_KAFKA_CONF_OK)
            goto fail;
    return conf;
fail:
    fprintf(stderr, "kafka conf: %s\n", err);
    rd_kafka_conf_destroy(conf);
    return NULL;
}

static void count_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    int *counts = opaque; /* [0] delivered, [1] failed */
    if (m->err) {
        counts[1]++;
        fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
    } else {
        counts[0]++;
    }
}

int mm_test_kafka_produce_n(const char *bootstrap, const char *topic, int n,
                            const char *const *extra_conf) {
    char err[512];
    int counts[2] = {0, 0};
    rd_kafka_conf_t *conf = make_conf(bootstrap, extra_conf);
    if (!conf) return -1;
    rd_kafka_conf_set(conf, "enable.idempotence", "true", err, sizeof err);
    rd_kafka_conf_set(conf, "acks", "all", err, sizeof err);
    rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
    rd_kafka_conf_set_dr_msg_cb(conf, count_delivery);
    rd_kafka_conf_set_opaque(conf, counts);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "producer: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char key[32], value[32];
        snprintf(key, sizeof key, "key-%d", i);
        snprintf(value, sizeof value, "msg-%d", i);
        rd_kafka_resp_err_t e;
        while ((e = rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
                                      RD_KAFKA_V_VALUE(value, strlen(value)),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
            rd_kafka_poll(rk, 100);
        if (e) {
            fprintf(stderr, "produce to '%s': %s\n", topic, rd_kafka_err2str(e));
            break;
        }
        rd_kafka_poll(rk, 0);
    }
    rd_kafka_resp_err_t fe = rd_kafka_flush(rk, 30000);
    if (fe) fprintf(stderr, "flush to '%s': %s\n", topic, rd_kafka_err2str(fe));
    rd_kafka_destroy(rk);
    return counts[1] || fe ? -1 : counts[0];
}

int mm_test_kafka_consume_n(const char *bootstrap, const char *topic, const char *group, int n,
                            int timeout_ms, const char *const *extra_conf, unsigned char *seen,
                            int *duplicates) {
    char err[512];
    int received = 0, dups = 0, failed = 0;
    rd_kafka_conf_t *conf = make_conf(bootstrap, extra_conf);
    if (!conf) return -1;
    if (rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) != RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err) !=
            RD_KAFKA_CONF_OK ||
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", err, sizeof err) !=
            RD_KAFKA_CONF_OK) {
        fprintf(stderr, "consumer conf: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "consumer: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *sub = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(sub, topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t e = rd_kafka_subscribe(rk, sub);
    rd_kafka_topic_partition_list_destroy(sub);
    if (e) {
        fprintf(stderr, "subscribe '%s': %s\n", topic, rd_kafka_err2str(e));
        failed = 1;
    }
    long long deadline = mm_test_now_ms() + timeout_ms;
    while (!failed && received < n && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (!m) continue;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                fprintf(stderr, "consume '%s': %s\n", topic, rd_kafka_message_errstr(m));
                if (rd_kafka_fatal_error(rk, err, sizeof err)) failed = 1;
            }
        } else {
            char value[32];
            size_t len = m->len < sizeof value - 1 ? m->len : sizeof value - 1;
            memcpy(value, m->payload, len);
            value[len] = '\0';
            int idx;
            if (sscanf(value, "msg-%d", &idx) == 1 && idx >= 0 && idx < n) {
                if (seen[idx])
                    dups++;
                else
                    received++;
                seen[idx] = 1;
            } else {
                fprintf(stderr, "consume '%s': unexpected message '%s'\n", topic, value);
            }
        }
        rd_kafka_message_destroy(m);
    }
    if (!failed && received > 0) {
        e = rd_kafka_commit(rk, NULL, 0);
        if (e) {
            fprintf(stderr, "commit (group '%s'): %s\n", group, rd_kafka_err2str(e));
            failed = 1;
        }
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    if (duplicates) *duplicates = dups;
    return failed ? -1 : received;
}

long long mm_test_kafka_committed_total(const char *bootstrap, const char *topic, const char *group,
                                        int partitions, long long *high_total) {
    char err[512];
    long long total = 0, highs = 0;
    rd_kafka_conf_t *conf = make_conf(bootstrap, NULL);
    if (!conf) return -1;
    rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "consumer: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++) rd_kafka_topic_partition_list_add(parts, topic, p);
    rd_kafka_resp_err_t e = rd_kafka_committed(rk, parts, 10000);
    if (e) {
        fprintf(stderr, "committed (group '%s'): %s\n", group, rd_kafka_err2str(e));
        total = -1;
    }
    for (int p = 0; total >= 0 && p < partitions; p++) {
        const rd_kafka_topic_partition_t *tp = &parts->elems[p];
        if (tp->err) {
            fprintf(stderr, "committed %s[%d]: %s\n", topic, p, rd_kafka_err2str(tp->err));
            total = -1;
            break;
        }
        if (tp->offset >= 0) total += tp->offset;
        int64_t lo, hi;
        e = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (e) {
            fprintf(stderr, "watermarks %s[%d]: %s\n", topic, p, rd_kafka_err2str(e));
            total = -1;
            break;
        }
        highs += hi;
    }
    rd_kafka_topic_partition_list_destroy(parts);
    rd_kafka_destroy(rk);
    if (high_total) *high_total = highs;
    return total;
}
