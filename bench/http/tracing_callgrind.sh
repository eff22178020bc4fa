#!/usr/bin/env bash
# tracing_callgrind.sh -- instructions per `{ __typename }` request of `gregor serve`
# with tracing off and on (100% sampling, null OTLP sink): the deterministic
# measure behind docs/benchmarks.md's tracing row. Not a test; never run by
# ctest.
#
#   bench/http/tracing_callgrind.sh [REQUESTS=3000]
#
# Uses the Release tree of bench/http/run.sh (BENCH_BUILD_DIR, default
# build-httpbench; build it first). Starts its own Redis and the sink, runs
# gregor under valgrind --tool=callgrind --separate-threads=yes, sends
# BENCH_CG_WARMUP (1500) warm-up requests (the steady state: the first
# ~1000 spans are malloc'd, later ones recycled), zeroes the counters, sends REQUESTS requests on one
# keep-alive connection, waits for the exporter's next batch (1.5 s), dumps
# and prints instructions per request: total, the I/O thread (the one that
# ran the most), the exporter thread (the one running export_main) and the
# rest (librdkafka's and the runtime's threads: their count varies with
# timing, by +-0.3 k per request between runs).
# BENCH_CG_KEEP=1 keeps the callgrind files (for callgrind_annotate).
# BENCH_CG_CACHE=1 adds callgrind's cache simulation (--cache-sim=yes) and
# prints the whole process's simulated D1 and last-level misses per request
# too (deterministic, unlike the VM's missing hardware counters).
# BENCH_CG_STRACE=1 runs gregor natively instead and counts its system calls
# per request with `strace -c -f` (all threads) over the same REQUESTS: the
# kernel's side of tracing (the exporter's POSTs, its wake-ups).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-3000}
B=${BENCH_BUILD_DIR:-$root/build-httpbench}
[[ -x $B/gregor && -f $B/bench/httpbench_service.so ]] || {
    echo "bench/http/tracing_callgrind.sh: build $B first (bench/http/run.sh does)" >&2
    exit 1
}
command -v valgrind >/dev/null || { echo "tracing_callgrind.sh: valgrind is not installed" >&2; exit 1; }
cd "$root"
source "$root/scripts/lib/fixture.sh" # free_port
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-cg.XXXXXX")
pids="" redis_dir=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    [[ -z $redis_dir && -s $tmp/redis-dir ]] && redis_dir=$(cat "$tmp/redis-dir")
    [[ -n $redis_dir ]] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    if [[ -n ${BENCH_CG_KEEP:-} ]]; then echo "tracing_callgrind.sh: outputs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
MM_FIXTURE_RECORD=$tmp/redis-dir
export MM_FIXTURE_RECORD
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
unset MM_FIXTURE_RECORD
kafka_port=$(free_port)
printf 'http:\n  listen: 127.0.0.1:0\n  threads: 1\n' >"$tmp/serve.yaml"

python3 "$root/bench/otlp_sink.py" >"$tmp/sink.out" &
pids="$pids $!"
for _ in $(seq 50); do grep -q '^port: ' "$tmp/sink.out" && break; sleep 0.1; done
sink=http://127.0.0.1:$(sed -n 's/^port: //p' "$tmp/sink.out")

# measure LABEL [ENV...]: prints "LABEL total io rest" (instructions/request).
measure() {
    local label=$1
    shift
    if [[ -n ${BENCH_CG_STRACE:-} ]]; then
        measure_syscalls "$label" "$@"
        return
    fi
    local out=$tmp/$label
    mkdir -p "$out"
    env "$@" MM_REDIS_URL=$MM_TEST_REDIS_URL MM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port \
        MM_LOG_LEVEL=warn valgrind --tool=callgrind --separate-threads=yes ${BENCH_CG_CACHE:+--cache-sim=yes} \
        --callgrind-out-file="$out/cg.out" "$B/gregor" serve --app "$B/bench/httpbench_service.so" \
        --config "$tmp/serve.yaml" >"$out/stdout" 2>"$out/stderr" &
    local pid=$!
    pids="$pids $pid"
    for _ in $(seq 600); do grep -q '^graphql: ' "$out/stdout" && break; sleep 0.1; done
    local url
    url=$(sed -n 's/^graphql: //p' "$out/stdout" 2>/dev/null || true)
    [[ -n $url ]] || { echo "tracing_callgrind.sh: gregor did not start" >&2; cat "$out/stderr" >&2; exit 1; }
    python3 "$here/tracing_callgrind_client.py" "$url" "${BENCH_CG_WARMUP:-1500}"
    callgrind_control -z "$pid" >/dev/null 2>&1
    python3 "$here/tracing_callgrind_client.py" "$url" "$n"
    sleep 1.5
    callgrind_control -d "$pid" >/dev/null 2>&1
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    # The dump after zeroing: cg.out.1-<thread> (one file per thread).
    python3 - "$label" "$n" "$out"/cg.out.1-* <<'EOF'
import sys
label, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
irs, exporter, events, sums = [], 0, [], {}
for f in files:
    ir, is_exporter = 0, False
    for line in open(f):
        if "export_main" in line:
            is_exporter = True
        if line.startswith("events:"):
            events = line.split()[1:]
        if line.startswith("summary:") or line.startswith("totals:"):
            vals = [int(v) for v in line.split()[1:]]
            ir = vals[0]
            if line.startswith("summary:"):
                for e, v in zip(events, vals):
                    sums[e] = sums.get(e, 0) + v
    if is_exporter:
        exporter = ir
    irs.append(ir)
irs.sort(reverse=True)
tot = sum(irs)
rest = tot - irs[0] - exporter
print(f"{label}: total {tot / n:.0f}  io-thread {irs[0] / n:.0f}  exporter {exporter / n:.0f}  "
      f"other-threads {rest / n:.0f}  instructions/request")
if "D1mr" in sums:
    d1 = sums["D1mr"] + sums["D1mw"]
    ll = sums["DLmr"] + sums["DLmw"]
    print(f"{label}: D1 misses {d1 / n:.1f}  LL misses {ll / n:.2f}  per request (simulated)")
EOF
}

# measure_syscalls LABEL [ENV...]: prints system calls per request, by name.
measure_syscalls() {
    local label=$1
    shift
    local out=$tmp/$label
    mkdir -p "$out"
    command -v strace >/dev/null || { echo "tracing_callgrind.sh: strace is not installed" >&2; exit 1; }
    env "$@" MM_REDIS_URL=$MM_TEST_REDIS_URL MM_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port \
        MM_LOG_LEVEL=warn "$B/gregor" serve --app "$B/bench/httpbench_service.so" \
        --config "$tmp/serve.yaml" >"$out/stdout" 2>"$out/stderr" &
    local pid=$!
    pids="$pids $pid"
    for _ in $(seq 100); do grep -q '^graphql: ' "$out/stdout" && break; sleep 0.1; done
    local url
    url=$(sed -n 's/^graphql: //p' "$out/stdout" 2>/dev/null || true)
    [[ -n $url ]] || { echo "tracing_callgrind.sh: gregor did not start" >&2; cat "$out/stderr" >&2; exit 1; }
    python3 "$here/tracing_callgrind_client.py" "$url" "${BENCH_CG_WARMUP:-1500}"
    strace -c -f -p "$pid" -o "$out/strace" 2>/dev/null &
    local st=$!
    sleep 1 # attached to every thread
    python3 "$here/tracing_callgrind_client.py" "$url" "$n"
    sleep 1.5 # the exporter's next batch
    kill -INT "$st"
    wait "$st" 2>/dev/null || true
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    python3 - "$label" "$n" "$out/strace" <<'EOF'
import sys
label, n, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows, total = [], 0
for line in open(path):
    f = line.split()
    if len(f) >= 5 and f[0][0].isdigit() and f[-1] != "total":
        rows.append((int(f[3]), f[-1]))
    elif f and f[-1] == "total":
        total = int(f[3])
rows.sort(reverse=True)
print(f"{label}: {total / n:.3f} system calls/request: " +
      ", ".join(f"{name} {calls / n:.3f}" for calls, name in rows[:8]))
EOF
}

measure off
measure on MM_TRACING_ENDPOINT="$sink" MM_TRACING_SAMPLE_RATIO=1
