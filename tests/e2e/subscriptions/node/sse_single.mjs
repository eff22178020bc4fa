// sse_single.mjs -- graphql-sse's single connection mode against `gregor serve`
// (the forms example), for tests/e2e/subscriptions_sse_single.sh.
//   node sse_single.mjs client  URL NAME   the real graphql-sse client with singleConnection: true:
//                                          two subscriptions on one stream get the forms created
//                                          through mutations exactly once, in order, each its own
//                                          name; eventResult completes by itself; an invalid one is
//                                          an error; unsubscribing stops one (DELETE), the other goes on
//   node sse_single.mjs hostile URL NAME   raw requests: unknown and malformed tokens, a second
//                                          stream, operations before the stream and after it closed,
//                                          missing / duplicate / huge operation ids, DELETE, the event
//                                          format (ids escaped), a token in the query string
//   node sse_single.mjs slow    URL NAME   a raw stream that stops reading is cut off (SLOW_CONSUMER),
//                                          its token is gone; a graphql-sse client gets every event
//   node sse_single.mjs shutdown URL NAME  an operation on a stream, READY; at SIGTERM it gets complete
//   node sse_single.mjs flood   URL MAX TTL  MAX+500 reservations: MAX are made (more only if some
//                                          expired meanwhile: TTL ms), the rest get 503;
//                                          after the reservations expire, PUT works again
// Prints "OK ..." and exits 0, or prints why and exits 1. Every wait has a deadline.
import { createClient } from 'graphql-sse';
import net from 'node:net';

const [mode, url, name] = process.argv.slice(2);
const fail = (msg) => { console.log(`FAIL ${mode}: ${msg}`); process.exit(1); };
setTimeout(() => fail('deadline (90 s) passed'), 90000).unref();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const TOKEN = 'x-graphql-event-stream-token';

async function gql(query, variables) {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' },
                               body: JSON.stringify({ query, variables }) });
  const j = await r.json();
  if (j.errors) fail(`${query}: ${JSON.stringify(j.errors)}`);
  return j.data;
}
const createForm = async (n, template) =>
  (await gql('mutation($n: String, $t: String) { createForm(name: $n, template: $t) { data { id } } }',
             { n, t: template })).createForm.data.id;
async function until(cond, what, ms = 30000) {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) fail(`timed out waiting for ${what}`); await sleep(50); }
}
const FORMS = 'subscription($n: String) { formCreated(name: $n) { id name template } }';

function record(client, query, variables) {
  const rec = { items: [], errors: [], completed: false };
  rec.done = new Promise((resolve) => {
    rec.stop = client.subscribe({ query, variables }, {
      next: (v) => rec.items.push(v),
      error: (e) => { rec.errors.push(e); resolve(); },
      complete: () => { rec.completed = true; resolve(); },
    });
  });
  return rec;
}
const templates = (rec) => rec.items.filter((v) => v.data).map((v) => v.data.formCreated.template)
  .filter((t) => !t.startsWith('probe'));

async function probe(n, recs) {
  for (let k = 0; k < 100; k++) {
    await createForm(n, `probe-${k}`);
    for (let w = 0; w < 10; w++) {
      if (recs.every((r) => r.items.length > 0)) return;
      await sleep(100);
    }
  }
  fail('the subscriptions never received a probe form');
}

async function client() {
  const requests = [];
  // Count the requests the client makes: one PUT, one stream, then POSTs and DELETEs.
  const counting = (input, init) => { requests.push(`${(init && init.method) || 'GET'}`); return fetch(input, init); };
  const c = createClient({ url, singleConnection: true, retryAttempts: 0, fetchFn: counting });
  const a = record(c, FORMS, { n: name });
  const b = record(c, FORMS, { n: `${name}-b` });
  await probe(name, [a]);
  await probe(`${name}-b`, [b]);
  const n = 6;
  const want = [];
  for (let i = 0; i < n; i++) { await createForm(name, `t${i}`); want.push(`t${i}`); }
  await createForm(`${name}-b`, 'only-b');
  await until(() => templates(a).length >= n && templates(b).length >= 1, `${n} forms on a, 1 on b`);
  await sleep(800); // duplicates would arrive now
  if (templates(a).join() !== want.join()) fail(`a got ${templates(a)}, want ${want} (exactly once, in order)`);
  if (templates(b).join() !== 'only-b') fail(`b got ${templates(b)}`);
  // eventResult: answered at once (the result is stored) and completed by the server.
  const id = await createForm(name, 'result');
  const r = record(c, 'subscription($id: ID!) { eventResult(id: $id) { id status eventType } }', { id });
  await r.done;
  if (!r.completed || r.items.length !== 1 || r.items[0].data.eventResult.status !== 'ok')
    fail(`eventResult: ${JSON.stringify(r)}`);
  // An invalid subscription: its errors come as a result, then it completes.
  const bad = record(c, 'subscription { formCreated { nope } }');
  await bad.done;
  if (!(bad.items.length === 1 && bad.items[0].errors && bad.completed) && bad.errors.length !== 1)
    fail(`an invalid subscription was not refused: ${JSON.stringify(bad)}`);
  // Unsubscribing a (DELETE): b keeps receiving on the same stream, a gets nothing more.
  a.stop();
  await sleep(300);
  const before = templates(a).length;
  await createForm(name, 'after-stop');
  await createForm(`${name}-b`, 'b-after');
  await until(() => templates(b).includes('b-after'), 'b after a stopped');
  await sleep(500);
  if (templates(a).length !== before) fail(`a still received after it stopped: ${templates(a)}`);
  b.stop();
  await sleep(200);
  await c.dispose();
  const puts = requests.filter((m) => m === 'PUT').length, dels = requests.filter((m) => m === 'DELETE').length;
  if (puts !== 1) fail(`the client made ${puts} reservations, want 1 (one stream): ${requests}`);
  if (dels < 2) fail(`the client sent ${dels} DELETEs, want 2: ${requests}`);
  console.log(`OK client: graphql-sse singleConnection: ${n} forms exactly once in order, filter per operation, ` +
              `eventResult, invalid one refused, DELETE stops one operation (${requests.length} requests, 1 stream)`);
}

// ---- raw requests ----

async function put() {
  const r = await fetch(url, { method: 'PUT' });
  if (r.status !== 201) fail(`PUT answered ${r.status}: ${await r.text()}`);
  if (r.statusText !== 'Created') fail(`PUT: reason phrase ${r.statusText}`);
  const t = await r.text();
  if (!/^[0-9a-f-]{36}$/.test(t)) fail(`PUT gave the token ${JSON.stringify(t)}`);
  if (!(r.headers.get('content-type') || '').startsWith('text/plain')) fail('PUT: not text/plain');
  return t;
}
async function op(token, body, q = '') {
  const headers = { 'content-type': 'application/json' };
  if (token !== null && !q) headers[TOKEN] = token;
  const r = await fetch(url + q, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: r.status, text: await r.text() };
}
const sub = (id, query = FORMS, variables = { n: name }) => ({ query, variables, extensions: id === undefined ? {} : { operationId: id } });
async function del(token, id) {
  const headers = token === null ? {} : { [TOKEN]: token };
  const q = id === undefined ? '' : `?operationId=${encodeURIComponent(id)}`;
  const r = await fetch(url + q, { method: 'DELETE', headers });
  await r.text();
  return r.status;
}

// An event stream: its parsed messages as they come.
async function stream(token) {
  const ctl = new AbortController();
  const r = await fetch(url, { headers: { accept: 'text/event-stream', [TOKEN]: token }, signal: ctl.signal });
  const s = { status: r.status, events: [], ctl, ended: false };
  if (r.status !== 200) { s.text = await r.text(); return s; }
  if (!(r.headers.get('content-type') || '').startsWith('text/event-stream')) fail('stream: not text/event-stream');
  (async () => {
    const dec = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of r.body) {
        buf += dec.decode(chunk, { stream: true });
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const ev = /^event: (.*)$/m.exec(block), data = /^data: (.*)$/m.exec(block);
          if (ev) s.events.push({ event: ev[1], data: data && data[1] ? JSON.parse(data[1]) : null });
        }
      }
    } catch { /* aborted */ }
    s.ended = true;
  })();
  return s;
}
const expect = (got, want, what) => { if (got !== want) fail(`${what}: ${got}, want ${want}`); };

async function hostile() {
  const unknown = '3f0e2b1c-9d4a-4c6b-8e2f-1a2b3c4d5e6f';
  // Unknown and malformed tokens: 404 everywhere.
  expect((await op(unknown, sub('1'))).status, 404, 'an operation with an unknown token');
  expect((await op('not-a-token', sub('1'))).status, 404, 'an operation with a malformed token');
  expect((await op('x'.repeat(5000), sub('1'))).status, 404, 'an operation with a 5000-byte token');
  expect((await stream(unknown)).status, 404, 'a stream with an unknown token');
  expect(await del(unknown, '1'), 404, 'DELETE with an unknown token');
  expect(await del(null, '1'), 404, 'DELETE without a token');
  // A reservation: operations wait for its stream.
  const t = await put();
  expect((await op(t, sub('1'))).status, 409, 'an operation before the stream is open');
  const s = await stream(t);
  expect(s.status, 200, 'the stream');
  const s2 = await stream(t);
  expect(s2.status, 409, 'a second stream on the same token');
  // Operation ids: missing, huge, fine, duplicate.
  expect((await op(t, sub(undefined))).status, 400, 'an operation without operationId');
  expect((await op(t, sub(''))).status, 400, 'an empty operationId');
  expect((await op(t, sub('i'.repeat(100000)))).status, 400, 'a 100 kB operationId');
  expect((await op(t, sub(42))).status, 400, 'a number as operationId');
  expect((await op(t, sub('a'))).status, 202, 'an operation');
  expect((await op(t, sub('a'))).status, 409, 'the same operationId again');
  const weird = 'q"u\\o\nte';
  expect((await op(null, sub(weird), `?token=${t}`)).status, 202, 'an operation with the token as a parameter');
  expect(await del(t, undefined), 400, 'DELETE without operationId');
  // Events carry the ids; a form reaches both operations.
  for (let k = 0; k < 100 && s.events.filter((e) => e.event === 'next').length < 2; k++) {
    await createForm(name, `raw-${k}`);
    await sleep(150);
  }
  const nexts = s.events.filter((e) => e.event === 'next');
  const ids = new Set(nexts.map((e) => e.data.id));
  if (!ids.has('a') || !ids.has(weird)) fail(`the events' ids: ${JSON.stringify(nexts)}`);
  if (!nexts.every((e) => e.data.payload.data.formCreated.name === name)) fail(`payloads: ${JSON.stringify(nexts)}`);
  // DELETE: 200, and the operation gets `complete` with its id.
  expect(await del(t, 'a'), 200, 'DELETE of an active operation');
  await until(() => s.events.some((e) => e.event === 'complete' && e.data && e.data.id === 'a'), 'complete for a');
  expect(await del(t, 'never-started'), 200, 'DELETE of an unknown operation (as graphql-sse answers)');
  // The id is free again.
  expect((await op(t, sub('a'))).status, 202, 'an operation reusing a stopped id');
  // eventResult on the stream: next then complete, both with the id.
  const fid = await createForm(name, 'res');
  expect((await op(t, sub('r', 'subscription($id: ID!) { eventResult(id: $id) { id status } }', { id: fid }))).status,
         202, 'eventResult');
  await until(() => s.events.some((e) => e.event === 'complete' && e.data && e.data.id === 'r'), 'eventResult complete');
  const rn = s.events.find((e) => e.event === 'next' && e.data.id === 'r');
  if (!rn || rn.data.payload.data.eventResult.status !== 'ok') fail(`eventResult next: ${JSON.stringify(rn)}`);
  // An invalid operation: 202, then its errors and complete on the stream.
  expect((await op(t, sub('bad', 'subscription { formCreated { nope } }', {}))).status, 202, 'an invalid operation');
  await until(() => s.events.some((e) => e.event === 'complete' && e.data && e.data.id === 'bad'), 'complete of the invalid one');
  const bn = s.events.find((e) => e.event === 'next' && e.data.id === 'bad');
  if (!bn || !bn.data.payload.errors) fail(`the invalid operation's errors: ${JSON.stringify(bn)}`);
  // The stream goes away: its token is gone (operations, streams, DELETE: 404).
  s.ctl.abort();
  await until(() => s.ended, 'the stream to end');
  let st = 0;
  for (let k = 0; k < 40 && st !== 404; k++) { st = (await op(t, sub('z'))).status; if (st !== 404) await sleep(50); }
  expect(st, 404, 'an operation on a closed stream');
  expect((await stream(t)).status, 404, 'reusing the token of a closed stream');
  expect(await del(t, 'z'), 404, 'DELETE on a closed stream');
  // CORS (the script sets http.cors_origins): a page on an allowed origin may PUT and DELETE.
  const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'http://app.example',
    'access-control-request-method': 'DELETE', 'access-control-request-headers': TOKEN } });
  expect(pre.status, 204, 'a CORS preflight');
  const methods = pre.headers.get('access-control-allow-methods') || '';
  if (!methods.includes('PUT') || !methods.includes('DELETE')) fail(`preflight allows ${methods}`);
  if (!(pre.headers.get('access-control-allow-headers') || '').includes(TOKEN)) fail('preflight: token header not allowed');
  const cp = await fetch(url, { method: 'PUT', headers: { origin: 'http://app.example' } });
  await cp.text();
  expect(cp.headers.get('access-control-allow-origin'), 'http://app.example', 'PUT from an allowed origin');
  console.log('OK hostile: unknown/malformed/huge tokens 404, second stream 409, operation before the stream 409, ' +
              'missing/huge/number operationId 400, duplicate 409, ids in events (escaped), DELETE 200 + complete, ' +
              'token as a parameter, closed stream 404, reused token 404, CORS preflight allows PUT/DELETE and the token header');
}

async function flood() {
  const max = Number(name), ttl = Number(process.argv[5]);
  const total = max + 500;
  const codes = {};
  const t0 = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      next++;
      const r = await fetch(url, { method: 'PUT' });
      await r.text();
      codes[r.status] = (codes[r.status] || 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  const took = Date.now() - t0;
  // max made when none expired meanwhile (up to 3 fewer: the streams of the
  // previous checks may still be closing on the server); else the expired
  // ones made room.
  const exact = took < ttl;
  const made = codes[201] || 0;
  if (made + (codes[503] || 0) !== total || (exact ? made > max || made < max - 3 || !codes[503] : made < max - 3))
    fail(`${total} reservations in ${took} ms answered ${JSON.stringify(codes)}, want ${max} 201 and 500 503`);
  // The reservations were never connected: they expire, and PUT works again.
  let again = 0;
  for (let k = 0; k < 250 && again !== 201; k++) {
    await sleep(100);
    const r = await fetch(url, { method: 'PUT' });
    await r.text();
    again = r.status;
  }
  expect(again, 201, 'a reservation after the others expired');
  console.log(`OK flood: ${total} reservations in ${took} ms: ${codes[201]} made (limit ${max}), ${codes[503]} refused with 503; ` +
              `after expiry PUT works again`);
}

// Prints READY with an operation running on a stream; the server is then
// stopped (SIGTERM): the operation gets `complete` and the stream ends.
async function shutdown() {
  // The flood's reservations may still fill the registry: wait for room.
  let t = null;
  for (let k = 0; k < 300 && !t; k++) {
    const r = await fetch(url, { method: 'PUT' });
    if (r.status === 201) t = await r.text();
    else { await r.text(); await sleep(100); }
  }
  if (!t) fail('no reservation within 30 s');
  const s = await stream(t);
  expect(s.status, 200, 'the stream');
  expect((await op(t, sub('s1'))).status, 202, 'an operation');
  console.log('READY');
  await until(() => s.ended, 'the stream to end at shutdown', 60000);
  if (!s.events.some((e) => e.event === 'complete' && e.data && e.data.id === 's1'))
    fail(`no complete for s1 at shutdown: ${JSON.stringify(s.events)}`);
  console.log('OK shutdown: the operation completed and the stream ended');
}

// A stream whose client stops reading is cut off (its operations get
// SLOW_CONSUMER and complete if it reads again in time), its token is then
// unknown; a graphql-sse client on another stream receives every event.
async function slow() {
  const t = await put();
  const u = new URL(url);
  const sock = net.connect(Number(u.port), u.hostname);
  let raw = '', closed = false;
  sock.on('data', (d) => { raw += d.toString(); });
  sock.on('close', () => { closed = true; });
  sock.on('error', () => { closed = true; });
  await new Promise((r) => sock.on('connect', r));
  sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nAccept: text/event-stream\r\n${TOKEN}: ${t}\r\n\r\n`);
  await until(() => raw.includes('\r\n\r\n'), 'the stream head');
  if (!raw.startsWith('HTTP/1.1 200')) fail(`stream: ${raw.slice(0, 80)}`);
  expect((await op(t, sub('slow1'))).status, 202, 'an operation');
  expect((await op(t, sub('slow2'))).status, 202, 'a second operation');
  const fast = createClient({ url, singleConnection: true, retryAttempts: 0 });
  const f = record(fast, FORMS, { n: name });
  await probe(name, [f]);
  await until(() => raw.includes('"id":"slow1"') && raw.includes('"id":"slow2"'), 'the slow stream subscribed');
  sock.pause(); // stop reading: TCP pushes back
  const big = 'b'.repeat(30000);
  const n = 40;
  for (let i = 0; i < n; i++) {
    await createForm(name, `${big}${i}`);
    await until(() => templates(f).length > i, `form ${i} on the fast client`, 20000);
    if (i === 20) sock.resume(); // cut off by now: read its last words
  }
  await until(() => closed, 'the slow stream to be closed', 10000);
  const nexts = (raw.match(/event: next/g) || []).length;
  if (nexts >= 2 * n) fail(`the slow stream got all ${nexts} events: never cut off`);
  const lastWords = raw.includes('SLOW_CONSUMER');
  if (lastWords && !/event: complete\ndata: \{"id":"slow[12]"\}/.test(raw)) fail('SLOW_CONSUMER without complete');
  expect((await op(t, sub('slow3'))).status, 404, 'an operation on the cut-off stream');
  if (templates(f).length !== n) fail(`the fast client got ${templates(f).length} of ${n}`);
  f.stop();
  await fast.dispose();
  console.log(`OK slow: the slow stream was cut off after ${nexts} events${lastWords ? ' (SLOW_CONSUMER, complete)' : ''}, ` +
              `its token is gone; the fast client got all ${n}`);
}

const modes = { client, hostile, flood, shutdown, slow };
if (!modes[mode]) fail(`unknown mode ${mode}`);
modes[mode]().then(() => process.exit(0), (e) => fail(e && e.stack ? e.stack : String(e)));
