/* lag_probe.h -- a node's consumer-lag probe: a child process that, every
 * interval, asks Kafka for each consumer group's committed offsets and each
 * partition's end offset, and writes the lag into a table it shares with the
 * supervisor (MAP_SHARED, mapped before fork).
 *
 * Why a process of its own: the supervisor stays single-threaded and free of
 * librdkafka (fork safety, docs/node.md), and the lag must be measured from
 * outside the workers, so that it is still measured (and rising) while a
 * consumer has no worker, or its worker is stopped. The probe never joins
 * the groups it looks at: it holds one consumer handle per group, never
 * subscribed, for OffsetFetch (rd_kafka_committed) and ListOffsets
 * (rd_kafka_query_watermark_offsets), each call with a deadline, and a
 * whole round bounded. */
#ifndef MM_NODE_LAG_PROBE_H
#define MM_NODE_LAG_PROBE_H

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/config.h"
#include "service/service_internal.h"

/* Partitions the table holds (all consumers of the node together); past it
 * the rest are not measured and lag_truncated is set. */
#define MM_LAG_ENTRIES 1024

typedef struct mm_lag_entry {
    int32_t consumer; /* index into the specs the probe was given */
    int32_t partition;
    int64_t committed; /* the group's committed offset; -1: none yet */
    int64_t end;       /* the partition's end (high watermark) */
    int64_t lag;       /* end - committed; end - start of log when none committed */
    char topic[256];
} mm_lag_entry;

typedef struct mm_lag_table {
    _Atomic uint32_t seq; /* odd while the probe writes the table (a seqlock) */
    uint32_t count;
    uint32_t truncated;
    _Atomic uint64_t rounds; /* rounds completed */
    _Atomic uint64_t errors; /* Kafka calls that failed or timed out */
    _Atomic int64_t last_round_wall_ms;
    mm_lag_entry e[MM_LAG_ENTRIES];
} mm_lag_table;

/* Maps a zeroed table shared with children forked later; NULL on failure. */
mm_lag_table *mm_lag_table_map(void);
void mm_lag_table_unmap(mm_lag_table *t);

/* Copies a consistent snapshot of t into out (bounded retries); 0 on
 * success, -1 when the probe kept writing (out is then not usable). */
int mm_lag_table_read(const mm_lag_table *t, mm_lag_table *out);

/* Forks the probe for specs[0..count-1] (count >= 1), a round every
 * interval_ms. SIGTERM stops it. Call with SIGTERM, SIGINT and SIGCHLD
 * blocked. Returns its pid, or -1 with err set. */
pid_t mm_lag_probe_spawn(const mm_config *cfg, const mm_consumer_spec *const *specs, size_t count,
                         mm_lag_table *table, long interval_ms, char *err, size_t err_size);

#endif
