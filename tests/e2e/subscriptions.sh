#!/usr/bin/env bash
# subscriptions.sh -- GraphQL subscriptions (docs/subscriptions.md) with the
# real clients from npm, graphql-ws (over ws) and graphql-sse (pinned in
# tests/e2e/subscriptions/node/package-lock.json, installed into the build
# directory), against a real `gregor serve` and `gregor worker` of the forms
# example on the test Kafka and Redis (driver: node/subs.mjs):
#   main      forms created through mutations reach a graphql-ws and a
#             graphql-sse subscriber exactly once, in the same order; the
#             name filter; eventResult before and after the result exists;
#             an invalid subscription is an error
#   auth      connection_init refused by the service's callback: 4403
#   slow      a client that stops reading is cut off (SLOW_CONSUMER, 1008)
#             while another keeps receiving every event
#   protocol  graphql-transport-ws over a raw socket: the close codes
#             4400/4401/4408/4409/4429, ping/pong, fragments, complete, the
#             limits per connection (5) and per server (12), an eventResult
#             that never comes ends with RESULT_TIMEOUT (4 s here)
#   partitions a partition added to the service's topic after the server
#             started is read (kafkajs adds it and produces to it)
#   graphiql  headless Chromium: the GraphiQL page subscribes (over SSE) and
#             shows a form created afterwards; screenshot artifacts/graphiql-subscription.png
#   shutdown  SIGTERM completes every subscription (WebSocket, SSE,
#             eventResult) and the server exits 0
# The service runs under its own name (FORMS_SERVICE: its topic, consumer
# groups and Redis keys), so other tests on the shared Kafka do not matter.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
source "$(dirname "$0")/subscriptions/lib.sh"
[[ -x /usr/bin/chromium ]] || cannot_run "chromium is not installed (Debian: apt-get install -y chromium)"
# GraphiQL's assets next to gregor, served offline (cached after the first fetch).
MM_BINARY_DIR=$bin_dir bash "$src/scripts/fetch-graphiql.sh" "$(dirname "$gregor")/graphiql" >/dev/null ||
    fail "cannot fetch GraphiQL's assets (scripts/fetch-graphiql.sh)"
mkdir -p "$src/artifacts"
# The clients (pinned, into the build directory), $work, the environment.
subs_setup

export MM_KAFKA_PROP_TOPIC_METADATA_REFRESH_INTERVAL_MS=1000
export MM_SUBSCRIPTIONS_QUEUE_BYTES=65536 MM_SUBSCRIPTIONS_PER_CONNECTION=5 MM_SUBSCRIPTIONS_MAX=12 \
    MM_SUBSCRIPTIONS_RESULT_TIMEOUT_MS=4000 MM_SUBSCRIPTIONS_PARTITION_REFRESH_MS=1000
run=s$$x$(date +%s)
export FORMS_SERVICE=mmtest_subs_$run

"$gregor" worker --app "$app" --consumer create_form >"$work/worker.out" 2>"$work/worker.log" &
pids+=($!)
e2e_serve_start "$work/serve" "$gregor" serve --app "$app" --listen 127.0.0.1:0
e2e_wait_ready "$base"

# A plain curl SSE request is a well-formed event stream (what the demo prints).
curl -sN --max-time 10 "$url" -H 'accept: text/event-stream' -H 'content-type: application/json' \
    -d '{"query":"subscription { nope }"}' >"$work/sse_bad.txt" || true
grep -q '^event: next' "$work/sse_bad.txt" && grep -q '^event: complete' "$work/sse_bad.txt" ||
    fail "an invalid SSE subscription did not answer next + complete: $(cat "$work/sse_bad.txt")"
# A WebSocket upgrade without the subprotocol is refused.
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$url" -H 'Connection: Upgrade' -H 'Upgrade: websocket' \
    -H 'Sec-WebSocket-Version: 13' -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
[[ $code == 400 ]] || fail "an upgrade without graphql-transport-ws got $code, want 400"

for mode in main auth slow protocol; do
    timeout 120 node "$nodedir/subs.mjs" "$mode" "$url" "$run$mode" "$FORMS_WS_TOKEN" || {
        tail -n 30 "$work/serve.err" >&2
        fail "$mode"
    }
done
grep -q 'subscription client too slow' "$work/serve.err" || fail "the slow client was not logged"
timeout 120 node "$nodedir/subs.mjs" graphiql "$url" "${run}graphiql" "$src/artifacts/graphiql-subscription.png" ||
    fail graphiql
# After the modes that wait for particular forms: it adds a partition to the
# service's topic, which the worker's group reads only once its metadata is
# refreshed (1 s here, MM_KAFKA_PROP_ above; 5 min by default).
timeout 120 node "$nodedir/subs.mjs" partitions "$url" "${run}partitions" "$FORMS_WS_TOKEN" \
    "$MM_TEST_KAFKA_BOOTSTRAP" "$FORMS_SERVICE" || { tail -n 30 "$work/serve.err" >&2; fail partitions; }

timeout 120 node "$nodedir/subs.mjs" shutdown "$url" "${run}shutdown" "$FORMS_WS_TOKEN" >"$work/shutdown.out" 2>&1 &
node_pid=$!
for _ in $(seq 600); do
    grep -q READY "$work/shutdown.out" && break
    kill -0 "$node_pid" 2>/dev/null || break
    sleep 0.1
done
grep -q READY "$work/shutdown.out" || { cat "$work/shutdown.out" >&2; fail "shutdown: the subscribers did not start"; }
kill -TERM "$serve_pid"
status=0
wait "$node_pid" || status=$?
cat "$work/shutdown.out"
[[ $status == 0 ]] || fail "shutdown: the subscriptions did not all complete"
serve_status=0
wait "$serve_pid" || serve_status=$?
[[ $serve_status == 0 ]] || { tail -n 30 "$work/serve.err" >&2; fail "gregor serve exited with $serve_status"; }
echo "subscriptions: OK"
