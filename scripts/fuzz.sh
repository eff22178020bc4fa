#!/usr/bin/env bash
# fuzz.sh -- build the libFuzzer targets (tests/fuzz/<module>/fuzz_*.c) with
# clang in build-fuzz/ and run each for MM_FUZZ_SECONDS (default 20) on a
# temporary copy of its seed corpus tests/fuzz/<module>/corpus/<fuzzer>/, so
# the runs never write into git. Crash reproducers go to build-fuzz/artifacts/.
# Used by test.sh and by `make fuzz`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
"$root/scripts/setup.sh" >/dev/null

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
seconds=${MM_FUZZ_SECONDS:-20}

shopt -s nullglob
fuzzers=(tests/fuzz/*/fuzz_*.c)
if ((${#fuzzers[@]} == 0)); then
    echo "fuzz: no fuzzers (tests/fuzz/<module>/fuzz_*.c) yet"
    exit 0
fi

targets=()
for src in "${fuzzers[@]}"; do targets+=("$(basename "$src" .c)"); done
CC=clang cmake -S "$root" -B "$root/build-fuzz" -G Ninja -DMM_FUZZ=ON >/dev/null
cmake --build "$root/build-fuzz" --target "${targets[@]}"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-fuzz.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
artifacts=$root/build-fuzz/artifacts
mkdir -p "$artifacts"
failed=()
for src in "${fuzzers[@]}"; do
    name=$(basename "$src" .c)
    module=$(basename "$(dirname "$src")")
    seeds=tests/fuzz/$module/corpus/$name
    corpus=$tmp/$name
    mkdir -p "$corpus"
    [[ -d $seeds ]] && cp -R "$seeds/." "$corpus/"
    bin=$(find "$root/build-fuzz" -type f -name "$name" -perm -u+x | head -n 1)
    if [[ -z $bin ]]; then
        echo "fuzz: $name: no binary after the build" >&2
        failed+=("$name")
        continue
    fi
    echo "fuzz: $name: $(ls "$corpus" | wc -l) seed(s), ${seconds}s"
    if ! "$bin" -max_total_time="$seconds" -print_final_stats=1 \
            -artifact_prefix="$artifacts/$name-" "$corpus" >"$tmp/$name.log" 2>&1; then
        tail -n 60 "$tmp/$name.log" >&2
        echo "fuzz: $name FAILED; the reproducer is in $artifacts/" >&2
        failed+=("$name")
    else
        grep -E '^stat::number_of_executed_units' "$tmp/$name.log" | sed "s/^/fuzz: $name: /" || true
    fi
done
if ((${#failed[@]} > 0)); then
    echo "fuzz: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all ${#fuzzers[@]} fuzzer(s) ran clean"
