/* test_dlq_usage.c -- `gregor dlq` usage errors exit 2 with a clear
 * message before anything talks to Kafka (no servers needed), and --help
 * succeeds; plus the UTF-8 check the dead-letter tooling prints with. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bus/dlq_reader.h"
#include "mm_test.h"

/* Runs `gregor dlq ARGS...` and checks status and a piece of its stdout
 * (status 0) or stderr. */
static void expect(int status, const char *needle, ...) {
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)mm_test_gregor();
    argv[n++] = "dlq";
    va_list ap;
    va_start(ap, needle);
    char *a;
    while ((a = va_arg(ap, char *)) != NULL && n < 15) argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    char *out = NULL, *err = NULL;
    /* No Kafka anywhere: a usage error must come before any connection. */
    setenv("MM_KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1", 1);
    int rc = mm_test_run(argv, &out, &err, 10000);
    if (rc != status || !strstr(status == 0 ? out : err, needle))
        fail_msg("gregor dlq %s: exit %d (want %d)\nstdout: %s\nstderr: %s\n(wanted '%s')",
                 n > 2 ? argv[2] : "", rc, status, out, err, needle);
    free(out);
    free(err);
}

static void test_usage(void **state) {
    (void)state;
    expect(0, "Usage: gregor dlq list", "--help", NULL);
    expect(0, "--max-replays", "replay", "--help", NULL);
    expect(2, "Usage: gregor dlq", NULL);
    expect(2, "unknown subcommand 'lst'", "lst", NULL);
    expect(2, "needs --topic", "list", NULL);
    expect(2, "is not a Kafka topic name", "list", "--topic", "a b", NULL);
    expect(2, "is not a Kafka topic name", "list", "--topic", "\xff\xfe", NULL);
    expect(2, "show needs --offset", "show", "--topic", "t", NULL);
    expect(2, "'-5' is not a whole number", "show", "--topic", "t", "--offset", "-5", NULL);
    expect(2, "'1e3' is not a whole number", "list", "--topic", "t", "--limit", "1e3", NULL);
    expect(2, "--limit '0'", "list", "--topic", "t", "--limit", "0", NULL);
    expect(2, "--from 5 is after --to 2", "replay", "--topic", "t", "--from", "5", "--to", "2",
           NULL);
    expect(2, "purge needs --group", "purge", "--topic", "t", NULL);
    expect(2, "--reason, --type and --id select messages for replay", "list", "--topic", "t",
           "--type", "X", NULL);
    expect(2, "--offset is for show", "list", "--topic", "t", "--offset", "3", NULL);
    expect(2, "unexpected argument 'extra'", "list", "--topic", "t", "extra", NULL);
    expect(2, "--max-replays '0'", "replay", "--topic", "t", "--max-replays", "0", NULL);
}

static void test_utf8_prefix(void **state) {
    (void)state;
    struct {
        const char *s;
        size_t len, valid;
    } cases[] = {
        {"plain", 5, 5},
        {"caf\xc3\xa9", 5, 5},
        {"\xf0\x9f\x98\x80!", 5, 5}, /* U+1F600 */
        {"ab\xff", 3, 2},
        {"\xc0\xaf", 2, 0},         /* overlong '/' */
        {"x\xed\xa0\x80", 4, 1},    /* a surrogate */
        {"\xf4\x90\x80\x80", 4, 0}, /* above U+10FFFF */
        {"ok\xe2\x82", 4, 2},       /* truncated sequence */
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_int_equal(mm_dlq_utf8_valid_prefix((const unsigned char *)cases[i].s, cases[i].len),
                         cases[i].valid);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_usage),
                                       cmocka_unit_test(test_utf8_prefix)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
