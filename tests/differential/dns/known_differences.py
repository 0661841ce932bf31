"""Where miniweb and its peers disagree on purpose, each with the RFC section behind miniweb's
choice. Every disagreement a suite meets must match one of these, or the suite fails. Each
test looks at the input itself (not at error texts alone), so that a new disagreement of
another cause is not taken for a known one.

Differences found by these suites and fixed in miniweb instead (with a unit test in
tests/dns/): a TTL with the top bit set now reads as 0 (RFC 2181 8); OPT outside the
additional section is rejected (RFC 6891 6.1.1); a compression pointer whose labels run into
the pointer itself is rejected (RFC 1035 4.1.4); "ech" is presented and read in base64
(RFC 9460 7.3); a comma in an alpn id is escaped once, not twice (RFC 9460 A.1)."""

import collections
import dataclasses
import re

import dns.edns
import dns.rdata
import dns.rdataclass
import dns.rdatatype

import dns_normalise as norm


@dataclasses.dataclass
class Case:
    """One input on which the two decoders disagree."""
    wire: bytes
    miniweb: dict        # the tool's JSON for it
    dnspython: object    # dnspython's canonical reading, or the exception it raised
    fields: list         # when both decoded it: the fields that differ
    unreadable: str      # when dnspython could not read miniweb's presentation: why


Known = collections.namedtuple("Known", "name reason applies")


def records(case):
    if not case.miniweb.get("ok"):
        return []
    return [r for section in ("answer", "authority", "additional") for r in case.miniweb[section]]


def opaque_type_dnspython_refuses(case):
    """A record of a type miniweb does not decode into fields, whose bytes dnspython refuses."""
    for record in records(case):
        if record["type"] in norm.MINIWEB_TYPED:
            continue
        data = norm.generic_bytes(record["rdata"])
        try:
            dns.rdata.from_wire(record["class"], record["type"], data, 0, len(data))
            # dnspython's wire reader may take bytes its text reader then refuses.
            dns.rdata.from_text(dns.rdataclass.IN, record["type"], record["rdata"])
        except Exception:
            return True
    return False


def edns_option_dnspython_refuses(case):
    """An EDNS option dnspython reads into fields (client subnet, extended error) and refuses."""
    edns = case.miniweb.get("edns") if case.miniweb.get("ok") else None
    for code, data in (edns or {}).get("options", []):
        try:
            dns.edns.option_from_wire(code, bytes.fromhex(data), 0, len(data) // 2)
        except Exception:
            return True
    return False


def only_udp_size_below_512(case):
    """The EDNS UDP size is the only difference, dnspython keeping a value under 512."""
    if case.fields != ["edns"] or isinstance(case.dnspython, Exception):
        return False
    ours, theirs = case.miniweb["edns"], dict(case.dnspython["edns"])
    return theirs["udp"] < 512 and ours["udp"] == 512 and {**theirs, "udp": 512} == ours


# Types whose data format RFC 1035 3.4 and later RFCs define for class IN only.
IN_ONLY_TYPES = {dns.rdatatype.A, dns.rdatatype.AAAA, dns.rdatatype.SRV, dns.rdatatype.SVCB,
                 dns.rdatatype.HTTPS}


def record_of_in_only_type_in_other_class(case):
    """One side refused the message, and it holds a class-IN-only type in another class."""
    if isinstance(case.dnspython, Exception):
        decoded = records(case)
    elif not case.miniweb["ok"]:
        decoded = [{"type": dns.rdatatype.RdataType.make(r["type"]),
                    "class": dns.rdataclass.RdataClass.make(r["class"])}
                   for section in ("answer", "authority", "additional")
                   for r in case.dnspython[section]]
    else:
        return False
    return any(r["type"] in IN_ONLY_TYPES and r["class"] != dns.rdataclass.IN for r in decoded)


def differing_records_not_in_class_in(case):
    """Every record that differs is of a class other than IN (and EDNS at most by its size)."""
    if not case.fields or isinstance(case.dnspython, Exception):
        return False
    for field in case.fields:
        if field == "edns" and only_udp_size_below_512(dataclasses.replace(case, fields=["edns"])):
            continue
        if field not in ("answer", "authority", "additional"):
            return False
        theirs = case.dnspython[field]
        if len(case.miniweb[field]) != len(theirs):
            return False
        for ours, their in zip(case.miniweb[field], theirs):
            if ours["class"] == dns.rdataclass.IN and norm.miniweb_record(ours) != their:
                return False
    return True


def svcb_mandatory_key_missing(case):
    """An SVCB/HTTPS record whose "mandatory" names a key the record does not have."""
    for record in records(case):
        if record["type"] not in (dns.rdatatype.SVCB, dns.rdatatype.HTTPS):
            continue
        params = dict(p.partition("=")[::2] for p in record["rdata"].split()[2:])
        for key in params.get("mandatory", "").split(","):
            if key and key not in params:
                return True
    return False


def miniweb_says(text):
    return lambda case: not case.miniweb["ok"] and text in case.miniweb["reason"]


MESSAGE = {known.name: known for known in [
    Known("udp-size-floor",
          "RFC 6891 6.2.5: an EDNS UDP size under 512 is treated as 512; miniweb keeps it so, "
          "dnspython keeps the number sent",
          only_udp_size_below_512),
    Known("opaque-types",
          "RFC 3597 2-4: miniweb carries record types it does not serve (DS, RRSIG, HINFO, "
          "IPSECKEY, ...) as opaque bytes; dnspython reads them into fields and refuses bad ones",
          opaque_type_dnspython_refuses),
    Known("opaque-edns-options",
          "RFC 6891 6.1.2: options a server does not implement are ignored; miniweb implements "
          "neither client subnet (RFC 7871) nor extended errors (RFC 8914), whose malformed "
          "values dnspython refuses",
          edns_option_dnspython_refuses),
    Known("rdata-by-type-in-any-class",
          "RFC 1035 3.2.4 and RFC 3597 5: miniweb serves class IN only and reads record data by "
          "type in any class; dnspython reads IN-specific types (A, SRV, SVCB...) of another "
          "class as opaque and CH A in its own format",
          differing_records_not_in_class_in),
    Known("rdata-of-in-type-in-other-class",
          "RFC 1035 3.2.4 and RFC 3597 5: as above, when reading an IN-only type (A, AAAA, SRV, "
          "SVCB, HTTPS) in another class makes one side refuse the message",
          record_of_in_only_type_in_other_class),
    Known("unassigned-opcode",
          "RFC 1035 4.1.1 and RFC 6895 2.2: a server answers an opcode it does not implement "
          "with NOTIMP, which takes decoding the message; dnspython 2.3 refuses opcodes it has "
          "no name for",
          lambda case: (case.miniweb["ok"] and isinstance(case.dnspython, ValueError)
                        and case.miniweb["opcode"] not in (0, 1, 2, 4, 5))),
    Known("svcb-mandatory-unchecked",
          "RFC 9460 8: checking that mandatory keys are present is the consumer's job (the "
          "client ignores such a record); miniweb's decoder and servers carry the record as it is",
          svcb_mandatory_key_missing),
    Known("pointer-into-itself",
          "RFC 1035 4.1.4: a pointer names a prior occurrence of a name; miniweb rejects labels "
          "that run into the pointer that led to them, dnspython resumes after the furthest "
          "octet it read and decodes the rest differently",
          miniweb_says("runs into the compression pointer")),
]}


def classify_message(case):
    for known in MESSAGE.values():
        if known.applies(case):
            return known
    return None


@dataclasses.dataclass
class ZoneCase:
    """One zone file on which miniweb and nsd-checkzone disagree."""
    path: str
    text: bytes
    miniweb: dict            # the tool's JSON for it
    miniweb_records: set     # miniweb's canonical records, when it loaded the file
    nsd_records: set         # nsd's, when it loaded the file
    nsd_error: list          # nsd's last error line, when it refused the file
    unreadable: str          # when dnspython could not read miniweb's presentation: why


def zone_records_with_opaque_type_refused(case):
    """miniweb loaded a record of a type it keeps opaque, whose bytes NSD and dnspython refuse."""
    if not case.miniweb["ok"] or case.nsd_records is not None:
        return False
    return opaque_type_dnspython_refuses(Case(b"", {"ok": True, "answer": case.miniweb["records"],
                                                   "authority": [], "additional": []},
                                              None, [], None))


def nsd_accepts_and_miniweb_says(text):
    return lambda case: (case.nsd_records is not None and not case.miniweb["ok"]
                         and text in case.miniweb["reason"])


def ttl_over_32_bits(case):
    return nsd_accepts_and_miniweb_says("too large")(case) and any(
        int(number) > 0xFFFFFFFF for number in re.findall(rb"\b\d{10,}\b", case.text))


def caa_flags_over_255(case):
    return nsd_accepts_and_miniweb_says("bad CAA flags")(case) and any(
        int(number) > 255 for number in re.findall(rb"CAA\s+(\d+)", case.text))


def relative_origin(case):
    return (case.miniweb["ok"] and case.nsd_records is None
            and re.search(rb"^\$ORIGIN\s+\S*[^.\s]\s*$", case.text, re.M) is not None)


def only_ttls_differ_without_dollar_ttl(case):
    """Both loaded the same records but for TTLs, in a file without $TTL."""
    if case.miniweb_records is None or case.nsd_records is None or b"$TTL" in case.text:
        return False
    def keys(records):
        return sorted((owner, rdtype, rdata) for owner, rdtype, _, rdata in records)
    return (keys(case.miniweb_records) == keys(case.nsd_records)
            and all(ttl == 3600 for _, _, ttl, _ in case.nsd_records - case.miniweb_records))


def rrset_ttls_differ(case):
    """Both loaded the same records but for the TTLs of RRsets of two or more records."""
    if case.miniweb_records is None or case.nsd_records is None:
        return False
    def groups(records):
        out = collections.defaultdict(set)
        for owner, rdtype, ttl, rdata in records:
            out[(owner, rdtype)].add((ttl, rdata))
        return out
    ours, theirs = groups(case.miniweb_records), groups(case.nsd_records)
    if ours.keys() != theirs.keys():
        return False
    for key in ours:
        if ours[key] == theirs[key]:
            continue
        if ({rdata for _, rdata in ours[key]} != {rdata for _, rdata in theirs[key]}
                or len(ours[key]) < 2 or len({ttl for ttl, _ in ours[key]}) != 1):
            return False
    return True


ZONE = {known.name: known for known in [
    Known("opaque-types",
          "RFC 3597 5: miniweb keeps the \\# data of types it does not serve (SPF, DS...) as "
          "given; NSD checks it against the type's format",
          zone_records_with_opaque_type_refused),
    Known("ttl-over-32-bits",
          "RFC 1035 3.2.1 and RFC 2181 8: a TTL is a 32-bit number (at most 2^31-1 meant); "
          "miniweb refuses a larger one, NSD keeps it modulo 2^32",
          ttl_over_32_bits),
    Known("caa-flags-over-255",
          "RFC 8659 4.1: CAA flags are one octet; miniweb refuses 256 and up, NSD keeps the low "
          "8 bits",
          caa_flags_over_255),
    Known("unbalanced-parenthesis",
          "RFC 1035 5.1: parentheses group a record over lines; miniweb refuses a '(' never "
          "closed, NSD closes it at the end of the file",
          nsd_accepts_and_miniweb_says("'(' without ')'")),
    Known("generic-length-mismatch",
          "RFC 3597 5: the \\# length is the number of octets that follow; miniweb refuses a "
          "mismatch, NSD takes the octets given",
          nsd_accepts_and_miniweb_says("does not match")),
    Known("aliasmode-with-params",
          "RFC 9460 2.4.2: AliasMode records SHOULD NOT carry SvcParams; miniweb (like "
          "dnspython) refuses them when loading, NSD keeps them",
          nsd_accepts_and_miniweb_says("AliasMode (priority 0) takes no SvcParams")),
    Known("first-record-without-owner",
          "RFC 1035 5.1: an omitted owner is the previous record's; miniweb refuses it on the "
          "first record, NSD takes the origin",
          nsd_accepts_and_miniweb_says("no previous record to take it from")),
    Known("apex-without-ns",
          "RFC 1034 4.2.1: a zone has NS records at its apex; miniweb refuses to load one "
          "without, nsd-checkzone lets it pass",
          nsd_accepts_and_miniweb_says("no NS records at the apex")),
    Known("rrset-ttl-of-first-record",
          "RFC 2181 5.2: the records of an RRset must share one TTL; given several, miniweb "
          "keeps the first record's (as BIND does), NSD the last one's",
          rrset_ttls_differ),
    Known("relative-origin",
          "RFC 1035 5.1: $ORIGIN takes a domain name, and a relative one is relative to the "
          "current origin (as BIND reads it); NSD wants it absolute",
          relative_origin),
    Known("ttl-of-previous-record",
          "RFC 1035 5.1: without $TTL, a record without TTL takes the previous record's; NSD "
          "takes its default (3600) instead",
          only_ttls_differ_without_dollar_ttl),
]}


def classify_zone(case):
    for known in ZONE.values():
        if known.applies(case):
            return known
    return None
