/* listener.h -- a node's reader of the service-web topic.
 *
 * Every node must see every control event, so the listener is not a member
 * of a shared consumer group: it assigns itself every partition of the topic
 * at the high watermark it finds when it starts (old commands are never
 * replayed) and never commits. Its client carries the group id
 * "<topic>.node.<node-name>" only so that it can be told apart in broker
 * tools. If Kafka is away at start the listener retries (1 s doubling to
 * 30 s) while the node runs its workers; events published before the
 * listener is assigned are not seen. The topic is created (1 partition)
 * when it does not exist. */
#ifndef MM_NODE_LISTENER_H
#define MM_NODE_LISTENER_H

#include <stddef.h>

#include "bus/kafka_conf.h"
#include "node/control.h"

typedef struct mm_listener mm_listener;

/* Creates the client (no network yet). NULL with err set on a bad property. */
mm_listener *mm_listener_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                             const char *topic, const char *node_name, char *err, size_t err_size);

/* Assigns the partitions if not done yet and due; returns 1 once assigned,
 * 0 while waiting (failures are logged, with backoff). */
int mm_listener_ensure_assigned(mm_listener *l);

/* A descriptor that becomes readable when messages are waiting (drain it
 * with mm_listener_poll); -1 before assignment. */
int mm_listener_fd(mm_listener *l);

/* Calls fn for every control event waiting, without blocking. Messages that
 * are not control events, or malformed ones, are logged and skipped. */
void mm_listener_poll(mm_listener *l, void (*fn)(void *ud, const mm_control *c), void *ud);

void mm_listener_free(mm_listener *l);

#endif
