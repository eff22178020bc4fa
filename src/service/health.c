/* health.c -- the dependency probes (health.h): a schedule on the
 * dependencies loop's timer heap, the blocking metadata request on the
 * blocking pool, and a loop-side deadline for its answer. */
#include "service/health.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "metamorphosis.h"

struct mm_health {
    mm_health_config cfg;
    char *topic; /* cfg.kafka_topic's copy */
    bool probe_kafka;
    atomic_int kafka, redis;
    atomic_bool ping_outstanding;
    /* Set by mm_health_stop before it cancels the timer entries: after it
     * nothing touches the pool or the timer heap (which may be gone). */
    atomic_bool stopped;
    /* The rest is the loop thread's alone (set before the first tick). */
    mm_timer_entry tick, deadline;
    bool kafka_out;      /* a Kafka probe is on the blocking pool */
    bool kafka_overdue;  /* ... and its deadline has fired */
    long long posted_ms; /* when it was handed over */
};

/* One Kafka probe on its way: to the pool, and its answer back. */
typedef struct probe_job {
    mm_health *h;
    int failed; /* the probe's answer: 0 reached a broker */
} probe_job;

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_state(atomic_int *slot, mm_dep_state s, const char *what) {
    int old = atomic_exchange(slot, (int)s);
    if (old != (int)s && old != MM_DEP_UNKNOWN)
        mm_log_warn("msg=\"dependency %s\" dependency=%s",
                    s == MM_DEP_UP ? "is back" : "is unreachable", what);
    else if (old == MM_DEP_UNKNOWN && s == MM_DEP_DOWN)
        mm_log_warn("msg=\"dependency is unreachable\" dependency=%s", what);
}

/* On the Redis client's loop thread. */
static void on_ping(void *ud, int status, redisReply *reply, const char *err) {
    (void)err;
    mm_health *h = ud;
    bool ok = status == 0 && reply && reply->type != REDIS_REPLY_ERROR;
    set_state(&h->redis, ok ? MM_DEP_UP : MM_DEP_DOWN, "redis");
    atomic_store(&h->ping_outstanding, false);
}

static void probe_redis(mm_health *h) {
    if (atomic_exchange(&h->ping_outstanding, true)) return; /* the last one is still out */
    int rc = mm_redis_async_submit(h->cfg.redis, h->cfg.redis_timeout_ms, on_ping, h, 1,
                                   (const char *[]){"PING"}, NULL);
    if (rc != 0) {
        atomic_store(&h->ping_outstanding, false);
        set_state(&h->redis, MM_DEP_DOWN, "redis");
    }
}

/* The default probe, on a blocking-pool thread: one metadata request for
 * one topic (or the locally known ones). The topic handle is taken per
 * probe (a lookup when the producer knows the topic already) so that none
 * outlives the probe that used it. */
static int metadata_probe(mm_health *h, int timeout_ms) {
    rd_kafka_topic_t *rkt = h->topic ? rd_kafka_topic_new(h->cfg.kafka, h->topic, NULL) : NULL;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(h->cfg.kafka, 0, rkt, &md, timeout_ms);
    if (md) rd_kafka_metadata_destroy(md);
    if (rkt) rd_kafka_topic_destroy(rkt);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
        mm_log_debug("msg=\"kafka probe failed\" error=\"%s\"", rd_kafka_err2str(e));
    return e != RD_KAFKA_RESP_ERR_NO_ERROR;
}

/* On the loop thread: a probe's answer. */
static void on_kafka_answer(void *ud) {
    probe_job *p = ud;
    mm_health *h = p->h;
    assert(h->kafka_out);
    if (!atomic_load(&h->stopped)) /* else the stop cancelled it, and the heap may be gone */
        mm_timer_cancel(h->cfg.timer, &h->deadline); /* 0 when it has fired: fine */
    if (h->kafka_overdue)
        mm_log_info("msg=\"late kafka probe answered\" after_ms=%lld ok=%d",
                    now_ms() - h->posted_ms, !p->failed);
    h->kafka_out = false;
    h->kafka_overdue = false;
    /* Even a late answer is a broker's (or its absence's) word: it counts. */
    set_state(&h->kafka, p->failed ? MM_DEP_DOWN : MM_DEP_UP, "kafka");
    free(p);
}

/* On a blocking-pool thread. */
static void run_kafka_probe(void *ud) {
    probe_job *p = ud;
    mm_health *h = p->h;
    p->failed = h->cfg.kafka_probe
                    ? h->cfg.kafka_probe(h->cfg.kafka_probe_ud, h->cfg.kafka_timeout_ms) != 0
                    : metadata_probe(h, h->cfg.kafka_timeout_ms);
    /* Refused only while the loop stops (then nobody reads the answer) or
     * when 4096 jobs wait on it: the deadline speaks instead. */
    if (mm_loop_thread_post(h->cfg.loop, on_kafka_answer, p) != 0) free(p);
}

/* On the loop thread: the probe out has not answered within its bound. */
static void on_kafka_deadline(void *ud) {
    mm_health *h = ud;
    if (atomic_load(&h->stopped) || !h->kafka_out || h->kafka_overdue) return;
    h->kafka_overdue = true;
    mm_log_warn("msg=\"kafka probe unanswered\" bound_ms=%d", h->cfg.kafka_bound_ms);
    set_state(&h->kafka, MM_DEP_DOWN, "kafka");
}

static void probe_kafka(mm_health *h) {
    if (h->kafka_out) return; /* one at a time: a hung one is the deadline's */
    probe_job *p = calloc(1, sizeof(*p));
    if (p) p->h = h;
    if (!p || mm_dispatch_post_front(h->cfg.blocking, run_kafka_probe, p) != 0) {
        free(p);
        set_state(&h->kafka, MM_DEP_DOWN, "kafka"); /* out of memory: cannot tell */
        return;
    }
    h->kafka_out = true;
    h->kafka_overdue = false;
    h->posted_ms = now_ms();
    if (mm_timer_add(h->cfg.timer, &h->deadline, h->cfg.kafka_bound_ms, on_kafka_deadline, h) != 0)
        h->kafka_overdue = true; /* no deadline: the answer still comes */
}

/* On the loop thread, every interval. */
static void on_tick(void *ud) {
    mm_health *h = ud;
    if (atomic_load(&h->stopped)) return; /* or fired early by mm_timer_free */
    if (h->cfg.redis) probe_redis(h);
    if (h->probe_kafka) probe_kafka(h);
    if (mm_timer_add(h->cfg.timer, &h->tick, h->cfg.interval_ms, on_tick, h) != 0)
        mm_log_error("msg=\"health probes stopped: timer heap full\"");
}

mm_health *mm_health_start(const mm_health_config *cfg) {
    bool probe_kafka = cfg->kafka || cfg->kafka_probe;
    if (!cfg->loop || !cfg->timer || (probe_kafka && !cfg->blocking)) return NULL;
    assert(!mm_loop_thread_is_current(cfg->loop));
    mm_health *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->cfg = *cfg;
    h->probe_kafka = probe_kafka;
    if (cfg->kafka_topic && !(h->topic = strdup(cfg->kafka_topic))) {
        free(h);
        return NULL;
    }
    h->cfg.kafka_topic = h->topic;
    if (h->cfg.interval_ms <= 0) h->cfg.interval_ms = 400;
    if (h->cfg.kafka_timeout_ms <= 0) h->cfg.kafka_timeout_ms = 800;
    if (h->cfg.kafka_bound_ms <= 0) h->cfg.kafka_bound_ms = h->cfg.kafka_timeout_ms + 400;
    if (h->cfg.redis_timeout_ms <= 0) h->cfg.redis_timeout_ms = 500;
    atomic_init(&h->kafka, probe_kafka ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->redis, cfg->redis ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->ping_outstanding, false);
    atomic_init(&h->stopped, false);
    if (mm_timer_add(h->cfg.timer, &h->tick, 0, on_tick, h) != 0) {
        free(h->topic);
        free(h);
        return NULL;
    }
    return h;
}

mm_dep_state mm_health_kafka(const mm_health *h) {
    return h ? (mm_dep_state)atomic_load(&((mm_health *)h)->kafka) : MM_DEP_UP;
}

mm_dep_state mm_health_redis(const mm_health *h) {
    return h ? (mm_dep_state)atomic_load(&((mm_health *)h)->redis) : MM_DEP_UP;
}

static const char *state_text(mm_dep_state s) {
    return s == MM_DEP_UNKNOWN ? "not probed yet" : "unreachable";
}

int mm_health_ready(const mm_health *h, char *reason, size_t reason_size) {
    if (!h) return 1;
    mm_dep_state k = mm_health_kafka(h), r = mm_health_redis(h);
    if (k == MM_DEP_UP && r == MM_DEP_UP) return 1;
    if (k != MM_DEP_UP && r != MM_DEP_UP)
        snprintf(reason, reason_size, "Kafka %s; Redis %s", state_text(k), state_text(r));
    else if (k != MM_DEP_UP)
        snprintf(reason, reason_size, "Kafka %s (no broker answered a metadata request)",
                 state_text(k));
    else
        snprintf(reason, reason_size, "Redis %s (no answer to PING)", state_text(r));
    return 0;
}

/* On the loop thread, so that no tick runs meanwhile: after it returns no
 * entry of ours is in the heap. */
static void stop_on_loop(void *ud) {
    mm_health *h = ud;
    mm_timer_cancel(h->cfg.timer, &h->tick);
    mm_timer_cancel(h->cfg.timer, &h->deadline);
}

void mm_health_stop(mm_health *h) {
    if (!h || atomic_exchange(&h->stopped, true)) return;
    /* Refused only when the loop is stopping already (or 4096 jobs wait):
     * then an entry left in the heap fires into the stopped flag, at the
     * latest when mm_timer_free fires what is left. */
    if (mm_loop_thread_call(h->cfg.loop, stop_on_loop, h) != 0)
        mm_log_debug("msg=\"health probes stopped without the loop\"");
}

void mm_health_free(mm_health *h) {
    if (!h) return;
    free(h->topic);
    free(h);
}
