#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
httprec.py PORT OUT: an HTTP server on 127.0.0.1:PORT that records every
request it gets, one JSON object a line in OUT ({"method", "path" (with
the query, as sent), "headers" (name lower-cased: value), "body"}), and
answers 204 No Content, as InfluxDB's write endpoints do.

Why: the e2e tests check the very request a server that Debian does not
ship (InfluxDB 2.x) would get. Prints "ready" once listening; stops on
SIGTERM or SIGINT.
"""
import http.server
import json
import signal
import sys


class Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive, as libcurl uses it

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n).decode("utf-8", "replace")
        rec = {"method": self.command, "path": self.path,
               "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        with open(self.server.out, "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(204)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().split("\n\n")[0], file=sys.stderr)
        sys.exit(2)
    srv = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Recorder)
    srv.out = sys.argv[2]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
