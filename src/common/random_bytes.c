/* random_bytes.c -- the per-thread getrandom buffer of random_bytes.h. */
#include "common/random_bytes.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/random.h>

#include "metamorphosis.h"

/* Advanced in every child after fork: a thread's buffer from an older
 * generation was filled in the parent and is dropped. Starts at 1 so that a
 * fresh thread's zeroed buffer (generation 0) is never current. */
static atomic_uint fork_generation = 1;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void on_fork_child(void) { atomic_fetch_add(&fork_generation, 1); }
static void register_atfork(void) { pthread_atfork(NULL, NULL, on_fork_child); }

static _Thread_local struct {
    unsigned char bytes[MM_RANDOM_BUFFER];
    size_t used; /* bytes[used..] not handed out yet */
    unsigned generation;
} pool;

/* Fills buf completely; getrandom may return short reads for large requests
 * or be interrupted by a signal before the pool is initialized. */
static int fill(unsigned char *buf, size_t len) {
    size_t got = 0;
    while (got < len) {
        ssize_t n = getrandom(buf + got, len - got, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            return MM_EIO;
        }
        got += (size_t)n;
    }
    return 0;
}

unsigned mm_random_fork_generation(void) {
    pthread_once(&atfork_once, register_atfork);
    return atomic_load_explicit(&fork_generation, memory_order_relaxed);
}

int mm_random_bytes(void *out, size_t len) {
    unsigned char *dst = out;
    if (len > MM_RANDOM_BUFFER / 4) return fill(dst, len); /* large: no point buffering */
    unsigned gen = atomic_load_explicit(&fork_generation, memory_order_relaxed);
    if (pool.generation != gen || MM_RANDOM_BUFFER - pool.used < len) {
        pthread_once(&atfork_once, register_atfork);
        /* Read the generation again: the first registration happens here,
         * and a fork between the load above and the refill is not a concern
         * (the forking thread is this one). */
        gen = atomic_load_explicit(&fork_generation, memory_order_relaxed);
        pool.used = MM_RANDOM_BUFFER; /* unusable until refilled */
        if (fill(pool.bytes, sizeof pool.bytes) != 0) return MM_EIO;
        pool.used = 0;
        pool.generation = gen;
    }
    assert(pool.used + len <= MM_RANDOM_BUFFER);
    memcpy(dst, pool.bytes + pool.used, len);
    /* Handed-out bytes are wiped so a later core dump or fork cannot show
     * them twice. */
    memset(pool.bytes + pool.used, 0, len);
    pool.used += len;
    return 0;
}
