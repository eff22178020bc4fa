#!/usr/bin/env bash
# check.sh -- the demo stops cleanly and logs in one format. Run by
# scripts/test.sh (not by ctest: it builds and runs the demo from the source
# tree, as a user does). Three runs:
#
#  1. scripts/demo.sh, then SIGINT to its whole process group (what Ctrl-C
#     does, sent from a script): exits 0 within 2 s, no "exited unexpectedly"
#     dump, nothing the demo started is left running, and every line the
#     demo's processes logged is in our format (time=... level=...; the
#     development broker's banner and gregor's own "gregor CMD: " messages
#     aside);
#  2. scripts/demo.sh, then SIGTERM to it alone (a supervisor stopping it):
#     the same;
#  3. `make demo`, then SIGTERM to its process group: the demo stops within
#     2 s with nothing left running and no dump. make itself then ends by the
#     signal (status 143), as GNU make does whenever it is sent SIGINT or
#     SIGTERM, whatever its recipe does.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo-check.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail() { echo "demo check: FAIL: $*" >&2; exit 1; }
set -m # background jobs lead their own process groups, with SIGINT not ignored

ms() { echo $(($(date +%s%N) / 1000000)); }

# Starts CMD... in the background with its output in $work/$name.out; waits
# for the demo's banner. Sets $job.
start() { # NAME CMD...
    local name=$1
    shift
    MM_DEMO_LISTEN=127.0.0.1:0 MM_DEMO_LOG_DIR=$work/$name "$@" >"$work/$name.out" 2>&1 &
    job=$!
    for ((i = 0; i < 1800; i++)); do
        grep -q 'Press Ctrl-C to stop everything' "$work/$name.out" && return 0
        kill -0 "$job" 2>/dev/null || { cat "$work/$name.out" >&2; fail "$name: the demo ended before it was up"; }
        sleep 0.1
    done
    cat "$work/$name.out" >&2
    fail "$name: the demo was not up within 180 s"
}

# Sends SIG to TARGET, waits for the job; checks time, status, leftovers.
stop_and_check() { # NAME SIG TARGET WANT_STATUS
    local name=$1 sig=$2 target=$3 want=$4 t0 t1 status=0
    t0=$(ms)
    kill "-$sig" -- "$target"
    wait "$job" || status=$?
    t1=$(ms)
    echo "demo check: $name: $sig -> exit $status in $((t1 - t0)) ms"
    ((status == want)) || { cat "$work/$name.out" >&2; fail "$name: exit status $status, wanted $want"; }
    ((t1 - t0 <= 2000)) || fail "$name: took $((t1 - t0)) ms to stop (limit 2000)"
    ! grep -q 'exited unexpectedly' "$work/$name.out" || { cat "$work/$name.out" >&2; fail "$name: an unexpected-exit dump"; }
    grep -q 'demo: stopped; nothing is left running' "$work/$name.out" || fail "$name: no clean-up message"
    [[ -s $work/$name/pids ]] || fail "$name: the demo recorded no pids"
    local p
    while read -r p; do
        ! kill -0 "$p" 2>/dev/null || fail "$name: process $p is still running"
    done <"$work/$name/pids"
    local redis_dir
    redis_dir=$(sed -n 's/.*redis-fixture: Redis .* dir \(.*\))$/\1/p' "$work/$name.out" | head -n1)
    [[ -n $redis_dir ]] || fail "$name: no Redis fixture line"
    [[ ! -e $redis_dir ]] || fail "$name: the Redis fixture $redis_dir is still there"
}

# Every line the demo's processes logged is ours.
check_log_format() { # NAME
    local f line bad=0 lines=0
    for f in "$work/$1"/*.err; do
        while IFS= read -r line; do
            lines=$((lines + 1))
            [[ $line =~ ^time=[0-9T:.-]+Z\ level=(error|warn|info|debug)\  ]] && continue
            [[ $line == "gregor "*": "* ]] && continue       # gregor's own messages to the user
            [[ $(basename "$f") == broker.err && $line == "*"* ]] && continue # the broker's banner
            echo "demo check: not our log format in $(basename "$f"): $line" >&2
            bad=1
        done <"$f"
    done
    ((bad == 0)) || fail "$1: log lines in another format"
    ((lines > 0)) || fail "$1: no log lines at all"
    echo "demo check: $1: all $lines log lines in our format"
}

start script_int "$root/scripts/demo.sh"
stop_and_check script_int INT "-$job" 0
check_log_format script_int

start script_term "$root/scripts/demo.sh"
stop_and_check script_term TERM "$job" 0

start make_term make -C "$root" --no-print-directory demo
stop_and_check make_term TERM "-$job" 143
echo "demo check: the demo stops cleanly on SIGINT and SIGTERM, and logs in one format"
