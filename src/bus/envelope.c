/* envelope.c -- CloudEvents 1.0 Kafka binding, binary content mode: encode an
 * mm_event into headers + JSON value, and decode one back with strict
 * validation and a precise reason for every rejection (see envelope.h and
 * docs/wire-format.md). */
#include "bus/envelope.h"
#include "bus/limits.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/uuid.h"
#include "metamorphosis.h"

static void set_reason(char reason[MM_ENVELOPE_REASON_MAX], const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(char reason[MM_ENVELOPE_REASON_MAX], const char *fmt, ...) {
    if (reason == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, MM_ENVELOPE_REASON_MAX, fmt, ap);
    va_end(ap);
}

/* ---- events ------------------------------------------------------------ */

void mm_event_init(mm_event *ev) { memset(ev, 0, sizeof *ev); }

void mm_event_clear(mm_event *ev) {
    if (ev == NULL)
        return;
    free(ev->id);
    free(ev->source);
    free(ev->type);
    free(ev->time);
    free(ev->reply_to);
    free(ev->cause_id);
    free(ev->key);
    json_decref(ev->data);
    for (size_t i = 0; i < ev->ext_count; i++) {
        free(ev->ext[i].name);
        free(ev->ext[i].value);
    }
    free(ev->ext);
    memset(ev, 0, sizeof *ev);
}

/* Replaces *field with a copy of value (NULL clears). */
static int set_string(char **field, const char *value) {
    char *copy = NULL;
    if (value != NULL && (copy = strdup(value)) == NULL)
        return MM_ENOMEM;
    free(*field);
    *field = copy;
    return 0;
}

static char *dup_bytes(const void *p, size_t len) {
    char *s = malloc(len + 1);
    if (s == NULL)
        return NULL;
    if (len > 0)
        memcpy(s, p, len);
    s[len] = '\0';
    return s;
}

void mm_event_time_now(char out[25]) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    /* strftime keeps the compiler from fearing overlong %d fields. */
    size_t n = strftime(out, 25, "%Y-%m-%dT%H:%M:%S", &tm);
    unsigned ms = (unsigned)(ts.tv_nsec / 1000000) % 1000u;
    if (n != 19) { /* a year beyond 9999: not reachable for decades */
        memcpy(out, "9999-12-31T23:59:59", 19);
        n = 19;
    }
    out[n++] = '.';
    out[n++] = (char)('0' + ms / 100);
    out[n++] = (char)('0' + ms / 10 % 10);
    out[n++] = (char)('0' + ms % 10);
    out[n++] = 'Z';
    out[n] = '\0';
}

const char *mm_event_id(const mm_event *event) { return event->id; }

const char *mm_event_type(const mm_event *event) { return event->type; }

json_t *mm_event_data(const mm_event *event) { return event->data; }

int mm_event_create(mm_event *ev, const char *service, const char *type, json_t *data) {
    char id[MM_UUID_STRLEN + 1];
    char now[25];
    mm_event_init(ev);
    if (data == NULL && (data = json_object()) == NULL)
        return MM_ENOMEM;
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
    size_t slen = strlen(MM_CE_SOURCE_PREFIX) + strlen(service) + 1;
    ev->source = malloc(slen);
    if (ev->source != NULL)
        snprintf(ev->source, slen, "%s%s", MM_CE_SOURCE_PREFIX, service);
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
    return set_string(&ev->reply_to, server_id);
}

int mm_event_set_cause_id(mm_event *ev, const char *event_id) {
    return set_string(&ev->cause_id, event_id);
}

int mm_event_set_key(mm_event *ev, const void *key, size_t len) {
    char *copy = NULL;
    if (key != NULL && (copy = dup_bytes(key, len)) == NULL)
        return MM_ENOMEM;
    free(ev->key);
    ev->key = copy;
    ev->key_len = key != NULL ? len : 0;
    return 0;
}

/* Longest extension attribute name accepted (CloudEvents suggests 20). */
#define MM_ATTR_NAME_MAX 100

/* CloudEvents attribute names: lowercase ASCII letters and digits only. */
static bool is_attr_name(const char *s, size_t len) {
    if (len == 0 || len > MM_ATTR_NAME_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9')))
            return false;
    return true;
}

/* Attributes with their own fields (or none in binary mode): never
 * extensions, or the encoder would write a second ce_id, say. */
static bool is_reserved_attr(const char *name) {
    static const char *const reserved[] = {
        "specversion", "id", "source", "type", "time", "datacontenttype",
        "data", "mmreplyto", "mmcauseid",
    };
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(name, reserved[i]) == 0)
            return true;
    return false;
}

int mm_event_set_ext(mm_event *ev, const char *name, const char *value) {
    if (name == NULL || value == NULL || !is_attr_name(name, strlen(name)) ||
        is_reserved_attr(name))
        return MM_EINVAL;
    for (size_t i = 0; i < ev->ext_count; i++)
        if (strcmp(ev->ext[i].name, name) == 0)
            return set_string(&ev->ext[i].value, value);
    mm_event_ext *grown = realloc(ev->ext, (ev->ext_count + 1) * sizeof *grown);
    if (grown == NULL)
        return MM_ENOMEM;
    ev->ext = grown;
    mm_event_ext *e = &ev->ext[ev->ext_count];
    e->name = strdup(name);
    e->value = strdup(value);
    if (e->name == NULL || e->value == NULL) {
        free(e->name);
        free(e->value);
        return MM_ENOMEM;
    }
    ev->ext_count++;
    return 0;
}

int mm_event_copy(mm_event *dst, const mm_event *src) {
    mm_event_init(dst);
    if (set_string(&dst->id, src->id) || set_string(&dst->source, src->source) ||
        set_string(&dst->type, src->type) || set_string(&dst->time, src->time) ||
        set_string(&dst->reply_to, src->reply_to) || set_string(&dst->cause_id, src->cause_id) ||
        mm_event_set_key(dst, src->key, src->key_len))
        goto oom;
    if (src->data != NULL && (dst->data = json_deep_copy(src->data)) == NULL)
        goto oom;
    for (size_t i = 0; i < src->ext_count; i++)
        if (mm_event_set_ext(dst, src->ext[i].name, src->ext[i].value) != 0)
            goto oom;
    return 0;
oom:
    mm_event_clear(dst);
    return MM_ENOMEM;
}

json_t *mm_event_to_json(const mm_event *ev) {
    json_t *o = json_object();
    if (o == NULL)
        return NULL;
    int bad = 0;
    bad |= json_object_set_new(o, "specversion", json_string(MM_CE_SPECVERSION));
    bad |= json_object_set_new(o, "id", json_string(ev->id ? ev->id : ""));
    bad |= json_object_set_new(o, "source", json_string(ev->source ? ev->source : ""));
    bad |= json_object_set_new(o, "type", json_string(ev->type ? ev->type : ""));
    if (ev->time)
        bad |= json_object_set_new(o, "time", json_string(ev->time));
    bad |= json_object_set_new(o, "datacontenttype", json_string("application/json"));
    if (ev->reply_to)
        bad |= json_object_set_new(o, "mmreplyto", json_string(ev->reply_to));
    if (ev->cause_id)
        bad |= json_object_set_new(o, "mmcauseid", json_string(ev->cause_id));
    for (size_t i = 0; i < ev->ext_count; i++)
        bad |= json_object_set_new(o, ev->ext[i].name, json_string(ev->ext[i].value));
    bad |= json_object_set_new(o, "data", ev->data ? json_incref(ev->data) : json_object());
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
            if ((w & UINT64_C(0x8080808080808080)) == 0)
                return len;
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
        if (len - i <= n)
            return i;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return i;
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
    if (len == 0)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!(alpha || (i > 0 && digit)))
            return false;
    }
    return true;
}

static int digits(const char *s, size_t n) {
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

bool mm_event_time_is_valid(const char *s, size_t len) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (s == NULL || len < 20)
        return false;
    if (s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' ||
        s[16] != ':')
        return false;
    int year = digits(s, 4), mon = digits(s + 5, 2), day = digits(s + 8, 2);
    int hour = digits(s + 11, 2), min = digits(s + 14, 2), sec = digits(s + 17, 2);
    if (year < 0 || mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] || hour < 0 ||
        hour > 23 || min < 0 || min > 59 || sec < 0 || sec > 60)
        return false;
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (mon == 2 && day == 29 && !leap)
        return false;
    size_t i = 19;
    if (i < len && s[i] == '.') {
        size_t start = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start)
            return false;
    }
    if (i == len)
        return false;
    if (s[i] == 'Z' || s[i] == 'z')
        return i + 1 == len;
    if ((s[i] != '+' && s[i] != '-') || len - i != 6 || s[i + 3] != ':')
        return false;
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
        if (required)
            set_reason(reason, "event has no %s", what);
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
        set_reason(reason, "event %s is too long (%zu bytes > %d)", what, strlen(v), MM_LIMIT_ID_BYTES);
        return false;
    }
    return true;
}

int mm_envelope_encode(const mm_event *ev, rd_kafka_headers_t **headers, char **payload,
                       size_t *payload_len, char reason[MM_ENVELOPE_REASON_MAX]) {
    char now[25];
    *headers = NULL;
    *payload = NULL;
    *payload_len = 0;
    if (!check_attr("id", ev->id, true, reason) || !check_attr("source", ev->source, true, reason) ||
        !check_attr("type", ev->type, true, reason) || !check_attr("time", ev->time, false, reason) ||
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
    if (ev->data != NULL && !json_is_object(ev->data)) {
        set_reason(reason, "event data is not a JSON object");
        return MM_EINVAL;
    }
    for (size_t i = 0; i < ev->ext_count; i++) {
        const char *n = ev->ext[i].name;
        if (!is_attr_name(n, strlen(n)) || is_reserved_attr(n)) {
            set_reason(reason, "extension name \"%s\" is not a CloudEvents attribute name", n);
            return MM_EINVAL;
        }
        if (!check_attr("extension value", ev->ext[i].value, true, reason))
            return MM_EINVAL;
    }
    if (ev->time == NULL)
        mm_event_time_now(now);

    rd_kafka_headers_t *h = rd_kafka_headers_new(8 + ev->ext_count);
    if (h == NULL)
        goto oom;
    int bad = add_header(h, MM_HDR_SPECVERSION, MM_CE_SPECVERSION) |
              add_header(h, MM_HDR_ID, ev->id) | add_header(h, MM_HDR_SOURCE, ev->source) |
              add_header(h, MM_HDR_TYPE, ev->type) |
              add_header(h, MM_HDR_TIME, ev->time ? ev->time : now) |
              add_header(h, MM_HDR_CONTENT_TYPE, "application/json");
    if (ev->reply_to)
        bad |= add_header(h, MM_HDR_REPLYTO, ev->reply_to);
    if (ev->cause_id)
        bad |= add_header(h, MM_HDR_CAUSEID, ev->cause_id);
    for (size_t i = 0; i < ev->ext_count; i++) {
        char name[128];
        snprintf(name, sizeof name, "ce_%s", ev->ext[i].name);
        bad |= add_header(h, name, ev->ext[i].value);
    }
    if (bad)
        goto oom;
    char *text = ev->data ? json_dumps(ev->data, JSON_COMPACT) : strdup("{}");
    if (text == NULL)
        goto oom;
    *headers = h;
    *payload = text;
    *payload_len = strlen(text);
    return 0;
oom:
    if (h)
        rd_kafka_headers_destroy(h);
    set_reason(reason, "out of memory");
    return MM_ENOMEM;
}

/* ---- decode ------------------------------------------------------------ */

/* Headers the decoder interprets (everything else starting with "ce_" is a
 * pass-through extension; headers not starting with "ce_" are ignored). */
enum { H_SPEC, H_ID, H_SOURCE, H_TYPE, H_TIME, H_CTYPE, H_REPLYTO, H_CAUSEID, H_KNOWN };
static const char *const known_names[H_KNOWN] = {
    MM_HDR_SPECVERSION, MM_HDR_ID, MM_HDR_SOURCE, MM_HDR_TYPE,
    MM_HDR_TIME, MM_HDR_CONTENT_TYPE, MM_HDR_REPLYTO, MM_HDR_CAUSEID,
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
    default: return -1;
    }
#undef IS
}
_Static_assert(sizeof MM_HDR_TIME == sizeof MM_HDR_TYPE, "known_index: ce_time shares ce_type's case");
_Static_assert(sizeof MM_HDR_REPLYTO == sizeof MM_HDR_CONTENT_TYPE &&
                   sizeof MM_HDR_CAUSEID == sizeof MM_HDR_CONTENT_TYPE,
               "known_index: the framework extensions share content-type's case");

/* Checks one header value as an attribute: present, bounded, no NUL,
 * well-formed UTF-8. */
static bool check_header_value(const mm_wire_header *h, char reason[MM_ENVELOPE_REASON_MAX]) {
    if (h->value == NULL) {
        set_reason(reason, "header %s has no value", h->name);
        return false;
    }
    if (h->value_len == 0) {
        set_reason(reason, "header %s is empty", h->name);
        return false;
    }
    if (h->value_len > MM_ENVELOPE_ATTR_MAX) {
        set_reason(reason, "header %s is too long (%zu bytes > %d)", h->name, h->value_len,
                   MM_ENVELOPE_ATTR_MAX);
        return false;
    }
    if (memchr(h->value, '\0', h->value_len) != NULL) {
        set_reason(reason, "header %s contains a NUL byte", h->name);
        return false;
    }
    size_t bad = utf8_invalid_at(h->value, h->value_len);
    if (bad != h->value_len) {
        set_reason(reason, "header %s is not valid UTF-8 (at byte %zu)", h->name, bad);
        return false;
    }
    return true;
}

static bool value_is(const mm_wire_header *h, const char *s) {
    return h->value_len == strlen(s) && memcmp(h->value, s, h->value_len) == 0;
}

/* "application/json", optionally followed by parameters; only a UTF-8
 * charset parameter is meaningful for JSON, anything else is refused. */
static bool is_json_content_type(const char *v, size_t len) {
    static const char mt[] = "application/json";
    size_t mlen = sizeof mt - 1;
    if (len < mlen || strncasecmp(v, mt, mlen) != 0)
        return false;
    size_t i = mlen;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    if (i == len)
        return true;
    if (v[i] != ';')
        return false;
    i++;
    while (i < len && (v[i] == ' ' || v[i] == '\t'))
        i++;
    static const char cs[] = "charset=";
    size_t clen = sizeof cs - 1;
    if (len - i < clen || strncasecmp(v + i, cs, clen) != 0)
        return false;
    i += clen;
    const char *val = v + i;
    size_t vlen = len - i;
    if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
        val++;
        vlen -= 2;
    }
    return (vlen == 5 && strncasecmp(val, "utf-8", 5) == 0) ||
           (vlen == 4 && strncasecmp(val, "utf8", 4) == 0);
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

int mm_envelope_decode(const mm_wire_header *headers, size_t header_count, const void *key,
                       size_t key_len, const void *value, size_t value_len, mm_event *out,
                       char reason[MM_ENVELOPE_REASON_MAX]) {
    const mm_wire_header *known[H_KNOWN] = {0};
    mm_event_init(out);

    if (header_count > MM_ENVELOPE_MAX_HEADERS) {
        set_reason(reason, "too many headers (%zu > %d)", header_count, MM_ENVELOPE_MAX_HEADERS);
        return MM_EINVAL;
    }
    /* Headers already accepted as ours (the only ones a duplicate can
     * repeat) and the extensions among them, in header order. */
    size_t ours[MM_ENVELOPE_MAX_HEADERS], ours_len[MM_ENVELOPE_MAX_HEADERS];
    size_t ours_count = 0;
    size_t exts[MM_ENVELOPE_MAX_HEADERS];
    size_t ext_count = 0;

    /* Pass 1: classify headers, reject duplicates and malformed values. */
    for (size_t i = 0; i < header_count; i++) {
        const mm_wire_header *h = &headers[i];
        if (h->name == NULL)
            continue;
        size_t name_len = strlen(h->name);
        bool is_ce = name_len >= 3 && memcmp(h->name, "ce_", 3) == 0;
        int which = known_index(h->name, name_len);
        if (which < 0 && !is_ce)
            continue; /* not ours: tracing headers and the like */
        if (which < 0) {
            const char *attr = h->name + 3;
            if (!is_attr_name(attr, name_len - 3)) {
                set_reason(reason, "header name %.64s is not a valid CloudEvents attribute "
                                   "(lowercase letters and digits, at most %d)",
                           h->name, MM_ATTR_NAME_MAX);
                return MM_EINVAL;
            }
            if (strcmp(attr, "datacontenttype") == 0) {
                set_reason(reason, "header ce_datacontenttype is not allowed in binary mode "
                                   "(the content-type header carries it)");
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
        if (!check_header_value(h, reason))
            return MM_EINVAL;
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
        set_reason(reason, "unsupported ce_specversion \"%.*s\" (expected \"" MM_CE_SPECVERSION "\")",
                   (int)known[H_SPEC]->value_len, (const char *)known[H_SPEC]->value);
        return MM_EINVAL;
    }
    static const int required[] = {H_ID, H_SOURCE, H_TYPE, H_CTYPE};
    for (size_t k = 0; k < sizeof required / sizeof required[0]; k++)
        if (known[required[k]] == NULL) {
            set_reason(reason, "missing header %s", known_names[required[k]]);
            return MM_EINVAL;
        }
    static const int ids[] = {H_ID, H_REPLYTO, H_CAUSEID};
    for (size_t k = 0; k < sizeof ids / sizeof ids[0]; k++)
        if (known[ids[k]] != NULL && known[ids[k]]->value_len > MM_LIMIT_ID_BYTES) {
            set_reason(reason, "header %s is too long (%zu bytes > %d)", known_names[ids[k]],
                       known[ids[k]]->value_len, MM_LIMIT_ID_BYTES);
            return MM_EINVAL;
        }
    const mm_wire_header *t = known[H_TYPE];
    if (!is_graphql_name(t->value, t->value_len)) {
        set_reason(reason, "ce_type \"%.*s\" is not a GraphQL type name",
                   (int)(t->value_len > 100 ? 100 : t->value_len), (const char *)t->value);
        return MM_EINVAL;
    }
    const mm_wire_header *tm = known[H_TIME];
    if (tm != NULL && !mm_event_time_is_valid(tm->value, tm->value_len)) {
        set_reason(reason, "ce_time \"%.*s\" is not an RFC 3339 timestamp",
                   (int)(tm->value_len > 64 ? 64 : tm->value_len), (const char *)tm->value);
        return MM_EINVAL;
    }
    const mm_wire_header *ct = known[H_CTYPE];
    if (!is_json_content_type(ct->value, ct->value_len)) {
        set_reason(reason, "unsupported content-type \"%.*s\" (expected application/json)",
                   (int)(ct->value_len > 64 ? 64 : ct->value_len), (const char *)ct->value);
        return MM_EINVAL;
    }

    /* The value: a UTF-8 JSON object. */
    if (value == NULL || value_len == 0) {
        set_reason(reason, "value is empty (expected a JSON object)");
        return MM_EINVAL;
    }
    if (value_len > MM_LIMIT_EVENT_BYTES) {
        set_reason(reason, "value of %zu bytes exceeds the event limit of %d bytes", value_len,
                   MM_LIMIT_EVENT_BYTES);
        return MM_EINVAL;
    }
    size_t bad = utf8_invalid_at(value, value_len);
    if (bad != value_len) {
        set_reason(reason, "value is not valid UTF-8 (at byte %zu)", bad);
        return MM_EINVAL;
    }
    json_error_t jerr;
    json_t *data = json_loadb(value, value_len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
    if (data == NULL) {
        set_reason(reason, "value is not valid JSON: %s (line %d, column %d)", jerr.text,
                   jerr.line, jerr.column);
        return MM_EINVAL;
    }
    if (!json_is_object(data)) {
        set_reason(reason, "value is %s, expected a JSON object", json_kind(data));
        json_decref(data);
        return MM_EINVAL;
    }

    /* Everything checked: fill the event. */
    out->data = data;
    out->id = dup_bytes(known[H_ID]->value, known[H_ID]->value_len);
    out->source = dup_bytes(known[H_SOURCE]->value, known[H_SOURCE]->value_len);
    out->type = dup_bytes(t->value, t->value_len);
    int oom = out->id == NULL || out->source == NULL || out->type == NULL;
    if (tm != NULL)
        oom |= (out->time = dup_bytes(tm->value, tm->value_len)) == NULL;
    if (known[H_REPLYTO] != NULL)
        oom |= (out->reply_to = dup_bytes(known[H_REPLYTO]->value, known[H_REPLYTO]->value_len)) == NULL;
    if (known[H_CAUSEID] != NULL)
        oom |= (out->cause_id = dup_bytes(known[H_CAUSEID]->value, known[H_CAUSEID]->value_len)) == NULL;
    if (key != NULL)
        oom |= mm_event_set_key(out, key, key_len) != 0;
    /* Extensions: pass 1 already checked their names (valid, not reserved,
     * no duplicates) and values, which is all mm_event_set_ext would check,
     * so each is copied once, straight into place. */
    if (ext_count > 0 && !oom) {
        out->ext = calloc(ext_count, sizeof *out->ext);
        oom |= out->ext == NULL;
        for (size_t k = 0; k < ext_count && !oom; k++) {
            const mm_wire_header *h = &headers[exts[k]];
            mm_event_ext *e = &out->ext[out->ext_count++];
            e->name = strdup(h->name + 3);
            e->value = dup_bytes(h->value, h->value_len);
            oom |= e->name == NULL || e->value == NULL;
        }
    }
    if (oom) {
        mm_event_clear(out);
        set_reason(reason, "out of memory");
        return MM_ENOMEM;
    }
    return 0;
}

int mm_envelope_decode_message(const rd_kafka_message_t *msg, mm_event *out,
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
        while (n <= MM_ENVELOPE_MAX_HEADERS && rd_kafka_header_get_all(h, n, &name, &val, &len) == 0) {
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
    return mm_envelope_decode(hdrs, n, msg->key, msg->key_len, msg->payload, msg->len, out,
                              reason);
}
