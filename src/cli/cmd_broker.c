/* cmd_broker.c -- `gregor broker`: run the in-memory development Kafka broker
 * (librdkafka's mock cluster, see bus/dev_broker.h) until SIGINT or SIGTERM.
 *
 * stdout carries one machine-readable line, "bootstrap: 127.0.0.1:PORT",
 * flushed at once so scripts can read it; the loud warning that nothing is
 * kept goes to stderr. */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/dev_broker.h"
#include "cli_common.h"
#include "commands.h"

#define MAX_TOPICS     64
#define MAX_PARTITIONS 1000

static void usage(FILE *out) {
    fprintf(
        out,
        "Usage: gregor broker [--listen HOST:PORT] [--topic NAME]... [--partitions N] [--help]\n"
        "\n"
        "Run an IN-MEMORY DEVELOPMENT Kafka broker (librdkafka's mock cluster) on\n"
        "loopback until Ctrl-C or SIGTERM. It keeps nothing: every message is lost\n"
        "when it stops. Never measure performance against it.\n"
        "\n"
        "Options:\n"
        "  --listen HOST:PORT  serve the bootstrap address on this loopback address\n"
        "                      (PORT 0 = any free port). Default: the mock broker's\n"
        "                      own ephemeral port.\n"
        "  --topic NAME        create this topic at start (repeatable)\n"
        "  --partitions N      partitions of each --topic topic (default %d).\n"
        "                      Topics that clients auto-create always get %d (fixed\n"
        "                      by librdkafka 2.0.2's mock cluster).\n"
        "  -h, --help          show this help\n"
        "\n"
        "Prints \"bootstrap: 127.0.0.1:PORT\" on stdout once it is ready.\n"
        "Clients should set fetch.wait.max.ms low (e.g. 10): the mock answers a\n"
        "fetch only when that wait expires.\n",
        MM_DEV_BROKER_AUTO_PARTITIONS, MM_DEV_BROKER_AUTO_PARTITIONS);
}

int gregor_cmd_broker(int argc, char **argv) {
    static const struct option options[] = {
        {"listen", required_argument, NULL, 'l'},
        {"topic", required_argument, NULL, 't'},
        {"partitions", required_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *listen = NULL;
    const char *topics[MAX_TOPICS];
    int ntopics = 0, partitions = MM_DEV_BROKER_AUTO_PARTITIONS, partitions_set = 0;
    char err[256];

    opterr = 0; /* our own messages, with the command's name */
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'l': {
            char host[64];
            int port;
            if (mm_dev_broker_parse_listen(optarg, host, sizeof host, &port, err, sizeof err) != 0)
                return gregor_usage_error("broker", "%s", err);
            listen = optarg;
            break;
        }
        case 't':
            if (!*optarg)
                return gregor_usage_error("broker", "%s", "--topic needs a non-empty name");
            if (ntopics == MAX_TOPICS)
                return gregor_usage_error("broker", "at most %d --topic options", MAX_TOPICS);
            topics[ntopics++] = optarg;
            break;
        case 'p': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || n < 1 || n > MAX_PARTITIONS)
                return gregor_usage_error("broker",
                                          "--partitions '%s' is not a number from 1 to %d", optarg,
                                          MAX_PARTITIONS);
            partitions = (int)n;
            partitions_set = 1;
            break;
        }
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        case ':':
            return gregor_usage_error("broker", "option '%s' needs a value", argv[optind - 1]);
        default: return gregor_usage_error("broker", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return gregor_usage_error("broker", "unexpected argument '%s'", argv[optind]);
    if (partitions_set && ntopics == 0)
        return gregor_usage_error("broker", "%s",
                                  "--partitions applies to topics named with --topic "
                                  "(auto-created topics always get 4 partitions)");

    /* Block the stop signals before librdkafka starts its threads, so they
     * inherit the mask and sigwait() below is the only one to see them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);

    mm_dev_broker *broker;
    if (mm_dev_broker_start(listen, &broker, err, sizeof err) != 0) {
        fprintf(stderr, "gregor broker: %s\n", err);
        return GREGOR_EXIT_FAILURE;
    }
    for (int i = 0; i < ntopics; i++) {
        if (mm_dev_broker_create_topic(broker, topics[i], partitions, err, sizeof err) != 0) {
            fprintf(stderr, "gregor broker: %s\n", err);
            mm_dev_broker_stop(broker);
            return GREGOR_EXIT_FAILURE;
        }
    }

    fprintf(stderr, "******************************************************************\n"
                    "* gregor broker: IN-MEMORY DEVELOPMENT KAFKA BROKER               *\n"
                    "* librdkafka's mock cluster. It KEEPS NOTHING: every topic,       *\n"
                    "* message and offset is lost when it stops. Not for production,   *\n"
                    "* not for benchmarks. Clients: set fetch.wait.max.ms low (10).    *\n"
                    "******************************************************************\n");
    if (strcmp(mm_dev_broker_bootstrap(broker), mm_dev_broker_advertised(broker)) != 0)
        fprintf(stderr, "gregor broker: forwarding %s to the mock broker, which advertises %s\n",
                mm_dev_broker_bootstrap(broker), mm_dev_broker_advertised(broker));
    for (int i = 0; i < ntopics; i++)
        fprintf(stderr, "gregor broker: topic '%s' with %d partition(s)\n", topics[i], partitions);
    fprintf(stderr, "gregor broker: stop with Ctrl-C or SIGTERM\n");
    printf("bootstrap: %s\n", mm_dev_broker_bootstrap(broker));
    fflush(stdout);

    int sig = 0;
    while (sigwait(&stop, &sig) != 0)
        ;
    fprintf(stderr, "gregor broker: %s received; stopping (nothing is kept)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    mm_dev_broker_stop(broker);
    return GREGOR_EXIT_OK;
}
