"""ce_sdk.py -- the Python CloudEvents SDK's side of the conformance test
(tests/e2e/interop_cloudevents.sh), for both of its APIs: 1.x
(cloudevents.http.CloudEvent + cloudevents.kafka) and 2.x
(cloudevents.core.v1.event.CloudEvent + cloudevents.core.bindings.kafka).
Runs in a virtualenv holding one of them (python-ce1/ or python-ce2/
requirements) and confluent-kafka.

  ce_sdk.py create BOOTSTRAP TOPIC...        create topics (3 partitions)
  ce_sdk.py produce BOOTSTRAP TOPIC TAG PREFIX EXPECT_FILE
      writes CreateFormEvents the way the SDK writes them, in binary and
      structured mode (data and data_base64), with the SDK extensions
      subject, traceparent and partitionkey, with and without the type
      prefix; appends what our consumer must record to EXPECT_FILE
  ce_sdk.py parse BOOTSTRAP TOPIC PREFIX COUNT
      reads the topic from the start and parses every message the framework
      wrote (ce_source /metamorphosis/...) with the SDK; exits 1 unless
      COUNT FormRecorded events parse, each with its attributes and data.
Every wait has a deadline (60 s)."""
import json
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

try:  # 2.x
    from cloudevents.core.bindings import kafka as ce_kafka
    from cloudevents.core.v1.event import CloudEvent as CloudEvent2

    API = 2
except ImportError:  # 1.x
    from cloudevents.http import CloudEvent as CloudEvent1
    from cloudevents.kafka import KafkaMessage as KafkaMessage1
    from cloudevents.kafka import from_binary as from_binary1
    from cloudevents.kafka import to_binary as to_binary1
    from cloudevents.kafka import to_structured as to_structured1

    API = 1

TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
DEADLINE_S = 60


def fail(msg):
    print(f"ce_sdk.py (cloudevents {API}.x): FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def create(bootstrap, topics):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    futures = admin.create_topics([NewTopic(t, num_partitions=3, replication_factor=1) for t in topics],
                                  request_timeout=30)
    for t, f in futures.items():
        try:
            f.result(timeout=30)
        except KafkaException as e:
            if "TOPIC_ALREADY_EXISTS" not in str(e):
                fail(f"create topic {t}: {e}")


def make_event(attrs, data):
    if API == 2:
        attrs = dict(attrs, specversion="1.0")
        return CloudEvent2(attributes=attrs, data=data)
    return CloudEvent1(attrs, data)


def to_message(event, mode):
    if API == 2:
        m = ce_kafka.to_binary_event(event) if mode == "binary" else ce_kafka.to_structured_event(event)
    else:
        m = to_binary1(event) if mode == "binary" else to_structured1(event)
    return m.headers, m.key, m.value


def produce(bootstrap, topic, tag, prefix, expect_file):
    p = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True})
    run = uuid.uuid4().hex[:8]
    cases = [
        # (mode, type, extensions, data as bytes (data_base64 in structured mode))
        ("binary", "CreateFormEvent", True, False),
        ("binary", f"{prefix}.CreateFormEvent", False, False),
        ("structured", "CreateFormEvent", True, False),
        ("structured", f"{prefix}.CreateFormEvent", False, True),
    ]
    expected = []
    for n, (mode, ce_type, with_ext, as_bytes) in enumerate(cases):
        eid = f"{tag}-{mode}-{n}-{run}"
        data = {"name": f"{tag}-{n}", "via": f"{tag} {mode}{' data_base64' if as_bytes else ''}"}
        attrs = {"id": eid, "type": ce_type, "source": f"/interop/{tag}"}
        if with_ext:
            attrs.update(subject=f"form-{n}", traceparent=TRACEPARENT, partitionkey=f"pk-{tag}-{n}")
        # 1.x's Kafka binding needs a datacontenttype; 2.x writes no
        # content type without one (both shapes are tested).
        if API == 1 or as_bytes:
            attrs["datacontenttype"] = "application/json"
        payload = json.dumps(data).encode() if as_bytes else data
        headers, key, value = to_message(make_event(attrs, payload), mode)
        p.produce(topic, value=value, key=key, headers=list(headers.items()))
        # The 1.x binding moves partitionkey into the Kafka key only.
        sent = headers.get("ce_partitionkey") if mode == "binary" else json.loads(value).get("partitionkey")
        expected.append({"id": eid, "data": data, "source": attrs["source"],
                         "subject": attrs.get("subject"), "traceparent": attrs.get("traceparent"),
                         "partitionkey": sent.decode() if isinstance(sent, bytes) else sent})
    if p.flush(30) != 0:
        fail("messages still unsent after 30 s")
    with open(expect_file, "a", encoding="utf-8") as f:
        for e in expected:
            f.write(json.dumps(e) + "\n")
    print(f"ce_sdk.py (cloudevents {API}.x): produced {len(expected)} events (binary and structured)")


def from_message(headers, key, value):
    if API == 2:
        return ce_kafka.from_kafka_event(ce_kafka.KafkaMessage(headers=headers, key=key, value=value))
    return from_binary1(KafkaMessage1(headers=headers, key=key, value=value))


def attr(event, name):
    if API == 2:
        return event.get_attributes().get(name)
    return event.get(name)


def data_of(event):
    d = event.get_data() if API == 2 else event.data
    return json.loads(d) if isinstance(d, (bytes, str)) else d


def parse(bootstrap, topic, prefix, count):
    c = Consumer({"bootstrap.servers": bootstrap, "group.id": f"ce-sdk-py{API}-{uuid.uuid4().hex}",
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    seen = {}
    deadline = time.monotonic() + DEADLINE_S
    try:
        while len(seen) < count and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                continue
            if m.error():
                fail(f"consume: {m.error()}")
            headers = {k: v for k, v in (m.headers() or [])}
            if not headers.get("ce_source", b"").startswith(b"/metamorphosis/"):
                continue  # an SDK's own event
            try:
                ev = from_message(headers, m.key(), m.value())
            except Exception as e:  # any SDK refusal is the failure we look for
                fail(f"the SDK cannot parse our message {headers}: {e!r}")
            if attr(ev, "type") != f"{prefix}.FormRecorded" or attr(ev, "specversion") != "1.0":
                fail(f"unexpected attributes: type={attr(ev, 'type')!r} specversion={attr(ev, 'specversion')!r}")
            data = data_of(ev)
            if not isinstance(data, dict) or "id" not in data or not attr(ev, "mmcauseid"):
                fail(f"unexpected data {data!r} / mmcauseid {attr(ev, 'mmcauseid')!r}")
            if attr(ev, "mmcauseid") != data["id"]:
                fail(f"mmcauseid {attr(ev, 'mmcauseid')} is not the handled event {data['id']}")
            seen[attr(ev, "id")] = data["id"]
    finally:
        c.close()
    if len(seen) < count:
        fail(f"parsed {len(seen)} of our events, expected {count}, within {DEADLINE_S} s")
    print(f"ce_sdk.py (cloudevents {API}.x): parsed all {len(seen)} events the framework wrote")


def main(argv):
    if len(argv) >= 3 and argv[0] == "create":
        create(argv[1], argv[2:])
    elif len(argv) == 6 and argv[0] == "produce":
        produce(*argv[1:])
    elif len(argv) == 5 and argv[0] == "parse":
        parse(argv[1], argv[2], argv[3], int(argv[4]))
    else:
        fail(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
