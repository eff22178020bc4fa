"""check_subscription.py -- the subscription spans of tracing_jaeger.sh, read
back from Jaeger's API (docs/tracing.md, "Subscriptions"):

  python3 check_subscription.py QUERY_URL SUB_TRACE SUB_PARENT TOPIC MUT_TRACE...

- SUB_TRACE (the SSE request's client traceparent) holds the request's
  `POST /graphql` server span (child of SUB_PARENT) and its child
  `subscription S` (INTERNAL) with graphql.operation.type=subscription,
  graphql.operation.name=S, transport sse, events_delivered >= 1;
- one of the MUT_TRACEs (the createForm mutations sent while subscribed)
  holds gregor-serve's `process TOPIC` (CONSUMER) span: a child of the
  worker's `publish TOPIC` span (the emitted FormCreatedEvent it
  delivered), messaging.operation.type=process, deliveries >= 1, and a link
  (Jaeger: a FOLLOWS_FROM reference) to the subscription span."""
import json
import sys
import time
import urllib.request

url, sub_trace, sub_parent, topic = sys.argv[1:5]
mut_traces = sys.argv[5:]


def spans_of(tid):
    try:
        d = json.load(urllib.request.urlopen(f"{url}/api/traces/{tid}", timeout=5))["data"][0]
    except Exception:
        return [], {}
    return d["spans"], d["processes"]


def tags(s):
    return {t["key"]: t["value"] for t in s["tags"]}


def parent(s):
    return next((r["spanID"] for r in s["references"] if r["refType"] == "CHILD_OF"), None)


deadline = time.time() + 30
why = "nothing yet"
while time.time() < deadline:
    spans, procs = spans_of(sub_trace)
    server = [s for s in spans if s["operationName"] == "POST /graphql"]
    op = [s for s in spans if s["operationName"] == "subscription S"]
    if len(server) != 1 or len(op) != 1:
        why = f"subscription trace: {[s['operationName'] for s in spans]}"
        time.sleep(0.5)
        continue
    server, op = server[0], op[0]
    t = tags(op)
    assert parent(server) == sub_parent, f"server span parent {parent(server)}"
    assert parent(op) == server["spanID"], "the subscription span is not the server span's child"
    assert t.get("span.kind") == "internal", t
    assert t.get("graphql.operation.type") == "subscription", t
    assert t.get("graphql.operation.name") == "S", t
    assert t.get("metamorphosis.subscription.field") == "formCreated", t
    assert t.get("metamorphosis.subscription.transport") == "sse", t
    assert int(t.get("metamorphosis.subscription.events_delivered", 0)) >= 1, t
    found = None
    for mt in mut_traces:
        ms, mp = spans_of(mt)
        for s in ms:
            if (s["operationName"] == f"process {topic}" and
                    mp[s["processID"]]["serviceName"] == "gregor-serve"):
                found = (s, ms)
    if not found:
        why = "no gregor-serve process span in the mutations' traces"
        time.sleep(0.5)
        continue
    s, ms = found
    t = tags(s)
    assert t.get("span.kind") == "consumer", t
    assert t.get("messaging.operation.type") == "process", t
    assert t.get("messaging.destination.name") == topic, t
    assert int(t.get("metamorphosis.subscription.deliveries", 0)) >= 1, t
    pub = [x for x in ms if x["spanID"] == parent(s)]
    assert pub and pub[0]["operationName"] == f"publish {topic}", "parent is not the emit's publish span"
    links = [(r["traceID"], r["spanID"]) for r in s["references"] if r["refType"] == "FOLLOWS_FROM"]
    assert (op["traceID"], op["spanID"]) in links, f"no link to the subscription span: {links}"
    print(f"check_subscription: subscription span {op['spanID']} delivered "
          f"{t['metamorphosis.subscription.deliveries']} event(s); process span {s['spanID']} links it")
    sys.exit(0)
sys.exit(f"check_subscription: {why}")
