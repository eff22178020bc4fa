/* rule_possible_fragment_spreads.c -- validation rule PossibleFragmentSpreads:
 * a fragment (inline or spread) can apply to its parent type. */
#include "graphql/validation/validate_internal.h"

void mm_rule_possible_inline(mm_vctx *ctx, const mm_gql_selection *inl) {
    mm_gql_type *frag_type = mm_ti_type(ctx->ti);
    mm_gql_type *parent = mm_ti_parent_type(ctx->ti);
    if (!mm_gql_is_composite_type(frag_type) || !mm_gql_is_composite_type(parent)) return;
    if (mm_gql_types_overlap(frag_type, parent)) return;
    mm_v_report(
        ctx, &inl->loc, 1,
        "Fragment cannot be spread here as objects of type \"%s\" can never be of type \"%s\".",
        parent->name, frag_type->name);
}

void mm_rule_possible_spread(mm_vctx *ctx, const mm_gql_selection *spread) {
    const char *name = spread->u.spread.name.value;
    mm_vfragment *f = mm_v_fragment(ctx, name);
    if (!f) return;
    mm_gql_type *frag_type = mm_gql_schema_find_type(ctx->schema, f->def->type_condition.value);
    mm_gql_type *parent = mm_ti_parent_type(ctx->ti);
    if (!mm_gql_is_composite_type(frag_type) || !parent) return;
    if (mm_gql_types_overlap(frag_type, parent)) return;
    mm_v_report(ctx, &spread->loc, 1,
                "Fragment \"%s\" cannot be spread here as objects of type \"%s\" can never be of "
                "type \"%s\".",
                name, parent->name, frag_type->name);
}
