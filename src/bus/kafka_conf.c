/* kafka_conf.c -- librdkafka configuration from bootstrap + defaults + user
 * pass-through properties, and librdkafka's log through ours; see
 * kafka_conf.h. */
#include "bus/kafka_conf.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/log.h"

/* ---- property scopes, from librdkafka's own table ---------------------------- */

typedef struct scope_entry {
    char *name;
    mm_kafka_scope scope;
} scope_entry;

static scope_entry *scopes;
static size_t scope_count;
static pthread_once_t scopes_once = PTHREAD_ONCE_INIT;

/* rd_kafka_conf_properties_show() prints CONFIGURATION.md's tables:
 * "name | C/P | range | default | importance | description" rows, C/P being
 * C, P or *. Reading them keeps us in step with the installed librdkafka. */
static void load_scopes(void) {
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return;
    rd_kafka_conf_properties_show(f);
    fclose(f);
    size_t cap = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next) *next++ = '\0';
        char *bar = strchr(line, '|');
        if (!bar) continue;
        char *name_end = bar;
        while (name_end > line && name_end[-1] == ' ') name_end--;
        char *cp = bar + 1;
        while (*cp == ' ') cp++;
        mm_kafka_scope sc = *cp == 'C'   ? MM_KAFKA_SCOPE_CONSUMER
                            : *cp == 'P' ? MM_KAFKA_SCOPE_PRODUCER
                            : *cp == '*' ? MM_KAFKA_SCOPE_BOTH
                                         : MM_KAFKA_SCOPE_UNKNOWN;
        if (sc == MM_KAFKA_SCOPE_UNKNOWN || name_end == line || cp[1] != ' ') continue;
        if (scope_count == cap) {
            size_t ncap = cap ? cap * 2 : 256;
            scope_entry *v = realloc(scopes, ncap * sizeof *v);
            if (!v) break;
            scopes = v;
            cap = ncap;
        }
        char *name = strndup(line, (size_t)(name_end - line));
        if (!name) break;
        scopes[scope_count++] = (scope_entry){name, sc};
    }
    free(text);
}

mm_kafka_scope mm_kafka_property_scope(const char *key) {
    pthread_once(&scopes_once, load_scopes);
    if (strncmp(key, "kafka.", 6) == 0) key += 6;
    for (size_t i = 0; i < scope_count; i++)
        if (strcmp(scopes[i].name, key) == 0) return scopes[i].scope;
    return MM_KAFKA_SCOPE_UNKNOWN;
}

/* ---- librdkafka's log through ours --------------------------------------------- */

static char role[64] = "gregor";

void mm_kafka_set_role(const char *r) { snprintf(role, sizeof role, "%s", r && *r ? r : "gregor"); }

/* Facilities whose lines are routine at their level: debug for us. */
static int is_noise(const char *facility) { return strcmp(facility, "AUTOCREATE") == 0; }

void mm_kafka_log_line(const rd_kafka_t *rk, int level, const char *facility, const char *text) {
    /* syslog levels: 0-3 error, 4 warning, 5 notice and 6 info, 7 debug. */
    mm_log_level ours = level <= 3   ? MM_LOG_ERROR
                        : level == 4 ? MM_LOG_WARN
                        : level <= 6 ? MM_LOG_INFO
                                     : MM_LOG_DEBUG;
    if (facility && is_noise(facility)) ours = MM_LOG_DEBUG;
    if (!mm_log_enabled(ours)) return;
    const char *client = "client";
    if (rk) client = rd_kafka_type(rk) == RD_KAFKA_PRODUCER ? "producer" : "consumer";
    char q[1600], name[300];
    mm_log_write(ours, "msg=%s component=kafka client=%s role=%s facility=%s name=%s",
                 mm_log_quote(text ? text : "", q, sizeof q), client, role,
                 facility ? facility : "-",
                 mm_log_quote(rk ? rd_kafka_name(rk) : "-", name, sizeof name));
}

static void log_cb(const rd_kafka_t *rk, int level, const char *facility, const char *text) {
    mm_kafka_log_line(rk, level, facility, text);
}

void mm_kafka_conf_use_our_log(rd_kafka_conf_t *conf) { rd_kafka_conf_set_log_cb(conf, log_cb); }

/* ---- statistics.interval.ms: the requests a client sent -------------------------- */

/* One info line per statistics report: the requests this client has sent
 * since it started, summed over its broker connections (bootstrap, real and
 * coordinator), in total and per API, and how often its broker threads woke
 * up (a thread spinning on 0 ms polls shows there). The counters are
 * cumulative, so the
 * requests between two lines are their difference (bench/service/
 * kafka_requests.sh counts the requests per synchronous mutation this way). */
size_t mm_kafka_stats_summary(const char *json, size_t len, char *out, size_t out_size) {
    assert(out_size > 0);
    out[0] = '\0';
    json_t *root = json_loadb(json, len, 0, NULL);
    json_t *brokers = root ? json_object_get(root, "brokers") : NULL;
    if (!json_is_object(brokers)) {
        json_decref(root);
        return 0;
    }
    /* Per API: the few names this project's clients send, in a fixed order so
     * that lines compare; anything else under "other". */
    static const char *const apis[] = {
        "Produce",     "Fetch",           "ListOffsets",   "Metadata",  "OffsetCommit",
        "OffsetFetch", "FindCoordinator", "JoinGroup",     "Heartbeat", "LeaveGroup",
        "SyncGroup",   "ApiVersion",      "InitProducerId"};
    enum {
        NAPI = sizeof apis / sizeof *apis
    };
    json_int_t per[NAPI + 1] = {0}, tx = 0, rx = 0, wakeups = 0;
    const char *bname;
    json_t *b;
    json_object_foreach(brokers, bname, b) {
        tx += json_integer_value(json_object_get(b, "tx"));
        rx += json_integer_value(json_object_get(b, "rx"));
        wakeups += json_integer_value(json_object_get(b, "wakeups"));
        const char *api;
        json_t *n;
        json_t *req = json_object_get(b, "req");
        json_object_foreach(req, api, n) {
            size_t i = 0;
            while (i < NAPI && strcmp(apis[i], api) != 0) i++;
            per[i] += json_integer_value(n);
        }
    }
    json_decref(root);
    size_t used = 0;
    int w = snprintf(out, out_size, "tx=%lld rx=%lld wakeups=%lld", (long long)tx, (long long)rx,
                     (long long)wakeups);
    if (w < 0 || (size_t)w >= out_size) return 0;
    used = (size_t)w;
    for (size_t i = 0; i <= NAPI; i++) {
        if (per[i] == 0) continue;
        w = snprintf(out + used, out_size - used, " req_%s=%lld", i < NAPI ? apis[i] : "other",
                     (long long)per[i]);
        if (w < 0 || (size_t)w >= out_size - used) {
            out[used] = '\0'; /* what fits, whole fields only */
            break;
        }
        used += (size_t)w;
    }
    return used;
}

static int stats_cb(rd_kafka_t *rk, char *json, size_t len, void *opaque) {
    (void)opaque;
    char line[600];
    if (mm_log_enabled(MM_LOG_INFO) && mm_kafka_stats_summary(json, len, line, sizeof line) > 0) {
        char name[300];
        mm_log_info("msg=\"kafka statistics\" component=kafka client=%s role=%s name=%s %s",
                    rd_kafka_type(rk) == RD_KAFKA_PRODUCER ? "producer" : "consumer", role,
                    mm_log_quote(rd_kafka_name(rk), name, sizeof name), line);
    }
    return 0; /* librdkafka frees json */
}

/* ---- building ------------------------------------------------------------------ */

static int apply(rd_kafka_conf_t *conf, const char *key, const char *value, char *err,
                 size_t err_size) {
    char why[512];
    if (key == NULL || value == NULL) {
        snprintf(err, err_size, "Kafka property with a missing key or value");
        return -1;
    }
    if (strncmp(key, "kafka.", 6) == 0) key += 6;
    if (rd_kafka_conf_set(conf, key, value, why, sizeof why) != RD_KAFKA_CONF_OK) {
        /* Error messages get logged: the value of a property that may hold a
         * secret (sasl.password, ssl.key.password, ...; a misspelt name
         * too) is not repeated, neither by us nor through librdkafka's text. */
        int secret = strstr(key, "password") || strstr(key, "pasword") || strstr(key, "secret") ||
                     strstr(key, "token") || strstr(key, "sasl") || strstr(key, "ssl.key") ||
                     strstr(key, "jaas");
        if (secret)
            snprintf(err, err_size, "Kafka property %s=***: %s", key,
                     value[0] && strstr(why, value) ? "invalid value" : why);
        else
            snprintf(err, err_size, "Kafka property %s=%s: %s", key, value, why);
        return -1;
    }
    return 0;
}

/* The kind of client the defaults configure: BOTH when they do not say. */
static mm_kafka_scope client_of(const mm_kv *defaults, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (!defaults[i].key) continue;
        mm_kafka_scope s = mm_kafka_property_scope(defaults[i].key);
        if (s == MM_KAFKA_SCOPE_CONSUMER || s == MM_KAFKA_SCOPE_PRODUCER) return s;
    }
    return MM_KAFKA_SCOPE_BOTH;
}

rd_kafka_conf_t *mm_kafka_conf_new(const char *bootstrap, const mm_kv *defaults, size_t ndefaults,
                                   const mm_kv *props, size_t nprops, char *err, size_t err_size) {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (conf == NULL) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    mm_kafka_conf_use_our_log(conf);
    mm_kafka_scope client = client_of(defaults, ndefaults);
    if (bootstrap != NULL && apply(conf, "bootstrap.servers", bootstrap, err, err_size) != 0)
        goto fail;
    for (size_t i = 0; i < ndefaults; i++)
        if (apply(conf, defaults[i].key, defaults[i].value, err, err_size) != 0) goto fail;
    for (size_t i = 0; i < nprops; i++) {
        if (props[i].key && client != MM_KAFKA_SCOPE_BOTH) {
            mm_kafka_scope s = mm_kafka_property_scope(props[i].key);
            if ((s == MM_KAFKA_SCOPE_CONSUMER || s == MM_KAFKA_SCOPE_PRODUCER) && s != client) {
                mm_log_debug(
                    "msg=\"kafka: property left out\" property=%s reason=\"%s only\" client=%s",
                    props[i].key, s == MM_KAFKA_SCOPE_CONSUMER ? "consumer" : "producer",
                    client == MM_KAFKA_SCOPE_CONSUMER ? "consumer" : "producer");
                continue;
            }
        }
        if (apply(conf, props[i].key, props[i].value, err, err_size) != 0) goto fail;
    }
    char interval[24];
    size_t interval_size = sizeof interval;
    if (rd_kafka_conf_get(conf, "statistics.interval.ms", interval, &interval_size) ==
            RD_KAFKA_CONF_OK &&
        strcmp(interval, "0") != 0)
        rd_kafka_conf_set_stats_cb(conf, stats_cb);
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}
