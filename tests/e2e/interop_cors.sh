#!/usr/bin/env bash
# interop_cors.sh -- CORS of `gregor serve` (http.cors_origins /
# MM_HTTP_CORS_ORIGINS, docs/http.md "CORS") in a real browser: a page on an
# allowed origin calls the GraphQL endpoint on another origin from headless
# Chromium (playwright-core, tests/e2e/interop/node/cors.mjs) and gets the
# data; the same page on an origin not listed is blocked by the browser.
# Also checks the preflight answers with curl, and that with CORS off a
# preflight is a 405. Screenshot: artifacts/cors.png.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
mod=$bin_dir/tests/mod_interop.so
artifacts=$src/artifacts

[[ -x /usr/bin/chromium ]] || cannot_run "chromium is not installed (Debian: apt-get install -y chromium)"
e2e_require redis kafka gregor "$mod"
# shellcheck source=interop/lib.sh
source "$src/tests/e2e/interop/lib.sh"
nodedir=$(interop_node_dir)

e2e_work_dir

export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL MM_LOG_LEVEL=warn
export MM_INTEROP_SERVICE=mminterop_cors_$$_$(date +%s%N)
unset MM_HTTP_CORS_ORIGINS

# Two free loopback ports for the pages (the kernel picks, then frees them).
read -r allowed other < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
origin=http://127.0.0.1:$allowed

start_serve off
start_serve on MM_HTTP_CORS_ORIGINS="https://elsewhere.example, $origin"

preflight() {
    curl -s -o /dev/null -D - --max-time 10 -X OPTIONS "$1" -H "Origin: $2" \
        -H 'Access-Control-Request-Method: POST' -H 'Access-Control-Request-Headers: content-type'
}
h=$(preflight "$url_off" "$origin")
[[ $h == "HTTP/1.1 405"* ]] || fail "CORS off: the preflight got $(head -1 <<<"$h")"
h=$(preflight "$url_on" "$origin")
[[ $h == "HTTP/1.1 204"* ]] || fail "CORS on: the preflight got $(head -1 <<<"$h")"
grep -qi "^Access-Control-Allow-Origin: $origin" <<<"$h" || fail "no Access-Control-Allow-Origin for $origin: $h"
h=$(preflight "$url_on" "http://127.0.0.1:$other")
grep -qi "^Access-Control-Allow-Origin" <<<"$h" && fail "an origin not listed was allowed: $h"

mkdir -p "$artifacts"
node "$nodedir/cors.mjs" "$url_on" "$allowed" "$other" "$artifacts/cors.png" ||
    fail "the browser check failed (server log: $(tail -5 "$work/on.err"))"
[[ -s $artifacts/cors.png ]] || fail "no screenshot"
echo "interop_cors: a page on $origin read the answer of $url_on; http://127.0.0.1:$other was blocked; screenshot artifacts/cors.png"
interop_stop_servers
echo "1 passed, 0 failed"
