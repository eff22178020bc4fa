/* suggest.c -- the closest name to a misspelled one (suggest.h). */
#include "common/suggest.h"

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_LEN 64

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

size_t mm_suggest_distance(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    if (n > MAX_LEN || m > MAX_LEN) return SIZE_MAX;
    /* Optimal string alignment distance, three rows of the matrix. */
    size_t rows[3][MAX_LEN + 1];
    size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
    for (size_t j = 0; j <= m; j++) prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
            size_t d = prev[j] + 1;
            if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
            if (prev[j - 1] + cost < d) d = prev[j - 1] + cost;
            if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
                lower(a[i - 2]) == lower(b[j - 1]) && prev2[j - 2] + 1 < d)
                d = prev2[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = prev2;
        prev2 = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

void mm_suggest_init(mm_suggest *s, const char *word) {
    assert(word);
    s->word = word;
    s->best = NULL;
    s->best_distance = SIZE_MAX;
}

void mm_suggest_offer(mm_suggest *s, const char *candidate) {
    if (!candidate || strcmp(candidate, s->word) == 0) return;
    size_t d = mm_suggest_distance(s->word, candidate);
    /* A likely typo: at most a third of the longer name changed (at least 1,
     * at most 3 edits); otherwise the suggestion would be noise. */
    size_t len = strlen(s->word), clen = strlen(candidate);
    size_t limit = (len > clen ? len : clen) / 3;
    if (limit < 1) limit = 1;
    if (limit > 3) limit = 3;
    if (d <= limit && d < s->best_distance) {
        s->best = candidate;
        s->best_distance = d;
    }
}

const char *mm_suggest_hint(const mm_suggest *s, char *buf, size_t size) {
    assert(size > 0);
    if (s->best)
        snprintf(buf, size, " (did you mean '%s'?)", s->best);
    else
        buf[0] = '\0';
    return buf;
}
