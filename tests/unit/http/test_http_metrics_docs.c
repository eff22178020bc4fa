/* test_http_metrics_docs.c -- gregor serve's /metrics: docs/http.md's
 * metrics table names every family the server renders, with its type, and
 * nothing else (the table's rows against the text's "# TYPE" lines, both
 * ways); the span exporter's families carry the process's exporter
 * counters, including counts moved to caller-provided cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/trace_export.h"
#include "http/http_internal.h"
#include "mm_test_docs.h"

static char *render(void) {
    mm_http_metrics *m = calloc(1, sizeof *m);
    assert_non_null(m);
    size_t len = 0;
    char *text = mm_http_metrics_render(m, &len);
    assert_non_null(text);
    assert_int_equal(strlen(text), len);
    free(m);
    return text;
}

static void docs_match_code(void **state) {
    (void)state;
    mm_doc_table docs;
    mm_test_doc_table_read(&docs, "http.md", "## Metrics", "| name | type |", 5);
    char *text = render();
    size_t families = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char name[128], type[32];
        if (sscanf(l, "# TYPE %127s %31s", name, type) != 2) continue;
        families++;
        mm_doc_row *r = mm_test_doc_table_find(&docs, 0, name);
        if (!r) fail_msg("docs/http.md does not document %s", name);
        if (strcmp(r->cell[1], type) != 0)
            fail_msg("%s: docs/http.md says type %s, the code %s", name, r->cell[1], type);
        r->seen = 1;
    }
    mm_test_doc_table_all_seen(&docs, "/metrics does not render");
    assert_int_equal(families, docs.count);
    mm_test_doc_table_free(&docs);
    free(text);
}

/* The exporter's counters, moved into caller cells and back, show on
 * /metrics: what was counted before the move is carried along. */
static void exporter_counters(void **state) {
    (void)state;
    mm_trace_stats base;
    mm_trace_get_stats(&base);
    mm_trace_counters cells = {0};
    atomic_store(&cells.exported, 40);
    mm_trace_use_counters(&cells);
    assert_true(atomic_load(&cells.exported) == 40 + base.exported);
    atomic_fetch_add(&cells.exported, 2);
    atomic_fetch_add(&cells.dropped, 3);
    atomic_fetch_add(&cells.failed_posts, 1);
    char *text = render();
    assert_true(mm_test_metric_sample(text, "mm_trace_spans_exported_total") ==
                42 + (double)base.exported);
    assert_true(mm_test_metric_sample(text, "mm_trace_spans_dropped_total") ==
                3 + (double)base.dropped);
    assert_true(mm_test_metric_sample(text, "mm_trace_export_failures_total") ==
                1 + (double)base.failed_posts);
    assert_true(mm_test_metric_sample(text, "mm_trace_queue_bytes") ==
                0); /* tracing is off: nothing queued */
    free(text);
    mm_trace_use_counters(NULL); /* back to the process's cells, with the counts */
    assert_true(atomic_load(&cells.exported) == 0);
    mm_trace_stats after;
    mm_trace_get_stats(&after);
    assert_true(after.exported == 42 + base.exported);
    assert_true(after.dropped == 3 + base.dropped);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(docs_match_code),
        cmocka_unit_test(exporter_counters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
