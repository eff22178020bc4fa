/* rule_lone_anonymous_operation.c -- validation rule LoneAnonymousOperation:
 * an anonymous operation is the only operation in its document. */
#include "graphql/validation/validate_internal.h"

void mm_rule_lone_anonymous(mm_vctx *ctx, const mm_gql_definition *def) {
    if (!def->u.operation.name.value && ctx->operation_count > 1)
        mm_v_report(ctx, &def->loc, 1,
                    "This anonymous operation must be the only defined operation.");
}
