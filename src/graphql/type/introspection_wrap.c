/* introspection_wrap.c -- how a meta-object (a C schema object such as a
 * type or a field) travels as JSON between the introspection resolvers and
 * the executor: a one-member object holding its address (see
 * introspection.h). Its own file so that introspection.c and
 * introspection_cache.c both use it without depending on each other. */
#include <stdint.h>
#include <string.h>

#include "graphql/type/introspection.h"

json_t *mm_gql_introspection_wrap(const void *object) {
    if (!object) return NULL; /* JSON null */
    /* the same object json_pack("{sI}") builds, without parsing a format */
    json_t *wrapped = json_object();
    if (wrapped && json_object_set_new_nocheck(wrapped, MM_GQL_INTROSPECTION_KEY,
                                               json_integer((json_int_t)(intptr_t)object)) != 0) {
        json_decref(wrapped);
        return NULL;
    }
    return wrapped;
}

const void *mm_gql_introspection_unwrap(json_t *value) {
    if (!json_is_object(value)) return NULL;
    json_t *p;
    /* A wrapper has this one member: read it without hashing the key. */
    void *it = json_object_size(value) == 1 ? json_object_iter(value) : NULL;
    if (it && json_object_iter_key_len(it) == sizeof MM_GQL_INTROSPECTION_KEY - 1 &&
        memcmp(json_object_iter_key(it), MM_GQL_INTROSPECTION_KEY,
               sizeof MM_GQL_INTROSPECTION_KEY - 1) == 0)
        p = json_object_iter_value(it);
    else
        p = json_object_get(value, MM_GQL_INTROSPECTION_KEY);
    if (!json_is_integer(p)) return NULL;
    return (const void *)(intptr_t)json_integer_value(p);
}
