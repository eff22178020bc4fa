/* introspection.c -- the introspection meta-types' resolvers and the
 * implicit __schema / __type / __typename fields (graphql-js
 * type/introspection). See introspection.h for how meta-objects travel as
 * JSON between these resolvers and the executor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MM_GQL_EXECUTOR_INTERNAL /* mm_gql_execution_slot */
#include "graphql/execute.h"
#include "graphql/introspection.h"
#include "graphql/schema_private.h"
#include "metamorphosis.h"

/* The meta-types as graphql-js 16 defines them (descriptions included, so
 * introspection answers word for word the same). */
const char mm_gql_introspection_sdl[] =
    "\"\"\"\n"
    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types and directives on the server, as well as the entry points for query, mutation, and subscription operations.\n"
    "\"\"\"\n"
    "type __Schema {\n"
    "  description: String\n"
    "\n"
    "  \"\"\"A list of all types supported by this server.\"\"\"\n"
    "  types: [__Type!]!\n"
    "\n"
    "  \"\"\"The type that query operations will be rooted at.\"\"\"\n"
    "  queryType: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  If this server supports mutation, the type that mutation operations will be rooted at.\n"
    "  \"\"\"\n"
    "  mutationType: __Type\n"
    "\n"
    "  \"\"\"\n"
    "  If this server support subscription, the type that subscription operations will be rooted at.\n"
    "  \"\"\"\n"
    "  subscriptionType: __Type\n"
    "\n"
    "  \"\"\"A list of all directives supported by this server.\"\"\"\n"
    "  directives(includeDeprecated: Boolean! = false): [__Directive!]!\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in GraphQL as represented by the `__TypeKind` enum.\n"
    "\n"
    "Depending on the kind of a type, certain fields describe information about that type. Scalar types provide no information beyond a name, description and optional `specifiedByURL`, while Enum types provide their values. Object and Interface types provide the fields they describe. Abstract types, Union and Interface, provide the Object types possible at runtime. List and NonNull types compose other types.\n"
    "\"\"\"\n"
    "type __Type {\n"
    "  kind: __TypeKind!\n"
    "  name: String\n"
    "  description: String\n"
    "  specifiedByURL: String\n"
    "  fields(includeDeprecated: Boolean = false): [__Field!]\n"
    "  interfaces: [__Type!]\n"
    "  possibleTypes: [__Type!]\n"
    "  enumValues(includeDeprecated: Boolean = false): [__EnumValue!]\n"
    "  inputFields(includeDeprecated: Boolean = false): [__InputValue!]\n"
    "  ofType: __Type\n"
    "  isOneOf: Boolean\n"
    "}\n"
    "\n"
    "\"\"\"An enum describing what kind of type a given `__Type` is.\"\"\"\n"
    "enum __TypeKind {\n"
    "  \"\"\"Indicates this type is a scalar.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an object. `fields` and `interfaces` are valid fields.\n"
    "  \"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid fields.\n"
    "  \"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Indicates this type is a union. `possibleTypes` is a valid field.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Indicates this type is an enum. `enumValues` is a valid field.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"\n"
    "  Indicates this type is an input object. `inputFields` is a valid field.\n"
    "  \"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Indicates this type is a list. `ofType` is a valid field.\"\"\"\n"
    "  LIST\n"
    "\n"
    "  \"\"\"Indicates this type is a non-null. `ofType` is a valid field.\"\"\"\n"
    "  NON_NULL\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Object and Interface types are described by a list of Fields, each of which has a name, potentially a list of arguments, and a return type.\n"
    "\"\"\"\n"
    "type __Field {\n"
    "  name: String!\n"
    "  description: String\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  type: __Type!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Arguments provided to Fields or Directives and the input fields of an InputObject are represented as Input Values which describe their type and optionally a default value.\n"
    "\"\"\"\n"
    "type __InputValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  type: __Type!\n"
    "\n"
    "  \"\"\"\n"
    "  A GraphQL-formatted string representing the default value for this input value.\n"
    "  \"\"\"\n"
    "  defaultValue: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "One possible value for a given Enum. Enum values are unique values, not a placeholder for a string or numeric value. However an Enum value is returned in a JSON response as a string.\n"
    "\"\"\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive provides a way to describe alternate runtime execution and type validation behavior in a GraphQL document.\n"
    "\n"
    "In some cases, you need to provide options to alter GraphQL's execution behavior in ways field arguments will not suffice, such as conditionally including or skipping a field. Directives provide this by describing additional information to the executor.\n"
    "\"\"\"\n"
    "type __Directive {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isRepeatable: Boolean!\n"
    "  locations: [__DirectiveLocation!]!\n"
    "  args(includeDeprecated: Boolean = false): [__InputValue!]!\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation describes one such possible adjacencies.\n"
    "\"\"\"\n"
    "enum __DirectiveLocation {\n"
    "  \"\"\"Location adjacent to a query operation.\"\"\"\n"
    "  QUERY\n"
    "\n"
    "  \"\"\"Location adjacent to a mutation operation.\"\"\"\n"
    "  MUTATION\n"
    "\n"
    "  \"\"\"Location adjacent to a subscription operation.\"\"\"\n"
    "  SUBSCRIPTION\n"
    "\n"
    "  \"\"\"Location adjacent to a field.\"\"\"\n"
    "  FIELD\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment definition.\"\"\"\n"
    "  FRAGMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a fragment spread.\"\"\"\n"
    "  FRAGMENT_SPREAD\n"
    "\n"
    "  \"\"\"Location adjacent to an inline fragment.\"\"\"\n"
    "  INLINE_FRAGMENT\n"
    "\n"
    "  \"\"\"Location adjacent to a variable definition.\"\"\"\n"
    "  VARIABLE_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a schema definition.\"\"\"\n"
    "  SCHEMA\n"
    "\n"
    "  \"\"\"Location adjacent to a scalar definition.\"\"\"\n"
    "  SCALAR\n"
    "\n"
    "  \"\"\"Location adjacent to an object type definition.\"\"\"\n"
    "  OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to a field definition.\"\"\"\n"
    "  FIELD_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an argument definition.\"\"\"\n"
    "  ARGUMENT_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to an interface definition.\"\"\"\n"
    "  INTERFACE\n"
    "\n"
    "  \"\"\"Location adjacent to a union definition.\"\"\"\n"
    "  UNION\n"
    "\n"
    "  \"\"\"Location adjacent to an enum definition.\"\"\"\n"
    "  ENUM\n"
    "\n"
    "  \"\"\"Location adjacent to an enum value definition.\"\"\"\n"
    "  ENUM_VALUE\n"
    "\n"
    "  \"\"\"Location adjacent to an input object type definition.\"\"\"\n"
    "  INPUT_OBJECT\n"
    "\n"
    "  \"\"\"Location adjacent to an input object field definition.\"\"\"\n"
    "  INPUT_FIELD_DEFINITION\n"
    "\n"
    "  \"\"\"Location adjacent to a directive definition.\"\"\"\n"
    "  DIRECTIVE_DEFINITION\n"
    "}\n";

/* ---- meta-objects ------------------------------------------------------ */

json_t *mm_gql_introspection_wrap(const void *object)
{
    if (!object)
        return NULL; /* JSON null */
    /* the same object json_pack("{sI}") builds, without parsing a format */
    json_t *wrapped = json_object();
    if (wrapped && json_object_set_new_nocheck(wrapped, MM_GQL_INTROSPECTION_KEY,
                                               json_integer((json_int_t)(intptr_t)object)) != 0) {
        json_decref(wrapped);
        return NULL;
    }
    return wrapped;
}

const void *mm_gql_introspection_unwrap(json_t *value)
{
    if (!json_is_object(value))
        return NULL;
    json_t *p;
    /* A wrapper has this one member: read it without hashing the key. */
    void *it = json_object_size(value) == 1 ? json_object_iter(value) : NULL;
    if (it && json_object_iter_key_len(it) == sizeof MM_GQL_INTROSPECTION_KEY - 1 &&
        memcmp(json_object_iter_key(it), MM_GQL_INTROSPECTION_KEY, sizeof MM_GQL_INTROSPECTION_KEY - 1) == 0)
        p = json_object_iter_value(it);
    else
        p = json_object_get(value, MM_GQL_INTROSPECTION_KEY);
    if (!json_is_integer(p))
        return NULL;
    return (const void *)(intptr_t)json_integer_value(p);
}

/* The wrapper of object for a resolver: built once per execution and kept
 * there (introspection lists the same types, fields and type references over
 * and over); built afresh when called outside an execution (info NULL). */
static json_t *wrap(mm_gql_resolve_info *info, const void *object)
{
    if (!object)
        return NULL;
    json_t **slot = info ? mm_gql_execution_slot(info->execution_, object) : NULL;
    if (!slot)
        return mm_gql_introspection_wrap(object);
    if (!*slot)
        *slot = mm_gql_introspection_wrap(object);
    return json_incref(*slot);
}

static json_t *string_or_null(const char *s)
{
    return s ? json_string(s) : NULL;
}

/* Names are GraphQL Names (ASCII letters, digits, _), which need no UTF-8 check. */
static json_t *name_or_null(const char *s)
{
    return s ? json_string_nocheck(s) : NULL;
}

/* A string that may hold U+0000: len bytes of s (schema_strings.c). */
static json_t *stringn_or_null(const char *s, size_t len)
{
    return s ? json_stringn(s, len) : NULL;
}

static bool include_deprecated(json_t *args)
{
    return json_is_true(json_object_get(args, "includeDeprecated"));
}

/* ---- __Schema ------------------------------------------------------------ */

static json_t *schema_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    return s ? string_or_null(s->description) : NULL;
}

static json_t *schema_types(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    if (!s)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; list && i < s->type_count; i++)
        json_array_append_new(list, wrap(info, s->types[i]));
    return list;
}

static json_t *schema_query_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    return s ? wrap(info, s->query_type) : NULL;
}

static json_t *schema_mutation_type(void *ud, json_t *parent, json_t *args,
                                    mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    return s ? wrap(info, s->mutation_type) : NULL;
}

static json_t *schema_subscription_type(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    return s ? wrap(info, s->subscription_type) : NULL;
}

/* graphql-js lists the schema's own directives first, then the specified
 * ones it added; directives cannot be deprecated in SDL we parse, so
 * includeDeprecated changes nothing. */
static json_t *schema_directives(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_schema *s = mm_gql_introspection_unwrap(parent);
    if (!s)
        return NULL;
    json_t *list = json_array();
    for (int builtin = 0; builtin < 2; builtin++)
        for (size_t i = 0; list && i < s->directive_count; i++)
            if (s->directives[i].is_builtin == (builtin == 1))
                json_array_append_new(list, wrap(info, &s->directives[i]));
    return list;
}

/* ---- __Type -------------------------------------------------------------- */

static const char *const kind_names[] = {
    [MM_GQL_SCALAR] = "SCALAR", [MM_GQL_OBJECT] = "OBJECT",
    [MM_GQL_INTERFACE] = "INTERFACE", [MM_GQL_UNION] = "UNION",
    [MM_GQL_ENUM] = "ENUM", [MM_GQL_INPUT_OBJECT] = "INPUT_OBJECT",
    [MM_GQL_LIST] = "LIST", [MM_GQL_NON_NULL] = "NON_NULL",
};

static json_t *type_kind(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    return t ? json_string_nocheck(kind_names[t->kind]) : NULL;
}

static json_t *type_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    return t ? name_or_null(t->name) : NULL;
}

static json_t *type_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    return t && t->name ? stringn_or_null(t->description,
                                          mm_gql_description_length(t->description,
                                                                    t->ast ? &t->ast->description : NULL))
                        : NULL;
}

static json_t *type_specified_by_url(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    return t && t->kind == MM_GQL_SCALAR ? string_or_null(t->specified_by_url) : NULL;
}

static json_t *type_fields(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || (t->kind != MM_GQL_OBJECT && t->kind != MM_GQL_INTERFACE))
        return NULL;
    bool all = include_deprecated(args);
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->field_count; i++)
        if (all || !t->fields[i].deprecation_reason)
            json_array_append_new(list, wrap(info, &t->fields[i]));
    return list;
}

static json_t *type_list(mm_gql_resolve_info *info, mm_gql_type *const *types, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        json_array_append_new(list, wrap(info, types[i]));
    return list;
}

static json_t *type_interfaces(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || (t->kind != MM_GQL_OBJECT && t->kind != MM_GQL_INTERFACE))
        return NULL;
    return type_list(info, t->interfaces, t->interface_count);
}

static json_t *type_possible_types(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || !mm_gql_is_abstract_type(t))
        return NULL;
    return type_list(info, t->possible_types, t->possible_type_count);
}

static json_t *type_enum_values(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || t->kind != MM_GQL_ENUM)
        return NULL;
    bool all = include_deprecated(args);
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->enum_value_count; i++)
        if (all || !t->enum_values[i].deprecation_reason)
            json_array_append_new(list, wrap(info, &t->enum_values[i]));
    return list;
}

static json_t *input_value_list(mm_gql_resolve_info *info, const mm_gql_input_value *values, size_t count,
                               json_t *args)
{
    bool all = include_deprecated(args);
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (all || !values[i].deprecation_reason)
            json_array_append_new(list, wrap(info, &values[i]));
    return list;
}

static json_t *type_input_fields(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || t->kind != MM_GQL_INPUT_OBJECT)
        return NULL;
    return input_value_list(info, t->input_fields, t->input_field_count, args);
}

static json_t *type_of_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    return t && t->of_type ? wrap(info, t->of_type) : NULL;
}

static json_t *type_is_one_of(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_type *t = mm_gql_introspection_unwrap(parent);
    if (!t || t->kind != MM_GQL_INPUT_OBJECT)
        return NULL;
    return json_boolean(t->is_one_of);
}

/* ---- __Field ------------------------------------------------------------- */

static json_t *field_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? json_string_nocheck(f->name) : NULL;
}

static json_t *field_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? stringn_or_null(f->description,
                               mm_gql_description_length(f->description,
                                                         f->ast ? &f->ast->description : NULL))
             : NULL;
}

static json_t *field_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? input_value_list(info, f->args, f->arg_count, args) : NULL;
}

static json_t *field_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? wrap(info, f->type) : NULL;
}

static json_t *field_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? json_boolean(f->deprecation_reason != NULL) : NULL;
}

static json_t *field_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_field *f = mm_gql_introspection_unwrap(parent);
    return f ? stringn_or_null(f->deprecation_reason,
                               mm_gql_deprecation_reason_length(f->deprecation_reason,
                                                                f->ast ? f->ast->directives : NULL,
                                                                f->ast ? f->ast->directive_count : 0))
             : NULL;
}

/* ---- __InputValue -------------------------------------------------------- */

static json_t *input_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    return v ? json_string_nocheck(v->name) : NULL;
}

static json_t *input_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    return v ? stringn_or_null(v->description,
                               mm_gql_description_length(v->description,
                                                         v->ast ? &v->ast->description : NULL))
             : NULL;
}

static json_t *input_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    return v ? wrap(info, v->type) : NULL;
}

static json_t *input_default_value(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    char *text = v ? mm_gql_print_default_value(v) : NULL;
    if (!text)
        return NULL;
    json_t *s = json_string(text);
    free(text);
    return s;
}

static json_t *input_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *input_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_input_value *v = mm_gql_introspection_unwrap(parent);
    return v ? stringn_or_null(v->deprecation_reason,
                               mm_gql_deprecation_reason_length(v->deprecation_reason,
                                                                v->ast ? v->ast->directives : NULL,
                                                                v->ast ? v->ast->directive_count : 0))
             : NULL;
}

/* ---- __EnumValue --------------------------------------------------------- */

static json_t *enum_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_enum_value *v = mm_gql_introspection_unwrap(parent);
    return v ? json_string_nocheck(v->name) : NULL;
}

static json_t *enum_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_enum_value *v = mm_gql_introspection_unwrap(parent);
    return v ? stringn_or_null(v->description,
                               mm_gql_description_length(v->description,
                                                         v->ast ? &v->ast->description : NULL))
             : NULL;
}

static json_t *enum_is_deprecated(void *ud, json_t *parent, json_t *args,
                                  mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_enum_value *v = mm_gql_introspection_unwrap(parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *enum_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_enum_value *v = mm_gql_introspection_unwrap(parent);
    return v ? stringn_or_null(v->deprecation_reason,
                               mm_gql_deprecation_reason_length(v->deprecation_reason,
                                                                v->ast ? v->ast->directives : NULL,
                                                                v->ast ? v->ast->directive_count : 0))
             : NULL;
}

/* ---- __Directive --------------------------------------------------------- */

static json_t *directive_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_directive_definition *d = mm_gql_introspection_unwrap(parent);
    return d ? json_string_nocheck(d->name) : NULL;
}

static json_t *directive_description(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_directive_definition *d = mm_gql_introspection_unwrap(parent);
    return d ? stringn_or_null(d->description,
                               mm_gql_description_length(d->description,
                                                         d->ast ? &d->ast->description : NULL))
             : NULL;
}

static json_t *directive_is_repeatable(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_directive_definition *d = mm_gql_introspection_unwrap(parent);
    return d ? json_boolean(d->repeatable) : NULL;
}

/* In the order the definition wrote them, as graphql-js keeps them. */
static json_t *directive_locations(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    const mm_gql_directive_definition *d = mm_gql_introspection_unwrap(parent);
    if (!d)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; list && d->ast && i < d->ast->location_count; i++)
        json_array_append_new(list, json_string(d->ast->locations[i].value));
    if (list && d->is_builtin && strcmp(d->name, "deprecated") == 0)
        json_array_append_new(list, json_string("DIRECTIVE_DEFINITION"));
    return list;
}

static json_t *directive_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)ud, (void)info;
    const mm_gql_directive_definition *d = mm_gql_introspection_unwrap(parent);
    return d ? input_value_list(info, d->args, d->arg_count, args) : NULL;
}

static json_t *directive_is_deprecated(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)ud, (void)args, (void)info;
    return mm_gql_introspection_unwrap(parent) ? json_false() : NULL;
}

static json_t *directive_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                            mm_gql_resolve_info *info)
{
    (void)ud, (void)parent, (void)args, (void)info;
    return NULL;
}

/* ---- root fields --------------------------------------------------------- */

static json_t *root_schema(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)parent, (void)args, (void)info;
    return wrap(info, ud);
}

static json_t *root_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)parent, (void)info;
    const char *name = json_string_value(json_object_get(args, "name"));
    mm_gql_type *t = name ? mm_gql_schema_find_type(ud, name) : NULL;
    return t ? wrap(info, t) : NULL;
}

const mm_gql_field *mm_gql_introspection_schema_field(const mm_gql_schema *schema)
{
    return schema && schema->index ? &mm_gql_schema_priv(schema)->schema_field : NULL;
}

const mm_gql_field *mm_gql_introspection_type_field(const mm_gql_schema *schema)
{
    return schema && schema->index ? &mm_gql_schema_priv(schema)->type_field : NULL;
}

const mm_gql_field *mm_gql_introspection_typename_field(const mm_gql_schema *schema)
{
    return schema && schema->index ? &mm_gql_schema_priv(schema)->typename_field : NULL;
}

const mm_gql_field *mm_gql_get_field_def(const mm_gql_schema *schema,
                                         const mm_gql_type *parent_type, const char *name)
{
    if (!schema || !parent_type || !name)
        return NULL;
    if (name[0] == '_' && name[1] == '_') {
        if (parent_type == schema->query_type) {
            if (strcmp(name, "__schema") == 0)
                return mm_gql_introspection_schema_field(schema);
            if (strcmp(name, "__type") == 0)
                return mm_gql_introspection_type_field(schema);
        }
        if (strcmp(name, "__typename") == 0 && mm_gql_is_composite_type(parent_type))
            return mm_gql_introspection_typename_field(schema);
    }
    return mm_gql_type_find_field(parent_type, name);
}

/* ---- installation -------------------------------------------------------- */

typedef struct binding {
    const char *type;
    const char *field;
    mm_gql_resolve_fn fn;
} binding;

static const binding bindings[] = {
    {"__Schema", "description", schema_description},
    {"__Schema", "types", schema_types},
    {"__Schema", "queryType", schema_query_type},
    {"__Schema", "mutationType", schema_mutation_type},
    {"__Schema", "subscriptionType", schema_subscription_type},
    {"__Schema", "directives", schema_directives},
    {"__Type", "kind", type_kind},
    {"__Type", "name", type_name},
    {"__Type", "description", type_description},
    {"__Type", "specifiedByURL", type_specified_by_url},
    {"__Type", "fields", type_fields},
    {"__Type", "interfaces", type_interfaces},
    {"__Type", "possibleTypes", type_possible_types},
    {"__Type", "enumValues", type_enum_values},
    {"__Type", "inputFields", type_input_fields},
    {"__Type", "ofType", type_of_type},
    {"__Type", "isOneOf", type_is_one_of},
    {"__Field", "name", field_name},
    {"__Field", "description", field_description},
    {"__Field", "args", field_args},
    {"__Field", "type", field_type},
    {"__Field", "isDeprecated", field_is_deprecated},
    {"__Field", "deprecationReason", field_deprecation_reason},
    {"__InputValue", "name", input_name},
    {"__InputValue", "description", input_description},
    {"__InputValue", "type", input_type},
    {"__InputValue", "defaultValue", input_default_value},
    {"__InputValue", "isDeprecated", input_is_deprecated},
    {"__InputValue", "deprecationReason", input_deprecation_reason},
    {"__EnumValue", "name", enum_name},
    {"__EnumValue", "description", enum_description},
    {"__EnumValue", "isDeprecated", enum_is_deprecated},
    {"__EnumValue", "deprecationReason", enum_deprecation_reason},
    {"__Directive", "name", directive_name},
    {"__Directive", "description", directive_description},
    {"__Directive", "isRepeatable", directive_is_repeatable},
    {"__Directive", "locations", directive_locations},
    {"__Directive", "args", directive_args},
    {"__Directive", "isDeprecated", directive_is_deprecated},
    {"__Directive", "deprecationReason", directive_deprecation_reason},
};

int mm_gql_introspection_install(mm_gql_schema *schema)
{
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        if (mm_gql_schema_set_resolver(schema, bindings[i].type, bindings[i].field,
                                       bindings[i].fn, schema) != 0)
            return MM_EINVAL;
    mm_gql_schema_private *priv = mm_gql_schema_priv(schema);
    mm_gql_type *schema_type = mm_gql_schema_find_type(schema, "__Schema");
    mm_gql_type *type_type = mm_gql_schema_find_type(schema, "__Type");
    mm_gql_type *string_type = mm_gql_schema_find_type(schema, "String");
    if (!schema_type || !type_type || !string_type)
        return MM_EINVAL;

    mm_gql_field *f = &priv->schema_field;
    f->name = "__schema";
    f->description = "Access the current type schema of this server.";
    f->type = mm_gql_non_null_of(schema, schema_type);
    f->resolve = root_schema;
    f->resolve_ud = schema;

    mm_gql_input_value *arg = &priv->type_field_arg;
    arg->name = "name";
    arg->type = mm_gql_non_null_of(schema, string_type);
    f = &priv->type_field;
    f->name = "__type";
    f->description = "Request the type information of a single type.";
    f->type = type_type;
    f->args = arg;
    f->arg_count = 1;
    f->resolve = root_type;
    f->resolve_ud = schema;

    f = &priv->typename_field;
    f->name = "__typename";
    f->description = "The name of the current Object type at runtime.";
    f->type = mm_gql_non_null_of(schema, string_type);
    if (!priv->schema_field.type || !arg->type || !f->type)
        return MM_ENOMEM;
    return 0;
}
