/* rule_unique_input_field_names.c -- validation rule UniqueInputFieldNames: no
 * input object literal gives a field twice. */
#include "graphql/validation/validate_internal.h"

void mm_rule_unique_input_enter(mm_vctx *ctx) {
    mm_vmap *m = mm_arena_calloc(ctx->arena, 1, sizeof(*m));
    if (!m || !mm_vvec_push(ctx->arena, &ctx->input_field_names, m)) mm_v_oom(ctx);
}

void mm_rule_unique_input_field(mm_vctx *ctx, const mm_gql_object_field *field) {
    mm_vmap *m = ctx->input_field_names.items[ctx->input_field_names.count - 1];
    const mm_gql_name *known = mm_vmap_get(m, field->name.value);
    if (known) {
        mm_gql_loc locs[2] = {known->loc, field->name.loc};
        mm_v_report(ctx, locs, 2, "There can be only one input field named \"%s\".",
                    field->name.value);
    } else if (!mm_vmap_put(ctx->arena, m, field->name.value, (void *)&field->name)) {
        mm_v_oom(ctx);
    }
}

void mm_rule_unique_input_leave(mm_vctx *ctx) {
    if (ctx->input_field_names.count) ctx->input_field_names.count--;
}
