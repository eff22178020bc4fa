#!/usr/bin/env bash
# demo.sh -- what `make demo` runs: the forms example end to end on embedded
# defaults, no configuration needed.
#
# It builds gregor and the example, starts a throw-away Redis and -- unless
# MM_KAFKA_BOOTSTRAP_SERVERS names a real Kafka -- the in-memory development
# broker (`gregor broker`), runs the example's two consumers as worker
# processes and its GraphQL server, sends one synchronous createForm through
# the whole path to show it works, and prints a ready-to-paste curl and the
# GraphiQL URL. It keeps everything up until Ctrl-C (or MM_DEMO_SECONDS
# seconds) and then stops all of it.
#
#   MM_DEMO_LISTEN               server address (default 127.0.0.1:8000)
#   MM_KAFKA_BOOTSTRAP_SERVERS   use this Kafka instead of the development broker
#   MM_DEMO_SECONDS              stop after this many seconds (for scripts)
#   MM_DEMO_LOG_DIR              keep the processes' logs (*.err) and their
#                                pids (pids) there (for tests/demo/check.sh)
#
# Stopping: Ctrl-C, or SIGINT/SIGTERM/SIGHUP from a script (to this script,
# to `make`, or to the whole process group) at any moment stops everything
# this script started and exits 0 (a signal that arrives before the script's
# first line kills it before it has started anything). How:
#  - the traps are set before anything is started;
#  - every long-lived process (Redis, the broker, the workers, the server)
#    runs in a process group of its own, so a signal to make's or the
#    terminal's group reaches only this script, which stops them in order
#    (the broker after the workers); each also gets SIGKILL from the kernel
#    should this script die without its clean-up (setpriv --pdeathsig);
#  - the clean-up stops every background job of this shell (`jobs -p`), so a
#    process whose pid was not yet in a variable when the signal came is
#    stopped too, and it waits for each with a deadline (SIGKILL after 10 s);
#  - a signal during the clean-up cannot cut it short (they are ignored from
#    its first line; one that lands before that line runs the whole clean-up
#    itself);
#  - after the build nothing runs in the foreground for more than 0.1 s
#    (curl and the timers run in the background and are waited for), so a
#    signal is handled at once; during setup.sh and the build, a signal to
#    this script alone is handled when that step ends.
# A worker or the server that exits by itself with a failure status is
# reported with the last lines of the logs (exit 1); when this script's
# parent (make, a shell) is gone, it stops everything too.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts=$root/scripts
listen=${MM_DEMO_LISTEN:-127.0.0.1:8000}
# shellcheck source=lib/fixture.sh
source "$scripts/lib/fixture.sh" # free_port, running

tmp=""           # the logs and Redis's directory, once created
services=()      # the workers and the server
broker_pid=""
redis_pid=""
# stop_groups PID...: SIGTERM to the process group each PID leads (or to the
# PID), poll until they have ended; SIGTERM again after 1 s (a signal that
# reaches a child between its fork and its exec is lost to the handler it
# inherited from this shell), SIGKILL after 10 s. `running` (fixture.sh)
# counts our unreaped zombies as ended.
stop_groups() {
    local p i left
    for ((i = 0; i <= 100; i++)); do
        left=()
        for p; do running "$p" && left+=("$p"); done
        ((${#left[@]} > 0)) || break
        if ((i == 0 || i == 10)); then
            for p in "${left[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
        elif ((i == 100)); then
            echo "demo: pids ${left[*]} ignored SIGTERM for 10 s; sending SIGKILL" >&2
            for p in "${left[@]}"; do kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true; done
        fi
        sleep 0.05
    done
    # No `wait PID` here: bash reaps its children by itself, and bash 5.2's
    # `wait PID` in a trap that interrupted `wait -n` can block for a child
    # it has already reaped (seen here: the clean-up hung on the ended tick).
}
stop_all() { # STATUS
    # First: a second signal (make forwards SIGTERM to its child, Ctrl-C may
    # be pressed twice) is ignored from here on.
    trap '' INT TERM HUP
    trap - EXIT
    local status=$1 p first=()
    # Every background job, whether or not its pid reached a variable yet.
    for p in $(jobs -p); do
        [[ $p == "$broker_pid" || $p == "$redis_pid" ]] || first+=("$p")
    done
    stop_groups "${first[@]}"
    # The broker goes after the workers: a worker whose broker is already
    # gone waits out Kafka's session timeout (45 s) while it leaves its group.
    [[ -z $broker_pid ]] || stop_groups "$broker_pid"
    [[ -z $redis_pid ]] || stop_groups "$redis_pid"
    if [[ -n ${MM_DEMO_LOG_DIR:-} && -n $tmp ]]; then
        mkdir -p "$MM_DEMO_LOG_DIR"
        cp "$tmp"/*.err "$MM_DEMO_LOG_DIR"/ 2>/dev/null || true
        printf '%s\n' "${services[@]}" ${broker_pid:+"$broker_pid"} ${redis_pid:+"$redis_pid"} \
            >"$MM_DEMO_LOG_DIR/pids"
    fi
    [[ -z $tmp ]] || rm -rf "$tmp"
    echo "demo: stopped; nothing is left running"
    exit "$status"
}
trap 'stop_all $?' EXIT
trap 'stop_all 0' INT TERM HUP
echo "demo: starting (Ctrl-C stops everything at any moment)"

"$scripts/setup.sh" demo
cmake -S "$root" -B "$root/build" -G Ninja -DMM_WERROR=ON >/dev/null
cmake --build "$root/build" --target gregor forms
# GraphiQL's assets for offline use; without them the page loads them from a CDN.
MM_BINARY_DIR=$root/build "$scripts/fetch-graphiql.sh" >/dev/null 2>&1 ||
    echo "demo: GraphiQL assets not fetched (no npm registry?); the page will use a CDN" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo.XXXXXX")

# start_bg OUT ERR CMD...: CMD in the background in a process group of its
# own, with SIGKILL as its parent-death signal; sets bg_pid. (setsid does not
# fork here: a background job of a shell without job control does not lead
# a process group, so bg_pid is CMD's pid.)
start_bg() {
    local out=$1 err=$2
    shift 2
    setsid setpriv --pdeathsig KILL -- "$@" </dev/null >"$out" 2>"$err" &
    bg_pid=$!
}

# wait_line FILE PREFIX PID VAR: waits up to 30 s, while PID runs, for a line
# "PREFIX value" in FILE; sets VAR to the value. It runs in this shell, not in
# $(...), during which bash holds a signal's trap back until it ends.
wait_line() {
    local i line
    for ((i = 0; i < 300; i++)); do
        if [[ -f $1 ]]; then
            while IFS= read -r line; do
                if [[ $line == "$2"* ]]; then
                    printf -v "$4" '%s' "${line#"$2"}"
                    return 0
                fi
            done <"$1"
        fi
        kill -0 "$3" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# A throw-away Redis on a free loopback port, in $tmp/redis.
command -v redis-server >/dev/null || { echo "demo: ERROR: redis-server is not installed" >&2; exit 1; }
mkdir "$tmp/redis"
redis_url=""
for attempt in 1 2 3; do
    port=$(free_port)
    start_bg "$tmp/redis.out" "$tmp/redis.err" redis-server --bind 127.0.0.1 --port "$port" \
        --protected-mode yes --save '' --appendonly no --dir "$tmp/redis" --daemonize no
    redis_pid=$bg_pid
    for ((i = 0; i < 100; i++)); do
        if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
            redis_url=redis://127.0.0.1:$port
            break 2
        fi
        kill -0 "$redis_pid" 2>/dev/null || break
        sleep 0.1
    done
    stop_groups "$redis_pid"
    redis_pid=""
    grep -q "Address already in use" "$tmp/redis.out" || break
done
if [[ -z $redis_url ]]; then
    echo "demo: ERROR: redis-server did not start on 127.0.0.1:$port:" >&2
    tail -n 30 "$tmp/redis.out" >&2
    exit 1
fi
echo "demo: Redis on 127.0.0.1:$port (pid $redis_pid)" >&2
export MM_REDIS_URL=$redis_url

if [[ -n ${MM_KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    kafka_note="Kafka at $MM_KAFKA_BOOTSTRAP_SERVERS"
else
    start_bg "$tmp/broker.out" "$tmp/broker.err" "$root/build/gregor" broker
    broker_pid=$bg_pid
    if ! wait_line "$tmp/broker.out" "bootstrap: " "$broker_pid" bootstrap; then
        echo "demo: ERROR: gregor broker did not start" >&2
        cat "$tmp/broker.out" "$tmp/broker.err" >&2
        exit 1
    fi
    cat "$tmp/broker.err" >&2
    export MM_KAFKA_BOOTSTRAP_SERVERS=$bootstrap
    # The development broker answers a fetch only when this wait expires.
    export MM_KAFKA_PROP_FETCH_WAIT_MAX_MS=1
    kafka_note="gregor broker at $bootstrap (IN MEMORY: keeps nothing)"
fi

app=$root/build/examples/forms.so
for consumer in create_form legacy_create_form; do
    start_bg "$tmp/$consumer.out" "$tmp/$consumer.err" "$root/build/gregor" worker --app "$app" --consumer "$consumer"
    services+=("$bg_pid")
done
start_bg "$tmp/serve.out" "$tmp/serve.err" "$root/build/gregor" serve --app "$app" --listen "$listen"
services+=("$bg_pid")
if ! wait_line "$tmp/serve.out" "graphql: " "$bg_pid" url; then
    echo "demo: ERROR: gregor serve did not start on $listen (is the port taken? set MM_DEMO_LISTEN)" >&2
    cat "$tmp/serve.err" >&2
    exit 1
fi

query='{"query":"mutation { createForm(name: \"hello\", template: \"demo\", timing: synchronous) { data { id form { id name formType createdDate } } } }"}'
# The consumers join their groups in the background: the first answer may
# take a few seconds, so try until one comes back. curl and the pause run in
# the background and are waited for, so that a signal is handled at once.
answer=""
for ((i = 0; i < 30; i++)); do
    : >"$tmp/answer"
    curl -s --max-time 10 -o "$tmp/answer" "$url" -H 'content-type: application/json' -d "$query" &
    wait $! || true
    answer=$(<"$tmp/answer")
    grep -q '"form":{' <<<"$answer" && break
    sleep 1 &
    wait $!
done
if ! grep -q '"form":{' <<<"$answer"; then
    echo "demo: ERROR: the synchronous createForm did not come back: $answer" >&2
    tail -n 20 "$tmp"/*.err >&2
    exit 1
fi

cat <<MSG

================================================================
 Metamorphosis demo: the forms example, end to end
 ----------------------------------------------------------------
 Redis (throw-away):  $MM_REDIS_URL
 Kafka:               $kafka_note
 Workers:             create_form, legacy_create_form
 GraphQL:             $url   (open it in a browser for GraphiQL)

 A synchronous createForm just went through Kafka, a worker and
 Redis and came back:
   $answer

 Try it yourself:
   curl -s $url -H 'content-type: application/json' \\
     -d '$query'
   curl -s $url -H 'content-type: application/json' \\
     -d '{"query":"mutation { createFormSync(name: \\"poop\\", template: \\"x\\") { data { id } } }"}'
   curl -s $url -H 'content-type: application/json' -d '{"query":"{ allForms { id name } }"}'

 Watch forms as they are created (Server-Sent Events; run it in another
 terminal, then create forms with the curl commands above):
   curl -N $url -H 'accept: text/event-stream' -H 'content-type: application/json' \\
     -d '{"query":"subscription { formCreated { id name template createdDate } }"}'
 (graphql-ws clients subscribe at ${url/http/ws}, subprotocol graphql-transport-ws)

 Press Ctrl-C to stop everything.
================================================================
MSG

# Up until a signal (handled by the traps), MM_DEMO_SECONDS, a process that
# exits by itself, or the end of this script's parent. `sleep 1` is the tick.
deadline=""
[[ -z ${MM_DEMO_SECONDS:-} ]] || deadline=$((SECONDS + MM_DEMO_SECONDS))
parent=$PPID
while :; do
    sleep 1 &
    tick=$!
    ended="" status=0
    wait -n -p ended "${services[@]}" ${broker_pid:+"$broker_pid"} "$redis_pid" "$tick" || status=$?
    if [[ $ended == "$tick" ]]; then
        [[ -z $deadline ]] || ((SECONDS < deadline)) || exit 0
        ppid=$(cut -d' ' -f4 "/proc/$$/stat")
        if [[ $ppid != "$parent" ]]; then
            echo "demo: the parent process ($parent) is gone; stopping" >&2
            exit 0
        fi
        continue
    fi
    # A clean or signal-ended exit (someone stopped that process) ends the
    # demo quietly; only a failure status is unexpected.
    case $status in
    0 | 130 | 143) exit 0 ;;
    esac
    echo "demo: a process exited unexpectedly (status $status)" >&2
    tail -n 20 "$tmp"/*.err >&2
    exit 1
done
