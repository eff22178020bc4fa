#!/usr/bin/env bash
# run.sh -- runs the GraphQL differential test: every corpus case through
# graphql-js 16 and through our engine (difftest_driver), diffing the answers.
#
#   tests/difftest/run.sh [BUILD_DIR] [run.mjs options: --filter S --verbose]
#
# BUILD_DIR defaults to $MM_BINARY_DIR, else ./build. graphql-js is installed
# with `npm ci` from the pinned package-lock.json into BUILD_DIR/difftest-node
# (never into the source tree) the first time. Prints
# "difftest: N passed, M failed" and exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${MM_BINARY_DIR:-$here/../../build}"
if [[ $# -gt 0 && $1 != --* ]]; then build="$1"; shift; fi
build="$(cd "$build" && pwd)"

driver="${MM_DIFFTEST_DRIVER:-$build/tests/difftest/difftest_driver}"
if [[ ! -x $driver ]]; then
  echo "difftest: driver not built: $driver (cmake --build $build --target difftest_driver)" >&2
  exit 1
fi
command -v node >/dev/null || { echo "difftest: node is not installed" >&2; exit 1; }

nodedir="${MM_DIFFTEST_NODE_DIR:-$build/difftest-node}"
# One install at a time (ctest and the benchmark may share the directory).
mkdir -p "$nodedir"
exec 9>"$nodedir.lock"
flock 9
if [[ ! -f $nodedir/node_modules/graphql/package.json ]] ||
   ! cmp -s "$here/package-lock.json" "$nodedir/package-lock.json"; then
  mkdir -p "$nodedir"
  cp "$here/package.json" "$here/package-lock.json" "$nodedir/"
  (cd "$nodedir" && npm ci --no-audit --no-fund --loglevel=error) >&2 || {
    echo "difftest: npm ci failed in $nodedir (graphql-js is needed as the reference)" >&2
    exit 1
  }
fi
exec 9>&-

exec node "$here/run.mjs" --driver "$driver" --node-dir "$nodedir" "$@"
