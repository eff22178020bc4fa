/* test_trace_export.c -- spans and the OTLP exporter: the OTLP/JSON
 * encoding (ids, parent links, kinds, attributes, status), the POST to a
 * collector (a fake one on a loopback socket here), and the bounded queue:
 * with a collector that never answers, ending spans never blocks, the spans
 * that do not fit are dropped and counted, and shutdown is bounded by the
 * deadline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/trace.h"
#include "common/trace_export.h"

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* A listening loopback socket; its port in *port. */
static int listen_any(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 16), 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    *port = ntohs(a.sin_port);
    return fd;
}

static const mm_trace_ctx *sampled_parent(void) {
    static mm_trace_ctx p;
    memset(&p, 0, sizeof p);
    p.valid = true;
    p.flags = MM_TRACE_FLAG_SAMPLED;
    mm_trace_random(p.trace_id, 16);
    mm_trace_random(p.span_id, 8);
    strcpy(p.state, "rojo=1");
    return &p;
}

static void test_encode(void **state) {
    (void)state;
    mm_trace_enabled_ = true; /* spans without an exporter: encoded by hand below */
    const mm_trace_ctx *parent = sampled_parent();
    mm_span *server = mm_span_start("POST /graphql", MM_SPAN_SERVER, parent);
    assert_non_null(server);
    mm_span_attr_str(server, "http.request.method", "POST");
    mm_span_attr_str(server, "url.path", "/gra\"phql\n");
    mm_span_attr_int(server, "http.response.status_code", 200);
    mm_span *child = mm_span_start("publish forms", MM_SPAN_PRODUCER, &server->ctx);
    mm_span_set_error(child, "broker away");
    server->end_ns = server->start_ns + 5;
    child->end_ns = child->start_ns + 1;
    assert_memory_equal(child->ctx.trace_id, parent->trace_id, 16);
    assert_memory_equal(child->parent_id, server->ctx.span_id, 8);
    mm_span *spans[2] = {server, child};
    size_t len;
    char *text = mm_otlp_encode(spans, 2, "svc", &len);
    assert_non_null(text);
    json_error_t e;
    json_t *doc = json_loadb(text, len, 0, &e);
    assert_non_null(doc);
    json_t *rs = json_array_get(json_object_get(doc, "resourceSpans"), 0);
    json_t *attr0 =
        json_array_get(json_object_get(json_object_get(rs, "resource"), "attributes"), 0);
    assert_string_equal(json_string_value(json_object_get(attr0, "key")), "service.name");
    json_t *list = json_object_get(json_array_get(json_object_get(rs, "scopeSpans"), 0), "spans");
    assert_int_equal(json_array_size(list), 2);
    json_t *s0 = json_array_get(list, 0), *s1 = json_array_get(list, 1);
    char tid[33], sid[17], pid[17];
    mm_trace_hex(parent->trace_id, 16, tid);
    mm_trace_hex(server->ctx.span_id, 8, sid);
    mm_trace_hex(parent->span_id, 8, pid);
    assert_string_equal(json_string_value(json_object_get(s0, "traceId")), tid);
    assert_string_equal(json_string_value(json_object_get(s0, "spanId")), sid);
    assert_string_equal(json_string_value(json_object_get(s0, "parentSpanId")), pid);
    assert_string_equal(json_string_value(json_object_get(s0, "traceState")), "rojo=1");
    assert_string_equal(json_string_value(json_object_get(s0, "name")), "POST /graphql");
    assert_int_equal(json_integer_value(json_object_get(s0, "kind")), MM_SPAN_SERVER);
    assert_null(json_object_get(s0, "status"));
    json_t *attrs = json_object_get(s0, "attributes");
    assert_int_equal(json_array_size(attrs), 3);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 1), "value"), "stringValue")),
                        "/gra\"phql\n");
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 2), "value"), "intValue")),
                        "200");
    assert_string_equal(json_string_value(json_object_get(s1, "parentSpanId")), sid);
    assert_int_equal(json_integer_value(json_object_get(s1, "kind")), MM_SPAN_PRODUCER);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(s1, "status"), "code")), 2);
    char start[32];
    snprintf(start, sizeof start, "%llu", (unsigned long long)server->start_ns);
    assert_string_equal(json_string_value(json_object_get(s0, "startTimeUnixNano")), start);
    json_decref(doc);
    free(text);
    mm_span_free(server);
    mm_span_free(child);
    mm_trace_enabled_ = false;
}

/* Attributes live in a fixed buffer: a long value is cut to 1024 bytes (on
 * a UTF-8 boundary), an attribute that does not fit is left out whole, and
 * the span still encodes to valid JSON. */
static void test_attr_bounds(void **state) {
    (void)state;
    mm_trace_enabled_ = true;
    mm_span *sp = mm_span_start("s", MM_SPAN_INTERNAL, sampled_parent());
    char big[2001];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    memcpy(big + 1023, "\xc3\xa9", 2); /* an e-acute across the cut */
    mm_span_attr_str(sp, "long", big);
    for (int i = 0; i < 100; i++) mm_span_attr_int(sp, "n", -i);
    assert_true(sp->attrs_len <= MM_SPAN_ATTRS_MAX);
    sp->end_ns = sp->start_ns;
    size_t len;
    char *text = mm_otlp_encode(&sp, 1, "svc", &len);
    json_t *doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    json_t *attrs = json_object_get(
        json_array_get(
            json_object_get(
                json_array_get(
                    json_object_get(json_array_get(json_object_get(doc, "resourceSpans"), 0),
                                    "scopeSpans"),
                    0),
                "spans"),
            0),
        "attributes");
    const char *v = json_string_value(
        json_object_get(json_object_get(json_array_get(attrs, 0), "value"), "stringValue"));
    assert_int_equal(strlen(v), 1023); /* cut before the split character */
    size_t n = json_array_size(attrs);
    assert_true(n > 1 && n < 101);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_array_get(attrs, 2), "value"), "intValue")),
                        "-1");
    json_decref(doc);
    free(text);
    mm_span_free(sp);
    mm_trace_enabled_ = false;
}

/* ---- a fake collector: reads one request, answers 200, keeps the body ---- */

typedef struct collector {
    int fd;
    char *body;
    char request_line[128];
} collector;

static void *collect_one(void *arg) {
    collector *c = arg;
    int s = accept(c->fd, NULL, NULL);
    if (s < 0) return NULL;
    size_t cap = 1 << 20, got = 0;
    char *buf = malloc(cap);
    size_t want = 0;
    for (;;) {
        ssize_t r = recv(s, buf + got, cap - got - 1, 0);
        if (r <= 0) break;
        got += (size_t)r;
        buf[got] = '\0';
        char *end = strstr(buf, "\r\n\r\n");
        if (end && !want) {
            const char *cl = strstr(buf, "Content-Length: ");
            want = (size_t)(end + 4 - buf) + (cl ? strtoul(cl + 16, NULL, 10) : 0);
        }
        if (want && got >= want) break;
    }
    const char *eol = strstr(buf, "\r\n");
    snprintf(c->request_line, sizeof c->request_line, "%.*s", eol ? (int)(eol - buf) : 0, buf);
    const char *end = strstr(buf, "\r\n\r\n");
    c->body = strdup(end ? end + 4 : "");
    free(buf);
    const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";
    send(s, ok, sizeof ok - 1, MSG_NOSIGNAL);
    close(s);
    return NULL;
}

static void test_export_posts(void **state) {
    (void)state;
    int port;
    collector c = {.fd = listen_any(&port)};
    pthread_t th;
    pthread_create(&th, NULL, collect_one, &c);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 1 << 20,
                           .timeout_ms = 2000,
                           .interval_ms = 50,
                           .service_name = "unit"};
    char err[256];
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_true(mm_trace_enabled());
    mm_span *root = mm_span_start("root", MM_SPAN_INTERNAL, NULL); /* ratio 1: sampled */
    assert_non_null(root);
    assert_false(root->has_parent);
    mm_span *kid = mm_span_start("kid", MM_SPAN_CLIENT, &root->ctx);
    mm_span_end(kid);
    mm_span_end(root);
    pthread_join(th, NULL); /* the batch arrives within the interval */
    mm_trace_shutdown();
    assert_false(mm_trace_enabled());
    mm_trace_stats st;
    mm_trace_get_stats(&st);
    assert_int_equal(st.exported, 2);
    assert_string_equal(c.request_line, "POST /v1/traces HTTP/1.1");
    json_t *doc = json_loads(c.body, 0, NULL);
    assert_non_null(doc);
    json_t *spans = json_object_get(
        json_array_get(
            json_object_get(json_array_get(json_object_get(doc, "resourceSpans"), 0), "scopeSpans"),
            0),
        "spans");
    assert_int_equal(json_array_size(spans), 2);
    json_decref(doc);
    free(c.body);
    close(c.fd);
}

static void test_queue_drops_not_blocks(void **state) {
    (void)state;
    /* A collector that accepts connections (the kernel does) but never
     * answers: every POST waits out its deadline. */
    int port;
    int fd = listen_any(&port);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1/traces", port);
    mm_trace_config cfg = {.endpoint = endpoint,
                           .sample_ratio = 1.0,
                           .queue_bytes = 8192, /* a handful of spans */
                           .timeout_ms = 300,
                           .interval_ms = 20};
    char err[256];
    mm_trace_stats before;
    mm_trace_get_stats(&before);
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    enum {
        N = 5000
    };
    int64_t t0 = now_ms();
    for (int i = 0; i < N; i++) {
        mm_span *sp = mm_span_start("s", MM_SPAN_INTERNAL, NULL);
        assert_non_null(sp);
        mm_span_attr_str(sp, "k", "some value");
        mm_span_end(sp);
    }
    int64_t spent = now_ms() - t0;
    /* 5000 spans end in far less than one export deadline: nothing waited */
    assert_true(spent < 250);
    mm_trace_stats mid;
    mm_trace_get_stats(&mid);
    assert_true(mid.dropped - before.dropped > N / 2);
    assert_true(mid.queued_bytes <= 8192);
    t0 = now_ms();
    mm_trace_shutdown(); /* at most a POST in flight and one last: bounded */
    assert_true(now_ms() - t0 < 2000);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    assert_int_equal(after.exported, before.exported);
    assert_int_equal(after.dropped - before.dropped, N); /* every span is accounted for */
    assert_true(after.failed_posts > before.failed_posts);
    close(fd);
}

static void test_bad_endpoint(void **state) {
    (void)state;
    char err[256];
    mm_trace_config cfg = {.endpoint = "https://collector:4318", .sample_ratio = 1.0};
    assert_int_not_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_non_null(strstr(err, "https"));
    assert_false(mm_trace_enabled());
    cfg.endpoint = "http://127.0.0.1:4318";
    cfg.sample_ratio = 1.5;
    assert_int_not_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    cfg.endpoint = NULL; /* off */
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    assert_false(mm_trace_enabled());
    assert_null(mm_span_start("x", MM_SPAN_INTERNAL, NULL));
}

static void test_sampling_ratio(void **state) {
    (void)state;
    int port;
    int fd = listen_any(&port);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d", port);
    mm_trace_config cfg = {.endpoint = endpoint, .sample_ratio = 0.25, .timeout_ms = 100};
    char err[256];
    assert_int_equal(mm_trace_init(&cfg, err, sizeof err), 0);
    int sampled = 0;
    for (int i = 0; i < 4000; i++) {
        mm_span *sp = mm_span_start("r", MM_SPAN_INTERNAL, NULL);
        sampled += (sp->ctx.flags & MM_TRACE_FLAG_SAMPLED) != 0;
        mm_span_free(sp);
    }
    assert_true(sampled > 800 && sampled < 1200);
    /* a child follows its parent's decision whatever the ratio */
    mm_span *kid = mm_span_start("k", MM_SPAN_INTERNAL, sampled_parent());
    assert_int_equal(kid->ctx.flags & MM_TRACE_FLAG_SAMPLED, MM_TRACE_FLAG_SAMPLED);
    mm_span_free(kid);
    mm_trace_shutdown();
    close(fd);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_encode),       cmocka_unit_test(test_attr_bounds),
        cmocka_unit_test(test_export_posts), cmocka_unit_test(test_queue_drops_not_blocks),
        cmocka_unit_test(test_bad_endpoint), cmocka_unit_test(test_sampling_ratio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
