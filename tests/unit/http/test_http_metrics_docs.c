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

#define MAX_ROWS 64

typedef struct row {
    char name[128], type[32];
    int seen;
} row;

/* "`a`" -> "a", trimmed. */
static void cell(char *out, size_t size, const char *start, size_t len) {
    while (len && (*start == ' ' || *start == '`')) start++, len--;
    while (len && (start[len - 1] == ' ' || start[len - 1] == '`')) len--;
    snprintf(out, size, "%.*s", (int)len, start);
}

/* The rows of the table under "## Metrics" ("| name | type | labels |"). */
static size_t read_docs(row *rows) {
    const char *src = getenv("MM_SOURCE_DIR");
    if (!src) fail_msg("MM_SOURCE_DIR is not set (run through ctest)");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/http.md", src);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    char line[8192];
    int section = 0, in_table = 0;
    size_t count = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "## ", 3) == 0) {
            if (in_table) break;
            section = strcmp(line, "## Metrics\n") == 0;
            continue;
        }
        if (!section) continue;
        if (strncmp(line, "| name | type |", 15) == 0) {
            in_table = 1;
            continue;
        }
        if (!in_table) continue;
        if (line[0] != '|') break;
        if (strncmp(line, "|---", 4) == 0) continue;
        const char *cols[3];
        size_t n = 0;
        for (const char *p = line; *p && n < 3; p++)
            if (*p == '|') cols[n++] = p;
        if (n < 3) fail_msg("malformed row in %s: %s", path, line);
        assert_true(count < MAX_ROWS);
        row *r = &rows[count++];
        cell(r->name, sizeof r->name, cols[0] + 1, (size_t)(cols[1] - cols[0] - 1));
        cell(r->type, sizeof r->type, cols[1] + 1, (size_t)(cols[2] - cols[1] - 1));
    }
    fclose(f);
    if (count < 5) fail_msg("found only %zu rows in %s's metrics table", count, path);
    return count;
}

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
    row rows[MAX_ROWS];
    memset(rows, 0, sizeof rows);
    size_t n = read_docs(rows);
    char *text = render();
    size_t families = 0;
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        char name[128], type[32];
        if (sscanf(l, "# TYPE %127s %31s", name, type) != 2) continue;
        families++;
        row *r = NULL;
        for (size_t i = 0; i < n && !r; i++)
            if (strcmp(rows[i].name, name) == 0) r = &rows[i];
        if (!r) fail_msg("docs/http.md does not document %s", name);
        if (strcmp(r->type, type) != 0)
            fail_msg("%s: docs/http.md says type %s, the code %s", name, r->type, type);
        r->seen = 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!rows[i].seen)
            fail_msg("docs/http.md documents %s, which /metrics does not render", rows[i].name);
    assert_int_equal(families, n);
    free(text);
}

/* The value of the sample line "name value". */
static double sample(const char *text, const char *name) {
    size_t len = strlen(name);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, name, len) == 0 && l[len] == ' ') return strtod(l + len + 1, NULL);
    fail_msg("no sample %s in:\n%s", name, text);
    return -1;
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
    assert_true(sample(text, "mm_trace_spans_exported_total") == 42 + (double)base.exported);
    assert_true(sample(text, "mm_trace_spans_dropped_total") == 3 + (double)base.dropped);
    assert_true(sample(text, "mm_trace_export_failures_total") == 1 + (double)base.failed_posts);
    assert_true(sample(text, "mm_trace_queue_bytes") == 0); /* tracing is off: nothing queued */
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
