#!/usr/bin/env bash
# Rewrites `#include "graphql/<file>.h"` to the phase subfolder that file now
# lives in (src/graphql/{language,error,type,validation,execution,utilities}/).
# src/graphql was split into subfolders by phase (issue 17); branches written
# against the flat layout can run this after a merge to fix their includes:
#   scripts/graphql-include-map.sh [files...]   (default: every .c/.h in the tree)
# It derives the map from the tree itself, so it is idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
while IFS= read -r h; do
  rel=${h#src/graphql/}
  base=$(basename "$h")
  [ "$rel" = "$base" ] && continue
  args+=(-e "s|#include \"graphql/${base}\"|#include \"graphql/${rel}\"|")
done < <(find src/graphql -name '*.h' | sort)
# Moved out of graphql/ into common/ (the JSON text writer), and renamed.
args+=(-e 's|#include "graphql/\(execution/\)\{0,1\}json_writer.h"|#include "common/json_writer.h"|'
       -e 's/\bmm_gql_js_number_string\b/mm_js_number_string/g')
if [ $# -gt 0 ]; then files=("$@"); else
  mapfile -t files < <(git ls-files '*.c' '*.h' '*.cc' '*.cpp')
fi
[ ${#files[@]} -gt 0 ] && sed -i "${args[@]}" "${files[@]}"
