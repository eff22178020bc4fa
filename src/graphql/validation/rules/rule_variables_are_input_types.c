/* rule_variables_are_input_types.c -- validation rule VariablesAreInputTypes:
 * a variable's type is an input type. */
#include "graphql/validation/validate_internal.h"

void mm_rule_variable_input_type(mm_vctx *ctx, const mm_gql_variable_definition *def) {
    mm_gql_type *t = mm_gql_type_from_ast(ctx->schema, def->type);
    if (!t || mm_gql_is_input_type(t)) return;
    mm_v_report(ctx, &def->type->loc, 1, "Variable \"$%s\" cannot be non-input type \"%s\".",
                def->name.value, mm_v_type_ref_str(ctx, def->type));
}
