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
# Stopping: Ctrl-C, or SIGINT/SIGTERM from a script (to this script, to
# `make`, or to the whole process group), stops everything and exits 0. A
# worker or the server that exits by itself with a failure status is
# reported with the last lines of the logs (exit 1).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts=$root/scripts
listen=${MM_DEMO_LISTEN:-127.0.0.1:8000}

"$scripts/setup.sh" demo
cmake -S "$root" -B "$root/build" -G Ninja -DMM_WERROR=ON >/dev/null
cmake --build "$root/build" --target gregor forms
# GraphiQL's assets for offline use; without them the page loads them from a CDN.
MM_BINARY_DIR=$root/build "$scripts/fetch-graphiql.sh" >/dev/null 2>&1 ||
    echo "demo: GraphiQL assets not fetched (no npm registry?); the page will use a CDN" >&2

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo.XXXXXX")
pids=()      # the framework's processes: workers and the server
broker_pid=""
cleanup() {
    local status=$?
    # A second signal (make forwards SIGTERM to its child, Ctrl-C may be
    # pressed twice) must not cut the clean-up short and leave servers behind.
    trap - EXIT
    trap '' INT TERM
    local p
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    # The broker goes last: a worker whose broker is already gone waits out
    # Kafka's session timeout (45 s) while it leaves its group.
    if [[ -n $broker_pid ]]; then
        kill -TERM "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    if [[ -s $tmp/redis ]]; then
        "$scripts/redis-fixture.sh" stop "$(cat "$tmp/redis")" || true
    fi
    if [[ -n ${MM_DEMO_LOG_DIR:-} ]]; then
        mkdir -p "$MM_DEMO_LOG_DIR"
        cp "$tmp"/*.err "$MM_DEMO_LOG_DIR"/ 2>/dev/null || true
        printf '%s\n' "${pids[@]}" ${broker_pid:+"$broker_pid"} >"$MM_DEMO_LOG_DIR/pids"
    fi
    rm -rf "$tmp"
    echo "demo: stopped; nothing is left running"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

# Wait for "PREFIX value" on a process's stdout file; print value.
wait_line() { # FILE PREFIX PID
    local v
    for ((i = 0; i < 300; i++)); do
        v=$(sed -n "s/^$2//p" "$1")
        [[ -n $v ]] && { echo "$v"; return 0; }
        kill -0 "$3" 2>/dev/null || break
        sleep 0.1
    done
    return 1
}

eval "$(MM_FIXTURE_RECORD=$tmp/redis "$scripts/redis-fixture.sh" start)"
export MM_REDIS_URL=$MM_TEST_REDIS_URL

if [[ -n ${MM_KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    kafka_note="Kafka at $MM_KAFKA_BOOTSTRAP_SERVERS"
else
    # setsid: Ctrl-C reaches the workers and the server but not the broker,
    # which the clean-up stops after them (see there).
    setsid "$root/build/gregor" broker >"$tmp/broker.out" 2>"$tmp/broker.err" &
    broker_pid=$!
    if ! bootstrap=$(wait_line "$tmp/broker.out" "bootstrap: " "$broker_pid"); then
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
    "$root/build/gregor" worker --app "$app" --consumer "$consumer" 2>"$tmp/$consumer.err" &
    pids+=($!)
done
"$root/build/gregor" serve --app "$app" --listen "$listen" >"$tmp/serve.out" 2>"$tmp/serve.err" &
pids+=($!)
if ! url=$(wait_line "$tmp/serve.out" "graphql: " "${pids[-1]}"); then
    echo "demo: ERROR: gregor serve did not start on $listen (is the port taken? set MM_DEMO_LISTEN)" >&2
    cat "$tmp/serve.err" >&2
    exit 1
fi

query='{"query":"mutation { createForm(name: \"hello\", template: \"demo\", timing: synchronous) { data { id form { id name formType createdDate } } } }"}'
# The consumers join their groups in the background: the first answer may
# take a few seconds, so try until one comes back.
answer=""
for ((i = 0; i < 30; i++)); do
    answer=$(curl -s --max-time 10 "$url" -H 'content-type: application/json' -d "$query" || true)
    grep -q '"form":{' <<<"$answer" && break
    sleep 1
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

if [[ -n ${MM_DEMO_SECONDS:-} ]]; then
    sleep "$MM_DEMO_SECONDS"
else
    # A signal to the whole process group (Ctrl-C, `kill -INT -PGID`) reaches
    # the workers and the server too; they stop cleanly (status 0) and this
    # wait may return for them before our own trap runs. A clean or
    # signal-ended exit is such a stop; only a failure status is unexpected.
    status=0
    wait -n "${pids[@]}" ${broker_pid:+"$broker_pid"} || status=$?
    case $status in
    0 | 130 | 143) exit 0 ;;
    esac
    echo "demo: a process exited unexpectedly (status $status)" >&2
    tail -n 20 "$tmp"/*.err >&2
    exit 1
fi
