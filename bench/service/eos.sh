#!/usr/bin/env bash
# eos.sh -- exactly-once mode against at-least-once in the same run
# (docs/exactly-once.md): synchronous createForm over HTTP at 64 clients
# (requests/s, p50, p99) with the create_form worker in at-least-once mode,
# then in exactly-once mode (the node key forms.create_form.exactly_once),
# alternating ROUNDS times (the worker restarted between points), and the
# ratio of the medians. Goal: exactly-once >= 70% of at-least-once
# throughput. Builds a Release tree in build-bench/ (no sanitizers), starts
# its own Kafka and Redis on free ports, and stops everything.
#
#   bench/service/eos.sh [SECONDS_PER_POINT=10] [ROUNDS=2] [CLIENTS=64]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-10} rounds=${2:-2} clients=${3:-64}
cd "$root"
scripts/setup.sh >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build build-bench >/dev/null
B=$root/build-bench
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-bench-eos.XXXXXX")

pids=() worker=""
redis_dir="" kafka_dir=""
cleanup() {
    [ -n "$worker" ] && kill -TERM "$worker" 2>/dev/null || true
    for p in "${pids[@]}" $worker; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}" $worker; do wait "$p" 2>/dev/null || true; done
    [ -n "$kafka_dir" ] && scripts/kafka-fixture.sh stop "$kafka_dir" >/dev/null 2>&1 || true
    [ -n "$redis_dir" ] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
eval "$(scripts/kafka-fixture.sh start)"
kafka_dir=$MM_KAFKA_FIXTURE_DIR
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=warn
printf 'forms:\n  create_form: {exactly_once: false}\n' >"$work/alo.yaml"
printf 'forms:\n  create_form: {exactly_once: true}\n' >"$work/eos.yaml"

"$B/gregor" serve --app "$B/examples/forms.so" >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^graphql: ' "$work/serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^graphql: //p' "$work/serve.out" 2>/dev/null || true)

sync='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
# start_worker MODE: the create_form worker in mode alo|eos, warmed up.
start_worker() {
    if [ -n "$worker" ]; then
        kill -TERM "$worker" 2>/dev/null || true
        wait "$worker" 2>/dev/null || true
    fi
    MM_LOG_LEVEL=info "$B/gregor" worker --app "$B/examples/forms.so" --consumer create_form \
        --config "$work/$1.yaml" 2>>"$work/worker-$1.err" &
    worker=$!
    for _ in $(seq 100); do
        curl -s --max-time 15 "$url" -H 'content-type: application/json' -d "$sync" \
            | grep -q '"form"' && return 0
        sleep 0.2
    done
    echo "eos.sh: the $1 worker never answered" >&2
    cat "$work/worker-$1.err" >&2
    exit 1
}

echo "| mode | round | clients | requests/s | p50 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
results=()
for ((r = 1; r <= rounds; r++)); do
    for mode in alo eos; do
        start_worker "$mode"
        out=$("$B/bench/loadgen" "$url" "$sync" "$clients" "$secs")
        results+=("$mode $out")
        python3 -c 'import json,sys; r=json.loads(sys.argv[3]); print("| %s | %s | %d | %.0f | %.2f | %.2f | %d |" % (sys.argv[1], sys.argv[2], r["concurrency"], r["rps"], r["p50_ms"], r["p99_ms"], r["errors"]))' \
            "$([ "$mode" = eos ] && echo exactly-once || echo at-least-once)" "$r" "$out"
    done
done
echo
printf '%s\n' "${results[@]}" | python3 -c '
import json, statistics, sys
rows = {"alo": [], "eos": []}
for line in sys.stdin:
    mode, _, doc = line.partition(" ")
    rows[mode].append(json.loads(doc))
med = lambda m, k: statistics.median(r[k] for r in rows[m])
ratio = med("eos", "rps") / med("alo", "rps")
print("exactly-once / at-least-once: throughput %.2f (goal >= 0.70), p50 %.2f ms vs %.2f ms"
      % (ratio, med("eos", "p50_ms"), med("alo", "p50_ms")))'
kill -TERM "$worker" 2>/dev/null || true
wait "$worker" 2>/dev/null || true
worker=""
echo "last exactly-once worker: $(grep -ho 'msg="transactions".*' "$work/worker-eos.err" | tail -n 1)"

