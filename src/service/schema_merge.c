/* schema_merge.c -- merging every service into one schema (schema_merge.h). */
#include "service/schema_merge.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/suggest.h"
#include "graphql/language/parser.h"
#include "graphql/type/scalars.h"
#include "service/mutation.h"
#include "service/resolve.h"
#include "service/service_internal.h"

const char mm_framework_sdl[] =
    "enum MutationTimings {\n"
    "  synchronous\n"
    "  asynchronous\n"
    "}\n"
    "\n"
    "\"\"\"\n"
    "Allows use of a JSON String for input / output from the GraphQL schema.\n"
    "\"\"\"\n"
    "scalar JSONString\n"
    "\n"
    "\"\"\"The stored outcome of an event, kept until its time-to-live expires.\"\"\"\n"
    "type EventResult {\n"
    "  \"\"\"The id of the event this is the outcome of.\"\"\"\n"
    "  id: ID!\n"
    "  \"\"\"`ok` when a consumer stored a result event, `error` when it failed.\"\"\"\n"
    "  status: String!\n"
    "  \"\"\"The type of the result event.\"\"\"\n"
    "  eventType: String\n"
    "  \"\"\"The result event's fields.\"\"\"\n"
    "  data: JSONString\n"
    "  error: EventError\n"
    "}\n"
    "\n"
    "\"\"\"Why a consumer failed to handle an event (its exception event).\"\"\"\n"
    "type EventError {\n"
    "  namespace: String\n"
    "  className: String\n"
    "  message: String\n"
    "  code: String\n"
    "  data: JSONString\n"
    "  sourceEventId: ID\n"
    "}\n"
    "\n"
    "\"\"\"Published when a consumer fails to handle an event: what went wrong.\"\"\"\n"
    "type ExceptionEvent {\n"
    "  id: String\n"
    "  srcId: String\n"
    "  ns: String\n"
    "  classname: String\n"
    "  code: String\n"
    "  msg: String\n"
    "  data: JSONString\n"
    "  stacktrace: String\n"
    "}\n"
    "\n"
    "type Query {\n"
    "  \"\"\"The stored result of an event, by its id; null when unknown or expired.\"\"\"\n"
    "  eventResult(id: ID!): EventResult\n"
    "}\n"
    "\n"
    "type Subscription {\n"
    "  \"\"\"The result of an event as soon as it is stored (at once if it already is); then "
    "completes.\"\"\"\n"
    "  eventResult(id: ID!): EventResult\n"
    "}\n";

/* Types the framework defines; a service may not define them again. */
static const char *const framework_types[] = {"MutationTimings", "JSONString",     "EventResult",
                                              "EventError",      "ExceptionEvent", NULL};

static void fail(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t err_size, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

/* ---- a growable string ------------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    int oom;
} strbuf;

static void sb_addn(strbuf *b, const char *s, size_t n) {
    if (b->oom) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 256;
        while (cap < b->len + n + 1) cap *= 2;
        char *p = realloc(b->s, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void sb_add(strbuf *b, const char *s) { sb_addn(b, s, strlen(s)); }

/* ---- names defined, to report conflicts between services ---------------- */

typedef struct owner {
    const char *name;    /* type name or Mutation field name */
    const char *service; /* who defines it */
} owner;

typedef struct owners {
    owner *items;
    size_t count, cap;
} owners;

static const char *owners_find(const owners *o, const char *name) {
    for (size_t i = 0; i < o->count; i++)
        if (strcmp(o->items[i].name, name) == 0) return o->items[i].service;
    return NULL;
}

static int owners_add(owners *o, const char *name, const char *service) {
    if (o->count == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 32;
        owner *p = realloc(o->items, cap * sizeof(*p));
        if (!p) return MM_ENOMEM;
        o->items = p;
        o->cap = cap;
    }
    o->items[o->count++] = (owner){name, service};
    return 0;
}

static int is_root_name(const char *n) {
    return strcmp(n, "Query") == 0 || strcmp(n, "Mutation") == 0 || strcmp(n, "Subscription") == 0;
}

/* Rewrites one SDL fragment of owner (a service, or an extra such as the
 * manager's fields) so that it merges with everyone else's: `type Query {...}`
 * (with its description, if any) becomes `extend type Query {...}`, and a
 * scalar that another fragment already declared is dropped (two services
 * both declaring `scalar DateTime` mean the same thing; the first binding
 * serves both). Records the other type names it defines in types, reporting
 * a name another owner already defined. *mentions_mutation is set when the
 * SDL defines or extends Mutation. */
static char *prepare_sdl(const char *what, const char *owner_name, const char *sdl, mm_arena *arena,
                         owners *types, int *mentions_mutation, char *err, size_t err_size) {
    const char *who = mm_arena_strdup(arena, owner_name); /* outlives the caller's buffers */
    if (!who) {
        fail(err, err_size, "out of memory");
        return NULL;
    }
    mm_gql_errors errors;
    mm_gql_errors_init(&errors, arena);
    size_t len = strlen(sdl);
    mm_gql_document *doc = mm_gql_parse(arena, sdl, len, NULL, &errors);
    if (!doc) {
        const mm_gql_error *e = errors.head;
        fail(err, err_size, "%s %s: SDL line %u, column %u: %s", what, who,
             e && e->location_count ? e->locations[0].line : 0,
             e && e->location_count ? e->locations[0].column : 0, e ? e->message : "parse error");
        mm_gql_errors_release(&errors);
        return NULL;
    }
    strbuf out = {0};
    size_t copied = 0;
    for (size_t i = 0; i < doc->definition_count; i++) {
        const mm_gql_definition *d = &doc->definitions[i];
        if (d->kind == MM_GQL_DEF_OPERATION || d->kind == MM_GQL_DEF_FRAGMENT) {
            fail(err, err_size,
                 "%s %s: SDL line %u: operations and fragments do not belong in a schema", what,
                 who, d->loc.line);
            free(out.s);
            return NULL;
        }
        if (d->kind == MM_GQL_DEF_SCHEMA) {
            fail(err, err_size,
                 "%s %s: SDL line %u: a service may not declare `schema`; the "
                 "root types are Query and Mutation",
                 what, who, d->loc.line);
            free(out.s);
            return NULL;
        }
        if (d->kind != MM_GQL_DEF_TYPE) continue;
        const mm_gql_type_def *t = &d->u.type;
        const char *name = t->name.value;
        if (strcmp(name, "Mutation") == 0) *mentions_mutation = 1;
        if (is_root_name(name)) {
            if (!t->is_extension) {
                /* Replace [definition start, name) -- description and the
                 * `type` keyword -- with `extend type `. */
                sb_addn(&out, sdl + copied, d->loc.offset - copied);
                sb_add(&out, "extend type ");
                copied = t->name.loc.offset;
            }
            continue;
        }
        if (t->is_extension) continue;
        for (const char *const *f = framework_types; *f; f++)
            if (strcmp(*f, name) == 0) {
                fail(err, err_size, "%s %s: SDL line %u: type %s is defined by the framework", what,
                     who, d->loc.line, name);
                free(out.s);
                return NULL;
            }
        const char *other = owners_find(types, name);
        if (other && t->kind == MM_GQL_TYPEDEF_SCALAR && strcmp(other, who) != 0) {
            size_t def_end =
                i + 1 < doc->definition_count ? doc->definitions[i + 1].loc.offset : len;
            sb_addn(&out, sdl + copied, d->loc.offset - copied);
            copied = def_end;
            continue;
        }
        if (other) {
            if (strcmp(other, who) == 0)
                fail(err, err_size, "%s %s: type %s is defined twice", what, who, name);
            else
                fail(err, err_size, "services %s and %s both define type %s", other, who, name);
            free(out.s);
            return NULL;
        }
        const char *kept = mm_arena_strdup(arena, name);
        if (!kept || owners_add(types, kept, who)) {
            fail(err, err_size, "out of memory");
            free(out.s);
            return NULL;
        }
    }
    sb_addn(&out, sdl + copied, len - copied);
    if (out.oom || !out.s) {
        free(out.s);
        if (!out.oom) return strdup("");
        fail(err, err_size, "out of memory");
        return NULL;
    }
    return out.s;
}

/* The SDL Graphene generated for a service's event mutations:
 *     type CreateForm { data: FormCreatedEvent }
 *     extend type Mutation { createForm(timing: MutationTimings = asynchronous, ...): CreateForm } */
static char *mutation_sdl(const mm_service *svc, owners *types, owners *fields, char *err,
                          size_t err_size) {
    strbuf b = {0};
    for (size_t i = 0; i < svc->mutation_count; i++) {
        const mm_mutation_spec *m = svc->mutations[i];
        const char *other = owners_find(types, m->payload_type);
        if (other) {
            fail(err, err_size,
                 "service %s: mutation %s needs the type name %s, which service %s "
                 "already defines",
                 svc->name, m->name, m->payload_type, other);
            free(b.s);
            return NULL;
        }
        other = owners_find(fields, m->name);
        if (other) {
            fail(err, err_size, "services %s and %s both define mutation %s", other, svc->name,
                 m->name);
            free(b.s);
            return NULL;
        }
        if (owners_add(types, m->payload_type, svc->name) ||
            owners_add(fields, m->name, svc->name)) {
            fail(err, err_size, "out of memory");
            free(b.s);
            return NULL;
        }
        int sync = (m->timings & MM_TIMING_SYNCHRONOUS) != 0;
        int both = m->timings == (MM_TIMING_SYNCHRONOUS | MM_TIMING_ASYNCHRONOUS);
        sb_add(&b, "type ");
        sb_add(&b, m->payload_type);
        sb_add(&b, " {\n");
        if (both && strcmp(m->result_type, m->event_type) != 0) {
            /* The field keeps the original's type (clients depend on it);
             * the description says what an asynchronous answer holds. */
            sb_add(&b,
                   "  \"\"\"\n  synchronous: the consumer's result. asynchronous: the published ");
            sb_add(&b, m->event_type);
            sb_add(&b, "'s fields that ");
            sb_add(&b, m->result_type);
            sb_add(
                &b,
                " also has (`id` is the event id, for `eventResult(id:)`); the others are null.\n"
                "  \"\"\"\n");
        }
        sb_add(&b, "  data: ");
        sb_add(&b, sync ? m->result_type : m->event_type);
        sb_add(&b, "\n}\n\nextend type Mutation {\n  ");
        sb_add(&b, m->name);
        int has_args = m->timing_argument || m->arguments[0];
        if (has_args) sb_add(&b, "(");
        if (m->timing_argument) {
            sb_add(&b, "timing: MutationTimings = ");
            sb_add(&b, m->default_timing == MM_TIMING_SYNCHRONOUS ? "synchronous" : "asynchronous");
            if (m->arguments[0]) sb_add(&b, ", ");
        }
        sb_add(&b, m->arguments);
        if (has_args) sb_add(&b, ")");
        sb_add(&b, ": ");
        sb_add(&b, m->payload_type);
        sb_add(&b, "\n}\n\n");
    }
    if (b.oom) {
        free(b.s);
        fail(err, err_size, "out of memory");
        return NULL;
    }
    return b.s ? b.s : strdup("");
}

/* ---- cross-references: every name a definition uses is declared ----------
 *
 * A mutation's event_type and result_type and a consumer's event_types name
 * SDL object types. A typo there would otherwise be accepted and surface only
 * at run time (a dead-lettered event, a skipped event, a 60 s timeout), so it
 * is a load-time error that names the service, the definition and the bad
 * name, with the closest declared type as a suggestion. */

/* Is name declared (by a loaded service, an extension or the framework)? */
static int type_declared(const owners *types, const char *name) {
    if (owners_find(types, name)) return 1;
    for (const char *const *f = framework_types; *f; f++)
        if (strcmp(*f, name) == 0) return 1;
    return 0;
}

static const char *type_hint(const owners *types, const char *name, char *buf, size_t size) {
    mm_suggest sg;
    mm_suggest_init(&sg, name);
    for (size_t i = 0; i < types->count; i++) mm_suggest_offer(&sg, types->items[i].name);
    for (const char *const *f = framework_types; *f; f++) mm_suggest_offer(&sg, *f);
    return mm_suggest_hint(&sg, buf, size);
}

static int check_names(const mm_service *svc, const owners *types, char *err, size_t err_size) {
    char hint[160];
    for (size_t i = 0; i < svc->mutation_count; i++) {
        const mm_mutation_spec *m = svc->mutations[i];
        if (!type_declared(types, m->event_type)) {
            fail(err, err_size,
                 "service %s: mutation %s: event_type '%s' is not a type declared in "
                 "the SDL%s",
                 svc->name, m->name, m->event_type,
                 type_hint(types, m->event_type, hint, sizeof hint));
            return MM_ENOTFOUND;
        }
        if (!type_declared(types, m->result_type)) {
            fail(err, err_size,
                 "service %s: mutation %s: result_type '%s' is not a type declared in "
                 "the SDL%s",
                 svc->name, m->name, m->result_type,
                 type_hint(types, m->result_type, hint, sizeof hint));
            return MM_ENOTFOUND;
        }
    }
    for (size_t i = 0; i < svc->consumer_count; i++) {
        const mm_consumer_spec *c = svc->consumers[i];
        for (char **t = c->event_types; t && *t; t++)
            if (!type_declared(types, *t)) {
                fail(err, err_size,
                     "service %s: consumer %s: event_types names '%s', which is not a "
                     "type declared in the SDL of a loaded service%s",
                     svc->name, c->name, *t, type_hint(types, *t, hint, sizeof hint));
                return MM_ENOTFOUND;
            }
    }
    return 0;
}

/* After the build: the names are declared; are they object types? */
static int check_kinds(const mm_gql_schema *schema, const mm_service *svc, char *err,
                       size_t err_size) {
    for (size_t i = 0; i < svc->mutation_count; i++) {
        const mm_mutation_spec *m = svc->mutations[i];
        const char *names[2] = {m->event_type, m->result_type};
        const char *what[2] = {"event_type", "result_type"};
        for (int k = 0; k < 2; k++) {
            const mm_gql_type *t = mm_gql_schema_find_type(schema, names[k]);
            if (!t || t->kind != MM_GQL_OBJECT) {
                fail(err, err_size,
                     "service %s: mutation %s: %s '%s' must be an object type "
                     "(`type %s { ... }`)",
                     svc->name, m->name, what[k], names[k], names[k]);
                return MM_EINVAL;
            }
        }
    }
    for (size_t i = 0; i < svc->consumer_count; i++) {
        const mm_consumer_spec *c = svc->consumers[i];
        for (char **t = c->event_types; t && *t; t++) {
            const mm_gql_type *ty = mm_gql_schema_find_type(schema, *t);
            if (!ty || ty->kind != MM_GQL_OBJECT) {
                fail(err, err_size,
                     "service %s: consumer %s: event type '%s' must be an object type", svc->name,
                     c->name, *t);
                return MM_EINVAL;
            }
        }
    }
    return 0;
}

/* ---- custom scalars: the service's two callbacks behind the engine's three ---- */

static json_t *scalar_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)arena;
    const mm_scalar_spec *s = ud;
    *error = NULL;
    json_t *out =
        s->v0_serialize ? s->v0_serialize(value, error) : s->serialize(s->ud, value, error);
    if (!out && !*error) *error = "Scalar could not be serialized.";
    return out;
}

static json_t *scalar_parse_value(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)arena;
    const mm_scalar_spec *s = ud;
    *error = NULL;
    json_t *out =
        s->v0_parse_value ? s->v0_parse_value(value, error) : s->parse_value(s->ud, value, error);
    if (!out && !*error) *error = "Scalar could not be parsed.";
    return out;
}

static json_t *scalar_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                    mm_arena *arena, const char **error) {
    json_t *plain = mm_gql_value_from_ast_untyped(literal, variables);
    if (!plain) {
        *error = "Scalar literal could not be read.";
        return NULL;
    }
    json_t *out = scalar_parse_value(ud, plain, arena, error);
    json_decref(plain);
    return out;
}

/* Graphene's JSONString: any JSON value out as its text; text in as JSON. */
static json_t *json_string_serialize(void *ud, json_t *value, mm_arena *arena, const char **error) {
    (void)ud;
    (void)arena;
    char *text = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
    if (!text) {
        *error = "JSONString cannot represent this value.";
        return NULL;
    }
    json_t *out = json_string(text);
    free(text);
    return out;
}

static json_t *json_string_parse_value(void *ud, json_t *value, mm_arena *arena,
                                       const char **error) {
    (void)ud;
    (void)arena;
    if (!json_is_string(value)) {
        *error = "JSONString cannot represent a non-string value.";
        return NULL;
    }
    json_t *out = json_loadb(json_string_value(value), json_string_length(value),
                             JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (!out) *error = "JSONString value is not valid JSON.";
    return out;
}

static json_t *json_string_parse_literal(void *ud, const mm_gql_value *literal, json_t *variables,
                                         mm_arena *arena, const char **error) {
    if (literal->kind != MM_GQL_VALUE_STRING) {
        *error = "JSONString cannot represent a non-string value.";
        return NULL;
    }
    (void)variables;
    json_t *s = json_stringn(literal->u.string.chars, literal->u.string.length);
    json_t *out = s ? json_string_parse_value(ud, s, arena, error) : NULL;
    json_decref(s);
    return out;
}

/* ---- binding ------------------------------------------------------------- */

static int bind_service(mm_gql_schema *schema, mm_service *svc, mm_runtime *rt, char *err,
                        size_t err_size) {
    for (size_t i = 0; i < svc->resolver_count; i++) {
        int rc = mm_resolver_bind(schema, svc, &svc->resolvers[i], rt, err, err_size);
        if (rc) return rc;
    }
    for (size_t i = 0; i < svc->scalar_count; i++) {
        mm_scalar_spec *s = &svc->scalars[i];
        int rc = mm_gql_schema_set_scalar(schema, s->name, scalar_serialize, scalar_parse_value,
                                          scalar_parse_literal, s);
        if (rc) {
            fail(err, err_size, "service %s: scalar %s: %s", svc->name, s->name,
                 rc == MM_ENOTFOUND ? "not declared in the SDL (add `scalar " : "not a scalar");
            if (rc == MM_ENOTFOUND) {
                size_t n = strlen(err);
                snprintf(err + n, err_size > n ? err_size - n : 0, "%s`)", s->name);
            }
            return rc;
        }
    }
    for (size_t i = 0; i < svc->mutation_count; i++) {
        int rc = mm_mutation_bind(schema, svc->mutations[i], rt, err, err_size);
        if (rc) return rc;
    }
    return 0;
}

mm_gql_schema *mm_services_build_schema(mm_service *const *services, size_t service_count,
                                        const mm_schema_extra *extras, size_t extra_count,
                                        mm_runtime *rt, char *err, size_t err_size) {
    mm_arena arena;
    mm_arena_init(&arena);
    owners types = {0}, fields = {0};
    int mentions_mutation = 0;
    size_t cap = 2 + extra_count;
    for (size_t i = 0; i < service_count; i++) cap += services[i]->sdl_count + 1;
    mm_gql_sdl_source *sources = calloc(cap, sizeof(*sources));
    char **owned = calloc(cap, sizeof(*owned));
    mm_gql_schema *schema = NULL;
    size_t n = 0;
    if (!sources || !owned) {
        fail(err, err_size, "out of memory");
        goto done;
    }
    sources[n++] = (mm_gql_sdl_source){"metamorphosis", mm_framework_sdl, strlen(mm_framework_sdl)};
    size_t mutation_slot = n++; /* "type Mutation", filled in below when needed */
    for (size_t i = 0; i < service_count; i++) {
        const mm_service *svc = services[i];
        for (size_t j = 0; j < service_count; j++)
            if (j < i && strcmp(services[j]->name, svc->name) == 0) {
                fail(err, err_size, "service %s is loaded twice", svc->name);
                goto done;
            }
        for (size_t k = 0; k < svc->sdl_count; k++) {
            char *text = prepare_sdl("service", svc->name, svc->sdl[k], &arena, &types,
                                     &mentions_mutation, err, err_size);
            if (!text) goto done;
            owned[n] = text;
            sources[n++] = (mm_gql_sdl_source){svc->name, text, strlen(text)};
        }
        char *generated = mutation_sdl(svc, &types, &fields, err, err_size);
        if (!generated) goto done;
        if (svc->mutation_count) mentions_mutation = 1;
        owned[n] = generated;
        sources[n++] = (mm_gql_sdl_source){svc->name, generated, strlen(generated)};
    }
    for (size_t i = 0; i < extra_count; i++) {
        char *text = prepare_sdl("extension", extras[i].name, extras[i].sdl, &arena, &types,
                                 &mentions_mutation, err, err_size);
        if (!text) goto done;
        owned[n] = text;
        sources[n++] = (mm_gql_sdl_source){extras[i].name, text, strlen(text)};
    }
    for (size_t i = 0; i < service_count; i++)
        if (check_names(services[i], &types, err, err_size)) goto done;
    static const char mutation_root[] = "type Mutation\n";
    sources[mutation_slot] = mentions_mutation ? (mm_gql_sdl_source){"metamorphosis", mutation_root,
                                                                     sizeof mutation_root - 1}
                                               : (mm_gql_sdl_source){"metamorphosis", "", 0};

    /* An empty document is a syntax error in GraphQL: drop empty fragments
     * (a service without mutations, no Mutation root). */
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (sources[i].length > 0) sources[kept++] = sources[i];

    mm_gql_errors errors;
    mm_gql_errors_init(&errors, &arena);
    schema = mm_gql_schema_build(sources, kept, &errors);
    if (!schema) {
        size_t used = (size_t)snprintf(err, err_size, "the merged schema is invalid:");
        for (const mm_gql_error *e = errors.head; e && used < err_size; e = e->next)
            used += (size_t)snprintf(err + used, err_size - used, " %s", e->message);
        mm_gql_errors_release(&errors);
        goto done;
    }
    mm_gql_errors_release(&errors);
    int rc = mm_gql_schema_set_scalar(schema, "JSONString", json_string_serialize,
                                      json_string_parse_value, json_string_parse_literal, NULL);
    for (size_t i = 0; rc == 0 && i < service_count; i++)
        rc = check_kinds(schema, services[i], err, err_size);
    if (rc == 0) rc = mm_event_result_bind(schema, rt, err, err_size);
    for (size_t i = 0; rc == 0 && i < service_count; i++)
        rc = bind_service(schema, services[i], rt, err, err_size);
    for (size_t i = 0; rc == 0 && i < extra_count; i++)
        if (extras[i].bind) rc = extras[i].bind(extras[i].ud, schema, err, err_size);
    if (rc) {
        mm_gql_schema_free(schema);
        schema = NULL;
    }
done:
    if (owned)
        for (size_t i = 0; i < cap; i++) free(owned[i]);
    free(owned);
    free(sources);
    free(types.items);
    free(fields.items);
    mm_arena_reset(&arena);
    return schema;
}
