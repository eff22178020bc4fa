#!/usr/bin/env bash
# manager_redis_hung.sh -- `gregor serve --manager` whose Redis (its own,
# started here) is SIGSTOPped (issue 13: no blocking call on an I/O thread).
# The manager's queries and mutations read the service-web status from
# Redis synchronously; they run on the blocking pool, so while 4 queries and
# 2 mutations wait on the hung Redis, `{ __typename }` and /healthz keep
# answering (each within 1 s, over 12 s), and every manager request fails
# with STATUS_UNAVAILABLE within 12 s (the status store's 2 s connect and
# command timeouts, the requests one after the other behind its lock).
set -uo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require kafka gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir GREGOR=$gregor KAFKA=$MM_TEST_KAFKA_BOOTSTRAP

e2e_work_dir
WORK=$work
failed=0
# post BODY MAXTIME OUTFILE: writes "status seconds" to OUTFILE, the body to OUTFILE.body.
post() {
    curl -s -o "$3.body" -w '%{http_code} %{time_total}' --max-time "$2" "$URL" \
        -H 'content-type: application/json' --data-binary "$1" >"$3" 2>/dev/null || echo "000 $2" >"$3"
}

e2e_own_server redis
REDIS_PID=$own_pid

code=mgr-$$-$RANDOM
printf '%s\n' "$code" >"$WORK/code"
e2e_serve_start "$WORK/serve" env MM_KAFKA_BOOTSTRAP_SERVERS="$KAFKA" MM_REDIS_URL="$MM_TEST_REDIS_URL" \
    MM_FAULTS_SERVICE=mmmgrhung$$ MM_LOG_LEVEL=warn MM_REDIS_TIMEOUT_MS=1000 \
    "$GREGOR" serve --app "$BIN/tests/mod_faults.so" --manager --auth-code-file "$WORK/code" \
    --listen 127.0.0.1:0
URL=$url BASE=$base

# Redis up: a manager query answers (an empty service web is fine).
post "{\"query\":\"{ nodes(authCode: \\\"$code\\\") { name } }\"}" 20 "$WORK/up"
read -r st _ <"$WORK/up"
check "manager query answers with Redis up (status $st)" grep -q '"data":{"nodes":' "$WORK/up.body"

kill -STOP "$REDIS_PID"
stopped_at=$(now_ms)
mgr_pids=()
for i in 1 2 3 4; do
    post "{\"query\":\"{ nodes(authCode: \\\"$code\\\") { name } }\"}" 30 "$WORK/q$i" &
    mgr_pids+=($!)
done
for i in 1 2; do
    post "{\"query\":\"mutation { stopNode(authCode: \\\"$code\\\", name: \\\"n$i\\\") { id } }\"}" 30 "$WORK/m$i" &
    mgr_pids+=($!)
done
probe_fail=0 probes=0 slowest=0
while (($(now_ms) - stopped_at < 12000)); do
    post '{"query":"{ __typename }"}' 1 "$WORK/tn"
    read -r st secs <"$WORK/tn"
    if [[ $st != 200 ]] || ! grep -q '"__typename":"Query"' "$WORK/tn.body"; then probe_fail=$((probe_fail + 1)); fi
    hz=$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$BASE/healthz" 2>/dev/null || echo 000)
    [[ $hz == 200 ]] || probe_fail=$((probe_fail + 1))
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    ((ms > slowest)) && slowest=$ms
    probes=$((probes + 1))
    sleep 0.3
done
check "{ __typename } and /healthz answered all $probes probes within 1 s while manager requests waited on the hung Redis (slowest ${slowest} ms)" \
    test "$probe_fail" -eq 0 -a "$probes" -ge 10
wait "${mgr_pids[@]}"
late=0 bad=0 slowest_mgr=0
for f in q1 q2 q3 q4 m1 m2; do
    read -r st secs <"$WORK/$f"
    ms=$(awk -v s="$secs" 'BEGIN{printf "%d", s*1000}')
    ((ms > 12000)) && late=$((late + 1))
    ((ms > slowest_mgr)) && slowest_mgr=$ms
    grep -q '"code":"STATUS_UNAVAILABLE"' "$WORK/$f.body" || { bad=$((bad + 1)); log "$f: $st $(head -c 300 "$WORK/$f.body")"; }
done
check "4 manager queries and 2 mutations failed with STATUS_UNAVAILABLE (bad: $bad) within 12 s (late: $late, slowest ${slowest_mgr} ms)" \
    test "$bad" -eq 0 -a "$late" -eq 0
kill -CONT "$REDIS_PID"
kill -0 "$SERVE_PID" 2>/dev/null
check "gregor serve still running" test $? -eq 0
exit "$failed"
