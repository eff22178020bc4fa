// server.mjs -- the reference side of bench/subscriptions/run.sh: graphql-js
// 16 `subscribe` behind graphql-ws (over ws) and graphql-sse (distinct
// connections mode) on node's http module, one endpoint as gregor serves
// them, fed from the same Kafka topic by a kafkajs consumer.
//
//   node server.mjs NODE_DIR SCHEMA_SDL_FILE BOOTSTRAP TOPIC
//
// NODE_DIR holds node_modules (bench/subscriptions/package.json, installed by
// run.sh). SCHEMA_SDL_FILE is `gregor schema --app forms.so`, so both servers
// run the same Subscription.formCreated(name:): each FormCreatedEvent's
// `form`, only forms of that name when given. The consumer reads TOPIC from
// its end (a group of its own, nothing from before it joined), decodes each
// message once (binary-mode CloudEvent: ce_type header, JSON value) and
// pushes it to every subscription's queue; graphql-js executes the document
// per subscriber, as gregor does. Listens on 127.0.0.1 at a free port and
// prints "graphql: http://127.0.0.1:PORT/graphql" once the consumer joined.
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const [nodeDir, sdlFile, bootstrap, topic] = process.argv.slice(2);
if (!nodeDir || !sdlFile || !bootstrap || !topic) {
  console.error('usage: node server.mjs NODE_DIR SCHEMA_SDL_FILE BOOTSTRAP TOPIC');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { buildSchema } = require('graphql');
const { createHandler } = require('graphql-sse/lib/use/http');
const { useServer } = require('graphql-ws/use/ws');
const { WebSocketServer } = require('ws');
const { Kafka, logLevel } = require('kafkajs');

// Every live subscription: a queue its async iterator drains.
const listeners = new Set();

function formCreated(_root, args) {
  const pending = []; // events not yet taken (bounded below)
  let wake = null;
  let done = false;
  const l = { push(form) {
    if (args.name != null && form.name !== args.name) return;
    if (pending.length >= 10000) return; // a bound, as gregor's byte limit
    pending.push(form);
    if (wake) { const w = wake; wake = null; w(); }
  } };
  listeners.add(l);
  const end = () => { done = true; listeners.delete(l); if (wake) { const w = wake; wake = null; w(); } };
  return {
    [Symbol.asyncIterator]() { return this; },
    async next() {
      while (!pending.length && !done) await new Promise((r) => (wake = r));
      if (done) return { done: true, value: undefined };
      return { done: false, value: pending.shift() };
    },
    async return() { end(); return { done: true, value: undefined }; },
    async throw(e) { end(); throw e; },
  };
}

const schema = buildSchema(readFileSync(sdlFile, 'utf8'));
const field = schema.getSubscriptionType().getFields().formCreated;
field.subscribe = formCreated;
field.resolve = (form) => form;

const sse = createHandler({ schema });
const server = createServer((req, res) => {
  sse(req, res).catch((e) => {
    console.error(e);
    if (!res.headersSent) res.writeHead(500).end();
  });
});
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema }, wss);

const kafka = new Kafka({ clientId: 'bench-subscriptions-node', brokers: bootstrap.split(','),
                          logLevel: logLevel.WARN });
const consumer = kafka.consumer({ groupId: `bench-subscriptions-node-${process.pid}-${Date.now()}`,
                                  maxWaitTimeInMs: 100 });
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: false });
let joined;
const ready = new Promise((r) => (joined = r));
consumer.on(consumer.events.GROUP_JOIN, () => joined());
await consumer.run({
  eachMessage: async ({ message }) => {
    const type = message.headers && message.headers.ce_type && message.headers.ce_type.toString();
    if (type !== 'FormCreatedEvent') return;
    let data;
    try { data = JSON.parse(message.value.toString()); } catch { return; }
    if (!data || typeof data.form !== 'object' || data.form === null) return;
    for (const l of listeners) l.push(data.form);
  },
});
await ready;
server.listen(0, '127.0.0.1', () => {
  console.log(`graphql: http://127.0.0.1:${server.address().port}/graphql`);
});
const stop = async () => {
  server.close();
  await consumer.disconnect().catch(() => {});
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
