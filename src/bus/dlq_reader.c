/* dlq_reader.c -- reading, replaying and purging a dead-letter topic; see
 * dlq_reader.h and docs/dlq.md.
 *
 * The reader is a consumer without a group that assigns itself one
 * partition at a time (assign: it never joins a group nor commits), from an
 * offset up to the high watermark seen at open,
 * so that a DLQ still being written to never makes a listing wait. Group
 * offsets (committed, commit) go through a second, short-lived consumer
 * that has the group's id but never joins the group. */
#include "bus/dlq_reader.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bus/producer.h"
#include "metamorphosis.h"

struct mm_dlq {
    rd_kafka_t *rk;
    char *topic;
    const char *bootstrap; /* the caller's, alive as long as d */
    const mm_kv *props;
    size_t nprops;
    mm_dlq_partition *parts;
    size_t part_count;
};

static void set_err(char *err, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t size, const char *fmt, ...) {
    if (err == NULL || size == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
}

long long mm_dlq_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int remaining_ms(long long deadline_ms) {
    long long left = deadline_ms - mm_dlq_now_ms();
    if (left <= 0) return 0;
    return left > 1000000 ? 1000000 : (int)left;
}

/* A consumer handle; group may be NULL (no group: assign only). */
static rd_kafka_t *new_consumer(const char *bootstrap, const mm_kv *props, size_t nprops,
                                const char *group, char *err, size_t err_size) {
    const mm_kv defaults[] = {
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"enable.partition.eof", "true"},
        {"auto.offset.reset", "earliest"},
        {"allow.auto.create.topics", "false"},
        /* assign() needs a group id even though nothing joins or commits
         * with it; this one is never used for a commit. */
        {"group.id", group ? group : "mm-dlq-reader"},
    };
    size_t ndefaults = sizeof defaults / sizeof *defaults;
    char why[512];
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new(bootstrap, defaults, ndefaults, props, nprops, why, sizeof why);
    if (conf == NULL) {
        set_err(err, err_size, "Kafka configuration: %s", why);
        return NULL;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (rk == NULL) {
        rd_kafka_conf_destroy(conf);
        set_err(err, err_size, "cannot create a Kafka consumer: %s", why);
        return NULL;
    }
    return rk;
}

mm_dlq *mm_dlq_open(const char *bootstrap, const mm_kv *props, size_t nprops, const char *topic,
                    int timeout_ms, int *rc, char *err, size_t err_size) {
    assert(bootstrap && topic && rc);
    *rc = MM_ENOMEM;
    mm_dlq *d = calloc(1, sizeof *d);
    if (d == NULL || (d->topic = strdup(topic)) == NULL) {
        if (d) free(d);
        set_err(err, err_size, "out of memory");
        return NULL;
    }
    d->bootstrap = bootstrap;
    d->props = props;
    d->nprops = nprops;
    long long deadline = mm_dlq_now_ms() + timeout_ms;
    d->rk = new_consumer(bootstrap, props, nprops, NULL, err, err_size);
    if (d->rk == NULL) {
        *rc = MM_EKAFKA;
        mm_dlq_close(d);
        return NULL;
    }
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(d->rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e =
        rkt ? rd_kafka_metadata(d->rk, 0, rkt, &md, remaining_ms(deadline)) : rd_kafka_last_error();
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        *rc = e == RD_KAFKA_RESP_ERR__TIMED_OUT ? MM_ETIMEDOUT : MM_EKAFKA;
        set_err(err, err_size, "cannot read the metadata of %s from %s: %s", topic, bootstrap,
                rd_kafka_err2str(e));
        mm_dlq_close(d);
        return NULL;
    }
    if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR ||
        md->topics[0].partition_cnt == 0) {
        rd_kafka_resp_err_t te =
            md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
        if (te == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || te == RD_KAFKA_RESP_ERR_NO_ERROR) {
            *rc = MM_ENOTFOUND;
            set_err(err, err_size,
                    "topic %s does not exist (nothing was ever dead-lettered there?)", topic);
        } else {
            *rc = MM_EKAFKA;
            set_err(err, err_size, "topic %s: %s", topic, rd_kafka_err2str(te));
        }
        rd_kafka_metadata_destroy(md);
        mm_dlq_close(d);
        return NULL;
    }
    int n = md->topics[0].partition_cnt;
    d->parts = calloc((size_t)n, sizeof *d->parts);
    if (d->parts == NULL) {
        rd_kafka_metadata_destroy(md);
        set_err(err, err_size, "out of memory");
        mm_dlq_close(d);
        return NULL;
    }
    for (int i = 0; i < n; i++) d->parts[i].id = md->topics[0].partitions[i].id;
    rd_kafka_metadata_destroy(md);
    d->part_count = (size_t)n;
    /* Sorted by id, so listings come in partition order. */
    for (size_t i = 1; i < d->part_count; i++)
        for (size_t j = i; j > 0 && d->parts[j - 1].id > d->parts[j].id; j--) {
            mm_dlq_partition t = d->parts[j];
            d->parts[j] = d->parts[j - 1];
            d->parts[j - 1] = t;
        }
    for (size_t i = 0; i < d->part_count; i++) {
        int64_t lo = 0, hi = 0;
        e = rd_kafka_query_watermark_offsets(d->rk, topic, d->parts[i].id, &lo, &hi,
                                             remaining_ms(deadline) ? remaining_ms(deadline) : 1);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            *rc = e == RD_KAFKA_RESP_ERR__TIMED_OUT ? MM_ETIMEDOUT : MM_EKAFKA;
            set_err(err, err_size, "cannot read the offsets of %s[%d]: %s", topic,
                    (int)d->parts[i].id, rd_kafka_err2str(e));
            mm_dlq_close(d);
            return NULL;
        }
        d->parts[i].low = lo;
        d->parts[i].high = hi;
    }
    *rc = 0;
    return d;
}

void mm_dlq_close(mm_dlq *d) {
    if (d == NULL) return;
    if (d->rk) {
        rd_kafka_consumer_close(d->rk);
        rd_kafka_destroy(d->rk);
    }
    free(d->parts);
    free(d->topic);
    free(d);
}

const char *mm_dlq_topic(const mm_dlq *d) { return d->topic; }
size_t mm_dlq_partition_count(const mm_dlq *d) { return d->part_count; }

const mm_dlq_partition *mm_dlq_partition_at(const mm_dlq *d, size_t i) {
    assert(i < d->part_count);
    return &d->parts[i];
}

const mm_dlq_partition *mm_dlq_partition_find(const mm_dlq *d, int32_t id) {
    for (size_t i = 0; i < d->part_count; i++)
        if (d->parts[i].id == id) return &d->parts[i];
    return NULL;
}

int mm_dlq_read(mm_dlq *d, int32_t partition, int64_t from, int64_t to, long long deadline_ms,
                mm_dlq_read_fn fn, void *ud, char *err, size_t err_size) {
    const mm_dlq_partition *p = mm_dlq_partition_find(d, partition);
    if (p == NULL) {
        set_err(err, err_size, "%s has no partition %d", d->topic, (int)partition);
        return MM_ENOTFOUND;
    }
    if (from < p->low) from = p->low;
    if (to > p->high) to = p->high;
    if (from >= to) return 0;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(l, d->topic, partition)->offset = from;
    rd_kafka_resp_err_t e = rd_kafka_assign(d->rk, l);
    rd_kafka_topic_partition_list_destroy(l);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        set_err(err, err_size, "cannot read %s[%d]: %s", d->topic, (int)partition,
                rd_kafka_err2str(e));
        return MM_EKAFKA;
    }
    int rc = 0;
    int64_t next = from;
    for (;;) {
        int wait = remaining_ms(deadline_ms);
        if (wait == 0) {
            set_err(err, err_size,
                    "deadline passed reading %s[%d] at offset %" PRId64 " of %" PRId64, d->topic,
                    (int)partition, next, to);
            rc = MM_ETIMEDOUT;
            break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(d->rk, wait < 200 ? wait : 200);
        if (m == NULL) continue;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            rd_kafka_message_destroy(m);
            break; /* the log ends before the watermark seen at open: deleted */
        }
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL ||
                         m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
                         m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET;
            if (fatal) {
                set_err(err, err_size, "reading %s[%d]: %s", d->topic, (int)partition,
                        rd_kafka_message_errstr(m));
                rc = MM_EKAFKA;
                rd_kafka_message_destroy(m);
                break;
            }
            rd_kafka_message_destroy(m); /* transient (a broker down): librdkafka retries */
            continue;
        }
        if (m->partition != partition || m->offset < from) {
            rd_kafka_message_destroy(m);
            continue;
        }
        if (m->offset >= to) {
            rd_kafka_message_destroy(m);
            break;
        }
        next = m->offset + 1;
        int stop = fn(ud, m);
        rd_kafka_message_destroy(m);
        if (stop || next >= to) break;
    }
    rd_kafka_assign(d->rk, NULL);
    return rc;
}

static rd_kafka_topic_partition_list_t *all_partitions(const mm_dlq *d) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)d->part_count);
    for (size_t i = 0; i < d->part_count; i++)
        rd_kafka_topic_partition_list_add(l, d->topic, d->parts[i].id);
    return l;
}

int mm_dlq_committed(mm_dlq *d, const char *group, int64_t *out, int timeout_ms, char *err,
                     size_t err_size) {
    rd_kafka_t *g = new_consumer(d->bootstrap, d->props, d->nprops, group, err, err_size);
    if (g == NULL) return MM_EKAFKA;
    rd_kafka_topic_partition_list_t *l = all_partitions(d);
    rd_kafka_resp_err_t e = rd_kafka_committed(g, l, timeout_ms);
    int rc = 0;
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        set_err(err, err_size, "cannot read the offsets group %s committed on %s: %s", group,
                d->topic, rd_kafka_err2str(e));
        rc = e == RD_KAFKA_RESP_ERR__TIMED_OUT ? MM_ETIMEDOUT : MM_EKAFKA;
    } else {
        for (size_t i = 0; i < d->part_count; i++) {
            const rd_kafka_topic_partition_t *tp = &l->elems[i];
            out[i] = tp->err == RD_KAFKA_RESP_ERR_NO_ERROR && tp->offset >= 0 ? tp->offset : -1;
        }
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(g); /* never joined: no consumer_close needed */
    return rc;
}

int mm_dlq_group_members(mm_dlq *d, const char *group, int *members, char *state, size_t state_size,
                         int timeout_ms, char *err, size_t err_size) {
    rd_kafka_queue_t *q = rd_kafka_queue_new(d->rk);
    rd_kafka_AdminOptions_t *o =
        rd_kafka_AdminOptions_new(d->rk, RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS);
    char why[256];
    if (rd_kafka_AdminOptions_set_request_timeout(o, timeout_ms, why, sizeof why) !=
        RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_AdminOptions_destroy(o);
        rd_kafka_queue_destroy(q);
        set_err(err, err_size, "describe group %s: %s", group, why);
        return MM_EKAFKA;
    }
    const char *groups[1] = {group};
    rd_kafka_DescribeConsumerGroups(d->rk, groups, 1, o, q);
    rd_kafka_AdminOptions_destroy(o);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, timeout_ms + 1000);
    int rc = 0;
    if (ev == NULL) {
        set_err(err, err_size, "describing group %s timed out", group);
        rc = MM_ETIMEDOUT;
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        set_err(err, err_size, "describe group %s: %s", group, rd_kafka_event_error_string(ev));
        rc = MM_EKAFKA;
    } else {
        const rd_kafka_DescribeConsumerGroups_result_t *res =
            rd_kafka_event_DescribeConsumerGroups_result(ev);
        size_t n = 0;
        const rd_kafka_ConsumerGroupDescription_t **g =
            res ? rd_kafka_DescribeConsumerGroups_result_groups(res, &n) : NULL;
        if (n != 1) {
            set_err(err, err_size, "describe group %s: no answer for the group", group);
            rc = MM_EKAFKA;
        } else if (rd_kafka_ConsumerGroupDescription_error(g[0]) != NULL) {
            set_err(err, err_size, "describe group %s: %s", group,
                    rd_kafka_error_string(rd_kafka_ConsumerGroupDescription_error(g[0])));
            rc = MM_EKAFKA;
        } else {
            *members = (int)rd_kafka_ConsumerGroupDescription_member_count(g[0]);
            snprintf(
                state, state_size, "%s",
                rd_kafka_consumer_group_state_name(rd_kafka_ConsumerGroupDescription_state(g[0])));
        }
    }
    if (ev) rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    return rc;
}

int mm_dlq_commit(mm_dlq *d, const char *group, const int64_t *offsets, int timeout_ms, char *err,
                  size_t err_size) {
    rd_kafka_t *g = new_consumer(d->bootstrap, d->props, d->nprops, group, err, err_size);
    if (g == NULL) return MM_EKAFKA;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)d->part_count);
    for (size_t i = 0; i < d->part_count; i++)
        if (offsets[i] >= 0)
            rd_kafka_topic_partition_list_add(l, d->topic, d->parts[i].id)->offset = offsets[i];
    int rc = 0;
    if (l->cnt > 0) {
        rd_kafka_queue_t *q = rd_kafka_queue_new(g);
        rd_kafka_resp_err_t e = rd_kafka_commit_queue(g, l, q, NULL, NULL);
        rd_kafka_event_t *ev = NULL;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            long long deadline = mm_dlq_now_ms() + timeout_ms;
            while (ev == NULL && remaining_ms(deadline) > 0) {
                ev = rd_kafka_queue_poll(q, remaining_ms(deadline));
                if (ev && rd_kafka_event_type(ev) != RD_KAFKA_EVENT_OFFSET_COMMIT) {
                    rd_kafka_event_destroy(ev);
                    ev = NULL;
                }
            }
            if (ev == NULL)
                e = RD_KAFKA_RESP_ERR__TIMED_OUT;
            else
                e = rd_kafka_event_error(ev);
            if (e == RD_KAFKA_RESP_ERR_NO_ERROR && ev) {
                const rd_kafka_topic_partition_list_t *done =
                    rd_kafka_event_topic_partition_list(ev);
                for (int i = 0; done && i < done->cnt; i++)
                    if (done->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) e = done->elems[i].err;
            }
        }
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            set_err(err, err_size, "cannot commit group %s's offsets on %s: %s", group, d->topic,
                    rd_kafka_err2str(e));
            rc = e == RD_KAFKA_RESP_ERR__TIMED_OUT ? MM_ETIMEDOUT : MM_EKAFKA;
        }
        if (ev) rd_kafka_event_destroy(ev);
        rd_kafka_queue_destroy(q);
    }
    rd_kafka_topic_partition_list_destroy(l);
    rd_kafka_destroy(g);
    return rc;
}

/* ---- one dead letter ----------------------------------------------------- */

size_t mm_dlq_utf8_valid_prefix(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        unsigned char c = s[i];
        size_t n;
        uint32_t cp, min;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            cp = c & 0x1F;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            cp = c & 0x0F;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            cp = c & 0x07;
            min = 0x10000;
        } else
            return i;
        if (len - i < n) return i;
        for (size_t k = 1; k < n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
        i += n;
    }
    return i;
}

/* The last value of header name as a NUL-terminated copy; NULL when absent,
 * without a value, or not text (*bad set then). */
static char *header_text(rd_kafka_headers_t *h, const char *name, bool *present, bool *oom) {
    const void *v = NULL;
    size_t n = 0;
    if (h == NULL || rd_kafka_header_get_last(h, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR)
        return NULL;
    *present = true;
    if (v == NULL || memchr(v, '\0', n) || mm_dlq_utf8_valid_prefix(v, n) != n) return NULL;
    char *s = strndup(v, n);
    if (s == NULL) *oom = true;
    return s;
}

static bool parse_i64(const char *s, int64_t *out) {
    if (s == NULL || *s == '\0') return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < 0) return false;
    *out = v;
    return true;
}

int mm_dlq_letter_parse(const rd_kafka_message_t *m, mm_dlq_letter *out) {
    memset(out, 0, sizeof *out);
    out->partition = m->partition;
    out->offset = m->offset;
    out->timestamp_ms = rd_kafka_message_timestamp(m, NULL);
    out->source_partition = -1;
    out->source_offset = -1;
    out->value_left_out = -1;
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR) h = NULL;
    bool any = false, oom = false;
    out->reason = header_text(h, MM_DLQ_HDR_REASON, &any, &oom);
    out->source_topic = header_text(h, MM_DLQ_HDR_TOPIC, &any, &oom);
    out->group = header_text(h, MM_DLQ_HDR_GROUP, &any, &oom);
    out->time = header_text(h, MM_DLQ_HDR_TIME, &any, &oom);
    int64_t v;
    char *s = header_text(h, MM_DLQ_HDR_PARTITION, &any, &oom);
    if (parse_i64(s, &v) && v <= INT32_MAX) out->source_partition = (int32_t)v;
    free(s);
    s = header_text(h, MM_DLQ_HDR_OFFSET, &any, &oom);
    if (parse_i64(s, &v)) out->source_offset = v;
    free(s);
    bool left_out = false;
    s = header_text(h, MM_DLQ_HDR_VALUE_BYTES, &left_out, &oom);
    if (left_out) out->value_left_out = parse_i64(s, &v) ? v : 0;
    free(s);
    bool replays_present = false;
    s = header_text(h, MM_DLQ_HDR_REPLAYS, &replays_present, &oom);
    if (replays_present) {
        any = true;
        out->replays = parse_i64(s, &v) && v <= 1000000 ? (long)v : -1;
    }
    free(s);
    out->has_dlq_headers = any;
    mm_event ev;
    mm_event_init(&ev);
    int rc = mm_envelope_decode_message(m, &ev, out->decode_error);
    if (rc == MM_ENOMEM) oom = true;
    if (rc == 0) {
        out->decode_error[0] = '\0';
        out->event_id = strdup(ev.id);
        out->event_type = strdup(ev.type);
        if (!out->event_id || !out->event_type) oom = true;
        mm_event_clear(&ev);
    }
    if (oom) {
        mm_dlq_letter_clear(out);
        return MM_ENOMEM;
    }
    return 0;
}

void mm_dlq_letter_clear(mm_dlq_letter *l) {
    free(l->reason);
    free(l->source_topic);
    free(l->group);
    free(l->time);
    free(l->event_id);
    free(l->event_type);
    memset(l, 0, sizeof *l);
}

/* ---- replaying ----------------------------------------------------------- */

typedef struct replay_slot {
    int state; /* 1 pending, 0 acknowledged, -1 failed */
    int32_t partition;
    int64_t offset;
    char error[160];
} replay_slot;

struct mm_dlq_replayer {
    rd_kafka_t *rk;
    replay_slot *slots;
    size_t count, cap;
};

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
    (void)rk;
    mm_dlq_replayer *r = opaque;
    size_t slot = (size_t)(uintptr_t)m->_private;
    assert(slot < r->count);
    replay_slot *s = &r->slots[slot];
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        s->state = 0;
        s->partition = m->partition;
        s->offset = m->offset;
    } else {
        s->state = -1;
        snprintf(s->error, sizeof s->error, "%s", rd_kafka_err2str(m->err));
    }
}

mm_dlq_replayer *mm_dlq_replayer_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                                     char *err, size_t err_size) {
    mm_dlq_replayer *r = calloc(1, sizeof *r);
    if (r == NULL) {
        set_err(err, err_size, "out of memory");
        return NULL;
    }
    const mm_kv defaults[] = {
        {"enable.idempotence", "true"},
        {"acks", "all"},
        {"linger.ms", "5"},
        {"message.timeout.ms", "30000"},
    };
    char why[512];
    rd_kafka_conf_t *conf = mm_kafka_conf_new(
        bootstrap, defaults, sizeof defaults / sizeof *defaults, props, nprops, why, sizeof why);
    if (conf == NULL) {
        set_err(err, err_size, "Kafka configuration: %s", why);
        free(r);
        return NULL;
    }
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, r);
    r->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, why, sizeof why);
    if (r->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        set_err(err, err_size, "cannot create a Kafka producer: %s", why);
        free(r);
        return NULL;
    }
    return r;
}

int mm_dlq_replayer_send(mm_dlq_replayer *r, const rd_kafka_message_t *m, const char *topic,
                         long replays, char *err, size_t err_size) {
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        replay_slot *s = realloc(r->slots, cap * sizeof *s);
        if (s == NULL) {
            set_err(err, err_size, "out of memory");
            return MM_ENOMEM;
        }
        r->slots = s;
        r->cap = cap;
    }
    rd_kafka_headers_t *orig = NULL;
    if (rd_kafka_message_headers(m, &orig) != RD_KAFKA_RESP_ERR_NO_ERROR) orig = NULL;
    size_t n = orig ? rd_kafka_header_cnt(orig) : 0;
    rd_kafka_headers_t *h = rd_kafka_headers_new(n + 1);
    if (h == NULL) {
        set_err(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    const char *name;
    const void *val;
    size_t size;
    bool bad = false;
    for (size_t i = 0; i < n && rd_kafka_header_get_all(orig, i, &name, &val, &size) ==
                                    RD_KAFKA_RESP_ERR_NO_ERROR;
         i++)
        if (strncmp(name, MM_DLQ_HDR_PREFIX, strlen(MM_DLQ_HDR_PREFIX)) != 0)
            bad |=
                rd_kafka_header_add(h, name, -1, val, (ssize_t)size) != RD_KAFKA_RESP_ERR_NO_ERROR;
    char num[32];
    snprintf(num, sizeof num, "%ld", replays);
    bad |= rd_kafka_header_add(h, MM_DLQ_HDR_REPLAYS, -1, num, -1) != RD_KAFKA_RESP_ERR_NO_ERROR;
    if (bad) {
        rd_kafka_headers_destroy(h);
        set_err(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    size_t slot = r->count;
    r->slots[slot] = (replay_slot){.state = 1, .partition = -1, .offset = -1};
    rd_kafka_resp_err_t e = rd_kafka_producev(
        r->rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE(m->payload, m->len),
        RD_KAFKA_V_HEADERS(h), RD_KAFKA_V_OPAQUE((void *)(uintptr_t)slot), RD_KAFKA_V_END);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_headers_destroy(h);
        set_err(err, err_size, "cannot send to %s: %s", topic, rd_kafka_err2str(e));
        return MM_EKAFKA;
    }
    r->count++;
    rd_kafka_poll(r->rk, 0);
    return (int)slot;
}

int mm_dlq_replayer_wait(mm_dlq_replayer *r, int timeout_ms) {
    rd_kafka_resp_err_t e = rd_kafka_flush(r->rk, timeout_ms);
    rd_kafka_poll(r->rk, 0);
    for (size_t i = 0; i < r->count; i++)
        if (r->slots[i].state != 0) return r->slots[i].state == 1 ? MM_ETIMEDOUT : MM_EKAFKA;
    return e == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : MM_ETIMEDOUT;
}

int mm_dlq_replayer_result(const mm_dlq_replayer *r, int slot, int32_t *partition, int64_t *offset,
                           const char **error) {
    assert(slot >= 0 && (size_t)slot < r->count);
    const replay_slot *s = &r->slots[slot];
    *partition = s->partition;
    *offset = s->offset;
    *error = s->state == -1  ? s->error
             : s->state == 1 ? "no acknowledgement before the deadline"
                             : NULL;
    return s->state;
}

void mm_dlq_replayer_free(mm_dlq_replayer *r) {
    if (r == NULL) return;
    /* Whatever is still queued fails now; its outcome was already reported
     * as unknown by mm_dlq_replayer_wait. */
    rd_kafka_purge(r->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(r->rk, 0);
    rd_kafka_destroy(r->rk);
    free(r->slots);
    free(r);
}
