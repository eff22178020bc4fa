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
    char *argv[] = {(char *)mm_test_gregor(), "worker", "--app", app, "--consumer", "create_form",
                    "--config", path, NULL};
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
    run_with_config("forms:\n  create_form: {procs: 2}\nfomrs:\n  create_form: {procs: 1}\n",
                    ":4: 'fomrs' is not a loaded service");
}

static void test_unknown_consumer(void **state) {
    (void)state;
    run_with_config("forms:\n  create_frm: {procs: 2}\n", ":2: service forms has no consumer 'create_frm'");
}

static void test_wrong_type(void **state) {
    (void)state;
    run_with_config("forms:\n  create_form:\n    procs: many\n",
                    ":3: key 'forms.create_form.procs': expected an integer");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_service_section),
        cmocka_unit_test(test_unknown_consumer),
        cmocka_unit_test(test_wrong_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
