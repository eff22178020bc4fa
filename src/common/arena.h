/* arena.h -- a bump allocator for memory that dies all at once.
 *
 * A GraphQL request (its tokens, AST, validation state and intermediate
 * results) allocates from one arena and frees it with a single call, so the
 * hot path makes few malloc calls and cannot leak piecemeal. Blocks grow
 * geometrically; an allocation larger than a block gets a block of its own. */
#ifndef MM_ARENA_H
#define MM_ARENA_H

#include <stddef.h>

typedef struct mm_arena_block mm_arena_block;

typedef struct mm_arena {
    mm_arena_block *head; /* the block being filled; older blocks chain behind */
    size_t next_size;     /* size of the next block to allocate */
    size_t total;         /* bytes handed out, for limits and metrics */
} mm_arena;

/* Prepares an empty arena; the first allocation fetches the first block. */
void mm_arena_init(mm_arena *arena);

/* Frees every block; the arena is empty and reusable afterwards. */
void mm_arena_reset(mm_arena *arena);

/* size bytes aligned for any type, or NULL when out of memory. */
void *mm_arena_alloc(mm_arena *arena, size_t size);

/* Like mm_arena_alloc, zero-filled. */
void *mm_arena_calloc(mm_arena *arena, size_t count, size_t size);

/* A NUL-terminated copy of len bytes of s. */
char *mm_arena_strndup(mm_arena *arena, const char *s, size_t len);

/* A NUL-terminated copy of s. */
char *mm_arena_strdup(mm_arena *arena, const char *s);

/* Bytes the arena holds from malloc (its blocks, headers included): what it
 * costs, as opposed to `total`, what was handed out. Walks the blocks. */
size_t mm_arena_reserved(const mm_arena *arena);

/* printf into the arena. */
char *mm_arena_sprintf(mm_arena *arena, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
