/* test_node.c -- `gregor node`, `gregor config` and `gregor status` end to
 * end against the real Kafka broker and the real Redis of the test run.
 *
 * Proves: config errors are refused with file:line before anything starts;
 * `gregor config` output round-trips through mm_config_load_string and runs
 * as `gregor node --config`; harakiri (limit 5) replaces workers and loses
 * none of 50 events; AdjustConsumer raises and lowers the live process
 * count; StopConsumerProcess recycles exactly that pid; StopConsumer drains
 * and KillConsumer kills; two nodes sharing a group split the partitions and
 * both appear in the status; a SIGKILLed worker is replaced and no event is
 * lost; the status of a SIGKILLed node expires while a cleanly stopped node
 * deletes its own; a worker failing at start-up is restarted with backoff.
 *
 * Every test uses its own topics, groups and service-web topic (unique
 * names) and the Redis database NODE_ENV_REDIS_DB (node_env.h), so it
 * shares the servers with the other tests. The test service is
 * tests/e2e/node/mod_nodetest.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bus/producer.h"
#include "common/config.h"
#include "mm_test.h"
#include "node/control.h"
#include "node/status_store.h"
#include "node_env.h"

#define STATUS_INTERVAL_MS "300"

static node_env env;
static char status_url[256]; /* "" : the status is in env.redis_url */
static mm_producer *producer;

/* ---- set-up: names of this test, servers ---------------------------------- */

/* Fresh topics and group for one test; the event topic gets `partitions`. */
static void fresh_names(int partitions) {
    node_env_names(&env, "mmtest-node", mm_test_kafka_bootstrap(), partitions);
}

static int setup(void **state) {
    (void)state;
    node_env_servers(&env, mm_test_kafka_bootstrap(), NULL, "warn", "6000");
    setenv("MM_NODE_STATUS_INTERVAL_MS", STATUS_INTERVAL_MS, 1);
    unsetenv("MMTEST_NODE_FAIL_START");
    unsetenv("MMTEST_NODE_SLEEP_MS");
    char err[256];
    producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    if (!producer) {
        fprintf(stderr, "producer: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    mm_producer_free(producer);
    return 0;
}

/* ---- helpers -------------------------------------------------------------- */

/* Events seen by the count consumer of this test (distinct ids). */
static long long seen_count(void) {
    redisContext *c = node_env_redis();
    /* Every test's events have ids unique to it, but the hash is shared:
     * count this test's ids, which carry the topic name. */
    redisReply *r = redisCommand(c, "HKEYS mm:state:mmtest_node:seen");
    long long n = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        n += strstr(r->element[i]->str, env.topic) != NULL;
    freeReplyObject(r);
    redisFree(c);
    return n;
}

static long long wait_seen(long long want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms, n = 0;
    while ((n = seen_count()) < want && mm_test_now_ms() < deadline) usleep(200 * 1000);
    return n;
}

/* Publishes n NodeTestEvents whose ids carry the topic name (see seen_count). */
static void produce_events(int first, int n) {
    char err[256];
    for (int i = first; i < first + n; i++) {
        mm_event ev;
        assert_int_equal(
            mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)), 0);
        char id[512];
        snprintf(id, sizeof id, "%s-%d", env.topic, i);
        free(ev.id);
        ev.id = strdup(id);
        int rc = mm_producer_send(producer, env.topic, &ev, NULL, NULL, err, sizeof err);
        if (rc) fail_msg("send: %s", err);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(producer, 20000), 0);
}

static void send_control(const mm_control *c) {
    mm_event ev;
    char err[256];
    if (mm_control_build(c, &ev, err, sizeof err)) fail_msg("build: %s", err);
    if (mm_producer_send_sync(producer, env.web_topic, &ev, 20000, NULL, NULL, err, sizeof err))
        fail_msg("send control: %s", err);
    mm_event_clear(&ev);
}

static void adjust(const char *node, const char *name, long procs) {
    mm_control c = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .node = (char *)node,
                    .name = (char *)name,
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = procs};
    send_control(&c);
}

/* The status document of node (new reference), or NULL if it is not live. */
static json_t *node_status(const char *node) {
    char err[256];
    mm_status_store *st = mm_status_store_new(status_url[0] ? status_url : env.redis_url,
                                              env.web_topic, err, sizeof err);
    assert_non_null(st);
    json_t *nodes = NULL, *found = NULL, *n;
    size_t i;
    if (mm_status_store_read(st, &nodes, err, sizeof err)) fail_msg("status: %s", err);
    json_array_foreach(nodes, i, n) if (strcmp(json_string_value(json_object_get(n, "name")),
                                               node) == 0) found = json_incref(n);
    json_decref(nodes);
    mm_status_store_free(st);
    return found;
}

static size_t live_node_count(void) {
    char err[256];
    mm_status_store *st = mm_status_store_new(status_url[0] ? status_url : env.redis_url,
                                              env.web_topic, err, sizeof err);
    json_t *nodes = NULL;
    assert_int_equal(mm_status_store_read(st, &nodes, err, sizeof err), 0);
    size_t n = json_array_size(nodes);
    json_decref(nodes);
    mm_status_store_free(st);
    return n;
}

static json_t *consumer_of(json_t *node, const char *name) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(node, "consumers"), i,
                       c) if (strcmp(json_string_value(json_object_get(c, "name")), name) ==
                              0) return c;
    return NULL;
}

/* Processes of a consumer that are running (not being stopped). */
static size_t running_procs(json_t *cons, pid_t *pids, size_t max) {
    size_t n = 0, i;
    json_t *p;
    json_array_foreach(json_object_get(cons, "processes"), i, p) {
        if (json_is_true(json_object_get(p, "stopping"))) continue;
        if (n < max) pids[n] = (pid_t)json_integer_value(json_object_get(p, "pid"));
        n++;
    }
    return n;
}

static long long ended(json_t *cons, const char *reason) {
    return json_integer_value(json_object_get(json_object_get(cons, "processesEnded"), reason));
}

/* Waits until node's consumer shows exactly want running processes and no
 * process still stopping; returns the status (new reference) or fails. */
static json_t *wait_procs(const char *node, const char *name, size_t want, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    size_t got = 0;
    while (mm_test_now_ms() < deadline) {
        json_t *st = node_status(node);
        json_t *c = st ? consumer_of(st, name) : NULL;
        pid_t pids[64];
        got = c ? running_procs(c, pids, 64) : 0;
        if (c && got == want && json_array_size(json_object_get(c, "processes")) == want) return st;
        json_decref(st);
        usleep(100 * 1000);
    }
    fail_msg("node %s consumer %s: %zu running processes, wanted %zu", node, name, got, want);
    return NULL;
}

static int spawn_node(mm_test_child *child, const char *name, const char *config) {
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    (char *)name,
                    config ? "--config" : NULL,
                    (char *)config,
                    NULL};
    if (mm_test_child_spawn(child, argv)) return -1;
    char line[256];
    return mm_test_child_wait_line(child, "node ready: ", line, sizeof line, 30000);
}

/* Writes text to a fresh temporary file; its name goes to path. */
static void write_temp(char *path, size_t size, const char *text) {
    snprintf(path, size, "/tmp/mmtest-node-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
}

/* Waits up to timeout_ms for child to exit; returns its exit status
 * (128 + signal if killed by one), or -1 if it is still running. */
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

/* Every ConsumerProcessFinished on this test's service-web topic so far. */
static json_t *finished_events(void) {
    char err[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", mm_test_kafka_bootstrap(), err, sizeof err);
    rd_kafka_conf_set(conf, "group.id", "unused", err, sizeof err);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    assert_non_null(rk);
    int64_t low = 0, high = 0;
    assert_int_equal(rd_kafka_query_watermark_offsets(rk, env.web_topic, 0, &low, &high, 10000), 0);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(parts, env.web_topic, 0)->offset = RD_KAFKA_OFFSET_BEGINNING;
    rd_kafka_assign(rk, parts);
    rd_kafka_topic_partition_list_destroy(parts);
    json_t *out = json_array();
    long long deadline = mm_test_now_ms() + 15000;
    int64_t next = low;
    while (next < high && mm_test_now_ms() < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) continue;
        if (!m->err) {
            next = m->offset + 1;
            mm_event ev;
            mm_event_init(&ev);
            char reason[MM_ENVELOPE_REASON_MAX];
            mm_control c;
            if (mm_envelope_decode_message(m, &ev, reason) == 0 &&
                strcmp(ev.type, "ConsumerProcessFinished") == 0) {
                assert_int_equal(mm_control_parse(&ev, &c, err, sizeof err), 0);
                mm_control_clear(&c);
                json_array_append(out, ev.data);
            }
            mm_event_clear(&ev);
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return out;
}

/* ---- the cases ----------------------------------------------------------- */

/* gregor node must exit 1 with "<file>:<expect>" and also_expect (may be
 * NULL) on stderr. */
static void expect_refused2(const char *yaml, const char *expect, const char *also_expect);

static void expect_refused(const char *yaml, const char *expect) {
    expect_refused2(yaml, expect, NULL);
}

static void expect_refused2(const char *yaml, const char *expect, const char *also_expect) {
    char path[64];
    write_temp(path, sizeof path, yaml);
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "refused",
                    "--config",
                    path,
                    NULL};
    char *out = NULL, *err = NULL;
    int status = mm_test_run(argv, &out, &err, 20000);
    char want[256];
    snprintf(want, sizeof want, "%s:%s", path, expect);
    if (status != 1 || !strstr(err, want) || (also_expect && !strstr(err, also_expect)))
        fail_msg("status %d, stderr '%s', wanted '%s' and '%s'", status, err, want,
                 also_expect ? also_expect : "");
    unlink(path);
    free(out);
    free(err);
}

static void test_config_errors_refused_with_file_line(void **state) {
    (void)state;
    /* (gregor's common start-up checks names against the loaded services
     * too; either check may answer, both name the file, line and key.) */
    expect_refused2(
        "service_web_topic: w\nmmtest_node:\n  count: {procs: 1}\nnosuch:\n  c: {procs: 1}\n",
        "5: ", "'nosuch'");
    expect_refused2("mmtest_node:\n  count: {procs: 1}\n  nope:\n    procs: 2\n", "3: ", "'nope'");
    expect_refused("mmtest_node:\n  count:\n    procs: -1\n",
                   "3: key 'mmtest_node.count.procs': expected an integer from 0 to 1024");
    expect_refused("mmtest_node:\n  count:\n    procs: many\n",
                   "3: key 'mmtest_node.count.procs': expected an integer from 0 to 1024");
    expect_refused("mmtest_node:\n  count:\n    harakiri_limit: 5\n    harakiri_jitter: 5\n",
                   "2: key 'mmtest_node.count': harakiri_jitter must be less than harakiri_limit");
    /* Usage errors exit 2. */
    char *argv[] = {(char *)mm_test_gregor(), "node", "--app", env.mod_so, "--bogus", NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err, 20000), 2);
    free(out), free(err);
    char *argv2[] = {(char *)mm_test_gregor(), "config", "--app", env.mod_so,
                     "--harakiri-limit",       "-3",     NULL};
    assert_int_equal(mm_test_run(argv2, &out, &err, 20000), 2);
    free(out), free(err);
}

static void test_config_round_trip_and_harakiri(void **state) {
    (void)state;
    fresh_names(2);
    char *argv[] = {(char *)mm_test_gregor(),
                    "config",
                    "--app",
                    env.mod_so,
                    "--harakiri-limit",
                    "5",
                    "--harakiri-jitter",
                    "1",
                    "--node-name",
                    "hk",
                    NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(argv, &out, &err, 20000), 0);
    /* The printed file parses back to what was asked. */
    mm_config *cfg = NULL;
    char cerr[512];
    if (mm_config_load_string("printed", out, strlen(out), &cfg, cerr, sizeof cerr))
        fail_msg("%s\n%s", cerr, out);
    assert_string_equal(cfg->service_web_topic, env.web_topic);
    assert_string_equal(cfg->kafka_bootstrap_servers, mm_test_kafka_bootstrap());
    assert_string_equal(cfg->redis_status_url, env.redis_url);
    const mm_consumer_settings *cs = mm_config_find_consumer(cfg, "mmtest_node", "count");
    assert_non_null(cs);
    assert_int_equal(cs->procs, 1);
    assert_int_equal(cs->harakiri_limit, 5);
    assert_int_equal(cs->harakiri_jitter, 1);
    assert_int_equal(cs->max_age_seconds, MM_CONFIG_UNSET);
    assert_non_null(mm_config_find_consumer(cfg, "mmtest_node", "idle"));
    mm_config_free(cfg);
    /* Two workers, so the group is never empty while one is replaced. */
    char *procs = strstr(out, "procs: 1");
    assert_non_null(procs);
    procs[7] = '2';
    char path[64];
    write_temp(path, sizeof path, out);
    free(out), free(err);

    mm_test_child node;
    /* Counts retirements per budget: without the overlapped hand-over,
     * whose retiring workers go on past their budgets while their
     * replacements join (test_node_overlap.c). */
    setenv("MM_NODE_OVERLAP", "0", 1);
    assert_int_equal(spawn_node(&node, "hk", path), 0);
    unsetenv("MM_NODE_OVERLAP");
    json_decref(wait_procs("hk", "count", 2, 30000));
    produce_events(0, 50);
    assert_int_equal(wait_seen(50, 120000), 50);
    /* 50 events at <= 6 per worker: at least 9 workers, 8 of them retired. */
    long long deadline = mm_test_now_ms() + 10000;
    json_t *st = NULL, *c = NULL;
    while (mm_test_now_ms() < deadline) {
        json_decref(st);
        st = node_status("hk");
        c = st ? consumer_of(st, "count") : NULL;
        if (c && ended(c, "harakiri") >= 8) break;
        usleep(200 * 1000);
    }
    assert_non_null(c);
    assert_true(ended(c, "harakiri") >= 8);
    assert_true(json_integer_value(json_object_get(c, "processesStarted")) >= 10);
    assert_int_equal(ended(c, "crash"), 0);
    assert_int_equal(json_integer_value(json_object_get(c, "harakiriLimit")), 5);
    json_decref(st);
    /* Each retirement was announced on the service-web topic. */
    char err2[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, rd_kafka_conf_new(), err2, sizeof err2);
    rd_kafka_brokers_add(rk, mm_test_kafka_bootstrap());
    /* Summed over every partition (the events are keyed by node name, so
     * they land in whichever partition that name hashes to), and waited
     * for: the agent publishes them after the supervisor counted them. */
    int64_t total = 0;
    long long until = mm_test_now_ms() + 15000;
    while (total < 8 && mm_test_now_ms() < until) {
        rd_kafka_topic_t *t = rd_kafka_topic_new(rk, env.web_topic, NULL);
        const struct rd_kafka_metadata *md = NULL;
        assert_int_equal(rd_kafka_metadata(rk, 0, t, &md, 10000), 0);
        assert_int_equal(md->topic_cnt, 1);
        total = 0;
        for (int p = 0; p < md->topics[0].partition_cnt; p++) {
            int64_t low = 0, high = 0;
            if (rd_kafka_query_watermark_offsets(rk, env.web_topic, md->topics[0].partitions[p].id,
                                                 &low, &high, 10000) == 0)
                total += high;
        }
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(t);
        if (total < 8) usleep(200 * 1000);
    }
    rd_kafka_destroy(rk);
    assert_true(total >= 8);
    /* A clean stop drains and deletes the status. */
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    assert_null(node_status("hk"));
    unlink(path);
}

static void test_control_events(void **state) {
    (void)state;
    fresh_names(2);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n");
    mm_test_child node;
    assert_int_equal(spawn_node(&node, "ctl", path), 0);
    json_decref(wait_procs("ctl", "count", 1, 20000));

    /* gregor status shows the node, its consumers and processes. */
    char *sargv[] = {(char *)mm_test_gregor(), "status", NULL};
    char *out = NULL, *err = NULL;
    assert_int_equal(mm_test_run(sargv, &out, &err, 20000), 0);
    if (!strstr(out, "NODE ctl ") || !strstr(out, "mmtest_node.count  processes=1/1") ||
        !strstr(out, "mmtest_node.idle  processes=0/0") || !strstr(out, "MESSAGES"))
        fail_msg("gregor status printed:\n%s", out);
    free(out), free(err);
    char *jargv[] = {(char *)mm_test_gregor(), "status", "--json", NULL};
    assert_int_equal(mm_test_run(jargv, &out, &err, 20000), 0);
    json_t *all = json_loads(out, 0, NULL);
    assert_int_equal(json_array_size(all), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "name")), "ctl");
    json_decref(all);
    free(out), free(err);

    /* AdjustConsumer for another node changes nothing here; ours raises it. */
    adjust("someone-else", "count", 4);
    long long t0 = mm_test_now_ms();
    adjust("ctl", "mmtest_node.count", 3);
    json_t *st = wait_procs("ctl", "count", 3, 20000);
    fprintf(stderr, "adjust 1 -> 3 took effect in %lld ms\n", mm_test_now_ms() - t0);
    assert_int_equal(json_integer_value(json_object_get(consumer_of(st, "count"), "processCount")),
                     3);
    json_decref(st);
    t0 = mm_test_now_ms();
    adjust("ctl", "count", 1);
    st = wait_procs("ctl", "count", 1, 20000);
    fprintf(stderr, "adjust 3 -> 1 took effect in %lld ms\n", mm_test_now_ms() - t0);
    pid_t pids[4];
    assert_int_equal(running_procs(consumer_of(st, "count"), pids, 4), 1);
    pid_t victim = pids[0];
    long long stopped_before = ended(consumer_of(st, "count"), "stopped");
    assert_int_equal(stopped_before, 2);
    json_decref(st);

    /* The Kafka agent SIGKILLed: the supervisor restarts it, workers go on,
     * and control events reach the node again. */
    st = node_status("ctl");
    pid_t agent = (pid_t)json_integer_value(json_object_get(st, "agentPid"));
    json_decref(st);
    assert_true(agent > 0);
    assert_int_equal(kill(agent, SIGKILL), 0);
    long long agent_deadline = mm_test_now_ms() + 20000;
    int back = 0;
    while (!back && mm_test_now_ms() < agent_deadline) {
        st = node_status("ctl");
        pid_t now_agent = (pid_t)json_integer_value(json_object_get(st, "agentPid"));
        back = now_agent > 0 && now_agent != agent &&
               strcmp(json_string_value(json_object_get(st, "controlEvents")), "reading") == 0;
        json_decref(st);
        if (!back) usleep(100 * 1000);
    }
    assert_true(back);

    /* StopConsumerProcess recycles exactly that pid. */
    mm_control scp = {
        .kind = MM_CONTROL_STOP_CONSUMER_PROCESS, .node = "ctl", .name = "count", .pid = victim};
    send_control(&scp);
    long long deadline = mm_test_now_ms() + 20000;
    pid_t now_pid = victim;
    while (mm_test_now_ms() < deadline) {
        st = node_status("ctl");
        json_t *c = consumer_of(st, "count");
        if (running_procs(c, pids, 4) == 1 && pids[0] != victim &&
            ended(c, "stopped") == stopped_before + 1 &&
            json_array_size(json_object_get(c, "processes")) == 1) {
            now_pid = pids[0];
            json_decref(st);
            break;
        }
        json_decref(st);
        usleep(100 * 1000);
    }
    assert_int_not_equal(now_pid, victim);
    assert_int_equal(kill(victim, 0), -1); /* gone */

    /* Events still flow to the new worker. */
    produce_events(0, 10);
    assert_int_equal(wait_seen(10, 60000), 10);

    /* StopConsumer drains: the worker exits cleanly, none replaces it. */
    mm_control stop = {.kind = MM_CONTROL_STOP_CONSUMER, .name = "count"};
    send_control(&stop);
    st = wait_procs("ctl", "count", 0, 20000);
    assert_int_equal(ended(consumer_of(st, "count"), "stopped"), stopped_before + 2);
    assert_int_equal(json_integer_value(json_object_get(consumer_of(st, "count"), "processCount")),
                     0);
    json_decref(st);

    /* KillConsumer kills at once. */
    adjust("ctl", "count", 2);
    json_decref(wait_procs("ctl", "count", 2, 20000));
    mm_control kill_c = {.kind = MM_CONTROL_KILL_CONSUMER, .name = "count"};
    send_control(&kill_c);
    st = wait_procs("ctl", "count", 0, 20000);
    assert_int_equal(ended(consumer_of(st, "count"), "killed"), 2);
    json_decref(st);

    /* StopNode ends the node gracefully. */
    mm_control stop_node = {.kind = MM_CONTROL_STOP_NODE, .name = "ctl"};
    send_control(&stop_node);
    assert_int_equal(wait_exit(&node, 20000), 0);
    assert_null(node_status("ctl"));
    unlink(path);
}

static void test_two_nodes_sigkill_worker_and_node(void **state) {
    (void)state;
    fresh_names(2);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n");
    mm_test_child a, b;
    assert_int_equal(spawn_node(&a, "node-a", path), 0);
    assert_int_equal(spawn_node(&b, "node-b", path), 0);
    json_decref(wait_procs("node-a", "count", 1, 20000));
    json_decref(wait_procs("node-b", "count", 1, 20000));
    assert_int_equal(live_node_count(), 2);
    /* Both members get work: the partitions are split between the nodes.
     * The group may still be rebalancing after the second member joined,
     * so events go in rounds until both have handled some. */
    long long deadline = mm_test_now_ms() + 60000;
    long long ma = 0, mb = 0;
    int sent = 0;
    while (mm_test_now_ms() < deadline && (ma == 0 || mb == 0)) {
        produce_events(sent, 10);
        sent += 10;
        assert_int_equal(wait_seen(sent, 60000), sent);
        long long settle = mm_test_now_ms() + 2000;
        do {
            json_t *sa = node_status("node-a"), *sb = node_status("node-b");
            ma = json_integer_value(json_object_get(
                json_array_get(json_object_get(consumer_of(sa, "count"), "processes"), 0),
                "messagesProcessed"));
            mb = json_integer_value(json_object_get(
                json_array_get(json_object_get(consumer_of(sb, "count"), "processes"), 0),
                "messagesProcessed"));
            json_decref(sa), json_decref(sb);
            if (ma + mb >= sent) break;
            usleep(100 * 1000);
        } while (mm_test_now_ms() < settle);
    }
    fprintf(stderr, "after %d events node-a handled %lld, node-b handled %lld\n", sent, ma, mb);
    assert_true(ma > 0 && mb > 0);
    /* At least once: a rebalance may hand a message to both members. */
    assert_true(ma + mb >= sent);

    /* SIGKILL node-a's worker: it is replaced and nothing is lost. */
    json_t *sa = node_status("node-a");
    pid_t pids[2];
    assert_int_equal(running_procs(consumer_of(sa, "count"), pids, 2), 1);
    json_decref(sa);
    assert_int_equal(kill(pids[0], SIGKILL), 0);
    produce_events(sent, 40);
    sent += 40;
    deadline = mm_test_now_ms() + 30000;
    pid_t replaced = 0;
    while (mm_test_now_ms() < deadline && !replaced) {
        sa = node_status("node-a");
        pid_t p2[2];
        json_t *c = consumer_of(sa, "count");
        if (ended(c, "crash") == 1 && running_procs(c, p2, 2) == 1 && p2[0] != pids[0])
            replaced = p2[0];
        json_decref(sa);
        usleep(100 * 1000);
    }
    assert_true(replaced > 0);
    assert_int_equal(wait_seen(sent, 90000), sent);

    /* SIGKILL node-b: its status expires (TTL 3 x 300 ms) and its worker,
     * told by the kernel that its parent died, drains and exits. */
    json_t *sb = node_status("node-b");
    assert_int_equal(running_procs(consumer_of(sb, "count"), pids, 2), 1);
    json_decref(sb);
    assert_int_equal(kill(b.pid, SIGKILL), 0);
    long long killed_at = mm_test_now_ms();
    json_t *gone = NULL;
    while ((gone = node_status("node-b")) != NULL && mm_test_now_ms() - killed_at < 10000) {
        json_decref(gone);
        usleep(100 * 1000);
    }
    assert_null(gone);
    fprintf(stderr, "killed node's status expired after %lld ms\n", mm_test_now_ms() - killed_at);
    deadline = mm_test_now_ms() + 20000;
    while (kill(pids[0], 0) == 0 && mm_test_now_ms() < deadline) usleep(100 * 1000);
    assert_int_equal(kill(pids[0], 0), -1);
    mm_test_child_stop(&b, SIGKILL, 1000);
    assert_non_null((gone = node_status("node-a")));
    json_decref(gone);
    /* Events still flow through node-a alone. */
    produce_events(sent, 10);
    sent += 10;
    assert_int_equal(wait_seen(sent, 60000), sent);
    assert_int_equal(mm_test_child_stop(&a, SIGTERM, 30000), 0);
    assert_int_equal(live_node_count(), 0);
    unlink(path);
}

static void test_start_failure_backs_off(void **state) {
    (void)state;
    fresh_names(1);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n");
    setenv("MMTEST_NODE_FAIL_START", "1", 1);
    mm_test_child node;
    int rc = spawn_node(&node, "fails", path);
    unsetenv("MMTEST_NODE_FAIL_START");
    assert_int_equal(rc, 0);
    /* Backoff 0.5, 1, 2, 4 s: within 5 s at most 4 or 5 starts, not hundreds. */
    sleep(5);
    json_t *st = node_status("fails");
    assert_non_null(st);
    json_t *c = consumer_of(st, "count");
    long long started = json_integer_value(json_object_get(c, "processesStarted"));
    fprintf(stderr, "failing worker started %lld times in 5 s\n", started);
    assert_true(ended(c, "crash") >= 2);
    assert_true(started >= 3 && started <= 5);
    json_decref(st);
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 20000), 0);
    unlink(path);
}

static void test_drain_finishes_message_second_term_kills(void **state) {
    (void)state;
    fresh_names(1);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n");
    setenv("MMTEST_NODE_SLEEP_MS", "2000", 1);
    mm_test_child node;
    assert_int_equal(spawn_node(&node, "drain", path), 0);
    json_decref(wait_procs("drain", "count", 1, 20000));
    /* When the first of two events is stored, the worker is inside the
     * second one's handler (2 s). The drain lets it finish. */
    produce_events(0, 2);
    assert_int_equal(wait_seen(1, 60000), 1);
    long long t0 = mm_test_now_ms();
    kill(node.pid, SIGTERM);
    assert_int_equal(wait_exit(&node, 20000), 0);
    fprintf(stderr, "drain with a message in flight took %lld ms\n", mm_test_now_ms() - t0);
    assert_int_equal(seen_count(), 2);
    assert_null(node_status("drain"));

    /* A second SIGTERM does not wait for the message in flight (4 s). */
    setenv("MMTEST_NODE_SLEEP_MS", "4000", 1);
    assert_int_equal(spawn_node(&node, "drain", path), 0);
    produce_events(2, 2);
    assert_int_equal(wait_seen(3, 60000), 3);
    json_t *st = node_status("drain");
    pid_t worker[1];
    assert_int_equal(running_procs(consumer_of(st, "count"), worker, 1), 1);
    json_decref(st);
    t0 = mm_test_now_ms();
    kill(node.pid, SIGTERM);
    usleep(100 * 1000);
    kill(node.pid, SIGTERM);
    /* Exit status 1 is the kill path; the worker is gone and its message
     * (4 s long) was never finished. */
    assert_int_equal(wait_exit(&node, 20000), 1);
    fprintf(stderr, "second SIGTERM: node gone after %lld ms\n", mm_test_now_ms() - t0);
    assert_int_equal(kill(worker[0], 0), -1);
    assert_int_equal(seen_count(), 3);
    unsetenv("MMTEST_NODE_SLEEP_MS");
    /* The killed message was not committed: the next member gets it. */
    assert_int_equal(spawn_node(&node, "drain", path), 0);
    assert_int_equal(wait_seen(4, 60000), 4);
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    unlink(path);
}

static void test_max_age_finished_events_stop_microservice(void **state) {
    (void)state;
    fresh_names(1);
    char path[64];
    write_temp(path, sizeof path,
               "mmtest_node:\n  count: {procs: 1, max_age_seconds: 2}\n  idle: {procs: 0}\n");
    mm_test_child node;
    assert_int_equal(spawn_node(&node, "aging", path), 0);
    long long deadline = mm_test_now_ms() + 20000;
    long long aged = 0;
    while (mm_test_now_ms() < deadline && aged < 2) {
        json_t *st = node_status("aging");
        aged = st ? ended(consumer_of(st, "count"), "max_age") : 0;
        json_decref(st);
        usleep(200 * 1000);
    }
    assert_true(aged >= 2);
    /* Events still flow across the retirements. */
    produce_events(0, 5);
    assert_int_equal(wait_seen(5, 60000), 5);

    /* StopMicroservice stops every consumer of the service; with nothing
     * left to run the node drains and exits 0. */
    mm_control sm = {.kind = MM_CONTROL_STOP_MICROSERVICE, .name = "mmtest_node"};
    send_control(&sm);
    assert_int_equal(wait_exit(&node, 20000), 0);

    json_t *fin = finished_events();
    size_t i, max_age = 0, stopped = 0;
    json_t *e;
    json_array_foreach(fin, i, e) {
        assert_string_equal(json_string_value(json_object_get(e, "node")), "aging");
        assert_string_equal(json_string_value(json_object_get(e, "microservice")), "mmtest_node");
        assert_string_equal(json_string_value(json_object_get(e, "name")), "count");
        assert_true(json_integer_value(json_object_get(e, "pid")) > 0);
        assert_int_equal(json_integer_value(json_object_get(e, "exitCode")), 0);
        const char *reason = json_string_value(json_object_get(e, "reason"));
        max_age += strcmp(reason, "max_age") == 0;
        stopped += strcmp(reason, "stopped") == 0;
    }
    assert_true(max_age >= 2);
    /* The last worker ends "stopped", or "max_age" when its age came
     * first and it was already retiring when the stop arrived. */
    assert_true(stopped <= 1);
    assert_int_equal(max_age + stopped, json_array_size(fin));
    json_decref(fin);
    unlink(path);
}

static void test_kill_node(void **state) {
    (void)state;
    fresh_names(1);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 2}\n  idle: {procs: 0}\n");
    mm_test_child node;
    assert_int_equal(spawn_node(&node, "victim", path), 0);
    json_t *st = wait_procs("victim", "count", 2, 20000);
    pid_t pids[2];
    assert_int_equal(running_procs(consumer_of(st, "count"), pids, 2), 2);
    json_decref(st);
    mm_control other = {.kind = MM_CONTROL_KILL_NODE, .name = "not-victim"};
    send_control(&other);
    mm_control kn = {.kind = MM_CONTROL_KILL_NODE, .name = "victim"};
    send_control(&kn);
    assert_int_equal(wait_exit(&node, 10000), 1);
    assert_int_equal(kill(pids[0], 0), -1);
    assert_int_equal(kill(pids[1], 0), -1);
    assert_null(node_status("victim"));
    json_t *fin = finished_events();
    assert_int_equal(json_array_size(fin), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(fin, 0), "reason")),
                        "killed");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(fin, 0), "exitCode")),
                     128 + SIGKILL);
    json_decref(fin);
    unlink(path);
}

/* A free TCP port on 127.0.0.1. */
static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

static void start_private_redis(mm_test_child *child, int port) {
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%d", port);
    char *argv[] = {"/usr/bin/redis-server", "--port", port_s, "--bind", "127.0.0.1", "--save", "",
                    "--appendonly",          "no",     NULL};
    assert_int_equal(mm_test_child_spawn(child, argv), 0);
    long long deadline = mm_test_now_ms() + 10000;
    int ok = 0;
    while (!ok && mm_test_now_ms() < deadline) {
        redisContext *c = redisConnect("127.0.0.1", port);
        redisReply *r = c && !c->err ? redisCommand(c, "PING") : NULL;
        ok = r && r->type == REDIS_REPLY_STATUS;
        freeReplyObject(r);
        redisFree(c);
        if (!ok) usleep(50 * 1000);
    }
    assert_true(ok);
}

static void test_redis_away_node_keeps_running(void **state) {
    (void)state;
    fresh_names(1);
    /* The status goes to a Redis of this test's own, which it stops and
     * restarts; state stays in the shared one. */
    int port = free_port();
    mm_test_child redis_child;
    start_private_redis(&redis_child, port);
    snprintf(status_url, sizeof status_url, "redis://127.0.0.1:%d", port);
    setenv("MM_REDIS_STATUS_URL", status_url, 1);
    char path[64];
    write_temp(path, sizeof path, "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n");
    mm_test_child node;
    int rc = spawn_node(&node, "redisless", path);
    unsetenv("MM_REDIS_STATUS_URL");
    assert_int_equal(rc, 0);
    json_decref(wait_procs("redisless", "count", 1, 20000));

    assert_int_equal(mm_test_child_stop(&redis_child, SIGTERM, 10000), 0);
    sleep(2);
    assert_int_equal(waitpid(node.pid, NULL, WNOHANG), 0); /* still running */
    produce_events(0, 5);
    assert_int_equal(wait_seen(5, 60000), 5);

    start_private_redis(&redis_child, port);
    json_decref(wait_procs("redisless", "count", 1, 20000));
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    assert_null(node_status("redisless"));
    assert_int_equal(mm_test_child_stop(&redis_child, SIGTERM, 10000), 0);
    status_url[0] = '\0';
    unlink(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_errors_refused_with_file_line),
        cmocka_unit_test(test_config_round_trip_and_harakiri),
        cmocka_unit_test(test_control_events),
        cmocka_unit_test(test_two_nodes_sigkill_worker_and_node),
        cmocka_unit_test(test_start_failure_backs_off),
        cmocka_unit_test(test_drain_finishes_message_second_term_kills),
        cmocka_unit_test(test_max_age_finished_events_stop_microservice),
        cmocka_unit_test(test_kill_node),
        cmocka_unit_test(test_redis_away_node_keeps_running),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
