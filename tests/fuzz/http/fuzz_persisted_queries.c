/* fuzz_persisted_queries.c -- libFuzzer target for the persisted-query
 * decisions (src/http/persisted_queries.c): what a client sends as query
 * and extensions, against an APQ store (small, so eviction runs), a store
 * with APQ off, and a trusted-documents manifest.
 *
 * Input layout: byte 0 picks the store (mod 3); then the query, a NUL, and
 * the extensions as JSON text (anything that is not a JSON object is
 * passed as NULL).
 * Properties checked: no crash, leak or UB; a refusal carries a GraphQL
 * error object and no document; a document handed back to run hashes to
 * the hash the client sent (APQ) or is a document of the manifest; the APQ
 * store never exceeds its byte bound. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/persisted_queries.h"

#define MANIFEST_DOC "query Listed { recorded }"

static mm_pq *stores[3];
static const size_t apq_bound = 4 * (64 + MM_PQ_ENTRY_OVERHEAD);

static void setup(void) {
    char err[256];
    stores[0] = mm_pq_new(&(mm_pq_config){.apq = true, .max_bytes = apq_bound}, err, sizeof err);
    stores[1] = mm_pq_new(&(mm_pq_config){.apq = false}, err, sizeof err);
    char path[] = "/tmp/mm-fuzz-manifest-XXXXXX";
    int fd = mkstemp(path);
    const char *m = "{\"0123456789abcdef0123456789abcdef01234567\": \"" MANIFEST_DOC "\"}";
    if (fd < 0 || write(fd, m, strlen(m)) != (ssize_t)strlen(m)) abort();
    close(fd);
    stores[2] = mm_pq_new(&(mm_pq_config){.manifest_path = path}, err, sizeof err);
    unlink(path);
    if (!stores[0] || !stores[1] || !stores[2]) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!stores[0]) setup();
    if (size < 1) return 0;
    int which = data[0] % 3;
    const char *rest = (const char *)data + 1;
    size_t rest_len = size - 1;
    const char *nul = memchr(rest, '\0', rest_len);
    size_t qlen = nul ? (size_t)(nul - rest) : rest_len;
    char *query = malloc(qlen + 1);
    if (!query) return 0;
    memcpy(query, rest, qlen);
    query[qlen] = '\0';
    json_t *ext = NULL;
    if (nul) ext = json_loadb(nul + 1, rest_len - qlen - 1, JSON_REJECT_DUPLICATES, NULL);

    char *doc = NULL;
    size_t doc_len = 0;
    json_t *error = NULL;
    mm_http_outcome outcome;
    mm_pq_result r = mm_pq_resolve(stores[which], query, ext, &doc, &doc_len, &error, &outcome);
    if (r == MM_PQ_REFUSE) {
        if (doc || !json_is_array(json_object_get(error, "errors"))) abort();
    } else {
        if (error) abort();
        if (doc) {
            if (strlen(doc) != doc_len) abort();
            if (which == 2 && strcmp(doc, MANIFEST_DOC) != 0) abort();
            if (which == 0) {
                char sha[65];
                const char *sent = json_string_value(
                    json_object_get(json_object_get(ext, "persistedQuery"), "sha256Hash"));
                mm_pq_sha256_hex(doc, doc_len, sha);
                if (!sent || strcasecmp(sent, sha) != 0) abort();
            }
        } else if (which == 2 && strcmp(query, MANIFEST_DOC) != 0) {
            abort(); /* trusted mode ran a text that is not the document */
        }
    }
    mm_pq_stats st;
    mm_pq_get_stats(stores[0], &st);
    if (st.bytes > apq_bound) abort();
    free(doc);
    json_decref(error);
    json_decref(ext);
    free(query);
    return 0;
}
