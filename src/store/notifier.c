/* notifier.c -- one subscriber connection per process that wakes waiters by
 * event id; see notifier.h.
 *
 * Threading: the subscriber connection (hiredis's async API) and its timer
 * live on a libuv loop thread (the server's dependencies loop, or one of
 * the notifier's own); re-check MGETs and heartbeats go through the async
 * client (redis_async.h) on that loop. Other threads only touch the waiter
 * table, under n->lock. A waiter is removed from the table before its
 * callback runs, and "dispatching" names the one being run so that
 * unregister can wait for it to finish.
 *
 * Liveness: once subscribed, the notifier PUBLISHes a heartbeat on its own
 * channel every HEARTBEAT_MS; a subscription that has delivered nothing for
 * HEARTBEAT_DEAD_MS (a hung or half-dead Redis) is dropped and re-made, as
 * is a SUBSCRIBE not confirmed within SUBSCRIBE_DEADLINE_MS. */
#include "store/notifier.h"

#include <assert.h>
#include <hiredis/async.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>

#include "bus/dlq_reader.h"
#include "bus/json_fast.h"
#include "common/log.h"
#include "common/uuid.h"
#include "metamorphosis.h"
#include "store/loop_thread.h"
#include "store/redis_async.h"
#include "store/redis_url.h"
#include "store/redis_uv.h"
#include "store/results.h"

#define TICK_MS               100 /* the timer that drives everything below */
#define HEARTBEAT_MS          1000
#define HEARTBEAT_DEAD_MS     3500
#define SUBSCRIBE_DEADLINE_MS 2000
#define RECHECK_DEADLINE_MS   2000
#define RECHECK_BATCH         100 /* keys per MGET */
#define HEARTBEAT             "mm-heartbeat"

typedef struct waiter {
    struct waiter *next;
    mm_result_cb cb;
    void *ud;
    char id[]; /* event id, NUL-terminated */
} waiter;

typedef enum sub_state {
    SUB_DOWN = 0,
    SUB_SUBSCRIBING,
    SUB_UP
} sub_state;

struct mm_notifier {
    mm_redis_url url;
    char *prefix;
    char server_id[128];
    char channel[512];
    int backoff_min, backoff_max;

    pthread_mutex_t lock;
    pthread_cond_t cond; /* ready changes; a dispatch finishes; closing ends */
    waiter **buckets;
    size_t nbuckets, count;
    waiter *dispatching; /* the waiter whose callback runs now */
    bool ready;
    uint64_t pushed, rechecked, subscribes, unparsed;

    mm_loop_thread *loop_thread; /* where the connection lives */
    mm_loop_thread *own_loop;    /* created here (no loop in the config) */
    mm_redis_async *lookup;      /* re-checks and heartbeats */
    mm_redis_async *own_lookup;

    /* loop thread only */
    redisAsyncContext *sub;
    sub_state st;
    uv_timer_t tick;
    bool tick_live;
    long long since_ms, last_rx_ms, last_hb_ms, next_attempt_ms;
    int backoff;
    unsigned outstanding; /* MGET/PUBLISH answers still to come (under lock) */
    bool closing;
    bool tick_closed; /* under lock */
};

static size_t hash(const char *s) {
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The link that points at id's waiter (or at the NULL ending its chain). */
static waiter **find(mm_notifier *n, const char *id) {
    waiter **w = &n->buckets[hash(id) & (n->nbuckets - 1)];
    while (*w != NULL && strcmp((*w)->id, id) != 0) w = &(*w)->next;
    return w;
}

/* Doubles the table when chains get long. Lock held. */
static void grow(mm_notifier *n) {
    size_t nb = n->nbuckets * 2;
    waiter **b = calloc(nb, sizeof *b);
    if (b == NULL) return; /* keep the longer chains */
    for (size_t i = 0; i < n->nbuckets; i++)
        for (waiter *w = n->buckets[i], *next; w != NULL; w = next) {
            next = w->next;
            size_t h = hash(w->id) & (nb - 1);
            w->next = b[h];
            b[h] = w;
        }
    free(n->buckets);
    n->buckets = b;
    n->nbuckets = nb;
}

int mm_notifier_wait_register(mm_notifier *n, const char *event_id, mm_result_cb cb, void *ud) {
    if (event_id == NULL || event_id[0] == '\0' || cb == NULL) return MM_EINVAL;
    size_t len = strlen(event_id);
    waiter *w = malloc(sizeof *w + len + 1);
    if (w == NULL) return MM_ENOMEM;
    memcpy(w->id, event_id, len + 1);
    w->cb = cb;
    w->ud = ud;
    pthread_mutex_lock(&n->lock);
    waiter **slot = find(n, event_id);
    if (*slot != NULL) {
        pthread_mutex_unlock(&n->lock);
        free(w);
        return MM_EEXIST;
    }
    w->next = NULL;
    *slot = w;
    if (++n->count > n->nbuckets * 2) grow(n);
    pthread_mutex_unlock(&n->lock);
    return 0;
}

int mm_notifier_wait_unregister(mm_notifier *n, const char *event_id) {
    if (event_id == NULL) return MM_EINVAL;
    pthread_mutex_lock(&n->lock);
    waiter **slot = find(n, event_id);
    if (*slot != NULL) {
        waiter *w = *slot;
        *slot = w->next;
        n->count--;
        pthread_mutex_unlock(&n->lock);
        free(w);
        return 0;
    }
    while (n->dispatching != NULL && strcmp(n->dispatching->id, event_id) == 0)
        pthread_cond_wait(&n->cond, &n->lock);
    pthread_mutex_unlock(&n->lock);
    return MM_ENOTFOUND;
}

/* Fires the waiter for id, if any, with doc. Notifier thread only. */
static void dispatch(mm_notifier *n, const char *id, json_t *doc, bool pushed) {
    pthread_mutex_lock(&n->lock);
    waiter **slot = find(n, id);
    waiter *w = *slot;
    if (w == NULL) {
        /* Nobody waits (any more): the request timed out, or a duplicate. */
        pthread_mutex_unlock(&n->lock);
        return;
    }
    *slot = w->next;
    n->count--;
    n->dispatching = w;
    if (pushed)
        n->pushed++;
    else
        n->rechecked++;
    pthread_mutex_unlock(&n->lock);

    w->cb(w->ud, w->id, doc);

    pthread_mutex_lock(&n->lock);
    n->dispatching = NULL;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->lock);
    free(w);
}

static void set_ready(mm_notifier *n, bool ready) {
    pthread_mutex_lock(&n->lock);
    bool was = n->ready;
    n->ready = ready;
    if (ready && !was) n->subscribes++;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->lock);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the subscriber connection (loop thread) ------------------------------- */

static void sub_drop(mm_notifier *n, const char *why) {
    set_ready(n, false);
    if (n->sub) {
        redisAsyncContext *ac = n->sub;
        n->sub = NULL;
        ac->data = NULL; /* its callbacks see a connection nobody owns */
        redisAsyncFree(ac);
    }
    if (n->closing) return;
    if (why)
        mm_log_warn("msg=\"notifier: subscription lost, reconnecting\" reason=\"%s\" in_ms=%d", why,
                    n->backoff);
    n->st = SUB_DOWN;
    n->next_attempt_ms = now_ms() + n->backoff;
    n->backoff = n->backoff * 2 > n->backoff_max ? n->backoff_max : n->backoff * 2;
}

static void op_begin(mm_notifier *n) {
    pthread_mutex_lock(&n->lock);
    n->outstanding++;
    pthread_mutex_unlock(&n->lock);
}

static void op_end(mm_notifier *n) {
    pthread_mutex_lock(&n->lock);
    n->outstanding--;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->lock);
}

/* Whether a notification is for nobody here, told without parsing it:
 * results.c writes every result document starting with its top-level
 * {"sourceEventId":"<id>". A document of another shape, or an id with
 * escapes, is parsed (false). Parsing costs ~100k instructions for a
 * 600-byte result (jansson); an asynchronous mutation's result is announced
 * here too and usually waited for by nobody. */
static bool nobody_waits(mm_notifier *n, const char *text, size_t len) {
    static const char head[] = "{\"sourceEventId\":\"";
    size_t h = sizeof head - 1;
    if (len <= h || memcmp(text, head, h) != 0) return false;
    const char *id = text + h;
    const char *end = memchr(id, '"', len - h);
    char buf[256];
    if (end == NULL || (size_t)(end - id) >= sizeof buf || memchr(id, '\\', (size_t)(end - id)))
        return false;
    memcpy(buf, id, (size_t)(end - id));
    buf[end - id] = '\0';
    pthread_mutex_lock(&n->lock);
    bool nobody = *find(n, buf) == NULL;
    if (nobody) n->unparsed++;
    pthread_mutex_unlock(&n->lock);
    return nobody;
}

/* Whether text is valid UTF-8: the ASCII run a result document mostly is
 * eight bytes at a time, the rest by the full check. */
static bool utf8_valid(const char *text, size_t len) {
    size_t i = 0;
    for (uint64_t w; i + 8 <= len; i += 8) {
        memcpy(&w, text + i, 8);
        if (w & 0x8080808080808080u) break;
    }
    return mm_dlq_utf8_valid_prefix((const unsigned char *)text + i, len - i) == len - i;
}

static void dispatch_doc(mm_notifier *n, const char *text, size_t len, bool pushed) {
    /* A waiter is registered before its event is produced, so one that is
     * not there now will not come for this result. */
    if (nobody_waits(n, text, len)) return;
    /* The usual result document on the fast reader (bus/json_fast.h: it
     * builds jansson's tree directly, ~5x fewer instructions than
     * json_loadb for a 600-byte result); whatever it does not take, jansson
     * parses (and refuses) as before. It wants valid UTF-8 first. */
    json_t *doc = NULL;
    if (utf8_valid(text, len)) doc = mm_json_fast_object(text, len);
    if (doc == NULL) {
        json_error_t jerr;
        doc = json_loadb(text, len, 0, &jerr);
    }
    const char *id = json_string_value(json_object_get(doc, "sourceEventId"));
    if (id != NULL)
        dispatch(n, id, doc, pushed);
    else
        mm_log_warn("msg=\"notifier: ignoring a malformed notification\"");
    json_decref(doc);
}

static void on_recheck(void *ud, int status, redisReply *r, const char *err) {
    mm_notifier *n = ud;
    if (status != 0 || r->type != REDIS_REPLY_ARRAY) {
        /* Results may be missed: subscribe again, which re-checks again. */
        if (!n->closing && n->st == SUB_UP) sub_drop(n, status ? err : "MGET failed");
    } else {
        for (size_t j = 0; j < r->elements; j++)
            if (r->element[j]->type == REDIS_REPLY_STRING)
                dispatch_doc(n, r->element[j]->str, r->element[j]->len, false);
    }
    op_end(n);
}

/* GETs the results of all registered waiters and fires those found: covers
 * results published while we were not subscribed. */
static void recheck(mm_notifier *n) {
    pthread_mutex_lock(&n->lock);
    size_t cnt = n->count, k = 0;
    char **ids = calloc(cnt ? cnt : 1, sizeof *ids);
    for (size_t i = 0; ids != NULL && i < n->nbuckets; i++)
        for (waiter *w = n->buckets[i]; w != NULL && k < cnt; w = w->next) ids[k++] = strdup(w->id);
    pthread_mutex_unlock(&n->lock);
    if (ids == NULL) {
        sub_drop(n, "out of memory");
        return;
    }
    for (size_t start = 0; start < k; start += RECHECK_BATCH) {
        size_t m = k - start < RECHECK_BATCH ? k - start : RECHECK_BATCH;
        const char *argv[RECHECK_BATCH + 1];
        static char keys[RECHECK_BATCH][512]; /* loop thread only; copied by the client */
        int argc = 1;
        argv[0] = "MGET";
        for (size_t j = 0; j < m; j++)
            if (ids[start + j] != NULL &&
                mm_result_key(n->prefix, ids[start + j], keys[j], sizeof keys[j]) == 0)
                argv[argc++] = keys[j];
        if (argc == 1) continue;
        op_begin(n);
        if (mm_redis_async_command(n->lookup, RECHECK_DEADLINE_MS, on_recheck, n, argc, argv,
                                   NULL) != 0) {
            op_end(n);
            sub_drop(n, "cannot re-check waiting results");
            break;
        }
    }
    for (size_t i = 0; i < k; i++) free(ids[i]);
    free(ids);
}

static bool reply_is(const redisReply *r, size_t i, const char *word) {
    return r->elements > i && r->element[i]->type == REDIS_REPLY_STRING &&
           strcmp(r->element[i]->str, word) == 0;
}

/* The SUBSCRIBE callback: its confirmation, then every message. */
static void on_sub_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    mm_notifier *n = privdata;
    redisReply *r = reply;
    if (r == NULL || ac->data == NULL || n->sub != ac) return; /* the connection is going away */
    n->last_rx_ms = now_ms();
    if (r->type != REDIS_REPLY_ARRAY) return;
    if (reply_is(r, 0, "subscribe")) {
        n->st = SUB_UP;
        n->backoff = n->backoff_min;
        set_ready(n, true);
        recheck(n);
        return;
    }
    if (reply_is(r, 0, "message") && r->elements == 3 &&
        r->element[2]->type == REDIS_REPLY_STRING) {
        const redisReply *m = r->element[2];
        if (m->len == strlen(HEARTBEAT) && memcmp(m->str, HEARTBEAT, m->len) == 0) return;
        dispatch_doc(n, m->str, m->len, true);
    }
}

static void on_setup_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    mm_notifier *n = privdata;
    redisReply *r = reply;
    if (r && r->type == REDIS_REPLY_ERROR && ac->data != NULL && n->sub == ac) {
        mm_log_error("msg=\"notifier: Redis refused the handshake\" error=\"%.*s\"", (int)r->len,
                     r->str);
        sub_drop(n, "handshake refused");
    }
}

static void on_sub_connect(const redisAsyncContext *ac, int status) {
    mm_notifier *n = ac->data;
    if (n == NULL || status == REDIS_OK) return;
    /* hiredis frees ac after this callback */
    n->sub = NULL;
    sub_drop(n, ac->errstr);
}

static void on_sub_disconnect(const redisAsyncContext *ac, int status) {
    (void)status;
    mm_notifier *n = ac->data;
    if (n == NULL || n->sub != ac) return;
    n->sub = NULL; /* hiredis frees ac */
    sub_drop(n, "connection closed");
}

static void sub_connect(mm_notifier *n) {
    redisAsyncContext *ac = n->url.is_unix ? redisAsyncConnectUnix(n->url.path)
                                           : redisAsyncConnect(n->url.host, n->url.port);
    if (ac == NULL || ac->err ||
        mm_redis_uv_attach(ac, mm_loop_thread_loop(n->loop_thread)) != REDIS_OK) {
        if (ac) redisAsyncFree(ac);
        sub_drop(n, NULL);
        return;
    }
    ac->data = n;
    n->sub = ac;
    redisAsyncSetConnectCallback(ac, on_sub_connect);
    redisAsyncSetDisconnectCallback(ac, on_sub_disconnect);
    if (n->url.has_password) {
        if (n->url.username[0])
            redisAsyncCommandArgv(ac, on_setup_reply, n, 3,
                                  (const char *[]){"AUTH", n->url.username, n->url.password}, NULL);
        else
            redisAsyncCommandArgv(ac, on_setup_reply, n, 2,
                                  (const char *[]){"AUTH", n->url.password}, NULL);
    }
    char name[160];
    snprintf(name, sizeof name, "mm-notifier-%s", n->server_id);
    redisAsyncCommandArgv(ac, on_setup_reply, n, 3, (const char *[]){"CLIENT", "SETNAME", name},
                          NULL);
    redisAsyncCommandArgv(ac, on_sub_reply, n, 2, (const char *[]){"SUBSCRIBE", n->channel}, NULL);
    n->st = SUB_SUBSCRIBING;
    n->since_ms = now_ms();
}

static void on_heartbeat(void *ud, int status, redisReply *r, const char *err) {
    (void)status, (void)r, (void)err; /* its arrival on the channel is what counts */
    op_end(ud);
}

static void on_tick(uv_timer_t *t) {
    mm_notifier *n = t->data;
    if (n->closing) return;
    long long now = now_ms();
    switch (n->st) {
    case SUB_DOWN:
        if (now >= n->next_attempt_ms) sub_connect(n);
        break;
    case SUB_SUBSCRIBING:
        if (now - n->since_ms > SUBSCRIBE_DEADLINE_MS)
            sub_drop(n, "SUBSCRIBE not confirmed in time");
        break;
    case SUB_UP:
        if (now - n->last_rx_ms > HEARTBEAT_DEAD_MS) {
            sub_drop(n, "no heartbeat from Redis");
        } else if (now - n->last_hb_ms >= HEARTBEAT_MS) {
            n->last_hb_ms = now;
            op_begin(n);
            if (mm_redis_async_command(n->lookup, HEARTBEAT_MS, on_heartbeat, n, 3,
                                       (const char *[]){"PUBLISH", n->channel, HEARTBEAT},
                                       NULL) != 0)
                op_end(n);
        }
        break;
    }
}

/* ---- start and stop ------------------------------------------------------------ */

typedef struct open_ctx {
    mm_notifier *n;
    const char *url;
    char *err;
    size_t err_size;
} open_ctx;

static void own_lookup_open(void *ud) {
    open_ctx *c = ud;
    mm_redis_async_config rc = {
        .url = c->url, .connections = 1, .client_name = "mm-notifier-lookup"};
    c->n->own_lookup =
        mm_redis_async_new(mm_loop_thread_loop(c->n->loop_thread), &rc, c->err, c->err_size);
}

static void start_on_loop(void *ud) {
    mm_notifier *n = ud;
    uv_timer_init(mm_loop_thread_loop(n->loop_thread), &n->tick);
    n->tick.data = n;
    n->tick_live = true;
    n->backoff = n->backoff_min;
    n->next_attempt_ms = 0;
    sub_connect(n);
    uv_timer_start(&n->tick, on_tick, TICK_MS, TICK_MS);
}

static void on_tick_closed(uv_handle_t *h) {
    mm_notifier *n = h->data;
    pthread_mutex_lock(&n->lock);
    n->tick_closed = true;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->lock);
}

static void close_on_loop(void *ud) {
    mm_notifier *n = ud;
    n->closing = true;
    sub_drop(n, NULL);
    if (n->tick_live) {
        uv_timer_stop(&n->tick);
        uv_close((uv_handle_t *)&n->tick, on_tick_closed);
    } else {
        n->tick_closed = true;
    }
    if (n->own_lookup) {
        mm_redis_async_free(n->own_lookup); /* answers what is outstanding */
        n->own_lookup = NULL;
    }
}

mm_notifier *mm_notifier_start(const mm_notifier_config *cfg, char *err, size_t err_size) {
    mm_notifier *n = calloc(1, sizeof *n);
    if (n == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&n->lock, NULL);
    pthread_cond_init(&n->cond, NULL);
    if (mm_redis_url_parse(cfg->redis_url, &n->url, err, err_size) != 0) goto fail;
    n->prefix = strdup(cfg->prefix ? cfg->prefix : MM_STORE_DEFAULT_PREFIX);
    n->nbuckets = 256;
    n->buckets = calloc(n->nbuckets, sizeof *n->buckets);
    if (n->prefix == NULL || n->buckets == NULL) {
        snprintf(err, err_size, "out of memory");
        goto fail;
    }
    if (cfg->server_id != NULL) {
        if (strlen(cfg->server_id) == 0 || strlen(cfg->server_id) >= sizeof n->server_id ||
            strpbrk(cfg->server_id, " \t\r\n") != NULL) {
            snprintf(err, err_size, "server id must be 1-127 characters without spaces");
            goto fail;
        }
        snprintf(n->server_id, sizeof n->server_id, "%s", cfg->server_id);
    } else if (mm_uuid_v4(n->server_id) != 0) {
        snprintf(err, err_size, "cannot generate a server id");
        goto fail;
    }
    if (mm_result_channel(n->prefix, n->server_id, n->channel, sizeof n->channel) != 0) {
        snprintf(err, err_size, "prefix too long");
        goto fail;
    }
    n->backoff_min = cfg->reconnect_min_ms > 0 ? cfg->reconnect_min_ms : 100;
    n->backoff_max = cfg->reconnect_max_ms > 0 ? cfg->reconnect_max_ms : 5000;
    if (n->backoff_max < n->backoff_min) n->backoff_max = n->backoff_min;
    if (cfg->loop_thread != NULL) {
        n->loop_thread = cfg->loop_thread;
        n->lookup = cfg->redis;
        assert(n->lookup != NULL);
    } else {
        n->own_loop = n->loop_thread = mm_loop_thread_start("mm-notifier");
        if (n->own_loop == NULL) {
            snprintf(err, err_size, "cannot start the notifier's loop thread");
            goto fail;
        }
        open_ctx oc = {n, cfg->redis_url, err, err_size};
        if (mm_loop_thread_call(n->loop_thread, own_lookup_open, &oc) != 0 || n->own_lookup == NULL)
            goto fail;
        n->lookup = n->own_lookup;
    }
    if (mm_loop_thread_call(n->loop_thread, start_on_loop, n) != 0) {
        snprintf(err, err_size, "the notifier's loop refused its start");
        goto fail;
    }
    return n;
fail:
    if (n->own_loop) {
        if (n->own_lookup) mm_loop_thread_call(n->own_loop, close_on_loop, n);
        mm_loop_thread_stop(n->own_loop);
    }
    pthread_cond_destroy(&n->cond);
    pthread_mutex_destroy(&n->lock);
    free(n->buckets);
    free(n->prefix);
    free(n);
    return NULL;
}

const char *mm_notifier_server_id(const mm_notifier *n) { return n->server_id; }

int mm_notifier_wait_ready(mm_notifier *n, int timeout_ms) {
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&n->lock);
    int rc = 0;
    while (!n->ready && rc == 0) rc = pthread_cond_timedwait(&n->cond, &n->lock, &deadline);
    bool ready = n->ready;
    pthread_mutex_unlock(&n->lock);
    return ready ? 0 : MM_ETIMEDOUT;
}

void mm_notifier_get_stats(mm_notifier *n, mm_notifier_stats *out) {
    pthread_mutex_lock(&n->lock);
    out->pushed = n->pushed;
    out->rechecked = n->rechecked;
    out->subscribes = n->subscribes;
    out->unparsed = n->unparsed;
    out->waiting = n->count;
    out->subscribed = n->ready;
    pthread_mutex_unlock(&n->lock);
}

void mm_notifier_free(mm_notifier *n) {
    if (n == NULL) return;
    mm_loop_thread_call(n->loop_thread, close_on_loop, n);
    /* The tick's close and the answers still to come (bounded by their
     * deadlines) arrive on the loop thread. */
    pthread_mutex_lock(&n->lock);
    while (!n->tick_closed || n->outstanding > 0) pthread_cond_wait(&n->cond, &n->lock);
    pthread_mutex_unlock(&n->lock);
    mm_loop_thread_stop(n->own_loop);
    for (size_t i = 0; i < n->nbuckets; i++)
        for (waiter *x = n->buckets[i], *next; x != NULL; x = next) {
            next = x->next;
            free(x);
        }
    free(n->buckets);
    free(n->prefix);
    pthread_cond_destroy(&n->cond);
    pthread_mutex_destroy(&n->lock);
    free(n);
}
