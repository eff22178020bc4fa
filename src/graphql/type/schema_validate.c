/* schema_validate.c -- graphql-js validateSchema: the rules a built schema
 * must satisfy beyond what the SDL rules check (root types are objects,
 * reserved names, interface implementations, union members, non-empty
 * enums and input objects, input-object cycles through non-null fields,
 * deprecated required arguments, @oneOf fields). Same messages, same
 * order and the same locations as graphql-js. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"

#define MAX_LOCS 16

typedef struct context {
    const mm_gql_schema *schema;
    mm_gql_errors *errors;
    size_t count;
    mm_gql_loc locs[MAX_LOCS];
    size_t nlocs;
    bool default_cycles;            /* some default value refers to itself: do not coerce any */
    const mm_gql_type_def *current; /* the definition being validated, for the source name */
} context;

static void loc_reset(context *c) { c->nlocs = 0; }

static void loc_add(context *c, const mm_gql_loc *loc) {
    if (loc && c->nlocs < MAX_LOCS) c->locs[c->nlocs++] = *loc;
}

#define REPORT(c, ...)                                                                        \
    do {                                                                                      \
        mm_gql_error *e_ = mm_gql_errors_add((c)->errors, MM_GQL_ERROR_VALIDATION, (c)->locs, \
                                             (c)->nlocs, __VA_ARGS__);                        \
        if (e_) mark_source(c, e_);                                                           \
        (c)->count++;                                                                         \
        loc_reset(c);                                                                         \
    } while (0)

static void mark_source(context *c, mm_gql_error *e) {
    const mm_gql_schema_private *p = mm_gql_schema_priv(c->schema);
    mm_gql_error_set_source(e, p->source_names, p->doc_count,
                            mm_gql_schema_doc_of(c->schema, c->current));
}

/* The location of a whole definition (its first token, description
 * included), recovered from the definition that holds the type_def. */
static const mm_gql_loc *def_loc(const mm_gql_type_def *def) {
    if (!def) return NULL;
    const mm_gql_definition *d =
        (const mm_gql_definition *)((const char *)def - offsetof(mm_gql_definition, u));
    return &d->loc;
}

static void add_type_nodes(context *c, const mm_gql_type *t) {
    loc_add(c, def_loc(t->ast));
    if (!t->index) return;
    const mm_gql_type_private *p = mm_gql_type_priv(t);
    for (size_t i = 0; i < p->extension_count; i++) loc_add(c, def_loc(p->extensions[i]));
}

static const char *type_str(context *c, const mm_gql_type *t) {
    const char *s = mm_gql_type_to_string(t, c->errors->arena);
    return s ? s : "?";
}

static void validate_name(context *c, const char *name, const mm_gql_loc *loc) {
    if (name[0] == '_' && name[1] == '_') {
        loc_add(c, loc);
        REPORT(c,
               "Name \"%s\" must not begin with \"__\", which is reserved by GraphQL "
               "introspection.",
               name);
    }
}

static bool is_required_input(const mm_gql_input_value *iv) {
    return iv->type->kind == MM_GQL_NON_NULL && !iv->default_value;
}

static const mm_gql_loc *deprecated_directive_loc(const mm_gql_input_value_def *def) {
    for (size_t i = 0; def && i < def->directive_count; i++)
        if (strcmp(def->directives[i].name.value, "deprecated") == 0)
            return &def->directives[i].loc;
    return NULL;
}

/* ---- roots ---------------------------------------------------------------- */

static const mm_gql_loc *operation_type_loc(context *c, mm_gql_operation_type op) {
    const mm_gql_schema_private *p = mm_gql_schema_priv(c->schema);
    const mm_gql_schema_def *defs[1 + 64];
    size_t n = 0;
    if (p->schema_def) defs[n++] = p->schema_def;
    for (size_t i = 0; i < p->schema_extension_count && n < 65; i++)
        defs[n++] = p->schema_extensions[i];
    for (size_t d = 0; d < n; d++)
        for (size_t i = 0; i < defs[d]->operation_type_count; i++)
            if (defs[d]->operation_types[i].operation == op)
                return &defs[d]->operation_types[i].type.loc;
    return NULL;
}

static void validate_roots(context *c) {
    const mm_gql_schema *s = c->schema;
    const mm_gql_schema_private *p = mm_gql_schema_priv(s);
    if (!s->query_type) {
        if (p->schema_def) {
            const mm_gql_definition *d =
                (const mm_gql_definition *)((const char *)p->schema_def -
                                            offsetof(mm_gql_definition, u));
            loc_add(c, &d->loc);
        }
        REPORT(c, "Query root type must be provided.");
    } else if (s->query_type->kind != MM_GQL_OBJECT) {
        const mm_gql_loc *l = operation_type_loc(c, MM_GQL_OP_QUERY);
        loc_add(c, l ? l : def_loc(s->query_type->ast));
        REPORT(c, "Query root type must be Object type, it cannot be %s.", s->query_type->name);
    }
    if (s->mutation_type && s->mutation_type->kind != MM_GQL_OBJECT) {
        const mm_gql_loc *l = operation_type_loc(c, MM_GQL_OP_MUTATION);
        loc_add(c, l ? l : def_loc(s->mutation_type->ast));
        REPORT(c, "Mutation root type must be Object type if provided, it cannot be %s.",
               s->mutation_type->name);
    }
    if (s->subscription_type && s->subscription_type->kind != MM_GQL_OBJECT) {
        const mm_gql_loc *l = operation_type_loc(c, MM_GQL_OP_SUBSCRIPTION);
        loc_add(c, l ? l : def_loc(s->subscription_type->ast));
        REPORT(c, "Subscription root type must be Object type if provided, it cannot be %s.",
               s->subscription_type->name);
    }
}

/* ---- directives ------------------------------------------------------------ */

static const mm_gql_loc *directive_def_loc(const mm_gql_directive_def *def) {
    if (!def) return NULL;
    const mm_gql_definition *d =
        (const mm_gql_definition *)((const char *)def - offsetof(mm_gql_definition, u));
    return &d->loc;
}

static void validate_directives(context *c) {
    for (size_t i = 0; i < c->schema->directive_count; i++) {
        const mm_gql_directive_definition *d = &c->schema->directives[i];
        if (d->is_builtin) continue;
        validate_name(c, d->name, directive_def_loc(d->ast));
        if (d->locations == 0 && (!d->ast || d->ast->location_count == 0)) {
            loc_add(c, directive_def_loc(d->ast));
            REPORT(c, "Directive @%s must include 1 or more locations.", d->name);
        }
        for (size_t j = 0; j < d->arg_count; j++) {
            const mm_gql_input_value *arg = &d->args[j];
            validate_name(c, arg->name, arg->ast ? &arg->ast->loc : NULL);
            if (!mm_gql_is_input_type(arg->type)) {
                loc_add(c, arg->ast ? &arg->ast->loc : NULL);
                REPORT(c, "The type of @%s(%s:) must be Input Type but got: %s.", d->name,
                       arg->name, type_str(c, arg->type));
            }
            if (is_required_input(arg) && arg->deprecation_reason) {
                loc_add(c, deprecated_directive_loc(arg->ast));
                loc_add(c, arg->ast ? &arg->ast->type->loc : NULL);
                REPORT(c, "Required argument @%s(%s:) cannot be deprecated.", d->name, arg->name);
            }
        }
    }
}

/* ---- objects and interfaces ------------------------------------------------------ */

static void validate_fields(context *c, const mm_gql_type *t) {
    if (t->field_count == 0) {
        add_type_nodes(c, t);
        REPORT(c, "Type %s must define one or more fields.", t->name);
    }
    for (size_t i = 0; i < t->field_count; i++) {
        const mm_gql_field *f = &t->fields[i];
        validate_name(c, f->name, f->ast ? &f->ast->loc : NULL);
        if (!mm_gql_is_output_type(f->type)) {
            loc_add(c, f->ast ? &f->ast->type->loc : NULL);
            REPORT(c, "The type of %s.%s must be Output Type but got: %s.", t->name, f->name,
                   type_str(c, f->type));
        }
        for (size_t j = 0; j < f->arg_count; j++) {
            const mm_gql_input_value *arg = &f->args[j];
            validate_name(c, arg->name, arg->ast ? &arg->ast->loc : NULL);
            if (!mm_gql_is_input_type(arg->type)) {
                loc_add(c, arg->ast ? &arg->ast->type->loc : NULL);
                REPORT(c, "The type of %s.%s(%s:) must be Input Type but got: %s.", t->name,
                       f->name, arg->name, type_str(c, arg->type));
            }
            if (is_required_input(arg) && arg->deprecation_reason) {
                loc_add(c, deprecated_directive_loc(arg->ast));
                loc_add(c, arg->ast ? &arg->ast->type->loc : NULL);
                REPORT(c, "Required argument %s.%s(%s:) cannot be deprecated.", t->name, f->name,
                       arg->name);
            }
        }
    }
}

/* Locations of every "implements X" naming iface in the type's definition
 * and extensions. */
static void add_implements_nodes(context *c, const mm_gql_type *t, const char *iface) {
    const mm_gql_type_def *parts[1 + 64];
    size_t n = 0;
    if (t->ast) parts[n++] = t->ast;
    const mm_gql_type_private *p = mm_gql_type_priv(t);
    for (size_t i = 0; p && i < p->extension_count && n < 65; i++) parts[n++] = p->extensions[i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < parts[i]->interface_count; j++)
            if (strcmp(parts[i]->interfaces[j].value, iface) == 0)
                loc_add(c, &parts[i]->interfaces[j].loc);
}

static bool is_equal_type(const mm_gql_type *a, const mm_gql_type *b) {
    return a == b; /* wrappers are interned */
}

static void validate_implements_interface(context *c, const mm_gql_type *t,
                                          const mm_gql_type *iface) {
    for (size_t i = 0; i < iface->field_count; i++) {
        const mm_gql_field *ifield = &iface->fields[i];
        const mm_gql_field *tfield = mm_gql_type_find_field(t, ifield->name);
        if (!tfield) {
            loc_add(c, ifield->ast ? &ifield->ast->loc : NULL);
            add_type_nodes(c, t);
            REPORT(c, "Interface field %s.%s expected but %s does not provide it.", iface->name,
                   ifield->name, t->name);
            continue;
        }
        if (!mm_gql_is_subtype(tfield->type, ifield->type)) {
            loc_add(c, ifield->ast ? &ifield->ast->type->loc : NULL);
            loc_add(c, tfield->ast ? &tfield->ast->type->loc : NULL);
            REPORT(c, "Interface field %s.%s expects type %s but %s.%s is type %s.", iface->name,
                   ifield->name, type_str(c, ifield->type), t->name, tfield->name,
                   type_str(c, tfield->type));
        }
        for (size_t j = 0; j < ifield->arg_count; j++) {
            const mm_gql_input_value *iarg = &ifield->args[j];
            const mm_gql_input_value *targ = mm_gql_field_find_arg(tfield, iarg->name);
            if (!targ) {
                loc_add(c, iarg->ast ? &iarg->ast->loc : NULL);
                loc_add(c, tfield->ast ? &tfield->ast->loc : NULL);
                REPORT(c,
                       "Interface field argument %s.%s(%s:) expected but %s.%s does not "
                       "provide it.",
                       iface->name, ifield->name, iarg->name, t->name, tfield->name);
                continue;
            }
            if (!is_equal_type(iarg->type, targ->type)) {
                loc_add(c, iarg->ast ? &iarg->ast->type->loc : NULL);
                loc_add(c, targ->ast ? &targ->ast->type->loc : NULL);
                REPORT(c,
                       "Interface field argument %s.%s(%s:) expects type %s but %s.%s(%s:) is "
                       "type %s.",
                       iface->name, ifield->name, iarg->name, type_str(c, iarg->type), t->name,
                       tfield->name, targ->name, type_str(c, targ->type));
            }
        }
        for (size_t j = 0; j < tfield->arg_count; j++) {
            const mm_gql_input_value *targ = &tfield->args[j];
            if (!mm_gql_field_find_arg(ifield, targ->name) && is_required_input(targ)) {
                loc_add(c, targ->ast ? &targ->ast->loc : NULL);
                loc_add(c, ifield->ast ? &ifield->ast->loc : NULL);
                REPORT(c,
                       "Object field %s.%s includes required argument %s that is missing from "
                       "the Interface field %s.%s.",
                       t->name, tfield->name, targ->name, iface->name, ifield->name);
            }
        }
    }
}

static void validate_implements_ancestors(context *c, const mm_gql_type *t,
                                          const mm_gql_type *iface) {
    for (size_t i = 0; i < iface->interface_count; i++) {
        const mm_gql_type *transitive = iface->interfaces[i];
        bool found = false;
        for (size_t j = 0; j < t->interface_count; j++)
            if (t->interfaces[j] == transitive) found = true;
        if (found) continue;
        add_implements_nodes(c, iface, transitive->name);
        add_implements_nodes(c, t, iface->name);
        if (transitive == t)
            REPORT(c, "Type %s cannot implement %s because it would create a circular reference.",
                   t->name, iface->name);
        else
            REPORT(c, "Type %s must implement %s because it is implemented by %s.", t->name,
                   transitive->name, iface->name);
    }
}

static void validate_interfaces(context *c, const mm_gql_type *t) {
    for (size_t i = 0; i < t->interface_count; i++) {
        const mm_gql_type *iface = t->interfaces[i];
        if (iface->kind != MM_GQL_INTERFACE) {
            add_implements_nodes(c, t, iface->name);
            REPORT(c, "Type %s must only implement Interface types, it cannot implement %s.",
                   t->name, iface->name);
            continue;
        }
        if (iface == t) {
            add_implements_nodes(c, t, iface->name);
            REPORT(c,
                   "Type %s cannot implement itself because it would create a circular "
                   "reference.",
                   t->name);
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            if (t->interfaces[j] == iface) seen = true;
        if (seen) {
            add_implements_nodes(c, t, iface->name);
            REPORT(c, "Type %s can only implement %s once.", t->name, iface->name);
            continue;
        }
        validate_implements_ancestors(c, t, iface);
        validate_implements_interface(c, t, iface);
    }
}

/* ---- unions, enums, input objects --------------------------------------------- */

static void add_member_nodes(context *c, const mm_gql_type *u, const char *name) {
    const mm_gql_type_def *parts[1 + 64];
    size_t n = 0;
    if (u->ast) parts[n++] = u->ast;
    const mm_gql_type_private *p = mm_gql_type_priv(u);
    for (size_t i = 0; p && i < p->extension_count && n < 65; i++) parts[n++] = p->extensions[i];
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < parts[i]->member_count; j++)
            if (strcmp(parts[i]->members[j].value, name) == 0)
                loc_add(c, &parts[i]->members[j].loc);
}

static void validate_union(context *c, const mm_gql_type *u) {
    if (u->possible_type_count == 0) {
        add_type_nodes(c, u);
        REPORT(c, "Union type %s must define one or more member types.", u->name);
    }
    for (size_t i = 0; i < u->possible_type_count; i++) {
        const mm_gql_type *m = u->possible_types[i];
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            if (u->possible_types[j] == m) seen = true;
        if (seen) {
            add_member_nodes(c, u, m->name);
            REPORT(c, "Union type %s can only include type %s once.", u->name, m->name);
            continue;
        }
        if (m->kind != MM_GQL_OBJECT) {
            add_member_nodes(c, u, m->name);
            REPORT(c, "Union type %s can only include Object types, it cannot include %s.", u->name,
                   m->name);
        }
    }
}

static void validate_enum(context *c, const mm_gql_type *e) {
    if (e->enum_value_count == 0) {
        add_type_nodes(c, e);
        REPORT(c, "Enum type %s must define one or more values.", e->name);
    }
    for (size_t i = 0; i < e->enum_value_count; i++)
        validate_name(c, e->enum_values[i].name,
                      e->enum_values[i].ast ? &e->enum_values[i].ast->loc : NULL);
}

static void validate_input_object(context *c, const mm_gql_type *t) {
    if (t->input_field_count == 0) {
        add_type_nodes(c, t);
        REPORT(c, "Input Object type %s must define one or more fields.", t->name);
    }
    for (size_t i = 0; i < t->input_field_count; i++) {
        const mm_gql_input_value *f = &t->input_fields[i];
        validate_name(c, f->name, f->ast ? &f->ast->loc : NULL);
        if (!mm_gql_is_input_type(f->type)) {
            loc_add(c, f->ast ? &f->ast->type->loc : NULL);
            REPORT(c, "The type of %s.%s must be Input Type but got: %s.", t->name, f->name,
                   type_str(c, f->type));
        }
        if (is_required_input(f) && f->deprecation_reason) {
            loc_add(c, deprecated_directive_loc(f->ast));
            loc_add(c, f->ast ? &f->ast->type->loc : NULL);
            REPORT(c, "Required input field %s.%s cannot be deprecated.", t->name, f->name);
        }
        if (t->is_one_of) {
            if (f->type->kind == MM_GQL_NON_NULL) {
                loc_add(c, f->ast ? &f->ast->type->loc : NULL);
                REPORT(c, "OneOf input field %s.%s must be nullable.", t->name, f->name);
            }
            bool invalid = true;
            if (f->default_value && c->default_cycles) {
                invalid = false;
            } else if (f->default_value) {
                json_decref(mm_gql_default_value_coerce(f->default_value, f->type, &invalid));
            }
            if (!invalid) {
                loc_add(c, f->ast ? &f->ast->loc : NULL);
                REPORT(c, "OneOf input field %s.%s cannot have a default value.", t->name, f->name);
            }
        }
    }
}

/* Depth-first search for cycles through non-null input-object fields. */
typedef struct cycle_state {
    const mm_gql_type **visited;
    size_t visited_count;
    const mm_gql_input_value **path;
    const mm_gql_type **path_owner; /* the type each path field belongs to */
    size_t path_length;
    size_t capacity;
} cycle_state;

static bool cycle_visited(cycle_state *st, const mm_gql_type *t) {
    for (size_t i = 0; i < st->visited_count; i++)
        if (st->visited[i] == t) return true;
    return false;
}

static void detect_cycle(context *c, cycle_state *st, const mm_gql_type *t) {
    if (cycle_visited(st, t) || st->visited_count >= st->capacity) return;
    st->visited[st->visited_count++] = t;
    for (size_t i = 0; i < t->input_field_count; i++) {
        const mm_gql_input_value *f = &t->input_fields[i];
        if (f->type->kind != MM_GQL_NON_NULL || f->type->of_type->kind != MM_GQL_INPUT_OBJECT)
            continue;
        const mm_gql_type *ft = f->type->of_type;
        /* Where ft's own fields start in the path, if it is on it. */
        size_t cycle_index = SIZE_MAX;
        for (size_t k = 0; k < st->path_length; k++)
            if (st->path_owner[k] == ft) {
                cycle_index = k;
                break;
            }
        if (ft == t && cycle_index == SIZE_MAX) cycle_index = st->path_length;
        if (st->path_length >= st->capacity) return;
        st->path[st->path_length] = f;
        st->path_owner[st->path_length] = t;
        st->path_length++;
        if (cycle_index == SIZE_MAX) {
            detect_cycle(c, st, ft);
        } else {
            mm_strbuf path = {0};
            for (size_t k = cycle_index; k < st->path_length; k++) {
                if (k > cycle_index) mm_strbuf_puts(&path, ".");
                mm_strbuf_puts(&path, st->path[k]->name);
                loc_add(c, st->path[k]->ast ? &st->path[k]->ast->loc : NULL);
            }
            REPORT(c,
                   "Cannot reference Input Object \"%s\" within itself through a series of "
                   "non-null fields: \"%s\".",
                   ft->name, path.data ? path.data : "");
            free(path.data);
        }
        st->path_length--;
    }
}

/* ---- default values that refer to themselves ----------------------------------------
 *
 * Coercing a default value fills in the defaults of the input fields it
 * omits, so "input A { a: A = {} }" would expand forever (graphql-js 16
 * overflows its stack). Such cycles are rejected with graphql-js 17's
 * message. The graph: an input field with a default points to every input
 * field whose default its literal leaves to be filled in. */

typedef struct default_graph {
    const mm_gql_input_value **fields; /* every input-object field, by index */
    const mm_gql_type **owners;
    size_t count;
    unsigned char *state; /* 0 new, 1 on the stack, 2 done */
    size_t *stack;
    size_t depth;
    bool *reported;
} default_graph;

static size_t field_index(const default_graph *g, const mm_gql_input_value *f) {
    for (size_t i = 0; i < g->count; i++)
        if (g->fields[i] == f) return i;
    return SIZE_MAX;
}

static void visit_default(context *c, default_graph *g, size_t i);

static void default_edges(context *c, default_graph *g, const mm_gql_value *lit,
                          const mm_gql_type *type) {
    if (!lit || !type) return;
    if (type->kind == MM_GQL_NON_NULL) {
        default_edges(c, g, lit, type->of_type);
    } else if (type->kind == MM_GQL_LIST) {
        if (lit->kind == MM_GQL_VALUE_LIST)
            for (size_t i = 0; i < lit->u.list.count; i++)
                default_edges(c, g, lit->u.list.items[i], type->of_type);
        else
            default_edges(c, g, lit, type->of_type);
    } else if (type->kind == MM_GQL_INPUT_OBJECT && lit->kind == MM_GQL_VALUE_OBJECT) {
        for (size_t k = 0; k < type->input_field_count; k++) {
            const mm_gql_input_value *f = &type->input_fields[k];
            const mm_gql_value *given = NULL;
            for (size_t j = 0; j < lit->u.object.count; j++)
                if (strcmp(lit->u.object.fields[j].name.value, f->name) == 0)
                    given = lit->u.object.fields[j].value;
            if (given)
                default_edges(c, g, given, f->type);
            else if (f->default_value)
                visit_default(c, g, field_index(g, f));
        }
    }
}

static void visit_default(context *c, default_graph *g, size_t i) {
    if (i == SIZE_MAX || g->state[i] == 2) return;
    if (g->state[i] == 1) {
        /* a cycle: from i's place on the stack to the top */
        size_t from = g->depth;
        while (from > 0 && g->stack[from - 1] != i) from--;
        from = from > 0 ? from - 1 : 0;
        if (g->reported[i]) return;
        for (size_t k = from; k < g->depth; k++) g->reported[g->stack[k]] = true;
        const mm_gql_input_value *f = g->fields[i];
        loc_add(c, f->ast && f->ast->default_value ? &f->ast->default_value->loc : NULL);
        if (g->depth - from == 1) {
            REPORT(c,
                   "Invalid circular reference. The default value of Input Object field "
                   "%s.%s references itself.",
                   g->owners[i]->name, f->name);
        } else {
            mm_strbuf via = {0};
            for (size_t k = from + 1; k < g->depth; k++) {
                if (k > from + 1) mm_strbuf_puts(&via, ", ");
                mm_strbuf_printf(&via, "%s.%s", g->owners[g->stack[k]]->name,
                                 g->fields[g->stack[k]]->name);
            }
            REPORT(c,
                   "Invalid circular reference. The default value of Input Object field "
                   "%s.%s references itself via the default values of: %s.",
                   g->owners[i]->name, f->name, via.data ? via.data : "");
            free(via.data);
        }
        return;
    }
    g->state[i] = 1;
    g->stack[g->depth++] = i;
    default_edges(c, g, g->fields[i]->default_value, g->fields[i]->type);
    g->depth--;
    g->state[i] = 2;
}

static void validate_default_cycles(context *c) {
    const mm_gql_schema *s = c->schema;
    size_t n = 0;
    for (size_t i = 0; i < s->type_count; i++)
        if (s->types[i]->kind == MM_GQL_INPUT_OBJECT) n += s->types[i]->input_field_count;
    if (n == 0) return;
    default_graph g = {
        .fields = calloc(n, sizeof(*g.fields)),
        .owners = calloc(n, sizeof(*g.owners)),
        .state = calloc(n, 1),
        .stack = calloc(n + 1, sizeof(*g.stack)),
        .reported = calloc(n, sizeof(*g.reported)),
    };
    if (g.fields && g.owners && g.state && g.stack && g.reported) {
        for (size_t i = 0; i < s->type_count; i++)
            if (s->types[i]->kind == MM_GQL_INPUT_OBJECT)
                for (size_t k = 0; k < s->types[i]->input_field_count; k++) {
                    g.owners[g.count] = s->types[i];
                    g.fields[g.count++] = &s->types[i]->input_fields[k];
                }
        for (size_t i = 0; i < g.count; i++)
            if (g.fields[i]->default_value) visit_default(c, &g, i);
    }
    free(g.fields);
    free(g.owners);
    free(g.state);
    free(g.stack);
    free(g.reported);
}

/* ---- entry ------------------------------------------------------------------------ */

size_t mm_gql_schema_validate(const mm_gql_schema *schema, mm_gql_errors *errors) {
    context c = {.schema = schema, .errors = errors};
    validate_roots(&c);
    validate_directives(&c);
    /* First, so nothing below coerces a default value that never ends. */
    size_t before = c.count;
    validate_default_cycles(&c);
    c.default_cycles = c.count > before;
    size_t cap = schema->type_count + 1;
    cycle_state st = {
        .visited = calloc(cap, sizeof(*st.visited)),
        .path = calloc(cap * 4, sizeof(*st.path)),
        .path_owner = calloc(cap * 4, sizeof(*st.path_owner)),
        .capacity = cap,
    };
    for (size_t i = 0; i < schema->type_count; i++) {
        const mm_gql_type *t = schema->types[i];
        if (t->is_builtin) continue;
        c.current = t->ast;
        validate_name(&c, t->name, def_loc(t->ast));
        switch (t->kind) {
        case MM_GQL_OBJECT:
        case MM_GQL_INTERFACE:
            validate_fields(&c, t);
            validate_interfaces(&c, t);
            break;
        case MM_GQL_UNION: validate_union(&c, t); break;
        case MM_GQL_ENUM: validate_enum(&c, t); break;
        case MM_GQL_INPUT_OBJECT:
            validate_input_object(&c, t);
            if (st.visited && st.path && st.path_owner) detect_cycle(&c, &st, t);
            break;
        default: break;
        }
    }
    free(st.visited);
    free(st.path);
    free(st.path_owner);
    return c.count;
}
