#!/usr/bin/env bash
# pipeline_oversize_mutation.sh -- issue 20's first poison shape, at the
# door: a createForm whose template would make an event over the entry limit
# (bus/limits.h: 934,464 bytes of data, so the consumer's FormCreatedEvent
# still fits a Kafka message) is refused by `gregor serve` with a clear
# GraphQL error (EVENT_TOO_LARGE) and nothing is published. (An event just
# under the limit going through a worker is tests/integration/service/
# test_pipeline.c's; one is not published here because the forms topic is
# shared with test_service_web.) Real Kafka and Redis of the test run.
set -euo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require kafka redis gregor "$bin_dir/examples/forms.so"
e2e_work_dir

export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL/8
export MM_LOG_LEVEL=warn MM_KEEP_APPS=1
e2e_serve_start "$work/serve" "$gregor" serve --app "$bin_dir/examples/forms.so" --listen 127.0.0.1:0

# body FILE TEMPLATE_BYTES: a createForm request (asynchronous: nothing waits
# for a worker) whose template has that many bytes.
body() {
    python3 -c 'import json,sys; n=int(sys.argv[1]); print(json.dumps({"query": "mutation($t: String) { createForm(name: \"big\", template: $t, timing: asynchronous) { data { id } } }", "variables": {"t": "x" * n}}))' "$2" >"$1"
}
post() { curl -s --max-time 30 -H 'content-type: application/json' --data-binary @"$1" "$url"; }

body "$work/over.json" 940000
out=$(post "$work/over.json")
code=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["errors"][0]["extensions"]["code"])' "$out" 2>/dev/null) \
    || fail "no GraphQL error for an oversize event: ${out:0:300}"
[ "$code" = EVENT_TOO_LARGE ] || fail "expected EVENT_TOO_LARGE, got $code: ${out:0:300}"
grep -q 'exceeds the limit of 934464 bytes' <<<"$out" || fail "the error does not name the limit: ${out:0:300}"
grep -q '"data":{"createForm":null}\|"createForm":null' <<<"$out" || fail "a refused mutation returned data: ${out:0:300}"

echo "pipeline_oversize_mutation.sh: ok"
