/* schema_build.c -- building a schema from SDL (graphql-js buildASTSchema /
 * extendSchema): parse every source, check the SDL rules, create the types
 * with their extensions merged, pick the root types, order the types the
 * way graphql-js's type map orders them, then index and validate.
 *
 * Built-in scalars, directives and the introspection meta-types are parsed
 * from SDL text too, so they are ordinary types marked is_builtin. A user
 * definition of a built-in type name uses the built-in (as graphql-js does
 * with its standard types); a user definition of a built-in directive
 * replaces it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/language/parser.h"
#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"
#include "metamorphosis.h"

static const char builtin_sdl[] =
    "\"The `String` scalar type represents textual data, represented as UTF-8 character "
    "sequences. The String type is most often used by GraphQL to represent free-form "
    "human-readable text.\"\n"
    "scalar String\n"
    "\"The `Int` scalar type represents non-fractional signed whole numeric values. Int can "
    "represent values between -(2^31) and 2^31 - 1.\"\n"
    "scalar Int\n"
    "\"The `Float` scalar type represents signed double-precision fractional values as "
    "specified by [IEEE 754](https://en.wikipedia.org/wiki/IEEE_floating_point).\"\n"
    "scalar Float\n"
    "\"The `Boolean` scalar type represents `true` or `false`.\"\n"
    "scalar Boolean\n"
    "\"The `ID` scalar type represents a unique identifier, often used to refetch an object or "
    "as key for a cache. The ID type appears in a JSON response as a String; however, it is "
    "not intended to be human-readable. When expected as an input type, any string (such as "
    "`\\\"4\\\"`) or integer (such as `4`) input value will be accepted as an ID.\"\n"
    "scalar ID\n"
    "\"Directs the executor to include this field or fragment only when the `if` argument is "
    "true.\"\n"
    "directive @include(\"Included when true.\" if: Boolean!) "
    "on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Directs the executor to skip this field or fragment when the `if` argument is true.\"\n"
    "directive @skip(\"Skipped when true.\" if: Boolean!) "
    "on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT\n"
    "\"Marks an element of a GraphQL schema as no longer supported.\"\n"
    "directive @deprecated(\"Explains why this element was deprecated, usually also including "
    "a suggestion for how to access supported similar data. Formatted using the Markdown "
    "syntax, as specified by [CommonMark](https://commonmark.org/).\" "
    "reason: String = \"No longer supported\") "
    "on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE\n"
    "\"Exposes a URL that specifies the behavior of this scalar.\"\n"
    "directive @specifiedBy(\"The URL that specifies the behavior of this scalar.\" "
    "url: String!) on SCALAR\n"
    "\"Indicates exactly one field must be supplied and this field must not be `null`.\"\n"
    "directive @oneOf on INPUT_OBJECT\n";

/* One named type while building: its definition and extensions. */
typedef struct type_entry {
    const char *name;
    mm_gql_type *type;
    const mm_gql_type_def *def;
    const mm_gql_type_def **exts;
    size_t ext_count;
    size_t ext_capacity;
    bool builtin;
    bool placed; /* already in schema->types */
} type_entry;

typedef struct builder {
    mm_gql_schema *schema;
    mm_arena *arena; /* the schema's */
    mm_gql_errors *errors;
    mm_gql_document *builtin_doc;
    mm_gql_document *intro_doc;
    mm_gql_document **docs; /* user documents */
    size_t doc_count;
    type_entry *entries;
    size_t entry_count;
    size_t entry_capacity;
    mm_gql_name_table entry_index; /* name -> type_entry* */
    const mm_gql_directive_def **directive_defs;
    size_t directive_def_count;
    bool failed;
} builder;

static bool oom(builder *b) {
    if (!b->failed)
        mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, NULL, 0, "Out of memory.");
    b->failed = true;
    return false;
}

static bool grow(mm_arena *arena, void **items, size_t *capacity, size_t count, size_t size) {
    if (count < *capacity) return true;
    size_t cap = *capacity ? *capacity * 2 : 8;
    void *p = mm_arena_alloc(arena, cap * size);
    if (!p) return false;
    if (count) memcpy(p, *items, count * size);
    *items = p;
    *capacity = cap;
    return true;
}

static type_entry *find_entry(builder *b, const char *name) {
    return mm_gql_name_table_get(&b->entry_index, name);
}

static mm_gql_type_kind kind_of_def(mm_gql_type_def_kind k) {
    switch (k) {
    case MM_GQL_TYPEDEF_SCALAR: return MM_GQL_SCALAR;
    case MM_GQL_TYPEDEF_OBJECT: return MM_GQL_OBJECT;
    case MM_GQL_TYPEDEF_INTERFACE: return MM_GQL_INTERFACE;
    case MM_GQL_TYPEDEF_UNION: return MM_GQL_UNION;
    case MM_GQL_TYPEDEF_ENUM: return MM_GQL_ENUM;
    case MM_GQL_TYPEDEF_INPUT_OBJECT: return MM_GQL_INPUT_OBJECT;
    }
    return MM_GQL_SCALAR;
}

/* ---- collecting definitions --------------------------------------------- */

static size_t count_type_defs(const mm_gql_document *doc) {
    size_t n = 0;
    for (size_t i = 0; doc && i < doc->definition_count; i++)
        if (doc->definitions[i].kind == MM_GQL_DEF_TYPE) n++;
    return n;
}

static bool add_type_def(builder *b, const mm_gql_type_def *def, bool builtin) {
    const char *name = def->name.value;
    type_entry *e = find_entry(b, name);
    if (def->is_extension) {
        /* Extensions of built-in types are ignored, as graphql-js returns
         * its standard types unchanged; undefined ones were reported. */
        if (!e || e->builtin) return true;
        void *exts = (void *)e->exts;
        if (!grow(b->arena, &exts, &e->ext_capacity, e->ext_count, sizeof(*e->exts))) return oom(b);
        e->exts = exts;
        e->exts[e->ext_count++] = def;
        return true;
    }
    if (e) return true; /* a duplicate (reported) or a built-in name (built-in wins) */
    e = &b->entries[b->entry_count++];
    memset(e, 0, sizeof(*e));
    e->name = name;
    e->def = def;
    e->builtin = builtin;
    mm_gql_name_table_put(&b->entry_index, name, e);
    return true;
}

static bool collect(builder *b) {
    size_t total = count_type_defs(b->builtin_doc) + count_type_defs(b->intro_doc);
    for (size_t d = 0; d < b->doc_count; d++) total += count_type_defs(b->docs[d]);
    b->entries = mm_arena_calloc(b->arena, total + 1, sizeof(*b->entries));
    if (!b->entries || mm_gql_name_table_init(&b->entry_index, b->arena, total) != 0) return oom(b);
    b->entry_capacity = total;
    mm_gql_schema_private *priv = mm_gql_schema_priv(b->schema);

    const mm_gql_document *builtins[2] = {b->builtin_doc, b->intro_doc};
    for (size_t d = 0; d < 2; d++)
        for (size_t i = 0; i < builtins[d]->definition_count; i++)
            if (builtins[d]->definitions[i].kind == MM_GQL_DEF_TYPE &&
                !add_type_def(b, &builtins[d]->definitions[i].u.type, true))
                return false;
    /* Definitions first, then extensions, so an extension may come before
     * the definition it extends (graphql-js collects both before building). */
    for (int pass = 0; pass < 2; pass++)
        for (size_t d = 0; d < b->doc_count; d++)
            for (size_t i = 0; i < b->docs[d]->definition_count; i++) {
                const mm_gql_definition *def = &b->docs[d]->definitions[i];
                if (def->kind == MM_GQL_DEF_TYPE && def->u.type.is_extension == (pass == 1) &&
                    !add_type_def(b, &def->u.type, false))
                    return false;
            }

    size_t ext_capacity = 0, dir_capacity = 0;
    for (size_t d = 0; d < b->doc_count; d++)
        for (size_t i = 0; i < b->docs[d]->definition_count; i++) {
            const mm_gql_definition *def = &b->docs[d]->definitions[i];
            if (def->kind == MM_GQL_DEF_SCHEMA) {
                if (!def->u.schema.is_extension) {
                    priv->schema_def = &def->u.schema;
                    continue;
                }
                void *p = (void *)priv->schema_extensions;
                if (!grow(b->arena, &p, &ext_capacity, priv->schema_extension_count,
                          sizeof(*priv->schema_extensions)))
                    return oom(b);
                priv->schema_extensions = p;
                priv->schema_extensions[priv->schema_extension_count++] = &def->u.schema;
            } else if (def->kind == MM_GQL_DEF_DIRECTIVE) {
                void *p = (void *)b->directive_defs;
                if (!grow(b->arena, &p, &dir_capacity, b->directive_def_count,
                          sizeof(*b->directive_defs)))
                    return oom(b);
                b->directive_defs = p;
                b->directive_defs[b->directive_def_count++] = &def->u.directive;
            }
        }
    return true;
}

/* ---- directive values on definitions ------------------------------------- */

static const mm_gql_directive *find_directive(const mm_gql_directive *dirs, size_t n,
                                              const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(dirs[i].name.value, name) == 0) return &dirs[i];
    return NULL;
}

static const mm_gql_argument *find_argument(const mm_gql_directive *dir, const char *name) {
    for (size_t i = 0; i < dir->arg_count; i++)
        if (strcmp(dir->args[i].name.value, name) == 0) return &dir->args[i];
    return NULL;
}

/* The string value of a String argument of a built-in directive, as
 * getDirectiveValues coerces it; reports graphql-js's error when the
 * literal is not a string. *present is false for an explicit null. */
static const char *string_argument(builder *b, const mm_gql_directive *dir, const char *arg_name,
                                   const char *fallback) {
    const mm_gql_argument *arg = find_argument(dir, arg_name);
    if (!arg) return fallback;
    if (arg->value->kind == MM_GQL_VALUE_NULL) return NULL;
    if (arg->value->kind == MM_GQL_VALUE_STRING) return arg->value->u.string.chars;
    mm_strbuf buf = {0};
    mm_gql_strbuf_print_value(&buf, arg->value);
    mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, &arg->value->loc, 1,
                      "Argument \"%s\" has invalid value %s.", arg_name,
                      buf.failed || !buf.data ? "" : buf.data);
    free(buf.data);
    b->failed = true;
    return NULL;
}

static const char *deprecation_reason(builder *b, const mm_gql_directive *dirs, size_t n) {
    const mm_gql_directive *dir = find_directive(dirs, n, "deprecated");
    if (!dir) return NULL;
    return string_argument(b, dir, "reason", "No longer supported");
}

/* ---- types ------------------------------------------------------------- */

static mm_gql_type *resolve_ref(builder *b, const mm_gql_type_ref *ref) {
    switch (ref->kind) {
    case MM_GQL_TYPE_NAMED: {
        type_entry *e = find_entry(b, ref->name.value);
        if (!e) {
            /* The SDL rules report unknown types first; this is a backstop. */
            mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, &ref->name.loc, 1,
                              "Unknown type \"%s\".", ref->name.value);
            b->failed = true;
            return NULL;
        }
        return e->type;
    }
    case MM_GQL_TYPE_LIST: {
        mm_gql_type *inner = resolve_ref(b, ref->of_type);
        return inner ? mm_gql_list_of(b->schema, inner) : NULL;
    }
    case MM_GQL_TYPE_NON_NULL: {
        mm_gql_type *inner = resolve_ref(b, ref->of_type);
        return inner ? mm_gql_non_null_of(b->schema, inner) : NULL;
    }
    }
    return NULL;
}

static bool build_input_value(builder *b, mm_gql_input_value *iv,
                              const mm_gql_input_value_def *def) {
    iv->name = def->name.value;
    iv->description = def->description.chars;
    iv->type = resolve_ref(b, def->type);
    iv->default_value = def->default_value;
    iv->deprecation_reason = deprecation_reason(b, def->directives, def->directive_count);
    iv->ast = def;
    return iv->type != NULL;
}

static bool build_input_values(builder *b, mm_gql_input_value **out, size_t *count,
                               const mm_gql_input_value_def *defs, size_t n) {
    *count = n;
    *out = NULL;
    if (!n) return true;
    *out = mm_arena_calloc(b->arena, n, sizeof(**out));
    if (!*out) return oom(b);
    bool ok = true;
    for (size_t i = 0; i < n; i++) ok = build_input_value(b, &(*out)[i], &defs[i]) && ok;
    return ok;
}

/* The definition followed by its extensions, as one list. */
static size_t parts_of(const type_entry *e, const mm_gql_type_def **parts, size_t max) {
    size_t n = 0;
    if (n < max) parts[n++] = e->def;
    for (size_t i = 0; i < e->ext_count && n < max; i++) parts[n++] = e->exts[i];
    return n;
}

static bool build_type(builder *b, type_entry *e) {
    mm_gql_type *t = e->type;
    const mm_gql_type_def *stack_parts[16];
    const mm_gql_type_def **parts = stack_parts;
    size_t np = e->ext_count + 1;
    if (np > 16) {
        parts = mm_arena_alloc(b->arena, np * sizeof(*parts));
        if (!parts) return oom(b);
    }
    parts_of(e, parts, np);

    size_t nfields = 0, nifaces = 0, nmembers = 0, nvalues = 0, ninputs = 0;
    for (size_t p = 0; p < np; p++) {
        nfields += parts[p]->field_count;
        nifaces += parts[p]->interface_count;
        nmembers += parts[p]->member_count;
        nvalues += parts[p]->value_count;
        ninputs += parts[p]->input_field_count;
    }
    bool ok = true;
    switch (t->kind) {
    case MM_GQL_OBJECT:
    case MM_GQL_INTERFACE:
        t->fields = nfields ? mm_arena_calloc(b->arena, nfields, sizeof(*t->fields)) : NULL;
        t->interfaces = nifaces ? mm_arena_calloc(b->arena, nifaces, sizeof(*t->interfaces)) : NULL;
        if ((nfields && !t->fields) || (nifaces && !t->interfaces)) return oom(b);
        for (size_t p = 0; p < np; p++) {
            for (size_t i = 0; i < parts[p]->interface_count; i++) {
                type_entry *ie = find_entry(b, parts[p]->interfaces[i].value);
                if (!ie) {
                    mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION,
                                      &parts[p]->interfaces[i].loc, 1, "Unknown type \"%s\".",
                                      parts[p]->interfaces[i].value);
                    b->failed = true;
                    ok = false;
                    continue;
                }
                t->interfaces[t->interface_count++] = ie->type;
            }
            for (size_t i = 0; i < parts[p]->field_count; i++) {
                const mm_gql_field_def *fd = &parts[p]->fields[i];
                mm_gql_field *f = &t->fields[t->field_count++];
                f->name = fd->name.value;
                f->description = fd->description.chars;
                f->type = resolve_ref(b, fd->type);
                f->deprecation_reason = deprecation_reason(b, fd->directives, fd->directive_count);
                f->ast = fd;
                ok = f->type != NULL && ok;
                ok = build_input_values(b, &f->args, &f->arg_count, fd->args, fd->arg_count) && ok;
            }
        }
        break;
    case MM_GQL_UNION:
        t->possible_types =
            nmembers ? mm_arena_calloc(b->arena, nmembers, sizeof(*t->possible_types)) : NULL;
        if (nmembers && !t->possible_types) return oom(b);
        for (size_t p = 0; p < np; p++)
            for (size_t i = 0; i < parts[p]->member_count; i++) {
                type_entry *me = find_entry(b, parts[p]->members[i].value);
                if (!me) {
                    mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, &parts[p]->members[i].loc,
                                      1, "Unknown type \"%s\".", parts[p]->members[i].value);
                    b->failed = true;
                    ok = false;
                    continue;
                }
                t->possible_types[t->possible_type_count++] = me->type;
            }
        break;
    case MM_GQL_ENUM:
        t->enum_values =
            nvalues ? mm_arena_calloc(b->arena, nvalues, sizeof(*t->enum_values)) : NULL;
        if (nvalues && !t->enum_values) return oom(b);
        for (size_t p = 0; p < np; p++)
            for (size_t i = 0; i < parts[p]->value_count; i++) {
                const mm_gql_enum_value_def *vd = &parts[p]->values[i];
                mm_gql_enum_value *v = &t->enum_values[t->enum_value_count++];
                v->name = vd->name.value;
                v->description = vd->description.chars;
                v->deprecation_reason = deprecation_reason(b, vd->directives, vd->directive_count);
                v->ast = vd;
            }
        break;
    case MM_GQL_INPUT_OBJECT:
        t->input_fields =
            ninputs ? mm_arena_calloc(b->arena, ninputs, sizeof(*t->input_fields)) : NULL;
        if (ninputs && !t->input_fields) return oom(b);
        for (size_t p = 0; p < np; p++)
            for (size_t i = 0; i < parts[p]->input_field_count; i++)
                ok = build_input_value(b, &t->input_fields[t->input_field_count++],
                                       &parts[p]->input_fields[i]) &&
                     ok;
        t->is_one_of = find_directive(e->def->directives, e->def->directive_count, "oneOf") != NULL;
        break;
    case MM_GQL_SCALAR: {
        const mm_gql_directive *sb =
            find_directive(e->def->directives, e->def->directive_count, "specifiedBy");
        if (sb) t->specified_by_url = string_argument(b, sb, "url", NULL);
        break;
    }
    default: break;
    }
    return ok && !b->failed;
}

static bool build_types(builder *b) {
    mm_gql_type_private *privs = mm_arena_calloc(b->arena, b->entry_count + 1, sizeof(*privs));
    if (!privs) return oom(b);
    for (size_t i = 0; i < b->entry_count; i++) {
        type_entry *e = &b->entries[i];
        mm_gql_type *t = mm_arena_calloc(b->arena, 1, sizeof(*t));
        if (!t) return oom(b);
        t->kind = kind_of_def(e->def->kind);
        t->name = e->name;
        t->description = e->def->description.chars;
        t->is_builtin = e->builtin;
        t->ast = e->builtin ? NULL : e->def;
        privs[i].extensions = e->exts;
        privs[i].extension_count = e->ext_count;
        t->index = &privs[i];
        e->type = t;
    }
    bool ok = true;
    for (size_t i = 0; i < b->entry_count; i++) ok = build_type(b, &b->entries[i]) && ok;
    return ok;
}

/* ---- directives -------------------------------------------------------- */

static bool build_directive(builder *b, mm_gql_directive_definition *d,
                            const mm_gql_directive_def *def, bool builtin) {
    d->name = def->name.value;
    d->description = def->description.chars;
    d->repeatable = def->repeatable;
    d->is_builtin = builtin;
    d->ast = def;
    d->locations = 0;
    for (size_t i = 0; i < def->location_count; i++) {
        unsigned bit = mm_gql_directive_location_bit(def->locations[i].value);
        if (!bit) {
            mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, &def->locations[i].loc, 1,
                              "Unexpected Name \"%s\".", def->locations[i].value);
            b->failed = true;
        }
        d->locations |= bit;
    }
    /* graphql-js 16.12+ also allows @deprecated on directive definitions;
     * the parser may not know that location name, so it is added here. */
    if (builtin && strcmp(d->name, "deprecated") == 0)
        d->locations |= MM_GQL_LOC_DIRECTIVE_DEFINITION;
    return build_input_values(b, &d->args, &d->arg_count, def->args, def->arg_count);
}

static bool build_directives(builder *b) {
    size_t nbuiltin = 0;
    for (size_t i = 0; i < b->builtin_doc->definition_count; i++)
        if (b->builtin_doc->definitions[i].kind == MM_GQL_DEF_DIRECTIVE) nbuiltin++;
    mm_gql_schema *s = b->schema;
    s->directives =
        mm_arena_calloc(b->arena, nbuiltin + b->directive_def_count + 1, sizeof(*s->directives));
    if (!s->directives) return oom(b);
    bool ok = true;
    for (size_t i = 0; i < b->builtin_doc->definition_count; i++) {
        const mm_gql_definition *def = &b->builtin_doc->definitions[i];
        if (def->kind != MM_GQL_DEF_DIRECTIVE) continue;
        const mm_gql_directive_def *user = NULL;
        for (size_t j = 0; j < b->directive_def_count; j++)
            if (strcmp(b->directive_defs[j]->name.value, def->u.directive.name.value) == 0) {
                user = b->directive_defs[j];
                break;
            }
        ok = build_directive(b, &s->directives[s->directive_count++],
                             user ? user : &def->u.directive, user == NULL) &&
             ok;
    }
    for (size_t j = 0; j < b->directive_def_count; j++) {
        bool replaces = false, duplicate = false;
        for (size_t i = 0; i < s->directive_count; i++)
            if (strcmp(s->directives[i].name, b->directive_defs[j]->name.value) == 0) {
                if (s->directives[i].ast == b->directive_defs[j])
                    replaces = true;
                else
                    duplicate = true; /* reported by the SDL rules */
            }
        if (replaces || duplicate) continue;
        ok =
            build_directive(b, &s->directives[s->directive_count++], b->directive_defs[j], false) &&
            ok;
    }
    return ok;
}

/* ---- roots and ordering ------------------------------------------------ */

static void set_root(builder *b, mm_gql_operation_type op, const mm_gql_name *name) {
    type_entry *e = find_entry(b, name->value);
    if (!e) {
        mm_gql_errors_add(b->errors, MM_GQL_ERROR_VALIDATION, &name->loc, 1, "Unknown type \"%s\".",
                          name->value);
        b->failed = true;
        return;
    }
    if (op == MM_GQL_OP_QUERY)
        b->schema->query_type = e->type;
    else if (op == MM_GQL_OP_MUTATION)
        b->schema->mutation_type = e->type;
    else
        b->schema->subscription_type = e->type;
}

static void build_roots(builder *b) {
    mm_gql_schema_private *priv = mm_gql_schema_priv(b->schema);
    if (priv->schema_def) {
        b->schema->description = priv->schema_def->description.chars;
        for (size_t i = 0; i < priv->schema_def->operation_type_count; i++)
            set_root(b, priv->schema_def->operation_types[i].operation,
                     &priv->schema_def->operation_types[i].type);
    }
    for (size_t x = 0; x < priv->schema_extension_count; x++)
        for (size_t i = 0; i < priv->schema_extensions[x]->operation_type_count; i++)
            set_root(b, priv->schema_extensions[x]->operation_types[i].operation,
                     &priv->schema_extensions[x]->operation_types[i].type);
    if (priv->schema_def) return;
    /* No schema definition: the conventional names, as buildASTSchema does. */
    for (size_t i = 0; i < b->entry_count; i++) {
        type_entry *e = &b->entries[i];
        if (e->builtin) continue;
        if (strcmp(e->name, "Query") == 0)
            b->schema->query_type = e->type;
        else if (strcmp(e->name, "Mutation") == 0)
            b->schema->mutation_type = e->type;
        else if (strcmp(e->name, "Subscription") == 0)
            b->schema->subscription_type = e->type;
    }
}

static void place(builder *b, mm_gql_type *t);

static void place_referenced(builder *b, mm_gql_type *t) {
    t = mm_gql_named_type(t);
    type_entry *e = find_entry(b, t->name);
    if (e && !e->placed) place(b, t);
}

/* graphql-js collectReferencedTypes: the type, then depth first what it
 * references, skipping types already in the map. */
static void place(builder *b, mm_gql_type *t) {
    type_entry *e = find_entry(b, t->name);
    e->placed = true;
    b->schema->types[b->schema->type_count++] = t;
    for (size_t i = 0; i < t->possible_type_count && t->kind == MM_GQL_UNION; i++)
        place_referenced(b, t->possible_types[i]);
    for (size_t i = 0; i < t->interface_count; i++) place_referenced(b, t->interfaces[i]);
    for (size_t i = 0; i < t->field_count; i++) {
        place_referenced(b, t->fields[i].type);
        for (size_t j = 0; j < t->fields[i].arg_count; j++)
            place_referenced(b, t->fields[i].args[j].type);
    }
    for (size_t i = 0; i < t->input_field_count; i++) place_referenced(b, t->input_fields[i].type);
}

static bool order_types(builder *b) {
    mm_gql_schema *s = b->schema;
    s->types = mm_arena_calloc(b->arena, b->entry_count + 1, sizeof(*s->types));
    if (!s->types) return oom(b);
    /* User types are "in the set" from the start (graphql-js seeds the set
     * with config.types), so only built-ins are pulled in by reference. */
    for (size_t i = 0; i < b->entry_count; i++) b->entries[i].placed = !b->entries[i].builtin;
    for (size_t i = 0; i < b->entry_count; i++) {
        type_entry *e = &b->entries[i];
        if (e->builtin) continue;
        e->placed = false;
        place(b, e->type);
    }
    /* graphql-js lists the schema's own directives before the specified ones */
    for (int builtin = 0; builtin < 2; builtin++)
        for (size_t i = 0; i < s->directive_count; i++)
            if (s->directives[i].is_builtin == (builtin == 1))
                for (size_t j = 0; j < s->directives[i].arg_count; j++)
                    place_referenced(b, s->directives[i].args[j].type);
    type_entry *schema_entry = find_entry(b, "__Schema");
    if (schema_entry && !schema_entry->placed) place(b, schema_entry->type);
    return true;
}

/* Interfaces' possible types: the objects implementing them, in type-map order. */
static bool compute_possible_types(builder *b) {
    mm_gql_schema *s = b->schema;
    for (size_t i = 0; i < s->type_count; i++) {
        mm_gql_type *t = s->types[i];
        if (t->kind == MM_GQL_INTERFACE) {
            t->possible_types =
                mm_arena_calloc(b->arena, s->type_count, sizeof(*t->possible_types));
            if (!t->possible_types) return oom(b);
        }
    }
    for (size_t i = 0; i < s->type_count; i++) {
        mm_gql_type *t = s->types[i];
        if (t->kind != MM_GQL_OBJECT) continue;
        for (size_t j = 0; j < t->interface_count; j++) {
            mm_gql_type *iface = t->interfaces[j];
            if (iface->kind != MM_GQL_INTERFACE || mm_gql_is_possible_type(iface, t)) continue;
            iface->possible_types[iface->possible_type_count++] = t;
        }
    }
    return true;
}

/* ---- entry point ------------------------------------------------------- */

static mm_gql_document *parse_builtin(builder *b, const char *text, size_t len) {
    mm_gql_document *doc = mm_gql_parse(b->arena, text, len, NULL, b->errors);
    if (!doc) b->failed = true;
    return doc;
}

mm_gql_schema *mm_gql_schema_build(const mm_gql_sdl_source *sources, size_t source_count,
                                   mm_gql_errors *errors) {
    mm_gql_schema *schema = calloc(1, sizeof(*schema));
    if (!schema) {
        mm_gql_errors_add(errors, MM_GQL_ERROR_VALIDATION, NULL, 0, "Out of memory.");
        return NULL;
    }
    mm_arena_init(&schema->arena);
    builder b = {.schema = schema, .arena = &schema->arena, .errors = errors};
    size_t errors_before = errors->count;
    schema->index = mm_arena_calloc(b.arena, 1, sizeof(mm_gql_schema_private));
    b.docs = mm_arena_calloc(b.arena, source_count + 1, sizeof(*b.docs));
    const char **names = mm_arena_calloc(b.arena, source_count + 1, sizeof(*names));
    if (!schema->index || !b.docs || !names) {
        oom(&b);
        goto fail;
    }
    b.builtin_doc = parse_builtin(&b, builtin_sdl, sizeof builtin_sdl - 1);
    b.intro_doc = parse_builtin(&b, mm_gql_introspection_sdl, strlen(mm_gql_introspection_sdl));
    if (b.failed) goto fail;
    mm_gql_parse_limits limits = mm_gql_default_parse_limits;
    limits.max_bytes = 0; /* SDL is trusted configuration; only guard the stack */
    limits.max_tokens = 0;
    for (size_t i = 0; i < source_count; i++) {
        const char *text = sources[i].text ? sources[i].text : "";
        size_t len = sources[i].text ? sources[i].length : 0;
        names[i] = mm_arena_strdup(b.arena, sources[i].name ? sources[i].name : "");
        mm_gql_document *doc = mm_gql_parse(b.arena, text, len, &limits, errors);
        if (!doc) {
            if (errors->tail) mm_gql_error_set_source(errors->tail, names, source_count, i);
            goto fail;
        }
        b.docs[b.doc_count++] = doc;
    }
    mm_gql_schema_private *priv = mm_gql_schema_priv(schema);
    priv->docs = b.docs;
    priv->source_names = names;
    priv->doc_count = b.doc_count;
    if (mm_gql_sdl_validate(b.docs, names, b.doc_count, b.builtin_doc, errors) > 0) goto fail;
    if (!collect(&b) || !build_types(&b) || !build_directives(&b)) goto fail;
    build_roots(&b);
    if (b.failed || !order_types(&b) || !compute_possible_types(&b)) goto fail;
    /* Only the type map is indexed: graphql-js's getType does not know
     * built-in scalars nothing references (e.g. "Float"). */
    if (mm_gql_schema_index(schema) != 0) {
        oom(&b);
        goto fail;
    }
    mm_gql_scalars_install(schema);
    if (mm_gql_introspection_install(schema) != 0) {
        oom(&b);
        goto fail;
    }
    if (mm_gql_schema_validate(schema, errors) > 0) goto fail;
    if (errors->count != errors_before) goto fail;
    return schema;
fail:
    mm_gql_schema_free(schema);
    return NULL;
}

void mm_gql_schema_free(mm_gql_schema *schema) {
    if (!schema) return;
    mm_gql_introspection_release(schema);
    mm_arena_reset(&schema->arena);
    free(schema);
}
