/* rule_known_directives.c -- validation rule KnownDirectives: a directive is
 * defined (in the schema or the document) and allowed where it is used. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

static const struct {
    const char *name;
    unsigned bit;
} location_names[] = {
    {"QUERY", MM_GQL_LOC_QUERY},
    {"MUTATION", MM_GQL_LOC_MUTATION},
    {"SUBSCRIPTION", MM_GQL_LOC_SUBSCRIPTION},
    {"FIELD", MM_GQL_LOC_FIELD},
    {"FRAGMENT_DEFINITION", MM_GQL_LOC_FRAGMENT_DEFINITION},
    {"FRAGMENT_SPREAD", MM_GQL_LOC_FRAGMENT_SPREAD},
    {"INLINE_FRAGMENT", MM_GQL_LOC_INLINE_FRAGMENT},
    {"VARIABLE_DEFINITION", MM_GQL_LOC_VARIABLE_DEFINITION},
    {"SCHEMA", MM_GQL_LOC_SCHEMA},
    {"SCALAR", MM_GQL_LOC_SCALAR},
    {"OBJECT", MM_GQL_LOC_OBJECT},
    {"FIELD_DEFINITION", MM_GQL_LOC_FIELD_DEFINITION},
    {"ARGUMENT_DEFINITION", MM_GQL_LOC_ARGUMENT_DEFINITION},
    {"INTERFACE", MM_GQL_LOC_INTERFACE},
    {"UNION", MM_GQL_LOC_UNION},
    {"ENUM", MM_GQL_LOC_ENUM},
    {"ENUM_VALUE", MM_GQL_LOC_ENUM_VALUE},
    {"INPUT_OBJECT", MM_GQL_LOC_INPUT_OBJECT},
    {"INPUT_FIELD_DEFINITION", MM_GQL_LOC_INPUT_FIELD_DEFINITION},
};

static const char *location_name(unsigned bit) {
    for (size_t i = 0; i < sizeof(location_names) / sizeof(location_names[0]); i++)
        if (location_names[i].bit == bit) return location_names[i].name;
    return "";
}

/* Locations of a directive by name (document definitions win); false if unknown. */
static bool directive_locations(mm_vctx *ctx, const char *name, unsigned *locations) {
    const mm_gql_directive_def *dd = mm_vmap_get(&ctx->directive_defs_in_doc, name);
    if (dd) {
        unsigned bits = 0;
        for (size_t i = 0; i < dd->location_count; i++)
            for (size_t j = 0; j < sizeof(location_names) / sizeof(location_names[0]); j++)
                if (strcmp(dd->locations[i].value, location_names[j].name) == 0)
                    bits |= location_names[j].bit;
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
                    location_name(location));
}
