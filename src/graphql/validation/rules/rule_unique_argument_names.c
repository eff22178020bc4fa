/* rule_unique_argument_names.c -- validation rule UniqueArgumentNames: no
 * argument is given twice on one field or directive. */
#include "graphql/validation/validate_internal.h"

void mm_rule_unique_args(mm_vctx *ctx, const mm_gql_argument *args, size_t n) {
    if (n < 2) return;
    size_t *next = mm_arena_alloc(ctx->arena, n * sizeof(*next));
    size_t *count = mm_arena_calloc(ctx->arena, n, sizeof(*count));
    mm_vmap last = {0}, head = {0};
    if (!next || !count) mm_v_oom(ctx);
    bool dup = false;
    for (size_t i = 0; i < n; i++) {
        const char *name = args[i].name.value;
        next[i] = SIZE_MAX;
        size_t prev = (size_t)(uintptr_t)mm_vmap_get(&last, name);
        if (prev) {
            next[prev - 1] = i;
            count[(size_t)(uintptr_t)mm_vmap_get(&head, name) - 1]++;
            dup = true;
        } else {
            count[i] = 1;
            if (!mm_vmap_put(ctx->arena, &head, name, (void *)(uintptr_t)(i + 1))) mm_v_oom(ctx);
        }
        if (!mm_vmap_put(ctx->arena, &last, name, (void *)(uintptr_t)(i + 1))) mm_v_oom(ctx);
    }
    if (!dup) return;
    for (size_t i = 0; i < n; i++) {
        if (count[i] < 2) continue;
        mm_gql_loc *locs = mm_arena_alloc(ctx->arena, count[i] * sizeof(*locs));
        if (!locs) mm_v_oom(ctx);
        size_t k = 0;
        for (size_t j = i; j != SIZE_MAX; j = next[j]) locs[k++] = args[j].name.loc;
        mm_v_report(ctx, locs, k, "There can be only one argument named \"%s\".",
                    args[i].name.value);
    }
}
