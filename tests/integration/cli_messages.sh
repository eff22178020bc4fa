#!/usr/bin/env bash
# cli_messages.sh -- messages a user can act on, against the real Redis and
# Kafka of the test run:
#  - `gregor status --json` prints numbers as their shortest round-trip text
#    (0.49, not 0.48999999999999999);
#  - `gregor serve` on a taken port says why it cannot listen (the errno
#    text), not "see the log above".
set -euo pipefail
: "${MM_GREGOR:?run through ctest}" "${MM_BINARY_DIR:?run through ctest}"
: "${MM_TEST_REDIS_URL:?the integration tier needs MM_TEST_REDIS_URL (run make test)}"
: "${MM_TEST_KAFKA_BOOTSTRAP:?the integration tier needs MM_TEST_KAFKA_BOOTSTRAP (run make test)}"
fail() { echo "cli_messages.sh: FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
topic=mm_test_cli_messages_$$_$RANDOM
redis_host=${MM_TEST_REDIS_URL#redis://}
rcli() { redis-cli -h "${redis_host%:*}" -p "${redis_host##*:}" -n 9 "$@"; }
holder=""
cleanup() {
    [[ -n $holder ]] && kill "$holder" 2>/dev/null || true
    rcli DEL "mm:web:$topic:nodes" "mm:web:$topic:node:n1" >/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A node's status document with figures jansson would print in 17 digits.
now_ms=$(($(date +%s%N) / 1000000))
rcli ZADD "mm:web:$topic:nodes" $((now_ms + 60000)) n1 >/dev/null
rcli SET "mm:web:$topic:node:n1" \
    '{"name":"n1","hostname":"h","pid":1,"state":"running","loadAvg1":0.49,"loadAvg5":0.1,"loadAvg15":1e-7,"memPct":33.300000000000004,"consumers":[]}' >/dev/null
out=$(MM_REDIS_URL=$MM_TEST_REDIS_URL/9 MM_SERVICE_WEB_TOPIC=$topic "$MM_GREGOR" status --json)
grep -q '"loadAvg1": 0.49,' <<<"$out" || fail "status --json: $out"
grep -q '"loadAvg5": 0.1,' <<<"$out" || fail "status --json: $out"
grep -q '"memPct": 33.300000000000004,' <<<"$out" || fail "status --json (a number that needs 17 digits keeps them): $out"
! grep -q '0.48999' <<<"$out" || fail "status --json printed 17 digits: $out"
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d[0]["loadAvg1"]==0.49 and d[0]["loadAvg15"]==1e-7' <<<"$out" ||
    fail "status --json is not the same JSON: $out"
echo "cli_messages.sh: status --json prints shortest round-trip numbers"

# serve on a port that is taken.
python3 -c 'import socket,time,sys
s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
print(s.getsockname()[1], flush=True); time.sleep(60)' >"$work/port" &
holder=$!
for _ in $(seq 50); do [[ -s $work/port ]] && break; sleep 0.1; done
port=$(cat "$work/port")
status=0
MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL/9 MM_LOG_LEVEL=error \
    "$MM_GREGOR" serve --app "$MM_BINARY_DIR/examples/forms.so" --listen "127.0.0.1:$port" \
    >"$work/out" 2>"$work/err" || status=$?
((status == 1)) || fail "serve on a taken port: exit $status"
grep -q "gregor serve: cannot listen on 127.0.0.1:$port: Address already in use" "$work/err" ||
    fail "serve on a taken port said: $(cat "$work/err")"
echo "cli_messages.sh: serve says why it cannot listen"
