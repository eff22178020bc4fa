/* apq_redis.h -- the persisted-query store of `gregor serve` from its
 * configuration, with the APQ documents optionally shared between servers
 * through Redis (key mm:apq:<sha256>, docs/http.md "Persisted queries"). */
#ifndef MM_SERVICE_APQ_REDIS_H
#define MM_SERVICE_APQ_REDIS_H

#include <stddef.h>

#include "common/config.h"
#include "http/persisted_queries.h"

/* How long a document shared through Redis lives after its last
 * registration. */
#define MM_APQ_REDIS_TTL_SECONDS (7L * 24 * 3600)
/* Bound of each Redis command (a slow Redis is a miss, not a stall). */
#define MM_APQ_REDIS_TIMEOUT_MS 500

/* A backend on redis_url: one connection shared under a lock, opened on
 * first use, dropped after an error and reopened at most once a second.
 * Returns 0, or MM_EINVAL with err set when the URL is malformed. */
int mm_apq_redis_backend(const char *redis_url, mm_pq_backend *out, char *err, size_t err_size);

/* The store for cfg: http.apq, http.apq_max_bytes, http.apq_redis (on
 * redis.results_url), http.trusted_documents. NULL with err set. */
mm_pq *mm_persisted_queries_open(const mm_config *cfg, char *err, size_t err_size);

#endif
