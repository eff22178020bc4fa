/* strbuf.h -- the one growable string buffer of the tree.
 *
 * Text is appended, always NUL-terminated, and grows geometrically either
 * on the heap (realloc) or in an arena (a bigger block is taken from the
 * arena and the old one left to die with it), chosen at init. A failed
 * allocation does not interrupt the caller: the buffer remembers it
 * (failed), ignores further appends and hands out NULL at the end, so a
 * printer appends freely and checks once. */
#ifndef MM_COMMON_STRBUF_H
#define MM_COMMON_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"

typedef struct mm_strbuf {
    char *data;      /* NULL until something is appended; then NUL-terminated */
    size_t len;      /* bytes before the NUL */
    size_t cap;      /* bytes allocated at data */
    mm_arena *arena; /* NULL: heap */
    bool failed;     /* an allocation failed: data is unusable */
} mm_strbuf;

/* An empty heap buffer, for `mm_strbuf b = MM_STRBUF_INIT;`. */
#define MM_STRBUF_INIT \
    { NULL, 0, 0, NULL, false }

/* An empty buffer on the heap (arena NULL) or in arena. */
void mm_strbuf_init(mm_strbuf *b, mm_arena *arena);

/* Makes room for extra more bytes (and the NUL); false once failed. */
bool mm_strbuf_reserve(mm_strbuf *b, size_t extra);

void mm_strbuf_append(mm_strbuf *b, const char *s, size_t n);
void mm_strbuf_puts(mm_strbuf *b, const char *s);
void mm_strbuf_putc(mm_strbuf *b, char c);
void mm_strbuf_printf(mm_strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void mm_strbuf_vprintf(mm_strbuf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* The text so far ("" when empty), or NULL when an allocation failed.
 * Borrowed: valid until the next append. */
const char *mm_strbuf_str(const mm_strbuf *b);

/* Hands the text over ("" when empty; NULL when an allocation failed) and
 * leaves b empty. Heap: the caller free()s it; arena: it lives in the arena. */
char *mm_strbuf_take(mm_strbuf *b);

/* Releases a heap buffer's memory (an arena's stays with the arena) and
 * leaves b empty, failed cleared. */
void mm_strbuf_free(mm_strbuf *b);

#endif
