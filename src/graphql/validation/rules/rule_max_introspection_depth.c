/* rule_max_introspection_depth.c -- MaxIntrospectionDepth (graphql-js 16's
 * recommended rule, part of specifiedRules): an introspection query may not
 * nest fields/interfaces/possibleTypes/inputFields three deep, the cheap
 * guard against introspection-based denial of service. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

#define MAX_LISTS_DEPTH 3

/* Depths are stored +1 so that 0 means absent. */
static bool check_depth(mm_vctx *ctx, const mm_gql_selection *node, mm_vmap *visited, size_t depth);

static bool check_set(mm_vctx *ctx, const mm_gql_selection_set *set, mm_vmap *visited,
                      size_t depth) {
    if (!set) return false;
    for (size_t i = 0; i < set->count; i++)
        if (check_depth(ctx, &set->items[i], visited, depth)) return true;
    return false;
}

static bool check_depth(mm_vctx *ctx, const mm_gql_selection *node, mm_vmap *visited,
                        size_t depth) {
    if (node->kind == MM_GQL_SEL_FRAGMENT_SPREAD) {
        const char *name = node->u.spread.name.value;
        size_t exceeded = (size_t)(uintptr_t)mm_vmap_get(&ctx->introspection_exceeded, name);
        if (exceeded && exceeded - 1 <= depth) return true;
        size_t v = (size_t)(uintptr_t)mm_vmap_get(visited, name);
        size_t c = (size_t)(uintptr_t)mm_vmap_get(&ctx->introspection_checked, name);
        if ((v && v - 1 >= depth) || (c && c - 1 >= depth)) return false;
        mm_vfragment *f = mm_v_fragment(ctx, name);
        if (!f) return false;
        if (!mm_vmap_put(ctx->arena, visited, name, (void *)(uintptr_t)(depth + 1))) mm_v_oom(ctx);
        if (check_set(ctx, f->def->selection_set, visited, depth)) {
            if (!mm_vmap_put(ctx->arena, &ctx->introspection_exceeded, name,
                             (void *)(uintptr_t)(depth + 1)))
                mm_v_oom(ctx);
            return true;
        }
        if (!mm_vmap_put(ctx->arena, &ctx->introspection_checked, name,
                         (void *)(uintptr_t)(depth + 1)))
            mm_v_oom(ctx);
        return false;
    }
    if (node->kind == MM_GQL_SEL_FIELD) {
        const char *n = node->u.field.name.value;
        bool list = false;
        switch (n[0]) { /* cheap first-letter filter: this runs on every nested field */
        case 'f': list = strcmp(n, "fields") == 0; break;
        case 'i': list = strcmp(n, "interfaces") == 0 || strcmp(n, "inputFields") == 0; break;
        case 'p': list = strcmp(n, "possibleTypes") == 0; break;
        default: break;
        }
        if (list) {
            depth++;
            if (depth >= MAX_LISTS_DEPTH) return true;
        }
        return check_set(ctx, node->u.field.selection_set, visited, depth);
    }
    return check_set(ctx, node->u.inline_fragment.selection_set, visited, depth);
}

bool mm_rule_max_introspection_depth(mm_vctx *ctx, const mm_gql_selection *field) {
    const char *n = field->u.field.name.value;
    if (strcmp(n, "__schema") != 0 && strcmp(n, "__type") != 0) return true;
    mm_vmap visited = {0};
    if (!check_depth(ctx, field, &visited, 0)) return true;
    mm_v_report(ctx, &field->loc, 1, "Maximum introspection depth exceeded");
    return false;
}
