// publish.mjs -- the event source of bench/subscriptions/run.sh (kafkajs).
//
//   node publish.mjs NODE_DIR BOOTSTRAP TOPIC create
//       creates TOPIC (1 partition) unless it exists
//   node publish.mjs NODE_DIR BOOTSTRAP TOPIC publish RATE COUNT
//       publishes COUNT FormCreatedEvents at RATE per second
//
// Each event is a binary-mode CloudEvent as the framework writes them
// (docs/wire-format.md) whose form's `template` is the publish time in
// nanoseconds of CLOCK_MONOTONIC (node's process.hrtime), which the load
// client (subs_load.c, same machine) subtracts from its own clock on arrival.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import path from 'node:path';

const [nodeDir, bootstrap, topic, what, rate, count] = process.argv.slice(2);
const require = createRequire(path.join(path.resolve(nodeDir), 'package.json'));
const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ clientId: 'bench-subscriptions-publisher', brokers: bootstrap.split(','),
                          logLevel: logLevel.WARN });

if (what === 'create') {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();
  process.exit(0);
}
if (what !== 'publish') {
  console.error('usage: see the comment at the top');
  process.exit(2);
}
const producer = kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
const n = Number(count);
const period = 1000 / Number(rate);
const start = Date.now();
for (let i = 0; i < n; i++) {
  const wait = start + i * period - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const id = randomUUID();
  const form = { id, name: 'bench', template: process.hrtime.bigint().toString() };
  await producer.send({
    topic,
    acks: 1,
    messages: [{
      key: id,
      value: JSON.stringify({ id, form }),
      headers: { ce_specversion: '1.0', ce_id: id, ce_source: '/bench/subscriptions',
                 ce_type: 'FormCreatedEvent', ce_time: new Date().toISOString(),
                 'content-type': 'application/json' },
    }],
  });
}
await producer.disconnect();
process.exit(0);
