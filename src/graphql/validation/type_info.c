/* type_info.c -- graphql-js TypeInfo for the validator's walk (see type_info.h). */
#include "graphql/validation/type_info.h"

#include <string.h>

#include "metamorphosis.h"

static void push(mm_type_info *ti, mm_ti_stack *s, const void *p) {
    if (s->count == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        const void **items = mm_arena_alloc(ti->arena, cap * sizeof(*items));
        if (!items) {
            ti->oom = 1;
            /* Keep the stack balanced: overwrite the top instead of growing. */
            if (s->count) s->items[s->count - 1] = p;
            return;
        }
        if (s->count) memcpy(items, s->items, s->count * sizeof(*items));
        s->items = items;
        s->cap = cap;
    }
    s->items[s->count++] = p;
}

static void pop(mm_ti_stack *s) {
    if (s->count) s->count--;
}

static const void *top(const mm_ti_stack *s) { return s->count ? s->items[s->count - 1] : NULL; }

int mm_ti_meta_init(mm_ti_meta *meta, mm_gql_schema *schema) {
    memset(meta, 0, sizeof(*meta));
    mm_gql_type *schema_t = mm_gql_schema_find_type(schema, "__Schema");
    mm_gql_type *type_t = mm_gql_schema_find_type(schema, "__Type");
    mm_gql_type *string_t = mm_gql_schema_find_type(schema, "String");
    meta->schema_field.name = "__schema";
    meta->schema_field.description = "Access the current type schema of this server.";
    meta->schema_field.type = schema_t ? mm_gql_non_null_of(schema, schema_t) : NULL;
    meta->type_field.name = "__type";
    meta->type_field.description = "Request the type information of a single type.";
    meta->type_field.type = type_t;
    meta->type_name_arg.name = "name";
    meta->type_name_arg.type = string_t ? mm_gql_non_null_of(schema, string_t) : NULL;
    meta->type_field.args = &meta->type_name_arg;
    meta->type_field.arg_count = 1;
    meta->typename_field.name = "__typename";
    meta->typename_field.description = "The name of the current Object type at runtime.";
    meta->typename_field.type = string_t ? mm_gql_non_null_of(schema, string_t) : NULL;
    if ((schema_t && !meta->schema_field.type) || (string_t && !meta->typename_field.type))
        return MM_ENOMEM;
    return 0;
}

void mm_ti_init(mm_type_info *ti, mm_gql_schema *schema, const mm_ti_meta *meta, mm_arena *arena) {
    memset(ti, 0, sizeof(*ti));
    ti->schema = schema;
    ti->meta = meta;
    ti->arena = arena;
}

static bool is_object_or_interface(const mm_gql_type *t) {
    return t && (t->kind == MM_GQL_OBJECT || t->kind == MM_GQL_INTERFACE);
}

mm_gql_field *mm_ti_field_def(const mm_type_info *ti, const mm_gql_type *parent, const char *name) {
    if (name[0] == '_' && name[1] == '_') {
        const mm_ti_meta *m = ti->meta;
        if (parent == ti->schema->query_type) {
            if (strcmp(name, "__schema") == 0 && m->schema_field.type)
                return (mm_gql_field *)&m->schema_field;
            if (strcmp(name, "__type") == 0 && m->type_field.type)
                return (mm_gql_field *)&m->type_field;
        }
        if (strcmp(name, "__typename") == 0 && mm_gql_is_composite_type(parent) &&
            m->typename_field.type)
            return (mm_gql_field *)&m->typename_field;
    }
    if (is_object_or_interface(parent)) return mm_gql_type_find_field(parent, name);
    return NULL;
}

mm_gql_type *mm_ti_type(const mm_type_info *ti) { return (mm_gql_type *)top(&ti->type_stack); }
mm_gql_type *mm_ti_parent_type(const mm_type_info *ti) {
    return (mm_gql_type *)top(&ti->parent_type_stack);
}
mm_gql_type *mm_ti_input_type(const mm_type_info *ti) {
    return (mm_gql_type *)top(&ti->input_type_stack);
}
mm_gql_type *mm_ti_parent_input_type(const mm_type_info *ti) {
    const mm_ti_stack *s = &ti->input_type_stack;
    return s->count >= 2 ? (mm_gql_type *)s->items[s->count - 2] : NULL;
}
mm_gql_field *mm_ti_field(const mm_type_info *ti) {
    return (mm_gql_field *)top(&ti->field_def_stack);
}
const mm_gql_value *mm_ti_default_value(const mm_type_info *ti) {
    return (const mm_gql_value *)top(&ti->default_stack);
}

static mm_gql_type *named(mm_gql_type *t) { return t ? mm_gql_named_type(t) : NULL; }

void mm_ti_enter_selection_set(mm_type_info *ti) {
    mm_gql_type *n = named(mm_ti_type(ti));
    push(ti, &ti->parent_type_stack, mm_gql_is_composite_type(n) ? n : NULL);
}
void mm_ti_leave_selection_set(mm_type_info *ti) { pop(&ti->parent_type_stack); }

void mm_ti_enter_field(mm_type_info *ti, const mm_gql_selection *field) {
    mm_gql_type *parent = mm_ti_parent_type(ti);
    mm_gql_field *def = parent ? mm_ti_field_def(ti, parent, field->u.field.name.value) : NULL;
    mm_gql_type *t = def ? def->type : NULL;
    push(ti, &ti->field_def_stack, def);
    push(ti, &ti->type_stack, t && mm_gql_is_output_type(t) ? t : NULL);
}
void mm_ti_leave_field(mm_type_info *ti) {
    pop(&ti->field_def_stack);
    pop(&ti->type_stack);
}

void mm_ti_enter_directive(mm_type_info *ti, const mm_gql_directive *directive) {
    ti->directive = mm_gql_schema_find_directive(ti->schema, directive->name.value);
}
void mm_ti_leave_directive(mm_type_info *ti) { ti->directive = NULL; }

void mm_ti_enter_operation(mm_type_info *ti, const mm_gql_operation *op) {
    mm_gql_type *root = op->operation == MM_GQL_OP_QUERY      ? ti->schema->query_type
                        : op->operation == MM_GQL_OP_MUTATION ? ti->schema->mutation_type
                                                              : ti->schema->subscription_type;
    push(ti, &ti->type_stack, root && root->kind == MM_GQL_OBJECT ? root : NULL);
}

void mm_ti_enter_fragment(mm_type_info *ti, const char *type_condition) {
    mm_gql_type *t = type_condition ? mm_gql_schema_find_type(ti->schema, type_condition)
                                    : named(mm_ti_type(ti));
    push(ti, &ti->type_stack, t && mm_gql_is_output_type(t) ? t : NULL);
}
void mm_ti_leave_type(mm_type_info *ti) { pop(&ti->type_stack); }

void mm_ti_enter_variable_definition(mm_type_info *ti, const mm_gql_variable_definition *def) {
    mm_gql_type *t = mm_gql_type_from_ast(ti->schema, def->type);
    push(ti, &ti->input_type_stack, t && mm_gql_is_input_type(t) ? t : NULL);
}
void mm_ti_leave_variable_definition(mm_type_info *ti) { pop(&ti->input_type_stack); }

void mm_ti_enter_argument(mm_type_info *ti, const mm_gql_argument *arg) {
    const mm_gql_input_value *def = NULL;
    const char *name = arg->name.value;
    if (ti->directive) {
        for (size_t i = 0; i < ti->directive->arg_count; i++)
            if (strcmp(ti->directive->args[i].name, name) == 0) {
                def = &ti->directive->args[i];
                break;
            }
    } else {
        mm_gql_field *f = mm_ti_field(ti);
        if (f)
            for (size_t i = 0; i < f->arg_count; i++)
                if (strcmp(f->args[i].name, name) == 0) {
                    def = &f->args[i];
                    break;
                }
    }
    ti->argument = def;
    push(ti, &ti->default_stack, def ? def->default_value : NULL);
    push(ti, &ti->input_type_stack, def && mm_gql_is_input_type(def->type) ? def->type : NULL);
}
void mm_ti_leave_argument(mm_type_info *ti) {
    ti->argument = NULL;
    pop(&ti->default_stack);
    pop(&ti->input_type_stack);
}

void mm_ti_enter_list(mm_type_info *ti) {
    mm_gql_type *t = mm_ti_input_type(ti);
    mm_gql_type *list = t ? mm_gql_nullable_type(t) : NULL;
    mm_gql_type *item = list && list->kind == MM_GQL_LIST ? list->of_type : list;
    push(ti, &ti->default_stack, NULL);
    push(ti, &ti->input_type_stack, item && mm_gql_is_input_type(item) ? item : NULL);
}
void mm_ti_leave_list(mm_type_info *ti) {
    pop(&ti->default_stack);
    pop(&ti->input_type_stack);
}

void mm_ti_enter_object_field(mm_type_info *ti, const mm_gql_object_field *field) {
    mm_gql_type *obj = named(mm_ti_input_type(ti));
    const mm_gql_input_value *def = NULL;
    if (obj && obj->kind == MM_GQL_INPUT_OBJECT)
        def = mm_gql_type_find_input_field(obj, field->name.value);
    push(ti, &ti->default_stack, def ? def->default_value : NULL);
    push(ti, &ti->input_type_stack, def && mm_gql_is_input_type(def->type) ? def->type : NULL);
}
void mm_ti_leave_object_field(mm_type_info *ti) {
    pop(&ti->default_stack);
    pop(&ti->input_type_stack);
}

void mm_ti_enter_enum(mm_type_info *ti, const mm_gql_value *value) {
    mm_gql_type *t = named(mm_ti_input_type(ti));
    ti->enum_value =
        t && t->kind == MM_GQL_ENUM ? mm_gql_type_find_enum_value(t, value->u.name) : NULL;
}
void mm_ti_leave_enum(mm_type_info *ti) { ti->enum_value = NULL; }
