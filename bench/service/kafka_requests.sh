#!/usr/bin/env bash
# kafka_requests.sh -- how many Kafka requests one synchronous createForm
# costs, per client and per API, counted by the clients themselves
# (librdkafka's statistics: statistics.interval.ms makes every client of
# gregor serve and the worker log its cumulative request counters, see
# src/bus/kafka_conf.h), beside req/s, p50 and the CPU per request of each
# process (as bench/service/run.sh). Builds the Release tree in build-bench/,
# starts its own Kafka and Redis, stops everything.
#
#   bench/service/kafka_requests.sh [SECONDS_PER_POINT=5]
#
#   KR_VARIANTS  space-separated variants, each comma-joined NAME=VALUE
#                environment assignments, "-" for none; an assignment
#                prefixed "serve:" or "worker:" goes to that process only, e.g.
#                KR_VARIANTS="- serve:MM_KAFKA_PROP_LINGER_MS=0.1
#                worker:MM_KAFKA_PROP_FETCH_WAIT_MAX_MS=100"
#   KR_CLIENTS   concurrencies measured per variant (default "1 64")
#   KR_ROUNDS    rounds; each round runs every variant in turn (default 1)
#   KR_STATS_MS  statistics.interval.ms (default 200)
#
# Per variant and concurrency: requests per mutation, per client (process
# and librdkafka client name) and API, and the broker's own count of every
# request it handled (its JMX RequestMetrics, read by KafkaRequests.java
# after `jcmd <broker> ManagementAgent.start`; this includes the clients
# whose statistics are not served, e.g. gregor serve's subscription tail);
# then the idle request rate (requests/s with no load). The counts are
# deterministic up to the batching the timing allows (at c=1 every request
# carries one message); the window edges add at most one statistics interval
# of idle requests (clients) or the idle rate over the JMX read (broker,
# subtracted). Round 0 runs the first variant once to warm the broker's JIT;
# it is printed, not in the medians.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
secs=${1:-5}
variants=${KR_VARIANTS:--}
clients=${KR_CLIENTS:-1 64}
rounds=${KR_ROUNDS:-1}
stats_ms=${KR_STATS_MS:-200}
cd "$root"
cmake -S . -B build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DMM_TESTS=OFF -DMM_BENCH=ON >/dev/null
cmake --build build-bench >/dev/null
B=$root/build-bench
out_dir=$B/kafka-requests
mkdir -p "$out_dir"
jsonl=$out_dir/points.jsonl
: >"$jsonl"

pids=()
redis_dir="" kafka_dir=""
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    [ -n "$kafka_dir" ] && scripts/kafka-fixture.sh stop "$kafka_dir" >/dev/null 2>&1 || true
    [ -n "$redis_dir" ] && scripts/redis-fixture.sh stop "$redis_dir" >/dev/null 2>&1 || true
}
trap cleanup EXIT
eval "$(scripts/redis-fixture.sh start)"
redis_dir=$MM_REDIS_FIXTURE_DIR
eval "$(scripts/kafka-fixture.sh start)"
kafka_dir=$MM_KAFKA_FIXTURE_DIR
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$MM_TEST_REDIS_URL
export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=info MM_LOG_FORMAT=text
export MM_KAFKA_PROP_STATISTICS_INTERVAL_MS=$stats_ms
kafka_pid=$(cat "$kafka_dir/pid")
redis_pid=$(cat "$redis_dir/pid")
hz=$(getconf CLK_TCK)
# The broker's request counters over JMX, its agent on a loopback port.
source "$root/scripts/lib/fixture.sh"
jmx_port=$(free_port)
jcmd "$kafka_pid" ManagementAgent.start "jmxremote.port=$jmx_port" "jmxremote.rmi.port=$jmx_port" \
    jmxremote.authenticate=false jmxremote.ssl=false jmxremote.host=127.0.0.1 >/dev/null
broker_counts() { java "$root/bench/service/KafkaRequests.java" "$jmx_port"; }
broker_counts >/dev/null # compiles once into the JVM's cache; fails loudly here if JMX is off

sync='{"query":"mutation { createForm(name: \"bench\", template: \"t\", timing: synchronous) { data { id form { id name } } } }"}'
cpu_ticks() {
    local p f
    [ -r "/proc/$1/stat" ] || { echo 0; return; }
    f=$(sed 's/.*) //' "/proc/$1/stat")
    awk '{print $12 + $13}' <<<"$f"
}
now() { date +%s.%N; }
# The statistics lines of both processes between two marks, as one JSON line.
point() { # ROUND VARIANT CLIENTS T0 T1 REQUESTS LOADGEN_JSON CPU(serve worker kafka redis)... BROKER0 BROKER1 BROKER_SECONDS
    python3 - "$@" "$out_dir/serve.err" "$out_dir/worker.err" >>"$jsonl" <<'PY'
import datetime, json, re, sys
rnd, variant, c, t0, t1, n, lg, cs, cw, ck, cr, b0, b1, bsecs, serve_err, worker_err = sys.argv[1:17]
b0, b1 = json.loads(b0), json.loads(b1)
broker = {k: b1.get(k, 0) - b0.get(k, 0) for k in b1 if b1.get(k, 0) - b0.get(k, 0)}
# loadgen does not count its first second (warm-up): neither do we.
stamp = lambda t: datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
t0, t1 = stamp(float(t0) + (1.0 if int(c) else 0.0)), stamp(float(t1))
def reports(path, proc):
    out = {}
    for line in open(path, errors="replace"):
        if 'msg="kafka statistics"' not in line:
            continue
        kv = dict(re.findall(r'(\w+)=("[^"]*"|\S+)', line))
        key = "%s %s %s" % (proc, kv["client"], kv["name"].strip('"'))
        out.setdefault(key, []).append((kv["time"], {k: int(v) for k, v in kv.items()
                                                      if k in ("tx", "wakeups") or k.startswith("req_")}))
    return out
def at(series, t):  # the first report at or after t
    for ts, counts in series:
        if ts >= t:
            return counts
    return None
clients = {}
for path, proc in ((serve_err, "serve"), (worker_err, "worker")):
    for key, series in reports(path, proc).items():
        a, b = at(series, t0), at(series, t1)
        if a is None or b is None:
            continue
        clients[key] = {k: b.get(k, 0) - a.get(k, 0) for k in b}
r = json.loads(lg) if lg != "-" else {}
print(json.dumps({"round": int(rnd), "variant": variant, "c": int(c), "requests": int(n),
                  "rps": r.get("rps"), "p50": r.get("p50_ms"), "p99": r.get("p99_ms"),
                  "errors": r.get("errors"), "cpu_ticks": [int(cs), int(cw), int(ck), int(cr)],
                  "clients": clients, "broker": broker, "broker_secs": float(bsecs)}))
PY
}

first=${variants%% *}
for round in $(seq 0 "$rounds"); do
    vs=$variants
    [ "$round" = 0 ] && vs=$first
    for v in $vs; do
        serve_env=() worker_env=()
        if [ "$v" != - ]; then
            IFS=, read -r -a assigns <<<"$v"
            for a in "${assigns[@]}"; do
                case $a in
                serve:*) serve_env+=("${a#serve:}") ;;
                worker:*) worker_env+=("${a#worker:}") ;;
                *) serve_env+=("$a") worker_env+=("$a") ;;
                esac
            done
        fi
        env "${worker_env[@]}" "$B/gregor" worker --app "$B/examples/forms.so" --consumer create_form \
            2>"$out_dir/worker.err" &
        pw=$!
        pids+=("$pw")
        env "${serve_env[@]}" "$B/gregor" serve --app "$B/examples/forms.so" >"$out_dir/serve.out" \
            2>"$out_dir/serve.err" &
        ps=$!
        pids+=("$ps")
        for _ in $(seq 100); do grep -q '^graphql: ' "$out_dir/serve.out" && break; sleep 0.1; done
        url=$(sed -n 's/^graphql: //p' "$out_dir/serve.out")
        for _ in $(seq 100); do
            curl -s "$url" -H 'content-type: application/json' \
                -d '{"query":"mutation { createFormSync(name: \"warm\", template: \"t\") { data { id } } }"}' |
                grep -q '"id"' && break
            sleep 0.2
        done
        "$B/bench/loadgen" "$url" "$sync" 16 3 >/dev/null
        sleep 1
        # idle: no load for the same window
        b0=$(broker_counts)
        t0=$(now)
        sleep "$secs"
        t1=$(now)
        b1=$(broker_counts)
        point "$round" "$v" 0 "$t0" "$t1" 0 - 0 0 0 0 "$b0" "$b1" "$(python3 -c "print($(now) - $t0)")"
        for c in $clients; do
            b0=$(broker_counts)
            tb=$(now)
            s0=$(cpu_ticks "$ps") w0=$(cpu_ticks "$pw") k0=$(cpu_ticks "$kafka_pid") r0=$(cpu_ticks "$redis_pid")
            t0=$(now)
            lg=$("$B/bench/loadgen" "$url" "$sync" "$c" "$secs")
            t1=$(now)
            s1=$(cpu_ticks "$ps") w1=$(cpu_ticks "$pw") k1=$(cpu_ticks "$kafka_pid") r1=$(cpu_ticks "$redis_pid")
            b1=$(broker_counts)
            # the broker's window beyond loadgen's run: idle time, its requests subtracted
            bextra=$(python3 -c "print($(now) - $tb - ($t1 - $t0))")
            sleep "$(python3 -c "print(3 * $stats_ms / 1000)")"
            n=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$lg")
            point "$round" "$v" "$c" "$t0" "$t1" "$n" "$lg" $((s1 - s0)) $((w1 - w0)) $((k1 - k0)) $((r1 - r0)) \
                "$b0" "$b1" "$bextra"
        done
        kill -TERM "$ps" "$pw"
        wait "$ps" 2>/dev/null || true
        wait "$pw" 2>/dev/null || true
    done
done

python3 - "$jsonl" "$secs" "$hz" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
secs, hz = float(sys.argv[2]), float(sys.argv[3])
# The broker's idle rate per API in each round and variant (its idle window).
idle_rate = {(r["round"], r["variant"]): {k: x / r["broker_secs"] for k, x in r["broker"].items()}
             for r in rows if r["c"] == 0}
def broker_per_mutation(r):  # {api: requests per mutation}; loadgen's warm-up second counted at its rate
    rate = idle_rate.get((r["round"], r["variant"]), {})
    n = max(1.0, r.get("requests_with_warmup", r["rps"] * (secs + 1)))
    return {k: max(0.0, x - rate.get(k, 0.0) * r["broker_secs"]) / n for k, x in r["broker"].items()}
def broker_total(d):
    return sum(x for k, x in d.items() if k != "FetchConsumer")
# The CPU ticks span loadgen's uncounted warm-up second too: per request,
# they are divided by the requests of the whole run at the measured rate.
def per_cpu(r):
    return max(1.0, r.get("requests_with_warmup", r["rps"] * (secs + 1)))
def short(key):
    return key.replace("rdkafka#", "")
for r in rows:
    if r["c"] == 0:
        tot = sum(cl.get("tx", 0) for cl in r["clients"].values()) / secs
        det = ", ".join("%s %.1f/s" % (short(k), cl.get("tx", 0) / secs)
                        for k, cl in sorted(r["clients"].items()) if cl.get("tx", 0))
        print("round %d %s idle: %.1f requests/s (%s); broker: %.1f requests/s (%s)" % (
            r["round"], r["variant"], tot, det, broker_total(r["broker"]) / r["broker_secs"],
            ", ".join("%s %.1f" % (k, x / r["broker_secs"]) for k, x in sorted(r["broker"].items()))))
        continue
    n = max(1, r["requests"])
    tot = sum(cl.get("tx", 0) for cl in r["clients"].values()) / n
    cpu = [t / hz * 1e6 / per_cpu(r) for t in r["cpu_ticks"]]
    print("round %d %s c=%d: %.0f req/s p50 %.2f ms, %.3f Kafka requests/mutation, "
          "CPU us/req serve %.0f + worker %.0f + Kafka %.0f + Redis %.0f = %.0f"
          % (r["round"], r["variant"], r["c"], r["rps"], r["p50"], tot, *cpu, sum(cpu)))
    bp = broker_per_mutation(r)
    print("    %-40s %.3f  (%s)" % ("broker (every client)", broker_total(bp),
                                    " ".join("%s %.3f" % (k, x) for k, x in sorted(bp.items()) if x >= 0.0005)))
    for k, cl in sorted(r["clients"].items()):
        if not cl.get("tx"):
            continue
        apis = " ".join("%s %.3f" % (a[4:], x / n) for a, x in sorted(cl.items())
                        if a.startswith("req_") and x)
        print("    %-40s %.3f  (%s; broker-thread wake-ups %.1f)" % (short(k), cl["tx"] / n, apis,
                                                                       cl.get("wakeups", 0) / n))
print()
print("Medians over rounds 1..N (requests/mutation; idle requests/s; clients: gregor serve's and the worker's librdkafka statistics, broker: every request it handled):")
print("| variant | idle req/s clients / broker | c | req/s | p50 ms | requests/mutation clients / broker | client wake-ups/mutation | CPU µs/req total | serve + worker CPU µs/req | Kafka CPU µs/req |")
print("|---|---|---|---|---|---|---|---|---|---|")
rows = [r for r in rows if r["round"] > 0]
variants = []
for r in rows:
    if r["variant"] not in variants:
        variants.append(r["variant"])
for v in variants:
    idle = [sum(cl.get("tx", 0) for cl in r["clients"].values()) / secs
            for r in rows if r["variant"] == v and r["c"] == 0]
    bidle = [broker_total(r["broker"]) / r["broker_secs"] for r in rows if r["variant"] == v and r["c"] == 0]
    for c in sorted({r["c"] for r in rows if r["c"]}):
        pts = [r for r in rows if r["variant"] == v and r["c"] == c]
        if not pts:
            continue
        med = lambda xs: statistics.median(xs)
        reqs = med([sum(cl.get("tx", 0) for cl in r["clients"].values()) / max(1, r["requests"]) for r in pts])
        breqs = med([broker_total(broker_per_mutation(r)) for r in pts])
        wake = med([sum(cl.get("wakeups", 0) for cl in r["clients"].values()) / max(1, r["requests"]) for r in pts])
        cpu = med([sum(r["cpu_ticks"]) / hz * 1e6 / per_cpu(r) for r in pts])
        kcpu = med([r["cpu_ticks"][2] / hz * 1e6 / per_cpu(r) for r in pts])
        swcpu = med([(r["cpu_ticks"][0] + r["cpu_ticks"][1]) / hz * 1e6 / per_cpu(r) for r in pts])
        print("| %s | %.0f / %.0f | %d | %.0f | %.2f | %.3f / %.3f | %.1f | %.0f | %.0f | %.0f |" % (
            v, med(idle), med(bidle), c, med([r["rps"] for r in pts]), med([r["p50"] for r in pts]),
            reqs, breqs, wake, cpu, swcpu, kcpu))
PY
echo "(raw points: $jsonl)"
