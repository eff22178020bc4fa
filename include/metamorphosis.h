/*
 * metamorphosis.h -- the public API of Metamorphosis, an event-streaming
 * microframework: GraphQL event mutations publish events to Kafka, consumers
 * in Kafka consumer groups handle them, Redis holds results and state.
 *
 * This is the only header a service includes. Conventions (after libuv):
 *   - functions are mm_<noun>_<verb>; handles are opaque pointers;
 *   - functions that can fail return an int: 0 on success, a negative
 *     MM_E* code on failure; mm_strerror() names the code;
 *   - whoever creates a handle frees it with the matching _free function.
 */
#ifndef METAMORPHOSIS_H
#define METAMORPHOSIS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MM_VERSION_MAJOR 0
#define MM_VERSION_MINOR 1
#define MM_VERSION_PATCH 0

/* Error codes. All are negative so that "< 0" means failure everywhere. */
typedef enum mm_error {
    MM_OK = 0,
    MM_ENOMEM = -1,    /* out of memory */
    MM_EINVAL = -2,    /* invalid argument or input */
    MM_ESYNTAX = -3,   /* malformed document (GraphQL, JSON, YAML) */
    MM_ENOTFOUND = -4, /* no such thing (key, type, field, service) */
    MM_EEXIST = -5,    /* already defined */
    MM_EIO = -6,       /* I/O or network failure */
    MM_ETIMEDOUT = -7, /* a deadline passed */
    MM_EKAFKA = -8,    /* the Kafka client reported an error */
    MM_EREDIS = -9,    /* the Redis client reported an error */
    MM_ELIMIT = -10,   /* a configured limit was exceeded */
    MM_EAUTH = -11,    /* unauthorized */
} mm_error;

/* A static, human-readable name for an mm_error code. Never NULL. */
const char *mm_strerror(int code);

/* The library's version as "MAJOR.MINOR.PATCH". */
const char *mm_version(void);

#ifdef __cplusplus
}
#endif
#endif /* METAMORPHOSIS_H */
