/* rule_overlapping_fields.c -- OverlappingFieldsCanBeMerged (specification
 * §5.3.2 "Field Selection Merging"), graphql-js 16's algorithm: fields with
 * the same response name must be the same field with the same arguments
 * (unless their parents are distinct object types) and have shapes that
 * merge, compared across fragments and nested selections.
 *
 * What keeps it from blowing up on repeated fragment spreads is graphql-js's
 * memoization, reproduced here: collected field maps are cached per
 * (parent type, selection set), each pair of fragments is compared once per
 * exclusivity, each field map is compared with a fragment once, field-pair
 * comparisons and argument strings are cached, and a work budget aborts
 * pathological documents with "Validation aborted." as graphql-js does. */
#include <string.h>

#include "common/strbuf.h"
#include "graphql/validation/validate_internal.h"

#define MAX_CONFLICT_DETAIL_LENGTH 1000
#define MAX_CONFLICT_NODES         20
#define MAX_COMPLEXITY_BUDGET      500000

/* ---- a map keyed by a pair of pointers ---------------------------------- */

typedef struct pkey {
    const void *a, *b;
} pkey;

typedef struct pmap {
    pkey *keys;
    void **vals;
    bool *used;
    size_t cap, count;
} pmap;

static size_t phash(pkey k) {
    uint64_t h = (uint64_t)(uintptr_t)k.a * 0x9E3779B97F4A7C15ull;
    h ^= (uint64_t)(uintptr_t)k.b + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= h >> 29;
    return (size_t)h;
}

static void **pmap_slot(mm_vctx *ctx, pmap *m, const void *a, const void *b, bool create) {
    pkey k = {a, b};
    if (create && (m->count + 1) * 2 > m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 64;
        pkey *keys = mm_arena_alloc(ctx->arena, cap * sizeof(*keys));
        void **vals = mm_arena_alloc(ctx->arena, cap * sizeof(*vals));
        bool *used = mm_arena_calloc(ctx->arena, cap, sizeof(*used));
        if (!keys || !vals || !used) mm_v_oom(ctx);
        for (size_t i = 0; i < m->cap; i++) {
            if (!m->used[i]) continue;
            size_t j = phash(m->keys[i]) & (cap - 1);
            while (used[j]) j = (j + 1) & (cap - 1);
            used[j] = true;
            keys[j] = m->keys[i];
            vals[j] = m->vals[i];
        }
        m->keys = keys;
        m->vals = vals;
        m->used = used;
        m->cap = cap;
    }
    if (!m->cap) return NULL;
    size_t mask = m->cap - 1;
    for (size_t i = phash(k) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) {
            if (!create) return NULL;
            m->used[i] = true;
            m->keys[i] = k;
            m->vals[i] = NULL;
            m->count++;
            return &m->vals[i];
        }
        if (m->keys[i].a == a && m->keys[i].b == b) return &m->vals[i];
    }
}

static void *pmap_get(mm_vctx *ctx, pmap *m, const void *a, const void *b) {
    void **slot = pmap_slot(ctx, m, a, b, false);
    return slot ? *slot : NULL;
}

static void pmap_put(mm_vctx *ctx, pmap *m, const void *a, const void *b, void *v) {
    *pmap_slot(ctx, m, a, b, true) = v;
}

/* ---- the rule's data ---------------------------------------------------- */

typedef struct arg_info {
    const mm_gql_argument *nodes;
    size_t count;
    mm_vmap values; /* name -> const mm_gql_value* (the last one) */
} arg_info;

typedef struct field_info {
    mm_gql_type *named_type;
    arg_info *args; /* NULL when the field has no arguments */
    const char *type_string;
} field_info;

typedef struct field_detail {
    mm_gql_type *parent_type;
    const mm_gql_selection *node;
    mm_gql_field *def;
    bool is_simple_leaf;
    field_info *info;
} field_detail;

typedef struct field_group {
    const char *response_name;
    mm_vvec fields; /* field_detail* */
} field_group;

typedef struct collect_result {
    mm_vvec groups;         /* field_group*, in insertion order */
    mm_vmap index;          /* response name -> field_group* */
    mm_vvec fragment_names; /* const char*, deduplicated */
} collect_result;

typedef struct conflict {
    const char *response_name;
    const char *reason;
    mm_vvec fields1; /* const mm_gql_selection* */
    mm_vvec fields2;
} conflict;

typedef struct overlap {
    const char *response_name;
    field_group *g1, *g2;
} overlap;

typedef struct overlap_list {
    overlap *items;
    size_t count;
} overlap_list;

struct mm_voverlap {
    long budget;
    pmap collect_cache;      /* (parent type, selection set) -> collect_result* */
    pmap compared_pairs;     /* (fragment, fragment) -> exclusive + 1 */
    pmap compared_fragments; /* (collect_result, fragment) -> exclusive + 1 */
    pmap overlapping;        /* (collect_result, collect_result) -> overlap_list* */
    pmap comparisons;        /* (field_info, field_info) -> reason (NO_REASON for none) */
    pmap stringified;        /* (value, NULL) -> canonical string */
};

static const char NO_REASON[] = "";

static void spend(mm_vctx *ctx, long cost) {
    ctx->overlap->budget -= cost;
    if (ctx->overlap->budget < 0) mm_v_abort(ctx);
}

static const char *abbreviate(mm_vctx *ctx, const char *text) {
    size_t n = strlen(text);
    if (n <= MAX_CONFLICT_DETAIL_LENGTH) return text;
    char *s = mm_arena_alloc(ctx->arena, MAX_CONFLICT_DETAIL_LENGTH + 4);
    if (!s) mm_v_oom(ctx);
    memcpy(s, text, MAX_CONFLICT_DETAIL_LENGTH);
    memcpy(s + MAX_CONFLICT_DETAIL_LENGTH, "...", 4);
    return s;
}

static void push(mm_vctx *ctx, mm_vvec *v, const void *item) {
    if (!mm_vvec_push(ctx->arena, v, (void *)item)) mm_v_oom(ctx);
}

/* ---- collecting fields -------------------------------------------------- */

static void collect_impl(mm_vctx *ctx, mm_gql_type *parent, const mm_gql_selection_set *set,
                         collect_result *r, mm_vmap *frag_seen) {
    for (size_t i = 0; i < set->count; i++) {
        const mm_gql_selection *sel = &set->items[i];
        switch (sel->kind) {
        case MM_GQL_SEL_FIELD: {
            const char *name = sel->u.field.name.value;
            mm_gql_field *def = NULL;
            if (parent && (parent->kind == MM_GQL_OBJECT || parent->kind == MM_GQL_INTERFACE))
                def = mm_gql_type_find_field(parent, name);
            const char *key = sel->u.field.alias.value ? sel->u.field.alias.value : name;
            field_group *g = mm_vmap_get(&r->index, key);
            if (!g) {
                g = mm_arena_calloc(ctx->arena, 1, sizeof(*g));
                if (!g || !mm_vmap_put(ctx->arena, &r->index, key, g)) mm_v_oom(ctx);
                g->response_name = key;
                push(ctx, &r->groups, g);
            }
            field_detail *fd = mm_arena_calloc(ctx->arena, 1, sizeof(*fd));
            if (!fd) mm_v_oom(ctx);
            fd->parent_type = parent;
            fd->node = sel;
            fd->def = def;
            fd->is_simple_leaf = sel->u.field.arg_count == 0 && !sel->u.field.selection_set;
            push(ctx, &g->fields, fd);
            break;
        }
        case MM_GQL_SEL_FRAGMENT_SPREAD: {
            const char *name = sel->u.spread.name.value;
            if (!mm_vmap_get(frag_seen, name)) {
                if (!mm_vmap_put(ctx->arena, frag_seen, name, (void *)1)) mm_v_oom(ctx);
                push(ctx, &r->fragment_names, name);
            }
            break;
        }
        case MM_GQL_SEL_INLINE_FRAGMENT: {
            const char *cond = sel->u.inline_fragment.type_condition.value;
            mm_gql_type *t = cond ? mm_gql_schema_find_type(ctx->schema, cond) : parent;
            collect_impl(ctx, t, sel->u.inline_fragment.selection_set, r, frag_seen);
            break;
        }
        }
    }
}

static collect_result *collect_fields(mm_vctx *ctx, mm_gql_type *parent,
                                      const mm_gql_selection_set *set) {
    collect_result *r = pmap_get(ctx, &ctx->overlap->collect_cache, parent, set);
    if (r) return r;
    r = mm_arena_calloc(ctx->arena, 1, sizeof(*r));
    if (!r) mm_v_oom(ctx);
    mm_vmap frag_seen = {0};
    collect_impl(ctx, parent, set, r, &frag_seen);
    pmap_put(ctx, &ctx->overlap->collect_cache, parent, set, r);
    return r;
}

static collect_result *collect_fragment_fields(mm_vctx *ctx, const mm_vfragment *f) {
    mm_gql_type *t = mm_gql_schema_find_type(ctx->schema, f->def->type_condition.value);
    return collect_fields(ctx, t, f->def->selection_set);
}

/* ---- comparing fields --------------------------------------------------- */

/* Keys and messages are built in an arena-backed common/strbuf.h buffer;
 * running out of memory aborts the validation, as every allocation here does. */
typedef mm_strbuf sbuf;

static void sput(mm_vctx *ctx, sbuf *b, const char *s, size_t n) {
    if (!b->arena) b->arena = ctx->arena;
    mm_strbuf_append(b, s, n);
    if (b->failed) mm_v_oom(ctx);
}

static void sputs(mm_vctx *ctx, sbuf *b, const char *s) { sput(ctx, b, s, strlen(s)); }

static int compare_object_fields(const mm_gql_object_field *a, const mm_gql_object_field *b) {
    return strcmp(a->name.value, b->name.value);
}

/* A canonical, injective text for a value: equal exactly when graphql-js's
 * stringifyValue results are equal (object fields sorted by name). */
static void stringify(mm_vctx *ctx, sbuf *b, const mm_gql_value *v) {
    char num[32];
    switch (v->kind) {
    case MM_GQL_VALUE_VARIABLE:
        sputs(ctx, b, "$");
        sputs(ctx, b, v->u.name);
        sputs(ctx, b, ";");
        break;
    case MM_GQL_VALUE_INT:
        sputs(ctx, b, "i");
        sputs(ctx, b, v->u.raw);
        sputs(ctx, b, ";");
        break;
    case MM_GQL_VALUE_FLOAT:
        sputs(ctx, b, "f");
        sputs(ctx, b, v->u.raw);
        sputs(ctx, b, ";");
        break;
    case MM_GQL_VALUE_STRING:
        snprintf(num, sizeof num, "%c%zu:", v->u.string.block ? 'S' : 's', v->u.string.length);
        sputs(ctx, b, num);
        sput(ctx, b, v->u.string.chars, v->u.string.length);
        break;
    case MM_GQL_VALUE_BOOLEAN: sputs(ctx, b, v->u.boolean ? "T" : "F"); break;
    case MM_GQL_VALUE_NULL: sputs(ctx, b, "N"); break;
    case MM_GQL_VALUE_ENUM:
        sputs(ctx, b, "e");
        sputs(ctx, b, v->u.name);
        sputs(ctx, b, ";");
        break;
    case MM_GQL_VALUE_LIST:
        sputs(ctx, b, "[");
        for (size_t i = 0; i < v->u.list.count; i++) stringify(ctx, b, v->u.list.items[i]);
        sputs(ctx, b, "]");
        break;
    case MM_GQL_VALUE_OBJECT: {
        size_t n = v->u.object.count;
        const mm_gql_object_field **sorted = mm_arena_alloc(ctx->arena, (n + 1) * sizeof(*sorted));
        if (!sorted) mm_v_oom(ctx);
        for (size_t i = 0; i < n; i++) {
            const mm_gql_object_field *x = &v->u.object.fields[i];
            size_t j = i;
            while (j > 0 && compare_object_fields(sorted[j - 1], x) > 0) {
                sorted[j] = sorted[j - 1];
                j--;
            }
            sorted[j] = x;
        }
        sputs(ctx, b, "{");
        for (size_t i = 0; i < n; i++) {
            sputs(ctx, b, sorted[i]->name.value);
            sputs(ctx, b, ":");
            stringify(ctx, b, sorted[i]->value);
        }
        sputs(ctx, b, "}");
        break;
    }
    }
}

static const char *stringify_value(mm_vctx *ctx, const mm_gql_value *v) {
    const char *s = pmap_get(ctx, &ctx->overlap->stringified, v, NULL);
    if (s) return s;
    sbuf b = {0};
    stringify(ctx, &b, v);
    s = b.data ? b.data : "";
    pmap_put(ctx, &ctx->overlap->stringified, v, NULL, (void *)s);
    return s;
}

static field_info *get_field_info(mm_vctx *ctx, field_detail *fd) {
    if (fd->info) return fd->info;
    field_info *fi = mm_arena_calloc(ctx->arena, 1, sizeof(*fi));
    if (!fi) mm_v_oom(ctx);
    fi->named_type = fd->def ? mm_gql_named_type(fd->def->type) : NULL;
    size_t n = fd->node->u.field.arg_count;
    if (n) {
        arg_info *ai = mm_arena_calloc(ctx->arena, 1, sizeof(*ai));
        if (!ai) mm_v_oom(ctx);
        ai->nodes = fd->node->u.field.args;
        ai->count = n;
        for (size_t i = 0; i < n; i++)
            if (!mm_vmap_put(ctx->arena, &ai->values, ai->nodes[i].name.value,
                             (void *)ai->nodes[i].value))
                mm_v_oom(ctx);
        fi->args = ai;
    }
    fd->info = fi;
    return fi;
}

static bool same_arguments(mm_vctx *ctx, const arg_info *a1, const arg_info *a2) {
    if (!a1) return a2 == NULL;
    if (!a2 || a1->count != a2->count) return false;
    for (size_t i = 0; i < a1->count; i++) {
        spend(ctx, 1);
        const mm_gql_value *v2 = mm_vmap_get(&a2->values, a1->nodes[i].name.value);
        if (!v2) return false;
        if (strcmp(stringify_value(ctx, a1->nodes[i].value), stringify_value(ctx, v2)) != 0)
            return false;
    }
    return true;
}

static bool is_leaf(const mm_gql_type *t) {
    return t->kind == MM_GQL_SCALAR || t->kind == MM_GQL_ENUM;
}

static bool types_conflict(mm_vctx *ctx, const mm_gql_type *t1, const mm_gql_type *t2) {
    if (t1 == t2) return false;
    spend(ctx, 1);
    if (t1->kind == MM_GQL_LIST)
        return t2->kind == MM_GQL_LIST ? types_conflict(ctx, t1->of_type, t2->of_type) : true;
    if (t2->kind == MM_GQL_LIST) return true;
    if (t1->kind == MM_GQL_NON_NULL)
        return t2->kind == MM_GQL_NON_NULL ? types_conflict(ctx, t1->of_type, t2->of_type) : true;
    if (t2->kind == MM_GQL_NON_NULL) return true;
    if (is_leaf(t1) || is_leaf(t2)) return t1 != t2;
    return false;
}

static void add_conflict(mm_vctx *ctx, mm_vvec *out, const char *response_name, const char *reason,
                         const mm_gql_selection *n1, const mm_gql_selection *n2) {
    conflict *c = mm_arena_calloc(ctx->arena, 1, sizeof(*c));
    if (!c) mm_v_oom(ctx);
    c->response_name = response_name;
    c->reason = reason;
    push(ctx, &c->fields1, n1);
    push(ctx, &c->fields2, n2);
    push(ctx, out, c);
}

static void find_conflicts_between_sub_selection_sets(mm_vctx *ctx, mm_vvec *out, bool exclusive,
                                                      mm_gql_type *pt1,
                                                      const mm_gql_selection_set *ss1,
                                                      mm_gql_type *pt2,
                                                      const mm_gql_selection_set *ss2);

static void collect_conflict_nodes(mm_vctx *ctx, mm_vvec *nodes, const mm_gql_selection *node,
                                   const mm_vvec *conflicts, int side) {
    push(ctx, nodes, node);
    for (size_t i = 0; i < conflicts->count; i++) {
        const conflict *c = conflicts->items[i];
        const mm_vvec *src = side == 1 ? &c->fields1 : &c->fields2;
        size_t remaining = MAX_CONFLICT_NODES - nodes->count;
        size_t from = src->count > remaining ? src->count - remaining : 0;
        for (size_t j = from; j < src->count; j++) push(ctx, nodes, src->items[j]);
        if (nodes->count == MAX_CONFLICT_NODES) break;
    }
}

/* findConflict: appends at most one conflict to out. */
static void find_conflict(mm_vctx *ctx, mm_vvec *out, bool parent_exclusive,
                          const char *response_name, field_detail *fd1, field_detail *fd2) {
    mm_gql_type *p1 = fd1->parent_type, *p2 = fd2->parent_type;
    bool exclusive = parent_exclusive || (p1 != p2 && p1 && p2 && p1->kind == MM_GQL_OBJECT &&
                                          p2->kind == MM_GQL_OBJECT);
    spend(ctx, 2);
    const mm_gql_type *type1 = fd1->def ? fd1->def->type : NULL;
    const mm_gql_type *type2 = fd2->def ? fd2->def->type : NULL;
    const char *name1 = fd1->node->u.field.name.value, *name2 = fd2->node->u.field.name.value;
    if (fd1->is_simple_leaf && fd2->is_simple_leaf && type1 == type2 && strcmp(name1, name2) == 0)
        return;
    if (!exclusive) {
        field_info *i1 = get_field_info(ctx, fd1), *i2 = get_field_info(ctx, fd2);
        const char *reason = pmap_get(ctx, &ctx->overlap->comparisons, i1, i2);
        if (!reason) {
            if (strcmp(name1, name2) != 0) {
                reason = mm_arena_sprintf(ctx->arena, "\"%s\" and \"%s\" are different fields",
                                          abbreviate(ctx, name1), abbreviate(ctx, name2));
                if (!reason) mm_v_oom(ctx);
            } else {
                reason = same_arguments(ctx, i1->args, i2->args) ? NO_REASON
                                                                 : "they have differing arguments";
            }
            pmap_put(ctx, &ctx->overlap->comparisons, i1, i2, (void *)reason);
        }
        if (reason != NO_REASON) {
            add_conflict(ctx, out, response_name, reason, fd1->node, fd2->node);
            return;
        }
    }
    if (type1 && type2 && types_conflict(ctx, type1, type2)) {
        field_info *i1 = get_field_info(ctx, fd1), *i2 = get_field_info(ctx, fd2);
        if (!i1->type_string) i1->type_string = mm_v_type_str(ctx, type1);
        if (!i2->type_string) i2->type_string = mm_v_type_str(ctx, type2);
        const char *reason =
            mm_arena_sprintf(ctx->arena, "they return conflicting types \"%s\" and \"%s\"",
                             i1->type_string, i2->type_string);
        if (!reason) mm_v_oom(ctx);
        add_conflict(ctx, out, response_name, reason, fd1->node, fd2->node);
        return;
    }
    const mm_gql_selection_set *ss1 = fd1->node->u.field.selection_set;
    const mm_gql_selection_set *ss2 = fd2->node->u.field.selection_set;
    if (!ss1 || !ss2) return;
    mm_vvec sub = {0};
    find_conflicts_between_sub_selection_sets(ctx, &sub, exclusive,
                                              get_field_info(ctx, fd1)->named_type, ss1,
                                              get_field_info(ctx, fd2)->named_type, ss2);
    if (sub.count == 0) return;
    sbuf msg = {0};
    sputs(ctx, &msg, "");
    for (size_t i = 0; i < sub.count; i++) {
        const conflict *c = sub.items[i];
        if (msg.len) sputs(ctx, &msg, " and ");
        sputs(ctx, &msg, "subfields \"");
        sputs(ctx, &msg, abbreviate(ctx, c->response_name));
        sputs(ctx, &msg, "\" conflict because ");
        sputs(ctx, &msg, c->reason);
        if (msg.len > MAX_CONFLICT_DETAIL_LENGTH) break;
    }
    conflict *c = mm_arena_calloc(ctx->arena, 1, sizeof(*c));
    if (!c) mm_v_oom(ctx);
    c->response_name = response_name;
    c->reason = abbreviate(ctx, msg.data);
    collect_conflict_nodes(ctx, &c->fields1, fd1->node, &sub, 1);
    collect_conflict_nodes(ctx, &c->fields2, fd2->node, &sub, 2);
    push(ctx, out, c);
}

static const overlap_list *overlapping_fields(mm_vctx *ctx, collect_result *r1,
                                              collect_result *r2) {
    overlap_list *l = pmap_get(ctx, &ctx->overlap->overlapping, r1, r2);
    if (l) return l;
    l = mm_arena_calloc(ctx->arena, 1, sizeof(*l));
    if (!l) mm_v_oom(ctx);
    l->items = mm_arena_alloc(ctx->arena, (r1->groups.count + 1) * sizeof(*l->items));
    if (!l->items) mm_v_oom(ctx);
    for (size_t i = 0; i < r1->groups.count; i++) {
        spend(ctx, 1);
        field_group *g1 = r1->groups.items[i];
        field_group *g2 = mm_vmap_get(&r2->index, g1->response_name);
        if (g2) l->items[l->count++] = (overlap){g1->response_name, g1, g2};
    }
    pmap_put(ctx, &ctx->overlap->overlapping, r1, r2, l);
    return l;
}

static void collect_conflicts_between(mm_vctx *ctx, mm_vvec *out, bool exclusive,
                                      collect_result *r1, collect_result *r2) {
    if (r1->groups.count == 0 || r2->groups.count == 0) return;
    const overlap_list *l = overlapping_fields(ctx, r1, r2);
    for (size_t i = 0; i < l->count; i++) {
        const overlap *o = &l->items[i];
        for (size_t a = 0; a < o->g1->fields.count; a++)
            for (size_t b = 0; b < o->g2->fields.count; b++)
                find_conflict(ctx, out, exclusive, o->response_name, o->g1->fields.items[a],
                              o->g2->fields.items[b]);
    }
}

static void collect_conflicts_between_fields_and_fragment(mm_vctx *ctx, mm_vvec *out,
                                                          bool exclusive, collect_result *r,
                                                          const char *fragment_name) {
    spend(ctx, 1);
    if (r->groups.count == 0) return;
    mm_vfragment *f = mm_v_fragment(ctx, fragment_name);
    if (!f) return;
    uintptr_t compared = (uintptr_t)pmap_get(ctx, &ctx->overlap->compared_fragments, r, f);
    /* 0: never; 1: compared non-exclusively (covers both); 2: exclusively. */
    if (compared == 1 || (exclusive && compared == 2)) return;
    pmap_put(ctx, &ctx->overlap->compared_fragments, r, f, (void *)(uintptr_t)(exclusive ? 2 : 1));
    collect_result *r2 = collect_fragment_fields(ctx, f);
    if (r2 == r) return;
    collect_conflicts_between(ctx, out, exclusive, r, r2);
    for (size_t i = 0; i < r2->fragment_names.count; i++)
        collect_conflicts_between_fields_and_fragment(ctx, out, exclusive, r,
                                                      r2->fragment_names.items[i]);
}

/* graphql-js PairSet.has: either order; a non-exclusive entry satisfies any
 * query, an exclusive entry only an exclusive one. */
static bool pair_has(mm_vctx *ctx, const mm_vfragment *a, const mm_vfragment *b, bool exclusive) {
    uintptr_t x = (uintptr_t)pmap_get(ctx, &ctx->overlap->compared_pairs, a, b);
    uintptr_t y = (uintptr_t)pmap_get(ctx, &ctx->overlap->compared_pairs, b, a);
    if (exclusive) return x || y;
    return x == 1 || y == 1;
}

static void collect_conflicts_between_fragments(mm_vctx *ctx, mm_vvec *out, bool exclusive,
                                                const char *name1, const char *name2) {
    spend(ctx, 2);
    if (strcmp(name1, name2) == 0) return;
    mm_vfragment *f1 = mm_v_fragment(ctx, name1), *f2 = mm_v_fragment(ctx, name2);
    if (!f1 || !f2) return;
    if (pair_has(ctx, f1, f2, exclusive)) return;
    pmap_put(ctx, &ctx->overlap->compared_pairs, f1, f2, (void *)(uintptr_t)(exclusive ? 2 : 1));
    collect_result *r1 = collect_fragment_fields(ctx, f1);
    collect_result *r2 = collect_fragment_fields(ctx, f2);
    collect_conflicts_between(ctx, out, exclusive, r1, r2);
    for (size_t i = 0; i < r2->fragment_names.count; i++)
        collect_conflicts_between_fragments(ctx, out, exclusive, name1,
                                            r2->fragment_names.items[i]);
    for (size_t i = 0; i < r1->fragment_names.count; i++)
        collect_conflicts_between_fragments(ctx, out, exclusive, r1->fragment_names.items[i],
                                            name2);
}

static void find_conflicts_between_sub_selection_sets(mm_vctx *ctx, mm_vvec *out, bool exclusive,
                                                      mm_gql_type *pt1,
                                                      const mm_gql_selection_set *ss1,
                                                      mm_gql_type *pt2,
                                                      const mm_gql_selection_set *ss2) {
    collect_result *r1 = collect_fields(ctx, pt1, ss1);
    collect_result *r2 = collect_fields(ctx, pt2, ss2);
    collect_conflicts_between(ctx, out, exclusive, r1, r2);
    for (size_t i = 0; i < r2->fragment_names.count; i++)
        collect_conflicts_between_fields_and_fragment(ctx, out, exclusive, r1,
                                                      r2->fragment_names.items[i]);
    for (size_t i = 0; i < r1->fragment_names.count; i++)
        collect_conflicts_between_fields_and_fragment(ctx, out, exclusive, r2,
                                                      r1->fragment_names.items[i]);
    for (size_t i = 0; i < r1->fragment_names.count; i++)
        for (size_t j = 0; j < r2->fragment_names.count; j++)
            collect_conflicts_between_fragments(ctx, out, exclusive, r1->fragment_names.items[i],
                                                r2->fragment_names.items[j]);
}

static void find_conflicts_within(mm_vctx *ctx, mm_vvec *out, mm_gql_type *parent,
                                  const mm_gql_selection_set *set) {
    collect_result *r = collect_fields(ctx, parent, set);
    for (size_t g = 0; g < r->groups.count; g++) {
        field_group *grp = r->groups.items[g];
        if (grp->fields.count < 2) continue;
        for (size_t i = 0; i < grp->fields.count; i++)
            for (size_t j = i + 1; j < grp->fields.count; j++)
                find_conflict(ctx, out, false, grp->response_name, grp->fields.items[i],
                              grp->fields.items[j]);
    }
    size_t nf = r->fragment_names.count;
    if (nf != 0 && (r->groups.count != 0 || nf > 1)) {
        for (size_t i = 0; i < nf; i++) {
            collect_conflicts_between_fields_and_fragment(ctx, out, false, r,
                                                          r->fragment_names.items[i]);
            for (size_t j = i + 1; j < nf; j++)
                collect_conflicts_between_fragments(ctx, out, false, r->fragment_names.items[i],
                                                    r->fragment_names.items[j]);
        }
    }
}

void mm_rule_overlapping_fields(mm_vctx *ctx, const mm_gql_selection_set *set,
                                bool in_inline_fragment) {
    if (in_inline_fragment) return;
    if (set->count <= 1 && (set->count == 0 || set->items[0].kind != MM_GQL_SEL_INLINE_FRAGMENT))
        return;
    if (!ctx->overlap) {
        ctx->overlap = mm_arena_calloc(ctx->arena, 1, sizeof(*ctx->overlap));
        if (!ctx->overlap) mm_v_oom(ctx);
        ctx->overlap->budget = MAX_COMPLEXITY_BUDGET;
    }
    mm_vvec conflicts = {0};
    find_conflicts_within(ctx, &conflicts, mm_ti_parent_type(ctx->ti), set);
    for (size_t i = 0; i < conflicts.count; i++) {
        const conflict *c = conflicts.items[i];
        size_t n = c->fields1.count + c->fields2.count;
        mm_gql_loc *locs = mm_arena_alloc(ctx->arena, n * sizeof(*locs));
        if (!locs) mm_v_oom(ctx);
        size_t k = 0;
        for (size_t j = 0; j < c->fields1.count; j++)
            locs[k++] = ((const mm_gql_selection *)c->fields1.items[j])->loc;
        for (size_t j = 0; j < c->fields2.count; j++)
            locs[k++] = ((const mm_gql_selection *)c->fields2.items[j])->loc;
        mm_v_report(
            ctx, locs, n,
            "Fields \"%s\" conflict because %s. Use different aliases on the fields to fetch "
            "both if this was intentional.",
            abbreviate(ctx, c->response_name), c->reason);
    }
}
