# fixture.sh -- helpers shared by the server fixtures (kafka-fixture.sh,
# redis-fixture.sh): free loopback ports, waiting, stopping a process group.
# Sourced, not run. Progress goes to stderr; stdout is kept for the
# NAME=VALUE lines a fixture prints for its caller.

# port_is_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
port_is_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port [EXCEPT...]: print a loopback port nobody listens on (and that is
# not one of EXCEPT). Picked at random from a range above the usual service
# ports and below Linux's ephemeral range, so a client socket rarely takes it
# between our check and the server's bind; the fixtures retry when it does.
free_port() {
    local port tries=0
    while ((tries++ < 200)); do
        port=$((20000 + RANDOM % 12000))
        [[ " $* " == *" $port "* ]] && continue
        if port_is_free "$port"; then
            echo "$port"
            return 0
        fi
    done
    echo "fixture: ERROR: found no free loopback port" >&2
    return 1
}

# stop_group PID NAME: stop the process group led by PID (TERM, then KILL
# after 15 s) and wait until it is gone. Checks the pid still runs NAME so a
# recycled pid is never killed.
# running PID: whether PID is a live process. A zombie is not: an orphaned
# server is reaped by init, which in some containers takes a second or more.
running() {
    kill -0 "$1" 2>/dev/null || return 1
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

stop_group() {
    local pid=$1 name=$2 i
    [[ -n $pid ]] || return 0
    if ! running "$pid"; then
        return 0
    fi
    # Captured before matching: `tr | grep -q` under pipefail can fail when
    # grep exits on its match and tr dies of SIGPIPE.
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    if [[ $cmdline != *"$name"* ]]; then
        echo "fixture: pid $pid is no longer $name; not killing it" >&2
        return 0
    fi
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do
        running "$pid" || return 0
        sleep 0.05
    done
    echo "fixture: $name (pid $pid) ignored SIGTERM for 15 s; sending SIGKILL" >&2
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        running "$pid" || return 0
        sleep 0.1
    done
}

# fail_with_log WHAT LOGFILE MESSAGE: the loud failure every fixture uses.
fail_with_log() {
    {
        echo "============================================================"
        echo "FIXTURE FAILED: $1: $3"
        if [[ -f $2 ]]; then
            echo "---- last 30 lines of $2 ----"
            tail -n 30 "$2"
        fi
        echo "============================================================"
    } >&2
}
