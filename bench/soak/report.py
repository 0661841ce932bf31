#!/usr/bin/python3
"""The soak's verdict from what bench/soak/run.sh recorded: the servers' memory, descriptors and
threads (first half, second half, growth) and every kind of traffic's requests and failures,
as tables, then one tab-separated line per goal ("goal LABEL VALUE OP TARGET UNIT") for run.sh
to print with bench/goals.sh.

Growth is judged over the second half of the run, between two windows of it: the first minute
of the second half and the last minute of the run (in a short run, a quarter of the second
half, but 30 s at least: a 2-minute run compares the two halves of its second half). The first
half is the warm-up: caches, pools, TLS session stores and the allocator's arenas fill up to
their bounds there, and that is growth a server is allowed. A leak goes on growing after it,
so it shows between two windows minutes apart.

Each window is summed up by its median, not a single sample or a mean: a wrk burst holds a few
connections' buffers for seconds, and a median of a minute's samples looks past such a moment
where one sample or a mean would not. Descriptors are judged without the established TCP
connections among them (sample.py tells them by their socket's inode in /proc/net/tcp): how
many connections are open is the traffic of the moment (clients', and the reverse proxies'
pools of idle upstream connections, which a backend's kill empties), a handful on a base of a
dozen descriptors, where 5% is less than one. What is left is what a leak leaves: files,
pipes, timers, listeners, and sockets whose peer has gone (CLOSE_WAIT) that the server never
closed.

The process judged is the one running at the end: a service the soak killed is judged on its
last life, from a warm-up after its start (or from the middle of the run, whichever is later),
with windows a third of that stretch at most.

A request that overlaps a kill window of a service it depends on (from the kill until the
service answers again, plus a grace) is set aside and counted on its own: it may fail.
"""
import argparse
import csv
import os
import statistics
import sys

METRICS = (("rss_kib", "RSS KiB"), ("held_fds", "fds less connections"), ("threads", "threads"))
GROWTH_LIMIT = 5.0  # per cent, over the second half
MIN_SAMPLES = 3  # per window, for a median worth comparing


def read_kill_windows(path, end, grace):
    """{service: [(from, to)]}: a kill until the service answered again, plus the grace."""
    windows = {}
    never = []
    with open(path) as file:
        for row in csv.DictReader(file):
            killed = float(row["killed"])
            if row["answered"] == "never":
                never.append(row["service"])
                to = end
            else:
                to = float(row["answered"]) + grace
            windows.setdefault(row["service"], []).append((killed, to))
    return windows, never


def read_requests(folder):
    """One dict per line of every loop's CSV; {loop: lines} to tell a loop that never ran."""
    records, per_loop = [], {}
    for name in sorted(os.listdir(folder)):
        loop = name.removesuffix(".csv")
        per_loop[loop] = 0
        with open(os.path.join(folder, name)) as file:
            for line in file:
                fields = line.rstrip("\n").split(",", 6)
                if len(fields) != 7:
                    continue
                kind, start, end, requests, failed, depends, detail = fields
                records.append({"kind": kind, "start": float(start), "end": float(end),
                                "requests": int(requests), "failed": int(failed),
                                "depends": depends.split(), "detail": detail})
                per_loop[loop] += 1
    return records, per_loop


def in_kill_window(record, windows):
    return any(record["start"] < to and record["end"] > since
               for service in record["depends"] for since, to in windows.get(service, ()))


def traffic_table(records, windows, start):
    kinds = {}
    failures = []
    for record in records:
        row = kinds.setdefault(record["kind"], [0, 0, 0, 0])
        if in_kill_window(record, windows):
            row[2] += record["requests"]
            row[3] += record["failed"]
        else:
            row[0] += record["requests"]
            row[1] += record["failed"]
            if record["failed"]:
                failures.append(record)
    print(f"{'traffic':<28} {'requests':>10} {'failed':>7}   {'in kill windows':>15} {'failed':>7}")
    for kind in sorted(kinds):
        ok, bad, window, window_bad = kinds[kind]
        print(f"{kind:<28} {ok:>10} {bad:>7}   {window:>15} {window_bad:>7}")
    if failures:
        print(f"failures outside the kill windows (first 15 of {len(failures)}):")
        for record in failures[:15]:
            print(f"  +{record['start'] - start:7.1f} s {record['kind']}: {record['failed']} failed,"
                  f" {record['detail']}")
    return sum(kind[1] for kind in kinds.values())


def read_samples(path):
    """{service: [(time, pid, {metric: value})]} in time order."""
    per_service = {}
    with open(path) as file:
        for row in csv.DictReader(file):
            figures = {"rss_kib": int(row["rss_kib"]), "threads": int(row["threads"]),
                       "held_fds": int(row["fds"]) - int(row["connections"])}
            per_service.setdefault(row["service"], []).append(
                (float(row["time"]), int(row["pid"]), figures))
    return per_service


def median_of(samples, metric, since, until):
    values = [figures[metric] for time, _, figures in samples if since <= time < until]
    return (statistics.median(values), len(values)) if values else (None, 0)


def judge(samples, start, end, warmup):
    """The growth of the process running at the end, over its part of the second half."""
    half = start + (end - start) / 2
    window = min(60.0, max(30.0, (end - half) / 4))
    last_pid = samples[-1][1]
    life = [sample for sample in samples if sample[1] == last_pid]
    since = max(half, life[0][0] + warmup)
    window = min(window, (end - since) / 3)
    result = {"pid": last_pid, "lives": len({pid for _, pid, _ in samples})}
    for metric, _ in METRICS:
        first_half, _ = median_of(samples, metric, start, half)
        early, early_count = median_of(life, metric, since, since + window)
        late, late_count = median_of(life, metric, end - window, end + 1)
        growth = None
        if min(early_count, late_count) >= MIN_SAMPLES and window > 0:
            growth = (late - early) / early * 100 if early else (0.0 if late == 0 else 100.0)
        result[metric] = (first_half, early, late, growth)
    return result


def figure(value):
    return "-" if value is None else f"{value:.0f}"


def growth_text(growth):
    return "n/a" if growth is None else f"{growth:+.1f}%"


def process_table(per_service, start, end, warmup):
    header = f"{'server':<15} {'pid':>7} {'lives':>5}"
    for _, label in METRICS:
        header += f" | {label + ': 1st half, 2nd: start, end, growth':>41}"
    print(header)
    verdicts = {}
    for service, samples in per_service.items():
        result = judge(samples, start, end, warmup)
        verdicts[service] = result
        line = f"{service:<15} {result['pid']:>7} {result['lives']:>5}"
        for metric, _ in METRICS:
            first_half, early, late, growth = result[metric]
            line += (f" | {figure(first_half):>14} {figure(early):>9} {figure(late):>7}"
                     f" {growth_text(growth):>8}")
        print(line)
    return verdicts


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", required=True)
    parser.add_argument("--requests", required=True)
    parser.add_argument("--kills", required=True)
    parser.add_argument("--start", type=float, required=True)
    parser.add_argument("--end", type=float, required=True)
    parser.add_argument("--grace", type=float, required=True)
    parser.add_argument("--interval", type=float, required=True)
    parser.add_argument("--expected-kills", type=int, required=True)
    arguments = parser.parse_args()
    start, end = arguments.start, arguments.end
    # After a restart, the new process's first moments (its caches, the backends' pools
    # filling again) are no leak: 30 s, or a twentieth of a short run.
    warmup = min(30.0, (end - start) / 20)

    windows, never = read_kill_windows(arguments.kills, end, arguments.grace)
    records, per_loop = read_requests(arguments.requests)
    per_service = read_samples(arguments.samples)
    minutes = (end - start) / 60
    print(f"\nsoak: {minutes:.0f} minute(s); samples every {arguments.interval:g} s;"
          f" kills: {sum(len(w) for w in windows.values())}"
          f" ({', '.join(f'{s} x{len(w)}' for s, w in sorted(windows.items()))})\n")
    verdicts = process_table(per_service, start, end, warmup)
    print("(medians: over the 1st half, and over the two windows of the 2nd half compared, its"
          " start and its end, see bench/soak/report.py; fds less connections: open descriptors"
          " less established TCP connections; lives: processes the service had, the last one"
          " judged)\n")
    failed = traffic_table(records, windows, start)

    goals = []
    for metric, label in METRICS:
        judged = [(result[metric][3], service) for service, result in verdicts.items()
                  if result[metric][3] is not None]
        if judged:
            growth, service = max(judged)
            goals.append((f"soak: {label} growth over the 2nd half, most ({service})",
                          f"{growth:.1f}", "<=", f"{GROWTH_LIMIT:g}", "%"))
        else:
            goals.append((f"soak: {label} growth over the 2nd half", "none judged", "<=",
                          f"{GROWTH_LIMIT:g}", "%"))
    unjudged = sorted(service for service, result in verdicts.items()
                      if any(result[metric][3] is None for metric, _ in METRICS))
    if unjudged:
        print(f"not judged (too few samples in a window): {', '.join(unjudged)}")
    goals.append(("soak: servers with too few samples to judge", str(len(unjudged)), "<=", "0", ""))
    goals.append(("soak: failed requests outside the kill windows", str(failed), "<=", "0", ""))
    silent = sorted(loop for loop, count in per_loop.items() if count == 0)
    if silent:
        print(f"traffic loops that recorded nothing: {', '.join(silent)}")
    goals.append(("soak: traffic loops that made no request", str(len(silent)), "<=", "0", ""))
    if never:
        print(f"killed and never answered again: {', '.join(never)}")
    goals.append(("soak: killed services that did not come back", str(len(never)), "<=", "0", ""))
    kills = sum(len(w) for w in windows.values())
    goals.append(("soak: kills and restarts made", str(kills), ">=", str(arguments.expected_kills), ""))
    for goal in goals:
        print("goal\t" + "\t".join(goal))
    return 0


if __name__ == "__main__":
    sys.exit(main())
