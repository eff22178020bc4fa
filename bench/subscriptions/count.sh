#!/usr/bin/env bash
# count.sh -- instructions per delivered event of gregor's fan-out, counted
# by valgrind's callgrind (deterministic: what else runs on the machine does
# not change it), for A/B comparisons of the subscription path.
#
#   bench/subscriptions/count.sh [SUBSCRIBERS=200] [EVENTS=5] [ws|sse]
#
# Runs `gregor serve` (GREGOR, default build-subsbench/gregor; APP, default
# the forms example next to it) under callgrind, collecting only inside
# on_loop_msg (an event's whole fan-out on an I/O loop: filter, resolver,
# execution, framing, the write calls' user-space part), opens SUBSCRIBERS
# idle subscribers with subs_load (LOAD, default build-subsbench/bench/subs_load),
# publishes EVENTS events with publish.mjs and prints the instructions per
# delivered event. Needs what run.sh needs (Kafka, Redis, node; run run.sh
# once to build and install) and valgrind.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-200}
events=${2:-5}
kind=${3:-ws}
B=${BENCH_BUILD_DIR:-$root/build-subsbench}
gregor=${GREGOR:-$B/gregor}
app=${APP:-$(dirname "$gregor")/examples/forms.so}
load=${LOAD:-$B/bench/subs_load}
nodedir=$B/subs-node
kafka=${MM_KAFKA_BOOTSTRAP_SERVERS:-${MM_TEST_KAFKA_BOOTSTRAP:-}}
redis=${MM_REDIS_URL:-${MM_TEST_REDIS_URL:-}}
say() { echo "bench/subscriptions/count: $*" >&2; }
[[ -n $kafka && -n $redis ]] || { say "set MM_KAFKA_BOOTSTRAP_SERVERS and MM_REDIS_URL (or the MM_TEST_ ones)"; exit 1; }
command -v valgrind >/dev/null || { say "valgrind is not installed"; exit 1; }
[[ -x $gregor && -f $app && -x $load && -d $nodedir/node_modules ]] || { say "run bench/subscriptions/run.sh once first"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-subscount.XXXXXX")
pid=""
cleanup() {
    [[ -n $pid ]] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
topic=bench_subs_count_$$_$(date +%s)
export FORMS_SERVICE=$topic FORMS_WS_TOKEN=count$$ KAFKAJS_NO_PARTITIONER_WARNING=1
node "$here/publish.mjs" "$nodedir" "$kafka" "$topic" create
printf 'http:\n  listen: 127.0.0.1:0\n  threads: 1\n' >"$tmp/serve.yaml"
MM_REDIS_URL=$redis MM_KAFKA_BOOTSTRAP_SERVERS=$kafka MM_LOG_LEVEL=warn \
    valgrind --tool=callgrind --toggle-collect=on_loop_msg --callgrind-out-file="$tmp/cg.out" \
    "$gregor" serve --app "$app" --config "$tmp/serve.yaml" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pid=$!
url=
for _ in $(seq 1200); do
    url=$(sed -n 's/^graphql: //p' "$tmp/serve.out" 2>/dev/null || true)
    [[ -n $url ]] && curl -sf --max-time 5 "${url%/graphql}/readyz" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || { cat "$tmp/serve.err" >&2; exit 1; }
    sleep 0.1
done
hostport=${url#http://}
hostport=${hostport%%/*}
"$load" "${hostport%:*}" "${hostport##*:}" /graphql "$kind" "$n" "$events" 120 "$FORMS_WS_TOKEN" >"$tmp/load.out" &
lp=$!
for _ in $(seq 1200); do grep -q READY "$tmp/load.out" && break; sleep 0.1; done
sleep 2
node "$here/publish.mjs" "$nodedir" "$kafka" "$topic" publish 2 "$events"
wait "$lp" || { say "not every event arrived: $(cat "$tmp/load.out")"; exit 1; }
kill -TERM "$pid"
wait "$pid" || true
pid=""
callgrind_annotate "$tmp/cg.out" >"$tmp/cg.txt" 2>/dev/null # whole, before reading: no SIGPIPE under pipefail
total=$(awk '/PROGRAM TOTALS/ {gsub(",", "", $1); print $1; exit}' "$tmp/cg.txt")
echo "count: $kind subscribers=$n events=$events instructions_in_fan_out=$total per_delivered_event=$((total / (n * events)))"
