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
#     SIGTERM, whatever its recipe does;
#  4. the race sweep: a signal at every phase of the start-up, not only once
#     the demo is up. For each anchor (the launch; the development broker's
#     banner, i.e. while Redis and the broker run and the workers, the server
#     and the first request are being started) and each delay 0-400 ms after
#     it (step 100), one run gets one of: Ctrl-C (SIGINT to the script's
#     process group), SIGTERM to the script alone, SIGTERM to `make demo`'s
#     process group (rotating over rounds). Each must end within its limit,
#     exit cleanly with the clean-up line (status 0; 143 for make) unless it
#     was killed before it had printed anything, and leave NO process behind.
#     MM_DEMO_CHECK_ROUNDS (default 1) repeats the sweep.
#
# "Nothing left running" does not trust the demo's own record: every run
# gets a unique MM_DEMO_CHECK_TAG in its environment, which every process it
# starts inherits (Redis, broker, workers, server, curl, sleeps, builds); any
# process whose /proc/PID/environ holds it after the run is a leak.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo-check.XXXXXX")
tag=""
# A failing check leaves nothing behind either.
trap 'if [[ -n $tag ]]; then tagged "$tag" | while read -r p _; do kill -KILL "$p" 2>/dev/null; done; fi; rm -rf "$work"' EXIT
fail() { echo "demo check: FAIL: $*" >&2; exit 1; }
set -m # background jobs lead their own process groups, with SIGINT not ignored
# A signal ignored when a shell starts cannot be trapped by it, and an
# ignored signal is inherited: run from `nohup cmd &` or a non-interactive
# shell's background job, SIGINT reaches this check (and so the demo) ignored,
# and the demo's Ctrl-C trap could never fire (a clean-clone run started that
# way failed script_int: SIGINT did nothing for 30 s). What a user's terminal
# gives the demo is the default disposition: start it with that.
as_from_terminal=(env --default-signal=INT,TERM,HUP)

ms() { echo $(($(date +%s%N) / 1000000)); }

# Waits for $job, at most 30 s (a demo that never stops fails the check
# instead of hanging it); sets $status.
wait_job() { # NAME
    local i
    for ((i = 0; i < 3000; i++)); do
        kill -0 "$job" 2>/dev/null || break
        sleep 0.01
    done
    if kill -0 "$job" 2>/dev/null; then
        cat "$work/$1.out" >&2
        # What the stuck script and its children were doing, for the next reader.
        ps -o pid,ppid,pgid,stat,wchan:24,etimes,args -g "$job" >&2 2>/dev/null || true
        tagged "$tag" | sed 's/^/demo check: tagged: /' >&2
        fail "$1: still running 30 s after the signal"
    fi
    status=0
    wait "$job" || status=$?
}

# The processes whose environment holds MM_DEMO_CHECK_TAG=TAG: "PID CMDLINE" lines.
tagged() { # TAG
    local d cmd
    for d in /proc/[0-9]*; do
        grep -qzx "MM_DEMO_CHECK_TAG=$1" "$d/environ" 2>/dev/null || continue
        cmd=$(tr '\0' ' ' <"$d/cmdline" 2>/dev/null || true)
        echo "${d#/proc/} $cmd"
    done
}
# Fails (after killing them, so one failure leaves nothing behind) when a
# process of run TAG is still there.
no_leftovers() { # NAME TAG
    local left p rest
    left=$(tagged "$2")
    [[ -z $left ]] && return 0
    echo "$left" | sed "s/^/demo check: $1: left running: /" >&2
    while read -r p rest; do kill -KILL "$p" 2>/dev/null || true; done <<<"$left"
    fail "$1: processes left running (above)"
}

# Starts CMD... in the background with its output in $work/$name.out; waits
# for the demo's banner. Sets $job.
start() { # NAME CMD...
    local name=$1
    shift
    tag=mm-demo-check-$$-$name
    MM_DEMO_CHECK_TAG=$tag MM_DEMO_LISTEN=127.0.0.1:0 MM_DEMO_LOG_DIR=$work/$name "${as_from_terminal[@]}" "$@" >"$work/$name.out" 2>&1 &
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
    wait_job "$name"
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
    no_leftovers "$name" "$tag"
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

# One sweep run: launch CMD, wait for ANCHOR (a line of its output; empty:
# the launch itself), sleep DELAY_MS, send SIG to TARGET (group: the job's
# process group; pid: the job alone), then check.
sweep_run() { # NAME ANCHOR DELAY_MS SIG TARGET WANT_STATUS LIMIT_MS CMD...
    local name=$1 anchor=$2 delay=$3 sig=$4 target=$5 want=$6 limit=$7 i t0 t1 status=0 before
    shift 7
    tag=mm-demo-check-$$-$name
    MM_DEMO_CHECK_TAG=$tag MM_DEMO_LISTEN=127.0.0.1:0 "${as_from_terminal[@]}" "$@" >"$work/$name.out" 2>&1 &
    job=$!
    if [[ -n $anchor ]]; then
        for ((i = 0; i < 18000; i++)); do
            grep -q -- "$anchor" "$work/$name.out" 2>/dev/null && break
            kill -0 "$job" 2>/dev/null || { cat "$work/$name.out" >&2; fail "$name: the demo ended before '$anchor'"; }
            sleep 0.01
        done
    fi
    sleep "$(printf '0.%03d' "$delay")"
    before=$(wc -c <"$work/$name.out" 2>/dev/null || echo 0)
    t0=$(ms)
    if [[ $target == group ]]; then kill "-$sig" -- "-$job"; else kill "-$sig" "$job"; fi
    wait_job "$name"
    t1=$(ms)
    echo "demo check: $name: $sig to the $target at ${anchor:-launch}+${delay} ms -> exit $status in $((t1 - t0)) ms"
    no_leftovers "$name" "$tag"
    ((t1 - t0 <= limit)) || { cat "$work/$name.out" >&2; fail "$name: took $((t1 - t0)) ms to stop (limit $limit)"; }
    if ((before == 0 && status >= 128)); then
        return 0 # killed before it had printed anything (before its traps, perhaps): nothing to clean
    fi
    # GNU make's own race: when its recipe's shell has already ended (the
    # demo stopped cleanly on the same signal) by the time make's signal
    # handler waits for it, make says "wait: No child processes" and exits 2
    # instead of dying of the signal. Seen in 1 of 4 runs of this check; the
    # demo's side (clean-up line, nothing left running) is checked all the same.
    if ((want == 143 && status == 2)) && grep -q 'make: \*\*\* wait: No child processes' "$work/$name.out"; then
        echo "demo check: $name: make exited 2 ('wait: No child processes', make's race), accepted"
    else
        ((status == want)) || { cat "$work/$name.out" >&2; fail "$name: exit status $status, wanted $want"; }
    fi
    grep -q 'demo: stopped; nothing is left running' "$work/$name.out" ||
        { cat "$work/$name.out" >&2; fail "$name: no clean-up message"; }
}

start script_int "$root/scripts/demo.sh"
stop_and_check script_int INT "-$job" 0
check_log_format script_int

start script_term "$root/scripts/demo.sh"
stop_and_check script_term TERM "$job" 0

start make_term make -C "$root" --no-print-directory demo
stop_and_check make_term TERM "-$job" 143

rounds=${MM_DEMO_CHECK_ROUNDS:-1}
n=0
for ((round = 1; round <= rounds; round++)); do
    for anchor in "" "gregor broker: stop with"; do
        for delay in 0 100 200 300 400; do
            # After the build a stop takes well under 2 s; during setup.sh and
            # the build a signal to the script alone waits for that step.
            limit=2000
            [[ -n $anchor ]] || limit=15000
            case $(((n + round) % 3)) in
            0) sweep_run "sweep$n" "$anchor" "$delay" INT group 0 "$limit" "$root/scripts/demo.sh" ;;
            1) sweep_run "sweep$n" "$anchor" "$delay" TERM pid 0 "$limit" "$root/scripts/demo.sh" ;;
            2) sweep_run "sweep$n" "$anchor" "$delay" TERM group 143 "$limit" make -C "$root" --no-print-directory demo ;;
            esac
            n=$((n + 1))
        done
    done
done
echo "demo check: the demo stops cleanly on SIGINT and SIGTERM at any moment ($n sweep runs), leaves nothing running, and logs in one format"
