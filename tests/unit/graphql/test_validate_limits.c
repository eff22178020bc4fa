/* test_validate_limits.c -- the validator's options and guards: the error
 * budget (graphql-js maxErrors), the alias limit, hideSuggestions, the work
 * budgets that abort hostile documents, the return value, and documents
 * whose naive validation would be exponential (repeated fragment spreads). */
#include "validate_harness.h"

#include <time.h>

static mm_gql_error *nth(mm_gql_errors *errors, size_t n) {
    mm_gql_error *e = errors->head;
    while (e && n--) e = e->next;
    return e;
}

/* Validates query into a caller-owned error list (arena and list outlive the call). */
static size_t run(mm_arena *arena, mm_gql_errors *errors, const char *query,
                  const mm_gql_validate_options *opts) {
    mm_gql_document *doc = mm_gql_parse(arena, query, strlen(query), NULL, errors);
    assert_non_null(doc);
    return mm_gql_validate(validate_harness_schema, doc, opts, errors);
}

static char *repeat_fields(const char *field, size_t n) {
    size_t len = strlen(field) + 1;
    char *q = malloc(n * len + 16);
    assert_non_null(q);
    strcpy(q, "{ ");
    for (size_t i = 0; i < n; i++) {
        strcat(q, field);
        strcat(q, " ");
    }
    strcat(q, "}");
    return q;
}

static void test_max_errors_default(void **state) {
    (void)state;
    char *q = repeat_fields("unknownField", 150);
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    size_t n = run(&arena, &errors, q, NULL);
    /* graphql-js: 100 errors, then the abort message, then nothing. */
    assert_int_equal(n, 101);
    assert_int_equal(errors.count, 101);
    assert_string_equal(nth(&errors, 0)->message,
                        "Cannot query field \"unknownField\" on type \"QueryRoot\".");
    assert_int_equal(nth(&errors, 0)->locations[0].column, 3);
    assert_int_equal(nth(&errors, 0)->kind, MM_GQL_ERROR_VALIDATION);
    mm_gql_error *last = nth(&errors, 100);
    assert_string_equal(last->message,
                        "Too many validation errors, error limit reached. Validation aborted.");
    assert_int_equal(last->location_count, 0);
    assert_int_equal(last->kind, MM_GQL_ERROR_VALIDATION);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    free(q);
}

static void test_max_errors_option(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_validate_options opts = mm_gql_default_validate_options;
    opts.max_errors = 2;
    size_t n = run(&arena, &errors, "{ a b c d }", &opts);
    assert_int_equal(n, 3);
    assert_string_equal(nth(&errors, 1)->message,
                        "Cannot query field \"b\" on type \"QueryRoot\".");
    assert_string_equal(nth(&errors, 2)->message,
                        "Too many validation errors, error limit reached. Validation aborted.");
    /* Exactly at the limit: no abort message. */
    mm_gql_errors_init(&errors, &arena);
    n = run(&arena, &errors, "{ a b }", &opts);
    assert_int_equal(n, 2);
    mm_arena_reset(&arena);
}

static void test_returns_count_and_appends(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_errors_add(&errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s", "earlier");
    assert_int_equal(run(&arena, &errors, "{ dog { name } }", NULL), 0);
    assert_int_equal(errors.count, 1);
    assert_int_equal(run(&arena, &errors, "{ dog { nam } }", NULL), 1);
    assert_int_equal(errors.count, 2);
    assert_string_equal(errors.head->message, "earlier");
    assert_string_equal(nth(&errors, 1)->message,
                        "Cannot query field \"nam\" on type \"Dog\". Did you mean \"name\"?");
    mm_arena_reset(&arena);
}

static void test_max_aliases(void **state) {
    (void)state;
    const char *q = "{ a: dog { b: name } ...F } fragment F on QueryRoot { c: cat { name } }";
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_validate_options opts = mm_gql_default_validate_options;
    opts.max_aliases = 3;
    assert_int_equal(run(&arena, &errors, q, &opts), 0);
    opts.max_aliases = 2;
    assert_int_equal(run(&arena, &errors, q, &opts), 1);
    assert_int_equal(errors.head->kind, MM_GQL_ERROR_LIMIT);
    assert_string_equal(errors.head->message,
                        "The document has 3 aliases, more than the limit of 2.");
    /* No limit by default. */
    mm_gql_errors_init(&errors, &arena);
    char *many = repeat_fields("x: __typename", 400);
    assert_int_equal(run(&arena, &errors, many, NULL), 0);
    free(many);
    mm_arena_reset(&arena);
}

static void test_hide_suggestions(void **state) {
    (void)state;
    static const char *const queries[][2] = {
        {"{ dog { nam } }", "Cannot query field \"nam\" on type \"Dog\"."},
        {"{ pet { nickname } }", "Cannot query field \"nickname\" on type \"Pet\"."},
        {"query ($a: Strin) { dog { name(surname: $a) } }", "Unknown type \"Strin\"."},
        {"{ dog { isHouseTrained(atOtherHome: true) } }",
         "Unknown argument \"atOtherHome\" on field \"Dog.isHouseTrained\"."},
        {"{ dog { name @skip(iff: true) } }", "Unknown argument \"iff\" on directive \"@skip\"."},
        {"{ complicatedArgs { enumArgField(enumArg: brown) } }",
         "Value \"brown\" does not exist in \"FurColor\" enum."},
        {"{ complicatedArgs { complexArgField(complexArg: {requiredField: true, intfield: 1}) } }",
         "Field \"intfield\" is not defined by type \"ComplexInput\"."},
    };
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_errors errors;
        mm_gql_errors_init(&errors, &arena);
        mm_gql_validate_options opts = mm_gql_default_validate_options;
        opts.hide_suggestions = true;
        size_t n = run(&arena, &errors, queries[i][0], &opts);
        if (n < 1 || strcmp(errors.head->message, queries[i][1]) != 0)
            fprintf(stderr, "query %s gave %s\n", queries[i][0],
                    n ? errors.head->message : "nothing");
        assert_true(n >= 1);
        assert_string_equal(errors.head->message, queries[i][1]);
        mm_arena_reset(&arena);
    }
}

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* A chain of fragments each spreading the next one twice: 2^40 paths if
 * the fragments were expanded; graphql-js's memoization makes it linear. */
static void test_repeated_spreads_are_linear(void **state) {
    (void)state;
    char *q = malloc(64 * 1024);
    assert_non_null(q);
    strcpy(q, "{ ...F0 }\n");
    for (int i = 0; i < 40; i++) {
        char line[160];
        if (i < 39)
            snprintf(line, sizeof line,
                     "fragment F%d on QueryRoot { dog { name } ...F%d ...F%d }\n", i, i + 1, i + 1);
        else
            snprintf(line, sizeof line, "fragment F%d on QueryRoot { dog { name } }\n", i);
        strcat(q, line);
    }
    double t0 = seconds();
    json_t *got = validate_harness_run(q, NULL, NULL);
    double elapsed = seconds() - t0;
    assert_int_equal(json_array_size(got), 0);
    assert_true(elapsed < 2.0);
    json_decref(got);

    /* The same with a conflict against every fragment level: one error per
     * fragment (31, as graphql-js reports), not one per path. */
    strcpy(q, "{ ...F0 dog { name: nickname } }\n");
    for (int i = 0; i < 30; i++) {
        char line[160];
        snprintf(line, sizeof line, "fragment F%d on QueryRoot { dog { name } ...F%d ...F%d }\n", i,
                 i + 1, i + 1);
        strcat(q, line);
    }
    strcat(q, "fragment F30 on QueryRoot { dog { name } }\n");
    got = validate_harness_run(q, NULL, NULL);
    assert_int_equal(json_array_size(got), 31);
    const char *msg = json_string_value(json_object_get(json_array_get(got, 0), "message"));
    assert_string_equal(
        msg, "Fields \"dog\" conflict because subfields \"name\" conflict because \"nickname\" and "
             "\"name\" are different fields. Use different aliases on the fields to fetch "
             "both if this was intentional.");
    json_decref(got);
    free(q);
}

/* 2000 identical fields compare pairwise: graphql-js spends its complexity
 * budget and aborts with "Validation aborted."; so do we. */
static void test_overlap_budget_aborts(void **state) {
    (void)state;
    char *q = repeat_fields("dog { name }", 2000);
    json_t *got = validate_harness_run(q, NULL, NULL);
    assert_int_equal(json_array_size(got), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(got, 0), "message")),
                        "Validation aborted.");
    json_decref(got);
    free(q);
}

/* Many fragments side by side, each pair compared once. */
static void test_many_fragments(void **state) {
    (void)state;
    char *q = malloc(256 * 1024);
    assert_non_null(q);
    strcpy(q, "{ dog { ");
    for (int i = 0; i < 300; i++) {
        char s[32];
        snprintf(s, sizeof s, "...D%d ", i);
        strcat(q, s);
    }
    strcat(q, "} }\n");
    for (int i = 0; i < 300; i++) {
        char s[96];
        snprintf(s, sizeof s, "fragment D%d on Dog { name x%d: barks }\n", i, i);
        strcat(q, s);
    }
    double t0 = seconds();
    json_t *got = validate_harness_run(q, NULL, NULL);
    assert_true(seconds() - t0 < 2.0);
    assert_int_equal(json_array_size(got), 0);
    json_decref(got);
    free(q);
}

/* The same schema validated from several threads at once (meta fields and
 * wrapper types are interned in the shared schema). */
#include <pthread.h>

static void *validate_thread(void *arg) {
    (void)arg;
    for (int i = 0; i < 200; i++) {
        mm_arena arena;
        mm_arena_init(&arena);
        mm_gql_errors errors;
        mm_gql_errors_init(&errors, &arena);
        const char *q = "{ __typename __schema { types { name } } dog { nam mother { name } } }";
        mm_gql_document *doc = mm_gql_parse(&arena, q, strlen(q), NULL, &errors);
        size_t n = doc ? mm_gql_validate(validate_harness_schema, doc, NULL, &errors) : 99;
        mm_arena_reset(&arena);
        if (n != 1) return (void *)1;
    }
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, validate_thread, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        assert_null(r);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_max_errors_default),
        cmocka_unit_test(test_max_errors_option),
        cmocka_unit_test(test_returns_count_and_appends),
        cmocka_unit_test(test_max_aliases),
        cmocka_unit_test(test_hide_suggestions),
        cmocka_unit_test(test_repeated_spreads_are_linear),
        cmocka_unit_test(test_overlap_budget_aborts),
        cmocka_unit_test(test_many_fragments),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, validate_harness_setup, validate_harness_teardown);
}
