/* test_sysstats.c -- the machine and process figures a node reports come
 * out of /proc as plausible numbers, and a gone process is reported gone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "node/sysstats.h"

static void test_node_figures(void **state) {
    (void)state;
    json_t *o = mm_sysstats_node();
    assert_non_null(o);
    assert_true(json_real_value(json_object_get(o, "loadAvg1")) >= 0);
    assert_true(json_integer_value(json_object_get(o, "memTotal")) > 0);
    assert_true(json_integer_value(json_object_get(o, "memUsed")) > 0);
    double pct = json_real_value(json_object_get(o, "memPct"));
    assert_true(pct > 0 && pct < 100);
    pct = json_real_value(json_object_get(o, "diskUsagePct"));
    assert_true(pct >= 0 && pct <= 100);
    assert_non_null(json_object_get(o, "bytesSent"));
    assert_non_null(json_object_get(o, "dropout"));
    json_decref(o);
}

static void test_process_figures(void **state) {
    (void)state;
    /* Burn a little CPU so user time is measurable. */
    volatile unsigned long x = 0;
    for (unsigned long i = 0; i < 200000000UL; i++) x += i;
    mm_proc_stats s;
    assert_int_equal(mm_sysstats_proc(getpid(), &s), 0);
    assert_true(s.user_seconds > 0);
    assert_true(s.system_seconds >= 0);
    assert_true(s.rss_bytes > 1024 * 1024);

    pid_t child = fork();
    if (child == 0) _exit(0);
    waitpid(child, NULL, 0);
    assert_int_equal(mm_sysstats_proc(child, &s), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_node_figures),
        cmocka_unit_test(test_process_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
