#!/usr/bin/python3
"""Differential test: miniweb's URL parser (shared/url.hpp) against Node's WHATWG URL.

Over the table of url_cases.py (RFC 3986 section 5.4's examples against their base, the URL
Standard's examples) miniweb (miniweb_url_dump: Url::parse, or Url::resolve against the base)
and Node's URL class (whatwg_url.js) must agree on every component (scheme, username,
password, host, port, path, query, fragment) and on the serialised href, or both refuse the
input. Every difference is fixed in miniweb or named in KNOWN_DIFFERENCES below, with the
standard miniweb follows there and why it matters to the browser.

ctest runs the table and 300 generated URLs (seed 19). By hand, more (from the source folder,
after building the test build):
    MINIWEB_DIFF_URL_COUNT=20000 MINIWEB_DIFF_URL_SEED=7 /usr/bin/python3 \\
        tests/differential/node/url_diff.py \\
        --dump build/test/tests/differential/node/miniweb_url_dump
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
import url_cases  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
FIELDS = ["scheme", "username", "password", "host", "port", "path", "query", "fragment", "href"]


def run_side(command, cases):
    with tempfile.NamedTemporaryFile("w", suffix=".hex") as file:
        for base, text in cases:
            base_hex = base.encode().hex() if base is not None else "-"
            file.write(f"{base_hex} {text.encode().hex()}\n")
        file.flush()
        output = subprocess.run(command + [file.name], check=True, capture_output=True,
                                text=True).stdout
    results = [json.loads(line) for line in output.splitlines()]
    if len(results) != len(cases):
        sys.exit(f"{command[0]} answered {len(results)} of {len(cases)} inputs")
    return results


def as_text(result):
    """miniweb prints bytes as Latin-1 code points; its URLs' bytes are UTF-8."""
    out = dict(result)
    for field in FIELDS:
        if isinstance(out.get(field), str):
            out[field] = out[field].encode("latin1").decode("utf-8", "surrogateescape")
    return out


def differing_fields(mini, node):
    if not mini["ok"] or not node["ok"]:
        return [] if mini["ok"] == node["ok"] else ["ok"]
    return [field for field in FIELDS if mini[field] != node[field]]


# --- Known differences -----------------------------------------------------------------------
# Each: the case (base, input), both results and the fields that differ. `applies` names one
# cause, narrowly: the fields it explains, and what in the input brings it.

def only(fields, *allowed):
    return bool(fields) and set(fields) <= set(allowed)


def refused(mini, node, pattern):
    return not mini["ok"] and node["ok"] and re.search(pattern, mini["error"]) is not None


def non_ascii_host(node):
    return node["ok"] and "xn--" in node["host"]


KNOWN_DIFFERENCES = [
    dict(name="scheme-not-fetched", standard="RFC 9110 section 4.2, RFC 8089",
         why="the browser fetches http, https and local file URLs only; a link to mailto:, "
             "data:, javascript: or ftp: is refused rather than parsed into a URL it cannot load",
         applies=lambda base, text, mini, node, fields: fields == ["ok"]
         and refused(mini, node, r"^unsupported URL scheme")),
    dict(name="userinfo-dropped", standard="RFC 9110 section 4.2.4",
         why="userinfo in http(s) URLs is deprecated (senders MUST NOT generate it): miniweb "
             "drops it, so credentials in a link are never sent nor shown in the address",
         applies=lambda base, text, mini, node, fields: only(
             fields, "username", "password", "href", "host")
         and (node["username"] or node["password"])
         and ("host" not in fields or non_ascii_host(node))),
    dict(name="port-zero", standard="RFC 9293 section 3.1 (port 0 is reserved)",
         why="no server can be reached on port 0: refused at parse time, not at connect",
         applies=lambda base, text, mini, node, fields: fields == ["ok"]
         and refused(mini, node, r"port '0'") and node["port"] == "0"),
    dict(name="idna-not-mapped", standard="URL Standard section 3.5 (domain to ASCII), UTS #46",
         why="miniweb does not map international names to punycode: their UTF-8 goes to its "
             "resolver as is (the demo internet's names are ASCII); ASCII names agree",
         applies=lambda base, text, mini, node, fields: only(fields, "host", "href")
         and non_ascii_host(node) and any(ord(c) > 127 for c in mini["host"])),
    dict(name="percent-encoded-host", standard="RFC 3986 section 3.2.2",
         why="a percent-encoded host is refused, not decoded (the URL Standard decodes it): a "
             "name that hides its letters is not one the browser will look up",
         applies=lambda base, text, mini, node, fields: fields == ["ok"]
         and refused(mini, node, r"forbidden character '%'")),
    dict(name="file-url-rfc8089", standard="RFC 8089 appendix E, not the URL Standard's file state",
         why="file URLs are what the browser opens from a local path (file:///path); it reads "
             "them by RFC 8089 (no backslashes, hosts or percent-encoding of its own), and "
             "leaves the URL Standard's file state (Windows drive letters, file hosts) aside",
         applies=lambda base, text, mini, node, fields: text.lower().lstrip().startswith("file:")),
    dict(name="file-url-local-only", standard="RFC 8089 section 2",
         why="file URLs name local files: a remote host or no path at all is refused",
         applies=lambda base, text, mini, node, fields: fields == ["ok"]
         and refused(mini, node, r"^file URL") and node["scheme"] == "file"),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dump", required=True, help="miniweb_url_dump")
    parser.add_argument("--show", type=int, default=0, help="inputs to print per known difference")
    args = parser.parse_args()
    count = int(os.environ.get("MINIWEB_DIFF_URL_COUNT", "300"))
    seed = int(os.environ.get("MINIWEB_DIFF_URL_SEED", "19"))

    cases = url_cases.table_cases()
    from_table = len(cases)
    cases += url_cases.generated_cases(count, seed)
    minis = [as_text(result) for result in run_side([args.dump], cases)]
    nodes = run_side(["node", os.path.join(HERE, "whatwg_url.js")], cases)

    known = collections.Counter()
    shown = collections.Counter()
    unexplained = []
    for (base, text), mini, node in zip(cases, minis, nodes):
        fields = differing_fields(mini, node)
        if not fields:
            continue
        cause = next((d for d in KNOWN_DIFFERENCES if d["applies"](base, text, mini, node, fields)),
                     None)
        if cause is None:
            unexplained.append((base, text, mini, node, fields))
            continue
        known[cause["name"]] += 1
        if shown[cause["name"]] < args.show:
            shown[cause["name"]] += 1
            print(f"[{cause['name']}] {text!r} against {base!r}")

    agreed = len(cases) - sum(known.values()) - len(unexplained)
    print(f"urls: {len(cases)} inputs ({from_table} from the table, {count} generated with seed "
          f"{seed}): {agreed} parsed alike, {sum(known.values())} differ in known ways, "
          f"{len(unexplained)} differ otherwise")
    for difference in KNOWN_DIFFERENCES:
        if known[difference["name"]]:
            print(f"  known difference {difference['name']} ({difference['standard']}): "
                  f"{known[difference['name']]} inputs")
    for base, text, mini, node, fields in unexplained[:30]:
        print(f"\nDIFFERENCE in {', '.join(fields)} for {text!r} against {base!r}")
        print(f"  miniweb: {json.dumps(mini, ensure_ascii=False)}")
        print(f"  WHATWG:  {json.dumps(node, ensure_ascii=False)}")
    if unexplained:
        print(f"\nFAIL: {len(unexplained)} URLs parsed differently, not explained")
        return 1
    print("OK: every difference is a known one")
    return 0


if __name__ == "__main__":
    sys.exit(main())
