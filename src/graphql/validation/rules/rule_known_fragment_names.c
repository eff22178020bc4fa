/* rule_known_fragment_names.c -- validation rule KnownFragmentNames: a spread
 * names a fragment the document defines. */
#include "graphql/validation/validate_internal.h"

void mm_rule_known_fragment(mm_vctx *ctx, const mm_gql_selection *spread) {
    const mm_gql_name *name = &spread->u.spread.name;
    if (!mm_v_fragment(ctx, name->value))
        mm_v_report(ctx, &name->loc, 1, "Unknown fragment \"%s\".", name->value);
}
