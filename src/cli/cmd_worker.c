/* cmd_worker.c -- `gregor worker`: one worker process running one consumer
 * until SIGINT/SIGTERM or its message budget. `gregor node` supervises many
 * of these; alone it is the simplest way to run a consumer. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "commands.h"
#include "common/log.h"
#include "common/trace_export.h"
#include "node/worker_endpoint.h"
#include "service/consumer_runner.h"
#include "service/worker_api.h"

/* The worker the signal handlers stop (mm_worker_stop is async-signal-safe). */
static mm_worker *volatile the_worker;
static volatile sig_atomic_t stop_early; /* a signal before the worker exists */

static void on_signal(int sig) {
    (void)sig;
    stop_early = 1;
    mm_worker_stop(the_worker);
}

/* How long a stopping worker may take to commit, leave and close once its
 * handler is done: librdkafka waits much longer when the broker vanished
 * (session.timeout.ms in the consumer's close). Same bound as a node's
 * workers (docs/node.md, "Bounded exit"). */
#define STOP_BOUND_MS 3000

/* On the worker's watchdog thread: the stop bound passed. */
static void on_stop_overrun(void *ud, unsigned bound_ms) {
    mm_log_warn("gregor worker %s: not closed %u ms after the stop (Kafka unreachable?); exiting "
                "without a clean group leave. Abandoned: the final offset commit (events handled "
                "since the last commit are delivered again); every committed event is complete",
                (const char *)ud, bound_ms);
    fflush(NULL);
    _exit(GREGOR_EXIT_OK);
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
    mm_worker *w = NULL;
    /* --metrics-listen: the runner counts into this block (as a node's
     * worker does into the page its node reads), the endpoint renders it. */
    mm_worker_metrics *metrics = NULL;
    mm_worker_endpoint *endpoint = NULL;
    const mm_consumer_spec *spec =
        mm_worker_find_consumer(app.services, app.service_count, consumer, err, sizeof err);
    if (!spec) {
        char hint[512] = "";
        if (!strstr(err, " exists in services "))
            gregor_consumer_hint(&app, consumer, hint, sizeof hint);
        fprintf(stderr, "gregor worker: %s%s\n", err, hint);
        goto out;
    }
    /* Before anything connects: an address in use fails at once. */
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
    mm_worker_options wo = {.consumer = consumer,
                            .max_messages = max_messages,
                            .slot = (unsigned)slot,
                            .on_stop_overrun = on_stop_overrun,
                            .stop_overrun_ud = (void *)consumer,
                            .stop_bound_ms = STOP_BOUND_MS};
    w = mm_worker_open_config(app.services, app.service_count, cfg, &wo, metrics, err, sizeof err);
    if (!w) {
        fprintf(stderr, "gregor worker: %s\n", err);
        goto out;
    }
    the_worker = w;
    if (stop_early) mm_worker_stop(w); /* a signal came while it opened */
    rc = mm_worker_run(w, err, sizeof err);
    if (rc < 0)
        fprintf(stderr, "gregor worker: %s\n", err);
    else
        status = GREGOR_EXIT_OK;
out:
    mm_worker_endpoint_stop(endpoint);
    the_worker = NULL;
    mm_worker_free(w); /* the exporter counts into metrics until it stops */
    if (metrics) mm_trace_use_counters(NULL);
    free(metrics);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
