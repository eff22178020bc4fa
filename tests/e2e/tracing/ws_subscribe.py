"""ws_subscribe.py -- one GraphQL subscription over WebSocket
(graphql-transport-ws) for tracing_jaeger.sh, on a raw socket (no client
library: the handshake and masked text frames are all it needs).

  python3 ws_subscribe.py GRAPHQL_URL QUERY OPERATION_NAME [TRACEPARENT]

TRACEPARENT: sent as the upgrade request's traceparent header (the
operation's span continues it).

Prints "subscribed" once the server acknowledged the connection and the
subscribe went out, then the first "next" message's payload; then completes
the operation and closes. Exits 1 when nothing comes within 40 s."""
import base64
import json
import os
import socket
import struct
import sys
import urllib.parse

url, query, opname = sys.argv[1:4]
traceparent = sys.argv[4] if len(sys.argv) > 4 else None
u = urllib.parse.urlsplit(url)
s = socket.create_connection((u.hostname, u.port), timeout=40)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.netloc}\r\nUpgrade: websocket\r\n"
           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: graphql-transport-ws\r\n"
           + (f"traceparent: {traceparent}\r\n" if traceparent else "") + "\r\n").encode())
buf = b""
while b"\r\n\r\n" not in buf:
    chunk = s.recv(4096)
    if not chunk:
        sys.exit("ws_subscribe: closed during the handshake")
    buf += chunk
head, buf = buf.split(b"\r\n\r\n", 1)
if b" 101 " not in head.split(b"\r\n")[0]:
    sys.exit(f"ws_subscribe: {head[:200]!r}")


def send(obj):
    data = json.dumps(obj).encode()
    mask = os.urandom(4)
    n = len(data)
    hdr = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
    s.sendall(hdr + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))


def recv():
    global buf
    while True:
        if len(buf) >= 2:
            n, at = buf[1] & 0x7F, 2
            if n == 126 and len(buf) >= 4:
                n, at = struct.unpack(">H", buf[2:4])[0], 4
            elif n == 127 and len(buf) >= 10:
                n, at = struct.unpack(">Q", buf[2:10])[0], 10
            if n < 126 or at > 2:
                if len(buf) >= at + n:
                    op, data, buf = buf[0] & 0x0F, buf[at:at + n], buf[at + n:]
                    if op == 8:
                        sys.exit("ws_subscribe: the server closed")
                    if op == 1:
                        return json.loads(data)
                    continue
        chunk = s.recv(65536)
        if not chunk:
            sys.exit("ws_subscribe: connection closed")
        buf += chunk


send({"type": "connection_init", "payload": {}})
if recv().get("type") != "connection_ack":
    sys.exit("ws_subscribe: no connection_ack")
send({"id": "1", "type": "subscribe", "payload": {"query": query, "operationName": opname}})
print("subscribed", flush=True)
while True:
    m = recv()
    if m.get("type") == "next":
        print(json.dumps(m["payload"]), flush=True)
        break
    if m.get("type") in ("error", "complete"):
        sys.exit(f"ws_subscribe: {m}")
send({"id": "1", "type": "complete"})
s.close()
