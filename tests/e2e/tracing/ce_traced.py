"""ce_traced.py -- the Python CloudEvents SDK's side of the tracing test
(tests/e2e/tracing_jaeger.sh): writes one CreateFormEvent in binary mode
(ce_* headers) with the distributed-tracing extension traceparent set, the
way an OpenTelemetry-instrumented producer of another service would.

  ce_traced.py BOOTSTRAP TOPIC TRACEPARENT NAME

Runs in the interop virtualenv (tests/e2e/interop/lib.sh); reuses the
SDK adapters of tests/e2e/interop/ce_sdk.py. Waits at most 30 s."""
import os
import sys
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "interop"))
import ce_sdk  # noqa: E402
from confluent_kafka import Producer  # noqa: E402


def main(argv):
    if len(argv) != 4:
        ce_sdk.fail(__doc__)
    bootstrap, topic, traceparent, name = argv
    attrs = {"id": f"traced-{uuid.uuid4()}", "type": "CreateFormEvent", "source": "/other/producer",
             "traceparent": traceparent, "tracestate": "other=1"}
    if ce_sdk.API == 1:
        attrs["datacontenttype"] = "application/json"
    headers, key, value = ce_sdk.to_message(ce_sdk.make_event(attrs, {"name": name}), "binary")
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    p.produce(topic, value=value, key=key, headers=list(headers.items()))
    if p.flush(30) != 0:
        ce_sdk.fail("the traced event is still unsent after 30 s")
    print(attrs["id"])


if __name__ == "__main__":
    main(sys.argv[1:])
