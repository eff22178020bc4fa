# prologue.sh -- what the e2e shell tests (tests/e2e/*.sh and the libraries
# beside them) share at their top and bottom: where the trees and gregor
# are, failing loudly when something the test needs is missing (a tier never
# skips), a scratch directory whose children are stopped at exit, and
# starting, waiting for and stopping gregor processes, every wait with a
# deadline. Sourced, not run, and not a test: CMake registers only
# tests/e2e/*.sh, never this directory.
#
#   [e2e_name=NAME]   # (a line of its own)
#   source "$(dirname "$0")/lib/prologue.sh"
#
# Sets src (MM_SOURCE_DIR, else this checkout), bin_dir (MM_BINARY_DIR, else
# $src/build), gregor (MM_GREGOR, else $bin_dir/gregor) and e2e_name (what
# the messages start with; unless set, the script's file name without .sh),
# and sources scripts/lib/serve.sh (serve_start) and scripts/lib/children.sh
# (stop_children_and_work). The helpers keep the names the scripts used
# before they were shared (fail, log, check, now_ms, status_of,
# wait_status); a script may define its own after sourcing this (the
# prologue's own errors never go through them).

e2e_name=${e2e_name:-$(basename "$0" .sh)}
src=${MM_SOURCE_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)}
bin_dir=${MM_BINARY_DIR:-$src/build}
gregor=${MM_GREGOR:-$bin_dir/gregor}
source "$src/scripts/lib/serve.sh"
source "$src/scripts/lib/children.sh"

# fail MESSAGE: the test failed; says so and exits 1.
e2e_fail() { echo "$e2e_name: FAIL: $*" >&2; exit 1; }
fail() { e2e_fail "$@"; }

# cannot_run MESSAGE: something the test needs is missing; says so where
# nobody can overlook it and exits 1.
cannot_run() {
    echo "============================================================" >&2
    echo "$e2e_name CANNOT RUN: $*" >&2
    echo "============================================================" >&2
    exit 1
}

# e2e_require ITEM...: cannot_run unless each is there:
#   kafka, redis     the run's servers (MM_TEST_KAFKA_BOOTSTRAP, MM_TEST_REDIS_URL)
#   gregor           $gregor, built
#   cmd:NAME[:PKG]   the command NAME, installed (PKG: its Debian package)
#   PATH             a file the build makes (a service module, an example)
e2e_require() {
    local item name pkg
    for item in "$@"; do
        case $item in
            kafka) [[ -n ${MM_TEST_KAFKA_BOOTSTRAP:-} ]] ||
                cannot_run "MM_TEST_KAFKA_BOOTSTRAP is not set (run through scripts/test.sh, which starts the broker)" ;;
            redis) [[ -n ${MM_TEST_REDIS_URL:-} ]] ||
                cannot_run "MM_TEST_REDIS_URL is not set (run through scripts/test.sh, which starts Redis)" ;;
            gregor) [[ -x $gregor ]] || cannot_run "gregor is not built: $gregor" ;;
            cmd:*)
                name=${item#cmd:} pkg=
                [[ $name == *:* ]] && pkg=" (Debian: ${name#*:})" name=${name%%:*}
                command -v "$name" >/dev/null || cannot_run "$name is not installed$pkg" ;;
            *) [[ -f $item ]] || cannot_run "not built: $item" ;;
        esac
    done
}

# e2e_work_dir: a fresh $work and an empty pids array; at exit every pid in
# pids gets SIGTERM (SIGKILL after 10 s), $work is removed and the servers
# of e2e_own_server are stopped.
e2e_work_dir() {
    work=$(mktemp -d)
    pids=()
    trap e2e_cleanup EXIT
}
e2e_own=() # "redis DIR" / "kafka DIR": the servers e2e_own_server started
e2e_cleanup() {
    local f
    for f in "${e2e_own[@]}"; do kill -CONT "$(cat "${f#* }/pid" 2>/dev/null)" 2>/dev/null || true; done
    stop_children_and_work
    for f in "${e2e_own[@]}"; do "$src/scripts/${f%% *}-fixture.sh" stop "${f#* }" >/dev/null 2>&1 || true; done
}

# e2e_own_server redis|kafka: a server of the test's own, one it may SIGSTOP
# or kill (scripts/redis-fixture.sh, scripts/kafka-fixture.sh; never the
# run's shared ones), or cannot_run. Exports its address as
# MM_TEST_REDIS_URL or MM_TEST_KAFKA_BOOTSTRAP (what the fixture prints),
# sets own_dir and own_pid; it is resumed and stopped at exit. Needs
# e2e_work_dir first.
e2e_own_server() {
    local out
    out=$(MM_FIXTURE_RECORD=$work/$1.rec "$src/scripts/$1-fixture.sh" start) ||
        cannot_run "cannot start a $1 server of its own (scripts/$1-fixture.sh)"
    own_dir=$(cat "$work/$1.rec")
    e2e_own+=("$1 $own_dir")
    eval "$out"
    own_pid=$(cat "$own_dir/pid")
}

# e2e_serve_start LOG CMD...: serve_start (scripts/lib/serve.sh: CMD in the
# background, its output in LOG.out/LOG.err, its URL within
# SERVE_START_TIMEOUT seconds) or fail; sets serve_pid, url and base, and
# adds the server to pids (stopped at exit).
e2e_serve_start() {
    serve_start "$@" || e2e_fail "gregor serve did not start (log: $1.err)"
    serve_pid=$SERVE_PID url=$SERVE_URL base=$SERVE_BASE
    pids+=("$serve_pid")
}

# e2e_wait_ready BASE [SECONDS]: until BASE/readyz answers 200, at most
# SECONDS (default 30), or fail.
e2e_wait_ready() {
    local end=$(($(now_ms) + ${2:-30} * 1000))
    while (($(now_ms) < end)); do
        curl -sf --max-time 5 "$1/readyz" >/dev/null && return 0
        sleep 0.1
    done
    curl -sf --max-time 5 "$1/readyz" >/dev/null ||
        e2e_fail "gregor serve not ready within ${2:-30} s: $(curl -s --max-time 5 "$1/readyz")"
}

# e2e_stop PID [SECONDS]: SIGTERM to a child, then up to SECONDS (default
# 30) for it to exit (SIGKILL after that); returns its exit status, for the
# caller's own assertion (gregor exits 0 on SIGTERM: under ASan, no leak).
# The pid leaves pids (its index stays free: the others keep theirs).
e2e_stop() {
    local pid=$1 i k st=0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < ${2:-30} * 10; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" || st=$?
    for k in ${pids[@]+"${!pids[@]}"}; do [[ ${pids[$k]} != "$pid" ]] || unset "pids[$k]"; done
    return "$st"
}

# log MESSAGE: a line on stderr, the script's name first.
log() { echo "$e2e_name: $*" >&2; }

# check DESCRIPTION CONDITION...: runs CONDITION; logs ok or FAILED, and a
# failure sets failed=1 (the script ends with `exit $failed`).
check() {
    local what=$1
    shift
    if "$@"; then log "ok: $what"; else log "FAILED: $what"; failed=1; fi
}

now_ms() { date +%s%3N; }

# status_of URL [SECONDS]: the HTTP status of a GET (000: no answer).
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-2}" "$1" 2>/dev/null || echo 000; }

# wait_status URL WANT SECONDS: until URL answers WANT; prints the ms it
# took (-1 and returns 1: not within SECONDS).
wait_status() {
    local start end
    start=$(now_ms)
    end=$((start + $3 * 1000))
    while (($(now_ms) < end)); do
        if [[ $(status_of "$1" 1) == "$2" ]]; then
            echo $(($(now_ms) - start))
            return 0
        fi
        sleep 0.1
    done
    echo -1
    return 1
}
