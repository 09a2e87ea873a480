#!/usr/bin/env python3
"""A hostile XML-RPC agent for tests/e2e/hostile-agent.sh: HTTPS on
ADDR:PORT with its own self-signed certificate (CERT, KEY); every POST is
answered according to the first word of the file MODE (re-read per request):
  huge      a 100 MiB methodResponse, streamed
  deep      an XML-RPC value nested 100000 levels deep
  bomb      a methodResponse with an XML entity bomb in its DTD
  docbomb   a well-formed string result holding a discovery document with an
            entity bomb (for the engine's discovery parser)
get_api_version is always answered 3, so the engine goes on to the call that
carries the payload.
Each request line is appended to LOG. Listens on 127.0.0.0/8 only."""
import http.server
import re
import ssl
import sys

addr, port, cert, key, mode_file, log_file = sys.argv[1:7]
assert addr.startswith("127."), "loopback only"

HEAD = b"<?xml version='1.0'?>\n<methodResponse><params><param><value><string>"
TAIL = b"</string></value></param></params></methodResponse>\n"


def entities():
    ents = '<!ENTITY l0 "lollollollollollollollollollol">'
    for i in range(1, 10):
        ents += '<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10)
    return ents


def body(mode):
    if mode == "deep":
        n = 100000
        return (b"<?xml version='1.0'?><methodResponse><params><param>" + b"<value><array><data>" * n +
                b"</data></array></value>" * n + b"</param></params></methodResponse>")
    if mode == "bomb":
        return ("<?xml version='1.0'?><!DOCTYPE methodResponse [%s]><methodResponse><params><param>"
                "<value><string>&l9;</string></value></param></params></methodResponse>" % entities()).encode()
    doc = ("<?xml version=\"1.0\"?><!DOCTYPE Discover_Server_Result [%s]><Discover_Server_Result><Server>"
           "<Hostname>&l9;</Hostname><Unique_Id>&l9;</Unique_Id></Server></Discover_Server_Result>" % entities())
    esc = doc.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HEAD + esc.encode() + TAIL


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        with open(log_file, "a") as f:
            f.write((fmt % args) + "\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        req = self.rfile.read(min(n, 1 << 20)) if n > 0 else b""
        m = re.search(rb"<methodName>([^<]*)</methodName>", req)
        method = m.group(1).decode() if m else ""
        with open(mode_file) as f:
            mode = (f.read().split() or ["huge"])[0]
        with open(log_file, "a") as f:
            f.write("call %s %s\n" % (method, mode))
        try:
            if method == "get_api_version":
                b = b"<?xml version='1.0'?><methodResponse><params><param><value><array><data><value><int>3</int></value></data></array></value></param></params></methodResponse>"
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)
            elif mode == "huge":
                self.stream_huge()
            else:
                b = body(mode)
                self.send_response(200)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(b)))
                self.end_headers()
                self.wfile.write(b)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass  # the engine hung up: what we want

    def stream_huge(self):
        chunk = b"A" * (1 << 20)
        total = len(HEAD) + 100 * len(chunk) + len(TAIL)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        self.wfile.write(HEAD)
        for _ in range(100):
            self.wfile.write(chunk)
        self.wfile.write(TAIL)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


srv = Server((addr, int(port)), Handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print("ready", flush=True)
srv.serve_forever()
