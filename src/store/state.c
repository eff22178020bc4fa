/* state.c -- JSON application state over one Redis connection; see state.h. */
#include "store/state.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/json_writer.h"
#include "metamorphosis.h"
#include "store/redis_conn.h"
#include "store/results.h"

struct mm_state {
    pthread_mutex_t lock;
    mm_redis_url url;
    redisContext *c;
    char *prefix;              /* "<prefix>:state:<service>:" */
    char name[128];            /* CLIENT SETNAME */
    int timeout_ms;            /* deadline of one call, waiting for the handle included */
    long long sock_timeout_ms; /* the connection's socket timeout now (push_wbuf) */
    int status;                /* outcome of the last call */
    char err[512];
    /* Deferred writes (mm_state_defer_writes): appended, replies read later. */
    int defer;
    size_t pending;     /* replies not read yet */
    int pending_status; /* first failure among them */
    char pending_err[256];
    /* Their commands in RESP, not yet sent: built here rather than by
     * hiredis's formatter, whose per-argument buffers and a write buffer
     * regrown from empty for each batch cost a worker ~7k instructions per
     * HSET (callgrind, bench_drain). Sent before any reply is read. */
    char *wbuf;
    size_t wlen, wcap;
};

static struct timeval tv_ms(long long ms);

/* Deferred commands kept unsent at most: beyond it they go out at once. */
#define WBUF_SEND_AT (256u * 1024)
/* A buffer grown beyond this (one huge value) is not kept once sent. */
#define WBUF_KEEP_MAX (512u * 1024)

/* Puts the deferred commands on the wire (mm_redis_send_formatted: no copy,
 * no allocation); a failed write marks the connection broken, so the
 * replies' reading reports it. Called with the lock held. */
static void push_wbuf(mm_state *s) {
    if (s->wlen == 0) return;
    if (s->c != NULL && !s->c->err) {
        if (s->sock_timeout_ms != s->timeout_ms) { /* the last call's may be nearly spent */
            redisSetTimeout(s->c, tv_ms(s->timeout_ms));
            s->sock_timeout_ms = s->timeout_ms;
        }
        mm_redis_send_formatted(s->c, s->wbuf, s->wlen);
    }
    s->wlen = 0;
    if (s->wcap > WBUF_KEEP_MAX) {
        free(s->wbuf);
        s->wbuf = NULL;
        s->wcap = 0;
    }
}

/* Room for n more bytes in the deferred commands' buffer. */
static int wbuf_reserve(mm_state *s, size_t n) {
    if (s->wlen + n <= s->wcap) return 0;
    size_t cap = s->wcap ? s->wcap : 4096;
    while (cap < s->wlen + n) cap *= 2;
    char *b = realloc(s->wbuf, cap);
    if (b == NULL) return MM_ENOMEM;
    s->wbuf = b;
    s->wcap = cap;
    return 0;
}

/* Writes "<c><n>\r\n" at p (a RESP header); returns the end. */
static char *resp_header(char *p, char c, size_t n) {
    char digits[24];
    size_t d = 0;
    do {
        digits[d++] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    *p++ = c;
    while (d > 0) *p++ = digits[--d];
    *p++ = '\r';
    *p++ = '\n';
    return p;
}

/* Appends one command in RESP (an array of bulk strings). */
static int wbuf_command(mm_state *s, int argc, const char **argv, const size_t *lens) {
    size_t need = 32;
    for (int i = 0; i < argc; i++) need += lens[i] + 32;
    if (wbuf_reserve(s, need) != 0) return MM_ENOMEM;
    char *p = resp_header(s->wbuf + s->wlen, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) {
        p = resp_header(p, '$', lens[i]);
        memcpy(p, argv[i], lens[i]);
        p += lens[i];
        *p++ = '\r';
        *p++ = '\n';
    }
    assert((size_t)(p - s->wbuf) <= s->wcap);
    s->wlen = (size_t)(p - s->wbuf);
    return 0;
}

/* Reads the replies of the deferred writes. Called with the lock held. */
static void collect(mm_state *s) {
    push_wbuf(s);
    for (; s->pending > 0; s->pending--) {
        redisReply *r = NULL;
        if (s->c == NULL || redisGetReply(s->c, (void **)&r) != REDIS_OK || r == NULL) {
            if (s->pending_status == 0) {
                s->pending_status = MM_EREDIS;
                snprintf(s->pending_err, sizeof s->pending_err, "Redis connection failed: %s",
                         s->c ? s->c->errstr : "not connected");
            }
            s->pending = 0;
            return;
        }
        if (r->type == REDIS_REPLY_ERROR && s->pending_status == 0) {
            s->pending_status = MM_EREDIS;
            snprintf(s->pending_err, sizeof s->pending_err, "Redis error: %.*s", (int)r->len,
                     r->str);
        }
        freeReplyObject(r);
    }
}

static int fail(mm_state *s, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(mm_state *s, int code, const char *fmt, ...) {
    s->status = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->err, sizeof s->err, fmt, ap);
    va_end(ap);
    return code;
}

mm_state *mm_state_new(const char *redis_url, const char *prefix, const char *service, char *err,
                       size_t err_size) {
    if (service == NULL || service[0] == '\0') {
        snprintf(err, err_size, "state store needs a service name");
        return NULL;
    }
    mm_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    s->timeout_ms = MM_STATE_DEFAULT_TIMEOUT_MS;
    if (mm_redis_url_parse(redis_url, &s->url, err, err_size) != 0) {
        mm_state_free(s);
        return NULL;
    }
    const char *p = prefix ? prefix : MM_STORE_DEFAULT_PREFIX;
    size_t len = strlen(p) + strlen(service) + 10;
    s->prefix = malloc(len);
    if (s->prefix == NULL) {
        snprintf(err, err_size, "out of memory");
        mm_state_free(s);
        return NULL;
    }
    snprintf(s->prefix, len, "%s:state:%s:", p, service);
    /* Named "<prefix>-state-<service>" so operators can tell it apart. */
    snprintf(s->name, sizeof s->name, "%s-state-%s", p, service);
    for (char *c = s->name; *c; c++)
        if (*c <= ' ' || *c > '~') *c = '_';
    s->c = mm_redis_connect(&s->url, s->timeout_ms, s->name, err, err_size);
    s->sock_timeout_ms = s->timeout_ms;
    if (s->c == NULL) {
        mm_state_free(s);
        return NULL;
    }
    return s;
}

void mm_state_set_timeout(mm_state *s, int timeout_ms) {
    pthread_mutex_lock(&s->lock);
    s->timeout_ms = timeout_ms > 0 ? timeout_ms : MM_STATE_DEFAULT_TIMEOUT_MS;
    pthread_mutex_unlock(&s->lock);
}

static long long now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct timeval tv_ms(long long ms) {
    if (ms < 1) ms = 1;
    return (struct timeval){(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};
}

void mm_state_free(mm_state *s) {
    if (s == NULL) return;
    if (s->c) redisFree(s->c);
    free(s->wbuf);
    free(s->prefix);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

const char *mm_state_last_error(mm_state *s) { return s->err; }

/* Starts a call: clears the last outcome. */
static void begin(mm_state *s) {
    s->status = 0;
    s->err[0] = '\0';
}

int mm_state_key(const mm_state *s, const char *key, char *buf, size_t size) {
    if (key == NULL || key[0] == '\0') return MM_EINVAL;
    size_t p = strlen(s->prefix), k = strlen(key);
    if (p + k >= size) return MM_EINVAL;
    memcpy(buf, s->prefix, p);
    memcpy(buf + p, key, k + 1);
    return 0;
}

/* Runs argv (argv[1] is the user key, replaced by the full key) and returns
 * the reply, reconnecting once if the connection was lost. NULL on failure
 * (s->err set). */
static redisReply *run(mm_state *s, int argc, const char **argv, const size_t *lens) {
    char key[1024];
    const char *a[8];
    size_t l[8];
    begin(s);
    if (argc > 8 || mm_state_key(s, argv[1], key, sizeof key) != 0) {
        fail(s, MM_EINVAL, "invalid state key");
        return NULL;
    }
    for (int i = 0; i < argc; i++) {
        a[i] = i == 1 ? key : argv[i];
        l[i] = i == 1 ? strlen(key) : (lens && lens[i] ? lens[i] : strlen(argv[i]));
    }
    /* One deadline for the whole call: waiting for the handle (another
     * thread's call may be stuck on a hung Redis), connecting, the command. */
    long long deadline = now_ms() + s->timeout_ms;
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += s->timeout_ms / 1000;
    until.tv_nsec += (long)(s->timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    if (pthread_mutex_timedlock(&s->lock, &until) != 0) {
        fail(s, MM_ETIMEDOUT, "Redis state store busy for %d ms (Redis slow or hung)",
             s->timeout_ms);
        return NULL;
    }
    /* A read after deferred writes sees them: their replies come first. */
    collect(s);
    redisReply *r = NULL;
    for (int attempt = 0; attempt < 2 && r == NULL; attempt++) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            fail(s, MM_ETIMEDOUT, "Redis did not answer within %d ms", s->timeout_ms);
            break;
        }
        if (s->c == NULL || s->c->err) {
            if (s->c) redisFree(s->c);
            s->c = mm_redis_connect(&s->url, (int)left, s->name, s->err, sizeof s->err);
            s->sock_timeout_ms = left;
            if (s->c == NULL) {
                s->status = MM_EREDIS;
                continue;
            }
            left = deadline - now_ms();
        }
        redisSetTimeout(s->c, tv_ms(left));
        s->sock_timeout_ms = left;
        errno = 0;
        r = redisCommandArgv(s->c, argc, a, l);
        if (r == NULL) {
            bool timed_out = s->c->err == REDIS_ERR_IO && (errno == EAGAIN || errno == EWOULDBLOCK);
            fail(s, timed_out ? MM_ETIMEDOUT : MM_EREDIS, "Redis connection failed: %s",
                 s->c->errstr);
            /* A lost connection is retried once; a hung Redis is not. */
            if (timed_out) break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    if (r != NULL && r->type == REDIS_REPLY_ERROR) {
        fail(s, MM_EREDIS, "Redis error: %.*s", (int)r->len, r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* A write whose reply only says OK: deferred when asked, else run now. */
static int write_cmd(mm_state *s, int argc, const char **argv) {
    if (!s->defer) {
        redisReply *r = run(s, argc, argv, NULL);
        if (r == NULL) return s->status;
        freeReplyObject(r);
        return 0;
    }
    char key[1024];
    const char *a[8];
    begin(s);
    if (argc > 8 || mm_state_key(s, argv[1], key, sizeof key) != 0)
        return fail(s, MM_EINVAL, "invalid state key");
    for (int i = 0; i < argc; i++) a[i] = i == 1 ? key : argv[i];
    pthread_mutex_lock(&s->lock);
    if (s->c == NULL || s->c->err) {
        /* Whatever was appended on the broken connection is lost. */
        if (s->pending > 0 && s->pending_status == 0) {
            s->pending_status = MM_EREDIS;
            snprintf(s->pending_err, sizeof s->pending_err, "Redis connection lost");
        }
        s->pending = 0;
        s->wlen = 0;
        if (s->c) redisFree(s->c);
        s->c = mm_redis_connect(&s->url, 5000, s->name, s->err, sizeof s->err);
        s->sock_timeout_ms = 5000;
    }
    int rc = 0;
    size_t l[8];
    for (int i = 0; i < argc; i++) l[i] = strlen(a[i]);
    if (s->c == NULL) {
        rc = fail(s, MM_EREDIS, "Redis connection failed");
    } else if (wbuf_command(s, argc, a, l) != 0) {
        rc = fail(s, MM_ENOMEM, "out of memory");
    } else {
        s->pending++;
        if (s->wlen >= WBUF_SEND_AT) push_wbuf(s);
    }
    pthread_mutex_unlock(&s->lock);
    return rc;
}

int mm_state_defer_writes(mm_state *s, int on) {
    int rc = 0;
    if (!on) rc = mm_state_flush_writes(s, NULL, 0);
    s->defer = on;
    return rc;
}

size_t mm_state_pending_writes(mm_state *s) { return s->pending; }

void mm_state_release_buffers(mm_state *s) {
    pthread_mutex_lock(&s->lock);
    if (s->wlen == 0) {
        free(s->wbuf);
        s->wbuf = NULL;
        s->wcap = 0;
    }
    pthread_mutex_unlock(&s->lock);
}

void mm_state_send_writes(mm_state *s) {
    pthread_mutex_lock(&s->lock);
    push_wbuf(s);
    int done = 0;
    while (s->pending > 0 && s->c != NULL && !done)
        if (redisBufferWrite(s->c, &done) != REDIS_OK) break; /* the flush will report it */
    pthread_mutex_unlock(&s->lock);
}

int mm_state_flush_writes(mm_state *s, char *err, size_t err_size) {
    pthread_mutex_lock(&s->lock);
    collect(s);
    int rc = s->pending_status;
    if (rc != 0 && err != NULL) snprintf(err, err_size, "%s", s->pending_err);
    s->pending_status = 0;
    s->pending_err[0] = '\0';
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* JSON text of value (any JSON value, not only objects). */
static char *dump(mm_state *s, const json_t *value) {
    char *text = value ? mm_json_text_typed(value, NULL) : NULL;
    if (text == NULL) fail(s, MM_EINVAL, "value is not JSON-encodable");
    return text;
}

/* Parses a stored string reply into *value. */
static int load(mm_state *s, const redisReply *e, json_t **value) {
    json_error_t jerr;
    *value = json_loadb(e->str, e->len, JSON_DECODE_ANY, &jerr);
    if (*value == NULL) return fail(s, MM_EINVAL, "stored value is not JSON: %s", jerr.text);
    return 0;
}

int mm_state_set(mm_state *s, const char *key, const json_t *value, int ttl_seconds) {
    char *text = dump(s, value);
    if (text == NULL) return MM_EINVAL;
    char ttl[24];
    snprintf(ttl, sizeof ttl, "%d", ttl_seconds);
    int rc = ttl_seconds > 0 ? write_cmd(s, 5, (const char *[]){"SET", key, text, "EX", ttl})
                             : write_cmd(s, 3, (const char *[]){"SET", key, text});
    free(text);
    return rc;
}

int mm_state_get(mm_state *s, const char *key, json_t **value) {
    *value = NULL;
    redisReply *r = run(s, 2, (const char *[]){"GET", key}, NULL);
    if (r == NULL) return s->status;
    int rc = r->type == REDIS_REPLY_STRING ? load(s, r, value)
                                           : fail(s, MM_ENOTFOUND, "no state at %s", key);
    freeReplyObject(r);
    return rc;
}

int mm_state_del(mm_state *s, const char *key) {
    return write_cmd(s, 2, (const char *[]){"DEL", key});
}

int mm_state_hset(mm_state *s, const char *key, const char *field, const json_t *value) {
    if (field == NULL) return fail(s, MM_EINVAL, "no hash field given");
    char *text = dump(s, value);
    if (text == NULL) return MM_EINVAL;
    int rc = write_cmd(s, 4, (const char *[]){"HSET", key, field, text});
    free(text);
    return rc;
}

int mm_state_hget(mm_state *s, const char *key, const char *field, json_t **value) {
    *value = NULL;
    if (field == NULL) return fail(s, MM_EINVAL, "no hash field given");
    redisReply *r = run(s, 3, (const char *[]){"HGET", key, field}, NULL);
    if (r == NULL) return s->status;
    int rc = r->type == REDIS_REPLY_STRING ? load(s, r, value)
                                           : fail(s, MM_ENOTFOUND, "no field %s in %s", field, key);
    freeReplyObject(r);
    return rc;
}

int mm_state_hgetall(mm_state *s, const char *key, json_t **object) {
    *object = NULL;
    redisReply *r = run(s, 2, (const char *[]){"HGETALL", key}, NULL);
    if (r == NULL) return s->status;
    json_t *o = json_object();
    int rc = o ? 0 : fail(s, MM_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i + 1 < r->elements; i += 2) {
        json_t *v;
        rc = load(s, r->element[i + 1], &v);
        if (rc == 0 && json_object_setn_new(o, r->element[i]->str, r->element[i]->len, v) != 0)
            rc = fail(s, MM_EINVAL, "hash field name is not valid UTF-8");
    }
    freeReplyObject(r);
    if (rc != 0) {
        json_decref(o);
        return rc;
    }
    *object = o;
    return 0;
}

int mm_state_hdel(mm_state *s, const char *key, const char *field) {
    if (field == NULL) return fail(s, MM_EINVAL, "no hash field given");
    return write_cmd(s, 3, (const char *[]){"HDEL", key, field});
}

int mm_state_list_append(mm_state *s, const char *key, const json_t *value, long long *length) {
    char *text = dump(s, value);
    if (text == NULL) return MM_EINVAL;
    redisReply *r = run(s, 3, (const char *[]){"RPUSH", key, text}, NULL);
    free(text);
    if (r == NULL) return s->status;
    if (length) *length = r->integer;
    freeReplyObject(r);
    return 0;
}

int mm_state_list_range(mm_state *s, const char *key, long long start, long long stop,
                        json_t **array) {
    char a[24], b[24];
    *array = NULL;
    snprintf(a, sizeof a, "%lld", start);
    snprintf(b, sizeof b, "%lld", stop);
    redisReply *r = run(s, 4, (const char *[]){"LRANGE", key, a, b}, NULL);
    if (r == NULL) return s->status;
    json_t *arr = json_array();
    int rc = arr ? 0 : fail(s, MM_ENOMEM, "out of memory");
    for (size_t i = 0; rc == 0 && i < r->elements; i++) {
        json_t *v;
        rc = load(s, r->element[i], &v);
        if (rc == 0) json_array_append_new(arr, v);
    }
    freeReplyObject(r);
    if (rc != 0) {
        json_decref(arr);
        return rc;
    }
    *array = arr;
    return 0;
}

int mm_state_incr(mm_state *s, const char *key, long long by, long long *value) {
    char n[24];
    snprintf(n, sizeof n, "%lld", by);
    redisReply *r = run(s, 3, (const char *[]){"INCRBY", key, n}, NULL);
    if (r == NULL) return s->status;
    if (value) *value = r->integer;
    freeReplyObject(r);
    return 0;
}
