/* agent.c -- the node's Kafka agent process (agent.h). */
#include "node/agent.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bus/producer.h"
#include "common/log.h"
#include "node/child_process.h"
#include "node/control.h"
#include "node/listener.h"

#define LINE_MAX_BYTES 65536

static volatile sig_atomic_t agent_stop;

static void on_stop(int sig) {
    (void)sig;
    agent_stop = 1;
}

/* Writes all of text (blocking: the supervisor reads promptly). */
static void send_line(int fd, const char *text) {
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return;
        off += (size_t)n;
    }
}

typedef struct agent_ctx {
    int fd;
} agent_ctx;

/* Forwards one control event to the supervisor. */
static void forward(void *ud, const mm_control *c) {
    agent_ctx *a = ud;
    mm_event ev;
    char err[256];
    if (mm_control_build(c, &ev, err, sizeof err) != 0) return;
    json_t *line = json_pack("{s:s, s:O}", "type", ev.type, "data", ev.data);
    char *text = line ? json_dumps(line, JSON_COMPACT) : NULL;
    if (text) {
        send_line(a->fd, text);
        send_line(a->fd, "\n");
    }
    free(text);
    json_decref(line);
    mm_event_clear(&ev);
}

/* Publishes one line received from the supervisor. */
static void publish(mm_producer *p, const char *topic, const char *line) {
    json_error_t jerr;
    json_t *doc = json_loads(line, 0, &jerr);
    const char *type = json_string_value(json_object_get(doc, "type"));
    json_t *data = json_object_get(doc, "data");
    mm_event ev;
    char err[256];
    if (!type || !json_is_object(data)) {
        mm_log_warn("node agent: ignoring a malformed request from the supervisor");
    } else if (mm_event_create(&ev, MM_CONTROL_SOURCE, type, json_incref(data)) == 0) {
        const char *node = json_string_value(json_object_get(data, "node"));
        if (node) mm_event_set_key(&ev, node, strlen(node));
        if (mm_producer_send(p, topic, &ev, NULL, NULL, err, sizeof err) != 0)
            mm_log_warn("node agent: cannot publish %s: %s", type, err);
        mm_event_clear(&ev);
    }
    json_decref(doc);
}

static void __attribute__((noreturn))
agent_main(const mm_config *cfg, const char *node_name, int fd, pid_t parent) {
    if (mm_child_helper_signals(on_stop, parent)) _exit(0);
    mm_child_close_inherited(fd);

    char err[512];
    mm_kv *props = calloc(cfg->kafka_property_count + 1, sizeof *props);
    for (size_t i = 0; props && i < cfg->kafka_property_count; i++)
        props[i] = (mm_kv){cfg->kafka_properties[i].key, cfg->kafka_properties[i].value};
    mm_producer *producer = props ? mm_producer_new(cfg->kafka_bootstrap_servers, props,
                                                    cfg->kafka_property_count, err, sizeof err)
                                  : NULL;
    mm_listener *listener =
        producer ? mm_listener_new(cfg->kafka_bootstrap_servers, props, cfg->kafka_property_count,
                                   cfg->service_web_topic, node_name, err, sizeof err)
                 : NULL;
    free(props);
    if (!listener) {
        mm_log_error("node agent: %s", err);
        mm_producer_free(producer);
        _exit(1);
    }
    agent_ctx ctx = {.fd = fd};
    char *buf = malloc(LINE_MAX_BYTES);
    size_t len = 0;
    int ready = 0, open_in = 1;
    while (!agent_stop && open_in && buf) {
        if (!ready && mm_listener_ensure_assigned(listener)) {
            ready = 1;
            send_line(fd, "{\"ready\":true}\n");
        }
        struct pollfd pfd[2] = {{.fd = fd, .events = POLLIN},
                                {.fd = mm_listener_fd(listener), .events = POLLIN}};
        if (poll(pfd, pfd[1].fd >= 0 ? 2 : 1, ready ? 1000 : 200) < 0 && errno != EINTR) break;
        if (pfd[0].revents & (POLLIN | POLLHUP)) {
            ssize_t n = read(fd, buf + len, LINE_MAX_BYTES - 1 - len);
            if (n == 0) open_in = 0;
            if (n > 0) {
                len += (size_t)n;
                char *nl;
                while ((nl = memchr(buf, '\n', len)) != NULL) {
                    *nl = '\0';
                    publish(producer, cfg->service_web_topic, buf);
                    len -= (size_t)(nl + 1 - buf);
                    memmove(buf, nl + 1, len);
                }
                if (len == LINE_MAX_BYTES - 1) len = 0; /* a line too long: dropped */
            }
        }
        if (ready) mm_listener_poll(listener, forward, &ctx);
    }
    free(buf);
    mm_listener_free(listener);
    /* 1.5 s: a live broker acknowledges in milliseconds, and a node told
     * to stop while Kafka is away must still exit within ~5 s (issue 14). */
    if (mm_producer_flush(producer, 1500) != 0) {
        /* Kafka is away: say so and go; freeing would wait for it again. */
        mm_log_warn("node agent: some ConsumerProcessFinished events were not delivered");
        fflush(NULL);
        _exit(0);
    }
    mm_producer_free(producer);
    close(fd);
    fflush(NULL);
    _exit(0);
}

pid_t mm_agent_spawn(const mm_config *cfg, const char *node_name, int *fd, char *err,
                     size_t err_size) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        snprintf(err, err_size, "socketpair: %s", strerror(errno));
        return -1;
    }
    fflush(NULL);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(err, err_size, "fork: %s", strerror(errno));
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        agent_main(cfg, node_name, sv[1], parent);
    }
    close(sv[1]);
    fcntl(sv[0], F_SETFL, O_NONBLOCK);
    fcntl(sv[0], F_SETFD, FD_CLOEXEC);
    *fd = sv[0];
    return pid;
}
