#!/usr/bin/env bash
# bounded_requests.sh -- issue 13's "one request can do unbounded work" and
# "the document cache is bounded by count, not bytes", end to end against a
# real `gregor serve` (the forms example service) with real Kafka and its
# own Redis holding 52,000 stored forms:
#   1. 1,000 aliases of allForms selecting every Form field: refused before
#      execution (COST_LIMIT_EXCEEDED), no resolver runs, RSS unchanged;
#   2. 1,000 aliases of allForms { id } (under the static cost): cut at run
#      time with a clear error (field budget, response cap or execution
#      timeout), answered within its timeout, peak RSS bounded;
#   3. 520 distinct valid documents of ~550 KB (19,000 operations each),
#      sequentially: RSS stays under graphql.document_cache_bytes plus a
#      fixed allowance, and the cache evicts;
#   4. SIGTERM during a runaway request (limits off): the execution is
#      stopped halfway through the 10 s drain deadline, the HTTP server's
#      stop (its log line's duration) completes within that deadline (12 s
#      in a sanitizer build, where one allForms call takes 2-4 s), and the
#      process is gone within 16 s (then closing Kafka and Redis, and in a
#      sanitizer build the leak check).
# RSS is read from /proc/PID/status (VmRSS now, VmHWM peak). Numbers are
# printed as "MEASURE name value" lines.
set -euo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require kafka gregor "$bin_dir/examples/forms.so" cmd:redis-cli:redis-tools
ROOT=$src BIN=$bin_dir
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-bounded.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT

failures=0
fail() { echo "FAIL $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok   $*"; }
rss_kb() { sed -n "s/^$2:[[:space:]]*\([0-9]*\) kB/\1/p" "/proc/$1/status"; }

# Our own Redis: 52,000 forms in the forms service's hash.
start_redis || cannot_run "cannot start a Redis (scripts/redis-fixture.sh)"
port=${REDIS_URL##*:}
python3 - "$WORK/forms.resp" <<'EOF'
import json, sys
out = open(sys.argv[1], "wb")
def cmd(*args):
    out.write(b"*%d\r\n" % len(args))
    for a in args:
        a = a.encode()
        out.write(b"$%d\r\n%s\r\n" % (len(a), a))
batch = []
for i in range(52000):
    fid = "form-%06d-0000-4000-8000-%012d" % (i, i)
    form = {"id": fid, "name": "form number %d" % i, "template": "template-%d" % (i % 97),
            "formType": "quick" if i % 2 else "ds", "createdBy": i % 1000, "updatedBy": i % 777,
            "createdDate": "2024-01-02T03:04:05", "updatedDate": "2024-05-06T07:08:09"}
    batch += [fid, json.dumps(form, separators=(",", ":"))]
    if len(batch) >= 2000:
        cmd("HSET", "mm:state:forms:forms", *batch)
        batch = []
if batch:
    cmd("HSET", "mm:state:forms:forms", *batch)
EOF
redis-cli -h 127.0.0.1 -p "$port" --pipe <"$WORK/forms.resp" >/dev/null
stored=$(redis-cli -h 127.0.0.1 -p "$port" hlen mm:state:forms:forms)
[[ $stored == 52000 ]] || cannot_run "loading the forms into Redis failed ($stored stored)"

# A sanitizer build holds freed memory in quarantine and adds redzones and
# shadow memory: a small quarantine, and larger allowances there.
sanitized=0
grep -q '^MM_SANITIZE:BOOL=ON' "$BIN/CMakeCache.txt" 2>/dev/null && sanitized=1
if ((sanitized)); then
    export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=8
    allowance_mb=240 cut_peak_mb=800
    # One allForms call (52,000 forms from Redis) takes 2-4 s there, and
    # the engine stops between fields, not inside a resolver.
    drain_ms=12000
else
    allowance_mb=160 cut_peak_mb=600 drain_ms=10000
fi

serve() { # CONFIG LOG: starts gregor serve with the forms service, sets URL and SERVE_PID
    serve_start "$2" "$BIN/gregor" serve --app "$BIN/examples/forms.so" --config "$1" ||
        cannot_run "gregor serve did not start"
    faults_pids+=("$SERVE_PID")
    URL=$SERVE_URL
}
export MM_KAFKA_BOOTSTRAP_SERVERS=$MM_TEST_KAFKA_BOOTSTRAP MM_REDIS_URL=$REDIS_URL
export MM_HTTP_LISTEN=127.0.0.1:0 MM_LOG_LEVEL=warn
post() { # BODY_FILE ANSWER_FILE: prints "status seconds"
    curl -s --max-time 60 -o "$2" -w '%{http_code} %{time_total}\n' -H 'content-type: application/json' \
        --data-binary @"$1" "$URL" || echo "curl-failed 0"
}
stop_serve() { # SIGTERM; it must exit 0 within 20 s
    local st=0
    kill -TERM "$SERVE_PID"
    for _ in $(seq 200); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$SERVE_PID" 2>/dev/null; then fail "gregor serve ignored SIGTERM for 20 s"; kill -KILL "$SERVE_PID"; fi
    wait "$SERVE_PID" || st=$?
    ((st == 0)) || fail "gregor serve exited with status $st"
    faults_pids=()
}
gen() { python3 -c "import json,sys; print(json.dumps($2))" >"$WORK/$1.json"; }

# ---- 1 and 2: the alias explosion, default limits --------------------------
cat >"$WORK/default.yaml" <<'EOF'
graphql:
  document_cache_bytes: 33554432
EOF
serve "$WORK/default.yaml" "$WORK/serve1"
gen one '{"query": "{ allForms { id } }"}'
read -r st secs < <(post "$WORK/one.json" "$WORK/one.answer")
n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['data']['allForms']))" "$WORK/one.answer" 2>/dev/null || echo 0)
if [[ $st == 200 && $n == 52000 ]]; then ok "allForms: 52000 forms in ${secs}s"; else fail "allForms: status $st, $n forms"; fi
base=$(rss_kb "$SERVE_PID" VmRSS)
echo "MEASURE rss_after_one_allForms_kb $base"

all='id name template formType createdBy updatedBy createdDate updatedDate'
gen explode "{\"query\": \"{\" + \" \".join(\"a%d: allForms { $all }\" % i for i in range(1000)) + \"}\"}"
read -r st secs < <(post "$WORK/explode.json" "$WORK/explode.answer")
if [[ $st == 200 ]] && grep -qF '"code":"COST_LIMIT_EXCEEDED"' "$WORK/explode.answer" && ! grep -qF '"data"' "$WORK/explode.answer"; then
    ok "1000 aliases x 8 fields refused in ${secs}s: $(head -c 160 "$WORK/explode.answer")"
else
    fail "1000 aliases x 8 fields: status $st, $(head -c 300 "$WORK/explode.answer")"
fi
echo "MEASURE refused_seconds $secs"

gen cut '{"query": "{" + " ".join("a%d: allForms { id }" % i for i in range(1000)) + "}"}'
read -r st secs < <(post "$WORK/cut.json" "$WORK/cut.answer")
peak=$(rss_kb "$SERVE_PID" VmHWM)
size=$(stat -c %s "$WORK/cut.answer")
if [[ $st == 200 ]] && grep -qE '"code":"(FIELD_LIMIT_EXCEEDED|RESPONSE_TOO_LARGE|EXECUTION_TIMEOUT)"' "$WORK/cut.answer" \
    && grep -qF '"data":null' "$WORK/cut.answer"; then
    ok "1000 aliases x allForms { id } cut in ${secs}s ($size bytes): $(head -c 200 "$WORK/cut.answer")"
else
    fail "1000 aliases x allForms { id }: status $st, $(head -c 300 "$WORK/cut.answer")"
fi
echo "MEASURE cut_seconds $secs"
echo "MEASURE cut_answer_bytes $size"
echo "MEASURE cut_peak_rss_kb $peak"
# The issue measured 2.1 GB. Bounded: one resolver's 52k forms at a time
# and the 32 MiB response cap.
if ((peak < cut_peak_mb * 1024)); then ok "peak RSS ${peak} kB < $cut_peak_mb MB"; else fail "peak RSS ${peak} kB"; fi
kill -0 "$SERVE_PID" 2>/dev/null || fail "gregor serve died"
stop_serve

# ---- 3: 520 large documents against a 32 MiB cache -------------------------
serve "$WORK/default.yaml" "$WORK/serve2"
python3 - "$WORK/docs" <<'EOF'
import json, os, sys
d = sys.argv[1]
os.makedirs(d)
for k in range(520):
    ops = " ".join("query D%03d_%05d {__typename}" % (k, i) for i in range(19000))
    with open(os.path.join(d, "%03d.json" % k), "w") as f:
        json.dump({"query": ops, "operationName": "D%03d_00000" % k}, f)
EOF
doc_bytes=$(stat -c %s "$WORK/docs/000.json")
echo "MEASURE document_bytes $doc_bytes"
before=$(rss_kb "$SERVE_PID" VmRSS)
t0=$(date +%s.%N)
bad=0
for f in "$WORK"/docs/*.json; do
    st=$(curl -s --max-time 60 -o "$WORK/doc.answer" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary @"$f" "$URL" || echo curl-failed)
    if [[ $st != 200 ]] || ! grep -qF '"__typename":"Query"' "$WORK/doc.answer"; then
        bad=$((bad + 1))
        ((bad < 3)) && echo "document $f: status $st, $(head -c 200 "$WORK/doc.answer")" >&2
    fi
done
t1=$(date +%s.%N)
after=$(rss_kb "$SERVE_PID" VmRSS)
peak=$(rss_kb "$SERVE_PID" VmHWM)
echo "MEASURE docs_seconds $(python3 -c "print(round($t1 - $t0, 1))")"
echo "MEASURE docs_rss_before_kb $before"
echo "MEASURE docs_rss_after_kb $after"
echo "MEASURE docs_peak_rss_kb $peak"
((bad == 0)) && ok "520 documents answered" || fail "$bad of 520 documents not answered"
# The cache's 32 MiB, plus what the server held before, plus a fixed
# allowance for the request in flight (its text, JSON body, AST and
# validation state) and the allocator's per-thread arenas. The issue
# measured 4.2 GB.
limit=$((before + 32 * 1024 + allowance_mb * 1024))
if ((after < limit && peak < limit)); then
    ok "RSS after ${after} kB, peak ${peak} kB < ${limit} kB (cache budget 32 MiB)"
else
    fail "RSS after ${after} kB, peak ${peak} kB, limit ${limit} kB"
fi
stop_serve

# ---- 4: SIGTERM during a runaway request ------------------------------------
cat >"$WORK/unbounded.yaml" <<'EOF'
graphql:
  max_cost: 0
  max_field_resolutions: 0
  max_response_bytes: 0
  execution_timeout_ms: 0
EOF
MM_LOG_LEVEL=info serve "$WORK/unbounded.yaml" "$WORK/serve3"
curl -s --max-time 120 -o /dev/null -H 'content-type: application/json' --data-binary @"$WORK/cut.json" "$URL" &
client=$!
sleep 2
t0=$(date +%s.%N)
kill -TERM "$SERVE_PID"
for _ in $(seq 300); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.1; done
t1=$(date +%s.%N)
took=$(python3 -c "print(round($t1 - $t0, 1))")
drain=$(sed -n 's/.*http server stopped.*duration_ms=\([0-9.]*\).*/\1/p' "$WORK/serve3.err" | head -1)
echo "MEASURE sigterm_runaway_seconds $took"
echo "MEASURE sigterm_http_drain_ms ${drain:-none}"
if kill -0 "$SERVE_PID" 2>/dev/null; then
    fail "gregor serve still running 30 s after SIGTERM during a runaway request"
elif [[ -n $drain ]] && python3 -c "import sys; sys.exit(0 if $drain <= $drain_ms and $took < 16 else 1)"; then
    ok "SIGTERM during a runaway request: HTTP drained in ${drain} ms (deadline 10 s, bound $drain_ms ms), process gone in ${took}s"
else
    fail "SIGTERM during a runaway request: HTTP drain ${drain:-not logged} ms, process gone in ${took}s"
fi
st=0
wait "$SERVE_PID" || st=$?
((st == 0)) || fail "gregor serve exited with status $st after SIGTERM"
faults_pids=()
wait "$client" 2>/dev/null || true

((failures == 0 && faults_failed == 0)) || { echo "bounded_requests: $failures check(s) failed" >&2; exit 1; }
echo "bounded_requests: all checks passed"
