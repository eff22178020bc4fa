/* envelope.c -- CloudEvents 1.0 Kafka binding: encode an mm_event into
 * binary content mode (headers + JSON value), and decode binary or
 * structured mode back with strict validation and a precise reason for
 * every rejection (see envelope.h and docs/wire-format.md). */
#include "bus/envelope.h"
#include "bus/json_fast.h"
#include "bus/limits.h"

#include <assert.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/json_writer.h"
#include "common/trace_context.h"
#include "common/uuid.h"
#include "metamorphosis.h"

static void set_reason(char reason[MM_ENVELOPE_REASON_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(char reason[MM_ENVELOPE_REASON_MAX], const char *fmt, ...) {
    if (reason == NULL) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, MM_ENVELOPE_REASON_MAX, fmt, ap);
    va_end(ap);
}

/* ---- the type prefix ---------------------------------------------------- */

/* Set at start-up before any thread runs (envelope.h); "" means none. */
static char type_prefix[MM_ENVELOPE_TYPE_PREFIX_MAX + 1];

int mm_envelope_set_type_prefix(const char *prefix) {
    if (prefix == NULL || prefix[0] == '\0') {
        type_prefix[0] = '\0';
        return 0;
    }
    size_t len = strlen(prefix);
    if (len > MM_ENVELOPE_TYPE_PREFIX_MAX || prefix[0] == '.' || prefix[len - 1] == '.')
        return MM_EINVAL;
    for (size_t i = 0; i < len; i++) {
        char c = prefix[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return MM_EINVAL;
    }
    memcpy(type_prefix, prefix, len + 1);
    return 0;
}

const char *mm_envelope_type_prefix(void) { return type_prefix[0] ? type_prefix : NULL; }

/* ---- events ------------------------------------------------------------ */

void mm_event_init(mm_event *ev) { memset(ev, 0, sizeof *ev); }

/* Whether p is one of the copies in ev's decode block (ev->strings). */
static bool in_block(const mm_event *ev, const char *p) {
    uintptr_t a = (uintptr_t)p, b = (uintptr_t)ev->strings;
    return ev->strings != NULL && a >= b && a < b + ev->strings_len;
}

/* Frees a field of ev unless the decode block holds it. */
static void free_field(const mm_event *ev, char *p) {
    if (!in_block(ev, p)) free(p);
}

void mm_event_clear(mm_event *ev) {
    if (ev == NULL) return;
    free_field(ev, ev->id);
    free_field(ev, ev->source);
    free_field(ev, ev->type);
    free_field(ev, ev->time);
    free_field(ev, ev->reply_to);
    free_field(ev, ev->cause_id);
    free_field(ev, ev->key);
    json_decref(ev->data);
    for (size_t i = 0; i < ev->ext_count; i++) {
        free_field(ev, ev->ext[i].name);
        if (!ev->ext[i].joined) free_field(ev, ev->ext[i].value);
    }
    if (!in_block(ev, (const char *)ev->ext)) free(ev->ext);
    free(ev->strings); /* last: the extensions' array may lie in it */
    free(ev->trace.state);
    memset(ev, 0, sizeof *ev);
}

/* Replaces *field with a copy of value (NULL clears). */
static int set_string(mm_event *ev, char **field, const char *value) {
    char *copy = NULL;
    if (value != NULL && (copy = strdup(value)) == NULL) return MM_ENOMEM;
    free_field(ev, *field);
    *field = copy;
    return 0;
}

static char *dup_bytes(const void *p, size_t len) {
    char *s = malloc(len + 1);
    if (s == NULL) return NULL;
    if (len > 0) memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

void mm_event_time_now(char out[25]) {
    /* The seconds' text of the last call on this thread: gmtime_r and
     * strftime cost ~2k instructions, once per emitted event otherwise. */
    static _Thread_local time_t cached_sec = -1;
    static _Thread_local char cached[20];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (ts.tv_sec != cached_sec) {
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        /* strftime keeps the compiler from fearing overlong %d fields. */
        if (strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
            memcpy(cached, "9999-12-31T23:59:59", 20); /* a year beyond 9999: decades away */
        cached_sec = ts.tv_sec;
    }
    memcpy(out, cached, 19);
    size_t n = 19;
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
    out[n++] = '.';
    out[n++] = (char)('0' + ms / 100);
    out[n++] = (char)('0' + ms / 10 % 10);
    out[n++] = (char)('0' + ms % 10);
    out[n++] = 'Z';
    out[n] = '\0';
}

const char *mm_event_id(const mm_event *event) { return event->id; }

const char *mm_event_type(const mm_event *event) { return event->type; }

json_t *mm_event_data_now(const mm_event *ev) {
    if (ev->data == NULL && ev->lazy_data != NULL) {
        /* Checked at decode (mm_json_fast_check_object): the fast path takes
         * it; jansson only when memory ran out on the way. The event is not
         * const where it lives (a consumer slot); only one thread handles it. */
        mm_event *e = (mm_event *)ev;
        e->data = mm_json_fast_object(e->lazy_data, e->lazy_len);
        if (e->data == NULL)
            e->data = json_loadb(e->lazy_data, e->lazy_len, JSON_REJECT_DUPLICATES, NULL);
        if (e->data != NULL) e->lazy_data = NULL, e->lazy_len = 0;
    }
    return ev->data;
}

json_t *mm_event_data(const mm_event *event) { return mm_event_data_now(event); }

const char *mm_event_attribute(const mm_event *event, const char *name) {
    if (strcmp(name, "id") == 0) return event->id;
    if (strcmp(name, "type") == 0) return event->type;
    if (strcmp(name, "source") == 0) return event->source;
    if (strcmp(name, "time") == 0) return event->time;
    if (event->trace.set && name[0] == 't') { /* the context this process set */
        if (strcmp(name, "traceparent") == 0) return event->trace.text;
        if (strcmp(name, "tracestate") == 0) return event->trace.state;
    }
    for (size_t i = 0; i < event->ext_count; i++)
        if (strcmp(event->ext[i].name, name) == 0) return event->ext[i].value;
    return NULL;
}

int mm_event_create(mm_event *ev, const char *service, const char *type, json_t *data) {
    char id[MM_UUID_STRLEN + 1];
    char now[25];
    mm_event_init(ev);
    if (data == NULL && (data = json_object()) == NULL) return MM_ENOMEM;
    ev->data = data;
    if (service == NULL || type == NULL || !json_is_object(data)) {
        mm_event_clear(ev);
        return MM_EINVAL;
    }
    if (mm_uuid_v4(id) != 0) {
        mm_event_clear(ev);
        return MM_EIO;
    }
    mm_event_time_now(now);
    size_t plen = strlen(MM_CE_SOURCE_PREFIX), svlen = strlen(service);
    ev->source = malloc(plen + svlen + 1);
    if (ev->source != NULL) { /* not snprintf: ~900 instructions per emitted event */
        memcpy(ev->source, MM_CE_SOURCE_PREFIX, plen);
        memcpy(ev->source + plen, service, svlen + 1);
    }
    ev->id = strdup(id);
    ev->type = strdup(type);
    ev->time = strdup(now);
    if (ev->source == NULL || ev->id == NULL || ev->type == NULL || ev->time == NULL) {
        mm_event_clear(ev);
        return MM_ENOMEM;
    }
    return 0;
}

int mm_event_set_reply_to(mm_event *ev, const char *server_id) {
    return set_string(ev, &ev->reply_to, server_id);
}

int mm_event_set_cause_id(mm_event *ev, const char *event_id) {
    return set_string(ev, &ev->cause_id, event_id);
}

int mm_event_set_key(mm_event *ev, const void *key, size_t len) {
    char *copy = NULL;
    if (key != NULL && (copy = dup_bytes(key, len)) == NULL) return MM_ENOMEM;
    free_field(ev, ev->key);
    ev->key = copy;
    ev->key_len = key != NULL ? len : 0;
    return 0;
}

/* Longest extension attribute name accepted (CloudEvents suggests 20). */
#define MM_ATTR_NAME_MAX 100

/* CloudEvents attribute names: lowercase ASCII letters and digits only. */
static bool is_attr_name(const char *s, size_t len) {
    if (len == 0 || len > MM_ATTR_NAME_MAX) return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9'))) return false;
    return true;
}

/* Attributes with their own fields (or none in binary mode): never
 * extensions, or the encoder would write a second ce_id, say. */
static bool is_reserved_attr(const char *name) {
    static const char *const reserved[] = {
        "specversion",     "id",   "source",    "type",      "time",
        "datacontenttype", "data", "mmreplyto", "mmcauseid",
    };
    /* First bytes first: this runs for every extension set and encoded
     * (traceparent on every traced event), and few names share one. */
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (name[0] == reserved[i][0] && strcmp(name, reserved[i]) == 0) return true;
    return false;
}

/* Sets e to copies of name (nl bytes) and value in one allocation (joined),
 * freeing what e held before. */
static int ext_store(mm_event *ev, mm_event_ext *e, bool had, const char *name, size_t nl,
                     const char *value) {
    size_t vl = strlen(value);
    char *block = malloc(nl + 1 + vl + 1);
    if (block == NULL) return MM_ENOMEM;
    memcpy(block, name, nl + 1);
    memcpy(block + nl + 1, value, vl + 1);
    if (had) {
        free_field(ev, e->name);
        if (!e->joined) free_field(ev, e->value);
    }
    e->name = block;
    e->value = block + nl + 1;
    e->joined = true;
    return 0;
}

int mm_event_set_ext(mm_event *ev, const char *name, const char *value) {
    size_t nl = name ? strlen(name) : 0;
    if (name == NULL || value == NULL || !is_attr_name(name, nl) || is_reserved_attr(name))
        return MM_EINVAL;
    for (size_t i = 0; i < ev->ext_count; i++)
        if (strcmp(ev->ext[i].name, name) == 0)
            return ext_store(ev, &ev->ext[i], true, name, nl, value);
    mm_event_ext *grown;
    if (in_block(ev, (const char *)ev->ext)) { /* a decode's array: moved out of its block */
        if ((grown = malloc((ev->ext_count + 1) * sizeof *grown)) == NULL) return MM_ENOMEM;
        memcpy(grown, ev->ext, ev->ext_count * sizeof *grown);
    } else if ((grown = realloc(ev->ext, (ev->ext_count + 1) * sizeof *grown)) == NULL) {
        return MM_ENOMEM;
    }
    ev->ext = grown;
    int rc = ext_store(ev, &ev->ext[ev->ext_count], false, name, nl, value);
    if (rc == 0) ev->ext_count++;
    return rc;
}

int mm_event_copy(mm_event *dst, const mm_event *src) {
    mm_event_init(dst);
    if (set_string(dst, &dst->id, src->id) || set_string(dst, &dst->source, src->source) ||
        set_string(dst, &dst->type, src->type) || set_string(dst, &dst->time, src->time) ||
        set_string(dst, &dst->reply_to, src->reply_to) ||
        set_string(dst, &dst->cause_id, src->cause_id) ||
        mm_event_set_key(dst, src->key, src->key_len))
        goto oom;
    if (mm_event_data_now(src) != NULL && (dst->data = json_deep_copy(src->data)) == NULL) goto oom;
    for (size_t i = 0; i < src->ext_count; i++)
        if (mm_event_set_ext(dst, src->ext[i].name, src->ext[i].value) != 0) goto oom;
    dst->trace = src->trace;
    dst->trace.state = NULL;
    if (src->trace.state && (dst->trace.state = strdup(src->trace.state)) == NULL) goto oom;
    return 0;
oom:
    mm_event_clear(dst);
    return MM_ENOMEM;
}

json_t *mm_event_to_json(const mm_event *ev) {
    json_t *o = json_object();
    if (o == NULL) return NULL;
    int bad = 0;
    bad |= json_object_set_new(o, "specversion", json_string(MM_CE_SPECVERSION));
    bad |= json_object_set_new(o, "id", json_string(ev->id ? ev->id : ""));
    bad |= json_object_set_new(o, "source", json_string(ev->source ? ev->source : ""));
    bad |= json_object_set_new(o, "type", json_string(ev->type ? ev->type : ""));
    if (ev->time) bad |= json_object_set_new(o, "time", json_string(ev->time));
    bad |= json_object_set_new(o, "datacontenttype", json_string("application/json"));
    if (ev->reply_to) bad |= json_object_set_new(o, "mmreplyto", json_string(ev->reply_to));
    if (ev->cause_id) bad |= json_object_set_new(o, "mmcauseid", json_string(ev->cause_id));
    for (size_t i = 0; i < ev->ext_count; i++)
        bad |= json_object_set_new(o, ev->ext[i].name, json_string(ev->ext[i].value));
    json_t *data = mm_event_data_now(ev);
    bad |= json_object_set_new(o, "data", data ? json_incref(data) : json_object());
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ---- validation helpers ------------------------------------------------ */

/* Returns the offset of the first byte that is not part of well-formed UTF-8
 * (no overlongs, no surrogates, nothing above U+10FFFF), or len if valid. */
static size_t utf8_invalid_at(const unsigned char *s, size_t len) {
    size_t i = 0;
    while (i < len) {
        /* Attribute values and JSON are mostly ASCII: skip eight such bytes
         * at a time (ASCII is always well-formed, so offsets do not move). */
        if (len - i >= 8) {
            uint64_t w;
            memcpy(&w, s + i, sizeof w);
            if ((w & UINT64_C(0x8080808080808080)) == 0) {
                i += 8;
                continue;
            }
        } else if (len >= 8) {
            /* Fewer than eight left: the last eight bytes, overlapping some
             * already checked, tell at once whether the rest is ASCII. */
            uint64_t w;
            memcpy(&w, s + len - 8, sizeof w);
            if ((w & UINT64_C(0x8080808080808080)) == 0) return len;
        }
        unsigned char c = s[i];
        size_t n;
        unsigned int cp;
        if (c < 0x80) {
            i++;
            continue;
        } else if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return i;
        }
        if (len - i <= n) return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80) return i;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return i;
        i += n + 1;
    }
    return len;
}

/* GraphQL Name: /[_A-Za-z][_0-9A-Za-z]*\/ */
static bool is_graphql_name(const char *s, size_t len) {
    if (len == 0) return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit))) return false;
    }
    return true;
}

static int digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool mm_event_time_is_valid(const char *s, size_t len) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || len < 20) return false;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return false;
    int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
    int hour = digits(s + 11, 2), min = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour < 0 ||
        hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap) return false;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == start) return false;
    }
    if (i == len) return false;
    if (s[i] == 'Z' || s[i] == 'z') return i + 1 == len;
    if ((s[i] != '+' && s[i] != '-') || len - i != 6 || s[i + 3] != ':') return false;
    int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
    return oh >= 0 && oh <= 23 && om >= 0 && om <= 59;
}

/* ---- encode ------------------------------------------------------------ */

static int add_header(rd_kafka_headers_t *h, const char *name, const char *value) {
    return rd_kafka_header_add(h, name, -1, value, -1) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0
                                                                                     : MM_ENOMEM;
}

/* Checks a string attribute before it goes out, so that what we write is
 * always something our own decoder accepts. */
static bool check_attr(const char *what, const char *v, bool required,
                       char reason[MM_ENVELOPE_REASON_MAX]) {
    if (v == NULL || v[0] == '\0') {
        if (required) set_reason(reason, "event has no %s", what);
        return !required;
    }
    size_t len = strlen(v);
    if (len > MM_ENVELOPE_ATTR_MAX) {
        set_reason(reason, "event %s is too long (%zu bytes > %d)", what, len,
                   MM_ENVELOPE_ATTR_MAX);
        return false;
    }
    if (utf8_invalid_at((const unsigned char *)v, len) != len) {
        set_reason(reason, "event %s is not valid UTF-8", what);
        return false;
    }
    return true;
}

/* Ids are keys in the result store: bounded by bus/limits.h. */
static bool check_id_len(const char *what, const char *v, char reason[MM_ENVELOPE_REASON_MAX]) {
    if (v != NULL && strlen(v) > MM_LIMIT_ID_BYTES) {
        set_reason(reason, "event %s is too long (%zu bytes > %d)", what, strlen(v),
                   MM_LIMIT_ID_BYTES);
        return false;
    }
    return true;
}

int mm_envelope_encode(const mm_event *ev, rd_kafka_headers_t **headers, char **payload,
                       size_t *payload_len, char reason[MM_ENVELOPE_REASON_MAX]) {
    return mm_envelope_encode_ext(ev, NULL, NULL, headers, payload, payload_len, reason);
}

int mm_envelope_encode_ext(const mm_event *ev, const char *ext_name, const char *ext_value,
                           rd_kafka_headers_t **headers, char **payload, size_t *payload_len,
                           char reason[MM_ENVELOPE_REASON_MAX]) {
    assert(ext_name == NULL || ext_value != NULL);
    char now[25];
    *headers = NULL;
    *payload = NULL;
    *payload_len = 0;
    if (!check_attr("id", ev->id, true, reason) ||
        !check_attr("source", ev->source, true, reason) ||
        !check_attr("type", ev->type, true, reason) ||
        !check_attr("time", ev->time, false, reason) ||
        !check_attr("reply_to", ev->reply_to, false, reason) ||
        !check_attr("cause_id", ev->cause_id, false, reason) ||
        !check_id_len("id", ev->id, reason) || !check_id_len("reply_to", ev->reply_to, reason) ||
        !check_id_len("cause_id", ev->cause_id, reason))
        return MM_EINVAL;
    if (!is_graphql_name(ev->type, strlen(ev->type))) {
        set_reason(reason, "event type \"%s\" is not a GraphQL type name", ev->type);
        return MM_EINVAL;
    }
    if (ev->time != NULL && !mm_event_time_is_valid(ev->time, strlen(ev->time))) {
        set_reason(reason, "event time \"%s\" is not an RFC 3339 timestamp", ev->time);
        return MM_EINVAL;
    }
    json_t *data = mm_event_data_now(ev);
    if (data != NULL && !json_is_object(data)) {
        set_reason(reason, "event data is not a JSON object");
        return MM_EINVAL;
    }
    for (size_t i = 0; i < ev->ext_count; i++) {
        const char *n = ev->ext[i].name;
        if (!is_attr_name(n, strlen(n)) || is_reserved_attr(n)) {
            set_reason(reason, "extension name \"%s\" is not a CloudEvents attribute name", n);
            return MM_EINVAL;
        }
        if (!check_attr("extension value", ev->ext[i].value, true, reason)) return MM_EINVAL;
    }
    if (ev->time == NULL) mm_event_time_now(now);

    rd_kafka_headers_t *h = rd_kafka_headers_new(8 + ev->ext_count);
    if (h == NULL) goto oom;
    char prefixed[MM_ENVELOPE_ATTR_MAX + 1];
    const char *type = ev->type;
    if (type_prefix[0] != '\0') {
        int n = snprintf(prefixed, sizeof prefixed, "%s.%s", type_prefix, ev->type);
        if (n < 0 || (size_t)n >= sizeof prefixed) {
            rd_kafka_headers_destroy(h);
            set_reason(reason, "event type with its prefix is too long (> %d bytes)",
                       MM_ENVELOPE_ATTR_MAX);
            return MM_EINVAL;
        }
        type = prefixed;
    }
    /* The context this process set: its headers, in place of any
     * traceparent or tracestate in ext. */
    bool own_trace = ev->trace.set;
    int bad = add_header(h, MM_HDR_SPECVERSION, MM_CE_SPECVERSION) |
              add_header(h, MM_HDR_ID, ev->id) | add_header(h, MM_HDR_SOURCE, ev->source) |
              add_header(h, MM_HDR_TYPE, type) |
              add_header(h, MM_HDR_TIME, ev->time ? ev->time : now) |
              add_header(h, MM_HDR_CONTENT_TYPE, "application/json");
    if (ev->reply_to) bad |= add_header(h, MM_HDR_REPLYTO, ev->reply_to);
    if (ev->cause_id) bad |= add_header(h, MM_HDR_CAUSEID, ev->cause_id);
    if (own_trace) {
        const char *v =
            ext_name && strcmp(ext_name, "traceparent") == 0 ? ext_value : ev->trace.text;
        bad |= rd_kafka_header_add(h, "ce_traceparent", 14, v, MM_TRACEPARENT_LEN) ==
                       RD_KAFKA_RESP_ERR_NO_ERROR
                   ? 0
                   : MM_ENOMEM;
        if (ev->trace.state) bad |= add_header(h, "ce_tracestate", ev->trace.state);
    }
    for (size_t i = 0; i < ev->ext_count; i++) {
        /* "ce_" and the name (checked above: at most MM_ATTR_NAME_MAX
         * bytes), without a printf per extension per event. */
        char name[3 + MM_ATTR_NAME_MAX + 1];
        if (own_trace && (strcmp(ev->ext[i].name, "traceparent") == 0 ||
                          strcmp(ev->ext[i].name, "tracestate") == 0))
            continue;
        size_t nl = strlen(ev->ext[i].name);
        assert(nl <= MM_ATTR_NAME_MAX);
        memcpy(name, "ce_", 3);
        memcpy(name + 3, ev->ext[i].name, nl + 1);
        const char *v = ev->ext[i].value;
        if (ext_name && strcmp(ev->ext[i].name, ext_name) == 0) v = ext_value;
        bad |= rd_kafka_header_add(h, name, (ssize_t)(3 + nl), v, -1) == RD_KAFKA_RESP_ERR_NO_ERROR
                   ? 0
                   : MM_ENOMEM;
    }
    if (bad) goto oom;
    size_t text_len = 2;
    char *text = data ? mm_json_text_typed(data, &text_len) : strdup("{}");
    if (text == NULL) goto oom;
    *headers = h;
    *payload = text;
    *payload_len = text_len;
    return 0;
oom:
    if (h) rd_kafka_headers_destroy(h);
    set_reason(reason, "out of memory");
    return MM_ENOMEM;
}

/* ---- decode ------------------------------------------------------------ */

/* Headers the decoder interprets (everything else starting with "ce_" is a
 * pass-through extension; headers not starting with "ce_" are ignored). */
enum {
    H_SPEC,
    H_ID,
    H_SOURCE,
    H_TYPE,
    H_TIME,
    H_CTYPE,
    H_REPLYTO,
    H_CAUSEID,
    H_DCT,
    H_KNOWN
};
static const char *const known_names[H_KNOWN] = {
    MM_HDR_SPECVERSION, MM_HDR_ID,      MM_HDR_SOURCE,
    MM_HDR_TYPE,        MM_HDR_TIME,    MM_HDR_CONTENT_TYPE,
    MM_HDR_REPLYTO,     MM_HDR_CAUSEID, MM_HDR_DATACONTENTTYPE,
};

/* Which known header name (H_*) name is, or -1: one length switch and at
 * most two memcmp calls instead of a strcmp against every known name. */
static int known_index(const char *name, size_t len) {
#define IS(lit) (memcmp(name, lit, sizeof lit - 1) == 0)
    switch (len) {
    case sizeof MM_HDR_ID - 1: return IS(MM_HDR_ID) ? H_ID : -1;
    case sizeof MM_HDR_TYPE - 1: /* ce_type and ce_time */
        return IS(MM_HDR_TYPE) ? H_TYPE : IS(MM_HDR_TIME) ? H_TIME : -1;
    case sizeof MM_HDR_SOURCE - 1: return IS(MM_HDR_SOURCE) ? H_SOURCE : -1;
    case sizeof MM_HDR_CONTENT_TYPE - 1: /* content-type, ce_mmreplyto, ce_mmcauseid */
        return IS(MM_HDR_CONTENT_TYPE) ? H_CTYPE
               : IS(MM_HDR_REPLYTO)    ? H_REPLYTO
               : IS(MM_HDR_CAUSEID)    ? H_CAUSEID
                                       : -1;
    case sizeof MM_HDR_SPECVERSION - 1: return IS(MM_HDR_SPECVERSION) ? H_SPEC : -1;
    case sizeof MM_HDR_DATACONTENTTYPE - 1: return IS(MM_HDR_DATACONTENTTYPE) ? H_DCT : -1;
    default: return -1;
    }
#undef IS
}
_Static_assert(sizeof MM_HDR_TIME == sizeof MM_HDR_TYPE,
               "known_index: ce_time shares ce_type's case");
_Static_assert(sizeof MM_HDR_REPLYTO == sizeof MM_HDR_CONTENT_TYPE &&
                   sizeof MM_HDR_CAUSEID == sizeof MM_HDR_CONTENT_TYPE,
               "known_index: the framework extensions share content-type's case");
_Static_assert(sizeof MM_HDR_DATACONTENTTYPE != sizeof MM_HDR_SPECVERSION &&
                   sizeof MM_HDR_DATACONTENTTYPE != sizeof MM_HDR_CONTENT_TYPE &&
                   sizeof MM_HDR_DATACONTENTTYPE != sizeof MM_HDR_SOURCE,
               "known_index: ce_datacontenttype has a length of its own");

/* Checks one attribute value (a header value or a structured-mode string):
 * present, bounded, no NUL, well-formed UTF-8. Reasons name it as
 * pre + name + post (assembled only on failure: this runs for every header
 * of every message). */
static inline __attribute__((always_inline)) bool
check_attr_bytes(const char *pre, const char *name, const char *post, const void *value, size_t len,
                 char reason[MM_ENVELOPE_REASON_MAX]) {
    if (value == NULL) {
        set_reason(reason, "%s%.64s%s has no value", pre, name, post);
        return false;
    }
    if (len == 0) {
        set_reason(reason, "%s%.64s%s is empty", pre, name, post);
        return false;
    }
    if (len > MM_ENVELOPE_ATTR_MAX) {
        set_reason(reason, "%s%.64s%s is too long (%zu bytes > %d)", pre, name, post, len,
                   MM_ENVELOPE_ATTR_MAX);
        return false;
    }
    if (memchr(value, '\0', len) != NULL) {
        set_reason(reason, "%s%.64s%s contains a NUL byte", pre, name, post);
        return false;
    }
    size_t bad = utf8_invalid_at(value, len);
    if (bad != len) {
        set_reason(reason, "%s%.64s%s is not valid UTF-8 (at byte %zu)", pre, name, post, bad);
        return false;
    }
    return true;
}

static bool check_header_value(const mm_wire_header *h, char reason[MM_ENVELOPE_REASON_MAX]) {
    return check_attr_bytes("header ", h->name, "", h->value, h->value_len, reason);
}

/* What a media type (a content-type header or a datacontenttype attribute)
 * says about the bytes it describes. */
typedef enum media_kind {
    MEDIA_OTHER,      /* not JSON, or a charset other than UTF-8 */
    MEDIA_JSON,       /* application/json or application/<x>+json */
    MEDIA_STRUCTURED, /* application/cloudevents+json: a whole event */
    MEDIA_BATCH,      /* application/cloudevents-batch+json */
} media_kind;

static bool is_ows(char c) { return c == ' ' || c == '\t'; }

/* RFC 9110 token characters. */
static bool is_tchar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Classifies "type/subtype *( OWS ; OWS name=value )": type and subtype are
 * compared case-insensitively; a charset parameter must name UTF-8 ("utf-8"
 * or "utf8", any case, optionally quoted) or the type is MEDIA_OTHER; other
 * parameters are allowed and ignored. Malformed text is MEDIA_OTHER. */
static media_kind media_type_kind(const char *v, size_t len) {
    /* What this framework writes, on every message: no parsing needed. */
    if (len == 16 && memcmp(v, "application/json", 16) == 0) return MEDIA_JSON;
    size_t i = 0;
    while (i < len && is_ows(v[i])) i++;
    size_t start = i;
    while (i < len && (is_tchar(v[i]) || v[i] == '/')) i++;
    const char *mt = v + start;
    size_t mlen = i - start;
    media_kind kind;
#define MT_IS(lit) (mlen == sizeof lit - 1 && strncasecmp(mt, lit, mlen) == 0)
    if (MT_IS("application/cloudevents+json"))
        kind = MEDIA_STRUCTURED;
    else if (MT_IS("application/cloudevents-batch+json"))
        kind = MEDIA_BATCH;
    else if (MT_IS("application/json") || (mlen > 17 && strncasecmp(mt, "application/", 12) == 0 &&
                                           strncasecmp(mt + mlen - 5, "+json", 5) == 0 &&
                                           memchr(mt + 12, '/', mlen - 12) == NULL))
        kind = MEDIA_JSON;
    else
        return MEDIA_OTHER;
#undef MT_IS
    for (;;) {
        while (i < len && is_ows(v[i])) i++;
        if (i == len) return kind;
        if (v[i++] != ';') return MEDIA_OTHER;
        while (i < len && is_ows(v[i])) i++;
        if (i == len) return kind; /* a trailing ';' is harmless */
        size_t ns = i;
        while (i < len && is_tchar(v[i])) i++;
        size_t nlen = i - ns;
        if (nlen == 0 || i == len || v[i] != '=') return MEDIA_OTHER;
        i++;
        const char *val;
        size_t vlen;
        if (i < len && v[i] == '"') {
            val = v + ++i;
            while (i < len && v[i] != '"') i++;
            if (i == len) return MEDIA_OTHER;
            vlen = (size_t)(v + i - val);
            i++;
        } else {
            val = v + i;
            while (i < len && is_tchar(v[i])) i++;
            vlen = (size_t)(v + i - val);
            if (vlen == 0) return MEDIA_OTHER;
        }
        if (nlen == 7 && strncasecmp(v + ns, "charset", 7) == 0 &&
            !((vlen == 5 && strncasecmp(val, "utf-8", 5) == 0) ||
              (vlen == 4 && strncasecmp(val, "utf8", 4) == 0)))
            return MEDIA_OTHER;
    }
}

static bool value_is(const mm_wire_header *h, const char *s) {
    return h->value_len == strlen(s) && memcmp(h->value, s, h->value_len) == 0;
}

static const char *json_kind(const json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER:
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

/* Parses bytes as a UTF-8 JSON value: an object when want_object. what
 * names the bytes in reasons ("value", "data_base64"). NULL with reason. */
static json_t *parse_json(const char *what, const void *bytes, size_t len, bool want_object,
                          char reason[MM_ENVELOPE_REASON_MAX]) {
    if (bytes == NULL || len == 0) {
        set_reason(reason, "%s is empty (expected a JSON object)", what);
        return NULL;
    }
    size_t bad = utf8_invalid_at(bytes, len);
    if (bad != len) {
        set_reason(reason, "%s is not valid UTF-8 (at byte %zu)", what, bad);
        return NULL;
    }
    /* The usual event object on the fast path; anything else, and every
     * error, is jansson's to parse and to word (json_fast.h). */
    json_t *fast = want_object ? mm_json_fast_object(bytes, len) : NULL;
    if (fast) return fast;
    json_error_t jerr;
    json_t *j = json_loadb(bytes, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (j == NULL) {
        set_reason(reason, "%s is not valid JSON: %s (line %d, column %d)", what, jerr.text,
                   jerr.line, jerr.column);
        return NULL;
    }
    if (want_object && !json_is_object(j)) {
        set_reason(reason, "%s is %s, expected a JSON object", what, json_kind(j));
        json_decref(j);
        return NULL;
    }
    return j;
}

/* ce_type: with the configured prefix and its dot stripped when present,
 * it must be a GraphQL type name. Sets *out and *out_len to the name. */
static bool check_type(const char *what, const char *v, size_t len, const char **out,
                       size_t *out_len, char reason[MM_ENVELOPE_REASON_MAX]) {
    size_t plen = strlen(type_prefix);
    if (plen > 0 && len > plen + 1 && memcmp(v, type_prefix, plen) == 0 && v[plen] == '.') {
        v += plen + 1;
        len -= plen + 1;
    }
    if (!is_graphql_name(v, len)) {
        set_reason(reason, "%s \"%.*s\" is not a GraphQL type name%s%s%s", what,
                   (int)(len > 100 ? 100 : len), v,
                   plen > 0 ? " (with or without the prefix \"" : "", type_prefix,
                   plen > 0 ? ".\")" : "");
        return false;
    }
    *out = v;
    *out_len = len;
    return true;
}

static bool check_time(const char *what, const char *v, size_t len,
                       char reason[MM_ENVELOPE_REASON_MAX]) {
    if (mm_event_time_is_valid(v, len)) return true;
    set_reason(reason, "%s \"%.*s\" is not an RFC 3339 timestamp", what, (int)(len > 64 ? 64 : len),
               v);
    return false;
}

/* ---- decode: binary content mode --------------------------------------- */

static int decode_binary(const mm_wire_header *headers, size_t header_count, const void *key,
                         size_t key_len, const void *value, size_t value_len, bool lazy,
                         mm_event *out, char reason[MM_ENVELOPE_REASON_MAX]) {
    const mm_wire_header *known[H_KNOWN] = {0};
    /* Headers already accepted as ours (the only ones a duplicate can
     * repeat) and the extensions among them, in header order. */
    size_t ours[MM_ENVELOPE_MAX_HEADERS], ours_len[MM_ENVELOPE_MAX_HEADERS];
    size_t ours_count = 0;
    size_t exts[MM_ENVELOPE_MAX_HEADERS];
    size_t ext_count = 0;

    /* Pass 1: classify headers, reject duplicates and malformed values. */
    for (size_t i = 0; i < header_count; i++) {
        const mm_wire_header *h = &headers[i];
        if (h->name == NULL) continue;
        size_t name_len = strlen(h->name);
        bool is_ce = name_len >= 3 && memcmp(h->name, "ce_", 3) == 0;
        int which = known_index(h->name, name_len);
        if (which < 0 && !is_ce) continue; /* not ours: tracing headers and the like */
        if (which < 0) {
            const char *attr = h->name + 3;
            if (!is_attr_name(attr, name_len - 3)) {
                set_reason(reason,
                           "header name %.64s is not a valid CloudEvents attribute "
                           "(lowercase letters and digits, at most %d)",
                           h->name, MM_ATTR_NAME_MAX);
                return MM_EINVAL;
            }
            if (strcmp(attr, "data") == 0 || strcmp(attr, "data_base64") == 0) {
                set_reason(reason, "header %s is not allowed (data travels in the value)", h->name);
                return MM_EINVAL;
            }
        }
        /* An earlier header with this name is ours too, so it is listed. */
        for (size_t j = 0; j < ours_count; j++)
            if (ours_len[j] == name_len && memcmp(headers[ours[j]].name, h->name, name_len) == 0) {
                set_reason(reason, "duplicate header %.64s", h->name);
                return MM_EINVAL;
            }
        if (!check_header_value(h, reason)) return MM_EINVAL;
        ours[ours_count] = i;
        ours_len[ours_count++] = name_len;
        if (which >= 0)
            known[which] = h;
        else
            exts[ext_count++] = i;
    }

    /* Pass 2: required attributes and their formats. */
    if (known[H_SPEC] == NULL) {
        set_reason(reason, "missing header " MM_HDR_SPECVERSION);
        return MM_EINVAL;
    }
    if (!value_is(known[H_SPEC], MM_CE_SPECVERSION)) {
        set_reason(reason,
                   "unsupported ce_specversion \"%.*s\" (expected \"" MM_CE_SPECVERSION "\")",
                   (int)known[H_SPEC]->value_len, (const char *)known[H_SPEC]->value);
        return MM_EINVAL;
    }
    static const int required[] = {H_ID, H_SOURCE, H_TYPE};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (known[required[k]] == NULL) {
            set_reason(reason, "missing header %s", known_names[required[k]]);
            return MM_EINVAL;
        }
    const char *type;
    size_t type_len;
    if (!check_type("ce_type", known[H_TYPE]->value, known[H_TYPE]->value_len, &type, &type_len,
                    reason))
        return MM_EINVAL;
    const mm_wire_header *tm = known[H_TIME];
    if (tm != NULL && !check_time("ce_time", tm->value, tm->value_len, reason)) return MM_EINVAL;
    /* The data's media type: content-type (the binding's header), and
     * ce_datacontenttype (which some SDKs add as well); both must be JSON.
     * Neither: JSON, the only data this framework has. */
    static const int ctypes[] = {H_CTYPE, H_DCT};
    for (size_t k = 0; k < 2; k++) {
        const mm_wire_header *ct = known[ctypes[k]];
        if (ct != NULL && media_type_kind(ct->value, ct->value_len) != MEDIA_JSON) {
            set_reason(reason, "unsupported %s \"%.*s\" (expected application/json)",
                       known_names[ctypes[k]], (int)(ct->value_len > 64 ? 64 : ct->value_len),
                       (const char *)ct->value);
            return MM_EINVAL;
        }
    }

    json_t *data = NULL;
    if (lazy && value != NULL && value_len > 0 && utf8_invalid_at(value, value_len) == value_len &&
        mm_json_fast_check_object(value, value_len)) {
        out->lazy_data = value; /* parsed when asked for (mm_event_data_now) */
        out->lazy_len = value_len;
    } else if ((data = parse_json("value", value, value_len, true, reason)) == NULL) {
        return MM_EINVAL;
    }

    /* Everything checked: fill the event, its attributes copied into one
     * block (one allocation instead of up to seven). */
    out->data = data;
    const mm_wire_header *rt = known[H_REPLYTO], *cz = known[H_CAUSEID];
    /* The extensions' array first (the block is malloc'd: aligned), then
     * the strings. */
    size_t ext_bytes = ext_count * sizeof(mm_event_ext);
    size_t need = ext_bytes + known[H_ID]->value_len + known[H_SOURCE]->value_len + type_len + 3 +
                  (tm ? tm->value_len + 1 : 0) + (rt ? rt->value_len + 1 : 0) +
                  (cz ? cz->value_len + 1 : 0) + (key ? key_len + 1 : 0);
    for (size_t k = 0; k < ext_count; k++) /* the extensions' names (less "ce_") and values */
        need += strlen(headers[exts[k]].name) - 3 + 1 + headers[exts[k]].value_len + 1;
    int oom = (out->strings = malloc(need)) == NULL;
    if (!oom) {
        out->strings_len = need;
        char *at = out->strings + ext_bytes;
#define COPY(field, bytes, n)     \
    do {                          \
        memcpy(at, (bytes), (n)); \
        at[(n)] = '\0';           \
        (field) = at;             \
        at += (n) + 1;            \
    } while (0)
        COPY(out->id, known[H_ID]->value, known[H_ID]->value_len);
        COPY(out->source, known[H_SOURCE]->value, known[H_SOURCE]->value_len);
        COPY(out->type, type, type_len);
        if (tm) COPY(out->time, tm->value, tm->value_len);
        if (rt) COPY(out->reply_to, rt->value, rt->value_len);
        if (cz) COPY(out->cause_id, cz->value, cz->value_len);
        if (key) {
            COPY(out->key, key, key_len);
            out->key_len = key_len;
        }
        /* Extensions: pass 1 already checked their names (valid, not
         * reserved, no duplicates) and values, which is all
         * mm_event_set_ext would check, so each is copied once, into the
         * block too, and so is their array (a traced event's
         * traceparent: three mallocs and frees fewer per event;
         * mm_event_clear and mm_event_set_ext free only what lies outside
         * the block, and set_ext moves the array out before growing it). */
        if (ext_count > 0) out->ext = (mm_event_ext *)(void *)out->strings;
        for (size_t k = 0; k < ext_count; k++) {
            const mm_wire_header *h = &headers[exts[k]];
            mm_event_ext *e = &out->ext[out->ext_count++];
            e->joined = false;
            COPY(e->name, h->name + 3, strlen(h->name + 3));
            COPY(e->value, h->value, h->value_len);
        }
#undef COPY
        assert(oom || at == out->strings + need);
    }
    if (oom) {
        mm_event_clear(out);
        set_reason(reason, "out of memory");
        return MM_ENOMEM;
    }
    return 0;
}

/* ---- decode: structured content mode ----------------------------------- */

/* Standard base64 (RFC 4648 section 4), padding optional, no white space.
 * Returns a malloc'd buffer and its length, or NULL when malformed. */
static unsigned char *base64_decode(const char *s, size_t len, size_t *out_len) {
    while (len > 0 && s[len - 1] == '=') len--;
    if (len % 4 == 1) return NULL;
    unsigned char *out = malloc(len / 4 * 3 + 3);
    if (out == NULL) return NULL;
    uint32_t acc = 0;
    size_t n = 0, bits = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        int v = c >= 'A' && c <= 'Z'   ? c - 'A'
                : c >= 'a' && c <= 'z' ? c - 'a' + 26
                : c >= '0' && c <= '9' ? c - '0' + 52
                : c == '+'             ? 62
                : c == '/'             ? 63
                                       : -1;
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[n++] = (unsigned char)(acc >> bits);
        }
    }
    *out_len = n;
    return out;
}

/* A string member of the structured event, checked like a header value.
 * Absent: NULL when !required (no reason), else NULL with a reason. */
static const char *struct_string(json_t *ev, const char *name, bool required, bool *bad,
                                 char reason[MM_ENVELOPE_REASON_MAX]) {
    json_t *m = json_object_get(ev, name);
    if (m == NULL || json_is_null(m)) {
        if (required) {
            set_reason(reason, "structured event has no \"%s\"", name);
            *bad = true;
        }
        return NULL;
    }
    if (!json_is_string(m)) {
        set_reason(reason, "structured event \"%s\" is %s, expected a string", name, json_kind(m));
        *bad = true;
        return NULL;
    }
    if (!check_attr_bytes("structured event \"", name, "\"", json_string_value(m),
                          json_string_length(m), reason)) {
        *bad = true;
        return NULL;
    }
    return json_string_value(m);
}

static int decode_structured(const void *key, size_t key_len, const void *value, size_t value_len,
                             mm_event *out, char reason[MM_ENVELOPE_REASON_MAX]) {
    json_t *ev = parse_json("structured event", value, value_len, true, reason);
    if (ev == NULL) return MM_EINVAL;
    int rc = MM_EINVAL;
    json_t *data = NULL;
    bool bad = false;
    /* One fewer than the header limit: re-encoded in binary mode (ce_time is
     * always written) the event must still fit in MM_ENVELOPE_MAX_HEADERS. */
    if (json_object_size(ev) > MM_ENVELOPE_MAX_HEADERS - 1) {
        set_reason(reason, "structured event has too many members (%zu > %d)", json_object_size(ev),
                   MM_ENVELOPE_MAX_HEADERS - 1);
        goto out;
    }
    const char *spec = struct_string(ev, "specversion", true, &bad, reason);
    if (bad) goto out;
    if (strcmp(spec, MM_CE_SPECVERSION) != 0) {
        set_reason(reason, "unsupported specversion \"%.16s\" (expected \"" MM_CE_SPECVERSION "\")",
                   spec);
        goto out;
    }
    const char *id = struct_string(ev, "id", true, &bad, reason);
    const char *source = bad ? NULL : struct_string(ev, "source", true, &bad, reason);
    const char *type_full = bad ? NULL : struct_string(ev, "type", true, &bad, reason);
    const char *time = bad ? NULL : struct_string(ev, "time", false, &bad, reason);
    const char *dct = bad ? NULL : struct_string(ev, "datacontenttype", false, &bad, reason);
    const char *reply_to = bad ? NULL : struct_string(ev, "mmreplyto", false, &bad, reason);
    const char *cause_id = bad ? NULL : struct_string(ev, "mmcauseid", false, &bad, reason);
    if (bad) goto out;
    const char *type;
    size_t type_len;
    if (!check_type("type", type_full, strlen(type_full), &type, &type_len, reason)) goto out;
    if (time != NULL && !check_time("time", time, strlen(time), reason)) goto out;
    if (dct != NULL && media_type_kind(dct, strlen(dct)) != MEDIA_JSON) {
        set_reason(reason, "unsupported datacontenttype \"%.64s\" (expected application/json)",
                   dct);
        goto out;
    }
    json_t *d = json_object_get(ev, "data"), *d64 = json_object_get(ev, "data_base64");
    if (d != NULL && d64 != NULL) {
        set_reason(reason, "structured event has both \"data\" and \"data_base64\"");
        goto out;
    }
    if (d64 != NULL) {
        if (!json_is_string(d64)) {
            set_reason(reason, "structured event \"data_base64\" is %s, expected a string",
                       json_kind(d64));
            goto out;
        }
        size_t raw_len;
        unsigned char *raw =
            base64_decode(json_string_value(d64), json_string_length(d64), &raw_len);
        if (raw == NULL) {
            set_reason(reason, "structured event \"data_base64\" is not base64");
            goto out;
        }
        data = parse_json("decoded data_base64", raw, raw_len, true, reason);
        free(raw);
        if (data == NULL) goto out;
    } else if (d != NULL) {
        if (!json_is_object(d)) {
            set_reason(reason, "structured event \"data\" is %s, expected a JSON object",
                       json_kind(d));
            goto out;
        }
        data = json_incref(d);
    } else {
        set_reason(reason, "structured event has no \"data\" (expected a JSON object)");
        goto out;
    }

    /* Everything but the extensions checked: fill the event. */
    out->data = data;
    data = NULL;
    out->id = strdup(id);
    out->source = strdup(source);
    out->type = dup_bytes(type, type_len);
    int oom = out->id == NULL || out->source == NULL || out->type == NULL;
    if (time != NULL) oom |= (out->time = strdup(time)) == NULL;
    if (reply_to != NULL) oom |= (out->reply_to = strdup(reply_to)) == NULL;
    if (cause_id != NULL) oom |= (out->cause_id = strdup(cause_id)) == NULL;
    if (key != NULL) oom |= mm_event_set_key(out, key, key_len) != 0;
    if (oom) {
        rc = MM_ENOMEM;
        set_reason(reason, "out of memory");
        goto out;
    }
    /* Extensions: every other member, a string, number or boolean (the
     * CloudEvents attribute types that have a JSON form); null is absent. */
    const char *name;
    json_t *m;
    json_object_foreach(ev, name, m) {
        if (is_reserved_attr(name) || strcmp(name, "data_base64") == 0 || json_is_null(m)) continue;
        if (!is_attr_name(name, strlen(name))) {
            set_reason(reason,
                       "structured event member \"%.64s\" is not a valid CloudEvents "
                       "attribute name (lowercase letters and digits, at most %d)",
                       name, MM_ATTR_NAME_MAX);
            goto out;
        }
        char num[32];
        const char *v;
        size_t vlen;
        if (json_is_string(m)) {
            v = json_string_value(m);
            vlen = json_string_length(m);
        } else if (json_is_integer(m)) {
            snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(m));
            v = num;
            vlen = strlen(num);
        } else if (json_is_boolean(m)) {
            v = json_is_true(m) ? "true" : "false";
            vlen = strlen(v);
        } else {
            set_reason(reason,
                       "structured event attribute \"%.64s\" is %s, expected a string, "
                       "an integer or a boolean",
                       name, json_kind(m));
            goto out;
        }
        if (!check_attr_bytes("structured event \"", name, "\"", v, vlen, reason)) goto out;
        if (mm_event_set_ext(out, name, v) != 0) {
            rc = MM_ENOMEM;
            set_reason(reason, "out of memory");
            goto out;
        }
    }
    rc = 0;
out:
    if (rc != 0) mm_event_clear(out);
    json_decref(data);
    json_decref(ev);
    return rc;
}

/* The Python SDK 1.x's to_structured labels a structured event with the
 * data's content type (application/json) instead of
 * application/cloudevents+json. Such a message is recognized by what it
 * lacks and holds: no ce_specversion header, a JSON content type or none,
 * and a value that is a JSON object with a string "specversion". */
static bool looks_structured(const mm_wire_header *ct, const void *value, size_t value_len) {
    if (ct != NULL &&
        (ct->value == NULL || media_type_kind(ct->value, ct->value_len) != MEDIA_JSON))
        return false;
    if (value == NULL || value_len == 0 || utf8_invalid_at(value, value_len) != value_len)
        return false;
    json_t *j = json_loadb(value, value_len, JSON_REJECT_DUPLICATES, NULL);
    bool yes = json_is_string(json_object_get(j, "specversion"));
    json_decref(j);
    return yes;
}

/* Decodes either content mode; mm_envelope_decode adds the size limits. */
static int decode_any(const mm_wire_header *headers, size_t header_count, const void *key,
                      size_t key_len, const void *value, size_t value_len, bool lazy, mm_event *out,
                      char reason[MM_ENVELOPE_REASON_MAX]) {
    if (header_count > MM_ENVELOPE_MAX_HEADERS) {
        set_reason(reason, "too many headers (%zu > %d)", header_count, MM_ENVELOPE_MAX_HEADERS);
        return MM_EINVAL;
    }
    /* The mode is the content-type header's: application/cloudevents+json
     * is a structured event (the ce_ headers are then not read); anything
     * else is binary mode, where decode_binary checks the header. */
    const mm_wire_header *ct = NULL;
    bool has_spec = false;
    for (size_t i = 0; i < header_count; i++) {
        const char *n = headers[i].name;
        /* A glance at the first letters spares most headers a strcmp. */
        if (n == NULL || n[0] != 'c') continue;
        if (n[1] == 'e' && n[2] == '_' && n[3] == 's' && n[4] == 'p' &&
            strcmp(n, MM_HDR_SPECVERSION) == 0) {
            has_spec = true;
        } else if (n[1] == 'o' && strcmp(n, MM_HDR_CONTENT_TYPE) == 0) {
            if (ct != NULL) {
                set_reason(reason, "duplicate header " MM_HDR_CONTENT_TYPE);
                return MM_EINVAL;
            }
            ct = &headers[i];
        }
    }
    if (ct != NULL && ct->value != NULL) {
        media_kind kind = media_type_kind(ct->value, ct->value_len);
        if (kind == MEDIA_BATCH) {
            set_reason(reason, "content-type application/cloudevents-batch+json: batched events "
                               "are not supported (send one event per message)");
            return MM_EINVAL;
        }
        if (kind == MEDIA_STRUCTURED) {
            if (!check_header_value(ct, reason)) return MM_EINVAL;
            return decode_structured(key, key_len, value, value_len, out, reason);
        }
    }
    if (!has_spec && looks_structured(ct, value, value_len))
        return decode_structured(key, key_len, value, value_len, out, reason);
    return decode_binary(headers, header_count, key, key_len, value, value_len, lazy, out, reason);
}

/* An id longer than MM_LIMIT_ID_BYTES could not key its result in Redis:
 * refused here, whichever mode carried it. */
static bool id_fits(const char *attr, const char *id, char reason[MM_ENVELOPE_REASON_MAX]) {
    size_t n = id ? strlen(id) : 0;
    if (n <= MM_LIMIT_ID_BYTES) return true;
    set_reason(reason, "%s is too long (%zu bytes > %d)", attr, n, MM_LIMIT_ID_BYTES);
    return false;
}

static int decode(const mm_wire_header *headers, size_t header_count, const void *key,
                  size_t key_len, const void *value, size_t value_len, bool lazy, mm_event *out,
                  char reason[MM_ENVELOPE_REASON_MAX]) {
    mm_event_init(out);
    /* Checked before anything is parsed: a value this large could not
     * complete its journey (limits.h), in either content mode. */
    if (value_len > MM_LIMIT_EVENT_BYTES) {
        set_reason(reason, "value of %zu bytes exceeds the event limit of %d bytes", value_len,
                   MM_LIMIT_EVENT_BYTES);
        return MM_EINVAL;
    }
    int rc = decode_any(headers, header_count, key, key_len, value, value_len, lazy, out, reason);
    if (rc != 0) return rc;
    if (!id_fits("ce_id", out->id, reason) || !id_fits("ce_mmreplyto", out->reply_to, reason) ||
        !id_fits("ce_mmcauseid", out->cause_id, reason)) {
        mm_event_clear(out);
        return MM_EINVAL;
    }
    return 0;
}

int mm_envelope_decode(const mm_wire_header *headers, size_t header_count, const void *key,
                       size_t key_len, const void *value, size_t value_len, mm_event *out,
                       char reason[MM_ENVELOPE_REASON_MAX]) {
    return decode(headers, header_count, key, key_len, value, value_len, false, out, reason);
}

static int decode_message(const rd_kafka_message_t *msg, bool lazy, mm_event *out,
                          char reason[MM_ENVELOPE_REASON_MAX]) {
    mm_wire_header hdrs[MM_ENVELOPE_MAX_HEADERS + 1];
    size_t n = 0;
    rd_kafka_headers_t *h = NULL;
    mm_event_init(out);
    if (msg->err) {
        set_reason(reason, "message carries a Kafka error: %s", rd_kafka_err2str(msg->err));
        return MM_EINVAL;
    }
    /* rd_kafka_message_headers wants a non-const message; it only parses. */
    if (rd_kafka_message_headers((rd_kafka_message_t *)msg, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t len;
        while (n <= MM_ENVELOPE_MAX_HEADERS &&
               rd_kafka_header_get_all(h, n, &name, &val, &len) == 0) {
            hdrs[n].name = name;
            hdrs[n].value = val;
            hdrs[n].value_len = len;
            n++;
        }
        if (n > MM_ENVELOPE_MAX_HEADERS) {
            set_reason(reason, "too many headers (more than %d)", MM_ENVELOPE_MAX_HEADERS);
            return MM_EINVAL;
        }
    }
    return decode(hdrs, n, msg->key, msg->key_len, msg->payload, msg->len, lazy, out, reason);
}

int mm_envelope_decode_message(const rd_kafka_message_t *msg, mm_event *out,
                               char reason[MM_ENVELOPE_REASON_MAX]) {
    return decode_message(msg, false, out, reason);
}

int mm_envelope_decode_message_lazy(const rd_kafka_message_t *msg, mm_event *out,
                                    char reason[MM_ENVELOPE_REASON_MAX]) {
    return decode_message(msg, true, out, reason);
}
