#!/usr/bin/env bash
# quick.sh -- one fault scenario (tests/e2e/faults/lib.sh) in its short form,
# as a test of the e2e tier: tests/e2e/faults_<scenario>.sh call it. The
# servers of the run (MM_TEST_KAFKA_BOOTSTRAP, MM_TEST_REDIS_URL) serve the
# scenarios that do not kill them; a scenario that kills a server starts its
# own. The long forms are scripts/faults.sh.
#
#   quick.sh kill_worker | kafka_restart | redis_restart | poison
set -euo pipefail
ROOT=${MM_SOURCE_DIR:?run through ctest (MM_SOURCE_DIR is not set)}
BIN=${MM_BINARY_DIR:?run through ctest (MM_BINARY_DIR is not set)}
banner() {
    echo "============================================================" >&2
    echo "FAULT TEST CANNOT RUN: $*" >&2
    echo "============================================================" >&2
    exit 1
}
kafka=${MM_TEST_KAFKA_BOOTSTRAP:-}
redis=${MM_TEST_REDIS_URL:-}
[[ -n $kafka ]] || banner "MM_TEST_KAFKA_BOOTSTRAP is not set (scripts/test.sh starts the broker)"
[[ -n $redis ]] || banner "MM_TEST_REDIS_URL is not set (scripts/test.sh starts Redis)"
[[ -x $BIN/gregor && -f $BIN/tests/mod_faults.so ]] || banner "no gregor or tests/mod_faults.so in $BIN"
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
