/* redis_url.c -- parsing redis:// and unix:// URLs; see redis_url.h. */
#include "store/redis_url.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

static int fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t err_size, const char *fmt, ...) {
    if (err != NULL && err_size > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, err_size, fmt, ap);
        va_end(ap);
    }
    return MM_EINVAL;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Percent-decodes s[0..len) into out (size bytes). -1 on bad escapes,
 * embedded NUL or overflow. */
static int pct_decode(const char *s, size_t len, char *out, size_t size) {
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            if (i + 2 >= len) return -1;
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (o + 1 >= size) return -1;
        out[o++] = c;
    }
    out[o] = '\0';
    return 0;
}

/* A non-negative decimal integer of at most max, the whole of s[0..len). */
static int parse_uint(const char *s, size_t len, long max) {
    if (len == 0 || len > 10) return -1;
    long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v > max ? -1 : (int)v;
}

static int parse_unix(const char *rest, mm_redis_url *out, char *err, size_t err_size) {
    const char *q = strchr(rest, '?');
    size_t plen = q ? (size_t)(q - rest) : strlen(rest);
    if (plen == 0 || rest[0] != '/')
        return fail(err, err_size,
                    "unix socket URL needs an absolute path (unix:///path/to/redis.sock)");
    if (plen >= sizeof out->path)
        return fail(err, err_size, "unix socket path is too long (%zu bytes, at most %zu)", plen,
                    sizeof out->path - 1);
    memcpy(out->path, rest, plen);
    out->path[plen] = '\0';
    if (q != NULL) {
        const char *param = q + 1;
        if (strncmp(param, "db=", 3) != 0)
            return fail(err, err_size, "unknown unix socket URL parameter '%s' (only db=N)", param);
        int db = parse_uint(param + 3, strlen(param + 3), 1000000);
        if (db < 0)
            return fail(err, err_size, "invalid database '%s' (expected a non-negative integer)",
                        param + 3);
        out->db = db;
    }
    out->is_unix = true;
    return 0;
}

static int parse_url(const char *url, mm_redis_url *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    out->port = MM_REDIS_DEFAULT_PORT;
    if (url == NULL || url[0] == '\0') return fail(err, err_size, "empty Redis URL");
    if (strncmp(url, "unix://", 7) == 0) return parse_unix(url + 7, out, err, err_size);
    if (strncmp(url, "rediss://", 9) == 0)
        return fail(err, err_size,
                    "rediss:// (TLS) is not supported: hiredis was built without TLS");
    if (strncmp(url, "redis://", 8) != 0) {
        const char *colon = strstr(url, "://");
        if (colon != NULL)
            return fail(err, err_size, "unsupported scheme '%.*s' (expected redis:// or unix://)",
                        (int)(colon - url > 32 ? 32 : colon - url), url);
        return fail(err, err_size, "'%.64s' is not a URL (expected redis://host[:port][/db])", url);
    }
    const char *p = url + 8;
    if (strchr(p, '?') != NULL || strchr(p, '#') != NULL)
        return fail(err, err_size, "Redis URL must not have a query or fragment");
    /* authority ends at the first '/' after any userinfo */
    const char *at = NULL;
    for (const char *s = p; *s && *s != '/'; s++)
        if (*s == '@') at = s;
    if (at != NULL) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        if (colon == NULL)
            return fail(err, err_size, "credentials need a colon: redis://[user]:password@host");
        if (pct_decode(p, (size_t)(colon - p), out->username, sizeof out->username) != 0)
            return fail(err, err_size, "bad user name in Redis URL (percent-encoding or length)");
        if (pct_decode(colon + 1, (size_t)(at - colon - 1), out->password, sizeof out->password) !=
            0)
            return fail(err, err_size, "bad password in Redis URL (percent-encoding or length)");
        out->has_password = true;
        p = at + 1;
    }
    const char *host_end;
    const char *after;
    if (*p == '[') {
        host_end = strchr(p, ']');
        if (host_end == NULL) return fail(err, err_size, "unterminated IPv6 address in Redis URL");
        if (host_end - p - 1 <= 0) return fail(err, err_size, "empty IPv6 address in Redis URL");
        if ((size_t)(host_end - p - 1) >= sizeof out->host)
            return fail(err, err_size, "Redis host is too long");
        memcpy(out->host, p + 1, (size_t)(host_end - p - 1));
        out->host[host_end - p - 1] = '\0';
        after = host_end + 1;
    } else {
        host_end = p + strcspn(p, ":/");
        if (host_end == p) return fail(err, err_size, "missing host in Redis URL");
        if ((size_t)(host_end - p) >= sizeof out->host)
            return fail(err, err_size, "Redis host is too long");
        memcpy(out->host, p, (size_t)(host_end - p));
        out->host[host_end - p] = '\0';
        for (const char *s = out->host; *s; s++)
            if (*s == '@' || *s == '[' || *s == ']' || *s == ' ')
                return fail(err, err_size, "invalid character '%c' in Redis host", *s);
        after = host_end;
    }
    if (*after == ':') {
        const char *port = after + 1;
        size_t plen = strcspn(port, "/");
        int v = parse_uint(port, plen, 65535);
        if (v <= 0)
            return fail(err, err_size, "invalid port '%.*s' (expected 1-65535)",
                        (int)(plen > 16 ? 16 : plen), port);
        out->port = v;
        after = port + plen;
    }
    if (*after == '/') {
        const char *db = after + 1;
        if (*db != '\0') {
            int v = parse_uint(db, strlen(db), 1000000);
            if (v < 0)
                return fail(err, err_size,
                            "invalid database '%.16s' (expected a non-negative integer)", db);
            out->db = v;
        }
    } else if (*after != '\0') {
        return fail(err, err_size, "unexpected '%.16s' after the Redis host", after);
    }
    return 0;
}

/* Replaces the quoted part of msg with '***'. Every message quotes at most
 * one piece of the URL and has no quote after it, so that piece runs from
 * the first quote to the last, whatever quotes it contains itself. */
static void redact_quoted(char *msg, size_t size, const char *url) {
    char *first = strchr(msg, '\'');
    char *last = strrchr(msg, '\'');
    if (first == NULL) return;
    /* What follows the last quote is the message's own text, unless a long
     * piece cut the message short: then it is still part of the URL. */
    char tail[256] = "";
    if (last != first && strstr(url, last + 1) == NULL) snprintf(tail, sizeof tail, "%s", last + 1);
    size_t head = (size_t)(first - msg);
    snprintf(msg + head, size - head, "'***'%s", tail);
}

/* The messages quote the offending part of the URL. When the URL holds
 * credentials (an '@' anywhere, also where the parser did not expect one, as
 * in a password with an unencoded '/'), that part may be the password, and
 * error messages reach logs: then the quotes show *** instead. */
int mm_redis_url_parse(const char *url, mm_redis_url *out, char *err, size_t err_size) {
    int rc = parse_url(url, out, err, err_size);
    if (rc != 0 && url != NULL && strchr(url, '@') != NULL && err != NULL && err_size > 0)
        redact_quoted(err, err_size, url);
    return rc;
}
