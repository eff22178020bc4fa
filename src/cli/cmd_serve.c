/* cmd_serve.c -- `gregor serve`: the GraphQL HTTP server for every loaded
 * service, one schema, until SIGINT/SIGTERM (then a graceful stop).
 *
 * stdout carries one machine-readable line once the server listens,
 * "graphql: http://HOST:PORT/PATH", so scripts and tests can find it (and,
 * in manager mode, "manager: http://HOST:PORT/manager" just before it). */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "common/log.h"
#include "http/http_server.h"
#include "http/persisted_queries.h"
#include "manager/manager.h"
#include "service/apq_redis.h"
#include "service/gateway.h"
#include "service/runtime.h"
#include "service/schema_merge.h"
#include "service/service_internal.h"
#include "service/subscriptions.h"

/* How long in-flight requests get to finish after SIGTERM. */
#define SHUTDOWN_GRACE_MS 10000

static void usage(FILE *out) {
    fprintf(out,
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

/* Wipes and frees a secret. */
static void free_secret(char *s) {
    if (!s) return;
    volatile char *p = s;
    while (*p) *p++ = 0;
    free(s);
}

typedef struct serve_ready {
    mm_runtime *rt;
    mm_subscriptions *subs;
} serve_ready;

/* A limit from the environment (docs/subscriptions.md); 0 when unset. */
static unsigned long env_limit(const char *name) {
    const char *v = getenv(name);
    return v && *v ? strtoul(v, NULL, 10) : 0;
}

/* /readyz: ready once the result notifications are subscribed in Redis and
 * the subscribed topics are read. */
static int ready(void *ud, char *reason, size_t reason_size) {
    serve_ready *sr = ud;
    mm_runtime *rt = sr->rt;
    if (sr->subs && !mm_subscriptions_ready(sr->subs, reason, reason_size)) return 0;
    mm_notifier_stats st;
    mm_notifier_get_stats(rt->notifier, &st);
    if (st.subscribes == 0) {
        snprintf(reason, reason_size, "not subscribed to result notifications in Redis yet");
        return 0;
    }
    return 1;
}

int gregor_cmd_serve(int argc, char **argv) {
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},
        {"config", required_argument, NULL, 'c'},
        {"listen", required_argument, NULL, 'l'},
        {"graphiql-dir", required_argument, NULL, 'g'},
        {"manager", no_argument, NULL, 'm'},
        {"auth-code-file", required_argument, NULL, 'A'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
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

    char host[256];
    unsigned port;
    const char *addr = listen ? listen : cfg->http_listen;
    if (gregor_parse_host_port(addr, host, sizeof host, &port)) {
        fprintf(stderr, "gregor serve: listen address '%s' is not HOST:PORT\n", addr);
        mm_app_free(&app);
        mm_config_free(cfg);
        return listen ? GREGOR_EXIT_USAGE : GREGOR_EXIT_FAILURE;
    }

    int status = GREGOR_EXIT_FAILURE;
    char err[1024];
    /* Manager mode: refuse to start without an auth code, before connecting. */
    int manager_on = manager_flag || cfg->manager_enabled;
    char *auth_code = NULL, *dashboard_page = NULL;
    mm_manager *manager = NULL;
    if (manager_on) {
        if (auth_code_file) {
            if (!(auth_code = read_auth_code_file(auth_code_file))) goto out_app;
        } else if (cfg->manager_auth_code && cfg->manager_auth_code[0]) {
            auth_code = strdup(cfg->manager_auth_code);
        }
        if (!auth_code) {
            fprintf(stderr, "gregor serve: manager mode needs an auth code: set manager.auth_code in the config, "
                            "MM_MANAGER_AUTH_CODE, or --auth-code-file FILE (there is no default)\n");
            goto out_app;
        }
    }
    mm_runtime rt;
    mm_gql_schema *schema = NULL;
    mm_http_server *server = NULL;
    mm_gateway gw = {0};
    mm_pq *pq = NULL; /* persisted queries: APQ and trusted documents */
    mm_subscriptions *subs = NULL;
    serve_ready sr = {.rt = &rt};
    if (mm_runtime_open(&rt, cfg, MM_RUNTIME_SERVER, app.services, app.service_count, err, sizeof err)) {
        fprintf(stderr, "gregor serve: %s\n", err);
        goto out_app;
    }
    mm_schema_extra extras[1];
    size_t extra_count = 0;
    if (manager_on) {
        mm_manager_options mo = {
            .auth_code = auth_code,
            .auth_for_queries = cfg->manager_auth_for_queries,
            .service_web_topic = cfg->service_web_topic,
            .status_redis_url = cfg->redis_status_url,
            .producer = rt.producer,
            .kafka_bootstrap = cfg->kafka_bootstrap_servers,
            .kafka_props = rt.kafka_props,
            .kafka_prop_count = rt.kafka_prop_count,
        };
        manager = mm_manager_new(&mo, err, sizeof err);
        if (!manager) {
            fprintf(stderr, "gregor serve: %s\n", err);
            goto out_runtime;
        }
        extras[extra_count++] = mm_manager_schema_extra(manager);
    }
    schema = mm_services_build_schema(app.services, app.service_count, extras, extra_count, &rt, err, sizeof err);
    if (!schema) {
        fprintf(stderr, "gregor serve: %s\n", err);
        goto out_runtime;
    }
    gw = (mm_gateway){.schema = schema, .dispatch = rt.dispatch, .context = &rt};
    mm_graphql_options_init(&gw.options);
    /* Clients repeat the same few documents: parse and validate each once. */
    gw.options.cache = mm_graphql_cache_new_bounded(512, (size_t)cfg->graphql_document_cache_bytes);
    gw.options.max_cost = (size_t)cfg->graphql_max_cost;
    gw.options.max_field_resolutions = (uint64_t)cfg->graphql_max_field_resolutions;
    gw.options.max_response_bytes = (size_t)cfg->graphql_max_response_bytes;
    gw.options.execution_timeout_ms = (unsigned)cfg->graphql_execution_timeout_ms;
    gw.options.stop_at_ns = &gw.stop_at_ns;

    mm_http_config hc;
    mm_http_config_init(&hc);
    hc.host = host;
    hc.port = (uint16_t)port;
    hc.graphql_path = cfg->http_graphql_path;
    hc.threads = (unsigned)cfg->http_threads;
    hc.max_body_bytes = (size_t)cfg->http_max_body_bytes;
    /* 0 keeps the server's default (docs/http.md). */
    hc.max_header_bytes = (size_t)cfg->http_max_header_bytes;
    hc.max_url_bytes = (size_t)cfg->http_max_url_bytes;
    hc.max_connections = (unsigned)cfg->http_max_connections;
    hc.max_connections_per_ip = (unsigned)cfg->http_max_connections_per_ip;
    hc.header_timeout_ms = (unsigned)cfg->http_header_timeout_ms;
    hc.connection_timeout_s = (unsigned)cfg->http_idle_timeout_s;
    hc.max_requests_per_connection = (unsigned)cfg->http_max_requests_per_connection;
    hc.cors_origins = cfg->http_cors_origins;
    /* The HTTP deadline must outlast every mutation's own timeout so that a
     * caller gets the timeout error that names the event id. */
    long longest = cfg->sync_timeout_ms;
    for (size_t i = 0; i < app.service_count; i++)
        for (size_t j = 0; j < app.services[i]->mutation_count; j++)
            if (app.services[i]->mutations[j]->timeout_ms > longest)
                longest = app.services[i]->mutations[j]->timeout_ms;
    /* ...and the publish itself, which Kafka may retry for message.timeout.ms
     * (30 s unless configured): an async mutation waits for that ack, and a
     * 504 without the event id would invite a duplicate retry. */
    long publish_ms = 30000;
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        if (strcmp(cfg->kafka_properties[i].key, "message.timeout.ms") == 0)
            publish_ms = strtol(cfg->kafka_properties[i].value, NULL, 10);
    if (publish_ms > longest) longest = publish_ms;
    hc.request_timeout_ms = (unsigned)(longest + 5000);
    hc.graphiql_dir = graphiql_dir;
    mm_subscriptions_options so = {
        .schema = schema,
        .graphql = &gw.options,
        .rt = &rt,
        .max_subscriptions = (unsigned)env_limit("MM_SUBSCRIPTIONS_MAX"),
        .max_per_connection = (unsigned)env_limit("MM_SUBSCRIPTIONS_PER_CONNECTION"),
        .max_queue_bytes = (size_t)env_limit("MM_SUBSCRIPTIONS_QUEUE_BYTES"),
        .keepalive_ms = (unsigned)env_limit("MM_SUBSCRIPTIONS_KEEPALIVE_MS"),
        .result_timeout_ms = (unsigned)env_limit("MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS"),
    };
    if (!(pq = mm_persisted_queries_open(cfg, err, sizeof err))) {
        fprintf(stderr, "gregor serve: %s\n", err);
        goto out_server;
    }
    so.pq = pq;
    if (!(subs = mm_subscriptions_new(&so, err, sizeof err))) {
        fprintf(stderr, "gregor serve: %s\n", err);
        goto out_server;
    }
    sr.subs = subs;
    hc.streams = mm_subscriptions_hooks(subs);
    hc.ready_fn = ready;
    hc.ready_ud = &sr;
    mm_http_page dashboard = {"/manager", "text/html; charset=utf-8", NULL, 0};
    if (manager_on) {
        /* The server keeps its own copy of the page. */
        dashboard_page = mm_manager_dashboard_page(cfg->http_graphql_path, &dashboard.body_len);
        if (!dashboard_page) {
            fprintf(stderr, "gregor serve: out of memory\n");
            goto out_server;
        }
        dashboard.body = dashboard_page;
        hc.pages = &dashboard;
        hc.page_count = 1;
    }
    mm_pq_handler pq_handler = {.pq = pq, .inner = mm_gateway_handle, .inner_ud = &gw};
    server = mm_http_server_new(&hc, mm_pq_handle, &pq_handler);
    if (!server || mm_http_server_start(server) != 0) {
        char why[256];
        fprintf(stderr, "gregor serve: cannot listen on %s:%u: %s\n", host, port,
                gregor_listen_error(host, port, why, sizeof why));
        goto out_server;
    }
    if (mm_subscriptions_start(subs, server) != 0) {
        fprintf(stderr, "gregor serve: cannot start the subscriptions' Kafka reader\n");
        goto out_server;
    }
    if (manager_on) printf("manager: http://%s:%u/manager\n", host, (unsigned)mm_http_server_port(server));
    printf("graphql: http://%s:%u%s\n", host, (unsigned)mm_http_server_port(server),
           cfg->http_graphql_path);
    fflush(stdout);
    mm_log_info("msg=\"serving\" services=%zu kafka=%s manager=%s", app.service_count, cfg->kafka_bootstrap_servers,
                manager_on ? "on" : "off");

    int sig = gregor_wait_signal();
    mm_log_info("msg=\"stopping\" signal=%d", sig);
    /* A runaway execution stops before the drain deadline, so the HTTP
     * threads running it can be joined in time. Executing is CPU work of
     * milliseconds; the second half of the grace is for the resolver call
     * in progress (the engine stops between fields) and the answer, while
     * requests waiting for a result keep the whole grace. */
    mm_gateway_stop_by(&gw, SHUTDOWN_GRACE_MS / 2);
    mm_subscriptions_stop(subs); /* no more events; the server's stop completes every subscription */
    mm_http_server_stop(server, SHUTDOWN_GRACE_MS);
    status = GREGOR_EXIT_OK;
out_server:
    mm_subscriptions_stop(subs);
    mm_http_server_free(server);
    mm_subscriptions_free(subs);
    mm_pq_free(pq);
    free(dashboard_page);
    mm_graphql_cache_free(gw.options.cache);
    mm_gql_schema_free(schema);
out_runtime:
    mm_manager_free(manager);
    mm_runtime_close(&rt);
out_app:
    free_secret(auth_code);
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
