#!/usr/bin/env bash
# check-layering.sh -- fails when a module includes a module above it.
#
#   scripts/check-layering.sh [ROOT]      (ROOT: the source tree, default this one)
#
# The layering is CMakeLists.txt's: MM_MODULES and, for each module M, the
# modules it may use, MM_DEPS_M. Every `#include "X/..."` in src/M/ (any
# depth) must name M itself or one of MM_DEPS_M when X is a module (X may
# also be a directory that is not a module, e.g. an include of a subfolder
# of M's own files is written "M/sub/..."). src/cli may include anything.
# The build enforces the same rule through per-module include roots; this
# check says it in one line per violation, before anything is compiled, and
# runs from scripts/test.sh, `make check` and ctest (tests/unit/layering.sh).
set -euo pipefail
root=${1:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
cmake=$root/CMakeLists.txt
[[ -f $cmake ]] || { echo "check-layering.sh: no $cmake" >&2; exit 2; }

# set(NAME a b c) on one line -> "a b c"
cmake_list() {
    sed -n "s/^[[:space:]]*set($1[[:space:]]*\(.*\))[[:space:]]*\$/\1/p" "$cmake" | head -n1 | tr -d '"'
}
modules=$(cmake_list MM_MODULES)
[[ -n $modules ]] || { echo "check-layering.sh: no set(MM_MODULES ...) in $cmake" >&2; exit 2; }
declare -A is_module=()
for m in $modules; do is_module[$m]=1; done

violations=0
for m in $modules; do
    [[ -d $root/src/$m ]] || continue
    declare -A allowed=([$m]=1)
    for d in $(cmake_list "MM_DEPS_$m"); do allowed[$d]=1; done
    while IFS=: read -r file line text; do
        inc=$(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([a-z_]*\)\/.*/\1/p' <<<"$text")
        [[ -n $inc && -n ${is_module[$inc]:-} && -z ${allowed[$inc]:-} ]] || continue
        echo "${file#"$root"/}:$line: module $m includes $inc, which is not below it (MM_DEPS_$m: $(cmake_list "MM_DEPS_$m"))"
        violations=$((violations + 1))
    done < <(grep -rn --include='*.c' --include='*.h' '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$root/src/$m" || true)
    unset allowed
done
if ((violations > 0)); then
    echo "check-layering.sh: $violations include(s) against the layering in CMakeLists.txt" >&2
    exit 1
fi
echo "check-layering.sh: $(wc -w <<<"$modules") modules, every include goes down"
