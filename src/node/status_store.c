/* status_store.c -- node status documents in Redis (status_store.h). */
#include "node/status_store.h"

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "metamorphosis.h"
#include "store/redis_conn.h"
#include "store/redis_url.h"

#define CONNECT_TIMEOUT_MS 2000
#define BACKOFF_MIN_MS     100
#define BACKOFF_MAX_MS     5000

struct mm_status_store {
    char *url;
    char where[400];   /* the URL without credentials, for messages */
    char *nodes_key;   /* mm:web:T:nodes */
    char *node_prefix; /* mm:web:T:node: */
    redisContext *c;
    long backoff_ms;
    long long next_try_ms;
};

static long long now_ms(int realtime) {
    struct timespec ts;
    clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

mm_status_store *mm_status_store_new(const char *redis_url, const char *web_topic, char *err,
                                     size_t err_size) {
    mm_status_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    size_t n = strlen(web_topic) + 32;
    s->url = strdup(redis_url);
    s->nodes_key = malloc(n);
    s->node_prefix = malloc(n);
    if (!s->url || !s->nodes_key || !s->node_prefix) {
        snprintf(err, err_size, "out of memory");
        mm_status_store_free(s);
        return NULL;
    }
    snprintf(s->nodes_key, n, "mm:web:%s:nodes", web_topic);
    snprintf(s->node_prefix, n, "mm:web:%s:node:", web_topic);
    /* A malformed URL is refused at start; an unreachable Redis is not. */
    mm_redis_url parsed;
    if (mm_redis_url_parse(redis_url, &parsed, err, err_size) != 0) {
        mm_status_store_free(s);
        return NULL;
    }
    /* Messages are logged by every node: they never carry the password. */
    if (parsed.is_unix)
        snprintf(s->where, sizeof s->where, "unix:%s (db %d)", parsed.path, parsed.db);
    else
        snprintf(s->where, sizeof s->where, "%s:%d (db %d)", parsed.host, parsed.port, parsed.db);
    s->backoff_ms = BACKOFF_MIN_MS;
    return s;
}

/* A usable connection, or NULL (err set) while Redis is away. */
static redisContext *conn(mm_status_store *s, char *err, size_t err_size) {
    if (s->c) return s->c;
    long long now = now_ms(0);
    if (now < s->next_try_ms) {
        snprintf(err, err_size, "Redis at %s unreachable; backing off", s->where);
        return NULL;
    }
    s->c = mm_redis_connect_url(s->url, CONNECT_TIMEOUT_MS, "mm-node-status", err, err_size);
    if (s->c) {
        s->backoff_ms = BACKOFF_MIN_MS;
        return s->c;
    }
    s->next_try_ms = now + s->backoff_ms;
    s->backoff_ms = s->backoff_ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : s->backoff_ms * 2;
    return NULL;
}

/* Drops a broken connection so the next call reconnects. */
static int fail_conn(mm_status_store *s, redisReply *r, char *err, size_t err_size) {
    if (!r || (s->c && s->c->err)) {
        snprintf(err, err_size, "Redis at %s: %s", s->where,
                 s->c && s->c->errstr[0] ? s->c->errstr : "connection lost");
        redisFree(s->c);
        s->c = NULL;
        s->next_try_ms = now_ms(0) + s->backoff_ms;
    } else {
        snprintf(err, err_size, "Redis at %s: %s", s->where,
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    }
    freeReplyObject(r);
    return MM_EREDIS;
}

/* Runs the commands queued with redisAppendCommand: reads n replies, the
 * last of which is EXEC's array. */
static int run_pipeline(mm_status_store *s, int n, char *err, size_t err_size) {
    int rc = 0;
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK || !r)
            return fail_conn(s, r, err, err_size);
        if (rc == 0 &&
            (r->type == REDIS_REPLY_ERROR || (i == n - 1 && r->type != REDIS_REPLY_ARRAY))) {
            rc = fail_conn(s, r, err, err_size);
            continue;
        }
        freeReplyObject(r);
    }
    return rc;
}

int mm_status_store_put(mm_status_store *s, const char *node, const json_t *doc, int ttl_ms,
                        char *err, size_t err_size) {
    redisContext *c = conn(s, err, err_size);
    if (!c) return MM_EREDIS;
    char *text = json_dumps(doc, JSON_COMPACT);
    if (!text) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    long long now = now_ms(1);
    redisAppendCommand(c, "MULTI");
    redisAppendCommand(c, "SET %s%s %s PX %d", s->node_prefix, node, text, ttl_ms);
    redisAppendCommand(c, "ZADD %s %lld %s", s->nodes_key, now + ttl_ms, node);
    redisAppendCommand(c, "ZREMRANGEBYSCORE %s -inf %lld", s->nodes_key, now);
    /* The set outlives the longest-lived node's TTL only. */
    redisAppendCommand(c, "PEXPIRE %s %d GT", s->nodes_key, ttl_ms);
    redisAppendCommand(c, "PEXPIRE %s %d NX", s->nodes_key, ttl_ms);
    redisAppendCommand(c, "EXEC");
    free(text);
    return run_pipeline(s, 7, err, err_size);
}

int mm_status_store_remove(mm_status_store *s, const char *node, char *err, size_t err_size) {
    redisContext *c = conn(s, err, err_size);
    if (!c) return MM_EREDIS;
    redisAppendCommand(c, "MULTI");
    redisAppendCommand(c, "DEL %s%s", s->node_prefix, node);
    redisAppendCommand(c, "ZREM %s %s", s->nodes_key, node);
    redisAppendCommand(c, "EXEC");
    return run_pipeline(s, 4, err, err_size);
}

int mm_status_store_read(mm_status_store *s, json_t **nodes, char *err, size_t err_size) {
    *nodes = NULL;
    redisContext *c = conn(s, err, err_size);
    if (!c) return MM_EREDIS;
    redisReply *names = redisCommand(c, "ZRANGEBYSCORE %s %lld +inf", s->nodes_key, now_ms(1));
    if (!names || names->type != REDIS_REPLY_ARRAY) return fail_conn(s, names, err, err_size);
    json_t *out = json_array();
    int rc = out ? 0 : MM_ENOMEM;
    for (size_t i = 0; rc == 0 && i < names->elements; i++) {
        redisReply *r = redisCommand(c, "GET %s%s", s->node_prefix, names->element[i]->str);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            rc = fail_conn(s, r, err, err_size);
            break;
        }
        if (r->type == REDIS_REPLY_STRING) {
            json_t *doc = json_loadb(r->str, r->len, 0, NULL);
            if (json_is_object(doc)) json_array_append(out, doc);
            json_decref(doc);
        }
        freeReplyObject(r);
    }
    freeReplyObject(names);
    if (rc) {
        json_decref(out);
        return rc;
    }
    *nodes = out;
    return 0;
}

void mm_status_store_free(mm_status_store *s) {
    if (!s) return;
    if (s->c) redisFree(s->c);
    free(s->url);
    free(s->nodes_key);
    free(s->node_prefix);
    free(s);
}
