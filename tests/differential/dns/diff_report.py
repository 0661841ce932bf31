"""The verdicts of a differential run, tallied and printed the same way for every suite."""

import collections


def tally(comparisons, verbose):
    """comparisons: (verdict, detail, result) per input, where verdict is "agree", a known
    difference's name or "DIFFER". Returns (verdicts, both_accept, both_reject, failures)."""
    verdicts = collections.Counter()
    both_accept = both_reject = 0
    failures = []
    for verdict, detail, result in comparisons:
        verdicts[verdict] += 1
        if verdict == "agree":
            both_accept += result["ok"]
            both_reject += not result["ok"]
        elif verdict == "DIFFER":
            failures.append(detail)
        elif verbose:
            print(f"[{verdict}] {detail}")
    return verdicts, both_accept, both_reject, failures


def report(headline, verdicts, failures, table):
    """Prints the failures (the first 30), the headline, each known difference met with its
    reason from `table`; returns the exit status: 1 when any difference is unexplained."""
    for detail in failures[:30]:
        print(f"[DIFFER] {detail}")
    print(headline)
    for name, count in sorted(verdicts.items()):
        if name not in ("agree", "DIFFER"):
            print(f"  known difference {name}: {count} ({table[name].reason})")
    print(f"{len(failures)} unexplained differences")
    return 1 if failures else 0
