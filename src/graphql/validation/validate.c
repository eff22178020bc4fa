/* validate.c -- the validator's driver: one walk of the document with
 * TypeInfo, calling every interested rule at each node in graphql-js's
 * specifiedRules order (graphql-js runs its rules "in parallel" in one
 * visitor pass; calling them in that order per node reproduces its error
 * order). Also computes variable usages per definition for the rules that
 * need them, and enforces the alias limit and the error budget. */
#include "graphql/validation/validate.h"

#include <assert.h>
#include <string.h>

#include "graphql/validation/validate_internal.h"

const mm_gql_validate_options mm_gql_default_validate_options = {
    .max_errors = 100,
    .max_aliases = 0,
    .hide_suggestions = false,
    .rules = 0,
};

static void walk_selection_set(mm_vctx *ctx, const mm_gql_selection_set *set, bool in_inline);
static void walk_value(mm_vctx *ctx, const mm_gql_value *v);

/* ---- directives and arguments ----------------------------------------- */

static void walk_argument_value(mm_vctx *ctx, const mm_gql_argument *arg, bool field_arg) {
    mm_ti_enter_argument(ctx->ti, arg);
    if (field_arg && mm_v_rule(ctx, MM_GQL_RULE_KNOWN_ARGUMENT_NAMES))
        mm_rule_known_field_arg(ctx, arg);
    walk_value(ctx, arg->value);
    mm_ti_leave_argument(ctx->ti);
}

static void walk_directives(mm_vctx *ctx, const mm_gql_directive *ds, size_t n, unsigned location) {
    for (size_t i = 0; i < n; i++) {
        const mm_gql_directive *d = &ds[i];
        mm_ti_enter_directive(ctx->ti, d);
        if (mm_v_rule(ctx, MM_GQL_RULE_KNOWN_DIRECTIVES)) mm_rule_known_directive(ctx, d, location);
        if (mm_v_rule(ctx, MM_GQL_RULE_KNOWN_ARGUMENT_NAMES)) mm_rule_known_directive_args(ctx, d);
        if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES))
            mm_rule_unique_args(ctx, d->args, d->arg_count);
        for (size_t j = 0; j < d->arg_count; j++) walk_argument_value(ctx, &d->args[j], false);
        if (mm_v_rule(ctx, MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS))
            mm_rule_required_directive_args(ctx, d);
        mm_ti_leave_directive(ctx->ti);
    }
}

static void unique_directives(mm_vctx *ctx, const mm_gql_directive *ds, size_t n, int owner_kind,
                              const char *owner) {
    if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_DIRECTIVES_PER_LOCATION))
        mm_rule_unique_directives(ctx, ds, n, owner_kind, owner);
}

/* ---- values ------------------------------------------------------------- */

static bool values_rule(const mm_vctx *ctx) {
    return mm_v_rule(ctx, MM_GQL_RULE_VALUES_OF_CORRECT_TYPE) && !ctx->values_skip;
}

static void values_enter(mm_vctx *ctx, const mm_gql_value *v) {
    if (values_rule(ctx) && !mm_rule_value_enter(ctx, v)) ctx->values_skip = v;
}

static void values_leave(mm_vctx *ctx, const void *node) {
    if (ctx->values_skip == node) ctx->values_skip = NULL;
}

static void walk_value(mm_vctx *ctx, const mm_gql_value *v) {
    if (!v) return;
    switch (v->kind) {
    case MM_GQL_VALUE_VARIABLE:
        if (ctx->usage_sink) {
            mm_vusage u = {v, mm_ti_input_type(ctx->ti), mm_ti_default_value(ctx->ti),
                           mm_ti_parent_input_type(ctx->ti)};
            if (!mm_vusages_push(ctx->arena, ctx->usage_sink, &u)) mm_v_oom(ctx);
        }
        break;
    case MM_GQL_VALUE_ENUM:
        mm_ti_enter_enum(ctx->ti, v);
        values_enter(ctx, v);
        values_leave(ctx, v);
        mm_ti_leave_enum(ctx->ti);
        break;
    case MM_GQL_VALUE_INT:
    case MM_GQL_VALUE_FLOAT:
    case MM_GQL_VALUE_STRING:
    case MM_GQL_VALUE_BOOLEAN:
    case MM_GQL_VALUE_NULL:
        values_enter(ctx, v);
        values_leave(ctx, v);
        break;
    case MM_GQL_VALUE_LIST:
        mm_ti_enter_list(ctx->ti);
        values_enter(ctx, v);
        for (size_t i = 0; i < v->u.list.count; i++) walk_value(ctx, v->u.list.items[i]);
        values_leave(ctx, v);
        mm_ti_leave_list(ctx->ti);
        break;
    case MM_GQL_VALUE_OBJECT: {
        bool unique = mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_INPUT_FIELD_NAMES);
        values_enter(ctx, v);
        if (unique) mm_rule_unique_input_enter(ctx);
        for (size_t i = 0; i < v->u.object.count; i++) {
            const mm_gql_object_field *f = &v->u.object.fields[i];
            mm_ti_enter_object_field(ctx->ti, f);
            if (values_rule(ctx)) mm_rule_object_field_enter(ctx, f);
            if (unique) mm_rule_unique_input_field(ctx, f);
            walk_value(ctx, f->value);
            mm_ti_leave_object_field(ctx->ti);
        }
        if (unique) mm_rule_unique_input_leave(ctx);
        values_leave(ctx, v);
        break;
    }
    }
}

/* ---- type references ---------------------------------------------------- */

static void walk_type_ref(mm_vctx *ctx, const mm_gql_type_ref *ref, bool in_sdl) {
    while (ref && ref->kind != MM_GQL_TYPE_NAMED) ref = ref->of_type;
    if (ref && mm_v_rule(ctx, MM_GQL_RULE_KNOWN_TYPE_NAMES))
        mm_rule_known_type_name(ctx, &ref->name, in_sdl);
}

static void walk_named_type(mm_vctx *ctx, const mm_gql_name *name, bool in_sdl) {
    if (name->value && mm_v_rule(ctx, MM_GQL_RULE_KNOWN_TYPE_NAMES))
        mm_rule_known_type_name(ctx, name, in_sdl);
}

/* ---- selections --------------------------------------------------------- */

static void walk_field(mm_vctx *ctx, const mm_gql_selection *sel) {
    mm_ti_enter_field(ctx->ti, sel);
    if (mm_v_rule(ctx, MM_GQL_RULE_SCALAR_LEAFS)) mm_rule_scalar_leafs(ctx, sel);
    if (mm_v_rule(ctx, MM_GQL_RULE_FIELDS_ON_CORRECT_TYPE))
        mm_rule_fields_on_correct_type(ctx, sel);
    unique_directives(ctx, sel->directives, sel->directive_count, 0, NULL);
    if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_ARGUMENT_NAMES))
        mm_rule_unique_args(ctx, sel->u.field.args, sel->u.field.arg_count);
    if (mm_v_rule(ctx, MM_GQL_RULE_MAX_INTROSPECTION_DEPTH) && !ctx->introspection_skip &&
        !mm_rule_max_introspection_depth(ctx, sel))
        ctx->introspection_skip = sel;
    for (size_t i = 0; i < sel->u.field.arg_count; i++)
        walk_argument_value(ctx, &sel->u.field.args[i], true);
    walk_directives(ctx, sel->directives, sel->directive_count, MM_GQL_LOC_FIELD);
    if (sel->u.field.selection_set) walk_selection_set(ctx, sel->u.field.selection_set, false);
    if (mm_v_rule(ctx, MM_GQL_RULE_PROVIDED_REQUIRED_ARGUMENTS))
        mm_rule_required_field_args(ctx, sel);
    if (ctx->introspection_skip == sel) ctx->introspection_skip = NULL;
    mm_ti_leave_field(ctx->ti);
}

static void walk_spread(mm_vctx *ctx, const mm_gql_selection *sel) {
    if (mm_v_rule(ctx, MM_GQL_RULE_KNOWN_FRAGMENT_NAMES)) mm_rule_known_fragment(ctx, sel);
    if (mm_v_rule(ctx, MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS)) mm_rule_possible_spread(ctx, sel);
    unique_directives(ctx, sel->directives, sel->directive_count, 0, NULL);
    walk_directives(ctx, sel->directives, sel->directive_count, MM_GQL_LOC_FRAGMENT_SPREAD);
}

static void walk_inline(mm_vctx *ctx, const mm_gql_selection *sel) {
    const mm_gql_name *cond = &sel->u.inline_fragment.type_condition;
    mm_ti_enter_fragment(ctx->ti, cond->value);
    if (cond->value && mm_v_rule(ctx, MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES))
        mm_rule_fragment_composite(ctx, NULL, cond);
    if (mm_v_rule(ctx, MM_GQL_RULE_POSSIBLE_FRAGMENT_SPREADS)) mm_rule_possible_inline(ctx, sel);
    unique_directives(ctx, sel->directives, sel->directive_count, 0, NULL);
    walk_named_type(ctx, cond, false);
    walk_directives(ctx, sel->directives, sel->directive_count, MM_GQL_LOC_INLINE_FRAGMENT);
    if (sel->u.inline_fragment.selection_set)
        walk_selection_set(ctx, sel->u.inline_fragment.selection_set, true);
    mm_ti_leave_type(ctx->ti);
}

static void walk_selection_set(mm_vctx *ctx, const mm_gql_selection_set *set, bool in_inline) {
    mm_ti_enter_selection_set(ctx->ti);
    if (mm_v_rule(ctx, MM_GQL_RULE_OVERLAPPING_FIELDS_CAN_BE_MERGED))
        mm_rule_overlapping_fields(ctx, set, in_inline);
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        switch (sel->kind) {
        case MM_GQL_SEL_FIELD: walk_field(ctx, sel); break;
        case MM_GQL_SEL_FRAGMENT_SPREAD: walk_spread(ctx, sel); break;
        case MM_GQL_SEL_INLINE_FRAGMENT: walk_inline(ctx, sel); break;
        }
    }
    mm_ti_leave_selection_set(ctx->ti);
}

/* ---- definitions -------------------------------------------------------- */

static void walk_variable_definition(mm_vctx *ctx, const mm_gql_variable_definition *def) {
    mm_ti_enter_variable_definition(ctx->ti, def);
    if (mm_v_rule(ctx, MM_GQL_RULE_VARIABLES_ARE_INPUT_TYPES))
        mm_rule_variable_input_type(ctx, def);
    unique_directives(ctx, def->directives, def->directive_count, 0, NULL);
    walk_type_ref(ctx, def->type, false);
    /* graphql-js's getVariableUsages does not look inside variable definitions. */
    mm_vusages *sink = ctx->usage_sink;
    ctx->usage_sink = NULL;
    walk_value(ctx, def->default_value);
    walk_directives(ctx, def->directives, def->directive_count, MM_GQL_LOC_VARIABLE_DEFINITION);
    ctx->usage_sink = sink;
    mm_ti_leave_variable_definition(ctx->ti);
}

static void walk_operation(mm_vctx *ctx, const mm_gql_definition *d) {
    const mm_gql_operation *op = &d->u.operation;
    mm_vusages own = {0};
    mm_vusages *saved = ctx->usage_sink;
    ctx->usage_sink = &own;
    mm_ti_enter_operation(ctx->ti, op);
    if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_OPERATION_NAMES)) mm_rule_operation_names(ctx, d);
    if (mm_v_rule(ctx, MM_GQL_RULE_LONE_ANONYMOUS_OPERATION)) mm_rule_lone_anonymous(ctx, d);
    if (mm_v_rule(ctx, MM_GQL_RULE_SINGLE_FIELD_SUBSCRIPTIONS))
        mm_rule_single_field_subscriptions(ctx, op);
    if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_VARIABLE_NAMES)) mm_rule_unique_variables(ctx, op);
    unique_directives(ctx, op->directives, op->directive_count, 0, NULL);
    for (size_t i = 0; i < op->variable_count; i++)
        walk_variable_definition(ctx, &op->variables[i]);
    unsigned loc = op->operation == MM_GQL_OP_QUERY      ? MM_GQL_LOC_QUERY
                   : op->operation == MM_GQL_OP_MUTATION ? MM_GQL_LOC_MUTATION
                                                         : MM_GQL_LOC_SUBSCRIPTION;
    walk_directives(ctx, op->directives, op->directive_count, loc);
    if (op->selection_set) walk_selection_set(ctx, op->selection_set, false);
    ctx->usage_sink = saved;
    if (ctx->rules_on) mm_rule_variables_leave(ctx, op, &own);
    mm_ti_leave_type(ctx->ti);
}

static void walk_fragment(mm_vctx *ctx, const mm_gql_fragment *frag) {
    mm_ti_enter_fragment(ctx->ti, frag->type_condition.value);
    if (mm_v_rule(ctx, MM_GQL_RULE_FRAGMENTS_ON_COMPOSITE_TYPES))
        mm_rule_fragment_composite(ctx, frag->name.value, &frag->type_condition);
    if (mm_v_rule(ctx, MM_GQL_RULE_UNIQUE_FRAGMENT_NAMES)) mm_rule_unique_fragment_names(ctx, frag);
    if (mm_v_rule(ctx, MM_GQL_RULE_NO_FRAGMENT_CYCLES)) mm_rule_fragment_cycles(ctx, frag);
    unique_directives(ctx, frag->directives, frag->directive_count, 0, NULL);
    walk_named_type(ctx, &frag->type_condition, false);
    walk_directives(ctx, frag->directives, frag->directive_count, MM_GQL_LOC_FRAGMENT_DEFINITION);
    if (frag->selection_set) walk_selection_set(ctx, frag->selection_set, false);
    mm_ti_leave_type(ctx->ti);
}

/* ---- type-system definitions (reported by ExecutableDefinitions, but
 * graphql-js's other rules still look at their names and directives) ---- */

static void walk_input_value_defs(mm_vctx *ctx, const mm_gql_input_value_def *defs, size_t n,
                                  unsigned location) {
    for (size_t i = 0; i < n; i++) {
        const mm_gql_input_value_def *iv = &defs[i];
        unique_directives(ctx, iv->directives, iv->directive_count, 0, NULL);
        walk_type_ref(ctx, iv->type, true);
        walk_value(ctx, iv->default_value);
        walk_directives(ctx, iv->directives, iv->directive_count, location);
    }
}

static void walk_type_def(mm_vctx *ctx, const mm_gql_type_def *t) {
    static const unsigned locs[] = {
        [MM_GQL_TYPEDEF_SCALAR] = MM_GQL_LOC_SCALAR,
        [MM_GQL_TYPEDEF_OBJECT] = MM_GQL_LOC_OBJECT,
        [MM_GQL_TYPEDEF_INTERFACE] = MM_GQL_LOC_INTERFACE,
        [MM_GQL_TYPEDEF_UNION] = MM_GQL_LOC_UNION,
        [MM_GQL_TYPEDEF_ENUM] = MM_GQL_LOC_ENUM,
        [MM_GQL_TYPEDEF_INPUT_OBJECT] = MM_GQL_LOC_INPUT_OBJECT,
    };
    unique_directives(ctx, t->directives, t->directive_count, 2, t->name.value);
    for (size_t i = 0; i < t->interface_count; i++) walk_named_type(ctx, &t->interfaces[i], true);
    walk_directives(ctx, t->directives, t->directive_count, locs[t->kind]);
    for (size_t i = 0; i < t->field_count; i++) {
        const mm_gql_field_def *f = &t->fields[i];
        unique_directives(ctx, f->directives, f->directive_count, 0, NULL);
        walk_input_value_defs(ctx, f->args, f->arg_count, MM_GQL_LOC_ARGUMENT_DEFINITION);
        walk_type_ref(ctx, f->type, true);
        walk_directives(ctx, f->directives, f->directive_count, MM_GQL_LOC_FIELD_DEFINITION);
    }
    for (size_t i = 0; i < t->member_count; i++) walk_named_type(ctx, &t->members[i], true);
    for (size_t i = 0; i < t->value_count; i++) {
        const mm_gql_enum_value_def *ev = &t->values[i];
        unique_directives(ctx, ev->directives, ev->directive_count, 0, NULL);
        walk_directives(ctx, ev->directives, ev->directive_count, MM_GQL_LOC_ENUM_VALUE);
    }
    /* graphql-js names the location INPUT_FIELD_DEFINITION only inside an
     * input object definition; inside an extension it says ARGUMENT_DEFINITION. */
    walk_input_value_defs(ctx, t->input_fields, t->input_field_count,
                          t->is_extension ? MM_GQL_LOC_ARGUMENT_DEFINITION
                                          : MM_GQL_LOC_INPUT_FIELD_DEFINITION);
}

static void walk_definition(mm_vctx *ctx, const mm_gql_definition *d) {
    switch (d->kind) {
    case MM_GQL_DEF_OPERATION: walk_operation(ctx, d); break;
    case MM_GQL_DEF_FRAGMENT: {
        /* Collect this fragment's variable usages on the way if it is the
         * definition the name resolves to. */
        mm_vfragment *vf = mm_v_fragment(ctx, d->u.fragment.name.value);
        mm_vusages *saved = ctx->usage_sink;
        bool collect = vf && vf->def == &d->u.fragment && !vf->usages_done;
        ctx->usage_sink = collect ? &vf->usages : NULL;
        walk_fragment(ctx, &d->u.fragment);
        if (collect) vf->usages_done = true;
        ctx->usage_sink = saved;
        break;
    }
    case MM_GQL_DEF_SCHEMA: {
        const mm_gql_schema_def *s = &d->u.schema;
        unique_directives(ctx, s->directives, s->directive_count, 1, NULL);
        walk_directives(ctx, s->directives, s->directive_count, MM_GQL_LOC_SCHEMA);
        for (size_t i = 0; i < s->operation_type_count; i++)
            walk_named_type(ctx, &s->operation_types[i].type, true);
        break;
    }
    case MM_GQL_DEF_TYPE: walk_type_def(ctx, &d->u.type); break;
    case MM_GQL_DEF_DIRECTIVE: {
        const mm_gql_directive_def *dd = &d->u.directive;
        unique_directives(ctx, NULL, 0, 3, dd->name.value);
        walk_input_value_defs(ctx, dd->args, dd->arg_count, MM_GQL_LOC_ARGUMENT_DEFINITION);
        break;
    }
    }
}

/* ---- on-demand fragment usages ------------------------------------------ */

static bool value_has_variable(const mm_gql_value *v) {
    if (!v) return false;
    switch (v->kind) {
    case MM_GQL_VALUE_VARIABLE: return true;
    case MM_GQL_VALUE_LIST:
        for (size_t i = 0; i < v->u.list.count; i++)
            if (value_has_variable(v->u.list.items[i])) return true;
        return false;
    case MM_GQL_VALUE_OBJECT:
        for (size_t i = 0; i < v->u.object.count; i++)
            if (value_has_variable(v->u.object.fields[i].value)) return true;
        return false;
    default: return false;
    }
}

static bool directives_have_variable(const mm_gql_directive *ds, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < ds[i].arg_count; j++)
            if (value_has_variable(ds[i].args[j].value)) return true;
    return false;
}

/* Whether any variable appears in the selection set: most fragments have
 * none, and then their usages need no walk with type information. */
static bool set_has_variable(const mm_gql_selection_set *set) {
    if (!set) return false;
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        if (directives_have_variable(sel->directives, sel->directive_count)) return true;
        if (sel->kind == MM_GQL_SEL_FIELD) {
            for (size_t j = 0; j < sel->u.field.arg_count; j++)
                if (value_has_variable(sel->u.field.args[j].value)) return true;
            if (set_has_variable(sel->u.field.selection_set)) return true;
        } else if (sel->kind == MM_GQL_SEL_INLINE_FRAGMENT) {
            if (set_has_variable(sel->u.inline_fragment.selection_set)) return true;
        }
    }
    return false;
}

/* ctx->fragment_usages: walks the fragment once, rules off. */
static const mm_vusages *fragment_usages(mm_vctx *ctx, mm_vfragment *frag) {
    if (frag->usages_done) return &frag->usages;
    if (!directives_have_variable(frag->def->directives, frag->def->directive_count) &&
        !set_has_variable(frag->def->selection_set)) {
        frag->usages_done = true;
        return &frag->usages;
    }
    /* Not re-entered for the same fragment: NoFragmentCycles runs first,
     * and a fragment's own walk does not collect usages of others. */
    assert(ctx->usage_sink != &frag->usages);
    mm_type_info ti;
    mm_ti_init(&ti, ctx->schema, &ctx->meta, ctx->arena);
    mm_type_info *saved_ti = ctx->ti;
    bool saved_on = ctx->rules_on;
    mm_vusages *saved_sink = ctx->usage_sink;
    const void *saved_vs = ctx->values_skip, *saved_is = ctx->introspection_skip;
    ctx->ti = &ti;
    ctx->rules_on = false;
    ctx->usage_sink = &frag->usages;
    ctx->values_skip = ctx->introspection_skip = NULL;
    walk_fragment(ctx, frag->def);
    frag->usages_done = true;
    ctx->ti = saved_ti;
    ctx->rules_on = saved_on;
    ctx->usage_sink = saved_sink;
    ctx->values_skip = saved_vs;
    ctx->introspection_skip = saved_is;
    return &frag->usages;
}

/* ---- the alias limit ---------------------------------------------------- */

static size_t count_aliases(const mm_gql_selection_set *set) {
    size_t n = 0;
    if (!set) return 0;
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        if (sel->kind == MM_GQL_SEL_FIELD) {
            if (sel->u.field.alias.value) n++;
            n += count_aliases(sel->u.field.selection_set);
        } else if (sel->kind == MM_GQL_SEL_INLINE_FRAGMENT) {
            n += count_aliases(sel->u.inline_fragment.selection_set);
        }
    }
    return n;
}

/* ---- entry point -------------------------------------------------------- */

static void run(mm_vctx *ctx) {
    const mm_gql_document *doc = ctx->doc;
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind == MM_GQL_DEF_FRAGMENT) {
            mm_vfragment *f = mm_arena_calloc(ctx->arena, 1, sizeof(*f));
            if (!f) mm_v_oom(ctx);
            f->def = &d->u.fragment;
            if (!mm_vmap_put(ctx->arena, &ctx->fragments, f->def->name.value, f)) mm_v_oom(ctx);
        } else if (d->kind == MM_GQL_DEF_OPERATION) {
            ctx->operation_count++;
            if (!mm_vvec_push(ctx->arena, &ctx->operations, (void *)&d->u.operation)) mm_v_oom(ctx);
        } else if (d->kind == MM_GQL_DEF_DIRECTIVE) {
            if (!mm_vmap_put(ctx->arena, &ctx->directive_defs_in_doc, d->u.directive.name.value,
                             (void *)&d->u.directive))
                mm_v_oom(ctx);
        } else if (d->kind == MM_GQL_DEF_TYPE && !d->u.type.is_extension) {
            if (!mm_vmap_put(ctx->arena, &ctx->type_defs_in_doc, d->u.type.name.value, (void *)1))
                mm_v_oom(ctx);
        }
    }
    if (mm_v_rule(ctx, MM_GQL_RULE_EXECUTABLE_DEFINITIONS)) mm_rule_document_enter(ctx);
    for (size_t i = 0; i < doc->definition_count; i++) walk_definition(ctx, &doc->definitions[i]);
    if (mm_v_rule(ctx, MM_GQL_RULE_NO_UNUSED_FRAGMENTS)) mm_rule_no_unused_fragments(ctx);
}

/* Out of memory: the document must not pass as valid, so say so (if even
 * that allocation works) and count at least one error either way. */
static size_t out_of_memory(mm_gql_errors *errors, size_t before) {
    mm_gql_errors_add(errors, MM_GQL_ERROR_VALIDATION, NULL, 0, "%s",
                      "Validation aborted: out of memory.");
    size_t n = errors->count - before;
    return n ? n : 1;
}

size_t mm_gql_validate(const mm_gql_schema *schema, const mm_gql_document *doc,
                       const mm_gql_validate_options *opts, mm_gql_errors *errors) {
    if (!opts) opts = &mm_gql_default_validate_options;
    volatile size_t before = errors->count; /* volatile: the setjmp below must not clobber it */
    if (opts->max_aliases) {
        size_t aliases = 0;
        for (size_t i = 0; i < doc->definition_count; i++) {
            const mm_gql_definition *d = &doc->definitions[i];
            if (d->kind == MM_GQL_DEF_OPERATION)
                aliases += count_aliases(d->u.operation.selection_set);
            else if (d->kind == MM_GQL_DEF_FRAGMENT)
                aliases += count_aliases(d->u.fragment.selection_set);
        }
        if (aliases > opts->max_aliases) {
            mm_gql_errors_add(errors, MM_GQL_ERROR_LIMIT, NULL, 0,
                              "The document has %zu aliases, more than the limit of %zu.", aliases,
                              opts->max_aliases);
            return errors->count - before;
        }
    }

    mm_vctx *ctx = mm_arena_calloc(errors->arena, 1, sizeof(*ctx));
    mm_type_info *ti = mm_arena_calloc(errors->arena, 1, sizeof(*ti));
    if (!ctx || !ti) return out_of_memory(errors, before);
    ctx->schema = (mm_gql_schema *)schema; /* wrapper interning is thread-safe */
    ctx->doc = doc;
    ctx->fragment_usages = fragment_usages;
    ctx->arena = errors->arena;
    ctx->errors = errors;
    ctx->start_tail = errors->tail;
    ctx->start_count = errors->count;
    ctx->rules = opts->rules ? opts->rules : MM_GQL_RULES_ALL;
    ctx->hide_suggestions = opts->hide_suggestions;
    ctx->max_errors = opts->max_errors ? opts->max_errors : 100;
    ctx->fragment_work = 50000;
    ctx->rules_on = true;
    if (mm_ti_meta_init(&ctx->meta, ctx->schema) != 0) return out_of_memory(errors, before);
    mm_ti_init(ti, ctx->schema, &ctx->meta, ctx->arena);
    ctx->ti = ti;
    if (setjmp(ctx->abort_jmp) == 0) run(ctx);
    if (ctx->oom || ti->oom) return out_of_memory(errors, before);
    return errors->count - before;
}
