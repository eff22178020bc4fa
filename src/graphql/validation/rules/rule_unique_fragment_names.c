/* rule_unique_fragment_names.c -- validation rule UniqueFragmentNames: no two
 * fragments share a name. */
#include "graphql/validation/validate_internal.h"

void mm_rule_unique_fragment_names(mm_vctx *ctx, const mm_gql_fragment *frag) {
    const mm_gql_name *known = mm_vmap_get(&ctx->fragment_names, frag->name.value);
    if (known) {
        mm_gql_loc locs[2] = {known->loc, frag->name.loc};
        mm_v_report(ctx, locs, 2, "There can be only one fragment named \"%s\".", frag->name.value);
    } else if (!mm_vmap_put(ctx->arena, &ctx->fragment_names, frag->name.value,
                            (void *)&frag->name)) {
        mm_v_oom(ctx);
    }
}
