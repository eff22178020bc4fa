/* health.c -- the dependency probes (health.h). */
#include "service/health.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "common/log.h"
#include "metamorphosis.h"

struct mm_health {
    mm_health_config cfg;
    atomic_int kafka, redis;
    atomic_bool ping_outstanding;
    pthread_t thread;
    bool started;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool stop;
};

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

static void probe_kafka(mm_health *h) {
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t e = rd_kafka_metadata(h->cfg.kafka, 0, NULL, &md, h->cfg.kafka_timeout_ms);
    if (md) rd_kafka_metadata_destroy(md);
    bool ok = e == RD_KAFKA_RESP_ERR_NO_ERROR;
    if (!ok) mm_log_debug("msg=\"kafka probe failed\" error=\"%s\"", rd_kafka_err2str(e));
    set_state(&h->kafka, ok ? MM_DEP_UP : MM_DEP_DOWN, "kafka");
}

static void *probe_main(void *arg) {
    mm_health *h = arg;
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        pthread_mutex_unlock(&h->lock);
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        long ns = until.tv_nsec + (long)h->cfg.interval_ms * 1000000L;
        until.tv_sec += ns / 1000000000L;
        until.tv_nsec = ns % 1000000000L;
        if (h->cfg.redis) probe_redis(h);
        if (h->cfg.kafka) probe_kafka(h);
        pthread_mutex_lock(&h->lock);
        while (!h->stop && pthread_cond_timedwait(&h->cond, &h->lock, &until) == 0) {
        }
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

mm_health *mm_health_start(const mm_health_config *cfg) {
    mm_health *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->cfg = *cfg;
    if (h->cfg.interval_ms <= 0) h->cfg.interval_ms = 400;
    if (h->cfg.kafka_timeout_ms <= 0) h->cfg.kafka_timeout_ms = 800;
    if (h->cfg.redis_timeout_ms <= 0) h->cfg.redis_timeout_ms = 500;
    atomic_init(&h->kafka, cfg->kafka ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->redis, cfg->redis ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->ping_outstanding, false);
    pthread_mutex_init(&h->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->cond, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&h->thread, NULL, probe_main, h) != 0) {
        mm_health_free(h);
        return NULL;
    }

    h->started = true;
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

void mm_health_stop(mm_health *h) {
    if (!h || !h->started) return;
    pthread_mutex_lock(&h->lock);
    h->stop = true;
    pthread_cond_signal(&h->cond);
    pthread_mutex_unlock(&h->lock);
    pthread_join(h->thread, NULL);
    h->started = false;
}

void mm_health_free(mm_health *h) {
    if (!h) return;
    mm_health_stop(h);
    pthread_mutex_destroy(&h->lock);
    pthread_cond_destroy(&h->cond);
    free(h);
}
