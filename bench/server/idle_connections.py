#!/usr/bin/env python3
"""Opens N TLS connections to a server, makes one keep-alive request on each so that every
connection is an ordinary idle keep-alive one, and holds them until stdin closes.

    idle_connections.py PORT PATH COUNT   # prints "open N" once all are idle, then waits
"""
import socket
import ssl
import sys


def main() -> int:
    port, path, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = f"GET {path} HTTP/1.1\r\nHost: bench.test\r\n\r\n".encode()
    held = []
    for _ in range(count):
        raw = socket.create_connection(("127.0.0.1", port))
        tls = context.wrap_socket(raw, server_hostname="bench.test")
        tls.sendall(request)
        response = b""
        while b"\r\n\r\n" not in response:
            response += tls.recv(65536)
        head, _, body = response.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += tls.recv(65536)
        held.append(tls)
    print(f"open {len(held)}", flush=True)
    sys.stdin.read()
    return 0


if __name__ == "__main__":
    sys.exit(main())
