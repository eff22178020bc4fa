/* rule_no_fragment_cycles.c -- validation rule NoFragmentCycles: no fragment
 * spreads itself, directly or through other fragments. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

static void detect_cycle(mm_vctx *ctx, mm_vfragment *frag) {
    const char *name = frag->def->name.value;
    if (mm_vmap_get(&ctx->cycles_visited, name)) return;
    if (!mm_vmap_put(ctx->arena, &ctx->cycles_visited, name, (void *)1)) mm_v_oom(ctx);
    const mm_vvec *spreads = mm_v_fragment_spreads(ctx, frag);
    if (spreads->count == 0) return;
    if (!mm_vmap_put(ctx->arena, &ctx->cycles_index, name,
                     (void *)(uintptr_t)(ctx->cycles_path.count + 1)))
        mm_v_oom(ctx);
    for (size_t i = 0; i < spreads->count; i++) {
        const mm_gql_selection *spread = spreads->items[i];
        const char *spread_name = spread->u.spread.name.value;
        size_t cycle_index = (size_t)(uintptr_t)mm_vmap_get(&ctx->cycles_index, spread_name);
        if (!mm_vvec_push(ctx->arena, &ctx->cycles_path, (void *)spread)) mm_v_oom(ctx);
        if (cycle_index == 0) {
            mm_vfragment *target = mm_v_fragment(ctx, spread_name);
            if (target) detect_cycle(ctx, target);
        } else {
            size_t from = cycle_index - 1, n = ctx->cycles_path.count - from;
            mm_gql_loc *locs = mm_arena_alloc(ctx->arena, n * sizeof(*locs));
            if (!locs) mm_v_oom(ctx);
            size_t via_len = 0;
            for (size_t k = 0; k < n; k++) {
                const mm_gql_selection *s = ctx->cycles_path.items[from + k];
                locs[k] = s->loc;
                if (k + 1 < n) via_len += strlen(s->u.spread.name.value) + 4;
            }
            char *via = mm_arena_alloc(ctx->arena, via_len + 1);
            if (!via) mm_v_oom(ctx);
            via[0] = '\0';
            size_t off = 0;
            for (size_t k = 0; k + 1 < n; k++) {
                const mm_gql_selection *s = ctx->cycles_path.items[from + k];
                size_t l = strlen(s->u.spread.name.value);
                if (k) {
                    memcpy(via + off, ", ", 2);
                    off += 2;
                }
                via[off++] = '"';
                memcpy(via + off, s->u.spread.name.value, l);
                off += l;
                via[off++] = '"';
                via[off] = '\0';
            }
            if (off)
                mm_v_report(ctx, locs, n, "Cannot spread fragment \"%s\" within itself via %s.",
                            spread_name, via);
            else
                mm_v_report(ctx, locs, n, "Cannot spread fragment \"%s\" within itself.",
                            spread_name);
        }
        ctx->cycles_path.count--;
    }
    if (!mm_vmap_put(ctx->arena, &ctx->cycles_index, name, (void *)0)) mm_v_oom(ctx);
}

void mm_rule_fragment_cycles(mm_vctx *ctx, const mm_gql_fragment *frag) {
    /* graphql-js looks fragments up by name: a duplicate name resolves to the
     * last definition, and the visited set is by name too. */
    if (mm_vmap_get(&ctx->cycles_visited, frag->name.value)) return;
    mm_vfragment tmp = {.def = frag};
    mm_vfragment *f = mm_v_fragment(ctx, frag->name.value);
    if (!f || f->def != frag) f = &tmp;
    detect_cycle(ctx, f);
}
