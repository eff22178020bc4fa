/* random_bytes.h -- bytes from the kernel's CSPRNG (getrandom), taken from a
 * small per-thread buffer so that an id costs a copy, not a system call.
 *
 * Fork-safe: a buffer filled before fork(2) is never used by the child (a
 * pthread_atfork handler advances a generation that every thread's buffer is
 * checked against), so a parent and the workers it forks never hand out the
 * same bytes. */
#ifndef MM_RANDOM_BYTES_H
#define MM_RANDOM_BYTES_H

#include <stddef.h>

/* How many bytes one getrandom call fetches for the calling thread. */
#define MM_RANDOM_BUFFER 512

/* Fill out[0..len) with random bytes. Returns 0, or MM_EIO when the kernel
 * supplies none (getrandom failing other than by EINTR). Any thread. */
int mm_random_bytes(void *out, size_t len);

/* A number that changes in the child at every fork(2) (never 0): per-thread
 * generators seeded from mm_random_bytes compare it with the value they were
 * seeded under and seed again when it differs. Any thread. */
unsigned mm_random_fork_generation(void);

#endif
