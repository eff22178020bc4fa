/* subs_load.c -- the load client of bench/subscriptions/run.sh: opens N
 * GraphQL subscribers to one server over WebSocket (graphql-transport-ws) or
 * SSE (graphql-sse, distinct connections), holds them, and measures how long
 * each event took from its publication to each subscriber.
 *
 *   subs_load HOST PORT PATH ws|sse N EXPECT TIMEOUT_S [TOKEN]
 *
 * Every subscriber runs `subscription { formCreated(name: "bench") { id
 * template } }`. Once all N are subscribed (WebSocket: connection_ack, then
 * the pong that follows the subscribe message, since a server reads a
 * socket's messages in order; SSE: the 200 answer) it prints "READY N" and
 * waits until every subscriber has EXPECT events or TIMEOUT_S seconds pass.
 * An event's `template` is its publish time (CLOCK_MONOTONIC ns, publish.mjs
 * on the same machine). Three latencies per (subscriber, event): publish to
 * this process reading it (p50_ms..: includes this client's own delays on a
 * shared core); publish to the kernel putting it in the socket (sock_..:
 * SO_TIMESTAMPNS, taken inside the server's write on loopback, whatever
 * this client is doing); and that minus the event's first arrival in any
 * subscriber's socket (fanout_..: the server's fan-out alone, without
 * Kafka). Prints "RESULT subscribers=.. received=.. expected=.. p50_ms=..
 * p99_ms=.. max_ms=.. sock_p50_ms=.. .. fanout_max_ms=.. closed=.." and
 * exits 0 when every expected event arrived, 1 otherwise (after
 * SUBS_LOAD_HOLD_MS, when set, with every connection still open). One thread, epoll, non-blocking sockets; bounded: at most 256
 * connections being set up at a time, every wait a deadline. Bench only:
 * the WebSocket masking key is fixed (a client under test, not a browser). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

enum {
    S_CONNECTING,
    S_HEAD,
    S_INIT,
    S_SUBSCRIBING,
    S_LIVE,
    S_CLOSED
};

typedef struct conn {
    int fd;
    int state;
    char *buf;
    size_t len, cap;
    unsigned received;
} conn;

static const char *host, *path, *token;
static int port, ws;
static unsigned expect;
static conn *conns;
static int ep;
static size_t live, closed_count, setting_up;
/* One (subscriber, event) arrival: the event (its publish time), when the
 * kernel put it in the subscriber's socket (SO_TIMESTAMPNS, converted to
 * CLOCK_MONOTONIC) and when this process read it. */
typedef struct arrival {
    uint64_t published, kernel, read;
} arrival;
static arrival *arr;
static size_t lat_len, lat_cap;
static int64_t real_minus_mono; /* CLOCK_REALTIME - CLOCK_MONOTONIC, ns, at start */
static uint64_t cur_kernel_ns;  /* the kernel receive time of the bytes being parsed */
static const char query[] = "subscription { formCreated(name: \\\"bench\\\") { id template } }";

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int64_t ns_of(clockid_t id) {
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void die(const char *what) {
    perror(what);
    exit(2);
}

static void conn_close(conn *c) {
    if (c->state == S_CLOSED) return;
    if (c->state != S_LIVE)
        setting_up--;
    else
        live--;
    c->state = S_CLOSED;
    closed_count++;
    close(c->fd);
    free(c->buf);
    c->buf = NULL;
    c->len = c->cap = 0;
}

/* Sends all of p (small messages on a socket with room: a short write is a failure). */
static void send_all(conn *c, const void *p, size_t n) {
    const char *q = p;
    while (n) {
        ssize_t w = send(c->fd, q, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            conn_close(c);
            return;
        }
        q += w;
        n -= (size_t)w;
    }
}

/* A masked client frame (key 0: the payload goes as is). */
static void ws_send(conn *c, int opcode, const char *payload, size_t n) {
    unsigned char hdr[14];
    size_t hl = 0;
    hdr[hl++] = (unsigned char)(0x80 | opcode);
    if (n < 126) {
        hdr[hl++] = (unsigned char)(0x80 | n);
    } else {
        hdr[hl++] = 0x80 | 126;
        hdr[hl++] = (unsigned char)(n >> 8);
        hdr[hl++] = (unsigned char)n;
    }
    memset(hdr + hl, 0, 4);
    hl += 4;
    char *f = malloc(hl + n);
    if (!f) die("malloc");
    memcpy(f, hdr, hl);
    memcpy(f + hl, payload, n);
    send_all(c, f, hl + n);
    free(f);
}

static void ws_text(conn *c, const char *text) { ws_send(c, 1, text, strlen(text)); }

static void record(conn *c, const char *msg, size_t n) {
    static const char key[] = "\"template\":\"";
    const char *p = memmem(msg, n, key, sizeof key - 1);
    if (!p) return;
    p += sizeof key - 1;
    uint64_t t = strtoull(p, NULL, 10);
    uint64_t now = now_ns();
    c->received++;
    if (lat_len == lat_cap) {
        lat_cap = lat_cap ? lat_cap * 2 : 65536;
        arr = realloc(arr, lat_cap * sizeof *arr);
        if (!arr) die("realloc");
    }
    arr[lat_len++] = (arrival){t, cur_kernel_ns ? cur_kernel_ns : now, now};
}

static void became_live(conn *c) {
    c->state = S_LIVE;
    setting_up--;
    live++;
}

/* One whole server message (a WebSocket text payload or an SSE event). */
static void on_message(conn *c, const char *m, size_t n) {
    if (c->state == S_INIT) {
        if (!memmem(m, n, "connection_ack", 14)) return;
        char sub[512];
        snprintf(sub, sizeof sub,
                 "{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"%s\"}}", query);
        c->state = S_SUBSCRIBING;
        ws_text(c, sub);
        if (c->state != S_CLOSED) ws_text(c, "{\"type\":\"ping\"}");
        return;
    }
    if (c->state == S_SUBSCRIBING) {
        if (memmem(m, n, "\"pong\"", 6)) became_live(c);
        return;
    }
    if (memmem(m, n, "\"next\"", 6) || memmem(m, n, "event: next", 11)) record(c, m, n);
}

/* Consumes what c->buf holds; returns how many bytes were used. */
static size_t parse(conn *c) {
    size_t pos = 0;
    if (c->state == S_HEAD) {
        char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
        if (!end) return 0;
        if (c->len < 12 || memcmp(c->buf + 9, ws ? "101" : "200", 3) != 0) {
            fprintf(stderr, "subs_load: refused: %.*s\n", (int)(end - c->buf), c->buf);
            conn_close(c);
            return 0;
        }
        pos = (size_t)(end - c->buf) + 4;
        if (ws) {
            c->state = S_INIT;
            char init[256];
            snprintf(init, sizeof init,
                     "{\"type\":\"connection_init\",\"payload\":{\"token\":\"%s\"}}", token);
            ws_text(c, init);
        } else {
            became_live(c);
        }
    }
    while (c->state != S_CLOSED && pos < c->len) {
        const unsigned char *b = (const unsigned char *)c->buf + pos;
        size_t avail = c->len - pos;
        if (!ws) {
            char *end = memmem(b, avail, "\n\n", 2);
            if (!end) break;
            size_t n = (size_t)(end - (char *)b) + 2;
            on_message(c, (const char *)b, n);
            pos += n;
            continue;
        }
        if (avail < 2) break;
        int opcode = b[0] & 0x0f;
        uint64_t n = b[1] & 0x7f;
        size_t hl = 2;
        if (n == 126) {
            if (avail < 4) break;
            n = (uint64_t)b[2] << 8 | b[3];
            hl = 4;
        } else if (n == 127) {
            if (avail < 10) break;
            n = 0;
            for (int i = 0; i < 8; i++) n = n << 8 | b[2 + i];
            hl = 10;
        }
        if (avail < hl + n) break;
        const char *payload = (const char *)b + hl;
        if (opcode == 9)
            ws_send(c, 10, payload, (size_t)n);
        else if (opcode == 8)
            conn_close(c);
        else if (opcode == 1)
            on_message(c, payload, (size_t)n);
        pos += hl + (size_t)n;
    }
    return pos;
}

static void on_readable(conn *c) {
    for (;;) {
        if (c->cap - c->len < 4096) {
            c->cap = c->cap ? c->cap * 2 : 8192;
            c->buf = realloc(c->buf, c->cap);
            if (!c->buf) die("realloc");
        }
        /* The kernel's receive time of the newest bytes read (one event is
         * one segment on loopback; bytes of several events read at once all
         * get the newest's, which only makes the earlier ones look later). */
        struct iovec iov = {c->buf + c->len, c->cap - c->len};
        union {
            char buf[CMSG_SPACE(sizeof(struct timespec))];
            struct cmsghdr align;
        } ctl;
        struct msghdr mh = {.msg_iov = &iov,
                            .msg_iovlen = 1,
                            .msg_control = ctl.buf,
                            .msg_controllen = sizeof ctl.buf};
        ssize_t r = recvmsg(c->fd, &mh, 0);
        if (r < 0 && errno == EINTR) continue;
        cur_kernel_ns = 0;
        for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); r > 0 && cm; cm = CMSG_NXTHDR(&mh, cm))
            if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS) {
                struct timespec ts;
                memcpy(&ts, CMSG_DATA(cm), sizeof ts);
                int64_t real = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
                cur_kernel_ns = (uint64_t)(real - real_minus_mono);
            }
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        if (r <= 0) {
            conn_close(c);
            return;
        }
        c->len += (size_t)r;
        size_t used = parse(c);
        if (c->state == S_CLOSED) return;
        memmove(c->buf, c->buf + used, c->len - used);
        c->len -= used;
        /* Less than the room: the socket is empty now (epoll is level
         * triggered: more later wakes us); saves a recv that says EAGAIN. */
        if ((size_t)r < iov.iov_len) break;
    }
}

static void on_connected(conn *c) {
    int err = 0;
    socklen_t l = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
    if (err) {
        errno = err;
        perror("subs_load: connect");
        conn_close(c);
        return;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->state = S_HEAD;
    char req[1024];
    int n;
    if (ws) {
        n = snprintf(
            req, sizeof req,
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
            path, host, port);
    } else {
        char body[256];
        int bl = snprintf(body, sizeof body, "{\"query\":\"%s\"}", query);
        /* HTTP/1.0: the stream comes without chunked framing from either server. */
        n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.0\r\nHost: %s:%d\r\nAccept: text/event-stream\r\n"
                     "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
                     path, host, port, bl, body);
    }
    send_all(c, req, (size_t)n);
}

static void start(conn *c, const struct sockaddr_in *addr) {
    c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c->fd < 0) die("socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) != 0) die("SO_TIMESTAMPNS");
    c->state = S_CONNECTING;
    setting_up++;
    if (connect(c->fd, (const struct sockaddr *)addr, sizeof *addr) != 0 && errno != EINPROGRESS)
        die("connect");
    struct epoll_event ev = {.events = EPOLLOUT, .data.ptr = c};
    if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) != 0) die("epoll_ctl");
}

static void pump(int ms) {
    struct epoll_event evs[256];
    int n = epoll_wait(ep, evs, 256, ms);
    for (int i = 0; i < n; i++) {
        conn *c = evs[i].data.ptr;
        if (c->state == S_CLOSED) continue;
        if (c->state == S_CONNECTING)
            on_connected(c);
        else
            on_readable(c);
    }
}

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc < 8) {
        fprintf(stderr, "usage: subs_load HOST PORT PATH ws|sse N EXPECT TIMEOUT_S [TOKEN]\n");
        return 2;
    }
    host = argv[1];
    port = atoi(argv[2]);
    path = argv[3];
    ws = strcmp(argv[4], "ws") == 0;
    size_t n = strtoul(argv[5], NULL, 10);
    expect = (unsigned)strtoul(argv[6], NULL, 10);
    unsigned timeout_s = (unsigned)strtoul(argv[7], NULL, 10);
    token = argc > 8 ? argv[8] : "";
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    real_minus_mono = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) die("inet_pton (HOST must be IPv4)");
    conns = calloc(n, sizeof *conns);
    ep = epoll_create1(EPOLL_CLOEXEC);
    if (!conns || ep < 0) die("setup");

    uint64_t setup_deadline = now_ns() + 120ull * 1000000000u;
    size_t next = 0;
    while (live + closed_count < n) {
        while (next < n && setting_up < 256) start(&conns[next++], &addr);
        pump(100);
        if (now_ns() > setup_deadline) {
            fprintf(stderr, "subs_load: only %zu of %zu subscribed within 120 s\n", live, n);
            return 1;
        }
    }
    if (closed_count) {
        fprintf(stderr, "subs_load: %zu of %zu subscribers were refused or closed\n", closed_count,
                n);
        return 1;
    }
    printf("READY %zu\n", live);
    fflush(stdout);

    uint64_t deadline = now_ns() + (uint64_t)timeout_s * 1000000000u;
    size_t want = n * expect;
    while (lat_len < want && now_ns() < deadline && live) pump(100);

    /* Per event, its first arrival in any subscriber's socket: the fan-out
     * latency of an arrival is its kernel time minus that (Kafka's part and
     * the server's reading of the event left out). */
    uint64_t ev_pub[64], ev_first[64];
    size_t ev_n = 0;
    for (size_t i = 0; i < lat_len; i++) {
        size_t k = 0;
        while (k < ev_n && ev_pub[k] != arr[i].published) k++;
        if (k == ev_n) {
            if (ev_n == 64) continue; /* more events than the bench sends: ignored */
            ev_pub[ev_n] = arr[i].published;
            ev_first[ev_n++] = arr[i].kernel;
        } else if (arr[i].kernel < ev_first[k]) {
            ev_first[k] = arr[i].kernel;
        }
    }
    uint32_t *e2e = malloc((lat_len + 1) * sizeof *e2e);
    uint32_t *sock = malloc((lat_len + 1) * sizeof *sock);
    uint32_t *fan = malloc((lat_len + 1) * sizeof *fan);
    if (!e2e || !sock || !fan) die("malloc");
    for (size_t i = 0; i < lat_len; i++) {
        const arrival *a = &arr[i];
        size_t k = 0;
        while (k < ev_n && ev_pub[k] != a->published) k++;
        uint64_t first = k < ev_n ? ev_first[k] : a->kernel;
        e2e[i] = a->read > a->published ? (uint32_t)((a->read - a->published) / 1000u) : 0;
        sock[i] = a->kernel > a->published ? (uint32_t)((a->kernel - a->published) / 1000u) : 0;
        fan[i] = (uint32_t)((a->kernel - first) / 1000u);
    }
    printf("RESULT subscribers=%zu received=%zu expected=%zu", n, lat_len, want);
    const char *names[3] = {"", "sock_", "fanout_"};
    uint32_t *sets[3] = {e2e, sock, fan};
    for (int k = 0; k < 3; k++) {
        uint32_t *v = sets[k];
        if (lat_len) qsort(v, lat_len, sizeof *v, cmp_u32);
        double p50 = lat_len ? v[lat_len / 2] / 1000.0 : 0;
        double p99 = lat_len ? v[(size_t)((double)lat_len * 0.99)] / 1000.0 : 0;
        double mx = lat_len ? v[lat_len - 1] / 1000.0 : 0;
        printf(" %sp50_ms=%.2f %sp99_ms=%.2f %smax_ms=%.2f", names[k], p50, names[k], p99, names[k],
               mx);
    }
    printf(" closed=%zu\n", closed_count);
    fflush(stdout);
    /* SUBS_LOAD_HOLD_MS: keep the connections that long after RESULT, so a
     * measurement of the server stops before it handles 10k closes. */
    const char *hold = getenv("SUBS_LOAD_HOLD_MS");
    if (hold) {
        long ms = strtol(hold, NULL, 10);
        if (ms > 0 && ms <= 60000)
            nanosleep(&(struct timespec){ms / 1000, (ms % 1000) * 1000000}, NULL);
    }
    free(e2e);
    free(sock);
    free(fan);
    fflush(stdout);
    for (size_t i = 0; i < n; i++)
        if (conns[i].state != S_CLOSED) {
            close(conns[i].fd);
            free(conns[i].buf);
        }
    free(conns);
    free(arr);
    return lat_len >= want ? 0 : 1;
}
