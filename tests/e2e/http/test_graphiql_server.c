/* test_graphiql_server.c -- a tiny GraphQL server for the headless-browser
 * check of the GraphiQL page (tests/e2e/graphiql_page.sh), and its own tests.
 *
 * With `--serve PORTFILE` it runs the real HTTP server on 127.0.0.1 (an
 * ephemeral port, written to PORTFILE) with a stand-in engine that answers
 * GraphiQL's introspection query with a one-field schema, until SIGTERM or
 * SIGINT. Without arguments it is a cmocka test of that stand-in over HTTP.
 * Once `gregor serve` exists the browser check can use it instead. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/http_server.h"

/* The introspection result of `type Query { hello: String }`. */
static const char introspection[] =
    "{\"data\":{\"__schema\":{\"description\":null,\"queryType\":{\"name\":\"Query\"},"
    "\"mutationType\":null,"
    "\"subscriptionType\":null,\"types\":["
    "{\"kind\":\"OBJECT\",\"name\":\"Query\",\"description\":\"The stand-in schema of the GraphiQL "
    "check.\","
    "\"specifiedByURL\":null,\"fields\":[{\"name\":\"hello\",\"description\":\"Says "
    "hello.\",\"args\":[],"
    "\"type\":{\"kind\":\"SCALAR\",\"name\":\"String\",\"ofType\":null},\"isDeprecated\":false,"
    "\"deprecationReason\":null}],\"inputFields\":null,\"interfaces\":[],\"enumValues\":null,"
    "\"possibleTypes\":null},"
    "{\"kind\":\"SCALAR\",\"name\":\"String\",\"description\":null,\"specifiedByURL\":null,"
    "\"fields\":null,"
    "\"inputFields\":null,\"interfaces\":null,\"enumValues\":null,\"possibleTypes\":null},"
    "{\"kind\":\"SCALAR\",\"name\":\"Boolean\",\"description\":null,\"specifiedByURL\":null,"
    "\"fields\":null,"
    "\"inputFields\":null,\"interfaces\":null,\"enumValues\":null,\"possibleTypes\":null}"
    "],\"directives\":[]}}}";

static void stand_in_engine(void *ud, const mm_http_graphql_request *req, mm_http_responder *r) {
    (void)ud;
    if (strstr(req->query, "__schema")) {
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED, json_loads(introspection, 0, NULL));
    } else if (strstr(req->query, "hello")) {
        mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED,
                        json_pack("{s:{s:s}}", "data", "hello", "world"));
    } else {
        mm_http_respond_error(r, MM_HTTP_OUTCOME_VALIDATION_ERROR,
                              "the stand-in schema has only Query.hello");
    }
}

static mm_http_server *start(void) {
    mm_http_config cfg;
    mm_http_config_init(&cfg);
    cfg.log_level = -1; /* serve mode logs requests (info); tests stay quiet (warn) */
    mm_http_server *s = mm_http_server_new(&cfg, stand_in_engine, NULL);
    if (!s || mm_http_server_start(s) != 0) {
        mm_http_server_free(s);
        return NULL;
    }
    return s;
}

static int serve(const char *portfile) {
    mm_log_set_level(MM_LOG_INFO); /* the access log shows what the browser asked */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* server threads inherit the mask */
    mm_http_server *s = start();
    if (!s) {
        fprintf(stderr, "graphiql test server: cannot start\n");
        return 1;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", portfile);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%u\n", mm_http_server_port(s)) < 0 || fclose(f) != 0 ||
        rename(tmp, portfile) != 0) {
        fprintf(stderr, "graphiql test server: cannot write %s\n", portfile);
        mm_http_server_free(s);
        return 1;
    }
    int sig = 0;
    sigwait(&set, &sig);
    mm_http_server_stop(s, 1000);
    mm_http_server_free(s);
    return 0;
}

/* One request over loopback; returns the malloc'd raw response. */
static char *fetch(uint16_t port, const char *request) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_true(send(fd, request, strlen(request), MSG_NOSIGNAL) == (ssize_t)strlen(request));
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    ssize_t n;
    while ((n = recv(fd, buf + len, cap - len - 1, 0)) > 0) {
        len += (size_t)n;
        if (cap - len < 4096) buf = realloc(buf, cap *= 2);
    }
    buf[len] = '\0';
    close(fd);
    return buf;
}

static void test_stand_in_answers_introspection(void **state) {
    (void)state;
    mm_http_server *s = start();
    assert_non_null(s);
    uint16_t port = mm_http_server_port(s);
    const char *body =
        "{\"query\":\"query IntrospectionQuery { __schema { queryType { name } } }\"}";
    char req[512];
    snprintf(req, sizeof req,
             "POST /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: "
             "application/json\r\n"
             "Accept: application/graphql-response+json, application/json;q=0.9\r\nContent-Length: "
             "%zu\r\n\r\n%s",
             strlen(body), body);
    char *resp = fetch(port, req);
    assert_non_null(strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "application/graphql-response+json"));
    json_t *j = json_loads(strstr(resp, "\r\n\r\n") + 4, 0, NULL);
    assert_non_null(j);
    assert_string_equal(
        json_string_value(json_object_get(
            json_object_get(json_object_get(json_object_get(j, "data"), "__schema"), "queryType"),
            "name")),
        "Query");
    json_decref(j);
    free(resp);
    resp = fetch(
        port, "GET /graphql HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept: text/html\r\n\r\n");
    assert_non_null(strstr(resp, "HTTP/1.1 200"));
    assert_non_null(strstr(resp, "GraphiQL.createFetcher"));
    free(resp);
    mm_http_server_free(s);
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--serve") == 0) return serve(argv[2]);
    if (argc != 1) {
        fprintf(stderr, "usage: %s [--serve PORTFILE]\n", argv[0]);
        return 2;
    }
    mm_log_set_level(MM_LOG_WARN);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_stand_in_answers_introspection)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
