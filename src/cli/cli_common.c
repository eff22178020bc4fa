/* cli_common.c -- shared subcommand plumbing (cli_common.h). */
#include "cli_common.h"

#include <getopt.h>
#include <unistd.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "bus/envelope.h"
#include "common/log.h"
#include "common/suggest.h"
#include "service/service_internal.h"

int gregor_apps_add(gregor_apps *apps, const char *cmd, const char *path) {
    if (apps->count == GREGOR_MAX_APPS) {
        fprintf(stderr, "gregor %s: at most %d --app options\n", cmd, GREGOR_MAX_APPS);
        return GREGOR_EXIT_USAGE;
    }
    apps->paths[apps->count++] = path;
    return 0;
}

int gregor_open(const char *cmd, const gregor_apps *apps, int require_app, const char *config_path,
                mm_app *app, mm_config **cfg) {
    char err[1024];
    memset(app, 0, sizeof(*app));
    *cfg = NULL;
    if (require_app && apps->count == 0) {
        fprintf(stderr, "gregor %s: give at least one --app SERVICE.so\nTry 'gregor %s --help'.\n",
                cmd, cmd);
        return GREGOR_EXIT_USAGE;
    }
    if (mm_config_open(config_path, cfg, err, sizeof err)) {
        fprintf(stderr, "gregor %s: %s\n", cmd, err);
        return GREGOR_EXIT_FAILURE;
    }
    /* Before any thread: the envelope reads it without a lock. */
    if (mm_envelope_set_type_prefix((*cfg)->event_type_prefix)) {
        fprintf(
            stderr,
            "gregor %s: event_type_prefix '%s' is not a type prefix (letters, digits, '.', '-', "
            "'_', no leading or trailing '.', at most %d bytes)\n",
            cmd, (*cfg)->event_type_prefix, MM_ENVELOPE_TYPE_PREFIX_MAX);
        mm_config_free(*cfg);
        *cfg = NULL;
        return GREGOR_EXIT_FAILURE;
    }
    for (size_t i = 0; i < apps->count; i++) {
        if (mm_app_load(app, apps->paths[i], err, sizeof err)) {
            fprintf(stderr, "gregor %s: %s\n", cmd, err);
            mm_app_free(app);
            mm_config_free(*cfg);
            *cfg = NULL;
            return GREGOR_EXIT_FAILURE;
        }
    }
    /* A typo in a top-level key would otherwise read as an unknown service. */
    if (apps->count > 0 && mm_app_check_config(app, *cfg, err, sizeof err)) {
        fprintf(stderr, "gregor %s: %s\n", cmd, err);
        mm_app_free(app);
        mm_config_free(*cfg);
        *cfg = NULL;
        return GREGOR_EXIT_FAILURE;
    }
    return 0;
}

void gregor_block_signals(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
}

int gregor_wait_signal(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    return sig;
}

int gregor_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "gregor %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nTry 'gregor %s --help'.\n", cmd);
    va_end(ap);
    return GREGOR_EXIT_USAGE;
}

int gregor_option_error(const char *cmd, int getopt_result, char **argv) {
    const char *opt = argv[optind - 1];
    if (getopt_result == ':') return gregor_usage_error(cmd, "option '%s' needs a value", opt);
    return gregor_usage_error(cmd, "unknown option '%s'", opt);
}

const char *gregor_consumer_hint(const mm_app *app, const char *name, char *buf, size_t size) {
    mm_suggest sg;
    mm_suggest_init(&sg, name);
    /* Offer both spellings: NAME and SERVICE.NAME. The qualified ones are
     * built in one block that outlives the search (up to 64 of them). */
    enum {
        QUALIFIED = 64,
        QUALIFIED_LEN = 256
    };
    char(*qualified)[QUALIFIED_LEN] = calloc(QUALIFIED, QUALIFIED_LEN);
    size_t q = 0;
    for (size_t i = 0; i < app->service_count; i++) {
        const mm_service *s = app->services[i];
        for (size_t j = 0; j < s->consumer_count; j++) {
            mm_suggest_offer(&sg, s->consumers[j]->name);
            if (qualified && q < QUALIFIED) {
                snprintf(qualified[q], QUALIFIED_LEN, "%s.%s", s->name, s->consumers[j]->name);
                mm_suggest_offer(&sg, qualified[q++]);
            }
        }
    }
    if (sg.best) {
        mm_suggest_hint(&sg, buf, size);
        free(qualified);
        return buf;
    }
    free(qualified);
    size_t used = (size_t)snprintf(buf, size, " (the loaded services have:");
    int any = 0;
    for (size_t i = 0; i < app->service_count && used < size; i++) {
        const mm_service *s = app->services[i];
        for (size_t j = 0; j < s->consumer_count && used < size; j++, any = 1)
            used += (size_t)snprintf(buf + used, size - used, "%s %s", any ? "," : "",
                                     s->consumers[j]->name);
    }
    if (used < size) snprintf(buf + used, size - used, "%s)", any ? "" : " no consumers");
    return buf;
}
