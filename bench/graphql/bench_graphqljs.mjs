// bench_graphqljs.mjs -- the same benchmark as bench_engine.c, with graphql-js 16.
//
//   node bench_graphqljs.mjs NODE_DIR BENCH_DIR [SECONDS [DOC [PHASE]]]   prints "RESULT doc phase ops/s iterations"
//   node bench_graphqljs.mjs NODE_DIR BENCH_DIR --dump      prints each document's response
//
// NODE_DIR holds node_modules/graphql (tests/difftest/package.json, installed
// by run.sh). Phases as in bench_engine.c: parse, validate (specifiedRules),
// execute (parsed and validated document), total (all three), facade
// (graphqlSync, the whole request in one call). Same schema,
// data, variables and resolver. Every phase that executes ends with the
// response TEXT (JSON.stringify of the result), as a server must send it:
// our engine writes that text while executing, so the text is the common
// end point of both sides.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [nodeDir, dir, arg, onlyDoc, onlyPhase] = process.argv.slice(2);
if (!nodeDir || !dir) {
  console.error('usage: node bench_graphqljs.mjs NODE_DIR BENCH_DIR [SECONDS | --dump]');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { buildSchema, parse, validate, execute, graphqlSync } = require('graphql');
const dump = arg === '--dump';
const seconds = !dump && arg ? Number(arg) : 2;

const read = (f) => readFileSync(path.join(dir, f), 'utf8');
const schema = buildSchema(read('schema.graphql'));

// The data both benchmarks serve: 4 users x 5 posts x 5 comments.
const users = [];
for (let i = 1; i <= 4; i++) {
  const posts = [];
  for (let j = 1; j <= 5; j++) {
    const comments = [];
    for (let k = 1; k <= 5; k++) comments.push({ id: `c${i}-${j}-${k}`, text: `Comment ${k}`, author: `u${k}` });
    posts.push({ id: `p${i}-${j}`, title: `Post ${j} of user ${i}`, body: `Body text of post ${j}`, likes: i * j, comments });
  }
  users.push({ id: `u${i}`, name: `User ${i}`, email: `user${i}@example.com`, posts });
}
const rootValue = {
  users,
  createPost: ({ input }) => ({ id: 'new-post', title: input.title, body: input.body ?? null, likes: 0, comments: [] }),
};

const docs = [
  { name: 'introspection', text: read('introspection.graphql'), variables: undefined },
  { name: 'nested', text: read('nested.graphql'), variables: undefined },
  { name: 'mutation', text: read('mutation.graphql'), variables: { author: 'u1', input: { title: 'Hello', body: 'World', tags: ['a', 'b'] } } },
];

function check(errors, what) {
  if (errors && errors.length) {
    console.error(`bench: ${what} failed: ${JSON.stringify(errors)}`);
    process.exit(1);
  }
}

function timed(op) {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  // Warm-up long enough for V8 to optimize (each phase may run in a fresh process).
  let end = now() + Math.max(1, seconds * 0.25);
  while (now() < end) for (let i = 0; i < 10; i++) op();
  let n = 0;
  const start = now();
  let t;
  do {
    for (let i = 0; i < 10; i++) op();
    n += 10;
    t = now();
  } while (t - start < seconds);
  return [n / (t - start), n];
}

for (const d of docs) {
  if (onlyDoc && onlyDoc !== d.name) continue;
  const parsed = parse(d.text);
  check(validate(schema, parsed), 'validate');
  const run = (document) => execute({ schema, document, rootValue, variableValues: d.variables });
  const result = run(parsed);
  check(result.errors, `${d.name} execute`);
  if (dump) {
    console.log(`${d.name} ${JSON.stringify(result)}`);
    continue;
  }
  const phases = {
    parse: () => parse(d.text),
    validate: () => {
      if (validate(schema, parsed).length) throw new Error('invalid');
    },
    execute: () => JSON.stringify(run(parsed)),
    total: () => {
      const doc = parse(d.text);
      if (validate(schema, doc).length) throw new Error('invalid');
      JSON.stringify(run(doc));
    },
    facade: () => {
      const result = graphqlSync({ schema, source: d.text, rootValue, variableValues: d.variables });
      if (result.errors) throw new Error('failed');
      JSON.stringify(result);
    },
  };
  for (const [phase, op] of Object.entries(phases)) {
    if (onlyPhase && onlyPhase !== phase) continue;
    const [ops, n] = timed(op);
    console.log(`RESULT ${d.name} ${phase} ${ops.toFixed(1)} ${n}`);
  }
}
