#!/usr/bin/env bash
# graphiql_page.sh -- loads the GraphiQL page in headless Chromium and checks
# that GraphiQL rendered, with its assets served by our own server (offline).
#
# Starts the test server (tests/e2e/http/test_graphiql_server.c, --serve mode;
# later `gregor serve` can take its place), dumps the DOM after scripts ran,
# asserts it holds GraphiQL's container and the schema's root type, and saves
# a screenshot to artifacts/graphiql.png. Needs: chromium, npm (or cached
# assets). Fails loudly when either is missing.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
server=${MM_GRAPHIQL_TEST_SERVER:-$bin_dir/tests/e2e_http_test_graphiql_server}
artifacts=$src/artifacts

chromium=$(command -v chromium || command -v chromium-browser || true)
[[ -n $chromium ]] || cannot_run "chromium is not installed (Debian: apt-get install -y chromium)"
[[ -x $server ]] || cannot_run "test server $server not built"

# The assets, next to the binaries where the server looks for them.
assets=$bin_dir/graphiql
bash "$src/scripts/fetch-graphiql.sh" "$assets"

e2e_work_dir

MM_GRAPHIQL_DIR=$assets "$server" --serve "$work/port" 2>"$work/server.log" &
server_pid=$!
pids+=("$server_pid")
for _ in $(seq 100); do
    [[ -s $work/port ]] && break
    kill -0 "$server_pid" 2>/dev/null || fail "test server exited"
    sleep 0.05
done
[[ -s $work/port ]] || fail "test server did not start"
port=$(cat "$work/port")
url="http://127.0.0.1:$port/graphql"

# The page must reference our own assets, so the check works offline.
page=$(curl -sf -H 'Accept: text/html' "$url")
grep -q 'src="/graphiql/graphiql.min.js"' <<<"$page" || {
    echo "graphiql_page: FAIL: the page does not use the local assets" >&2
    exit 1
}

mkdir -p "$artifacts"
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
       --disable-component-update --disable-sync --disable-dev-shm-usage --user-data-dir="$work/profile"
       --window-size=1280,800 --virtual-time-budget=15000)
timeout 90 "$chromium" "${flags[@]}" --dump-dom "$url" >"$work/dom.html" 2>"$work/chromium-dom.log" || true
timeout 90 "$chromium" "${flags[@]}" --screenshot="$artifacts/graphiql.png" "$url" \
    >/dev/null 2>"$work/chromium-shot.log" || true

fail=0
if ! grep -q 'graphiql-container' "$work/dom.html"; then
    echo "graphiql_page: FAIL: GraphiQL did not render (no graphiql-container in the DOM)" >&2
    fail=1
fi
if grep -q 'id="graphiql">GraphiQL could not be loaded' "$work/dom.html"; then
    echo "graphiql_page: FAIL: the page reports that GraphiQL could not be loaded" >&2
    fail=1
fi
# GraphiQL asked for the schema (introspection is a POST) and got it.
if ! grep -q 'method=POST path=/graphql status=200' "$work/server.log"; then
    echo "graphiql_page: FAIL: GraphiQL never fetched the schema from the server" >&2
    fail=1
fi
if [[ ! -s $artifacts/graphiql.png ]]; then
    echo "graphiql_page: FAIL: no screenshot" >&2
    fail=1
fi
if ((fail)); then
    echo "--- dom (first 3000 bytes) ---" >&2
    head -c 3000 "$work/dom.html" >&2 || true
    echo "--- chromium log (last 20 lines) ---" >&2
    grep -v dbus "$work/chromium-dom.log" | tail -20 >&2 || true
    echo "--- server log ---" >&2
    tail -20 "$work/server.log" >&2 || true
    exit 1
fi
echo "graphiql_page: GraphiQL rendered (DOM $(wc -c <"$work/dom.html") bytes); screenshot $artifacts/graphiql.png"
echo "1 passed, 0 failed"
