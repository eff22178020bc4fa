/* cmd_dlq.c -- `gregor dlq list|show|replay|purge`: the dead-letter topic
 * "<topic>.dlq" of a service topic, inspected, sent back after a fix, or
 * skipped for a group (docs/dlq.md).
 *
 * Every reading stops at the high watermark captured when the command
 * started, and every broker call has a deadline (--timeout-ms), so the
 * command never waits for dead letters still to come. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "bus/dlq_reader.h"
#include "bus/producer.h" /* MM_DLQ_SUFFIX */
#include "cli_common.h"
#include "commands.h"

#define DEFAULT_LIMIT       100
#define DEFAULT_MAX_REPLAYS 3
#define DEFAULT_TIMEOUT_MS  30000
#define DEFAULT_MAX_BYTES   65536
#define KAFKA_TOPIC_MAX     249

typedef struct dlq_opts {
    const char *sub;
    const char *topic;
    const char *group;
    const char *config;
    const char *reason, *type, *id;
    int json, dry_run, force;
    long long limit, max_replays, timeout_ms, max_bytes;
    long long partition;        /* -1: every partition */
    long long from, to, offset; /* -1: not given */
} dlq_opts;

static void usage(FILE *out) {
    fprintf(
        out,
        "Usage: gregor dlq list   --topic T [--group G] [--from N] [--to M] [--limit K]\n"
        "       gregor dlq show   --topic T --offset N [--max-bytes B]\n"
        "       gregor dlq replay --topic T [--from N] [--to M] [--reason TEXT] [--type TYPE]\n"
        "                         [--id ID] [--max-replays R] [--force] [--dry-run]\n"
        "       gregor dlq purge  --topic T --group G [--to N] [--force] [--dry-run]\n"
        "\n"
        "The dead letters of topic T, kept in T.dlq (docs/dlq.md).\n"
        "  list    the dead letters: offset, reason, source, event type and id; counts by reason\n"
        "  show    one dead letter decoded: headers, the CloudEvent, the payload\n"
        "  replay  send the selected dead letters back to their source topic, verbatim, with\n"
        "          the header mm_dlq_replays incremented; a message replayed R times (default 3)\n"
        "          is refused unless --force\n"
        "  purge   commit group G's offsets on T.dlq past N (default: past the last message);\n"
        "          refused while G has members\n"
        "\n"
        "Options:\n"
        "  --topic T        the source topic (T.dlq is read; a name ending in .dlq is taken as "
        "is)\n"
        "  --partition P    only this partition of T.dlq (default: every partition)\n"
        "  --from N/--to M  offsets N..M of T.dlq, both included (default: everything stored)\n"
        "  --offset N       (show) the dead letter at offset N (partition 0 unless --partition)\n"
        "  --group G        (list) start at G's committed offsets; (purge) the group to move\n"
        "  --limit K        (list, replay) at most K messages (default 100)\n"
        "  --reason TEXT    (replay) only messages whose reason contains TEXT\n"
        "  --type TYPE      (replay) only events of this type\n"
        "  --id ID          (replay) only the event with this id\n"
        "  --max-replays R  (replay) refuse a message already replayed R times (default 3)\n"
        "  --force          (replay) replay even past --max-replays; (purge) allow moving back\n"
        "  --dry-run        (replay, purge) print what would be done, do nothing\n"
        "  --max-bytes B    (show) print at most B bytes of the payload (default 65536)\n"
        "  --timeout-ms MS  deadline of the whole command's broker work (default 30000)\n"
        "  --json           one JSON document on stdout instead of text\n"
        "  --config FILE    configuration YAML (Kafka bootstrap servers and properties)\n"
        "  -h, --help       show this help\n"
        "\n"
        "Exit status: 0 done, 1 failed or refused, 2 usage error.\n");
}

/* ---- output helpers ------------------------------------------------------ */

/* s[0..n) as text for a terminal: valid UTF-8 as is, control characters
 * (C0, DEL, C1) and invalid bytes as \xNN, so that a hostile message cannot
 * drive the terminal. */
static void put_text(FILE *out, const char *s, size_t n) {
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t ok = mm_dlq_utf8_valid_prefix(u + i, n - i);
        for (size_t k = 0; k < ok; k++) {
            unsigned char c = u[i + k];
            if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
                fprintf(out, "\\x%02x", c);
            } else if (c == 0xc2 && k + 1 < ok && u[i + k + 1] >= 0x80 && u[i + k + 1] <= 0x9f) {
                fprintf(out, "\\xc2\\x%02x", u[i + k + 1]); /* a C1 control */
                k++;
            } else {
                fputc(c, out);
            }
        }
        i += ok;
        if (i < n) fprintf(out, "\\x%02x", u[i++]);
    }
}

/* s (UTF-8 from a JSON string) escaped as put_text does, for one printf
 * argument: one of 8 rotating buffers, cut at 1000 bytes. */
static const char *tx(const char *s) {
    static char bufs[8][1024];
    static unsigned next;
    char *b = bufs[next++ % 8];
    if (s == NULL) return "-";
    FILE *f = fmemopen(b, sizeof bufs[0], "w");
    if (f == NULL) return "?";
    setvbuf(f, NULL, _IONBF, 0);
    put_text(f, s, strlen(s) > 1000 ? 1000 : strlen(s));
    fclose(f);
    b[sizeof bufs[0] - 1] = '\0';
    return b;
}

/* s[0..n) as a JSON string; invalid UTF-8 bytes become the text \xNN (JSON
 * strings must be UTF-8). New reference. */
static json_t *jtext(const char *s, size_t n) {
    if (s == NULL) return json_null();
    json_t *j = json_stringn(s, n);
    if (j) return j;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL) return json_null();
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        size_t ok = mm_dlq_utf8_valid_prefix(u + i, n - i);
        fwrite(u + i, 1, ok, f);
        i += ok;
        if (i < n) fprintf(f, "\\x%02x", u[i++]);
    }
    fclose(f);
    j = json_stringn(buf, len);
    free(buf);
    return j ? j : json_null();
}

static json_t *jstr(const char *s) { return s ? jtext(s, strlen(s)) : json_null(); }

static void print_json(json_t *doc) {
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
    if (text) puts(text);
    free(text);
}

/* Runtime failure: the message on stderr, and in --json mode also as the
 * document on stdout. Returns 1. */
static int fail(const dlq_opts *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(const dlq_opts *o, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "gregor dlq %s: %s\n", o->sub, msg);
    if (o->json) {
        json_t *doc = json_pack("{s:o}", "error", jstr(msg));
        print_json(doc);
        json_decref(doc);
    }
    return GREGOR_EXIT_FAILURE;
}

static void format_ms(int64_t ms, char *out, size_t size) {
    if (ms < 0) {
        snprintf(out, size, "-");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, size, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, size - n, ".%03dZ", (int)(ms % 1000));
}

static json_t *letter_json(const mm_dlq_letter *l) {
    char ts[40];
    format_ms(l->timestamp_ms, ts, sizeof ts);
    json_t *o = json_object();
    json_object_set_new(o, "partition", json_integer(l->partition));
    json_object_set_new(o, "offset", json_integer(l->offset));
    json_object_set_new(o, "timestamp", l->timestamp_ms >= 0 ? json_string(ts) : json_null());
    json_object_set_new(o, "deadLetter", json_boolean(l->has_dlq_headers));
    json_object_set_new(o, "reason", jstr(l->reason));
    json_object_set_new(o, "sourceTopic", jstr(l->source_topic));
    json_object_set_new(o, "sourcePartition",
                        l->source_partition >= 0 ? json_integer(l->source_partition) : json_null());
    json_object_set_new(o, "sourceOffset",
                        l->source_offset >= 0 ? json_integer(l->source_offset) : json_null());
    json_object_set_new(o, "group", jstr(l->group));
    json_object_set_new(o, "deadLetteredAt", jstr(l->time));
    json_object_set_new(o, "replays", l->replays >= 0 ? json_integer(l->replays) : json_null());
    json_object_set_new(o, "eventType", jstr(l->event_type));
    json_object_set_new(o, "eventId", jstr(l->event_id));
    json_object_set_new(o, "decodeError", l->decode_error[0] ? jstr(l->decode_error) : json_null());
    json_object_set_new(o, "valueLeftOut",
                        l->value_left_out >= 0 ? json_integer(l->value_left_out) : json_null());
    return o;
}

static const char *reason_of(const mm_dlq_letter *l) {
    return l->reason ? l->reason : l->has_dlq_headers ? "(no reason)" : "(no mm_dlq headers)";
}

/* ---- arguments ----------------------------------------------------------- */

static int parse_count(const char *opt, const char *text, long long min, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min)
        return gregor_usage_error("dlq", "%s '%s' is not a whole number >= %lld", opt, text, min);
    *out = v;
    return 0;
}

static int valid_topic(const char *t) {
    size_t n = strlen(t);
    if (n == 0 || n > KAFKA_TOPIC_MAX) return 0;
    for (size_t i = 0; i < n; i++) {
        char c = t[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return 0;
    }
    return strcmp(t, ".") != 0 && strcmp(t, "..") != 0;
}

static int parse_args(int argc, char **argv, dlq_opts *o) {
    static const struct option options[] = {
        {"topic", required_argument, NULL, 't'},
        {"group", required_argument, NULL, 'g'},
        {"config", required_argument, NULL, 'c'},
        {"json", no_argument, NULL, 'j'},
        {"limit", required_argument, NULL, 'l'},
        {"partition", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 'T'},
        {"offset", required_argument, NULL, 'o'},
        {"reason", required_argument, NULL, 'r'},
        {"type", required_argument, NULL, 'y'},
        {"id", required_argument, NULL, 'i'},
        {"dry-run", no_argument, NULL, 'n'},
        {"force", no_argument, NULL, 'F'},
        {"max-replays", required_argument, NULL, 'm'},
        {"timeout-ms", required_argument, NULL, 'w'},
        {"max-bytes", required_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    *o = (dlq_opts){.limit = DEFAULT_LIMIT,
                    .max_replays = DEFAULT_MAX_REPLAYS,
                    .timeout_ms = DEFAULT_TIMEOUT_MS,
                    .max_bytes = DEFAULT_MAX_BYTES,
                    .partition = -1,
                    .from = -1,
                    .to = -1,
                    .offset = -1};
    o->sub = argv[0];
    opterr = 0;
    optind = 1;
    int c, rc = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 't': o->topic = optarg; break;
        case 'g': o->group = optarg; break;
        case 'c': o->config = optarg; break;
        case 'j': o->json = 1; break;
        case 'n': o->dry_run = 1; break;
        case 'F': o->force = 1; break;
        case 'r': o->reason = optarg; break;
        case 'y': o->type = optarg; break;
        case 'i': o->id = optarg; break;
        case 'l': rc = parse_count("--limit", optarg, 1, &o->limit); break;
        case 'p': rc = parse_count("--partition", optarg, 0, &o->partition); break;
        case 'f': rc = parse_count("--from", optarg, 0, &o->from); break;
        case 'T': rc = parse_count("--to", optarg, 0, &o->to); break;
        case 'o': rc = parse_count("--offset", optarg, 0, &o->offset); break;
        case 'm': rc = parse_count("--max-replays", optarg, 1, &o->max_replays); break;
        case 'w': rc = parse_count("--timeout-ms", optarg, 1, &o->timeout_ms); break;
        case 'b': rc = parse_count("--max-bytes", optarg, 1, &o->max_bytes); break;
        case 'h': usage(stdout); return -1;
        default: return gregor_option_error("dlq", c, argv);
        }
    }
    if (rc) return rc;
    if (optind < argc) return gregor_usage_error("dlq", "unexpected argument '%s'", argv[optind]);
    if (o->topic == NULL)
        return gregor_usage_error("dlq", "%s needs --topic T (the topic whose T.dlq to read)",
                                  o->sub);
    if (!valid_topic(o->topic))
        return gregor_usage_error(
            "dlq",
            "--topic '%s' is not a Kafka topic name (letters, digits, '.', '_', '-'; "
            "at most %d)",
            o->topic, KAFKA_TOPIC_MAX);
    if (o->from >= 0 && o->to >= 0 && o->from > o->to)
        return gregor_usage_error("dlq", "--from %lld is after --to %lld", o->from, o->to);
    if (o->limit > 1000000)
        return gregor_usage_error("dlq", "--limit %lld is above 1000000", o->limit);
    if (o->partition > INT32_MAX)
        return gregor_usage_error("dlq", "--partition %lld is not a partition", o->partition);
    if (o->max_bytes > 1 << 30) o->max_bytes = 1 << 30;
    if (o->timeout_ms > 3600000)
        return gregor_usage_error("dlq", "--timeout-ms %lld is above one hour", o->timeout_ms);
    return 0;
}

/* ---- list ---------------------------------------------------------------- */

typedef struct list_ctx {
    const dlq_opts *o;
    json_t *items;
    json_t *by_reason;
    long long count;
    int more; /* stopped at --limit */
    int oom;
} list_ctx;

static int list_one(void *ud, const rd_kafka_message_t *m) {
    list_ctx *c = ud;
    if (c->count >= c->o->limit) {
        c->more = 1;
        return 1;
    }
    mm_dlq_letter l;
    if (mm_dlq_letter_parse(m, &l) != 0) {
        c->oom = 1;
        return 1;
    }
    json_array_append_new(c->items, letter_json(&l));
    const char *reason = reason_of(&l);
    json_t *cur = json_object_get(c->by_reason, reason);
    /* Reasons are UTF-8 checked by the parser (header_text); the fallback
     * names are ASCII, so the key is always valid for jansson. */
    json_object_set_new(c->by_reason, reason, json_integer(cur ? json_integer_value(cur) + 1 : 1));
    c->count++;
    mm_dlq_letter_clear(&l);
    return 0;
}

/* The [from, to) range of partition p the options select. */
static void range_of(const dlq_opts *o, const mm_dlq_partition *p, int64_t *from, int64_t *to) {
    *from = o->from >= 0 ? o->from : p->low;
    *to = o->to >= 0 ? o->to + 1 : p->high;
    if (*from < p->low) *from = p->low;
    if (*to > p->high) *to = p->high;
}

static int selected_partition(const dlq_opts *o, const mm_dlq_partition *p) {
    return o->partition < 0 || o->partition == p->id;
}

static int check_partition(const dlq_opts *o, mm_dlq *d) {
    if (o->partition >= 0 && mm_dlq_partition_find(d, (int32_t)o->partition) == NULL)
        return fail(o, "%s has no partition %lld (it has %zu)", mm_dlq_topic(d), o->partition,
                    mm_dlq_partition_count(d));
    return 0;
}

static int cmd_list(const dlq_opts *o, mm_dlq *d, long long deadline) {
    int rc = check_partition(o, d);
    if (rc) return rc;
    size_t np = mm_dlq_partition_count(d);
    int64_t *committed = calloc(np, sizeof *committed);
    if (committed == NULL) return fail(o, "out of memory");
    char err[512];
    if (o->group) {
        if (mm_dlq_committed(d, o->group, committed, (int)o->timeout_ms, err, sizeof err) != 0) {
            free(committed);
            return fail(o, "%s", err);
        }
    }
    list_ctx c = {.o = o, .items = json_array(), .by_reason = json_object()};
    json_t *parts = json_array();
    for (size_t i = 0; i < np && !c.more && !c.oom; i++) {
        const mm_dlq_partition *p = mm_dlq_partition_at(d, i);
        json_t *pj = json_pack("{s:i,s:I,s:I}", "partition", (int)p->id, "low", (json_int_t)p->low,
                               "high", (json_int_t)p->high);
        if (o->group)
            json_object_set_new(pj, "committed",
                                committed[i] >= 0 ? json_integer(committed[i]) : json_null());
        json_array_append_new(parts, pj);
        if (!selected_partition(o, p)) continue;
        int64_t from, to;
        range_of(o, p, &from, &to);
        if (o->group && committed[i] > from) from = committed[i];
        if (mm_dlq_read(d, p->id, from, to, deadline, list_one, &c, err, sizeof err) != 0) {
            json_decref(c.items);
            json_decref(c.by_reason);
            json_decref(parts);
            free(committed);
            return fail(o, "%s", err);
        }
    }
    free(committed);
    if (c.oom) {
        json_decref(c.items);
        json_decref(c.by_reason);
        json_decref(parts);
        return fail(o, "out of memory");
    }
    if (o->json) {
        json_t *doc = json_pack("{s:s,s:o,s:I,s:b,s:o,s:o}", "topic", mm_dlq_topic(d), "partitions",
                                parts, "count", (json_int_t)c.count, "more", c.more, "byReason",
                                c.by_reason, "messages", c.items);
        if (o->group) json_object_set_new(doc, "group", jstr(o->group));
        print_json(doc);
        json_decref(doc);
        return GREGOR_EXIT_OK;
    }
    printf("%s:", mm_dlq_topic(d));
    size_t i;
    json_t *pj;
    json_array_foreach(parts, i, pj) {
        printf(" partition %d offsets %lld..%lld",
               (int)json_integer_value(json_object_get(pj, "partition")),
               (long long)json_integer_value(json_object_get(pj, "low")),
               (long long)json_integer_value(json_object_get(pj, "high")) - 1);
        json_t *cm = json_object_get(pj, "committed");
        if (o->group) {
            if (json_is_integer(cm))
                printf(" (group %s at %lld)", o->group, (long long)json_integer_value(cm));
            else
                printf(" (group %s: nothing committed)", o->group);
        }
        printf(i + 1 < json_array_size(parts) ? ";" : "\n");
    }
    if (c.count == 0) {
        printf("no dead letters%s\n", o->group ? " after the group's committed offsets" : "");
    } else {
        printf("%-4s %-8s %-24s %-32s %-26s %-7s %-20s %s\n", "PART", "OFFSET", "TIME", "REASON",
               "SOURCE", "REPLAYS", "TYPE", "ID");
        json_t *it;
        json_array_foreach(c.items, i, it) {
            const char *src = json_string_value(json_object_get(it, "sourceTopic"));
            char source[300];
            if (src)
                snprintf(source, sizeof source, "%s[%lld]@%lld", src,
                         (long long)json_integer_value(json_object_get(it, "sourcePartition")),
                         (long long)json_integer_value(json_object_get(it, "sourceOffset")));
            else
                snprintf(source, sizeof source, "-");
            const char *reason = json_string_value(json_object_get(it, "reason"));
            const char *type = json_string_value(json_object_get(it, "eventType"));
            const char *id = json_string_value(json_object_get(it, "eventId"));
            json_t *rep = json_object_get(it, "replays");
            const char *ts = json_string_value(json_object_get(it, "timestamp"));
            printf("%-4lld %-8lld %-24s ",
                   (long long)json_integer_value(json_object_get(it, "partition")),
                   (long long)json_integer_value(json_object_get(it, "offset")), ts ? ts : "-");
            char rbuf[33];
            snprintf(rbuf, sizeof rbuf, "%s",
                     reason                                            ? reason
                     : json_is_true(json_object_get(it, "deadLetter")) ? "(no reason)"
                                                                       : "(no mm_dlq headers)");
            printf("%-32s %-26s ", tx(rbuf), tx(source));
            if (json_is_integer(rep))
                printf("%-7lld ", (long long)json_integer_value(rep));
            else
                printf("%-7s ", "bad");
            printf("%-20s %s\n", type ? tx(type) : "(undecodable)", tx(id));
        }
        printf("by reason (%lld message%s%s):\n", c.count, c.count == 1 ? "" : "s",
               c.more ? ", stopped at --limit" : "");
        const char *key;
        json_t *n;
        json_object_foreach(c.by_reason, key, n) {
            printf("  %6lld  ", (long long)json_integer_value(n));
            put_text(stdout, key, strlen(key));
            putchar('\n');
        }
        if (c.more) printf("more dead letters follow; raise --limit or use --from\n");
    }
    json_decref(c.items);
    json_decref(c.by_reason);
    json_decref(parts);
    return GREGOR_EXIT_OK;
}

/* ---- show ---------------------------------------------------------------- */

typedef struct show_ctx {
    const dlq_opts *o;
    json_t *doc;
    int oom;
} show_ctx;

static int show_one(void *ud, const rd_kafka_message_t *m) {
    show_ctx *c = ud;
    mm_dlq_letter l;
    if (mm_dlq_letter_parse(m, &l) != 0) {
        c->oom = 1;
        return 1;
    }
    json_t *doc = letter_json(&l);
    mm_dlq_letter_clear(&l);
    json_object_set_new(doc, "key", m->key ? jtext(m->key, m->key_len) : json_null());
    json_t *headers = json_array();
    rd_kafka_headers_t *h = NULL;
    if (rd_kafka_message_headers(m, &h) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        const char *name;
        const void *val;
        size_t size;
        for (size_t i = 0;
             rd_kafka_header_get_all(h, i, &name, &val, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++)
            json_array_append_new(headers, json_pack("{s:o,s:o}", "name", jstr(name), "value",
                                                     val ? jtext(val, size) : json_null()));
    }
    json_object_set_new(doc, "headers", headers);
    size_t max = (size_t)c->o->max_bytes;
    int truncated = m->len > max;
    json_object_set_new(doc, "valueBytes", json_integer((json_int_t)m->len));
    json_object_set_new(doc, "truncated", json_boolean(truncated));
    mm_event ev;
    mm_event_init(&ev);
    char reason[MM_ENVELOPE_REASON_MAX];
    if (mm_envelope_decode_message(m, &ev, reason) == 0) {
        json_t *ce = mm_event_to_json(&ev);
        if (ce && truncated)
            json_object_set_new(ce, "data",
                                json_string("(left out: the payload is larger than --max-bytes)"));
        json_object_set_new(doc, "event", ce ? ce : json_null());
        mm_event_clear(&ev);
    } else {
        json_object_set_new(doc, "event", json_null());
    }
    json_t *value = NULL;
    if (!truncated && m->payload) value = json_loadb(m->payload, m->len, JSON_DECODE_ANY, NULL);
    if (value) {
        json_object_set_new(doc, "value", value);
    } else {
        json_object_set_new(doc, "value", json_null());
        json_object_set_new(doc, "valueText",
                            m->payload ? jtext(m->payload, truncated ? max : m->len) : json_null());
    }
    c->doc = doc;
    return 1;
}

static void print_pretty(json_t *v) {
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    if (text) puts(text);
    free(text);
}

/* o[key] ready to print (escaped by tx), or dflt. */
static const char *s_or(json_t *o, const char *key, const char *dflt) {
    const char *s = json_string_value(json_object_get(o, key));
    return s ? tx(s) : dflt;
}

static int cmd_show(const dlq_opts *o, mm_dlq *d, long long deadline) {
    assert(o->offset >= 0);
    int rc = check_partition(o, d);
    if (rc) return rc;
    const mm_dlq_partition *p =
        mm_dlq_partition_find(d, o->partition < 0 ? 0 : (int32_t)o->partition);
    if (p == NULL) p = mm_dlq_partition_at(d, 0);
    if (p->low >= p->high) return fail(o, "%s[%d] holds no messages", mm_dlq_topic(d), (int)p->id);
    if (o->offset < p->low || o->offset >= p->high)
        return fail(o, "offset %lld is not in %s[%d]: it holds offsets %lld..%lld", o->offset,
                    mm_dlq_topic(d), (int)p->id, (long long)p->low, (long long)p->high - 1);
    show_ctx c = {.o = o};
    char err[512];
    if (mm_dlq_read(d, p->id, o->offset, o->offset + 1, deadline, show_one, &c, err, sizeof err) !=
        0) {
        json_decref(c.doc);
        return fail(o, "%s", err);
    }
    if (c.oom) return fail(o, "out of memory");
    if (c.doc == NULL)
        return fail(o, "offset %lld of %s[%d] is not there (deleted, or a transaction marker)",
                    o->offset, mm_dlq_topic(d), (int)p->id);
    json_t *doc = c.doc;
    if (o->json) {
        json_object_set_new(doc, "topic", json_string(mm_dlq_topic(d)));
        print_json(doc);
        json_decref(doc);
        return GREGOR_EXIT_OK;
    }
    printf("dead letter %s[%d]@%lld (written %s)\n", mm_dlq_topic(d), (int)p->id, o->offset,
           s_or(doc, "timestamp", "-"));
    if (json_is_integer(json_object_get(doc, "valueLeftOut")))
        printf("note: the original value (%lld bytes) was too large to keep; this copy has none\n",
               (long long)json_integer_value(json_object_get(doc, "valueLeftOut")));
    if (!json_is_true(json_object_get(doc, "deadLetter")))
        printf("note: this message has no mm_dlq_* headers: it was not dead-lettered by a "
               "metamorphosis consumer\n");
    printf("reason:          %s\n", s_or(doc, "reason", "-"));
    if (json_object_get(doc, "sourceTopic") && json_is_string(json_object_get(doc, "sourceTopic")))
        printf("source:          %s[%lld]@%lld\n", s_or(doc, "sourceTopic", "-"),
               (long long)json_integer_value(json_object_get(doc, "sourcePartition")),
               (long long)json_integer_value(json_object_get(doc, "sourceOffset")));
    printf("group:           %s\n", s_or(doc, "group", "-"));
    printf("dead-lettered:   %s\n", s_or(doc, "deadLetteredAt", "-"));
    json_t *rep = json_object_get(doc, "replays");
    if (json_is_integer(rep))
        printf("replays:         %lld\n", (long long)json_integer_value(rep));
    else
        printf("replays:         (mm_dlq_replays is not a number)\n");
    printf("key:             ");
    const char *key = json_string_value(json_object_get(doc, "key"));
    if (key)
        put_text(stdout, key, strlen(key));
    else
        printf("(none)");
    printf("\nheaders:\n");
    size_t i;
    json_t *hv;
    json_array_foreach(json_object_get(doc, "headers"), i, hv) {
        printf("  %s: ", s_or(hv, "name", "?"));
        const char *v = json_string_value(json_object_get(hv, "value"));
        if (v)
            put_text(stdout, v, strlen(v));
        else
            printf("(no value)");
        putchar('\n');
    }
    json_t *ev = json_object_get(doc, "event");
    if (json_is_object(ev)) {
        printf("event (CloudEvent):\n");
        print_pretty(ev);
    } else {
        printf("event: does not decode: %s\n", s_or(doc, "decodeError", "?"));
    }
    long long bytes = (long long)json_integer_value(json_object_get(doc, "valueBytes"));
    json_t *value = json_object_get(doc, "value");
    if (!json_is_null(value)) {
        printf("payload (%lld bytes, JSON):\n", bytes);
        print_pretty(value);
    } else {
        const char *text = json_string_value(json_object_get(doc, "valueText"));
        printf("payload (%lld bytes%s):\n", bytes,
               json_is_true(json_object_get(doc, "truncated")) ? "" : ", not JSON");
        if (text)
            put_text(stdout, text, strlen(text));
        else
            printf("(none)");
        putchar('\n');
    }
    if (json_is_true(json_object_get(doc, "truncated")))
        printf("(truncated: the first %lld of %lld bytes shown; --max-bytes N shows more)\n",
               o->max_bytes, bytes);
    json_decref(doc);
    return GREGOR_EXIT_OK;
}

/* ---- replay -------------------------------------------------------------- */

typedef struct pick {
    int32_t partition;
    int64_t offset;
    long replays;
    int slot;          /* replayer slot, -1 before sending */
    char *topic;       /* where it goes */
    json_t *summary;   /* letter_json */
    char refused[256]; /* "" when it can be replayed */
} pick;

typedef struct replay_ctx {
    const dlq_opts *o;
    pick *picks;
    size_t count, cap;
    int more, oom;
    /* second pass */
    mm_dlq_replayer *r;
    size_t next; /* picks[next] is the next to send */
    int send_failed;
    char err[512];
} replay_ctx;

static int matches(const dlq_opts *o, const mm_dlq_letter *l) {
    if (o->reason && (l->reason == NULL || strstr(l->reason, o->reason) == NULL)) return 0;
    if (o->type && (l->event_type == NULL || strcmp(l->event_type, o->type) != 0)) return 0;
    if (o->id && (l->event_id == NULL || strcmp(l->event_id, o->id) != 0)) return 0;
    return 1;
}

static int select_one(void *ud, const rd_kafka_message_t *m) {
    replay_ctx *c = ud;
    mm_dlq_letter l;
    if (mm_dlq_letter_parse(m, &l) != 0) {
        c->oom = 1;
        return 1;
    }
    if (!matches(c->o, &l)) {
        mm_dlq_letter_clear(&l);
        return 0;
    }
    if (c->count >= (size_t)c->o->limit) {
        c->more = 1;
        mm_dlq_letter_clear(&l);
        return 1;
    }
    if (c->count == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        pick *p = realloc(c->picks, cap * sizeof *p);
        if (p == NULL) {
            c->oom = 1;
            mm_dlq_letter_clear(&l);
            return 1;
        }
        c->picks = p;
        c->cap = cap;
    }
    pick *p = &c->picks[c->count++];
    *p = (pick){.partition = l.partition, .offset = l.offset, .replays = l.replays, .slot = -1};
    p->summary = letter_json(&l);
    if (l.source_topic == NULL) {
        snprintf(p->refused, sizeof p->refused,
                 l.has_dlq_headers
                     ? "no readable mm_dlq_source_topic header: its source topic is unknown"
                     : "no mm_dlq_* headers: not a dead letter, its source topic is unknown");
    } else if (l.value_left_out >= 0) {
        snprintf(p->refused, sizeof p->refused,
                 "its value (%lld bytes) was too large to keep in the DLQ (mm_dlq_value_bytes): "
                 "nothing to replay",
                 (long long)l.value_left_out);
    } else if (!valid_topic(l.source_topic)) {
        snprintf(p->refused, sizeof p->refused, "mm_dlq_source_topic is not a Kafka topic name");
    } else if (l.replays < 0 && !c->o->force) {
        snprintf(p->refused, sizeof p->refused,
                 "its mm_dlq_replays header is not a number (--force replays it as 0)");
    } else if (l.replays >= c->o->max_replays && !c->o->force) {
        snprintf(p->refused, sizeof p->refused,
                 "already replayed %ld times (--max-replays %lld): it keeps coming back, fix the "
                 "consumer "
                 "or use --force",
                 l.replays, c->o->max_replays);
    }
    if (l.source_topic && (p->topic = strdup(l.source_topic)) == NULL) c->oom = 1;
    mm_dlq_letter_clear(&l);
    return c->oom;
}

static int send_one(void *ud, const rd_kafka_message_t *m) {
    replay_ctx *c = ud;
    while (c->next < c->count &&
           (c->picks[c->next].partition != m->partition || c->picks[c->next].offset < m->offset))
        c->next++;
    if (c->next >= c->count) return 1;
    pick *p = &c->picks[c->next];
    if (p->offset != m->offset) return 0; /* not selected */
    long replays = p->replays < 0 ? 0 : p->replays;
    int slot = mm_dlq_replayer_send(c->r, m, p->topic, replays + 1, c->err, sizeof c->err);
    if (slot < 0) {
        c->send_failed = 1;
        return 1;
    }
    p->slot = slot;
    c->next++;
    return 0;
}

static void free_picks(replay_ctx *c) {
    for (size_t i = 0; i < c->count; i++) {
        free(c->picks[i].topic);
        json_decref(c->picks[i].summary);
    }
    free(c->picks);
}

static int cmd_replay(const dlq_opts *o, mm_dlq *d, const mm_config *cfg, const mm_kv *props,
                      size_t nprops, long long deadline) {
    int rc = check_partition(o, d);
    if (rc) return rc;
    replay_ctx c = {.o = o};
    char err[512];
    size_t np = mm_dlq_partition_count(d);
    for (size_t i = 0; i < np && !c.more && !c.oom; i++) {
        const mm_dlq_partition *p = mm_dlq_partition_at(d, i);
        if (!selected_partition(o, p)) continue;
        int64_t from, to;
        range_of(o, p, &from, &to);
        if (mm_dlq_read(d, p->id, from, to, deadline, select_one, &c, err, sizeof err) != 0) {
            free_picks(&c);
            return fail(o, "%s", err);
        }
    }
    if (c.oom) {
        free_picks(&c);
        return fail(o, "out of memory");
    }
    size_t refused = 0;
    for (size_t i = 0; i < c.count; i++) refused += c.picks[i].refused[0] != '\0';
    int status = GREGOR_EXIT_OK;
    const char *outcome;
    if (c.count == 0) {
        outcome = "nothing selected";
    } else if (refused) {
        outcome = "refused: nothing was replayed";
        status = GREGOR_EXIT_FAILURE;
    } else if (o->dry_run) {
        outcome = "dry run: nothing was replayed";
    } else {
        c.r = mm_dlq_replayer_new(cfg->kafka_bootstrap_servers, props, nprops, err, sizeof err);
        if (c.r == NULL) {
            free_picks(&c);
            return fail(o, "%s", err);
        }
        /* Second pass over the same (immutable) offsets: the messages are
         * sent as they are read, so nothing is held in memory meanwhile. */
        for (size_t i = 0; i < np && !c.send_failed; i++) {
            const mm_dlq_partition *p = mm_dlq_partition_at(d, i);
            int64_t lo = -1, hi = -1;
            for (size_t k = 0; k < c.count; k++)
                if (c.picks[k].partition == p->id) {
                    if (lo < 0) lo = c.picks[k].offset;
                    hi = c.picks[k].offset + 1;
                }
            if (lo < 0) continue;
            if (mm_dlq_read(d, p->id, lo, hi, deadline, send_one, &c, err, sizeof err) != 0) {
                snprintf(c.err, sizeof c.err, "%s", err);
                c.send_failed = 1;
            }
        }
        int left = (int)(deadline - mm_dlq_now_ms());
        mm_dlq_replayer_wait(c.r, left > 0 ? left : 1);
        outcome = "replayed";
    }
    /* The report, message by message. */
    json_t *items = json_array();
    size_t ok = 0, failed = 0;
    for (size_t i = 0; i < c.count; i++) {
        pick *p = &c.picks[i];
        json_t *it = json_incref(p->summary);
        if (p->refused[0]) {
            json_object_set_new(it, "status", json_string("refused"));
            json_object_set_new(it, "error", jstr(p->refused));
        } else if (c.r == NULL) {
            json_object_set_new(it, "status",
                                json_string(o->dry_run ? "would replay" : "not replayed"));
        } else if (p->slot < 0) {
            json_object_set_new(it, "status", json_string("failed"));
            json_object_set_new(it, "error", jstr(c.err[0] ? c.err : "not sent"));
            failed++;
        } else {
            int32_t part;
            int64_t off;
            const char *why;
            int st = mm_dlq_replayer_result(c.r, p->slot, &part, &off, &why);
            if (st == 0) {
                json_object_set_new(it, "status", json_string("replayed"));
                json_object_set_new(it, "toPartition", json_integer(part));
                json_object_set_new(it, "toOffset", json_integer(off));
                ok++;
            } else {
                json_object_set_new(it, "status", json_string(st == 1 ? "unknown" : "failed"));
                json_object_set_new(it, "error", jstr(why));
                failed++;
            }
        }
        json_object_set_new(it, "toTopic", jstr(p->topic));
        json_object_set_new(it, "newReplays", json_integer((p->replays < 0 ? 0 : p->replays) + 1));
        json_array_append_new(items, it);
    }
    if (failed) {
        status = GREGOR_EXIT_FAILURE;
        outcome = ok ? "partly replayed" : "failed";
    }
    if (o->json) {
        json_t *doc = json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:b,s:o}", "topic", mm_dlq_topic(d),
                                "outcome", outcome, "selected", (json_int_t)c.count, "refused",
                                (json_int_t)refused, "replayed", (json_int_t)ok, "failed",
                                (json_int_t)failed, "more", c.more, "messages", items);
        print_json(doc);
        json_decref(doc);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it) {
            const char *st = json_string_value(json_object_get(it, "status")); /* ours: plain */
            if (st == NULL) st = "?";
            printf("%-12s %s[%lld]@%lld", st, mm_dlq_topic(d),
                   (long long)json_integer_value(json_object_get(it, "partition")),
                   (long long)json_integer_value(json_object_get(it, "offset")));
            if (json_is_integer(json_object_get(it, "toOffset")))
                printf(" -> %s[%lld]@%lld", s_or(it, "toTopic", "?"),
                       (long long)json_integer_value(json_object_get(it, "toPartition")),
                       (long long)json_integer_value(json_object_get(it, "toOffset")));
            else if (json_is_string(json_object_get(it, "toTopic")))
                printf(" -> %s", s_or(it, "toTopic", "?"));
            printf(" %s %s", s_or(it, "eventType", "(undecodable)"), s_or(it, "eventId", "-"));
            if (strcmp(st, "refused") != 0)
                printf(" (replay #%lld)",
                       (long long)json_integer_value(json_object_get(it, "newReplays")));
            if (json_is_string(json_object_get(it, "error"))) printf(": %s", s_or(it, "error", ""));
            putchar('\n');
        }
        printf("%s: %zu selected, %zu replayed, %zu refused, %zu failed%s\n", outcome, c.count, ok,
               refused, failed, c.more ? " (stopped at --limit: more match)" : "");
        json_decref(items);
    }
    if (refused)
        fprintf(stderr,
                "gregor dlq replay: %zu of %zu selected message%s refused; nothing was replayed\n",
                refused, c.count, c.count == 1 ? "" : "s");
    mm_dlq_replayer_free(c.r);
    free_picks(&c);
    return status;
}

/* ---- purge --------------------------------------------------------------- */

static int cmd_purge(const dlq_opts *o, mm_dlq *d) {
    assert(o->group != NULL);
    int rc = check_partition(o, d);
    if (rc) return rc;
    char err[512], state[64] = "";
    int members = 0;
    if (mm_dlq_group_members(d, o->group, &members, state, sizeof state, (int)o->timeout_ms, err,
                             sizeof err) != 0)
        return fail(o, "%s", err);
    if (members > 0)
        return fail(
            o,
            "group %s has %d active member%s (state %s): stop its consumers first; purge moves the "
            "offsets of a group without members only",
            o->group, members, members == 1 ? "" : "s", state);
    size_t np = mm_dlq_partition_count(d);
    int64_t *cur = calloc(np, sizeof *cur), *next = calloc(np, sizeof *next);
    if (!cur || !next) {
        free(cur);
        free(next);
        return fail(o, "out of memory");
    }
    if (mm_dlq_committed(d, o->group, cur, (int)o->timeout_ms, err, sizeof err) != 0) {
        free(cur);
        free(next);
        return fail(o, "%s", err);
    }
    char problem[512] = "";
    for (size_t i = 0; i < np; i++) {
        const mm_dlq_partition *p = mm_dlq_partition_at(d, i);
        next[i] = -1;
        if (!selected_partition(o, p)) continue;
        int64_t target = o->to >= 0 ? o->to + 1 : p->high;
        if (target > p->high && !problem[0])
            snprintf(problem, sizeof problem,
                     "--to %lld is past the end of %s[%d] (its last offset is %lld)", o->to,
                     mm_dlq_topic(d), (int)p->id, (long long)p->high - 1);
        else if (cur[i] > target && !o->force && !problem[0])
            snprintf(problem, sizeof problem,
                     "group %s is already at %lld on %s[%d]: committing %lld would move it back "
                     "(--force does)",
                     o->group, (long long)cur[i], mm_dlq_topic(d), (int)p->id, (long long)target);
        next[i] = target;
    }
    if (problem[0]) {
        free(cur);
        free(next);
        return fail(o, "%s", problem);
    }
    if (!o->dry_run && mm_dlq_commit(d, o->group, next, (int)o->timeout_ms, err, sizeof err) != 0) {
        free(cur);
        free(next);
        return fail(o, "%s", err);
    }
    json_t *parts = json_array();
    for (size_t i = 0; i < np; i++) {
        if (next[i] < 0) continue;
        const mm_dlq_partition *p = mm_dlq_partition_at(d, i);
        json_array_append_new(parts,
                              json_pack("{s:i,s:o,s:I,s:I}", "partition", (int)p->id, "from",
                                        cur[i] >= 0 ? json_integer(cur[i]) : json_null(), "to",
                                        (json_int_t)next[i], "skipped",
                                        (json_int_t)(next[i] - (cur[i] >= 0 ? cur[i] : p->low))));
    }
    const char *outcome = o->dry_run ? "dry run: nothing was committed" : "purged";
    if (o->json) {
        json_t *doc = json_pack("{s:s,s:s,s:s,s:o}", "topic", mm_dlq_topic(d), "group", o->group,
                                "outcome", outcome, "partitions", parts);
        print_json(doc);
        json_decref(doc);
    } else {
        printf("%s: group %s on %s\n", outcome, o->group, mm_dlq_topic(d));
        size_t i;
        json_t *pj;
        json_array_foreach(parts, i, pj) {
            json_t *from = json_object_get(pj, "from");
            char fb[32];
            if (json_is_integer(from))
                snprintf(fb, sizeof fb, "%lld", (long long)json_integer_value(from));
            else
                snprintf(fb, sizeof fb, "(none)");
            printf("  partition %lld: committed %s -> %lld\n",
                   (long long)json_integer_value(json_object_get(pj, "partition")), fb,
                   (long long)json_integer_value(json_object_get(pj, "to")));
        }
        json_decref(parts);
    }
    free(cur);
    free(next);
    return GREGOR_EXIT_OK;
}

/* ---- the command --------------------------------------------------------- */

int gregor_cmd_dlq(int argc, char **argv) {
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? GREGOR_EXIT_USAGE : GREGOR_EXIT_OK;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "replay") && strcmp(sub, "purge"))
        return gregor_usage_error("dlq", "unknown subcommand '%s' (list, show, replay or purge)",
                                  sub);
    dlq_opts o;
    int rc = parse_args(argc - 1, argv + 1, &o);
    if (rc < 0) return GREGOR_EXIT_OK; /* --help */
    if (rc) return rc;
    if (strcmp(sub, "show") == 0 && o.offset < 0)
        return gregor_usage_error("dlq", "show needs --offset N (see gregor dlq list)");
    if (strcmp(sub, "purge") == 0 && o.group == NULL)
        return gregor_usage_error(
            "dlq", "purge needs --group G (the group that consumes the dead letters)");
    if (strcmp(sub, "show") && o.offset >= 0)
        return gregor_usage_error("dlq", "--offset is for show (use --from/--to)");
    if (strcmp(sub, "replay") && (o.reason || o.type || o.id))
        return gregor_usage_error("dlq", "--reason, --type and --id select messages for replay");
    gregor_apps apps = {0};
    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("dlq", &apps, 0, o.config, &app, &cfg))) return rc;
    char topic[KAFKA_TOPIC_MAX + sizeof MM_DLQ_SUFFIX + 1];
    size_t tl = strlen(o.topic), sl = strlen(MM_DLQ_SUFFIX);
    if (tl > sl && strcmp(o.topic + tl - sl, MM_DLQ_SUFFIX) == 0)
        snprintf(topic, sizeof topic, "%s", o.topic);
    else
        snprintf(topic, sizeof topic, "%s" MM_DLQ_SUFFIX, o.topic);
    mm_kv *props = calloc(cfg->kafka_property_count + 1, sizeof *props);
    if (props == NULL) {
        mm_app_free(&app);
        mm_config_free(cfg);
        return fail(&o, "out of memory");
    }
    for (size_t i = 0; i < cfg->kafka_property_count; i++)
        props[i] = (mm_kv){cfg->kafka_properties[i].key, cfg->kafka_properties[i].value};
    long long deadline = mm_dlq_now_ms() + o.timeout_ms;
    char err[512];
    int orc = 0;
    mm_dlq *d = mm_dlq_open(cfg->kafka_bootstrap_servers, props, cfg->kafka_property_count, topic,
                            (int)o.timeout_ms, &orc, err, sizeof err);
    if (d == NULL) {
        rc = fail(&o, "%s", err);
    } else if (strcmp(sub, "list") == 0) {
        rc = cmd_list(&o, d, deadline);
    } else if (strcmp(sub, "show") == 0) {
        rc = cmd_show(&o, d, deadline);
    } else if (strcmp(sub, "replay") == 0) {
        rc = cmd_replay(&o, d, cfg, props, cfg->kafka_property_count, deadline);
    } else {
        rc = cmd_purge(&o, d);
    }
    mm_dlq_close(d);
    free(props);
    mm_app_free(&app);
    mm_config_free(cfg);
    return rc;
}
