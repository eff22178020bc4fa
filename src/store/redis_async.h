/* redis_async.h -- a non-blocking Redis client for event-loop threads.
 *
 * hiredis 0.14's asynchronous API on a libuv loop (store/redis_uv.h),
 * with what that API lacks:
 *   - a small POOL of connections (each command goes to the connected one
 *     with the fewest replies outstanding);
 *   - a DEADLINE per command (a uv timer: hiredis 0.14 has no per-command
 *     timeout). When it passes, the caller is answered with MM_ETIMEDOUT at
 *     once, and the connection the command was sent on is dropped and
 *     re-opened with backoff: a Redis that does not answer one command within
 *     its deadline is treated as hung, so commands stop piling up behind it;
 *   - BOUNDED queues: at most max_inflight commands per connection, and the
 *     commands waiting for a connection (or handed over from other threads)
 *     are bounded in bytes; beyond that a command is refused with MM_ELIMIT;
 *   - a connect deadline, AUTH / SELECT / CLIENT SETNAME from the URL, and
 *     reconnection with exponential backoff.
 *
 * Threads. Everything runs on the loop's thread, except
 * mm_redis_async_submit(), which any thread may call: it formats the command
 * on the calling thread and hands it to the loop through a uv_async_t.
 * Callbacks always run on the loop thread, exactly once per accepted command,
 * and never from inside the call that queued the command.
 *
 * A host name in the URL is resolved by hiredis with getaddrinfo() on the
 * loop thread at each (re)connect; use an IP address or a Unix socket where
 * that matters. */
#ifndef MM_STORE_REDIS_ASYNC_H
#define MM_STORE_REDIS_ASYNC_H

#include <hiredis/hiredis.h>
#include <stddef.h>

struct uv_loop_s;
typedef struct mm_redis_async mm_redis_async;

typedef struct mm_redis_async_config {
    const char *url;         /* redis_url.h syntax */
    const char *client_name; /* CLIENT SETNAME; NULL: none */
    unsigned connections;    /* pool size; 0: 2 */
    int connect_timeout_ms;  /* TCP connect + handshake; 0: 1000 */
    int reconnect_min_ms;    /* first backoff; 0: 100 */
    int reconnect_max_ms;    /* backoff cap; 0: 2000 */
    unsigned max_inflight;   /* replies outstanding per connection; 0: 256 */
    size_t max_queued_bytes; /* formatted commands waiting; 0: 1 MiB */
} mm_redis_async_config;

/* The answer to one command, on the loop thread. status 0: reply is the
 * reply (borrowed for the call; it may be a Redis error reply, type
 * REDIS_REPLY_ERROR). Otherwise reply is NULL, status is MM_ETIMEDOUT (the
 * deadline passed), MM_EREDIS (no connection, connection lost, or the client
 * is closing) or MM_ELIMIT (a queue was full), and err says which. */
typedef void (*mm_redis_async_cb)(void *ud, int status, redisReply *reply, const char *err);

/* Creates the pool on loop and starts connecting. Call on the loop's thread
 * (or before the loop runs). NULL with err set on a bad URL or no memory. */
mm_redis_async *mm_redis_async_new(struct uv_loop_s *loop, const mm_redis_async_config *cfg,
                                   char *err, size_t err_size);

/* Sends one command (argv/argvlen as redisCommandArgv; argvlen NULL: strlen)
 * that must be answered within deadline_ms (> 0). Loop thread only.
 * Returns 0 (cb will run exactly once, later), or MM_EREDIS (every
 * connection is down: fail fast), MM_ELIMIT (queue full), MM_ENOMEM; cb is
 * then never called. */
int mm_redis_async_command(mm_redis_async *r, int deadline_ms, mm_redis_async_cb cb, void *ud,
                           int argc, const char **argv, const size_t *argvlen);

/* The same from any thread: the deadline counts from this call. Returns 0
 * (cb will run exactly once on the loop thread) or MM_ELIMIT / MM_ENOMEM /
 * MM_EREDIS (closing); cb is then never called. */
int mm_redis_async_submit(mm_redis_async *r, int deadline_ms, mm_redis_async_cb cb, void *ud,
                          int argc, const char **argv, const size_t *argvlen);

/* Connections up right now (any thread; a snapshot). */
unsigned mm_redis_async_connected(const mm_redis_async *r);

typedef struct mm_redis_async_stats {
    unsigned long long sent, replied, timed_out, failed, refused, reconnects;
} mm_redis_async_stats;

/* Counters (any thread; a snapshot). */
void mm_redis_async_get_stats(const mm_redis_async *r, mm_redis_async_stats *out);

/* Fails every command not yet answered (MM_EREDIS, "closing"), closes the
 * connections and handles, and releases r once libuv has closed them: run
 * the loop (uv_run) afterwards until it has no more handles. Loop thread
 * only. NULL is a no-op. */
void mm_redis_async_free(mm_redis_async *r);

#endif
