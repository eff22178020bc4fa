#!/usr/bin/env bash
# interop_apq.sh -- persisted queries with the ecosystem's real tools against
# real `gregor serve` processes (docs/http.md, "Persisted queries"):
#
#  1. Apollo Client 4's PersistedQueryLink (tests/e2e/interop/node/apq.mjs):
#     miss -> register -> hit, over POST and over GET (useGETForHashedQueries).
#  2. Two servers sharing APQ documents through Redis (http.apq_redis): a
#     document registered on one is a hit on the other; a wrong hash is
#     refused and stored nowhere.
#  3. Trusted documents: @apollo/generate-persisted-query-manifest builds the
#     manifest from a client's operations (node/client/operations.js); the
#     listed document runs (by hash through Apollo Client, by full text with
#     curl), an unknown one is refused, APQ registration is off.
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
mod=$bin_dir/tests/mod_interop.so

e2e_require redis kafka gregor "$mod" cmd:curl cmd:redis-cli:redis-tools
# shellcheck source=interop/lib.sh
source "$src/tests/e2e/interop/lib.sh"
nodedir=$(interop_node_dir)

e2e_work_dir

export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL MM_LOG_LEVEL=warn
export MM_INTEROP_SERVICE=mminterop_apq_$$_$(date +%s%N)
unset MM_HTTP_TRUSTED_DOCUMENTS MM_HTTP_APQ MM_HTTP_APQ_REDIS

# post URL BODY: prints the HTTP status and the body on one line.
post() {
    curl -s --max-time 15 -H 'Content-Type: application/json' -H 'Accept: application/json' \
        -w ' %{http_code}' "$1" -d "$2"
}

# 1. Apollo Client, APQ: miss, register, hit over POST and GET.
start_serve apq
node "$nodedir/apq.mjs" apq "$url_apq" || fail "Apollo Client APQ against $url_apq (log: $(tail -5 "$work/apq.err"))"

# 2. Shared through Redis: register on A, hit on B.
start_serve shared_a MM_HTTP_APQ_REDIS=1
start_serve shared_b MM_HTTP_APQ_REDIS=1
query="query Shared$$ { recorded }"
hash=$(printf '%s' "$query" | sha256sum | cut -d' ' -f1)
ext="{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"$hash\"}}"
got=$(post "$url_shared_b" "{\"extensions\":$ext}")
[[ $got == *PersistedQueryNotFound* ]] || fail "B before registration: $got"
wrong=$(post "$url_shared_a" "{\"query\":\"{ recorded }\",\"extensions\":$ext}")
[[ $wrong == *"provided sha does not match query"*" 400" ]] || fail "a wrong hash was not refused: $wrong"
got=$(post "$url_shared_b" "{\"extensions\":$ext}")
[[ $got == *PersistedQueryNotFound* ]] || fail "a wrong hash was stored: $got"
got=$(post "$url_shared_a" "{\"query\":\"$query\",\"extensions\":$ext}")
[[ $got == '{"data":{"recorded":'*'}} 200' ]] || fail "registration on A: $got"
got=$(post "$url_shared_b" "{\"extensions\":$ext}")
[[ $got == '{"data":{"recorded":'*'}} 200' ]] || fail "B did not find A's document in Redis: $got"
stored=$(redis-cli -u "$MM_TEST_REDIS_URL" --no-auth-warning GET "mm:apq:$hash")
[[ $stored == "$query" ]] || fail "Redis holds '$stored' under mm:apq:$hash"
redis-cli -u "$MM_TEST_REDIS_URL" --no-auth-warning DEL "mm:apq:$hash" >/dev/null

# 3. Trusted documents from the real manifest generator.
(cd "$nodedir" && rm -f persisted-query-manifest.json &&
    timeout 120 node node_modules/@apollo/generate-persisted-query-manifest/cli.js \
        --config persisted-query-manifest.config.json) >&2 || fail "generate-persisted-query-manifest failed"
manifest=$nodedir/persisted-query-manifest.json
grep -q '"format": "apollo-persisted-query-manifest"' "$manifest" || fail "no manifest written"
start_serve trusted MM_HTTP_TRUSTED_DOCUMENTS="$manifest"
node "$nodedir/apq.mjs" trusted "$url_trusted" || fail "Apollo Client in trusted-documents mode"
listed=$(python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))["operations"][0]["body"]))' "$manifest")
got=$(post "$url_trusted" "{\"query\":$listed}")
[[ $got == '{"data":{"recorded":'*'}} 200' ]] || fail "the listed document's full text was refused: $got"
got=$(post "$url_trusted" '{"query":"{ recorded }"}')
[[ $got == *PERSISTED_QUERY_NOT_IN_LIST*' 200' ]] || fail "an unknown document ran: $got"
unknown_hash=$(printf '%s' "{ recorded }" | sha256sum | cut -d' ' -f1)
got=$(post "$url_trusted" "{\"query\":\"{ recorded }\",\"extensions\":{\"persistedQuery\":{\"version\":1,\"sha256Hash\":\"$unknown_hash\"}}}")
[[ $got == *PERSISTED_QUERY_NOT_IN_LIST* ]] || fail "APQ registration worked in trusted-documents mode: $got"
printf '{"format":"apollo-persisted-query-manifest","version":1,"operations":[]}' >"$work/empty.json"
if MM_HTTP_TRUSTED_DOCUMENTS=$work/empty.json timeout 30 "$gregor" serve --app "$mod" --listen 127.0.0.1:0 \
    >/dev/null 2>"$work/empty.log"; then
    fail "gregor serve started with an empty manifest"
fi
grep -q "lists no documents" "$work/empty.log" || fail "empty manifest: $(cat "$work/empty.log")"

echo "interop_apq: Apollo Client APQ (POST and GET), Redis-shared APQ, trusted documents from the real manifest generator"
interop_stop_servers
echo "1 passed, 0 failed"
