/* introspection.h -- the introspection system: the __Schema, __Type,
 * __TypeKind, __Field, __InputValue, __EnumValue, __Directive and
 * __DirectiveLocation meta-types, their resolvers, and the implicit
 * __schema / __type / __typename fields (graphql-js type/introspection).
 *
 * HOW THE EXECUTOR USES THIS
 *
 * Every schema built by mm_gql_schema_build() contains the eight meta-types
 * in schema->types (is_builtin = true), with a C resolver bound to every
 * field of the six object meta-types. They are ordinary object types for
 * the executor: it completes them like any other object type, calling
 * field->resolve(field->resolve_ud, parent, args, info). Nothing about them
 * is special except the three implicit fields below, which belong to no
 * type's field list:
 *
 *   - __schema: __Schema!   valid only on the query root type
 *   - __type(name: String!): __Type   valid only on the query root type
 *   - __typename: String!   valid on every object, interface and union
 *
 * mm_gql_get_field_def() is graphql-js's getFieldDef(): given the parent
 * type and a field name it returns the implicit field for those three names
 * (where they apply) and otherwise mm_gql_type_find_field(). Both validator
 * and executor should look fields up through it.
 *
 * __schema and __type carry resolvers (resolve_ud = the schema); the
 * executor calls them like any resolver: parent = the root value (ignored),
 * args = the coerced arguments ({"name": "..."} for __type). __typename has
 * NO resolver (resolve == NULL): the executor answers it itself with the
 * name of the runtime object type, as graphql-js does.
 *
 * HOW META-OBJECTS ARE REPRESENTED AS JSON
 *
 * The values the meta-resolvers return (and receive as parent) are JSON
 * objects of exactly one member:
 *
 *     {"__mm_introspection": <integer>}
 *
 * where the integer is the address of the C object described. Which C type
 * it points to follows from the GraphQL type of the field that produced it:
 *   __Schema      -> const mm_gql_schema *
 *   __Type        -> const mm_gql_type *      (named or LIST/NON_NULL wrapper)
 *   __Field       -> const mm_gql_field *
 *   __InputValue  -> const mm_gql_input_value *
 *   __EnumValue   -> const mm_gql_enum_value *
 *   __Directive   -> const mm_gql_directive_definition *
 * __TypeKind and __DirectiveLocation values are JSON strings ("OBJECT",
 * "FIELD_DEFINITION", ...) like any enum value. Lists are JSON arrays of
 * such objects. Only these resolvers create such objects, and they only run
 * under fields whose parent type is a meta-type, so user data never reaches
 * them as a parent; a parent without the member resolves to null. The
 * pointers stay valid as long as the schema does.
 *
 * WHAT A RESOLVER ALLOCATES
 *
 * Nothing, once a schema has been introspected: the wrappers, strings and
 * lists the meta-resolvers return are built once per schema, on its first
 * introspection, and shared (new references to immutable values) by every
 * later request on any thread; see introspection.c. They are freed with the
 * schema.
 *
 * The result, once completed by the executor, is exactly graphql-js 16's
 * introspection result (descriptions, deprecation with includeDeprecated
 * arguments on fields/enumValues/args/inputFields, isRepeatable,
 * specifiedByURL, input value isDeprecated/deprecationReason, defaultValue
 * printed as a GraphQL literal the way graphql-js's astFromValue + print
 * does, ofType, interfaces, possibleTypes). */
#ifndef MM_GRAPHQL_INTROSPECTION_H
#define MM_GRAPHQL_INTROSPECTION_H

#include <jansson.h>

#include "graphql/type/schema.h"

/* The JSON member name holding the C address of a meta-object. */
#define MM_GQL_INTROSPECTION_KEY "__mm_introspection"

/* The implicit root fields; owned by the schema, never NULL for a built
 * schema. Their types are interned in the schema (__Schema!, __Type). */
const mm_gql_field *mm_gql_introspection_schema_field(const mm_gql_schema *schema);
const mm_gql_field *mm_gql_introspection_type_field(const mm_gql_schema *schema);
const mm_gql_field *mm_gql_introspection_typename_field(const mm_gql_schema *schema);

/* graphql-js getFieldDef: __schema and __type on the query root type,
 * __typename on any composite type, else the type's own field; NULL when
 * there is no such field (or parent_type is not an object or interface and
 * name is not __typename). */
const mm_gql_field *mm_gql_get_field_def(const mm_gql_schema *schema,
                                         const mm_gql_type *parent_type, const char *name);

/* Wraps a C object as a meta-object (new reference), and unwraps one
 * (NULL when value is not a meta-object). For tests and the executor's
 * debugging; resolvers use them internally. */
json_t *mm_gql_introspection_wrap(const void *object);
const void *mm_gql_introspection_unwrap(json_t *value);

/* ---- used by schema_build.c, not by the executor ---------------------- */

/* The SDL of the meta-types, parsed into every schema as built-ins. */
extern const char mm_gql_introspection_sdl[];

/* Binds the meta-types' resolvers and creates the implicit fields. Called
 * once by mm_gql_schema_build() after all types exist; returns 0 or MM_ENOMEM. */
int mm_gql_introspection_install(mm_gql_schema *schema);

/* Frees the values cached by introspection; called by mm_gql_schema_free(). */
void mm_gql_introspection_release(mm_gql_schema *schema);

/* __InputValue.defaultValue: the default value literal of an input value
 * printed as graphql-js prints astFromValue(valueFromAST(literal, type),
 * type) -- coerced and canonical, e.g. `[1]` for `[Int] = 1`. A malloc'd
 * string the caller frees, or NULL when the literal is not valid for the
 * type (graphql-js then has no default value) or there is none. */
char *mm_gql_print_default_value(const mm_gql_input_value *input_value);

#endif
