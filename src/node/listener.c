/* listener.c -- reading control events from the service-web topic
 * (listener.h). */
#include "node/listener.h"

#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/admin.h"
#include "common/log.h"
#include "metamorphosis.h"

#define METADATA_TIMEOUT_MS 2000
#define BACKOFF_MIN_MS      1000
#define BACKOFF_MAX_MS      30000

struct mm_listener {
    rd_kafka_t *rk;
    char *topic;
    int assigned;
    int wake[2]; /* librdkafka writes to wake[1] when the queue fills */
    long backoff_ms;
    long long next_try_ms;
};

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mm_listener *mm_listener_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                             const char *topic, const char *node_name, char *err, size_t err_size) {
    char group[512];
    snprintf(group, sizeof group, "%s.node.%s", topic, node_name);
    const mm_kv defaults[] = {
        {"group.id", group},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"allow.auto.create.topics", "false"},
        /* Control events are rare; an idle fetch may wait, the wake-up fd
         * tells the node as soon as one arrives. */
        {"fetch.wait.max.ms", "100"},
    };
    /* The user's properties are for the workers' groups; a few of them
     * (group.id, offsets) must stay the listener's. */
    mm_kv *kept = calloc(nprops + 1, sizeof *kept);
    size_t nkept = 0;
    for (size_t i = 0; kept && i < nprops; i++) {
        const char *k = props[i].key;
        if (strncmp(k, "kafka.", 6) == 0) k += 6;
        if (strcmp(k, "group.id") && strcmp(k, "enable.auto.commit") &&
            strcmp(k, "auto.offset.reset") && strcmp(k, "group.instance.id"))
            kept[nkept++] = props[i];
    }
    rd_kafka_conf_t *conf =
        kept ? mm_kafka_conf_new(bootstrap, defaults, sizeof defaults / sizeof *defaults, kept,
                                 nkept, err, err_size)
             : NULL;
    free(kept);
    if (!conf) return NULL;
    mm_listener *l = calloc(1, sizeof *l);
    if (!l || !(l->topic = strdup(topic)) || pipe(l->wake) != 0) {
        snprintf(err, err_size, "out of memory or descriptors");
        if (l) free(l->topic);
        free(l);
        rd_kafka_conf_destroy(conf);
        return NULL;
    }
    l->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, err_size);
    if (!l->rk) {
        rd_kafka_conf_destroy(conf);
        close(l->wake[0]);
        close(l->wake[1]);
        free(l->topic);
        free(l);
        return NULL;
    }
    for (int i = 0; i < 2; i++) {
        fcntl(l->wake[i], F_SETFL, O_NONBLOCK);
        fcntl(l->wake[i], F_SETFD, FD_CLOEXEC);
    }
    rd_kafka_poll_set_consumer(l->rk);
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(l->rk);
    rd_kafka_queue_io_event_enable(q, l->wake[1], "1", 1);
    rd_kafka_queue_destroy(q);
    l->backoff_ms = BACKOFF_MIN_MS;
    return l;
}

/* The topic's partition count, creating the topic when missing; -1 on failure. */
static int partition_count(mm_listener *l, char *err, size_t err_size) {
    for (int attempt = 0; attempt < 2; attempt++) {
        rd_kafka_topic_t *t = rd_kafka_topic_new(l->rk, l->topic, NULL);
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(l->rk, 0, t, &md, METADATA_TIMEOUT_MS);
        rd_kafka_topic_destroy(t);
        if (e) {
            snprintf(err, err_size, "metadata: %s", rd_kafka_err2str(e));
            return -1;
        }
        int count = -1;
        rd_kafka_resp_err_t terr =
            md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC;
        if (!terr) count = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        if (count > 0) return count;
        if (terr != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
            terr != RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
            snprintf(err, err_size, "topic %s: %s", l->topic, rd_kafka_err2str(terr));
            return -1;
        }
        const char *topics[] = {l->topic};
        if (attempt == 0 &&
            mm_kafka_create_topics(l->rk, topics, 1, 1, -1, 10000, err, err_size) != 0)
            return -1;
    }
    snprintf(err, err_size, "topic %s has no partitions yet", l->topic);
    return -1;
}

static int assign(mm_listener *l, char *err, size_t err_size) {
    int n = partition_count(l, err, err_size);
    if (n < 0) return -1;
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(n);
    for (int p = 0; p < n; p++) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t e =
            rd_kafka_query_watermark_offsets(l->rk, l->topic, p, &low, &high, METADATA_TIMEOUT_MS);
        if (e) {
            snprintf(err, err_size, "offsets of %s [%d]: %s", l->topic, p, rd_kafka_err2str(e));
            rd_kafka_topic_partition_list_destroy(parts);
            return -1;
        }
        rd_kafka_topic_partition_list_add(parts, l->topic, p)->offset = high;
    }
    rd_kafka_resp_err_t e = rd_kafka_assign(l->rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    if (e) {
        snprintf(err, err_size, "assign: %s", rd_kafka_err2str(e));
        return -1;
    }
    return 0;
}

int mm_listener_ensure_assigned(mm_listener *l) {
    if (l->assigned) return 1;
    long long now = mono_ms();
    if (now < l->next_try_ms) return 0;
    char err[512];
    if (assign(l, err, sizeof err) != 0) {
        mm_log_warn("node: cannot read the service-web topic %s yet (%s); retrying in %ld ms",
                    l->topic, err, l->backoff_ms);
        l->next_try_ms = now + l->backoff_ms;
        l->backoff_ms = l->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : l->backoff_ms * 2;
        return 0;
    }
    l->assigned = 1;
    mm_log_info("node: reading control events from %s", l->topic);
    return 1;
}

int mm_listener_fd(mm_listener *l) { return l->assigned ? l->wake[0] : -1; }

void mm_listener_poll(mm_listener *l, void (*fn)(void *ud, const mm_control *c), void *ud) {
    char drain[64];
    while (read(l->wake[0], drain, sizeof drain) > 0) {
    }
    rd_kafka_message_t *m;
    while ((m = rd_kafka_consumer_poll(l->rk, 0)) != NULL) {
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                mm_log_warn("node: service-web topic: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        mm_event ev;
        mm_event_init(&ev);
        char reason[MM_ENVELOPE_REASON_MAX], err[256];
        mm_control c;
        if (mm_envelope_decode_message(m, &ev, reason) != 0) {
            mm_log_warn("node: skipping a message on %s at offset %lld: %s", l->topic,
                        (long long)m->offset, reason);
        } else {
            int rc = mm_control_parse(&ev, &c, err, sizeof err);
            if (rc == 0) {
                fn(ud, &c);
                mm_control_clear(&c);
            } else if (rc != MM_ENOTFOUND) {
                mm_log_warn("node: ignoring a control event (offset %lld): %s",
                            (long long)m->offset, err);
            }
        }
        mm_event_clear(&ev);
        rd_kafka_message_destroy(m);
    }
}

void mm_listener_free(mm_listener *l) {
    if (!l) return;
    rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(l->rk);
    if (q) {
        rd_kafka_queue_io_event_enable(q, -1, NULL, 0);
        rd_kafka_queue_destroy(q);
    }
    rd_kafka_consumer_close(l->rk);
    rd_kafka_destroy(l->rk);
    close(l->wake[0]);
    close(l->wake[1]);
    free(l->topic);
    free(l);
}
