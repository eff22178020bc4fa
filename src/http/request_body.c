/* request_body.c -- the fast path of a GraphQL POST body: the common
 * envelope {"query": "...", "operationName": "..." | null, "variables": null
 * | {}, "extensions": null | {}} read in one pass, without building a
 * jansson tree (jansson's lexer reads a byte at a time through a stream and
 * costs ~140 instructions a byte: 300k for the 2 KB introspection body,
 * more than answering it). Anything else -- another member, a variables
 * object with members, a \u escape, a duplicate name, any syntax error --
 * is left to the general path (request.c: jansson), which also words the
 * errors; so this accepts a subset of what jansson accepts and yields the
 * same request for it (tests/unit/http/test_request_body.c compares both). */
#include "http/http_server.h"

#include <stdlib.h>
#include <string.h>

typedef struct cursor {
    const char *p, *end;
} cursor;

static void skip_ws(cursor *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static int take(cursor *c, char ch) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != ch) return 0;
    c->p++;
    return 1;
}

static int take_word(cursor *c, const char *w, size_t n) {
    skip_ws(c);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) return 0;
    c->p += n;
    return 1;
}

/* The JSON string at c decoded into a malloc'd NUL-terminated copy;
 * NULL for anything this path does not handle (\u escapes, control bytes,
 * an unterminated string) or out of memory. The body was checked to be
 * valid UTF-8, so bytes >= 0x80 are copied as they are. */
static char *take_string(cursor *c) {
    skip_ws(c);
    if (c->p >= c->end || *c->p != '"') return NULL;
    const char *s = ++c->p;
    /* The decoded text is never longer than the source. */
    const char *q = s;
    while (q < c->end && *q != '"') q += *q == '\\' && q + 1 < c->end ? 2 : 1;
    if (q >= c->end) return NULL;
    char *out = malloc((size_t)(q - s) + 1), *o = out;
    if (!out) return NULL;
    while (s < q) {
        const char *run = s;
        while (s < q && *s != '\\' && (unsigned char)*s >= 0x20) s++;
        memcpy(o, run, (size_t)(s - run));
        o += s - run;
        if (s == q) break;
        if ((unsigned char)*s < 0x20) goto unhandled; /* jansson: a control character */
        switch (s[1]) {
        case '"': *o++ = '"'; break;
        case '\\': *o++ = '\\'; break;
        case '/': *o++ = '/'; break;
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        default: goto unhandled; /* \u (NUL, surrogates) and invalid escapes */
        }
        s += 2;
    }
    *o = '\0';
    c->p = q + 1;
    return out;
unhandled:
    free(out);
    return NULL;
}

/* null, or an empty object: 1 and *out (NULL or a new empty object). */
static int take_null_or_empty(cursor *c, json_t **out) {
    if (take_word(c, "null", 4)) return 1;
    if (!take(c, '{') || !take(c, '}')) return 0;
    *out = json_object();
    return *out != NULL;
}

int mm_http_request_body_fast(const char *body, size_t len, mm_http_graphql_request *out) {
    cursor c = {body, body + len};
    enum {
        QUERY = 1,
        OPNAME = 2,
        VARIABLES = 4,
        EXTENSIONS = 8
    };
    unsigned seen = 0;
    char *query = NULL, *opname = NULL;
    json_t *variables = NULL, *extensions = NULL;
    if (!take(&c, '{')) return 0;
    if (!take(&c, '}')) {
        do {
            skip_ws(&c);
            unsigned which;
            if (take_word(&c, "\"query\"", 7))
                which = QUERY;
            else if (take_word(&c, "\"operationName\"", 15))
                which = OPNAME;
            else if (take_word(&c, "\"variables\"", 11))
                which = VARIABLES;
            else if (take_word(&c, "\"extensions\"", 12))
                which = EXTENSIONS;
            else
                goto unhandled;
            if ((seen & which) || !take(&c, ':')) goto unhandled; /* duplicate: jansson says so */
            seen |= which;
            switch (which) {
            case QUERY:
                if (!(query = take_string(&c))) goto unhandled; /* null too: the general path */
                break;
            case OPNAME:
                if (!take_word(&c, "null", 4) && !(opname = take_string(&c))) goto unhandled;
                break;
            case VARIABLES:
                if (!take_null_or_empty(&c, &variables)) goto unhandled;
                break;
            case EXTENSIONS:
                if (!take_null_or_empty(&c, &extensions)) goto unhandled;
                break;
            }
        } while (take(&c, ','));
        if (!take(&c, '}')) goto unhandled;
    }
    skip_ws(&c);
    if (c.p != c.end || !query) goto unhandled;
    out->query = query;
    out->operation_name = opname;
    out->variables = variables;
    out->extensions = extensions;
    return 1;
unhandled:
    free(query);
    free(opname);
    json_decref(variables);
    json_decref(extensions);
    return 0;
}
