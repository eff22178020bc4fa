/* rule_unique_operation_names.c -- validation rule UniqueOperationNames: no
 * two operations share a name. */
#include "graphql/validation/validate_internal.h"

void mm_rule_operation_names(mm_vctx *ctx, const mm_gql_definition *def) {
    const mm_gql_name *name = &def->u.operation.name;
    if (!name->value) return;
    const mm_gql_name *known = mm_vmap_get(&ctx->op_names, name->value);
    if (known) {
        mm_gql_loc locs[2] = {known->loc, name->loc};
        mm_v_report(ctx, locs, 2, "There can be only one operation named \"%s\".", name->value);
    } else if (!mm_vmap_put(ctx->arena, &ctx->op_names, name->value, (void *)name)) {
        mm_v_oom(ctx);
    }
}
