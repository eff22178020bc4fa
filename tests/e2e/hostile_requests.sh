#!/usr/bin/env bash
# hostile_requests.sh -- the public endpoint's limits end to end: `gregor
# serve` (with the fault-test service) against the run's Kafka and Redis gets
# hostile requests over HTTP and must refuse each with its limit's clear error
# (nesting depth, token count, aliases, body size, header size, bad UTF-8,
# fragment cycles, format directives in variables), and still be alive and
# answering afterwards. docs/security.md lists the limits.
set -euo pipefail
ROOT=${MM_SOURCE_DIR:?run through ctest (MM_SOURCE_DIR is not set)}
BIN=${MM_BINARY_DIR:?run through ctest (MM_BINARY_DIR is not set)}
banner() {
    echo "============================================================" >&2
    echo "HOSTILE REQUESTS TEST CANNOT RUN: $*" >&2
    echo "============================================================" >&2
    exit 1
}
[[ -n ${MM_TEST_KAFKA_BOOTSTRAP:-} ]] || banner "MM_TEST_KAFKA_BOOTSTRAP is not set (scripts/test.sh starts the broker)"
[[ -n ${MM_TEST_REDIS_URL:-} ]] || banner "MM_TEST_REDIS_URL is not set (scripts/test.sh starts Redis)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-hostile.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT
gregor_env "$MM_TEST_KAFKA_BOOTSTRAP" "$MM_TEST_REDIS_URL" "mmhostile_$$"
start_serve "$WORK/serve"

failures=0
# check NAME STATUS SUBSTRING BODY_FILE [CURL ARGS...]
check() {
    local name=$1 want=$2 text=$3 file=$4 got
    shift 4
    got=$(curl -s --max-time 20 -o "$WORK/answer" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary @"$file" "$@" "$URL") || got="curl-failed"
    if [[ $got != "$want" ]] || ! grep -qF -- "$text" "$WORK/answer"; then
        echo "FAIL $name: status $got (want $want), answer: $(head -c 300 "$WORK/answer")" >&2
        failures=$((failures + 1))
    else
        echo "ok   $name: $got $(head -c 120 "$WORK/answer")"
    fi
}
gen() { python3 -c "import json,sys; print(json.dumps($2))" >"$WORK/$1.json"; }

gen deep '{"query": "query { " + "__schema { types { fields { type { " * 30 + "name" + " } } } }" * 30 + " }"}'
gen tokens '{"query": "{ " + " ".join(["a"] * 120000) + " }"}'
gen aliases '{"query": "{" + " ".join("a%d: __typename" % i for i in range(2000)) + "}"}'
gen big '{"query": "{ __typename }", "pad": "x" * 2000000}'
gen cycle '{"query": "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"}'
gen fmt '{"query": "mutation Q($n: Int!) { tick(n: $n) { data { id } } }", "variables": {"n": "%n%s%s%x"}}'
gen fmtname '{"query": "{ %n%s%s }"}'
printf '\xff\xfe{"query": 1}' >"$WORK/utf8.json"
gen ok '{"query": "{ __typename }"}'

check "nesting depth 64" 200 "exceeds the maximum nesting depth of 64" "$WORK/deep.json"
check "100000 tokens" 200 "more that 100000 tokens" "$WORK/tokens.json"
check "1000 aliases" 200 "more than the limit of 1000" "$WORK/aliases.json"
check "1 MiB body" 413 "too large" "$WORK/big.json"
check "bad UTF-8" 400 "not valid UTF-8" "$WORK/utf8.json"
check "fragment cycle" 200 'Cannot spread fragment \"A\" within itself' "$WORK/cycle.json"
check "format directives in a variable" 200 'got invalid value \"%n%s%s%x\"' "$WORK/fmt.json"
check "format directives in a document" 200 "Syntax Error" "$WORK/fmtname.json"
# 64 KiB of headers: libmicrohttpd answers 431 (max_header_bytes 32 KiB).
got=$(curl -s -o /dev/null -w '%{http_code}' -H "x-big: $(head -c 65536 /dev/zero | tr '\0' a)" "$URL" || true)
if [[ $got == 431 ]]; then echo "ok   64 KiB of headers: 431"; else echo "FAIL 64 KiB of headers: $got" >&2; failures=$((failures + 1)); fi
check "still answering" 200 '"__typename":"Query"' "$WORK/ok.json"
if ! kill -0 "$SERVE_PID" 2>/dev/null; then echo "FAIL gregor serve died" >&2; failures=$((failures + 1)); fi
faults_cleanup
((failures == 0 && faults_failed == 0)) || { echo "hostile_requests: $failures check(s) failed" >&2; exit 1; }
echo "hostile_requests: all checks passed"
