/* cost.h -- the static cost of an operation: how many fields it selects
 * once its fragments are expanded.
 *
 * An alias is a field of its own, so 1,000 aliases of a list field cost
 * 1,000 times that field and its sub-selection, and a fragment spread costs
 * whatever the fragment selects, each time it is spread. @skip/@include are
 * not looked at (the count is an upper bound of what can run), and lists are
 * not multiplied by their length (unknown before execution: the executor's
 * field budget bounds that at run time). Checked after validation, before
 * anything is resolved, so a document that would explode is refused before
 * it allocates (graphql.h: max_cost). */
#ifndef MM_GRAPHQL_COST_H
#define MM_GRAPHQL_COST_H

#include <stddef.h>

#include "common/arena.h"
#include "graphql/language/ast.h"

/* The cost of op in doc, counted up to limit: a result above limit means
 * "more than limit" (counting stops there, so a huge cost is cheap to find).
 * Fragments nested deeper than 256 spreads, and fragment cycles (which
 * validation refuses), count as more than limit; unknown fragments as 0.
 * scratch holds the work memory (per fragment, its cost once known).
 * SIZE_MAX when out of memory. */
size_t mm_gql_operation_cost(const mm_gql_document *doc, const mm_gql_operation *op, size_t limit,
                             mm_arena *scratch);

/* The costs of all operations of doc at once (fragments counted once for
 * all): an array of doc->definition_count, in arena, the cost of each
 * operation definition at its index (as above, up to limit), 0 for the other
 * definitions. NULL when out of memory. */
size_t *mm_gql_document_costs(const mm_gql_document *doc, size_t limit, mm_arena *arena);

#endif
