/* main.c -- gregor, the Metamorphosis command line: dispatches to subcommands.
 *
 * Usage: gregor [--help|--version] COMMAND [ARGS...]
 * Exit status: 0 success, 1 failure, 2 usage error (unknown command or flag). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bus/kafka_conf.h"
#include "commands.h"
#include "common/suggest.h"
#include "metamorphosis.h"

static const gregor_command commands[] = {
    {"serve", "serve the GraphQL endpoint of the loaded services", gregor_cmd_serve},
    {"worker", "run one consumer of the loaded services in this process", gregor_cmd_worker},
    {"node", "run a consumer node: supervised worker processes for every consumer",
     gregor_cmd_node},
    {"config", "print the default node configuration YAML for the loaded services",
     gregor_cmd_config},
    {"status", "print the service web: nodes, consumers, processes (from Redis)",
     gregor_cmd_status},
    {"schema", "print the merged GraphQL schema as SDL", gregor_cmd_schema},
    {"dlq", "list, show, replay or purge the dead letters in <topic>.dlq", gregor_cmd_dlq},
    {"broker", "run an in-memory development Kafka broker (keeps nothing)", gregor_cmd_broker},
};
static const size_t command_count = sizeof(commands) / sizeof(commands[0]);

static void print_usage(FILE *out) {
    fprintf(out, "Usage: gregor [--help] [--version] COMMAND [ARGS...]\n\n"
                 "Metamorphosis: GraphQL event mutations over Kafka and Redis.\n\n"
                 "Commands:\n");
    for (size_t i = 0; i < command_count; i++)
        fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nRun 'gregor COMMAND --help' for a command's options.\n");
}

int main(int argc, char **argv) {
    if (argc < 2) {
        print_usage(stderr);
        return GREGOR_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_usage(stdout);
        return GREGOR_EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("gregor (metamorphosis) %s\n", mm_version());
        return GREGOR_EXIT_OK;
    }
    if (name[0] == '-') {
        fprintf(stderr, "gregor: unknown option '%s'\n", name);
        print_usage(stderr);
        return GREGOR_EXIT_USAGE;
    }
    /* MM_LOG_FORMAT picks the log line format (common/log.h); a value we
     * do not know would silently give text to a machine expecting JSON. */
    const char *format = getenv("MM_LOG_FORMAT");
    if (format && *format && strcasecmp(format, "json") != 0 && strcasecmp(format, "text") != 0) {
        fprintf(stderr, "gregor: MM_LOG_FORMAT='%s' is not 'text' or 'json'\n", format);
        return GREGOR_EXIT_USAGE;
    }
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0) {
            mm_kafka_set_role(name); /* librdkafka's log lines say which gregor */
            return commands[i].run(argc - 1, argv + 1);
        }
    mm_suggest sg;
    mm_suggest_init(&sg, name);
    for (size_t i = 0; i < command_count; i++) mm_suggest_offer(&sg, commands[i].name);
    char hint[96];
    fprintf(stderr, "gregor: unknown command '%s'%s\n", name,
            mm_suggest_hint(&sg, hint, sizeof hint));
    print_usage(stderr);
    return GREGOR_EXIT_USAGE;
}
