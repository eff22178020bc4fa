/* trace_context.c -- W3C traceparent/tracestate parsing and writing, and
 * random trace and span ids (trace_context.h). */
#include "common/trace_context.h"

#include <assert.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/random_bytes.h"

/* One more than each lowercase hex digit's value, 0 for every other byte
 * (uppercase is invalid in traceparent). A table: a worker parses one
 * traceparent per event and formats one per emit, 52 digits each, and the
 * ranges' branches cost ~10 instructions a digit. */
static const uint8_t hexval1[256] = {
    ['0'] = 1, ['1'] = 2,  ['2'] = 3,  ['3'] = 4,  ['4'] = 5,  ['5'] = 6,  ['6'] = 7,  ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* Each byte of x with its high bit set when the byte lies in [lo, hi]
 * (bytes below 0x80; no carry crosses a byte). */
static inline uint64_t bytes_in(uint64_t x, unsigned lo, unsigned hi) {
    const uint64_t ones = 0x0101010101010101u;
    return (x + ones * (0x80 - lo)) & ~(x + ones * (0x7f - hi)) & (ones * 0x80);
}

/* 4 bytes from 8 lowercase hex digits, eight characters per load: checked
 * and converted for all of them at once (a worker parses one traceparent,
 * 50 digits, per event it consumes). False on any other character. */
static inline bool unhex4(const char *s, uint8_t *out) {
    uint64_t c;
    memcpy(&c, s, 8);
    const uint64_t ones = 0x0101010101010101u;
    if (c & ones * 0x80) return false; /* not ASCII (and bytes_in needs bytes below 0x80) */
    uint64_t letters = bytes_in(c, 'a', 'f');
    if ((bytes_in(c, '0', '9') | letters) != ones * 0x80) return false;
    uint64_t v = (c & ones * 0x0f) + (letters >> 7) * 9; /* each byte its digit's value */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the first digit of each pair is the high nibble */
    uint64_t x = ((v & 0x00ff00ff00ff00ffu) << 4) | ((v >> 8) & 0x00ff00ff00ff00ffu);
    x = (x | (x >> 8)) & 0x0000ffff0000ffffu;
    x = (x | (x >> 16)) & 0xffffffffu;
    uint32_t w = (uint32_t)x;
    memcpy(out, &w, 4);
#else
    for (size_t i = 0; i < 4; i++)
        out[i] = (uint8_t)((v >> (56 - 16 * i)) << 4 | ((v >> (48 - 16 * i)) & 0x0f));
#endif
    return true;
}

/* n bytes from 2n lowercase hex digits; false on any other character. */
static bool unhex(const char *s, size_t n, uint8_t *out) {
    if (n % 4 == 0) {
        bool ok = true;
        for (size_t i = 0; i < n; i += 4) ok &= unhex4(s + 2 * i, out + i);
        return ok;
    }
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval1[(unsigned char)s[2 * i]] - 1,
            lo = hexval1[(unsigned char)s[2 * i + 1]] - 1;
        bad |= hi | lo; /* negative once any digit is invalid */
        out[i] = (uint8_t)((unsigned)hi << 4 | (unsigned)lo); /* unsigned: hi may be -1 */
    }
    return bad >= 0;
}

static bool all_zero(const uint8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (b[i]) return false;
    return true;
}

/* The thread's last traceparent written (mm_traceparent_format) and its
 * fields: the producer's publish hook parses back the ce_traceparent that
 * the same thread wrote onto the event a moment before (a mutation's event,
 * a handler's emit), and a comparison costs a tenth of a parse. */
static _Thread_local struct {
    char text[MM_TRACEPARENT_LEN];
    uint8_t trace_id[16], span_id[8], flags;
    bool set;
} tl_last;

int mm_traceparent_parse(const char *s, size_t len, mm_trace_ctx *out) {
    out->valid = false;
    if (s == NULL || len < MM_TRACEPARENT_LEN) return -1;
    if (len == MM_TRACEPARENT_LEN && tl_last.set && memcmp(s, tl_last.text, len) == 0) {
        /* Version 00, written from a valid context: its ids are not zero. */
        memcpy(out->trace_id, tl_last.trace_id, 16);
        memcpy(out->span_id, tl_last.span_id, 8);
        out->flags = tl_last.flags;
        out->valid = true;
        return 0;
    }
    uint8_t version;
    if (!unhex(s, 1, &version) || version == 0xff) return -1;
    /* Version 00 is exactly 55 bytes; a later version may append fields
     * after a '-' (the spec: parse what version 00 defines). */
    if (version == 0 && len != MM_TRACEPARENT_LEN) return -1;
    if (len > MM_TRACEPARENT_LEN && s[MM_TRACEPARENT_LEN] != '-') return -1;
    if (s[2] != '-' || s[35] != '-' || s[52] != '-') return -1;
    uint8_t tid[16], sid[8], flags;
    if (!unhex(s + 3, 16, tid) || !unhex(s + 36, 8, sid) || !unhex(s + 53, 1, &flags)) return -1;
    if (all_zero(tid, 16) || all_zero(sid, 8)) return -1;
    memcpy(out->trace_id, tid, 16);
    memcpy(out->span_id, sid, 8);
    /* Only the sampled bit is defined in version 00: keep it alone. */
    out->flags = version == 0 ? flags : (uint8_t)(flags & MM_TRACE_FLAG_SAMPLED);
    out->valid = true;
    return 0;
}

/* Both hex digits of each byte value: one 2-byte load per byte. */
static const char hex_pairs[513] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
    "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
    "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
    "606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
    "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
    "c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
    "e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

/* 4 bytes as 8 lowercase hex digits, in memory order, eight characters
 * per store: each byte spread to a 16-bit lane, its two nibbles to the
 * lane's bytes (high nibble first), and every nibble turned into its digit
 * at once ('0' + n, plus 39 more for a-f). A traceparent has 50 digits
 * and the hooks write one per traced event (twice on a worker's emit);
 * the log's and the OTLP/JSON exporter's ids go through it too. */
static inline void hex4(const uint8_t *b, char *out) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint32_t v;
    memcpy(&v, b, 4);
    uint64_t x = ((uint64_t)(v & 0xffff0000u) << 16) | (v & 0xffffu);
    x = ((x & 0x0000ff000000ff00u) << 8) | (x & 0x000000ff000000ffu);
    uint64_t n = ((x >> 4) & 0x000f000f000f000fu) | ((x & 0x000f000f000f000fu) << 8);
    uint64_t letters = ((n + 0x0606060606060606u) >> 4) & 0x0101010101010101u;
    n += 0x3030303030303030u + letters * 39;
    memcpy(out, &n, 8);
#else
    for (size_t i = 0; i < 4; i++) memcpy(out + 2 * i, hex_pairs + 2 * b[i], 2);
#endif
}

void mm_trace_hex(const uint8_t *bytes, size_t n, char *out) {
    size_t i = 0;
    for (; i + 4 <= n; i += 4) hex4(bytes + i, out + 2 * i);
    for (; i < n; i++) memcpy(out + 2 * i, hex_pairs + 2 * bytes[i], 2);
    out[2 * n] = '\0';
}

void mm_traceparent_format(const mm_trace_ctx *c, char out[MM_TRACEPARENT_LEN + 1]) {
    assert(c->valid);
    out[0] = '0';
    out[1] = '0';
    out[2] = '-';
    mm_trace_hex(c->trace_id, 16, out + 3);
    out[35] = '-';
    mm_trace_hex(c->span_id, 8, out + 36);
    out[52] = '-';
    mm_trace_hex(&c->flags, 1, out + 53);
    if (!all_zero(c->trace_id, 16) && !all_zero(c->span_id, 8)) { /* what parse would accept */
        memcpy(tl_last.text, out, MM_TRACEPARENT_LEN);
        memcpy(tl_last.trace_id, c->trace_id, 16);
        memcpy(tl_last.span_id, c->span_id, 8);
        tl_last.flags = c->flags;
        tl_last.set = true;
    }
}

/* ---- tracestate ---------------------------------------------------------- */

static bool lcalpha(char c) { return c >= 'a' && c <= 'z'; }
static bool digit(char c) { return c >= '0' && c <= '9'; }
static bool key_char(char c) {
    return lcalpha(c) || digit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}
static bool value_char(char c) { /* nblk-chr: printable ASCII but ',' and '=' */
    return c >= 0x21 && c <= 0x7e && c != ',' && c != '=';
}

/* key = simple-key / multi-tenant-key (tenant@system). */
static bool valid_key(const char *k, size_t n) {
    if (n == 0 || n > 256) return false;
    const char *at = memchr(k, '@', n);
    if (at == NULL) {
        if (!lcalpha(k[0])) return false;
        for (size_t i = 1; i < n; i++)
            if (!key_char(k[i])) return false;
        return true;
    }
    size_t tn = (size_t)(at - k), sn = n - tn - 1;
    if (tn == 0 || tn > 241 || sn == 0 || sn > 14) return false;
    if (!lcalpha(k[0]) && !digit(k[0])) return false;
    for (size_t i = 1; i < tn; i++)
        if (!key_char(k[i])) return false;
    if (!lcalpha(at[1])) return false;
    for (size_t i = 1; i < sn; i++)
        if (!key_char(at[1 + i])) return false;
    return true;
}

/* value = 0*255(chr) nblk-chr, chr = ' ' / nblk-chr. */
static bool valid_value(const char *v, size_t n) {
    if (n == 0 || n > 256) return false;
    if (!value_char(v[n - 1])) return false;
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i] != ' ' && !value_char(v[i])) return false;
    return true;
}

bool mm_tracestate_is_valid(const char *s, size_t len) {
    if (s == NULL || len > MM_TRACESTATE_MAX) return false;
    size_t members = 0, i = 0;
    for (;;) {
        size_t end = i;
        while (end < len && s[end] != ',') end++;
        /* [i, end): one list member with optional whitespace around it */
        size_t a = i, b = end;
        while (a < b && (s[a] == ' ' || s[a] == '\t')) a++;
        while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t')) b--;
        if (a < b) { /* empty members are allowed and ignored */
            const char *eq = memchr(s + a, '=', b - a);
            if (eq == NULL) return false;
            size_t kn = (size_t)(eq - (s + a));
            if (!valid_key(s + a, kn) || !valid_value(eq + 1, b - a - kn - 1)) return false;
            if (++members > MM_TRACESTATE_MAX_MEMBERS) return false;
        }
        if (end == len) break;
        i = end + 1;
    }
    return true;
}

bool mm_tracestate_set(mm_trace_ctx *c, const char *s, size_t len) {
    if (s == NULL || !mm_tracestate_is_valid(s, len)) {
        c->state[0] = '\0';
        return false;
    }
    memcpy(c->state, s, len);
    c->state[len] = '\0';
    return true;
}

/* ---- random ids ---------------------------------------------------------- */

/* xoshiro256** per thread, seeded from the kernel's CSPRNG (or, if the
 * kernel refuses, the clock, the pid and the thread's address), and seeded
 * again in a forked child: a node's workers must not repeat the ids their
 * parent's thread draws next. */
static _Thread_local uint64_t rng[4];
static _Thread_local unsigned rng_generation; /* 0: never seeded */

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void seed(unsigned generation) {
    if (mm_random_bytes(rng, sizeof rng) != 0) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        rng[0] = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30);
        rng[1] = (uint64_t)getpid() * 0x9e3779b97f4a7c15u;
        rng[2] = (uint64_t)(uintptr_t)&rng_generation;
        rng[3] = 0x2545f4914f6cdd1du;
    }
    rng_generation = generation;
}

static uint64_t next64(void) {
    unsigned generation = mm_random_fork_generation();
    if (rng_generation != generation) seed(generation);
    uint64_t result = rotl(rng[1] * 5, 7) * 9, t = rng[1] << 17;
    rng[2] ^= rng[0];
    rng[3] ^= rng[1];
    rng[1] ^= rng[2];
    rng[0] ^= rng[3];
    rng[2] ^= t;
    rng[3] = rotl(rng[3], 45);
    return result;
}

/* One xoshiro256** step on a state held in locals (registers). */
static inline uint64_t step(uint64_t *s0, uint64_t *s1, uint64_t *s2, uint64_t *s3) {
    uint64_t result = rotl(*s1 * 5, 7) * 9, t = *s1 << 17;
    *s2 ^= *s0;
    *s3 ^= *s1;
    *s1 ^= *s2;
    *s0 ^= *s3;
    *s2 ^= t;
    *s3 = rotl(*s3, 45);
    return result;
}

void mm_trace_random_ids(uint8_t trace_id[16], uint8_t span_id[8]) {
    /* The state in locals for the three draws (one thread-local access),
     * straight-line: a redraw is the unlikely branch. */
    unsigned generation = mm_random_fork_generation();
    if (rng_generation != generation) seed(generation);
    uint64_t s0 = rng[0], s1 = rng[1], s2 = rng[2], s3 = rng[3], r[3];
    r[0] = step(&s0, &s1, &s2, &s3);
    r[1] = step(&s0, &s1, &s2, &s3);
    r[2] = step(&s0, &s1, &s2, &s3);
    /* All-zero ids are invalid: draw again (once in 2^64 draws). */
    while (__builtin_expect((r[0] | r[1]) == 0, 0)) {
        r[0] = step(&s0, &s1, &s2, &s3);
        r[1] = step(&s0, &s1, &s2, &s3);
    }
    while (__builtin_expect(r[2] == 0, 0)) r[2] = step(&s0, &s1, &s2, &s3);
    rng[0] = s0;
    rng[1] = s1;
    rng[2] = s2;
    rng[3] = s3;
    memcpy(trace_id, r, 16);
    memcpy(span_id, &r[2], 8);
}

void mm_trace_random(uint8_t *buf, size_t n) {
    /* An all-zero id is invalid: draw again (once in 2^64 draws). The two
     * id sizes straight, the rest byte-wise. */
    if (n == 8 || n == 16) {
        uint64_t r[2];
        do {
            r[0] = next64();
            r[1] = n == 16 ? next64() : 0;
        } while ((r[0] | r[1]) == 0);
        memcpy(buf, r, n);
        return;
    }
    uint64_t any;
    do {
        any = 0;
        for (size_t i = 0; i < n; i += 8) {
            uint64_t r = next64();
            size_t k = n - i < 8 ? n - i : 8;
            memcpy(buf + i, &r, k);
            any |= k == 8 ? r : r & ((UINT64_C(1) << (8 * k)) - 1);
        }
    } while (n > 0 && any == 0);
}
