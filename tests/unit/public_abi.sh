#!/usr/bin/env bash
# public_abi.sh -- libmetamorphosis.so exports exactly the functions
# include/metamorphosis.h declares MM_API, and gregor exports the same set to
# the services it loads: a public function someone forgot to mark (hidden,
# so services fail to load) or an internal one that leaked fails here.
set -euo pipefail
: "${MM_SOURCE_DIR:?run through ctest}" "${MM_BINARY_DIR:?run through ctest}" "${MM_GREGOR:?run through ctest}"
fail() { echo "public_abi.sh: FAIL: $*" >&2; exit 1; }
declared=$(sed -n 's/^MM_API [^(]*[ *(]\(mm_[a-z0-9_]*\))\{0,1\}(.*/\1/p' "$MM_SOURCE_DIR/include/metamorphosis.h" | sort -u)
[ "$(wc -l <<<"$declared")" -ge 30 ] || fail "found too few MM_API declarations: $declared"
lib=$(ls "$MM_BINARY_DIR"/libmetamorphosis.so)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TW]$/ {print $3}' | sort -u)
gregor=$(nm -D --defined-only "$MM_GREGOR" | awk '$2 ~ /^[TW]$/ && $3 ~ /^mm_/ {print $3}' | sort -u)
[ "$declared" = "$exported" ] || fail "libmetamorphosis.so exports differ from MM_API declarations:
$(diff <(echo "$declared") <(echo "$exported") || true)"
[ "$declared" = "$gregor" ] || fail "gregor's exported mm_ symbols differ from MM_API declarations:
$(diff <(echo "$declared") <(echo "$gregor") || true)"
echo "public_abi.sh: $(wc -l <<<"$declared") public functions, exactly the exported set"
