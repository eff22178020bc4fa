// apq.mjs -- Apollo Client 4's real PersistedQueryLink against a real
// `gregor serve` (tests/e2e/interop_apq.sh), every HTTP exchange recorded
// through the link's fetch.
//
//   node apq.mjs apq URL       miss -> register -> hit, over POST and GET
//   node apq.mjs trusted URL   trusted-documents mode: the listed document
//                              runs by hash, an unknown one is refused
// Exits 1 with the exchanges on any deviation.
import { createHash } from "node:crypto";
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { PersistedQueryLink } from "@apollo/client/link/persisted-queries";
import { RECORDED, RECORDED_TWICE } from "./client/operations.js";

const [mode, url] = process.argv.slice(2);
const sha256 = (text) => createHash("sha256").update(text).digest("hex");
let exchanges = [];

async function recordingFetch(input, init = {}) {
  const u = new URL(typeof input === "string" ? input : input.url);
  const method = init.method ?? "GET";
  let sent = {};
  if (method === "POST") sent = JSON.parse(init.body);
  else for (const k of ["query", "extensions"]) if (u.searchParams.has(k)) sent[k] = u.searchParams.get(k);
  const res = await fetch(input, { ...init, signal: AbortSignal.timeout(20000) });
  const text = await res.clone().text();
  let errors = [];
  try { errors = (JSON.parse(text).errors ?? []).map((e) => e.extensions?.code ?? e.message); } catch {}
  exchanges.push({ method, query: "query" in sent && !!sent.query, hash: String(sent.extensions ?? "").includes("sha256Hash") || !!sent.extensions?.persistedQuery, status: res.status, errors });
  return res;
}

function client(useGET) {
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: useGET })
    .concat(new HttpLink({ uri: url, fetch: recordingFetch }));
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

function fail(msg) {
  console.error(`apq.mjs: FAIL: ${msg}\nexchanges: ${JSON.stringify(exchanges, null, 1)}`);
  process.exit(1);
}

function expect(what, want) {
  const got = exchanges.map((e) => `${e.method}${e.query ? "+query" : ""}${e.hash ? "+hash" : ""}:${e.errors.join(",") || "ok"}`);
  if (JSON.stringify(got) !== JSON.stringify(want)) fail(`${what}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  console.log(`apq.mjs: ${what}: ${got.join(" -> ")}`);
  exchanges = [];
}

async function run(c, query) {
  const r = await c.query({ query, fetchPolicy: "network-only" });
  if (r.error) throw r.error;
  return r.data;
}

if (mode === "apq") {
  for (const [useGET, m, doc] of [[false, "POST", RECORDED], [true, "GET", RECORDED_TWICE]]) {
    const data = await run(client(useGET), doc);
    if (typeof Object.values(data)[0] !== "number") fail(`unexpected data ${JSON.stringify(data)}`);
    // Miss (the client sends the hash alone), then hash + query registers it.
    expect(`${m} miss then register`, [`${m}+hash:PERSISTED_QUERY_NOT_FOUND`, "POST+query+hash:ok"]);
    // A new client (say another browser) sends the hash alone: a hit.
    await run(client(useGET), doc);
    expect(`${m} hit from a fresh client`, [`${m}+hash:ok`]);
  }
} else if (mode === "trusted") {
  const data = await run(client(true), RECORDED);
  if (typeof data.recorded !== "number") fail(`unexpected data ${JSON.stringify(data)}`);
  expect("listed document by hash", ["GET+hash:ok"]);
  const unknown = gql`query NotListed { recorded __typename }`;
  try {
    await run(client(false), unknown);
    fail("an unknown document ran in trusted-documents mode");
  } catch (e) {
    if (!String(e.message).includes("not a trusted document") && !String(e.message).includes("PersistedQueryNotInList")) throw e;
  }
  expect("unknown document refused", ["POST+hash:PERSISTED_QUERY_NOT_IN_LIST"]);
} else {
  fail("usage: apq.mjs apq|trusted URL");
}
console.log("apq.mjs: ok");
