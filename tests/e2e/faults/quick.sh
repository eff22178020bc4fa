#!/usr/bin/env bash
# quick.sh -- one fault scenario (tests/e2e/faults/lib.sh) in its short form,
# as a test of the e2e tier: tests/e2e/faults_<scenario>.sh call it. The
# servers of the run (MM_TEST_KAFKA_BOOTSTRAP, MM_TEST_REDIS_URL) serve the
# scenarios that do not kill them; a scenario that kills a server starts its
# own. The long forms are scripts/faults.sh.
#
#   quick.sh kill_worker | kafka_restart | redis_restart | poison
set -euo pipefail
e2e_name="fault test"
source "$(dirname "$0")/../lib/prologue.sh"
e2e_require kafka redis gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir kafka=$MM_TEST_KAFKA_BOOTSTRAP redis=$MM_TEST_REDIS_URL
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-faults.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM
case ${1:-} in
    kill_worker) scenario_kill_worker "$kafka" "$redis" 1000 ;;
    kafka_restart) scenario_kafka_restart "$redis" 15 5 ;;
    redis_restart) scenario_redis_restart "$kafka" 12 3 ;;
    poison) scenario_poison "$kafka" "$redis" 3 ;;
    *) echo "usage: quick.sh kill_worker | kafka_restart | redis_restart | poison" >&2; exit 2 ;;
esac || faults_failed=1
faults_cleanup
if ((faults_failed)); then
    echo "faults: FAILED (see EXPECTATION FAILED above)" >&2
    exit 1
fi
