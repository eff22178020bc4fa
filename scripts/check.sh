#!/usr/bin/env bash
# check.sh -- what `make check` runs: the quick developer loop. Builds build/
# (normal, -Werror) and runs the unit tier only: no Redis, no Kafka, no
# servers of any kind (the unit tests talk to nothing outside their process
# but the gregor binary they spawn). Prints how long the tests took.
#
# Environment: MM_TEST_JOBS (ctest -j, default 2).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
jobs=${MM_TEST_JOBS:-2}

"$root/scripts/setup.sh" check
cmake -S "$root" -B "$root/build" -G Ninja -DMM_WERROR=ON >/dev/null
cmake --build "$root/build"
# The unit tier must not depend on the integration servers being reachable.
unset MM_TEST_REDIS_URL MM_TEST_KAFKA_BOOTSTRAP
start=$(date +%s%N)
status=0
ctest --test-dir "$root/build" -L unit --output-on-failure --no-tests=error -j "$jobs" || status=$?
ms=$((($(date +%s%N) - start) / 1000000))
printf 'check.sh: unit tier in %d.%01d s\n' $((ms / 1000)) $((ms % 1000 / 100))
exit "$status"
