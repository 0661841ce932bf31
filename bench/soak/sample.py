#!/usr/bin/python3
"""Samples every service of a running stack until a given time: one CSV row per process per
round with its resident memory, open descriptors (and how many of them are established TCP
connections) and threads, read from /proc.

    sample.py STATE OUT.csv INTERVAL END_EPOCH

The services are the ones $STATE/plan.sh starts; each round reads their pid files again, so a
service that the soak killed and started again is followed under its new pid. A service
without a process at that moment (killed, not yet back) has no row in that round.
"""
import os
import sys
import time


def planned_services(state):
    with open(os.path.join(state, "plan.sh")) as plan:
        return [line.split()[1] for line in plan if line.startswith("service ")]


def read_pid(state, service):
    try:
        with open(os.path.join(state, "run", service + ".pid")) as file:
            return int(file.read().strip())
    except (OSError, ValueError):
        return None


def status_fields(pid):
    """VmRSS in KiB and Threads from /proc/PID/status; None when the process is gone (or a
    zombie, which has no VmRSS line)."""
    rss = threads = None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
            elif line.startswith("Threads:"):
                threads = int(line.split()[1])
    return (rss, threads) if rss is not None and threads is not None else None


def established_sockets():
    """The inodes of the host's established TCP sockets (state 01 in /proc/net/tcp and tcp6)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as file:
                next(file)
                for line in file:
                    fields = line.split()
                    if fields[3] == "01":
                        inodes.add(fields[9])
        except OSError:
            pass
    return inodes


def sample(pid, established):
    """(RSS KiB, descriptors, of them established connections, threads), or None."""
    try:
        # Just after a restart the pid file may name the shell about to exec the program.
        if not os.path.basename(os.readlink(f"/proc/{pid}/exe")).startswith("miniweb-"):
            return None
        fields = status_fields(pid)
        descriptors = connections = 0
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:  # closed meanwhile
                continue
            descriptors += 1
            if target.startswith("socket:[") and target[8:-1] in established:
                connections += 1
    except OSError:  # ended between the pid file and /proc
        return None
    return None if fields is None else (fields[0], descriptors, connections, fields[1])


def main():
    state, out, interval, end = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
    services = planned_services(state)
    with open(out, "w", buffering=1) as csv:
        csv.write("time,service,pid,rss_kib,fds,connections,threads\n")
        while True:
            now = time.time()
            if now >= end:
                break
            established = established_sockets()
            for service in services:
                pid = read_pid(state, service)
                figures = None if pid is None else sample(pid, established)
                if figures is not None:
                    csv.write(f"{now:.3f},{service},{pid},{','.join(map(str, figures))}\n")
            time.sleep(max(0.0, interval - (time.time() - now)))


if __name__ == "__main__":
    main()
