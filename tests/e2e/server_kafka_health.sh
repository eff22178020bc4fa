#!/usr/bin/env bash
# server_kafka_health.sh -- /readyz follows Kafka (issue 13): a real
# `gregor serve` on its own Kafka broker (started here) and the run's Redis.
# The broker is SIGSTOPped (hung: connections stay open, nothing answers):
# /readyz must be unready within 2 s and a mutation must fail with
# KAFKA_UNAVAILABLE (HTTP 503) within MM_KAFKA_UNAVAILABLE_MS=2000 (+1 s);
# after SIGCONT /readyz must be ready again (within 10 s) and a synchronous
# mutation published again (no consumer runs: it times out with the message
# that says the event was acknowledged). Then the broker is killed: unready
# within 2 s again.
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require redis gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir GREGOR=$gregor REDIS_URL=$MM_TEST_REDIS_URL

e2e_work_dir
WORK=$work
failed=0
post() { # URL BODY MAXTIME OUT: "status seconds" in OUT, the body in OUT.body
    curl -s -o "$4.body" -w '%{http_code} %{time_total}' --max-time "$3" "$1" \
        -H 'content-type: application/json' -H 'accept: application/graphql-response+json' \
        --data-binary "$2" >"$4" 2>/dev/null || echo "000 $3" >"$4"
}
ms_of() { awk -v s="$1" 'BEGIN{printf "%d", s*1000}'; }

e2e_own_server kafka
KAFKA=$MM_TEST_KAFKA_BOOTSTRAP
KAFKA_PID=$own_pid

name="mmkh$$"
e2e_serve_start "$WORK/serve" env MM_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" MM_REDIS_URL="$REDIS_URL" \
    MM_FAULTS_SERVICE="$name" MM_LOG_LEVEL=warn MM_KAFKA_UNAVAILABLE_MS=2000 MM_SYNC_TIMEOUT_MS=3000 \
    "$GREGOR" serve --app "$BIN/tests/mod_faults.so" --listen 127.0.0.1:0
URL=$url BASE=$base

t=$(wait_status "$BASE/readyz" 200 30)
check "ready with its Kafka up (${t} ms)" test "$t" -ge 0
# One asynchronous mutation first: creates the topic, warms the producer.
for _ in $(seq 60); do
    post "$URL" '{"query":"mutation { tick(n: 0) { data { id } } }"}' 15 "$WORK/warm"
    grep -q '"data":{"tick":{"data":{"id"' "$WORK/warm.body" && break
    sleep 0.5
done
check "an asynchronous mutation is published with Kafka up" grep -q '"data":{"tick":{"data":{"id"' "$WORK/warm.body"

kill -STOP "$KAFKA_PID"
t=$(wait_status "$BASE/readyz" 503 5)
check "/readyz unready within 2 s of Kafka hanging (${t} ms)" test "$t" -ge 0 -a "$t" -le 2000
curl -s --max-time 2 "$BASE/readyz" >"$WORK/readyz.txt"
check "/readyz names Kafka" grep -q Kafka "$WORK/readyz.txt"
post "$URL" '{"query":"mutation { tick(n: 1) { data { id } } }"}' 10 "$WORK/m1"
read -r st secs <"$WORK/m1"
ms=$(ms_of "$secs")
check "a mutation with Kafka hung fails with 503 within 3 s (status $st, ${ms} ms)" test "$st" = 503 -a "$ms" -le 3000
check "  ...with KAFKA_UNAVAILABLE" grep -q '"code":"KAFKA_UNAVAILABLE"' "$WORK/m1.body"
post "$URL" '{"query":"{ __typename }"}' 2 "$WORK/tn"
check "queries answer with Kafka hung" grep -q '"__typename":"Query"' "$WORK/tn.body"

kill -CONT "$KAFKA_PID"
t=$(wait_status "$BASE/readyz" 200 15)
check "/readyz ready again after Kafka resumes (${t} ms)" test "$t" -ge 0 -a "$t" -le 10000
post "$URL" '{"query":"mutation { tick(n: 2, timing: synchronous) { data { id } } }"}' 15 "$WORK/m2"
check "a synchronous mutation is published again (times out waiting: no consumer)" \
    grep -q '"code":"TIMEOUT"' "$WORK/m2.body"
check "  ...saying its result can still be fetched (Kafka acknowledged it)" \
    grep -q 'can still be fetched' "$WORK/m2.body"

kill -KILL -- "-$KAFKA_PID" 2>/dev/null || kill -KILL "$KAFKA_PID"
t=$(wait_status "$BASE/readyz" 503 5)
check "/readyz unready within 2 s of Kafka dying (${t} ms)" test "$t" -ge 0 -a "$t" -le 2000

st=0
e2e_stop "$SERVE_PID" 30 || st=$?
check "gregor serve exits 0 on SIGTERM" test "$st" -eq 0
exit $failed
