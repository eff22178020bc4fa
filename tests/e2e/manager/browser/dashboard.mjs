// dashboard.mjs -- drives the manager dashboard in headless Chromium with
// playwright-core (tests/e2e/manager_dashboard.sh starts the servers).
//
//   node dashboard.mjs BASE_URL AUTH_CODE NODE_NAME ARTIFACTS_DIR PROFILE_DIR
//
// Checks: the page loads nothing but its own server; without the code it
// asks for it; with the code it draws the running node, its service, both
// consumers and their processes; raising crunch's process count from the
// page makes the map follow to 3 processes; stopping a process from the
// page removes that pid and lists it under the recently finished processes;
// the map is a serviceWeb subscription (EventSource) and nothing is POSTed
// while the page just watches.
// Saves screenshots to ARTIFACTS_DIR. Prints "N passed, M failed".
import { chromium } from "playwright-core";

const [base, code, nodeName, artifacts, profile] = process.argv.slice(2);
let passed = 0, failed = 0;
function check(ok, what) {
  if (ok) { passed++; console.log("ok   " + what); }
  else { failed++; console.log("FAIL " + what); }
}

const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  viewport: { width: 1400, height: 1000 },
});
const origin = new URL(base).origin;
const foreign = [];
const posts = [];   // POST /graphql: queries and mutations (timestamps)
const streams = []; // the subscription's EventSource requests
try {
  const page = context.pages()[0] || await context.newPage();
  page.on("request", r => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) foreign.push(r.url());
    if (r.method() === "POST" && new URL(r.url()).pathname === "/graphql") posts.push(Date.now());
    if (r.resourceType() === "eventsource") streams.push(r.url());
  });
  page.on("dialog", d => d.accept());
  page.setDefaultTimeout(30000);

  const res = await page.goto(base + "/manager");
  check(res && res.status() === 200, "GET /manager answers 200");
  await page.waitForSelector("text=Type the auth code above");
  check(true, "without the code the page asks for it");
  await page.screenshot({ path: artifacts + "/manager-locked.png", fullPage: true });

  await page.fill("#code", code);
  await page.click("#use-code");
  const node = `.node[data-node="${nodeName}"]`;
  const crunch = `${node} .consumer[data-consumer="mmtest_manager.crunch"]`;
  const idle = `${node} .consumer[data-consumer="mmtest_manager.idle"]`;
  await page.waitForSelector(`${crunch} tbody tr[data-pid]`);
  check(await page.locator(node).count() === 1, "the running node is drawn");
  check(await page.locator(`${node} .service[data-service="mmtest_manager"]`).count() === 1, "its service is drawn");
  check(await page.locator(`${crunch} tbody tr[data-pid]`).count() === 1, "crunch shows its 1 process");
  check(await page.locator(`${idle} tbody tr[data-pid]`).count() === 1, "idle shows its 1 process");
  check((await page.locator(`${node} .node-procs`).innerText()).trim() === "2", "the node counts 2 processes");
  await page.screenshot({ path: artifacts + "/manager-map.png", fullPage: true });
  check(streams.some(u => /subscription/.test(decodeURIComponent(u))),
        "the map comes from a serviceWeb subscription (EventSource)");
  // Live without polling: for 5 s nothing is POSTed, while the status keeps
  // being sent (the "updated" time moves with each change the server sees).
  const before = posts.length;
  await page.waitForTimeout(5000);
  check(posts.length === before, `no polling: ${posts.length - before} POST /graphql in 5 s`);

  // Raise the process count from the page; the map follows by itself.
  await page.fill(`${crunch} input[name=processCount]`, "3");
  await page.click(`${crunch} button[data-action=adjustConsumer]`);
  await page.waitForFunction(() => /adjustConsumer sent/.test(document.getElementById("message").textContent));
  check(true, "the page confirms adjustConsumer");
  await page.waitForFunction(sel => document.querySelectorAll(sel).length === 3, `${crunch} tbody tr[data-pid]`);
  check(true, "crunch grows to 3 processes on the map");
  check((await page.locator(`${crunch} .wanted-count`).innerText()).trim() === "3", "the wanted count shows 3");
  await page.screenshot({ path: artifacts + "/manager-adjusted.png", fullPage: true });

  // Stop one process from the page: it leaves, a replacement comes, and it
  // is listed as finished (reason stopped).
  const pid = await page.locator(`${crunch} tbody tr[data-pid]`).first().getAttribute("data-pid");
  await page.click(`${crunch} tr[data-pid="${pid}"] button[data-action=stopConsumerProcess]`);
  await page.waitForFunction(() => /stopConsumerProcess (sent|failed)/.test(document.getElementById("message").textContent));
  const said = await page.locator("#message").innerText();
  check(/stopConsumerProcess sent/.test(said), "the page confirms stopConsumerProcess: " + said);
  await page.waitForSelector(`#finished tr.finished[data-pid="${pid}"]`);
  check(/stopped/.test(await page.locator(`#finished tr.finished[data-pid="${pid}"]`).innerText()),
        `process ${pid} is listed as finished (stopped)`);
  await page.waitForFunction(([sel, p]) => {
    const rows = [...document.querySelectorAll(sel)];
    return rows.length === 3 && !rows.some(r => r.dataset.pid === p);
  }, [`${crunch} tbody tr[data-pid]`, pid]);
  check(true, `process ${pid} left the map and was replaced`);
  await page.screenshot({ path: artifacts + "/manager-process-stopped.png", fullPage: true });

  check(foreign.length === 0, "the page loads nothing from elsewhere" + (foreign.length ? ": " + foreign.join(" ") : ""));
} catch (e) {
  failed++;
  console.log("FAIL " + (e && e.message ? e.message : e));
} finally {
  await context.close();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
