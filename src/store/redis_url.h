/* redis_url.h -- where Redis is: parsing MM_REDIS_URL-style addresses.
 *
 *   redis://[[user]:password@]host[:port][/db]     TCP (port 6379, db 0 by default)
 *   unix:///absolute/path.sock[?db=N]               Unix socket
 *
 * host may be a name, an IPv4 address or a bracketed IPv6 literal; user and
 * password may be percent-encoded. rediss:// is refused: this hiredis has no
 * TLS. Every rejection comes with a message naming the offending part. */
#ifndef MM_STORE_REDIS_URL_H
#define MM_STORE_REDIS_URL_H

#include <stdbool.h>
#include <stddef.h>

#define MM_REDIS_DEFAULT_PORT 6379

typedef struct mm_redis_url {
    bool is_unix;
    char host[256];     /* TCP host, without brackets */
    int port;           /* TCP port */
    char path[108];     /* Unix socket path (sun_path is 108 bytes) */
    char username[128]; /* "" when none (AUTH with password only) */
    char password[256];
    bool has_password;
    int db; /* SELECT index */
} mm_redis_url;

/* Parses url into *out. Returns 0, or MM_EINVAL with err explaining why. */
int mm_redis_url_parse(const char *url, mm_redis_url *out, char *err, size_t err_size);

#endif
