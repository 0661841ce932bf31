#!/usr/bin/python3
"""Zone files: miniweb's zone parser (parse_zone_file, then Zone::load as the server does,
through dns_decode_tool) against NSD's (`nsd-checkzone -p ZONE FILE`, Debian's nsd). Both accept
or both reject each file, and when both accept, the records loaded are the same set (owner
names compared without case, RFC 4343; record data in canonical form, RFC 4034 6.2). A
disagreement fails the suite unless known_differences.py names it with its RFC reason.

  diff_zones.py --tool build/test/tests/differential/dns/dns_decode_tool \\
      --corpus tests/dns/corpus --data tests/dns/data \\
      --stack build/test/stack/miniweb-stack --topology demo/topology.toml --repo .

ctest runs it on the test zones, the corpus, the demo's zones, one file per feature and per
error, and 40 random zones, in seconds. By hand, MINIWEB_DIFF_LONG=1 (or --count N) runs 1000
random zones; --verbose prints every known difference met."""

import argparse
import os
import subprocess
import sys
import tempfile

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.zone

import diff_report
import dns_normalise as norm
import known_differences
import zone_inputs

SHORT_COUNT = 40
LONG_COUNT = 1000
NSD_CHECKZONE = "/usr/sbin/nsd-checkzone"


def canonical(owner, rdtype, ttl, rdata):
    return (tuple(label.lower() for label in owner.labels), dns.rdatatype.to_text(rdtype), ttl,
            rdata.to_digestable(dns.name.root).hex())


def nsd_records(origin, path):
    """NSD's records for the file, or the reason it refused it."""
    done = subprocess.run([NSD_CHECKZONE, "-p", origin, path], capture_output=True, text=True,
                          errors="replace", check=False)
    if done.returncode != 0:
        return None, (done.stderr.strip() or done.stdout.strip()).splitlines()[-1:]
    try:
        zone = dns.zone.from_text(done.stdout, origin=origin, relativize=False,
                                  check_origin=False)
    except dns.exception.DNSException as error:
        # NSD loaded the file but printed what dnspython cannot read: NSD accepted rdata
        # dnspython's presentation parser refuses. Compared as a set nothing can equal.
        return {("nsd output unreadable", str(error))}, None
    return {canonical(name, rdata.rdtype, ttl, rdata)
            for name, ttl, rdata in zone.iterate_rdatas()}, None


def miniweb_records(result):
    out = set()
    for record in result["records"]:
        wire = bytes.fromhex(norm.rdata_wire_from_text(record["type"], record["rdata"]))
        rdata = dns.rdata.from_wire(dns.rdataclass.IN, record["type"], wire, 0, len(wire))
        out.add(canonical(dns.name.from_text(record["name"]), record["type"], record["ttl"],
                          rdata))
    return out


def compare(label, origin, path, result):
    theirs, nsd_error = nsd_records(origin, path)
    if not result["ok"] and theirs is None:
        return "agree", ""
    ours, unreadable = None, None
    if result["ok"]:
        try:
            ours = miniweb_records(result)
        except Exception as error:  # dnspython could not read miniweb's presentation
            unreadable = str(error)
    if ours is not None and theirs is not None and ours == theirs:
        return "agree", ""
    case = known_differences.ZoneCase(path=path, text=open(path, "rb").read(), miniweb=result,
                                      miniweb_records=ours, nsd_records=theirs,
                                      nsd_error=nsd_error, unreadable=unreadable)
    known = known_differences.classify_zone(case)
    if ours is not None and theirs is not None:
        detail = (f"only miniweb: {sorted(ours - theirs)[:4]}\n"
                  f"  only nsd: {sorted(theirs - ours)[:4]}")
    else:
        detail = (f"miniweb: {result.get('reason') or unreadable or 'accepts'}\n"
                  f"  nsd: {nsd_error or 'accepts'}")
    return (known.name if known else "DIFFER"), f"{label} (origin {origin}, {path})\n  {detail}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--stack", required=True)
    parser.add_argument("--topology", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--count", type=int,
                        default=LONG_COUNT if os.environ.get("MINIWEB_DIFF_LONG") else SHORT_COUNT)
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    if not os.access(NSD_CHECKZONE, os.X_OK):
        raise SystemExit(f"{NSD_CHECKZONE} is missing: scripts/install-deps.sh installs nsd")

    with tempfile.TemporaryDirectory(prefix="miniweb-diff-zones.") as out_dir:
        inputs = (zone_inputs.data_zones(args.data)
                  + zone_inputs.corpus_zones(args.corpus, out_dir)
                  + zone_inputs.demo_zones(args.stack, args.topology, args.repo, out_dir)
                  + zone_inputs.feature_zones(out_dir)
                  + zone_inputs.random_zones(out_dir, args.count))
        results = norm.run_tool(args.tool, "zones",
                                [f"{origin}\t{path}" for _, origin, path in inputs])
        verdicts, both_accept, both_reject, failures = diff_report.tally(
            ((*compare(label, origin, path, result), result)
             for (label, origin, path), result in zip(inputs, results)), args.verbose)
    return diff_report.report(
        f"zone files: {len(inputs)} compared ({args.count} random, the rest test data, corpus, "
        f"demo and one per feature or error): {both_accept} loaded alike, {both_reject} "
        f"rejected by both", verdicts, failures, known_differences.ZONE)


if __name__ == "__main__":
    sys.exit(main())
