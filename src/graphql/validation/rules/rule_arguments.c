/* rule_arguments.c -- validation rules about arguments: KnownArgumentNames
 * (on fields and on directives), UniqueArgumentNames and
 * ProvidedRequiredArguments (on fields and on directives). */
#include <string.h>

#include "graphql/validation/validate_internal.h"

void mm_rule_known_directive_args(mm_vctx *ctx, const mm_gql_directive *d) {
    if (d->arg_count == 0) return;
    const char *dname = d->name.value;
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, dname);
    const mm_gql_directive_definition *def = dd ? NULL : mm_gql_schema_find_directive(ctx->schema, dname);
    if (!dd && !def) return;
    size_t nknown = dd ? dd->arg_count : def->arg_count;
    const char **known = mm_arena_alloc(ctx->arena, (nknown + 1) * sizeof(*known));
    if (!known) mm_v_oom(ctx);
    for (size_t i = 0; i < nknown; i++) known[i] = dd ? dd->args[i].name.value : def->args[i].name;
    for (size_t i = 0; i < d->arg_count; i++) {
        const mm_gql_argument *arg = &d->args[i];
        bool found = false;
        for (size_t j = 0; j < nknown && !found; j++) found = strcmp(known[j], arg->name.value) == 0;
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
        const char **options = mm_arena_alloc(ctx->arena, (field->arg_count + 1) * sizeof(*options));
        if (!options) mm_v_oom(ctx);
        for (size_t i = 0; i < field->arg_count; i++) options[i] = field->args[i].name;
        const char **list;
        size_t n = mm_v_suggestion_list(ctx, arg->name.value, options, field->arg_count, &list);
        suggest = mm_v_did_you_mean(ctx, NULL, list, n);
    }
    mm_v_report(ctx, &arg->loc, 1, "Unknown argument \"%s\" on field \"%s.%s\".%s", arg->name.value,
                parent->name, field->name, suggest);
}

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
        mm_v_report(ctx, locs, k, "There can be only one argument named \"%s\".", args[i].name.value);
    }
}

static bool provided(const mm_gql_argument *args, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (strcmp(args[i].name.value, name) == 0) return true;
    return false;
}

void mm_rule_required_field_args(mm_vctx *ctx, const mm_gql_selection *field) {
    mm_gql_field *def = mm_ti_field(ctx->ti);
    if (!def) return;
    for (size_t i = 0; i < def->arg_count; i++) {
        const mm_gql_input_value *a = &def->args[i];
        if (a->type->kind != MM_GQL_NON_NULL || a->default_value) continue;
        if (provided(field->u.field.args, field->u.field.arg_count, a->name)) continue;
        mm_v_report(ctx, &field->loc, 1,
                    "Field \"%s\" argument \"%s\" of type \"%s\" is required, but it was not provided.",
                    def->name, a->name, mm_v_type_str(ctx, a->type));
    }
}

void mm_rule_required_directive_args(mm_vctx *ctx, const mm_gql_directive *d) {
    const char *dname = d->name.value;
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, dname);
    if (dd) {
        for (size_t i = 0; i < dd->arg_count; i++) {
            const mm_gql_input_value_def *a = &dd->args[i];
            if (a->type->kind != MM_GQL_TYPE_NON_NULL || a->default_value) continue;
            if (provided(d->args, d->arg_count, a->name.value)) continue;
            mm_v_report(ctx, &d->loc, 1,
                        "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                        "provided.",
                        dname, a->name.value, mm_v_type_ref_str(ctx, a->type));
        }
        return;
    }
    const mm_gql_directive_definition *def = mm_gql_schema_find_directive(ctx->schema, dname);
    if (!def) return;
    for (size_t i = 0; i < def->arg_count; i++) {
        const mm_gql_input_value *a = &def->args[i];
        if (a->type->kind != MM_GQL_NON_NULL || a->default_value) continue;
        if (provided(d->args, d->arg_count, a->name)) continue;
        mm_v_report(ctx, &d->loc, 1,
                    "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was not "
                    "provided.",
                    dname, a->name, mm_v_type_str(ctx, a->type));
    }
}
