/* validate_util.c -- the validator's small tools: arena maps and vectors,
 * error reporting with graphql-js's error budget, fragment facts, printing
 * types and values for messages, and graphql-js's suggestion list. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/hash.h"
#include "common/strbuf.h"
#include "graphql/type/schema_private.h"
#include "graphql/validation/validate_internal.h"

/* ---- maps and vectors --------------------------------------------------- */

static size_t hash_str(const char *s) { return (size_t)mm_fnv1a_str(s); }

void *mm_vmap_get(const mm_vmap *map, const char *key) {
    if (!map->cap) return NULL;
    size_t mask = map->cap - 1;
    for (size_t i = hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!map->keys[i]) return NULL;
        if (strcmp(map->keys[i], key) == 0) return map->vals[i];
    }
}

static bool grow(mm_arena *arena, mm_vmap *map) {
    size_t cap = map->cap ? map->cap * 2 : 16;
    const char **keys = mm_arena_calloc(arena, cap, sizeof(*keys));
    void **vals = mm_arena_calloc(arena, cap, sizeof(*vals));
    if (!keys || !vals) return false;
    for (size_t i = 0; i < map->cap; i++) {
        if (!map->keys[i]) continue;
        size_t j = hash_str(map->keys[i]) & (cap - 1);
        while (keys[j]) j = (j + 1) & (cap - 1);
        keys[j] = map->keys[i];
        vals[j] = map->vals[i];
    }
    map->keys = keys;
    map->vals = vals;
    map->cap = cap;
    return true;
}

bool mm_vmap_put(mm_arena *arena, mm_vmap *map, const char *key, void *val) {
    if ((map->count + 1) * 2 > map->cap && !grow(arena, map)) return false;
    size_t mask = map->cap - 1;
    size_t i = hash_str(key) & mask;
    while (map->keys[i]) {
        if (strcmp(map->keys[i], key) == 0) {
            map->vals[i] = val;
            return true;
        }
        i = (i + 1) & mask;
    }
    map->keys[i] = key;
    map->vals[i] = val;
    map->count++;
    return true;
}

bool mm_vvec_push(mm_arena *arena, mm_vvec *vec, void *item) {
    if (vec->count == vec->cap) {
        size_t cap = vec->cap ? vec->cap * 2 : 8;
        void **items = mm_arena_alloc(arena, cap * sizeof(*items));
        if (!items) return false;
        if (vec->count) memcpy(items, vec->items, vec->count * sizeof(*items));
        vec->items = items;
        vec->cap = cap;
    }
    vec->items[vec->count++] = item;
    return true;
}

bool mm_vusages_push(mm_arena *arena, mm_vusages *u, const mm_vusage *item) {
    if (u->count == u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 8;
        mm_vusage *items = mm_arena_alloc(arena, cap * sizeof(*items));
        if (!items) return false;
        if (u->count) memcpy(items, u->items, u->count * sizeof(*items));
        u->items = items;
        u->cap = cap;
    }
    u->items[u->count++] = *item;
    return true;
}

/* ---- reporting ---------------------------------------------------------- */

void mm_v_report(mm_vctx *ctx, const mm_gql_loc *locs, size_t nlocs, const char *fmt, ...) {
    if (ctx->added >= ctx->max_errors) {
        if (mm_gql_errors_add(ctx->errors, MM_GQL_ERROR_VALIDATION, NULL, 0, "%s",
                              "Too many validation errors, error limit reached. "
                              "Validation aborted."))
            ctx->added++;
        longjmp(ctx->abort_jmp, 1);
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0) {
        msg = mm_arena_alloc(ctx->arena, (size_t)n + 1);
        if (msg) {
            va_start(ap, fmt);
            vsnprintf(msg, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    if (!msg || !mm_gql_errors_add(ctx->errors, MM_GQL_ERROR_VALIDATION, locs, nlocs, "%s", msg))
        mm_v_oom(ctx);
    ctx->added++;
}

_Noreturn void mm_v_throw(mm_vctx *ctx, const mm_gql_loc *loc, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n >= 0 && (msg = mm_arena_alloc(ctx->arena, (size_t)n + 1))) {
        va_start(ap, fmt);
        vsnprintf(msg, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    mm_gql_errors *errors = ctx->errors;
    errors->tail = ctx->start_tail;
    if (errors->tail)
        errors->tail->next = NULL;
    else
        errors->head = NULL;
    errors->count = ctx->start_count;
    ctx->added = 0;
    if (msg && mm_gql_errors_add(errors, MM_GQL_ERROR_VALIDATION, loc, loc ? 1 : 0, "%s", msg))
        ctx->added++;
    longjmp(ctx->abort_jmp, 1);
}

_Noreturn void mm_v_abort(mm_vctx *ctx) {
    if (mm_gql_errors_add(ctx->errors, MM_GQL_ERROR_VALIDATION, NULL, 0, "%s",
                          "Validation aborted."))
        ctx->added++;
    longjmp(ctx->abort_jmp, 1);
}

_Noreturn void mm_v_oom(mm_vctx *ctx) {
    ctx->oom = true;
    longjmp(ctx->abort_jmp, 2);
}

void mm_v_spend_fragment_work(mm_vctx *ctx, size_t cost) {
    ctx->fragment_work -= (long)cost;
    if (ctx->fragment_work < 0) mm_v_abort(ctx);
}

/* ---- fragments ---------------------------------------------------------- */

mm_vfragment *mm_v_fragment(mm_vctx *ctx, const char *name) {
    return mm_vmap_get(&ctx->fragments, name);
}

void mm_v_collect_spreads(mm_vctx *ctx, const mm_gql_selection_set *set, mm_vvec *out) {
    /* graphql-js pops the sets to visit from a stack: top-level spreads in
     * order, then nested selection sets last-first. */
    mm_vvec stack = {0};
    if (!mm_vvec_push(ctx->arena, &stack, (void *)set)) mm_v_oom(ctx);
    while (stack.count) {
        const mm_gql_selection_set *s = stack.items[--stack.count];
        for (size_t i = 0; i < s->count; i++) {
            const mm_gql_selection *sel = &s->items[i];
            const mm_gql_selection_set *sub = NULL;
            if (sel->kind == MM_GQL_SEL_FRAGMENT_SPREAD) {
                if (!mm_vvec_push(ctx->arena, out, (void *)sel)) mm_v_oom(ctx);
                continue;
            }
            sub = sel->kind == MM_GQL_SEL_FIELD ? sel->u.field.selection_set
                                                : sel->u.inline_fragment.selection_set;
            if (sub && !mm_vvec_push(ctx->arena, &stack, (void *)sub)) mm_v_oom(ctx);
        }
    }
}

const mm_vvec *mm_v_fragment_spreads(mm_vctx *ctx, mm_vfragment *frag) {
    if (!frag->spreads_done) {
        if (frag->def->selection_set)
            mm_v_collect_spreads(ctx, frag->def->selection_set, &frag->spreads);
        frag->spreads_done = true;
    }
    return &frag->spreads;
}

static int compare_ids(const void *a, const void *b) {
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return x < y ? -1 : x > y;
}

mm_vfragset *mm_v_recursive_fragments(mm_vctx *ctx, const mm_gql_operation *const *ops,
                                      size_t nops) {
    mm_vvec names = {0};
    mm_vmap seen = {0};
    for (size_t i = 0; i < nops; i++) {
        mm_vvec spreads = {0};
        if (ops[i]->selection_set) mm_v_collect_spreads(ctx, ops[i]->selection_set, &spreads);
        for (size_t j = 0; j < spreads.count; j++) {
            const char *n = ((const mm_gql_selection *)spreads.items[j])->u.spread.name.value;
            if (mm_vmap_get(&seen, n)) continue;
            if (!mm_vmap_put(ctx->arena, &seen, n, (void *)1) ||
                !mm_vvec_push(ctx->arena, &names, (void *)n))
                mm_v_oom(ctx);
        }
    }
    /* The cache key: the sorted ids of the names spread directly. */
    size_t *ids = mm_arena_alloc(ctx->arena, (names.count + 1) * sizeof(*ids));
    char *key = mm_arena_alloc(ctx->arena, names.count * 21 + 1);
    if (!ids || !key) mm_v_oom(ctx);
    for (size_t i = 0; i < names.count; i++) {
        size_t id = (size_t)(uintptr_t)mm_vmap_get(&ctx->name_ids, names.items[i]);
        if (!id) {
            id = ++ctx->next_name_id;
            if (!mm_vmap_put(ctx->arena, &ctx->name_ids, names.items[i], (void *)(uintptr_t)id))
                mm_v_oom(ctx);
        }
        ids[i] = id;
    }
    qsort(ids, names.count, sizeof(*ids), compare_ids);
    size_t off = 0;
    key[0] = '\0';
    for (size_t i = 0; i < names.count; i++)
        off += (size_t)snprintf(key + off, 22, i ? ",%zu" : "%zu", ids[i]);
    mm_vfragset *fs = mm_vmap_get(&ctx->fragsets, key);
    if (fs) return fs;
    fs = mm_arena_calloc(ctx->arena, 1, sizeof(*fs));
    if (!fs || !mm_vmap_put(ctx->arena, &ctx->fragsets, key, fs)) mm_v_oom(ctx);

    mm_v_spend_fragment_work(ctx, names.count);
    for (size_t i = 0; i < names.count; i++) {
        mm_vfragment *f = mm_v_fragment(ctx, names.items[i]);
        if (!f) continue;
        if (!mm_vvec_push(ctx->arena, &fs->fragments, f)) mm_v_oom(ctx);
        const mm_vvec *sp = mm_v_fragment_spreads(ctx, f);
        mm_v_spend_fragment_work(ctx, sp->count);
        for (size_t j = 0; j < sp->count; j++) {
            const char *n = ((const mm_gql_selection *)sp->items[j])->u.spread.name.value;
            if (mm_vmap_get(&seen, n)) continue;
            if (!mm_vmap_put(ctx->arena, &seen, n, (void *)1) ||
                !mm_vvec_push(ctx->arena, &names, (void *)n))
                mm_v_oom(ctx);
        }
    }
    return fs;
}

/* ---- printing ----------------------------------------------------------- */

const char *mm_v_type_str(mm_vctx *ctx, const mm_gql_type *type) {
    const char *s = mm_gql_type_to_string(type, ctx->arena);
    if (!s) mm_v_oom(ctx);
    return s;
}

/* Printing goes into an arena-backed common/strbuf.h buffer; running out
 * of memory aborts the validation. */
typedef struct buf {
    mm_strbuf s;
    mm_vctx *ctx;
} buf;

static void buf_put(buf *b, const char *s, size_t n) {
    if (!b->s.arena) b->s.arena = b->ctx->arena;
    mm_strbuf_append(&b->s, s, n);
    if (b->s.failed) mm_v_oom(b->ctx);
}

static void buf_puts(buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void print_type_ref(buf *b, const mm_gql_type_ref *ref) {
    switch (ref->kind) {
    case MM_GQL_TYPE_NAMED: buf_puts(b, ref->name.value); break;
    case MM_GQL_TYPE_LIST:
        buf_puts(b, "[");
        print_type_ref(b, ref->of_type);
        buf_puts(b, "]");
        break;
    case MM_GQL_TYPE_NON_NULL:
        print_type_ref(b, ref->of_type);
        buf_puts(b, "!");
        break;
    }
}

const char *mm_v_type_ref_str(mm_vctx *ctx, const mm_gql_type_ref *ref) {
    buf b = {.ctx = ctx};
    print_type_ref(&b, ref);
    return b.s.data ? b.s.data : "";
}

/* graphql-js print() of a value: the engine's one value printer
 * (type/value_print.c), into the arena; out of memory aborts the walk. */
const char *mm_v_value_str(mm_vctx *ctx, const mm_gql_value *value) {
    mm_strbuf b;
    mm_strbuf_init(&b, ctx->arena);
    mm_gql_strbuf_print_value(&b, value);
    const char *text = mm_strbuf_str(&b);
    if (!text) mm_v_oom(ctx);
    return text;
}

/* ---- suggestions -------------------------------------------------------- */

static bool is_digit(int c) { return c >= '0' && c <= '9'; }

int mm_v_natural_compare(const char *a, const char *b) {
    size_t ai = 0, bi = 0, al = strlen(a), bl = strlen(b);
    while (ai < al && bi < bl) {
        int ac = (unsigned char)a[ai], bc = (unsigned char)b[bi];
        if (is_digit(ac) && is_digit(bc)) {
            unsigned long long an = 0, bn = 0;
            do {
                ++ai;
                an = an * 10 + (unsigned)(ac - '0');
                ac = ai < al ? (unsigned char)a[ai] : -1;
            } while (is_digit(ac) && an > 0);
            do {
                ++bi;
                bn = bn * 10 + (unsigned)(bc - '0');
                bc = bi < bl ? (unsigned char)b[bi] : -1;
            } while (is_digit(bc) && bn > 0);
            if (an < bn) return -1;
            if (an > bn) return 1;
        } else {
            if (ac < bc) return -1;
            if (ac > bc) return 1;
            ++ai;
            ++bi;
        }
    }
    return al < bl ? -1 : al > bl ? 1 : 0;
}

/* Lower-cases one UTF-16 code unit as JavaScript's toLowerCase does for
 * ASCII and Latin-1 (GraphQL names are ASCII; other text only reaches here
 * through printed string values in enum suggestions). */
static uint16_t lower_unit(uint32_t c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 0xC0 && c <= 0xDE && c != 0xD7)) return (uint16_t)(c + 32);
    return (uint16_t)c;
}

/* UTF-8 to lower-cased UTF-16 code units, the units JavaScript strings are
 * measured in. Malformed bytes count as one unit each. */
static size_t to_units(mm_vctx *ctx, const char *s, uint16_t **out) {
    size_t n = strlen(s);
    uint16_t *u = mm_arena_alloc(ctx->arena, (n + 1) * sizeof(*u));
    if (!u) mm_v_oom(ctx);
    size_t k = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        uint32_t cp = c;
        size_t len = 1;
        if ((c & 0xF8) == 0xF0 && i + 3 < n) {
            cp = ((uint32_t)(c & 0x07) << 18) | ((uint32_t)(s[i + 1] & 0x3F) << 12) |
                 ((uint32_t)(s[i + 2] & 0x3F) << 6) | (uint32_t)(s[i + 3] & 0x3F);
            len = 4;
        } else if ((c & 0xF0) == 0xE0 && i + 2 < n) {
            cp = ((uint32_t)(c & 0x0F) << 12) | ((uint32_t)(s[i + 1] & 0x3F) << 6) |
                 (uint32_t)(s[i + 2] & 0x3F);
            len = 3;
        } else if ((c & 0xE0) == 0xC0 && i + 1 < n) {
            cp = ((uint32_t)(c & 0x1F) << 6) | (uint32_t)(s[i + 1] & 0x3F);
            len = 2;
        }
        if (cp >= 0x10000) {
            cp -= 0x10000;
            u[k++] = (uint16_t)(0xD800 + (cp >> 10));
            u[k++] = (uint16_t)(0xDC00 + (cp & 0x3FF));
        } else {
            u[k++] = lower_unit(cp);
        }
        i += len;
    }
    *out = u;
    return k;
}

static bool units_equal(const uint16_t *a, size_t alen, const uint16_t *b, size_t blen) {
    return alen == blen && memcmp(a, b, alen * sizeof(*a)) == 0;
}

/* graphql-js LexicalDistance.measure: Damerau-Levenshtein (optimal string
 * alignment) with an early exit; returns -1 for "too far". */
static int lexical_distance(mm_vctx *ctx, const char *input, const uint16_t *in_units,
                            size_t in_len, const char *option, int threshold, int *rows) {
    if (strcmp(input, option) == 0) return 0;
    uint16_t *opt;
    size_t opt_len = to_units(ctx, option, &opt);
    if (units_equal(in_units, in_len, opt, opt_len)) return 1;
    const uint16_t *a = opt, *bb = in_units;
    size_t alen = opt_len, blen = in_len;
    if (alen < blen) {
        a = in_units;
        bb = opt;
        alen = in_len;
        blen = opt_len;
    }
    if ((long)alen - (long)blen > threshold) return -1;
    size_t w = blen + 1;
    int *r0 = rows, *r1 = rows + w, *r2 = rows + 2 * w;
    int *r[3] = {r0, r1, r2};
    for (size_t j = 0; j <= blen; j++) r[0][j] = (int)j;
    for (size_t i = 1; i <= alen; i++) {
        int *up = r[(i - 1) % 3], *cur = r[i % 3];
        int smallest = cur[0] = (int)i;
        for (size_t j = 1; j <= blen; j++) {
            int cost = a[i - 1] == bb[j - 1] ? 0 : 1;
            int cell = up[j] + 1;
            if (cur[j - 1] + 1 < cell) cell = cur[j - 1] + 1;
            if (up[j - 1] + cost < cell) cell = up[j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == bb[j - 2] && a[i - 2] == bb[j - 1]) {
                int dd = r[(i - 2) % 3][j - 2] + 1;
                if (dd < cell) cell = dd;
            }
            if (cell < smallest) smallest = cell;
            cur[j] = cell;
        }
        if (smallest > threshold) return -1;
    }
    int d = r[alen % 3][blen];
    return d <= threshold ? d : -1;
}

typedef struct scored {
    const char *s;
    int d;
} scored;

static int compare_scored(const void *a, const void *b) {
    const scored *x = a, *y = b;
    if (x->d != y->d) return x->d < y->d ? -1 : 1;
    int c = mm_v_natural_compare(x->s, y->s);
    return c ? c : strcmp(x->s, y->s);
}

size_t mm_v_suggestion_list(mm_vctx *ctx, const char *input, const char *const *options,
                            size_t noptions, const char ***out) {
    *out = NULL;
    if (noptions == 0) return 0;
    uint16_t *in_units;
    size_t in_len = to_units(ctx, input, &in_units);
    int threshold = (int)(in_len * 4 / 10) + 1; /* Math.floor(length * 0.4) + 1, in UTF-16 units */
    int *rows = mm_arena_alloc(ctx->arena, 3 * (in_len + 1) * sizeof(int));
    scored *found = mm_arena_alloc(ctx->arena, noptions * sizeof(*found));
    if (!rows || !found) mm_v_oom(ctx);
    size_t n = 0;
    mm_vmap seen = {0};
    for (size_t i = 0; i < noptions; i++) {
        /* Object keys: a repeated option keeps one entry (same distance). */
        if (mm_vmap_get(&seen, options[i])) continue;
        if (!mm_vmap_put(ctx->arena, &seen, options[i], (void *)1)) mm_v_oom(ctx);
        int d = lexical_distance(ctx, input, in_units, in_len, options[i], threshold, rows);
        if (d >= 0) found[n++] = (scored){options[i], d};
    }
    /* By distance, then natural order (options are distinct, so this is a total order). */
    qsort(found, n, sizeof(*found), compare_scored);
    const char **list = mm_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*list));
    if (!list) mm_v_oom(ctx);
    for (size_t i = 0; i < n; i++) list[i] = found[i].s;
    *out = list;
    return n;
}

const char *mm_v_did_you_mean(mm_vctx *ctx, const char *sub_message, const char *const *list,
                              size_t n) {
    if (n == 0) return "";
    buf b = {.ctx = ctx};
    buf_puts(&b, " Did you mean ");
    if (sub_message) {
        buf_puts(&b, sub_message);
        buf_puts(&b, " ");
    }
    if (n == 1) {
        buf_puts(&b, "\"");
        buf_puts(&b, list[0]);
        buf_puts(&b, "\"?");
    } else if (n == 2) {
        buf_puts(&b, "\"");
        buf_puts(&b, list[0]);
        buf_puts(&b, "\" or \"");
        buf_puts(&b, list[1]);
        buf_puts(&b, "\"?");
    } else {
        size_t m = n > 5 ? 5 : n;
        for (size_t i = 0; i + 1 < m; i++) {
            buf_puts(&b, "\"");
            buf_puts(&b, list[i]);
            buf_puts(&b, "\", ");
        }
        buf_puts(&b, "or \"");
        buf_puts(&b, list[m - 1]);
        buf_puts(&b, "\"?");
    }
    return b.s.data;
}
