/* parse.h -- the strict HTTP/1.1 message parser of the server (RFC 9112):
 * the request head (request line, header fields, the framing they imply) and
 * the chunked transfer coding. Pure functions over bytes, no I/O, so that it
 * is unit-tested and fuzzed on its own (tests/fuzz/http/fuzz_http_parser.c).
 *
 * Why our own and not picohttpparser: docs/http.md ("The parser"). */
#ifndef MM_HTTP_PARSE_H
#define MM_HTTP_PARSE_H

#include <stddef.h>
#include <stdint.h>

#define MM_HTTP_MAX_HEADERS 100

typedef struct mm_http_field {
    const char *name; /* points into the parsed buffer; not NUL-terminated */
    size_t name_len;
    const char *value; /* leading and trailing whitespace removed */
    size_t value_len;
} mm_http_field;

typedef struct mm_http_head {
    const char *method;
    size_t method_len;
    const char *target; /* the request-target as sent (origin-form, "*" or absolute-form) */
    size_t target_len;
    const char *path; /* the origin-form path and query (absolute-form reduced to it) */
    size_t path_len;
    int minor; /* HTTP/1.<minor>: 0 or 1 */
    mm_http_field fields[MM_HTTP_MAX_HEADERS];
    size_t field_count;
    /* The framing, decided here so that no caller can get it wrong. */
    int chunked;             /* Transfer-Encoding: chunked */
    int has_length;          /* a valid Content-Length */
    uint64_t content_length; /* its value */
    int keep_alive;          /* the client allows another request on the connection */
    int expect_continue;     /* Expect: 100-continue */
} mm_http_head;

typedef struct mm_http_limits {
    size_t max_head;   /* request line + header fields + blank line (431 past it) */
    size_t max_target; /* request-target length (414 past it) */
} mm_http_limits;

/* Parses the request head at buf[0..len). Returns the head's length (through
 * the blank line; leading empty lines are skipped and counted) when complete,
 * 0 when more bytes are needed (and the limits are not yet exceeded), or a
 * negative HTTP status: -400 malformed (bare LF or CR, whitespace before a
 * colon, obsolete line folding, control characters, missing or repeated
 * Host in HTTP/1.1, Content-Length with Transfer-Encoding, a Content-Length
 * that is not exactly one run of digits, chunked not last or repeated, a
 * transfer coding in HTTP/1.0), -414 target too long, -431 head too large or
 * too many fields, -501 a transfer coding other than chunked, -505 an HTTP
 * version other than 1.0/1.1, -417 an Expect other than 100-continue. */
int mm_http_parse_head(const char *buf, size_t len, const mm_http_limits *lim, mm_http_head *out);

/* The value of the first field named name (case-insensitive), or NULL. */
const mm_http_field *mm_http_head_field(const mm_http_head *h, const char *name);

/* The chunked transfer coding, decoded incrementally as bytes arrive. */
typedef enum mm_http_chunked_state {
    MM_CHUNKED_SIZE = 0, /* reading a chunk-size line */
    MM_CHUNKED_EXT,      /* in a chunk extension */
    MM_CHUNKED_SIZE_LF,  /* after the CR of a size line */
    MM_CHUNKED_DATA,     /* inside chunk data */
    MM_CHUNKED_DATA_CR,  /* expecting the CR after chunk data */
    MM_CHUNKED_DATA_LF,
    MM_CHUNKED_TRAILER, /* in the trailer section (after the last chunk) */
    MM_CHUNKED_TRAILER_LF,
    MM_CHUNKED_DONE,    /* the body is complete */
    MM_CHUNKED_BAD,     /* malformed: answer 400 */
    MM_CHUNKED_TOO_BIG, /* the declared sizes exceed max_body: answer 413 */
} mm_http_chunked_state;

typedef struct mm_http_chunked {
    mm_http_chunked_state state;
    uint64_t max_body;  /* set before the first call */
    uint64_t total;     /* data bytes declared so far */
    uint64_t remaining; /* of the current chunk */
    unsigned digits;    /* hex digits of the current size */
    size_t line_len;    /* bytes of the current extension or trailer line */
    size_t trailer_len; /* bytes of the whole trailer section */
    int line_has_colon;
    int trailer_end; /* the CR seen ends the trailer section */
} mm_http_chunked;

/* Advances over in[0..len) and returns how many bytes it consumed. When the
 * step met chunk data, *data and *data_len point to it (inside in); else
 * *data_len is 0. Call again with the rest until it consumes nothing or the
 * state is DONE, BAD or TOO_BIG. Bytes after the body (DONE) are not consumed. */
size_t mm_http_chunked_step(mm_http_chunked *d, const char *in, size_t len, const char **data,
                            size_t *data_len);

#endif
