/* cmd_node.c -- `gregor node`: a consumer node, the supervisor of worker
 * processes for the consumers of the loaded services (src/node/,
 * docs/node.md). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_common.h"
#include "commands.h"
#include "node/plan.h"
#include "node/supervisor.h"
#include "service/schema_merge.h"

static void usage(FILE *out) {
    fprintf(out,
            "Usage: gregor node --app SERVICE.so [--app ...] [--node-name NAME] [--config FILE]\n"
            "                   [--help]\n"
            "\n"
            "Run a consumer node: for every consumer of the loaded services, `procs` worker\n"
            "processes (from the node config; 1 for consumers it does not mention), each a\n"
            "member of the consumer's Kafka group. Workers retire after their harakiri\n"
            "budget or max age and are replaced; crashed workers restart with backoff. The\n"
            "node obeys control events on the service-web topic and keeps its status in\n"
            "Redis. SIGTERM/Ctrl-C drains (workers finish their message); a second one\n"
            "kills the workers at once.\n"
            "\n"
            "Options:\n"
            "  --app PATH        a service shared object (repeatable)\n"
            "  --node-name NAME  this node's name in the service web (default: the host name)\n"
            "  --config FILE     node configuration YAML (see `gregor config`)\n"
            "  -h, --help        show this help\n"
            "\n"
            "Environment: MM_NODE_STATUS_INTERVAL_MS (status refresh, default 2000),\n"
            "MM_NODE_STATUS_TTL_MS (status key TTL, default 3 x the refresh),\n"
            "MM_NODE_STATIC_MEMBERSHIP (1: workers are static group members, the default;\n"
            "0: dynamic), MM_NODE_MAX_CRASHES (an event that crashed this many workers is\n"
            "dead-lettered, default 3), and the connection settings of docs/configuration.md.\n");
}

/* A positive number of milliseconds from the environment, or 0 when unset. */
static int env_ms(const char *name, long *out) {
    const char *v = getenv(name);
    *out = 0;
    if (!v) return 0;
    char *end;
    errno = 0;
    long ms = strtol(v, &end, 10);
    if (errno || *end || !v[0] || ms < 10 || ms > 3600000) {
        fprintf(stderr,
                "gregor node: %s must be a number of milliseconds from 10 to 3600000, not '%s'\n",
                name, v);
        return GREGOR_EXIT_FAILURE;
    }
    *out = ms;
    return 0;
}

static int valid_node_name(const char *s) {
    if (!s[0] || strlen(s) > 200) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

int gregor_cmd_node(int argc, char **argv) {
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},
        {"node-name", required_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gregor_apps apps = {0};
    const char *config_path = NULL;
    char node_name[256] = "";
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = gregor_apps_add(&apps, "node", optarg))) return rc;
            break;
        case 'n': snprintf(node_name, sizeof node_name, "%s", optarg); break;
        case 'c': config_path = optarg; break;
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("node", c, argv);
        }
    }
    if (optind < argc) return gregor_usage_error("node", "unexpected argument '%s'", argv[optind]);
    if (!node_name[0] && gethostname(node_name, sizeof node_name - 1) != 0)
        snprintf(node_name, sizeof node_name, "node");
    if (!valid_node_name(node_name)) {
        fprintf(stderr, "gregor node: the node name '%s' must be 1..200 of [A-Za-z0-9._-]\n",
                node_name);
        return GREGOR_EXIT_USAGE;
    }
    mm_node_options o = {.node_name = node_name};
    const char *sm = getenv("MM_NODE_STATIC_MEMBERSHIP");
    if (sm && strcmp(sm, "0") != 0 && strcmp(sm, "1") != 0) {
        fprintf(stderr, "gregor node: MM_NODE_STATIC_MEMBERSHIP must be 0 or 1, not '%s'\n", sm);
        return GREGOR_EXIT_FAILURE;
    }
    o.dynamic_members = sm && strcmp(sm, "0") == 0;
    const char *mc = getenv("MM_NODE_MAX_CRASHES");
    if (mc) {
        char *end;
        errno = 0;
        long v = strtol(mc, &end, 10);
        if (errno || *end || !mc[0] || v < 1 || v > 1000) {
            fprintf(stderr,
                    "gregor node: MM_NODE_MAX_CRASHES must be a number from 1 to 1000, not '%s'\n",
                    mc);
            return GREGOR_EXIT_FAILURE;
        }
        o.max_crashes = (unsigned)v;
    }
    /* The argument area (from the program name to the end of the last
     * argument, contiguous in memory): workers rewrite their copy of it so
     * that ps names them. main() passes argv + 1. */
    if (argc > 0) {
        /* getopt may have reordered the pointers, never the strings. */
        char *lo = argv[-1], *hi = argv[-1] + strlen(argv[-1]) + 1;
        for (int i = 0; i < argc; i++) {
            if (argv[i] < lo) lo = argv[i];
            if (argv[i] + strlen(argv[i]) + 1 > hi) hi = argv[i] + strlen(argv[i]) + 1;
        }
        o.title = lo;
        o.title_size = (size_t)(hi - lo);
    }
    if ((rc = env_ms("MM_NODE_STATUS_INTERVAL_MS", &o.status_interval_ms)) ||
        (rc = env_ms("MM_NODE_STATUS_TTL_MS", &o.status_ttl_ms)))
        return rc;
    if (o.status_ttl_ms &&
        o.status_ttl_ms <= (o.status_interval_ms ? o.status_interval_ms : 2000)) {
        fprintf(stderr, "gregor node: MM_NODE_STATUS_TTL_MS must be longer than the refresh period "
                        "(MM_NODE_STATUS_INTERVAL_MS, default 2000), or the node would flicker out "
                        "of the map\n");
        return GREGOR_EXIT_FAILURE;
    }

    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("node", &apps, 1, config_path, &app, &cfg))) return rc;
    char err[1024];
    int status = GREGOR_EXIT_FAILURE;
    mm_plan plan = {0};
    mm_gql_schema *schema = NULL;
    /* Everything is checked before any process starts. */
    if (mm_plan_build(cfg, app.services, app.service_count, &plan, err, sizeof err) != 0) {
        fprintf(stderr, "gregor node: %s\n", err);
        goto out;
    }
    schema =
        mm_services_build_schema(app.services, app.service_count, NULL, 0, NULL, err, sizeof err);
    if (!schema) {
        fprintf(stderr, "gregor node: %s\n", err);
        goto out;
    }
    o.config = cfg;
    o.services = app.services;
    o.service_count = app.service_count;
    o.schema = schema;
    o.plan = &plan;
    err[0] = '\0';
    status = mm_node_run(&o, err, sizeof err);
    if (status && err[0]) fprintf(stderr, "gregor node: %s\n", err);
out:
    mm_plan_free(&plan);
    mm_gql_schema_free(schema);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
