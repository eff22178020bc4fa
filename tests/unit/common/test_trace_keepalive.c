/* test_trace_keepalive.c -- the exporter's kept-alive connection to the
 * collector (trace_export.c): several POSTs travel on one connection; a
 * collector that closes the connection after an answer, says
 * `Connection: close`, or closes an idle connection just as the next POST
 * goes out loses no batch (the exporter reconnects, and retries once a POST
 * that found its kept connection closed); an answer with a body is read to
 * its end so the next one stays in step. A fake collector on a loopback
 * socket, one connection at a time as the exporter uses it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/trace.h"
#include "common/trace_export.h"
#include "mm_test.h"

/* How the fake collector behaves. */
typedef struct fake {
    int lfd;
    atomic_bool stop;
    const char *answer;   /* the whole HTTP answer to each POST */
    size_t answer_len;    /* its bytes (0: strlen) */
    unsigned close_after; /* answers per connection before it closes (0: never) */
    unsigned drop_on;     /* on the first connection, the drop_on-th POST is read and the
                               connection closed without an answer (0: never) */
    atomic_uint accepted; /* connections */
    atomic_uint posts;    /* POSTs answered */
} fake;

/* Reads one request (head and Content-Length body) from s; false on EOF or
 * error. */
static bool read_request(int s) {
    static char buf[1 << 20];
    size_t got = 0, want = 0;
    for (;;) {
        struct pollfd p = {.fd = s, .events = POLLIN};
        if (poll(&p, 1, 3000) <= 0) return false;
        ssize_t r = recv(s, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0) return false;
        got += (size_t)r;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end && !want) {
            const char *cl = strstr(buf, "Content-Length: ");
            want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
            assert_null(strstr(buf, "Connection: close")); /* the exporter keeps it alive */
        }
        if (want && got >= want) {
            assert_int_equal(got, want); /* nothing pipelined: one POST at a time */
            return true;
        }
    }
}

static void *serve(void *arg) {
    fake *f = arg;
    while (!atomic_load(&f->stop)) {
        struct pollfd p = {.fd = f->lfd, .events = POLLIN};
        if (poll(&p, 1, 20) <= 0) continue;
        int s = accept(f->lfd, NULL, NULL);
        if (s < 0) continue;
        unsigned conn_no = atomic_fetch_add(&f->accepted, 1) + 1, on_conn = 0;
        while (!atomic_load(&f->stop) && read_request(s)) {
            on_conn++;
            if (conn_no == 1 && on_conn == f->drop_on) break; /* closed as the POST arrived */
            send(s, f->answer, f->answer_len ? f->answer_len : strlen(f->answer), MSG_NOSIGNAL);
            atomic_fetch_add(&f->posts, 1);
            if (f->close_after && on_conn == f->close_after) break;
        }
        close(s);
    }
    return NULL;
}

/* Ends a few spans and waits until the exporter has sent them (one POST). */
static void one_batch(uint64_t *exported) {
    for (int i = 0; i < 3; i++) mm_span_end(mm_span_start("s", MM_SPAN_INTERNAL, NULL));
    int64_t until = mm_test_now_ms() + 5000;
    mm_trace_stats st;
    do {
        usleep(5000);
        mm_trace_get_stats(&st);
    } while (st.exported + st.dropped < *exported + 3 && mm_test_now_ms() < until);
    assert_int_equal(st.exported, *exported + 3);
    *exported = st.exported;
}

/* Runs `batches` POSTs against a collector set up as f says; returns the
 * connections the exporter opened. No POST may fail. */
static unsigned run(fake *f, int batches, unsigned pause_ms) {
    int port;
    f->lfd = mm_test_listen_loopback(&port);
    pthread_t th;
    pthread_create(&th, NULL, serve, f);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 1 << 20,
                           .timeout_ms = 2000,
                           .interval_ms = 10};
    char err[256];
    mm_trace_stats before;
    mm_trace_get_stats(&before);
    uint64_t opened = mm_trace_connections_opened();
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    uint64_t exported = before.exported;
    for (int i = 0; i < batches; i++) {
        one_batch(&exported);
        if (pause_ms) usleep(pause_ms * 1000);
    }
    mm_trace_shutdown();
    atomic_store(&f->stop, true);
    pthread_join(th, NULL);
    close(f->lfd);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    assert_int_equal(after.failed_posts, before.failed_posts);
    assert_int_equal(after.dropped, before.dropped);
    assert_int_equal(after.exported - before.exported, 3u * (unsigned)batches);
    return (unsigned)(mm_trace_connections_opened() - opened);
}

static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

/* Ten POSTs, one connection. */
static void test_one_connection_for_many_posts(void **state) {
    (void)state;
    fake f = {.answer = ok};
    assert_int_equal(run(&f, 10, 0), 1);
    assert_int_equal(atomic_load(&f.accepted), 1);
    assert_int_equal(atomic_load(&f.posts), 10);
}

/* An answer with a binary body (Jaeger answers a protobuf
 * ExportTraceServiceResponse, with NUL bytes in it: the first version took
 * those for a broken head and counted every POST to Jaeger failed): it is
 * read to its end, so the next answer is read in step. */
static void test_answer_body_is_skipped(void **state) {
    (void)state;
    static const char answer[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                                 "Content-Length: 4\r\n\r\n\x12\x00\x0a\x00";
    fake f = {.answer = answer, .answer_len = sizeof answer - 1};
    assert_int_equal(run(&f, 5, 0), 1);
    assert_int_equal(atomic_load(&f.posts), 5);
    /* and with Jaeger's `Connection: close`: a connection per POST */
    static const char closing[] = "HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\n"
                                  "Content-Length: 2\r\nConnection: close\r\n\r\n\x12\x00";
    fake g = {.answer = closing, .answer_len = sizeof closing - 1, .close_after = 1};
    assert_int_equal(run(&g, 3, 0), 3);
}

/* `Connection: close`, or an answer whose end only the close tells: a new
 * connection for the next POST. */
static void test_connection_close_is_obeyed(void **state) {
    (void)state;
    fake f = {.answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
              .close_after = 1};
    assert_int_equal(run(&f, 4, 0), 4);
    fake g = {.answer = "HTTP/1.0 200 OK\r\n\r\n", .close_after = 1};
    assert_int_equal(run(&g, 3, 0), 3);
}

/* A server that closes after each answer without saying so: the next POST
 * sees the end of file before it sends (or fails at once and is retried)
 * and goes on a new connection; nothing is lost. */
static void test_server_closes_silently(void **state) {
    (void)state;
    fake f = {.answer = ok, .close_after = 1};
    assert_int_equal(run(&f, 4, 20), 4);
    fake g = {.answer = ok, .close_after = 1};
    assert_int_equal(run(&g, 4, 0), 4);
}

/* The server closes the kept connection just as a POST arrives on it (an
 * idle close crossing our request): nothing came back, so the POST is
 * retried once on a new connection, within its deadline. */
static void test_close_crossing_a_post_is_retried(void **state) {
    (void)state;
    fake f = {.answer = ok, .drop_on = 3};
    assert_int_equal(run(&f, 5, 0), 2);
    assert_int_equal(atomic_load(&f.posts), 5);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_connection_for_many_posts),
        cmocka_unit_test(test_answer_body_is_skipped),
        cmocka_unit_test(test_connection_close_is_obeyed),
        cmocka_unit_test(test_server_closes_silently),
        cmocka_unit_test(test_close_crossing_a_post_is_retried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
