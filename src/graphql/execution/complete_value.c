/* complete_value.c -- turning a resolver's JSON into the response value of a
 * field's type (graphql-js 16 completeValue and friends): non-null checks,
 * lists, leaf serialization, abstract type resolution, object sub-selections.
 *
 * Values are written as JSON text into the execution's writer as they
 * complete. Errors are recorded where they arise and MM_GQL_FIELD_NULL_UP
 * tells the caller that null must propagate; the caller that can hold null
 * (a nullable field or list item) cuts the text back to where its value
 * began and writes null. Because execution is depth-first and stops a
 * selection set at the first propagating error, this yields graphql-js's
 * error order for synchronous resolvers. */
#define MM_GQL_EXECUTOR_INTERNAL
#include "graphql/execution/execute.h"

#include <string.h>

#include "graphql/type/scalars.h"
#include "graphql/execution/values.h"

static int complete_list(mm_gql_execution *ex, mm_gql_type *return_type,
                         const mm_gql_field_group *group, mm_gql_resolve_info *info,
                         const mm_gql_path *path, json_t *result) {
    if (!json_is_array(result)) {
        mm_gql_exec_field_error(
            ex, group, NULL, path, NULL,
            mm_arena_sprintf(&ex->arena,
                             "Expected Iterable, but did not find one for field \"%s.%s\".",
                             info->parent_type->name, info->field_name));
        return MM_GQL_FIELD_NULL_UP;
    }
    mm_gql_type *item_type = return_type->of_type;
    mm_gql_type *named = item_type->kind == MM_GQL_NON_NULL ? item_type->of_type : item_type;
    /* A list of objects of one type (the common case): their sub-fields are
     * collected once for the whole list, and each object is written
     * without going through complete_value. Anything else an item holds
     * (null, an error to report) takes the general path. */
    const mm_gql_field_groups *sub = NULL;
    if (named->kind == MM_GQL_OBJECT && ex->depth < ex->max_depth) {
        const char *message;
        mm_gql_loc loc;
        if (mm_gql_collect_subfields_memo(ex, named, group, &sub, &message, &loc) < 0)
            sub = NULL; /* complete_object reports it for the first item */
    }
    mm_json_put_char(&ex->out, '[');
    size_t n = json_array_size(result);
    for (size_t i = 0; i < n; i++) {
        /* A long list of leaves resolves no field: count its items so the
         * clock and the response size are still looked at. */
        if (mm_gql_exec_item_should_stop(ex)) return MM_GQL_FIELD_STOPPED;
        if (i) mm_json_put_char(&ex->out, ',');
        size_t mark = ex->out.len;
        mm_gql_path item_path = {.prev = path, .key = NULL, .index = i};
        json_t *item = json_array_get(result, i);
        int st;
        if (sub && item && !json_is_null(item)) {
            ex->depth++;
            st = mm_gql_execute_fields(ex, named, item, &item_path, sub);
            ex->depth--;
        } else {
            st = mm_gql_complete_value(ex, item_type, group, info, &item_path, item);
        }
        if (st == MM_GQL_FIELD_STOPPED) return st;
        if (st == MM_GQL_FIELD_NULL_UP) {
            if (item_type->kind == MM_GQL_NON_NULL) return MM_GQL_FIELD_NULL_UP;
            mm_json_truncate(&ex->out, mark);
            mm_json_put(&ex->out, "null", 4);
        }
    }
    mm_json_put_char(&ex->out, ']');
    return MM_GQL_FIELD_OK;
}

static int complete_leaf(mm_gql_execution *ex, mm_gql_type *return_type,
                         const mm_gql_field_group *group, const mm_gql_path *path, json_t *result) {
    if (mm_gql_put_builtin_leaf(&ex->out, return_type, result)) return MM_GQL_FIELD_OK;
    const char *err = NULL;
    json_t *s;
    if (return_type->kind == MM_GQL_ENUM)
        s = mm_gql_enum_serialize(return_type, result, &ex->arena, &err);
    else if (return_type->serialize)
        s = return_type->serialize(return_type->scalar_ud, result, &ex->arena, &err);
    else
        s = json_incref(result); /* a custom scalar without callbacks passes JSON through */
    if (err) {
        json_decref(s);
        mm_gql_exec_field_error(ex, group, NULL, path, NULL, err);
        return MM_GQL_FIELD_NULL_UP;
    }
    if (!s || json_is_null(s)) {
        mm_gql_exec_field_error(
            ex, group, NULL, path, NULL,
            mm_arena_sprintf(
                &ex->arena,
                "Expected `%s.serialize(%s)` to return non-nullable value, returned: %s",
                return_type->name, mm_gql_inspect(result, &ex->arena), s ? "null" : "undefined"));
        json_decref(s);
        return MM_GQL_FIELD_NULL_UP;
    }
    mm_json_put_value(&ex->out, s);
    json_decref(s);
    return MM_GQL_FIELD_OK;
}

static int complete_object(mm_gql_execution *ex, mm_gql_type *object_type,
                           const mm_gql_field_group *group, const mm_gql_path *path,
                           json_t *result) {
    if (ex->depth >= ex->max_depth) { /* keeps the stack bounded whatever fragments build */
        mm_gql_exec_field_error(ex, group, NULL, path, NULL,
                                mm_arena_sprintf(&ex->arena,
                                                 "Exceeded the maximum execution depth of %zu.",
                                                 ex->max_depth));
        return MM_GQL_FIELD_NULL_UP;
    }
    const mm_gql_field_groups *sub;
    const char *message;
    mm_gql_loc loc;
    if (mm_gql_collect_subfields_memo(ex, object_type, group, &sub, &message, &loc) < 0) {
        mm_gql_exec_field_error(ex, group, &loc, path, NULL, message);
        return MM_GQL_FIELD_NULL_UP;
    }
    ex->depth++;
    int st = mm_gql_execute_fields(ex, object_type, result, path, sub);
    ex->depth--;
    return st;
}

/* The runtime object type of an abstract value, or NULL after recording
 * graphql-js's ensureValidRuntimeType error. */
static mm_gql_type *resolve_runtime_type(mm_gql_execution *ex, mm_gql_type *abstract,
                                         const mm_gql_field_group *group, mm_gql_resolve_info *info,
                                         const mm_gql_path *path, json_t *result) {
    const char *name;
    if (abstract->resolve_type) {
        name = abstract->resolve_type(abstract->resolve_type_ud, result, abstract);
    } else {
        json_t *tn = json_is_object(result) ? json_object_get(result, "__typename") : NULL;
        name = json_is_string(tn) ? json_string_value(tn) : NULL;
    }
    const char *msg = NULL;
    mm_gql_type *runtime = NULL;
    if (!name) {
        msg = mm_arena_sprintf(
            &ex->arena,
            "Abstract type \"%s\" must resolve to an Object type at runtime for field \"%s.%s\". "
            "Either the \"%s\" type should provide a \"resolveType\" function or each possible "
            "type should provide an \"isTypeOf\" function.",
            abstract->name, info->parent_type->name, info->field_name, abstract->name);
    } else if (!(runtime = mm_gql_schema_find_type(ex->schema, name))) {
        msg = mm_arena_sprintf(&ex->arena,
                               "Abstract type \"%s\" was resolved to a type \"%s\" that does not "
                               "exist inside the schema.",
                               abstract->name, name);
    } else if (runtime->kind != MM_GQL_OBJECT) {
        msg = mm_arena_sprintf(&ex->arena,
                               "Abstract type \"%s\" was resolved to a non-object type \"%s\".",
                               abstract->name, name);
        runtime = NULL;
    } else if (!mm_gql_is_possible_type(abstract, runtime)) {
        msg = mm_arena_sprintf(&ex->arena,
                               "Runtime Object type \"%s\" is not a possible type for \"%s\".",
                               runtime->name, abstract->name);
        runtime = NULL;
    }
    if (msg) mm_gql_exec_field_error(ex, group, NULL, path, NULL, msg);
    return runtime;
}

int mm_gql_complete_value(mm_gql_execution *ex, mm_gql_type *return_type,
                          const mm_gql_field_group *group, mm_gql_resolve_info *info,
                          const mm_gql_path *path, json_t *result) {
    bool null = !result || json_is_null(result);
    if (return_type->kind == MM_GQL_NON_NULL) {
        /* Completing a non-null value never yields null (a leaf whose
         * serialize returns null is an error of its own), so only the
         * resolver's own null is checked here. */
        if (null) {
            mm_gql_exec_field_error(
                ex, group, NULL, path, NULL,
                mm_arena_sprintf(&ex->arena, "Cannot return null for non-nullable field %s.%s.",
                                 info->parent_type->name, info->field_name));
            return MM_GQL_FIELD_NULL_UP;
        }
        return_type = return_type->of_type;
    } else if (null) {
        mm_json_put(&ex->out, "null", 4);
        return MM_GQL_FIELD_OK;
    }
    int st;
    switch (return_type->kind) {
    case MM_GQL_LIST: st = complete_list(ex, return_type, group, info, path, result); break;
    case MM_GQL_SCALAR:
    case MM_GQL_ENUM: st = complete_leaf(ex, return_type, group, path, result); break;
    case MM_GQL_INTERFACE:
    case MM_GQL_UNION: {
        mm_gql_type *runtime = resolve_runtime_type(ex, return_type, group, info, path, result);
        st = runtime ? complete_object(ex, runtime, group, path, result) : MM_GQL_FIELD_NULL_UP;
        break;
    }
    case MM_GQL_OBJECT: st = complete_object(ex, return_type, group, path, result); break;
    default:
        mm_gql_exec_field_error(
            ex, group, NULL, path, NULL,
            mm_arena_sprintf(&ex->arena, "Cannot complete value of unexpected output type: \"%s\".",
                             mm_gql_type_to_string(return_type, &ex->arena)));
        st = MM_GQL_FIELD_NULL_UP;
    }
    return st;
}
