/* consumer_txn.h -- the exactly-once mode of a consumer runner
 * (docs/exactly-once.md): the worker slot's transactional producer
 * (bus/transaction.h) and the consumer loop's transaction hooks
 * (bus/consumer.h, mm_consumer_txn_hooks) that batch events into
 * transactions, bounded by count, bytes and time. */
#ifndef MM_SERVICE_CONSUMER_TXN_H
#define MM_SERVICE_CONSUMER_TXN_H

#include <stdbool.h>
#include <stddef.h>

#include "bus/consumer.h"
#include "bus/producer.h"
#include "service/runtime.h"
#include "service/service_internal.h"

/* A transaction ends after this many events taken, this many bytes of them,
 * or this long after its first event, whichever comes first. */
#define MM_TXN_MAX_EVENTS 2000
#define MM_TXN_MAX_BYTES  (16u << 20)
#define MM_TXN_MAX_MS     100
/* Deadline of each transactional call (init, offsets, commit, abort). */
#define MM_TXN_CALL_MS 10000

typedef struct mm_consumer_txn mm_consumer_txn;

/* Whether spec runs exactly-once: its definition says so, or the
 * configuration's <service>.<consumer>.exactly_once does. */
bool mm_consumer_txn_enabled(const mm_config *cfg, const mm_consumer_spec *spec);

/* The transactional.id of a worker slot when the caller gives none:
 * "<host>.<service>.<consumer>.<slot>", the node's group.instance.id shape
 * with the host name as the node's name. */
int mm_consumer_txn_default_id(const mm_consumer_spec *spec, int slot, char *buf, size_t size);

/* Opens the slot's transactional producer (fencing its predecessor) with
 * transactional_id (NULL: mm_consumer_txn_default_id with slot 0). NULL with
 * err set. */
mm_consumer_txn *mm_consumer_txn_new(mm_runtime *rt, const mm_consumer_spec *spec,
                                     const char *transactional_id, char *err, size_t err_size);

/* The producer every emit and dead letter of the worker goes through. */
mm_producer *mm_consumer_txn_producer(mm_consumer_txn *t);

/* The hooks to put in mm_consumer_config.txn (valid while t lives). */
const mm_consumer_txn_hooks *mm_consumer_txn_hooks_get(mm_consumer_txn *t);

/* Logs the transaction counts, aborts an open transaction and frees t. */
void mm_consumer_txn_free(mm_consumer_txn *t);

#endif
