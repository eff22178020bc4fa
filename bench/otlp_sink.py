"""otlp_sink.py -- a null OTLP/HTTP collector for the tracing benchmarks
(bench/service/tracing.sh, bench/http/run.sh BENCH_MODE=tracing): accepts
POST /v1/traces, answers 200 {}, counts the spans it received. Prints
"port: N" once listening; on SIGTERM prints "spans: N" and exits.

  python3 bench/otlp_sink.py"""
import http.server
import signal
import sys

spans = 0


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        global spans
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
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
