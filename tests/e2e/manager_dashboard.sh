#!/usr/bin/env bash
# manager_dashboard.sh -- the manager dashboard in a real headless Chromium
# driven by playwright-core, against a real `gregor node` and a real
# `gregor serve --manager` on the test run's Kafka and Redis; first, over
# curl, Subscription.serviceWeb (the page's live source): refused without
# the code, then the service web at once and again only when it changed.
#
# playwright-core is installed with `npm ci` from the pinned lock file in
# tests/e2e/manager/browser into the build directory (never the source
# tree). Screenshots go to artifacts/ (gitignored). Fails loudly when
# chromium, node, npm or a server address is missing.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
mod=$bin_dir/tests/mod_managertest.so
artifacts=$src/artifacts
here=$src/tests/e2e/manager/browser

[[ -x /usr/bin/chromium ]] || cannot_run "chromium is not installed (Debian: apt-get install -y chromium)"
e2e_require cmd:node cmd:npm redis kafka gregor "$mod"

# playwright-core, once per build directory (one install at a time).
nodedir=$bin_dir/manager-browser
mkdir -p "$nodedir"
exec 9>"$nodedir.lock"
flock 9
if [[ ! -f $nodedir/node_modules/playwright-core/package.json ]] ||
   ! cmp -s "$here/package-lock.json" "$nodedir/package-lock.json"; then
    cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
    (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || fail "npm ci failed in $nodedir"
fi
exec 9>&-
cp "$here/dashboard.mjs" "$nodedir/dashboard.mjs"

work=$(mktemp -d)
node_pid= server_pid=
cleanup() {
    for p in $server_pid $node_pid; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in $server_pid $node_pid; do
        for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

suffix=$$-$(date +%s%N)
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP
export MM_REDIS_URL=$MM_TEST_REDIS_URL/13
export MM_SERVICE_WEB_TOPIC=mmtest-dash-web-$suffix
export MMTEST_MANAGER_TOPIC=mmtest-dash-$suffix
export MMTEST_MANAGER_GROUP=mmtest-dash-group-$suffix
export MM_NODE_STATUS_INTERVAL_MS=300
export MM_LOG_LEVEL=warn
unset MM_MANAGER_AUTH_CODE
node_name=dash-node-$suffix
code=dash-code-$RANDOM-$RANDOM

printf 'mmtest_manager:\n  crunch: {procs: 1}\n  idle: {procs: 1}\n' >"$work/node.yaml"
printf '%s\n' "$code" >"$work/code"

"$gregor" node --app "$mod" --node-name "$node_name" --config "$work/node.yaml" >"$work/node.out" 2>"$work/node.log" &
node_pid=$!
"$gregor" serve --app "$mod" --manager --auth-code-file "$work/code" --listen 127.0.0.1:0 \
    >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
url=
for _ in $(seq 300); do
    url=$(sed -n 's|^manager: \(http://[^/]*\)/manager$|\1|p' "$work/serve.out" 2>/dev/null || true)
    [[ -n $url ]] && break
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log" >&2; fail "gregor serve exited"; }
    sleep 0.1
done
[[ -n $url ]] || fail "gregor serve did not print its manager URL"
for _ in $(seq 300); do
    grep -q '^node ready: ' "$work/node.out" && break
    kill -0 "$node_pid" 2>/dev/null || { cat "$work/node.log" >&2; fail "gregor node exited"; }
    sleep 0.1
done
grep -q '^node ready: ' "$work/node.out" || fail "gregor node did not get ready"

# Subscription.serviceWeb over SSE (what the page uses): a wrong code is an
# UNAUTHORIZED error that completes the stream; the right code gets the
# service web at once and again only when it changed (the node rewrites its
# status every 300 ms here; the server reads it every 2 s).
sub_q='subscription($c: String) { serviceWeb(authCode: $c) { name nodes { name updatedDate } } }'
curl -sN --max-time 10 -G "$url/graphql" -H 'accept: text/event-stream' --data-urlencode "query=$sub_q" \
    --data-urlencode 'variables={"c":"wrong"}' >"$work/sub_bad.txt" || true
grep -q '"code":"UNAUTHORIZED"' "$work/sub_bad.txt" && grep -q '^event: complete' "$work/sub_bad.txt" ||
    fail "a serviceWeb subscription with a wrong code: $(cat "$work/sub_bad.txt")"
curl -sN --max-time 5 -G "$url/graphql" -H 'accept: text/event-stream' --data-urlencode "query=$sub_q" \
    --data-urlencode "variables={\"c\":\"$code\"}" >"$work/sub.txt" || true
nexts=$(grep -c '^event: next' "$work/sub.txt" || true)
((nexts >= 2)) || fail "serviceWeb subscription: $nexts results in 5 s, want the first and a change: $(cat "$work/sub.txt")"
grep -q "\"name\":\"$node_name\"" "$work/sub.txt" || fail "serviceWeb subscription does not show the node"
[[ -z $(grep '^data: ' "$work/sub.txt" | uniq -d) ]] || fail "serviceWeb subscription sent an unchanged value again"
! grep -q '"errors"' "$work/sub.txt" || fail "serviceWeb subscription: $(cat "$work/sub.txt")"

mkdir -p "$artifacts" "$work/profile"
if ! timeout 180 node "$nodedir/dashboard.mjs" "$url" "$code" "$node_name" "$artifacts" "$work/profile"; then
    echo "--- serve log ---" >&2; tail -20 "$work/serve.log" >&2
    echo "--- node log ---" >&2; tail -20 "$work/node.log" >&2
    fail "the dashboard checks failed (screenshots in $artifacts)"
fi
if grep -q -- "$code" "$work/serve.log"; then
    fail "the auth code appears in the server's log"
fi
# The server stops cleanly (under ASan: no leak, no sanitizer error).
status=0
e2e_stop "$server_pid" 30 || status=$?
server_pid=
if ((status != 0)); then
    tail -30 "$work/serve.log" >&2
    fail "gregor serve exited with status $status on SIGTERM"
fi
echo "manager_dashboard: screenshots in $artifacts/manager-*.png"
