/* rule_unique_directives_per_location.c -- validation rule
 * UniqueDirectivesPerLocation: a non-repeatable directive appears at most once
 * per location. Directive definitions inside the document count, as in
 * graphql-js. */
#include "graphql/validation/validate_internal.h"

/* Whether the directive may appear only once (unknown directives are not checked). */
static bool is_unique(mm_vctx *ctx, const char *name) {
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, name);
    if (dd) return !dd->repeatable;
    const mm_gql_directive_definition *def = mm_gql_schema_find_directive(ctx->schema, name);
    return def && !def->repeatable;
}

void mm_rule_unique_directives(mm_vctx *ctx, const mm_gql_directive *ds, size_t n, int owner_kind,
                               const char *owner) {
    if (n == 0) return;
    mm_vmap local = {0};
    mm_vmap *seen = &local;
    if (owner_kind == 1) {
        seen = &ctx->schema_directives;
    } else if (owner_kind == 2 || owner_kind == 3) {
        mm_vmap *maps = owner_kind == 2 ? &ctx->type_directives : &ctx->directive_directives;
        seen = mm_vmap_get(maps, owner);
        if (!seen) {
            seen = mm_arena_calloc(ctx->arena, 1, sizeof(*seen));
            if (!seen || !mm_vmap_put(ctx->arena, maps, owner, seen)) mm_v_oom(ctx);
        }
    } else if (n == 1) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const mm_gql_directive *d = &ds[i];
        if (!is_unique(ctx, d->name.value)) continue;
        const mm_gql_directive *prev = mm_vmap_get(seen, d->name.value);
        if (prev) {
            mm_gql_loc locs[2] = {prev->loc, d->loc};
            mm_v_report(ctx, locs, 2,
                        "The directive \"@%s\" can only be used once at this location.",
                        d->name.value);
        } else if (!mm_vmap_put(ctx->arena, seen, d->name.value, (void *)d)) {
            mm_v_oom(ctx);
        }
    }
}
