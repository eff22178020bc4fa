/* test_config_interop.c -- the settings of issue 15 in the configuration:
 * http.cors_origins, http.apq, http.apq_max_bytes, http.apq_redis,
 * http.trusted_documents, event_type_prefix; defaults, file, environment
 * (which wins), and the refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "metamorphosis.h"

static const char *const vars[] = {"MM_HTTP_CORS_ORIGINS",      "MM_HTTP_APQ",
                                   "MM_HTTP_APQ_MAX_BYTES",     "MM_HTTP_APQ_REDIS",
                                   "MM_HTTP_TRUSTED_DOCUMENTS", "MM_EVENT_TYPE_PREFIX"};

static void clear_env(void) {
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) unsetenv(vars[i]);
}

static void test_defaults(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = NULL;
    assert_int_equal(mm_config_defaults(&c, err, sizeof err), 0);
    assert_null(c->http_cors_origins);
    assert_true(c->http_apq);
    assert_int_equal(c->http_apq_max_bytes, 4 * 1024 * 1024);
    assert_false(c->http_apq_redis);
    assert_null(c->http_trusted_documents);
    assert_null(c->event_type_prefix);
    mm_config_free(c);
}

static void test_file_then_env(void **state) {
    (void)state;
    clear_env();
    const char *yaml = "event_type_prefix: com.example.forms\n"
                       "http:\n"
                       "  cors_origins: https://app.example.com\n"
                       "  apq: false\n"
                       "  apq_max_bytes: 65536\n"
                       "  apq_redis: true\n"
                       "  trusted_documents: /etc/manifest.json\n";
    char err[256];
    mm_config *c = NULL;
    assert_int_equal(mm_config_load_string("t.yaml", yaml, strlen(yaml), &c, err, sizeof err), 0);
    assert_string_equal(c->event_type_prefix, "com.example.forms");
    assert_string_equal(c->http_cors_origins, "https://app.example.com");
    assert_false(c->http_apq);
    assert_int_equal(c->http_apq_max_bytes, 65536);
    assert_true(c->http_apq_redis);
    assert_string_equal(c->http_trusted_documents, "/etc/manifest.json");
    mm_config_free(c);

    setenv("MM_HTTP_CORS_ORIGINS", "*", 1);
    setenv("MM_HTTP_APQ", "1", 1);
    setenv("MM_HTTP_APQ_REDIS", "false", 1);
    setenv("MM_HTTP_APQ_MAX_BYTES", "2048", 1);
    setenv("MM_HTTP_TRUSTED_DOCUMENTS", "/srv/pq.json", 1);
    setenv("MM_EVENT_TYPE_PREFIX", "org.example", 1);
    assert_int_equal(mm_config_load_string("t.yaml", yaml, strlen(yaml), &c, err, sizeof err), 0);
    assert_string_equal(c->http_cors_origins, "*");
    assert_true(c->http_apq);
    assert_false(c->http_apq_redis);
    assert_int_equal(c->http_apq_max_bytes, 2048);
    assert_string_equal(c->http_trusted_documents, "/srv/pq.json");
    assert_string_equal(c->event_type_prefix, "org.example");
    mm_config_free(c);
    clear_env();
}

static void test_refusals(void **state) {
    (void)state;
    clear_env();
    char err[256];
    mm_config *c = NULL;
    const char *bad_bool = "http:\n  apq: maybe\n";
    assert_int_equal(
        mm_config_load_string("t.yaml", bad_bool, strlen(bad_bool), &c, err, sizeof err),
        MM_EINVAL);
    assert_non_null(strstr(err, "http.apq"));
    const char *small = "http:\n  apq_max_bytes: 10\n";
    assert_int_not_equal(mm_config_load_string("t.yaml", small, strlen(small), &c, err, sizeof err),
                         0);
    assert_non_null(strstr(err, "http.apq_max_bytes"));
    setenv("MM_HTTP_APQ", "yes please", 1);
    assert_int_equal(mm_config_defaults(&c, err, sizeof err), MM_EINVAL);
    assert_non_null(strstr(err, "MM_HTTP_APQ"));
    clear_env();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_file_then_env),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
