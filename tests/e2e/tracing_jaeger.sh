#!/usr/bin/env bash
# tracing_jaeger.sh -- trace context end to end against a real Jaeger
# all-in-one v1.75.0 (built from the Go module proxy by
# scripts/fetch-jaeger.sh, cached outside the tree), receiving OTLP/HTTP in
# memory storage on free loopback ports (docs/tracing.md):
#   1. a synchronous createForm sent to a real `gregor serve` of the forms
#      example, handled by a real `gregor worker` (create_form), on the test
#      run's Kafka and Redis (a topic of its own), yields ONE trace: the HTTP
#      server span -> publish -> process (worker) -> the emit's publish and
#      the Redis result store, queried back through Jaeger's API
#      (/api/traces/<id>); the trace id comes from the server's access log
#      line (MM_LOG_FORMAT=json), which is how logs join traces;
#   2. an event the Python CloudEvents SDK publishes with a traceparent
#      continues that trace: the worker's process span is the child of the
#      SDK's span id, in the SDK's trace;
#   3. tracing configured to a collector that is down costs no request
#      (the mutation still answers) and the exporter reports dropped spans;
#   4. the exporter's health on gregor serve's /metrics: spans exported
#      (Jaeger accepted them), dropped and failed POSTs (the collector that
#      is down), each /metrics text passing `promtool check metrics`;
#   5. the exporter's kept-alive connection obeys Jaeger's `Connection: close`
#      (v1.75 closes after every POST): no POST fails, none is left open;
#   6. an SSE subscription's operation span (child of its request's server
#      span) and the delivery's process span in the mutation's trace, a child
#      of the emit's publish span, linked to the operation span
#      (tracing/check_subscription.py); over WebSocket the operation's span
#      is the SERVER root of its own trace (tracing/ws_subscribe.py), or,
#      when the upgrade request carried a traceparent (W2), a child of the
#      client's span in the client's trace.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
app=$bin_dir/examples/forms.so
mod=$app # start_serve (interop/lib.sh) serves $mod

e2e_require redis kafka gregor "$app"
# shellcheck source=interop/lib.sh
source "$src/tests/e2e/interop/lib.sh"

jaeger=$("$src/scripts/fetch-jaeger.sh") || fail "cannot build Jaeger all-in-one (scripts/fetch-jaeger.sh)"
py=$(interop_python 2)

e2e_work_dir

# Free loopback ports for every listener Jaeger opens.
read -r p_otlp p_otlp_grpc p_query p_query_grpc p_admin p_coll_grpc p_coll_http < <(python3 - <<'PY'
import socket
socks = [socket.socket() for _ in range(7)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
)
SPAN_STORAGE_TYPE=memory "$jaeger" \
    --collector.otlp.enabled=true \
    --collector.otlp.http.host-port=127.0.0.1:$p_otlp \
    --collector.otlp.grpc.host-port=127.0.0.1:$p_otlp_grpc \
    --collector.grpc-server.host-port=127.0.0.1:$p_coll_grpc \
    --collector.http-server.host-port=127.0.0.1:$p_coll_http \
    --query.http-server.host-port=127.0.0.1:$p_query \
    --query.grpc-server.host-port=127.0.0.1:$p_query_grpc \
    --admin.http.host-port=127.0.0.1:$p_admin >"$work/jaeger.log" 2>&1 &
pids+=($!)
query=http://127.0.0.1:$p_query
ready=
for _ in $(seq 300); do
    if curl -sf --max-time 2 "http://127.0.0.1:$p_admin/" >/dev/null &&
       curl -sf --max-time 2 "$query/api/services" >/dev/null; then ready=1; break; fi
    kill -0 "${pids[-1]}" 2>/dev/null || { tail -20 "$work/jaeger.log" >&2; fail "jaeger exited"; }
    sleep 0.1
done
[[ -n $ready ]] || { tail -20 "$work/jaeger.log" >&2; fail "jaeger not ready within 30 s"; }

run=t$$x$(date +%s)
topic=mmtest_trace_$run
export FORMS_SERVICE=$topic
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL MM_LOG_LEVEL=info
export MM_TRACING_ENDPOINT=http://127.0.0.1:$p_otlp MM_TRACING_SAMPLE_RATIO=1

"$gregor" worker --app "$app" --consumer create_form >"$work/worker.out" 2>"$work/worker.log" &
pids+=($!)
start_serve serve MM_LOG_FORMAT=json
url=$url_serve
base=${url%/graphql}
e2e_wait_ready "$base"

# 1. A synchronous createForm (the worker may still be joining its group:
# the 30 s sync timeout covers it).
body='{"query":"mutation { createForm(name: \"traced\", template: \"t\", timing: synchronous) { data { id form { name } } } }"}'
out=$(curl -s --max-time 60 -H 'content-type: application/json' --data-binary "$body" "$url")
grep -q '"name":"traced"' <<<"$out" || { tail -20 "$work/worker.log" >&2; fail "createForm did not answer: $out"; }
# The access log line (JSON) of that request names its trace.
trace_id=
for _ in $(seq 50); do
    trace_id=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    try: d = json.loads(line)
    except ValueError: continue
    if d.get("msg") == "http_access" and d.get("method") == "POST" and "trace_id" in d:
        print(d["trace_id"]); break' "$work/serve.err")
    [[ -n $trace_id ]] && break
    sleep 0.1
done
[[ $trace_id =~ ^[0-9a-f]{32}$ ]] || { tail -5 "$work/serve.err" >&2; fail "no trace_id on the access log line"; }
echo "tracing_jaeger: createForm trace $trace_id"
python3 "$src/tests/e2e/tracing/check_trace.py" "$query" "$trace_id" "$topic" http ||
    fail "the createForm trace is not whole"

# A traceparent sent by the client is continued: the server span is its child.
client_trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
client_span=$(python3 -c 'import secrets; print(secrets.token_hex(8))')
out=$(curl -s --max-time 60 -H 'content-type: application/json' \
    -H "traceparent: 00-$client_trace-$client_span-01" -H 'tracestate: client=1' \
    --data-binary "$body" "$url")
grep -q '"name":"traced"' <<<"$out" || fail "createForm with traceparent did not answer: $out"
python3 - "$query" "$client_trace" "$client_span" <<'PY' || fail "the client's traceparent was not continued"
import json, sys, time, urllib.request
url, tid, sid = sys.argv[1:]
deadline = time.time() + 30
while time.time() < deadline:
    try:
        spans = json.load(urllib.request.urlopen(f"{url}/api/traces/{tid}", timeout=5))["data"][0]["spans"]
    except Exception:
        spans = []
    if len(spans) >= 5:
        server = [s for s in spans if any(t["key"] == "span.kind" and t["value"] == "server" for t in s["tags"])]
        if len(server) == 1 and server[0]["references"][0]["spanID"] == sid:
            sys.exit(0)
        sys.exit(f"server span parent: {server and server[0]['references']}")
    time.sleep(0.5)
sys.exit("no spans")
PY

# 2. An event from another producer (the Python SDK) carrying a traceparent.
sdk_trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
sdk_span=$(python3 -c 'import secrets; print(secrets.token_hex(8))')
"$py" "$src/tests/e2e/tracing/ce_traced.py" "$MM_TEST_KAFKA_BOOTSTRAP" "$topic" \
    "00-$sdk_trace-$sdk_span-01" "from-sdk" >/dev/null || fail "the SDK could not publish"
python3 "$src/tests/e2e/tracing/check_trace.py" "$query" "$sdk_trace" "$topic" sdk "$sdk_span" ||
    fail "the SDK event's trace was not continued"

# The exporter's kept-alive connection against a real collector. Jaeger
# v1.75's all-in-one answers every OTLP/HTTP POST with `Connection: close`
# (it builds its receiver's confighttp.ServerConfig without
# KeepAlivesEnabled), so here the exporter must obey it: a new connection
# per batch, no failed POST, no connection left open. Against a collector
# that keeps connections (an OpenTelemetry Collector, the unit tests' fake
# one), the next batch goes on the same connection; that branch runs when a
# later Jaeger stops closing.
serve_pid=${pids[2]}
otlp_conns() { # the local address:port of serve's connections to Jaeger's OTLP port
    ss -Htnp state established "( dport = :$p_otlp )" | { grep "pid=$serve_pid," || true; } |
        awk '{print $3}' | sort -u
}
metric_of() { curl -sf --max-time 5 "${url%/graphql}/metrics" | sed -n "s/^$1 //p"; }
jaeger_closes=$(curl -s -o /dev/null -D - -X POST -H 'Content-Type: application/x-protobuf' \
    --data-binary '' "http://127.0.0.1:$p_otlp/v1/traces" | tr -d '\r' | grep -ci '^connection: close' || true)
conn1=$(otlp_conns)
before=$(metric_of mm_trace_spans_exported_total)
out=$(curl -s --max-time 60 -H 'content-type: application/json' --data-binary "$body" "$url")
grep -q '"name":"traced"' <<<"$out" || fail "createForm did not answer: $out"
for _ in $(seq 50); do [[ $(metric_of mm_trace_spans_exported_total) -gt $before ]] && break; sleep 0.1; done
[[ $(metric_of mm_trace_spans_exported_total) -gt $before ]] || fail "the next batch was not exported"
[[ $(metric_of mm_trace_export_failures_total) == 0 ]] || fail "a POST to Jaeger failed"
conn2=$(otlp_conns)
if [[ $jaeger_closes -gt 0 ]]; then
    [[ -z $conn1 && -z $conn2 ]] || fail "Jaeger said Connection: close, serve kept '$conn1' '$conn2'"
    echo "tracing_jaeger: Jaeger closes after each POST; the exporter reconnects, nothing failed"
else
    [[ -n $conn1 && $conn2 == "$conn1" ]] || fail "the next batch did not reuse the connection: '$conn1' then '$conn2'"
    echo "tracing_jaeger: one kept-alive connection to Jaeger ($conn1)"
fi

# 6. Subscriptions: an SSE subscription (with a client traceparent) gets
# the form a mutation creates; the operation's span is in the SSE request's
# trace, the delivery's process span in the mutation's, linked to it.
sub_trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
sub_parent=$(python3 -c 'import secrets; print(secrets.token_hex(8))')
curl -sN --max-time 40 "$url" -H 'accept: text/event-stream' -H 'content-type: application/json' \
    -H "traceparent: 00-$sub_trace-$sub_parent-01" \
    -d '{"query":"subscription S { formCreated(name: \"traced-sub\") { id name } }","operationName":"S"}' \
    >"$work/sse.txt" 2>/dev/null &
sse_pid=$!
pids+=("$sse_pid")
sub_body='{"query":"mutation { createForm(name: \"traced-sub\", template: \"t\", timing: synchronous) { data { id } } }"}'
mut_traces=()
for _ in $(seq 30); do # until the subscription has seen one (it starts from now)
    mt=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
    mut_traces+=("$mt")
    curl -s --max-time 30 -H 'content-type: application/json' \
        -H "traceparent: 00-$mt-$(python3 -c 'import secrets; print(secrets.token_hex(8))')-01" \
        --data-binary "$sub_body" "$url" >/dev/null
    grep -q '"traced-sub"' "$work/sse.txt" && break
    sleep 0.3
done
grep -q '"traced-sub"' "$work/sse.txt" || fail "the SSE subscription got no event: $(cat "$work/sse.txt")"
kill -TERM "$sse_pid" 2>/dev/null || true # the client leaves: the operation ends
wait "$sse_pid" 2>/dev/null || true
unset 'pids[-1]' # (the ends below count on the servers' places in pids)
python3 "$src/tests/e2e/tracing/check_subscription.py" "$query" "$sub_trace" "$sub_parent" "$topic" \
    "${mut_traces[@]}" || fail "the subscription's spans are not as documented"

# A WebSocket subscription OP to the forms named NAME (tracing/ws_subscribe.py,
# its output in $work/OUT; TRACEPARENT, if given, on the upgrade request)
# gets the form a mutation creates: creates one until it arrives (30 tries),
# then waits for the client, which exits after its first event.
ws_subscription_event() {
    local op=$1 name=$2 out=$work/$3 traceparent=${4:-} ws_pid body
    python3 "$src/tests/e2e/tracing/ws_subscribe.py" "$url" \
        "subscription $op { formCreated(name: \"$name\") { id name } }" "$op" \
        ${traceparent:+"$traceparent"} >"$out" 2>&1 &
    ws_pid=$!
    pids+=("$ws_pid")
    for _ in $(seq 100); do grep -q subscribed "$out" && break; sleep 0.1; done
    body=$(printf '{"query":"mutation { createForm(name: \\"%s\\", template: \\"t\\", timing: synchronous) { data { id } } }"}' "$name")
    for _ in $(seq 30); do
        curl -s --max-time 30 -H 'content-type: application/json' --data-binary "$body" "$url" >/dev/null
        grep -q "\"$name\"" "$out" && break
        sleep 0.3
    done
    wait "$ws_pid" || fail "the WebSocket subscription $op got no event: $(cat "$out")"
    unset 'pids[-1]'
}

# The same over WebSocket: the operation is the SERVER root of its own trace
# (its messages arrive after the upgrade request ended), found by name.
ws_subscription_event W traced-ws ws.txt
python3 - "$query" <<'PY' || fail "no WebSocket subscription span"
import json, sys, time, urllib.parse, urllib.request
url = sys.argv[1]
deadline = time.time() + 30
while time.time() < deadline:
    q = urllib.parse.urlencode({"service": "gregor-serve", "operation": "subscription W", "limit": 5})
    try:
        data = json.load(urllib.request.urlopen(f"{url}/api/traces?{q}", timeout=5))["data"]
    except Exception:
        data = []
    for tr in data:
        for sp in tr["spans"]:
            if sp["operationName"] != "subscription W":
                continue
            t = {x["key"]: x["value"] for x in sp["tags"]}
            assert t.get("span.kind") == "server", t
            assert not [r for r in sp["references"] if r["refType"] == "CHILD_OF"], "not a root"
            assert t.get("metamorphosis.subscription.transport") == "ws", t
            assert t.get("graphql.operation.name") == "W", t
            assert int(t.get("metamorphosis.subscription.events_delivered", 0)) >= 1, t
            print("tracing_jaeger: WebSocket subscription span", sp["spanID"])
            sys.exit(0)
    time.sleep(0.5)
sys.exit("not found")
PY

# WebSocket with a traceparent on the upgrade request: the operation's
# SERVER span continues it (its parent is the client's span, in the
# client's trace), as an SSE operation continues its request's.
ws_trace=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
ws_parent=$(python3 -c 'import secrets; print(secrets.token_hex(8))')
ws_subscription_event W2 traced-ws2 ws2.txt "00-$ws_trace-$ws_parent-01"
python3 - "$query" "$ws_trace" "$ws_parent" <<'PY' || fail "the WebSocket operation did not continue the upgrade's traceparent"
import json, sys, time, urllib.request
url, trace, parent = sys.argv[1:4]
deadline, last = time.time() + 30, None
while time.time() < deadline:
    try:
        data = json.load(urllib.request.urlopen(f"{url}/api/traces/{trace}", timeout=5))["data"]
    except Exception:
        data = []
    for tr in data:
        for sp in tr["spans"]:
            if sp["operationName"] != "subscription W2":
                continue
            last = sp
            t = {x["key"]: x["value"] for x in sp["tags"]}
            if int(t.get("metamorphosis.subscription.events_delivered", 0)) < 1:
                continue  # not ended yet
            assert sp["traceID"] == trace, sp["traceID"]
            refs = [r for r in sp["references"] if r["refType"] == "CHILD_OF"]
            assert [(r["traceID"], r["spanID"]) for r in refs] == [(trace, parent)], refs
            assert t.get("span.kind") == "server", t
            assert t.get("metamorphosis.subscription.transport") == "ws", t
            print("tracing_jaeger: WebSocket operation continued the upgrade's traceparent", sp["spanID"])
            sys.exit(0)
    time.sleep(0.5)
sys.exit(f"subscription W2 not found in trace {trace} (last seen: {last})")
PY

# The worker's logs joined: its process saw the traced events (info lines
# written while handling carry trace_id when there are any).
kill -0 "${pids[0]}" 2>/dev/null || fail "jaeger died"

# 3. A collector that is down: requests are answered, spans are dropped.
p_dead=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_serve dead MM_TRACING_ENDPOINT=http://127.0.0.1:$p_dead MM_TRACING_TIMEOUT_MS=200
out=$(curl -s --max-time 60 -H 'content-type: application/json' --data-binary "$body" "$url_dead")
grep -q '"name":"traced"' <<<"$out" || fail "with the collector down createForm did not answer: $out"
for _ in $(seq 50); do grep -q 'trace export failed, spans dropped' "$work/dead.err" && break; sleep 0.1; done
grep -q 'trace export failed, spans dropped' "$work/dead.err" || fail "no dropped-spans warning with the collector down"

# 4. The exporter's health on /metrics (the counters move at the exporter's
# next batch: within its 1 s interval, or the 200 ms deadline of a POST).
# metric URL NAME -> the sample's value (empty when absent).
metric() { curl -sf --max-time 5 "${1%/graphql}/metrics" | sed -n "s/^$2 //p"; }
for _ in $(seq 50); do
    [[ $(metric "$url" mm_trace_spans_exported_total) -gt 0 ]] 2>/dev/null && break
    sleep 0.1
done
[[ $(metric "$url" mm_trace_spans_exported_total) -ge 2 ]] || fail "mm_trace_spans_exported_total is not counting: $(metric "$url" mm_trace_spans_exported_total)"
[[ $(metric "$url" mm_trace_spans_dropped_total) == 0 ]] || fail "spans dropped with Jaeger up"
for _ in $(seq 50); do
    [[ $(metric "$url_dead" mm_trace_export_failures_total) -gt 0 ]] 2>/dev/null && break
    sleep 0.1
done
[[ $(metric "$url_dead" mm_trace_export_failures_total) -ge 1 ]] || fail "no export failure counted with the collector down"
[[ $(metric "$url_dead" mm_trace_spans_dropped_total) -ge 1 ]] || fail "no dropped span counted with the collector down"
[[ $(metric "$url_dead" mm_trace_spans_exported_total) == 0 ]] || fail "spans counted exported to a closed port"
[[ -n $(metric "$url_dead" mm_trace_queue_bytes) ]] || fail "no mm_trace_queue_bytes"
promtool=$("$src/scripts/fetch-promtool.sh") || fail "scripts/fetch-promtool.sh failed"
for u in "$url" "$url_dead"; do
    curl -sf --max-time 5 "${u%/graphql}/metrics" >"$work/metrics.txt" || fail "no /metrics at $u"
    "$promtool" check metrics <"$work/metrics.txt" || fail "promtool check metrics failed on $u/metrics"
done

# gregor stops cleanly with tracing on (exit 0: under ASan, no leak of a
# span or of the exporter either): the servers, then the worker.
for i in 3 2 1; do
    rc=0
    e2e_stop "${pids[$i]}" 30 || rc=$?
    [[ $rc -eq 0 ]] || { tail -20 "$work"/*.log >&2; fail "a gregor process (pid ${pids[$i]}) exited with $rc on SIGTERM"; }
done
pids=("${pids[0]}")

echo "tracing_jaeger: ok"
