/* introspection.c -- the introspection meta-types' resolvers and the
 * implicit __schema / __type / __typename fields (graphql-js
 * type/introspection), and the per-schema cache of the JSON values the
 * resolvers answer with. See introspection.h for how meta-objects travel as
 * JSON between these resolvers and the executor. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the answers, cached per schema ---------------------------------------
 *
 * What introspection answers is a function of the schema alone, and a schema
 * does not change once built (binding resolvers and scalar callbacks later
 * changes nothing introspection shows; wrapper types interned later are
 * reachable from no meta-field). So every JSON value a meta-field resolver
 * would allocate -- meta-object wrappers, names, descriptions, kinds,
 * deprecation reasons, default values, the lists -- is built ONCE per schema,
 * on its first introspection, and the resolvers hand out new references to
 * those same values: answering allocates nothing. The values are never
 * modified (the executor builds new response objects and arrays from a
 * resolver's result and passes strings on as they are), and jansson's
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
    VALUE_WRAPPER,            /* the meta-object itself: {"__mm_introspection": address} */
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

static size_t address_hash(const void *p)
{
    uint64_t h = (uint64_t)(uintptr_t)p * 0x9E3779B97F4A7C15u;
    return (size_t)(h ^ (h >> 32));
}

/* The cached entry of object; NULL without a cache or for an unknown object. */
static const meta_entry *cache_find(const intro_cache *c, const void *object)
{
    if (!c || !object)
        return NULL;
    for (size_t i = address_hash(object) & c->index_mask; c->by_object[i]; i = (i + 1) & c->index_mask)
        if (c->by_object[i]->object == object)
            return c->by_object[i];
    return NULL;
}

/* The cached entry whose wrapper is value (this very json_t); NULL for any
 * other value. */
static const meta_entry *cache_find_wrapper(const intro_cache *c, const json_t *value)
{
    if (!c || !value)
        return NULL;
    for (size_t i = address_hash(value) & c->index_mask; c->by_wrapper[i]; i = (i + 1) & c->index_mask)
        if (c->by_wrapper[i]->values[VALUE_WRAPPER] == value)
            return c->by_wrapper[i];
    return NULL;
}

/* The C object the meta-object value describes; NULL when value is none. */
static const void *object_of(const intro_cache *c, json_t *value)
{
    const meta_entry *e = cache_find_wrapper(c, value);
    return e ? e->object : mm_gql_introspection_unwrap(value);
}

/* A new reference to object's wrapper: the cached one, else a fresh one. */
static json_t *wrap(const intro_cache *c, const void *object)
{
    const meta_entry *e = cache_find(c, object);
    return e ? json_incref(e->values[VALUE_WRAPPER]) : mm_gql_introspection_wrap(object);
}

/* ---- filling an entry -------------------------------------------------------
 *
 * The only place that decides what a meta-field answers, except for the
 * booleans and __Schema's root types, which the resolvers read straight from
 * the C object (they allocate nothing). Each fill returns false when an
 * allocation failed. */

static const char *const kind_names[] = {
    [MM_GQL_SCALAR] = "SCALAR", [MM_GQL_OBJECT] = "OBJECT",
    [MM_GQL_INTERFACE] = "INTERFACE", [MM_GQL_UNION] = "UNION",
    [MM_GQL_ENUM] = "ENUM", [MM_GQL_INPUT_OBJECT] = "INPUT_OBJECT",
    [MM_GQL_LIST] = "LIST", [MM_GQL_NON_NULL] = "NON_NULL",
};

/* Whether a string value was built: NULL is right only when there was none. */
static bool kept(const json_t *value, const char *source)
{
    return value || !source;
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

/* Descriptions and deprecation reasons may hold U+0000: their length comes
 * from the AST string they point into (schema_strings.c). */
static json_t *description_or_null(const char *s, const mm_gql_description *ast)
{
    return s ? json_stringn(s, mm_gql_description_length(s, ast)) : NULL;
}

static json_t *deprecation_reason_or_null(const char *s, const mm_gql_directive *directives,
                                          size_t directive_count)
{
    return s ? json_stringn(s, mm_gql_deprecation_reason_length(s, directives, directive_count))
             : NULL;
}

/* Appends value (a new reference) to list; on failure frees both and
 * returns NULL, so a list is complete or absent. */
static json_t *append(json_t *list, json_t *value)
{
    if (json_array_append_new(list, value) == 0)
        return list;
    json_decref(list);
    return NULL;
}

static json_t *type_list(const intro_cache *c, mm_gql_type *const *types, size_t count)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        list = append(list, wrap(c, types[i]));
    return list;
}

static json_t *field_list(const intro_cache *c, const mm_gql_type *t, bool with_deprecated)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->field_count; i++)
        if (with_deprecated || !t->fields[i].deprecation_reason)
            list = append(list, wrap(c, &t->fields[i]));
    return list;
}

static json_t *enum_value_list(const intro_cache *c, const mm_gql_type *t, bool with_deprecated)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->enum_value_count; i++)
        if (with_deprecated || !t->enum_values[i].deprecation_reason)
            list = append(list, wrap(c, &t->enum_values[i]));
    return list;
}

static json_t *input_value_list(const intro_cache *c, const mm_gql_input_value *values,
                                size_t count, bool with_deprecated)
{
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (with_deprecated || !values[i].deprecation_reason)
            list = append(list, wrap(c, &values[i]));
    return list;
}

/* Stores the two variants of an includeDeprecated list, sharing one array
 * when they have the same items (nothing is deprecated). */
static bool set_lists(meta_entry *e, json_t *current, json_t *with_deprecated)
{
    if (current && with_deprecated && json_array_size(current) == json_array_size(with_deprecated)) {
        json_decref(with_deprecated);
        with_deprecated = json_incref(current);
    }
    e->values[VALUE_LIST] = current;
    e->values[VALUE_LIST_WITH_DEPRECATED] = with_deprecated;
    return current && with_deprecated;
}

/* graphql-js lists the schema's own directives first, then the specified
 * ones it added; directives cannot be deprecated in SDL we parse, so
 * includeDeprecated changes nothing. */
static bool fill_schema(const intro_cache *c, meta_entry *e)
{
    const mm_gql_schema *s = e->object;
    json_t **v = e->values;
    v[VALUE_DESCRIPTION] = string_or_null(s->description);
    v[VALUE_TYPES] = type_list(c, s->types, s->type_count);
    json_t *directives = json_array();
    for (int builtin = 0; builtin < 2; builtin++)
        for (size_t i = 0; directives && i < s->directive_count; i++)
            if (s->directives[i].is_builtin == (builtin == 1))
                directives = append(directives, wrap(c, &s->directives[i]));
    bool lists = set_lists(e, directives, json_incref(directives));
    return kept(v[VALUE_DESCRIPTION], s->description) && v[VALUE_TYPES] && lists;
}

static bool fill_type(const intro_cache *c, meta_entry *e)
{
    const mm_gql_type *t = e->object;
    json_t **v = e->values;
    v[VALUE_KIND] = c ? json_incref(c->kind_names[t->kind]) : json_string_nocheck(kind_names[t->kind]);
    v[VALUE_NAME] = name_or_null(t->name);
    v[VALUE_TYPE] = wrap(c, t->of_type);
    const char *description = t->name ? t->description : NULL;
    v[VALUE_DESCRIPTION] = description_or_null(description, t->ast ? &t->ast->description : NULL);
    const char *url = t->kind == MM_GQL_SCALAR ? t->specified_by_url : NULL;
    v[VALUE_SPECIFIED_BY_URL] = string_or_null(url);
    bool ok = v[VALUE_KIND] && kept(v[VALUE_NAME], t->name) && (v[VALUE_TYPE] || !t->of_type) &&
              kept(v[VALUE_DESCRIPTION], description) && kept(v[VALUE_SPECIFIED_BY_URL], url);
    switch (t->kind) {
    case MM_GQL_OBJECT:
    case MM_GQL_INTERFACE:
        ok = set_lists(e, field_list(c, t, false), field_list(c, t, true)) && ok;
        v[VALUE_INTERFACES] = type_list(c, t->interfaces, t->interface_count);
        ok = ok && v[VALUE_INTERFACES];
        break;
    case MM_GQL_ENUM:
        ok = set_lists(e, enum_value_list(c, t, false), enum_value_list(c, t, true)) && ok;
        break;
    case MM_GQL_INPUT_OBJECT:
        ok = set_lists(e, input_value_list(c, t->input_fields, t->input_field_count, false),
                       input_value_list(c, t->input_fields, t->input_field_count, true)) && ok;
        break;
    default: /* scalars, unions (below) and wrappers */
        break;
    }
    if (mm_gql_is_abstract_type(t)) {
        v[VALUE_POSSIBLE_TYPES] = type_list(c, t->possible_types, t->possible_type_count);
        ok = ok && v[VALUE_POSSIBLE_TYPES];
    }
    return ok;
}

static bool fill_field(const intro_cache *c, meta_entry *e)
{
    const mm_gql_field *f = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(f->name);
    v[VALUE_TYPE] = wrap(c, f->type);
    v[VALUE_DESCRIPTION] = description_or_null(f->description, f->ast ? &f->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] = deprecation_reason_or_null(
        f->deprecation_reason, f->ast ? f->ast->directives : NULL, f->ast ? f->ast->directive_count : 0);
    bool lists = set_lists(e, input_value_list(c, f->args, f->arg_count, false),
                           input_value_list(c, f->args, f->arg_count, true));
    return kept(v[VALUE_NAME], f->name) && (v[VALUE_TYPE] || !f->type) &&
           kept(v[VALUE_DESCRIPTION], f->description) &&
           kept(v[VALUE_DEPRECATION_REASON], f->deprecation_reason) && lists;
}

static bool fill_input_value(const intro_cache *c, meta_entry *e)
{
    const mm_gql_input_value *iv = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(iv->name);
    v[VALUE_TYPE] = wrap(c, iv->type);
    v[VALUE_DESCRIPTION] = description_or_null(iv->description, iv->ast ? &iv->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] = deprecation_reason_or_null(
        iv->deprecation_reason, iv->ast ? iv->ast->directives : NULL, iv->ast ? iv->ast->directive_count : 0);
    /* NULL both when there is no (valid) default and when printing ran out
     * of memory: the one value whose failure cannot be told apart. */
    char *text = mm_gql_print_default_value(iv);
    v[VALUE_DEFAULT_VALUE] = text ? json_string(text) : NULL;
    bool ok = kept(v[VALUE_DEFAULT_VALUE], text);
    free(text);
    return ok && kept(v[VALUE_NAME], iv->name) && (v[VALUE_TYPE] || !iv->type) &&
           kept(v[VALUE_DESCRIPTION], iv->description) &&
           kept(v[VALUE_DEPRECATION_REASON], iv->deprecation_reason);
}

static bool fill_enum_value(meta_entry *e)
{
    const mm_gql_enum_value *ev = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(ev->name);
    v[VALUE_DESCRIPTION] = description_or_null(ev->description, ev->ast ? &ev->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] = deprecation_reason_or_null(
        ev->deprecation_reason, ev->ast ? ev->ast->directives : NULL, ev->ast ? ev->ast->directive_count : 0);
    return kept(v[VALUE_NAME], ev->name) && kept(v[VALUE_DESCRIPTION], ev->description) &&
           kept(v[VALUE_DEPRECATION_REASON], ev->deprecation_reason);
}

/* Locations in the order the definition wrote them, as graphql-js keeps
 * them; @deprecated also applies to directive definitions since 16.12. */
static bool fill_directive(const intro_cache *c, meta_entry *e)
{
    const mm_gql_directive_definition *d = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(d->name);
    v[VALUE_DESCRIPTION] = description_or_null(d->description, d->ast ? &d->ast->description : NULL);
    json_t *locations = json_array();
    for (size_t i = 0; locations && d->ast && i < d->ast->location_count; i++)
        locations = append(locations, name_or_null(d->ast->locations[i].value));
    if (locations && d->is_builtin && strcmp(d->name, "deprecated") == 0)
        locations = append(locations, name_or_null("DIRECTIVE_DEFINITION"));
    v[VALUE_LOCATIONS] = locations;
    bool lists = set_lists(e, input_value_list(c, d->args, d->arg_count, false),
                           input_value_list(c, d->args, d->arg_count, true));
    return kept(v[VALUE_NAME], d->name) && kept(v[VALUE_DESCRIPTION], d->description) && locations &&
           lists;
}

/* Fills every value of e but its wrapper; c (may be NULL) supplies the
 * wrappers and kind names its lists share. */
static bool entry_fill(const intro_cache *c, meta_entry *e)
{
    switch (e->kind) {
    case META_SCHEMA: return fill_schema(c, e);
    case META_TYPE: return fill_type(c, e);
    case META_FIELD: return fill_field(c, e);
    case META_INPUT_VALUE: return fill_input_value(c, e);
    case META_ENUM_VALUE: return fill_enum_value(e);
    case META_DIRECTIVE: return fill_directive(c, e);
    }
    return false;
}

static void entry_clear(meta_entry *e)
{
    for (size_t i = 0; i < VALUE_COUNT; i++) {
        json_decref(e->values[i]);
        e->values[i] = NULL;
    }
}

/* ---- building the cache ------------------------------------------------------ */

typedef bool (*visit_fn)(void *ctx, meta_kind kind, const void *object);

/* A type reference: its wrapper types, then the named type inside. */
static bool walk_type_ref(const mm_gql_type *t, visit_fn visit, void *ctx)
{
    for (; t; t = t->of_type)
        if (!visit(ctx, META_TYPE, t))
            return false;
    return true;
}

static bool walk_input_values(const mm_gql_input_value *values, size_t count, visit_fn visit,
                              void *ctx)
{
    for (size_t i = 0; i < count; i++)
        if (!visit(ctx, META_INPUT_VALUE, &values[i]) || !walk_type_ref(values[i].type, visit, ctx))
            return false;
    return true;
}

/* Visits every object introspection can reach from the schema; wrapper and
 * named types more than once (every reference visits them). */
static bool walk_schema(const mm_gql_schema *s, visit_fn visit, void *ctx)
{
    if (!visit(ctx, META_SCHEMA, s))
        return false;
    for (size_t i = 0; i < s->type_count; i++) {
        const mm_gql_type *t = s->types[i];
        if (!visit(ctx, META_TYPE, t))
            return false;
        for (size_t j = 0; j < t->field_count; j++) {
            const mm_gql_field *f = &t->fields[j];
            if (!visit(ctx, META_FIELD, f) || !walk_type_ref(f->type, visit, ctx) ||
                !walk_input_values(f->args, f->arg_count, visit, ctx))
                return false;
        }
        for (size_t j = 0; j < t->enum_value_count; j++)
            if (!visit(ctx, META_ENUM_VALUE, &t->enum_values[j]))
                return false;
        if (!walk_input_values(t->input_fields, t->input_field_count, visit, ctx))
            return false;
    }
    for (size_t i = 0; i < s->directive_count; i++) {
        const mm_gql_directive_definition *d = &s->directives[i];
        if (!visit(ctx, META_DIRECTIVE, d) || !walk_input_values(d->args, d->arg_count, visit, ctx))
            return false;
    }
    return true;
}

static bool count_visit(void *ctx, meta_kind kind, const void *object)
{
    (void)kind, (void)object;
    ++*(size_t *)ctx;
    return true;
}

/* Adds object's entry with its wrapper, unless a previous reference did. */
static bool register_visit(void *ctx, meta_kind kind, const void *object)
{
    intro_cache *c = ctx;
    size_t i = address_hash(object) & c->index_mask;
    for (; c->by_object[i]; i = (i + 1) & c->index_mask)
        if (c->by_object[i]->object == object)
            return true;
    json_t *wrapper = mm_gql_introspection_wrap(object);
    if (!wrapper)
        return false;
    meta_entry *e = &c->entries[c->count++];
    e->object = object;
    e->kind = kind;
    e->values[VALUE_WRAPPER] = wrapper;
    c->by_object[i] = e;
    for (i = address_hash(wrapper) & c->index_mask; c->by_wrapper[i]; i = (i + 1) & c->index_mask)
        ;
    c->by_wrapper[i] = e;
    return true;
}

static void cache_free(intro_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->count; i++)
        entry_clear(&c->entries[i]);
    for (size_t k = 0; k <= MM_GQL_NON_NULL; k++)
        json_decref(c->kind_names[k]);
    free(c->entries);
    free(c->by_object);
    free(c->by_wrapper);
    free(c);
}

/* Every entry is registered (with its wrapper) before any is filled, since
 * lists hold the wrappers of other entries. NULL when out of memory. */
static intro_cache *cache_build(const mm_gql_schema *s)
{
    size_t bound = 0;
    walk_schema(s, count_visit, &bound);
    size_t capacity = 16;
    while (capacity < 2 * bound)
        capacity *= 2;
    intro_cache *c = calloc(1, sizeof(*c));
    if (!c)
        return NULL;
    c->entries = calloc(bound, sizeof(*c->entries));
    c->by_object = calloc(capacity, sizeof(*c->by_object));
    c->by_wrapper = calloc(capacity, sizeof(*c->by_wrapper));
    c->index_mask = capacity - 1;
    bool ok = c->entries && c->by_object && c->by_wrapper;
    for (size_t k = 0; ok && k <= MM_GQL_NON_NULL; k++)
        ok = (c->kind_names[k] = json_string_nocheck(kind_names[k])) != NULL;
    ok = ok && walk_schema(s, register_visit, c);
    for (size_t i = 0; ok && i < c->count; i++)
        ok = entry_fill(c, &c->entries[i]);
    if (!ok) {
        cache_free(c);
        return NULL;
    }
    return c;
}

/* Serializes the first introspection of each schema (building is rare: once
 * per schema), so a cache is built once and published whole. */
static pthread_mutex_t cache_build_lock = PTHREAD_MUTEX_INITIALIZER;

/* The schema's cache, built on first use; NULL when it cannot be built. */
static const intro_cache *cache_of(const mm_gql_schema *schema)
{
    mm_gql_schema_private *priv = schema ? mm_gql_schema_priv(schema) : NULL;
    if (!priv)
        return NULL;
    intro_cache *c = __atomic_load_n(&priv->introspection_cache, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    pthread_mutex_lock(&cache_build_lock);
    c = __atomic_load_n(&priv->introspection_cache, __ATOMIC_ACQUIRE);
    if (!c) {
        c = cache_build(schema);
        if (c)
            __atomic_store_n(&priv->introspection_cache, c, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&cache_build_lock);
    return c;
}

void mm_gql_introspection_release(mm_gql_schema *schema)
{
    mm_gql_schema_private *priv = schema ? mm_gql_schema_priv(schema) : NULL;
    if (!priv)
        return;
    cache_free(priv->introspection_cache);
    priv->introspection_cache = NULL;
}

/* ---- resolvers ----------------------------------------------------------------
 *
 * ud is the schema (bound by mm_gql_introspection_install). */

/* The entry of the meta-object parent, of meta-type kind: the cached one, or
 * *fresh filled for it (the caller then clears *fresh); NULL when parent is
 * not a meta-object. */
static const meta_entry *entry_of(const mm_gql_schema *schema, json_t *parent, meta_kind kind,
                                  meta_entry *fresh)
{
    const intro_cache *c = cache_of(schema);
    const meta_entry *e = cache_find_wrapper(c, parent);
    const void *object = e ? e->object : mm_gql_introspection_unwrap(parent);
    if (!object)
        return NULL;
    if (!e)
        e = cache_find(c, object);
    if (e && e->kind == kind)
        return e;
    *fresh = (meta_entry){.object = object, .kind = kind};
    entry_fill(c, fresh); /* what failed to be built is null, as it would be uncached */
    return fresh;
}

/* A resolver's answer: a new reference to value `which` of the entry of the
 * meta-object parent (JSON null when parent is none). */
static json_t *answer(const mm_gql_schema *schema, json_t *parent, meta_kind kind, meta_value which)
{
    meta_entry fresh;
    const meta_entry *e = entry_of(schema, parent, kind, &fresh);
    json_t *value = e ? json_incref(e->values[which]) : NULL;
    if (e == &fresh)
        entry_clear(&fresh);
    return value;
}

/* The value holding the includeDeprecated list args ask for. From the
 * executor, args is {"includeDeprecated": bool} (the argument has a
 * default): its one member is read without hashing the key. */
static meta_value list_for(json_t *args)
{
    static const char key[] = "includeDeprecated";
    void *it = json_object_size(args) == 1 ? json_object_iter(args) : NULL;
    json_t *v = it && json_object_iter_key_len(it) == sizeof key - 1 &&
                        memcmp(json_object_iter_key(it), key, sizeof key - 1) == 0
                    ? json_object_iter_value(it)
                    : json_object_get(args, key);
    return json_is_true(v) ? VALUE_LIST_WITH_DEPRECATED : VALUE_LIST;
}

/* ---- __Schema ------------------------------------------------------------ */

static json_t *schema_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_SCHEMA, VALUE_DESCRIPTION);
}

static json_t *schema_types(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_SCHEMA, VALUE_TYPES);
}

static json_t *schema_query_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const intro_cache *c = cache_of(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->query_type) : NULL;
}

static json_t *schema_mutation_type(void *ud, json_t *parent, json_t *args,
                                    mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const intro_cache *c = cache_of(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->mutation_type) : NULL;
}

static json_t *schema_subscription_type(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const intro_cache *c = cache_of(ud);
    const mm_gql_schema *s = object_of(c, parent);
    return s ? wrap(c, s->subscription_type) : NULL;
}

static json_t *schema_directives(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return answer(ud, parent, META_SCHEMA, list_for(args));
}

/* ---- __Type -------------------------------------------------------------- */

static json_t *type_kind(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_KIND);
}

static json_t *type_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_NAME);
}

static json_t *type_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_DESCRIPTION);
}

static json_t *type_specified_by_url(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_SPECIFIED_BY_URL);
}

/* fields, enumValues and inputFields: a type's includeDeprecated list is the
 * one of them its kind has (fill_type); the other two are null. kinds is a
 * bit set of the mm_gql_type_kind values that have the asked one. */
static json_t *type_list_answer(const mm_gql_schema *schema, json_t *parent, json_t *args,
                                unsigned kinds)
{
    meta_entry fresh;
    const meta_entry *e = entry_of(schema, parent, META_TYPE, &fresh);
    const mm_gql_type *t = e ? e->object : NULL;
    json_t *value = t && (kinds & 1u << t->kind) ? json_incref(e->values[list_for(args)]) : NULL;
    if (e == &fresh)
        entry_clear(&fresh);
    return value;
}

static json_t *type_fields(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_OBJECT | 1u << MM_GQL_INTERFACE);
}

static json_t *type_interfaces(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_INTERFACES);
}

static json_t *type_possible_types(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_POSSIBLE_TYPES);
}

static json_t *type_enum_values(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_ENUM);
}

static json_t *type_input_fields(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return type_list_answer(ud, parent, args, 1u << MM_GQL_INPUT_OBJECT);
}

static json_t *type_of_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_TYPE, VALUE_TYPE);
}

static json_t *type_is_one_of(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const mm_gql_type *t = object_of(cache_of(ud), parent);
    if (!t || t->kind != MM_GQL_INPUT_OBJECT)
        return NULL;
    return json_boolean(t->is_one_of);
}

/* ---- __Field ------------------------------------------------------------- */

static json_t *field_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_NAME);
}

static json_t *field_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_DESCRIPTION);
}

static json_t *field_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return answer(ud, parent, META_FIELD, list_for(args));
}

static json_t *field_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_TYPE);
}

static json_t *field_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const mm_gql_field *f = object_of(cache_of(ud), parent);
    return f ? json_boolean(f->deprecation_reason != NULL) : NULL;
}

static json_t *field_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_FIELD, VALUE_DEPRECATION_REASON);
}

/* ---- __InputValue -------------------------------------------------------- */

static json_t *input_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_NAME);
}

static json_t *input_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DESCRIPTION);
}

static json_t *input_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_TYPE);
}

static json_t *input_default_value(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DEFAULT_VALUE);
}

static json_t *input_is_deprecated(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const mm_gql_input_value *v = object_of(cache_of(ud), parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *input_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                        mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_INPUT_VALUE, VALUE_DEPRECATION_REASON);
}

/* ---- __EnumValue --------------------------------------------------------- */

static json_t *enum_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_NAME);
}

static json_t *enum_description(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_DESCRIPTION);
}

static json_t *enum_is_deprecated(void *ud, json_t *parent, json_t *args,
                                  mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const mm_gql_enum_value *v = object_of(cache_of(ud), parent);
    return v ? json_boolean(v->deprecation_reason != NULL) : NULL;
}

static json_t *enum_deprecation_reason(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_ENUM_VALUE, VALUE_DEPRECATION_REASON);
}

/* ---- __Directive --------------------------------------------------------- */

static json_t *directive_name(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_NAME);
}

static json_t *directive_description(void *ud, json_t *parent, json_t *args,
                                     mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_DESCRIPTION);
}

static json_t *directive_is_repeatable(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    const mm_gql_directive_definition *d = object_of(cache_of(ud), parent);
    return d ? json_boolean(d->repeatable) : NULL;
}

static json_t *directive_locations(void *ud, json_t *parent, json_t *args,
                                   mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return answer(ud, parent, META_DIRECTIVE, VALUE_LOCATIONS);
}

static json_t *directive_args(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)info;
    return answer(ud, parent, META_DIRECTIVE, list_for(args));
}

static json_t *directive_is_deprecated(void *ud, json_t *parent, json_t *args,
                                       mm_gql_resolve_info *info)
{
    (void)args, (void)info;
    return object_of(cache_of(ud), parent) ? json_false() : NULL;
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
    return wrap(cache_of(ud), ud);
}

static json_t *root_type(void *ud, json_t *parent, json_t *args, mm_gql_resolve_info *info)
{
    (void)parent, (void)info;
    const char *name = json_string_value(json_object_get(args, "name"));
    mm_gql_type *t = name ? mm_gql_schema_find_type(ud, name) : NULL;
    return t ? wrap(cache_of(ud), t) : NULL;
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
