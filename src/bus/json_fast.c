/* json_fast.c -- the fast path of an event value's JSON parse (json_fast.h).
 * Anything it does not handle, and every error, returns NULL: jansson then
 * parses the same bytes and has the last word. */
#include "bus/json_fast.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Nesting handled here; deeper values go to jansson (its limit is 2048). */
#define MAX_DEPTH 32
/* Strings up to this long are unescaped on the stack. */
#define STACK_STRING 256

typedef struct reader {
    const char *p, *end;
} reader;

static void skip_ws(reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
        r->p++;
}

/* A string after its opening quote: sets *s and *len to its text, unescaped
 * into buf (or pointing into the input when it has no escape; *heap then
 * stays NULL). False: not handled (a \u escape, a control character, an
 * unterminated string, or out of memory). */
static bool read_string(reader *r, char *buf, size_t buf_size, const char **s, size_t *len,
                        char **heap) {
    const char *start = r->p;
    const char *q = start;
    while (q < r->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20) q++;
    if (q >= r->end || (unsigned char)*q < 0x20) return false;
    if (*q == '"') { /* no escape: the common case */
        *s = start;
        *len = (size_t)(q - start);
        r->p = q + 1;
        return true;
    }
    /* Escapes: the unescaped text is never longer than the input's. */
    const char *close = q;
    while (close < r->end && *close != '"') {
        if (*close == '\\' && close + 1 >= r->end) return false;
        close += *close == '\\' ? 2 : 1;
    }
    if (close >= r->end) return false;
    size_t cap = (size_t)(close - start);
    char *out = buf;
    if (cap > buf_size) {
        out = malloc(cap);
        if (!out) return false;
        *heap = out;
    }
    size_t n = (size_t)(q - start);
    memcpy(out, start, n);
    while (q < close) {
        unsigned char c = (unsigned char)*q;
        if (c < 0x20) return false;
        if (c != '\\') {
            out[n++] = (char)c;
            q++;
            continue;
        }
        switch (q[1]) {
        case '"': out[n++] = '"'; break;
        case '\\': out[n++] = '\\'; break;
        case '/': out[n++] = '/'; break;
        case 'b': out[n++] = '\b'; break;
        case 'f': out[n++] = '\f'; break;
        case 'n': out[n++] = '\n'; break;
        case 'r': out[n++] = '\r'; break;
        case 't': out[n++] = '\t'; break;
        default: return false; /* \u (surrogates, NUL) and invalid escapes: jansson */
        }
        q += 2;
    }
    assert(n <= cap);
    *s = out;
    *len = n;
    r->p = close + 1;
    return true;
}

static json_t *read_value(reader *r, int depth);

static json_t *read_object(reader *r, int depth) {
    json_t *obj = json_object();
    if (!obj) return NULL;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return obj;
    }
    for (;;) {
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"') break;
        r->p++;
        char buf[STACK_STRING];
        char *heap = NULL;
        const char *key;
        size_t key_len;
        if (!read_string(r, buf, sizeof buf, &key, &key_len, &heap)) {
            free(heap);
            break;
        }
        skip_ws(r);
        json_t *v = NULL;
        /* A duplicate key: jansson's error. */
        bool ok = r->p < r->end && *r->p == ':' && !json_object_getn(obj, key, key_len);
        if (ok) {
            r->p++;
            skip_ws(r);
            v = read_value(r, depth + 1);
        }
        if (!v || json_object_setn_new_nocheck(obj, key, key_len, v) != 0) {
            free(heap);
            break;
        }
        free(heap);
        skip_ws(r);
        if (r->p >= r->end) break;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == '}') {
            r->p++;
            return obj;
        }
        break;
    }
    json_decref(obj);
    return NULL;
}

static json_t *read_array(reader *r, int depth) {
    json_t *arr = json_array();
    if (!arr) return NULL;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return arr;
    }
    for (;;) {
        skip_ws(r);
        json_t *v = read_value(r, depth + 1);
        if (!v || json_array_append_new(arr, v) != 0) break;
        skip_ws(r);
        if (r->p >= r->end) break;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == ']') {
            r->p++;
            return arr;
        }
        break;
    }
    json_decref(arr);
    return NULL;
}

/* An integer of at most 18 digits (no overflow possible); a fraction or an
 * exponent (a real), a leading zero before a digit, or more digits: NULL. */
static json_t *read_number(reader *r) {
    const char *q = r->p;
    bool neg = q < r->end && *q == '-';
    if (neg) q++;
    const char *digits = q;
    int64_t v = 0;
    while (q < r->end && *q >= '0' && *q <= '9') {
        if (q - digits >= 18) return NULL;
        v = v * 10 + (*q - '0');
        q++;
    }
    size_t n = (size_t)(q - digits);
    if (n == 0 || (n > 1 && digits[0] == '0')) return NULL;
    if (q < r->end && (*q == '.' || *q == 'e' || *q == 'E')) return NULL;
    r->p = q;
    return json_integer((json_int_t)(neg ? -v : v));
}

static bool literal(reader *r, const char *word, size_t n) {
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return false;
    r->p += n;
    return true;
}

static json_t *read_value(reader *r, int depth) {
    if (r->p >= r->end || depth > MAX_DEPTH) return NULL;
    char c = *r->p;
    switch (c) {
    case '{': r->p++; return read_object(r, depth);
    case '[': r->p++; return read_array(r, depth);
    case '"': {
        r->p++;
        char buf[STACK_STRING];
        char *heap = NULL;
        const char *s;
        size_t len;
        if (!read_string(r, buf, sizeof buf, &s, &len, &heap)) {
            free(heap);
            return NULL;
        }
        json_t *v = json_stringn_nocheck(s, len);
        free(heap);
        return v;
    }
    case 't': return literal(r, "true", 4) ? json_true() : NULL;
    case 'f': return literal(r, "false", 5) ? json_false() : NULL;
    case 'n': return literal(r, "null", 4) ? json_null() : NULL;
    default: return c == '-' || (c >= '0' && c <= '9') ? read_number(r) : NULL;
    }
}

json_t *mm_json_fast_object(const char *bytes, size_t len) {
    reader r = {bytes, bytes + len};
    skip_ws(&r);
    if (r.p >= r.end || *r.p != '{') return NULL;
    r.p++;
    json_t *obj = read_object(&r, 1);
    if (!obj) return NULL;
    skip_ws(&r);
    if (r.p != r.end) { /* trailing bytes: jansson's error */
        json_decref(obj);
        return NULL;
    }
    return obj;
}
