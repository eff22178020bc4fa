/* schema_strings.c -- the true length of schema strings that point into the
 * SDL's AST. A description or a deprecation reason may hold U+0000 (a raw
 * NUL in a block string, or "\u0000"); graphql-js keeps it, and strlen would
 * cut it off, so printing and introspection ask the AST string instead. */
#include <string.h>

#include "graphql/type/schema_private.h"

size_t mm_gql_description_length(const char *s, const mm_gql_description *ast) {
    if (!s) return 0;
    if (ast && ast->chars == s) return ast->length;
    return strlen(s);
}

size_t mm_gql_deprecation_reason_length(const char *s, const mm_gql_directive *dirs, size_t n) {
    if (!s) return 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(dirs[i].name.value, "deprecated") != 0) continue;
        for (size_t j = 0; j < dirs[i].arg_count; j++) {
            const mm_gql_value *v = dirs[i].args[j].value;
            if (v->kind == MM_GQL_VALUE_STRING && v->u.string.chars == s) return v->u.string.length;
        }
    }
    return strlen(s); /* the default reason, a C literal */
}
