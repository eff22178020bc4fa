/* parse.c -- strict HTTP/1.1 request-head parsing and chunked decoding
 * (RFC 9112), see parse.h. Every ambiguity a front proxy and this server
 * could read differently (request smuggling) is refused, not guessed. */
#include "http/parse.h"

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

/* tchar (RFC 9110 5.6.2): the characters of a token. */
static const unsigned char tchar[256] = {
    ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['&'] = 1, ['\''] = 1, ['*'] = 1, ['+'] = 1,
    ['-'] = 1, ['.'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1, ['|'] = 1,  ['~'] = 1, ['0'] = 1,
    ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1,  ['7'] = 1, ['8'] = 1,
    ['9'] = 1, ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1,  ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1,  ['N'] = 1, ['O'] = 1,
    ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,  ['V'] = 1, ['W'] = 1,
    ['X'] = 1, ['Y'] = 1, ['Z'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1,  ['d'] = 1, ['e'] = 1,
    ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1,  ['l'] = 1, ['m'] = 1,
    ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1,  ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* field-vchar, SP, HTAB and obs-text: what a field value may hold. */
static int value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static int name_is(const mm_http_field *f, const char *name) {
    size_t n = strlen(name);
    return f->name_len == n && strncasecmp(f->name, name, n) == 0;
}

/* The fields that decide framing, recognized by length first (cheap). */
enum {
    F_OTHER,
    F_HOST,
    F_CONTENT_LENGTH,
    F_TRANSFER_ENCODING,
    F_CONNECTION,
    F_EXPECT
};
static int field_kind(const mm_http_field *f) {
    switch (f->name_len) {
    case 4: return strncasecmp(f->name, "host", 4) == 0 ? F_HOST : F_OTHER;
    case 6: return strncasecmp(f->name, "expect", 6) == 0 ? F_EXPECT : F_OTHER;
    case 10: return strncasecmp(f->name, "connection", 10) == 0 ? F_CONNECTION : F_OTHER;
    case 14: return strncasecmp(f->name, "content-length", 14) == 0 ? F_CONTENT_LENGTH : F_OTHER;
    case 17:
        return strncasecmp(f->name, "transfer-encoding", 17) == 0 ? F_TRANSFER_ENCODING : F_OTHER;
    default: return F_OTHER;
    }
}

static int token_is(const char *s, size_t len, const char *word) {
    size_t n = strlen(word);
    return len == n && strncasecmp(s, word, n) == 0;
}

const mm_http_field *mm_http_head_field(const mm_http_head *h, const char *name) {
    for (size_t i = 0; i < h->field_count; i++)
        if (name_is(&h->fields[i], name)) return &h->fields[i];
    return NULL;
}

/* Calls fn on each element of a comma-separated list value (OWS trimmed,
 * empty elements skipped, as RFC 9110 5.6.1 allows). Stops at a non-zero
 * return and returns it. */
typedef int (*element_fn)(void *ud, const char *s, size_t len);
static int each_element(const char *v, size_t len, element_fn fn, void *ud) {
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && v[i] != ',') i++;
        size_t b = start, e = i;
        while (b < e && (v[b] == ' ' || v[b] == '\t')) b++;
        while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) e--;
        if (e > b) {
            int rc = fn(ud, v + b, e - b);
            if (rc) return rc;
        }
        if (i < len) i++; /* the comma */
    }
    return 0;
}

typedef struct te_state {
    int chunked_seen;
} te_state;

static int te_element(void *ud, const char *s, size_t len) {
    te_state *t = ud;
    if (token_is(s, len, "chunked")) {
        if (t->chunked_seen) return -400; /* chunked twice */
        t->chunked_seen = 1;
        return 0;
    }
    return -501; /* no other transfer coding is implemented */
}

static int connection_element(void *ud, const char *s, size_t len) {
    int *keep_alive = ud;
    if (token_is(s, len, "close"))
        *keep_alive = -1; /* close wins over everything */
    else if (token_is(s, len, "keep-alive") && *keep_alive == 0)
        *keep_alive = 1;
    return 0;
}

/* The framing and connection semantics of a syntactically valid head. */
static int interpret(mm_http_head *h) {
    int hosts = 0, lengths = 0, te = 0, expect = 0;
    te_state tes = {0};
    int conn = 0; /* 0 unspecified, 1 keep-alive, -1 close */
    for (size_t i = 0; i < h->field_count; i++) {
        const mm_http_field *f = &h->fields[i];
        int kind = field_kind(f);
        if (kind == F_OTHER) continue;
        if (kind == F_HOST) {
            hosts++;
            for (size_t k = 0; k < f->value_len; k++)
                if ((unsigned char)f->value[k] <= 0x20 || f->value[k] == 0x7f) return -400;
        } else if (kind == F_CONTENT_LENGTH) {
            lengths++;
            /* Exactly 1*DIGIT: "26, 26", "-1", "+5", " 5x" and 20+ digits are all refused. */
            if (f->value_len == 0 || f->value_len > 18) return -400;
            uint64_t n = 0;
            for (size_t k = 0; k < f->value_len; k++) {
                if (f->value[k] < '0' || f->value[k] > '9') return -400;
                n = n * 10 + (uint64_t)(f->value[k] - '0');
            }
            h->content_length = n;
            h->has_length = 1;
        } else if (kind == F_TRANSFER_ENCODING) {
            te = 1;
            int rc = each_element(f->value, f->value_len, te_element, &tes);
            if (rc == -400) return -400;
            if (rc == -501) te = 2;
        } else if (kind == F_CONNECTION) {
            each_element(f->value, f->value_len, connection_element, &conn);
        } else if (kind == F_EXPECT) {
            expect++;
            if (!token_is(f->value, f->value_len, "100-continue")) return -417;
        }
    }
    if (hosts > 1 || (h->minor == 1 && hosts == 0)) return -400;
    if (lengths > 1) return -400;
    if (te && lengths) return -400; /* RFC 9112 6.1: a smuggling attempt, never both */
    if (te && h->minor == 0) return -400;
    if (te == 2) return -501;
    if (te && !tes.chunked_seen) return -400; /* an empty Transfer-Encoding */
    h->chunked = te != 0;
    if (h->chunked) {
        h->has_length = 0;
        h->content_length = 0;
    }
    h->keep_alive = conn == -1 ? 0 : (h->minor == 1 ? 1 : conn == 1);
    h->expect_continue = expect && h->minor == 1;
    return 0;
}

/* Reduces the request-target to its origin-form path. */
static int set_path(mm_http_head *h) {
    const char *t = h->target;
    size_t n = h->target_len;
    if (t[0] == '/') {
        h->path = t;
        h->path_len = n;
        return 0;
    }
    if (n == 1 && t[0] == '*') {
        h->path = t;
        h->path_len = 1;
        return 0;
    }
    size_t skip = 0;
    if (n > 7 && strncasecmp(t, "http://", 7) == 0)
        skip = 7;
    else if (n > 8 && strncasecmp(t, "https://", 8) == 0)
        skip = 8;
    if (!skip) return -400; /* authority-form and anything else */
    const char *slash = memchr(t + skip, '/', n - skip);
    if (!slash) {
        h->path = "/";
        h->path_len = 1;
    } else {
        h->path = slash;
        h->path_len = n - (size_t)(slash - t);
    }
    return 0;
}

/* What an incomplete head means: wait, or it is already too long. */
static int incomplete(size_t len, const mm_http_limits *lim) {
    return len >= lim->max_head ? -431 : 0;
}

int mm_http_parse_head(const char *buf, size_t len, const mm_http_limits *lim, mm_http_head *h) {
    assert(buf && lim && h);
    /* Not the 3 KB field array: only what is read before being written. */
    memset(h, 0, offsetof(mm_http_head, fields));
    h->field_count = 0;
    h->chunked = h->has_length = h->keep_alive = h->expect_continue = 0;
    h->content_length = 0;
    const unsigned char *b = (const unsigned char *)buf;
    size_t p = 0;
    /* RFC 9112 2.2: ignore empty lines before the request line. */
    while (p < len && b[p] == '\r') {
        if (p + 1 >= len) return incomplete(len, lim);
        if (b[p + 1] != '\n') return -400;
        p += 2;
    }
    if (p >= len) return incomplete(len, lim);
    /* method SP */
    size_t m0 = p;
    while (p < len && tchar[b[p]] && p - m0 <= 32) p++;
    if (p >= len) return incomplete(len, lim);
    if (p == m0 || b[p] != ' ' || p - m0 > 32) return -400;
    h->method = buf + m0;
    h->method_len = p - m0;
    p++;
    /* request-target SP */
    size_t t0 = p;
    while (p < len && b[p] > 0x20 && b[p] < 0x7f) {
        p++;
        if (p - t0 > lim->max_target) return -414;
    }
    if (p >= len) return incomplete(len, lim);
    if (p == t0 || b[p] != ' ') return -400;
    h->target = buf + t0;
    h->target_len = p - t0;
    p++;
    /* HTTP-version CRLF */
    if (len - p < 10) {
        /* Still incomplete: refuse a wrong prefix now rather than wait for more. */
        if (memcmp(b + p, "HTTP/1.1\r\n", len - p) != 0 &&
            memcmp(b + p, "HTTP/1.0\r\n", len - p) != 0 &&
            !(len - p >= 5 && memcmp(b + p, "HTTP/", 5) == 0))
            return -400;
        return incomplete(len, lim);
    }
    if (memcmp(b + p, "HTTP/", 5) != 0 || b[p + 5] < '0' || b[p + 5] > '9' || b[p + 6] != '.' ||
        b[p + 7] < '0' || b[p + 7] > '9' || b[p + 8] != '\r' || b[p + 9] != '\n')
        return -400;
    if (b[p + 5] != '1') return -505;
    h->minor = b[p + 7] == '0' ? 0 : 1; /* HTTP/1.x with x > 1 is handled as 1.1 (RFC 9110 6.2) */
    p += 10;
    if (set_path(h) != 0) return -400;
    /* field lines, then the empty line */
    for (;;) {
        if (p >= lim->max_head) return -431;
        if (p >= len) return incomplete(len, lim);
        if (b[p] == '\r') {
            if (p + 1 >= len) return incomplete(len, lim);
            if (b[p + 1] != '\n') return -400;
            p += 2;
            if (p > lim->max_head) return -431;
            break;
        }
        if (h->field_count == MM_HTTP_MAX_HEADERS) return -431;
        size_t n0 = p;
        while (p < len && tchar[b[p]]) p++;
        if (p >= len) return incomplete(len, lim);
        /* Whitespace before the colon, obs-fold and empty names are refused (RFC 9112 5.1, 5.2). */
        if (p == n0 || b[p] != ':') return -400;
        mm_http_field *f = &h->fields[h->field_count];
        f->name = buf + n0;
        f->name_len = p - n0;
        p++;
        while (p < len && (b[p] == ' ' || b[p] == '\t')) p++;
        size_t v0 = p;
        while (p < len && (b[p] >= 0x20 ? b[p] != 0x7f : b[p] == '\t')) p++;
        if (p >= len) return incomplete(len, lim);
        if (b[p] != '\r') return -400; /* a bare LF or another control character */
        if (p + 1 >= len) return incomplete(len, lim);
        if (b[p + 1] != '\n') return -400;
        size_t v1 = p;
        while (v1 > v0 && (b[v1 - 1] == ' ' || b[v1 - 1] == '\t')) v1--;
        f->value = buf + v0;
        f->value_len = v1 - v0;
        h->field_count++;
        p += 2;
    }
    int rc = interpret(h);
    if (rc) return rc;
    assert(p <= len && p <= (size_t)INT32_MAX);
    return (int)p;
}

static int hex_value(unsigned char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

#define CHUNK_LINE_MAX 1024       /* one chunk extension */
#define TRAILER_MAX    (8 * 1024) /* the whole trailer section (ignored) */

size_t mm_http_chunked_step(mm_http_chunked *d, const char *in, size_t len, const char **data,
                            size_t *data_len) {
    const unsigned char *b = (const unsigned char *)in;
    *data = NULL;
    *data_len = 0;
    if (d->state == MM_CHUNKED_DATA) {
        size_t n = len < d->remaining ? len : (size_t)d->remaining;
        *data = in;
        *data_len = n;
        d->remaining -= n;
        if (d->remaining == 0) d->state = MM_CHUNKED_DATA_CR;
        return n;
    }
    size_t i = 0;
    while (i < len) {
        unsigned char c = b[i];
        switch (d->state) {
        case MM_CHUNKED_SIZE: {
            int v = hex_value(c);
            if (v >= 0) {
                if (++d->digits > 15) goto bad; /* 2^60: far past any body limit */
                d->remaining = d->remaining * 16 + (uint64_t)v;
            } else if (d->digits && (c == ';' || c == ' ' || c == '\t')) {
                d->state = MM_CHUNKED_EXT;
                d->line_len = 0;
            } else if (d->digits && c == '\r') {
                d->state = MM_CHUNKED_SIZE_LF;
            } else {
                goto bad;
            }
            break;
        }
        case MM_CHUNKED_EXT:
            if (c == '\r')
                d->state = MM_CHUNKED_SIZE_LF;
            else if (!value_char(c) || ++d->line_len > CHUNK_LINE_MAX)
                goto bad;
            break;
        case MM_CHUNKED_SIZE_LF:
            if (c != '\n') goto bad;
            d->digits = 0;
            if (d->remaining == 0) {
                d->state = MM_CHUNKED_TRAILER;
                d->line_len = 0;
                d->line_has_colon = 0;
                break;
            }
            if (d->remaining > d->max_body - d->total) {
                d->state = MM_CHUNKED_TOO_BIG;
                return i + 1;
            }
            d->total += d->remaining;
            d->state = MM_CHUNKED_DATA;
            return i + 1; /* the data comes with the next call */
        case MM_CHUNKED_DATA_CR:
            if (c != '\r') goto bad;
            d->state = MM_CHUNKED_DATA_LF;
            break;
        case MM_CHUNKED_DATA_LF:
            if (c != '\n') goto bad;
            d->state = MM_CHUNKED_SIZE;
            d->remaining = 0;
            break;
        case MM_CHUNKED_TRAILER:
            if (c == '\r') {
                if (d->line_len && !d->line_has_colon) goto bad;
                d->trailer_end = d->line_len == 0;
                d->state = MM_CHUNKED_TRAILER_LF;
            } else {
                if (!value_char(c) || (d->line_len == 0 && (c == ' ' || c == '\t' || c == ':')))
                    goto bad;
                if (c == ':') d->line_has_colon = 1;
                if (++d->trailer_len > TRAILER_MAX) goto bad;
                d->line_len++;
            }
            break;
        case MM_CHUNKED_TRAILER_LF:
            if (c != '\n') goto bad;
            if (d->trailer_end) {
                d->state = MM_CHUNKED_DONE;
                return i + 1;
            }
            d->state = MM_CHUNKED_TRAILER;
            d->line_len = 0;
            d->line_has_colon = 0;
            break;
        case MM_CHUNKED_DATA: /* handled above */
        case MM_CHUNKED_DONE:
        case MM_CHUNKED_BAD:
        case MM_CHUNKED_TOO_BIG: return i;
        }
        i++;
    }
    return i;
bad:
    d->state = MM_CHUNKED_BAD;
    return i;
}
