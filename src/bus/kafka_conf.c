/* kafka_conf.c -- librdkafka configuration from bootstrap + defaults + user
 * pass-through properties, and librdkafka's log through ours; see
 * kafka_conf.h. */
#include "bus/kafka_conf.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}
