#!/usr/bin/env bash
# run.sh -- the subscriptions benchmark: `gregor serve` of the forms example
# against graphql-js 16 `subscribe` behind graphql-ws and graphql-sse on node
# (server.mjs), both fed from one Kafka topic, the node side by kafkajs.
# Not a test; never run by ctest.
#
#   bench/subscriptions/run.sh [EVENTS=20]
#
# Needs a Kafka broker and a Redis (gregor serve will not start without
# one): MM_KAFKA_BOOTSTRAP_SERVERS / MM_REDIS_URL, or the test fixture's
# MM_TEST_KAFKA_BOOTSTRAP / MM_TEST_REDIS_URL (source /work/fixture/env.sh or
# scripts/test.sh's). Builds a Release tree (BENCH_BUILD_DIR, default
# build-subsbench; no sanitizers) with gregor, the forms example and the load
# client subs_load.c, and installs bench/subscriptions/package-lock.json
# (graphql, graphql-ws, graphql-sse, ws, kafkajs) into BUILD/subs-node.
#
# For each server (gregor, gregor-2t, node), transport (BENCH_KINDS, default
# "ws sse") and subscriber count (BENCH_SUBSCRIBERS, default "1000 10000";
# BENCH_SERVERS picks servers, default "gregor gregor-2t node"), a fresh
# server pinned to one core (BENCH_SERVER_CPU, a taskset list, default 0;
# gregor with BENCH_GREGOR_THREADS HTTP threads, default 1; node has one
# JavaScript thread) gets N subscribers from subs_load (pinned to
# BENCH_LOAD_CPU, default 1, at nice BENCH_LOAD_NICE, default 0), each to
# `formCreated(name: "bench")`. gregor-2t is gregor with two I/O threads (its
# default on a 2-core machine: one per core) on BENCH_SERVER_CPUS_2T
# (default 0,1), the load client on the same cores under SCHED_IDLE (chrt
# --idle 0), so that it reads after the server wrote rather than taking a
# core from it: compare its socket and fan-out columns, not the read
# latency. Then:
#   idle memory   the server's VmRSS growth from before the subscribers to
#                 one second after the last subscribed, divided by N;
#   latency       publish.mjs (kafkajs) publishes EVENTS FormCreatedEvents at
#                 BENCH_RATE per second (default 5), each carrying its
#                 publish time (CLOCK_MONOTONIC); for every (subscriber,
#                 event) subs_load takes three times: when it read the
#                 message (p50, p99, max: publish to the client's read, so
#                 including Kafka's produce-to-fetch time, the same for both
#                 servers, and the load client's own delays); when the kernel
#                 put it in the subscriber's socket (SO_TIMESTAMPNS: "socket
#                 p99", publish to socket, without the client's delays); and
#                 that minus the event's first arrival in any subscriber's
#                 socket ("fan-out" p50/p99: the server's fan-out alone,
#                 without Kafka);
#   CPU/event     the server's user+system CPU time over the publishing
#                 phase (until the client has every event, before it closes
#                 its connections) divided by the events delivered (N x
#                 EVENTS), and
#                 (with perf) the user-space instructions per delivered event.
# A point whose events did not all arrive within EVENTS/RATE + 30 s says so.
# First (unless BENCH_KAFKA_BASELINE=0), Kafka alone: kafka_lat (a librdkafka
# consumer set up as the subscription tail's own, pinned like the server)
# reads EVENTS events published the same way, and the line after the table
# gives publish -> its poll p50/p99: the Kafka part of every point's p50/p99
# (the server adds its hand-off to the I/O loop, tens of µs, and the fan-out).
# Release build: BENCH_BUILD_DIR=build-subsbench.
# Prints a markdown table on stdout (progress on stderr); stops everything it
# started; raises ulimit -n to the hard limit (10k subscribers need > 10k).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
events=${1:-20}
rate=${BENCH_RATE:-5}
server_cpu=${BENCH_SERVER_CPU:-0}
load_cpu=${BENCH_LOAD_CPU:-1}
load_nice=${BENCH_LOAD_NICE:-0}
gregor_threads=${BENCH_GREGOR_THREADS:-1}
read -r -a kinds <<<"${BENCH_KINDS:-ws sse}"
read -r -a counts <<<"${BENCH_SUBSCRIBERS:-1000 10000}"
B=${BENCH_BUILD_DIR:-$root/build-subsbench}
kafka=${MM_KAFKA_BOOTSTRAP_SERVERS:-${MM_TEST_KAFKA_BOOTSTRAP:-}}
redis=${MM_REDIS_URL:-${MM_TEST_REDIS_URL:-}}
say() { echo "bench/subscriptions: $*" >&2; }
[[ -n $kafka ]] || { say "set MM_KAFKA_BOOTSTRAP_SERVERS (or MM_TEST_KAFKA_BOOTSTRAP)"; exit 1; }
[[ -n $redis ]] || { say "set MM_REDIS_URL (or MM_TEST_REDIS_URL)"; exit 1; }
for tool in node npm taskset chrt; do
    command -v $tool >/dev/null || { say "$tool is not installed"; exit 1; }
done
ulimit -n "$(ulimit -Hn)"
max_n=0
for n in "${counts[@]}"; do ((n > max_n)) && max_n=$n; done
(($(ulimit -n) > max_n + 500)) || { say "ulimit -n $(ulimit -n) is too low for $max_n subscribers"; exit 1; }
cd "$root"

say "building $B"
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build "$B" --target gregor forms subs_load kafka_lat >/dev/null
B=$(cd "$B" && pwd)
app=$B/examples/forms.so

nodedir=$B/subs-node
if [[ ! -f $nodedir/node_modules/kafkajs/package.json ]] ||
   ! cmp -s "$here/package-lock.json" "$nodedir/package-lock.json"; then
    say "installing graphql, graphql-ws, graphql-sse, ws and kafkajs into $nodedir"
    mkdir -p "$nodedir"
    cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-subsbench.XXXXXX")
server_pid="" load_pid=""
stop_server() {
    for p in $load_pid $server_pid; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $load_pid $server_pid; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    server_pid="" load_pid=""
}
cleanup() {
    stop_server
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topic=bench_subs_$$_$(date +%s)
export FORMS_SERVICE=$topic FORMS_WS_TOKEN=bench$$ KAFKAJS_NO_PARTITIONER_WARNING=1
node "$here/publish.mjs" "$nodedir" "$kafka" "$topic" create
"$B/gregor" schema --app "$app" >"$tmp/schema.graphql"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# start_server gregor|node N -> sets server_pid and url
start_server() {
    local which=$1 n=$2
    : >"$tmp/server.out"
    if [[ $which == gregor* ]]; then
        local threads=$gregor_threads cpus=$server_cpu
        [[ $which == gregor-2t ]] && threads=2 cpus=${BENCH_SERVER_CPUS_2T:-0,1}
        printf 'http:\n  listen: 127.0.0.1:0\n  threads: %d\n  max_connections: %d\n' "$threads" $((n + 200)) >"$tmp/serve.yaml"
        MM_REDIS_URL=$redis MM_KAFKA_BOOTSTRAP_SERVERS=$kafka MM_LOG_LEVEL=warn MM_SUBSCRIPTIONS_MAX=$((n + 100)) \
            taskset -c "$cpus" "$B/gregor" serve --app "$app" --config "$tmp/serve.yaml" \
            >"$tmp/server.out" 2>"$tmp/server.err" &
    else
        NODE_ENV=production taskset -c "$server_cpu" node "$here/server.mjs" "$nodedir" "$tmp/schema.graphql" \
            "$kafka" "$topic" >"$tmp/server.out" 2>"$tmp/server.err" &
    fi
    server_pid=$!
    url=
    for _ in $(seq 600); do
        url=$(sed -n 's/^graphql: //p' "$tmp/server.out" 2>/dev/null || true)
        [[ -n $url ]] && break
        kill -0 "$server_pid" 2>/dev/null || { say "$which exited:"; cat "$tmp/server.err" >&2; exit 1; }
        sleep 0.1
    done
    [[ -n $url ]] || { say "$which did not start within 60 s"; cat "$tmp/server.err" >&2; exit 1; }
    if [[ $which == gregor* ]]; then
        for _ in $(seq 300); do
            curl -sf --max-time 5 "${url%/graphql}/readyz" >/dev/null && return 0
            sleep 0.1
        done
        say "gregor serve not ready"
        exit 1
    fi
}

# User-space instructions per delivered event (perf stat), a count the
# machine's other work does not change; "–" without perf.
use_perf=0
if command -v perf >/dev/null && perf stat -e instructions:u -x, true 2>&1 | grep -q '^[0-9]'; then use_perf=1; fi
echo "| server | transport | subscribers | idle RSS / subscriber | p50 | p99 | max | socket p99 | fan-out p50 | fan-out p99 | server CPU / delivered event | user instructions / delivered event | delivered |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
kafka_line=""
if [[ ${BENCH_KAFKA_BASELINE:-1} != 0 ]]; then
    say "Kafka alone (kafka_lat)"
    : >"$tmp/kafka.out"
    taskset -c "$server_cpu" "$B/bench/kafka_lat" "$kafka" "$topic" "$events" $((events / rate + 30)) \
        >"$tmp/kafka.out" 2>"$tmp/kafka.err" &
    load_pid=$!
    for _ in $(seq 300); do
        grep -q '^READY' "$tmp/kafka.out" && break
        kill -0 "$load_pid" 2>/dev/null || break
        sleep 0.1
    done
    node "$here/publish.mjs" "$nodedir" "$kafka" "$topic" publish "$rate" "$events"
    wait "$load_pid" || say "kafka_lat: not every event arrived"
    load_pid=""
    k=$(grep '^kafka_p50' "$tmp/kafka.out" || true)
    kget() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" <<<"$k"; }
    kafka_line="Kafka alone (publish.mjs -> a librdkafka consumer set up as the subscription tail's, pinned to CPU $server_cpu): p50 $(kget kafka_p50_ms) ms, p99 $(kget kafka_p99_ms) ms, max $(kget kafka_max_ms) ms over $(kget got) events"
fi
read -r -a servers <<<"${BENCH_SERVERS:-gregor gregor-2t node}"
for which in "${servers[@]}"; do
    for kind in "${kinds[@]}"; do
        for n in "${counts[@]}"; do
            say "$which $kind $n subscribers"
            start_server "$which" "$n"
            hostport=${url#http://}
            hostport=${hostport%%/*}
            sleep 1
            rss0=$(rss_kb "$server_pid")
            : >"$tmp/load.out"
            lcpu=$load_cpu sched=(nice -n "$load_nice")
            [[ $which == gregor-2t ]] && lcpu=${BENCH_SERVER_CPUS_2T:-0,1} sched=(chrt --idle 0)
            SUBS_LOAD_HOLD_MS=2000 "${sched[@]}" taskset -c "$lcpu" "$B/bench/subs_load" "${hostport%:*}" "${hostport##*:}" /graphql "$kind" \
                "$n" "$events" $((events / rate + 30)) "$FORMS_WS_TOKEN" >"$tmp/load.out" 2>"$tmp/load.err" &
            load_pid=$!
            for _ in $(seq 1800); do
                grep -q '^READY' "$tmp/load.out" && break
                kill -0 "$load_pid" 2>/dev/null || break
                sleep 0.1
            done
            grep -q '^READY' "$tmp/load.out" || { say "subscribers not ready:"; cat "$tmp/load.err" >&2; exit 1; }
            sleep 1
            rss1=$(rss_kb "$server_pid")
            sleep 1 # node's subscribe is asynchronous: let every subscription begin
            perf_pid=""
            if ((use_perf)); then
                perf stat -x, -e instructions:u -p "$server_pid" -o "$tmp/perf.txt" 2>/dev/null &
                perf_pid=$!
            fi
            t0=$(ticks "$server_pid")
            node "$here/publish.mjs" "$nodedir" "$kafka" "$topic" publish "$rate" "$events"
            # The CPU time is read once the load client has its result and
            # before it closes its connections (it holds them 2 s).
            for _ in $(seq $((events / rate * 10 + 400))); do
                grep -q '^RESULT' "$tmp/load.out" && break
                kill -0 "$load_pid" 2>/dev/null || break
                sleep 0.1
            done
            t1=$(ticks "$server_pid")
            insns=0
            if [[ -n $perf_pid ]]; then
                kill -INT "$perf_pid" 2>/dev/null || true
                wait "$perf_pid" 2>/dev/null || true
                insns=$(awk -F, '/instructions/ && $1 ~ /^[0-9]+$/ {print $1}' "$tmp/perf.txt")
            fi
            status=0
            wait "$load_pid" || status=$?
            load_pid=""
            res=$(grep '^RESULT' "$tmp/load.out" || true)
            [[ -n $res ]] || { say "no result:"; cat "$tmp/load.err" >&2; exit 1; }
            ((status == 0)) || say "not every event arrived: $res"
            get() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$res"; }
            received=$(get received)
            awk -v w="$which" -v k="$kind" -v n="$n" -v r0="$rss0" -v r1="$rss1" -v p50="$(get p50_ms)" \
                -v p99="$(get p99_ms)" -v mx="$(get max_ms)" -v sp99="$(get sock_p99_ms)" \
                -v fp50="$(get fanout_p50_ms)" -v fp99="$(get fanout_p99_ms)" -v t="$((t1 - t0))" -v hz="$hz" \
                -v got="$received" -v want="$(get expected)" -v insns="${insns:-0}" 'BEGIN {
                cpu = got > 0 ? t / hz * 1e6 / got : 0
                ins = got > 0 && insns > 0 ? sprintf("%.0f", insns / got) : "–"
                printf "| %s | %s | %d | %.1f KiB | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f ms | %.1f µs | %s | %d/%d |\n",
                    w, k, n, (r1 - r0) / n, p50, p99, mx, sp99, fp50, fp99, cpu, ins, got, want }'
            stop_server
        done
    done
done
[[ -z $kafka_line ]] || { echo; echo "$kafka_line"; }
