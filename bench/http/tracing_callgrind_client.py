"""tracing_callgrind_client.py -- sends N `{ __typename }` requests one after the
other on one keep-alive connection and checks each answer (for
bench/http/tracing_callgrind.sh: an exact request count).

  python3 bench/http/tracing_callgrind_client.py URL N"""
import http.client
import sys
import urllib.parse


def main():
    url, n = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2])
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
    body = b'{"query":"{ __typename }"}'
    for _ in range(n):
        conn.request("POST", url.path or "/", body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200 or b"__typename" not in data:
            sys.exit(f"callgrind_client: HTTP {r.status}: {data[:200]!r}")
    conn.close()


main()
