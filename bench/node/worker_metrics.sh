#!/usr/bin/env bash
# worker_metrics.sh -- instructions per event of a worker's metric hooks
# (docs/metrics.md, "Cost"), counted by callgrind: the hooks run for 10,000
# and for 20,000 events and the difference is divided by 10,000, so start-up
# costs cancel out. Deterministic: the machine's load does not change it.
# Builds a Release tree in build-bench/. Needs valgrind.
#
#   bench/node/worker_metrics.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
command -v valgrind >/dev/null || { echo "worker_metrics.sh: needs valgrind (apt-get install valgrind)" >&2; exit 1; }
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build build-bench --target bench_worker_metrics >/dev/null
refs() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null build-bench/bench/bench_worker_metrics "$1" 2>&1 |
        sed -n 's/.*I *refs: *//p' | tr -d ,
}
a=$(refs 10000)
b=$(refs 20000)
echo "worker metric hooks: $(((b - a) / 10000)) instructions per event (callgrind)"
