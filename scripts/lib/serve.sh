# serve.sh -- start `gregor serve` and wait for its URL: the one way the
# shell tests (tests/e2e/*.sh, tests/e2e/faults/lib.sh, tests/e2e/interop/lib.sh)
# do it. Sourced, not run.
#
# serve_start LOG CMD...
#   Runs CMD (a `gregor serve ...` command line, with an `env VAR=VALUE ...`
#   prefix when the server needs its own variables) in the background, its
#   stdout in LOG.out and its stderr in LOG.err, and waits for the line
#   "graphql: URL" that gregor serve prints once it listens. The deadline is
#   SERVE_START_TIMEOUT seconds (default 30), counted from the start.
#   Success: sets SERVE_PID, exports SERVE_URL (the GraphQL endpoint) and
#   SERVE_BASE (scheme://host:port, for /healthz, /readyz, /metrics, ...),
#   returns 0. The caller owns the server from then on (stop it at exit).
#   Failure (the server exited, or no URL by the deadline): says which on
#   stderr with the server's stderr, leaves no server running, returns 1.
#
# Both log files exist before this returns or the server writes to them (the
# background job makes its own redirections, which may come after our first
# read: reading a file not yet created once ended a test under set -e).
serve_start() {
    local log=$1 now end
    shift
    SERVE_URL="" SERVE_BASE=""
    : >"$log.out"
    : >"$log.err"
    "$@" >"$log.out" 2>"$log.err" &
    SERVE_PID=$!
    printf -v now '%(%s)T' -1
    end=$((now + ${SERVE_START_TIMEOUT:-30}))
    while :; do
        # sed quits at the first match: no `| head` (SIGPIPE under pipefail).
        SERVE_URL=$(sed -n '/^graphql: /{s///p;q}' "$log.out" 2>/dev/null || true)
        if [[ -n $SERVE_URL ]]; then
            [[ $SERVE_URL =~ ^[a-z]+://[^/]+ ]] && SERVE_BASE=${BASH_REMATCH[0]}
            export SERVE_URL SERVE_BASE
            return 0
        fi
        if ! kill -0 "$SERVE_PID" 2>/dev/null; then
            wait "$SERVE_PID" 2>/dev/null || true
            echo "serve_start: gregor serve exited before it listened ($*); its stderr:" >&2
            cat "$log.err" >&2
            return 1
        fi
        printf -v now '%(%s)T' -1
        if ((now >= end)); then
            kill -KILL "$SERVE_PID" 2>/dev/null || true
            wait "$SERVE_PID" 2>/dev/null || true
            echo "serve_start: gregor serve did not listen within ${SERVE_START_TIMEOUT:-30} s ($*); its stderr:" >&2
            cat "$log.err" >&2
            return 1
        fi
        sleep 0.1
    done
}
