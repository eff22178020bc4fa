/* rule_known_type_names.c -- validation rule KnownTypeNames: every named type
 * in a document exists. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

static const char *const standard_type_names[] = {
    "String",     "Int",      "Float",        "Boolean",
    "ID",         "__Schema", "__Directive",  "__DirectiveLocation",
    "__Type",     "__Field",  "__InputValue", "__EnumValue",
    "__TypeKind",
};
#define N_STANDARD (sizeof(standard_type_names) / sizeof(standard_type_names[0]))

void mm_rule_known_type_name(mm_vctx *ctx, const mm_gql_name *name, bool in_sdl) {
    const char *type_name = name->value;
    if (mm_gql_schema_find_type(ctx->schema, type_name) ||
        mm_vmap_get(&ctx->type_defs_in_doc, type_name))
        return;
    if (in_sdl) {
        for (size_t i = 0; i < N_STANDARD; i++)
            if (strcmp(standard_type_names[i], type_name) == 0) return;
    }
    const char *suggest = "";
    if (!ctx->hide_suggestions) {
        size_t n =
            (in_sdl ? N_STANDARD : 0) + ctx->schema->type_count + ctx->type_defs_in_doc.count;
        const char **options = mm_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*options));
        if (!options) mm_v_oom(ctx);
        size_t k = 0;
        if (in_sdl)
            for (size_t i = 0; i < N_STANDARD; i++) options[k++] = standard_type_names[i];
        for (size_t i = 0; i < ctx->schema->type_count; i++)
            options[k++] = ctx->schema->types[i]->name;
        for (size_t i = 0; i < ctx->type_defs_in_doc.cap; i++)
            if (ctx->type_defs_in_doc.keys[i]) options[k++] = ctx->type_defs_in_doc.keys[i];
        const char **list;
        size_t m = mm_v_suggestion_list(ctx, type_name, options, k, &list);
        suggest = mm_v_did_you_mean(ctx, NULL, list, m);
    }
    mm_v_report(ctx, &name->loc, 1, "Unknown type \"%s\".%s", type_name, suggest);
}
