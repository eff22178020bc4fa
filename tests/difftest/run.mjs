// run.mjs -- the differential test runner: every corpus case through
// graphql-js (reference.mjs) and through our engine (difftest_driver), then
// compares the two outcomes and prints a diff for each disagreement.
//
//   node run.mjs --driver PATH [--corpus DIR] [--node-dir DIR] [--filter SUBSTR] [--verbose]
//   node run.mjs --show-reference [--filter SUBSTR]   graphql-js's answers only
//
// What must agree: the phase that ended the request; data exactly (key order
// included, since GraphQL orders response keys by selection); errors as a
// multiset of {message, locations, path, extensions}. Errors that agree as a
// set but come in another order are listed separately and do not fail.
// Introspection cases also rebuild a schema from OUR introspection result
// with buildClientSchema and require printSchema to equal graphql-js's.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadGraphQL, runReference, canonicalError, introspectionQuery, buildSchemaChecked } from './reference.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const opts = { corpus: path.join(here, 'corpus'), verbose: false, filter: null, driver: null, nodeDir: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  if (a === '--driver') opts.driver = process.argv[++i];
  else if (a === '--corpus') opts.corpus = process.argv[++i];
  else if (a === '--node-dir') opts.nodeDir = process.argv[++i];
  else if (a === '--filter') opts.filter = process.argv[++i];
  else if (a === '--verbose') opts.verbose = true;
  else if (a === '--show-reference') opts.showReference = true;
  else {
    console.error(`run.mjs: unknown argument ${a}`);
    process.exit(2);
  }
}
if (!opts.showReference && (!opts.driver || !existsSync(opts.driver))) {
  console.error(`run.mjs: driver not found: ${opts.driver} (build target difftest_driver)`);
  process.exit(2);
}
const G = loadGraphQL(opts.nodeDir);

// ---- corpus ----------------------------------------------------------------

function readSchema(ref) {
  return readFileSync(path.join(opts.corpus, 'schemas', ref), 'utf8');
}

// Whether the introspection query asks for everything this schema can say
// (isOneOf only matters when the SDL uses @oneOf).
function isFullIntrospection(overrides = {}, sdl = '') {
  const o = { descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: false, ...overrides };
  if (!sdl.includes('@oneOf')) o.oneOf = true;
  return Object.values(o).every((v) => v === true);
}

const MODES = ['execute', 'introspection', 'parse', 'parse-value', 'parse-type', 'schema'];

// Expands every corpus/*.json file into normalized cases: schema SDL inlined,
// the introspection query filled in, file-level defaults applied.
function loadCorpus() {
  const files = readdirSync(opts.corpus).filter((f) => f.endsWith('.json')).sort();
  const cases = [];
  const seen = new Set();
  for (const f of files) {
    const group = JSON.parse(readFileSync(path.join(opts.corpus, f), 'utf8'));
    const gname = f.replace(/\.json$/, '');
    for (const c of group.cases) {
      const name = `${gname}/${c.name}`;
      if (seen.has(name)) throw new Error(`duplicate case name ${name}`);
      seen.add(name);
      const mode = c.mode ?? group.mode ?? 'execute';
      if (!MODES.includes(mode)) throw new Error(`${name}: unknown mode ${mode}`);
      // The case's own schema (inline or file) wins over the file's.
      const sdl = c.sdl ?? (c.schema ? readSchema(c.schema) : undefined) ??
        group.sdl ?? (group.schema ? readSchema(group.schema) : undefined);
      const n = {
        name,
        mode: mode === 'introspection' ? 'execute' : mode,
        introspection: mode === 'introspection',
        fullIntrospection: mode === 'introspection' && isFullIntrospection(c.introspectionOptions, sdl),
        sdl,
        query: mode === 'introspection' ? introspectionQuery(G, c.introspectionOptions) : c.query,
        variables: c.variables ?? null,
        operationName: c.operationName ?? null,
        rootValue: c.rootValue ?? group.rootValue ?? {},
      };
      if (!n.mode.startsWith('parse') && typeof n.sdl !== 'string') throw new Error(`${name}: no schema`);
      if (n.mode !== 'schema' && typeof n.query !== 'string') throw new Error(`${name}: no query`);
      cases.push(n);
    }
  }
  return cases;
}

// ---- comparison ----------------------------------------------------------

const stable = (v) => JSON.stringify(v);

// Key-order-insensitive form, to tell "same data, other key order" apart.
function sortedKeys(v) {
  if (Array.isArray(v)) return v.map(sortedKeys);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = sortedKeys(v[k]);
    return o;
  }
  return v;
}

// Paths where two JSON values differ, at most `limit` of them.
function jsonDiff(a, b, p = '$', out = [], limit = 15) {
  if (out.length >= limit) return out;
  if (stable(a) === stable(b)) return out;
  const ta = Array.isArray(a) ? 'array' : a === null ? 'null' : typeof a;
  const tb = Array.isArray(b) ? 'array' : b === null ? 'null' : typeof b;
  if (ta !== tb || (ta !== 'array' && ta !== 'object')) {
    out.push(`${p}: expected ${stable(a)}, got ${stable(b)}`);
    return out;
  }
  if (ta === 'array') {
    if (a.length !== b.length) out.push(`${p}: expected ${a.length} items, got ${b.length}`);
    for (let i = 0; i < Math.min(a.length, b.length); i++) jsonDiff(a[i], b[i], `${p}[${i}]`, out, limit);
    return out;
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  for (const k of ka) if (!(k in b)) out.push(`${p}.${k}: missing (expected ${stable(a[k]).slice(0, 200)})`);
  for (const k of kb) if (!(k in a)) out.push(`${p}.${k}: unexpected ${stable(b[k]).slice(0, 200)}`);
  const common = ka.filter((k) => k in b);
  const commonB = kb.filter((k) => k in a);
  if (stable(common) !== stable(commonB)) out.push(`${p}: key order expected ${stable(common)}, got ${stable(commonB)}`);
  for (const k of common) jsonDiff(a[k], b[k], `${p}.${k}`, out, limit);
  return out;
}

// A line diff (LCS) of two texts, for printed schemas and documents.
function textDiff(a, b) {
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length * y.length > 4e6) return ['(texts too large for a line diff)'];
  const m = x.length;
  const n = y.length;
  const L = Array.from({ length: m + 1 }, () => new Uint32Array(n + 1));
  for (let i = m - 1; i >= 0; i--) for (let j = n - 1; j >= 0; j--) L[i][j] = x[i] === y[j] ? L[i + 1][j + 1] + 1 : Math.max(L[i + 1][j], L[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < m || j < n) {
    if (i < m && j < n && x[i] === y[j]) {
      i++;
      j++;
    } else if (j < n && (i === m || L[i][j + 1] >= L[i + 1][j])) out.push(`+ ${y[j++]}   (line ${j})`);
    else out.push(`- ${x[i++]}   (line ${i})`);
    if (out.length > 40) {
      out.push('...');
      break;
    }
  }
  return out;
}

function errorKey(e) {
  return stable(canonicalError(e));
}

// Compares two error lists as multisets. Returns {problems, orderOnly}.
function compareErrors(exp, got, label) {
  exp = exp ?? [];
  got = got ?? [];
  const problems = [];
  const ek = exp.map(errorKey);
  const gk = got.map(errorKey);
  const remaining = [...gk];
  const missing = [];
  for (const k of ek) {
    const at = remaining.indexOf(k);
    if (at >= 0) remaining.splice(at, 1);
    else missing.push(k);
  }
  for (const k of missing) problems.push(`${label}: missing error ${k}`);
  for (const k of remaining) problems.push(`${label}: unexpected error ${k}`);
  const orderOnly = problems.length === 0 && stable(ek) !== stable(gk);
  return { problems, orderOnly };
}

function compare(ref, ours, c) {
  const problems = [];
  let orderOnly = false;
  const notes = [];
  if (ref.phase !== ours.phase) {
    problems.push(`phase: expected ${ref.phase}, got ${ours.phase}`);
    problems.push(`expected: ${stable(ref).slice(0, 1500)}`);
    problems.push(`got:      ${stable(ours).slice(0, 1500)}`);
    return { problems, orderOnly, notes };
  }
  if (ref.errors || ours.errors) {
    const r = compareErrors(ref.errors, ours.errors, `${ref.phase} errors`);
    problems.push(...r.problems);
    orderOnly ||= r.orderOnly;
  }
  if (typeof ref.printed === 'string') {
    if (typeof ours.printed !== 'string') problems.push('printed: not produced by our side');
    else if (ref.printed !== ours.printed) problems.push('printed text differs:', ...textDiff(ref.printed, ours.printed));
  }
  if (ref.facade) {
    if (!ours.facade) problems.push('facade: no response from mm_graphql_execute_request');
    else problems.push(...compareResult(ref.facade, ours.facade, 'facade'));
  }
  if (ref.phase === 'execute') {
    const er = ref.result;
    const gr = ours.result ?? {};
    problems.push(...compareResult(er, gr, 'result'));
    if (c.introspection && problems.length === 0 && gr.data) {
      // Our introspection must describe the same schema to a client.
      try {
        // With every introspection option on, the client schema must print as
        // the SDL's own schema; with fewer options (descriptions off, no
        // isOneOf...) it must print as graphql-js's own client schema does.
        const client = G.buildClientSchema(gr.data);
        const want = c.fullIntrospection
          ? G.printSchema(buildSchemaChecked(G, c.sdl).schema)
          : G.printSchema(G.buildClientSchema(er.data));
        const got = G.printSchema(client);
        if (want !== got) problems.push(`buildClientSchema(our introspection) prints differently from ${c.fullIntrospection ? 'the SDL schema' : "graphql-js's client schema"}:`, ...textDiff(want, got));
      } catch (e) {
        problems.push(`buildClientSchema(our introspection) failed: ${e.message}`);
      }
    }
  }
  return { problems, orderOnly: orderOnly || orderFlag.value, notes };
}

// Compares two {data, errors} responses; errors as a multiset (order noted in orderFlag).
const orderFlag = { value: false };
function compareResult(er, gr, label) {
  const problems = [];
  {
    const keysE = Object.keys(er);
    const keysG = Object.keys(gr);
    if ('data' in er !== 'data' in gr) problems.push(`${label}: "data" ${'data' in er ? 'missing' : 'unexpected'}`);
    if ('data' in er && 'data' in gr && stable(er.data) !== stable(gr.data)) {
      if (stable(sortedKeys(er.data)) === stable(sortedKeys(gr.data))) problems.push(`${label}: same data, different key order`);
      problems.push(...jsonDiff(er.data, gr.data, `${label}.data`));
    }
    if (keysE.includes('errors') || keysG.includes('errors')) {
      const r = compareErrors(er.errors, gr.errors, `${label} errors`);
      problems.push(...r.problems);
      if (r.orderOnly) orderFlag.value = true;
    }
    for (const k of keysG) if (k !== 'data' && k !== 'errors') problems.push(`${label}: unexpected key ${k}`);
  }
  return problems;
}

// ---- run -----------------------------------------------------------------

function runOurs(c) {
  const r = spawnSync(opts.driver, [], { input: JSON.stringify(c), encoding: 'utf8', timeout: 20000, maxBuffer: 64 << 20 });
  if (r.error) return { crash: `driver failed to run: ${r.error.message}` };
  if (r.status !== 0) return { crash: `driver exited with ${r.status ?? r.signal}\n${(r.stderr || '').slice(0, 3000)}` };
  try {
    return { out: JSON.parse(r.stdout) };
  } catch (e) {
    return { crash: `driver printed invalid JSON (${e.message}): ${r.stdout.slice(0, 500)}\n${r.stderr.slice(0, 2000)}` };
  }
}

let cases = loadCorpus();
if (opts.filter) cases = cases.filter((c) => c.name.includes(opts.filter));
if (opts.showReference) {
  // For writing cases: what graphql-js answers, one line per case.
  for (const c of cases) console.log(`${c.name}\t${stable(runReference(G, c)).slice(0, 400)}`);
  process.exit(0);
}
let passed = 0;
const failed = [];
const orderDiffs = [];
const notes = new Map();
for (const c of cases) {
  let ref;
  try {
    ref = runReference(G, c);
  } catch (e) {
    failed.push(c.name);
    console.log(`FAIL ${c.name}\n  reference side threw: ${e.stack}`);
    continue;
  }
  const ours = runOurs(c);
  if (ours.crash) {
    failed.push(c.name);
    console.log(`FAIL ${c.name}\n  ${ours.crash.replace(/\n/g, '\n  ')}`);
    continue;
  }
  orderFlag.value = false;
  const r = compare(ref, ours.out, c);
  for (const n of r.notes) notes.set(n, (notes.get(n) ?? 0) + 1);
  if (r.problems.length) {
    failed.push(c.name);
    console.log(`FAIL ${c.name}`);
    for (const p of r.problems) console.log(`  ${p}`);
    if (opts.verbose) {
      console.log(`  query: ${c.query}`);
      console.log(`  expected: ${stable(ref)}`);
      console.log(`  got:      ${stable(ours.out)}`);
    }
  } else {
    passed++;
    if (r.orderOnly) orderDiffs.push(c.name);
    if (opts.verbose) console.log(`ok   ${c.name}`);
  }
}
if (orderDiffs.length) {
  console.log(`errors in a different order than graphql-js (not a failure): ${orderDiffs.length}`);
  for (const n of orderDiffs) console.log(`  ${n}`);
}
for (const [n, k] of notes) console.log(`note: ${n}: ${k} case(s)`);
console.log(`difftest: ${passed} passed, ${failed.length} failed`);
process.exit(failed.length ? 1 : 0);
