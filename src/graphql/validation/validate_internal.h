/* validate_internal.h -- what the validator's driver shares with its rules.
 *
 * Private to src/graphql/validation/: validate.c, type_info.c, validate_util.c
 * and rules/rule_*.c (one graphql-js rule per file). The driver walks the
 * document once; at every node it calls the rules interested in that node
 * in graphql-js's specifiedRules order, so errors come out in the order
 * graphql-js reports them. Everything lives in
 * the errors' arena; an error budget overrun or the work budgets graphql-js
 * enforces abort the walk with longjmp (nothing is malloc'd across it). */
#ifndef MM_GRAPHQL_VALIDATE_INTERNAL_H
#define MM_GRAPHQL_VALIDATE_INTERNAL_H

#include <setjmp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graphql/validation/type_info.h"
#include "graphql/validation/validate.h"

/* ---- a string-keyed hash map in an arena (insert-only) ---------------- */

typedef struct mm_vmap {
    const char **keys;
    void **vals;
    size_t cap;
    size_t count;
} mm_vmap;

void *mm_vmap_get(const mm_vmap *map, const char *key);
/* Inserts or replaces; returns false when out of memory. */
bool mm_vmap_put(mm_arena *arena, mm_vmap *map, const char *key, void *val);

/* A growable pointer array in an arena. */
typedef struct mm_vvec {
    void **items;
    size_t count;
    size_t cap;
} mm_vvec;

bool mm_vvec_push(mm_arena *arena, mm_vvec *vec, void *item);

/* ---- per-fragment facts, computed once on demand ----------------------- */

/* One use of a variable inside a value, with what the position expects. */
typedef struct mm_vusage {
    const mm_gql_value *node;
    mm_gql_type *type; /* input type at the position, NULL if unknown */
    const mm_gql_value *default_value;
    mm_gql_type *parent_type; /* parent input type */
} mm_vusage;

typedef struct mm_vusages {
    mm_vusage *items;
    size_t count;
    size_t cap;
} mm_vusages;

typedef struct mm_vfragment {
    const mm_gql_fragment *def; /* the last definition of that name, as graphql-js keeps */
    mm_vvec spreads;            /* graphql-js getFragmentSpreads order */
    bool spreads_done;
    mm_vusages usages;
    bool usages_done;
} mm_vfragment;

/* The fragments an operation (or set of operations) spreads, recursively,
 * cached by the set of fragment names spread directly, as graphql-js's
 * SetMap does; with the variable usages of those fragments. */
typedef struct mm_vfragset {
    mm_vvec fragments; /* mm_vfragment*, graphql-js order */
    mm_vusages usages; /* their variable usages, concatenated */
    bool usages_done;
} mm_vfragset;

typedef struct mm_vctx mm_vctx;

/* State of the OverlappingFieldsCanBeMerged rule (rule_overlapping_fields.c). */
typedef struct mm_voverlap mm_voverlap;

struct mm_vctx {
    mm_gql_schema *schema;
    const mm_gql_document *doc;
    mm_arena *arena;
    mm_gql_errors *errors;
    uint32_t rules;
    bool hide_suggestions;
    size_t max_errors;
    size_t added;
    mm_gql_error *start_tail; /* the list's tail before this validation */
    size_t start_count;
    jmp_buf abort_jmp;
    long fragment_work; /* graphql-js's 50000 fragment-work budget */
    volatile bool oom;  /* an allocation failed (set before longjmp) */

    mm_ti_meta meta;
    mm_type_info *ti;       /* the walk's type info */
    bool rules_on;          /* false while collecting variable usages only */
    mm_vusages *usage_sink; /* where variable usages go, or NULL */
    /* Variable usages of a fragment, walking it once with rules off
     * (graphql-js ValidationContext.getVariableUsages). The driver sets it:
     * a rule asks the context, so rules/ never calls back into validate.c by
     * name and the rules do not form a file cycle with the driver. */
    const mm_vusages *(*fragment_usages)(mm_vctx *ctx, mm_vfragment *frag);

    mm_vmap fragments; /* name -> mm_vfragment* */
    mm_vmap name_ids;  /* fragment name -> id + 1 (for fragment-set keys) */
    size_t next_name_id;
    mm_vmap fragsets;   /* "id,id,..." -> mm_vfragset* */
    mm_vvec operations; /* const mm_gql_operation* (for NoUnusedFragments) */

    /* Skips: a rule that returned false at a node sees nothing below it. */
    const void *values_skip;        /* ValuesOfCorrectType */
    const void *introspection_skip; /* MaxIntrospectionDepth */

    /* Rule state. */
    size_t operation_count; /* LoneAnonymousOperation */
    mm_vmap op_names;       /* UniqueOperationNames */
    mm_vmap fragment_names; /* UniqueFragmentNames */
    mm_vmap cycles_visited; /* NoFragmentCycles */
    mm_vmap cycles_index;   /* name -> (index+1) in spread path */
    mm_vvec cycles_path;
    mm_vmap directive_defs_in_doc; /* name -> const mm_gql_directive_def* (SDL in the document) */
    mm_vmap type_defs_in_doc;      /* name -> (void*)1 */
    mm_vmap type_directives;       /* UniqueDirectivesPerLocation on SDL types: name -> mm_vmap* */
    mm_vmap directive_directives;
    mm_vmap schema_directives;
    mm_vvec input_field_names;     /* UniqueInputFieldNames: stack of mm_vmap* */
    mm_vmap introspection_checked; /* MaxIntrospectionDepth: name -> depth+1 */
    mm_vmap introspection_exceeded;
    mm_voverlap *overlap;
};

/* Appends a validation error (printf message, locations). Aborts the walk
 * with graphql-js's "Too many validation errors" once max_errors is reached. */
void mm_v_report(mm_vctx *ctx, const mm_gql_loc *locs, size_t nlocs, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* What graphql-js does when a rule throws instead of reporting (its
 * validate() throws): the errors reported so far are dropped, this one
 * error stands alone, and the walk ends. */
_Noreturn void mm_v_throw(mm_vctx *ctx, const mm_gql_loc *loc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Aborts the walk with graphql-js's "Validation aborted." (work budget spent). */
_Noreturn void mm_v_abort(mm_vctx *ctx);
/* Spends graphql-js fragment work; aborts when the budget is gone. */
void mm_v_spend_fragment_work(mm_vctx *ctx, size_t cost);
/* Out of memory: stop; mm_gql_validate then reports the document invalid. */
_Noreturn void mm_v_oom(mm_vctx *ctx);

static inline bool mm_v_rule(const mm_vctx *ctx, uint32_t rule) {
    return ctx->rules_on && (ctx->rules & rule) != 0;
}

/* Fragments and their facts. */
mm_vfragment *mm_v_fragment(mm_vctx *ctx, const char *name);
/* graphql-js getFragmentSpreads over a selection set (cached for fragments). */
void mm_v_collect_spreads(mm_vctx *ctx, const mm_gql_selection_set *set, mm_vvec *out);
const mm_vvec *mm_v_fragment_spreads(mm_vctx *ctx, mm_vfragment *frag);
/* getRecursivelyReferencedFragments for the given operations (cached). */
mm_vfragset *mm_v_recursive_fragments(mm_vctx *ctx, const mm_gql_operation *const *ops,
                                      size_t nops);
bool mm_vusages_push(mm_arena *arena, mm_vusages *u, const mm_vusage *item);

/* The type as graphql-js's inspect() prints it, e.g. "[Int!]!". */
const char *mm_v_type_str(mm_vctx *ctx, const mm_gql_type *type);
/* An AST type reference as written. */
const char *mm_v_type_ref_str(mm_vctx *ctx, const mm_gql_type_ref *ref);
/* A value literal as graphql-js's print() prints it. */
const char *mm_v_value_str(mm_vctx *ctx, const mm_gql_value *value);

/* graphql-js suggestionList: options within lexical distance, best first.
 * Returns the count; *out is an arena array of the chosen option strings. */
size_t mm_v_suggestion_list(mm_vctx *ctx, const char *input, const char *const *options,
                            size_t noptions, const char ***out);
/* graphql-js didYouMean(sub_message or NULL, list): "" or " Did you mean ...?". */
const char *mm_v_did_you_mean(mm_vctx *ctx, const char *sub_message, const char *const *list,
                              size_t n);
/* graphql-js naturalCompare. */
int mm_v_natural_compare(const char *a, const char *b);

/* ---- rule hooks, called by the driver --------------------------------- */

/* One hook group per file in validation/rules/, named after the graphql-js
 * rule it implements (rule_<snake_case_rule_name>.c). */

/* rule_executable_definitions.c */
void mm_rule_document_enter(mm_vctx *ctx);
/* rule_unique_operation_names.c */
void mm_rule_operation_names(mm_vctx *ctx, const mm_gql_definition *def);
/* rule_lone_anonymous_operation.c */
void mm_rule_lone_anonymous(mm_vctx *ctx, const mm_gql_definition *def);
/* rule_unique_fragment_names.c */
void mm_rule_unique_fragment_names(mm_vctx *ctx, const mm_gql_fragment *frag);

/* rule_single_field_subscriptions.c */
void mm_rule_single_field_subscriptions(mm_vctx *ctx, const mm_gql_operation *op);

/* rule_known_type_names.c */
void mm_rule_known_type_name(mm_vctx *ctx, const mm_gql_name *name, bool in_sdl);
/* rule_fragments_on_composite_types.c */
void mm_rule_fragment_composite(mm_vctx *ctx, const char *fragment_name, const mm_gql_name *cond);
/* rule_variables_are_input_types.c */
void mm_rule_variable_input_type(mm_vctx *ctx, const mm_gql_variable_definition *def);

/* rule_scalar_leafs.c */
void mm_rule_scalar_leafs(mm_vctx *ctx, const mm_gql_selection *field);
/* rule_fields_on_correct_type.c */
void mm_rule_fields_on_correct_type(mm_vctx *ctx, const mm_gql_selection *field);

/* rule_known_fragment_names.c */
void mm_rule_known_fragment(mm_vctx *ctx, const mm_gql_selection *spread);
/* rule_no_unused_fragments.c */
void mm_rule_no_unused_fragments(mm_vctx *ctx);
/* rule_possible_fragment_spreads.c */
void mm_rule_possible_inline(mm_vctx *ctx, const mm_gql_selection *inl);
void mm_rule_possible_spread(mm_vctx *ctx, const mm_gql_selection *spread);
/* rule_no_fragment_cycles.c */
void mm_rule_fragment_cycles(mm_vctx *ctx, const mm_gql_fragment *frag);

/* rule_unique_variable_names.c */
void mm_rule_unique_variables(mm_vctx *ctx, const mm_gql_operation *op);
/* rule_variable_usages.c: NoUndefinedVariables, NoUnusedVariables,
 * VariablesInAllowedPosition. Called at operation leave with the operation's own usages. */
void mm_rule_variables_leave(mm_vctx *ctx, const mm_gql_operation *op, const mm_vusages *own);

/* rule_known_directives.c: location is one mm_gql_directive_location bit. */
void mm_rule_known_directive(mm_vctx *ctx, const mm_gql_directive *d, unsigned location);
/* rule_unique_directives_per_location.c: owner_kind: 0 executable node, 1 schema, 2 type named owner, 3 directive named owner. */
void mm_rule_unique_directives(mm_vctx *ctx, const mm_gql_directive *ds, size_t n, int owner_kind,
                               const char *owner);

/* rule_known_argument_names.c */
void mm_rule_known_directive_args(mm_vctx *ctx, const mm_gql_directive *d);
void mm_rule_known_field_arg(mm_vctx *ctx, const mm_gql_argument *arg);
/* rule_unique_argument_names.c */
void mm_rule_unique_args(mm_vctx *ctx, const mm_gql_argument *args, size_t n);
/* rule_provided_required_arguments.c */
void mm_rule_required_field_args(mm_vctx *ctx, const mm_gql_selection *field);
void mm_rule_required_directive_args(mm_vctx *ctx, const mm_gql_directive *d);

/* rule_values_of_correct_type.c: returns false to skip the subtree. */
bool mm_rule_value_enter(mm_vctx *ctx, const mm_gql_value *value);
void mm_rule_object_field_enter(mm_vctx *ctx, const mm_gql_object_field *field);
/* rule_unique_input_field_names.c */
void mm_rule_unique_input_enter(mm_vctx *ctx);
void mm_rule_unique_input_field(mm_vctx *ctx, const mm_gql_object_field *field);
void mm_rule_unique_input_leave(mm_vctx *ctx);

/* rule_overlapping_fields.c */
void mm_rule_overlapping_fields(mm_vctx *ctx, const mm_gql_selection_set *set,
                                bool in_inline_fragment);

/* rule_max_introspection_depth.c: returns false to skip the subtree. */
bool mm_rule_max_introspection_depth(mm_vctx *ctx, const mm_gql_selection *field);

#endif
