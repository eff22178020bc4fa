/* rule_fragments_on_composite_types.c -- validation rule
 * FragmentsOnCompositeTypes: a type condition names an object, interface or
 * union. */
#include "graphql/validation/validate_internal.h"

void mm_rule_fragment_composite(mm_vctx *ctx, const char *fragment_name, const mm_gql_name *cond) {
    mm_gql_type *t = mm_gql_schema_find_type(ctx->schema, cond->value);
    if (!t || mm_gql_is_composite_type(t)) return;
    if (fragment_name)
        mm_v_report(ctx, &cond->loc, 1,
                    "Fragment \"%s\" cannot condition on non composite type \"%s\".", fragment_name,
                    cond->value);
    else
        mm_v_report(ctx, &cond->loc, 1, "Fragment cannot condition on non composite type \"%s\".",
                    cond->value);
}
