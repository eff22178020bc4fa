/* admin.h -- creating Kafka topics explicitly, so that producers and
 * consumer groups never race the broker's auto-creation (tests, and services
 * that want their topics and dead-letter topics to exist up front). */
#ifndef MM_BUS_ADMIN_H
#define MM_BUS_ADMIN_H

#include <librdkafka/rdkafka.h>
#include <stddef.h>

/* Creates each topic with partitions partitions and replication factor
 * replication (-1: the broker's default), using any client handle rk, and
 * waits up to timeout_ms. A topic that already exists is not an error.
 * Returns 0, or MM_EKAFKA / MM_ETIMEDOUT with err naming the topic. */
int mm_kafka_create_topics(rd_kafka_t *rk, const char *const *topics, size_t count, int partitions,
                           int replication, int timeout_ms, char *err, size_t err_size);

#endif
