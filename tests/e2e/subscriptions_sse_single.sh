#!/usr/bin/env bash
# subscriptions_sse_single.sh -- graphql-sse's single connection mode
# (docs/subscriptions.md, "Single connection mode") on a real `gregor serve`
# of the forms example (the test Kafka and Redis, its create_form worker, two
# I/O threads so that reservations, streams and operations meet on different
# loops): the real graphql-sse client with singleConnection: true
# (node/sse_single.mjs `client`); raw hostile requests (`hostile`); a
# stream that stops reading cut off while a client keeps receiving (`slow`,
# subscriptions.queue_bytes 64 KiB); a flood
# of reservations past subscriptions.sse_reservations, refused with 503 and
# logged at most once a second, then expired (`flood`); SIGTERM completes an
# operation on a stream (`shutdown`) and the server exits 0.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
source "$(dirname "$0")/subscriptions/lib.sh"
subs_setup
export FORMS_SERVICE=mmtest_sse1_$$x$(date +%s)
max=1000
export MM_SUBSCRIPTIONS_SSE_RESERVATIONS=$max MM_SUBSCRIPTIONS_SSE_RESERVATION_MS=10000 MM_SUBSCRIPTIONS_QUEUE_BYTES=65536
printf 'http:\n  threads: 2\n  cors_origins: "http://app.example"\n' >"$work/config.yaml"

subs_serve_forms

run() { # mode args...
    local mode=$1
    shift
    timeout 120 node "$nodedir/sse_single.mjs" "$mode" "$url" "$@" >"$work/$mode.out" 2>&1 || {
        cat "$work/$mode.out" >&2
        tail -n 20 "$work/serve.err" >&2
        fail "$mode"
    }
    cat "$work/$mode.out"
    grep -q "^OK $mode" "$work/$mode.out" || fail "no OK from $mode"
}
run client "c$$"
run hostile "h$$"
run slow "s$$"
grep -q 'subscription client too slow; closing" transport=sse1' "$work/serve.err" || fail "the slow stream was not logged"
sleep 1 # the previous checks' streams are closed on the server
run flood "$max" 10000

# Refusals are logged, at most one line a second per kind: 500 refused
# reservations and a dozen hostile requests make a few lines, not hundreds.
full=$(grep -c 'graphql-sse reservations: the registry is full' "$work/serve.err" || true)
bad=$(grep -c 'graphql-sse single connection: bad token or operation' "$work/serve.err" || true)
[[ $full -ge 1 && $full -le 10 ]] || fail "registry-full refusals logged $full times (want 1-10)"
[[ $bad -ge 1 && $bad -le 20 ]] || fail "bad-token refusals logged $bad times (want 1-20)"

# Shutdown: an operation on a stream is completed, the stream ends.
timeout 120 node "$nodedir/sse_single.mjs" shutdown "$url" "s$$" >"$work/shutdown.out" 2>&1 &
node_pid=$!
pids+=($node_pid)
for _ in $(seq 300); do grep -q READY "$work/shutdown.out" && break; sleep 0.1; done
grep -q READY "$work/shutdown.out" || { cat "$work/shutdown.out" >&2; fail "shutdown: no READY"; }
kill -TERM "$serve_pid"
wait "$node_pid" || { cat "$work/shutdown.out" >&2; fail "shutdown"; }
grep -q '^OK shutdown' "$work/shutdown.out" || fail "no OK from shutdown"
cat "$work/shutdown.out" | grep '^OK'
for _ in $(seq 300); do kill -0 "$serve_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$serve_pid" 2>/dev/null && fail "gregor serve did not stop within 30 s of SIGTERM"
wait "$serve_pid" || fail "gregor serve exited with $?"
echo "subscriptions_sse_single: ok"
