/* request.c -- GraphQL-over-HTTP request parsing, apart from the transport so
 * that it can be unit-tested and fuzzed.
 *
 * POST: Content-Type application/json (charset utf-8 if given), a JSON object
 * body with "query" (string), "operationName" (string or null), "variables"
 * and "extensions" (object or null). GET: the same names as URL parameters,
 * "variables" and "extensions" JSON-encoded. Anything else is a 400 (or 415
 * for the wrong Content-Type, 405 for another method) with a clear message. */
#include "http/http_server.h"
#include "http/persisted_queries.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(char *errbuf, size_t errsize, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *errbuf, size_t errsize, int status, const char *fmt, ...) {
    if (errbuf && errsize) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errsize, fmt, ap);
        va_end(ap);
    }
    return status;
}

int mm_http_utf8_valid(const char *str, size_t len) {
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII (most of a GraphQL body) 8 bytes at a time. */
        uint64_t w;
        while (len - i >= 8 && (memcpy(&w, s + i, 8), (w & 0x8080808080808080u) == 0)) i += 8;
        if (i >= len) break;
        unsigned c = s[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n) return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += n + 1;
    }
    return 1;
}

void mm_http_graphql_request_clear(mm_http_graphql_request *req) {
    if (!req) return;
    free((char *)req->query);
    free((char *)req->operation_name);
    json_decref(req->variables);
    json_decref(req->extensions);
    memset(req, 0, sizeof *req);
}

/* Takes a JSON value for "variables"/"extensions": an object (kept) or null. */
static int take_object(json_t *v, const char *name, json_t **out, char *errbuf, size_t errsize) {
    if (!v || json_is_null(v)) return 0;
    if (!json_is_object(v))
        return fail(errbuf, errsize, 400, "the \"%s\" parameter must be a JSON object or null",
                    name);
    *out = json_incref(v);
    return 0;
}

static int parse_post(const mm_http_raw_request *raw, mm_http_graphql_request *out, char *errbuf,
                      size_t errsize) {
    if (!raw->content_type)
        return fail(errbuf, errsize, 415, "a POST request needs Content-Type: application/json");
    if (!mm_http_content_type_ok(raw->content_type))
        return fail(errbuf, errsize, 415, "unsupported Content-Type; use application/json (UTF-8)");
    if (!raw->body || raw->body_len == 0)
        return fail(errbuf, errsize, 400, "the request body is empty");
    /* jansson rejects invalid UTF-8 too, but saying so plainly helps clients. */
    if (!mm_http_utf8_valid(raw->body, raw->body_len))
        return fail(errbuf, errsize, 400, "the request body is not valid UTF-8");
    if (mm_http_request_body_fast(raw->body, raw->body_len, out)) return 0;
    json_error_t jerr;
    json_t *root =
        json_loadb(raw->body, raw->body_len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return fail(errbuf, errsize, 400,
                    "the request body is not valid JSON: %s (line %d, column %d)", jerr.text,
                    jerr.line, jerr.column);
    int status = 0;
    if (!json_is_object(root)) {
        status = fail(errbuf, errsize, 400, "the request body must be a JSON object");
        goto done;
    }
    json_t *q = json_object_get(root, "query");
    /* A persisted query may come as its hash alone (mm_pq_handle resolves it). */
    if ((!q || json_is_null(q)) && mm_pq_request_has_hash(json_object_get(root, "extensions")))
        q = NULL;
    else if (!q || json_is_null(q)) {
        status = fail(errbuf, errsize, 400, "the \"query\" parameter is missing");
        goto done;
    }
    if (q && !json_is_string(q)) {
        status = fail(errbuf, errsize, 400, "the \"query\" parameter must be a string");
        goto done;
    }
    json_t *op = json_object_get(root, "operationName");
    if (op && !json_is_null(op) && !json_is_string(op)) {
        status =
            fail(errbuf, errsize, 400, "the \"operationName\" parameter must be a string or null");
        goto done;
    }
    if ((status = take_object(json_object_get(root, "variables"), "variables", &out->variables,
                              errbuf, errsize)))
        goto done;
    if ((status = take_object(json_object_get(root, "extensions"), "extensions", &out->extensions,
                              errbuf, errsize)))
        goto done;
    out->query = strdup(q ? json_string_value(q) : "");
    if (op && json_is_string(op)) out->operation_name = strdup(json_string_value(op));
    if (!out->query || (op && json_is_string(op) && !out->operation_name))
        status = fail(errbuf, errsize, 500, "out of memory");
done:
    json_decref(root);
    return status;
}

static int parse_get_json(const char *text, const char *name, json_t **out, char *errbuf,
                          size_t errsize) {
    if (!text || !*text) return 0;
    json_error_t jerr;
    json_t *v = json_loads(text, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &jerr);
    if (!v)
        return fail(errbuf, errsize, 400, "the \"%s\" parameter is not valid JSON: %s", name,
                    jerr.text);
    int status = take_object(v, name, out, errbuf, errsize);
    json_decref(v);
    return status;
}

static int parse_get(const mm_http_raw_request *raw, mm_http_graphql_request *out, char *errbuf,
                     size_t errsize) {
    static const char *const names[4] = {"query", "operationName", "variables", "extensions"};
    const char *vals[4] = {NULL, NULL, NULL, NULL};
    int seen[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < raw->param_count; i++) {
        const char *key = raw->params[i].key;
        if (!key) continue;
        for (int k = 0; k < 4; k++) {
            if (strcmp(key, names[k]) != 0) continue;
            if (seen[k])
                return fail(errbuf, errsize, 400, "the \"%s\" parameter is given twice", names[k]);
            seen[k] = 1;
            vals[k] = raw->params[i].value ? raw->params[i].value : "";
        }
    }
    for (int k = 0; k < 4; k++)
        if (vals[k] && !mm_http_utf8_valid(vals[k], strlen(vals[k])))
            return fail(errbuf, errsize, 400, "the \"%s\" parameter is not valid UTF-8", names[k]);
    int status;
    if ((status = parse_get_json(vals[2], "variables", &out->variables, errbuf, errsize)))
        return status;
    if ((status = parse_get_json(vals[3], "extensions", &out->extensions, errbuf, errsize)))
        return status;
    /* A persisted query may come as its hash alone (mm_pq_handle resolves it). */
    if ((!vals[0] || !*vals[0]) && !mm_pq_request_has_hash(out->extensions))
        return fail(errbuf, errsize, 400, "the \"query\" parameter is missing");
    out->query = strdup(vals[0] ? vals[0] : "");
    if (vals[1] && *vals[1]) out->operation_name = strdup(vals[1]);
    if (!out->query || (vals[1] && *vals[1] && !out->operation_name))
        return fail(errbuf, errsize, 500, "out of memory");
    out->is_get = 1;
    return 0;
}

int mm_http_request_parse(const mm_http_raw_request *raw, mm_http_graphql_request *out,
                          char *errbuf, size_t errsize) {
    memset(out, 0, sizeof *out);
    if (errbuf && errsize) errbuf[0] = '\0';
    int status;
    if (!raw || !raw->method) {
        status = fail(errbuf, errsize, 400, "no request");
    } else if (strcmp(raw->method, "POST") == 0) {
        status = parse_post(raw, out, errbuf, errsize);
    } else if (strcmp(raw->method, "GET") == 0) {
        status = parse_get(raw, out, errbuf, errsize);
    } else {
        status =
            fail(errbuf, errsize, 405, "method %.16s is not allowed; use GET or POST", raw->method);
    }
    if (status) mm_http_graphql_request_clear(out);
    return status;
}
