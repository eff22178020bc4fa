#!/usr/bin/env bash
# subscriptions_groups.sh -- subscribers are grouped by request on each I/O
# loop (docs/subscriptions.md, "Shared work"): with 50 subscriptions of 40
# distinct requests on a real `gregor serve` of the forms example (the test
# Kafka and Redis, with its create_form worker; default limits, two I/O
# threads), each subscription gets
# exactly the forms of its own name, and still does after half of the
# groups lost their only member (node/subs.mjs `groups`, raw
# graphql-transport-ws sockets).
set -euo pipefail

source "$(dirname "$0")/lib/prologue.sh"
source "$(dirname "$0")/subscriptions/lib.sh"
subs_setup
export FORMS_SERVICE=mmtest_subsgroups_$$x$(date +%s)
printf 'http:\n  threads: 2\n' >"$work/config.yaml"

# createForm waits for its consumer, whose FormCreatedEvent the subscriptions see.
subs_serve_forms

timeout 120 node "$nodedir/subs.mjs" groups "$url" "g$$" "$FORMS_WS_TOKEN" >"$work/groups.out" 2>&1 || {
    cat "$work/groups.out" >&2
    tail -n 20 "$work/serve.err" >&2
    fail "groups"
}
cat "$work/groups.out"
grep -q '^OK groups' "$work/groups.out" || fail "no OK from the groups check"
subs_serve_stop
echo "subscriptions_groups: ok"
