#!/usr/bin/env bash
# layering.sh -- scripts/check-layering.sh passes on this tree, and fails on a
# copy of the tree's module list where src/graphql includes src/http (so the
# check is known to catch what it is for).
set -euo pipefail
: "${MM_SOURCE_DIR:?run through ctest}"
fail() { echo "layering.sh: FAIL: $*" >&2; exit 1; }
check=$MM_SOURCE_DIR/scripts/check-layering.sh
"$check" "$MM_SOURCE_DIR" || fail "the tree breaks its own layering"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
grep -E '^set\(MM_(MODULES|DEPS_[a-z]+) ' "$MM_SOURCE_DIR/CMakeLists.txt" >"$work/CMakeLists.txt"
mkdir -p "$work/src/graphql/execution" "$work/src/http" "$work/src/common"
printf '#include "common/arena.h"\n#include "graphql/graphql.h"\n' >"$work/src/graphql/execution/ok.c"
printf '#include "graphql/graphql.h"\n' >"$work/src/http/ok.c"
"$check" "$work" >/dev/null || fail "a clean tree was refused"
printf '#include "common/arena.h"\n#include "http/http_server.h"\n' >"$work/src/graphql/execution/bad.c"
if out=$("$check" "$work" 2>&1); then fail "graphql including http was not caught: $out"; fi
grep -q 'src/graphql/execution/bad.c:2: module graphql includes http' <<<"$out" \
    || fail "the violation is not named with file and line: $out"
echo "layering.sh: the check passes on the tree and catches an upward include"
