#!/usr/bin/env bash
# serve_cost.sh -- what one synchronous mutation costs `gregor serve` itself,
# counted rather than timed: context switches and CPU time (perf stat's
# software counters on the serve process, all its threads) over exactly N
# sequential synchronous createForm requests (one curl process, one
# keep-alive connection), and the serve process's thread count. Compares
# two builds (A/B, alternating, ROUNDS rounds) against one Kafka and one
# Redis started here (never the test run's), with one create_form worker
# from build A.
#
#   bench/service/serve_cost.sh BUILD_A [BUILD_B] [N=500] [ROUNDS=2]
#
# BUILD_x is a build tree holding gregor and examples/forms.so (e.g. a
# Release tree: cmake -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF). Needs
# perf (the software events work in VMs without hardware counters).
#
# CALLGRIND=1: gregor serve runs under valgrind --tool=callgrind instead, and
# the table gets instructions per request (Ir, all threads, counters zeroed
# right before the N requests and dumped right after: deterministic apart
# from the background work of that window, librdkafka's timers and the
# probes). Slow: use N=200 or so.
#
# STRACE=1: the system calls of gregor serve (all threads, strace -c -f)
# over the N requests instead, per request and per call name (counts; the
# table's last column lists the calls made at least 0.05 times per request).
# Those of librdkafka's threads (poll, recvmsg, futex) include its timers'
# and idle fetches', so they grow with the run's length; the rest are per
# request.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
A=$(cd "${1:?usage: serve_cost.sh BUILD_A [BUILD_B] [N] [ROUNDS]}" && pwd)
B=${2:-}
[[ -n $B ]] && B=$(cd "$B" && pwd)
N=${3:-500}
ROUNDS=${4:-2}
command -v perf >/dev/null || { echo "serve_cost.sh: perf is required" >&2; exit 2; }
work=$(mktemp -d)
pids=()
redis_dir="" kafka_dir=""
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
    done
    [ -n "$kafka_dir" ] && "$root/scripts/kafka-fixture.sh" stop "$kafka_dir" >/dev/null 2>&1 || true
    [ -n "$redis_dir" ] && "$root/scripts/redis-fixture.sh" stop "$redis_dir" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
eval "$("$root/scripts/redis-fixture.sh" start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
eval "$("$root/scripts/kafka-fixture.sh" start)"
kafka_dir=$MM_KAFKA_FIXTURE_DIR
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_LOG_LEVEL=warn

"$A/gregor" worker --app "$A/examples/forms.so" --consumer create_form 2>"$work/worker.err" &
pids+=($!)

body='{"query":"mutation { createForm(name: \"cost\", template: \"t\", timing: synchronous) { data { id form { id } } } }"}'
# One curl, N requests on one connection: a config file of N transfers.
make_config() { # URL N FILE
    : >"$3"
    for ((i = 0; i < $2; i++)); do
        ((i > 0)) && echo next >>"$3"
        printf 'url = "%s"\nheader = "content-type: application/json"\ndata-binary = @%s\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
            "$1" "$work/body.json" >>"$3"
    done
}
printf '%s' "$body" >"$work/body.json"

measure() { # BUILD LABEL
    local build=$1 label=$2 pid url
    if [[ ${CALLGRIND:-0} == 1 ]]; then
        valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" \
            "$build/gregor" serve --app "$build/examples/forms.so" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
    else
        "$build/gregor" serve --app "$build/examples/forms.so" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
    fi
    pid=$!
    pids+=($pid)
    url=
    for _ in $(seq 600); do
        url=$(sed -n 's/^graphql: //p' "$work/serve.out" 2>/dev/null || true)
        [[ -n $url ]] && break
        sleep 0.1
    done
    [[ -n $url ]] || { echo "serve_cost.sh: $label: gregor serve did not start" >&2; cat "$work/serve.err" >&2; exit 1; }
    # Warm: until a synchronous createForm is answered (group joined), then 100 more.
    for _ in $(seq 150); do
        curl -s --max-time 5 "$url" -H 'content-type: application/json' --data-binary @"$work/body.json" |
            grep -q '"form"' && break
        sleep 0.2
    done
    make_config "$url" 100 "$work/warm.cfg"
    curl -s -K "$work/warm.cfg" >/dev/null
    make_config "$url" "$N" "$work/run.cfg"
    local threads
    threads=$(ls "/proc/$pid/task" | wc -l)
    local ir= sc=
    if [[ ${STRACE:-0} == 1 ]]; then
        strace -c -f -q -o "$work/strace.txt" -p "$pid" &
        local st=$!
        sleep 1 # attached to every thread
        curl -s -K "$work/run.cfg" >"$work/codes.txt"
        kill -INT "$st"
        wait "$st" || true
        sc=$(awk -v n="$N" '$NF != "total" && $4 ~ /^[0-9]+$/ && $4 / n >= 0.05 {printf "%s %.2f, ", $NF, $4 / n}' "$work/strace.txt")
        echo "0,,context-switches" >"$work/perf.txt"
        echo "0,msec,task-clock" >>"$work/perf.txt"
    elif [[ ${CALLGRIND:-0} == 1 ]]; then
        rm -f "$work"/cg.*
        callgrind_control -z "$pid" >/dev/null
        curl -s -K "$work/run.cfg" >"$work/codes.txt"
        callgrind_control -d "$pid" >/dev/null
        sleep 1
        # The dump written by -d: the one file with a "totals:" line so far.
        ir=$(cat "$work"/cg.* 2>/dev/null | awk '/^totals:/{s += $2} END{print s + 0}')
        echo "0,,context-switches" >"$work/perf.txt"
        echo "0,msec,task-clock" >>"$work/perf.txt"
    else
        perf stat -x, -e context-switches,task-clock -p "$pid" -o "$work/perf.txt" -- \
            curl -s -K "$work/run.cfg" >"$work/codes.txt"
    fi
    local ok cs clock
    ok=$(grep -c '^200$' "$work/codes.txt" || true)
    cs=$(awk -F, '$3=="context-switches"{print $1}' "$work/perf.txt")
    clock=$(awk -F, '$3 ~ /task-clock/{print $1}' "$work/perf.txt")
    if [[ ${STRACE:-0} == 1 ]]; then
        awk -v l="$label" -v n="$N" -v ok="$ok" -v th="$threads" -v sc="$sc" \
            'BEGIN{printf "| %s | %d | %d | %d | %s |\n", l, th, n, ok, sc}'
    elif [[ -n $ir ]]; then
        awk -v l="$label" -v n="$N" -v ok="$ok" -v ir="$ir" -v th="$threads" \
            'BEGIN{printf "| %s | %d | %d | %d | %.0f |\n", l, th, n, ok, ir/n}'
    else
        awk -v l="$label" -v n="$N" -v ok="$ok" -v cs="$cs" -v ms="$clock" -v th="$threads" \
            'BEGIN{printf "| %s | %d | %d | %d | %.1f | %.0f |\n", l, th, n, ok, cs/n, ms*1000/n}'
    fi
    kill -TERM "$pid"
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

if [[ ${STRACE:-0} == 1 ]]; then
    echo "| build | serve threads | requests | 200s | system calls / request (strace -c -f) |"
    echo "|---|---|---|---|---|"
elif [[ ${CALLGRIND:-0} == 1 ]]; then
    echo "| build | serve threads | requests | 200s | serve instructions / request (callgrind Ir) |"
    echo "|---|---|---|---|---|"
else
    echo "| build | serve threads | requests | 200s | context switches / request | serve CPU µs / request |"
    echo "|---|---|---|---|---|---|"
fi
for ((r = 0; r < ROUNDS; r++)); do
    measure "$A" "A ($A)"
    [[ -n $B ]] && measure "$B" "B ($B)"
done
