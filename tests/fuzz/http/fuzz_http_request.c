/* fuzz_http_request.c -- libFuzzer target for GraphQL-over-HTTP request
 * parsing and content negotiation (src/http/request.c, negotiate.c), the code
 * that sees untrusted bytes before the engine does.
 *
 * Input layout: byte 0 picks the method (GET, POST or another); then three
 * NUL-separated fields: Content-Type, Accept, and the rest. For GET the rest
 * is split at '&' into key=value parameters (already "decoded"); for POST it
 * is the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_server.h"

static const char *next_field(const char **p, const char *end) {
    const char *start = *p;
    const char *nul = memchr(start, '\0', (size_t)(end - start));
    if (!nul) {
        *p = end;
        return NULL;
    }
    *p = nul + 1;
    return start;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    static const char *const methods[] = {"GET", "POST", "PUT", "OPTIONS"};
    const char *method = methods[data[0] % 4];
    /* A NUL-terminated copy so header fields are C strings. */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data + 1, size - 1);
    buf[size - 1] = '\0';
    const char *p = buf, *end = buf + size - 1;
    const char *ctype = next_field(&p, end);
    const char *accept = next_field(&p, end);
    const char *rest = p;
    size_t rest_len = (size_t)(end - p);

    mm_http_negotiate(accept, data[0] & 4);
    mm_http_content_type_ok(ctype);
    mm_http_utf8_valid(rest, rest_len);

    mm_http_param params[32];
    size_t nparams = 0;
    char *query = NULL;
    if (strcmp(method, "GET") == 0) {
        query = strndup(rest, rest_len);
        char *save = NULL;
        for (char *kv = query ? strtok_r(query, "&", &save) : NULL; kv && nparams < 32;
             kv = strtok_r(NULL, "&", &save)) {
            char *eq = strchr(kv, '=');
            if (eq) *eq = '\0';
            params[nparams].key = kv;
            params[nparams].value = eq ? eq + 1 : NULL;
            nparams++;
        }
    }
    mm_http_raw_request raw = {
        .method = method,
        .content_type = ctype,
        .body = rest,
        .body_len = rest_len,
        .params = params,
        .param_count = nparams,
    };
    mm_http_graphql_request req;
    char err[256];
    int status = mm_http_request_parse(&raw, &req, err, sizeof err);
    if (status == 0) {
        /* A parsed request keeps the promises the handler relies on. */
        if (!req.query) abort();
        if (req.variables && !json_is_object(req.variables)) abort();
        if (req.extensions && !json_is_object(req.extensions)) abort();
        if (!mm_http_utf8_valid(req.query, strlen(req.query))) abort();
    } else if (status != 400 && status != 405 && status != 415 && status != 500) {
        abort();
    } else if (err[0] == '\0') {
        abort();
    }
    /* The POST body's fast path (request_body.c) reads what jansson reads. */
    if (strcmp(method, "POST") == 0 && mm_http_utf8_valid(rest, rest_len)) {
        mm_http_graphql_request fast;
        memset(&fast, 0, sizeof fast);
        if (mm_http_request_body_fast(rest, rest_len, &fast)) {
            json_t *root = json_loadb(rest, rest_len, JSON_REJECT_DUPLICATES, NULL);
            if (!root || !json_is_string(json_object_get(root, "query")) ||
                strcmp(fast.query, json_string_value(json_object_get(root, "query"))) != 0)
                abort();
            json_t *op = json_object_get(root, "operationName");
            if (json_is_string(op) != (fast.operation_name != NULL) ||
                (fast.operation_name && strcmp(fast.operation_name, json_string_value(op)) != 0))
                abort();
            if (json_is_object(json_object_get(root, "variables")) != (fast.variables != NULL))
                abort();
            json_decref(root);
            mm_http_graphql_request_clear(&fast);
        }
    }
    mm_http_graphql_request_clear(&req);
    free(query);
    free(buf);
    return 0;
}
