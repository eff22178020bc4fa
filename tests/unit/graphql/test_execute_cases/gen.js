// gen.js -- regenerates the graphql-js 16 expectations of ../test_execute_cases.c.
//
// Runs every case of cases.js on schema.graphql with root.json and resolvers
// equivalent to the C test's, then rewrites the generated parts of
// ../test_execute_cases.c (schema_sdl, root_json, cases[]). Usage, with
// graphql@16.15.0 installed somewhere outside the repository:
//   NODE_PATH=/path/to/node_modules node gen.js
const g = require('graphql');
const fs = require('fs');
const sdl = fs.readFileSync(__dirname + '/schema.graphql', 'utf8');
const schema = g.buildSchema(sdl);
let counter = 0;
schema.getType('Obj').getFields().fail.resolve = () => { throw new g.GraphQLError('objfail'); };
const rootJSON = fs.readFileSync(__dirname + '/root.json', 'utf8');
function root() {
  const r = JSON.parse(rootJSON);
  r.echo = (args) => JSON.stringify(args);
  r.echoNN = (args) => JSON.stringify(args);
  r.echoCustom = (args) => JSON.stringify(args);
  r.fail = () => { throw new g.GraphQLError('boom', { extensions: { code: 'BOOM' } }); };
  r.failNN = () => { throw new g.GraphQLError('boom', { extensions: { code: 'BOOM' } }); };
  r.echoOne = (args) => JSON.stringify(args);
  r.inc = ({ by }) => { counter += by; return counter; };
  r.incNullable = ({ by }) => { counter += by; return counter; };
  r.failInc = () => { throw new g.GraphQLError('nope'); };
  r.setName = ({ name }) => name;
  return r;
}
const cases = require(__dirname + '/cases.js');
const out = [];
for (const c of cases) {
  counter = 0;
  const document = g.parse(c.q);
  const verrs = g.validate(schema, document);
  if (verrs.length && !c.novalidate) { console.error('INVALID', c.name, verrs.map(e => e.message)); process.exit(1); }
  const res = g.execute({ schema, document, rootValue: root(), variableValues: c.v === undefined ? undefined : JSON.parse(c.v), operationName: c.op });
  out.push({ name: c.name, q: c.q, v: c.v, op: c.op, expect: JSON.stringify(res) });
}
function cstr(s) { return s === undefined || s === null ? 'NULL' : JSON.stringify(s); }
let table = '';
for (const o of out) table += `    {${cstr(o.name)},\n     ${cstr(o.q)},\n     ${cstr(o.v)}, ${cstr(o.op)},\n     ${cstr(o.expect)}},\n`;
const cfile = __dirname + '/../test_execute_cases.c';
let c = fs.readFileSync(cfile, 'utf8');
function replaceBetween(text, start, end, body) {
  const a = text.indexOf(start) + start.length;
  const b = text.indexOf(end, a);
  if (a < start.length || b < 0) throw new Error('marker not found: ' + start);
  return text.slice(0, a) + body + text.slice(b);
}
const sdlC = sdl.replace(/\n$/, '').split('\n').map(l => '    ' + JSON.stringify(l + '\n')).join('\n');
c = replaceBetween(c, 'static const char schema_sdl[] =\n', ';\n\nstatic const char root_json[]', sdlC);
c = replaceBetween(c, 'static const char root_json[] = ', ';\n', JSON.stringify(rootJSON.replace(/\s*\n\s*/g, ''))  /* raw text: keeps 3.0 a real for jansson */);
c = replaceBetween(c, 'static const exec_case cases[] = {\n', '};\n\nstatic int counter;', table);
fs.writeFileSync(cfile, c);
console.log(out.length, 'cases written to test_execute_cases.c');
