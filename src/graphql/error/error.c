/* error.c -- building GraphQL error lists and serializing them (see error.h). */
#include "graphql/error/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "metamorphosis.h"

void mm_gql_errors_init(mm_gql_errors *errors, mm_arena *arena) {
    errors->arena = arena;
    errors->head = errors->tail = NULL;
    errors->count = 0;
}

mm_gql_error *mm_gql_errors_add(mm_gql_errors *errors, mm_gql_error_kind kind,
                                const mm_gql_loc *locations, size_t location_count, const char *fmt,
                                ...) {
    mm_gql_error *e = mm_arena_calloc(errors->arena, 1, sizeof(*e));
    if (!e) return NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *msg = mm_arena_alloc(errors->arena, n < 0 ? 1 : (size_t)n + 1);
    if (!msg) return NULL;
    va_start(ap, fmt);
    if (n < 0)
        msg[0] = '\0';
    else
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    e->kind = kind;
    e->message = msg;
    if (location_count > 0) {
        e->locations = mm_arena_alloc(errors->arena, location_count * sizeof(*locations));
        if (!e->locations) return NULL;
        memcpy(e->locations, locations, location_count * sizeof(*locations));
        e->location_count = location_count;
    }
    if (errors->tail)
        errors->tail->next = e;
    else
        errors->head = e;
    errors->tail = e;
    errors->count++;
    return e;
}

int mm_gql_error_set_path(mm_gql_errors *errors, mm_gql_error *error,
                          const mm_gql_path_segment *path, size_t path_length) {
    if (path_length == 0) return 0;
    mm_gql_path_segment *copy = mm_arena_alloc(errors->arena, path_length * sizeof(*path));
    if (!copy) return MM_ENOMEM;
    memcpy(copy, path, path_length * sizeof(*path));
    error->path = copy;
    error->path_length = path_length;
    return 0;
}

static json_t *error_to_json(const mm_gql_error *e) {
    json_t *obj = json_object();
    json_object_set_new(obj, "message", json_string(e->message));
    if (e->location_count > 0) {
        json_t *locs = json_array();
        for (size_t i = 0; i < e->location_count; i++)
            json_array_append_new(locs,
                                  json_pack("{s:i,s:i}", "line", (json_int_t)e->locations[i].line,
                                            "column", (json_int_t)e->locations[i].column));
        json_object_set_new(obj, "locations", locs);
    }
    if (e->path) {
        json_t *path = json_array();
        for (size_t i = 0; i < e->path_length; i++)
            json_array_append_new(path, e->path[i].key
                                            ? json_string(e->path[i].key)
                                            : json_integer((json_int_t)e->path[i].index));
        json_object_set_new(obj, "path", path);
    }
    if (e->extensions) json_object_set(obj, "extensions", e->extensions);
    return obj;
}

json_t *mm_gql_errors_to_json(const mm_gql_errors *errors) {
    json_t *arr = json_array();
    for (const mm_gql_error *e = errors->head; e; e = e->next)
        json_array_append_new(arr, error_to_json(e));
    return arr;
}

void mm_gql_errors_release(mm_gql_errors *errors) {
    for (mm_gql_error *e = errors->head; e; e = e->next) {
        json_decref(e->extensions);
        e->extensions = NULL;
    }
}
