/* test_config.c -- the configuration loader: defaults, file, environment, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "metamorphosis.h"

static mm_config *load(const char *text, int expect_rc, char *err, size_t err_size) {
    mm_config *c = NULL;
    int rc = mm_config_load_string("test.yaml", text, strlen(text), &c, err, err_size);
    assert_int_equal(rc, expect_rc);
    if (expect_rc == 0)
        assert_non_null(c);
    else
        assert_null(c);
    return c;
}

static void clear_env(void) {
    unsetenv("MM_KAFKA_BOOTSTRAP_SERVERS");
    unsetenv("MM_REDIS_URL");
    unsetenv("MM_REDIS_STATE_URL");
    unsetenv("MM_SYNC_TIMEOUT_MS");
    unsetenv("MM_KAFKA_PROP_FETCH_WAIT_MAX_MS");
    unsetenv("MM_LOG_LEVEL");
}

static void test_defaults(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c;
    assert_int_equal(mm_config_defaults(&c, err, sizeof err), 0);
    assert_string_equal(c->kafka_bootstrap_servers, "127.0.0.1:9092");
    assert_string_equal(c->redis_results_url, "redis://127.0.0.1:6379/0");
    assert_string_equal(c->service_web_topic, "metamorphosis.services");
    assert_int_equal(c->sync_timeout_ms, 60000);
    assert_false(c->manager_enabled);
    assert_null(c->manager_auth_code);
    assert_int_equal(c->consumer_count, 0);
    mm_config_free(c);
}

static void test_full_file(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = load("service_web_topic: web.topic\n"
                        "kafka:\n"
                        "  bootstrap_servers: k1:9092,k2:9092\n"
                        "  properties:\n"
                        "    fetch.wait.max.ms: 10\n"
                        "    client.id: \"abc\"\n"
                        "redis:\n"
                        "  state_url: redis://state:1/2\n"
                        "  url: redis://all:6379/1\n"
                        "result_ttl_seconds: 60\n"
                        "sync_timeout_ms: 2500\n"
                        "http: {listen: '0.0.0.0:9000', graphql_path: /gql, threads: 8}\n"
                        "manager: {enabled: true, auth_code: s3cret, auth_for_queries: false}\n"
                        "forms:\n"
                        "  create_form:\n"
                        "    procs: 3\n"
                        "    harakiri_limit: 100\n"
                        "    harakiri_jitter: 10\n"
                        "  legacy_create_form:\n"
                        "    procs: 0\n"
                        "    harakiri_limit: null\n"
                        "    harakiri_jitter: ~\n"
                        "    max_age_seconds: 3600\n",
                        0, err, sizeof err);
    assert_string_equal(c->source, "test.yaml");
    assert_string_equal(c->service_web_topic, "web.topic");
    assert_string_equal(c->kafka_bootstrap_servers, "k1:9092,k2:9092");
    assert_int_equal(c->kafka_property_count, 2);
    assert_string_equal(c->kafka_properties[0].key, "fetch.wait.max.ms");
    assert_string_equal(c->kafka_properties[0].value, "10");
    assert_string_equal(c->kafka_properties[1].value, "abc");
    /* url sets all three; state_url refines it even though written first. */
    assert_string_equal(c->redis_results_url, "redis://all:6379/1");
    assert_string_equal(c->redis_status_url, "redis://all:6379/1");
    assert_string_equal(c->redis_state_url, "redis://state:1/2");
    assert_int_equal(c->result_ttl_seconds, 60);
    assert_int_equal(c->sync_timeout_ms, 2500);
    assert_string_equal(c->http_listen, "0.0.0.0:9000");
    assert_string_equal(c->http_graphql_path, "/gql");
    assert_int_equal(c->http_threads, 8);
    assert_true(c->manager_enabled);
    assert_string_equal(c->manager_auth_code, "s3cret");
    assert_false(c->manager_auth_for_queries);
    assert_int_equal(c->consumer_count, 2);
    const mm_consumer_settings *s = mm_config_find_consumer(c, "forms", "create_form");
    assert_non_null(s);
    assert_int_equal(s->procs, 3);
    assert_int_equal(s->harakiri_limit, 100);
    assert_int_equal(s->harakiri_jitter, 10);
    assert_int_equal(s->max_age_seconds, MM_CONFIG_UNSET);
    assert_int_equal(s->line, 15);
    s = mm_config_find_consumer(c, "forms", "legacy_create_form");
    assert_non_null(s);
    assert_int_equal(s->procs, 0);
    assert_int_equal(s->harakiri_limit, MM_CONFIG_UNSET);
    assert_int_equal(s->harakiri_jitter, MM_CONFIG_UNSET);
    assert_int_equal(s->max_age_seconds, 3600);
    assert_null(mm_config_find_consumer(c, "forms", "nope"));
    mm_config_free(c);
}

static void test_environment_wins(void **state) {
    (void)state;
    clear_env();
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", "env:1", 1);
    setenv("MM_REDIS_URL", "redis://env:2/0", 1);
    setenv("MM_REDIS_STATE_URL", "redis://envstate:3/0", 1);
    setenv("MM_SYNC_TIMEOUT_MS", "1234", 1);
    setenv("MM_KAFKA_PROP_FETCH_WAIT_MAX_MS", "5", 1);
    char err[256];
    mm_config *c =
        load("kafka: {bootstrap_servers: file:1, properties: {fetch.wait.max.ms: 100}}\n", 0, err,
             sizeof err);
    assert_string_equal(c->kafka_bootstrap_servers, "env:1");
    assert_string_equal(c->redis_results_url, "redis://env:2/0");
    assert_string_equal(c->redis_state_url, "redis://envstate:3/0");
    assert_int_equal(c->sync_timeout_ms, 1234);
    assert_int_equal(c->kafka_property_count, 1);
    assert_string_equal(c->kafka_properties[0].value, "5");
    mm_config_free(c);

    setenv("MM_SYNC_TIMEOUT_MS", "12x", 1);
    assert_int_equal(mm_config_defaults(&c, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "MM_SYNC_TIMEOUT_MS"));
    clear_env();
}

/* Each bad file is refused with the file, the line and the key. */
static void test_errors_name_file_line_key(void **state) {
    (void)state;
    clear_env();
    static const struct {
        const char *text;
        const char *expect;
    } cases[] = {
        {"kafka:\n  bootstrap: x\n", "test.yaml:2: unknown key 'kafka.bootstrap'"},
        {"kafka: 5\n", "test.yaml:1: key 'kafka': expected a mapping"},
        {"sync_timeout_ms: soon\n", "test.yaml:1: key 'sync_timeout_ms': expected an integer"},
        {"sync_timeout_ms: '100'\n", "test.yaml:1: key 'sync_timeout_ms': expected an integer"},
        {"result_ttl_seconds: 0\n", "test.yaml:1: key 'result_ttl_seconds': expected an integer"},
        {"forms:\n  create_form:\n    procs: -1\n", "test.yaml:3: key 'forms.create_form.procs'"},
        {"forms:\n  create_form:\n    procs: 1\n    harakiri: 5\n",
         "test.yaml:4: unknown key 'forms.create_form.harakiri'"},
        {"forms:\n  create_form:\n    harakiri_limit: 5\n    harakiri_jitter: 5\n",
         "harakiri_jitter must be less than harakiri_limit"},
        {"forms:\n  create_form: 3\n", "test.yaml:2: key 'forms.create_form': expected a mapping"},
        {"manager: {enabled: yes}\n", "key 'manager.enabled': expected true or false"},
        {"log_level: loud\n", "log_level 'loud' is not one of"},
        {"kafka: {bootstrap_servers: [a, b]}\n",
         "key 'kafka.bootstrap_servers': expected a string"},
        {"a: 1\na: 2\n", "duplicate key 'a'"},
        {"a: &x {b: 1}\nc: *x\n", "anchors are not supported"},
        {"kafka: {\n", "test.yaml: line"},
        {"- 1\n- 2\n", "the configuration must be a mapping"},
        {"a: 1\n---\nb: 2\n", "only one YAML document"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char err[512] = "";
        mm_config *c = NULL;
        int rc = mm_config_load_string("test.yaml", cases[i].text, strlen(cases[i].text), &c, err,
                                       sizeof err);
        if (rc == 0 || !strstr(err, cases[i].expect))
            fail_msg("case %zu: rc=%d err='%s' expected '%s'", i, rc, err, cases[i].expect);
        assert_null(c);
    }
}

static void test_empty_and_nul(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = load("", 0, err, sizeof err);
    assert_string_equal(c->service_web_topic, "metamorphosis.services");
    mm_config_free(c);
    c = NULL;
    assert_int_equal(mm_config_load_string("t", "a: 1\0b", 6, &c, err, sizeof err), MM_ESYNTAX);
    assert_non_null(strstr(err, "NUL"));
}

/* The HTTP transport limits (docs/http.md); unset ones stay 0 (server default). */
static void test_http_limits(void **state) {
    (void)state;
    char err[256];
    mm_config *c =
        load("http:\n  threads: 0\n  max_header_bytes: 8192\n  max_url_bytes: 2048\n"
             "  max_connections: 100\n  max_connections_per_ip: 10\n  header_timeout_ms: 500\n"
             "  idle_timeout_s: 5\n  max_requests_per_connection: 7\n",
             0, err, sizeof err);
    assert_int_equal(c->http_threads, 0);
    assert_int_equal(c->http_max_header_bytes, 8192);
    assert_int_equal(c->http_max_url_bytes, 2048);
    assert_int_equal(c->http_max_connections, 100);
    assert_int_equal(c->http_max_connections_per_ip, 10);
    assert_int_equal(c->http_header_timeout_ms, 500);
    assert_int_equal(c->http_idle_timeout_s, 5);
    assert_int_equal(c->http_max_requests_per_connection, 7);
    mm_config_free(c);
    c = load("http: {header_timeout_ms: 5}\n", MM_EINVAL, err, sizeof err);
    assert_null(c);
    assert_non_null(strstr(err, "http.header_timeout_ms"));
}

static void test_missing_file(void **state) {
    (void)state;
    char err[256];
    mm_config *c;
    assert_int_equal(mm_config_load_file("/nonexistent/mm.yaml", &c, err, sizeof err), MM_EIO);
    assert_non_null(strstr(err, "/nonexistent/mm.yaml"));
}

/* The graphql section: the engine's bounds, their defaults and ranges. */
static void test_graphql_section(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = load("", 0, err, sizeof err);
    assert_int_equal(c->graphql_max_cost, 5000);
    assert_int_equal(c->graphql_max_field_resolutions, 1000000);
    assert_int_equal(c->graphql_max_response_bytes, 32L * 1024 * 1024);
    assert_int_equal(c->graphql_execution_timeout_ms, 10000);
    assert_int_equal(c->graphql_document_cache_bytes, 32L * 1024 * 1024);
    mm_config_free(c);
    c = load("graphql: {max_cost: 0, max_field_resolutions: 20, max_response_bytes: 4096,\n"
             "          execution_timeout_ms: 250, document_cache_bytes: 65536}\n",
             0, err, sizeof err);
    assert_int_equal(c->graphql_max_cost, 0);
    assert_int_equal(c->graphql_max_field_resolutions, 20);
    assert_int_equal(c->graphql_max_response_bytes, 4096);
    assert_int_equal(c->graphql_execution_timeout_ms, 250);
    assert_int_equal(c->graphql_document_cache_bytes, 65536);
    mm_config_free(c);
    load("graphql: {max_cost: -1}\n", MM_EINVAL, err, sizeof err);
    assert_non_null(strstr(err, "graphql.max_cost"));
    load("graphql: {document_cache_bytes: 0}\n", MM_EINVAL, err, sizeof err);
    assert_non_null(strstr(err, "graphql.document_cache_bytes"));
    load("graphql: {max_costs: 1}\n", MM_EINVAL, err, sizeof err);
    assert_non_null(strstr(err, "graphql.max_costs"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_full_file),
        cmocka_unit_test(test_graphql_section),
        cmocka_unit_test(test_environment_wins),
        cmocka_unit_test(test_errors_name_file_line_key),
        cmocka_unit_test(test_empty_and_nul),
        cmocka_unit_test(test_http_limits),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
