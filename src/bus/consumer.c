/* consumer.c -- the consumer-group member loop with manual, after-the-fact
 * offset commits (at-least-once); see consumer.h. */
#include "bus/consumer.h"

#include <errno.h>
#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <assert.h>

#include "bus/transaction.h"
#include "metamorphosis.h"

/* How long one poll may block: bounds how quickly a stop request is seen. */
#define POLL_MS        100
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000
/* How long stopping, or a revocation, waits for the messages in flight. */
#define DRAIN_MS 10000
/* Most messages taken off the queue per turn before in-flight work is
 * served again (fairness between consuming and finishing). */
#define TAKE_PER_TURN 256
/* How long a fetch nudge (see nudge_fetcher) may wait for its answer. */
#define NUDGE_TIMEOUT_MS 100
/* How long a new consumer waits for its producer to learn the cluster id
 * (fetch_wait_default); only an unreachable broker makes it wait that long. */
#define CLUSTER_ID_WAIT_MS 1000

/* A message in flight (pipelined mode). Once done, only its offset is kept
 * until every earlier message of its partition is done too. */
struct mm_consumer_slot {
    rd_kafka_message_t *m; /* NULL once done */
    mm_event ev;
    int64_t offset;
    size_t bytes;
    bool done;
    struct part *part;
    mm_consumer_slot *next; /* in the partition, by offset */
};

/* The slots of one partition, in offset order. */
typedef struct part {
    char *topic;
    int32_t partition;
    mm_consumer_slot *head, *tail;
    int64_t store_next; /* offset to store (last done + 1); -1: nothing new */
    int64_t done_next;  /* last done + 1, kept (the hand-over's offset); -1: none */
} part;

/* A set of type names, built once so that each message's type is found
 * with one hash and (usually) one strcmp rather than a strcmp per name.
 * Open addressing in a power-of-two table at most half full; the strings
 * belong to the list the set indexes. */
typedef struct type_set {
    const char **slot; /* NULL: empty */
    size_t mask;
} type_set;

struct mm_consumer {
    rd_kafka_t *rk;
    int (*before_join)(void *ud, uint64_t *max_messages,
                       rd_kafka_topic_partition_list_t **start_at); /* subs kept until then */
    void (*on_handover)(void *ud, const rd_kafka_topic_partition_list_t *done);
    void (*on_final_commit)(void *ud);
    rd_kafka_topic_partition_list_t *start_at; /* handed-over offsets, until the first assignment */
    rd_kafka_topic_partition_list_t *handed;   /* started there, not yet committed */
    int64_t handed_ms;                         /* when (mono_ms) */
    void *join_ud;
    rd_kafka_topic_partition_list_t *subs;
    bool handed_over; /* on_final_commit was called: a replacement may fence us */
    /* An overlapped hand-over (consumer.h, mm_consumer_overlap_hooks). */
    const mm_consumer_overlap_hooks *overlap;
    bool overlap_asked; /* on_budget was called */
    bool overlapping;   /* it lifted the budget: going on until stopped */
    bool fenced;        /* overlapping, and the replacement's join fenced us */
    /* The replacement: handed-over offsets arrive there (it waits for
     * them while this is >= 0); -1: none, or no longer. */
    int await_fd;
    rd_kafka_topic_partition_list_t *pending; /* its first assignment, not applied yet */
    bool pending_coop;                        /* ... under the cooperative protocol */
    bool told_assigned;                       /* on_assigned was called */
    char *group;
    char **handled;
    size_t handled_count;
    type_set handled_set;
    char **known;
    size_t known_count;
    type_set known_set;
    mm_consumer_handler handler;
    void *handler_ud;
    mm_producer *producer;
    bool own_producer;
    uint64_t max_messages;
    bool sync_commit;
    unsigned max_attempts;  /* synchronous mode: see mm_consumer_config */
    bool auto_offset_store; /* props turned enable.auto.offset.store back on */
    mm_consumer_progress_cb on_progress;
    void *progress_ud;
    volatile sig_atomic_t *stop_flag;
    atomic_bool stop;
    bool ran;
    _Atomic uint64_t handled_n, skipped_n, dlq_n, retries_n, commit_err_n;
    /* Pipelined mode. */
    mm_consumer_start_fn start;
    mm_consumer_pump_fn pump;
    size_t max_in_flight, max_in_flight_bytes;
    size_t in_flight, in_flight_bytes, slots; /* started and not done; all kept */
    part *parts;
    size_t part_count;
    bool dirty;   /* some partition has an offset to store */
    bool no_more; /* budget spent or progress said stop: take nothing new */
    bool failed;
    int wake[2]; /* pipe the consumer and producer queues write to */
    rd_kafka_queue_t *cq, *pq;
    void (*on_assign)(void *ud); /* mm_consumer_config.on_assign (metrics) */
    void *assign_ud;
    void (*on_idle)(void *ud); /* mm_consumer_config.on_idle, with handler_ud */
    /* Fetch nudges (see nudge_fetcher): the prefetch limit in bytes, the
     * bytes taken since the queue was last found empty, and where the last
     * message came from. */
    size_t prefetch_bytes, run_bytes;
    const char *run_topic;
    int32_t run_partition;
    _Atomic uint64_t nudges_n;
    /* Exactly-once mode (consumer.h, mm_consumer_txn_hooks). */
    const mm_consumer_txn_hooks *txn;
    rd_kafka_topic_partition_list_t *txn_offsets; /* watermarks for the open transaction */
    size_t txn_events, txn_bytes;                 /* taken since the last commit */
    uint64_t txn_handled;                         /* counted handled since then */
    bool progress_stop;                           /* on_progress asked to stop */
    bool txn_closing;                             /* due: take nothing until drained */
    uint64_t trimmed_at;     /* messages finished when the heap was last trimmed (idle_trim) */
    mm_consumer_slot *spare; /* finished slots for reuse (linked by next), at most max_in_flight */
    size_t spare_count;
};

static void free_list(char **list, size_t n) {
    for (size_t i = 0; i < n; i++) free(list[i]);
    free(list);
}

static char **copy_list(const char *const *src, size_t n, bool *oom) {
    if (src == NULL || n == 0) return NULL;
    char **dst = calloc(n, sizeof *dst);
    if (dst == NULL) {
        *oom = true;
        return NULL;
    }
    for (size_t i = 0; i < n; i++)
        if (src[i] == NULL || (dst[i] = strdup(src[i])) == NULL) {
            *oom = true;
            free_list(dst, n);
            return NULL;
        }
    return dst;
}

/* FNV-1a: short type names, no adversary (the set is our own schema). */
static uint64_t type_hash(const char *s) {
    uint64_t h = UINT64_C(14695981039346656037);
    for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

/* Indexes list[0..n) (n > 0); false when out of memory. */
static bool type_set_build(type_set *set, char **list, size_t n) {
    size_t size = 8;
    while (size < 2 * n) size *= 2;
    set->slot = calloc(size, sizeof *set->slot);
    if (set->slot == NULL) return false;
    set->mask = size - 1;
    for (size_t i = 0; i < n; i++) {
        size_t at = (size_t)type_hash(list[i]) & set->mask;
        while (set->slot[at] != NULL && strcmp(set->slot[at], list[i]) != 0)
            at = (at + 1) & set->mask;
        set->slot[at] = list[i];
    }
    return true;
}

static bool type_set_has(const type_set *set, uint64_t hash, const char *s) {
    for (size_t at = (size_t)hash & set->mask; set->slot[at] != NULL; at = (at + 1) & set->mask)
        if (strcmp(set->slot[at], s) == 0) return true;
    return false;
}

static void drain_in_flight(mm_consumer *c, int ms);
static void txn_finish(mm_consumer *c);

static bool stopping(mm_consumer *c) {
    return atomic_load(&c->stop) || (c->stop_flag != NULL && *c->stop_flag);
}

/* Overlapping past its budget, the member was fenced by its replacement's
 * join (a commit or a heartbeat refused): it stops taking and hands over
 * what it finished, as when told to stop. */
static void overlap_fenced(mm_consumer *c, const char *how) {
    if (!c->fenced)
        fprintf(stderr,
                "metamorphosis: consumer group %s: fenced by the replacement during the "
                "overlap (%s): handing over\n",
                c->group, how);
    c->fenced = true;
    atomic_store(&c->stop, true);
}

static void report_commit_error(mm_consumer *c, rd_kafka_resp_err_t e) {
    if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    /* Past its budget, a replacement with our group.instance.id joined:
     * what this member did is handed over, not committed by it. */
    if (c->overlapping &&
        (e == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID || e == RD_KAFKA_RESP_ERR__FATAL)) {
        if (!c->handed_over) overlap_fenced(c, rd_kafka_err2str(e));
        return;
    }
    /* Handed over: librdkafka 2.0.2's auto-commit sends the (already
     * committed) offsets again when the close unassigns, and the static
     * member that replaced us fences it. Nothing is lost. */
    if (c->handed_over && e == RD_KAFKA_RESP_ERR_FENCED_INSTANCE_ID) return;
    /* Handed over before the final commit (hand_over): the replacement may
     * have joined first, so the final commit itself is fenced (or finds its
     * generation gone); the replacement commits the handed offsets. */
    if (c->handed_over &&
        (e == RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID || e == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION ||
         e == RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS))
        return;
    atomic_fetch_add(&c->commit_err_n, 1);
    fprintf(stderr, "metamorphosis: consumer group %s: commit failed: %s\n", c->group,
            rd_kafka_err2str(e));
}

/* Commits whatever offsets have been stored, waiting for the broker.
 * "Nothing to commit" is fine. */
static void commit_stored(mm_consumer *c) {
    report_commit_error(c, rd_kafka_commit(c->rk, NULL, 0));
}

/* Outcome of an asynchronous commit (served from rd_kafka_consumer_poll). */
static void on_commit(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                      rd_kafka_topic_partition_list_t *offsets, void *opaque) {
    (void)rk;
    (void)offsets;
    report_commit_error(opaque, err);
}

static int64_t mono_ms(void);

/* The first assignment of a member its predecessor handed offsets to:
 * each partition named there starts at the handed offset (no OffsetFetch,
 * and no wait for the predecessor's final commit). Everything before them
 * is done; a partition not handed over starts at its committed offset.
 * The handed offsets are committed by commit_handed (the predecessor's own
 * commit may be fenced by this member's join), not here: librdkafka 2.0.2
 * starts no newly assigned partition while a commit is outstanding, which
 * would hold the first fetch for a whole commit (~7 ms, measured). */
static void start_handed_over(mm_consumer *c, rd_kafka_topic_partition_list_t *parts) {
    rd_kafka_topic_partition_list_t *commit = rd_kafka_topic_partition_list_new(parts->cnt);
    for (int i = 0; i < parts->cnt; i++) {
        rd_kafka_topic_partition_t *h = rd_kafka_topic_partition_list_find(
            c->start_at, parts->elems[i].topic, parts->elems[i].partition);
        if (h == NULL || h->offset < 0) continue;
        parts->elems[i].offset = h->offset;
        rd_kafka_topic_partition_list_add(commit, h->topic, h->partition)->offset = h->offset;
    }
    rd_kafka_topic_partition_list_destroy(c->start_at);
    c->start_at = NULL;
    if (commit->cnt > 0) {
        char at[160];
        int len = 0;
        for (int i = 0; i < commit->cnt && len < (int)sizeof at - 24; i++)
            len += snprintf(at + len, sizeof at - (size_t)len, "%s%d@%lld", i ? "," : "",
                            (int)commit->elems[i].partition, (long long)commit->elems[i].offset);
        fprintf(stderr,
                "metamorphosis: consumer group %s: starting at the handed-over offsets %s\n",
                c->group, at);
        if (c->handed) rd_kafka_topic_partition_list_destroy(c->handed);
        c->handed = commit;
        c->handed_ms = mono_ms();
        return;
    }
    rd_kafka_topic_partition_list_destroy(commit);
}

/* Commits the handed-over offsets (asynchronously) once the first message
 * came (the fetch has started) or HANDED_COMMIT_MS after the assignment. */
#define HANDED_COMMIT_MS 20
static void commit_handed(mm_consumer *c, bool got_message) {
    if (c->handed == NULL || (!got_message && mono_ms() - c->handed_ms < HANDED_COMMIT_MS)) return;
    rd_kafka_resp_err_t e = rd_kafka_commit(c->rk, c->handed, 1);
    if (e) report_commit_error(c, e);
    rd_kafka_topic_partition_list_destroy(c->handed);
    c->handed = NULL;
}

/* Partitions are about to move to another member: commit first, so that
 * member starts after what this one finished. The loop handles one message
 * at a time inside poll's caller, so nothing is in flight here. */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque) {
    mm_consumer *c = opaque;
    /* NULL when the member has no protocol yet (closed before its first
     * assignment: UBSan caught strcmp(NULL) in a worker retiring at once). */
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    bool cooperative = protocol && strcmp(protocol, "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (c->on_assign) c->on_assign(c->assign_ud);
        if (c->await_fd >= 0) {
            /* Overlapped hand-over: the partitions' offsets are still being
             * handed over; assigned by await_step when they come. */
            if (c->pending) rd_kafka_topic_partition_list_destroy(c->pending);
            c->pending = rd_kafka_topic_partition_list_copy(parts);
            c->pending_coop = cooperative;
            if (!c->told_assigned && c->overlap->on_assigned) c->overlap->on_assigned(c->join_ud);
            c->told_assigned = true;
            return;
        }
        if (c->start_at) start_handed_over(c, parts);
        if (cooperative) {
            rd_kafka_error_t *e = rd_kafka_incremental_assign(rk, parts);
            if (e) rd_kafka_error_destroy(e);
        } else {
            rd_kafka_assign(rk, parts);
        }
        return;
    }
    if (c->pending) { /* never applied: nothing of them to finish */
        rd_kafka_topic_partition_list_destroy(c->pending);
        c->pending = NULL;
    }
    if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && !rd_kafka_assignment_lost(rk)) {
        /* Pipelined: finish what is in flight (bounded), so that the next
         * owner starts after it rather than doing it again. */
        if (c->start != NULL) drain_in_flight(c, DRAIN_MS / 2);
        if (c->handed) commit_handed(c, true);
        if (c->txn == NULL)
            commit_stored(c);
        else if (!c->failed)
            txn_finish(c);
    } else if (err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS && c->txn) {
        /* Lost (fenced out of the group): nothing of ours may commit. */
        c->txn->abort(c->txn->ud);
        mm_consumer_fail(c, "partitions lost (fenced out of the group)");
    }
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_unassign(rk, parts);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(rk, NULL);
    }
}

/* The default fetch.wait.max.ms. A real broker answers a waiting fetch as
 * soon as data arrives, so the wait only decides how often an idle consumer
 * asks again: 100 ms is 10 fetches a second instead of 100, the same
 * requests per event under load and the same latency (docs/configuration.md).
 * librdkafka 2.0.2's mock cluster (`gregor broker`, cluster id
 * "mockCluster<hex>") answers only when the wait expires: 10 ms there, and
 * when the cluster id is not known within CLUSTER_ID_WAIT_MS (the lower
 * value is the one that is right on either broker). */
static const char *fetch_wait_default(mm_producer *p) {
    rd_kafka_t *rk = mm_producer_rdkafka(p);
    char *id = rd_kafka_clusterid(rk, CLUSTER_ID_WAIT_MS);
    bool real = id != NULL && strncmp(id, "mockCluster", 11) != 0;
    if (id) rd_kafka_mem_free(rk, id);
    return real ? "100" : "10";
}

mm_consumer *mm_consumer_new(const mm_consumer_config *cfg, char *err, size_t err_size) {
    char why[512];
    if (cfg->group_id == NULL || cfg->group_id[0] == '\0' || cfg->topics == NULL ||
        cfg->topic_count == 0 || (cfg->handler == NULL) == (cfg->start == NULL)) {
        snprintf(err, err_size, "consumer needs a group id, at least one topic and a handler");
        return NULL;
    }
    mm_consumer *c = calloc(1, sizeof *c);
    if (c == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    c->wake[0] = c->wake[1] = -1;
    c->await_fd = -1;
    c->overlap = cfg->overlap;
    c->start = cfg->start;
    c->pump = cfg->pump;
    c->max_in_flight = cfg->max_in_flight ? cfg->max_in_flight : MM_CONSUMER_DEFAULT_IN_FLIGHT;
    c->max_in_flight_bytes =
        cfg->max_in_flight_bytes ? cfg->max_in_flight_bytes : MM_CONSUMER_DEFAULT_IN_FLIGHT_BYTES;
    bool oom = false;
    c->group = strdup(cfg->group_id);
    oom |= c->group == NULL;
    c->handled = copy_list(cfg->handled_types, cfg->handled_count, &oom);
    c->handled_count = c->handled ? cfg->handled_count : 0;
    c->known = copy_list(cfg->known_types, cfg->known_count, &oom);
    c->known_count = c->known ? cfg->known_count : 0;
    if (!oom && c->handled_count > 0)
        oom |= !type_set_build(&c->handled_set, c->handled, c->handled_count);
    if (!oom && c->known_count > 0) oom |= !type_set_build(&c->known_set, c->known, c->known_count);
    if (oom) {
        snprintf(err, err_size, "out of memory");
        mm_consumer_free(c);
        return NULL;
    }
    c->handler = cfg->handler;
    c->handler_ud = cfg->handler_ud;
    c->max_messages = cfg->max_messages;
    c->sync_commit = cfg->sync_commit;
    c->max_attempts = cfg->max_attempts ? cfg->max_attempts : 8;
    c->on_progress = cfg->on_progress;
    c->progress_ud = cfg->progress_ud;
    c->stop_flag = cfg->stop_flag;
    c->on_assign = cfg->on_assign;
    c->before_join = cfg->before_join;
    c->on_handover = cfg->on_handover;
    c->on_final_commit = cfg->on_final_commit;
    c->join_ud = cfg->join_ud;
    c->assign_ud = cfg->assign_ud;
    c->on_idle = cfg->on_idle;
    c->txn = cfg->start != NULL ? cfg->txn : NULL;
    if (c->txn && (c->txn_offsets = rd_kafka_topic_partition_list_new(4)) == NULL) {
        snprintf(err, err_size, "out of memory");
        mm_consumer_free(c);
        return NULL;
    }

    if (cfg->producer != NULL) {
        c->producer = cfg->producer;
    } else {
        c->producer = mm_producer_new(cfg->bootstrap, cfg->props, cfg->prop_count, why, sizeof why);
        if (c->producer == NULL) {
            snprintf(err, err_size, "dead-letter producer: %s", why);
            mm_consumer_free(c);
            return NULL;
        }
        c->own_producer = true;
    }

    const mm_kv defaults[] = {
        {"group.id", cfg->group_id},
        {"enable.auto.commit", cfg->sync_commit || c->txn ? "false" : "true"},
        {"auto.commit.interval.ms", "100"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"fetch.wait.max.ms", fetch_wait_default(c->producer)},
        {"enable.partition.eof", "false"},
        {"queued.max.messages.kbytes", "256"},
        {"max.partition.fetch.bytes", "262144"},
    };
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new(cfg->bootstrap, defaults, sizeof defaults / sizeof *defaults, cfg->props,
                          cfg->prop_count, why, sizeof why);
    if (conf != NULL && c->txn) {
        /* Exactly-once: never a commit outside the transaction, and never an
         * uncommitted event read, whatever the operator's properties say
         * (others read committed data by librdkafka's default, or not if
         * kafka.properties says isolation.level: read_uncommitted). */
        rd_kafka_conf_set(conf, "enable.auto.commit", "false", NULL, 0);
        rd_kafka_conf_set(conf, "isolation.level", "read_committed", NULL, 0);
    }
    if (conf == NULL) {
        snprintf(err, err_size, "%s", why);
        mm_consumer_free(c);
        return NULL;
    }
    char store[16];
    size_t store_size = sizeof store;
    c->auto_offset_store = rd_kafka_conf_get(conf, "enable.auto.offset.store", store,
                                             &store_size) == RD_KAFKA_CONF_OK &&
                           strcmp(store, "true") == 0;
    char kbytes[24];
    size_t kbytes_size = sizeof kbytes;
    if (rd_kafka_conf_get(conf, "queued.max.messages.kbytes", kbytes, &kbytes_size) ==
        RD_KAFKA_CONF_OK)
        c->prefetch_bytes = (size_t)strtoul(kbytes, NULL, 10) * 1024;
    rd_kafka_conf_set_opaque(conf, c);
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_offset_commit_cb(conf, on_commit);
    c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, why, sizeof why);
    if (c->rk == NULL) {
        rd_kafka_conf_destroy(conf);
        snprintf(err, err_size, "cannot create Kafka consumer: %s", why);
        mm_consumer_free(c);
        return NULL;
    }
    rd_kafka_poll_set_consumer(c->rk);

    rd_kafka_topic_partition_list_t *subs =
        rd_kafka_topic_partition_list_new((int)cfg->topic_count);
    for (size_t i = 0; i < cfg->topic_count; i++)
        rd_kafka_topic_partition_list_add(subs, cfg->topics[i], RD_KAFKA_PARTITION_UA);
    if (c->before_join) { /* subscribed in mm_consumer_run */
        c->subs = subs;
        return c;
    }
    rd_kafka_resp_err_t e = rd_kafka_subscribe(c->rk, subs);
    rd_kafka_topic_partition_list_destroy(subs);
    if (e) {
        snprintf(err, err_size, "cannot subscribe: %s", rd_kafka_err2str(e));
        mm_consumer_free(c);
        return NULL;
    }
    return c;
}

void mm_consumer_stop(mm_consumer *c) { atomic_store(&c->stop, true); }

void mm_consumer_get_stats(mm_consumer *c, mm_consumer_stats *out) {
    out->handled = atomic_load(&c->handled_n);
    out->skipped = atomic_load(&c->skipped_n);
    out->dead_lettered = atomic_load(&c->dlq_n);
    out->retries = atomic_load(&c->retries_n);
    out->commit_errors = atomic_load(&c->commit_err_n);
    out->fetch_nudges = atomic_load(&c->nudges_n);
}

/* Sleeps ms milliseconds in small steps so that a stop request cuts it short. */
static void backoff_sleep(mm_consumer *c, int ms) {
    while (ms > 0 && !stopping(c)) {
        int step = ms < 50 ? ms : 50;
        struct timespec ts = {0, (long)step * 1000000L};
        nanosleep(&ts, NULL);
        ms -= step;
    }
}

static int dead_letter(mm_consumer *c, const rd_kafka_message_t *m, const char *reason) {
    char why[512];
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers((rd_kafka_message_t *)m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR)
        h = NULL;
    mm_dead_letter dl = {
        .topic = rd_kafka_topic_name(m->rkt),
        .partition = m->partition,
        .offset = m->offset,
        .key = m->key,
        .key_len = m->key_len,
        .value = m->payload,
        .value_len = m->len,
        .headers = h,
        .reason = reason,
        .group = c->group,
    };
    int rc = mm_producer_send_dead_letter(c->producer, &dl, 0, why, sizeof why);
    if (rc != 0)
        fprintf(stderr, "metamorphosis: consumer group %s: cannot dead-letter %s[%d]@%lld: %s\n",
                c->group, dl.topic, (int)dl.partition, (long long)dl.offset, why);
    else
        fprintf(stderr, "metamorphosis: consumer group %s: dead-lettered %s[%d]@%lld: %s\n",
                c->group, dl.topic, (int)dl.partition, (long long)dl.offset, reason);
    return rc;
}

/* D_ABANDONED: stop was requested first; D_FAILED: not even the DLQ took
 * the message. Neither is committed. */
enum disposition {
    D_HANDLED,
    D_SKIPPED,
    D_DEAD,
    D_ABANDONED,
    D_FAILED
};

/* Copies m to the DLQ, retrying a failed produce with backoff up to
 * max_attempts times. */
static enum disposition dead_letter_bounded(mm_consumer *c, const rd_kafka_message_t *m,
                                            const char *reason) {
    int backoff = BACKOFF_MIN_MS;
    for (unsigned attempt = 1; dead_letter(c, m, reason) != 0; attempt++) {
        atomic_fetch_add(&c->retries_n, 1);
        if (stopping(c)) return D_ABANDONED;
        if (attempt >= c->max_attempts) {
            fprintf(stderr,
                    "metamorphosis: consumer group %s: giving up after %u attempts to "
                    "dead-letter a message; stopping uncommitted\n",
                    c->group, attempt);
            return D_FAILED;
        }
        backoff_sleep(c, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return D_DEAD;
}

/* Processes one message until its outcome is durable, retrying transient
 * failures. D_ABANDONED: stop was requested before that happened, so the
 * message must not be committed. */
static enum disposition process(mm_consumer *c, const rd_kafka_message_t *m) {
    char reason[MM_ENVELOPE_REASON_MAX];
    char unknown[MM_ENVELOPE_REASON_MAX + 64];
    mm_event ev;
    const char *dlq_reason = NULL;
    uint64_t type_h = 0;
    int rc = mm_envelope_decode_message(m, &ev, reason);
    if (rc == MM_ENOMEM) return D_ABANDONED; /* not the message's fault: let it come again */
    if (rc == 0 && (c->known_count > 0 || c->handled_count > 0)) type_h = type_hash(ev.type);
    if (rc != 0) {
        dlq_reason = reason;
    } else if (c->known_count > 0 && !type_set_has(&c->known_set, type_h, ev.type)) {
        snprintf(unknown, sizeof unknown, "unknown event type \"%s\"", ev.type);
        dlq_reason = unknown;
    }
    if (dlq_reason != NULL) {
        enum disposition d = dead_letter_bounded(c, m, dlq_reason);
        mm_event_clear(&ev);
        return d;
    }
    if (c->handled_count > 0 && !type_set_has(&c->handled_set, type_h, ev.type)) {
        mm_event_clear(&ev);
        return D_SKIPPED;
    }
    mm_message_info info = {
        .topic = rd_kafka_topic_name(m->rkt),
        .partition = m->partition,
        .offset = m->offset,
        .timestamp_ms = rd_kafka_message_timestamp(m, NULL),
    };
    enum disposition d = D_HANDLED;
    int backoff = BACKOFF_MIN_MS;
    for (unsigned attempt = 1; c->handler(c->handler_ud, &ev, &info) != 0; attempt++) {
        atomic_fetch_add(&c->retries_n, 1);
        if (stopping(c)) {
            d = D_ABANDONED;
            break;
        }
        if (attempt >= c->max_attempts) {
            snprintf(unknown, sizeof unknown,
                     "handler failed %u times (transient failures persisted)", attempt);
            d = dead_letter_bounded(c, m, unknown);
            break;
        }
        backoff_sleep(c, backoff);
        backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    mm_event_clear(&ev);
    return d;
}

/* Marks m done: stores offset + 1 (the next one to read) now that its
 * outcome is durable. The background committer sends it within 100 ms, or,
 * with sync_commit, it is committed here and waited for. Stop and revoke
 * commit synchronously either way. */
static void commit_message(mm_consumer *c, const rd_kafka_message_t *m) {
    /* rd_kafka_offset_store stores offset + 1 itself, like rd_kafka_offsets_store
     * given offset + 1, and fails the same way for a partition no longer
     * assigned, without a partition list per message. Unlike it, it does not
     * refuse when enable.auto.offset.store is on, so that case is kept. */
    rd_kafka_resp_err_t e = c->auto_offset_store
                                ? RD_KAFKA_RESP_ERR__INVALID_ARG
                                : rd_kafka_offset_store(m->rkt, m->partition, m->offset);
    if (e) {
        /* The partition was revoked meanwhile: its new owner re-reads it. */
        atomic_fetch_add(&c->commit_err_n, 1);
        return;
    }
    if (c->sync_commit) commit_stored(c);
}

/* ---- pipelined mode ------------------------------------------------------ */

static part *find_part(mm_consumer *c, const char *topic, int32_t partition) {
    for (size_t i = 0; i < c->part_count; i++)
        if (c->parts[i].partition == partition && strcmp(c->parts[i].topic, topic) == 0)
            return &c->parts[i];
    part *v = realloc(c->parts, (c->part_count + 1) * sizeof *v);
    if (v == NULL) return NULL;
    c->parts = v;
    part *p = &v[c->part_count];
    *p = (part){.topic = strdup(topic), .partition = partition, .store_next = -1, .done_next = -1};
    if (p->topic == NULL) return NULL;
    c->part_count++;
    /* Slots point at their partition: fix them after the array moved. */
    for (size_t i = 0; i < c->part_count; i++)
        for (mm_consumer_slot *sl = v[i].head; sl != NULL; sl = sl->next) sl->part = &v[i];
    return p;
}

/* Stores every partition's watermark that moved (one list for all). */
static void txn_collect(mm_consumer *c);

static void store_watermarks(mm_consumer *c) {
    if (!c->dirty) return;
    c->dirty = false;
    if (c->txn) {
        txn_collect(c);
        return;
    }
    if (c->auto_offset_store) return;
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new((int)c->part_count);
    for (size_t i = 0; i < c->part_count; i++) {
        part *p = &c->parts[i];
        if (p->store_next < 0) continue;
        rd_kafka_topic_partition_list_add(l, p->topic, p->partition)->offset = p->store_next;
        p->store_next = -1;
    }
    if (l->cnt > 0) {
        rd_kafka_resp_err_t e = rd_kafka_offsets_store(c->rk, l);
        /* A partition revoked meanwhile fails alone; its new owner re-reads it. */
        for (int i = 0; i < l->cnt; i++)
            if (e || l->elems[i].err) atomic_fetch_add(&c->commit_err_n, 1);
        if (c->sync_commit) commit_stored(c);
    }
    rd_kafka_topic_partition_list_destroy(l);
}

void mm_consumer_slot_done(mm_consumer *c, mm_consumer_slot *sl, mm_slot_outcome how) {
    assert(!sl->done);
    sl->done = true;
    c->in_flight--;
    c->in_flight_bytes -= sl->bytes;
    mm_event_clear(&sl->ev);
    rd_kafka_message_destroy(sl->m);
    sl->m = NULL;
    if (how == MM_SLOT_HANDLED) {
        atomic_fetch_add(&c->handled_n, 1);
        c->txn_handled++;
    } else if (how == MM_SLOT_SKIPPED)
        atomic_fetch_add(&c->skipped_n, 1);
    else
        atomic_fetch_add(&c->dlq_n, 1);
    part *p = sl->part;
    while (p->head != NULL && p->head->done) {
        mm_consumer_slot *h = p->head;
        p->head = h->next;
        if (p->head == NULL) p->tail = NULL;
        p->store_next = p->done_next = h->offset + 1;
        c->dirty = true;
        c->slots--;
        if (c->spare_count < c->max_in_flight) { /* reused: no calloc per message */
            h->next = c->spare;
            c->spare = h;
            c->spare_count++;
        } else {
            free(h);
        }
    }
    if (c->on_progress != NULL) {
        mm_consumer_stats st;
        mm_consumer_get_stats(c, &st);
        if (c->on_progress(c->progress_ud, &st) != 0) c->no_more = c->progress_stop = true;
    }
    if (c->max_messages > 0 && atomic_load(&c->handled_n) >= c->max_messages) c->no_more = true;
}

int mm_consumer_slot_dead_letter(mm_consumer *c, mm_consumer_slot *sl, const char *reason) {
    assert(sl->m != NULL);
    return dead_letter(c, sl->m, reason);
}

void mm_consumer_wake(mm_consumer *c) {
    if (c->wake[1] >= 0) {
        ssize_t n = write(c->wake[1], "w", 1); /* full pipe: a wake-up is pending anyway */
        (void)n;
    }
}

void mm_consumer_fail(mm_consumer *c, const char *why) {
    fprintf(stderr, "metamorphosis: consumer group %s: stopping: %s\n", c->group, why);
    c->failed = true;
}

/* An error the poll returned instead of a message: logged (end of
 * partition aside) and freed. True when it is fatal for the client. */
static bool poll_error(mm_consumer *c, rd_kafka_message_t *m) {
    bool fatal = m->err == RD_KAFKA_RESP_ERR__FATAL;
    if (fatal) {
        char why[512];
        rd_kafka_fatal_error(c->rk, why, sizeof why);
        fprintf(stderr, "metamorphosis: consumer group %s: fatal: %s\n", c->group, why);
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        fprintf(stderr, "metamorphosis: consumer group %s: %s\n", c->group,
                rd_kafka_message_errstr(m));
    }
    rd_kafka_message_destroy(m);
    return fatal;
}

/* Takes one message into the pipeline. */
static void take(mm_consumer *c, rd_kafka_message_t *m) {
    const char *topic = rd_kafka_topic_name(m->rkt);
    part *p = find_part(c, topic, m->partition);
    mm_consumer_slot *sl = NULL;
    if (p && c->spare) {
        sl = c->spare;
        c->spare = sl->next;
        c->spare_count--;
        memset(sl, 0, sizeof *sl);
    } else if (p) {
        sl = calloc(1, sizeof *sl);
    }
    if (sl == NULL) {
        /* Not committed: comes again after a restart. */
        rd_kafka_message_destroy(m);
        mm_consumer_fail(c, "out of memory");
        return;
    }
    sl->m = m;
    sl->offset = m->offset;
    sl->bytes = m->len + m->key_len;
    sl->part = p;
    c->run_bytes += m->len;
    c->run_topic = p->topic;
    c->run_partition = m->partition;
    mm_event_init(&sl->ev);
    if (p->tail)
        p->tail->next = sl;
    else
        p->head = sl;
    p->tail = sl;
    c->in_flight++;
    c->in_flight_bytes += sl->bytes;
    c->slots++;
    c->txn_events++;
    c->txn_bytes += sl->bytes;

    char reason[MM_ENVELOPE_REASON_MAX];
    char unknown[MM_ENVELOPE_REASON_MAX + 64];
    const char *dlq_reason = NULL;
    uint64_t type_h = 0;
    /* Lazily: the JSON tree only if the handler asks for the data (the
     * slot's event is cleared before its message is destroyed). */
    int rc = mm_envelope_decode_message_lazy(m, &sl->ev, reason);
    if (rc == MM_ENOMEM) {
        mm_consumer_fail(c, "out of memory");
        return;
    }
    if (rc == 0 && (c->known_count > 0 || c->handled_count > 0)) type_h = type_hash(sl->ev.type);
    if (rc != 0) {
        dlq_reason = reason;
    } else if (c->known_count > 0 && !type_set_has(&c->known_set, type_h, sl->ev.type)) {
        snprintf(unknown, sizeof unknown, "unknown event type \"%s\"", sl->ev.type);
        dlq_reason = unknown;
    }
    if (dlq_reason != NULL) {
        if (dead_letter(c, m, dlq_reason) != 0)
            mm_consumer_fail(c, "cannot dead-letter");
        else
            mm_consumer_slot_done(c, sl, MM_SLOT_DEAD);
        return;
    }
    if (c->handled_count > 0 && !type_set_has(&c->handled_set, type_h, sl->ev.type)) {
        mm_consumer_slot_done(c, sl, MM_SLOT_SKIPPED);
        return;
    }
    mm_message_info info = {
        .topic = topic,
        .partition = m->partition,
        .offset = m->offset,
        .timestamp_ms = rd_kafka_message_timestamp(m, NULL),
    };
    c->start(c->handler_ud, sl, &sl->ev, &info);
}

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Empties the wake pipe; the queues write a byte when they become non-empty. */
static void drain_wake(mm_consumer *c) {
    char buf[64];
    while (read(c->wake[0], buf, sizeof buf) > 0) {
    }
}

/* Serves delivery reports and the pump once; returns the pump's wish. */
static int serve(mm_consumer *c, int *served) {
    int n = mm_producer_poll(c->producer, 0);
    if (served) *served = n;
    int next = c->pump ? c->pump(c->handler_ud) : -1;
    store_watermarks(c);
    return next;
}

/* Sleeps on the wake pipe (and, awaiting handed-over offsets, on their
 * descriptor) up to ms (< 0: POLL_MS). False: nothing woke it. */
static bool wait_wake(mm_consumer *c, int ms) {
    if (ms < 0 || ms > POLL_MS) ms = POLL_MS;
    struct pollfd pfd[2] = {{.fd = c->wake[0], .events = POLLIN},
                            {.fd = c->await_fd, .events = POLLIN}};
    if (ms > 0 && poll(pfd, 2, ms) > 0) {
        if (pfd[0].revents) drain_wake(c);
        return true;
    }
    return false;
}

/* A worker that went idle (a whole POLL_MS without a wake-up and nothing in
 * flight) after handling messages gives the heap's free pages back: glibc
 * keeps what a burst or a backlog freed (the main heap grew to ~3 MiB
 * after 5 s of load and stayed, fragments below its top never trimmed;
 * `malloc_trim` returned 2.5 MiB of a 12.5 MiB worker). Once per idle
 * spell, so it costs nothing under load. */
static void idle_trim(mm_consumer *c) {
    uint64_t done =
        atomic_load(&c->handled_n) + atomic_load(&c->skipped_n) + atomic_load(&c->dlq_n);
    if (c->in_flight > 0 || done == c->trimmed_at) return;
    c->trimmed_at = done;
    /* What a busy loop keeps for reuse goes first, or the trim finds its
     * pages in use (~1 MiB after a burst: the runner's spare jobs and batch
     * buffers, these slots; bench/service/run.sh rss). */
    if (c->on_idle != NULL) c->on_idle(c->handler_ud);
    for (mm_consumer_slot *sl; (sl = c->spare) != NULL;) {
        c->spare = sl->next;
        free(sl);
    }
    c->spare_count = 0;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

/* Finishes what is in flight without taking anything new, up to ms. */
static void drain_in_flight(mm_consumer *c, int ms) {
    int64_t deadline = mono_ms() + ms;
    while (c->in_flight > 0 && !c->failed) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) break;
        int served = 0;
        int next = serve(c, &served);
        if (c->in_flight == 0 || served > 0 || next == 0) continue;
        wait_wake(c, next < 0 || next > left ? (int)(left < POLL_MS ? left : POLL_MS) : next);
    }
    store_watermarks(c);
}

/* librdkafka 2.0.2 stops fetching a partition once its prefetch queue holds
 * queued.max.messages.kbytes, and its broker thread looks again only when
 * something wakes it, at the latest after its 1 s idle timeout (librdkafka
 * issue #2879; later versions have fetch.queue.backoff.ms; none of 2.0.2's
 * properties avoids it). A consumer slower than its broker fills that queue
 * over and over, so every prefetch's worth of backlog cost up to a second
 * of idling: a 20,000-event drain ran at ~14k events/s instead of ~30k. So
 * when the queue runs dry right after a run of at least half the prefetch
 * (it was probably full, and the fetcher is asleep), one request to the
 * partition's leader (a watermark query, answered from the broker's memory)
 * wakes that broker thread, which then fetches at once. A consumer that
 * keeps up (short runs) never sends one. */
static void nudge_fetcher(mm_consumer *c) {
    bool was_full = c->prefetch_bytes > 0 && c->run_bytes >= c->prefetch_bytes / 2;
    c->run_bytes = 0;
    if (!was_full || c->run_topic == NULL) return;
    int64_t lo, hi;
    rd_kafka_query_watermark_offsets(c->rk, c->run_topic, c->run_partition, &lo, &hi,
                                     NUDGE_TIMEOUT_MS);
    atomic_fetch_add(&c->nudges_n, 1);
}

/* ---- exactly-once mode (mm_consumer_txn_hooks) ---------------------------- */

/* Moves the partitions' new watermarks into the open transaction's list. */
static void txn_collect(mm_consumer *c) {
    for (size_t i = 0; i < c->part_count; i++) {
        part *p = &c->parts[i];
        if (p->store_next < 0) continue;
        rd_kafka_topic_partition_t *tp =
            rd_kafka_topic_partition_list_find(c->txn_offsets, p->topic, p->partition);
        if (tp == NULL)
            tp = rd_kafka_topic_partition_list_add(c->txn_offsets, p->topic, p->partition);
        tp->offset = p->store_next;
        p->store_next = -1;
    }
}

static void txn_reset(mm_consumer *c) {
    rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(4);
    if (l == NULL) {
        mm_consumer_fail(c, "out of memory");
        return;
    }
    rd_kafka_topic_partition_list_destroy(c->txn_offsets);
    c->txn_offsets = l;
    c->txn_events = c->txn_bytes = 0;
    c->txn_handled = 0;
    c->txn_closing = false;
}

/* After an aborted transaction (nothing in flight): every assigned
 * partition goes back to its committed offset (the beginning when it has
 * none: auto.offset.reset=earliest), so its events are handled again. */
static void txn_rewind(mm_consumer *c) {
    assert(c->in_flight == 0 && c->slots == 0);
    rd_kafka_topic_partition_list_t *l = NULL;
    rd_kafka_resp_err_t e = rd_kafka_assignment(c->rk, &l);
    if (!e && l->cnt > 0) e = rd_kafka_committed(c->rk, l, DRAIN_MS);
    if (!e && l->cnt > 0) {
        for (int i = 0; i < l->cnt; i++)
            if (l->elems[i].offset < 0) l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_error_t *se = rd_kafka_seek_partitions(c->rk, l, DRAIN_MS);
        if (se) {
            e = rd_kafka_error_code(se);
            rd_kafka_error_destroy(se);
        }
        for (int i = 0; !e && i < l->cnt; i++) e = l->elems[i].err;
    }
    if (l) rd_kafka_topic_partition_list_destroy(l);
    if (e) {
        fprintf(stderr, "metamorphosis: consumer group %s: cannot rewind: %s\n", c->group,
                rd_kafka_err2str(e));
        mm_consumer_fail(c, "cannot rewind after an aborted transaction");
        return;
    }
    fprintf(stderr,
            "metamorphosis: consumer group %s: transaction aborted; rewound to the "
            "committed offsets\n",
            c->group);
}

/* Commits the open transaction (nothing in flight). */
static void txn_commit_now(mm_consumer *c) {
    assert(c->in_flight == 0);
    if (c->txn_events == 0 && c->txn_offsets->cnt == 0) {
        c->txn_closing = false;
        return;
    }
    int rc = c->txn->commit(c->txn->ud, c->rk, c->txn_offsets);
    if (rc < 0) {
        mm_consumer_fail(c, "transaction failed (fenced or fatal)");
        return;
    }
    if (rc == MM_TXN_ABORTED) {
        txn_rewind(c);
        /* Those events were not handled after all: they come again, and
         * count (for the budget) when their handling commits. */
        atomic_fetch_sub(&c->handled_n, c->txn_handled);
        c->no_more = c->progress_stop ||
                     (c->max_messages > 0 && atomic_load(&c->handled_n) >= c->max_messages);
    }
    txn_reset(c);
}

/* One turn's transaction work: ends the open transaction when it is due
 * and drained (true: the loop goes on at once); lowers *next to when it is
 * due. idle: the turn found no message to take. Then, with nothing in
 * flight, the transaction ends at once: a consumer that emits to a topic it
 * reads (the service topic) sees nothing past its own open transaction (the
 * last stable offset), so waiting for more would only wait out the time
 * bound. */
static bool txn_step(mm_consumer *c, int *next, bool idle) {
    if (c->failed || (c->txn_events == 0 && c->txn_offsets->cnt == 0)) return false;
    if (!c->txn_closing && idle && c->in_flight == 0) c->txn_closing = true;
    if (!c->txn_closing) {
        int due = c->txn->due(c->txn->ud, c->txn_events, c->txn_bytes);
        if (due > 0) {
            if (*next < 0 || due < *next) *next = due;
            return false;
        }
        c->txn_closing = true;
    }
    if (c->in_flight > 0) return false;
    txn_commit_now(c);
    return true;
}

/* Stopping or losing partitions: commit what is complete, or, with work
 * still in flight (its emits are in the transaction, its offsets not),
 * abort and stop. */
static void txn_finish(mm_consumer *c) {
    if (!c->failed && c->in_flight == 0) {
        txn_commit_now(c);
        return;
    }
    c->txn->abort(c->txn->ud);
    if (!c->failed) mm_consumer_fail(c, "stopped with events in flight: transaction aborted");
}

/* The budget is spent: with nothing in flight or waiting (every event
 * taken is done: result stored, emits acknowledged), tells on_handover the
 * offset after each assigned partition's last done event, before the final
 * commit, so that a replacement can start there while this member still
 * commits. Not in exactly-once mode (its offsets go with the transaction). */
static void hand_over(mm_consumer *c) {
    if (c->on_handover == NULL || c->txn || c->failed || c->in_flight > 0 || c->slots > 0) return;
    rd_kafka_topic_partition_list_t *assigned = NULL;
    if (rd_kafka_assignment(c->rk, &assigned) != RD_KAFKA_RESP_ERR_NO_ERROR) return;
    rd_kafka_topic_partition_list_t *done = rd_kafka_topic_partition_list_new((int)c->part_count);
    for (size_t i = 0; i < c->part_count; i++) {
        part *p = &c->parts[i];
        if (p->done_next < 0 || p->head != NULL) continue;
        if (!rd_kafka_topic_partition_list_find(assigned, p->topic, p->partition)) continue;
        rd_kafka_topic_partition_list_add(done, p->topic, p->partition)->offset = p->done_next;
    }
    rd_kafka_topic_partition_list_destroy(assigned);
    /* A replacement's join may fence our final commit from now on. */
    c->handed_over = true;
    c->on_handover(c->join_ud, done);
    rd_kafka_topic_partition_list_destroy(done);
}

/* Applies a partition list as the assignment (the protocol's way). */
static void assign_list(mm_consumer *c, rd_kafka_topic_partition_list_t *parts, bool cooperative) {
    if (cooperative) {
        rd_kafka_error_t *e = rd_kafka_incremental_assign(c->rk, parts);
        if (e) rd_kafka_error_destroy(e);
    } else {
        rd_kafka_assign(c->rk, parts);
    }
}

/* The replacement of an overlapped hand-over: asks whether the handed-over
 * offsets came (or their wait ended); then applies the first assignment,
 * kept since the rebalance callback, at them. */
static void await_step(mm_consumer *c) {
    if (c->await_fd < 0) return;
    rd_kafka_topic_partition_list_t *at = NULL;
    if (c->overlap->handover_read(c->join_ud, &at) == 0) return;
    c->await_fd = -1; /* the hook's, closed by it */
    if (at) {
        if (c->start_at) rd_kafka_topic_partition_list_destroy(c->start_at);
        c->start_at = at;
    }
    if (c->pending == NULL) return; /* not assigned yet: on_rebalance applies start_at */
    rd_kafka_topic_partition_list_t *parts = c->pending;
    c->pending = NULL;
    if (c->start_at) start_handed_over(c, parts);
    assign_list(c, parts, c->pending_coop);
    rd_kafka_topic_partition_list_destroy(parts);
}

/* Stopped while an assignment waits for its offsets: an empty assignment
 * takes the group out of WAIT_ASSIGN_CALL (librdkafka 2.0.2 does not
 * unassign a member in that state when it closes), fetching nothing. */
static void drop_pending(mm_consumer *c) {
    if (c->pending == NULL) return;
    rd_kafka_topic_partition_list_t *none = rd_kafka_topic_partition_list_new(0);
    assign_list(c, none, c->pending_coop);
    rd_kafka_topic_partition_list_destroy(none);
    rd_kafka_topic_partition_list_destroy(c->pending);
    c->pending = NULL;
}

/* The events taken reached the budget: an overlapped hand-over may lift it
 * (consumer.h, mm_consumer_overlap_hooks). */
static void budget_check(mm_consumer *c) {
    if (c->overlap_asked || c->max_messages == 0 || c->txn || c->overlap == NULL ||
        c->overlap->on_budget == NULL ||
        atomic_load(&c->handled_n) + c->in_flight < c->max_messages)
        return;
    c->overlap_asked = true;
    rd_kafka_topic_partition_list_t *assigned = NULL;
    int partitions = 0;
    if (rd_kafka_assignment(c->rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        partitions = assigned->cnt;
        rd_kafka_topic_partition_list_destroy(assigned);
    }
    if (c->overlap->on_budget(c->join_ud, partitions) == 0) return;
    c->overlapping = true;
    c->max_messages = 0;
}

static int run_pipelined(mm_consumer *c) {
    int result = MM_CONSUMER_STOPPED;
    if (pipe(c->wake) != 0) {
        fprintf(stderr, "metamorphosis: consumer group %s: pipe: %s\n", c->group, strerror(errno));
        return MM_EIO;
    }
    for (int i = 0; i < 2; i++) fcntl(c->wake[i], F_SETFL, fcntl(c->wake[i], F_GETFL) | O_NONBLOCK);
    c->cq = rd_kafka_queue_get_consumer(c->rk);
    c->pq = mm_producer_poll_on_caller(c->producer);
    bool took_polling = c->pq != NULL;
    if (c->cq) rd_kafka_queue_io_event_enable(c->cq, c->wake[1], "c", 1);
    if (c->pq) rd_kafka_queue_io_event_enable(c->pq, c->wake[1], "p", 1);
    while (!stopping(c) && !c->failed) {
        size_t taken = 0;
        await_step(c);
        while (
            !c->no_more && !c->failed && !stopping(c) && !c->txn_closing && taken < TAKE_PER_TURN &&
            c->in_flight < c->max_in_flight && c->in_flight_bytes < c->max_in_flight_bytes &&
            c->slots < 16 * c->max_in_flight &&
            (c->max_messages == 0 || atomic_load(&c->handled_n) + c->in_flight < c->max_messages)) {
            rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, 0);
            if (c->handed) commit_handed(c, m != NULL);
            if (m == NULL) {
                nudge_fetcher(c);
                break;
            }
            taken++;
            if (m->err) {
                if (c->overlapping && m->err == RD_KAFKA_RESP_ERR__FATAL) {
                    /* Past its budget: the fatal error is the replacement's
                     * fencing (FENCED_INSTANCE_ID on a heartbeat). */
                    char why[256];
                    rd_kafka_fatal_error(c->rk, why, sizeof why);
                    rd_kafka_message_destroy(m);
                    overlap_fenced(c, why);
                    break;
                }
                if (poll_error(c, m)) {
                    c->failed = true;
                    break;
                }
                continue;
            }
            take(c, m);
            budget_check(c);
        }
        int served = 0;
        int next = serve(c, &served);
        if (c->txn && txn_step(c, &next, taken == 0)) continue;
        if (c->no_more && c->in_flight == 0) {
            if (c->max_messages > 0 && atomic_load(&c->handled_n) >= c->max_messages)
                result = MM_CONSUMER_BUDGET;
            break;
        }
        bool window_open = !c->no_more && c->in_flight < c->max_in_flight &&
                           c->in_flight_bytes < c->max_in_flight_bytes;
        if (taken > 0 && window_open) continue; /* more may be queued */
        if (served > 0 || next == 0) continue;
        if (!wait_wake(c, next) && next < 0) idle_trim(c);
    }
    if (c->failed)
        result = MM_EKAFKA;
    else
        drain_in_flight(c, DRAIN_MS);
    /* Past its budget and stopped (by its replacement's assignment, a
     * fencing, or its deadline): it ends as at its budget. */
    if (c->overlapping && !c->failed) result = MM_CONSUMER_BUDGET;
    drop_pending(c);
    if (c->handed) commit_handed(c, true);
    if (result == MM_CONSUMER_BUDGET) hand_over(c);
    if (c->txn)
        txn_finish(c);
    else
        commit_stored(c);
    if (c->failed) result = MM_EKAFKA;
    if (!c->failed && c->on_final_commit) {
        c->handed_over = true;
        c->on_final_commit(c->join_ud);
    }
    rd_kafka_consumer_close(c->rk); /* leaves the group; revokes via on_rebalance */
    if (c->cq) {
        rd_kafka_queue_io_event_enable(c->cq, -1, NULL, 0);
        rd_kafka_queue_destroy(c->cq);
        c->cq = NULL;
    }
    if (c->pq) {
        rd_kafka_queue_io_event_enable(c->pq, -1, NULL, 0);
        rd_kafka_queue_destroy(c->pq);
        c->pq = NULL;
    }
    (void)took_polling; /* the owner of the producer restores its thread (it may
                            still have reports for in-flight work to serve) */
    return result;
}

int mm_consumer_run(mm_consumer *c) {
    int result = MM_CONSUMER_STOPPED;
    if (c->ran) return MM_EINVAL;
    c->ran = true;
    if (c->subs != NULL) {
        int no = c->before_join(c->join_ud, &c->max_messages, &c->start_at);
        rd_kafka_resp_err_t e =
            no ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_subscribe(c->rk, c->subs);
        rd_kafka_topic_partition_list_destroy(c->subs);
        c->subs = NULL;
        if (no) {
            rd_kafka_consumer_close(c->rk); /* never joined: nothing to leave */
            return MM_CONSUMER_STOPPED;
        }
        if (e) {
            fprintf(stderr, "metamorphosis: consumer group %s: cannot subscribe: %s\n", c->group,
                    rd_kafka_err2str(e));
            return MM_EKAFKA;
        }
    }
    if (c->overlap && c->overlap->handover_fd && c->overlap->handover_read) {
        c->await_fd = c->overlap->handover_fd(c->join_ud);
    }
    if (c->start != NULL) return run_pipelined(c);
    while (!stopping(c)) {
        await_step(c);
        /* Awaiting handed-over offsets: look for them often. */
        rd_kafka_message_t *m = rd_kafka_consumer_poll(c->rk, c->await_fd >= 0 ? 5 : POLL_MS);
        if (c->handed) commit_handed(c, m != NULL);
        if (m == NULL) continue;
        if (m->err) {
            if (poll_error(c, m)) {
                result = MM_EKAFKA;
                break;
            }
            continue;
        }
        enum disposition d = process(c, m);
        if (d == D_ABANDONED || d == D_FAILED) {
            rd_kafka_message_destroy(m);
            if (d == D_FAILED) result = MM_EKAFKA;
            break;
        }
        commit_message(c, m);
        rd_kafka_message_destroy(m);
        if (d == D_HANDLED)
            atomic_fetch_add(&c->handled_n, 1);
        else if (d == D_SKIPPED)
            atomic_fetch_add(&c->skipped_n, 1);
        else
            atomic_fetch_add(&c->dlq_n, 1);
        if (c->on_progress != NULL) {
            mm_consumer_stats st;
            mm_consumer_get_stats(c, &st);
            if (c->on_progress(c->progress_ud, &st) != 0) break;
        }
        if (c->max_messages > 0 && atomic_load(&c->handled_n) >= c->max_messages) {
            result = MM_CONSUMER_BUDGET;
            break;
        }
    }
    drop_pending(c);
    if (c->handed) commit_handed(c, true);
    commit_stored(c);
    if (result != MM_EKAFKA && c->on_final_commit) {
        c->handed_over = true;
        c->on_final_commit(c->join_ud);
    }
    rd_kafka_consumer_close(c->rk); /* leaves the group; revokes via on_rebalance */
    return result;
}

rd_kafka_t *mm_consumer_rdkafka(mm_consumer *c) { return c->rk; }

void mm_consumer_free(mm_consumer *c) {
    if (c == NULL) return;
    /* Messages still held (a loop that failed with slots in flight) first:
     * rd_kafka_destroy waits for every message of its partitions to be
     * destroyed, forever (seen: a fenced exactly-once worker never exited). */
    for (size_t i = 0; i < c->part_count; i++) {
        for (mm_consumer_slot *sl = c->parts[i].head, *n; sl != NULL; sl = n) {
            n = sl->next;
            mm_event_clear(&sl->ev);
            if (sl->m) rd_kafka_message_destroy(sl->m);
            free(sl);
        }
        free(c->parts[i].topic);
    }
    free(c->parts);
    for (mm_consumer_slot *sl = c->spare, *n; sl != NULL; sl = n) {
        n = sl->next;
        free(sl);
    }
    if (c->rk != NULL) {
        if (!c->ran) rd_kafka_consumer_close(c->rk);
        rd_kafka_destroy(c->rk);
    }
    if (c->own_producer) mm_producer_free(c->producer);
    if (c->txn_offsets) rd_kafka_topic_partition_list_destroy(c->txn_offsets);
    if (c->subs) rd_kafka_topic_partition_list_destroy(c->subs);
    if (c->start_at) rd_kafka_topic_partition_list_destroy(c->start_at);
    if (c->pending) rd_kafka_topic_partition_list_destroy(c->pending);
    if (c->handed) rd_kafka_topic_partition_list_destroy(c->handed);
    for (int i = 0; i < 2; i++)
        if (c->wake[i] >= 0) close(c->wake[i]);
    free(c->group);
    free(c->handled_set.slot);
    free(c->known_set.slot);
    free_list(c->handled, c->handled_count);
    free_list(c->known, c->known_count);
    free(c);
}
