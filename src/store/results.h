/* results.h -- the outcome of an event, kept in Redis for whoever waits.
 *
 * A consumer that handled event E stores E's result document under
 *     <prefix>:result:<E.id>                (string, JSON, with a TTL)
 * and, if a server waits for it (E's ce_mmreplyto header names that server),
 * publishes the same document on
 *     <prefix>:done:<server-id>             (pub/sub channel)
 * in one MULTI/EXEC, so a notified server can never miss the key and a key
 * never exists without its notification having been sent. One channel per
 * server (not per event) means each server holds exactly one subscription,
 * made once at start, and a result wakes exactly the server that waits: no
 * SUBSCRIBE/UNSUBSCRIBE per request, no broadcast to every server. The
 * message carries the whole document so the woken server needs no GET.
 * docs/redis-keys.md has the full layout.
 *
 * Result documents:
 *   {"sourceEventId": ID, "status": "ok",    "event": <CloudEvent JSON>}
 *   {"sourceEventId": ID, "status": "error", "error": {"namespace", "className",
 *        "message", "code", "data", "sourceEventId"}}
 *
 * A handle owns one connection guarded by a mutex, so it may be shared by
 * threads (calls are serialized); a lost connection is re-opened once per
 * call. */
#ifndef MM_STORE_RESULTS_H
#define MM_STORE_RESULTS_H

#include <jansson.h>
#include <stddef.h>

#define MM_STORE_DEFAULT_PREFIX "mm"
#define MM_RESULT_DEFAULT_TTL   3600 /* seconds: an hour to come back for a result */

typedef struct mm_result_store mm_result_store;

/* Writes "<prefix>:result:<event_id>" into buf. Returns 0, or MM_EINVAL if it
 * does not fit. */
int mm_result_key(const char *prefix, const char *event_id, char *buf, size_t size);

/* Writes "<prefix>:done:<server_id>" into buf. */
int mm_result_channel(const char *prefix, const char *server_id, char *buf, size_t size);

/* A result document for a handler that emitted event_json (structured
 * CloudEvent, see mm_event_to_json). New reference; NULL if out of memory. */
json_t *mm_result_doc_event(const char *source_event_id, json_t *event_json);

/* The JSON text of mm_result_doc_event(source_event_id, mm_event_to_json(ev))
 * built without a JSON tree: data_json is ev's data already encoded (the
 * value produced to Kafka), copied in as is. malloc'd, *len bytes (plus a
 * NUL); NULL if out of memory. */
struct mm_event;
char *mm_result_text_event(const char *source_event_id, const struct mm_event *ev,
                           const char *data_json, size_t data_len, size_t *len);
/* The same text written into *buf (capacity *cap, grown with realloc as
 * needed; both may start NULL/0), so a caller can reuse one buffer for
 * many results. Returns 0, or MM_ENOMEM (*buf stays valid to free). */
int mm_result_text_event_into(char **buf, size_t *cap, const char *source_event_id,
                              const struct mm_event *ev, const char *data_json, size_t data_len,
                              size_t *len);

/* A result document for a failed handler. Strings may be NULL (stored as
 * null); data is borrowed (NULL: null). */
json_t *mm_result_doc_error(const char *source_event_id, const char *ns, const char *class_name,
                            const char *message, const char *code, json_t *data);

/* Connects to redis_url. prefix NULL means "mm"; ttl_seconds <= 0 means
 * MM_RESULT_DEFAULT_TTL. NULL with err set on failure. */
mm_result_store *mm_result_store_new(const char *redis_url, const char *prefix, int ttl_seconds,
                                     char *err, size_t err_size);

/* Stores doc for event_id (overwriting: a re-delivered event replaces its own
 * result) and, when reply_to is not NULL, notifies that server, atomically.
 * *receivers (may be NULL) gets how many subscribers the notification
 * reached (0 if reply_to is NULL). Returns 0 or MM_EREDIS/MM_EINVAL. */
int mm_result_store_put(mm_result_store *s, const char *event_id, const char *reply_to,
                        const json_t *doc, long long *receivers, char *err, size_t err_size);

/* One result of a batch (mm_result_store_put_many). */
typedef struct mm_result_put {
    const char *event_id;
    const char *reply_to; /* NULL: nobody to notify */
    const json_t *doc;    /* the document, or NULL when text is given */
    const char *text;     /* or: its JSON text already (mm_result_text_event) */
    size_t text_len;
    int if_absent; /* nonzero (exactly-once consumers): keep a result already
                      stored for event_id, and notify with that one (RESULT_NX) */
    int status;    /* out: 0, MM_EINVAL (bad id/doc: will never store),
                               MM_EREDIS (not stored: Redis failed), MM_ENOMEM */
} mm_result_put;

/* Stores n results in one round trip: every SET (and PUBLISH) in one
 * MULTI/EXEC, so each result's key and notification still go together.
 * An item with if_absent is written by a server-side script instead: SET NX,
 * and the notification carries whatever the key then holds, so a replayed
 * handler cannot change a result already stored and its caller is told the
 * stored one either way (docs/exactly-once.md).
 * Items that cannot be keyed (ids over MM_LIMIT_ID_BYTES, bus/limits.h) get
 * MM_EINVAL and are left out. Returns 0 when the transaction ran (see each
 * item's status), or MM_EREDIS when Redis could not be reached (every valid
 * item then has MM_EREDIS; retrying later is safe: SET overwrites). */
int mm_result_store_put_many(mm_result_store *s, mm_result_put *items, size_t n, char *err,
                             size_t err_size);

/* Fetches the document stored for event_id: 0 and *doc (new reference),
 * MM_ENOTFOUND if none (never stored or expired), MM_EREDIS on failure. */
int mm_result_store_get(mm_result_store *s, const char *event_id, json_t **doc, char *err,
                        size_t err_size);

/* Frees the batch buffer kept for the next put_many (up to ~1 MiB after a
 * large batch): a worker gone idle gives it back (service/consumer_runner.c).
 * The next batch allocates a fresh one. */
void mm_result_store_release_buffers(mm_result_store *s);

/* Closes the connection and frees s. NULL is a no-op. */
void mm_result_store_free(mm_result_store *s);

#endif
