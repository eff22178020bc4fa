/* introspection_cache.c -- building and freeing introspection's per-schema
 * answers (introspection_cache.h says what they are and why). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection_cache.h"
#include "graphql/type/schema_private.h"

/* ---- filling an entry -------------------------------------------------------
 *
 * The only place that decides what a meta-field answers, except for the
 * booleans and __Schema's root types, which the resolvers read straight from
 * the C object (they allocate nothing). Each fill returns false when an
 * allocation failed. */

static const char *const kind_names[] = {
    [MM_GQL_SCALAR] = "SCALAR",       [MM_GQL_OBJECT] = "OBJECT",
    [MM_GQL_INTERFACE] = "INTERFACE", [MM_GQL_UNION] = "UNION",
    [MM_GQL_ENUM] = "ENUM",           [MM_GQL_INPUT_OBJECT] = "INPUT_OBJECT",
    [MM_GQL_LIST] = "LIST",           [MM_GQL_NON_NULL] = "NON_NULL",
};

/* Whether a string value was built: NULL is right only when there was none. */
static bool kept(const json_t *value, const char *source) { return value || !source; }

static json_t *string_or_null(const char *s) { return s ? json_string(s) : NULL; }

/* Names are GraphQL Names (ASCII letters, digits, _), which need no UTF-8 check. */
static json_t *name_or_null(const char *s) { return s ? json_string_nocheck(s) : NULL; }

/* Descriptions and deprecation reasons may hold U+0000: their length comes
 * from the AST string they point into (schema_strings.c). */
static json_t *description_or_null(const char *s, const mm_gql_description *ast) {
    return s ? json_stringn(s, mm_gql_description_length(s, ast)) : NULL;
}

static json_t *deprecation_reason_or_null(const char *s, const mm_gql_directive *directives,
                                          size_t directive_count) {
    return s ? json_stringn(s, mm_gql_deprecation_reason_length(s, directives, directive_count))
             : NULL;
}

/* Appends value (a new reference) to list; on failure frees both and
 * returns NULL, so a list is complete or absent. */
static json_t *append(json_t *list, json_t *value) {
    if (json_array_append_new(list, value) == 0) return list;
    json_decref(list);
    return NULL;
}

static json_t *type_list(const intro_cache *c, mm_gql_type *const *types, size_t count) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++) list = append(list, wrap(c, types[i]));
    return list;
}

static json_t *field_list(const intro_cache *c, const mm_gql_type *t, bool with_deprecated) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->field_count; i++)
        if (with_deprecated || !t->fields[i].deprecation_reason)
            list = append(list, wrap(c, &t->fields[i]));
    return list;
}

static json_t *enum_value_list(const intro_cache *c, const mm_gql_type *t, bool with_deprecated) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < t->enum_value_count; i++)
        if (with_deprecated || !t->enum_values[i].deprecation_reason)
            list = append(list, wrap(c, &t->enum_values[i]));
    return list;
}

static json_t *input_value_list(const intro_cache *c, const mm_gql_input_value *values,
                                size_t count, bool with_deprecated) {
    json_t *list = json_array();
    for (size_t i = 0; list && i < count; i++)
        if (with_deprecated || !values[i].deprecation_reason)
            list = append(list, wrap(c, &values[i]));
    return list;
}

/* Stores the two variants of an includeDeprecated list, sharing one array
 * when they have the same items (nothing is deprecated). */
static bool set_lists(meta_entry *e, json_t *current, json_t *with_deprecated) {
    if (current && with_deprecated &&
        json_array_size(current) == json_array_size(with_deprecated)) {
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
static bool fill_schema(const intro_cache *c, meta_entry *e) {
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

static bool fill_type(const intro_cache *c, meta_entry *e) {
    const mm_gql_type *t = e->object;
    json_t **v = e->values;
    v[VALUE_KIND] =
        c ? json_incref(c->kind_names[t->kind]) : json_string_nocheck(kind_names[t->kind]);
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
                       input_value_list(c, t->input_fields, t->input_field_count, true)) &&
             ok;
        break;
    default: /* scalars, unions (below) and wrappers */ break;
    }
    if (mm_gql_is_abstract_type(t)) {
        v[VALUE_POSSIBLE_TYPES] = type_list(c, t->possible_types, t->possible_type_count);
        ok = ok && v[VALUE_POSSIBLE_TYPES];
    }
    return ok;
}

static bool fill_field(const intro_cache *c, meta_entry *e) {
    const mm_gql_field *f = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(f->name);
    v[VALUE_TYPE] = wrap(c, f->type);
    v[VALUE_DESCRIPTION] =
        description_or_null(f->description, f->ast ? &f->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] =
        deprecation_reason_or_null(f->deprecation_reason, f->ast ? f->ast->directives : NULL,
                                   f->ast ? f->ast->directive_count : 0);
    bool lists = set_lists(e, input_value_list(c, f->args, f->arg_count, false),
                           input_value_list(c, f->args, f->arg_count, true));
    return kept(v[VALUE_NAME], f->name) && (v[VALUE_TYPE] || !f->type) &&
           kept(v[VALUE_DESCRIPTION], f->description) &&
           kept(v[VALUE_DEPRECATION_REASON], f->deprecation_reason) && lists;
}

static bool fill_input_value(const intro_cache *c, meta_entry *e) {
    const mm_gql_input_value *iv = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(iv->name);
    v[VALUE_TYPE] = wrap(c, iv->type);
    v[VALUE_DESCRIPTION] =
        description_or_null(iv->description, iv->ast ? &iv->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] =
        deprecation_reason_or_null(iv->deprecation_reason, iv->ast ? iv->ast->directives : NULL,
                                   iv->ast ? iv->ast->directive_count : 0);
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

static bool fill_enum_value(meta_entry *e) {
    const mm_gql_enum_value *ev = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(ev->name);
    v[VALUE_DESCRIPTION] =
        description_or_null(ev->description, ev->ast ? &ev->ast->description : NULL);
    v[VALUE_DEPRECATION_REASON] =
        deprecation_reason_or_null(ev->deprecation_reason, ev->ast ? ev->ast->directives : NULL,
                                   ev->ast ? ev->ast->directive_count : 0);
    return kept(v[VALUE_NAME], ev->name) && kept(v[VALUE_DESCRIPTION], ev->description) &&
           kept(v[VALUE_DEPRECATION_REASON], ev->deprecation_reason);
}

/* Locations in the order the definition wrote them, as graphql-js keeps
 * them; @deprecated also applies to directive definitions since 16.12. */
static bool fill_directive(const intro_cache *c, meta_entry *e) {
    const mm_gql_directive_definition *d = e->object;
    json_t **v = e->values;
    v[VALUE_NAME] = name_or_null(d->name);
    v[VALUE_DESCRIPTION] =
        description_or_null(d->description, d->ast ? &d->ast->description : NULL);
    json_t *locations = json_array();
    for (size_t i = 0; locations && d->ast && i < d->ast->location_count; i++)
        locations = append(locations, name_or_null(d->ast->locations[i].value));
    if (locations && d->is_builtin && strcmp(d->name, "deprecated") == 0)
        locations = append(locations, name_or_null("DIRECTIVE_DEFINITION"));
    v[VALUE_LOCATIONS] = locations;
    bool lists = set_lists(e, input_value_list(c, d->args, d->arg_count, false),
                           input_value_list(c, d->args, d->arg_count, true));
    return kept(v[VALUE_NAME], d->name) && kept(v[VALUE_DESCRIPTION], d->description) &&
           locations && lists;
}

/* Fills every value of e but its wrapper; c (may be NULL) supplies the
 * wrappers and kind names its lists share. */
bool mm_gql_introspection_entry_fill(const intro_cache *c, meta_entry *e) {
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

void mm_gql_introspection_entry_clear(meta_entry *e) {
    for (size_t i = 0; i < VALUE_COUNT; i++) {
        json_decref(e->values[i]);
        e->values[i] = NULL;
    }
}

/* ---- building the cache ------------------------------------------------------ */

typedef bool (*visit_fn)(void *ctx, meta_kind kind, const void *object);

/* A type reference: its wrapper types, then the named type inside. */
static bool walk_type_ref(const mm_gql_type *t, visit_fn visit, void *ctx) {
    for (; t; t = t->of_type)
        if (!visit(ctx, META_TYPE, t)) return false;
    return true;
}

static bool walk_input_values(const mm_gql_input_value *values, size_t count, visit_fn visit,
                              void *ctx) {
    for (size_t i = 0; i < count; i++)
        if (!visit(ctx, META_INPUT_VALUE, &values[i]) || !walk_type_ref(values[i].type, visit, ctx))
            return false;
    return true;
}

/* Visits every object introspection can reach from the schema; wrapper and
 * named types more than once (every reference visits them). */
static bool walk_schema(const mm_gql_schema *s, visit_fn visit, void *ctx) {
    if (!visit(ctx, META_SCHEMA, s)) return false;
    for (size_t i = 0; i < s->type_count; i++) {
        const mm_gql_type *t = s->types[i];
        if (!visit(ctx, META_TYPE, t)) return false;
        for (size_t j = 0; j < t->field_count; j++) {
            const mm_gql_field *f = &t->fields[j];
            if (!visit(ctx, META_FIELD, f) || !walk_type_ref(f->type, visit, ctx) ||
                !walk_input_values(f->args, f->arg_count, visit, ctx))
                return false;
        }
        for (size_t j = 0; j < t->enum_value_count; j++)
            if (!visit(ctx, META_ENUM_VALUE, &t->enum_values[j])) return false;
        if (!walk_input_values(t->input_fields, t->input_field_count, visit, ctx)) return false;
    }
    for (size_t i = 0; i < s->directive_count; i++) {
        const mm_gql_directive_definition *d = &s->directives[i];
        if (!visit(ctx, META_DIRECTIVE, d) || !walk_input_values(d->args, d->arg_count, visit, ctx))
            return false;
    }
    return true;
}

static bool count_visit(void *ctx, meta_kind kind, const void *object) {
    (void)kind, (void)object;
    ++*(size_t *)ctx;
    return true;
}

/* Adds object's entry with its wrapper, unless a previous reference did. */
static bool register_visit(void *ctx, meta_kind kind, const void *object) {
    intro_cache *c = ctx;
    size_t i = address_hash(object) & c->index_mask;
    for (; c->by_object[i]; i = (i + 1) & c->index_mask)
        if (c->by_object[i]->object == object) return true;
    json_t *wrapper = mm_gql_introspection_wrap(object);
    if (!wrapper) return false;
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

static void cache_free(intro_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < c->count; i++) mm_gql_introspection_entry_clear(&c->entries[i]);
    for (size_t k = 0; k <= MM_GQL_NON_NULL; k++) json_decref(c->kind_names[k]);
    free(c->entries);
    free(c->by_object);
    free(c->by_wrapper);
    free(c);
}

/* Every entry is registered (with its wrapper) before any is filled, since
 * lists hold the wrappers of other entries. NULL when out of memory. */
static intro_cache *cache_build(const mm_gql_schema *s) {
    size_t bound = 0;
    walk_schema(s, count_visit, &bound);
    size_t capacity = 16;
    while (capacity < 2 * bound) capacity *= 2;
    intro_cache *c = calloc(1, sizeof(*c));
    if (!c) return NULL;
    c->entries = calloc(bound, sizeof(*c->entries));
    c->by_object = calloc(capacity, sizeof(*c->by_object));
    c->by_wrapper = calloc(capacity, sizeof(*c->by_wrapper));
    c->index_mask = capacity - 1;
    bool ok = c->entries && c->by_object && c->by_wrapper;
    for (size_t k = 0; ok && k <= MM_GQL_NON_NULL; k++)
        ok = (c->kind_names[k] = json_string_nocheck(kind_names[k])) != NULL;
    ok = ok && walk_schema(s, register_visit, c);
    for (size_t i = 0; ok && i < c->count; i++)
        ok = mm_gql_introspection_entry_fill(c, &c->entries[i]);
    if (!ok) {
        cache_free(c);
        return NULL;
    }
    return c;
}

/* Serializes the first introspection of each schema (building is rare: once
 * per schema), so a cache is built once and published whole. */
static pthread_mutex_t cache_build_lock = PTHREAD_MUTEX_INITIALIZER;

const intro_cache *mm_gql_introspection_cache(const mm_gql_schema *schema) {
    mm_gql_schema_private *priv = schema ? mm_gql_schema_priv(schema) : NULL;
    if (!priv) return NULL;
    intro_cache *c = atomic_load_explicit(&priv->introspection_cache, memory_order_acquire);
    if (c) return c;
    pthread_mutex_lock(&cache_build_lock);
    c = atomic_load_explicit(&priv->introspection_cache, memory_order_acquire);
    if (!c) {
        c = cache_build(schema);
        if (c) atomic_store_explicit(&priv->introspection_cache, c, memory_order_release);
    }
    pthread_mutex_unlock(&cache_build_lock);
    return c;
}

void mm_gql_introspection_release(mm_gql_schema *schema) {
    mm_gql_schema_private *priv = schema ? mm_gql_schema_priv(schema) : NULL;
    if (!priv) return;
    cache_free(priv->introspection_cache);
    priv->introspection_cache = NULL;
}
