/* metrics_http.c -- the node's /metrics listener (metrics_http.h). */
#include "node/metrics_http.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct conn {
    int fd; /* -1: free */
    long long deadline_ms;
    char head[MM_METRICS_HTTP_HEAD_MAX];
    size_t head_len;
    char *out; /* the response, once the request is read */
    size_t out_len, out_sent;
} conn;

struct mm_metrics_http {
    int listen_fd;
    mm_metrics_render_fn render;
    void *ud;
    conn c[MM_METRICS_HTTP_CONNS];
};

static long long mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int split_listen(const char *where, char *host, size_t hsize, char *port, size_t psize) {
    const char *colon = strrchr(where, ':');
    if (!colon || !colon[1]) return -1;
    const char *h = where;
    size_t hl = (size_t)(colon - where);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { /* [::1]:9464 */
        h++;
        hl -= 2;
    }
    if (hl == 0 || hl >= hsize || strlen(colon + 1) >= psize) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, psize, "%s", colon + 1);
    for (const char *p = port; *p; p++)
        if (*p < '0' || *p > '9') return -1;
    return 0;
}

mm_metrics_http *mm_metrics_http_new(const char *where, mm_metrics_render_fn render, void *ud,
                                     char *bound, size_t bound_size, char *err, size_t err_size) {
    char host[256], port[16];
    if (split_listen(where, host, sizeof host, port, sizeof port) != 0) {
        snprintf(err, err_size, "node_metrics_listen '%s': expected HOST:PORT", where);
        return NULL;
    }
    struct addrinfo hints = {
        .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, err_size, "node_metrics_listen '%s': %s", where, gai_strerror(gai));
        return NULL;
    }
    int fd = -1, saved = 0;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) continue;
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, 64) != 0) {
            saved = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, err_size, "node_metrics_listen '%s': %s", where, strerror(saved));
        return NULL;
    }
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char addr[INET6_ADDRSTRLEN] = "?";
    int bound_port = 0;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0) {
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            inet_ntop(AF_INET, &in->sin_addr, addr, sizeof addr);
            bound_port = ntohs(in->sin_port);
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            inet_ntop(AF_INET6, &in6->sin6_addr, addr, sizeof addr);
            bound_port = ntohs(in6->sin6_port);
        }
    }
    snprintf(bound, bound_size, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d", addr, bound_port);
    mm_metrics_http *h = calloc(1, sizeof *h);
    if (!h) {
        close(fd);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    h->listen_fd = fd;
    h->render = render;
    h->ud = ud;
    for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++) h->c[i].fd = -1;
    return h;
}

size_t mm_metrics_http_fds(const mm_metrics_http *h, struct pollfd *fds, size_t max) {
    size_t n = 0;
    if (n < max) fds[n++] = (struct pollfd){.fd = h->listen_fd, .events = POLLIN};
    for (int i = 0; i < MM_METRICS_HTTP_CONNS && n < max; i++)
        if (h->c[i].fd >= 0)
            fds[n++] = (struct pollfd){.fd = h->c[i].fd, .events = h->c[i].out ? POLLOUT : POLLIN};
    return n;
}

int mm_metrics_http_timeout(const mm_metrics_http *h) {
    long long first = -1, now = mono_ms();
    for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++)
        if (h->c[i].fd >= 0 && (first < 0 || h->c[i].deadline_ms < first))
            first = h->c[i].deadline_ms;
    if (first < 0) return -1;
    return first <= now ? 0 : (int)(first - now);
}

static void conn_close(conn *c) {
    if (c->fd >= 0) close(c->fd);
    free(c->out);
    c->out = NULL;
    c->fd = -1;
}

static void respond(conn *c, const char *status, const char *type, const char *body, size_t len,
                    int head_only) {
    char head[256];
    int hl = snprintf(head, sizeof head,
                      "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                      "Connection: close\r\n\r\n",
                      status, type, len);
    size_t total = (size_t)hl + (head_only ? 0 : len);
    c->out = malloc(total ? total : 1);
    if (!c->out) {
        conn_close(c);
        return;
    }
    memcpy(c->out, head, (size_t)hl);
    if (!head_only && len) memcpy(c->out + hl, body, len);
    c->out_len = total;
    c->out_sent = 0;
}

/* The request head is complete (or too large): build the answer. */
static void answer(mm_metrics_http *h, conn *c, int too_large) {
    static const char text[] = "text/plain; charset=utf-8";
    if (too_large) {
        respond(c, "431 Request Header Fields Too Large", text, "request head too large\n", 23, 0);
        return;
    }
    char method[8] = "", target[256] = "";
    /* "GET /metrics HTTP/1.1": the target's query string is ignored. */
    if (sscanf(c->head, "%7s %255s", method, target) != 2) {
        respond(c, "400 Bad Request", text, "bad request\n", 12, 0);
        return;
    }
    int head_only = strcmp(method, "HEAD") == 0;
    if (!head_only && strcmp(method, "GET") != 0) {
        respond(c, "405 Method Not Allowed", text, "GET or HEAD\n", 12, 0);
        return;
    }
    char *q = strchr(target, '?');
    if (q) *q = '\0';
    if (strcmp(target, "/metrics") != 0) {
        respond(c, "404 Not Found", text, "not found: GET /metrics\n", 24, head_only);
        return;
    }
    size_t len = 0;
    char *body = h->render(h->ud, &len);
    if (!body) {
        respond(c, "500 Internal Server Error", text, "out of memory\n", 14, head_only);
        return;
    }
    respond(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, len, head_only);
    free(body);
}

static void on_readable(mm_metrics_http *h, conn *c) {
    for (;;) {
        size_t room = sizeof c->head - 1 - c->head_len;
        if (room == 0) {
            answer(h, c, 1);
            return;
        }
        ssize_t got = read(c->fd, c->head + c->head_len, room);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (got <= 0) {
            conn_close(c); /* closed before a whole request */
            return;
        }
        c->head_len += (size_t)got;
        c->head[c->head_len] = '\0';
        if (strstr(c->head, "\r\n\r\n") || strstr(c->head, "\n\n")) {
            answer(h, c, 0);
            return;
        }
    }
}

static void on_writable(conn *c) {
    while (c->out_sent < c->out_len) {
        ssize_t w = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (w <= 0) break;
        c->out_sent += (size_t)w;
    }
    conn_close(c); /* all sent (or the peer went away) */
}

static void accept_all(mm_metrics_http *h) {
    /* Bounded: at most as many accepts as there are free connection slots
     * plus one turned away, per turn of the supervisor's loop. */
    for (int tries = 0; tries <= MM_METRICS_HTTP_CONNS; tries++) {
        int fd = accept(h->listen_fd, NULL, NULL);
        if (fd < 0) return;
        fcntl(fd, F_SETFL, O_NONBLOCK);
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        conn *free_c = NULL;
        for (int i = 0; i < MM_METRICS_HTTP_CONNS && !free_c; i++)
            if (h->c[i].fd < 0) free_c = &h->c[i];
        if (!free_c) { /* full: turned away at once */
            close(fd);
            continue;
        }
        free_c->fd = fd;
        free_c->head_len = 0;
        free_c->head[0] = '\0';
        free_c->out = NULL;
        free_c->deadline_ms = mono_ms() + MM_METRICS_HTTP_DEADLINE_MS;
    }
}

void mm_metrics_http_handle(mm_metrics_http *h, const struct pollfd *fds, size_t n) {
    for (size_t k = 0; k < n; k++) {
        if (!fds[k].revents) continue;
        if (fds[k].fd == h->listen_fd) {
            accept_all(h);
            continue;
        }
        for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++) {
            conn *c = &h->c[i];
            if (c->fd != fds[k].fd) continue;
            if (!c->out && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) on_readable(h, c);
            if (c->fd >= 0 && c->out) on_writable(c);
            break;
        }
    }
    long long now = mono_ms();
    for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++)
        if (h->c[i].fd >= 0 && now >= h->c[i].deadline_ms) conn_close(&h->c[i]);
}

void mm_metrics_http_free(mm_metrics_http *h) {
    if (!h) return;
    for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++) conn_close(&h->c[i]);
    close(h->listen_fd);
    free(h);
}
