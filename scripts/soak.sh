#!/usr/bin/env bash
# soak.sh -- sustained mixed load against the real Kafka broker and Redis, to
# find leaks and slow failures: `gregor serve` and a `gregor worker` of the
# fault-test service (tests/e2e/faults/mod_faults.c) under a closed loop of
# `{ ticksHandled }` queries, synchronous and asynchronous tick mutations (a
# third each) for MINUTES. Every 10 s it samples the RSS (VmRSS) and open fd
# count (/proc/PID/fd) of every process (gregor serve, gregor worker,
# redis-server, the broker's JVM). At the end: requests, error rate, latency,
# RSS growth from the first sample after the warm-up minute to the last, fd
# counts before and after, and lost acknowledged events.
#
#   scripts/soak.sh [MINUTES=10]
#
# Uses a normal (non-sanitizer) build in MM_BUILD_DIR (default build-soak),
# its own Redis and Kafka on free ports, and stops everything on exit.
# Knobs: MM_SOAK_CONCURRENCY (4), MM_SOAK_PAUSE (seconds each client rests
# between requests, 0.01). Output: a Markdown summary on stdout; samples in
# $MM_BUILD_DIR/soak/.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
minutes=${1:-10}
[[ $minutes =~ ^[0-9]+$ && $minutes -ge 1 ]] || { echo "usage: scripts/soak.sh [MINUTES>=1]" >&2; exit 2; }
BIN=${MM_BUILD_DIR:-$ROOT/build-soak}
cmake -S "$ROOT" -B "$BIN" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BIN" --target gregor mod_faults >/dev/null
WORK=$BIN/soak
rm -rf "$WORK"
mkdir -p "$WORK"
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup' EXIT
trap 'exit 130' INT TERM

start_redis
start_kafka
svc=mmsoak_$$
gregor_env "$KAFKA_BOOTSTRAP" "$REDIS_URL" "$svc"
start_serve "$WORK/serve"
start_worker "$WORK/worker"
warm_up

declare -A pid_of=([serve]=$SERVE_PID [worker]=$WORKER_PID
                   [redis]=$(cat "$REDIS_DIR/pid") [kafka]=$(cat "$KAFKA_DIR/pid"))
sample() { # LABEL: one line per process: label name rss_kb fds
    local name pid rss fds
    for name in serve worker redis kafka; do
        pid=${pid_of[$name]}
        rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
        fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
        echo "$1 $(date +%s) $name $pid ${rss:-0} $fds"
    done
}

sample before >"$WORK/samples"
"${DRIVE[@]}" load "$URL" "$WORK/requests.log" --seconds $((minutes * 60)) --timing mixed \
    --concurrency "${MM_SOAK_CONCURRENCY:-4}" --pause "${MM_SOAK_PAUSE:-0.01}" \
    --client-timeout 60 >"$WORK/load.json" &
load=$!
while kill -0 "$load" 2>/dev/null; do
    sample during >>"$WORK/samples"
    for _ in $(seq 10); do kill -0 "$load" 2>/dev/null && sleep 1; done
done
wait "$load"
# Let the worker finish the asynchronous backlog, then compare fds with the
# start: both processes are idle again.
acked=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["id"] and json.loads(l)["outcome"]=="ok"))' "$WORK/requests.log")
wait_handled "$REDIS_URL" "$svc" "$((acked + 1))" 120 || true
sleep 2
sample after >>"$WORK/samples"
check=$("${DRIVE[@]}" check "$REDIS_URL" "$WORK/requests.log" --service "$svc")

python3 - "$WORK/load.json" "$WORK/samples" "$WORK/requests.log" "$check" "$minutes" <<'PY'
import json, sys
load = json.load(open(sys.argv[1]))
check = json.loads(sys.argv[4])
rows = [l.split() for l in open(sys.argv[2])]
lat = sorted((json.loads(l)["t1"] - json.loads(l)["t0"]) * 1000 for l in open(sys.argv[3]))
pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else 0
t_start = int(rows[0][1])
print("## soak: %s minutes" % sys.argv[5])
print()
print("requests %d (%.0f/s), ok %d, errors %d (%.3f%%: gql %d, http %d, connection %d, hang %d); "
      "latency p50 %.1f ms, p99 %.1f ms, max %.0f ms" % (
      load["sent"], load["sent"] / max(load["seconds"], 1), load["ok"],
      load["sent"] - load["ok"], 100.0 * (load["sent"] - load["ok"]) / max(load["sent"], 1),
      load["gql_error"], load["http_error"], load["conn_error"], load["hang"],
      pct(0.5), pct(0.99), lat[-1] if lat else 0))
if load["messages"]:
    print("error messages: %s" % json.dumps(load["messages"]))
print("acknowledged mutations %d, results stored %d, lost %d, handled %d" % (
      check["acknowledged"], check["results_stored"], check["lost"], check["handled_total"]))
print()
print("| process | RSS before kB | RSS after warm-up minute kB | RSS at end kB | growth after warm-up | max RSS kB | fds before | fds after |")
print("|---|---|---|---|---|---|---|---|")
for name in ("serve", "worker", "redis", "kafka"):
    mine = [r for r in rows if r[2] == name]
    before = mine[0]
    warm = next((r for r in mine if r[0] == "during" and int(r[1]) - t_start >= 60), mine[0])
    end = mine[-1]
    growth = int(end[4]) - int(warm[4])
    print("| %s | %s | %s | %s | %+d kB (%+.1f%%) | %d | %s | %s |" % (
        name, before[4], warm[4], end[4], growth, 100.0 * growth / max(int(warm[4]), 1),
        max(int(r[4]) for r in mine), before[5], end[5]))
PY
