/* rule_known_argument_names.c -- validation rule KnownArgumentNames: every
 * argument of a field or a directive is one the field or directive defines
 * (with graphql-js's suggestions). */
#include <string.h>

#include "graphql/validation/validate_internal.h"

void mm_rule_known_directive_args(mm_vctx *ctx, const mm_gql_directive *d) {
    if (d->arg_count == 0) return;
    const char *dname = d->name.value;
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, dname);
    const mm_gql_directive_definition *def =
        dd ? NULL : mm_gql_schema_find_directive(ctx->schema, dname);
    if (!dd && !def) return;
    size_t nknown = dd ? dd->arg_count : def->arg_count;
    const char **known = mm_arena_alloc(ctx->arena, (nknown + 1) * sizeof(*known));
    if (!known) mm_v_oom(ctx);
    for (size_t i = 0; i < nknown; i++) known[i] = dd ? dd->args[i].name.value : def->args[i].name;
    for (size_t i = 0; i < d->arg_count; i++) {
        const mm_gql_argument *arg = &d->args[i];
        bool found = false;
        for (size_t j = 0; j < nknown && !found; j++)
            found = strcmp(known[j], arg->name.value) == 0;
        if (found) continue;
        const char *suggest = "";
        if (!ctx->hide_suggestions) {
            const char **list;
            size_t n = mm_v_suggestion_list(ctx, arg->name.value, known, nknown, &list);
            suggest = mm_v_did_you_mean(ctx, NULL, list, n);
        }
        mm_v_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on directive \"@%s\".%s",
                    arg->name.value, dname, suggest);
    }
}

void mm_rule_known_field_arg(mm_vctx *ctx, const mm_gql_argument *arg) {
    mm_gql_field *field = mm_ti_field(ctx->ti);
    mm_gql_type *parent = mm_ti_parent_type(ctx->ti);
    if (ctx->ti->argument || !field || !parent) return;
    const char *suggest = "";
    if (!ctx->hide_suggestions) {
        const char **options =
            mm_arena_alloc(ctx->arena, (field->arg_count + 1) * sizeof(*options));
        if (!options) mm_v_oom(ctx);
        for (size_t i = 0; i < field->arg_count; i++) options[i] = field->args[i].name;
        const char **list;
        size_t n = mm_v_suggestion_list(ctx, arg->name.value, options, field->arg_count, &list);
        suggest = mm_v_did_you_mean(ctx, NULL, list, n);
    }
    mm_v_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on field \"%s.%s\".%s", arg->name.value,
                parent->name, field->name, suggest);
}
