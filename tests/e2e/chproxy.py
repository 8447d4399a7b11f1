#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""An HTTP proxy in front of a ClickHouse server that misbehaves on cue,
for tests/e2e/test_clickhouse.sh.

    chproxy.py LISTEN_PORT UPSTREAM_PORT MODE [N] [LOG]

Listens on LISTEN_PORT (every address of the caller's namespace) and
forwards each request to 127.0.0.1:UPSTREAM_PORT. MODE:
  pass      forward everything
  lose      forward the first N INSERTs, and after the server stored each
            one, close the connection without an answer (the client cannot
            know the batch was stored); later requests pass
  garbage   answer every request with bytes that are not HTTP
  close     close every connection as soon as the request arrived
LOG (optional) gets one line a request: "<kind> <outcome>".
"""
import http.client
import socket
import socketserver
import sys
import threading

LISTEN, UPSTREAM, MODE = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
N = int(sys.argv[4]) if len(sys.argv) > 4 else 0
LOG = open(sys.argv[5], "a", buffering=1) if len(sys.argv) > 5 else None
lock = threading.Lock()
lost = 0


def log(line):
    if LOG:
        with lock:
            LOG.write(line + "\n")


def read_request(rf):
    line = rf.readline(65536)
    if not line:
        return None
    method, target, _ = line.decode("latin-1").split(" ", 2)
    headers = {}
    while True:
        h = rf.readline(65536).decode("latin-1")
        if h in ("\r\n", "\n", ""):
            break
        k, v = h.split(":", 1)
        headers[k.strip().lower()] = v.strip()
    body = rf.read(int(headers.get("content-length", "0")))
    return method, target, headers, body


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        global lost
        while True:
            req = read_request(self.rfile)
            if req is None:
                return
            method, target, headers, body = req
            kind = "insert" if "INSERT" in target or b"INSERT" in body[:64] else "query"
            if MODE == "close":
                log(kind + " closed")
                return
            if MODE == "garbage":
                log(kind + " garbage")
                self.wfile.write(b"\x00\x01garbage, not HTTP\r\n\r\n")
                self.wfile.flush()
                return
            up = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=30)
            fwd = {k: v for k, v in headers.items() if k in ("authorization", "content-type")}
            up.request(method, target, body=body, headers=fwd)
            resp = up.getresponse()
            data = resp.read()
            up.close()
            drop = False
            if MODE == "lose" and kind == "insert" and resp.status == 200:
                with lock:
                    if lost < N:
                        lost += 1
                        drop = True
            if drop:
                log(kind + " stored-then-lost")
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            log(f"{kind} {resp.status}")
            self.wfile.write(f"HTTP/1.1 {resp.status} {resp.reason}\r\n".encode())
            self.wfile.write(f"Content-Length: {len(data)}\r\n\r\n".encode())
            self.wfile.write(data)
            self.wfile.flush()


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


Server(("0.0.0.0", LISTEN), Handler).serve_forever()
