/* test_config_errors.c -- gregor refuses a configuration whose service
 * sections do not match the loaded services, naming the file and line,
 * before it connects to anything. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mm_test.h"

static void run_with_config(const char *yaml, const char *expect) {
    char path[] = "/tmp/mm-config-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, yaml, strlen(yaml)), (ssize_t)strlen(yaml));
    close(fd);
    char app[1024];
    snprintf(app, sizeof app, "%s/examples/forms.so", mm_test_binary_dir());
    char *argv[] = {(char *)mm_test_gregor(),
                    "worker",
                    "--app",
                    app,
                    "--consumer",
                    "create_form",
                    "--config",
                    path,
                    NULL};
    char *out = NULL, *err = NULL;
    int status = mm_test_run(argv, &out, &err, 20000);
    unlink(path);
    if (status != 1 || !strstr(err, expect))
        fail_msg("status %d, stderr '%s', expected '%s'", status, err, expect);
    free(out);
    free(err);
}

static void test_unknown_service_section(void **state) {
    (void)state;
    run_with_config(
        "forms:\n  create_form: {procs: 2}\nfomrs:\n  create_form: {procs: 1}\n",
        ":4: unknown key 'fomrs': not a loaded service nor a setting (did you mean 'forms'?)");
}

static void test_unknown_consumer(void **state) {
    (void)state;
    run_with_config("forms:\n  create_frm: {procs: 2}\n",
                    ":2: service forms has no consumer 'create_frm' (did you mean 'create_form'?)");
}

static void test_wrong_type(void **state) {
    (void)state;
    run_with_config("forms:\n  create_form:\n    procs: many\n",
                    ":3: key 'forms.create_form.procs': expected an integer");
}

static void test_misspelled_top_level_key(void **state) {
    (void)state;
    /* Not a service's consumers (a mapping of mappings): one of our keys, misspelled. */
    run_with_config("kafak:\n  bootstrap_servers: 127.0.0.1:9092\n",
                    ":1: unknown key 'kafak' (did you mean 'kafka'?)");
    run_with_config("log_levle: debug\n",
                    ":1: unknown key 'log_levle' (did you mean 'log_level'?)");
    run_with_config("zzz: 3\n", ":1: unknown key 'zzz' (a service's section maps consumer names");
    /* Shaped like a service section: decided once the services are loaded. */
    run_with_config(
        "kafak:\n  x: {procs: 1}\n",
        ":2: unknown key 'kafak': not a loaded service nor a setting (did you mean 'kafka'?)");
}

static void test_misspelled_section_key(void **state) {
    (void)state;
    run_with_config("kafka:\n  bootstrap_server: 127.0.0.1:9092\n",
                    ":2: unknown key 'kafka.bootstrap_server' (did you mean 'bootstrap_servers'?)");
    run_with_config("forms:\n  create_form: {prcs: 2}\n",
                    ":2: unknown key 'forms.create_form.prcs' (did you mean 'procs'?)");
}

/* gregor worker --consumer with a name no loaded service has. */
static void run_worker(const char *consumer, const char *expect) {
    char app[1024];
    snprintf(app, sizeof app, "%s/examples/forms.so", mm_test_binary_dir());
    char *argv[] = {(char *)mm_test_gregor(), "worker", "--app", app, "--consumer",
                    (char *)consumer,         NULL};
    char *out = NULL, *err = NULL;
    int status = mm_test_run(argv, &out, &err, 20000);
    if (status != 1 || !strstr(err, expect))
        fail_msg("status %d, stderr '%s', expected '%s'", status, err, expect);
    free(out);
    free(err);
}

static void test_wrong_consumer_name_suggests(void **state) {
    (void)state;
    run_worker(
        "create_from",
        "no consumer named create_from in the loaded services (did you mean 'create_form'?)");
    run_worker("forms.legacy_create_frm", "(did you mean 'forms.legacy_create_form'?)");
    run_worker("zzz", "no consumer named zzz in the loaded services (the loaded services have: "
                      "create_form, legacy_create_form)");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_service_section),
        cmocka_unit_test(test_unknown_consumer),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_misspelled_top_level_key),
        cmocka_unit_test(test_misspelled_section_key),
        cmocka_unit_test(test_wrong_consumer_name_suggests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
