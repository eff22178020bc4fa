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

#define MAX_ROWS 64

typedef struct row {
    char key[96];
    char value[128];
    int seen;
} row;

typedef struct table {
    row rows[MAX_ROWS];
    size_t count;
} table;

static void collect(void *ud, const char *key, const char *value) {
    table *t = ud;
    assert_true(t->count < MAX_ROWS);
    snprintf(t->rows[t->count].key, sizeof t->rows[0].key, "%s", key);
    snprintf(t->rows[t->count].value, sizeof t->rows[0].value, "%s", value);
    t->count++;
}

/* "`a`" -> "a", trimmed. */
static void cell(char *out, size_t size, const char *start, size_t len) {
    while (len && (*start == ' ' || *start == '`')) start++, len--;
    while (len && (start[len - 1] == ' ' || start[len - 1] == '`')) len--;
    snprintf(out, size, "%.*s", (int)len, start);
}

/* The rows of the table whose header is "| key | type | default | meaning |". */
static void read_docs(table *docs) {
    const char *src = getenv("MM_SOURCE_DIR");
    if (!src) fail_msg("MM_SOURCE_DIR is not set (run through ctest)");
    char path[4096];
    snprintf(path, sizeof path, "%s/docs/configuration.md", src);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot open %s", path);
    char line[2048];
    int in_table = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "| key | type | default | meaning |", 34) == 0) {
            in_table = 1;
            continue;
        }
        if (!in_table) continue;
        if (line[0] != '|') break;
        if (strncmp(line, "|---", 4) == 0) continue;
        const char *cols[5];
        size_t n = 0;
        for (const char *p = line; *p && n < 5; p++)
            if (*p == '|') cols[n++] = p;
        if (n < 5) fail_msg("malformed row in %s: %s", path, line);
        assert_true(docs->count < MAX_ROWS);
        row *r = &docs->rows[docs->count++];
        cell(r->key, sizeof r->key, cols[0] + 1, (size_t)(cols[1] - cols[0] - 1));
        cell(r->value, sizeof r->value, cols[2] + 1, (size_t)(cols[3] - cols[2] - 1));
    }
    fclose(f);
    if (docs->count < 10) fail_msg("found only %zu rows in %s's defaults table", docs->count, path);
}

static void docs_match_code(void **state) {
    (void)state;
    table docs = {0}, code = {0};
    read_docs(&docs);
    assert_int_equal(mm_config_each_default(collect, &code), 0);
    int bad = 0;
    for (size_t i = 0; i < code.count; i++) {
        row *c = &code.rows[i];
        row *d = NULL;
        for (size_t j = 0; j < docs.count && !d; j++)
            if (strcmp(docs.rows[j].key, c->key) == 0) d = &docs.rows[j];
        if (!d) {
            print_error("docs/configuration.md lacks key %s (default %s)\n", c->key, c->value);
            bad++;
            continue;
        }
        d->seen = 1;
        if (strcmp(d->value, c->value) != 0) {
            print_error("%s: the docs say default '%s', the code sets '%s'\n", c->key, d->value,
                        c->value);
            bad++;
        }
    }
    for (size_t j = 0; j < docs.count; j++)
        if (!docs.rows[j].seen) {
            print_error("docs/configuration.md documents %s, which mm_config_each_default() "
                        "does not report\n",
                        docs.rows[j].key);
            bad++;
        }
    assert_int_equal(bad, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(docs_match_code)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
