"""The master files both zone parsers are given: the test zones (tests/dns/data), the fuzz
corpus's zone inputs (tests/dns/corpus, first byte even), the demo's zones as `./miniweb up`
writes them (miniweb-stack plan), and files written here: one per feature of RFC 1035 5 and
per way a file can be wrong, and zones of random lines from a fixed-seed RNG."""

import glob
import os
import random
import subprocess

SEED = 19
ORIGIN = "gen.test."
SOA = "@ 3600 IN SOA ns1 hostmaster ( 2026120201 ; serial\n  7200 900 1209600 300 )\n@ NS ns1\n"

# Lines that are right in a zone of origin gen.test. (each after the SOA and NS above).
GOOD_LINES = [
    "ns1 A 127.53.0.1", "www 300 IN A 127.53.0.10", "www IN 300 AAAA 2001:db8::10",
    "v6 AAAA ::ffff:1.2.3.4", "@ MX 10 mail", "mail A 10.0.0.25", "alias CNAME www",
    "out CNAME www.other.test.", "ptr PTR host.example.test.", "_sip._udp SRV 0 5 5060 sip",
    'txt TXT "hello world" "say \\"hi\\"" plain', 'txt2 TXT ""', 'bin TXT "\\000\\255\\127"',
    'long TXT "' + "x" * 255 + '"', 'semi TXT "a;b" "(c)"', "@ CAA 0 issue \"ca.test\"",
    '@ CAA 128 iodef "mailto:a@gen.test"', "@ HTTPS 1 . alpn=h2,http/1.1 port=8443",
    "svc SVCB 1 svc.gen.test. alpn=h3 ipv4hint=1.2.3.4,5.6.7.8 ipv6hint=2001:db8::1",
    "alias-mode HTTPS 0 www", "ech HTTPS 1 . ech=AAEC", "keyed SVCB 2 . key667=hello",
    "mand SVCB 1 . mandatory=alpn alpn=h2", "unknown TYPE65000 \\# 3 010203",
    "empty TYPE65001 \\# 0", "generic-a A \\# 4 7f000001", "*.wild A 127.53.0.99",
    "a\\.b A 1.1.1.1", "\\065bc A 1.1.1.2", "sp\\032ace A 1.1.1.3", "UPPER A 1.1.1.4",
    "deep.a.b.c A 1.1.1.5", "ttl-units 1h30m A 1.1.1.6", "ttl-week 1w A 1.1.1.7",
    "multi ( A\n  1.1.1.8 ) ; a comment", "   A 1.1.1.9", "sub NS ns.sub", "ns.sub A 127.0.0.1",
    "www.gen.test. A 127.53.0.11", "x 60 IN TXT a b c",
]

# Lines that make a zone wrong, for both (each one alone after the SOA and NS).
BAD_LINES = [
    "bad A 1.2.3", "bad A 1.2.3.4.5", "bad AAAA 1::2::3", "bad MX 10", "bad MX x mail",
    "bad 1x A 1.2.3.4", "bad 99999999999 A 1.2.3.4", "bad BOGUS 1.2.3.4",
    "outside.other.test. A 1.2.3.4", "alias2 CNAME www\nalias2 A 1.2.3.4",
    "@ SOA ns1 hostmaster 1 2 3 4 5", "bad ( A 1.2.3.4", "bad A 1.2.3.4 )",
    "l" * 64 + " A 1.2.3.4", "bad TYPE65000 \\# 3 0102", "bad TYPE65000 \\# 2 zz00",
    'bad TXT "' + "x" * 256 + '"', "bad CH A 1.2.3.4", "bad SRV 1 2 port target",
    "bad CAA 256 issue \"x\"", "bad HTTPS 1 . bogus=1", "bad HTTPS 1 . port=99999",
    "bad A \\# 3 010203", "$INCLUDE /nonexistent/zone", "$FOO bar", "bad..name A 1.2.3.4",
    'bad TXT "unterminated', "bad HTTPS 0 . alpn=h2",
]


def corpus_zones(folder, out_dir):
    """(label, origin, path): corpus inputs that tests/dns/fuzz_targets.cpp parses as zones, with
    their first byte taken off. The fuzz target parses them with origin "."."""
    out = []
    for name in sorted(os.listdir(folder)):
        data = open(os.path.join(folder, name), "rb").read()
        if data and not data[0] & 1:
            path = os.path.join(out_dir, f"corpus-{name}")
            open(path, "wb").write(data[1:])
            out.append((f"corpus/{name}", origin_of(data[1:]) or ".", path))
    return out


def origin_of(text):
    """The first $ORIGIN of a file, which NSD needs as the zone's name."""
    for line in text.decode(errors="replace").splitlines():
        if line.startswith("$ORIGIN"):
            parts = line.split()
            return parts[1] if len(parts) > 1 else None
    return None


def data_zones(folder):
    """(label, origin, path) of tests/dns/data/*.zone: example.test.zone is example.test."""
    out = []
    for path in sorted(glob.glob(os.path.join(folder, "*.zone"))):
        base = os.path.basename(path)[:-len(".zone")]
        out.append((f"data/{base}.zone", "." if base == "root" else base + ".", path))
    return out


def demo_zones(stack, topology, repo, out_dir):
    """The demo's zones, written by `miniweb-stack plan` as `./miniweb up` does."""
    state = os.path.join(out_dir, "demo-state")
    subprocess.run([stack, "plan", "--topology", topology, "--state", state, "--repo", repo],
                   check=True, capture_output=True)
    paths = sorted(glob.glob(os.path.join(state, "**", "*.zone"), recursive=True))
    if not paths:
        raise SystemExit(f"miniweb-stack plan wrote no zone under {state}")
    out = []
    for path in paths:
        base = os.path.basename(path)[:-len(".zone")]
        out.append((f"demo/{base}.zone", "." if base == "root" else base + ".", path))
    return out


def write(out_dir, name, text):
    path = os.path.join(out_dir, name)
    with open(path, "w", encoding="latin-1") as file:
        file.write(text)
    return path


def feature_zones(out_dir):
    """One zone per good line and one per bad line, plus the directives' own cases."""
    out = []
    header = f"$ORIGIN {ORIGIN}\n$TTL 300\n{SOA}"
    for i, line in enumerate(GOOD_LINES):
        out.append((f"good/{i}: {line[:40]}", ORIGIN,
                    write(out_dir, f"good-{i}.zone", header + line + "\n")))
    for i, line in enumerate(BAD_LINES):
        out.append((f"bad/{i}: {line[:40]}", ORIGIN,
                    write(out_dir, f"bad-{i}.zone", header + line + "\n")))
    included = write(out_dir, "included.part", "inc A 1.2.3.4\nsub-inc A 1.2.3.5\n")
    cases = {
        "all good lines": header + "\n".join(GOOD_LINES) + "\n",
        "no $ORIGIN": f"$TTL 60\n{SOA}www A 1.2.3.4\n",
        "no $TTL": f"$ORIGIN {ORIGIN}\n{SOA}www A 1.2.3.4\n",
        "$TTL later": f"{SOA}a A 1.1.1.1\n$TTL 99\nb A 1.1.1.2\n",
        "last TTL carries": f"{SOA}a 77 A 1.1.1.1\nb A 1.1.1.2\n",
        "$ORIGIN change": f"{SOA}$ORIGIN sub.{ORIGIN}\nx A 1.1.1.1\n$ORIGIN {ORIGIN}\ny A 1.1.1.2\n",
        "$ORIGIN relative": f"{SOA}$ORIGIN rel\nx A 1.1.1.1\n",
        "$INCLUDE": f"{header}$INCLUDE {included}\n",
        "$INCLUDE with origin": f"{header}$INCLUDE {included} sub.{ORIGIN}\nafter A 9.9.9.9\n",
        "no SOA": f"$ORIGIN {ORIGIN}\nwww 60 A 1.2.3.4\n",
        "SOA elsewhere": f"$ORIGIN {ORIGIN}\nsub 60 SOA ns1 h 1 2 3 4 5\nsub NS ns1\n",
        "no NS": f"$ORIGIN {ORIGIN}\n@ 60 SOA ns1 h 1 2 3 4 5\n",
        "empty file": "",
        "comments only": "; nothing\n\n  ; more\n",
        "CRLF lines": (header + "www A 1.2.3.4\n").replace("\n", "\r\n"),
        "tabs": f"{SOA}www\t60\tIN\tA\t1.2.3.4\n",
        "class then TTL": f"{SOA}www IN 60 A 1.2.3.4\n",
        "parentheses over lines": f"{SOA}t TXT ( \"a\"\n \"b\" ; c\n \"d\" )\n",
        "quoted semicolon": f"{SOA}t TXT \"a ; b\"\n",
        "escaped newline": f"{SOA}t TXT a\\\nb\n",
        "duplicate records": f"{SOA}d A 1.1.1.1\nd A 1.1.1.1\n",
        "TTLs differ in a set": f"{SOA}d 60 A 1.1.1.1\nd 120 A 1.1.1.2\n",
        "name of 255 octets": f"{SOA}" + ".".join(["x" * 63] * 3) + "." + "y" * 52 + " A 1.1.1.1\n",
        "name over 255 octets": f"{SOA}" + ".".join(["x" * 63] * 3) + "." + "y" * 60 + " A 1.1.1.1\n",
        "owner omitted first": f"  A 1.1.1.1\n{SOA}",
        "@ in rdata": f"{SOA}m MX 5 @\n",
    }
    for i, (label, text) in enumerate(cases.items()):
        out.append((f"case/{label}", ORIGIN, write(out_dir, f"case-{i}.zone", text)))
    return out


def random_zones(out_dir, count):
    """`count` zones of random good lines, a quarter of them with one bad line among them."""
    rng = random.Random(SEED)
    out = []
    for i in range(count):
        lines = rng.sample(GOOD_LINES, rng.randrange(1, 12))
        if rng.random() < 0.25:
            lines.insert(rng.randrange(len(lines) + 1), rng.choice(BAD_LINES))
        text = f"$ORIGIN {ORIGIN}\n$TTL {rng.choice([0, 60, 86400])}\n{SOA}" + "\n".join(lines)
        out.append((f"random/{i}", ORIGIN, write(out_dir, f"random-{i}.zone", text + "\n")))
    return out
