# ./miniweb experiment [NAME [OPTIONS] [URL]]: one thing broken on the demo internet, and the
# load that meets it watched (issue 15). Sourced by ./miniweb, whose functions it uses: the
# network's (network_write_table, network_load_table, network_apply), the plan's and say/die.
#
# The lose-* experiments ask the link emulator to drop one kind of packet (a fault line in its
# link table: "drop KIND FROM TO SKIP COUNT"), load the page with the packet view and the
# trace, then give the network back as it was. syn-flood and stream run in network namespaces
# of their own, through miniweb-stack. eavesdrop, tamper and impersonate (scripts/why_https.sh)
# show why HTTPS exists, each over http:// and then https://.

EXPERIMENTS=(lose-syn lose-syn-ack lose-third-ack lose-data lose-dns syn-flood stream eavesdrop
  tamper impersonate)

# shellcheck source=scripts/why_https.sh
source "$ROOT/scripts/why_https.sh"

experiment_summary() {
  case $1 in
    lose-syn) echo "the browser's SYN is lost (twice unless --times says): its kernel sends it again" ;;
    lose-syn-ack) echo "the server's SYN-ACK is lost: what each end does about it" ;;
    lose-third-ack) echo "the handshake's third segment, the browser's ACK, is lost" ;;
    lose-data) echo "a data segment of the response is lost and sent again: fast retransmit or a timer" ;;
    lose-dns) echo "the resolver's question to the root is lost: it asks again" ;;
    syn-flood) echo "spoofed SYNs fill a server's SYN queue; SYN cookies let a real client in" ;;
    stream) echo "a live stream's frames over UDP and over TCP through a lossy link: gaps or stalls" ;;
    eavesdrop | tamper | impersonate) why_https_summary "$1" ;;
  esac
}

experiment_list() {
  local name
  echo "experiments: ./miniweb experiment NAME [--times N] [URL]"
  for name in "${EXPERIMENTS[@]}"; do printf '  %-14s %s\n' "$name" "$(experiment_summary "$name")"; done
  echo "each is explained on the tour: https://www.example.test/journey/experiments/"
}

# The address the resolver gives for HOST (an address is its own).
experiment_address() {
  local host=$1 resolver=$2 address
  if [[ $host =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$ ]]; then
    echo "$host"
    return
  fi
  address=$(dig +short +time=2 +tries=1 -p "${resolver##*:}" "@${resolver%:*}" "$host" A | tail -n 1)
  [[ $address =~ ^[0-9.]+$ ]] || die "the resolver has no address for $host"
  echo "$address"
}

# The link emulator's log lines (drops, changes) written since STARTED (seconds.nanoseconds).
experiment_log_since() {  # experiment_log_since STARTED
  awk -v since="$1" '$1 + 0 >= since + 0 { print "  " $0 }' "$DROPS_FILE" 2>/dev/null
}

# The current profile's link table with these fault lines added, in force until the experiment
# ends (then experiment_restore gives the network back).
experiment_faults() {  # experiment_faults LINE...
  EXPERIMENT_PROFILE=$(network_current)
  local line
  for line in "$@"; do say "the link emulator's fault: $line (network: $EXPERIMENT_PROFILE)"; done
  network_write_table "$EXPERIMENT_PROFILE"
  printf '%s\n' "$@" >>"$LINKS_FILE"
  trap experiment_restore EXIT
  network_load_table || die "the link emulator did not take the fault (above)"
}

# The network as it was before the experiment: its profile's table again, or no emulator.
EXPERIMENT_PROFILE=loopback
experiment_restore() {
  if [[ $EXPERIMENT_PROFILE == loopback ]]; then
    network_apply loopback
  else
    network_write_table "$EXPERIMENT_PROFILE"
    network_load_table || say "the link emulator did not take back the '$EXPERIMENT_PROFILE' table"
  fi
}

cmd_experiment() {
  if (($# == 0)); then
    experiment_list
    return 0
  fi
  local name=$1
  shift
  ensure_programs_fresh
  case $name in
    syn-flood) exec "$STACK_BIN" synflood "$@" ;;
    stream) exec "$STACK_BIN" stream "$@" ;;
    lose-syn | lose-syn-ack | lose-third-ack | lose-data | lose-dns) ;;
    eavesdrop | tamper | impersonate)
      why_https_experiment "$name" "$@"
      return
      ;;
    *) die "no experiment '$name': ./miniweb experiment lists them" ;;
  esac
  local times="" url=""
  while (($#)); do
    case $1 in
      --times)
        [[ ${2:-} =~ ^[1-9][0-9]?$ ]] || die "--times takes a count from 1 to 99"
        times=$2
        shift 2
        ;;
      -*) die "experiment $name does not know '$1': ./miniweb experiment $name [--times N] [URL]" ;;
      *)
        [[ -z $url ]] || die "experiment $name takes one URL"
        url=$1
        shift
        ;;
    esac
  done
  url=${url:-https://www.example.test/}
  [[ $url =~ ^https?://([^/:]+) ]] || die "'$url' is not an http or https URL"
  local host=${BASH_REMATCH[1]}
  { [[ -f "$STATE/plan.sh" ]] && host_stack_running; } || die "the stack is not up: ./miniweb up"
  local resolver_endpoint="" resolver_socket=""
  resolver() { resolver_endpoint=$1; resolver_socket=${2:-}; }
  run_plan resolver
  local browser=127.0.0.1 server resolver_address=${resolver_endpoint%:*} fault
  server=$(experiment_address "$host" "$resolver_endpoint")
  case $name in
    lose-syn) fault="drop syn $browser $server 0 ${times:-2}" ;;
    lose-syn-ack) fault="drop syn-ack $server $browser 0 ${times:-1}" ;;
    lose-third-ack) fault="drop third-ack $browser $server 0 ${times:-1}" ;;
    # Over TLS 1.3 the server's first two data segments are its handshake flight and its
    # session tickets; the response comes after them.
    lose-data) fault="drop data $server $browser $([[ $url == https:* ]] && echo 2 || echo 0) ${times:-1}" ;;
    # Its first question is the root priming query (". NS"); the one after is the page's name.
    lose-dns) fault="drop dns-query $resolver_address * 1 ${times:-1}" ;;
  esac
  say "experiment $name: $(experiment_summary "$name")"
  experiment_faults "$fault"
  if [[ $name == lose-syn ]]; then
    # Linux 6.7 and later wait 1 s for each of the first tcp_syn_linear_timeouts retries, then
    # double; older kernels double from the start. Which this one does is its setting.
    local linear
    linear=$(cat /proc/sys/net/ipv4/tcp_syn_linear_timeouts 2>/dev/null || echo "absent (older than 6.7)")
    say "this kernel: net.ipv4.tcp_syn_retries=$(cat /proc/sys/net/ipv4/tcp_syn_retries), net.ipv4.tcp_syn_linear_timeouts=$linear"
  fi
  if [[ $name == lose-dns ]]; then
    # The resolver must ask: it forgets everything, down to the root's addresses.
    "$DNS_BIN" control --socket "$resolver_socket" flush_all >/dev/null ||
      die "the resolver would not forget its cache"
  fi
  local started status=0
  started=$(date +%s.%N)
  "$BROWSER_BIN" --download-dir "$STATE/downloads" --resolver "$resolver_endpoint" \
    --ca-file "$STATE/ca/root.pem" --hosts "$STATE/hosts" --cache-dir "$STATE/browser" \
    --link-drops "$DROPS_FILE" --fresh --dump --trace --packets "$url" >/dev/null || status=$?
  echo "* the link emulator's drop log for this experiment ($DROPS_FILE):"
  experiment_log_since "$started"
  return "$status"
}
