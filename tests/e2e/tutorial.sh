#!/usr/bin/env bash
# tutorial.sh -- follows docs/tutorial.md: installs the build into a scratch
# prefix, builds the tutorial's service outside the repository with
# pkg-config, prints its schema, and runs it against the real Kafka broker
# and Redis of the test run (MM_TEST_KAFKA_BOOTSTRAP, MM_TEST_REDIS_URL).
set -euo pipefail
: "${MM_SOURCE_DIR:?run through ctest}" "${MM_BINARY_DIR:?run through ctest}"
: "${MM_TEST_KAFKA_BOOTSTRAP:?the integration tier needs MM_TEST_KAFKA_BOOTSTRAP (run make test)}"
: "${MM_TEST_REDIS_URL:?the integration tier needs MM_TEST_REDIS_URL (run make test)}"

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "tutorial.sh: FAIL: $*" >&2; exit 1; }

# 1. Install.
cmake --install "$MM_BINARY_DIR" --prefix "$work/prefix" >/dev/null
pc=$(find "$work/prefix" -name metamorphosis.pc | head -n1)
[ -n "$pc" ] || fail "no metamorphosis.pc installed"
export PKG_CONFIG_PATH=$(dirname "$pc")
export PATH="$work/prefix/bin:$PATH"
[ "$(pkg-config --modversion metamorphosis)" = "0.1.0" ] || fail "pkg-config does not find metamorphosis"

# 2 and 3. Extract the files the tutorial writes and build outside the repo.
mkdir "$work/notes"
cd "$work/notes"
for f in notes.c build.sh; do
    awk -v f="$f" '$0 ~ "^```[a-z]* file="f"$" {on=1; next} on && /^```$/ {on=0} on {print}' \
        "$MM_SOURCE_DIR/docs/tutorial.md" >"$f"
    [ -s "$f" ] || fail "docs/tutorial.md has no block for $f"
done
# The tests build with sanitizers; the service must match the gregor loading it.
if nm "$work/prefix/bin/gregor" | grep -q __asan_init; then
    export CFLAGS_EXTRA="-fsanitize=address,undefined"
    sed -i 's/^cc /cc $CFLAGS_EXTRA /' build.sh
fi
bash build.sh || fail "the tutorial's build command failed"

# 4. The schema.
schema=$(gregor schema --app ./notes.so)
grep -qF 'addNote(timing: MutationTimings = synchronous, text: String!): AddNote' <<<"$schema" \
    || fail "schema lacks the generated addNote field: $schema"
grep -qF 'notes: [String]' <<<"$schema" || fail "schema lacks Query.notes"

# 5. Run it.
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL/8
export MM_LOG_LEVEL=warn MM_KEEP_APPS=1
redis_host=${MM_TEST_REDIS_URL#redis://}
redis-cli -h "${redis_host%:*}" -p "${redis_host##*:}" -n 8 DEL mm:state:notes:notes >/dev/null
gregor worker --app ./notes.so --consumer store_note &
pids+=($!)
gregor serve --app ./notes.so --listen 127.0.0.1:0 >serve.out &
pids+=($!)
for _ in $(seq 100); do grep -q '^graphql: ' serve.out && break; sleep 0.1; done
url=$(sed -n 's/^graphql: //p' serve.out)
[ -n "$url" ] || fail "gregor serve did not start"
post() { curl -s --max-time 60 "$url" -H 'content-type: application/json' -d "$1"; }

out=$(post '{"query":"mutation { addNote(text: \"hello\") { data { text count } } }"}')
[ "$out" = '{"data":{"addNote":{"data":{"text":"hello","count":1}}}}' ] || fail "addNote answered: $out"
out=$(post '{"query":"mutation { addNote(text: \"spam!\") { data { text } } }"}')
grep -q '"className":"SpamError"' <<<"$out" && grep -q '"message":"no spam, please"' <<<"$out" \
    || fail "spam was not refused by the consumer: $out"
out=$(post '{"query":"mutation { addNote(text: \"\") { data { text } } }"}')
grep -q '"code":"BAD_USER_INPUT"' <<<"$out" || fail "an empty note was not refused: $out"
out=$(post '{"query":"{ notes }"}')
[ "$out" = '{"data":{"notes":["hello"]}}' ] || fail "notes answered: $out"
echo "tutorial.sh: the tutorial works as written"
