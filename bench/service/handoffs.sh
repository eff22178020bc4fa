#!/usr/bin/env bash
# handoffs.sh -- thread wake-ups per synchronous mutation in gregor serve (and
# the worker), counted, not timed: the voluntary + involuntary context
# switches of every thread (/proc/<pid>/task/<tid>/status) over a loadgen
# run of sync createForm, divided by the requests answered; with the CPU
# time per request of each process beside them. Counts, unlike latencies,
# hold on a noisy machine (a context switch is a thread that blocked and
# was woken: one hand-off between threads costs at least one; involuntary
# switches, the machine's load, are left out).
#
#   bench/service/handoffs.sh [SECONDS=5] [CLIENTS=1] [BUILD_DIR=build-bench]
#
# Uses the Kafka and Redis of MM_TEST_KAFKA_BOOTSTRAP / MM_TEST_REDIS_URL
# (source /work/fixture/env.sh, or scripts/*-fixture.sh), on a fresh topic
# name per run is not needed: the forms example's topics are reused.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-5}
clients=${2:-1}
B=${3:-$root/build-bench}
: "${MM_TEST_KAFKA_BOOTSTRAP:?source the fixture env first}" "${MM_TEST_REDIS_URL:?}"
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=warn
out=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$out"
}
trap cleanup EXIT
"$B/gregor" worker --app "$B/examples/forms.so" --consumer create_form 2>"$out/worker.err" &
wpid=$!
pids+=($wpid)
"$B/gregor" serve --app "$B/examples/forms.so" >"$out/serve.out" 2>"$out/serve.err" &
spid=$!
pids+=($spid)
for _ in $(seq 100); do grep -q '^graphql: ' "$out/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(sed -n 's/^graphql: //p' "$out/serve.out")
sync='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
for _ in $(seq 100); do
    curl -s "$url" -H 'content-type: application/json' -d "$sync" | grep -q '"form"' && break
    sleep 0.2
done
"$B/bench/loadgen" "$url" "$sync" "$clients" 2 >/dev/null

# "comm tid switches" per thread of a process.
snap() {
    local t
    for t in /proc/"$1"/task/*; do
        [ -r "$t/status" ] || continue
        printf '%s %s %s\n' "$(tr ' ' _ <"$t/comm")" "${t##*/}" \
            "$(awk '/^voluntary_ctxt_switches/ {print $2}' "$t/status")"
    done
}
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
snap "$spid" >"$out/s0"
snap "$wpid" >"$out/w0"
st0=$(ticks "$spid") wt0=$(ticks "$wpid")
res=$("$B/bench/loadgen" "$url" "$sync" "$clients" "$secs")
echo "$res" >&2
snap "$spid" >"$out/s1"
snap "$wpid" >"$out/w1"
st1=$(ticks "$spid") wt1=$(ticks "$wpid")
python3 - "$res" "$secs" "$(getconf CLK_TCK)" "$out" "$st0" "$st1" "$wt0" "$wt1" <<'PY'
import json, sys, collections
r = json.loads(sys.argv[1]); secs = float(sys.argv[2]); hz = float(sys.argv[3]); d = sys.argv[4]
# The snapshots include loadgen's 1 s warm-up: divide by every request sent.
n = max(1.0, r.get("requests_with_warmup", r["rps"] * (secs + 1)))
def load(f):
    return {l.split()[1]: (l.split()[0], int(l.split()[2])) for l in open(f)}
print("clients %d, %.0f req/s, p50 %.2f ms, %d requests (incl. loadgen's 1 s warm-up)" % (r["concurrency"], r["rps"], r["p50_ms"], n))
for name, a, b, t0, t1 in (("gregor serve", "s0", "s1", sys.argv[5], sys.argv[6]), ("worker", "w0", "w1", sys.argv[7], sys.argv[8])):
    s0, s1 = load(d + "/" + a), load(d + "/" + b)
    per = collections.Counter()
    for tid, (comm, v) in s1.items():
        per[comm] += v - s0.get(tid, (comm, 0))[1]
    total = sum(per.values())
    cpu = (int(t1) - int(t0)) / hz * 1e6 / n
    print("%s: %.2f voluntary context switches per request, CPU %.0f us per request" % (name, total / n, cpu))
    for comm, v in per.most_common():
        if v / n >= 0.05:
            print("    %-16s %.2f" % (comm, v / n))
    tids = sorted(((v - s0.get(tid, (c, 0))[1], tid, c) for tid, (c, v) in s1.items()), reverse=True)
    print("    per thread: " + ", ".join("%s/%s %.2f" % (c, tid, dv / n) for dv, tid, c in tids if dv / n >= 0.05))
PY
