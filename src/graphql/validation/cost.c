/* cost.c -- the static cost of an operation (cost.h). */
#include "graphql/validation/cost.h"

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define MAX_FRAGMENT_NESTING 256

/* A fragment's cost, computed once: a spread costs a lookup after that. */
typedef struct frag_slot {
    const mm_gql_fragment *frag;
    size_t cost; /* valid when known */
    int state;   /* 0 unknown, 1 being counted, 2 known */
} frag_slot;

typedef struct cost_ctx {
    frag_slot *slots; /* open addressing by name hash; cap a power of two */
    size_t cap;
    size_t limit; /* counting stops past this */
    int nesting;
} cost_ctx;

static size_t hash_name(const char *s) {
    size_t h = 1469598103934665603u;
    while (*s) h = (h ^ (unsigned char)*s++) * 1099511628211u;
    return h;
}

static frag_slot *find_slot(cost_ctx *c, const char *name) {
    for (size_t i = hash_name(name) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        if (!c->slots[i].frag) return NULL;
        if (strcmp(c->slots[i].frag->name.value, name) == 0) return &c->slots[i];
    }
}

static size_t add_sat(size_t a, size_t b) { return a > SIZE_MAX - b ? SIZE_MAX : a + b; }

static size_t set_cost(cost_ctx *c, const mm_gql_selection_set *set);

static size_t spread_cost(cost_ctx *c, const char *name) {
    frag_slot *slot = find_slot(c, name);
    if (!slot) return 0; /* unknown fragment: validation refused it already */
    if (slot->state == 2) return slot->cost;
    if (slot->state == 1 || c->nesting >= MAX_FRAGMENT_NESTING) return add_sat(c->limit, 1);
    slot->state = 1;
    c->nesting++;
    size_t cost = set_cost(c, slot->frag->selection_set);
    c->nesting--;
    slot->cost = cost;
    slot->state = 2;
    return cost;
}

static size_t set_cost(cost_ctx *c, const mm_gql_selection_set *set) {
    size_t cost = 0;
    if (!set) return 0;
    for (size_t i = 0; i < set->count && cost <= c->limit; i++) {
        const mm_gql_selection *sel = &set->items[i];
        switch (sel->kind) {
        case MM_GQL_SEL_FIELD:
            cost = add_sat(cost, 1);
            if (sel->u.field.selection_set)
                cost = add_sat(cost, set_cost(c, sel->u.field.selection_set));
            break;
        case MM_GQL_SEL_INLINE_FRAGMENT:
            cost = add_sat(cost, set_cost(c, sel->u.inline_fragment.selection_set));
            break;
        case MM_GQL_SEL_FRAGMENT_SPREAD:
            cost = add_sat(cost, spread_cost(c, sel->u.spread.name.value));
            break;
        }
    }
    return cost;
}

/* Indexes doc's fragments by name; false when out of memory. */
static bool ctx_init(cost_ctx *c, const mm_gql_document *doc, size_t limit, mm_arena *arena) {
    size_t frags = 0;
    for (size_t i = 0; i < doc->definition_count; i++)
        if (doc->definitions[i].kind == MM_GQL_DEF_FRAGMENT) frags++;
    *c = (cost_ctx){.limit = limit, .cap = 1};
    while (c->cap < frags * 2) c->cap *= 2;
    c->slots = mm_arena_calloc(arena, c->cap, sizeof(*c->slots));
    if (!c->slots) return false;
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind != MM_GQL_DEF_FRAGMENT) continue;
        size_t j = hash_name(d->u.fragment.name.value) & (c->cap - 1);
        while (c->slots[j].frag &&
               strcmp(c->slots[j].frag->name.value, d->u.fragment.name.value) != 0)
            j = (j + 1) & (c->cap - 1);
        if (!c->slots[j].frag)
            c->slots[j].frag = &d->u.fragment; /* the first of a name, as validation reports */
    }
    return true;
}

size_t mm_gql_operation_cost(const mm_gql_document *doc, const mm_gql_operation *op, size_t limit,
                             mm_arena *scratch) {
    assert(doc && op);
    cost_ctx c;
    if (!ctx_init(&c, doc, limit, scratch)) return SIZE_MAX;
    return set_cost(&c, op->selection_set);
}

size_t *mm_gql_document_costs(const mm_gql_document *doc, size_t limit, mm_arena *arena) {
    assert(doc);
    size_t *costs =
        mm_arena_calloc(arena, doc->definition_count ? doc->definition_count : 1, sizeof(*costs));
    cost_ctx c;
    if (!costs || !ctx_init(&c, doc, limit, arena)) return NULL;
    for (size_t i = 0; i < doc->definition_count; i++)
        if (doc->definitions[i].kind == MM_GQL_DEF_OPERATION)
            costs[i] = set_cost(&c, doc->definitions[i].u.operation.selection_set);
    return costs;
}
