/* test_plan.c -- the node config checked against loaded services (errors
 * with file and line, defaults for consumers the file does not name) and
 * the default config printed by `gregor config` parsing back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "node/plan.h"

static int noop(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static mm_service *services[2];

static int setup(void **state) {
    (void)state;
    const char *names[2] = {"orders", "mails"};
    for (int i = 0; i < 2; i++) {
        services[i] = mm_service_new(names[i]);
        if (!services[i]) return -1;
        if (mm_service_add_consumer(services[i],
                                    &(mm_consumer_def){.name = "one", .handle = noop}) ||
            mm_service_add_consumer(services[i], &(mm_consumer_def){.name = "two", .handle = noop}))
            return -1;
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (int i = 0; i < 2; i++) mm_service_free(services[i]);
    return 0;
}

static mm_config *load(const char *yaml) {
    mm_config *cfg = NULL;
    char err[512];
    if (mm_config_load_string("node.yaml", yaml, strlen(yaml), &cfg, err, sizeof err))
        fail_msg("%s", err);
    return cfg;
}

static void expect_error(const char *yaml, const char *want) {
    mm_config *cfg = load(yaml);
    mm_plan plan;
    char err[512] = "";
    assert_int_equal(mm_plan_build(cfg, services, 2, &plan, err, sizeof err), MM_EINVAL);
    if (strcmp(err, want) != 0) fail_msg("got '%s', wanted '%s'", err, want);
    mm_config_free(cfg);
}

static void test_unknown_names_refused_with_line(void **state) {
    (void)state;
    expect_error("orders:\n  one: {procs: 2}\nshipping:\n  x: {procs: 1}\n",
                 "node.yaml:4: service 'shipping' is not loaded (loaded: orders, mails)");
    expect_error("service_web_topic: w\nmails:\n  one: {procs: 2}\n  three:\n    procs: 1\n",
                 "node.yaml:4: service 'mails' has no consumer 'three' (it has: one, two)");
}

static void test_defaults_for_unnamed_consumers(void **state) {
    (void)state;
    mm_config *cfg = load("orders:\n  two: {procs: 0, harakiri_limit: 100, harakiri_jitter: 10, "
                          "max_age_seconds: 60}\n");
    mm_plan plan;
    char err[256];
    assert_int_equal(mm_plan_build(cfg, services, 2, &plan, err, sizeof err), 0);
    assert_int_equal(plan.count, 4);
    for (size_t i = 0; i < plan.count; i++) {
        const mm_plan_entry *e = &plan.entries[i];
        int configured =
            strcmp(e->spec->service->name, "orders") == 0 && strcmp(e->spec->name, "two") == 0;
        assert_int_equal(e->procs, configured ? 0 : 1);
        assert_int_equal(e->harakiri_limit, configured ? 100 : MM_CONFIG_UNSET);
        assert_int_equal(e->harakiri_jitter, configured ? 10 : MM_CONFIG_UNSET);
        assert_int_equal(e->max_age_seconds, configured ? 60 : MM_CONFIG_UNSET);
    }
    mm_plan_free(&plan);
    mm_config_free(cfg);
}

static void test_printed_default_parses_back(void **state) {
    (void)state;
    mm_config *base =
        load("service_web_topic: \"web: odd\"\nkafka:\n  bootstrap_servers: 10.0.0.1:9092\n"
             "  properties: {fetch.wait.max.ms: 5}\nredis:\n  url: redis://h:1/2\n"
             "  status_url: redis://s:3/4\n");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(mm_plan_print_default(f, base, services, 2, 50, 5, "yes"), 0);
    fclose(f);
    mm_config *cfg = NULL;
    char err[512];
    if (mm_config_load_string("printed", text, len, &cfg, err, sizeof err))
        fail_msg("%s\n%s", err, text);
    assert_string_equal(cfg->service_web_topic, "web: odd");
    assert_string_equal(cfg->kafka_bootstrap_servers, "10.0.0.1:9092");
    assert_string_equal(cfg->redis_results_url, "redis://h:1/2");
    assert_string_equal(cfg->redis_status_url, "redis://s:3/4");
    assert_int_equal(cfg->consumer_count, 4);
    for (size_t i = 0; i < cfg->consumer_count; i++) {
        assert_int_equal(cfg->consumers[i].procs, 1);
        assert_int_equal(cfg->consumers[i].harakiri_limit, 50);
        assert_int_equal(cfg->consumers[i].harakiri_jitter, 5);
        assert_int_equal(cfg->consumers[i].max_age_seconds, MM_CONFIG_UNSET);
    }
    mm_plan plan;
    assert_int_equal(mm_plan_build(cfg, services, 2, &plan, err, sizeof err), 0);
    mm_plan_free(&plan);
    mm_config_free(cfg);
    free(text);
    /* Without harakiri settings they print as null. */
    f = open_memstream(&text, &len);
    assert_int_equal(mm_plan_print_default(f, base, services, 1, -1, -1, NULL), 0);
    fclose(f);
    assert_non_null(strstr(text, "    harakiri_limit: null\n    harakiri_jitter: null\n"));
    free(text);
    mm_config_free(base);
}

static void test_printed_default_hides_secrets(void **state) {
    (void)state;
    mm_config *base = load("kafka:\n  properties: {sasl.password: kpass1, fetch.wait.max.ms: 5}\n"
                           "redis:\n  url: redis://u:rpass2@h:1/2\n  status_url: redis://s:3/4\n");
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(mm_plan_print_default(f, base, services, 1, -1, -1, NULL), 0);
    fclose(f);
    assert_null(strstr(text, "kpass1"));
    assert_null(strstr(text, "rpass2"));
    assert_non_null(strstr(text, "url: \"redis://u:REDACTED@h:1/2\"\n"));
    assert_non_null(strstr(text, "# sasl.password: not printed (a secret)"));
    assert_non_null(strstr(text, "status_url: redis://s:3/4\n"));
    /* Still a valid config. */
    mm_config *cfg = NULL;
    char err[512];
    if (mm_config_load_string("printed", text, len, &cfg, err, sizeof err))
        fail_msg("%s\n%s", err, text);
    mm_config_free(cfg);
    free(text);
    mm_config_free(base);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_names_refused_with_line),
        cmocka_unit_test(test_defaults_for_unnamed_consumers),
        cmocka_unit_test(test_printed_default_parses_back),
        cmocka_unit_test(test_printed_default_hides_secrets),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
