#!/usr/bin/env python3
"""Round trips of UDP datagrams between two loopback addresses, for bench/network/run.sh.

An echo server on --server answers each datagram; the client on --client sends --count of
them, one every --interval-ms, each carrying its send time, and prints one JSON line: the
round trips' median, 99th percentile, mean, min and max in milliseconds, and how many came
back. Waits for each answer up to --timeout-ms (a datagram the link lost counts as lost).
"""
import argparse
import json
import socket
import statistics
import struct
import threading
import time


def serve(sock):
    while True:
        try:
            data, peer = sock.recvfrom(2048)
        except OSError:
            return
        sock.sendto(data, peer)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default="127.0.0.2")
    parser.add_argument("--client", default="127.0.0.1")
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--interval-ms", type=float, default=2.0)
    parser.add_argument("--timeout-ms", type=float, default=1000.0)
    parser.add_argument("--size", type=int, default=100)
    args = parser.parse_args()

    server = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    server.bind((args.server, 0))
    threading.Thread(target=serve, args=(server,), daemon=True).start()
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    client.bind((args.client, 0))
    client.settimeout(args.timeout_ms / 1000)
    target = server.getsockname()

    rtts = []
    padding = b"x" * max(0, args.size - 12)
    for number in range(args.count):
        sent = time.perf_counter()
        client.sendto(struct.pack("!Id", number, sent) + padding, target)
        while True:
            try:
                data, _ = client.recvfrom(2048)
            except socket.timeout:
                break
            got, stamp = struct.unpack("!Id", data[:12])
            if got == number:
                rtts.append((time.perf_counter() - stamp) * 1000)
                break
        spare = args.interval_ms / 1000 - (time.perf_counter() - sent)
        if spare > 0:
            time.sleep(spare)
    rtts.sort()
    result = {"sent": args.count, "answered": len(rtts)}
    if rtts:
        result.update(
            median=statistics.median(rtts),
            p99=rtts[min(len(rtts) - 1, int(len(rtts) * 0.99))],
            mean=statistics.fmean(rtts),
            min=rtts[0],
            max=rtts[-1],
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
