/* redis_conn.c -- synchronous hiredis connections with AUTH/SELECT; see
 * redis_conn.h. */
#include "store/redis_conn.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/time.h>

#include "metamorphosis.h"

int mm_redis_reply_check(redisContext *c, const redisReply *r, char *err, size_t err_size) {
    if (r == NULL) {
        snprintf(err, err_size, "Redis connection failed: %s",
                 c->errstr[0] ? c->errstr : "unknown");
        return MM_EREDIS;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(err, err_size, "Redis error: %.*s", (int)r->len, r->str);
        return MM_EREDIS;
    }
    return 0;
}

/* Runs one setup command and checks it. */
static int setup_cmd(redisContext *c, char *err, size_t err_size, int argc, const char **argv) {
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    int rc = mm_redis_reply_check(c, r, err, err_size);
    if (r) freeReplyObject(r);
    return rc;
}

redisContext *mm_redis_connect(const mm_redis_url *url, int timeout_ms, const char *client_name,
                               char *err, size_t err_size) {
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redisContext *c;
    if (url->is_unix)
        c = timeout_ms > 0 ? redisConnectUnixWithTimeout(url->path, tv)
                           : redisConnectUnix(url->path);
    else
        c = timeout_ms > 0 ? redisConnectWithTimeout(url->host, url->port, tv)
                           : redisConnect(url->host, url->port);
    if (c == NULL) {
        snprintf(err, err_size, "cannot allocate a Redis connection");
        return NULL;
    }
    if (c->err) {
        if (url->is_unix)
            snprintf(err, err_size, "cannot connect to Redis at %s: %s", url->path, c->errstr);
        else
            snprintf(err, err_size, "cannot connect to Redis at %s:%d: %s", url->host, url->port,
                     c->errstr);
        redisFree(c);
        return NULL;
    }
    if (timeout_ms > 0) redisSetTimeout(c, tv);
    char db[16];
    snprintf(db, sizeof db, "%d", url->db);
    if (url->has_password) {
        const char *argv[] = {"AUTH", url->username, url->password};
        int rc = url->username[0]
                     ? setup_cmd(c, err, err_size, 3, argv)
                     : setup_cmd(c, err, err_size, 2, (const char *[]){"AUTH", url->password});
        if (rc != 0) goto fail;
    }
    if (url->db != 0 && setup_cmd(c, err, err_size, 2, (const char *[]){"SELECT", db}) != 0)
        goto fail;
    if (client_name != NULL &&
        setup_cmd(c, err, err_size, 3, (const char *[]){"CLIENT", "SETNAME", client_name}) != 0)
        goto fail;
    return c;
fail:
    redisFree(c);
    return NULL;
}

redisContext *mm_redis_connect_url(const char *url_text, int timeout_ms, const char *client_name,
                                   char *err, size_t err_size) {
    mm_redis_url url;
    if (mm_redis_url_parse(url_text, &url, err, err_size) != 0) return NULL;
    return mm_redis_connect(&url, timeout_ms, client_name, err, err_size);
}

int mm_redis_send_formatted(redisContext *c, const char *buf, size_t len) {
    if (c == NULL || c->err) return -1;
    if (sdslen(c->obuf) != 0) {
        if (redisAppendFormattedCommand(c, buf, len) == REDIS_OK) return 0;
        c->err = REDIS_ERR_OOM;
        snprintf(c->errstr, sizeof c->errstr, "out of memory");
        return -1;
    }
    size_t off = 0;
    while (off < len) {
        ssize_t n = write(c->fd, buf + off, len - off);
        if (n > 0) {
            off += (size_t)n;
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else {
            /* The send timeout (EAGAIN) or a lost connection: whatever of
             * it Redis got may run; the caller treats all of it as lost. */
            c->err = REDIS_ERR_IO;
            snprintf(c->errstr, sizeof c->errstr, "write: %s",
                     n < 0 ? strerror(errno) : "connection closed");
            return -1;
        }
    }
    return 0;
}
