/* introspection_cache.h -- introspection's answers, built once per schema.
 *
 * Private to the introspection (introspection.c answers with these values,
 * introspection_cache.c builds them); not part of the engine's API.
 *
 * What introspection answers is a function of the schema alone, and a schema
 * does not change once built (binding resolvers and scalar callbacks later
 * changes nothing introspection shows; wrapper types interned later are
 * reachable from no meta-field). So every JSON value a meta-field resolver
 * would allocate -- meta-object wrappers, names, descriptions, kinds,
 * deprecation reasons, default values, the lists -- is built ONCE per schema,
 * on its first introspection, and the resolvers hand out new references to
 * those same values: answering allocates nothing. The values are never
 * modified (the executor only reads a resolver's result to write the
 * response text), and jansson's
 * reference counts are atomic, so all the threads executing against the
 * schema share them. They are freed with the schema
 * (mm_gql_introspection_release).
 *
 * The cache holds one entry per C object introspection can reach from the
 * schema: the schema, its named types, their fields, arguments, enum values
 * and input fields, its directives and their arguments, and the wrapper types
 * all those reference. An object it does not hold (a meta-object wrapped by
 * hand, as tests do) or a schema whose cache could not be built (out of
 * memory) gets a fresh entry filled by the same functions, so cached and
 * fresh answers cannot differ. */

#ifndef MM_GRAPHQL_INTROSPECTION_CACHE_H
#define MM_GRAPHQL_INTROSPECTION_CACHE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/type/introspection.h"
#include "graphql/type/schema.h"

typedef enum meta_kind {
    META_SCHEMA,      /* const mm_gql_schema * */
    META_TYPE,        /* const mm_gql_type *, named or wrapper */
    META_FIELD,       /* const mm_gql_field * */
    META_INPUT_VALUE, /* const mm_gql_input_value * */
    META_ENUM_VALUE,  /* const mm_gql_enum_value * */
    META_DIRECTIVE,   /* const mm_gql_directive_definition * */
} meta_kind;

/* The values an entry holds; those its meta-type does not have, and those
 * that are null, stay NULL. */
typedef enum meta_value {
    VALUE_WRAPPER, /* the meta-object itself: {"__mm_introspection": address} */
    VALUE_NAME,
    VALUE_DESCRIPTION,
    VALUE_DEPRECATION_REASON, /* __Field, __InputValue, __EnumValue */
    VALUE_KIND,               /* __Type */
    VALUE_TYPE,               /* __Field.type, __InputValue.type, __Type.ofType: a wrapper */
    VALUE_SPECIFIED_BY_URL,   /* __Type */
    VALUE_DEFAULT_VALUE,      /* __InputValue */
    VALUE_TYPES,              /* __Schema */
    VALUE_INTERFACES,         /* __Type */
    VALUE_POSSIBLE_TYPES,     /* __Type */
    VALUE_LOCATIONS,          /* __Directive */
    /* The list that takes includeDeprecated: __Schema.directives, __Type
     * fields / enumValues / inputFields, __Field and __Directive args; the
     * same array twice when nothing in it is deprecated. */
    VALUE_LIST,
    VALUE_LIST_WITH_DEPRECATED,
    VALUE_COUNT
} meta_value;

typedef struct meta_entry {
    const void *object; /* the C object described: the key */
    meta_kind kind;
    json_t *values[VALUE_COUNT];
} meta_entry;

typedef struct mm_gql_introspection_cache {
    meta_entry *entries;
    size_t count;
    /* Two open-addressing tables of the entries: by the object's address, and
     * by the address of its wrapper -- the parent the executor passes back,
     * recognized without reading it. Capacity (mask + 1) is a power of two
     * at least twice count. */
    meta_entry **by_object;
    meta_entry **by_wrapper;
    size_t index_mask;
    json_t *kind_names[MM_GQL_NON_NULL + 1];
} intro_cache;

/* The schema's cache, built on its first use (thread-safe); NULL when it
 * cannot be built (out of memory: the next call tries again). */
const intro_cache *mm_gql_introspection_cache(const mm_gql_schema *schema);

/* Fills e (object and kind set) with the values of its meta-type, built
 * afresh; c (may be NULL) supplies the wrappers of the objects they refer to.
 * Returns false when something could not be built (left NULL). */
bool mm_gql_introspection_entry_fill(const intro_cache *c, meta_entry *e);

/* Releases the values of an entry filled by mm_gql_introspection_entry_fill. */
void mm_gql_introspection_entry_clear(meta_entry *e);

/* The lookups run on every resolver call: inline. */

static inline size_t address_hash(const void *p) {
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 32));
}

/* The cached entry of object; NULL without a cache or for an unknown object. */
static inline const meta_entry *cache_find(const intro_cache *c, const void *object) {
    if (!c || !object) return NULL;
    for (size_t i = address_hash(object) & c->index_mask; c->by_object[i];
         i = (i + 1) & c->index_mask)
        if (c->by_object[i]->object == object) return c->by_object[i];
    return NULL;
}

/* The cached entry whose wrapper is value (this very json_t); NULL for any
 * other value. */
static inline const meta_entry *cache_find_wrapper(const intro_cache *c, const json_t *value) {
    if (!c || !value) return NULL;
    for (size_t i = address_hash(value) & c->index_mask; c->by_wrapper[i];
         i = (i + 1) & c->index_mask)
        if (c->by_wrapper[i]->values[VALUE_WRAPPER] == value) return c->by_wrapper[i];
    return NULL;
}

/* The C object the meta-object value describes; NULL when value is none. */
static inline const void *object_of(const intro_cache *c, json_t *value) {
    const meta_entry *e = cache_find_wrapper(c, value);
    return e ? e->object : mm_gql_introspection_unwrap(value);
}

/* A new reference to object's wrapper: the cached one, else a fresh one. */
static inline json_t *wrap(const intro_cache *c, const void *object) {
    const meta_entry *e = cache_find(c, object);
    return e ? json_incref(e->values[VALUE_WRAPPER]) : mm_gql_introspection_wrap(object);
}

#endif
