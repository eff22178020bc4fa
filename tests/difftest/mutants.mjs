// mutants.mjs -- writes a mutated copy of the execute and schema corpus, for a
// differential fuzzing run against graphql-js beyond the fixed corpus:
//
//   node tests/difftest/mutants.mjs OUT_DIR [PER_CASE=4] [SEED=7]
//   node tests/difftest/run.mjs --driver BUILD/tests/difftest/difftest_driver \
//        --node-dir BUILD/difftest-node --corpus OUT_DIR
//
// Every execute-mode case becomes PER_CASE cases whose query had one or two
// random edits (a code point deleted, or a GraphQL fragment inserted or
// substituted), and every schema-mode case PER_CASE cases with edited SDL;
// deterministic for a given SEED. Variables and root values are kept. Not run by ctest: the fixed corpus is the test; this finds
// new cases to add to it. graphql-js itself sometimes throws on such input
// (run.mjs then says "reference side threw"), which is not an engine failure.
import { readFileSync, readdirSync, writeFileSync, mkdirSync, symlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const src = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpus');
const [out, perArg, seedArg] = process.argv.slice(2);
if (!out) {
  console.error('usage: node mutants.mjs OUT_DIR [PER_CASE] [SEED]');
  process.exit(2);
}
const per = Number(perArg || 4);
let seed = Number(seedArg || 7);
mkdirSync(out, { recursive: true });
if (!existsSync(path.join(out, 'schemas'))) symlinkSync(path.join(src, 'schemas'), path.join(out, 'schemas'));
// A small linear congruential generator: the same seed gives the same corpus.
const rnd = () => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
};
const inserts = ['{', '}', '(', ')', '[', ']', '"', '$', '@', '!', ':', '=', '...', ' ', '\n', '0', '-1', '1.5', 'null', 'true', 'on',
  '__typename', 'name', 'dog', '@skip(if: true)', '@include(if: $v)', '$v', 'Dog', 'Cat', 'String', 'Int!', '[Int]', '{a: 1}',
  'fragment X on Dog { name }', '...X', '... on Pet { name }', 'query Q($v: Boolean) ', 'mutation '];
const sdlInserts = ['{', '}', '(', ')', '"', '"""', '@', '!', ':', '=', ' ', '\n', '|', '&', 'type ', 'interface ', 'implements ',
  'extend ', 'input ', 'enum ', 'union ', 'scalar ', 'directive @x on FIELD ', '@deprecated', '@oneOf', '@specifiedBy(url: "u")',
  'Query', 'String', 'Int!', '[ID]', '= 1', '= "s"', 'a: Int', 'b(x: Int): String', '__z', 'schema { query: Query }'];

// One or two random edits at code point positions (never splitting a surrogate pair).
function mutate(text, pool) {
  const q = Array.from(text);
  const edits = 1 + Math.floor(rnd() * 2);
  for (let j = 0; j < edits; j++) {
    const p = Math.floor(rnd() * (q.length + 1));
    const op = rnd();
    const t = pool[Math.floor(rnd() * pool.length)];
    if (op < 0.3) q.splice(p, 1);
    else if (op < 0.7) q.splice(p, 0, t);
    else q.splice(p, 1, t);
  }
  return q.join('');
}

let total = 0;
for (const f of readdirSync(src).filter((f) => f.endsWith('.json'))) {
  const g = JSON.parse(readFileSync(path.join(src, f), 'utf8'));
  const mode = g.mode ?? 'execute';
  const cases = [];
  for (const c of g.cases) {
    const m = c.mode ?? mode;
    // Execute cases get edited queries; schema cases get edited SDL.
    if (m === 'execute' && c.query) {
      for (let i = 0; i < per; i++) cases.push({ ...c, name: `${c.name}~${i}`, query: mutate(c.query, inserts) });
    } else if (m === 'schema') {
      const sdl = c.sdl ?? g.sdl ?? readFileSync(path.join(src, 'schemas', c.schema ?? g.schema), 'utf8');
      for (let i = 0; i < per; i++) cases.push({ ...c, schema: undefined, name: `${c.name}~${i}`, sdl: mutate(sdl, sdlInserts) });
    }
  }
  if (cases.length === 0) continue;
  total += cases.length;
  writeFileSync(path.join(out, f), JSON.stringify({ ...g, cases }));
}
console.log(`mutants.mjs: ${total} cases written to ${out}`);
