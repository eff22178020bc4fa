/* health.c -- the dependency probes, on the dependencies loop (health.h). */
#include "service/health.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

#include "bus/queue_wake.h"
#include "common/log.h"
#include "metamorphosis.h"

/* A topic resource nobody needs to have: describing it is answered by a
 * broker either way (UNKNOWN_TOPIC_OR_PART, TOPIC_AUTHORIZATION_FAILED or
 * its configs), which is all the probe asks. DescribeConfigs never creates
 * a topic. */
#define PROBE_TOPIC "__mm_readiness_probe"
/* How long after the request timeout the loop's own deadline marks Kafka
 * down, should librdkafka not have answered by then. */
#define KAFKA_DEADLINE_SLACK_MS 200

struct mm_health {
    mm_health_config cfg;
    atomic_int kafka, redis;
    atomic_bool ping_outstanding;
    /* Loop thread only, from here on. */
    uv_timer_t tick;           /* every interval_ms: a probe of each */
    uv_timer_t kafka_deadline; /* armed while a Kafka probe is out */
    mm_queue_wake results;     /* the admin results' queue and its pipe */
    mm_loop_watch *watch;      /* on results' pipe */
    bool kafka_out;            /* a Kafka probe is in flight */
    int handles_open;          /* uv handles not yet closed */
    bool started;
};

static void set_state(atomic_int *slot, mm_dep_state s, const char *what) {
    int old = atomic_exchange(slot, (int)s);
    if (old != (int)s && old != MM_DEP_UNKNOWN)
        mm_log_warn("msg=\"dependency %s\" dependency=%s",
                    s == MM_DEP_UP ? "is back" : "is unreachable", what);
    else if (old == MM_DEP_UNKNOWN && s == MM_DEP_DOWN)
        mm_log_warn("msg=\"dependency is unreachable\" dependency=%s", what);
}

/* On the loop: the Redis client answers there. */
static void on_ping(void *ud, int status, redisReply *reply, const char *err) {
    (void)err;
    mm_health *h = ud;
    bool ok = status == 0 && reply && reply->type != REDIS_REPLY_ERROR;
    set_state(&h->redis, ok ? MM_DEP_UP : MM_DEP_DOWN, "redis");
    atomic_store(&h->ping_outstanding, false);
}

static void probe_redis(mm_health *h) {
    if (atomic_exchange(&h->ping_outstanding, true)) return; /* the last one is still out */
    int rc = mm_redis_async_command(h->cfg.redis, h->cfg.redis_timeout_ms, on_ping, h, 1,
                                    (const char *[]){"PING"}, NULL);
    if (rc != 0) {
        atomic_store(&h->ping_outstanding, false);
        set_state(&h->redis, MM_DEP_DOWN, "redis");
    }
}

static void on_kafka_deadline(uv_timer_t *t) {
    mm_health *h = t->data;
    /* The request stays out (its late answer still counts); until then
     * Kafka is down. */
    mm_log_debug("msg=\"kafka probe unanswered\" after_ms=%d",
                 h->cfg.kafka_timeout_ms + KAFKA_DEADLINE_SLACK_MS);
    set_state(&h->kafka, MM_DEP_DOWN, "kafka");
}

static void probe_kafka(mm_health *h) {
    if (h->kafka_out) return; /* the deadline timer speaks for it */
    char why[256];
    rd_kafka_AdminOptions_t *o =
        rd_kafka_AdminOptions_new(h->cfg.kafka, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS);
    rd_kafka_ConfigResource_t *r =
        rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, PROBE_TOPIC);
    if (!o || !r ||
        rd_kafka_AdminOptions_set_request_timeout(o, h->cfg.kafka_timeout_ms, why, sizeof why) !=
            RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (o) rd_kafka_AdminOptions_destroy(o);
        if (r) rd_kafka_ConfigResource_destroy(r);
        set_state(&h->kafka, MM_DEP_DOWN, "kafka");
        return;
    }
    rd_kafka_DescribeConfigs(h->cfg.kafka, &r, 1, o, h->results.queue);
    rd_kafka_ConfigResource_destroy(r);
    rd_kafka_AdminOptions_destroy(o);
    h->kafka_out = true;
    uv_timer_start(&h->kafka_deadline, on_kafka_deadline,
                   (uint64_t)(h->cfg.kafka_timeout_ms + KAFKA_DEADLINE_SLACK_MS), 0);
}

/* On the loop, when the results' pipe is readable. */
static void on_results(void *ud) {
    mm_health *h = ud;
    mm_queue_wake_drain(&h->results);
    rd_kafka_event_t *ev;
    while ((ev = rd_kafka_queue_poll(h->results.queue, 0)) != NULL) {
        if (rd_kafka_event_type(ev) == RD_KAFKA_EVENT_DESCRIBECONFIGS_RESULT) {
            /* A request-level error is local (timed out, no broker, transport);
             * the resource's own error is the broker's answer. */
            rd_kafka_resp_err_t e = rd_kafka_event_error(ev);
            if (e != RD_KAFKA_RESP_ERR_NO_ERROR)
                mm_log_debug("msg=\"kafka probe failed\" error=\"%s\"",
                             rd_kafka_event_error_string(ev));
            set_state(&h->kafka, e == RD_KAFKA_RESP_ERR_NO_ERROR ? MM_DEP_UP : MM_DEP_DOWN,
                      "kafka");
            h->kafka_out = false;
            uv_timer_stop(&h->kafka_deadline);
        }
        rd_kafka_event_destroy(ev);
    }
}

static void on_tick(uv_timer_t *t) {
    mm_health *h = t->data;
    if (h->cfg.redis) probe_redis(h);
    if (h->cfg.kafka) probe_kafka(h);
}

typedef struct start_ctx {
    mm_health *h;
    int rc;
} start_ctx;

static void start_on_loop(void *ud) {
    start_ctx *c = ud;
    mm_health *h = c->h;
    uv_loop_t *loop = mm_loop_thread_loop(h->cfg.loop);
    uv_timer_init(loop, &h->tick);
    uv_timer_init(loop, &h->kafka_deadline);
    h->tick.data = h->kafka_deadline.data = h;
    h->handles_open = 2;
    if (h->cfg.kafka) {
        h->watch = mm_loop_watch_fd(h->cfg.loop, mm_queue_wake_fd(&h->results), on_results, h);
        if (!h->watch) {
            c->rc = MM_ENOMEM;
            return;
        }
    }
    uv_timer_start(&h->tick, on_tick, 0, (uint64_t)h->cfg.interval_ms);
    c->rc = 0;
}

static void handle_closed(uv_handle_t *handle) {
    mm_health *h = handle->data;
    h->handles_open--;
}

static void stop_on_loop(void *ud) {
    mm_health *h = ud;
    mm_loop_watch_close(h->watch);
    h->watch = NULL;
    if (h->handles_open > 0) {
        uv_close((uv_handle_t *)&h->tick, handle_closed);
        uv_close((uv_handle_t *)&h->kafka_deadline, handle_closed);
    }
}

/* A job posted after stop_on_loop returned runs in a later loop iteration,
 * after that iteration's close callbacks: calling it proves them done. */
static void noop(void *ud) { (void)ud; }

mm_health *mm_health_start(const mm_health_config *cfg) {
    assert(cfg->loop != NULL);
    mm_health *h = calloc(1, sizeof(*h));
    if (!h) return NULL;
    h->cfg = *cfg;
    h->results.fd[0] = h->results.fd[1] = -1;
    if (h->cfg.interval_ms <= 0) h->cfg.interval_ms = 400;
    if (h->cfg.kafka_timeout_ms <= 0) h->cfg.kafka_timeout_ms = 800;
    if (h->cfg.redis_timeout_ms <= 0) h->cfg.redis_timeout_ms = 500;
    atomic_init(&h->kafka, cfg->kafka ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->redis, cfg->redis ? MM_DEP_UNKNOWN : MM_DEP_UP);
    atomic_init(&h->ping_outstanding, false);
    if (cfg->kafka && mm_queue_wake_open(&h->results, rd_kafka_queue_new(cfg->kafka)) != 0) {
        free(h);
        return NULL;
    }
    h->started = true;
    start_ctx c = {.h = h, .rc = MM_ENOMEM};
    if (mm_loop_thread_call(h->cfg.loop, start_on_loop, &c) != 0 || c.rc != 0) {
        mm_health_free(h);
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
        snprintf(reason, reason_size, "Kafka %s (no broker answered a probe request)",
                 state_text(k));
    else
        snprintf(reason, reason_size, "Redis %s (no answer to PING)", state_text(r));
    return 0;
}

void mm_health_stop(mm_health *h) {
    if (!h || !h->started) return;
    h->started = false;
    mm_loop_thread_call(h->cfg.loop, stop_on_loop, h);
    mm_loop_thread_call(h->cfg.loop, noop, NULL);
    assert(h->handles_open == 0);
    mm_queue_wake_close(&h->results);
}

void mm_health_free(mm_health *h) {
    if (!h) return;
    mm_health_stop(h);
    mm_queue_wake_close(&h->results);
    free(h);
}
