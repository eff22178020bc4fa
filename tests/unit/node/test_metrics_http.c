/* test_metrics_http.c -- the node's /metrics listener (node/metrics_http.h)
 * driven as the supervisor drives it (its fds in a poll loop): GET and HEAD
 * of /metrics, 404, 405, 431 for an oversized head, the connection limit,
 * and a silent client closed at its deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "node/metrics_http.h"

static int renders;

static char *render(void *ud, size_t *len) {
    (void)ud;
    renders++;
    char *s = strdup("# TYPE x counter\nx_total 1\n");
    *len = strlen(s);
    return s;
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the listener's side for ms milliseconds. */
static void pump(mm_metrics_http *h, int ms) {
    long long end = now_ms() + ms;
    while (now_ms() < end) {
        struct pollfd fds[1 + MM_METRICS_HTTP_CONNS];
        size_t n = mm_metrics_http_fds(h, fds, sizeof fds / sizeof *fds);
        int t = mm_metrics_http_timeout(h);
        int left = (int)(end - now_ms());
        if (t < 0 || t > left) t = left;
        if (t < 0) t = 0;
        int rc = poll(fds, n, t > 20 ? 20 : t);
        mm_metrics_http_handle(h, fds, rc > 0 ? n : 0);
    }
}

static int client(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* What the server sent until it closed (or nothing more came). */
static char *drain(int fd) {
    static char buf[65536];
    size_t len = 0;
    for (;;) {
        ssize_t got = read(fd, buf + len, sizeof buf - 1 - len);
        if (got <= 0) break;
        len += (size_t)got;
    }
    buf[len] = '\0';
    return buf;
}

static char *exchange(mm_metrics_http *h, int port, const char *request) {
    int fd = client(port);
    if (request[0]) assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    pump(h, 150);
    char *got = drain(fd);
    close(fd);
    return got;
}

static mm_metrics_http *open_listener(int *port) {
    char bound[300], err[256];
    mm_metrics_http *h =
        mm_metrics_http_new("127.0.0.1:0", render, NULL, bound, sizeof bound, err, sizeof err);
    if (!h) fail_msg("%s", err);
    assert_true(strncmp(bound, "127.0.0.1:", 10) == 0);
    *port = atoi(bound + 10);
    assert_true(*port > 0);
    return h;
}

static void requests(void **state) {
    (void)state;
    int port;
    mm_metrics_http *h = open_listener(&port);
    char *r = exchange(h, port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_non_null(strstr(r, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"));
    assert_non_null(strstr(r, "Content-Length: 27\r\n"));
    assert_non_null(strstr(r, "Connection: close\r\n"));
    assert_non_null(strstr(r, "\r\n\r\n# TYPE x counter\nx_total 1\n"));
    r = exchange(h, port, "GET /metrics?x=1 HTTP/1.0\n\n");
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    r = exchange(h, port, "HEAD /metrics HTTP/1.1\r\n\r\n");
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_non_null(strstr(r, "Content-Length: 27\r\n"));
    assert_null(strstr(r, "x_total"));
    r = exchange(h, port, "GET / HTTP/1.1\r\n\r\n");
    assert_true(strncmp(r, "HTTP/1.1 404 ", 13) == 0);
    r = exchange(h, port, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    assert_true(strncmp(r, "HTTP/1.1 405 ", 13) == 0);
    char big[MM_METRICS_HTTP_HEAD_MAX + 100];
    memset(big, 'a', sizeof big - 1);
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    big[sizeof big - 1] = '\0';
    r = exchange(h, port, big);
    assert_true(strncmp(r, "HTTP/1.1 431 ", 13) == 0);
    mm_metrics_http_free(h);
}

static void limits_and_deadline(void **state) {
    (void)state;
    int port;
    mm_metrics_http *h = open_listener(&port);
    /* Silent clients hold every connection slot; one more is turned away. */
    int fds[MM_METRICS_HTTP_CONNS + 1];
    for (int i = 0; i <= MM_METRICS_HTTP_CONNS; i++) {
        fds[i] = client(port);
        pump(h, 20);
    }
    char c;
    assert_int_equal(read(fds[MM_METRICS_HTTP_CONNS], &c, 1), 0); /* closed at accept */
    assert_int_equal(read(fds[0], &c, 1), -1);                    /* still open, waiting */
    assert_int_equal(errno, EAGAIN);
    /* Each is closed at its deadline, answered or not. */
    long long t0 = now_ms();
    pump(h, MM_METRICS_HTTP_DEADLINE_MS + 300);
    for (int i = 0; i < MM_METRICS_HTTP_CONNS; i++) {
        assert_int_equal(read(fds[i], &c, 1), 0);
        close(fds[i]);
    }
    close(fds[MM_METRICS_HTTP_CONNS]);
    assert_true(mm_metrics_http_timeout(h) == -1);
    assert_true(now_ms() - t0 < MM_METRICS_HTTP_DEADLINE_MS + 1000);
    /* And it serves again. */
    int before = renders;
    char *r = exchange(h, port, "GET /metrics HTTP/1.1\r\n\r\n");
    assert_true(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
    assert_int_equal(renders, before + 1);
    mm_metrics_http_free(h);
}

static void bad_addresses(void **state) {
    (void)state;
    char bound[300], err[256];
    assert_null(
        mm_metrics_http_new("127.0.0.1", render, NULL, bound, sizeof bound, err, sizeof err));
    assert_non_null(strstr(err, "expected HOST:PORT"));
    assert_null(
        mm_metrics_http_new("127.0.0.1:http", render, NULL, bound, sizeof bound, err, sizeof err));
    int port;
    mm_metrics_http *h = open_listener(&port);
    char taken[64];
    snprintf(taken, sizeof taken, "127.0.0.1:%d", port);
    assert_null(mm_metrics_http_new(taken, render, NULL, bound, sizeof bound, err, sizeof err));
    assert_non_null(strstr(err, "in use"));
    mm_metrics_http_free(h);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests),
        cmocka_unit_test(limits_and_deadline),
        cmocka_unit_test(bad_addresses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
