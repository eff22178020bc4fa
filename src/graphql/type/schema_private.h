/* schema_private.h -- what the schema's own files (schema_build.c,
 * schema_types.c, schema_validate.c, schema_print.c, introspection.c,
 * scalars.c) share and nobody else should use: name tables and the private
 * state behind the opaque `index` members of mm_gql_schema and mm_gql_type. */
#ifndef MM_GRAPHQL_SCHEMA_PRIVATE_H
#define MM_GRAPHQL_SCHEMA_PRIVATE_H

#include <stdatomic.h>

#include "common/strbuf.h"
#include "graphql/type/schema.h"

/* An open-addressing hash table from NUL-terminated names to pointers. It is
 * filled once while building and only read afterwards, so lookups need no
 * lock. Memory comes from the schema's arena. */
typedef struct mm_gql_name_table {
    const char **keys;
    void **values;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} mm_gql_name_table;

/* Sizes the table for count names; returns 0 or MM_ENOMEM. */
int mm_gql_name_table_init(mm_gql_name_table *table, mm_arena *arena, size_t count);
/* Adds name (must not be present and the table must have room). */
void mm_gql_name_table_put(mm_gql_name_table *table, const char *name, void *value);
void *mm_gql_name_table_get(const mm_gql_name_table *table, const char *name);

/* A named type's private state (mm_gql_type.index). */
typedef struct mm_gql_type_private {
    mm_gql_name_table members;          /* fields, input fields or enum values by name */
    const mm_gql_type_def **extensions; /* in order of application */
    size_t extension_count;
} mm_gql_type_private;

/* The schema's private state (mm_gql_schema.index). */
typedef struct mm_gql_schema_private {
    mm_gql_name_table types;
    mm_gql_name_table directives;
    mm_gql_field schema_field;   /* __schema: __Schema! */
    mm_gql_field type_field;     /* __type(name: String!): __Type */
    mm_gql_field typename_field; /* __typename: String! */
    mm_gql_input_value type_field_arg;
    const mm_gql_schema_def *schema_def; /* NULL when absent */
    const mm_gql_schema_def **schema_extensions;
    size_t schema_extension_count;
    /* The user's SDL documents and their source names, so errors of a
     * build from several sources can say which source they are about. */
    mm_gql_document **docs;
    const char **source_names;
    size_t doc_count;
    /* The JSON values introspection answers with, built on the first
     * introspection and freed with the schema (introspection.c); read and
     * published atomically since executions share the schema. */
    _Atomic(struct mm_gql_introspection_cache *) introspection_cache; /* built once, on first use */
} mm_gql_schema_private;

static inline mm_gql_schema_private *mm_gql_schema_priv(const mm_gql_schema *schema) {
    return (mm_gql_schema_private *)schema->index;
}

static inline mm_gql_type_private *mm_gql_type_priv(const mm_gql_type *type) {
    return (mm_gql_type_private *)type->index;
}

/* Builds the lookup tables of every named type and of the schema; called
 * once at the end of building. Returns 0 or MM_ENOMEM. */
int mm_gql_schema_index(mm_gql_schema *schema);

/* graphql-js validateSchema: appends one error per problem; returns the count. */
size_t mm_gql_schema_validate(const mm_gql_schema *schema, mm_gql_errors *errors);

/* Binds the built-in scalars' coercion (scalars.c). */
void mm_gql_scalars_install(mm_gql_schema *schema);

/* graphql-js valueFromAST for default values (no variables): the coerced
 * JSON value (new reference), or NULL with *invalid set when the literal is
 * not valid for type. A JSON null is returned as json_null(). */
json_t *mm_gql_default_value_coerce(const mm_gql_value *literal, const mm_gql_type *type,
                                    bool *invalid);

/* Appends the GraphQL string literal of s (graphql-js printString) to a
 * buffer (common/strbuf.h, the engine's printers' one buffer). */
void mm_gql_strbuf_print_string(mm_strbuf *buf, const char *s, size_t len);
/* graphql-js print() of a value literal (value_print.c). */
void mm_gql_strbuf_print_value(mm_strbuf *buf, const mm_gql_value *value);
/* graphql-js printBlockString, and whether a description prints as one
 * (value_print.c). */
void mm_gql_strbuf_print_block_string(mm_strbuf *buf, const char *s, size_t len);
bool mm_gql_printable_as_block_string(const char *s, size_t len);

/* The SDL validation rules of graphql-js (specifiedSDLRules) over the user
 * documents, knowing the built-in definitions; returns the errors added. */
size_t mm_gql_sdl_validate(mm_gql_document *const *docs, const char *const *source_names,
                           size_t doc_count, const mm_gql_document *builtins,
                           mm_gql_errors *errors);

/* When a schema is built from several sources, marks an error with the
 * name of the source it is about: extensions {"source": name}. Nothing
 * for a single source, so errors stay exactly graphql-js's. */
void mm_gql_error_set_source(mm_gql_error *error, const char *const *source_names, size_t doc_count,
                             size_t doc_index);

/* The index of the document holding a type definition, or SIZE_MAX. */
size_t mm_gql_schema_doc_of(const mm_gql_schema *schema, const mm_gql_type_def *def);

/* The length of a description or deprecation reason that may hold U+0000:
 * taken from the AST string it points into (schema_strings.c). */
size_t mm_gql_description_length(const char *s, const mm_gql_description *ast);
size_t mm_gql_deprecation_reason_length(const char *s, const mm_gql_directive *dirs, size_t n);

#endif
