/* limits.c -- the global and per-client connection limits, and the
 * rate-limited log of refusals (one line per kind and second at most, saying
 * how many were not logged, so a flood cannot flood the log too). */
#include "http/http_internal.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

/* One client address and its open connections (only while it has some). */
typedef struct mm_http_ip_count {
    struct mm_http_ip_count *next;
    unsigned char addr[16];
    unsigned count;
} mm_http_ip_count;

static const char *const refusal_names[MM_HTTP_REFUSE_COUNT] = {
    "malformed request (400)",
    "request-target too long (414)",
    "request head too large (431)",
    "unsupported transfer coding, expectation or HTTP version",
    "request body too large (413)",
    "request head not complete within the header deadline (408)",
    "request body not complete within its deadline (408)",
    "client did not read its answer within the deadline",
    "global connection limit reached (503)",
    "per-client connection limit reached (503)",
    "graphql-sse reservations: the registry is full (503)",
    "graphql-sse reservations: per-client bound reached (429)",
    "graphql-sse single connection: bad token or operation",
};

void mm_http_refusal_log(mm_http_server *s, mm_http_refusal kind, const char *remote,
                         const char *what) {
    uint64_t now = mm_http_now_ns();
    unsigned long long last = atomic_load(&s->refuse_last_ns[kind]);
    if (last && now - last < 1000000000ull) {
        atomic_fetch_add(&s->refuse_unlogged[kind], 1);
        return;
    }
    if (!atomic_compare_exchange_strong(&s->refuse_last_ns[kind], &last, now)) {
        atomic_fetch_add(&s->refuse_unlogged[kind], 1);
        return;
    }
    unsigned long long unlogged = atomic_exchange(&s->refuse_unlogged[kind], 0);
    mm_log_warn("msg=\"http: refused: %s\" detail=\"%s\" remote=%s not_logged_since_last=%llu",
                refusal_names[kind], what ? what : "", remote && *remote ? remote : "-", unlogged);
}

/* The 16-byte key of an address (IPv4 mapped into IPv6). */
static int addr_key(const struct sockaddr_storage *a, unsigned char key[16]) {
    memset(key, 0, 16);
    if (a->ss_family == AF_INET) {
        key[10] = key[11] = 0xff;
        memcpy(key + 12, &((const struct sockaddr_in *)(const void *)a)->sin_addr, 4);
        return 1;
    }
    if (a->ss_family == AF_INET6) {
        memcpy(key, &((const struct sockaddr_in6 *)(const void *)a)->sin6_addr, 16);
        return 1;
    }
    return 0;
}

static unsigned bucket_of(const unsigned char key[16]) {
    unsigned h = 2166136261u;
    for (int i = 0; i < 16; i++) h = (h ^ key[i]) * 16777619u;
    return h & 255u;
}

int mm_http_limits_enter(mm_http_server *s, const struct sockaddr_storage *addr,
                         mm_http_refusal *why) {
    unsigned n = atomic_fetch_add(&s->connections, 1) + 1;
    if (n > s->cfg.max_connections) {
        atomic_fetch_sub(&s->connections, 1);
        *why = MM_HTTP_REFUSE_CONNECTIONS;
        return -1;
    }
    unsigned char key[16];
    if (!s->cfg.max_connections_per_ip || !addr_key(addr, key)) return 0;
    unsigned b = bucket_of(key);
    int rc = 0;
    pthread_mutex_lock(&s->ip_lock);
    mm_http_ip_count *e = s->ip_buckets[b];
    while (e && memcmp(e->addr, key, 16) != 0) e = e->next;
    if (!e && (e = calloc(1, sizeof *e)) != NULL) {
        memcpy(e->addr, key, 16);
        e->next = s->ip_buckets[b];
        s->ip_buckets[b] = e;
    }
    if (!e || e->count >= s->cfg.max_connections_per_ip)
        rc = -1;
    else
        e->count++;
    pthread_mutex_unlock(&s->ip_lock);
    if (rc) {
        atomic_fetch_sub(&s->connections, 1);
        *why = MM_HTTP_REFUSE_PER_IP;
    }
    return rc;
}

void mm_http_limits_leave(mm_http_server *s, const struct sockaddr_storage *addr) {
    atomic_fetch_sub(&s->connections, 1);
    unsigned char key[16];
    if (!s->cfg.max_connections_per_ip || !addr_key(addr, key)) return;
    unsigned b = bucket_of(key);
    pthread_mutex_lock(&s->ip_lock);
    mm_http_ip_count **pe = &s->ip_buckets[b];
    while (*pe && memcmp((*pe)->addr, key, 16) != 0) pe = &(*pe)->next;
    mm_http_ip_count *e = *pe;
    if (e && --e->count == 0) {
        *pe = e->next;
        free(e);
    }
    pthread_mutex_unlock(&s->ip_lock);
}

void mm_http_limits_free(mm_http_server *s) {
    for (int b = 0; b < 256; b++) {
        mm_http_ip_count *e = s->ip_buckets[b];
        while (e) {
            mm_http_ip_count *next = e->next;
            free(e);
            e = next;
        }
        s->ip_buckets[b] = NULL;
    }
}
