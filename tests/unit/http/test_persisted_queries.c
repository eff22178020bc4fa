/* test_persisted_queries.c -- the persisted-query decisions without HTTP:
 * APQ miss / register / hit, the hash verified before storing, the byte
 * bound with least-recently-used eviction, a shared backend that lies,
 * PersistedQueryNotSupported, both manifest formats of trusted documents,
 * and the request parser's hook (a hash-only GET and POST parse).
 * The real Apollo Client against `gregor serve`: tests/e2e/interop_apq.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "http/persisted_queries.h"
#include "metamorphosis.h"

static const char *const Q = "{ hello }";

static json_t *pq_ext(const char *hash) {
    return json_pack("{s:{s:i,s:s}}", "persistedQuery", "version", 1, "sha256Hash", hash);
}

/* Resolves and returns the result; *msg gets the first error message. */
static mm_pq_result run(mm_pq *pq, const char *query, json_t *ext, char **doc, char msg[256],
                        mm_http_outcome *oc) {
    size_t len;
    json_t *err;
    mm_pq_result r = mm_pq_resolve(pq, query, ext, doc, &len, &err, oc);
    msg[0] = '\0';
    if (r == MM_PQ_REFUSE) {
        json_t *e0 = json_array_get(json_object_get(err, "errors"), 0);
        const char *code =
            json_string_value(json_object_get(json_object_get(e0, "extensions"), "code"));
        snprintf(msg, 256, "%s|%s", json_string_value(json_object_get(e0, "message")),
                 code ? code : "");
        json_decref(err);
        assert_null(*doc);
    } else if (*doc) {
        assert_int_equal(len, strlen(*doc));
    }
    return r;
}

static void test_sha256(void **state) {
    (void)state;
    char hex[65];
    mm_pq_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_apq_miss_register_hit(void **state) {
    (void)state;
    char err[256], msg[256], hash[65], *doc;
    mm_http_outcome oc;
    mm_pq_config cfg = {.apq = true};
    mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
    assert_non_null(pq);
    mm_pq_sha256_hex(Q, strlen(Q), hash);
    json_t *ext = pq_ext(hash);

    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_string_equal(msg, "PersistedQueryNotFound|PERSISTED_QUERY_NOT_FOUND");
    assert_int_equal(oc, MM_HTTP_OUTCOME_VALIDATION_ERROR);
    /* A wrong text under the hash is refused and not stored. */
    assert_int_equal(run(pq, "{ other }", ext, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_string_equal(msg, "provided sha does not match query|BAD_REQUEST");
    assert_int_equal(oc, MM_HTTP_OUTCOME_BAD_REQUEST);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_REFUSE);
    /* Register (the query itself runs), then the hash alone finds it. */
    assert_int_equal(run(pq, Q, ext, &doc, msg, &oc), MM_PQ_RUN);
    assert_null(doc);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_RUN);
    assert_string_equal(doc, Q);
    free(doc);
    mm_pq_stats st;
    mm_pq_get_stats(pq, &st);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 2);
    assert_int_equal(st.registered, 1);
    assert_int_equal(st.entries, 1);
    assert_int_equal(st.bytes, strlen(Q) + MM_PQ_ENTRY_OVERHEAD);
    /* Uppercase hex is the same hash. */
    for (char *p = hash; *p; p++)
        if (*p >= 'a' && *p <= 'f') *p = (char)(*p - 'a' + 'A');
    json_t *upper = pq_ext(hash);
    assert_int_equal(run(pq, "", upper, &doc, msg, &oc), MM_PQ_RUN);
    free(doc);
    json_decref(upper);
    /* Malformed extensions. */
    json_t *bad[] = {
        json_pack("{s:s}", "persistedQuery", "x"),
        json_pack("{s:{s:i,s:s}}", "persistedQuery", "version", 2, "sha256Hash", "ab"),
        json_pack("{s:{s:i,s:s}}", "persistedQuery", "version", 1, "sha256Hash", "not hex!"),
        json_pack("{s:{s:i,s:s}}", "persistedQuery", "version", 1, "sha256Hash", "abcd"),
        json_pack("{s:{s:i}}", "persistedQuery", "version", 1),
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(run(pq, "", bad[i], &doc, msg, &oc), MM_PQ_REFUSE);
        assert_int_equal(oc, MM_HTTP_OUTCOME_BAD_REQUEST);
        json_decref(bad[i]);
    }
    /* No extension: the query runs as it is; none at all is refused. */
    assert_int_equal(run(pq, Q, NULL, &doc, msg, &oc), MM_PQ_RUN);
    assert_null(doc);
    assert_int_equal(run(pq, "", NULL, &doc, msg, &oc), MM_PQ_REFUSE);
    json_decref(ext);
    mm_pq_free(pq);
}

static void test_apq_bound_and_eviction(void **state) {
    (void)state;
    char err[256], msg[256], *doc;
    mm_http_outcome oc;
    /* Room for three documents of 20 bytes. */
    mm_pq_config cfg = {.apq = true, .max_bytes = 3 * (20 + MM_PQ_ENTRY_OVERHEAD)};
    mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
    char docs[5][21], hashes[5][65];
    json_t *ext[5];
    for (int i = 0; i < 5; i++) {
        snprintf(docs[i], sizeof docs[i], "{ field%011d }", i);
        assert_int_equal(strlen(docs[i]), 20);
        mm_pq_sha256_hex(docs[i], 20, hashes[i]);
        ext[i] = pq_ext(hashes[i]);
    }
    for (int i = 0; i < 3; i++)
        assert_int_equal(run(pq, docs[i], ext[i], &doc, msg, &oc), MM_PQ_RUN);
    /* Touch 0, so 1 is the least recently used when 3 arrives. */
    assert_int_equal(run(pq, "", ext[0], &doc, msg, &oc), MM_PQ_RUN);
    free(doc);
    assert_int_equal(run(pq, docs[3], ext[3], &doc, msg, &oc), MM_PQ_RUN);
    assert_int_equal(run(pq, "", ext[1], &doc, msg, &oc), MM_PQ_REFUSE);
    for (int i = 0; i < 4; i++) {
        if (i == 1) continue;
        assert_int_equal(run(pq, "", ext[i], &doc, msg, &oc), MM_PQ_RUN);
        free(doc);
    }
    mm_pq_stats st;
    mm_pq_get_stats(pq, &st);
    assert_int_equal(st.entries, 3);
    assert_int_equal(st.evicted, 1);
    assert_true(st.bytes <= cfg.max_bytes);
    /* A document larger than the whole bound runs but is never stored. */
    char big[2048];
    memset(big, ' ', sizeof big - 1);
    big[0] = '{';
    memcpy(big + sizeof big - 8, "hello }", 8);
    char bh[65];
    mm_pq_sha256_hex(big, strlen(big), bh);
    json_t *be = pq_ext(bh);
    assert_int_equal(run(pq, big, be, &doc, msg, &oc), MM_PQ_RUN);
    assert_int_equal(run(pq, "", be, &doc, msg, &oc), MM_PQ_REFUSE);
    mm_pq_get_stats(pq, &st);
    assert_int_equal(st.entries, 3);
    json_decref(be);
    for (int i = 0; i < 5; i++) json_decref(ext[i]);
    mm_pq_free(pq);
}

/* A shared store that returns whatever it was told to, once. */
static char *lying_get(void *ud, const char *hash, size_t *len) {
    (void)hash;
    const char *text = ud;
    *len = strlen(text);
    return strdup(text);
}

static void test_backend_checked(void **state) {
    (void)state;
    char err[256], msg[256], hash[65], *doc;
    mm_http_outcome oc;
    mm_pq_config cfg = {.apq = true, .backend = {.ud = (void *)"{ evil }", .get = lying_get}};
    mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
    mm_pq_sha256_hex(Q, strlen(Q), hash);
    json_t *ext = pq_ext(hash);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_REFUSE); /* the lie is a miss */
    mm_pq_free(pq);
    cfg.backend.ud = (void *)Q; /* the truth is a hit, cached in memory */
    pq = mm_pq_new(&cfg, err, sizeof err);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_RUN);
    assert_string_equal(doc, Q);
    free(doc);
    mm_pq_stats st;
    mm_pq_get_stats(pq, &st);
    assert_int_equal(st.entries, 1);
    json_decref(ext);
    mm_pq_free(pq);
}

static void test_not_supported(void **state) {
    (void)state;
    char err[256], msg[256], hash[65], *doc;
    mm_http_outcome oc;
    mm_pq_config cfg = {.apq = false};
    mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
    mm_pq_sha256_hex(Q, strlen(Q), hash);
    json_t *ext = pq_ext(hash);
    assert_int_equal(run(pq, Q, ext, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_string_equal(msg, "PersistedQueryNotSupported|PERSISTED_QUERY_NOT_SUPPORTED");
    assert_int_equal(run(pq, Q, NULL, &doc, msg, &oc), MM_PQ_RUN);
    json_decref(ext);
    mm_pq_free(pq);
}

static char *write_tmp(const char *text) {
    char *path = strdup("/tmp/mm-pq-manifest-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void check_trusted(const char *manifest, const char *listed, const char *listed_id) {
    char err[256], msg[256], hash[65], *doc;
    mm_http_outcome oc;
    char *path = write_tmp(manifest);
    mm_pq_config cfg = {.apq = true, .manifest_path = path};
    mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
    if (!pq) fail_msg("manifest refused: %s", err);
    /* By hash (the SHA-256 of the text, and the manifest's own id). */
    mm_pq_sha256_hex(listed, strlen(listed), hash);
    json_t *ext = pq_ext(hash);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_RUN);
    assert_string_equal(doc, listed);
    free(doc);
    json_decref(ext);
    if (listed_id) {
        ext = json_pack("{s:{s:i,s:s}}", "persistedQuery", "version", 1, "sha256Hash", listed_id);
        assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_RUN);
        assert_string_equal(doc, listed);
        free(doc);
        json_decref(ext);
    }
    /* By full text. */
    assert_int_equal(run(pq, listed, NULL, &doc, msg, &oc), MM_PQ_RUN);
    /* Anything else: refused, and nothing is registered. */
    assert_int_equal(run(pq, "{ __typename }", NULL, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_non_null(strstr(msg, "not a trusted document"));
    assert_non_null(strstr(msg, "|PERSISTED_QUERY_NOT_IN_LIST"));
    assert_int_equal(oc, MM_HTTP_OUTCOME_VALIDATION_ERROR);
    mm_pq_sha256_hex("{ __typename }", 14, hash);
    ext = pq_ext(hash);
    assert_int_equal(run(pq, "{ __typename }", ext, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_int_equal(run(pq, "", ext, &doc, msg, &oc), MM_PQ_REFUSE);
    assert_non_null(strstr(msg, "PERSISTED_QUERY_NOT_IN_LIST"));
    json_decref(ext);
    mm_pq_stats st;
    mm_pq_get_stats(pq, &st);
    assert_int_equal(st.registered, 0);
    assert_int_equal(st.entries, 0);
    mm_pq_free(pq);
    unlink(path);
    free(path);
}

static void test_trusted_documents(void **state) {
    (void)state;
    const char *doc = "query Hello {\\n  hello\\n}";
    const char *text = "query Hello {\n  hello\n}";
    char sha[65], apollo[1024], codegen[512];
    mm_pq_sha256_hex(text, strlen(text), sha);
    snprintf(apollo, sizeof apollo,
             "{\"format\":\"apollo-persisted-query-manifest\",\"version\":1,\"operations\":["
             "{\"id\":\"%s\",\"name\":\"Hello\",\"type\":\"query\",\"body\":\"%s\"}]}",
             sha, doc);
    check_trusted(apollo, text, NULL);
    /* Code Generator's map, here with a SHA-1-style key of its own. */
    snprintf(codegen, sizeof codegen, "{\"0123456789abcdef0123456789abcdef01234567\":\"%s\"}", doc);
    check_trusted(codegen, text, "0123456789abcdef0123456789abcdef01234567");

    static const char *const broken[] = {
        "not json",
        "[]",
        "{}",
        "{\"format\":\"apollo-persisted-query-manifest\",\"version\":2,\"operations\":[]}",
        "{\"format\":\"apollo-persisted-query-manifest\",\"version\":1,\"operations\":[{\"id\":"
        "\"x\"}]}",
        "{\"abc\":1}",
        "{\"bad key!\":\"{ a }\"}",
        "{\"format\":\"other\"}",
    };
    for (size_t i = 0; i < sizeof broken / sizeof *broken; i++) {
        char err[256];
        char *path = write_tmp(broken[i]);
        mm_pq_config cfg = {.manifest_path = path};
        mm_pq *pq = mm_pq_new(&cfg, err, sizeof err);
        if (pq) fail_msg("accepted manifest %s", broken[i]);
        assert_non_null(strstr(err, path));
        unlink(path);
        free(path);
    }
    char err[256];
    mm_pq_config cfg = {.manifest_path = "/nonexistent/manifest.json"};
    assert_null(mm_pq_new(&cfg, err, sizeof err));
    assert_non_null(strstr(err, "/nonexistent/manifest.json"));
}

/* The request parser lets a hash stand for the query, and nothing else. */
static void test_parser_hook(void **state) {
    (void)state;
    char errbuf[256];
    mm_http_graphql_request req;
    const char *body =
        "{\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"ab\"}}}";
    mm_http_raw_request post = {.method = "POST",
                                .content_type = "application/json",
                                .body = body,
                                .body_len = strlen(body)};
    assert_int_equal(mm_http_request_parse(&post, &req, errbuf, sizeof errbuf), 0);
    assert_string_equal(req.query, "");
    assert_true(mm_pq_request_has_hash(req.extensions));
    mm_http_graphql_request_clear(&req);
    mm_http_param params[] = {
        {"extensions", "{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"ab\"}}"}};
    mm_http_raw_request get = {.method = "GET", .params = params, .param_count = 1};
    assert_int_equal(mm_http_request_parse(&get, &req, errbuf, sizeof errbuf), 0);
    assert_string_equal(req.query, "");
    assert_true(req.is_get);
    mm_http_graphql_request_clear(&req);
    const char *none = "{\"extensions\":{}}";
    post.body = none;
    post.body_len = strlen(none);
    assert_int_equal(mm_http_request_parse(&post, &req, errbuf, sizeof errbuf), 400);
    assert_non_null(strstr(errbuf, "\"query\" parameter is missing"));
    mm_http_param no_q[] = {{"extensions", "{}"}};
    get.params = no_q;
    assert_int_equal(mm_http_request_parse(&get, &req, errbuf, sizeof errbuf), 400);
    assert_non_null(strstr(errbuf, "\"query\" parameter is missing"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256),
        cmocka_unit_test(test_apq_miss_register_hit),
        cmocka_unit_test(test_apq_bound_and_eviction),
        cmocka_unit_test(test_backend_checked),
        cmocka_unit_test(test_not_supported),
        cmocka_unit_test(test_trusted_documents),
        cmocka_unit_test(test_parser_hook),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
