#!/usr/bin/env bash
# test.sh -- what `make test` runs: the whole test suite from a fresh machine.
#
#  1. installs missing Debian packages, fetches the Kafka broker jars and
#     builds promtool (both cached);
#  2. checks that no module includes a module above it (check-layering.sh)
#     and that the C sources follow .clang-format (make format-check), then
#     builds three times: build/ (normal, -Werror), build-asan/
#     (ASan+UBSan) and build-release/ (Release, default options, compile only);
#  3. starts ONE real Redis and ONE real Kafka broker for the whole run;
#  4. runs every ctest test in the ASan build, and `make check` (the unit tier
#     in the normal build: the sanitizers must not be what makes a test pass);
#  5. builds the libFuzzer targets (tests/fuzz/<module>/fuzz_*.c) with clang and
#     runs each for MM_FUZZ_SECONDS (default 20) on a copy of its seed corpus
#     (scripts/fuzz.sh).
# Servers are stopped on every exit path (success, failure, Ctrl-C).
# Exits non-zero when anything failed.
#
# Environment: MM_FUZZ_SECONDS, MM_KAFKA_HOME (jar cache), MM_JAEGER_HOME (Jaeger binary cache), MM_TEST_JOBS (ctest -j, default 2).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
scripts=$root/scripts

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
jobs=${MM_TEST_JOBS:-2}
fuzz_seconds=${MM_FUZZ_SECONDS:-20}

# The fixtures record their state directories here the moment they create
# them, so clean-up finds the servers even if a signal lands mid-start.
run_state=$(mktemp -d "${TMPDIR:-/tmp}/mm-test-run.XXXXXX")
stop_servers() {
    [[ -s $run_state/kafka ]] && "$scripts/kafka-fixture.sh" stop "$(cat "$run_state/kafka")"
    [[ -s $run_state/redis ]] && "$scripts/redis-fixture.sh" stop "$(cat "$run_state/redis")"
    rm -f "$run_state/kafka" "$run_state/redis"
}
cleanup() {
    local status=$?
    # A second signal (make forwards SIGTERM to its child, Ctrl-C may be
    # pressed twice) must not cut the clean-up short and leave servers behind.
    trap - EXIT
    trap '' INT TERM
    ((status == 0)) || report_phases
    stop_servers || true
    rm -rf "$run_state"
    exit "$status"
}
trap cleanup EXIT
trap 'echo "test.sh: interrupted" >&2; exit 130' INT TERM

# Phase timing, printed as a table at the end.
phase_names=() phase_secs=() phase_start=0   # phase_secs holds milliseconds
phase() {
    phase_end
    phase_names+=("$1")
    phase_start=$(date +%s%N)
    echo
    echo "==== $1"
}
phase_end() {
    if ((${#phase_names[@]} > ${#phase_secs[@]})); then
        phase_secs+=($((($(date +%s%N) - phase_start) / 1000000)))
    fi
}
report_phases() {
    [[ -z ${phases_reported:-} ]] || return 0
    phases_reported=1
    phase_end
    echo
    echo "==== phase times (s)"
    local i
    for i in "${!phase_names[@]}"; do
        printf '  %-44s %5d.%01d\n' "${phase_names[$i]}" $((phase_secs[i] / 1000)) $((phase_secs[i] % 1000 / 100))
    done
}

failures=()

phase "setup (Debian packages)"
"$scripts/setup.sh"

phase "fetch Apache Kafka 4.1.1 jars"
"$scripts/fetch-kafka.sh" >/dev/null

# promtool (Prometheus' linter of the metrics text format) for the node
# metrics e2e test: built once from the Go module proxy, cached outside the
# repository (the first build takes minutes).
phase "fetch promtool (scripts/fetch-promtool.sh, cached)"
if ! "$scripts/fetch-promtool.sh" >/dev/null; then
    failures+=("fetch promtool")
fi

# Once per machine (cached in ~/.cache/metamorphosis/jaeger-1.75.0): the
# tracing end-to-end test's collector (tests/e2e/tracing_jaeger.sh).
phase "build Jaeger all-in-one 1.75.0 (Go module proxy)"
"$scripts/fetch-jaeger.sh" >/dev/null

phase "layering (scripts/check-layering.sh)"
if ! "$scripts/check-layering.sh"; then
    failures+=("layering")
fi

phase "format (make format-check: .clang-format)"
if ! make -s -C "$root" format-check; then
    echo "test.sh: C sources differ from .clang-format: run make format" >&2
    failures+=("format")
fi

phase "build (normal, build/)"
cmake -S "$root" -B "$root/build" -G Ninja -DMM_WERROR=ON >/dev/null
cmake --build "$root/build"

phase "build (ASan+UBSan, build-asan/)"
cmake -S "$root" -B "$root/build-asan" -G Ninja -DMM_WERROR=ON -DMM_SANITIZE=ON >/dev/null
cmake --build "$root/build-asan"

# Release (-O2) with the default options: GCC warns more with optimisation
# (format-truncation, maybe-uninitialized), and -Werror holds in every build
# type. Compile only; nothing runs from this tree.
phase "build (Release, build-release/, compile only)"
cmake -S "$root" -B "$root/build-release" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build-release"

phase "start Redis and Kafka"
redis_out=$(MM_FIXTURE_RECORD=$run_state/redis "$scripts/redis-fixture.sh" start)
eval "$redis_out"
kafka_out=$(MM_FIXTURE_RECORD=$run_state/kafka "$scripts/kafka-fixture.sh" start)
eval "$kafka_out"
export MM_TEST_REDIS_URL MM_TEST_REDIS_VERSION MM_TEST_KAFKA_BOOTSTRAP MM_TEST_KAFKA_VERSION
echo "Integration tier: Apache Kafka $MM_TEST_KAFKA_VERSION at $MM_TEST_KAFKA_BOOTSTRAP, Redis $MM_TEST_REDIS_VERSION at ${MM_TEST_REDIS_URL#redis://}"

phase "ctest: whole suite, ASan+UBSan build"
if ! ctest --test-dir "$root/build-asan" --output-on-failure --no-tests=error -j "$jobs" \
        | tee "$run_state/ctest-asan.log"; then
    failures+=("ctest (ASan+UBSan build)")
fi

phase "make check: unit tier, normal build"
if ! MM_TEST_JOBS=$jobs "$scripts/check.sh" | tee "$run_state/ctest-unit.log"; then
    failures+=("make check (unit tier, normal build)")
fi

# The README's main job: `make demo` must run the example end to end (on the
# development broker, its default), here for a moment on a free port.
phase "demo: the forms example end to end on embedded defaults"
if ! (unset MM_KAFKA_BOOTSTRAP_SERVERS; MM_DEMO_SECONDS=1 MM_DEMO_LISTEN=127.0.0.1:0 "$scripts/demo.sh") \
        >"$run_state/demo.log" 2>&1; then
    cat "$run_state/demo.log" >&2
    failures+=("demo")
else
    grep -E '"createForm":\{"data":\{"id"' "$run_state/demo.log" | head -n 1
fi

# `make demo` stopped by a signal from a script exits cleanly within 2 s with
# nothing left running, and its processes log in one format.
phase "demo: stopped by SIGINT/SIGTERM, one log format (tests/demo/check.sh)"
if ! (unset MM_KAFKA_BOOTSTRAP_SERVERS; "$root/tests/demo/check.sh") >"$run_state/demo-check.log" 2>&1; then
    cat "$run_state/demo-check.log" >&2
    failures+=("demo check")
else
    grep '^demo check:' "$run_state/demo-check.log"
fi

# The servers are not needed by the fuzzers; free the cores and memory.
stop_servers

if compgen -G "tests/fuzz/*/fuzz_*.c" >/dev/null; then
    phase "fuzz: build and run (${fuzz_seconds}s each)"
    if ! MM_FUZZ_SECONDS=$fuzz_seconds "$scripts/fuzz.sh"; then
        failures+=("fuzz")
    fi
fi

report_phases
echo
# One closing line over both ctest runs (counts from ctest's own summaries).
passed=0 failed=0
for log in "$run_state/ctest-asan.log" "$run_state/ctest-unit.log"; do
    line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$log" 2>/dev/null | tail -n 1) || true
    if [[ $line =~ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
        failed=$((failed + BASH_REMATCH[1]))
        passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
    fi
done
if ((${#failures[@]} > 0)); then
    echo "test.sh: FAILED: ${failures[*]}" >&2
    echo "ctest: $passed passed, $failed failed"
    exit 1
fi
echo "test.sh: all tests passed"
echo "ctest: $passed passed, $failed failed"
