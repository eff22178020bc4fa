/* trace_export.c -- the bounded span queue, the exporter thread, the
 * OTLP/JSON encoding (the unit tests' and debugging's; the wire uses trace_otlp_pb.c), the span pool and the tiny HTTP/1.1 POST client with deadlines
 * (trace_export.h). */
#include "common/trace_export.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "common/trace_context.h"
#include "common/trace_otlp_pb.h"
#include "metamorphosis.h"

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    bool running;
    bool stop;
    unsigned users; /* mm_trace_init calls not yet shut down */
    pid_t pid;      /* the process whose thread runs */
    mm_span *head, *tail;
    size_t count, bytes;
    mm_span *pool; /* exported spans kept for reuse, at most POOL_MAX */
    size_t pool_count;
    /* configuration, fixed at init */
    size_t queue_bytes;
    unsigned timeout_ms, interval_ms;
    uint64_t sample_threshold; /* a new trace is sampled when its id's low 64 bits are below */
    bool sample_all;
    char service_name[256];
    char host[300]; /* for the Host header */
    char path[512];
    struct sockaddr_storage addr;
    socklen_t addr_len;
} ex = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake = PTHREAD_COND_INITIALIZER};

/* The exporter's counters: the process's own, or cells a caller provides
 * (mm_trace_use_counters: a node's worker counts into the block the node
 * reads). */
static mm_trace_counters local_counters;
static _Atomic(mm_trace_counters *) counters_at = &local_counters;

static mm_trace_counters *cnt(void) {
    return atomic_load_explicit(&counters_at, memory_order_acquire);
}

static void count(_Atomic uint64_t *cell, uint64_t n) {
    atomic_fetch_add_explicit(cell, n, memory_order_relaxed);
}

void mm_trace_use_counters(mm_trace_counters *c) {
    if (c == NULL) c = &local_counters;
    mm_trace_counters *old = cnt();
    if (c == old) return;
    /* What was counted so far moves along (the gauge is rewritten at the
     * exporter's next wake-up). */
    count(&c->exported, atomic_exchange(&old->exported, 0));
    count(&c->dropped, atomic_exchange(&old->dropped, 0));
    count(&c->failed_posts, atomic_exchange(&old->failed_posts, 0));
    atomic_store(&c->queued_bytes, atomic_exchange(&old->queued_bytes, 0));
    atomic_store_explicit(&counters_at, c, memory_order_release);
}

bool mm_trace_sample_root(const uint8_t trace_id[16]) {
    if (ex.sample_all) return true;
    uint64_t v = 0;
    for (int i = 8; i < 16; i++) v = v << 8 | trace_id[i];
    return v < ex.sample_threshold;
}

size_t mm_trace_span_bytes(const mm_span *sp) { return sizeof *sp; }

/* ---- span memory: no malloc per span -------------------------------------- */

/* Spans the pool keeps (about 2.5 KiB each); the rest are freed. */
#define POOL_MAX (2 * MM_TRACE_BATCH_MAX)

/* The thread's next span: taken from the pool under the lock that
 * mm_trace_export_span takes anyway, so the steady state costs no malloc and
 * no extra lock. A thread's spare is freed when the thread exits (the key's
 * destructor) or by mm_trace_shutdown on the thread that calls it. */
static pthread_key_t spare_key;
static pthread_once_t spare_once = PTHREAD_ONCE_INIT;
static _Thread_local mm_span *tl_spare;

static _Thread_local bool tl_spare_key_set;

/* The key's value is only a marker that the thread has a spare slot: the
 * destructor frees the slot's span (thread-locals live until the key
 * destructors have run). */
static void spare_free(void *marker) {
    (void)marker;
    free(tl_spare);
    tl_spare = NULL;
}
static void spare_key_init(void) { pthread_key_create(&spare_key, spare_free); }

static void set_spare(mm_span *sp) {
    tl_spare = sp;
    if (sp && !tl_spare_key_set) {
        tl_spare_key_set = true;
        pthread_setspecific(spare_key, &spare_key);
    }
}

static void q_lock(void);
static void q_unlock(void);

mm_span *mm_trace_span_alloc(void) {
    mm_span *sp = tl_spare;
    if (sp) {
        tl_spare = NULL;
        return sp;
    }
    /* No spare: this thread starts spans that other threads end (a
     * worker's consumer thread starts the process and publish spans; the
     * producer's delivery thread ends the publish spans), so the spare it
     * would get back at mm_span_end goes elsewhere. Two from the pool under
     * one lock (this one and the next), rather than an aligned_alloc of
     * ~2.3 KiB per span that the exporter would free again. */
    mm_span *next = NULL;
    q_lock();
    sp = ex.pool;
    if (sp) {
        next = sp->next;
        if (next) {
            ex.pool = next->next;
            ex.pool_count -= 2;
        } else {
            ex.pool = NULL;
            ex.pool_count--;
        }
    }
    q_unlock();
    if (sp) {
        if (next) set_spare(next);
        return sp;
    }
    /* On a cache line of its own (mm_span's layout); sizeof is a multiple
     * of the alignment. Its cold pointers start NULL, as a recycled span's
     * are (mm_span_start leaves them alone). */
    sp = aligned_alloc(_Alignof(mm_span), sizeof *sp);
    if (sp) {
        sp->status_message = NULL;
        sp->links = NULL;
    }
    return sp;
}

/* The queue's lock (head, tail, count, bytes, the pool, running): a
 * spinlock that yields after a few spins. Every section it guards is a few
 * pointer moves (the exporter takes the whole list at once and splices
 * recycled spans back in one move), so a request's thread pays two atomic
 * operations instead of a mutex's lock and unlock (~60 instructions), and
 * a holder that is preempted costs a waiter a sched_yield, not a spin
 * through its time slice. ex.lock (a mutex) only pairs with the condition
 * variable the exporter sleeps on. */
static atomic_flag qflag = ATOMIC_FLAG_INIT;

static void q_lock(void) {
    for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&qflag, memory_order_acquire);
         spins++)
        if (spins >= 64) sched_yield();
}

static void q_unlock(void) { atomic_flag_clear_explicit(&qflag, memory_order_release); }

void mm_trace_export_span(mm_span *sp) {
    size_t sz = mm_trace_span_bytes(sp);
    mm_span *spare = NULL; /* the thread's next span, from the pool */
    q_lock();
    if (tl_spare == NULL && ex.pool) {
        spare = ex.pool;
        ex.pool = spare->next;
        ex.pool_count--;
    }
    bool take = ex.running && ex.bytes + sz <= ex.queue_bytes, full = false;
    if (take) {
        sp->next = NULL;
        if (ex.tail)
            ex.tail->next = sp;
        else
            ex.head = sp;
        ex.tail = sp;
        ex.bytes += sz;
        full = ++ex.count == MM_TRACE_BATCH_MAX;
    }
    q_unlock();
    if (spare) set_spare(spare); /* may call pthread_setspecific: outside the lock */
    if (!take) {
        count(&cnt()->dropped, 1);
        mm_span_free(sp);
    } else if (full) { /* once per batch: wake the exporter */
        pthread_mutex_lock(&ex.lock);
        pthread_cond_signal(&ex.wake);
        pthread_mutex_unlock(&ex.lock);
    }
}

void mm_trace_get_stats(mm_trace_stats *out) {
    mm_trace_counters *c = cnt();
    out->exported = atomic_load(&c->exported);
    out->dropped = atomic_load(&c->dropped);
    out->failed_posts = atomic_load(&c->failed_posts);
    q_lock();
    out->queued_bytes = ex.bytes;
    q_unlock();
}

/* ---- OTLP/JSON ------------------------------------------------------------ */

/* The encoder writes through a cursor into room it reserved first (one
 * bound check per piece, no call per literal). */
typedef struct out {
    mm_strbuf *b;
    char *p;
} out;

/* Makes room for n more bytes; false when memory is short. */
static bool room(out *o, size_t n) {
    size_t used = (size_t)(o->p - o->b->data);
    n += 16; /* put_str's last 8-byte store may pass its end */
    if (o->b->cap > used + n) return true;
    o->b->len = used;
    if (!mm_strbuf_reserve(o->b, n + 1)) return false;
    o->p = o->b->data + o->b->len;
    return true;
}

#define LIT(o, s) (memcpy((o)->p, (s), sizeof(s) - 1), (o)->p += sizeof(s) - 1)

/* Which of x's 8 bytes need escaping in JSON (a control character, '"' or
 * '\\'): nonzero when any does. */
static uint64_t escapes8(uint64_t x) {
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    return ((x - ones * 0x20) & ~x & highs) | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
}

/* Escapes s[i..n) byte by byte from p; returns the end. */
static char *escape_bytes(char *p, const char *s, size_t i, size_t n) {
    static const char hex[] = "0123456789abcdef";
    for (; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            *p++ = (char)c;
        } else if (c == '"' || c == '\\') {
            *p++ = '\\';
            *p++ = (char)c;
        } else {
            memcpy(p, "\\u00", 4);
            p[4] = hex[c >> 4];
            p[5] = hex[c & 15];
            p += 6;
        }
    }
    return p;
}

/* s (n bytes) as a JSON string, quotes included; room for 6 * n + 2 + 8
 * reserved (the same escapes as mm_trace_json_string). Eight clean bytes at
 * a time: the exporter escapes every value of every span. in_span: s lies
 * inside an mm_span, so the last 8-byte read may pass its end (the span's
 * read_slack); the bytes past the end are ignored. */
static void put_str_at(out *o, const char *s, size_t n, bool in_span) {
    char *p = o->p;
    *p++ = '"';
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        if (escapes8(x)) {
            p = escape_bytes(p, s, i, n);
            i = n;
            break;
        }
        memcpy(p, &x, 8);
        p += 8;
    }
    size_t rem = n - i;
    if (rem && in_span) {
        uint64_t x, valid = (UINT64_C(1) << (8 * rem)) - 1;
        memcpy(&x, s + i, 8);
        /* A byte's flag depends on it and the bytes before it only. */
        if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && !(escapes8(x) & valid)) {
            memcpy(p, &x, 8);
            p += rem;
        } else {
            p = escape_bytes(p, s, i, n);
        }
    } else if (rem) {
        p = escape_bytes(p, s, i, n);
    }
    *p++ = '"';
    o->p = p;
}

static void put_str(out *o, const char *s, size_t n) { put_str_at(o, s, n, false); }
static void put_span_str(out *o, const char *s, size_t n) { put_str_at(o, s, n, true); }

/* Two decimal digits of 0..99, for put_u64. */
static const char digits2[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                              "34353637383940414243444546474849505152535455565758596061626364656667"
                              "6869707172737475767778798081828384858687888990919293949596979899";

/* v (< 10^9) in decimal, at least width digits (zero-padded). */
static void put_u32(out *o, uint32_t v, size_t width) {
    char num[10];
    size_t k = sizeof num;
    while (v >= 100) {
        k -= 2;
        memcpy(num + k, digits2 + 2 * (v % 100), 2);
        v /= 100;
    }
    if (v >= 10) {
        k -= 2;
        memcpy(num + k, digits2 + 2 * v, 2);
    } else {
        num[--k] = (char)('0' + v);
    }
    while (sizeof num - k < width) num[--k] = '0';
    memcpy(o->p, num + k, sizeof num - k);
    o->p += sizeof num - k;
}

/* v in decimal; room for 20 bytes reserved. In 32-bit pieces of nine
 * digits (timestamps have 19): cheaper than 64-bit division per digit. */
static void put_u64(out *o, uint64_t v) {
    if (v < 1000000000u) {
        put_u32(o, (uint32_t)v, 1);
    } else if (v < UINT64_C(1000000000000000000)) {
        put_u32(o, (uint32_t)(v / 1000000000u), 1);
        put_u32(o, (uint32_t)(v % 1000000000u), 9);
    } else {
        uint64_t hi = v / 1000000000u;
        put_u32(o, (uint32_t)(hi / 1000000000u), 1);
        put_u32(o, (uint32_t)(hi % 1000000000u), 9);
        put_u32(o, (uint32_t)(v % 1000000000u), 9);
    }
}

/* Nine digits of v (< 10^9), zero-padded; room for 9 reserved. */
static void put_9digits(out *o, uint32_t v) {
    char *p = o->p;
    for (int k = 7; k >= 1; k -= 2) {
        memcpy(p + k, digits2 + 2 * (v % 100), 2);
        v /= 100;
    }
    p[0] = (char)('0' + v);
    o->p += 9;
}

/* A timestamp in Unix nanoseconds, in decimal; room for 20 reserved. The
 * seconds' digits are kept from the previous timestamp when they are the
 * same (the spans of a batch share a few seconds). */
typedef struct ts_cache {
    uint64_t sec;
    size_t len;
    char text[20];
} ts_cache;

static void put_ts(out *o, ts_cache *tc, uint64_t ns) {
    uint64_t sec = ns / 1000000000u;
    if (sec == 0) {
        put_u64(o, ns);
        return;
    }
    if (tc->len == 0 || tc->sec != sec) {
        out t = {o->b, tc->text};
        put_u64(&t, sec);
        tc->sec = sec;
        tc->len = (size_t)(t.p - tc->text);
    }
    memcpy(o->p, tc->text, tc->len);
    o->p += tc->len;
    put_9digits(o, (uint32_t)(ns % 1000000000u));
}

static void put_i64(out *o, int64_t v) {
    uint64_t u = (uint64_t)v;
    if (v < 0) {
        *o->p++ = '-';
        u = (uint64_t)0 - u;
    }
    put_u64(o, u);
}

/* n bytes as lowercase hex; room for 2n reserved. */
static void put_hex(out *o, const uint8_t *bytes, size_t n) {
    mm_trace_hex(bytes, n, o->p);
    o->p += 2 * n;
}

/* {"key":"<key>" -- keys are the conventions' names (literals in the
 * code, no character that needs escaping): copied as they are. */
static void put_key(out *o, const char *key, size_t kn) {
    assert(key[strcspn(key, "\"\\")] == '\0');
    LIT(o, "{\"key\":\"");
    memcpy(o->p, key, kn);
    o->p += kn;
    *o->p++ = '"';
}

/* The span's attribute records (trace.h) as OTLP KeyValue objects. */
static bool put_attrs(out *o, const mm_span *sp) {
    const unsigned char *p = sp->attrs, *end = sp->attrs + sp->attrs_len;
    bool first = true;
    while (p < end) {
        const char *key;
        memcpy(&key, p, sizeof key);
        p += sizeof key;
        unsigned char type = *p++;
        size_t kn = strlen(key);
        if (type == MM_SPAN_ATTR_INT) {
            int64_t v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            if (!room(o, kn + 64)) return false;
            if (!first) *o->p++ = ',';
            put_key(o, key, kn);
            /* OTLP/JSON writes 64-bit integers as strings. */
            LIT(o, ",\"value\":{\"intValue\":\"");
            put_i64(o, v);
            LIT(o, "\"}}");
        } else if (type == MM_SPAN_ATTR_CONST) {
            const char *v;
            memcpy(&v, p, sizeof v);
            p += sizeof v;
            size_t n = strlen(v);
            if (!room(o, kn + 6 * n + 64)) return false;
            if (!first) *o->p++ = ',';
            put_key(o, key, kn);
            LIT(o, ",\"value\":{\"stringValue\":");
            put_str(o, v, n);
            LIT(o, "}}");
        } else {
            assert(type == MM_SPAN_ATTR_STR);
            uint16_t n;
            memcpy(&n, p, 2);
            p += 2;
            if (!room(o, kn + 6 * n + 64)) return false;
            if (!first) *o->p++ = ',';
            put_key(o, key, kn);
            LIT(o, ",\"value\":{\"stringValue\":");
            put_span_str(o, (const char *)p, n);
            LIT(o, "}}");
            p += n;
        }
        first = false;
    }
    return true;
}

/* No printf: the exporter encodes every span of a busy server. */
static bool put_span(out *o, ts_cache *tc, const mm_span *sp) {
    size_t sn = sp->ctx.state[0] ? strlen(sp->ctx.state) : 0;
    if (!room(o, 6 * (sn + sp->name_len) + 300)) return false;
    LIT(o, "{\"traceId\":\"");
    put_hex(o, sp->ctx.trace_id, 16);
    LIT(o, "\",\"spanId\":\"");
    put_hex(o, sp->ctx.span_id, 8);
    if (sp->has_parent) {
        LIT(o, "\",\"parentSpanId\":\"");
        put_hex(o, sp->parent_id, 8);
    }
    LIT(o, "\"");
    if (sn) {
        LIT(o, ",\"traceState\":");
        put_span_str(o, sp->ctx.state, sn);
    }
    LIT(o, ",\"name\":");
    put_span_str(o, sp->name, sp->name_len);
    LIT(o, ",\"kind\":");
    assert(sp->kind >= MM_SPAN_INTERNAL && sp->kind <= MM_SPAN_CONSUMER);
    *o->p++ = (char)('0' + sp->kind);
    LIT(o, ",\"startTimeUnixNano\":\"");
    put_ts(o, tc, sp->start_ns);
    LIT(o, "\",\"endTimeUnixNano\":\"");
    put_ts(o, tc, sp->end_ns);
    LIT(o, "\",\"attributes\":[");
    if (!put_attrs(o, sp)) return false;
    size_t mn = sp->error && sp->status_message ? strlen(sp->status_message) : 0;
    if (!room(o, 6 * mn + 64 + 80 * (size_t)sp->link_count)) return false;
    LIT(o, "]");
    for (unsigned i = 0; i < sp->link_count; i++) {
        if (i == 0) LIT(o, ",\"links\":[");
        LIT(o, "{\"traceId\":\"");
        put_hex(o, sp->links[i].trace_id, 16);
        LIT(o, "\",\"spanId\":\"");
        put_hex(o, sp->links[i].span_id, 8);
        LIT(o, "\"}");
        if (i + 1 < sp->link_count)
            *o->p++ = ',';
        else
            LIT(o, "]");
    }
    if (sp->error) {
        LIT(o, ",\"status\":{\"code\":2,\"message\":");
        put_str(o, sp->status_message ? sp->status_message : "", mn); /* out of the span */
        LIT(o, "}");
    }
    LIT(o, "}");
    return true;
}

char *mm_otlp_encode(mm_span *const *spans, size_t n, const char *service_name, size_t *len) {
    mm_strbuf b = MM_STRBUF_INIT;
    mm_strbuf_reserve(&b, 512 + n * 1024);
    const char *svc = service_name ? service_name : "metamorphosis";
    size_t svc_len = strlen(svc);
    out o = {&b, b.data};
    ts_cache tc = {0};
    bool ok = room(&o, 6 * svc_len + 512);
    if (ok) {
        LIT(&o, "{\"resourceSpans\":[{\"resource\":{\"attributes\":["
                "{\"key\":\"service.name\",\"value\":{\"stringValue\":");
        put_str(&o, svc, svc_len);
        LIT(&o, "}},{\"key\":\"telemetry.sdk.name\",\"value\":{\"stringValue\":"
                "\"metamorphosis\"}},{\"key\":\"telemetry.sdk.language\",\"value\":"
                "{\"stringValue\":\"c\"}}]},\"scopeSpans\":[{\"scope\":{\"name\":"
                "\"metamorphosis\"},\"spans\":[");
    }
    for (size_t i = 0; ok && i < n; i++) {
        if (i) *o.p++ = ','; /* room: the previous span reserved 64 spare bytes */
        ok = put_span(&o, &tc, spans[i]);
    }
    ok = ok && room(&o, 16);
    if (ok) LIT(&o, "]}]}]}");
    if (!ok || b.failed) {
        mm_strbuf_free(&b);
        return NULL;
    }
    b.len = (size_t)(o.p - b.data);
    b.data[b.len] = '\0';
    *len = b.len;
    return mm_strbuf_take(&b);
}

/* ---- the HTTP/1.1 POST -------------------------------------------------- */

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for events or the deadline passes. */
static bool wait_fd(int fd, short events, int64_t deadline) {
    for (;;) {
        int64_t left = deadline - mono_ms();
        if (left <= 0) return false;
        struct pollfd p = {.fd = fd, .events = events};
        int r = poll(&p, 1, (int)left);
        if (r > 0) return true;
        if (r < 0 && errno != EINTR) return false;
    }
}

/* The connection to the collector, kept alive from one POST to the next
 * (the exporter thread's alone). A new connection per batch cost a
 * connect, an accept and a close on both sides per 512 spans, and the
 * collector often shares the server's cores. Bounded: it is used for at
 * most KEEPALIVE_MAX_POSTS POSTs and not after KEEPALIVE_IDLE_MS without
 * one (servers close idle connections, Node's after 5 s, and a close that
 * crosses our next POST costs a retry), and it is closed on any error, on
 * a response that says `Connection: close` or whose end is not known from
 * its Content-Length, and when the exporter stops. */
#define KEEPALIVE_MAX_POSTS 1000
#define KEEPALIVE_IDLE_MS   4000
/* A response head longer than this is refused (the collector's answer is a
 * status line and a few headers); a body longer than RESP_BODY_MAX is not
 * read: the connection is closed instead. */
#define RESP_HEAD_MAX 4096
#define RESP_BODY_MAX (64 * 1024)

static struct {
    int fd; /* -1: none */
    unsigned posts;
    int64_t idle_since;      /* mono_ms of its last answer */
    _Atomic uint64_t opened; /* connections opened so far (the unit tests read it) */
} conn = {.fd = -1};

static void conn_close(void) {
    if (conn.fd >= 0) close(conn.fd);
    conn.fd = -1;
    conn.posts = 0;
}

uint64_t mm_trace_connections_opened(void) { return atomic_load(&conn.opened); }

/* Whether the kept connection can carry the next POST: young enough, not
 * idle too long, and nothing to read on it (a server that closed it shows
 * end-of-file; stray bytes would be out of step). */
static bool conn_reusable(void) {
    if (conn.fd < 0) return false;
    if (conn.posts >= KEEPALIVE_MAX_POSTS || mono_ms() - conn.idle_since >= KEEPALIVE_IDLE_MS)
        return false;
    struct pollfd p = {.fd = conn.fd, .events = POLLIN};
    return poll(&p, 1, 0) == 0;
}

static bool conn_open(int64_t deadline, char *err, size_t err_size) {
    int fd = socket(ex.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, err_size, "socket: %s", strerror(errno));
        return false;
    }
    if (connect(fd, (struct sockaddr *)&ex.addr, ex.addr_len) != 0 && errno != EINPROGRESS) {
        snprintf(err, err_size, "connect: %s", strerror(errno));
        close(fd);
        return false;
    }
    if (!wait_fd(fd, POLLOUT, deadline)) {
        snprintf(err, err_size, "connect: timed out");
        close(fd);
        return false;
    }
    int soerr = 0;
    socklen_t sl = sizeof soerr;
    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
    if (soerr) {
        snprintf(err, err_size, "connect: %s", strerror(soerr));
        close(fd);
        return false;
    }
    atomic_fetch_add(&conn.opened, 1);
    conn.fd = fd;
    conn.posts = 0;
    return true;
}

/* The value of header name (lowercase, with its colon) in head, or NULL;
 * *n its length without surrounding blanks. */
static const char *header_value(const char *head, const char *name, size_t *n) {
    size_t nl = strlen(name);
    for (const char *l = strstr(head, "\r\n"); l && l[2] != '\r'; l = strstr(l + 2, "\r\n")) {
        const char *h = l + 2;
        if (strncasecmp(h, name, nl) != 0) continue;
        h += nl;
        while (*h == ' ' || *h == '\t') h++;
        size_t k = strcspn(h, "\r");
        while (k && (h[k - 1] == ' ' || h[k - 1] == '\t')) k--;
        *n = k;
        return h;
    }
    return NULL;
}

/* The end of the answer's head ("\r\n\r\n") in the got bytes at buf, or
 * NULL; *scanned: how far earlier calls looked (the search resumes 3 bytes
 * before). Bytes, not strings: the body that may follow is binary. */
static char *head_end(char *buf, size_t got, size_t *scanned) {
    size_t i = *scanned > 3 ? *scanned - 3 : 0;
    for (; i + 4 <= got; i++)
        if (buf[i] == '\r' && memcmp(buf + i, "\r\n\r\n", 4) == 0) return buf + i;
    *scanned = got;
    return NULL;
}

/* One POST on the kept connection (opened first when there is none).
 * Returns the HTTP status, or -1 (why in err). *stale: the connection was
 * an old one and failed before any byte of an answer came back, so the
 * server most likely closed it while idle (the caller may retry once on a
 * new one). */
static int post_once(const char *body, size_t len, int64_t deadline, bool *stale, char *err,
                     size_t err_size) {
    *stale = false;
    bool reused = conn.fd >= 0;
    if (!reused && !conn_open(deadline, err, err_size)) return -1;
    int fd = conn.fd;
    char head[1024];
    int hn = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/x-protobuf\r\n"
                      "Content-Length: %zu\r\n\r\n",
                      ex.path, ex.host, len);
    const char *parts[2] = {head, body};
    size_t sizes[2] = {(size_t)hn, len};
    for (int k = 0; k < 2; k++) {
        size_t off = 0;
        while (off < sizes[k]) {
            ssize_t w = send(fd, parts[k] + off, sizes[k] - off, MSG_NOSIGNAL);
            if (w > 0) {
                off += (size_t)w;
            } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (!wait_fd(fd, POLLOUT, deadline)) {
                    snprintf(err, err_size, "send: timed out");
                    goto fail;
                }
            } else {
                *stale = reused && (errno == EPIPE || errno == ECONNRESET);
                snprintf(err, err_size, "send: %s", strerror(errno));
                goto fail;
            }
        }
    }
    conn.posts++;
    /* The answer's head, then its body skipped (to keep the connection in
     * step): Content-Length tells where it ends. */
    char resp[RESP_HEAD_MAX + 1];
    size_t got = 0, scanned = 0;
    char *end = NULL;
    while ((end = head_end(resp, got, &scanned)) == NULL) {
        if (got == RESP_HEAD_MAX) {
            snprintf(err, err_size, "receive: answer head too long");
            goto fail;
        }
        ssize_t r = recv(fd, resp + got, RESP_HEAD_MAX - got, 0);
        if (r > 0) {
            got += (size_t)r;
            resp[got] = '\0';
        } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, POLLIN, deadline)) {
                snprintf(err, err_size, "receive: timed out");
                goto fail;
            }
        } else {
            *stale = reused && got == 0 && (r == 0 || errno == ECONNRESET);
            snprintf(err, err_size, "receive: %s", r == 0 ? "connection closed" : strerror(errno));
            goto fail;
        }
    }
    int code, minor;
    /* The head is text (the body after it may be binary: Jaeger answers a
     * protobuf ExportTraceServiceResponse). */
    if (memchr(resp, '\0', (size_t)(end - resp)) ||
        sscanf(resp, "HTTP/1.%d %d", &minor, &code) != 2) {
        snprintf(err, err_size, "not an HTTP response");
        goto fail;
    }
    *end = '\0'; /* the head alone, for header_value */
    size_t vn = 0, have = got - (size_t)(end + 4 - resp);
    const char *v = header_value(resp, "connection:", &vn);
    bool keep = minor >= 1 && !(v && vn == 5 && strncasecmp(v, "close", 5) == 0);
    v = header_value(resp, "content-length:", &vn);
    size_t body_len = 0;
    if (code == 204 || code == 304) {
        body_len = 0;
    } else if (v && vn > 0 && vn <= 9 && strspn(v, "0123456789") == vn) {
        body_len = (size_t)strtoul(v, NULL, 10);
    } else {
        keep = false; /* chunked or to end of stream: not worth parsing for telemetry */
    }
    if (body_len > RESP_BODY_MAX || have > body_len) keep = false;
    while (keep && have < body_len) {
        char sink[4096];
        size_t want = body_len - have < sizeof sink ? body_len - have : sizeof sink;
        ssize_t r = recv(fd, sink, want, 0);
        if (r > 0) {
            have += (size_t)r;
        } else if (r < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_fd(fd, POLLIN, deadline)) keep = false; /* the status is known */
        } else {
            keep = false;
        }
    }
    if (keep) {
        conn.idle_since = mono_ms();
    } else {
        conn_close();
    }
    if (code < 200 || code > 299) snprintf(err, err_size, "HTTP status %d", code);
    return code;
fail:
    conn_close();
    return -1;
}

/* POSTs body; returns the HTTP status, or -1 (why in err). Connecting,
 * sending and receiving share one deadline of timeout_ms. A kept
 * connection the server closed while idle is retried once on a new one,
 * within the same deadline: a server closing an idle connection has not
 * read the request; one that read it and closed without a word would get
 * the batch twice (duplicate spans), the
 * price of not dropping a batch at every idle close. */
static int http_post(const char *body, size_t len, char *err, size_t err_size) {
    int64_t deadline = mono_ms() + ex.timeout_ms;
    if (!conn_reusable()) conn_close();
    bool stale;
    int status = post_once(body, len, deadline, &stale, err, err_size);
    if (status < 0 && stale) status = post_once(body, len, deadline, &stale, err, err_size);
    return status;
}

/* Puts sent spans back in the pool (chained outside the lock, spliced in
 * one move), frees the ones beyond POOL_MAX. Only the exporter thread adds
 * to the pool, so the room read first can only have grown by the splice. */
static void recycle(mm_span **spans, size_t n) {
    q_lock();
    size_t room = ex.pool_count < POOL_MAX ? POOL_MAX - ex.pool_count : 0;
    q_unlock();
    size_t k = n < room ? n : room;
    for (size_t i = k; i < n; i++) mm_span_free(spans[i]);
    if (k == 0) return;
    for (size_t i = 0; i < k; i++) {
        /* A span in the pool has neither (mm_span_start relies on it); the
         * flags on the span's first line say whether to look. */
        if (spans[i]->error && spans[i]->status_message) {
            free(spans[i]->status_message);
            spans[i]->status_message = NULL;
        }
        if (spans[i]->link_count && spans[i]->links) {
            free(spans[i]->links);
            spans[i]->links = NULL;
        }
        if (i + 1 < k) spans[i]->next = spans[i + 1];
    }
    q_lock();
    spans[k - 1]->next = ex.pool;
    ex.pool = spans[0];
    ex.pool_count += k;
    q_unlock();
}

/* Frees a detached chain of spans; returns how many. */
static size_t free_chain(mm_span *sp) {
    size_t n = 0;
    for (mm_span *next; sp; sp = next, n++) {
        next = sp->next;
        mm_span_free(sp);
    }
    return n;
}

/* Encodes and sends one batch (n > 0), recycles the spans; false when the
 * collector did not take it (the spans are counted as dropped). */
/* The encoder's buffer, kept from one batch to the next (the exporter
 * thread's alone; trace_otlp_pb.h says why), unless a batch of unusually
 * large spans grew it past ENC_KEEP_MAX. */
#define ENC_KEEP_MAX (1u << 20)
static mm_otlp_pb_buf enc;

static bool send_batch(mm_span **spans, size_t n) {
    size_t start = 0, len = 0;
    char *body = (char *)mm_otlp_encode_pb_into(&enc, spans, n, ex.service_name, &start, &len);
    char err[200] = "out of memory";
    int status = body ? http_post(body + start, len, err, sizeof err) : -1;
    if (enc.cap > ENC_KEEP_MAX) mm_otlp_pb_buf_free(&enc);
    if (status >= 200 && status <= 299) {
        count(&cnt()->exported, n);
    } else {
        count(&cnt()->dropped, n);
        count(&cnt()->failed_posts, 1);
        mm_log_warn("msg=\"trace export failed, spans dropped\" spans=%zu error=\"%s\"", n, err);
    }
    recycle(spans, n);
    return status >= 200 && status <= 299;
}

static size_t queued_count(void) {
    q_lock();
    size_t n = ex.count;
    q_unlock();
    return n;
}

static void *export_main(void *arg) {
    (void)arg;
    mm_span **batch = malloc(MM_TRACE_BATCH_MAX * sizeof *batch);
    int64_t stop_deadline = 0; /* set when stopping is first seen */
    bool give_up = false;
    for (;;) {
        /* Producers signal under ex.lock after counting under the queue's
         * lock: the count read here cannot miss their wake-up. */
        pthread_mutex_lock(&ex.lock);
        if (!ex.stop && queued_count() < MM_TRACE_BATCH_MAX) {
            struct timespec at;
            clock_gettime(CLOCK_REALTIME, &at);
            at.tv_sec += ex.interval_ms / 1000;
            at.tv_nsec += (long)(ex.interval_ms % 1000) * 1000000L;
            if (at.tv_nsec >= 1000000000L) {
                at.tv_sec++;
                at.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&ex.wake, &ex.lock, &at);
        }
        bool stopping = ex.stop;
        pthread_mutex_unlock(&ex.lock);
        /* The whole queue in one move; its bytes stay counted against the
         * bound until each batch of it is sent or dropped. The gauge: what
         * waited when the exporter woke (at least once an interval; the hot
         * path does not touch it). */
        q_lock();
        mm_span *list = ex.head;
        ex.head = ex.tail = NULL;
        ex.count = 0;
        atomic_store_explicit(&cnt()->queued_bytes, ex.bytes, memory_order_relaxed);
        q_unlock();
        if (stopping && stop_deadline == 0) stop_deadline = mono_ms() + ex.timeout_ms;
        bool any = list != NULL;
        while (list) {
            size_t n = 0, bytes = 0;
            while (list && n < MM_TRACE_BATCH_MAX) {
                mm_span *sp = list;
                list = sp->next;
                bytes += mm_trace_span_bytes(sp);
                if (batch) {
                    batch[n++] = sp;
                } else {
                    count(&cnt()->dropped, 1);
                    mm_span_free(sp);
                }
            }
            /* Stopping may begin while this list is sent: seen before each
             * batch, so that the deadline below bounds the rest. */
            if (!stopping) {
                pthread_mutex_lock(&ex.lock);
                stopping = ex.stop;
                pthread_mutex_unlock(&ex.lock);
                if (stopping) stop_deadline = mono_ms() + ex.timeout_ms;
            }
            /* Stopping: the queue is flushed within one export deadline.
             * Once a batch fails or the deadline passes, the rest is dropped
             * (counted) instead of each batch waiting out its own deadline
             * against a collector that is gone: a full queue is dozens of
             * batches. */
            if (stopping && !give_up && mono_ms() >= stop_deadline) give_up = true;
            if (n && give_up) {
                count(&cnt()->dropped, n);
                recycle(batch, n);
            } else if (n && !send_batch(batch, n) && stopping) {
                give_up = true;
            }
            q_lock();
            ex.bytes -= bytes;
            q_unlock();
        }
        if (stopping && !any) break;
    }
    /* What arrived after the last batch (nothing should: hooks stop first);
     * from here on a span ended is dropped at once. */
    q_lock();
    ex.running = false;
    mm_span *rest = ex.head, *pool = ex.pool;
    ex.head = ex.tail = NULL;
    ex.pool = NULL;
    ex.count = ex.bytes = ex.pool_count = 0;
    q_unlock();
    count(&cnt()->dropped, free_chain(rest));
    free_chain(pool);
    atomic_store_explicit(&cnt()->queued_bytes, 0, memory_order_relaxed);
    conn_close();
    mm_otlp_pb_buf_free(&enc);
    free(batch);
    return NULL;
}

/* ---- start and stop -------------------------------------------------------- */

static int parse_endpoint(const char *url, char *err, size_t err_size) {
    const char *p = url;
    if (strncmp(p, "http://", 7) != 0) {
        snprintf(err, err_size,
                 "tracing endpoint '%s': expected http://host:port[/path] (https is not "
                 "supported: export to a local collector)",
                 url);
        return MM_EINVAL;
    }
    p += 7;
    const char *slash = strchr(p, '/');
    size_t hostport_len = slash ? (size_t)(slash - p) : strlen(p);
    char hostport[300];
    if (hostport_len == 0 || hostport_len >= sizeof hostport) {
        snprintf(err, err_size, "tracing endpoint '%s': no host", url);
        return MM_EINVAL;
    }
    memcpy(hostport, p, hostport_len);
    hostport[hostport_len] = '\0';
    snprintf(ex.host, sizeof ex.host, "%s", hostport);
    const char *path = slash && strcmp(slash, "/") != 0 ? slash : "/v1/traces";
    if (strlen(path) >= sizeof ex.path || strpbrk(path, " \r\n")) {
        snprintf(err, err_size, "tracing endpoint '%s': bad path", url);
        return MM_EINVAL;
    }
    snprintf(ex.path, sizeof ex.path, "%s", path);
    /* host:port, [v6]:port, or host (port 80) */
    char *host = hostport, *port = NULL;
    if (host[0] == '[') {
        char *close = strchr(host, ']');
        if (!close) {
            snprintf(err, err_size, "tracing endpoint '%s': bad IPv6 address", url);
            return MM_EINVAL;
        }
        *close = '\0';
        host++;
        if (close[1] == ':') port = close + 2;
    } else {
        char *colon = strrchr(host, ':');
        if (colon) {
            *colon = '\0';
            port = colon + 1;
        }
    }
    /* Resolved once, here at start-up: the exporter thread never waits on DNS. */
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    int gr = getaddrinfo(host, port && *port ? port : "80", &hints, &res);
    if (gr != 0 || !res) {
        snprintf(err, err_size, "tracing endpoint '%s': cannot resolve: %s", url, gai_strerror(gr));
        return MM_EINVAL;
    }
    memcpy(&ex.addr, res->ai_addr, res->ai_addrlen);
    ex.addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* A child forked while the exporter ran: the thread did not come along,
 * and the queue and the lock are a snapshot. Start afresh. */
static void reset_after_fork(void) {
    atomic_flag_clear(&qflag); /* a thread may have held it at the fork */
    /* The parent's kept connection: our copy of the descriptor only (the
     * parent's exporter goes on using it). */
    if (conn.fd >= 0) close(conn.fd);
    conn.fd = -1;
    conn.posts = 0;
    free_chain(ex.head);
    free_chain(ex.pool);
    ex.head = ex.tail = ex.pool = NULL;
    ex.count = ex.bytes = ex.pool_count = 0;
    ex.running = false;
    ex.users = 0;
    mm_trace_enabled_ = false;
    pthread_mutex_init(&ex.lock, NULL);
    pthread_cond_init(&ex.wake, NULL);
}

int mm_trace_init(const mm_trace_config *cfg, char *err, size_t err_size) {
    if (cfg == NULL || cfg->endpoint == NULL || cfg->endpoint[0] == '\0') return 0;
    if (ex.users > 0 && ex.pid != getpid()) reset_after_fork();
    if (ex.users > 0) { /* a second runtime in the process shares the exporter */
        ex.users++;
        return 0;
    }
    if (!(cfg->sample_ratio >= 0.0 && cfg->sample_ratio <= 1.0)) {
        snprintf(err, err_size, "tracing sample ratio must be within 0..1");
        return MM_EINVAL;
    }
    int rc = parse_endpoint(cfg->endpoint, err, err_size);
    if (rc) return rc;
    ex.sample_all = cfg->sample_ratio >= 1.0;
    ex.sample_threshold = (uint64_t)(cfg->sample_ratio * 18446744073709551616.0);
    ex.queue_bytes = cfg->queue_bytes ? cfg->queue_bytes : 4u << 20;
    ex.timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 2000;
    ex.interval_ms = cfg->interval_ms ? cfg->interval_ms : 1000;
    snprintf(ex.service_name, sizeof ex.service_name, "%s",
             cfg->service_name && *cfg->service_name ? cfg->service_name : "metamorphosis");
    pthread_once(&spare_once, spare_key_init);
    ex.stop = false;
    q_lock();
    ex.running = true;
    q_unlock();
    if (pthread_create(&ex.thread, NULL, export_main, NULL) != 0) {
        ex.running = false;
        snprintf(err, err_size, "cannot start the trace exporter thread");
        return MM_ENOMEM;
    }
    ex.users = 1;
    ex.pid = getpid();
    mm_trace_enabled_ = true;
    return 0;
}

void mm_trace_shutdown(void) {
    if (ex.users == 0 || ex.pid != getpid() || --ex.users > 0) return;
    q_lock();
    bool running = ex.running;
    q_unlock();
    pthread_mutex_lock(&ex.lock);
    ex.stop = true;
    pthread_cond_signal(&ex.wake);
    pthread_mutex_unlock(&ex.lock);
    if (!running) return;
    mm_trace_enabled_ = false;
    pthread_join(ex.thread, NULL);
    /* The calling thread's spare (other threads free theirs as they exit). */
    mm_span *spare = tl_spare;
    if (spare) {
        set_spare(NULL);
        free(spare);
    }
}
