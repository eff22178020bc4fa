/* parser_bench.c -- the measurement behind the choice of request-head parser
 * (docs/http.md, "The parser"): our strict parser (src/http/parse.c) against
 * picohttpparser's phr_parse_request as Debian's libh2o0.13 exports it, on
 * the same heads: time per head, and which malformed heads each accepts.
 *
 * Not part of the build (libh2o is not a dependency of the project). Run:
 *   apt-get install libh2o0.13
 *   cc -O2 -DNDEBUG -Isrc bench/http/parser_bench.c src/http/parse.c \
 *      -l:libh2o.so.0.13 -o /tmp/parser_bench && /tmp/parser_bench */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/parse.h"

/* picohttpparser's documented API (Debian ships the library, not the header). */
struct phr_header {
    const char *name;
    size_t name_len;
    const char *value;
    size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len,
                      const char **path, size_t *path_len, int *minor_version,
                      struct phr_header *headers, size_t *num_headers, size_t last_len);

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int pico(const char *buf, size_t len) {
    const char *m, *p;
    size_t ml, pl, nh = 100;
    int minor;
    struct phr_header h[100];
    return phr_parse_request(buf, len, &m, &ml, &p, &pl, &minor, h, &nh, 0);
}

static int ours(const char *buf, size_t len) {
    static const mm_http_limits lim = {32768, 16384};
    static mm_http_head h;
    return mm_http_parse_head(buf, len, &lim, &h);
}

static void timeit(const char *name, const char *head) {
    size_t len = strlen(head);
    const int n = 2000000;
    volatile int sink = 0;
    double t0 = now_s();
    for (int i = 0; i < n; i++) sink += pico(head, len);
    double t1 = now_s();
    for (int i = 0; i < n; i++) sink += ours(head, len);
    double t2 = now_s();
    printf("%-28s %5zu bytes  picohttpparser %6.1f ns  ours %6.1f ns  (%d, %d)\n", name, len,
           (t1 - t0) / n * 1e9, (t2 - t1) / n * 1e9, pico(head, len), ours(head, len));
    (void)sink;
}

int main(void) {
    timeit("loadgen POST",
           "POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nContent-Type: application/json\r\n"
           "Accept: application/graphql-response+json\r\nContent-Length: 27\r\n\r\n");
    timeit("curl GET", "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nUser-Agent: "
                       "curl/7.88.1\r\nAccept: */*\r\n\r\n");
    timeit("browser GET (13 fields)",
           "GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: localhost:8000\r\nConnection: "
           "keep-alive\r\n"
           "sec-ch-ua: \"Chromium\";v=\"120\", \"Not?A_Brand\";v=\"8\"\r\nsec-ch-ua-mobile: ?0\r\n"
           "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0 Safari/537.36\r\n"
           "sec-ch-ua-platform: \"Linux\"\r\nAccept: application/graphql-response+json, "
           "application/json\r\n"
           "Sec-Fetch-Site: same-origin\r\nSec-Fetch-Mode: cors\r\nSec-Fetch-Dest: empty\r\n"
           "Referer: http://localhost:8000/graphql\r\nAccept-Encoding: gzip, deflate, br\r\n"
           "Accept-Language: en-US,en;q=0.9\r\n\r\n");
    /* Strictness: a positive result means the head was accepted as complete. */
    static const char *const bad[][2] = {
        {"CL with TE",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"},
        {"Content-Length: 26, 26", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 26, 26\r\n\r\n"},
        {"Content-Length: -1", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"},
        {"Transfer-Encoding: gzip",
         "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"},
        {"bare LF", "GET / HTTP/1.1\nHost: a\n\n"},
        {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: y\r\n z\r\n\r\n"},
        {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"},
        {"no Host (1.1)", "GET / HTTP/1.1\r\n\r\n"},
        {"HTTP/2.0 on the wire", "GET / HTTP/2.0\r\nHost: a\r\n\r\n"},
    };
    printf("\nmalformed head                 picohttpparser  ours\n");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = strlen(bad[i][1]);
        int p = pico(bad[i][1], len), o = ours(bad[i][1], len);
        printf("%-30s %-15s %s (%d)\n", bad[i][0], p > 0 ? "accepted" : "refused",
               o > 0 ? "accepted" : "refused", o);
    }
    return 0;
}
