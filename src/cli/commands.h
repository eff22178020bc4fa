/* commands.h -- the gregor subcommands. Each takes the arguments after its
 * name (argv[0] is the subcommand) and returns the process exit status:
 * 0 success, 1 failure at run time, 2 usage error. */
#ifndef MM_CLI_COMMANDS_H
#define MM_CLI_COMMANDS_H

typedef int (*gregor_command_fn)(int argc, char **argv);

typedef struct gregor_command {
    const char *name;
    const char *summary;
    gregor_command_fn run;
} gregor_command;

int gregor_cmd_broker(int argc, char **argv);
int gregor_cmd_serve(int argc, char **argv);
int gregor_cmd_schema(int argc, char **argv);
int gregor_cmd_worker(int argc, char **argv);
int gregor_cmd_node(int argc, char **argv);
int gregor_cmd_config(int argc, char **argv);
int gregor_cmd_status(int argc, char **argv);
int gregor_cmd_dlq(int argc, char **argv);

/* Exit statuses shared by every subcommand. */
enum {
    GREGOR_EXIT_OK = 0,
    GREGOR_EXIT_FAILURE = 1,
    GREGOR_EXIT_USAGE = 2
};

#endif
