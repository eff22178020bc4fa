/* cors.c -- Cross-Origin Resource Sharing for the GraphQL endpoint. Off
 * unless configured; then an Origin on the allow list (or any, with "*") is
 * echoed back, and preflight OPTIONS requests are answered. */
#include "http/http_internal.h"

#include <string.h>
#include <strings.h>

const char *mm_http_cors_allow(const char *list, const char *origin) {
    if (!list || !*list || !origin || !*origin) return NULL;
    size_t olen = strlen(origin);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',') p++;
        const char *e = p;
        while (*e && *e != ',') e++;
        const char *t = e;
        while (t > p && t[-1] == ' ') t--;
        size_t len = (size_t)(t - p);
        if (len == 1 && *p == '*') return "*";
        if (len == olen && strncasecmp(p, origin, len) == 0) return origin;
        p = e;
    }
    return NULL;
}

void mm_http_cors_apply(mm_http_hbuf *out, const char *list, const char *origin, int preflight,
                        const char *request_headers) {
    const char *allow = mm_http_cors_allow(list, origin);
    if (!allow) return;
    mm_http_hbuf_add(out, "Access-Control-Allow-Origin", allow);
    if (strcmp(allow, "*") != 0) mm_http_hbuf_add(out, "Vary", "Origin");
    if (!preflight) return;
    /* preflight 2: the server has streams, whose graphql-sse single
     * connection mode uses PUT and DELETE too (sse_single.c). */
    mm_http_hbuf_add(out, "Access-Control-Allow-Methods",
                     preflight == 2 ? "GET, POST, PUT, DELETE, OPTIONS" : "GET, POST, OPTIONS");
    /* Echo what the browser asks for when it is short and printable; else the usual two. */
    int echo = request_headers && *request_headers && strlen(request_headers) < 512;
    for (const char *c = request_headers; echo && *c; c++)
        if ((unsigned char)*c < ' ' || (unsigned char)*c >= 0x7f) echo = 0;
    mm_http_hbuf_add(out, "Access-Control-Allow-Headers",
                     echo ? request_headers : "Content-Type, Accept");
    mm_http_hbuf_add(out, "Access-Control-Max-Age", "600");
}
