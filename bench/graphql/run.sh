#!/usr/bin/env bash
# run.sh -- our GraphQL engine against graphql-js 16, same work, same run.
#
#   bench/graphql/run.sh [BUILD_DIR] [SECONDS]
#
# BUILD_DIR (default ./build; a RelWithDebInfo or Release build) is
# configured with -DMM_BENCH=ON and bench_graphql_engine built in it.
# graphql-js is installed from tests/difftest's pinned lock file into
# BUILD_DIR/difftest-node if needed. Both sides first print their responses,
# which must be equal (the same work is measured); then each (document, phase)
# is warmed up and timed for SECONDS (default 2) pinned to one core
# (BENCH_CPU, default 1) with taskset, C then JS back to back, BENCH_ROUNDS
# times (default 2), keeping the best rate of each. graphql-js runs with
# NODE_ENV=production. Prints ops/s and the ratio C/JS per document and phase.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$(cd "$here/../.." && pwd)"
build="${1:-$src/build}"
seconds="${2:-2}"
# bench/ is built only with MM_BENCH=ON (off by default): turn it on here.
cmake -S "$src" -B "$build" -DMM_BENCH=ON >/dev/null
cmake --build "$build" --target bench_graphql_engine >/dev/null
build="$(cd "$build" && pwd)"
cpu="${BENCH_CPU:-1}"
engine="$build/bench/bench_graphql_engine"
[[ -x $engine ]] || { echo "bench: $engine not built (cmake --build $build --target bench_graphql_engine)" >&2; exit 1; }
command -v node >/dev/null || { echo "bench: node is not installed" >&2; exit 1; }

nodedir="${MM_DIFFTEST_NODE_DIR:-$build/difftest-node}"
# One install at a time (ctest and the benchmark may share the directory).
mkdir -p "$nodedir"
exec 9>"$nodedir.lock"
flock 9
if [[ ! -f $nodedir/node_modules/graphql/package.json ]] ||
   ! cmp -s "$src/tests/difftest/package-lock.json" "$nodedir/package-lock.json"; then
  mkdir -p "$nodedir"
  cp "$src/tests/difftest/package.json" "$src/tests/difftest/package-lock.json" "$nodedir/"
  (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi
exec 9>&-

pin=()
if command -v taskset >/dev/null; then pin=(taskset -c "$cpu"); fi

# Same work: the response texts must be byte-identical (ours as the engine
# wrote it, graphql-js's as JSON.stringify wrote it).
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$engine" "$here" --dump >"$tmp/c.txt"
node "$here/bench_graphqljs.mjs" "$nodedir" "$here" --dump >"$tmp/js.txt"
node -e '
const fs = require("fs");
const load = (f) => Object.fromEntries(fs.readFileSync(f, "utf8").trim().split("\n").map((l) => { const i = l.indexOf(" "); return [l.slice(0, i), l.slice(i + 1)]; }));
const c = load(process.argv[1]), js = load(process.argv[2]);
let bad = 0;
for (const k of Object.keys(js)) if (c[k] !== js[k]) { console.error(`bench: responses differ for ${k}`); bad = 1; }
process.exit(bad);' "$tmp/c.txt" "$tmp/js.txt"

# The machine may be shared: each (document, phase) is timed for C and then
# at once for JS, so both see about the same load, BENCH_ROUNDS times
# (default 2); each side keeps its best rate.
rounds="${BENCH_ROUNDS:-2}"
echo "running: ${pin[*]:-unpinned}, $seconds s per document and phase, best of $rounds rounds; load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((r = 0; r < rounds; r++)); do
  for doc in introspection nested mutation; do
    for phase in parse validate execute total facade; do
      "${pin[@]}" "$engine" "$here" "$seconds" "$doc" "$phase" >>"$tmp/c.res"
      # graphql-js as deployed: NODE_ENV=production skips its development-only checks.
      NODE_ENV=production "${pin[@]}" node "$here/bench_graphqljs.mjs" "$nodedir" "$here" "$seconds" "$doc" "$phase" >>"$tmp/js.res"
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

node -e '
const fs = require("fs");
const load = (f) => { const m = new Map(); for (const l of fs.readFileSync(f, "utf8").split("\n")) { const p = l.split(" "); if (p[0] === "RESULT") m.set(`${p[1]} ${p[2]}`, Math.max(m.get(`${p[1]} ${p[2]}`) ?? 0, Number(p[3]))); } return m; };
const c = load(process.argv[1]), js = load(process.argv[2]);
const pad = (s, n) => String(s).padEnd(n), lpad = (s, n) => String(s).padStart(n);
console.log(`${pad("document", 15)}${pad("phase", 10)}${lpad("C ops/s", 14)}${lpad("graphql-js ops/s", 18)}${lpad("C/JS", 9)}`);
let worst = Infinity;
for (const [k, v] of c) {
  const [doc, phase] = k.split(" ");
  const r = v / js.get(k);
  if (phase === "total" || phase === "facade") worst = Math.min(worst, r);
  console.log(`${pad(doc, 15)}${pad(phase, 10)}${lpad(v.toFixed(0), 14)}${lpad(js.get(k).toFixed(0), 18)}${lpad(r.toFixed(2) + "x", 9)}`);
}
console.log(`lowest whole-request (total, facade) ratio: ${worst.toFixed(2)}x (goal: >= 5x on every document)`);' "$tmp/c.res" "$tmp/js.res"
