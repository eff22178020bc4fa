/* rule_known_directives.c -- validation rule KnownDirectives: a directive is
 * defined (in the schema or the document) and allowed where it is used. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

/* Locations of a directive by name (document definitions win); false if unknown. */
static bool directive_locations(mm_vctx *ctx, const char *name, unsigned *locations) {
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, name);
    if (dd) {
        unsigned bits = 0;
        for (size_t i = 0; i < dd->location_count; i++)
            bits |= mm_gql_directive_location_bit(dd->locations[i].value);
        *locations = bits;
        return true;
    }
    const mm_gql_directive_definition *def = mm_gql_schema_find_directive(ctx->schema, name);
    if (!def) return false;
    *locations = def->locations;
    return true;
}

void mm_rule_known_directive(mm_vctx *ctx, const mm_gql_directive *d, unsigned location) {
    unsigned locations;
    if (!directive_locations(ctx, d->name.value, &locations)) {
        mm_v_report(ctx, &d->loc, 1, "Unknown directive \"@%s\".", d->name.value);
        return;
    }
    if (location && !(locations & location))
        mm_v_report(ctx, &d->loc, 1, "Directive \"@%s\" may not be used on %s.", d->name.value,
                    mm_gql_directive_location_name(location));
}
