// ce_sdk.mjs -- the JavaScript CloudEvents SDK's side of the conformance
// test (tests/e2e/interop_cloudevents.sh), with kafkajs as the Kafka client;
// both come pinned from package-lock.json.
//
//   node ce_sdk.mjs produce BOOTSTRAP TOPIC TAG PREFIX EXPECT_FILE
//     writes CreateFormEvents as Kafka.binary / Kafka.structured make them
//     (binary with and without datacontenttype, which adds
//     ce_datacontenttype; structured with data and with data_base64; the
//     extensions subject, traceparent, partitionkey; with and without the
//     type prefix) and appends what our consumer must record to EXPECT_FILE
//   node ce_sdk.mjs parse BOOTSTRAP TOPIC PREFIX COUNT
//     parses every message the framework wrote (ce_source /metamorphosis/...)
//     with Kafka.toEvent; exits 1 unless COUNT FormRecorded events parse.
// Every wait has a deadline (60 s).
import { appendFileSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { CloudEvent, Kafka as CEKafka } from "cloudevents";
import { Kafka, logLevel } from "kafkajs";

const TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
const DEADLINE_MS = 60000;

function fail(msg) {
  console.error(`ce_sdk.mjs (cloudevents js): FAIL: ${msg}`);
  process.exit(1);
}

function client(bootstrap) {
  return new Kafka({ clientId: "ce-sdk-js", brokers: bootstrap.split(","), logLevel: logLevel.NOTHING });
}

// kafkajs wants string or Buffer values; the SDK leaves undefined headers.
function toRecord(msg) {
  const headers = {};
  for (const [k, v] of Object.entries(msg.headers)) if (v !== undefined) headers[k] = String(v);
  let value = msg.value;
  if (!(typeof value === "string" || Buffer.isBuffer(value))) value = JSON.stringify(value);
  return { key: msg.key, value, headers };
}

async function produce(bootstrap, topic, tag, prefix, expectFile) {
  const run = randomUUID().slice(0, 8);
  const cases = [
    // [mode, type, extensions, datacontenttype, data as bytes]
    ["binary", "CreateFormEvent", true, "application/json", false],
    ["binary", `${prefix}.CreateFormEvent`, false, undefined, false],
    ["structured", "CreateFormEvent", true, undefined, false],
    ["structured", `${prefix}.CreateFormEvent`, false, "application/json", true],
  ];
  const records = [];
  const expected = [];
  cases.forEach(([mode, type, withExt, dct, asBytes], n) => {
    const id = `${tag}-${mode}-${n}-${run}`;
    const data = { name: `${tag}-${n}`, via: `${tag} ${mode}${asBytes ? " data_base64" : ""}${dct ? " datacontenttype" : ""}` };
    const attrs = { id, type, source: `/interop/${tag}`, data: asBytes ? Buffer.from(JSON.stringify(data)) : data };
    if (dct) attrs.datacontenttype = dct;
    if (withExt) Object.assign(attrs, { subject: `form-${n}`, traceparent: TRACEPARENT, partitionkey: `pk-${tag}-${n}` });
    const ce = new CloudEvent(attrs);
    records.push(toRecord(mode === "binary" ? CEKafka.binary(ce) : CEKafka.structured(ce)));
    expected.push({
      id, data, source: attrs.source, subject: attrs.subject ?? null,
      traceparent: attrs.traceparent ?? null, partitionkey: attrs.partitionkey ?? null,
    });
  });
  const producer = client(bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({ topic, messages: records, acks: -1, timeout: 30000 });
  await producer.disconnect();
  appendFileSync(expectFile, expected.map((e) => JSON.stringify(e) + "\n").join(""));
  console.log(`ce_sdk.mjs (cloudevents js): produced ${records.length} events (binary and structured)`);
}

async function parse(bootstrap, topic, prefix, count) {
  const consumer = client(bootstrap).consumer({ groupId: `ce-sdk-js-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const seen = new Map();
  let failure = null;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.run({
    eachMessage: async ({ message }) => {
      const headers = {};
      for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = v?.toString();
      if (!(headers.ce_source ?? "").startsWith("/metamorphosis/")) return; // an SDK's own event
      try {
        const ev = CEKafka.toEvent({ headers, key: message.key?.toString(), value: message.value });
        let data = ev.data;
        if (typeof data === "string" || Buffer.isBuffer(data)) data = JSON.parse(data.toString());
        if (ev.type !== `${prefix}.FormRecorded` || ev.specversion !== "1.0")
          throw new Error(`unexpected attributes type=${ev.type} specversion=${ev.specversion}`);
        if (!data || typeof data.id !== "string" || ev.mmcauseid !== data.id)
          throw new Error(`unexpected data ${JSON.stringify(data)} / mmcauseid ${ev.mmcauseid}`);
        seen.set(ev.id, data.id);
      } catch (e) {
        failure = `the SDK cannot parse our message ${JSON.stringify(headers)}: ${e}`;
        done();
      }
      if (seen.size >= count) done();
    },
  });
  const timer = setTimeout(done, DEADLINE_MS);
  await finished;
  clearTimeout(timer);
  await consumer.disconnect();
  if (failure) fail(failure);
  if (seen.size < count) fail(`parsed ${seen.size} of our events, expected ${count}, within ${DEADLINE_MS / 1000} s`);
  console.log(`ce_sdk.mjs (cloudevents js): parsed all ${seen.size} events the framework wrote`);
}

const [cmd, ...args] = process.argv.slice(2);
if (cmd === "produce" && args.length === 5) await produce(...args);
else if (cmd === "parse" && args.length === 4) await parse(args[0], args[1], args[2], Number(args[3]));
else fail("usage: ce_sdk.mjs produce BOOTSTRAP TOPIC TAG PREFIX EXPECT_FILE | parse BOOTSTRAP TOPIC PREFIX COUNT");
