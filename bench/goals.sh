# Sourced by every bench: `goal` prints one of issue 18's targets beside what this run measured,
# and, under `./miniweb bench`, records it so the launcher ends with one table of every goal.
#   goal LABEL MEASURED OP TARGET [UNIT]
# OP is <= or >=: "p99 ratio miniweb/nginx" 0.93 "<=" 1.00 means met when 0.93 <= 1.00.
# A MEASURED that is not a number (a run that failed) is a missed goal.
# shellcheck shell=bash

goal() {
  local label=$1 measured=$2 op=$3 target=$4 unit=${5:-} verdict
  verdict=$(awk -v m="$measured" -v op="$op" -v t="$target" 'BEGIN {
    if (m !~ /^-?[0-9]+(\.[0-9]+)?$/) { print "MISSED"; exit }
    if (op == "<=") print (m + 0 <= t + 0) ? "met" : "MISSED"
    else if (op == ">=") print (m + 0 >= t + 0) ? "met" : "MISSED"
    else print "MISSED" }')
  printf 'goal: %-58s %10s %s %-8s %s\n' "$label" "$measured$unit" "$op" "$target$unit" "$verdict"
  [[ -n "${MINIWEB_BENCH_GOALS:-}" ]] &&
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$measured$unit" "$op" "$target$unit" "$verdict" >>"$MINIWEB_BENCH_GOALS"
  return 0
}
