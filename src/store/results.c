/* results.c -- storing and fetching event results, with the MULTI/EXEC
 * store-and-notify; see results.h. */
#include "store/results.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus/envelope.h"
#include "bus/limits.h"
#include "common/json_writer.h"
#include "metamorphosis.h"
#include "store/redis_conn.h"

struct mm_result_store {
    pthread_mutex_t lock;
    mm_redis_url url;
    redisContext *c; /* NULL while disconnected */
    char *prefix;
    char name[160]; /* CLIENT SETNAME: "<prefix>-results" */
    int ttl;
    /* The last batch's RESP buffer, kept for the next (put_many_once): a
     * fresh one per batch was a large allocation each time. */
    char *buf;
    size_t buf_cap;
};

/* A batch buffer grown beyond this (huge results) is not kept. */
#define BATCH_BUF_KEEP_MAX (1024u * 1024)

/* "<prefix>:<kind>:<id>" (by hand: snprintf cost ~1k instructions, four
 * times per stored result). */
static int fmt_name(char *buf, size_t size, const char *prefix, const char *kind, const char *id) {
    if (prefix == NULL || id == NULL || id[0] == '\0') return MM_EINVAL;
    size_t il = strlen(id), pl = strlen(prefix), kl = strlen(kind);
    if (il > MM_LIMIT_ID_BYTES || pl + kl + il + 3 > size) return MM_EINVAL;
    memcpy(buf, prefix, pl);
    buf[pl] = ':';
    memcpy(buf + pl + 1, kind, kl);
    buf[pl + 1 + kl] = ':';
    memcpy(buf + pl + kl + 2, id, il + 1);
    return 0;
}

int mm_result_key(const char *prefix, const char *event_id, char *buf, size_t size) {
    return fmt_name(buf, size, prefix, "result", event_id);
}

int mm_result_channel(const char *prefix, const char *server_id, char *buf, size_t size) {
    return fmt_name(buf, size, prefix, "done", server_id);
}

static json_t *str_or_null(const char *s) { return s ? json_string(s) : json_null(); }

json_t *mm_result_doc_event(const char *source_event_id, json_t *event_json) {
    if (source_event_id == NULL || event_json == NULL) return NULL;
    return json_pack("{s:s, s:s, s:O}", "sourceEventId", source_event_id, "status", "ok", "event",
                     event_json);
}

json_t *mm_result_doc_error(const char *source_event_id, const char *ns, const char *class_name,
                            const char *message, const char *code, json_t *data) {
    if (source_event_id == NULL) return NULL;
    json_t *err = json_pack("{s:o, s:o, s:o, s:o, s:O, s:s}", "namespace", str_or_null(ns),
                            "className", str_or_null(class_name), "message", str_or_null(message),
                            "code", str_or_null(code), "data", data ? data : json_null(),
                            "sourceEventId", source_event_id);
    if (err == NULL) return NULL;
    return json_pack("{s:s, s:s, s:o}", "sourceEventId", source_event_id, "status", "error",
                     "error", err);
}

/* A growing text buffer for mm_result_text_event. */
typedef struct textbuf {
    char *p;
    size_t len, cap;
    int oom;
} textbuf;

static void put(textbuf *t, const char *s, size_t n) {
    if (t->oom) return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1) cap *= 2;
        char *q = realloc(t->p, cap);
        if (q == NULL) {
            t->oom = 1;
            return;
        }
        t->p = q;
        t->cap = cap;
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = '\0';
}

static void put_s(textbuf *t, const char *s) { put(t, s, strlen(s)); }

/* A JSON string literal. The strings are valid UTF-8 (the envelope checks
 * them); only quotes, backslashes and control characters need escapes. */
static void put_str(textbuf *t, const char *s) {
    /* 1: ends the string or needs an escape (NUL, controls, '"', '\\'). */
    static const unsigned char stop[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
        [0x07] = 1, [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1,
        [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
        [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1,
        [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1};
    put(t, "\"", 1);
    const char *run = s;
    for (;; s++) {
        while (!stop[(unsigned char)*s]) s++;
        unsigned char c = (unsigned char)*s;
        if (c == '\0') break;
        put(t, run, (size_t)(s - run));
        char esc[8];
        if (c == '"' || c == '\\')
            snprintf(esc, sizeof esc, "\\%c", c);
        else
            snprintf(esc, sizeof esc, "\\u%04x", c);
        put_s(t, esc);
        run = s + 1;
    }
    put(t, run, (size_t)(s - run));
    put(t, "\"", 1);
}

static void put_field(textbuf *t, const char *name, const char *value) {
    put(t, ",", 1);
    put_str(t, name);
    put(t, ":", 1);
    put_str(t, value);
}

/* A member whose name is a literal needing no escape: ,"name": at once. */
#define PUT_NAMED(t, name, value)                                 \
    do {                                                          \
        put((t), ",\"" name "\":", sizeof(",\"" name "\":") - 1); \
        put_str((t), (value));                                    \
    } while (0)

int mm_result_text_event_into(char **buf, size_t *cap, const char *source_event_id,
                              const struct mm_event *ev, const char *data_json, size_t data_len,
                              size_t *len) {
    /* Sized for the usual event at once (no realloc on the way). */
    textbuf t = {.p = *buf, .cap = *cap};
    size_t est = data_len + 512;
    if (t.cap < est) {
        char *q = realloc(t.p, est);
        if (q != NULL) t.p = q, t.cap = est;
        t.oom = q == NULL;
    }
    /* Same members, in the same order, as mm_result_doc_event over
     * mm_event_to_json. */
    put_s(&t, "{\"sourceEventId\":");
    put_str(&t, source_event_id);
    put_s(&t, ",\"status\":\"ok\",\"event\":{\"specversion\":\"" MM_CE_SPECVERSION "\"");
    PUT_NAMED(&t, "id", ev->id ? ev->id : "");
    PUT_NAMED(&t, "source", ev->source ? ev->source : "");
    PUT_NAMED(&t, "type", ev->type ? ev->type : "");
    if (ev->time) PUT_NAMED(&t, "time", ev->time);
    put_s(&t, ",\"datacontenttype\":\"application/json\"");
    if (ev->reply_to) PUT_NAMED(&t, "mmreplyto", ev->reply_to);
    if (ev->cause_id) PUT_NAMED(&t, "mmcauseid", ev->cause_id);
    for (size_t i = 0; i < ev->ext_count; i++) put_field(&t, ev->ext[i].name, ev->ext[i].value);
    put_s(&t, ",\"data\":");
    put(&t, data_json, data_len);
    put_s(&t, "}}");
    *buf = t.p;
    *cap = t.cap;
    if (t.oom) return MM_ENOMEM;
    *len = t.len;
    return 0;
}

char *mm_result_text_event(const char *source_event_id, const struct mm_event *ev,
                           const char *data_json, size_t data_len, size_t *len) {
    char *buf = NULL;
    size_t cap = 0;
    if (mm_result_text_event_into(&buf, &cap, source_event_id, ev, data_json, data_len, len) != 0) {
        free(buf);
        return NULL;
    }
    return buf;
}

mm_result_store *mm_result_store_new(const char *redis_url, const char *prefix, int ttl_seconds,
                                     char *err, size_t err_size) {
    mm_result_store *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->lock, NULL);
    if (mm_redis_url_parse(redis_url, &s->url, err, err_size) != 0) {
        mm_result_store_free(s);
        return NULL;
    }
    if (prefix != NULL && strlen(prefix) > MM_LIMIT_PREFIX_BYTES) {
        snprintf(err, err_size, "result key prefix longer than %d bytes", MM_LIMIT_PREFIX_BYTES);
        mm_result_store_free(s);
        return NULL;
    }
    s->prefix = strdup(prefix ? prefix : MM_STORE_DEFAULT_PREFIX);
    s->ttl = ttl_seconds > 0 ? ttl_seconds : MM_RESULT_DEFAULT_TTL;
    snprintf(s->name, sizeof s->name, "%s-results", s->prefix ? s->prefix : "");
    for (char *c = s->name; *c; c++)
        if (*c <= ' ' || *c > '~') *c = '_';
    s->c = mm_redis_connect(&s->url, 5000, s->name, err, err_size);
    if (s->prefix == NULL || s->c == NULL) {
        if (s->prefix == NULL) snprintf(err, err_size, "out of memory");
        mm_result_store_free(s);
        return NULL;
    }
    return s;
}

void mm_result_store_release_buffers(mm_result_store *s) {
    pthread_mutex_lock(&s->lock);
    free(s->buf);
    s->buf = NULL;
    s->buf_cap = 0;
    pthread_mutex_unlock(&s->lock);
}

void mm_result_store_free(mm_result_store *s) {
    if (s == NULL) return;
    if (s->c) redisFree(s->c);
    pthread_mutex_destroy(&s->lock);
    free(s->buf);
    free(s->prefix);
    free(s);
}

/* Makes sure s->c is usable. Called with the lock held. */
static int ensure_connected(mm_result_store *s, char *err, size_t err_size) {
    if (s->c != NULL && s->c->err == 0) return 0;
    if (s->c != NULL) redisFree(s->c);
    s->c = mm_redis_connect(&s->url, 5000, s->name, err, err_size);
    return s->c ? 0 : MM_EREDIS;
}

/* One attempt at the MULTI/SET/PUBLISH/EXEC pipeline. */
static int put_once(mm_result_store *s, const char *key, const char *chan, const char *text,
                    long long *receivers, char *err, size_t err_size) {
    char ttl[16];
    snprintf(ttl, sizeof ttl, "%d", s->ttl);
    int n = 0;
    if (chan != NULL) {
        redisAppendCommand(s->c, "MULTI");
        n++;
    }
    redisAppendCommandArgv(s->c, 5, (const char *[]){"SET", key, text, "EX", ttl}, NULL);
    n++;
    if (chan != NULL) {
        redisAppendCommandArgv(s->c, 3, (const char *[]){"PUBLISH", chan, text}, NULL);
        redisAppendCommand(s->c, "EXEC");
        n += 2;
    }
    int rc = 0;
    redisReply *last = NULL;
    for (int i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK) r = NULL;
        if (rc == 0) rc = mm_redis_reply_check(s->c, r, err, err_size);
        if (r == NULL) return MM_EREDIS; /* connection broken: nothing more to read */
        if (i == n - 1)
            last = r;
        else
            freeReplyObject(r);
    }
    if (rc == 0 && chan != NULL) {
        /* EXEC returns [OK, receivers], or nil if the transaction was aborted. */
        if (last->type != REDIS_REPLY_ARRAY || last->elements != 2 ||
            last->element[0]->type == REDIS_REPLY_ERROR) {
            snprintf(err, err_size, "Redis transaction for %s did not run", key);
            rc = MM_EREDIS;
        } else if (receivers != NULL) {
            *receivers = last->element[1]->integer;
        }
    } else if (rc == 0 && receivers != NULL) {
        *receivers = 0;
    }
    freeReplyObject(last);
    return rc;
}

int mm_result_store_put(mm_result_store *s, const char *event_id, const char *reply_to,
                        const json_t *doc, long long *receivers, char *err, size_t err_size) {
    char key[MM_LIMIT_STORE_KEY], chan[MM_LIMIT_STORE_KEY];
    if (mm_result_key(s->prefix, event_id, key, sizeof key) != 0 ||
        (reply_to != NULL && mm_result_channel(s->prefix, reply_to, chan, sizeof chan) != 0) ||
        !json_is_object(doc)) {
        snprintf(err, err_size, "invalid result: empty or overlong id, or document not an object");
        return MM_EINVAL;
    }
    char *text = mm_json_text_typed(doc, NULL);
    if (text == NULL) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    pthread_mutex_lock(&s->lock);
    int rc = MM_EREDIS;
    /* SET is idempotent and a repeated notification is harmless (a waiter
     * fires once), so one retry over a fresh connection is safe. */
    for (int attempt = 0; attempt < 2 && rc == MM_EREDIS; attempt++) {
        if (ensure_connected(s, err, err_size) != 0) continue;
        rc = put_once(s, key, reply_to ? chan : NULL, text, receivers, err, err_size);
        if (rc != 0 && s->c->err == 0)
            break; /* a Redis error reply, not a broken connection: retrying won't help */
    }
    pthread_mutex_unlock(&s->lock);
    free(text);
    return rc;
}

/* Idempotent store (mm_result_put.if_absent): KEYS[1] the result key,
 * ARGV[1] the text, ARGV[2] the TTL, ARGV[3] the channel or "". The key keeps
 * the first result written; the notification carries the kept one. */
static const char RESULT_NX[] =
    "local v = ARGV[1] "
    "if not redis.call('SET', KEYS[1], v, 'NX', 'EX', ARGV[2]) then "
    "local old = redis.call('GET', KEYS[1]) if old then v = old end end "
    "if ARGV[3] ~= '' then redis.call('PUBLISH', ARGV[3], v) end "
    "return 1";

/* One attempt at the batch: MULTI, SET [PUBLISH] (or RESULT_NX) per item,
 * EXEC. Keys and channels are formatted into stack buffers here: hiredis
 * copies each command into its output buffer as it is appended. */
/* <c><decimal n>\r\n: a RESP length line (by hand: snprintf cost ~700
 * instructions, six times per stored result). */
static void put_len_line(textbuf *t, char c, size_t n) {
    char buf[32];
    size_t i = sizeof buf;
    buf[--i] = '\n';
    buf[--i] = '\r';
    do {
        buf[--i] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    buf[--i] = c;
    put(t, buf + i, sizeof buf - i);
}

/* One RESP bulk string: $<len>\r\n<bytes>\r\n. */
static void put_bulk(textbuf *t, const char *s, size_t n) {
    put_len_line(t, '$', n);
    put(t, s, n);
    put(t, "\r\n", 2);
}

/* A command's RESP array header: *<argc>\r\n. */
static void put_argc(textbuf *t, int argc) { put_len_line(t, '*', (size_t)argc); }

static int put_many_once(mm_result_store *s, mm_result_put *items, size_t n, char **texts,
                         const size_t *lens, char *err, size_t err_size) {
    char ttl[16];
    int ttl_len = snprintf(ttl, sizeof ttl, "%d", s->ttl);
    size_t cmds = 0;
    /* The whole transaction is written as RESP into one buffer and handed
     * to hiredis once: redisAppendCommandArgv formatted every command into
     * a buffer of its own (a result's SET is ~1.4 KB: glibc's large-request
     * path, which consolidated its fast bins once per event, ~4k
     * instructions an event, callgrind) and then copied it again. */
    size_t est = 64;
    for (size_t i = 0; i < n; i++)
        if (texts[i] != NULL) est += 2 * lens[i] + 2 * MM_LIMIT_STORE_KEY + 96;
    textbuf t = {.p = s->buf, .cap = s->buf_cap};
    s->buf = NULL;
    s->buf_cap = 0;
    if (t.cap < est) {
        free(t.p);
        t.p = malloc(est);
        t.cap = t.p ? est : 0;
        t.oom = t.p == NULL;
    }
    put_argc(&t, 1);
    put_bulk(&t, "MULTI", 5);
    for (size_t i = 0; i < n; i++) {
        if (texts[i] == NULL) continue;
        char key[MM_LIMIT_STORE_KEY], chan[MM_LIMIT_STORE_KEY];
        int rc = mm_result_key(s->prefix, items[i].event_id, key, sizeof key);
        assert(rc == 0); /* checked by the caller */
        (void)rc;
        size_t chan_len = 0;
        chan[0] = '\0';
        if (items[i].reply_to != NULL) {
            rc = mm_result_channel(s->prefix, items[i].reply_to, chan, sizeof chan);
            assert(rc == 0);
            chan_len = strlen(chan);
        }
        if (items[i].if_absent) {
            put_argc(&t, 7);
            put_bulk(&t, "EVAL", 4);
            put_bulk(&t, RESULT_NX, sizeof RESULT_NX - 1);
            put_bulk(&t, "1", 1);
            put_bulk(&t, key, strlen(key));
            put_bulk(&t, texts[i], lens[i]);
            put_bulk(&t, ttl, (size_t)ttl_len);
            put_bulk(&t, chan, chan_len);
            cmds++;
            continue;
        }
        put_argc(&t, 5);
        put_bulk(&t, "SET", 3);
        put_bulk(&t, key, strlen(key));
        put_bulk(&t, texts[i], lens[i]);
        put_bulk(&t, "EX", 2);
        put_bulk(&t, ttl, (size_t)ttl_len);
        cmds++;
        if (items[i].reply_to != NULL) {
            put_argc(&t, 3);
            put_bulk(&t, "PUBLISH", 7);
            put_bulk(&t, chan, chan_len);
            put_bulk(&t, texts[i], lens[i]);
            cmds++;
        }
    }
    put_argc(&t, 1);
    put_bulk(&t, "EXEC", 4);
    if (t.oom) {
        free(t.p);
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    /* Straight to the socket; a failed write leaves s->c->err set, which the
     * first reply's check below reports (and the caller reconnects). */
    mm_redis_send_formatted(s->c, t.p, t.len);
    if (t.cap <= BATCH_BUF_KEEP_MAX) {
        s->buf = t.p;
        s->buf_cap = t.cap;
    } else {
        free(t.p);
    }
    int rc = 0;
    redisReply *last = NULL;
    for (size_t i = 0; i < cmds + 2; i++) {
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK) r = NULL;
        if (rc == 0) rc = mm_redis_reply_check(s->c, r, err, err_size);
        if (r == NULL) return MM_EREDIS;
        if (i == cmds + 1)
            last = r;
        else
            freeReplyObject(r);
    }
    if (rc == 0 && (last->type != REDIS_REPLY_ARRAY || last->elements != cmds)) {
        snprintf(err, err_size, "Redis transaction of %zu results did not run", n);
        rc = MM_EREDIS;
    }
    if (rc == 0) {
        size_t at = 0;
        for (size_t i = 0; i < n; i++) {
            if (texts[i] == NULL) continue;
            size_t k = items[i].reply_to != NULL && !items[i].if_absent ? 2 : 1;
            for (size_t j = 0; j < k; j++, at++)
                if (last->element[at]->type == REDIS_REPLY_ERROR) items[i].status = MM_EREDIS;
        }
    }
    freeReplyObject(last);
    return rc;
}

int mm_result_store_put_many(mm_result_store *s, mm_result_put *items, size_t n, char *err,
                             size_t err_size) {
    /* texts[i]: the item's text (its own, or encoded here from its doc, then
     * freed below); NULL for items left out. */
    enum {
        ON_STACK = 256
    }; /* a worker's batch (no calloc of 2 x 2 KB per batch) */
    char *texts_stack[ON_STACK];
    size_t lens_stack[ON_STACK];
    char **texts = n <= ON_STACK ? texts_stack : calloc(n, sizeof *texts);
    size_t *lens = n <= ON_STACK ? lens_stack : calloc(n, sizeof *lens);
    if (texts == texts_stack) memset(texts_stack, 0, n * sizeof *texts);
    if (lens == lens_stack) memset(lens_stack, 0, n * sizeof *lens);
    size_t valid = 0;
    int rc = 0;
    if (texts == NULL || lens == NULL) {
        snprintf(err, err_size, "out of memory");
        rc = MM_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        char key[MM_LIMIT_STORE_KEY], chan[MM_LIMIT_STORE_KEY];
        mm_result_put *it = &items[i];
        it->status = 0;
        if (mm_result_key(s->prefix, it->event_id, key, sizeof key) != 0 ||
            (it->reply_to != NULL &&
             mm_result_channel(s->prefix, it->reply_to, chan, sizeof chan) != 0) ||
            (it->text == NULL && !json_is_object(it->doc))) {
            it->status = MM_EINVAL;
            continue;
        }
        if (it->text != NULL) {
            texts[i] = (char *)it->text;
            lens[i] = it->text_len ? it->text_len : strlen(it->text);
        } else if ((texts[i] = mm_json_text_typed(it->doc, &lens[i])) == NULL) {
            it->status = MM_ENOMEM;
            continue;
        }
        valid++;
    }
    if (valid == 0) goto out;
    pthread_mutex_lock(&s->lock);
    rc = MM_EREDIS;
    for (int attempt = 0; attempt < 2 && rc == MM_EREDIS; attempt++) {
        if (ensure_connected(s, err, err_size) != 0) continue;
        rc = put_many_once(s, items, n, texts, lens, err, err_size);
        if (rc != 0 && s->c->err == 0) break;
    }
    pthread_mutex_unlock(&s->lock);
    if (rc != 0)
        for (size_t i = 0; i < n; i++)
            if (texts[i] != NULL) items[i].status = MM_EREDIS;
out:
    for (size_t i = 0; texts && i < n; i++)
        if (items[i].text == NULL) free(texts[i]);
    if (texts != texts_stack) free(texts);
    if (lens != lens_stack) free(lens);
    return rc;
}

int mm_result_store_get(mm_result_store *s, const char *event_id, json_t **doc, char *err,
                        size_t err_size) {
    char key[MM_LIMIT_STORE_KEY];
    *doc = NULL;
    if (mm_result_key(s->prefix, event_id, key, sizeof key) != 0) {
        snprintf(err, err_size, "invalid event id");
        return MM_EINVAL;
    }
    pthread_mutex_lock(&s->lock);
    redisReply *r = NULL;
    int rc = MM_EREDIS;
    for (int attempt = 0; attempt < 2 && r == NULL; attempt++) {
        if (ensure_connected(s, err, err_size) != 0) continue;
        r = redisCommandArgv(s->c, 2, (const char *[]){"GET", key}, NULL);
        rc = mm_redis_reply_check(s->c, r, err, err_size);
    }
    pthread_mutex_unlock(&s->lock);
    if (r == NULL || rc != 0) {
        if (r) freeReplyObject(r);
        return MM_EREDIS;
    }
    if (r->type == REDIS_REPLY_NIL) {
        freeReplyObject(r);
        snprintf(err, err_size, "no result stored for event %s", event_id);
        return MM_ENOTFOUND;
    }
    json_error_t jerr;
    *doc = r->type == REDIS_REPLY_STRING ? json_loadb(r->str, r->len, 0, &jerr) : NULL;
    freeReplyObject(r);
    if (*doc == NULL || !json_is_object(*doc)) {
        json_decref(*doc);
        *doc = NULL;
        snprintf(err, err_size, "result for event %s is not a JSON object", event_id);
        return MM_EINVAL;
    }
    return 0;
}
