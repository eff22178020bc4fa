# tracing.sh -- bench/service/run.sh's tracing mode (BENCH_MODE=tracing,
# sourced by run.sh once its Kafka and Redis run): synchronous createForm
# throughput with tracing off against tracing on at 100% sampling (every
# request: HTTP server, publish, process, emit publish and result-store
# spans, exported as OTLP protobuf to a null collector, bench/otlp_sink.py), in
# the same run, the two configurations alternating BENCH_ROUNDS times
# (default 8), after BENCH_TRACE_WARMUP (default 1) rounds not counted. The
# order within a round alternates too (off, on; then on, off), so a drift
# of the machine's load does not favour one side. Goal: on/off >= 0.90.
# The answer is the MEDIAN OF THE PAIRED RATIOS (on/off of the same round),
# which one noisy round cannot decide; the best round of each side is
# printed too, and the CPU per request (utime + stime from /proc, µs) of
# serve, of the worker and of both, on and off, median over the rounds.
# Prints a markdown table. Uses $B, $secs and pids[] of run.sh.
#
# The sink is a real OTLP/HTTP endpoint (it reads every POST whole, answers
# 200 and counts the spans in the protobuf), running through both arms; only
# the "on" pair sends to it. At the end the spans it received are checked
# against five per traced request: fewer means the exporters dropped spans (a
# full queue, a failed POST) and the "on" arm did not pay for all of them,
# so the run fails rather than report a flattering ratio.

sink_out=$(mktemp)
python3 "$root/bench/otlp_sink.py" >"$sink_out" &
pids+=($!)
sink_pid=$!
for _ in $(seq 50); do grep -q '^port: ' "$sink_out" && break; sleep 0.1; done
sink_port=$(sed -n 's/^port: //p' "$sink_out")
[[ -n $sink_port ]] || { echo "bench/service: the OTLP sink did not start" >&2; exit 1; }

sync='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
conc=${BENCH_CONCURRENCY:-16}
rounds=${BENCH_ROUNDS:-8}
warmup=${BENCH_TRACE_WARMUP:-1}

# BENCH_TRACE_BASE=<another Release tree's build dir (gregor, examples/forms.so)>
# adds that tree's pair off and on (modes base_off, base_on) to the same
# alternation: an A/B of two trees' tracing cost in one run.
base=${BENCH_TRACE_BASE:-}
modes=(off on)
[[ -n $base ]] && modes+=(base_off base_on)

# start_pair MODE: a worker and a server of their own (service, topic and
# group per mode), tracing on or off; sets url_MODE.
start_pair() {
    local mode=$1 env=() bin=$B
    [[ $mode == *on ]] && env=(MM_TRACING_ENDPOINT=http://127.0.0.1:$sink_port MM_TRACING_SAMPLE_RATIO=1)
    [[ $mode == base_* ]] && bin=$base
    env FORMS_SERVICE=mmbench_trace_${mode}_$$ "${env[@]}" \
        "$bin/gregor" worker --app "$bin/examples/forms.so" --consumer create_form &
    pids+=($!)
    local wpid=$!
    env FORMS_SERVICE=mmbench_trace_${mode}_$$ "${env[@]}" \
        "$bin/gregor" serve --app "$bin/examples/forms.so" >"$B/bench-trace-$mode.out" 2>"$B/bench-trace-$mode.err" &
    pids+=($!)
    printf -v "pair_$mode" '%s' "$wpid $!"
    for _ in $(seq 100); do grep -q '^graphql: ' "$B/bench-trace-$mode.out" && break; sleep 0.1; done
    local url
    url=$(sed -n 's/^graphql: //p' "$B/bench-trace-$mode.out" 2>/dev/null || true)
    [[ -n $url ]] || { echo "bench/service: gregor serve ($mode) did not start" >&2; exit 1; }
    for _ in $(seq 100); do
        curl -s "$url" -H 'content-type: application/json' --data-binary "$sync" | grep -q '"form"' && break
        sleep 0.2
    done
    printf -v "url_$mode" '%s' "$url"
}
for mode in "${modes[@]}"; do start_pair "$mode"; done
# trace_ticks PID...: utime + stime (clock ticks) of the processes, summed.
trace_ticks() {
    local t=0 p
    for p in "$@"; do
        [[ -r /proc/$p/stat ]] || continue
        t=$((t + $(sed 's/.*) //' "/proc/$p/stat" | awk '{print $12 + $13}')))
    done
    echo "$t"
}
: >"$B/bench-trace.runs"
: >"$B/bench-trace-threads.runs"
tcpu=$root/bench/service/thread_cpu.py
for ((r = -warmup; r < rounds; r++)); do
    order=("${modes[@]}")
    if ((r >= 0 && r % 2 == 1)); then # on before off: reversed
        order=()
        for ((m = ${#modes[@]} - 1; m >= 0; m--)); do order+=("${modes[$m]}"); done
    fi
    for mode in "${order[@]}"; do
        url_var=url_$mode pair_var=pair_$mode
        # CPU per request of the pair (serve + worker) and of the sink: less
        # sensitive to the other tenants than requests/s on a shared machine.
        # Per thread too (thread_cpu.py): which thread spends the difference.
        read -r wpid spid <<<"${!pair_var}"
        python3 "$tcpu" snap worker="$wpid" serve="$spid" >"$B/bench-trace-t0.json"
        w0=$(trace_ticks "$wpid") s0=$(trace_ticks "$spid") k0=$(trace_ticks "$sink_pid")
        out=$("$B/bench/loadgen" "${!url_var}" "$sync" "$conc" "$secs")
        w1=$(trace_ticks "$wpid") s1=$(trace_ticks "$spid") k1=$(trace_ticks "$sink_pid")
        python3 "$tcpu" snap worker="$wpid" serve="$spid" >"$B/bench-trace-t1.json"
        nreq=$(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r.get("requests_with_warmup", r["requests"]))' "$out")
        out=$(python3 -c '
import json, sys
r = json.loads(sys.argv[1]); hz = float(sys.argv[5])
n = max(1.0, r.get("requests_with_warmup", r["requests"]))  # the ticks cover the warm-up
us = lambda t: round(int(t) * 1e6 / hz / n, 1)
r["serve_us"], r["worker_us"], r["sink_us"] = us(sys.argv[2]), us(sys.argv[3]), us(sys.argv[4])
r["cpu_us"] = round(r["serve_us"] + r["worker_us"], 1)
r["round"] = int(sys.argv[6])
print(json.dumps(r, separators=(",", ":")))' "$out" $((s1 - s0)) $((w1 - w0)) $((k1 - k0)) "$(getconf CLK_TCK)" "$r")
        echo "bench/service: tracing $mode round $r: $out" >&2
        ((r < 0)) && continue # warm-up: not counted
        echo "$mode $(python3 "$tcpu" diff "$B/bench-trace-t0.json" "$B/bench-trace-t1.json" "$nreq")" >>"$B/bench-trace-threads.runs"
        echo "$mode $out" >>"$B/bench-trace.runs"
    done
done
echo "| tracing | concurrency | req/s best of $rounds | req/s median | p50 ms | p99 ms | errors | CPU µs/req serve | worker | serve+worker | sink (medians) |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
python3 - "$B/bench-trace.runs" <<'PY'
import json, sys
best, runs = {}, {}
for line in open(sys.argv[1]):
    mode, js = line.split(" ", 1)
    r = json.loads(js)
    runs.setdefault(mode, []).append(r)
    if mode not in best or r["rps"] > best[mode]["rps"]:
        best[mode] = r
def median(v):
    v = sorted(v)
    return (v[(len(v) - 1) // 2] + v[len(v) // 2]) / 2
def med(mode, k):
    return median([x[k] for x in runs[mode]])
for mode in ("off", "on", "base_off", "base_on"):
    if mode not in best:
        continue
    r = best[mode]
    print("| %s | %d | %.0f | %.0f | %.2f | %.2f | %d | %.1f | %.1f | %.1f | %.1f |" % (mode, r["concurrency"], r["rps"], med(mode, "rps"), r["p50_ms"], r["p99_ms"], sum(x["errors"] for x in runs[mode]), med(mode, "serve_us"), med(mode, "worker_us"), med(mode, "cpu_us"), med(mode, "sink_us")))
print()
def paired(on, off):
    # the rounds' pairs: on and off of the same round
    by = {x["round"]: x for x in runs[off]}
    rps = [x["rps"] / by[x["round"]]["rps"] for x in runs[on] if x["round"] in by]
    cpu = [x["cpu_us"] / by[x["round"]]["cpu_us"] for x in runs[on] if x["round"] in by and by[x["round"]]["cpu_us"] > 0]
    return rps, cpu
for on, off, what in (("on", "off", "this tree"), ("base_on", "base_off", "base tree")):
    if on not in runs:
        continue
    rps, cpu = paired(on, off)
    print("%s, on/off throughput: **median of %d paired rounds %.3f** (goal >= 0.90; pairs %s); best of each %.3f" % (what, len(rps), median(rps), " ".join("%.2f" % x for x in rps), best[on]["rps"] / best[off]["rps"]))
    print("%s, CPU per request on/off: median of pairs %.3f; serve %.1f -> %.1f µs, worker %.1f -> %.1f µs (medians)" % (what, median(cpu) if cpu else float("nan"), med(off, "serve_us"), med(on, "serve_us"), med(off, "worker_us"), med(on, "worker_us")))
PY
echo
echo "Per thread (bench/service/thread_cpu.py; CPU µs (of it kernel), voluntary and involuntary context switches per request):"
python3 "$tcpu" table "$B/bench-trace-threads.runs"
# The gregor processes first (their last spans go out), then the sink.
for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[$i]}" 2>/dev/null || true
    wait "${pids[$i]}" 2>/dev/null || true
done
got=$(sed -n 's/^spans: //p' "$sink_out")
rm -f "$sink_out"
want=$(awk '$1 ~ /on$/ {print}' "$B/bench-trace.runs" | python3 -c '
import json, sys
print(5 * sum(json.loads(l.split(" ", 1)[1])["requests"] for l in sys.stdin))')
echo "spans received by the sink: $got (at least 5 per traced request: $want)"
if [[ -z $got ]] || ((got < want * 95 / 100)); then
    echo "bench/service: the sink received fewer spans than the traced requests made: spans were dropped" >&2
    exit 1
fi
