/* schema_sources.c -- which source document a schema definition came from,
 * for schemas built from several SDL sources (one per service): the
 * builder, the SDL validator and the schema validator all tag their errors
 * with it, so it lives below all three. */
#include <stddef.h>
#include <stdint.h>

#include "graphql/type/schema_private.h"

void mm_gql_error_set_source(mm_gql_error *error, const char *const *source_names, size_t doc_count,
                             size_t doc_index) {
    if (doc_count < 2 || doc_index >= doc_count || error->extensions) return;
    error->extensions = json_pack("{s:s}", "source", source_names[doc_index]);
}

size_t mm_gql_schema_doc_of(const mm_gql_schema *schema, const mm_gql_type_def *def) {
    const mm_gql_schema_private *priv = mm_gql_schema_priv(schema);
    if (!def) return SIZE_MAX;
    const mm_gql_definition *d =
        (const mm_gql_definition *)((const char *)def - offsetof(mm_gql_definition, u));
    for (size_t i = 0; i < priv->doc_count; i++) {
        const mm_gql_document *doc = priv->docs[i];
        if (doc->definition_count && d >= doc->definitions &&
            d < doc->definitions + doc->definition_count)
            return i;
    }
    return SIZE_MAX;
}
