/* test_manager.c -- manager mode of `gregor serve` end to end: a real
 * `gregor node` running the test service (mod_managertest.c), a real
 * `gregor serve --manager`, the real Kafka and Redis of the test run, and
 * GraphQL over HTTP in between.
 *
 * Proves: manager mode refuses to start without an auth code (and with an
 * empty code file); the queries return the live map (nodes, consumers,
 * processes, serviceWeb) with the right counts and follow messages handled;
 * every mutation with a wrong code gets UNAUTHORIZED, publishes nothing
 * (the service-web topic's high watermark does not move), changes nothing
 * on the node and never shows the code in the server's log; queries without
 * the code are refused; adjustConsumer raises and lowers the process count
 * and sets harakiri; stopConsumerProcess recycles exactly that pid and the
 * ConsumerProcessFinished event shows up in serviceWeb.finishedProcesses;
 * killConsumer and stopConsumer bring a consumer to zero; stopNode and
 * killNode end their node (exit 0 / 1) and it leaves the map; the server
 * stops cleanly (status 0, so no sanitizer report).
 *
 * Own names everywhere (service-web topic, event topic, group, node names)
 * and Redis database REDIS_DB, so it shares the servers with other tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mm_test.h"

#define REDIS_DB "12"
#define CODE     "c0rrect-horse-battery"
#define WRONG    "c0rrect-horse-batterx"

static char mod_so[1024];
static char web_topic[256], topic[256], group[256], node1[128], node2[128];
static char server_log[256], node_config[256];
static mm_test_child server, node_a;
static uint16_t port;

/* ---- HTTP ---------------------------------------------------------------- */

/* POSTs a GraphQL request; returns the response document. */
static json_t *gql_vars(const char *query, json_t *variables) {
    json_t *req = json_pack("{s:s}", "query", query);
    if (variables) json_object_set_new(req, "variables", variables);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char head[256];
    int n =
        snprintf(head, sizeof head,
                 "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 "Accept: application/json\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n",
                 strlen(body));
    assert_int_equal(write(fd, head, (size_t)n), n);
    assert_int_equal(write(fd, body, strlen(body)), (ssize_t)strlen(body));
    free(body);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) len += (size_t)got;
    buf[len] = '\0';
    close(fd);
    char *start = strstr(buf, "\r\n\r\n");
    assert_non_null(start);
    json_error_t e;
    json_t *doc = json_loads(start + 4, 0, &e);
    if (!doc) fail_msg("not JSON: %s", buf);
    free(buf);
    return doc;
}

static json_t *gql(const char *query) { return gql_vars(query, NULL); }

/* The data of a response that must have no errors. */
static json_t *gql_ok(const char *query) {
    json_t *doc = gql(query);
    if (json_object_get(doc, "errors")) {
        char *t = json_dumps(doc, 0);
        fail_msg("%s -> %s", query, t);
    }
    return doc;
}

static const char *first_error_code(json_t *doc) {
    json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
    return json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
}

/* ---- the service web as the API shows it --------------------------------- */

/* The consumer `name` of node `node` from the consumers query (new ref), or NULL. */
static json_t *consumer(const char *node, const char *name) {
    char q[512];
    snprintf(
        q, sizeof q,
        "{ consumers(authCode: \"" CODE "\", nodeName: \"%s\", consumerName: \"%s\") "
        "{ node name microservice processCount runningProcessCount harakiriLimit harakiriJitter "
        "processes { pid messagesProcessed node consumer rss updatedDate } } }",
        node, name);
    json_t *doc = gql_ok(q);
    json_t *list = json_object_get(json_object_get(doc, "data"), "consumers");
    json_t *c = json_array_size(list) == 1 ? json_incref(json_array_get(list, 0)) : NULL;
    json_decref(doc);
    return c;
}

static long running(const char *node, const char *name) {
    json_t *c = consumer(node, name);
    long n = c ? (long)json_array_size(json_object_get(c, "processes")) : -1;
    json_decref(c);
    return n;
}

/* Waits until consumer name on node runs want processes; fails after timeout. */
static void wait_running(const char *node, const char *name, long want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    long got = -1;
    while (mm_test_now_ms() < deadline) {
        if ((got = running(node, name)) == want) return;
        usleep(100 * 1000);
    }
    fail_msg("%s on %s: %ld processes, wanted %ld", name, node, got, want);
}

static int node_listed(const char *node) {
    char q[256];
    snprintf(q, sizeof q, "{ nodes(authCode: \"" CODE "\", name: \"%s\") { name } }", node);
    json_t *doc = gql_ok(q);
    int n = (int)json_array_size(json_object_get(json_object_get(doc, "data"), "nodes"));
    json_decref(doc);
    return n;
}

static int64_t web_high_watermark(void) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    assert_non_null(rk);
    int64_t low = 0, high = -1;
    assert_int_equal(rd_kafka_query_watermark_offsets(rk, web_topic, 0, &low, &high, 10000), 0);
    rd_kafka_destroy(rk);
    return high;
}

/* ---- processes ------------------------------------------------------------ */

static int spawn_node(mm_test_child *child, const char *name) {
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    mod_so,
                    "--node-name",
                    (char *)name,
                    "--config",
                    node_config,
                    NULL};
    if (mm_test_child_spawn(child, argv)) return -1;
    char line[256];
    return mm_test_child_wait_line(child, "node ready: ", line, sizeof line, 30000);
}

static int wait_exit(mm_test_child *child, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    int ws = 0;
    pid_t r;
    while ((r = waitpid(child->pid, &ws, WNOHANG)) == 0 && mm_test_now_ms() < deadline)
        usleep(20 * 1000);
    if (r != child->pid) return -1;
    child->pid = 0;
    if (child->out_fd >= 0) close(child->out_fd);
    child->out_fd = -1;
    return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static char *read_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return strdup("");
    char *buf = calloc(1, 1 << 22);
    size_t n = fread(buf, 1, (1 << 22) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int setup(void **state) {
    (void)state;
    const char *bin = mm_test_binary_dir();
    snprintf(mod_so, sizeof mod_so, "%s/tests/mod_managertest.so", bin);
    char redis_url[256];
    snprintf(redis_url, sizeof redis_url, "%s/" REDIS_DB, mm_test_redis_url());
    char *w = mm_test_unique_name("mmtest-mgr-web"), *t = mm_test_unique_name("mmtest-mgr"),
         *g = mm_test_unique_name("mmtest-mgr-group"), *n1 = mm_test_unique_name("mgr-node-a"),
         *n2 = mm_test_unique_name("mgr-node-b");
    snprintf(web_topic, sizeof web_topic, "%s", w);
    snprintf(topic, sizeof topic, "%s", t);
    snprintf(group, sizeof group, "%s", g);
    snprintf(node1, sizeof node1, "%s", n1);
    snprintf(node2, sizeof node2, "%s", n2);
    free(w), free(t), free(g), free(n1), free(n2);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_SERVICE_WEB_TOPIC", web_topic, 1);
    setenv("MMTEST_MANAGER_TOPIC", topic, 1);
    setenv("MMTEST_MANAGER_GROUP", group, 1);
    setenv("MM_LOG_LEVEL", "info", 1);
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000", 1);
    setenv("MM_NODE_STATUS_INTERVAL_MS", "300", 1);
    unsetenv("MM_MANAGER_AUTH_CODE");
    if (mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), web_topic, 1) ||
        mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), topic, 2))
        return -1;

    snprintf(node_config, sizeof node_config, "/tmp/%s.yaml", node1);
    write_file(node_config, "mmtest_manager:\n  crunch: {procs: 1}\n  idle: {procs: 1}\n");
    if (spawn_node(&node_a, node1)) return -1;

    /* The server's stderr goes to a file so the test can read its log. */
    snprintf(server_log, sizeof server_log, "/tmp/%s-serve.log", node1);
    char script[1024];
    snprintf(script, sizeof script,
             "exec \"$0\" serve --app \"$1\" --manager --listen 127.0.0.1:0 2>\"$2\"");
    setenv("MM_MANAGER_AUTH_CODE", CODE, 1);
    char *argv[] = {"/bin/sh", "-c", script, (char *)mm_test_gregor(), mod_so, server_log, NULL};
    int rc = mm_test_child_spawn(&server, argv);
    unsetenv("MM_MANAGER_AUTH_CODE");
    if (rc) return -1;
    char line[256];
    if (mm_test_child_wait_line(&server, "graphql: http://127.0.0.1:", line, sizeof line, 30000))
        return -1;
    port = (uint16_t)atoi(line);
    return port ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    if (server.pid > 0) mm_test_child_stop(&server, SIGTERM, 15000);
    if (node_a.pid > 0) mm_test_child_stop(&node_a, SIGTERM, 15000);
    unlink(node_config);
    unlink(server_log);
    return 0;
}

/* ---- tests ------------------------------------------------------------------ */

static void test_refuses_to_start_without_code(void **state) {
    (void)state;
    char *out = NULL, *err = NULL;
    char *argv[] = {(char *)mm_test_gregor(),
                    "serve",
                    "--app",
                    mod_so,
                    "--manager",
                    "--listen",
                    "127.0.0.1:0",
                    NULL};
    int rc = mm_test_run(argv, &out, &err, 30000);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "manager mode needs an auth code"));
    free(out), free(err);

    /* manager.enabled in the file does the same. */
    char cfg[256];
    snprintf(cfg, sizeof cfg, "/tmp/%s-mgr.yaml", node1);
    write_file(cfg, "manager:\n  enabled: true\n");
    char *argv2[] = {(char *)mm_test_gregor(),
                     "serve",
                     "--app",
                     mod_so,
                     "--config",
                     cfg,
                     "--listen",
                     "127.0.0.1:0",
                     NULL};
    rc = mm_test_run(argv2, &out, &err, 30000);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "manager mode needs an auth code"));
    free(out), free(err);

    /* An empty code file is no code. */
    write_file(cfg, "\n");
    char *argv3[] = {(char *)mm_test_gregor(), "serve", "--app",    mod_so,        "--manager",
                     "--auth-code-file",       cfg,     "--listen", "127.0.0.1:0", NULL};
    rc = mm_test_run(argv3, &out, &err, 30000);
    assert_int_equal(rc, 1);
    assert_non_null(strstr(err, "is empty"));
    free(out), free(err);
    unlink(cfg);
}

static void test_queries_show_live_map(void **state) {
    (void)state;
    wait_running(node1, "crunch", 1, 20000);
    wait_running(node1, "idle", 1, 20000);
    json_t *doc = gql_ok(
        "{ serviceWeb(authCode: \"" CODE "\") { name nodes { name hostname processCount "
        "microserviceName memTotal loadAvg1 updatedDate consumers { name microservice "
        "processCount runningProcessCount processes { pid rss } } } finishedProcesses { pid } } }");
    json_t *web = json_object_get(json_object_get(doc, "data"), "serviceWeb");
    assert_string_equal(json_string_value(json_object_get(web, "name")), web_topic);
    json_t *nodes = json_object_get(web, "nodes");
    assert_int_equal(json_array_size(nodes), 1);
    json_t *n = json_array_get(nodes, 0);
    assert_string_equal(json_string_value(json_object_get(n, "name")), node1);
    assert_int_equal(json_integer_value(json_object_get(n, "processCount")), 2);
    assert_string_equal(json_string_value(json_object_get(n, "microserviceName")),
                        "mmtest_manager");
    assert_true(json_number_value(json_object_get(n, "memTotal")) > 0);
    assert_true(json_is_string(json_object_get(n, "updatedDate")));
    json_t *consumers = json_object_get(n, "consumers");
    assert_int_equal(json_array_size(consumers), 2);
    json_t *c;
    size_t i;
    json_array_foreach(consumers, i, c) {
        assert_string_equal(json_string_value(json_object_get(c, "microservice")),
                            "mmtest_manager");
        assert_int_equal(json_integer_value(json_object_get(c, "processCount")), 1);
        assert_int_equal(json_integer_value(json_object_get(c, "runningProcessCount")), 1);
        json_t *p = json_array_get(json_object_get(c, "processes"), 0);
        assert_true(json_integer_value(json_object_get(p, "pid")) > 1);
        assert_true(json_number_value(json_object_get(p, "rss")) > 0);
    }
    json_decref(doc);

    /* Filters: nodes(name), consumers by service, processes by service and consumer. */
    assert_int_equal(node_listed(node1), 1);
    assert_int_equal(node_listed("no-such-node"), 0);
    doc = gql_ok("{ a: consumers(authCode: \"" CODE
                 "\", microserviceName: \"mmtest_manager\") { name } "
                 "b: consumers(authCode: \"" CODE "\", microserviceName: \"other\") { name } "
                 "c: consumerProcesses(authCode: \"" CODE
                 "\", microserviceName: \"mmtest_manager\") { pid } "
                 "d: consumerProcesses(authCode: \"" CODE
                 "\", consumerName: \"mmtest_manager.idle\") { pid consumer } }");
    json_t *data = json_object_get(doc, "data");
    assert_int_equal(json_array_size(json_object_get(data, "a")), 2);
    assert_int_equal(json_array_size(json_object_get(data, "b")), 0);
    assert_int_equal(json_array_size(json_object_get(data, "c")), 2);
    assert_int_equal(json_array_size(json_object_get(data, "d")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(data, "d"), 0), "consumer")),
                        "idle");
    json_decref(doc);

    /* The figures follow the work: 20 events handled show up as messagesProcessed. */
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    char err[256];
    rd_kafka_conf_set(kc, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, kc, err, sizeof err);
    assert_non_null(rk);
    for (int k = 0; k < 20; k++) {
        char id[64], value[128];
        snprintf(id, sizeof id, "mgr-event-%d", k);
        snprintf(value, sizeof value, "{\"id\":\"%s\",\"n\":%d}", id, k);
        rd_kafka_headers_t *h = rd_kafka_headers_new(6);
        rd_kafka_header_add(h, "ce_specversion", -1, "1.0", -1);
        rd_kafka_header_add(h, "ce_id", -1, id, -1);
        rd_kafka_header_add(h, "ce_source", -1, "/metamorphosis/mmtest_manager", -1);
        rd_kafka_header_add(h, "ce_type", -1, "ManagerTestEvent", -1);
        rd_kafka_header_add(h, "content-type", -1, "application/json", -1);
        assert_int_equal(
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(id, strlen(id)),
                              RD_KAFKA_V_VALUE(value, strlen(value)), RD_KAFKA_V_HEADERS(h),
                              RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END),
            RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(rk, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_destroy(rk);
    long long deadline = mm_test_now_ms() + 30000;
    long long handled = 0;
    while (mm_test_now_ms() < deadline) {
        json_t *cc = consumer(node1, "crunch");
        handled =
            cc ? json_integer_value(json_object_get(
                     json_array_get(json_object_get(cc, "processes"), 0), "messagesProcessed"))
               : 0;
        json_decref(cc);
        if (handled == 20) break;
        usleep(100 * 1000);
    }
    assert_int_equal(handled, 20);
}

static void test_unauthorized_changes_nothing(void **state) {
    (void)state;
    static const char *const mutations[] = {
        "stopConsumer(authCode: $code, name: \"crunch\") { id }",
        "stopConsumerProcess(authCode: $code, node: \"N\", name: \"crunch\", pid: 1) { id }",
        "stopNode(authCode: $code, name: \"N\") { id }",
        "stopMicroservice(authCode: $code, name: \"mmtest_manager\") { id }",
        "killConsumer(authCode: $code, name: \"crunch\") { id }",
        "killNode(authCode: $code, name: \"N\") { id }",
        "killMicroservice(authCode: $code, name: \"mmtest_manager\") { id }",
        "adjustConsumer(authCode: $code, node: \"N\", name: \"crunch\", processCount: 4) { id }",
    };
    static const char *const wrong_codes[] = {WRONG, "", "c0rrect-horse-battery-and-more", "c"};
    int64_t before = web_high_watermark();
    for (size_t i = 0; i < sizeof mutations / sizeof mutations[0]; i++) {
        for (size_t k = 0; k < sizeof wrong_codes / sizeof wrong_codes[0]; k++) {
            char q[1024];
            snprintf(q, sizeof q, "mutation($code: String!) { %s }", mutations[i]);
            json_t *doc = gql_vars(q, json_pack("{s:s}", "code", wrong_codes[k]));
            const char *code = first_error_code(doc);
            if (!code || strcmp(code, "UNAUTHORIZED") != 0)
                fail_msg("%s with code '%s' was not refused", mutations[i], wrong_codes[k]);
            json_t *data = json_object_get(doc, "data");
            json_t *v;
            const char *key;
            json_object_foreach(data, key, v) assert_true(json_is_null(v));
            json_decref(doc);
        }
    }
    /* Queries: without the code, and with a wrong one. */
    static const char *const queries[] = {
        "{ nodes { name } }", "{ consumers { name } }", "{ consumerProcesses { pid } }",
        "{ serviceWeb { name } }", "{ serviceWeb(authCode: \"" WRONG "\") { name } }"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        json_t *doc = gql(queries[i]);
        const char *code = first_error_code(doc);
        if (!code || strcmp(code, "UNAUTHORIZED") != 0) fail_msg("%s was not refused", queries[i]);
        json_decref(doc);
    }
    /* Nothing was published, nothing changed on the node. */
    assert_int_equal(web_high_watermark(), before);
    usleep(700 * 1000); /* two status refreshes */
    assert_int_equal(running(node1, "crunch"), 1);
    assert_int_equal(running(node1, "idle"), 1);
    /* The log names the refusals, never the codes. */
    char *log = read_file(server_log);
    assert_non_null(strstr(log, "manager: unauthorized"));
    assert_null(strstr(log, WRONG));
    assert_null(strstr(log, CODE));
    assert_null(strstr(log, "c0rrect-horse-battery-and-more"));
    free(log);
}

static void test_mutations_steer_node(void **state) {
    (void)state;
    char q[1024];
    /* Up to 3, with harakiri settings; the answer is what was asked for. */
    snprintf(q, sizeof q,
             "mutation { adjustConsumer(authCode: \"" CODE
             "\", node: \"%s\", name: \"crunch\", processCount: 3, "
             "harakiriCount: 1000, harakiriJitter: 10) { id node name processCount harakiriCount "
             "harakiriJitter } }",
             node1);
    json_t *doc = gql_ok(q);
    json_t *a = json_object_get(json_object_get(doc, "data"), "adjustConsumer");
    assert_int_equal(strlen(json_string_value(json_object_get(a, "id"))), 36);
    assert_string_equal(json_string_value(json_object_get(a, "node")), node1);
    assert_string_equal(json_string_value(json_object_get(a, "name")), "crunch");
    assert_int_equal(json_integer_value(json_object_get(a, "processCount")), 3);
    assert_int_equal(json_integer_value(json_object_get(a, "harakiriCount")), 1000);
    assert_int_equal(json_integer_value(json_object_get(a, "harakiriJitter")), 10);
    json_decref(doc);
    wait_running(node1, "crunch", 3, 20000);
    json_t *c = consumer(node1, "crunch");
    assert_int_equal(json_integer_value(json_object_get(c, "processCount")), 3);
    assert_int_equal(json_integer_value(json_object_get(c, "harakiriLimit")), 1000);
    assert_int_equal(json_integer_value(json_object_get(c, "harakiriJitter")), 10);
    json_decref(c);

    /* Down to 2. */
    snprintf(q, sizeof q,
             "mutation { adjustConsumer(authCode: \"" CODE
             "\", node: \"%s\", name: \"mmtest_manager.crunch\", "
             "processCount: 2) { processCount } }",
             node1);
    json_decref(gql_ok(q));
    wait_running(node1, "crunch", 2, 20000);

    /* stopConsumerProcess recycles exactly that pid. */
    c = consumer(node1, "crunch");
    long pid = (long)json_integer_value(
        json_object_get(json_array_get(json_object_get(c, "processes"), 0), "pid"));
    json_decref(c);
    snprintf(q, sizeof q,
             "mutation { stopConsumerProcess(authCode: \"" CODE
             "\", node: \"%s\", name: \"crunch\", pid: %ld) "
             "{ node name pid } }",
             node1, pid);
    doc = gql_ok(q);
    assert_int_equal(
        json_integer_value(json_object_get(
            json_object_get(json_object_get(doc, "data"), "stopConsumerProcess"), "pid")),
        pid);
    json_decref(doc);
    long long deadline = mm_test_now_ms() + 20000;
    int finished_seen = 0, pid_gone = 0;
    while (mm_test_now_ms() < deadline && !(finished_seen && pid_gone)) {
        doc = gql_ok("{ serviceWeb(authCode: \"" CODE
                     "\") { finishedProcesses { node name microservice pid "
                     "reason exitCode } nodes { consumers { name processes { pid } } } } }");
        json_t *e;
        size_t i;
        json_t *web = json_object_get(json_object_get(doc, "data"), "serviceWeb");
        json_array_foreach(json_object_get(web, "finishedProcesses"), i, e) {
            if (json_integer_value(json_object_get(e, "pid")) == pid) {
                assert_string_equal(json_string_value(json_object_get(e, "reason")), "stopped");
                assert_string_equal(json_string_value(json_object_get(e, "name")), "crunch");
                assert_string_equal(json_string_value(json_object_get(e, "node")), node1);
                finished_seen = 1;
            }
        }
        json_decref(doc);
        c = consumer(node1, "crunch");
        json_t *p;
        int present = 0;
        json_array_foreach(json_object_get(c, "processes"), i, p) present |=
            json_integer_value(json_object_get(p, "pid")) == pid;
        pid_gone = !present && json_array_size(json_object_get(c, "processes")) == 2;
        json_decref(c);
        if (!(finished_seen && pid_gone)) usleep(100 * 1000);
    }
    assert_true(finished_seen);
    assert_true(pid_gone);

    /* killConsumer: idle goes to zero at once; stopConsumer: crunch drains to zero. */
    doc = gql_ok("mutation { killConsumer(authCode: \"" CODE "\", name: \"idle\") { id name } }");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(doc, "data"), "killConsumer"), "name")),
                        "idle");
    json_decref(doc);
    wait_running(node1, "idle", 0, 20000);
    json_decref(
        gql_ok("mutation { stopConsumer(authCode: \"" CODE "\", name: \"crunch\") { id name } }"));
    wait_running(node1, "crunch", 0, 20000);

    /* Back up from the API again, then stopNode: the node drains and exits 0. */
    snprintf(q, sizeof q,
             "mutation { adjustConsumer(authCode: \"" CODE
             "\", node: \"%s\", name: \"crunch\", processCount: 1) "
             "{ processCount } }",
             node1);
    json_decref(gql_ok(q));
    wait_running(node1, "crunch", 1, 20000);
    snprintf(q, sizeof q, "mutation { stopNode(authCode: \"" CODE "\", name: \"%s\") { name } }",
             node1);
    json_decref(gql_ok(q));
    assert_int_equal(wait_exit(&node_a, 30000), 0);
    deadline = mm_test_now_ms() + 10000;
    while (node_listed(node1) && mm_test_now_ms() < deadline) usleep(100 * 1000);
    assert_int_equal(node_listed(node1), 0);

    /* killNode on a second node: it exits 1 and leaves the map. */
    mm_test_child b;
    assert_int_equal(spawn_node(&b, node2), 0);
    wait_running(node2, "crunch", 1, 20000);
    snprintf(q, sizeof q, "mutation { killNode(authCode: \"" CODE "\", name: \"%s\") { id name } }",
             node2);
    json_decref(gql_ok(q));
    int rc = wait_exit(&b, 30000);
    if (rc < 0) mm_test_child_stop(&b, SIGKILL, 5000);
    assert_int_equal(rc, 1);
    deadline = mm_test_now_ms() + 10000;
    while (node_listed(node2) && mm_test_now_ms() < deadline) usleep(100 * 1000);
    assert_int_equal(node_listed(node2), 0);
}

static size_t count_substr(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = s; (p = strstr(p, needle)); p++) n++;
    return n;
}

/* One request with 1,000 wrong-code aliases: 1,000 refusals, but the log
 * gets MM_LOG_BURST (10) lines for them, not 1,000 (then one "suppressed"
 * line once another warning comes after that second). */
static void test_wrong_code_aliases_do_not_flood_the_log(void **state) {
    (void)state;
    char *before = read_file(server_log);
    size_t had = count_substr(before, "manager: unauthorized");
    free(before);
    size_t cap = 1000 * 80 + 64, len = 0;
    char *q = malloc(cap);
    assert_non_null(q);
    len += (size_t)snprintf(q + len, cap - len, "mutation {");
    for (int i = 0; i < 1000; i++)
        len += (size_t)snprintf(q + len, cap - len,
                                " a%d: stopNode(authCode: \"" WRONG "\", name: \"x\") { id }", i);
    snprintf(q + len, cap - len, " }");
    long long t0 = mm_test_now_ms();
    json_t *doc = gql(q);
    long long took_ms = mm_test_now_ms() - t0;
    free(q);
    assert_int_equal(json_array_size(json_object_get(doc, "errors")), 1000);
    json_decref(doc);
    usleep(1100 * 1000); /* the next second: a later warning reports the rest */
    json_decref(gql("mutation { stopNode(authCode: \"" WRONG "\", name: \"x\") { id } }"));
    usleep(300 * 1000);
    char *log = read_file(server_log);
    size_t lines = count_substr(log, "manager: unauthorized") - had;
    /* A window opens at its first line and lasts a second. It may have
     * opened before this request (an earlier test's refusals), so even a
     * short request can span two windows, and a request that took longer
     * than a second (a loaded machine, sanitizers) more: MM_LOG_BURST (10)
     * lines each and a "suppressed" report that quotes the first line it held
     * back, plus the one warning after (a run saw 13 lines in 355 ms). */
    size_t windows = (size_t)(took_ms / 1000) + 2;
    if (lines > 11 * windows + 1)
        fail_msg("1,000 refusals in %lld ms wrote %zu log lines", took_ms, lines);
    if (!strstr(log, "msg=\"log: suppressed ")) fail_msg("no suppressed report in:\n%s", log);
    free(log);
}

static void test_bad_input_is_refused(void **state) {
    (void)state;
    int64_t before = web_high_watermark();
    json_t *doc = gql("mutation { stopNode(authCode: \"" CODE "\") { id } }");
    assert_string_equal(first_error_code(doc), "BAD_USER_INPUT");
    json_decref(doc);
    doc = gql("mutation { adjustConsumer(authCode: \"" CODE
              "\", node: \"x\", name: \"crunch\", processCount: -1) { id } }");
    assert_string_equal(first_error_code(doc), "BAD_USER_INPUT");
    json_decref(doc);
    assert_int_equal(web_high_watermark(), before);
}

/* A mutation naming what no live node reports is refused (NOT_FOUND, with
 * the closest live name), not published and ignored. */
static void expect_not_found(const char *mutation, const char *message) {
    char q[1024];
    snprintf(q, sizeof q, "mutation { %s }", mutation);
    json_t *doc = gql(q);
    const char *code = first_error_code(doc);
    const char *text = json_string_value(
        json_object_get(json_array_get(json_object_get(doc, "errors"), 0), "message"));
    if (!code || strcmp(code, "NOT_FOUND") != 0 || !text || !strstr(text, message))
        fail_msg("%s answered %s (wanted NOT_FOUND and '%s')", mutation, json_dumps(doc, 0),
                 message);
    json_decref(doc);
}

static void test_unknown_names_are_refused(void **state) {
    (void)state;
    int64_t before = web_high_watermark();
    char m[512];
    expect_not_found("stopNode(authCode: \"" CODE "\", name: \"no-such-node\") { id }",
                     "No live node named 'no-such-node' in the service web");
    snprintf(m, sizeof m,
             "adjustConsumer(authCode: \"" CODE
             "\", node: \"%s\", name: \"crunhc\", processCount: 2) { id }",
             node1);
    expect_not_found(m, "No live consumer named 'crunhc' on node ");
    expect_not_found(m, "(did you mean 'crunch'?)");
    expect_not_found("stopConsumer(authCode: \"" CODE "\", name: \"mmtest_manager.nope\") { id }",
                     "No live consumer named 'mmtest_manager.nope'");
    expect_not_found("killMicroservice(authCode: \"" CODE "\", name: \"mmtest_managr\") { id }",
                     "No live service named 'mmtest_managr' in the service web (did you mean "
                     "'mmtest_manager'?)");
    snprintf(m, sizeof m,
             "stopConsumerProcess(authCode: \"" CODE
             "\", node: \"%s\", name: \"crunch\", pid: 999999999) { id }",
             node1);
    expect_not_found(m, "No worker pid 999999999 of consumer crunch on node ");
    snprintf(m, sizeof m,
             "adjustConsumer(authCode: \"" CODE
             "\", node: \"%s-x\", name: \"crunch\", processCount: 2) { id }",
             node1);
    expect_not_found(m, "(did you mean '");
    assert_int_equal(web_high_watermark(), before); /* nothing was published */
}

/* Last: the server stops on SIGTERM with status 0 (under ASan: no leak,
 * no error in the manager's threads). */
static void test_server_stops_cleanly(void **state) {
    (void)state;
    assert_int_equal(mm_test_child_stop(&server, SIGTERM, 15000), 0);
    server.pid = 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refuses_to_start_without_code),
        cmocka_unit_test(test_queries_show_live_map),
        cmocka_unit_test(test_unauthorized_changes_nothing),
        cmocka_unit_test(test_bad_input_is_refused),
        cmocka_unit_test(test_wrong_code_aliases_do_not_flood_the_log),
        cmocka_unit_test(test_unknown_names_are_refused),
        cmocka_unit_test(test_mutations_steer_node),
        cmocka_unit_test(test_server_stops_cleanly),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
