/* json_text.c -- the direct JSON writer of json_text.h. */
#include "http/json_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/scalars.h"

typedef struct text {
    char *s;
    size_t len, cap;
    bool failed;
} text;

static void put(text *t, const char *s, size_t n) {
    if (t->failed) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) cap *= 2;
        char *p = realloc(t->s, cap);
        if (!p) {
            t->failed = true;
            return;
        }
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
}

static void put_c(text *t, char c) { put(t, &c, 1); }

/* A JSON string as JSON.stringify writes it: the two mandatory escapes, the
 * short forms for \b \f \n \r \t, \u00xx for other control characters, and
 * every other byte (UTF-8) as is. */
static void put_string(text *t, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    put_c(t, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        put(t, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': put(t, "\\\"", 2); break;
        case '\\': put(t, "\\\\", 2); break;
        case '\b': put(t, "\\b", 2); break;
        case '\f': put(t, "\\f", 2); break;
        case '\n': put(t, "\\n", 2); break;
        case '\r': put(t, "\\r", 2); break;
        case '\t': put(t, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put(t, u, 6);
        }
        }
    }
    put(t, s + run, n - run);
    put_c(t, '"');
}

static void put_value(text *t, const json_t *v, int depth) {
    if (depth > MM_JSON_TEXT_MAX_DEPTH) {
        t->failed = true;
        return;
    }
    char num[40];
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        put_c(t, '{');
        bool first = true;
        const char *key;
        size_t key_len;
        json_t *member;
        void *iter = json_object_iter((json_t *)v);
        while (iter && !t->failed) {
            key = json_object_iter_key(iter);
            key_len = json_object_iter_key_len(iter);
            member = json_object_iter_value(iter);
            if (!first) put_c(t, ',');
            first = false;
            put_string(t, key, key_len);
            put_c(t, ':');
            put_value(t, member, depth + 1);
            iter = json_object_iter_next((json_t *)v, iter);
        }
        put_c(t, '}');
        break;
    }
    case JSON_ARRAY: {
        put_c(t, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !t->failed; i++) {
            if (i) put_c(t, ',');
            put_value(t, json_array_get(v, i), depth + 1);
        }
        put_c(t, ']');
        break;
    }
    case JSON_STRING: put_string(t, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: {
        int n = snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        put(t, num, (size_t)n);
        break;
    }
    case JSON_REAL: {
        mm_gql_js_number_string(json_real_value(v), num);
        put(t, num, strlen(num));
        break;
    }
    case JSON_TRUE: put(t, "true", 4); break;
    case JSON_FALSE: put(t, "false", 5); break;
    case JSON_NULL: put(t, "null", 4); break;
    }
}

char *mm_http_json_text(const json_t *v, size_t *len) {
    text t = {0};
    if (!v) {
        put(&t, "null", 4);
    } else {
        put_value(&t, v, 0);
    }
    if (t.failed) {
        free(t.s);
        return NULL;
    }
    t.s[t.len] = '\0';
    if (len) *len = t.len;
    return t.s;
}
