/* schema_print.c -- a schema as SDL text, exactly as graphql-js 16's
 * printSchema writes it, with default values printed as
 * astFromValue(valueFromAST(literal, type), type). Value literals and block
 * strings are printed by type/value_print.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graphql/type/introspection.h"
#include "graphql/type/scalars.h"
#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"

/* ---- default values ------------------------------------------------------------ */

/* Deep enough for any sane default; stops input types whose field defaults
 * refer to themselves from recursing forever. */
#define MAX_DEFAULT_DEPTH 32

static json_t *coerce(const mm_gql_value *literal, const mm_gql_type *type, int depth);

static json_t *coerce_input_object(const mm_gql_value *literal, const mm_gql_type *type,
                                   int depth) {
    if (literal->kind != MM_GQL_VALUE_OBJECT) return NULL;
    json_t *obj = json_object();
    for (size_t i = 0; obj && i < type->input_field_count; i++) {
        const mm_gql_input_value *field = &type->input_fields[i];
        const mm_gql_value *node = NULL;
        for (size_t j = 0; j < literal->u.object.count; j++)
            if (strcmp(literal->u.object.fields[j].name.value, field->name) == 0) {
                node = literal->u.object.fields[j].value;
                break;
            }
        json_t *v = NULL;
        if (!node) {
            if (field->default_value) v = coerce(field->default_value, field->type, depth + 1);
            if (!v) {
                if (field->type->kind == MM_GQL_NON_NULL) {
                    json_decref(obj);
                    return NULL;
                }
                continue;
            }
        } else {
            v = coerce(node, field->type, depth + 1);
            if (!v) {
                json_decref(obj);
                return NULL;
            }
        }
        json_object_set_new(obj, field->name, v);
    }
    if (obj && type->is_one_of) {
        void *it = json_object_iter(obj);
        if (json_object_size(obj) != 1 || json_is_null(json_object_iter_value(it))) {
            json_decref(obj);
            return NULL;
        }
    }
    return obj;
}

/* graphql-js valueFromAST without variables: NULL means "no value". */
static json_t *coerce(const mm_gql_value *literal, const mm_gql_type *type, int depth) {
    if (!literal || !type || depth > MAX_DEFAULT_DEPTH || literal->kind == MM_GQL_VALUE_VARIABLE)
        return NULL;
    if (type->kind == MM_GQL_NON_NULL) {
        if (literal->kind == MM_GQL_VALUE_NULL) return NULL;
        return coerce(literal, type->of_type, depth);
    }
    if (literal->kind == MM_GQL_VALUE_NULL) return json_null();
    switch (type->kind) {
    case MM_GQL_LIST: {
        if (literal->kind != MM_GQL_VALUE_LIST) {
            json_t *item = coerce(literal, type->of_type, depth + 1);
            if (!item) return NULL;
            json_t *list = json_array();
            json_array_append_new(list, item);
            return list;
        }
        json_t *list = json_array();
        for (size_t i = 0; list && i < literal->u.list.count; i++) {
            json_t *item = coerce(literal->u.list.items[i], type->of_type, depth + 1);
            if (!item) {
                json_decref(list);
                return NULL;
            }
            json_array_append_new(list, item);
        }
        return list;
    }
    case MM_GQL_INPUT_OBJECT: return coerce_input_object(literal, type, depth);
    case MM_GQL_ENUM:
        if (literal->kind != MM_GQL_VALUE_ENUM ||
            !mm_gql_type_find_enum_value(type, literal->u.name))
            return NULL;
        return json_string(literal->u.name);
    case MM_GQL_SCALAR: {
        if (!type->is_builtin) return mm_gql_value_from_ast_untyped(literal, NULL);
        mm_arena scratch;
        mm_arena_init(&scratch);
        const char *error = NULL;
        json_t *v = NULL;
        if (strcmp(type->name, "Int") == 0)
            v = mm_gql_int_parse_literal(NULL, literal, NULL, &scratch, &error);
        else if (strcmp(type->name, "Float") == 0)
            v = mm_gql_float_parse_literal(NULL, literal, NULL, &scratch, &error);
        else if (strcmp(type->name, "String") == 0)
            v = mm_gql_string_parse_literal(NULL, literal, NULL, &scratch, &error);
        else if (strcmp(type->name, "Boolean") == 0)
            v = mm_gql_boolean_parse_literal(NULL, literal, NULL, &scratch, &error);
        else if (strcmp(type->name, "ID") == 0)
            v = mm_gql_id_parse_literal(NULL, literal, NULL, &scratch, &error);
        mm_arena_reset(&scratch);
        return v;
    }
    default: return NULL;
    }
}

json_t *mm_gql_default_value_coerce(const mm_gql_value *literal, const mm_gql_type *type,
                                    bool *invalid) {
    json_t *v = coerce(literal, type, 0);
    *invalid = v == NULL;
    return v;
}

static bool is_integer_string(const char *s) {
    if (*s == '-') s++;
    if (*s == '0') return s[1] == '\0';
    if (*s < '1' || *s > '9') return false;
    while (*s >= '0' && *s <= '9') s++;
    return *s == '\0';
}

static void print_json_literal(mm_strbuf *buf, json_t *v) {
    char num[32];
    switch (json_typeof(v)) {
    case JSON_NULL: mm_strbuf_puts(buf, "null"); break;
    case JSON_TRUE: mm_strbuf_puts(buf, "true"); break;
    case JSON_FALSE: mm_strbuf_puts(buf, "false"); break;
    case JSON_INTEGER: mm_strbuf_printf(buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v)); break;
    case JSON_REAL: mm_strbuf_puts(buf, mm_js_number_string(json_real_value(v), num)); break;
    case JSON_STRING:
        mm_gql_strbuf_print_string(buf, json_string_value(v), json_string_length(v));
        break;
    case JSON_ARRAY:
        mm_strbuf_puts(buf, "[");
        for (size_t i = 0; i < json_array_size(v); i++) {
            if (i) mm_strbuf_puts(buf, ", ");
            print_json_literal(buf, json_array_get(v, i));
        }
        mm_strbuf_puts(buf, "]");
        break;
    case JSON_OBJECT: {
        const char *key;
        json_t *member;
        bool first = true;
        mm_strbuf_puts(buf, "{");
        json_object_foreach(v, key, member) {
            if (!first) mm_strbuf_puts(buf, ", ");
            first = false;
            mm_strbuf_printf(buf, "%s: ", key);
            print_json_literal(buf, member);
        }
        mm_strbuf_puts(buf, "}");
        break;
    }
    }
}

/* graphql-js astFromValue followed by print(); false when there is no AST. */
static bool print_as_ast(mm_strbuf *buf, json_t *v, const mm_gql_type *type) {
    if (type->kind == MM_GQL_NON_NULL) {
        if (json_is_null(v)) return false;
        return print_as_ast(buf, v, type->of_type);
    }
    if (!v) return false;
    if (json_is_null(v)) {
        mm_strbuf_puts(buf, "null");
        return true;
    }
    switch (type->kind) {
    case MM_GQL_LIST: {
        if (!json_is_array(v)) return print_as_ast(buf, v, type->of_type);
        mm_strbuf_puts(buf, "[");
        bool first = true;
        for (size_t i = 0; i < json_array_size(v); i++) {
            mm_strbuf item = {0};
            if (print_as_ast(&item, json_array_get(v, i), type->of_type) && item.data) {
                if (!first) mm_strbuf_puts(buf, ", ");
                first = false;
                mm_strbuf_append(buf, item.data, item.len);
            }
            free(item.data);
        }
        mm_strbuf_puts(buf, "]");
        return true;
    }
    case MM_GQL_INPUT_OBJECT: {
        if (!json_is_object(v)) return false;
        mm_strbuf_puts(buf, "{");
        bool first = true;
        for (size_t i = 0; i < type->input_field_count; i++) {
            const mm_gql_input_value *f = &type->input_fields[i];
            mm_strbuf item = {0};
            if (print_as_ast(&item, json_object_get(v, f->name), f->type) && item.data) {
                if (!first) mm_strbuf_puts(buf, ", ");
                first = false;
                mm_strbuf_printf(buf, "%s: ", f->name);
                mm_strbuf_append(buf, item.data, item.len);
            }
            free(item.data);
        }
        mm_strbuf_puts(buf, "}");
        return true;
    }
    case MM_GQL_ENUM:
        if (!json_is_string(v)) return false;
        mm_strbuf_puts(buf, json_string_value(v));
        return true;
    case MM_GQL_SCALAR: {
        json_t *s = json_incref(v);
        if (type->is_builtin) {
            mm_arena scratch;
            mm_arena_init(&scratch);
            const char *error = NULL;
            json_decref(s);
            s = NULL;
            if (strcmp(type->name, "Int") == 0)
                s = mm_gql_int_serialize(NULL, v, &scratch, &error);
            else if (strcmp(type->name, "Float") == 0)
                s = mm_gql_float_serialize(NULL, v, &scratch, &error);
            else if (strcmp(type->name, "String") == 0)
                s = mm_gql_string_serialize(NULL, v, &scratch, &error);
            else if (strcmp(type->name, "Boolean") == 0)
                s = mm_gql_boolean_serialize(NULL, v, &scratch, &error);
            else if (strcmp(type->name, "ID") == 0)
                s = mm_gql_id_serialize(NULL, v, &scratch, &error);
            mm_arena_reset(&scratch);
        }
        if (!s || json_is_null(s)) {
            json_decref(s);
            return false;
        }
        if (json_is_string(s) && type->is_builtin && strcmp(type->name, "ID") == 0 &&
            is_integer_string(json_string_value(s)))
            mm_strbuf_puts(buf, json_string_value(s));
        else
            print_json_literal(buf, s);
        json_decref(s);
        return true;
    }
    default: return false;
    }
}

char *mm_gql_print_default_value(const mm_gql_input_value *iv) {
    if (!iv || !iv->default_value) return NULL;
    bool invalid;
    json_t *v = mm_gql_default_value_coerce(iv->default_value, iv->type, &invalid);
    if (invalid) return NULL;
    mm_strbuf buf = {0};
    bool ok = print_as_ast(&buf, v, iv->type);
    json_decref(v);
    if (!ok || buf.failed) {
        free(buf.data);
        return NULL;
    }
    return buf.data;
}

/* ---- printSchema ------------------------------------------------------------------ */

static void print_description(mm_strbuf *buf, const char *description, size_t len,
                              const char *indent, bool first_in_block) {
    if (!description) return;
    mm_strbuf str = {0};
    if (mm_gql_printable_as_block_string(description, len))
        mm_gql_strbuf_print_block_string(&str, description, len);
    else
        mm_gql_strbuf_print_string(&str, description, len);
    if (*indent && !first_in_block) {
        mm_strbuf_puts(buf, "\n");
        mm_strbuf_puts(buf, indent);
    } else {
        mm_strbuf_puts(buf, indent);
    }
    for (size_t i = 0; i < str.len; i++) {
        mm_strbuf_append(buf, &str.data[i], 1);
        if (str.data[i] == '\n') mm_strbuf_puts(buf, indent);
    }
    mm_strbuf_puts(buf, "\n");
    free(str.data);
}

static void print_type_ref(mm_strbuf *buf, const mm_gql_type *t) {
    if (t->kind == MM_GQL_LIST) {
        mm_strbuf_puts(buf, "[");
        print_type_ref(buf, t->of_type);
        mm_strbuf_puts(buf, "]");
    } else if (t->kind == MM_GQL_NON_NULL) {
        print_type_ref(buf, t->of_type);
        mm_strbuf_puts(buf, "!");
    } else {
        mm_strbuf_puts(buf, t->name);
    }
}

static void print_deprecated(mm_strbuf *buf, const char *reason, size_t len) {
    if (!reason) return;
    if (len == strlen(reason) && strcmp(reason, "No longer supported") == 0) {
        mm_strbuf_puts(buf, " @deprecated");
        return;
    }
    mm_strbuf_puts(buf, " @deprecated(reason: ");
    mm_gql_strbuf_print_string(buf, reason, len);
    mm_strbuf_puts(buf, ")");
}

static void print_input_value(mm_strbuf *buf, const mm_gql_input_value *iv) {
    mm_strbuf_puts(buf, iv->name);
    mm_strbuf_puts(buf, ": ");
    print_type_ref(buf, iv->type);
    char *def = mm_gql_print_default_value(iv);
    if (def) {
        mm_strbuf_puts(buf, " = ");
        mm_strbuf_puts(buf, def);
        free(def);
    }
    print_deprecated(buf, iv->deprecation_reason,
                     mm_gql_deprecation_reason_length(iv->deprecation_reason,
                                                      iv->ast ? iv->ast->directives : NULL,
                                                      iv->ast ? iv->ast->directive_count : 0));
}

static void print_args(mm_strbuf *buf, const mm_gql_input_value *args, size_t n,
                       const char *indent) {
    if (n == 0) return;
    bool any_description = false;
    for (size_t i = 0; i < n; i++)
        if (args[i].description && args[i].description[0]) any_description = true;
    if (!any_description) {
        mm_strbuf_puts(buf, "(");
        for (size_t i = 0; i < n; i++) {
            if (i) mm_strbuf_puts(buf, ", ");
            print_input_value(buf, &args[i]);
        }
        mm_strbuf_puts(buf, ")");
        return;
    }
    char inner[64];
    snprintf(inner, sizeof inner, "  %s", indent);
    mm_strbuf_puts(buf, "(\n");
    for (size_t i = 0; i < n; i++) {
        if (i) mm_strbuf_puts(buf, "\n");
        print_description(buf, args[i].description,
                          mm_gql_description_length(args[i].description,
                                                    args[i].ast ? &args[i].ast->description : NULL),
                          inner, i == 0);
        mm_strbuf_puts(buf, inner);
        print_input_value(buf, &args[i]);
    }
    mm_strbuf_puts(buf, "\n");
    mm_strbuf_puts(buf, indent);
    mm_strbuf_puts(buf, ")");
}

static void print_interfaces(mm_strbuf *buf, const mm_gql_type *t) {
    for (size_t i = 0; i < t->interface_count; i++) {
        mm_strbuf_puts(buf, i ? " & " : " implements ");
        mm_strbuf_puts(buf, t->interfaces[i]->name);
    }
}

static void print_fields(mm_strbuf *buf, const mm_gql_type *t) {
    if (t->field_count == 0) return;
    mm_strbuf_puts(buf, " {\n");
    for (size_t i = 0; i < t->field_count; i++) {
        const mm_gql_field *f = &t->fields[i];
        if (i) mm_strbuf_puts(buf, "\n");
        print_description(
            buf, f->description,
            mm_gql_description_length(f->description, f->ast ? &f->ast->description : NULL), "  ",
            i == 0);
        mm_strbuf_puts(buf, "  ");
        mm_strbuf_puts(buf, f->name);
        print_args(buf, f->args, f->arg_count, "  ");
        mm_strbuf_puts(buf, ": ");
        print_type_ref(buf, f->type);
        print_deprecated(buf, f->deprecation_reason,
                         mm_gql_deprecation_reason_length(f->deprecation_reason,
                                                          f->ast ? f->ast->directives : NULL,
                                                          f->ast ? f->ast->directive_count : 0));
    }
    mm_strbuf_puts(buf, "\n}");
}

static void print_type(mm_strbuf *buf, const mm_gql_type *t) {
    print_description(
        buf, t->description,
        mm_gql_description_length(t->description, t->ast ? &t->ast->description : NULL), "", true);
    switch (t->kind) {
    case MM_GQL_SCALAR:
        mm_strbuf_printf(buf, "scalar %s", t->name);
        if (t->specified_by_url) {
            mm_strbuf_puts(buf, " @specifiedBy(url: ");
            mm_gql_strbuf_print_string(buf, t->specified_by_url, strlen(t->specified_by_url));
            mm_strbuf_puts(buf, ")");
        }
        break;
    case MM_GQL_OBJECT:
    case MM_GQL_INTERFACE:
        mm_strbuf_printf(buf, "%s %s", t->kind == MM_GQL_OBJECT ? "type" : "interface", t->name);
        print_interfaces(buf, t);
        print_fields(buf, t);
        break;
    case MM_GQL_UNION:
        mm_strbuf_printf(buf, "union %s", t->name);
        for (size_t i = 0; i < t->possible_type_count; i++) {
            mm_strbuf_puts(buf, i ? " | " : " = ");
            mm_strbuf_puts(buf, t->possible_types[i]->name);
        }
        break;
    case MM_GQL_ENUM:
        mm_strbuf_printf(buf, "enum %s", t->name);
        if (t->enum_value_count) {
            mm_strbuf_puts(buf, " {\n");
            for (size_t i = 0; i < t->enum_value_count; i++) {
                if (i) mm_strbuf_puts(buf, "\n");
                const mm_gql_enum_value *ev = &t->enum_values[i];
                print_description(buf, ev->description,
                                  mm_gql_description_length(ev->description,
                                                            ev->ast ? &ev->ast->description : NULL),
                                  "  ", i == 0);
                mm_strbuf_puts(buf, "  ");
                mm_strbuf_puts(buf, t->enum_values[i].name);
                print_deprecated(buf, ev->deprecation_reason,
                                 mm_gql_deprecation_reason_length(
                                     ev->deprecation_reason, ev->ast ? ev->ast->directives : NULL,
                                     ev->ast ? ev->ast->directive_count : 0));
            }
            mm_strbuf_puts(buf, "\n}");
        }
        break;
    case MM_GQL_INPUT_OBJECT:
        mm_strbuf_printf(buf, "input %s", t->name);
        if (t->is_one_of) mm_strbuf_puts(buf, " @oneOf");
        if (t->input_field_count) {
            mm_strbuf_puts(buf, " {\n");
            for (size_t i = 0; i < t->input_field_count; i++) {
                if (i) mm_strbuf_puts(buf, "\n");
                const mm_gql_input_value *iv = &t->input_fields[i];
                print_description(buf, iv->description,
                                  mm_gql_description_length(iv->description,
                                                            iv->ast ? &iv->ast->description : NULL),
                                  "  ", i == 0);
                mm_strbuf_puts(buf, "  ");
                print_input_value(buf, &t->input_fields[i]);
            }
            mm_strbuf_puts(buf, "\n}");
        }
        break;
    default: break;
    }
}

static bool is_specified_directive(const char *name) {
    static const char *const names[] = {"include", "skip", "deprecated", "specifiedBy", "oneOf"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i], name) == 0) return true;
    return false;
}

static void print_directive(mm_strbuf *buf, const mm_gql_directive_definition *d) {
    print_description(
        buf, d->description,
        mm_gql_description_length(d->description, d->ast ? &d->ast->description : NULL), "", true);
    mm_strbuf_printf(buf, "directive @%s", d->name);
    print_args(buf, d->args, d->arg_count, "");
    if (d->repeatable) mm_strbuf_puts(buf, " repeatable");
    mm_strbuf_puts(buf, " on ");
    for (size_t i = 0; d->ast && i < d->ast->location_count; i++) {
        if (i) mm_strbuf_puts(buf, " | ");
        mm_strbuf_puts(buf, d->ast->locations[i].value);
    }
}

static bool common_root_names(const mm_gql_schema *s) {
    return (!s->query_type || strcmp(s->query_type->name, "Query") == 0) &&
           (!s->mutation_type || strcmp(s->mutation_type->name, "Mutation") == 0) &&
           (!s->subscription_type || strcmp(s->subscription_type->name, "Subscription") == 0);
}

char *mm_gql_schema_print(const mm_gql_schema *schema) {
    if (!schema) return NULL;
    mm_strbuf buf = {0};
    bool first = true;
#define SEPARATE()                                \
    do {                                          \
        if (!first) mm_strbuf_puts(&buf, "\n\n"); \
        first = false;                            \
    } while (0)
    if (schema->description || !common_root_names(schema)) {
        SEPARATE();
        print_description(&buf, schema->description,
                          mm_gql_description_length(schema->description, NULL), "", true);
        mm_strbuf_puts(&buf, "schema {");
        if (schema->query_type) mm_strbuf_printf(&buf, "\n  query: %s", schema->query_type->name);
        if (schema->mutation_type)
            mm_strbuf_printf(&buf, "\n  mutation: %s", schema->mutation_type->name);
        if (schema->subscription_type)
            mm_strbuf_printf(&buf, "\n  subscription: %s", schema->subscription_type->name);
        mm_strbuf_puts(&buf, "\n}");
    }
    for (size_t i = 0; i < schema->directive_count; i++) {
        if (is_specified_directive(schema->directives[i].name)) continue;
        SEPARATE();
        print_directive(&buf, &schema->directives[i]);
    }
    for (size_t i = 0; i < schema->type_count; i++) {
        if (schema->types[i]->is_builtin) continue;
        SEPARATE();
        print_type(&buf, schema->types[i]);
    }
#undef SEPARATE
    if (buf.failed) {
        free(buf.data);
        return NULL;
    }
    if (!buf.data) return strdup("");
    return buf.data;
}
