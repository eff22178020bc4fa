/* schema_types.c -- lookups, binding, predicates and wrapper interning of
 * the type system (graphql-js type/definition and utilities/typeComparators).
 *
 * Lookups are on the hot path of validation and execution, so every name
 * lookup is one probe sequence in a hash table built when the schema was
 * built. Wrapper types are created lazily at query time from many threads:
 * the fast path is a lock-free acquire load of the interned pointer, and
 * creation happens under one mutex (the schema arena is not thread-safe). */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "graphql/language/ast_print.h"
#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"
#include "metamorphosis.h"

/* ---- name tables ------------------------------------------------------ */

static size_t hash_name(const char *s) { return (size_t)mm_fnv1a_str(s); }

int mm_gql_name_table_init(mm_gql_name_table *table, mm_arena *arena, size_t count) {
    size_t cap = 8;
    while (cap < count * 2) cap *= 2;
    table->keys = mm_arena_calloc(arena, cap, sizeof(*table->keys));
    table->values = mm_arena_calloc(arena, cap, sizeof(*table->values));
    if (!table->keys || !table->values) return MM_ENOMEM;
    table->capacity = cap;
    table->count = 0;
    return 0;
}

void mm_gql_name_table_put(mm_gql_name_table *table, const char *name, void *value) {
    size_t mask = table->capacity - 1;
    size_t i = hash_name(name) & mask;
    while (table->keys[i]) {
        if (strcmp(table->keys[i], name) == 0) {
            table->values[i] = value;
            return;
        }
        i = (i + 1) & mask;
    }
    table->keys[i] = name;
    table->values[i] = value;
    table->count++;
}

void *mm_gql_name_table_get(const mm_gql_name_table *table, const char *name) {
    if (!table->capacity || !name) return NULL;
    size_t mask = table->capacity - 1;
    size_t i = hash_name(name) & mask;
    while (table->keys[i]) {
        if (strcmp(table->keys[i], name) == 0) return table->values[i];
        i = (i + 1) & mask;
    }
    return NULL;
}

/* ---- building the indexes ---------------------------------------------- */

static int index_type(mm_arena *arena, mm_gql_type *type) {
    mm_gql_type_private *priv = type->index;
    if (!priv) {
        priv = mm_arena_calloc(arena, 1, sizeof(*priv));
        if (!priv) return MM_ENOMEM;
        type->index = priv;
    }
    size_t n = type->field_count + type->input_field_count + type->enum_value_count;
    if (mm_gql_name_table_init(&priv->members, arena, n) != 0) return MM_ENOMEM;
    for (size_t i = 0; i < type->field_count; i++)
        mm_gql_name_table_put(&priv->members, type->fields[i].name, &type->fields[i]);
    for (size_t i = 0; i < type->input_field_count; i++)
        mm_gql_name_table_put(&priv->members, type->input_fields[i].name, &type->input_fields[i]);
    for (size_t i = 0; i < type->enum_value_count; i++)
        mm_gql_name_table_put(&priv->members, type->enum_values[i].name, &type->enum_values[i]);
    return 0;
}

int mm_gql_schema_index(mm_gql_schema *schema) {
    mm_gql_schema_private *priv = mm_gql_schema_priv(schema);
    if (mm_gql_name_table_init(&priv->types, &schema->arena, schema->type_count) != 0 ||
        mm_gql_name_table_init(&priv->directives, &schema->arena, schema->directive_count) != 0)
        return MM_ENOMEM;
    for (size_t i = 0; i < schema->type_count; i++) {
        mm_gql_name_table_put(&priv->types, schema->types[i]->name, schema->types[i]);
        if (index_type(&schema->arena, schema->types[i]) != 0) return MM_ENOMEM;
    }
    for (size_t i = 0; i < schema->directive_count; i++)
        mm_gql_name_table_put(&priv->directives, schema->directives[i].name,
                              &schema->directives[i]);
    return 0;
}

/* ---- lookups ----------------------------------------------------------- */

mm_gql_type *mm_gql_schema_find_type(const mm_gql_schema *schema, const char *name) {
    if (!schema || !schema->index) return NULL;
    return mm_gql_name_table_get(&mm_gql_schema_priv(schema)->types, name);
}

mm_gql_field *mm_gql_type_find_field(const mm_gql_type *type, const char *name) {
    if (!type || (type->kind != MM_GQL_OBJECT && type->kind != MM_GQL_INTERFACE) || !type->index)
        return NULL;
    return mm_gql_name_table_get(&mm_gql_type_priv(type)->members, name);
}

const mm_gql_input_value *mm_gql_field_find_arg(const mm_gql_field *field, const char *name) {
    if (!field || !name) return NULL;
    for (size_t i = 0; i < field->arg_count; i++)
        if (strcmp(field->args[i].name, name) == 0) return &field->args[i];
    return NULL;
}

const mm_gql_input_value *mm_gql_type_find_input_field(const mm_gql_type *type, const char *name) {
    if (!type || type->kind != MM_GQL_INPUT_OBJECT || !type->index) return NULL;
    return mm_gql_name_table_get(&mm_gql_type_priv(type)->members, name);
}

const mm_gql_enum_value *mm_gql_type_find_enum_value(const mm_gql_type *type, const char *name) {
    if (!type || type->kind != MM_GQL_ENUM || !type->index) return NULL;
    return mm_gql_name_table_get(&mm_gql_type_priv(type)->members, name);
}

const mm_gql_directive_definition *mm_gql_schema_find_directive(const mm_gql_schema *schema,
                                                                const char *name) {
    if (!schema || !schema->index) return NULL;
    return mm_gql_name_table_get(&mm_gql_schema_priv(schema)->directives, name);
}

/* ---- binding ----------------------------------------------------------- */

int mm_gql_schema_set_resolver(mm_gql_schema *schema, const char *type_name, const char *field_name,
                               mm_gql_resolve_fn fn, void *ud) {
    mm_gql_type *type = mm_gql_schema_find_type(schema, type_name);
    if (!type) return MM_ENOTFOUND;
    if (type->kind != MM_GQL_OBJECT && type->kind != MM_GQL_INTERFACE) return MM_EINVAL;
    mm_gql_field *field = mm_gql_type_find_field(type, field_name);
    if (!field) return MM_ENOTFOUND;
    field->resolve = fn;
    field->resolve_ud = ud;
    return 0;
}

int mm_gql_schema_set_scalar(mm_gql_schema *schema, const char *scalar_name,
                             mm_gql_scalar_serialize_fn serialize,
                             mm_gql_scalar_parse_value_fn parse_value,
                             mm_gql_scalar_parse_literal_fn parse_literal, void *ud) {
    mm_gql_type *type = mm_gql_schema_find_type(schema, scalar_name);
    if (!type) return MM_ENOTFOUND;
    if (type->kind != MM_GQL_SCALAR) return MM_EINVAL;
    type->serialize = serialize;
    type->parse_value = parse_value;
    type->parse_literal = parse_literal;
    type->scalar_ud = ud;
    return 0;
}

int mm_gql_schema_set_type_resolver(mm_gql_schema *schema, const char *abstract_type_name,
                                    mm_gql_resolve_type_fn fn, void *ud) {
    mm_gql_type *type = mm_gql_schema_find_type(schema, abstract_type_name);
    if (!type) return MM_ENOTFOUND;
    if (type->kind != MM_GQL_INTERFACE && type->kind != MM_GQL_UNION) return MM_EINVAL;
    type->resolve_type = fn;
    type->resolve_type_ud = ud;
    return 0;
}

/* ---- wrappers ---------------------------------------------------------- */

static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;

static mm_gql_type *intern(mm_gql_schema *schema, mm_gql_type *type, mm_gql_type_kind kind) {
    _Atomic(mm_gql_type *) *slot = kind == MM_GQL_LIST ? &type->list_of : &type->non_null_of;
    mm_gql_type *wrapper = atomic_load_explicit(slot, memory_order_acquire);
    if (wrapper) return wrapper;
    pthread_mutex_lock(&intern_lock);
    wrapper = atomic_load_explicit(slot, memory_order_acquire);
    if (!wrapper) {
        wrapper = mm_arena_calloc(&schema->arena, 1, sizeof(*wrapper));
        if (wrapper) {
            wrapper->kind = kind;
            wrapper->of_type = type;
            atomic_store_explicit(slot, wrapper, memory_order_release);
        }
    }
    pthread_mutex_unlock(&intern_lock);
    return wrapper;
}

mm_gql_type *mm_gql_list_of(mm_gql_schema *schema, mm_gql_type *type) {
    if (!schema || !type) return NULL;
    return intern(schema, type, MM_GQL_LIST);
}

mm_gql_type *mm_gql_non_null_of(mm_gql_schema *schema, mm_gql_type *type) {
    if (!schema || !type) return NULL;
    if (type->kind == MM_GQL_NON_NULL)
        return type; /* T!! does not exist; keep callers from building it */
    return intern(schema, type, MM_GQL_NON_NULL);
}

mm_gql_type *mm_gql_named_type(mm_gql_type *type) {
    while (type && (type->kind == MM_GQL_LIST || type->kind == MM_GQL_NON_NULL))
        type = type->of_type;
    return type;
}

mm_gql_type *mm_gql_nullable_type(mm_gql_type *type) {
    if (type && type->kind == MM_GQL_NON_NULL) return type->of_type;
    return type;
}

/* ---- predicates -------------------------------------------------------- */

static const mm_gql_type *named_const(const mm_gql_type *type) {
    while (type && (type->kind == MM_GQL_LIST || type->kind == MM_GQL_NON_NULL))
        type = type->of_type;
    return type;
}

bool mm_gql_is_input_type(const mm_gql_type *type) {
    const mm_gql_type *t = named_const(type);
    return t &&
           (t->kind == MM_GQL_SCALAR || t->kind == MM_GQL_ENUM || t->kind == MM_GQL_INPUT_OBJECT);
}

bool mm_gql_is_output_type(const mm_gql_type *type) {
    const mm_gql_type *t = named_const(type);
    return t && t->kind != MM_GQL_INPUT_OBJECT;
}

bool mm_gql_is_leaf_type(const mm_gql_type *type) {
    return type && (type->kind == MM_GQL_SCALAR || type->kind == MM_GQL_ENUM);
}

bool mm_gql_is_composite_type(const mm_gql_type *type) {
    return type && (type->kind == MM_GQL_OBJECT || type->kind == MM_GQL_INTERFACE ||
                    type->kind == MM_GQL_UNION);
}

bool mm_gql_is_abstract_type(const mm_gql_type *type) {
    return type && (type->kind == MM_GQL_INTERFACE || type->kind == MM_GQL_UNION);
}

bool mm_gql_is_possible_type(const mm_gql_type *abstract_type, const mm_gql_type *object_type) {
    if (!abstract_type || !object_type) return false;
    for (size_t i = 0; i < abstract_type->possible_type_count; i++)
        if (abstract_type->possible_types[i] == object_type) return true;
    return false;
}

/* graphql-js schema.isSubType: union members, or objects and interfaces
 * that declare the interface. */
static bool is_sub_type(const mm_gql_type *abstract_type, const mm_gql_type *maybe_sub) {
    if (abstract_type->kind == MM_GQL_UNION)
        return mm_gql_is_possible_type(abstract_type, maybe_sub);
    for (size_t i = 0; i < maybe_sub->interface_count; i++)
        if (maybe_sub->interfaces[i] == abstract_type) return true;
    return false;
}

bool mm_gql_is_subtype(const mm_gql_type *maybe_sub, const mm_gql_type *super) {
    if (!maybe_sub || !super) return false;
    if (maybe_sub == super) return true;
    if (super->kind == MM_GQL_NON_NULL) {
        if (maybe_sub->kind == MM_GQL_NON_NULL)
            return mm_gql_is_subtype(maybe_sub->of_type, super->of_type);
        return false;
    }
    if (maybe_sub->kind == MM_GQL_NON_NULL) return mm_gql_is_subtype(maybe_sub->of_type, super);
    if (super->kind == MM_GQL_LIST) {
        if (maybe_sub->kind == MM_GQL_LIST)
            return mm_gql_is_subtype(maybe_sub->of_type, super->of_type);
        return false;
    }
    if (maybe_sub->kind == MM_GQL_LIST) return false;
    return mm_gql_is_abstract_type(super) &&
           (maybe_sub->kind == MM_GQL_INTERFACE || maybe_sub->kind == MM_GQL_OBJECT) &&
           is_sub_type(super, maybe_sub);
}

bool mm_gql_types_overlap(const mm_gql_type *a, const mm_gql_type *b) {
    if (!a || !b) return false;
    if (a == b) return true;
    if (mm_gql_is_abstract_type(a)) {
        if (mm_gql_is_abstract_type(b)) {
            for (size_t i = 0; i < b->possible_type_count; i++)
                if (mm_gql_is_possible_type(a, b->possible_types[i])) return true;
            return false;
        }
        return mm_gql_is_possible_type(a, b);
    }
    if (mm_gql_is_abstract_type(b)) return mm_gql_is_possible_type(b, a);
    return false;
}

mm_gql_type *mm_gql_type_from_ast(mm_gql_schema *schema, const mm_gql_type_ref *ref) {
    if (!ref) return NULL;
    switch (ref->kind) {
    case MM_GQL_TYPE_NAMED: return mm_gql_schema_find_type(schema, ref->name.value);
    case MM_GQL_TYPE_LIST: {
        mm_gql_type *inner = mm_gql_type_from_ast(schema, ref->of_type);
        return inner ? mm_gql_list_of(schema, inner) : NULL;
    }
    case MM_GQL_TYPE_NON_NULL: {
        mm_gql_type *inner = mm_gql_type_from_ast(schema, ref->of_type);
        return inner ? mm_gql_non_null_of(schema, inner) : NULL;
    }
    }
    return NULL;
}

static size_t type_string_length(const mm_gql_type *type) {
    if (!type) return 0;
    if (type->kind == MM_GQL_LIST) return 2 + type_string_length(type->of_type);
    if (type->kind == MM_GQL_NON_NULL) return 1 + type_string_length(type->of_type);
    return type->name ? strlen(type->name) : 0;
}

static char *type_string_write(const mm_gql_type *type, char *p) {
    if (!type) return p;
    if (type->kind == MM_GQL_LIST) {
        *p++ = '[';
        p = type_string_write(type->of_type, p);
        *p++ = ']';
        return p;
    }
    if (type->kind == MM_GQL_NON_NULL) {
        p = type_string_write(type->of_type, p);
        *p++ = '!';
        return p;
    }
    size_t n = type->name ? strlen(type->name) : 0;
    memcpy(p, type->name, n);
    return p + n;
}

const char *mm_gql_type_to_string(const mm_gql_type *type, mm_arena *arena) {
    size_t n = type_string_length(type);
    char *s = mm_arena_alloc(arena, n + 1);
    if (!s) return NULL;
    *type_string_write(type, s) = '\0';
    return s;
}

/* ---- growing strings (printing) ----------------------------------------- */

/* graphql-js printString: JSON-style escapes for the C0 controls, '"' and
 * '\\', and for U+007F..U+009F; everything else as is. */
void mm_gql_strbuf_print_string(mm_strbuf *buf, const char *s, size_t len) {
    mm_gql_print_string_into(buf, s, len);
}
