#!/usr/bin/env bash
# hostile_requests.sh -- the public endpoint's limits end to end: `gregor
# serve` (with the fault-test service) against the run's Kafka and Redis gets
# hostile requests over HTTP and must refuse each with its limit's clear error
# (nesting depth, token count, aliases, body size, header size, bad UTF-8,
# fragment cycles, format directives in variables), refuse every ambiguous
# HTTP/1.1 framing (RFC 9112) with its status and a close, with nothing
# smuggled behind it answered, keep /healthz answering within 100 ms beside
# 1,100 slow-header connections, and still be alive and answering afterwards.
# docs/security.md lists the limits.
set -euo pipefail
source "$(dirname "$0")/lib/prologue.sh"
e2e_require kafka redis gregor "$bin_dir/tests/mod_faults.so"
ROOT=$src BIN=$bin_dir
WORK=$(mktemp -d "${TMPDIR:-/tmp}/mm-hostile.XXXXXX")
source "$ROOT/tests/e2e/faults/lib.sh"
trap 'faults_cleanup; rm -rf "$WORK"' EXIT
gregor_env "$MM_TEST_KAFKA_BOOTSTRAP" "$MM_TEST_REDIS_URL" "mmhostile_$$"
start_serve "$WORK/serve"

failures=0
# check NAME STATUS SUBSTRING BODY_FILE [CURL ARGS...]
check() {
    local name=$1 want=$2 text=$3 file=$4 got
    shift 4
    got=$(curl -s --max-time 20 -o "$WORK/answer" -w '%{http_code}' -H 'content-type: application/json' \
        --data-binary @"$file" "$@" "$URL") || got="curl-failed"
    if [[ $got != "$want" ]] || ! grep -qF -- "$text" "$WORK/answer"; then
        echo "FAIL $name: status $got (want $want), answer: $(head -c 300 "$WORK/answer")" >&2
        failures=$((failures + 1))
    else
        echo "ok   $name: $got $(head -c 120 "$WORK/answer")"
    fi
}
gen() { python3 -c "import json,sys; print(json.dumps($2))" >"$WORK/$1.json"; }

gen deep '{"query": "query { " + "__schema { types { fields { type { " * 30 + "name" + " } } } }" * 30 + " }"}'
gen tokens '{"query": "{ " + " ".join(["a"] * 120000) + " }"}'
gen aliases '{"query": "{" + " ".join("a%d: __typename" % i for i in range(2000)) + "}"}'
gen big '{"query": "{ __typename }", "pad": "x" * 2000000}'
gen cycle '{"query": "query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }"}'
gen fmt '{"query": "mutation Q($n: Int!) { tick(n: $n) { data { id } } }", "variables": {"n": "%n%s%s%x"}}'
gen fmtname '{"query": "{ %n%s%s }"}'
printf '\xff\xfe{"query": 1}' >"$WORK/utf8.json"
gen ok '{"query": "{ __typename }"}'

check "nesting depth 64" 200 "exceeds the maximum nesting depth of 64" "$WORK/deep.json"
check "100000 tokens" 200 "more that 100000 tokens" "$WORK/tokens.json"
check "1000 aliases" 200 "more than the limit of 1000" "$WORK/aliases.json"
check "1 MiB body" 413 "too large" "$WORK/big.json"
check "bad UTF-8" 400 "not valid UTF-8" "$WORK/utf8.json"
check "fragment cycle" 200 'Cannot spread fragment \"A\" within itself' "$WORK/cycle.json"
check "format directives in a variable" 200 'got invalid value \"%n%s%s%x\"' "$WORK/fmt.json"
check "format directives in a document" 200 "Syntax Error" "$WORK/fmtname.json"
# 64 KiB of headers: 431 (max_header_bytes 32 KiB).
got=$(curl -s -o /dev/null -w '%{http_code}' -H "x-big: $(head -c 65536 /dev/zero | tr '\0' a)" "$URL" || true)
if [[ $got == 431 ]]; then echo "ok   64 KiB of headers: 431"; else echo "FAIL 64 KiB of headers: $got" >&2; failures=$((failures + 1)); fi
# Raw HTTP/1.1 framing cases: each gets its status, exactly one answer, and a close.
cat >"$WORK/framing.py" <<'PY'
import re, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
q = b'{"query":"{ __typename }"}'
smuggled = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
post = b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
cases = [
    ("Content-Length with Transfer-Encoding", post + b"Content-Length: 26\r\nTransfer-Encoding: chunked\r\n\r\n1a\r\n" + q + b"\r\n0\r\n\r\n" + smuggled, 400),
    ("Content-Length: 26, 26", post + b"Content-Length: 26, 26\r\n\r\n" + q + smuggled, 400),
    ("Content-Length: -1", post + b"Content-Length: -1\r\n\r\n" + q + smuggled, 400),
    ("two different Content-Lengths", post + b"Content-Length: 26\r\nContent-Length: 3\r\n\r\n" + q + smuggled, 400),
    ("unknown Transfer-Encoding", post + b"Transfer-Encoding: x-custom\r\n\r\n" + q + smuggled, 501),
    ("Transfer-Encoding gzip on /healthz", b"GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n" + smuggled, 501),
    ("chunked body over 1 MiB", post + b"Transfer-Encoding: chunked\r\n\r\n" + (b"10000\r\n" + b"a" * 65536 + b"\r\n") * 17 + b"0\r\n\r\n", 413),
    ("URL of 20 KB", b"GET /healthz?" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414),
    ("bare LF line ends", b"GET /healthz HTTP/1.1\nHost: x\n\n" + smuggled, 400),
]
fails = 0
for name, raw, want in cases:
    s = socket.create_connection((host, port), timeout=10)
    try:
        s.sendall(raw)
    except OSError:
        pass  # the server may refuse before reading everything
    data, closed, end = b"", False, time.time() + 10
    while time.time() < end:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            closed = True
            break
        if not chunk:
            closed = True
            break
        data += chunk
    s.close()
    m = re.match(rb"HTTP/1\.1 (\d{3}) ", data)
    got = int(m.group(1)) if m else None
    answers = len(re.findall(rb"HTTP/1\.1 \d{3} ", data))
    if got != want or not closed or answers != 1:
        print("FAIL %s: status %s (want %d), closed %s, answers %d" % (name, got, want, closed, answers), file=sys.stderr)
        fails += 1
    else:
        print("ok   %s: %d, closed" % (name, got))
# A GET with ~500 query parameters (3.5 KB URL) on /healthz is answered at once.
url = "/healthz?" + "&".join("p%d=1" % i for i in range(500))
t0 = time.time()
s = socket.create_connection((host, port), timeout=5)
s.sendall(("GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % url).encode())
data = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        break
    data += chunk
s.close()
if not data.startswith(b"HTTP/1.1 200 ") or time.time() - t0 > 2:
    print("FAIL 500-parameter URL (%d bytes): %r after %.1f s" % (len(url), data[:40], time.time() - t0), file=sys.stderr)
    fails += 1
else:
    print("ok   500-parameter URL (%d bytes): 200 in %.0f ms" % (len(url), (time.time() - t0) * 1000))
sys.exit(1 if fails else 0)
PY
hostport=${URL#http://}
hostport=${hostport%%/*}
if ! python3 "$WORK/framing.py" "${hostport%:*}" "${hostport##*:}"; then failures=$((failures + 1)); fi
# Slow headers: 1,100 connections each sending one header byte a second must
# not stop /healthz from answering within 100 ms (one probe in twenty may
# miss on this shared machine; none may miss by a second).
cat >"$WORK/slowloris.py" <<'PY'
import resource, socket, sys, time
host, port = sys.argv[1], int(sys.argv[2])
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 1100 + 256
if soft != resource.RLIM_INFINITY and soft < want:
    if hard != resource.RLIM_INFINITY and hard < want:
        sys.exit("FAIL slow headers: RLIMIT_NOFILE hard limit %d is below %d" % (hard, want))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
conns = []
for _ in range(1100):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((host, port))
    conns.append(s)
head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 64
def probe():
    t0 = time.time()
    try:
        p = socket.create_connection((host, port), timeout=2)
        p.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = p.recv(4096)
            if not chunk:
                break
            data += chunk
        p.close()
    except OSError:
        return None
    return (time.time() - t0) * 1000 if data.startswith(b"HTTP/1.1 200 ") else None
start, sent, lat, failed = time.time(), 0, [], 0
while time.time() - start < 4:
    if int(time.time() - start) >= sent:
        for s in conns:
            try:
                s.send(head[sent:sent + 1])
            except OSError:
                pass
        sent += 1
    ms = probe()
    if ms is None:
        failed += 1
    else:
        lat.append(ms)
    time.sleep(0.1)
over = sum(1 for x in lat if x >= 100)
worst = max(lat) if lat else -1
for s in conns:
    s.close()
msg = "%d /healthz probes beside 1100 slow-header connections: %d failed, %d over 100 ms, worst %.0f ms" % (
    len(lat) + failed, failed, over, worst)
if failed or over * 20 > len(lat) or worst >= 1000:
    print("FAIL " + msg, file=sys.stderr)
    sys.exit(1)
print("ok   " + msg)
PY
if ! python3 "$WORK/slowloris.py" "${hostport%:*}" "${hostport##*:}"; then failures=$((failures + 1)); fi
check "still answering" 200 '"__typename":"Query"' "$WORK/ok.json"
if ! kill -0 "$SERVE_PID" 2>/dev/null; then echo "FAIL gregor serve died" >&2; failures=$((failures + 1)); fi
faults_cleanup
((failures == 0 && faults_failed == 0)) || { echo "hostile_requests: $failures check(s) failed" >&2; exit 1; }
echo "hostile_requests: all checks passed"
