/* rule_fields_on_correct_type.c -- validation rule FieldsOnCorrectType: a
 * selected field exists on its parent type (with graphql-js's type and field
 * suggestions). */
#include <stdlib.h>

#include "graphql/validation/validate_internal.h"

static bool has_field(const mm_gql_type *t, const char *name) {
    return mm_gql_type_find_field(t, name) != NULL;
}

/* schema.isSubType(a, b) for an interface a: b implements a. */
static bool implements(const mm_gql_type *b, const mm_gql_type *a) {
    for (size_t i = 0; i < b->interface_count; i++)
        if (b->interfaces[i] == a) return true;
    return false;
}

typedef struct suggested {
    const mm_gql_type *type;
    size_t usage;
    size_t order; /* first-seen position: JavaScript's sort is stable */
} suggested;

static int compare_suggested(const suggested *a, const suggested *b) {
    if (a->usage != b->usage) return a->usage < b->usage ? 1 : -1;
    if (a->type->kind == MM_GQL_INTERFACE && implements(b->type, a->type)) return -1;
    if (b->type->kind == MM_GQL_INTERFACE && implements(a->type, b->type)) return 1;
    int c = mm_v_natural_compare(a->type->name, b->type->name);
    if (c) return c;
    return a->order < b->order ? -1 : a->order > b->order;
}

static int compare_suggested_q(const void *a, const void *b) { return compare_suggested(a, b); }

static size_t suggested_types(mm_vctx *ctx, const mm_gql_type *type, const char *field_name,
                              const char ***out) {
    if (!mm_gql_is_abstract_type(type)) return 0;
    size_t cap = type->possible_type_count;
    for (size_t i = 0; i < type->possible_type_count; i++)
        cap += type->possible_types[i]->interface_count;
    suggested *s = mm_arena_alloc(ctx->arena, (cap ? cap : 1) * sizeof(*s));
    if (!s) mm_v_oom(ctx);
    size_t n = 0;
    mm_vmap index = {0}; /* type name -> position + 1 in s */
    for (size_t i = 0; i < type->possible_type_count; i++) {
        const mm_gql_type *pt = type->possible_types[i];
        if (!has_field(pt, field_name)) continue;
        size_t k = (size_t)(uintptr_t)mm_vmap_get(&index, pt->name);
        if (!k) {
            s[n++] = (suggested){pt, 1, 0};
            if (!mm_vmap_put(ctx->arena, &index, pt->name, (void *)(uintptr_t)n)) mm_v_oom(ctx);
        } else {
            s[k - 1].usage = 1;
        }
        for (size_t j = 0; j < pt->interface_count; j++) {
            const mm_gql_type *iface = pt->interfaces[j];
            if (!has_field(iface, field_name)) continue;
            k = (size_t)(uintptr_t)mm_vmap_get(&index, iface->name);
            if (!k) {
                s[n++] = (suggested){iface, 1, 0};
                if (!mm_vmap_put(ctx->arena, &index, iface->name, (void *)(uintptr_t)n))
                    mm_v_oom(ctx);
            } else {
                s[k - 1].usage++;
            }
        }
    }
    for (size_t i = 0; i < n; i++) s[i].order = i;
    qsort(s, n, sizeof(*s), compare_suggested_q);
    const char **names = mm_arena_alloc(ctx->arena, (n ? n : 1) * sizeof(*names));
    if (!names) mm_v_oom(ctx);
    for (size_t i = 0; i < n; i++) names[i] = s[i].type->name;
    *out = names;
    return n;
}

void mm_rule_fields_on_correct_type(mm_vctx *ctx, const mm_gql_selection *field) {
    mm_gql_type *type = mm_ti_parent_type(ctx->ti);
    if (!type || mm_ti_field(ctx->ti)) return;
    const char *name = field->u.field.name.value;
    const char *suggestion = "";
    if (!ctx->hide_suggestions) {
        const char **list = NULL;
        size_t n = suggested_types(ctx, type, name, &list);
        suggestion = mm_v_did_you_mean(ctx, "to use an inline fragment on", list, n);
        if (suggestion[0] == '\0' &&
            (type->kind == MM_GQL_OBJECT || type->kind == MM_GQL_INTERFACE)) {
            const char **options =
                mm_arena_alloc(ctx->arena, (type->field_count + 1) * sizeof(*options));
            if (!options) mm_v_oom(ctx);
            for (size_t i = 0; i < type->field_count; i++) options[i] = type->fields[i].name;
            n = mm_v_suggestion_list(ctx, name, options, type->field_count, &list);
            suggestion = mm_v_did_you_mean(ctx, NULL, list, n);
        }
    }
    mm_v_report(ctx, &field->loc, 1, "Cannot query field \"%s\" on type \"%s\".%s", name,
                type->name, suggestion);
}
