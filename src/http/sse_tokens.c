/* sse_tokens.c -- the bounded token registry of graphql-sse's single
 * connection mode (see sse_tokens.h for the threads and the bounds).
 *
 * A hash table of fixed-size entries under one mutex. Tokens are random
 * UUIDs from the kernel's CSPRNG, so a client cannot choose which chains
 * grow; a lookup with any other string is refused by its length or shape
 * before it is hashed. Reservations not yet fulfilled are also on a list in
 * the order they were made: with one time-to-live for all, its head is the
 * next to expire, so a sweep is O(expired). */
#include "http/sse_tokens.h"

#include "common/hash.h"
#include "common/http_defaults.h"
#include "common/uuid.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "metamorphosis.h"

#define MAX_BUCKETS (1u << 16)
#define IP_LEN      48 /* an IPv6 address in text, with room */

typedef struct entry {
    struct entry *hnext;         /* hash chain */
    struct entry *older, *newer; /* the list of unfulfilled reservations */
    uint64_t deadline_ns;        /* a reservation expires then (not once streaming) */
    void *stream;                /* NULL while only reserved */
    unsigned loop;
    char token[MM_SSE_TOKEN_LEN + 1];
    char ip[IP_LEN];
} entry;

/* One client address and how many tokens it holds (only while it holds some). */
typedef struct ipcount {
    struct ipcount *next;
    unsigned count;
    char ip[IP_LEN];
} ipcount;

struct mm_sse_tokens {
    pthread_mutex_t lock;
    unsigned max, max_per_ip;
    uint64_t ttl_ns;
    size_t count;
    size_t nbuckets; /* a power of two */
    entry **buckets;
    ipcount **ips; /* nbuckets too; only with max_per_ip */
    entry *oldest, *newest;
};

size_t mm_sse_tokens_entry_bytes(void) { return sizeof(entry); }

mm_sse_tokens *mm_sse_tokens_new(unsigned max, unsigned max_per_ip, unsigned ttl_ms) {
    mm_sse_tokens *t = calloc(1, sizeof *t);
    if (!t) return NULL;
    t->max = max ? max : MM_HTTP_DEFAULT_SSE_RESERVATIONS;
    t->max_per_ip = max_per_ip;
    t->ttl_ns = (uint64_t)(ttl_ms ? ttl_ms : MM_HTTP_DEFAULT_SSE_RESERVATION_MS) * 1000000u;
    /* About one entry per bucket at the limit, but never a huge table for
     * an absurd limit: the chains are then longer, still random. */
    t->nbuckets = 16;
    while (t->nbuckets < t->max && t->nbuckets < MAX_BUCKETS) t->nbuckets *= 2;
    t->buckets = calloc(t->nbuckets, sizeof *t->buckets);
    if (max_per_ip) t->ips = calloc(t->nbuckets, sizeof *t->ips);
    if (!t->buckets || (max_per_ip && !t->ips) || pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->buckets);
        free(t->ips);
        free(t);
        return NULL;
    }
    return t;
}

static size_t slot(const mm_sse_tokens *t, const char *s) {
    return (size_t)(mm_fnv1a_str(s) & (t->nbuckets - 1));
}

static ipcount **ip_find(mm_sse_tokens *t, const char *ip) {
    ipcount **p = &t->ips[slot(t, ip)];
    while (*p && strcmp((*p)->ip, ip) != 0) p = &(*p)->next;
    return p;
}

static void ip_release(mm_sse_tokens *t, const char *ip) {
    if (!t->ips) return;
    ipcount **p = ip_find(t, ip);
    ipcount *c = *p;
    assert(c && c->count > 0);
    if (!c) return;
    if (--c->count == 0) {
        *p = c->next;
        free(c);
    }
}

static void list_unlink(mm_sse_tokens *t, entry *e) {
    if (e->older)
        e->older->newer = e->newer;
    else if (t->oldest == e)
        t->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else if (t->newest == e)
        t->newest = e->older;
    e->older = e->newer = NULL;
}

/* Unlinks e from everything and frees it. Lock held. */
static void drop(mm_sse_tokens *t, entry *e) {
    entry **p = &t->buckets[slot(t, e->token)];
    while (*p != e) p = &(*p)->hnext;
    *p = e->hnext;
    if (!e->stream) list_unlink(t, e);
    ip_release(t, e->ip);
    assert(t->count > 0);
    t->count--;
    free(e);
}

/* Drops the reservations whose time is up. Lock held. */
static void sweep(mm_sse_tokens *t, uint64_t now_ns) {
    while (t->oldest && t->oldest->deadline_ns <= now_ns) drop(t, t->oldest);
}

/* The entry of a well-formed token, or NULL. Lock held. */
static entry *lookup(mm_sse_tokens *t, const char *token, size_t len) {
    if (!token || len != MM_SSE_TOKEN_LEN || !mm_uuid_is_valid(token, len)) return NULL;
    char key[MM_SSE_TOKEN_LEN + 1];
    memcpy(key, token, len);
    key[len] = '\0';
    for (entry *e = t->buckets[slot(t, key)]; e; e = e->hnext)
        if (memcmp(e->token, key, len) == 0) return e;
    return NULL;
}

int mm_sse_tokens_reserve(mm_sse_tokens *t, const char *ip, uint64_t now_ns,
                          char out[MM_SSE_TOKEN_LEN + 1]) {
    char token[MM_UUID_STRLEN + 1];
    if (mm_uuid_v4(token) != 0) return MM_EIO; /* outside the lock: a system call */
    entry *e = calloc(1, sizeof *e);
    if (!e) return MM_ENOMEM;
    memcpy(e->token, token, sizeof e->token);
    size_t il = ip ? strlen(ip) : 0;
    if (il >= IP_LEN) il = IP_LEN - 1;
    if (il) memcpy(e->ip, ip, il);
    e->ip[il] = '\0';
    int rc = 0;
    pthread_mutex_lock(&t->lock);
    sweep(t, now_ns);
    if (t->count >= t->max) {
        rc = MM_ELIMIT;
    } else if (t->ips) {
        ipcount **p = ip_find(t, e->ip);
        if (*p && (*p)->count >= t->max_per_ip) {
            rc = MM_EAUTH;
        } else if (!*p && !(*p = calloc(1, sizeof **p))) {
            rc = MM_ENOMEM;
        } else {
            if (!(*p)->count) memcpy((*p)->ip, e->ip, sizeof e->ip);
            (*p)->count++;
        }
    }
    if (rc == 0 && lookup(t, e->token, MM_SSE_TOKEN_LEN)) rc = MM_EIO; /* 2^-122: never */
    if (rc == 0) {
        size_t b = slot(t, e->token);
        e->hnext = t->buckets[b];
        t->buckets[b] = e;
        e->deadline_ns = now_ns + t->ttl_ns;
        e->older = t->newest;
        if (t->newest)
            t->newest->newer = e;
        else
            t->oldest = e;
        t->newest = e;
        t->count++;
        memcpy(out, e->token, sizeof e->token);
        e = NULL;
    }
    pthread_mutex_unlock(&t->lock);
    free(e);
    return rc;
}

int mm_sse_tokens_attach(mm_sse_tokens *t, const char *token, size_t len, unsigned loop,
                         void *stream, uint64_t now_ns) {
    assert(stream);
    pthread_mutex_lock(&t->lock);
    sweep(t, now_ns);
    entry *e = lookup(t, token, len);
    int rc = !e ? MM_ENOTFOUND : e->stream ? MM_EEXIST : 0;
    if (rc == 0) {
        list_unlink(t, e); /* fulfilled: it no longer expires */
        e->stream = stream;
        e->loop = loop;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int mm_sse_tokens_find(mm_sse_tokens *t, const char *token, size_t len, uint64_t now_ns,
                       unsigned *loop) {
    pthread_mutex_lock(&t->lock);
    sweep(t, now_ns);
    entry *e = lookup(t, token, len);
    int rc = !e ? MM_ENOTFOUND : !e->stream ? MM_EINVAL : 0;
    if (rc == 0) *loop = e->loop;
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void *mm_sse_tokens_stream_on(mm_sse_tokens *t, const char *token, size_t len, unsigned loop) {
    pthread_mutex_lock(&t->lock);
    entry *e = lookup(t, token, len);
    void *st = e && e->stream && e->loop == loop ? e->stream : NULL;
    pthread_mutex_unlock(&t->lock);
    return st;
}

void mm_sse_tokens_detach(mm_sse_tokens *t, const char *token, const void *stream) {
    pthread_mutex_lock(&t->lock);
    entry *e = lookup(t, token, token ? strlen(token) : 0);
    if (e && e->stream == stream) drop(t, e);
    pthread_mutex_unlock(&t->lock);
}

size_t mm_sse_tokens_count(mm_sse_tokens *t, uint64_t now_ns) {
    pthread_mutex_lock(&t->lock);
    sweep(t, now_ns);
    size_t n = t->count;
    pthread_mutex_unlock(&t->lock);
    return n;
}

void mm_sse_tokens_free(mm_sse_tokens *t) {
    if (!t) return;
    for (size_t i = 0; i < t->nbuckets; i++) {
        entry *e = t->buckets[i];
        while (e) {
            entry *n = e->hnext;
            free(e);
            e = n;
        }
        ipcount *c = t->ips ? t->ips[i] : NULL;
        while (c) {
            ipcount *n = c->next;
            free(c);
            c = n;
        }
    }
    free(t->buckets);
    free(t->ips);
    pthread_mutex_destroy(&t->lock);
    free(t);
}
