/* redis_async.c -- the pooled, deadline-bounded async Redis client
 * (redis_async.h) on hiredis 0.14's async API on libuv (redis_uv.h). */
#include "store/redis_async.h"

#include <assert.h>
#include <hiredis/async.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "common/log.h"
#include "metamorphosis.h"
#include "store/redis_url.h"
#include "store/redis_uv.h"

typedef enum conn_state {
    CONN_DOWN = 0,
    CONN_CONNECTING,
    CONN_UP
} conn_state;

typedef struct conn {
    mm_redis_async *r;
    unsigned index;
    redisAsyncContext *ac; /* NULL while down */
    conn_state state;
    unsigned inflight; /* commands sent, reply not yet back */
    int backoff_ms;
    bool failed_last; /* the last connect attempt failed */
    uv_timer_t timer; /* connect deadline, or the reconnect backoff */
} conn;

/* One command. Freed once it was answered, hiredis let go of it (in_hiredis)
 * and its timer is closed. */
typedef struct call {
    mm_redis_async *r;
    mm_redis_async_cb cb;
    void *ud;
    char *cmd; /* formatted (RESP); freed once sent */
    size_t cmd_len;
    uint64_t deadline_ns; /* uv_hrtime() clock */
    conn *sent_on;        /* the connection it went out on */
    bool done;            /* cb has run (or will never run) */
    bool in_hiredis;      /* hiredis holds a reply callback for it */
    bool timer_live;      /* timer initialised and not yet closed */
    uv_timer_t timer;
    struct call *next, *prev; /* the waiting list / the submit queue */
} call;

struct mm_redis_async {
    uv_loop_t *loop;
    mm_redis_url url;
    char client_name[128];
    int connect_timeout_ms, reconnect_min_ms, reconnect_max_ms;
    unsigned max_inflight;
    size_t max_queued_bytes;
    bool closing;
    unsigned open_handles; /* handles still to close before r is freed */

    call *wait_head, *wait_tail; /* waiting for a connection (loop thread) */
    size_t wait_bytes;

    pthread_mutex_t submit_lock; /* guards the submit queue */
    call *submit_head, *submit_tail;
    size_t submit_bytes;
    bool submit_closed;
    uv_async_t submit_wake;

    atomic_uint connected;
    atomic_ullong sent, replied, timed_out, failed, refused, reconnects;

    unsigned conn_count;
    conn conns[];
};

static void connect_conn(conn *c);
static void pump(mm_redis_async *r);

/* ---- calls ----------------------------------------------------------------- */

static void call_maybe_free(call *k) {
    if (k->done && !k->in_hiredis && !k->timer_live) {
        free(k->cmd);
        free(k);
    }
}

static void on_call_timer_closed(uv_handle_t *h) {
    call *k = h->data;
    k->timer_live = false;
    call_maybe_free(k);
}

/* Answers k once; later answers are dropped. */
static void complete(mm_redis_async *r, call *k, int status, redisReply *reply, const char *err) {
    if (k->done) return;
    k->done = true;
    if (k->timer_live) {
        uv_timer_stop(&k->timer);
        uv_close((uv_handle_t *)&k->timer, on_call_timer_closed);
    }
    if (status == 0)
        atomic_fetch_add(&r->replied, 1);
    else if (status == MM_ETIMEDOUT)
        atomic_fetch_add(&r->timed_out, 1);
    else
        atomic_fetch_add(&r->failed, 1);
    k->cb(k->ud, status, reply, err);
}

static void wait_unlink(mm_redis_async *r, call *k) {
    if (k->prev)
        k->prev->next = k->next;
    else
        r->wait_head = k->next;
    if (k->next)
        k->next->prev = k->prev;
    else
        r->wait_tail = k->prev;
    k->next = k->prev = NULL;
    r->wait_bytes -= k->cmd_len;
}

static bool in_wait_list(mm_redis_async *r, call *k) {
    return k->prev != NULL || r->wait_head == k;
}

/* ---- connections ----------------------------------------------------------- */

static void on_reconnect_timer(uv_timer_t *t) {
    conn *c = t->data;
    atomic_fetch_add(&c->r->reconnects, 1);
    connect_conn(c);
}

/* c is down: try again after its backoff, which doubles up to the cap. */
static void schedule_reconnect(conn *c) {
    mm_redis_async *r = c->r;
    c->state = CONN_DOWN;
    c->ac = NULL;
    c->inflight = 0;
    c->failed_last = true;
    if (r->closing) return;
    int delay = c->backoff_ms;
    c->backoff_ms =
        c->backoff_ms * 2 > r->reconnect_max_ms ? r->reconnect_max_ms : c->backoff_ms * 2;
    uv_timer_stop(&c->timer);
    uv_timer_start(&c->timer, on_reconnect_timer, (uint64_t)delay, 0);
}

/* Drops a live connection: hiredis answers every pending reply with NULL
 * (failing those calls), then calls on_disconnect (if it had connected). */
static void drop_conn(conn *c, const char *why) {
    if (!c->ac) return;
    mm_log_warn("msg=\"redis connection dropped\" conn=%u reason=\"%s\"", c->index, why);
    redisAsyncContext *ac = c->ac;
    if (c->state == CONN_UP) atomic_fetch_sub(&c->r->connected, 1);
    ac->data = NULL; /* on_disconnect and on_reply see no connection */
    c->ac = NULL;
    c->state = CONN_DOWN;
    redisAsyncFree(ac); /* fails every pending reply (on_reply with NULL) */
    schedule_reconnect(c);
}

static void on_connect(const redisAsyncContext *ac, int status) {
    conn *c = ac->data;
    if (!c) return;
    uv_timer_stop(&c->timer);
    if (status != REDIS_OK) {
        /* hiredis frees ac after this callback returns */
        mm_log_debug("msg=\"redis connect failed\" conn=%u error=\"%s\"", c->index, ac->errstr);
        c->ac = NULL;
        schedule_reconnect(c);
        return;
    }
    c->state = CONN_UP;
    c->failed_last = false;
    c->backoff_ms = c->r->reconnect_min_ms;
    atomic_fetch_add(&c->r->connected, 1);
    pump(c->r);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
    (void)status;
    conn *c = ac->data;
    if (!c) return;
    if (c->state == CONN_UP) atomic_fetch_sub(&c->r->connected, 1);
    c->ac = NULL;
    schedule_reconnect(c);
}

static void on_connect_deadline(uv_timer_t *t) {
    conn *c = t->data;
    if (c->state != CONN_CONNECTING || !c->ac) return;
    redisAsyncContext *ac = c->ac;
    ac->data = NULL; /* no callbacks into c from the free */
    c->ac = NULL;
    redisAsyncFree(ac);
    mm_log_debug("msg=\"redis connect timed out\" conn=%u", c->index);
    schedule_reconnect(c);
}

/* The handshake's replies: an error reply means a wrong password or db. */
static void on_setup_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    (void)privdata;
    redisReply *rep = reply;
    if (rep && rep->type == REDIS_REPLY_ERROR) {
        conn *c = ac->data;
        mm_log_error("msg=\"redis handshake refused\" conn=%u error=\"%.*s\"", c ? c->index : 0u,
                     (int)rep->len, rep->str);
        redisAsyncDisconnect(ac);
    }
}

static void connect_conn(conn *c) {
    mm_redis_async *r = c->r;
    if (r->closing) return;
    redisAsyncContext *ac = r->url.is_unix ? redisAsyncConnectUnix(r->url.path)
                                           : redisAsyncConnect(r->url.host, r->url.port);
    if (!ac || ac->err) {
        mm_log_debug("msg=\"redis connect failed\" conn=%u error=\"%s\"", c->index,
                     ac ? ac->errstr : "out of memory");
        if (ac) redisAsyncFree(ac);
        schedule_reconnect(c);
        return;
    }
    if (mm_redis_uv_attach(ac, r->loop) != REDIS_OK) {
        redisAsyncFree(ac);
        schedule_reconnect(c);
        return;
    }
    ac->data = c;
    c->ac = ac;
    c->state = CONN_CONNECTING;
    c->inflight = 0;
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    /* Queued now, written once connected, answered before any command. */
    if (r->url.has_password) {
        if (r->url.username[0])
            redisAsyncCommandArgv(ac, on_setup_reply, NULL, 3,
                                  (const char *[]){"AUTH", r->url.username, r->url.password}, NULL);
        else
            redisAsyncCommandArgv(ac, on_setup_reply, NULL, 2,
                                  (const char *[]){"AUTH", r->url.password}, NULL);
    }
    if (r->url.db != 0) {
        char db[16];
        snprintf(db, sizeof db, "%d", r->url.db);
        redisAsyncCommandArgv(ac, on_setup_reply, NULL, 2, (const char *[]){"SELECT", db}, NULL);
    }
    if (r->client_name[0])
        redisAsyncCommandArgv(ac, on_setup_reply, NULL, 3,
                              (const char *[]){"CLIENT", "SETNAME", r->client_name}, NULL);
    uv_timer_start(&c->timer, on_connect_deadline, (uint64_t)r->connect_timeout_ms, 0);
}

/* ---- sending ---------------------------------------------------------------- */

static void on_reply(redisAsyncContext *ac, void *reply, void *privdata) {
    call *k = privdata;
    conn *c = ac->data;
    mm_redis_async *r = k->r;
    k->in_hiredis = false;
    if (c && k->sent_on == c && c->inflight > 0) c->inflight--;
    if (!k->done) {
        if (reply)
            complete(r, k, 0, reply, NULL);
        else if (r->closing)
            complete(r, k, MM_EREDIS, NULL, "the Redis client is closing");
        else
            complete(r, k, MM_EREDIS, NULL, ac->errstr[0] ? ac->errstr : "Redis connection lost");
    }
    call_maybe_free(k);
    if (reply && !r->closing) pump(r);
}

/* The least busy connection that is up and has room, or NULL. */
static conn *pick(mm_redis_async *r) {
    conn *best = NULL;
    for (unsigned i = 0; i < r->conn_count; i++) {
        conn *c = &r->conns[i];
        if (c->state != CONN_UP || c->inflight >= r->max_inflight) continue;
        if (!best || c->inflight < best->inflight) best = c;
    }
    return best;
}

/* Whether a command may still get a connection soon: one is up, or one is
 * connecting for the first time since it last worked. (A refused connect
 * may only be noticed at the connect deadline, as with hiredis's libuv
 * adapter before redis_uv.c; after one failure, commands fail fast instead of
 * waiting through every retry.) */
static bool any_alive(mm_redis_async *r) {
    for (unsigned i = 0; i < r->conn_count; i++) {
        const conn *c = &r->conns[i];
        if (c->state == CONN_UP || (c->state == CONN_CONNECTING && !c->failed_last)) return true;
    }
    return false;
}

static void send_on(conn *c, call *k) {
    if (redisAsyncFormattedCommand(c->ac, on_reply, k, k->cmd, k->cmd_len) != REDIS_OK) {
        complete(c->r, k, MM_EREDIS, NULL, "Redis connection is closing");
        call_maybe_free(k);
        return;
    }
    free(k->cmd);
    k->cmd = NULL;
    k->sent_on = c;
    k->in_hiredis = true;
    c->inflight++;
    atomic_fetch_add(&c->r->sent, 1);
}

/* Moves waiting commands onto connections with room. */
static void pump(mm_redis_async *r) {
    while (r->wait_head) {
        conn *c = pick(r);
        if (!c) return;
        call *k = r->wait_head;
        wait_unlink(r, k);
        send_on(c, k);
    }
}

/* ---- deadlines --------------------------------------------------------------- */

static void call_deadline(uv_timer_t *t);

/* Starts k on the loop: its deadline timer, then a connection or the
 * waiting list. Returns 0, or an error (k not started, cb not called). */
static int start_call(mm_redis_async *r, call *k, bool may_fail_fast) {
    if (r->closing) return MM_EREDIS;
    if (may_fail_fast && !any_alive(r)) return MM_EREDIS;
    conn *c = pick(r);
    if (!c && r->wait_bytes + k->cmd_len > r->max_queued_bytes) return MM_ELIMIT;
    uint64_t now = uv_hrtime();
    uint64_t left_ms = k->deadline_ns > now ? (k->deadline_ns - now + 999999) / 1000000 : 0;
    uv_timer_init(r->loop, &k->timer);
    k->timer.data = k;
    k->timer_live = true;
    uv_timer_start(&k->timer, call_deadline, left_ms, 0);
    if (c) {
        send_on(c, k);
    } else {
        k->next = NULL;
        k->prev = r->wait_tail;
        if (r->wait_tail)
            r->wait_tail->next = k;
        else
            r->wait_head = k;
        r->wait_tail = k;
        r->wait_bytes += k->cmd_len;
    }
    return 0;
}

static void call_deadline(uv_timer_t *t) {
    call *k = t->data;
    mm_redis_async *r = k->r;
    if (k->done) return;
    /* libuv times a timer from the loop's cached clock, which is as old as
     * the current loop turn (older still when the call was started from
     * outside a callback): the timer can fire before the deadline. Never
     * answer "timed out" early: wait out the rest. */
    uint64_t now = uv_hrtime();
    if (now < k->deadline_ns) {
        uv_timer_start(&k->timer, call_deadline, (k->deadline_ns - now + 999999) / 1000000, 0);
        return;
    }
    if (!k->sent_on && in_wait_list(r, k)) wait_unlink(r, k);
    conn *c = k->sent_on;
    /* Answer first, then drop the connection (which also fails every other
     * command stuck behind this one on it). complete() closes the timer, so
     * k lives until its close callback. */
    complete(r, k, MM_ETIMEDOUT, NULL, "Redis did not answer within the deadline");
    if (c && k->in_hiredis && c->ac) drop_conn(c, "a command passed its deadline");
}

/* ---- the public API ---------------------------------------------------------- */

static call *make_call(mm_redis_async *r, int deadline_ms, mm_redis_async_cb cb, void *ud, int argc,
                       const char **argv, const size_t *argvlen) {
    call *k = calloc(1, sizeof(*k));
    if (!k) return NULL;
    int n = redisFormatCommandArgv(&k->cmd, argc, argv, argvlen);
    if (n < 0 || !k->cmd) {
        free(k);
        return NULL;
    }
    k->cmd_len = (size_t)n;
    k->cb = cb;
    k->ud = ud;
    k->r = r;
    k->deadline_ns = uv_hrtime() + (uint64_t)(deadline_ms > 0 ? deadline_ms : 1) * 1000000u;
    return k;
}

int mm_redis_async_command(mm_redis_async *r, int deadline_ms, mm_redis_async_cb cb, void *ud,
                           int argc, const char **argv, const size_t *argvlen) {
    assert(r && cb && argc > 0);
    call *k = make_call(r, deadline_ms, cb, ud, argc, argv, argvlen);
    if (!k) return MM_ENOMEM;
    int rc = start_call(r, k, true);
    if (rc) {
        atomic_fetch_add(&r->refused, 1);
        free(k->cmd);
        free(k);
    }
    return rc;
}

int mm_redis_async_submit(mm_redis_async *r, int deadline_ms, mm_redis_async_cb cb, void *ud,
                          int argc, const char **argv, const size_t *argvlen) {
    assert(r && cb && argc > 0);
    call *k = make_call(r, deadline_ms, cb, ud, argc, argv, argvlen);
    if (!k) return MM_ENOMEM;
    pthread_mutex_lock(&r->submit_lock);
    int rc = 0;
    if (r->submit_closed)
        rc = MM_EREDIS;
    else if (r->submit_bytes + k->cmd_len > r->max_queued_bytes)
        rc = MM_ELIMIT;
    if (rc == 0) {
        k->prev = r->submit_tail;
        if (r->submit_tail)
            r->submit_tail->next = k;
        else
            r->submit_head = k;
        r->submit_tail = k;
        r->submit_bytes += k->cmd_len;
        uv_async_send(&r->submit_wake);
    }
    pthread_mutex_unlock(&r->submit_lock);
    if (rc) {
        atomic_fetch_add(&r->refused, 1);
        free(k->cmd);
        free(k);
    }
    return rc;
}

/* The loop side of submit: start every handed-over command. */
static void on_submit_wake(uv_async_t *a) {
    mm_redis_async *r = a->data;
    pthread_mutex_lock(&r->submit_lock);
    call *k = r->submit_head;
    r->submit_head = r->submit_tail = NULL;
    r->submit_bytes = 0;
    pthread_mutex_unlock(&r->submit_lock);
    while (k) {
        call *next = k->next;
        k->next = k->prev = NULL;
        int rc = start_call(r, k, true);
        if (rc) {
            /* accepted by submit, so it is answered */
            complete(r, k, rc, NULL,
                     rc == MM_ELIMIT ? "too many Redis commands waiting" : "Redis is unavailable");
            call_maybe_free(k);
        }
        k = next;
    }
}

static void on_handle_closed(uv_handle_t *h) {
    mm_redis_async *r = h->type == UV_ASYNC ? h->data : ((conn *)h->data)->r;
    assert(r->open_handles > 0);
    if (--r->open_handles == 0) {
        pthread_mutex_destroy(&r->submit_lock);
        free(r);
    }
}

void mm_redis_async_free(mm_redis_async *r) {
    if (!r) return;
    r->closing = true;
    pthread_mutex_lock(&r->submit_lock);
    r->submit_closed = true;
    pthread_mutex_unlock(&r->submit_lock);
    on_submit_wake(&r->submit_wake); /* fails what was handed over (closing) */
    while (r->wait_head) {
        call *k = r->wait_head;
        wait_unlink(r, k);
        complete(r, k, MM_EREDIS, NULL, "the Redis client is closing");
        call_maybe_free(k);
    }
    for (unsigned i = 0; i < r->conn_count; i++) {
        conn *c = &r->conns[i];
        if (c->ac) {
            redisAsyncContext *ac = c->ac;
            if (c->state == CONN_UP) atomic_fetch_sub(&r->connected, 1);
            c->ac = NULL;
            c->state = CONN_DOWN;
            /* on_reply still finds r through ac->data to answer "closing" */
            redisAsyncFree(ac);
        }
    }
    r->open_handles = 1 + r->conn_count;
    uv_close((uv_handle_t *)&r->submit_wake, on_handle_closed);
    for (unsigned i = 0; i < r->conn_count; i++)
        uv_close((uv_handle_t *)&r->conns[i].timer, on_handle_closed);
}

unsigned mm_redis_async_connected(const mm_redis_async *r) {
    return atomic_load(&((mm_redis_async *)r)->connected);
}

void mm_redis_async_get_stats(const mm_redis_async *r, mm_redis_async_stats *out) {
    mm_redis_async *m = (mm_redis_async *)r;
    out->sent = atomic_load(&m->sent);
    out->replied = atomic_load(&m->replied);
    out->timed_out = atomic_load(&m->timed_out);
    out->failed = atomic_load(&m->failed);
    out->refused = atomic_load(&m->refused);
    out->reconnects = atomic_load(&m->reconnects);
}

mm_redis_async *mm_redis_async_new(uv_loop_t *loop, const mm_redis_async_config *cfg, char *err,
                                   size_t err_size) {
    unsigned n = cfg->connections ? cfg->connections : 2;
    mm_redis_async *r = calloc(1, sizeof(*r) + n * sizeof(conn));
    if (!r) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    if (mm_redis_url_parse(cfg->url, &r->url, err, err_size) != 0) {
        free(r);
        return NULL;
    }
    snprintf(r->client_name, sizeof r->client_name, "%s", cfg->client_name ? cfg->client_name : "");
    r->loop = loop;
    r->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms : 1000;
    r->reconnect_min_ms = cfg->reconnect_min_ms > 0 ? cfg->reconnect_min_ms : 100;
    r->reconnect_max_ms = cfg->reconnect_max_ms > 0 ? cfg->reconnect_max_ms : 2000;
    if (r->reconnect_max_ms < r->reconnect_min_ms) r->reconnect_max_ms = r->reconnect_min_ms;
    r->max_inflight = cfg->max_inflight ? cfg->max_inflight : 256;
    r->max_queued_bytes = cfg->max_queued_bytes ? cfg->max_queued_bytes : (size_t)1 << 20;
    r->conn_count = n;
    pthread_mutex_init(&r->submit_lock, NULL);
    if (uv_async_init(loop, &r->submit_wake, on_submit_wake) != 0) {
        pthread_mutex_destroy(&r->submit_lock);
        free(r);
        snprintf(err, err_size, "cannot create a libuv async handle");
        return NULL;
    }
    r->submit_wake.data = r;
    for (unsigned i = 0; i < n; i++) {
        conn *c = &r->conns[i];
        c->r = r;
        c->index = i;
        c->backoff_ms = r->reconnect_min_ms;
        uv_timer_init(loop, &c->timer);
        c->timer.data = c;
    }
    for (unsigned i = 0; i < n; i++) connect_conn(&r->conns[i]);
    return r;
}
