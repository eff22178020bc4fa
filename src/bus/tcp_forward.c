/* tcp_forward.c -- a loopback TCP forwarder (see tcp_forward.h).
 *
 * One thread polls the listener, a wake-up pipe and every relayed pair of
 * sockets. Each direction of a pair has one buffer: it is filled by a read
 * only when empty and drained by writes, so a slow reader throttles its
 * writer instead of growing memory. When either side closes or fails, the
 * pair is closed: Kafka clients never half-close a connection. */
#include "bus/tcp_forward.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metamorphosis.h"

#define FWD_BUF 65536

typedef struct fwd_dir {
    char buf[FWD_BUF];
    size_t len, off; /* pending bytes are buf[off..len) */
} fwd_dir;

typedef struct fwd_pair {
    int client, server;
    fwd_dir up;   /* client -> server */
    fwd_dir down; /* server -> client */
} fwd_pair;

struct mm_tcp_forward {
    int listen_fd;
    int wake[2];
    int port;
    struct sockaddr_in target;
    pthread_t thread;
    fwd_pair **pairs;
    size_t npairs, cap;
};

static int loopback_addr(const char *host, int port, struct sockaddr_in *sa, char *err,
                         size_t errlen) {
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)port);
    if (strcmp(host, "localhost") == 0) host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1 || (ntohl(sa->sin_addr.s_addr) >> 24) != 127) {
        snprintf(err, errlen, "'%s' is not an IPv4 loopback address (127.x.x.x or localhost)",
                 host);
        return MM_EINVAL;
    }
    return 0;
}

static void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

static void pair_close(fwd_pair *p) {
    close(p->client);
    close(p->server);
    free(p);
}

static void accept_one(mm_tcp_forward *f) {
    int client = accept(f->listen_fd, NULL, NULL);
    if (client < 0) return;
    int server = socket(AF_INET, SOCK_STREAM, 0);
    if (server < 0 || connect(server, (struct sockaddr *)&f->target, sizeof f->target) != 0) {
        /* The target is gone; dropping the client tells it so. */
        if (server >= 0) close(server);
        close(client);
        return;
    }
    if (f->npairs == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        fwd_pair **grown = realloc(f->pairs, cap * sizeof *grown);
        if (!grown) {
            close(client);
            close(server);
            return;
        }
        f->pairs = grown;
        f->cap = cap;
    }
    fwd_pair *p = calloc(1, sizeof *p);
    if (!p) {
        close(client);
        close(server);
        return;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    set_nonblocking(client);
    set_nonblocking(server);
    p->client = client;
    p->server = server;
    f->pairs[f->npairs++] = p;
}

/* Move bytes from `from` through d to `to`. Returns -1 when the pair must close. */
static int relay(int from, int to, fwd_dir *d, short revents_from, short revents_to) {
    if (d->len == 0 && (revents_from & (POLLIN | POLLHUP | POLLERR))) {
        ssize_t n = read(from, d->buf, sizeof d->buf);
        if (n == 0) return -1;
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        d->len = (size_t)n;
        d->off = 0;
    }
    if (d->len > d->off && (revents_to & POLLOUT || d->off == 0)) {
        ssize_t n = send(to, d->buf + d->off, d->len - d->off, MSG_NOSIGNAL);
        if (n < 0) return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
        d->off += (size_t)n;
        if (d->off == d->len) d->len = d->off = 0;
    }
    if (revents_to & (POLLERR | POLLNVAL)) return -1;
    return 0;
}

static void *forward_thread(void *arg) {
    mm_tcp_forward *f = arg;
    struct pollfd *pfds = NULL;
    size_t pcap = 0;
    for (;;) {
        size_t need = 2 + 2 * f->npairs;
        if (need > pcap) {
            struct pollfd *grown = realloc(pfds, need * sizeof *grown);
            if (!grown) {
                usleep(10000);
                continue;
            }
            pfds = grown;
            pcap = need;
        }
        pfds[0] = (struct pollfd){.fd = f->wake[0], .events = POLLIN};
        pfds[1] = (struct pollfd){.fd = f->listen_fd, .events = POLLIN};
        for (size_t i = 0; i < f->npairs; i++) {
            fwd_pair *p = f->pairs[i];
            /* Read a side only when its buffer is empty; wait for writability
             * only while the other direction has bytes pending. */
            pfds[2 + 2 * i] = (struct pollfd){
                .fd = p->client,
                .events = (short)((p->up.len == 0 ? POLLIN : 0) | (p->down.len ? POLLOUT : 0))};
            pfds[3 + 2 * i] = (struct pollfd){
                .fd = p->server,
                .events = (short)((p->down.len == 0 ? POLLIN : 0) | (p->up.len ? POLLOUT : 0))};
        }
        if (poll(pfds, need, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (pfds[0].revents) break; /* mm_tcp_forward_stop */
        size_t kept = 0;
        for (size_t i = 0; i < f->npairs; i++) {
            fwd_pair *p = f->pairs[i];
            short rc = pfds[2 + 2 * i].revents, rs = pfds[3 + 2 * i].revents;
            if (relay(p->client, p->server, &p->up, rc, rs) < 0 ||
                relay(p->server, p->client, &p->down, rs, rc) < 0) {
                pair_close(p);
                continue;
            }
            f->pairs[kept++] = p;
        }
        f->npairs = kept;
        if (pfds[1].revents & POLLIN) accept_one(f);
    }
    free(pfds);
    return NULL;
}

int mm_tcp_forward_start(const char *listen_host, int listen_port, const char *target_host,
                         int target_port, mm_tcp_forward **out, char *err, size_t errlen) {
    struct sockaddr_in la;
    *out = NULL;
    if (listen_port < 0 || listen_port > 65535) {
        snprintf(err, errlen, "port %d is out of range", listen_port);
        return MM_EINVAL;
    }
    int rc = loopback_addr(listen_host, listen_port, &la, err, errlen);
    if (rc) return rc;
    mm_tcp_forward *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return MM_ENOMEM;
    }
    f->listen_fd = -1;
    f->wake[0] = f->wake[1] = -1;
    rc = loopback_addr(target_host, target_port, &f->target, err, errlen);
    if (rc) goto fail;
    rc = MM_EIO;
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    if (f->listen_fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        goto fail;
    }
    int one = 1;
    setsockopt(f->listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(f->listen_fd, (struct sockaddr *)&la, sizeof la) != 0) {
        snprintf(err, errlen, "cannot listen on %s:%d: %s", listen_host, listen_port,
                 strerror(errno));
        goto fail;
    }
    if (listen(f->listen_fd, 64) != 0) {
        snprintf(err, errlen, "listen: %s", strerror(errno));
        goto fail;
    }
    socklen_t len = sizeof la;
    getsockname(f->listen_fd, (struct sockaddr *)&la, &len);
    f->port = ntohs(la.sin_port);
    set_nonblocking(f->listen_fd);
    if (pipe(f->wake) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&f->thread, NULL, forward_thread, f) != 0) {
        snprintf(err, errlen, "cannot start the forwarding thread");
        goto fail;
    }
    *out = f;
    return 0;
fail:
    if (f->listen_fd >= 0) close(f->listen_fd);
    if (f->wake[0] >= 0) {
        close(f->wake[0]);
        close(f->wake[1]);
    }
    free(f);
    return rc;
}

int mm_tcp_forward_port(const mm_tcp_forward *fwd) { return fwd->port; }

void mm_tcp_forward_stop(mm_tcp_forward *fwd) {
    if (!fwd) return;
    ssize_t n = write(fwd->wake[1], "x", 1);
    (void)n;
    pthread_join(fwd->thread, NULL);
    for (size_t i = 0; i < fwd->npairs; i++) pair_close(fwd->pairs[i]);
    free(fwd->pairs);
    close(fwd->listen_fd);
    close(fwd->wake[0]);
    close(fwd->wake[1]);
    free(fwd);
}
