/* test_node_startup.c -- what `gregor node` does before its workers run
 * (issue 14), against the real Kafka broker of the test run and a Redis of
 * its own.
 *
 * Proves: with its Redis down the node does not print "node ready" nor start
 * workers (which would crash-loop): it says it is waiting for Redis at
 * host:port; once a Redis answers there it starts them and prints "node
 * ready". Its worker processes are titled "gregor worker SERVICE.CONSUMER
 * #N" in /proc/PID/cmdline (what ps shows). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mm_test.h"
#include "node_env.h"

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    return ntohs(a.sin_port);
}

/* Children of parent whose cmdline starts with prefix; their count. */
static int children_titled(pid_t parent, const char *prefix, char *first, size_t size) {
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    while (d && (e = readdir(d))) {
        pid_t pid = (pid_t)atoi(e->d_name);
        if (pid <= 0) continue;
        char path[64], buf[1024];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "r");
        if (!f) continue;
        size_t got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        const char *rp = strrchr(buf, ')');
        int ppid = 0;
        char st;
        if (!rp || sscanf(rp + 1, " %c %d", &st, &ppid) != 2 || ppid != parent) continue;
        snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
        f = fopen(path, "r");
        if (!f) continue;
        got = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[got] = '\0';
        if (strncmp(buf, prefix, strlen(prefix)) == 0) {
            if (n == 0) snprintf(first, size, "%s", buf);
            n++;
        }
    }
    if (d) closedir(d);
    return n;
}

static void test_waits_for_redis_and_titles_workers(void **state) {
    (void)state;
    char url[128], cfg_path[] = "/tmp/mmtest-startup-XXXXXX";
    int port = free_port();
    snprintf(url, sizeof url, "redis://127.0.0.1:%d", port);
    node_env env; /* on a Redis of its own, down at first */
    node_env_servers(&env, mm_test_kafka_bootstrap(), url, "info", NULL);
    node_env_names(&env, "mmtest-startup", mm_test_kafka_bootstrap(), 1);
    int fd = mkstemp(cfg_path);
    const char *cfg = "mmtest_node:\n  count: {procs: 2}\n  idle: {procs: 0}\n";
    assert_int_equal(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
    close(fd);

    char log_path[] = "/tmp/mmtest-startup-log-XXXXXX";
    int log_fd = mkstemp(log_path);
    int saved = dup(2);
    dup2(log_fd, 2);
    mm_test_child node;
    char *argv[] = {(char *)mm_test_gregor(),
                    "node",
                    "--app",
                    env.mod_so,
                    "--node-name",
                    "startup",
                    "--config",
                    cfg_path,
                    NULL};
    int rc = mm_test_child_spawn(&node, argv);
    dup2(saved, 2);
    close(saved);
    assert_int_equal(rc, 0);

    /* Redis is down: no "node ready", no worker, and the log says why. */
    char line[256], title[1024] = "";
    assert_int_not_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 4000),
                         0);
    assert_int_equal(children_titled(node.pid, "gregor worker", title, sizeof title), 0);
    FILE *f = fopen(log_path, "r");
    char *log = calloc(1, 1 << 16);
    size_t got = fread(log, 1, (1 << 16) - 1, f);
    fclose(f);
    log[got] = '\0';
    char want[256];
    snprintf(want, sizeof want, "waiting for Redis at 127.0.0.1:%d db 0", port);
    if (!strstr(log, want)) fail_msg("wanted '%s' in the node's log:\n%s", want, log);
    free(log);

    /* Redis comes: the workers start and the node is ready. */
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%d", port);
    mm_test_child redis;
    char *rargv[] = {"/usr/bin/redis-server", "--port", port_s, "--bind", "127.0.0.1", "--save", "",
                     "--appendonly",          "no",     NULL};
    assert_int_equal(mm_test_child_spawn(&redis, rargv), 0);
    assert_int_equal(mm_test_child_wait_line(&node, "node ready: ", line, sizeof line, 30000), 0);
    long long deadline = mm_test_now_ms() + 10000;
    int n = 0;
    while ((n = children_titled(node.pid, "gregor worker mmtest_node.count #", title,
                                sizeof title)) < 2 &&
           mm_test_now_ms() < deadline)
        usleep(100 * 1000);
    assert_int_equal(n, 2);
    print_message("a worker's title: '%s'\n", title);

    assert_int_equal(mm_test_child_stop(&node, SIGTERM, 30000), 0);
    mm_test_child_stop(&redis, SIGTERM, 10000);
    unlink(cfg_path);
    unlink(log_path);
    close(log_fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_waits_for_redis_and_titles_workers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
