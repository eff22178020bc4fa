/* cmd_broker.c -- placeholder; replaced by the development broker. */
#include <stdio.h>
#include "commands.h"
int gregor_cmd_broker(int argc, char **argv) { (void)argc; (void)argv; fprintf(stderr, "gregor broker: not built yet\n"); return GREGOR_EXIT_FAILURE; }
