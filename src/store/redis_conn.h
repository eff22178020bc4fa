/* redis_conn.h -- opening a ready-to-use synchronous hiredis connection from
 * an mm_redis_url: connect with a timeout, AUTH, SELECT, and optionally name
 * the client (CLIENT SETNAME) so operators can tell connections apart. */
#ifndef MM_STORE_REDIS_CONN_H
#define MM_STORE_REDIS_CONN_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#include "store/redis_url.h"

/* Connects; timeout_ms bounds the connect and each later command (0: no
 * bound). client_name may be NULL. Returns NULL with err set on failure. */
redisContext *mm_redis_connect(const mm_redis_url *url, int timeout_ms, const char *client_name,
                               char *err, size_t err_size);

/* Same, parsing url_text first. */
redisContext *mm_redis_connect_url(const char *url_text, int timeout_ms, const char *client_name,
                                   char *err, size_t err_size);

/* Checks a reply: NULL means the connection failed (err gets c->errstr), an
 * error reply puts its text in err. Returns 0 if the reply is usable. */
int mm_redis_reply_check(redisContext *c, const redisReply *r, char *err, size_t err_size);

/* Sends len bytes of ready RESP (commands whose replies the caller reads
 * later with redisGetReply): written straight to the socket when hiredis
 * has nothing of its own queued (the usual case: no copy into its write
 * buffer, which it allocates afresh after each complete write), else
 * appended behind what it has, in order. A failed write marks c broken
 * (c->err), so that reading the replies reports it. Returns 0 or -1. */
int mm_redis_send_formatted(redisContext *c, const char *buf, size_t len);

#endif
