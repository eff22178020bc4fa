/* bench_engine.c -- throughput of our GraphQL engine, phase by phase.
 *
 *   bench_graphql_engine DIR [SECONDS [DOC [PHASE]]]   prints "RESULT doc phase ops/s iterations"
 *                                          (DOC/PHASE pick one document/phase, e.g. for perf)
 *   bench_graphql_engine DIR --dump        prints each document's response (for run.sh's check)
 *
 * DIR holds schema.graphql and the documents introspection.graphql,
 * nested.graphql and mutation.graphql. For each document it times, on one
 * thread, each phase alone and the whole request:
 *   parse     mm_gql_parse into a fresh arena
 *   validate  mm_gql_validate of the parsed document (all rules)
 *   execute   executing the parsed, validated document to the response text
 *   total     parse + validate + execute, as one request
 *   facade    the same request through mm_graphql_request_start (graphql.h,
 *             default options: limits on, no document cache), as HTTP serves it
 * bench_graphqljs.mjs does the same work with graphql-js on the same schema,
 * data and variables, so the two are comparable. Both end with the response
 * as JSON text: ours writes it while executing, graphql-js builds a result
 * object and JSON.stringify writes it. */
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "graphql/error/error.h"
#include "graphql/execution/execute.h"
#include "graphql/graphql.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/validation/validate.h"

typedef struct bench_doc {
    const char *name;
    char *text;
    size_t len;
    json_t *variables;
} bench_doc;

static char *read_file(const char *dir, const char *name, size_t *len) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench: cannot open %s\n", path);
        exit(1);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        fprintf(stderr, "bench: cannot read %s\n", path);
        exit(1);
    }
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The data both benchmarks serve: 4 users x 5 posts x 5 comments. */
static json_t *build_root(void) {
    json_t *users = json_array();
    for (int i = 1; i <= 4; i++) {
        json_t *posts = json_array();
        for (int j = 1; j <= 5; j++) {
            json_t *comments = json_array();
            for (int k = 1; k <= 5; k++) {
                char id[64], text[64], author[32];
                snprintf(id, sizeof id, "c%d-%d-%d", i, j, k);
                snprintf(text, sizeof text, "Comment %d", k);
                snprintf(author, sizeof author, "u%d", k);
                json_array_append_new(
                    comments, json_pack("{s:s,s:s,s:s}", "id", id, "text", text, "author", author));
            }
            char id[32], title[64], body[64];
            snprintf(id, sizeof id, "p%d-%d", i, j);
            snprintf(title, sizeof title, "Post %d of user %d", j, i);
            snprintf(body, sizeof body, "Body text of post %d", j);
            json_array_append_new(posts,
                                  json_pack("{s:s,s:s,s:s,s:i,s:o}", "id", id, "title", title,
                                            "body", body, "likes", i * j, "comments", comments));
        }
        char id[16], name[32], email[64];
        snprintf(id, sizeof id, "u%d", i);
        snprintf(name, sizeof name, "User %d", i);
        snprintf(email, sizeof email, "user%d@example.com", i);
        json_array_append_new(users, json_pack("{s:s,s:s,s:s,s:o}", "id", id, "name", name, "email",
                                               email, "posts", posts));
    }
    return json_pack("{s:o}", "users", users);
}

/* Mutation.createPost: the new post made from the input, as bench_graphqljs.mjs does. */
static json_t *create_post(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud;
    (void)parent;
    (void)info;
    json_t *input = json_object_get(args, "input");
    json_t *body = json_object_get(input, "body");
    return json_pack("{s:s,s:O,s:O,s:i,s:[]}", "id", "new-post", "title",
                     json_object_get(input, "title"), "body", body ? body : json_null(), "likes", 0,
                     "comments");
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct bench_ctx {
    mm_gql_schema *schema;
    json_t *root;
    bench_doc *doc;
    mm_gql_document *parsed; /* for validate/execute alone, in parsed_arena */
} bench_ctx;

static void fail(const char *what, const mm_gql_errors *errors) {
    json_t *j = mm_gql_errors_to_json(errors);
    char *s = json_dumps(j, JSON_COMPACT);
    fprintf(stderr, "bench: %s failed: %s\n", what, s ? s : "?");
    exit(1);
}

/* The response text of doc (malloc'd), as the HTTP server would send it. */
static char *execute_doc(bench_ctx *c, const mm_gql_document *doc) {
    /* With the server's bounds on (graphql.h defaults, a cancel flag and a
     * shared stop time), so their per-field checks are part of what is timed. */
    static const atomic_bool cancel = false;
    static const atomic_uint_least64_t stop_at = 0;
    mm_gql_execute_params p = {
        .schema = c->schema,
        .document = doc,
        .variables = c->doc->variables,
        .root_value = c->root,
        .max_response_bytes = MM_GRAPHQL_DEFAULT_MAX_RESPONSE_BYTES,
        .max_field_resolutions = MM_GRAPHQL_DEFAULT_MAX_FIELD_RESOLUTIONS,
        .timeout_ns = (uint64_t)MM_GRAPHQL_DEFAULT_EXECUTION_TIMEOUT_MS * 1000000u,
        .cancel = &cancel,
        .stop_at_ns = &stop_at,
    };
    char *text = mm_gql_execute_text(&p, NULL);
    if (!text) {
        fprintf(stderr, "bench: out of memory in execute\n");
        exit(1);
    }
    return text;
}

static void op_parse(bench_ctx *c) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    if (!mm_gql_parse(&arena, c->doc->text, c->doc->len, NULL, &errors)) fail("parse", &errors);
    mm_arena_reset(&arena);
}

static void op_validate(bench_ctx *c) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    if (mm_gql_validate(c->schema, c->parsed, NULL, &errors) > 0) fail("validate", &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

static void op_execute(bench_ctx *c) { free(execute_doc(c, c->parsed)); }

static void op_total(bench_ctx *c) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_document *doc = mm_gql_parse(&arena, c->doc->text, c->doc->len, NULL, &errors);
    if (!doc) fail("parse", &errors);
    if (mm_gql_validate(c->schema, doc, NULL, &errors) > 0) fail("validate", &errors);
    free(execute_doc(c, doc));
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

static void op_facade(bench_ctx *c) {
    mm_graphql_request_params p = {
        .query = c->doc->text,
        .query_length = c->doc->len,
        .variables = c->doc->variables,
        .root_value = c->root,
        .allow_mutation = true,
    };
    mm_graphql_request *req = mm_graphql_request_start(c->schema, NULL, &p);
    mm_graphql_outcome outcome = req ? mm_graphql_request_outcome(req) : MM_GRAPHQL_INTERNAL_ERROR;
    char *text = req ? mm_graphql_request_take_response_text(req, NULL) : NULL;
    mm_graphql_request_free(req);
    if (!text || outcome != MM_GRAPHQL_EXECUTED) {
        fprintf(stderr, "bench: facade request failed (%s)\n", mm_graphql_outcome_name(outcome));
        exit(1);
    }
    free(text);
}

/* Runs op for warmup then for at least seconds; returns ops/s. */
static double timed(void (*op)(bench_ctx *), bench_ctx *c, double seconds, long *iterations) {
    /* The same warm-up as bench_graphqljs.mjs (which needs it for V8's JIT). */
    double end = now() + (seconds * 0.25 > 1.0 ? seconds * 0.25 : 1.0);
    while (now() < end)
        for (int i = 0; i < 10; i++) op(c);
    long n = 0;
    double start = now(), t;
    do {
        for (int i = 0; i < 10; i++) op(c);
        n += 10;
        t = now();
    } while (t - start < seconds);
    *iterations = n;
    return (double)n / (t - start);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR [SECONDS | --dump]\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    bool dump = argc > 2 && strcmp(argv[2], "--dump") == 0;
    double seconds = (argc > 2 && !dump) ? atof(argv[2]) : 2.0;
    if (seconds <= 0) seconds = 2.0;
    const char *only_doc = (!dump && argc > 3) ? argv[3] : NULL;
    const char *only_phase = (!dump && argc > 4) ? argv[4] : NULL;

    size_t sdl_len;
    char *sdl = read_file(dir, "schema.graphql", &sdl_len);
    mm_arena build_arena;
    mm_arena_init(&build_arena);
    mm_gql_errors build_errors;
    mm_gql_errors_init(&build_errors, &build_arena);
    mm_gql_sdl_source src = {"schema.graphql", sdl, sdl_len};
    mm_gql_schema *schema = mm_gql_schema_build(&src, 1, &build_errors);
    if (!schema) fail("schema build", &build_errors);
    if (mm_gql_schema_set_resolver(schema, "Mutation", "createPost", create_post, NULL) != 0) {
        fprintf(stderr, "bench: cannot bind Mutation.createPost\n");
        return 1;
    }
    json_t *root = build_root();

    bench_doc docs[] = {
        {"introspection", NULL, 0, NULL},
        {"nested", NULL, 0, NULL},
        {"mutation", NULL, 0,
         json_pack("{s:s,s:{s:s,s:s,s:[s,s]}}", "author", "u1", "input", "title", "Hello", "body",
                   "World", "tags", "a", "b")},
    };
    struct {
        const char *name;
        void (*op)(bench_ctx *);
    } phases[] = {{"parse", op_parse},
                  {"validate", op_validate},
                  {"execute", op_execute},
                  {"total", op_total},
                  {"facade", op_facade}};

    for (size_t d = 0; d < sizeof docs / sizeof docs[0]; d++) {
        if (only_doc && strcmp(only_doc, docs[d].name) != 0) {
            json_decref(docs[d].variables);
            continue;
        }
        char file[64];
        snprintf(file, sizeof file, "%s.graphql", docs[d].name);
        docs[d].text = read_file(dir, file, &docs[d].len);
        mm_arena parsed_arena;
        mm_arena_init(&parsed_arena);
        mm_gql_errors errors;
        mm_gql_errors_init(&errors, &parsed_arena);
        bench_ctx c = {schema, root, &docs[d], NULL};
        c.parsed = mm_gql_parse(&parsed_arena, docs[d].text, docs[d].len, NULL, &errors);
        if (!c.parsed) fail("parse", &errors);
        if (mm_gql_validate(schema, c.parsed, NULL, &errors) > 0) fail("validate", &errors);
        char *result = execute_doc(&c, c.parsed);
        if (strncmp(result, "{\"errors\":", 10) == 0) {
            fprintf(stderr, "bench: %s executed with errors: %s\n", docs[d].name, result);
            return 1;
        }
        if (dump) {
            printf("%s %s\n", docs[d].name, result);
        } else {
            for (size_t p = 0; p < sizeof phases / sizeof phases[0]; p++) {
                if (only_phase && strcmp(only_phase, phases[p].name) != 0) continue;
                long n;
                double ops = timed(phases[p].op, &c, seconds, &n);
                printf("RESULT %s %s %.1f %ld\n", docs[d].name, phases[p].name, ops, n);
                fflush(stdout);
            }
        }
        free(result);
        mm_gql_errors_release(&errors);
        mm_arena_reset(&parsed_arena);
        free(docs[d].text);
        json_decref(docs[d].variables);
    }
    json_decref(root);
    mm_gql_schema_free(schema);
    mm_gql_errors_release(&build_errors);
    mm_arena_reset(&build_arena);
    free(sdl);
    return 0;
}
