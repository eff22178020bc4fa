/* bench_node.c -- what a node costs and how fast it obeys: supervisor CPU
 * while idle with 8 workers, worker RSS after start-up and after 10,000
 * events, throughput of 8 workers, and the time from an AdjustConsumer
 * control event to its effect (up and down). Runs `gregor node` with the
 * test service tests/e2e/node/mod_nodetest.c against a real Kafka and Redis.
 *
 *   bench_node GREGOR MOD_NODETEST.so KAFKA_BOOTSTRAP REDIS_URL
 *
 * (bench/node/run.sh starts the servers and passes these.) Not a test. */
#include <errno.h>
#include <hiredis/hiredis.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bus/admin.h"
#include "bus/producer.h"
#include "node/control.h"
#include "node/status_store.h"
#include "node/sysstats.h"

#define WORKERS 8
#define EVENTS  10000

static char web_topic[128], topic[128], group[128];
static const char *redis_url;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what) {
    fprintf(stderr, "bench_node: %s\n", what);
    exit(1);
}

/* The node's status document (new reference) or NULL. */
static json_t *status(void) {
    char err[256];
    mm_status_store *st = mm_status_store_new(redis_url, web_topic, err, sizeof err);
    json_t *nodes = NULL;
    if (!st || mm_status_store_read(st, &nodes, err, sizeof err)) die(err);
    mm_status_store_free(st);
    json_t *n = json_incref(json_array_get(nodes, 0));
    json_decref(nodes);
    return n;
}

static json_t *count_consumer(json_t *node) {
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(node, "consumers"), i,
                       c) if (strcmp(json_string_value(json_object_get(c, "name")), "count") ==
                              0) return c;
    return NULL;
}

/* Running (not stopping) and total processes of the count consumer. */
static void procs(size_t *running, size_t *total, double *rss_avg_mib) {
    json_t *n = status();
    json_t *c = n ? count_consumer(n) : NULL;
    size_t i, r = 0;
    json_t *p;
    double rss = 0;
    json_array_foreach(json_object_get(c, "processes"), i, p) {
        if (!json_is_true(json_object_get(p, "stopping"))) r++;
        rss += (double)json_integer_value(json_object_get(p, "rss"));
    }
    *running = r;
    *total = json_array_size(json_object_get(c, "processes"));
    if (rss_avg_mib) *rss_avg_mib = *total ? rss / (double)*total / 1048576.0 : 0;
    json_decref(n);
}

static double wait_procs(size_t want_running, size_t want_total, double timeout) {
    double t0 = now_s();
    size_t r = 0, t = 0;
    while (now_s() - t0 < timeout) {
        procs(&r, &t, NULL);
        if (r == want_running && (want_total == 0 || t == want_total)) return now_s() - t0;
        usleep(5000);
    }
    fprintf(stderr, "bench_node: %zu/%zu processes, wanted %zu/%zu\n", r, t, want_running,
            want_total);
    exit(1);
}

static long long handled(redisContext *c) {
    redisReply *r = redisCommand(c, "GET mm:state:mmtest_node:handled");
    long long v = r && r->type == REDIS_REPLY_STRING ? atoll(r->str) : 0;
    freeReplyObject(r);
    return v;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: bench_node GREGOR MOD_NODETEST.so KAFKA_BOOTSTRAP REDIS_URL\n");
        return 2;
    }
    const char *gregor = argv[1], *mod = argv[2], *bootstrap = argv[3];
    redis_url = argv[4];
    snprintf(web_topic, sizeof web_topic, "bench-web-%d-%ld", (int)getpid(), (long)time(NULL));
    snprintf(topic, sizeof topic, "bench-node-%d-%ld", (int)getpid(), (long)time(NULL));
    snprintf(group, sizeof group, "bench-group-%d-%ld", (int)getpid(), (long)time(NULL));
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", bootstrap, 1);
    setenv("MM_REDIS_URL", redis_url, 1);
    setenv("MM_SERVICE_WEB_TOPIC", web_topic, 1);
    setenv("MMTEST_NODE_TOPIC", topic, 1);
    setenv("MMTEST_NODE_GROUP", group, 1);
    setenv("MM_LOG_LEVEL", "warn", 1);
    setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", "6000", 1);

    char err[512];
    mm_producer *prod = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    if (!prod) die(err);
    const char *topics[] = {topic, web_topic};
    if (mm_kafka_create_topics(mm_producer_rdkafka(prod), topics, 1, WORKERS, -1, 20000, err,
                               sizeof err) ||
        mm_kafka_create_topics(mm_producer_rdkafka(prod), topics + 1, 1, 1, -1, 20000, err,
                               sizeof err))
        die(err);
    char cfg_path[] = "/tmp/bench-node-XXXXXX";
    int fd = mkstemp(cfg_path);
    dprintf(fd, "mmtest_node:\n  count: {procs: %d}\n  idle: {procs: 0}\n", WORKERS);
    close(fd);

    int out[2];
    if (pipe(out)) die("pipe");
    pid_t node = fork();
    if (node == 0) {
        dup2(out[1], 1);
        close(out[0]);
        execl(gregor, gregor, "node", "--app", mod, "--node-name", "bench", "--config", cfg_path,
              (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    FILE *nf = fdopen(out[0], "r");
    char line[256];
    if (!fgets(line, sizeof line, nf) || strncmp(line, "node ready", 10) != 0)
        die("node did not start");
    double t = wait_procs(WORKERS, WORKERS, 60);
    printf("node ready, %d workers running after %.2f s more\n", WORKERS, t);
    sleep(3); /* let the group settle */

    size_t r, tot;
    double rss_start;
    procs(&r, &tot, &rss_start);
    json_t *doc = status();
    pid_t agent = (pid_t)json_integer_value(json_object_get(doc, "agentPid"));
    json_decref(doc);
    mm_proc_stats a, b, ga = {0}, gb = {0};
    if (mm_sysstats_proc(node, &a)) die("no supervisor stats");
    mm_sysstats_proc(agent, &ga);
    double t0 = now_s();
    sleep(10);
    mm_sysstats_proc(node, &b);
    mm_sysstats_proc(agent, &gb);
    double idle = now_s() - t0;
    printf("Kafka agent CPU while idle: %.3f%%; agent RSS %.1f MiB\n",
           100.0 * ((gb.user_seconds - ga.user_seconds) + (gb.system_seconds - ga.system_seconds)) /
               idle,
           (double)gb.rss_bytes / 1048576.0);
    printf("supervisor CPU while idle with %d workers: %.3f%% (%.3f s user + %.3f s system over "
           "%.1f s)\n",
           WORKERS,
           100.0 * ((b.user_seconds - a.user_seconds) + (b.system_seconds - a.system_seconds)) /
               idle,
           b.user_seconds - a.user_seconds, b.system_seconds - a.system_seconds, idle);
    mm_sysstats_proc(node, &a);
    printf("supervisor RSS: %.1f MiB; worker RSS after start-up: %.1f MiB average\n",
           (double)a.rss_bytes / 1048576.0, rss_start);

    redisContext *rc = redisConnect("127.0.0.1", 6379);
    {
        /* The Redis of redis_url (redis://host:port[/db]). */
        char host[128];
        int port = 6379, db = 0;
        if (sscanf(redis_url, "redis://%127[^:]:%d/%d", host, &port, &db) < 2) die("bad redis url");
        redisFree(rc);
        rc = redisConnect(host, port);
        if (!rc || rc->err) die("redis");
        freeReplyObject(redisCommand(rc, "SELECT %d", db));
    }
    long long before = handled(rc);
    t0 = now_s();
    for (int i = 0; i < EVENTS; i++) {
        mm_event ev;
        if (mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)))
            die("event");
        if (mm_producer_send(prod, topic, &ev, NULL, NULL, err, sizeof err)) die(err);
        mm_event_clear(&ev);
    }
    mm_producer_flush(prod, 60000);
    double produced = now_s() - t0;
    while (handled(rc) - before < EVENTS && now_s() - t0 < 300) usleep(20000);
    double done = now_s() - t0;
    printf(
        "%d events: produced in %.2f s, all handled after %.2f s (%.0f events/s with %d workers)\n",
        EVENTS, produced, done, EVENTS / done, WORKERS);
    usleep(1000 * 1000);
    double rss_after;
    procs(&r, &tot, &rss_after);
    printf("worker RSS after %d events: %.1f MiB average\n", EVENTS, rss_after);

    /* Control event to effect. */
    for (int round = 0; round < 3; round++) {
        mm_control up = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                         .node = "bench",
                         .name = "count",
                         .process_count_set = MM_CONTROL_SET,
                         .process_count = WORKERS + 4};
        mm_event ev;
        if (mm_control_build(&up, &ev, err, sizeof err)) die(err);
        t0 = now_s();
        if (mm_producer_send_sync(prod, web_topic, &ev, 10000, NULL, NULL, err, sizeof err))
            die(err);
        double sent = now_s() - t0;
        mm_event_clear(&ev);
        double up_t = wait_procs(WORKERS + 4, WORKERS + 4, 30);
        printf("AdjustConsumer %d -> %d: acked in %.1f ms, workers forked and in the status after "
               "%.1f ms\n",
               WORKERS, WORKERS + 4, sent * 1000, (sent + up_t) * 1000);
        mm_control down = up;
        down.process_count = WORKERS;
        if (mm_control_build(&down, &ev, err, sizeof err)) die(err);
        t0 = now_s();
        if (mm_producer_send_sync(prod, web_topic, &ev, 10000, NULL, NULL, err, sizeof err))
            die(err);
        sent = now_s() - t0;
        mm_event_clear(&ev);
        double stopping = wait_procs(WORKERS, 0, 30);
        double gone = wait_procs(WORKERS, WORKERS, 60);
        printf("AdjustConsumer %d -> %d: acked in %.1f ms, 4 workers told to stop after %.1f ms, "
               "exited "
               "(left the group) after %.1f ms\n",
               WORKERS + 4, WORKERS, sent * 1000, (sent + stopping) * 1000,
               (sent + stopping + gone) * 1000);
    }

    t0 = now_s();
    kill(node, SIGTERM);
    int ws;
    waitpid(node, &ws, 0);
    printf("SIGTERM drain of %d workers: %.2f s, exit status %d\n", WORKERS, now_s() - t0,
           WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
    fclose(nf);
    unlink(cfg_path);
    redisFree(rc);
    mm_producer_free(prod);
    return 0;
}
