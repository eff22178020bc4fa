/* test_metrics_docs.c -- the node's metrics: docs/metrics.md's table of
 * families says what the code emits (name, type, labels: every documented
 * family is in mm_node_metric_families and the other way round); the text
 * rendered for a node with fake workers has every family, cumulative
 * histogram buckets and the counts of a worker that ended; ce_time parses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "common/config.h"
#include "node/metrics.h"
#include "node/node_internal.h"
#include "service/worker_metrics.h"
#include "mm_test_docs.h"

static void docs_match_code(void **state) {
    (void)state;
    mm_doc_table docs;
    mm_test_doc_table_read(&docs, "metrics.md", NULL, "| name | type | labels | meaning |", 10);
    for (size_t f = 0; f < mm_node_metric_family_count; f++) {
        const mm_node_metric_family *fam = &mm_node_metric_families[f];
        mm_doc_row *r = mm_test_doc_table_find(&docs, 0, fam->name);
        if (!r) fail_msg("docs/metrics.md does not document %s", fam->name);
        if (strcmp(r->cell[1], fam->type) != 0)
            fail_msg("%s: the docs say type %s, the code %s", fam->name, r->cell[1], fam->type);
        if (strcmp(r->cell[2], fam->labels) != 0)
            fail_msg("%s: the docs say labels '%s', the code '%s'", fam->name, r->cell[2],
                     fam->labels);
        r->seen = 1;
    }
    mm_test_doc_table_all_seen(&docs, "the code does not emit");
    mm_test_doc_table_free(&docs);
}

static int noop(void *ud, mm_handler *h, const mm_event *ev) {
    (void)ud, (void)h, (void)ev;
    return 0;
}

static void render_fake_node(void **state) {
    (void)state;
    mm_service *svc = mm_service_new("shop");
    assert_non_null(svc);
    assert_int_equal(
        mm_service_add_consumer(svc, &(mm_consumer_def){.name = "orders", .handle = noop}), 0);
    mm_config *cfg = NULL;
    char err[512];
    const char *yaml = "node_metrics_listen: \"127.0.0.1:0\"\n";
    if (mm_config_load_string("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof err))
        fail_msg("%s", err);
    mm_node_options o = {.node_name = "n1", .config = cfg};
    mm_node n;
    memset(&n, 0, sizeof n);
    n.o = &o;
    mm_node_slot slot = {.spec = svc->consumers[0], .desired = 2};
    n.slots = &slot;
    n.slot_count = 1;
    assert_int_equal(mm_node_metrics_open(&n, err, sizeof err), 0);
    assert_non_null(n.metrics);

    /* Two workers: one ends (killed by a signal from outside), one runs. */
    mm_node_proc procs[2];
    memset(procs, 0, sizeof procs);
    slot.procs = procs;
    slot.proc_count = 2;
    slot.started = 3;
    for (int i = 0; i < 2; i++) {
        procs[i].metrics = mm_node_metrics_block_map(&n);
        assert_non_null(procs[i].metrics);
    }
    mm_event ev = {.time = "2000-01-01T00:00:00Z"};
    for (int i = 0; i < 3; i++) {
        mm_wm_started(procs[0].metrics);
        mm_wm_handler_time(procs[0].metrics, mm_wm_mono_us() - 3000); /* 3 ms */
        mm_wm_done(procs[0].metrics, &ev, -1, 0);
    }
    mm_wm_started(procs[0].metrics); /* in flight when it died */
    mm_wm_failed(procs[1].metrics);
    mm_wm_retried(procs[1].metrics);
    mm_wm_started(procs[1].metrics);
    mm_wm_done(procs[1].metrics, &(mm_event){.time = NULL}, 0, 1); /* no time: not observed */
    mm_wm_started(procs[1].metrics);
    mm_wm_rebalanced(procs[1].metrics);
    /* The workers' span exporters: counters summed over ended and running
     * workers, the queue gauge over the running ones only. */
    mm_wm_add(&procs[0].metrics->trace.exported, 500);
    mm_wm_add(&procs[0].metrics->trace.dropped, 7);
    mm_wm_add(&procs[0].metrics->trace.failed_posts, 1);
    mm_wm_add(&procs[0].metrics->trace.queued_bytes, 1000); /* gone with the worker */
    mm_wm_add(&procs[1].metrics->trace.exported, 12);
    mm_wm_add(&procs[1].metrics->trace.dropped, 3);
    mm_wm_add(&procs[1].metrics->trace.queued_bytes, 5120);
    mm_node_metrics_worker_ended(&n, &slot, &procs[0], MM_WORKER_CRASH, SIGKILL); /* ws: signal 9 */
    assert_null(procs[0].metrics);
    procs[0].stopping = 1; /* the ended one is no longer running */

    size_t len = 0;
    char *text = mm_node_metrics_render(&n, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    for (size_t f = 0; f < mm_node_metric_family_count; f++) {
        char want[256];
        snprintf(want, sizeof want, "# TYPE %s %s\n", mm_node_metric_families[f].name,
                 mm_node_metric_families[f].type);
        if (!strstr(text, want)) fail_msg("no '%s' in:\n%s", want, text);
    }
#define L "{service=\"shop\",consumer=\"orders\""
    assert_true(mm_test_metric_sample(text, "mm_worker_events_handled_total" L "}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_events_dead_lettered_total" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_worker_events_failed_total" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_worker_events_retried_total" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_worker_events_in_flight" L "}") ==
                1); /* the dead one's not */
    assert_true(mm_test_metric_sample(text, "mm_worker_rebalances_total" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_worker_handler_duration_seconds_count" L "}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_handler_duration_seconds_bucket" L
                                            ",le=\"0.0025\"}") == 0);
    assert_true(mm_test_metric_sample(text, "mm_worker_handler_duration_seconds_bucket" L
                                            ",le=\"0.005\"}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_handler_duration_seconds_bucket" L
                                            ",le=\"+Inf\"}") == 3);
    /* ce_time in 2000: every observation in the +Inf bucket only. */
    assert_true(mm_test_metric_sample(text, "mm_worker_event_latency_seconds_count" L "}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_event_latency_seconds_bucket" L
                                            ",le=\"300\"}") == 0);
    assert_true(mm_test_metric_sample(text, "mm_worker_event_latency_seconds_bucket" L
                                            ",le=\"+Inf\"}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_event_latency_seconds_sum" L "}") > 8e8);
    assert_true(mm_test_metric_sample(text, "mm_node_worker_exits_total" L ",reason=\"signal\"}") ==
                1);
    assert_true(
        mm_test_metric_sample(text, "mm_node_worker_exits_total" L ",reason=\"exit_code\"}") == 0);
    assert_true(mm_test_metric_sample(text, "mm_node_workers" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_node_workers_desired" L "}") == 2);
    assert_true(mm_test_metric_sample(text, "mm_node_worker_starts_total" L "}") == 3);
    assert_true(mm_test_metric_sample(text, "mm_worker_trace_spans_exported_total" L "}") == 512);
    assert_true(mm_test_metric_sample(text, "mm_worker_trace_spans_dropped_total" L "}") == 10);
    assert_true(mm_test_metric_sample(text, "mm_worker_trace_export_failures_total" L "}") == 1);
    assert_true(mm_test_metric_sample(text, "mm_worker_trace_queue_bytes" L "}") == 5120);
#undef L
    free(text);
    mm_node_metrics_block_unmap(procs[1].metrics);
    mm_node_metrics_close(&n);
    assert_null(n.metrics);
    mm_config_free(cfg);
    mm_service_free(svc);
}

static void bad_listen_address_refused(void **state) {
    (void)state;
    mm_config *cfg = NULL;
    char err[512] = "";
    const char *yaml = "node_metrics_listen: \"no-port\"\n";
    if (mm_config_load_string("t.yaml", yaml, strlen(yaml), &cfg, err, sizeof err))
        fail_msg("%s", err);
    mm_node_options o = {.node_name = "n1", .config = cfg};
    mm_node n;
    memset(&n, 0, sizeof n);
    n.o = &o;
    assert_int_not_equal(mm_node_metrics_open(&n, err, sizeof err), 0);
    assert_non_null(strstr(err, "expected HOST:PORT"));
    assert_null(n.metrics);
    mm_config_free(cfg);
}

static void ce_time_parses(void **state) {
    (void)state;
    assert_true(mm_wm_parse_time_us("1970-01-01T00:00:00Z") == 0);
    assert_true(mm_wm_parse_time_us("1970-01-01T00:00:01.5Z") == 1500000);
    assert_true(mm_wm_parse_time_us("2026-12-06T18:04:19.123456Z") == 1796580259123456LL);
    assert_true(mm_wm_parse_time_us("2026-12-06T19:04:19.123456+01:00") == 1796580259123456LL);
    assert_true(mm_wm_parse_time_us("2000-02-29T00:00:00Z") == 951782400000000LL);
    assert_true(mm_wm_parse_time_us("2026-12-06T18:04:19.1234567891Z") == 1796580259123456LL);
    assert_true(mm_wm_parse_time_us(NULL) == -1);
    assert_true(mm_wm_parse_time_us("") == -1);
    assert_true(mm_wm_parse_time_us("2026-12-06") == -1);
    assert_true(mm_wm_parse_time_us("2026-13-06T18:04:19Z") == -1);
    assert_true(mm_wm_parse_time_us("2026-12-06T18:04:19") == -1);
    assert_true(mm_wm_parse_time_us("2026-12-06T18:04:19Zjunk") == -1);
    assert_true(mm_wm_parse_time_us("2026-12-06T18:04:19.Z") == -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(docs_match_code),
        cmocka_unit_test(render_fake_node),
        cmocka_unit_test(bad_listen_address_refused),
        cmocka_unit_test(ce_time_parses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
