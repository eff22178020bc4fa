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

/* Members per object the check-only mode compares for duplicates. */
#define CHECK_KEYS 16

typedef struct reader {
    const char *p, *end;
    bool build; /* false: check only, build nothing (values are json_null()) */
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

/* Check-only mode: an object's members, without a tree. Keys with an
 * escape, more than CHECK_KEYS members, or a duplicate: not handled. */
static json_t *check_object(reader *r, int depth) {
    const char *keys[CHECK_KEYS];
    size_t lens[CHECK_KEYS], count = 0;
    skip_ws(r);
    if (r->p < r->end && *r->p == '}') {
        r->p++;
        return json_null();
    }
    for (;;) {
        skip_ws(r);
        if (r->p >= r->end || *r->p != '"' || count == CHECK_KEYS) return NULL;
        r->p++;
        const char *key = r->p;
        while (r->p < r->end && *r->p != '"' && *r->p != '\\' && (unsigned char)*r->p >= 0x20)
            r->p++;
        if (r->p >= r->end || *r->p != '"') return NULL;
        size_t key_len = (size_t)(r->p - key);
        r->p++;
        for (size_t i = 0; i < count; i++)
            if (lens[i] == key_len && memcmp(keys[i], key, key_len) == 0) return NULL;
        keys[count] = key;
        lens[count++] = key_len;
        skip_ws(r);
        if (r->p >= r->end || *r->p != ':') return NULL;
        r->p++;
        skip_ws(r);
        if (!read_value(r, depth + 1)) return NULL;
        skip_ws(r);
        if (r->p >= r->end) return NULL;
        if (*r->p == ',') {
            r->p++;
            continue;
        }
        if (*r->p == '}') {
            r->p++;
            return json_null();
        }
        return NULL;
    }
}

static json_t *read_object(reader *r, int depth) {
    if (!r->build) return check_object(r, depth);
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
    json_t *arr = r->build ? json_array() : json_null();
    if (!arr) return NULL;
    skip_ws(r);
    if (r->p < r->end && *r->p == ']') {
        r->p++;
        return arr;
    }
    for (;;) {
        skip_ws(r);
        json_t *v = read_value(r, depth + 1);
        if (!v || (r->build && json_array_append_new(arr, v) != 0)) break;
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
    return r->build ? json_integer((json_int_t)(neg ? -v : v)) : json_null();
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
        json_t *v = r->build ? json_stringn_nocheck(s, len) : json_null();
        free(heap);
        return v;
    }
    case 't': return literal(r, "true", 4) ? json_true() : NULL;
    case 'f': return literal(r, "false", 5) ? json_false() : NULL;
    case 'n': return literal(r, "null", 4) ? json_null() : NULL;
    default: return c == '-' || (c >= '0' && c <= '9') ? read_number(r) : NULL;
    }
}

static json_t *top_object(const char *bytes, size_t len, bool build) {
    reader r = {bytes, bytes + len, build};
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

json_t *mm_json_fast_object(const char *bytes, size_t len) { return top_object(bytes, len, true); }

bool mm_json_fast_check_object(const char *bytes, size_t len) {
    /* json_null() is jansson's static singleton: nothing to free. */
    return top_object(bytes, len, false) != NULL;
}
