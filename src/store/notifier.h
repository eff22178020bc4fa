/* notifier.h -- the server side of waiting for results: wakes the request
 * that waits for event E as soon as E's result is stored, by push.
 *
 * ONE Redis subscriber connection per process (hiredis's async API on a
 * libuv loop: the server's dependencies loop, or the notifier's own loop
 * thread), subscribed to this server's channel "<prefix>:done:<server-id>"
 * (see results.h), dispatches each notification to the waiter registered
 * for its event id. Nothing blocks and nothing sleep-polls; a heartbeat
 * published on the channel every second proves the subscription alive.
 *
 * Protocol for a synchronous mutation:
 *   1. mm_notifier_wait_register(E.id, cb, ud)   -- BEFORE producing E
 *   2. produce E with ce_mmreplyto = mm_notifier_server_id()
 *   3. cb(ud, E.id, doc) fires once on the loop thread, or the caller
 *      times out and calls mm_notifier_wait_unregister(E.id).
 *
 * Whenever the subscription is (re)established the notifier also GETs the
 * result keys of every registered waiter (through the async client, with a
 * deadline), so a result stored while the connection was down (its PUBLISH
 * reached nobody) is still delivered. If Redis goes away, hangs (no
 * heartbeat for 3.5 s) or does not confirm SUBSCRIBE within 2 s, the
 * notifier reconnects with exponential backoff. */
#ifndef MM_STORE_NOTIFIER_H
#define MM_STORE_NOTIFIER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/loop_thread.h"
#include "store/redis_async.h"

typedef struct mm_notifier mm_notifier;

/* A result arrived for event_id. doc is the stored result document (see
 * results.h), borrowed for the call (json_incref to keep it). Runs on the
 * loop thread: keep it short (e.g. hand over to another thread). It may
 * call mm_notifier_wait_register/unregister for other ids. */
typedef void (*mm_result_cb)(void *ud, const char *event_id, json_t *doc);

typedef struct mm_notifier_config {
    const char *redis_url;
    const char *prefix;          /* key prefix; NULL: "mm" */
    const char *server_id;       /* this server's id; NULL: a fresh UUIDv4 */
    int reconnect_min_ms;        /* first backoff after a failure; 0: 100 */
    int reconnect_max_ms;        /* backoff cap; 0: 5000 */
    mm_loop_thread *loop_thread; /* where to live; NULL: a loop thread of its own */
    mm_redis_async *redis;       /* with loop_thread: a client on that loop for the
                                  re-check MGETs and heartbeats (same Redis) */
} mm_notifier_config;

typedef struct mm_notifier_stats {
    uint64_t pushed;     /* results delivered from a pub/sub notification */
    uint64_t rechecked;  /* results delivered by the re-check after (re)subscribing */
    uint64_t subscribes; /* subscriptions established (1 + reconnects) */
    uint64_t unparsed;   /* notifications for no waiter, dropped before parsing */
    uint64_t waiting;    /* waiters registered right now */
    int subscribed;      /* 1 while the subscription is up */
} mm_notifier_stats;

/* Starts the notifier; it connects and subscribes in the background
 * (see mm_notifier_wait_ready). Returns NULL with err set only for bad
 * configuration (unparsable URL) or resource failure; an unreachable Redis
 * is retried. */
mm_notifier *mm_notifier_start(const mm_notifier_config *cfg, char *err, size_t err_size);

/* The server id to put in ce_mmreplyto. Valid until mm_notifier_free. */
const char *mm_notifier_server_id(const mm_notifier *n);

/* Waits until the subscription is established. 0, or MM_ETIMEDOUT. */
int mm_notifier_wait_ready(mm_notifier *n, int timeout_ms);

/* Registers a one-shot waiter for event_id. Returns 0, MM_EEXIST if one is
 * already registered for that id, MM_EINVAL/MM_ENOMEM. */
int mm_notifier_wait_register(mm_notifier *n, const char *event_id, mm_result_cb cb, void *ud);

/* Removes the waiter for event_id. Returns 0 if it was removed before firing
 * (cb will never run), or MM_ENOTFOUND if it already fired (or was never
 * registered). In both cases cb is not running when this returns, so ud may
 * be freed. Must not be called from cb for cb's own id. */
int mm_notifier_wait_unregister(mm_notifier *n, const char *event_id);

void mm_notifier_get_stats(mm_notifier *n, mm_notifier_stats *out);

/* Closes the subscription (waiting for re-check answers still out, bounded
 * by their 2 s deadline) and frees n; not from the loop thread. Waiters still
 * registered are dropped without their callbacks firing. NULL is a no-op. */
void mm_notifier_free(mm_notifier *n);

#endif
