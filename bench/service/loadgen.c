/* loadgen.c -- a closed-loop HTTP/1.1 load generator for the GraphQL endpoint.
 *
 *   loadgen URL BODY_JSON CONCURRENCY SECONDS
 *
 * CONCURRENCY threads each keep one connection open and send the same POST
 * one after the other for SECONDS (after a 1 s warm-up that is not
 * counted). Prints one JSON line: requests, errors (non-200 or a body with
 * "errors"), requests/s and latency percentiles in milliseconds, and
 * requests_with_warmup: the divisor for CPU read from /proc over the whole
 * run, warm-up included. Not a test: it measures. */
#define _GNU_SOURCE /* strcasestr */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct worker {
    pthread_t thread;
    const char *host;
    int port;
    const char *path;
    const char *body;
    double warmup_end, end;
    double *lat; /* latencies in ms */
    size_t n, cap;
    size_t errors;
    size_t warmup_requests; /* sent in the warm-up: CPU read over the whole run covers them */
} worker;

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_to(const char *host, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads one response; returns the status code or -1. Sets *has_errors when
 * the body mentions "errors". */
static int read_response(int fd, char *buf, size_t cap, int *has_errors) {
    size_t len = 0;
    long content_length = -1;
    char *body = NULL;
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - 1 - len);
        if (r <= 0) return -1;
        len += (size_t)r;
        buf[len] = '\0';
        if (!body) {
            char *end = strstr(buf, "\r\n\r\n");
            if (!end) continue;
            body = end + 4;
            char *cl = strcasestr(buf, "content-length:");
            if (!cl || cl > end) return -1; /* the server always sends a length */
            content_length = strtol(cl + 15, NULL, 10);
        }
        if ((long)(len - (size_t)(body - buf)) >= content_length) break;
        if (len + 1 >= cap) return -1;
    }
    *has_errors = strstr(body, "\"errors\"") != NULL;
    return atoi(buf + 9);
}

static void *run(void *arg) {
    worker *w = arg;
    char req[8192], resp[65536];
    int n = snprintf(req, sizeof req,
                     "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\n"
                     "Accept: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     w->path, w->host, w->port, strlen(w->body), w->body);
    int fd = connect_to(w->host, w->port);
    while (fd >= 0) {
        double t0 = now_s();
        if (t0 >= w->end) break;
        int has_errors = 0, status = -1;
        if (write(fd, req, (size_t)n) == n)
            status = read_response(fd, resp, sizeof resp, &has_errors);
        double t1 = now_s();
        if (status < 0) { /* reconnect and count it */
            close(fd);
            fd = connect_to(w->host, w->port);
        }
        if (t0 < w->warmup_end) {
            w->warmup_requests++;
            continue;
        }
        if (status != 200 || has_errors) w->errors++;
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 4096;
            w->lat = realloc(w->lat, w->cap * sizeof(double));
        }
        w->lat[w->n++] = (t1 - t0) * 1000.0;
    }
    if (fd >= 0) close(fd);
    return NULL;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: loadgen http://HOST:PORT/PATH BODY_JSON CONCURRENCY SECONDS\n");
        return 2;
    }
    char host[64], path[256] = "/";
    int port = 80;
    if (sscanf(argv[1], "http://%63[^:]:%d%255s", host, &port, path) < 2) {
        fprintf(stderr, "loadgen: bad URL %s\n", argv[1]);
        return 2;
    }
    int conc = atoi(argv[3]);
    double secs = atof(argv[4]);
    if (conc < 1 || secs <= 0) return 2;
    worker *ws = calloc((size_t)conc, sizeof(*ws));
    double start = now_s();
    for (int i = 0; i < conc; i++) {
        ws[i] = (worker){.host = host,
                         .port = port,
                         .path = path,
                         .body = argv[2],
                         .warmup_end = start + 1.0,
                         .end = start + 1.0 + secs};
        pthread_create(&ws[i].thread, NULL, run, &ws[i]);
    }
    size_t total = 0, errors = 0, warmup = 0;
    for (int i = 0; i < conc; i++) {
        pthread_join(ws[i].thread, NULL);
        total += ws[i].n;
        errors += ws[i].errors;
        warmup += ws[i].warmup_requests;
    }
    double *all = malloc((total ? total : 1) * sizeof(double));
    size_t k = 0;
    for (int i = 0; i < conc; i++) {
        memcpy(all + k, ws[i].lat, ws[i].n * sizeof(double));
        k += ws[i].n;
        free(ws[i].lat);
    }
    qsort(all, total, sizeof(double), cmp);
#define PCT(p) (total ? all[(size_t)((double)(total - 1) * (p))] : 0.0)
    printf("{\"concurrency\":%d,\"requests\":%zu,\"errors\":%zu,\"rps\":%.1f,\"p50_ms\":%.2f,"
           "\"p90_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f,\"requests_with_warmup\":%zu}\n",
           conc, total, errors, (double)total / secs, PCT(0.50), PCT(0.90), PCT(0.99), PCT(1.0),
           total + warmup);
    free(all);
    free(ws);
    return 0;
}
