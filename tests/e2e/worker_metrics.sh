#!/usr/bin/env bash
# worker_metrics.sh -- a standalone `gregor worker --metrics-listen` serves
# the worker families a node exports (docs/metrics.md, "A standalone
# worker"), for its own counters: a real `gregor worker` of the forms
# example (create_form, a topic of its own, the run's Kafka and Redis), fed
# by synchronous createForm mutations through a real `gregor serve`:
#   1. it prints `worker metrics: HOST:PORT` (port 0: a free one);
#   2. after N mutations: events handled = N = the handler histogram's and
#      the end-to-end histogram's counts, failed and dead-lettered 0, in
#      flight 0, at least one rebalance (its first assignment);
#   3. with tracing pointed at a closed port, the exporter's dropped spans
#      and failed POSTs show (mm_worker_trace_*), exported 0;
#   4. `promtool check metrics` passes on the text; another path is 404;
#   5. a second worker asking for the same address fails at start (exit 1);
#   6. SIGTERM: exit 0 (under ASan: nothing leaked, the endpoint included).
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
app=$bin_dir/examples/forms.so
mod=$app # start_serve (interop/lib.sh) serves $mod

e2e_require redis kafka gregor "$app"
# shellcheck source=interop/lib.sh
source "$src/tests/e2e/interop/lib.sh"

e2e_work_dir

run=w$$x$(date +%s)
topic=mmtest_wmetrics_$run
export FORMS_SERVICE=$topic
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
p_dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

MM_TRACING_ENDPOINT=http://127.0.0.1:$p_dead MM_TRACING_TIMEOUT_MS=200 \
    "$gregor" worker --app "$app" --consumer create_form --metrics-listen 127.0.0.1:0 \
    >"$work/worker.out" 2>"$work/worker.log" &
worker_pid=$!
pids+=("$worker_pid")
addr=
for _ in $(seq 300); do
    addr=$(sed -n 's/^worker metrics: //p' "$work/worker.out")
    [[ -n $addr ]] && break
    kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log" >&2; fail "gregor worker exited"; }
    sleep 0.1
done
[[ $addr =~ ^127\.0\.0\.1:[0-9]+$ ]] || fail "no 'worker metrics: HOST:PORT' line: '$addr'"
murl=http://$addr/metrics
start_serve serve
url=$url_serve
e2e_wait_ready "${url%/graphql}"

n=3
body='{"query":"mutation { createForm(name: \"counted\", template: \"t\", timing: synchronous) { data { id } } }"}'
for _ in $(seq $n); do
    out=$(curl -s --max-time 60 -H 'content-type: application/json' --data-binary "$body" "$url")
    grep -q '"id"' <<<"$out" || { tail -20 "$work/worker.log" >&2; fail "createForm did not answer: $out"; }
done

labels="service=\"$topic\",consumer=\"create_form\""
sample() { sed -n "s/^$1{$labels} //p" "$work/m.txt"; }
scrape() { curl -sf --max-time 5 "$murl" >"$work/m.txt" || fail "no $murl"; }
# The counters move when an event is done (its result stored): the
# synchronous answer comes from that store, so they are there already; the
# exporter's counters move at its next POST (within 1 s + 200 ms).
for _ in $(seq 50); do
    scrape
    [[ $(sample mm_worker_trace_export_failures_total) -ge 1 ]] 2>/dev/null && break
    sleep 0.1
done
[[ $(sample mm_worker_events_handled_total) == "$n" ]] || fail "handled $(sample mm_worker_events_handled_total), want $n"
[[ $(sample mm_worker_handler_duration_seconds_count) == "$n" ]] || fail "handler histogram count $(sample mm_worker_handler_duration_seconds_count)"
[[ $(sample mm_worker_event_latency_seconds_count) == "$n" ]] || fail "latency histogram count $(sample mm_worker_event_latency_seconds_count)"
[[ $(sed -n "s/^mm_worker_handler_duration_seconds_bucket{$labels,le=\"+Inf\"} //p" "$work/m.txt") == "$n" ]] ||
    fail "the +Inf bucket is not the count"
[[ $(sample mm_worker_events_failed_total) == 0 ]] || fail "failed events counted"
[[ $(sample mm_worker_events_dead_lettered_total) == 0 ]] || fail "dead-lettered events counted"
[[ $(sample mm_worker_events_in_flight) == 0 ]] || fail "events in flight after the answers"
[[ $(sample mm_worker_rebalances_total) -ge 1 ]] || fail "no rebalance counted (the first assignment is one)"
[[ $(sample mm_worker_trace_export_failures_total) -ge 1 ]] || fail "no failed export POST with the collector down"
[[ $(sample mm_worker_trace_spans_dropped_total) -ge 1 ]] || fail "no dropped span with the collector down"
[[ $(sample mm_worker_trace_spans_exported_total) == 0 ]] || fail "spans counted exported to a closed port"
grep -q '^mm_node_' "$work/m.txt" && fail "a standalone worker renders node families"

promtool=$("$src/scripts/fetch-promtool.sh") || fail "scripts/fetch-promtool.sh failed"
"$promtool" check metrics <"$work/m.txt" || fail "promtool check metrics failed"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "http://$addr/other")
[[ $code == 404 ]] || fail "GET /other answered $code, want 404"
code=$(curl -s -o /dev/null -w '%{http_code}' -I --max-time 5 "$murl")
[[ $code == 200 ]] || fail "HEAD /metrics answered $code"

# The same address again: refused at start, before joining the group.
rc=0
timeout 60 "$gregor" worker --app "$app" --consumer create_form --metrics-listen "$addr" \
    >"$work/second.out" 2>"$work/second.log" || rc=$?
[[ $rc -eq 1 ]] || fail "a second worker on $addr exited $rc, want 1"
grep -q -- "--metrics-listen $addr" "$work/second.log" || fail "no reason given: $(cat "$work/second.log")"

# SIGTERM: the worker stops cleanly, its endpoint with it.
rc=0
e2e_stop "$worker_pid" 30 || rc=$?
[[ $rc -eq 0 ]] || { tail -20 "$work/worker.log" >&2; fail "gregor worker exited $rc on SIGTERM"; }
curl -s --max-time 2 "$murl" >/dev/null && fail "the endpoint still answers after the worker stopped"
pids=("${pids[@]:1}")

echo "worker_metrics: ok ($n events counted at $murl)"
