#!/usr/bin/python3
"""A well-behaved HTTP/2 client that asks for a page, then has the server signalled (SIGHUP:
reload, SIGTERM: stop) and reports how the server said goodbye.

    h2_goaway.py --port PORT --pid PID --signal HUP|TERM [--servername www.example.test]

Prints:
    RESPONSE status=200
    GOAWAY code=ERROR_NAME last_stream=N ms=N      (or GOAWAY none)
    CLOSED ms=N                                    (or CLOSED no)
"""

import argparse
import os
import signal
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.events


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--signal", choices=["HUP", "TERM"], required=True)
    parser.add_argument("--servername", default="www.example.test")
    args = parser.parse_args()

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    context.set_alpn_protocols(["h2"])
    sock = context.wrap_socket(socket.create_connection((args.host, args.port), timeout=5),
                               server_hostname=args.servername)
    conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
    conn.initiate_connection()
    conn.send_headers(1, [(":method", "GET"), (":scheme", "https"),
                          (":authority", args.servername), (":path", "/")], end_stream=True)
    sock.sendall(conn.data_to_send())

    status, goaway, closed, start = None, None, None, None
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and closed is None:
        if status is not None and start is None:
            start = time.monotonic()
            os.kill(args.pid, getattr(signal, "SIG" + args.signal))
        try:
            data = sock.recv(65536)
        except (socket.timeout, ssl.SSLError, OSError):
            break
        if not data:
            closed = time.monotonic()
            break
        for event in conn.receive_data(data):
            if isinstance(event, h2.events.ResponseReceived):
                status = dict(event.headers).get(b":status", b"?").decode()
            elif isinstance(event, h2.events.ConnectionTerminated):
                goaway = (event.error_code, event.last_stream_id, time.monotonic())
        out = conn.data_to_send()
        if out:
            sock.sendall(out)

    def ms(when):
        return int((when - start) * 1000) if start else -1

    print("RESPONSE status=%s" % status)
    if goaway:
        code = getattr(goaway[0], "name", str(goaway[0]))
        print("GOAWAY code=%s last_stream=%d ms=%d" % (code, goaway[1], ms(goaway[2])))
    else:
        print("GOAWAY none")
    print("CLOSED ms=%d" % ms(closed) if closed else "CLOSED no")


if __name__ == "__main__":
    main()
