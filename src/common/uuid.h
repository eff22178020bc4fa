/* uuid.h -- random (version 4) UUIDs, used as event ids and server ids.
 *
 * Ids must be unique across processes and hosts without coordination, so they
 * come from the kernel's CSPRNG (getrandom), never from rand(). */
#ifndef MM_UUID_H
#define MM_UUID_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the canonical text form "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx". */
#define MM_UUID_STRLEN 36

/* Writes a new random UUID in canonical lowercase form plus a NUL into out
 * (at least MM_UUID_STRLEN + 1 bytes). Returns 0, or MM_EIO if the kernel
 * could not supply randomness. */
int mm_uuid_v4(char out[MM_UUID_STRLEN + 1]);

/* True if s (len bytes) is a UUID in canonical form (any version, either
 * case). Used to sanity-check ids that arrive from outside. */
bool mm_uuid_is_valid(const char *s, size_t len);

#endif
