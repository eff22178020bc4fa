/* test_config_docs.c -- docs/configuration.md's table of keys and defaults
 * says what the code sets: every documented key has the default
 * mm_config_each_default() reports (read from config.c's own defaults), and
 * every key the code reports is documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "mm_test_docs.h"

/* What mm_config_each_default() reports, in the docs table's shape
 * (cell 0 the key, cell 2 the default). */
static void collect(void *ud, const char *key, const char *value) {
    mm_doc_table *t = ud;
    mm_doc_row *rows = realloc(t->rows, (t->count + 1) * sizeof *rows);
    assert_non_null(rows);
    t->rows = rows;
    mm_doc_row *r = &rows[t->count++];
    memset(r, 0, sizeof *r);
    snprintf(r->cell[0], sizeof r->cell[0], "%s", key);
    snprintf(r->cell[2], sizeof r->cell[2], "%s", value);
}

static void docs_match_code(void **state) {
    (void)state;
    mm_doc_table docs, code = {0};
    mm_test_doc_table_read(&docs, "configuration.md", NULL, "| key | type | default | meaning |",
                           10);
    assert_int_equal(mm_config_each_default(collect, &code), 0);
    int bad = 0;
    for (size_t i = 0; i < code.count; i++) {
        const mm_doc_row *c = &code.rows[i];
        mm_doc_row *d = mm_test_doc_table_find(&docs, 0, c->cell[0]);
        if (!d) {
            print_error("docs/configuration.md lacks key %s (default %s)\n", c->cell[0],
                        c->cell[2]);
            bad++;
            continue;
        }
        d->seen = 1;
        if (strcmp(d->cell[2], c->cell[2]) != 0) {
            print_error("%s: the docs say default '%s', the code sets '%s'\n", c->cell[0],
                        d->cell[2], c->cell[2]);
            bad++;
        }
    }
    for (size_t j = 0; j < docs.count; j++)
        if (!docs.rows[j].seen) {
            print_error("docs/configuration.md documents %s, which mm_config_each_default() "
                        "does not report\n",
                        docs.rows[j].cell[0]);
            bad++;
        }
    mm_test_doc_table_free(&docs);
    mm_test_doc_table_free(&code);
    assert_int_equal(bad, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(docs_match_code)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
