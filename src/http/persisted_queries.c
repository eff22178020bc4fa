/* persisted_queries.c -- Automatic Persisted Queries and trusted documents
 * (persisted_queries.h, docs/http.md "Persisted queries").
 *
 * Two tables keyed by hash: the trusted documents of the manifest (built
 * once, read-only afterwards, so read without a lock) and the APQ store (a
 * chained hash table plus a least-recently-used list, under a mutex, bounded
 * in bytes). Every document enters the APQ store only after the SHA-256 of
 * its text was checked against the hash it is stored under. */
#include "http/persisted_queries.h"

#include <assert.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

/* Buckets of each table (chains grow past it; the byte bound keeps the APQ
 * table small, a manifest of thousands still has short chains). */
#define PQ_BUCKETS 1024u
/* Longest key accepted: a SHA-256 is 64 hex digits; manifests of other
 * tools may use other ids (e.g. a SHA-1, or "sha256:<hex>"). */
#define PQ_KEY_MAX 128u

typedef struct pq_entry {
    char *key;
    char *doc;
    size_t len;
    struct pq_entry *next;          /* bucket chain */
    struct pq_entry *newer, *older; /* LRU list (APQ table only) */
} pq_entry;

typedef struct pq_table {
    pq_entry *buckets[PQ_BUCKETS];
} pq_table;

struct mm_pq {
    bool apq;
    size_t max_bytes;
    bool trusted_mode;
    pq_table trusted;
    size_t trusted_count;
    mm_pq_backend backend;

    pthread_mutex_t lock; /* guards everything below */
    pq_table apq_table;
    pq_entry *newest, *oldest;
    mm_pq_stats stats;
};

void mm_pq_sha256_hex(const void *data, size_t len, char out[65]) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    static const char hex[] = "0123456789abcdef";
    /* EVP_Digest fails only when out of memory; a zero hash then matches
     * nothing anybody sends. */
    if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
        memset(out, '0', 64);
        out[64] = '\0';
        return;
    }
    for (unsigned i = 0; i < 32; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
}

static unsigned bucket_of(const char *key) {
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) h = (h ^ *p) * 16777619u;
    return h % PQ_BUCKETS;
}

static pq_entry *table_find(pq_table *t, const char *key) {
    for (pq_entry *e = t->buckets[bucket_of(key)]; e; e = e->next)
        if (strcmp(e->key, key) == 0) return e;
    return NULL;
}

static void entry_free(pq_entry *e) {
    if (!e) return;
    free(e->key);
    free(e->doc);
    free(e);
}

static pq_entry *entry_new(const char *key, const char *doc, size_t len) {
    pq_entry *e = calloc(1, sizeof *e);
    if (!e) return NULL;
    e->key = strdup(key);
    e->doc = malloc(len + 1);
    if (!e->key || !e->doc) {
        entry_free(e);
        return NULL;
    }
    memcpy(e->doc, doc, len);
    e->doc[len] = '\0';
    e->len = len;
    return e;
}

static void table_clear(pq_table *t) {
    for (unsigned b = 0; b < PQ_BUCKETS; b++) {
        pq_entry *e = t->buckets[b];
        while (e) {
            pq_entry *next = e->next;
            entry_free(e);
            e = next;
        }
        t->buckets[b] = NULL;
    }
}

/* A key as we store it: letters lower-cased (hex digests are compared
 * case-insensitively); false when empty, too long or with characters other
 * than letters, digits, ':', '-' and '_'. */
static bool normalize_key(const char *in, size_t len, char out[PQ_KEY_MAX + 1]) {
    if (len == 0 || len > PQ_KEY_MAX) return false;
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == ':' || c == '-' || c == '_'))
            return false;
        out[i] = c;
    }
    out[len] = '\0';
    return true;
}

static bool is_sha256_hex(const char *key) {
    size_t n = strlen(key);
    if (n != 64) return false;
    for (size_t i = 0; i < n; i++)
        if (!((key[i] >= '0' && key[i] <= '9') || (key[i] >= 'a' && key[i] <= 'f'))) return false;
    return true;
}

/* ---- trusted documents --------------------------------------------------- */

/* Adds doc under key (if not there yet). 0, or MM_ENOMEM / MM_EINVAL. */
static int trusted_add(mm_pq *pq, const char *key_in, const char *doc, size_t len) {
    char key[PQ_KEY_MAX + 1];
    if (!normalize_key(key_in, strlen(key_in), key)) return MM_EINVAL;
    pq_entry *old = table_find(&pq->trusted, key);
    if (old) return old->len == len && memcmp(old->doc, doc, len) == 0 ? 0 : MM_EINVAL;
    pq_entry *e = entry_new(key, doc, len);
    if (!e) return MM_ENOMEM;
    unsigned b = bucket_of(key);
    e->next = pq->trusted.buckets[b];
    pq->trusted.buckets[b] = e;
    return 0;
}

/* One document of the manifest: under the manifest's id and under the
 * SHA-256 of its text (what Apollo's PersistedQueryLink sends). */
static int trusted_add_doc(mm_pq *pq, const char *id, const char *doc, size_t len, char *err,
                           size_t err_size, const char *path) {
    char sha[65];
    mm_pq_sha256_hex(doc, len, sha);
    int rc = trusted_add(pq, sha, doc, len);
    if (rc == 0 && id && strcmp(id, sha) != 0) rc = trusted_add(pq, id, doc, len);
    if (rc == MM_ENOMEM)
        snprintf(err, err_size, "out of memory loading %s", path);
    else if (rc)
        snprintf(err, err_size,
                 "%s: document id '%.80s' is not a usable key (letters, digits, "
                 "':', '-', '_', at most %u) or names two different documents",
                 path, id ? id : sha, PQ_KEY_MAX);
    else
        pq->trusted_count++;
    return rc;
}

static int load_manifest(mm_pq *pq, const char *path, char *err, size_t err_size) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot read the trusted documents manifest %s: %s", path,
                 strerror(errno));
        return MM_EINVAL;
    }
    json_error_t jerr;
    /* A bounded read: jansson's file loader has no limit. */
    char *buf = malloc(MM_PQ_MANIFEST_MAX_BYTES + 1);
    size_t n = buf ? fread(buf, 1, MM_PQ_MANIFEST_MAX_BYTES + 1, f) : 0;
    fclose(f);
    if (!buf) {
        snprintf(err, err_size, "out of memory reading %s", path);
        return MM_ENOMEM;
    }
    if (n > MM_PQ_MANIFEST_MAX_BYTES) {
        free(buf);
        snprintf(err, err_size, "%s: larger than %u bytes", path, MM_PQ_MANIFEST_MAX_BYTES);
        return MM_EINVAL;
    }
    json_t *root = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (!root) {
        snprintf(err, err_size, "%s:%d:%d: not JSON: %s", path, jerr.line, jerr.column, jerr.text);
        return MM_EINVAL;
    }
    int rc = 0;
    const char *format = json_string_value(json_object_get(root, "format"));
    if (format && strcmp(format, "apollo-persisted-query-manifest") == 0) {
        /* @apollo/generate-persisted-query-manifest:
         * {"format":..., "version":1, "operations":[{"id","name","type","body"}]} */
        json_t *ver = json_object_get(root, "version"), *ops = json_object_get(root, "operations");
        if (!json_is_integer(ver) || json_integer_value(ver) != 1 || !json_is_array(ops)) {
            snprintf(err, err_size,
                     "%s: an apollo-persisted-query-manifest needs \"version\": 1 and an "
                     "\"operations\" array",
                     path);
            rc = MM_EINVAL;
        }
        size_t i;
        json_t *op;
        json_array_foreach(ops, i, op) {
            if (rc) break;
            json_t *body = json_object_get(op, "body");
            json_t *id = json_object_get(op, "id");
            if (!json_is_string(body) || (id && !json_is_string(id))) {
                snprintf(err, err_size,
                         "%s: operations[%zu] needs a string \"body\" (and a string \"id\")", path,
                         i);
                rc = MM_EINVAL;
                break;
            }
            rc = trusted_add_doc(pq, json_string_value(id), json_string_value(body),
                                 json_string_length(body), err, err_size, path);
        }
    } else if (json_is_object(root) && !format) {
        /* GraphQL Code Generator's client preset (persistedDocuments: true):
         * persisted-documents.json, {"<hash>": "<document>", ...} */
        const char *key;
        json_t *v;
        json_object_foreach(root, key, v) {
            if (!json_is_string(v)) {
                snprintf(err, err_size, "%s: the value of \"%.80s\" is not a document (a string)",
                         path, key);
                rc = MM_EINVAL;
                break;
            }
            if ((rc = trusted_add_doc(pq, key, json_string_value(v), json_string_length(v), err,
                                      err_size, path)))
                break;
        }
    } else {
        snprintf(
            err, err_size,
            "%s: not a persisted-query manifest: expected Apollo's "
            "{\"format\": \"apollo-persisted-query-manifest\", ...} or GraphQL Code Generator's "
            "{\"<hash>\": \"<document>\"} map",
            path);
        rc = MM_EINVAL;
    }
    json_decref(root);
    if (rc == 0 && pq->trusted_count == 0) {
        snprintf(err, err_size, "%s: the manifest lists no documents (nothing could run)", path);
        rc = MM_EINVAL;
    }
    return rc;
}

/* ---- the APQ store ------------------------------------------------------- */

static size_t entry_cost(const pq_entry *e) { return e->len + MM_PQ_ENTRY_OVERHEAD; }

static void lru_unlink(mm_pq *pq, pq_entry *e) {
    if (e->newer)
        e->newer->older = e->older;
    else
        pq->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        pq->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void lru_push(mm_pq *pq, pq_entry *e) {
    e->older = pq->newest;
    e->newer = NULL;
    if (pq->newest) pq->newest->newer = e;
    pq->newest = e;
    if (!pq->oldest) pq->oldest = e;
}

static void apq_remove(mm_pq *pq, pq_entry *e) {
    pq_entry **pp = &pq->apq_table.buckets[bucket_of(e->key)];
    while (*pp != e) pp = &(*pp)->next;
    *pp = e->next;
    lru_unlink(pq, e);
    assert(pq->stats.entries > 0 && pq->stats.bytes >= entry_cost(e));
    pq->stats.entries--;
    pq->stats.bytes -= entry_cost(e);
    entry_free(e);
}

/* Stores a verified document (lock held). Too large for the bound: not
 * stored (it still runs). */
static void apq_store_locked(mm_pq *pq, const char *hash, const char *doc, size_t len) {
    if (len + MM_PQ_ENTRY_OVERHEAD > pq->max_bytes) return;
    pq_entry *e = table_find(&pq->apq_table, hash);
    if (e) {
        lru_unlink(pq, e);
        lru_push(pq, e);
        return;
    }
    while (pq->oldest && pq->stats.bytes + len + MM_PQ_ENTRY_OVERHEAD > pq->max_bytes) {
        apq_remove(pq, pq->oldest);
        pq->stats.evicted++;
    }
    if (!(e = entry_new(hash, doc, len)))
        return; /* out of memory: not stored, the client registers again */
    unsigned b = bucket_of(hash);
    e->next = pq->apq_table.buckets[b];
    pq->apq_table.buckets[b] = e;
    lru_push(pq, e);
    pq->stats.entries++;
    pq->stats.bytes += entry_cost(e);
    assert(pq->stats.bytes <= pq->max_bytes);
}

/* The stored document for hash, copied, or NULL. */
static char *apq_lookup(mm_pq *pq, const char *hash, size_t *len) {
    char *copy = NULL;
    pthread_mutex_lock(&pq->lock);
    pq_entry *e = table_find(&pq->apq_table, hash);
    if (e && (copy = malloc(e->len + 1))) {
        memcpy(copy, e->doc, e->len + 1);
        *len = e->len;
        lru_unlink(pq, e);
        lru_push(pq, e);
    }
    pthread_mutex_unlock(&pq->lock);
    return copy;
}

/* ---- life cycle ------------------------------------------------------------ */

mm_pq *mm_pq_new(const mm_pq_config *cfg, char *err, size_t err_size) {
    mm_pq *pq = calloc(1, sizeof *pq);
    if (!pq) {
        if (cfg->backend.free) cfg->backend.free(cfg->backend.ud);
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pq->apq = cfg->apq;
    pq->max_bytes = cfg->max_bytes ? cfg->max_bytes : MM_PQ_DEFAULT_MAX_BYTES;
    pq->backend = cfg->backend;
    pthread_mutex_init(&pq->lock, NULL);
    if (cfg->manifest_path && *cfg->manifest_path) {
        pq->trusted_mode = true;
        if (load_manifest(pq, cfg->manifest_path, err, err_size)) {
            mm_pq_free(pq);
            return NULL;
        }
    }
    pq->stats.trusted = pq->trusted_count;
    return pq;
}

void mm_pq_free(mm_pq *pq) {
    if (!pq) return;
    table_clear(&pq->trusted);
    table_clear(&pq->apq_table);
    if (pq->backend.free) pq->backend.free(pq->backend.ud);
    pthread_mutex_destroy(&pq->lock);
    free(pq);
}

void mm_pq_get_stats(mm_pq *pq, mm_pq_stats *out) {
    pthread_mutex_lock(&pq->lock);
    *out = pq->stats;
    pthread_mutex_unlock(&pq->lock);
}

/* ---- requests ---------------------------------------------------------------- */

bool mm_pq_request_has_hash(const json_t *extensions) {
    return json_is_object(extensions) && json_object_get(extensions, "persistedQuery") != NULL;
}

static void count(mm_pq *pq, uint64_t *counter) {
    pthread_mutex_lock(&pq->lock);
    (*counter)++;
    pthread_mutex_unlock(&pq->lock);
}

/* {"errors":[{"message": message, "extensions": {"code": code}}]} */
static mm_pq_result refuse(mm_pq *pq, json_t **error, mm_http_outcome *outcome, mm_http_outcome oc,
                           const char *code, const char *message) {
    json_t *e = json_pack("{s:s}", "message", message);
    if (e && code) json_object_set_new(e, "extensions", json_pack("{s:s}", "code", code));
    *error = json_pack("{s:[o]}", "errors", e);
    *outcome = oc;
    count(pq, &pq->stats.refused);
    return MM_PQ_REFUSE;
}

static char *dup_len(const char *s, size_t len) {
    char *d = malloc(len + 1);
    if (d) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}

mm_pq_result mm_pq_resolve(mm_pq *pq, const char *query, const json_t *extensions, char **doc,
                           size_t *doc_len, json_t **error, mm_http_outcome *outcome) {
    *doc = NULL;
    *doc_len = 0;
    *error = NULL;
    *outcome = MM_HTTP_OUTCOME_EXECUTED;
    size_t qlen = query ? strlen(query) : 0;
    json_t *ext = json_is_object(extensions) ? json_object_get(extensions, "persistedQuery") : NULL;

    if (!ext) {
        if (qlen == 0)
            return refuse(pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, NULL,
                          "the \"query\" parameter is missing");
        if (!pq->trusted_mode) return MM_PQ_RUN; /* the request's own query, unchanged */
        char sha[65];
        mm_pq_sha256_hex(query, qlen, sha);
        pq_entry *e = table_find(&pq->trusted, sha);
        if (e) return MM_PQ_RUN; /* its text is exactly a trusted document */
        return refuse(pq, error, outcome, MM_HTTP_OUTCOME_VALIDATION_ERROR,
                      "PERSISTED_QUERY_NOT_IN_LIST",
                      "this document is not a trusted document: the server runs only the documents "
                      "of its manifest");
    }

    if (!json_is_object(ext))
        return refuse(pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
                      "extensions.persistedQuery must be an object");
    json_t *ver = json_object_get(ext, "version");
    if (!json_is_integer(ver) || json_integer_value(ver) != 1)
        return refuse(
            pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
            "Unsupported persisted query version (extensions.persistedQuery.version must be 1)");
    json_t *hv = json_object_get(ext, "sha256Hash");
    char hash[PQ_KEY_MAX + 1];
    if (!json_is_string(hv) || !normalize_key(json_string_value(hv), json_string_length(hv), hash))
        return refuse(
            pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
            "extensions.persistedQuery.sha256Hash must be a hash (64 hexadecimal digits)");

    if (pq->trusted_mode) {
        pq_entry *e = table_find(&pq->trusted, hash);
        if (!e) {
            char msg[256];
            snprintf(msg, sizeof msg, "PersistedQueryNotInList: %.80s is not a trusted document",
                     hash);
            return refuse(pq, error, outcome, MM_HTTP_OUTCOME_VALIDATION_ERROR,
                          "PERSISTED_QUERY_NOT_IN_LIST", msg);
        }
        if (qlen > 0 && (qlen != e->len || memcmp(query, e->doc, qlen) != 0))
            return refuse(pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
                          "the query is not the trusted document of this hash");
        if (!(*doc = dup_len(e->doc, e->len)))
            return refuse(pq, error, outcome, MM_HTTP_OUTCOME_INTERNAL_ERROR, NULL,
                          "out of memory");
        *doc_len = e->len;
        count(pq, &pq->stats.hits);
        return MM_PQ_RUN;
    }
    if (!pq->apq)
        return refuse(pq, error, outcome, MM_HTTP_OUTCOME_VALIDATION_ERROR,
                      "PERSISTED_QUERY_NOT_SUPPORTED", "PersistedQueryNotSupported");
    if (!is_sha256_hex(hash))
        return refuse(
            pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
            "extensions.persistedQuery.sha256Hash must be a hash (64 hexadecimal digits)");

    if (qlen > 0) {
        /* Registration: verified before it is stored. */
        char sha[65];
        mm_pq_sha256_hex(query, qlen, sha);
        if (strcmp(sha, hash) != 0)
            return refuse(pq, error, outcome, MM_HTTP_OUTCOME_BAD_REQUEST, "BAD_REQUEST",
                          "provided sha does not match query");
        pthread_mutex_lock(&pq->lock);
        apq_store_locked(pq, hash, query, qlen);
        pq->stats.registered++;
        pthread_mutex_unlock(&pq->lock);
        if (pq->backend.put) pq->backend.put(pq->backend.ud, hash, query, qlen);
        return MM_PQ_RUN;
    }

    size_t len = 0;
    char *found = apq_lookup(pq, hash, &len);
    if (!found && pq->backend.get && (found = pq->backend.get(pq->backend.ud, hash, &len))) {
        /* The shared store is trusted no more than a client: check again. */
        char sha[65];
        mm_pq_sha256_hex(found, len, sha);
        if (strcmp(sha, hash) != 0 || memchr(found, '\0', len)) {
            free(found);
            found = NULL;
        } else {
            pthread_mutex_lock(&pq->lock);
            apq_store_locked(pq, hash, found, len);
            pthread_mutex_unlock(&pq->lock);
        }
    }
    if (!found) {
        count(pq, &pq->stats.misses);
        *outcome = MM_HTTP_OUTCOME_VALIDATION_ERROR;
        *error = json_pack("{s:[{s:s,s:{s:s}}]}", "errors", "message", "PersistedQueryNotFound",
                           "extensions", "code", "PERSISTED_QUERY_NOT_FOUND");
        return MM_PQ_REFUSE;
    }
    count(pq, &pq->stats.hits);
    *doc = found;
    *doc_len = len;
    return MM_PQ_RUN;
}

void mm_pq_handle(void *ud, const mm_http_graphql_request *req, mm_http_responder *responder) {
    mm_pq_handler *h = ud;
    char *doc;
    size_t len;
    json_t *error;
    mm_http_outcome outcome;
    if (mm_pq_resolve(h->pq, req->query, req->extensions, &doc, &len, &error, &outcome) ==
        MM_PQ_REFUSE) {
        mm_http_respond(responder, outcome, error);
        return;
    }
    if (!doc) {
        h->inner(h->inner_ud, req, responder);
        return;
    }
    /* The engine copies the document text before the handler returns, so a
     * request on the stack that points at doc is enough. */
    mm_http_graphql_request copy = *req;
    copy.query = doc;
    h->inner(h->inner_ud, &copy, responder);
    free(doc);
}
