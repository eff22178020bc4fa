/* cmd_serve.c -- `gregor serve`: argument parsing around mm_server_* (the
 * library-level server, src/server/): the GraphQL HTTP server for every
 * loaded service, one schema, until SIGINT/SIGTERM (then a graceful stop).
 *
 * stdout carries one machine-readable line once the server listens,
 * "graphql: http://HOST:PORT/PATH", so scripts and tests can find it (and,
 * in manager mode, "manager: http://HOST:PORT/manager" just before it). */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "cli_common.h"
#include "commands.h"
#include "common/log.h"
#include "server/server.h"

/* How long in-flight requests get to finish after SIGTERM. */
#define SHUTDOWN_GRACE_MS 10000

static void usage(FILE *out) {
    fprintf(
        out,
        "Usage: gregor serve --app SERVICE.so [--app ...] [--config FILE] [--listen HOST:PORT]\n"
        "                    [--graphiql-dir DIR] [--manager [--auth-code-file FILE]] [--help]\n"
        "\n"
        "Serve one GraphQL endpoint for every loaded service: queries, event mutations\n"
        "(published to Kafka; synchronous ones wait for their consumer's result in\n"
        "Redis) and GraphiQL for browsers. Stops gracefully on Ctrl-C or SIGTERM.\n"
        "\n"
        "Options:\n"
        "  --app PATH           a service shared object (repeatable)\n"
        "  --config FILE        configuration YAML (default: built-in defaults)\n"
        "  --listen HOST:PORT   listen address (default: http.listen, 127.0.0.1:8000;\n"
        "                       PORT 0 picks a free port)\n"
        "  --graphiql-dir DIR   where GraphiQL's assets are (default: next to gregor)\n"
        "  --manager            manager mode (also manager.enabled): the service-web\n"
        "                       fields (stopConsumer, adjustConsumer, nodes, ...) and\n"
        "                       the dashboard at /manager; needs an auth code\n"
        "  --auth-code-file FILE  read the manager's auth code from FILE (first line);\n"
        "                       else manager.auth_code or MM_MANAGER_AUTH_CODE\n"
        "  -h, --help           show this help\n"
        "\n"
        "Environment: MM_KAFKA_BOOTSTRAP_SERVERS, MM_REDIS_URL, MM_HTTP_LISTEN and the\n"
        "rest of docs/configuration.md override the file.\n"
        "Prints \"graphql: http://HOST:PORT/graphql\" on stdout once it listens.\n");
}

/* Reads the auth code: the file's first line without trailing white space.
 * Returns a malloc'd string, or NULL after printing why. */
static char *read_auth_code_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "gregor serve: cannot read the auth code file %s: %m\n", path);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    while (n > 0 && isspace((unsigned char)line[n - 1])) line[--n] = '\0';
    if (n <= 0) {
        fprintf(stderr, "gregor serve: the auth code file %s is empty\n", path);
        free(line);
        return NULL;
    }
    return line;
}

/* The length of "HOST:PORT" in "http://HOST:PORT/path". */
static size_t url_authority_len(const char *url) {
    const char *a = url + strlen("http://");
    const char *slash = strchr(a, '/');
    return slash ? (size_t)(slash - a) : strlen(a);
}

/* Wipes and frees a secret. */
static void free_secret(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

static mm_server *volatile stop_target;

/* Waits for SIGINT/SIGTERM (blocked in every thread) and stops the server. */
static void *signal_main(void *arg) {
    (void)arg;
    int sig = gregor_wait_signal();
    mm_log_info("msg=\"signal\" signal=%d", sig);
    mm_server_stop(stop_target);
    return NULL;
}

int gregor_cmd_serve(int argc, char **argv) {
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},    {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'}, {"graphiql-dir", required_argument, NULL, 'g'},
        {"manager", no_argument, NULL, 'm'},      {"auth-code-file", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    gregor_apps apps = {0};
    const char *config_path = NULL, *listen = NULL, *graphiql_dir = NULL, *auth_code_file = NULL;
    int manager_flag = 0;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = gregor_apps_add(&apps, "serve", optarg))) return rc;
            break;
        case 'c': config_path = optarg; break;
        case 'l': listen = optarg; break;
        case 'g': graphiql_dir = optarg; break;
        case 'm': manager_flag = 1; break;
        case 'A': auth_code_file = optarg; break;
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("serve", c, argv);
        }
    }
    if (optind < argc) return gregor_usage_error("serve", "unexpected argument '%s'", argv[optind]);

    gregor_block_signals(); /* before any thread starts */
    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("serve", &apps, 1, config_path, &app, &cfg))) return rc;

    int status = GREGOR_EXIT_FAILURE;
    char err[1024];
    char *auth_code = NULL;
    int manager_on = manager_flag || cfg->manager_enabled;
    if (manager_on && auth_code_file && !(auth_code = read_auth_code_file(auth_code_file)))
        goto out;
    mm_server_options so = {
        .listen = listen,
        .graphiql_dir = graphiql_dir,
        .manager = manager_flag,
        .manager_auth_code = auth_code,
        .shutdown_grace_ms = SHUTDOWN_GRACE_MS,
    };
    mm_server *server =
        mm_server_open_config(app.services, app.service_count, cfg, &so, err, sizeof err);
    if (!server) {
        fprintf(stderr, "gregor serve: %s\n", err);
        if (listen && strstr(err, "is not HOST:PORT")) status = GREGOR_EXIT_USAGE;
        goto out;
    }
    if (manager_on)
        printf("manager: http://%.*s/manager\n",
               (int)url_authority_len(mm_server_graphql_url(server)),
               mm_server_graphql_url(server) + strlen("http://"));
    printf("graphql: %s\n", mm_server_graphql_url(server));
    fflush(stdout);

    stop_target = server;
    pthread_t waiter;
    if (pthread_create(&waiter, NULL, signal_main, NULL) != 0) {
        fprintf(stderr, "gregor serve: cannot start the signal thread\n");
        mm_server_free(server);
        goto out;
    }
    mm_server_run(server);
    pthread_join(waiter, NULL);
    mm_server_free(server);
    status = GREGOR_EXIT_OK;
out:
    free_secret(auth_code);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
