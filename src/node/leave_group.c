/* leave_group.c -- FindCoordinator + LeaveGroup v3 for one static member,
 * spoken directly over TCP (leave_group.h). Non-flexible request versions
 * (header v1, response header v0): FindCoordinator v2, LeaveGroup v3. */
#include "node/leave_group.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define API_FIND_COORDINATOR          10
#define API_LEAVE_GROUP               13
#define ERR_COORDINATOR_NOT_AVAILABLE 15
#define ERR_NOT_COORDINATOR           16
#define ERR_UNKNOWN_MEMBER_ID         25
#define RESPONSE_MAX                  (64 * 1024)

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- a request buffer ---------------------------------------------------- */

typedef struct wbuf {
    unsigned char b[2048];
    size_t n;
    int overflow;
} wbuf;

static void put(wbuf *w, const void *p, size_t len) {
    if (w->n + len > sizeof w->b) {
        w->overflow = 1;
        return;
    }
    memcpy(w->b + w->n, p, len);
    w->n += len;
}

static void put16(wbuf *w, int v) {
    unsigned char b[2] = {(unsigned char)((v >> 8) & 0xff), (unsigned char)(v & 0xff)};
    put(w, b, 2);
}

static void put32(wbuf *w, int32_t v) {
    uint32_t u = (uint32_t)v;
    unsigned char b[4] = {(unsigned char)(u >> 24), (unsigned char)(u >> 16),
                          (unsigned char)(u >> 8), (unsigned char)u};
    put(w, b, 4);
}

static void put_str(wbuf *w, const char *s) {
    if (!s) {
        put16(w, -1);
        return;
    }
    size_t len = strlen(s);
    if (len > 32767) {
        w->overflow = 1;
        return;
    }
    put16(w, (int)len);
    put(w, s, len);
}

/* Starts a request: size placeholder and header v1. */
static void begin(wbuf *w, int api_key, int version, int32_t correlation) {
    w->n = 0;
    w->overflow = 0;
    put32(w, 0);
    put16(w, api_key);
    put16(w, version);
    put32(w, correlation);
    put_str(w, "metamorphosis-node");
}

static void finish(wbuf *w) {
    uint32_t size = (uint32_t)(w->n - 4);
    w->b[0] = (unsigned char)(size >> 24);
    w->b[1] = (unsigned char)(size >> 16);
    w->b[2] = (unsigned char)(size >> 8);
    w->b[3] = (unsigned char)size;
}

/* ---- a response reader ---------------------------------------------------- */

typedef struct rbuf {
    const unsigned char *p;
    size_t left;
    int bad;
} rbuf;

static int32_t get32(rbuf *r) {
    if (r->left < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t u =
        ((uint32_t)r->p[0] << 24) | ((uint32_t)r->p[1] << 16) | ((uint32_t)r->p[2] << 8) | r->p[3];
    r->p += 4;
    r->left -= 4;
    return (int32_t)u;
}

static int get16(rbuf *r) {
    if (r->left < 2) {
        r->bad = 1;
        return 0;
    }
    int v = (int16_t)(((unsigned)r->p[0] << 8) | r->p[1]);
    r->p += 2;
    r->left -= 2;
    return v;
}

/* A (nullable) string into out (cut to size); "" for null. */
static void get_str(rbuf *r, char *out, size_t size) {
    int len = get16(r);
    out[0] = '\0';
    if (r->bad || len < 0) return;
    if ((size_t)len > r->left) {
        r->bad = 1;
        return;
    }
    size_t n = (size_t)len < size - 1 ? (size_t)len : size - 1;
    memcpy(out, r->p, n);
    out[n] = '\0';
    r->p += len;
    r->left -= (size_t)len;
}

/* ---- the connection ------------------------------------------------------- */

static int wait_fd(int fd, short events, long long deadline) {
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) return -1;
        struct pollfd p = {.fd = fd, .events = events};
        int rc = poll(&p, 1, (int)left);
        if (rc > 0) return 0;
        if (rc < 0 && errno != EINTR) return -1;
    }
}

static int dial(const char *host, const char *port, long long deadline, char *err,
                size_t err_size) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res = NULL;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc) {
        snprintf(err, err_size, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) continue;
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        int soerr = 0;
        socklen_t len = sizeof soerr;
        if ((connect(fd, a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) ||
            wait_fd(fd, POLLOUT, deadline) != 0 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0 || soerr != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) snprintf(err, err_size, "cannot connect to %s:%s", host, port);
    return fd;
}

/* Sends w and reads the response body (after the correlation id) into buf. */
static int exchange(int fd, const wbuf *w, int32_t correlation, unsigned char *buf, size_t *len,
                    long long deadline, char *err, size_t err_size) {
    for (size_t off = 0; off < w->n;) {
        if (wait_fd(fd, POLLOUT, deadline) != 0) goto timeout;
        ssize_t n = send(fd, w->b + off, w->n - off, MSG_NOSIGNAL);
        if (n < 0 && errno != EAGAIN && errno != EINTR) goto failed;
        if (n > 0) off += (size_t)n;
    }
    unsigned char head[8];
    for (size_t off = 0; off < sizeof head;) {
        if (wait_fd(fd, POLLIN, deadline) != 0) goto timeout;
        ssize_t n = recv(fd, head + off, sizeof head - off, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) goto failed;
        if (n > 0) off += (size_t)n;
    }
    rbuf h = {head, sizeof head, 0};
    int32_t size = get32(&h), corr = get32(&h);
    if (size < 4 || size - 4 > RESPONSE_MAX || corr != correlation) {
        snprintf(err, err_size, "unexpected response (size %d, correlation %d)", (int)size,
                 (int)corr);
        return -1;
    }
    *len = (size_t)size - 4;
    for (size_t off = 0; off < *len;) {
        if (wait_fd(fd, POLLIN, deadline) != 0) goto timeout;
        ssize_t n = recv(fd, buf + off, *len - off, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) goto failed;
        if (n > 0) off += (size_t)n;
    }
    return 0;
timeout:
    snprintf(err, err_size, "no answer in time");
    return -1;
failed:
    snprintf(err, err_size, "connection lost: %s", strerror(errno));
    return -1;
}

/* Splits "host:port" (or "[v6]:port") into its parts. */
static int split_addr(const char *addr, size_t addr_len, char *host, size_t hsize, char *port,
                      size_t psize) {
    const char *colon = NULL;
    for (size_t i = 0; i < addr_len; i++)
        if (addr[i] == ':') colon = addr + i;
    if (!colon || colon == addr) return -1;
    const char *h = addr;
    size_t hl = (size_t)(colon - addr);
    if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') h++, hl -= 2;
    size_t pl = addr_len - (size_t)(colon + 1 - addr);
    if (hl >= hsize || pl == 0 || pl >= psize) return -1;
    memcpy(host, h, hl);
    host[hl] = '\0';
    memcpy(port, colon + 1, pl);
    port[pl] = '\0';
    return 0;
}

int mm_leave_group_static(const char *bootstrap, const char *group, const char *instance_id,
                          int timeout_ms, char *err, size_t err_size) {
    long long deadline = now_ms() + timeout_ms;
    char host[256], port[16];
    size_t first = strcspn(bootstrap, ",");
    const char *addr = bootstrap;
    if (strncmp(addr, "PLAINTEXT://", 12) == 0) addr += 12, first -= 12;
    if (split_addr(addr, first, host, sizeof host, port, sizeof port) != 0) {
        snprintf(err, err_size, "bootstrap address '%.*s' is not host:port", (int)first, addr);
        return -1;
    }
    unsigned char *resp = malloc(RESPONSE_MAX);
    if (!resp) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    int rc = -1, fd = -1;
    wbuf w;
    size_t len = 0;
    char chost[256] = "", msg[256];
    int32_t cport = 0;
    /* FindCoordinator v2 {key, key_type 0 = group}; the coordinator may be
     * loading for a moment: a few tries within the deadline. */
    for (int attempt = 0; attempt < 5 && !chost[0]; attempt++) {
        if (fd < 0 && (fd = dial(host, port, deadline, err, err_size)) < 0) goto out;
        begin(&w, API_FIND_COORDINATOR, 2, 1 + attempt);
        put_str(&w, group);
        unsigned char key_type = 0;
        put(&w, &key_type, 1);
        finish(&w);
        if (w.overflow) {
            snprintf(err, err_size, "group name too long");
            goto out;
        }
        if (exchange(fd, &w, 1 + attempt, resp, &len, deadline, err, err_size) != 0) goto out;
        rbuf r = {resp, len, 0};
        get32(&r); /* throttle_time_ms */
        int ec = get16(&r);
        get_str(&r, msg, sizeof msg);
        get32(&r); /* node_id */
        get_str(&r, chost, sizeof chost);
        cport = get32(&r);
        if (r.bad) {
            snprintf(err, err_size, "malformed FindCoordinator response");
            goto out;
        }
        if (ec == 0) break;
        chost[0] = '\0';
        if (ec != ERR_COORDINATOR_NOT_AVAILABLE && ec != ERR_NOT_COORDINATOR) {
            snprintf(err, err_size, "FindCoordinator: error %d %s", ec, msg);
            goto out;
        }
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    if (!chost[0]) {
        snprintf(err, err_size, "no coordinator for group %s", group);
        goto out;
    }
    close(fd);
    char cport_s[16];
    snprintf(cport_s, sizeof cport_s, "%d", (int)cport);
    if ((fd = dial(chost, cport_s, deadline, err, err_size)) < 0) goto out;
    /* LeaveGroup v3 {group_id, members [{member_id "", group_instance_id}]}. */
    begin(&w, API_LEAVE_GROUP, 3, 100);
    put_str(&w, group);
    put32(&w, 1);
    put_str(&w, "");
    put_str(&w, instance_id);
    finish(&w);
    if (w.overflow) {
        snprintf(err, err_size, "group or instance id too long");
        goto out;
    }
    if (exchange(fd, &w, 100, resp, &len, deadline, err, err_size) != 0) goto out;
    rbuf r = {resp, len, 0};
    get32(&r);
    int ec = get16(&r);
    int32_t n = get32(&r);
    int member_ec = 0;
    for (int32_t i = 0; i < n && !r.bad; i++) {
        get_str(&r, msg, sizeof msg);
        get_str(&r, msg, sizeof msg);
        member_ec = get16(&r);
    }
    if (r.bad) {
        snprintf(err, err_size, "malformed LeaveGroup response");
        goto out;
    }
    /* Unknown member: it is not (or no longer) in the group; as good. */
    if (ec != 0 || (member_ec != 0 && member_ec != ERR_UNKNOWN_MEMBER_ID)) {
        snprintf(err, err_size, "LeaveGroup: error %d (member error %d)", ec, member_ec);
        goto out;
    }
    rc = 0;
out:
    if (fd >= 0) close(fd);
    free(resp);
    return rc;
}
