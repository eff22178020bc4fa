"""otlp_sink.py -- a null OTLP/HTTP collector for the tracing benchmarks
(bench/service/tracing.sh, bench/http/run.sh BENCH_MODE=tracing): accepts
POST /v1/traces (OTLP protobuf, as the exporter sends, or JSON), answers
200 {}, counts the spans it received. Prints
"port: N" once listening; on SIGTERM prints "spans: N" and exits.

  python3 bench/otlp_sink.py"""
import http.server
import signal
import sys

spans = 0


def varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if c < 0x80:
            return v, i


def fields(b):
    """(field number, wire type, value) of one protobuf message."""
    i = 0
    while i < len(b):
        tag, i = varint(b, i)
        wt = tag & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 1:
            v, i = b[i:i + 8], i + 8
        elif wt == 2:
            n, i = varint(b, i)
            v, i = b[i:i + n], i + n
        elif wt == 5:
            v, i = b[i:i + 4], i + 4
        else:
            raise ValueError("wire type %d" % wt)
        yield tag >> 3, wt, v


def count_pb(body):
    """Spans in an ExportTraceServiceRequest: resource_spans(1) >
    scope_spans(2) > spans(2). Over a memoryview: slicing copies nothing
    (the sink shares the load generator's core in bench/http/run.sh)."""
    body = memoryview(body)
    return sum(1 for f, _, rs in fields(body) if f == 1
               for g, _, ss in fields(rs) if g == 2
               for h, _, _ in fields(ss) if h == 2)


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global spans
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.headers.get("Content-Type", "").startswith("application/x-protobuf"):
            spans += count_pb(body)
        else:
            spans += body.count(b'"spanId"')
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def main():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)

    def stop(*_):
        print(f"spans: {spans}", flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    print(f"port: {srv.server_address[1]}", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
