/* test_manager_unit.c -- manager mode without servers: the constant-time
 * auth code comparison, the manager's SDL merged into the one schema with
 * the original's field and argument names, Unauthorized for wrong or
 * missing codes (mutations and queries, per auth_for_queries), bad input
 * refused before anything is published, the status store being away
 * reported as STATUS_UNAVAILABLE, the finished-events ring, and the
 * dashboard page with its GraphQL path escaped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/graphql.h"
#include "manager/manager_internal.h"

static int eq(const char *a, const char *b) {
    return mm_manager_code_equal(a, strlen(a), b, strlen(b));
}

static void test_code_equal(void **state) {
    (void)state;
    assert_true(eq("s3cret", "s3cret"));
    assert_false(eq("s3creT", "s3cret"));
    assert_false(eq("X3cret", "s3cret"));
    assert_false(eq("s3cre", "s3cret"));
    assert_false(eq("s3crets", "s3cret"));
    assert_false(
        eq("s3crets3cret", "s3cret")); /* a repeated code: the wrap-around must not accept it */
    assert_false(eq("", "s3cret"));
    assert_false(eq("", "")); /* an empty code never matches */
    assert_false(mm_manager_code_equal(NULL, 0, "x", 1));
    /* Bytes after a NUL count: lengths are explicit. */
    assert_false(mm_manager_code_equal("ab\0c", 4, "ab\0d", 4));
    assert_true(mm_manager_code_equal("ab\0c", 4, "ab\0c", 4));
}

typedef struct fixture {
    mm_producer *producer;
    mm_manager *manager;
    mm_gql_schema *schema;
} fixture;

static void open_fixture(fixture *f, int auth_for_queries) {
    char err[512];
    f->producer = mm_producer_new("127.0.0.1:1", NULL, 0, err, sizeof err);
    assert_non_null(f->producer);
    mm_manager_options o = {.auth_code = "open sesame",
                            .auth_for_queries = auth_for_queries,
                            .service_web_topic = "mmtest.unit.web",
                            .status_redis_url = "redis://127.0.0.1:1/0",
                            .producer = f->producer,
                            .recent_max = 3};
    f->manager = mm_manager_new(&o, err, sizeof err);
    assert_non_null(f->manager);
    mm_schema_extra extra = mm_manager_schema_extra(f->manager);
    f->schema = mm_services_build_schema(NULL, 0, &extra, 1, NULL, err, sizeof err);
    if (!f->schema) fail_msg("schema: %s", err);
}

static void close_fixture(fixture *f) {
    mm_gql_schema_free(f->schema);
    mm_manager_free(f->manager);
    mm_producer_free(f->producer);
}

static json_t *run(fixture *f, const char *query) {
    mm_graphql_request_params p = {
        .query = query, .query_length = strlen(query), .allow_mutation = true};
    mm_graphql_outcome outcome;
    json_t *resp = mm_graphql_execute_request(f->schema, NULL, &p, &outcome);
    assert_non_null(resp);
    return resp;
}

static const char *error_code(json_t *resp) {
    json_t *e = json_array_get(json_object_get(resp, "errors"), 0);
    return json_string_value(json_object_get(json_object_get(e, "extensions"), "code"));
}

static void expect_code(fixture *f, const char *query, const char *code) {
    json_t *resp = run(f, query);
    const char *got = error_code(resp);
    if (!got || strcmp(got, code) != 0) {
        char *t = json_dumps(resp, 0);
        fail_msg("%s: wanted %s, got %s", query, code, t);
    }
    json_decref(resp);
}

static void test_schema_has_original_names(void **state) {
    (void)state;
    fixture f;
    open_fixture(&f, 1);
    char *sdl = mm_gql_schema_print(f.schema);
    static const char *const want[] = {
        "stopConsumer(authCode: String!, name: String!): StopConsumer",
        "stopConsumerProcess(authCode: String!, node: String!, name: String!, pid: Int!): "
        "StopConsumerProcess",
        "stopNode(authCode: String!, name: String): StopNode",
        "killMicroservice(authCode: String!, name: String): KillMicroservice",
        "processCount: Int): AdjustConsumer",
        "consumerProcesses(",
        "serviceWeb(authCode: String): ServiceWeb",
        "messagesProcessed: Int",
        "updatedDate: DateTime",
        "loadAvg15: Float",
        "scalar DateTime",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (!strstr(sdl, want[i])) fail_msg("the SDL lacks \"%s\":\n%s", want[i], sdl);
    free(sdl);
    close_fixture(&f);
}

static void test_unauthorized(void **state) {
    (void)state;
    fixture f;
    open_fixture(&f, 1);
    expect_code(&f, "mutation { stopConsumer(authCode: \"open sesamE\", name: \"x\") { id } }",
                "UNAUTHORIZED");
    expect_code(&f, "mutation { killNode(authCode: \"\", name: \"x\") { id } }", "UNAUTHORIZED");
    expect_code(&f,
                "mutation { adjustConsumer(authCode: \"open sesame!\", node: \"n\", name: \"x\", "
                "processCount: 2) { id } }",
                "UNAUTHORIZED");
    expect_code(&f, "{ nodes { name } }", "UNAUTHORIZED");
    expect_code(&f, "{ serviceWeb(authCode: \"nope\") { name } }", "UNAUTHORIZED");
    /* The message names the field, never a code. */
    json_t *resp = run(&f, "{ consumers(authCode: \"guess-1\") { name } }");
    char *text = json_dumps(resp, 0);
    assert_non_null(strstr(text, "Unauthorized"));
    assert_non_null(strstr(text, "consumers"));
    assert_null(strstr(text, "guess-1"));
    assert_null(strstr(text, "open sesame"));
    free(text);
    json_decref(resp);
    /* Right code, bad input: refused before publishing. */
    expect_code(&f, "mutation { stopNode(authCode: \"open sesame\") { id } }", "BAD_USER_INPUT");
    expect_code(&f,
                "mutation { adjustConsumer(authCode: \"open sesame\", node: \"n\", name: \"c\", "
                "processCount: -2) { id } }",
                "BAD_USER_INPUT");
    /* Right code, no Redis: said so. */
    expect_code(&f, "{ nodes(authCode: \"open sesame\") { name } }", "STATUS_UNAVAILABLE");
    close_fixture(&f);

    /* auth_for_queries off: queries need no code (but a wrong one is still refused);
     * mutations always do. */
    open_fixture(&f, 0);
    expect_code(&f, "{ nodes { name } }", "STATUS_UNAVAILABLE");
    expect_code(&f, "{ nodes(authCode: \"wrong\") { name } }", "UNAUTHORIZED");
    expect_code(&f, "mutation { stopConsumer(authCode: \"wrong\", name: \"x\") { id } }",
                "UNAUTHORIZED");
    close_fixture(&f);
}

static void test_recent_ring(void **state) {
    (void)state;
    fixture f;
    open_fixture(&f, 1);
    for (long pid = 100; pid < 105; pid++)
        mm_manager_note_finished(f.manager, "n1", "svc", "c", pid, 0, "harakiri", 7);
    json_t *recent = mm_manager_recent(f.manager);
    assert_int_equal(json_array_size(recent), 3); /* recent_max */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(recent, 0), "pid")), 104);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(recent, 2), "pid")), 102);
    assert_string_equal(json_string_value(json_object_get(json_array_get(recent, 0), "exitCode")),
                        "0");
    assert_string_equal(json_string_value(json_object_get(json_array_get(recent, 0), "reason")),
                        "harakiri");
    json_decref(recent);
    close_fixture(&f);
}

static void test_no_code_no_manager(void **state) {
    (void)state;
    char err[256];
    mm_manager_options o = {
        .auth_code = "", .service_web_topic = "t", .status_redis_url = "redis://x"};
    assert_null(mm_manager_new(&o, err, sizeof err));
    assert_non_null(strstr(err, "auth code"));
    o.auth_code = NULL;
    assert_null(mm_manager_new(&o, err, sizeof err));
}

static void test_dashboard_page(void **state) {
    (void)state;
    size_t len = 0;
    char *page = mm_manager_dashboard_page("/graphql", &len);
    assert_non_null(page);
    assert_int_equal(strlen(page), len);
    assert_non_null(strstr(page, "const GRAPHQL_PATH = \"\\/graphql\";"));
    assert_null(strstr(page, "@GRAPHQL_PATH@"));
    assert_non_null(strstr(page, "serviceWeb(authCode: $code)"));
    assert_null(strstr(page, "http://"));  /* nothing from elsewhere */
    assert_null(strstr(page, "https://")); /* (no CDN) */
    free(page);
    page = mm_manager_dashboard_page("/x</script><b>\"&", &len);
    assert_non_null(page);
    assert_non_null(strstr(
        page, "const GRAPHQL_PATH = \"\\/x\\u003c\\/script\\u003e\\u003cb\\u003e\\\"\\u0026\";"));
    free(page);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_code_equal),         cmocka_unit_test(test_schema_has_original_names),
        cmocka_unit_test(test_unauthorized),       cmocka_unit_test(test_recent_ring),
        cmocka_unit_test(test_no_code_no_manager), cmocka_unit_test(test_dashboard_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
