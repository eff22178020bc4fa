/* test_execute_defer.c -- pausing an execution on a deferred root field and
 * resuming it when another thread settles the deferred (execute.h): order
 * of root fields, sub-selections completed after the resume, rejections
 * with extensions, early settlement, cancellation and free racing a late
 * settlement, nested deferral refused, and the blocking mm_gql_execute. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphql/execution/execute.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"

static const char sdl[] = "type Query { slow: Slow quick: Int holder: Holder }\n"
                          "type Slow { value: Int label: String nn: Int! }\n"
                          "type Holder { deferMe: Int }\n"
                          "type Mutation { first: Int! wait: Slow waitNN: Slow! last: Int }\n";

static mm_gql_schema *schema;
static _Atomic(mm_gql_deferred *) captured; /* the deferred the last deferring resolver made */
static atomic_int wakes;
static atomic_int order; /* increments as resolvers run */
static int first_at, last_at, wait_at;

/* A deferring resolver that may settle at once (mode "now") or leave it to the test. */
static json_t *defer_resolver(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)args;
    wait_at = ++order;
    mm_gql_deferred *d = mm_gql_resolve_defer(info);
    if (ud && strcmp(ud, "now") == 0) {
        mm_gql_deferred_resolve(d, json_pack("{s:i,s:s,s:i}", "value", 1, "label", "now", "nn", 1));
        captured = NULL;
    } else {
        captured = d;
    }
    return NULL;
}

static json_t *count_resolver(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)args, (void)info;
    int at = ++order;
    if (strcmp(ud, "first") == 0)
        first_at = at;
    else
        last_at = at;
    return json_integer(at);
}

typedef struct waker {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int woken;
} waker;

static waker wk = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};

static void on_wake(void *ud) {
    waker *w = ud;
    atomic_fetch_add(&wakes, 1);
    pthread_mutex_lock(&w->lock);
    w->woken = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

static void wait_for_wake(void) {
    pthread_mutex_lock(&wk.lock);
    while (!wk.woken) pthread_cond_wait(&wk.cond, &wk.lock);
    wk.woken = 0;
    pthread_mutex_unlock(&wk.lock);
}

typedef struct settle_job {
    mm_gql_deferred *d;
    int reject;
    json_t *value;
    unsigned delay_ms;
} settle_job;

static void *settle_thread(void *arg) {
    settle_job *job = arg;
    struct timespec ts = {0, (long)job->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    if (job->reject)
        mm_gql_deferred_reject(job->d,
                               json_pack("{s:s,s:s}", "code", "CONSUMER_FAILED", "eventId", "e-1"),
                               "consumer failed");
    else
        mm_gql_deferred_resolve(job->d, job->value);
    return NULL;
}

static int setup(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    mm_gql_sdl_source src = {"defer", sdl, strlen(sdl)};
    schema = mm_gql_schema_build(&src, 1, &errors);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
    if (!schema) return -1;
    int rc = 0;
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "first", count_resolver, "first");
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "last", count_resolver, "last");
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "wait", defer_resolver, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Mutation", "waitNN", defer_resolver, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "slow", defer_resolver, NULL);
    rc |= mm_gql_schema_set_resolver(schema, "Query", "quick", count_resolver, "last");
    rc |= mm_gql_schema_set_resolver(schema, "Holder", "deferMe", defer_resolver, NULL);
    return rc;
}

static int teardown(void **state) {
    (void)state;
    mm_gql_schema_free(schema);
    return 0;
}

typedef struct fixture {
    mm_arena arena;
    mm_gql_errors errors;
    mm_gql_document *doc;
    mm_gql_execution *ex;
} fixture;

static void start(fixture *f, const char *query, json_t *root) {
    mm_arena_init(&f->arena);
    mm_gql_errors_init(&f->errors, &f->arena);
    f->doc = mm_gql_parse(&f->arena, query, strlen(query), NULL, &f->errors);
    assert_non_null(f->doc);
    atomic_store(&wakes, 0);
    atomic_store(&order, 0);
    first_at = last_at = wait_at = 0;
    captured = NULL;
    mm_gql_execute_params p = {
        .schema = schema, .document = f->doc, .root_value = root, .wake = on_wake, .wake_ud = &wk};
    f->ex = mm_gql_execute_start(&p);
    assert_non_null(f->ex);
}

static char *result_text(fixture *f) {
    json_t *res = mm_gql_execution_result(f->ex);
    assert_non_null(res);
    char *s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(res);
    return s;
}

static void finish(fixture *f) {
    mm_gql_execution_free(f->ex);
    mm_gql_errors_release(&f->errors);
    mm_arena_reset(&f->arena);
}

static void test_mutation_pauses_and_resumes_in_order(void **state) {
    (void)state;
    fixture f;
    start(&f, "mutation { first wait { value label } last }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    assert_non_null(captured);
    assert_int_equal(last_at, 0); /* "last" has not run yet */
    assert_null(mm_gql_execution_result(f.ex));
    int before = order;
    settle_job job = {captured, 0, json_pack("{s:i,s:s}", "value", 5, "label", "five"), 5};
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    wait_for_wake();
    pthread_join(t, NULL);
    assert_int_equal(order, before); /* nothing ran on the settling thread */
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    assert_true(first_at < wait_at && wait_at < last_at);
    char *s = result_text(&f);
    assert_string_equal(
        s, "{\"data\":{\"first\":1,\"wait\":{\"value\":5,\"label\":\"five\"},\"last\":3}}");
    free(s);
    assert_int_equal(atomic_load(&wakes), 1);
    finish(&f);
}

static void test_query_root_field_defers(void **state) {
    (void)state;
    fixture f;
    start(&f, "{ slow { label nn } quick }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    /* a second run before the settlement just stays pending */
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    settle_job job = {captured, 0, json_pack("{s:s}", "label", "x"), 1}; /* nn missing: null */
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    wait_for_wake();
    pthread_join(t, NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    char *s = result_text(&f);
    /* the sub-selection was completed after the resume, with null propagation */
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Cannot return null for non-nullable field Slow.nn.\","
           "\"locations\":[{\"line\":1,\"column\":16}],\"path\":[\"slow\",\"nn\"]}],"
           "\"data\":{\"slow\":null,\"quick\":2}}");
    free(s);
    finish(&f);
}

static void test_rejection_carries_extensions(void **state) {
    (void)state;
    fixture f;
    start(&f, "mutation { wait { value } last }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    settle_job job = {captured, 1, NULL, 1};
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    wait_for_wake();
    pthread_join(t, NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    char *s = result_text(&f);
    assert_string_equal(
        s,
        "{\"errors\":[{\"message\":\"consumer failed\",\"locations\":[{\"line\":1,\"column\":12}],"
        "\"path\":[\"wait\"],\"extensions\":{\"code\":\"CONSUMER_FAILED\",\"eventId\":\"e-1\"}}],"
        "\"data\":{\"wait\":null,\"last\":2}}");
    free(s);
    finish(&f);
}

static void test_non_null_rejection_nulls_data(void **state) {
    (void)state;
    fixture f;
    start(&f, "mutation { first waitNN { value } last }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    mm_gql_deferred_reject(captured, NULL, "too slow"); /* settled on this thread: wakes */
    assert_int_equal(atomic_load(&wakes), 1);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    char *s = result_text(&f);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"too slow\",\"locations\":[{\"line\":1,\"column\":18}],"
           "\"path\":[\"waitNN\"]}],\"data\":null}");
    free(s);
    assert_int_equal(last_at, 0); /* the remaining root fields never ran */
    finish(&f);
}

static void test_settled_before_return_does_not_pause(void **state) {
    (void)state;
    mm_gql_schema_set_resolver(schema, "Mutation", "wait", defer_resolver, "now");
    fixture f;
    start(&f, "mutation { wait { label } last }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    assert_int_equal(atomic_load(&wakes), 0);
    char *s = result_text(&f);
    assert_string_equal(s, "{\"data\":{\"wait\":{\"label\":\"now\"},\"last\":2}}");
    free(s);
    finish(&f);
    mm_gql_schema_set_resolver(schema, "Mutation", "wait", defer_resolver, NULL);
}

static void test_cancel_then_late_resolve_is_safe(void **state) {
    (void)state;
    fixture f;
    start(&f, "mutation { first wait { value } last }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    mm_gql_deferred *d = captured;
    mm_gql_execution_cancel(f.ex);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    char *s = result_text(&f);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Execution was "
           "cancelled.\",\"extensions\":{\"code\":\"EXECUTION_CANCELLED\"}}],\"data\":null}");
    free(s);
    finish(&f); /* the execution is gone; the deferred is not */
    settle_job job = {d, 0, json_pack("{s:i}", "value", 1), 2};
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&wakes), 0); /* no wake after cancel */
}

static void test_free_while_pending_then_reject_is_safe(void **state) {
    (void)state;
    fixture f;
    start(&f, "{ slow { value } }", NULL);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
    mm_gql_deferred *d = captured;
    /* settle concurrently with the free */
    settle_job job = {d, 1, NULL, 0};
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    finish(&f);
    pthread_join(t, NULL);
    assert_true(atomic_load(&wakes) <= 1);
}

static void test_nested_defer_is_an_error(void **state) {
    (void)state;
    json_t *root = json_pack("{s:{}}", "holder");
    fixture f;
    start(&f, "{ holder { deferMe } }", root);
    assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_DONE);
    char *s = result_text(&f);
    assert_string_equal(
        s, "{\"errors\":[{\"message\":\"Field \\\"Holder.deferMe\\\" cannot defer its resolution: "
           "only "
           "root fields "
           "can.\",\"locations\":[{\"line\":1,\"column\":12}],\"path\":[\"holder\",\"deferMe\"]}],"
           "\"data\":{\"holder\":{\"deferMe\":null}}}");
    free(s);
    finish(&f);
    /* the resolver still owns its reference and must be able to settle it */
    assert_non_null(captured);
    mm_gql_deferred_resolve(captured, json_integer(3));
    assert_int_equal(atomic_load(&wakes), 0);
    json_decref(root);
}

/* Waits until a resolver captured a deferred, then resolves it. */
static void *blocking_helper(void *arg) {
    (void)arg;
    for (int i = 0; i < 5000; i++) {
        mm_gql_deferred *d = atomic_load(&captured);
        if (d) {
            struct timespec ts = {0, 2000000L};
            nanosleep(&ts, NULL);
            mm_gql_deferred_resolve(d, json_pack("{s:i}", "value", 42));
            return NULL;
        }
        struct timespec ts = {0, 1000000L};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

static void test_blocking_execute_waits(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *q = "mutation { wait { value } last }";
    mm_gql_document *doc = mm_gql_parse(&arena, q, strlen(q), NULL, &errors);
    assert_non_null(doc);
    atomic_store(&order, 0);
    atomic_store(&captured, NULL);
    pthread_t t;
    pthread_create(&t, NULL, blocking_helper, NULL);
    mm_gql_execute_params params = {.schema = schema, .document = doc};
    json_t *res = mm_gql_execute(&params); /* blocks until the helper resolves */
    pthread_join(t, NULL);
    char *s = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    assert_string_equal(s, "{\"data\":{\"wait\":{\"value\":42},\"last\":2}}");
    free(s);
    json_decref(res);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

/* The wake callback finishes the request right on the settling thread, the
 * way an HTTP layer may answer from there: run, read the result, free. */
typedef struct inline_ctx {
    mm_gql_execution *ex;
    char *text;
} inline_ctx;

static void wake_and_finish(void *ud) {
    inline_ctx *c = ud;
    if (mm_gql_execution_run(c->ex) != MM_GQL_EXEC_DONE) return;
    json_t *res = mm_gql_execution_result(c->ex);
    c->text = json_dumps(res, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(res);
    mm_gql_execution_free(c->ex);
    c->ex = NULL;
}

static void test_wake_may_finish_inline(void **state) {
    (void)state;
    mm_arena arena;
    mm_arena_init(&arena);
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    const char *q = "mutation { first wait { label } last }";
    mm_gql_document *doc = mm_gql_parse(&arena, q, strlen(q), NULL, &errors);
    assert_non_null(doc);
    atomic_store(&order, 0);
    inline_ctx ctx = {0};
    mm_gql_execute_params p = {
        .schema = schema, .document = doc, .wake = wake_and_finish, .wake_ud = &ctx};
    ctx.ex = mm_gql_execute_start(&p);
    assert_int_equal(mm_gql_execution_run(ctx.ex), MM_GQL_EXEC_PENDING);
    settle_job job = {captured, 0, json_pack("{s:s}", "label", "inline"), 1};
    pthread_t t;
    pthread_create(&t, NULL, settle_thread, &job);
    pthread_join(t, NULL);
    assert_null(ctx.ex);
    assert_non_null(ctx.text);
    assert_string_equal(ctx.text,
                        "{\"data\":{\"first\":1,\"wait\":{\"label\":\"inline\"},\"last\":3}}");
    free(ctx.text);
    mm_gql_errors_release(&errors);
    mm_arena_reset(&arena);
}

/* Settlement and cancellation race many times on two threads (ASan/TSan
 * would report a use after free or a leak). */
static void test_cancel_races_settlement(void **state) {
    (void)state;
    for (int i = 0; i < 300; i++) {
        fixture f;
        start(&f, "{ slow { value } }", NULL);
        assert_int_equal(mm_gql_execution_run(f.ex), MM_GQL_EXEC_PENDING);
        settle_job job = {captured, i % 2, i % 2 ? NULL : json_pack("{s:i}", "value", i), 0};
        pthread_t t;
        pthread_create(&t, NULL, settle_thread, &job);
        if (i % 3 == 0) mm_gql_execution_cancel(f.ex);
        mm_gql_exec_status st = mm_gql_execution_run(f.ex);
        if (st == MM_GQL_EXEC_PENDING) {
            pthread_join(t, NULL);
            st = mm_gql_execution_run(f.ex);
        } else {
            pthread_join(t, NULL);
        }
        assert_int_equal(st, MM_GQL_EXEC_DONE);
        json_t *res = mm_gql_execution_result(f.ex);
        assert_non_null(json_object_get(res, "data"));
        json_decref(res);
        finish(&f);
    }
}

static void test_missing_document_is_an_error(void **state) {
    (void)state;
    mm_gql_execute_params p = {.schema = schema};
    json_t *res = mm_gql_execute(&p);
    char *s = json_dumps(res, JSON_COMPACT);
    assert_string_equal(s, "{\"errors\":[{\"message\":\"Must provide document.\"}]}");
    free(s);
    json_decref(res);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mutation_pauses_and_resumes_in_order),
        cmocka_unit_test(test_query_root_field_defers),
        cmocka_unit_test(test_rejection_carries_extensions),
        cmocka_unit_test(test_non_null_rejection_nulls_data),
        cmocka_unit_test(test_settled_before_return_does_not_pause),
        cmocka_unit_test(test_cancel_then_late_resolve_is_safe),
        cmocka_unit_test(test_free_while_pending_then_reject_is_safe),
        cmocka_unit_test(test_nested_defer_is_an_error),
        cmocka_unit_test(test_blocking_execute_waits),
        cmocka_unit_test(test_wake_may_finish_inline),
        cmocka_unit_test(test_cancel_races_settlement),
        cmocka_unit_test(test_missing_document_is_an_error),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
