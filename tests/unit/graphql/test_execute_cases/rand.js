// rand.js -- random differential testing of the executor against graphql-js.
//
// Generates valid random queries (aliases, fragments, @skip/@include,
// literal and variable arguments with valid and invalid variable values) on
// schema.graphql, answers them with graphql-js, and writes [{q, v, expect}]:
//   NODE_PATH=/path/to/node_modules node rand.js SEED COUNT OUT.json
//   build/tests/unit_graphql_test_execute_cases --random OUT.json
const g = require('graphql');
const fs = require('fs');
const sdl = fs.readFileSync(__dirname + '/schema.graphql', 'utf8');
const schema = g.buildSchema(sdl);
let counter = 0;
schema.getType('Obj').getFields().fail.resolve = () => { throw new g.GraphQLError('objfail'); };
const rootJSON = fs.readFileSync(__dirname + '/root.json', 'utf8');
function root() {
  const r = JSON.parse(rootJSON);
  for (const k of ['echo','echoNN','echoCustom','echoOne']) r[k] = (args) => JSON.stringify(args);
  r.fail = () => { throw new g.GraphQLError('boom', { extensions: { code: 'BOOM' } }); };
  r.failNN = r.fail;
  r.inc = ({ by }) => { counter += by; return counter; };
  r.incNullable = r.inc;
  r.failInc = () => { throw new g.GraphQLError('nope'); };
  r.setName = ({ name }) => name;
  return r;
}
let seed = Number(process.argv[2] || 1);
function rnd(n) { seed = (seed + 0x6D2B79F5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t; return (((t ^ (t >>> 14)) >>> 0) % n); }
const lits = { Int: ['0', '7', '-3', '2147483647'], String: ['"s"', '"a\\nb"', '""'], Boolean: ['true', 'false'], ID: ['"x"', '5'], Float: ['1.5', '2'], Color: ['RED', 'BLUE'], Custom: ['{a: [1, "x"]}', '3'] };
function litFor(t, depth) {
  if (t instanceof g.GraphQLNonNull) return litFor(t.ofType, depth);
  if (rnd(8) === 0 && !(t instanceof g.GraphQLNonNull)) return 'null';
  if (t instanceof g.GraphQLList) return rnd(2) ? '[' + [litFor(t.ofType, depth + 1), litFor(t.ofType, depth + 1)].join(', ') + ']' : litFor(t.ofType, depth + 1);
  if (t instanceof g.GraphQLInputObjectType) {
    const fs2 = Object.values(t.getFields()).filter(f => f.type instanceof g.GraphQLNonNull || rnd(2));
    if (t.isOneOf) { const f = Object.values(t.getFields())[rnd(2)]; return '{' + f.name + ': ' + litFor(new g.GraphQLNonNull(f.type), depth + 1) + '}'; }
    if (depth > 2) return 'null';
    return '{' + fs2.map(f => f.name + ': ' + litFor(f.type, depth + 1)).join(', ') + '}';
  }
  const l = lits[t.name]; return l[rnd(l.length)];
}
let vdefs = [], vvals = {}, frags = [];
const jvals = [0, 5, -1, 1.5, 3000000000, 'x', 'RED', 'GREN', true, null, [1, 'a'], [null], {}, {x: 1}, {x: 'q', zz: 1}, {a: 1, b: 'x'}, {a: null}, {x: 1, w: {q: 3, r: 'BLUE'}}, [[1], 2]];
function useVar(t) {
  const name = 'v' + vdefs.length;
  let def = '$' + name + ': ' + String(t);
  if (!(t instanceof g.GraphQLNonNull) && rnd(4) === 0) def += ' = ' + litFor(t, 0);
  vdefs.push(def);
  if (rnd(5)) vvals[name] = jvals[rnd(jvals.length)];
  return '$' + name;
}
function sel(type, depth) {
  const fields = Object.values(type.getFields ? type.getFields() : {});
  let out = [];
  const n = 1 + rnd(4);
  for (let i = 0; i < n; i++) {
    if (g.isAbstractType(type) || rnd(6) === 0) {
      const poss = g.isAbstractType(type) ? schema.getPossibleTypes(type) : [type];
      const pt = poss[rnd(poss.length)];
      if (rnd(3) === 0) out.push('__typename');
      const body = sel(pt, depth + 1);
      if (rnd(3) === 0) { /* a named fragment instead of an inline one */
        const name = 'F' + frags.length;
        frags.push('fragment ' + name + ' on ' + pt.name + ' { ' + body + ' }');
        out.push('...' + name);
      } else {
        out.push('... on ' + pt.name + ' { ' + body + ' }');
      }
      continue;
    }
    const f = fields[rnd(fields.length)];
    if (f.name.startsWith('echoNN')) continue;
    let s = (rnd(4) === 0 ? 'a' + i + ': ' : '') + f.name;
    if (f.name === 'echoNN') continue;
    if (f.args.length) {
      const as = f.args.filter(a => a.type instanceof g.GraphQLNonNull || rnd(2));
      if (as.length) s += '(' + as.map(a => a.name + ': ' + (rnd(3) === 0 ? useVar(a.type) : litFor(a.type, 0))).join(', ') + ')';
    }
    if (rnd(8) === 0) s += rnd(2) ? ' @skip(if: true)' : ' @include(if: ' + (rnd(2) ? 'true' : 'false') + ')';
    const nt = g.getNamedType(f.type);
    if (g.isCompositeType(nt)) { if (depth > 3) continue; s += ' { ' + sel(nt, depth + 1) + ' }'; }
    out.push(s);
  }
  if (!out.length) out.push('__typename');
  return out.join(' ');
}
/* Mutation root fields, each with literal or variable arguments. */
function mutationSel() {
  const fields = Object.values(schema.getMutationType().getFields());
  const out = [];
  for (let i = 0, n = 1 + rnd(4); i < n; i++) {
    const f = fields[rnd(fields.length)];
    let s = 'm' + i + ': ' + f.name;
    const as = f.args.filter(a => a.type instanceof g.GraphQLNonNull || rnd(2));
    if (as.length) s += '(' + as.map(a => a.name + ': ' + (rnd(3) === 0 ? useVar(a.type) : litFor(a.type, 0))).join(', ') + ')';
    out.push(s);
  }
  return out.join(' ');
}

const out = [];
let tries = 0;
while (out.length < Number(process.argv[3] || 300) && tries < 100000) {
  tries++;
  vdefs = []; vvals = {}; frags = [];
  const mutation = rnd(5) === 0;
  const body = mutation ? mutationSel() : sel(schema.getQueryType(), 0);
  const kw = mutation ? 'mutation' : 'query';
  const q = (vdefs.length ? kw + ' Q(' + vdefs.join(', ') + ') { ' + body + ' }'
                          : (mutation ? 'mutation { ' + body + ' }' : '{ ' + body + ' }')) +
            frags.map(f => ' ' + f).join('');
  let doc; try { doc = g.parse(q); } catch (e) { continue; }
  if (g.validate(schema, doc).length) continue;
  counter = 0;
  const res = g.execute({ schema, document: doc, rootValue: root(), variableValues: vvals });
  out.push({ q, v: JSON.stringify(vvals), expect: JSON.stringify(res) });
}
fs.writeFileSync(process.argv[4] || 'rand.json', JSON.stringify(out));
console.log(out.length, 'random cases from', tries, 'tries');
