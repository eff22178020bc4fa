/* plan.c -- checking a node config against the services, and printing the
 * default one (plan.h). */
#include "node/plan.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "metamorphosis.h"

static const mm_service *find_service(mm_service *const *services, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(services[i]->name, name) == 0) return services[i];
    return NULL;
}

/* "a, b, c" into buf. */
static void list_names(char *buf, size_t size, size_t n, const char *(*name)(const void *, size_t),
                       const void *ctx) {
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", name(ctx, i));
}

static const char *service_name_at(const void *ctx, size_t i) {
    return ((mm_service *const *)ctx)[i]->name;
}

static const char *consumer_name_at(const void *ctx, size_t i) {
    return ((const mm_service *)ctx)->consumers[i]->name;
}

int mm_plan_build(const mm_config *cfg, mm_service *const *services, size_t service_count,
                  mm_plan *out, char *err, size_t err_size) {
    memset(out, 0, sizeof *out);
    const char *file = cfg->source ? cfg->source : "<config>";
    char names[512];
    for (size_t i = 0; i < cfg->consumer_count; i++) {
        const mm_consumer_settings *cs = &cfg->consumers[i];
        const mm_service *s = find_service(services, service_count, cs->service);
        if (!s) {
            list_names(names, sizeof names, service_count, service_name_at, services);
            snprintf(err, err_size, "%s:%u: service '%s' is not loaded (loaded: %s)", file,
                     cs->line, cs->service, names[0] ? names : "none");
            return MM_EINVAL;
        }
        if (!mm_service_find_consumer(s, cs->consumer)) {
            list_names(names, sizeof names, s->consumer_count, consumer_name_at, s);
            snprintf(err, err_size, "%s:%u: service '%s' has no consumer '%s' (it has: %s)", file,
                     cs->line, cs->service, cs->consumer, names[0] ? names : "none");
            return MM_EINVAL;
        }
        if (cs->procs < 0 || (cs->harakiri_jitter >= 0 && cs->harakiri_limit < 0)) {
            snprintf(
                err, err_size, "%s:%u: key '%s.%s': %s", file, cs->line, cs->service, cs->consumer,
                cs->procs < 0 ? "procs must be >= 0" : "harakiri_jitter needs a harakiri_limit");
            return MM_EINVAL;
        }
    }
    size_t total = 0;
    for (size_t i = 0; i < service_count; i++) total += services[i]->consumer_count;
    out->entries = calloc(total ? total : 1, sizeof *out->entries);
    if (!out->entries) {
        snprintf(err, err_size, "out of memory");
        return MM_ENOMEM;
    }
    for (size_t i = 0; i < service_count; i++) {
        for (size_t j = 0; j < services[i]->consumer_count; j++) {
            const mm_consumer_spec *spec = services[i]->consumers[j];
            const mm_consumer_settings *cs =
                mm_config_find_consumer(cfg, services[i]->name, spec->name);
            out->entries[out->count++] = (mm_plan_entry){
                .spec = spec,
                .procs = cs ? cs->procs : 1,
                .harakiri_limit = cs ? cs->harakiri_limit : MM_CONFIG_UNSET,
                .harakiri_jitter = cs ? cs->harakiri_jitter : MM_CONFIG_UNSET,
                .max_age_seconds = cs ? cs->max_age_seconds : MM_CONFIG_UNSET,
            };
        }
    }
    return 0;
}

void mm_plan_free(mm_plan *plan) {
    free(plan->entries);
    memset(plan, 0, sizeof *plan);
}

/* Whether s reads back as the same string when printed plain: a letter,
 * then letters, digits and ._-/: ; and no word YAML 1.1 reads as a boolean
 * or null. */
static int plain_ok(const char *s) {
    static const char *const words[] = {"true", "false", "yes", "no", "on",
                                        "off",  "null",  "y",   "n"};
    if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z'))) return 0;
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/:", *p))
            return 0;
    for (size_t i = 0; i < sizeof words / sizeof *words; i++)
        if (strcasecmp(s, words[i]) == 0) return 0;
    return 1;
}

/* A YAML scalar: plain when that is safe, else double-quoted (JSON string
 * syntax is valid YAML). */
static void print_quoted(FILE *out, const char *s) {
    if (plain_ok(s)) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* Whether a Kafka property may hold a secret (as bus/kafka_conf.c judges). */
static int secret_property(const char *key) {
    return strstr(key, "password") || strstr(key, "pasword") || strstr(key, "secret") ||
           strstr(key, "token") || strstr(key, "sasl") || strstr(key, "ssl.key") ||
           strstr(key, "jaas");
}

/* A Redis URL with its password replaced by REDACTED (the printed file may
 * end up in a repository or a ticket); *redacted tells whether it had one. */
static void print_redis_url(FILE *out, const char *url, int *redacted) {
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : url;
    const char *end = auth + strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < end; p++)
        if (*p == '@') at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (!colon) {
        print_quoted(out, url);
        return;
    }
    char buf[1024];
    snprintf(buf, sizeof buf, "%.*sREDACTED%s", (int)(colon + 1 - url), url, at);
    print_quoted(out, buf);
    *redacted = 1;
}

static void print_optional(FILE *out, const char *key, long v) {
    if (v < 0)
        fprintf(out, "    %s: null\n", key);
    else
        fprintf(out, "    %s: %ld\n", key, v);
}

int mm_plan_print_default(FILE *out, const mm_config *cfg, mm_service *const *services,
                          size_t service_count, long harakiri_limit, long harakiri_jitter,
                          const char *node_name) {
    fprintf(out, "# Node configuration for gregor node --config (docs/node.md).\n");
    if (node_name) {
        fprintf(out, "# Node: ");
        print_quoted(out, node_name);
        fputc('\n', out);
    }
    fprintf(out, "service_web_topic: ");
    print_quoted(out, cfg->service_web_topic);
    fprintf(out, "\nkafka:\n  bootstrap_servers: ");
    print_quoted(out, cfg->kafka_bootstrap_servers);
    if (cfg->kafka_property_count) fprintf(out, "\n  properties:");
    int redacted = 0;
    for (size_t i = 0; i < cfg->kafka_property_count; i++) {
        const char *key = cfg->kafka_properties[i].key;
        if (secret_property(key)) {
            /* Secrets stay out of printed files: MM_KAFKA_PROP_* sets them. */
            fprintf(out, "\n    # %s: not printed (a secret)", key);
            redacted = 1;
            continue;
        }
        fprintf(out, "\n    ");
        print_quoted(out, key);
        fprintf(out, ": ");
        print_quoted(out, cfg->kafka_properties[i].value);
    }
    fprintf(out, "\nredis:\n  url: ");
    print_redis_url(out, cfg->redis_results_url, &redacted);
    if (strcmp(cfg->redis_state_url, cfg->redis_results_url) != 0) {
        fprintf(out, "\n  state_url: ");
        print_redis_url(out, cfg->redis_state_url, &redacted);
    }
    if (strcmp(cfg->redis_status_url, cfg->redis_results_url) != 0) {
        fprintf(out, "\n  status_url: ");
        print_redis_url(out, cfg->redis_status_url, &redacted);
    }
    fputc('\n', out);
    if (redacted)
        fprintf(out, "# Secrets are not printed: set them in the environment (MM_REDIS_URL,\n"
                     "# MM_KAFKA_PROP_*), which overrides this file, or edit them in.\n");
    for (size_t i = 0; i < service_count; i++) {
        const mm_service *s = services[i];
        print_quoted(out, s->name);
        fprintf(out, ":%s\n", s->consumer_count ? "" : " {}");
        for (size_t j = 0; j < s->consumer_count; j++) {
            fprintf(out, "  ");
            print_quoted(out, s->consumers[j]->name);
            fprintf(out, ":\n    procs: 1\n");
            print_optional(out, "harakiri_limit", harakiri_limit);
            print_optional(out, "harakiri_jitter", harakiri_jitter);
            fprintf(out, "    max_age_seconds: null\n");
        }
    }
    return ferror(out) ? MM_EIO : 0;
}
