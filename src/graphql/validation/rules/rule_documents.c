/* rule_documents.c -- validation rules about a document's definitions:
 * ExecutableDefinitions, UniqueOperationNames, LoneAnonymousOperation and
 * UniqueFragmentNames (graphql-js messages and locations). */
#include "graphql/validation/validate_internal.h"

void mm_rule_document_enter(mm_vctx *ctx) {
    for (size_t i = 0; i < ctx->doc->definition_count; i++) {
        const mm_gql_definition *d = &ctx->doc->definitions[i];
        if (d->kind == MM_GQL_DEF_OPERATION || d->kind == MM_GQL_DEF_FRAGMENT) continue;
        if (d->kind == MM_GQL_DEF_SCHEMA) {
            mm_v_report(ctx, &d->loc, 1, "The schema definition is not executable.");
        } else {
            const char *name = d->kind == MM_GQL_DEF_TYPE ? d->u.type.name.value
                                                          : d->u.directive.name.value;
            mm_v_report(ctx, &d->loc, 1, "The \"%s\" definition is not executable.", name);
        }
    }
}

void mm_rule_operation_names(mm_vctx *ctx, const mm_gql_definition *def) {
    const mm_gql_name *name = &def->u.operation.name;
    if (!name->value) return;
    const mm_gql_name *known = mm_vmap_get(&ctx->op_names, name->value);
    if (known) {
        mm_gql_loc locs[2] = {known->loc, name->loc};
        mm_v_report(ctx, locs, 2, "There can be only one operation named \"%s\".", name->value);
    } else if (!mm_vmap_put(ctx->arena, &ctx->op_names, name->value, (void *)name)) {
        mm_v_oom(ctx);
    }
}

void mm_rule_lone_anonymous(mm_vctx *ctx, const mm_gql_definition *def) {
    if (!def->u.operation.name.value && ctx->operation_count > 1)
        mm_v_report(ctx, &def->loc, 1, "This anonymous operation must be the only defined operation.");
}

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
