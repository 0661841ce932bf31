#!/usr/bin/python3
"""DNS messages: miniweb's decoder (Message::decode, through dns_decode_tool) against dnspython's
(dns.message.from_wire). For every input both agree on every field (header id, flags, opcode,
rcode; each question; each record's owner, type, class, TTL and data; EDNS), or both reject.
A disagreement fails the suite unless known_differences.py names it with its RFC reason.

  diff_messages.py --tool build/test/tests/differential/dns/dns_decode_tool \\
                   --corpus tests/dns/corpus

ctest runs it on the corpus and 150 generated messages (each with 3 broken variants), in
seconds. By hand, MINIWEB_DIFF_LONG=1 (or --count N) runs 5000 generated messages and their
variants; --verbose prints every known difference met, not only their counts."""

import argparse
import os
import sys

import dns.exception
import dns.flags
import dns.message
import dns.rdataclass

import diff_report
import dns_normalise as norm
import known_differences
import message_inputs

SHORT_COUNT = 150
LONG_COUNT = 5000
SECTIONS = ("answer", "authority", "additional")


def dnspython_decode(wire):
    """dnspython's reading of the message in the canonical form, or an exception."""
    try:
        message = dns.message.from_wire(wire, one_rr_per_rrset=True)
    except (dns.exception.DNSException, ValueError, TypeError, IndexError, KeyError) as error:
        return error
    flags = message.flags
    edns = None
    if message.edns >= 0:
        edns = {"udp": message.payload, "version": message.edns,
                "do": bool(message.ednsflags & dns.flags.DO),
                "options": [[option.otype, option.to_wire().hex()] for option in message.options]}
    out = {"id": message.id, "qr": bool(flags & dns.flags.QR), "opcode": message.opcode(),
           "aa": bool(flags & dns.flags.AA), "tc": bool(flags & dns.flags.TC),
           "rd": bool(flags & dns.flags.RD), "ra": bool(flags & dns.flags.RA),
           "ad": bool(flags & dns.flags.AD), "cd": bool(flags & dns.flags.CD),
           "rcode": message.rcode(), "edns": edns,
           "question": [{"name": rrset.name.labels, "type": rrset.rdtype, "class": rrset.rdclass}
                        for rrset in message.sections[0]]}
    for index, section in enumerate(SECTIONS, start=1):
        out[section] = [norm.canonical_record(rrset.name.labels, rrset.rdtype, rrset.rdclass,
                                              rrset.ttl, norm.rdata_wire(rdata))
                        for rrset in message.sections[index] for rdata in rrset]
    return out


def miniweb_canonical(result):
    """miniweb's reading in the canonical form (raises norm.Unreadable on bad presentation)."""
    out = {key: result[key] for key in
           ("id", "qr", "opcode", "aa", "tc", "rd", "ra", "ad", "cd", "rcode", "edns")}
    out["question"] = [{"name": norm.name_labels(q["name"]), "type": q["type"],
                        "class": q["class"]} for q in result["question"]]
    for section in SECTIONS:
        out[section] = [norm.miniweb_record(record) for record in result[section]]
    return out


def compare(label, wire, result):
    """Returns (verdict, detail): verdict is "agree", a known difference's name, or "DIFFER"."""
    theirs = dnspython_decode(wire)
    if not result["ok"] and isinstance(theirs, Exception):
        return "agree", ""
    try:
        ours = miniweb_canonical(result) if result["ok"] else None
    except norm.Unreadable as error:
        ours, unreadable = None, str(error)
    else:
        unreadable = None
    fields = []
    if ours is not None and not isinstance(theirs, Exception):
        fields = [key for key in ours if ours[key] != theirs[key]]
        if not fields:
            return "agree", ""
    case = known_differences.Case(wire=wire, miniweb=result, dnspython=theirs, fields=fields,
                                  unreadable=unreadable)
    known = known_differences.classify_message(case)
    detail = (f"{label}: {wire.hex()}\n  miniweb:   "
              + (result.get("reason") or unreadable or str({k: ours[k] for k in fields}))
              + "\n  dnspython: "
              + (f"{type(theirs).__name__}: {theirs}" if isinstance(theirs, Exception)
                 else str({k: theirs[k] for k in fields})))
    return (known.name if known else "DIFFER"), detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--count", type=int,
                        default=LONG_COUNT if os.environ.get("MINIWEB_DIFF_LONG") else SHORT_COUNT)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    inputs = message_inputs.corpus_messages(args.corpus) + message_inputs.generated_messages(
        args.count)
    results = norm.run_tool(args.tool, "messages", [wire.hex() for _, wire in inputs])
    verdicts, both_accept, both_reject, failures = diff_report.tally(
        ((*compare(label, wire, result), result)
         for (label, wire), result in zip(inputs, results)), args.verbose)
    return diff_report.report(
        f"dns messages: {len(inputs)} inputs compared ({args.count} generated, each with 3 "
        f"broken variants, plus the corpus): {both_accept} decoded alike, {both_reject} "
        f"rejected by both", verdicts, failures, known_differences.MESSAGE)


if __name__ == "__main__":
    sys.exit(main())
