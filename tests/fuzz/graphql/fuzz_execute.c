/* fuzz_execute.c -- libFuzzer target for the whole engine path.
 *
 * Input: a GraphQL document, optionally followed by a NUL byte and a JSON
 * variables object. Each input runs twice against one fixed schema with C
 * resolvers and a JSON root value: through the facade (parse -> validate ->
 * execute, as the HTTP server does) and straight into the executor without
 * validation (as graphql-js's execute() allows), which must also never crash,
 * leak or loop on an invalid document. Every response must serialize. Some
 * root fields defer (settled at once, or after run() returned PENDING, or
 * after a cancel), so the pause/resume paths are fuzzed too. Every third
 * input runs the executor with tiny bounds (field budget, response cap), so
 * stopping is fuzzed at every depth, and the static cost is counted for
 * every document that parses. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/execution/execute.h"
#include "graphql/validation/cost.h"
#include "graphql/graphql.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

static const char sdl[] =
    "type Query { hello: String int: Int float: Float bool: Boolean id: ID nn: String!\n"
    "  list: [Int] listNN: [Int!]! obj: Obj objs: [Obj!] color: Color colors: [Color]\n"
    "  pet: Pet pets: [Pet] search: [SearchResult] custom: Custom\n"
    "  echo(a: Int, b: String = \"d\", c: [Int], d: In, e: Color, f: [In!], o: One, x: Custom, n: "
    "Int!): String\n"
    "  fail: String failNN: Int! later(fail: Boolean): Obj slow: Obj slowNN: Int! }\n"
    "type Mutation { inc(by: Int = 1): Int fail: Int! slow: Obj }\n"
    "type Obj { a: Int b: String nn: Int! self: Obj list: [Obj] fail: String nested: Int }\n"
    "enum Color { RED GREEN BLUE }\n"
    "interface Pet { name: String }\n"
    "type Dog implements Pet { name: String barks: Boolean }\n"
    "type Cat implements Pet { name: String meows: Boolean }\n"
    "union SearchResult = Dog | Cat | Obj\n"
    "scalar Custom\n"
    "input In { x: Int! y: String = \"yy\" z: [Int] w: In2 }\n"
    "input In2 { q: Boolean r: Color s: [In2] }\n"
    "input One @oneOf { a: Int b: String }\n";

static const char root_json[] =
    "{\"hello\":\"world\",\"int\":42,\"float\":1.5,\"bool\":true,\"id\":7,\"nn\":null,"
    "\"list\":[1,null,\"x\"],\"listNN\":[1,null],\"obj\":{\"a\":1,\"b\":2,\"nn\":null,"
    "\"self\":{\"a\":2,\"nn\":3,\"list\":[{\"a\":1},null,5]},\"list\":7},"
    "\"objs\":[{\"a\":1,\"nn\":1},null],\"color\":\"PURPLE\",\"colors\":[\"RED\",1],"
    "\"pet\":{\"__typename\":\"Dog\",\"name\":\"Rex\"},\"pets\":[{\"__typename\":\"Cat\"},{},"
    "{\"__typename\":\"Obj\"},{\"__typename\":\"Color\"},{\"__typename\":5}],"
    "\"search\":[{\"__typename\":\"Obj\",\"a\":1,\"nn\":1},{\"__typename\":\"Nope\"}],"
    "\"custom\":{\"k\":[1,2,{\"z\":null}]}}";

static mm_gql_schema *schema;
static json_t *root;

static json_t *echo(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    char *s = json_dumps(args, JSON_COMPACT);
    json_t *r = json_string(s ? s : "");
    free(s);
    return r;
}

static json_t *fail(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_gql_resolve_error(info, json_pack("{s:s}", "code", "FUZZ"), "failed at %s",
                         info->field_name);
    return json_integer(1);
}

static json_t *inc(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)info;
    return json_incref(json_object_get(args, "by"));
}

/* Settled before the resolver returns: resolve, or reject when fail: true. */
static json_t *later(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    if (json_is_true(json_object_get(args, "fail")))
        mm_gql_deferred_reject(d, json_pack("{s:s}", "code", "LATER"), "rejected");
    else
        mm_gql_deferred_resolve(d, json_incref(json_object_get(root, "obj")));
    return NULL;
}

/* Left pending: the driver below settles it after run() returned PENDING. */
static mm_gql_deferred *waiting[64];
static size_t waiting_count;

static json_t *slow(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    if (waiting_count < 64)
        waiting[waiting_count++] = d;
    else
        mm_gql_deferred_resolve(d, NULL);
    return NULL;
}

/* Settles every waiting deferred: alternately a value and a rejection. */
static void settle_waiting(void) {
    for (size_t i = 0; i < waiting_count; i++) {
        if (i % 2)
            mm_gql_deferred_reject(waiting[i], NULL, "slow failed");
        else
            mm_gql_deferred_resolve(
                waiting[i], json_pack("{s:i,s:i,s:{s:i}}", "a", 1, "nn", 2, "self", "a", 3));
    }
    waiting_count = 0;
}

static void init(void) {
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"fuzz", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) abort();
    mm_gql_schema_set_resolver(schema, "Query", "echo", echo, NULL);
    mm_gql_schema_set_resolver(schema, "Query", "fail", fail, NULL);
    mm_gql_schema_set_resolver(schema, "Query", "failNN", fail, NULL);
    mm_gql_schema_set_resolver(schema, "Obj", "fail", fail, NULL);
    mm_gql_schema_set_resolver(schema, "Mutation", "inc", inc, NULL);
    mm_gql_schema_set_resolver(schema, "Mutation", "fail", fail, NULL);
    mm_gql_schema_set_resolver(schema, "Query", "later", later, NULL);
    mm_gql_schema_set_resolver(schema, "Query", "slow", slow, NULL);
    mm_gql_schema_set_resolver(schema, "Query", "slowNN", slow, NULL);
    mm_gql_schema_set_resolver(schema, "Mutation", "slow", slow, NULL);
    mm_gql_schema_set_resolver(schema, "Obj", "nested", slow, NULL); /* nested: refused */
    root = json_loads(root_json, 0, NULL);
    if (!root) abort();
}

/* The executor writes the response as text, cutting back over values that a
 * propagating null abandoned: whatever happened, the text must be one valid
 * JSON object (strings may hold U+0000 as \u0000). */
static void check_response_text(const char *text, size_t len) {
    if (!text) return; /* out of memory */
    json_t *res = json_loadb(text, len, JSON_ALLOW_NUL, NULL);
    if (!json_is_object(res)) abort();
    json_decref(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!schema) init();
    if (size > 64 * 1024) return 0;
    const char *text = (const char *)data;
    size_t qlen = size;
    json_t *vars = NULL;
    const char *nul = memchr(text, '\0', size);
    if (nul) {
        qlen = (size_t)(nul - text);
        vars = json_loadb(nul + 1, size - qlen - 1, JSON_DECODE_ANY, NULL);
        if (vars && !json_is_object(vars)) {
            json_decref(vars);
            vars = NULL;
        }
    }

    /* 1. The facade, as the HTTP server calls it (POST: mutations allowed),
     *    pausing on deferred root fields and settling them between runs. */
    mm_graphql_request_params p = {.query = text,
                                   .query_length = qlen,
                                   .variables = vars,
                                   .root_value = root,
                                   .allow_mutation = true};
    mm_graphql_request *req = mm_graphql_request_start(schema, NULL, &p);
    if (req) {
        while (mm_graphql_request_outcome(req) == MM_GRAPHQL_PENDING) {
            settle_waiting();
            mm_graphql_request_run(req);
        }
        size_t len = 0;
        char *body = mm_graphql_request_take_response_text(req, &len);
        check_response_text(body, len);
        free(body);
        mm_graphql_request_free(req);
    }
    settle_waiting(); /* nested deferrals were refused but still need settling */

    /* 2. The executor on the unvalidated document. */
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    char *copy = mm_arena_strndup(&arena, text, qlen);
    mm_gql_document *doc = copy ? mm_gql_parse(&arena, copy, qlen, NULL, &errors) : NULL;
    if (doc) {
        /* The static cost of every operation, cycles and unknown fragments included. */
        (void)mm_gql_document_costs(doc, 1000, &arena);
        mm_gql_execute_params ep = {
            .schema = schema, .document = doc, .variables = vars, .root_value = root};
        if (qlen % 3 == 0) { /* tiny bounds: the stop paths at every depth */
            ep.max_field_resolutions = 1 + qlen % 37;
            ep.max_response_bytes = 16 + (qlen * 7) % 512;
        }
        mm_gql_execution *ex = mm_gql_execute_start(&ep);
        /* every other input abandons its execution while it waits */
        bool cancel = qlen % 2 == 1;
        while (ex && mm_gql_execution_run(ex) == MM_GQL_EXEC_PENDING) {
            if (cancel) mm_gql_execution_cancel(ex);
            settle_waiting();
        }
        size_t len = 0;
        check_response_text(mm_gql_execution_result_text(ex, &len), len);
        mm_gql_execution_free(ex);
        settle_waiting();
    }
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    json_decref(vars);
    return 0;
}
