/* fuzz_http_parser.c -- libFuzzer target for the HTTP/1.1 message parser
 * (src/http/parse.c): the request head and the chunked body decoder, the
 * first code to see a client's bytes.
 *
 * Input layout: byte 0 picks small limits (bit 0) and how the body is fed to
 * the chunked decoder (bits 1-7: piece size); the rest is the raw stream.
 * Besides not crashing, it checks the promises the server relies on: a head
 * is never longer than the input or the limit, every field points inside
 * the input and holds no CR or LF, Content-Length and chunked never both, a
 * prefix of a complete head is never complete at another length, and the
 * decoder never yields more data than declared or than max_body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_span(const char *base, size_t len, const char *p, size_t n) {
    if (n && (p < base || p + n > base + len)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    mm_http_limits lim = {(data[0] & 1) ? 256 : 32768, (data[0] & 1) ? 64 : 16384};
    size_t piece = (size_t)(data[0] >> 1) + 1;
    size_t len = size - 1;
    char *buf = malloc(len ? len : 1);
    if (!buf) return 0;
    if (len) memcpy(buf, data + 1, len);

    mm_http_head *h = malloc(sizeof *h);
    if (!h) {
        free(buf);
        return 0;
    }
    int rc = mm_http_parse_head(buf, len, &lim, h);
    if (rc > 0) {
        size_t n = (size_t)rc;
        if (n > len || n > lim.max_head) abort();
        check_span(buf, len, h->method, h->method_len);
        check_span(buf, len, h->target, h->target_len);
        if (h->path_len == 0) abort();
        if (h->field_count > MM_HTTP_MAX_HEADERS) abort();
        for (size_t i = 0; i < h->field_count; i++) {
            const mm_http_field *f = &h->fields[i];
            check_span(buf, len, f->name, f->name_len);
            check_span(buf, len, f->value, f->value_len);
            if (memchr(f->value, '\r', f->value_len) || memchr(f->value, '\n', f->value_len))
                abort();
        }
        if (h->chunked && h->has_length) abort();
        if (h->minor != 0 && h->minor != 1) abort();
        /* The same head alone parses to the same length; every shorter prefix is incomplete or an error. */
        mm_http_head *h2 = malloc(sizeof *h2);
        if (h2) {
            if (mm_http_parse_head(buf, n, &lim, h2) != rc) abort();
            for (size_t k = n > 64 ? n - 64 : 0; k < n; k++)
                if (mm_http_parse_head(buf, k, &lim, h2) > 0) abort();
            free(h2);
        }
        /* The body as chunked, fed in pieces. */
        mm_http_chunked d;
        memset(&d, 0, sizeof d);
        d.max_body = (data[0] & 1) ? 64 : 1 << 20;
        uint64_t got = 0;
        size_t pos = n, avail_end = n;
        while (pos < len && d.state < MM_CHUNKED_DONE) {
            avail_end = avail_end + piece > len ? len : avail_end + piece;
            for (;;) {
                const char *p;
                size_t dl;
                size_t used = mm_http_chunked_step(&d, buf + pos, avail_end - pos, &p, &dl);
                if (used > avail_end - pos) abort();
                check_span(buf + pos, avail_end - pos, p, dl);
                got += dl;
                pos += used;
                if (used == 0 || d.state >= MM_CHUNKED_DONE || pos == avail_end) break;
            }
            if (pos < avail_end && d.state < MM_CHUNKED_DONE) abort(); /* stuck without a verdict */
        }
        if (got > d.max_body || got > d.total) abort();
    } else if (rc < 0) {
        int st = -rc;
        if (st != 400 && st != 414 && st != 417 && st != 431 && st != 501 && st != 505) abort();
    } else if (len >= lim.max_head) {
        abort(); /* past the limit there is always a verdict */
    }
    free(h);
    free(buf);
    return 0;
}
