#!/usr/bin/env bash
# redis-fixture.sh -- start or stop the Redis server of the integration tier:
# Debian's redis-server on a free 127.0.0.1 port, no persistence, in a fresh
# temporary directory.
#
#   redis-fixture.sh start        starts it, waits for PING, prints
#                                 MM_TEST_REDIS_URL=..., MM_TEST_REDIS_VERSION=...,
#                                 MM_REDIS_FIXTURE_DIR=... on stdout
#   redis-fixture.sh stop DIR     stops the server started in DIR, removes DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$here/lib/fixture.sh"

start() {
    command -v redis-server >/dev/null || { echo "redis-fixture: ERROR: redis-server is not installed (scripts/setup.sh)" >&2; exit 1; }
    local dir port pid attempt i
    dir=$(mktemp -d "${TMPDIR:-/tmp}/mm-redis.XXXXXX")
    # Tell the caller where the state is at once, so it can stop the server
    # even if it is interrupted before reading our output.
    [[ -n ${MM_FIXTURE_RECORD:-} ]] && echo "$dir" >"$MM_FIXTURE_RECORD"
    # Interrupted while starting: take down what was started.
    trap 'stop_group "${pid:-}" redis-server; rm -rf "$dir"; exit 130' INT TERM
    for attempt in 1 2 3; do
        port=$(free_port)
        : >"$dir/redis.log"
        # setsid: the server leads its own process group, so stop can kill
        # the group and the server does not get the terminal's Ctrl-C twice.
        setsid redis-server --bind 127.0.0.1 --port "$port" --protected-mode yes \
            --save '' --appendonly no --dir "$dir" --logfile "$dir/redis.log" \
            --daemonize no </dev/null >>"$dir/redis.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/pid"
        for ((i = 0; i < 100; i++)); do
            if [[ $(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null) == PONG ]]; then
                local version
                version=$(redis-cli -h 127.0.0.1 -p "$port" info server | tr -d '\r' | sed -n 's/^redis_version://p')
                echo "redis-fixture: Redis $version on 127.0.0.1:$port (pid $pid, dir $dir)" >&2
                echo "MM_TEST_REDIS_URL=redis://127.0.0.1:$port"
                echo "MM_TEST_REDIS_VERSION=$version"
                echo "MM_REDIS_FIXTURE_DIR=$dir"
                return 0
            fi
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            fail_with_log "redis-server on 127.0.0.1:$port" "$dir/redis.log" "no PONG within 10 s"
            stop_group "$pid" redis-server
            rm -rf "$dir"
            exit 1
        fi
        wait "$pid" 2>/dev/null || true
        if grep -q "Address already in use" "$dir/redis.log"; then
            echo "redis-fixture: port $port was taken meanwhile; retrying" >&2
            continue
        fi
        break
    done
    fail_with_log "redis-server on 127.0.0.1:$port" "$dir/redis.log" "the server exited during start-up"
    rm -rf "$dir"
    exit 1
}

stop() {
    local dir=${1:?usage: redis-fixture.sh stop DIR}
    [[ -d $dir ]] || return 0
    stop_group "$(cat "$dir/pid" 2>/dev/null || true)" redis-server
    rm -rf "$dir"
}

case ${1:-} in
    start) start ;;
    stop) stop "${2:-}" ;;
    *) echo "usage: redis-fixture.sh start | stop DIR" >&2; exit 2 ;;
esac
