// subs.mjs -- drives `gregor serve` (the forms example) with the real
// subscription clients, graphql-ws and graphql-sse, for tests/e2e/subscriptions.sh.
//   node subs.mjs main     URL NAME TOKEN   forms over both, exactly once, same order; filter; eventResult
//   node subs.mjs auth     URL              connection_init refused (4403) with a wrong token
//   node subs.mjs slow     URL NAME TOKEN   a client that does not read is cut off, another keeps receiving
//   node subs.mjs shutdown URL NAME TOKEN   prints READY; then every subscription must complete
//   node subs.mjs protocol URL NAME TOKEN   graphql-transport-ws rules over a raw socket: close codes
//                                           4400/4401/4408/4409/4429, ping/pong both ways, fragments, complete
//   node subs.mjs partitions URL NAME TOKEN BOOTSTRAP TOPIC  a partition added to the topic
//                                           after the server started is read (kafkajs adds it, then
//                                           produces a FormCreatedEvent straight to it)
//   node subs.mjs idle     URL N KIND TOKEN  opens N idle subscribers (KIND ws: raw graphql-transport-ws
//                                           sockets; sse: graphql-sse POST streams), prints READY once the
//                                           server took every subscribe, holds them until SIGTERM or stdin closes
//   node subs.mjs graphiql URL NAME SCREENSHOT  headless Chromium: GraphiQL's page runs a subscription
//                                           and shows forms created afterwards, live
//   node subs.mjs groups   URL NAME TOKEN   50 subscriptions, 40 distinct: each gets only its own
//                                           forms, before and after half of them completed
//   node subs.mjs tailidle URL NAME TOKEN   against a server whose tail pauses when unsubscribed
//                                           (subscriptions.tail_idle_ms 300), three rounds of: idle,
//                                           a form created, subscribe, a form created: only the second
//                                           arrives (the tail resumed from the subscriber's start)
// Prints "OK ..." and exits 0, or prints why and exits 1. Every wait has a deadline.
import { createClient as createWsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import http from 'node:http';

const [mode, url, name, token] = process.argv.slice(2);
const wsUrl = url.replace(/^http/, 'ws');
const fail = (msg) => { console.log(`FAIL ${mode}: ${msg}`); process.exit(1); };
const deadline = setTimeout(() => fail('deadline (60 s) passed'), 60000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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

function wsClient(params) {
  return createWsClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: params,
                          retryAttempts: 0, lazy: true });
}
const sseClient = () => createSseClient({ url, retryAttempts: 0 });

// A subscription recording what it receives.
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
const FORMS = 'subscription($n: String) { formCreated(name: $n) { id name template } }';
const templates = (rec) => rec.items.map((v) => v.data.formCreated.template).filter((t) => !t.startsWith('probe'));

// Creates probe forms until every recorder has seen one: then each is subscribed.
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
async function until(cond, what, ms = 30000) {
  const end = Date.now() + ms;
  while (!cond()) { if (Date.now() > end) fail(`timed out waiting for ${what}`); await sleep(50); }
}

async function main() {
  const ws = wsClient({ token });
  const sse = sseClient();
  const a = record(ws, FORMS, { n: name });
  const b = record(sse, FORMS, { n: name });
  const other = record(ws, FORMS, { n: `${name}-other` });
  await probe(name, [a, b]);
  await probe(`${name}-other`, [other]);
  const n = 8;
  const want = [];
  for (let i = 0; i < n; i++) { await createForm(name, `t${i}`); want.push(`t${i}`); }
  await createForm(`${name}-other`, 'x');
  await until(() => templates(a).length >= n && templates(b).length >= n, `${n} forms on both clients`);
  await sleep(1000); // duplicates would arrive now
  const ta = templates(a), tb = templates(b), to = templates(other);
  if (ta.length !== n || tb.length !== n) fail(`not exactly once: ws ${ta} sse ${tb}`);
  if ([...ta].sort().join() !== want.join()) fail(`ws got ${ta}, want ${want}`);
  if (ta.join() !== tb.join()) fail(`the clients saw different orders: ws ${ta} sse ${tb}`);
  if (to.join() !== 'x') fail(`the filter let through ${to}`);
  if (a.items.some((v) => v.data.formCreated.name !== name)) fail('the filter let another name through');
  // eventResult: subscribed before the result exists (ws), and after (sse: answers at once).
  const id = await createForm(name, 'result');
  const r1 = record(ws, 'subscription($id: ID!) { eventResult(id: $id) { id status eventType data } }', { id });
  await r1.done;
  if (!r1.completed || r1.items.length !== 1) fail(`eventResult (ws): ${JSON.stringify(r1)}`);
  const er = r1.items[0].data.eventResult;
  if (er.id !== id || er.status !== 'ok' || er.eventType !== 'FormCreatedEvent' ||
      JSON.parse(er.data).form.template !== 'result') fail(`eventResult (ws) answered ${JSON.stringify(er)}`);
  const r2 = record(sse, 'subscription($id: ID!) { eventResult(id: $id) { id status } }', { id });
  await r2.done;
  if (!r2.completed || r2.items.length !== 1 || r2.items[0].data.eventResult.status !== 'ok')
    fail(`eventResult (sse, stored): ${JSON.stringify(r2)}`);
  // A validation error comes as an error, not a hang.
  const bad = record(ws, 'subscription { formCreated { nope } }');
  await bad.done;
  if (bad.errors.length !== 1) fail(`an invalid subscription was not refused: ${JSON.stringify(bad)}`);
  a.stop(); b.stop(); other.stop();
  await ws.dispose();
  console.log(`OK main: ${n} forms exactly once on graphql-ws and graphql-sse in the same order, filter, eventResult`);
}

async function auth() {
  let closed = null;
  const ws = createWsClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { token: 'wrong' },
                              retryAttempts: 0, lazy: true, on: { closed: (e) => { closed = e; } } });
  const r = record(ws, FORMS, { n: 'x' });
  await r.done;
  if (!closed || closed.code !== 4403) fail(`closed with ${closed && closed.code}, want 4403`);
  console.log('OK auth: connection_init refused with 4403');
}

async function slow() {
  // The slow one: subscribes over a raw socket and stops reading.
  const sock = new WebSocket(wsUrl, 'graphql-transport-ws');
  const got = [];
  let closeCode = 0;
  sock.on('message', (m) => got.push(JSON.parse(m.toString())));
  sock.on('close', (code) => { closeCode = code; });
  await new Promise((r, j) => { sock.on('open', r); sock.on('error', j); });
  sock.send(JSON.stringify({ type: 'connection_init', payload: { token } }));
  await until(() => got.some((m) => m.type === 'connection_ack'), 'connection_ack');
  sock.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: FORMS, variables: { n: name } } }));
  const fast = wsClient({ token });
  const f = record(fast, FORMS, { n: name });
  await probe(name, [f]);
  await until(() => got.some((m) => m.type === 'next'), 'the slow client subscribed');
  sock._socket.pause(); // stop reading: TCP pushes back
  const big = 'b'.repeat(30000);
  const n = 40;
  // Paced by the fast client: it never has more than one event unread.
  for (let i = 0; i < n; i++) {
    await createForm(name, `${big}${i}`);
    await until(() => templates(f).length > i, `form ${i} on the fast client`, 20000);
    // Cut off by now (its kernel buffers and the 64 KiB limit hold about 11
    // events): read again, soon enough to see its last words.
    if (i === 20) sock._socket.resume();
  }
  await until(() => closeCode !== 0, 'the slow client to be closed', 10000);
  const nexts = got.filter((m) => m.type === 'next').length;
  const slowErr = got.find((m) => m.type === 'error');
  // It reads its last words (SLOW_CONSUMER, then close 1008) only if it
  // resumes within the server's 2 s linger; later the server has reset it (1006).
  if (closeCode !== 1008 && closeCode !== 1006) fail(`slow client closed with ${closeCode}, want 1008 or 1006`);
  if (closeCode === 1008 && (!slowErr || slowErr.payload[0].extensions.code !== 'SLOW_CONSUMER'))
    fail('closed with 1008 but no SLOW_CONSUMER error');
  if (nexts >= n) fail(`the slow client got all ${nexts} events: it was never cut off`);
  f.stop();
  await fast.dispose();
  console.log(`OK slow: slow client cut off (${closeCode}${slowErr ? ', SLOW_CONSUMER' : ''}) after ${nexts} events; fast client got ${n}`);
}

async function shutdown() {
  const ws = wsClient({ token });
  const a = record(ws, FORMS, { n: name });
  const b = record(sseClient(), FORMS, { n: name });
  await probe(name, [a, b]);
  const c = record(ws, 'subscription { eventResult(id: "never-stored") { id } }'); // within its 4 s deadline
  await sleep(200);
  console.log('READY');
  await Promise.all([a.done, b.done, c.done]);
  for (const [k, r] of Object.entries({ ws: a, sse: b, eventResult: c }))
    if (!r.completed || r.errors.length) fail(`${k} did not complete cleanly: ${JSON.stringify(r.errors)}`);
  console.log('OK shutdown: every subscription completed');
}

// A raw graphql-transport-ws socket: its messages, and how it closed.
async function raw() {
  const sock = new WebSocket(wsUrl, 'graphql-transport-ws');
  const r = { sock, msgs: [], close: null, pongs: 0 };
  sock.on('message', (m) => r.msgs.push(JSON.parse(m.toString())));
  sock.on('close', (code, reason) => { r.close = { code, reason: reason.toString() }; });
  sock.on('pong', () => r.pongs++);
  await new Promise((ok, no) => { sock.on('open', ok); sock.on('error', no); });
  r.send = (m) => sock.send(JSON.stringify(m));
  r.closed = (code, what) => until(() => r.close, what, 10000).then(() => {
    if (r.close.code !== code) fail(`${what}: closed with ${r.close.code} ${r.close.reason}, want ${code}`);
  });
  r.init = async () => {
    r.send({ type: 'connection_init', payload: { token } });
    await until(() => r.msgs.some((m) => m.type === 'connection_ack'), 'connection_ack');
  };
  return r;
}

async function protocol() {
  const sub = (id, n) => ({ id, type: 'subscribe', payload: { query: FORMS, variables: { n } } });
  let r = await raw();
  r.send(sub('1', name));
  await r.closed(4401, 'subscribe before connection_init');
  r = await raw();
  await r.init();
  r.send({ type: 'connection_init', payload: { token } });
  await r.closed(4429, 'a second connection_init');
  r = await raw();
  await r.init();
  r.send(sub('1', name));
  r.send(sub('1', name));
  await r.closed(4409, 'a duplicate operation id');
  r = await raw();
  r.send({ type: 'nonsense' });
  await r.closed(4400, 'an unknown message type');
  r = await raw();
  r.sock.send('{"type":"connection_init"', { fin: false });
  r.sock.send(',"payload":{"token":"' + token + '"}}', { fin: true });
  await until(() => r.msgs.some((m) => m.type === 'connection_ack'), 'connection_ack from a fragmented message');
  r.send({ type: 'ping' });
  await until(() => r.msgs.some((m) => m.type === 'pong'), 'a pong message');
  r.sock.ping();
  await until(() => r.pongs > 0, 'a pong frame');
  // A query over the socket: one next, then complete.
  r.send({ id: 'q', type: 'subscribe', payload: { query: '{ __typename }' } });
  await until(() => r.msgs.some((m) => m.type === 'complete' && m.id === 'q'), 'a query over WebSocket');
  const qn = r.msgs.filter((m) => m.id === 'q');
  if (qn.length !== 2 || qn[0].type !== 'next' || qn[0].payload.data.__typename !== 'Query')
    fail(`a query over WebSocket: ${JSON.stringify(qn)}`);
  // complete stops the deliveries: subscribe, see a probe, complete, no more.
  r.send(sub('a', name));
  const nexts = () => r.msgs.filter((m) => m.type === 'next' && m.id === 'a').length;
  for (let k = 0; nexts() === 0 && k < 100; k++) { await createForm(name, `probe-${k}`); await sleep(200); }
  if (nexts() === 0) fail('no event on the raw socket');
  r.send({ id: 'a', type: 'complete' });
  await sleep(300);
  const seen = nexts();
  await createForm(name, 'after-complete');
  await sleep(1500);
  if (nexts() !== seen) fail('events kept coming after complete');
  r.sock.close(1000);
  await until(() => r.close, 'the close handshake');
  if (r.close.code !== 1000) fail(`close handshake answered ${r.close.code}`);
  // Subscribers of one document and variables get one message built once per
  // operation id (mm_http_stream_next_shared): two sockets with the same id and
  // one whose id needs escaping each get their own id and the same payload
  // (the server walks its newest subscriber first: the frame is built for
  // 'same' and written as is to the other 'same'; the third is framed alone).
  const shared = [];
  for (const id of ['q"x\\y', 'same', 'same']) {
    const x = await raw();
    await x.init();
    x.send(sub(id, name));
    shared.push(x);
  }
  const nextsOf = (x) => x.msgs.filter((m) => m.type === 'next');
  for (let k = 0; shared.some((x) => nextsOf(x).length === 0) && k < 100; k++) {
    await createForm(name, `probe-shared-${k}`);
    await sleep(200);
  }
  await createForm(name, 'shared-final');
  const finals = (x) => nextsOf(x).filter((m) => m.payload.data.formCreated.template === 'shared-final');
  await until(() => shared.every((x) => finals(x).length > 0), 'one event on every sharing subscriber');
  await sleep(300);
  const texts = shared.map((x) => JSON.stringify(finals(x)[0]?.payload));
  if (shared.some((x) => finals(x).length !== 1) || new Set(texts).size !== 1 ||
      finals(shared[0])[0].id !== 'q"x\\y' || finals(shared[1])[0].id !== 'same' ||
      finals(shared[2])[0].id !== 'same')
    fail(`shared messages: ${JSON.stringify(shared.map(finals))}`);
  // One member leaves its group: the others keep receiving.
  shared[2].sock.close(1000);
  await until(() => shared[2].close, 'a sharing socket closed');
  await createForm(name, 'shared-after-leave');
  const after = (x) => nextsOf(x).filter((m) => m.payload.data.formCreated.template === 'shared-after-leave');
  await until(() => after(shared[0]).length > 0 && after(shared[1]).length > 0, 'the group after a member left');
  for (const x of shared) x.sock.close(1000);
  await until(() => shared.every((x) => x.close), 'the sharing sockets closed');
  // Limits: MM_SUBSCRIPTIONS_PER_CONNECTION=5 and MM_SUBSCRIPTIONS_MAX=12 (set by the test).
  const errs = (x) => x.msgs.filter((m) => m.type === 'error');
  const s1 = await raw();
  await s1.init();
  for (let i = 0; i < 6; i++) s1.send(sub(`l${i}`, name));
  await until(() => errs(s1).length > 0, 'the 6th subscription of a connection refused');
  await sleep(300);
  if (errs(s1).length !== 1 || errs(s1)[0].id !== 'l5' || !/this connection/.test(errs(s1)[0].payload[0].message))
    fail(`per-connection limit: ${JSON.stringify(errs(s1))}`);
  const s2 = await raw();
  await s2.init();
  const s3 = await raw();
  await s3.init();
  for (let i = 0; i < 5; i++) s2.send(sub(`m${i}`, name));
  await sleep(300);
  for (let i = 0; i < 5; i++) s3.send(sub(`n${i}`, name));
  await until(() => errs(s3).length > 0, 'a subscription over the server limit refused');
  if (!errs(s3).every((e) => /this server has reached its limit/.test(e.payload[0].message)) || errs(s2).length)
    fail(`per-server limit: ${JSON.stringify(errs(s3))} ${JSON.stringify(errs(s2))}`);
  for (const x of [s1, s2, s3]) x.sock.close(1000);
  // An eventResult that never comes ends with RESULT_TIMEOUT (MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS=4000).
  const t = await raw();
  await t.init();
  const t0 = Date.now();
  t.send({ id: 'r', type: 'subscribe', payload: { query: 'subscription { eventResult(id: "never-stored") { id } }' } });
  await until(() => errs(t).length > 0, 'the eventResult deadline', 15000);
  if (errs(t)[0].payload[0].extensions.code !== 'RESULT_TIMEOUT' || Date.now() - t0 < 3500)
    fail(`eventResult deadline: ${JSON.stringify(errs(t))} after ${Date.now() - t0} ms`);
  t.sock.close(1000);
  r = await raw();
  await r.closed(4408, 'no connection_init in time');
  console.log('OK protocol: 4401 4429 4409 4400 4408, fragments, ping/pong, complete, close handshake, shared messages, limits, eventResult deadline, a query');
}

async function graphiql() {
  const { chromium } = await import('playwright-core');
  const screenshot = token; // the 4th argument
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const query = `subscription { formCreated(name: "${name}") { name template } }`;
    await page.addInitScript((q) => { localStorage.setItem('graphiql:query', q); }, query);
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForSelector('.graphiql-execute-button', { timeout: 20000 });
    await page.click('.graphiql-execute-button');
    const shown = async () => (await page.locator('.result-window').innerText().catch(() => ''));
    // Probe forms until one shows (the subscription is live), then one more.
    for (let k = 0; k < 60 && !(await shown()).includes('probe'); k++) {
      await createForm(name, `probe-${k}`);
      await sleep(500);
    }
    if (!(await shown()).includes('probe')) fail(`GraphiQL showed no live result: ${await shown()}`);
    await createForm(name, 'live-in-graphiql');
    for (let k = 0; k < 40 && !(await shown()).includes('live-in-graphiql'); k++) await sleep(250);
    const text = await shown();
    if (!text.includes('live-in-graphiql')) fail(`GraphiQL did not update live: ${text}`);
    if (screenshot) await page.screenshot({ path: screenshot });
  } finally {
    await browser.close();
  }
  console.log('OK graphiql: GraphiQL shows a live subscription result');
}

// N idle subscribers for the memory test (tests/e2e/subscriptions_idle.sh).
// Not the graphql-ws/graphql-sse clients: one process holds thousands of
// sockets, and what is measured is the server, not the client.
async function idle() {
  const [n, kind, tok] = [Number(process.argv[4]), process.argv[5], process.argv[6]];
  clearTimeout(deadline);
  const limit = setTimeout(() => fail('idle: not all subscribers ready within 120 s'), 120000);
  const query = 'subscription { formCreated(name: "idle-never") { id } }';
  const held = [];
  const one = kind === 'ws' ? () => new Promise((ok, no) => {
    const sock = new WebSocket(wsUrl, 'graphql-transport-ws', { perMessageDeflate: false });
    held.push(sock);
    sock.on('error', no);
    sock.on('close', (code) => no(new Error(`closed ${code}`)));
    sock.on('open', () => sock.send(JSON.stringify({ type: 'connection_init', payload: { token: tok } })));
    sock.on('message', (m) => {
      const t = JSON.parse(m.toString()).type;
      // The server reads a socket's messages in order: the pong after the
      // subscribe means the subscription exists.
      if (t === 'connection_ack') {
        sock.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query } }));
        sock.send(JSON.stringify({ type: 'ping' }));
      } else if (t === 'pong') ok();
      else no(new Error(`unexpected ${t}`));
    });
  }) : () => new Promise((ok, no) => {
    const req = http.request(url, { method: 'POST', agent: false, headers: {
      accept: 'text/event-stream', 'content-type': 'application/json' } }, (res) => {
      if (res.statusCode !== 200) no(new Error(`status ${res.statusCode}`));
      res.on('data', (d) => { if (/event: (next|complete)/.test(d.toString())) no(new Error(`got ${d}`)); });
      res.on('close', () => no(new Error('stream closed')));
      ok();
    });
    held.push(req);
    req.on('error', no);
    req.end(JSON.stringify({ query }));
  });
  for (let i = 0; i < n; i += 100) // 100 at a time: no accept-queue overflow
    await Promise.all(Array.from({ length: Math.min(100, n - i) }, one));
  clearTimeout(limit);
  console.log(`READY ${held.length}`);
  await new Promise((r) => { process.stdin.on('end', r); process.stdin.on('close', r); process.on('SIGTERM', r); process.stdin.resume(); });
  process.exit(0);
}

async function partitions() {
  const [bootstrap, topic] = process.argv.slice(6);
  const { Kafka, logLevel } = (await import('kafkajs')).default;
  const kafka = new Kafka({ clientId: 'mm-test-subs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const ws = wsClient({ token });
  const a = record(ws, FORMS, { n: name });
  await probe(name, [a]);
  const admin = kafka.admin();
  await admin.connect();
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const count = md.topics[0].partitions.length;
  await admin.createPartitions({ topicPartitions: [{ topic, count: count + 1 }] });
  await admin.disconnect();
  // The server looks every MM_SUBSCRIPTIONS_PARTITION_REFRESH_MS (1 s in the test).
  await sleep(3000);
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const id = `partition-${count}-${Date.now()}`;
  await producer.send({ topic, messages: [{
    partition: count, key: id,
    value: JSON.stringify({ id, form: { id, name, template: 'new-partition' } }),
    headers: { ce_specversion: '1.0', ce_id: id, ce_source: '/mm-test', ce_type: 'FormCreatedEvent',
               'content-type': 'application/json' },
  }] });
  await producer.disconnect();
  await until(() => templates(a).includes('new-partition'), 'the event on the added partition', 20000);
  await ws.dispose();
  console.log(`OK partitions: an event on partition ${count}, added after the server started, arrived`);
}

// Many distinct subscriptions on a server: 40 on one socket (40 groups on
// its loop: the group table grows past its first 16 buckets) and 10 more on
// another socket duplicating the first 10 requests. Each gets exactly the
// forms of its own name, before and after half of them completed.
async function groups() {
  const G = 40, D = 10;
  const sub = (id, n) => ({ id, type: 'subscribe', payload: { query: FORMS, variables: { n } } });
  const a = await raw();
  await a.init();
  const b = await raw();
  await b.init();
  for (let i = 0; i < G; i++) a.send(sub(`g${i}`, `${name}-${i}`));
  for (let i = 0; i < D; i++) b.send(sub(`d${i}`, `${name}-${i}`));
  // The server reads a socket's messages in order: the pong follows the subscribes.
  for (const x of [a, b]) {
    x.send({ type: 'ping' });
    await until(() => x.msgs.some((m) => m.type === 'pong'), 'the pong after the subscribes');
  }
  // As main's probe: forms until both sockets see one (the event source is live).
  const seen = (x, id) => x.msgs.some((m) => m.type === 'next' && m.id === id);
  for (let k = 0; !(seen(a, 'g0') && seen(b, 'd0')); k++) {
    if (k === 100) fail('the subscriptions never received a probe form');
    await createForm(`${name}-0`, `probe-${k}`);
    for (let w = 0; w < 10 && !(seen(a, 'g0') && seen(b, 'd0')); w++) await sleep(100);
  }
  const got = (x, id, t) => x.msgs.filter((m) => m.type === 'next' && m.id === id &&
                                           m.payload.data.formCreated.template === t);
  const check = (x, id, t, want, n) => {
    const g = got(x, id, t);
    if (g.length !== want || g.some((m) => m.payload.data.formCreated.name !== n))
      fail(`${id} got ${JSON.stringify(g)} for ${t}, want ${want} of ${n}`);
  };
  for (const i of [0, 17, 39]) await createForm(`${name}-${i}`, 'one');
  await until(() => got(a, 'g0', 'one').length && got(a, 'g17', 'one').length &&
                    got(a, 'g39', 'one').length && got(b, 'd0', 'one').length, 'the first wave');
  await sleep(500);
  for (let i = 0; i < G; i++) check(a, `g${i}`, 'one', [0, 17, 39].includes(i) ? 1 : 0, `${name}-${i}`);
  for (let i = 0; i < D; i++) check(b, `d${i}`, 'one', i === 0 ? 1 : 0, `${name}-${i}`);
  // Half of the groups of a lose their only member; those of b's requests stay.
  for (let i = 0; i < G / 2; i++) a.send({ id: `g${i}`, type: 'complete' });
  a.msgs.length = 0;
  a.send({ type: 'ping' });
  await until(() => a.msgs.some((m) => m.type === 'pong'), 'the pong after the completes');
  for (const i of [0, 5, 25]) await createForm(`${name}-${i}`, 'two');
  await until(() => got(a, 'g25', 'two').length && got(b, 'd0', 'two').length &&
                    got(b, 'd5', 'two').length, 'the second wave');
  await sleep(500);
  for (let i = 0; i < G; i++) check(a, `g${i}`, 'two', i === 25 ? 1 : 0, `${name}-${i}`);
  for (let i = 0; i < D; i++) check(b, `d${i}`, 'two', i === 0 || i === 5 ? 1 : 0, `${name}-${i}`);
  a.sock.close(1000);
  b.sock.close(1000);
  console.log(`OK groups: ${G} + ${D} subscriptions, each got only its own forms, before and after ${G / 2} completed`);
}

// Each round the tail has paused (1.5 s idle against 300 ms); the form created
// before the subscribe must not arrive, the one after must (the pong proves
// the server took the subscribe first: it reads a socket's messages in order).
async function tailidle() {
  const ROUNDS = 3;
  for (let r = 0; r < ROUNDS; r++) {
    await sleep(1500);
    // Synchronous: it answers once the worker's FormCreatedEvent is acknowledged
    // by Kafka, so that event is in the log before the subscribe (createForm is
    // asynchronous, and its event could be appended after the subscribe: then
    // delivering it is right).
    const before = await gql('mutation($n: String, $t: String) { createFormSync(name: $n, template: $t) { data { id } } }',
                             { n: name, t: `before-${r}` });
    if (!before.createFormSync.data.id) fail(`round ${r}: createFormSync answered ${JSON.stringify(before)}`);
    const x = await raw();
    await x.init();
    x.send({ id: 's', type: 'subscribe', payload: { query: FORMS, variables: { n: name } } });
    x.send({ type: 'ping' });
    await until(() => x.msgs.some((m) => m.type === 'pong'), 'the pong after the subscribe');
    await createForm(name, `after-${r}`);
    const templates = () => x.msgs.filter((m) => m.type === 'next' && m.id === 's')
                                  .map((m) => m.payload.data.formCreated.template);
    await until(() => templates().includes(`after-${r}`), `round ${r}: the form created after the subscribe`, 15000);
    await sleep(500); // a stray earlier form would be here by now
    if (templates().join() !== `after-${r}`) fail(`round ${r}: got ${templates()}, want only after-${r}`);
    x.send({ id: 's', type: 'complete' });
    x.sock.close(1000);
    await until(() => x.close, `round ${r}: the socket closed`, 10000);
  }
  console.log(`OK tailidle: ${ROUNDS} rounds of pause and resume, only forms created after the subscribe`);
}

const modes = { main, auth, slow, shutdown, protocol, graphiql, idle, partitions, groups, tailidle };
if (!modes[mode]) fail(`unknown mode ${mode}`);
modes[mode]().then(() => { clearTimeout(deadline); process.exit(0); }, (e) => fail(e && e.stack || e));
