/* mm_test_docs.h -- reads a Markdown table out of docs/ so a test can compare
 * a documented table (configuration keys, metric families) with the table the
 * code holds, both ways, and reads one sample out of rendered Prometheus
 * text. Used by the *_docs tests of several modules. */
#ifndef MM_TEST_DOCS_H
#define MM_TEST_DOCS_H

#include <stddef.h>

/* Only the leading columns a test compares are kept (name, type, labels /
 * key, type, default); the prose column is not. */
#define MM_DOC_COLS     3
#define MM_DOC_CELL_MAX 256

typedef struct mm_doc_row {
    char cell[MM_DOC_COLS][MM_DOC_CELL_MAX]; /* trimmed of spaces and backticks */
    int seen;                                /* for the caller's both-ways check */
} mm_doc_row;

typedef struct mm_doc_table {
    mm_doc_row *rows;
    size_t count;
    char path[4096]; /* the file read, for messages */
} mm_doc_table;

/* Read the table whose header line starts with `header` from
 * $MM_SOURCE_DIR/docs/<doc>; with `section` ("## Metrics") only a table under
 * that heading counts. The table ends at the first line not starting with
 * '|'. Fails the running cmocka test when MM_SOURCE_DIR is unset, the file
 * is missing, a row has fewer than MM_DOC_COLS cells, or fewer than
 * `min_rows` rows were found (a renamed header must not pass as "empty"). */
void mm_test_doc_table_read(mm_doc_table *t, const char *doc, const char *section,
                            const char *header, size_t min_rows);

/* The first row whose cell `col` equals `value`, or NULL. */
mm_doc_row *mm_test_doc_table_find(const mm_doc_table *t, size_t col, const char *value);

/* Fail the test naming the first row no check marked seen. */
void mm_test_doc_table_all_seen(const mm_doc_table *t, const char *what);

void mm_test_doc_table_free(mm_doc_table *t);

/* The value of the Prometheus sample in `text` whose line starts with
 * `prefix` ("name" or "name{labels}") followed by a space; fails the test
 * when there is none. */
double mm_test_metric_sample(const char *text, const char *prefix);

#endif
