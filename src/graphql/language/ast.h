/* ast.h -- the GraphQL abstract syntax tree (specification, October 2021).
 *
 * One tree for both executable documents and type-system documents, as in
 * graphql-js's language/ast. Every node lives in the arena of the parse that
 * made it and dies with it; nothing here is freed piecemeal. Sequences are
 * arrays with a count (never NULL when count > 0). Names and strings are
 * NUL-terminated arena copies; a string value also carries its length because
 * "\u0000" may appear inside it. Every node carries the location of its first
 * token, which is what graphql-js reports in error "locations". */
#ifndef MM_GRAPHQL_AST_H
#define MM_GRAPHQL_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A position in the source: 1-based line and column, and the 0-based byte
 * offset. Columns count UTF-16 code units, exactly as graphql-js does (the
 * same as code points except after a character beyond U+FFFF on the line). */
typedef struct mm_gql_loc {
    uint32_t line;
    uint32_t column;
    uint32_t offset;
} mm_gql_loc;

typedef struct mm_gql_name {
    const char *value;
    mm_gql_loc loc;
} mm_gql_name;

/* ---- values ---------------------------------------------------------- */

typedef enum mm_gql_value_kind {
    MM_GQL_VALUE_VARIABLE,
    MM_GQL_VALUE_INT,
    MM_GQL_VALUE_FLOAT,
    MM_GQL_VALUE_STRING,
    MM_GQL_VALUE_BOOLEAN,
    MM_GQL_VALUE_NULL,
    MM_GQL_VALUE_ENUM,
    MM_GQL_VALUE_LIST,
    MM_GQL_VALUE_OBJECT,
} mm_gql_value_kind;

typedef struct mm_gql_value mm_gql_value;
typedef struct mm_gql_object_field mm_gql_object_field;

struct mm_gql_value {
    mm_gql_value_kind kind;
    mm_gql_loc loc;
    union {
        const char *name; /* VARIABLE (without '$') and ENUM */
        const char *raw;  /* INT and FLOAT: the digits exactly as written */
        struct {
            const char *chars; /* decoded UTF-8, NUL-terminated */
            size_t length;     /* bytes, excluding the terminator */
            bool block;        /* written as """block string""" */
        } string;
        bool boolean;
        struct {
            mm_gql_value **items;
            size_t count;
        } list;
        struct {
            mm_gql_object_field *fields;
            size_t count;
        } object;
    } u;
};

struct mm_gql_object_field {
    mm_gql_name name;
    mm_gql_value *value;
    mm_gql_loc loc;
};

/* ---- type references: Name, [T], T! ----------------------------------- */

typedef enum mm_gql_type_ref_kind {
    MM_GQL_TYPE_NAMED,
    MM_GQL_TYPE_LIST,
    MM_GQL_TYPE_NON_NULL,
} mm_gql_type_ref_kind;

typedef struct mm_gql_type_ref mm_gql_type_ref;
struct mm_gql_type_ref {
    mm_gql_type_ref_kind kind;
    mm_gql_loc loc;
    mm_gql_name name;         /* NAMED only */
    mm_gql_type_ref *of_type; /* LIST and NON_NULL */
};

/* ---- directives and arguments ----------------------------------------- */

typedef struct mm_gql_argument {
    mm_gql_name name;
    mm_gql_value *value;
    mm_gql_loc loc;
} mm_gql_argument;

typedef struct mm_gql_directive {
    mm_gql_name name;
    mm_gql_argument *args;
    size_t arg_count;
    mm_gql_loc loc; /* of the '@' */
} mm_gql_directive;

/* ---- executable definitions ------------------------------------------- */

typedef enum mm_gql_operation_type {
    MM_GQL_OP_QUERY,
    MM_GQL_OP_MUTATION,
    MM_GQL_OP_SUBSCRIPTION,
} mm_gql_operation_type;

typedef enum mm_gql_selection_kind {
    MM_GQL_SEL_FIELD,
    MM_GQL_SEL_FRAGMENT_SPREAD,
    MM_GQL_SEL_INLINE_FRAGMENT,
} mm_gql_selection_kind;

typedef struct mm_gql_selection mm_gql_selection;

typedef struct mm_gql_selection_set {
    mm_gql_selection *items;
    size_t count;
    mm_gql_loc loc; /* of the '{' */
} mm_gql_selection_set;

struct mm_gql_selection {
    mm_gql_selection_kind kind;
    mm_gql_loc loc;
    mm_gql_directive *directives;
    size_t directive_count;
    union {
        struct {
            mm_gql_name alias; /* value NULL when absent */
            mm_gql_name name;
            mm_gql_argument *args;
            size_t arg_count;
            mm_gql_selection_set *selection_set; /* NULL for leaf fields */
        } field;
        struct {
            mm_gql_name name;
        } spread;
        struct {
            mm_gql_name type_condition; /* value NULL when absent */
            mm_gql_selection_set *selection_set;
        } inline_fragment;
    } u;
};

typedef struct mm_gql_variable_definition {
    mm_gql_name name; /* without '$'; loc is of the '$' */
    mm_gql_type_ref *type;
    mm_gql_value *default_value; /* NULL when absent */
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_loc loc;
    struct mm_gql_string_value *description; /* NULL when absent (graphql-js 16.15 extension) */
} mm_gql_variable_definition;

typedef struct mm_gql_operation {
    mm_gql_operation_type operation;
    mm_gql_name name; /* value NULL for anonymous operations */
    mm_gql_variable_definition *variables;
    size_t variable_count;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_selection_set *selection_set;
    bool shorthand;                          /* written as a bare "{ ... }" */
    struct mm_gql_string_value *description; /* NULL when absent (graphql-js 16.15 extension) */
} mm_gql_operation;

typedef struct mm_gql_fragment {
    mm_gql_name name;
    mm_gql_name type_condition;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_selection_set *selection_set;
    struct mm_gql_string_value *description; /* NULL when absent (graphql-js 16.15 extension) */
} mm_gql_fragment;

/* ---- type-system definitions ------------------------------------------ */

typedef struct mm_gql_string_value {
    const char *chars; /* NULL when absent */
    size_t length;
    bool block;
    mm_gql_loc loc;
} mm_gql_description;

typedef struct mm_gql_input_value_def {
    mm_gql_description description;
    mm_gql_name name;
    mm_gql_type_ref *type;
    mm_gql_value *default_value; /* NULL when absent */
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_loc loc;
} mm_gql_input_value_def;

typedef struct mm_gql_field_def {
    mm_gql_description description;
    mm_gql_name name;
    mm_gql_input_value_def *args;
    size_t arg_count;
    mm_gql_type_ref *type;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_loc loc;
} mm_gql_field_def;

typedef struct mm_gql_enum_value_def {
    mm_gql_description description;
    mm_gql_name name;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_loc loc;
} mm_gql_enum_value_def;

typedef struct mm_gql_operation_type_def {
    mm_gql_operation_type operation;
    mm_gql_name type;
    mm_gql_loc loc;
} mm_gql_operation_type_def;

/* Which kind of named type a type definition or extension declares. */
typedef enum mm_gql_type_def_kind {
    MM_GQL_TYPEDEF_SCALAR,
    MM_GQL_TYPEDEF_OBJECT,
    MM_GQL_TYPEDEF_INTERFACE,
    MM_GQL_TYPEDEF_UNION,
    MM_GQL_TYPEDEF_ENUM,
    MM_GQL_TYPEDEF_INPUT_OBJECT,
} mm_gql_type_def_kind;

/* A type definition or (is_extension) a type extension. Only the members
 * meaningful for the kind are filled: fields for OBJECT/INTERFACE,
 * input_fields for INPUT_OBJECT, members for UNION, values for ENUM,
 * interfaces for OBJECT/INTERFACE. */
typedef struct mm_gql_type_def {
    mm_gql_type_def_kind kind;
    bool is_extension;
    mm_gql_description description;
    mm_gql_name name;
    mm_gql_name *interfaces;
    size_t interface_count;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_field_def *fields;
    size_t field_count;
    mm_gql_input_value_def *input_fields;
    size_t input_field_count;
    mm_gql_name *members;
    size_t member_count;
    mm_gql_enum_value_def *values;
    size_t value_count;
} mm_gql_type_def;

typedef struct mm_gql_schema_def {
    bool is_extension;
    mm_gql_description description;
    mm_gql_directive *directives;
    size_t directive_count;
    mm_gql_operation_type_def *operation_types;
    size_t operation_type_count;
} mm_gql_schema_def;

typedef struct mm_gql_directive_def {
    mm_gql_description description;
    mm_gql_name name;
    mm_gql_input_value_def *args;
    size_t arg_count;
    bool repeatable;
    mm_gql_name *locations; /* e.g. "FIELD", "OBJECT" as written */
    size_t location_count;
} mm_gql_directive_def;

/* ---- documents -------------------------------------------------------- */

typedef enum mm_gql_definition_kind {
    MM_GQL_DEF_OPERATION,
    MM_GQL_DEF_FRAGMENT,
    MM_GQL_DEF_SCHEMA,    /* schema definition or extension */
    MM_GQL_DEF_TYPE,      /* type definition or extension */
    MM_GQL_DEF_DIRECTIVE, /* directive definition */
} mm_gql_definition_kind;

typedef struct mm_gql_definition {
    mm_gql_definition_kind kind;
    mm_gql_loc loc;
    union {
        mm_gql_operation operation;
        mm_gql_fragment fragment;
        mm_gql_schema_def schema;
        mm_gql_type_def type;
        mm_gql_directive_def directive;
    } u;
} mm_gql_definition;

typedef struct mm_gql_document {
    mm_gql_definition *definitions;
    size_t definition_count;
    const char *source; /* the text parsed (not owned) */
    size_t source_length;
} mm_gql_document;

#endif
