"""One canonical form for what either side decoded, so that the comparison compares meaning and
not spelling: names as their exact labels (case kept: a decoder must not change case), and
record data as its uncompressed wire form, computed by dnspython from each side's own output
(miniweb's presentation text read back; dnspython's rdata object written out). Reading
miniweb's text back also checks miniweb's presentation format: text dnspython cannot read is
reported as a difference of its own."""

import json
import subprocess

import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

# The types miniweb decodes into fields (shared/dns/rdata.hpp); any other type it carries as
# opaque bytes (RFC 3597) and prints as "\# LEN HEX".
MINIWEB_TYPED = {
    dns.rdatatype.A, dns.rdatatype.NS, dns.rdatatype.CNAME, dns.rdatatype.SOA,
    dns.rdatatype.PTR, dns.rdatatype.MX, dns.rdatatype.TXT, dns.rdatatype.AAAA,
    dns.rdatatype.SRV, dns.rdatatype.CAA, dns.rdatatype.SVCB, dns.rdatatype.HTTPS,
}


class Unreadable(Exception):
    """miniweb printed something dnspython cannot read back."""


def name_labels(text):
    """The exact labels of a name in presentation form (absolute)."""
    try:
        return dns.name.from_text(text, origin=dns.name.root).labels
    except Exception as error:
        raise Unreadable(f"name {text!r}: {error}") from error


def unescape_string(text):
    """The bytes of a presentation-format character string (RFC 1035 5.1: \\X and \\DDD)."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] == "\\" and text[i + 1:i + 4].isdigit() and len(text[i + 1:i + 4]) == 3:
            out.append(int(text[i + 1:i + 4]))
            i += 4
        elif text[i] == "\\":
            out += text[i + 1].encode()
            i += 2
        else:
            out += text[i].encode()
            i += 1
    return bytes(out)


def caa_wire_from_text(text):
    """CAA read by hand: dnspython 2.3 turns a value's \\DDD escapes above 127 into UTF-8
    (\\255 becomes c3 bf), so its reading of any CAA text with such bytes is wrong."""
    flags, tag, value = text.split(" ", 2)
    if not (value.startswith('"') and value.endswith('"')):
        raise ValueError("CAA value not quoted")
    value = unescape_string(value[1:-1])
    return bytes([int(flags), len(tag)]) + tag.encode() + value


def rdata_wire_from_text(rdtype, text):
    """Uncompressed wire form of miniweb's presentation of one record's data. Read in class IN:
    miniweb reads record data by type alone, whatever the class (it serves only IN)."""
    try:
        if rdtype == dns.rdatatype.CAA and not text.startswith("\\#"):
            return caa_wire_from_text(text).hex()
        rdata = dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=dns.name.root,
                                     relativize=False)
        return rdata.to_wire().hex()
    except Exception as error:
        raise Unreadable(f"{dns.rdatatype.to_text(rdtype)} rdata {text!r}: {error}") from error


def rdata_wire(rdata):
    """Uncompressed wire form of one dnspython rdata object."""
    return rdata.to_wire().hex()


def generic_bytes(text):
    """The bytes of an RFC 3597 "\\# LEN HEX" text, or None for any other text."""
    parts = text.split()
    if len(parts) < 2 or parts[0] != "\\#":
        return None
    return bytes.fromhex("".join(parts[2:]))


def canonical_record(name, rdtype, rdclass, ttl, wire_hex):
    return {"name": name, "type": dns.rdatatype.to_text(rdtype),
            "class": dns.rdataclass.to_text(rdclass), "ttl": ttl, "rdata": wire_hex}


def miniweb_record(record):
    """A record as miniweb's tool printed it, in the canonical form."""
    return canonical_record(name_labels(record["name"]), record["type"], record["class"],
                            record["ttl"], rdata_wire_from_text(record["type"], record["rdata"]))


def run_tool(tool, mode, lines):
    """Runs dns_decode_tool over a batch of input lines; returns one JSON object per line."""
    stdin = "".join(line + "\n" for line in lines)
    done = subprocess.run([tool, mode], input=stdin, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tool} {mode} exited {done.returncode}:\n{done.stderr}")
    results = [json.loads(line) for line in done.stdout.splitlines()]
    if len(results) != len(lines):
        raise SystemExit(f"{tool} {mode}: {len(results)} results for {len(lines)} inputs")
    return results
