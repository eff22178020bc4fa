#!/usr/bin/env bash
# tracing_callgrind.sh -- instructions per synchronous createForm of
# `gregor serve` AND the create_form `gregor worker` with tracing off and on
# (100% sampling, exporting to the null OTLP sink bench/otlp_sink.py): the
# deterministic measure behind docs/tracing.md's synchronous cost table.
# Not a test; never run by ctest.
#
#   bench/service/tracing_callgrind.sh [REQUESTS=400]
#
# Uses a Release tree (BENCH_BUILD_DIR, default build-bench: bench/service/run.sh
# builds it). Kafka and Redis: MM_TEST_KAFKA_BOOTSTRAP / MM_TEST_REDIS_URL
# when set (e.g. source the shared fixture's env), else its own
# (scripts/kafka-fixture.sh, scripts/redis-fixture.sh). Both processes run
# under valgrind --tool=callgrind --separate-threads=yes, the ordering
# alternates (off, on, off, on: BENCH_CG_ROUNDS, default 1 pair), each with
# topics of its own. After BENCH_CG_WARMUP (1200) warm-up requests the
# counters of both are zeroed, REQUESTS requests are sent one after the other
# on one keep-alive connection (curl -K), the exporters' next batch is
# waited for (1.5 s) and both are dumped. Printed per process, instructions
# per request: the whole process, the exporter thread (export_main),
# librdkafka's threads (their idle polls vary with timing: +-1-2 k) and the
# framework's other threads (the I/O thread, the consumer's thread: where
# tracing's hot-path cost is), and the inclusive cost of the tracing
# functions (callgrind_annotate) per request in the "on" run, with the sum
# of the entry points (hooks and exporter thread): the deterministic
# figure. The whole process's count moves by +-5 k between runs of the same
# tree (librdkafka's polls, the runtime's timers under valgrind's slowness):
# compare trees with BENCH_CG_ROUNDS=2 or more. BENCH_CG_WARMUP below ~1200
# may leave the span pool filling during the measure (memalign in
# mm_trace_span_alloc: 600 still did in some rounds).
# BENCH_CG_KEEP=1 keeps the callgrind files.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-400}
B=${BENCH_BUILD_DIR:-$root/build-bench}
[[ -x $B/gregor && -f $B/examples/forms.so ]] || {
    echo "bench/service/tracing_callgrind.sh: build $B first (a Release tree: bench/service/run.sh builds build-bench)" >&2
    exit 1
}
command -v valgrind >/dev/null || { echo "tracing_callgrind.sh: valgrind is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "tracing_callgrind.sh: curl is not installed" >&2; exit 1; }
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mm-cgs.XXXXXX")
pids="" redis_dir="" kafka_dir=""
cleanup() {
    for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
    for p in $pids; do wait "$p" 2>/dev/null || true; done
    [[ -n $kafka_dir ]] && scripts/kafka-fixture.sh stop "$kafka_dir" >/dev/null 2>&1 || true
    [[ -n $redis_dir ]] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
    if [[ -n ${BENCH_CG_KEEP:-} ]]; then echo "tracing_callgrind.sh: outputs kept in $tmp" >&2; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
if [[ -z ${MM_TEST_KAFKA_BOOTSTRAP:-} || -z ${MM_TEST_REDIS_URL:-} ]]; then
    eval "$(scripts/redis-fixture.sh start)"
    redis_dir=$MM_REDIS_FIXTURE_DIR
    eval "$(scripts/kafka-fixture.sh start)"
    kafka_dir=$MM_KAFKA_FIXTURE_DIR
fi
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_LOG_LEVEL=warn

python3 "$root/bench/otlp_sink.py" >"$tmp/sink.out" &
pids="$pids $!"
for _ in $(seq 50); do grep -q '^port: ' "$tmp/sink.out" && break; sleep 0.1; done
sink=http://127.0.0.1:$(sed -n 's/^port: //p' "$tmp/sink.out")

body='{"query":"mutation { createForm(name: \"cg\", template: \"t\", timing: synchronous) { data { id form { id } } } }"}'
printf '%s' "$body" >"$tmp/body.json"
make_config() { # URL N FILE
    : >"$3"
    for ((i = 0; i < $2; i++)); do
        ((i > 0)) && echo next >>"$3"
        printf 'url = "%s"\nheader = "content-type: application/json"\ndata-binary = @%s\noutput = "/dev/null"\nwrite-out = "%%{http_code}\\n"\n' \
            "$1" "$tmp/body.json" >>"$3"
    done
}

# measure LABEL [ENV...]
measure() {
    local label=$1
    shift
    local out=$tmp/$label
    mkdir -p "$out"
    local svc=mmcg_${label}_$$_$RANDOM
    env "$@" FORMS_SERVICE=$svc valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$out/worker.cg" "$B/gregor" worker --app "$B/examples/forms.so" \
        --consumer create_form >"$out/worker.out" 2>"$out/worker.err" &
    local wpid=$!
    pids="$pids $wpid"
    env "$@" FORMS_SERVICE=$svc MM_HTTP_LISTEN=127.0.0.1:0 valgrind --tool=callgrind --separate-threads=yes \
        --callgrind-out-file="$out/serve.cg" "$B/gregor" serve --app "$B/examples/forms.so" \
        >"$out/serve.out" 2>"$out/serve.err" &
    local spid=$!
    pids="$pids $spid"
    local url=
    for _ in $(seq 900); do
        url=$(sed -n 's/^graphql: //p' "$out/serve.out" 2>/dev/null || true)
        [[ -n $url ]] && break
        sleep 0.1
    done
    [[ -n $url ]] || { echo "tracing_callgrind.sh: gregor serve did not start" >&2; cat "$out/serve.err" >&2; exit 1; }
    local ok=
    for _ in $(seq 300); do
        curl -s --max-time 10 "$url" -H 'content-type: application/json' --data-binary @"$tmp/body.json" |
            grep -q '"form"' && { ok=1; break; }
        sleep 0.2
    done
    [[ -n $ok ]] || { echo "tracing_callgrind.sh: no synchronous answer" >&2; cat "$out/worker.err" >&2; exit 1; }
    make_config "$url" "${BENCH_CG_WARMUP:-1200}" "$out/warm.cfg"
    curl -s -K "$out/warm.cfg" >/dev/null
    make_config "$url" "$n" "$out/run.cfg"
    callgrind_control -z "$spid" >/dev/null 2>&1
    callgrind_control -z "$wpid" >/dev/null 2>&1
    curl -s -K "$out/run.cfg" >"$out/codes"
    sleep 1.5
    callgrind_control -d "$spid" >/dev/null 2>&1
    callgrind_control -d "$wpid" >/dev/null 2>&1
    local good
    good=$(grep -c '^200$' "$out/codes" || true)
    kill -TERM "$spid" "$wpid"
    wait "$spid" 2>/dev/null || true
    wait "$wpid" 2>/dev/null || true
    echo "$label: $good of $n answered 200"
    local proc
    for proc in serve worker; do
        python3 - "$label $proc" "$n" "$out/$proc.cg".1-* <<'EOF'
import re, sys
label, n, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
tot = exporter = rdk = fw = 0
for f in files:
    ir, kind = 0, "rdk?"  # a thread that runs none of our functions: librdkafka's
    for line in open(f):
        if "export_main" in line:
            kind = "exporter"
        elif kind == "rdk?" and re.match(r"c?fn=\(\d+\) mm_", line):
            kind = "fw"
        if line.startswith("totals:") or line.startswith("summary:"):
            ir = int(line.split()[1])
    tot += ir
    if kind == "exporter": exporter += ir
    elif kind == "rdk?": rdk += ir
    else: fw += ir
print(f"{label}: total {tot / n:.0f}  framework-threads {fw / n:.0f}  exporter {exporter / n:.0f}  "
      f"librdkafka {rdk / n:.0f}  instructions/request")
EOF
        if [[ $label == on* ]] && command -v callgrind_annotate >/dev/null; then
            # Inclusive cost of the tracing entry points, all threads.
            for f in "$out/$proc.cg".1-*; do callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null; done |
                python3 -c '
import re, sys
n, label, s = int(sys.argv[1]), sys.argv[2], {}
pat = re.compile(r"^\s*([\d,]+)\s+\([^)]*\)\s+\S*?:?(\w+)\s+\[")
hot = re.compile(r"^(mm_span_|mm_trace_|mm_event_trace|mm_consumer_trace|mm_http_trace|mm_otlp|mm_traceparent|export_|encode_|mm_event_set_ext)")
for line in sys.stdin:
    m = pat.match(line)
    if m and hot.match(m.group(2)):
        s[m.group(2)] = s.get(m.group(2), 0) + int(m.group(1).replace(",", ""))
# The entry points (nothing of one is inside another): their sum is what
# tracing costs the hooks and the exporter, deterministic (the whole
# process moves by a few k per request with its threads timing).
entry = ["mm_http_trace_begin", "mm_http_trace_end", "mm_trace_enter", "mm_event_trace_set",
         "mm_event_trace_publish", "mm_event_trace_publish_start", "mm_event_trace_delivered", "mm_consumer_trace_begin",
         "mm_consumer_trace_store", "mm_consumer_trace_end", "export_main"]
tot, exp = sum(s.get(e, 0) for e in entry), s.get("export_main", 0)
print(f"  {label} tracing entry points, inclusive: {tot / n:.0f} instructions/request"
      f" (of it the exporter thread {exp / n:.0f})")
for f, v in sorted(s.items(), key=lambda x: -x[1]):
    if v / n >= 20: print(f"  {label} {f} {v / n:.0f}")' "$n" "$label $proc"
        fi
    done
}

for ((r = 0; r < ${BENCH_CG_ROUNDS:-1}; r++)); do
    measure "off$r"
    measure "on$r" MM_TRACING_ENDPOINT="$sink" MM_TRACING_SAMPLE_RATIO=1
done
kill -TERM $(echo $pids | awk '{print $1}') 2>/dev/null || true
sleep 0.5
echo "spans received by the sink: $(sed -n 's/^spans: //p' "$tmp/sink.out")"
