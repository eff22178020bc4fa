/* notifier.c -- one subscriber connection per process that wakes waiters by
 * event id; see notifier.h.
 *
 * Threading: the notifier thread owns both Redis connections (the subscriber
 * and a plain one for re-check GETs). Other threads only touch the waiter
 * table, under n->lock. A waiter is removed from the table before its
 * callback runs, and "dispatching" names the one being run so that
 * unregister can wait for it to finish. */
#include "store/notifier.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/uuid.h"
#include "metamorphosis.h"
#include "store/redis_conn.h"
#include "store/results.h"

#define PING_IDLE_MS 5000     /* send a PING after this much silence */
#define PING_DEAD_MS 15000    /* give up on a connection silent this long */
#define RECHECK_BATCH 100     /* keys per MGET */

typedef struct waiter {
    struct waiter *next;
    mm_result_cb cb;
    void *ud;
    char id[];                /* event id, NUL-terminated */
} waiter;

struct mm_notifier {
    mm_redis_url url;
    char *prefix;
    char server_id[128];
    char channel[512];
    int backoff_min, backoff_max;

    pthread_t thread;
    int wake[2];              /* pipe: a byte wakes the thread (stop) */
    volatile bool stopping;   /* written under lock, read by the thread */

    pthread_mutex_t lock;
    pthread_cond_t cond;      /* ready changes; a dispatch finishes */
    waiter **buckets;
    size_t nbuckets, count;
    waiter *dispatching;      /* the waiter whose callback runs now */
    bool ready;
    uint64_t pushed, rechecked, subscribes;

    redisContext *sub;        /* notifier thread only */
    redisContext *lookup;     /* notifier thread only */
};

static size_t hash(const char *s) {
    size_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

/* The link that points at id's waiter (or at the NULL ending its chain). */
static waiter **find(mm_notifier *n, const char *id) {
    waiter **w = &n->buckets[hash(id) & (n->nbuckets - 1)];
    while (*w != NULL && strcmp((*w)->id, id) != 0)
        w = &(*w)->next;
    return w;
}

/* Doubles the table when chains get long. Lock held. */
static void grow(mm_notifier *n) {
    size_t nb = n->nbuckets * 2;
    waiter **b = calloc(nb, sizeof *b);
    if (b == NULL)
        return; /* keep the longer chains */
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
    if (event_id == NULL || event_id[0] == '\0' || cb == NULL)
        return MM_EINVAL;
    size_t len = strlen(event_id);
    waiter *w = malloc(sizeof *w + len + 1);
    if (w == NULL)
        return MM_ENOMEM;
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
    if (++n->count > n->nbuckets * 2)
        grow(n);
    pthread_mutex_unlock(&n->lock);
    return 0;
}

int mm_notifier_wait_unregister(mm_notifier *n, const char *event_id) {
    if (event_id == NULL)
        return MM_EINVAL;
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
    n->ready = ready;
    if (ready)
        n->subscribes++;
    pthread_cond_broadcast(&n->cond);
    pthread_mutex_unlock(&n->lock);
}

static bool is_stopping(mm_notifier *n) {
    pthread_mutex_lock(&n->lock);
    bool s = n->stopping;
    pthread_mutex_unlock(&n->lock);
    return s;
}

static void drain_wake(mm_notifier *n) {
    char buf[64];
    while (read(n->wake[0], buf, sizeof buf) > 0)
        ;
}

/* Sleeps up to ms, returning early when woken for stop. */
static void nap(mm_notifier *n, int ms) {
    struct pollfd p = {.fd = n->wake[0], .events = POLLIN};
    if (poll(&p, 1, ms) > 0)
        drain_wake(n);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void disconnect(mm_notifier *n) {
    set_ready(n, false);
    if (n->sub) {
        redisFree(n->sub);
        n->sub = NULL;
    }
    if (n->lookup) {
        redisFree(n->lookup);
        n->lookup = NULL;
    }
}

/* Writes everything appended to the (blocking) subscriber connection. */
static int flush_out(redisContext *c) {
    int done = 0;
    while (!done)
        if (redisBufferWrite(c, &done) != REDIS_OK)
            return -1;
    return 0;
}

static int connect_and_subscribe(mm_notifier *n) {
    char err[512], name[160];
    snprintf(name, sizeof name, "mm-notifier-%s", n->server_id);
    n->sub = mm_redis_connect(&n->url, 5000, name, err, sizeof err);
    if (n->sub != NULL)
        n->lookup = mm_redis_connect(&n->url, 5000, NULL, err, sizeof err);
    if (n->sub == NULL || n->lookup == NULL) {
        fprintf(stderr, "metamorphosis: notifier: %s (retrying)\n", err);
        disconnect(n);
        return -1;
    }
    redisAppendCommandArgv(n->sub, 2, (const char *[]){"SUBSCRIBE", n->channel}, NULL);
    if (flush_out(n->sub) != 0) {
        disconnect(n);
        return -1;
    }
    return 0;
}

/* GETs the results of all registered waiters and fires those found: covers
 * results published while we were not subscribed. */
static int recheck(mm_notifier *n) {
    pthread_mutex_lock(&n->lock);
    size_t cnt = n->count, k = 0;
    char **ids = calloc(cnt ? cnt : 1, sizeof *ids);
    for (size_t i = 0; ids != NULL && i < n->nbuckets; i++)
        for (waiter *w = n->buckets[i]; w != NULL && k < cnt; w = w->next)
            ids[k++] = strdup(w->id);
    pthread_mutex_unlock(&n->lock);
    if (ids == NULL)
        return -1;
    int rc = 0;
    for (size_t start = 0; start < k && rc == 0; start += RECHECK_BATCH) {
        size_t m = k - start < RECHECK_BATCH ? k - start : RECHECK_BATCH;
        const char *argv[RECHECK_BATCH + 1];
        char keys[RECHECK_BATCH][512];
        size_t argc = 1;
        argv[0] = "MGET";
        for (size_t j = 0; j < m; j++)
            if (ids[start + j] != NULL &&
                mm_result_key(n->prefix, ids[start + j], keys[j], sizeof keys[j]) == 0)
                argv[argc++] = keys[j];
        if (argc == 1)
            continue;
        redisReply *r = redisCommandArgv(n->lookup, (int)argc, argv, NULL);
        if (r == NULL || r->type != REDIS_REPLY_ARRAY) {
            rc = -1;
        } else {
            for (size_t j = 0; j < r->elements; j++) {
                redisReply *e = r->element[j];
                if (e->type != REDIS_REPLY_STRING)
                    continue;
                json_error_t jerr;
                json_t *doc = json_loadb(e->str, e->len, 0, &jerr);
                const char *id = json_string_value(json_object_get(doc, "sourceEventId"));
                if (id != NULL)
                    dispatch(n, id, doc, false);
                json_decref(doc);
            }
        }
        if (r)
            freeReplyObject(r);
    }
    for (size_t i = 0; i < k; i++)
        free(ids[i]);
    free(ids);
    return rc;
}

static bool reply_is(const redisReply *r, size_t i, const char *word) {
    return r->elements > i && r->element[i]->type == REDIS_REPLY_STRING &&
           strcmp(r->element[i]->str, word) == 0;
}

/* Handles one pushed reply. -1 means the connection must be dropped. */
static int handle_reply(mm_notifier *n, redisReply *r) {
    if (r->type != REDIS_REPLY_ARRAY)
        return r->type == REDIS_REPLY_ERROR ? -1 : 0;
    if (reply_is(r, 0, "subscribe")) {
        set_ready(n, true);
        return recheck(n);
    }
    if (reply_is(r, 0, "message") && r->elements == 3 &&
        r->element[2]->type == REDIS_REPLY_STRING) {
        json_error_t jerr;
        json_t *doc = json_loadb(r->element[2]->str, r->element[2]->len, 0, &jerr);
        const char *id = json_string_value(json_object_get(doc, "sourceEventId"));
        if (id != NULL)
            dispatch(n, id, doc, true);
        else
            fprintf(stderr, "metamorphosis: notifier: ignoring a malformed notification\n");
        json_decref(doc);
    }
    return 0; /* "pong" and anything else need nothing */
}

/* Serves the subscription until it fails or stop is requested. */
static void serve(mm_notifier *n) {
    long long last_rx = now_ms();
    bool ping_out = false;
    for (;;) {
        struct pollfd p[2] = {{.fd = n->sub->fd, .events = POLLIN}, {.fd = n->wake[0], .events = POLLIN}};
        int pr = poll(p, 2, PING_IDLE_MS);
        if (pr < 0 && errno != EINTR)
            return;
        if (p[1].revents & POLLIN) {
            drain_wake(n);
            if (is_stopping(n))
                return;
        }
        if (pr == 0) {
            if (ping_out && now_ms() - last_rx > PING_DEAD_MS) {
                fprintf(stderr, "metamorphosis: notifier: Redis silent, reconnecting\n");
                return;
            }
            redisAppendCommand(n->sub, "PING");
            if (flush_out(n->sub) != 0)
                return;
            ping_out = true;
            continue;
        }
        if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
            continue;
        if (redisBufferRead(n->sub) != REDIS_OK)
            return;
        last_rx = now_ms();
        ping_out = false;
        void *reply = NULL;
        while (redisGetReplyFromReader(n->sub, &reply) == REDIS_OK && reply != NULL) {
            int rc = handle_reply(n, reply);
            freeReplyObject(reply);
            reply = NULL;
            if (rc != 0)
                return;
        }
        if (n->sub->err)
            return;
    }
}

static void *run(void *arg) {
    mm_notifier *n = arg;
    int backoff = n->backoff_min;
    while (!is_stopping(n)) {
        if (connect_and_subscribe(n) == 0) {
            uint64_t before = n->subscribes;
            serve(n);
            if (n->subscribes != before)
                backoff = n->backoff_min; /* it worked for a while: start over */
            disconnect(n);
            if (is_stopping(n))
                break;
            fprintf(stderr, "metamorphosis: notifier: subscription lost, reconnecting in %d ms\n",
                    backoff);
        }
        nap(n, backoff);
        backoff = backoff * 2 > n->backoff_max ? n->backoff_max : backoff * 2;
    }
    disconnect(n);
    return NULL;
}

mm_notifier *mm_notifier_start(const mm_notifier_config *cfg, char *err, size_t err_size) {
    mm_notifier *n = calloc(1, sizeof *n);
    if (n == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    n->wake[0] = n->wake[1] = -1;
    pthread_mutex_init(&n->lock, NULL);
    pthread_cond_init(&n->cond, NULL);
    if (mm_redis_url_parse(cfg->redis_url, &n->url, err, err_size) != 0)
        goto fail;
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
    if (n->backoff_max < n->backoff_min)
        n->backoff_max = n->backoff_min;
    if (pipe(n->wake) != 0 || fcntl(n->wake[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(n->wake[1], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, err_size, "cannot create the notifier's wake-up pipe: %s", strerror(errno));
        goto fail;
    }
    if (pthread_create(&n->thread, NULL, run, n) != 0) {
        snprintf(err, err_size, "cannot start the notifier thread");
        goto fail;
    }
    return n;
fail:
    if (n->wake[0] >= 0)
        close(n->wake[0]);
    if (n->wake[1] >= 0)
        close(n->wake[1]);
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
    while (!n->ready && rc == 0)
        rc = pthread_cond_timedwait(&n->cond, &n->lock, &deadline);
    bool ready = n->ready;
    pthread_mutex_unlock(&n->lock);
    return ready ? 0 : MM_ETIMEDOUT;
}

void mm_notifier_get_stats(mm_notifier *n, mm_notifier_stats *out) {
    pthread_mutex_lock(&n->lock);
    out->pushed = n->pushed;
    out->rechecked = n->rechecked;
    out->subscribes = n->subscribes;
    out->waiting = n->count;
    pthread_mutex_unlock(&n->lock);
}

void mm_notifier_free(mm_notifier *n) {
    if (n == NULL)
        return;
    pthread_mutex_lock(&n->lock);
    n->stopping = true;
    pthread_mutex_unlock(&n->lock);
    ssize_t w = write(n->wake[1], "x", 1);
    (void)w; /* a full pipe already wakes the thread */
    pthread_join(n->thread, NULL);
    close(n->wake[0]);
    close(n->wake[1]);
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
