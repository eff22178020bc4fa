/* introspection.c -- the introspection meta-types' resolvers and the
 * implicit __schema / __type / __typename fields (graphql-js
 * type/introspection). They answer with the per-schema values of
 * introspection_cache.h. See introspection.h for how meta-objects travel as
 * JSON between these resolvers and the executor. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/type/introspection_cache.h"
#include "graphql/type/schema_private.h"
#include "metamorphosis.h"

/* The meta-types as graphql-js 16 defines them (descriptions included, so
 * introspection answers word for word the same). */
const char mm_gql_introspection_sdl[] =
    "\"\"\"\n"
    "A GraphQL Schema defines the capabilities of a GraphQL server. It exposes all available types "
    "and directives on the server, as well as the entry points for query, mutation, and "
    "subscription operations.\n"
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
    "  If this server support subscription, the type that subscription operations will be rooted "
    "at.\n"
    "  \"\"\"\n"
    "  subscriptionType: __Type\n"
    "\n"
    "  \"\"\"A list of all directives supported by this server.\"\"\"\n"
    "  directives(includeDeprecated: Boolean! = false): [__Directive!]!\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "The fundamental unit of any GraphQL Schema is the type. There are many kinds of types in "
    "GraphQL as represented by the `__TypeKind` enum.\n"
    "\n"
    "Depending on the kind of a type, certain fields describe information about that type. Scalar "
    "types provide no information beyond a name, description and optional `specifiedByURL`, while "
    "Enum types provide their values. Object and Interface types provide the fields they describe. "
    "Abstract types, Union and Interface, provide the Object types possible at runtime. List and "
    "NonNull types compose other types.\n"
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
    "  Indicates this type is an interface. `fields`, `interfaces`, and `possibleTypes` are valid "
    "fields.\n"
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
    "Object and Interface types are described by a list of Fields, each of which has a name, "
    "potentially a list of arguments, and a return type.\n"
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
    "Arguments provided to Fields or Directives and the input fields of an InputObject are "
    "represented as Input Values which describe their type and optionally a default value.\n"
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
    "One possible value for a given Enum. Enum values are unique values, not a placeholder for a "
    "string or numeric value. However an Enum value is returned in a JSON response as a string.\n"
    "\"\"\"\n"
    "type __EnumValue {\n"
    "  name: String!\n"
    "  description: String\n"
    "  isDeprecated: Boolean!\n"
    "  deprecationReason: String\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "A Directive provides a way to describe alternate runtime execution and type validation "
    "behavior in a GraphQL document.\n"
    "\n"
    "In some cases, you need to provide options to alter GraphQL's execution behavior in ways "
    "field arguments will not suffice, such as conditionally including or skipping a field. "
    "Directives provide this by describing additional information to the executor.\n"
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
    "A Directive can be adjacent to many parts of the GraphQL language, a __DirectiveLocation "
    "describes one such possible adjacencies.\n"
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

/* ---- resolvers ----------------------------------------------------------------
 *
 * ud is the schema (bound by mm_gql_introspection_install). */

/* The entry of the meta-object parent, of meta-type kind: the cached one, or
 * *fresh filled for it (the caller then clears *fresh); NULL when parent is
 * not a meta-object. */
static const meta_entry *entry_of(const mm_gql_schema *schema, json_t *parent, meta_kind kind,
                                  meta_entry *fresh) {
    const intro_cache *c = mm_gql_introspection_cache(schema);
    const meta_entry *e = cache_find_wrapper(c, parent);
    const void *object = e ? e->object : mm_gql_introspection_unwrap(parent);
    if (!object) return NULL;
    if (!e) e = cache_find(c, object);
    if (e && e->kind == kind) return e;
    *fresh = (meta_entry){.object = object, .kind = kind};
    mm_gql_introspection_entry_fill(
        c, fresh); /* what failed to be built is null, as it would be uncached */
    return fresh;
}

/* A resolver's answer: a new reference to value `which` of the entry of the
 * meta-object parent (JSON null when parent is none). */
static json_t *answer(const mm_gql_schema *schema, json_t *parent, meta_kind kind,
                      meta_value which) {
    meta_entry fresh;
    const meta_entry *e = entry_of(schema, parent, kind, &fresh);
    json_t *value = e ? json_incref(e->values[which]) : NULL;
    if (e == &fresh) mm_gql_introspection_entry_clear(&fresh);
    return value;
}

/* The value holding the includeDeprecated list args ask for. From the
 * executor, args is {"includeDeprecated": bool} (the argument has a
 * default): its one member is read without hashing the key. */
static meta_value list_for(json_t *args) {
    static const char key[] = "includeDeprecated";
    void *it = json_object_size(args) == 1 ? json_object_iter(args) : NULL;
    json_t *v = it && json_object_iter_key_len(it) == sizeof key - 1 &&
                        memcmp(json_object_iter_key(it), key, sizeof key - 1) == 0
                    ? json_object_iter_value(it)
                    : json_object_get(args, key);
    return json_is_true(v) ? VALUE_LIST_WITH_DEPRECATED : VALUE_LIST;
}

/* ---- __Schema ------------------------------------------------------------ */

static json_t *schema_description(void *ud, json_t *parent, json_t *args,
                                  mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_SCHEMA, VALUE_DESCRIPTION);
}

static json_t *schema_types(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_SCHEMA, VALUE_TYPES);
}

static json_t *schema_query_type(void *ud, json_t *parent, json_t *args,
                                 mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const intro_cache *c = mm_gql_introspection_cache(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->query_type) : NULL;
}

static json_t *schema_mutation_type(void *ud, json_t *parent, json_t *args,
                                    mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const intro_cache *c = mm_gql_introspection_cache(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->mutation_type) : NULL;
}

static json_t *schema_subscription_type(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const intro_cache *c = mm_gql_introspection_cache(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->subscription_type) : NULL;
}

static json_t *schema_directives(void *ud, json_t *parent, json_t *args,
                                 mm_gql_resolve_info *info) {
    (void)info;
    return answer(ud, parent, META_SCHEMA, list_for(args));
}

/* ---- __Type -------------------------------------------------------------- */

static json_t *type_kind(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_KIND);
}

static json_t *type_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_NAME);
}

static json_t *type_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_DESCRIPTION);
}

static json_t *type_specified_by_url(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_SPECIFIED_BY_URL);
}

/* fields, enumValues and inputFields: a type's includeDeprecated list is the
 * one of them its kind has (fill_type); the other two are null. kinds is a
 * bit set of the mm_gql_type_kind values that have the asked one. */
static json_t *type_list_answer(const mm_gql_schema *schema, json_t *parent, json_t *args,
                                unsigned kinds) {
    meta_entry fresh;
    const meta_entry *e = entry_of(schema, parent, META_TYPE, &fresh);
    const mm_gql_type *t = e ? e->object : NULL;
    json_t *value = t && (kinds & 1u << t->kind) ? json_incref(e->values[list_for(args)]) : NULL;
    if (e == &fresh) mm_gql_introspection_entry_clear(&fresh);
    return value;
}

static json_t *type_fields(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_OBJECT | 1u << MM_GQL_INTERFACE);
}

static json_t *type_interfaces(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_INTERFACES);
}

static json_t *type_possible_types(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_POSSIBLE_TYPES);
}

static json_t *type_enum_values(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_ENUM);
}

static json_t *type_input_fields(void *ud, json_t *parent, json_t *args,
                                 mm_gql_resolve_info *info) {
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_INPUT_OBJECT);
}

static json_t *type_of_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_TYPE);
}

static json_t *type_is_one_of(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const mm_gql_type *t = object_of(mm_gql_introspection_cache(ud), parent);
    if (!t || t->kind != MM_GQL_INPUT_OBJECT) return NULL;
    return json_boolean(t->is_one_of);
}

/* ---- __Field ------------------------------------------------------------- */

static json_t *field_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_NAME);
}

static json_t *field_description(void *ud, json_t *parent, json_t *args,
                                 mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_DESCRIPTION);
}

static json_t *field_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)info;
    return answer(ud, parent, META_FIELD, list_for(args));
}

static json_t *field_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_TYPE);
}

static json_t *field_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const mm_gql_field *f = object_of(mm_gql_introspection_cache(ud), parent);
    return f ? json_boolean(f->deprecation_reason != NULL) : NULL;
}

static json_t *field_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_DEPRECATION_REASON);
}

/* ---- __InputValue -------------------------------------------------------- */

static json_t *input_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_NAME);
}

static json_t *input_description(void *ud, json_t *parent, json_t *args,
                                 mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DESCRIPTION);
}

static json_t *input_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_TYPE);
}

static json_t *input_default_value(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DEFAULT_VALUE);
}

static json_t *input_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const mm_gql_input_value *v = object_of(mm_gql_introspection_cache(ud), parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *input_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DEPRECATION_REASON);
}

/* ---- __EnumValue --------------------------------------------------------- */

static json_t *enum_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_NAME);
}

static json_t *enum_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_DESCRIPTION);
}

static json_t *enum_is_deprecated(void *ud, json_t *parent, json_t *args,
                                  mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const mm_gql_enum_value *v = object_of(mm_gql_introspection_cache(ud), parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *enum_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_DEPRECATION_REASON);
}

/* ---- __Directive --------------------------------------------------------- */

static json_t *directive_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_NAME);
}

static json_t *directive_description(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_DESCRIPTION);
}

static json_t *directive_is_repeatable(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info) {
    (void)args, (void)info;
    const mm_gql_directive_definition *d = object_of(mm_gql_introspection_cache(ud), parent);
    return d ? json_boolean(d->repeatable) : NULL;
}

static json_t *directive_locations(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_LOCATIONS);
}

static json_t *directive_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)info;
    return answer(ud, parent, META_DIRECTIVE, list_for(args));
}

static json_t *directive_is_deprecated(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info) {
    (void)args, (void)info;
    return object_of(mm_gql_introspection_cache(ud), parent) ? json_false() : NULL;
}

static json_t *directive_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                            mm_gql_resolve_info *info) {
    (void)ud, (void)parent, (void)args, (void)info;
    return NULL;
}

/* ---- root fields --------------------------------------------------------- */

static json_t *root_schema(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)args, (void)info;
    return wrap(mm_gql_introspection_cache(ud), ud);
}

static json_t *root_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info) {
    (void)parent, (void)info;
    const char *name = json_string_value(json_object_get(args, "name"));
    mm_gql_type *t = name ? mm_gql_schema_find_type(ud, name) : NULL;
    return t ? wrap(mm_gql_introspection_cache(ud), t) : NULL;
}

const mm_gql_field *mm_gql_introspection_schema_field(const mm_gql_schema *schema) {
    return schema && schema->index ? &mm_gql_schema_priv(schema)->schema_field : NULL;
}

const mm_gql_field *mm_gql_introspection_type_field(const mm_gql_schema *schema) {
    return schema && schema->index ? &mm_gql_schema_priv(schema)->type_field : NULL;
}

const mm_gql_field *mm_gql_introspection_typename_field(const mm_gql_schema *schema) {
    return schema && schema->index ? &mm_gql_schema_priv(schema)->typename_field : NULL;
}

const mm_gql_field *mm_gql_get_field_def(const mm_gql_schema *schema,
                                         const mm_gql_type *parent_type, const char *name) {
    if (!schema || !parent_type || !name) return NULL;
    if (name[0] == '_' && name[1] == '_') {
        if (parent_type == schema->query_type) {
            if (strcmp(name, "__schema") == 0) return mm_gql_introspection_schema_field(schema);
            if (strcmp(name, "__type") == 0) return mm_gql_introspection_type_field(schema);
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

int mm_gql_introspection_install(mm_gql_schema *schema) {
    for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
        if (mm_gql_schema_set_resolver(schema, bindings[i].type, bindings[i].field, bindings[i].fn,
                                       schema) != 0)
            return MM_EINVAL;
    mm_gql_schema_private *priv = mm_gql_schema_priv(schema);
    mm_gql_type *schema_type = mm_gql_schema_find_type(schema, "__Schema");
    mm_gql_type *type_type = mm_gql_schema_find_type(schema, "__Type");
    mm_gql_type *string_type = mm_gql_schema_find_type(schema, "String");
    if (!schema_type || !type_type || !string_type) return MM_EINVAL;

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
    if (!priv->schema_field.type || !arg->type || !f->type) return MM_ENOMEM;
    return 0;
}
