#!/usr/bin/env bash
# subscriptions_tail_idle.sh -- the subscription tail stops fetching while
# nobody subscribes and resumes from a new subscriber's start time
# (docs/subscriptions.md, "The tail while nobody listens"): a real `gregor
# serve` of the forms example with subscriptions.tail_idle_ms 300 (the test
# Kafka and Redis, its create_form worker), three rounds of idle, a form,
# subscribe, a form: only the form created after the subscribe arrives
# (node/subs.mjs `tailidle`), and the server's log shows a pause and a resume
# per round (so the rounds really crossed a pause).
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
source "$(dirname "$0")/subscriptions/lib.sh"
subs_setup
export MM_LOG_LEVEL=info MM_SUBSCRIPTIONS_TAIL_IDLE_MS=300
export FORMS_SERVICE=mmtest_substail_$$x$(date +%s)
printf 'http:\n  threads: 2\n' >"$work/config.yaml"

# createForm waits for its consumer, whose FormCreatedEvent the subscriptions see.
subs_serve_forms

timeout 120 node "$nodedir/subs.mjs" tailidle "$url" "t$$" "$FORMS_WS_TOKEN" >"$work/tail.out" 2>&1 || {
    cat "$work/tail.out" >&2
    grep -i "tail\|error" "$work/serve.err" | tail -n 20 >&2
    fail "tailidle"
}
cat "$work/tail.out"
grep -q '^OK tailidle' "$work/tail.out" || fail "no OK from the tailidle check"
paused=$(grep -c 'tail paused' "$work/serve.err" || true)
resumed=$(grep -c 'tail resumed' "$work/serve.err" || true)
echo "subscriptions_tail_idle: the tail paused $paused and resumed $resumed times"
((paused >= 3 && resumed >= 3)) || fail "want at least 3 pauses and 3 resumes in the log, got $paused and $resumed"
grep -q 'filter=on' "$work/serve.err" && fail "a resume fell back to filtering: $(grep 'filter=on' "$work/serve.err" | head -n 1)"
subs_serve_stop
echo "subscriptions_tail_idle: ok"
