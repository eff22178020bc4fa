#!/usr/bin/env python3
"""drive.py -- the load driver and the counter of the fault scenarios
(tests/e2e/faults/lib.sh, scripts/faults.sh). Standard library only.

  drive.py load URL OUT --count N | --seconds S  [--concurrency C]
           [--timing async|sync|mixed] [--pause S] [--first N] [--client-timeout S]
      sends `mutation { tick(n: i, timing: ...) }` requests (i = first,
      first+1, ...) from C closed-loop threads; writes one JSON line per
      request to OUT (n, t0, t1, outcome, id, message) and prints a JSON
      summary. mixed: a third each of `{ ticksHandled }` queries, synchronous
      and asynchronous ticks. --pause: seconds each thread rests between
      requests. outcome: ok | gql_error | http_error | conn_error | hang
      (no answer within --client-timeout: the thing that must never happen).

  drive.py check REDIS_URL OUT... [--prefix mm] [--service mmfaults]
      reads the request logs, takes every event id the server acknowledged
      (outcome ok), and asks Redis: is its result stored (lost if not), how
      often did the consumer handle it (duplicates = handled - 1). Prints a
      JSON summary.

  drive.py recovery OUT MARK_FROM
      from a request log's mutations (queries are left out): the first
      that succeeded after MARK_FROM (unix seconds), the last failure, and
      the recovery time."""
import argparse
import http.client
import json
import socket
import sys
import threading
import time
import re
import urllib.parse

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def post(conn, path, body):
    conn.request("POST", path, body=body, headers={"content-type": "application/json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def classify(status, data):
    try:
        doc = json.loads(data)
    except ValueError:
        return "http_error", None, "status %d, not JSON" % status
    errors = doc.get("errors") if isinstance(doc, dict) else None
    data = (doc.get("data") or {}) if isinstance(doc, dict) else {}
    tick = data.get("tick") or {}
    eid = (tick.get("data") or {}).get("id")
    if errors:
        return "gql_error", eid, str(errors[0].get("message"))[:300]
    if status == 200 and isinstance(data.get("ticksHandled"), int):
        return "ok", None, None
    if status != 200 or not eid:
        return "http_error", eid, "status %d" % status
    return "ok", eid, None


def cmd_load(a):
    u = urllib.parse.urlparse(a.url)
    lock = threading.Lock()
    counter = [a.first]
    last = a.first + a.count if a.count else None
    stop_at = time.time() + a.seconds if a.seconds else None
    out = open(a.out, "w")
    summary = {"sent": 0, "ok": 0, "gql_error": 0, "http_error": 0, "conn_error": 0, "hang": 0}
    messages = {}

    def next_n():
        with lock:
            if last is not None and counter[0] >= last:
                return None
            if stop_at is not None and time.time() >= stop_at:
                return None
            n = counter[0]
            counter[0] += 1
            return n

    def worker():
        conn = None
        while True:
            n = next_n()
            if n is None:
                break
            timing = a.timing
            if timing == "mixed":
                timing = ("query", "sync", "async")[n % 3]
            if timing == "query":
                q = "{ ticksHandled }"
            else:
                q = 'mutation { tick(n: %d, timing: %s) { data { id n } } }' % (
                    n, "synchronous" if timing == "sync" else "asynchronous")
            body = json.dumps({"query": q})
            t0 = time.time()
            eid = msg = None
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=a.client_timeout)
                status, data = post(conn, u.path or "/", body)
                outcome, eid, msg = classify(status, data)
            except socket.timeout:
                outcome, msg = "hang", "no answer within %.0f s" % a.client_timeout
                conn.close()
                conn = None
            except (OSError, http.client.HTTPException) as e:
                outcome, msg = "conn_error", type(e).__name__ + ": " + str(e)[:200]
                if conn:
                    conn.close()
                conn = None
                time.sleep(0.05)  # the server is down: do not spin
            t1 = time.time()
            rec = {"n": n, "t0": round(t0, 4), "t1": round(t1, 4), "timing": timing,
                   "outcome": outcome, "id": eid, "message": msg}
            with lock:
                out.write(json.dumps(rec) + "\n")
                summary["sent"] += 1
                summary[outcome] += 1
                if msg:
                    key = UUID.sub("<id>", msg)
                    messages[key[:160]] = messages.get(key[:160], 0) + 1
            if a.pause:
                time.sleep(a.pause)
        if conn:
            conn.close()

    threads = [threading.Thread(target=worker) for _ in range(a.concurrency)]
    t = time.time()
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    out.close()
    summary["seconds"] = round(time.time() - t, 2)
    summary["messages"] = dict(sorted(messages.items(), key=lambda kv: -kv[1])[:8])
    print(json.dumps(summary))


class Redis:
    """Just enough RESP2 to pipeline GETs."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.s = socket.create_connection((u.hostname, u.port or 6379), timeout=30)
        self.f = self.s.makefile("rb")
        db = (u.path or "/").strip("/")
        if u.password:
            self.call([["AUTH", u.password]])
        if db:
            self.call([["SELECT", db]])

    def read(self):
        line = self.f.readline().rstrip(b"\r\n")
        kind, rest = line[:1], line[1:]
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode()
        if kind == b":":
            return int(rest)
        if kind in (b"+", b"-"):
            return rest.decode()
        if kind == b"*":
            return [self.read() for _ in range(int(rest))]
        raise RuntimeError("bad reply %r" % line)

    def call(self, cmds):
        buf = bytearray()
        for c in cmds:
            buf += b"*%d\r\n" % len(c)
            for part in c:
                p = str(part).encode()
                buf += b"$%d\r\n%s\r\n" % (len(p), p)
        self.s.sendall(buf)
        return [self.read() for _ in cmds]


def acked_ids(paths):
    ids = {}
    for p in paths:
        with open(p) as f:
            for line in f:
                r = json.loads(line)
                if r["outcome"] == "ok" and r["id"]:
                    ids[r["id"]] = r["n"]
    return ids


def cmd_check(a):
    ids = acked_ids(a.out)
    r = Redis(a.redis_url)
    keys = list(ids)
    lost, dup_events, dup_total, bad_result = [], 0, 0, 0
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        res = r.call([["GET", "%s:result:%s" % (a.prefix, k)] for k in chunk])
        cnt = r.call([["GET", "%s:state:%s:h:%s" % (a.prefix, a.service, k)] for k in chunk])
        for k, doc, c in zip(chunk, res, cnt):
            if doc is None:
                lost.append(k)
                continue
            d = json.loads(doc)
            data = ((d.get("event") or {}).get("data") or {})
            if d.get("status") != "ok" or data.get("n") != ids[k]:
                bad_result += 1
            c = int(c or 0)
            if c > 1:
                dup_events += 1
                dup_total += c - 1
    total = r.call([["GET", "%s:state:%s:total" % (a.prefix, a.service)]])[0]
    print(json.dumps({"acknowledged": len(ids), "results_stored": len(ids) - len(lost),
                      "lost": len(lost), "lost_ids": lost[:5], "wrong_results": bad_result,
                      "redelivered_events": dup_events, "extra_handlings": dup_total,
                      "handled_total": int(total or 0)}))


def cmd_recovery(a):
    recs = []
    for p in a.out:
        with open(p) as f:
            recs += [json.loads(l) for l in f]
    # Queries need neither Kafka nor (for the result path) the notifier:
    # recovery is about mutations.
    recs = [r for r in recs if r.get("timing") != "query"]
    recs.sort(key=lambda r: r["t1"])
    after = [r for r in recs if r["t0"] >= a.mark]
    first_ok = next((r for r in after if r["outcome"] == "ok"), None)
    fails = [r for r in recs if r["outcome"] != "ok"]
    res = {"requests": len(recs), "failed": len(fails),
           "first_failure": round(fails[0]["t1"] - a.mark, 2) if fails else None,
           "last_failure": round(fails[-1]["t1"] - a.mark, 2) if fails else None,
           "recovery_seconds": round(first_ok["t1"] - a.mark, 2) if first_ok else None,
           "max_latency": round(max((r["t1"] - r["t0"] for r in recs), default=0), 2)}
    print(json.dumps(res))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    l = sub.add_parser("load")
    l.add_argument("url")
    l.add_argument("out")
    l.add_argument("--count", type=int, default=0)
    l.add_argument("--seconds", type=float, default=0)
    l.add_argument("--first", type=int, default=0)
    l.add_argument("--concurrency", type=int, default=8)
    l.add_argument("--timing", default="async", choices=["async", "sync", "mixed"])
    l.add_argument("--client-timeout", type=float, default=60)
    l.add_argument("--pause", type=float, default=0)
    c = sub.add_parser("check")
    c.add_argument("redis_url")
    c.add_argument("out", nargs="+")
    c.add_argument("--prefix", default="mm")
    c.add_argument("--service", default="mmfaults")
    r = sub.add_parser("recovery")
    r.add_argument("out", nargs="+")
    r.add_argument("--mark", type=float, required=True)
    a = p.parse_args()
    if a.cmd == "load" and not a.count and not a.seconds:
        p.error("load needs --count or --seconds")
    {"load": cmd_load, "check": cmd_check, "recovery": cmd_recovery}[a.cmd](a)


if __name__ == "__main__":
    main()
