#!/usr/bin/env python3
"""Opens idle TCP connections to HOST:PORT, from the source addresses given
(round robin), and holds them open until stdin closes or HOLD seconds pass.
Prints the number it opened once done opening. Used by ssh-preauth.sh and
bench/ssh-preauth-flood.sh; loopback only.

usage: ssh-flood.py HOST PORT COUNT HOLD SRC [SRC...]"""
import select
import socket
import sys
import time


def main():
    host, port, count, hold = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    sources = sys.argv[5:] or ["127.0.0.1"]
    held = []
    for i in range(count):
        try:
            held.append(socket.create_connection((host, port), timeout=2,
                                                 source_address=(sources[i % len(sources)], 0)))
        except OSError:
            pass
    print(len(held), flush=True)
    select.select([sys.stdin], [], [], hold)
    for s in held:
        s.close()


main()
