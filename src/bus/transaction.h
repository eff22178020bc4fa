/* transaction.h -- a transactional producer for consume-transform-produce
 * (exactly-once mode, docs/exactly-once.md).
 *
 * One per worker slot: its transactional.id is stable across restarts of the
 * slot, so a replacement's init_transactions fences its predecessor (a zombie
 * whose next produce or commit then fails fatally) and aborts whatever
 * transaction the predecessor left open. Everything the worker emits goes
 * through mm_txn_producer inside the open transaction; mm_txn_commit adds the
 * consumer's offsets (send_offsets_to_transaction with the consumer group's
 * metadata, so a member fenced out of the group cannot commit either) and
 * commits, then opens the next transaction. Every call has a deadline and
 * every retry a bound. */
#ifndef MM_BUS_TRANSACTION_H
#define MM_BUS_TRANSACTION_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

#include "bus/kafka_conf.h"
#include "bus/producer.h"

typedef struct mm_txn mm_txn;

/* mm_txn_commit's answer when the transaction was aborted instead (an
 * abortable error): nothing it produced is visible to read_committed readers
 * and its offsets were not committed, so the caller rewinds its consumer to
 * the committed offsets and handles those events again. */
#define MM_TXN_ABORTED 1

/* Default transaction.timeout.ms: how long the coordinator lets a
 * transaction stay open (a predecessor's open transaction blocks
 * read_committed readers of its partitions until the replacement fences it
 * or this passes). message.timeout.ms is kept below it. */
#define MM_TXN_DEFAULT_TIMEOUT_MS 20000

/* A transactional producer for bootstrap with props (as mm_producer_new),
 * transactional.id = transactional_id; transactions initialized (fencing any
 * earlier producer with that id) and the first one begun, waiting up to
 * timeout_ms. NULL with err set (a fenced or unauthorized id, Kafka away). */
mm_txn *mm_txn_new(const char *bootstrap, const mm_kv *props, size_t nprops,
                   const char *transactional_id, int timeout_ms, char *err, size_t err_size);

/* The producer to send the transaction's messages with (owned by t). */
mm_producer *mm_txn_producer(mm_txn *t);

/* Commits the open transaction together with offsets (the next offset to
 * read per partition; NULL or empty: none) for the group of consumer (its
 * rd_kafka_consumer_group_metadata), then begins the next one. Each broker
 * call waits up to timeout_ms; a retriable failure is retried up to 3 times.
 * Returns 0 (committed), MM_TXN_ABORTED (aborted: see above), or MM_EKAFKA
 * with err set when the producer is fenced or failed fatally (the worker
 * must exit; its replacement takes over). */
int mm_txn_commit(mm_txn *t, rd_kafka_t *consumer, const rd_kafka_topic_partition_list_t *offsets,
                  int timeout_ms, char *err, size_t err_size);

/* Aborts the open transaction and begins the next one. 0, or MM_EKAFKA
 * (fatal; err set). */
int mm_txn_abort(mm_txn *t, int timeout_ms, char *err, size_t err_size);

/* Transactions committed and aborted so far. */
void mm_txn_counts(const mm_txn *t, unsigned long long *committed, unsigned long long *aborted);

/* Frees t: an open transaction is aborted (bounded), then the producer
 * freed. NULL is a no-op. */
void mm_txn_free(mm_txn *t);

#endif
