#!/usr/bin/env bash
# callgrind.sh -- deterministic instructions per request of `gregor serve`
# (bench_service.c, the three bench/http queries) under valgrind's callgrind:
# the machine is shared, so wall-clock numbers are noise, instruction counts
# are not. Not a test; never run by ctest.
#
#   bench/http/callgrind.sh [REQUESTS=400]
#
# Builds a Release tree with -g (CG_BUILD_DIR, default build-cg), starts a
# Redis of its own (gregor serve needs one; queries never touch it), starts
# gregor under callgrind with instrumentation off, answers each query 20 times
# to warm the caches, then for each query: instrumentation on, REQUESTS
# keep-alive requests on one connection, instrumentation off, dump. Prints
# "query instructions/request" lines on stdout; the dumps stay in
# CG_OUT (default a temp dir, printed) for callgrind_annotate.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-400}
B=${CG_BUILD_DIR:-$root/build-cg}
cd "$root"
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 1; }
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_FLAGS=-g -DMM_TESTS=OFF \
    -DMM_BENCH=ON >/dev/null
cmake --build "$B" --target gregor httpbench_service >/dev/null
B=$(cd "$B" && pwd)
out=${CG_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/mm-callgrind.XXXXXX")}
mkdir -p "$out"

source "$root/scripts/lib/fixture.sh" # free_port
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-cg.XXXXXX")
pid="" redis_dir=""
cleanup() {
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    [[ -z $redis_dir && -s $tmp/redis-dir ]] && redis_dir=$(cat "$tmp/redis-dir")
    [[ -n $redis_dir ]] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
MM_FIXTURE_RECORD=$tmp/redis-dir
export MM_FIXTURE_RECORD
eval "$(scripts/redis-fixture.sh start 2>/dev/null)"
redis_dir=$MM_REDIS_FIXTURE_DIR
unset MM_FIXTURE_RECORD
printf 'http:\n  listen: 127.0.0.1:0\n  threads: 1\n' >"$tmp/serve.yaml"
MM_REDIS_URL=$MM_TEST_REDIS_URL MM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$(free_port) MM_LOG_LEVEL=warn \
    valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out/callgrind.out.%p" \
    "$B/gregor" serve --app "$B/bench/httpbench_service.so" --config "$tmp/serve.yaml" \
    >"$tmp/c.out" 2>"$tmp/c.err" &
pid=$!
for _ in $(seq 600); do
    grep -q '^graphql: ' "$tmp/c.out" && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/c.err" >&2; exit 1; }
    sleep 0.1
done
url=$(sed -n 's/^graphql: //p' "$tmp/c.out" 2>/dev/null || true)
[[ -n $url ]] || { echo "callgrind.sh: gregor did not start" >&2; cat "$tmp/c.err" >&2; exit 1; }
python3 - "$here" "$url" "$n" "$pid" "$out" <<'EOF'
import http.client, json, os, subprocess, sys, urllib.parse, glob
here, url, n, pid, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
u = urllib.parse.urlsplit(url)
intro = open(os.path.join(here, "..", "graphql", "introspection.graphql")).read()
bodies = {
    "typename": "{ __typename }",
    "nested": "{ users { id name email posts { id title body likes comments { id text author } } } }",
    "introspection": intro,
}
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
def ask(body):
    conn.request("POST", u.path, body, {"content-type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    assert r.status == 200 and b'"errors"' not in data, (r.status, data[:200])
def total(path):
    for line in open(path):
        if line.startswith("totals:"):
            return int(line.split()[1])
    return 0
for name, q in bodies.items():
    body = json.dumps({"query": q})
    for _ in range(20):
        ask(body)
    subprocess.run(["callgrind_control", "-i", "on", pid], check=True, capture_output=True)
    for _ in range(n):
        ask(body)
    subprocess.run(["callgrind_control", "-i", "off", pid], check=True, capture_output=True)
    before = set(glob.glob(os.path.join(out, "callgrind.out.*")))
    subprocess.run(["callgrind_control", "-d", name, pid], check=True, capture_output=True)
    after = set(glob.glob(os.path.join(out, "callgrind.out.*"))) - before
    path = max(after, key=os.path.getmtime)
    os.rename(path, os.path.join(out, "cg." + name))
    subprocess.run(["callgrind_control", "-z", pid], check=True, capture_output=True)
    print("%s %d" % (name, total(os.path.join(out, "cg." + name)) // n), flush=True)
EOF
echo "callgrind.sh: dumps in $out (callgrind_annotate $out/cg.QUERY)" >&2
