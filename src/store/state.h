/* state.h -- application state in Redis for consumers and query resolvers.
 *
 * Values are JSON (stored as JSON text). Every key lives under
 *     <prefix>:state:<service>:<key>
 * so services sharing one Redis never collide and one service's state can be
 * listed or dropped with a single pattern. Strings, hashes (one JSON value per
 * field) and lists (JSON values appended at the tail) cover what the
 * original's examples kept in memory, now visible to every process.
 *
 * Thread-safety: a handle owns one connection and a mutex, so threads may
 * share it (their calls are serialized); for parallel Redis traffic give each
 * thread its own handle. A lost connection is re-opened once per call. Each
 * call has one deadline (mm_state_set_timeout) covering the wait for the
 * handle too, so a hung Redis costs each caller at most that long. The
 * connection is named (CLIENT SETNAME) "<prefix>-state-<service>".
 * Errors: functions return 0 or a negative MM_E* code; mm_state_last_error
 * gives the text of the most recent failure on the handle. */
#ifndef MM_STORE_STATE_H
#define MM_STORE_STATE_H

#include <jansson.h>

#include "metamorphosis.h"

typedef struct mm_state mm_state;

#define MM_STATE_DEFAULT_TIMEOUT_MS 5000

/* Connects. prefix NULL means "mm"; service must be non-empty. NULL with err
 * set on failure. */
mm_state *mm_state_new(const char *redis_url, const char *prefix, const char *service, char *err,
                       size_t err_size);

/* Sets the deadline of each later call (<= 0: the default, 5 s): waiting
 * for the handle, reconnecting and the command together. A call that hits
 * it fails with MM_ETIMEDOUT and is not retried (a lost connection is
 * re-opened once within the deadline). */
void mm_state_set_timeout(mm_state *s, int timeout_ms);

/* These are the public API (metamorphosis.h declares them too). */

/* Deferred writes, for a worker's pipelined loop (service/consumer_runner.c):
 * while on, set, del, hset and hdel only append their command to the
 * connection and return 0; the replies are read by the next read on s or by
 * mm_state_flush_writes, which reports whether any of them failed (then
 * every write since the previous flush must be considered lost). Reads
 * always see earlier writes (Redis runs one connection's commands in order).
 * Turning it off flushes. Only for a handle used by one thread at a time. */
int mm_state_defer_writes(mm_state *s, int on);
int mm_state_flush_writes(mm_state *s, char *err, size_t err_size);
size_t mm_state_pending_writes(mm_state *s);
/* Frees the deferred writes' buffer (kept between flushes, up to 512 KiB)
 * when nothing is waiting in it: a worker gone idle gives it back. */
void mm_state_release_buffers(mm_state *s);
/* Sends the deferred writes now without waiting for their replies, so that
 * Redis works on them while the caller waits for something else. */
void mm_state_send_writes(mm_state *s);

/* Sets key to value; ttl_seconds > 0 makes it expire. */
int mm_state_set(mm_state *s, const char *key, const json_t *value, int ttl_seconds);

/* Gets key: 0 and *value (new reference), or MM_ENOTFOUND. */
int mm_state_get(mm_state *s, const char *key, json_t **value);

/* Deletes key (any kind). 0 whether or not it existed. */
int mm_state_del(mm_state *s, const char *key);

/* Sets field of hash key to value. */
int mm_state_hset(mm_state *s, const char *key, const char *field, const json_t *value);

/* Gets one field: 0 and *value, or MM_ENOTFOUND. */
int mm_state_hget(mm_state *s, const char *key, const char *field, json_t **value);

/* All fields of hash key as a JSON object (empty if the key is missing). */
int mm_state_hgetall(mm_state *s, const char *key, json_t **object);

/* Removes field from hash key. */
int mm_state_hdel(mm_state *s, const char *key, const char *field);

/* Appends value to list key; *length (may be NULL) gets the new length. */
int mm_state_list_append(mm_state *s, const char *key, const json_t *value, long long *length);

/* Elements start..stop (inclusive, negative counts from the end, as LRANGE)
 * of list key as a JSON array (empty if missing). */
int mm_state_list_range(mm_state *s, const char *key, long long start, long long stop,
                        json_t **array);

/* Adds by to the integer at key (created as 0); *value gets the result. */
int mm_state_incr(mm_state *s, const char *key, long long by, long long *value);

/* The full Redis key for key, into buf. 0 or MM_EINVAL if it does not fit. */
int mm_state_key(const mm_state *s, const char *key, char *buf, size_t size);

/* Text of the last failure on s (valid until the next call on s; meaningful
 * only to the thread that made that call). */
const char *mm_state_last_error(mm_state *s);

/* Closes and frees s. NULL is a no-op. */
void mm_state_free(mm_state *s);

#endif
