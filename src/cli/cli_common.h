/* cli_common.h -- what several gregor subcommands share: loading --app
 * services and the configuration, and waiting for SIGINT/SIGTERM. */
#ifndef MM_CLI_COMMON_H
#define MM_CLI_COMMON_H

#include <signal.h>
#include <stddef.h>

#include "common/config.h"
#include "service/app.h"

#define GREGOR_MAX_APPS 64

typedef struct gregor_apps {
    const char *paths[GREGOR_MAX_APPS];
    size_t count;
} gregor_apps;

/* Records one --app PATH; returns 0, or 2 (usage) when there are too many. */
int gregor_apps_add(gregor_apps *apps, const char *cmd, const char *path);

/* Loads the services and the configuration (file or defaults, then the
 * environment). Prints errors prefixed with "gregor CMD: ". Returns 0 or
 * the exit status to return. On failure nothing stays loaded. */
int gregor_open(const char *cmd, const gregor_apps *apps, int require_app, const char *config_path,
                mm_app *app, mm_config **cfg);

/* Blocks SIGINT and SIGTERM in this thread and every thread it starts
 * afterwards, so that gregor_wait_signal() alone receives them. */
void gregor_block_signals(void);

/* Waits for SIGINT or SIGTERM and returns which. */
int gregor_wait_signal(void);

/* Prints "gregor CMD: MESSAGE" and the --help hint on stderr; returns the
 * usage exit status (2), for `return gregor_usage_error(...)`. */
int gregor_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The error for getopt_long's ':' (missing value) or '?' (unknown option)
 * for the option at argv[optind - 1]; returns 2. */
int gregor_option_error(const char *cmd, int getopt_result, char **argv);

/* For "no consumer named NAME": " (did you mean 'CLOSEST'?)", or when none
 * is close " (the loaded services have: a, b, ...)". Returns buf. */
const char *gregor_consumer_hint(const mm_app *app, const char *name, char *buf, size_t size);

#endif
