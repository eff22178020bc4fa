/* cmd_status.c -- `gregor status`: the service web as the nodes report it
 * in Redis (docs/redis-keys.md): nodes, their consumers and processes. */
#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "common/json_writer.h"
#include "node/status_store.h"

static void usage(FILE *out) {
    fprintf(out, "Usage: gregor status [--config FILE] [--json] [--help]\n"
                 "\n"
                 "Print every live node of the service web (its status in Redis): host, load,\n"
                 "memory, then per consumer the desired process count and harakiri settings, and\n"
                 "per worker process its pid, messages handled, CPU seconds and RSS.\n"
                 "\n"
                 "Options:\n"
                 "  --config FILE  configuration YAML (Redis status URL, service-web topic)\n"
                 "  --json         print the documents as a JSON array instead of a table\n"
                 "  -h, --help     show this help\n");
}

static double num(json_t *o, const char *key) {
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static const char *str(json_t *o, const char *key) {
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "-";
}

static void print_optional(char *buf, size_t size, json_t *v) {
    if (json_is_integer(v))
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
    else
        snprintf(buf, size, "-");
}

static void print_table(json_t *nodes) {
    if (json_array_size(nodes) == 0) {
        printf("no live nodes\n");
        return;
    }
    size_t i, j, k;
    json_t *node, *cons, *proc;
    json_array_foreach(nodes, i, node) {
        printf("NODE %s  host=%s pid=%lld state=%s load=%.2f/%.2f/%.2f mem=%.1f%% disk=%.1f%% "
               "updated=%s\n",
               str(node, "name"), str(node, "hostname"), (long long)num(node, "pid"),
               str(node, "state"), num(node, "loadAvg1"), num(node, "loadAvg5"),
               num(node, "loadAvg15"), num(node, "memPct"), num(node, "diskUsagePct"),
               str(node, "updatedAt"));
        json_array_foreach(json_object_get(node, "consumers"), j, cons) {
            char limit[32], jitter[32], age[32];
            print_optional(limit, sizeof limit, json_object_get(cons, "harakiriLimit"));
            print_optional(jitter, sizeof jitter, json_object_get(cons, "harakiriJitter"));
            print_optional(age, sizeof age, json_object_get(cons, "maxAgeSeconds"));
            json_t *procs = json_object_get(cons, "processes");
            char harakiri[80];
            if (strcmp(limit, "-") == 0)
                snprintf(harakiri, sizeof harakiri, "none");
            else if (strcmp(jitter, "-") == 0)
                snprintf(harakiri, sizeof harakiri, "%s", limit);
            else
                snprintf(harakiri, sizeof harakiri, "%s+-%s", limit, jitter);
            printf("  %s.%s  processes=%zu/%lld harakiri=%s maxAge=%s started=%lld\n",
                   str(cons, "microservice"), str(cons, "name"), json_array_size(procs),
                   (long long)num(cons, "processCount"), harakiri, age,
                   (long long)num(cons, "processesStarted"));
            if (json_array_size(procs))
                printf("    %8s %10s %9s %9s %9s %10s  %s\n", "PID", "MESSAGES", "LIMIT", "USER s",
                       "SYS s", "RSS KiB", "STARTED");
            json_array_foreach(procs, k, proc) {
                char plimit[32];
                print_optional(plimit, sizeof plimit, json_object_get(proc, "harakiriLimit"));
                printf("    %8lld %10lld %9s %9.2f %9.2f %10lld  %s%s\n",
                       (long long)num(proc, "pid"), (long long)num(proc, "messagesProcessed"),
                       plimit, num(proc, "user"), num(proc, "system"),
                       (long long)num(proc, "rss") / 1024, str(proc, "startedAt"),
                       json_is_true(json_object_get(proc, "stopping")) ? " (stopping)" : "");
            }
        }
    }
}

/* v indented by two spaces per level, like json_dumps(JSON_INDENT(2)), but
 * with numbers as their shortest round-trip text (0.49, not jansson's
 * 0.48999999999999999). Depth is bounded by the status document's shape. */
static void put_indented(mm_json_writer *w, const json_t *v, int depth) {
    assert(depth < MM_JSON_TEXT_MAX_DEPTH);
    const char *key;
    json_t *item;
    size_t i, n = 0;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        if (json_object_size(v) == 0) {
            mm_json_put(w, "{}", 2);
            return;
        }
        mm_json_put_char(w, '{');
        json_object_foreach((json_t *)v, key, item) {
            if (n++) mm_json_put_char(w, ',');
            mm_json_put_char(w, '\n');
            for (int d = 0; d <= depth; d++) mm_json_put(w, "  ", 2);
            mm_json_put_string(w, key, strlen(key));
            mm_json_put(w, ": ", 2);
            put_indented(w, item, depth + 1);
        }
        mm_json_put_char(w, '\n');
        for (int d = 0; d < depth; d++) mm_json_put(w, "  ", 2);
        mm_json_put_char(w, '}');
        return;
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            mm_json_put(w, "[]", 2);
            return;
        }
        mm_json_put_char(w, '[');
        json_array_foreach(v, i, item) {
            if (i) mm_json_put_char(w, ',');
            mm_json_put_char(w, '\n');
            for (int d = 0; d <= depth; d++) mm_json_put(w, "  ", 2);
            put_indented(w, item, depth + 1);
        }
        mm_json_put_char(w, '\n');
        for (int d = 0; d < depth; d++) mm_json_put(w, "  ", 2);
        mm_json_put_char(w, ']');
        return;
    default:
        mm_json_put_value(w, v); /* leaves: JavaScript's number text */
        return;
    }
}

int gregor_cmd_status(int argc, char **argv) {
    static const struct option options[] = {
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *config_path = NULL;
    int as_json = 0;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'c': config_path = optarg; break;
        case 'j': as_json = 1; break;
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("status", c, argv);
        }
    }
    if (optind < argc)
        return gregor_usage_error("status", "unexpected argument '%s'", argv[optind]);
    gregor_apps apps = {0};
    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("status", &apps, 0, config_path, &app, &cfg))) return rc;
    char err[512];
    int status = GREGOR_EXIT_FAILURE;
    json_t *nodes = NULL;
    mm_status_store *st =
        mm_status_store_new(cfg->redis_status_url, cfg->service_web_topic, err, sizeof err);
    if (!st || mm_status_store_read(st, &nodes, err, sizeof err) != 0) {
        fprintf(stderr, "gregor status: %s\n", err);
    } else {
        if (as_json) {
            mm_json_writer w = MM_JSON_WRITER_INIT;
            put_indented(&w, nodes, 0);
            char *text = mm_json_writer_take(&w, NULL);
            if (text) puts(text);
            free(text);
        } else {
            printf("service web %s\n", cfg->service_web_topic);
            print_table(nodes);
        }
        status = GREGOR_EXIT_OK;
    }
    json_decref(nodes);
    mm_status_store_free(st);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
