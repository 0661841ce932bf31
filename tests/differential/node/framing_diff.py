#!/usr/bin/python3
"""Differential test: HTTP/1.1 request framing, miniweb's server against Node.js's llhttp.

Over the HTTP fuzz corpus and generated streams of pipelined requests (framing_inputs.py),
miniweb (miniweb_http_framing_dump, the server's own reading code) and llhttp in strict mode
(llhttp_framing.js) must deliver the same requests: where each ends, its method, target,
version, fields and body, and whether the connection stays open after it. A stream that one
side stops reading (an error, or a request never completed) must stop the other before the
same request. Every disagreement is a possible request-smuggling bug: it is fixed in miniweb,
or named in KNOWN_DIFFERENCES below with the section of RFC 9112/9110 that backs miniweb.

ctest runs the corpus and 2000 generated streams (seed 19) in about a second. By hand, more
streams and another seed (from the source folder, after building the test build):
    MINIWEB_DIFF_HTTP_COUNT=20000 MINIWEB_DIFF_HTTP_SEED=7 /usr/bin/python3 \\
        tests/differential/node/framing_diff.py --corpus tests/shared/http_corpus \\
        --dump build/test/tests/differential/node/miniweb_http_framing_dump
--show N also prints N inputs of each known difference.
"""

import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import framing_inputs  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))


def run_side(command, streams):
    with tempfile.NamedTemporaryFile("w", suffix=".hex") as file:
        for segments in streams:
            file.write(b"".join(segments).hex() + "\n")
        file.flush()
        output = subprocess.run(command + [file.name], check=True, capture_output=True,
                                text=True).stdout
    results = [json.loads(line) for line in output.splitlines()]
    if len(results) != len(streams):
        sys.exit(f"{command[0]} answered {len(results)} of {len(streams)} inputs")
    return results


def outcome(result):
    """What the stream ends in, as it matters for framing: an error and a request never
    completed both mean that nothing more is delivered."""
    return "stopped" if result["end"] in ("error", "incomplete") else result["end"]


# --- Known differences -----------------------------------------------------------------------
# Each: where the two first differ (message index i), miniweb's and llhttp's result, and the
# bytes of the stream from where request i begins. `applies` must be narrow: it names one cause.

def head_of(segment):
    segment = segment.lstrip(b"\r\n")
    cut = re.search(rb"\r?\n\r?\n", segment)
    return segment[: cut.end()] if cut else segment


def mini_refused(mini, i, pattern):
    return (len(mini["messages"]) == i and mini["end"] == "error"
            and re.search(pattern, mini["error"]) is not None)


def node_refused(node, i, pattern):
    return (len(node["messages"]) == i and node["end"] == "error"
            and re.search(pattern, node["error"]) is not None)


def node_delivered(node, i):
    return len(node["messages"]) > i


def mini_delivered(mini, i):
    return len(mini["messages"]) > i


def has_field(segment, pattern):
    return re.search(rb"(?im)^" + pattern, head_of(segment)) is not None


def stricter(error_pattern, segment_test=lambda segment: True):
    """miniweb refuses request i, which llhttp delivers: the safe side of a disagreement (the
    server answers 4xx and closes the connection, so no byte after it is read as a request)."""
    return lambda segment, mini, node, i: (mini_refused(mini, i, error_pattern)
                                           and node_delivered(node, i) and segment_test(segment))


def laxer(node_pattern, segment_test, refused_byte=lambda node: True):
    """miniweb delivers request i, which llhttp refuses: each needs its RFC reason."""
    return lambda segment, mini, node, i: (mini_delivered(mini, i)
                                           and node_refused(node, i, node_pattern)
                                           and segment_test(segment) and refused_byte(node))


def upgraded(segment, mini, node, i):
    # llhttp stops at an Upgrade request; miniweb's server does not switch protocols
    # (RFC 9110 section 7.8: a server MAY ignore Upgrade) and reads on.
    return (node["end"] == "upgrade" and len(node["messages"]) == i
            and node["messages"][-1]["method"] != "CONNECT"
            and any(name.lower() == "upgrade" for name, _ in node["messages"][-1]["headers"])
            and mini["messages"][:i] == node["messages"])


def bare_cr(segment):
    return re.search(rb"\r(?!\n)", segment) is not None


def refused_at(pattern):
    """llhttp's error offset: the byte it refused, with the two before it, match `pattern`."""
    return lambda node: node.get("near") is not None and re.search(pattern, node["near"])


KNOWN_DIFFERENCES = [
    # --- miniweb refuses what llhttp 6.1 (Node 18) lets through -------------------------------
    dict(name="host-missing-or-repeated", rfc="RFC 9112 section 3.2",
         why="a server MUST answer 400 to an HTTP/1.1 request without exactly one Host; llhttp "
             "leaves that to Node's http module",
         applies=stricter(r"missing Host header|more than one Host header")),
    dict(name="http10-transfer-encoding", rfc="RFC 9112 section 6.1",
         why="Transfer-Encoding in an HTTP/1.0 request is faulty framing: refused, then closed",
         applies=stricter(r"Transfer-Encoding in an HTTP/1.0 request")),
    dict(name="field-name-not-a-token", rfc="RFC 9112 section 5.1, RFC 9110 section 5.6.2",
         why="a field name is a non-empty token, with no whitespace before the colon (a server "
             "MUST reject that); llhttp 6.1 takes spaces and empty names",
         applies=stricter(r"invalid header name")),
    dict(name="obs-fold-or-space-after-start-line", rfc="RFC 9112 sections 2.2 and 5.2",
         why="a line starting with whitespace is refused, not unfolded or skipped",
         applies=stricter(r"obsolete line folding")),
    dict(name="bare-cr", rfc="RFC 9112 section 2.2",
         why="a bare CR MUST be treated as invalid (or replaced by SP); llhttp 6.1 takes a CR "
             "followed by any byte as a line end",
         applies=lambda segment, mini, node, i: bare_cr(segment) and node_delivered(node, i)
         and not mini_delivered(mini, i) and mini["end"] in ("error", "incomplete")),
    dict(name="http-version-not-1x", rfc="RFC 9110 section 15.6.6, RFC 9112 section 2.3",
         why="HTTP/2.0 and other majors in an HTTP/1 request line get 505",
         applies=stricter(r"^505: ")),
    dict(name="request-line-not-three-parts", rfc="RFC 9112 section 3",
         why="method SP target SP version with single spaces; no HTTP/0.9 simple requests",
         applies=stricter(r"malformed request (line|target)")),
    dict(name="target-byte-not-ascii", rfc="RFC 9112 section 3.2, RFC 3986 section 2",
         why="a request target is visible ASCII (percent-encoded otherwise)",
         applies=stricter(r"request target contains a control or non-ASCII byte")),
    dict(name="transfer-coding-unknown", rfc="RFC 9112 section 6.1",
         why="a transfer coding the server does not understand gets 501 (miniweb knows chunked "
             "only); llhttp frames by the final chunked whatever comes before",
         applies=stricter(r"^501: .*unsupported transfer coding")),
    dict(name="chunk-size-leading-zeros", rfc="RFC 9112 section 7.1",
         why="a chunk size longer than 15 hex digits is refused, however many are zeros, so "
             "that no size can overflow",
         applies=stricter(r"bad chunk size", lambda s: re.search(rb"\n0{16,}", s) is not None)),
    dict(name="chunked-not-final-or-twice", rfc="RFC 9112 sections 6.1 and 6.3",
         why="a request whose final coding is not chunked MUST get 400; chunked applied twice "
             "is refused (a sender MUST NOT); llhttp lets an Upgrade request through",
         applies=stricter(r"chunked is not the final transfer coding|chunked applied more than once")),
    dict(name="chunk-line-without-crlf", rfc="RFC 9112 sections 7.1 and 2.2",
         why="chunk lines end in CRLF (the bare-LF MAY covers start and field lines only); "
             "llhttp 6.1 takes a CR followed by any byte",
         applies=stricter(r"chunk size line ends without CRLF|chunk data not followed by CRLF")),
    dict(name="chunk-ext-grammar", rfc="RFC 9112 section 7.1.1",
         why="chunk extensions are ';' token ['=' token / quoted-string]; llhttp 6.1 takes any "
             "visible byte in them",
         applies=stricter(r"bad chunk size",
                          lambda s: re.search(rb"\n[0-9a-fA-F]{1,15}[ \t]*;", s) is not None)),
    dict(name="framing-field-in-trailer", rfc="RFC 9110 section 6.5.1",
         why="Content-Length and Transfer-Encoding cannot be trailer fields: refused rather than "
             "dropped, as llhttp 6.1 reads a trailer Content-Length as a second body",
         applies=stricter(r"framing field in trailer")),
    dict(name="chunk-line-limit", rfc="RFC 9112 section 7.1.1",
         why="a server ought to limit chunk extensions: 1 KiB a line, as nginx",
         applies=stricter(r"chunk size line too long")),
    # --- miniweb takes what llhttp 6.1 refuses: each is allowed by the RFC --------------------
    dict(name="bare-lf-line-end", rfc="RFC 9112 section 2.2",
         why="a recipient MAY take a bare LF as a line end; miniweb does, everywhere in a head "
             "and a chunked body, so that no line is read two ways",
         applies=laxer(r"HPE_", lambda s: True, refused_at(rb"(^|[^\r])\n"))),
    dict(name="content-length-repeated-same", rfc="RFC 9110 section 8.6",
         why="repeated identical Content-Length values (fields or a list) MAY be taken as one; "
             "differing ones are refused",
         applies=laxer(r"HPE_UNEXPECTED_CONTENT_LENGTH: Duplicate|HPE_INVALID_CONTENT_LENGTH",
                       lambda s: len(re.findall(rb"(?im)^content-length:", head_of(s))) > 1
                       or has_field(s, rb"content-length:[ \t]*\d+[ \t]*,"))),
    dict(name="framing-field-ows", rfc="RFC 9110 section 5.5",
         why="whitespace around a field value is not part of it (Content-Length: 5<TAB>, "
             "Transfer-Encoding: chunked<TAB>); llhttp 6.1 refuses a trailing tab",
         applies=lambda segment, mini, node, i: (
             laxer(r"HPE_INVALID_CONTENT_LENGTH", lambda s: True, refused_at(rb"[ \t]$"))(
                 segment, mini, node, i)
             or laxer(r"HPE_INVALID_TRANSFER_ENCODING",
                      lambda s: has_field(s, rb"transfer-encoding:[^\r\n]*[ \t]\r?$"))(
                 segment, mini, node, i))),
    dict(name="connection-close-ows", rfc="RFC 9110 sections 5.6.1 and 7.6.1",
         why="Connection is a list: OWS around its elements is not part of them, so "
             "'close<TAB>, keep-alive' closes; llhttp 6.1 misses the close and reads on",
         applies=lambda segment, mini, node, i: (
             mini_delivered(mini, i) and node_delivered(node, i)
             and dict(mini["messages"][i], keep_alive=True) == node["messages"][i]
             and not mini["messages"][i]["keep_alive"] and mini["end"] == "closed"
             and any(name.lower() == "connection"
                     and re.search(r"(^|,)[ \t]*close[ \t]+(,|$)", value, re.I)
                     for name, value in mini["messages"][i]["headers"]))),
    dict(name="extension-method", rfc="RFC 9110 sections 9.1 and 16.1",
         why="a method is any token (the server answers 405/501 to one it does not serve); "
             "llhttp knows a fixed list, and reads PRI as the HTTP/2 preface",
         applies=laxer(r"HPE_INVALID_METHOD|Expected HTTP/2 Connection Preface",
                       lambda s: re.match(rb"[\r\n]*[!#$%&'*+.^_`|~0-9A-Za-z-]+ ", s) is not None)),
    dict(name="http-minor-version-above-1", rfc="RFC 9110 section 2.5",
         why="a higher minor version is processed as the highest the recipient knows (1.1)",
         applies=laxer(r"HPE_INVALID_VERSION: Invalid HTTP version",
                       lambda s: re.match(rb"[^\r\n]* HTTP/1\.[2-9]\r?\n", s.lstrip(b"\r\n")) is not None)),
    dict(name="chunk-ext-bws", rfc="RFC 9112 section 7.1.1",
         why="chunk-ext allows BWS around ';' and '='; llhttp refuses any whitespace (6.1 at "
             "the whitespace, 9 at the byte after it)",
         applies=laxer(r"HPE_INVALID_CHUNK_SIZE|HPE_STRICT",
                       lambda s: re.search(rb"\n[0-9a-fA-F]+([ \t]+;|;[^\r\n]*[ \t])", s)
                       is not None,
                       refused_at(rb"[ \t][^ \t\r\n]?$"))),
    dict(name="empty-list-elements", rfc="RFC 9110 section 5.6.1",
         why="a recipient MUST accept and ignore empty elements of a list field "
             "(Transfer-Encoding: chunked,)",
         applies=laxer(r"HPE_INVALID_TRANSFER_ENCODING|HPE_INVALID_HEADER_TOKEN",
                       lambda s: has_field(s, rb"transfer-encoding:[^\r\n]*(,[ \t]*,|:[ \t]*,|,[ \t]*\r?$)"))),
    dict(name="target-form", rfc="RFC 9112 section 3.2",
         why="the parser checks a target's bytes (visible ASCII); its form (origin, absolute, "
             "authority for CONNECT, * for OPTIONS) is the handler's to judge, which answers 400 "
             "or 404 to one it cannot map; llhttp's URL parser refuses some (ht:tp://, a:443 "
             "with GET); framing is the same",
         applies=laxer(r"HPE_INVALID_URL", lambda s: True)),
    dict(name="connect-with-body-fields", rfc="RFC 9110 section 9.3.6",
         why="after a CONNECT head the bytes are the tunnel's: its framing fields mean nothing",
         applies=lambda segment, mini, node, i: mini["end"] == "upgrade"
         and mini["messages"][i:] and mini["messages"][i]["method"] == "CONNECT"
         and node_refused(node, i, r"HPE_")),
    dict(name="upgrade-not-switched", rfc="RFC 9110 section 7.8",
         why="llhttp stops reading at an Upgrade request; miniweb does not switch protocols "
             "and reads on (a server MAY ignore Upgrade)",
         applies=upgraded),
]


def first_difference(mini, node):
    for i, (a, b) in enumerate(zip(mini["messages"], node["messages"])):
        if a != b:
            return i
    if len(mini["messages"]) != len(node["messages"]):
        return min(len(mini["messages"]), len(node["messages"]))
    if outcome(mini) != outcome(node):
        return len(mini["messages"])
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", required=True, help="miniweb_http_framing_dump")
    parser.add_argument("--corpus", help="the HTTP fuzz corpus folder")
    parser.add_argument("--show", type=int, default=0, help="inputs to print per known difference")
    args = parser.parse_args()
    count = int(os.environ.get("MINIWEB_DIFF_HTTP_COUNT", "2000"))
    seed = int(os.environ.get("MINIWEB_DIFF_HTTP_SEED", "19"))

    streams = framing_inputs.corpus_streams(args.corpus) if args.corpus else []
    from_corpus = len(streams)
    streams += framing_inputs.generated_streams(count, seed)
    # An empty stream is no input at all (and an empty line to the tools).
    streams = [segments for segments in streams if any(segments)]
    minis = run_side([args.dump], streams)
    nodes = run_side(["node", os.path.join(HERE, "llhttp_framing.js")], streams)
    for segments, node in zip(streams, nodes):
        if node.get("at") is not None:
            stream = b"".join(segments)
            node["near"] = stream[max(node["at"] - 2, 0): node["at"] + 1]

    known = collections.Counter()
    shown = collections.Counter()
    unexplained = []
    agreed_messages = 0
    agreed_streams = 0
    for segments, mini, node in zip(streams, minis, nodes):
        i = first_difference(mini, node)
        if i is None:
            agreed_messages += len(mini["messages"])
            agreed_streams += 1
            continue
        # The bytes from where request i begins (both read the requests before it alike).
        segment = b"".join(segments)[mini["ends"][i - 1] if i else 0:]
        cause = next((d for d in KNOWN_DIFFERENCES if d["applies"](segment, mini, node, i)), None)
        if cause is None:
            unexplained.append((segments, mini, node, i))
            continue
        known[cause["name"]] += 1
        if shown[cause["name"]] < args.show:
            shown[cause["name"]] += 1
            print(f"[{cause['name']}] {b''.join(segments)!r}")

    print(f"http framing: {len(streams)} streams ({from_corpus} from the corpus, {count} "
          f"generated with seed {seed}): {agreed_streams} framed alike ({agreed_messages} "
          f"requests delivered alike), {sum(known.values())} differ in known ways, "
          f"{len(unexplained)} differ otherwise")
    for difference in KNOWN_DIFFERENCES:
        if known[difference["name"]]:
            print(f"  known difference {difference['name']} ({difference['rfc']}): "
                  f"{known[difference['name']]} streams")
    for segments, mini, node, i in unexplained[:20]:
        print(f"\nDIFFERENCE at request {i} of {b''.join(segments)!r}")
        print(f"  miniweb: {json.dumps(mini)}")
        print(f"  llhttp:  {json.dumps({k: v for k, v in node.items() if k != 'near'})}")
    if unexplained:
        print(f"\nFAIL: {len(unexplained)} streams framed differently, not explained")
        return 1
    print("OK: every difference is a known one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
