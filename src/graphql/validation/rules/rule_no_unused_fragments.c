/* rule_no_unused_fragments.c -- validation rule NoUnusedFragments: every
 * fragment is spread by some operation. */
#include "graphql/validation/validate_internal.h"

void mm_rule_no_unused_fragments(mm_vctx *ctx) {
    const mm_vvec used =
        mm_v_recursive_fragments(ctx, (const mm_gql_operation *const *)ctx->operations.items,
                                 ctx->operations.count)
            ->fragments;
    mm_vmap names = {0};
    for (size_t i = 0; i < used.count; i++)
        if (!mm_vmap_put(ctx->arena, &names, ((mm_vfragment *)used.items[i])->def->name.value,
                         (void *)1))
            mm_v_oom(ctx);
    for (size_t i = 0; i < ctx->doc->definition_count; i++) {
        const mm_gql_definition *d = &ctx->doc->definitions[i];
        if (d->kind != MM_GQL_DEF_FRAGMENT) continue;
        if (!mm_vmap_get(&names, d->u.fragment.name.value))
            mm_v_report(ctx, &d->loc, 1, "Fragment \"%s\" is never used.",
                        d->u.fragment.name.value);
    }
}
