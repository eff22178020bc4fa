/* mm_test.c -- the test support library (see mm_test.h). */
#include "mm_test.h"

#include <errno.h>
#include <fcntl.h>
#include <librdkafka/rdkafka.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *required_env(const char *name, const char *what) {
    const char *v = getenv(name);
    if (v && *v) return v;
    fprintf(stderr,
            "\n****************************************************************\n"
            "* TEST CANNOT RUN: %s is not set.\n"
            "* This test needs %s.\n"
            "* Run the suite with `make test` (scripts/test.sh), which starts\n"
            "* the servers and sets it. Integration tests never skip.\n"
            "****************************************************************\n\n",
            name, what);
    exit(1);
}

const char *mm_test_redis_url(void) {
    return required_env("MM_TEST_REDIS_URL", "a real Redis server (redis://127.0.0.1:PORT)");
}

void mm_test_redis_addr(char *host, size_t hostlen, int *port) {
    const char *url = mm_test_redis_url();
    const char *p = strncmp(url, "redis://", 8) == 0 ? url + 8 : NULL;
    const char *colon = p ? strrchr(p, ':') : NULL;
    if (!colon || (size_t)(colon - p) >= hostlen || atoi(colon + 1) <= 0) {
        fprintf(stderr, "TEST CANNOT RUN: MM_TEST_REDIS_URL '%s' is not redis://HOST:PORT\n", url);
        exit(1);
    }
    memcpy(host, p, (size_t)(colon - p));
    host[colon - p] = '\0';
    *port = atoi(colon + 1);
}

const char *mm_test_kafka_bootstrap(void) {
    return required_env("MM_TEST_KAFKA_BOOTSTRAP", "a real Kafka broker (127.0.0.1:PORT)");
}

const char *mm_test_gregor(void) {
    return required_env("MM_GREGOR", "the gregor binary (ctest sets MM_GREGOR)");
}

const char *mm_test_binary_dir(void) {
    return required_env("MM_BINARY_DIR", "the build directory (ctest sets MM_BINARY_DIR)");
}

long long mm_test_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int mm_test_listen_loopback(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t l = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 16) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &l) != 0) {
        fprintf(stderr, "mm_test: cannot listen on 127.0.0.1: %s\n", strerror(errno));
        exit(1);
    }
    *port = ntohs(a.sin_port);
    return fd;
}

char *mm_test_unique_name(const char *prefix) {
    static unsigned counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    size_t len = strlen(prefix) + 64;
    char *name = malloc(len);
    if (!name) {
        fprintf(stderr, "mm_test_unique_name: out of memory\n");
        exit(1);
    }
    snprintf(name, len, "%s-%ld-%u-%lld%06ld", prefix, (long)getpid(), ++counter,
             (long long)ts.tv_sec, ts.tv_nsec / 1000);
    return name;
}

/* True when the broker's metadata lists topic with `partitions` partitions, each with a leader. */
static int topic_ready(rd_kafka_t *rk, const char *topic, int partitions) {
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    const struct rd_kafka_metadata *md = NULL;
    int ready = 0;
    if (rkt && rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
            md->topics[0].partition_cnt == partitions) {
            ready = 1;
            for (int i = 0; i < partitions; i++)
                if (md->topics[0].partitions[i].leader < 0 || md->topics[0].partitions[i].err)
                    ready = 0;
        }
        rd_kafka_metadata_destroy(md);
    }
    if (rkt) rd_kafka_topic_destroy(rkt);
    return ready;
}

int mm_test_kafka_create_topic(const char *bootstrap, const char *topic, int partitions) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) !=
        RD_KAFKA_CONF_OK) {
        fprintf(stderr, "create_topic: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "create_topic: %s\n", err);
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    int rc = -1;
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, 1, err, sizeof err);
    rd_kafka_AdminOptions_t *opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(opts, 30000, err, sizeof err);
    rd_kafka_AdminOptions_set_request_timeout(opts, 30000, err, sizeof err);
    if (!nt) {
        fprintf(stderr, "create_topic '%s': %s\n", topic, err);
        goto done;
    }
    rd_kafka_CreateTopics(rk, &nt, 1, opts, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 40000);
    if (!ev) {
        fprintf(stderr, "create_topic '%s': no answer from %s within 40 s\n", topic, bootstrap);
        goto done;
    }
    const rd_kafka_CreateTopics_result_t *res = rd_kafka_event_CreateTopics_result(ev);
    if (rd_kafka_event_error(ev) || !res) {
        fprintf(stderr, "create_topic '%s': %s\n", topic, rd_kafka_event_error_string(ev));
        rd_kafka_event_destroy(ev);
        goto done;
    }
    size_t n;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    rd_kafka_resp_err_t terr =
        n == 1 ? rd_kafka_topic_result_error(tr[0]) : RD_KAFKA_RESP_ERR__FAIL;
    if (terr) {
        fprintf(stderr, "create_topic '%s': %s\n", topic,
                n == 1 && rd_kafka_topic_result_error_string(tr[0])
                    ? rd_kafka_topic_result_error_string(tr[0])
                    : rd_kafka_err2str(terr));
        rd_kafka_event_destroy(ev);
        goto done;
    }
    rd_kafka_event_destroy(ev);
    /* CreateTopics returns once the controller accepted the topic; the
     * partitions get leaders a moment later. */
    long long deadline = mm_test_now_ms() + 30000;
    for (;;) {
        if (topic_ready(rk, topic, partitions)) {
            rc = 0;
            break;
        }
        if (mm_test_now_ms() >= deadline) {
            fprintf(stderr, "create_topic '%s': partitions without a leader after 30 s\n", topic);
            break;
        }
        usleep(50000);
    }
done:
    if (nt) rd_kafka_NewTopic_destroy(nt);
    rd_kafka_AdminOptions_destroy(opts);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}

/* Children still running, killed at exit so a failed assertion (which
 * leaves the test function early) never leaves a process behind. */
#define MAX_CHILDREN 32
static pid_t live_children[MAX_CHILDREN];

static void kill_live_children(void) {
    for (int i = 0; i < MAX_CHILDREN; i++) {
        if (live_children[i] > 0) {
            kill(-live_children[i], SIGKILL);
            waitpid(live_children[i], NULL, 0);
            live_children[i] = 0;
        }
    }
}

static void track_child(pid_t pid) {
    static int registered;
    if (!registered) {
        atexit(kill_live_children);
        registered = 1;
    }
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (live_children[i] == 0) {
            live_children[i] = pid;
            return;
        }
}

static void untrack_child(pid_t pid) {
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (live_children[i] == pid) live_children[i] = 0;
}

/* Fork argv with stdout (and, if err_fd is not NULL, stderr) on pipes. */
static pid_t spawn(char *const argv[], int *out_fd, int *err_fd) {
    int out[2], err[2] = {-1, -1};
    if (pipe(out) != 0) return -1;
    if (err_fd && pipe(err) != 0) {
        close(out[0]);
        close(out[1]);
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(out[0]);
        close(out[1]);
        if (err_fd) {
            close(err[0]);
            close(err[1]);
        }
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        /* Die with the test, even when it is SIGKILLed by a ctest timeout. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) _exit(127);
        dup2(out[1], STDOUT_FILENO);
        if (err_fd) dup2(err[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        if (err_fd) {
            close(err[0]);
            close(err[1]);
        }
        execv(argv[0], argv);
        fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid); /* also here: whichever runs first wins the race */
    track_child(pid);
    close(out[1]);
    *out_fd = out[0];
    if (err_fd) {
        close(err[1]);
        *err_fd = err[0];
    }
    return pid;
}

int mm_test_child_spawn(mm_test_child *child, char *const argv[]) {
    memset(child, 0, sizeof *child);
    child->out_fd = -1;
    child->pid = spawn(argv, &child->out_fd, NULL);
    if (child->pid < 0) {
        fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    return 0;
}

int mm_test_child_wait_line(mm_test_child *child, const char *prefix, char *out, size_t outlen,
                            int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    size_t plen = strlen(prefix);
    for (;;) {
        char *nl;
        while ((nl = memchr(child->buf, '\n', child->buf_len)) != NULL) {
            size_t line_len = (size_t)(nl - child->buf);
            int match = line_len >= plen && memcmp(child->buf, prefix, plen) == 0;
            if (match) {
                size_t n = line_len - plen < outlen - 1 ? line_len - plen : outlen - 1;
                memcpy(out, child->buf + plen, n);
                out[n] = '\0';
            }
            child->buf_len -= line_len + 1;
            memmove(child->buf, nl + 1, child->buf_len);
            if (match) return 0;
        }
        if (child->buf_len == sizeof child->buf)
            child->buf_len = 0; /* an overlong line without the prefix: drop it */
        long long left = deadline - mm_test_now_ms();
        if (left <= 0) {
            fprintf(stderr, "child %d: no line starting with '%s' within %d ms\n", (int)child->pid,
                    prefix, timeout_ms);
            return -1;
        }
        struct pollfd pfd = {.fd = child->out_fd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno != EINTR) return -1;
        if (r <= 0) continue;
        ssize_t n =
            read(child->out_fd, child->buf + child->buf_len, sizeof child->buf - child->buf_len);
        if (n <= 0) {
            fprintf(stderr, "child %d: stdout closed before a line starting with '%s'\n",
                    (int)child->pid, prefix);
            return -1;
        }
        child->buf_len += (size_t)n;
    }
}

/* Wait up to timeout_ms for pid; returns 1 and sets *status once reaped. */
static int wait_for(pid_t pid, int *status, int timeout_ms) {
    long long deadline = mm_test_now_ms() + timeout_ms;
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) return 1;
        if (r < 0 && errno != EINTR) return 1; /* already reaped elsewhere; treat as gone */
        if (mm_test_now_ms() >= deadline) return 0;
        usleep(10000);
    }
}

static int decode_status(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

int mm_test_child_stop(mm_test_child *child, int sig, int timeout_ms) {
    int status = 0, rc;
    if (child->pid <= 0) return -1;
    kill(child->pid, sig);
    if (wait_for(child->pid, &status, timeout_ms)) {
        rc = decode_status(status);
    } else {
        fprintf(stderr, "child %d ignored signal %d for %d ms; killing it\n", (int)child->pid, sig,
                timeout_ms);
        kill(-child->pid, SIGKILL);
        waitpid(child->pid, NULL, 0);
        rc = -1;
    }
    /* Anything the child left in its process group goes with it. */
    kill(-child->pid, SIGKILL);
    untrack_child(child->pid);
    child->pid = 0;
    if (child->out_fd >= 0) close(child->out_fd);
    child->out_fd = -1;
    return rc;
}

/* Append what is readable on fd to *buf; returns 0 at EOF. */
static int drain(int fd, char **buf, size_t *len, size_t *cap) {
    if (*cap - *len < 4096) {
        size_t ncap = *cap * 2 + 4096;
        char *grown = realloc(*buf, ncap);
        if (!grown) return 0;
        *buf = grown;
        *cap = ncap;
    }
    ssize_t n = read(fd, *buf + *len, *cap - *len - 1);
    if (n < 0 && errno == EINTR) return 1;
    if (n <= 0) return 0;
    *len += (size_t)n;
    (*buf)[*len] = '\0';
    return 1;
}

int mm_test_run(char *const argv[], char **out, char **err, int timeout_ms) {
    int ofd, efd;
    size_t olen = 0, ocap = 4096, elen = 0, ecap = 4096;
    *out = calloc(1, ocap);
    *err = calloc(1, ecap);
    if (!*out || !*err) {
        fprintf(stderr, "mm_test_run: out of memory\n");
        exit(1);
    }
    pid_t pid = spawn(argv, &ofd, &efd);
    if (pid < 0) {
        fprintf(stderr, "cannot start %s: %s\n", argv[0], strerror(errno));
        return -1;
    }
    long long deadline = mm_test_now_ms() + timeout_ms;
    int open_o = 1, open_e = 1, timed_out = 0;
    while (open_o || open_e) {
        long long left = deadline - mm_test_now_ms();
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd pfd[2] = {{.fd = open_o ? ofd : -1, .events = POLLIN},
                                {.fd = open_e ? efd : -1, .events = POLLIN}};
        if (poll(pfd, 2, (int)left) < 0 && errno != EINTR) break;
        if (open_o && pfd[0].revents) open_o = drain(ofd, out, &olen, &ocap);
        if (open_e && pfd[1].revents) open_e = drain(efd, err, &elen, &ecap);
    }
    close(ofd);
    close(efd);
    int status = 0, rc;
    if (timed_out) {
        fprintf(stderr, "%s did not finish within %d ms; killing it\n", argv[0], timeout_ms);
        kill(-pid, SIGKILL);
        waitpid(pid, NULL, 0);
        rc = -1;
    } else {
        rc = wait_for(pid, &status, timeout_ms) ? decode_status(status) : -1;
        if (rc == -1) {
            kill(-pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
    }
    untrack_child(pid);
    return rc;
}

char *mm_test_post_graphql(const char *url, const char *query, int *status) {
    char body[1024];
    snprintf(body, sizeof body, "{\"query\":\"%s\"}", query);
    char *argv[] = {"/usr/bin/curl", "-s", "-w",        "\n%{http_code}",
                    "--max-time",    "20", "-H",        "content-type: application/json",
                    "--data-binary", body, (char *)url, NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 25000);
    char *nl = out ? strrchr(out, '\n') : NULL;
    if (rc != 0 || nl == NULL) {
        fprintf(stderr, "mm_test_post_graphql %s: curl exited %d, stderr: %s\n", url, rc,
                err ? err : "");
        abort();
    }
    free(err);
    *nl = '\0';
    *status = atoi(nl + 1);
    return out;
}
