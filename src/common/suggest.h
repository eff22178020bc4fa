/* suggest.h -- "did you mean ...?": the closest of a set of names to a
 * misspelled one, for messages that name a configuration key, a consumer or a
 * type that does not exist. */
#ifndef MM_COMMON_SUGGEST_H
#define MM_COMMON_SUGGEST_H

#include <stddef.h>

/* Offer candidates one by one; best is the closest so far (borrowed from the
 * caller), or NULL when none is close enough to be a likely typo. */
typedef struct mm_suggest {
    const char *word;
    const char *best;
    size_t best_distance;
} mm_suggest;

void mm_suggest_init(mm_suggest *s, const char *word);
void mm_suggest_offer(mm_suggest *s, const char *candidate);

/* The edit distance (insert, delete, substitute, swap two neighbours;
 * ASCII case-insensitive) between a and b, or SIZE_MAX past 64 characters. */
size_t mm_suggest_distance(const char *a, const char *b);

/* Writes " (did you mean 'BEST'?)" into buf when there is a suggestion, ""
 * otherwise; returns buf, for "...%s" in a message. */
const char *mm_suggest_hint(const mm_suggest *s, char *buf, size_t size);

#endif
