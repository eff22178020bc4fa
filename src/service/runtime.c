/* runtime.c -- opening and closing the shared connections (runtime.h). */
#include "service/runtime.h"

#include "common/trace_export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/trace_export.h"

#include "service/mutation.h"
#include "service/service_internal.h"

/* Result notifications travel on Redis pub/sub; this bounds how long start-up
 * waits for the subscription before serving anyway (the notifier re-checks
 * every waiter's key once it subscribes, so nothing is lost either way). */
#define NOTIFIER_READY_MS 5000

/* Threads for the subscriptions' stored-result checks and polls (paused
 * GraphQL requests resume on their connection's I/O thread, not here), and
 * threads that run resolvers that may block (service resolvers and
 * mutate_event reading state from Redis). */
#define DISPATCH_THREADS 2
#define BLOCKING_THREADS 4

typedef struct redis_open_ctx {
    mm_runtime *rt;
    char *err;
    size_t err_size;
} redis_open_ctx;

/* On the dependencies loop: the async client lives there. */
static void redis_open(void *ud) {
    redis_open_ctx *c = ud;
    mm_redis_async_config rc = {
        .url = c->rt->config->redis_results_url,
        .client_name = "mm-server",
        .connections = 2,
    };
    c->rt->redis = mm_redis_async_new(mm_loop_thread_loop(c->rt->deps), &rc, c->err, c->err_size);
}

/* Delivery reports on the dependencies loop (server): the producer's main
 * queue wakes the loop through a pipe instead of a thread blocking in
 * rd_kafka_poll. On the loop thread. */
static void serve_reports(void *ud) {
    mm_runtime *rt = ud;
    mm_producer_serve(rt->producer);
}

typedef struct watch_open_ctx {
    mm_runtime *rt;
    int fd;
} watch_open_ctx;

static void producer_watch_open(void *ud) {
    watch_open_ctx *c = ud;
    c->rt->producer_watch = mm_loop_watch_fd(c->rt->deps, c->fd, serve_reports, c->rt);
    if (c->rt->producer_watch) serve_reports(c->rt); /* what the thread left wrote no wake */
}

/* Not on the loop: mm_producer_serve_on_loop joins the delivery thread, whose
 * callbacks may be waiting for the loop. */
static void producer_on_loop(mm_runtime *rt) {
    watch_open_ctx c = {.rt = rt, .fd = mm_producer_serve_on_loop(rt->producer)};
    if (c.fd < 0) return; /* the delivery thread keeps serving: slower, not wrong */
    if (mm_loop_thread_call(rt->deps, producer_watch_open, &c) != 0 || !rt->producer_watch)
        mm_producer_poll_in_background(rt->producer);
    else
        rt->produce_never_blocks = true;
}

static void producer_watch_close(void *ud) {
    mm_runtime *rt = ud;
    mm_loop_watch_close(rt->producer_watch);
    rt->producer_watch = NULL;
}

/* Serving: before the loop stops, let the loop deliver what is in flight
 * (within the deadline), then take the reports back off the loop;
 * mm_producer_free fails and serves whatever is left, on this thread. */
#define PRODUCER_FLUSH_MS 10000

static void producer_off_loop(mm_runtime *rt) {
    if (!rt->producer_watch) return;
    if (mm_producer_flush(rt->producer, PRODUCER_FLUSH_MS) != 0) {
        /* Fail the rest now, still on the loop, so that mm_producer_free
         * does not wait a second deadline for them. */
        fprintf(stderr, "warning: Kafka did not acknowledge every event within %d ms\n",
                PRODUCER_FLUSH_MS);
        rd_kafka_purge(mm_producer_rdkafka(rt->producer),
                       RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        mm_producer_flush(rt->producer, 1000);
    }
    mm_loop_thread_call(rt->deps, producer_watch_close, rt);
}

static void redis_close(void *ud) {
    mm_runtime *rt = ud;
    mm_redis_async_free(rt->redis);
    rt->redis = NULL;
}

int mm_runtime_open(mm_runtime *rt, const mm_config *cfg, mm_runtime_role role,
                    mm_service *const *services, size_t service_count, char *err, size_t err_size) {
    memset(rt, 0, sizeof(*rt));
    rt->config = cfg;
    rt->role = role;
    rt->services = services;
    rt->service_count = service_count;
    pthread_mutex_init(&rt->pending_lock, NULL);
    int rc = MM_ENOMEM;
    /* trace: the exporter starts before any thread that runs a hook */
    mm_trace_config tc = {
        .endpoint = cfg->tracing_endpoint,
        .sample_ratio = cfg->tracing_sample_ratio,
        .queue_bytes = (size_t)cfg->tracing_queue_bytes,
        .timeout_ms = (unsigned)cfg->tracing_timeout_ms,
        .service_name = cfg->tracing_service_name   ? cfg->tracing_service_name
                        : role == MM_RUNTIME_SERVER ? "gregor-serve"
                                                    : "gregor-worker",
    };
    if (mm_trace_init(&tc, err, err_size) != 0) {
        pthread_mutex_destroy(&rt->pending_lock);
        return MM_EINVAL;
    }
    rt->tracing = cfg->tracing_endpoint && *cfg->tracing_endpoint;
    rt->kafka_props = calloc(cfg->kafka_property_count + 2, sizeof(*rt->kafka_props));
    rt->states = calloc(service_count + 1, sizeof(*rt->states));
    if (!rt->kafka_props || !rt->states) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        rt->kafka_props[i] = (mm_kv){cfg->kafka_properties[i].key, cfg->kafka_properties[i].value};
    rt->kafka_prop_count = cfg->kafka_property_count;
    if (role == MM_RUNTIME_SERVER) {
        /* A server reconnects to a returning broker within a second (librdkafka's
         * default backoff grows to 10 s), so readiness and mutations held while
         * Kafka was down resume promptly. A configured value wins. */
        int set = 0;
        for (size_t i = 0; i < cfg->kafka_property_count; i++)
            if (strcmp(cfg->kafka_properties[i].key, "reconnect.backoff.max.ms") == 0) set = 1;
        if (!set)
            rt->kafka_props[rt->kafka_prop_count++] = (mm_kv){"reconnect.backoff.max.ms", "1000"};
    }

    rt->producer = mm_producer_new(cfg->kafka_bootstrap_servers, rt->kafka_props,
                                   rt->kafka_prop_count, err, err_size);
    if (!rt->producer) {
        rc = MM_EKAFKA;
        goto fail;
    }
    rt->results = mm_result_store_new(cfg->redis_results_url, NULL, (int)cfg->result_ttl_seconds,
                                      err, err_size);
    if (!rt->results) {
        rc = MM_EREDIS;
        goto fail;
    }
    for (size_t i = 0; i < service_count; i++) {
        rt->states[i] = mm_state_new(cfg->redis_state_url, NULL, services[i]->name, err, err_size);
        if (!rt->states[i]) {
            rc = MM_EREDIS;
            goto fail;
        }
        /* A server's resolvers wait on state within the server's deadline. */
        if (role == MM_RUNTIME_SERVER)
            mm_state_set_timeout(rt->states[i], (int)cfg->redis_timeout_ms);
    }
    if (role == MM_RUNTIME_SERVER) {
        rt->dispatch = mm_dispatch_start(DISPATCH_THREADS);
        rt->blocking = mm_dispatch_start(BLOCKING_THREADS);
        rt->deps = mm_loop_thread_start("mm-deps");
        /* The mutation deadlines fire on the loop where the notifier's waiters do. */
        rt->timer = rt->deps ? mm_timer_start(rt->deps) : NULL;
        if (!rt->timer || !rt->dispatch || !rt->blocking || !rt->deps) {
            snprintf(err, err_size, "cannot start the timer, dispatch or dependencies threads");
            goto fail;
        }
        redis_open_ctx ro = {.rt = rt, .err = err, .err_size = err_size};
        err[0] = '\0';
        if (mm_loop_thread_call(rt->deps, redis_open, &ro) != 0 || !rt->redis) {
            if (!rt->redis && !err[0])
                snprintf(err, err_size, "cannot start the async Redis client");
            rc = MM_EREDIS;
            goto fail;
        }
        /* The result subscription lives on the same loop, and re-checks
         * through the same client. */
        mm_notifier_config ncfg = {.redis_url = cfg->redis_results_url,
                                   .loop_thread = rt->deps,
                                   .redis = rt->redis,
                                   .reconnect_max_ms = 2000};
        rt->notifier = mm_notifier_start(&ncfg, err, err_size);
        if (!rt->notifier) {
            rc = MM_EREDIS;
            goto fail;
        }
        producer_on_loop(rt);
        /* The Kafka probe asks about one topic: the first a mutation
         * publishes to (the server produces there anyway). */
        const char *probe_topic = NULL;
        for (size_t i = 0; i < service_count && !probe_topic; i++)
            if (services[i]->mutation_count) probe_topic = services[i]->mutations[0]->topic;
        mm_health_config hc = {
            .loop = rt->deps,
            .timer = rt->timer,
            .blocking = rt->blocking,
            .kafka = mm_producer_rdkafka(rt->producer),
            .kafka_topic = probe_topic,
            .redis = rt->redis,
            .redis_timeout_ms = cfg->redis_timeout_ms < 500 ? (int)cfg->redis_timeout_ms : 500,
        };
        rt->health = mm_health_start(&hc);
        if (!rt->health) {
            snprintf(err, err_size, "cannot start the health probes");
            goto fail;
        }
        if (mm_notifier_wait_ready(rt->notifier, NOTIFIER_READY_MS) != 0)
            fprintf(stderr,
                    "warning: result notifications not subscribed yet (Redis at %s); "
                    "retrying in the background\n",
                    cfg->redis_results_url);
    }
    return 0;
fail:
    mm_runtime_close(rt);
    return rc;
}

void mm_runtime_close(mm_runtime *rt) {
    /* Order matters. Waiting mutations are answered first, while the
     * notifier and timer they are registered with still exist; the producer
     * flushes next (its delivery callbacks use both); only then do the
     * notifier and timer go; the dispatch threads run what all of them
     * posted and stop last. */
    atomic_store(&rt->closing, true); /* mutations held for Kafka give up */
    /* The probes stop first: nothing new reaches the blocking pool; a Kafka
     * probe on it finishes when the pool is freed (within its timeout). */
    mm_health_stop(rt->health);
    mm_mutations_abandon(rt);
    /* Offloaded resolvers finish (within their Redis deadlines); what they
     * settle goes to the dispatch threads, still running. */
    mm_dispatch_free(rt->blocking);
    rt->blocking = NULL;
    mm_mutations_abandon(rt); /* what the pool's last jobs published (a gate that opened) */
    producer_off_loop(rt);
    mm_producer_free(rt->producer);
    rt->producer = NULL;
    mm_notifier_free(rt->notifier);
    rt->notifier = NULL;
    mm_timer_free(rt->timer);
    rt->timer = NULL;
    /* Redis commands still out are answered ("closing"), which settles
     * their requests onto the dispatch threads, still running here. */
    if (rt->deps && rt->redis) mm_loop_thread_call(rt->deps, redis_close, rt);
    mm_loop_thread_stop(rt->deps);
    rt->deps = NULL;
    mm_health_free(rt->health);
    rt->health = NULL;
    mm_dispatch_free(rt->dispatch);
    rt->dispatch = NULL;
    if (rt->states)
        for (size_t i = 0; i < rt->service_count; i++) mm_state_free(rt->states[i]);
    free(rt->states);
    rt->states = NULL;
    mm_result_store_free(rt->results);
    rt->results = NULL;
    free(rt->kafka_props);
    rt->kafka_props = NULL;
    pthread_mutex_destroy(&rt->pending_lock);
    if (rt->tracing) { /* trace: last, once every span of this runtime has ended */
        rt->tracing = false;
        mm_trace_shutdown();
    }
}

mm_state *mm_runtime_state(mm_runtime *rt, const mm_service *service) {
    if (!rt) return NULL;
    for (size_t i = 0; i < rt->service_count; i++)
        if (rt->services[i] == service) return rt->states[i];
    return NULL;
}
