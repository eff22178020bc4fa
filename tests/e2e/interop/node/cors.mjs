// cors.mjs -- a real browser page on another origin calls `gregor serve`
// (tests/e2e/interop_cors.sh): headless Chromium driven by playwright-core.
//
//   node cors.mjs GRAPHQL_URL ALLOWED_PORT OTHER_PORT SCREENSHOT
// Serves one small page on http://127.0.0.1:ALLOWED_PORT (listed in the
// server's http.cors_origins) and on http://127.0.0.1:OTHER_PORT (not
// listed). Each page POSTs a GraphQL query with Content-Type
// application/json (so the browser sends a preflight first). Expected: the
// allowed page gets the data, the other one is blocked by the browser.
import { createServer } from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const [graphql, allowedPort, otherPort, screenshot] = process.argv.slice(2);
const page_html = `<!doctype html><html><head><meta charset="utf-8"><title>cors</title></head>
<body><pre id="out">waiting</pre><script>
fetch(${JSON.stringify(graphql)}, {method: "POST", headers: {"Content-Type": "application/json"},
  body: JSON.stringify({query: "{ recorded }"})})
  .then((r) => r.json())
  .then((j) => { document.getElementById("out").textContent = "data " + JSON.stringify(j.data); })
  .catch((e) => { document.getElementById("out").textContent = "blocked " + e.name; });
</script></body></html>`;

function fail(msg) {
  console.error(`cors.mjs: FAIL: ${msg}`);
  process.exit(1);
}

const servers = [];
for (const port of [allowedPort, otherPort]) {
  const s = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(page_html);
  });
  await new Promise((resolve, reject) => s.listen(Number(port), "127.0.0.1", resolve).on("error", reject));
  servers.push(s);
}
const profile = mkdtempSync(join(tmpdir(), "mm-cors-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-dev-shm-usage"],
  timeout: 60000,
});
const results = {};
try {
  for (const [name, port] of [["allowed", allowedPort], ["other", otherPort]]) {
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${port}/`, { timeout: 30000 });
    await page.waitForFunction(() => document.getElementById("out").textContent !== "waiting", null,
                               { timeout: 30000 });
    results[name] = await page.textContent("#out");
    if (name === "allowed") await page.screenshot({ path: screenshot });
    await page.close();
  }
} finally {
  await context.close();
  for (const s of servers) s.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(`cors.mjs: allowed origin: ${results.allowed}; other origin: ${results.other}`);
if (!/^data \{"recorded":\d+\}$/.test(results.allowed)) fail(`the allowed origin did not get the data: ${results.allowed}`);
if (!/^blocked /.test(results.other)) fail(`the browser let another origin read the answer: ${results.other}`);
console.log("cors.mjs: ok");
