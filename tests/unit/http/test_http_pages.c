/* test_http_pages.c -- the extra static pages of mm_http_config (pages,
 * page_count): served with their content type at exactly their path, GET
 * and HEAD only, copied at creation, and refused when they would shadow a
 * built-in route. */
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

#include "http/http_server.h"

static void handler(void *ud, const mm_http_graphql_request *req, mm_http_responder *r) {
    (void)ud, (void)req;
    mm_http_respond(r, MM_HTTP_OUTCOME_EXECUTED, json_pack("{s:{s:b}}", "data", "ok", 1));
}

/* One request over a fresh connection (Connection: close); the whole answer. */
static char *request(uint16_t port, const char *method, const char *path) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[512];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                     method, path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap);
    ssize_t got;
    while ((got = read(fd, buf + len, cap - len - 1)) > 0) len += (size_t)got;
    buf[len] = '\0';
    close(fd);
    return buf;
}

static void test_pages_served_and_copied(void **state) {
    (void)state;
    char body[] = "<!doctype html><title>dash</title>";
    char path[] = "/manager";
    mm_http_page pages[] = {
        {path, "text/html; charset=utf-8", body, strlen(body)},
        {"/manager/app.js", "text/javascript", "var x = 1;", 10},
    };
    mm_http_config cfg;
    mm_http_config_init(&cfg);
    cfg.port = 0;
    cfg.disable_graphiql = 1;
    cfg.disable_access_log = 1;
    cfg.pages = pages;
    cfg.page_count = 2;
    mm_http_server *s = mm_http_server_new(&cfg, handler, NULL);
    assert_non_null(s);
    /* The server keeps its own copy: the caller's buffers may change. */
    memset(body, 'X', sizeof body - 1);
    path[1] = 'Z';
    assert_int_equal(mm_http_server_start(s), 0);
    uint16_t port = mm_http_server_port(s);

    char *r = request(port, "GET", "/manager");
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    assert_non_null(strstr(r, "text/html; charset=utf-8"));
    assert_non_null(strstr(r, "<!doctype html><title>dash</title>"));
    free(r);
    r = request(port, "GET", "/manager/app.js");
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    assert_non_null(strstr(r, "Content-Type: text/javascript"));
    assert_non_null(strstr(r, "\r\n\r\nvar x = 1;"));
    free(r);
    r = request(port, "HEAD", "/manager");
    assert_non_null(strstr(r, "HTTP/1.1 200"));
    assert_null(strstr(r, "<title>"));
    free(r);
    /* Exactly the path: no prefix match, no trailing slash. */
    r = request(port, "GET", "/manager/");
    assert_non_null(strstr(r, "HTTP/1.1 404"));
    free(r);
    r = request(port, "GET", "/manage");
    assert_non_null(strstr(r, "HTTP/1.1 404"));
    free(r);
    r = request(port, "POST", "/manager");
    assert_non_null(strstr(r, "HTTP/1.1 405"));
    free(r);
    /* The GraphQL endpoint is unaffected. */
    r = request(port, "GET", "/graphql?query=%7Bok%7D");
    assert_non_null(strstr(r, "\"ok\":true"));
    free(r);
    mm_http_server_free(s);
}

static void test_pages_refused(void **state) {
    (void)state;
    const char *bad[] = {"/graphql",       "/healthz", "/readyz", "/metrics",
                         "/graphiql/x.js", "manager",  NULL};
    for (size_t i = 0; bad[i]; i++) {
        mm_http_page page = {bad[i], "text/plain", "x", 1};
        mm_http_config cfg;
        mm_http_config_init(&cfg);
        cfg.disable_graphiql = 1;
        cfg.pages = &page;
        cfg.page_count = 1;
        mm_http_server *s = mm_http_server_new(&cfg, handler, NULL);
        if (s) fail_msg("page path %s was accepted", bad[i]);
    }
    mm_http_config cfg;
    mm_http_config_init(&cfg);
    cfg.disable_graphiql = 1;
    cfg.page_count = 1; /* and no pages */
    assert_null(mm_http_server_new(&cfg, handler, NULL));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pages_served_and_copied),
        cmocka_unit_test(test_pages_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
