/* test_http_server.c -- the GraphQL-over-HTTP server, driven over loopback by a
 * small raw-socket HTTP/1.1 client: every status code for each media type,
 * GET and POST parsing, suspend/resume from another thread, deadlines, 300
 * waiting requests beside normal traffic, oversize bodies, slow clients,
 * GraphiQL, health/readiness/metrics, CORS, the access log and graceful stop.
 * The GraphQL engine is replaced by a handler whose answers the tests choose. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <strings.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/http_server.h"
#include "metamorphosis.h"

/* ---------------------------------------------------------------- client */

typedef struct http_resp {
    int status;       /* -1: no response (closed or timed out) */
    char head[16384]; /* status line + headers */
    char *body;
    size_t body_len;
} http_resp;

static uint64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int connect_port(uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void send_all(int fd, const char *data, size_t len) {
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return; /* the server may close early (413): reading tells */
        data += n;
        len -= (size_t)n;
    }
}

/* Reads until the server closes (requests say Connection: close). */
static void read_response(int fd, http_resp *out, int timeout_ms) {
    memset(out, 0, sizeof *out);
    out->status = -1;
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        int left = (int)(end - now_ms());
        if (left <= 0) break;
        struct pollfd p = {fd, POLLIN, 0};
        int pr = poll(&p, 1, left);
        if (pr <= 0) break;
        if (len + 4096 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        len += (size_t)n;
    }
    buf[len] = '\0';
    char *sep = strstr(buf, "\r\n\r\n");
    if (sep && sscanf(buf, "HTTP/1.%*d %d", &out->status) == 1) {
        size_t hlen = (size_t)(sep - buf);
        if (hlen >= sizeof out->head) hlen = sizeof out->head - 1;
        memcpy(out->head, buf, hlen);
        out->head[hlen] = '\0';
        out->body_len = len - (size_t)(sep + 4 - buf);
        out->body = malloc(out->body_len + 1);
        memcpy(out->body, sep + 4, out->body_len);
        out->body[out->body_len] = '\0';
    }
    free(buf);
}

static void resp_free(http_resp *r) {
    free(r->body);
    r->body = NULL;
}

/* The value of header name in r (case-insensitive), or NULL; static buffer. */
static const char *header(const http_resp *r, const char *name) {
    static __thread char val[1024];
    size_t nl = strlen(name);
    const char *p = strstr(r->head, "\r\n");
    while (p) {
        p += 2;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            p += nl + 1;
            while (*p == ' ') p++;
            const char *e = strstr(p, "\r\n");
            size_t l = e ? (size_t)(e - p) : strlen(p);
            if (l >= sizeof val) l = sizeof val - 1;
            memcpy(val, p, l);
            val[l] = '\0';
            return val;
        }
        p = strstr(p, "\r\n");
    }
    return NULL;
}

/* A whole request (head and body) in a malloc'd buffer; *total gets its size. */
static char *build_request_n(const char *method, const char *target, const char *headers,
                             const char *body, size_t body_len, size_t *total) {
    size_t cap = 1024 + strlen(target) + (headers ? strlen(headers) : 0) + body_len;
    char *req = malloc(cap);
    assert_non_null(req);
    int n = snprintf(req, cap, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%s",
                     method, target, headers ? headers : "");
    if (body) n += snprintf(req + n, cap - (size_t)n, "Content-Length: %zu\r\n", body_len);
    n += snprintf(req + n, cap - (size_t)n, "\r\n");
    if (body) memcpy(req + n, body, body_len);
    *total = (size_t)n + (body ? body_len : 0);
    req[*total] = '\0';
    return req;
}

static char *build_request(const char *method, const char *target, const char *headers,
                           const char *body, size_t body_len) {
    size_t total;
    return build_request_n(method, target, headers, body, body_len, &total);
}

static http_resp do_request_n(uint16_t port, const char *method, const char *target,
                              const char *headers, const char *body, size_t body_len) {
    http_resp r;
    int fd = connect_port(port);
    assert_true(fd >= 0);
    size_t total;
    char *req = build_request_n(method, target, headers, body, body_len, &total);
    send_all(fd, req, total);
    free(req);
    read_response(fd, &r, 5000);
    close(fd);
    return r;
}

static http_resp do_request(uint16_t port, const char *method, const char *target,
                            const char *headers, const char *body) {
    return do_request_n(port, method, target, headers, body, body ? strlen(body) : 0);
}

static http_resp post_json(uint16_t port, const char *accept, const char *body) {
    char headers[256];
    snprintf(headers, sizeof headers, "Content-Type: application/json\r\n%s%s%s",
             accept ? "Accept: " : "", accept ? accept : "", accept ? "\r\n" : "");
    return do_request(port, "POST", "/graphql", headers, body);
}

static http_resp get_with_accept(uint16_t port, const char *target, const char *accept) {
    char headers[256] = "";
    if (accept) snprintf(headers, sizeof headers, "Accept: %s\r\n", accept);
    return do_request(port, "GET", target, headers, NULL);
}

/* ---------------------------------------------------------- test handler */

#define MAX_WAITING 1024
static pthread_mutex_t wait_mu = PTHREAD_MUTEX_INITIALIZER;
static mm_http_responder *waiting[MAX_WAITING];
static int nwaiting;
static atomic_int cancels;
static atomic_int cancel_reason_seen;

static void on_cancel(void *arg, mm_http_responder *r, mm_http_cancel_reason reason) {
    (void)arg;
    (void)r;
    atomic_fetch_add(&cancels, 1);
    atomic_store(&cancel_reason_seen, (int)reason);
}

static void *answer_later(void *arg) {
    mm_http_responder *r = arg;
    usleep(50 * 1000);
    mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED,
                    json_pack("{s:{s:s}}", "data", "later", "from another thread"));
    return NULL;
}

static void handler(void *ud, const mm_http_graphql_request *req, mm_http_responder *r) {
    (void)ud;
    const char *q = req->query;
    if (strncmp(q, "mutation", 8) == 0) {
        if (req->is_get) {
            mm_http_respond_error(r, MM_HTTP_OUTCOME_MUTATION_OVER_GET, "mutations need POST");
            return;
        }
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED, json_pack("{s:{s:b}}", "data", "mutated", 1));
    } else if (strcmp(q, "{ hello }") == 0) {
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED,
                        json_pack("{s:{s:s}}", "data", "hello", "world"));
    } else if (strcmp(q, "echo") == 0) {
        json_t *d = json_pack("{s:O?,s:O?,s:s?,s:b,s:i}", "variables", req->variables, "extensions",
                              req->extensions, "operationName", req->operation_name, "isGet",
                              req->is_get, "media", (int)req->media);
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED, json_pack("{s:o}", "data", d));
    } else if (strcmp(q, "parse-error") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_PARSE_ERROR, "Syntax Error: Unexpected Name");
    } else if (strcmp(q, "validation-error") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_VALIDATION_ERROR, "Cannot query field");
    } else if (strcmp(q, "variables-error") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_VARIABLES_ERROR, "Variable $x got invalid value");
    } else if (strcmp(q, "operation-error") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_OPERATION_ERROR, "Unknown operation named \"X\"");
    } else if (strcmp(q, "bad-request") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_BAD_REQUEST, "unsupported extension");
    } else if (strcmp(q, "field-error") == 0) {
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED,
                        json_pack("{s:{s:n},s:[{s:s}]}", "data", "x", "errors", "message", "boom"));
    } else if (strcmp(q, "text") == 0) { /* already-written text goes out byte for byte */
        static const char body[] = "{\"data\":{\"n\":1e+21,\"s\":\"caf\u00e9\"}}";
        mm_http_respond_text(r, MM_HTTP_OUTCOME_EXECUTED, strdup(body), strlen(body), false);
    } else if (strcmp(q, "text-field-error") == 0) {
        static const char body[] = "{\"errors\":[{\"message\":\"boom\"}],\"data\":{\"x\":null}}";
        mm_http_respond_text(r, MM_HTTP_OUTCOME_EXECUTED, strdup(body), strlen(body), true);
    } else if (strcmp(q, "text-null") == 0) {
        mm_http_respond_text(r, MM_HTTP_OUTCOME_EXECUTED, NULL, 0, false);
    } else if (strcmp(q, "internal") == 0) {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_INTERNAL_ERROR, "engine failed");
    } else if (strcmp(q, "later") == 0) {
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, answer_later, r), 0);
        pthread_detach(t);
    } else if (strcmp(q, "wait") == 0) {
        mm_http_responder_on_cancel(r, on_cancel, NULL);
        pthread_mutex_lock(&wait_mu);
        assert_true(nwaiting < MAX_WAITING);
        waiting[nwaiting++] = r;
        pthread_mutex_unlock(&wait_mu);
    } else {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_VALIDATION_ERROR, "unknown test query");
    }
}

/* Answers every kept responder; returns how many said MM_ETIMEDOUT. */
static int answer_waiting(void) {
    pthread_mutex_lock(&wait_mu);
    int n = nwaiting, late = 0;
    mm_http_responder *list[MAX_WAITING];
    memcpy(list, waiting, sizeof(list[0]) * (size_t)n);
    nwaiting = 0;
    pthread_mutex_unlock(&wait_mu);
    for (int i = 0; i < n; i++)
        if (mm_http_respond(list[i], MM_HTTP_OUTCOME_EXECUTED,
                            json_pack("{s:{s:i}}", "data", "n", i)) == MM_ETIMEDOUT)
            late++;
    return late;
}

static int count_waiting(void) {
    pthread_mutex_lock(&wait_mu);
    int n = nwaiting;
    pthread_mutex_unlock(&wait_mu);
    return n;
}

static void wait_for_waiting(int n, int timeout_ms) {
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    while (count_waiting() < n && now_ms() < end) usleep(2000);
    assert_int_equal(count_waiting(), n);
}

static mm_http_server *start_server(mm_http_config *cfg) {
    mm_http_server *s = mm_http_server_new(cfg, handler, NULL);
    assert_non_null(s);
    assert_int_equal(mm_http_server_start(s), 0);
    assert_true(mm_http_server_port(s) > 0);
    return s;
}

static void base_config(mm_http_config *cfg) {
    mm_http_config_init(cfg);
    cfg->max_body_bytes = 4096;
    cfg->log_level = MM_LOG_WARN;
    cfg->graphiql_dir = ""; /* CDN page unless a test says otherwise */
}

static json_t *body_json(const http_resp *r) {
    json_error_t e;
    json_t *j = json_loadb(r->body ? r->body : "", r->body_len, 0, &e);
    assert_non_null(j);
    return j;
}

/* Asserts a GraphQL-style error body: {"errors":[{"message": "...<part>..."}]} */
static void assert_error_body(const http_resp *r, const char *part) {
    json_t *j = body_json(r);
    json_t *msg = json_object_get(json_array_get(json_object_get(j, "errors"), 0), "message");
    assert_true(json_is_string(msg));
    if (part && !strstr(json_string_value(msg), part))
        fail_msg("message \"%s\" lacks \"%s\"", json_string_value(msg), part);
    json_decref(j);
}

/* ---------------------------------------------------------------- tests */

static void test_parse_and_negotiate_units(void **state) {
    (void)state;
    assert_int_equal(mm_http_negotiate(NULL, 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("*/*", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("application/*", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("application/json", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("application/graphql-response+json", 1),
                     MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON);
    assert_int_equal(
        mm_http_negotiate("application/graphql-response+json, application/json;q=0.9", 1),
        MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON);
    assert_int_equal(
        mm_http_negotiate("application/graphql-response+json;q=0.5, application/json", 1),
        MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("application/json, application/graphql-response+json", 1),
                     MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON);
    assert_int_equal(mm_http_negotiate("application/json; charset=latin1", 1), MM_HTTP_MEDIA_NONE);
    assert_int_equal(mm_http_negotiate("application/json; charset=UTF-8", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("text/plain", 1), MM_HTTP_MEDIA_NONE);
    assert_int_equal(mm_http_negotiate("application/json;q=0", 1), MM_HTTP_MEDIA_NONE);
    assert_int_equal(mm_http_negotiate("*/*;q=0, application/graphql-response+json", 1),
                     MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON);
    const char *browser =
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
    assert_int_equal(mm_http_negotiate(browser, 1), MM_HTTP_MEDIA_HTML);
    assert_int_equal(mm_http_negotiate(browser, 0), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate("text/html;q=0.5, application/json", 1), MM_HTTP_MEDIA_JSON);
    assert_int_equal(mm_http_negotiate(",,;;/,q=,", 1), MM_HTTP_MEDIA_NONE);

    assert_true(mm_http_content_type_ok("application/json"));
    assert_true(mm_http_content_type_ok("Application/JSON; charset=\"utf-8\""));
    assert_false(mm_http_content_type_ok("application/json; charset=iso-8859-1"));
    assert_false(mm_http_content_type_ok("text/plain"));
    assert_false(mm_http_content_type_ok(NULL));

    assert_true(mm_http_utf8_valid("h\xc3\xa9llo \xf0\x9f\x98\x80", 11));
    assert_false(mm_http_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(mm_http_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(mm_http_utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
    assert_false(mm_http_utf8_valid("\xe2\x82", 2));         /* truncated */

    mm_http_graphql_request req;
    char err[256];
    mm_http_param ps[] = {{"query", "{ a }"}, {"variables", "{\"x\":1}"}, {"operationName", "Op"}};
    mm_http_raw_request raw = {.method = "GET", .params = ps, .param_count = 3};
    assert_int_equal(mm_http_request_parse(&raw, &req, err, sizeof err), 0);
    assert_string_equal(req.query, "{ a }");
    assert_string_equal(req.operation_name, "Op");
    assert_int_equal(json_integer_value(json_object_get(req.variables, "x")), 1);
    assert_int_equal(req.is_get, 1);
    mm_http_graphql_request_clear(&req);
    mm_http_param dup[] = {{"query", "{ a }"}, {"query", "{ b }"}};
    raw.params = dup;
    raw.param_count = 2;
    assert_int_equal(mm_http_request_parse(&raw, &req, err, sizeof err), 400);
    assert_non_null(strstr(err, "twice"));
    raw.method = "PUT";
    assert_int_equal(mm_http_request_parse(&raw, &req, err, sizeof err), 405);
    mm_http_raw_request post = {
        .method = "POST",
        .content_type = "application/json",
        .body =
            "{\"query\":\"q\",\"variables\":null,\"operationName\":null,\"extensions\":{\"a\":1}}"};
    post.body_len = strlen(post.body);
    assert_int_equal(mm_http_request_parse(&post, &req, err, sizeof err), 0);
    assert_null(req.variables);
    assert_null(req.operation_name);
    assert_non_null(req.extensions);
    assert_int_equal(req.is_get, 0);
    mm_http_graphql_request_clear(&req);

    for (int o = 0; o < MM_HTTP_OUTCOME_COUNT_; o++)
        assert_non_null(mm_http_outcome_name((mm_http_outcome)o));
}

static void test_post_and_media_types(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    const char *q = "{\"query\":\"{ hello }\"}";
    struct {
        const char *accept;
        const char *ctype;
    } cases[] = {
        {NULL, "application/json"},
        {"*/*", "application/json"},
        {"application/json", "application/json"},
        {"application/graphql-response+json", "application/graphql-response+json"},
        {"application/graphql-response+json, application/json;q=0.9",
         "application/graphql-response+json"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_resp r = post_json(port, cases[i].accept, q);
        assert_int_equal(r.status, 200);
        assert_non_null(header(&r, "Content-Type"));
        assert_non_null(strstr(header(&r, "Content-Type"), cases[i].ctype));
        if (strcmp(cases[i].ctype, "application/json") == 0)
            assert_null(strstr(header(&r, "Content-Type"), "graphql-response"));
        json_t *j = body_json(&r);
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "data"), "hello")),
                            "world");
        json_decref(j);
        resp_free(&r);
    }
    /* All four request parameters arrive intact. */
    http_resp r = post_json(
        port, "application/graphql-response+json",
        "{\"query\":\"echo\",\"operationName\":\"Op\",\"variables\":{\"a\":[1,\"\xc3\xa9\"]},"
        "\"extensions\":{\"persisted\":true}}");
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    json_t *d = json_object_get(j, "data");
    assert_string_equal(json_string_value(json_object_get(d, "operationName")), "Op");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(json_object_get(d, "variables"), "a"), 1)),
        "\xc3\xa9");
    assert_true(json_is_true(json_object_get(json_object_get(d, "extensions"), "persisted")));
    assert_true(json_is_false(json_object_get(d, "isGet")));
    assert_int_equal(json_integer_value(json_object_get(d, "media")),
                     MM_HTTP_MEDIA_GRAPHQL_RESPONSE_JSON);
    json_decref(j);
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_get_requests(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    http_resp r = get_with_accept(port, "/graphql?query=%7B%20hello%20%7D", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "world"));
    resp_free(&r);
    /* Form encoding (URLSearchParams): '+' is a space. */
    r = get_with_accept(port, "/graphql?query=%7B+hello+%7D", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "world"));
    resp_free(&r);
    r = get_with_accept(
        port, "/graphql?query=echo&operationName=Op&variables=%7B%22x%22%3A1%7D&extensions=%7B%7D",
        "application/graphql-response+json");
    assert_int_equal(r.status, 200);
    json_t *j = body_json(&r);
    json_t *d = json_object_get(j, "data");
    assert_true(json_is_true(json_object_get(d, "isGet")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(d, "variables"), "x")), 1);
    assert_string_equal(json_string_value(json_object_get(d, "operationName")), "Op");
    json_decref(j);
    resp_free(&r);
    /* Malformed GET parameters: 400 under both media types. */
    const char *bad[] = {"/graphql",
                         "/graphql?variables=%7B%7D",
                         "/graphql?query=echo&variables=%7Bnot-json",
                         "/graphql?query=echo&variables=%5B1%5D",
                         "/graphql?query=echo&extensions=42",
                         "/graphql?query=%FF%FE",
                         "/graphql?query=a&query=b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (int m = 0; m < 2; m++) {
            r = get_with_accept(port, bad[i],
                                m ? "application/graphql-response+json" : "application/json");
            if (r.status != 400) fail_msg("%s: status %d", bad[i], r.status);
            assert_error_body(&r, NULL);
            resp_free(&r);
        }
    }
    /* Mutations over GET: 405 with Allow: POST, for both media types; POST works. */
    for (int m = 0; m < 2; m++) {
        r = get_with_accept(port, "/graphql?query=mutation%20%7B%20x%20%7D",
                            m ? "application/graphql-response+json" : "application/json");
        assert_int_equal(r.status, 405);
        assert_string_equal(header(&r, "Allow"), "POST");
        assert_error_body(&r, "POST");
        resp_free(&r);
    }
    r = post_json(port, "application/graphql-response+json", "{\"query\":\"mutation { x }\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_status_codes_per_media_type(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    struct {
        const char *query;
        int modern;
        int legacy;
    } cases[] = {
        {"parse-error", 400, 200},     {"validation-error", 400, 200},
        {"variables-error", 400, 200}, {"operation-error", 400, 200},
        {"bad-request", 400, 400},     {"field-error", 200, 200},
        {"internal", 500, 500},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"query\":\"%s\"}", cases[i].query);
        http_resp r = post_json(port, "application/graphql-response+json", body);
        if (r.status != cases[i].modern) fail_msg("%s modern: %d", cases[i].query, r.status);
        assert_error_body(&r, NULL);
        resp_free(&r);
        r = post_json(port, "application/json", body);
        if (r.status != cases[i].legacy) fail_msg("%s legacy: %d", cases[i].query, r.status);
        assert_error_body(&r, NULL);
        resp_free(&r);
    }
    mm_http_server_free(s);
}

static void test_malformed_posts(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    struct {
        const char *body;
        const char *msg;
    } cases[] = {
        {"{\"query\":", "not valid JSON"},
        {"[1,2]", "JSON object"},
        {"\"query\"", "JSON object"},
        {"{}", "missing"},
        {"{\"query\":null}", "missing"},
        {"{\"query\":42}", "must be a string"},
        {"{\"query\":{}}", "must be a string"},
        {"{\"query\":\"{ hello }\",\"operationName\":7}", "operationName"},
        {"{\"query\":\"{ hello }\",\"variables\":\"{}\"}", "variables"},
        {"{\"query\":\"{ hello }\",\"variables\":[1]}", "variables"},
        {"{\"query\":\"{ hello }\",\"extensions\":true}", "extensions"},
        {"{\"query\":\"\xff\xfe\"}", "UTF-8"},
        {"{\"query\":\"\xc0\xaf\"}", "UTF-8"},
        {"{\"query\":\"a\",\"query\":\"b\"}", "JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        for (int m = 0; m < 2; m++) {
            http_resp r =
                post_json(port, m ? "application/graphql-response+json" : NULL, cases[i].body);
            if (r.status != 400) fail_msg("body %s: status %d", cases[i].body, r.status);
            assert_error_body(&r, cases[i].msg);
            resp_free(&r);
        }
    }
    http_resp r = do_request(port, "POST", "/graphql", "Content-Type: application/json\r\n", "");
    assert_int_equal(r.status, 400);
    assert_error_body(&r, "empty");
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_method_accept_content_type_errors(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    const char *methods[] = {"PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < 4; i++) {
        http_resp r = do_request(port, methods[i], "/graphql", NULL, NULL);
        assert_int_equal(r.status, 405);
        assert_string_equal(header(&r, "Allow"), "GET, POST");
        assert_error_body(&r, NULL);
        resp_free(&r);
    }
    const char *accepts[] = {"text/plain", "application/xml", "application/json;q=0",
                             "application/json; charset=latin1"};
    for (size_t i = 0; i < 4; i++) {
        http_resp r = post_json(port, accepts[i], "{\"query\":\"{ hello }\"}");
        assert_int_equal(r.status, 406);
        assert_error_body(&r, "Accept");
        resp_free(&r);
    }
    const char *ctypes[] = {"Content-Type: text/plain\r\n",
                            "Content-Type: application/x-www-form-urlencoded\r\n",
                            "Content-Type: application/json; charset=latin1\r\n", ""};
    for (size_t i = 0; i < 4; i++) {
        http_resp r = do_request(port, "POST", "/graphql", ctypes[i], "{\"query\":\"{ hello }\"}");
        assert_int_equal(r.status, 415);
        assert_error_body(&r, "Content-Type");
        resp_free(&r);
    }
    http_resp r = do_request(port, "GET", "/nope", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    r = do_request(port, "POST", "/healthz", NULL, NULL);
    assert_int_equal(r.status, 405);
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_oversize_body_and_headers(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.max_header_bytes = 8192;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    /* Within the limit (4096): fine. */
    char *big = malloc(20000);
    int n = snprintf(big, 20000, "{\"query\":\"{ hello }\",\"extensions\":{\"pad\":\"");
    memset(big + n, 'x', 3900 - (size_t)n);
    strcpy(big + 3900, "\"}}");
    http_resp r = post_json(port, NULL, big);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* Declared too large: 413 before the body is read. */
    memset(big + n, 'x', 15000 - (size_t)n);
    strcpy(big + 15000, "\"}}");
    r = post_json(port, "application/graphql-response+json", big);
    assert_int_equal(r.status, 413);
    assert_error_body(&r, "too large");
    resp_free(&r);
    /* Chunked, no length up front: 413 once it passes the limit. */
    int fd = connect_port(port);
    const char *head = "POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
                       "application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    send_all(fd, head, strlen(head));
    char chunk[1100];
    for (int i = 0; i < 6; i++) {
        int h = snprintf(chunk, sizeof chunk, "400\r\n");
        memset(chunk + h, 'y', 1024);
        memcpy(chunk + h + 1024, "\r\n", 2);
        send_all(fd, chunk, (size_t)h + 1026);
    }
    send_all(fd, "0\r\n\r\n", 5);
    read_response(fd, &r, 5000);
    close(fd);
    assert_int_equal(r.status, 413);
    resp_free(&r);
    /* Headers past the per-connection memory: a 4xx, never a crash. */
    char *hdr = malloc(20000);
    strcpy(hdr, "X-Big: ");
    memset(hdr + 7, 'h', 12000);
    strcpy(hdr + 12007, "\r\n");
    r = do_request(port, "GET", "/graphql?query=%7B%20hello%20%7D", hdr, NULL);
    assert_int_equal(r.status, 431);
    resp_free(&r);
    free(hdr);
    free(big);
    /* And the server still serves. */
    r = get_with_accept(port, "/graphql?query=%7B%20hello%20%7D", NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    mm_http_server_free(s);
}

/* Sends raw bytes on a fresh connection and reads until the server closes
 * (or 5 s pass). Returns the status of the first answer (-1: none); *closed
 * says whether the server closed; *answers counts the status lines. */
static int raw_exchange(uint16_t port, const char *raw, size_t len, int *closed, int *answers,
                        char *body_out, size_t body_size) {
    int fd = connect_port(port);
    assert_true(fd >= 0);
    send_all(fd, raw, len);
    char *buf = malloc(65536);
    assert_non_null(buf);
    size_t got = 0;
    *closed = 0;
    uint64_t end = now_ms() + 5000;
    while (now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t n = recv(fd, buf + got, 65535 - got, 0);
        if (n <= 0) {
            *closed = 1;
            break;
        }
        got += (size_t)n;
        if (got >= 65535) break;
    }
    buf[got] = '\0';
    close(fd);
    int status = -1;
    sscanf(buf, "HTTP/1.1 %d", &status);
    *answers = 0;
    for (char *at = buf; (at = strstr(at, "HTTP/1.1 ")) != NULL; at++) {
        int code;
        char sp;
        if (sscanf(at + 9, "%3d%c", &code, &sp) == 2 && sp == ' ') (*answers)++; /* a status line */
    }
    if (body_out && body_size) {
        char *sep = strstr(buf, "\r\n\r\n");
        snprintf(body_out, body_size, "%s", sep ? sep + 4 : "");
    }
    free(buf);
    return status;
}

/* RFC 9112 framing: each ambiguous or unsupported framing gets its status,
 * one answer only (nothing smuggled behind it is served), and a close. */
static void test_malformed_framing(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.max_header_bytes = 8192;
    cfg.max_url_bytes = 4096;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    const char *q = "{\"query\":\"{ hello }\"}";
    static const char smuggled[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    struct {
        const char *name;
        const char *head; /* then the body and a smuggled request */
        const char *tail;
        int status;
    } cases[] = {
        {"CL with TE",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
         "21\r\n"
         "Transfer-Encoding: chunked\r\n\r\n15\r\n",
         "\r\n0\r\n\r\n", 400},
        {"TE with CL",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/json\r\nTransfer-Encoding: chunked\r\n"
         "Content-Length: 21\r\n\r\n",
         "", 400},
        {"CL 26, 26",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
         "26, 26\r\n\r\n",
         "", 400},
        {"CL -1",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
         "-1\r\n\r\n",
         "", 400},
        {"two CLs",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
         "21\r\n"
         "Content-Length: 5\r\n\r\n",
         "", 400},
        {"TE gzip",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/json\r\nTransfer-Encoding: gzip\r\n\r\n",
         "", 501},
        {"TE unknown on GET",
         "GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: bogus\r\n\r\n", "", 501},
        {"bare LF", "GET /healthz HTTP/1.1\nHost: x\n\n", "", 400},
        {"obs-fold", "GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n", "", 400},
        {"no Host", "GET /healthz HTTP/1.1\r\n\r\n", "", 400},
        {"HTTP/2.0", "GET /healthz HTTP/2.0\r\nHost: x\r\n\r\n", "", 505},
        {"bad chunk",
         "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
         "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
         "zz\r\n",
         "", 400},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char raw[2048];
        int n = snprintf(raw, sizeof raw, "%s%s%s%s", cases[i].head, q, smuggled, cases[i].tail);
        int closed, answers;
        int st = raw_exchange(port, raw, (size_t)n, &closed, &answers, NULL, 0);
        if (st != cases[i].status || !closed || answers != 1)
            fail_msg("%s: status %d (want %d), closed %d, answers %d", cases[i].name, st,
                     cases[i].status, closed, answers);
    }
    /* 414: a URL past max_url_bytes is answered, not left hanging. */
    char *raw = malloc(12000);
    assert_non_null(raw);
    strcpy(raw, "GET /healthz?");
    size_t at = strlen(raw);
    memset(raw + at, 'a', 6000);
    strcpy(raw + at + 6000, " HTTP/1.1\r\nHost: x\r\n\r\n");
    int closed, answers;
    assert_int_equal(raw_exchange(port, raw, strlen(raw), &closed, &answers, NULL, 0), 414);
    assert_true(closed);
    /* ...also when the line never ends. */
    assert_int_equal(raw_exchange(port, raw, at + 5000, &closed, &answers, NULL, 0), 414);
    assert_true(closed);
    /* 431: header fields past max_header_bytes, complete or not. */
    strcpy(raw, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ");
    at = strlen(raw);
    memset(raw + at, 'b', 9000);
    strcpy(raw + at + 9000, "\r\n\r\n");
    assert_int_equal(raw_exchange(port, raw, strlen(raw), &closed, &answers, NULL, 0), 431);
    assert_true(closed);
    assert_int_equal(raw_exchange(port, raw, at + 9000, &closed, &answers, NULL, 0), 431);
    assert_true(closed);
    /* A GET with 500 query parameters (a ~3.5 KB URL) is answered at once. */
    strcpy(raw, "GET /healthz?");
    for (int i = 0; i < 500; i++) sprintf(raw + strlen(raw), "%sp%d=1", i ? "&" : "", i);
    size_t url = strlen(raw) - 4;
    assert_true(url > 3000);
    strcat(raw, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    uint64_t t0 = now_ms();
    assert_int_equal(raw_exchange(port, raw, strlen(raw), &closed, &answers, NULL, 0), 200);
    assert_true(now_ms() - t0 < 1000);
    char *g = malloc(12000);
    assert_non_null(g);
    snprintf(g, 12000, "GET /graphql?query=%%7B%%20hello%%20%%7D&%s",
             raw + strlen("GET /healthz?"));
    assert_int_equal(raw_exchange(port, g, strlen(g), &closed, &answers, NULL, 0), 200);
    free(g);
    free(raw);
    /* 413 for a chunked body over the limit, from the declared chunk size. */
    const char *big = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      "100000\r\n";
    assert_int_equal(raw_exchange(port, big, strlen(big), &closed, &answers, NULL, 0), 413);
    assert_true(closed);
    /* A well-formed chunked request with a trailer is served, and keep-alive goes on. */
    char body[512];
    const char *chunked =
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: "
        "chunked\r\n\r\n"
        "9;x=1\r\n{\"query\":\r\nb\r\n\"{ hello }\"\r\n1\r\n}\r\n0\r\nX-T: 1\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_int_equal(
        raw_exchange(port, chunked, strlen(chunked), &closed, &answers, body, sizeof body), 200);
    assert_int_equal(answers, 2);
    assert_non_null(strstr(body, "world"));
    /* Expect: 100-continue gets its interim answer. */
    const char *expect =
        "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        "21\r\n"
        "Expect: 100-continue\r\nConnection: close\r\n\r\n{\"query\":\"{ hello }\"}";
    assert_int_equal(
        raw_exchange(port, expect, strlen(expect), &closed, &answers, body, sizeof body), 100);
    assert_int_equal(answers, 2);
    /* The server still serves. */
    http_resp r = get_with_accept(port, "/graphql?query=%7B%20hello%20%7D", NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    mm_http_server_free(s);
}

/* A client that leaves while its request waits: the cancel callback fires
 * (reason CLIENT_GONE) so the engine can stop, and the late answer is dropped. */
static void test_client_disconnect_cancels(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    atomic_store(&cancels, 0);
    atomic_store(&cancel_reason_seen, 0);
    int fd = connect_port(port);
    const char *b = "{\"query\":\"wait\"}";
    char req[256];
    snprintf(req, sizeof req,
             "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
             "application/json\r\nContent-Length: %zu\r\n\r\n%s",
             strlen(b), b);
    send_all(fd, req, strlen(req));
    wait_for_waiting(1, 3000);
    close(fd);
    uint64_t end = now_ms() + 3000;
    while (atomic_load(&cancels) < 1 && now_ms() < end) usleep(2000);
    assert_int_equal(atomic_load(&cancels), 1);
    assert_int_equal(atomic_load(&cancel_reason_seen), MM_HTTP_CANCEL_CLIENT_GONE);
    assert_int_equal(answer_waiting(), 1); /* the handler's answer comes too late: MM_ETIMEDOUT */
    mm_http_server_free(s);
}

/* Connection limits: past them a clear 503 and a close; keep-alive ends
 * after max_requests_per_connection answers. */
static void test_connection_limits(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.threads = 1;
    cfg.max_connections = 3;
    cfg.max_requests_per_connection = 2;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    int held[3];
    for (int i = 0; i < 3; i++) held[i] = connect_port(port);
    usleep(100 * 1000);
    int closed, answers;
    char body[512];
    const char *hz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_exchange(port, hz, strlen(hz), &closed, &answers, body, sizeof body), 503);
    assert_true(closed);
    assert_non_null(strstr(body, "too many connections"));
    for (int i = 0; i < 3; i++) close(held[i]);
    usleep(100 * 1000);
    /* Keep-alive limit: the second answer says close, and the connection ends. */
    const char *two =
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(raw_exchange(port, two, strlen(two), &closed, &answers, NULL, 0), 200);
    assert_int_equal(answers, 2);
    assert_true(closed);
    mm_http_server_free(s);

    base_config(&cfg);
    cfg.max_connections_per_ip = 2;
    s = start_server(&cfg);
    port = mm_http_server_port(s);
    held[0] = connect_port(port);
    held[1] = connect_port(port);
    usleep(100 * 1000);
    assert_int_equal(raw_exchange(port, hz, strlen(hz), &closed, &answers, body, sizeof body), 503);
    assert_non_null(strstr(body, "from this client"));
    close(held[0]);
    close(held[1]);
    usleep(100 * 1000);
    assert_int_equal(raw_exchange(port,
                                  "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                  54, &closed, &answers, NULL, 0),
                     200);
    mm_http_server_free(s);
}

/* The loops are reachable: a function posted to each runs on its thread. */
static atomic_int posted_runs;
static void posted(void *ud) {
    (void)ud;
    atomic_fetch_add(&posted_runs, 1);
}
static atomic_int hook_starts, hook_stops;
static void on_loop_start(void *ud, unsigned i, struct uv_loop_s *loop) {
    (void)ud;
    (void)i;
    assert_non_null(loop);
    atomic_fetch_add(&hook_starts, 1);
}
static void on_loop_stop(void *ud, unsigned i, struct uv_loop_s *loop) {
    (void)ud;
    (void)i;
    assert_non_null(loop);
    atomic_fetch_add(&hook_stops, 1);
}

static void test_loop_access(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.threads = 3;
    cfg.loop_start = on_loop_start;
    cfg.loop_stop = on_loop_stop;
    atomic_store(&posted_runs, 0);
    atomic_store(&hook_starts, 0);
    atomic_store(&hook_stops, 0);
    mm_http_server *s = start_server(&cfg);
    assert_int_equal(mm_http_server_loop_count(s), 3);
    for (unsigned i = 0; i < 3; i++) {
        assert_non_null(mm_http_server_loop(s, i));
        assert_int_equal(mm_http_server_post(s, i, posted, NULL), 0);
    }
    assert_null(mm_http_server_loop(s, 3));
    assert_int_equal(mm_http_server_post(s, 3, posted, NULL), MM_EINVAL);
    uint64_t end = now_ms() + 3000;
    while (atomic_load(&posted_runs) < 3 && now_ms() < end) usleep(1000);
    assert_int_equal(atomic_load(&posted_runs), 3);
    mm_http_server_stop(s, 1000);
    assert_int_equal(atomic_load(&hook_starts), 3);
    assert_int_equal(atomic_load(&hook_stops), 3);
    assert_int_equal(mm_http_server_post(s, 0, posted, NULL), MM_EINVAL);
    mm_http_server_free(s);
}

/* A function posted from a posted function runs without a wake-up of its
 * own (the loop takes its queue again before it sleeps): a chain of posts
 * from the loop thread all run, in order. One that keeps posting itself
 * does not starve the loop: requests on it are still answered meanwhile. */
static atomic_int chain_runs, spin_runs, spin_stop;
static mm_http_server *post_server;
static void chain(void *ud) {
    int step = (int)(intptr_t)ud;
    assert_int_equal(atomic_fetch_add(&chain_runs, 1), step); /* in order */
    if (step < 9)
        assert_int_equal(mm_http_server_post(post_server, 0, chain, (void *)(intptr_t)(step + 1)),
                         0);
}
static void spin(void *ud) {
    (void)ud;
    /* Bounded: stops by itself after ~10 million rounds. */
    if (atomic_fetch_add(&spin_runs, 1) < 10000000 && !atomic_load(&spin_stop))
        assert_int_equal(mm_http_server_post(post_server, 0, spin, NULL), 0);
}

static void test_posts_from_the_loop(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.threads = 1;
    mm_http_server *s = start_server(&cfg);
    post_server = s;
    atomic_store(&chain_runs, 0);
    assert_int_equal(mm_http_server_post(s, 0, chain, (void *)(intptr_t)0), 0);
    uint64_t end = now_ms() + 3000;
    while (atomic_load(&chain_runs) < 10 && now_ms() < end) usleep(1000);
    assert_int_equal(atomic_load(&chain_runs), 10);

    atomic_store(&spin_runs, 0);
    atomic_store(&spin_stop, 0);
    assert_int_equal(mm_http_server_post(s, 0, spin, NULL), 0);
    end = now_ms() + 3000;
    while (atomic_load(&spin_runs) < 1000 && now_ms() < end) usleep(1000);
    assert_true(atomic_load(&spin_runs) >= 1000);
    http_resp r = do_request(mm_http_server_port(s), "GET", "/healthz", NULL, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_true(atomic_load(&spin_runs) < 10000000); /* answered while it spun */
    atomic_store(&spin_stop, 1);
    mm_http_server_stop(s, 1000);
    mm_http_server_free(s);
    post_server = NULL;
}

static void test_graphiql_page(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.graphql_path = "/api/graphql";
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    const char *browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    http_resp r = get_with_accept(port, "/api/graphql", browser);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(header(&r, "Content-Type"), "text/html"));
    assert_non_null(strstr(r.body, "\"/api/graphql\""));
    assert_non_null(
        strstr(r.body, "https://unpkg.com/graphiql@3.9.0/graphiql.min.js")); /* no assets: CDN */
    assert_non_null(strstr(r.body, "react-dom.production.min.js"));
    assert_null(strstr(r.body, "{{"));
    resp_free(&r);
    /* A JSON client at the same URL still gets GraphQL. */
    r = get_with_accept(port, "/api/graphql?query=%7B%20hello%20%7D", "application/json");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "world"));
    resp_free(&r);
    r = do_request(port, "GET", "/graphiql/graphiql.min.js", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    mm_http_server_free(s);

    /* With an asset directory: served locally, and the page points there. */
    char dir[] = "/tmp/mm-graphiql-XXXXXX";
    assert_non_null(mkdtemp(dir));
    const char *names[] = {"graphiql.min.js", "graphiql.min.css", "react.production.min.js",
                           "react-dom.production.min.js"};
    char path[512];
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fprintf(f, "/* %s */", names[i]);
        fclose(f);
    }
    base_config(&cfg);
    cfg.graphiql_dir = dir;
    s = start_server(&cfg);
    port = mm_http_server_port(s);
    r = get_with_accept(port, "/graphql", browser);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "src=\"/graphiql/graphiql.min.js\""));
    assert_null(strstr(r.body, "unpkg"));
    resp_free(&r);
    r = do_request(port, "GET", "/graphiql/graphiql.min.css", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(header(&r, "Content-Type"), "text/css"));
    assert_string_equal(r.body, "/* graphiql.min.css */");
    resp_free(&r);
    r = do_request(port, "GET", "/graphiql/../../etc/passwd", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    mm_http_server_free(s);
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

static atomic_int ready_flag;
static int ready_fn(void *ud, char *reason, size_t size) {
    (void)ud;
    if (atomic_load(&ready_flag)) return 1;
    snprintf(reason, size, "kafka producer not connected");
    return 0;
}

/* mm_http_respond_text: the handler's text is the body, unchanged (the
 * engine writes numbers and escapes as graphql-js does); NULL is {}. */
static void test_respond_text(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    http_resp r = post_json(port, NULL, "{\"query\":\"text\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"data\":{\"n\":1e+21,\"s\":\"caf\u00e9\"}}");
    resp_free(&r);
    r = post_json(port, "application/graphql-response+json", "{\"query\":\"text-field-error\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"errors\":[{\"message\":\"boom\"}],\"data\":{\"x\":null}}");
    resp_free(&r);
    r = post_json(port, NULL, "{\"query\":\"text-null\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{}");
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_health_ready_metrics(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.ready_fn = ready_fn;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    http_resp r = do_request(port, "GET", "/healthz", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "ok\n");
    resp_free(&r);
    atomic_store(&ready_flag, 0);
    r = do_request(port, "GET", "/readyz", NULL, NULL);
    assert_int_equal(r.status, 503);
    assert_non_null(strstr(r.body, "kafka producer not connected"));
    resp_free(&r);
    atomic_store(&ready_flag, 1);
    r = do_request(port, "GET", "/readyz", NULL, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    r = post_json(port, "application/graphql-response+json", "{\"query\":\"validation-error\"}");
    resp_free(&r);
    r = post_json(port, NULL, "{\"query\":\"field-error\"}");
    resp_free(&r);
    r = post_json(port, NULL, "{\"query\":\"text-field-error\"}"); /* counted from its flag */
    resp_free(&r);
    r = post_json(port, NULL, "{\"query\":");
    resp_free(&r);
    r = do_request(port, "GET", "/metrics", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(header(&r, "Content-Type"), "text/plain; version=0.0.4"));
    const char *expect[] = {
        "mm_http_requests_total{method=\"GET\",status=\"200\",outcome=\"ok\"} 2\n",
        "mm_http_requests_total{method=\"GET\",status=\"503\",outcome=\"server_error\"} 1\n",
        "mm_http_requests_total{method=\"POST\",status=\"400\",outcome=\"graphql_error\"} 1\n",
        "mm_http_requests_total{method=\"POST\",status=\"200\",outcome=\"field_errors\"} 2\n",
        "mm_http_requests_total{method=\"POST\",status=\"400\",outcome=\"http_error\"} 1\n",
        "mm_graphql_errors_total{kind=\"validation\"} 1\n",
        "mm_graphql_errors_total{kind=\"execution\"} 2\n",
        "mm_graphql_errors_total{kind=\"http_request\"} 1\n",
        "mm_http_request_duration_seconds_count 7\n",
        "mm_http_request_duration_seconds_bucket{le=\"+Inf\"} 7\n",
        "mm_http_requests_in_flight 1\n",
        "mm_http_requests_waiting 0\n",
        "# TYPE mm_http_request_duration_seconds histogram\n",
    };
    for (size_t i = 0; i < sizeof expect / sizeof expect[0]; i++)
        if (!strstr(r.body, expect[i])) fail_msg("metrics lack: %s\n%s", expect[i], r.body);
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_cors(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.cors_origins = "https://app.example, https://other.example";
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    http_resp r =
        do_request(port, "OPTIONS", "/graphql",
                   "Origin: https://app.example\r\nAccess-Control-Request-Method: POST\r\n"
                   "Access-Control-Request-Headers: content-type\r\n",
                   NULL);
    assert_int_equal(r.status, 204);
    assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "https://app.example");
    assert_non_null(strstr(header(&r, "Access-Control-Allow-Methods"), "POST"));
    assert_string_equal(header(&r, "Access-Control-Allow-Headers"), "content-type");
    resp_free(&r);
    r = do_request(port, "POST", "/graphql",
                   "Origin: https://other.example\r\nContent-Type: application/json\r\n",
                   "{\"query\":\"{ hello }\"}");
    assert_int_equal(r.status, 200);
    assert_string_equal(header(&r, "Access-Control-Allow-Origin"), "https://other.example");
    resp_free(&r);
    r = do_request(port, "POST", "/graphql",
                   "Origin: https://evil.example\r\nContent-Type: application/json\r\n",
                   "{\"query\":\"{ hello }\"}");
    assert_int_equal(r.status, 200);
    assert_null(header(&r, "Access-Control-Allow-Origin"));
    resp_free(&r);
    mm_http_server_free(s);
    /* Off by default: no CORS headers, OPTIONS is a 405. */
    base_config(&cfg);
    s = start_server(&cfg);
    port = mm_http_server_port(s);
    r = do_request(port, "POST", "/graphql",
                   "Origin: https://app.example\r\nContent-Type: application/json\r\n",
                   "{\"query\":\"{ hello }\"}");
    assert_null(header(&r, "Access-Control-Allow-Origin"));
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_answer_from_another_thread(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    http_resp r = post_json(mm_http_server_port(s), "application/graphql-response+json",
                            "{\"query\":\"later\"}");
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "from another thread"));
    resp_free(&r);
    mm_http_server_free(s);
}

/* Reads one response with a Content-Length body from a kept-alive connection. */
static void read_one_response(int fd, http_resp *out) {
    memset(out, 0, sizeof *out);
    out->status = -1;
    char buf[65536];
    size_t len = 0;
    char *sep = NULL;
    size_t want = 0;
    uint64_t end = now_ms() + 5000;
    while (now_ms() < end) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0) continue;
        ssize_t n = recv(fd, buf + len, sizeof buf - len - 1, 0);
        if (n <= 0) break;
        len += (size_t)n;
        buf[len] = '\0';
        if (!sep && (sep = strstr(buf, "\r\n\r\n"))) {
            const char *cl = strstr(buf, "\r\nContent-Length:");
            assert_non_null(cl);
            want = (size_t)(sep + 4 - buf) + strtoul(cl + 17, NULL, 10);
        }
        if (sep && len >= want) break;
    }
    assert_non_null(sep);
    assert_true(len == want);
    sscanf(buf, "HTTP/1.1 %d", &out->status);
    size_t hlen = (size_t)(sep - buf);
    memcpy(out->head, buf, hlen);
    out->head[hlen] = '\0';
    out->body_len = len - hlen - 4;
    out->body = malloc(out->body_len + 1);
    memcpy(out->body, sep + 4, out->body_len);
    out->body[out->body_len] = '\0';
}

static void test_keep_alive_and_thread_counts(void **state) {
    (void)state;
    unsigned counts[] = {1, 4};
    for (int c = 0; c < 2; c++) {
        mm_http_config cfg;
        base_config(&cfg);
        cfg.threads = counts[c];
        mm_http_server *s = start_server(&cfg);
        int fd = connect_port(mm_http_server_port(s));
        const char *bodies[] = {"{\"query\":\"later\"}", "{\"query\":\"{ hello }\"}",
                                "{\"query\":\"later\"}"};
        for (int i = 0; i < 3; i++) {
            char req[512];
            snprintf(req, sizeof req,
                     "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                     "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                     strlen(bodies[i]), bodies[i]);
            send_all(fd, req, strlen(req));
            http_resp r;
            read_one_response(fd, &r);
            assert_int_equal(r.status, 200);
            assert_non_null(strstr(r.body, i == 1 ? "world" : "from another thread"));
            resp_free(&r);
        }
        close(fd);
        mm_http_server_free(s);
    }
}

static void test_deadline_timeout(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.request_timeout_ms = 300;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    atomic_store(&cancels, 0);
    uint64_t t0 = now_ms();
    http_resp r = post_json(port, "application/graphql-response+json", "{\"query\":\"wait\"}");
    uint64_t took = now_ms() - t0;
    assert_int_equal(r.status, 504);
    assert_error_body(&r, "deadline");
    assert_non_null(strstr(r.body, "TIMEOUT"));
    assert_true(took >= 280 && took < 2000);
    resp_free(&r);
    /* The callback runs right after the server answered; the client may read
     * the 504 first, so give it a moment (this failed under load in CI). */
    for (uint64_t end = now_ms() + 2000; atomic_load(&cancels) == 0 && now_ms() < end;)
        usleep(1000);
    assert_int_equal(atomic_load(&cancels), 1);
    assert_int_equal(atomic_load(&cancel_reason_seen), MM_HTTP_CANCEL_DEADLINE);
    /* The handler's late answer is refused safely (no use-after-free: ASan). */
    assert_int_equal(answer_waiting(), 1);
    /* The race: answers arriving right at the deadline. */
    for (int i = 0; i < 5; i++) {
        int fd = connect_port(port);
        char *req = build_request("POST", "/graphql", "Content-Type: application/json\r\n",
                                  "{\"query\":\"wait\"}", 16);
        send_all(fd, req, strlen(req));
        free(req);
        wait_for_waiting(1, 2000);
        usleep(295 * 1000);
        answer_waiting();
        read_response(fd, &r, 3000);
        close(fd);
        assert_true(r.status == 200 || r.status == 504);
        resp_free(&r);
    }
    mm_http_server_free(s);
}

/* A waiting request outlives the idle-connection timeout: only its own
 * deadline ends it (a synchronous mutation may wait longer than an idle
 * client is allowed to). */
static void test_waiting_outlives_connection_timeout(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.connection_timeout_s = 1;
    cfg.request_timeout_ms = 5000;
    mm_http_server *s = start_server(&cfg);
    int fd = connect_port(mm_http_server_port(s));
    char *req = build_request("POST", "/graphql", "Content-Type: application/json\r\n",
                              "{\"query\":\"wait\"}", 16);
    send_all(fd, req, strlen(req));
    free(req);
    wait_for_waiting(1, 2000);
    usleep(2500 * 1000); /* well past the 1 s connection timeout */
    assert_int_equal(answer_waiting(), 0);
    http_resp r;
    read_response(fd, &r, 3000);
    close(fd);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"n\":0"));
    resp_free(&r);
    mm_http_server_free(s);
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* How long from mm_http_respond() on another thread to the client holding
 * the answer: the wake-up cost a synchronous mutation pays on top of Kafka
 * and Redis. Measured on one kept-alive connection. */
static void test_resume_latency(void **state) {
    (void)state;
    enum {
        N = 200
    };
    mm_http_config cfg;
    base_config(&cfg);
    mm_http_server *s = start_server(&cfg);
    int fd = connect_port(mm_http_server_port(s));
    uint64_t lat_us[N];
    const char *req = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                      "application/json\r\nContent-Length: 16\r\n\r\n"
                      "{\"query\":\"wait\"}";
    for (int i = 0; i < N; i++) {
        send_all(fd, req, strlen(req));
        while (count_waiting() < 1) usleep(100);
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        assert_int_equal(answer_waiting(), 0);
        http_resp r;
        read_one_response(fd, &r);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_int_equal(r.status, 200);
        resp_free(&r);
        lat_us[i] =
            (uint64_t)(b.tv_sec - a.tv_sec) * 1000000u + (uint64_t)((b.tv_nsec - a.tv_nsec) / 1000);
    }
    close(fd);
    qsort(lat_us, N, sizeof lat_us[0], cmp_u64);
    print_message(
        "respond-to-client latency over %d waits: p50 %llu us, p99 %llu us, max %llu us\n", N,
        (unsigned long long)lat_us[N / 2], (unsigned long long)lat_us[N * 99 / 100],
        (unsigned long long)lat_us[N - 1]);
    assert_true(lat_us[N / 2] < 20000);
    mm_http_server_free(s);
}

static void test_300_waiting_do_not_starve_others(void **state) {
    (void)state;
    enum {
        N = 300
    };
    mm_http_config cfg;
    base_config(&cfg);
    cfg.request_timeout_ms = 20000;
    cfg.threads = 2;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    int fds[N];
    char *req = build_request("POST", "/graphql", "Content-Type: application/json\r\n",
                              "{\"query\":\"wait\"}", 16);
    for (int i = 0; i < N; i++) {
        fds[i] = connect_port(port);
        assert_true(fds[i] >= 0);
        send_all(fds[i], req, strlen(req));
    }
    free(req);
    wait_for_waiting(N, 10000);
    http_resp r = do_request(port, "GET", "/metrics", NULL, NULL);
    assert_non_null(strstr(r.body, "mm_http_requests_waiting 300\n"));
    resp_free(&r);
    /* Normal requests are served promptly while 300 wait. */
    uint64_t worst = 0;
    for (int i = 0; i < 50; i++) {
        uint64_t t0 = now_ms();
        r = post_json(port, NULL, "{\"query\":\"{ hello }\"}");
        uint64_t dt = now_ms() - t0;
        if (dt > worst) worst = dt;
        assert_int_equal(r.status, 200);
        resp_free(&r);
    }
    print_message("50 requests beside 300 waiting: worst latency %llu ms\n",
                  (unsigned long long)worst);
    assert_true(worst < 1000);
    /* Answer all 300 from another thread; every client gets its own answer. */
    pthread_t t;
    assert_int_equal(
        pthread_create(&t, NULL, (void *(*)(void *))(void (*)(void))answer_waiting, NULL), 0);
    pthread_join(t, NULL);
    int ok = 0;
    for (int i = 0; i < N; i++) {
        read_response(fds[i], &r, 5000);
        close(fds[i]);
        if (r.status == 200 && strstr(r.body, "\"n\":")) ok++;
        resp_free(&r);
    }
    assert_int_equal(ok, N);
    mm_http_server_free(s);
}

static void test_slow_and_half_closed_clients(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.connection_timeout_s = 1;
    cfg.header_timeout_ms = 1000;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    /* Slow loris: headers that never finish. */
    int slow[5];
    for (int i = 0; i < 5; i++) {
        slow[i] = connect_port(port);
        send_all(slow[i], "POST /graphql HTTP/1.1\r\nHost: x\r\nX-A: ", 37);
    }
    /* Half-closed: a partial request, then the client shuts its sending side. */
    int half = connect_port(port);
    send_all(half, "GET /graphql?query=", 19);
    shutdown(half, SHUT_WR);
    /* Others keep being served meanwhile. */
    http_resp r = post_json(port, NULL, "{\"query\":\"{ hello }\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    uint64_t t0 = now_ms();
    for (int i = 0; i < 5; i++) {
        read_response(slow[i], &r, 5000); /* returns when the server hangs up */
        assert_true(r.status == -1 || r.status == 408);
        resp_free(&r);
        close(slow[i]);
    }
    uint64_t took = now_ms() - t0;
    print_message("slow clients dropped after %llu ms\n", (unsigned long long)took);
    assert_true(took < 4000);
    read_response(half, &r, 4000);
    resp_free(&r);
    /* Slow body: the headers are complete, then one byte every 300 ms. The
     * whole-body deadline (connection_timeout_s) ends it. */
    int trickle = connect_port(port);
    const char *head = "POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: "
                       "application/json\r\nContent-Length: 100\r\n\r\n";
    send_all(trickle, head, strlen(head));
    t0 = now_ms();
    int closed = 0;
    while (now_ms() - t0 < 6000) {
        if (send(trickle, "{", 1, MSG_NOSIGNAL) < 0) {
            closed = 1;
            break;
        }
        struct pollfd p = {trickle, POLLIN, 0};
        if (poll(&p, 1, 300) > 0) {
            char b[256];
            if (recv(trickle, b, sizeof b, 0) <= 0) {
                closed = 1;
                break;
            }
        }
    }
    took = now_ms() - t0;
    print_message("trickled body dropped after %llu ms\n", (unsigned long long)took);
    assert_true(closed);
    assert_true(took < 4000);
    close(trickle);
    char c;
    assert_true(recv(half, &c, 1, MSG_DONTWAIT) <= 0);
    close(half);
    r = post_json(port, NULL, "{\"query\":\"{ hello }\"}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    mm_http_server_free(s);
}

static void test_access_log_line(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.log_level = MM_LOG_INFO;
    char path[] = "/tmp/mm-accesslog-XXXXXX";
    int tmp = mkstemp(path);
    assert_true(tmp >= 0);
    fflush(stderr);
    int saved = dup(2);
    dup2(tmp, 2);
    mm_http_server *s = start_server(&cfg);
    http_resp r = do_request(mm_http_server_port(s), "GET", "/healthz?x=1", NULL, NULL);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    mm_http_server_free(s);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    mm_log_set_level(MM_LOG_WARN);
    char buf[8192] = "";
    ssize_t n = pread(tmp, buf, sizeof buf - 1, 0);
    close(tmp);
    unlink(path);
    assert_true(n > 0);
    buf[n] = '\0';
    const char *line = strstr(buf, "msg=http_access");
    if (!line) fail_msg("no access line in: %s", buf);
    assert_non_null(strstr(line, "method=GET path=/healthz status=200 bytes=3 duration_ms="));
    assert_non_null(strstr(line, "remote=127.0.0.1:"));
    assert_true(strncmp(buf, "time=20", 7) == 0 || strstr(buf, "\ntime=20"));
}

static void test_graceful_shutdown(void **state) {
    (void)state;
    mm_http_config cfg;
    base_config(&cfg);
    cfg.request_timeout_ms = 20000;
    mm_http_server *s = start_server(&cfg);
    uint16_t port = mm_http_server_port(s);
    atomic_store(&cancels, 0);
    int fds[3];
    char *req = build_request("POST", "/graphql", "Content-Type: application/json\r\n",
                              "{\"query\":\"wait\"}", 16);
    for (int i = 0; i < 3; i++) {
        fds[i] = connect_port(port);
        send_all(fds[i], req, strlen(req));
    }
    free(req);
    wait_for_waiting(3, 5000);
    /* One answer arrives during the grace period; the rest do not. */
    pthread_mutex_lock(&wait_mu);
    mm_http_responder *first = waiting[0];
    waiting[0] = waiting[--nwaiting];
    pthread_mutex_unlock(&wait_mu);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, answer_later, first), 0);
    uint64_t t0 = now_ms();
    assert_int_equal(mm_http_server_stop(s, 600), 0);
    uint64_t took = now_ms() - t0;
    pthread_join(t, NULL);
    assert_true(took >= 550 && took < 3000);
    int ok = 0, shut = 0;
    for (int i = 0; i < 3; i++) {
        http_resp r;
        read_response(fds[i], &r, 3000);
        close(fds[i]);
        if (r.status == 200) ok++;
        if (r.status == 503 && strstr(r.body, "SHUTTING_DOWN")) shut++;
        resp_free(&r);
    }
    assert_int_equal(ok, 1);
    assert_int_equal(shut, 2);
    assert_int_equal(atomic_load(&cancels), 2);
    assert_int_equal(atomic_load(&cancel_reason_seen), MM_HTTP_CANCEL_SHUTDOWN);
    assert_int_equal(answer_waiting(), 2);
    /* No longer accepting. */
    int fd = connect_port(port);
    if (fd >= 0) {
        http_resp r;
        send_all(fd, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 35);
        read_response(fd, &r, 1000);
        assert_int_equal(r.status, -1);
        resp_free(&r);
        close(fd);
    }
    mm_http_server_free(s);
    /* A stop with nothing in flight is immediate. */
    s = start_server(&cfg);
    t0 = now_ms();
    mm_http_server_free(s);
    assert_true(now_ms() - t0 < 1000);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_and_negotiate_units),
        cmocka_unit_test(test_post_and_media_types),
        cmocka_unit_test(test_get_requests),
        cmocka_unit_test(test_status_codes_per_media_type),
        cmocka_unit_test(test_malformed_posts),
        cmocka_unit_test(test_method_accept_content_type_errors),
        cmocka_unit_test(test_oversize_body_and_headers),
        cmocka_unit_test(test_malformed_framing),
        cmocka_unit_test(test_client_disconnect_cancels),
        cmocka_unit_test(test_connection_limits),
        cmocka_unit_test(test_loop_access),
        cmocka_unit_test(test_graphiql_page),
        cmocka_unit_test(test_respond_text),
        cmocka_unit_test(test_health_ready_metrics),
        cmocka_unit_test(test_cors),
        cmocka_unit_test(test_answer_from_another_thread),
        cmocka_unit_test(test_keep_alive_and_thread_counts),
        cmocka_unit_test(test_deadline_timeout),
        cmocka_unit_test(test_waiting_outlives_connection_timeout),
        cmocka_unit_test(test_resume_latency),
        cmocka_unit_test(test_posts_from_the_loop),
        cmocka_unit_test(test_300_waiting_do_not_starve_others),
        cmocka_unit_test(test_slow_and_half_closed_clients),
        cmocka_unit_test(test_access_log_line),
        cmocka_unit_test(test_graceful_shutdown),
    };
    mm_log_set_level(MM_LOG_WARN);
    return cmocka_run_group_tests(tests, NULL, NULL);
}
