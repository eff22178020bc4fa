/* arena.c -- the bump allocator of arena.h. */
#include "common/arena.h"

#include <stdalign.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK   (1024 * 1024)

struct mm_arena_block {
    mm_arena_block *prev;
    size_t used;
    size_t size;
    alignas(max_align_t) unsigned char data[];
};

void mm_arena_init(mm_arena *arena) {
    arena->head = NULL;
    arena->next_size = ARENA_FIRST_BLOCK;
    arena->total = 0;
}

void mm_arena_reset(mm_arena *arena) {
    mm_arena_block *b = arena->head;
    while (b) {
        mm_arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    mm_arena_init(arena);
}

size_t mm_arena_reserved(const mm_arena *arena) {
    size_t n = 0;
    for (const mm_arena_block *b = arena->head; b; b = b->prev) n += sizeof(*b) + b->size;
    return n;
}

static size_t align_up(size_t n) {
    const size_t a = alignof(max_align_t);
    return (n + a - 1) & ~(a - 1);
}

void *mm_arena_alloc(mm_arena *arena, size_t size) {
    if (size == 0) size = 1;
    if (size > SIZE_MAX / 2) return NULL;
    size = align_up(size);
    mm_arena_block *b = arena->head;
    if (!b || b->size - b->used < size) {
        size_t want = arena->next_size;
        if (want < size) want = size;
        b = malloc(sizeof(*b) + want);
        if (!b) return NULL;
        b->size = want;
        b->used = 0;
        /* A huge one-off allocation goes behind the current block so the
         * current block's free space is not abandoned. */
        if (arena->head && want > arena->next_size) {
            b->prev = arena->head->prev;
            arena->head->prev = b;
        } else {
            b->prev = arena->head;
            arena->head = b;
            if (arena->next_size < ARENA_MAX_BLOCK) arena->next_size *= 2;
        }
    }
    void *p = b->data + b->used;
    b->used += size;
    arena->total += size;
    return p;
}

void *mm_arena_calloc(mm_arena *arena, size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    void *p = mm_arena_alloc(arena, count * size);
    if (p) memset(p, 0, count * size);
    return p;
}

char *mm_arena_strndup(mm_arena *arena, const char *s, size_t len) {
    char *p = mm_arena_alloc(arena, len + 1);
    if (!p) return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

char *mm_arena_strdup(mm_arena *arena, const char *s) {
    return mm_arena_strndup(arena, s, strlen(s));
}

char *mm_arena_sprintf(mm_arena *arena, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = mm_arena_alloc(arena, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}
