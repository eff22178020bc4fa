/* test_node_broker_gone.c -- a node whose Kafka broker vanished stops
 * promptly on SIGTERM (issue 14: it took ~45 s, librdkafka waiting out the
 * session timeout while closing the consumer).
 *
 * Starts a broker of its own (scripts/kafka-fixture.sh), runs `gregor node`
 * with one worker against it until an event is handled, SIGKILLs the broker,
 * then SIGTERMs the node and a standalone `gregor worker`: each must exit
 * within 5 s (each worker is bounded to
 * 3 s after its last event, the Kafka agent's flush to 1.5 s), the worker
 * must say what it abandoned, and the handled event's result stays. Redis is
 * the shared one of the test run. */
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
#include <sys/wait.h>
#include <unistd.h>

#include "bus/producer.h"
#include "mm_test.h"
#include "node_env.h"

static char fixture_dir[512];
static char bootstrap[256];

/* Value of "NAME=VALUE" line in text into out. */
static int env_line(const char *text, const char *name, char *out, size_t size) {
    char key[128];
    snprintf(key, sizeof key, "%s=", name);
    const char *p = strstr(text, key);
    if (!p) return -1;
    p += strlen(key);
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
    return 0;
}

static void fixture(const char *what) {
    char script[1024];
    snprintf(script, sizeof script, "%s/scripts/kafka-fixture.sh", getenv("MM_SOURCE_DIR"));
    char *argv[] = {"/bin/bash", script, (char *)what,
                    strcmp(what, "stop") == 0 ? fixture_dir : NULL, NULL};
    char *out = NULL, *err = NULL;
    int st = mm_test_run(argv, &out, &err, 180000);
    if (strcmp(what, "start") == 0) {
        if (st != 0 || env_line(out, "MM_TEST_KAFKA_BOOTSTRAP", bootstrap, sizeof bootstrap) ||
            env_line(out, "MM_KAFKA_FIXTURE_DIR", fixture_dir, sizeof fixture_dir))
            fail_msg("kafka-fixture.sh start failed (status %d): %s", st, err ? err : "");
    }
    free(out);
    free(err);
}

static int seen(const char *id) {
    redisContext *c = node_env_redis();
    redisReply *r = redisCommand(c, "HEXISTS mm:state:mmtest_node:seen %s", id);
    int yes = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;
    freeReplyObject(r);
    redisFree(c);
    return yes;
}

static void test_sigterm_with_broker_gone(void **state) {
    (void)state;
    fixture("start");
    node_env env;
    /* The session timeout unset: librdkafka's default 45 s, as in the report. */
    node_env_setup(&env, "mmtest-gone", bootstrap, "info", NULL, 1);

    char log_path[] = "/tmp/mmtest-gone-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    char cfg_path[] = "/tmp/mmtest-gone-cfg-XXXXXX";
    int cfg_fd = mkstemp(cfg_path);
    const char *cfg = "mmtest_node:\n  count: {procs: 1}\n  idle: {procs: 0}\n";
    assert_int_equal(write(cfg_fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(cfg_fd);
    int saved = dup(2);
    dup2(log_fd, 2);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "gone",
                    "--config",
                    cfg_path,
                    NULL};
    int rc = mm_test_child_spawn(&node, argv);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);
    char line[256];
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 60000), 0);
    /* A standalone `gregor worker` of the idle consumer, stopped the same way. */
    mm_test_child worker;
    char *wargv[] = {
        (char *)mm_test_gregor(), "worker", "--app", env.mod_so, "--consumer", "idle", NULL};
    saved = dup(2);
    dup2(log_fd, 2);
    rc = mm_test_child_spawn(&worker, wargv);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);

    char err[256], id[512];
    mm_producer *producer = mm_producer_new(bootstrap, NULL, 0, err, sizeof err);
    assert_non_null(producer);
    mm_event ev;
    assert_int_equal(
        mm_event_create(&ev, "mmtest_node", "NodeTestEvent", json_pack("{s:i}", "n", 0)), 0);
    snprintf(id, sizeof id, "%s-0", env.topic);
    free(ev.id);
    ev.id = strdup(id);
    assert_int_equal(
        mm_producer_send_sync(producer, env.topic, &ev, 20000, NULL, NULL, err, sizeof err), 0);
    mm_event_clear(&ev);
    mm_producer_free(producer);
    long long deadline = mm_test_now_ms() + 60000;
    while (!seen(id) && mm_test_now_ms() < deadline) usleep(100 * 1000);
    assert_true(seen(id));
    sleep(1); /* the background committer sends the offset */

    /* The broker vanishes (SIGKILL), then the node is told to stop. */
    char pid_path[600], pid_text[32] = "";
    snprintf(pid_path, sizeof pid_path, "%s/pid", fixture_dir);
    FILE *f = fopen(pid_path, "r");
    assert_non_null(f);
    assert_non_null(fgets(pid_text, sizeof pid_text, f));
    fclose(f);
    pid_t broker = (pid_t)atoi(pid_text);
    assert_true(broker > 0);
    if (kill(-broker, SIGKILL) != 0) kill(broker, SIGKILL);
    sleep(1);
    long long t0 = mm_test_now_ms();
    kill(node.pid, SIGTERM);
    kill(worker.pid, SIGTERM);
    int ws = 0, wws = 0;
    pid_t r = 0, wr = 0;
    long long took = -1, wtook = -1;
    while ((!r || !wr) && mm_test_now_ms() - t0 < 60000) {
        if (!r && (r = waitpid(node.pid, &ws, WNOHANG)) > 0) took = mm_test_now_ms() - t0;
        if (!wr && (wr = waitpid(worker.pid, &wws, WNOHANG)) > 0) wtook = mm_test_now_ms() - t0;
        usleep(20 * 1000);
    }
    if (r == 0) {
        kill(node.pid, SIGKILL);
        waitpid(node.pid, &ws, 0);
        took = 60000;
    }
    if (wr == 0) {
        kill(worker.pid, SIGKILL);
        waitpid(worker.pid, &wws, 0);
        wtook = 60000;
    }
    node.pid = worker.pid = 0;
    print_message(
        "node stopped %lld ms, gregor worker %lld ms after SIGTERM with their broker gone\n", took,
        wtook);
    fixture("stop");

    FILE *lf = fopen(log_path, "r");
    char *log = calloc(1, 1 << 20);
    size_t n = fread(log, 1, (1 << 20) - 1, lf);
    log[n] = '\0';
    fclose(lf);
    close(log_fd);
    unlink(log_path);
    unlink(cfg_path);
    if (getenv("MMTEST_SHOW_LOG")) fprintf(stderr, "%s", log);
    assert_true(WIFEXITED(ws));
    assert_true(took <= 5000);
    assert_true(wtook <= 5000);
    assert_true(WIFEXITED(wws) && WEXITSTATUS(wws) == 0);
    if (!strstr(log, "Abandoned: the final offset commit"))
        fail_msg("the worker did not say what it abandoned; log:\n%s", log);
    assert_true(seen(id)); /* what was handled stays handled */
    free(log);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_with_broker_gone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
