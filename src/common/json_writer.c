/* json_writer.c -- the direct JSON writer of json_writer.h. */
#include "common/json_writer.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/js_number.h"

bool mm_json_writer_reserve(mm_json_writer *w, size_t n) {
    if (w->failed) return false;
    assert(w->s ? w->len < w->cap : w->len == 0 && w->cap == 0);
    if (w->len + n < w->cap) return true;
    if (n > SIZE_MAX / 2 - w->len) goto fail;
    if (w->limit && w->len + n > w->limit) {
        mm_json_writer_fail(w);
        w->over_limit = true;
        return false;
    }
    size_t cap = w->cap ? w->cap : 1024;
    while (cap <= w->len + n) {
        if (cap > SIZE_MAX / 2) goto fail;
        cap *= 2;
    }
    /* Never more than the limit allows (and its NUL): the doubling would
     * otherwise reserve up to twice the limit. */
    if (w->limit && cap > w->limit + 1) cap = w->limit + 1;
    char *p = realloc(w->s, cap);
    if (!p) goto fail;
    w->s = p;
    w->cap = cap;
    return true;
fail:
    mm_json_writer_fail(w);
    return false;
}

void mm_json_writer_fail(mm_json_writer *w) {
    /* Nothing written after a failure may look like a complete text. */
    size_t limit = w->limit;
    bool over = w->over_limit;
    mm_json_writer_release(w);
    w->failed = true;
    w->over_limit = over;
    w->limit = limit;
}

void mm_json_put_string_escaped(mm_json_writer *w, const char *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == '"' || c == '\\') break;
        i++;
    }
    mm_json_put_char(w, '"');
    size_t run = 0; /* start of the bytes not yet copied */
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        mm_json_put(w, s + run, i - run);
        run = i + 1;
        switch (c) {
        case '"': mm_json_put(w, "\\\"", 2); break;
        case '\\': mm_json_put(w, "\\\\", 2); break;
        case '\b': mm_json_put(w, "\\b", 2); break;
        case '\f': mm_json_put(w, "\\f", 2); break;
        case '\n': mm_json_put(w, "\\n", 2); break;
        case '\r': mm_json_put(w, "\\r", 2); break;
        case '\t': mm_json_put(w, "\\t", 2); break;
        default: {
            char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            mm_json_put(w, u, 6);
        }
        }
    }
    mm_json_put(w, s + run, n - run);
    mm_json_put_char(w, '"');
}

void mm_json_put_integer(mm_json_writer *w, json_int_t v) {
    /* Digits backwards into a small buffer; no printf on the hot path. */
    char buf[24];
    size_t i = sizeof buf;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        buf[--i] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) buf[--i] = '-';
    mm_json_put(w, buf + i, sizeof buf - i);
}

void mm_json_put_real(mm_json_writer *w, double v) {
    char num[32];
    mm_js_number_string(v, num);
    mm_json_put(w, num, strlen(num));
}

/* typed_reals: a real is written with a fraction or an exponent ("1.0", not
 * "1"), so that it is read back as a real (json_real), as json_dumps writes. */
static void put_value(mm_json_writer *w, const json_t *v, int depth, bool typed_reals) {
    if (depth > MM_JSON_TEXT_MAX_DEPTH) {
        mm_json_writer_fail(w);
        return;
    }
    switch (json_typeof(v)) {
    case JSON_OBJECT: {
        mm_json_put_char(w, '{');
        bool first = true;
        for (void *iter = json_object_iter((json_t *)v); iter && !w->failed;
             iter = json_object_iter_next((json_t *)v, iter)) {
            if (!first) mm_json_put_char(w, ',');
            first = false;
            mm_json_put_string(w, json_object_iter_key(iter), json_object_iter_key_len(iter));
            mm_json_put_char(w, ':');
            put_value(w, json_object_iter_value(iter), depth + 1, typed_reals);
        }
        mm_json_put_char(w, '}');
        break;
    }
    case JSON_ARRAY: {
        mm_json_put_char(w, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !w->failed; i++) {
            if (i) mm_json_put_char(w, ',');
            put_value(w, json_array_get(v, i), depth + 1, typed_reals);
        }
        mm_json_put_char(w, ']');
        break;
    }
    case JSON_STRING: mm_json_put_string(w, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: mm_json_put_integer(w, json_integer_value(v)); break;
    case JSON_REAL: {
        char num[40];
        mm_js_number_string(json_real_value(v), num);
        size_t n = strlen(num);
        if (typed_reals && !strpbrk(num, ".e")) memcpy(num + n, ".0", 3), n += 2;
        mm_json_put(w, num, n);
        break;
    }
    case JSON_TRUE: mm_json_put(w, "true", 4); break;
    case JSON_FALSE: mm_json_put(w, "false", 5); break;
    case JSON_NULL: mm_json_put(w, "null", 4); break;
    }
}

void mm_json_put_value(mm_json_writer *w, const json_t *v) {
    if (!v)
        mm_json_put(w, "null", 4);
    else
        put_value(w, v, 0, false);
}

char *mm_json_writer_take(mm_json_writer *w, size_t *len) {
    if (!mm_json_writer_reserve(w, 0)) return NULL; /* also makes room for the NUL */
    char *s = w->s;
    s[w->len] = '\0';
    if (len) *len = w->len;
    *w = (mm_json_writer)MM_JSON_WRITER_INIT;
    return s;
}

void mm_json_writer_release(mm_json_writer *w) {
    free(w->s);
    *w = (mm_json_writer)MM_JSON_WRITER_INIT;
}

char *mm_json_text(const json_t *v, size_t *len) {
    mm_json_writer w = MM_JSON_WRITER_INIT;
    mm_json_put_value(&w, v);
    return mm_json_writer_take(&w, len);
}

char *mm_json_text_typed(const json_t *v, size_t *len) {
    mm_json_writer w = MM_JSON_WRITER_INIT;
    if (!v)
        mm_json_put(&w, "null", 4);
    else
        put_value(&w, v, 0, true);
    return mm_json_writer_take(&w, len);
}
