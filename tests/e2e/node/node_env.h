/* node_env.h -- the environment the node e2e tests give `gregor node` and
 * its test service tests/e2e/node/mod_nodetest.c: the service's path, a
 * fresh web topic, event topic and group (created on the broker), the
 * broker, db NODE_ENV_REDIS_DB of the run's Redis, the log level, the
 * Kafka session timeout and MM_KEEP_APPS (test_node*.c each set these the
 * same way). What a test sets besides (MMTEST_NODE_SAVE, ...) stays in the
 * test. Header-only, no CMake edit: each test program includes it once,
 * after cmocka.h. */
#ifndef MM_TEST_NODE_ENV_H
#define MM_TEST_NODE_ENV_H

#include <dirent.h>
#include <hiredis.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"

/* The Redis db the node and mod_nodetest's state live in (MM_REDIS_URL). */
#define NODE_ENV_REDIS_DB "7"

typedef struct node_env {
    char mod_so[1024];   /* BINARY_DIR/tests/mod_nodetest.so, for --app */
    char redis_url[256]; /* MM_REDIS_URL */
    char web_topic[256]; /* MM_SERVICE_WEB_TOPIC: PREFIX-web-... */
    char topic[256];     /* MMTEST_NODE_TOPIC: PREFIX-... */
    char group[256];     /* MMTEST_NODE_GROUP: PREFIX-group-... */
} node_env;

/* Fresh names under prefix into e and the environment. Creates the web
 * topic (1 partition) and the event topic (`partitions`) on bootstrap; with
 * partitions 0 neither (the development broker creates a topic on its first
 * message and has no working admin API). */
static inline void node_env_names(node_env *e, const char *prefix, const char *bootstrap,
                                  int partitions) {
    char name[256];
    char *w, *t, *g;
    snprintf(name, sizeof name, "%s-web", prefix);
    w = mm_test_unique_name(name);
    t = mm_test_unique_name(prefix);
    snprintf(name, sizeof name, "%s-group", prefix);
    g = mm_test_unique_name(name);
    snprintf(e->web_topic, sizeof e->web_topic, "%s", w);
    snprintf(e->topic, sizeof e->topic, "%s", t);
    snprintf(e->group, sizeof e->group, "%s", g);
    free(w), free(t), free(g);
    setenv("MM_SERVICE_WEB_TOPIC", e->web_topic, 1);
    setenv("MMTEST_NODE_TOPIC", e->topic, 1);
    setenv("MMTEST_NODE_GROUP", e->group, 1);
    if (partitions > 0) {
        assert_int_equal(mm_test_kafka_create_topic(bootstrap, e->web_topic, 1), 0);
        assert_int_equal(mm_test_kafka_create_topic(bootstrap, e->topic, partitions), 0);
    }
}

/* The service's path and the servers into e and the environment:
 * MM_KAFKA_BOOTSTRAP_SERVERS (bootstrap), MM_REDIS_URL (redis_url; NULL:
 * db NODE_ENV_REDIS_DB of the run's Redis), MM_LOG_LEVEL,
 * MM_KAFKA_PROP_SESSION_TIMEOUT_MS (session_timeout_ms; NULL unsets it:
 * librdkafka's default, 45 s) and MM_KEEP_APPS=1 (the service stays loaded
 * at exit, so a sanitizer's leak report names its symbols). */
static inline void node_env_servers(node_env *e, const char *bootstrap, const char *redis_url,
                                    const char *log_level, const char *session_timeout_ms) {
    snprintf(e->mod_so, sizeof e->mod_so, "%s/tests/mod_nodetest.so", mm_test_binary_dir());
    if (redis_url)
        snprintf(e->redis_url, sizeof e->redis_url, "%s", redis_url);
    else
        snprintf(e->redis_url, sizeof e->redis_url, "%s/" NODE_ENV_REDIS_DB, mm_test_redis_url());
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", bootstrap, 1);
    setenv("MM_REDIS_URL", e->redis_url, 1);
    setenv("MM_LOG_LEVEL", log_level, 1);
    if (session_timeout_ms)
        setenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS", session_timeout_ms, 1);
    else
        unsetenv("MM_KAFKA_PROP_SESSION_TIMEOUT_MS");
    setenv("MM_KEEP_APPS", "1", 1);
}

/* A connection to db NODE_ENV_REDIS_DB of the run's Redis (where the node
 * and mod_nodetest keep their state), for the test to read what they
 * wrote; the caller redisFree()s it. */
static inline redisContext *node_env_redis(void) {
    char host[128];
    int port;
    mm_test_redis_addr(host, sizeof host, &port);
    redisContext *c = redisConnect(host, port);
    assert_true(c && !c->err);
    freeReplyObject(redisCommand(c, "SELECT " NODE_ENV_REDIS_DB));
    return c;
}

/* Events of topic that mod_nodetest handled at least once (fields of its
 * seen hash naming the topic; MMTEST_NODE_SAVE=1). */
static inline long long node_env_seen_count(const char *topic) {
    redisContext *c = node_env_redis();
    redisReply *r = redisCommand(c, "HKEYS mm:state:mmtest_node:seen");
    long long n = 0;
    for (size_t i = 0; r && r->type == REDIS_REPLY_ARRAY && i < r->elements; i++)
        n += strstr(r->element[i]->str, topic) != NULL;
    freeReplyObject(r);
    redisFree(c);
    return n;
}

/* The pids of parent's live (not zombie) children whose command line (the
 * process title a worker sets) contains what: at most cap into out; their
 * count. */
static inline size_t node_env_children(pid_t parent, const char *what, pid_t *out, size_t cap) {
    size_t n = 0;
    DIR *d = opendir("/proc");
    assert_non_null(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0) continue;
        char path[64], buf[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        char *rp = strrchr(buf, ')');
        int ppid = 0;
        char st = 0;
        if (!rp || sscanf(rp + 1, " %c %d", &st, &ppid) != 2 || ppid != parent || st == 'Z')
            continue;
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
        f = fopen(path, "r");
        if (!f) continue;
        got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        if (strstr(buf, what) && n < cap) out[n++] = pid;
    }
    closedir(d);
    return n;
}

/* Whether pid exists and is not a zombie. */
static inline int node_env_alive(pid_t pid) {
    char path[64], buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t got = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[got] = '\0';
    char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] != 'Z';
}

/* Reads sub (SUBSCRIBEd to the results channel, with a read timeout) until
 * the result whose sourceEventId is id arrives: 1; 0 when a read failed
 * (timed out: sub is then unusable). */
static inline int node_env_wait_answer(redisContext *sub, const char *id) {
    for (;;) {
        void *reply = NULL;
        if (redisGetReply(sub, &reply) != REDIS_OK) return 0;
        redisReply *r = reply;
        json_t *doc = r->type == REDIS_REPLY_ARRAY && r->elements == 3
                          ? json_loads(r->element[2]->str, 0, NULL)
                          : NULL;
        const char *src = json_string_value(json_object_get(doc, "sourceEventId"));
        int answered = src && strcmp(src, id) == 0;
        json_decref(doc);
        freeReplyObject(r);
        if (answered) return 1;
    }
}

/* Starts `gregor node --node-name node_name` on e's service with the
 * config "mmtest_node: {count: COUNT_CFG, idle: {procs: 0}}" written to
 * cfg_path and its stderr to log_path (both mkstemp templates, filled in
 * here), and waits up to 30 s for "node ready: ". */
static inline void node_env_start_node(mm_test_child *node, const node_env *e,
                                       const char *node_name, const char *count_cfg, char *cfg_path,
                                       char *log_path) {
    int log_fd = mkstemp(log_path);
    int cfg_fd = mkstemp(cfg_path);
    assert_true(log_fd >= 0 && cfg_fd >= 0);
    char cfg[256];
    snprintf(cfg, sizeof cfg, "mmtest_node:\n  count: %s\n  idle: {procs: 0}\n", count_cfg);
    assert_int_equal(write(cfg_fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(cfg_fd);
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    (char *)e->mod_so,
                    "--node-name",
                    (char *)node_name,
                    "--config",
                    cfg_path,
                    NULL};
    int saved = dup(2);
    dup2(log_fd, 2);
    int rc = mm_test_child_spawn(node, argv);
    dup2(saved, 2);
    close(saved);
    close(log_fd);
    assert_int_equal(rc, 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(node, "node ready: ", line, sizeof line, 30000), 0);
}

/* The file at path (the node's log), up to cap − 1 bytes, NUL-terminated;
 * the caller frees it. */
static inline char *node_env_read_log(const char *path, size_t cap) {
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    char *log = calloc(1, cap);
    assert_non_null(log);
    size_t n = fread(log, 1, cap - 1, f);
    log[n] = '\0';
    fclose(f);
    return log;
}

/* NodeTestEvents from .. from + n − 1 to topic, all at once (a backlog),
 * with the ids "TOPIC-I"; flushed (20 s at most). */
static inline void node_env_produce(const char *topic, int from, int n) {
    char err[256];
    mm_producer *producer = mm_producer_new(mm_test_kafka_bootstrap(), NULL, 0, err, sizeof err);
    assert_non_null(producer);
    for (int i = from; i < from + n; i++) {
        mm_event ev;
        char id[512];
        assert_int_equal(
            mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", i)), 0);
        snprintf(id, sizeof id, "%s-%d", topic, i);
        free(ev.id);
        ev.id = strdup(id);
        if (mm_producer_send(producer, topic, &ev, NULL, NULL, err, sizeof err))
            fail_msg("send: %s", err);
        mm_event_clear(&ev);
    }
    assert_int_equal(mm_producer_flush(producer, 20000), 0);
    mm_producer_free(producer);
}

/* Both, for a test that runs one node on the run's Redis: servers, then
 * names and topics. */
static inline void node_env_setup(node_env *e, const char *prefix, const char *bootstrap,
                                  const char *log_level, const char *session_timeout_ms,
                                  int partitions) {
    node_env_servers(e, bootstrap, NULL, log_level, session_timeout_ms);
    node_env_names(e, prefix, bootstrap, partitions);
}

#endif
