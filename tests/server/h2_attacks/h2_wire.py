"""An HTTP/2 client connection that writes raw frames and reads the server's with hyperframe.

The attacks send frames h2's state machine would refuse to send (RST_STREAM right after every
HEADERS, endless CONTINUATION, reused stream ids), so frames are packed by hand here and only
the server's answers go through hyperframe (h2's own framing layer), whose GOAWAY carries the
error code the tests check. The socket is non-blocking: a flood keeps writing while the server
answers, and a client that "does not read" can still see the server close (POLLRDHUP).
"""

import select
import socket
import ssl
import struct
import time

import hpack
import hyperframe.frame as hf
from h2.errors import ErrorCodes

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINDOW_UPDATE, \
    CONTINUATION = range(10)
END_STREAM, ACK, END_HEADERS = 0x1, 0x1, 0x4

SETTINGS_ENABLE_PUSH = 0x2
SETTINGS_INITIAL_WINDOW_SIZE = 0x4


def frame(kind, flags, stream_id, payload=b""):
    """One frame's bytes: 24-bit length, type, flags, 31-bit stream id, payload."""
    return (struct.pack(">I", len(payload))[1:] + bytes([kind, flags]) +
            struct.pack(">I", stream_id & 0x7FFFFFFF) + payload)


def settings_frame(settings=()):
    return frame(SETTINGS, 0, 0, b"".join(struct.pack(">HI", k, v) for k, v in settings))


def request_block(authority, path="/", method="GET", extra=()):
    """A request's HPACK block that leaves the dynamic table alone (static-table indexes and
    never-indexed literals), so the same bytes are valid on every stream of a connection."""
    headers = [(":method", method), (":scheme", "https"), (":path", path),
               (":authority", authority), ("user-agent", "miniweb-h2-attack")] + list(extra)
    return hpack.Encoder().encode([hpack.NeverIndexedHeaderTuple(k, v) for k, v in headers])


def error_name(code):
    try:
        return ErrorCodes(code).name
    except ValueError:
        return "UNKNOWN_%d" % code


class Outcome:
    """What the server did to the offending connection, and when (ms since the attack began)."""

    def __init__(self):
        self.kind = None  # "goaway" or "closed"
        self.code = None
        self.ms = None
        self.goaway = None

    def decided(self):
        return self.kind is not None


class Connection:
    """A TLS connection that negotiated h2, with a non-blocking pump for floods."""

    def __init__(self, host, port, servername, settings=(), receive_buffer=None):
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if receive_buffer:
            # A small window makes "the client does not read" reach the server at once,
            # instead of after the kernel has swallowed megabytes of its answers.
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        raw.settimeout(5)
        raw.connect((host, port))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        context.set_alpn_protocols(["h2"])
        self.sock = context.wrap_socket(raw, server_hostname=servername)
        if self.sock.selected_alpn_protocol() != "h2":
            raise SystemExit("ERROR the server did not choose h2 by ALPN (chose %r)" %
                             self.sock.selected_alpn_protocol())
        # The preface goes first, before any SETTINGS ACK the pump would owe the server.
        self.sock.sendall(PREFACE + settings_frame(settings))
        self.sock.setblocking(False)
        self.authority = "%s:%d" % (servername, port)
        self.inbox = bytearray()
        self.frames = []  # every frame the server sent, parsed
        self.closed = False
        self.control = bytearray()  # SETTINGS ACKs owed to the server, sent before `out`
        self._unsent = None  # a chunk the TLS layer asked to retry, with its source
        self.outcome = Outcome()
        self.started = time.monotonic()

    def mark_start(self):
        """The attack begins now: outcomes are timed from here."""
        self.started = time.monotonic()

    def elapsed_ms(self):
        return int((time.monotonic() - self.started) * 1000)

    # ---------------------------------------------------------------- reading ----

    def _decide(self, kind, code=None):
        if not self.outcome.decided():
            self.outcome.kind, self.outcome.code, self.outcome.ms = kind, code, self.elapsed_ms()

    def _on_frame(self, parsed):
        self.frames.append(parsed)
        if isinstance(parsed, hf.SettingsFrame) and "ACK" not in parsed.flags:
            # Well behaved in everything but the attack: a server may drop a client that
            # never acknowledges its settings, and that is not what a test is about.
            self.control += frame(SETTINGS, ACK, 0)
        if isinstance(parsed, hf.GoAwayFrame):
            self.outcome.goaway = parsed
            # NO_ERROR is a graceful goodbye that lets open streams finish: not yet a
            # reaction to an attack; the close that follows is.
            if parsed.error_code != 0:
                self._decide("goaway", error_name(parsed.error_code))

    def _parse_inbox(self):
        while len(self.inbox) >= 9:
            parsed, length = hf.Frame.parse_frame_header(memoryview(self.inbox[:9]))
            if len(self.inbox) < 9 + length:
                return
            parsed.parse_body(memoryview(bytes(self.inbox[9:9 + length])))
            del self.inbox[:9 + length]
            self._on_frame(parsed)

    def _closed(self):
        self.closed = True
        self._decide("closed")

    def read_available(self):
        """Reads whatever has arrived without blocking; False once the server has closed."""
        while not self.closed:
            try:
                chunk = self.sock.recv(65536)
            except (ssl.SSLWantReadError, ssl.SSLWantWriteError, BlockingIOError):
                return True
            except (ConnectionError, ssl.SSLError, OSError):
                self._closed()
                return False
            if not chunk:
                self._closed()
                return False
            self.inbox += chunk
            self._parse_inbox()
        return False

    # ---------------------------------------------------------------- writing ----

    def _write_some(self, view, written):
        """Writes one chunk (SETTINGS ACKs first, then `out`); a chunk TLS could not take is
        retried as it was, as OpenSSL requires. Returns how far into `out` has been written."""
        if self._unsent is None:
            if self.control:
                self._unsent = (bytes(self.control[:16384]), "control")
                del self.control[:len(self._unsent[0])]
            elif written < len(view):
                self._unsent = (bytes(view[written:written + 16384]), "out")
            else:
                return written
        chunk, source = self._unsent
        try:
            n = self.sock.send(chunk)
        except (ssl.SSLWantWriteError, ssl.SSLWantReadError, BlockingIOError):
            return written
        except (ConnectionError, ssl.SSLError, OSError):
            self._closed()
            return written
        self._unsent = None
        if source == "out":
            return written + n
        self.control[:0] = chunk[n:]
        return written

    def pump(self, out, deadline, read=True, until=None):
        """Writes `out` while reading (or, with read=False, only watching for a hang-up) until
        everything is written and `until()` holds, the outcome is decided, or the deadline.
        Returns how many bytes of `out` were written."""
        view = memoryview(out)
        written = 0
        until = until or (lambda: True)
        while time.monotonic() < deadline and not self.outcome.decided():
            writing = written < len(view) or self.control or self._unsent is not None
            if not writing and until():
                break
            poller = select.poll()
            mask = select.POLLRDHUP | (select.POLLIN if read else 0)
            if writing:
                mask |= select.POLLOUT
            poller.register(self.sock, mask)
            events = poller.poll(5) if not (read and self.sock.pending()) else [(0, select.POLLIN)]
            flags = events[0][1] if events else 0
            if read and flags & (select.POLLIN | select.POLLRDHUP | select.POLLHUP | select.POLLERR):
                if not self.read_available():
                    break
            elif not read and flags & (select.POLLRDHUP | select.POLLHUP | select.POLLERR):
                self._closed()
                break
            if writing and flags & select.POLLOUT:
                written = self._write_some(view, written)
        return written

    def wait(self, deadline, read=True, until=None):
        self.pump(b"", deadline, read=read, until=until or (lambda: False))

    def drain(self, seconds=2.0):
        """After a hang-up seen without reading: reads what the server sent before closing,
        to find its GOAWAY."""
        deadline = time.monotonic() + seconds
        self.closed = False
        while time.monotonic() < deadline:
            if not self.read_available():
                break
            select.select([self.sock], [], [], 0.05)
        if (self.outcome.goaway is not None and self.outcome.kind == "closed" and
                self.outcome.goaway.error_code != 0):
            self.outcome.code = error_name(self.outcome.goaway.error_code)
            self.outcome.kind = "goaway"

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    # ---------------------------------------------------------------- answers ----

    def stream_frames(self, stream_id):
        return [f for f in self.frames if f.stream_id == stream_id]

    def stream_reset(self, stream_id):
        return any(isinstance(f, hf.RstStreamFrame) for f in self.stream_frames(stream_id))

    def stream_finished(self, stream_id):
        """The server ended the stream: END_STREAM on its last frame, or RST_STREAM."""
        return any(isinstance(f, hf.RstStreamFrame) or
                   ("END_STREAM" in f.flags and isinstance(f, (hf.HeadersFrame, hf.DataFrame)))
                   for f in self.stream_frames(stream_id))

    def statuses(self):
        """Each stream's :status, from every header block the server sent, decoded in order
        (HPACK state is per connection) with CONTINUATION fragments joined."""
        decoder, statuses, block = hpack.Decoder(), {}, b""
        decoder.max_header_list_size = 1 << 24
        for f in self.frames:
            if isinstance(f, (hf.HeadersFrame, hf.PushPromiseFrame, hf.ContinuationFrame)):
                block += f.data
                if "END_HEADERS" in f.flags:
                    for name, value in decoder.decode(block):
                        if name == ":status":
                            statuses[f.stream_id] = value
                    block = b""
        return statuses
