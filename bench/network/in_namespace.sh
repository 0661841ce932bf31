#!/usr/bin/env bash
# bench/network/run.sh's measurements, inside the network namespace it made (unshare --net):
# only this namespace's lo, rules and qdiscs are touched, and all go with it.
#   in_namespace.sh ECHOES MINIWEB_STACK
set -euo pipefail
ECHOES=$1
STACK=$2
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK=$(mktemp -d)
QUEUE=4242
trap 'kill $(cat "$WORK/emulator.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$WORK"' EXIT

ip link set lo up
# Both directions between the two ends arrive on lo; the emulator holds what the rules queue.
iptables -t mangle -A PREROUTING -i lo -s 127.0.0.2 -j NFQUEUE --queue-num "$QUEUE" --queue-bypass
iptables -t mangle -A PREROUTING -i lo -d 127.0.0.2 -j NFQUEUE --queue-num "$QUEUE" --queue-bypass

table() {  # table ONE_WAY_US: that delay both ways between 127.0.0.1 and 127.0.0.2
  printf '* * 0 0 0 0\n127.0.0.1 127.0.0.2 %s 0 0 0\n127.0.0.2 127.0.0.1 %s 0 0 0\n' "$1" "$1" >"$WORK/links.txt"
}

# The emulator's CPU time so far, in nanoseconds (the scheduler's own account, per thread).
emulator_cpu_ns() {
  local pid total=0 task
  pid=$(cat "$WORK/emulator.pid")
  for task in /proc/"$pid"/task/*/schedstat; do
    read -r ns _ <"$task"
    total=$((total + ns))
  done
  echo "$total"
}

load_table() {  # load_table ONE_WAY_US
  table "$1"
  rm -f "$WORK/ready"
  if [[ -f "$WORK/emulator.pid" ]]; then
    kill -HUP "$(cat "$WORK/emulator.pid")"
  else
    "$STACK" link --queue "$QUEUE" --links "$WORK/links.txt" --drops "$WORK/drops.log" \
      --ready "$WORK/ready" 2>"$WORK/emulator.log" &
    echo $! >"$WORK/emulator.pid"
  fi
  for _ in $(seq 100); do [[ -f "$WORK/ready" ]] && return 0; sleep 0.05; done
  echo "bench/network: the emulator did not start:" >&2
  cat "$WORK/emulator.log" >&2
  exit 1
}

field() { python3 -c "import json,sys; print('%.3f' % json.loads(sys.argv[1])['$2'])" "$1"; }

echo "bench/network: $ECHOES UDP echoes per row, 127.0.0.1 <-> 127.0.0.2, in a namespace of its own"
printf '%-26s %10s %10s %10s %10s %12s\n' "path" "asked ms" "median ms" "p99 ms" "max ms" "CPU/packet"

# The kernel alone: no rule queues these packets.
iptables -t mangle -I PREROUTING 1 -i lo -j ACCEPT
base=$(python3 "$HERE/echo_rtt.py" --count "$ECHOES" --interval-ms 1)
iptables -t mangle -D PREROUTING 1
printf '%-26s %10s %10s %10s %10s %12s\n' "kernel, no emulator" "0" "$(field "$base" median)" \
  "$(field "$base" p99)" "$(field "$base" max)" "-"
base_median=$(field "$base" median)

for one_way_ms in 0 1 10 50; do
  load_table $((one_way_ms * 1000))
  before=$(emulator_cpu_ns)
  interval=$((one_way_ms * 2 + 1))
  got=$(python3 "$HERE/echo_rtt.py" --count "$ECHOES" --interval-ms "$interval")
  after=$(emulator_cpu_ns)
  answered=$(python3 -c "import json,sys; print(json.loads(sys.argv[1])['answered'])" "$got")
  # Each echo is two packets through the queue: the question and its answer.
  cpu_us=$(python3 -c "print('%.2f us' % (($after - $before) / 1000 / max(1, 2 * $answered)))")
  asked=$((one_way_ms * 2))
  printf '%-26s %10s %10s %10s %10s %12s\n' "miniweb link, ${one_way_ms} ms each way" "$asked" \
    "$(field "$got" median)" "$(field "$got" p99)" "$(field "$got" max)" "$cpu_us"
  median=$(field "$got" median)
  python3 -c "
asked, median, base = $asked, $median, $base_median
extra = median - base - asked
print('  %-24s measured - asked - kernel = %+.3f ms%s' % ('', extra,
      ('  (%.2f%% of the asked delay)' % (100 * extra / asked)) if asked else ''))"
done

# netem, the kernel's own emulator, where this kernel has it.
if tc qdisc add dev lo root netem delay 10ms 2>"$WORK/tc.err"; then
  iptables -t mangle -F PREROUTING
  # netem on lo delays each direction once: 10 ms each way is a 20 ms round trip.
  got=$(python3 "$HERE/echo_rtt.py" --count "$ECHOES" --interval-ms 21)
  printf '%-26s %10s %10s %10s %10s %12s\n' "netem, 10 ms each way" 20 "$(field "$got" median)" \
    "$(field "$got" p99)" "$(field "$got" max)" "(in kernel)"
  tc qdisc del dev lo root
else
  echo "netem: not in this kernel, so no side-by-side row ($(tr -d '\n' <"$WORK/tc.err"))"
fi
