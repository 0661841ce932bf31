"""The DNS messages both decoders are given: the fuzz corpus (tests/dns/corpus, the first byte
of each file picks message or zone in tests/dns/fuzz_targets.cpp) and messages built here by
dnspython from a fixed-seed RNG, each also truncated and corrupted."""

import os
import random
import struct

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

SEED = 19

# Record data in presentation form, per type: the kinds of data a decoder must get right.
RDATA_SAMPLES = {
    "A": ["127.53.0.10", "0.0.0.0", "255.255.255.255"],
    "AAAA": ["::1", "2001:db8::1", "::", "fe80::1:2:3:4", "2001:db8:0:1:1:1:1:1", "::ffff:1.2.3.4"],
    "NS": ["ns1.example.test.", "NS.Example.TEST.", "."],
    "CNAME": ["www.example.test.", "x\\.y.example.test."],
    "PTR": ["host.example.test.", "a\\032b.example.test."],
    "SOA": ["ns1.example.test. hostmaster.example.test. 2026112301 3600 900 604800 60",
            ". . 0 0 0 0 4294967295"],
    "MX": ["10 mail.example.test.", "0 .", "65535 MX.example.test."],
    "TXT": ['"hello world"', '"say \\"hi\\"" plain', '""', '"\\000\\255\\127"',
            '"' + "x" * 255 + '"', '"a" "b" "c" "" "d"', '"semi;colon" "back\\\\slash"'],
    "SRV": ["1 5 443 www.example.test.", "0 0 0 ."],
    "CAA": ['0 issue "ca.test"', '128 iodef "mailto:a@b.test"', '0 issuewild ";"',
            '0 tag0 ""', '0 issue "\\000\\255 \\"q\\""'],
    "SVCB": ["0 alias.example.test.", "1 . alpn=h2,http/1.1 port=8443",
             "2 svc.example.test. mandatory=alpn,port alpn=h3 port=443 ipv4hint=1.2.3.4,5.6.7.8",
             "3 . ipv6hint=2001:db8::1,::1 ech=AAEC", "4 . no-default-alpn alpn=h2",
             "5 . key65000=\\001\\002", "6 . key667=hello"],
    "HTTPS": ["1 . alpn=h2", "0 target.example.test.", "1 . alpn=h2,h3 ipv4hint=127.53.0.10"],
    # Types miniweb carries as opaque bytes (RFC 3597): dnspython reads them into fields.
    "DS": ["12345 8 2 " + "ab" * 32],
    "HINFO": ['"cpu" "os"'],
    "SSHFP": ["1 1 " + "12" * 20],
    "TLSA": ["3 1 1 " + "cd" * 32],
    "DNSKEY": ["257 3 8 AwEAAQ=="],
    "TYPE65000": ["\\# 3 010203", "\\# 0"],
}

NAMES = ["example.test.", "www.example.test.", "WWW.Example.Test.", ".", "a.b.c.d.e.f.test.",
         "*.wild.example.test.", "x\\.y.example.test.", "\\000.binary.test.", "sp\\032ace.test.",
         "_https._tcp.example.test.", ("l" * 63 + ".") * 3 + "x" * 61 + ".",
         "\\@\\$\\(\\)\\;\\\".test."]

EDNS_OPTIONS = [
    dns.edns.GenericOption(10, bytes(range(8))),           # COOKIE
    dns.edns.GenericOption(12, b"\x00" * 5),               # PADDING
    dns.edns.GenericOption(65001, b""),                    # unknown, empty
    dns.edns.ECSOption("192.0.2.0", 24),                   # CLIENT-SUBNET (RFC 7871)
    dns.edns.EDEOption(18, "prohibited"),                  # EXTENDED-ERROR (RFC 8914)
]


def corpus_messages(folder):
    """(label, bytes) of each corpus file that tests/dns/fuzz_targets.cpp decodes as a message."""
    out = []
    for name in sorted(os.listdir(folder)):
        data = open(os.path.join(folder, name), "rb").read()
        if data and data[0] & 1:
            out.append((f"corpus/{name}", data[1:]))
    return out


def random_record(rng):
    rdtype = rng.choice(list(RDATA_SAMPLES))
    text = rng.choice(RDATA_SAMPLES[rdtype])
    rdata = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype), text)
    name = dns.name.from_text(rng.choice(NAMES))
    ttl = rng.choice([0, 1, 300, 86400, 2**31 - 1, 2**31, 2**32 - 1])
    return dns.rrset.from_rdata(name, ttl, rdata)


def random_message(rng):
    """A well-formed message of random header, sections and EDNS, compressed by dnspython."""
    qname = dns.name.from_text(rng.choice(NAMES))
    qtype = rng.choice(["A", "AAAA", "HTTPS", "TXT", "ANY", "AXFR", "TYPE65000", "SOA"])
    message = dns.message.make_query(qname, qtype, use_edns=False)
    message.id = rng.randrange(65536)
    message.flags = 0
    for flag in (dns.flags.QR, dns.flags.AA, dns.flags.TC, dns.flags.RD, dns.flags.RA,
                 dns.flags.AD, dns.flags.CD):
        if rng.random() < 0.4:
            message.flags |= flag
    message.set_opcode(rng.choice([0, 0, 0, 1, 2, 4]))
    if rng.random() < 0.15:
        message.question = []
    if rng.random() < 0.6:
        edns_options = rng.sample(EDNS_OPTIONS, rng.randrange(3))
        message.use_edns(rng.choice([0, 0, 1]), dns.flags.DO if rng.random() < 0.5 else 0,
                         rng.choice([0, 100, 512, 1232, 4096, 65535]), options=edns_options)
        message.set_rcode(rng.choice([0, 3, 5, 16, 23, 4095]))
    else:
        message.set_rcode(rng.randrange(16))
    for section in (message.answer, message.authority, message.additional):
        for _ in range(rng.choice([0, 0, 1, 2, 5])):
            section.append(random_record(rng))
    return message.to_wire(max_size=65535)


def mutations(rng, wire, count):
    """Truncations, byte flips, section-count changes and bent compression pointers."""
    out = []
    for _ in range(count):
        data = bytearray(wire)
        kind = rng.randrange(4)
        if kind == 0 and len(data) > 1:
            del data[rng.randrange(1, len(data)):]
        elif kind == 1 and data:
            for _ in range(rng.randrange(1, 4)):
                data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif kind == 2 and len(data) >= 12:
            at = 4 + 2 * rng.randrange(4)
            count_now = struct.unpack_from("!H", data, at)[0]
            struct.pack_into("!H", data, at, max(0, count_now + rng.choice([-1, 1, 2])))
        else:
            pointers = [i for i in range(12, len(data) - 1) if data[i] & 0xC0 == 0xC0]
            if pointers:
                at = rng.choice(pointers)
                data[at + 1] = rng.randrange(256)
            elif data:
                data.append(rng.randrange(256))
        out.append(bytes(data))
    return out


def generated_messages(count):
    """(label, bytes): `count` well-formed messages, each followed by three broken variants."""
    rng = random.Random(SEED)
    out = []
    for i in range(count):
        wire = random_message(rng)
        out.append((f"generated/{i}", wire))
        for k, variant in enumerate(mutations(rng, wire, 3)):
            out.append((f"generated/{i}/mutation{k}", variant))
    return out
