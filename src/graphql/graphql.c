/* graphql.c -- the engine facade (see graphql.h): parse, validate, check the
 * operation as graphql-http does, execute, and classify the outcome. */
#include "graphql/graphql.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "graphql/error.h"
#include "graphql/validate.h"

struct mm_graphql_request {
    mm_arena arena;               /* the query copy, AST and pre-execution errors */
    mm_gql_errors errors;
    mm_graphql_outcome outcome;
    mm_gql_execution *ex;
    bool is_mutation;
    json_t *response;             /* built once the outcome is final */
    uint64_t parse_ns, validate_ns, execute_ns;
};

void mm_graphql_options_init(mm_graphql_options *opts) {
    memset(opts, 0, sizeof(*opts));
    opts->parse = mm_gql_default_parse_limits;
    opts->max_validation_errors = 100;
    opts->max_aliases = 1000;
    opts->max_variable_errors = 50;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* {"errors": [...]} from the request's own (pre-execution) errors. */
static void respond_with_errors(mm_graphql_request *req, mm_graphql_outcome outcome) {
    req->outcome = outcome;
    json_t *res = json_object();
    json_object_set_new(res, "errors", mm_gql_errors_to_json(&req->errors));
    req->response = res;
}

static void after_run(mm_graphql_request *req, mm_gql_exec_status st) {
    if (st == MM_GQL_EXEC_PENDING) {
        req->outcome = MM_GRAPHQL_PENDING;
        return;
    }
    if (st != MM_GQL_EXEC_DONE) {
        req->outcome = MM_GRAPHQL_INTERNAL_ERROR;
        mm_gql_errors_add(&req->errors, MM_GQL_ERROR_EXECUTION, NULL, 0, "%s", "Internal error.");
        respond_with_errors(req, MM_GRAPHQL_INTERNAL_ERROR);
        return;
    }
    req->response = mm_gql_execution_result(req->ex);
    if (!req->response) req->outcome = MM_GRAPHQL_INTERNAL_ERROR;
    else if (!mm_gql_execution_is_request_error(req->ex)) req->outcome = MM_GRAPHQL_EXECUTED;
    else if (!mm_gql_execution_operation(req->ex)) req->outcome = MM_GRAPHQL_OPERATION_ERROR;
    else req->outcome = MM_GRAPHQL_VARIABLES_ERROR;
}

mm_graphql_request *mm_graphql_request_start(mm_gql_schema *schema, const mm_graphql_options *opts,
                                             const mm_graphql_request_params *params) {
    mm_graphql_options defaults;
    if (!opts) {
        mm_graphql_options_init(&defaults);
        opts = &defaults;
    }
    mm_graphql_request *req = calloc(1, sizeof(*req));
    if (!req) return NULL;
    mm_arena_init(&req->arena);
    mm_gql_errors_init(&req->errors, &req->arena);

    uint64_t t0 = now_ns();
    const char *text = params->query ? params->query : "";
    size_t len = params->query ? params->query_length : 0;
    char *copy = mm_arena_strndup(&req->arena, text, len);
    mm_gql_document *doc = copy ? mm_gql_parse(&req->arena, copy, len, &opts->parse, &req->errors) : NULL;
    uint64_t t1 = now_ns();
    req->parse_ns = t1 - t0;
    if (!doc) {
        if (req->errors.count == 0) {
            mm_gql_errors_add(&req->errors, MM_GQL_ERROR_EXECUTION, NULL, 0, "%s", "Internal error.");
            respond_with_errors(req, MM_GRAPHQL_INTERNAL_ERROR);
        } else {
            respond_with_errors(req, MM_GRAPHQL_PARSE_ERROR);
        }
        return req;
    }

    mm_gql_validate_options vopts = mm_gql_default_validate_options;
    if (opts->max_validation_errors) vopts.max_errors = opts->max_validation_errors;
    vopts.max_aliases = opts->max_aliases;
    vopts.hide_suggestions = opts->hide_suggestions;
    size_t verrs = mm_gql_validate(schema, doc, &vopts, &req->errors);
    uint64_t t2 = now_ns();
    req->validate_ns = t2 - t1;
    if (verrs > 0) {
        respond_with_errors(req, MM_GRAPHQL_VALIDATION_ERROR);
        return req;
    }

    /* graphql-http: subscriptions are refused, and mutations over GET (405). */
    const mm_gql_operation *op = mm_gql_get_operation(doc, params->operation_name);
    if (op && op->operation == MM_GQL_OP_SUBSCRIPTION) {
        mm_gql_errors_add(&req->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s", "Subscriptions are not supported");
        respond_with_errors(req, MM_GRAPHQL_OPERATION_ERROR);
        return req;
    }
    if (op && op->operation == MM_GQL_OP_MUTATION) {
        req->is_mutation = true;
        if (!params->allow_mutation) {
            mm_gql_errors_add(&req->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s", "Cannot perform mutations over GET");
            respond_with_errors(req, MM_GRAPHQL_MUTATION_OVER_GET);
            return req;
        }
    }

    mm_gql_execute_params ep = {
        .schema = schema,
        .document = doc,
        .operation_name = params->operation_name,
        .variables = params->variables,
        .root_value = params->root_value,
        .context = params->context,
        .wake = params->wake,
        .wake_ud = params->wake_ud,
        .max_variable_errors = opts->max_variable_errors,
    };
    req->ex = mm_gql_execute_start(&ep);
    if (!req->ex) {
        mm_gql_errors_add(&req->errors, MM_GQL_ERROR_EXECUTION, NULL, 0, "%s", "Internal error.");
        respond_with_errors(req, MM_GRAPHQL_INTERNAL_ERROR);
        return req;
    }
    mm_gql_exec_status st = mm_gql_execution_run(req->ex);
    req->execute_ns += now_ns() - t2;
    after_run(req, st);
    return req;
}

mm_graphql_outcome mm_graphql_request_run(mm_graphql_request *req) {
    if (req->outcome != MM_GRAPHQL_PENDING) return req->outcome;
    uint64_t t = now_ns();
    mm_gql_exec_status st = mm_gql_execution_run(req->ex);
    req->execute_ns += now_ns() - t;
    after_run(req, st);
    return req->outcome;
}

mm_graphql_outcome mm_graphql_request_outcome(const mm_graphql_request *req) { return req->outcome; }

json_t *mm_graphql_request_response(mm_graphql_request *req) {
    return req->response ? json_incref(req->response) : NULL;
}

bool mm_graphql_request_is_mutation(const mm_graphql_request *req) { return req->is_mutation; }

void mm_graphql_request_timings(const mm_graphql_request *req, uint64_t *parse_ns, uint64_t *validate_ns,
                                uint64_t *execute_ns) {
    if (parse_ns) *parse_ns = req->parse_ns;
    if (validate_ns) *validate_ns = req->validate_ns;
    if (execute_ns) *execute_ns = req->execute_ns;
}

void mm_graphql_request_cancel(mm_graphql_request *req) {
    if (req && req->ex) mm_gql_execution_cancel(req->ex);
}

void mm_graphql_request_free(mm_graphql_request *req) {
    if (!req) return;
    mm_gql_execution_free(req->ex); /* cancels first, so no wake after this */
    json_decref(req->response);
    mm_gql_errors_release(&req->errors);
    mm_arena_reset(&req->arena);
    free(req);
}

/* ---- blocking convenience ------------------------------------------------ */

typedef struct blocking_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
} blocking_wait;

static void blocking_wake(void *ud) {
    blocking_wait *w = ud;
    pthread_mutex_lock(&w->lock);
    w->woken = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

json_t *mm_graphql_execute_request(mm_gql_schema *schema, const mm_graphql_options *opts,
                                   const mm_graphql_request_params *params,
                                   mm_graphql_outcome *outcome) {
    blocking_wait w = {.woken = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    mm_graphql_request_params p = *params;
    p.wake = blocking_wake;
    p.wake_ud = &w;
    mm_graphql_request *req = mm_graphql_request_start(schema, opts, &p);
    json_t *res = NULL;
    mm_graphql_outcome oc = MM_GRAPHQL_INTERNAL_ERROR;
    if (req) {
        while ((oc = mm_graphql_request_outcome(req)) == MM_GRAPHQL_PENDING) {
            pthread_mutex_lock(&w.lock);
            while (!w.woken) pthread_cond_wait(&w.cond, &w.lock);
            w.woken = false;
            pthread_mutex_unlock(&w.lock);
            mm_graphql_request_run(req);
        }
        res = mm_graphql_request_response(req);
        mm_graphql_request_free(req);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    if (outcome) *outcome = oc;
    return res;
}

const char *mm_graphql_outcome_name(mm_graphql_outcome outcome) {
    switch (outcome) {
    case MM_GRAPHQL_EXECUTED: return "executed";
    case MM_GRAPHQL_PENDING: return "pending";
    case MM_GRAPHQL_PARSE_ERROR: return "parse_error";
    case MM_GRAPHQL_VALIDATION_ERROR: return "validation_error";
    case MM_GRAPHQL_VARIABLES_ERROR: return "variables_error";
    case MM_GRAPHQL_OPERATION_ERROR: return "operation_error";
    case MM_GRAPHQL_MUTATION_OVER_GET: return "mutation_over_get";
    case MM_GRAPHQL_INTERNAL_ERROR: return "internal_error";
    }
    return "unknown";
}
