/* test_load_errors.c -- definition mistakes are refused when gregor loads a
 * service (gregor schema here; serve, worker and node build the same merged
 * schema), each with a message that names the service, the definition, the
 * bad name and, for a typo, the closest declared name. The mistakes come
 * from mod_mistakes.so, chosen by MM_TEST_MISTAKE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mm_test.h"

static char app_path[4096];

/* gregor schema --app mod_mistakes.so with one mistake: exit 1, and the
 * message on stderr. */
static void expect_refused(const char *mistake, const char *message) {
    setenv("MM_TEST_MISTAKE", mistake, 1);
    char *argv[] = {(char *)mm_test_gregor(), "schema", "--app", app_path, NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 20000);
    if (rc != 1 || !strstr(err, message))
        fail_msg("mistake %s: exit %d (want 1)\nstderr: %s\n(wanted '%s')", mistake, rc, err,
                 message);
    assert_string_equal(out, ""); /* no schema printed */
    free(out);
    free(err);
    unsetenv("MM_TEST_MISTAKE");
}

static void test_correct_service_loads(void **state) {
    (void)state;
    unsetenv("MM_TEST_MISTAKE");
    char *argv[] = {(char *)mm_test_gregor(), "schema", "--app", app_path, NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 20000);
    if (rc != 0) fail_msg("gregor schema: exit %d\n%s", rc, err);
    /* Both timings, no default_timing: asynchronous, as the header says. */
    assert_non_null(strstr(out, "ping(timing: MutationTimings = asynchronous): Ping"));
    /* The payload type says what an asynchronous answer's data holds. */
    assert_non_null(
        strstr(out, "asynchronous: the published PingEvent's fields that PongEvent also has"));
    free(out);
    free(err);
}

static void test_undeclared_event_type(void **state) {
    (void)state;
    expect_refused("event_type", "service mistakes: mutation ping: event_type 'PingEvnt' is not a "
                                 "type declared in the SDL (did you mean 'PingEvent'?)");
}

static void test_undeclared_result_type(void **state) {
    (void)state;
    expect_refused("result_type",
                   "service mistakes: mutation ping: result_type 'PongEvnt' is not a "
                   "type declared in the SDL (did you mean 'PongEvent'?)");
}

static void test_event_type_not_an_object(void **state) {
    (void)state;
    expect_refused("input_event",
                   "service mistakes: mutation ping: event_type 'PingInput' must be an "
                   "object type");
}

static void test_consumer_event_types_typo(void **state) {
    (void)state;
    expect_refused("consumer_type",
                   "service mistakes: consumer pong: event_types names 'PingEevnt', "
                   "which is not a type declared in the SDL of a loaded service "
                   "(did you mean 'PingEvent'?)");
}

static void test_default_timing_not_allowed(void **state) {
    (void)state;
    expect_refused(
        "default_timing",
        "metamorphosis_service() returned NULL after this definition error: service "
        "mistakes: mutation ping: default_timing MM_TIMING_ASYNCHRONOUS is not one of its "
        "timings (MM_TIMING_SYNCHRONOUS only)");
}

static void test_null_service_says_why(void **state) {
    (void)state;
    expect_refused("service_name",
                   "metamorphosis_service() returned NULL after this definition "
                   "error: service name 'bad name' is not a valid Kafka topic name");
    expect_refused("own_null", "metamorphosis_service() returned NULL, and no mm_service_* call "
                               "failed: the service's own code gave up");
}

int main(void) {
    const char *bin = getenv("MM_BINARY_DIR");
    if (!bin) {
        fprintf(stderr, "test_load_errors: MM_BINARY_DIR is not set (run through ctest)\n");
        return 1;
    }
    snprintf(app_path, sizeof app_path, "%s/tests/mod_mistakes.so", bin);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_correct_service_loads),
        cmocka_unit_test(test_undeclared_event_type),
        cmocka_unit_test(test_undeclared_result_type),
        cmocka_unit_test(test_event_type_not_an_object),
        cmocka_unit_test(test_consumer_event_types_typo),
        cmocka_unit_test(test_default_timing_not_allowed),
        cmocka_unit_test(test_null_service_says_why),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
