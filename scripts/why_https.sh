# ./miniweb experiment eavesdrop | tamper | impersonate: the three problems of plain HTTP that
# HTTPS exists for, each shown live. Each loads shop.example (the shop's copy kept for this, over
# plain HTTP and HTTPS, without HSTS) over http:// and then over https://, with the trace, the
# packet view and a capture (--pcap), and says what was observed. Sourced by
# scripts/experiments.sh, whose helpers (experiment_faults, experiment_log_since) it uses.
#
#   eavesdrop    no fault: the browser signs in; its capture is searched for the password
#   tamper       the link emulator rewrites a price in the shop's TCP payloads ("rewrite"), and
#                changes a byte of the shop's second segment of TLS application_data records
#                ("corrupt"): over TLS 1.3 the first carries its session tickets, the second
#                the response
#   impersonate  the link emulator rewrites the resolver's answer to the browser ("spoof-dns"):
#                the A record of shop.example says the impostor's address

WHY_HTTPS_HOST=shop.example
# The packet sniffer mug's price on the shop's front page, and what the box makes of it.
TAMPER_OLD=12.50
TAMPER_NEW=92.50
EAVESDROP_USER=alice

why_https_summary() {
  case $1 in
    eavesdrop) echo "a sign-in over http:// then https://: the password in the capture, or only encrypted records" ;;
    tamper) echo "a box on the path rewrites a price: http:// shows it, https:// fails the record's integrity check" ;;
    impersonate) echo "a spoofed DNS answer points to an impostor: http:// shows its page, https:// refuses its certificate" ;;
  esac
}

# shop.example's URL for SCHEME and PATH on the stack's ports.
why_https_url() {  # why_https_url SCHEME PATH
  local port=$HTTP_PORT default=80
  [[ $1 == https ]] && port=$HTTPS_PORT default=443
  if [[ $port == "$default" ]]; then
    echo "$1://$WHY_HTTPS_HOST$2"
  else
    echo "$1://$WHY_HTTPS_HOST:$port$2"
  fi
}

# The browser as the experiments run it: fresh caches, nothing read from or written to the
# profile (so that no lie outlives the run), the page dumped.
why_https_browser() {  # why_https_browser OPTION... URL
  "$BROWSER_BIN" --download-dir "$STATE/downloads" --resolver "$WHY_HTTPS_RESOLVER" \
    --ca-file "$STATE/ca/root.pem" --hosts "$STATE/hosts" --cache-dir "$STATE/browser" \
    --link-drops "$DROPS_FILE" --fresh --dump "$@"
}

# One load, watched: the page in RUN.page, the trace and the packet view in RUN.trace (and on
# the terminal), the capture in RUN.pcapng. The browser's exit status is returned.
why_https_load() {  # why_https_load RUN URL [BROWSER OPTION...]
  local run=$1 url=$2 status=0
  shift 2
  rm -f "$run".*
  why_https_browser --trace --packets --pcap "$run.pcapng" "$@" "$url" >"$run.page" \
    2>"$run.trace" || status=$?
  cat "$run.trace" >&2
  return "$status"
}

# Lines of FILE holding any of the PATTERNs (fixed strings), indented; or what says none did.
why_https_lines() {  # why_https_lines FILE NONE PATTERN...
  local file=$1 none=$2 args=() pattern
  shift 2
  for pattern in "$@"; do args+=(-e "$pattern"); done
  grep -F "${args[@]}" "$file" | sed -E 's/^( |│)*/    /' | grep . || echo "    $none"
}

# Whether FILE holds TEXT (a fixed string): the summaries claim only what the runs left.
why_https_holds() {  # why_https_holds FILE TEXT
  grep -qF -- "$2" "$1" 2>/dev/null
}
# Whether the run's capture holds TEXT.
why_https_captured() {  # why_https_captured SCHEME TEXT
  "$STACK_BIN" capture-search --pcap "$WHY_HTTPS_DIR/$1.pcapng" --text "$2" >/dev/null 2>&1
}
# One line of the summary: SCHEME, then the first SENTENCE whose check passes.
why_https_summary_line() {  # why_https_summary_line SCHEME [CHECK SENTENCE]...
  local scheme=$1
  shift
  while (($# >= 2)); do
    if eval "$1"; then
      printf '  %-9s %s\n' "$scheme://" "$2"
      return
    fi
    shift 2
  done
  printf '  %-9s %s\n' "$scheme://" "${1:-not as expected: see above}"
}

why_https_heading() {  # why_https_heading SCHEME URL
  printf '\n======== over %s:// : %s ========\n' "$1" "$2" >&2
}

why_https_eavesdrop() {
  # A password of this run alone, so that finding it can only mean this run carried it.
  local password="sesame-$RANDOM$RANDOM" user="$EAVESDROP_USER-$RANDOM" scheme url status found
  # An account of this run's own, made over https:// and not watched: the sign-ins are.
  why_https_browser --fill "username=$user" --fill "password=$password" --submit \
    "$(why_https_url https /signup)" >/dev/null 2>&1 ||
    say "the sign-up as $user failed: the sign-ins below will be refused"
  say "the browser signs in as $user with the password $password"
  for scheme in http https; do
    url=$(why_https_url "$scheme" /signin)
    why_https_heading "$scheme" "$url"
    status=0
    why_https_load "$WHY_HTTPS_DIR/$scheme" "$url" --fill "username=$user" \
      --fill "password=$password" --submit || status=$?
    echo "* observed over $scheme://:"
    echo "  the browser's capture ($WHY_HTTPS_DIR/$scheme.pcapng), searched for the password:"
    found=0
    "$STACK_BIN" capture-search --pcap "$WHY_HTTPS_DIR/$scheme.pcapng" --text "$password" |
      sed 's/^/    /' || found=$?
    if [[ $scheme == https ]]; then
      # The capture's records; what was inside them is known from OpenSSL's callbacks only.
      echo "  the encrypted records of the sign-in, in the packet view:"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "no record seen" "(as the browser wrote it)" \
        "inside: application_data"
    fi
    echo "  what the shop answered (the browser's trace; exit status $status):"
    why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "no answer" "< HTTP/1.1 " "came over http://"
    [[ $scheme == http && $found != 0 ]] && say "the password was not found in the http:// capture (above)"
  done
  echo "* in short:"
  why_https_summary_line http "why_https_captured http '$password'" \
    "the password travelled in the clear: it is in the capture, in the POST's body"
  why_https_summary_line https "! why_https_captured https '$password'" \
    "the password is in no captured packet: only TLS records travelled"
  return 0
}

# One load of shop.example's front page over SCHEME, the box's faults armed afresh; then what
# the box did, from its own log. WHY_HTTPS_STATUS: the browser's exit status.
why_https_load_past_box() {  # why_https_load_past_box SCHEME
  local scheme=$1 url started
  network_load_table || die "the link emulator did not take the faults again (above)"
  url=$(why_https_url "$scheme" /)
  why_https_heading "$scheme" "$url"
  started=$(date +%s.%N)
  WHY_HTTPS_STATUS=0
  why_https_load "$WHY_HTTPS_DIR/$scheme" "$url" || WHY_HTTPS_STATUS=$?
  echo "* observed over $scheme://:"
  echo "  what the box on the path did (the link emulator's log, $DROPS_FILE):"
  experiment_log_since "$started" | grep -F "changed by the link emulator" | sed 's/^ */    /' ||
    echo "    nothing"
}

why_https_tamper() {
  local scheme
  experiment_faults "rewrite $WHY_HTTPS_SHOP 127.0.0.1 $TAMPER_OLD $TAMPER_NEW" \
    "corrupt $WHY_HTTPS_SHOP 127.0.0.1 1 1"
  for scheme in http https; do
    why_https_load_past_box "$scheme"
    echo "  what the shop sent, in the capture (taken before the box, as a capture at the sender):"
    "$STACK_BIN" capture-search --pcap "$WHY_HTTPS_DIR/$scheme.pcapng" --text "$TAMPER_OLD" |
      sed 's/^/    /' || true
    if ((WHY_HTTPS_STATUS == 0)); then
      echo "  what the browser shows (the page):"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.page" "neither price" "$TAMPER_NEW" "$TAMPER_OLD"
    else
      echo "  what the browser said (its trace; exit status $WHY_HTTPS_STATUS):"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "nothing" "TLS alert" "failed:"
      echo "  the record and the alert in the capture (the packet view):"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "neither" "OpenSSL could not decrypt it" \
        "inside: alert" "Alert fatal"
    fi
  done
  echo "* in short:"
  why_https_summary_line http "why_https_holds '$WHY_HTTPS_DIR/http.page' $TAMPER_NEW && why_https_captured http $TAMPER_OLD" \
    "the shop sent $TAMPER_OLD, the browser showed $TAMPER_NEW, and nothing told it"
  why_https_summary_line https "why_https_holds '$WHY_HTTPS_DIR/https.trace' 'TLS alert sent fatal bad_record_mac'" \
    "the changed record failed its integrity check: the browser sent the alert bad_record_mac, closed, and showed nothing"
}

why_https_impersonate() {
  local scheme impostor=${WHY_HTTPS_IMPOSTOR%:*} answer
  [[ -n $impostor ]] || die "$STATE/plan.sh has no impostor: ./miniweb up again with this description"
  experiment_faults "spoof-dns $WHY_HTTPS_HOST $impostor ${WHY_HTTPS_RESOLVER%:*} 127.0.0.1"
  for scheme in http https; do
    why_https_load_past_box "$scheme"
    echo "  where the browser went (its trace):"
    why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "no connection to $impostor" \
      "$(printf 'IN\tA\t%s' "$impostor")" "connect to $impostor"
    if ((WHY_HTTPS_STATUS == 0)); then
      echo "  what the browser shows (the page):"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.page" "no word of the impostor" "free today" \
        "served by the impostor"
    else
      echo "  what the browser said (its trace; exit status $WHY_HTTPS_STATUS):"
      why_https_lines "$WHY_HTTPS_DIR/$scheme.trace" "nothing" "verification:" "TLS alert" "refused:"
    fi
  done
  # The lie was told on the last hop only: with the box gone, the resolver's answer is the shop's.
  experiment_restore
  trap - EXIT
  answer=$(dig +short +time=2 +tries=1 -p "${WHY_HTTPS_RESOLVER##*:}" "@${WHY_HTTPS_RESOLVER%:*}" \
    "$WHY_HTTPS_HOST" A | tail -n 1)
  echo "* the network given back, the resolver asked again: $WHY_HTTPS_HOST is $answer (only its answer to the browser was changed on the way)"
  echo "* in short:"
  why_https_summary_line http "why_https_holds '$WHY_HTTPS_DIR/http.trace' 'connect to $impostor:' && why_https_holds '$WHY_HTTPS_DIR/http.page' 'served by the impostor'" \
    "the browser went to $impostor and showed the impostor's page as $WHY_HTTPS_HOST"
  why_https_summary_line https "why_https_holds '$WHY_HTTPS_DIR/https.trace' 'connect to $impostor:' && why_https_holds '$WHY_HTTPS_DIR/https.trace' 'refused: NET::ERR_CERT'" \
    "the browser went to $impostor too, and refused its certificate: $(grep -o -m 1 'NET::[A-Z_]*' "$WHY_HTTPS_DIR/https.trace" 2>/dev/null)"
}

why_https_experiment() {  # why_https_experiment NAME [ARGUMENT...]
  local name=$1
  shift
  (($# == 0)) || die "experiment $name takes no arguments: ./miniweb experiment $name"
  { [[ -f "$STATE/plan.sh" ]] && host_stack_running; } || die "the stack is not up: ./miniweb up"
  WHY_HTTPS_RESOLVER="" WHY_HTTPS_IMPOSTOR=""
  resolver() { WHY_HTTPS_RESOLVER=$1; }
  service() { [[ $1 != impostor ]] || WHY_HTTPS_IMPOSTOR=$3; }
  run_plan resolver service
  WHY_HTTPS_SHOP=$(experiment_address "$WHY_HTTPS_HOST" "$WHY_HTTPS_RESOLVER")
  WHY_HTTPS_DIR="$STATE/experiments/$name"
  mkdir -p "$WHY_HTTPS_DIR"
  say "experiment $name: $(why_https_summary "$name")"
  say "each run's page, trace and capture are kept in $WHY_HTTPS_DIR"
  "why_https_$name"
}
