/* hash.h -- the one string hash of the tree: 64-bit FNV-1a.
 *
 * For the hash tables of names, keys and cached documents. Not keyed: a
 * table fed by untrusted input bounds its probe length or its size itself
 * (or seeds the state, as graphql.c's document cache does with the schema).
 * Inline because the callers are the hot lookups of the GraphQL engine. */
#ifndef MM_COMMON_HASH_H
#define MM_COMMON_HASH_H

#include <stddef.h>
#include <stdint.h>

#define MM_FNV1A_OFFSET UINT64_C(14695981039346656037)
#define MM_FNV1A_PRIME  UINT64_C(1099511628211)

/* Continues a hash h (start from MM_FNV1A_OFFSET) over n bytes. */
static inline uint64_t mm_fnv1a_update(uint64_t h, const void *data, size_t n) {
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * MM_FNV1A_PRIME;
    return h;
}

/* The hash of n bytes. */
static inline uint64_t mm_fnv1a(const void *data, size_t n) {
    return mm_fnv1a_update(MM_FNV1A_OFFSET, data, n);
}

/* The hash of a NUL-terminated string (without its NUL). */
static inline uint64_t mm_fnv1a_str(const char *s) {
    uint64_t h = MM_FNV1A_OFFSET;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * MM_FNV1A_PRIME;
    return h;
}

#endif
