# shellcheck shell=bash
# The demo network's distance and loss (./miniweb network, up --network): nftables or
# iptables rules that queue the stack's packets to the link emulator, and its link table.
# Sourced by ./miniweb, whose variables (STATE, NET, BIN) and functions (say, die) it uses.


# Distance and loss (issue 15): the kernel queues the stack's packets (source or destination in
# $NET.0/24, arriving on lo) to an NFQUEUE, and the link emulator (miniweb-stack link) holds each
# one for its link's delay, or drops it. The rules say `bypass`: without the emulator, packets
# pass. The browser's 127.0.0.1 is the host "browser" only in packets to or from the stack's
# addresses; nothing else on the host is queued.
NETWORK_PROFILES="loopback lan broadband mobile lossy"
NETWORK_FILE="$STATE/run/network"
LINKS_FILE="$STATE/run/links.txt"
DROPS_FILE="$STATE/logs/link-drops.log"
EMULATOR_READY="$STATE/run/link-emulator.ready"
NFT_TABLE="miniweb_${NET//./_}" # table inet miniweb_127_53_0, when nft can queue
IPT_CHAIN="MINIWEB_${NET//./_}" # else a chain of iptables-nft's table mangle

# One queue per stack: its number from the second and third octets of its network.
network_queue() {
  local b c
  IFS=. read -r _ b c <<<"$NET"
  echo $(((b * 256 + c) % 65536))
}

network_check_profile() {
  [[ " $NETWORK_PROFILES " == *" $1 "* ]] || die "no network profile '$1': one of $NETWORK_PROFILES"
}

network_current() { cat "$NETWORK_FILE" 2>/dev/null || echo loopback; }

# nft's own `queue` statement needs the kernel's nft_queue, which not every kernel has (this
# team's lack it, and netem too); iptables' NFQUEUE target, through nft's compatibility layer,
# does the same job. Either way, one table or one chain of the stack's own.
rules_add_unlocked() {
  local queue subnet="$NET.0/24"
  queue=$(network_queue)
  rules_remove_unlocked
  if nft -f - 2>/dev/null <<EOF
table inet $NFT_TABLE {
  chain prerouting {
    type filter hook prerouting priority 0; policy accept;
    iifname "lo" ip saddr $subnet queue num $queue bypass
    iifname "lo" ip daddr $subnet queue num $queue bypass
  }
}
EOF
  then
    return 0
  fi
  if ! { iptables -w -t mangle -N "$IPT_CHAIN" &&
    iptables -w -t mangle -A "$IPT_CHAIN" -j NFQUEUE --queue-num "$queue" --queue-bypass &&
    iptables -w -t mangle -A PREROUTING -i lo -s "$subnet" -j "$IPT_CHAIN" &&
    iptables -w -t mangle -A PREROUTING -i lo -d "$subnet" -j "$IPT_CHAIN"; }; then
    rules_remove_unlocked
    return 1
  fi
}

rules_remove_unlocked() {
  if command -v nft >/dev/null; then nft delete table inet "$NFT_TABLE" 2>/dev/null || true; fi
  command -v iptables >/dev/null || return 0
  iptables -w -t mangle -S "$IPT_CHAIN" >/dev/null 2>&1 || return 0
  local subnet="$NET.0/24"
  while iptables -w -t mangle -D PREROUTING -i lo -s "$subnet" -j "$IPT_CHAIN" 2>/dev/null; do :; done
  while iptables -w -t mangle -D PREROUTING -i lo -d "$subnet" -j "$IPT_CHAIN" 2>/dev/null; do :; done
  iptables -w -t mangle -F "$IPT_CHAIN" 2>/dev/null || true
  iptables -w -t mangle -X "$IPT_CHAIN" 2>/dev/null || true
  # iptables-nft made the table and its PREROUTING chain for us: gone again when nobody else
  # uses them (nft refuses to delete a chain that holds a rule, so another's rule keeps it).
  if [[ $(iptables -w -t mangle -S PREROUTING 2>/dev/null) == "-P PREROUTING ACCEPT" ]]; then
    nft delete chain ip mangle PREROUTING 2>/dev/null || true
  fi
  # Only on a listing that worked: a failed one must not read as an empty table.
  local listing
  if listing=$(nft list table ip mangle 2>/dev/null) && ! grep -q 'chain ' <<<"$listing"; then
    nft delete table ip mangle 2>/dev/null || true
  fi
}

# Stacks on one host share iptables-nft's mangle table, which removal deletes when it is left
# empty: adding and removing take one host-wide lock, so that one stack's cleanup never deletes
# the table under another's new chain.
# In the stack's own namespace the tables are its own: no lock.
NETFILTER_LOCK="${TMPDIR:-/tmp}/miniweb-netfilter.lock"
with_netfilter_lock() {
  if [[ -n "${MINIWEB_IN_NAMESPACE:-}" ]]; then
    "$@"
  else
    (flock -w 30 9 && "$@") 9>>"$NETFILTER_LOCK"
  fi
}
network_rules_add() { with_netfilter_lock rules_add_unlocked; }
network_rules_remove() { with_netfilter_lock rules_remove_unlocked; }

# Until the emulator says it has (re)read the link table.
network_wait_ready() {
  local deadline=$((SECONDS + 10)) pid
  # The process itself, not service_running: just after the start it may still be the shell
  # that is about to exec the emulator.
  pid=$(cat "$STATE/run/link-emulator.pid" 2>/dev/null || true)
  until [[ -f "$EMULATOR_READY" ]]; do
    if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      say "the link emulator did not start; the end of $STATE/logs/link-emulator.log:"
      tail -n 15 "$STATE/logs/link-emulator.log" >&2 || true
      return 1
    fi
    sleep 0.05
  done
  # A running emulator that could not read the new table keeps the old one, and says why.
  local said
  said=$(head -n 1 "$EMULATOR_READY" 2>/dev/null || true)
  if [[ $said != ready ]]; then
    say "the link emulator kept its old table: ${said#refused: }"
    return 1
  fi
}

network_stop_emulator() {
  local pid deadline=$((SECONDS + 5))
  pid=$(service_pid link-emulator) || return 0
  kill -TERM "$pid" 2>/dev/null || true
  while service_running link-emulator; do
    if ((SECONDS >= deadline)); then kill -KILL "$pid" 2>/dev/null || true; fi
    sleep 0.05
  done
  rm -f "$STATE/run/link-emulator.pid" "$STATE/run/link-emulator.service" "$EMULATOR_READY"
}

network_write_table() { # network_write_table PROFILE: the profile's link table in $LINKS_FILE
  mkdir -p "$STATE/run" "$STATE/logs"
  "$STACK_BIN" links --topology "$TOPOLOGY" --net "$NET" --network "$1" --out "$LINKS_FILE" ||
    die "miniweb-stack links failed (above)"
}

# The emulator (started, or told to read $LINKS_FILE again) and the rules that queue to it.
network_load_table() {
  local tool pid
  for tool in nft iptables; do
    command -v "$tool" >/dev/null || die "'$tool' is missing; scripts/install-deps.sh installs it (nftables, iptables)"
  done
  rm -f "$EMULATOR_READY"
  if pid=$(service_pid link-emulator); then
    kill -HUP "$pid"
  else
    start_service link-emulator "link emulator" "$NET.0/24" "queue $(network_queue)" \
      "$STACK_BIN" link --queue "$(network_queue)" --links "$LINKS_FILE" --drops "$DROPS_FILE" \
      --ready "$EMULATOR_READY"
  fi
  network_wait_ready && network_rules_add
}

network_apply() { # network_apply PROFILE
  local profile=$1
  network_check_profile "$profile"
  if [[ $profile == loopback ]]; then
    network_rules_remove
    network_stop_emulator
    rm -f "$NETWORK_FILE"
    return 0
  fi
  network_write_table "$profile"
  if ! network_load_table; then
    network_apply loopback
    die "the network profile '$profile' could not be applied (above)"
  fi
  echo "$profile" >"$NETWORK_FILE"
  say "network: $profile (what the link emulator drops: $DROPS_FILE)"
}

cmd_network() {
  (($# == 1)) || die "network takes one profile: ./miniweb network {${NETWORK_PROFILES// /|}}"
  network_check_profile "$1"
  bin_dir_setup
  { [[ -f "$STATE/plan.sh" ]] && host_stack_running; } || die "the stack is not up: ./miniweb up --network $1"
  network_apply "$1"
  [[ $1 != loopback ]] || say "network: loopback (no delay and no loss: the link emulator is stopped)"
}
