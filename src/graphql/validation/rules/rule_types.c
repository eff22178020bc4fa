/* rule_types.c -- validation rules about named types in a document:
 * KnownTypeNames, FragmentsOnCompositeTypes and VariablesAreInputTypes. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

static const char *const standard_type_names[] = {
    "String", "Int", "Float", "Boolean", "ID",
    "__Schema", "__Directive", "__DirectiveLocation", "__Type", "__Field",
    "__InputValue", "__EnumValue", "__TypeKind",
};
#define N_STANDARD (sizeof(standard_type_names) / sizeof(standard_type_names[0]))

void mm_rule_known_type_name(mm_vctx *ctx, const mm_gql_name *name, bool in_sdl) {
    const char *type_name = name->value;
    if (mm_gql_schema_find_type(ctx->schema, type_name) || mm_vmap_get(&ctx->type_defs_in_doc, type_name))
        return;
    if (in_sdl) {
        for (size_t i = 0; i < N_STANDARD; i++)
            if (strcmp(standard_type_names[i], type_name) == 0) return;
    }
    const char *suggest = "";
    if (!ctx->hide_suggestions) {
        size_t n = (in_sdl ? N_STANDARD : 0) + ctx->schema->type_count + ctx->type_defs_in_doc.count;
        const char **options = mm_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*options));
        if (!options) mm_v_oom(ctx);
        size_t k = 0;
        if (in_sdl)
            for (size_t i = 0; i < N_STANDARD; i++) options[k++] = standard_type_names[i];
        for (size_t i = 0; i < ctx->schema->type_count; i++) options[k++] = ctx->schema->types[i]->name;
        for (size_t i = 0; i < ctx->type_defs_in_doc.cap; i++)
            if (ctx->type_defs_in_doc.keys[i]) options[k++] = ctx->type_defs_in_doc.keys[i];
        const char **list;
        size_t m = mm_v_suggestion_list(ctx, type_name, options, k, &list);
        suggest = mm_v_did_you_mean(ctx, NULL, list, m);
    }
    mm_v_report(ctx, &name->loc, 1, "Unknown type \"%s\".%s", type_name, suggest);
}

void mm_rule_fragment_composite(mm_vctx *ctx, const char *fragment_name, const mm_gql_name *cond) {
    mm_gql_type *t = mm_gql_schema_find_type(ctx->schema, cond->value);
    if (!t || mm_gql_is_composite_type(t)) return;
    if (fragment_name)
        mm_v_report(ctx, &cond->loc, 1,
                    "Fragment \"%s\" cannot condition on non composite type \"%s\".", fragment_name,
                    cond->value);
    else
        mm_v_report(ctx, &cond->loc, 1, "Fragment cannot condition on non composite type \"%s\".",
                    cond->value);
}

void mm_rule_variable_input_type(mm_vctx *ctx, const mm_gql_variable_definition *def) {
    mm_gql_type *t = mm_gql_type_from_ast(ctx->schema, def->type);
    if (!t || mm_gql_is_input_type(t)) return;
    mm_v_report(ctx, &def->type->loc, 1, "Variable \"$%s\" cannot be non-input type \"%s\".",
                def->name.value, mm_v_type_ref_str(ctx, def->type));
}
