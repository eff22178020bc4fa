#!/usr/bin/env bash
# profile.sh -- where one fan-out's time goes in `gregor serve`: counts
# taken on the server (and the load client) over the publishing phase only.
# Not a test; never run by ctest.
#
#   bench/subscriptions/profile.sh [ws|sse] [SUBSCRIBERS=10000] [EVENTS=5] [stat|strace|record]
#
# Starts gregor serve (the forms example, PROFILE_THREADS I/O threads,
# default 1, pinned to PROFILE_SERVER_CPU, default 0) and subs_load
# (pinned to PROFILE_LOAD_CPU, default 1; PROFILE_LOAD_IDLE=1 runs it
# SCHED_IDLE so that it never takes a core from the server), opens the
# subscribers, then, while publish.mjs publishes EVENTS events (5/s) and
# until the client has every event (before it closes its connections):
#   stat    perf stat task-clock and context switches of both processes,
#           and each server thread's CPU ticks and context switches;
#   strace  strace -c -f on the server (the system calls of the fan-out);
#   record  perf record -e cpu-clock -g on the server (report printed:
#           the top symbols, kernel included; needs root or
#           perf_event_paranoid <= 1).
# Prints subs_load's RESULT line (latencies: see run.sh) and the counts.
# Needs what run.sh needs; run run.sh once first (it builds
# BENCH_BUILD_DIR, default build-subsbench, and installs the node side).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
kind=${1:-ws}
n=${2:-10000}
events=${3:-5}
what=${4:-stat}
B=${BENCH_BUILD_DIR:-$root/build-subsbench}
kafka=${MM_KAFKA_BOOTSTRAP_SERVERS:-${MM_TEST_KAFKA_BOOTSTRAP:-}}
redis=${MM_REDIS_URL:-${MM_TEST_REDIS_URL:-}}
say() { echo "bench/subscriptions/profile: $*" >&2; }
[[ -n $kafka && -n $redis ]] || { say "set MM_KAFKA_BOOTSTRAP_SERVERS and MM_REDIS_URL (or the MM_TEST_ ones)"; exit 1; }
[[ -x $B/gregor && -x $B/bench/subs_load && -d $B/subs-node/node_modules ]] || { say "run bench/subscriptions/run.sh once first"; exit 1; }
case $what in stat | strace | record) ;; *) say "unknown mode $what"; exit 2 ;; esac
command -v perf >/dev/null || { say "perf is not installed"; exit 1; }
[[ $what != strace ]] || command -v strace >/dev/null || { say "strace is not installed"; exit 1; }
ulimit -n "$(ulimit -Hn)"
(($(ulimit -n) > n + 500)) || { say "ulimit -n $(ulimit -n) is too low for $n subscribers"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-subsprof.XXXXXX")
spid="" lpid="" tools=()
cleanup() {
    for p in "${tools[@]}" $lpid $spid; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${tools[@]}" $lpid $spid; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

topic=bench_subsprof_$$_$(date +%s)
export FORMS_SERVICE=$topic FORMS_WS_TOKEN=prof$$ KAFKAJS_NO_PARTITIONER_WARNING=1
node "$here/publish.mjs" "$B/subs-node" "$kafka" "$topic" create
printf 'http:\n  listen: 127.0.0.1:0\n  threads: %d\n  max_connections: %d\n' "${PROFILE_THREADS:-1}" $((n + 200)) >"$tmp/serve.yaml"
MM_REDIS_URL=$redis MM_KAFKA_BOOTSTRAP_SERVERS=$kafka MM_LOG_LEVEL=warn MM_SUBSCRIPTIONS_MAX=$((n + 100)) \
    taskset -c "${PROFILE_SERVER_CPU:-0}" "$B/gregor" serve --app "$B/examples/forms.so" --config "$tmp/serve.yaml" \
    >"$tmp/server.out" 2>"$tmp/server.err" &
spid=$!
url=
for _ in $(seq 600); do
    url=$(sed -n 's/^graphql: //p' "$tmp/server.out" 2>/dev/null || true)
    [[ -n $url ]] && curl -sf --max-time 5 "${url%/graphql}/readyz" >/dev/null && break
    kill -0 "$spid" 2>/dev/null || { cat "$tmp/server.err" >&2; exit 1; }
    sleep 0.1
done
[[ -n $url ]] || { say "gregor serve did not start within 60 s"; exit 1; }
hp=${url#http://}
hp=${hp%%/*}
sched=()
[[ ${PROFILE_LOAD_IDLE:-0} == 1 ]] && sched=(chrt --idle 0)
SUBS_LOAD_HOLD_MS=3000 "${sched[@]}" taskset -c "${PROFILE_LOAD_CPU:-1}" "$B/bench/subs_load" "${hp%:*}" "${hp##*:}" \
    /graphql "$kind" "$n" "$events" $((events / 5 + 60)) "$FORMS_WS_TOKEN" >"$tmp/load.out" 2>"$tmp/load.err" &
lpid=$!
for _ in $(seq 1800); do
    grep -q '^READY' "$tmp/load.out" && break
    kill -0 "$lpid" 2>/dev/null || { cat "$tmp/load.err" >&2; exit 1; }
    sleep 0.1
done
grep -q '^READY' "$tmp/load.out" || { say "subscribers not ready"; exit 1; }
sleep 1

threads() { # tid comm voluntary nonvoluntary ticks, per server thread
    for t in /proc/"$spid"/task/*; do
        echo "${t##*/} $(tr ' ' _ <"$t/comm") $(awk '/ctxt_switches/ {printf "%s ", $2}' "$t/status")$(awk '{print $14 + $15}' "$t/stat")"
    done | sort
}
threads >"$tmp/threads0"
case $what in
stat)
    perf stat -e task-clock,context-switches -p "$spid" -o "$tmp/server.stat" &
    tools+=($!)
    perf stat -e task-clock,context-switches -p "$lpid" -o "$tmp/load.stat" &
    tools+=($!)
    ;;
strace)
    strace -c -f -p "$spid" -o "$tmp/strace.txt" &
    tools+=($!)
    ;;
record)
    perf record -e cpu-clock -F 4000 -g -p "$spid" -o "$tmp/perf.data" 2>/dev/null &
    tools+=($!)
    ;;
esac
sleep 0.3
node "$here/publish.mjs" "$B/subs-node" "$kafka" "$topic" publish 5 "$events"
for _ in $(seq 1200); do
    grep -q '^RESULT' "$tmp/load.out" && break
    kill -0 "$lpid" 2>/dev/null || break
    sleep 0.05
done
threads >"$tmp/threads1"
for p in "${tools[@]}"; do kill -INT "$p" 2>/dev/null || true; done
for p in "${tools[@]}"; do wait "$p" 2>/dev/null || true; done
tools=()
grep '^RESULT' "$tmp/load.out" || { say "no result:"; cat "$tmp/load.err" >&2; exit 1; }
case $what in
stat)
    echo "server (gregor serve):"
    grep -E 'task-clock|context-switches' "$tmp/server.stat"
    echo "load client (subs_load):"
    grep -E 'task-clock|context-switches' "$tmp/load.stat"
    echo "server threads with work: tid name voluntary_switches involuntary_switches cpu_ticks"
    join "$tmp/threads0" "$tmp/threads1" |
        awk '{ v = $7 - $3; i = $8 - $4; t = $9 - $5; if (v + i + t > 10) print $1, $2, v, i, t }'
    ;;
strace) head -20 "$tmp/strace.txt" ;;
record)
    perf report -i "$tmp/perf.data" --no-children --sort dso,sym --stdio -g none 2>/dev/null | grep '%' | head -40
    ;;
esac
