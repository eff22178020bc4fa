/* rule_values_of_correct_type.c -- validation rule ValuesOfCorrectType: every
 * literal fits its expected input type; leaves are checked with the scalar's
 * parse_literal, enums by name. */
#include <string.h>

#include "graphql/validation/validate_internal.h"

static void expected(mm_vctx *ctx, const mm_gql_type *location_type, const mm_gql_value *node,
                     const char *detail) {
    mm_v_report(ctx, &node->loc, 1, "Expected value of type \"%s\", found %s%s%s.",
                mm_v_type_str(ctx, location_type), mm_v_value_str(ctx, node), detail ? "; " : "",
                detail ? detail : "");
}

static const char *enum_suggestion(mm_vctx *ctx, const mm_gql_type *t, const char *value_str) {
    if (ctx->hide_suggestions) return "";
    const char **names = mm_arena_alloc(ctx->arena, (t->enum_value_count + 1) * sizeof(*names));
    if (!names) mm_v_oom(ctx);
    for (size_t i = 0; i < t->enum_value_count; i++) names[i] = t->enum_values[i].name;
    const char **list;
    size_t n = mm_v_suggestion_list(ctx, value_str, names, t->enum_value_count, &list);
    return mm_v_did_you_mean(ctx, "the enum value", list, n);
}

/* graphql-js isValidValueNode. */
static void check_leaf(mm_vctx *ctx, const mm_gql_value *node) {
    mm_gql_type *location_type = mm_ti_input_type(ctx->ti);
    if (!location_type) return;
    mm_gql_type *t = mm_gql_named_type(location_type);
    if (!mm_gql_is_leaf_type(t)) {
        expected(ctx, location_type, node, NULL);
        return;
    }
    if (t->kind == MM_GQL_ENUM) {
        if (node->kind != MM_GQL_VALUE_ENUM) {
            const char *s = mm_v_value_str(ctx, node);
            mm_v_report(ctx, &node->loc, 1, "Enum \"%s\" cannot represent non-enum value: %s.%s",
                        t->name, s, enum_suggestion(ctx, t, s));
        } else if (!mm_gql_type_find_enum_value(t, node->u.name)) {
            mm_v_report(ctx, &node->loc, 1, "Value \"%s\" does not exist in \"%s\" enum.%s",
                        node->u.name, t->name, enum_suggestion(ctx, t, node->u.name));
        }
        return;
    }
    if (!t->parse_literal) return; /* a custom scalar without a parser accepts any literal */
    const char *err = NULL;
    json_t *v = t->parse_literal(t->scalar_ud, node, NULL, ctx->arena, &err);
    if (v) {
        json_decref(v);
        return;
    }
    if (!err)
        expected(ctx, location_type, node, NULL);
    else if (t->is_builtin)
        mm_v_report(ctx, &node->loc, 1, "%s", err);
    else
        expected(ctx, location_type, node, err);
}

/* graphql-js validateOneOfInputObject: exactly one distinct key, not null. */
static void check_one_of(mm_vctx *ctx, const mm_gql_value *value, const mm_gql_type *t) {
    size_t n = value->u.object.count;
    const mm_gql_object_field *last = NULL;
    bool one_key = n > 0;
    for (size_t i = 1; i < n && one_key; i++)
        one_key =
            strcmp(value->u.object.fields[i].name.value, value->u.object.fields[0].name.value) == 0;
    if (!one_key) {
        mm_v_report(ctx, &value->loc, 1, "OneOf Input Object \"%s\" must specify exactly one key.",
                    t->name);
        return;
    }
    last = &value->u.object.fields[n - 1]; /* keyMap keeps the last field of a repeated name */
    if (!last->value || last->value->kind == MM_GQL_VALUE_NULL)
        mm_v_report(ctx, &value->loc, 1, "Field \"%s.%s\" must be non-null.", t->name,
                    last->name.value);
}

bool mm_rule_value_enter(mm_vctx *ctx, const mm_gql_value *value) {
    switch (value->kind) {
    case MM_GQL_VALUE_LIST: {
        mm_gql_type *t = mm_ti_parent_input_type(ctx->ti);
        t = t ? mm_gql_nullable_type(t) : NULL;
        if (!t || t->kind != MM_GQL_LIST) {
            check_leaf(ctx, value);
            return false;
        }
        return true;
    }
    case MM_GQL_VALUE_OBJECT: {
        mm_gql_type *t = mm_ti_input_type(ctx->ti);
        t = t ? mm_gql_named_type(t) : NULL;
        if (!t || t->kind != MM_GQL_INPUT_OBJECT) {
            check_leaf(ctx, value);
            return false;
        }
        for (size_t i = 0; i < t->input_field_count; i++) {
            const mm_gql_input_value *f = &t->input_fields[i];
            if (f->type->kind != MM_GQL_NON_NULL || f->default_value) continue;
            bool present = false;
            for (size_t j = 0; j < value->u.object.count && !present; j++)
                present = strcmp(value->u.object.fields[j].name.value, f->name) == 0;
            if (present) continue;
            mm_v_report(ctx, &value->loc, 1,
                        "Field \"%s.%s\" of required type \"%s\" was not provided.", t->name,
                        f->name, mm_v_type_str(ctx, f->type));
        }
        if (t->is_one_of) check_one_of(ctx, value, t);
        return true;
    }
    case MM_GQL_VALUE_NULL: {
        mm_gql_type *t = mm_ti_input_type(ctx->ti);
        if (t && t->kind == MM_GQL_NON_NULL)
            mm_v_report(ctx, &value->loc, 1, "Expected value of type \"%s\", found null.",
                        mm_v_type_str(ctx, t));
        return true;
    }
    case MM_GQL_VALUE_VARIABLE: return true;
    default: check_leaf(ctx, value); return true;
    }
}

void mm_rule_object_field_enter(mm_vctx *ctx, const mm_gql_object_field *field) {
    mm_gql_type *parent = mm_ti_parent_input_type(ctx->ti);
    parent = parent ? mm_gql_named_type(parent) : NULL;
    if (mm_ti_input_type(ctx->ti) || !parent || parent->kind != MM_GQL_INPUT_OBJECT) return;
    const char *suggest = "";
    if (!ctx->hide_suggestions) {
        const char **names =
            mm_arena_alloc(ctx->arena, (parent->input_field_count + 1) * sizeof(*names));
        if (!names) mm_v_oom(ctx);
        for (size_t i = 0; i < parent->input_field_count; i++)
            names[i] = parent->input_fields[i].name;
        const char **list;
        size_t n =
            mm_v_suggestion_list(ctx, field->name.value, names, parent->input_field_count, &list);
        suggest = mm_v_did_you_mean(ctx, NULL, list, n);
    }
    mm_v_report(ctx, &field->loc, 1, "Field \"%s\" is not defined by type \"%s\".%s",
                field->name.value, parent->name, suggest);
}
