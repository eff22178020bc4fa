/* test_worker_endpoint.c -- a standalone worker's metrics
 * (worker_endpoint.h, mm_worker_metrics_render): the text has exactly the
 * worker families of the node's table (mm_worker_*, in its order, no
 * mm_node_* family), with the block's values under the consumer's labels;
 * the endpoint serves it at GET /metrics from its thread while the block
 * changes, refuses an address in use, and stops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "node/metrics.h"
#include "node/worker_endpoint.h"
#include "service/worker_metrics.h"

static void render_has_the_worker_families(void **state) {
    (void)state;
    mm_worker_metrics w = {0};
    mm_wm_add(&w.handled, 7);
    mm_wm_add(&w.failed, 2);
    mm_wm_add(&w.trace.dropped, 5);
    mm_wm_started(&w);
    mm_wm_handler_time(&w, mm_wm_mono_us());
    size_t len;
    char *text = mm_worker_metrics_render(&w, "svc\"x", "c1", &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    /* every worker family, in the table's order, and nothing else */
    const char *at = text;
    for (size_t f = 0; f < mm_worker_metric_family_count; f++) {
        char want[160];
        snprintf(want, sizeof want, "# TYPE %s %s\n", mm_node_metric_families[f].name,
                 mm_node_metric_families[f].type);
        const char *hit = strstr(at, want);
        assert_non_null(hit);
        at = hit + strlen(want);
        assert_int_equal(strncmp(mm_node_metric_families[f].name, "mm_worker_", 10), 0);
    }
    size_t types = 0;
    for (const char *p = text; (p = strstr(p, "# TYPE ")); p++) types++;
    assert_int_equal(types, mm_worker_metric_family_count);
    assert_null(strstr(text, "mm_node_"));
    /* values under the consumer's labels (label values escaped) */
    assert_non_null(
        strstr(text, "mm_worker_events_handled_total{service=\"svc\\\"x\",consumer=\"c1\"} 7\n"));
    assert_non_null(
        strstr(text, "mm_worker_events_failed_total{service=\"svc\\\"x\",consumer=\"c1\"} 2\n"));
    assert_non_null(
        strstr(text, "mm_worker_events_in_flight{service=\"svc\\\"x\",consumer=\"c1\"} 1\n"));
    assert_non_null(strstr(
        text, "mm_worker_trace_spans_dropped_total{service=\"svc\\\"x\",consumer=\"c1\"} 5\n"));
    assert_non_null(strstr(text, "mm_worker_handler_duration_seconds_count{service=\"svc\\\"x\","
                                 "consumer=\"c1\"} 1\n"));
    free(text);
}

/* GET path from 127.0.0.1:port; the whole answer in out. */
static void get(int port, const char *path, char *out, size_t size) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[200];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    assert_int_equal(send(fd, req, (size_t)n, 0), n);
    struct timeval tv = {5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t got = 0;
    for (ssize_t r; got + 1 < size && (r = recv(fd, out + got, size - 1 - got, 0)) > 0;)
        got += (size_t)r;
    out[got] = '\0';
    close(fd);
}

static void endpoint_serves_and_stops(void **state) {
    (void)state;
    mm_worker_metrics w = {0};
    char bound[64], err[256];
    mm_worker_endpoint *e = mm_worker_endpoint_start("127.0.0.1:0", &w, "forms", "create_form",
                                                     bound, sizeof bound, err, sizeof err);
    assert_non_null(e);
    int port = atoi(strrchr(bound, ':') + 1);
    assert_true(port > 0);
    static char resp[1 << 16];
    get(port, "/metrics", resp, sizeof resp);
    assert_non_null(strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "mm_worker_events_handled_total{service=\"forms\","
                                 "consumer=\"create_form\"} 0\n"));
    mm_wm_add(&w.handled, 3); /* the runner counts while the endpoint serves */
    get(port, "/metrics", resp, sizeof resp);
    assert_non_null(strstr(resp, "mm_worker_events_handled_total{service=\"forms\","
                                 "consumer=\"create_form\"} 3\n"));
    get(port, "/nope", resp, sizeof resp);
    assert_non_null(strstr(resp, "HTTP/1.1 404"));
    /* the same address again: refused, with a reason */
    err[0] = '\0';
    char again[64];
    assert_null(mm_worker_endpoint_start(bound, &w, "forms", "create_form", again, sizeof again,
                                         err, sizeof err));
    assert_true(err[0] != '\0');
    mm_worker_endpoint_stop(e);
    /* stopped: nothing listens there any more */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_not_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    close(fd);
    mm_worker_endpoint_stop(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(render_has_the_worker_families),
        cmocka_unit_test(endpoint_serves_and_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
