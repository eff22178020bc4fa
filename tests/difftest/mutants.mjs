// mutants.mjs -- writes a mutated copy of the execute-mode corpus, for a
// differential fuzzing run against graphql-js beyond the fixed corpus:
//
//   node tests/difftest/mutants.mjs OUT_DIR [PER_CASE=4] [SEED=7]
//   node tests/difftest/run.mjs --driver BUILD/tests/difftest/difftest_driver \
//        --node-dir BUILD/difftest-node --corpus OUT_DIR
//
// Every execute-mode case becomes PER_CASE cases whose query had one or two
// random edits (a code point deleted, or a GraphQL fragment inserted or
// substituted), deterministic for a given SEED. Schemas, variables and root
// values are kept. Not run by ctest: the fixed corpus is the test; this finds
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
let total = 0;
for (const f of readdirSync(src).filter((f) => f.endsWith('.json'))) {
  const g = JSON.parse(readFileSync(path.join(src, f), 'utf8'));
  const mode = g.mode ?? 'execute';
  if (mode !== 'execute') continue;
  const cases = [];
  for (const c of g.cases) {
    if ((c.mode ?? mode) !== 'execute' || !c.query) continue;
    for (let i = 0; i < per; i++) {
      const q = Array.from(c.query); // code points: never split a surrogate pair
      const edits = 1 + Math.floor(rnd() * 2);
      for (let j = 0; j < edits; j++) {
        const p = Math.floor(rnd() * (q.length + 1));
        const op = rnd();
        const t = inserts[Math.floor(rnd() * inserts.length)];
        if (op < 0.3) q.splice(p, 1);
        else if (op < 0.7) q.splice(p, 0, t);
        else q.splice(p, 1, t);
      }
      cases.push({ ...c, name: `${c.name}~${i}`, query: q.join('') });
    }
  }
  total += cases.length;
  writeFileSync(path.join(out, f), JSON.stringify({ ...g, cases }));
}
console.log(`mutants.mjs: ${total} cases written to ${out}`);
