/* test_gregor_cli.c -- the gregor command-line surface: --help and
 * --version succeed on stdout; unknown commands, unknown flags and bad
 * values exit 2 with a message on stderr (and nothing is started). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"
#include "mm_test.h"

/* Run gregor with args; check the exit status and that `needle` appears in
 * the expected stream (stdout when status is 0, stderr otherwise). */
static void expect(int status, const char *needle, const char *a1, const char *a2, const char *a3) {
    char *argv[] = {(char *)mm_test_gregor(), (char *)a1, (char *)a2, (char *)a3, NULL};
    char *out = NULL, *err = NULL;
    int rc = mm_test_run(argv, &out, &err, 10000);
    if (rc != status || !strstr(status == 0 ? out : err, needle))
        fail_msg("gregor %s %s %s: exit %d (want %d)\nstdout: %s\nstderr: %s\n(wanted '%s')",
                 a1 ? a1 : "", a2 ? a2 : "", a3 ? a3 : "", rc, status, out, err, needle);
    if (status != 0) assert_true(strlen(err) > 0);
    free(out);
    free(err);
}

static void test_help_and_version(void **state) {
    (void)state;
    expect(0, "Usage: gregor", "--help", NULL, NULL);
    expect(0, "Usage: gregor", "-h", NULL, NULL);
    expect(0, "broker", "--help", NULL, NULL); /* lists the commands */
    expect(0, mm_version(), "--version", NULL, NULL);
    expect(0, "Usage: gregor broker", "broker", "--help", NULL);
}

static void test_usage_errors_exit_2(void **state) {
    (void)state;
    expect(2, "Usage: gregor", NULL, NULL, NULL); /* no command at all */
    expect(2, "unknown command 'frobnicate'", "frobnicate", NULL, NULL);
    expect(2, "unknown option '--frobnicate'", "--frobnicate", NULL, NULL);
}

static void test_broker_usage_errors_exit_2(void **state) {
    (void)state;
    expect(2, "unknown option '--bogus'", "broker", "--bogus", NULL);
    expect(2, "needs a value", "broker", "--listen", NULL);
    expect(2, "not HOST:PORT", "broker", "--listen", "nonsense");
    expect(2, "0 to 65535", "broker", "--listen", "127.0.0.1:70000");
    expect(2, "only listens on loopback", "broker", "--listen", "0.0.0.0:9092");
    expect(2, "not a number from 1 to", "broker", "--partitions", "0");
    expect(2, "applies to topics named with --topic", "broker", "--partitions", "3");
    expect(2, "unexpected argument 'extra'", "broker", "extra", NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_help_and_version),
        cmocka_unit_test(test_usage_errors_exit_2),
        cmocka_unit_test(test_broker_usage_errors_exit_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
