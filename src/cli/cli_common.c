/* cli_common.c -- shared subcommand plumbing (cli_common.h). */
#include "cli_common.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "bus/envelope.h"
#include "common/log.h"

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
    int rc = config_path ? mm_config_load_file(config_path, cfg, err, sizeof err)
                         : mm_config_defaults(cfg, err, sizeof err);
    if (rc) {
        fprintf(stderr, "gregor %s: %s\n", cmd, err);
        return GREGOR_EXIT_FAILURE;
    }
    int level = mm_log_level_from_name((*cfg)->log_level);
    if (level >= 0) mm_log_set_level((mm_log_level)level);
    /* Before any thread: the envelope reads it without a lock. */
    if (mm_envelope_set_type_prefix((*cfg)->event_type_prefix)) {
        fprintf(stderr, "gregor %s: event_type_prefix '%s' is not a type prefix (letters, digits, '.', '-', "
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

int gregor_parse_host_port(const char *text, char *host, size_t host_size, unsigned *port) {
    const char *colon = strrchr(text, ':');
    if (!colon || colon == text || (size_t)(colon - text) >= host_size) return -1;
    char *end;
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || p < 0 || p > 65535) return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    *port = (unsigned)p;
    return 0;
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
