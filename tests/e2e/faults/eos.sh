#!/usr/bin/env bash
# eos.sh -- the exactly-once scenarios of issue 19 (docs/exactly-once.md), as
# tests of the e2e tier: tests/e2e/faults_eos_<scenario>.sh call it. They use
# the fault scenarios' helpers (lib.sh: gregor serve, the test service
# mod_faults with MM_FAULTS_EXACTLY_ONCE or the node key exactly_once,
# drive.py for synchronous load) and count what a read_committed consumer
# (kcat) reads downstream with eos_check.py: every acknowledged event's emit
# exactly once, 0 duplicates, 0 lost, every synchronous caller answered.
#
#   eos.sh kill_worker   gregor node; its worker SIGKILLed 3 times under load
#   eos.sh coordinator   3-broker cluster (its own); the transaction
#                        coordinator's broker SIGKILLed under load
#   eos.sh zombie        gregor worker A SIGSTOPped, B (same slot) started,
#                        A SIGCONTed: A is fenced and writes nothing
set -euo pipefail
e2e_name="exactly-once test"
source "$(dirname "$0")/../lib/prologue.sh"
e2e_require kafka redis gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir kafka=$MM_TEST_KAFKA_BOOTSTRAP redis=$MM_TEST_REDIS_URL
e2e_require cmd:kcat
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-eos.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
CHECK=(python3 "$ROOT/tests/e2e/faults/eos_check.py")

# eos_env KAFKA REDIS SERVICE: lib.sh's environment; synchronous callers
# wait long enough for a replacement to re-handle their event.
eos_env() {
    MM_SYNC_TIMEOUT_MS=30000 gregor_env "$@"
}

# downstream KAFKA TOPIC OUT LOG...: reads TOPIC with isolation.level=
# read_committed into OUT until every acknowledged event's emit is there
# (bounded: 60 s); prints eos_check.py's summary.
downstream() {
    local kafka=$1 topic=$2 out=$3 sum deadline=$((SECONDS + 60))
    shift 3
    while :; do
        timeout 20 kcat -C -b "$kafka" -t "$topic" -X isolation.level=read_committed \
            -o beginning -e -q -f '%T\t%s\n' >"$out" 2>/dev/null || true
        sum=$("${CHECK[@]}" "$out" "$@" ${ZOMBIE_ARGS:-})
        [[ $(json_get "$sum" lost) == 0 || $SECONDS -ge $deadline ]] && break
        sleep 2
    done
    echo "$sum"
}

# expect_exactly_once NAME SUMMARY LOAD_SUMMARY: the scenario's verdict.
expect_exactly_once() {
    local name=$1 sum=$2 load=$3
    expect "$name: every synchronous caller answered" test "$(json_get "$load" ok)" = "$(json_get "$load" sent)"
    expect "$name: no request hangs" test "$(json_get "$load" hang)" = 0
    expect "$name: no acknowledged event lost downstream" test "$(json_get "$sum" lost)" = 0
    expect "$name: no duplicate downstream" test "$(json_get "$sum" duplicates)" = 0
    expect "$name: an emit for every acknowledged event" test "$(json_get "$sum" distinct)" -ge "$(json_get "$sum" acknowledged)"
}

# worker_of NODE_PID: the pid of the node's count worker (comm w:count).
worker_of() {
    local w
    for _ in $(seq 300); do
        w=$(pgrep -P "$1" -x 'w:count' | head -n 1 || true)
        [[ -n $w ]] && { echo "$w"; return 0; }
        sleep 0.1
    done
    return 1
}

# wait_total REDIS SVC N: until the handled total reaches N (bounded 60 s).
wait_total() {
    local t
    for _ in $(seq 600); do
        t=$(handled_total "$1" "$2")
        (( ${t:-0} >= $3 )) && return 0
        sleep 0.1
    done
    return 1
}

# ---- SIGKILL the worker of an exactly-once consumer 3 times (gregor node) ----

# scenario_eos_kill KAFKA REDIS EVENTS KILLS [NAME]: EVENTS synchronous ticks
# from 8 clients; the node's worker is SIGKILLed KILLS times, evenly spread;
# the node starts a replacement with the same slot (same transactional.id:
# it fences the dead one's open transaction).
scenario_eos_kill() {
    local kafka=$1 redis=$2 n=$3 kills=$4 name=${5:-eos_kill} svc cfg
    svc=mmeos_${name}_$$_$RANDOM
    eos_env "$kafka" "$redis" "$svc"
    cfg=$WORK/$name-node.yaml
    printf '%s:\n  count: {procs: 1, exactly_once: true}\n' "$svc" >"$cfg"
    start_serve "$WORK/$name-serve" || return 1
    "$BIN/gregor" node --app "$BIN/tests/mod_faults.so" --node-name "eos$$" --config "$cfg" \
        2>>"$WORK/$name-node.err" &
    local node=$!
    faults_pids+=("$node")
    warm_up || { cat "$WORK/$name-node.err" >&2; return 1; }
    local base k w
    base=$(handled_total "$redis" "$svc")
    "${DRIVE[@]}" load "$URL" "$WORK/$name.log" --count "$n" --concurrency 8 --timing sync \
        --client-timeout 60 >"$WORK/$name.load" &
    local load=$!
    for ((k = 1; k <= kills; k++)); do
        wait_total "$redis" "$svc" $((base + k * n / (kills + 1))) || true
        w=$(worker_of "$node") || { log "$name: no worker to kill"; faults_failed=1; break; }
        kill -KILL "$w"
        log "$name: worker $w SIGKILLed ($k of $kills) at $(( $(handled_total "$redis" "$svc") - base )) handled"
        # the replacement (a new pid) before the next kill
        for _ in $(seq 300); do
            [[ $(pgrep -P "$node" -x 'w:count' | head -n 1 || true) =~ ^[0-9]+$ && \
               $(pgrep -P "$node" -x 'w:count' | head -n 1) != "$w" ]] && break
            sleep 0.1
        done
    done
    wait "$load"
    local sent sum
    sent=$(cat "$WORK/$name.load")
    sum=$(downstream "$kafka" "$svc" "$WORK/$name.down" "$WORK/$name.log")
    expect_exactly_once "$name" "$sum" "$sent"
    expect "$name: gregor node survives" alive "$node"
    echo "RESULT $name events=$n kills=$kills sent=$(json_get "$sent" sent) ok=$(json_get "$sent" ok)" \
         "gql_errors=$(json_get "$sent" gql_error) hangs=$(json_get "$sent" hang)" \
         "emitted=$(json_get "$sum" emitted) distinct=$(json_get "$sum" distinct)" \
         "lost=$(json_get "$sum" lost) duplicates=$(json_get "$sum" duplicates)" \
         "handled_total=$(( $(handled_total "$redis" "$svc") - base )) load_s=$(json_get "$sent" seconds)"
    echo "ERRORS $name $(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["messages"]))' "$sent")"
    faults_cleanup
}

# ---- the transaction coordinator's broker killed (3-broker cluster) ----------

# txn_coordinator BOOTSTRAP TRANSACTIONAL_ID: the broker id leading the
# __transaction_state partition of the id: Kafka's own placement,
# (String.hashCode & 0x7fffffff) % transaction.state.log.num.partitions (4
# in scripts/kafka-cluster.sh), and that partition's leader from metadata.
txn_coordinator() {
    local part
    part=$(python3 -c '
import sys
h = 0
s = sys.argv[1].encode("utf-16-be")
for i in range(0, len(s), 2):
    h = (31 * h + ((s[i] << 8) | s[i + 1])) & 0xFFFFFFFF
print((h & 0x7FFFFFFF) % 4)' "$2")
    kcat -b "$1" -L -t __transaction_state 2>/dev/null |
        sed -n "s/.*partition $part, leader \([0-9]*\),.*/\1/p" | head -n 1
}

scenario_eos_coordinator() { # REDIS EVENTS
    local redis=$1 n=$2 name=eos_coordinator svc cfg
    start_cluster || return 1
    svc=mmeos_coord_$$_$RANDOM
    eos_env "$CLUSTER_BOOTSTRAP" "$redis" "$svc"
    # The killed broker also leads partitions of the service topic: serve
    # waits out the leader election (~6 s) instead of refusing mutations
    # after its default 2 s, so that every caller's event is published.
    export MM_KAFKA_UNAVAILABLE_MS=20000
    cfg=$WORK/$name-node.yaml
    printf '%s:\n  count: {procs: 1, exactly_once: true}\n' "$svc" >"$cfg"
    start_serve "$WORK/$name-serve" || return 1
    local nodename=eosc$$
    "$BIN/gregor" node --app "$BIN/tests/mod_faults.so" --node-name "$nodename" --config "$cfg" \
        2>>"$WORK/$name-node.err" &
    local node=$!
    faults_pids+=("$node")
    warm_up || { cat "$WORK/$name-node.err" >&2; return 1; }
    local base coord
    base=$(handled_total "$redis" "$svc")
    "${DRIVE[@]}" load "$URL" "$WORK/$name.log" --count "$n" --concurrency 8 --timing sync \
        --client-timeout 75 >"$WORK/$name.load" &
    local load=$!
    wait_total "$redis" "$svc" $((base + n / 3)) || true
    # the node's worker slot 0: transactional.id = <node>.<service>.count.0
    coord=$(txn_coordinator "$CLUSTER_BOOTSTRAP" "$nodename.$svc.count.0")
    [[ -n $coord ]] || { log "$name: no coordinator found"; faults_failed=1; coord=1; }
    "$ROOT/scripts/kafka-cluster.sh" kill "$CLUSTER_DIR" "$coord"
    log "$name: broker $coord (transaction coordinator of $nodename.$svc.count.0) SIGKILLed at $(( $(handled_total "$redis" "$svc") - base )) handled"
    wait "$load"
    local sent sum
    sent=$(cat "$WORK/$name.load")
    sum=$(downstream "$CLUSTER_BOOTSTRAP" "$svc" "$WORK/$name.down" "$WORK/$name.log")
    expect_exactly_once "$name" "$sum" "$sent"
    expect "$name: gregor node survives" alive "$node"
    echo "RESULT $name events=$n killed_broker=$coord sent=$(json_get "$sent" sent) ok=$(json_get "$sent" ok)" \
         "gql_errors=$(json_get "$sent" gql_error) hangs=$(json_get "$sent" hang)" \
         "emitted=$(json_get "$sum" emitted) distinct=$(json_get "$sum" distinct)" \
         "lost=$(json_get "$sum" lost) duplicates=$(json_get "$sum" duplicates) load_s=$(json_get "$sent" seconds)"
    echo "ERRORS $name $(python3 -c 'import json,sys; print(json.dumps(json.loads(sys.argv[1])["messages"]))' "$sent")"
    faults_cleanup
}

# ---- a zombie worker is fenced -------------------------------------------------

# scenario_eos_zombie KAFKA REDIS EVENTS: worker A (gregor worker --slot 0)
# handles a quarter of the load, is SIGSTOPped, B (--slot 0: the same
# transactional.id) starts and takes over, then A is SIGCONTed. A must write
# nothing visible after it was stopped (its open transaction was aborted by
# B's init_transactions; anything it tries later is fenced) and must exit.
scenario_eos_zombie() {
    local kafka=$1 redis=$2 n=$3 name=eos_zombie svc
    svc=mmeos_zombie_$$_$RANDOM
    eos_env "$kafka" "$redis" "$svc"
    export MM_FAULTS_EXACTLY_ONCE=1
    start_serve "$WORK/$name-serve" || return 1
    "$BIN/gregor" worker --app "$BIN/tests/mod_faults.so" --consumer count --slot 0 \
        2>>"$WORK/$name-a.err" &
    local a=$!
    faults_pids+=("$a")
    warm_up || return 1
    local base
    base=$(handled_total "$redis" "$svc")
    "${DRIVE[@]}" load "$URL" "$WORK/$name.log" --count "$n" --concurrency 8 --timing sync \
        --client-timeout 60 >"$WORK/$name.load" &
    local load=$!
    wait_total "$redis" "$svc" $((base + n / 4)) || true
    kill -STOP "$a"
    local stopped_at
    stopped_at=$(date +%s.%N)
    log "$name: worker A ($a) SIGSTOPped at $(( $(handled_total "$redis" "$svc") - base )) handled; starting B"
    "$BIN/gregor" worker --app "$BIN/tests/mod_faults.so" --consumer count --slot 0 \
        2>>"$WORK/$name-b.err" &
    local b=$!
    faults_pids+=("$b")
    wait_total "$redis" "$svc" $((base + n / 2)) || true
    kill -CONT "$a"
    log "$name: worker A SIGCONTed at $(( $(handled_total "$redis" "$svc") - base )) handled"
    wait "$load"
    # A, fenced, must give up by itself (bounded: 40 s).
    local st=running
    for _ in $(seq 400); do
        kill -0 "$a" 2>/dev/null || { st=0; wait "$a" 2>/dev/null || st=$?; break; }
        sleep 0.1
    done
    faults_killed+="$a "
    local sent sum
    sent=$(cat "$WORK/$name.load")
    ZOMBIE_ARGS="--zombie-pid $a --zombie-after $stopped_at"
    sum=$(downstream "$kafka" "$svc" "$WORK/$name.down" "$WORK/$name.log")
    ZOMBIE_ARGS=
    expect_exactly_once "$name" "$sum" "$sent"
    expect "$name: the zombie wrote nothing after it was stopped" test "$(json_get "$sum" zombie_writes)" = 0
    expect "$name: the zombie exited (fenced)" test "$st" != running
    expect "$name: the zombie exited with a failure status" test "$st" != 0
    expect "$name: the zombie says it was fenced" grep -qiE 'fenced|fatal' "$WORK/$name-a.err"
    expect "$name: worker B survives" alive "$b"
    echo "RESULT $name events=$n sent=$(json_get "$sent" sent) ok=$(json_get "$sent" ok)" \
         "hangs=$(json_get "$sent" hang) emitted=$(json_get "$sum" emitted)" \
         "lost=$(json_get "$sum" lost) duplicates=$(json_get "$sum" duplicates)" \
         "zombie_writes=$(json_get "$sum" zombie_writes) zombie_status=$st"
    grep -iE 'fenced|fatal|lost' "$WORK/$name-a.err" | head -n 3 >&2 || true
    [[ $st == running ]] && { log "$name: the zombie's last lines:"; tail -n 20 "$WORK/$name-a.err" >&2; }
    faults_cleanup
}

# A deadline for the whole scenario: past it the scenario fails and its
# EXIT trap still stops what it started (a test runner's own timeout kills
# without running the trap, and would leave a cluster behind).
case ${1:-} in coordinator) limit=300 ;; *) limit=180 ;; esac
(
    sleep "$limit" >/dev/null 2>&1 </dev/null &
    s=$!
    trap 'kill "$s" 2>/dev/null; exit 0' TERM
    wait "$s"
    echo "eos: the scenario ran past its $limit s deadline" >&2
    kill -TERM $$
) &
watchdog=$!
trap 'kill "$watchdog" 2>/dev/null || true; faults_cleanup; rm -rf "$WORK"' EXIT
case ${1:-} in
    kill_worker) scenario_eos_kill "$kafka" "$redis" 1500 3 ;;
    coordinator) scenario_eos_coordinator "$redis" 800 ;;
    zombie) scenario_eos_zombie "$kafka" "$redis" 1200 ;;
    *) echo "usage: eos.sh kill_worker | coordinator | zombie" >&2; exit 2 ;;
esac || faults_failed=1
faults_cleanup
if ((faults_failed)); then
    echo "eos: FAILED (see EXPECTATION FAILED above)" >&2
    exit 1
fi
