/* test_node_metrics.c -- a node's Prometheus endpoint (docs/metrics.md)
 * against the real Kafka broker and Redis of the test run, running the forms
 * example's create_form consumer (examples/forms, renamed per run).
 *
 * Proves: N CreateFormEvents handled -> mm_worker_events_handled_total = N,
 * (with tracing on towards a closed port: the worker's span exporter's
 * dropped spans and failed POSTs counted, none exported),
 * failed and dead-lettered 0, both latency histograms counted N, nothing in
 * flight, the lag back to 0; `promtool check metrics` accepts the output;
 * the lag rises while the consumer's worker is stopped (SIGSTOP) and falls
 * to 0 when it resumes (SIGCONT); a worker SIGKILLed from outside is counted
 * as an exit with reason "signal" and replaced, and the counts of the dead
 * worker are kept; adjusted to 0 processes (AdjustConsumer) the exit is
 * counted as "adjust" and the lag rises with no worker at all, and falls when
 * the consumer is adjusted back to 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node/control.h"

#define N 20 /* events of the first batch */
#define M 15 /* events produced while the worker is stopped */

static char service[256];
static char web_topic[256];
static int metrics_port;
static mm_producer *producer;

static void produce(int n) {
    mm_event ev;
    char err[256];
    assert_int_equal(mm_event_create(&ev, service, "CreateFormEvent",
                                     json_pack("{s:s,s:s,s:s}", "name", "metrics form", "template",
                                               "t", "creator", "test")),
                     0);
    (void)n;
    if (mm_producer_send_sync(producer, service, &ev, 20000, NULL, NULL, err, sizeof err))
        fail_msg("send: %s", err);
    mm_event_clear(&ev);
}

/* AdjustConsumer for this test's node: create_form's process count. */
static void adjust(long procs) {
    char name[300];
    snprintf(name, sizeof name, "%s.create_form", service);
    mm_control c = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .node = "metricsnode",
                    .name = name,
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = procs};
    mm_event ev;
    char err[256];
    if (mm_control_build(&c, &ev, err, sizeof err)) fail_msg("build: %s", err);
    if (mm_producer_send_sync(producer, web_topic, &ev, 20000, NULL, NULL, err, sizeof err))
        fail_msg("send control: %s", err);
    mm_event_clear(&ev);
}

/* GET /metrics (malloc'd body). Every step has a deadline. */
static char *scrape(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)metrics_port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) fail_msg("connect: %s", strerror(errno));
    const char *req = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    long long deadline = mm_test_now_ms() + 5000;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        long long left = deadline - mm_test_now_ms();
        if (left <= 0) fail_msg("scrape: no answer within 5 s");
        if (poll(&p, 1, (int)left) <= 0) continue;
        assert_true(len < cap - 1);
        ssize_t got = read(fd, buf + len, cap - 1 - len);
        if (got <= 0) break;
        len += (size_t)got;
    }
    close(fd);
    buf[len] = '\0';
    if (strncmp(buf, "HTTP/1.1 200 OK\r\n", 17) != 0) fail_msg("scrape: %.200s", buf);
    assert_non_null(strstr(buf, "Content-Type: text/plain; version=0.0.4"));
    char *body = strstr(buf, "\r\n\r\n");
    assert_non_null(body);
    char *out = strdup(body + 4);
    free(buf);
    return out;
}

/* Sum of the samples whose line starts with prefix followed by '{' or ' '
 * and contains every one of the label texts given (NULL-terminated). */
static double sum(const char *text, const char *name, const char *label1, const char *label2) {
    double total = 0;
    size_t len = strlen(name);
    for (const char *l = text; *l;) {
        const char *nl = strchr(l, '\n');
        size_t ll = nl ? (size_t)(nl - l) : strlen(l);
        char line[2048];
        snprintf(line, sizeof line, "%.*s", (int)(ll < sizeof line ? ll : sizeof line - 1), l);
        if (strncmp(line, name, len) == 0 && (line[len] == '{' || line[len] == ' ') &&
            (!label1 || strstr(line, label1)) && (!label2 || strstr(line, label2))) {
            const char *v = strrchr(line, ' ');
            total += strtod(v + 1, NULL);
        }
        if (!nl) break;
        l = nl + 1;
    }
    return total;
}

/* Scrapes until metric (with labels) satisfies cmp against want, or fails
 * after timeout_ms. cmp: '=' equal, '>' at least. Returns the last text. */
static char *wait_metric(const char *name, const char *label1, const char *label2, char cmp,
                         double want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    for (;;) {
        char *text = scrape();
        double v = sum(text, name, label1, label2);
        if ((cmp == '=' && v == want) || (cmp == '>' && v >= want)) return text;
        if (mm_test_now_ms() >= deadline)
            fail_msg("%s%s%s is %g, wanted %c %g after %d ms:\n%s", name, label1 ? label1 : "",
                     label2 ? label2 : "", v, cmp, want, timeout_ms, text);
        free(text);
        usleep(200 * 1000);
    }
}

/* The pid of the process titled "gregor worker <service>.create_form #0". */
static pid_t worker_pid(void) {
    char want[512];
    snprintf(want, sizeof want, "gregor worker %s.create_form #0", service);
    long long deadline = mm_test_now_ms() + 30000;
    while (mm_test_now_ms() < deadline) {
        DIR *d = opendir("/proc");
        assert_non_null(d);
        struct dirent *e;
        pid_t found = 0;
        while ((e = readdir(d)) && !found) {
            pid_t pid = atoi(e->d_name);
            if (pid <= 0) continue;
            char path[64], cmd[1024] = "";
            snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
            FILE *f = fopen(path, "r");
            if (!f) continue;
            size_t n = fread(cmd, 1, sizeof cmd - 1, f);
            fclose(f);
            cmd[n] = '\0';
            if (strcmp(cmd, want) == 0) found = pid;
        }
        closedir(d);
        if (found) return found;
        usleep(100 * 1000);
    }
    fail_msg("no process titled '%s'", want);
    return -1;
}

/* promtool check metrics on text: built by scripts/fetch-promtool.sh. */
static void promtool_check(const char *text) {
    char script[4096];
    snprintf(script, sizeof script, "%s/scripts/fetch-promtool.sh", getenv("MM_SOURCE_DIR"));
    char *argv_fetch[] = {"/bin/bash", script, NULL};
    char *out = NULL, *err = NULL;
    /* Cached by the test set-up (scripts/test.sh); a cold build takes minutes. */
    int rc = mm_test_run(argv_fetch, &out, &err, 280000);
    if (rc != 0) fail_msg("scripts/fetch-promtool.sh failed (%d): %s", rc, err);
    char promtool[2048];
    snprintf(promtool, sizeof promtool, "%s", out);
    promtool[strcspn(promtool, "\n")] = '\0';
    free(out);
    free(err);
    char path[] = "/tmp/mmtest-node-metrics-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char cmd[8192];
    snprintf(cmd, sizeof cmd, "'%s' check metrics < '%s'", promtool, path);
    char *argv_check[] = {"/bin/sh", "-c", cmd, NULL};
    rc = mm_test_run(argv_check, &out, &err, 60000);
    unlink(path);
    if (rc != 0) fail_msg("promtool check metrics failed (%d):\n%s\n%s", rc, out, err);
    print_message("promtool check metrics: ok%s%s\n", out[0] ? "\n" : "", out);
    free(out);
    free(err);
}

static void test_node_metrics(void **state) {
    (void)state;
    char *svc = mm_test_unique_name("mmtest_nmetrics");
    char *web = mm_test_unique_name("mmtest-nmetrics-web");
    snprintf(service, sizeof service, "%s", svc);
    snprintf(web_topic, sizeof web_topic, "%s", web);
    setenv("FORMS_SERVICE", service, 1);
    setenv("MM_SERVICE_WEB_TOPIC", web, 1);
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", mm_test_kafka_bootstrap(), 1);
    char redis_url[300];
    snprintf(redis_url, sizeof redis_url, "%s/6", mm_test_redis_url());
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_NODE_METRICS_LISTEN", "127.0.0.1:0", 1);
    setenv("MM_NODE_LAG_INTERVAL_MS", "300", 1);
    /* Tracing on, towards a collector that is not there (a port bound and
     * closed again: connections are refused): the workers' exporters count
     * their failed POSTs and dropped spans into the blocks the node reads. */
    int closed = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t sl = sizeof sa;
    assert_int_equal(bind(closed, (struct sockaddr *)&sa, sizeof sa), 0);
    assert_int_equal(getsockname(closed, (struct sockaddr *)&sa, &sl), 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", ntohs(sa.sin_port));
    close(closed);
    setenv("MM_TRACING_ENDPOINT", endpoint, 1);
    setenv("MM_TRACING_TIMEOUT_MS", "200", 1);
    /* The stopped worker must stay a member while it is stopped. */
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "30000", 1);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), web, 1), 0);
    assert_int_equal(mm_test_kafka_create_topic(mm_test_kafka_bootstrap(), service, 1), 0);
    char err[256];
    producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);

    char cfg_path[] = "/tmp/mmtest-nmetrics-cfg-XXXXXX";
    int cfg_fd = mkstemp(cfg_path);
    char cfg[600];
    snprintf(cfg, sizeof cfg, "%s:\n  create_form: {procs: 1}\n  legacy_create_form: {procs: 0}\n",
             service);
    assert_int_equal(write(cfg_fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(cfg_fd);
    char app[2048];
    snprintf(app, sizeof app, "%s/examples/forms.so", mm_test_binary_dir());
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    app,
                    "--node-name",
                    "metricsnode",
                    "--config",
                    cfg_path,
                    NULL};
    assert_int_equal(mm_test_child_spawn(&node, argv), 0);
    char line[256];
    assert_int_equal(
        mm_test_child_wait_line(&node, "node metrics: 127.0.0.1:", line, sizeof line, 30000), 0);
    metrics_port = atoi(line);
    assert_true(metrics_port > 0);
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);

    char cl[300];
    snprintf(cl, sizeof cl, "consumer=\"create_form\"");

    /* 1. N events: every counter says N. */
    for (int i = 0; i < N; i++) produce(i);
    char *text = wait_metric("mm_worker_events_handled_total", cl, NULL, '=', N, 60000);
    assert_true(sum(text, "mm_worker_events_failed_total", cl, NULL) == 0);
    assert_true(sum(text, "mm_worker_events_dead_lettered_total", cl, NULL) == 0);
    assert_true(sum(text, "mm_worker_handler_duration_seconds_count", cl, NULL) == N);
    assert_true(sum(text, "mm_worker_event_latency_seconds_count", cl, NULL) == N);
    assert_true(sum(text, "mm_worker_handler_duration_seconds_bucket", cl, "le=\"+Inf\"") == N);
    assert_true(sum(text, "mm_worker_events_in_flight", cl, NULL) == 0);
    assert_true(sum(text, "mm_worker_rebalances_total", cl, NULL) >= 1);
    assert_true(sum(text, "mm_node_workers", cl, NULL) == 1);
    assert_true(sum(text, "mm_worker_trace_spans_exported_total", cl, NULL) == 0);
    free(text);
    /* The exporter's batches of those events' spans (at least one each)
     * fail within its interval (1 s) and a refused connect. */
    text = wait_metric("mm_worker_trace_spans_dropped_total", cl, NULL, '>', N, 10000);
    assert_true(sum(text, "mm_worker_trace_export_failures_total", cl, NULL) >= 1);
    assert_true(sum(text, "mm_worker_trace_spans_exported_total", cl, NULL) == 0);
    print_message("end-to-end latency of %d events: sum %.3f s; handler: sum %.6f s\n", N,
                  sum(text, "mm_worker_event_latency_seconds_sum", cl, NULL),
                  sum(text, "mm_worker_handler_duration_seconds_sum", cl, NULL));
    free(text);
    /* The group committed all N, and nothing is behind. */
    free(wait_metric("mm_node_consumer_committed_offset", cl, NULL, '>', N, 30000));
    text = wait_metric("mm_node_consumer_lag_messages", cl, NULL, '=', 0, 30000);
    assert_true(sum(text, "mm_node_consumer_end_offset", cl, NULL) >= N);
    promtool_check(text);
    free(text);

    /* 2. The worker stopped: the lag rises; resumed: it falls to 0. */
    pid_t w = worker_pid();
    assert_int_equal(kill(w, SIGSTOP), 0);
    long long t0 = mm_test_now_ms();
    for (int i = 0; i < M; i++) produce(N + i);
    text = wait_metric("mm_node_consumer_lag_messages", cl, NULL, '>', M, 15000);
    print_message("lag %g while the worker is stopped (%lld ms after the first event)\n",
                  sum(text, "mm_node_consumer_lag_messages", cl, NULL), mm_test_now_ms() - t0);
    assert_true(sum(text, "mm_worker_events_handled_total", cl, NULL) == N);
    free(text);
    assert_int_equal(kill(w, SIGCONT), 0);
    t0 = mm_test_now_ms();
    text = wait_metric("mm_node_consumer_lag_messages", cl, NULL, '=', 0, 30000);
    print_message("lag back to 0 %lld ms after SIGCONT\n", mm_test_now_ms() - t0);
    free(text);
    free(wait_metric("mm_worker_events_handled_total", cl, NULL, '=', N + M, 10000));

    /* 3. A worker killed by a signal from outside: counted and replaced;
     * what it handled is kept. */
    assert_int_equal(kill(w, SIGKILL), 0);
    text = wait_metric("mm_node_worker_exits_total", cl, "reason=\"signal\"", '=', 1, 15000);
    assert_true(sum(text, "mm_node_worker_exits_total", cl, NULL) == 1);
    assert_true(sum(text, "mm_worker_events_handled_total", cl, NULL) == N + M);
    free(text);
    free(wait_metric("mm_node_worker_starts_total", cl, NULL, '=', 2, 15000));
    free(wait_metric("mm_node_workers", cl, NULL, '=', 1, 15000));
    produce(N + M);
    free(wait_metric("mm_worker_events_handled_total", cl, NULL, '=', N + M + 1, 60000));

    /* 4. The consumer adjusted to 0 processes: counted as reason "adjust";
     * the lag is still measured, and rises; back to 1: it falls to 0. */
    free(wait_metric("mm_node_consumer_lag_messages", cl, NULL, '=', 0, 30000));
    adjust(0);
    text = wait_metric("mm_node_worker_exits_total", cl, "reason=\"adjust\"", '=', 1, 30000);
    free(text);
    free(wait_metric("mm_node_workers", cl, NULL, '=', 0, 15000));
    free(wait_metric("mm_node_workers_desired", cl, NULL, '=', 0, 15000));
    for (int i = 0; i < 5; i++) produce(N + M + 1 + i);
    free(wait_metric("mm_node_consumer_lag_messages", cl, NULL, '>', 5, 15000));
    adjust(1);
    t0 = mm_test_now_ms();
    free(wait_metric("mm_node_consumer_lag_messages", cl, NULL, '=', 0, 60000));
    print_message("adjusted 0 -> 1: lag back to 0 %lld ms after the control event\n",
                  mm_test_now_ms() - t0);
    text = wait_metric("mm_worker_events_handled_total", cl, NULL, '=', N + M + 6, 30000);
    assert_true(sum(text, "mm_node_worker_starts_total", cl, NULL) == 3);
    assert_true(sum(text, "mm_worker_events_failed_total", cl, NULL) == 0);
    assert_true(sum(text, "mm_worker_events_dead_lettered_total", cl, NULL) == 0);
    free(text);

    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    unlink(cfg_path);
    mm_producer_free(producer);
    free(svc);
    free(web);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_metrics),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
