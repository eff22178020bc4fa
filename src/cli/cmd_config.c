/* cmd_config.c -- `gregor config`: print the default node configuration
 * for the loaded services (the original's `gregor config`), to edit and pass
 * to `gregor node --config`. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_common.h"
#include "commands.h"
#include "node/plan.h"

static void usage(FILE *out) {
    fprintf(
        out,
        "Usage: gregor config --app SERVICE.so [--app ...] [--harakiri-limit N]\n"
        "                     [--harakiri-jitter N] [--node-name NAME] [--config FILE] [--help]\n"
        "\n"
        "Print the default node configuration for these services as YAML: the\n"
        "service-web topic, the Kafka and Redis settings in effect (from --config and\n"
        "the environment), and for every consumer procs: 1, the harakiri settings\n"
        "(null when not given) and max_age_seconds: null. Connects to nothing.\n"
        "\n"
        "Options:\n"
        "  --app PATH            a service shared object (repeatable)\n"
        "  --harakiri-limit N    messages a worker handles before it retires (N >= 1)\n"
        "  --harakiri-jitter N   +/- random spread of that limit (0 <= N < limit)\n"
        "  --node-name NAME      recorded as a comment\n"
        "  --config FILE         start from this configuration's connection settings\n"
        "  -h, --help            show this help\n");
}

static int parse_count(const char *opt, const char *text, long min, long *out) {
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || *end || !text[0] || v < min || v > 1000000000L) {
        fprintf(stderr, "gregor config: %s needs a whole number >= %ld, not '%s'\n", opt, min,
                text);
        return GREGOR_EXIT_USAGE;
    }
    *out = v;
    return 0;
}

int gregor_cmd_config(int argc, char **argv) {
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},
        {"harakiri-limit", required_argument, NULL, 'l'},
        {"harakiri-jitter", required_argument, NULL, 'j'},
        {"node-name", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gregor_apps apps = {0};
    const char *node_name = NULL, *config_path = NULL;
    long limit = -1, jitter = -1;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = gregor_apps_add(&apps, "config", optarg))) return rc;
            break;
        case 'l':
            if ((rc = parse_count("--harakiri-limit", optarg, 1, &limit))) return rc;
            break;
        case 'j':
            if ((rc = parse_count("--harakiri-jitter", optarg, 0, &jitter))) return rc;
            break;
        case 'n': node_name = optarg; break;
        case 'c': config_path = optarg; break;
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("config", c, argv);
        }
    }
    if (optind < argc)
        return gregor_usage_error("config", "unexpected argument '%s'", argv[optind]);
    if (jitter >= 0 && (limit < 0 || jitter >= limit)) {
        fprintf(stderr, "gregor config: --harakiri-jitter must be less than --harakiri-limit\n");
        return GREGOR_EXIT_USAGE;
    }
    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("config", &apps, 1, config_path, &app, &cfg))) return rc;
    rc = mm_plan_print_default(stdout, cfg, app.services, app.service_count, limit, jitter,
                               node_name);
    if (fflush(stdout) != 0) rc = -1;
    if (rc) fprintf(stderr, "gregor config: cannot write the configuration\n");
    mm_app_free(&app);
    mm_config_free(cfg);
    return rc ? GREGOR_EXIT_FAILURE : GREGOR_EXIT_OK;
}
