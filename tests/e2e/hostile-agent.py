#!/usr/bin/env python3
"""A hostile XML-RPC agent for tests/e2e/hostile-agent.sh: HTTPS on
ADDR:PORT with its own self-signed certificate (CERT, KEY); every POST is
answered according to the first word of the file MODE (re-read per request):
  huge      a 100 MiB methodResponse, streamed
  deep      an XML-RPC value nested 100000 levels deep
  bomb      a methodResponse with an XML entity bomb in its DTD
  docbomb   a well-formed string result holding a discovery document with an
            entity bomb (for the engine's discovery parser)
  textfault a fault whose text carries a C1 CSI, a bidi override and a
            noncharacter (what XML 1.0 lets through), as character references
  texthost  discovery documents whose host name carries the same
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


# Text that attacks a terminal: 8-bit CSI "2J", RIGHT-TO-LEFT OVERRIDE, a noncharacter.
EVIL = "&#x9b;2J&#x202e;evil&#xfdd0;"


def string_result(doc):
    esc = doc.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return HEAD + esc.encode() + TAIL


def discovery(method):
    """Minimal discovery documents; the host name carries EVIL."""
    if method == "discover_server":
        return string_result("<Discover_Server_Result><Server><Unique_Id>0004fb00000600001234567890abcdef"
                             "</Unique_Id><Hostname>ovs%s</Hostname><Registered_IP>127.0.0.5</Registered_IP>"
                             "<Manager_Unique_Id></Manager_Unique_Id></Server></Discover_Server_Result>" % EVIL)
    if method == "discover_hardware":
        return string_result("<Discover_Hardware_Result><NodeInformation><VMM><PhysicalInfo><ThreadsPerCore>1"
                             "</ThreadsPerCore><CoresPerSocket>2</CoresPerSocket><SocketsPerNode>1</SocketsPerNode>"
                             "<Nodes>1</Nodes><CPUKHz>2000000</CPUKHz><TotalPages>262144</TotalPages>"
                             "<FreePages>131072</FreePages></PhysicalInfo></VMM></NodeInformation>"
                             "</Discover_Hardware_Result>")
    if method == "discover_network":
        return string_result("<Discover_Network_Result></Discover_Network_Result>")
    return b"<?xml version='1.0'?><methodResponse><params><param><value><nil/></value></param></params></methodResponse>"


def body(mode, method=""):
    if mode == "textfault":
        return ("<?xml version='1.0'?><methodResponse><fault><value><struct><member><name>faultCode</name>"
                "<value><int>1</int></value></member><member><name>faultString</name><value><string>"
                "exceptions.RuntimeError:%s</string></value></member></struct></value></fault>"
                "</methodResponse>" % EVIL).encode()
    if mode == "texthost":
        return discovery(method)
    if mode == "deep":
        n = 100000
        return (b"<?xml version='1.0'?><methodResponse><params><param>" + b"<value><array><data>" * n +
                b"</data></array></value>" * n + b"</param></params></methodResponse>")
    if mode == "bomb":
        return ("<?xml version='1.0'?><!DOCTYPE methodResponse [%s]><methodResponse><params><param>"
                "<value><string>&l9;</string></value></param></params></methodResponse>" % entities()).encode()
    doc = ("<?xml version=\"1.0\"?><!DOCTYPE Discover_Server_Result [%s]><Discover_Server_Result><Server>"
           "<Hostname>&l9;</Hostname><Unique_Id>&l9;</Unique_Id></Server></Discover_Server_Result>" % entities())
    return string_result(doc)


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
                b = body(mode, method)
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
