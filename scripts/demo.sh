#!/usr/bin/env bash
# demo.sh -- what `make demo` runs: the demo on embedded defaults, no
# configuration needed.
#
# For now the example service is not wired into gregor yet, so this starts
# only the infrastructure the demo will use -- a throw-away Redis and the
# in-memory development Kafka broker (`gregor broker`) -- prints where they
# listen, and keeps them up until Ctrl-C (or MM_DEMO_SECONDS seconds).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts=$root/scripts

"$scripts/setup.sh"
cmake -S "$root" -B "$root/build" -G Ninja -DMM_WERROR=ON >/dev/null
cmake --build "$root/build" --target gregor

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-demo.XXXXXX")
broker_pid=
cleanup() {
    local status=$?
    # A second signal (make forwards SIGTERM to its child, Ctrl-C may be
    # pressed twice) must not cut the clean-up short and leave servers behind.
    trap - EXIT
    trap '' INT TERM
    if [[ -n $broker_pid ]] && kill -0 "$broker_pid" 2>/dev/null; then
        kill -TERM "$broker_pid" 2>/dev/null || true
        wait "$broker_pid" 2>/dev/null || true
    fi
    if [[ -s $tmp/redis ]]; then
        "$scripts/redis-fixture.sh" stop "$(cat "$tmp/redis")" || true
    fi
    rm -rf "$tmp"
    echo "demo: stopped; nothing is left running"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

eval "$(MM_FIXTURE_RECORD=$tmp/redis "$scripts/redis-fixture.sh" start)"

"$root/build/gregor" broker >"$tmp/broker.out" 2>"$tmp/broker.err" &
broker_pid=$!
bootstrap=
for ((i = 0; i < 100; i++)); do
    bootstrap=$(sed -n 's/^bootstrap: //p' "$tmp/broker.out")
    [[ -n $bootstrap ]] && break
    kill -0 "$broker_pid" 2>/dev/null || break
    sleep 0.1
done
if [[ -z $bootstrap ]]; then
    echo "demo: ERROR: gregor broker did not print its bootstrap address" >&2
    cat "$tmp/broker.out" "$tmp/broker.err" >&2
    exit 1
fi
cat "$tmp/broker.err" >&2

cat <<MSG

================================================================
 Metamorphosis demo
 ----------------------------------------------------------------
 The example service (examples/forms) is NOT WIRED YET: there is
 no GraphQL server to talk to. Only the infrastructure runs:

   Redis (throw-away, no persistence):  $MM_TEST_REDIS_URL
   Kafka (gregor broker, in memory):    $bootstrap

 Try:  kcat -b $bootstrap -P -t demo <<< hello
       kcat -b $bootstrap -C -t demo -e -o beginning -X fetch.wait.max.ms=10
       redis-cli -u $MM_TEST_REDIS_URL ping

 Press Ctrl-C to stop both.
================================================================
MSG

if [[ -n ${MM_DEMO_SECONDS:-} ]]; then
    sleep "$MM_DEMO_SECONDS"
else
    wait "$broker_pid" || true
    echo "demo: gregor broker exited unexpectedly" >&2
    exit 1
fi
