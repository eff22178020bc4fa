#!/usr/bin/env bash
# faults.sh -- the long fault scenarios of issue 9 against real servers (not
# part of `make test`; short versions of 1, 2, 3 and 5 run in the e2e tier as
# tests/e2e/faults_*.sh). docs/reliability.md has the scenarios and results.
#
#   scripts/faults.sh [SCENARIO...]
#
#   kill_worker     10,000 asynchronous events; the worker SIGKILLed after a
#                   third: every event's result stored, none lost
#   kafka_restart   the broker SIGKILLed under 60 s of mixed load, restarted
#                   10 s later: no hang, no crash, recovery time
#   redis_restart   Redis SIGKILLed under 40 s of mixed load, restarted 5 s
#                   later: the same
#   cluster         a three-broker KRaft cluster (RF 3, min.insync.replicas 2),
#                   the leader of partition 0 SIGKILLed under load: no
#                   acknowledged event lost
#   poison          600 good events interleaved with 600 poison messages:
#                   every good one handled, every bad one dead-lettered
#
# Default: all of them. Each prints a `RESULT name key=value ...` line; the
# exit status is 1 when any expectation failed. Every server is its own
# (scripts/*-fixture.sh, scripts/kafka-cluster.sh) and stopped at the end.
# Builds a normal (non-sanitizer) tree in MM_BUILD_DIR (default build-faults).
# Sizes: MM_FAULTS_EVENTS (10000), MM_FAULTS_LOAD_SECONDS (60).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${MM_BUILD_DIR:-$ROOT/build-faults}
all=(kill_worker kafka_restart redis_restart cluster poison)
scenarios=("$@")
((${#scenarios[@]})) || scenarios=("${all[@]}")
for s in "${scenarios[@]}"; do
    [[ " ${all[*]} " == *" $s "* ]] || { echo "faults.sh: unknown scenario '$s' (${all[*]})" >&2; exit 2; }
done
events=${MM_FAULTS_EVENTS:-10000}
secs=${MM_FAULTS_LOAD_SECONDS:-60}

"$ROOT/scripts/setup.sh" >/dev/null
cmake -S "$ROOT" -B "$BIN" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BIN" --target gregor mod_faults >/dev/null
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-faults.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

# The servers no scenario kills are shared by the scenarios.
need_kafka=0 need_redis=0
for s in "${scenarios[@]}"; do
    case $s in
        kill_worker|poison) need_kafka=1; need_redis=1 ;;
        kafka_restart|cluster) need_redis=1 ;;
        redis_restart) need_kafka=1 ;;
    esac
done
((need_redis)) && { start_redis; SHARED_REDIS=$REDIS_URL; }
((need_kafka)) && { start_kafka; SHARED_KAFKA=$KAFKA_BOOTSTRAP; }
# faults_cleanup after each scenario also stops fixtures: keep the shared
# ones out of its list and stop them at exit.
shared=("${faults_fixtures[@]}")
faults_fixtures=()
trap 'faults_cleanup; faults_fixtures=("${shared[@]}"); faults_cleanup; rm -rf "$WORK"' EXIT

for s in "${scenarios[@]}"; do
    log "---- $s ----"
    case $s in
        kill_worker) scenario_kill_worker "$SHARED_KAFKA" "$SHARED_REDIS" "$events" ;;
        kafka_restart) scenario_kafka_restart "$SHARED_REDIS" "$secs" 10 ;;
        redis_restart) scenario_redis_restart "$SHARED_KAFKA" $((secs * 2 / 3)) 5 ;;
        cluster) scenario_cluster "$SHARED_REDIS" "$events" ;;
        poison) scenario_poison "$SHARED_KAFKA" "$SHARED_REDIS" 20 ;;
    esac || faults_failed=1
    faults_cleanup
done
if ((faults_failed)); then
    log "FAILED: see EXPECTATION FAILED above"
    exit 1
fi
log "all scenarios met their expectations"
