#!/usr/bin/env bash
# run.sh -- the service layer's benchmark against the real Kafka broker and
# Redis (never the development broker): synchronous createForm over HTTP at
# several concurrencies (p50/p99, throughput), asynchronous createForm and a
# plain query for reference, the worker's RSS after that load, one worker's
# events/s against a bare librdkafka loop (no-op handler), and one
# create_form worker draining a 20,000-event backlog (events/s, CPU/event,
# peak RSS) beside a bare librdkafka consumer process over the same backlog. Builds a Release tree in build-bench/ (no sanitizers),
# starts its own Kafka and Redis on free ports, and stops everything.
#
#   bench/service/run.sh [SECONDS_PER_POINT=5]
#   BENCH_MODE=tracing bench/service/run.sh [SECONDS]   tracing on vs off (tracing.sh)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-5}
cd "$root"
scripts/setup.sh >/dev/null
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build build-bench >/dev/null
B=$root/build-bench

pids=()
redis_dir="" kafka_dir=""
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$kafka_dir" ] && scripts/kafka-fixture.sh stop "$kafka_dir" >/dev/null 2>&1 || true
    [ -n "$redis_dir" ] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
eval "$(scripts/kafka-fixture.sh start)"
kafka_dir=$MM_KAFKA_FIXTURE_DIR
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=warn
# BENCH_MODE=tracing: tracing off against on at 100% sampling instead (bench/service/tracing.sh).
if [[ ${BENCH_MODE:-} == tracing ]]; then
    source "$root/bench/service/tracing.sh"
    exit 0
fi

"$B/gregor" worker --app "$B/examples/forms.so" --consumer create_form &
pids+=($!)
"$B/gregor" serve --app "$B/examples/forms.so" >"$B/bench-serve.out" 2>"$B/bench-serve.err" &
pids+=($!)
for _ in $(seq 100); do grep -q '^graphql: ' "$B/bench-serve.out" && break; sleep 0.1; done
url=$(sed -n 's/^graphql: //p' "$B/bench-serve.out")
# Warm the path (topic creation, group join) before measuring.
for _ in $(seq 50); do
    curl -s "$url" -H 'content-type: application/json' \
        -d '{"query":"mutation { createFormSync(name: \"warm\", template: \"t\") { data { id } } }"}' \
        | grep -q '"form\|"id"' && break
    sleep 0.2
done

sync='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
async='{"query":"mutation { createFormAsync(name: \"bench\", template: \"t\") { data { id } } }"}'
plain='{"query":"{ __typename }"}'

echo "| request | concurrency | requests/s | p50 ms | p90 ms | p99 ms | errors |"
echo "|---|---|---|---|---|---|---|"
row() { # NAME BODY CONC
    local out
    out=$("$B/bench/loadgen" "$url" "$2" "$3" "$secs")
    python3 -c 'import json,sys; r=json.loads(sys.argv[2]); print("| %s | %d | %.0f | %.2f | %.2f | %.2f | %d |" % (sys.argv[1], r["concurrency"], r["rps"], r["p50_ms"], r["p90_ms"], r["p99_ms"], r["errors"]))' "$1" "$out"
}
for c in 1 4 16 64; do row "sync createForm" "$sync" "$c"; done
row "async createFormAsync" "$async" 16
row "{ __typename }" "$plain" 16
echo
worker_pid=${pids[0]}
echo "create_form worker after the load above (steady): $(grep -E '^(VmRSS|VmHWM)' /proc/$worker_pid/status | tr -s ' \t' ' ' | tr '\n' ' ')"
echo
echo "Consumer overhead (one worker, no-op handler, same run; goal framework_over_bare_json >= 0.75):"
"$B/bench/bench_consumer_overhead" "$MM_TEST_KAFKA_BOOTSTRAP" "$MM_TEST_REDIS_URL" 20000
echo
echo "One create_form worker draining a 20,000-event backlog (goal drain_eps >= 28000, rss_peak_kib <= 16384):"
"$B/bench/bench_drain" "$MM_TEST_KAFKA_BOOTSTRAP" "$MM_TEST_REDIS_URL" "$B/examples/forms.so" 20000
