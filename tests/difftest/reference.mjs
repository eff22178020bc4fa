// reference.mjs -- the graphql-js 16 side of the differential test.
//
// Runs one normalized corpus case (format: docs/graphql.md) through graphql-js
// and returns the canonical outcome that difftest_driver.c produces for our
// engine: which phase stopped the request (parse, schema, validate, execute)
// with its errors, or the execution result. Resolvers read a JSON root value
// the way both engines' default resolvers do, plus two conventions both sides
// implement identically:
//   {"__error": "msg"}   as a field's value: the resolver fails with msg
//                        (and with "__extensions": {...}, those error extensions)
//   {"__echoArgs": true} as a field's value: returns the coerced arguments as
//                        compact JSON text (for a String field)
// Execute-mode cases also carry "facade": the response of graphqlSync() for
// the whole request, compared with the engine's mm_graphql_execute_request.
// Used as a module by run.mjs; `node reference.mjs CASE.json` prints one case.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// graphql is installed outside the source tree (run.sh: $MM_BINARY_DIR/difftest-node),
// so it is loaded from the directory named by MM_DIFFTEST_NODE_DIR.
export function loadGraphQL(nodeDir) {
  const dir = nodeDir || process.env.MM_DIFFTEST_NODE_DIR ||
    path.dirname(fileURLToPath(import.meta.url));
  const require = createRequire(path.join(path.resolve(dir), 'package.json'));
  const G = require('graphql');
  // validateSDL (the SDL rules buildSchema asserts) is not re-exported at the top.
  return { ...G, validateSDL: require('graphql/validation/validate').validateSDL };
}

// The error fields that are compared: message, locations, path (and
// extensions when present). Everything else graphql-js attaches is dropped.
export function canonicalError(e) {
  const j = typeof e.toJSON === 'function' ? e.toJSON() : e;
  const out = { message: j.message };
  if (j.locations && j.locations.length) out.locations = j.locations.map((l) => ({ line: l.line, column: l.column }));
  if (j.path) out.path = j.path;
  if (j.extensions && Object.keys(j.extensions).length) out.extensions = j.extensions;
  return out;
}

// The full introspection query the corpus uses, with every optional part on.
// A case may override options, e.g. {"oneOf": true} to ask for __Type.isOneOf.
export function introspectionQuery(G, overrides = {}) {
  return G.getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    ...overrides,
  });
}

let GraphQLErrorClass = Error; // set by runReference to graphql-js's GraphQLError

function fieldResolver(source, args, _ctx, info) {
  if (source === null || typeof source !== 'object') return undefined;
  const v = source[info.fieldName];
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    if (typeof v.__error === 'string') {
      if (v.__extensions) throw new GraphQLErrorClass(v.__error, { extensions: v.__extensions });
      throw new Error(v.__error);
    }
    if (v.__echoArgs === true) return JSON.stringify(args);
  }
  return v;
}

// Builds a schema the way the engine's mm_gql_schema_build does: SDL rules
// first, then the type-system validation; returns {schema} or {errors}.
export function buildSchemaChecked(G, sdl) {
  let doc;
  try {
    doc = G.parse(sdl);
  } catch (e) {
    return { errors: [canonicalError(e)] };
  }
  const sdlErrors = G.validateSDL(doc);
  if (sdlErrors.length) return { errors: sdlErrors.map(canonicalError) };
  let schema;
  try {
    schema = G.buildASTSchema(doc, { assumeValidSDL: true });
  } catch (e) {
    return { errors: [canonicalError(e)] };
  }
  const schemaErrors = G.validateSchema(schema);
  if (schemaErrors.length) return { errors: schemaErrors.map(canonicalError) };
  return { schema };
}

// c: {mode: "parse"|"parse-value"|"parse-type"|"schema"|"execute", sdl, query,
//     variables, operationName, rootValue}
export function runReference(G, c) {
  GraphQLErrorClass = G.GraphQLError;
  if (c.mode === 'parse-value' || c.mode === 'parse-type') {
    try {
      const node = c.mode === 'parse-value' ? G.parseValue(c.query) : G.parseType(c.query);
      return { phase: 'parse', ok: true, printed: G.print(node) };
    } catch (e) {
      return { phase: 'parse', errors: [canonicalError(e)] };
    }
  }
  if (c.mode === 'parse') {
    try {
      const doc = G.parse(c.query);
      return { phase: 'parse', ok: true, printed: G.print(doc) };
    } catch (e) {
      return { phase: 'parse', errors: [canonicalError(e)] };
    }
  }
  const built = buildSchemaChecked(G, c.sdl);
  if (built.errors) return { phase: 'schema', errors: built.errors };
  if (c.mode === 'schema') return { phase: 'schema', ok: true, printed: G.printSchema(built.schema) };

  // The whole request in one call, as the engine's facade (graphql.h) does it.
  // Like graphql-http, the facade refuses a valid subscription operation.
  const facade = subscriptionRefused(G, built.schema, c) ?? canonicalResult(graphqlCatching(G, {
    schema: built.schema,
    source: c.query,
    rootValue: c.rootValue ?? {},
    variableValues: c.variables ?? undefined,
    operationName: c.operationName ?? undefined,
    fieldResolver,
  }));
  let doc;
  try {
    doc = G.parse(c.query);
  } catch (e) {
    return { phase: 'parse', errors: [canonicalError(e)], facade };
  }
  const verrors = validateCatching(G, built.schema, doc);
  if (verrors.length) return { phase: 'validate', errors: verrors.map(canonicalError), facade };
  const result = G.execute({
    schema: built.schema,
    document: doc,
    rootValue: c.rootValue ?? {},
    variableValues: c.variables ?? undefined,
    operationName: c.operationName ?? undefined,
    fieldResolver,
  });
  return { phase: 'execute', result: canonicalResult(result), facade };
}

// graphql-js's validate() throws (instead of reporting) one GraphQLError in a
// corner: SingleFieldSubscriptionsRule coerces @skip/@include arguments with
// no variable values. The engine reports that error as a validation error;
// so does the reference, and graphqlSync's caller likewise.
function validateCatching(G, schema, doc) {
  try {
    return G.validate(schema, doc);
  } catch (e) {
    if (e instanceof G.GraphQLError) return [e];
    throw e;
  }
}

function graphqlCatching(G, args) {
  try {
    return G.graphqlSync(args);
  } catch (e) {
    if (e instanceof G.GraphQLError) return { errors: [e] };
    throw e;
  }
}

// graphql-http answers a valid subscription over HTTP with this one error
// instead of executing it; so does mm_graphql_execute_request.
function subscriptionRefused(G, schema, c) {
  let doc;
  try {
    doc = G.parse(c.query);
  } catch {
    return undefined;
  }
  if (validateCatching(G, schema, doc).length) return undefined;
  const op = G.getOperationAST(doc, c.operationName ?? undefined);
  if (op && op.operation === 'subscription') return { errors: [{ message: 'Subscriptions are not supported' }] };
  return undefined;
}

function canonicalResult(result) {
  const out = {};
  if ('data' in result) out.data = result.data;
  if (result.errors) out.errors = result.errors.map(canonicalError);
  return JSON.parse(JSON.stringify(out));
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const G = loadGraphQL();
  const c = JSON.parse(readFileSync(process.argv[2] || 0, 'utf8'));
  process.stdout.write(JSON.stringify(runReference(G, c)) + '\n');
}
