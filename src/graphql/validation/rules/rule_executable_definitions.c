/* rule_executable_definitions.c -- validation rule ExecutableDefinitions: an
 * executable document holds only operations and fragments. */
#include "graphql/validation/validate_internal.h"

void mm_rule_document_enter(mm_vctx *ctx) {
    for (size_t i = 0; i < ctx->doc->definition_count; i++) {
        const mm_gql_definition *d = &ctx->doc->definitions[i];
        if (d->kind == MM_GQL_DEF_OPERATION || d->kind == MM_GQL_DEF_FRAGMENT) continue;
        if (d->kind == MM_GQL_DEF_SCHEMA) {
            mm_v_report(ctx, &d->loc, 1, "The schema definition is not executable.");
        } else {
            const char *name =
                d->kind == MM_GQL_DEF_TYPE ? d->u.type.name.value : d->u.directive.name.value;
            mm_v_report(ctx, &d->loc, 1, "The \"%s\" definition is not executable.", name);
        }
    }
}
