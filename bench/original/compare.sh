#!/usr/bin/env bash
# compare.sh -- the C port against the ORIGINAL metamorphosis 0.4.5, on
# identical work, on one Kafka broker and one Redis started for the whole run:
# the compatibility check (compat.py), then for each system in turn
#   1. synchronous createForm over HTTP at concurrency 1, 4, 16 (p50/p99, rps)
#      with both consumers (create_form, legacy_create_form) running;
#   2. asynchronous createFormAsync at concurrency 16 with the consumers
#      stopped, which leaves a backlog on the topic;
#   3. one create_form consumer process started on that backlog: events/s,
#      CPU per event and its RSS (measure.py drain).
# The original runs on its own topics/consumer groups ("original." prefix,
# see orig_forms.py) and Redis dbs 1 and 10; the port on "forms" and db 0.
# Writes bench/original/results.md (markdown tables with ratios) and
# docs/img/original-vs-port-*.png. Takes a few minutes.
#
#   bench/original/compare.sh [SECONDS_PER_POINT=5]
#   bench/original/compare.sh --compat     only the compatibility check
# MM_COMPARE_KEEP=1 keeps the working directory (logs, raw JSON) in /tmp.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
here=$root/bench/original
compat_only=0
if [ "${1:-}" = "--compat" ]; then compat_only=1; shift; fi
secs=${1:-5}
cd "$root"

"$here/setup.sh"
venv=${MM_ORIGINAL_VENV:-$HOME/.cache/metamorphosis/original-venv}
py=$venv/bin/python
B=$root/build-original
cmake -S . -B "$B" -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF >/dev/null
cmake --build "$B" --target gregor forms loadgen >/dev/null
work=$(mktemp -d /tmp/mm-compare.XXXXXX)
echo "compare.sh: working in $work"

pids=()
redis_dir="" kafka_dir=""
stop_pid() { # PID: stop one process we started and wait for it
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$kafka_dir" ] && scripts/kafka-fixture.sh stop "$kafka_dir" >/dev/null 2>&1 || true
    [ -n "$redis_dir" ] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    # The logs and raw measurements stay only when asked for.
    if [ "${MM_COMPARE_KEEP:-0}" = 1 ]; then echo "compare.sh: kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
eval "$(scripts/kafka-fixture.sh start)"
kafka_dir=$MM_KAFKA_FIXTURE_DIR
K=$MM_TEST_KAFKA_BOOTSTRAP R=$MM_TEST_REDIS_URL
export MM_KAFKA_BOOTSTRAP_SERVERS=$K MM_REDIS_URL=$R/0 MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=warn

# ---- how each system is started ------------------------------------------
port_server() { # [--manager] -> sets port_url and port_server_pid; fails if it does not start
    "$B/gregor" serve "$@" --app "$B/examples/forms.so" >"$work/port-serve.out" 2>"$work/port-serve.err" &
    port_server_pid=$!
    for _ in $(seq 100); do
        grep -q '^graphql: ' "$work/port-serve.out" && break
        kill -0 "$port_server_pid" 2>/dev/null || break
        sleep 0.1
    done
    port_url=$(sed -n 's/^graphql: //p' "$work/port-serve.out" 2>/dev/null || true)
    if [ -z "$port_url" ]; then
        cat "$work/port-serve.err" >&2
        stop_pid "$port_server_pid"
        return 1
    fi
    pids+=("$port_server_pid")
}
port_worker() { # CONSUMER -> echoes the pid
    "$B/gregor" worker --app "$B/examples/forms.so" --consumer "$1" >"$work/port-$1.log" 2>&1 &
    pids+=("$!")
    echo "$!" >"$work/port-$1.pid"
}
orig_server() {
    rm -f "$work/orig/url"
    "$here/run_original.sh" server "$K" "$R" "$work/orig" &
    orig_server_runner=$!
    pids+=("$orig_server_runner")
    for _ in $(seq 600); do [ -s "$work/orig/url" ] && break; sleep 0.1; done
    orig_url=$(cat "$work/orig/url")
}
orig_node() { # CONSUMER...
    rm -f "$work/orig/node-$(echo "$@" | tr ' ' '+').pid"
    "$here/run_original.sh" node "$K" "$R" "$work/orig" "$@" &
    pids+=("$!")
    echo "$!" >"$work/orig-node-$1.runner"
}
# The consumer process of an original node: gregor.py -> ConsumerNode -> consumer.
orig_consumer_pid() { # CONSUMER
    local f="$work/orig/node-$1.pid" n
    for _ in $(seq 300); do
        if [ -s "$f" ]; then
            n=$("$py" "$here/measure.py" tree "$(cat "$f")" | sed -n 3p)
            [ -n "$n" ] && { echo "$n"; return; }
        fi
        sleep 0.1
    done
    echo "compare.sh: no consumer process for $1" >&2
    exit 1
}

sync_q='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
async_q='{"query":"mutation { createFormAsync(name: \"bench\", template: \"t\") { data { id } } }"}'

warm() { # URL: until a synchronous mutation succeeds (group joined, topics made)
    for _ in $(seq 150); do
        curl -s -m 10 "$1" -H 'content-type: application/json' \
            -d '{"query":"mutation { createFormSync(name: \"warm\", template: \"t\") { data { id form { id } } } }"}' |
            grep -q '"form":{' && return 0
        sleep 0.4
    done
    echo "compare.sh: $1 never answered a synchronous mutation" >&2
    exit 1
}

# ---- compatibility ---------------------------------------------------------
port_worker create_form >/dev/null
port_worker legacy_create_form >/dev/null
# The original's example always serves its manager fields (auth code: the
# Flask SECRET_KEY "foobar"); the port serves them with --manager.
if ! MM_MANAGER_AUTH_CODE=foobar port_server --manager; then
    echo "compare.sh: gregor serve --manager failed (above); comparing without the manager" >&2
    port_server
fi
orig_server
orig_node create_form legacy_create_form
warm "$port_url"
warm "$orig_url"
set +e
"$py" "$here/compat.py" "$orig_url" "$port_url" --markdown "$work/compat.md" | tee "$work/compat.txt"
compat_rc=${PIPESTATUS[0]}
set -e
cp "$work/compat.md" "$here/compat-result.md"
if [ "$compat_only" = 1 ]; then exit "$compat_rc"; fi
for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
pids=()

# ---- performance -----------------------------------------------------------
cut -d' ' -f1-3 /proc/loadavg >"$work/load-start.txt"
# measure SYSTEM URL SERVER_PIDS_FN CONSUMER_PIDS_FN: writes $work/SYSTEM-*.json
load() { # URL BODY CONCURRENCY
    "$B/bench/loadgen" "$1" "$2" "$3" "$secs"
}
cpu_of() { "$py" "$here/measure.py" cpu $("$py" "$here/measure.py" tree "$@"); }

run_system() { # SYSTEM
    local sys=$1 url server_pid c0 c1 cf lf
    echo "== $sys"
    if [ "$sys" = port ]; then
        port_worker create_form >/dev/null
        port_worker legacy_create_form >/dev/null
        port_server || exit 1
        url=$port_url server_pid=$port_server_pid
        cf=$(cat "$work/port-create_form.pid") lf=$(cat "$work/port-legacy_create_form.pid")
    else
        orig_node create_form
        orig_node legacy_create_form
        orig_server
        url=$orig_url server_pid=$(cat "$work/orig/server.pid")
        cf=$(orig_consumer_pid create_form) lf=$(orig_consumer_pid legacy_create_form)
    fi
    warm "$url"
    for c in 1 4 16; do
        c0=$(cpu_of "$server_pid" "$cf" "$lf")
        load "$url" "$sync_q" "$c" >"$work/$sys-sync-$c.json"
        c1=$(cpu_of "$server_pid" "$cf" "$lf")
        echo "{\"cpu_s\": $("$py" -c "print(round($c1 - $c0, 3))")}" >"$work/$sys-sync-$c.cpu.json"
        echo "   sync c=$c: $(cat "$work/$sys-sync-$c.json")"
    done
    # What reached the service topic: every synchronous createForm should
    # leave its CreateFormEvent and the consumer's FormCreatedEvent there.
    local topic=forms
    [ "$sys" = orig ] && topic=original.forms
    kcat -C -b "$K" -t "$topic" -e -q -f '@@MSG@@ %h %s\n' >"$work/$sys-topic.dump" 2>/dev/null || true
    printf '{"messages": %d, "FormCreatedEvent": %d}\n' \
        "$(grep -a -o '@@MSG@@' "$work/$sys-topic.dump" | wc -l)" \
        "$(grep -a -o 'FormCreatedEvent' "$work/$sys-topic.dump" | wc -l)" >"$work/$sys-topic.json"
    rm -f "$work/$sys-topic.dump"
    echo "   topic $topic: $(cat "$work/$sys-topic.json")"
    # RSS of the HTTP server (all its processes) and of the consumer processes
    # after the synchronous load.
    "$py" "$here/measure.py" rss $("$py" "$here/measure.py" tree "$server_pid") >"$work/$sys-server-rss.json"
    "$py" "$here/measure.py" rss "$cf" "$lf" >"$work/$sys-consumer-rss.json"
    # Stop the consumers, pile up a backlog with asynchronous mutations.
    if [ "$sys" = port ]; then
        stop_pid "$cf"; stop_pid "$lf"
    else
        stop_pid "$(cat "$work/orig-node-create_form.runner")"
        stop_pid "$(cat "$work/orig-node-legacy_create_form.runner")"
    fi
    load "$url" "$async_q" 16 >"$work/$sys-async-16.json"
    echo "   async c=16: $(cat "$work/$sys-async-16.json")"
    # One create_form consumer process drains it; the measurement starts
    # first so that it sees the consumer's first event.
    local dpid
    if [ "$sys" = port ]; then
        rm -f "$work/port-create_form.pid"
        "$py" "$here/measure.py" drain "$R/0" hlen:mm:state:forms:forms "$work/port-create_form.pid" \
            >"$work/$sys-drain.json" &
        dpid=$!
        sleep 0.5
        port_worker create_form >/dev/null
    else
        redis-cli -u "$R/1" flushdb >/dev/null
        rm -f "$work/orig/node-create_form.pid"
        "$py" "$here/measure.py" drain "$R/1" dbsize "$work/orig/node-create_form.pid" \
            >"$work/$sys-drain.json" &
        dpid=$!
        sleep 0.5
        orig_node create_form
    fi
    wait "$dpid"
    echo "   drain: $(cat "$work/$sys-drain.json")"
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
}
run_system port
run_system orig

# ---- report ----------------------------------------------------------------
mkdir -p "$root/docs/img"
{ date -u '+%Y-%m-%d %H:%M UTC'; uname -srm; nproc; grep -m1 'model name' /proc/cpuinfo | cut -d: -f2;
  cut -d' ' -f1-3 /proc/loadavg; } >"$work/machine.txt"
"$py" "$here/report.py" "$work" "$here/results.md" "$root/docs/img" "$secs"
echo "compare.sh: wrote $here/results.md and docs/img/original-vs-port-*.png"
