#!/usr/bin/env bash
# run.sh -- runs bench_node against a Redis and a Kafka broker started for it
# (the test fixtures), then stops them. Usage: bench/node/run.sh [BUILD_DIR]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build}
# bench/ is built only with MM_BENCH=ON (off by default): turn it on here.
cmake -S "$root" -B "$build" -DMM_BENCH=ON >/dev/null
cmake --build "$build" --target bench_node gregor mod_nodetest >/dev/null
eval "$("$root/scripts/redis-fixture.sh" start)"
eval "$("$root/scripts/kafka-fixture.sh" start)"
trap '"$root/scripts/kafka-fixture.sh" stop "$MM_KAFKA_FIXTURE_DIR"; "$root/scripts/redis-fixture.sh" stop "$MM_REDIS_FIXTURE_DIR"' EXIT
"$build/bench/bench_node" "$build/gregor" "$build/tests/mod_nodetest.so" "$MM_TEST_KAFKA_BOOTSTRAP" "$MM_TEST_REDIS_URL/3"
