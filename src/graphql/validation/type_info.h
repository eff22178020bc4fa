/* type_info.h -- what a schema says about the current point of a document walk.
 *
 * graphql-js's TypeInfo: as the validator enters and leaves AST nodes it
 * keeps stacks of the output type, the parent composite type, the field
 * definition, the expected input type and its default value, plus the
 * current directive, argument and enum value. Rules read it; they never
 * change it. Meta fields (__schema, __type, __typename) resolve here too. */
#ifndef MM_GRAPHQL_TYPE_INFO_H
#define MM_GRAPHQL_TYPE_INFO_H

#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"
#include "graphql/type/schema.h"

/* A stack of pointers in an arena (grows by doubling; NULL entries allowed). */
typedef struct mm_ti_stack {
    const void **items;
    size_t count;
    size_t cap;
} mm_ti_stack;

/* The introspection fields every composite type or the query root answers to. */
typedef struct mm_ti_meta {
    mm_gql_field schema_field;   /* __schema: __Schema! */
    mm_gql_field type_field;     /* __type(name: String!): __Type */
    mm_gql_field typename_field; /* __typename: String! */
    mm_gql_input_value type_name_arg;
} mm_ti_meta;

typedef struct mm_type_info {
    mm_gql_schema *schema;
    mm_arena *arena;
    const mm_ti_meta *meta;
    mm_ti_stack type_stack;        /* mm_gql_type*: output type, NULL when unknown */
    mm_ti_stack parent_type_stack; /* mm_gql_type*: composite parent */
    mm_ti_stack input_type_stack;  /* mm_gql_type* */
    mm_ti_stack field_def_stack;   /* mm_gql_field* */
    mm_ti_stack default_stack;     /* const mm_gql_value*: NULL = no default */
    const mm_gql_directive_definition *directive;
    const mm_gql_input_value *argument;
    const mm_gql_enum_value *enum_value;
    int oom; /* set when a push failed */
} mm_type_info;

/* Fills meta for schema (types from the schema, wrappers interned). Returns 0 or MM_ENOMEM. */
int mm_ti_meta_init(mm_ti_meta *meta, mm_gql_schema *schema);

void mm_ti_init(mm_type_info *ti, mm_gql_schema *schema, const mm_ti_meta *meta, mm_arena *arena);

/* graphql-js getFieldDef: meta fields first, then the type's own fields. */
mm_gql_field *mm_ti_field_def(const mm_type_info *ti, const mm_gql_type *parent, const char *name);

/* Accessors (NULL when unknown). */
mm_gql_type *mm_ti_type(const mm_type_info *ti);
mm_gql_type *mm_ti_parent_type(const mm_type_info *ti);
mm_gql_type *mm_ti_input_type(const mm_type_info *ti);
mm_gql_type *mm_ti_parent_input_type(const mm_type_info *ti);
mm_gql_field *mm_ti_field(const mm_type_info *ti);
const mm_gql_value *mm_ti_default_value(const mm_type_info *ti);

/* Enter / leave, one pair per AST node kind that matters to TypeInfo. */
void mm_ti_enter_selection_set(mm_type_info *ti);
void mm_ti_leave_selection_set(mm_type_info *ti);
void mm_ti_enter_field(mm_type_info *ti, const mm_gql_selection *field);
void mm_ti_leave_field(mm_type_info *ti);
void mm_ti_enter_directive(mm_type_info *ti, const mm_gql_directive *directive);
void mm_ti_leave_directive(mm_type_info *ti);
void mm_ti_enter_operation(mm_type_info *ti, const mm_gql_operation *op);
/* Inline fragment (type_condition may be NULL) or fragment definition. */
void mm_ti_enter_fragment(mm_type_info *ti, const char *type_condition);
void mm_ti_leave_type(mm_type_info *ti); /* operation, inline fragment, fragment definition */
void mm_ti_enter_variable_definition(mm_type_info *ti, const mm_gql_variable_definition *def);
void mm_ti_leave_variable_definition(mm_type_info *ti);
void mm_ti_enter_argument(mm_type_info *ti, const mm_gql_argument *arg);
void mm_ti_leave_argument(mm_type_info *ti);
void mm_ti_enter_list(mm_type_info *ti);
void mm_ti_leave_list(mm_type_info *ti);
void mm_ti_enter_object_field(mm_type_info *ti, const mm_gql_object_field *field);
void mm_ti_leave_object_field(mm_type_info *ti);
void mm_ti_enter_enum(mm_type_info *ti, const mm_gql_value *value);
void mm_ti_leave_enum(mm_type_info *ti);

#endif
