/* mm_test_docs.c -- the Markdown table reader and the metric sample reader
 * of mm_test_docs.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "mm_test_docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "  `a` " -> "a". */
static void cell(char *out, size_t size, const char *start, size_t len) {
    while (len && (*start == ' ' || *start == '`')) start++, len--;
    while (len && (start[len - 1] == ' ' || start[len - 1] == '`')) len--;
    snprintf(out, size, "%.*s", (int)len, start);
}

static void add_row(mm_doc_table *t, const char *line) {
    const char *bar[MM_DOC_COLS + 1];
    size_t n = 0;
    for (const char *p = line; *p && n < MM_DOC_COLS + 1; p++)
        if (*p == '|') bar[n++] = p;
    if (n < MM_DOC_COLS + 1) fail_msg("malformed row in %s: %s", t->path, line);
    mm_doc_row *rows = realloc(t->rows, (t->count + 1) * sizeof *rows);
    assert_non_null(rows);
    t->rows = rows;
    mm_doc_row *r = &rows[t->count++];
    memset(r, 0, sizeof *r);
    for (size_t c = 0; c < MM_DOC_COLS; c++)
        cell(r->cell[c], sizeof r->cell[c], bar[c] + 1, (size_t)(bar[c + 1] - bar[c] - 1));
}

void mm_test_doc_table_read(mm_doc_table *t, const char *doc, const char *section,
                            const char *header, size_t min_rows) {
    memset(t, 0, sizeof *t);
    const char *src = getenv("MM_SOURCE_DIR");
    if (!src) fail_msg("MM_SOURCE_DIR is not set (run through ctest)");
    snprintf(t->path, sizeof t->path, "%s/docs/%s", src, doc);
    FILE *f = fopen(t->path, "r");
    if (!f) fail_msg("cannot open %s", t->path);
    char line[8192];
    int in_section = section == NULL, in_table = 0;
    size_t section_len = section ? strlen(section) : 0;
    while (fgets(line, sizeof line, f)) {
        if (section && strncmp(line, "## ", 3) == 0) {
            if (in_table) break;
            in_section = strncmp(line, section, section_len) == 0 &&
                         (line[section_len] == '\n' || line[section_len] == '\0');
            continue;
        }
        if (!in_section) continue;
        if (!in_table) {
            in_table = strncmp(line, header, strlen(header)) == 0;
            continue;
        }
        if (line[0] != '|') break;
        if (strncmp(line, "|---", 4) == 0) continue;
        add_row(t, line);
    }
    fclose(f);
    if (t->count < min_rows)
        fail_msg("found only %zu rows under \"%s\" in %s", t->count, header, t->path);
}

mm_doc_row *mm_test_doc_table_find(const mm_doc_table *t, size_t col, const char *value) {
    assert_true(col < MM_DOC_COLS);
    for (size_t i = 0; i < t->count; i++)
        if (strcmp(t->rows[i].cell[col], value) == 0) return &t->rows[i];
    return NULL;
}

void mm_test_doc_table_all_seen(const mm_doc_table *t, const char *what) {
    for (size_t i = 0; i < t->count; i++)
        if (!t->rows[i].seen)
            fail_msg("%s documents %s, which %s", t->path, t->rows[i].cell[0], what);
}

void mm_test_doc_table_free(mm_doc_table *t) {
    free(t->rows);
    t->rows = NULL;
    t->count = 0;
}

double mm_test_metric_sample(const char *text, const char *prefix) {
    size_t len = strlen(prefix);
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, prefix, len) == 0 && l[len] == ' ') return strtod(l + len + 1, NULL);
    fail_msg("no sample %s in:\n%s", prefix, text);
    return -1;
}
