/* fuzz_redis_url.c -- libFuzzer target: any bytes given to the Redis URL
 * parser (MM_REDIS_URL, redis.url) yield an address or an error message,
 * never a crash, and the error message never repeats the password. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/redis_url.h"

/* Where the input's password would be: between the ':' that follows the
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

/* A password no message text contains, put where the input's was: a
 * refusal of that URL must not show it. */
#define MARKER "Zq8Xw7Kp"

static void check_password_hidden(const char *url) {
    size_t plen = 0;
    const char *pw = password_of(url, &plen);
    if (!pw) return;
    size_t head = (size_t)(pw - url), n = strlen(url);
    char *marked = malloc(n - plen + sizeof MARKER);
    if (!marked) return;
    memcpy(marked, url, head);
    memcpy(marked + head, MARKER, sizeof MARKER - 1);
    memcpy(marked + head + sizeof MARKER - 1, pw + plen, n - head - plen + 1);
    char err[256] = "";
    mm_redis_url u;
    if (mm_redis_url_parse(marked, &u, err, sizeof err) != 0 && strstr(err, MARKER)) abort();
    free(marked);
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
        if (u.is_unix ? u.path[0] != '/' : (u.host[0] == '\0' || u.port < 1 || u.port > 65535))
            abort();
        if (u.db < 0) abort();
    } else if (err[0] == '\0') {
        abort(); /* a refusal says why */
    }
    check_password_hidden(url);
    free(url);
    return 0;
}
