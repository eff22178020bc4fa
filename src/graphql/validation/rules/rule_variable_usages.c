/* rule_variable_usages.c -- validation rule NoUndefinedVariables,
 * NoUnusedVariables and VariablesInAllowedPosition. The three look at every
 * use of a variable in the operation and in the fragments it spreads,
 * recursively (graphql-js getRecursiveVariableUsages), so they share one walk
 * and stay in one file. */
#include "graphql/validation/validate_internal.h"

/* graphql-js allowedVariableUsage. */
static bool allowed_usage(const mm_gql_type *var_type, const mm_gql_value *var_default,
                          const mm_gql_type *location_type, const mm_gql_value *location_default) {
    if (location_type->kind == MM_GQL_NON_NULL && var_type->kind != MM_GQL_NON_NULL) {
        bool has_non_null_var_default = var_default && var_default->kind != MM_GQL_VALUE_NULL;
        if (!has_non_null_var_default && !location_default) return false;
        return mm_gql_is_subtype(var_type, location_type->of_type);
    }
    return mm_gql_is_subtype(var_type, location_type);
}

void mm_rule_variables_leave(mm_vctx *ctx, const mm_gql_operation *op, const mm_vusages *own) {
    bool undefined_rule = mm_v_rule(ctx, MM_GQL_RULE_NO_UNDEFINED_VARIABLES);
    bool unused_rule = mm_v_rule(ctx, MM_GQL_RULE_NO_UNUSED_VARIABLES);
    bool position_rule = mm_v_rule(ctx, MM_GQL_RULE_VARIABLES_IN_ALLOWED_POSITION);
    if (!undefined_rule && !unused_rule && !position_rule) return;

    /* All usages: the operation's own, then each recursively spread
     * fragment's; the fragments' part is computed once per fragment set and
     * the work budget spent as graphql-js spends it. */
    const mm_gql_operation *ops[1] = {op};
    mm_vfragset *fs = mm_v_recursive_fragments(ctx, ops, 1);
    if (!fs->usages_done) {
        mm_v_spend_fragment_work(ctx, fs->fragments.count);
        for (size_t f = 0; f < fs->fragments.count; f++) {
            const mm_vusages *u = ctx->fragment_usages(ctx, fs->fragments.items[f]);
            mm_v_spend_fragment_work(ctx, u->count);
            for (size_t i = 0; i < u->count; i++)
                if (!mm_vusages_push(ctx->arena, &fs->usages, &u->items[i])) mm_v_oom(ctx);
        }
        fs->usages_done = true;
    }
    mm_v_spend_fragment_work(ctx, fs->usages.count);
    mm_vusages all = {0};
    for (size_t i = 0; i < own->count; i++)
        if (!mm_vusages_push(ctx->arena, &all, &own->items[i])) mm_v_oom(ctx);
    for (size_t i = 0; i < fs->usages.count; i++)
        if (!mm_vusages_push(ctx->arena, &all, &fs->usages.items[i])) mm_v_oom(ctx);

    mm_vmap defs = {0}; /* name -> definition (the last one, as graphql-js's map keeps) */
    for (size_t i = 0; i < op->variable_count; i++)
        if (!mm_vmap_put(ctx->arena, &defs, op->variables[i].name.value, (void *)&op->variables[i]))
            mm_v_oom(ctx);
    const mm_gql_definition *opdef =
        (const mm_gql_definition *)((const char *)op - offsetof(mm_gql_definition, u));
    const char *op_name = op->name.value;

    if (undefined_rule) {
        for (size_t i = 0; i < all.count; i++) {
            const char *name = all.items[i].node->u.name;
            if (mm_vmap_get(&defs, name)) continue;
            mm_gql_loc locs[2] = {all.items[i].node->loc, opdef->loc};
            if (op_name)
                mm_v_report(ctx, locs, 2, "Variable \"$%s\" is not defined by operation \"%s\".",
                            name, op_name);
            else
                mm_v_report(ctx, locs, 2, "Variable \"$%s\" is not defined.", name);
        }
    }
    if (unused_rule) {
        mm_vmap used = {0};
        for (size_t i = 0; i < all.count; i++)
            if (!mm_vmap_put(ctx->arena, &used, all.items[i].node->u.name, (void *)1))
                mm_v_oom(ctx);
        for (size_t i = 0; i < op->variable_count; i++) {
            const mm_gql_variable_definition *def = &op->variables[i];
            if (mm_vmap_get(&used, def->name.value)) continue;
            if (op_name)
                mm_v_report(ctx, &def->loc, 1,
                            "Variable \"$%s\" is never used in operation \"%s\".", def->name.value,
                            op_name);
            else
                mm_v_report(ctx, &def->loc, 1, "Variable \"$%s\" is never used.", def->name.value);
        }
    }
    if (position_rule) {
        for (size_t i = 0; i < all.count; i++) {
            const mm_vusage *u = &all.items[i];
            const mm_gql_variable_definition *def = mm_vmap_get(&defs, u->node->u.name);
            if (!def || !u->type) continue;
            mm_gql_type *var_type = mm_gql_type_from_ast(ctx->schema, def->type);
            mm_gql_loc locs[2] = {def->loc, u->node->loc};
            if (var_type && !allowed_usage(var_type, def->default_value, u->type, u->default_value))
                mm_v_report(
                    ctx, locs, 2,
                    "Variable \"$%s\" of type \"%s\" used in position expecting type \"%s\".",
                    u->node->u.name, mm_v_type_str(ctx, var_type), mm_v_type_str(ctx, u->type));
            /* graphql-js checks the parent type unwrapped of nothing: only a
             * direct field of a OneOf object counts. */
            if (u->parent_type && u->parent_type->kind == MM_GQL_INPUT_OBJECT &&
                u->parent_type->is_one_of && var_type && var_type->kind != MM_GQL_NON_NULL)
                mm_v_report(ctx, locs, 2,
                            "Variable \"$%s\" is of type \"%s\" but must be non-nullable to be "
                            "used for OneOf "
                            "Input Object \"%s\".",
                            u->node->u.name, mm_v_type_str(ctx, var_type), u->parent_type->name);
        }
    }
}
