/* fuzz_redis_url.c -- libFuzzer target: any bytes given to the Redis URL
 * parser (MM_REDIS_URL, redis.url) yield an address or an error message,
 * never a crash, and the error message never repeats the password. */
#define _GNU_SOURCE /* memmem */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/redis_url.h"

/* The password the input would carry: between the ':' that follows the
 * user name (after any "scheme://") and the last '@'. */
static const char *password_of(const char *url, size_t *len) {
    const char *at = strrchr(url, '@');
    if (!at) return NULL;
    const char *start = strstr(url, "://");
    start = start && start < at ? start + 3 : url;
    const char *colon = memchr(start, ':', (size_t)(at - start));
    if (!colon) return NULL;
    *len = (size_t)(at - colon - 1);
    return colon + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *url = malloc(size + 1);
    if (!url) return 0;
    memcpy(url, data, size);
    url[size] = '\0';
    char err[256] = "";
    mm_redis_url u;
    int rc = mm_redis_url_parse(url, &u, err, sizeof err);
    if (rc == 0) {
        if (u.is_unix ? u.path[0] != '/' : (u.host[0] == '\0' || u.port < 1 || u.port > 65535)) abort();
        if (u.db < 0) abort();
    } else {
        if (err[0] == '\0') abort(); /* a refusal says why */
        size_t plen = 0;
        const char *pw = password_of(url, &plen);
        if (pw && plen >= 4 && memmem(err, strlen(err), pw, plen)) abort(); /* secret leaked */
    }
    free(url);
    return 0;
}
