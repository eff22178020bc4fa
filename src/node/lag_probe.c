/* lag_probe.c -- the node's consumer-lag probe process (lag_probe.h). */
#include "node/lag_probe.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "bus/kafka_conf.h"
#include "common/log.h"
#include "node/child_process.h"

/* Deadlines of one Kafka call, and of a whole round. */
#define CALL_MS  1500
#define ROUND_MS 5000
/* Seqlock read attempts before a reader gives up on a snapshot. */
#define READ_TRIES 1000

static volatile sig_atomic_t probe_stop;

static void on_stop(int sig) {
    (void)sig;
    probe_stop = 1;
}

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t table_size(void) { return (sizeof(mm_lag_table) + 4095) & ~(size_t)4095; }

mm_lag_table *mm_lag_table_map(void) {
    void *p = mmap(NULL, table_size(), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void mm_lag_table_unmap(mm_lag_table *t) {
    if (t) munmap(t, table_size());
}

int mm_lag_table_read(const mm_lag_table *t, mm_lag_table *out) {
    mm_lag_table *src = (mm_lag_table *)t;
    for (int i = 0; i < READ_TRIES; i++) {
        uint32_t s1 = atomic_load_explicit(&src->seq, memory_order_acquire);
        if (s1 & 1) {
            usleep(100);
            continue;
        }
        out->count = src->count < MM_LAG_ENTRIES ? src->count : MM_LAG_ENTRIES;
        out->truncated = src->truncated;
        memcpy(out->e, src->e, out->count * sizeof out->e[0]);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit(&src->seq, memory_order_relaxed) != s1) continue;
        atomic_store(&out->rounds, atomic_load(&src->rounds));
        atomic_store(&out->errors, atomic_load(&src->errors));
        atomic_store(&out->last_round_wall_ms, atomic_load(&src->last_round_wall_ms));
        for (uint32_t k = 0; k < out->count; k++) out->e[k].topic[sizeof out->e[k].topic - 1] = 0;
        return 0;
    }
    return -1;
}

/* ---- the child ------------------------------------------------------------ */

/* One never-subscribed consumer handle for a group: OffsetFetch needs its
 * group.id. The operator's group.instance.id is left out: this handle must
 * never be taken for a member of the group. */
static rd_kafka_t *group_handle(const mm_config *cfg, const char *group, char *err, size_t size) {
    mm_kv *props = calloc(cfg->kafka_property_count + 1, sizeof *props);
    if (!props) return NULL;
    size_t n = 0;
    for (size_t i = 0; i < cfg->kafka_property_count; i++) {
        const char *k = cfg->kafka_properties[i].key;
        if (strcmp(k, "group.instance.id") == 0 || strcmp(k, "group.id") == 0) continue;
        props[n++] = (mm_kv){k, cfg->kafka_properties[i].value};
    }
    const mm_kv defaults[] = {{"group.id", group},
                              {"enable.auto.commit", "false"},
                              {"enable.auto.offset.store", "false"}};
    rd_kafka_conf_t *conf =
        mm_kafka_conf_new(cfg->kafka_bootstrap_servers, defaults,
                          sizeof defaults / sizeof *defaults, props, n, err, size);
    free(props);
    if (!conf) return NULL;
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, size);
    if (!rk) rd_kafka_conf_destroy(conf);
    return rk;
}

static long long left(long long deadline) {
    long long l = deadline - mono_ms();
    return l < 1 ? 1 : l > CALL_MS ? CALL_MS : l;
}

/* Measures one consumer's topics into the table (from *at); bounded by deadline. */
static void measure(rd_kafka_t *rk, int index, char *const *topics, mm_lag_table *t, size_t *at,
                    long long deadline) {
    for (char *const *topic = topics; topic && *topic; topic++) {
        if (mono_ms() >= deadline) return;
        rd_kafka_topic_t *th = rd_kafka_topic_new(rk, *topic, NULL);
        const struct rd_kafka_metadata *md = NULL;
        if (!th || rd_kafka_metadata(rk, 0, th, &md, (int)left(deadline)) != 0 || !md ||
            md->topic_cnt != 1 || md->topics[0].err) {
            atomic_fetch_add(&t->errors, 1);
            if (md) rd_kafka_metadata_destroy(md);
            if (th) rd_kafka_topic_destroy(th);
            continue;
        }
        int parts = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(th);
        rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(parts);
        for (int p = 0; p < parts; p++) rd_kafka_topic_partition_list_add(list, *topic, p);
        if (rd_kafka_committed(rk, list, (int)left(deadline)) != 0) {
            atomic_fetch_add(&t->errors, 1);
            rd_kafka_topic_partition_list_destroy(list);
            continue;
        }
        for (int p = 0; p < list->cnt; p++) {
            int64_t lo = 0, hi = 0;
            if (mono_ms() >= deadline ||
                rd_kafka_query_watermark_offsets(rk, *topic, list->elems[p].partition, &lo, &hi,
                                                 (int)left(deadline)) != 0) {
                atomic_fetch_add(&t->errors, 1);
                continue;
            }
            if (*at >= MM_LAG_ENTRIES) {
                t->truncated = 1;
                break;
            }
            int64_t committed = list->elems[p].err ? -1 : list->elems[p].offset;
            if (committed < 0) committed = -1;
            mm_lag_entry *e = &t->e[(*at)++];
            e->consumer = index;
            e->partition = list->elems[p].partition;
            e->committed = committed;
            e->end = hi;
            /* No commit yet: a new group starts at the earliest offset
             * (auto.offset.reset=earliest), so all that is kept is behind. */
            int64_t from = committed >= 0 ? committed : lo;
            e->lag = hi > from ? hi - from : 0;
            snprintf(e->topic, sizeof e->topic, "%s", *topic);
        }
        rd_kafka_topic_partition_list_destroy(list);
    }
}

static void __attribute__((noreturn))
probe_main(const mm_config *cfg, const mm_consumer_spec *const *specs, size_t count,
           mm_lag_table *t, long interval_ms, pid_t parent) {
    if (mm_child_helper_signals(on_stop, parent)) _exit(0);
    prctl(PR_SET_NAME, "lag-probe", 0, 0, 0);
    mm_child_close_inherited(-1);
    rd_kafka_t **rk = calloc(count, sizeof *rk);
    if (!rk) _exit(1);
    /* A private table: the shared one is written in one go per round, so a
     * reader never sees half a round. */
    mm_lag_table *round = calloc(1, sizeof *round);
    if (!round) _exit(1);
    for (size_t i = 0; i < count; i++) {
        char err[512];
        rk[i] = group_handle(cfg, specs[i]->group_id, err, sizeof err);
        if (!rk[i]) {
            mm_log_error("node lag probe: group %s: %s", specs[i]->group_id, err);
            _exit(1);
        }
    }
    while (!probe_stop) {
        long long start = mono_ms(), deadline = start + ROUND_MS;
        size_t at = 0;
        round->truncated = 0;
        for (size_t i = 0; i < count && !probe_stop; i++)
            measure(rk[i], (int)i, specs[i]->topics, round, &at, deadline);
        if (probe_stop) break;
        atomic_fetch_add_explicit(&t->seq, 1, memory_order_acq_rel); /* odd: writing */
        atomic_thread_fence(memory_order_release);
        memcpy(t->e, round->e, at * sizeof t->e[0]);
        t->count = (uint32_t)at;
        t->truncated = round->truncated;
        atomic_thread_fence(memory_order_release);
        atomic_fetch_add_explicit(&t->seq, 1, memory_order_release); /* even: done */
        atomic_fetch_add(&t->errors, atomic_exchange(&round->errors, 0));
        atomic_store(&t->last_round_wall_ms, wall_ms());
        atomic_fetch_add(&t->rounds, 1);
        long long wait = start + interval_ms - mono_ms();
        while (wait > 0 && !probe_stop) {
            struct timespec ts = {0, (wait > 100 ? 100 : wait) * 1000000L};
            nanosleep(&ts, NULL);
            wait = start + interval_ms - mono_ms();
        }
    }
    /* Handles that never joined a group close at once; no commit, no leave. */
    for (size_t i = 0; i < count; i++) rd_kafka_destroy(rk[i]);
    free(rk);
    free(round);
    fflush(NULL);
    _exit(0);
}

pid_t mm_lag_probe_spawn(const mm_config *cfg, const mm_consumer_spec *const *specs, size_t count,
                         mm_lag_table *table, long interval_ms, char *err, size_t err_size) {
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        return -1;
    }
    if (pid == 0) probe_main(cfg, specs, count, table, interval_ms, parent);
    return pid;
}
