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

/* Whether any of the 8 bytes in x is a control character, '"' or '\\'
 * (the bytes JSON.stringify escapes): the classic "has a byte less than n"
 * and "has a zero byte" word tricks. Bytes >= 0x80 (UTF-8) never match. */
static inline bool word_needs_escape(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t control = (x - ones * 0x20) & ~x & highs;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t quote = (q - ones) & ~q & highs;
    uint64_t backslash = (b - ones) & ~b & highs;
    return (control | quote | backslash) != 0;
}

/* Loads of 8 and 4 bytes (memcpy with a constant size compiles to one load). */
static inline uint64_t load8(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t load4(const char *p) {
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* Whether any byte of s[0..n) needs an escape. Every byte is looked at
 * (short strings in at most two overlapping words, never past s + n). */
static inline bool needs_escape(const char *s, size_t n) {
    const uint64_t spaces = 0x2020202020202020u;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (word_needs_escape(load8(s + i))) return true;
        return word_needs_escape(load8(s + n - 8));
    }
    if (n >= 4) return word_needs_escape(load4(s) | (uint64_t)load4(s + n - 4) << 32);
    if (n == 0) return false;
    /* 1-3 bytes: the first, middle and last, padded with spaces. */
    uint64_t x = (spaces << 24) | (uint64_t)(unsigned char)s[0] |
                 (uint64_t)(unsigned char)s[n / 2] << 8 | (uint64_t)(unsigned char)s[n - 1] << 16;
    return word_needs_escape(x);
}

/* A string with at least one byte to escape (apart, so that the common
 * case stays a small function). */
__attribute__((noinline)) static void put_string_escaped(mm_json_writer *w, const char *s,
                                                         size_t n) {
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

void mm_json_put_string(mm_json_writer *w, const char *s, size_t n) {
    if (needs_escape(s, n)) {
        put_string_escaped(w, s, n);
        return;
    }
    /* The common case: quotes around the bytes as they are. */
    if (w->len + n + 2 >= w->cap && !mm_json_writer_reserve(w, n + 2)) return;
    char *p = w->s + w->len;
    *p = '"';
    mm_json_copy(p + 1, s, n);
    p[n + 1] = '"';
    w->len += n + 2;
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

static void put_value(mm_json_writer *w, const json_t *v, int depth) {
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
            put_value(w, json_object_iter_value(iter), depth + 1);
        }
        mm_json_put_char(w, '}');
        break;
    }
    case JSON_ARRAY: {
        mm_json_put_char(w, '[');
        size_t n = json_array_size(v);
        for (size_t i = 0; i < n && !w->failed; i++) {
            if (i) mm_json_put_char(w, ',');
            put_value(w, json_array_get(v, i), depth + 1);
        }
        mm_json_put_char(w, ']');
        break;
    }
    case JSON_STRING: mm_json_put_string(w, json_string_value(v), json_string_length(v)); break;
    case JSON_INTEGER: mm_json_put_integer(w, json_integer_value(v)); break;
    case JSON_REAL: mm_json_put_real(w, json_real_value(v)); break;
    case JSON_TRUE: mm_json_put(w, "true", 4); break;
    case JSON_FALSE: mm_json_put(w, "false", 5); break;
    case JSON_NULL: mm_json_put(w, "null", 4); break;
    }
}

void mm_json_put_value(mm_json_writer *w, const json_t *v) {
    if (!v)
        mm_json_put(w, "null", 4);
    else
        put_value(w, v, 0);
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
