/* rule_unique_variable_names.c -- validation rule UniqueVariableNames: no two
 * variable definitions of an operation share a name. */
#include "graphql/validation/validate_internal.h"

/* The location of the variable's name (graphql-js reports variable.name,
 * which starts right after the '$' the definition's location points at). */
static mm_gql_loc name_loc(const mm_gql_variable_definition *def) {
    mm_gql_loc l = def->name.loc;
    l.column++;
    l.offset++;
    return l;
}

void mm_rule_unique_variables(mm_vctx *ctx, const mm_gql_operation *op) {
    size_t n = op->variable_count;
    if (n < 2) return;
    /* groupBy in first-occurrence order: next[i] chains equal names. */
    size_t *next = mm_arena_alloc(ctx->arena, n * sizeof(*next));
    size_t *count = mm_arena_calloc(ctx->arena, n, sizeof(*count));
    bool *first = mm_arena_calloc(ctx->arena, n, sizeof(*first));
    mm_vmap last = {0}; /* name -> index + 1 of the last occurrence so far */
    mm_vmap head = {0}; /* name -> index + 1 of the first occurrence */
    if (!next || !count || !first) mm_v_oom(ctx);
    for (size_t i = 0; i < n; i++) {
        const char *name = op->variables[i].name.value;
        next[i] = SIZE_MAX;
        size_t prev = (size_t)(uintptr_t)mm_vmap_get(&last, name);
        if (prev) {
            next[prev - 1] = i;
            count[(size_t)(uintptr_t)mm_vmap_get(&head, name) - 1]++;
        } else {
            first[i] = true;
            count[i] = 1;
            if (!mm_vmap_put(ctx->arena, &head, name, (void *)(uintptr_t)(i + 1))) mm_v_oom(ctx);
        }
        if (!mm_vmap_put(ctx->arena, &last, name, (void *)(uintptr_t)(i + 1))) mm_v_oom(ctx);
    }
    for (size_t i = 0; i < n; i++) {
        if (!first[i] || count[i] < 2) continue;
        mm_gql_loc *locs = mm_arena_alloc(ctx->arena, count[i] * sizeof(*locs));
        if (!locs) mm_v_oom(ctx);
        size_t k = 0;
        for (size_t j = i; j != SIZE_MAX; j = next[j]) locs[k++] = name_loc(&op->variables[j]);
        mm_v_report(ctx, locs, k, "There can be only one variable named \"$%s\".",
                    op->variables[i].name.value);
    }
}
