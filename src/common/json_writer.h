/* json_writer.h -- JSON text written directly, piece by piece.
 *
 * The executor writes a response's text while it completes values, instead
 * of building a jansson tree and serializing it afterwards: a jansson object
 * costs a malloc for itself, one for its hash table and one per member, and
 * on a 124-object response that tree was ~40 % of the execution (bench/http).
 * A writer is a growable buffer; the executor remembers positions (marks) and
 * cuts back to one when null propagates over a value it already wrote.
 *
 * Text is what JSON.stringify writes: compact, strings with the mandatory
 * escapes and the short forms, numbers as JavaScript prints them ("0.1",
 * "1e+21", "1.5e-7"), so responses are byte-identical to graphql-js's.
 * jansson's json_dumps is not used for responses: it checks every container
 * for reference cycles while writing (a malloc and a free per container; on a
 * 7 KB response 102 µs against 35 µs here), and writes numbers differently. */
#ifndef MM_COMMON_JSON_WRITER_H
#define MM_COMMON_JSON_WRITER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Deepest nesting mm_json_put_value writes; deeper values fail the writer.
 * The executor bounds response depth far below this. */
#define MM_JSON_TEXT_MAX_DEPTH 2048

typedef struct mm_json_writer {
    char *s; /* the text so far (not NUL-terminated until taken) */
    size_t len;
    size_t cap;
    bool failed;     /* out of memory, too deep or over the limit: the text is lost */
    bool over_limit; /* it failed because the text would pass limit */
    size_t limit;    /* most bytes of text; 0 = no limit. The buffer never grows
                       past limit + 1, so a capped response costs at most that */
} mm_json_writer;

/* An empty writer without a limit is all zeros. */
#define MM_JSON_WRITER_INIT \
    { NULL, 0, 0, false, false, 0 }

/* Copies n bytes from s to d (not overlapping); short copies without a
 * call (a writer's pieces are mostly names and short values, and a call to
 * memcpy costs more than the copy). */
static inline void mm_json_copy(char *d, const char *s, size_t n) {
    if (n > 16) {
        memcpy(d, s, n);
    } else if (n >= 8) { /* two 8-byte words, overlapping in the middle */
        char a[8], b[8];
        memcpy(a, s, 8);
        memcpy(b, s + n - 8, 8);
        memcpy(d, a, 8);
        memcpy(d + n - 8, b, 8);
    } else if (n >= 4) {
        char a[4], b[4];
        memcpy(a, s, 4);
        memcpy(b, s + n - 4, 4);
        memcpy(d, a, 4);
        memcpy(d + n - 4, b, 4);
    } else if (n > 0) {
        d[0] = s[0];
        d[n / 2] = s[n / 2];
        d[n - 1] = s[n - 1];
    }
}

/* Makes room for n more bytes (and a NUL); false once the writer failed.
 * Passing the limit fails the writer (over_limit set). The check costs
 * nothing on the hot path: puts call this only when the buffer is full. */
bool mm_json_writer_reserve(mm_json_writer *w, size_t n);

static inline void mm_json_put(mm_json_writer *w, const char *s, size_t n) {
    if (w->len + n >= w->cap && !mm_json_writer_reserve(w, n)) return;
    memcpy(w->s + w->len, s, n);
    w->len += n;
}

static inline void mm_json_put_char(mm_json_writer *w, char c) {
    if (w->len + 1 >= w->cap && !mm_json_writer_reserve(w, 1)) return;
    w->s[w->len++] = c;
}

/* Cuts the text back to len bytes (a mark taken earlier). */
static inline void mm_json_truncate(mm_json_writer *w, size_t len) {
    if (len < w->len) w->len = len;
}

/* Whether any of the 8 bytes in x is a control character, '"' or '\\'
 * (the bytes JSON.stringify escapes): the classic "has a byte less than n"
 * and "has a zero byte" word tricks. Bytes >= 0x80 (UTF-8) never match. */
static inline bool mm_json_word_needs_escape(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t control = (x - ones * 0x20) & ~x & highs;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t quote = (q - ones) & ~q & highs;
    uint64_t backslash = (b - ones) & ~b & highs;
    return (control | quote | backslash) != 0;
}

/* Loads of 8 and 4 bytes (memcpy with a constant size compiles to one load). */
static inline uint64_t mm_json_load8(const char *p) {
    uint64_t x;
    memcpy(&x, p, 8);
    return x;
}

static inline uint32_t mm_json_load4(const char *p) {
    uint32_t x;
    memcpy(&x, p, 4);
    return x;
}

/* Whether any byte of s[0..n) needs an escape. Every byte is looked at
 * (short strings in at most two overlapping words, never past s + n). */
static inline bool mm_json_needs_escape(const char *s, size_t n) {
    const uint64_t spaces = 0x2020202020202020u;
    if (n >= 8) {
        for (size_t i = 0; i + 8 < n; i += 8)
            if (mm_json_word_needs_escape(mm_json_load8(s + i))) return true;
        return mm_json_word_needs_escape(mm_json_load8(s + n - 8));
    }
    if (n >= 4)
        return mm_json_word_needs_escape(mm_json_load4(s) | (uint64_t)mm_json_load4(s + n - 4)
                                                                << 32);
    if (n == 0) return false;
    /* 1-3 bytes: the first, middle and last, padded with spaces. */
    uint64_t x = (spaces << 24) | (uint64_t)(unsigned char)s[0] |
                 (uint64_t)(unsigned char)s[n / 2] << 8 | (uint64_t)(unsigned char)s[n - 1] << 16;
    return mm_json_word_needs_escape(x);
}

/* mm_json_put_string for a string with a byte to escape (json_writer.c). */
void mm_json_put_string_escaped(mm_json_writer *w, const char *s, size_t n);

/* A JSON string of n bytes of s (UTF-8, may hold NULs), quoted and escaped.
 * Inline: most strings need no escape, and this is per leaf of a response. */
static inline void mm_json_put_string(mm_json_writer *w, const char *s, size_t n) {
    if (mm_json_needs_escape(s, n)) {
        mm_json_put_string_escaped(w, s, n);
        return;
    }
    if (w->len + n + 2 >= w->cap && !mm_json_writer_reserve(w, n + 2)) return;
    char *p = w->s + w->len;
    *p = '"';
    mm_json_copy(p + 1, s, n);
    p[n + 1] = '"';
    w->len += n + 2;
}
void mm_json_put_integer(mm_json_writer *w, json_int_t v);
/* A finite double as JavaScript prints it. */
void mm_json_put_real(mm_json_writer *w, double v);
/* Any JSON value (object members in insertion order); NULL writes null. */
void mm_json_put_value(mm_json_writer *w, const json_t *v);

/* The text, NUL-terminated and malloc'd (the caller frees it), its length in
 * *len (may be NULL); the writer is empty afterwards. NULL when it failed. */
char *mm_json_writer_take(mm_json_writer *w, size_t *len);

/* Drops the text and marks the writer failed (a part of it could not be
 * written: out of memory, too deep, or lost elsewhere); take returns NULL. */
void mm_json_writer_fail(mm_json_writer *w);

/* Frees the buffer; the writer is empty afterwards. */
void mm_json_writer_release(mm_json_writer *w);

/* The compact text of v, malloc'd; NULL when out of memory or nested deeper
 * than MM_JSON_TEXT_MAX_DEPTH. */
char *mm_json_text(const json_t *v, size_t *len);

/* Like mm_json_text, but a real is always written with a fraction or an
 * exponent ("1.0", not "1"), so that jansson (and Python) read it back as a
 * real: the text of event data and stored values, where json_dumps was used
 * before (which costs a cycle-check malloc and free per container). */
char *mm_json_text_typed(const json_t *v, size_t *len);

#endif
