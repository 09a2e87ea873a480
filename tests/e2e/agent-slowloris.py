#!/usr/bin/env python3
"""Slow-loris against an agent: opens COUNT connections to HOST:PORT from
source address SRC and trickles the first bytes of a TLS ClientHello, one
byte a second on each, for HOLD seconds. Prints
"opened N" once done opening, then "open M" (connections the agent had not
closed) at the end. Loopback only; used by agent-port.sh.

usage: agent-slowloris.py HOST PORT COUNT HOLD SRC"""
import resource
import socket
import sys
import time

# A TLS handshake record header announcing 512 bytes, then ClientHello bytes.
HELLO = b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(32)) * 8


def main():
    host, port, count, hold, src = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    assert host.startswith("127.") and src.startswith("127."), "loopback only"
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = count + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    held = []
    for _ in range(count):
        try:
            s = socket.create_connection((host, port), timeout=2, source_address=(src, 0))
            s.setblocking(False)
            held.append(s)
        except OSError:
            pass
    print("opened %d" % len(held), flush=True)
    end = time.monotonic() + hold
    sent = 0
    while held and time.monotonic() < end and sent < len(HELLO):
        alive = []
        for s in held:
            try:
                s.send(HELLO[sent:sent + 1])
                try:
                    if not s.recv(1):
                        raise OSError("closed")
                except BlockingIOError:
                    pass  # nothing to read: still open
                alive.append(s)
            except OSError:
                s.close()
        held = alive
        sent += 1
        time.sleep(1.0)
    print("open %d" % len(held), flush=True)
    for s in held:
        s.close()


main()
