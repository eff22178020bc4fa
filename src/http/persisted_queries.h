/* persisted_queries.h -- persisted GraphQL documents for the HTTP endpoint
 * (docs/http.md, "Persisted queries"):
 *
 *   - Automatic Persisted Queries, Apollo's protocol: a request may carry
 *     extensions.persistedQuery = {"version": 1, "sha256Hash": "<64 hex>"}
 *     instead of (or with) its query. Hash only: the stored document runs,
 *     or the answer is the error PersistedQueryNotFound, after which the
 *     client sends hash and query; the hash is verified and the document
 *     stored, in memory bounded in bytes (least recently used first out),
 *     optionally shared with other servers through a backend (Redis).
 *   - Trusted documents: a manifest (Apollo's persisted-query manifest or
 *     GraphQL Code Generator's persisted-documents.json) lists the only
 *     documents that run, by hash or by full text; anything else is refused
 *     and nothing is registered.
 *
 * The HTTP server's request parser accepts a request without "query" when
 * mm_pq_request_has_hash() says its extensions carry a persistedQuery; the
 * handler wrapper mm_pq_handle() then resolves it before the GraphQL engine
 * sees it. SHA-256 is OpenSSL's libcrypto (already loaded by librdkafka). */
#ifndef MM_HTTP_PERSISTED_QUERIES_H
#define MM_HTTP_PERSISTED_QUERIES_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/http_defaults.h"
#include "http/http_server.h"

/* Default bound of the APQ store: the bytes of the stored documents plus a
 * fixed overhead per entry (MM_PQ_ENTRY_OVERHEAD). */
#define MM_PQ_DEFAULT_MAX_BYTES ((size_t)MM_HTTP_DEFAULT_APQ_MAX_BYTES)
#define MM_PQ_ENTRY_OVERHEAD    128u
/* Largest manifest file read (trusted documents). */
#define MM_PQ_MANIFEST_MAX_BYTES (64u * 1024u * 1024u)

typedef struct mm_pq mm_pq;

/* A store shared between servers (e.g. Redis: src/service/apq_redis.c).
 * Both calls are bounded in time by the backend and may fail silently: a
 * failed get is a miss, a failed put only means another server will answer
 * PersistedQueryNotFound once. Called from HTTP worker threads. */
typedef struct mm_pq_backend {
    void *ud;
    /* The document stored under hash (64 lowercase hex), malloc'd with its
     * length, or NULL. */
    char *(*get)(void *ud, const char *hash, size_t *len);
    void (*put)(void *ud, const char *hash, const char *doc, size_t len);
    void (*free)(void *ud); /* called by mm_pq_free; may be NULL */
} mm_pq_backend;

typedef struct mm_pq_config {
    bool apq;                  /* accept APQ registrations and hash-only requests */
    size_t max_bytes;          /* APQ store bound; 0 = MM_PQ_DEFAULT_MAX_BYTES */
    const char *manifest_path; /* trusted-documents mode when non-NULL and non-empty */
    mm_pq_backend backend;     /* optional (get == NULL: none); owned by the mm_pq */
} mm_pq_config;

/* Counters (mm_pq_get_stats). */
typedef struct mm_pq_stats {
    uint64_t hits;       /* hash-only requests answered from a store or the manifest */
    uint64_t misses;     /* PersistedQueryNotFound */
    uint64_t registered; /* documents stored after their hash was verified */
    uint64_t evicted;    /* documents dropped to stay within max_bytes */
    uint64_t refused;    /* not trusted, not supported, or malformed */
    size_t entries;      /* APQ documents held now */
    size_t bytes;        /* their accounted size */
    size_t trusted;      /* documents of the manifest */
} mm_pq_stats;

/* Creates the store and, in trusted mode, loads the manifest. On failure
 * returns NULL with err set (a file problem names the file); the backend is
 * freed either way once passed. */
mm_pq *mm_pq_new(const mm_pq_config *cfg, char *err, size_t err_size);
void mm_pq_free(mm_pq *pq);
void mm_pq_get_stats(mm_pq *pq, mm_pq_stats *out);

/* The request parser's hook: true when extensions (may be NULL) has a
 * "persistedQuery" member, so a missing "query" is not an error yet. */
bool mm_pq_request_has_hash(const json_t *extensions);

/* The decision for one request, apart from HTTP so that it can be unit
 * tested. query is "" when the client sent only a hash. Results:
 *   MM_PQ_RUN: run *doc (*doc_len bytes; malloc'd, the caller frees) --
 *              the stored or trusted document, or the query itself;
 *   MM_PQ_REFUSE: answer with *error (a GraphQL response object, new
 *              reference) and *outcome. */
typedef enum mm_pq_result {
    MM_PQ_RUN = 0,
    MM_PQ_REFUSE = 1
} mm_pq_result;
mm_pq_result mm_pq_resolve(mm_pq *pq, const char *query, const json_t *extensions, char **doc,
                           size_t *doc_len, json_t **error, mm_http_outcome *outcome);

/* The SHA-256 of data as 64 lowercase hex digits and a NUL. */
void mm_pq_sha256_hex(const void *data, size_t len, char out[65]);

/* A handler in front of another: resolves persisted queries, then passes
 * the request (with the document to run as its query) to inner. */
typedef struct mm_pq_handler {
    mm_pq *pq;
    mm_http_graphql_fn inner;
    void *inner_ud;
} mm_pq_handler;

/* An mm_http_graphql_fn; ud is an mm_pq_handler. */
void mm_pq_handle(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder);

#endif
