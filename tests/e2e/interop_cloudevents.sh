#!/usr/bin/env bash
# interop_cloudevents.sh -- CloudEvents conformance with the official SDKs on
# the test run's real Kafka and Redis (docs/wire-format.md, "Decoding").
#
# The Python SDK (1.x and 2.x APIs, confluent-kafka), the JavaScript SDK
# (cloudevents 10, kafkajs) and the Java SDK (cloudevents-kafka 4.0.1,
# kafka-clients 4.1.1) each write CreateFormEvents in binary and
# structured mode (data and data_base64, SDK extensions, with and without
# the type prefix) to one topic; a real `gregor worker` running
# tests/e2e/interop/mod_interop.c with MM_EVENT_TYPE_PREFIX set must handle
# every one (asserted in Redis: type, source, subject, traceparent,
# partitionkey, data), dead-letter none, and every FormRecorded event it
# writes back must parse in all four.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
mod=$bin_dir/tests/mod_interop.so

e2e_require redis kafka gregor "$mod" cmd:redis-cli:redis-tools
# shellcheck source=interop/lib.sh
source "$src/tests/e2e/interop/lib.sh"

py1=$(interop_python 1)
py2=$(interop_python 2)
nodedir=$(interop_node_dir)
javacp=$(interop_java_classpath)
java_sdk=(java -cp "$javacp" "$src/tests/e2e/interop/java/CeSdk.java")

e2e_work_dir

kafka=$MM_TEST_KAFKA_BOOTSTRAP
svc=mminterop_$$_$(date +%s%N)
prefix=com.example.forms
export MM_INTEROP_SERVICE=$svc
redis=(redis-cli -u "$MM_TEST_REDIS_URL" --no-auth-warning)

# A malformed prefix stops the process before it touches Kafka.
if MM_EVENT_TYPE_PREFIX=.bad timeout 30 "$gregor" worker --app "$mod" --consumer record >/dev/null 2>"$work/bad.log"; then
    fail "gregor worker started with event_type_prefix '.bad'"
fi
grep -q "event_type_prefix '.bad' is not a type prefix" "$work/bad.log" || fail "bad prefix: $(cat "$work/bad.log")"

"$py1" "$src/tests/e2e/interop/ce_sdk.py" create "$kafka" "$svc" "$svc.dlq"

MM_KAFKA_BOOTSTRAP_SERVERS=$kafka MM_REDIS_URL=$MM_TEST_REDIS_URL MM_EVENT_TYPE_PREFIX=$prefix \
MM_LOG_LEVEL=warn "$gregor" worker --app "$mod" --consumer record >"$work/worker.out" 2>"$work/worker.log" &
worker_pid=$!
pids+=("$worker_pid")

expect=$work/expected.jsonl
t0=$(date +%s%N)
"$py1" "$src/tests/e2e/interop/ce_sdk.py" produce "$kafka" "$svc" py1 "$prefix" "$expect"
"$py2" "$src/tests/e2e/interop/ce_sdk.py" produce "$kafka" "$svc" py2 "$prefix" "$expect"
node "$nodedir/ce_sdk.mjs" produce "$kafka" "$svc" js "$prefix" "$expect"
timeout 120 "${java_sdk[@]}" produce "$kafka" "$svc" java "$prefix" "$expect"
total=$(wc -l <"$expect")

# Every event handled: the service's counter reaches the total (90 s deadline).
count=0
for _ in $(seq 450); do
    count=$("${redis[@]}" GET "mm:state:$svc:count")
    [[ ${count:-0} -ge $total ]] && break
    kill -0 "$worker_pid" 2>/dev/null || { cat "$work/worker.log" >&2; fail "gregor worker exited"; }
    sleep 0.2
done
t1=$(date +%s%N)
if [[ ${count:-0} -lt $total ]]; then
    echo "--- worker log ---" >&2
    tail -30 "$work/worker.log" >&2
    echo "--- dead letters ---" >&2
    timeout 20 kcat -C -b "$kafka" -t "$svc.dlq" -o beginning -e -f '%h\n' 2>/dev/null | head -20 >&2 || true
    fail "our consumer handled ${count:-0} of $total SDK events"
fi

# What it recorded is what each SDK sent.
while read -r line; do
    id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$line")
    got=$("${redis[@]}" GET "mm:state:$svc:ev:$id")
    python3 - "$line" "$got" <<'PY' || fail "event $id recorded wrongly"
import json, sys
want, got = json.loads(sys.argv[1]), json.loads(sys.argv[2] or "null")
if got is None:
    sys.exit(f"not recorded: {want['id']}")
checks = {"type": "CreateFormEvent", "data": want["data"], "source": want["source"],
          "subject": want["subject"], "traceparent": want["traceparent"],
          "partitionkey": want["partitionkey"]}
bad = {k: (v, got.get(k)) for k, v in checks.items() if got.get(k) != v}
if bad:
    sys.exit(f"{want['id']}: expected/got {bad}")
PY
done <"$expect"

dead=$(timeout 20 kcat -C -b "$kafka" -t "$svc.dlq" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l || true)
[[ $dead -eq 0 ]] || fail "$dead SDK events were dead-lettered"

# Every event we wrote parses in every SDK.
"$py1" "$src/tests/e2e/interop/ce_sdk.py" parse "$kafka" "$svc" "$prefix" "$total"
"$py2" "$src/tests/e2e/interop/ce_sdk.py" parse "$kafka" "$svc" "$prefix" "$total"
node "$nodedir/ce_sdk.mjs" parse "$kafka" "$svc" "$prefix" "$total"
timeout 120 "${java_sdk[@]}" parse "$kafka" "$svc" "$prefix" "$total"

# The worker stops cleanly on SIGTERM (exit 0: under ASan, no leak either).
status=0
e2e_stop "$worker_pid" 30 || status=$?
pids=()
[[ $status -eq 0 ]] || fail "gregor worker exited with status $status on SIGTERM: $(tail -20 "$work/worker.log")"

echo "interop_cloudevents: $total SDK events (Python 1.x, 2.x, JavaScript, Java; binary and structured)" \
     "handled (all produced and handled in $(((t1 - t0) / 1000000)) ms), none dead-lettered; our $total events" \
     "parsed by all four SDKs"
echo "1 passed, 0 failed"
