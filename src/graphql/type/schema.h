/* schema.h -- the GraphQL type system: a schema built from SDL, with C
 * resolvers bound to its fields by type and field name.
 *
 * A schema is immutable once built, except for binding callbacks (resolvers,
 * scalar coercion, type resolution) before it is first used for execution.
 * It owns one arena holding every type, field and the parsed SDL (default
 * values stay AST literals and are coerced when used, as graphql-js's
 * valueFromAST does). Wrapper types (list, non-null) are interned, so two
 * type references are equal exactly when their pointers are equal.
 *
 * Runtime values are jansson json_t: a parent object, arguments, variables
 * and resolver results are all JSON. Enum values are JSON strings holding the
 * value's name; custom scalars are whatever JSON their callbacks produce. */
#ifndef MM_GRAPHQL_SCHEMA_H
#define MM_GRAPHQL_SCHEMA_H

#include <jansson.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"
#include "graphql/language/directive_location.h"
#include "graphql/error/error.h"

typedef enum mm_gql_type_kind {
    MM_GQL_SCALAR,
    MM_GQL_OBJECT,
    MM_GQL_INTERFACE,
    MM_GQL_UNION,
    MM_GQL_ENUM,
    MM_GQL_INPUT_OBJECT,
    MM_GQL_LIST,
    MM_GQL_NON_NULL,
} mm_gql_type_kind;

typedef struct mm_gql_type mm_gql_type;
typedef struct mm_gql_schema mm_gql_schema;
typedef struct mm_gql_field mm_gql_field;
typedef struct mm_gql_resolve_info mm_gql_resolve_info; /* defined by the executor (execute.h) */

/* A field resolver. Returns a NEW json_t reference (NULL means JSON null).
 * To fail, it calls mm_gql_resolve_error() (execute.h) and returns NULL.
 * parent is the parent object's value (borrowed); args the coerced
 * arguments as a JSON object (borrowed and read-only: one coercion is shared
 * by the calls of a field on every object of a list). ud is what was bound
 * with it. */
typedef json_t *(*mm_gql_resolve_fn)(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info);

/* Picks the concrete object type name of a value of an interface or union;
 * returns NULL when it cannot tell. The default reads "__typename" from the
 * value when it is a JSON object. */
typedef const char *(*mm_gql_resolve_type_fn)(void *ud, json_t *value,
                                              const mm_gql_type *abstract_type);

/* Scalar coercion (graphql-js serialize / parseValue / parseLiteral). Each
 * returns a new reference, or NULL and sets *error to a message allocated in
 * arena (the caller turns it into a GraphQL error). parse_literal gets the
 * variables so it can resolve variables nested inside the literal. */
typedef json_t *(*mm_gql_scalar_serialize_fn)(void *ud, json_t *value, mm_arena *arena,
                                              const char **error);
typedef json_t *(*mm_gql_scalar_parse_value_fn)(void *ud, json_t *value, mm_arena *arena,
                                                const char **error);
typedef json_t *(*mm_gql_scalar_parse_literal_fn)(void *ud, const mm_gql_value *literal,
                                                  json_t *variables, mm_arena *arena,
                                                  const char **error);

/* An argument, an input-object field, or a directive argument. */
typedef struct mm_gql_input_value {
    const char *name;
    const char *description; /* NULL when absent */
    mm_gql_type *type;
    const mm_gql_value *default_value; /* AST literal, NULL when there is none */
    const char *deprecation_reason;    /* non-NULL exactly when deprecated */
    const mm_gql_input_value_def *ast;
} mm_gql_input_value;

struct mm_gql_field {
    const char *name;
    const char *description;
    mm_gql_input_value *args;
    size_t arg_count;
    mm_gql_type *type;
    const char *deprecation_reason; /* non-NULL exactly when deprecated */
    mm_gql_resolve_fn resolve;      /* NULL: the default resolver */
    void *resolve_ud;
    const mm_gql_field_def *ast;
};

typedef struct mm_gql_enum_value {
    const char *name;
    const char *description;
    const char *deprecation_reason;
    const mm_gql_enum_value_def *ast;
} mm_gql_enum_value;

struct mm_gql_type {
    mm_gql_type_kind kind;
    const char *name; /* NULL for LIST and NON_NULL */
    const char *description;
    mm_gql_type *of_type; /* LIST and NON_NULL: the wrapped type */

    mm_gql_field *fields; /* OBJECT, INTERFACE, in definition order */
    size_t field_count;
    mm_gql_type **interfaces; /* OBJECT, INTERFACE: what it implements */
    size_t interface_count;
    mm_gql_type **possible_types; /* UNION: members; INTERFACE: implementing objects */
    size_t possible_type_count;
    mm_gql_enum_value *enum_values; /* ENUM */
    size_t enum_value_count;
    mm_gql_input_value *input_fields; /* INPUT_OBJECT */
    size_t input_field_count;
    const char *specified_by_url; /* SCALAR */
    bool is_builtin;              /* Int Float String Boolean ID and the __ types */

    /* Callbacks, bound after building. */
    mm_gql_scalar_serialize_fn serialize;
    mm_gql_scalar_parse_value_fn parse_value;
    mm_gql_scalar_parse_literal_fn parse_literal;
    void *scalar_ud;
    mm_gql_resolve_type_fn resolve_type;
    void *resolve_type_ud;

    _Atomic(mm_gql_type *) list_of;     /* interned wrappers: [this] */
    _Atomic(mm_gql_type *) non_null_of; /* this! (both published once, see intern()) */

    const mm_gql_type_def *ast; /* the definition (NULL for built-ins) */
    void *index;                /* private: field-name lookup table */
    bool is_one_of;             /* INPUT_OBJECT marked @oneOf (graphql-js 16.9+) */
};

typedef struct mm_gql_directive_definition {
    const char *name;
    const char *description;
    mm_gql_input_value *args;
    size_t arg_count;
    unsigned locations; /* mm_gql_directive_location bits */
    bool repeatable;
    bool is_builtin;                 /* skip include deprecated specifiedBy oneOf */
    const mm_gql_directive_def *ast; /* the definition (built-ins: from the built-in SDL) */
} mm_gql_directive_definition;

struct mm_gql_schema {
    mm_arena arena; /* owns everything below */
    const char *description;
    mm_gql_type *query_type;
    mm_gql_type *mutation_type;     /* NULL when absent */
    mm_gql_type *subscription_type; /* NULL when absent */
    mm_gql_type **types;            /* every named type, built-ins included */
    size_t type_count;
    mm_gql_directive_definition *directives; /* built-ins first */
    size_t directive_count;
    void *index; /* private: type-name lookup table */
};

/* One SDL text to build from; name is used in error messages (e.g. a
 * service's name or a file name). */
typedef struct mm_gql_sdl_source {
    const char *name;
    const char *text;
    size_t length;
} mm_gql_sdl_source;

/* Builds a schema from one or more SDL sources, as if concatenated: types,
 * extensions (applied after all definitions, in order), schema definition or
 * the default root type names Query/Mutation/Subscription. Validates the
 * result (graphql-js's validateSchema and the SDL validation rules). On
 * failure returns NULL and appends one error per problem to errors (arena
 * of the caller). */
mm_gql_schema *mm_gql_schema_build(const mm_gql_sdl_source *sources, size_t source_count,
                                   mm_gql_errors *errors);

void mm_gql_schema_free(mm_gql_schema *schema);

/* Lookups; NULL when absent. */
mm_gql_type *mm_gql_schema_find_type(const mm_gql_schema *schema, const char *name);
mm_gql_field *mm_gql_type_find_field(const mm_gql_type *type, const char *name);
const mm_gql_input_value *mm_gql_field_find_arg(const mm_gql_field *field, const char *name);
const mm_gql_input_value *mm_gql_type_find_input_field(const mm_gql_type *type, const char *name);
const mm_gql_enum_value *mm_gql_type_find_enum_value(const mm_gql_type *type, const char *name);
const mm_gql_directive_definition *mm_gql_schema_find_directive(const mm_gql_schema *schema,
                                                                const char *name);

/* Binding. Return 0, or MM_ENOTFOUND when the type/field does not exist, or
 * MM_EINVAL when the type is of the wrong kind. */
int mm_gql_schema_set_resolver(mm_gql_schema *schema, const char *type_name, const char *field_name,
                               mm_gql_resolve_fn fn, void *ud);
int mm_gql_schema_set_scalar(mm_gql_schema *schema, const char *scalar_name,
                             mm_gql_scalar_serialize_fn serialize,
                             mm_gql_scalar_parse_value_fn parse_value,
                             mm_gql_scalar_parse_literal_fn parse_literal, void *ud);
int mm_gql_schema_set_type_resolver(mm_gql_schema *schema, const char *abstract_type_name,
                                    mm_gql_resolve_type_fn fn, void *ud);

/* Type predicates and helpers (graphql-js type/definition). */
mm_gql_type *mm_gql_list_of(mm_gql_schema *schema, mm_gql_type *type);
mm_gql_type *mm_gql_non_null_of(mm_gql_schema *schema, mm_gql_type *type);
mm_gql_type *mm_gql_named_type(mm_gql_type *type);    /* strips all wrappers */
mm_gql_type *mm_gql_nullable_type(mm_gql_type *type); /* strips one NON_NULL */
bool mm_gql_is_input_type(const mm_gql_type *type);
bool mm_gql_is_output_type(const mm_gql_type *type);
bool mm_gql_is_leaf_type(const mm_gql_type *type);      /* scalar or enum */
bool mm_gql_is_composite_type(const mm_gql_type *type); /* object, interface, union */
bool mm_gql_is_abstract_type(const mm_gql_type *type);  /* interface, union */
/* Whether object_type is a possible type of abstract_type. */
bool mm_gql_is_possible_type(const mm_gql_type *abstract_type, const mm_gql_type *object_type);
/* graphql-js isTypeSubTypeOf and doTypesOverlap. */
bool mm_gql_is_subtype(const mm_gql_type *maybe_sub, const mm_gql_type *super);
bool mm_gql_types_overlap(const mm_gql_type *a, const mm_gql_type *b);
/* Resolves an AST type reference against the schema; NULL if a named type is unknown. */
mm_gql_type *mm_gql_type_from_ast(mm_gql_schema *schema, const mm_gql_type_ref *ref);
/* Prints a type reference as written in GraphQL ("[Int!]!"), in arena. */
const char *mm_gql_type_to_string(const mm_gql_type *type, mm_arena *arena);

/* The schema as SDL, as graphql-js's printSchema prints it (built-in
 * scalars and directives omitted). A malloc'd string the caller frees. */
char *mm_gql_schema_print(const mm_gql_schema *schema);

#endif
