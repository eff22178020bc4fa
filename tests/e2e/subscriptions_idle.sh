#!/usr/bin/env bash
# subscriptions_idle.sh -- the memory an idle subscriber costs `gregor serve`
# (docs/subscriptions.md, "Memory"): at most 8 KiB of resident memory per
# subscriber, over WebSocket (graphql-transport-ws) and over SSE.
#
# A real `gregor serve` of the forms example on the test Kafka and Redis
# holds 200 warm-up subscribers (arenas, thread caches), then its VmRSS is
# read; 2000 WebSocket subscribers join (each acknowledged and subscribed,
# confirmed by a pong) and VmRSS is read again; then 2000 SSE subscribers
# join and it is read a third time. All are held open together, so memory
# freed by one kind cannot be reused by the other. The per-subscriber cost
# is the growth divided by 2000 (the clients are node/subs.mjs `idle`: raw
# sockets, thousands in one process). Override the count with
# MM_IDLE_SUBSCRIBERS and the bound with MM_IDLE_MAX_BYTES; a sanitized
# (ASan) gregor is held to 128 KiB instead.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
source "$(dirname "$0")/subscriptions/lib.sh"
n=${MM_IDLE_SUBSCRIBERS:-2000}
max=${MM_IDLE_MAX_BYTES:-8192}
# Under AddressSanitizer every allocation carries redzones and freed memory
# sits in quarantine: resident memory says little about the design there, so
# a sanitized gregor gets a loose bound (the subscribers must still all work).
libs=$(ldd "$gregor" 2>/dev/null || true)
if [[ $libs == *libasan* ]]; then
    max=${MM_IDLE_MAX_BYTES:-131072}
    echo "subscriptions_idle: sanitized build: bound ${max} bytes (8 KiB holds for a plain build)"
fi

# The clients need a descriptor each, and so does the server.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
(($(ulimit -n) > 2 * n + 700)) || fail "ulimit -n $(ulimit -n) is too low for $n subscribers of each kind"

subs_setup
export MM_SUBSCRIPTIONS_MAX=$((2 * n + 400))
export FORMS_SERVICE=mmtest_subsidle_$$x$(date +%s)
printf 'http:\n  threads: 2\n  max_connections: %d\n' $((2 * n + 400)) >"$work/config.yaml"

e2e_serve_start "$work/serve" "$gregor" serve --app "$app" --config "$work/config.yaml" --listen 127.0.0.1:0
e2e_wait_ready "$base"

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$serve_pid/status"; }

# Starts `count` idle subscribers of `kind`; returns once they are all subscribed.
hold() {
    local kind=$1 count=$2 tag=$3
    # stdin from a fifo that stays open: the client holds its sockets until the end.
: >"$work/$tag.out"
    mkfifo "$work/$tag.in"
    sleep 100000 >"$work/$tag.in" &
    pids+=($!)
    node "$nodedir/subs.mjs" idle "$url" "$count" "$kind" "$FORMS_WS_TOKEN" <"$work/$tag.in" >"$work/$tag.out" 2>&1 &
    local p=$!
    pids+=($p)
    for _ in $(seq 1500); do
        grep -q '^READY' "$work/$tag.out" && return 0
        kill -0 "$p" 2>/dev/null || break
        sleep 0.1
    done
    cat "$work/$tag.out" >&2
    tail -n 20 "$work/serve.err" >&2
    fail "$count $kind subscribers did not all subscribe"
}

hold ws 100 warm_ws
hold sse 100 warm_sse
sleep 1
r0=$(rss_kb)
hold ws "$n" ws
sleep 1
r1=$(rss_kb)
hold sse "$n" sse
sleep 1
r2=$(rss_kb)
kill -0 "$serve_pid" || fail "gregor serve died"
ws_b=$(((r1 - r0) * 1024 / n))
sse_b=$(((r2 - r1) * 1024 / n))
echo "subscriptions_idle: RSS ${r0} kB with 200 warm-up subscribers; +$n WebSocket: ${r1} kB ($ws_b B each); +$n SSE: ${r2} kB ($sse_b B each)"
((ws_b <= max)) || fail "an idle WebSocket subscriber costs $ws_b bytes (> $max)"
((sse_b <= max)) || fail "an idle SSE subscriber costs $sse_b bytes (> $max)"
echo "subscriptions_idle: OK"
