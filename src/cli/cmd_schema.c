/* cmd_schema.c -- `gregor schema`: print the merged schema of the loaded
 * services as SDL (what `gregor serve` would serve). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli_common.h"
#include "commands.h"
#include "manager/manager.h"
#include "service/schema_merge.h"

static void usage(FILE *out) {
    fprintf(out,
            "Usage: gregor schema --app SERVICE.so [--app ...] [--manager] [--help]\n"
            "\n"
            "Print the one GraphQL schema that `gregor serve` builds from these services,\n"
            "as SDL. Connects to nothing.\n"
            "\n"
            "  --manager   include manager mode's service-web fields (gregor serve --manager)\n");
}

int gregor_cmd_schema(int argc, char **argv) {
    static const struct option options[] = {
        {"app", required_argument, NULL, 'a'},
        {"manager", no_argument, NULL, 'm'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    gregor_apps apps = {0};
    int manager = 0;
    opterr = 0;
    optind = 1;
    int c, rc;
    while ((c = getopt_long(argc, argv, ":h", options, NULL)) != -1) {
        switch (c) {
        case 'a':
            if ((rc = gregor_apps_add(&apps, "schema", optarg))) return rc;
            break;
        case 'm': manager = 1; break;
        case 'h': usage(stdout); return GREGOR_EXIT_OK;
        default: return gregor_option_error("schema", c, argv);
        }
    }
    if (optind < argc)
        return gregor_usage_error("schema", "unexpected argument '%s'", argv[optind]);
    mm_app app;
    mm_config *cfg;
    if ((rc = gregor_open("schema", &apps, 1, NULL, &app, &cfg))) return rc;
    char err[1024];
    /* Printing needs the fields, not their resolvers: no binding. */
    mm_schema_extra manager_fields = {"manager", mm_manager_sdl, NULL, NULL};
    mm_gql_schema *schema = mm_services_build_schema(
        app.services, app.service_count, &manager_fields, manager ? 1 : 0, NULL, err, sizeof err);
    int status = GREGOR_EXIT_FAILURE;
    if (!schema) {
        fprintf(stderr, "gregor schema: %s\n", err);
    } else {
        char *sdl = mm_gql_schema_print(schema);
        if (sdl) {
            fputs(sdl, stdout);
            if (sdl[0]) fputc('\n', stdout);
            status = GREGOR_EXIT_OK;
        }
        free(sdl);
        mm_gql_schema_free(schema);
    }
    mm_app_free(&app);
    mm_config_free(cfg);
    return status;
}
