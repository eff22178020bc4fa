/* schema_sdl_validate.c -- graphql-js's SDL validation rules
 * (specifiedSDLRules) over the SDL documents of a schema, before any type
 * is built: unique names of types, fields, arguments, enum values,
 * directives and operation types, a lone schema definition, known types and
 * directives, directives used where they may be and at most once, known and
 * required directive arguments, unique input-object fields in literals, and
 * extensions of defined types of the same kind.
 *
 * The documents are walked once, in graphql-js's visiting order, with every
 * rule applied at each node, so errors come out in graphql-js's order. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/hash.h"
#include "graphql/type/schema.h"
#include "graphql/type/schema_private.h"

#define MAX_LOCS 64

/* A growable name -> value hash map (open addressing), in insertion order
 * for iteration. Schemas of thousands of types stay linear overall. */
typedef struct entry {
    const char *key;
    const void *value;
} entry;

typedef struct map {
    entry *items; /* insertion order */
    size_t count;
    size_t capacity;
    size_t *slots;     /* index + 1 into items, 0 = empty */
    size_t slot_count; /* a power of two */
} map;

static size_t hash_key(const char *s) { return (size_t)mm_fnv1a_str(s); }

static size_t *find_slot(const map *m, const char *key) {
    size_t mask = m->slot_count - 1;
    for (size_t i = hash_key(key) & mask;; i = (i + 1) & mask) {
        size_t *slot = &m->slots[i];
        if (*slot == 0 || strcmp(m->items[*slot - 1].key, key) == 0) return slot;
    }
}

static const void *map_get(const map *m, const char *key) {
    if (!m->slot_count) return NULL;
    size_t *slot = find_slot(m, key);
    return *slot ? m->items[*slot - 1].value : NULL;
}

static bool map_rehash(map *m, size_t slot_count) {
    size_t *slots = calloc(slot_count, sizeof(*slots));
    if (!slots) return false;
    free(m->slots);
    m->slots = slots;
    m->slot_count = slot_count;
    for (size_t i = 0; i < m->count; i++) *find_slot(m, m->items[i].key) = i + 1;
    return true;
}

static void map_set(map *m, const char *key, const void *value) {
    if (m->slot_count) {
        size_t *slot = find_slot(m, key);
        if (*slot) {
            m->items[*slot - 1].value = value;
            return;
        }
    }
    if (m->count == m->capacity) {
        size_t cap = m->capacity ? m->capacity * 2 : 16;
        entry *p = realloc(m->items, cap * sizeof(*p));
        if (!p) return;
        m->items = p;
        m->capacity = cap;
    }
    if ((m->count + 1) * 2 > m->slot_count &&
        !map_rehash(m, m->slot_count ? m->slot_count * 2 : 32))
        return;
    m->items[m->count].key = key;
    m->items[m->count].value = value;
    m->count++;
    *find_slot(m, key) = m->count;
}

static void map_free(map *m) {
    free(m->items);
    free(m->slots);
    memset(m, 0, sizeof(*m));
}

typedef struct walker {
    mm_gql_errors *errors;
    const char *const *source_names;
    size_t doc_count;
    size_t doc_index; /* the document being walked */
    size_t count;
    mm_arena scratch;
    mm_gql_loc locs[MAX_LOCS];
    size_t nlocs;
    /* precomputed */
    map defined_types;       /* name -> const mm_gql_type_def* (last definition) */
    map directive_defs;      /* name -> const mm_gql_directive_def* (built-in or user, last wins) */
    const char **type_names; /* defined type names in order, for suggestions */
    size_t type_name_count;
    /* rule state */
    bool seen_schema_def;
    map operation_types;     /* "query" -> const mm_gql_operation_type_def* */
    map schema_directives;   /* directive name -> const mm_gql_directive* */
    map known_types;         /* UniqueTypeNames: name -> const mm_gql_name* */
    map known_directives;    /* UniqueDirectiveNames */
    map type_maps;           /* type name -> map* of field/value names */
    map type_directive_maps; /* type name -> map* of applied directives */
} walker;

/* A map stored as the value of another (per type name), created on demand. */
static map *submap(walker *w, map *outer, const char *key) {
    map *m = (map *)map_get(outer, key);
    if (!m) {
        m = mm_arena_calloc(&w->scratch, 1, sizeof(*m));
        if (!m) return NULL;
        map_set(outer, key, m);
    }
    return m;
}

static void free_submaps(map *outer) {
    for (size_t i = 0; i < outer->count; i++) map_free((map *)outer->items[i].value);
    map_free(outer);
}

static void loc(walker *w, const mm_gql_loc *l) {
    if (l && w->nlocs < MAX_LOCS) w->locs[w->nlocs++] = *l;
}

static void report(walker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void report(walker *w, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    char *msg = NULL;
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n >= 0 && (msg = malloc((size_t)n + 1))) vsnprintf(msg, (size_t)n + 1, fmt, ap);
    va_end(ap);
    mm_gql_error *e = mm_gql_errors_add(w->errors, MM_GQL_ERROR_VALIDATION, w->locs, w->nlocs, "%s",
                                        msg ? msg : "Invalid schema.");
    if (e) mm_gql_error_set_source(e, w->source_names, w->doc_count, w->doc_index);
    free(msg);
    w->count++;
    w->nlocs = 0;
}

static const mm_gql_loc *definition_loc(const void *member) {
    const mm_gql_definition *d =
        (const mm_gql_definition *)((const char *)member - offsetof(mm_gql_definition, u));
    return &d->loc;
}

/* ---- suggestions (graphql-js suggestionList and didYouMean) -------------------- */

static size_t lexical_distance(const char *a_in, const char *b_in, size_t threshold, bool *ok) {
    *ok = false;
    if (strcmp(a_in, b_in) == 0) {
        *ok = true;
        return 0;
    }
    if (strcasecmp(a_in, b_in) == 0) {
        *ok = true;
        return 1;
    }
    size_t la = strlen(a_in), lb = strlen(b_in);
    const char *a = a_in, *b = b_in;
    if (la < lb) {
        const char *t = a;
        a = b;
        b = t;
        size_t tl = la;
        la = lb;
        lb = tl;
    }
    if (la - lb > threshold) return 0;
    size_t *rows = calloc(3 * (lb + 1), sizeof(size_t));
    if (!rows) return 0;
#define ROW(r) (rows + ((r) % 3) * (lb + 1))
    for (size_t j = 0; j <= lb; j++) ROW(0)[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t *up = ROW(i - 1), *cur = ROW(i);
        size_t smallest = cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            char ca = (char)(a[i - 1] | ((a[i - 1] >= 'A' && a[i - 1] <= 'Z') ? 0x20 : 0));
            char cb = (char)(b[j - 1] | ((b[j - 1] >= 'A' && b[j - 1] <= 'Z') ? 0x20 : 0));
            size_t cost = ca == cb ? 0 : 1;
            size_t cur_min = up[j] + 1;
            if (cur[j - 1] + 1 < cur_min) cur_min = cur[j - 1] + 1;
            if (up[j - 1] + cost < cur_min) cur_min = up[j - 1] + cost;
            if (i > 1 && j > 1) {
                char pa = (char)(a[i - 2] | ((a[i - 2] >= 'A' && a[i - 2] <= 'Z') ? 0x20 : 0));
                char pb = (char)(b[j - 2] | ((b[j - 2] >= 'A' && b[j - 2] <= 'Z') ? 0x20 : 0));
                if (ca == pb && pa == cb) {
                    size_t d = ROW(i - 2)[j - 2];
                    if (d + 1 < cur_min) cur_min = d + 1;
                }
            }
            if (cur_min < smallest) smallest = cur_min;
            cur[j] = cur_min;
        }
        if (smallest > threshold) {
            free(rows);
            return 0;
        }
    }
    size_t distance = ROW(la)[lb];
#undef ROW
    free(rows);
    if (distance <= threshold) *ok = true;
    return distance;
}

/* graphql-js naturalCompare: digit runs compare as numbers. */
static int natural_compare(const char *a, const char *b) {
    size_t i = 0, j = 0;
    while (a[i] && b[j]) {
        unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[j];
        if (ca >= '0' && ca <= '9' && cb >= '0' && cb <= '9') {
            unsigned long long na = 0, nb = 0;
            do {
                na = na * 10 + (unsigned)(a[i++] - '0');
            } while (a[i] >= '0' && a[i] <= '9');
            do {
                nb = nb * 10 + (unsigned)(b[j++] - '0');
            } while (b[j] >= '0' && b[j] <= '9');
            if (na != nb) return na < nb ? -1 : 1;
        } else {
            if (ca != cb) return ca < cb ? -1 : 1;
            i++;
            j++;
        }
    }
    return (int)strlen(a + i) - (int)strlen(b + j);
}

typedef struct scored {
    const char *name;
    size_t distance;
} scored;

static int compare_scored(const void *pa, const void *pb) {
    const scored *a = pa, *b = pb;
    if (a->distance != b->distance) return a->distance < b->distance ? -1 : 1;
    return natural_compare(a->name, b->name);
}

/* Appends " Did you mean ...?" for the options close to input. */
static void did_you_mean(mm_strbuf *out, const char *input, const char *const *options, size_t n) {
    scored *list = calloc(n + 1, sizeof(*list));
    if (!list) return;
    size_t threshold = strlen(input) * 4 / 10 + 1, count = 0;
    for (size_t i = 0; i < n; i++) {
        bool dup = false;
        for (size_t k = 0; k < count; k++)
            if (strcmp(list[k].name, options[i]) == 0) dup = true;
        bool ok;
        size_t d = lexical_distance(input, options[i], threshold, &ok);
        if (ok && !dup) {
            list[count].name = options[i];
            list[count].distance = d;
            count++;
        }
    }
    qsort(list, count, sizeof(*list), compare_scored);
    if (count > 5) count = 5;
    if (count > 0) {
        mm_strbuf_puts(out, " Did you mean ");
        for (size_t i = 0; i < count; i++) {
            if (i > 0) mm_strbuf_puts(out, count == 2 ? " or " : i == count - 1 ? ", or " : ", ");
            mm_strbuf_printf(out, "\"%s\"", list[i].name);
        }
        mm_strbuf_puts(out, "?");
    }
    free(list);
}

/* ---- rules at nodes -------------------------------------------------------------- */

static const char *const standard_types[] = {
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
    "__Schema",
    "__Type",
    "__TypeKind",
    "__Field",
    "__InputValue",
    "__EnumValue",
    "__Directive",
    "__DirectiveLocation",
};
#define STANDARD_COUNT (sizeof standard_types / sizeof standard_types[0])

static void known_type_name(walker *w, const mm_gql_name *name) {
    if (map_get(&w->defined_types, name->value)) return;
    for (size_t i = 0; i < STANDARD_COUNT; i++)
        if (strcmp(standard_types[i], name->value) == 0) return;
    const char **options = calloc(STANDARD_COUNT + w->type_name_count + 1, sizeof(*options));
    size_t n = 0;
    for (size_t i = 0; options && i < STANDARD_COUNT; i++) options[n++] = standard_types[i];
    for (size_t i = 0; options && i < w->type_name_count; i++) options[n++] = w->type_names[i];
    mm_strbuf hint = {0};
    if (options) did_you_mean(&hint, name->value, options, n);
    free(options);
    loc(w, &name->loc);
    report(w, "Unknown type \"%s\".%s", name->value, hint.data ? hint.data : "");
    free(hint.data);
}

static void walk_type_ref(walker *w, const mm_gql_type_ref *ref) {
    while (ref && ref->kind != MM_GQL_TYPE_NAMED) ref = ref->of_type;
    if (ref) known_type_name(w, &ref->name);
}

static void walk_value(walker *w, const mm_gql_value *v) {
    if (v->kind == MM_GQL_VALUE_LIST) {
        for (size_t i = 0; i < v->u.list.count; i++) walk_value(w, v->u.list.items[i]);
    } else if (v->kind == MM_GQL_VALUE_OBJECT) {
        for (size_t i = 0; i < v->u.object.count; i++) {
            const mm_gql_object_field *f = &v->u.object.fields[i];
            for (size_t j = 0; j < i; j++)
                if (strcmp(v->u.object.fields[j].name.value, f->name.value) == 0) {
                    /* graphql-js remembers the first occurrence */
                    loc(w, &v->u.object.fields[j].name.loc);
                    loc(w, &f->name.loc);
                    report(w, "There can be only one input field named \"%s\".", f->name.value);
                    break;
                }
            walk_value(w, f->value);
        }
    }
}

/* Directives applied at one node: UniqueDirectivesPerLocation (on entering
 * the node that holds them); seen is shared across a type's definition and
 * extensions, or across schema definitions. */
static void unique_directives(walker *w, const mm_gql_directive *dirs, size_t n, map *seen) {
    map local = {0};
    if (!seen) seen = &local;
    for (size_t i = 0; i < n; i++) {
        const char *name = dirs[i].name.value;
        const mm_gql_directive_def *def = map_get(&w->directive_defs, name);
        if (!def || def->repeatable) continue;
        const mm_gql_directive *prev = map_get(seen, name);
        if (prev) {
            loc(w, &prev->loc);
            loc(w, &dirs[i].loc);
            report(w, "The directive \"@%s\" can only be used once at this location.", name);
        } else {
            map_set(seen, name, &dirs[i]);
        }
    }
    map_free(&local);
}

static bool is_required_arg_def(const mm_gql_input_value_def *a) {
    return a->type->kind == MM_GQL_TYPE_NON_NULL && !a->default_value;
}

static void print_type_ref(mm_strbuf *buf, const mm_gql_type_ref *ref) {
    if (ref->kind == MM_GQL_TYPE_LIST) {
        mm_strbuf_puts(buf, "[");
        print_type_ref(buf, ref->of_type);
        mm_strbuf_puts(buf, "]");
    } else if (ref->kind == MM_GQL_TYPE_NON_NULL) {
        print_type_ref(buf, ref->of_type);
        mm_strbuf_puts(buf, "!");
    } else {
        mm_strbuf_puts(buf, ref->name.value);
    }
}

static void walk_directive(walker *w, const mm_gql_directive *d, const char *location) {
    const char *name = d->name.value;
    const mm_gql_directive_def *def = map_get(&w->directive_defs, name);
    /* KnownDirectives */
    if (!def) {
        loc(w, &d->loc);
        report(w, "Unknown directive \"@%s\".", name);
    } else {
        bool allowed = false;
        for (size_t i = 0; i < def->location_count; i++)
            if (strcmp(def->locations[i].value, location) == 0) allowed = true;
        /* the built-in @deprecated also allows DIRECTIVE_DEFINITION, which
         * no SDL we parse can apply it to */
        if (!allowed) {
            loc(w, &d->loc);
            report(w, "Directive \"@%s\" may not be used on %s.", name, location);
        }
    }
    /* KnownArgumentNamesOnDirectives */
    if (def) {
        for (size_t i = 0; i < d->arg_count; i++) {
            const char *arg = d->args[i].name.value;
            bool known = false;
            for (size_t j = 0; j < def->arg_count; j++)
                if (strcmp(def->args[j].name.value, arg) == 0) known = true;
            if (known) continue;
            const char **options = calloc(def->arg_count + 1, sizeof(*options));
            for (size_t j = 0; options && j < def->arg_count; j++)
                options[j] = def->args[j].name.value;
            mm_strbuf hint = {0};
            if (options) did_you_mean(&hint, arg, options, def->arg_count);
            free(options);
            loc(w, &d->args[i].loc);
            report(w, "Unknown argument \"%s\" on directive \"@%s\".%s", arg, name,
                   hint.data ? hint.data : "");
            free(hint.data);
        }
    }
    /* UniqueArgumentNames */
    for (size_t i = 0; i < d->arg_count; i++) {
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (strcmp(d->args[j].name.value, d->args[i].name.value) == 0) first = false;
        if (!first) continue;
        size_t count = 0;
        for (size_t j = i; j < d->arg_count; j++)
            if (strcmp(d->args[j].name.value, d->args[i].name.value) == 0) count++;
        if (count < 2) continue;
        for (size_t j = i; j < d->arg_count; j++)
            if (strcmp(d->args[j].name.value, d->args[i].name.value) == 0)
                loc(w, &d->args[j].name.loc);
        report(w, "There can be only one argument named \"%s\".", d->args[i].name.value);
    }
    for (size_t i = 0; i < d->arg_count; i++) walk_value(w, d->args[i].value);
    /* ProvidedRequiredArgumentsOnDirectives (on leaving the directive) */
    if (def) {
        for (size_t j = 0; j < def->arg_count; j++) {
            const mm_gql_input_value_def *a = &def->args[j];
            if (!is_required_arg_def(a)) continue;
            bool provided = false;
            for (size_t i = 0; i < d->arg_count; i++)
                if (strcmp(d->args[i].name.value, a->name.value) == 0) provided = true;
            if (provided) continue;
            mm_strbuf t = {0};
            print_type_ref(&t, a->type);
            loc(w, &d->loc);
            report(w,
                   "Directive \"@%s\" argument \"%s\" of type \"%s\" is required, but it was "
                   "not provided.",
                   name, a->name.value, t.data ? t.data : "");
            free(t.data);
        }
    }
}

static void walk_directives(walker *w, const mm_gql_directive *dirs, size_t n,
                            const char *location) {
    for (size_t i = 0; i < n; i++) walk_directive(w, &dirs[i], location);
}

static void walk_input_value(walker *w, const mm_gql_input_value_def *iv, const char *location) {
    unique_directives(w, iv->directives, iv->directive_count, NULL);
    walk_type_ref(w, iv->type);
    if (iv->default_value) walk_value(w, iv->default_value);
    walk_directives(w, iv->directives, iv->directive_count, location);
}

static void unique_arg_defs(walker *w, const char *parent, const mm_gql_input_value_def *args,
                            size_t n) {
    for (size_t i = 0; i < n; i++) {
        bool first = true;
        for (size_t j = 0; j < i; j++)
            if (strcmp(args[j].name.value, args[i].name.value) == 0) first = false;
        if (!first) continue;
        size_t count = 0;
        for (size_t j = i; j < n; j++)
            if (strcmp(args[j].name.value, args[i].name.value) == 0) count++;
        if (count < 2) continue;
        for (size_t j = i; j < n; j++)
            if (strcmp(args[j].name.value, args[i].name.value) == 0) loc(w, &args[j].name.loc);
        report(w, "Argument \"%s(%s:)\" can only be defined once.", parent, args[i].name.value);
    }
}

static const char *kind_word(mm_gql_type_def_kind k) {
    switch (k) {
    case MM_GQL_TYPEDEF_SCALAR: return "scalar";
    case MM_GQL_TYPEDEF_OBJECT: return "object";
    case MM_GQL_TYPEDEF_INTERFACE: return "interface";
    case MM_GQL_TYPEDEF_UNION: return "union";
    case MM_GQL_TYPEDEF_ENUM: return "enum";
    case MM_GQL_TYPEDEF_INPUT_OBJECT: return "input object";
    }
    return "";
}

static const char *kind_location(mm_gql_type_def_kind k) {
    switch (k) {
    case MM_GQL_TYPEDEF_SCALAR: return "SCALAR";
    case MM_GQL_TYPEDEF_OBJECT: return "OBJECT";
    case MM_GQL_TYPEDEF_INTERFACE: return "INTERFACE";
    case MM_GQL_TYPEDEF_UNION: return "UNION";
    case MM_GQL_TYPEDEF_ENUM: return "ENUM";
    case MM_GQL_TYPEDEF_INPUT_OBJECT: return "INPUT_OBJECT";
    }
    return "";
}

static void walk_type_def(walker *w, const mm_gql_type_def *t) {
    const char *name = t->name.value;
    /* UniqueTypeNames */
    if (!t->is_extension) {
        const mm_gql_name *prev = map_get(&w->known_types, name);
        if (prev) {
            loc(w, &prev->loc);
            loc(w, &t->name.loc);
            report(w, "There can be only one type named \"%s\".", name);
        } else {
            map_set(&w->known_types, name, &t->name);
        }
    }
    /* UniqueEnumValueNames */
    if (t->kind == MM_GQL_TYPEDEF_ENUM) {
        map *seen = submap(w, &w->type_maps, name);
        for (size_t i = 0; seen && i < t->value_count; i++) {
            const mm_gql_name *prev = map_get(seen, t->values[i].name.value);
            if (prev) {
                loc(w, &prev->loc);
                loc(w, &t->values[i].name.loc);
                report(w, "Enum value \"%s.%s\" can only be defined once.", name,
                       t->values[i].name.value);
            } else {
                map_set(seen, t->values[i].name.value, &t->values[i].name);
            }
        }
    }
    /* UniqueFieldDefinitionNames */
    if (t->kind == MM_GQL_TYPEDEF_OBJECT || t->kind == MM_GQL_TYPEDEF_INTERFACE ||
        t->kind == MM_GQL_TYPEDEF_INPUT_OBJECT) {
        map *seen = submap(w, &w->type_maps, name);
        size_t n = t->kind == MM_GQL_TYPEDEF_INPUT_OBJECT ? t->input_field_count : t->field_count;
        for (size_t i = 0; seen && i < n; i++) {
            const mm_gql_name *fname = t->kind == MM_GQL_TYPEDEF_INPUT_OBJECT
                                           ? &t->input_fields[i].name
                                           : &t->fields[i].name;
            const mm_gql_name *prev = map_get(seen, fname->value);
            if (prev) {
                loc(w, &prev->loc);
                loc(w, &fname->loc);
                report(w, "Field \"%s.%s\" can only be defined once.", name, fname->value);
            } else {
                map_set(seen, fname->value, fname);
            }
        }
    }
    /* UniqueArgumentDefinitionNames */
    if (t->kind == MM_GQL_TYPEDEF_OBJECT || t->kind == MM_GQL_TYPEDEF_INTERFACE) {
        for (size_t i = 0; i < t->field_count; i++) {
            char *parent = mm_arena_sprintf(&w->scratch, "%s.%s", name, t->fields[i].name.value);
            unique_arg_defs(w, parent ? parent : name, t->fields[i].args, t->fields[i].arg_count);
        }
    }
    /* UniqueDirectivesPerLocation */
    unique_directives(w, t->directives, t->directive_count,
                      submap(w, &w->type_directive_maps, name));
    /* PossibleTypeExtensions */
    if (t->is_extension) {
        const mm_gql_type_def *def = map_get(&w->defined_types, name);
        if (def) {
            if (def->kind != t->kind) {
                loc(w, definition_loc(def));
                loc(w, definition_loc(t));
                report(w, "Cannot extend non-%s type \"%s\".", kind_word(t->kind), name);
            }
        } else {
            mm_strbuf hint = {0};
            did_you_mean(&hint, name, w->type_names, w->type_name_count);
            loc(w, &t->name.loc);
            report(w, "Cannot extend type \"%s\" because it is not defined.%s", name,
                   hint.data ? hint.data : "");
            free(hint.data);
        }
    }

    /* children, in graphql-js's visiting order */
    for (size_t i = 0; i < t->interface_count; i++) known_type_name(w, &t->interfaces[i]);
    walk_directives(w, t->directives, t->directive_count, kind_location(t->kind));
    switch (t->kind) {
    case MM_GQL_TYPEDEF_OBJECT:
    case MM_GQL_TYPEDEF_INTERFACE:
        for (size_t i = 0; i < t->field_count; i++) {
            const mm_gql_field_def *f = &t->fields[i];
            unique_directives(w, f->directives, f->directive_count, NULL);
            for (size_t j = 0; j < f->arg_count; j++)
                walk_input_value(w, &f->args[j], "ARGUMENT_DEFINITION");
            walk_type_ref(w, f->type);
            walk_directives(w, f->directives, f->directive_count, "FIELD_DEFINITION");
        }
        break;
    case MM_GQL_TYPEDEF_INPUT_OBJECT:
        /* graphql-js names fields of input-object EXTENSIONS argument definitions */
        for (size_t i = 0; i < t->input_field_count; i++)
            walk_input_value(w, &t->input_fields[i],
                             t->is_extension ? "ARGUMENT_DEFINITION" : "INPUT_FIELD_DEFINITION");
        break;
    case MM_GQL_TYPEDEF_UNION:
        for (size_t i = 0; i < t->member_count; i++) known_type_name(w, &t->members[i]);
        break;
    case MM_GQL_TYPEDEF_ENUM:
        for (size_t i = 0; i < t->value_count; i++) {
            const mm_gql_enum_value_def *v = &t->values[i];
            unique_directives(w, v->directives, v->directive_count, NULL);
            walk_directives(w, v->directives, v->directive_count, "ENUM_VALUE");
        }
        break;
    default: break;
    }
}

static const char *operation_word(mm_gql_operation_type op) {
    return op == MM_GQL_OP_QUERY ? "query" : op == MM_GQL_OP_MUTATION ? "mutation" : "subscription";
}

static void walk_schema_def(walker *w, const mm_gql_schema_def *s) {
    /* LoneSchemaDefinition */
    if (!s->is_extension) {
        if (w->seen_schema_def) {
            loc(w, definition_loc(s));
            report(w, "Must provide only one schema definition.");
        }
        w->seen_schema_def = true;
    }
    /* UniqueOperationTypes */
    for (size_t i = 0; i < s->operation_type_count; i++) {
        const mm_gql_operation_type_def *op = &s->operation_types[i];
        const char *word = operation_word(op->operation);
        const mm_gql_operation_type_def *prev = map_get(&w->operation_types, word);
        if (prev) {
            loc(w, &prev->loc);
            loc(w, &op->loc);
            report(w, "There can be only one %s type in schema.", word);
        } else {
            map_set(&w->operation_types, word, op);
        }
    }
    unique_directives(w, s->directives, s->directive_count, &w->schema_directives);
    walk_directives(w, s->directives, s->directive_count, "SCHEMA");
    for (size_t i = 0; i < s->operation_type_count; i++)
        known_type_name(w, &s->operation_types[i].type);
}

static void walk_directive_def(walker *w, const mm_gql_directive_def *d) {
    char *parent = mm_arena_sprintf(&w->scratch, "@%s", d->name.value);
    unique_arg_defs(w, parent ? parent : d->name.value, d->args, d->arg_count);
    /* UniqueDirectiveNames */
    const mm_gql_name *prev = map_get(&w->known_directives, d->name.value);
    if (prev) {
        loc(w, &prev->loc);
        loc(w, &d->name.loc);
        report(w, "There can be only one directive named \"@%s\".", d->name.value);
    } else {
        map_set(&w->known_directives, d->name.value, &d->name);
    }
    for (size_t i = 0; i < d->arg_count; i++)
        walk_input_value(w, &d->args[i], "ARGUMENT_DEFINITION");
}

size_t mm_gql_sdl_validate(mm_gql_document *const *docs, const char *const *source_names,
                           size_t doc_count, const mm_gql_document *builtins,
                           mm_gql_errors *errors) {
    walker w = {.errors = errors, .source_names = source_names, .doc_count = doc_count};
    mm_arena_init(&w.scratch);
    size_t ntypes = 0;
    for (size_t d = 0; d < doc_count; d++)
        for (size_t i = 0; i < docs[d]->definition_count; i++)
            if (docs[d]->definitions[i].kind == MM_GQL_DEF_TYPE) ntypes++;
    w.type_names = mm_arena_calloc(&w.scratch, ntypes + 1, sizeof(*w.type_names));
    for (size_t i = 0; builtins && i < builtins->definition_count; i++)
        if (builtins->definitions[i].kind == MM_GQL_DEF_DIRECTIVE)
            map_set(&w.directive_defs, builtins->definitions[i].u.directive.name.value,
                    &builtins->definitions[i].u.directive);
    for (size_t d = 0; d < doc_count; d++)
        for (size_t i = 0; i < docs[d]->definition_count; i++) {
            const mm_gql_definition *def = &docs[d]->definitions[i];
            if (def->kind == MM_GQL_DEF_DIRECTIVE)
                map_set(&w.directive_defs, def->u.directive.name.value, &def->u.directive);
            if (def->kind == MM_GQL_DEF_TYPE && !def->u.type.is_extension) {
                if (!map_get(&w.defined_types, def->u.type.name.value) && w.type_names)
                    w.type_names[w.type_name_count++] = def->u.type.name.value;
                map_set(&w.defined_types, def->u.type.name.value, &def->u.type);
            }
        }
    for (size_t d = 0; d < doc_count; d++)
        for (size_t i = 0; i < docs[d]->definition_count; i++) {
            const mm_gql_definition *def = &docs[d]->definitions[i];
            w.doc_index = d;
            switch (def->kind) {
            case MM_GQL_DEF_TYPE: walk_type_def(&w, &def->u.type); break;
            case MM_GQL_DEF_SCHEMA: walk_schema_def(&w, &def->u.schema); break;
            case MM_GQL_DEF_DIRECTIVE: walk_directive_def(&w, &def->u.directive); break;
            default: break; /* executable definitions are ignored, as buildASTSchema does */
            }
        }
    map_free(&w.defined_types);
    map_free(&w.directive_defs);
    map_free(&w.operation_types);
    map_free(&w.schema_directives);
    map_free(&w.known_types);
    map_free(&w.known_directives);
    free_submaps(&w.type_maps);
    free_submaps(&w.type_directive_maps);
    mm_arena_reset(&w.scratch);
    return w.count;
}
