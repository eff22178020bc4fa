/* collect_fields.c -- grouping a selection set's fields by response key
 * (graphql-js 16 execution/collectFields.ts): @skip/@include, inline
 * fragments and fragment spreads whose type condition matches the runtime
 * object type, each named fragment at most once per collection. */
#define MM_GQL_EXECUTOR_INTERNAL
#include "common/hash.h"
#include "graphql/execution/execute.h"

#include <stdint.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/execution/values.h"

typedef struct collect_ctx {
    mm_gql_execution *ex;
    const mm_gql_type *runtime_type;
    mm_gql_field_groups *out;
    const char **visited; /* fragment names already spread */
    size_t visited_count, visited_cap;
    const char **message;
    mm_gql_loc *loc;
} collect_ctx;

/* The value of the "if" argument of @skip or @include on a node: 1 true,
 * 0 false, -1 absent, -2 error (message set). */
static int directive_if(collect_ctx *c, const mm_gql_directive *dirs, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++) {
        if (strcmp(dirs[i].name.value, name) != 0) continue;
        const mm_gql_directive_definition *def = mm_gql_schema_find_directive(c->ex->schema, name);
        if (!def) return -1;
        json_t *args = mm_gql_get_argument_values(def->args, def->arg_count, dirs[i].args,
                                                  dirs[i].arg_count, dirs[i].loc, c->ex->variables,
                                                  &c->ex->arena, c->message, c->loc);
        if (!args) return -2;
        int r = json_is_true(json_object_get(args, "if"))    ? 1
                : json_is_false(json_object_get(args, "if")) ? 0
                                                             : -1;
        json_decref(args);
        return r;
    }
    return -1;
}

/* graphql-js shouldIncludeNode: 1 include, 0 skip, -1 error. */
static int should_include(collect_ctx *c, const mm_gql_directive *dirs, size_t n) {
    if (n == 0) return 1;
    int skip = directive_if(c, dirs, n, "skip");
    if (skip == -2) return -1;
    if (skip == 1) return 0;
    int include = directive_if(c, dirs, n, "include");
    if (include == -2) return -1;
    if (include == 0) return 0;
    return 1;
}

/* graphql-js doesFragmentConditionMatch. */
static bool condition_matches(collect_ctx *c, const char *type_condition) {
    if (!type_condition) return true;
    const mm_gql_type *cond = mm_gql_schema_find_type(c->ex->schema, type_condition);
    if (!cond) return false;
    if (cond == c->runtime_type) return true;
    if (mm_gql_is_abstract_type(cond)) return mm_gql_is_possible_type(cond, c->runtime_type);
    return false;
}

static const mm_gql_fragment *find_fragment(const mm_gql_document *doc, const char *name) {
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind == MM_GQL_DEF_FRAGMENT && strcmp(d->u.fragment.name.value, name) == 0)
            return &d->u.fragment;
    }
    return NULL;
}

/* Selection sets are usually small and scanned linearly; past this many
 * response keys a hash index keeps hostile wide documents linear. */
#define INDEX_THRESHOLD 16

static size_t hash_key(const char *s) { return (size_t)mm_fnv1a_str(s); }

static int rebuild_index(collect_ctx *c, mm_gql_field_groups *g) {
    size_t cap = 64;
    while (cap < g->count * 2) cap *= 2;
    size_t *index = mm_arena_calloc(&c->ex->arena, cap, sizeof(*index));
    if (!index) return -1;
    for (size_t i = 0; i < g->count; i++) {
        size_t slot = hash_key(g->items[i].response_key) & (cap - 1);
        while (index[slot]) slot = (slot + 1) & (cap - 1);
        index[slot] = i + 1;
    }
    g->index = index;
    g->index_cap = cap;
    return 0;
}

static mm_gql_field_group *find_group(mm_gql_field_groups *g, const char *key) {
    if (g->index) {
        size_t slot = hash_key(key) & (g->index_cap - 1);
        for (; g->index[slot]; slot = (slot + 1) & (g->index_cap - 1))
            if (strcmp(g->items[g->index[slot] - 1].response_key, key) == 0)
                return &g->items[g->index[slot] - 1];
        return NULL;
    }
    for (size_t i = 0; i < g->count; i++)
        if (strcmp(g->items[i].response_key, key) == 0) return &g->items[i];
    return NULL;
}

static int add_field(collect_ctx *c, const mm_gql_selection *sel) {
    const char *key = sel->u.field.alias.value ? sel->u.field.alias.value : sel->u.field.name.value;
    mm_gql_field_groups *g = c->out;
    mm_gql_field_group *group = find_group(g, key);
    if (!group) {
        if (g->count == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 8;
            mm_gql_field_group *items = mm_arena_alloc(&c->ex->arena, cap * sizeof(*items));
            if (!items) return -1;
            if (g->count) memcpy(items, g->items, g->count * sizeof(*items));
            g->items = items;
            g->cap = cap;
        }
        group = &g->items[g->count++];
        *group = (mm_gql_field_group){.response_key = key, .response_key_len = strlen(key)};
        if (g->count > INDEX_THRESHOLD) {
            if (g->count * 2 > g->index_cap) {
                if (rebuild_index(c, g) < 0) return -1;
            } else {
                size_t slot = hash_key(key) & (g->index_cap - 1);
                while (g->index[slot]) slot = (slot + 1) & (g->index_cap - 1);
                g->index[slot] = g->count;
            }
        }
    }
    if (group->count == group->cap) {
        size_t cap = group->cap ? group->cap * 2 : 2;
        const mm_gql_selection **nodes = mm_arena_alloc(&c->ex->arena, cap * sizeof(*nodes));
        if (!nodes) return -1;
        if (group->count) memcpy(nodes, group->nodes, group->count * sizeof(*nodes));
        group->nodes = nodes;
        group->cap = cap;
    }
    group->nodes[group->count++] = sel;
    return 0;
}

static int collect(collect_ctx *c, const mm_gql_selection_set *set) {
    if (!set) return 0;
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        switch (sel->kind) {
        case MM_GQL_SEL_FIELD: {
            int inc = should_include(c, sel->directives, sel->directive_count);
            if (inc < 0) return -1;
            if (inc && add_field(c, sel) < 0) return -1;
            break;
        }
        case MM_GQL_SEL_INLINE_FRAGMENT: {
            int inc = should_include(c, sel->directives, sel->directive_count);
            if (inc < 0) return -1;
            if (!inc || !condition_matches(c, sel->u.inline_fragment.type_condition.value)) break;
            if (collect(c, sel->u.inline_fragment.selection_set) < 0) return -1;
            break;
        }
        case MM_GQL_SEL_FRAGMENT_SPREAD: {
            const char *name = sel->u.spread.name.value;
            bool seen = false;
            for (size_t v = 0; v < c->visited_count; v++)
                if (strcmp(c->visited[v], name) == 0) seen = true;
            if (seen) break;
            int inc = should_include(c, sel->directives, sel->directive_count);
            if (inc < 0) return -1;
            if (!inc) break;
            if (c->visited_count == c->visited_cap) {
                size_t cap = c->visited_cap ? c->visited_cap * 2 : 8;
                const char **nv = mm_arena_alloc(&c->ex->arena, cap * sizeof(*nv));
                if (!nv) return -1;
                if (c->visited_count) memcpy(nv, c->visited, c->visited_count * sizeof(*nv));
                c->visited = nv;
                c->visited_cap = cap;
            }
            c->visited[c->visited_count++] = name;
            const mm_gql_fragment *frag = find_fragment(c->ex->document, name);
            if (!frag || !condition_matches(c, frag->type_condition.value)) break;
            if (collect(c, frag->selection_set) < 0) return -1;
            break;
        }
        }
    }
    return 0;
}

static const char out_of_memory[] = "Out of memory while collecting fields.";

/* Looks up each group's field definition once for every object the
 * collection serves (graphql-js getFieldDef); the schema does not change
 * while it executes. Without memory the executor looks them up itself. */
static void lookup_defs(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                        mm_gql_field_groups *out) {
    if (!out->count) return;
    const mm_gql_field **defs = mm_arena_alloc(&ex->arena, out->count * sizeof(*defs));
    if (!defs) return;
    for (size_t i = 0; i < out->count; i++) {
        const char *name = out->items[i].nodes[0]->u.field.name.value;
        defs[i] = mm_gql_get_field_def(ex->schema, runtime_type, name);
        out->items[i].name_len = strlen(name); /* the default resolver compares it */
    }
    out->defs = defs;
    /* Filled by the executor as it coerces arguments (NULL: no memo). */
    out->args = mm_arena_calloc(&ex->arena, out->count, sizeof(*out->args));
}

int mm_gql_collect_fields(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                          const mm_gql_selection_set *set, mm_gql_field_groups *out,
                          const char **message, mm_gql_loc *loc) {
    *message = NULL;
    collect_ctx c = {
        .ex = ex, .runtime_type = runtime_type, .out = out, .message = message, .loc = loc};
    if (collect(&c, set) < 0) {
        if (!*message) *message = out_of_memory;
        return -1;
    }
    lookup_defs(ex, runtime_type, out);
    return 0;
}

int mm_gql_collect_subfields(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                             const mm_gql_field_group *group, mm_gql_field_groups *out,
                             const char **message, mm_gql_loc *loc) {
    *message = NULL;
    collect_ctx c = {
        .ex = ex, .runtime_type = runtime_type, .out = out, .message = message, .loc = loc};
    for (size_t i = 0; i < group->count; i++) {
        if (collect(&c, group->nodes[i]->u.field.selection_set) < 0) {
            if (!*message) *message = out_of_memory;
            return -1;
        }
    }
    lookup_defs(ex, runtime_type, out);
    return 0;
}

/* One memoized collection: the sub-fields of group on runtime objects of type. */
struct mm_gql_subfields_memo {
    const mm_gql_type *type;
    const mm_gql_field_group *group;
    mm_gql_field_groups fields;
};

static size_t memo_slot(const mm_gql_type *type, const mm_gql_field_group *group, size_t cap) {
    uint64_t h =
        ((uint64_t)(uintptr_t)group * 0x9E3779B97F4A7C15u) ^ ((uint64_t)(uintptr_t)type >> 4);
    h ^= h >> 29;
    return (size_t)h & (cap - 1);
}

static int memo_grow(mm_gql_execution *ex) {
    /* Most operations nest a few object types: start small (it is zeroed). */
    size_t cap = ex->subfields_memo_cap ? ex->subfields_memo_cap * 2 : 8;
    struct mm_gql_subfields_memo *t = mm_arena_calloc(&ex->arena, cap, sizeof(*t));
    if (!t) return -1;
    for (size_t i = 0; i < ex->subfields_memo_cap; i++) {
        struct mm_gql_subfields_memo *e = &ex->subfields_memo[i];
        if (!e->group) continue;
        size_t s = memo_slot(e->type, e->group, cap);
        while (t[s].group) s = (s + 1) & (cap - 1);
        t[s] = *e;
    }
    ex->subfields_memo = t;
    ex->subfields_memo_cap = cap;
    return 0;
}

int mm_gql_collect_subfields_memo(mm_gql_execution *ex, const mm_gql_type *runtime_type,
                                  const mm_gql_field_group *group, const mm_gql_field_groups **out,
                                  const char **message, mm_gql_loc *loc) {
    *out = NULL;
    if (ex->subfields_memo_cap) {
        size_t cap = ex->subfields_memo_cap;
        for (size_t s = memo_slot(runtime_type, group, cap); ex->subfields_memo[s].group;
             s = (s + 1) & (cap - 1))
            if (ex->subfields_memo[s].group == group &&
                ex->subfields_memo[s].type == runtime_type) {
                *out = &ex->subfields_memo[s].fields;
                return 0;
            }
    }
    mm_gql_field_groups fields = {0};
    /* A failed collection is not remembered: it fails the same way again. */
    if (mm_gql_collect_subfields(ex, runtime_type, group, &fields, message, loc) < 0) return -1;
    if ((ex->subfields_memo_count + 1) * 2 > ex->subfields_memo_cap && memo_grow(ex) < 0) {
        *message = out_of_memory;
        return -1;
    }
    size_t cap = ex->subfields_memo_cap;
    size_t s = memo_slot(runtime_type, group, cap);
    while (ex->subfields_memo[s].group) s = (s + 1) & (cap - 1);
    ex->subfields_memo[s] =
        (struct mm_gql_subfields_memo){.type = runtime_type, .group = group, .fields = fields};
    ex->subfields_memo_count++;
    *out = &ex->subfields_memo[s].fields;
    return 0;
}

void mm_gql_release_memoized_args(mm_gql_execution *ex) {
    for (size_t i = 0; ex->root_fields.args && i < ex->root_fields.count; i++)
        json_decref(ex->root_fields.args[i]);
    for (size_t s = 0; s < ex->subfields_memo_cap; s++) {
        const mm_gql_field_groups *g = &ex->subfields_memo[s].fields;
        if (!ex->subfields_memo[s].group || !g->args) continue;
        for (size_t i = 0; i < g->count; i++) json_decref(g->args[i]);
    }
}
