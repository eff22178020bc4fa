/* rule_single_field_subscriptions.c -- SingleFieldSubscriptions: a
 * subscription selects exactly one root field, and not an introspection
 * field. Fields are collected as the executor would (graphql-js
 * collectFields with no variables: only literal @skip/@include count). */
#include <string.h>

#include "graphql/validation/validate_internal.h"

typedef struct sub_collect {
    mm_vctx *ctx;
    mm_gql_type *root;
    mm_vmap index;   /* response key -> group number + 1 */
    mm_vvec groups;  /* mm_vvec* of const mm_gql_selection* */
    mm_vmap visited; /* fragment names */
} sub_collect;

/* graphql-js getDirectiveValues(@skip/@include) with no variable values:
 * returns the literal "if" of the first such directive (1 true, 0 false,
 * -1 absent). graphql-js throws from validate() when "if" is missing, a
 * variable, null or not a Boolean; so do we (mm_v_throw). */
static int if_argument(mm_vctx *ctx, const mm_gql_selection *sel, const char *directive) {
    for (size_t i = 0; i < sel->directive_count; i++) {
        const mm_gql_directive *d = &sel->directives[i];
        if (strcmp(d->name.value, directive) != 0) continue;
        const mm_gql_value *v = NULL;
        for (size_t j = 0; j < d->arg_count && !v; j++)
            if (strcmp(d->args[j].name.value, "if") == 0) v = d->args[j].value;
        if (!v)
            mm_v_throw(ctx, &d->loc,
                       "Argument \"if\" of required type \"Boolean!\" was not provided.");
        if (v->kind == MM_GQL_VALUE_VARIABLE)
            mm_v_throw(
                ctx, &v->loc,
                "Argument \"if\" of required type \"Boolean!\" was provided the variable \"$%s\" "
                "which was not provided a runtime value.",
                v->u.name);
        if (v->kind == MM_GQL_VALUE_NULL)
            mm_v_throw(ctx, &v->loc,
                       "Argument \"if\" of non-null type \"Boolean!\" must not be null.");
        if (v->kind != MM_GQL_VALUE_BOOLEAN)
            mm_v_throw(ctx, &v->loc, "Argument \"if\" has invalid value %s.",
                       mm_v_value_str(ctx, v));
        return v->u.boolean ? 1 : 0;
    }
    return -1;
}

static bool should_include(mm_vctx *ctx, const mm_gql_selection *sel) {
    if (if_argument(ctx, sel, "skip") == 1) return false;
    if (if_argument(ctx, sel, "include") == 0) return false;
    return true;
}

static bool condition_matches(sub_collect *c, const char *cond) {
    if (!cond) return true;
    mm_gql_type *t = mm_gql_schema_find_type(c->ctx->schema, cond);
    if (!t) return false;
    if (t == c->root) return true;
    if (mm_gql_is_abstract_type(t)) return mm_gql_is_possible_type(t, c->root);
    return false;
}

static void reserve_work(mm_vctx *ctx, const mm_gql_selection_set *set) {
    mm_v_spend_fragment_work(ctx, set->count);
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        mm_v_spend_fragment_work(ctx, sel->directive_count);
        for (size_t j = 0; j < sel->directive_count; j++) {
            const char *n = sel->directives[j].name.value;
            if (strcmp(n, "skip") == 0 || strcmp(n, "include") == 0)
                mm_v_spend_fragment_work(ctx, sel->directives[j].arg_count);
        }
    }
}

static void collect(sub_collect *c, const mm_gql_selection_set *set) {
    mm_vctx *ctx = c->ctx;
    reserve_work(ctx, set);
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        if (sel->kind == MM_GQL_SEL_FIELD) {
            if (!should_include(ctx, sel)) continue;
            const char *key =
                sel->u.field.alias.value ? sel->u.field.alias.value : sel->u.field.name.value;
            size_t g = (size_t)(uintptr_t)mm_vmap_get(&c->index, key);
            mm_vvec *group;
            if (g == 0) {
                group = mm_arena_calloc(ctx->arena, 1, sizeof(*group));
                if (!group || !mm_vvec_push(ctx->arena, &c->groups, group) ||
                    !mm_vmap_put(ctx->arena, &c->index, key, (void *)(uintptr_t)c->groups.count))
                    mm_v_oom(ctx);
            } else {
                group = c->groups.items[g - 1];
            }
            if (!mm_vvec_push(ctx->arena, group, (void *)sel)) mm_v_oom(ctx);
        } else if (sel->kind == MM_GQL_SEL_INLINE_FRAGMENT) {
            if (!should_include(ctx, sel) ||
                !condition_matches(c, sel->u.inline_fragment.type_condition.value))
                continue;
            collect(c, sel->u.inline_fragment.selection_set);
        } else {
            const char *name = sel->u.spread.name.value;
            if (mm_vmap_get(&c->visited, name) || !should_include(ctx, sel)) continue;
            if (!mm_vmap_put(ctx->arena, &c->visited, name, (void *)1)) mm_v_oom(ctx);
            mm_vfragment *f = mm_v_fragment(ctx, name);
            if (!f || !condition_matches(c, f->def->type_condition.value)) continue;
            collect(c, f->def->selection_set);
        }
    }
}

void mm_rule_single_field_subscriptions(mm_vctx *ctx, const mm_gql_operation *op) {
    if (op->operation != MM_GQL_OP_SUBSCRIPTION || !ctx->schema->subscription_type) return;
    mm_v_spend_fragment_work(ctx, ctx->doc->definition_count);
    sub_collect c = {.ctx = ctx, .root = ctx->schema->subscription_type};
    collect(&c, op->selection_set);
    const char *name = op->name.value;
    if (c.groups.count > 1) {
        size_t n = 0;
        for (size_t g = 1; g < c.groups.count; g++) n += ((mm_vvec *)c.groups.items[g])->count;
        mm_gql_loc *locs = mm_arena_alloc(ctx->arena, n * sizeof(*locs));
        if (!locs) mm_v_oom(ctx);
        size_t k = 0;
        for (size_t g = 1; g < c.groups.count; g++) {
            mm_vvec *group = c.groups.items[g];
            for (size_t j = 0; j < group->count; j++)
                locs[k++] = ((const mm_gql_selection *)group->items[j])->loc;
        }
        if (name)
            mm_v_report(ctx, locs, n, "Subscription \"%s\" must select only one top level field.",
                        name);
        else
            mm_v_report(ctx, locs, n,
                        "Anonymous Subscription must select only one top level field.");
    }
    for (size_t g = 0; g < c.groups.count; g++) {
        mm_vvec *group = c.groups.items[g];
        const mm_gql_selection *first = group->items[0];
        if (strncmp(first->u.field.name.value, "__", 2) != 0) continue;
        mm_gql_loc *locs = mm_arena_alloc(ctx->arena, group->count * sizeof(*locs));
        if (!locs) mm_v_oom(ctx);
        for (size_t j = 0; j < group->count; j++)
            locs[j] = ((const mm_gql_selection *)group->items[j])->loc;
        if (name)
            mm_v_report(ctx, locs, group->count,
                        "Subscription \"%s\" must not select an introspection top level field.",
                        name);
        else
            mm_v_report(ctx, locs, group->count,
                        "Anonymous Subscription must not select an introspection top level field.");
    }
}
