/* worker_api.c -- the library-level worker (worker_api.h, metamorphosis.h):
 * one consumer runner over a runtime, a stop flag a signal handler may set,
 * and an optional watchdog that bounds the stop. */
#include "service/worker_api.h"

#include <assert.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "service/consumer_runner.h"
#include "service/consumer_txn.h"
#include "service/runtime.h"
#include "service/schema_merge.h"

#define DEFAULT_STOP_BOUND_MS 3000

struct mm_worker {
    mm_config *owned_cfg; /* mm_worker_open's own; NULL with _config */
    const mm_config *cfg;
    mm_service **services; /* the caller's array, copied: the runtime keeps it */
    size_t service_count;
    const mm_consumer_spec *spec;
    mm_gql_schema *schema;
    mm_runtime rt;
    bool rt_open;
    mm_worker_metrics *metrics;
    unsigned long long max_messages;
    char txn_id[640];
    void (*on_stop_overrun)(void *ud, unsigned stop_bound_ms);
    void *stop_overrun_ud;
    unsigned stop_bound_ms;
    volatile sig_atomic_t stop; /* mm_worker_stop; the runner polls it */
    bool ran;
    /* The watchdog's view of the handler (the runner's begin/end hooks). */
    atomic_int handling;
    atomic_llong last_end_ms;
    atomic_bool run_done;
};

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const mm_consumer_spec *mm_worker_find_consumer(mm_service *const *services, size_t count,
                                                const char *name, char *err, size_t err_size) {
    const char *dot = strchr(name, '.');
    const mm_consumer_spec *found = NULL;
    for (size_t i = 0; i < count; i++) {
        const mm_service *s = services[i];
        const char *cname = name;
        if (dot) {
            size_t n = (size_t)(dot - name);
            if (strlen(s->name) != n || strncmp(s->name, name, n) != 0) continue;
            cname = dot + 1;
        }
        const mm_consumer_spec *c = mm_service_find_consumer(s, cname);
        if (c && found) {
            snprintf(err, err_size,
                     "consumer %s exists in services %s and %s; say which as SERVICE.%s", cname,
                     found->service->name, s->name, cname);
            return NULL;
        }
        if (c) found = c;
    }
    if (!found) snprintf(err, err_size, "no consumer named %s in the loaded services", name);
    return found;
}

/* The runner's hooks, on the thread that calls the handler. */
static void on_begin(void *ud, const mm_event *ev, const mm_message_info *info) {
    (void)ev, (void)info;
    mm_worker *w = ud;
    atomic_store(&w->handling, 1);
}

static void on_end(void *ud, const mm_event *ev) {
    (void)ev;
    mm_worker *w = ud;
    atomic_store(&w->last_end_ms, mono_ms());
    atomic_store(&w->handling, 0);
}

/* Calls on_stop_overrun once stop_bound_ms have passed since the stop (and
 * since the handler running then returned) while mm_worker_run still runs.
 * Polls every 50 ms: the stop is a flag a signal handler sets, and the
 * bound is seconds. Ends with the run. */
static void *watchdog(void *arg) {
    mm_worker *w = arg;
    long long since = 0;
    while (!atomic_load(&w->run_done)) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        if (!w->stop || atomic_load(&w->handling)) continue;
        long long now = mono_ms();
        if (!since) since = now;
        long long end = atomic_load(&w->last_end_ms);
        long long from = end > since ? end : since;
        if (now - from < (long long)w->stop_bound_ms) continue;
        w->on_stop_overrun(w->stop_overrun_ud, w->stop_bound_ms);
        break; /* once: if it returned, the run goes on to its close */
    }
    return NULL;
}

mm_worker *mm_worker_open_config(mm_service *const *services, size_t count, const mm_config *cfg,
                                 const mm_worker_options *opts, mm_worker_metrics *metrics,
                                 char *err, size_t err_size) {
    if (!opts || !opts->consumer || !opts->consumer[0]) {
        snprintf(err, err_size, "mm_worker_options.consumer is required");
        return NULL;
    }
    mm_worker *w = calloc(1, sizeof(*w));
    if (!w || !(w->services = calloc(count + 1, sizeof(*w->services)))) {
        free(w);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < count; i++) w->services[i] = services[i];
    w->service_count = count;
    w->cfg = cfg;
    w->metrics = metrics;
    w->max_messages = opts->max_messages;
    w->on_stop_overrun = opts->on_stop_overrun;
    w->stop_overrun_ud = opts->stop_overrun_ud;
    w->stop_bound_ms = opts->stop_bound_ms ? opts->stop_bound_ms : DEFAULT_STOP_BOUND_MS;
    atomic_init(&w->handling, 0);
    atomic_init(&w->last_end_ms, 0);
    atomic_init(&w->run_done, false);

    w->spec = mm_worker_find_consumer(w->services, count, opts->consumer, err, err_size);
    if (!w->spec) goto fail;
    if (mm_consumer_txn_default_id(w->spec, (int)opts->slot, w->txn_id, sizeof w->txn_id) != 0) {
        snprintf(err, err_size, "transactional.id too long");
        goto fail;
    }
    w->schema = mm_services_build_schema(w->services, count, NULL, 0, NULL, err, err_size);
    if (!w->schema) goto fail;
    if (mm_runtime_open(&w->rt, cfg, MM_RUNTIME_WORKER, w->services, count, err, err_size))
        goto fail;
    w->rt_open = true;
    mm_service *svc = w->spec->service;
    if (svc->post_fork && svc->post_fork(svc->post_fork_ud, svc)) {
        snprintf(err, err_size, "service %s: post_fork initializer failed", svc->name);
        goto fail;
    }
    return w;
fail:
    mm_worker_free(w);
    return NULL;
}

mm_worker *mm_worker_open(mm_service *const *services, size_t count, const mm_worker_options *opts,
                          char *err, size_t err_size) {
    mm_config *cfg = NULL;
    if (mm_config_open(opts ? opts->config_path : NULL, &cfg, err, err_size)) return NULL;
    mm_worker *w = mm_worker_open_config(services, count, cfg, opts, NULL, err, err_size);
    if (!w) {
        mm_config_free(cfg);
        return NULL;
    }
    w->owned_cfg = cfg;
    return w;
}

int mm_worker_run(mm_worker *w, char *err, size_t err_size) {
    assert(!w->ran);
    w->ran = true;
    if (w->stop) return 0;
    pthread_t wd;
    bool watching =
        w->on_stop_overrun && pthread_create(&wd, NULL, watchdog, w) == 0; /* else: unbounded */
    mm_runner_options ro = {.max_messages = w->max_messages,
                            .stop_flag = &w->stop,
                            .on_handle_begin = on_begin,
                            .on_handle_end = on_end,
                            .hook_ud = w,
                            .metrics = w->metrics,
                            .transactional_id = w->txn_id};
    int rc = mm_consumer_runner_run(&w->rt, w->schema, w->spec, &ro, err, err_size);
    atomic_store(&w->run_done, true);
    if (watching) pthread_join(wd, NULL); /* within its 50 ms poll */
    if (rc < 0) return rc;
    return rc == MM_CONSUMER_BUDGET ? 1 : 0;
}

void mm_worker_stop(mm_worker *w) {
    if (w) w->stop = 1; /* async-signal-safe: one sig_atomic_t store */
}

void mm_worker_free(mm_worker *w) {
    if (!w) return;
    if (w->rt_open) mm_runtime_close(&w->rt);
    mm_gql_schema_free(w->schema);
    free(w->services);
    mm_config_free(w->owned_cfg);
    free(w);
}
