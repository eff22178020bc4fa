#!/usr/bin/env bash
# run.sh -- the HTTP-level benchmark: `gregor serve` with bench_service.c
# against graphql-js 16 behind graphql-http on node (server.mjs), same schema,
# same data, same load generator (bench/service/loadgen.c, closed loop,
# keep-alive HTTP/1.1). Not a test; never run by ctest.
#
#   bench/http/run.sh [SECONDS_PER_POINT=5]
#   BENCH_MODE=tracing bench/http/run.sh [SECONDS]
#
# BENCH_MODE=tracing compares gregor with tracing off (the "C" columns)
# against the same gregor with tracing on at 100% sampling (the "other"
# columns: one HTTP server span per request, exported as OTLP protobuf to a null
# collector, bench/otlp_sink.py) instead of node; goal: req/s on/off >= 0.90.
#
# Builds a Release tree (BENCH_BUILD_DIR, default build-httpbench; no
# sanitizers), installs graphql and graphql-http from bench/http's lock file
# into BUILD/http-node, starts a Redis of its own (gregor serve will not start
# without one; queries never touch it) and points Kafka at a closed loopback
# port (queries never publish). Each server is pinned to one core
# (BENCH_SERVER_CPU, default 0) and the load generator to another
# (BENCH_LOAD_CPU, default 1), so requests/s is per server core. gregor runs
# BENCH_HTTP_THREADS HTTP threads (default 1: one core, and node has one
# JavaScript thread). BENCH_QUERIES (default "typename nested introspection")
# and BENCH_CONCURRENCY (default "1 16 64") choose the points. Both servers first answer each query once and the
# answers must be equal; then each server is warmed up, and every (query,
# concurrency) point is measured for SECONDS after loadgen's own 1 s
# warm-up, C and node alternating, BENCH_ROUNDS times (default 2; each side
# keeps its best round), recording requests/s, latency and the server
# process's CPU time per request (from /proc: on a shared machine the CPU
# time is the steadier measure of per-core capacity). Prints a markdown
# table on stdout (progress on stderr) and stops everything it started.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-5}
server_cpu=${BENCH_SERVER_CPU:-0}
load_cpu=${BENCH_LOAD_CPU:-1}
threads=${BENCH_HTTP_THREADS:-1}
B=${BENCH_BUILD_DIR:-$root/build-httpbench}
cd "$root"
mode=${BENCH_MODE:-node}
olabel=node
[[ $mode == tracing ]] && olabel=traced
[[ $mode == tracing ]] || command -v node >/dev/null || { echo "bench/http: node is not installed" >&2; exit 1; }
command -v taskset >/dev/null || { echo "bench/http: taskset is not installed (util-linux)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "bench/http: python3 is not installed" >&2; exit 1; }

echo "bench/http: building $B" >&2
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build "$B" --target gregor httpbench_service loadgen >/dev/null
B=$(cd "$B" && pwd)
module=$B/bench/httpbench_service.so

nodedir=$B/http-node
if [[ $mode != tracing ]] && { [[ ! -f $nodedir/node_modules/graphql-http/package.json ]] ||
   ! cmp -s "$here/package-lock.json" "$nodedir/package-lock.json"; }; then
    echo "bench/http: installing graphql-js and graphql-http into $nodedir" >&2
    mkdir -p "$nodedir"
    cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

source "$root/scripts/lib/fixture.sh" # free_port
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-httpbench.XXXXXX")
c_pid="" node_pid="" sink_pid="" redis_dir=""
cleanup() {
    for p in $c_pid $node_pid $sink_pid; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $c_pid $node_pid $sink_pid; do wait "$p" 2>/dev/null || true; done
    # Interrupted while Redis was starting: the fixture recorded its directory.
    [[ -z $redis_dir && -s $tmp/redis-dir ]] && redis_dir=$(cat "$tmp/redis-dir")
    [[ -n $redis_dir ]] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

MM_FIXTURE_RECORD=$tmp/redis-dir
export MM_FIXTURE_RECORD
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
unset MM_FIXTURE_RECORD

# gregor: Redis of our own, Kafka on a port nobody listens on, warn-level log
# (no access log lines on the hot path), the thread count via a config file.
kafka_port=$(free_port)
cat >"$tmp/serve.yaml" <<EOF
http:
  listen: 127.0.0.1:0
  threads: $threads
EOF
$B/gregor schema --app "$module" >"$tmp/schema.graphql"
MM_REDIS_URL=$MM_TEST_REDIS_URL MM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port MM_LOG_LEVEL=warn \
    taskset -c "$server_cpu" "$B/gregor" serve --app "$module" --config "$tmp/serve.yaml" \
    >"$tmp/c.out" 2>"$tmp/c.err" &
c_pid=$!
if [[ $mode == tracing ]]; then
    taskset -c "$load_cpu" python3 "$root/bench/otlp_sink.py" >"$tmp/sink.out" &
    sink_pid=$!
    for _ in $(seq 50); do grep -q '^port: ' "$tmp/sink.out" && break; sleep 0.1; done
    MM_TRACING_ENDPOINT=http://127.0.0.1:$(sed -n 's/^port: //p' "$tmp/sink.out") MM_TRACING_SAMPLE_RATIO=1 \
    MM_REDIS_URL=$MM_TEST_REDIS_URL MM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port MM_LOG_LEVEL=warn \
        taskset -c "$server_cpu" "$B/gregor" serve --app "$module" --config "$tmp/serve.yaml" \
        >"$tmp/node.out" 2>"$tmp/node.err" &
else
    NODE_ENV=production taskset -c "$server_cpu" node "$here/server.mjs" "$nodedir" "$tmp/schema.graphql" \
        >"$tmp/node.out" 2>"$tmp/node.err" &
fi
node_pid=$!
for _ in $(seq 100); do
    grep -q '^graphql: ' "$tmp/c.out" && grep -q '^graphql: ' "$tmp/node.out" && break
    kill -0 "$c_pid" 2>/dev/null || { echo "bench/http: gregor serve exited:" >&2; cat "$tmp/c.err" >&2; exit 1; }
    kill -0 "$node_pid" 2>/dev/null || { echo "bench/http: server.mjs exited:" >&2; cat "$tmp/node.err" >&2; exit 1; }
    sleep 0.1
done
c_url=$(sed -n 's/^graphql: //p' "$tmp/c.out" 2>/dev/null || true)
node_url=$(sed -n 's/^graphql: //p' "$tmp/node.out" 2>/dev/null || true)
[[ -n $c_url && -n $node_url ]] || { echo "bench/http: a server did not start" >&2; cat "$tmp/c.err" "$tmp/node.err" >&2; exit 1; }

# The three request bodies.
python3 - "$here" "$tmp" <<'EOF'
import json, sys, os
here, tmp = sys.argv[1], sys.argv[2]
intro = open(os.path.join(here, "..", "graphql", "introspection.graphql")).read()
bodies = {
    "typename": "{ __typename }",
    "nested": "{ users { id name email posts { id title body likes comments { id text author } } } }",
    "introspection": intro,
}
for name, q in bodies.items():
    open(os.path.join(tmp, name + ".json"), "w").write(json.dumps({"query": q}))
EOF
# BENCH_QUERIES / BENCH_CONCURRENCY pick a subset (e.g. while profiling).
read -r -a queries <<<"${BENCH_QUERIES:-typename nested introspection}"
read -r -a concurrencies <<<"${BENCH_CONCURRENCY:-1 16 64}"
declare -A label=([typename]='`{ __typename }`' [nested]='nested list (124 objects)' [introspection]='full introspection')

# Same work: both servers must give the same answer to each query.
for q in "${queries[@]}"; do
    curl -sf "$c_url" -H 'content-type: application/json' --data-binary "@$tmp/$q.json" >"$tmp/$q.c.res"
    curl -sf "$node_url" -H 'content-type: application/json' --data-binary "@$tmp/$q.json" >"$tmp/$q.node.res"
    python3 - "$q" "$tmp/$q.c.res" "$tmp/$q.node.res" <<'EOF'
import json, sys
q, a, b = sys.argv[1], json.load(open(sys.argv[2])), json.load(open(sys.argv[3]))
if a != b or "errors" in a:
    sys.exit("bench/http: the answers to %s differ (or carry errors)" % q)
print("bench/http: %s: equal answers, %d bytes" % (q, len(open(sys.argv[2]).read())), file=sys.stderr)
EOF
done

load() { # URL QUERY CONCURRENCY SECONDS -> loadgen's JSON line
    taskset -c "$load_cpu" "$B/bench/loadgen" "$1" "$(cat "$tmp/$2.json")" "$3" "$4"
}
ticks() { # PID -> user+system CPU time of the process so far, in clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}
sys_ticks() { # PID -> system CPU time of the process so far, in clock ticks
    awk '{ print $15 }' "/proc/$1/stat"
}
# measure URL PID QUERY CONCURRENCY -> loadgen's JSON line plus "cpu_us" (and
# "sys_us", the kernel's part of it, in the per-round lines on stderr): the
# server's CPU time per request over loadgen's measured window (after its
# 1 s warm-up). On a shared machine requests/s depends on what else runs;
# CPU time per request much less, and its ratio is the per-core capacity ratio.
measure() {
    load "$1" "$3" "$4" "$secs" >"$tmp/load.json" &
    local lpid=$! t0 t1 s0 s1
    sleep 1
    t0=$(ticks "$2")
    s0=$(sys_ticks "$2")
    wait "$lpid"
    if ! kill -0 "$2" 2>/dev/null; then
        echo "bench/http: the server at $1 died:" >&2
        tail -n 5 "$tmp/c.err" "$tmp/node.err" >&2
        return 1
    fi
    t1=$(ticks "$2")
    s1=$(sys_ticks "$2")
    # (sys_us: the kernel's share of cpu_us, e.g. the exporter's sockets)
    python3 -c 'import json, os, sys
r = json.load(open(sys.argv[1]))
hz = os.sysconf("SC_CLK_TCK")
r["cpu_us"] = (int(sys.argv[3]) - int(sys.argv[2])) / hz * 1e6 / max(r["requests"], 1)
r["sys_us"] = (int(sys.argv[5]) - int(sys.argv[4])) / hz * 1e6 / max(r["requests"], 1)
print(json.dumps(r))' "$tmp/load.json" "$t0" "$t1" "$s0" "$s1"
}
echo "bench/http: warming up both servers (server on cpu $server_cpu, load on cpu $load_cpu, gregor http threads $threads; load before: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
for q in "${queries[@]}"; do
    load "$c_url" "$q" 16 1 >/dev/null
    load "$node_url" "$q" 16 2 >/dev/null
done
# The machine may be shared: each point is measured BENCH_ROUNDS times (C and
# node alternating); each side keeps its round with the most requests/s, and
# its smallest CPU time per request.
rounds=${BENCH_ROUNDS:-2}
echo "| query | concurrency | C req/s | C p50 ms | C p99 ms | C CPU µs/req | $olabel req/s | $olabel p50 ms | $olabel p99 ms | $olabel CPU µs/req | req/s C/$olabel | CPU/req $olabel/C | errors C/$olabel |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
for q in "${queries[@]}"; do
    for conc in "${concurrencies[@]}"; do
        : >"$tmp/c.runs"
        : >"$tmp/node.runs"
        for ((r = 0; r < rounds; r++)); do
            measure "$c_url" "$c_pid" "$q" "$conc" >>"$tmp/c.runs" || exit 1
            measure "$node_url" "$node_pid" "$q" "$conc" >>"$tmp/node.runs" || exit 1
        done
        echo "bench/http: $q c=$conc C $(tr '\n' ' ' <"$tmp/c.runs") $olabel $(tr '\n' ' ' <"$tmp/node.runs")" >&2
        python3 - "${label[$q]}" "$tmp/c.runs" "$tmp/node.runs" <<'EOF'
import json, sys
def best(path):
    runs = [json.loads(l) for l in open(path) if l.strip()]
    r = dict(max(runs, key=lambda x: x["rps"]))
    r["cpu_us"] = min(x["cpu_us"] for x in runs)
    r["errors"] = sum(x["errors"] for x in runs)
    return r
name, c, n = sys.argv[1], best(sys.argv[2]), best(sys.argv[3])
ratio = c["rps"] / n["rps"] if n["rps"] else float("inf")
cpu = n["cpu_us"] / c["cpu_us"] if c["cpu_us"] else float("inf")
print("| %s | %d | %.0f | %.2f | %.2f | %.0f | %.0f | %.2f | %.2f | %.0f | %.1fx | %.1fx | %d/%d |" % (
    name, c["concurrency"], c["rps"], c["p50_ms"], c["p99_ms"], c["cpu_us"], n["rps"], n["p50_ms"],
    n["p99_ms"], n["cpu_us"], ratio, cpu, c["errors"], n["errors"]))
EOF
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared with other work: ratios matter, absolute numbers are noise)" >&2
