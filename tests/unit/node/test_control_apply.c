/* test_control_apply.c -- what an AdjustConsumer does to a node's consumer
 * (src/node/control_apply.c), without processes: a process count beyond the
 * configured maximum is capped (issue 20: 2147483647 forked in a tight
 * loop), and harakiriCount 0 switches harakiri off as in the original. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/config.h"
#include "node/node_internal.h"

static void test_adjust_caps_and_zero_harakiri(void **state) {
    (void)state;
    mm_service svc = {.name = "svc"};
    mm_consumer_spec spec = {.name = "count", .service = &svc};
    mm_node_slot slot = {.spec = &spec, .desired = 1, .harakiri_limit = 20, .harakiri_jitter = 2};
    mm_node_options o = {.node_name = "n1"};
    mm_node n = {.o = &o, .slots = &slot, .slot_count = 1};

    mm_control c = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .name = "svc.count",
                    .node = "n1",
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = 2147483647};
    mm_node_apply_control(&n, &c);
    assert_int_equal(slot.desired, MM_CONTROL_PROCS_MAX);

    mm_control z = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .name = "count",
                    .node = "n1",
                    .harakiri_count_set = MM_CONTROL_SET,
                    .harakiri_count = 0};
    mm_node_apply_control(&n, &z);
    assert_int_equal(slot.harakiri_limit, MM_CONFIG_UNSET);
    assert_int_equal(slot.harakiri_jitter, MM_CONFIG_UNSET);
    assert_int_equal(slot.desired, MM_CONTROL_PROCS_MAX); /* absent: kept */

    mm_control h = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                    .name = "count",
                    .node = "n1",
                    .process_count_set = MM_CONTROL_SET,
                    .process_count = 2,
                    .harakiri_count_set = MM_CONTROL_SET,
                    .harakiri_count = 50};
    mm_node_apply_control(&n, &h);
    assert_int_equal(slot.desired, 2);
    assert_int_equal(slot.harakiri_limit, 50);

    /* Another node's event changes nothing here. */
    mm_control other = {.kind = MM_CONTROL_ADJUST_CONSUMER,
                        .name = "count",
                        .node = "n2",
                        .process_count_set = MM_CONTROL_SET,
                        .process_count = 7};
    mm_node_apply_control(&n, &other);
    assert_int_equal(slot.desired, 2);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_adjust_caps_and_zero_harakiri),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
