/* apq_redis.c -- persisted queries from the configuration, and the Redis
 * backend that shares APQ documents between servers (apq_redis.h). */
#include "service/apq_redis.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/log.h"
#include "metamorphosis.h"
#include "store/redis_conn.h"
#include "store/redis_url.h"

typedef struct apq_redis {
    pthread_mutex_t lock;
    char *url;
    redisContext *c;
    struct timespec last_attempt; /* of a connect, to reopen at most once a second */
    int attempted;
} apq_redis;

/* The connection, opened if needed (lock held); NULL when Redis is down. */
static redisContext *conn_locked(apq_redis *r) {
    if (r->c) return r->c;
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (r->attempted && now.tv_sec - r->last_attempt.tv_sec < 1) return NULL;
    r->attempted = 1;
    r->last_attempt = now;
    char err[256];
    r->c = mm_redis_connect_url(r->url, MM_APQ_REDIS_TIMEOUT_MS, "mm-apq", err, sizeof err);
    if (!r->c)
        mm_log_warn("msg=\"persisted queries: Redis unreachable, using memory only\" error=\"%s\"",
                    err);
    return r->c;
}

static void drop_locked(apq_redis *r) {
    if (r->c) redisFree(r->c);
    r->c = NULL;
}

static char *redis_get(void *ud, const char *hash, size_t *len) {
    apq_redis *r = ud;
    char *out = NULL;
    pthread_mutex_lock(&r->lock);
    redisContext *c = conn_locked(r);
    if (c) {
        redisReply *rep = redisCommand(c, "GET mm:apq:%s", hash);
        char err[256];
        if (mm_redis_reply_check(c, rep, err, sizeof err) != 0) {
            drop_locked(r);
        } else if (rep->type == REDIS_REPLY_STRING && (out = malloc(rep->len + 1))) {
            memcpy(out, rep->str, rep->len);
            out[rep->len] = '\0';
            *len = rep->len;
        }
        if (rep) freeReplyObject(rep);
    }
    pthread_mutex_unlock(&r->lock);
    return out;
}

static void redis_put(void *ud, const char *hash, const char *doc, size_t len) {
    apq_redis *r = ud;
    pthread_mutex_lock(&r->lock);
    redisContext *c = conn_locked(r);
    if (c) {
        redisReply *rep =
            redisCommand(c, "SET mm:apq:%s %b EX %ld", hash, doc, len, MM_APQ_REDIS_TTL_SECONDS);
        char err[256];
        if (mm_redis_reply_check(c, rep, err, sizeof err) != 0) drop_locked(r);
        if (rep) freeReplyObject(rep);
    }
    pthread_mutex_unlock(&r->lock);
}

static void redis_free(void *ud) {
    apq_redis *r = ud;
    drop_locked(r);
    pthread_mutex_destroy(&r->lock);
    free(r->url);
    free(r);
}

int mm_apq_redis_backend(const char *redis_url, mm_pq_backend *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    mm_redis_url parsed;
    if (mm_redis_url_parse(redis_url, &parsed, err, err_size) != 0) return MM_EINVAL;
    explicit_bzero(&parsed, sizeof parsed); /* it holds the password */
    apq_redis *r = calloc(1, sizeof *r);
    if (!r || !(r->url = strdup(redis_url))) {
        free(r);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    pthread_mutex_init(&r->lock, NULL);
    *out = (mm_pq_backend){.ud = r, .get = redis_get, .put = redis_put, .free = redis_free};
    return 0;
}

mm_pq *mm_persisted_queries_open(const mm_config *cfg, char *err, size_t err_size) {
    mm_pq_config pc = {
        .apq = cfg->http_apq,
        .max_bytes = (size_t)cfg->http_apq_max_bytes,
        .manifest_path = cfg->http_trusted_documents,
    };
    if (cfg->http_apq && cfg->http_apq_redis &&
        !(cfg->http_trusted_documents && *cfg->http_trusted_documents) &&
        mm_apq_redis_backend(cfg->redis_results_url, &pc.backend, err, err_size) != 0)
        return NULL;
    return mm_pq_new(&pc, err, err_size);
}
