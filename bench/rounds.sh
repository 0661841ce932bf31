# Sourced by the benches that time whole commands with hyperfine. hyperfine runs each command's
# runs back to back, so a burst of other load on the machine (a neighbour on a shared host, a
# periodic job) lands on one command's runs and decides the ratio. Here the commands take turns
# over several rounds and each command's runs from every round are pooled before the median.
#   pooled_medians JSON_PREFIX ROUNDS HYPERFINE_ARGUMENTS... COMMANDS...
# runs hyperfine ROUNDS times with the arguments given (--runs, --warmup, --prepare, and the
# commands) and prints each command's median over all its runs, in milliseconds, one per line
# in the order given. Each round's report stays in JSON_PREFIX.N.json.
# shellcheck shell=bash

pooled_medians() {
  local prefix=$1 rounds=$2 round
  shift 2
  for ((round = 0; round < rounds; round++)); do
    if ! hyperfine -N --style none --export-json "$prefix.$round.json" "$@" >/dev/null 2>"$prefix.err"; then
      echo "bench: hyperfine failed in round $((round + 1)) (a command exited non-zero?):" >&2
      tail -3 "$prefix.err" >&2
      return 1
    fi
  done
  /usr/bin/python3 - "$prefix" "$rounds" <<'PYTHON'
import json, statistics, sys
prefix, rounds = sys.argv[1], int(sys.argv[2])
pooled = []
for round in range(rounds):
    with open(f"{prefix}.{round}.json") as report:
        for index, result in enumerate(json.load(report)["results"]):
            if index == len(pooled):
                pooled.append([])
            pooled[index].extend(result["times"])
for times in pooled:
    print("%.2f" % (statistics.median(times) * 1000))
PYTHON
}
