# lib.sh -- the fault scenarios of issue 9, shared by the quick versions in
# the test suite (tests/e2e/faults.sh) and the long ones (scripts/faults.sh).
# Sourced, not run. Each scenario starts `gregor serve` and `gregor worker`
# processes with the test service mod_faults (tests/e2e/faults/mod_faults.c),
# drives tick mutations over HTTP with drive.py, injects its fault, and
# prints one result line
#     RESULT <scenario> key=value ...
# and returns non-zero when an expectation failed. Servers that a scenario
# kills or restarts are its own (scripts/*-fixture.sh), never the shared
# ones of a test run.
#
# Needs: ROOT (the source tree), BIN (a build tree with gregor and
# tests/mod_faults.so), WORK (a scratch directory the caller removes).

FAULTS_DIR=$ROOT/tests/e2e/faults
DRIVE=(python3 "$FAULTS_DIR/drive.py")
source "$ROOT/scripts/lib/fixture.sh"

faults_pids=()          # gregor processes to stop at the end
faults_fixtures=()      # "kafka DIR" / "redis DIR" to stop at the end
faults_failed=0

log() { echo "faults: $*" >&2; }
expect() { # DESCRIPTION CONDITION...: records a failed expectation
    local what=$1
    shift
    if ! "$@"; then
        log "EXPECTATION FAILED: $what"
        faults_failed=1
    fi
}

faults_cleanup() {
    local p
    for p in "${faults_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${faults_pids[@]}"; do
        for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    faults_pids=()
    local f
    for f in "${faults_fixtures[@]}"; do
        "$ROOT/scripts/${f%% *}-fixture.sh" stop "${f#* }" >/dev/null 2>&1 || true
    done
    faults_fixtures=()
}

# ---- servers ---------------------------------------------------------------

start_redis() { # sets REDIS_URL, REDIS_DIR
    local rec=$WORK/redis.rec out
    out=$(MM_FIXTURE_RECORD=$rec "$ROOT/scripts/redis-fixture.sh" start) || return 1
    faults_fixtures+=("redis $(cat "$rec")")
    eval "$out"
    REDIS_URL=$MM_TEST_REDIS_URL REDIS_DIR=$MM_REDIS_FIXTURE_DIR
}

start_kafka() { # sets KAFKA_BOOTSTRAP, KAFKA_DIR
    local rec=$WORK/kafka.rec out
    out=$(MM_FIXTURE_RECORD=$rec "$ROOT/scripts/kafka-fixture.sh" start) || return 1
    faults_fixtures+=("kafka $(cat "$rec")")
    eval "$out"
    KAFKA_BOOTSTRAP=$MM_TEST_KAFKA_BOOTSTRAP KAFKA_DIR=$MM_KAFKA_FIXTURE_DIR
}

# kill_kafka DIR: SIGKILL the broker started in DIR (its data stays).
kill_kafka() {
    local pid
    pid=$(cat "$1/pid")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# restart_kafka DIR: start the broker of DIR again on its ports and data,
# the way kafka-fixture.sh started it; waits until it answers metadata.
restart_kafka() {
    local dir=$1 libs pid port
    libs=$("$ROOT/scripts/fetch-kafka.sh") || return 1
    setsid java -Xmx512m -Xms128m -XX:+UseSerialGC -Djava.awt.headless=true \
        "-Dlog4j2.configurationFile=$dir/log4j2.properties" "-Dkafka.logs.dir=$dir" \
        -cp "$libs/*" kafka.Kafka "$dir/server.properties" </dev/null >>"$dir/stdout.log" 2>&1 &
    pid=$!
    echo "$pid" >"$dir/pid"
    port=$(sed -n 's/^advertised.listeners=PLAINTEXT:\/\/127.0.0.1://p' "$dir/server.properties")
    for _ in $(seq 180); do
        kcat -b "127.0.0.1:$port" -L -m 2 >/dev/null 2>&1 && return 0
        sleep 0.5
    done
    log "the restarted broker in $dir does not answer"
    return 1
}

# kill_redis DIR / restart_redis DIR URL: the same for Redis (no persistence:
# what it held is gone after the restart, as after a crash).
kill_redis() {
    local pid
    pid=$(cat "$1/pid")
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}
restart_redis() {
    local dir=$1 port=${2##*:}
    port=${port%%/*}
    setsid redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes --save '' \
        --appendonly no --dir "$dir" --logfile "$dir/redis.log" --daemonize no \
        </dev/null >>"$dir/redis.log" 2>&1 &
    echo $! >"$dir/pid"
    for _ in $(seq 100); do
        [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]] && return 0
        sleep 0.1
    done
    log "the restarted Redis on port $port does not answer"
    return 1
}

# ---- gregor processes -------------------------------------------------------

# gregor_env KAFKA REDIS SERVICE: the environment every gregor process gets.
gregor_env() {
    export MM_KAFKA_BOOTSTRAP_SERVERS=$1 MM_REDIS_URL=$2 MM_FAULTS_SERVICE=$3
    export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=${MM_LOG_LEVEL:-warn}
    # A SIGKILLed group member is noticed when its session times out; the
    # broker's minimum keeps the scenarios short.
    export MM_KAFKA_PROP_SESSION_TIMEOUT_MS=6000
    export MM_SYNC_TIMEOUT_MS=${MM_SYNC_TIMEOUT_MS:-10000}
}

start_serve() { # LOG: starts gregor serve, sets URL and SERVE_PID
    local log=$1
    "$BIN/gregor" serve --app "$BIN/tests/mod_faults.so" >"$log.out" 2>"$log.err" &
    SERVE_PID=$!
    faults_pids+=("$SERVE_PID")
    for _ in $(seq 300); do
        URL=$(sed -n 's/^graphql: //p' "$log.out")
        [[ -n $URL ]] && return 0
        kill -0 "$SERVE_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "gregor serve did not start:"
    cat "$log.err" >&2
    return 1
}

start_worker() { # LOG: starts one gregor worker of the count consumer, sets WORKER_PID
    "$BIN/gregor" worker --app "$BIN/tests/mod_faults.so" --consumer count 2>>"$1.err" &
    WORKER_PID=$!
    faults_pids+=("$WORKER_PID")
}

# warm_up: one synchronous tick until it returns (topic created, group joined).
warm_up() {
    local body='{"query":"mutation { tick(n: -1, timing: synchronous) { data { id } } }"}'
    for _ in $(seq 120); do
        curl -s --max-time 15 "$URL" -H 'content-type: application/json' -d "$body" \
            | grep -q '"data":{"tick":{"data":{"id"' && return 0
        sleep 0.5
    done
    log "the warm-up tick never returned"
    return 1
}

# handled_total REDIS_URL SERVICE: the consumer's total count of handlings.
handled_total() {
    local hp=${1#redis://}
    hp=${hp%%/*}
    redis-cli -h "${hp%%:*}" -p "${hp##*:}" GET "mm:state:$2:total" 2>/dev/null | tr -d '\r'
}

# wait_handled REDIS_URL SERVICE N SECONDS: until the total reaches N.
wait_handled() {
    local i t
    for ((i = 0; i < $4 * 5; i++)); do
        t=$(handled_total "$1" "$2")
        [[ -n $t && $t -ge $3 ]] && return 0
        sleep 0.2
    done
    log "after $4 s the consumer handled ${t:-0} of $3 events"
    return 1
}

json_get() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

# ---- scenario 1: a worker SIGKILLed in the middle of a stream ----------------

# scenario_kill_worker KAFKA REDIS EVENTS: EVENTS asynchronous ticks; when a
# third has been handled the worker gets SIGKILL and a new one starts. Every
# acknowledged event must end with exactly one stored result; re-deliveries
# are allowed (they overwrite the same result) and counted.
scenario_kill_worker() {
    local kafka=$1 redis=$2 n=$3 svc w
    svc=mmfaults_kill_$$_$RANDOM
    gregor_env "$kafka" "$redis" "$svc"
    start_serve "$WORK/kill-serve" || return 1
    start_worker "$WORK/kill-worker"
    w=$WORKER_PID
    warm_up || return 1
    "${DRIVE[@]}" load "$URL" "$WORK/kill.log" --count "$n" --first 0 --concurrency 8 \
        --timing async >"$WORK/kill.load" &
    local load=$! base t
    base=$(handled_total "$redis" "$svc")
    for _ in $(seq 600); do
        t=$(handled_total "$redis" "$svc")
        (( ${t:-0} - base >= n / 3 )) && break
        sleep 0.1
    done
    kill -KILL "$w"
    wait "$w" 2>/dev/null || true
    local killed_at=$(( $(handled_total "$redis" "$svc") - base ))
    log "worker $w SIGKILLed after $killed_at handled events; starting another"
    start_worker "$WORK/kill-worker"
    wait "$load"
    local sent
    sent=$(cat "$WORK/kill.load")
    expect "every async tick accepted" test "$(json_get "$sent" ok)" = "$n"
    local t0=$SECONDS
    wait_handled "$redis" "$svc" $((n + base)) 120
    local drain=$((SECONDS - t0)) check
    check=$("${DRIVE[@]}" check "$redis" "$WORK/kill.log" --service "$svc")
    expect "no acknowledged event lost" test "$(json_get "$check" lost)" = 0
    expect "no wrong result" test "$(json_get "$check" wrong_results)" = 0
    expect "a result per acknowledged event" test "$(json_get "$check" results_stored)" = "$n"
    echo "RESULT kill_worker events=$n killed_after=$killed_at accepted=$(json_get "$sent" ok)" \
         "results=$(json_get "$check" results_stored) lost=$(json_get "$check" lost)" \
         "redelivered=$(json_get "$check" redelivered_events) extra_handlings=$(json_get "$check" extra_handlings)" \
         "wrong=$(json_get "$check" wrong_results) drain_after_load_s=$drain"
    faults_cleanup
}
