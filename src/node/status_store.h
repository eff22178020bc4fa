/* status_store.h -- the service-web status of nodes in Redis.
 *
 * Layout (docs/redis-keys.md, "Service-web status"), for service-web topic T:
 *     mm:web:T:nodes          sorted set: node name -> expiry (Unix ms)
 *     mm:web:T:node:<name>    string: the node's JSON document, EX ttl
 * A node rewrites both every refresh; readers take the names whose score is
 * in the future and GET their documents. A node that dies stops refreshing:
 * its document expires and its name is pruned by the next writer, so a dead
 * node vanishes from the map within one TTL. On a clean exit the node
 * deletes both. */
#ifndef MM_NODE_STATUS_STORE_H
#define MM_NODE_STATUS_STORE_H

#include <jansson.h>
#include <stddef.h>

typedef struct mm_status_store mm_status_store;

/* Remembers where to write; connects lazily (and again after a failure,
 * with backoff 100 ms doubling to 5 s), so Redis being away is not an error
 * here. NULL with err set on a malformed URL. */
mm_status_store *mm_status_store_new(const char *redis_url, const char *web_topic, char *err,
                                     size_t err_size);

/* Writes node's document with a TTL. Returns 0, or MM_EREDIS with err set
 * (including "backing off" while a reconnect is not yet due). */
int mm_status_store_put(mm_status_store *s, const char *node, const json_t *doc, int ttl_ms,
                        char *err, size_t err_size);

/* Deletes node's document and name. */
int mm_status_store_remove(mm_status_store *s, const char *node, char *err, size_t err_size);

/* Every live node's document, as a JSON array (new
 * reference in *nodes). */
int mm_status_store_read(mm_status_store *s, json_t **nodes, char *err, size_t err_size);

void mm_status_store_free(mm_status_store *s);

#endif
