"""check_trace.py -- reads one trace from Jaeger's HTTP API and checks its
spans and parent links (tests/e2e/tracing_jaeger.sh).

  check_trace.py QUERY_URL TRACE_ID TOPIC http    the synchronous createForm
  check_trace.py QUERY_URL TRACE_ID TOPIC sdk PARENT_SPAN_ID
                                                  the SDK event's trace

Polls /api/traces/<id> until the expected spans are there (30 s), then
asserts; prints the span tree. Exit 1 with the reason on failure."""
import json
import sys
import time
import urllib.request


def fail(msg, spans=None):
    print(f"check_trace.py: FAIL: {msg}", file=sys.stderr)
    for s in spans or []:
        print(f"  {s['spanID']} <- {parent(s)} {s['operationName']} {tags(s)}", file=sys.stderr)
    sys.exit(1)


def tags(span):
    return {t["key"]: t["value"] for t in span.get("tags", [])}


def parent(span):
    refs = [r for r in span.get("references", []) if r["refType"] == "CHILD_OF"]
    return refs[0]["spanID"] if refs else None


def fetch(url, trace_id, want):
    deadline = time.time() + 30
    spans = []
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/api/traces/{trace_id}", timeout=5) as r:
                doc = json.load(r)
            data = doc.get("data") or []
            spans = data[0]["spans"] if data else []
            procs = data[0]["processes"] if data else {}
            for s in spans:
                s["service"] = procs.get(s["processID"], {}).get("serviceName")
            if len(spans) >= want:
                return spans
        except Exception:  # 404 until the spans arrive
            pass
        time.sleep(0.5)
    fail(f"trace {trace_id}: {len(spans)} spans after 30 s, want {want}", spans)


def one(spans, pred, what):
    found = [s for s in spans if pred(s)]
    if len(found) != 1:
        fail(f"expected one {what}, found {len(found)}", spans)
    return found[0]


def main(argv):
    url, trace_id, topic, mode = argv[:4]
    if mode == "http":
        spans = fetch(url, trace_id, 5)
        server = one(spans, lambda s: tags(s).get("span.kind") == "server", "HTTP server span")
        t = tags(server)
        if t.get("http.request.method") != "POST" or t.get("http.response.status_code") != 200 \
                or not t.get("url.path", "").endswith("graphql"):
            fail(f"server span attributes {t}", spans)
        if parent(server) is not None:
            fail("the HTTP server span of a request without traceparent has a parent", spans)
        pubs = [s for s in spans if tags(s).get("span.kind") == "producer"]
        pub = one(pubs, lambda s: parent(s) == server["spanID"], "publish span under the server span")
        proc = one(spans, lambda s: tags(s).get("span.kind") == "consumer", "process span")
        emit = one(pubs, lambda s: parent(s) == proc["spanID"], "emit publish span under process")
        store = one(spans, lambda s: tags(s).get("db.system") == "redis", "result store span")
        checks = [
            (pub["operationName"] == f"publish {topic}", "publish span name"),
            (tags(pub).get("messaging.system") == "kafka", "publish messaging.system"),
            (tags(pub).get("messaging.destination.name") == topic, "publish destination"),
            (bool(tags(pub).get("messaging.message.id")), "publish message id"),
            (parent(proc) == pub["spanID"], "process is a child of publish"),
            (proc["operationName"] == f"process {topic}", "process span name"),
            (tags(proc).get("messaging.consumer.group.name", "").endswith("create_form"), "consumer group"),
            (tags(proc).get("messaging.message.id") == tags(pub).get("messaging.message.id"), "same message id"),
            (tags(proc).get("messaging.destination.name") == topic, "process destination"),
            (parent(store) == proc["spanID"], "store is a child of process"),
            (tags(emit).get("cloudevents.event_type") == "FormCreatedEvent", "the emit is FormCreatedEvent"),
            (server["service"] == "gregor-serve" and proc["service"] == "gregor-worker", "services"),
            (server["startTime"] <= pub["startTime"] <= proc["startTime"], "start order"),
            # Causal, not timing: the answer carries the stored result, so the
            # worker must have begun storing it before the server span ended.
            # (The process span itself may end after the answer: it closes when
            # the worker has handled the MULTI reply, which under ASan load can
            # be milliseconds after the server was woken by the PUBLISH.)
            (store["startTime"] <= server["startTime"] + server["duration"],
             "the answer comes after the result store began"),
        ]
    else:
        sdk_parent = argv[4]
        spans = fetch(url, trace_id, 3)
        proc = one(spans, lambda s: tags(s).get("span.kind") == "consumer", "process span")
        emit = one(spans, lambda s: tags(s).get("span.kind") == "producer", "emit publish span")
        store = one(spans, lambda s: tags(s).get("db.system") == "redis", "result store span")
        checks = [
            (parent(proc) == sdk_parent, "the process span continues the SDK's traceparent"),
            (parent(emit) == proc["spanID"], "emit under process"),
            (parent(store) == proc["spanID"], "store under process"),
        ]
    bad = [what for ok, what in checks if not ok]
    if bad:
        fail(", ".join(bad), spans)
    for s in sorted(spans, key=lambda s: s["startTime"]):
        print(f"  {s['service']:14} {s['operationName']:40} span={s['spanID']} parent={parent(s)}")


if __name__ == "__main__":
    main(sys.argv[1:])
