#!/usr/bin/env bash
# server_deps.sh -- a real `gregor serve` whose dependencies fail (issue 13):
#   1. its Redis (its own, started here) SIGSTOPped for 30 s: `{ __typename }`
#      and /healthz keep answering (each within 1 s), 16 concurrent
#      eventResult requests fail with STORE_UNAVAILABLE within their deadline
#      (MM_REDIS_TIMEOUT_MS=1000, + 1.5 s slack), /readyz is unready within
#      2 s and ready again within 5 s of SIGCONT;
#   2. an over-long eventResult(id:) is BAD_USER_INPUT;
#   3. Kafka unreachable (a dead port) from the start: /readyz says Kafka,
#      a mutation sent at once fails with KAFKA_UNAVAILABLE (HTTP 503)
#      within MM_KAFKA_UNAVAILABLE_MS=2000 (+ 1 s slack); later ones are held
#      unpublished for those 2 s (in case Kafka returns) and refused with no
#      event id; no error claims a result for the event.
# Kafka for part 1 is the run's shared broker (only read by the probes).
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require kafka gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir GREGOR=$gregor KAFKA=$MM_TEST_KAFKA_BOOTSTRAP
source "$ROOT/scripts/lib/fixture.sh"

e2e_work_dir
WORK=$work
failed=0
# post URL BODY MAXTIME OUTFILE: writes "status seconds" then the body.
post() {
    curl -s -o "$4.body" -w '%{http_code} %{time_total}' --max-time "$3" "$1" \
        -H 'content-type: application/json' -H 'accept: application/graphql-response+json' \
        --data-binary "$2" >"$4" 2>/dev/null || echo "000 $3" >"$4"
}

# start_serve KAFKA REDIS NAME: sets URL, BASE, SERVE_PID.
start_serve() {
    e2e_serve_start "$WORK/$3" env MM_KAFKA_BOOTSTRAP_SERVERS="$1" MM_REDIS_URL="$2" MM_FAULTS_SERVICE="$3" \
        MM_LOG_LEVEL=warn MM_REDIS_TIMEOUT_MS=1000 MM_KAFKA_UNAVAILABLE_MS=2000 \
        "$GREGOR" serve --app "$BIN/tests/mod_faults.so" --listen 127.0.0.1:0
    URL=$url BASE=$base
}

e2e_own_server redis
REDIS_URL=$MM_TEST_REDIS_URL
REDIS_PID=$own_pid

# ---- 1. Redis hung ------------------------------------------------------------
start_serve "$KAFKA" "$REDIS_URL" "mmdeps$$"
t=$(wait_status "$BASE/readyz" 200 30)
check "ready with Kafka and Redis up (${t} ms)" test "$t" -ge 0

kill -STOP "$REDIS_PID"
stopped_at=$(now_ms)
t=$(wait_status "$BASE/readyz" 503 5)
check "/readyz unready within 2 s of Redis hanging (${t} ms)" test "$t" -ge 0 -a "$t" -le 2000
curl -s --max-time 2 "$BASE/readyz" >"$WORK/readyz.txt"
check "/readyz names Redis" grep -q Redis "$WORK/readyz.txt"

er_pids=()
for i in $(seq 16); do
    post "$URL" '{"query":"{ eventResult(id: \"00000000-0000-4000-8000-00000000000'$((i % 10))'\") { status } }"}' \
        10 "$WORK/er$i" &
    er_pids+=($!)
done
# a service resolver reading state (mm_state_get): runs off the I/O threads,
# fails within its state deadline (1 s) instead of holding anything
for i in $(seq 8); do
    post "$URL" '{"query":"{ ticksHandled }"}' 10 "$WORK/th$i" &
    er_pids+=($!)
done
probe_fail=0 probes=0 slowest=0
while (($(now_ms) - stopped_at < 30000)); do
    post "$URL" '{"query":"{ __typename }"}' 1 "$WORK/tn"
    read -r st secs <"$WORK/tn"
    if [[ $st != 200 ]] || ! grep -q '"__typename":"Query"' "$WORK/tn.body"; then probe_fail=$((probe_fail + 1)); fi
    hz=$(status_of "$BASE/healthz" 1)
    [[ $hz == 200 ]] || probe_fail=$((probe_fail + 1))
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    ((ms > slowest)) && slowest=$ms
    probes=$((probes + 1))
    sleep 0.5
done
wait "${er_pids[@]}" # the eventResult requests (each bounded by curl --max-time)
check "{ __typename } and /healthz answered all $probes probes within 1 s during 30 s of hung Redis (slowest ${slowest} ms)" \
    test "$probe_fail" -eq 0 -a "$probes" -ge 20
slow_er=0 bad_er=0 max_er=0
for i in $(seq 16); do
    read -r st secs <"$WORK/er$i"
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    ((ms > 2500)) && slow_er=$((slow_er + 1))
    ((ms > max_er)) && max_er=$ms
    grep -q '"code":"STORE_UNAVAILABLE"' "$WORK/er$i.body" || { bad_er=$((bad_er + 1)); cat "$WORK/er$i.body" >&2; }
done
check "16 concurrent eventResult failed with STORE_UNAVAILABLE (bad: $bad_er) within 2.5 s (late: $slow_er, slowest ${max_er} ms)" \
    test "$bad_er" -eq 0 -a "$slow_er" -eq 0
slow_th=0 bad_th=0 max_th=0
for i in $(seq 8); do
    read -r st secs <"$WORK/th$i"
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    ((ms > 2500)) && slow_th=$((slow_th + 1))
    ((ms > max_th)) && max_th=$ms
    grep -q 'ticksHandled unavailable' "$WORK/th$i.body" || { bad_th=$((bad_th + 1)); cat "$WORK/th$i.body" >&2; }
done
check "8 concurrent state-reading resolvers failed within their deadline (bad: $bad_th, late: $slow_th, slowest ${max_th} ms)" \
    test "$bad_th" -eq 0 -a "$slow_th" -eq 0

kill -CONT "$REDIS_PID"
t=$(wait_status "$BASE/readyz" 200 15)
check "/readyz ready again within 8 s of Redis resuming (${t} ms; the result subscription is re-made)" \
    test "$t" -ge 0 -a "$t" -le 8000
post "$URL" '{"query":"{ eventResult(id: \"00000000-0000-4000-8000-000000000000\") { status } }"}' 5 "$WORK/er_after"
check "eventResult answers again" grep -q '"data":{"eventResult":null}' "$WORK/er_after.body"

# ---- 2. over-long id ------------------------------------------------------------
long=$(head -c 300 /dev/zero | tr '\0' a)
post "$URL" '{"query":"{ eventResult(id: \"'$long'\") { status } }"}' 5 "$WORK/er_long"
check "an over-long eventResult(id:) is BAD_USER_INPUT" grep -q '"code":"BAD_USER_INPUT"' "$WORK/er_long.body"

# ---- 3. Kafka unreachable ---------------------------------------------------------
dead=$(free_port)
start_serve "127.0.0.1:$dead" "$REDIS_URL" "mmdeadk$$"
post "$URL" '{"query":"mutation { tick(n: 1) { data { id } } }"}' 10 "$WORK/m1"
read -r st secs <"$WORK/m1"
ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
check "a mutation sent at start fails with 503 KAFKA_UNAVAILABLE within 3 s (status $st, ${ms} ms)" \
    test "$st" = 503 -a "$ms" -le 3000
check "  ...with code KAFKA_UNAVAILABLE" grep -q '"code":"KAFKA_UNAVAILABLE"' "$WORK/m1.body"
check "  ...and promises no result" bash -c "! grep -qi 'retrievable\|eventResult' '$WORK/m1.body'"
t=$(wait_status "$BASE/readyz" 503 3)
check "/readyz unready with Kafka unreachable" test "$t" -ge 0
curl -s --max-time 2 "$BASE/readyz" >"$WORK/readyz2.txt"
check "/readyz names Kafka" grep -q Kafka "$WORK/readyz2.txt"
post "$URL" '{"query":"mutation { tick(n: 2, timing: synchronous) { data { id } } }"}' 10 "$WORK/m2"
read -r st secs <"$WORK/m2"
ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
check "a synchronous mutation once Kafka is known down is held, unpublished, for 2 s and refused (status $st, ${ms} ms)" \
    test "$st" = 503 -a "$ms" -ge 1900 -a "$ms" -le 3000
check "  ...with KAFKA_UNAVAILABLE and no event id" \
    bash -c "grep -q '\"code\":\"KAFKA_UNAVAILABLE\"' '$WORK/m2.body' && ! grep -q eventId '$WORK/m2.body'"
post "$URL" '{"query":"{ __typename }"}' 2 "$WORK/tn2"
check "queries still answer with Kafka down" grep -q '"__typename":"Query"' "$WORK/tn2.body"

# every server stops cleanly on SIGTERM (and, under ASan, without leaks)
for p in "${pids[@]}"; do
    st=0
    e2e_stop "$p" 30 || st=$?
    check "gregor serve $p exits 0 on SIGTERM" test "$st" -eq 0
done
pids=()
exit $failed
