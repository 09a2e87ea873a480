#!/usr/bin/env python3
"""Sends hostile SSH identification strings to HOST:PORT, one connection at a
time: COUNT connections, each sending BANNER (Python escapes allowed, e.g.
\\x1b) then garbage so that the key exchange fails, and closes; each wait is
bounded by 5 s. Prints how many were sent. Used by ssh-log-hygiene.sh;
loopback only.

usage: ssh-log-hygiene.py HOST PORT COUNT BANNER"""
import socket
import sys


def one(host, port, banner):
    try:
        with socket.create_connection((host, port), timeout=5) as s:
            s.sendall(banner + b"\r\n")
            s.recv(64)  # the server's identification: it read ours
            s.sendall(b"\x00\x00\x00\x0c\x0a\x1b[2J\x1b]0;x\x07garbage")
        return 1
    except OSError:
        return 0


def main():
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    banner = sys.argv[4].encode().decode("unicode_escape").encode("latin-1")
    print(sum(one(host, port, banner) for _ in range(count)), flush=True)


main()
