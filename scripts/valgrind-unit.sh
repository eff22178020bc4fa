#!/usr/bin/env bash
# valgrind-unit.sh -- the unit tier of a normal (non-sanitizer) build under
# valgrind memcheck: every C unit test executable that ctest knows (label
# unit) runs as `valgrind --error-exitcode=1 --leak-check=full ...` with the
# environment ctest would give it. Shell-driven unit tests (tests/unit/*.sh)
# are left out: they would check bash, not our code. A second opinion next to
# ASan: valgrind sees uninitialised reads, which ASan does not.
#
#   scripts/valgrind-unit.sh [REGEX]      only tests whose name matches REGEX
#
# Builds in MM_BUILD_DIR (default build-valgrind). Logs: $MM_BUILD_DIR/valgrind/<test>.log.
# Exit status 1 when any test failed or valgrind reported an error or leak.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${MM_BUILD_DIR:-$ROOT/build-valgrind}
command -v valgrind >/dev/null || { echo "valgrind-unit: ERROR: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
cmake -S "$ROOT" -B "$BIN" -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$BIN" >/dev/null
logs=$BIN/valgrind
rm -rf "$logs"
mkdir -p "$logs"
# name<TAB>environment (;-separated)<TAB>command (\x1f-separated), from ctest's JSON.
ctest --test-dir "$BIN" -L unit -N --show-only=json-v1 | python3 -c '
import json, sys, re
doc = json.load(sys.stdin)
pat = re.compile(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] else None
for t in doc["tests"]:
    cmd = t.get("command") or []
    if not cmd or cmd[0].endswith("bash") or (pat and not pat.search(t["name"])):
        continue
    env = []
    for p in t.get("properties", []):
        if p["name"] == "ENVIRONMENT":
            env = p["value"]
    print("%s\t%s\t%s" % (t["name"], ";".join(env), "\x1f".join(cmd)))
' "${1:-}" >"$logs/tests.tsv"
total=0 failed=()
while IFS=$'\t' read -r name env cmd; do
    total=$((total + 1))
    IFS=';' read -r -a envs <<<"$env"
    IFS=$'\x1f' read -r -a argv <<<"$cmd"
    start=$SECONDS
    if env "${envs[@]}" valgrind --quiet --error-exitcode=1 --leak-check=full \
            --show-leak-kinds=definite,indirect,possible --errors-for-leak-kinds=definite,indirect,possible \
            --track-origins=yes --log-file="$logs/$name.log" "${argv[@]}" >"$logs/$name.out" 2>&1; then
        echo "valgrind-unit: ok      $name ($((SECONDS - start)) s)"
    else
        echo "valgrind-unit: FAILED  $name ($((SECONDS - start)) s): $logs/$name.log" >&2
        failed+=("$name")
    fi
done <"$logs/tests.tsv"
echo "valgrind-unit: $((total - ${#failed[@]})) of $total unit tests clean under memcheck"
if ((${#failed[@]})); then
    printf 'valgrind-unit: failed: %s\n' "${failed[@]}" >&2
    exit 1
fi
