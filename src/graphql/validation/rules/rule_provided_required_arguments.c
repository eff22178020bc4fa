/* rule_provided_required_arguments.c -- validation rule
 * ProvidedRequiredArguments: every non-null argument without a default is
 * given, on fields and on directives. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

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
        mm_v_report(
            ctx, &field->loc, 1,
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
            mm_v_report(
                ctx, &d->loc, 1,
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
