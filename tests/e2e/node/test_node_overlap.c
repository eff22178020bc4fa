/* test_node_overlap.c -- the overlapped hand-over (docs/node.md,
 * "Overlapped hand-over"), against the real Kafka broker and Redis: a
 * worker whose harakiri budget is spent goes on handling events while its
 * replacement joins, and stops when the replacement has its assignment.
 *
 * Proves:
 * - under synchronous load (4 callers, harakiri 20): every request is
 *   answered within the hand-off bound, every event is handled exactly
 *   once, the first handling of the events of the partition follows their
 *   offsets (no replacement started before its predecessor stopped), and
 *   the overlap happened (retiring workers handled events past their
 *   budgets and were stopped by their replacements' assignments), with a
 *   standby (MM_NODE_STANDBY=1, forced for every other test too); the
 *   same, 4 s, with the node's default (MM_NODE_STANDBY unset, auto): no
 *   standby is started and every replacement is forked fresh;
 * - a replacement that never gets its assignment (its standby stopped
 *   with SIGSTOP, then SIGKILLed) does not stall the consumer: the old
 *   worker stops at its deadline and hands over, and the next replacement
 *   handles the rest;
 * - an old worker SIGKILLed during the overlap: its replacement starts at
 *   the committed offsets (end of file on its pipe) and handles the rest;
 * - a node drained during an overlap stops in bounded time and leaves no
 *   worker behind;
 * - procs lowered to 0 (AdjustConsumer) during an overlap: both the
 *   replacement and the old worker stop for good, no other starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node/control.h"
#include "node_env.h"

#if defined(__SANITIZE_ADDRESS__)
#define MAX_REQUEST_MS 1000
#else
#define MAX_REQUEST_MS 250
#endif
#define CLIENTS    4
#define PER_CLIENT 20000
#define NODE_NAME  "overlap"

static char topic[256];
static char web_topic[256];
static char log_path[64];

/* Starts a node (stderr, at debug level, to log_path) running count with
 * the given config; the environment names a fresh topic and group. */
static void start_node(mm_test_child *node, const char *count_cfg, char *cfg_path) {
    node_env env;
    node_env_setup(&env, "mmtest-overlap", mm_test_kafka_bootstrap(), "debug", "6000", 1);
    snprintf(topic, sizeof topic, "%s", env.topic);
    snprintf(web_topic, sizeof web_topic, "%s", env.web_topic);
    setenv("MMTEST_NODE_SAVE", "1", 1);
    setenv("MMTEST_NODE_ORDER", "1", 1);
    snprintf(log_path, sizeof log_path, "/tmp/mmtest-overlap-log-XXXXXX");
    node_env_start_node(node, &env, NODE_NAME, count_cfg, cfg_path, log_path);
    unsetenv("MMTEST_NODE_ORDER");
    unsetenv("MMTEST_NODE_SAVE");
}

static char *read_log(void) { return node_env_read_log(log_path, 8 << 20); }

static int log_count(const char *log, const char *what) {
    int n = 0;
    for (const char *s = log; (s = strstr(s, what)); s++) n++;
    return n;
}

/* Waits up to ms for the node's log to say what; 1 when it did. */
static int log_wait(const char *what, int ms) {
    long long end = mm_test_now_ms() + ms;
    do {
        char *log = read_log();
        int found = strstr(log, what) != NULL;
        free(log);
        if (found) return 1;
        usleep(20 * 1000);
    } while (mm_test_now_ms() < end);
    return 0;
}

/* The handling order of our topic's events (ids, malloc'd; *n of them). */
static char **handling_order(size_t *n) {
    redisContext *c = node_env_redis();
    redisReply *r = redisCommand(c, "LRANGE mm:state:mmtest_node:order 0 -1");
    assert_true(r && r->type == REDIS_REPLY_ARRAY);
    char **ids = calloc(r->elements + 1, sizeof *ids);
    *n = 0;
    for (size_t i = 0; i < r->elements; i++) {
        json_t *v = json_loads(r->element[i]->str, JSON_DECODE_ANY, NULL);
        const char *id = json_string_value(v);
        if (id && strstr(id, topic)) ids[(*n)++] = strdup(id);
        json_decref(v);
    }
    freeReplyObject(r);
    redisFree(c);
    return ids;
}

static int cmp_int(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }

static int cmp_ll(const void *a, const void *b) {
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

/* ---- synchronous load ---------------------------------------------------- */

typedef struct client {
    int k;
    long long end_ms;
    size_t count, lost;
    long long lat[PER_CLIENT];
    long long offset[PER_CLIENT]; /* of event i (its id ends in -k-i) */
} client;

/* One synchronous caller: produce an event (waiting for its offset), wait
 * for its result on the reply_to channel, again, until end_ms. */
static void *client_main(void *arg) {
    client *cl = arg;
    char err[256], server[300], chan[400], host[128];
    int port;
    mm_producer *producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    if (!producer) return NULL;
    snprintf(server, sizeof server, "%s-server-%d", topic, cl->k);
    snprintf(chan, sizeof chan, "mm:done:%s", server);
    mm_test_redis_addr(host, sizeof host, &port);
    redisContext *sub = redisConnect(host, port);
    struct timeval tv = {5, 0};
    if (!sub || sub->err) return NULL;
    freeReplyObject(redisCommand(sub, "SUBSCRIBE %s", chan));
    redisSetTimeout(sub, tv);
    for (int i = 0; i < PER_CLIENT && mm_test_now_ms() < cl->end_ms; i++) {
        mm_event ev;
        char id[512];
        if (mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i))) break;
        snprintf(id, sizeof id, "%s-%d-%d", topic, cl->k, i);
        free(ev.id);
        ev.id = strdup(id);
        mm_event_set_reply_to(&ev, server);
        long long t0 = mm_test_now_ms();
        int64_t off = -1;
        int rc = mm_producer_send_sync(producer, topic, &ev, 10000, NULL, &off, err, sizeof err);
        mm_event_clear(&ev);
        if (rc) break;
        cl->offset[i] = off;
        int answered = node_env_wait_answer(sub, id); /* 0: 5 s without an answer */
        cl->lat[i] = mm_test_now_ms() - t0;
        cl->count = (size_t)i + 1;
        if (!answered) {
            cl->lost++;
            break;
        }
    }
    redisFree(sub);
    mm_producer_free(producer);
    return NULL;
}

static int overlap_seconds(void) {
    const char *v = getenv("MMTEST_OVERLAP_SECONDS");
    return v && atoi(v) > 0 ? atoi(v) : 8;
}

/* standby 0: MM_NODE_STANDBY=0, every replacement forked fresh (its offsets
 * come on a pipe of its own). */
static void sync_load(int standby, int seconds) {
    mm_test_child node;
    char cfg_path[] = "/tmp/mmtest-overlap-cfg-XXXXXX";
    /* Without MM_NODE_STANDBY (auto, the default), overlapped hand-overs
     * get no standby: each replacement is forked at its predecessor's
     * budget. */
    if (!standby) unsetenv("MM_NODE_STANDBY");
    start_node(&node, "{procs: 1, harakiri_limit: 20}", cfg_path);
    setenv("MM_NODE_STANDBY", "1", 1);
    static client cl[CLIENTS];
    pthread_t th[CLIENTS];
    long long start = mm_test_now_ms();
    for (int k = 0; k < CLIENTS; k++) {
        memset(&cl[k], 0, sizeof cl[k]);
        cl[k].k = k;
        cl[k].end_ms = start + seconds * 1000LL;
        assert_int_equal(pthread_create(&th[k], NULL, client_main, &cl[k]), 0);
    }
    for (int k = 0; k < CLIENTS; k++) pthread_join(th[k], NULL);
    double secs = (double)(mm_test_now_ms() - start) / 1000.0;
    usleep(300 * 1000); /* an event handled twice would come now at the latest */
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);

    /* Latencies (the first request of each caller waits for the first
     * worker's join: left out). */
    size_t total = 0, lost = 0, over = 0;
    static long long all[CLIENTS * PER_CLIENT];
    for (int k = 0; k < CLIENTS; k++) {
        lost += cl[k].lost;
        for (size_t i = 1; i < cl[k].count; i++) {
            all[total++] = cl[k].lat[i];
            over += cl[k].lat[i] > MAX_REQUEST_MS;
        }
    }
    qsort(all, total, sizeof *all, cmp_ll);

    /* Order: the first handling of each event follows the offsets. */
    size_t n = 0, events = 0;
    char **order = handling_order(&n);
    for (int k = 0; k < CLIENTS; k++) events += cl[k].count;
    long long *offs = calloc(events + 1, sizeof *offs), *first = calloc(events + 1, sizeof *first);
    size_t nfirst = 0, dups = 0, unknown = 0;
    for (size_t i = 0; i < n; i++) {
        int k, j;
        const char *tail = order[i] + strlen(topic);
        if (sscanf(tail, "-%d-%d", &k, &j) != 2 || k < 0 || k >= CLIENTS || j < 0 ||
            (size_t)j >= cl[k].count) {
            unknown++;
            continue;
        }
        long long off = cl[k].offset[j];
        int again = 0;
        for (size_t m = 0; m < nfirst && !again; m++) again = first[m] == off;
        if (again)
            dups++;
        else
            first[nfirst++] = off;
    }
    size_t out_of_order = 0;
    for (size_t m = 1; m < nfirst; m++) out_of_order += first[m] < first[m - 1];
    for (size_t i = 0; i < n; i++) free(order[i]);
    free(order);
    free(offs);
    free(first);

    char *log = read_log();
    int overlaps = log_count(log, "beyond its budget of");
    int beyond = 0, by_assignment = log_count(log, "ended by its replacement's assignment");
    int by_limit = log_count(log, "ended by its overshoot limit");
    int by_fencing = log_count(log, "ended by a fencing or a stop");
    int overshoot[4096], nover = 0;
    for (const char *s = log; (s = strstr(s, ": overlap: ")); s++) {
        int e;
        if (sscanf(s, ": overlap: %d event(s)", &e) != 1) continue;
        beyond += e > 0;
        if (nover < 4096) overshoot[nover++] = e;
    }
    qsort(overshoot, (size_t)nover, sizeof *overshoot, cmp_int);
    int gaps[4096], ngaps = 0;
    for (const char *s = log; (s = strstr(s, "'s first event ")) && ngaps < 4096; s++) {
        int ms;
        if (sscanf(s, "'s first event %d ms after", &ms) == 1) gaps[ngaps++] = ms;
    }
    qsort(gaps, (size_t)ngaps, sizeof *gaps, cmp_int);
    int commit_errors = log_count(log, "commit failed");
    int from_standby = log_count(log, "predecessor's last (standby)");
    int from_fresh = log_count(log, "predecessor's last (started fresh)");
    int standbys_started = log_count(log, "started standby pid=");
    free(log);
    unlink(log_path);
    unlink(cfg_path);
    print_message(
        "overlap (%s): harakiri(20), %d synchronous callers, %.1f s: %zu requests (%.0f/s), "
        "p50 %lld ms, p99 %lld ms, max %lld ms, %zu over %d ms, %zu unanswered; %zu "
        "events, %zu handlings (%zu twice, %zu out of order); %d overlaps (%d with "
        "events past the budget, overshoot median %d, max %d; ended by the "
        "replacement's assignment %d, a fencing %d, the overshoot limit %d); %d "
        "hand-overs, gap median %d ms, p90 %d ms\n",
        standby ? "standby" : "fresh", CLIENTS, secs, total, (double)total / secs,
        total ? all[total / 2] : -1, total ? all[total * 99 / 100] : -1,
        total ? all[total - 1] : -1, over, MAX_REQUEST_MS, lost, events, n, dups, out_of_order,
        overlaps, beyond, nover ? overshoot[nover / 2] : -1, nover ? overshoot[nover - 1] : -1,
        by_assignment, by_fencing, by_limit, ngaps, ngaps ? gaps[ngaps / 2] : -1,
        ngaps ? gaps[ngaps * 9 / 10] : -1);
    assert_int_equal(lost, 0);
    assert_int_equal(over, 0);
    assert_int_equal(unknown, 0);
    assert_int_equal(nfirst, events); /* every event handled */
    assert_int_equal(dups, 0);        /* handed-over offsets: none twice */
    assert_int_equal(out_of_order, 0);
    assert_true(overlaps >= 5);
    assert_true(beyond >= 1);
    assert_true(by_assignment >= 1);
    assert_true(ngaps >= 5);
    assert_int_equal(commit_errors, 0);
    if (standby) {
        assert_true(from_standby >= 1);
    } else {
        assert_int_equal(standbys_started, 0);
        assert_int_equal(from_standby, 0);
        assert_true(from_fresh >= 5);
    }
}

static void test_overlap_under_sync_load(void **state) {
    (void)state;
    sync_load(1, overlap_seconds());
}

static void test_overlap_fresh_replacements(void **state) {
    (void)state;
    sync_load(0, 4);
}

/* ---- failure paths ---------------------------------------------------------- */

/* The node's standby, once it is there (10 s at most). */
static pid_t wait_standby(pid_t node) {
    pid_t sb[8];
    for (int i = 0; i < 500; i++) {
        if (node_env_children(node, "gregor worker mmtest_node.count standby", sb, 8) == 1)
            return sb[0];
        usleep(20 * 1000);
    }
    fail_msg("no standby");
    return -1;
}

/* Waits up to ms for events handled; returns how many were. */
static long long wait_handled(long long events, int ms) {
    long long end = mm_test_now_ms() + ms, seen = 0;
    while ((seen = node_env_seen_count(topic)) < events && mm_test_now_ms() < end)
        usleep(50 * 1000);
    return seen;
}

/* A node (harakiri 10) whose worker is past its budget and overlapping,
 * its replacement (the standby) held with SIGSTOP before its go: 15
 * events produced, the worker's "handling on" logged. Returns the
 * standby's pid; *w0 (when not NULL) gets the old worker's. */
static pid_t start_held_overlap(mm_test_child *node, char *cfg_path, pid_t *w0) {
    start_node(node, "{procs: 1, harakiri_limit: 10}", cfg_path);
    pid_t sb = wait_standby(node->pid);
    kill(sb, SIGSTOP);              /* the overlap lasts until we let it go on (up to 2 s) */
    node_env_produce(topic, 0, 15); /* 5 past the budget */
    assert_true(log_wait("handling on while the replacement joins", 15000));
    pid_t w[8];
    if (w0) {
        assert_int_equal(node_env_children(node->pid, "gregor worker mmtest_node.count #0", w, 8),
                         1);
        *w0 = w[0];
    }
    return sb;
}

/* The replacement never gets its assignment (its standby is stopped before
 * its go, then killed): the old worker stops at its deadline (2 s after
 * its budget) and hands over; the next replacement handles the rest. */
static void test_overlap_replacement_never_assigned(void **state) {
    (void)state;
    mm_test_child node;
    char cfg_path[] = "/tmp/mmtest-overlap-cfg-XXXXXX";
    start_node(&node, "{procs: 1, harakiri_limit: 10}", cfg_path);
    pid_t sb = wait_standby(node.pid);
    kill(sb, SIGSTOP);
    /* 15: the old worker takes 5 past its budget of 10, then waits (it
     * would stop at 4 times its budget). */
    const int events = 35;
    node_env_produce(topic, 0, 15);
    long long t0 = mm_test_now_ms();
    int deadline = log_wait("ended by its deadline", 15000);
    long long stopped_ms = mm_test_now_ms() - t0;
    kill(sb, SIGKILL);
    long long t1 = mm_test_now_ms();
    node_env_produce(topic, 15, 20); /* for the next replacement */
    long long seen = wait_handled(events, 20000);
    long long rest_ms = mm_test_now_ms() - t1;
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    print_message("replacement stopped: the old worker stopped at its deadline after %lld ms "
                  "(from the backlog); %lld of %d events handled %lld ms after the "
                  "replacement was killed\n",
                  stopped_ms, seen, events, rest_ms);
    unlink(log_path);
    unlink(cfg_path);
    assert_true(deadline);
    assert_int_equal(seen, events);
}

/* The old worker dies during the overlap: its replacement starts at the
 * committed offsets (end of file on its pipe) and handles the rest. */
static void test_overlap_old_worker_killed(void **state) {
    (void)state;
    mm_test_child node;
    char cfg_path[] = "/tmp/mmtest-overlap-cfg-XXXXXX";
    pid_t w0;
    pid_t sb = start_held_overlap(&node, cfg_path, &w0);
    const int events = 35;
    kill(w0, SIGKILL);
    usleep(100 * 1000); /* reaped: the supervisor closes the replacement's pipe */
    kill(sb, SIGCONT);
    long long t0 = mm_test_now_ms();
    node_env_produce(topic, 15, 20); /* for the replacement */
    long long seen = wait_handled(events, 20000);
    long long rest_ms = mm_test_now_ms() - t0;
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    char *log = read_log();
    int told = log_count(log, "ended without handing over");
    int committed = log_count(log, "its predecessor ended without handing over");
    free(log);
    print_message("old worker killed in the overlap: %lld of %d events handled %lld ms after the "
                  "replacement went on (%d/%d log lines)\n",
                  seen, events, rest_ms, told, committed);
    unlink(log_path);
    unlink(cfg_path);
    assert_int_equal(seen, events);
    assert_true(told >= 1);
    assert_true(committed >= 1);
}

/* A node drained during an overlap stops in bounded time, every worker
 * gone. */
static void test_overlap_node_drained(void **state) {
    (void)state;
    mm_test_child node;
    char cfg_path[] = "/tmp/mmtest-overlap-cfg-XXXXXX";
    pid_t sb = start_held_overlap(&node, cfg_path, NULL);
    pid_t w[8];
    size_t nw = node_env_children(node.pid, "gregor worker", w, 8);
    kill(sb, SIGCONT);
    long long t0 = mm_test_now_ms();
    int rc = mm_test_child_stop(&node, SIGTERM, 15000);
    long long took = mm_test_now_ms() - t0;
    int left = 0;
    for (size_t i = 0; i < nw; i++) left += node_env_alive(w[i]);
    left += node_env_alive(sb);
    print_message("drained during an overlap: node exited %d after %lld ms; %d of %zu workers "
                  "left\n",
                  rc, took, left, nw + 1);
    unlink(log_path);
    unlink(cfg_path);
    assert_int_equal(rc, 0);
    assert_true(took < 10000);
    assert_int_equal(left, 0);
}

/* AdjustConsumer processCount 0 during an overlap: the replacement is
 * retired for good, and its predecessor with it; nothing is started. */
static void test_overlap_procs_lowered(void **state) {
    (void)state;
    mm_test_child node;
    char cfg_path[] = "/tmp/mmtest-overlap-cfg-XXXXXX";
    pid_t w0;
    pid_t sb = start_held_overlap(&node, cfg_path, &w0);
    char err[256];
    mm_producer *producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);
    mm_control c = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .node = NODE_NAME,
                    .name = "mmtest_node.count",
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = 0};
    mm_event ev;
    if (mm_control_build(&c, &ev, err, sizeof err)) fail_msg("build: %s", err);
    long long t0 = mm_test_now_ms();
    if (mm_producer_send_sync(producer, web_topic, &ev, 20000, NULL, NULL, err, sizeof err))
        fail_msg("send control: %s", err);
    mm_event_clear(&ev);
    mm_producer_free(producer);
    /* The replacement gets its stop while it is stopped; it acts on it
     * once continued. */
    assert_true(log_wait("processCount=0", 10000));
    kill(sb, SIGCONT);
    while ((node_env_alive(w0) || node_env_alive(sb)) && mm_test_now_ms() - t0 < 10000)
        usleep(20 * 1000);
    long long took = mm_test_now_ms() - t0;
    int left = node_env_alive(w0) + node_env_alive(sb);
    usleep(700 * 1000); /* a worker started again would be there by now */
    pid_t any[8];
    size_t others = node_env_children(node.pid, "gregor worker mmtest_node.count #", any, 8);
    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    print_message("procs 1 -> 0 during an overlap: old worker and replacement gone %lld ms after "
                  "the control event (%d left); %zu worker(s) after\n",
                  took, left, others);
    unlink(log_path);
    unlink(cfg_path);
    assert_int_equal(left, 0);
    assert_int_equal(others, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_overlap_under_sync_load),
        cmocka_unit_test(test_overlap_fresh_replacements),
        cmocka_unit_test(test_overlap_replacement_never_assigned),
        cmocka_unit_test(test_overlap_old_worker_killed),
        cmocka_unit_test(test_overlap_node_drained),
        cmocka_unit_test(test_overlap_procs_lowered),
    };
    /* A standby (forced: by default an overlapped hand-over has none) for
     * every test but the default's own (sync_load(0)). */
    setenv("MM_NODE_STANDBY", "1", 1);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
