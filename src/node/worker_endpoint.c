/* worker_endpoint.c -- a standalone worker's metrics endpoint
 * (worker_endpoint.h): a thread driving the metrics listener. */
#include "node/worker_endpoint.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/metrics.h"
#include "node/metrics_http.h"

/* How long the thread's poll may sleep: the bound on noticing a stop. */
#define POLL_MS 100

struct mm_worker_endpoint {
    mm_metrics_http *http;
    const mm_worker_metrics *w;
    char service[256], consumer[256];
    atomic_bool stop;
    pthread_t thread;
};

static char *render(void *ud, size_t *len) {
    mm_worker_endpoint *e = ud;
    return mm_worker_metrics_render(e->w, e->service, e->consumer, len);
}

static void *serve(void *arg) {
    mm_worker_endpoint *e = arg;
    struct pollfd fds[MM_METRICS_HTTP_CONNS + 1];
    while (!atomic_load(&e->stop)) {
        size_t n = mm_metrics_http_fds(e->http, fds, sizeof fds / sizeof fds[0]);
        int t = mm_metrics_http_timeout(e->http);
        if (t < 0 || t > POLL_MS) t = POLL_MS;
        int r = poll(fds, (nfds_t)n, t);
        if (r < 0) {
            for (size_t i = 0; i < n; i++) fds[i].revents = 0;
        }
        /* Also on a timeout: the listener closes connections past their deadline. */
        mm_metrics_http_handle(e->http, fds, n);
    }
    return NULL;
}

mm_worker_endpoint *mm_worker_endpoint_start(const char *listen, const mm_worker_metrics *w,
                                             const char *service, const char *consumer, char *bound,
                                             size_t bound_size, char *err, size_t err_size) {
    mm_worker_endpoint *e = calloc(1, sizeof *e);
    if (!e) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    e->w = w;
    snprintf(e->service, sizeof e->service, "%s", service);
    snprintf(e->consumer, sizeof e->consumer, "%s", consumer);
    e->http = mm_metrics_http_new(listen, render, e, bound, bound_size, err, err_size);
    if (!e->http) {
        free(e);
        return NULL;
    }
    if (pthread_create(&e->thread, NULL, serve, e) != 0) {
        snprintf(err, err_size, "cannot start the metrics thread");
        mm_metrics_http_free(e->http);
        free(e);
        return NULL;
    }
    return e;
}

void mm_worker_endpoint_stop(mm_worker_endpoint *e) {
    if (!e) return;
    atomic_store(&e->stop, true);
    pthread_join(e->thread, NULL);
    mm_metrics_http_free(e->http);
    free(e);
}
