/* execute.c -- running an operation: operation selection, variables, root
 * fields (one after the other, pausable on a deferred), field execution with
 * arguments and resolvers, and the response (graphql-js 16 execute.ts).
 * Completion of values lives in complete_value.c, field collection in
 * collect_fields.c; the deferral contract is described in execute.h. */
#define MM_GQL_EXECUTOR_INTERNAL
#include "graphql/execution/execute.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "graphql/type/introspection.h"
#include "graphql/execution/values.h"

/* graphql-js execute() caps variable coercion errors at 50. */
#define DEFAULT_MAX_VARIABLE_ERRORS 50
/* Response object nesting allowed by default (see mm_gql_execute_params). */
#define DEFAULT_MAX_DEPTH 200

/* ---- deferreds ------------------------------------------------------------ */

enum {
    DEFERRED_PENDING,
    DEFERRED_RESOLVED,
    DEFERRED_REJECTED
};

struct mm_gql_deferred {
    pthread_mutex_t lock;
    int refs; /* the settling side's + the execution's */
    int state;
    bool waiting;  /* the execution returned PENDING and wants a wake */
    bool detached; /* the execution no longer cares (cancelled, freed, nested) */
    bool waking;   /* a wake callback is running (on thread `waker`) */
    pthread_t waker;
    pthread_cond_t woke; /* signalled when the wake callback returned */
    json_t *value;
    json_t *extensions;
    char *message;
    mm_gql_wake_fn wake;
    void *wake_ud;
};

static void deferred_release(mm_gql_deferred *d) {
    pthread_mutex_lock(&d->lock);
    int refs = --d->refs;
    pthread_mutex_unlock(&d->lock);
    if (refs > 0) return;
    json_decref(d->value);
    json_decref(d->extensions);
    free(d->message);
    pthread_cond_destroy(&d->woke);
    pthread_mutex_destroy(&d->lock);
    free(d);
}

/* The execution lets go of a deferred it will not wait for. Once this
 * returns no wake callback runs any more: one in progress on another thread
 * is waited for (one on this thread is the caller itself). */
static void deferred_detach(mm_gql_deferred *d) {
    pthread_mutex_lock(&d->lock);
    d->detached = true;
    d->wake = NULL;
    while (d->waking && !pthread_equal(d->waker, pthread_self()))
        pthread_cond_wait(&d->woke, &d->lock);
    pthread_mutex_unlock(&d->lock);
    deferred_release(d);
}

static void deferred_settle(mm_gql_deferred *d, int state, json_t *value, json_t *extensions,
                            const char *message) {
    if (!d) {
        json_decref(value);
        json_decref(extensions);
        return;
    }
    char *msg = message ? strdup(message) : NULL;
    pthread_mutex_lock(&d->lock);
    if (d->state != DEFERRED_PENDING || d->detached) {
        /* settled twice, or nobody listens any more: drop the outcome */
        pthread_mutex_unlock(&d->lock);
        json_decref(value);
        json_decref(extensions);
        free(msg);
    } else {
        d->state = state;
        d->value = value;
        d->extensions = extensions;
        d->message = msg;
        if (d->waiting && d->wake) {
            /* Call the wake without the lock, so it may run the execution
             * itself; detach waits for it, so none runs after cancel/free. */
            mm_gql_wake_fn wake = d->wake;
            void *ud = d->wake_ud;
            d->waking = true;
            d->waker = pthread_self();
            pthread_mutex_unlock(&d->lock);
            wake(ud);
            pthread_mutex_lock(&d->lock);
            d->waking = false;
            pthread_cond_broadcast(&d->woke);
        }
        pthread_mutex_unlock(&d->lock);
    }
    deferred_release(d);
}

void mm_gql_deferred_resolve(mm_gql_deferred *deferred, json_t *value) {
    deferred_settle(deferred, DEFERRED_RESOLVED, value ? value : json_null(), NULL, NULL);
}

void mm_gql_deferred_reject(mm_gql_deferred *deferred, json_t *extensions, const char *message) {
    deferred_settle(deferred, DEFERRED_REJECTED, NULL, extensions,
                    message ? message : "Unknown error.");
}

mm_gql_deferred *mm_gql_resolve_defer(mm_gql_resolve_info *info) {
    if (info->deferred_) return info->deferred_;
    mm_gql_deferred *d = calloc(1, sizeof(*d));
    if (!d) return NULL;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->woke, NULL);
    d->refs = 2;
    d->state = DEFERRED_PENDING;
    d->wake = info->execution_->wake;
    d->wake_ud = info->execution_->wake_ud;
    info->deferred_ = d;
    return d;
}

/* ---- errors ----------------------------------------------------------------- */

void mm_gql_resolve_error(mm_gql_resolve_info *info, json_t *extensions, const char *fmt, ...) {
    if (info->error_message_) { /* the first error raised for a field wins */
        json_decref(extensions);
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = mm_arena_alloc(info->arena, n < 0 ? 1 : (size_t)n + 1);
    if (!msg) {
        json_decref(extensions);
        info->error_message_ = "Out of memory.";
        return;
    }
    va_start(ap, fmt);
    if (n < 0)
        msg[0] = '\0';
    else
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    info->error_message_ = msg;
    info->error_extensions_ = extensions;
}

void mm_gql_exec_field_error(mm_gql_execution *ex, const mm_gql_field_group *group,
                             const mm_gql_loc *loc, const mm_gql_path *path, json_t *extensions,
                             const char *message) {
    mm_gql_error *e;
    if (loc) {
        e = mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_EXECUTION, loc, 1, "%s", message);
    } else {
        mm_gql_loc *locs = mm_arena_alloc(&ex->arena, (group->count + 1) * sizeof(*locs));
        size_t n = 0;
        for (size_t i = 0; locs && i < group->count; i++) locs[n++] = group->nodes[i]->loc;
        e = mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_EXECUTION, locs, n, "%s", message);
    }
    if (!e) {
        json_decref(extensions);
        return;
    }
    size_t len = 0;
    for (const mm_gql_path *p = path; p; p = p->prev) len++;
    /* Errors are written into the response too: a roughly sized count keeps
     * a flood of them (52k items whose leaf fails) under the response cap. */
    ex->error_bytes += strlen(message) + 48 + 16 * len + 32 * (loc ? 1 : group->count);
    if (len) {
        mm_gql_path_segment *segs = mm_arena_alloc(&ex->arena, len * sizeof(*segs));
        if (segs) {
            size_t i = len;
            for (const mm_gql_path *p = path; p; p = p->prev)
                segs[--i] = (mm_gql_path_segment){p->key, p->index};
            mm_gql_error_set_path(&ex->errors, e, segs, len);
        }
    }
    /* graphql-js leaves "extensions" out when it is empty */
    if (extensions && json_is_object(extensions) && json_object_size(extensions) > 0)
        e->extensions = extensions;
    else
        json_decref(extensions);
}

/* ---- bounds ------------------------------------------------------------------ */

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static const atomic_bool never_cancelled = false;

/* Fields resolved so far: the chunks done plus this one's used part. */
static uint64_t resolved_fields(const mm_gql_execution *ex) {
    return ex->resolved + (ex->fields_chunk - ex->fields_left);
}

/* The reason to stop now, or NONE; reads the clock. */
static mm_gql_stop_reason check_bounds(const mm_gql_execution *ex) {
    if (ex->cancelled || atomic_load_explicit(ex->cancel, memory_order_relaxed))
        return MM_GQL_STOP_CANCELLED;
    if (resolved_fields(ex) > ex->max_resolved) return MM_GQL_STOP_FIELD_LIMIT;
    if (ex->out.over_limit || (ex->out.limit && ex->out.len + ex->error_bytes > ex->out.limit))
        return MM_GQL_STOP_RESPONSE_TOO_LARGE;
    uint64_t stop_at =
        ex->stop_at_ns ? atomic_load_explicit(ex->stop_at_ns, memory_order_relaxed) : 0;
    if (ex->timeout_ns || stop_at) {
        uint64_t now = now_ns();
        if (stop_at && now >= stop_at) return MM_GQL_STOP_SHUTDOWN;
        if (ex->timeout_ns && ex->run_started_ns &&
            ex->ran_ns + (now - ex->run_started_ns) >= ex->timeout_ns)
            return MM_GQL_STOP_TIMEOUT;
    }
    return MM_GQL_STOP_NONE;
}

/* Starts the next chunk of fields: MM_GQL_CHECK_INTERVAL, or fewer so that
 * the countdown reaches 0 exactly at the field past the budget. */
static void next_chunk(mm_gql_execution *ex) {
    ex->resolved = resolved_fields(ex);
    uint64_t chunk = MM_GQL_CHECK_INTERVAL;
    if (ex->max_resolved != UINT64_MAX && ex->resolved <= ex->max_resolved &&
        ex->max_resolved - ex->resolved + 1 < chunk)
        chunk = ex->max_resolved - ex->resolved + 1;
    ex->fields_chunk = ex->fields_left = chunk;
    ex->items_left = MM_GQL_CHECK_INTERVAL;
}

bool mm_gql_exec_check_slow(mm_gql_execution *ex) {
    if (ex->stop == MM_GQL_STOP_NONE) ex->stop = check_bounds(ex);
    next_chunk(ex); /* after the check: it counts the field that came here */
    return ex->stop != MM_GQL_STOP_NONE;
}

bool mm_gql_resolve_should_stop(const mm_gql_resolve_info *info) {
    mm_gql_execution *ex = info->execution_;
    if (!ex) return false;
    /* Recorded, so the field's value is dropped and the execution stops
     * right after the resolver returns. */
    if (ex->stop == MM_GQL_STOP_NONE) ex->stop = check_bounds(ex);
    return ex->stop != MM_GQL_STOP_NONE;
}

const char *mm_gql_stop_reason_code(mm_gql_stop_reason reason) {
    switch (reason) {
    case MM_GQL_STOP_NONE: return NULL;
    case MM_GQL_STOP_CANCELLED: return "EXECUTION_CANCELLED";
    case MM_GQL_STOP_TIMEOUT: return "EXECUTION_TIMEOUT";
    case MM_GQL_STOP_RESPONSE_TOO_LARGE: return "RESPONSE_TOO_LARGE";
    case MM_GQL_STOP_FIELD_LIMIT: return "FIELD_LIMIT_EXCEEDED";
    case MM_GQL_STOP_SHUTDOWN: return "SHUTTING_DOWN";
    }
    return NULL;
}

mm_gql_stop_reason mm_gql_execution_stop_reason(const mm_gql_execution *ex) {
    return ex ? ex->stop : MM_GQL_STOP_NONE;
}

uint64_t mm_gql_execution_resolved_fields(const mm_gql_execution *ex) {
    return ex ? resolved_fields(ex) : 0;
}

/* After a stop: data becomes null (what was written is dropped, so a capped
 * response costs nothing more) and the error says why. */
static void record_stop(mm_gql_execution *ex) {
    const char *msg = NULL;
    switch (ex->stop) {
    case MM_GQL_STOP_NONE: return;
    case MM_GQL_STOP_CANCELLED: msg = "Execution was cancelled."; break;
    case MM_GQL_STOP_TIMEOUT:
        msg = mm_arena_sprintf(&ex->arena,
                               "Execution stopped: it ran longer than the limit of %llu ms.",
                               (unsigned long long)(ex->timeout_ns / 1000000u));
        break;
    case MM_GQL_STOP_RESPONSE_TOO_LARGE:
        msg = mm_arena_sprintf(&ex->arena,
                               "Execution stopped: the response exceeds the limit of %zu bytes.",
                               ex->out.limit);
        break;
    case MM_GQL_STOP_FIELD_LIMIT:
        msg = mm_arena_sprintf(
            &ex->arena,
            "Execution stopped: the operation resolves more than the limit of %llu fields.",
            (unsigned long long)ex->max_resolved);
        break;
    case MM_GQL_STOP_SHUTDOWN: msg = "Execution stopped: the server is shutting down."; break;
    }
    mm_gql_error *e = mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_EXECUTION, NULL, 0, "%s",
                                        msg ? msg : "Execution stopped.");
    if (e) e->extensions = json_pack("{s:s}", "code", mm_gql_stop_reason_code(ex->stop));
    ex->data_null = true;
    mm_json_writer_release(&ex->out); /* also drops the limit: "data":null always fits */
    mm_json_put(&ex->out, "{\"data\":", 8);
    ex->data_start = ex->out.len;
}

/* ---- fields ------------------------------------------------------------------ */

/* graphql-js handleFieldError, after the error was recorded: null here when
 * the field is nullable (written over whatever the value wrote since mark),
 * otherwise null propagates further up. */
static int field_failed(mm_gql_execution *ex, const mm_gql_field *field, size_t mark) {
    if (field->type->kind == MM_GQL_NON_NULL) return MM_GQL_FIELD_NULL_UP;
    mm_json_truncate(&ex->out, mark);
    mm_json_put(&ex->out, "null", 4);
    return MM_GQL_FIELD_OK;
}

/* The definition of the index-th field of fields on parent_type; NULL for an
 * unknown field, which graphql-js leaves out of the response. */
static const mm_gql_field *field_def(mm_gql_execution *ex, mm_gql_type *parent_type,
                                     const mm_gql_field_groups *fields, size_t index) {
    if (fields->defs) return fields->defs[index];
    return mm_gql_get_field_def(ex->schema, parent_type,
                                fields->items[index].nodes[0]->u.field.name.value);
}

/* Writes "key": for a field about to be written (keys are GraphQL names,
 * ASCII letters, digits and _, so they need no escaping). */
static void put_key(mm_gql_execution *ex, const mm_gql_field_group *group, bool first) {
    const char *key = group->response_key;
    size_t n = group->response_key_len;
    if (ex->out.len + n + 4 >= ex->out.cap && !mm_json_writer_reserve(&ex->out, n + 4)) return;
    char *p = ex->out.s + ex->out.len;
    if (!first) *p++ = ',';
    *p++ = '"';
    mm_json_copy(p, key, n);
    p += n;
    *p++ = '"';
    *p++ = ':';
    ex->out.len = (size_t)(p - ex->out.s);
}

/* graphql-js defaultFieldResolver: the source's member named like the field
 * (BORROWED: the source holds it while the field completes), or NULL.
 * *cursor (when cursor is not NULL) walks the source's members in order
 * alongside the selection: when the data's members come in the order they
 * are selected (data stored in the schema's shape), each lookup is one
 * comparison instead of a hash and a bucket walk. The value is the same
 * either way. */
static inline bool same_bytes(const char *a, const char *b, size_t n) {
    if (n > 16) return memcmp(a, b, n) == 0;
    uint64_t x, y, u, v;
    if (n >= 8) {
        memcpy(&x, a, 8), memcpy(&y, b, 8), memcpy(&u, a + n - 8, 8), memcpy(&v, b + n - 8, 8);
        return ((x ^ y) | (u ^ v)) == 0;
    }
    if (n >= 4) {
        uint32_t p, q, r, t;
        memcpy(&p, a, 4), memcpy(&q, b, 4), memcpy(&r, a + n - 4, 4), memcpy(&t, b + n - 4, 4);
        return ((p ^ q) | (r ^ t)) == 0;
    }
    return n == 0 || (a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1]);
}

static inline __attribute__((always_inline)) json_t *
default_resolve(json_t *source, const char *name, size_t name_len, void **cursor) {
    if (!json_is_object(source)) return NULL;
    void *it = cursor ? *cursor : NULL;
    if (it && json_object_iter_key_len(it) == name_len &&
        same_bytes(json_object_iter_key(it), name, name_len)) {
        *cursor = json_object_iter_next(source, it);
        return json_object_iter_value(it);
    }
    return json_object_get(source, name);
}

/* graphql-js executeField: writes the field's value (its key is already
 * written). root: the field may pause on a deferred. args_memo: where this
 * field's coerced arguments are kept for the execution, or NULL. cursor:
 * see default_resolve (NULL for root fields). */
static int execute_field(mm_gql_execution *ex, mm_gql_type *parent_type, json_t *source,
                         const mm_gql_field_group *group, const mm_gql_field *field,
                         json_t **args_memo, void **cursor, const mm_gql_path *path, bool root) {
    if (mm_gql_exec_should_stop(ex)) return MM_GQL_FIELD_STOPPED;
    size_t mark = ex->out.len;
    const mm_gql_selection *first = group->nodes[0];
    if (!field->resolve && field->name[0] == '_' && strcmp(field->name, "__typename") == 0) {
        mm_json_put_char(&ex->out, '"');
        mm_json_put(&ex->out, parent_type->name, strlen(parent_type->name));
        mm_json_put_char(&ex->out, '"');
        return MM_GQL_FIELD_OK;
    }
    /* Completion reads only the field's name and parent type (for its
     * messages); the rest is filled when a resolver will see it. Most fields
     * of a large response are default-resolved, and this is per field. */
    mm_gql_resolve_info info;
    info.field_name = field->name;
    info.parent_type = parent_type;
    info.error_message_ = NULL;
    info.deferred_ = NULL;
    if (!field->resolve && field->arg_count == 0) {
        /* Default-resolved without arguments: no arguments to coerce, no
         * resolver to hear from (execute_fields takes most such fields
         * itself; root fields and names beginning with _ come here). */
        json_t *value = default_resolve(
            source, field->name, group->name_len ? group->name_len : strlen(field->name), cursor);
        int st = mm_gql_complete_value(ex, field->type, group, &info, path, value);
        if (st == MM_GQL_FIELD_NULL_UP) return field_failed(ex, field, mark);
        return st;
    }
    if (field->resolve)
        info = (mm_gql_resolve_info){
            .field_name = field->name,
            .field = field,
            .return_type = field->type,
            .parent_type = parent_type,
            .path = path,
            .field_nodes = (const mm_gql_selection *const *)group->nodes,
            .field_node_count = group->count,
            .operation = ex->operation,
            .document = ex->document,
            .variables = ex->variables,
            .root_value = ex->root_value,
            .context = ex->context,
            .arena = &ex->arena,
            .schema = ex->schema,
            .execution_ = ex,
        };
    const char *message;
    mm_gql_loc loc;
    json_t *args = NULL; /* the default resolver of a field without arguments needs none */
    bool shared_args = false;
    if (field->resolve && field->arg_count == 0) {
        /* No argument is defined, so none can be coerced: every such field
         * gets the same empty object, made once per execution. */
        if (!ex->no_args) ex->no_args = json_object();
        args = ex->no_args;
        shared_args = args != NULL;
    }
    size_t memo_size = 0;
    if (!shared_args && args_memo && *args_memo) {
        /* Arguments depend only on the field node, its definition and the
         * variables: one coercion serves every object of the collection
         * (introspection asks fields(includeDeprecated: true) of every type). */
        args = *args_memo;
        memo_size = json_object_size(args);
    } else if (!shared_args && (field->resolve || field->arg_count > 0)) {
        args = mm_gql_get_argument_values(field->args, field->arg_count, first->u.field.args,
                                          first->u.field.arg_count, first->loc, ex->variables,
                                          &ex->arena, &message, &loc);
        if (!args) {
            mm_gql_exec_field_error(ex, group, &loc, path, NULL, message);
            return field_failed(ex, field, mark);
        }
        if (args_memo) {
            *args_memo = args;
            memo_size = json_object_size(args);
        }
    }
    json_t *result; /* a new reference from a resolver; borrowed from source by default */
    if (field->resolve) {
        result = field->resolve(field->resolve_ud, source, args, &info);
    } else {
        result = default_resolve(source, field->name,
                                 group->name_len ? group->name_len : strlen(field->name), cursor);
    }
    json_t *owned = field->resolve ? result : NULL;
    if (args_memo && args && args == *args_memo) {
        if (args->refcount != 1 || json_object_size(args) != memo_size) {
            /* The resolver kept or changed them: the next object coerces afresh. */
            json_decref(args);
            *args_memo = NULL;
        }
    } else if (!shared_args) {
        json_decref(args);
    } else if (args->refcount != 1 || json_object_size(args) != 0) {
        /* The resolver kept or changed it: the next field gets a fresh one. */
        json_decref(args);
        ex->no_args = NULL;
    }
    if (field->resolve &&
        ex->stop != MM_GQL_STOP_NONE) { /* it asked mm_gql_resolve_should_stop: drop its work */
        json_decref(owned);
        if (info.error_message_) json_decref(info.error_extensions_);
        if (info.deferred_) deferred_detach(info.deferred_);
        return MM_GQL_FIELD_STOPPED;
    }
    if (info.error_message_) {
        json_decref(owned);
        if (info.deferred_) deferred_detach(info.deferred_);
        mm_gql_exec_field_error(ex, group, NULL, path, info.error_extensions_, info.error_message_);
        return field_failed(ex, field, mark);
    }
    if (info.deferred_) {
        json_decref(owned);
        if (root) {
            ex->pending = info.deferred_;
            ex->pending_field = field;
            ex->pending_info = info;
            ex->pending_info.path = &ex->pending_path;
            return MM_GQL_FIELD_DEFERRED;
        }
        deferred_detach(info.deferred_);
        mm_gql_exec_field_error(
            ex, group, NULL, path, NULL,
            mm_arena_sprintf(&ex->arena,
                             "Field \"%s.%s\" cannot defer its resolution: only root fields can.",
                             parent_type->name, field->name));
        return field_failed(ex, field, mark);
    }
    int st = mm_gql_complete_value(ex, field->type, group, &info, path, result);
    json_decref(owned);
    if (st == MM_GQL_FIELD_NULL_UP) return field_failed(ex, field, mark);
    return st;
}

int mm_gql_execute_fields(mm_gql_execution *ex, mm_gql_type *parent_type, json_t *source,
                          const mm_gql_path *path, const mm_gql_field_groups *fields) {
    mm_json_put_char(&ex->out, '{');
    bool first = true;
    void *cursor = json_is_object(source) ? json_object_iter(source) : NULL;
    for (size_t i = 0; i < fields->count; i++) {
        const mm_gql_field *field = field_def(ex, parent_type, fields, i);
        if (!field) continue; /* unknown fields are left out, as graphql-js does */
        const mm_gql_field_group *group = &fields->items[i];
        put_key(ex, group, first);
        size_t mark = ex->out.len;
        first = false;
        mm_gql_path field_path = {.prev = path, .key = group->response_key};
        if (!field->resolve && field->arg_count == 0 && field->name[0] != '_') {
            /* Default-resolved without arguments (most fields of a large
             * response; __typename begins with _ and goes the long way):
             * no arguments to coerce, no resolver to hear from, and a
             * String, ID, Int or Boolean leaf holding its own kind of value
             * is written at once. */
            if (mm_gql_exec_should_stop(ex)) return MM_GQL_FIELD_STOPPED;
            json_t *value =
                default_resolve(source, field->name,
                                group->name_len ? group->name_len : strlen(field->name), &cursor);
            const mm_gql_type *t =
                field->type->kind == MM_GQL_NON_NULL ? field->type->of_type : field->type;
            if (value && t->kind == MM_GQL_SCALAR && mm_gql_put_builtin_leaf(&ex->out, t, value))
                continue;
            mm_gql_resolve_info info;
            info.field_name = field->name;
            info.parent_type = parent_type;
            int st = mm_gql_complete_value(ex, field->type, group, &info, &field_path, value);
            if (st == MM_GQL_FIELD_NULL_UP) {
                if (field_failed(ex, field, mark) < 0) return MM_GQL_FIELD_NULL_UP;
            } else if (st < 0) {
                return st;
            }
            continue;
        }
        json_t **args_memo = fields->args ? &fields->args[i] : NULL;
        int st = execute_field(ex, parent_type, source, group, field, args_memo, &cursor,
                               &field_path, false);
        if (st < 0) return st; /* NULL_UP or STOPPED */
    }
    mm_json_put_char(&ex->out, '}');
    return MM_GQL_FIELD_OK;
}

/* ---- operations ----------------------------------------------------------------- */

const mm_gql_operation *mm_gql_get_operation(const mm_gql_document *doc, const char *name) {
    const mm_gql_operation *found = NULL;
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind != MM_GQL_DEF_OPERATION) continue;
        if (!name) {
            if (found) return NULL;
            found = &d->u.operation;
        } else if (d->u.operation.name.value && strcmp(d->u.operation.name.value, name) == 0) {
            return &d->u.operation;
        }
    }
    return found;
}

/* graphql-js buildExecutionContext's operation choice, with its messages. */
static const mm_gql_operation *select_operation(mm_gql_execution *ex, const char *name) {
    const mm_gql_operation *op = NULL;
    const mm_gql_document *doc = ex->document;
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind != MM_GQL_DEF_OPERATION) continue;
        if (!name) {
            if (op) {
                mm_gql_errors_add(
                    &ex->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
                    "Must provide operation name if query contains multiple operations.");
                return NULL;
            }
            op = &d->u.operation;
        } else if (d->u.operation.name.value && strcmp(d->u.operation.name.value, name) == 0) {
            op = &d->u.operation;
        }
    }
    if (!op) {
        if (name)
            mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_REQUEST, NULL, 0,
                              "Unknown operation named \"%s\".", name);
        else
            mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
                              "Must provide an operation.");
    }
    return op;
}

static const mm_gql_loc *operation_loc(const mm_gql_execution *ex) {
    for (size_t i = 0; i < ex->document->definition_count; i++)
        if (&ex->document->definitions[i].u.operation == ex->operation)
            return &ex->document->definitions[i].loc;
    return NULL;
}

/* The response text: {"errors":[...],"data":...}. Without errors the
 * writer already holds it but for the closing brace; with errors, which
 * graphql-http writes first, it is written anew around the data text. */
static void finish(mm_gql_execution *ex) {
    if (ex->finished) return;
    ex->finished = true;
    if (!ex->started || ex->data_null) { /* no data written, or null propagated to it */
        mm_json_truncate(&ex->out, ex->data_start);
        mm_json_put(&ex->out, "null", 4);
    }
    if (ex->errors.count == 0 && !ex->request_error) {
        mm_json_put_char(&ex->out, '}');
        ex->result_text = mm_json_writer_take(&ex->out, &ex->result_len);
        return;
    }
    mm_json_writer w = MM_JSON_WRITER_INIT;
    mm_json_put(&w, "{", 1);
    bool lost = ex->out.failed; /* the data text is incomplete: out of memory */
    if (ex->errors.count > 0) {
        json_t *errors = mm_gql_errors_to_json(&ex->errors);
        lost |= !errors;
        mm_json_put(&w, "\"errors\":", 9);
        mm_json_put_value(&w, errors);
        json_decref(errors);
    }
    if (!ex->request_error && !lost) {
        if (ex->errors.count > 0) mm_json_put_char(&w, ',');
        /* out begins with {"data": -- copy from after the brace */
        mm_json_put(&w, ex->out.s + 1, ex->out.len - 1);
    }
    mm_json_put_char(&w, '}');
    if (lost) mm_json_writer_fail(&w);
    mm_json_writer_release(&ex->out);
    ex->result_text = mm_json_writer_take(&w, &ex->result_len);
}

mm_gql_execution *mm_gql_execute_start(const mm_gql_execute_params *params) {
    mm_gql_execution *ex = calloc(1, sizeof(*ex));
    if (!ex) return NULL;
    mm_arena_init(&ex->arena);
    mm_gql_errors_init(&ex->errors, &ex->arena);
    ex->schema = params->schema;
    ex->document = params->document;
    ex->root_value = params->root_value;
    ex->context = params->context;
    ex->wake = params->wake;
    ex->wake_ud = params->wake_ud;
    ex->max_depth = params->max_depth ? params->max_depth : DEFAULT_MAX_DEPTH;
    ex->max_resolved = params->max_field_resolutions ? params->max_field_resolutions : UINT64_MAX;
    ex->timeout_ns = params->timeout_ns;
    ex->cancel = params->cancel ? params->cancel : &never_cancelled;
    ex->stop_at_ns = params->stop_at_ns;
    next_chunk(ex);
    ex->out.limit = params->max_response_bytes;
    size_t hint = params->response_size_hint;
    if (hint > ((size_t)1 << 20)) hint = (size_t)1 << 20; /* a hint, not a commitment */
    if (ex->out.limit && hint >= ex->out.limit) hint = ex->out.limit - 1;
    if (hint > 1024) mm_json_writer_reserve(&ex->out, hint);
    mm_json_put(&ex->out, "{\"data\":", 8);
    ex->data_start = ex->out.len;

    if (!ex->schema || !ex->document) { /* graphql-js asserts these; a clear error beats a crash */
        mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_REQUEST, NULL, 0, "%s",
                          ex->schema ? "Must provide document." : "Expected a schema.");
        ex->request_error = true;
        finish(ex);
        return ex;
    }
    ex->operation = select_operation(ex, params->operation_name);
    if (!ex->operation) {
        ex->request_error = true;
        finish(ex);
        return ex;
    }
    size_t max_errors =
        params->max_variable_errors ? params->max_variable_errors : DEFAULT_MAX_VARIABLE_ERRORS;
    ex->variables =
        mm_gql_coerce_variable_values(ex->schema, ex->operation, params->variables, max_errors,
                                      params->hide_suggestions, &ex->errors);
    if (!ex->variables) {
        ex->request_error = true;
        finish(ex);
        return ex;
    }
    const char *kind = "query";
    switch (ex->operation->operation) {
    case MM_GQL_OP_QUERY: ex->root_type = ex->schema->query_type; break;
    case MM_GQL_OP_MUTATION:
        ex->root_type = ex->schema->mutation_type;
        kind = "mutation";
        break;
    case MM_GQL_OP_SUBSCRIPTION:
        ex->root_type = ex->schema->subscription_type;
        kind = "subscription";
        break;
    }
    if (!ex->root_type) {
        const mm_gql_loc *loc = operation_loc(ex);
        mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_EXECUTION, loc, loc ? 1 : 0,
                          "Schema is not configured to execute %s operation.", kind);
        ex->data_null = true;
        finish(ex);
        return ex;
    }
    const char *message;
    mm_gql_loc loc;
    if (mm_gql_collect_fields(ex, ex->root_type, ex->operation->selection_set, &ex->root_fields,
                              &message, &loc) < 0) {
        mm_gql_errors_add(&ex->errors, MM_GQL_ERROR_EXECUTION, &loc, 1, "%s", message);
        ex->data_null = true;
        finish(ex);
        return ex;
    }
    mm_json_put_char(&ex->out, '{');
    ex->started = true;
    return ex;
}

/* Completes the root field that waited on ex->pending once it settled (its
 * key is written already, and nothing after it). */
static int complete_pending(mm_gql_execution *ex, const mm_gql_field_group *group, int state,
                            json_t *value, json_t *extensions, const char *message) {
    size_t mark = ex->out.len;
    if (state == DEFERRED_REJECTED) {
        json_decref(value);
        mm_gql_exec_field_error(ex, group, NULL, &ex->pending_path, extensions, message);
        return field_failed(ex, ex->pending_field, mark);
    }
    json_decref(extensions);
    int st = mm_gql_complete_value(ex, ex->pending_field->type, group, &ex->pending_info,
                                   &ex->pending_path, value);
    json_decref(value);
    if (st == MM_GQL_FIELD_NULL_UP) return field_failed(ex, ex->pending_field, mark);
    return st;
}

mm_gql_exec_status mm_gql_execution_run(mm_gql_execution *ex) {
    if (!ex) return MM_GQL_EXEC_ERROR;
    if (ex->finished) return ex->result_text ? MM_GQL_EXEC_DONE : MM_GQL_EXEC_ERROR;
    if (ex->cancelled) {
        ex->stop = MM_GQL_STOP_CANCELLED;
        record_stop(ex);
        finish(ex);
        return ex->result_text ? MM_GQL_EXEC_DONE : MM_GQL_EXEC_ERROR;
    }
    ex->run_started_ns = ex->timeout_ns ? now_ns() : 0;
    while (ex->next_root < ex->root_fields.count) {
        const mm_gql_field_group *group = &ex->root_fields.items[ex->next_root];
        int st;
        if (ex->pending) {
            mm_gql_deferred *d = ex->pending;
            pthread_mutex_lock(&d->lock);
            if (d->state == DEFERRED_PENDING) {
                d->waiting = true;
                pthread_mutex_unlock(&d->lock);
                if (ex->run_started_ns) ex->ran_ns += now_ns() - ex->run_started_ns;
                ex->run_started_ns = 0;
                return MM_GQL_EXEC_PENDING;
            }
            int state = d->state;
            json_t *value = d->value, *extensions = d->extensions;
            char *message = d->message;
            d->value = d->extensions = NULL;
            d->message = NULL;
            pthread_mutex_unlock(&d->lock);
            ex->pending = NULL;
            deferred_release(d);
            if (ex->stop != MM_GQL_STOP_NONE) {
                /* The resolver (run elsewhere, e.g. offloaded to a blocking
                 * pool) asked mm_gql_resolve_should_stop and was told to
                 * stop: its work is dropped, as for one run inline. ex->stop
                 * was written before the settle, under d->lock. */
                json_decref(value);
                json_decref(extensions);
                free(message);
                st = MM_GQL_FIELD_STOPPED;
            } else {
                st = complete_pending(ex, group, state, value, extensions,
                                      message ? mm_arena_strdup(&ex->arena, message) : NULL);
                free(message);
            }
        } else {
            const mm_gql_field *field =
                field_def(ex, ex->root_type, &ex->root_fields, ex->next_root);
            if (!field) { /* unknown fields are left out, as graphql-js does */
                ex->next_root++;
                continue;
            }
            put_key(ex, group, ex->root_written == 0);
            ex->root_written++;
            ex->pending_path = (mm_gql_path){.prev = NULL, .key = group->response_key};
            st = execute_field(ex, ex->root_type, ex->root_value, group, field, NULL, NULL,
                               &ex->pending_path, true);
            if (st == MM_GQL_FIELD_DEFERRED) continue; /* loop: it may have settled already */
        }
        if (st == MM_GQL_FIELD_STOPPED) {
            record_stop(ex);
            break;
        }
        if (st == MM_GQL_FIELD_NULL_UP) { /* a non-null root field failed: data is null */
            ex->data_null = true;
            break;
        }
        ex->next_root++;
    }
    /* A bound passed by the last field's text (the cap) is a stop too. */
    if (!ex->data_null && ex->out.over_limit) {
        ex->stop = MM_GQL_STOP_RESPONSE_TOO_LARGE;
        record_stop(ex);
    }
    if (!ex->data_null) mm_json_put_char(&ex->out, '}');
    finish(ex);
    return ex->result_text ? MM_GQL_EXEC_DONE : MM_GQL_EXEC_ERROR;
}

const char *mm_gql_execution_result_text(const mm_gql_execution *ex, size_t *len) {
    if (!ex || !ex->finished || !ex->result_text) return NULL;
    if (len) *len = ex->result_len;
    return ex->result_text;
}

char *mm_gql_execution_take_result_text(mm_gql_execution *ex, size_t *len) {
    if (!ex || !ex->finished || !ex->result_text) return NULL;
    char *text = ex->result_text;
    if (len) *len = ex->result_len;
    ex->result_text = NULL;
    return text;
}

/* The JSON tree of a response text; strings may hold U+0000 (\u0000). */
static json_t *parse_response(const char *text, size_t len) {
    return text ? json_loadb(text, len, JSON_ALLOW_NUL, NULL) : NULL;
}

json_t *mm_gql_execution_result(mm_gql_execution *ex) {
    if (!ex || !ex->finished) return NULL;
    return parse_response(ex->result_text, ex->result_len);
}

bool mm_gql_execution_has_errors(const mm_gql_execution *ex) { return ex && ex->errors.count > 0; }

bool mm_gql_execution_is_request_error(const mm_gql_execution *ex) {
    return ex && ex->request_error;
}

const mm_gql_operation *mm_gql_execution_operation(const mm_gql_execution *ex) {
    return ex ? ex->operation : NULL;
}

void mm_gql_execution_cancel(mm_gql_execution *ex) {
    if (!ex || ex->cancelled) return;
    ex->cancelled = true;
    if (ex->pending) {
        deferred_detach(ex->pending);
        ex->pending = NULL;
    }
}

void mm_gql_execution_free(mm_gql_execution *ex) {
    if (!ex) return;
    mm_gql_execution_cancel(ex);
    free(ex->result_text);
    mm_json_writer_release(&ex->out);
    mm_gql_release_memoized_args(ex);
    json_decref(ex->variables);
    json_decref(ex->no_args);
    mm_gql_errors_release(&ex->errors);
    mm_arena_reset(&ex->arena);
    free(ex);
}

/* ---- synchronous execution ---------------------------------------------------------- */

typedef struct sync_waiter {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool woken;
} sync_waiter;

static void sync_wake(void *ud) {
    sync_waiter *w = ud;
    pthread_mutex_lock(&w->lock);
    w->woken = true;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

char *mm_gql_execute_text(const mm_gql_execute_params *params, size_t *len) {
    sync_waiter w = {.woken = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    mm_gql_execute_params p = *params;
    p.wake = sync_wake;
    p.wake_ud = &w;
    mm_gql_execution *ex = mm_gql_execute_start(&p);
    char *text = NULL;
    if (ex) {
        /* A root field may defer and be settled by another thread: wait for it here. */
        while (mm_gql_execution_run(ex) == MM_GQL_EXEC_PENDING) {
            pthread_mutex_lock(&w.lock);
            while (!w.woken) pthread_cond_wait(&w.cond, &w.lock);
            w.woken = false;
            pthread_mutex_unlock(&w.lock);
        }
        text = mm_gql_execution_take_result_text(ex, len);
        mm_gql_execution_free(ex);
    }
    pthread_cond_destroy(&w.cond);
    pthread_mutex_destroy(&w.lock);
    return text;
}

json_t *mm_gql_execute(const mm_gql_execute_params *params) {
    size_t len = 0;
    char *text = mm_gql_execute_text(params, &len);
    json_t *result = parse_response(text, len);
    free(text);
    return result;
}
