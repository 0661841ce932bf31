"""Request streams for the HTTP/1.1 framing comparison (framing_diff.py).

Each stream is a list of segments, one per request the generator meant to send (pipelined),
so that a difference can be traced to the request it began in. The generator aims at request
smuggling: conflicting or repeated Content-Length, Transfer-Encoding with chunked not last,
obs-fold, bare LF and CR, whitespace before the colon, chunk extensions and sizes, trailers,
invalid tokens, NUL, absolute-form targets, HTTP/1.0 keep-alive. A fixed seed gives the same
streams on every run.
"""

import os
import random

METHODS = ["GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE", "PATCH"]
ODD_METHODS = ["get", "FOO", "G ET", "GE\x00T", "GET\t", "", "CONNECT", "M-SEARCH", "PRI"]
TARGETS = ["/", "/index.html?q=1", "/a/b;c?d=e&f", "http://example.test/x", "*", "/%00",
           "/a#frag", "//x", "/?a=b?c", "/~user/!$&'()*+,;=:@"]
ODD_TARGETS = ["/a b", "/\x7f", "/\x80", "/a\x00", "", "/a\tb", "example.test:443", "/\"<>",
               "/{}|\\^`"]
VERSIONS = ["HTTP/1.1"] * 6 + ["HTTP/1.0"] * 2
ODD_VERSIONS = ["HTTP/1.2", "HTTP/2.0", "HTTP/0.9", "http/1.1", "HTTP/1.10", "HTTP/1.1 ",
                "HTTP/1", "HTTP/11", "HTTP /1.1", "HTTP/1.1\x00"]
CONTENT_LENGTHS = ["{n}", "{n}", "0{n}", " {n}", "{n} ", "+{n}", "-{n}", "{n}, {n}", "{n},{n}",
                   "{n}, {m}", "0x{n}", "{n}.0", "{n} {n}", "", "99999999999999999999",
                   "18446744073709551616", "{n}\x00"]
TRANSFER_ENCODINGS = ["chunked", "chunked", "Chunked", "CHUNKED", "gzip, chunked",
                      "chunked, gzip", "chunked, chunked", "identity", "gzip", " chunked",
                      "chunked ", "xchunked", "chunked;q=1", ",chunked", "chunked,", "chunk",
                      "chunked\x0b", "\"chunked\""]
CONNECTIONS = ["close", "keep-alive", "Keep-Alive", "upgrade", "close, keep-alive", "TE, close"]
ODD_FIELD_LINES = [
    "Content-Length : {n}", "Content-Length\t: {n}", "Transfer-Encoding : chunked",
    " Transfer-Encoding: chunked", "\tX-Folded: a", "X-Bad Name: a", "X-Nul: a\x00b",
    "X-Ctl: a\x01b", "X-Del: a\x7fb", "X-High: caf\xe9", ": no-name", "X-No-Colon",
    "X-Empty:", "X-Ows:   spaced   ", "Host: second.test", "X\x00: a", "X-CR: a\rb",
    "Content_Length: {n}", "Transfer_Encoding: chunked", "Transfer-Encoding:chunked",
    "Content-Length:{n}", "Expect: 100-continue", "Upgrade: websocket", "X-Tab:\ta\t",
]
CHUNK_SIZE_FORMS = ["{x}", "{x}", "{X}", "0{x}", "{x};ext", "{x};ext=1", "{x}; ext=\"q\"",
                    "{x} ;ext", "{x}\t;e", "{x} ", " {x}", "0x{x}", "-{x}", "+{x}",
                    "000000000000000000{x}", "ffffffffffffffff{x}", "{x}\x00", "{x};\x01"]
TRAILERS = ["", "", "X-Trailer: a\r\n", "X-Bad Trailer: a\r\n", "no colon\r\n",
            " folded: a\r\n", "Content-Length: 5\r\n", "X-Ctl: \x01\r\n"]


TWISTS = ["method", "target", "version", "bare-lf", "content-length", "transfer-encoding",
          "two-lengths", "two-codings", "field-line", "field-line", "chunk-size", "chunk-end",
          "last-chunk", "trailer", "leading-empty-lines", "request-line", "no-host"]


def chunked_body(rng, body, eol, twist):
    chunks = []
    rest = body
    while rest:
        size = min(len(rest), rng.randint(1, 6))
        chunks.append(rest[:size])
        rest = rest[size:]
    odd_size = rng.randrange(len(chunks)) if twist == "chunk-size" and chunks else -1
    odd_end = rng.randrange(len(chunks)) if twist == "chunk-end" and chunks else -1
    out = ""
    for index, chunk in enumerate(chunks):
        form = rng.choice(CHUNK_SIZE_FORMS) if index == odd_size else "{x}"
        out += form.format(x=format(len(chunk), "x"), X=format(len(chunk), "X")) + eol + chunk
        out += rng.choice(["\n", "", "X\r\n", "\r", "\r\r\n"]) if index == odd_end else "\r\n"
    last = rng.choice(["00", "0;ext", "0 ", "000000000000000000"]) if twist == "last-chunk" else "0"
    out += last + eol
    if twist == "trailer":
        out += rng.choice(TRAILERS)
    elif rng.random() < 0.1:
        out += "X-Trailer: a\r\n"
    return out + eol


def one_request(rng):
    """One request's bytes: well-formed, or with one smuggling-relevant twist (most often)."""
    twist = rng.choice(TWISTS) if rng.random() < 0.6 else None
    eol = "\n" if twist == "bare-lf" else "\r\n"
    method = rng.choice(ODD_METHODS) if twist == "method" else rng.choice(METHODS)
    target = rng.choice(ODD_TARGETS) if twist == "target" else rng.choice(TARGETS)
    version = rng.choice(ODD_VERSIONS) if twist == "version" else rng.choice(VERSIONS)
    body = "".join(rng.choice("abcdefgh\r\n") for _ in range(rng.randint(0, 12)))
    n = len(body)
    fields = []
    if twist != "no-host":
        fields.append("Host: example.test")
    elif rng.random() < 0.5:
        fields += ["Host: example.test", "Host: other.test"]
    if rng.random() < 0.3:
        fields.append("Connection: " + rng.choice(CONNECTIONS))
    framing = rng.choice(["none", "length", "length", "chunked", "chunked"])
    if twist in ("content-length", "two-lengths", "transfer-encoding", "two-codings") and \
            rng.random() < 0.2:
        framing = "both"
    if framing in ("length", "both"):
        for _ in range(2 if twist == "two-lengths" else 1):
            form = rng.choice(CONTENT_LENGTHS) if twist == "content-length" else "{n}"
            fields.append("Content-Length: " + form.format(n=n, m=n + 1))
    if framing in ("chunked", "both"):
        for _ in range(2 if twist == "two-codings" else 1):
            coding = rng.choice(TRANSFER_ENCODINGS) if twist == "transfer-encoding" else "chunked"
            fields.append("Transfer-Encoding: " + coding)
    if twist == "field-line":
        fields.insert(rng.randint(0, len(fields)), rng.choice(ODD_FIELD_LINES).format(n=n))
    if rng.random() < 0.3:
        fields.insert(rng.randint(0, len(fields)), "Accept: */*")
    request_line = f"{method} {target} {version}"
    if twist == "request-line":
        request_line = rng.choice([f"{method}  {target} {version}", f"{method} {target}",
                                   f" {method} {target} {version}", f"{method}\t{target} {version}"])
    head = request_line + eol + "".join(field + eol for field in fields) + eol
    if twist == "leading-empty-lines":
        head = rng.choice(["\r\n", "\n", "\r\n\r\n", "\r\n\n\r\n"]) + head
    if framing in ("chunked", "both"):
        payload = chunked_body(rng, body, eol, twist)
    elif framing == "length":
        payload = body
    else:
        payload = ""
    return (head + payload).encode("latin1")


def mutate(rng, segment):
    """A byte-level twist on one request: a cut, a flipped byte or an inserted one."""
    if not segment:
        return segment
    at = rng.randrange(len(segment))
    kind = rng.choice(["cut", "flip", "insert"])
    if kind == "cut":
        return segment[:at]
    if kind == "flip":
        return segment[:at] + bytes([rng.choice(b"\x00\r\n \t:;,0Ff\x7f\x80")]) + segment[at + 1:]
    return segment[:at] + bytes([rng.choice(b"\x00\r\n \t:")]) + segment[at:]


def generated_streams(count, seed):
    rng = random.Random(seed)
    streams = []
    for _ in range(count):
        segments = [one_request(rng) for _ in range(rng.choice([1, 1, 2, 2, 3]))]
        if rng.random() < 0.15:
            which = rng.randrange(len(segments))
            segments[which] = mutate(rng, segments[which])
        streams.append(segments)
    return streams


def corpus_streams(folder):
    """The HTTP fuzz corpus (tests/shared/http_corpus): a first byte of 0 mod 3 is a request
    head and body; 2 mod 3 a chunked body, sent here after a chunked request head. Responses
    are not requests and are left out."""
    streams = []
    for name in sorted(os.listdir(folder)):
        with open(os.path.join(folder, name), "rb") as file:
            data = file.read()
        if not data:
            continue
        if data[0] % 3 == 0:
            streams.append([data[1:]])
        elif data[0] % 3 == 2:
            head = b"POST /c HTTP/1.1\r\nHost: a.test\r\nTransfer-Encoding: chunked\r\n\r\n"
            streams.append([head + data[2:]])  # the second byte says how to cut: not here
    return streams
