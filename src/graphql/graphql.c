/* graphql.c -- the engine facade (see graphql.h): parse, validate, check the
 * operation as graphql-http does, execute, and classify the outcome. */
#include "graphql/graphql.h"

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/arena.h"
#include "common/hash.h"
#include "graphql/error/error.h"
#include "graphql/validation/cost.h"
#include "graphql/validation/validate.h"

/* ---- document cache ------------------------------------------------------- */

/* The response of an operation that selects introspection only (no
 * variables, root fields __schema, __type, __typename): it depends on the
 * schema and the document alone, so it is kept with the document and
 * answered without executing again (see introspection_only). */
typedef struct intro_result {
    size_t definition; /* the operation's definition index */
    size_t max_depth;  /* the options' depth limit it was made under */
    uint64_t resolved; /* fields it resolved (the field budget of a later request) */
    size_t len;
    char text[]; /* the response text, NUL-terminated */
} intro_result;

/* A parsed, validated document shared by the requests using it. */
typedef struct cache_entry cache_entry;
struct cache_entry {
    cache_entry *chain;       /* next in the hash bucket */
    cache_entry *prev, *next; /* LRU list, most recent first */
    uint64_t hash;
    const mm_gql_schema *schema;
    char *text; /* the query (owned; the AST points into it) */
    size_t length;
    mm_arena arena; /* the AST */
    mm_gql_document *doc;
    size_t *costs;                 /* per definition, its operation's cost (cost.h), or NULL */
    size_t costs_limit;            /* the max_cost they were counted up to */
    size_t bytes;                  /* what it holds from malloc, once listed */
    atomic_int refs;               /* the cache's (while listed) + each request's */
    _Atomic(intro_result *) intro; /* set once (under the cache's lock), freed with it */
    atomic_size_t response_len;    /* the last response's length: the next one's size hint */
};

struct mm_graphql_cache {
    pthread_mutex_t lock;
    cache_entry **buckets;
    size_t bucket_count; /* power of two */
    size_t capacity, size;
    size_t max_bytes, bytes;
    cache_entry *head, *tail;
    uint64_t hits, misses, evictions;
};

static uint64_t hash_text(const mm_gql_schema *schema, const char *s, size_t n) {
    return mm_fnv1a_update(MM_FNV1A_OFFSET ^ (uint64_t)(uintptr_t)schema, s, n);
}

static cache_entry *entry_new(const mm_gql_schema *schema, const char *text, size_t length) {
    cache_entry *e = calloc(1, sizeof(*e));
    if (!e) return NULL;
    e->text = malloc(length + 1);
    if (!e->text) {
        free(e);
        return NULL;
    }
    memcpy(e->text, text, length);
    e->text[length] = '\0';
    e->length = length;
    e->schema = schema;
    e->hash = hash_text(schema, text, length);
    mm_arena_init(&e->arena);
    atomic_init(&e->refs, 1);
    atomic_init(&e->response_len, 0);
    return e;
}

static void entry_release(cache_entry *e) {
    if (!e) return;
    int before = atomic_fetch_sub(&e->refs, 1);
    assert(before >= 1); /* released more often than referenced */
    if (before != 1) return;
    assert(!e->prev && !e->next); /* no longer listed */
    mm_arena_reset(&e->arena);
    free(atomic_load(&e->intro));
    free(e->text);
    free(e);
}

mm_graphql_cache *mm_graphql_cache_new(size_t capacity) {
    return mm_graphql_cache_new_bounded(capacity, MM_GRAPHQL_CACHE_DEFAULT_BYTES);
}

mm_graphql_cache *mm_graphql_cache_new_bounded(size_t capacity, size_t max_bytes) {
    if (capacity == 0) capacity = 1;
    if (max_bytes == 0) max_bytes = MM_GRAPHQL_CACHE_DEFAULT_BYTES;
    mm_graphql_cache *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->bucket_count = 16;
    while (c->bucket_count < capacity * 2) c->bucket_count *= 2;
    c->buckets = calloc(c->bucket_count, sizeof(*c->buckets));
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    c->capacity = capacity;
    c->max_bytes = max_bytes;
    pthread_mutex_init(&c->lock, NULL);
    return c;
}

void mm_graphql_cache_free(mm_graphql_cache *c) {
    if (!c) return;
    for (cache_entry *e = c->head, *next; e; e = next) {
        next = e->next;
        e->prev = e->next = NULL;
        entry_release(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void mm_graphql_cache_stats(mm_graphql_cache *c, uint64_t *hits, uint64_t *misses, size_t *size) {
    pthread_mutex_lock(&c->lock);
    if (hits) *hits = c->hits;
    if (misses) *misses = c->misses;
    if (size) *size = c->size;
    pthread_mutex_unlock(&c->lock);
}

void mm_graphql_cache_usage(mm_graphql_cache *c, size_t *bytes, uint64_t *evictions) {
    pthread_mutex_lock(&c->lock);
    if (bytes) *bytes = c->bytes;
    if (evictions) *evictions = c->evictions;
    pthread_mutex_unlock(&c->lock);
}

static void lru_unlink(mm_graphql_cache *c, cache_entry *e) {
    assert(c->head && c->tail && c->size > 0);
    assert(e->prev ? e->prev->next == e : c->head == e);
    assert(e->next ? e->next->prev == e : c->tail == e);
    if (e->prev)
        e->prev->next = e->next;
    else
        c->head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        c->tail = e->prev;
    e->prev = e->next = NULL;
}

static void lru_push_front(mm_graphql_cache *c, cache_entry *e) {
    assert(!e->prev && !e->next && c->head != e);
    assert(!c->head == !c->tail);
    e->prev = NULL;
    e->next = c->head;
    if (c->head)
        c->head->prev = e;
    else
        c->tail = e;
    c->head = e;
}

static cache_entry *cache_find_locked(mm_graphql_cache *c, const mm_gql_schema *schema,
                                      uint64_t hash, const char *text, size_t length) {
    for (cache_entry *e = c->buckets[hash & (c->bucket_count - 1)]; e; e = e->chain)
        if (e->hash == hash && e->schema == schema && e->length == length &&
            memcmp(e->text, text, length) == 0)
            return e;
    return NULL;
}

/* A referenced entry for the text, or NULL on a miss. */
static cache_entry *cache_lookup(mm_graphql_cache *c, const mm_gql_schema *schema, const char *text,
                                 size_t length) {
    uint64_t hash = hash_text(schema, text, length);
    pthread_mutex_lock(&c->lock);
    cache_entry *e = cache_find_locked(c, schema, hash, text, length);
    if (e) {
        c->hits++;
        lru_unlink(c, e);
        lru_push_front(c, e);
        atomic_fetch_add(&e->refs, 1);
    } else {
        c->misses++;
    }
    pthread_mutex_unlock(&c->lock);
    return e;
}

/* Lists a freshly validated entry (the cache takes its own reference),
 * evicting the least recently used beyond capacity or the byte budget. */
static void cache_insert(mm_graphql_cache *c, cache_entry *e) {
    cache_entry *evicted = NULL; /* chained through next: released unlocked */
    /* Measured before listing: the entry is complete and nobody else sees it. */
    e->bytes = sizeof(*e) + e->length + 1 + mm_arena_reserved(&e->arena);
    if (e->bytes > c->max_bytes) return; /* would evict everything and still not fit */
    pthread_mutex_lock(&c->lock);
    if (!cache_find_locked(c, e->schema, e->hash, e->text,
                           e->length)) { /* another thread may have won */
        atomic_fetch_add(&e->refs, 1);
        size_t b = e->hash & (c->bucket_count - 1);
        e->chain = c->buckets[b];
        c->buckets[b] = e;
        lru_push_front(c, e);
        c->size++;
        c->bytes += e->bytes;
        while (c->size > c->capacity || c->bytes > c->max_bytes) {
            cache_entry *old = c->tail;
            assert(old && old != e);
            lru_unlink(c, old);
            cache_entry **pp = &c->buckets[old->hash & (c->bucket_count - 1)];
            while (*pp != old) {
                assert(*pp); /* every listed entry is in its bucket */
                pp = &(*pp)->chain;
            }
            *pp = old->chain;
            c->size--;
            c->bytes -= old->bytes;
            c->evictions++;
            old->next = evicted;
            evicted = old;
        }
    }
    pthread_mutex_unlock(&c->lock);
    while (evicted) {
        cache_entry *next = evicted->next;
        entry_release(evicted);
        evicted = next;
    }
}

/* Keeps an introspection response with its listed entry, if the byte
 * budget allows it and no other was kept (one per document). */
static void cache_keep_intro(mm_graphql_cache *c, cache_entry *e, intro_result *r) {
    size_t bytes = sizeof(*r) + r->len + 1;
    bool kept = false;
    pthread_mutex_lock(&c->lock);
    bool listed = e->prev || e->next || c->head == e;
    if (listed && !atomic_load(&e->intro) && c->bytes + bytes <= c->max_bytes) {
        atomic_store_explicit(&e->intro, r, memory_order_release);
        e->bytes += bytes;
        c->bytes += bytes;
        kept = true;
    }
    pthread_mutex_unlock(&c->lock);
    if (!kept) free(r);
}

/* ---- requests --------------------------------------------------------------- */

struct mm_graphql_request {
    mm_arena arena; /* the query copy, AST and pre-execution errors */
    mm_gql_errors errors;
    mm_graphql_outcome outcome;
    mm_gql_execution *ex;
    bool is_mutation;
    json_t *response;   /* errors before execution; or the execution's text parsed on demand */
    cache_entry *entry; /* the cached document in use, or NULL */
    const intro_result *intro; /* answered from entry's kept introspection response */
    bool keep_intro;           /* keep this execution's response with the entry */
    uint64_t parse_ns, validate_ns, execute_ns;
};

/* Whether set (at most depth fragment levels deep) selects only the
 * introspection root fields: __schema, __type, __typename. */
static bool selects_introspection_only(const mm_gql_document *doc, const mm_gql_selection_set *set,
                                       int depth) {
    if (!set || depth > 16) return false;
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        switch (sel->kind) {
        case MM_GQL_SEL_FIELD: {
            const char *n = sel->u.field.name.value;
            if (!n || (strcmp(n, "__schema") != 0 && strcmp(n, "__type") != 0 &&
                       strcmp(n, "__typename") != 0))
                return false;
            break;
        }
        case MM_GQL_SEL_INLINE_FRAGMENT:
            if (!selects_introspection_only(doc, sel->u.inline_fragment.selection_set, depth + 1))
                return false;
            break;
        case MM_GQL_SEL_FRAGMENT_SPREAD: {
            const mm_gql_fragment *f = NULL;
            for (size_t d = 0; d < doc->definition_count && !f; d++)
                if (doc->definitions[d].kind == MM_GQL_DEF_FRAGMENT &&
                    strcmp(doc->definitions[d].u.fragment.name.value, sel->u.spread.name.value) ==
                        0)
                    f = &doc->definitions[d].u.fragment;
            if (!f || !selects_introspection_only(doc, f->selection_set, depth + 1)) return false;
            break;
        }
        }
    }
    return true;
}

/* Whether op's response is a function of the schema and the document
 * alone: a query without variable definitions (so no @skip/@include or
 * argument can vary) selecting only introspection fields, which are answered
 * by the schema's own resolvers. Extra variables a request sends are
 * ignored by graphql-js, as here. */
static bool introspection_only(const mm_gql_document *doc, const mm_gql_operation *op) {
    return op->operation == MM_GQL_OP_QUERY && op->variable_count == 0 &&
           selects_introspection_only(doc, op->selection_set, 0);
}

/* The definition index of op in doc. */
static size_t definition_index(const mm_gql_document *doc, const mm_gql_operation *op) {
    const mm_gql_definition *d =
        (const mm_gql_definition *)(const void *)((const char *)op -
                                                  offsetof(mm_gql_definition, u.operation));
    assert(d >= doc->definitions && d < doc->definitions + doc->definition_count);
    return (size_t)(d - doc->definitions);
}

void mm_graphql_options_init(mm_graphql_options *opts) {
    memset(opts, 0, sizeof(*opts));
    opts->parse = mm_gql_default_parse_limits;
    opts->max_validation_errors = 100;
    opts->max_aliases = 1000;
    opts->max_variable_errors = 50;
    opts->max_cost = MM_GRAPHQL_DEFAULT_MAX_COST;
    opts->max_field_resolutions = MM_GRAPHQL_DEFAULT_MAX_FIELD_RESOLUTIONS;
    opts->max_response_bytes = MM_GRAPHQL_DEFAULT_MAX_RESPONSE_BYTES;
    opts->execution_timeout_ms = MM_GRAPHQL_DEFAULT_EXECUTION_TIMEOUT_MS;
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

/* The response's length, kept with the cached document as the next
 * execution's size hint (the text then grows once, not from 1 KiB). */
static void remember_size(mm_graphql_request *req) {
    size_t len;
    if (req->entry && req->outcome == MM_GRAPHQL_EXECUTED &&
        mm_gql_execution_result_text(req->ex, &len))
        atomic_store_explicit(&req->entry->response_len, len + 1, memory_order_relaxed);
}

/* A successful introspection response is kept with its document. */
static void keep_intro(mm_graphql_request *req, const mm_graphql_options *opts) {
    size_t len;
    const char *text = mm_gql_execution_result_text(req->ex, &len);
    const mm_gql_operation *op = mm_gql_execution_operation(req->ex);
    if (!text || !op || mm_gql_execution_has_errors(req->ex) ||
        mm_gql_execution_stop_reason(req->ex) != MM_GQL_STOP_NONE)
        return;
    intro_result *r = malloc(sizeof(*r) + len + 1);
    if (!r) return;
    r->definition = definition_index(req->entry->doc, op);
    r->max_depth = opts->max_depth;
    r->resolved = mm_gql_execution_resolved_fields(req->ex);
    r->len = len;
    memcpy(r->text, text, len + 1);
    cache_keep_intro(opts->cache, req->entry, r);
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
    /* The response stays text in the execution until someone asks for it. */
    if (!mm_gql_execution_result_text(req->ex, NULL))
        req->outcome = MM_GRAPHQL_INTERNAL_ERROR;
    else if (!mm_gql_execution_is_request_error(req->ex))
        req->outcome = MM_GRAPHQL_EXECUTED;
    else if (!mm_gql_execution_operation(req->ex))
        req->outcome = MM_GRAPHQL_OPERATION_ERROR;
    else
        req->outcome = MM_GRAPHQL_VARIABLES_ERROR;
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
    mm_gql_document *doc = NULL;
    cache_entry *fresh = NULL; /* parsed now, to be cached once valid */
    if (opts->cache) req->entry = cache_lookup(opts->cache, schema, text, len);
    if (req->entry) {
        doc = req->entry->doc;
    } else if (opts->cache) {
        fresh = entry_new(schema, text, len);
        if (fresh)
            doc = fresh->doc =
                mm_gql_parse(&fresh->arena, fresh->text, len, &opts->parse, &req->errors);
    } else {
        char *copy = mm_arena_strndup(&req->arena, text, len);
        if (copy) doc = mm_gql_parse(&req->arena, copy, len, &opts->parse, &req->errors);
    }
    uint64_t t1 = now_ns();
    req->parse_ns = req->entry ? 0 : t1 - t0;
    if (!doc) {
        entry_release(fresh);
        if (req->errors.count == 0) {
            mm_gql_errors_add(&req->errors, MM_GQL_ERROR_EXECUTION, NULL, 0, "%s",
                              "Internal error.");
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
    size_t verrs = req->entry ? 0 : mm_gql_validate(schema, doc, &vopts, &req->errors);
    uint64_t t2 = now_ns();
    req->validate_ns = req->entry ? 0 : t2 - t1;
    if (verrs > 0) {
        entry_release(fresh);
        respond_with_errors(req, MM_GRAPHQL_VALIDATION_ERROR);
        return req;
    }
    if (fresh) {
        /* The costs of all its operations, counted once for every later hit. */
        if (opts->max_cost) {
            fresh->costs = mm_gql_document_costs(doc, opts->max_cost, &fresh->arena);
            fresh->costs_limit = opts->max_cost;
        }
        cache_insert(opts->cache, fresh);
        req->entry = fresh; /* the request keeps the reference it was created with */
    }

    /* graphql-http: subscriptions are refused, and mutations over GET (405). */
    const mm_gql_operation *op = mm_gql_get_operation(doc, params->operation_name);
    if (op && opts->max_cost) {
        size_t cost;
        if (req->entry && req->entry->costs && req->entry->costs_limit == opts->max_cost)
            cost = req->entry->costs[definition_index(doc, op)];
        else
            cost = mm_gql_operation_cost(doc, op, opts->max_cost, &req->arena);
        if (cost > opts->max_cost) {
            mm_gql_error *e = mm_gql_errors_add(
                &req->errors, MM_GQL_ERROR_LIMIT, NULL, 0,
                "The operation selects more than the limit of %zu fields (aliases and fragment "
                "spreads counted each time).",
                opts->max_cost);
            if (e) e->extensions = json_pack("{s:s}", "code", "COST_LIMIT_EXCEEDED");
            respond_with_errors(req, MM_GRAPHQL_VALIDATION_ERROR);
            return req;
        }
    }
    if (op && op->operation == MM_GQL_OP_SUBSCRIPTION && !params->allow_subscription) {
        mm_gql_errors_add(&req->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
                          "Subscriptions are not supported");
        respond_with_errors(req, MM_GRAPHQL_OPERATION_ERROR);
        return req;
    }
    if (op && op->operation == MM_GQL_OP_MUTATION) {
        req->is_mutation = true;
        if (!params->allow_mutation) {
            mm_gql_errors_add(&req->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
                              "Cannot perform mutations over GET");
            respond_with_errors(req, MM_GRAPHQL_MUTATION_OVER_GET);
            return req;
        }
    }

    /* An introspection response kept with the document answers at once,
     * within this request's bounds (a smaller cap or budget executes, and
     * stops as it would have). */
    const intro_result *intro =
        req->entry ? atomic_load_explicit(&req->entry->intro, memory_order_acquire) : NULL;
    if (intro && op && intro->definition == definition_index(doc, op) &&
        intro->max_depth == opts->max_depth &&
        (!params->variables || json_is_object(params->variables)) &&
        (!opts->max_response_bytes || intro->len <= opts->max_response_bytes) &&
        (!opts->max_field_resolutions || intro->resolved <= opts->max_field_resolutions)) {
        req->intro = intro;
        req->outcome = MM_GRAPHQL_EXECUTED;
        req->execute_ns = now_ns() - t2;
        return req;
    }
    req->keep_intro = opts->cache && req->entry && op && !intro && introspection_only(doc, op);

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
        .max_depth = opts->max_depth,
        .hide_suggestions = opts->hide_suggestions,
        .max_response_bytes = opts->max_response_bytes,
        .max_field_resolutions = opts->max_field_resolutions,
        .timeout_ns = (uint64_t)opts->execution_timeout_ms * 1000000u,
        .cancel = params->cancel,
        .stop_at_ns = opts->stop_at_ns,
        .response_size_hint =
            req->entry ? atomic_load_explicit(&req->entry->response_len, memory_order_relaxed) : 0,
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
    if (req->keep_intro && req->outcome == MM_GRAPHQL_EXECUTED) keep_intro(req, opts);
    remember_size(req);
    return req;
}

mm_graphql_outcome mm_graphql_request_run(mm_graphql_request *req) {
    if (req->outcome != MM_GRAPHQL_PENDING) return req->outcome;
    uint64_t t = now_ns();
    mm_gql_exec_status st = mm_gql_execution_run(req->ex);
    req->execute_ns += now_ns() - t;
    after_run(req, st);
    remember_size(req);
    return req->outcome;
}

mm_graphql_outcome mm_graphql_request_outcome(const mm_graphql_request *req) {
    return req->outcome;
}

json_t *mm_graphql_request_response(mm_graphql_request *req) {
    if (!req->response && req->intro)
        req->response = json_loadb(req->intro->text, req->intro->len, JSON_ALLOW_NUL, NULL);
    if (!req->response && req->ex && req->outcome != MM_GRAPHQL_PENDING)
        req->response = mm_gql_execution_result(req->ex);
    return req->response ? json_incref(req->response) : NULL;
}

char *mm_graphql_request_take_response_text(mm_graphql_request *req, size_t *len) {
    if (req->outcome == MM_GRAPHQL_PENDING) return NULL;
    if (req->response) return mm_json_text(req->response, len);
    if (req->intro) {
        char *text = malloc(req->intro->len + 1);
        if (text) {
            memcpy(text, req->intro->text, req->intro->len + 1);
            if (len) *len = req->intro->len;
        }
        return text;
    }
    return mm_gql_execution_take_result_text(req->ex, len);
}

bool mm_graphql_request_has_errors(const mm_graphql_request *req) {
    if (req->response) return json_array_size(json_object_get(req->response, "errors")) > 0;
    return mm_gql_execution_has_errors(req->ex);
}

bool mm_graphql_request_is_mutation(const mm_graphql_request *req) { return req->is_mutation; }

void mm_graphql_request_timings(const mm_graphql_request *req, uint64_t *parse_ns,
                                uint64_t *validate_ns, uint64_t *execute_ns) {
    if (parse_ns) *parse_ns = req->parse_ns;
    if (validate_ns) *validate_ns = req->validate_ns;
    if (execute_ns) *execute_ns = req->execute_ns;
}

mm_gql_stop_reason mm_graphql_request_stop_reason(const mm_graphql_request *req) {
    return req ? mm_gql_execution_stop_reason(req->ex) : MM_GQL_STOP_NONE;
}

void mm_graphql_request_cancel(mm_graphql_request *req) {
    if (req && req->ex) mm_gql_execution_cancel(req->ex);
}

void mm_graphql_request_free(mm_graphql_request *req) {
    if (!req) return;
    mm_gql_execution_free(req->ex); /* cancels first, so no wake after this */
    entry_release(req->entry);      /* after the execution: it reads the document */
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
