/* cmd_worker.c -- `gregor worker`: one worker process running one consumer
 * until SIGINT/SIGTERM or its message budget. `gregor node` supervises many
 * of these; alone it is the simplest way to run a consumer. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli_common.h"
#include "commands.h"
#include "common/log.h"
#include "common/trace_export.h"
#include "node/worker_endpoint.h"
#include "service/consumer_runner.h"
#include "service/consumer_txn.h"
#include "service/schema_merge.h"

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

/* How long a stopping worker may take to commit, leave and close once its
 * handler is done: librdkafka waits much longer when the broker vanished
 * (session.timeout.ms in the consumer's close). Same bound as a node's
 * workers (docs/node.md, "Bounded exit"). */
#define STOP_BOUND_MS 3000

static atomic_int handling;
static atomic_llong last_end_ms;

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_begin(void *ud, const mm_event *ev, const mm_message_info *info) {
    (void)ud, (void)ev, (void)info;
    atomic_store(&handling, 1);
}

static void on_end(void *ud, const mm_event *ev) {
    (void)ud, (void)ev;
    atomic_store(&last_end_ms, mono_ms());
    atomic_store(&handling, 0);
}

/* Exits the process STOP_BOUND_MS after a stop request (and after the
 * handler running then returned), saying what is abandoned. */
static void *watchdog(void *arg) {
    const char *consumer = arg;
    long long since = 0;
    for (;;) {
        struct timespec ts = {0, 50 * 1000000L};
        nanosleep(&ts, NULL);
        if (!stop_requested || atomic_load(&handling)) continue;
        long long now = mono_ms();
        if (!since) since = now;
        long long from = atomic_load(&last_end_ms) > since ? atomic_load(&last_end_ms) : since;
        if (now - from < STOP_BOUND_MS) continue;
        mm_log_warn(
            "gregor worker %s: not closed %d ms after the stop (Kafka unreachable?); exiting "
            "without a clean group leave. Abandoned: the final offset commit (events handled "
            "since the last commit are delivered again); every committed event is complete",
            consumer, STOP_BOUND_MS);
        fflush(NULL);
        _exit(GREGOR_EXIT_OK);
    }
    return NULL;
}

static void usage(FILE *out) {
    fprintf(out, "Usage: gregor worker --app SERVICE.so [--app ...] --consumer [SERVICE.]NAME\n"
                 "                     [--config FILE] [--max-messages N] [--slot N]\n"
                 "                     [--metrics-listen HOST:PORT] [--help]\n"
                 "\n"
                 "Run one consumer in this process: join its Kafka consumer group, handle its\n"
                 "events, publish what the handler emits, store results in Redis, commit.\n"
                 "Stops after the current event on Ctrl-C or SIGTERM, or after N events.\n"
                 "\n"
                 "Options:\n"
                 "  --app PATH          a service shared object (repeatable; all are loaded so\n"
                 "                      that every event type of the web is known)\n"
                 "  --consumer NAME     the consumer to run; SERVICE.NAME when names clash\n"
                 "  --config FILE       configuration YAML (default: built-in defaults)\n"
                 "  --max-messages N    exit 0 after handling N events (0: never)\n"
                 "  --slot N            the worker's slot (default 0): an exactly-once consumer's\n"
                 "                      transactional.id is HOST.SERVICE.CONSUMER.N, so a worker\n"
                 "                      started with the same slot fences this one\n"
                 "  --metrics-listen HOST:PORT\n"
                 "                      serve Prometheus metrics at GET /metrics there (port 0:\n"
                 "                      a free one, printed as 'worker metrics: HOST:PORT')\n"
                 "  -h, --help          show this help\n");
}

/* Finds "service.consumer" or a consumer name unique across the services. */
static const mm_consumer_spec *find_consumer(const mm_app *app, const char *name, char *err,
                                             size_t err_size) {
    const char *dot = strchr(name, '.');
    const mm_consumer_spec *found = NULL;
    for (size_t i = 0; i < app->service_count; i++) {
        const mm_service *s = app->services[i];
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
    char hint[512];
    if (!found)
        snprintf(err, err_size, "no consumer named %s in the loaded services%s", name,
                 gregor_consumer_hint(app, name, hint, sizeof hint));
    return found;
}

int gregor_cmd_worker(int argc, char **argv) {
    mm_consumer_runner_process_setup(); /* before any thread (service/consumer_runner.h) */
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},    {"consumer", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'}, {"max-messages", required_argument, NULL, 'm'},
        {"slot", required_argument, NULL, 's'},   {"metrics-listen", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    gregor_apps apps = {0};
    const char *config_path = NULL, *consumer = NULL, *metrics_listen = NULL;
    unsigned long long max_messages = 0;
    long slot = 0;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = gregor_apps_add(&apps, "worker", optarg))) return rc;
            break;
        case 'n': consumer = optarg; break;
        case 'c': config_path = optarg; break;
        case 'l': metrics_listen = optarg; break;
        case 'm': {
            char *end;
            errno = 0;
            max_messages = strtoull(optarg, &end, 10);
            if (errno || *end || optarg[0] == '-' || !optarg[0]) {
                fprintf(stderr, "gregor worker: --max-messages needs a whole number, not '%s'\n",
                        optarg);
                return GREGOR_EXIT_USAGE;
            }
            break;
        }
        case 's': {
            char *end;
            errno = 0;
            slot = strtol(optarg, &end, 10);
            if (errno || *end || slot < 0 || slot > 1000000 || !optarg[0]) {
                fprintf(stderr, "gregor worker: --slot needs a whole number, not '%s'\n", optarg);
                return GREGOR_EXIT_USAGE;
            }
            break;
        }
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("worker", c, argv);
        }
    }
    if (optind < argc)
        return gregor_usage_error("worker", "unexpected argument '%s'", argv[optind]);
    if (!consumer) {
        fprintf(stderr,
                "gregor worker: --consumer NAME is required\nTry 'gregor worker --help'.\n");
        return GREGOR_EXIT_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("worker", &apps, 1, config_path, &app, &cfg))) return rc;
    char err[1024];
    int status = GREGOR_EXIT_FAILURE;
    mm_gql_schema *schema = NULL;
    mm_runtime rt;
    int rt_open = 0;
    /* --metrics-listen: the runner counts into this block (as a node's
     * worker does into the page its node reads), the endpoint renders it. */
    mm_worker_metrics *metrics = NULL;
    mm_worker_endpoint *endpoint = NULL;
    const mm_consumer_spec *spec = find_consumer(&app, consumer, err, sizeof err);
    if (!spec) {
        fprintf(stderr, "gregor worker: %s\n", err);
        goto out;
    }
    schema =
        mm_services_build_schema(app.services, app.service_count, NULL, 0, NULL, err, sizeof err);
    if (!schema) {
        fprintf(stderr, "gregor worker: %s\n", err);
        goto out;
    }
    /* Before the runtime connects anything: an address in use fails at once. */
    if (metrics_listen) {
        char bound[300];
        metrics = calloc(1, sizeof *metrics);
        if (!metrics) {
            fprintf(stderr, "gregor worker: out of memory\n");
            goto out;
        }
        mm_trace_use_counters(&metrics->trace); /* trace: the exporter's counters, served too */
        endpoint = mm_worker_endpoint_start(metrics_listen, metrics, spec->service->name,
                                            spec->name, bound, sizeof bound, err, sizeof err);
        if (!endpoint) {
            fprintf(stderr, "gregor worker: --metrics-listen %s: %s\n", metrics_listen, err);
            goto out;
        }
        printf("worker metrics: %s\n", bound);
        fflush(stdout);
        mm_log_info("gregor worker %s.%s: metrics at http://%s/metrics", spec->service->name,
                    spec->name, bound);
    }
    if (mm_runtime_open(&rt, cfg, MM_RUNTIME_WORKER, app.services, app.service_count, err,
                        sizeof err)) {
        fprintf(stderr, "gregor worker: %s\n", err);
        goto out;
    }
    rt_open = 1;
    if (spec->service->post_fork &&
        spec->service->post_fork(spec->service->post_fork_ud, spec->service)) {
        fprintf(stderr, "gregor worker: service %s: post_fork initializer failed\n",
                spec->service->name);
        goto out;
    }
    pthread_t wd;
    if (pthread_create(&wd, NULL, watchdog, (void *)consumer) == 0) pthread_detach(wd);
    char txn_id[640];
    if (mm_consumer_txn_default_id(spec, (int)slot, txn_id, sizeof txn_id) != 0) {
        fprintf(stderr, "gregor worker: transactional.id too long\n");
        goto out;
    }
    mm_runner_options ro = {.max_messages = max_messages,
                            .stop_flag = &stop_requested,
                            .on_handle_begin = on_begin,
                            .on_handle_end = on_end,
                            .metrics = metrics,
                            .transactional_id = txn_id};
    rc = mm_consumer_runner_run(&rt, schema, spec, &ro, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "gregor worker: %s\n", err);
    else
        status = GREGOR_EXIT_OK;
out:
    mm_worker_endpoint_stop(endpoint);
    if (rt_open) mm_runtime_close(&rt); /* the exporter counts into metrics until it stops */
    if (metrics) mm_trace_use_counters(NULL);
    free(metrics);
    mm_gql_schema_free(schema);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
