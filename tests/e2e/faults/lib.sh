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
source "$ROOT/scripts/lib/serve.sh"

faults_pids=()          # gregor processes to stop at the end
faults_fixtures=()      # "kafka DIR" / "redis DIR" / "cluster DIR" to stop at the end
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

# Stops the gregor processes with SIGTERM: each must exit 0 within 20 s (in
# a sanitizer build that includes the leak check), except the ones a
# scenario killed on purpose (faults_killed).
faults_killed=" "
faults_cleanup() {
    local p st
    for p in "${faults_pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${faults_pids[@]}"; do
        for _ in $(seq 200); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$p" 2>/dev/null; then
            log "EXPECTATION FAILED: gregor process $p ignored SIGTERM for 20 s"
            faults_failed=1
            kill -KILL "$p" 2>/dev/null || true
        fi
        st=0
        wait "$p" 2>/dev/null || st=$?
        if [[ $faults_killed != *" $p "* && $st != 0 ]]; then
            log "EXPECTATION FAILED: gregor process $p exited with status $st after SIGTERM"
            faults_failed=1
        fi
    done
    faults_pids=()
    faults_killed=" "
    local f
    for f in "${faults_fixtures[@]}"; do
        case ${f%% *} in
            kafka) "$ROOT/scripts/kafka-fixture.sh" stop "${f#* }" >/dev/null 2>&1 || true ;;
            redis) "$ROOT/scripts/redis-fixture.sh" stop "${f#* }" >/dev/null 2>&1 || true ;;
            cluster) "$ROOT/scripts/kafka-cluster.sh" stop "${f#* }" >/dev/null 2>&1 || true ;;
        esac
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
    serve_start "$1" "$BIN/gregor" serve --app "$BIN/tests/mod_faults.so" || return 1
    faults_pids+=("$SERVE_PID")
    URL=$SERVE_URL
}

start_worker() { # LOG: starts one gregor worker of the count consumer, sets WORKER_PID
    "$BIN/gregor" worker --app "$BIN/tests/mod_faults.so" --consumer count 2>>"$1.err" &
    WORKER_PID=$!
    faults_pids+=("$WORKER_PID")
}

# warm_up: one synchronous tick until it returns (topic created, group joined).
warm_up() {
    local body='{"query":"mutation { tick(n: -1, timing: synchronous) { data { id } } }"}' out
    for _ in $(seq 120); do
        out=$(curl -s --max-time 15 "$URL" -H 'content-type: application/json' -d "$body" || true)
        [[ $out == *'"data":{"tick":{"data":{"id"'* ]] && return 0
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
    faults_killed+="$w "
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
    # The handled total counts re-deliveries too: a pipelined worker killed
    # with events in flight handles them again, so the total can reach n
    # before the last results are stored. Wait (bounded) for those.
    local check
    for _ in $(seq 60); do
        check=$("${DRIVE[@]}" check "$redis" "$WORK/kill.log" --service "$svc")
        [ "$(json_get "$check" lost)" = 0 ] && break
        sleep 1
    done
    local drain=$((SECONDS - t0))
    expect "no acknowledged event lost" test "$(json_get "$check" lost)" = 0
    expect "no wrong result" test "$(json_get "$check" wrong_results)" = 0
    expect "a result per acknowledged event" test "$(json_get "$check" results_stored)" = "$n"
    echo "RESULT kill_worker events=$n killed_after=$killed_at accepted=$(json_get "$sent" ok)" \
         "results=$(json_get "$check" results_stored) lost=$(json_get "$check" lost)" \
         "redelivered=$(json_get "$check" redelivered_events) extra_handlings=$(json_get "$check" extra_handlings)" \
         "wrong=$(json_get "$check" wrong_results) drain_after_load_s=$drain"
    faults_cleanup
}

# ---- scenarios 2 and 3: a server restarted under load -------------------------

# alive PID...: all still running (no crash).
alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done; }

# after_restart_batch NAME N: N synchronous ticks after the fault; all must
# succeed (the system recovered by itself). Prints the load summary.
after_restart_batch() {
    "${DRIVE[@]}" load "$URL" "$WORK/$1-after.log" --count "$2" --first 1000000 \
        --concurrency 4 --timing sync --client-timeout 60
}

# restart_scenario NAME KAFKA REDIS SECONDS DOWN KILL_FN RESTART_FN ARG...:
# mixed synchronous/asynchronous ticks for SECONDS from 8 clients; after 5 s
# KILL_FN ARG... (SIGKILL), DOWN seconds later RESTART_FN ARG.... Every
# request must end (ok or a clean error, never a hang past the client's
# timeout), serve and worker must survive, and 100 ticks after the load must
# all succeed. Recovery is the time to the first
# successful mutation that started after the restarted server answered.
restart_scenario() {
    local name=$1 kafka=$2 redis=$3 secs=$4 down=$5 kill_fn=$6 restart_fn=$7 svc
    shift 7
    svc=mmfaults_${name}_$$_$RANDOM
    gregor_env "$kafka" "$redis" "$svc"
    start_serve "$WORK/$name-serve" || return 1
    start_worker "$WORK/$name-worker"
    local worker=$WORKER_PID
    warm_up || return 1
    # A hang is an answer later than the sync timeout plus a margin for the
    # producer's own delivery timeout (message.timeout.ms = 30 s).
    "${DRIVE[@]}" load "$URL" "$WORK/$name.log" --seconds "$secs" --concurrency 8 \
        --timing mixed --client-timeout 75 --pause 0.01 >"$WORK/$name.load" &
    local load=$!
    sleep 5
    local killed_at restarted_at
    killed_at=$(date +%s.%N)
    "$kill_fn" "$@"
    log "$name: killed at +5 s; restarting after $down s"
    sleep "$down"
    restarted_at=$(date +%s.%N)
    "$restart_fn" "$@" || { faults_failed=1; return 1; }
    local up_at up_after
    up_at=$(date +%s.%N)
    up_after=$(python3 -c "import sys; print(round(float(sys.argv[1]) - float(sys.argv[2]), 1))" "$up_at" "$restarted_at")
    wait "$load"
    local sent rec after rec_kill
    sent=$(cat "$WORK/$name.load")
    after=$(after_restart_batch "$name" 100)
    # Recovery counts from the moment the restarted server answered its
    # own client (kcat / redis-cli), over the load and the batch after it.
    rec=$("${DRIVE[@]}" recovery "$WORK/$name.log" "$WORK/$name-after.log" --mark "$up_at")
    rec_kill=$("${DRIVE[@]}" recovery "$WORK/$name.log" --mark "$killed_at")
    expect "$name: no request hangs" test "$(json_get "$sent" hang)" = 0
    expect "$name: gregor serve survives" alive "$SERVE_PID"
    expect "$name: gregor worker survives" alive "$worker"
    expect "$name: 100 sync ticks after the restart all succeed" test "$(json_get "$after" ok)" = 100
    expect "$name: the system recovered" test "$(json_get "$rec" recovery_seconds)" != None
    echo "RESULT $name load_s=$secs down_s=$down server_up_s=$up_after sent=$(json_get "$sent" sent)" \
         "ok=$(json_get "$sent" ok) gql_errors=$(json_get "$sent" gql_error)" \
         "http_errors=$(json_get "$sent" http_error) conn_errors=$(json_get "$sent" conn_error)" \
         "hangs=$(json_get "$sent" hang) max_latency_s=$(json_get "$rec" max_latency)" \
         "recovery_after_server_up_s=$(json_get "$rec" recovery_seconds)" \
         "outage_from_kill_s=$(json_get "$rec_kill" last_failure)" \
         "after_ok=$(json_get "$after" ok)/100"
    echo "ERRORS $name $(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["messages"]))' "$sent")"
    if [[ $name == kafka_restart ]]; then
        # Acknowledged events were on the broker's disk (acks=all); a SIGKILL
        # of the process loses none of them.
        wait_handled "$redis" "$svc" 1 60 || true
        sleep 5
        local check
        check=$("${DRIVE[@]}" check "$redis" "$WORK/$name.log" "$WORK/$name-after.log" --service "$svc")
        expect "$name: no acknowledged event lost" test "$(json_get "$check" lost)" = 0
        echo "RESULT ${name}_events acknowledged=$(json_get "$check" acknowledged)" \
             "results=$(json_get "$check" results_stored) lost=$(json_get "$check" lost)" \
             "redelivered=$(json_get "$check" redelivered_events)"
    fi
    faults_cleanup
}

scenario_kafka_restart() { # REDIS SECONDS DOWN: own broker, killed and restarted
    start_kafka || return 1
    restart_scenario kafka_restart "$KAFKA_BOOTSTRAP" "$1" "$2" "$3" kill_kafka restart_kafka "$KAFKA_DIR"
}

scenario_redis_restart() { # KAFKA SECONDS DOWN: own Redis, killed and restarted
    start_redis || return 1
    restart_scenario redis_restart "$1" "$REDIS_URL" "$2" "$3" kill_redis restart_redis "$REDIS_DIR" "$REDIS_URL"
}

# ---- scenario 5: poison messages ---------------------------------------------

# scenario_poison KAFKA REDIS ROUNDS: GOOD = 30*ROUNDS asynchronous ticks over
# HTTP while ROUNDS rounds of 10 garbage-byte messages, 10 with a wrong
# envelope (no ce_specversion / version 0.3 / a non-JSON value) and 10 with
# a well-formed envelope of an unknown type go straight onto the topic. Every
# good one must be handled, every bad one must land in <topic>.dlq.
scenario_poison() {
    local kafka=$1 redis=$2 rounds=$3 svc good bad
    svc=mmfaults_poison_$$_$RANDOM
    good=$((rounds * 30)) bad=$((rounds * 30))
    gregor_env "$kafka" "$redis" "$svc"
    start_serve "$WORK/poison-serve" || return 1
    start_worker "$WORK/poison-worker"
    warm_up || return 1
    local base
    base=$(handled_total "$redis" "$svc")
    "${DRIVE[@]}" load "$URL" "$WORK/poison.log" --count "$good" --concurrency 2 --pause 0.005 \
        --timing async >"$WORK/poison.load" &
    local load=$! r i d=$WORK/poison-msgs now
    mkdir -p "$d"
    for ((i = 0; i < 10; i++)); do
        head -c $((1 + RANDOM % 200)) /dev/urandom >"$d/garbage-$i"
        printf '{"id": "bad-%d", "n": %d}' "$i" "$i" >"$d/json-$i"
        printf 'not json at all %d' "$i" >"$d/text-$i"
    done
    local k=(kcat -P -b "$kafka" -t "$svc" -X enable.idempotence=true)
    for ((r = 0; r < rounds; r++)); do
        now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
        "${k[@]}" "$d"/garbage-*
        "${k[@]}" -H ce_id=p1-$r -H ce_source=/x -H ce_type=TickEvent -H ce_time="$now" \
            -H content-type=application/json "$d"/json-[0-3]
        "${k[@]}" -H ce_specversion=0.3 -H ce_id=p2-$r -H ce_source=/x -H ce_type=TickEvent \
            -H ce_time="$now" -H content-type=application/json "$d"/json-[4-6]
        "${k[@]}" -H ce_specversion=1.0 -H ce_id=p3-$r -H ce_source=/x -H ce_type=TickEvent \
            -H ce_time="$now" -H content-type=application/json "$d"/text-[7-9]
        "${k[@]}" -H ce_specversion=1.0 -H ce_id=p4-$r -H ce_source=/x -H ce_type=NoSuchEvent \
            -H ce_time="$now" -H content-type=application/json "$d"/json-*
        sleep 0.2
    done
    wait "$load"
    local sent
    sent=$(cat "$WORK/poison.load")
    wait_handled "$redis" "$svc" $((base + good)) 120
    local dlq_file=$WORK/poison-dlq dlq
    for _ in $(seq 60); do
        kcat -C -b "$kafka" -t "$svc.dlq" -o beginning -e -q -f '%h\n' >"$dlq_file" 2>/dev/null || true
        dlq=$(wc -l <"$dlq_file")
        ((dlq >= bad)) && break
        sleep 1
    done
    local check reasons
    check=$("${DRIVE[@]}" check "$redis" "$WORK/poison.log" --service "$svc")
    reasons=$(grep -o 'mm_dlq_reason=[^,]*' "$dlq_file" | sed 's/^mm_dlq_reason=//; s/value is not valid UTF-8.*/value is not valid UTF-8/; s/not valid JSON.*/not valid JSON/' | sort | uniq -c | sort -rn | awk '{c=$1; $1=""; printf "%s%s x%d", sep, substr($0,2), c; sep="; "}')
    expect "poison: every good event accepted" test "$(json_get "$sent" ok)" = "$good"
    expect "poison: every good event handled, none lost" test "$(json_get "$check" lost)" = 0
    expect "poison: every bad message dead-lettered" test "$dlq" = "$bad"
    echo "RESULT poison good=$good good_accepted=$(json_get "$sent" ok) good_results=$(json_get "$check" results_stored)" \
         "good_lost=$(json_get "$check" lost) bad=$bad dead_lettered=$dlq"
    echo "REASONS poison $reasons"
    faults_cleanup
}

# ---- scenario 4: one broker of three killed -----------------------------------

start_cluster() { # sets CLUSTER_BOOTSTRAP, CLUSTER_DIR
    local rec=$WORK/cluster.rec out
    out=$(MM_FIXTURE_RECORD=$rec "$ROOT/scripts/kafka-cluster.sh" start) || return 1
    faults_fixtures+=("cluster $(cat "$rec")")
    eval "$out"
    CLUSTER_BOOTSTRAP=$MM_CLUSTER_BOOTSTRAP CLUSTER_DIR=$MM_CLUSTER_DIR
}

# scenario_cluster REDIS EVENTS: a three-broker KRaft cluster (replication
# factor 3, min.insync.replicas 2); EVENTS asynchronous ticks (each
# acknowledged only after acks=all) plus synchronous ones from 2 more
# clients; when a third is handled, the broker leading partition 0 of the
# topic gets SIGKILL. Zero acknowledged events may be lost; no request may
# hang.
scenario_cluster() {
    local redis=$1 n=$2 svc
    start_cluster || return 1
    svc=mmfaults_cluster_$$_$RANDOM
    gregor_env "$CLUSTER_BOOTSTRAP" "$redis" "$svc"
    start_serve "$WORK/cluster-serve" || return 1
    start_worker "$WORK/cluster-worker"
    local worker=$WORKER_PID
    warm_up || return 1
    "${DRIVE[@]}" load "$URL" "$WORK/cluster.log" --count "$n" --concurrency 6 --timing async \
        --client-timeout 75 >"$WORK/cluster.load" &
    local load=$!
    "${DRIVE[@]}" load "$URL" "$WORK/cluster-sync.log" --count $((n / 5)) --first 10000000 \
        --concurrency 2 --timing sync --client-timeout 75 >"$WORK/cluster-sync.load" &
    local load2=$! base t leader
    base=$(handled_total "$redis" "$svc")
    for _ in $(seq 600); do
        t=$(handled_total "$redis" "$svc")
        (( ${t:-0} - base >= n / 3 )) && break
        sleep 0.1
    done
    leader=$(kcat -b "$CLUSTER_BOOTSTRAP" -L -t "$svc" 2>/dev/null | sed -n 's/.*partition 0, leader \([0-9]*\),.*/\1/p' | head -n 1)
    leader=${leader:-1}
    local killed_at
    killed_at=$(date +%s.%N)
    "$ROOT/scripts/kafka-cluster.sh" kill "$CLUSTER_DIR" "$leader"
    log "cluster: broker $leader (leader of $svc[0]) SIGKILLed after $(( $(handled_total "$redis" "$svc") - base )) handled events"
    wait "$load" "$load2"
    local sent sent2 rec check
    sent=$(cat "$WORK/cluster.load")
    sent2=$(cat "$WORK/cluster-sync.load")
    rec=$("${DRIVE[@]}" recovery "$WORK/cluster.log" "$WORK/cluster-sync.log" --mark "$killed_at")
    local acked
    acked=$(( $(json_get "$sent" ok) + $(json_get "$sent2" ok) ))
    wait_handled "$redis" "$svc" $((base + acked)) 180 || true
    check=$("${DRIVE[@]}" check "$redis" "$WORK/cluster.log" "$WORK/cluster-sync.log" --service "$svc")
    expect "cluster: no acknowledged event lost" test "$(json_get "$check" lost)" = 0
    expect "cluster: no request hangs" test "$(( $(json_get "$sent" hang) + $(json_get "$sent2" hang) ))" = 0
    expect "cluster: gregor serve survives" alive "$SERVE_PID"
    expect "cluster: gregor worker survives" alive "$worker"
    echo "RESULT cluster killed_broker=$leader async_sent=$(json_get "$sent" sent) async_ok=$(json_get "$sent" ok)" \
         "async_errors=$(( $(json_get "$sent" sent) - $(json_get "$sent" ok) )) sync_sent=$(json_get "$sent2" sent)" \
         "sync_ok=$(json_get "$sent2" ok) sync_errors=$(( $(json_get "$sent2" sent) - $(json_get "$sent2" ok) ))" \
         "hangs=$(( $(json_get "$sent" hang) + $(json_get "$sent2" hang) ))" \
         "acknowledged=$(json_get "$check" acknowledged) results=$(json_get "$check" results_stored)" \
         "lost=$(json_get "$check" lost) redelivered=$(json_get "$check" redelivered_events)" \
         "max_latency_s=$(json_get "$rec" max_latency) last_failure_after_kill_s=$(json_get "$rec" last_failure)"
    echo "ERRORS cluster $(python3 -c 'import json,sys; m=json.loads(sys.argv[1])["messages"]; m.update(json.loads(sys.argv[2])["messages"]); print(json.dumps(m))' "$sent" "$sent2")"
    faults_cleanup
}
