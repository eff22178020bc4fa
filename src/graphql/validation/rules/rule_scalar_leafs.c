/* rule_scalar_leafs.c -- validation rule ScalarLeafs: leaf fields have no
 * selection, composite fields have one. */
#include "graphql/validation/validate_internal.h"

void mm_rule_scalar_leafs(mm_vctx *ctx, const mm_gql_selection *field) {
    mm_gql_type *type = mm_ti_type(ctx->ti);
    if (!type) return;
    const mm_gql_selection_set *set = field->u.field.selection_set;
    const char *name = field->u.field.name.value;
    if (mm_gql_is_leaf_type(mm_gql_named_type(type))) {
        if (set)
            mm_v_report(
                ctx, &set->loc, 1,
                "Field \"%s\" must not have a selection since type \"%s\" has no subfields.", name,
                mm_v_type_str(ctx, type));
    } else if (!set) {
        mm_v_report(ctx, &field->loc, 1,
                    "Field \"%s\" of type \"%s\" must have a selection of subfields. Did you mean "
                    "\"%s { ... }\"?",
                    name, mm_v_type_str(ctx, type), name);
    } else if (set->count == 0) {
        mm_v_report(ctx, &field->loc, 1,
                    "Field \"%s\" of type \"%s\" must have at least one field selected.", name,
                    mm_v_type_str(ctx, type));
    }
}
