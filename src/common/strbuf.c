/* strbuf.c -- the growable string buffer (strbuf.h). */
#include "common/strbuf.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_CAP 64

void mm_strbuf_init(mm_strbuf *b, mm_arena *arena) {
    *b = (mm_strbuf)MM_STRBUF_INIT;
    b->arena = arena;
}

bool mm_strbuf_reserve(mm_strbuf *b, size_t extra) {
    if (b->failed) return false;
    assert(b->data ? b->len < b->cap : b->len == 0 && b->cap == 0);
    if (extra >= SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return true;
    size_t cap = b->cap ? b->cap * 2 : FIRST_CAP;
    while (cap < need) cap *= 2;
    char *d;
    if (b->arena) {
        d = mm_arena_alloc(b->arena, cap);
        if (d && b->data) memcpy(d, b->data, b->len + 1);
    } else {
        d = realloc(b->data, cap);
    }
    if (!d) {
        b->failed = true;
        return false;
    }
    if (!b->data) d[0] = '\0';
    b->data = d;
    b->cap = cap;
    return true;
}

void mm_strbuf_append(mm_strbuf *b, const char *s, size_t n) {
    if (!mm_strbuf_reserve(b, n)) return;
    if (n) memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void mm_strbuf_puts(mm_strbuf *b, const char *s) { mm_strbuf_append(b, s, strlen(s)); }

void mm_strbuf_putc(mm_strbuf *b, char c) { mm_strbuf_append(b, &c, 1); }

void mm_strbuf_vprintf(mm_strbuf *b, const char *fmt, va_list ap) {
    if (b->failed) return;
    va_list again;
    va_copy(again, ap);
    /* First try in the room there is; most calls fit. */
    size_t room = b->cap > b->len ? b->cap - b->len : 0;
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
    if (n < 0) {
        b->failed = true;
    } else if ((size_t)n < room) {
        b->len += (size_t)n;
    } else if (mm_strbuf_reserve(b, (size_t)n)) {
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, again);
        b->len += (size_t)n;
    }
    va_end(again);
    /* A failed or truncated first try may have written past len: restore the NUL. */
    if (b->data && !b->failed) b->data[b->len] = '\0';
}

void mm_strbuf_printf(mm_strbuf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    mm_strbuf_vprintf(b, fmt, ap);
    va_end(ap);
}

const char *mm_strbuf_str(const mm_strbuf *b) {
    if (b->failed) return NULL;
    return b->data ? b->data : "";
}

char *mm_strbuf_take(mm_strbuf *b) {
    char *out = NULL;
    if (!b->failed) {
        out = b->data;
        if (!out) out = b->arena ? mm_arena_strdup(b->arena, "") : strdup("");
        b->data = NULL;
    }
    mm_arena *arena = b->arena;
    mm_strbuf_free(b);
    b->arena = arena;
    return out;
}

void mm_strbuf_free(mm_strbuf *b) {
    if (!b->arena) free(b->data);
    mm_arena *arena = b->arena;
    mm_strbuf_init(b, arena);
}
